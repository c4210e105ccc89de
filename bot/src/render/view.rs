//! The report's view model: what the templates show, built from a crisis's
//! verified entries. Displayed types derive `Serialize`; nothing here is stored.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engine::event::{Event, Owner, Record};
use crate::engine::exercise::debrief;
use crate::engine::exercise::measures::{self, MetBy};
use crate::engine::state::{Crisis, ExerciseRun, World};
use crate::engine::{Settings, schedule};
use crate::journal::{self, Entry};
use crate::lang::speech::{Message, msg};
use crate::playbook::scenario::Scenario;
use crate::playbook::{Catalog, Playbook};

/// Which report: the players' (no facilitator material) or the full one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    Players,
    Full,
}

#[derive(Debug, Serialize)]
pub struct ReportView {
    pub lang: String,
    pub t: BTreeMap<&'static str, String>,
    pub edition: Edition,
    pub crisis: String,
    pub title: String,
    pub exercise: bool,
    pub marking: String,
    pub playbook: String,
    pub playbook_version: String,
    pub tags: Vec<String>,
    pub time_zone: String,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
    pub generated_at: String,
    pub n_entries: u64,
    pub final_digest: String,
    pub roles: Vec<RoleRow>,
    pub leads: Vec<LeadRow>,
    pub log: Vec<LogRow>,
    pub decisions: Vec<DecisionRow>,
    pub actions: Vec<ActionRow>,
    pub procedures: Vec<ProcedureView>,
    pub clocks: Vec<ClockRow>,
    pub corrections: Vec<LogRow>,
    pub gaps: Vec<LogRow>,
    pub metrics: Vec<MetricRow>,
    /// The establishment, as configured.
    pub establishment: String,
    /// The full edition carries facilitator material.
    pub full: bool,
    pub run: Option<RunView>,
    /// Injects planned and played, with measures (full edition only).
    pub injects: Vec<InjectRow>,
    /// Observers' notes (full edition only).
    pub observations: Vec<ObservationRow>,
    pub retex: Vec<RetexTopicView>,
    pub improvements: Vec<ImprovementRow>,
}

