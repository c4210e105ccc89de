//! The outbox: what tocsin decided to say is durable with the records it
//! answers, and said again after a crash, under the same transaction ids.

use chrono::{TimeZone, Utc};
use expect_test::expect;

use tocsin::runtime::{Delivery, Output, ReplyTo, Runtime};
use tocsin_core::engine::event::PostTag;
use tocsin_core::engine::{Body, Input};

fn open(dir: &std::path::Path) -> Runtime {
    crate::support::runtime(dir)
}

fn input(n: u32, text: &str) -> (Input, ReplyTo) {
    crate::support::cell_input(n, Body::Text(text.into()))
}

#[test]
fn an_answer_not_carried_out_is_handed_back_after_a_restart_then_never_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    assert!(
        runtime.undelivered().unwrap().is_empty(),
        "a new journal has nothing to deliver"
    );
    let (open_crisis, reply) = input(1, "!ouvrir rancongiciel");
    for delivery in runtime.handle(&open_crisis, Some(reply)).unwrap() {
        runtime.delivered(delivery.id).unwrap();
    }
    let (info, reply) = input(2, "!info Le standard ne répond plus");
    let decided = runtime.handle(&info, Some(reply.clone())).unwrap();
    assert!(
        matches!(&decided[..], [Delivery { output: Output::Ack(text), .. }] if text.contains("I1")),
        "{decided:?}"
    );
    // A crash before the ✅ went out: the answer is still owed.
    runtime.close().unwrap();
    let mut runtime = open(dir.path());
    let owed = runtime.undelivered().unwrap();
    assert_eq!(owed, decided, "handed back whole, with its transaction id");
    assert_eq!(owed[0].reply_to.as_ref(), Some(&reply));
    // The same event delivered again by the homeserver is not recorded twice
    // and answers nothing new.
    assert!(runtime.handle(&info, Some(reply)).unwrap().is_empty());
    runtime.delivered(owed[0].id).unwrap();
    runtime.close().unwrap();
    let runtime = open(dir.path());
    assert!(runtime.undelivered().unwrap().is_empty());
    runtime.close().unwrap();
}

#[test]
fn a_refusal_handled_again_keeps_its_transaction_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    let (typo, reply) = input(1, "!decison oups");
    let first = runtime.handle(&typo, Some(reply.clone())).unwrap();
    let again = runtime.handle(&typo, Some(reply)).unwrap();
    assert!(matches!(first[0].output, Output::Refuse(_)), "{first:?}");
    assert_eq!(first[0].txn, again[0].txn);
    assert_ne!(first[0].id, again[0].id, "two outbox items");
    runtime.close().unwrap();
}

