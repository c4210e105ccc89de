//! The journal mirrored in the room: every entry rides on one of tocsin's
//! messages (or a companion event), checkpoints say the head in words, and a
//! room's copies rebuild the chain.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};

use tocsin::anchor::{self, Mirrored, RoomEvent};
use tocsin::runtime::{Delivery, Output, Runtime};
use tocsin_core::engine::event::PostTag;
use tocsin_core::engine::{Body, Settings};

use crate::support::root;

fn open(dir: &std::path::Path) -> Runtime {
    let mut runtime = crate::support::runtime(dir);
    runtime.mirror_in_rooms();
    runtime
}

fn say(runtime: &mut Runtime, n: u32, text: &str) -> Vec<Delivery> {
    input(runtime, n, Body::Text(text.into()))
}

fn input(runtime: &mut Runtime, n: u32, body: Body) -> Vec<Delivery> {
    let (input, reply_to) = crate::support::cell_input(n, body);
    runtime.handle(&input, Some(reply_to)).unwrap()
}

/// The room as the deliveries would leave it: one event per delivery that carries something.
fn room_events(deliveries: &[Delivery]) -> Vec<RoomEvent> {
    deliveries
        .iter()
        .filter(|d| !d.anchor.is_empty())
        .map(|d| RoomEvent {
            event_id: format!("${}", d.txn),
            sender: "@tocsin:chu.fr".into(),
            at: None,
            content: serde_json::Value::Object(d.anchor.fields()),
        })
        .collect()
}

fn seqs(delivery: &Delivery) -> Vec<u64> {
    delivery.anchor.entries.iter().map(|m| m.seq).collect()
}

#[test]
fn every_entry_reaches_the_room_and_the_room_rebuilds_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    let mut all = Vec::new();
    let opened = say(&mut runtime, 1, "!ouvrir rancongiciel");
    // The acknowledgement carries the opening's entries, and says nothing more.
    let ack = opened
        .iter()
        .find(|d| matches!(d.output, Output::Ack(_)))
        .unwrap();
    assert_eq!(seqs(ack)[0], 1);
    all.extend(opened);
    let crisis = runtime.world().open_in("!cell:chu.fr").unwrap().id.clone();
    let head = runtime.journal().head(&crisis).unwrap().seq;

    // A posted message's id has no message of its own: a companion event
    // carries it at once, and the next acknowledgement carries it again.
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 3, 41, 0).unwrap();
    let companion = runtime
        .record_posted(&crisis, &PostTag::Comcheck(1), "$posted", None, at)
        .unwrap();
    assert!(
        matches!(&companion[..], [d @ Delivery { output: Output::Mirror { room, .. }, .. }] if room == "!cell:chu.fr" && seqs(d) == vec![head + 1]),
        "{companion:?}"
    );
    all.extend(companion);
    let info = say(&mut runtime, 2, "!info Le standard ne répond plus");
    assert_eq!(seqs(&info[0]), vec![head + 1, head + 2], "{info:?}");
    all.extend(info);

    // A situation point is a checkpoint: the head in words and in the content.
    let point = say(&mut runtime, 3, "!point");
    let carrier = point
        .iter()
        .find(|d| d.anchor.checkpoint.is_some())
        .expect("a checkpoint");
    let checkpoint = carrier.anchor.checkpoint.clone().unwrap();
    let last = runtime.journal().head(&crisis).unwrap();
    assert_eq!(checkpoint.seq, last.seq);
    assert_eq!(checkpoint.digest, tocsin_core::digest::hex(&last.hash));
    let text = match &carrier.output {
        Output::Ack(t) | Output::Reply(t) | Output::Post { text: t, .. } => t.clone(),
        other => panic!("{other:?}"),
    };
    assert!(
        text.contains(&format!(
            "Point de contrôle de la main courante : entrée {}",
            last.seq
        )) && text.contains(&checkpoint.digest),
        "{text}"
    );
    all.extend(point);
    // The front end reports the message that said it; the report lists it.
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 3, 42, 0).unwrap();
    all.extend(
        runtime
            .record_checkpoint(&crisis, checkpoint.seq, "$checkpoint", at)
            .unwrap(),
    );
    let report = runtime.render_export(&crisis, "md", false, at).unwrap();
    let report = String::from_utf8(report.bytes).unwrap();
    let row = format!(
        "| {} | dim. 29 nov. 2026 04:40 | `{}` | `$checkpoint` |",
        checkpoint.seq, checkpoint.digest
    );
    assert!(
        report.contains("### Points de contrôle dans le salon") && report.contains(&row),
        "{report}"
    );
    let html = runtime.render_export(&crisis, "html", false, at).unwrap();
    assert!(
        String::from_utf8(html.bytes)
            .unwrap()
            .contains("<td class=\"mono\">$checkpoint</td>")
    );
    all.extend(say(&mut runtime, 4, "!clore"));
    // After the close, the chain ends with the seal: nothing more is recorded.
    let sealed = runtime.journal().head(&crisis).unwrap();
    assert!(
        runtime
            .record_checkpoint(&crisis, sealed.seq, "$seal", at)
            .unwrap()
            .is_empty()
    );
    assert_eq!(runtime.journal().head(&crisis), Some(sealed));

    // Whatever the room holds is the journal, entry for entry.
    let room = anchor::read(&room_events(&all), Some("@tocsin:chu.fr"));
    let entries = runtime.journal().entries(&crisis).unwrap();
    let local: Vec<_> = entries.iter().map(anchor::Local::of).collect();
    let comparison = anchor::compare(&crisis, &local, &room);
    assert!(comparison.agrees(), "{comparison:?}");
    assert!(comparison.missing.is_empty(), "{comparison:?}");
    let rebuilt = anchor::rebuild(&crisis, &room);
    let expected: Vec<Mirrored> = entries.iter().map(Mirrored::of).collect();
    assert_eq!(rebuilt.entries, expected);
    // The close's seal is the last checkpoint.
    let seals: BTreeMap<u64, String> = room
        .checkpoints
        .iter()
        .map(|(c, _, _)| (c.seq, c.digest.clone()))
        .collect();
    assert_eq!(
        seals.last_key_value(),
        Some((
            &entries.len().try_into().unwrap(),
            &expected.last().unwrap().hash
        ))
    );
}

