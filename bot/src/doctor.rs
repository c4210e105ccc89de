//! `tocsin doctor`: what an administrator checks on a data directory before
//! a crisis, or when tocsin misbehaves: free space, write access, the
//! journal's health, and what the disk watcher left. Each finding says
//! what to do. Nothing on record changes: a test file is written and
//! removed to prove write access, and the journal is opened as at a start.

use std::path::Path;

use crate::journal::storage::{self, Fault, Usage, human};
use crate::journal::{Journal, JournalError};

/// How a finding reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Ok,
    /// Works today, needs attention soon.
    Warning,
    /// tocsin will fail, or is failing, because of it.
    Problem,
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub text: String,
}

impl Finding {
    fn new(level: Level, text: String) -> Finding {
        Finding { level, text }
    }
}

/// Checks the data directory `data`.
pub fn check(data: &Path) -> Vec<Finding> {
    let mut found = Vec::new();
    if !data.is_dir() {
        found.push(Finding::new(
            Level::Problem,
            format!(
                "{} is not a directory: give bot.data_dir of the configuration",
                data.display()
            ),
        ));
        return found;
    }
    found.push(writable(data));
    found.push(space(data));
    found.push(journal(data));
    if storage::has_reserve(data) {
        found.push(Finding::new(
            Level::Ok,
            format!(
                "the disk reserve ({}) is in place",
                human(storage::RESERVE_BYTES)
            ),
        ));
    }
    let aside = data.join(storage::SET_ASIDE);
    if let Ok(entries) = std::fs::read_dir(&aside) {
        let n = entries.count();
        if n > 0 {
            found.push(Finding::new(
                Level::Warning,
                format!(
                    "{n} unfinished snapshot(s) of the storage engine were set aside in {} after a failure (a full disk, a crash); the journal did not need them: delete them once you have read the log",
                    aside.display()
                ),
            ));
        }
    }
    found
}

fn writable(data: &Path) -> Finding {
    match storage::probe_write(data) {
        Ok(()) => Finding::new(Level::Ok, format!("{} is writable", data.display())),
        Err(err) => {
            let what = match Fault::of(&err) {
                Some(Fault::Full) => "the disk is full".to_owned(),
                Some(Fault::ReadOnly) => {
                    "the file system is read-only (often a failing disk: read the system log)"
                        .to_owned()
                }
                Some(Fault::Io) => {
                    "the disk answers input/output errors (failing hardware: read the system log)"
                        .to_owned()
                }
                Some(Fault::Denied) => format!(
                    "permission denied: run this as the account tocsin runs as, or give it write access ({err})"
                ),
                None => err.to_string(),
            };
            Finding::new(
                Level::Problem,
                format!("{} is not writable: {what}", data.display()),
            )
        }
    }
}

fn space(data: &Path) -> Finding {
    let usage = match Usage::of(data) {
        Ok(usage) => usage,
        Err(err) => {
            return Finding::new(Level::Warning, format!("free space unknown ({err})"));
        }
    };
    let said = format!(
        "{} free of {} ({}% used) on the disk holding {}",
        human(usage.free),
        human(usage.total),
        usage.percent_used(),
        data.display()
    );
    let needed = storage::needed_to_open(&data.join("journal"));
    if usage.free < needed {
        Finding::new(
            Level::Problem,
            format!(
                "{said}: tocsin needs {} to open its journal; free space on that volume (old backups, logs, exports)",
                human(needed)
            ),
        )
    } else if storage::is_low(usage) {
        Finding::new(
            Level::Warning,
            format!("{said}: running low; free space on that volume before a crisis fills it"),
        )
    } else {
        Finding::new(Level::Ok, said)
    }
}

fn journal(data: &Path) -> Finding {
    match Journal::verify_dir(data) {
        Ok(summary) => Finding::new(
            Level::Ok,
            format!(
                "journal: {} entries in {} crises, every chain verified",
                summary.n_entries,
                summary.chains.len()
            ),
        ),
        Err(JournalError::Missing { .. }) => Finding::new(
            Level::Warning,
            format!(
                "no journal in {} yet (the bot creates it at its first start); is this bot.data_dir?",
                data.display()
            ),
        ),
        Err(JournalError::Locked { .. }) => Finding::new(
            Level::Ok,
            "journal: in use by the running bot, so not verified here; to verify it: tocsin backup, then tocsin verify the snapshot".to_owned(),
        ),
        Err(err) if err.is_temporary() => {
            Finding::new(Level::Problem, format!("journal: {err}"))
        }
        Err(err) => Finding::new(
            Level::Problem,
            format!(
                "journal: {err}; keep this directory as it is, and see docs/deploying.md, \"Restoring\""
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_healthy_directory_reads_ok_and_a_missing_one_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        let found = check(dir.path());
        let levels: Vec<Level> = found.iter().map(|f| f.level).collect();
        // Writable, free space, and no journal yet.
        assert_eq!(levels[0], Level::Ok, "{found:?}");
        assert_eq!(levels[2], Level::Warning, "{found:?}");
        assert!(found[2].text.starts_with("no journal in"), "{found:?}");

        let missing = check(&dir.path().join("nope"));
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].level, Level::Problem);
        assert!(
            missing[0]
                .text
                .ends_with("give bot.data_dir of the configuration")
        );
    }
}
