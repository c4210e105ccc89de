//! Everything said can go on record (issue 12), in encrypted rooms: words
//! and a photo pinned after the fact keep their author and time, a reply to
//! an inject answers it, a decision says who took it and why; the export
//! holds all of it, verifies with the photo's copy, and catches a changed byte.

use matrix_sdk::Room;
use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::message::{ReplyMetadata, RoomMessageEventContent};
use matrix_sdk::ruma::{OwnedEventId, UserId};
use tocsin::journal::Journal;
use tocsin_core::engine::event::Event;

use super::{User, bot_setup, homeserver, start_in_process, unique, wait_joined};
use crate::support::{text, tocsin};

async fn pin(room: &Room, target: &OwnedEventId) {
    let pin = ReactionEventContent::new(Annotation::new(target.clone(), "📌".to_owned()));
    room.send(pin).await.unwrap();
}

/// A command sent as a reply to `target`, said by `author` (as Element does).
async fn reply(room: &Room, target: &OwnedEventId, author: &UserId, body: &str) -> OwnedEventId {
    let original = ReplyMetadata::new(target, author, None);
    let content = RoomMessageEventContent::text_plain(body).make_reply_to(
        original,
        matrix_sdk::ruma::events::room::message::ForwardThread::No,
        matrix_sdk::ruma::events::room::message::AddMentions::No,
    );
    room.send(content).await.unwrap().response.event_id
}

