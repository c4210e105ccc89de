//! Rendering: crisis reports (HTML, Markdown, CSV), the regional exercise
//! summary and the paper kit, through handlebars. The only importer of `handlebars`.
//!
//! Templates live in `templates/` and are compiled into the binary; a
//! configured directory may override any of them. All are registered when the
//! [`Renderer`] is built, in strict mode, so a broken template or a missing
//! field fails at once rather than printing blanks. Escaping is explicit per
//! output: HTML escaping for `.html`, Markdown escaping for `.md`; both also
//! neutralise bidirectional control characters, which could otherwise make a
//! printed line read differently from what was logged.

pub mod kit;
pub mod plan;
pub mod summary;
pub mod time;
pub mod view;

use std::path::Path;

use handlebars::Handlebars;

use tocsin_core::engine::ExportFormat;

const TEMPLATES: &[(&str, &str, Output)] = &[
    (
        "report.html",
        include_str!("../../../templates/report.html.hbs"),
        Output::Html,
    ),
    (
        "report.md",
        include_str!("../../../templates/report.md.hbs"),
        Output::Markdown,
    ),
    (
        "summary.html",
        include_str!("../../../templates/summary.html.hbs"),
        Output::Html,
    ),
    (
        "summary.md",
        include_str!("../../../templates/summary.md.hbs"),
        Output::Markdown,
    ),
    (
        "kit.html",
        include_str!("../../../templates/kit.html.hbs"),
        Output::Html,
    ),
    (
        "plan.html",
        include_str!("../../../templates/plan.html.hbs"),
        Output::Html,
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Html,
    Markdown,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("rendering {name}: {message}")]
    Render { name: String, message: String },
}

/// Every template, registered and checked.
#[derive(Debug)]
pub struct Renderer {
    html: Handlebars<'static>,
    markdown: Handlebars<'static>,
}

impl Renderer {
    /// Registers the built-in templates, each replaced by `<dir>/<name>.hbs` when present.
    pub fn new(override_dir: Option<&Path>) -> Result<Renderer, RenderError> {
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_escape_fn(escape_html);
        let mut markdown = Handlebars::new();
        markdown.set_strict_mode(true);
        markdown.register_escape_fn(escape_markdown);
        for (name, builtin, output) in TEMPLATES {
            let source = match override_dir.map(|d| d.join(format!("{name}.hbs"))) {
                Some(path) if path.exists() => {
                    std::fs::read_to_string(&path).map_err(|e| RenderError::Template {
                        name: path.display().to_string(),
                        message: e.to_string(),
                    })?
                }
                _ => (*builtin).to_owned(),
            };
            let registry = match output {
                Output::Html => &mut html,
                Output::Markdown => &mut markdown,
            };
            registry
                .register_template_string(name, source)
                .map_err(|e| RenderError::Template {
                    name: (*name).to_owned(),
                    message: e.to_string(),
                })?;
        }
        Ok(Renderer { html, markdown })
    }

    pub fn report_html(&self, view: &view::ReportView) -> Result<String, RenderError> {
        render(&self.html, "report.html", view)
    }

    pub fn report_markdown(&self, view: &view::ReportView) -> Result<String, RenderError> {
        render(&self.markdown, "report.md", view)
    }

    pub fn summary_html(&self, view: &summary::SummaryView) -> Result<String, RenderError> {
        render(&self.html, "summary.html", view)
    }

    pub fn summary_markdown(&self, view: &summary::SummaryView) -> Result<String, RenderError> {
        render(&self.markdown, "summary.md", view)
    }

    pub fn kit_html(&self, view: &kit::KitView) -> Result<String, RenderError> {
        render(&self.html, "kit.html", view)
    }

    pub fn plan_html(&self, view: &plan::PlanView) -> Result<String, RenderError> {
        render(&self.html, "plan.html", view)
    }
}

/// The improvement plan as CSV: one line per item, formulas neutralised.
pub fn plan_csv(view: &plan::PlanView) -> Result<Vec<u8>, RenderError> {
    let fail = |e: csv::Error| RenderError::Render {
        name: "plan csv".to_owned(),
        message: e.to_string(),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "item",
            "opened_in",
            "opened_at",
            "text",
            "owner",
            "due",
            "state",
            "late",
            "proof",
            "moves",
        ])
        .map_err(fail)?;
    for i in &view.items {
        let late = if i.late { "yes" } else { "" };
        writer
            .write_record([
                &i.item,
                &i.crisis,
                &i.opened_at,
                &csv_safe(&i.text),
                &csv_safe(&i.owner),
                &i.due,
                &i.state,
                late,
                &csv_safe(&i.note),
                &csv_safe(&i.moves.join(" | ")),
            ])
            .map_err(fail)?;
    }
    writer.into_inner().map_err(|e| RenderError::Render {
        name: "plan csv".to_owned(),
        message: e.to_string(),
    })
}

fn render(
    registry: &Handlebars<'static>,
    name: &str,
    data: &impl serde::Serialize,
) -> Result<String, RenderError> {
    registry
        .render(name, data)
        .map_err(|e| RenderError::Render {
            name: name.to_owned(),
            message: e.to_string(),
        })
}

/// Labels for a template (`t.<key>`), put into words.
fn labels(
    settings: &tocsin_core::engine::Settings,
    labels: impl IntoIterator<Item = (&'static str, tocsin_core::lang::speech::Message)>,
) -> std::collections::BTreeMap<&'static str, String> {
    labels
        .into_iter()
        .map(|(key, label)| (key, settings.say(label)))
        .collect()
}

