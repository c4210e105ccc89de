//! Carrying out the runtime's deliveries: notices, reactions, posts, edits
//! and files, each send with a transaction id derived from the journal.
//!
//! Deciding and appending stay serial in the runtime task; sending does not
//! hold them up. The runtime task prepares each delivery (renders a file,
//! resolves the message an edit replaces) and hands it to [`Dispatcher`],
//! which keeps one ordered queue per room: a room's messages go out in the
//! order they were decided, rooms do not wait for one another, and within a
//! delivery the notice and its ✅ go out together.
//!
//! A delivery stays in the journal's outbox until it is done, so after a crash
//! it is carried out again with the same transaction ids, and the homeserver
//! (which remembers a device's transaction ids) returns the event it already
//! has instead of posting a second one. The same makes retries safe: a
//! delivery that fails for lack of a homeserver is tried again, whole, with
//! back-off, until it goes out or tocsin stops (it then waits in the outbox
//! for the next start). One the homeserver refuses (a 4xx answer) is logged,
//! reported to the runtime task, which records it in the room's crisis
//! (`undelivered`), and dropped.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::room::edit::{EditError, EditedContent};
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::{Annotation, Reply, Thread};
use matrix_sdk::ruma::events::room::message::{
    Relation, RoomMessageEventContent, RoomMessageEventContentWithoutRelation,
    TextMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId};
use matrix_sdk::{Client, Room};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::outbound;
use crate::anchor::{self, Anchor};
use crate::journal::OutboxHandle;
use crate::runtime::{Delivery, ExportFile, Output, ReplyTo, StimulusOutput};
use tocsin_core::engine::event::PostTag;

/// Longest wait between two attempts at a delivery the homeserver did not take.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// A delivery ready to go out: what the runtime task resolved for it.
#[derive(Debug)]
pub struct Job {
    pub delivery: Delivery,
    /// The rendered file of an export.
    pub file: Option<ExportFile>,
    /// The message an edit replaces, as the journal knows it.
    pub target: Option<String>,
}

/// What the senders tell the runtime task.
#[derive(Debug)]
pub enum Feedback {
    /// A tagged message went out: record its event id, then mark the delivery
    /// done (in that order, so a crash in between posts it again, under the
    /// same transaction id, rather than forgets it).
    Posted {
        crisis: String,
        tag: PostTag,
        event_id: String,
        delivery: u64,
        /// The room, when not the crisis's own (a direct chat).
        room: Option<String>,
    },
    /// A message that said a checkpoint went out: record its event id
    /// (best effort: the report then lists the checkpoint without it).
    Checkpoint {
        crisis: String,
        seq: u64,
        event_id: String,
    },
    /// The homeserver refused a delivery for good: recorded in the room's crisis.
    Refused {
        room: String,
        txn: String,
        reason: String,
    },
}

/// One ordered queue of deliveries per room, each drained by its own task.
#[derive(Debug)]
pub struct Dispatcher {
    client: Client,
    rooms: HashMap<String, mpsc::UnboundedSender<Job>>,
    feedback: mpsc::UnboundedSender<Feedback>,
    outbox: OutboxHandle,
    tasks: TaskTracker,
    shutdown: CancellationToken,
}

impl Dispatcher {
    pub fn new(
        client: Client,
        feedback: mpsc::UnboundedSender<Feedback>,
        outbox: OutboxHandle,
        shutdown: CancellationToken,
    ) -> Dispatcher {
        Dispatcher {
            client,
            rooms: HashMap::new(),
            feedback,
            outbox,
            tasks: TaskTracker::new(),
            shutdown,
        }
    }

