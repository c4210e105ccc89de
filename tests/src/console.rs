//! The terminal front end end to end, and verification of what it wrote.

use std::path::Path;

use crate::support::{text, tocsin};
use tocsin::journal::Journal;

pub(crate) fn console(data: &Path, input: &[u8]) -> String {
    let out = tocsin(
        &[
            "console",
            "--new",
            "--data",
            data.to_str().unwrap(),
            "--as",
            "Alice",
        ],
        input,
    );
    assert!(
        out.status.success(),
        "console failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn verify(data: &Path) -> (bool, String) {
    let out = tocsin(&["verify", "--data", data.to_str().unwrap()], b"");
    (
        out.status.success(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

const SCRIPT: &str = "!ouvrir rancongiciel exercice
!décision Couper l'accès internet -- le chiffrement se propage aux serveurs du labo
!action Prévenir le SAMU-Centre 15 @bob dans 30m
!fait A1
!statut
";

#[test]
fn a_scribe_keeps_the_log_from_a_terminal_and_verify_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = console(dir.path(), SCRIPT.as_bytes());
    let acks: Vec<&str> = out.lines().filter(|l| l.starts_with("✅")).collect();
    assert_eq!(acks.len(), 4, "{out}");
    assert!(
        acks[0].contains("[EXERCICE]") && acks[0].contains("Exercice ouvert"),
        "{}",
        acks[0]
    );
    assert!(
        acks[1].contains("D1 — décision enregistrée") && acks[1].contains("avec sa justification"),
        "{}",
        acks[1]
    );
    assert!(
        acks[2].contains("A1 — action enregistrée · pour @bob · échéance"),
        "{}",
        acks[2]
    );
    assert!(acks[3].contains("A1 — faite"), "{}", acks[3]);
    assert!(out.contains("Décisions : 1 — dernière D1"), "{out}");
    assert!(
        out.contains("Actions : 0 ouverte(s) dont 0 en retard, 1 faite(s)"),
        "{out}"
    );

    let (ok, report) = verify(dir.path());
    assert!(ok, "{report}");
    assert!(report.contains("ok: 4 entries in 1 crises"), "{report}");
}

#[test]
fn verify_names_an_entry_altered_through_sled() {
    let dir = tempfile::tempdir().unwrap();
    console(dir.path(), SCRIPT.as_bytes());
    let crisis = {
        let (journal, summary) = Journal::open(dir.path(), |_| {}).unwrap();
        drop(journal);
        summary.chains.keys().next().unwrap().clone()
    };
    {
        // Rewrite the decision (entry 2) in place: "Couper" becomes "Garder".
        let db = sled::open(dir.path().join("journal")).unwrap();
        let tree = db.open_tree(format!("chain/{crisis}")).unwrap();
        let value = tree.get(2u64.to_be_bytes()).unwrap().unwrap();
        let altered = String::from_utf8(value.to_vec()[65..].to_vec())
            .unwrap()
            .replace("Couper", "Garder");
        let mut new_value = value[..65].to_vec();
        new_value.extend_from_slice(altered.as_bytes());
        tree.insert(2u64.to_be_bytes(), new_value).unwrap();
        db.flush().unwrap();
    }
    let (ok, report) = verify(dir.path());
    assert!(!ok, "{report}");
    assert!(
        report.contains(&format!("crisis {crisis}, entry 2")),
        "{report}"
    );
    // The console refuses to write onto a corrupt journal.
    let out = tocsin(
        &[
            "console",
            "--data",
            dir.path().to_str().unwrap(),
            "--as",
            "Alice",
        ],
        b"!info x\n",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("entry 2"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn any_changed_byte_in_the_store_fails_loudly_or_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    console(dir.path(), SCRIPT.as_bytes());
    let reference = Journal::verify_dir(dir.path()).unwrap();
    let mut files = Vec::new();
    for entry in walk(dir.path()) {
        files.push(entry);
    }
    let (mut failed, mut intact) = (0, 0);
    for file in files {
        let original = std::fs::read(&file).unwrap();
        // The used part of sled's segment file is at its start; the rest is preallocated zeros.
        let used = original.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1);
        let stride = (used / 150).max(1);
        for offset in (0..used).step_by(stride) {
            let copy = tempfile::tempdir().unwrap();
            copy_dir(dir.path(), copy.path());
            let target = copy.path().join(file.strip_prefix(dir.path()).unwrap());
            let mut bytes = original.clone();
            bytes[offset] ^= 0x20;
            std::fs::write(&target, &bytes).unwrap();
            let res = std::panic::catch_unwind(|| Journal::verify_dir(copy.path()));
            match res {
                Err(_) => panic!(
                    "verify panicked after changing byte {offset} of {}",
                    file.display()
                ),
                Ok(Ok(summary)) => {
                    assert_eq!(
                        summary,
                        reference,
                        "byte {offset} of {} changed the content silently",
                        file.display()
                    );
                    intact += 1;
                }
                Ok(Err(err)) => {
                    let msg = err.to_string();
                    assert!(
                        msg.contains("corrupt") || msg.contains("damaged"),
                        "unclear message: {msg}"
                    );
                    failed += 1;
                }
            }
        }
    }
    // Most changes hit live data and must be caught.
    assert!(failed > intact, "{failed} caught, {intact} harmless");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for file in walk(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
}

#[test]
fn bad_input_is_refused_and_the_journal_stays_intact() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = b"!ouvrir rancongiciel\n!info premier\n".to_vec();
    input.extend_from_slice(b"!info ");
    input.extend(std::iter::repeat_n(b'a', 1024 * 1024));
    input.extend_from_slice(b"\n!info caf\xe9 latin-1\n!info \x1b[2J effacement\n!action\n");
    input.extend_from_slice("!vérifier\n!info dernier\n".as_bytes());
    let out = console(dir.path(), &input);
    let refusals: Vec<&str> = out.lines().filter(|l| l.starts_with("⛔")).collect();
    assert_eq!(refusals.len(), 5, "{out}");
    assert!(
        refusals[0].contains("Ligne ignorée : 1048582 octets"),
        "{}",
        refusals[0]
    );
    assert!(
        refusals[1].contains("encodage invalide (octet 9)"),
        "{}",
        refusals[1]
    );
    assert!(
        refusals[2].contains("caractère de contrôle (U+001B)"),
        "{}",
        refusals[2]
    );
    assert!(
        refusals[3].contains("Il manque le texte de l'action"),
        "{}",
        refusals[3]
    );
    assert!(
        refusals[4].contains("Il manque la référence"),
        "{}",
        refusals[4]
    );
    assert!(
        out.contains("I2 — information enregistrée"),
        "the line after the bad ones is read: {out}"
    );
    let summary = Journal::verify_dir(dir.path()).unwrap();
    assert_eq!(summary.n_entries, 3, "open + two infos, nothing else");
}

/// The improvement plan survives from one exercise to the next: the second
/// inherits the items still open (in its report), closes one with its proof,
/// and `tocsin plan` prints the register.
#[test]
fn the_improvement_plan_survives_to_the_next_exercise() {
    let dir = tempfile::tempdir().unwrap();
    let first = console(
        dir.path(),
        "!ouvrir rancongiciel exercice
!amélioration Tester la restauration hors ligne @bob avant 31/01/2027
!amélioration Imprimer l'annuaire de crise
!clore
"
        .as_bytes(),
    );
    assert!(first.contains("P1 — amélioration inscrite"), "{first}");
    let second = console(
        dir.path(),
        "!ouvrir rancongiciel exercice
!décision Restaurer depuis la bande de mardi -- testée le 12/01
!plan P1 fait D1
!plan
"
        .as_bytes(),
    );
    assert!(
        second.contains("2 point(s) encore ouvert(s) des crises et exercices précédents"),
        "{second}"
    );
    assert!(second.contains("P1 → fait, enregistré."), "{second}");
    assert!(
        second.contains("P2 (à faire, —, échéance —) Imprimer l'annuaire de crise"),
        "{second}"
    );
    let (journal, _) = Journal::open(dir.path(), |_| {}).unwrap();
    let mut crises: Vec<String> = journal.crises().map(str::to_owned).collect();
    drop(journal);
    crises.sort_by_key(|c| c.len());
    let report = dir.path().join("second.md");
    let out = tocsin(
        &[
            "export",
            "--data",
            dir.path().to_str().unwrap(),
            "--crisis",
            &crises[1],
            "--format",
            "md",
            "-o",
            report.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = std::fs::read_to_string(&report).unwrap();
    let carried = md
        .split("points hérités des crises et exercices précédents")
        .nth(1)
        .expect("the inherited items in the second report");
    let p1 = carried.lines().find(|l| l.starts_with("| P1 ")).unwrap();
    assert!(
        p1.contains(&crises[0]) && p1.contains("| fait | D1 |"),
        "{p1}"
    );
    let p2 = carried.lines().find(|l| l.starts_with("| P2 ")).unwrap();
    assert!(p2.contains("| à faire |"), "{p2}");

    let csv = dir.path().join("plan.csv");
    let out = tocsin(
        &[
            "plan",
            "--data",
            dir.path().to_str().unwrap(),
            "--format",
            "csv",
            "-o",
            csv.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 items, 1 open, 0 overdue, from 2 crises"),
        "{}",
        text(&out.stdout)
    );
    let csv = std::fs::read_to_string(&csv).unwrap();
    let p1 = csv.lines().find(|l| l.starts_with("P1,")).unwrap();
    assert!(p1.contains(",fait,,D1,"), "{p1}");

    // Printed, dates read as people say them: « dim. 31 janv. 2027 », no ISO date.
    let html = dir.path().join("plan.html");
    let out = tocsin(
        &[
            "plan",
            "--data",
            dir.path().to_str().unwrap(),
            "-o",
            html.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("31 janv. 2027"), "the due date in French");
    let iso = html.as_bytes().windows(10).find(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
    });
    assert!(
        iso.is_none(),
        "an ISO date in the printed plan: {:?}",
        iso.map(String::from_utf8_lossy)
    );
}
