//! Benchmarks of tocsin's three hot paths, against the targets of the performance issue:
//! `engine/decide/*` times one command (`!info`, `!décision … -- …`, `!action … @bob dans 30m`,
//! `!statut`) decided against an open crisis of ~1,000 entries (target < 20 µs);
//! `journal/append_1` times one durable append (one record, flushed with fsync) and prints
//! p50/p90/p99/max of 1,000 timed appends to stderr (target p50 < 5 ms);
//! `journal/open_verify_100k` times opening a 100,000-entry journal, which re-hashes and
//! checks every entry (target < 2 s), and prints the peak RSS of a fresh process that opens
//! it once (under `/usr/bin/time -v` when installed).
//!
//! Run with `cargo bench -p tocsin --bench core [-- <filter>]`. Journals live in a fresh
//! temporary directory (`TMPDIR`), which must be on a real disk for fsync to mean anything.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group};
use tempfile::TempDir;
use tocsin::journal::Journal;
use tocsin_core::engine::event::{Author, Event, Owner, RECORD_VERSION, Record, Verification};
use tocsin_core::engine::state::World;
use tocsin_core::engine::{Body, Effect, Input, Settings, decide};
use tocsin_core::playbook::Catalog;

/// Entries in the crisis the engine benchmarks decide against.
const WORLD_ENTRIES: u64 = 1_000;
/// Individually timed appends for the percentiles.
const TIMED_APPENDS: usize = 1_000;
/// Entries in the journal the open benchmark verifies.
const JOURNAL_ENTRIES: u64 = 100_000;
/// Records per `append` call when building that journal.
const BUILD_BATCH: u64 = 1_000;

const ROOM: &str = "!cellule:chu.example.fr";

fn catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../playbooks");
    match tocsin::load::dir(&dir) {
        Ok(catalog) => catalog,
        Err(diagnostics) => panic!(
            "playbooks in {} do not load: {diagnostics:?}",
            dir.display()
        ),
    }
}

/// 2026-11-29 03:40, Paris: when every benchmark crisis opens.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 2, 40, 0).unwrap()
}

fn author(name: &str) -> Author {
    Author {
        id: format!("@{name}:chu.example.fr"),
        name: name.to_owned(),
    }
}

/// A Matrix-like event id (43 characters), unique per `n`.
fn event_id(n: u64) -> String {
    format!("$bench{n:037}")
}

fn input(at: DateTime<Utc>, who: &str, text: &str, n: u64) -> Input {
    Input {
        at,
        sent_at: at,
        author: author(who),
        room: ROOM.to_owned(),
        body: Body::Text(text.to_owned()),
        source: Some(event_id(n)),
        privileged: who == "alice",
        quoted: None,
        in_reply_to: None,
    }
}

// ---------------------------------------------------------------------------
// 1. Engine command handling
// ---------------------------------------------------------------------------

/// A world holding one open crisis of the real playbook, folded from ~`n` entries
/// that the engine itself decided: roles, informations and their verification,
/// decisions with rationale, actions with owners and due times, some done.
fn busy_world(catalog: &Catalog, settings: &Settings, n: u64) -> (World, DateTime<Utc>) {
    let mut world = World::default();
    let mut at = start();
    let mut step = 0u64;
    let mut feed = |world: &mut World, at: DateTime<Utc>, who: &str, text: &str| {
        step += 1;
        let decision = decide(world, catalog, settings, &input(at, who, text, step));
        if decision.records.is_empty() {
            panic!(
                "setup command {text:?} was not recorded: {:?}",
                decision.effects
            );
        }
        for record in &decision.records {
            world.apply(record);
        }
    };
    feed(&mut world, at, "alice", "!ouvrir rancongiciel");
    for (role, user) in [
        ("historien", "@alice:chu.example.fr"),
        ("dsi", "@bob:chu.example.fr"),
        ("rssi", "@carol:chu.example.fr"),
    ] {
        feed(&mut world, at, "alice", &format!("!rôle {role} {user}"));
    }
    let mut i = 0u64;
    while entries(&world) < n {
        i += 1;
        at += TimeDelta::seconds(20);
        let crisis = world.open_in(ROOM).expect("crisis open");
        let (who, text) = match i % 8 {
            1 => (
                "bob",
                format!("!info Le serveur {i} du laboratoire affiche une note de rançon"),
            ),
            2 => (
                "carol",
                format!(
                    "!vérifier {} en cours",
                    crisis.infos.last().expect("an info").reference
                ),
            ),
            3 => (
                "alice",
                format!("!décision Isoler le VLAN {i} -- le chiffrement progresse depuis le PACS"),
            ),
            4 => (
                "alice",
                format!("!action Prévenir le SAMU du lot {i} @bob dans 30m"),
            ),
            5 => (
                "alice",
                format!("!action Basculer les admissions {i} sur papier dsi à 06:00"),
            ),
            6 => {
                let open = crisis
                    .actions
                    .iter()
                    .find(|a| a.done_at.is_none())
                    .expect("an open action");
                ("bob", format!("!fait {}", open.reference))
            }
            7 => (
                "carol",
                format!("!info Les sauvegardes du site {i} semblent intactes"),
            ),
            _ => (
                "carol",
                format!(
                    "!vérifier {} confirmée",
                    crisis.infos.last().expect("an info").reference
                ),
            ),
        };
        feed(&mut world, at, who, &text);
    }
    (world, at)
}

