//! The journal: durable, append-only, one SHA-256 hash chain per crisis, on sled.
//!
//! This module is the only importer of `sled`. There is no update or delete
//! API. Layout inside the sled database:
//!
//! - tree `chain/<crisis>`: key = seq as big-endian `u64` (so key order is log
//!   order), value = `[FORMAT] ‖ prev_hash[32] ‖ hash[32] ‖ payload`, where
//!   payload is the record's JSON and `hash = SHA-256(prev_hash ‖ seq_be ‖ payload)`.
//!   Verification hashes the stored bytes; it never re-serializes.
//! - tree `sources`: chat event id → `crisis\nseq`, so one event is recorded once.
//! - tree `outbox`: key = a monotonic id as big-endian `u64`, value = what a
//!   front end must still carry out (opaque bytes to the journal). Written in
//!   the same transaction as the records it answers, removed once done, so an
//!   acknowledgement is never lost between the append and its send.
//!
//! Beside the database, `heads.json` holds each chain's last (seq, hash): a
//! watermark written after every durable append. On open, a chain shorter
//! than its watermark means storage lost acknowledged entries, and is
//! reported as such instead of passing silently.
//!
//! Opening verifies every chain and fails at the first bad entry, naming it.

pub mod storage;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sled::Transactional;
use tocsin_core::digest::hex;

use tocsin_core::engine::event::{Event, RECORD_VERSION, Record};

use storage::{Durable, Fault, TooFull, human};

/// Version of the stored value layout (not of the record inside).
const FORMAT: u8 = 1;
const HEADER: usize = 1 + 32 + 32;
const CHAIN_PREFIX: &str = "chain/";
const SOURCES: &str = "sources";
const OUTBOX: &str = "outbox";
const WATERMARK: &str = "heads.json";
const DB_DIR: &str = "journal";

pub type Hash = [u8; 32];

/// The hash before the first entry of every chain.
pub const GENESIS: Hash = [0; 32];

/// A stored entry: the record, the exact bytes that were hashed, and the chain links.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub record: Record,
    /// The record's JSON exactly as stored and hashed.
    pub payload: String,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// The end of one chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: Hash,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Another process holds the database.
    #[error("the journal in {path} is in use by another tocsin process")]
    Locked { path: PathBuf },
    /// An entry fails verification.
    #[error("journal corrupt: crisis {crisis}, entry {seq}: {reason}")]
    Corrupt {
        crisis: String,
        seq: u64,
        reason: String,
    },
    /// An entry written by a newer tocsin, which this one cannot read.
    #[error(
        "the journal was written by a newer tocsin: crisis {crisis}, entry {seq}: {reason}; \
         run that version or a later one (see docs/deploying.md, \"Upgrades\")"
    )]
    Newer {
        crisis: String,
        seq: u64,
        reason: String,
    },
    /// The storage itself is damaged (sled refused it, or its files were altered).
    #[error("journal storage damaged in {path}: {reason}")]
    Damaged { path: PathBuf, reason: String },
    /// The same chat event was already recorded.
    #[error("event {source_id} is already recorded (crisis {crisis}, entry {seq})")]
    Duplicate {
        source_id: String,
        crisis: String,
        seq: u64,
    },
    /// A batch that does not continue its chain; a bug in the caller.
    #[error("refused to append: {0}")]
    Rejected(String),
    /// The directory holds no journal.
    #[error("no journal in {path}")]
    Missing { path: PathBuf },
    /// The volume holding the journal has too little room to open it: nothing was written.
    #[error(
        "the disk holding {} is full ({}% used, {} free of {}; opening the journal needs {}): \
         nothing was written; free space on that volume (old backups, logs, exports) and \
         start tocsin again",
        .0.dir.display(), .0.usage.percent_used(), human(.0.usage.free), human(.0.usage.total),
        human(.0.needed)
    )]
    Full(TooFull),
    /// The storage refused a write or an open, for a reason that is not damage.
    #[error("the journal's storage refused to write: {}, {} ({detail})", .fault.describe(), advice(*.fault))]
    Unwritable { fault: Fault, detail: String },
    #[error("journal I/O error: {0}")]
    Io(String),
    /// A task used its handle on a journal closed since.
    #[error("the journal is closed")]
    Closed,
}

