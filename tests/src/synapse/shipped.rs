//! tocsin on a Synapse as shipped: no `rc_*` override, so the bot's account
//! may send 0.2 messages/s with a burst of 10 (`scripts/test` starts it with
//! `TOCSIN_SYNAPSE_LIMITS=shipped` and sets `TOCSIN_SYNAPSE_SHIPPED_URL`).
//! What the first minutes of a ransomware night look like: five members
//! typing 30 commands in a minute.

use std::time::{Duration, Instant};

use matrix_sdk::ruma::OwnedEventId;

use tocsin::journal::Journal;
use tocsin_core::engine::event::Event;

use super::anchor::{recovery_key, tocsin_with_key};
use super::{BotSetup, Seen, User, bot_setup, spawn_bot_process, terminate, unique, wait_joined};
use crate::support::text;

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
    /// Prints what the burst measured, for BENCHMARKS.md.
    pub(crate) fn report(&self, what: &str) {
        eprintln!(
            "{what}: receipts p50 {:?}, p99 {:?}, max {:?}; bot events {} until the last receipt, {} in all",
            self.percentile(0.5),
            self.percentile(0.99),
            self.percentile(1.0),
            self.bot_events,
            self.bot_events_total
        );
    }

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
    let key = recovery_key(&setup.dir.path().join("bot.out")).await;
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
    let (journal, summary) = Journal::open(&setup.dir.path().join("data"), |e| {
        if let Event::Info { reference, .. } = &e.record.event {
            infos.push((reference.clone(), e.record.source.clone()));
        }
    })
    .unwrap();
    let chain = summary
        .chains
        .keys()
        .next()
        .map(|c| (c.clone(), journal.entries(c).unwrap().len()));
    journal.close().unwrap();
    assert_eq!(infos.len(), n, "{infos:?}");
    for (k, ((reference, source), (event, _))) in infos.iter().zip(&sent).enumerate() {
        assert_eq!(reference, &format!("I{}", k + 1));
        assert_eq!(source.as_deref(), Some(event.as_str()));
    }
    // After the drain, the room holds a copy of every entry.
    let out = tocsin_with_key(
        &[
            "verify",
            "--data",
            setup.dir.path().join("data").to_str().unwrap(),
            "--against-room",
            "--config",
            setup.config_path.to_str().unwrap(),
        ],
        &key,
    );
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    let (crisis, n_entries) = chain.expect("the crisis's chain");
    assert!(
        said.contains(&format!(
            "ok: {crisis} — {n_entries} of {n_entries} entries identical in the room"
        )),
        "every entry mirrored: {said}"
    );
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
    burst.report("shipped limits, 30 commands in 60 s from 5 members");
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
/// homeserver that does not limit the bot, for BENCHMARKS.md:
/// `TOCSIN_BENCH_TCHAP=1 cargo test -p tocsin-tests tchap_preset`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tchap_preset_burst_benchmark() {
    if std::env::var_os("TOCSIN_BENCH_TCHAP").is_none() {
        eprintln!("tchap_preset_burst_benchmark: skipped (a benchmark; set TOCSIN_BENCH_TCHAP=1)");
        return;
    }
    // The fast homeserver: the preset alone paces the bot.
    let Some(url) = super::homeserver("tchap_preset_burst_benchmark") else {
        return;
    };
    let burst = burst(&url, Some("\"tchap\""), 30, Duration::from_secs(60)).await;
    burst.report("tchap preset, 30 commands in 60 s from 5 members");
}

/// A stimulus of the scenario as the players should read it.
struct Due {
    id: String,
    at: Duration,
    /// The start of its French text.
    text: String,
}

