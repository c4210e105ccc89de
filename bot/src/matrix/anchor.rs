//! Reading tocsin's chains back from the rooms, as a new device of tocsin's
//! account: for `tocsin verify --against-room` and `tocsin recover`.
//!
//! A new device holds no room key, so it first opens the account's
//! server-side key backup with the recovery key (set up at the first start,
//! `enable_recovery`), downloads each room's keys from it, then reads each
//! room's whole history with `/messages`, decrypted. What it reads is handed
//! to the pure `crate::anchor` as JSON contents.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use matrix_sdk::Client;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::deserialized_responses::{TimelineEvent, TimelineEventKind};
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::UInt;

use crate::anchor::RoomEvent;
use crate::config::Config;

/// Events per `/messages` page when reading a room back.
const PAGE: u32 = 500;

/// What the rooms hold, as read by a new device.
#[derive(Debug, Default)]
pub struct ReadBack {
    /// Every room's events, each room oldest first.
    pub events: Vec<RoomEvent>,
    /// The rooms read.
    pub rooms: Vec<String>,
    /// tocsin's own events that could not be decrypted (their keys are not
    /// in the backup): the entries they carry are missing.
    pub undecryptable: usize,
}

/// Logs in as a new device whose session and store go in `dir`, and opens
/// the key backup with the recovery key.
pub async fn connect(config: &Config, dir: &Path, recovery_key: &str) -> anyhow::Result<Client> {
    if matches!(
        config.credentials,
        crate::config::Credentials::AccessToken(_)
    ) {
        anyhow::bail!(
            "reading the rooms as a new device needs a password login (matrix.password or TOCSIN_PASSWORD), not an access token, which belongs to one device"
        );
    }
    super::preflight::check_homeserver(&config.homeserver).await?;
    let client = super::login_new_device(config, dir).await?;
    client
        .encryption()
        .wait_for_e2ee_initialization_tasks()
        .await;
    client
        .sync_once(SyncSettings::default().timeout(Duration::ZERO))
        .await
        .context("the first sync of the new device")?;
    client
        .encryption()
        .recovery()
        .recover(recovery_key)
        .await
        .context("opening the key backup with the recovery key (is it the one printed at the first start?)")?;
    Ok(client)
}

/// Reads every room the account is in, whole, with the keys from the backup.
pub async fn read_rooms(client: &Client) -> anyhow::Result<ReadBack> {
    let own = client
        .user_id()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut back = ReadBack::default();
    let backups = client.encryption().backups();
    for room in client.joined_rooms() {
        let id = room.room_id().to_owned();
        backups
            .download_room_keys_for_room(&id)
            .await
            .with_context(|| format!("downloading the keys of room {id} from the key backup"))?;
        let mut events = Vec::new();
        let mut from: Option<String> = None;
        loop {
            let mut options = MessagesOptions::backward().from(from.as_deref());
            options.limit = UInt::from(PAGE);
            let page = room
                .messages(options)
                .await
                .with_context(|| format!("reading room {id}"))?;
            for ev in &page.chunk {
                if let TimelineEventKind::UnableToDecrypt { event, .. } = &ev.kind {
                    let sender = event.get_field::<String>("sender").ok().flatten();
                    if sender.as_deref() == Some(own.as_str()) {
                        back.undecryptable += 1;
                    }
                    continue;
                }
                events.extend(room_event(ev));
            }
            match page.end {
                Some(end) if from.as_deref() != Some(end.as_str()) => from = Some(end),
                _ => break,
            }
        }
        events.reverse();
        back.events.extend(events);
        back.rooms.push(id.to_string());
    }
    Ok(back)
}

/// An event as JSON: id, sender, server time and (decrypted) content.
fn room_event(ev: &TimelineEvent) -> Option<RoomEvent> {
    let json: serde_json::Value = ev.raw().deserialize_as_unchecked().ok()?;
    let text = |key: &str| json.get(key)?.as_str().map(str::to_owned);
    Some(RoomEvent {
        event_id: text("event_id")?,
        sender: text("sender")?,
        at: json
            .get("origin_server_ts")
            .and_then(serde_json::Value::as_i64)
            .and_then(chrono::DateTime::from_timestamp_millis),
        content: json.get("content").cloned().unwrap_or_default(),
    })
}

