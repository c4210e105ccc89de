//! What the disk under the journal can refuse, named as such.
//!
//! Before sled touches a journal, [`check_room`] makes sure the volume has
//! room for what opening writes (sled rewrites its snapshot at every start):
//! a full disk is refused up front, writing nothing, instead of leaving sled
//! half a file it later reads as corruption. [`set_aside_leftovers`]
//! moves such a file out of the way if an earlier failure left one, and
//! likewise a settings file sled rewrote in place and lost; the hash chains
//! are verified after it as at every open. [`Fault`] classifies an
//! I/O error as a full disk, a read-only file system or a refused access, so
//! that every message says which. [`Durable`] makes what sled flushed
//! survive a power loss or a disk the kernel turns read-only.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::Utc;

/// What makes a sled flush durable. sled 0.34 "syncs" its log with
/// `sync_file_range`, which writes the data pages but neither the file's
/// size and extents nor the disk's write cache (spacejam/sled#1452), and
/// never syncs its blob files: an entry it acknowledged as flushed can be
/// gone after a power loss, or once the kernel has remounted a failing disk
/// read-only (measured: an ext4 on a loop device, its error triggered right
/// after two acknowledged entries, came back from `e2fsck` with neither).
/// After each flush, [`Durable::sync`] fsyncs the log, through a handle of
/// its own (fsync acts on the file, whichever descriptor asks; sled's lock
/// is an `flock` on its own descriptor, which this one leaves alone), every
/// blob not synced yet, and the directories that name them.
#[derive(Debug)]
pub struct Durable {
    db_path: PathBuf,
    log: File,
    blobs: HashSet<OsString>,
}

impl Durable {
    /// For the sled database in `db_path`, just opened: syncs what is there
    /// (the files and directories sled may just have created) once.
    pub fn open(db_path: &Path) -> std::io::Result<Durable> {
        let log = File::open(db_path.join("db"))?;
        log.sync_all()?;
        let mut durable = Durable {
            db_path: db_path.to_path_buf(),
            log,
            blobs: HashSet::new(),
        };
        durable.sync_blobs()?;
        File::open(db_path)?.sync_all()?;
        if let Some(parent) = db_path.parent() {
            File::open(parent)?.sync_all()?;
        }
        Ok(durable)
    }

