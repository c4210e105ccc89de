//! The Matrix front end: the only module that knows matrix-sdk and ruma.
//!
//! Sync handlers only translate events and push them, in timeline order, into
//! one channel. A single task owns the [`Runtime`] (journal + state) and
//! handles them one at a time: decide, append (fsync), then acknowledge with
//! ✅ and a notice, or refuse with ⛔. Replies to an event, and the posts it
//! causes, carry transaction ids derived from it, so a retried send never posts
//! twice; posts made by a tick, edits and files carry none yet.
//!
//! Handlers are registered before the first sync when a session is restored,
//! so commands sent while the bot was down are handled on restart, in order,
//! with their original server timestamps; the journal's event-id index makes
//! that exactly-once.

pub mod demo;
pub mod inbound;
pub mod outbound;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::edit::EditedContent;
use matrix_sdk::ruma::api::client::filter::FilterDefinition;
use matrix_sdk::ruma::events::reaction::{OriginalSyncReactionEvent, ReactionEventContent};
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::encrypted::OriginalSyncRoomEncryptedEvent;
use matrix_sdk::ruma::events::room::member::{MembershipState, StrippedRoomMemberEvent};
use matrix_sdk::ruma::events::room::message::{
    AddMentions, ForwardThread, OriginalSyncRoomMessageEvent,
    RoomMessageEventContentWithoutRelation,
};
use matrix_sdk::ruma::events::room::power_levels::UserPowerLevel;
use matrix_sdk::ruma::events::room::redaction::OriginalSyncRoomRedactionEvent;
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId, OwnedUserId, UInt};
use matrix_sdk::{Client, Room, RoomState, SessionMeta, SessionTokens};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Credentials};
use crate::engine::event::Author;
use crate::engine::{Body, Input};
use crate::lang::speech::msg;
use crate::playbook;
use crate::runtime::{Output, Runtime};

/// Power level needed to open and close crises and assign roles.
pub const LEAD_POWER_LEVEL: i64 = 50;

/// How often the runtime notes that tocsin is alive (see `Runtime::heartbeat`).
const HEARTBEAT: Duration = Duration::from_secs(60);

/// An event for the runtime task, in timeline order.
#[derive(Debug)]
struct Incoming {
    room: Room,
    event_id: OwnedEventId,
    sender: OwnedUserId,
    sent_at: chrono::DateTime<Utc>,
    body: Body,
    /// The message to reply to (and whose thread to answer in).
    reply_to: Option<OriginalSyncRoomMessageEvent>,
}

