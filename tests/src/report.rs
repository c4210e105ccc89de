//! Evidence for auditors: report formats for a canned crisis (snapshots),
//! offline verification of the JSON export, hostile input, headless Chromium.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use expect_test::{expect, expect_file};

use tocsin::journal::Entry;
use tocsin::render::Renderer;
use tocsin::render::view::Edition;
use tocsin::runtime::Runtime;
use tocsin_core::engine::ExportFormat;
use tocsin_core::engine::event::Author;
use tocsin_core::engine::{Body, Input, Settings};

use crate::support::root;

/// 29 Nov 2026 at `hh:mm` Paris time (UTC+1).
fn at(hh: u32, mm: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, hh - 1, mm, 0).unwrap()
}

const CANNED: &[(u32, u32, &str, &str)] = &[
    (3, 40, "alice", "!ouvrir rancongiciel exercice"),
    (3, 41, "alice", "!rôle historien @moi"),
    (3, 41, "alice", "!rôle dsi @bob:chu.fr"),
    (
        3,
        42,
        "bob",
        "!info Fichiers renommés en .lock sur le serveur du laboratoire",
    ),
    (3, 44, "bob", "!vérifier I1 confirmée"),
    (
        3,
        46,
        "alice",
        "!décision Couper l'accès internet et isoler le cœur de réseau -- le chiffrement se propage",
    ),
    (
        3,
        47,
        "alice",
        "!action Prévenir le SAMU-Centre 15 @carol:chu.fr dans 30m",
    ),
    (3, 48, "alice", "!proc pd-lab"),
    (3, 55, "bob", "!fait pd-lab.1"),
    (
        3,
        58,
        "alice",
        "!papier 03:50 info Appel du biologiste de garde : automates bloqués",
    ),
    (
        4,
        5,
        "alice",
        "!corriger D1 Couper l'accès internet, isoler le cœur de réseau et les liaisons inter-sites",
    ),
    (4, 30, "carol", "!fait A1"),
    (4, 40, "alice", "!clore"),
];

fn canned_journal(dir: &Path, extra: &[(u32, u32, &str, &str)]) -> Vec<Entry> {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let (mut runtime, _) = Runtime::open(dir, catalog, Settings::default(), None).unwrap();
    let script = CANNED
        .iter()
        .take(CANNED.len() - 1)
        .chain(extra)
        .chain(CANNED.last());
    for (n, (hh, mm, who, text)) in script.enumerate() {
        let id = if who.contains(':') {
            format!("@{who}")
        } else {
            format!("@{who}:chu.fr")
        };
        let input = Input {
            at: at(*hh, *mm),
            sent_at: at(*hh, *mm),
            author: Author {
                id,
                name: who.to_string(),
            },
            room: "!cellule:chu.fr".to_owned(),
            body: Body::Text(text.to_string()),
            source: Some(format!("$event{n}")),
            privileged: *who == "alice",
            quoted: None,
            in_reply_to: None,
        };
        crate::support::handled(&mut runtime, &input, text);
    }
    let crisis = runtime.world().crises.keys().next().unwrap().clone();
    let entries = runtime.journal().entries(&crisis).unwrap();
    runtime.close().unwrap();
    entries
}

fn export(entries: &[Entry], format: ExportFormat) -> String {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let bytes = tocsin::render::export(
        &renderer,
        entries,
        &catalog,
        &Settings::default(),
        format,
        Edition::Full,
        at(5, 0),
    )
    .unwrap();
    String::from_utf8(bytes).unwrap()
}

