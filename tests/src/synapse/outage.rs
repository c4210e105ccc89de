//! Nothing said is lost: commands sent while tocsin is killed, down for long,
//! or unable to write its journal are recorded once each, in order, with
//! their server times, and acknowledged once each.
//!
//! The kill schedule is drawn from a seed printed by the test; set
//! `TOCSIN_CHAOS_SEED` to replay one.

use std::collections::HashMap;
use std::time::Duration;

use matrix_sdk::Room;
use matrix_sdk::deserialized_responses::TimelineEvent;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::events::room::message::{MessageType, Relation};
use matrix_sdk::ruma::events::{
    AnySyncMessageLikeEvent, AnySyncTimelineEvent, SyncMessageLikeEvent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedUserId, UInt, UserId};

use crate::disk::Ext4;
use tocsin::journal::Journal;
use tocsin_core::engine::event::Event;

use super::{
    BotSetup, TIMEOUT, User, bot_setup, homeserver, spawn_bot_process, terminate, unique,
    wait_joined,
};

/// One event of a room's history, as a participant reads it.
#[derive(Clone, Debug)]
struct Past {
    id: OwnedEventId,
    sender: OwnedUserId,
    /// Server time, in milliseconds.
    ts: i64,
    notice: bool,
    body: String,
    in_reply_to: Option<OwnedEventId>,
    reaction: Option<(OwnedEventId, String)>,
}

/// The room's whole history, oldest first, read with `/messages` (not from
/// sync, whose timeline may be cut short when many events arrive at once).
async fn history(room: &Room) -> Vec<Past> {
    let mut out = Vec::new();
    let mut from: Option<String> = None;
    loop {
        let mut options = MessagesOptions::forward().from(from.as_deref());
        options.limit = UInt::from(500u32);
        let page = room.messages(options).await.expect("reading the history");
        out.extend(page.chunk.iter().filter_map(past));
        match page.end {
            Some(end) if !page.chunk.is_empty() => from = Some(end),
            _ => return out,
        }
    }
}

fn past(ev: &TimelineEvent) -> Option<Past> {
    let AnySyncTimelineEvent::MessageLike(event) = ev.raw().deserialize().ok()? else {
        return None;
    };
    let mut past = Past {
        id: event.event_id().to_owned(),
        sender: event.sender().to_owned(),
        ts: i64::from(event.origin_server_ts().0),
        notice: false,
        body: String::new(),
        in_reply_to: None,
        reaction: None,
    };
    match &event {
        AnySyncMessageLikeEvent::RoomMessage(SyncMessageLikeEvent::Original(msg)) => {
            past.notice = matches!(msg.content.msgtype, MessageType::Notice(_));
            past.body = msg.content.msgtype.body().to_owned();
            past.in_reply_to = match &msg.content.relates_to {
                Some(Relation::Reply(r)) => Some(r.in_reply_to.event_id.clone()),
                Some(Relation::Thread(t)) => t.in_reply_to.as_ref().map(|r| r.event_id.clone()),
                _ => None,
            };
        }
        AnySyncMessageLikeEvent::Reaction(SyncMessageLikeEvent::Original(reaction)) => {
            past.reaction = Some((
                reaction.content.relates_to.event_id.clone(),
                reaction.content.relates_to.key.clone(),
            ));
        }
        _ => {}
    }
    Some(past)
}

/// How the bot answered each command: its notices in reply, and its ✅.
#[derive(Debug, Default)]
struct Answers {
    notices: HashMap<OwnedEventId, Vec<String>>,
    checks: HashMap<OwnedEventId, usize>,
}

fn answers(history: &[Past], bot: &UserId) -> Answers {
    let mut answers = Answers::default();
    for past in history.iter().filter(|p| p.sender == bot) {
        if let (true, Some(target)) = (past.notice, &past.in_reply_to) {
            answers
                .notices
                .entry(target.clone())
                .or_default()
                .push(past.body.clone());
        }
        if let Some((target, key)) = &past.reaction
            && key == "✅"
        {
            *answers.checks.entry(target.clone()).or_default() += 1;
        }
    }
    answers
}

