//! A regional exercise across two homeservers: one animation room on the
//! hospital's server (A) drives two establishments' players' rooms, one on
//! A and one on another establishment's server (B). Each link waits for its
//! lead's `!accepter`; an inject fired to all reaches both rooms, each in its
//! establishment's variant; `!chrono` shows both; the consolidated summary
//! holds both establishments' measures and none of their players' text.
//!
//! Needs the federated pair (`scripts/test` sets `TOCSIN_SYNAPSE_PAIR`).

use matrix_sdk::Room;
use matrix_sdk::ruma::{OwnedUserId, UserId};

use super::federation::{everything_decrypted, homeserver_pair};
use super::{Seen, User, bot_setup_allowing, start_in_process, unique};

/// The inject whose text names the establishment, and each site's words in it.
const VARIANT_INJECT: &str = "i01";
const NORTH_WORDS: &str = "CHU Nord";
const SOUTH_WORDS: &str = "CH Sud";
/// Words of i02's text, which only the south's room receives.
const I02_WORDS: &str = "Tous les écrans";

/// The first message of the bot in `room` holding `needle`, as `user` saw it.
async fn said_in(user: &User, bot: &UserId, room: &Room, needle: &str) -> Seen {
    let (bot, room_id, wanted) = (bot.to_owned(), room.room_id().to_owned(), needle.to_owned());
    user.wait_for(&format!("a bot message holding {needle:?}"), move |seen| {
        seen.iter()
            .find(|s| s.sender == bot && s.room == room_id && s.body.contains(&wanted))
            .cloned()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_animation_room_drives_two_establishments_on_two_homeservers() {
    let Some((url_a, url_b)) = homeserver_pair("regional") else {
        return;
    };
    let anna = User::register(&url_a, &unique("anna"), "anna-password").await;
    let alice = User::register(&url_a, &unique("alice"), "alice-password").await;
    let bruno = User::register(&url_b, &unique("bruno"), "bruno-password").await;
    let (server_a, server_b) = (
        alice.id().server_name().to_string(),
        bruno.id().server_name().to_string(),
    );
    assert_ne!(server_a, server_b);
    // The regional animation team's tocsin lives on A; both establishments may invite it.
    let setup = bot_setup_allowing(&url_a, &[&server_a, &server_b]).await;
    let bot_id: OwnedUserId = setup.user_id.clone();
    let bot = start_in_process(&setup);

    let anim = anna.players_room(&bot_id, &[]).await;
    let north = alice.players_room(&bot_id, &[]).await;
    // The south establishment's room lives on B; the bot joins it over federation.
    let south = bruno.players_room(&bot_id, &[]).await;
    let north_crisis = alice.open_exercise(&north, &bot_id).await;
    let south_crisis = bruno.open_exercise(&south, &bot_id).await;

    // Both proposals go out; nothing is linked until each lead accepts.
    for (site, crisis) in [("chu-nord", &north_crisis), ("ch-sud", &south_crisis)] {
        let link = anna
            .send(&anim, &format!("!animer@{site} {crisis} demo-20min manuel"))
            .await;
        let ack = anna.reply_to(&bot_id, &link).await;
        assert!(ack.body.contains("Proposition envoyée"), "{}", ack.body);
    }
    let early = anna.send(&anim, "!debex").await;
    let waiting = anna.reply_to(&bot_id, &early).await;
    assert!(
        waiting.body.contains("En attente de l'accord des joueurs"),
        "{}",
        waiting.body
    );
    alice.bot_message(&bot_id, "propose d'animer").await;
    let accept = alice.send(&north, "!accepter").await;
    alice.reply_to(&bot_id, &accept).await;
    anna.bot_message(&bot_id, "Salon d'animation lié").await;
    // One establishment linked, the other still waiting for its lead: the
    // animation room cannot reach the south yet.
    let early = anna.send(&anim, "!inject@ch-sud i01").await;
    let refused = anna.reply_to(&bot_id, &early).await;
    assert!(
        refused.body.contains("« ch-sud »")
            && refused
                .body
                .contains("attend encore l'accord de ses joueurs"),
        "{}",
        refused.body
    );
    bruno.bot_message(&bot_id, "propose d'animer").await;
    let accept = bruno.send(&south, "!accepter").await;
    bruno.reply_to(&bot_id, &accept).await;
    let linked = anna.bot_message(&bot_id, "[ch-sud]").await;
    assert!(
        linked.body.contains("Salon d'animation lié"),
        "{}",
        linked.body
    );

    // Started together, an inject fired to all: each room reads its variant.
    let debex = anna.send(&anim, "!debex").await;
    let started = anna.reply_to(&bot_id, &debex).await;
    assert!(
        started.body.contains("[chu-nord] DEBEX") && started.body.contains("[ch-sud] DEBEX"),
        "{}",
        started.body
    );
    let fire = anna.send(&anim, &format!("!inject {VARIANT_INJECT}")).await;
    let fired = anna.reply_to(&bot_id, &fire).await;
    assert!(
        fired.body.contains("[chu-nord]") && fired.body.contains("[ch-sud]"),
        "{}",
        fired.body
    );
    let north_saw = said_in(&alice, &bot_id, &north, NORTH_WORDS).await;
    let south_saw = said_in(&bruno, &bot_id, &south, SOUTH_WORDS).await;
    assert!(
        north_saw.body.contains(NORTH_WORDS) && !north_saw.body.contains(SOUTH_WORDS),
        "{}",
        north_saw.body
    );
    assert!(
        south_saw.body.contains(SOUTH_WORDS) && !south_saw.body.contains(NORTH_WORDS),
        "{}",
        south_saw.body
    );

    // Each cell plays its own game; one inject goes to the south alone.
    let info = alice
        .send(
            &north,
            "!info SECRET-NORD-42 les écrans des urgences sont noirs",
        )
        .await;
    alice.reply_to(&bot_id, &info).await;
    let decision = bruno
        .send(&south, "!décision SECRET-SUD-17 couper le réseau")
        .await;
    bruno.reply_to(&bot_id, &decision).await;
    let decision = bruno
        .send(&south, "!décision SECRET-SUD-18 déclencher le plan blanc")
        .await;
    bruno.reply_to(&bot_id, &decision).await;
    let one = anna.send(&anim, "!inject@ch-sud i02").await;
    let fired = anna.reply_to(&bot_id, &one).await;
    assert!(
        fired.body.contains("[ch-sud]") && !fired.body.contains("[chu-nord]"),
        "{}",
        fired.body
    );
    said_in(&bruno, &bot_id, &south, I02_WORDS).await;
    let obs = anna
        .send(&anim, "!obs@chu-nord OBS-TEXT-99 la cellule hésite")
        .await;
    anna.reply_to(&bot_id, &obs).await;

    // The combined schedule view.
    let chrono = anna.send(&anim, "!chrono").await;
    let view = anna.reply_to(&bot_id, &chrono).await;
    assert!(
        view.body.contains("2 établissements")
            && view.body.contains("[chu-nord] T+")
            && view.body.contains("[ch-sud] T+"),
        "{}",
        view.body
    );

    // The consolidated summary: both establishments' measures, no player's text.
    let export = anna.send(&anim, "!export md").await;
    anna.reply_to(&bot_id, &export).await;
    let anim_id = anim.room_id().to_owned();
    let bot_for_file = bot_id.clone();
    let file = anna
        .wait_for("the summary file", move |seen| {
            seen.iter()
                .find(|s| s.sender == bot_for_file && s.room == anim_id && s.file.is_some())
                .and_then(|s| s.file.clone())
        })
        .await;
    let summary = String::from_utf8(anna.encrypted_file(&file).await).unwrap();
    for present in [
        "chu-nord",
        "ch-sud",
        north_crisis.as_str(),
        south_crisis.as_str(),
        VARIANT_INJECT,
        "i02",
    ] {
        assert!(summary.contains(present), "{present} missing:\n{summary}");
    }
    for absent in [
        "SECRET-NORD-42",
        "SECRET-SUD-17",
        "SECRET-SUD-18",
        "OBS-TEXT-99",
        "écrans des urgences",
        alice.id().as_str(),
        bruno.id().as_str(),
    ] {
        assert!(!summary.contains(absent), "{absent} leaked:\n{summary}");
    }

    // No facilitator material reached the players' rooms.
    for (user, room) in [(&alice, &north), (&bruno, &south)] {
        let seen = user.seen.lock().unwrap();
        let leaked: Vec<&Seen> = seen
            .iter()
            .filter(|s| s.room == room.room_id() && s.body.contains("OBS-TEXT-99"))
            .collect();
        assert!(leaked.is_empty(), "{leaked:?}");
    }
    // The inject fired to the south alone never reached the north.
    assert!(
        !alice
            .seen
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.room == north.room_id() && s.body.contains(I02_WORDS))
    );
    everything_decrypted(&[&anna, &alice, &bruno]);
    bot.stop().await;

    // Each establishment's chain holds its own entries, verified at open.
    let mut played: Vec<(String, String)> = Vec::new();
    let mut decisions: Vec<String> = Vec::new();
    tocsin::journal::Journal::open(&setup.dir.path().join("data"), |e| match &e.record.event {
        tocsin_core::engine::event::Event::InjectPlayed { inject, text, .. } => {
            played.push((e.record.crisis.clone(), format!("{inject} {text}")));
        }
        tocsin_core::engine::event::Event::Decision { .. } => {
            decisions.push(e.record.crisis.clone());
        }
        _ => {}
    })
    .expect("the journal verifies");
    let of = |crisis: &str| -> Vec<&str> {
        played
            .iter()
            .filter(|(c, _)| c == crisis)
            .map(|(_, t)| t.as_str())
            .collect()
    };
    let (north_played, south_played) = (of(&north_crisis), of(&south_crisis));
    assert_eq!(north_played.len(), 1, "{north_played:?}");
    assert!(north_played[0].contains(NORTH_WORDS), "{north_played:?}");
    assert_eq!(south_played.len(), 2, "{south_played:?}");
    assert!(south_played[0].contains(SOUTH_WORDS), "{south_played:?}");
    assert_eq!(decisions, [south_crisis.clone(), south_crisis.clone()]);
}