#[test]
fn without_a_room_to_mirror_in_nothing_is_added() {
    // The console (and every runtime that did not ask) mirrors nothing.
    let dir = tempfile::tempdir().unwrap();
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let mut runtime = Runtime::open(dir.path(), catalog, Settings::default(), None)
        .unwrap()
        .0;
    let opened = say(&mut runtime, 1, "!ouvrir rancongiciel");
    assert!(opened.iter().all(|d| d.anchor.is_empty()));
    assert!(
        !opened
            .iter()
            .any(|d| matches!(d.output, Output::Mirror { .. }))
    );
}

/// The room as Element's "Export chat" (JSON) writes it: the envelope of
/// `createJSONString`, then each event Element shows, as its clear event
/// (element-web, `src/utils/exportUtils/JSONExport.ts`). Companion events
/// are left out, as Element leaves out events it has no tile for.
fn element_export(said: &[(String, u32)], deliveries: &[Delivery]) -> String {
    let base = Utc.with_ymd_and_hms(2026, 11, 29, 3, 40, 0).unwrap();
    let mut messages = Vec::new();
    for (n, (text, second)) in (1..).zip(said) {
        messages.push(serde_json::json!({
            "type": "m.room.message",
            "room_id": "!cell:chu.fr",
            "sender": "@alice:chu.fr",
            "event_id": format!("$event{second}"),
            "origin_server_ts": base.timestamp_millis() + i64::from(*second) * 1000,
            "content": { "msgtype": "m.text", "body": text },
            "unsigned": { "age": 1000 * n },
        }));
        for (k, delivery) in deliveries.iter().enumerate() {
            let answers = delivery
                .reply_to
                .as_ref()
                .is_some_and(|r| r.event_id == format!("$event{second}"));
            let text = match &delivery.output {
                Output::Ack(t) | Output::Refuse(t) | Output::Reply(t) if answers => t,
                _ => continue,
            };
            let mut content = serde_json::json!({
                "msgtype": "m.notice",
                "body": text,
                "m.relates_to": { "m.in_reply_to": { "event_id": format!("$event{second}") } },
            });
            content
                .as_object_mut()
                .unwrap()
                .extend(delivery.anchor.fields());
            messages.push(serde_json::json!({
                "type": "m.room.message",
                "room_id": "!cell:chu.fr",
                "sender": "@tocsin:chu.fr",
                "event_id": format!("$tocsin{second}-{k}"),
                "origin_server_ts": base.timestamp_millis() + i64::from(*second) * 1000 + 300,
                "content": content,
            }));
        }
    }
    let export = serde_json::json!({
        "room_name": "Cellule de crise",
        "room_creator": "Claire Martin",
        "topic": "Cellule de crise cyber",
        "export_date": "29/11/2026",
        "exported_by": "Claire Martin",
        "messages": messages,
    });
    serde_json::to_string_pretty(&export).unwrap() + "\n"
}

