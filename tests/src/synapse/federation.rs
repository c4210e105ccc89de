//! A crisis across two organisations: the hospital's homeserver (A) and the
//! regional health agency's (B), two loopback Synapses federating over TLS
//! (`scripts/synapse/pair`). The agency's member is invited from A, is
//! mentioned, owns an action, is refused what only the cell's leads may do,
//! takes a shift handover, may assign roles once given power level 50 in
//! the room, answers a comcheck; everything is encrypted and decrypts on both
//! sides.
//!
//! These tests need the pair: `scripts/test` starts it and sets
//! `TOCSIN_SYNAPSE_PAIR` to the two client URLs, comma-separated. Without it
//! they print "skipped" and pass, unless `TOCSIN_REQUIRE_FEDERATION=1`.

use matrix_sdk::Room;
use matrix_sdk::ruma::{OwnedServerName, OwnedUserId, RoomOrAliasId};

use super::{User, bot_setup_allowing, start_in_process, unique, wait_joined};

/// The client URLs of the two federating homeservers, or `None` to skip.
pub(crate) fn homeserver_pair(test: &str) -> Option<(String, String)> {
    match std::env::var("TOCSIN_SYNAPSE_PAIR") {
        Ok(urls) if !urls.is_empty() => {
            let (a, b) = urls
                .split_once(',')
                .expect("TOCSIN_SYNAPSE_PAIR holds two URLs separated by a comma");
            eprintln!("federated test {test}: running against {a} and {b}");
            Some((a.trim().to_owned(), b.trim().to_owned()))
        }
        _ => {
            assert!(
                std::env::var_os("TOCSIN_REQUIRE_FEDERATION").is_none(),
                "TOCSIN_REQUIRE_FEDERATION is set but TOCSIN_SYNAPSE_PAIR is not"
            );
            eprintln!(
                "federated test {test}: skipped (TOCSIN_SYNAPSE_PAIR not set; scripts/test sets it)"
            );
            None
        }
    }
}

/// `user` joins `room` from their own homeserver, through the room's server.
pub(crate) async fn join_remote(user: &User, room: &Room) -> Room {
    let server: OwnedServerName = room.own_user_id().server_name().to_owned();
    let id: &RoomOrAliasId = room.room_id().into();
    let joined = user
        .client
        .join_room_by_id_or_alias(id, &[server])
        .await
        .expect("joining over federation");
    wait_joined(room, &user.id()).await;
    joined
}

