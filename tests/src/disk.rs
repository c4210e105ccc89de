//! A full or failing disk under the journal, on real file systems the tests
//! mount themselves: a tmpfs to fill, an ext4 on a loop device that the
//! kernel turns read-only under a running tocsin, as it does on an I/O error,
//! and an ext4 on an image served over FUSE that answers I/O errors.
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
        let mounted = mounted(
            "a tmpfs",
            Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
                .arg(dir),
        );
        mounted.then(|| Tmpfs {
            dir: dir.to_path_buf(),
            _temp: None,
        })
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

/// Runs a mount command: true if it mounted, false (said on stderr) if this
/// machine cannot mount, which fails the test under `TOCSIN_REQUIRE_TMPFS`.
fn mounted(what: &str, command: &mut Command) -> bool {
    let why = match command.output() {
        Ok(out) if out.status.success() => return true,
        Ok(out) => text(&out.stderr),
        Err(err) => err.to_string(),
    };
    assert!(
        std::env::var_os("TOCSIN_REQUIRE_TMPFS").is_none(),
        "TOCSIN_REQUIRE_TMPFS is set but {what} cannot be mounted: {why}"
    );
    eprintln!("skipped: cannot mount {what} here (needs root): {why}");
    false
}

/// An ext4 of 64 MiB on a loop device: mounted `errors=remount-ro` on an
/// image file, what a server's disk does when it fails under a running
/// service ([`Ext4::mount_at`]); or mounted `errors=continue` on an image
/// served by `scripts/faulty/disk.py` over FUSE, which answers EIO to every
/// write and fsync on demand, as a dying disk does ([`Ext4::faulty_at`]).
pub(crate) struct Ext4 {
    dir: PathBuf,
    image: PathBuf,
    options: &'static str,
    /// The FUSE server of a faulty image, and where it is mounted.
    server: Option<(Child, PathBuf)>,
    _temp: tempfile::TempDir,
}

impl Ext4 {
    /// Formats an image and mounts it on `dir`, an existing empty directory.
    pub(crate) fn mount_at(dir: &Path) -> Option<Ext4> {
        let temp = tempfile::tempdir().unwrap();
        let image = temp.path().join("disk.img");
        Ext4::format(dir, image, "loop,errors=remount-ro", None, temp)
    }

    /// The same on an image whose writes fail while [`Ext4::fail_io`] holds.
    /// Needs FUSE and a Python with `mfusepy` (`TOCSIN_FAULTY_PYTHON`, set
    /// by `scripts/test`).
    pub(crate) fn faulty_at(dir: &Path) -> Option<Ext4> {
        let Some(python) = std::env::var_os("TOCSIN_FAULTY_PYTHON") else {
            mounted(
                "a failing disk (TOCSIN_FAULTY_PYTHON, a Python with mfusepy, is not set)",
                &mut Command::new("false"),
            );
            return None;
        };
        let temp = tempfile::tempdir().unwrap();
        let backing = temp.path().join("backing.img");
        let served = temp.path().join("served");
        std::fs::create_dir(&served).unwrap();
        std::fs::File::create(&backing).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/faulty/disk.py");
        let server = Command::new(python)
            .arg(script)
            .arg(&backing)
            .arg(&served)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = server;
        let image = served.join("disk.img");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !image.exists() {
            if Instant::now() > deadline {
                let _ = server.kill();
                let _ = server.wait();
                mounted(
                    "a failing disk (the FUSE server did not come up)",
                    &mut Command::new("false"),
                );
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ext4::format(
            dir,
            image,
            "loop,errors=continue",
            Some((server, served)),
            temp,
        )
    }

    fn format(
        dir: &Path,
        image: PathBuf,
        options: &'static str,
        server: Option<(Child, PathBuf)>,
        temp: tempfile::TempDir,
    ) -> Option<Ext4> {
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&image)
            .unwrap()
            .set_len(64 << 20)
            .unwrap();
        let fs = Ext4 {
            dir: dir.to_path_buf(),
            image,
            options,
            server,
            _temp: temp,
        };
        let made = Command::new("mkfs.ext4")
            .args(["-q", "-F"])
            .arg(&fs.image)
            .status();
        if !made.is_ok_and(|s| s.success()) {
            mounted("an ext4 (mkfs.ext4 failed)", &mut Command::new("false"));
            return None;
        }
        fs.mount().then_some(fs)
    }

    fn mount(&self) -> bool {
        let ok = mounted(
            "an ext4 on a loop device",
            Command::new("mount")
                .args(["-o", self.options])
                .arg(&self.image)
                .arg(&self.dir),
        );
        // The journal's directory holds only what tocsin puts there.
        let _ = std::fs::remove_dir(self.dir.join("lost+found"));
        ok
    }

    /// The kernel finds an error and remounts the volume read-only, under
    /// whoever has files open on it.
    pub(crate) fn fail(&self) {
        let source = Command::new("findmnt")
            .args(["-n", "-o", "SOURCE", "--target"])
            .arg(&self.dir)
            .output()
            .unwrap();
        let device = text(&source.stdout);
        let device = device.trim().trim_start_matches("/dev/");
        std::fs::write(format!("/sys/fs/ext4/{device}/trigger_fs_error"), "1")
            .unwrap_or_else(|err| panic!("failing {device}: {err}"));
        assert!(
            std::fs::File::create(self.dir.join("probe")).is_err(),
            "the volume went read-only"
        );
    }

    /// A faulty image's disk answers EIO to every write and fsync, until
    /// [`Ext4::heal_io`].
    pub(crate) fn fail_io(&self) {
        std::fs::write(self.fail_flag(), b"").unwrap();
        let probe = std::fs::File::create(self.dir.join("probe")).and_then(|mut file| {
            file.write_all(&[0; 8192])?;
            file.sync_all()
        });
        let _ = std::fs::remove_file(self.dir.join("probe"));
        assert!(probe.is_err(), "the disk answers write errors");
    }

    /// Whether the kernel has turned the volume read-only (an ext4 gives up
    /// so when its own journal cannot be written).
    pub(crate) fn is_read_only(&self) -> bool {
        // The mount options may still say rw: the superblock is what refuses.
        let probe = self.dir.join(".read-only-probe");
        match std::fs::File::create(&probe) {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
                false
            }
            Err(err) => err.raw_os_error() == Some(30),
        }
    }

