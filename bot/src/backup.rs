//! Backups: a consistent snapshot of a data directory, even while the bot
//! runs, its verification, and its restoration.
//!
//! A snapshot is a tar archive of what a data directory needs to carry on:
//! the journal (copied tree by tree while appends wait, then verified), its
//! watermark, the `alive` mark, the files put on record (`files/`, copied
//! after the journal: each is stored before the entry that names it), and
//! the Matrix session, sync position and SQLite store (each database copied with `VACUUM INTO`, which SQLite makes
//! consistent whoever else writes). A manifest (`tocsin-backup.json`, first
//! in the archive) names the chains' heads and every file's SHA-256.
//!
//! The journal belongs to one process (sled locks it). When the bot runs,
//! `tocsin backup` asks it, through the UNIX socket `control.sock` in the
//! data directory, to write the snapshot itself into a staging directory
//! inside the data directory, then packs that. The sync position is copied
//! before the journal: the runtime stores a position only after the events
//! before it are journaled, so a restored bot reads back from the homeserver
//! anything said after the snapshot, and its event index skips what it has.
//!
//! This module is the only user of `tar` and `rusqlite`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::evidence;
use crate::journal::{Journal, JournalError, Snapshotter, Summary};
use tocsin_core::engine::event::Event;

/// The control socket in the data directory, through which a running bot takes snapshots.
pub const CONTROL_SOCKET: &str = "control.sock";
/// The manifest, the archive's first member.
const MANIFEST: &str = "tocsin-backup.json";
/// Version of the snapshot layout; `restore` refuses a newer one.
pub const FORMAT: u32 = 1;
/// What a staging directory's name starts with, in the data directory.
const STAGING_PREFIX: &str = "snapshot-";
/// Files of the data directory a snapshot copies as they are, if present;
/// the sync position first (see the module's comment).
const PLAIN_FILES: &[&str] = &["matrix/sync-position", "matrix/session.json", "alive"];
/// The Matrix SDK's SQLite store.
const STORE_DIR: &str = "matrix/store";

/// What a snapshot holds, written first in the archive.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version ([`FORMAT`]).
    pub format: u32,
    /// The tocsin version that wrote it.
    pub tocsin: String,
    pub created_at: DateTime<Utc>,
    /// Crisis id → its number of entries and final digest.
    pub crises: BTreeMap<String, ChainHead>,
    /// Path inside the archive → SHA-256 of its content.
    pub files: BTreeMap<String, String>,
}

/// The end of one chain, as the manifest records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChainHead {
    pub entries: u64,
    pub digest: String,
}

impl Manifest {
    pub fn n_entries(&self) -> u64 {
        self.crises.values().map(|c| c.entries).sum()
    }

    /// Whether the snapshot holds a Matrix store and session.
    pub fn has_matrix_store(&self) -> bool {
        self.files.contains_key("matrix/session.json")
            && self.files.keys().any(|f| f.starts_with(STORE_DIR))
    }
}

/// Writes a snapshot of `data_dir` into `staging`: the plain files, the
/// journal through `journal`, then the Matrix store.
pub fn snapshot(data_dir: &Path, journal: &Snapshotter, staging: &Path) -> anyhow::Result<Summary> {
    fs::create_dir_all(staging.join(STORE_DIR))
        .with_context(|| format!("creating {}", staging.display()))?;
    for name in PLAIN_FILES {
        let from = data_dir.join(name);
        if from.exists() {
            fs::copy(&from, staging.join(name))
                .with_context(|| format!("copying {}", from.display()))?;
        }
    }
    let summary = journal
        .write(staging)
        .context("copying the journal into the snapshot")?;
    copy_evidence(&evidence::dir(data_dir), &evidence::dir(staging))?;
    let store = data_dir.join(STORE_DIR);
    if store.is_dir() {
        for entry in fs::read_dir(&store)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "sqlite3") {
                let name = path.file_name().unwrap_or_default();
                copy_sqlite(&path, &staging.join(STORE_DIR).join(name))?;
            }
        }
    }
    Ok(summary)
}

/// Copies the files put on record (named by their SHA-256; a file being
/// written has another name and is left out).
fn copy_evidence(from: &Path, to: &Path) -> anyhow::Result<()> {
    if !from.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
            fs::copy(&path, to.join(name))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}

