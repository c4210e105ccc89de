//! A full disk under the journal, on a real tmpfs the test mounts itself.
//!
//! Mounting needs root (the tests run as root here). Elsewhere these tests
//! say so and pass, unless `TOCSIN_REQUIRE_TMPFS=1` (set by `scripts/test`)
//! makes that a failure.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{text, tocsin, tocsin_bin};
use tocsin::journal::Journal;

/// A tmpfs of a few MiB, unmounted on drop.
pub(crate) struct Tmpfs {
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Tmpfs {
    fn mount(mib: u32) -> Option<Tmpfs> {
        let temp = tempfile::tempdir().unwrap();
        let mut fs = Tmpfs::mount_at(temp.path(), mib)?;
        fs._temp = Some(temp);
        Some(fs)
    }

    /// Mounts it on `dir`, an existing directory.
    pub(crate) fn mount_at(dir: &Path, mib: u32) -> Option<Tmpfs> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir)
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs {
                dir: dir.to_path_buf(),
                _temp: None,
            }),
            res => {
                let why = match res {
                    Ok(out) => text(&out.stderr),
                    Err(err) => err.to_string(),
                };
                assert!(
                    std::env::var_os("TOCSIN_REQUIRE_TMPFS").is_none(),
                    "TOCSIN_REQUIRE_TMPFS is set but a tmpfs cannot be mounted: {why}"
                );
                eprintln!("skipped: cannot mount a tmpfs here (needs root): {why}");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        &self.dir
    }

    /// Fills the volume to its last byte.
    pub(crate) fn fill(&self) {
        let mut file = std::fs::File::create(self.filler()).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) if err.raw_os_error() == Some(28) => break,
                Err(err) => panic!("filling the tmpfs: {err}"),
            }
        }
        // What is left is less than a chunk: fill it byte by byte in bulk.
        let mut small = vec![0u8; 512];
        while let Ok(n) = file.write(&small) {
            if n == 0 {
                break;
            }
            small.truncate(n);
        }
    }

    pub(crate) fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }

    fn filler(&self) -> PathBuf {
        self.path().join("filler")
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// A tmpfs whose `data` holds a journal with an exercise opened and one
/// information, written by the console.
fn seeded(info: &str) -> Option<(Tmpfs, PathBuf)> {
    let fs = Tmpfs::mount(48)?;
    let data = fs.path().join("data");
    crate::console::console(
        &data,
        format!("!ouvrir rancongiciel exercice\n!info {info}\n").as_bytes(),
    );
    Some((fs, data))
}

/// The journal's own files, to compare before and after.
fn journal_files(data: &Path) -> Vec<(String, u64)> {
    let mut files: Vec<_> = std::fs::read_dir(data.join("journal"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    files.sort();
    files
}

fn infos(data: &Path) -> Vec<String> {
    let mut texts = Vec::new();
    Journal::open(data, |e| {
        if let tocsin_core::engine::event::Event::Info { text, .. } = &e.record.event {
            texts.push(text.clone());
        }
    })
    .expect("the journal opens and verifies");
    texts
}

#[test]
fn a_full_disk_is_refused_before_the_journal_is_touched_and_it_opens_once_freed() {
    let Some((fs, data)) = seeded("Le labo ne répond plus") else {
        return;
    };
    let data_arg = data.to_str().unwrap();
    let before = journal_files(&data);

    fs.fill();
    for args in [
        &["console", "--data", data_arg, "--as", "Alice"][..],
        &["verify", "--data", data_arg][..],
    ] {
        let out = tocsin(args, b"!info pendant\n");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(75), "{args:?}: {err}");
        assert!(
            err.contains(&format!("the disk holding {data_arg} is full (100% used"))
                && err.contains("nothing was written")
                && !err.contains("damaged"),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
    }
    assert_eq!(journal_files(&data), before, "nothing written while full");
    let out = tocsin(&["doctor", "--data", data_arg], b"");
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!(
            "problem: 0 B free of 48.0 MiB (100% used) on the disk holding {data_arg}: tocsin needs"
        )),
        "{report}"
    );

    fs.free();
    assert_eq!(infos(&data), ["Le labo ne répond plus"]);
    let out = tocsin(&["doctor", "--data", data_arg], b"");
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("ok: journal: 2 entries in 1 crises, every chain verified"),
        "{report}"
    );
}

