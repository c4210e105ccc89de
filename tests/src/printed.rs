//! The printed report: BLOUSE NOIRE played end to end and a crisis opened for
//! real (`tests/data/plays/`), rendered, then printed to PDF by headless
//! Chromium as `docs/report.md` tells a user to, without the browser's header
//! and footer. The PDF is read back with poppler's `pdfinfo` and `pdftotext`
//! (Debian `poppler-utils`, installed by `.ci/run`): A4 portrait pages, a page
//! number and the crisis id on each, nothing printed past the margins, French
//! dates and no ISO timestamp, every due time in local time, no emoji. The
//! page's layout is also measured in the DOM at the printed width: no table
//! and no cell wider than its room. `TOCSIN_PRINT_DIR` keeps the files.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};

use tocsin::journal::Entry;
use tocsin::render::Renderer;
use tocsin::render::view::Edition;
use tocsin::runtime::Runtime;
use tocsin_core::engine::ExportFormat;
use tocsin_core::engine::event::Author;
use tocsin_core::engine::{Body, Input, Settings};

use crate::support::root;

/// Who plays: handle, display name, and whether they may lead (power level 50).
const PEOPLE: &[(&str, &str, bool)] = &[
    ("claire", "Claire Martin", true),
    ("chloe", "Chloé Bernard", false),
    ("bob", "Bob Lefèvre", false),
    ("david", "David Moreau", false),
    ("emma", "Emma Girard", false),
    ("farid", "Farid Haddad", true),
    ("gaelle", "Gaëlle Roux", false),
    ("hugo", "Hugo Petit", false),
    ("anna", "Anna Durand", true),
    ("marc", "Marc Lambert", true),
    ("olga", "Olga Nowak", false),
];

pub fn settings() -> Settings {
    Settings {
        establishment: Some("Centre hospitalier de Brocéliande".to_owned()),
        ..Settings::default()
    }
}

/// Plays a script of `tests/data/plays/` into a journal in `dir`: its entries.
pub fn play(name: &str, dir: &Path) -> Vec<Entry> {
    let script = std::fs::read_to_string(root().join("tests/data/plays").join(name)).unwrap();
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let settings = settings();
    let tz = settings.tz;
    let (mut runtime, _) = Runtime::open(dir, catalog, settings, None).unwrap();
    let mut day: Option<NaiveDate> = None;
    let mut clock: Option<DateTime<Utc>> = None;
    for (n, line) in script.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(date) = line.strip_prefix("date ") {
            day = Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap());
            continue;
        }
        let mut words = line.splitn(4, ' ');
        let (time, who, room, text) = (
            words.next().unwrap(),
            words.next().unwrap(),
            words.next().unwrap(),
            words.next().unwrap(),
        );
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        let mut date = day.expect("a date line first");
        let local = |date: NaiveDate| {
            tz.from_local_datetime(&date.and_time(time))
                .unwrap()
                .with_timezone(&Utc)
        };
        if clock.is_some_and(|c| local(date) < c) {
            date = date.succ_opt().unwrap();
            day = Some(date);
        }
        let at = local(date);
        // Time passes minute by minute: what falls due on the way is handled.
        if let Some(mut t) = clock {
            while t + TimeDelta::minutes(1) <= at {
                t += TimeDelta::minutes(1);
                runtime.tick(t).unwrap();
            }
        }
        clock = Some(at);
        let (_, name, privileged) = PEOPLE
            .iter()
            .find(|(h, ..)| *h == who)
            .unwrap_or_else(|| panic!("line {}: who is {who}?", n + 1));
        let input = Input {
            at,
            sent_at: at,
            author: Author {
                id: format!("@{who}:chu.fr"),
                name: (*name).to_owned(),
            },
            room: format!("!{room}:chu.fr"),
            body: Body::Text(text.to_owned()),
            source: Some(format!("${name}-{n}")),
            privileged: *privileged,
            quoted: None,
            in_reply_to: None,
        };
        crate::support::handled(&mut runtime, &input, &format!("line {}: {text}", n + 1));
    }
    let crisis = runtime.world().crises.keys().next().unwrap().clone();
    let entries = runtime.journal().entries(&crisis).unwrap();
    runtime.close().unwrap();
    entries
}

/// The report of a played script, in a format and an edition.
pub fn render(entries: &[Entry], format: ExportFormat, edition: Edition) -> String {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let closed = entries.last().unwrap().record.recorded_at;
    let bytes = tocsin::render::export(
        &renderer,
        entries,
        &catalog,
        &settings(),
        format,
        edition,
        closed + TimeDelta::minutes(5),
    )
    .unwrap();
    String::from_utf8(bytes).unwrap()
}