fn entries(world: &World) -> u64 {
    world.open_in(ROOM).map_or(0, |c| c.n_entries)
}

fn bench_engine(c: &mut Criterion) {
    let catalog = catalog();
    let settings = Settings::default();
    let (world, last) = busy_world(&catalog, &settings, WORLD_ENTRIES);
    let at = last + TimeDelta::seconds(20);
    let commands = [
        (
            "info",
            "bob",
            "!info Le laboratoire signale des fichiers renommés en .lock sur le serveur de résultats",
        ),
        (
            "decision",
            "alice",
            "!décision Couper les liaisons inter-sites -- le chiffrement se propage par le VPN",
        ),
        (
            "action",
            "alice",
            "!action Prévenir le SAMU et la régulation @bob dans 30m",
        ),
        ("status", "alice", "!statut"),
    ];
    let mut group = c.benchmark_group("engine/decide");
    for (name, who, text) in commands {
        let input = input(at, who, text, u64::MAX);
        // The command must do its real work, not bounce off a refusal.
        let decision = decide(&world, &catalog, &settings, &input);
        let ok = match name {
            "status" => matches!(decision.effects.as_slice(), [Effect::Reply(_)]),
            _ => decision.records.len() == 1,
        };
        assert!(ok, "{name}: unexpected decision {decision:?}");
        group.bench_function(name, |b| {
            b.iter(|| decide(black_box(&world), &catalog, &settings, black_box(&input)));
        });
    }
    group.finish();
}

// ---------------------------------------------------------------------------
// 2. Durable append
// ---------------------------------------------------------------------------

/// A journal in a fresh temporary directory, and the next record to append to it.
struct AppendState {
    _dir: TempDir,
    journal: Journal,
    records: Synthetic,
    next_seq: u64,
}

impl AppendState {
    fn new() -> AppendState {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (mut journal, _) = Journal::open(dir.path(), |_| {}).expect("fresh journal opens");
        let mut records = Synthetic::new("20261129-rancongiciel");
        journal
            .append(&[records.record(1)])
            .expect("opening appends");
        AppendState {
            _dir: dir,
            journal,
            records,
            next_seq: 2,
        }
    }