/// Bidirectional controls and other invisible format characters, shown as a visible code.
fn neutralise(c: char) -> Option<String> {
    let suspicious = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
        || (c.is_control() && c != '\n' && c != '\t');
    suspicious.then(|| format!("[U+{:04X}]", c as u32))
}

/// Emoji drawn as pictures (default emoji presentation): many printers' and
/// PDF readers' fonts lack them and print an empty box.
fn is_emoji_picture(c: char) -> bool {
    let n = c as u32;
    (0x1F000..=0x1FAFF).contains(&n)
        || matches!(
            n,
            0x231A..=0x231B
                | 0x23E9..=0x23EC
                | 0x23F0
                | 0x23F3
                | 0x25FD..=0x25FE
                | 0x2614..=0x2615
                | 0x2648..=0x2653
                | 0x267F
                | 0x2693
                | 0x26A1
                | 0x26AA..=0x26AB
                | 0x26BD..=0x26BE
                | 0x26C4..=0x26C5
                | 0x26CE
                | 0x26D4
                | 0x26EA
                | 0x26F2..=0x26F3
                | 0x26F5
                | 0x26FA
                | 0x26FD
                | 0x2705
                | 0x270A..=0x270B
                | 0x2728
                | 0x274C
                | 0x274E
                | 0x2753..=0x2755
                | 0x2757
                | 0x2795..=0x2797
                | 0x27B0
                | 0x27BF
                | 0x2B1B..=0x2B1C
                | 0x2B50
                | 0x2B55
        )
}

/// What prints in place of an emoji picture: a text symbol that common fonts
/// carry for the few tocsin and chat clients use as marks, else the code point.
/// The emoji variation selector goes: symbols such as ⚠ then print as text.
fn printable(c: char) -> Option<String> {
    match c {
        '\u{fe0f}' => Some(String::new()),
        '\u{2705}' => Some("\u{2713}".to_owned()),
        '\u{274c}' | '\u{274e}' => Some("\u{2717}".to_owned()),
        '\u{26d4}' => Some("\u{2298}".to_owned()),
        c if is_emoji_picture(c) => Some(format!("[U+{:04X}]", c as u32)),
        _ => None,
    }
}

/// A CSS string literal (`"…"`) holding `s` as text, for the print
/// stylesheet's page margins: every character but letters, digits and spaces
/// is a hexadecimal escape, so nothing in `s` can end the string or the rule.
pub fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:X} ", c as u32));
        }
    }
    out.push('"');
    out
}

/// « Page 3 sur 12 » with the page counters, as a CSS `content` value: the
/// catalog's words around the counters, which only CSS can print.
fn css_page_number(settings: &tocsin_core::engine::Settings) -> String {
    let words = settings.say(tocsin_core::lang::speech::msg!(
        "report-page-number",
        page = "\u{1}",
        pages = "\u{2}"
    ));
    let mut parts = Vec::new();
    for (idx, part) in words.split('\u{1}').enumerate() {
        if idx > 0 {
            parts.push("counter(page)".to_owned());
        }
        for (jdx, piece) in part.split('\u{2}').enumerate() {
            if jdx > 0 {
                parts.push("counter(pages)".to_owned());
            }
            if !piece.is_empty() {
                parts.push(css_string(piece));
            }
        }
    }
    parts.join(" ")
}

/// HTML escaping, including quotes, backticks and `=` (attribute-safe), and bidi
/// controls; emoji pictures become printable text ([`printable`]).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if let Some(visible) = neutralise(c).or_else(|| printable(c)) {
            out.push_str(&visible);
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '`' => out.push_str("&#x60;"),
            '=' => out.push_str("&#x3D;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown escaping: punctuation that could start markup, table pipes,
/// raw HTML, newlines (kept inside table cells), and bidi controls.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if let Some(visible) = neutralise(c) {
            out.push_str(&visible);
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '{' | '}' | '#' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Renders the export of one crisis from its verified entries.
pub fn export(
    renderer: &Renderer,
    entries: &[crate::journal::Entry],
    catalog: &tocsin_core::playbook::Catalog,
    settings: &tocsin_core::engine::Settings,
    format: ExportFormat,
    edition: view::Edition,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, RenderError> {
    let crisis = entries
        .first()
        .map(|e| e.record.crisis.clone())
        .unwrap_or_default();
    match format {
        ExportFormat::Json => {
            let file = crate::export::build(&crisis, entries, now);
            serde_json::to_vec_pretty(&file).map_err(|e| RenderError::Render {
                name: "json".to_owned(),
                message: e.to_string(),
            })
        }
        ExportFormat::Html => Ok(renderer
            .report_html(&view::build(entries, catalog, settings, edition, now))?
            .into_bytes()),
        ExportFormat::Markdown => Ok(renderer
            .report_markdown(&view::build(entries, catalog, settings, edition, now))?
            .into_bytes()),
        ExportFormat::Csv => {
            let fail = |e: csv::Error| RenderError::Render {
                name: "csv".to_owned(),
                message: e.to_string(),
            };
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer
                .write_record([
                    "seq",
                    "occurred_at",
                    "recorded_at",
                    "author",
                    "role",
                    "kind",
                    "reference",
                    "text",
                    "transcribed",
                    "source_event",
                    "hash",
                ])
                .map_err(fail)?;
            for mut row in view::csv_rows(entries, catalog, settings, edition, now) {
                // Author and text are what people typed.
                row[3] = csv_safe(&row[3]);
                row[7] = csv_safe(&row[7]);
                writer.write_record(&row).map_err(fail)?;
            }
            writer.into_inner().map_err(|e| RenderError::Render {
                name: "csv".to_owned(),
                message: e.to_string(),
            })
        }
    }
}

/// Spreadsheets run cells starting with `=`, `+`, `-` or `@` as formulas: prefix them.
fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}
