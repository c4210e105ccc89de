//! Reading playbooks, scenarios and catalogs from disk.

use tocsin_core::lang::Lang;
use tocsin_core::lang::speech::msg;

/// The loader reads each attachment from the scenario's folder, hashes it, and
/// names a missing or oversized one with its line.
#[test]
fn attachments_are_read_from_the_scenario_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("scenarios/fichiers")).unwrap();
    std::fs::write(
        root.join("pb.yaml"),
        "id: pb\nversion: \"1\"\ntitle: T\nroles:\n  - {id: dsi, title: DSI}\n",
    )
    .unwrap();
    std::fs::write(root.join("scenarios/fichiers/note.txt"), "EXERCICE\n").unwrap();
    let scenario = |files: &str| {
        format!(
            "id: ex\nversion: \"1\"\ncode_name: X\ntitle: X\nplaybook: pb\nlevel: débutant\nobjectives:\n  - {{id: o1, text: Un}}\ninjects:\n  - {{id: i1, at: 0, from: A, to: dsi, channel: mail, content: C, attachments: [{files}]}}\n"
        )
    };
    std::fs::write(
        root.join("scenarios/ex.yaml"),
        scenario("fichiers/note.txt"),
    )
    .unwrap();
    let loaded = super::paths(&[root.to_path_buf()]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let file = loaded.scenarios[0].injects[0].attachments[0]
        .resolved
        .clone()
        .expect("resolved by the loader");
    assert_eq!(file.size, 9);
    assert_eq!(file.mime, "text/plain");
    assert_eq!(file.sha256, tocsin_core::digest::sha256_hex(b"EXERCICE\n"));
    assert!(file.path.is_absolute());

    std::fs::write(
        root.join("scenarios/ex.yaml"),
        scenario("fichiers/note.txt, fichiers/absente.pdf"),
    )
    .unwrap();
    let loaded = super::paths(&[root.to_path_buf()]);
    assert!(loaded.scenarios.is_empty());
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    let d = &loaded.diagnostics[0];
    assert_eq!((d.line, d.path.as_str()), (10, "injects[0].attachments[1]"));
    assert!(
        d.message
            .starts_with("attachment `fichiers/absente.pdf` cannot be read"),
        "{}",
        d.message
    );
}

#[test]
fn a_directory_overrides_messages_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("en.ftl"), "journal-error = Journal down.\n").unwrap();
    let messages = super::messages(Some(dir.path())).unwrap();
    assert_eq!(
        messages.format(&Lang::en(), &msg!("journal-error").into()),
        "Journal down."
    );
    assert_eq!(
        messages.format(&Lang::en(), &msg!("exercise-marking").into()),
        "EXERCISE"
    );
    std::fs::write(dir.path().join("en.ftl"), "journal-error = { $oops }\n").unwrap();
    let problems = super::messages(Some(dir.path())).unwrap_err();
    assert_eq!(
        problems,
        ["en.ftl: message `journal-error` uses {$oops}, the French one {}"]
    );
}
