//! Files put on record, kept by content: `<dir>/<sha256>`.
//!
//! A file sent in a crisis room (a photo of a paper sheet, a ransom note
//! screenshot) goes on record by its SHA-256; tocsin keeps the decrypted
//! content under that name in `data_dir/files`, written aside and fsync'd
//! before its journal entry, so the journal never names a file it does not
//! have. An export directory carries the same layout, and `tocsin verify`
//! checks each copy against its hash.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The files directory inside a data directory.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("files")
}

/// Hex SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stores `bytes` under their hash in `dir` (durably) and returns the hash.
/// Storing the same content again is a no-op.
pub fn store(dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let hash = sha256(bytes);
    let path = dir.join(&hash);
    if path.exists() && sha256(&std::fs::read(&path)?) == hash {
        return Ok(hash);
    }
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{hash}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(hash)
}

/// What is wrong with the copy of a file, if anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("file {sha256} is missing")]
    Missing { sha256: String },
    #[error("file {sha256} was altered: its content hashes to {actual}")]
    Altered { sha256: String, actual: String },
}

/// Checks the copy of a file in `dir` against its hash.
pub fn check(dir: &Path, sha256_hex: &str) -> Result<(), Problem> {
    let bytes = std::fs::read(dir.join(sha256_hex)).map_err(|_| Problem::Missing {
        sha256: sha256_hex.to_owned(),
    })?;
    let actual = sha256(&bytes);
    if actual == sha256_hex {
        Ok(())
    } else {
        Err(Problem::Altered {
            sha256: sha256_hex.to_owned(),
            actual,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Problem, check, store};

    #[test]
    fn a_stored_file_checks_and_a_changed_byte_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let hash = store(dir.path(), b"feuille de transmission").unwrap();
        assert_eq!(check(dir.path(), &hash), Ok(()));
        assert_eq!(store(dir.path(), b"feuille de transmission").unwrap(), hash);
        let mut bytes = std::fs::read(dir.path().join(&hash)).unwrap();
        bytes[0] ^= 1;
        std::fs::write(dir.path().join(&hash), bytes).unwrap();
        assert!(matches!(
            check(dir.path(), &hash),
            Err(Problem::Altered { .. })
        ));
        assert!(matches!(
            check(dir.path(), "00"),
            Err(Problem::Missing { .. })
        ));
    }
}