/// The exercise's identity and course.
#[derive(Debug, Serialize)]
pub struct RunView {
    pub code_name: String,
    pub scenario: String,
    pub scenario_version: String,
    pub scenario_title: String,
    pub level: String,
    pub objectives: Vec<ObjectiveRow>,
    pub debex: String,
    pub finex: String,
    pub paused: String,
    pub stops: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ObjectiveRow {
    pub id: String,
    pub text: String,
    /// Injects serving it played, and with the expected reaction met (full edition).
    pub played: usize,
    pub met: usize,
}

#[derive(Debug, Serialize)]
pub struct InjectRow {
    pub id: String,
    pub planned: String,
    pub played: String,
    pub channel: String,
    pub from: String,
    pub to: String,
    pub text: String,
    pub expected: String,
    pub reaction: String,
    pub met: String,
    pub status: String,
    pub objectives: String,
}

#[derive(Debug, Serialize)]
pub struct ObservationRow {
    pub reference: String,
    pub at: String,
    pub author: String,
    pub about: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct RetexTopicView {
    pub number: u32,
    pub title: String,
    pub contributions: Vec<ContributionRow>,
}

#[derive(Debug, Serialize)]
pub struct ContributionRow {
    pub at: String,
    pub author: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct ImprovementRow {
    pub reference: String,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub at: String,
}

#[derive(Debug, Serialize)]
pub struct RoleRow {
    pub role: String,
    pub title: String,
    pub user: String,
    pub since: String,
    pub by: String,
}

#[derive(Debug, Serialize)]
pub struct LeadRow {
    pub user: String,
    pub since: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LogRow {
    pub seq: u64,
    pub occurred_at: String,
    pub recorded_at: String,
    pub author: String,
    pub role: String,
    pub kind: String,
    pub reference: String,
    pub text: String,
    pub transcribed: bool,
    pub source: String,
    pub hash: String,
}

#[derive(Debug, Serialize)]
pub struct DecisionRow {
    pub reference: String,
    pub at: String,
    pub author: String,
    pub role: String,
    pub text: String,
    pub rationale: String,
    /// The information recorded just before: what the cell knew when deciding.
    pub context: String,
    pub corrections: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ActionRow {
    pub reference: String,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub done: String,
    pub late: bool,
    pub status: String,
}

#[derive(Debug, Serialize)]
pub struct ProcedureView {
    pub id: String,
    pub title: String,
    pub started_at: String,
    pub progress: String,
    pub steps: Vec<StepRow>,
}

#[derive(Debug, Serialize)]
pub struct StepRow {
    pub n: usize,
    pub text: String,
    pub status: String,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct ClockRow {
    pub id: String,
    pub title: String,
    pub deadline: String,
    pub status: String,
    pub met: bool,
}

#[derive(Debug, Serialize)]
pub struct MetricRow {
    pub name: String,
    pub value: String,
}

/// The templates' labels, `t.<key>`.
fn labels(settings: &Settings) -> BTreeMap<&'static str, String> {
    let labels: [(&str, Message); 75] = [
        ("report", msg!("report-report")),
        ("exercise_report", msg!("report-exercise-report")),
        ("identity", msg!("report-identity")),
        ("crisis", msg!("report-crisis")),
        ("playbook", msg!("report-playbook")),
        ("tags", msg!("report-tags")),
        ("opened", msg!("report-opened")),
        ("closed", msg!("report-closed")),
        ("still_open", msg!("report-still-open")),
        ("generated", msg!("report-generated")),
        ("time_zone", msg!("report-time-zone")),
        ("integrity", msg!("report-integrity")),
        ("integrity_text", msg!("report-integrity-text")),
        ("final_digest", msg!("report-final-digest")),
        ("entries", msg!("report-entries")),
        ("participants", msg!("report-participants")),
        ("role", msg!("report-role")),
        ("person", msg!("report-person")),
        ("since", msg!("report-since")),
        ("assigned_by", msg!("report-assigned-by")),
        ("leads", msg!("report-leads")),
        ("metrics", msg!("report-metrics")),
        ("log", msg!("report-log")),
        ("seq", msg!("report-seq")),
        ("occurred", msg!("report-occurred")),
        ("recorded", msg!("report-recorded")),
        ("author", msg!("report-author")),
        ("kind", msg!("report-kind")),
        ("ref", msg!("report-ref")),
        ("text", msg!("report-text")),
        ("transcribed", msg!("report-transcribed")),
        ("decisions", msg!("report-decisions")),
        ("rationale", msg!("report-rationale")),
        ("context", msg!("report-context")),
        ("corrected", msg!("report-corrected")),
        ("actions", msg!("report-actions")),
        ("owner", msg!("report-owner")),
        ("due", msg!("report-due")),
        ("done", msg!("report-done")),
        ("status", msg!("report-status")),
        ("procedures", msg!("report-procedures")),
        ("started", msg!("report-started")),
        ("step", msg!("report-step")),
        ("clocks", msg!("report-clocks")),
        ("deadline", msg!("report-deadline")),
        ("corrections", msg!("report-corrections")),
        ("gaps", msg!("report-gaps")),
        ("no_gaps", msg!("report-no-gaps")),
        ("none", msg!("report-none")),
        ("marking_note", msg!("report-marking-note")),
        ("establishment", msg!("report-establishment")),
        ("exercise", msg!("report-exercise")),
        ("code_name", msg!("report-code-name")),
        ("scenario", msg!("report-scenario")),
        ("level", msg!("report-level")),
        ("objectives", msg!("report-objectives")),
        ("debex", msg!("report-debex")),
        ("finex", msg!("report-finex")),
        ("paused", msg!("report-paused")),
        ("stops", msg!("report-stops")),
        ("edition", msg!("report-edition")),
        ("edition_players", msg!("report-edition-players")),
        ("edition_full", msg!("report-edition-full")),
        ("injects", msg!("report-injects")),
        ("planned", msg!("report-planned")),
        ("played", msg!("report-played")),
        ("from_to", msg!("report-from-to")),
        ("expected", msg!("report-expected")),
        ("reaction", msg!("report-reaction")),
        ("met", msg!("report-met")),
        ("observations", msg!("report-observations")),
        ("about", msg!("report-about")),
        ("retex", msg!("report-retex")),
        ("improvements", msg!("report-improvements")),
        ("played_met", msg!("report-played-met")),
    ];
    super::labels(settings, labels)
}

/// Everything the report needs, from the verified entries of one crisis.
#[expect(
    clippy::too_many_lines,
    reason = "assembles ReportView: one line per field, each section built by a function of its own"
)]
pub fn build(
    entries: &[Entry],
    catalog: &Catalog,
    settings: &Settings,
    edition: Edition,
    now: DateTime<Utc>,
) -> ReportView {
    let lang = settings.lang;
    let opened = entries.first().and_then(|e| match &e.record.event {
        Event::CrisisOpened { playbook, .. } => Some(playbook.as_str()),
        _ => None,
    });
    let playbook = opened.and_then(|id| catalog.get(id));
    let iso = |t: DateTime<Utc>| iso(settings, t);
    let mut world = World::default();
    for e in entries {
        world.apply(&e.record);
    }
    let first = entries.first().map(|e| &e.record);
    let crisis_id = first.map(|r| r.crisis.clone()).unwrap_or_default();
    let crisis = world.crisis(&crisis_id);
    let exercise = crisis.is_some_and(|c| c.exercise);
    let marking = settings.say(settings.marking());

    let LogSections {
        roles,
        log,
        decisions,
        corrections,
        gaps,
        first_role,
        first_decision,
        n_reminders,
    } = log_sections(entries, settings, playbook, edition);
    let now_or_close = crisis.and_then(|c| c.closed_at).unwrap_or(now);
    let full = edition == Edition::Full;
    let run = crisis.and_then(|c| c.run.as_ref());
    let scenario = run.and_then(|r| catalog.scenario(&r.scenario));
    let outcomes = crisis
        .map(|c| measures::outcomes(c, scenario))
        .unwrap_or_default();
    let src = Sources {
        entries,
        settings,
        playbook,
        crisis,
        full,
        now_or_close,
        run,
        scenario,
        outcomes: &outcomes,
    };
    let actions = actions(&src);
    let procedures = procedures(&src);
    let clocks = clocks(&src);
    let run_view = run_view(&src);
    let injects = injects(&src);
    let observations = observations(&src);
    let retex = retex(&src);
    let improvements = improvements(&src);

    let opened_at = crisis.map(|c| c.opened_at).unwrap_or(now);
    let metrics = metrics(
        &src,
        opened_at,
        first_role,
        first_decision,
        n_reminders,
        &decisions,
        &actions,
    );

    ReportView {
        lang: lang.code(),
        t: labels(settings),
        edition,
        crisis: crisis_id,
        title: playbook
            .map(|p| p.title.get(lang).to_owned())
            .unwrap_or_else(|| crisis.map(|c| c.playbook.clone()).unwrap_or_default()),
        exercise,
        marking,
        playbook: crisis.map(|c| c.playbook.clone()).unwrap_or_default(),
        playbook_version: crisis
            .map(|c| c.playbook_version.clone())
            .unwrap_or_default(),
        tags: playbook.map(|p| p.tags.clone()).unwrap_or_default(),
        time_zone: settings.tz.name().to_owned(),
        opened_at: iso(opened_at),
        opened_by: first.map(who).unwrap_or_default(),
        closed_at: crisis.and_then(|c| c.closed_at).map(iso),
        generated_at: iso(now),
        n_entries: entries.len() as u64,
        final_digest: entries
            .last()
            .map(|e| journal::hex(&e.hash))
            .unwrap_or_default(),
        roles,
        leads: crisis
            .map(|c| {
                c.leads
                    .iter()
                    .map(|(u, at)| LeadRow {
                        user: u.clone(),
                        since: iso(*at),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        log,
        decisions,
        actions,
        procedures,
        clocks,
        corrections,
        gaps,
        metrics,
        establishment: settings.establishment.clone().unwrap_or_default(),
        full,
        run: run_view,
        injects,
        observations,
        retex,
        improvements,
    }
}

/// An instant in the configured zone, to the second.
fn iso(settings: &Settings, t: DateTime<Utc>) -> String {
    t.with_timezone(&settings.tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// `Claire Martin (@claire:chu.fr)`, or the id alone when it is the name.
fn who(r: &Record) -> String {
    if r.author.name == r.author.id {
        r.author.id.clone()
    } else {
        format!("{} ({})", r.author.name, r.author.id)
    }
}

/// One entry as the log shows it.
fn log_row(e: &Entry, settings: &Settings, playbook: Option<&Playbook>) -> LogRow {
    let r = &e.record;
    let (reference, text) = describe(&r.event, settings, playbook);
    LogRow {
        seq: r.seq,
        occurred_at: iso(settings, r.occurred_at),
        recorded_at: iso(settings, r.recorded_at),
        author: who(r),
        role: r.role.clone().unwrap_or_default(),
        kind: kind_label(&r.event, settings),
        reference,
        text,
        transcribed: r.transcribed,
        source: r.source.clone().unwrap_or_default(),
        hash: journal::hex(&e.hash)[..16].to_owned(),
    }
}

/// The log and what is read from it in one pass: roles, decisions with
/// their context and corrections, corrections and deletions, gaps.
struct LogSections {
    roles: Vec<RoleRow>,
    log: Vec<LogRow>,
    decisions: Vec<DecisionRow>,
    corrections: Vec<LogRow>,
    gaps: Vec<LogRow>,
    first_role: Option<DateTime<Utc>>,
    first_decision: Option<DateTime<Utc>>,
    n_reminders: usize,
}

fn log_sections(
    entries: &[Entry],
    settings: &Settings,
    playbook: Option<&Playbook>,
    edition: Edition,
) -> LogSections {
    let lang = settings.lang;
    let iso = |t: DateTime<Utc>| iso(settings, t);
    let mut roles = Vec::new();
    let mut log = Vec::new();
    let mut decisions: Vec<DecisionRow> = Vec::new();
    let mut corrections = Vec::new();
    let mut gaps = Vec::new();
    let mut last_info: Option<String> = None;
    let mut first_role = None;
    let mut first_decision = None;
    let mut n_reminders = 0;
    for e in entries {
        let r = &e.record;
        if edition == Edition::Players && r.event.is_facilitator_material() {
            continue;
        }
        let row = log_row(e, settings, playbook);
        match &r.event {
            Event::RoleAssigned { role, user } => {
                first_role.get_or_insert(r.occurred_at);
                roles.push(RoleRow {
                    role: role.clone(),
                    title: playbook
                        .and_then(|p| p.role(role))
                        .map(|d| d.title.get(lang).to_owned())
                        .unwrap_or_default(),
                    user: user.clone(),
                    since: iso(r.occurred_at),
                    by: who(r),
                });
            }
            Event::Info { reference, text } => last_info = Some(format!("{reference} {text}")),
            Event::Decision {
                reference,
                text,
                rationale,
            } => {
                first_decision.get_or_insert(r.occurred_at);
                decisions.push(DecisionRow {
                    reference: reference.clone(),
                    at: iso(r.occurred_at),
                    author: who(r),
                    role: r.role.clone().unwrap_or_default(),
                    text: text.clone(),
                    rationale: rationale.clone().unwrap_or_default(),
                    context: last_info.clone().unwrap_or_default(),
                    corrections: Vec::new(),
                });
            }
            Event::Correction {
                reference,
                target,
                text,
            } => {
                if let Some(d) = decisions.iter_mut().find(|d| &d.reference == target) {
                    d.corrections
                        .push(format!("{reference} ({}): {text}", iso(r.occurred_at)));
                }
            }
            Event::Reminder { .. } => n_reminders += 1,
            _ => {}
        }
        if matches!(r.event, Event::Correction { .. } | Event::Redaction { .. }) {
            corrections.push(row.clone());
        }
        if matches!(r.event, Event::Gap { .. }) {
            gaps.push(row.clone());
        }
        log.push(row);
    }

    LogSections {
        roles,
        log,
        decisions,
        corrections,
        gaps,
        first_role,
        first_decision,
        n_reminders,
    }
}

/// The report's indicators: delays, counts, and the exercise's coverage.
fn metrics(
    src: &Sources,
    opened_at: DateTime<Utc>,
    first_role: Option<DateTime<Utc>>,
    first_decision: Option<DateTime<Utc>>,
    n_reminders: usize,
    decisions: &[DecisionRow],
    actions: &[ActionRow],
) -> Vec<MetricRow> {
    let Sources {
        settings,
        crisis,
        full,
        run,
        scenario,
        outcomes,
        ..
    } = *src;
    let since_open = |t: Option<DateTime<Utc>>| {
        t.map_or_else(
            || "—".to_owned(),
            |t| schedule::span(t - opened_at, settings),
        )
    };
    let late = actions.iter().filter(|a: &&ActionRow| a.late).count();
    let mut metrics = vec![
        MetricRow {
            name: settings.say(msg!("report-time-constitute-cell-first")),
            value: since_open(first_role),
        },
        MetricRow {
            name: settings.say(msg!("report-time-first-decision")),
            value: since_open(first_decision),
        },
        MetricRow {
            name: settings.say(msg!("report-word-information")),
            value: crisis.map_or(0, |c| c.infos.len()).to_string(),
        },
        MetricRow {
            name: settings.say(msg!("report-word-decisions")),
            value: decisions.len().to_string(),
        },
        MetricRow {
            name: settings.say(msg!("report-word-actions-late")),
            value: format!("{} ({late})", actions.len()),
        },
        MetricRow {
            name: settings.say(msg!("report-word-reminders-sent")),
            value: n_reminders.to_string(),
        },
        MetricRow {
            name: settings.say(msg!("report-word-situation-points")),
            value: crisis.map_or(0, |c| c.points.len()).to_string(),
        },
    ];
    if let (Some(c), Some(r), Some(sc)) = (crisis, run, scenario) {
        let (played, planned) = measures::coverage(c, sc);
        metrics.push(MetricRow {
            name: settings.say(msg!("report-coverage-planned-injects-played")),
            value: format!(
                "{played}/{planned} ({} %)",
                measures::percent(played, planned)
            ),
        });
        let delays: Vec<i64> = outcomes
            .iter()
            .filter_map(|o| o.first_reaction.as_ref().map(|(_, d)| d.num_seconds()))
            .collect();
        if full && !delays.is_empty() {
            let mean = delays.iter().sum::<i64>() / delays.len() as i64;
            metrics.push(MetricRow {
                name: settings.say(msg!("report-mean-time-first-reaction")),
                value: schedule::span(chrono::TimeDelta::seconds(mean), settings),
            });
        }
        metrics.push(MetricRow {
            name: settings.say(msg!("report-stops-for-real-emergency")),
            value: r.stops.len().to_string(),
        });
    }
    metrics
}

/// What every section of the report is built from.
#[derive(Clone, Copy)]
struct Sources<'a> {
    entries: &'a [Entry],
    settings: &'a Settings,
    playbook: Option<&'a Playbook>,
    crisis: Option<&'a Crisis>,
    /// The full edition carries facilitator material.
    full: bool,
    /// The close of the crisis, or now: what counts as late.
    now_or_close: DateTime<Utc>,
    run: Option<&'a ExerciseRun>,
    scenario: Option<&'a Scenario>,
    outcomes: &'a [measures::Outcome],
}

impl Sources<'_> {
    /// An instant in the configured zone, to the second.
    fn iso(&self, t: DateTime<Utc>) -> String {
        iso(self.settings, t)
    }
}

/// The action register: status and lateness of every action.
fn actions(src: &Sources) -> Vec<ActionRow> {
    let Sources {
        settings,
        crisis,
        now_or_close,
        ..
    } = *src;
    let iso = |t: DateTime<Utc>| src.iso(t);
    crisis
        .map(|c| {
            c.actions
                .iter()
                .map(|a| {
                    let late = match (a.due, a.done_at) {
                        (Some(due), Some(done)) => done > due,
                        (Some(due), None) => due < now_or_close,
                        _ => false,
                    };
                    let status = match (a.done_at.is_some(), late) {
                        (true, false) => settings.say(msg!("report-word-done")),
                        (true, true) => settings.say(msg!("report-word-done-late")),
                        (false, true) => settings.say(msg!("report-word-overdue")),
                        (false, false) => settings.say(msg!("report-word-open")),
                    };
                    ActionRow {
                        reference: a.reference.clone(),
                        text: c.current_text(&a.reference, &a.text).to_owned(),
                        owner: a
                            .owner
                            .as_ref()
                            .map(|o| match o {
                                Owner::User(u) => u.clone(),
                                Owner::Role(r) => r.clone(),
                            })
                            .unwrap_or_default(),
                        due: a.due.map(iso).unwrap_or_default(),
                        done: a.done_at.map(iso).unwrap_or_default(),
                        late,
                        status: status.to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The procedures started, step by step.
fn procedures(src: &Sources) -> Vec<ProcedureView> {
    let Sources {
        settings,
        playbook,
        crisis,
        ..
    } = *src;
    let lang = src.settings.lang;
    let iso = |t: DateTime<Utc>| src.iso(t);
    crisis
        .map(|c| {
            c.procedures
                .iter()
                .map(|(id, run)| {
                    let proc = playbook.and_then(|p| p.procedure(id));
                    let steps = proc
                        .map(|p| {
                            p.steps
                                .iter()
                                .enumerate()
                                .map(|(idx, s)| {
                                    let n = idx + 1;
                                    let (status, detail) =
                                        match (run.done.get(&n), run.skipped.get(&n)) {
                                            (Some((at, by)), _) => (
                                                settings.say(msg!("report-word-done-2")),
                                                format!("{} — {by}", iso(*at)),
                                            ),
                                            (None, Some(reason)) => (
                                                settings.say(msg!("report-word-skipped")),
                                                reason.clone(),
                                            ),
                                            (None, None) => (
                                                settings.say(msg!("report-word-not-done")),
                                                run.assigned.get(&n).cloned().unwrap_or_default(),
                                            ),
                                        };
                                    StepRow {
                                        n,
                                        text: s.text.get(lang).to_owned(),
                                        status: status.to_owned(),
                                        detail,
                                    }
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default();
                    ProcedureView {
                        id: id.clone(),
                        title: proc
                            .map(|p| p.title.get(lang).to_owned())
                            .unwrap_or_default(),
                        started_at: iso(run.started_at),
                        progress: format!("{}/{}", run.n_closed(), steps.len()),
                        steps,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The regulatory clocks: met, late, missed or running.
fn clocks(src: &Sources) -> Vec<ClockRow> {
    let Sources {
        settings,
        playbook,
        crisis,
        now_or_close,
        ..
    } = *src;
    let lang = src.settings.lang;
    let iso = |t: DateTime<Utc>| src.iso(t);
    match (crisis, playbook) {
        (Some(c), Some(p)) => p
            .clocks
            .iter()
            .map(|clock| {
                let deadline = c.opened_at + clock.due;
                let done = c.clocks_done.get(&clock.id);
                let (status, met) = match done {
                    Some(at) if *at <= deadline => (
                        format!("{} {}", settings.say(msg!("report-word-met")), iso(*at)),
                        true,
                    ),
                    Some(at) => (
                        format!(
                            "{} {}",
                            settings.say(msg!("report-word-met-late")),
                            iso(*at)
                        ),
                        false,
                    ),
                    None if now_or_close > deadline => {
                        (settings.say(msg!("report-word-missed")).to_owned(), false)
                    }
                    None => (settings.say(msg!("report-word-running")).to_owned(), false),
                };
                ClockRow {
                    id: clock.id.clone(),
                    title: clock.title.get(lang).to_owned(),
                    deadline: iso(deadline),
                    status,
                    met,
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The exercise's identity and course, with its objectives.
fn run_view(src: &Sources) -> Option<RunView> {
    let Sources {
        settings,
        full,
        run,
        scenario,
        outcomes,
        ..
    } = *src;
    let lang = src.settings.lang;
    let iso = |t: DateTime<Utc>| src.iso(t);
    run.map(|r| {
        let objectives = scenario
            .map(|sc| {
                sc.objectives
                    .iter()
                    .map(|o| {
                        let serving: Vec<&measures::Outcome> = outcomes
                            .iter()
                            .filter(|out| {
                                sc.inject(&out.inject)
                                    .is_some_and(|i| i.objectives.contains(&o.id))
                            })
                            .collect();
                        ObjectiveRow {
                            id: o.id.clone(),
                            text: o.text.get(lang).to_owned(),
                            played: serving.iter().filter(|o| o.played_at.is_some()).count(),
                            // Facilitator material: not even computed for the players.
                            met: if full {
                                serving
                                    .iter()
                                    .filter(|o| matches!(o.met, Some((true, _))))
                                    .count()
                            } else {
                                0
                            },
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        RunView {
            code_name: r.code_name.clone(),
            scenario: r.scenario.clone(),
            scenario_version: r.scenario_version.clone(),
            scenario_title: scenario
                .map(|s| s.title.get(lang).to_owned())
                .unwrap_or_default(),
            level: scenario
                .map(|s| settings.say(msg!("level", level = s.level.id())))
                .unwrap_or_default(),
            objectives,
            debex: r.started_at.map(iso).unwrap_or_default(),
            finex: r.ended_at.map(iso).unwrap_or_default(),
            paused: schedule::span(r.paused_total, settings),
            stops: r
                .stops
                .iter()
                .map(|(at, who)| format!("{} — {who}", iso(*at)))
                .collect(),
        }
    })
}

/// Injects planned and played, with their measures (full edition only).
/// An inject as played: channel, from, to, text, expected.
type PlayedEvent<'a> = (
    &'a String,
    &'a String,
    &'a Option<String>,
    &'a String,
    &'a Option<String>,
);

/// What each inject said when played (scenario ones and ad-hoc ones), from one pass over the log.
fn played_events(entries: &[Entry], full: bool) -> HashMap<&str, PlayedEvent<'_>> {
    entries
        .iter()
        .filter_map(|e| match &e.record.event {
            Event::InjectPlayed {
                inject,
                channel,
                from,
                to,
                text,
                expected,
                ..
            } if full => Some((inject.as_str(), (channel, from, to, text, expected))),
            _ => None,
        })
        .collect()
}

/// Played (ad hoc or not), skipped, or not played.
fn inject_status(settings: &Settings, o: &measures::Outcome) -> String {
    if o.played_at.is_some() {
        if o.adhoc {
            settings.say(msg!("report-played-ad-hoc"))
        } else {
            settings.say(msg!("report-word-played"))
        }
    } else if o.skipped {
        settings.say(msg!("report-word-skipped-2"))
    } else {
        settings.say(msg!("report-word-not-played"))
    }
}

/// Whether the expected reaction was met, and how that is known.
fn inject_met(settings: &Settings, o: &measures::Outcome) -> String {
    match o.met {
        Some((true, by)) => format!(
            "{} ({})",
            settings.say(msg!("report-word-yes")),
            match by {
                MetBy::Facilitator => settings.say(msg!("report-word-facilitator")),
                MetBy::Procedure => settings.say(msg!("report-word-procedure-started")),
                MetBy::Decision => settings.say(msg!("report-word-decision")),
            }
        ),
        Some((false, _)) => settings.say(msg!("report-word-no")),
        None => String::new(),
    }
}

fn injects(src: &Sources) -> Vec<InjectRow> {
    let Sources {
        entries,
        settings,
        full,
        run,
        scenario,
        outcomes,
        ..
    } = *src;
    let lang = src.settings.lang;
    let iso = |t: DateTime<Utc>| src.iso(t);
    let t_plus = |d: chrono::TimeDelta| format!("T+{}", schedule::span(d, src.settings));
    let played_events = played_events(entries, full);
    match (run, full) {
        (Some(_), true) => outcomes
            .iter()
            .map(|o| {
                let inject = scenario.and_then(|s| s.inject(&o.inject));
                // Ad-hoc injects exist only in the log: take what was played.
                let played_event = played_events.get(o.inject.as_str()).copied();
                let (channel, from, to, text, expected) = match (played_event, inject) {
                    (Some((c, f, t, x, e)), _) => (
                        c.clone(),
                        f.clone(),
                        t.clone().unwrap_or_default(),
                        x.clone(),
                        e.clone().unwrap_or_default(),
                    ),
                    (None, Some(i)) => (
                        i.channel.id().to_owned(),
                        i.from.get(lang).to_owned(),
                        i.to.clone().unwrap_or_default(),
                        i.content.get(lang).to_owned(),
                        i.expected
                            .as_ref()
                            .map(|e| e.get(lang).to_owned())
                            .unwrap_or_default(),
                    ),
                    (None, None) => Default::default(),
                };
                InjectRow {
                    id: o.inject.clone(),
                    planned: o.planned.map_or_else(
                        || {
                            if o.adhoc {
                                "—".to_owned()
                            } else {
                                settings.say(msg!("report-word-on-command")).to_owned()
                            }
                        },
                        t_plus,
                    ),
                    played: match (o.played_at, o.t_plus) {
                        (Some(at), Some(t)) => format!("{} · {}", t_plus(t), iso(at)),
                        _ => String::new(),
                    },
                    channel,
                    from,
                    to: if to.is_empty() {
                        settings.say(msg!("report-word-all")).to_owned()
                    } else {
                        to
                    },
                    text,
                    expected,
                    reaction: o
                        .first_reaction
                        .as_ref()
                        .map(|(r, d)| format!("{} ({r})", schedule::span(*d, settings)))
                        .unwrap_or_default(),
                    met: inject_met(settings, o),
                    status: inject_status(settings, o),
                    objectives: inject.map(|i| i.objectives.join(", ")).unwrap_or_default(),
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Observers' notes (full edition only).
fn observations(src: &Sources) -> Vec<ObservationRow> {
    let Sources {
        crisis, full, run, ..
    } = *src;
    let iso = |t: DateTime<Utc>| src.iso(t);
    let t_plus = |d: chrono::TimeDelta| format!("T+{}", schedule::span(d, src.settings));
    match (crisis, full) {
        (Some(c), true) => c
            .observations
            .iter()
            .map(|o| ObservationRow {
                reference: o.reference.clone(),
                at: match run {
                    Some(r) => format!("{} · {}", t_plus(r.clock(o.at)), iso(o.at)),
                    None => iso(o.at),
                },
                author: o.by.name.clone(),
                about: o
                    .inject
                    .clone()
                    .or_else(|| o.objective.clone())
                    .unwrap_or_default(),
                text: o.text.clone(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The hot debrief, topic by topic.
fn retex(src: &Sources) -> Vec<RetexTopicView> {
    let Sources {
        settings, crisis, ..
    } = *src;
    let iso = |t: DateTime<Utc>| src.iso(t);
    crisis
        .and_then(|c| c.retex.as_ref())
        .map(|r| {
            (1..=debrief::N_RETEX_TOPICS)
                .map(|number| RetexTopicView {
                    number,
                    title: settings.say(debrief::retex_topic(number)),
                    contributions: r
                        .contributions
                        .iter()
                        .filter(|c| c.topic == number)
                        .map(|c| ContributionRow {
                            at: iso(c.at),
                            author: c.by.name.clone(),
                            text: c.text.clone(),
                        })
                        .collect(),
                })
                .filter(|t| !t.contributions.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The improvement plan.
fn improvements(src: &Sources) -> Vec<ImprovementRow> {
    let Sources { crisis, .. } = *src;
    let iso = |t: DateTime<Utc>| src.iso(t);
    crisis
        .map(|c| {
            c.improvements
                .iter()
                .map(|i| ImprovementRow {
                    reference: i.reference.clone(),
                    text: i.text.clone(),
                    owner: i.owner.clone().unwrap_or_default(),
                    due: i.due.map(|d| d.to_string()).unwrap_or_default(),
                    at: iso(i.at),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What kind of entry, as people read it.
fn kind_label(event: &Event, settings: &Settings) -> String {
    settings.say(msg!("kind", kind = event.kind()))
}

/// The reference an entry creates or concerns, and its text for the log.
#[expect(
    clippy::too_many_lines,
    reason = "a flat match: one arm per event kind"
)]
fn describe(event: &Event, settings: &Settings, playbook: Option<&Playbook>) -> (String, String) {
    let lang = settings.lang;
    match event {
        Event::CrisisOpened {
            playbook: id,
            playbook_version,
            exercise,
            ..
        } => {
            let title = playbook
                .map(|p| p.title.get(lang).to_owned())
                .unwrap_or_default();
            let mode = if *exercise {
                settings.say(msg!("report-word-exercise"))
            } else {
                String::new()
            };
            (
                String::new(),
                format!("{id} v{playbook_version} {title}{mode}"),
            )
        }
        Event::CrisisClosed {} => (String::new(), String::new()),
        Event::Info { reference, text } => (reference.clone(), text.clone()),
        Event::Verification { target, status } => (
            target.clone(),
            settings.say(msg!("verification", status = status.key())),
        ),
        Event::Decision {
            reference,
            text,
            rationale,
        } => (
            reference.clone(),
            match rationale {
                Some(why) => format!(
                    "{text} — {}: {why}",
                    settings.say(msg!("report-word-rationale"))
                ),
                None => text.clone(),
            },
        ),
        Event::Action {
            reference,
            text,
            owner,
            due,
        } => {
            let mut s = text.clone();
            if let Some(o) = owner {
                s.push_str(&format!(
                    " · {}",
                    match o {
                        Owner::User(u) | Owner::Role(u) => u,
                    }
                ));
            }
            if let Some(d) = due {
                s.push_str(&format!(
                    " · {} {}",
                    settings.say(msg!("report-word-due")),
                    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ));
            }
            (reference.clone(), s)
        }
        Event::ActionDone { target } => (target.clone(), String::new()),
        Event::RoleAssigned { role, user } => (String::new(), format!("{role} → {user}")),
        Event::Correction {
            reference,
            target,
            text,
        } => (
            reference.clone(),
            format!(
                "{} {target} : {text}",
                settings.say(msg!("report-word-corrects"))
            ),
        ),
        Event::Redaction { target, reason } => (
            target.clone(),
            format!(
                "{}{}",
                settings.say(msg!("report-message-deleted-from-room")),
                reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ),
        Event::Gap { reason } => (String::new(), reason.clone()),
        Event::ProcedureStarted { procedure } => (procedure.clone(), String::new()),
        Event::StepDone { procedure, step } => (format!("{procedure}.{step}"), String::new()),
        Event::StepSkipped {
            procedure,
            step,
            reason,
        } => (format!("{procedure}.{step}"), reason.clone()),
        Event::StepAssigned {
            procedure,
            step,
            user,
        } => (format!("{procedure}.{step}"), user.clone()),
        Event::ClockDone { clock } => (clock.clone(), String::new()),
        Event::ClockWarning {
            clock,
            left_minutes,
        } => (
            clock.clone(),
            if *left_minutes <= 0 {
                settings
                    .say(msg!("report-word-deadline-reached"))
                    .to_owned()
            } else {
                format!(
                    "{} {}",
                    settings.say(msg!("report-word-threshold")),
                    schedule::span(chrono::TimeDelta::minutes(*left_minutes), settings)
                )
            },
        ),
        Event::Reminder { target, who } => (target.clone(), who.clone().unwrap_or_default()),
        Event::PointCadence { every_minutes } => (
            String::new(),
            schedule::span(chrono::TimeDelta::minutes(*every_minutes), settings),
        ),
        Event::SituationPoint { number } => (format!("#{number}"), String::new()),
        Event::HandoverStarted { from, to } => (String::new(), format!("{from} → {to}")),
        Event::HandoverAcknowledged { by } => (String::new(), by.clone()),
        Event::ComcheckStarted { number, text } => (format!("#{number}"), text.clone()),
        Event::ComcheckAcknowledged { number, by } => (format!("#{number}"), by.clone()),
        Event::Posted { tag, event_id } => (tag.to_string(), event_id.clone()),
        Event::ExerciseLinked {
            scenario,
            scenario_version,
            code_name,
            auto,
            ..
        } => (
            String::new(),
            format!(
                "{scenario} v{scenario_version} « {code_name} » · {}",
                if *auto {
                    "auto".to_owned()
                } else {
                    settings.say(msg!("report-word-manual"))
                }
            ),
        ),
        Event::ExerciseMode { auto } => (
            String::new(),
            if *auto {
                "auto".to_owned()
            } else {
                settings.say(msg!("report-word-manual"))
            }
            .to_owned(),
        ),
        Event::ExerciseStarted {}
        | Event::ExercisePaused {}
        | Event::ExerciseResumed {}
        | Event::ExerciseEnded {}
        | Event::RetexStarted {}
        | Event::RetexEnded {} => (String::new(), String::new()),
        Event::ExerciseStopped { text } => (String::new(), text.clone()),
        Event::InjectPlayed {
            inject,
            channel,
            from,
            to,
            text,
            adhoc,
            ..
        } => {
            let to = to.as_ref().map(|t| format!(" → {t}")).unwrap_or_default();
            let player = super::super::engine::exercise::player_text(
                settings,
                channel,
                &format!("{from}{to}"),
                text,
            );
            let adhoc = if *adhoc {
                settings.say(msg!("report-word-ad-hoc"))
            } else {
                String::new()
            };
            (inject.clone(), format!("{player}{adhoc}"))
        }
        Event::InjectSkipped { inject, reason } => {
            (inject.clone(), reason.clone().unwrap_or_default())
        }
        Event::InjectDelayed { inject, minutes } => (
            inject.clone().unwrap_or_default(),
            format!(
                "+{}",
                schedule::span(chrono::TimeDelta::minutes(*minutes), settings)
            ),
        ),
        Event::ReactionMarked { inject, met } => (
            inject.clone(),
            if *met {
                settings.say(msg!("report-word-expected-met"))
            } else {
                settings.say(msg!("report-expected-not-met"))
            }
            .to_owned(),
        ),
        Event::Observation {
            reference,
            text,
            inject,
            objective,
        } => {
            let tied = inject
                .as_ref()
                .or(objective.as_ref())
                .map(|t| format!("[{t}] "))
                .unwrap_or_default();
            (reference.clone(), format!("{tied}{text}"))
        }
        Event::RetexTopic { number } => (format!("#{number}"), String::new()),
        Event::RetexContribution { topic, text } => (format!("#{topic}"), text.clone()),
        Event::Improvement {
            reference,
            text,
            owner,
            due,
        } => {
            let mut s = text.clone();
            if let Some(o) = owner {
                s.push_str(&format!(" · {o}"));
            }
            if let Some(d) = due {
                s.push_str(&format!(" · {} {d}", settings.say(msg!("report-word-due"))));
            }
            (reference.clone(), s)
        }
        Event::ObjectiveAssessed {
            objective,
            result,
            comment,
        } => (
            objective.clone(),
            format!(
                "{}{}",
                settings.say(msg!("attainment", result = result.key())),
                comment
                    .as_ref()
                    .map(|c| format!(" — {c}"))
                    .unwrap_or_default()
            ),
        ),
        Event::SynthesisNote { part, text } => (String::new(), format!("{} {text}", part.key())),
    }
}