/// The timed stimuli of `scenario` due within `within` of its start.
fn timed_stimuli(scenario: &str, within: Duration) -> Vec<Due> {
    let loaded = tocsin::load::paths(&[crate::support::root().join("playbooks")]);
    let scenario = loaded
        .scenarios
        .iter()
        .find(|s| s.id == scenario)
        .expect("the scenario ships");
    scenario
        .injects
        .iter()
        .filter_map(|inject| {
            let at = inject.at?.to_std().ok()?;
            let text: String = inject
                .content
                .get(tocsin_core::lang::Lang::fr())
                .chars()
                .take(40)
                .collect();
            (at <= within).then(|| Due {
                id: inject.id.clone(),
                at,
                text,
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_minute_exercise_delivers_every_stimulus_on_time_once_and_in_order() {
    let Some(url) = shipped_homeserver(
        "a_ten_minute_exercise_delivers_every_stimulus_on_time_once_and_in_order",
    ) else {
        return;
    };
    let length = Duration::from_secs(600);
    let due = timed_stimuli("demo-20min", length);
    assert!(due.len() >= 4, "the first ten minutes hold stimuli");
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let bob = User::register(&url, &unique("bob"), "bob-password").await;
    let carol = User::register(&url, &unique("carol"), "carol-password").await;
    let anna = User::register(&url, &unique("anna"), "anna-password").await;
    let setup = bot_setup(&url, &[&alice.id(), &anna.id()]).await;
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);

    let players = alice.players_room(&bot_id, &[&bob, &carol]).await;
    let crisis = alice.open_exercise(&players, &bot_id).await;
    let anim = anna.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&anim, &bot_id).await;
    anna.link_exercise(
        &anim,
        &format!("!animer {crisis} demo-20min"),
        &alice,
        &players,
        &bot_id,
    )
    .await;
    let start = Instant::now();
    let debex = anna.send(&anim, "!debex").await;
    anna.reply_to(&bot_id, &debex).await;

    // The cell plays along: three actions falling due during the exercise,
    // and a piece of information every 20 s, while the chronogramme runs.
    let bob_room = bob.client.get_room(players.room_id()).unwrap();
    let carol_room = carol.client.get_room(players.room_id()).unwrap();
    for (k, minutes) in [1, 3, 5].into_iter().enumerate() {
        alice
            .send(
                &players,
                &format!("!action rappeler l'astreinte {} dans {minutes}m", k + 1),
            )
            .await;
    }
    let mut k = 0;
    while start.elapsed() < length {
        let (who, room) = if k % 2 == 0 {
            (&bob, &bob_room)
        } else {
            (&carol, &carol_room)
        };
        who.send(room, &format!("!info constat {k} pendant l'exercice"))
            .await;
        k += 1;
        tokio::time::sleep(Duration::from_secs(20)).await;
    }

    // Every stimulus due within the ten minutes, as bob reads the players' room.
    let last = due.last().unwrap();
    let arrived = bob
        .wait_longer(
            &format!("the stimulus {} due at {:?}", last.id, last.at),
            Duration::from_secs(120),
            |seen| {
                let mine: Vec<&Seen> = seen
                    .iter()
                    .filter(|s| s.sender == bot_id && s.room == players.room_id())
                    .collect();
                mine.iter()
                    .any(|s| s.body.contains(&last.text))
                    .then(|| mine.into_iter().cloned().collect::<Vec<Seen>>())
            },
        )
        .await;
    // The reminders of the three overdue actions.
    for n in 1..=3 {
        bob.bot_message(&bot_id, &format!("⏰ A{n} en retard"))
            .await;
    }
    terminate(&mut bot);

    let mut lateness = Vec::new();
    let mut order = Vec::new();
    for stimulus in &due {
        let copies: Vec<&Seen> = arrived
            .iter()
            .filter(|s| s.body.contains(&stimulus.text))
            .collect();
        assert_eq!(
            copies.len(),
            1,
            "{} delivered once: {:?}",
            stimulus.id,
            copies.iter().map(|s| &s.body).collect::<Vec<_>>()
        );
        assert!(
            copies[0].body.starts_with("[EXERCICE]"),
            "{}",
            copies[0].body
        );
        let late = copies[0].at.saturating_duration_since(start + stimulus.at);
        lateness.push((stimulus.id.clone(), late));
        order.push(
            arrived
                .iter()
                .position(|s| s.event_id == copies[0].event_id)
                .unwrap(),
        );
    }
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "stimuli in the chronogramme's order: {order:?}"
    );
    eprintln!(
        "shipped limits, a 10-minute exercise with {k} pieces of information: stimuli late by {lateness:?}"
    );
    for (id, late) in &lateness {
        assert!(
            *late <= Duration::from_secs(30),
            "{id} arrived {late:?} after its time"
        );
    }
}