impl JournalError {
    /// Whether the same operation can succeed later without anyone touching
    /// the journal: another process lets go of it, or the disk is fixed.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            JournalError::Locked { .. } | JournalError::Full(_) | JournalError::Unwritable { .. }
        )
    }

    /// The storage fault behind this error, if that is what it is.
    pub fn fault(&self) -> Option<Fault> {
        match self {
            JournalError::Full(_) => Some(Fault::Full),
            JournalError::Unwritable { fault, .. } => Some(*fault),
            _ => None,
        }
    }

    fn from_io(err: &std::io::Error) -> JournalError {
        match Fault::of(err) {
            Some(fault) => JournalError::Unwritable {
                fault,
                detail: err.to_string(),
            },
            None => JournalError::Io(err.to_string()),
        }
    }
}

/// What to do about a storage fault.
fn advice(fault: Fault) -> &'static str {
    match fault {
        Fault::Full => "free space on the volume holding tocsin's data_dir",
        Fault::ReadOnly => {
            "the system remounted it read-only (often a failing disk: read the system log); \
             make it writable again"
        }
        Fault::Denied => "give the account tocsin runs as write access to its data_dir",
        Fault::Io => {
            "the disk is failing or unreachable: read the system log, and fix or replace it; \
             tocsin resumes once it takes writes, and its hash chains say whether every \
             entry is there"
        }
    }
}

impl From<sled::Error> for JournalError {
    fn from(err: sled::Error) -> JournalError {
        match &err {
            sled::Error::Io(io) => JournalError::from_io(io),
            _ => JournalError::Io(err.to_string()),
        }
    }
}

impl From<std::io::Error> for JournalError {
    fn from(err: std::io::Error) -> JournalError {
        JournalError::from_io(&err)
    }
}

/// A read-only view of which chat events are on record, for another task
/// (the Matrix sync loop stops reading back history at the last one).
#[derive(Clone, Debug)]
pub struct SourceIndex(Lease<sled::Tree>);

impl SourceIndex {
    /// Whether the event is on record; a storage error counts as not known.
    /// Once the journal is closed every event counts as known: the run that
    /// asked is over, and nothing is to be read back for it.
    pub fn contains(&self, source: &str) -> bool {
        self.0
            .get()
            .is_none_or(|tree| tree.contains_key(source.as_bytes()).unwrap_or(false))
    }
}

/// A part of the journal that another task holds, let go of when the
/// journal is dropped: then no file of it stays open on a failing disk that
/// an administrator must unmount to repair.
#[derive(Debug)]
struct Lease<T>(Arc<RwLock<Option<T>>>);

impl<T> Clone for Lease<T> {
    fn clone(&self) -> Self {
        Lease(self.0.clone())
    }
}

impl<T: Clone> Lease<T> {
    fn new(held: T) -> Lease<T> {
        Lease(Arc::new(RwLock::new(Some(held))))
    }

    /// What is lent, or `None` once the journal is dropped.
    fn get(&self) -> Option<T> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn end(&self) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// What the journal lends other tasks.
#[derive(Debug)]
struct Lent {
    db: Lease<sled::Db>,
    sources: Lease<sled::Tree>,
    outbox: Lease<sled::Tree>,
}

/// The outbox seen from another task: items carried out are removed there
/// (the Matrix senders), while the runtime task goes on appending.
#[derive(Clone, Debug)]
pub struct OutboxHandle(Lease<sled::Tree>);

impl OutboxHandle {
    /// Removes a carried-out item; see [`Journal::outbox_done`].
    pub fn done(&self, id: u64) -> Result<(), JournalError> {
        let outbox = self.0.get().ok_or(JournalError::Closed)?;
        outbox.remove(id.to_be_bytes())?;
        Ok(())
    }
}

/// What a verification found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Crisis id → its head.
    pub chains: BTreeMap<String, Head>,
    pub n_entries: u64,
}

/// The open journal.
#[derive(Debug)]
pub struct Journal {
    db: sled::Db,
    sources: sled::Tree,
    outbox: sled::Tree,
    dir: PathBuf,
    heads: BTreeMap<String, Head>,
    /// Held while appending, and by a [`Snapshotter`] while it copies, so
    /// that a snapshot never holds half of an append.
    gate: Arc<Mutex<()>>,
    /// The next outbox id is at least this: a journal restored from a
    /// snapshot has outbox items but a fresh id generator.
    next_id: u64,
    /// What makes a flush durable (sled's own is not).
    durable: Mutex<Durable>,
    lent: Lent,
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.lent.db.end();
        self.lent.sources.end();
        self.lent.outbox.end();
    }
}

/// Takes consistent copies of the journal from another task while the
/// runtime task goes on appending (see `backup`).
#[derive(Clone, Debug)]
pub struct Snapshotter {
    db: Lease<sled::Db>,
    gate: Arc<Mutex<()>>,
}

