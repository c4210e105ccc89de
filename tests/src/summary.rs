//! The consolidated summary of a regional exercise: two establishments play
//! the same scenario, each its own crisis, and the summary sets their
//! measures side by side without a word the players or facilitators typed.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use expect_test::expect_file;

use tocsin::runtime::{Delivery, Output, Runtime};
use tocsin_core::engine::event::Author;
use tocsin_core::engine::{Body, Input, Settings};

use crate::support::root;

/// 29 Nov 2026 at `hh:mm` Paris time (UTC+1).
fn at(hh: u32, mm: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, hh - 1, mm, 0).unwrap()
}

/// One establishment: who plays there, and what only it types.
struct Site {
    label: &'static str,
    domain: &'static str,
    /// (local part, display name) of the lead, the DSI, the facilitator, the observer.
    lead: (&'static str, &'static str),
    dsi: (&'static str, &'static str),
    anim: (&'static str, &'static str),
    obs: (&'static str, &'static str),
    /// Distinctive text the players type.
    secret: &'static str,
    /// A second decision, so that the sites' counts differ.
    second_decision: bool,
}

const NORD: Site = Site {
    label: "chu-nord",
    domain: "chu-nord.fr",
    lead: ("nadia", "Nadia Nordval"),
    dsi: ("bruno", "Bruno Nordval"),
    anim: ("anna", "Anna Animanord"),
    obs: ("olga", "Olga Observanord"),
    secret: "SECRET-NORD-42",
    second_decision: true,
};

const SUD: Site = Site {
    label: "ch-sud",
    domain: "ch-sud.fr",
    lead: ("sylvie", "Sylvie Sudrot"),
    dsi: ("yann", "Yann Sudrot"),
    anim: ("aline", "Aline Animasud"),
    obs: ("oscar", "Oscar Observasud"),
    secret: "SECRET-SUD-17",
    second_decision: false,
};

/// Facilitators' and observers' text, in both sites.
const FACILITATORS_TEXT: &[&str] = &[
    "OBS-TEXT-99",
    "COMMENT-77",
    "SYNTH-88",
    "SKIP-REASON-55",
    "ADHOC-TEXT-31",
    "PERSONA-44",
    "RETEX-TEXT-66",
    "AMELIORATION-TEXT-12",
];

/// One message in a room, which tocsin must not refuse.
fn send(
    runtime: &mut Runtime,
    at: DateTime<Utc>,
    author: Author,
    room: &str,
    text: &str,
    source: String,
    privileged: bool,
) -> Vec<Delivery> {
    let input = Input {
        at,
        sent_at: at,
        author,
        room: room.to_owned(),
        body: Body::Text(text.to_owned()),
        source: Some(source),
        privileged,
        quoted: None,
        in_reply_to: None,
    };
    crate::support::handled(runtime, &input, &format!("{room}: {text}"))
}