    /// Queues a delivery behind those already queued for its room.
    pub fn dispatch(&mut self, job: Job) -> anyhow::Result<()> {
        let Some(room) = job.delivery.room().map(str::to_owned) else {
            // A console item: nothing to send in a room.
            return Ok(self.outbox.done(job.delivery.id)?);
        };
        let queue = self.rooms.entry(room.clone()).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let sender = RoomSender {
                client: self.client.clone(),
                room: room.clone(),
                feedback: self.feedback.clone(),
                outbox: self.outbox.clone(),
                shutdown: self.shutdown.clone(),
                posted: HashMap::new(),
                direct: HashMap::new(),
            };
            self.tasks.spawn(sender.run(rx));
            tx
        });
        queue
            .send(job)
            .map_err(|_| anyhow::anyhow!("the sender of room {room} is gone"))
    }

    /// Lets the queues drain for at most `grace`, then returns; what is left
    /// waits in the outbox for the next start.
    pub async fn finish(self, grace: Duration) {
        let Dispatcher { rooms, tasks, .. } = self;
        drop(rooms);
        tasks.close();
        if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
            tracing::info!("stopping with messages still queued; they go out at the next start");
        }
    }
}

/// The task that sends one room's deliveries, in order.
struct RoomSender {
    client: Client,
    room: String,
    feedback: mpsc::UnboundedSender<Feedback>,
    outbox: OutboxHandle,
    shutdown: CancellationToken,
    /// Tagged messages this sender posted, for the edits queued behind them.
    posted: HashMap<PostTag, OwnedEventId>,
    /// The direct chats this sender opened, until the homeserver's account
    /// data says they are direct chats (so a second stimulus does not open another).
    direct: HashMap<String, Room>,
}

