//! Journal tests: chains, tamper detection, deduplication, lost entries.

use chrono::{TimeZone, Utc};

use super::{GENESIS, Hash, Journal, JournalError, chain_hash};
use tocsin_core::engine::event::{Author, Event, RECORD_VERSION, Record};

fn record(crisis: &str, seq: u64, source: Option<&str>) -> Record {
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 2, 40, 0).unwrap()
        + chrono::TimeDelta::seconds(seq as i64);
    let event = if seq == 1 {
        Event::CrisisOpened {
            room: "!r".into(),
            playbook: "p".into(),
            playbook_version: "1".into(),
            exercise: false,
        }
    } else {
        Event::Info {
            reference: format!("I{}", seq - 1),
            text: format!("information {seq}"),
        }
    };
    Record {
        v: RECORD_VERSION,
        seq,
        crisis: crisis.to_owned(),
        occurred_at: at,
        recorded_at: at,
        author: Author {
            id: "@a:x".into(),
            name: "A".into(),
        },
        role: None,
        source: source.map(str::to_owned),
        transcribed: false,
        recorded_by: None,
        quotes: None,
        links: Vec::new(),
        event,
    }
}

fn fill(journal: &mut Journal, crisis: &str, n: u64) {
    for seq in 1..=n {
        let source = format!("$ev{seq}-{crisis}");
        journal
            .append(&[record(crisis, seq, Some(&source))])
            .unwrap();
    }
}

#[test]
fn entries_survive_reopening_and_chain_their_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c1", 5);
    fill(&mut journal, "c2", 3);
    journal.close().unwrap();

    let mut seen = Vec::new();
    let (journal, summary) = Journal::open(dir.path(), |e| {
        seen.push((e.record.crisis.clone(), e.record.seq))
    })
    .unwrap();
    assert_eq!(summary.n_entries, 8);
    assert_eq!(summary.chains.len(), 2);
    assert_eq!(seen.len(), 8);
    let entries = journal.entries("c1").unwrap();
    assert_eq!(entries[0].prev_hash, GENESIS);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(
            pair[1].hash,
            chain_hash(
                &pair[0].hash,
                pair[1].record.seq,
                pair[1].payload.as_bytes()
            )
        );
    }
    assert_eq!(journal.head("c1").unwrap().hash, entries[4].hash);
}

#[test]
fn an_event_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    journal.append(&[record("c", 1, Some("$open"))]).unwrap();
    journal.append(&[record("c", 2, Some("$same"))]).unwrap();
    assert!(journal.has_source("$same").unwrap());
    let again = journal.append(&[record("c", 3, Some("$same"))]);
    assert!(
        matches!(again, Err(JournalError::Duplicate { seq: 2, .. })),
        "{again:?}"
    );
    assert_eq!(journal.head("c").unwrap().seq, 2);
}

#[test]
fn appends_that_do_not_continue_the_chain_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    let err = journal.append(&[record("c", 2, None)]).unwrap_err();
    assert!(err.to_string().contains("expected entry 1"), "{err}");
    journal.append(&[record("c", 1, None)]).unwrap();
    let err = journal.append(&[record("c", 3, None)]).unwrap_err();
    assert!(err.to_string().contains("expected entry 2, got 3"), "{err}");
    let mut not_open = record("d", 1, None);
    not_open.event = Event::CrisisClosed {};
    assert!(journal.append(&[not_open]).is_err());
}