impl Snapshotter {
    /// Copies every tree into a new journal in `dest` (which must not hold
    /// one yet), appends waiting meanwhile, then verifies the copy and
    /// writes its watermark. Returns what the copy holds.
    pub fn write(&self, dest: &Path) -> Result<Summary, JournalError> {
        let db_path = dest.join(DB_DIR);
        if db_path.exists() {
            return Err(JournalError::Rejected(format!(
                "{} already holds a journal",
                dest.display()
            )));
        }
        let db = self.db.get().ok_or(JournalError::Closed)?;
        fs::create_dir_all(dest)?;
        let needed = storage::needed_to_copy(db.size_on_disk()?);
        storage::check_room(dest, needed)?.map_err(JournalError::Full)?;
        {
            let _appends_wait = self.gate.lock().unwrap_or_else(PoisonError::into_inner);
            let copy = sled::Config::new().path(&db_path).open()?;
            for name in db.tree_names() {
                let from = db.open_tree(&name)?;
                let to = copy.open_tree(&name)?;
                for item in from.iter() {
                    let (key, value) = item?;
                    to.insert(key, value)?;
                }
            }
            copy.flush()?;
        }
        // Opening the copy makes it durable (`Durable::open`) and verifies it.
        // No one else can hold the copy: a lock still held is the copy's own
        // (sled's background threads let go of it just after the drop, later
        // on a loaded machine).
        let deadline = std::time::Instant::now() + COPY_RELEASED;
        let (journal, summary) = loop {
            match Journal::open(dest, |_| {}) {
                Err(JournalError::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                opened => break opened?,
            }
        };
        journal.close()?;
        Ok(summary)
    }
}

/// How long a snapshot waits for sled to release the copy it just wrote.
const COPY_RELEASED: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Serialize, Deserialize)]
struct WatermarkEntry {
    seq: u64,
    hash: String,
}

impl Journal {
    /// Opens (or creates) the journal in `dir`, verifies every chain, and feeds
    /// each verified entry to `visit` in chain order.
    pub fn open(
        dir: &Path,
        mut visit: impl FnMut(&Entry),
    ) -> Result<(Journal, Summary), JournalError> {
        fs::create_dir_all(dir)?;
        let db_path = dir.join(DB_DIR);
        // Nothing is written before this: a full disk is refused up front.
        storage::check_room(dir, storage::needed_to_open(&db_path))?.map_err(JournalError::Full)?;
        storage::set_aside_leftovers(dir, &db_path)?;
        storage::forget_cached(&db_path)?;
        let db = open_db(&db_path)?;
        let durable = Mutex::new(Durable::open(&db_path)?);
        let sources = db.open_tree(SOURCES)?;
        let outbox = db.open_tree(OUTBOX)?;
        let next_id = match outbox.last()? {
            Some((key, _)) => <[u8; 8]>::try_from(key.as_ref())
                .map_or(0, |k| u64::from_be_bytes(k).saturating_add(1)),
            None => 0,
        };
        let lent = Lent {
            db: Lease::new(db.clone()),
            sources: Lease::new(sources.clone()),
            outbox: Lease::new(outbox.clone()),
        };
        let mut journal = Journal {
            db,
            sources,
            outbox,
            dir: dir.to_path_buf(),
            heads: BTreeMap::new(),
            gate: Arc::default(),
            next_id,
            durable,
            lent,
        };
        let summary = journal.verify_all(&mut visit)?;
        journal.heads = summary.chains.clone();
        journal.check_watermark()?;
        Ok((journal, summary))
    }

    /// Opens the journal and verifies it, for `tocsin verify`.
    pub fn verify_dir(dir: &Path) -> Result<Summary, JournalError> {
        if !Journal::exists(dir) {
            return Err(JournalError::Missing {
                path: dir.to_path_buf(),
            });
        }
        let (_journal, summary) = Journal::open(dir, |_| {})?;
        Ok(summary)
    }

    /// Whether `dir` holds a journal (opening a directory without one creates one).
    pub fn exists(dir: &Path) -> bool {
        dir.join(DB_DIR).is_dir()
    }

    /// What takes consistent copies of this journal from another task.
    pub fn snapshotter(&self) -> Snapshotter {
        Snapshotter {
            db: self.lent.db.clone(),
            gate: self.gate.clone(),
        }
    }

    pub fn head(&self, crisis: &str) -> Option<Head> {
        self.heads.get(crisis).copied()
    }

    pub fn crises(&self) -> impl Iterator<Item = &str> {
        self.heads.keys().map(String::as_str)
    }