/// Prints an HTML file to PDF with headless Chromium, as `docs/report.md` tells a user to.
pub fn print_to_pdf(html: &Path) -> Option<PathBuf> {
    let bin = crate::report::chromium_bin()?;
    let profile = tempfile::tempdir().unwrap();
    let pdf = html.with_extension("pdf");
    let out = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("running chromium");
    assert!(
        out.status.success() && pdf.exists(),
        "chromium --print-to-pdf failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(pdf)
}

/// An A4 page in PostScript points, as Chromium writes it (210 × 297 mm).
const A4: (f64, f64) = (594.96, 841.92);
/// The report's left and right page margins (12 mm).
const MARGIN: f64 = 12.0 * 72.0 / 25.4;

/// One page of a PDF: its size, its text, and each word with its box.
struct Page {
    width: f64,
    height: f64,
    text: String,
    words: Vec<Word>,
}

struct Word {
    x_min: f64,
    x_max: f64,
    height: f64,
    text: String,
}

fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = match std::process::Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(_) => {
            assert!(
                std::env::var_os("TOCSIN_REQUIRE_CHROMIUM").is_none(),
                "TOCSIN_REQUIRE_CHROMIUM is set but {program} is missing (Debian poppler-utils)"
            );
            eprintln!("print test: skipped ({program} missing; .ci/run installs poppler-utils)");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// The pages of a PDF, read with poppler's `pdftotext`.
fn read_pdf(pdf: &Path) -> Option<Vec<Page>> {
    let path = pdf.to_str().unwrap();
    let info = run("pdfinfo", &[path])?;
    let n: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let bbox = run("pdftotext", &["-bbox", path, "-"])?;
    let mut pages: Vec<Page> = Vec::new();
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..][..line[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    for line in bbox.lines().map(str::trim) {
        if line.starts_with("<page ") {
            pages.push(Page {
                width: attr(line, "width"),
                height: attr(line, "height"),
                text: String::new(),
                words: Vec::new(),
            });
        } else if line.starts_with("<word ") {
            let text = line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'");
            pages.last_mut().unwrap().words.push(Word {
                x_min: attr(line, "xMin"),
                x_max: attr(line, "xMax"),
                height: attr(line, "yMax") - attr(line, "yMin"),
                text,
            });
        }
    }
    assert_eq!(
        pages.len(),
        n,
        "pdftotext and pdfinfo disagree on the pages"
    );
    for (idx, page) in pages.iter_mut().enumerate() {
        let number = (idx + 1).to_string();
        page.text = run("pdftotext", &["-f", &number, "-l", &number, path, "-"])?;
    }
    Some(pages)
}

/// `2026-12-01`, `21:25:00`, `T21:25`, `+01:00`, `18:11Z`: machine time, not for people.
fn iso_timestamps(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let digits = |at: usize, n: usize| {
        at + n <= chars.len() && chars[at..at + n].iter().all(char::is_ascii_digit)
    };
    let mut found = Vec::new();
    for i in 0..chars.len() {
        let date = digits(i, 4)
            && chars.get(i + 4) == Some(&'-')
            && digits(i + 5, 2)
            && chars.get(i + 7) == Some(&'-')
            && digits(i + 8, 2);
        let seconds = digits(i, 2)
            && chars.get(i + 2) == Some(&':')
            && digits(i + 3, 2)
            && chars.get(i + 5) == Some(&':')
            && digits(i + 6, 2);
        let t_time = chars.get(i) == Some(&'T')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && digits(i + 1, 2);
        let offset = matches!(chars.get(i), Some('+' | '-'))
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && digits(i + 1, 2)
            && chars.get(i + 3) == Some(&':')
            && digits(i + 4, 2);
        let zulu = chars.get(i) == Some(&'Z') && i >= 5 && digits(i - 2, 2) && chars[i - 3] == ':';
        if date || seconds || t_time || offset || zulu {
            found.push(
                chars[i.saturating_sub(12)..(i + 14).min(chars.len())]
                    .iter()
                    .collect(),
            );
        }
    }
    found
}

/// Emoji drawn as pictures, which fonts without them print as empty boxes.
fn emoji(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| {
            (0x1F000..=0x1FAFF).contains(&(*c as u32))
                || matches!(
                    *c,
                    '\u{fe0f}' | '\u{2705}' | '\u{274c}' | '\u{26d4}' | '\u{23f0}'
                )
        })
        .collect()
}

/// What every printed report must show: A4 portrait pages with the crisis id
/// and « Page n sur N » on each, nothing past the margins, no machine time,
/// no emoji. Returns the text of all pages.
fn check_printed(pdf: &Path, crisis: &str) -> Option<(usize, String)> {
    let pages = read_pdf(pdf)?;
    let n = pages.len();
    let name = pdf.display();
    for (idx, page) in pages.iter().enumerate() {
        let number = idx + 1;
        assert!(
            (page.width - A4.0).abs() < 1.0 && (page.height - A4.1).abs() < 1.0,
            "{name} page {number} is {} × {} pt, not A4 portrait",
            page.width,
            page.height
        );
        assert!(
            page.text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(&format!("Page {number} sur {n}")),
            "{name} page {number} has no page number:\n{}",
            page.text
        );
        assert!(
            page.text.contains(crisis),
            "{name} page {number} lacks the crisis id"
        );
        for word in &page.words {
            // The exercise watermark is drawn across the page, on purpose.
            if word.height > 40.0 {
                continue;
            }
            assert!(
                word.x_min >= MARGIN - 1.0 && word.x_max <= page.width - MARGIN + 1.0,
                "{name} page {number}: « {} » is printed at {:.0}–{:.0} pt, past the {MARGIN:.0} pt margins",
                word.text,
                word.x_min,
                word.x_max
            );
        }
    }
    // Words as a reader sees them, whatever the line breaks in table cells.
    let text: String = pages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let iso = iso_timestamps(&text);
    assert!(
        iso.is_empty(),
        "{name}: machine timestamps printed: {iso:?}"
    );
    let emoji = emoji(&text);
    assert!(emoji.is_empty(), "{name}: emoji printed: {emoji:?}");
    Some((n, text))
}

/// Lays the report out in Chromium at the printed text width (A4 less the
/// margins) with the print stylesheet, and lists every table or cell whose
/// content is wider than its room (which print would cut or shrink).
fn overflowing(html: &str, dir: &Path) -> Option<Vec<String>> {
    let bin = crate::report::chromium_bin()?;
    let probe = r#"<script>
      const room = document.body.getBoundingClientRect().right + 0.5;
      const out = [];
      for (const el of document.querySelectorAll('table, th, td, dl, dd, h1, h2, h3, p, li, .signature')) {
        const r = el.getBoundingClientRect();
        if (r.right > room || el.scrollWidth > el.clientWidth + 1) {
          out.push(el.tagName + ' « ' + el.textContent.trim().slice(0, 60) + ' » ' + Math.round(r.right) + '>' + Math.round(room));
        }
      }
      const pre = document.createElement('pre');
      pre.id = 'overflow-probe';
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    </script>"#;
    let page = html
        .replacen(
            "default-src 'none'; style-src 'unsafe-inline'",
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
            1,
        )
        .replacen("@media print {", "@media all {", 1)
        .replacen(
            "</style>",
            "  body { width: 186mm; margin: 0; }\n</style>",
            1,
        )
        .replacen("</body>", &format!("{probe}</body>"), 1);
    let path = dir.join("probe.html");
    std::fs::write(&path, page).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--window-size=1200,900",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", path.display()))
        .output()
        .expect("running chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<pre id=\"overflow-probe\">")
        .expect("the probe ran")
        + 25;
    let json = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&quot;", "\"");
    Some(serde_json::from_str(&json).unwrap())
}

