//! The consolidated summary of a regional exercise: one scenario played in
//! several establishments at once, each its own crisis under a site label,
//! their measures side by side for the animation room, an auditor or the
//! regional agency.
//!
//! It is built from each site's full-edition [`ReportView`] and keeps only
//! measures: times, counts, statuses, the facilitators' judgement labels and
//! each chain's last digest. No text the players or the facilitators typed
//! goes in (entries, observations, comments, synthesis, skip reasons), nor
//! any participant's name or Matrix id: each establishment's own report
//! holds those, and the digest ties the summary to it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::view::{self, Edition, InjectRow, PageView, ReportView};
use super::{RenderError, Renderer};
use crate::journal::Entry;
use tocsin_core::engine::{ExportFormat, Settings};
use tocsin_core::lang::speech::{Message, msg};
use tocsin_core::playbook::Catalog;

/// What a site has nothing for: an objective or inject it did not have, a
/// metric it did not measure.
const ABSENT: &str = "—";

/// More sites than this and the printed page turns to landscape.
const PORTRAIT_SITES: usize = 3;

#[derive(Debug, Serialize)]
pub struct SummaryView {
    pub lang: String,
    /// The templates' labels (`t.<key>`).
    pub t: BTreeMap<&'static str, String>,
    pub marking: String,
    /// What the print stylesheet writes in every page's margins.
    pub page: PageView,
    /// The first site's exercise: code name, scenario and its version.
    pub code_name: String,
    pub scenario: String,
    pub scenario_version: String,
    pub scenario_title: String,
    /// The establishment in tocsin's configuration: one for every site, so
    /// it names who runs tocsin, not each site.
    pub establishment: String,
    pub generated_at: String,
    pub time_zone: String,
    pub n_sites: usize,
    /// More sites than fit across A4 portrait: a landscape page.
    pub wide: bool,
    pub sites: Vec<SiteView>,
    /// One line per metric name, one value per site.
    pub metrics: Vec<MetricLine>,
    pub objectives: Vec<ObjectiveLine>,
    pub injects: Vec<InjectLine>,
}

/// One establishment's crisis: what identifies it and the course of its exercise.
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub label: String,
    pub crisis: String,
    pub debex: String,
    pub finex: String,
    pub played: String,
    pub paused: String,
    /// Stops for a real emergency (the stop phrase): how many, not who.
    pub stops: usize,
    /// Empty while the crisis is open.
    pub closed_at: String,
    pub n_entries: u64,
    /// The chain's last digest, its first 16 hexadecimal digits, as the
    /// export's caption gives it.
    pub digest: String,
}

#[derive(Debug, Serialize)]
pub struct MetricLine {
    pub name: String,
    pub values: Vec<String>,
}

/// A scenario objective, and each site's judgement of it.
#[derive(Debug, Serialize)]
pub struct ObjectiveLine {
    pub id: String,
    /// The scenario's text.
    pub text: String,
    pub sites: Vec<ObjectiveCell>,
}

#[derive(Debug, Serialize)]
pub struct ObjectiveCell {
    /// The site's scenario has this objective.
    pub present: bool,
    /// The facilitators' judgement in words, or « non apprécié ».
    pub result: String,
    /// `met`, `partly`, `not_met`, or empty: for the stylesheet.
    pub result_key: String,
    pub played: usize,
    pub met: usize,
}

/// An inject, and how it went in each site.
#[derive(Debug, Serialize)]
pub struct InjectLine {
    pub id: String,
    /// As the first site that has it planned it.
    pub planned: String,
    /// An improvised inject belongs to one site: its label.
    pub site: String,
    pub sites: Vec<InjectCell>,
}

#[derive(Debug, Serialize)]
pub struct InjectCell {
    pub present: bool,
    /// Played, skipped or not played: words (never the reason given for a
    /// skip), and the key for the stylesheet.
    pub status: String,
    pub status_key: String,
    /// « T+4 min · dim. 29 nov. 2026 03:47 ».
    pub played: String,
    /// The site's plan, when it moved from the line's (a delay, a shift).
    pub planned: String,
    /// The first reaction: the entry's reference and the delay.
    pub reaction: String,
    /// Whether the expected reaction was met, and how that is known.
    pub result: String,
}