    /// Appends one record, flushed to disk.
    fn append_one(&mut self) {
        let record = self.records.record(self.next_seq);
        self.next_seq += 1;
        let entries = self
            .journal
            .append(std::slice::from_ref(&record))
            .expect("append");
        black_box(entries);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    // Nearest-rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Times `TIMED_APPENDS` single appends one by one and prints their percentiles.
fn report_append_percentiles(state: &mut AppendState) {
    let mut times: Vec<Duration> = (0..TIMED_APPENDS)
        .map(|_| {
            let t = Instant::now();
            state.append_one();
            t.elapsed()
        })
        .collect();
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    eprintln!(
        "journal/append_1: {TIMED_APPENDS} timed appends: p50 {:.3?}  p90 {:.3?}  p99 {:.3?}  max {:.3?}  mean {mean:.3?}",
        percentile(&times, 50.0),
        percentile(&times, 90.0),
        percentile(&times, 99.0),
        times[times.len() - 1],
    );
}

fn bench_append(c: &mut Criterion) {
    let mut state: Option<AppendState> = None;
    let mut group = c.benchmark_group("journal");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("append_1", |b| {
        // Built on first use only, so a filter that skips this benchmark costs nothing.
        let state = state.get_or_insert_with(|| {
            let mut state = AppendState::new();
            report_append_percentiles(&mut state);
            state
        });
        b.iter(|| state.append_one());
    });
    group.finish();
}

// ---------------------------------------------------------------------------
// 3. Open and verify a 100,000-entry journal
// ---------------------------------------------------------------------------

/// Generates a plausible chain directly (the engine's linear look-ups make folding
/// 100,000 decided commands needlessly slow for a setup): the opening, then a mix of
/// informations, verifications, decisions, actions, completions and corrections,
/// each from a Matrix event, as a busy crisis would hold.
struct Synthetic {
    crisis: String,
    t0: DateTime<Utc>,
    n_info: u64,
    n_decision: u64,
    n_action: u64,
    n_correction: u64,
}

impl Synthetic {
    fn new(crisis: &str) -> Synthetic {
        Synthetic {
            crisis: crisis.to_owned(),
            t0: start(),
            n_info: 0,
            n_decision: 0,
            n_action: 0,
            n_correction: 0,
        }
    }

    /// The record at `seq`; must be called with seq = 1, 2, 3, …
    #[expect(
        clippy::too_many_lines,
        reason = "a flat match: one arm per kind of event the benchmark journal cycles through"
    )]
    fn record(&mut self, seq: u64) -> Record {
        let at = self.t0 + TimeDelta::seconds(seq as i64 * 5);
        let (who, role) = match seq % 4 {
            0 => ("alice", "historien"),
            1 => ("bob", "dsi"),
            2 => ("carol", "rssi"),
            _ => ("dave", "directeur-crise"),
        };
        let event = if seq == 1 {
            Event::CrisisOpened {
                room: ROOM.to_owned(),
                playbook: "rancongiciel".to_owned(),
                playbook_version: "1.0.0".to_owned(),
                exercise: false,
            }
        } else {
            match seq % 10 {
                0..=2 => {
                    self.n_info += 1;
                    Event::Info {
                        reference: format!("I{}", self.n_info),
                        text: format!(
                            "Le serveur {seq} du laboratoire affiche une note de rançon, fichiers renommés en .lock"
                        ),
                    }
                }
                3 if self.n_info > 0 => Event::Verification {
                    target: format!("I{}", self.n_info),
                    status: if seq % 20 == 3 {
                        Verification::Checking
                    } else {
                        Verification::Confirmed
                    },
                },
                4 => {
                    self.n_decision += 1;
                    Event::Decision {
                        reference: format!("D{}", self.n_decision),
                        text: format!("Isoler le VLAN {seq} et couper les liaisons inter-sites"),
                        rationale: Some(
                            "le chiffrement progresse depuis le PACS par le VPN".to_owned(),
                        ),
                        decided_by: None,
                        trigger: None,
                    }
                }
                5 | 6 => {
                    self.n_action += 1;
                    Event::Action {
                        reference: format!("A{}", self.n_action),
                        text: format!(
                            "Basculer les admissions du lot {seq} sur papier et prévenir le SAMU"
                        ),
                        owner: Some(if seq.is_multiple_of(2) {
                            Owner::Role("dsi".to_owned())
                        } else {
                            Owner::User("@bob:chu.example.fr".to_owned())
                        }),
                        due: Some(at + TimeDelta::minutes(30)),
                    }
                }
                7 if self.n_action > 0 => Event::ActionDone {
                    target: format!("A{}", self.n_action),
                },
                8 if self.n_decision > 0 => {
                    self.n_correction += 1;
                    Event::Correction {
                        reference: format!("C{}", self.n_correction),
                        target: format!("D{}", self.n_decision),
                        text: format!("Isoler le VLAN {seq}, sauf la régulation du SAMU"),
                    }
                }
                _ => Event::RoleAssigned {
                    role: "communication".to_owned(),
                    user: format!("@{who}:chu.example.fr"),
                },
            }
        };
        Record {
            v: RECORD_VERSION,
            seq,
            crisis: self.crisis.clone(),
            occurred_at: at,
            recorded_at: at,
            author: author(who),
            role: (seq > 1).then(|| role.to_owned()),
            source: Some(event_id(seq)),
            transcribed: false,
            recorded_by: None,
            quotes: None,
            links: Vec::new(),
            event,
        }
    }
}

