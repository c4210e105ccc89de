//! What the measuring examples share: test accounts on a loopback homeserver,
//! encrypted rooms, a client that syncs like a bot does, acknowledgement
//! arrival times, percentiles, and a process's memory and CPU.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::account::register::v3::Request as RegistrationRequest;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoom, RoomPreset};
use matrix_sdk::ruma::api::client::uiaa;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, Relation,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedUserId};
use matrix_sdk::{Client, Room, RoomMemberships};

/// When the first notice replying to each event arrived.
pub type Arrivals = Arc<Mutex<HashMap<OwnedEventId, Instant>>>;

pub async fn register(url: &str, name: &str) -> anyhow::Result<Client> {
    let client = Client::builder().homeserver_url(url).build().await?;
    let mut request = RegistrationRequest::new();
    request.username = Some(name.to_owned());
    request.password = Some(format!("{name}-password"));
    request.auth = Some(uiaa::AuthData::Dummy(uiaa::Dummy::new()));
    client.matrix_auth().register(request).await?;
    Ok(client)
}

/// Syncs in a loop of `sync_once` calls carrying the token, as a bot does.
///
/// Not `Client::sync()`: in matrix-sdk 0.18 its loop sleeps one second after
/// any response that follows the previous one within a second
/// (`Client::delay_sync`), which is what an earlier version of these
/// measures timed (about 1.1 s per round trip, bot and echo alike).
pub fn spawn_sync(client: &Client) -> tokio::task::JoinHandle<()> {
    let client = client.clone();
    tokio::spawn(async move {
        let mut token: Option<String> = None;
        loop {
            let mut settings = SyncSettings::default().timeout(Duration::from_secs(10));
            if let Some(token) = &token {
                settings = settings.token(token.clone());
            }
            match client.sync_once(settings).await {
                Ok(response) => token = Some(response.next_batch),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    })
}

/// Records, in `arrivals`, when a notice replying to an event arrives.
pub fn record_replies(client: &Client, arrivals: &Arrivals) {
    let sink = arrivals.clone();
    client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent| {
        let sink = sink.clone();
        async move {
            let now = Instant::now();
            if let (MessageType::Notice(_), Some(Relation::Reply(reply))) =
                (&ev.content.msgtype, &ev.content.relates_to)
            {
                sink.lock()
                    .unwrap()
                    .entry(reply.in_reply_to.event_id.clone())
                    .or_insert(now);
            }
        }
    });
}

pub async fn encrypted_room(client: &Client, invite: OwnedUserId) -> anyhow::Result<Room> {
    let mut request = CreateRoom::new();
    request.preset = Some(RoomPreset::PrivateChat);
    request.invite = vec![invite];
    request.initial_state = vec![
        InitialStateEvent::with_empty_state_key(
            RoomEncryptionEventContent::with_recommended_defaults(),
        )
        .to_raw_any(),
    ];
    Ok(client.create_room(request).await?)
}

pub async fn wait_joined(room: &Room, user: &OwnedUserId) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if room
            .members(RoomMemberships::JOIN)
            .await?
            .iter()
            .any(|m| m.user_id() == user)
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{user} did not join")
}

/// Waits for the reply to `event`, sent at `start`; returns the round trip.
pub async fn reply_after(
    event: &OwnedEventId,
    start: Instant,
    arrivals: &Arrivals,
    within: Duration,
) -> anyhow::Result<Duration> {
    let deadline = start + within;
    loop {
        if let Some(at) = arrivals.lock().unwrap().remove(event) {
            return Ok(at - start);
        }
        if Instant::now() > deadline {
            bail!("no reply to {event}");
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
}

/// Prints p50/p90/p99/max; returns the p50.
pub fn percentiles(name: &str, mut samples: Vec<Duration>) -> Duration {
    if samples.is_empty() {
        println!("{name:<6} n=0");
        return Duration::ZERO;
    }
    samples.sort();
    let at =
        |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "{name:<6} n={} p50={:.1} ms p90={:.1} ms p99={:.1} ms max={:.1} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.90).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
    at(0.50)
}

/// A process's resident memory now and at its peak, in KiB (VmRSS, VmHWM).
pub fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU time a process has used so far (user + system).
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces: fields count from after its ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of /proc/PID/stat, 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 1000 / USER_HZ)
}

/// Clock ticks per second in /proc (100 on every Linux this runs on).
const USER_HZ: u64 = 100;

/// Writes a bot configuration for a fresh account in `dir` and starts the bot
/// (`tocsin run`), logging errors only unless `TOCSIN_BOT_LOG` says otherwise.
pub fn start_bot(
    bin: &std::path::Path,
    dir: &std::path::Path,
    homeserver: &str,
    bot: &str,
    inviter: &OwnedUserId,
) -> anyhow::Result<std::process::Child> {
    let config = format!(
        "[matrix]\nhomeserver = \"{homeserver}\"\nuser_id = \"@{bot}:localhost\"\npassword = \"{bot}-password\"\n\n[bot]\ndata_dir = \"data\"\nplaybooks_dir = \"{}\"\nallowed_inviters = [\"{inviter}\"]\n",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../playbooks")
            .display()
    );
    let path = dir.join("tocsin.toml");
    std::fs::write(&path, config).context("writing the bot configuration")?;
    std::process::Command::new(bin)
        .arg("run")
        .arg("--config")
        .arg(&path)
        .env(
            "RUST_LOG",
            std::env::var("TOCSIN_BOT_LOG").unwrap_or_else(|_| "error".to_owned()),
        )
        .spawn()
        .context("starting the bot")
}