/// Polls the room's history until every command has a notice and a ✅.
async fn wait_answered(
    room: &Room,
    bot: &UserId,
    sent: &[OwnedEventId],
    within: Duration,
) -> Vec<Past> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let history = history(room).await;
        let answers = answers(&history, bot);
        let missing: Vec<&OwnedEventId> = sent
            .iter()
            .filter(|e| !answers.notices.contains_key(*e) || !answers.checks.contains_key(*e))
            .collect();
        if missing.is_empty() {
            return history;
        }
        if tokio::time::Instant::now() > deadline {
            let detail: Vec<String> = missing
                .iter()
                .take(5)
                .map(|e| {
                    format!(
                        "{e}: notices {:?}, ✅ {:?}",
                        answers.notices.get(*e),
                        answers.checks.get(*e)
                    )
                })
                .collect();
            panic!(
                "{} of {} commands still unanswered:\n{}",
                missing.len(),
                sent.len(),
                detail.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
}

/// An information entry: seq, author, text, occurred_at in ms.
type InfoEntry = (u64, String, String, i64);

/// The information entries in the bot's journal (the bot must be stopped),
/// by source event; and every entry kind.
fn journal_infos(setup: &BotSetup) -> (HashMap<String, InfoEntry>, Vec<&'static str>) {
    let mut infos = HashMap::new();
    let mut kinds = Vec::new();
    Journal::open(&setup.dir.path().join("data"), |e| {
        kinds.push(e.record.event.kind());
        if let (Event::Info { text, .. }, Some(source)) = (&e.record.event, &e.record.source) {
            let previous = infos.insert(
                source.clone(),
                (
                    e.record.seq,
                    e.record.author.id.clone(),
                    text.clone(),
                    e.record.occurred_at.timestamp_millis(),
                ),
            );
            assert!(previous.is_none(), "{source} recorded twice");
        }
    })
    .expect("the journal verifies");
    (infos, kinds)
}

/// A small deterministic generator (xorshift64*), so a failing schedule can be replayed.
struct Draw(u64);

impl Draw {
    fn seeded() -> Draw {
        let seed = std::env::var("TOCSIN_CHAOS_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("kill schedule seed: TOCSIN_CHAOS_SEED={seed}");
        Draw(seed | 1)
    }

    /// Milliseconds in `[lo, hi)`.
    fn ms(&mut self, lo: u64, hi: u64) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let n = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        Duration::from_millis(lo + n % (hi - lo))
    }
}

/// Opens a crisis in a fresh encrypted room where the bot and `others` are members.
pub(super) async fn crisis_room(lead: &User, others: &[&User], bot: &UserId) -> Room {
    let mut invite: Vec<OwnedUserId> = others.iter().map(|u| u.id()).collect();
    invite.push(bot.to_owned());
    let invite: Vec<&UserId> = invite.iter().map(|u| u.as_ref()).collect();
    let room = lead.create_encrypted_room(&invite).await;
    wait_joined(&room, bot).await;
    for other in others {
        other.client.join_room_by_id(room.room_id()).await.unwrap();
        wait_joined(&room, &other.id()).await;
    }
    let open = lead.send(&room, "!ouvrir rancongiciel").await;
    lead.reply_to(bot, &open).await;
    room
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_commands_from_three_members_through_ten_kills() {
    let Some(url) = homeserver("three_hundred_commands_from_three_members_through_ten_kills")
    else {
        return;
    };
    const PER_MEMBER: usize = 100;
    let mut draw = Draw::seeded();
    let mut members = Vec::new();
    for name in ["alice", "bob", "carol"] {
        members.push(User::register(&url, &unique(name), "member-password").await);
    }
    let setup = bot_setup(&url, &[&members[0].id()]).await;
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);
    let room = crisis_room(&members[0], &[&members[1], &members[2]], &bot_id).await;

    // Each member sends at their own pace, across the whole kill schedule.
    let mut senders = Vec::new();
    for (idx, member) in members.iter().enumerate() {
        let room = member.client.get_room(room.room_id()).unwrap();
        let mut draw = Draw(draw.0.rotate_left(17 * (idx as u32 + 1)) | 1);
        senders.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for n in 1..=PER_MEMBER {
                let content =
                    matrix_sdk::ruma::events::room::message::RoomMessageEventContent::text_plain(
                        format!("!info membre {idx} message {n}"),
                    );
                sent.push(room.send(content).await.unwrap().response.event_id);
                tokio::time::sleep(draw.ms(150, 650)).await;
            }
            sent
        }));
    }
    // Ten kills: every third one within 2 s of the (re)start, when catch-up runs.
    let mut schedule = Vec::new();
    for k in 0..10 {
        let up = if k % 3 == 0 {
            draw.ms(100, 2000)
        } else {
            draw.ms(500, 5000)
        };
        tokio::time::sleep(up).await;
        bot.kill().unwrap(); // SIGKILL
        bot.wait().unwrap();
        let down = draw.ms(0, 3000);
        schedule.push((up, down));
        tokio::time::sleep(down).await;
        bot = spawn_bot_process(&setup);
    }
    eprintln!("kills (up, down): {schedule:?}");
    assert!(
        schedule
            .iter()
            .filter(|(up, _)| *up < Duration::from_secs(2))
            .count()
            >= 3
    );
    let mut sent = Vec::new();
    for sender in senders {
        sent.push(sender.await.unwrap());
    }
    let all: Vec<OwnedEventId> = sent.iter().flatten().cloned().collect();
    assert_eq!(all.len(), 3 * PER_MEMBER);

    let history = wait_answered(&room, &bot_id, &all, TIMEOUT * 4).await;
    terminate(&mut bot);
    let (infos, kinds) = journal_infos(&setup);
    assert!(
        !kinds.contains(&"gap"),
        "no gap: nothing was undecryptable or missed ({kinds:?})"
    );
    let times: HashMap<&OwnedEventId, i64> = history.iter().map(|p| (&p.id, p.ts)).collect();
    let answers = answers(&history, &bot_id);
    for (idx, (member, events)) in members.iter().zip(&sent).enumerate() {
        let mut last_seq = 0;
        for (n, event) in events.iter().enumerate() {
            let (seq, author, text, occurred_at) = infos
                .get(event.as_str())
                .unwrap_or_else(|| panic!("member {idx} message {} is not in the journal", n + 1));
            assert_eq!(text, &format!("membre {idx} message {}", n + 1));
            assert_eq!(author, member.id().as_str());
            assert!(
                *seq > last_seq,
                "member {idx}: out of order at message {}",
                n + 1
            );
            last_seq = *seq;
            assert_eq!(Some(occurred_at), times.get(event), "server time kept");
            let notices = &answers.notices[event];
            assert_eq!(notices.len(), 1, "one notice for {event}: {notices:?}");
            assert!(
                notices[0].contains("information enregistrée"),
                "{notices:?}"
            );
            assert_eq!(answers.checks[event], 1, "one ✅ for {event}");
        }
    }
    assert_eq!(infos.len(), 3 * PER_MEMBER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_commands_sent_while_the_bot_is_down_are_all_recorded_in_order() {
    let Some(url) =
        homeserver("five_hundred_commands_sent_while_the_bot_is_down_are_all_recorded_in_order")
    else {
        return;
    };
    const N: usize = 500;
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);
    let room = crisis_room(&alice, &[], &bot_id).await;
    let action = alice
        .send(
            &room,
            &format!("!action Appeler le SAMU {} dans 1m", alice.id()),
        )
        .await;
    let due = tokio::time::Instant::now() + Duration::from_secs(60);
    alice.reply_to(&bot_id, &action).await;
    terminate(&mut bot);

    // Two outages, each past the sync's timeline limit (200 events), so each
    // start reads the gap back: the first from tocsin's own sync position, the
    // second as a first start of this version would, without one (back to the
    // last event on record).
    let done = alice.send(&room, "!fait A1").await;
    let mut sent = vec![done.clone()];
    for n in 1..=N / 2 {
        sent.push(alice.send(&room, &format!("!info message {n}")).await);
    }
    // The action falls due while the bot is down; its `!fait` waits in the gap.
    tokio::time::sleep_until(due + Duration::from_secs(1)).await;
    bot = spawn_bot_process(&setup);
    wait_answered(&room, &bot_id, &sent, TIMEOUT * 8).await;
    terminate(&mut bot);
    std::fs::remove_file(setup.dir.path().join("data/matrix/sync-position")).unwrap();
    for n in N / 2 + 1..=N {
        sent.push(alice.send(&room, &format!("!info message {n}")).await);
    }
    bot = spawn_bot_process(&setup);
    wait_answered(&room, &bot_id, &sent, TIMEOUT * 8).await;
    terminate(&mut bot);

    let (infos, kinds) = journal_infos(&setup);
    assert_eq!(infos.len(), N);
    // Opening, action, (a gap if an outage lasted over two minutes), done:
    // then the informations, in order.
    let done_at = kinds.iter().position(|k| *k == "action_done").unwrap();
    assert!(
        kinds[..done_at]
            .iter()
            .all(|k| ["crisis_opened", "action", "gap"].contains(k)),
        "{kinds:?}"
    );
    assert!(
        kinds[done_at + 1..]
            .iter()
            .all(|k| ["info", "gap"].contains(k)),
        "{kinds:?}"
    );
    let mut last_seq = 0;
    for (n, event) in sent[1..].iter().enumerate() {
        let (seq, _, text, _) = &infos[event.as_str()];
        assert_eq!(text, &format!("message {}", n + 1));
        assert!(*seq > last_seq, "message {} in order", n + 1);
        last_seq = *seq;
    }
    assert!(
        !kinds.contains(&"reminder"),
        "no reminder for an action done while the bot was down: {kinds:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_whose_disk_goes_read_only_pauses_the_bot_and_nothing_is_lost() {
    let name = "a_journal_whose_disk_goes_read_only_pauses_the_bot_and_nothing_is_lost";
    journal_disk_fails_under_the_bot(name, Failure::ReadOnly).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_whose_disk_answers_io_errors_pauses_the_bot_and_nothing_is_lost() {
    let name = "a_journal_whose_disk_answers_io_errors_pauses_the_bot_and_nothing_is_lost";
    journal_disk_fails_under_the_bot(name, Failure::Io).await;
}

/// How the journal's disk fails.
#[derive(Clone, Copy, PartialEq)]
enum Failure {
    /// The kernel remounts it read-only.
    ReadOnly,
    /// It answers EIO to writes and fsyncs.
    Io,
}

/// The journal on a volume of its own that fails under the running bot:
/// every command said meanwhile is refused in words, the bot keeps running
/// and lets go of the volume, which is repaired; then each command is on
/// record once and acknowledged once.
async fn journal_disk_fails_under_the_bot(name: &str, failure: Failure) {
    let Some(url) = homeserver(name) else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let journal = setup.dir.path().join("data/journal");
    std::fs::create_dir_all(&journal).unwrap();
    let volume = match failure {
        Failure::ReadOnly => Ext4::mount_at(&journal),
        Failure::Io => Ext4::faulty_at(&journal),
    };
    let Some(volume) = volume else {
        return;
    };
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);
    let room = crisis_room(&alice, &[], &bot_id).await;

    let (cause, key) = match failure {
        Failure::ReadOnly => {
            volume.fail();
            (
                "le disque de tocsin est passé en lecture seule.",
                "read_only",
            )
        }
        Failure::Io => {
            volume.fail_io();
            ("le disque de tocsin renvoie des erreurs d'écriture.", "io")
        }
    };
    let info = alice.send(&room, "!info le disque lâche").await;
    let warning = alice.reply_to(&bot_id, &info).await;
    assert!(
        warning.body.starts_with(&format!(
            "⛔ Rien n'a été consigné pour ce message : {cause}"
        )) && warning.body.contains("le reprendra de lui-même"),
        "the room is told: {}",
        warning.body
    );
    // Said while tocsin waits for its disk: refused as well, in words.
    let waiting = alice.send(&room, "!info pendant la panne").await;
    let refused = alice.reply_to(&bot_id, &waiting).await;
    assert!(
        refused
            .body
            .starts_with("⛔ Rien n'a été consigné pour ce message"),
        "{}",
        refused.body
    );
    let log_path = setup.dir.path().join("bot.log");
    let log = super::poll("the log naming the cause", || {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        log.contains("resumes by itself").then_some(log)
    })
    .await;
    assert!(
        log.contains(&format!("fault=\"{key}\"")) || log.contains(&format!("fault={key}")),
        "{log}"
    );
    assert!(bot.try_wait().unwrap().is_none(), "the bot keeps running");

    // The disk comes back: the storage answers again, or the volume is
    // repaired (tocsin has let go of it: it unmounts). tocsin resumes by
    // itself, and each message is on record once, acknowledged once, and
    // was refused once.
    match failure {
        Failure::ReadOnly => volume.repair(),
        Failure::Io => {
            volume.heal_io();
            // The storage answers again; the file system either carries on
            // (tocsin's probe passes and it resumes) or gave up and went
            // read-only, to be repaired.
            let resumed = super::poll("tocsin resuming, or the volume read-only", || {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                if log.contains("takes writes again") {
                    Some(true)
                } else {
                    volume.is_read_only().then_some(false)
                }
            })
            .await;
            if !resumed {
                volume.repair();
            }
        }
    }
    let sent = [info.clone(), waiting.clone()];
    let history = wait_answered(&room, &bot_id, &sent, TIMEOUT).await;
    terminate(&mut bot);
    let answers = answers(&history, &bot_id);
    for (n, event) in sent.iter().enumerate() {
        let recorded: Vec<&String> = answers.notices[event]
            .iter()
            .filter(|t| t.contains(&format!("I{} — information enregistrée", n + 1)))
            .collect();
        assert_eq!(recorded.len(), 1, "{:?}", answers.notices[event]);
        let refusals = answers.notices[event]
            .iter()
            .filter(|t| t.starts_with("⛔"))
            .count();
        assert_eq!(refusals, 1, "{:?}", answers.notices[event]);
        assert_eq!(answers.checks[event], 1);
    }
    // Read from the disk itself, not from what the kernel still caches.
    volume.repair();
    let (infos, _) = journal_infos(&setup);
    assert_eq!(infos.len(), 2);
    drop(volume);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_commands_at_once_get_twenty_answers_in_order() {
    let Some(url) = homeserver("twenty_commands_at_once_get_twenty_answers_in_order") else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);
    let room = crisis_room(&alice, &[], &bot_id).await;
    // Sent back to back, without waiting for any answer.
    let mut sent = Vec::new();
    for n in 1..=20 {
        sent.push(alice.send(&room, &format!("!info rafale {n}")).await);
    }
    let history = wait_answered(&room, &bot_id, &sent, TIMEOUT).await;
    terminate(&mut bot);
    let answers = answers(&history, &bot_id);
    for (n, event) in sent.iter().enumerate() {
        let notices = &answers.notices[event];
        assert_eq!(notices.len(), 1, "one answer for command {}", n + 1);
        assert!(
            notices[0].starts_with(&format!("I{} — information enregistrée", n + 1)),
            "{notices:?}"
        );
        assert_eq!(answers.checks[event], 1);
    }
    // The answers reach the room in the order the commands were sent.
    let order: Vec<&OwnedEventId> = history
        .iter()
        .filter(|p| p.sender == bot_id && p.notice)
        .filter_map(|p| p.in_reply_to.as_ref())
        .filter(|target| sent.contains(target))
        .collect();
    assert_eq!(order, sent.iter().collect::<Vec<_>>());
}
