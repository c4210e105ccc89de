//! The JSON export: every entry of a crisis with its hash chain, and the
//! offline verification an auditor runs with nothing but the tocsin binary.
//!
//! Each entry carries `payload`, the exact bytes that were hashed (the stored
//! JSON, as a string), and `record`, the same content parsed for readers.
//! [`verify`] recomputes `SHA-256(prev_hash ‖ seq_be ‖ payload)` for every
//! entry, checks the links and the final digest, and checks that `record`
//! says what `payload` says, so changing any character of an entry is caught.
//! Files put on record are referenced by their SHA-256; an export directory
//! holds their copies in `files/`, checked against those hashes.

use serde::{Deserialize, Serialize};

use crate::journal::{self, Entry, GENESIS};
use tocsin_core::engine::event::Record;

/// Format name and version of the export file.
pub const FORMAT: &str = "tocsin-export/1";

/// A crisis export, as written to `FILE.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub format: String,
    pub crisis: String,
    /// When the export was made (RFC 3339, UTC).
    pub exported_at: String,
    /// How to check this file.
    pub verify_with: String,
    /// Number of entries; equal to the last `seq`.
    pub n_entries: u64,
    /// Hash of the last entry: the value announced when the crisis was sealed.
    pub final_digest: String,
    pub entries: Vec<ExportEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportEntry {
    pub seq: u64,
    pub prev_hash: String,
    pub hash: String,
    /// The stored JSON of the record, exactly as hashed.
    pub payload: String,
    /// The same record, parsed.
    pub record: Record,
}

/// Builds the export of one crisis from its verified entries.
pub fn build(
    crisis: &str,
    entries: &[Entry],
    exported_at: chrono::DateTime<chrono::Utc>,
) -> ExportFile {
    let final_digest = entries.last().map_or_else(
        || tocsin_core::digest::hex(&GENESIS),
        |e| tocsin_core::digest::hex(&e.hash),
    );
    ExportFile {
        format: FORMAT.to_owned(),
        crisis: crisis.to_owned(),
        exported_at: exported_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        verify_with: "tocsin verify FILE.json".to_owned(),
        n_entries: entries.len() as u64,
        final_digest,
        entries: entries
            .iter()
            .map(|e| ExportEntry {
                seq: e.record.seq,
                prev_hash: tocsin_core::digest::hex(&e.prev_hash),
                hash: tocsin_core::digest::hex(&e.hash),
                payload: e.payload.clone(),
                record: e.record.clone(),
            })
            .collect(),
    }
}

/// What an offline verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub crisis: String,
    pub n_entries: u64,
    pub final_digest: String,
    /// The files the entries put on record (hex SHA-256): their copies are
    /// checked with [`crate::evidence::check`] in [`files_dir`].
    pub files: Vec<String>,
}

/// Why an export fails verification; `seq` names the first bad entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a tocsin export: {0}")]
    Unreadable(String),
    #[error("entry {seq}: {reason}")]
    Entry { seq: u64, reason: String },
    #[error("{0}")]
    File(String),
}

/// Verifies an export file's text.
pub fn verify(text: &str) -> Result<Verified, VerifyError> {
    let file: ExportFile =
        serde_json::from_str(text).map_err(|e| VerifyError::Unreadable(e.to_string()))?;
    if file.format != FORMAT {
        return Err(VerifyError::Unreadable(format!(
            "unknown format `{}` (this tocsin reads {FORMAT})",
            file.format
        )));
    }
    let mut prev = GENESIS;
    for (idx, entry) in file.entries.iter().enumerate() {
        let expected_seq = idx as u64 + 1;
        let fail = |reason: &str| VerifyError::Entry {
            seq: expected_seq,
            reason: reason.to_owned(),
        };
        if entry.seq != expected_seq {
            return Err(fail(&format!(
                "out of order or missing (found seq {})",
                entry.seq
            )));
        }
        if entry.prev_hash != tocsin_core::digest::hex(&prev) {
            return Err(fail("its link to the previous entry is broken"));
        }
        let hash = journal::chain_hash(&prev, entry.seq, entry.payload.as_bytes());
        if entry.hash != tocsin_core::digest::hex(&hash) {
            return Err(fail("its content does not match its hash (altered)"));
        }
        let parsed: Record = serde_json::from_str(&entry.payload)
            .map_err(|e| fail(&format!("unreadable payload: {e}")))?;
        if parsed != entry.record {
            return Err(fail(
                "its readable copy differs from the hashed payload (altered)",
            ));
        }
        if parsed.seq != entry.seq || parsed.crisis != file.crisis {
            return Err(fail("it does not belong at this place in this crisis"));
        }
        prev = hash;
    }
    if file.n_entries != file.entries.len() as u64 {
        return Err(VerifyError::File(format!(
            "the file announces {} entries but holds {}",
            file.n_entries,
            file.entries.len()
        )));
    }
    if file.final_digest != tocsin_core::digest::hex(&prev) {
        return Err(VerifyError::File(
            "the final digest does not match the last entry (entries removed at the end?)"
                .to_owned(),
        ));
    }
    Ok(Verified {
        files: files(&file),
        crisis: file.crisis,
        n_entries: file.n_entries,
        final_digest: file.final_digest,
    })
}

/// The files an export's entries put on record (hex SHA-256), in order.
fn files(file: &ExportFile) -> Vec<String> {
    file.entries
        .iter()
        .filter_map(|e| match &e.record.event {
            tocsin_core::engine::event::Event::File { sha256, .. } => Some(sha256.clone()),
            _ => None,
        })
        .collect()
}

/// The directory beside an export file that holds its files' copies.
pub fn files_dir(export: &std::path::Path) -> std::path::PathBuf {
    export
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("files")
}
