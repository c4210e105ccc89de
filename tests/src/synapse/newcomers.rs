//! Someone who joins a room mid-crisis cannot decrypt what was said before
//! (most clients share no history keys with newcomers): tocsin briefs them
//! with the état de situation, and their arrival is on record.

use tocsin::journal::Journal;

use super::outage::crisis_room;
use super::{User, bot_setup, homeserver, start_in_process, unique, wait_joined};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_joining_mid_crisis_is_briefed() {
    let Some(url) = homeserver("a_member_joining_mid_crisis_is_briefed") else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let dan = User::register(&url, &unique("dan"), "dan-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot_id = setup.user_id.clone();
    let bot = start_in_process(&setup);
    let room = crisis_room(&alice, &[], &bot_id).await;
    let decision = alice
        .send(
            &room,
            "!décision Passer les urgences en mode papier -- réseau coupé",
        )
        .await;
    alice.reply_to(&bot_id, &decision).await;

    // Dan, the night's second nurse manager, is invited and joins.
    room.invite_user_by_id(&dan.id()).await.unwrap();
    dan.client.join_room_by_id(room.room_id()).await.unwrap();
    wait_joined(&room, &dan.id()).await;
    let briefing = dan
        .wait_for("the briefing", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.body.contains("Bienvenue"))
                .cloned()
        })
        .await;
    assert!(briefing.notice);
    assert!(briefing.mentions.contains(&dan.id()), "{briefing:?}");
    assert!(
        briefing
            .body
            .contains("D1 Passer les urgences en mode papier")
            && briefing.body.contains("!statut"),
        "{}",
        briefing.body
    );

    bot.stop().await;
    let mut joined = Vec::new();
    Journal::open(&setup.dir.path().join("data"), |e| {
        if e.record.event.kind() == "member_joined" {
            joined.push(e.record.author.id.clone());
        }
    })
    .unwrap();
    assert_eq!(joined, [dan.id().to_string()]);
}
