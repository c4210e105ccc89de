//! The journal anchored in the rooms (issue 16), on a real Synapse with
//! encrypted rooms: a crisis in two rooms is compared with the rooms, a
//! perfect local forgery is named, the whole data directory is lost and
//! rebuilt from the rooms with the recovery key of the key backup, and the
//! crisis goes on from the recovered head.

use std::path::Path;

use matrix_sdk::Room;
use matrix_sdk::ruma::UserId;
use tocsin::journal::{self, Journal};

use super::outage::crisis_room;
use super::{TIMEOUT, User, bot_setup, homeserver, spawn_bot_process, terminate, unique};
use crate::support::{text, tocsin_bin};

/// Runs `tocsin` with the recovery key in its environment (not on its command line).
pub(crate) fn tocsin_with_key(args: &[&str], key: &str) -> std::process::Output {
    std::process::Command::new(tocsin_bin())
        .args(args)
        .env("RUST_LOG", "off")
        .env("TOCSIN_RECOVERY_KEY", key)
        .output()
        .expect("running tocsin")
}

/// The recovery key the first start printed on its standard output.
pub(crate) async fn recovery_key(out: &Path) -> String {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let printed = std::fs::read_to_string(out).unwrap_or_default();
        if let Some(key) = printed
            .lines()
            .skip_while(|l| !l.contains("recovery key is shown this once"))
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.contains("recovery key"))
        {
            return key.to_owned();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no recovery key printed: {printed}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn record(lead: &User, room: &Room, bot: &UserId, text: &str) {
    let event = lead.send(room, text).await;
    let answer = lead.reply_to(bot, &event).await;
    assert!(answer.body.contains("enregistr"), "{}", answer.body);
}

fn verify(data: &Path) -> String {
    let out = crate::support::tocsin(&["verify", "--data", data.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_data_directory_is_rebuilt_from_the_rooms_and_the_crisis_goes_on() {
    let Some(url) =
        homeserver("a_lost_data_directory_is_rebuilt_from_the_rooms_and_the_crisis_goes_on")
    else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot_id = setup.user_id.clone();
    let config = setup.config_path.to_str().unwrap().to_owned();
    let data = setup.dir.path().join("data");
    let mut bot = spawn_bot_process(&setup);
    let key = recovery_key(&setup.dir.path().join("bot.out")).await;

    // Two crises in two encrypted rooms, 50 entries and more between them,
    // with a situation point (a checkpoint) in each.
    let first = crisis_room(&alice, &[], &bot_id).await;
    let second = crisis_room(&alice, &[], &bot_id).await;
    for n in 1..=22 {
        record(&alice, &first, &bot_id, &format!("!info salle 1, fait {n}")).await;
        record(
            &alice,
            &second,
            &bot_id,
            &format!("!info salle 2, fait {n}"),
        )
        .await;
    }
    for room in [&first, &second] {
        let point = alice.send(room, "!point").await;
        let said = alice.reply_to(&bot_id, &point).await;
        assert!(
            said.body.contains("Point de contrôle de la main courante"),
            "{}",
            said.body
        );
    }
    terminate(&mut bot);
    let before = verify(&data);
    let (journal, summary) = Journal::open(&data, |_| {}).unwrap();
    assert_eq!(summary.chains.len(), 2, "{before}");
    assert!(summary.n_entries >= 50, "{before}");
    let chains: Vec<(String, Vec<journal::Entry>)> = summary
        .chains
        .keys()
        .map(|c| (c.clone(), journal.entries(c).unwrap()))
        .collect();
    journal.close().unwrap();

    // The rooms agree with the journal, entry for entry.
    let data_arg = data.to_str().unwrap();
    let out = tocsin_with_key(
        &[
            "verify",
            "--data",
            data_arg,
            "--against-room",
            "--config",
            &config,
        ],
        &key,
    );
    let said = text(&out.stdout);
    eprintln!("tocsin verify --against-room said:\n{said}");
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    for (crisis, entries) in &chains {
        assert!(
            said.contains(&format!(
                "ok: {crisis} — {n} of {n} entries identical in the room",
                n = entries.len()
            )),
            "{said}"
        );
    }

    // A perfect local forgery (entry rewritten, every hash after it and the
    // watermark recomputed) is named by the rooms.
    let (crisis, entries) = &chains[0];
    let forged_at = entries
        .iter()
        .position(|e| e.payload.contains("salle 1, fait 7\""))
        .expect("the seventh fact");
    let mut prev = journal::GENESIS;
    let mut forged_chain = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let payload = if i == forged_at {
            entry.payload.replace("fait 7", "fait 8")
        } else {
            entry.payload.clone()
        };
        let hash = journal::chain_hash(&prev, entry.record.seq, payload.as_bytes());
        forged_chain.push((entry.record.seq, payload, hash));
        prev = hash;
    }
    let forged = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(forged.path(), |_| {}).unwrap();
    journal.restore_chain(crisis, &forged_chain).unwrap();
    journal.close().unwrap();
    let forged_arg = forged.path().to_str().unwrap();
    verify(forged.path());
    let out = tocsin_with_key(
        &[
            "verify",
            "--data",
            forged_arg,
            "--against-room",
            "--config",
            &config,
        ],
        &key,
    );
    assert!(!out.status.success());
    let named = format!(
        "tocsin: DIFFERENCE with the room: {crisis}, entry {}: its content differs from the copy in the room",
        forged_at + 1
    );
    assert!(
        text(&out.stderr).starts_with(&named),
        "{}",
        text(&out.stderr)
    );

    // The whole data directory is lost; the rooms give it back.
    std::fs::remove_dir_all(&data).unwrap();
    let out = tocsin_with_key(&["recover", "--config", &config], &key);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    eprintln!("tocsin recover said:\n{said}");
    assert!(said.contains("ok: journal written in"), "{said}");
    assert_eq!(
        verify(&data),
        before,
        "the same entries, the same final digests"
    );

    // The crisis goes on: the next entry chains onto the recovered head.
    let (crisis, entries) = &chains[1];
    let head = entries.last().unwrap().hash;
    let mut bot = spawn_bot_process(&setup);
    record(&alice, &second, &bot_id, "!info après la reprise").await;
    terminate(&mut bot);
    let (journal, _) = Journal::open(&data, |_| {}).unwrap();
    let now = journal.entries(crisis).unwrap();
    assert_eq!(
        &now[..entries.len()],
        &entries[..],
        "the recovered entries stay"
    );
    let next = &now[entries.len()];
    assert_eq!(next.prev_hash, head, "chained onto the recovered head");
    assert!(
        now[entries.len()..]
            .iter()
            .any(|e| e.payload.contains("après la reprise")),
        "{:?}",
        now[entries.len()..]
            .iter()
            .map(|e| e.record.event.kind())
            .collect::<Vec<_>>()
    );
    journal.close().unwrap();
}
