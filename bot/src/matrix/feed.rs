//! Reading the homeserver: every event once, in timeline order, from a
//! position tocsin keeps itself.
//!
//! matrix-sdk saves its sync position before event handlers run, so a bot
//! that handles events from handlers (or queues them in memory) loses them if
//! it dies at the wrong moment. Here the sync loop does not use handlers for
//! timeline events: it turns each sync response into one ordered batch of
//! [`Incoming`] events, preceded by what a `limited` timeline skipped (read
//! back with `/messages`), and follows it with [`Feed::Synced`]. The runtime
//! task stores that position ([`Position`], fsync'd) only once every event
//! before it was handled — journaled or deliberately ignored — and the next
//! start syncs from it. Delivery from the homeserver is thus at least once;
//! the journal's event-id index makes it exactly once in the journal.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::deserialized_responses::{TimelineEvent, TimelineEventKind};
use matrix_sdk::media::MediaEventContent;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::events::room::encrypted::OriginalSyncRoomEncryptedEvent;
use matrix_sdk::ruma::events::room::member::{MembershipChange, OriginalSyncRoomMemberEvent};
use matrix_sdk::ruma::events::room::message::{MessageType, Relation};
use matrix_sdk::ruma::events::room::redaction::SyncRoomRedactionEvent;
use matrix_sdk::ruma::events::{
    AnySyncMessageLikeEvent, AnySyncStateEvent, AnySyncTimelineEvent, SyncMessageLikeEvent,
    SyncStateEvent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedUserId, UInt};
use matrix_sdk::sync::SyncResponse;
use matrix_sdk::{Client, Room, RoomState};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::inbound;
use crate::evidence;
use crate::journal::SourceIndex;
use crate::journal::storage::Fault;
use crate::runtime::ReplyTo;
use tocsin_core::engine::event::Author;
use tocsin_core::engine::{Body, Quoted, QuotedContent, consign};
use tocsin_core::lang::speech::{Speech, msg};

/// What the sync loop hands the runtime task, in order.
#[derive(Debug)]
pub enum Feed {
    /// The events of one sync response, after those a gap skipped, in timeline order.
    Events(Vec<Incoming>),
    /// Every event before this one has been handed over: once they are handled,
    /// `token` is the position to resume from. `caught_up`: the homeserver had
    /// nothing more when asked (see [`run`]); what falls due with time may be
    /// carried out from then on.
    Synced { token: String, caught_up: bool },
}

/// An event for the runtime task.
#[derive(Debug)]
pub struct Incoming {
    pub room: Room,
    pub event_id: OwnedEventId,
    pub sender: OwnedUserId,
    pub sent_at: DateTime<Utc>,
    pub body: Body,
    /// The message it answers (a message, not a reaction or a redaction).
    pub reply_to: ReplyTo,
    /// The message a command replies to, or a 📌 reacts to: what it may put
    /// on record.
    pub points_at: Option<OwnedEventId>,
    /// That message, as fetched (see [`quote`]).
    pub quoted: Option<Quoted>,
}

/// The sync position tocsin resumes from, in a file replaced atomically.
#[derive(Debug)]
pub struct Position {
    path: PathBuf,
}

impl Position {
    pub fn new(matrix_dir: &Path) -> Position {
        Position {
            path: matrix_dir.join("sync-position"),
        }
    }