/// What one site plays: `(hh, mm, who, room, text)`; `tick` lets time pass.
fn script(site: &Site) -> Vec<(u32, u32, &'static str, &'static str, String)> {
    let secret = site.secret;
    let mut script = vec![
        (
            3,
            40,
            "lead",
            "players",
            "!ouvrir rancongiciel exercice".into(),
        ),
        (
            3,
            41,
            "lead",
            "players",
            format!("!rôle dsi @{}:{}", site.dsi.0, site.domain),
        ),
        (
            3,
            42,
            "anim",
            "anim",
            format!("!animer@{} {{crisis}} demo-20min", site.label),
        ),
        (3, 42, "lead", "players", "!accepter".into()),
        (3, 43, "anim", "anim", "!debex".into()),
        (3, 43, "", "", "tick".into()),
        (
            3,
            44,
            "dsi",
            "players",
            format!("!info {secret} fichiers renommés"),
        ),
        (3, 45, "", "", "tick".into()),
        (3, 46, "obs", "anim", "!obs i01 OBS-TEXT-99".into()),
        (3, 47, "", "", "tick".into()),
        (3, 47, "anim", "anim", "!inject r01".into()),
        (3, 47, "anim", "anim", "!passer i05 SKIP-REASON-55".into()),
        (
            3,
            47,
            "anim",
            "anim",
            "!improviser visite dsi PERSONA-44 : ADHOC-TEXT-31".into(),
        ),
        (
            3,
            48,
            "lead",
            "players",
            format!("!décision Couper le réseau {secret} -- {secret}"),
        ),
    ];
    if site.second_decision {
        script.push((
            3,
            49,
            "lead",
            "players",
            format!("!décision Isoler les sauvegardes {secret}"),
        ));
    }
    script.extend([
        (3, 50, "anim", "anim", "!attendu i02 non".into()),
        (
            3,
            51,
            "anim",
            "anim",
            "!objectif cellule atteint COMMENT-77".into(),
        ),
        (3, 51, "anim", "anim", "!synthèse forces SYNTH-88".into()),
        (3, 52, "anim", "anim", "!finex".into()),
        (3, 53, "lead", "players", "!retex".into()),
        (3, 54, "lead", "players", "!retex RETEX-TEXT-66".into()),
        (3, 55, "lead", "players", "!retex fin".into()),
        (
            3,
            56,
            "lead",
            "players",
            "!amélioration AMELIORATION-TEXT-12".into(),
        ),
        (4, 0, "lead", "players", "!clore".into()),
    ]);
    script
}

/// Both sites play at the same time, each in its own players' and animation
/// rooms; the crisis ids, in the sites' order.
fn play(runtime: &mut Runtime, sites: &[&Site]) -> Vec<String> {
    let mut lines: Vec<_> = sites
        .iter()
        .enumerate()
        .flat_map(|(idx, site)| {
            script(site)
                .into_iter()
                .enumerate()
                .map(move |(n, line)| (idx, n, line))
        })
        // One clock: ticks once, last in their minute.
        .filter(|(idx, _, line)| *idx == 0 || line.4 != "tick")
        .collect();
    lines.sort_by_key(|(idx, n, (hh, mm, _, _, text))| (*hh, *mm, text == "tick", *idx, *n));
    let mut crises = vec![String::new(); sites.len()];
    for (idx, n, (hh, mm, who, r, text)) in lines {
        if text == "tick" {
            runtime.tick(at(hh, mm)).unwrap();
            continue;
        }
        let site = sites[idx];
        let room = |r: &str| format!("!{r}-{}:{}", site.label, site.domain);
        let (local, name) = match who {
            "lead" => site.lead,
            "dsi" => site.dsi,
            "anim" => site.anim,
            _ => site.obs,
        };
        let author = Author {
            id: format!("@{local}:{}", site.domain),
            name: name.to_owned(),
        };
        send(
            runtime,
            at(hh, mm),
            author,
            &room(r),
            &text.replace("{crisis}", &crises[idx]),
            format!("${}{n}", site.label),
            matches!(who, "lead" | "anim"),
        );
        if crises[idx].is_empty() {
            let players = room("players");
            crises[idx] = runtime
                .world()
                .crises
                .values()
                .find(|c| c.room == players)
                .expect("the crisis just opened")
                .id
                .clone();
        }
    }
    crises
}

/// A journal holding both sites' exercises, and their crisis ids.
fn two_sites(dir: &Path) -> (String, String) {
    let mut runtime = crate::support::runtime(dir);
    let crises = play(&mut runtime, &[&NORD, &SUD]);
    assert_ne!(crises[0], crises[1]);
    runtime.close().unwrap();
    (crises[0].clone(), crises[1].clone())
}

fn runtime_in(dir: &Path, settings: Settings) -> Runtime {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    Runtime::open(dir, catalog, settings, None).unwrap().0
}