/// Runs the bot until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let catalog = playbook::load_dir(&config.playbooks_dir).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "{} problem(s) in the playbooks:\n{}",
            diags.len(),
            lines.join("\n")
        )
    })?;
    let (runtime, summary) = Runtime::open(
        &config.data_dir,
        catalog,
        config.settings.clone(),
        config.templates_dir.as_deref(),
    )?;
    tracing::info!(
        entries = summary.n_entries,
        crises = summary.chains.len(),
        "journal verified"
    );

    let (client, restored) = connect(&config).await?;
    let config = Arc::new(config);
    let (tx, rx) = mpsc::unbounded_channel();
    client.add_event_handler_context(tx);
    client.add_event_handler_context(config.clone());
    client.add_event_handler(on_invite);

    let filter = {
        let mut filter = FilterDefinition::with_lazy_loading();
        // Enough timeline per room to catch up on what was said while the bot was down.
        filter.room.timeline.limit = Some(UInt::from(200u32));
        filter
    };
    let settings = SyncSettings::default()
        .filter(filter.into())
        .timeout(Duration::from_secs(30));
    if restored {
        add_message_handlers(&client);
    } else {
        // A fresh device: skip the rooms' history, only join pending invitations.
        sync_with_retry(&client, settings.clone(), &shutdown).await?;
        add_message_handlers(&client);
    }

    let worker = tokio::spawn(process(
        runtime,
        rx,
        client.clone(),
        config.clone(),
        shutdown.clone(),
    ));
    tracing::info!(user = %config.user_id, "tocsin is listening");
    let mut backoff = Duration::from_secs(1);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            res = client.sync_once(settings.clone()) => match res {
                Ok(_) => backoff = Duration::from_secs(1),
                Err(err) => {
                    tracing::warn!(error = %err, retry_in = ?backoff, "sync failed; the homeserver may be unreachable");
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
    // The handlers hold the channel's senders; dropping the client's handlers ends the worker.
    drop(client);
    worker.await.context("the runtime task failed")??;
    Ok(())
}

fn add_message_handlers(client: &Client) {
    client.add_event_handler(on_message);
    client.add_event_handler(on_reaction);
    client.add_event_handler(on_undecryptable);
    client.add_event_handler(on_redaction);
}

async fn sync_with_retry(
    client: &Client,
    settings: SyncSettings,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let mut backoff = Duration::from_secs(1);
    loop {
        match client.sync_once(settings.clone()).await {
            Ok(_) => return Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, retry_in = ?backoff, "first sync failed");
                tokio::select! {
                    () = shutdown.cancelled() => bail!("stopped before the first sync"),
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

fn matrix_dir(config: &Config) -> PathBuf {
    config.data_dir.join("matrix")
}

/// Logs in once, then reuses the saved session and store on every restart.
async fn connect(config: &Config) -> anyhow::Result<(Client, bool)> {
    let dir = matrix_dir(config);
    let session_file = dir.join("session.json");
    let store = dir.join("store");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let passphrase = config.store_passphrase.as_ref().map(|s| s.expose());
    if passphrase.is_none() {
        tracing::warn!(
            "no store passphrase: the Matrix store (keys, session) is not encrypted at rest"
        );
    }
    if session_file.exists() {
        let session: MatrixSession = serde_json::from_str(&std::fs::read_to_string(&session_file)?)
            .with_context(|| format!("reading the saved session {}", session_file.display()))?;
        let client = build_client(config, &store, passphrase).await?;
        client
            .restore_session(session)
            .await
            .context("restoring the saved Matrix session")?;
        tracing::info!(device = ?client.device_id(), "session restored");
        return Ok((client, true));
    }
    // A new login is a new device: it needs a fresh crypto store.
    if store.exists() {
        std::fs::remove_dir_all(&store)
            .with_context(|| format!("clearing the stale store {}", store.display()))?;
    }
    let client = build_client(config, &store, passphrase).await?;
    match &config.credentials {
        Credentials::Password(password) => {
            client
                .matrix_auth()
                .login_username(&config.user_id, password.expose())
                .initial_device_display_name(&config.device_name)
                .await
                .context("logging in to the homeserver")?;
        }
        Credentials::AccessToken(token) => {
            let user_id = matrix_sdk::ruma::UserId::parse(&config.user_id)?;
            let whoami = whoami(&config.homeserver, token.expose()).await?;
            let session = MatrixSession {
                meta: SessionMeta {
                    user_id,
                    device_id: whoami.into(),
                },
                tokens: SessionTokens {
                    access_token: token.expose().to_owned(),
                    refresh_token: None,
                },
            };
            client
                .restore_session(session)
                .await
                .context("using the access token")?;
        }
    }
    let session = client
        .matrix_auth()
        .session()
        .context("no session after login")?;
    write_private(&session_file, serde_json::to_string(&session)?.as_bytes())?;
    tracing::info!(device = ?client.device_id(), "logged in; session saved");
    Ok((client, false))
}

async fn build_client(
    config: &Config,
    store: &Path,
    passphrase: Option<&str>,
) -> anyhow::Result<Client> {
    Client::builder()
        .homeserver_url(&config.homeserver)
        .sqlite_store(store, passphrase)
        .build()
        .await
        .context("building the Matrix client")
}

/// The device id of an access token, so the session can be restored with it.
async fn whoami(homeserver: &str, token: &str) -> anyhow::Result<String> {
    let client = Client::builder().homeserver_url(homeserver).build().await?;
    let user_id = matrix_sdk::ruma::UserId::parse("@whoami:invalid")?;
    client
        .restore_session(MatrixSession {
            meta: SessionMeta {
                user_id,
                device_id: "WHOAMI".into(),
            },
            tokens: SessionTokens {
                access_token: token.to_owned(),
                refresh_token: None,
            },
        })
        .await?;
    let res = client.whoami().await.context("checking the access token")?;
    res.device_id
        .map(|d| d.to_string())
        .context("the access token has no device: log in with a password instead")
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

async fn on_invite(
    ev: StrippedRoomMemberEvent,
    client: Client,
    room: Room,
    Ctx(config): Ctx<Arc<Config>>,
) {
    if Some(ev.state_key.as_ref()) != client.user_id()
        || ev.content.membership != MembershipState::Invite
    {
        return;
    }
    if !config.may_invite(ev.sender.as_str()) {
        tracing::info!(room = %room.room_id(), inviter = %ev.sender, "invitation refused: inviter not allowed");
        if let Err(err) = room.leave().await {
            tracing::warn!(error = %err, "could not decline the invitation");
        }
        return;
    }
    let welcome = config
        .settings
        .say(msg!("welcome", p = &config.settings.prefix));
    tokio::spawn(async move {
        // Joining right after the invite can race the server (synapse#4345): retry.
        let mut delay = Duration::from_millis(500);
        for _ in 0..8 {
            match room.join().await {
                Ok(()) => {
                    tracing::info!(room = %room.room_id(), "joined");
                    if let Err(err) = room.send(outbound::notice(&welcome)).await {
                        tracing::warn!(error = %err, "could not post the welcome notice");
                    }
                    return;
                }
                Err(err) => {
                    tracing::warn!(error = %err, retry_in = ?delay, "join failed");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
            }
        }
    });
}

/// Events tocsin handles: in rooms it has joined, from anyone but itself.
fn from_others_in_joined(room: &Room, client: &Client, sender: &matrix_sdk::ruma::UserId) -> bool {
    room.state() == RoomState::Joined && Some(sender) != client.user_id()
}

async fn on_message(
    ev: OriginalSyncRoomMessageEvent,
    room: Room,
    client: Client,
    Ctx(tx): Ctx<mpsc::UnboundedSender<Incoming>>,
) {
    if !from_others_in_joined(&room, &client, &ev.sender) {
        return;
    }
    let Some(body) = inbound::message_body(&ev) else {
        return;
    };
    let _ = tx.send(Incoming {
        room,
        event_id: ev.event_id.clone(),
        sender: ev.sender.clone(),
        sent_at: inbound::timestamp(ev.origin_server_ts),
        body,
        reply_to: Some(ev),
    });
}

async fn on_undecryptable(
    ev: OriginalSyncRoomEncryptedEvent,
    room: Room,
    client: Client,
    Ctx(tx): Ctx<mpsc::UnboundedSender<Incoming>>,
) {
    if !from_others_in_joined(&room, &client, &ev.sender) {
        return;
    }
    tracing::warn!(room = %room.room_id(), event = %ev.event_id, "message could not be decrypted");
    let _ = tx.send(Incoming {
        room,
        event_id: ev.event_id.clone(),
        sender: ev.sender.clone(),
        sent_at: inbound::timestamp(ev.origin_server_ts),
        body: Body::Undecryptable,
        reply_to: None,
    });
}

async fn on_redaction(
    ev: OriginalSyncRoomRedactionEvent,
    room: Room,
    client: Client,
    Ctx(tx): Ctx<mpsc::UnboundedSender<Incoming>>,
) {
    if !from_others_in_joined(&room, &client, &ev.sender) {
        return;
    }
    let Some(original) = ev.content.redacts.clone().or_else(|| ev.redacts.clone()) else {
        return;
    };
    let _ = tx.send(Incoming {
        room,
        event_id: ev.event_id.clone(),
        sender: ev.sender.clone(),
        sent_at: inbound::timestamp(ev.origin_server_ts),
        body: Body::Redaction {
            original: original.to_string(),
            reason: ev.content.reason.clone(),
        },
        reply_to: None,
    });
}

async fn on_reaction(
    ev: OriginalSyncReactionEvent,
    room: Room,
    client: Client,
    Ctx(tx): Ctx<mpsc::UnboundedSender<Incoming>>,
) {
    if !from_others_in_joined(&room, &client, &ev.sender) {
        return;
    }
    let _ = tx.send(Incoming {
        room,
        event_id: ev.event_id.clone(),
        sender: ev.sender.clone(),
        sent_at: inbound::timestamp(ev.origin_server_ts),
        body: Body::Reaction {
            target: ev.content.relates_to.event_id.to_string(),
            key: ev.content.relates_to.key.clone(),
        },
        reply_to: None,
    });
}

/// The runtime task: one input at a time, durable before acknowledged; and
/// the timer: it wakes when the runtime says something falls due.
#[allow(
    clippy::too_many_lines,
    reason = "the runtime task's loop; to be split with the delivery-guarantee work on this file"
)]
async fn process(
    mut runtime: Runtime,
    mut rx: mpsc::UnboundedReceiver<Incoming>,
    client: Client,
    config: Arc<Config>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // How long tocsin was down goes on record before what was said meanwhile.
    match tokio::task::block_in_place(|| runtime.record_downtime(Utc::now())) {
        Ok(outputs) => send_outputs(&client, &mut runtime, None, outputs).await,
        Err(err) => tracing::error!(error = format!("{err:#}"), "could not record the downtime"),
    }
    let mut beat = tokio::time::Instant::now();
    loop {
        // Note that tocsin is alive at least every minute, busy or idle.
        if beat.elapsed() >= HEARTBEAT {
            if let Err(err) = runtime.heartbeat(Utc::now()) {
                tracing::warn!(error = format!("{err:#}"), "heartbeat not written");
            }
            beat = tokio::time::Instant::now();
        }
        // Wake for what falls due, and at least every minute for the heartbeat.
        let heartbeat = beat + HEARTBEAT;
        let wake = runtime
            .next_due()
            .map(|at| {
                let wait = (at - Utc::now()).to_std().unwrap_or_default();
                tokio::time::Instant::now() + wait
            })
            .map_or(heartbeat, |due| due.min(heartbeat));
        let incoming = tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep_until(wake) => None,
            next = rx.recv() => match next {
                Some(incoming) => Some(incoming),
                None => break,
            }
        };
        let Some(incoming) = incoming else {
            let outputs = tokio::task::block_in_place(|| runtime.tick(Utc::now()));
            match outputs {
                Ok(outputs) => send_outputs(&client, &mut runtime, None, outputs).await,
                Err(err) => {
                    tracing::error!(error = format!("{err:#}"), "could not record what fell due")
                }
            }
            continue;
        };
        let member = incoming
            .room
            .get_member(&incoming.sender)
            .await
            .ok()
            .flatten();
        let name = member.as_ref().map_or_else(
            || incoming.sender.localpart().to_owned(),
            |m| m.name().to_owned(),
        );
        let lead = member.as_ref().is_some_and(|m| match m.power_level() {
            UserPowerLevel::Infinite => true,
            UserPowerLevel::Int(level) => i64::from(level) >= LEAD_POWER_LEVEL,
            _ => false,
        });
        let input = Input {
            at: Utc::now(),
            sent_at: incoming.sent_at,
            author: Author {
                id: incoming.sender.to_string(),
                name,
            },
            room: incoming.room.room_id().to_string(),
            body: incoming.body.clone(),
            source: Some(incoming.event_id.to_string()),
            privileged: lead || config.is_admin(incoming.sender.as_str()),
        };
        let span = tracing::info_span!("input", room = %incoming.room.room_id(), event = %incoming.event_id);
        let outputs = span.in_scope(|| tokio::task::block_in_place(|| runtime.handle(&input)));
        let outputs = match outputs {
            Ok(outputs) => outputs,
            Err(err) => {
                tracing::error!(
                    error = format!("{err:#}"),
                    "could not record; nothing acknowledged"
                );
                let warning = config.settings.say(msg!("journal-error"));
                vec![Output::Refuse(warning)]
            }
        };
        send_outputs(&client, &mut runtime, Some(&incoming), outputs).await;
    }
    drop(client);
    runtime.close()
}

async fn send_outputs(
    client: &Client,
    runtime: &mut Runtime,
    incoming: Option<&Incoming>,
    outputs: Vec<Output>,
) {
    for (idx, output) in outputs.into_iter().enumerate() {
        if let Err(err) = send_output(client, runtime, incoming, idx, output).await {
            tracing::warn!(error = format!("{err:#}"), "could not send a message");
        }
    }
}

/// A transaction id unique to (source event, output index): a retried send is not posted twice.
fn txn_id(event_id: &OwnedEventId, idx: usize, what: &str) -> OwnedTransactionId {
    let digest = Sha256::digest(format!("{event_id}/{idx}/{what}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    OwnedTransactionId::from(format!("tocsin-{hex}"))
}

async fn send_output(
    client: &Client,
    runtime: &mut Runtime,
    incoming: Option<&Incoming>,
    idx: usize,
    output: Output,
) -> anyhow::Result<()> {
    let (reaction, text) = match output {
        Output::File {
            room,
            name,
            mime,
            bytes,
            caption,
        } => {
            let room = room_of(client, &room)?;
            let mime: mime::Mime = mime.parse().context("bad mime type")?;
            // Encrypted by the SDK when the room is.
            room.send_attachment(name, &mime, bytes, AttachmentConfig::new())
                .await?;
            (None, caption)
        }
        Output::Ack(text) => (Some("✅"), text),
        Output::Refuse(text) => (Some("⛔"), text),
        Output::Reply(text) => (None, text),
        Output::Post {
            room,
            crisis,
            text,
            tag,
        } => {
            let room = room_of(client, &room)?;
            let mut send = room.send(outbound::notice(&text));
            if let Some(incoming) = incoming {
                send = send.with_transaction_id(txn_id(&incoming.event_id, idx, "post"));
            }
            let event_id = send.await?.response.event_id;
            if let Some(tag) = tag {
                tokio::task::block_in_place(|| {
                    runtime.record_posted(&crisis, &tag, event_id.as_str(), Utc::now())
                })?;
            }
            return Ok(());
        }
        Output::Edit {
            room,
            crisis,
            tag,
            event_id,
            text,
        } => {
            let room = room_of(client, &room)?;
            let Some(event_id) = event_id.and_then(|e| OwnedEventId::try_from(e).ok()) else {
                // Never posted (or posted before an upgrade): post it now, and edit it from then on.
                let event_id = room.send(outbound::notice(&text)).await?.response.event_id;
                tokio::task::block_in_place(|| {
                    runtime.record_posted(&crisis, &tag, event_id.as_str(), Utc::now())
                })?;
                return Ok(());
            };
            let content = RoomMessageEventContentWithoutRelation::from(outbound::notice(&text));
            let edit = room
                .make_edit_event(&event_id, EditedContent::RoomMessage(content))
                .await?;
            room.send(edit).await?;
            return Ok(());
        }
    };
    let Some(incoming) = incoming else {
        return Ok(());
    };
    let room = &incoming.room;
    let mut content = outbound::notice(&text);
    if let Some(original) = &incoming.reply_to {
        // Keeps the original's thread when it was in one.
        content = content.make_reply_to(original, ForwardThread::Yes, AddMentions::No);
    }
    // The notice first: it is what people read; the reaction follows.
    room.send(content)
        .with_transaction_id(txn_id(&incoming.event_id, idx, "notice"))
        .await?;
    if let (Some(key), Some(_)) = (reaction, &incoming.reply_to) {
        let content =
            ReactionEventContent::new(Annotation::new(incoming.event_id.clone(), key.to_owned()));
        room.send(content)
            .with_transaction_id(txn_id(&incoming.event_id, idx, "reaction"))
            .await?;
    }
    Ok(())
}

fn room_of(client: &Client, room: &str) -> anyhow::Result<Room> {
    let id =
        matrix_sdk::ruma::RoomId::parse(room).with_context(|| format!("bad room id {room}"))?;
    client
        .get_room(&id)
        .with_context(|| format!("not in room {room}"))
}
