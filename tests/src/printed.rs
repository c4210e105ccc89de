//! Printed pages: the paper kit printed to PDF by headless Chromium, without
//! the browser's header and footer, and read back with poppler's `pdfinfo`
//! and `pdftotext` (Debian `poppler-utils`, installed by `.ci/run`): A4
//! portrait pages with a page number on each, durations as people say them,
//! each degraded procedure on pages of its own. `TOCSIN_PRINT_DIR` keeps the
//! files.

use std::path::{Path, PathBuf};

use tocsin::engine::Settings;
use tocsin::render::Renderer;

use crate::support::root;

/// Prints an HTML file to PDF with headless Chromium, as a user would.
fn print_to_pdf(html: &Path) -> Option<PathBuf> {
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

/// One page of a PDF: its size and its text.
struct Page {
    width: f64,
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
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..][..line[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let mut pages: Vec<Page> = bbox
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("<page "))
        .map(|line| Page {
            width: attr(line, "width"),
            height: attr(line, "height"),
            text: String::new(),
        })
        .collect();
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

#[test]
fn the_paper_kit_prints_spoken_durations_and_each_service_on_its_own_pages() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = tocsin::playbook::load_dir(&root().join("playbooks")).unwrap();
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
    let degraded: Vec<&tocsin::playbook::Procedure> = playbook
        .procedures
        .iter()
        .filter(|p| p.kind == tocsin::playbook::ProcedureKind::Degraded)
        .collect();
    assert!(degraded.len() >= 10);
    let header =
        |p: &tocsin::playbook::Procedure| format!("{} — {} · {}", p.id, p.title.fr, p.service.fr);
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