/// What `tocsin recover` rebuilt.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Each crisis found in the rooms and the chain written for it.
    pub chains: Vec<RecoveredChain>,
    pub rooms: usize,
    /// tocsin's own events the backup had no key for.
    pub undecryptable: usize,
    /// Copies in the rooms that contradict another or themselves: (crisis, seq, event).
    pub conflicts: Vec<(String, u64, String)>,
}

#[derive(Debug)]
pub struct RecoveredChain {
    pub crisis: String,
    /// Entries written (1..=n); zero when the room lacks the first entry.
    pub entries: u64,
    pub final_digest: String,
    /// Entries the rooms hold beyond a hole, not written (the chain stops at the hole).
    pub beyond: Vec<u64>,
}

/// Rebuilds a lost journal from the rooms: a new device reads every room with
/// the keys of the backup, each crisis's chain is rebuilt from entry 1 as far
/// as its copies link up, and written with the exact payloads and hashes.
/// The data directory must hold no journal; the new device's session and
/// store stay in it, so that `tocsin run` goes on from there.
pub async fn recover(config: &Config, recovery_key: &str) -> anyhow::Result<Recovered> {
    use crate::journal::Journal;
    if Journal::exists(&config.data_dir) {
        anyhow::bail!(
            "{} already holds a journal: tocsin recover rebuilds a lost one (move this one away first, or verify it with tocsin verify --against-room)",
            config.data_dir.display()
        );
    }
    let client = connect(config, &super::matrix_dir(config), recovery_key).await?;
    let back = read_rooms(&client).await?;
    let room = crate::anchor::read(&back.events, Some(&config.user_id));
    let (mut journal, _) = Journal::open(&config.data_dir, |_| {})?;
    let mut recovered = Recovered {
        rooms: back.rooms.len(),
        undecryptable: back.undecryptable,
        conflicts: room.conflicts.clone(),
        ..Recovered::default()
    };
    let mut last_alive = None;
    for crisis in room.chains.keys() {
        let rebuilt = crate::anchor::rebuild(crisis, &room);
        let chain: Vec<(u64, String, crate::journal::Hash)> = rebuilt
            .entries
            .iter()
            .filter_map(|m| Some((m.seq, m.payload.clone(), crate::anchor::unhex(&m.hash)?)))
            .collect();
        let mut final_digest = String::new();
        if !chain.is_empty() {
            let head = journal
                .restore_chain(crisis, &chain)
                .with_context(|| format!("writing crisis {crisis}"))?;
            final_digest = tocsin_core::digest::hex(&head.hash);
            let last = journal.entries_from(crisis, head.seq)?;
            last_alive = last
                .iter()
                .map(|e| e.record.recorded_at)
                .chain(last_alive)
                .max();
        }
        recovered.chains.push(RecoveredChain {
            crisis: crisis.clone(),
            entries: chain.len() as u64,
            final_digest,
            beyond: rebuilt.beyond,
        });
    }
    journal.close()?;
    if let Some(at) = last_alive {
        crate::runtime::Runtime::note_alive(&config.data_dir, at)?;
    }
    Ok(recovered)
}

/// Reads every room as a new device whose store is in `dir`, then logs that
/// device out, so that checking leaves no device behind.
pub async fn read_as_visitor(
    config: &Config,
    dir: &Path,
    recovery_key: &str,
) -> anyhow::Result<ReadBack> {
    let client = connect(config, dir, recovery_key).await?;
    let back = read_rooms(&client).await;
    if let Err(err) = client.logout().await {
        tracing::warn!(error = %err, "the temporary device could not be logged out; remove it from the account's sessions");
    }
    back
}
