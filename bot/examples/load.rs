//! tocsin under load through a real homeserver: R encrypted rooms, each with
//! an open crisis, and commands offered at a fixed rate across them, with an
//! optional fixed latency on the bot's link to the homeserver (a delaying TCP
//! proxy in this tool).
//!
//! Usage (scripts/load does all of it, Synapse included):
//!   load --homeserver URL --bot PATH/TO/tocsin [--rooms 50] [--rate 5]
//!        [--seconds 60] [--delay-ms 0 --proxy-port P] [--synapse-pid PID]
//!        [--synapse-log PATH]
//!
//! The bot logs errors only; set `TOCSIN_BOT_LOG` (a `RUST_LOG` filter) for more.
//!
//! With a delay, the bot talks to the proxy; the homeserver's public_baseurl
//! must name the proxy too, because matrix-sdk follows the well_known of the
//! login response.
//!
//! Prints: the first acknowledgement in each newly joined room, the achieved
//! throughput, p50/p99 acknowledgement latency, the bot's peak resident memory
//! and CPU, the homeserver's CPU per command and the bot's /keys/query requests
//! per command (from the homeserver's log).
#![recursion_limit = "256"]

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::future::join_all;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::{OwnedEventId, OwnedUserId};
use matrix_sdk::{Client, Room};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use common::{Arrivals, cpu_time, percentiles, register, rss_kib, spawn_sync, wait_joined};

/// Rooms opened one at a time, each a trial of the first acknowledgement.
const FIRST_ACK_TRIALS: usize = 20;

#[derive(Debug)]
struct Args {
    homeserver: String,
    bot: String,
    rooms: usize,
    rate: f64,
    seconds: u64,
    delay: Duration,
    proxy_port: u16,
    synapse_pid: Option<u32>,
    synapse_log: Option<String>,
}

fn args() -> anyhow::Result<Args> {
    let mut map: HashMap<String, String> = HashMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(key) = it.next() {
        let Some(name) = key.strip_prefix("--") else {
            bail!("unexpected argument {key}");
        };
        let value = it
            .next()
            .with_context(|| format!("--{name} needs a value"))?;
        map.insert(name.to_owned(), value);
    }
    let get = |name: &str| map.get(name).cloned();
    let num = |name: &str, default: &str| -> anyhow::Result<String> {
        Ok(get(name).unwrap_or_else(|| default.to_owned()))
    };
    Ok(Args {
        homeserver: get("homeserver").context("--homeserver URL")?,
        bot: get("bot").context("--bot PATH/TO/tocsin")?,
        rooms: num("rooms", "50")?.parse().context("--rooms")?,
        rate: num("rate", "5")?.parse().context("--rate")?,
        seconds: num("seconds", "60")?.parse().context("--seconds")?,
        delay: Duration::from_millis(num("delay-ms", "0")?.parse().context("--delay-ms")?),
        proxy_port: num("proxy-port", "28669")?
            .parse()
            .context("--proxy-port")?,
        synapse_pid: get("synapse-pid").map(|p| p.parse()).transpose()?,
        synapse_log: get("synapse-log"),
    })
}

/// Forwards TCP connections to `upstream`, delaying every chunk by `delay`
/// in each direction (latency, not a bandwidth limit).
async fn delaying_proxy(listener: TcpListener, upstream: SocketAddr, delay: Duration) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let Ok(outbound) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = inbound.set_nodelay(true);
            let _ = outbound.set_nodelay(true);
            let (ri, wi) = inbound.into_split();
            let (ro, wo) = outbound.into_split();
            tokio::join!(pipe(ri, wo, delay), pipe(ro, wi, delay));
        });
    }
}

