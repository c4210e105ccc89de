//! Injects aimed at one person (issue 14), in encrypted rooms: a direct
//! stimulus reaches the holder of its role alone, in a direct chat the bot
//! opens, and its attachment decrypts on their client byte for byte; a
//! social-media persona arrives formatted in the players' room; the stop
//! phrase works in the direct chat; the journal says who received what, with
//! the file's hash.

use matrix_sdk::RoomMemberships;
use sha2::{Digest, Sha256};
use tocsin::journal::Journal;
use tocsin_core::engine::event::Event;

use super::{User, bot_setup, homeserver, start_in_process, unique, wait_joined};
use crate::support::root;

/// What r01 of `demo-20min` says, and the file it carries.
const DIRECT_TEXT: &str = "Objet : vos fichiers";
const NOTE: &str = "playbooks/scenarios/fichiers/note-de-rancon.txt";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_targeted_inject_reaches_only_the_role_holder_with_its_attachment() {
    let Some(url) =
        homeserver("a_targeted_inject_reaches_only_the_role_holder_with_its_attachment")
    else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let bob = User::register(&url, &unique("bob"), "bob-password").await;
    let carol = User::register(&url, &unique("carol"), "carol-password").await;
    let anna = User::register(&url, &unique("anna"), "anna-password").await;
    let setup = bot_setup(&url, &[&alice.id(), &anna.id()]).await;
    let bot_id = setup.user_id.clone();
    let bot = start_in_process(&setup);

    // The players' room: alice leads, bob holds the IT director's role, carol plays.
    let players = alice.players_room(&bot_id, &[&bob, &carol]).await;
    let crisis = alice.open_exercise(&players, &bot_id).await;
    let role = alice
        .send(&players, &format!("!rôle dsi {}", bob.id()))
        .await;
    alice.reply_to(&bot_id, &role).await;
    let anim = anna.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&anim, &bot_id).await;
    let link = format!("!animer {crisis} demo-20min manuel");
    anna.link_exercise(&anim, &link, &alice, &players, &bot_id)
        .await;
    let debex = anna.send(&anim, "!debex").await;
    anna.reply_to(&bot_id, &debex).await;

    // The direct inject: the facilitators are told where it went.
    let fire = anna.send(&anim, "!inject r01").await;
    let note = anna.reply_to(&bot_id, &fire).await.body;
    assert!(
        note.contains(&format!("En message direct à {}", bob.id())),
        "{note}"
    );
    assert!(note.contains("note-de-rancon.txt"), "{note}");

    // bob is invited to a direct chat with the bot, joins, and reads it there.
    let deadline = tokio::time::Instant::now() + super::TIMEOUT;
    let direct = loop {
        if let Some(room) = bob.client.invited_rooms().into_iter().next() {
            break room;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no direct chat invitation for the role's holder"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    bob.client.join_room_by_id(direct.room_id()).await.unwrap();
    let stimulus = bob
        .wait_for("the direct stimulus", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.body.contains(DIRECT_TEXT))
                .cloned()
        })
        .await;
    assert_eq!(&stimulus.room, direct.room_id());
    assert_ne!(&stimulus.room, players.room_id());
    assert!(
        stimulus.body.starts_with("[EXERCICE] 📧"),
        "{}",
        stimulus.body
    );
    let file = bob
        .wait_for("the attachment", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.room == stimulus.room && s.file.is_some())
                .cloned()
        })
        .await;
    assert_eq!(
        file.body, "[EXERCICE] note-de-rancon.txt",
        "the file is marked"
    );
    let bytes = bob
        .encrypted_file(&file.file.expect("a file message"))
        .await;
    let original = std::fs::read(root().join(NOTE)).unwrap();
    assert_eq!(
        bytes, original,
        "the attachment decrypts to the scenario's file"
    );
    let room = bob.client.get_room(direct.room_id()).unwrap();
    assert!(room.latest_encryption_state().await.unwrap().is_encrypted());
    let members = room.members(RoomMemberships::ACTIVE).await.unwrap();
    let mut members: Vec<String> = members.iter().map(|m| m.user_id().to_string()).collect();
    members.sort();
    let mut expected = vec![bot_id.to_string(), bob.id().to_string()];
    expected.sort();
    assert_eq!(
        members, expected,
        "only the role's holder is in the direct chat"
    );

    // A social-media post goes to the players' room, laid out as a post.
    let fire = anna.send(&anim, "!inject r02").await;
    anna.reply_to(&bot_id, &fire).await;
    let post = carol
        .wait_for("the social-media post", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.body.contains("@InfoVille_direct"))
                .cloned()
        })
        .await;
    assert_eq!(&post.room, players.room_id());
    let html = post.html.expect("a formatted post");
    assert!(
        html.contains("<code>@InfoVille_direct</code>") && html.contains("<blockquote>"),
        "{html}"
    );
    // Sent after the direct one, from the same queue: had the others been
    // sent it, they would have it by now. Neither the stimulus nor its file.
    for other in [&alice, &carol] {
        let seen = other.seen.lock().unwrap().clone();
        assert!(
            seen.iter()
                .all(|s| !s.body.contains(DIRECT_TEXT) && s.file.is_none()),
            "{} saw the direct stimulus",
            other.id()
        );
    }

    // The direct chat belongs to the exercise: a command there gets a pointer
    // to the cell's room, and the stop phrase works there too.
    let command = bob.send(&room, "!info reçu un courriel").await;
    let pointer = bob.reply_to(&bot_id, &command).await.body;
    assert!(
        pointer.contains("les commandes n'y sont pas lues"),
        "{pointer}"
    );
    bob.send(&room, "STOP EXERCICE : malaise réel au standard")
        .await;
    for who in [&alice, &anna] {
        who.wait_for("the stop notice", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.body.contains("🛑🛑 STOP EXERCICE"))
                .cloned()
        })
        .await;
    }

    // The journal says who received it, how, and which file went with it.
    bot.stop().await;
    let mut played = Vec::new();
    let mut stopped = false;
    Journal::open(&setup.dir.path().join("data"), |e| match &e.record.event {
        Event::InjectPlayed { .. } => played.push(e.record.event.clone()),
        Event::ExerciseStopped { .. } => stopped = true,
        _ => {}
    })
    .unwrap();
    assert!(
        stopped,
        "the stop phrase typed in the direct chat is on record"
    );
    let digest: String = Sha256::digest(&original)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let r01 = played
        .iter()
        .find(|e| matches!(e, Event::InjectPlayed { inject, .. } if inject == "r01"))
        .expect("r01 on record");
    let Event::InjectPlayed {
        recipient,
        direct,
        attachments,
        ..
    } = r01
    else {
        unreachable!()
    };
    assert_eq!(recipient.as_deref(), Some(bob.id().as_str()));
    assert!(*direct);
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].sha256, digest);
    let r02 = played
        .iter()
        .find(|e| matches!(e, Event::InjectPlayed { inject, .. } if inject == "r02"))
        .expect("r02 on record");
    assert!(
        matches!(r02, Event::InjectPlayed { handle: Some(h), direct: false, .. } if h == "@InfoVille_direct"),
        "{r02:?}"
    );
}