/// A regional exercise's command records in several crises: one write, all or nothing.
#[test]
fn a_batch_across_crises_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "nord", 2);
    fill(&mut journal, "sud", 4);
    // The second crisis's entry does not continue its chain: neither is written.
    let bad = [record("nord", 3, Some("$cmd")), record("sud", 9, None)];
    let err = journal.append_with_outbox(&bad, |_| vec![b"x".to_vec()]);
    assert!(err.is_err());
    assert_eq!(journal.head("nord").unwrap().seq, 2);
    assert!(!journal.has_source("$cmd").unwrap());
    // A crisis's records must follow each other.
    let split = [
        record("nord", 3, None),
        record("sud", 5, None),
        record("nord", 4, None),
    ];
    assert!(journal.append(&split).is_err());
    assert_eq!(journal.head("sud").unwrap().seq, 4);
    // One chat event is the source of one entry only.
    let twice = [
        record("nord", 3, Some("$cmd")),
        record("sud", 5, Some("$cmd")),
    ];
    let err = journal.append(&twice).unwrap_err();
    assert!(err.to_string().contains("source of two entries"), "{err}");
    // Both continue their chains: both are written, with the outbox item.
    let good = [
        record("nord", 3, Some("$cmd")),
        record("nord", 4, None),
        record("sud", 5, None),
    ];
    let (entries, ids) = journal
        .append_with_outbox(&good, |entries| {
            assert_eq!(entries.len(), 3);
            vec![b"answer".to_vec()]
        })
        .unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(ids.len(), 1);
    assert!(journal.has_source("$cmd").unwrap());
    journal.close().unwrap();
    let (journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    assert_eq!(journal.head("nord").unwrap().seq, 4);
    assert_eq!(journal.head("sud").unwrap().seq, 5);
    // Each entry in its own crisis's chain, in order, as appended.
    for (crisis, n) in [("nord", 4), ("sud", 5)] {
        let stored = journal.entries(crisis).unwrap();
        assert_eq!(stored.len(), n);
        for (seq, entry) in (1..).zip(&stored) {
            assert_eq!(
                entry.record,
                record(crisis, seq, entry.record.source.as_deref())
            );
        }
    }
    let nord = journal.entries("nord").unwrap();
    assert_eq!(nord[2].record.source.as_deref(), Some("$cmd"));
    assert_eq!(journal.entries("sud").unwrap()[4].record.source, None);
}

/// Rewrites one stored value through sled, as an attacker with file access would.
fn tamper(dir: &std::path::Path, crisis: &str, seq: u64, edit: impl FnOnce(&mut Vec<u8>)) {
    let db = sled::open(dir.join("journal")).unwrap();
    let tree = db.open_tree(format!("chain/{crisis}")).unwrap();
    let mut value = tree.get(seq.to_be_bytes()).unwrap().unwrap().to_vec();
    edit(&mut value);
    tree.insert(seq.to_be_bytes(), value).unwrap();
    db.flush().unwrap();
}

#[test]
fn an_altered_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c", 6);
    journal.close().unwrap();
    tamper(dir.path(), "c", 4, |v| {
        let text = String::from_utf8(v[65..].to_vec())
            .unwrap()
            .replace("information 4", "information 5");
        v.truncate(65);
        v.extend_from_slice(text.as_bytes());
    });
    let err = Journal::open(dir.path(), |_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("crisis c, entry 4"), "{msg}");
    assert!(msg.contains("does not match its hash"), "{msg}");
}

#[test]
fn a_rehashed_forgery_breaks_the_next_link() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c", 5);
    journal.close().unwrap();
    // The forger recomputes entry 3's own hash, but cannot fix entry 4's link.
    tamper(dir.path(), "c", 3, |v| {
        let payload = String::from_utf8(v[65..].to_vec())
            .unwrap()
            .replace("information 3", "forged");
        let prev: [u8; 32] = v[1..33].try_into().unwrap();
        let hash = chain_hash(&prev, 3, payload.as_bytes());
        v.truncate(33);
        v.extend_from_slice(&hash);
        v.extend_from_slice(payload.as_bytes());
    });
    let err = Journal::open(dir.path(), |_| {}).unwrap_err().to_string();
    assert!(err.contains("entry 4") && err.contains("link"), "{err}");
}

#[test]
fn lost_entries_are_reported_not_silently_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c", 5);
    journal.close().unwrap();
    {
        let db = sled::open(dir.path().join("journal")).unwrap();
        let tree = db.open_tree("chain/c").unwrap();
        tree.remove(5u64.to_be_bytes()).unwrap();
        db.open_tree("sources").unwrap().remove("$ev5-c").unwrap();
        db.flush().unwrap();
    }
    let err = Journal::open(dir.path(), |_| {}).unwrap_err().to_string();
    assert!(err.contains("entry 5") && err.contains("gone"), "{err}");
}

#[test]
fn a_damaged_watermark_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c", 2);
    journal.close().unwrap();
    std::fs::write(
        dir.path().join("heads.json"),
        b"{\"c\":{\"seq\":2,\"hash\":",
    )
    .unwrap();
    let err = Journal::open(dir.path(), |_| {}).unwrap_err().to_string();
    assert!(err.contains("watermark damaged"), "{err}");
}

#[test]
fn a_second_process_is_told_the_journal_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let (_journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    let err = Journal::open(dir.path(), |_| {}).unwrap_err();
    assert!(matches!(err, JournalError::Locked { .. }), "{err:?}");
}