/// An exercise played from two rooms: `(hh, mm, who, room, text)`; `tick` lines let time pass.
const EXERCISE: &[(u32, u32, &str, &str, &str)] = &[
    (3, 40, "alice", "players", "!ouvrir rancongiciel exercice"),
    (3, 41, "alice", "players", "!rôle dsi @bob:chu.fr"),
    (
        3,
        42,
        "anna",
        "anim",
        "!animer 20261129-rancongiciel demo-20min",
    ),
    (3, 42, "alice", "players", "!accepter"),
    (3, 43, "anna", "anim", "!debex"),
    (3, 43, "", "", "tick"),
    (
        3,
        44,
        "bob",
        "players",
        "!info Le secrétariat signale des fichiers renommés",
    ),
    (3, 45, "", "", "tick"),
    (
        3,
        46,
        "olga",
        "anim",
        "!obs i01 Rôles attribués vite, historien absent OBS-SECRETE",
    ),
    (3, 47, "", "", "tick"),
    (3, 47, "anna", "anim", "!inject r01"),
    (3, 47, "anna", "anim", "!inject r02"),
    (
        3,
        48,
        "alice",
        "players",
        "!décision Couper le réseau -- le chiffrement se propage",
    ),
    (3, 50, "anna", "anim", "!attendu i02 non"),
    (3, 52, "anna", "anim", "!finex"),
    (3, 53, "alice", "players", "!retex"),
    (
        3,
        54,
        "alice",
        "players",
        "!retex La cellule s'est constituée en trois minutes",
    ),
    (3, 55, "alice", "players", "!retex fin"),
    (
        3,
        56,
        "alice",
        "players",
        "!amélioration Imprimer l'annuaire de crise @bob:chu.fr avant 31/01/2027",
    ),
    (4, 0, "alice", "players", "!clore"),
];

fn exercise_journal(dir: &Path) -> Vec<Entry> {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let (mut runtime, _) = Runtime::open(dir, catalog, Settings::default(), None).unwrap();
    for (n, (hh, mm, who, room, text)) in EXERCISE.iter().enumerate() {
        if *text == "tick" {
            runtime.tick(at(*hh, *mm)).unwrap();
            continue;
        }
        let input = Input {
            at: at(*hh, *mm),
            sent_at: at(*hh, *mm),
            author: Author {
                id: format!("@{who}:chu.fr"),
                name: who.to_string(),
            },
            room: format!("!{room}:chu.fr"),
            body: Body::Text(text.to_string()),
            source: Some(format!("$ex{n}")),
            privileged: matches!(*who, "alice" | "anna"),
            quoted: None,
            in_reply_to: None,
        };
        crate::support::handled(&mut runtime, &input, text);
    }
    let crisis = runtime.world().crises.keys().next().unwrap().clone();
    let entries = runtime.journal().entries(&crisis).unwrap();
    runtime.close().unwrap();
    entries
}

fn export_edition(entries: &[Entry], format: ExportFormat, edition: Edition) -> String {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let settings = Settings {
        establishment: Some("Centre hospitalier de Démo".to_owned()),
        ..Settings::default()
    };
    let renderer = Renderer::new(None).unwrap();
    let bytes = tocsin::render::export(
        &renderer,
        entries,
        &catalog,
        &settings,
        format,
        edition,
        at(5, 0),
    )
    .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn an_exercise_report_has_a_full_and_a_players_edition() {
    let dir = tempfile::tempdir().unwrap();
    let entries = exercise_journal(dir.path());
    let full = export_edition(&entries, ExportFormat::Markdown, Edition::Full);
    expect_file!["../data/snapshots/exercise-full.md"].assert_eq(&full);
    // Who received each inject and how, and the file that went with it, by its hash.
    let note =
        std::fs::read(root().join("playbooks/scenarios/fichiers/note-de-rancon.txt")).unwrap();
    let digest = tocsin_core::digest::hex(&<sha2::Sha256 as sha2::Digest>::digest(&note));
    let r01 = full
        .lines()
        .find(|l| l.starts_with("| r01 "))
        .expect("r01 in the inject table");
    assert!(
        r01.contains(&format!(
            "reçu par bob (@bob:chu.fr), en message direct — pièces jointes : note-de-rancon.txt (SHA-256 {})",
            &digest[..16]
        )),
        "{r01}"
    );
    let r02 = full.lines().find(|l| l.starts_with("| r02 ")).unwrap();
    assert!(r02.contains(r"@InfoVille\_direct"), "{r02}");
    // Facilitator material: the expected reactions, notes, observations, marks.
    let secret = [
        "OBS-SECRETE",
        "Au moins trois rôles attribués",
        "Premiers gestes lancés (FR-00)",
        "animation liée",
        "réaction évaluée",
        "Stimuli : prévus et joués",
    ];
    for format in [ExportFormat::Markdown, ExportFormat::Html] {
        let full = export_edition(&entries, format, Edition::Full);
        let players = export_edition(&entries, format, Edition::Players);
        for s in secret {
            assert!(full.contains(s), "{format:?} full edition lacks {s}");
            assert!(
                !players.contains(s),
                "{format:?} players' edition shows {s}"
            );
        }
        // What the players lived through is in both.
        for s in [
            "Le secrétariat signale des fichiers renommés",
            "La cellule s&#x27;est constituée en trois minutes",
            "Imprimer l&#x27;annuaire de crise",
            "Centre hospitalier de Démo",
            "ÉCLAIR",
            "DEBEX",
        ] {
            let s = if format == ExportFormat::Markdown {
                s.replace("&#x27;", "'")
            } else {
                s.to_owned()
            };
            assert!(
                players.contains(&s),
                "{format:?} players' edition lacks {s}"
            );
            assert!(full.contains(&s), "{format:?} full edition lacks {s}");
        }
    }
}

#[test]
fn each_format_of_the_canned_crisis_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let entries = canned_journal(dir.path(), &[]);
    expect_file!["../data/snapshots/report.md"]
        .assert_eq(&export(&entries, ExportFormat::Markdown));
    expect_file!["../data/snapshots/report.json"].assert_eq(&export(&entries, ExportFormat::Json));
    expect_file!["../data/snapshots/report.csv"].assert_eq(&export(&entries, ExportFormat::Csv));
    expect_file!["../data/snapshots/report.html"].assert_eq(&export(&entries, ExportFormat::Html));
}