/// Headings and table headers, in order: the report's structure.
fn outline(html: &str) -> String {
    let strip = |s: &str| {
        let mut out = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&#x27;", "'")
            .replace("&amp;", "&")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = String::new();
    let mut rest = html;
    loop {
        let next = ["<h1", "<h2", "<h3", "<thead>"]
            .iter()
            .filter_map(|t| rest.find(t).map(|at| (at, *t)))
            .min();
        let Some((at, tag)) = next else { break };
        let close = match tag {
            "<thead>" => "</thead>".to_owned(),
            t => format!("</{}>", &t[1..]),
        };
        let end = at + rest[at..].find(&close).unwrap();
        let inner = &rest[at..end];
        match tag {
            "<thead>" => {
                let cells: Vec<String> = inner
                    .split("<th")
                    .filter(|c| c.starts_with(['>', ' ']))
                    .map(|c| strip(&format!("<th{c}")))
                    .collect();
                out.push_str(&format!("      | {} |\n", cells.join(" | ")));
            }
            t => {
                let depth = t[2..].parse::<usize>().unwrap();
                out.push_str(&format!("{}{}\n", "  ".repeat(depth - 1), strip(inner)));
            }
        }
        rest = &rest[end + close.len()..];
    }
    out
}

/// Plays a script, renders an edition to HTML and prints it: the HTML, the
/// PDF's pages and text (or `None` without Chromium), the outline.
fn printed(
    script: &str,
    edition: Edition,
    dir: &Path,
) -> (String, Option<(usize, String)>, String) {
    let data = tempfile::tempdir().unwrap();
    let entries = play(script, data.path());
    let crisis = entries[0].record.crisis.clone();
    let html = render(&entries, ExportFormat::Html, edition);
    let out = std::env::var_os("TOCSIN_PRINT_DIR").map_or_else(|| dir.to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&out).unwrap();
    let path =
        out.join(format!("{}-{edition:?}.html", script.trim_end_matches(".txt")).to_lowercase());
    std::fs::write(&path, &html).unwrap();
    let printed = print_to_pdf(&path).and_then(|pdf| check_printed(&pdf, &crisis));
    if printed.is_some() {
        let wide = overflowing(&html, dir).unwrap_or_default();
        assert!(
            wide.is_empty(),
            "{}: wider than the page: {wide:#?}",
            path.display()
        );
    }
    let outline = outline(&html);
    (html, printed, outline)
}

#[test]
fn the_exercise_report_of_blouse_noire_prints_on_a4_with_french_dates() {
    let dir = tempfile::tempdir().unwrap();
    let (html, printed, outline) = printed("blouse-noire.txt", Edition::Full, dir.path());
    expect_test::expect_file!["../data/snapshots/outline-exercise-full.txt"].assert_eq(&outline);
    // What the cell put on record: a decision taken by one and recorded by
    // another, what it answers, and a message said in the room.
    for s in [
        "Claire Martin — consigné par Farid Haddad",
        "en réponse à i04",
        "message consigné",
        "Le directeur général, joint par téléphone, arrive dans 20 minutes",
    ] {
        assert!(html.contains(s), "the full edition lacks {s}");
    }
    // The facilitators' material is there: judgements, synthesis, expected reactions.
    for s in [
        "partiellement atteint",
        "Annuaire de crise papier introuvable",
        "Délestage décidé avec le SAMU",
        "Le DSI qualifie une cyberattaque suspectée",
        "Personne n&#x27;a demandé combien d&#x27;infirmières",
    ] {
        assert!(html.contains(s), "the full edition lacks {s}");
    }
    let Some((n_pages, text)) = printed else {
        return;
    };
    eprintln!("BLOUSE NOIRE, full edition: {n_pages} pages");
    // French dates in the zone: DEBEX, and the first action's due time, 15
    // minutes after 21:39 in Paris (20:54 UTC, which must not print).
    for s in [
        "mar. 1 déc. 2026 21:30",
        "mar. 1 déc. 2026 21:54",
        "mer. 2 déc. 2026 00:31",
        "dim. 31 janv. 2027",
    ] {
        assert!(text.contains(s), "the PDF lacks « {s} »");
    }
    assert!(!text.contains("20:54"), "a due time printed in UTC");
    // No inject row lost its last columns: every inject, with its status.
    let injects = html.matches("<tbody class=\"inject\">").count();
    assert_eq!(injects, 24, "20 timed injects, 3 reserves, 1 improvised");
    for id in ["i01", "i13", "i17", "i20", "r01", "r02", "x1"] {
        assert!(text.contains(id), "inject {id} is not printed");
    }
    assert_eq!(
        text.matches("passé (temps contraint").count(),
        1,
        "the skipped inject's status is printed"
    );
    // Reminders are folded: one line per item, with a count.
    assert!(text.contains(" fois : "), "no folded reminders");
}

#[test]
fn the_players_edition_prints_without_facilitator_material() {
    let dir = tempfile::tempdir().unwrap();
    let (html, printed, outline) = printed("blouse-noire.txt", Edition::Players, dir.path());
    expect_test::expect_file!["../data/snapshots/outline-exercise-players.txt"].assert_eq(&outline);
    for s in [
        "partiellement atteint",
        "Annuaire de crise papier introuvable",
        "Le DSI qualifie une cyberattaque suspectée",
        "Personne n&#x27;a demandé",
        "temps contraint",
    ] {
        assert!(!html.contains(s), "the players' edition shows {s}");
    }
    let Some((n_pages, text)) = printed else {
        return;
    };
    eprintln!("BLOUSE NOIRE, players' edition: {n_pages} pages");
    assert!(text.contains("mar. 1 déc. 2026 21:54") && !text.contains("20:54"));
}

#[test]
fn the_crisis_report_of_a_real_crisis_prints_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let (html, printed, outline) = printed("real-crisis.txt", Edition::Full, dir.path());
    expect_test::expect_file!["../data/snapshots/outline-crisis.txt"].assert_eq(&outline);
    assert!(html.contains("Rapport de crise") && !html.contains("EXERCICE"));
    // The sign-off attests the crisis, not an exercise.
    assert!(html.contains("rend compte de la crise telle qu"));
    let Some((n_pages, text)) = printed else {
        return;
    };
    eprintln!("real crisis: {n_pages} pages");
    // « à 23:50 » is 23:50 in Paris, 22:50 UTC.
    assert!(text.contains("sam. 28 nov. 2026 23:50") && !text.contains("22:50"));
    assert!(text.contains(" fois : "), "no folded reminders");
}

