//! tocsin on a Synapse as shipped: no `rc_*` override, so the bot's account
//! may send 0.2 messages/s with a burst of 10 (`scripts/test` starts it with
//! `TOCSIN_SYNAPSE_LIMITS=shipped` and sets `TOCSIN_SYNAPSE_SHIPPED_URL`).
//! What the first minutes of a ransomware night look like: five members
//! typing 30 commands in a minute.

use std::time::{Duration, Instant};

use matrix_sdk::ruma::OwnedEventId;

use tocsin::engine::event::Event;
use tocsin::journal::Journal;

use super::{BotSetup, User, bot_setup, spawn_bot_process, terminate, unique, wait_joined};

/// The homeserver with shipped rate limits, if `scripts/test` started one.
pub(crate) fn shipped_homeserver(test: &str) -> Option<String> {
    match std::env::var("TOCSIN_SYNAPSE_SHIPPED_URL") {
        Ok(url) if !url.is_empty() => {
            eprintln!("synapse test {test}: running against {url} (shipped rate limits)");
            Some(url)
        }
        _ => {
            assert!(
                std::env::var_os("TOCSIN_REQUIRE_SYNAPSE").is_none(),
                "TOCSIN_REQUIRE_SYNAPSE is set but TOCSIN_SYNAPSE_SHIPPED_URL is not"
            );
            eprintln!("synapse test {test}: skipped (TOCSIN_SYNAPSE_SHIPPED_URL not set)");
            None
        }
    }
}

/// Sets `matrix.send_rate` in a bot's configuration.
pub(crate) fn set_send_rate(setup: &BotSetup, rate: &str) {
    let config = std::fs::read_to_string(&setup.config_path).unwrap();
    let config = config.replacen("\n\n[bot]", &format!("\nsend_rate = {rate}\n\n[bot]"), 1);
    std::fs::write(&setup.config_path, config).unwrap();
}

/// What a burst of commands measured.
#[derive(Debug)]
pub(crate) struct Burst {
    /// From each command's send to its first acknowledgement, in send order.
    pub(crate) latencies: Vec<Duration>,
    /// Events the bot sent from the first command until the last was acknowledged.
    pub(crate) bot_events: usize,
    /// Events the bot sent until it fell silent after the burst.
    pub(crate) bot_events_total: usize,
    /// The bot's log.
    pub(crate) log: String,
}

impl Burst {
    pub(crate) fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let idx = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[idx]
    }
}

