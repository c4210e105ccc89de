//! docs/deploying.md on a real Synapse: its commands create the bot's
//! account and a crisis room as written, and a backup taken while the bot
//! handles commands verifies, restores, and brings a bot back that catches
//! up on what was said after the snapshot, answering each command once.

use std::path::Path;
use std::process::{Command, Stdio};

use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, UserId};

use super::{BotSetup, TIMEOUT, User, bot_setup, homeserver, terminate, unique, wait_joined};
use crate::support::{root, text, tocsin_bin};
use tocsin::journal::Journal;
use tocsin_core::engine::event::Event;

/// The store passphrase these tests use, so that backups carry an encrypted store.
const PASSPHRASE: &str = "a passphrase for the deployment tests";

/// The shell block of docs/deploying.md marked `<!-- tested: NAME -->`.
fn guide_block(name: &str) -> String {
    let guide = std::fs::read_to_string(root().join("docs/deploying.md")).unwrap();
    let marker = format!("<!-- tested: {name} -->\n```sh\n");
    let start = guide.find(&marker).expect("the marked block") + marker.len();
    let len = guide[start..].find("\n```").unwrap();
    guide[start..start + len].to_owned()
}

/// Runs a block of the guide with bash, the variables it expects set by the
/// test (the guide's own example values for them are dropped).
fn run_block(name: &str, vars: &[(&str, &str)], epilogue: &str) -> String {
    let guide = guide_block(name);
    let block: Vec<&str> = guide
        .lines()
        .filter(|line| !vars.iter().any(|(k, _)| line.starts_with(&format!("{k}="))))
        .collect();
    let script = format!("set -euo pipefail\n{}\n{epilogue}\n", block.join("\n"));
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(&script).stdin(Stdio::null());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running bash");
    assert!(
        out.status.success(),
        "the guide's `{name}` block failed:\n{script}\n{}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The shared secret of the loopback Synapse (scripts/synapse's, unless told).
fn shared_secret() -> String {
    if let Ok(secret) = std::env::var("TOCSIN_SYNAPSE_SECRET") {
        return secret;
    }
    let template =
        std::fs::read_to_string(root().join("scripts/synapse/homeserver.yaml.in")).unwrap();
    let line = template
        .lines()
        .find(|l| l.starts_with("registration_shared_secret:"))
        .unwrap();
    line.split('"').nth(1).unwrap().to_owned()
}

/// Starts `tocsin run`, its secrets in the environment or, as systemd's
/// `LoadCredential=` gives them, in files of a credentials directory.
fn spawn_bot(config: &Path, log: &Path, credentials: Option<&Path>) -> std::process::Child {
    let mut cmd = Command::new(tocsin_bin());
    cmd.args(["run", "--config"])
        .arg(config)
        // The default log filter, as a service has it.
        .env_remove("RUST_LOG")
        .env_remove("TOCSIN_PASSWORD")
        .env_remove("TOCSIN_ACCESS_TOKEN");
    match credentials {
        Some(dir) => cmd
            .env_remove("TOCSIN_STORE_PASSPHRASE")
            .env("CREDENTIALS_DIRECTORY", dir),
        None => cmd.env("TOCSIN_STORE_PASSPHRASE", PASSPHRASE),
    };
    cmd.stdout(Stdio::null())
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .unwrap(),
        )
        .spawn()
        .expect("starting tocsin run")
}

async fn room_of(user: &User, room_id: &OwnedRoomId) -> matrix_sdk::Room {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        if let Some(room) = user.client.get_room(room_id) {
            return room;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{room_id} never synced"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guide_creates_the_bot_account_and_a_crisis_room() {
    let Some(url) = homeserver("the_guide_creates_the_bot_account_and_a_crisis_room") else {
        return;
    };
    let bot = unique("tocsin");
    let out = run_block(
        "account",
        &[("HS", &url), ("SECRET", &shared_secret()), ("BOT", &bot)],
        "echo \"password=$PASSWORD\"",
    );
    let mut lines = out.lines();
    let bot_id = lines.next().unwrap().to_owned();
    assert_eq!(bot_id, format!("@{bot}:localhost"));
    let password = lines.next().unwrap().strip_prefix("password=").unwrap();

    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let lead = User::register(&url, &unique("lead"), "lead-password").await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tocsin.toml");
    std::fs::write(
        &config,
        format!(
            "[matrix]\nhomeserver = \"{url}\"\nuser_id = \"{bot_id}\"\n\n\
             [bot]\ndata_dir = \"data\"\nplaybooks_dir = \"{}\"\nallowed_inviters = [\"{}\"]\n",
            root().join("playbooks").display(),
            alice.id()
        ),
    )
    .unwrap();
    // The secrets as contrib/tocsin.service passes them: one file each.
    let credentials = dir.path().join("credentials");
    std::fs::create_dir(&credentials).unwrap();
    std::fs::write(credentials.join("TOCSIN_PASSWORD"), password).unwrap();
    std::fs::write(credentials.join("TOCSIN_STORE_PASSPHRASE"), PASSPHRASE).unwrap();
    let log = dir.path().join("bot.log");
    let mut bot_process = spawn_bot(&config, &log, Some(&credentials));

    let token = alice.client.access_token().unwrap();
    let room_id = run_block(
        "room",
        &[("HS", &url), ("TOKEN", &token), ("BOT_ID", &bot_id)],
        "",
    );
    let room_id = OwnedRoomId::try_from(room_id.trim()).unwrap();
    let room = room_of(&alice, &room_id).await;
    let bot_user = UserId::parse(&bot_id).unwrap();
    wait_joined(&room, &bot_user).await;
    assert!(room.latest_encryption_state().await.unwrap().is_encrypted());
    alice.bot_message(&bot_user, "tocsin est prêt").await;

    // The crisis director, invited, may not open a crisis until the guide's
    // power-levels block raises them to 50.
    room.invite_user_by_id(&lead.id()).await.unwrap();
    let lead_room = lead.client.join_room_by_id(&room_id).await.unwrap();
    wait_joined(&room, &lead.id()).await;
    let refused = lead.send(&lead_room, "!ouvrir rancongiciel").await;
    let reply = lead.reply_to(&bot_user, &refused).await;
    assert!(
        reply.body.contains("réservé aux responsables"),
        "{}",
        reply.body
    );
    let raise = |who: &str| {
        run_block(
            "power-levels",
            &[
                ("HS", &url),
                ("TOKEN", &token),
                ("ROOM", room_id.as_str()),
                ("WHO", who),
            ],
            "curl -fsS -H \"Authorization: Bearer $TOKEN\" \"$LEVELS\" | jq -c .users",
        )
    };
    raise(lead.id().as_str());
    let deputy = format!("@{}:localhost", unique("deputy"));
    let levels = raise(&deputy);
    let users: serde_json::Value = serde_json::from_str(levels.trim()).unwrap();
    assert_eq!(users[lead.id().as_str()], 50, "{users}");
    assert_eq!(users[deputy.as_str()], 50, "{users}");
    let open = lead.send(&lead_room, "!ouvrir rancongiciel").await;
    let reply = lead.reply_to(&bot_user, &open).await;
    assert!(reply.body.contains("🚨 Crise ouverte"), "{}", reply.body);
    let said = lead
        .send(&lead_room, "!info Texte confidentiel du laboratoire")
        .await;
    lead.reply_to(&bot_user, &said).await;
    let close = lead.send(&lead_room, "!clore").await;
    let reply = lead.reply_to(&bot_user, &close).await;
    assert!(reply.body.contains("🏁 Crise"), "{}", reply.body);
    terminate(&mut bot_process);
    // What the guide says a start logs, and no secret.
    let log = std::fs::read_to_string(&log).unwrap();
    for line in [
        "journal verified",
        "connected and listening",
        "joined a room",
        "crisis opened",
        "crisis closed",
    ] {
        assert!(log.contains(line), "no `{line}` in the log:\n{log}");
    }
    // Ids only: neither secrets nor what people wrote.
    assert!(
        !log.contains(password) && !log.contains(PASSPHRASE) && !log.contains("confidentiel"),
        "{log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "escape codes in a log file:\n{log}"
    );
    // A clean start is quiet: no warning or error, the Matrix SDK's included.
    let noisy: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    assert!(
        noisy.is_empty(),
        "warnings in a clean run:\n{}",
        noisy.join("\n")
    );
}

fn tocsin_cli(args: &[&str]) -> std::process::Output {
    Command::new(tocsin_bin())
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .unwrap()
}

/// Every information entry of a journal, in order.
fn infos(data: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let (journal, _) = Journal::open(data, |e| {
        if let Event::Info { text, .. } = &e.record.event {
            out.push(text.clone());
        }
    })
    .unwrap();
    journal.close().unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_bot_works_restores_and_catches_up() {
    let Some(url) = homeserver("a_backup_taken_while_the_bot_works_restores_and_catches_up") else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup: BotSetup = bot_setup(&url, &[&alice.id()]).await;
    let bot_id = setup.user_id.clone();
    let log = setup.dir.path().join("bot.log");
    let mut bot = spawn_bot(&setup.config_path, &log, None);
    let room = alice.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&room, &bot_id).await;
    let open = alice.send(&room, "!ouvrir rancongiciel").await;
    alice.reply_to(&bot_id, &open).await;

    // Commands stream in while the snapshot is taken.
    let data = setup.dir.path().join("data");
    let snapshot = setup.dir.path().join("data/snapshot.tar");
    let mut sent: Vec<OwnedEventId> = Vec::new();
    for n in 1..=10 {
        sent.push(
            alice
                .send(&room, &format!("!info pendant la sauvegarde {n}"))
                .await,
        );
    }
    let backup = {
        let (data, snapshot) = (data.clone(), snapshot.clone());
        tokio::task::spawn_blocking(move || {
            tocsin_cli(&[
                "backup",
                "--data",
                data.to_str().unwrap(),
                "-o",
                snapshot.to_str().unwrap(),
            ])
        })
    };
    for n in 11..=30 {
        sent.push(
            alice
                .send(&room, &format!("!info pendant la sauvegarde {n}"))
                .await,
        );
    }
    let out = backup.await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("with the Matrix session and store"),
        "{}",
        text(&out.stdout)
    );
    for event in &sent {
        alice.reply_to(&bot_id, event).await;
    }
    let out = tocsin_cli(&["verify", snapshot.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("every chain verified")
            && report.contains("Matrix session and store present"),
        "{report}"
    );
    terminate(&mut bot);

    // Restored elsewhere, the snapshot holds a prefix of what was recorded.
    let restored = setup.dir.path().join("restored");
    let out = tocsin_cli(&[
        "restore",
        snapshot.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = infos(&data);
    let at_snapshot = infos(&restored);
    assert_eq!(all.len(), 30);
    assert_eq!(all[..at_snapshot.len()], at_snapshot[..]);
    eprintln!("the snapshot holds {} of 30 commands", at_snapshot.len());

    // A bot started on it (same device, same passphrase) reads back the rest.
    let config = std::fs::read_to_string(&setup.config_path)
        .unwrap()
        .replace("data_dir = \"data\"", "data_dir = \"restored\"");
    let restored_config = setup.dir.path().join("restored.toml");
    std::fs::write(&restored_config, config).unwrap();
    let mut bot = spawn_bot(&restored_config, &log, None);
    let status = alice.send(&room, "!statut").await;
    let reply = alice.reply_to(&bot_id, &status).await;
    assert!(reply.body.contains("Informations : 30"), "{}", reply.body);
    terminate(&mut bot);
    assert_eq!(infos(&restored), all);
    // Replies sent again carried the same transaction ids: one reply each.
    let seen = alice.seen.lock().unwrap().clone();
    for event in &sent {
        let n = seen
            .iter()
            .filter(|s| s.sender == bot_id && s.notice && s.in_reply_to.as_ref() == Some(event))
            .count();
        assert_eq!(n, 1, "one reply to {event}");
    }
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("snapshot taken for a backup"), "{log}");
    assert!(log.contains("session restored"), "{log}");
}