    /// The outbox, for the task that carries its items out.
    pub fn outbox_handle(&self) -> OutboxHandle {
        OutboxHandle(self.lent.outbox.clone())
    }

    /// A view of the recorded chat events that other tasks can read.
    pub fn source_index(&self) -> SourceIndex {
        SourceIndex(self.lent.sources.clone())
    }

    /// Whether a chat event was already recorded.
    pub fn has_source(&self, source: &str) -> Result<bool, JournalError> {
        Ok(self.sources.contains_key(source.as_bytes())?)
    }

    /// Appends the records of one crisis and waits until they are on disk.
    ///
    /// The records must continue the chain (`seq` = head + 1, + 2, …). The first
    /// record's source, if any, must not be recorded yet. All or nothing.
    pub fn append(&mut self, records: &[Record]) -> Result<Vec<Entry>, JournalError> {
        self.append_with_outbox(records, |_| Vec::new())
            .map(|(entries, _)| entries)
    }

    /// Appends the records together with what must be carried out for them,
    /// in one transaction, and waits until all of it is on disk.
    ///
    /// The records may span several crises (a regional exercise's command
    /// plays in every establishment it drives), each crisis's records in one
    /// run continuing its chain: all of them are written, or none.
    /// `outbox` sees the new entries (their hashes included) and returns the
    /// items to store, as opaque bytes; the ids they are stored under come back
    /// with the entries, in the same order. With no records, only the outbox
    /// items are written (still durably).
    pub fn append_with_outbox(
        &mut self,
        records: &[Record],
        outbox: impl FnOnce(&[Entry]) -> Vec<Vec<u8>>,
    ) -> Result<(Vec<Entry>, Vec<u64>), JournalError> {
        let gate = self.gate.clone();
        let _snapshots_wait = gate.lock().unwrap_or_else(PoisonError::into_inner);
        let mut entries = Vec::with_capacity(records.len());
        let mut crises: Vec<String> = Vec::new();
        for run in records.chunk_by(|a, b| a.crisis == b.crisis) {
            let crisis = &run[0].crisis;
            if crises.contains(crisis) {
                return Err(JournalError::Rejected(format!(
                    "crisis {crisis}: its records must follow each other in a batch"
                )));
            }
            entries.extend(self.chain(crisis, run)?);
            crises.push(crisis.clone());
        }
        self.check_new_sources(&entries)?;
        let items = outbox(&entries);
        let ids = self.outbox_ids(items.len())?;
        if entries.is_empty() && items.is_empty() {
            return Ok((entries, ids));
        }
        // sources, outbox, then one chain per crisis: one transaction.
        let mut trees = vec![self.sources.clone(), self.outbox.clone()];
        let mut tree_of = HashMap::new();
        for crisis in &crises {
            tree_of.insert(crisis.as_str(), trees.len());
            trees.push(self.db.open_tree(chain_tree(crisis))?);
        }
        let res: sled::transaction::TransactionResult<(), ()> =
            trees.as_slice().transaction(|trees| {
                let (sources, pending) = (&trees[0], &trees[1]);
                for entry in &entries {
                    let crisis = &entry.record.crisis;
                    // Every entry's crisis opened its tree above.
                    let chain = &trees[tree_of[crisis.as_str()]];
                    chain.insert(&entry.record.seq.to_be_bytes(), stored_value(entry))?;
                    if let Some(source) = &entry.record.source {
                        sources
                            .insert(source.as_bytes(), source_value(crisis, entry.record.seq))?;
                    }
                }
                for (id, item) in ids.iter().zip(&items) {
                    pending.insert(&id.to_be_bytes(), item.as_slice())?;
                }
                Ok(())
            });
        res.map_err(|e| match e {
            sled::transaction::TransactionError::Storage(err) => JournalError::from(err),
            sled::transaction::TransactionError::Abort(()) => {
                JournalError::Io("the transaction was aborted".to_owned())
            }
        })?;
        // Durable before anything is acknowledged.
        self.flush()?;
        for run in entries.chunk_by(|a, b| a.record.crisis == b.record.crisis) {
            if let Some(last) = run.last() {
                let head = Head {
                    seq: last.record.seq,
                    hash: last.hash,
                };
                self.heads.insert(last.record.crisis.clone(), head);
            }
        }
        // The entries are on disk: acknowledged they must be. A watermark that
        // could not follow only lags (it guards against losing entries, and
        // the next append or the close rewrites it).
        if !entries.is_empty()
            && let Err(err) = self.write_watermark(false)
        {
            tracing::error!(error = %err, "the journal's watermark could not be updated");
        }
        Ok((entries, ids))
    }