/// A consistent copy of one SQLite database, whoever else writes it.
fn copy_sqlite(from: &Path, to: &Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open_with_flags(
        from,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", from.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let target = to.to_str().context("a non-UTF-8 path")?;
    conn.execute("VACUUM INTO ?1", [target])
        .with_context(|| format!("copying {}", from.display()))?;
    Ok(())
}

/// Whether each SQLite database of a restored store opens and is intact.
fn check_sqlite(path: &Path) -> anyhow::Result<()> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let res: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if res != "ok" {
        bail!("{}: {res}", path.display());
    }
    Ok(())
}

/// Packs a staging directory into `output` (created with mode 0600: it holds
/// the session's access token), manifest first, and returns the manifest.
pub fn pack(staging: &Path, summary: &Summary, output: &Path) -> anyhow::Result<Manifest> {
    let mut files = BTreeMap::new();
    for path in walk(staging)? {
        let rel = relative(staging, &path)?;
        files.insert(rel, sha256_file(&path)?);
    }
    let manifest = Manifest {
        format: FORMAT,
        tocsin: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: Utc::now(),
        crises: summary
            .chains
            .iter()
            .map(|(crisis, head)| {
                let head = ChainHead {
                    entries: head.seq,
                    digest: tocsin_core::digest::hex(&head.hash),
                };
                (crisis.clone(), head)
            })
            .collect(),
        files,
    };
    let tmp = output.with_extension("partial");
    let file = create_private(&tmp)?;
    let mut archive = tar::Builder::new(std::io::BufWriter::new(file));
    let json = serde_json::to_vec_pretty(&manifest)?;
    append_bytes(&mut archive, MANIFEST, &json)?;
    for rel in manifest.files.keys() {
        let bytes = fs::read(staging.join(rel))?;
        append_bytes(&mut archive, rel, &bytes)?;
    }
    let file = archive
        .into_inner()?
        .into_inner()
        .map_err(|e| e.into_error())?;
    file.sync_all()?;
    fs::rename(&tmp, output).with_context(|| format!("writing {}", output.display()))?;
    Ok(manifest)
}

fn append_bytes(
    archive: &mut tar::Builder<impl Write>,
    path: &str,
    bytes: &[u8],
) -> anyhow::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(Utc::now().timestamp()).unwrap_or_default());
    header.set_entry_type(tar::EntryType::Regular);
    archive.append_data(&mut header, path, bytes)?;
    Ok(())
}