/// Five members send `n` `!info`, spread evenly over `over`, in a crisis
/// room; returns once every one is acknowledged (a reply or a reaction to
/// it, or a notice naming its reference) and the journal holds each once.
pub(crate) async fn burst(url: &str, send_rate: Option<&str>, n: usize, over: Duration) -> Burst {
    let mut members = Vec::new();
    for name in ["alice", "bob", "carol", "dave", "erin"] {
        members.push(User::register(url, &unique(name), &format!("{name}-password")).await);
    }
    let setup = bot_setup(url, &[&members[0].id()]).await;
    if let Some(rate) = send_rate {
        set_send_rate(&setup, rate);
    }
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);
    let ids: Vec<_> = members[1..].iter().map(User::id).collect();
    let mut invite = vec![&*bot_id];
    invite.extend(ids.iter().map(|id| &**id));
    let room = members[0].create_encrypted_room(&invite).await;
    wait_joined(&room, &bot_id).await;
    let mut rooms = vec![room.clone()];
    for member in &members[1..] {
        rooms.push(member.client.join_room_by_id(room.room_id()).await.unwrap());
        wait_joined(&room, &member.id()).await;
    }
    let alice = &members[0];
    let open = alice.send(&room, "!ouvrir rancongiciel").await;
    alice.reply_to(&bot_id, &open).await;
    // What the opening set off has gone out.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let start = Instant::now();
    let mut sent: Vec<(OwnedEventId, Instant)> = Vec::with_capacity(n);
    for k in 0..n {
        let due = start + over.mul_f64(k as f64 / n as f64);
        tokio::time::sleep_until(due.into()).await;
        let who = k % members.len();
        let at = Instant::now();
        let event = members[who]
            .send(
                &rooms[who],
                &format!("!info point {} du membre {who}", k + 1),
            )
            .await;
        sent.push((event, at));
    }
    // Every command acknowledged, as alice sees the room.
    let acked = alice
        .wait_longer(
            "every command acknowledged",
            Duration::from_secs(240),
            |seen| {
                let mut out = Vec::with_capacity(n);
                for (k, (event, _)) in sent.iter().enumerate() {
                    let reference = format!("I{}", k + 1);
                    let first = seen
                        .iter()
                        .filter(|s| s.sender == bot_id)
                        .filter(|s| {
                            s.in_reply_to.as_ref() == Some(event)
                                || s.reaction.as_ref().is_some_and(|(t, _)| t == event)
                                || (s.notice && s.body.split_whitespace().any(|w| w == reference))
                        })
                        .map(|s| s.at)
                        .min()?;
                    out.push(first);
                }
                Some(out)
            },
        )
        .await;
    let latencies: Vec<Duration> = sent
        .iter()
        .zip(&acked)
        .map(|((_, at), acked)| acked.saturating_duration_since(*at))
        .collect();
    let last_ack = acked.iter().max().copied().unwrap_or(start);
    let count = |until: Instant| {
        alice
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|(sender, at)| *sender == bot_id && *at >= start && *at <= until)
            .count()
    };
    let bot_events = count(last_ack);
    // The deferred reactions, then silence.
    let mut total = count(Instant::now());
    loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let now = count(Instant::now());
        if now == total {
            break;
        }
        total = now;
    }
    terminate(&mut bot);

    // Each command journaled once, in the order it was sent.
    let mut infos = Vec::new();
    Journal::open(&setup.dir.path().join("data"), |e| {
        if let Event::Info { reference, .. } = &e.record.event {
            infos.push((reference.clone(), e.record.source.clone()));
        }
    })
    .unwrap();
    assert_eq!(infos.len(), n, "{infos:?}");
    for (k, ((reference, source), (event, _))) in infos.iter().zip(&sent).enumerate() {
        assert_eq!(reference, &format!("I{}", k + 1));
        assert_eq!(source.as_deref(), Some(event.as_str()));
    }
    let log = std::fs::read_to_string(setup.dir.path().join("bot.log")).unwrap_or_default();
    Burst {
        latencies,
        bot_events,
        bot_events_total: total,
        log,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_commands_in_a_minute_from_five_members_are_each_journaled_once_and_acknowledged() {
    let Some(url) = shipped_homeserver(
        "thirty_commands_in_a_minute_from_five_members_are_each_journaled_once_and_acknowledged",
    ) else {
        return;
    };
    let burst = burst(&url, None, 30, Duration::from_secs(60)).await;
    eprintln!(
        "shipped limits, 30 commands in 60 s from 5 members: receipts p50 {:?}, p99 {:?}, max {:?}; \
         bot events {} until the last receipt, {} in all",
        burst.percentile(0.5),
        burst.percentile(0.99),
        burst.percentile(1.0),
        burst.bot_events,
        burst.bot_events_total
    );
    assert!(
        burst.bot_events < 30,
        "fewer bot events than commands while the budget binds: {burst:?}"
    );
    assert!(
        burst.percentile(0.99) <= Duration::from_secs(20),
        "receipts kept up: {:?}",
        burst.latencies
    );
    // Said once, with the fix.
    assert_eq!(
        burst.log.matches("override_ratelimit").count(),
        1,
        "one WARN naming the fix:\n{}",
        burst.log
    );
}

/// The same burst under the Tchap preset (one call per second) on a
/// homeserver that does not limit the bot, for
/// BENCHMARKS.md: `cargo test -p tocsin-tests -- --ignored tchap_preset`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by hand for BENCHMARKS.md"]
async fn tchap_preset_burst_benchmark() {
    // The fast homeserver: the preset alone paces the bot.
    let Some(url) = super::homeserver("tchap_preset_burst_benchmark") else {
        return;
    };
    let burst = burst(&url, Some("\"tchap\""), 30, Duration::from_secs(60)).await;
    eprintln!(
        "tchap preset, 30 commands in 60 s from 5 members: receipts p50 {:?}, p99 {:?}, max {:?}; \
         bot events {} until the last receipt, {} in all",
        burst.percentile(0.5),
        burst.percentile(0.99),
        burst.percentile(1.0),
        burst.bot_events,
        burst.bot_events_total
    );
}