#[test]
fn the_summary_sets_the_sites_measures_side_by_side_and_no_text_of_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let (nord, sud) = two_sites(dir.path());
    let runtime = runtime_in(dir.path(), Settings::default());
    let sites = [
        (NORD.label.to_owned(), nord.clone()),
        (SUD.label.to_owned(), sud.clone()),
    ];
    let now = at(7, 0);
    let render = |format| runtime.render_summary(&sites, format, now).unwrap();
    let md = render("md");
    let html = render("html");
    let json = render("json");
    assert_eq!(md.name, "eclair-synthese-regionale-20261129T0600.md");
    assert_eq!(html.mime, "text/html");
    assert_eq!(
        md.title,
        "[EXERCICE] eclair-synthese-regionale-20261129T0600.md"
    );
    assert!(
        md.caption.starts_with("[EXERCICE] ")
            && md
                .caption
                .contains("synthèse régionale de 2 établissements (md)"),
        "{}",
        md.caption
    );
    let text = |f: &tocsin::runtime::ExportFile| String::from_utf8(f.bytes.clone()).unwrap();
    let (md_text, html_text, json_text) = (text(&md), text(&html), text(&json));
    expect_file!["../data/snapshots/summary.md"].assert_eq(&md_text);

    // Each site, its crisis and its chain's last digest, as its own export gives it.
    for (label, crisis) in &sites {
        let own = runtime.render_export(crisis, "json", false, now).unwrap();
        let digest = own
            .caption
            .rsplit("empreinte finale ")
            .next()
            .unwrap()
            .trim_end_matches('…');
        assert_eq!(digest.len(), 16, "{}", own.caption);
        for (format, out) in [("md", &md_text), ("html", &html_text), ("json", &json_text)] {
            for needle in [label.as_str(), crisis.as_str(), digest] {
                assert!(out.contains(needle), "{format} lacks {needle}");
            }
        }
        // Its own report names it as an establishment of a regional exercise.
        let report = runtime.render_export(crisis, "md", false, now).unwrap();
        let report = String::from_utf8(report.bytes).unwrap();
        assert!(
            report.contains(&format!("- Exercice régional, établissement : {label}")),
            "{report}"
        );
    }

    // Each site's own counts: Nord decided twice, Sud once.
    let decisions = md_text
        .lines()
        .find(|l| l.starts_with("| Décisions |"))
        .expect("the decisions metric");
    assert_eq!(decisions, "| Décisions | 2 | 1 |");
    let view: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    let metric = view["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Décisions")
        .unwrap();
    assert_eq!(metric["values"], serde_json::json!(["2", "1"]));
    assert!(view.get("t").is_none() && view.get("page").is_none());
    assert_eq!(view["n_sites"], 2);

    // Every scenario inject has both sites' status; each improvised one is its site's alone.
    let injects = view["injects"].as_array().unwrap();
    let scenario: Vec<_> = injects.iter().filter(|i| i["site"] == "").collect();
    assert_eq!(scenario.len(), 10, "{injects:#?}");
    for inject in &scenario {
        let cells = inject["sites"].as_array().unwrap();
        assert_eq!(cells.len(), 2);
        for cell in cells {
            assert_eq!(cell["present"], true, "{inject}");
            assert!(
                ["played", "skipped", "not_played"].contains(&cell["status_key"].as_str().unwrap())
            );
        }
        assert_eq!(cells[0]["status_key"], cells[1]["status_key"], "{inject}");
    }
    let i05 = scenario.iter().find(|i| i["id"] == "i05").unwrap();
    assert_eq!(i05["sites"][0]["status"], "passé");
    let adhoc: Vec<_> = injects.iter().filter(|i| i["site"] != "").collect();
    assert_eq!(adhoc.len(), 2, "{injects:#?}");
    assert_eq!(adhoc[0]["sites"][1]["present"], false);
    assert_eq!(adhoc[1]["sites"][0]["present"], false);
    let rows = md_text.lines().filter(|l| l.starts_with("| i0")).count();
    assert_eq!(rows, 8);
    for line in md_text.lines().filter(|l| l.starts_with("| i0")) {
        assert_eq!(line.matches(" | ").count(), 3, "{line}");
        assert!(!line.contains("| — |"), "{line}");
    }
    // The judgement's label, not its comment.
    let cellule = view["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "cellule")
        .unwrap();
    assert_eq!(cellule["sites"][0]["result_key"], "met");

    // No player's or facilitator's text, no name, no Matrix id, in any format.
    let mut forbidden: Vec<String> = FACILITATORS_TEXT.iter().map(|s| (*s).to_owned()).collect();
    for site in [&NORD, &SUD] {
        forbidden.push(site.secret.to_owned());
        for (local, name) in [site.lead, site.dsi, site.anim, site.obs] {
            forbidden.push(name.to_owned());
            forbidden.push(name.split(' ').next_back().unwrap().to_owned());
            forbidden.push(format!("@{local}"));
        }
        forbidden.push(format!(":{}", site.domain));
    }
    for (format, file) in [("md", &md), ("html", &html), ("json", &json)] {
        let out = text(file);
        for s in &forbidden {
            assert!(!out.contains(s.as_str()), "the {format} summary shows {s}");
            assert!(!file.caption.contains(s.as_str()) && !file.title.contains(s.as_str()));
        }
    }
    assert!(html_text.contains("<html lang=\"fr\">"));
    assert!(html_text.contains("size: A4 portrait"));
    let page = dir.path().join("summary.html");
    std::fs::write(&page, &html_text).unwrap();
    if let Some((dom, log)) = crate::report::chromium(&page, &dir.path().join("summary.png")) {
        assert!(dom.contains("Synthèse régionale d'exercice « ÉCLAIR »"));
        assert!(dom.contains("EXERCICE — EXERCICE — EXERCICE"));
        let errors = crate::report::console_errors(&log);
        assert!(errors.is_empty(), "console errors: {errors:?}");
    }

    let csv = runtime
        .render_summary(&sites, "csv", now)
        .unwrap_err()
        .to_string();
    assert!(csv.contains("html, md and json"), "{csv}");
    let unknown = runtime
        .render_summary(&[("x".to_owned(), "no-such-crisis".to_owned())], "md", now)
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("no crisis no-such-crisis"), "{unknown}");
    runtime.close().unwrap();
}