#[test]
fn the_report_says_how_each_clock_stood_at_closure() {
    let dir = tempfile::tempdir().unwrap();
    let entries = canned_journal(
        dir.path(),
        &[
            (3, 50, "alice", "!horloge cnil-72h depuis I1"),
            (3, 51, "alice", "!horloge nis2 activer depuis 03:30"),
            (3, 52, "alice", "!fait nis2.1"),
            (
                3,
                53,
                "alice",
                "!horloge plainte arrêter pas de contrat d'assurance cyber",
            ),
            (
                3,
                55,
                "alice",
                "!horloge signalement-cert-sante depuis 01:00",
            ),
            (4, 0, "alice", "!fait urgences-reevaluation"),
            (4, 5, "alice", "!fait signalement-cert-sante"),
            (4, 10, "alice", "!fait point-ars"),
        ],
    );
    let md = export(&entries, ExportFormat::Markdown);
    let start = md.find("### Horloges réglementaires").unwrap();
    let end = start + md[start..].find("\n## ").unwrap();
    let clocks: String = md[start..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("Source :"))
        .map(|l| format!("{l}\n"))
        .collect();
    expect![[r#"
        ### Horloges réglementaires

        - Premier point de situation à l'ARS (délai choisi par l'établissement) (point-ars), Échéance dim. 29 nov. 2026 05:40 : tenue dim. 29 nov. 2026 04:10
        - Réévaluation de la fermeture ou du délestage des urgences (toutes les 12 h, choix de l'établissement) (urgences-reevaluation \#1), Échéance dim. 29 nov. 2026 15:40 : tenue dim. 29 nov. 2026 04:00
        - Réévaluation de la fermeture ou du délestage des urgences (toutes les 12 h, choix de l'établissement) (urgences-reevaluation \#2), Échéance dim. 29 nov. 2026 16:00 : arrêtée à la clôture dim. 29 nov. 2026 04:40
        - Signalement au CERT Santé via le portail : obligatoire « sans délai » (CSP L.1111-8-2), cible interne 2 h (signalement-cert-sante), Échéance dim. 29 nov. 2026 03:00 : tenue avec 1h05 de retard, dim. 29 nov. 2026 04:05
        - Dépôt de plainte au plus tard 72 h après connaissance de l'atteinte, condition de l'indemnisation cyber (C. assur. L.12-10-1) (plainte), Échéance mer. 2 déc. 2026 03:40 : arrêtée dim. 29 nov. 2026 03:53 (pas de contrat d'assurance cyber)
        - Notification à la CNIL de la violation de données personnelles, au plus tard 72 h après en avoir pris connaissance (RGPD art. 33) (cnil-72h), Échéance mer. 2 déc. 2026 03:42 : non faite à la clôture dim. 29 nov. 2026 04:40
        - NIS 2 : déclarations d'un incident important à l'ANSSI (directive (UE) 2022/2555, art. 23) — Alerte précoce (nis2.1), Échéance lun. 30 nov. 2026 03:30 : tenue dim. 29 nov. 2026 03:52
        - NIS 2 : déclarations d'un incident important à l'ANSSI (directive (UE) 2022/2555, art. 23) — Notification d'incident (nis2.2), Échéance mer. 2 déc. 2026 03:30 : non faite à la clôture dim. 29 nov. 2026 04:40
        - NIS 2 : déclarations d'un incident important à l'ANSSI (directive (UE) 2022/2555, art. 23) — Rapport final (nis2.3) : non faite à la clôture dim. 29 nov. 2026 04:40
    "#]]
    .assert_eq(&clocks);
}

#[test]
fn the_json_export_verifies_offline_and_any_changed_character_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let entries = canned_journal(dir.path(), &[]);
    let json = export(&entries, ExportFormat::Json);
    let ok = tocsin::export::verify(&json).unwrap();
    assert_eq!(ok.n_entries, entries.len() as u64);
    assert_eq!(
        ok.final_digest,
        tocsin_core::digest::hex(&entries.last().unwrap().hash)
    );

    let file: tocsin::export::ExportFile = serde_json::from_str(&json).unwrap();
    for (idx, _) in file.entries.iter().enumerate() {
        // One character of the hashed payload.
        let mut tampered = file.clone();
        let payload = &mut tampered.entries[idx].payload;
        let pos = payload.find("\"seq\"").unwrap() + 2;
        payload.replace_range(pos..pos + 1, "x");
        let err = tocsin::export::verify(&serde_json::to_string(&tampered).unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&format!("entry {}:", idx + 1)), "{err}");
        // One character of the readable copy only.
        let mut tampered = file.clone();
        tampered.entries[idx].record.author.name.push('!');
        let err = tocsin::export::verify(&serde_json::to_string(&tampered).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("entry {}:", idx + 1)) && err.contains("readable copy"),
            "{err}"
        );
    }
    // A single character anywhere in the text of an entry, through the raw JSON.
    let needle = "Fichiers renommés";
    let raw = json.replacen(needle, "Fichiers renommes", 1);
    let err = tocsin::export::verify(&raw).unwrap_err().to_string();
    assert!(err.starts_with("entry 4:"), "{err}");
    // Entries removed at the end change the final digest.
    let mut shorter = file.clone();
    shorter.entries.pop();
    shorter.n_entries -= 1;
    assert!(
        tocsin::export::verify(&serde_json::to_string(&shorter).unwrap())
            .unwrap_err()
            .to_string()
            .contains("final digest")
    );

    // The binary does the same, for an auditor who has nothing else.
    let path = dir.path().join("export.json");
    std::fs::write(&path, &raw).unwrap();
    let out = crate::support::tocsin(&["verify", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        crate::support::text(&out.stderr).contains("entry 4:"),
        "{}",
        crate::support::text(&out.stderr)
    );
    std::fs::write(&path, &json).unwrap();
    let out = crate::support::tocsin(&["verify", path.to_str().unwrap()], b"");
    assert!(
        out.status.success(),
        "{}",
        crate::support::text(&out.stderr)
    );
}

const HOSTILE: &[(u32, u32, &str, &str)] = &[
    (
        4,
        10,
        "bob",
        "!info <script>alert('xss')</script> puis <img src=x onerror=alert(1)> et {{t.report}} {{#each log}}boom{{/each}}",
    ),
    (
        4,
        11,
        "bob",
        "!info nom\u{202e}txt.exe et \u{2066}isolé\u{2069} | col | `code` **gras** [lien](http://x)",
    ),
];

#[test]
fn hostile_text_renders_inert() {
    let dir = tempfile::tempdir().unwrap();
    let entries = canned_journal(dir.path(), HOSTILE);
    let html = export(&entries, ExportFormat::Html);
    assert!(!html.contains("<script"), "a script tag survived");
    assert!(!html.contains("<img"), "an img tag survived");
    assert!(!html.contains("onerror=alert"), "an event handler survived");
    assert!(html.contains("&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;"));
    assert!(
        html.contains("{{t.report}} {{#each log}}boom{{/each}}"),
        "template syntax in data is shown as typed"
    );
    assert!(
        !html.contains('\u{202e}') && !html.contains('\u{2066}'),
        "bidi controls are neutralised"
    );
    assert!(html.contains("nom[U+202E]txt.exe"));
    let md = export(&entries, ExportFormat::Markdown);
    assert!(!md.contains("<script") && !md.contains("<img"));
    assert!(md.contains("nom[U+202E]txt.exe"));
    assert!(md.contains(r"\| col \|"), "pipes cannot break the tables");
    let csv = export(&entries, ExportFormat::Csv);
    assert!(
        csv.contains("<script>alert('xss')</script>"),
        "CSV keeps the text as typed, quoted"
    );
}

/// The Chromium executable; `None` (the test skips) when it is not installed,
/// unless `TOCSIN_REQUIRE_CHROMIUM` makes that a failure.
pub fn chromium_bin() -> Option<&'static str> {
    let bin = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|b| Path::new(b).exists());
    if bin.is_none() {
        assert!(
            std::env::var_os("TOCSIN_REQUIRE_CHROMIUM").is_none(),
            "TOCSIN_REQUIRE_CHROMIUM is set but chromium is not installed"
        );
        eprintln!("chromium test: skipped (no chromium; .ci/run installs it)");
    }
    bin
}