    /// The records as entries continuing `crisis`'s chain, each hashed on the
    /// previous one; refused if they do not continue it.
    fn chain(&self, crisis: &str, records: &[Record]) -> Result<Vec<Entry>, JournalError> {
        let head = self.heads.get(crisis).copied();
        let mut prev = head.map_or(GENESIS, |h| h.hash);
        let first_seq = head.map_or(1, |h| h.seq + 1);
        let mut entries = Vec::with_capacity(records.len());
        for (next_seq, record) in (first_seq..).zip(records) {
            if record.seq != next_seq {
                return Err(JournalError::Rejected(format!(
                    "crisis {crisis}: expected entry {next_seq}, got {}",
                    record.seq
                )));
            }
            if next_seq == 1 && !matches!(record.event, Event::CrisisOpened { .. }) {
                return Err(JournalError::Rejected(format!(
                    "crisis {crisis} must start with its opening"
                )));
            }
            let payload =
                serde_json::to_string(record).map_err(|e| JournalError::Rejected(e.to_string()))?;
            let hash = chain_hash(&prev, record.seq, payload.as_bytes());
            entries.push(Entry {
                record: record.clone(),
                payload,
                prev_hash: prev,
                hash,
            });
            prev = hash;
        }
        Ok(entries)
    }

    /// Refuses entries whose chat event is already on record.
    fn check_new_sources(&self, entries: &[Entry]) -> Result<(), JournalError> {
        let mut seen = std::collections::HashSet::new();
        for entry in entries {
            // One chat event is the source of one entry: the index points at it.
            if let Some(source) = &entry.record.source
                && !seen.insert(source)
            {
                return Err(JournalError::Rejected(format!(
                    "chat event {source} is the source of two entries"
                )));
            }
            if let Some(source) = &entry.record.source
                && let Some(found) = self.sources.get(source.as_bytes())?
            {
                let (crisis, seq) = parse_source_value(&found);
                return Err(JournalError::Duplicate {
                    source_id: source.clone(),
                    crisis,
                    seq,
                });
            }
        }
        Ok(())
    }