#[test]
fn a_partial_snapshot_left_by_a_failure_is_set_aside_and_every_entry_opens() {
    let Some((_fs, data)) = seeded("Standard saturé") else {
        return;
    };
    let data_arg = data.to_str().unwrap();
    // What sled leaves when the disk fills while it writes its snapshot: an
    // empty file it would read as its latest snapshot, and call corruption.
    let partial = data
        .join("journal")
        .join("snap.7FFFFFFFFFFFFFFF.generating");
    std::fs::write(&partial, b"").unwrap();

    let out = tocsin(&["verify", "--data", data_arg], b"");
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        text(&out.stdout).contains("ok: 2 entries in 1 crises"),
        "{}",
        text(&out.stdout)
    );
    assert!(!partial.exists());
    let aside: Vec<_> = std::fs::read_dir(data.join("journal.set-aside"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(
        aside[0].ends_with("-snap.7FFFFFFFFFFFFFFF.generating"),
        "{aside:?}"
    );
    assert_eq!(infos(&data), ["Standard saturé"]);
}

/// A console on a pipe, answered line by line.
struct Console {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Console {
    fn start(data: &Path) -> Console {
        let mut child = Command::new(tocsin_bin())
            .args(["console", "--new", "--data"])
            .arg(data)
            .args(["--as", "Alice"])
            .current_dir(crate::support::root())
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Console {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// Sends a line and returns its answer: the first ✅ or ⛔ line after it.
    fn say(&mut self, line: &str) -> String {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let got = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer to {line:?}; seen: {:#?}", self.seen));
            self.seen.push(got.clone());
            if got.starts_with('✅') || got.starts_with('⛔') {
                return got;
            }
        }
    }

    fn finish(mut self) -> Vec<String> {
        drop(self.stdin);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the console exited {status}");
        self.seen.extend(self.lines.iter());
        self.seen
    }
}

#[test]
fn the_console_refuses_while_the_disk_is_full_and_resumes_by_itself() {
    let Some(fs) = Tmpfs::mount(48) else { return };
    let data = fs.path().join("data");
    let mut console = Console::start(&data);
    let opened = console.say("!ouvrir rancongiciel exercice");
    assert!(opened.starts_with('✅'), "{opened}");
    let mut refused = 0;
    let mut acked_while_full = 0;
    // Long lines, so that the storage engine's already allocated space (its
    // current segment, where writes still succeed) runs out within a cycle.
    let filler = "x".repeat(2800);
    for cycle in 1..=9 {
        let ack = console.say(&format!("!info avant {cycle}"));
        assert!(ack.starts_with('✅'), "cycle {cycle}: {ack}");
        fs.fill();
        // Each line is either recorded (✅) or refused with the disk named,
        // until the first refusal; after it, every line is refused.
        let mut attempt = 0;
        loop {
            attempt += 1;
            assert!(
                attempt < 2000,
                "cycle {cycle}: nothing refused on a full disk"
            );
            let answer = console.say(&format!("!info pendant {cycle}.{attempt} {filler}"));
            if answer.starts_with('✅') {
                acked_while_full += 1;
                continue;
            }
            assert!(
                answer.starts_with(
                    "⛔ Rien n'a été consigné pour cette ligne : le disque de tocsin est plein."
                ),
                "cycle {cycle}: {answer}"
            );
            refused += 1;
            break;
        }
        let again = console.say(&format!("!info encore {cycle}"));
        assert!(
            again.starts_with("⛔ Rien"),
            "cycle {cycle}, still full: {again}"
        );
        refused += 1;
        fs.free();
        let ack = console.say(&format!("!info après {cycle}"));
        assert!(ack.starts_with('✅'), "cycle {cycle}, once freed: {ack}");
    }
    eprintln!("{acked_while_full} lines recorded on a full disk, {refused} refused");
    let seen = console.finish();
    let acked = seen
        .iter()
        .filter(|l| l.starts_with("✅") && l.contains("information enregistrée"))
        .count();
    let refusals = seen.iter().filter(|l| l.starts_with("⛔ Rien")).count();
    assert_eq!(refusals, refused, "{seen:#?}");

    // Every line acknowledged is on record, and nothing is that was not.
    let recorded = infos(&data);
    assert!(
        !recorded.iter().any(|t| t.starts_with("encore")),
        "{recorded:#?}"
    );
    assert_eq!(recorded.len(), acked, "{recorded:#?}\n{seen:#?}");
    for cycle in 1..=9 {
        for text in [format!("avant {cycle}"), format!("après {cycle}")] {
            assert!(recorded.contains(&text), "{text} missing: {recorded:#?}");
        }
    }
    let out = tocsin(&["verify", "--data", data.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_read_only_file_system_is_named_and_the_journal_opens_once_writable() {
    let Some((fs, data)) = seeded("Le DPI est coupé") else {
        return;
    };
    let data_arg = data.to_str().unwrap();
    let before = journal_files(&data);

    let remount = |mode: &str| {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(fs.path())
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    };
    remount("ro");
    let out = tocsin(
        &["console", "--data", data_arg, "--as", "Alice"],
        b"!info pendant\n",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{err}");
    assert!(
        err.contains("the file system is read-only") && !err.contains("damaged"),
        "{err}"
    );
    remount("rw");
    assert_eq!(
        journal_files(&data),
        before,
        "nothing written while read-only"
    );
    assert_eq!(infos(&data), ["Le DPI est coupé"]);
}