/// Unpacks a snapshot into `dest` (an empty directory), checking every
/// file against the manifest; returns the manifest.
fn unpack(file: &Path, dest: &Path) -> anyhow::Result<Manifest> {
    let reader = fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    let mut archive = tar::Archive::new(BufReader::new(reader));
    let mut manifest: Option<Manifest> = None;
    let mut seen = BTreeMap::new();
    for entry in archive
        .entries()
        .with_context(|| format!("{} is not a tocsin backup", file.display()))?
    {
        let mut entry = entry.with_context(|| format!("{}: damaged archive", file.display()))?;
        let rel = entry.path()?.to_string_lossy().into_owned();
        if entry.header().entry_type() != tar::EntryType::Regular || !is_plain_relative(&rel) {
            bail!("{}: unexpected member `{rel}`", file.display());
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if rel == MANIFEST {
            let parsed: Manifest = serde_json::from_slice(&bytes)
                .with_context(|| format!("{}: unreadable manifest", file.display()))?;
            if parsed.format > FORMAT {
                bail!(
                    "{}: snapshot format {} is newer than this tocsin ({FORMAT}); use tocsin {} or later",
                    file.display(),
                    parsed.format,
                    parsed.tocsin
                );
            }
            manifest = Some(parsed);
            continue;
        }
        let Some(expected) = manifest.as_ref().and_then(|m| m.files.get(&rel)) else {
            bail!("{}: `{rel}` is not in the manifest", file.display());
        };
        if &tocsin_core::digest::sha256_hex(&bytes) != expected {
            bail!(
                "{}: `{rel}` differs from the manifest (altered or damaged)",
                file.display()
            );
        }
        let target = dest.join(&rel);
        if let Some(parent) = target.parent() {
            create_private_dir(parent)?;
        }
        create_private(&target)?.write_all(&bytes)?;
        seen.insert(rel, ());
    }
    let Some(manifest) = manifest else {
        bail!("{} is not a tocsin backup (no manifest)", file.display());
    };
    if let Some(missing) = manifest.files.keys().find(|f| !seen.contains_key(*f)) {
        bail!(
            "{}: `{missing}` is missing (truncated archive?)",
            file.display()
        );
    }
    Ok(manifest)
}

/// What a verified snapshot holds.
#[derive(Debug)]
pub struct Verified {
    pub manifest: Manifest,
    pub summary: Summary,
    /// How many files the journal puts on record (each present, matching its hash).
    pub files: usize,
}

/// Unpacks a snapshot into `dest` and verifies it: every file against the
/// manifest, every chain of the journal, the chains' heads against the
/// manifest, the copy of every file the journal puts on record, and each
/// database of the Matrix store.
pub fn unpack_and_verify(file: &Path, dest: &Path) -> anyhow::Result<Verified> {
    let manifest = unpack(file, dest)?;
    let (summary, named) = journal_and_files(dest)?;
    let files = evidence::dir(dest);
    for sha256 in &named {
        evidence::check(&files, sha256)
            .with_context(|| "the files put on record are incomplete or altered")?;
    }
    for (crisis, head) in &summary.chains {
        let recorded = manifest.crises.get(crisis);
        let found = ChainHead {
            entries: head.seq,
            digest: tocsin_core::digest::hex(&head.hash),
        };
        if recorded != Some(&found) {
            bail!("crisis {crisis}: the journal differs from the manifest");
        }
    }
    if summary.chains.len() != manifest.crises.len() {
        bail!("the journal holds fewer crises than the manifest");
    }
    let store = dest.join(STORE_DIR);
    if store.is_dir() {
        for entry in fs::read_dir(&store)? {
            check_sqlite(&entry?.path()).context("the Matrix store is damaged")?;
        }
    }
    Ok(Verified {
        manifest,
        summary,
        files: named.len(),
    })
}

/// Verifies the journal in `dir` and lists the files its entries put on record.
fn journal_and_files(dir: &Path) -> anyhow::Result<(Summary, Vec<String>)> {
    if !Journal::exists(dir) {
        return Err(anyhow::anyhow!(JournalError::Missing {
            path: dir.to_path_buf(),
        }));
    }
    let mut named = Vec::new();
    let (journal, summary) = Journal::open(dir, |entry| {
        if let Event::File { sha256, .. } = &entry.record.event {
            named.push(sha256.clone());
        }
    })
    .map_err(|err| anyhow::anyhow!(err))?;
    journal.close().map_err(|err| anyhow::anyhow!(err))?;
    named.sort();
    named.dedup();
    Ok((summary, named))
}

/// Verifies a snapshot without keeping it.
pub fn verify(file: &Path) -> anyhow::Result<Verified> {
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    unpack_and_verify(file, scratch.path())
}

/// Whether a file looks like a tar archive (a backup rather than a JSON export).
pub fn is_archive(file: &Path) -> bool {
    let mut head = [0u8; 262];
    fs::File::open(file)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head[257..262] == b"ustar")
}

/// Brings a snapshot back into `data` (absent or empty): unpacked and
/// verified beside it, then moved into place.
pub fn restore(file: &Path, data: &Path) -> anyhow::Result<Verified> {
    if data.exists() {
        let mut entries =
            fs::read_dir(data).with_context(|| format!("reading {}", data.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; restore into a new directory, then point bot.data_dir at it (or swap the directories with the bot stopped)",
                data.display()
            );
        }
    }
    let parent = data
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".tocsin-restore-")
        .tempdir_in(parent)
        .with_context(|| format!("creating a directory in {}", parent.display()))?;
    let verified = unpack_and_verify(file, staging.path())?;
    if data.exists() {
        fs::remove_dir(data)?;
    }
    let staged = staging.keep();
    fs::rename(&staged, data)
        .with_context(|| format!("moving the snapshot to {}", data.display()))?;
    set_private_dir(data)?;
    Ok(verified)
}

/// `tocsin backup`: a snapshot of `data` into `output`, by this process when
/// the journal is free, or by the running bot, asked through its control socket.
pub fn backup(data: &Path, output: &Path) -> anyhow::Result<Manifest> {
    if output.exists() {
        bail!("{} exists; choose another -o", output.display());
    }
    if !Journal::exists(data) {
        bail!(
            "no journal in {}; give the data directory (bot.data_dir in the configuration)",
            data.display()
        );
    }
    match Journal::open(data, |_| {}) {
        Ok((journal, _)) => {
            let staging = new_staging(data)?;
            let res = snapshot(data, &journal.snapshotter(), &staging)
                .and_then(|summary| pack(&staging, &summary, output));
            let _ = fs::remove_dir_all(&staging);
            journal.close()?;
            res
        }
        Err(JournalError::Locked { .. }) => {
            let (staging, summary) = ask_running_bot(data)?;
            let res = pack(&staging, &summary, output);
            let _ = fs::remove_dir_all(&staging);
            res
        }
        Err(err) => Err(anyhow::anyhow!(err)),
    }
}