#[test]
fn the_outbox_format_is_stable() {
    // Outbox items outlive a tocsin version across an upgrade: pin their JSON.
    let delivery = Delivery {
        id: 7,
        txn: "20261129-rancongiciel/2/0".into(),
        reply_to: Some(ReplyTo {
            room: "!cell:chu.fr".into(),
            event_id: "$e".into(),
            thread: Some("$root".into()),
            message: true,
        }),
        output: Output::Ack("I1 — information enregistrée".into()),
        anchor: tocsin::anchor::Anchor::default(),
        receipt: None,
        urgent: false,
    };
    let outputs = [
        delivery.output.clone(),
        Output::Refuse("non".into()),
        Output::Reply("aide".into()),
        Output::Post {
            room: "!r".into(),
            crisis: "c".into(),
            text: "rappel".into(),
            tag: Some(PostTag::Checklist("pd-lab".into())),
        },
        Output::Edit {
            room: "!r".into(),
            crisis: "c".into(),
            tag: PostTag::Checklist("pd-lab".into()),
            text: "liste".into(),
        },
        Output::Export {
            room: "!r".into(),
            crisis: "c".into(),
            format: "json".into(),
            players: false,
        },
        Output::Stimulus(tocsin::runtime::StimulusOutput {
            room: "!r".into(),
            crisis: "c".into(),
            inject: "i14".into(),
            direct_to: Some("@dg:chu.fr".into()),
            text: "[EXERCICE] 📧 Courriel — X : payez".into(),
            html: None,
            files: vec![tocsin_core::engine::StimulusFile {
                name: "note.txt".into(),
                path: "/srv/tocsin/playbooks/scenarios/fichiers/note.txt".into(),
                sha256: "ab".repeat(32),
                mime: "text/plain".into(),
                caption: Some("[EXERCICE] note.txt".into()),
            }],
        }),
    ];
    let json: Vec<String> = std::iter::once(serde_json::to_string(&delivery).unwrap())
        .chain(outputs.iter().map(|o| serde_json::to_string(o).unwrap()))
        .collect();
    expect![[r#"
        {"txn":"20261129-rancongiciel/2/0","reply_to":{"room":"!cell:chu.fr","event_id":"$e","thread":"$root","message":true},"output":{"ack":"I1 — information enregistrée"}}
        {"ack":"I1 — information enregistrée"}
        {"refuse":"non"}
        {"reply":"aide"}
        {"post":{"room":"!r","crisis":"c","text":"rappel","tag":"proc:pd-lab"}}
        {"edit":{"room":"!r","crisis":"c","tag":"proc:pd-lab","text":"liste"}}
        {"export":{"room":"!r","crisis":"c","format":"json","players":false}}
        {"stimulus":{"room":"!r","crisis":"c","inject":"i14","direct_to":"@dg:chu.fr","text":"[EXERCICE] 📧 Courriel — X : payez","files":[{"name":"note.txt","path":"/srv/tocsin/playbooks/scenarios/fichiers/note.txt","sha256":"abababababababababababababababababababababababababababababababab","mime":"text/plain","caption":"[EXERCICE] note.txt"}]}}"#]].assert_eq(&json.join("\n"));
    let back: Delivery = serde_json::from_str(&json[0]).unwrap();
    assert_eq!(back, Delivery { id: 0, ..delivery });
}

/// A message the homeserver refuses for good (after retries) is on record in
/// the room's crisis: the log says what the room never saw.
#[test]
fn a_refused_message_is_on_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    let (open_crisis, reply) = input(1, "!ouvrir rancongiciel");
    runtime.handle(&open_crisis, Some(reply)).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 3, 41, 0).unwrap();
    runtime
        .record_refused(
            "!cell:chu.fr",
            "tocsin-1-2-0",
            "M_FORBIDDEN: power level too low",
            at,
        )
        .unwrap();
    // Outside a crisis there is nothing to record it in.
    runtime
        .record_refused("!elsewhere:chu.fr", "tocsin-9-9-0", "M_FORBIDDEN", at)
        .unwrap();
    drop(runtime);
    let mut kinds = Vec::new();
    tocsin::journal::Journal::open(dir.path(), |e| {
        if let tocsin_core::engine::event::Event::Undelivered { txn, reason } = &e.record.event {
            kinds.push(format!("{} {txn} {reason}", e.record.crisis));
        }
    })
    .unwrap();
    assert_eq!(kinds.len(), 1, "{kinds:?}");
    assert!(
        kinds[0].ends_with("-rancongiciel tocsin-1-2-0 M_FORBIDDEN: power level too low"),
        "{kinds:?}"
    );
}

/// An opening that inherits open improvements writes two entries from one
/// chat event; the journal indexes the event once and opens again after.
#[test]
fn an_opening_that_inherits_the_plan_reopens_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = open(dir.path());
    for (n, text) in [
        (1, "!ouvrir rancongiciel"),
        (2, "!amélioration Imprimer l'annuaire de crise"),
        (3, "!clore"),
        (4, "!ouvrir rancongiciel"),
    ] {
        let (said, reply) = input(n, text);
        runtime.handle(&said, Some(reply)).unwrap();
    }
    runtime.close().unwrap();
    let (journal, summary) =
        tocsin::journal::Journal::open(dir.path(), |_| {}).expect("the journal opens and verifies");
    let mut kinds = Vec::new();
    for crisis in journal.crises().map(str::to_owned).collect::<Vec<_>>() {
        kinds.extend(
            journal
                .entries(&crisis)
                .unwrap()
                .iter()
                .map(|e| e.record.event.kind()),
        );
    }
    assert!(kinds.contains(&"plan_carried"), "{kinds:?} {summary:?}");
}