#[test]
fn an_element_room_export_anchors_the_journal_and_names_a_perfect_local_forgery() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    let said: Vec<(String, u32)> = [
        "!ouvrir rancongiciel",
        "!info Le standard ne répond plus",
        "!decision Passage en mode dégradé",
        "!point",
    ]
    .iter()
    .zip(1..)
    .map(|(t, n)| ((*t).to_owned(), n))
    .collect();
    let mut deliveries = Vec::new();
    for (text, n) in &said {
        deliveries.extend(say(&mut runtime, *n, text));
    }
    let crisis = runtime.world().open_in("!cell:chu.fr").unwrap().id.clone();
    let entries = runtime.journal().entries(&crisis).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 3, 45, 0).unwrap();
    let json = runtime.render_export(&crisis, "json", false, at).unwrap();
    let export = dir.path().join(json.name);
    std::fs::write(&export, json.bytes).unwrap();
    runtime.close().unwrap();
    let fixture = root().join("tests/data/element-export.json");
    expect_test::expect_file![fixture.clone()].assert_eq(&element_export(&said, &deliveries));
    let fixture = fixture.to_str().unwrap();

    let data = dir.path().to_str().unwrap();
    let out = crate::support::tocsin(&["verify", "--data", data, "--room-export", fixture], b"");
    let stdout = crate::support::text(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        crate::support::text(&out.stderr)
    );
    assert_eq!(
        stdout,
        format!(
            "ok: {crisis} — {n} of {n} entries identical in the room\n",
            n = entries.len()
        )
    );

    // The JSON export an auditor holds compares the same way.
    let out = crate::support::tocsin(
        &["verify", export.to_str().unwrap(), "--room-export", fixture],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        crate::support::text(&out.stderr)
    );

    // A perfect local forgery: the information rewritten, every hash after
    // it recomputed, the watermark too. The journal verifies on its own.
    let info = entries
        .iter()
        .position(|e| e.payload.contains("Le standard ne répond plus"))
        .unwrap();
    let mut prev = tocsin::journal::GENESIS;
    let mut chain = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let payload = if i == info {
            entry
                .payload
                .replace("ne répond plus", "répond normalement")
        } else {
            entry.payload.clone()
        };
        let hash = tocsin::journal::chain_hash(&prev, entry.record.seq, payload.as_bytes());
        chain.push((entry.record.seq, payload, hash));
        prev = hash;
    }
    let forged = tempfile::tempdir().unwrap();
    let (mut journal, _) = tocsin::journal::Journal::open(forged.path(), |_| {}).unwrap();
    journal.restore_chain(&crisis, &chain).unwrap();
    journal.close().unwrap();
    let forged = forged.path().to_str().unwrap();
    let alone = crate::support::tocsin(&["verify", "--data", forged], b"");
    assert!(alone.status.success(), "the forgery holds on its own");
    let out = crate::support::tocsin(&["verify", "--data", forged, "--room-export", fixture], b"");
    assert!(!out.status.success());
    let carrier = deliveries
        .iter()
        .position(|d| d.anchor.entries.iter().any(|m| m.seq == info as u64 + 1))
        .unwrap();
    assert_eq!(
        crate::support::text(&out.stderr),
        format!(
            "tocsin: DIFFERENCE with the room: {crisis}, entry {}: its content differs from the copy in the room (event $tocsin2-{carrier})\n",
            info + 1
        )
    );
}

#[test]
fn entries_too_large_for_a_message_go_on_companion_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    say(&mut runtime, 1, "!ouvrir rancongiciel");
    let crisis = runtime.world().open_in("!cell:chu.fr").unwrap().id.clone();
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 3, 41, 0).unwrap();
    // An entry larger than one event may carry (an absurd event id will do).
    let huge = format!("${}", "x".repeat(anchor::MAX_CARRIED));
    let companion = runtime
        .record_posted(&crisis, &PostTag::Comcheck(1), &huge, None, at)
        .unwrap();
    let big = runtime.journal().head(&crisis).unwrap().seq;
    assert!(
        matches!(&companion[..], [d @ Delivery { output: Output::Mirror { .. }, .. }] if seqs(d) == vec![big])
    );
    // The next acknowledgement does not take it along: it would not fit.
    let info = say(&mut runtime, 2, "!info Le standard ne répond plus");
    assert_eq!(seqs(&info[0]), vec![big + 1]);
}

#[test]
fn a_message_that_also_said_a_checkpoint_still_answers_its_reaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    say(&mut runtime, 1, "!ouvrir rancongiciel");
    say(&mut runtime, 2, "!role historien @alice:chu.fr");
    let sent = say(&mut runtime, 3, "!comcheck Qui me reçoit ?");
    assert!(matches!(sent[0].output, Output::Ack(_)), "{sent:?}");
    let crisis = runtime.world().open_in("!cell:chu.fr").unwrap().id.clone();
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 3, 41, 0).unwrap();
    // The comcheck message carried a checkpoint: one event id, two tags.
    runtime
        .record_posted(&crisis, &PostTag::Comcheck(1), "$comcheck", None, at)
        .unwrap();
    let seq = runtime.journal().head(&crisis).unwrap().seq;
    runtime
        .record_checkpoint(&crisis, seq, "$comcheck", at)
        .unwrap();
    input(
        &mut runtime,
        4,
        Body::Reaction {
            target: "$comcheck".into(),
            key: "✅".into(),
        },
    );
    let entries = runtime.journal().entries(&crisis).unwrap();
    assert_eq!(
        entries.last().unwrap().record.event.kind(),
        "comcheck_acknowledged"
    );
}