#[test]
fn the_summary_speaks_english_when_configured_and_escapes_site_labels() {
    let dir = tempfile::tempdir().unwrap();
    let (nord, sud) = two_sites(dir.path());
    let settings = Settings {
        lang: tocsin_core::lang::Lang::en(),
        ..Settings::default()
    };
    let runtime = runtime_in(dir.path(), settings);
    let sites = [
        ("<b>nord</b>|`x`".to_owned(), nord),
        ("sud".to_owned(), sud),
    ];
    let now = at(7, 0);
    let md = runtime.render_summary(&sites, "md", now).unwrap();
    assert_eq!(md.name, "eclair-regional-summary-20261129T0600.md");
    assert!(
        md.caption
            .contains("regional summary of 2 establishments (md)")
    );
    let md_text = String::from_utf8(md.bytes).unwrap();
    assert!(md_text.contains("# Regional exercise summary"), "{md_text}");
    assert!(
        md_text.contains(r"&lt;b&gt;nord&lt;/b&gt;\|\`x\`"),
        "{md_text}"
    );
    let html = runtime.render_summary(&sites, "html", now).unwrap();
    let html_text = String::from_utf8(html.bytes).unwrap();
    assert!(!html_text.contains("<b>nord"));
    assert!(html_text.contains("&lt;b&gt;nord&lt;/b&gt;|&#x60;x&#x60;"));
    runtime.close().unwrap();
}