#[test]
fn the_paper_kit_prints_spoken_durations_and_each_service_on_its_own_pages() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let playbook = catalog.get("rancongiciel").unwrap();
    let kit = tocsin::render::kit::build(playbook, &Settings::default());
    let html = Renderer::new(None).unwrap().kit_html(&kit).unwrap();
    let out = std::env::var_os("TOCSIN_PRINT_DIR")
        .map_or_else(|| dir.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&out).unwrap();
    let path = out.join("kit.html");
    std::fs::write(&path, &html).unwrap();
    let Some(pages) = print_to_pdf(&path).and_then(|pdf| read_pdf(&pdf)) else {
        return;
    };
    eprintln!("paper kit: {} pages", pages.len());
    let n = pages.len();
    let words = |p: &Page| p.text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (idx, page) in pages.iter().enumerate() {
        assert!((page.width - A4.0).abs() < 1.0 && (page.height - A4.1).abs() < 1.0);
        assert!(
            words(page).contains(&format!("Page {} sur {n}", idx + 1)),
            "kit page {} has no number",
            idx + 1
        );
    }
    let text: String = pages.iter().map(words).collect::<Vec<_>>().join(" ");
    // Durations as people say them, never `5m`, `1d`, `3d`.
    for said in [
        "(dans les 5 min)",
        "72 h après l'ouverture",
        "Alertes à 24 h, 12 h, 2 h",
    ] {
        assert!(text.contains(said), "the kit lacks « {said} »");
    }
    for word in text.split(|c: char| c.is_whitespace() || "(),.;:".contains(c)) {
        let unit = word.trim_start_matches(|c: char| c.is_ascii_digit());
        assert!(
            unit.len() == word.len()
                || unit.is_empty()
                || !matches!(unit, "m" | "h" | "d" | "j" | "min"),
            "a duration printed as « {word} »"
        );
    }
    // Each degraded procedure starts a page and has its pages to itself,
    // headed with its service.
    let degraded: Vec<&tocsin_core::playbook::Procedure> = playbook
        .procedures
        .iter()
        .filter(|p| p.kind == tocsin_core::playbook::ProcedureKind::Degraded)
        .collect();
    assert!(degraded.len() >= 10);
    let header = |p: &tocsin_core::playbook::Procedure| {
        format!("{} — {} · {}", p.id, p.title.fr, p.service.fr)
    };
    for p in &degraded {
        let heading = format!("{} — {}", p.id, p.title.fr);
        let pages_of: Vec<usize> = (0..n)
            .filter(|i| words(&pages[*i]).contains(&header(p)))
            .collect();
        assert!(
            !pages_of.is_empty(),
            "{} has no page headed with its service",
            p.id
        );
        assert!(
            pages_of.windows(2).all(|w| w[1] == w[0] + 1),
            "{}'s pages are not together: {pages_of:?}",
            p.id
        );
        assert!(
            words(&pages[pages_of[0]]).contains(&format!("{heading} Service")),
            "{} does not start on its first page",
            p.id
        );
        for i in pages_of {
            let others: Vec<&str> = degraded
                .iter()
                .filter(|o| o.id != p.id && words(&pages[i]).contains(&header(o)))
                .map(|o| o.id.as_str())
                .collect();
            assert!(
                others.is_empty(),
                "{} shares page {} with {others:?}",
                p.id,
                i + 1
            );
        }
    }
}