    fn outbox_ids(&mut self, n: usize) -> Result<Vec<u64>, JournalError> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let id = self.db.generate_id()?.max(self.next_id);
            self.next_id = id + 1;
            ids.push(id);
        }
        Ok(ids)
    }

    /// The outbox items not yet carried out, oldest first.
    pub fn outbox(&self) -> Result<Vec<(u64, Vec<u8>)>, JournalError> {
        let mut items = Vec::new();
        for item in self.outbox.iter() {
            let (key, value) = item?;
            let id = <[u8; 8]>::try_from(key.as_ref())
                .map(u64::from_be_bytes)
                .map_err(|_| JournalError::Damaged {
                    path: self.dir.clone(),
                    reason: "malformed outbox key".to_owned(),
                })?;
            items.push((id, value.to_vec()));
        }
        Ok(items)
    }

    /// Removes a carried-out item from the outbox. Not flushed: if the removal
    /// is lost in a crash, the item is carried out again, which its derived
    /// transaction id makes harmless.
    pub fn outbox_done(&self, id: u64) -> Result<(), JournalError> {
        self.outbox.remove(id.to_be_bytes())?;
        Ok(())
    }

    /// The entries of one crisis, in order, verified as they are read.
    pub fn entries(&self, crisis: &str) -> Result<Vec<Entry>, JournalError> {
        let tree = self.db.open_tree(chain_tree(crisis))?;
        let mut out = Vec::new();
        verify_chain(crisis, &tree, &mut |e| out.push(e.clone()))?;
        Ok(out)
    }

    /// Writes a whole chain read back from elsewhere (the room, by `tocsin
    /// recover`): the exact payloads, each checked against its hash and link
    /// and read as the record of its place, into a crisis with no entry yet.
    /// All or nothing, then flushed and watermarked.
    pub fn restore_chain(
        &mut self,
        crisis: &str,
        chain: &[(u64, String, Hash)],
    ) -> Result<Head, JournalError> {
        if self.heads.contains_key(crisis) {
            return Err(JournalError::Rejected(format!(
                "crisis {crisis} already has entries"
            )));
        }
        let mut entries: Vec<Entry> = Vec::with_capacity(chain.len());
        let mut prev = GENESIS;
        for (expected, (seq, payload, hash)) in (1u64..).zip(chain) {
            let corrupt = |reason: String| JournalError::Corrupt {
                crisis: crisis.to_owned(),
                seq: *seq,
                reason,
            };
            if *seq != expected {
                return Err(corrupt(format!("expected entry {expected}")));
            }
            let mut value = Vec::with_capacity(HEADER + payload.len());
            value.push(FORMAT);
            value.extend_from_slice(&prev);
            value.extend_from_slice(hash);
            value.extend_from_slice(payload.as_bytes());
            let entry = decode(crisis, *seq, &value, &prev).map_err(|unread| {
                let (Unread::Corrupt(reason) | Unread::Newer(reason)) = unread;
                corrupt(reason)
            })?;
            prev = entry.hash;
            entries.push(entry);
        }
        self.check_new_sources(&entries)?;
        let Some(last) = entries.last() else {
            return Err(JournalError::Rejected(format!("crisis {crisis}: no entry")));
        };
        let head = Head {
            seq: last.record.seq,
            hash: last.hash,
        };
        let tree = self.db.open_tree(chain_tree(crisis))?;
        let res: sled::transaction::TransactionResult<(), ()> =
            (&tree, &self.sources).transaction(|(tree, sources)| {
                for entry in &entries {
                    tree.insert(&entry.record.seq.to_be_bytes(), stored_value(entry))?;
                    if let Some(source) = &entry.record.source {
                        sources
                            .insert(source.as_bytes(), source_value(crisis, entry.record.seq))?;
                    }
                }
                Ok(())
            });
        res.map_err(|e| JournalError::Io(format!("{e:?}")))?;
        self.flush()?;
        self.heads.insert(crisis.to_owned(), head);
        self.write_watermark(true)?;
        Ok(head)
    }

    /// The entries of one crisis from `from` on, in order, each checked
    /// against its own hash and linked to the one before (the chain was
    /// verified whole when the journal was opened).
    pub fn entries_from(&self, crisis: &str, from: u64) -> Result<Vec<Entry>, JournalError> {
        let tree = self.db.open_tree(chain_tree(crisis))?;
        let mut out: Vec<Entry> = Vec::new();
        for item in tree.range(from.to_be_bytes()..) {
            let (key, value) = item?;
            let seq = <[u8; 8]>::try_from(key.as_ref()).map_or(0, u64::from_be_bytes);
            let prev = match out.last() {
                Some(entry) => entry.hash,
                None => value
                    .get(1..33)
                    .and_then(|p| Hash::try_from(p).ok())
                    .unwrap_or(GENESIS),
            };
            let entry = decode(crisis, seq, &value, &prev).map_err(|unread| {
                let (Unread::Corrupt(reason) | Unread::Newer(reason)) = unread;
                JournalError::Corrupt {
                    crisis: crisis.to_owned(),
                    seq,
                    reason,
                }
            })?;
            out.push(entry);
        }
        Ok(out)
    }

    /// Flushes and makes the watermark durable; for an orderly shutdown.
    pub fn close(self) -> Result<(), JournalError> {
        self.flush()?;
        self.write_watermark(true)
    }

    /// Everything written so far, on disk.
    fn flush(&self) -> Result<(), JournalError> {
        self.db.flush()?;
        self.durable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sync()?;
        Ok(())
    }

    fn verify_all(&self, visit: &mut dyn FnMut(&Entry)) -> Result<Summary, JournalError> {
        let mut summary = Summary::default();
        let mut n_sourced = 0u64;
        for name in self.db.tree_names() {
            let Some(crisis) = std::str::from_utf8(&name)
                .ok()
                .and_then(|n| n.strip_prefix(CHAIN_PREFIX))
            else {
                continue;
            };
            let crisis = crisis.to_owned();
            let tree = self.db.open_tree(&name)?;
            let sources = &self.sources;
            let mut source_problem = None;
            let head = verify_chain(&crisis, &tree, &mut |entry| {
                if let Some(source) = &entry.record.source {
                    n_sourced += 1;
                    let indexed = sources.get(source.as_bytes()).ok().flatten();
                    let expected = source_value(&crisis, entry.record.seq);
                    if source_problem.is_none() && indexed.as_deref() != Some(expected.as_slice()) {
                        source_problem = Some(entry.record.seq);
                    }
                }
                visit(entry);
            })?;
            if let Some(seq) = source_problem {
                return Err(JournalError::Corrupt {
                    crisis,
                    seq,
                    reason: "its chat event is missing from the deduplication index".to_owned(),
                });
            }
            if let Some(head) = head {
                summary.n_entries += head.seq;
                summary.chains.insert(crisis, head);
            }
        }
        if self.sources.len() as u64 != n_sourced {
            return Err(JournalError::Damaged {
                path: self.dir.clone(),
                reason: format!(
                    "the deduplication index holds {} events but the chains hold {n_sourced}",
                    self.sources.len()
                ),
            });
        }
        Ok(summary)
    }

    fn watermark_path(&self) -> PathBuf {
        self.dir.join(WATERMARK)
    }

    /// Checks that every chain reaches at least its watermark.
    fn check_watermark(&self) -> Result<(), JournalError> {
        let path = self.watermark_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => {
                return Err(JournalError::Damaged {
                    path,
                    reason: format!("watermark unreadable: {err}"),
                });
            }
        };
        if text.trim().is_empty() {
            // Left empty by a power cut between write and rename; the chains were verified.
            tracing::warn!(path = %path.display(), "empty journal watermark, ignored");
            return Ok(());
        }
        let marks: BTreeMap<String, WatermarkEntry> =
            serde_json::from_str(&text).map_err(|err| JournalError::Damaged {
                path: path.clone(),
                reason: format!("watermark damaged: {err}"),
            })?;
        for (crisis, mark) in marks {
            let head = self.heads.get(&crisis);
            let Some(_) = head.filter(|h| h.seq >= mark.seq) else {
                let have = head.map_or(0, |h| h.seq);
                return Err(JournalError::Corrupt {
                    crisis,
                    seq: have + 1,
                    reason: format!(
                        "entries {}..={} were recorded but are gone: the storage lost data",
                        have + 1,
                        mark.seq
                    ),
                });
            };
            let tree = self.db.open_tree(chain_tree(&crisis))?;
            let stored = tree.get(mark.seq.to_be_bytes())?;
            let matches = stored
                .as_deref()
                .is_some_and(|v| v.len() >= HEADER && hex(&v[33..65]) == mark.hash);
            if !matches {
                return Err(JournalError::Corrupt {
                    crisis,
                    seq: mark.seq,
                    reason: "its hash differs from the one recorded when it was written".to_owned(),
                });
            }
        }
        Ok(())
    }

    fn write_watermark(&self, sync: bool) -> Result<(), JournalError> {
        let marks: BTreeMap<&str, WatermarkEntry> = self
            .heads
            .iter()
            .map(|(c, h)| {
                (
                    c.as_str(),
                    WatermarkEntry {
                        seq: h.seq,
                        hash: hex(&h.hash),
                    },
                )
            })
            .collect();
        let json = serde_json::to_vec(&marks).map_err(|e| JournalError::Io(e.to_string()))?;
        let tmp = self.dir.join(format!("{WATERMARK}.tmp"));
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&json)?;
        if sync {
            file.sync_all()?;
        }
        fs::rename(&tmp, self.watermark_path())?;
        Ok(())
    }
}

