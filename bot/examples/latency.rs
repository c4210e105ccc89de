//! Command-to-acknowledgement latency of tocsin through a real homeserver,
//! against the floor for any bot: a minimal echo client that answers each
//! message at once and does nothing else. Both run in encrypted rooms on the
//! same homeserver, measured alternately in the same run.
//!
//! Usage (scripts/latency does all of it):
//!   cargo run --release --example latency -- HOMESERVER_URL PATH/TO/tocsin N
//!
//! Prints p50/p90/p99/max for both, and the bot's resident memory.
#![recursion_limit = "256"]

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
    AddMentions, ForwardThread, MessageType, OriginalSyncRoomMessageEvent, Relation,
    RoomMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedUserId};
use matrix_sdk::{Client, Room, RoomMemberships};

type Arrivals = Arc<Mutex<HashMap<OwnedEventId, Instant>>>;

async fn register(url: &str, name: &str) -> anyhow::Result<Client> {
    let client = Client::builder().homeserver_url(url).build().await?;
    let mut request = RegistrationRequest::new();
    request.username = Some(name.to_owned());
    request.password = Some(format!("{name}-password"));
    request.auth = Some(uiaa::AuthData::Dummy(uiaa::Dummy::new()));
    client.matrix_auth().register(request).await?;
    Ok(client)
}

fn spawn_sync(client: &Client) {
    let c = client.clone();
    tokio::spawn(async move {
        let _ = c
            .sync(SyncSettings::default().timeout(Duration::from_secs(10)))
            .await;
    });
}

async fn encrypted_room(client: &Client, invite: OwnedUserId) -> anyhow::Result<Room> {
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

async fn wait_joined(room: &Room, user: &OwnedUserId) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if room
            .members(RoomMemberships::JOIN)
            .await?
            .iter()
            .any(|m| m.user_id() == user)
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{user} did not join")
}

/// Sends one message and waits for the reply to it; returns the round trip.
async fn round_trip(room: &Room, text: &str, arrivals: &Arrivals) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let id = room
        .send(RoomMessageEventContent::text_plain(text))
        .await?
        .response
        .event_id;
    let deadline = start + Duration::from_secs(30);
    loop {
        if let Some(at) = arrivals.lock().unwrap().remove(&id) {
            return Ok(at - start);
        }
        if Instant::now() > deadline {
            bail!("no reply to {text}");
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

fn percentiles(name: &str, mut samples: Vec<Duration>) -> Duration {
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

fn rss_kib(pid: u32) -> (u64, u64) {
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

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "a measuring script read top to bottom: set-up, measure, report"
)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, bot_bin, n] = &args[..] else {
        bail!("usage: latency HOMESERVER_URL PATH/TO/tocsin N");
    };
    let n: usize = n.parse().context("N")?;
    let suffix = std::process::id();

    // The bot, as deployed: its own process, logging in with a password.
    let bot_name = format!("latbot{suffix}");
    register(url, &bot_name).await?;
    let dir = tempfile::tempdir()?;
    let alice = register(url, &format!("latalice{suffix}")).await?;
    let alice_id = alice.user_id().unwrap().to_owned();
    let config = format!(
        "[matrix]\nhomeserver = \"{url}\"\nuser_id = \"@{bot_name}:localhost\"\npassword = \"{bot_name}-password\"\n\n[bot]\ndata_dir = \"data\"\nplaybooks_dir = \"{}\"\nallowed_inviters = [\"{alice_id}\"]\n",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../playbooks")
            .display()
    );
    std::fs::write(dir.path().join("tocsin.toml"), config)?;
    let mut bot = std::process::Command::new(bot_bin)
        .args([
            "run",
            "--config",
            dir.path().join("tocsin.toml").to_str().unwrap(),
        ])
        .env("RUST_LOG", "warn")
        .spawn()
        .context("starting the bot")?;

    // The echo floor: a plain client answering each message with a notice reply.
    let echo = register(url, &format!("latecho{suffix}")).await?;
    let echo_id = echo.user_id().unwrap().to_owned();
    echo.sync_once(SyncSettings::default()).await?;
    let echo_self = echo_id.clone();
    echo.add_event_handler(
        move |ev: matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent, room: Room| {
            let me = echo_self.clone();
            async move {
                if ev.state_key == me {
                    let _ = room.join().await;
                }
            }
        },
    );
    let echo_self = echo_id.clone();
    echo.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
        let me = echo_self.clone();
        async move {
            if ev.sender == me || !matches!(ev.content.msgtype, MessageType::Text(_)) {
                return;
            }
            let reply = RoomMessageEventContent::notice_plain("pong").make_reply_to(
                &ev,
                ForwardThread::Yes,
                AddMentions::No,
            );
            let _ = room.send(reply).await;
        }
    });
    spawn_sync(&echo);

    // Alice measures both.
    let arrivals: Arrivals = Arc::default();
    alice.sync_once(SyncSettings::default()).await?;
    let sink = arrivals.clone();
    alice.add_event_handler(move |ev: OriginalSyncRoomMessageEvent| {
        let sink = sink.clone();
        async move {
            let now = Instant::now();
            if let (MessageType::Notice(_), Some(Relation::Reply(reply))) =
                (&ev.content.msgtype, &ev.content.relates_to)
            {
                sink.lock()
                    .unwrap()
                    .insert(reply.in_reply_to.event_id.clone(), now);
            }
        }
    });
    spawn_sync(&alice);
    let bot_id: OwnedUserId = format!("@{bot_name}:localhost").try_into()?;
    let bot_room = encrypted_room(&alice, bot_id.clone()).await?;
    let echo_room = encrypted_room(&alice, echo_id.clone()).await?;
    wait_joined(&bot_room, &bot_id).await?;
    wait_joined(&echo_room, &echo_id).await?;
    round_trip(&bot_room, "!ouvrir rancongiciel", &arrivals).await?;
    // Warm-up: key sharing and first-message costs are not what we measure.
    for i in 0..5 {
        round_trip(&bot_room, &format!("!info échauffement {i}"), &arrivals).await?;
        round_trip(&echo_room, &format!("ping échauffement {i}"), &arrivals).await?;
    }
    let (mut bot_samples, mut echo_samples) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        bot_samples.push(
            round_trip(
                &bot_room,
                &format!("!info mesure de latence {i}"),
                &arrivals,
            )
            .await?,
        );
        echo_samples.push(round_trip(&echo_room, &format!("ping {i}"), &arrivals).await?);
    }
    let (rss, hwm) = rss_kib(bot.id());
    let bot_p50 = percentiles("tocsin", bot_samples);
    let echo_p50 = percentiles("echo", echo_samples);
    println!(
        "ratio p50 tocsin/echo = {:.2}",
        bot_p50.as_secs_f64() / echo_p50.as_secs_f64()
    );
    println!(
        "tocsin resident memory: {} MiB now, {} MiB peak (VmRSS/VmHWM)",
        rss / 1024,
        hwm / 1024
    );
    let _ = bot.kill();
    let _ = bot.wait();
    Ok(())
}