    /// Makes everything sled has flushed durable.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.log.sync_all()?;
        self.sync_blobs()
    }

    fn sync_blobs(&mut self) -> std::io::Result<()> {
        let dir = self.db_path.join("blobs");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err),
        };
        let mut new = false;
        for entry in entries {
            let name = entry?.file_name();
            if self.blobs.contains(&name) {
                continue;
            }
            match File::open(dir.join(&name)) {
                Ok(blob) => blob.sync_all()?,
                // Collected by sled meanwhile.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => return Err(err),
            }
            self.blobs.insert(name);
            new = true;
        }
        if new {
            File::open(&dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// Drops what the kernel caches of the journal's files, so that opening
/// reads what the disk holds. After a write-back failed (a disk answering
/// EIO), the kernel keeps the pages it could not write as if they had been
/// written: read back, they would show sled entries the disk does not hold,
/// and sled would go on writing after them (measured: the journal read
/// back from the disk after such a run was corrupt).
pub fn forget_cached(db_path: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(db_path) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            forget_cached(&path)?;
            continue;
        }
        match File::open(&path) {
            Ok(file) => rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed)?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Free space opening needs, beyond a quarter of what the journal holds.
const MIN_FREE: u64 = 16 * 1024 * 1024;

/// Where partial snapshots are moved to, beside the journal's directory.
pub const SET_ASIDE: &str = "journal.set-aside";

/// A storage failure that is not damage: once the cause is fixed, the same
/// journal opens and the same command succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No space left (or the quota is reached).
    Full,
    /// The file system is mounted read-only.
    ReadOnly,
    /// The permissions forbid it.
    Denied,
    /// The disk answers input/output errors: failing hardware, a cable, a
    /// storage network. What was written but not synced may be lost; what
    /// was synced was acknowledged, and the hash chains say at the next
    /// open whether it is all there.
    Io,
}

impl Fault {
    /// The fault behind an I/O error, if it is one of these.
    pub fn of(err: &std::io::Error) -> Option<Fault> {
        match rustix::io::Errno::from_io_error(err) {
            Some(rustix::io::Errno::NOSPC | rustix::io::Errno::DQUOT) => Some(Fault::Full),
            Some(rustix::io::Errno::ROFS) => Some(Fault::ReadOnly),
            Some(rustix::io::Errno::ACCESS | rustix::io::Errno::PERM) => Some(Fault::Denied),
            Some(rustix::io::Errno::IO) => Some(Fault::Io),
            _ => None,
        }
    }

    /// The first fault found along an error's chain of causes. Stores that
    /// keep their errors as text (SQLite's, through matrix-sdk) are read by
    /// their well-known messages.
    pub fn in_chain(err: &(dyn std::error::Error + 'static)) -> Option<Fault> {
        let mut cause = Some(err);
        while let Some(err) = cause {
            if let Some(fault) = err.downcast_ref::<std::io::Error>().and_then(Fault::of) {
                return Some(fault);
            }
            let text = err.to_string();
            if text.contains("disk is full") || text.contains("No space left on device") {
                return Some(Fault::Full);
            }
            if text.contains("readonly database") || text.contains("Read-only file system") {
                return Some(Fault::ReadOnly);
            }
            if text.contains("disk I/O error") || text.contains("Input/output error") {
                return Some(Fault::Io);
            }
            cause = err.source();
        }
        None
    }

    /// The first storage fault behind an error: a journal error's, or an
    /// I/O error's anywhere along the chain.
    pub fn of_error(err: &anyhow::Error) -> Option<Fault> {
        err.chain()
            .find_map(|e| {
                e.downcast_ref::<super::JournalError>()
                    .and_then(super::JournalError::fault)
            })
            .or_else(|| Fault::in_chain(err.as_ref()))
    }

    /// The key of the catalog's `storage-fault` message.
    pub fn key(self) -> &'static str {
        match self {
            Fault::Full => "full",
            Fault::ReadOnly => "read_only",
            Fault::Denied => "denied",
            Fault::Io => "io",
        }
    }

    /// What the fault is, for a log line or an error message.
    pub fn describe(self) -> &'static str {
        match self {
            Fault::Full => "the disk is full",
            Fault::ReadOnly => "the file system is read-only",
            Fault::Denied => "permission denied",
            Fault::Io => "the disk answers input/output errors",
        }
    }
}

/// How full a volume is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub free: u64,
    pub total: u64,
}

impl Usage {
    /// The volume holding `path` (which must exist).
    pub fn of(path: &Path) -> std::io::Result<Usage> {
        let stat = rustix::fs::statvfs(path)?;
        Ok(Usage {
            free: stat.f_bavail.saturating_mul(stat.f_frsize),
            total: stat.f_blocks.saturating_mul(stat.f_frsize),
        })
    }

    /// Percent used, rounded down.
    pub fn percent_used(self) -> u64 {
        match self.total {
            0 => 100,
            total => (total - self.free.min(total)) * 100 / total,
        }
    }
}

/// The volume holding `dir` has too little room to open the journal in
/// `db_path` safely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooFull {
    pub dir: PathBuf,
    pub usage: Usage,
    pub needed: u64,
}

/// Free space that opening the journal in `db_path` needs: sled rewrites
/// its snapshot and may start a new segment.
pub fn needed_to_open(db_path: &Path) -> u64 {
    MIN_FREE.saturating_add(dir_size(db_path) / 4)
}

