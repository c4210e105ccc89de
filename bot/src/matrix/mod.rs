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
//! If that task fails on a disk that is full, read-only, forbidden or
//! answering I/O errors, tocsin closes its journal, answers each command
//! with a ⛔ until the disk takes writes again, then starts again from disk,
//! by itself; on any other failure (a panic, damage) it stops with an error
//! so that its supervisor restarts it.

pub mod anchor;
pub mod budget;
pub mod deliver;
pub mod demo;
pub mod feed;
pub mod inbound;
pub mod outbound;
pub mod preflight;
pub mod ratelimit;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::event_handler::Ctx;
use matrix_sdk::ruma::api::client::filter::FilterDefinition;
use matrix_sdk::ruma::events::room::member::{MembershipState, StrippedRoomMemberEvent};
use matrix_sdk::ruma::events::room::power_levels::UserPowerLevel;
use matrix_sdk::ruma::{OwnedTransactionId, UInt};
use matrix_sdk::store::{StateStoreDataKey, StateStoreDataValue};
use matrix_sdk::{Client, Room, SessionMeta, SessionTokens};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Credentials};
use crate::journal::storage::{self, Fault};
use crate::runtime::{Delivery, Output, Runtime};
use feed::{Feed, Incoming};
use tocsin_core::engine::event::Author;
use tocsin_core::engine::{Body, Input, command, consign};
use tocsin_core::lang::speech::msg;

/// Power level needed to open and close crises and assign roles.
pub const LEAD_POWER_LEVEL: i64 = 50;

/// How often the runtime notes that tocsin is alive (see `Runtime::heartbeat`).
const HEARTBEAT: Duration = Duration::from_secs(60);

/// Runs the bot until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let mut outage: Option<Fault> = None;
    loop {
        let err = match run_once(config.clone(), shutdown.clone()).await {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        if err.downcast_ref::<DiskBack>().is_some() {
            tracing::info!(
                dir = %config.data_dir.display(),
                "the disk holding data_dir takes writes again: tocsin starts again from its journal"
            );
            outage = None;
            continue;
        }
        let Some(fault) = Fault::of_error(&err) else {
            return Err(err);
        };
        // A disk that is full, read-only, forbidden or failing is fixed without
        // tocsin: it waits for that, then starts again from what is on disk,
        // where the sync position never passed the last journaled command.
        if outage.replace(fault) != Some(fault) {
            tracing::error!(
                fault = fault.key(),
                error = format!("{err:#}"),
                dir = %config.data_dir.display(),
                "tocsin cannot write to the disk holding data_dir; it tries again every {} s and resumes by itself once the disk is fixed",
                RESUME_EVERY.as_secs()
            );
        }
        tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = tokio::time::sleep(RESUME_EVERY) => {}
        }
    }
}

/// How often tocsin tries again to open its journal on a failing disk.
const RESUME_EVERY: Duration = Duration::from_secs(3);

/// Why a run ended: the disk that failed under it takes writes again, and
/// the next run starts from what is on disk.
#[derive(Debug, thiserror::Error)]
#[error("the disk holding data_dir takes writes again")]
struct DiskBack;

/// One run of the bot, from opening the journal to shutdown or failure.
async fn run_once(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let catalog = crate::load::dir(&config.playbooks_dir).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "{} problem(s) in the playbooks:\n{}",
            diags.len(),
            lines.join("\n")
        )
    })?;
    // The reserve a full disk left is space to start with.
    let released = matches!(
        storage::release_reserve_if_short(&config.data_dir),
        Ok(true)
    );
    if released {
        tracing::error!(
            dir = %config.data_dir.display(),
            "the disk holding data_dir is full: released tocsin's reserve to start; free space on it"
        );
    }
    let (mut runtime, summary) = Runtime::open(
        &config.data_dir,
        catalog,
        config.settings.clone(),
        config.templates_dir.as_deref(),
    )?;
    runtime.mirror_in_rooms();
    let crises_open = runtime
        .world()
        .crises
        .values()
        .filter(|c| c.closed_at.is_none())
        .count();
    tracing::info!(
        entries = summary.n_entries,
        crises = summary.chains.len(),
        crises_open,
        "journal verified"
    );
    let control = crate::backup::serve(
        &config.data_dir,
        runtime.journal().snapshotter(),
        shutdown.clone(),
    )
    .await?;
    let res = serve(config, runtime, crises_open, released, shutdown).await;
    // The control task holds the journal open: it ends with the bot.
    control.abort();
    let _ = control.await;
    res
}

