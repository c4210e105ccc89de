//! Playbooks: the shipped ones load clean, broken ones get precise diagnostics.

use std::fs;

use crate::support::{root, text, tocsin};

#[test]
fn every_shipped_playbook_loads_clean() {
    let loaded = tocsin::playbook::load_paths(&[root().join("playbooks")]);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert!(!loaded.playbooks.is_empty());
    let rancon = loaded
        .playbooks
        .iter()
        .find(|p| p.id == "rancongiciel")
        .expect("rancongiciel ships");
    assert!(rancon.roles.len() >= 8, "at least 8 roles");
    for id in ["pd-adm", "pd-urg", "pd-lab", "pd-pui", "pd-bloc", "pd-img"] {
        let proc = rancon
            .procedure(id)
            .unwrap_or_else(|| panic!("procedure {id}"));
        assert!(!proc.steps.is_empty());
        // Both languages are present and differ somewhere: the playbook is really bilingual.
        assert!(
            proc.steps.iter().any(|s| s.text.fr != s.text.en),
            "{id} is not translated"
        );
    }
    assert!(
        rancon
            .clocks
            .iter()
            .any(|c| c.due == chrono::TimeDelta::hours(72)),
        "the 72 h CNIL clock"
    );
}

#[test]
fn check_passes_on_the_shipped_playbooks() {
    let out = tocsin(&["check", "playbooks"], b"");
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("ok playbooks/rancongiciel.yaml: playbook rancongiciel v"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1);
}

/// Each `tests/data/bad-playbooks/X.yaml` has `X.expected`: the exact diagnostics.
/// Set `UPDATE_EXPECT=1` to rewrite them.
#[test]
fn broken_playbooks_get_one_diagnostic_per_problem() {
    let dir = root().join("tests/data/bad-playbooks");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3);
    for file in files {
        let rel = file.strip_prefix(root()).unwrap().display().to_string();
        let out = tocsin(&["check", &rel], b"");
        assert_eq!(out.status.code(), Some(1), "{rel} must fail the check");
        let got = text(&out.stderr);
        for line in got.lines().filter(|l| !l.ends_with("problem(s) found")) {
            let mut parts = line.splitn(4, ':');
            let (origin, l, c) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            assert_eq!(origin, rel);
            assert!(
                l.parse::<u32>().is_ok_and(|n| n > 0) && c.parse::<u32>().is_ok_and(|n| n > 0),
                "{line}"
            );
        }
        let expected_path = file.with_extension("expected");
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            fs::write(&expected_path, &got).unwrap();
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        assert_eq!(
            got, expected,
            "diagnostics of {rel} changed (UPDATE_EXPECT=1 to bless)"
        );
    }
}

#[test]
fn check_reads_a_directory_and_reports_every_file() {
    let out = tocsin(
        &[
            "check",
            "playbooks",
            "tests/data/bad-playbooks/unknown-role.yaml",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("ok playbooks/rancongiciel.yaml"));
    assert!(text(&out.stderr).contains("tests/data/bad-playbooks/unknown-role.yaml:"));
}