impl RoomSender {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Job>) {
        while let Some(job) = rx.recv().await {
            if !self.carry_out_until_done(&job).await {
                return;
            }
        }
    }

    /// Tries a delivery until it goes out or is refused. `false` if shutdown came first.
    async fn carry_out_until_done(&mut self, job: &Job) -> bool {
        let delivery = &job.delivery;
        let mut backoff = Duration::from_millis(250);
        loop {
            match self.carry_out(job).await {
                Ok(Done::Now) => {
                    if let Err(err) = self.outbox.done(delivery.id) {
                        tracing::warn!(error = %err, "could not mark a delivery done; it may be sent again (harmlessly)");
                    }
                    return true;
                }
                Ok(Done::WhenRecorded) => return true,
                Err(Failure::Refused(err)) => {
                    let reason = format!("{err:#}");
                    tracing::warn!(error = %reason, room = %self.room, txn = %delivery.txn, "a message was refused by the homeserver; dropped");
                    let _ = self.feedback.send(Feedback::Refused {
                        room: self.room.to_string(),
                        txn: delivery.txn.clone(),
                        reason,
                    });
                    let _ = self.outbox.done(delivery.id);
                    return true;
                }
                Err(Failure::Unreachable(err)) => {
                    tracing::warn!(error = format!("{err:#}"), room = %self.room, retry_in = ?backoff, "a message could not be sent yet");
                    tokio::select! {
                        () = self.shutdown.cancelled() => return false,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// Sends one delivery, whole; one function per kind of output.
    async fn carry_out(&mut self, job: &Job) -> Result<Done, Failure> {
        let delivery = &job.delivery;
        let txn = |what: &str| txn_id(&delivery.txn, what);
        let reply_to = delivery.reply_to.as_ref();
        let anchor = &delivery.anchor;
        let said = match &delivery.output {
            Output::Ack(text) => {
                answer(&self.client, reply_to, text, Some("✅"), anchor, txn).await
            }
            Output::Refuse(text) => {
                answer(&self.client, reply_to, text, Some("⛔"), anchor, txn).await
            }
            Output::Reply(text) => answer(&self.client, reply_to, text, None, anchor, txn).await,
            Output::Post {
                room,
                crisis,
                text,
                tag,
            } => {
                let room = room_of(&self.client, room)?;
                let event_id = send(&room, outbound::notice(text), txn("post"), anchor).await?;
                self.said_checkpoint(anchor, &event_id);
                return Ok(match tag {
                    Some(tag) => self.posted(crisis, tag, event_id, delivery.id),
                    None => Done::Now,
                });
            }
            Output::Mirror { room, .. } => {
                let room = room_of(&self.client, room)?;
                room.send_raw(
                    anchor::ENTRIES_FIELD,
                    serde_json::Value::Object(anchor.fields()),
                )
                .with_transaction_id(&txn("mirror"))
                .await
                .map_err(classify)?;
                return Ok(Done::Now);
            }
            Output::Edit {
                room,
                crisis,
                tag,
                text,
            } => return self.edit(job, room, crisis, tag, text).await,
            Output::Stimulus(stimulus) => return self.stimulus(delivery, stimulus).await,
            Output::Export { room, .. } | Output::Summary { room, .. } => {
                return self.export(job, room).await.map(|()| Done::Now);
            }
        }?;
        if let Some(event_id) = said {
            self.said_checkpoint(anchor, &event_id);
        }
        Ok(Done::Now)
    }

    /// Has the runtime task record the message that said a checkpoint.
    fn said_checkpoint(&self, anchor: &Anchor, event_id: &OwnedEventId) {
        if let Some(checkpoint) = &anchor.checkpoint {
            let _ = self.feedback.send(Feedback::Checkpoint {
                crisis: checkpoint.crisis.clone(),
                seq: checkpoint.seq,
                event_id: event_id.to_string(),
            });
        }
    }

    /// Edits a tagged message, or posts it if it never was.
    async fn edit(
        &mut self,
        job: &Job,
        room: &str,
        crisis: &str,
        tag: &PostTag,
        text: &str,
    ) -> Result<Done, Failure> {
        let txn = |what: &str| txn_id(&job.delivery.txn, what);
        let room = room_of(&self.client, room)?;
        let target = self.posted.get(tag).cloned().or_else(|| {
            job.target
                .as_deref()
                .and_then(|e| OwnedEventId::try_from(e).ok())
        });
        let Some(original) = target else {
            // Never posted (or before an upgrade): post it now, and edit that from then on.
            let event_id = send(
                &room,
                outbound::notice(text),
                txn("post"),
                &Anchor::default(),
            )
            .await?;
            return Ok(self.posted(crisis, tag, event_id, job.delivery.id));
        };
        let content = RoomMessageEventContentWithoutRelation::from(outbound::notice(text));
        let edit = room
            .make_edit_event(&original, EditedContent::RoomMessage(content))
            .await
            .map_err(|err| match err {
                EditError::Fetch(inner) if !refused(&inner) => {
                    Failure::Unreachable(anyhow::Error::new(*inner))
                }
                other => Failure::Refused(other.into()),
            })?;
        room.send(edit)
            .with_transaction_id(txn("edit"))
            .await
            .map_err(classify)?;
        Ok(Done::Now)
    }

    /// Sends an export as a file (encrypted by the SDK when the room is), then its caption.
    async fn export(&self, job: &Job, room: &str) -> Result<(), Failure> {
        let delivery = &job.delivery;
        let txn = |what: &str| txn_id(&delivery.txn, what);
        let room = room_of(&self.client, room)?;
        let Some(file) = &job.file else {
            return Err(Failure::Refused(anyhow::anyhow!(
                "the export could not be rendered"
            )));
        };
        let mime: mime::Mime = file
            .mime
            .parse()
            .map_err(|e| Failure::Refused(anyhow::anyhow!("bad mime type {}: {e}", file.mime)))?;
        // In an exercise, the file is shown under its marked name.
        let config = AttachmentConfig::new().txn_id(txn("file")).caption(
            (file.title != file.name).then(|| TextMessageEventContent::plain(file.title.clone())),
        );
        room.send_attachment(file.name.clone(), &mime, file.bytes.clone(), config)
            .await
            .map_err(classify)?;
        let none = Anchor::default();
        match &delivery.reply_to {
            Some(reply_to) => answer(
                &self.client,
                Some(reply_to),
                &file.caption,
                None,
                &none,
                txn,
            )
            .await
            .map(drop),
            None => send(&room, outbound::notice(&file.caption), txn("notice"), &none)
                .await
                .map(drop),
        }
    }

    /// Sends a stimulus, in the players' room or a direct chat, then its files
    /// (encrypted by the SDK when the room is). Every file is read and checked
    /// against its load-time hash first: a file changed since is not sent.
    async fn stimulus(
        &mut self,
        delivery: &Delivery,
        stimulus: &StimulusOutput,
    ) -> Result<Done, Failure> {
        let StimulusOutput {
            room,
            crisis,
            inject,
            direct_to,
            text,
            html,
            files,
        } = stimulus;
        let txn = |what: &str| txn_id(&delivery.txn, what);
        let mut contents = Vec::with_capacity(files.len());
        for file in files {
            let bytes = tokio::fs::read(&file.path).await.map_err(|err| {
                Failure::Refused(anyhow::anyhow!(
                    "attachment {} cannot be read ({}): {err}",
                    file.name,
                    file.path
                ))
            })?;
            if tocsin_core::digest::hex(&Sha256::digest(&bytes)) != file.sha256 {
                return Err(Failure::Refused(anyhow::anyhow!(
                    "attachment {} changed since the scenario was loaded; reload the scenario",
                    file.name
                )));
            }
            let mime: mime::Mime = file.mime.parse().map_err(|e| {
                Failure::Refused(anyhow::anyhow!("bad mime type {}: {e}", file.mime))
            })?;
            contents.push((file, mime, bytes));
        }
        let target = match direct_to {
            Some(user) => self.direct_chat(user).await?,
            None => room_of(&self.client, room)?,
        };
        let content = match html {
            Some(html) => outbound::notice_formatted(text, html),
            None => outbound::notice(text),
        };
        let event_id = send(&target, content, txn("post"), &Anchor::default()).await?;
        for (idx, (file, mime, bytes)) in contents.into_iter().enumerate() {
            let config = AttachmentConfig::new()
                .txn_id(txn(&format!("file-{idx}")))
                .caption(file.caption.clone().map(TextMessageEventContent::plain));
            target
                .send_attachment(file.name.clone(), &mime, bytes, config)
                .await
                .map_err(classify)?;
        }
        let tag = PostTag::Inject(inject.clone());
        if direct_to.is_none() {
            return Ok(self.posted(crisis, &tag, event_id, delivery.id));
        }
        // Sent in a direct chat: the engine learns that room belongs to the exercise.
        let _ = self.feedback.send(Feedback::Posted {
            crisis: crisis.clone(),
            tag,
            event_id: event_id.to_string(),
            delivery: delivery.id,
            room: Some(target.room_id().to_string()),
        });
        Ok(Done::WhenRecorded)
    }

    /// The direct chat with a player: the one tocsin has, or a new one
    /// (encrypted, the player invited).
    async fn direct_chat(&mut self, user: &str) -> Result<Room, Failure> {
        let id = matrix_sdk::ruma::UserId::parse(user)
            .with_context(|| format!("bad user id {user}"))
            .map_err(Failure::Refused)?;
        if let Some(room) = self
            .client
            .get_dm_room(&id)
            .or_else(|| self.direct.get(user).cloned())
        {
            return Ok(room);
        }
        let room = self.client.create_dm(&id).await.map_err(classify)?;
        self.direct.insert(user.to_owned(), room.clone());
        Ok(room)
    }

    /// Remembers a tagged message for the edits behind it, and has the
    /// runtime task record it (which then marks the delivery done).
    fn posted(
        &mut self,
        crisis: &str,
        tag: &PostTag,
        event_id: OwnedEventId,
        delivery: u64,
    ) -> Done {
        self.posted.insert(tag.clone(), event_id.clone());
        let _ = self.feedback.send(Feedback::Posted {
            crisis: crisis.to_owned(),
            tag: tag.clone(),
            event_id: event_id.to_string(),
            delivery,
            room: None,
        });
        Done::WhenRecorded
    }
}

/// How a delivery that went out is finished.
enum Done {
    /// Mark it done in the outbox now.
    Now,
    /// The runtime task marks it done once it has recorded the posted message.
    WhenRecorded,
}

enum Failure {
    /// The homeserver answered no (4xx), or the delivery cannot be made.
    Refused(anyhow::Error),
    /// No answer, or a server error: try again later.
    Unreachable(anyhow::Error),
}

/// Answers a chat message: a notice replying to it (in its thread, if it was
/// in one) and, for a message, the reaction, both at once. Returns the
/// notice's event id.
async fn answer(
    client: &Client,
    reply_to: Option<&ReplyTo>,
    text: &str,
    reaction: Option<&str>,
    anchor: &Anchor,
    txn: impl Fn(&str) -> OwnedTransactionId,
) -> Result<Option<OwnedEventId>, Failure> {
    let Some(reply_to) = reply_to else {
        return Ok(None);
    };
    let room = room_of(client, &reply_to.room)?;
    let original = OwnedEventId::try_from(reply_to.event_id.as_str())
        .map_err(|e| Failure::Refused(anyhow::anyhow!("bad event id: {e}")))?;
    let mut content = outbound::notice(text);
    if reply_to.message {
        content.relates_to = Some(match &reply_to.thread {
            // Keeps the original's thread when it was in one.
            Some(root) => match OwnedEventId::try_from(root.as_str()) {
                Ok(root) => Relation::Thread(Thread::plain(root, original.clone())),
                Err(_) => Relation::Reply(Reply::with_event_id(original.clone())),
            },
            None => Relation::Reply(Reply::with_event_id(original.clone())),
        });
    }
    // The notice first, then the ✅: Synapse creates a room's events one at a
    // time, so sending both at once only lets the reaction overtake the answer
    // people read, and the reader's sync then wakes for the reaction first. The
    // other rooms' deliveries still go out meanwhile (one sender per room).
    let event_id = send(&room, content, txn("notice"), anchor).await?;
    if let (Some(key), true) = (reaction, reply_to.message) {
        let content = ReactionEventContent::new(Annotation::new(original, key.to_owned()));
        room.send(content)
            .with_transaction_id(txn("reaction"))
            .await
            .map_err(classify)?;
    }
    Ok(Some(event_id))
}

/// Sends a message; with an anchor, its fields are added to the content
/// (clients show the text as usual).
async fn send(
    room: &Room,
    content: RoomMessageEventContent,
    txn: OwnedTransactionId,
    anchor: &Anchor,
) -> Result<OwnedEventId, Failure> {
    if anchor.is_empty() {
        let res = room
            .send(content)
            .with_transaction_id(txn)
            .await
            .map_err(classify)?;
        return Ok(res.response.event_id);
    }
    let mut json = serde_json::to_value(&content)
        .map_err(|e| Failure::Refused(anyhow::anyhow!("unserializable message: {e}")))?;
    if let Some(fields) = json.as_object_mut() {
        fields.extend(anchor.fields());
    }
    let res = room
        .send_raw("m.room.message", json)
        .with_transaction_id(&txn)
        .await
        .map_err(classify)?;
    Ok(res.response.event_id)
}

fn classify(err: matrix_sdk::Error) -> Failure {
    if refused(&err) {
        Failure::Refused(err.into())
    } else {
        Failure::Unreachable(err.into())
    }
}

/// A definite no from the homeserver (a 4xx other than rate limiting).
fn refused(err: &matrix_sdk::Error) -> bool {
    err.as_client_api_error()
        .is_some_and(|e| e.status_code.is_client_error() && e.status_code.as_u16() != 429)
}

/// A transaction id unique to a delivery and one of its sends (`what`).
fn txn_id(base: &str, what: &str) -> OwnedTransactionId {
    let digest = Sha256::digest(format!("{base}/{what}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    OwnedTransactionId::from(format!("tocsin-{hex}"))
}

fn room_of(client: &Client, room: &str) -> Result<Room, Failure> {
    let id = matrix_sdk::ruma::RoomId::parse(room)
        .with_context(|| format!("bad room id {room}"))
        .map_err(Failure::Refused)?;
    client
        .get_room(&id)
        .with_context(|| format!("not in room {room}"))
        .map_err(Failure::Refused)
}

/// Tells a room, best effort, that something went wrong with a message (no
/// reaction: the message was not acknowledged). Used just before stopping.
pub async fn warn(client: &Client, reply_to: &ReplyTo, text: &str) {
    let base = format!("{}/warning", reply_to.event_id);
    let res = answer(
        client,
        Some(reply_to),
        text,
        None,
        &Anchor::default(),
        |what| txn_id(&base, what),
    )
    .await;
    if let Err(Failure::Refused(err) | Failure::Unreachable(err)) = res {
        tracing::warn!(error = format!("{err:#}"), "could not post the warning");
    }
}