/// Renders a page in headless Chromium: a screenshot, the DOM, and the console.
pub fn chromium(html: &Path, shot: &Path) -> Option<(String, String)> {
    let bin = chromium_bin()?;
    let profile = tempfile::tempdir().unwrap();
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let url = format!("file://{}", html.display());
    let user_dir = format!("--user-data-dir={}", profile.path().display());
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(bin)
            .args(common)
            .arg(&user_dir)
            .args(extra)
            .arg(&url)
            .output()
            .expect("running chromium");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
        )
    };
    let (_, shot_log, ok) = run(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1280,1800",
    ]);
    assert!(ok, "chromium screenshot failed: {shot_log}");
    let (dom, log, ok) = run(&["--dump-dom"]);
    assert!(ok, "chromium failed: {log}");
    Some((dom, format!("{shot_log}\n{log}")))
}

pub fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Refused to"))
        .collect()
}

#[test]
fn the_report_and_the_paper_kit_render_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let entries = canned_journal(dir.path(), HOSTILE);
    let report = dir.path().join("report.html");
    std::fs::write(&report, export(&entries, ExportFormat::Html)).unwrap();
    let shot = dir.path().join("report.png");
    let Some((dom, log)) = chromium(&report, &shot) else {
        return;
    };
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot of the report"
    );
    assert!(
        dom.contains("Registre des décisions") && dom.contains("Couper l'accès internet"),
        "report text missing from the DOM"
    );
    assert!(dom.contains("EXERCICE — EXERCICE — EXERCICE"));
    assert!(!dom.contains("<script"), "hostile text became markup");
    assert!(
        console_errors(&log).is_empty(),
        "console errors: {:?}",
        console_errors(&log)
    );

    // An exercise report, full edition: injects, observations, debrief, plan.
    let data = tempfile::tempdir().unwrap();
    let exercise = dir.path().join("exercise.html");
    std::fs::write(
        &exercise,
        export_edition(
            &exercise_journal(data.path()),
            ExportFormat::Html,
            Edition::Full,
        ),
    )
    .unwrap();
    let (dom, log) = chromium(&exercise, &dir.path().join("exercise.png")).unwrap();
    for expected in [
        "Stimuli : prévus et joués",
        "Observations",
        "RETEX à chaud",
        "Plan d'amélioration",
        "Rapport d'exercice « ÉCLAIR »",
    ] {
        assert!(
            dom.contains(expected),
            "{expected} missing from the exercise report"
        );
    }
    assert!(
        console_errors(&log).is_empty(),
        "console errors: {:?}",
        console_errors(&log)
    );

    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let kit = tocsin::render::kit::build(
        catalog.get("rancongiciel").unwrap(),
        &tocsin_core::engine::Settings::default(),
    );
    let kit_path = dir.path().join("kit.html");
    std::fs::write(
        &kit_path,
        Renderer::new(None).unwrap().kit_html(&kit).unwrap(),
    )
    .unwrap();
    let kit_shot = dir.path().join("kit.png");
    let (dom, log) = chromium(&kit_path, &kit_shot).unwrap();
    assert!(
        std::fs::metadata(&kit_shot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot of the kit"
    );
    for expected in [
        "Fiches réflexes",
        "Procédures en mode dégradé",
        "Main courante papier",
        "Fiches de rôle",
        "Horloges réglementaires",
        "Annuaire de crise",
        "pd-lab",
    ] {
        assert!(dom.contains(expected), "{expected} missing from the kit");
    }
    assert!(
        console_errors(&log).is_empty(),
        "console errors: {:?}",
        console_errors(&log)
    );
}

