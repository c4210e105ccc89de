//! The Matrix front end: the only module that knows matrix-sdk and ruma.
//!
//! The sync loop ([`feed`]) reads the homeserver from a position tocsin keeps
//! itself and hands every event, in timeline order, to one task that owns the
//! [`Runtime`] (journal + state). That task handles them one at a time —
//! decide, append with the outputs that answer them (fsync), then carry the
//! outputs out ([`deliver`]): ✅ and a notice, or ⛔ — and stores the sync
//! position once everything before it is handled. Sends carry transaction ids
//! derived from the journal, so an output carried out again after a crash is
//! not posted twice. Commands sent while tocsin was down, however long, are
//! handled at the next start, in order, with their original server times.
//! If that task fails (a journal error, a panic), tocsin stops with an error
//! so that its supervisor restarts it.

pub mod deliver;
pub mod demo;
pub mod feed;
pub mod inbound;
pub mod outbound;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::event_handler::Ctx;
use matrix_sdk::ruma::UInt;
use matrix_sdk::ruma::api::client::filter::FilterDefinition;
use matrix_sdk::ruma::events::room::member::{MembershipState, StrippedRoomMemberEvent};
use matrix_sdk::ruma::events::room::power_levels::UserPowerLevel;
use matrix_sdk::store::{StateStoreDataKey, StateStoreDataValue};
use matrix_sdk::{Client, Room, SessionMeta, SessionTokens};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Credentials};
use crate::engine::Input;
use crate::engine::event::Author;
use crate::lang::speech::msg;
use crate::playbook;
use crate::runtime::Runtime;
use feed::{Feed, Incoming};

/// Power level needed to open and close crises and assign roles.
pub const LEAD_POWER_LEVEL: i64 = 50;

/// How often the runtime notes that tocsin is alive (see `Runtime::heartbeat`).
const HEARTBEAT: Duration = Duration::from_secs(60);

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

    let position = feed::Position::new(&matrix_dir(&config));
    let (client, restored) = connect(&config, position.load().as_deref()).await?;
    let config = Arc::new(config);
    client.add_event_handler_context(config.clone());
    client.add_event_handler(on_invite);

    let filter = {
        let mut filter = FilterDefinition::with_lazy_loading();
        // A gap longer than this is read back with /messages (see `feed`).
        filter.room.timeline.limit = Some(UInt::from(200u32));
        filter
    };
    let settings = SyncSettings::default()
        .filter(filter.into())
        .timeout(Duration::from_secs(30));
    let start = feed::Start {
        position: position.load(),
        // A fresh device: skip the rooms' history, only join pending invitations.
        skip_history: !restored,
        known: runtime.journal().source_index(),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let mut worker = tokio::spawn(process(
        runtime,
        rx,
        client.clone(),
        config.clone(),
        position,
        shutdown.clone(),
    ));
    tracing::info!(user = %config.user_id, "tocsin is listening");
    let stopped = tokio::select! {
        res = &mut worker => Some(res),
        () = feed::run(&client, settings, start, &tx, &shutdown) => None,
    };
    drop(tx);
    let res = match stopped {
        Some(res) => res,
        None => worker.await,
    };
    match res {
        Ok(Ok(())) if shutdown.is_cancelled() => Ok(()),
        Ok(Ok(())) => bail!("the runtime task stopped unexpectedly"),
        Ok(Err(err)) => {
            tracing::error!(
                error = format!("{err:#}"),
                "the runtime task failed; stopping"
            );
            Err(err.context("the runtime task failed"))
        }
        Err(join) => {
            tracing::error!(error = %join, "the runtime task panicked; stopping");
            Err(anyhow::anyhow!("the runtime task panicked: {join}"))
        }
    }
}

fn matrix_dir(config: &Config) -> PathBuf {
    config.data_dir.join("matrix")
}