    /// The stored position, if any (none before the first handled sync).
    pub fn load(&self) -> Option<String> {
        std::fs::read_to_string(&self.path)
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// Stores the position durably: written aside, fsync'd, renamed over.
    pub fn store(&self, token: &str) -> anyhow::Result<()> {
        let tmp = self.path.with_extension("tmp");
        let mut file =
            std::fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        file.write_all(token.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &self.path)
            .with_context(|| format!("replacing {}", self.path.display()))?;
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// How the loop starts.
#[derive(Debug)]
pub struct Start {
    /// tocsin's own position, if it has one.
    pub position: Option<String>,
    /// A fresh device: the first response only joins invitations; the rooms'
    /// history is not handled.
    pub skip_history: bool,
    /// Events already on record, where a backfill stops.
    pub known: SourceIndex,
    /// The command prefix: a command replying to a message may put it on record.
    pub prefix: String,
    /// Where files put on record are kept (`evidence`).
    pub files: PathBuf,
}

/// Events per `/messages` page when reading back a gap.
const PAGE: u32 = 100;

/// Catch-up syncs (no waiting on the server) before going live anyway.
const CATCH_UP_ROUNDS: u32 = 20;

/// Syncs until `shutdown`, handing each response's events to the runtime task,
/// and counting completed syncs in `synced`. Returns when shutdown is asked or
/// the runtime task is gone.
///
/// At start, it catches up without long-polling (timeout 0) until a response
/// brings no timeline event: only then is the runtime told it is caught up. A
/// homeserver may answer the first request from a cache filled by the
/// previous run's long poll (Synapse keeps sync responses for minutes), so
/// the first response alone does not prove that nothing is waiting.
pub async fn run(
    client: &Client,
    settings: SyncSettings,
    start: Start,
    tx: &mpsc::UnboundedSender<Feed>,
    synced: &watch::Sender<u64>,
    shutdown: &CancellationToken,
) {
    let Start {
        mut position,
        mut skip_history,
        known,
        prefix,
        files,
    } = start;
    let quoting = Quoting {
        prefix: &prefix,
        files: &files,
    };
    // Rooms whose timeline we follow: a gap in one of them is read back.
    // A room joined since has no gap to fill (its earlier history is not ours).
    let mut followed: HashSet<OwnedRoomId> = client
        .joined_rooms()
        .iter()
        .map(|r| r.room_id().to_owned())
        .collect();
    // Without a position of our own (first start of this version), the SDK's
    // saved position may be past events never handled: read every followed
    // room back to its last recorded event.
    let mut unsure = position.is_none() && !skip_history;
    let mut catch_up = CATCH_UP_ROUNDS;
    loop {
        let mut settings = match &position {
            Some(token) => settings.clone().token(token.clone()),
            None => settings.clone(),
        };
        if catch_up > 0 {
            settings = settings.timeout(Duration::ZERO);
        }
        let Some(response) = sync_until_answered(client, &settings, shutdown).await else {
            return;
        };
        synced.send_modify(|n| *n += 1);
        let events = if skip_history {
            Vec::new()
        } else {
            let gaps = Gaps {
                followed: &followed,
                since: position.as_deref(),
                unsure,
                known: &known,
            };
            match collect(client, &response, &gaps, &quoting, shutdown).await {
                Some(events) => events,
                // Shut down mid-backfill: nothing handed over, nothing lost.
                None => return,
            }
        };
        tracing::debug!(
            rooms = response.rooms.joined.len(),
            events = events.len(),
            next = %response.next_batch,
            since = ?position,
            "sync response"
        );
        followed.extend(response.rooms.joined.keys().cloned());
        let quiet = response
            .rooms
            .joined
            .values()
            .all(|room| room.timeline.events.is_empty());
        catch_up = catch_up_left(catch_up, quiet);
        if !events.is_empty() && tx.send(Feed::Events(events)).is_err() {
            return;
        }
        let synced = Feed::Synced {
            token: response.next_batch.clone(),
            caught_up: catch_up == 0,
        };
        if tx.send(synced).is_err() {
            return;
        }
        position = Some(response.next_batch);
        skip_history = false;
        unsure = false;
    }
}

/// One sync, tried again with back-off while the homeserver cannot be
/// reached. `None` if shutdown came first.
async fn sync_until_answered(
    client: &Client,
    settings: &SyncSettings,
    shutdown: &CancellationToken,
) -> Option<SyncResponse> {
    let mut backoff = Duration::from_secs(1);
    loop {
        let response = tokio::select! {
            () = shutdown.cancelled() => return None,
            res = client.sync_once(settings.clone()) => res,
        };
        match response {
            Ok(response) => return Some(response),
            Err(err) => {
                // tocsin's own store failing is not the network's fault.
                match Fault::in_chain(&err) {
                    Some(fault) => tracing::error!(
                        error = %err,
                        retry_in = ?backoff,
                        "sync failed: {} where tocsin keeps its Matrix store (data_dir)",
                        fault.describe()
                    ),
                    None => tracing::warn!(
                        error = %err,
                        retry_in = ?backoff,
                        "sync failed; the homeserver may be unreachable"
                    ),
                }
                tokio::select! {
                    () = shutdown.cancelled() => return None,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// Catch-up syncs left after a response: none once one is quiet, or after
/// `CATCH_UP_ROUNDS` busy ones (then tocsin goes live anyway).
fn catch_up_left(left: u32, quiet: bool) -> u32 {
    match left {
        0 => 0,
        _ if quiet => 0,
        1 => {
            tracing::info!("still busy after {CATCH_UP_ROUNDS} catch-up syncs: going live");
            0
        }
        n => n - 1,
    }
}

/// What tells a room's timeline has a hole, and where reading back stops.
struct Gaps<'a> {
    followed: &'a HashSet<OwnedRoomId>,
    /// The position this response follows: where reading back stops.
    since: Option<&'a str>,
    /// Read every followed room back to its last recorded event.
    unsure: bool,
    known: &'a SourceIndex,
}

/// The events of a response, each room's gap first, in timeline order.
/// `None` if shutdown came first.
async fn collect(
    client: &Client,
    response: &SyncResponse,
    gaps: &Gaps<'_>,
    quoting: &Quoting<'_>,
    shutdown: &CancellationToken,
) -> Option<Vec<Incoming>> {
    let own = client.user_id()?.to_owned();
    let mut out = Vec::new();
    for (room_id, update) in &response.rooms.joined {
        let Some(room) = client.get_room(room_id) else {
            continue;
        };
        let timeline = &update.timeline;
        let followed = gaps.followed.contains(room_id);
        if followed && (timeline.limited || gaps.unsure) {
            let missed = tokio::select! {
                () = shutdown.cancelled() => return None,
                missed = read_back(&room, timeline.prev_batch.as_deref(), gaps) => missed,
            };
            out.extend(missed.iter().filter_map(|ev| incoming(&room, &own, ev)));
        }
        tracing::debug!(room = %room_id, events = timeline.events.len(), limited = timeline.limited, "timeline");
        out.extend(
            timeline
                .events
                .iter()
                .filter_map(|ev| incoming(&room, &own, ev)),
        );
    }
    for incoming in &mut out {
        if quoting.wanted(incoming) {
            tokio::select! {
                () = shutdown.cancelled() => return None,
                quoted = quote(client, incoming, quoting.files) => incoming.quoted = quoted,
            }
        }
    }
    Some(out)
}

/// What putting a quoted message on record needs from the configuration.
struct Quoting<'a> {
    prefix: &'a str,
    files: &'a Path,
}

impl Quoting<'_> {
    /// A 📌, or a command replying to a message: the message must be fetched.
    fn wanted(&self, incoming: &Incoming) -> bool {
        incoming.points_at.is_some()
            && match &incoming.body {
                Body::Reaction { key, .. } => consign::is_pin(key),
                Body::Text(text) => text.trim_start().starts_with(self.prefix),
                _ => false,
            }
    }
}

/// Largest file tocsin downloads to put on record.
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// The message an input points at, as the engine needs it: author, time,
/// and text, or a file downloaded (decrypted), stored by hash and described.
async fn quote(client: &Client, incoming: &Incoming, files: &Path) -> Option<Quoted> {
    let room = &incoming.room;
    let target = incoming.points_at.as_ref()?;
    let event = match room.event(target, None).await {
        Ok(event) => event,
        Err(err) => {
            tracing::warn!(room = %room.room_id(), error = %err, "could not fetch the message to put on record");
            return None;
        }
    };
    let ts = |ts| inbound::timestamp(ts);
    let (sender, sent_at, content) = match &event.kind {
        TimelineEventKind::UnableToDecrypt { event, .. } => {
            let ev: OriginalSyncRoomEncryptedEvent = event.deserialize_as_unchecked().ok()?;
            (
                ev.sender,
                ts(ev.origin_server_ts),
                QuotedContent::Unavailable(msg!("consign-undecryptable").into()),
            )
        }
        _ => {
            let AnySyncTimelineEvent::MessageLike(AnySyncMessageLikeEvent::RoomMessage(
                SyncMessageLikeEvent::Original(msg),
            )) = event.raw().deserialize().ok()?
            else {
                return None;
            };
            let content = quoted_content(client, &msg.content.msgtype, files).await?;
            (msg.sender, ts(msg.origin_server_ts), content)
        }
    };
    let name = match room.get_member(&sender).await {
        Ok(Some(member)) => member.name().to_owned(),
        _ => sender.localpart().to_owned(),
    };
    Some(Quoted {
        event_id: target.to_string(),
        author: Author {
            id: sender.to_string(),
            name,
        },
        sent_at,
        content,
    })
}

/// A message's text, or its file fetched and stored.
async fn quoted_content(
    client: &Client,
    msgtype: &MessageType,
    files: &Path,
) -> Option<QuotedContent> {
    let (name, mime, bytes) = match msgtype {
        MessageType::Text(t) => {
            return Some(QuotedContent::Text(inbound::text_with_mentions(
                &t.body,
                t.formatted.as_ref().map(|f| f.body.as_str()),
            )));
        }
        MessageType::Notice(n) => return Some(QuotedContent::Text(n.body.clone())),
        MessageType::Emote(e) => return Some(QuotedContent::Text(e.body.clone())),
        MessageType::File(f) => {
            let info = f.info.as_ref();
            let (mime, size) = (
                info.and_then(|i| i.mimetype.clone()),
                info.and_then(|i| i.size),
            );
            (f.filename().to_owned(), mime, fetch(client, f, size).await)
        }
        MessageType::Image(f) => {
            let info = f.info.as_ref();
            let (mime, size) = (
                info.and_then(|i| i.mimetype.clone()),
                info.and_then(|i| i.size),
            );
            (f.filename().to_owned(), mime, fetch(client, f, size).await)
        }
        _ => return None,
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(why) => return Some(QuotedContent::Unavailable(why)),
    };
    match evidence::store(files, &bytes) {
        Ok(sha256) => Some(QuotedContent::File {
            name,
            mime: mime.unwrap_or_else(|| "application/octet-stream".to_owned()),
            size: bytes.len() as u64,
            sha256,
        }),
        Err(err) => {
            tracing::error!(error = %err, "could not store a file put on record");
            Some(QuotedContent::Unavailable(
                msg!("consign-file-not-stored").into(),
            ))
        }
    }
}

/// Downloads (and decrypts) a file, unless it is too large.
async fn fetch(
    client: &Client,
    content: &impl MediaEventContent,
    size: Option<UInt>,
) -> Result<Vec<u8>, Speech> {
    let too_large = || {
        Speech::from(msg!(
            "consign-file-too-large",
            max = MAX_FILE / (1024 * 1024)
        ))
    };
    if size.is_some_and(|s| u64::from(s) > MAX_FILE) {
        return Err(too_large());
    }
    match client.media().get_file(content, false).await {
        Ok(Some(bytes)) if bytes.len() as u64 <= MAX_FILE => Ok(bytes),
        Ok(Some(_)) => Err(too_large()),
        Ok(None) => Err(msg!("consign-file-unavailable").into()),
        Err(err) => {
            tracing::warn!(error = %err, "could not download a file to put on record");
            Err(msg!("consign-file-unavailable").into())
        }
    }
}

/// Reads a room's history backwards from `from` down to the position the gap
/// started at, or to the last event on record, whichever comes first.
/// Returns the events oldest first. Retries while the homeserver fails.
async fn read_back(room: &Room, from: Option<&str>, gaps: &Gaps<'_>) -> Vec<TimelineEvent> {
    let mut missed = Vec::new();
    let mut from = from.map(str::to_owned);
    let mut backoff = Duration::from_millis(500);
    'pages: loop {
        let mut options = MessagesOptions::backward().from(from.as_deref());
        options.limit = UInt::from(PAGE);
        if !gaps.unsure {
            options.to = gaps.since.map(str::to_owned);
        }
        let page = match room.messages(options).await {
            Ok(page) => page,
            Err(err) => {
                tracing::warn!(room = %room.room_id(), error = %err, retry_in = ?backoff, "reading back missed events failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        for ev in page.chunk {
            if ev
                .event_id()
                .is_some_and(|id| gaps.known.contains(id.as_str()))
            {
                break 'pages;
            }
            missed.push(ev);
        }
        match page.end {
            Some(end) if end != from.as_deref().unwrap_or_default() => from = Some(end),
            _ => break,
        }
    }
    tracing::info!(room = %room.room_id(), events = missed.len(), "read back a gap in the timeline");
    missed.reverse();
    missed
}

/// An event tocsin handles: in a room it has joined, from anyone but itself,
/// of a kind it reads (messages, edits, reactions, redactions, and what it
/// could not decrypt).
fn incoming(room: &Room, own: &OwnedUserId, ev: &TimelineEvent) -> Option<Incoming> {
    let res = incoming_inner(room, own, ev);
    tracing::debug!(event = ?ev.event_id(), handed = res.is_some(), utd = matches!(ev.kind, TimelineEventKind::UnableToDecrypt { .. }), "event");
    res
}

fn incoming_inner(room: &Room, own: &OwnedUserId, ev: &TimelineEvent) -> Option<Incoming> {
    if room.state() != RoomState::Joined {
        return None;
    }
    if let TimelineEventKind::UnableToDecrypt { event, .. } = &ev.kind {
        let ev: OriginalSyncRoomEncryptedEvent = event.deserialize_as_unchecked().ok()?;
        if &ev.sender == own {
            return None;
        }
        tracing::warn!(room = %room.room_id(), event = %ev.event_id, "message could not be decrypted");
        return Some(Incoming {
            room: room.clone(),
            reply_to: reply_to(room, &ev.event_id, None, false),
            event_id: ev.event_id,
            sender: ev.sender,
            sent_at: inbound::timestamp(ev.origin_server_ts),
            body: Body::Undecryptable,
            points_at: None,
            quoted: None,
        });
    }
    let event = match ev.raw().deserialize().ok()? {
        AnySyncTimelineEvent::MessageLike(event) => event,
        AnySyncTimelineEvent::State(AnySyncStateEvent::RoomMember(SyncStateEvent::Original(
            member,
        ))) => return joined(room, own, &member),
        AnySyncTimelineEvent::State(_) => return None,
    };
    if event.sender() == own {
        return None;
    }
    let said = said(&event)?;
    Some(Incoming {
        room: room.clone(),
        event_id: event.event_id().to_owned(),
        sender: event.sender().to_owned(),
        sent_at: inbound::timestamp(event.origin_server_ts()),
        reply_to: reply_to(room, event.event_id(), said.thread, said.message),
        body: said.body,
        points_at: said.points_at,
        quoted: None,
    })
}

/// What a message-like event says to tocsin.
struct Said {
    body: Body,
    /// The root of the thread it is in.
    thread: Option<String>,
    /// A message (answered with a reply and a reaction).
    message: bool,
    /// The message it replies to, or reacts to.
    points_at: Option<OwnedEventId>,
}

fn said(event: &AnySyncMessageLikeEvent) -> Option<Said> {
    match event {
        AnySyncMessageLikeEvent::RoomMessage(SyncMessageLikeEvent::Original(msg)) => {
            let (thread, points_at) = match &msg.content.relates_to {
                Some(Relation::Thread(thread)) => (
                    Some(thread.event_id.to_string()),
                    // A real reply within the thread, not the fallback to its latest message.
                    thread
                        .in_reply_to
                        .as_ref()
                        .filter(|_| !thread.is_falling_back)
                        .map(|r| r.event_id.clone()),
                ),
                Some(Relation::Reply(reply)) => (None, Some(reply.in_reply_to.event_id.clone())),
                _ => (None, None),
            };
            Some(Said {
                body: inbound::message_body(msg)?,
                thread,
                message: true,
                points_at,
            })
        }
        AnySyncMessageLikeEvent::Reaction(SyncMessageLikeEvent::Original(reaction)) => {
            let relates_to = &reaction.content.relates_to;
            Some(Said {
                body: Body::Reaction {
                    target: relates_to.event_id.to_string(),
                    key: relates_to.key.clone(),
                },
                thread: None,
                message: false,
                points_at: Some(relates_to.event_id.clone()),
            })
        }
        AnySyncMessageLikeEvent::RoomRedaction(SyncRoomRedactionEvent::Original(redaction)) => {
            let original = redaction
                .content
                .redacts
                .clone()
                .or_else(|| redaction.redacts.clone())?;
            Some(Said {
                body: Body::Redaction {
                    original: original.to_string(),
                    reason: redaction.content.reason.clone(),
                },
                thread: None,
                message: false,
                points_at: None,
            })
        }
        _ => None,
    }
}

/// Someone else's arrival in the room (not a profile change, not an invite).
fn joined(
    room: &Room,
    own: &OwnedUserId,
    member: &OriginalSyncRoomMemberEvent,
) -> Option<Incoming> {
    let arrived = matches!(
        member.membership_change(),
        MembershipChange::Joined | MembershipChange::InvitationAccepted
    );
    if member.state_key == *own || !arrived {
        return None;
    }
    Some(Incoming {
        room: room.clone(),
        event_id: member.event_id.clone(),
        sender: member.state_key.clone(),
        sent_at: inbound::timestamp(member.origin_server_ts),
        reply_to: reply_to(room, &member.event_id, None, false),
        body: Body::Joined,
        points_at: None,
        quoted: None,
    })
}

fn reply_to(
    room: &Room,
    event_id: &matrix_sdk::ruma::EventId,
    thread: Option<String>,
    message: bool,
) -> ReplyTo {
    ReplyTo {
        room: room.room_id().to_string(),
        event_id: event_id.to_string(),
        thread,
        message,
    }
}