/// Proves that tocsin can write in `dir`: a small file written, synced and
/// removed. A full, read-only or forbidden disk refuses it.
pub fn probe_write(dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let probe = dir.join(format!(".tocsin-probe-{}", std::process::id()));
    let written = File::create(&probe).and_then(|mut file| {
        file.write_all(b"tocsin")?;
        file.sync_all()
    });
    let removed = std::fs::remove_file(&probe);
    written.and(removed)
}

/// Whether the journal in `data_dir` could be opened and written again: its
/// directory takes a write and the volume has the room opening needs.
pub fn disk_back(data_dir: &Path) -> bool {
    let db_path = data_dir.join(super::DB_DIR);
    probe_journal(data_dir).is_ok()
        && check_room(data_dir, needed_to_open(&db_path)).is_ok_and(|room| room.is_ok())
}

/// [`probe_write`] in the journal's directory (in `data_dir` before there
/// is one). Reopening after a fault waits for it: sled opened on a disk that
/// still fails writes half of what opening writes, which can leave the
/// journal unopenable (measured, with a disk answering EIO).
pub fn probe_journal(data_dir: &Path) -> std::io::Result<()> {
    let db_path = data_dir.join(super::DB_DIR);
    probe_write(if db_path.is_dir() { &db_path } else { data_dir })
}

/// Free space that copying a journal of `size` bytes needs.
pub fn needed_to_copy(size: u64) -> u64 {
    MIN_FREE.saturating_add(size)
}

/// Whether the volume holding `dir` (which must exist) has `needed` bytes free.
pub fn check_room(dir: &Path, needed: u64) -> std::io::Result<Result<Usage, TooFull>> {
    let usage = Usage::of(dir)?;
    Ok(if usage.free < needed {
        Err(TooFull {
            dir: dir.to_path_buf(),
            usage,
            needed,
        })
    } else {
        Ok(usage)
    })
}

/// Bytes held by the files directly in `dir` and its subdirectories; what
/// cannot be read counts as nothing.
fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => dir_size(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Moves out of `db_path`, into `<data_dir>/journal.set-aside/`, what an
/// earlier failure (a full disk, a disk answering EIO, a crash) left that
/// sled would read as corruption of the whole database: the snapshots it
/// was still writing, and its settings file (`conf`, rewritten in place at
/// every open) if it no longer reads as settings (measured: zeros, after an
/// open on a disk answering EIO). sled writes the settings anew from the
/// same configuration. Returns where each went; nothing is deleted.
pub fn set_aside_leftovers(data_dir: &Path, db_path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(db_path) else {
        return Ok(Vec::new());
    };
    let mut moved = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let what = if name.starts_with("snap.") && name.ends_with(".generating") {
            "set aside a snapshot the storage engine left unfinished; the hash chains are verified next"
        } else if name == "conf" && !settings_readable(&entry.path())? {
            "set aside the storage engine's settings file, which an earlier failure left unreadable; it writes them anew and the hash chains are verified next"
        } else {
            continue;
        };
        let aside = data_dir.join(SET_ASIDE);
        std::fs::create_dir_all(&aside)?;
        let to = aside.join(format!(
            "{}-{name}",
            Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ));
        move_file(&entry.path(), &to)?;
        tracing::warn!(from = %entry.path().display(), to = %to.display(), "{what}");
        moved.push(to);
    }
    Ok(moved)
}

/// Renames, or copies and removes when `to` is on another volume (the
/// journal on a disk of its own).
fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::rename(from, to) {
        Err(err) if err.raw_os_error() == Some(rustix::io::Errno::XDEV.raw_os_error()) => {
            std::fs::copy(from, to)?;
            File::open(to)?.sync_all()?;
            std::fs::remove_file(from)
        }
        res => res,
    }
}