/// Asks the running bot for a snapshot; returns its staging directory and summary.
fn ask_running_bot(data: &Path) -> anyhow::Result<(PathBuf, Summary)> {
    let socket = data.join(CONTROL_SOCKET);
    let mut stream = std::os::unix::net::UnixStream::connect(&socket).with_context(|| {
        format!(
            "the journal in {} is in use, but nothing answers backup requests on {} (is a tocsin console running? stop it first)",
            data.display(),
            socket.display()
        )
    })?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(600)))?;
    stream.write_all(b"snapshot\n")?;
    let mut line = String::new();
    BufReader::new(&stream)
        .take(64 * 1024)
        .read_line(&mut line)
        .context("waiting for the running bot's snapshot")?;
    let line = line.trim_end();
    let Some(name) = line.strip_prefix("ok ") else {
        let reason = line.strip_prefix("error ").unwrap_or(line);
        bail!("the running bot could not take the snapshot: {reason}");
    };
    if !name.starts_with(STAGING_PREFIX) || !is_plain_relative(name) {
        bail!("the running bot answered `{line}`");
    }
    let staging = data.join(name);
    let summary = Journal::verify_dir(&staging).map_err(|err| anyhow::anyhow!(err))?;
    Ok((staging, summary))
}

/// A new staging directory inside the data directory.
fn new_staging(data: &Path) -> anyhow::Result<PathBuf> {
    let dir = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(data)
        .with_context(|| format!("creating a snapshot directory in {}", data.display()))?;
    Ok(dir.keep())
}

/// Serves snapshot requests on `DATA/control.sock` until `shutdown`.
pub async fn serve(
    data: &Path,
    journal: Snapshotter,
    shutdown: tokio_util::sync::CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use std::os::unix::fs::PermissionsExt;
    let socket = data.join(CONTROL_SOCKET);
    if socket.exists() {
        // Left by an earlier run (only one process owns the journal).
        fs::remove_file(&socket).with_context(|| format!("removing {}", socket.display()))?;
    }
    let listener = tokio::net::UnixListener::bind(&socket)
        .with_context(|| format!("listening on {}", socket.display()))?;
    fs::set_permissions(&socket, fs::Permissions::from_mode(0o600))?;
    let data = data.to_path_buf();
    Ok(tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        tracing::warn!(error = %err, "control socket");
                        continue;
                    }
                },
            };
            if let Err(err) = answer(stream, &data, &journal).await {
                tracing::warn!(error = format!("{err:#}"), "control request failed");
            }
        }
        let _ = fs::remove_file(data.join(CONTROL_SOCKET));
    }))
}

/// One request on the control socket: `snapshot`.
async fn answer(
    stream: tokio::net::UnixStream,
    data: &Path,
    journal: &Snapshotter,
) -> anyhow::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    tokio::io::BufReader::new(read.take(256))
        .read_line(&mut line)
        .await?;
    if line.trim() != "snapshot" {
        write.write_all(b"error unknown request\n").await?;
        return Ok(());
    }
    let (data, journal) = (data.to_path_buf(), journal.clone());
    let taken = tokio::task::spawn_blocking(move || -> anyhow::Result<(String, Summary)> {
        let staging = new_staging(&data)?;
        let summary = snapshot(&data, &journal, &staging).inspect_err(|_| {
            let _ = fs::remove_dir_all(&staging);
        })?;
        let name = staging.file_name().unwrap_or_default().to_string_lossy();
        Ok((name.into_owned(), summary))
    })
    .await?;
    let reply = match taken {
        Ok((name, summary)) => {
            tracing::info!(
                entries = summary.n_entries,
                crises = summary.chains.len(),
                "snapshot taken for a backup"
            );
            format!("ok {name}\n")
        }
        Err(err) => {
            tracing::warn!(error = format!("{err:#}"), "snapshot failed");
            format!("error {}\n", format!("{err:#}").replace('\n', " "))
        }
    };
    write.write_all(reply.as_bytes()).await?;
    Ok(())
}

fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn walk(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn relative(base: &Path, path: &Path) -> anyhow::Result<String> {
    let rel = path.strip_prefix(base)?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(tocsin_core::digest::hex(&hasher.finalize()))
}

fn create_private(path: &Path) -> anyhow::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}

fn create_private_dir(path: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
    set_private_dir(path)
}

fn set_private_dir(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("setting the permissions of {}", path.display()))
}
