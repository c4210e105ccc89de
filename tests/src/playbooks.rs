//! Playbooks: the shipped ones load clean, broken ones get precise diagnostics.

use std::fs;

use crate::support::{root, text, tocsin};

#[test]
fn every_shipped_playbook_loads_clean() {
    let loaded = tocsin::load::paths(&[root().join("playbooks")]);
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
            .any(|c| c.stages[0].due
                == tocsin_core::playbook::Delay::span(chrono::TimeDelta::hours(72))),
        "the 72 h CNIL clock"
    );
    // Every delay and procedure says where it comes from, or that it is the establishment's choice.
    for clock in &rancon.clocks {
        assert!(!clock.source.is_empty(), "clock {} has no source", clock.id);
    }
    for proc in &rancon.procedures {
        assert!(
            !proc.source.is_empty(),
            "procedure {} has no source",
            proc.id
        );
    }
    let nis2 = rancon.clock("nis2").expect("the NIS 2 clock");
    assert!(
        nis2.condition.is_some(),
        "NIS 2 applies to entities in scope only"
    );
    let dues: Vec<String> = nis2.stages.iter().map(|s| s.due.to_string()).collect();
    assert_eq!(dues, ["1d", "3d", "1mo"]);
    assert_eq!(
        nis2.stages[2].after,
        Some(2),
        "the final report counts from the notification"
    );
    let reeval = rancon.clock("urgences-reevaluation").unwrap();
    assert_eq!(reeval.every, Some(chrono::TimeDelta::hours(12)));
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
    let scenarios: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": scenario "))
        .collect();
    assert_eq!(scenarios.len(), 2, "{stdout}");
    assert!(stdout.lines().all(|l| l.starts_with("ok ")), "{stdout}");
    // Every clock of the shipped playbook cites its source: no warning.
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn check_warns_about_a_clock_without_a_source_but_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("muet.yaml");
    fs::write(
        &path,
        "id: muet\nversion: \"1\"\ntitle: Muet\nroles:\n  - {id: dpo, title: DPO}\n\
         clocks:\n  - {id: cnil-72h, title: CNIL, due: 72h, source: \"RGPD art. 33\"}\n\
         \x20 - {id: maison, title: Interne, due: 2h}\n",
    )
    .unwrap();
    let out = tocsin(&["check", &path.display().to_string()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 roles, 0 procedures (0 steps), 2 clocks"));
    let stderr = text(&out.stderr);
    assert!(
        stderr.ends_with(
            "muet.yaml:8:5: clocks[1]: warning: clock `maison` has no `source`: cite the text the delay comes from, or write that it is the establishment's choice\n"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn the_shipped_scenarios_are_a_three_hour_exercise_and_a_twenty_minute_one() {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let long = catalog
        .scenario("blouse-noire")
        .expect("the 3-hour exercise");
    assert!(long.n_timed() >= 18, "{} timed injects", long.n_timed());
    assert!(long.length() >= chrono::TimeDelta::minutes(150));
    assert!((3..=4).contains(&long.objectives.len()));
    let short = catalog
        .scenario("demo-20min")
        .expect("the 20-minute exercise");
    assert!(short.length() <= chrono::TimeDelta::minutes(20));
    // Played regionally, the background and the radio call name each site's hospital.
    assert_eq!(
        short.sites().into_iter().collect::<Vec<_>>(),
        ["ch-sud", "chu-nord"]
    );
    for id in ["i01", "i07"] {
        let inject = short.inject(id).unwrap();
        for (site, name) in [("chu-nord", "CHU Nord"), ("ch-sud", "CH Sud")] {
            let text = inject.content_for(Some(site));
            assert!(
                text.fr.contains(name) && text.en.contains(name),
                "{id} {site}"
            );
            assert!(!inject.content_for(None).fr.contains(name), "{id}");
        }
    }
    assert!(short.injects_without_variant("chu-nord").is_empty());
    for sc in [long, short] {
        for inject in &sc.injects {
            assert_ne!(
                inject.content.fr, inject.content.en,
                "{} {} untranslated",
                sc.id, inject.id
            );
            for (site, variant) in &inject.variants {
                if let Some(content) = &variant.content {
                    assert_ne!(
                        content.fr, content.en,
                        "{} {} {site} untranslated",
                        sc.id, inject.id
                    );
                }
            }
            assert!(
                inject.expected.is_some(),
                "{} {} has no expected reaction",
                sc.id,
                inject.id
            );
        }
    }
}

#[test]
fn a_chronogramme_spreadsheet_is_imported_or_every_bad_line_named() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("chrono.csv");
    let out_yaml = dir.path().join("nuit.yaml");
    fs::write(
        &csv,
        "id;T+;de;à;canal;contenu;attendu;objectifs\n\
         i1;0;DIREX;tous;interne;Début de l'exercice;Cellule constituée;o1\n\
         i2;10;Biologiste de garde;biologiste;téléphone;Le labo est à l'arrêt;PD-LAB;o1 o2\n\
         i3;90;Journaliste;communication;presse;Rumeur de piratage;Message d'attente;o2\n",
    )
    .unwrap();
    let args = |csv: &std::path::Path| {
        vec![
            "scenario".to_owned(),
            "import".to_owned(),
            csv.display().to_string(),
            "--playbook".to_owned(),
            "rancongiciel".to_owned(),
            "--id".to_owned(),
            "nuit-blanche".to_owned(),
            "--code-name".to_owned(),
            "NUIT BLANCHE".to_owned(),
            "-o".to_owned(),
            out_yaml.display().to_string(),
        ]
    };
    let run = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tocsin(&args, b"")
    };
    let out = run(&args(&csv));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 injects"),
        "{}",
        text(&out.stdout)
    );
    // The written file passes `tocsin check` with its playbook.
    let playbook = root().join("playbooks/rancongiciel.yaml");
    let check = tocsin(
        &[
            "check",
            &playbook.display().to_string(),
            &out_yaml.display().to_string(),
        ],
        b"",
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("scenario nuit-blanche v1 « NUIT BLANCHE »"));
    // Refuses to overwrite; a bad sheet writes nothing and names each bad line.
    let again = run(&args(&csv));
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("exists"),
        "{}",
        text(&again.stderr)
    );
    let bad = dir.path().join("bad.csv");
    fs::write(
        &bad,
        "id;T+;de;à;canal;contenu\ni1;0;DIREX;tous;interne;Début\ni2;plus tard;X;dsi;fax;Texte\n",
    )
    .unwrap();
    let mut bad_args = args(&bad);
    bad_args.push("--force".to_owned());
    let out = run(&bad_args);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.csv:3:0: at: bad offset `plus tard`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.csv:3:0: channel: unknown channel `fax`"),
        "{stderr}"
    );
    assert!(stderr.contains("2 problem(s); nothing written"), "{stderr}");
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