/// Whether sled can read its settings file: lines `key: value`, then a
/// 4-byte checksum (sled only warns when that is wrong). A file of 8 bytes
/// or less sled itself takes as missing.
fn settings_readable(conf: &Path) -> std::io::Result<bool> {
    let bytes = std::fs::read(conf)?;
    if bytes.len() <= 8 {
        return Ok(true);
    }
    let body = &bytes[..bytes.len() - 4];
    Ok(std::str::from_utf8(body).is_ok_and(|text| {
        text.lines()
            .filter(|line| !line.is_empty())
            .all(|line| line.contains(": "))
            && !text.trim().is_empty()
    }))
}

/// Space kept in reserve in `data_dir`, so that tocsin can still write (and
/// say what is wrong) when something else fills the disk.
pub const RESERVE_BYTES: u64 = 32 * 1024 * 1024;

/// The reserve's file in `data_dir`.
pub const RESERVE_FILE: &str = "reserve";

/// Free space below which the reserve is released: what opening the
/// journal needs, so that a restart still opens it.
fn critical(usage: Usage) -> u64 {
    MIN_FREE.min(usage.total / 8)
}

/// Free space below which the admins are warned.
fn low(usage: Usage) -> u64 {
    (2 * critical(usage)).max((256 * 1024 * 1024).min(usage.total / 10))
}

/// Whether free space is low enough to warn about.
pub fn is_low(usage: Usage) -> bool {
    usage.free < low(usage)
}

/// What the disk watcher should do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiskAction {
    /// Nothing.
    None,
    /// Free space is running out: release the reserve, and warn.
    Release,
    /// Free space is low: warn (once, until it recovers).
    Warn,
    /// There is room again: re-create the reserve.
    Restore,
}

/// The disk watcher's memory: whether the admins were warned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskWatch {
    warned: bool,
}

impl DiskWatch {
    /// The reserve was just released (and the admins told): warn no more
    /// until space has come back.
    pub fn released(&mut self) {
        self.warned = true;
    }

    /// What to do given the volume's usage and whether the reserve is in place.
    pub fn step(&mut self, usage: Usage, reserve: bool) -> DiskAction {
        if reserve && usage.free < critical(usage) {
            self.warned = true;
            return DiskAction::Release;
        }
        if usage.free < low(usage) {
            if self.warned {
                return DiskAction::None;
            }
            self.warned = true;
            return DiskAction::Warn;
        }
        if usage.free >= 2 * low(usage) {
            self.warned = false;
        }
        if !reserve && usage.free >= RESERVE_BYTES + 2 * low(usage) {
            return DiskAction::Restore;
        }
        DiskAction::None
    }
}