/// A table column sized by a class the stylesheet does not define takes
/// whatever room is left, and squeezes the others (the chronology once did).
#[test]
fn every_column_width_the_report_uses_is_defined() {
    // The report, and the regional summary, which has fewer sized columns.
    for (name, at_least) in [("report.html.hbs", 6), ("summary.html.hbs", 2)] {
        let template = std::fs::read_to_string(root().join("templates").join(name)).unwrap();
        let mut used: Vec<&str> = template
            .split("<col class=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        used.sort_unstable();
        used.dedup();
        assert!(
            used.len() >= at_least,
            "{name}: the scan found no column: {used:?}"
        );
        for class in used {
            assert!(
                template.contains(&format!("col.{class} {{ width:")),
                "{name}: column class {class} has no width in the stylesheet"
            );
        }
    }
}

#[test]
fn the_paper_kit_shows_sources_stages_and_conditions() {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let kit = tocsin::render::kit::build(
        catalog.get("rancongiciel").unwrap(),
        &tocsin_core::engine::Settings::default(),
    );
    let html = Renderer::new(None).unwrap().kit_html(&kit).unwrap();
    for expected in [
        // A clock's source, with its address.
        "Source : Règlement (UE) 2016/679 (RGPD), art. 33 — https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        // A procedure's source.
        "Source : Code civil, art. 55 (déclaration de naissance dans les cinq jours)",
        // A conditional clock with stages, the last counted from the one before.
        "Condition : si",
        "<b>nis2.1</b> Alerte précoce",
        "1 mois</span> après que nis2.2 est fait",
        // A recurring clock.
        "Récurrente : toutes les 12 h",
        // A role whose duties state a legal delay, on its card.
        "Source : Code de la santé publique, art. R.1413-69 : 1re partie « sans délai », 2e partie « au plus tard dans les trois mois »",
    ] {
        assert!(html.contains(expected), "{expected} missing from the kit");
    }
}

#[test]
fn templates_are_strict_and_can_be_overridden() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.md.hbs"),
        "{{crisis}} — {{no_such_field}}",
    )
    .unwrap();
    let renderer = Renderer::new(Some(dir.path())).unwrap();
    let data = tempfile::tempdir().unwrap();
    let entries = canned_journal(data.path(), &[]);
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let err = tocsin::render::export(
        &renderer,
        &entries,
        &catalog,
        &Settings::default(),
        ExportFormat::Markdown,
        Edition::Full,
        at(5, 0),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no_such_field"), "{err}");
    std::fs::write(dir.path().join("report.html.hbs"), "{{#if}}").unwrap();
    let err = Renderer::new(Some(dir.path())).unwrap_err().to_string();
    assert!(err.starts_with("template report.html"), "{err}");
}

#[test]
fn the_command_line_gives_players_neither_json_nor_csv() {
    // As in the room: JSON and CSV carry every entry, facilitator material included.
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out");
    for format in ["json", "csv"] {
        let out = crate::support::tocsin(
            &[
                "export",
                "--data",
                dir.path().to_str().unwrap(),
                "--crisis",
                "c",
                "--format",
                format,
                "--edition",
                "players",
                "-o",
                out_file.to_str().unwrap(),
            ],
            b"",
        );
        assert!(!out.status.success(), "{format} for players");
        let stderr = crate::support::text(&out.stderr);
        assert!(
            stderr.contains(&format!("the {format} export carries every entry")),
            "{stderr}"
        );
        assert!(!out_file.exists());
    }
}