fn open_db(path: &Path) -> Result<sled::Db, JournalError> {
    // sled may panic on some damaged files instead of returning an error.
    let res = catch_unwind(AssertUnwindSafe(|| sled::Config::new().path(path).open()));
    match res {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(sled::Error::Io(err)))
            if err.kind() == std::io::ErrorKind::WouldBlock || err.to_string().contains("lock") =>
        {
            Err(JournalError::Locked {
                path: path.to_path_buf(),
            })
        }
        Ok(Err(sled::Error::Io(err))) if Fault::of(&err).is_some() => {
            Err(JournalError::from_io(&err))
        }
        Ok(Err(sled::Error::Corruption { at, .. })) => Err(JournalError::Damaged {
            path: path.to_path_buf(),
            reason: format!("sled found corrupted data at {at:?}"),
        }),
        Ok(Err(err)) => Err(JournalError::Damaged {
            path: path.to_path_buf(),
            reason: err.to_string(),
        }),
        Err(panic) => Err(JournalError::Damaged {
            path: path.to_path_buf(),
            reason: format!(
                "the storage engine failed on its files ({})",
                panic_text(&panic)
            ),
        }),
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".to_owned())
}

fn chain_tree(crisis: &str) -> String {
    format!("{CHAIN_PREFIX}{crisis}")
}

fn source_value(crisis: &str, seq: u64) -> Vec<u8> {
    format!("{crisis}\n{seq}").into_bytes()
}

fn parse_source_value(v: &[u8]) -> (String, u64) {
    let text = String::from_utf8_lossy(v);
    let (crisis, seq) = text.split_once('\n').unwrap_or((&text, "0"));
    (crisis.to_owned(), seq.parse().unwrap_or(0))
}

