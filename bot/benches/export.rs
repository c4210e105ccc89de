//! Export speed and memory: a 10,000- and a 100,000-entry crisis rendered to
//! HTML and JSON from the journal (entries read and verified, view built,
//! template rendered). Targets: under 1 s for 10,000 entries, under 10 s for
//! 100,000, both formats. Prints wall time per run and the process's peak
//! resident memory (VmHWM) after each size.
//!
//! Run: `cargo bench -p tocsin --bench export`

use std::time::Instant;

use chrono::{TimeDelta, TimeZone, Utc};
use tocsin::journal::Journal;
use tocsin::render::Renderer;
use tocsin::render::view::Edition;
use tocsin_core::engine::ExportFormat;
use tocsin_core::engine::Settings;
use tocsin_core::engine::event::{Author, Event, Owner, RECORD_VERSION, Record};

fn record(seq: u64) -> Record {
    let at =
        Utc.with_ymd_and_hms(2026, 11, 29, 2, 40, 0).unwrap() + TimeDelta::seconds(seq as i64 * 7);
    let n = seq / 4;
    let event = match seq {
        1 => Event::CrisisOpened {
            room: "!cellule:chu.fr".into(),
            playbook: "rancongiciel".into(),
            playbook_version: "1.0.0".into(),
            exercise: true,
        },
        _ if seq.is_multiple_of(4) => Event::Info {
            reference: format!("I{n}"),
            text: format!(
                "Information {seq} : le standard signale une panne du DPI au service des urgences, bâtiment B"
            ),
        },
        _ if seq % 4 == 1 => Event::Decision {
            reference: format!("D{n}"),
            text: format!("Décision {seq} : basculer en mode dégradé"),
            rationale: Some("le DPI est inaccessible depuis 40 minutes".into()),
            decided_by: Some("@dg:chu.fr".into()),
            trigger: Some(format!("I{n}")),
        },
        _ if seq % 4 == 2 => Event::Action {
            reference: format!("A{n}"),
            text: format!("Action {seq} : prévenir le SAMU-Centre 15"),
            owner: Some(Owner::Role("dsi".into())),
            due: Some(at + TimeDelta::minutes(30)),
        },
        _ => Event::ActionDone {
            target: format!("A{n}"),
        },
    };
    Record {
        v: RECORD_VERSION,
        seq,
        crisis: "20261129-rancongiciel".into(),
        occurred_at: at,
        recorded_at: at,
        author: Author {
            id: "@historien:chu.fr".into(),
            name: "Historienne".into(),
        },
        role: Some("historien".into()),
        source: Some(format!("$event{seq}")),
        transcribed: false,
        recorded_by: None,
        quotes: None,
        links: Vec::new(),
        event,
    }
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would run this too: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[u64] = if quick { &[200] } else { &[10_000, 100_000] };
    let catalog =
        tocsin::load::dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../playbooks"))
            .expect("playbooks");
    let renderer = Renderer::new(None).expect("templates");
    let settings = Settings::default();
    for &n in sizes {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
            let mut seq = 1;
            while seq <= n {
                let batch: Vec<Record> = (seq..=(seq + 999).min(n)).map(record).collect();
                journal.append(&batch).unwrap();
                seq += batch.len() as u64;
            }
            journal.close().unwrap();
        }
        let (journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
        for format in [ExportFormat::Html, ExportFormat::Json] {
            let start = Instant::now();
            let entries = journal.entries("20261129-rancongiciel").unwrap();
            let bytes = tocsin::render::export(
                &renderer,
                &entries,
                &catalog,
                &settings,
                format,
                Edition::Full,
                Utc::now(),
            )
            .unwrap();
            let elapsed = start.elapsed();
            drop(entries);
            println!(
                "export {n:>7} entries to {:<4}: {:>8.1} ms, {:>6.1} MiB output, peak RSS so far {} MiB",
                format.extension(),
                elapsed.as_secs_f64() * 1e3,
                bytes.len() as f64 / 1_048_576.0,
                peak_rss_mib()
            );
        }
    }
}