async fn pipe(
    mut from: impl AsyncReadExt + Unpin,
    mut to: impl AsyncWriteExt + Unpin,
    delay: Duration,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let reader = async move {
        loop {
            let mut buf = vec![0u8; 64 * 1024];
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.send((tokio::time::Instant::now() + delay, buf)).is_err() {
                        break;
                    }
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, buf)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&buf).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

/// Creates a room with the bot, waits for it to join, opens a crisis and
/// returns the room with the time its first acknowledgement took.
async fn crisis_room(
    driver: &Client,
    bot: &OwnedUserId,
    arrivals: &Arrivals,
) -> anyhow::Result<(Room, Duration)> {
    let room = common::encrypted_room(driver, bot.clone()).await?;
    wait_joined(&room, bot).await?;
    let start = Instant::now();
    let open = room
        .send(RoomMessageEventContent::text_plain("!ouvrir rancongiciel"))
        .await?
        .response
        .event_id;
    let first = common::reply_after(&open, start, arrivals, Duration::from_secs(60)).await?;
    Ok((room, first))
}

/// Bytes of the homeserver's log so far, and the bot's /keys/query lines in it.
fn keys_queries(log: &Option<String>, bot: &OwnedUserId, from: u64) -> (u64, usize) {
    let Some(path) = log else {
        return (0, 0);
    };
    let Ok(text) = std::fs::read(path) else {
        return (0, 0);
    };
    let start = (from as usize).min(text.len());
    let n = String::from_utf8_lossy(&text[start..])
        .lines()
        .filter(|l| l.contains(bot.as_str()) && l.contains("/keys/query"))
        .count();
    (text.len() as u64, n)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
#[allow(
    clippy::too_many_lines,
    reason = "a measuring script read top to bottom: set-up, load, report"
)]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let suffix = std::process::id();
    let bot_name = format!("loadbot{suffix}");
    register(&args.homeserver, &bot_name).await?;
    let driver = register(&args.homeserver, &format!("loaddriver{suffix}")).await?;
    let driver_id = driver.user_id().unwrap().to_owned();

    // The bot's link: straight, or through the delaying proxy.
    let bot_homeserver = if args.delay.is_zero() {
        args.homeserver.clone()
    } else {
        let upstream: SocketAddr = args
            .homeserver
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .context("the homeserver URL must be http://IP:PORT for the proxy")?;
        let listener = TcpListener::bind(("127.0.0.1", args.proxy_port)).await?;
        tokio::spawn(delaying_proxy(listener, upstream, args.delay));
        format!("http://127.0.0.1:{}", args.proxy_port)
    };
    let dir = tempfile::tempdir()?;
    let mut bot = common::start_bot(
        std::path::Path::new(&args.bot),
        dir.path(),
        &bot_homeserver,
        &bot_name,
        &driver_id,
    )?;
    let bot_id: OwnedUserId = format!("@{bot_name}:localhost").try_into()?;

    let arrivals = Arrivals::default();
    driver.sync_once(SyncSettings::default()).await?;
    common::record_replies(&driver, &arrivals);
    spawn_sync(&driver);

    // The rooms, each with a crisis; the first acknowledgement in each.
    println!(
        "{} rooms, {} commands/s for {} s, {} ms each way on the bot's link",
        args.rooms,
        args.rate,
        args.seconds,
        args.delay.as_millis()
    );
    // The first rooms one at a time: each is a trial of the first
    // acknowledgement in a newly joined room, with nothing else going on.
    let mut rooms = Vec::with_capacity(args.rooms);
    let mut firsts = Vec::with_capacity(FIRST_ACK_TRIALS);
    for _ in 0..args.rooms.min(FIRST_ACK_TRIALS) {
        let (room, first) = crisis_room(&driver, &bot_id, &arrivals).await?;
        rooms.push(room);
        firsts.push(first);
    }
    let under_a_second = firsts.iter().filter(|d| d.as_secs_f64() < 1.0).count();
    println!(
        "first acknowledgement in a newly joined room: {under_a_second} of {} under 1 s",
        firsts.len()
    );
    percentiles("first", firsts);
    // The rest ten at a time.
    let rest: Vec<usize> = (rooms.len()..args.rooms).collect();
    for batch in rest.chunks(10) {
        let made = join_all(
            batch
                .iter()
                .map(|_| crisis_room(&driver, &bot_id, &arrivals)),
        )
        .await;
        for res in made {
            rooms.push(res?.0);
        }
    }

    // The measure: commands at a fixed rate, round-robin across the rooms.
    let sent: Arc<Mutex<Vec<(OwnedEventId, Instant)>>> = Arc::default();
    let bot_cpu = cpu_time(bot.id());
    let hs_cpu = args.synapse_pid.map(cpu_time);
    let (log_mark, _) = keys_queries(&args.synapse_log, &bot_id, u64::MAX);
    let n = (args.rate * args.seconds as f64).round() as usize;
    let period = Duration::from_secs_f64(1.0 / args.rate);
    let began = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        tokio::time::sleep_until(began + period * i as u32).await;
        let room = rooms[i % rooms.len()].clone();
        let sent = sent.clone();
        tasks.push(tokio::spawn(async move {
            let start = Instant::now();
            let content = RoomMessageEventContent::text_plain(format!("!info charge {i}"));
            if let Ok(res) = room.send(content).await {
                sent.lock().unwrap().push((res.response.event_id, start));
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let offered_for = began.elapsed();
    // Stragglers get 30 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    let sent = sent.lock().unwrap().clone();
    loop {
        let done = {
            let arrivals = arrivals.lock().unwrap();
            sent.iter()
                .filter(|(e, _)| arrivals.contains_key(e))
                .count()
        };
        if done == sent.len() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = began.elapsed();
    let bot_cpu = cpu_time(bot.id()) - bot_cpu;
    let hs_cpu = args
        .synapse_pid
        .zip(hs_cpu)
        .map(|(pid, before)| cpu_time(pid) - before);
    let (_, queries) = keys_queries(&args.synapse_log, &bot_id, log_mark);
    let arrivals = arrivals.lock().unwrap().clone();
    let latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|(e, start)| arrivals.get(e).map(|at| *at - *start))
        .collect();
    let last = sent
        .iter()
        .filter_map(|(e, _)| arrivals.get(e))
        .max()
        .copied();
    let acked = latencies.len();
    println!(
        "sent {} of {n} in {:.1} s ({:.2}/s offered); acknowledged {acked} ({} missing)",
        sent.len(),
        offered_for.as_secs_f64(),
        n as f64 / offered_for.as_secs_f64(),
        sent.len() - acked
    );
    if let Some(last) = last {
        let window = last.duration_since(began.into_std()).as_secs_f64();
        println!(
            "achieved throughput: {:.2} acknowledgements/s",
            acked as f64 / window
        );
    }
    percentiles("ack", latencies);
    let (_, hwm) = rss_kib(bot.id());
    println!(
        "tocsin: peak resident memory {} MiB; CPU {:.1} s over {:.1} s ({:.0} %), {:.1} ms per command",
        hwm / 1024,
        bot_cpu.as_secs_f64(),
        elapsed.as_secs_f64(),
        100.0 * bot_cpu.as_secs_f64() / elapsed.as_secs_f64(),
        bot_cpu.as_secs_f64() * 1e3 / acked.max(1) as f64
    );
    if let Some(hs_cpu) = hs_cpu {
        println!(
            "homeserver: CPU {:.1} s ({:.0} % of a core), {:.0} ms per command",
            hs_cpu.as_secs_f64(),
            100.0 * hs_cpu.as_secs_f64() / elapsed.as_secs_f64(),
            hs_cpu.as_secs_f64() * 1e3 / acked.max(1) as f64
        );
    }
    if args.synapse_log.is_some() {
        println!(
            "tocsin /keys/query during the measure: {queries} ({:.2} per command)",
            queries as f64 / acked.max(1) as f64
        );
    }
    let _ = bot.kill();
    let _ = bot.wait();
    Ok(())
}