/// A journal written by a newer tocsin (a higher record version, with an
/// event this one does not know) is refused by its version, naming the
/// entry, not misread as damaged.
#[test]
fn a_record_from_a_newer_tocsin_is_refused_by_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c", 3);
    journal.close().unwrap();
    tamper(dir.path(), "c", 3, |v| {
        let payload = String::from_utf8(v[65..].to_vec()).unwrap();
        let newer = payload
            .replacen(
                &format!("\"v\":{RECORD_VERSION},"),
                &format!("\"v\":{},", RECORD_VERSION + 1),
                1,
            )
            .replacen("\"kind\":\"info\"", "\"kind\":\"a_future_event\"", 1);
        assert_ne!(newer, payload);
        let prev: [u8; 32] = v[1..33].try_into().unwrap();
        let hash = chain_hash(&prev, 3, newer.as_bytes());
        v.truncate(33);
        v.extend_from_slice(&hash);
        v.extend_from_slice(newer.as_bytes());
    });
    let err = Journal::open(dir.path(), |_| {}).unwrap_err().to_string();
    assert!(err.contains("crisis c, entry 3"), "{err}");
    assert!(
        err.contains(&format!(
            "record version {} is newer than this tocsin ({RECORD_VERSION})",
            RECORD_VERSION + 1
        )),
        "{err}"
    );
}

/// A chain read back from elsewhere is written byte for byte: same payloads,
/// same hashes, same deduplication index; a broken copy is refused whole.
#[test]
fn a_chain_restored_from_its_copies_is_the_same_chain() {
    let original = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(original.path(), |_| {}).unwrap();
    fill(&mut journal, "c", 4);
    let entries = journal.entries("c").unwrap();
    assert_eq!(journal.entries_from("c", 3).unwrap(), entries[2..].to_vec());
    let head = journal.head("c").unwrap();
    journal.close().unwrap();
    let copies: Vec<(u64, String, Hash)> = entries
        .iter()
        .map(|e| (e.record.seq, e.payload.clone(), e.hash))
        .collect();

    let rebuilt = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(rebuilt.path(), |_| {}).unwrap();
    let mut broken = copies.clone();
    broken[2].1 = broken[2].1.replace("information 3", "information 9");
    let err = journal.restore_chain("c", &broken).unwrap_err().to_string();
    assert!(err.contains("crisis c, entry 3"), "{err}");
    assert!(journal.head("c").is_none(), "nothing written");
    assert_eq!(journal.restore_chain("c", &copies).unwrap(), head);
    assert!(journal.has_source("$ev2-c").unwrap());
    assert!(journal.restore_chain("c", &copies).is_err(), "only once");
    journal.close().unwrap();
    let (journal, summary) = Journal::open(rebuilt.path(), |_| {}).unwrap();
    assert_eq!(summary.chains["c"], head);
    assert_eq!(journal.entries("c").unwrap(), entries);
}

#[test]
fn handles_lent_to_other_tasks_let_go_of_a_closed_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c1", 2);
    let (index, outbox, snapshotter) = (
        journal.source_index(),
        journal.outbox_handle(),
        journal.snapshotter(),
    );
    assert!(index.contains("$ev1-c1"));
    assert!(!index.contains("$unknown"));
    journal.close().unwrap();

    // Nothing of it is open any more: another process could take it now.
    let (again, summary) = Journal::open(dir.path(), |_| {}).unwrap();
    assert_eq!(summary.n_entries, 2);
    drop(again);
    assert!(
        index.contains("$unknown"),
        "a closed journal reads nothing back"
    );
    assert!(matches!(outbox.done(1), Err(JournalError::Closed)));
    let copy = tempfile::tempdir().unwrap();
    assert!(matches!(
        snapshotter.write(&copy.path().join("snap")),
        Err(JournalError::Closed)
    ));
}

#[test]
fn a_settings_file_lost_to_a_failing_disk_is_set_aside_and_every_entry_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    fill(&mut journal, "c1", 3);
    journal.close().unwrap();
    // What sled's in-place rewrite of its settings leaves after an open on
    // a disk answering EIO (measured on an ext4 over a failing image).
    let conf = dir.path().join("journal/conf");
    let len = std::fs::metadata(&conf).unwrap().len() as usize;
    std::fs::write(&conf, vec![0u8; len]).unwrap();

    let (journal, summary) = Journal::open(dir.path(), |_| {}).unwrap();
    assert_eq!(summary.n_entries, 3);
    drop(journal);
    let aside: Vec<_> = std::fs::read_dir(dir.path().join("journal.set-aside"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(aside.len() == 1 && aside[0].ends_with("-conf"), "{aside:?}");
    // A readable one is left alone.
    let (journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    drop(journal);
    assert_eq!(
        std::fs::read_dir(dir.path().join("journal.set-aside"))
            .unwrap()
            .count(),
        1
    );
}