/// Logs in once, then reuses the saved session and store on every restart,
/// resuming from tocsin's own sync `position` if it has one.
async fn connect(config: &Config, position: Option<&str>) -> anyhow::Result<(Client, bool)> {
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
        if let Some(position) = position {
            // matrix-sdk (0.18) ignores a sync response whose `next_batch` is
            // the token it saved last ("Got the same sync response twice"). Its
            // token may be ahead of tocsin's position (it is saved before the
            // events are handled), and syncing from our position would then
            // drop the very response that holds the events never handled. The
            // SDK reads its token from the store when the session is restored:
            // make it ours first.
            client
                .state_store()
                .set_kv_data(
                    StateStoreDataKey::SyncToken,
                    StateStoreDataValue::SyncToken(position.to_owned()),
                )
                .await
                .context("aligning the Matrix store's sync position with tocsin's")?;
        }
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

/// The runtime task: what an earlier run left undelivered, the downtime, then
/// one input at a time, durable before acknowledged; and the timer, which
/// wakes when the runtime says something falls due, once the first catch-up
/// is handled.
async fn process(
    mut runtime: Runtime,
    mut rx: mpsc::UnboundedReceiver<Feed>,
    client: Client,
    config: Arc<Config>,
    position: feed::Position,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // Acknowledgements and posts decided before a crash go out first.
    for delivery in runtime.undelivered()? {
        deliver::deliver(&client, &mut runtime, delivery).await?;
    }
    // How long tocsin was down goes on record before what was said meanwhile.
    let deliveries = tokio::task::block_in_place(|| runtime.record_downtime(Utc::now()))
        .context("recording the downtime")?;
    for delivery in deliveries {
        deliver::deliver(&client, &mut runtime, delivery).await?;
    }
    // No timer before the first catch-up: a `!fait` sent while tocsin was
    // down must be handled before the reminder it makes unnecessary.
    let mut caught_up = false;
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
            .filter(|_| caught_up)
            .map(|at| {
                let wait = (at - Utc::now()).to_std().unwrap_or_default();
                tokio::time::Instant::now() + wait
            })
            .map_or(heartbeat, |due| due.min(heartbeat));
        let feed = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            next = rx.recv() => match next {
                Some(feed) => feed,
                None => break,
            },
            () = tokio::time::sleep_until(wake) => {
                if caught_up {
                    let deliveries = tokio::task::block_in_place(|| runtime.tick(Utc::now()))
                        .context("recording what fell due")?;
                    for delivery in deliveries {
                        deliver::deliver(&client, &mut runtime, delivery).await?;
                    }
                }
                continue;
            }
        };
        match feed {
            Feed::Events(batch) => {
                for incoming in batch {
                    handle(&mut runtime, &client, &config, incoming).await?;
                }
            }
            Feed::Synced {
                token,
                caught_up: now_caught_up,
            } => {
                tokio::task::block_in_place(|| position.store(&token))
                    .context("storing the sync position")?;
                caught_up |= now_caught_up;
            }
        }
    }
    drop(client);
    runtime.close()
}

/// Handles one event and carries out what answers it. A journal failure is
/// told to the room (best effort) and stops the runtime.
async fn handle(
    runtime: &mut Runtime,
    client: &Client,
    config: &Config,
    incoming: Incoming,
) -> anyhow::Result<()> {
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
        body: incoming.body,
        source: Some(incoming.event_id.to_string()),
        privileged: lead || config.is_admin(incoming.sender.as_str()),
    };
    let span =
        tracing::info_span!("input", room = %incoming.room.room_id(), event = %incoming.event_id);
    let handled = span.in_scope(|| {
        tokio::task::block_in_place(|| runtime.handle(&input, Some(incoming.reply_to.clone())))
    });
    let deliveries = match handled {
        Ok(deliveries) => deliveries,
        Err(err) => {
            let warning = config.settings.say(msg!("journal-error"));
            deliver::warn(client, &incoming.reply_to, &warning).await;
            return Err(err.context(format!("recording event {}", incoming.event_id)));
        }
    };
    for delivery in deliveries {
        deliver::deliver(client, runtime, delivery).await?;
    }
    Ok(())
}
