//! Reading a room's copies of the chains, and comparing a local chain with them.

use serde_json::json;

use super::*;

/// A chain of `n` entries with made-up payloads, as the room carries them.
fn chain(crisis: &str, payloads: &[&str]) -> Vec<Mirrored> {
    let mut prev = GENESIS;
    let mut out = Vec::new();
    for (seq, payload) in (1..).zip(payloads) {
        let hash = journal::chain_hash(&prev, seq, payload.as_bytes());
        out.push(Mirrored {
            crisis: crisis.to_owned(),
            seq,
            prev: tocsin_core::digest::hex(&prev),
            hash: tocsin_core::digest::hex(&hash),
            payload: (*payload).to_owned(),
        });
        prev = hash;
    }
    out
}

fn local(chain: &[Mirrored]) -> Vec<Local> {
    chain
        .iter()
        .map(|m| Local {
            seq: m.seq,
            hash: m.hash.clone(),
            payload: m.payload.clone(),
        })
        .collect()
}

fn event(id: &str, sender: &str, entries: &[Mirrored]) -> RoomEvent {
    RoomEvent {
        event_id: id.to_owned(),
        sender: sender.to_owned(),
        at: None,
        content: json!({ "msgtype": "m.notice", "body": "✅", ENTRIES_FIELD: entries }),
    }
}

const BOT: &str = "@tocsin:chu.fr";

#[test]
fn a_chain_carried_across_several_events_agrees_with_itself() {
    let c = chain("c", &["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"]);
    let events = [
        event("$1", BOT, &c[..1]),
        // A later message carries again what only a companion carried.
        event("$2", BOT, &c[1..3]),
        event("$3", BOT, &c[2..3]),
    ];
    let room = read(&events, Some(BOT));
    let comparison = compare("c", &local(&c), &room);
    assert!(comparison.agrees(), "{comparison:?}");
    assert_eq!(comparison.matched, 3);
    assert!(comparison.missing.is_empty());
    assert_eq!(rebuild("c", &room).entries, c);
}

#[test]
fn a_perfect_local_forgery_is_named_by_the_room() {
    let genuine = chain("c", &["{\"a\":1}", "{\"a\":2}", "{\"a\":3}", "{\"a\":4}"]);
    // Entry 2 rewritten and every hash after it recomputed: the local chain
    // verifies on its own.
    let forged = chain("c", &["{\"a\":1}", "{\"a\":20}", "{\"a\":3}", "{\"a\":4}"]);
    let room = read(&[event("$all", BOT, &genuine)], Some(BOT));
    let comparison = compare("c", &local(&forged), &room);
    assert_eq!(
        comparison.first_difference,
        Some((
            2,
            "its content differs from the copy in the room (event $all)".to_owned()
        ))
    );
    assert_eq!(comparison.matched, 1);
}

#[test]
fn a_truncated_local_chain_and_holes_in_the_room_are_told_apart() {
    let c = chain("c", &["1", "2", "3", "4", "5"]);
    let room = read(
        &[event("$a", BOT, &c[..1]), event("$b", BOT, &c[3..])],
        Some(BOT),
    );
    let full = compare("c", &local(&c), &room);
    assert!(full.agrees());
    assert_eq!(full.missing, vec![(2, 3)]);
    let truncated = compare("c", &local(&c[..1]), &room);
    assert_eq!(
        truncated.first_difference,
        Some((
            4,
            "the room holds it (event $b) but the local chain ends at 1".to_owned()
        ))
    );
    // Rebuilding stops at the hole and says what lies beyond it.
    let rebuilt = rebuild("c", &room);
    assert_eq!(rebuilt.entries.len(), 1);
    assert_eq!(rebuilt.beyond, vec![4, 5]);
}

#[test]
fn copies_from_others_or_that_do_not_hold_together_are_not_believed() {
    let c = chain("c", &["1", "2"]);
    let mut forged = c.clone();
    forged[1].payload = "22".to_owned();
    let events = [
        event("$bot", BOT, &c),
        event("$mallory", "@mallory:chu.fr", &chain("c", &["1", "x"])),
        event("$unsound", BOT, &forged[1..]),
    ];
    let room = read(&events, Some(BOT));
    assert_eq!(room.senders, vec![BOT.to_owned()]);
    assert_eq!(
        room.conflicts,
        vec![("c".to_owned(), 2, "$unsound".to_owned())]
    );
    let comparison = compare("c", &local(&c), &room);
    assert_eq!(comparison.matched, 2);
    assert_eq!(comparison.first_difference.map(|d| d.0), Some(2));
    // Without a sender, both senders' copies are read, and they disagree.
    let anyone = read(&events, None);
    assert_eq!(anyone.senders.len(), 2);
}

#[test]
fn an_element_export_is_read_with_its_checkpoints() {
    let c = chain("c", &["1", "2"]);
    let text = json!({
        "room_name": "Cellule de crise",
        "room_creator": "Claire",
        "topic": "",
        "export_date": "29/11/2026",
        "exported_by": "Claire",
        "messages": [
            {
                "type": "m.room.message",
                "sender": BOT,
                "event_id": "$p",
                "room_id": "!cell:chu.fr",
                "origin_server_ts": 1_795_000_000_000_i64,
                "content": {
                    "msgtype": "m.notice",
                    "body": "point",
                    ENTRIES_FIELD: c,
                    CHECKPOINT_FIELD: { "crisis": "c", "seq": 2, "digest": c[1].hash },
                },
            },
            { "decrypted": { "type": "m.room.message", "sender": "@claire:chu.fr",
                             "event_id": "$q", "content": { "msgtype": "m.text", "body": "ok" } } },
        ],
    })
    .to_string();
    let events = element_export(&text).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].event_id, "$q");
    let room = read(&events, None);
    assert!(compare("c", &local(&c), &room).agrees());
    let (checkpoint, event_id, at) = &room.checkpoints[0];
    assert_eq!((checkpoint.seq, event_id.as_str()), (2, "$p"));
    assert!(at.is_some());
    assert!(element_export("{\"rooms\": []}").is_err());
}