/// Renders the summary of `sites` (label, verified entries), in that order.
pub fn export(
    renderer: &Renderer,
    sites: &[(String, Vec<Entry>)],
    catalog: &Catalog,
    settings: &Settings,
    format: ExportFormat,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, RenderError> {
    let fail = |name: &str, message: String| RenderError::Render {
        name: name.to_owned(),
        message,
    };
    if format == ExportFormat::Csv {
        return Err(fail(
            "summary csv",
            "the summary exists in html, md and json".to_owned(),
        ));
    }
    let summary = build(sites, catalog, settings, now);
    match format {
        ExportFormat::Html => Ok(renderer.summary_html(&summary)?.into_bytes()),
        ExportFormat::Markdown => Ok(renderer.summary_markdown(&summary)?.into_bytes()),
        _ => {
            // The labels and the print margins are for the templates.
            let mut value =
                serde_json::to_value(&summary).map_err(|e| fail("summary json", e.to_string()))?;
            if let Some(fields) = value.as_object_mut() {
                fields.remove("t");
                fields.remove("page");
            }
            serde_json::to_vec_pretty(&value).map_err(|e| fail("summary json", e.to_string()))
        }
    }
}

/// The summary's view: each site's full-edition report, measures kept.
pub fn build(
    sites: &[(String, Vec<Entry>)],
    catalog: &Catalog,
    settings: &Settings,
    now: DateTime<Utc>,
) -> SummaryView {
    let reports: Vec<(&str, ReportView)> = sites
        .iter()
        .map(|(label, entries)| {
            let report = view::build(entries, catalog, settings, Edition::Full, now);
            (label.as_str(), report)
        })
        .collect();
    let run = reports.iter().find_map(|(_, r)| r.run.as_ref());
    let code_name = run.map(|r| r.code_name.clone()).unwrap_or_default();
    let marking = settings.say(settings.marking());
    let title = settings.say(msg!("summary-title"));
    SummaryView {
        lang: settings.lang.code(),
        t: labels(settings),
        page: PageView {
            footer: super::css_string(&format!("{code_name} · {title}")),
            number: super::css_page_number(settings),
            header: super::css_string(&marking),
        },
        marking,
        code_name,
        scenario: run.map(|r| r.scenario.clone()).unwrap_or_default(),
        scenario_version: run.map(|r| r.scenario_version.clone()).unwrap_or_default(),
        scenario_title: run.map(|r| r.scenario_title.clone()).unwrap_or_default(),
        establishment: settings.establishment.clone().unwrap_or_default(),
        generated_at: super::time::date_time(settings, now),
        time_zone: settings.tz.name().to_owned(),
        n_sites: reports.len(),
        wide: reports.len() > PORTRAIT_SITES,
        sites: reports.iter().map(|(l, r)| site(l, r)).collect(),
        metrics: metrics(&reports),
        objectives: objectives(&reports, settings),
        injects: injects(&reports, settings),
    }
}

fn site(label: &str, report: &ReportView) -> SiteView {
    let run = report.run.as_ref();
    let field = |f: fn(&view::RunView) -> &String| run.map(f).cloned().unwrap_or_default();
    let digest = &report.integrity.final_digest;
    SiteView {
        label: label.to_owned(),
        crisis: report.crisis.clone(),
        debex: field(|r| &r.debex),
        finex: field(|r| &r.finex),
        played: field(|r| &r.played),
        paused: field(|r| &r.paused),
        stops: run.map_or(0, |r| r.stops.len()),
        closed_at: report.identity.closed_at.clone().unwrap_or_default(),
        n_entries: report.identity.n_entries,
        digest: digest[..digest.len().min(16)].to_owned(),
    }
}

/// Every metric any site has, in the order they first come.
fn metrics(reports: &[(&str, ReportView)]) -> Vec<MetricLine> {
    let mut names: Vec<&str> = Vec::new();
    for (_, r) in reports {
        for m in &r.metrics {
            if !names.contains(&m.name.as_str()) {
                names.push(&m.name);
            }
        }
    }
    names
        .into_iter()
        .map(|name| MetricLine {
            name: name.to_owned(),
            values: reports
                .iter()
                .map(|(_, r)| {
                    r.metrics
                        .iter()
                        .find(|m| m.name == name)
                        .map_or_else(|| ABSENT.to_owned(), |m| m.value.clone())
                })
                .collect(),
        })
        .collect()
}

/// Every objective any site has, with each site's judgement label (never the comment).
fn objectives(reports: &[(&str, ReportView)], settings: &Settings) -> Vec<ObjectiveLine> {
    let mut lines: Vec<ObjectiveLine> = Vec::new();
    for (_, r) in reports {
        for o in &r.objectives {
            if !lines.iter().any(|l| l.id == o.id) {
                lines.push(ObjectiveLine {
                    id: o.id.clone(),
                    text: o.text.clone(),
                    sites: Vec::new(),
                });
            }
        }
    }
    let not_judged = settings.say(msg!("report-not-judged"));
    for line in &mut lines {
        line.sites = reports
            .iter()
            .map(
                |(_, r)| match r.objectives.iter().find(|o| o.id == line.id) {
                    Some(o) => ObjectiveCell {
                        present: true,
                        result: if o.result.is_empty() {
                            not_judged.clone()
                        } else {
                            o.result.clone()
                        },
                        result_key: o.result_key.clone(),
                        played: o.played,
                        met: o.met,
                    },
                    None => ObjectiveCell {
                        present: false,
                        result: ABSENT.to_owned(),
                        result_key: String::new(),
                        played: 0,
                        met: 0,
                    },
                },
            )
            .collect();
    }
    lines
}

/// The scenario's injects, one line each across the sites; an improvised
/// inject on a line of its own, since its id (`x1`) names nothing shared.
fn injects(reports: &[(&str, ReportView)], settings: &Settings) -> Vec<InjectLine> {
    // (site of an improvised inject, id) → the line.
    let mut keys: Vec<(Option<usize>, &str, &str)> = Vec::new();
    for (idx, (_, r)) in reports.iter().enumerate() {
        for i in &r.injects {
            let key = (i.adhoc.then_some(idx), i.id.as_str());
            if !keys.iter().any(|(s, id, _)| (*s, *id) == key) {
                keys.push((key.0, key.1, &i.planned));
            }
        }
    }
    keys.into_iter()
        .map(|(only, id, planned)| InjectLine {
            id: id.to_owned(),
            planned: planned.to_owned(),
            site: only
                .map(|idx| reports[idx].0.to_owned())
                .unwrap_or_default(),
            sites: reports
                .iter()
                .enumerate()
                .map(|(idx, (_, r))| {
                    let row = r
                        .injects
                        .iter()
                        .find(|i| i.id == id && only.is_none_or(|o| o == idx));
                    row.map_or_else(absent_inject, |row| inject_cell(row, planned, settings))
                })
                .collect(),
        })
        .collect()
}

fn inject_cell(row: &InjectRow, planned: &str, settings: &Settings) -> InjectCell {
    InjectCell {
        present: true,
        // A skip's status carries the facilitator's reason: words of our own.
        status: if row.status_key == "skipped" {
            settings.say(msg!("report-word-skipped-2"))
        } else {
            row.status.clone()
        },
        status_key: row.status_key.clone(),
        played: row.played.clone(),
        planned: if row.planned == planned {
            String::new()
        } else {
            row.planned.clone()
        },
        reaction: row.reaction.clone(),
        result: row.result.clone(),
    }
}

fn absent_inject() -> InjectCell {
    InjectCell {
        present: false,
        status: ABSENT.to_owned(),
        status_key: String::new(),
        played: String::new(),
        planned: String::new(),
        reaction: String::new(),
        result: String::new(),
    }
}

/// The templates' labels, `t.<key>`.
fn labels(settings: &Settings) -> BTreeMap<&'static str, String> {
    let labels: Vec<(&'static str, Message)> = vec![
        ("title", msg!("summary-title")),
        ("note", msg!("summary-note")),
        ("marking_note", msg!("report-marking-note")),
        ("exercise", msg!("summary-exercise")),
        ("code_name", msg!("report-code-name")),
        ("scenario", msg!("report-scenario")),
        ("establishment", msg!("summary-establishment")),
        ("generated", msg!("summary-generated")),
        ("time_zone", msg!("report-time-zone")),
        ("n_sites", msg!("summary-n-sites")),
        ("sites", msg!("summary-sites")),
        ("site", msg!("summary-site")),
        ("crisis", msg!("report-crisis")),
        ("debex", msg!("report-debex")),
        ("finex", msg!("report-finex")),
        ("played_for", msg!("report-played-for")),
        ("paused", msg!("report-paused")),
        ("stops", msg!("report-stops")),
        ("closed", msg!("report-closed")),
        ("still_open", msg!("report-still-open")),
        ("entries", msg!("report-entries")),
        ("digest", msg!("summary-digest")),
        ("digest_note", msg!("summary-digest-note")),
        ("metrics", msg!("report-metrics")),
        ("objectives", msg!("report-objectives")),
        ("objective", msg!("report-objective")),
        ("played_met", msg!("report-played-met")),
        ("injects", msg!("summary-injects")),
        ("inject", msg!("summary-inject")),
        ("planned", msg!("summary-planned")),
        ("ad_hoc", msg!("summary-ad-hoc")),
        ("none", msg!("report-none")),
    ];
    super::labels(settings, labels)
}
