//! A crash mid-conversation loses nothing that was acknowledged.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use crate::support::{root, tocsin_bin};
use tocsin::journal::Journal;
use tocsin_core::engine::event::Event;

#[test]
fn entries_acknowledged_before_sigkill_are_all_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(tocsin_bin())
        .args([
            "console",
            "--new",
            "--data",
            dir.path().to_str().unwrap(),
            "--as",
            "scribe",
        ])
        .current_dir(root())
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Send a flood without waiting, so the kill lands while writes are in flight.
    let mut script = String::from("!ouvrir rancongiciel\n");
    for i in 1..=400 {
        script.push_str(&format!("!info message {i}\n"));
    }
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(script.as_bytes());
        stdin
    });
    let mut acked = Vec::new();
    let mut line = String::new();
    while acked.len() < 60 {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "console ended early"
        );
        if let Some(rest) = line.strip_prefix("✅ I") {
            acked.push(
                rest.split_whitespace()
                    .next()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap(),
            );
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    drop(writer.join());

    let mut infos = Vec::new();
    let (_journal, summary) = Journal::open(dir.path(), |e| {
        if let Event::Info { reference, text } = &e.record.event {
            infos.push((reference.clone(), text.clone()));
        }
    })
    .expect("the journal verifies after a crash");
    assert!(summary.n_entries >= 61);
    for n in acked {
        let (reference, text) = &infos[(n - 1) as usize];
        assert_eq!(reference, &format!("I{n}"));
        assert_eq!(
            text,
            &format!("message {n}"),
            "acknowledged entry I{n} is intact"
        );
    }
    // Whatever was written past the acknowledgements is a whole prefix, in order.
    for (idx, (reference, text)) in infos.iter().enumerate() {
        assert_eq!(reference, &format!("I{}", idx + 1));
        assert_eq!(text, &format!("message {}", idx + 1));
    }
}

#[test]
fn a_restart_after_downtime_records_a_gap_in_open_crises() {
    use chrono::{TimeDelta, Utc};
    use tocsin::runtime::{Delivery, Output, Runtime};
    use tocsin_core::engine::event::{Author, Event};
    use tocsin_core::engine::{Body, Input, Settings};

    let dir = tempfile::tempdir().unwrap();
    let catalog = || tocsin::load::dir(&crate::support::root().join("playbooks")).unwrap();
    let now = Utc::now();
    let (mut runtime, _) = Runtime::open(dir.path(), catalog(), Settings::default(), None).unwrap();
    // First start: no sign of life on record, nothing to report.
    assert!(
        runtime
            .record_downtime(now - TimeDelta::hours(1))
            .unwrap()
            .is_empty()
    );
    let open = Input {
        at: now - TimeDelta::hours(1),
        sent_at: now - TimeDelta::hours(1),
        author: Author {
            id: "@alice:chu.fr".into(),
            name: "alice".into(),
        },
        room: "!cell:chu.fr".into(),
        body: Body::Text("!ouvrir rancongiciel".into()),
        source: Some("$open".into()),
        privileged: true,
        quoted: None,
        in_reply_to: None,
    };
    runtime.handle(&open, None).unwrap();
    runtime.heartbeat(now - TimeDelta::minutes(50)).unwrap();
    runtime.close().unwrap();

    let (mut runtime, _) = Runtime::open(dir.path(), catalog(), Settings::default(), None).unwrap();
    let outputs = runtime.record_downtime(now).unwrap();
    assert!(
        matches!(&outputs[..], [Delivery { output: Output::Post { text, room, .. }, .. }] if room == "!cell:chu.fr" && text.contains("tocsin était arrêté") && text.contains("(50 min)")),
        "{outputs:?}"
    );
    // The heartbeat is now fresh: a quick restart reports nothing.
    assert!(
        runtime
            .record_downtime(now + TimeDelta::seconds(30))
            .unwrap()
            .is_empty()
    );
    let crisis = runtime.world().crises.keys().next().unwrap().clone();
    let entries = runtime.journal().entries(&crisis).unwrap();
    let gaps: Vec<&Event> = entries
        .iter()
        .map(|e| &e.record.event)
        .filter(|e| matches!(e, Event::Gap { .. }))
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    runtime.close().unwrap();
}
