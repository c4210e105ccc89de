//! The bot with its data directory on a tmpfs that fills while it runs.

use super::{User, bot_setup, homeserver, spawn_bot_process, terminate, unique, wait_joined};
use crate::disk::Tmpfs;
use tocsin::journal::Journal;
use tocsin::journal::storage::RESERVE_FILE;
use tocsin_core::engine::event::Event;

/// Polls `what` until it holds, for at most [`super::TIMEOUT`].
async fn until(what: &str, mut holds: impl FnMut() -> bool) {
    super::poll(what, || holds().then_some(())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_under_the_bot_costs_no_command_and_the_admins_are_told() {
    let Some(url) =
        homeserver("a_full_disk_under_the_bot_costs_no_command_and_the_admins_are_told")
    else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    // alice is also the bot's admin, told in a direct chat.
    let mut config = std::fs::read_to_string(&setup.config_path).unwrap();
    config.push_str(&format!("admins = [\"{}\"]\n", alice.id()));
    std::fs::write(&setup.config_path, config).unwrap();
    let data = setup.dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let Some(fs) = Tmpfs::mount_at(&data, 128) else {
        return;
    };
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);
    let room = alice.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&room, &bot_id).await;
    let open = alice.send(&room, "!ouvrir rancongiciel").await;
    alice.reply_to(&bot_id, &open).await;
    let first = alice.send(&room, "!info avant le disque plein").await;
    alice.reply_to(&bot_id, &first).await;
    let reserve = data.join(RESERVE_FILE);
    until("the bot's disk reserve", || reserve.is_file()).await;

    // Another service fills the disk to its last byte.
    fs.fill();
    let mut sent = Vec::new();
    for n in 1..=5 {
        sent.push(alice.send(&room, &format!("!info disque plein {n}")).await);
    }
    // The reserve is released: every command is recorded and acknowledged.
    for (n, event) in sent.iter().enumerate() {
        let reply = alice.reply_to(&bot_id, event).await;
        assert!(
            reply
                .body
                .contains(&format!("I{} — information enregistrée", n + 2)),
            "{}",
            reply.body
        );
    }
    assert!(!reserve.exists());
    assert!(bot.try_wait().unwrap().is_none(), "the bot keeps running");
    // The admin is told, in a direct chat, in words.
    until("a direct chat invitation for the admin", || {
        !alice.client.invited_rooms().is_empty()
    })
    .await;
    let direct = alice.client.invited_rooms().remove(0);
    alice
        .client
        .join_room_by_id(direct.room_id())
        .await
        .unwrap();
    let told = alice
        .wait_for("the admin's warning", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.body.contains("a libéré sa réserve"))
                .cloned()
        })
        .await;
    assert!(
        told.body.contains("Le disque de tocsin est plein") && told.body.contains("32.0 MiB"),
        "{}",
        told.body
    );

    // The disk fills again, reserve and all: tocsin cannot record, nor
    // perhaps even read the room, but keeps running and loses nothing.
    let log_path = setup.dir.path().join("bot.log");
    let logged = std::fs::read_to_string(&log_path).unwrap().len();
    fs.fill();
    let exhausted = alice.send(&room, "!info réserve épuisée").await;
    until("the log naming the full disk", || {
        std::fs::read_to_string(&log_path).is_ok_and(|log| {
            let new = log.get(logged..).unwrap_or_default();
            new.contains("sync failed: the disk is full")
                || new.contains("resumes by itself once the disk is fixed")
        })
    })
    .await;
    assert!(bot.try_wait().unwrap().is_none(), "the bot keeps running");

    // Space comes back: so do the reserve and the record.
    fs.free();
    let recorded = alice
        .wait_for("the command said on a full disk, recorded", |seen| {
            seen.iter()
                .find(|s| {
                    s.sender == bot_id
                        && s.in_reply_to.as_ref() == Some(&exhausted)
                        && s.body.contains("I7 — information enregistrée")
                })
                .cloned()
        })
        .await;
    assert!(recorded.notice, "{}", recorded.body);
    until("the reserve, once space is back", || reserve.is_file()).await;
    let after = alice.send(&room, "!info après").await;
    let reply = alice.reply_to(&bot_id, &after).await;
    assert!(
        reply.body.contains("I8 — information enregistrée"),
        "{}",
        reply.body
    );
    terminate(&mut bot);

    let log = std::fs::read_to_string(setup.dir.path().join("bot.log")).unwrap();
    assert!(!log.contains("may be unreachable"), "{log}");
    assert!(log.contains("released tocsin's reserve"), "{log}");
    let mut infos = Vec::new();
    Journal::open(&data, |e| {
        if let Event::Info { text, .. } = &e.record.event {
            infos.push((text.clone(), e.record.source.clone()));
        }
    })
    .expect("the journal opens and verifies");
    assert_eq!(infos.len(), 8, "{infos:#?}");
    assert_eq!(infos[6].1.as_deref(), Some(exhausted.as_str()));
    for (n, event) in sent.iter().enumerate() {
        assert_eq!(infos[n + 1].0, format!("disque plein {}", n + 1));
        assert_eq!(infos[n + 1].1.as_deref(), Some(event.as_str()));
    }
    drop(fs);
}