/// Connects, then runs the sync loop and the runtime task until shutdown
/// or the runtime task's failure. `released`: the reserve was released
/// to start.
async fn serve(
    config: Config,
    runtime: Runtime,
    crises_open: usize,
    released: bool,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let position = feed::Position::new(&matrix_dir(&config));
    let (client, restored) = connect(&config, position.load().as_deref()).await?;
    let config = Arc::new(config);
    client.add_event_handler_context(config.clone());
    let (synced_tx, synced_rx) = watch::channel(0u64);
    client.add_event_handler_context(synced_rx);
    client.add_event_handler(on_invite);

    let filter = {
        // No lazy-loading of members: with it, Synapse re-sends a member's
        // state, and flags their devices as changed, whenever they speak in a
        // different room from their last message (its lazy-load cache is per
        // user, not per room), which cost a /keys/query per command or so.
        let mut filter = FilterDefinition::default();
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
        prefix: config.settings.prefix.clone(),
        files: crate::evidence::dir(&config.data_dir),
    };
    // Ends with this run, which may not be the process's last.
    let watching = shutdown.child_token();
    let _watching = watching.clone().drop_guard();
    tokio::spawn(watch_disk(
        client.clone(),
        config.clone(),
        released,
        watching,
    ));
    let (tx, rx) = mpsc::unbounded_channel();
    let mut worker = tokio::spawn(process(
        runtime,
        rx,
        client.clone(),
        config.clone(),
        position,
        shutdown.clone(),
    ));
    let mut first_sync = synced_tx.subscribe();
    let announce = async {
        if first_sync.wait_for(|n| *n > 0).await.is_ok() {
            tracing::info!(
                homeserver = %config.homeserver,
                user = %config.user_id,
                rooms = client.joined_rooms().len(),
                crises_open,
                "connected and listening"
            );
        }
        std::future::pending::<()>().await;
    };
    let stopped = tokio::select! {
        res = &mut worker => Some(res),
        () = feed::run(&client, settings, start, &tx, &synced_tx, &shutdown) => None,
        () = announce => None,
    };
    drop(tx);
    let res = match stopped {
        Some(res) => res,
        None => worker.await,
    };
    match res {
        Ok(Ok(())) if shutdown.is_cancelled() => Ok(()),
        Ok(Ok(())) => bail!("the runtime task stopped unexpectedly"),
        Ok(Err(err)) if err.downcast_ref::<DiskBack>().is_some() => Err(err),
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
    preflight::check_homeserver(&config.homeserver).await?;
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
    let client = login_new_device(config, &dir).await?;
    if let Some(key) = enable_recovery(&client).await {
        announce_recovery_key(config, &key);
    }
    Ok((client, false))
}

/// Logs in as a new device with a fresh store in `dir` (its `store`), and
/// saves the session there (`session.json`) for the next starts.
pub(crate) async fn login_new_device(config: &Config, dir: &Path) -> anyhow::Result<Client> {
    let session_file = dir.join("session.json");
    let store = dir.join("store");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let passphrase = config.store_passphrase.as_ref().map(|s| s.expose());
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
                .map_err(|err| {
                    preflight::login_error(err.into(), &config.homeserver, &config.user_id)
                })?;
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
    Ok(client)
}

/// Sets up server-side key backup and its recovery key at the first start,
/// so that the rooms (and the journal mirrored in them) can be read again
/// by a new device (`tocsin recover`). Returns the new recovery key.
async fn enable_recovery(client: &Client) -> Option<String> {
    use matrix_sdk::encryption::recovery::RecoveryError;
    // A cross-signing identity first: without one, matrix-sdk shares no
    // room history with the people tocsin invites (`!inviter`, MSC4268).
    // Homeservers accept a first upload without a password (MSC3967).
    if let Err(err) = client
        .encryption()
        .bootstrap_cross_signing_if_needed(None)
        .await
    {
        tracing::warn!(error = %err, "cross-signing could not be set up: people tocsin invites will not be given the room's earlier messages");
    }
    match client.encryption().recovery().enable().await {
        Ok(key) => Some(key),
        Err(RecoveryError::BackupExistsOnServer) => {
            tracing::warn!(
                "this account already has a key backup that this new device cannot use: \
                 to read the rooms' history, and rebuild a lost journal, run `tocsin recover` with its recovery key"
            );
            None
        }
        Err(err) => {
            tracing::warn!(error = %err, "server-side key backup could not be set up; a lost data directory could not be rebuilt from the rooms");
            None
        }
    }
}

/// Prints the recovery key, this once, on standard output (not in the logs).
fn announce_recovery_key(config: &Config, key: &str) {
    use std::io::Write;
    let text = format!(
        "\ntocsin: server-side key backup is set up for {user}.\n\
         Its recovery key is shown this once:\n\n    {key}\n\n\
         Write it down and keep it away from this server, where the crisis cell can reach it\n\
         (the paper kit has a line for where it is kept). If this data directory is lost,\n\
         `tocsin recover` needs it to rebuild the journal from the rooms.\n\n",
        user = config.user_id
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
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
        .map_err(|err| preflight::store_error(err.into(), store))
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
    Ctx(synced): Ctx<watch::Receiver<u64>>,
) {
    if Some(ev.state_key.as_ref()) != client.user_id()
        || ev.content.membership != MembershipState::Invite
    {
        return;
    }
    if !config.may_invite(ev.sender.as_str()) {
        tracing::info!(room = %room.room_id(), inviter = %ev.sender, "invitation refused: the inviter is not in bot.allowed_inviters");
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
                    tracing::info!(room = %room.room_id(), inviter = %ev.sender, "joined a room");
                    // The first message in a new encrypted room shares its
                    // key, which (matrix-sdk 0.18) claims one-time keys under
                    // a lock and then waits up to 5 s for a /keys/query of our
                    // own devices that only the sync loop sends, while the
                    // sync loop waits for that same lock: every room froze
                    // for 5 s. Waiting for one more completed sync (which
                    // sends the pending key queries) avoids it. Upstream:
                    // matrix-rust-sdk #2236, element-web #26439; drop this
                    // wait when the SDK no longer needs it.
                    let mut synced = synced.clone();
                    let joined_at = *synced.borrow_and_update();
                    let next_sync = synced.wait_for(|n| *n > joined_at);
                    if tokio::time::timeout(Duration::from_secs(40), next_sync)
                        .await
                        .is_err()
                    {
                        tracing::warn!(room = %room.room_id(), "no sync since joining; welcoming anyway");
                    }
                    let txn =
                        OwnedTransactionId::from(format!("tocsin-welcome-{}", room.room_id()));
                    if let Err(err) = room
                        .send(outbound::notice(&welcome))
                        .with_transaction_id(txn)
                        .await
                    {
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

/// Tells the admins, in a direct chat, that the disk filled and the reserve
/// was used.
fn tell_reserve_released(client: &Client, config: &Arc<Config>) {
    let reserve = storage::human(storage::RESERVE_BYTES);
    let dir = config.data_dir.display().to_string();
    let text = config.settings.say(msg!(
        "disk-reserve-admin",
        reserve = reserve.as_str(),
        dir = dir.as_str()
    ));
    ratelimit::tell_admins(client, config, text, "the full disk");
}

/// How often the free space under `data_dir` is looked at.
const DISK_CHECK: Duration = Duration::from_secs(2);

/// Watches the free space under `data_dir`: keeps a reserve file there,
/// released when the disk fills (so that the Matrix store and the journal
/// can still be written, and the admins told) and re-created once there is
/// room; warns the admins (ERROR, and a direct message) when space runs low.
/// `released`: this run started by releasing the reserve, which the admins
/// are told as if it had been released now.
async fn watch_disk(
    client: Client,
    config: Arc<Config>,
    released: bool,
    shutdown: CancellationToken,
) {
    let dir = config.data_dir.clone();
    let mut watch = storage::DiskWatch::default();
    if released {
        watch.released();
        tell_reserve_released(&client, &config);
    }
    loop {
        if let Ok(usage) = storage::Usage::of(&dir) {
            let (free, total) = (storage::human(usage.free), storage::human(usage.total));
            let shown = dir.display().to_string();
            match watch.step(usage, storage::has_reserve(&dir)) {
                storage::DiskAction::None => {}
                storage::DiskAction::Warn => {
                    tracing::error!(
                        free,
                        total,
                        dir = shown,
                        "the disk holding data_dir is almost full: free space on it"
                    );
                    let text = config.settings.say(msg!(
                        "disk-low-admin",
                        free = free.as_str(),
                        total = total.as_str(),
                        dir = shown.as_str()
                    ));
                    ratelimit::tell_admins(&client, &config, text, "the disk filling up");
                }
                storage::DiskAction::Release => {
                    match storage::release_reserve(&dir) {
                        Ok(_) => tracing::error!(
                            free,
                            total,
                            dir = shown,
                            "the disk holding data_dir is full: released tocsin's reserve to go on recording; free space on it now"
                        ),
                        Err(err) => {
                            tracing::error!(error = %err, dir = shown, "the disk holding data_dir is full, and tocsin's reserve could not be released")
                        }
                    }
                    tell_reserve_released(&client, &config);
                }
                storage::DiskAction::Restore => {
                    let at = dir.clone();
                    match tokio::task::spawn_blocking(move || storage::restore_reserve(&at)).await {
                        Ok(Ok(())) => {
                            tracing::info!(dir = shown, "tocsin's disk reserve is in place")
                        }
                        Ok(Err(err)) => {
                            tracing::warn!(error = %err, dir = shown, "could not write tocsin's disk reserve")
                        }
                        Err(_) => {}
                    }
                }
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(DISK_CHECK) => {}
        }
    }
}

/// The runtime task: what an earlier run left undelivered, the downtime, then
/// one input at a time, durable before acknowledged; the timer, which wakes
/// when the runtime says something falls due, once the first catch-up is
/// handled; and what the senders report back. Sending itself is the
/// [`deliver::Dispatcher`]'s: it never holds this loop up.
async fn process(
    mut runtime: Runtime,
    mut rx: mpsc::UnboundedReceiver<Feed>,
    client: Client,
    config: Arc<Config>,
    position: feed::Position,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let (feedback_tx, mut feedback) = mpsc::unbounded_channel();
    let mut dispatcher = deliver::Dispatcher::new(
        client.clone(),
        feedback_tx,
        runtime.journal().outbox_handle(),
        shutdown.clone(),
        ratelimit::budget(&config),
    );
    {
        let (client, config) = (client.clone(), config.clone());
        tokio::spawn(async move { ratelimit::preflight(&client, &config).await });
    }
    let res = run_runtime(
        &mut runtime,
        &mut rx,
        &mut feedback,
        &mut dispatcher,
        &client,
        &config,
        &position,
        &shutdown,
    )
    .await;
    // Queued messages get a moment to go out; the rest wait in the outbox.
    dispatcher.finish(SEND_GRACE).await;
    // The keys of what was just said go to the key backup before leaving.
    let backups = client.encryption().backups();
    if backups.are_enabled().await {
        let _ = tokio::time::timeout(SEND_GRACE, backups.wait_for_steady_state()).await;
    }
    let closed = runtime.close();
    let err = match res.and(closed) {
        Ok(()) => return Ok(()),
        Err(err) => err,
    };
    let Some(fault) = Fault::of_error(&err) else {
        return Err(err);
    };
    // The journal is closed: its files no longer hold the failing volume,
    // which can be unmounted and repaired while the room is still answered.
    if refuse_until_fixed(&mut rx, &client, &config, fault, &err, &shutdown).await {
        Err(err.context(DiskBack))
    } else {
        Ok(())
    }
}

/// While the disk holding the journal fails: each command gets the ⛔ that
/// says nothing was recorded, and the sync position stays where the journal
/// is, so that the next run reads them again and records them. Every
/// [`RESUME_EVERY`], a probe tries the disk; `true` once it takes writes
/// with room to open the journal, `false` at shutdown. `err` is the
/// failure, `fault` what it is.
async fn refuse_until_fixed(
    rx: &mut mpsc::UnboundedReceiver<Feed>,
    client: &Client,
    config: &Config,
    fault: Fault,
    err: &anyhow::Error,
    shutdown: &CancellationToken,
) -> bool {
    tracing::error!(
        fault = fault.key(),
        error = format!("{err:#}"),
        dir = %config.data_dir.display(),
        "tocsin cannot write its journal ({}): it answers each command with ⛔, tries the disk every {} s and resumes by itself once the disk is fixed",
        fault.describe(),
        RESUME_EVERY.as_secs()
    );
    let mut probe = tokio::time::interval(RESUME_EVERY);
    probe.tick().await;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return false,
            next = rx.recv() => match next {
                Some(Feed::Events(batch)) => refuse(client, config, fault, &batch).await,
                Some(Feed::Synced { .. }) => {}
                None => return false,
            },
            _ = probe.tick() => {
                let dir = config.data_dir.clone();
                let back = tokio::task::spawn_blocking(move || storage::disk_back(&dir)).await;
                if back.unwrap_or(false) {
                    return true;
                }
            }
        }
    }
}

/// Answers each command of `batch` with the ⛔ for `fault`.
async fn refuse(client: &Client, config: &Config, fault: Fault, batch: &[Incoming]) {
    let warning = storage_warning(config, fault);
    for incoming in batch.iter().filter(|i| is_command(i, config)) {
        deliver::warn(client, &incoming.reply_to, &warning).await;
    }
}

/// What deserves an answer while nothing can be recorded: what the engine
/// takes as a command (a refused one too), or a 📌 (conversation, edits and
/// other reactions are read again later).
fn is_command(incoming: &Incoming, config: &Config) -> bool {
    match &incoming.body {
        Body::Text(text) => command::parse(text, &config.settings.prefix, &[]).is_some(),
        Body::Reaction { key, .. } => consign::is_pin(key),
        _ => false,
    }
}

/// The ⛔ for a command the journal could not record.
fn storage_warning(config: &Config, fault: Fault) -> String {
    let cause = config
        .settings
        .say(msg!("storage-fault", fault = fault.key()));
    config
        .settings
        .say(msg!("journal-storage", cause = cause.as_str()))
}

/// How long queued messages may still go out once tocsin is stopping.
const SEND_GRACE: Duration = Duration::from_secs(5);

#[expect(
    clippy::too_many_arguments,
    reason = "the runtime task's parts, named once"
)]
async fn run_runtime(
    runtime: &mut Runtime,
    rx: &mut mpsc::UnboundedReceiver<Feed>,
    feedback: &mut mpsc::UnboundedReceiver<deliver::Feedback>,
    dispatcher: &mut deliver::Dispatcher,
    client: &Client,
    config: &Config,
    position: &feed::Position,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    // Acknowledgements and posts decided before a crash go out first.
    let owed = runtime.undelivered()?;
    dispatch(runtime, dispatcher, owed)?;
    // How long tocsin was down goes on record before what was said meanwhile.
    let deliveries = tokio::task::block_in_place(|| runtime.record_downtime(Utc::now()))
        .context("recording the downtime")?;
    dispatch(runtime, dispatcher, deliveries)?;
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
        tokio::select! {
            biased;
            () = shutdown.cancelled() => return Ok(()),
            Some(report) = feedback.recv() => {
                if let deliver::Feedback::RateLimited { retry_after } = report {
                    ratelimit::first_429(client, config, retry_after);
                    continue;
                }
                let deliveries = settle(runtime, report)?;
                dispatch(runtime, dispatcher, deliveries)?;
            }
            next = rx.recv() => match next {
                Some(Feed::Events(batch)) => {
                    let mut batch = batch.into_iter();
                    while let Some(incoming) = batch.next() {
                        let Err(err) = handle(runtime, dispatcher, client, config, incoming).await
                        else {
                            continue;
                        };
                        // What came with it is not recorded either.
                        if let Some(fault) = Fault::of_error(&err) {
                            refuse(client, config, fault, batch.as_slice()).await;
                        }
                        return Err(err);
                    }
                }
                Some(Feed::Synced { token, caught_up: now_caught_up }) => {
                    tokio::task::block_in_place(|| position.store(&token))
                        .context("storing the sync position")?;
                    caught_up |= now_caught_up;
                }
                None => return Ok(()),
            },
            () = tokio::time::sleep_until(wake) => {
                if caught_up {
                    let deliveries = tokio::task::block_in_place(|| runtime.tick(Utc::now()))
                        .context("recording what fell due")?;
                    dispatch(runtime, dispatcher, deliveries)?;
                }
            }
        }
    }
}

/// Prepares deliveries (renders files, finds the message an edit replaces)
/// and queues them for sending.
fn dispatch(
    runtime: &Runtime,
    dispatcher: &mut deliver::Dispatcher,
    deliveries: Vec<Delivery>,
) -> anyhow::Result<()> {
    for delivery in deliveries {
        let (file, target) = match &delivery.output {
            Output::Export {
                crisis,
                format,
                players,
                ..
            } => {
                let file = tokio::task::block_in_place(|| {
                    runtime.render_export(crisis, format, *players, Utc::now())
                });
                match file {
                    Ok(file) => (Some(file), None),
                    Err(err) => {
                        tracing::error!(error = format!("{err:#}"), "could not render an export");
                        (None, None)
                    }
                }
            }
            Output::Summary { sites, format, .. } => {
                let file = tokio::task::block_in_place(|| {
                    runtime.render_summary(sites, format, Utc::now())
                });
                match file {
                    Ok(file) => (Some(file), None),
                    Err(err) => {
                        tracing::error!(error = format!("{err:#}"), "could not render a summary");
                        (None, None)
                    }
                }
            }
            Output::Edit { crisis, tag, .. } => (None, runtime.posted_event(crisis, tag)),
            _ => (None, None),
        };
        dispatcher.dispatch(deliver::Job {
            delivery,
            file,
            target,
        })?;
    }
    Ok(())
}

/// What a sender reported: a posted message's id (or a checkpoint's) to
/// record, or a refusal. Returns what mirrors the new entry in the room.
fn settle(runtime: &mut Runtime, report: deliver::Feedback) -> anyhow::Result<Vec<Delivery>> {
    match report {
        deliver::Feedback::Posted {
            crisis,
            tag,
            event_id,
            delivery,
            room,
        } => {
            let deliveries = tokio::task::block_in_place(|| {
                runtime.record_posted(&crisis, &tag, &event_id, room, Utc::now())
            })
            .context("recording a posted message")?;
            runtime.delivered(delivery)?;
            Ok(deliveries)
        }
        deliver::Feedback::Checkpoint {
            crisis,
            seq,
            event_id,
        } => tokio::task::block_in_place(|| {
            runtime.record_checkpoint(&crisis, seq, &event_id, Utc::now())
        })
        .context("recording a checkpoint"),
        deliver::Feedback::Refused { room, txn, reason } => {
            tracing::warn!(txn, reason, "a message will not reach the room");
            tokio::task::block_in_place(|| runtime.record_refused(&room, &txn, &reason, Utc::now()))
                .context("recording an undelivered message")
        }
        // Said by the runtime task itself, before it settles anything.
        deliver::Feedback::RateLimited { .. } => Ok(Vec::new()),
    }
}

/// Handles one event and queues what answers it. A journal failure is told
/// to the room (best effort) and stops the runtime.
async fn handle(
    runtime: &mut Runtime,
    dispatcher: &mut deliver::Dispatcher,
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
        quoted: incoming.quoted,
        in_reply_to: incoming.points_at.as_ref().map(ToString::to_string),
    };
    let span =
        tracing::info_span!("input", room = %incoming.room.room_id(), event = %incoming.event_id);
    let handled = span.in_scope(|| {
        tokio::task::block_in_place(|| runtime.handle(&input, Some(incoming.reply_to.clone())))
    });
    let deliveries = match handled {
        Ok(deliveries) => deliveries,
        Err(err) => {
            let warning = match Fault::of_error(&err) {
                Some(fault) => storage_warning(config, fault),
                None => config.settings.say(msg!("journal-error")),
            };
            deliver::warn(client, &incoming.reply_to, &warning).await;
            return Err(err.context(format!("recording event {}", incoming.event_id)));
        }
    };
    dispatch(runtime, dispatcher, deliveries)
}