async fn bot_says(user: &User, bot: &UserId, what: &str, n: usize) -> String {
    user.wait_for(&format!("{n} bot messages holding {what:?}"), |seen| {
        let found: Vec<&str> = seen
            .iter()
            .filter(|s| s.sender == bot && s.body.contains(what))
            .map(|s| s.body.as_str())
            .collect();
        (found.len() >= n).then(|| found[n - 1].to_owned())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversation_a_photo_and_linked_decisions_end_in_a_verified_export() {
    let Some(url) =
        homeserver("conversation_a_photo_and_linked_decisions_end_in_a_verified_export")
    else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let bob = User::register(&url, &unique("bob"), "bob-password").await;
    let anna = User::register(&url, &unique("anna"), "anna-password").await;
    let setup = bot_setup(&url, &[&alice.id(), &anna.id()]).await;
    let bot_id = setup.user_id.clone();
    let bot = start_in_process(&setup);

    let players = alice.players_room(&bot_id, &[&bob]).await;
    let bob_room = bob.client.get_room(players.room_id()).unwrap();
    let crisis = alice.open_exercise(&players, &bot_id).await;
    let anim = anna.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&anim, &bot_id).await;
    let link = format!("!animer {crisis} demo-20min");
    anna.link_exercise(&anim, &link, &alice, &players, &bot_id)
        .await;
    let debex = anna.send(&anim, "!debex").await;
    anna.reply_to(&bot_id, &debex).await;
    let inject = bob
        .wait_for("inject i01 in the players' room", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.body.contains("📋 Message interne"))
                .map(|s| s.event_id.clone())
        })
        .await;

    // Something else is recorded first: it is not a reaction to i01.
    let other = alice
        .send(&players, "!info le parking visiteurs est plein")
        .await;
    alice.reply_to(&bot_id, &other).await;
    // Conversation, and a photo of a paper sheet: not on record by themselves.
    let said = bob
        .send(&bob_room, "Le standard ne répond plus depuis 10 h")
        .await;
    let photo: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let sent_photo = bob_room
        .send_attachment(
            "feuille-admissions.jpg",
            &mime::IMAGE_JPEG,
            photo.clone(),
            AttachmentConfig::new(),
        )
        .await
        .unwrap()
        .event_id;

    // Alice pins Bob's words: Bob's, at Bob's time, recorded by Alice.
    pin(&players, &said).await;
    let pinned = bot_says(&alice, &bot_id, "consigné par", 1).await;
    assert!(pinned.starts_with("[EXERCICE] N1"), "{pinned}");
    // Pinned again by Bob, then a reply with a bare command: never twice.
    pin(&bob_room, &said).await;
    bot_says(&alice, &bot_id, "déjà dans la main courante (N1)", 1).await;
    let again = reply(&players, &said, &bob.id(), "!info").await;
    assert!(
        alice
            .reply_to(&bot_id, &again)
            .await
            .body
            .contains("déjà dans la main courante (N1)")
    );
    // The photo, pinned: the bot keeps a decrypted copy.
    pin(&players, &sent_photo).await;
    let filed = bot_says(&alice, &bot_id, "fichier de", 1).await;
    assert!(filed.contains("F1"), "{filed}");

    // Bob answers the inject by replying to it; Alice records who decided, and why.
    let answer = reply(
        &bob_room,
        &inject,
        &bot_id,
        "!info cellule réunie, DSI prévenu",
    )
    .await;
    bob.reply_to(&bot_id, &answer).await;
    let decision = alice
        .send(
            &players,
            &format!(
                "!décision isoler le réseau des urgences par {} suite à i01 -- chiffrement en cours",
                bob.id()
            ),
        )
        .await;
    let decided = alice.reply_to(&bot_id, &decision).await.body;
    assert!(
        decided.contains("Décidée par") && decided.contains("En réponse à i01"),
        "{decided}"
    );
    let finex = anna.send(&anim, "!finex").await;
    anna.reply_to(&bot_id, &finex).await;
    bot.stop().await;

    // The journal: attributed, linked, the file's copy on disk.
    let data = setup.dir.path().join("data");
    let mut records = Vec::new();
    Journal::open(&data, |e| records.push(e.record.clone())).unwrap();
    let note = records
        .iter()
        .find(|r| matches!(r.event, Event::Note { .. }))
        .expect("the pinned words");
    assert_eq!(note.author.id, bob.id().as_str());
    assert_eq!(note.recorded_by.as_ref().unwrap().id, alice.id().as_str());
    assert_eq!(note.quotes.as_deref(), Some(said.as_str()));
    let Some(file) = records.iter().find_map(|r| match &r.event {
        Event::File {
            sha256, name, size, ..
        } => Some((r, sha256.clone(), name, *size)),
        _ => None,
    }) else {
        panic!("no file on record");
    };
    assert_eq!(
        (file.0.author.id.as_str(), file.2.as_str(), file.3),
        (bob.id().as_str(), "feuille-admissions.jpg", 20_000)
    );
    assert_eq!(
        std::fs::read(data.join("files").join(&file.1)).unwrap(),
        photo
    );
    let answered: Vec<&str> = records
        .iter()
        .filter(|r| r.links.iter().any(|l| l == "i01"))
        .filter_map(|r| r.event.reference())
        .collect();
    assert_eq!(answered, ["I2"], "only the reply answers i01");
    assert!(records.iter().any(|r| matches!(&r.event,
        Event::Decision { decided_by: Some(by), trigger: Some(t), .. } if by == bob.id().as_str() && t == "i01")));

    // The export: verified with the photo's copy; one changed byte is caught.
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("export.json");
    let data_arg = data.to_str().unwrap();
    let exported = tocsin(
        &[
            "export",
            "--data",
            data_arg,
            "--crisis",
            &crisis,
            "--format",
            "json",
            "-o",
            json.to_str().unwrap(),
        ],
        b"",
    );
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let md = out.path().join("report.md");
    let report = tocsin(
        &[
            "export",
            "--data",
            data_arg,
            "--crisis",
            &crisis,
            "--format",
            "md",
            "-o",
            md.to_str().unwrap(),
        ],
        b"",
    );
    assert!(report.status.success(), "{}", text(&report.stderr));
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("Le standard ne répond plus depuis 10 h"),
        "the note in the report"
    );
    assert!(
        md.contains("feuille-admissions.jpg") && md.contains(&file.1),
        "the file by hash"
    );
    let i01 = md
        .lines()
        .find(|l| l.starts_with("| i01 "))
        .expect("i01 in the inject table");
    assert!(
        i01.contains("— I2 après") && !i01.contains("I1 après"),
        "i01's reaction is the reply, not I1: {i01}"
    );
    let verified = tocsin(&["verify", out.path().to_str().unwrap()], b"");
    assert!(
        verified.status.success(),
        "{}{}",
        text(&verified.stdout),
        text(&verified.stderr)
    );
    let copy = out.path().join("files").join(&file.1);
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes[1234] ^= 1;
    std::fs::write(&copy, bytes).unwrap();
    let caught = tocsin(&["verify", out.path().to_str().unwrap()], b"");
    assert!(!caught.status.success());
    let said = format!("{}{}", text(&caught.stdout), text(&caught.stderr));
    assert!(said.contains(&file.1), "names the changed file: {said}");
}