/// Neither side met a message it could not decrypt.
pub(crate) fn everything_decrypted(users: &[&User]) {
    for user in users {
        let undecryptable = user.undecryptable.lock().unwrap();
        assert!(
            undecryptable.is_empty(),
            "{} could not decrypt {undecryptable:?}",
            user.id()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crisis_across_two_homeservers() {
    let Some((url_a, url_b)) = homeserver_pair("a_crisis_across_two_homeservers") else {
        return;
    };
    let alice = User::register(&url_a, &unique("alice"), "alice-password").await;
    let ars = User::register(&url_b, &unique("ars"), "ars-password").await;
    let ars_id: OwnedUserId = ars.id();
    assert_ne!(alice.id().server_name(), ars_id.server_name());
    // Everyone on the hospital's server may invite the bot, nobody else.
    let hospital = alice.id().server_name().to_string();
    let setup = bot_setup_allowing(&url_a, &[&hospital]).await;
    let bot_id = setup.user_id.clone();
    let bot = start_in_process(&setup);

    let room = alice.create_encrypted_room(&[&bot_id, &ars_id]).await;
    wait_joined(&room, &bot_id).await;
    let ars_room = join_remote(&ars, &room).await;
    let open = alice.send(&room, "!ouvrir rancongiciel").await;
    alice.reply_to(&bot_id, &open).await;

    // The agency's member is mentioned as an action's owner, on their server too.
    let action = alice
        .send(
            &room,
            &format!("!action Appeler le CERT Santé {ars_id} dans 30m"),
        )
        .await;
    let reply = alice.reply_to(&bot_id, &action).await;
    assert!(
        reply
            .body
            .contains(&format!("A1 — action enregistrée · pour {ars_id}")),
        "{}",
        reply.body
    );
    let seen_remotely = ars.reply_to(&bot_id, &action).await;
    assert_eq!(seen_remotely.mentions, vec![ars_id.clone()]);

    // Their power level (0, held on the hospital's server) keeps !clore from them.
    let close = ars.send(&ars_room, "!clore").await;
    assert_eq!(ars.reaction_on(&bot_id, &close).await, "⛔");
    let refusal = ars.reply_to(&bot_id, &close).await;
    assert!(
        refusal.body.contains("!clore est réservé aux responsables"),
        "{}",
        refusal.body
    );

    // They log information and close their own action: the bot reads them.
    let info = ars
        .send(&ars_room, "!info Le CERT Santé a pris l'alerte")
        .await;
    assert!(
        ars.reply_to(&bot_id, &info)
            .await
            .body
            .contains("I1 — information enregistrée")
    );
    let done = ars.send(&ars_room, "!fait A1").await;
    assert_eq!(ars.reaction_on(&bot_id, &done).await, "✅");

    // A shift handover to them (the GHT's lead establishment takes the cell
    // for the night), confirmed with !ack from their server, then back.
    let handover = alice.send(&room, &format!("!relève {ars_id}")).await;
    alice.reply_to(&bot_id, &handover).await;
    ars.bot_message(&bot_id, "🔁 Relève :").await;
    let ack = ars.send(&ars_room, "!ack").await;
    ars.reply_to(&bot_id, &ack).await;
    let taken = alice.bot_message(&bot_id, "🔁 Relève faite").await;
    assert!(
        taken.body.contains(&format!("{ars_id} tient la cellule")),
        "{}",
        taken.body
    );
    let back = ars
        .send(&ars_room, &format!("!relève {}", alice.id()))
        .await;
    ars.reply_to(&bot_id, &back).await;
    let ack = alice.send(&room, "!ack").await;
    alice.reply_to(&bot_id, &ack).await;

    // A power level counts wherever its holder's account lives: raised to 50
    // in the room, the agency's member may now assign roles.
    room.update_power_levels(vec![(&ars_id, 50.into())])
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + super::TIMEOUT;
    loop {
        let member = ars_room.get_member(&ars_id).await.unwrap();
        if member.is_some_and(|m| {
            m.power_level()
                == matrix_sdk::ruma::events::room::power_levels::UserPowerLevel::Int(50.into())
        }) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the new power level did not reach the agency's server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let assign = ars
        .send(&ars_room, &format!("!rôle historien {ars_id}"))
        .await;
    assert_eq!(ars.reaction_on(&bot_id, &assign).await, "✅");

    // From now on they follow the cell read-only, as the agency's observer:
    // their commands are refused but !statut, and they still answer comchecks.
    let role = alice
        .send(&room, &format!("!rôle observateur-ars {ars_id}"))
        .await;
    alice.reply_to(&bot_id, &role).await;
    let refused = ars
        .send(&ars_room, "!décision Déclencher le plan blanc")
        .await;
    let refusal = ars.reply_to(&bot_id, &refused).await;
    assert!(
        refusal
            .body
            .contains("Vous suivez la cellule en observateur"),
        "{}",
        refusal.body
    );
    let status = ars.send(&ars_room, "!statut").await;
    assert!(
        ars.reply_to(&bot_id, &status)
            .await
            .body
            .contains("observateur-ars")
    );
    let comcheck = alice.send(&room, "!comcheck Liaison ARS").await;
    alice.reply_to(&bot_id, &comcheck).await;
    let post = ars.bot_message(&bot_id, "📣 Comcheck n°1").await;
    ars_room
        .send(
            matrix_sdk::ruma::events::reaction::ReactionEventContent::new(
                matrix_sdk::ruma::events::relation::Annotation::new(
                    post.event_id.clone(),
                    "✅".to_owned(),
                ),
            ),
        )
        .await
        .unwrap();
    let ars_for_seen = ars_id.clone();
    alice
        .wait_for("the agency's ✅ on the comcheck", |seen| {
            seen.iter()
                .find(|s| {
                    s.sender == ars_for_seen
                        && s.reaction
                            .as_ref()
                            .is_some_and(|(t, _)| *t == post.event_id)
                })
                .cloned()
        })
        .await;
    // Alice saw the ✅ first: the room's order, which the bot follows, has it before her question.
    let ask = alice.send(&room, "!comcheck").await;
    let answered = alice.reply_to(&bot_id, &ask).await;
    assert!(
        answered
            .body
            .contains("Comcheck n°1 : tout le monde a répondu (1)"),
        "{}",
        answered.body
    );

    everything_decrypted(&[&alice, &ars]);
    bot.stop().await;
    // The bot decrypted everything too: an undecryptable message is a `gap` entry.
    let mut kinds = Vec::new();
    tocsin::journal::Journal::open(&setup.dir.path().join("data"), |e| {
        kinds.push(e.record.event.kind());
    })
    .unwrap();
    assert!(!kinds.contains(&"gap"), "{kinds:?}");
    assert!(kinds.contains(&"comcheck_acknowledged"), "{kinds:?}");
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "handover_acknowledged")
            .count(),
        2,
        "{kinds:?}"
    );
}