#[test]
fn export_in_a_regional_animation_room_gives_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut runtime = crate::support::runtime(dir.path());
    let mut n = 0;
    let mut say = |runtime: &mut Runtime, mm: u32, who: &str, room: &str, text: &str| {
        n += 1;
        let author = Author {
            id: format!("@{who}:ars.fr"),
            name: who.to_owned(),
        };
        let room = format!("!{room}:ars.fr");
        send(
            runtime,
            at(3, mm),
            author,
            &room,
            text,
            format!("$regional{n}"),
            true,
        )
    };
    say(
        &mut runtime,
        40,
        "nadia",
        "nord",
        "!ouvrir rancongiciel exercice",
    );
    say(
        &mut runtime,
        40,
        "sylvie",
        "sud",
        "!ouvrir rancongiciel exercice",
    );
    let crisis_of = |runtime: &Runtime, room: &str| {
        let room = format!("!{room}:ars.fr");
        let crisis = runtime.world().crises.values().find(|c| c.room == room);
        crisis.unwrap().id.clone()
    };
    let (nord, sud) = (crisis_of(&runtime, "nord"), crisis_of(&runtime, "sud"));
    say(
        &mut runtime,
        41,
        "anna",
        "anim",
        &format!("!animer@chu-nord {nord} demo-20min"),
    );
    say(
        &mut runtime,
        41,
        "anna",
        "anim",
        &format!("!animer@ch-sud {sud} demo-20min"),
    );
    say(&mut runtime, 42, "nadia", "nord", "!accepter");
    say(&mut runtime, 42, "sylvie", "sud", "!accepter");
    say(&mut runtime, 43, "anna", "anim", "!debex");
    say(
        &mut runtime,
        44,
        "nadia",
        "nord",
        "!décision SECRET-NORD-42",
    );
    // Played in every establishment, each in its own chain, in one write.
    say(&mut runtime, 44, "anna", "anim", "!inject i02"); // $regional9
    say(&mut runtime, 44, "anna", "anim", "STOP EXERCICE"); // $regional10
    let outputs = say(&mut runtime, 45, "anna", "anim", "!export md");
    let (sites, format) = outputs
        .iter()
        .find_map(|o| match &o.output {
            Output::Summary { sites, format, .. } => Some((sites.clone(), format.clone())),
            _ => None,
        })
        .expect("the summary asked for");
    assert_eq!(
        sites,
        [
            ("chu-nord".to_owned(), nord.clone()),
            ("ch-sud".to_owned(), sud.clone())
        ]
    );
    let file = runtime.render_summary(&sites, &format, at(3, 45)).unwrap();
    assert!(
        file.name.starts_with("eclair-synthese-regionale-"),
        "{}",
        file.name
    );
    let text = String::from_utf8(file.bytes).unwrap();
    for present in ["chu-nord", "ch-sud", nord.as_str(), sud.as_str()] {
        assert!(text.contains(present), "{present} missing:\n{text}");
    }
    assert!(text.contains("| Décisions | 1 | 0 |"), "{text}");
    for absent in ["SECRET-NORD-42", "nadia", "sylvie", "anna", "ars.fr"] {
        assert!(!text.contains(absent), "{absent} leaked:\n{text}");
    }
    // After a restart (the journal verifies at opening), the same commands
    // delivered again by the homeserver are skipped: each chain has them once.
    runtime.close().unwrap();
    let mut runtime = crate::support::runtime(dir.path());
    for (n, text) in [(9, "!inject i02"), (10, "STOP EXERCICE")] {
        let anna = Author {
            id: "@anna:ars.fr".to_owned(),
            name: "anna".to_owned(),
        };
        let again = send(
            &mut runtime,
            at(3, 44),
            anna,
            "!anim:ars.fr",
            text,
            format!("$regional{n}"),
            true,
        );
        assert!(again.is_empty(), "{text}: {again:?}");
    }
    // The first establishment's entry holds the chat event, the other's none.
    let source_of = |crisis: &str, kind: &str| {
        let entries = runtime.journal().entries(crisis).unwrap();
        let entry = entries.iter().find(|e| e.record.event.kind() == kind);
        entry.and_then(|e| e.record.source.clone())
    };
    assert_eq!(
        source_of(&nord, "inject_played").as_deref(),
        Some("$regional9")
    );
    assert_eq!(
        source_of(&nord, "exercise_stopped").as_deref(),
        Some("$regional10")
    );
    assert_eq!(source_of(&sud, "inject_played"), None);
    assert_eq!(source_of(&sud, "exercise_stopped"), None);
    for crisis in [&nord, &sud] {
        let entries = runtime.journal().entries(crisis).unwrap();
        let kinds: Vec<&str> = entries.iter().map(|e| e.record.event.kind()).collect();
        for kind in ["inject_played", "exercise_stopped"] {
            let n = kinds.iter().filter(|k| **k == kind).count();
            assert_eq!(n, 1, "{crisis} {kind}: {kinds:?}");
        }
    }
    runtime.close().unwrap();
}