fn stored_value(entry: &Entry) -> Vec<u8> {
    let mut v = Vec::with_capacity(HEADER + entry.payload.len());
    v.push(FORMAT);
    v.extend_from_slice(&entry.prev_hash);
    v.extend_from_slice(&entry.hash);
    v.extend_from_slice(entry.payload.as_bytes());
    v
}

/// `SHA-256(prev_hash ‖ seq as big-endian u64 ‖ payload)`.
pub fn chain_hash(prev: &Hash, seq: u64, payload: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(payload);
    h.finalize().into()
}

/// Verifies one chain in key order; returns its head. Fails at the first bad entry.
fn verify_chain(
    crisis: &str,
    tree: &sled::Tree,
    visit: &mut dyn FnMut(&Entry),
) -> Result<Option<Head>, JournalError> {
    let mut prev = GENESIS;
    let mut expected = 1u64;
    let corrupt = |seq: u64, reason: String| JournalError::Corrupt {
        crisis: crisis.to_owned(),
        seq,
        reason,
    };
    for item in tree.iter() {
        let (key, value) = item.map_err(|e| corrupt(expected, format!("unreadable: {e}")))?;
        let seq = <[u8; 8]>::try_from(key.as_ref())
            .map(u64::from_be_bytes)
            .map_err(|_| corrupt(expected, "malformed key".to_owned()))?;
        if seq != expected {
            return Err(corrupt(
                expected,
                format!("missing (next stored entry is {seq})"),
            ));
        }
        let entry = decode(crisis, seq, &value, &prev).map_err(|unread| match unread {
            Unread::Corrupt(reason) => corrupt(seq, reason),
            Unread::Newer(reason) => JournalError::Newer {
                crisis: crisis.to_owned(),
                seq,
                reason,
            },
        })?;
        visit(&entry);
        prev = entry.hash;
        expected += 1;
    }
    Ok((expected > 1).then_some(Head {
        seq: expected - 1,
        hash: prev,
    }))
}

/// Why a stored entry is not read.
enum Unread {
    /// Damaged or altered.
    Corrupt(String),
    /// Written by a newer tocsin.
    Newer(String),
}

impl From<String> for Unread {
    fn from(reason: String) -> Unread {
        Unread::Corrupt(reason)
    }
}

fn decode(crisis: &str, seq: u64, value: &[u8], prev: &Hash) -> Result<Entry, Unread> {
    if value.len() < HEADER {
        return Err("truncated value".to_owned().into());
    }
    if value[0] > FORMAT {
        return Err(Unread::Newer(format!(
            "storage format {} is newer than this tocsin ({FORMAT})",
            value[0]
        )));
    }
    if value[0] != FORMAT {
        return Err(format!("unknown storage format {}", value[0]).into());
    }
    let prev_hash: Hash = value[1..33]
        .try_into()
        .map_err(|_| "bad header".to_owned())?;
    let hash: Hash = value[33..65]
        .try_into()
        .map_err(|_| "bad header".to_owned())?;
    if &prev_hash != prev {
        return Err("its link to the previous entry is broken".to_owned().into());
    }
    let payload = &value[HEADER..];
    if chain_hash(prev, seq, payload) != hash {
        return Err(
            "its content does not match its hash (altered after writing)"
                .to_owned()
                .into(),
        );
    }
    let payload = std::str::from_utf8(payload).map_err(|_| "payload is not UTF-8".to_owned())?;
    let newer = |v: u64| {
        Unread::Newer(format!(
            "record version {v} is newer than this tocsin ({RECORD_VERSION})"
        ))
    };
    let record: Record = match serde_json::from_str(payload) {
        Ok(record) => record,
        // A newer record may hold what this version cannot parse: its
        // version says so, rather than "unreadable".
        Err(err) => {
            let version = serde_json::from_str::<serde_json::Value>(payload)
                .ok()
                .and_then(|r| r.get("v").and_then(serde_json::Value::as_u64));
            return Err(match version {
                Some(v) if v > u64::from(RECORD_VERSION) => newer(v),
                _ => Unread::Corrupt(format!("unreadable record: {err}")),
            });
        }
    };
    if record.v > RECORD_VERSION {
        return Err(newer(u64::from(record.v)));
    }
    if record.seq != seq || record.crisis != crisis {
        return Err("record does not match its place in the chain"
            .to_owned()
            .into());
    }
    if seq == 1 && !matches!(record.event, Event::CrisisOpened { .. }) {
        return Err("a chain must start with the crisis opening"
            .to_owned()
            .into());
    }
    Ok(Entry {
        record,
        payload: payload.to_owned(),
        prev_hash,
        hash,
    })
}