    pub(crate) fn heal_io(&self) {
        std::fs::remove_file(self.fail_flag()).unwrap();
    }

    fn fail_flag(&self) -> PathBuf {
        let (_, served) = self.server.as_ref().expect("a faulty image");
        let backing = served.parent().unwrap().join("backing.img");
        PathBuf::from(format!("{}.fail", backing.display()))
    }

    /// What an administrator does: unmount, check, mount again. Unmounting
    /// waits (10 s at most) for whoever still has files open on the volume
    /// to let go of them.
    pub(crate) fn repair(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.unmount() {
            assert!(
                Instant::now() < deadline,
                "unmounting {}: files are still open on it",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let checked = Command::new("e2fsck")
            .args(["-f", "-y"])
            .arg(&self.image)
            .output()
            .unwrap();
        // 0: clean, 1: errors corrected.
        assert!(
            matches!(checked.status.code(), Some(0 | 1)),
            "e2fsck: {}{}",
            text(&checked.stdout),
            text(&checked.stderr)
        );
        assert!(self.mount(), "mounting {} again", self.dir.display());
    }

    fn unmount(&self) -> bool {
        Command::new("umount")
            .arg(&self.dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Ext4 {
    fn drop(&mut self) {
        if !self.unmount() {
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
        if let Some((mut server, served)) = self.server.take() {
            let _ = Command::new("umount").arg(&served).status();
            let _ = server.kill();
            let _ = server.wait();
        }
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

/// A console on a journal with a volume of its own (`mount` puts it on the
/// journal's directory), an exercise opened and one information recorded.
fn console_on_own_volume(
    mount: fn(&Path) -> Option<Ext4>,
) -> Option<(tempfile::TempDir, PathBuf, Ext4, Console)> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let journal = data.join("journal");
    std::fs::create_dir_all(&journal).unwrap();
    let fs = mount(&journal)?;
    let mut console = Console::start(&data);
    let opened = console.say("!ouvrir rancongiciel exercice");
    assert!(opened.starts_with('✅'), "{opened}");
    let ack = console.say("!info avant la panne");
    assert!(ack.starts_with('✅'), "{ack}");
    Some((dir, data, fs, console))
}

/// Once the disk is repaired, the next line is recorded; nothing refused
/// shows as recorded; the journal holds what was acknowledged and verifies.
fn goes_on_after_the_repair(mut console: Console, data: &Path) {
    let ack = console.say("!info après la réparation");
    assert!(ack.starts_with('✅'), "once repaired: {ack}");
    let seen = console.finish();
    assert!(
        !seen.iter().any(|l| l.contains("pendant")),
        "nothing refused shows as recorded: {seen:#?}"
    );
    assert_eq!(infos(data), ["avant la panne", "après la réparation"]);
    let out = tocsin(&["verify", "--data", data.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_disk_gone_read_only_under_the_console_is_named_and_it_resumes_once_repaired() {
    let Some((_dir, data, fs, mut console)) = console_on_own_volume(Ext4::mount_at) else {
        return;
    };

    fs.fail();
    for n in 1..=3 {
        let refused = console.say(&format!("!info pendant {n}"));
        assert!(
            refused.starts_with(
                "⛔ Rien n'a été consigné pour cette ligne : le disque de tocsin est passé en lecture seule."
            ),
            "{refused}"
        );
    }
    fs.repair();
    goes_on_after_the_repair(console, &data);
}

#[test]
fn a_disk_answering_io_errors_under_the_console_is_named_and_it_resumes_once_repaired() {
    let Some((_dir, data, fs, mut console)) = console_on_own_volume(Ext4::faulty_at) else {
        return;
    };

    // Writes reach the page cache; the fsync after them fails.
    fs.fail_io();
    let refused = console.say("!info pendant 1");
    assert!(
        refused.starts_with(
            "⛔ Rien n'a été consigné pour cette ligne : le disque de tocsin renvoie des erreurs d'écriture."
        ),
        "{refused}"
    );
    for n in 2..=3 {
        // The file system may have given up meanwhile: read-only, then.
        let refused = console.say(&format!("!info pendant {n}"));
        assert!(
            refused.starts_with("⛔ Rien n'a été consigné pour cette ligne : le disque de tocsin"),
            "{refused}"
        );
    }
    // An administrator checks the journal while the disk still fails: told
    // why it cannot, and that opening it wrote half its settings does not
    // make it unopenable later.
    let out = tocsin(&["verify", "--data", data.to_str().unwrap()], b"");
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(!err.contains("damaged"), "{err}");
    // The disk is replaced (the same image, writable again) and checked.
    fs.heal_io();
    fs.repair();
    goes_on_after_the_repair(console, &data);
    // What the check wrote of sled's settings, lost, was set aside at the
    // next open (when the file system had not gone read-only first).
    if let Ok(aside) = std::fs::read_dir(data.join("journal.set-aside")) {
        for file in aside {
            let name = file.unwrap().file_name().into_string().unwrap();
            assert!(name.ends_with("-conf"), "{name}");
        }
    }
}
