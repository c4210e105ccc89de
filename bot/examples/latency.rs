//! Command-to-acknowledgement latency of tocsin through a real homeserver,
//! against the floor for any bot: a minimal echo client that answers each
//! message at once and does nothing else. Both run in encrypted rooms on the
//! same homeserver, measured alternately in the same run; every client syncs
//! with a `sync_once` loop, as the bot does.
//!
//! Usage (scripts/latency does all of it):
//!   cargo run --release --example latency -- HOMESERVER_URL PATH/TO/tocsin N
//!
//! Prints p50/p90/p99/max for both, and the bot's resident memory.
#![recursion_limit = "256"]

mod common;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use matrix_sdk::Room;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::OwnedUserId;
use matrix_sdk::ruma::events::room::message::{
    AddMentions, ForwardThread, MessageType, OriginalSyncRoomMessageEvent, RoomMessageEventContent,
};

use common::{Arrivals, percentiles, register, reply_after, rss_kib, spawn_sync, wait_joined};

/// Sends one message and waits for the reply to it; returns the round trip.
async fn round_trip(room: &Room, text: &str, arrivals: &Arrivals) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let id = room
        .send(RoomMessageEventContent::text_plain(text))
        .await?
        .response
        .event_id;
    reply_after(&id, start, arrivals, Duration::from_secs(30))
        .await
        .with_context(|| format!("waiting for the reply to {text}"))
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
    let mut bot = common::start_bot(
        std::path::Path::new(bot_bin),
        dir.path(),
        url,
        &bot_name,
        &alice_id,
    )?;

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
    let arrivals = Arrivals::default();
    alice.sync_once(SyncSettings::default()).await?;
    common::record_replies(&alice, &arrivals);
    spawn_sync(&alice);
    let bot_id: OwnedUserId = format!("@{bot_name}:localhost").try_into()?;
    let bot_room = common::encrypted_room(&alice, bot_id.clone()).await?;
    let echo_room = common::encrypted_room(&alice, echo_id.clone()).await?;
    wait_joined(&bot_room, &bot_id).await?;
    wait_joined(&echo_room, &echo_id).await?;
    round_trip(&bot_room, "!ouvrir rancongiciel", &arrivals).await?;
    // Warm-up: key sharing and first-message costs are not what we measure.
    for i in 0..5 {
        round_trip(&bot_room, &format!("!info échauffement {i}"), &arrivals).await?;
        round_trip(&echo_room, &format!("ping échauffement {i}"), &arrivals).await?;
    }
    let cpu_before = common::cpu_time(bot.id());
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
    let bot_cpu = common::cpu_time(bot.id()) - cpu_before;
    let (rss, hwm) = rss_kib(bot.id());
    let bot_p50 = percentiles("tocsin", bot_samples);
    let echo_p50 = percentiles("echo", echo_samples);
    println!(
        "ratio p50 tocsin/echo = {:.2}",
        bot_p50.as_secs_f64() / echo_p50.as_secs_f64()
    );
    println!(
        "tocsin CPU: {:.1} ms per command",
        bot_cpu.as_secs_f64() * 1e3 / n as f64
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
