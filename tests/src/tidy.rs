//! Repository hygiene that the architecture relies on, checked as tests.

use std::path::{Path, PathBuf};

use crate::support::root;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn all_sources() -> Vec<(PathBuf, String)> {
    let mut files = rust_files(&root().join("bot"));
    files.extend(rust_files(&root().join("tests/src")));
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn every_rust_file_starts_with_a_doc_comment() {
    for (path, text) in all_sources() {
        assert!(
            text.starts_with("//!"),
            "{} must start with a `//!` comment saying what it is for",
            path.display()
        );
    }
}

#[test]
fn no_ignored_or_should_panic_tests() {
    let (ignore, should_panic) = (["#[", "ignore]"].concat(), ["#[", "should_panic"].concat());
    for (path, text) in all_sources() {
        assert!(
            !text.contains(&ignore) && !text.contains(&should_panic),
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_engine_does_no_io_and_reads_no_clock() {
    let forbidden = [
        "sled",
        "tokio",
        "std::fs",
        "std::env",
        "std::net",
        "Utc::now",
        "Local::now",
        "SystemTime",
        "Instant::now",
        "rand",
        "handlebars",
        "matrix_sdk",
        "ruma",
    ];
    for path in rust_files(&root().join("bot/src/engine")) {
        if path.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for word in forbidden {
            let hit = text
                .lines()
                .any(|l| !l.trim_start().starts_with("//") && l.contains(word));
            assert!(
                !hit,
                "{} mentions `{word}`: the engine is pure",
                path.display()
            );
        }
    }
}

#[test]
fn each_external_crate_has_one_owning_module() {
    let owners = [
        ("sled::", "bot/src/journal"),
        ("handlebars::", "bot/src/render"),
        ("matrix_sdk", "bot/src/matrix"),
    ];
    for (path, text) in all_sources() {
        let rel = path
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel.starts_with("tests/")
            || rel.starts_with("bot/benches")
            || rel.starts_with("bot/examples")
        {
            continue;
        }
        for (needle, owner) in owners {
            if text.contains(needle) {
                assert!(
                    rel.starts_with(owner),
                    "{rel} uses `{needle}`, which belongs to {owner}"
                );
            }
        }
    }
}