/// Writes the reserve file (zeros, on disk: not a sparse file), unless it
/// is there. Written aside and renamed, so that a half-written one never
/// counts.
pub fn restore_reserve(data_dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let path = data_dir.join(RESERVE_FILE);
    if path.exists() {
        return Ok(());
    }
    let tmp = data_dir.join(format!("{RESERVE_FILE}.writing"));
    let res = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        let chunk = vec![0u8; 1024 * 1024];
        for _ in 0..RESERVE_BYTES / chunk.len() as u64 {
            file.write_all(&chunk)?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// Deletes the reserve file; whether there was one.
pub fn release_reserve(data_dir: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(data_dir.join(RESERVE_FILE)) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

/// Releases the reserve if the journal in `data_dir` would not open without
/// it (a bot starting on a full disk); whether it did.
pub fn release_reserve_if_short(data_dir: &Path) -> std::io::Result<bool> {
    if !has_reserve(data_dir) {
        return Ok(false);
    }
    let needed = needed_to_open(&data_dir.join(super::DB_DIR));
    match check_room(data_dir, needed)? {
        Ok(_) => Ok(false),
        Err(_) => release_reserve(data_dir),
    }
}

/// Whether the reserve file is in place.
pub fn has_reserve(data_dir: &Path) -> bool {
    data_dir.join(RESERVE_FILE).is_file()
}

/// `n` bytes, for people: `512 KiB`, `3.2 MiB`, `14.0 GiB`.
pub fn human(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    #[allow(clippy::cast_precision_loss)] // a size shown to one decimal
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_named_from_errno_or_from_a_store_s_text() {
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(Fault::of(&full), Some(Fault::Full));
        assert_eq!(
            Fault::of(&std::io::Error::from_raw_os_error(30)),
            Some(Fault::ReadOnly)
        );
        assert_eq!(
            Fault::of(&std::io::Error::from_raw_os_error(13)),
            Some(Fault::Denied)
        );
        assert_eq!(
            Fault::of(&std::io::Error::from_raw_os_error(5)),
            Some(Fault::Io)
        );
        assert_eq!(Fault::of(&std::io::Error::from_raw_os_error(2)), None);
        let failing = anyhow::anyhow!("disk I/O error").context("storing the room keys");
        assert_eq!(Fault::in_chain(failing.as_ref()), Some(Fault::Io));
        let sqlite = anyhow::anyhow!("database or disk is full").context("syncing");
        assert_eq!(Fault::in_chain(sqlite.as_ref()), Some(Fault::Full));
        let network = anyhow::anyhow!("connection refused").context("syncing");
        assert_eq!(Fault::in_chain(network.as_ref()), None);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(900), "900 B");
        assert_eq!(human(512 * 1024), "512 KiB");
        assert_eq!(human(16 * 1024 * 1024 + 300 * 1024), "16.3 MiB");
        assert_eq!(human(14 * 1024 * 1024 * 1024), "14.0 GiB");
    }

    #[test]
    fn a_partial_snapshot_is_moved_aside_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("journal");
        std::fs::create_dir_all(&db).unwrap();
        for name in [
            "snap.0000000000000A12",
            "snap.0000000000000B00.generating",
            "conf",
        ] {
            std::fs::write(db.join(name), b"x").unwrap();
        }
        let moved = set_aside_leftovers(dir.path(), &db).unwrap();
        assert_eq!(moved.len(), 1);
        assert!(moved[0].starts_with(dir.path().join(SET_ASIDE)));
        assert!(
            moved[0]
                .to_string_lossy()
                .ends_with("-snap.0000000000000B00.generating")
        );
        let mut left: Vec<_> = std::fs::read_dir(&db)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["conf", "snap.0000000000000A12"]);
    }

    const MIB: u64 = 1024 * 1024;

    fn usage(free_mib: u64, total_mib: u64) -> Usage {
        Usage {
            free: free_mib * MIB,
            total: total_mib * MIB,
        }
    }

    #[test]
    fn the_watcher_releases_the_reserve_warns_once_and_restores_it() {
        let mut watch = DiskWatch::default();
        // A 20 GiB volume: warned below 256 MiB, reserve released below 16 MiB.
        assert_eq!(watch.step(usage(10_000, 20_480), true), DiskAction::None);
        assert_eq!(watch.step(usage(200, 20_480), true), DiskAction::Warn);
        assert_eq!(watch.step(usage(150, 20_480), true), DiskAction::None);
        assert_eq!(watch.step(usage(1, 20_480), true), DiskAction::Release);
        // The reserve freed: still low, already said.
        assert_eq!(watch.step(usage(33, 20_480), false), DiskAction::None);
        // Space back: the reserve comes back, and a new shortage is told again.
        assert_eq!(watch.step(usage(5_000, 20_480), false), DiskAction::Restore);
        assert_eq!(watch.step(usage(4_968, 20_480), true), DiskAction::None);
        assert_eq!(watch.step(usage(100, 20_480), true), DiskAction::Warn);
    }

    #[test]
    fn the_reserve_is_written_whole_then_released() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_reserve(dir.path()));
        restore_reserve(dir.path()).unwrap();
        let len = std::fs::metadata(dir.path().join(RESERVE_FILE))
            .unwrap()
            .len();
        assert_eq!(len, RESERVE_BYTES);
        assert!(!dir.path().join("reserve.writing").exists());
        assert!(release_reserve(dir.path()).unwrap());
        assert!(!release_reserve(dir.path()).unwrap());
    }
}