/// A closed journal of `n` entries in one crisis, built in batches.
fn build_journal(n: u64) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let t = Instant::now();
    let (mut journal, _) = Journal::open(dir.path(), |_| {}).expect("fresh journal opens");
    let mut synthetic = Synthetic::new("20261129-rancongiciel");
    let mut seq = 1;
    while seq <= n {
        let end = (seq + BUILD_BATCH - 1).min(n);
        let batch: Vec<Record> = (seq..=end).map(|s| synthetic.record(s)).collect();
        journal.append(&batch).expect("batch appends");
        seq = end + 1;
    }
    journal.close().expect("journal closes");
    eprintln!(
        "journal/open_verify_100k: built {n} entries in {:.1?}, {:.1} MiB on disk",
        t.elapsed(),
        dir_size(dir.path()) as f64 / (1024.0 * 1024.0)
    );
    dir
}

fn dir_size(path: &Path) -> u64 {
    let Ok(read) = std::fs::read_dir(path) else {
        return 0;
    };
    read.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn open_verify(dir: &Path) -> Journal {
    let (journal, summary) = Journal::open(dir, |_| {}).expect("journal verifies");
    assert_eq!(summary.n_entries, JOURNAL_ENTRIES);
    journal
}

/// A line of `/proc/self/status`, in kB (Linux only).
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Set in the child process that measures the memory of one open: the journal directory.
const OPEN_ONCE_ENV: &str = "TOCSIN_BENCH_OPEN_ONCE";

/// In the child: opens and verifies the journal once, then prints the peak RSS.
fn open_once(dir: &Path) {
    let at_start = proc_status_kb("VmHWM:");
    drop(open_verify(dir));
    let mib = |kb: Option<u64>| {
        kb.map_or_else(
            || "?".to_owned(),
            |kb| format!("{:.1} MiB", kb as f64 / 1024.0),
        )
    };
    println!(
        "peak RSS {} (process start {})",
        mib(proc_status_kb("VmHWM:")),
        mib(at_start)
    );
}

/// Peak memory of one open, measured in a fresh process (this binary again, in
/// [`open_once`] mode) so that the memory used to build the journal does not count;
/// under `/usr/bin/time -v` when it is installed.
fn report_open_memory(dir: &Path) {
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut command = std::process::Command::new(time);
        command.arg("-v").arg(&exe);
        command
    } else {
        std::process::Command::new(&exe)
    };
    let output = match command.env(OPEN_ONCE_ENV, dir).output() {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            eprintln!(
                "journal/open_verify_100k: memory probe failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return;
        }
        Err(err) => {
            eprintln!("journal/open_verify_100k: memory probe failed: {err}");
            return;
        }
    };
    let own = String::from_utf8_lossy(&output.stdout);
    eprintln!(
        "journal/open_verify_100k: one open in a fresh process: {}",
        own.trim()
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    if let Some(line) = stderr
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
    {
        eprintln!(
            "journal/open_verify_100k: /usr/bin/time -v: {}",
            line.trim()
        );
    }
}

fn bench_open(c: &mut Criterion) {
    let mut built: Option<(TempDir, PathBuf)> = None;
    let mut group = c.benchmark_group("journal");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.bench_function("open_verify_100k", |b| {
        let (_, dir) = built.get_or_insert_with(|| {
            let tmp = build_journal(JOURNAL_ENTRIES);
            let path = tmp.path().to_path_buf();
            report_open_memory(&path);
            (tmp, path)
        });
        // sled locks the directory: each journal is dropped, untimed, before the next open.
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let journal = open_verify(dir);
                total += t.elapsed();
                drop(journal);
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, bench_engine, bench_append, bench_open);

// `criterion_main!`, plus the memory probe's child mode.
fn main() {
    if let Some(dir) = std::env::var_os(OPEN_ONCE_ENV) {
        open_once(Path::new(&dir));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
