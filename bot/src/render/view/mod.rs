//! The report's view model: what the templates show, built from a crisis's
//! verified entries. Displayed types derive `Serialize`; nothing here is stored.
//!
//! One model serves two reports. The exercise report follows the ANSSI
//! exercise guide: identity of the exercise and the establishment, objectives
//! with the facilitators' judgement, participants, chronology, injects,
//! decision and information registers, situation points, measures taken,
//! observations, hot debrief, synthesis, improvement plan, integrity and
//! sign-off (`docs/report.md` maps each section to what it answers). The
//! crisis report of a crisis opened for real is the same without the
//! exercise sections. The players' edition leaves facilitator material out.
//!
//! [`Report`] holds what every section is built from; its methods build the
//! sections: `log.rs` the chronology (repeated reminders folded), `registers.rs`
//! decisions, information, situation points, actions, procedures and clocks,
//! `exercise.rs` the exercise's course and evaluation, `people.rs` the
//! participants and the sign-off. People read every time in the configured
//! zone and language ([`super::time`]).

mod exercise;
mod log;
mod people;
mod registers;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::journal::Entry;
use tocsin_core::engine::Settings;
use tocsin_core::engine::event::{Event, PostTag};
use tocsin_core::engine::exercise::measures;
use tocsin_core::engine::state::{Crisis, ExerciseRun, World};
use tocsin_core::lang::speech::{Message, msg};
use tocsin_core::playbook::scenario::Scenario;
use tocsin_core::playbook::{Catalog, Playbook};

pub use log::csv_rows;

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
    /// The templates' labels (`t.<key>`).
    pub t: BTreeMap<&'static str, String>,
    pub edition: Edition,
    /// The full edition carries facilitator material.
    pub full: bool,
    pub exercise: bool,
    pub marking: String,
    pub crisis: String,
    /// « Rapport d'exercice » or « Rapport de crise ».
    pub kind: String,
    /// The playbook's title.
    pub title: String,
    /// What the print stylesheet writes in every page's margins.
    pub page: PageView,
    pub identity: IdentityView,
    pub run: Option<RunView>,
    pub objectives: Vec<ObjectiveRow>,
    pub participants: Participants,
    pub metrics: Vec<MetricRow>,
    /// The main courante, day by day, repeated reminders folded.
    pub chronology: Vec<DayView>,
    /// Injects planned and played, with measures (full edition of an exercise).
    pub injects: Vec<InjectRow>,
    pub decisions: Vec<DecisionRow>,
    pub infos: Vec<InfoRow>,
    pub points: Vec<PointView>,
    pub actions: Vec<ActionRow>,
    pub procedures: Vec<ProcedureView>,
    pub clocks: Vec<ClockRow>,
    /// Observers' notes (full edition).
    pub observations: Vec<ObservationRow>,
    pub retex: Vec<RetexTopicView>,
    /// The facilitators' synthesis (full edition of an exercise).
    pub synthesis: Option<SynthesisView>,
    pub improvements: Vec<ImprovementRow>,
    /// Items of the establishment's plan still open when this one opened.
    pub carried: Vec<ImprovementRow>,
    pub corrections: Vec<LogRow>,
    pub gaps: Vec<LogRow>,
    pub integrity: IntegrityView,
    pub signatures: Vec<SignatureRow>,
}

/// The page margins' texts, as CSS values (see [`super::css_string`]).
#[derive(Debug, Serialize)]
pub struct PageView {
    /// Bottom left: the crisis id, the report, the edition.
    pub footer: String,
    /// Bottom right: « Page 3 sur 12 », with the page counters.
    pub number: String,
    /// Top: the exercise marking, or an empty string.
    pub header: String,
}

#[derive(Debug, Serialize)]
pub struct IdentityView {
    pub establishment: String,
    pub playbook: String,
    pub playbook_title: String,
    pub playbook_version: String,
    pub tags: Vec<String>,
    /// « joueurs (sans le matériel d'animation) » or « complète ».
    pub edition: String,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
    /// From opening to closing (or to the report).
    pub length: String,
    pub time_zone: String,
    pub generated_at: String,
    pub n_entries: u64,
}

/// The exercise's identity and course.
#[derive(Debug, Serialize)]
pub struct RunView {
    pub code_name: String,
    pub scenario: String,
    pub scenario_version: String,
    pub scenario_title: String,
    pub scenario_summary: String,
    pub level: String,
    pub linked_by: String,
    /// The establishment's label in a regional exercise, or empty.
    pub site: String,
    pub linked_at: String,
    pub debex: String,
    pub finex: String,
    /// The exercise clock at FINEX (pauses left out).
    pub played: String,
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
    /// The facilitators' judgement (full edition): words, and `met`, `partly`
    /// or `not_met` for the stylesheet; empty when not judged.
    pub result: String,
    pub result_key: String,
    pub comment: String,
    /// Observations tied to it (full edition).
    pub n_observations: usize,
}

#[derive(Debug, Serialize)]
pub struct Participants {
    /// The crisis cell: players, with the roles they held.
    pub cell: Vec<PersonRow>,
    pub facilitators: Vec<PersonRow>,
    pub observers: Vec<PersonRow>,
    /// Who held the cell, and since when.
    pub leads: Vec<LeadRow>,
}

#[derive(Debug, Serialize)]
pub struct PersonRow {
    pub name: String,
    pub id: String,
    /// Roles in the cell (their titles), or what they did in the animation.
    pub function: String,
    /// Entries of the log they wrote.
    pub entries: usize,
}

#[derive(Debug, Serialize)]
pub struct LeadRow {
    pub name: String,
    pub since: String,
}

#[derive(Debug, Serialize)]
pub struct MetricRow {
    pub name: String,
    pub value: String,
}

/// The log of one day.
#[derive(Debug, Serialize)]
pub struct DayView {
    pub date: String,
    pub rows: Vec<LogRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LogRow {
    /// `12`, or `40–124` for folded reminders.
    pub seq: String,
    /// The entry's hash, first 8 hexadecimal digits.
    pub hash: String,
    pub time: String,
    /// When a paper note was transcribed, or an entry recorded late.
    pub note: String,
    pub author: String,
    pub role: String,
    pub kind: String,
    pub reference: String,
    pub text: String,
    /// Written by tocsin itself (reminders, points, injects on the clock).
    pub system: bool,
    /// A paper note timed before the crisis was opened.
    pub before_opening: bool,
}

#[derive(Debug, Serialize)]
pub struct InjectRow {
    pub id: String,
    pub objectives: String,
    pub planned: String,
    pub played: String,
    pub channel: String,
    pub from_to: String,
    pub text: String,
    pub expected: String,
    pub reaction: String,
    /// Whether the expected reaction was met, and how that is known.
    pub result: String,
    pub status: String,
    /// Played, skipped, not played: `played`, `skipped`, `not_played`.
    pub status_key: String,
    /// Improvised in the room: its id (`x1`) names nothing in the scenario.
    pub adhoc: bool,
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
    pub transcribed: bool,
}

#[derive(Debug, Serialize)]
pub struct InfoRow {
    pub reference: String,
    pub at: String,
    pub author: String,
    pub text: String,
    /// The standing verification status, and its key for the stylesheet.
    pub status: String,
    pub status_key: String,
    /// Each verification: status, when, by whom.
    pub history: Vec<String>,
    pub corrections: Vec<String>,
}

/// A situation point: the état de situation posted, as it stood then.
#[derive(Debug, Serialize)]
pub struct PointView {
    pub number: u32,
    pub at: String,
    pub text: String,
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
    pub reminders: usize,
}

#[derive(Debug, Serialize)]
pub struct ProcedureView {
    pub id: String,
    pub title: String,
    pub service: String,
    pub started_at: String,
    pub progress: String,
    pub steps: Vec<StepRow>,
    /// Where its legal statements come from.
    pub sources: Vec<SourceRow>,
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
    /// Ran out without being met: shown as a failure.
    pub missed: bool,
    /// Where the delay comes from.
    pub sources: Vec<SourceRow>,
}

/// A source as the report and the kit print it.
#[derive(Debug, Serialize)]
pub struct SourceRow {
    pub text: String,
    pub url: String,
}

/// A playbook item's sources, in the report's language.
pub fn source_rows(
    sources: &[tocsin_core::playbook::Source],
    lang: tocsin_core::lang::Lang,
) -> Vec<SourceRow> {
    sources
        .iter()
        .map(|s| SourceRow {
            text: s.text.get(lang).to_owned(),
            url: s.url.clone().unwrap_or_default(),
        })
        .collect()
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
pub struct SynthesisView {
    pub strengths: Vec<ContributionRow>,
    pub to_improve: Vec<ContributionRow>,
}

#[derive(Debug, Serialize)]
pub struct ImprovementRow {
    pub reference: String,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub at: String,
    /// Where it stands at the end of this crisis or exercise.
    pub state: String,
    /// The proof of closure, the reason for dropping it, or the last comment.
    pub note: String,
    /// The crisis or exercise that opened it, for items inherited.
    pub crisis: String,
}

#[derive(Debug, Serialize)]
pub struct IntegrityView {
    pub final_digest: String,
    pub n_entries: u64,
    pub sealed_at: Option<String>,
    /// How an auditor checks the log, step by step.
    pub steps: Vec<String>,
    /// The chain's heads tocsin said in the room, with the messages that said them.
    pub checkpoints: Vec<CheckpointRow>,
}

/// A checkpoint said in the room (`anchor::Checkpoint`): the entry it names,
/// when, its digest, and the Matrix event that said it.
#[derive(Debug, Serialize)]
pub struct CheckpointRow {
    pub seq: u64,
    pub time: String,
    pub digest: String,
    pub event_id: String,
}

/// One signature block: a function, the name when known, then lines to fill.
#[derive(Debug, Serialize)]
pub struct SignatureRow {
    pub function: String,
    pub name: String,
}

/// Everything the sections are built from.
struct Report<'a> {
    settings: &'a Settings,
    playbook: Option<&'a Playbook>,
    crisis: Option<&'a Crisis>,
    /// The entries this edition shows, in order.
    shown: Vec<&'a Entry>,
    full: bool,
    /// The close of the crisis, or now: what counts as late.
    now_or_close: DateTime<Utc>,
    run: Option<&'a ExerciseRun>,
    scenario: Option<&'a Scenario>,
    outcomes: Vec<measures::Outcome>,
    /// User id → the display name last seen for them.
    names: HashMap<String, String>,
}

impl Report<'_> {
    fn say(&self, message: Message) -> String {
        self.settings.say(message)
    }

    /// « mar. 1 déc. 2026 21:25 ».
    fn at(&self, t: DateTime<Utc>) -> String {
        super::time::date_time(self.settings, t)
    }

    /// « 21:25 ».
    fn time(&self, t: DateTime<Utc>) -> String {
        super::time::time(self.settings, t)
    }

    /// « 1 h 30 ».
    fn duration(&self, d: chrono::TimeDelta) -> String {
        super::time::duration(self.settings, d)
    }

    /// A person by display name, or their id when tocsin never saw a name.
    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// The role its author held when an entry was recorded, by its title.
    fn role_of(&self, r: &tocsin_core::engine::event::Record) -> String {
        r.role
            .as_deref()
            .map(|x| self.role_title(x))
            .unwrap_or_default()
    }

    /// A role by its title in the playbook, or its id.
    fn role_title(&self, role: &str) -> String {
        self.playbook.and_then(|p| p.role(role)).map_or_else(
            || role.to_owned(),
            |r| r.title.get(self.settings.lang).to_owned(),
        )
    }
}

/// The templates' labels, `t.<key>`.
#[expect(clippy::too_many_lines, reason = "a flat table: one label per line")]
fn labels(settings: &Settings) -> BTreeMap<&'static str, String> {
    let labels: Vec<(&'static str, Message)> = vec![
        ("report", msg!("report-report")),
        ("exercise_report", msg!("report-exercise-report")),
        ("identity", msg!("report-identity")),
        ("exercise_identity", msg!("report-exercise-identity")),
        ("establishment", msg!("report-establishment")),
        ("crisis", msg!("report-crisis")),
        ("playbook", msg!("report-playbook")),
        ("tags", msg!("report-tags")),
        ("edition", msg!("report-edition")),
        ("opened", msg!("report-opened")),
        ("closed", msg!("report-closed")),
        ("still_open", msg!("report-still-open")),
        ("length", msg!("report-length")),
        ("generated", msg!("report-generated")),
        ("time_zone", msg!("report-time-zone")),
        ("entries", msg!("report-entries")),
        ("marking_note", msg!("report-marking-note")),
        ("code_name", msg!("report-code-name")),
        ("scenario", msg!("report-scenario")),
        ("level", msg!("report-level")),
        ("linked", msg!("report-linked")),
        ("regional_site", msg!("report-regional-site")),
        ("debex", msg!("report-debex")),
        ("finex", msg!("report-finex")),
        ("played_for", msg!("report-played-for")),
        ("paused", msg!("report-paused")),
        ("stops", msg!("report-stops")),
        ("objectives", msg!("report-objectives")),
        ("objective", msg!("report-objective")),
        ("judgement", msg!("report-judgement")),
        ("comment", msg!("report-comment")),
        ("played_met", msg!("report-played-met")),
        ("not_judged", msg!("report-not-judged")),
        ("participants", msg!("report-participants")),
        ("cell", msg!("report-cell")),
        ("facilitators", msg!("report-facilitators")),
        ("observers", msg!("report-observers")),
        ("name", msg!("report-name")),
        ("function", msg!("report-function")),
        ("user_id", msg!("report-user-id")),
        ("n_entries", msg!("report-n-entries")),
        ("leads", msg!("report-leads")),
        ("since", msg!("report-since")),
        ("metrics", msg!("report-metrics")),
        ("chronology", msg!("report-chronology")),
        ("chronology_note", msg!("report-chronology-note")),
        ("seq", msg!("report-seq")),
        ("time", msg!("report-time")),
        ("author", msg!("report-author")),
        ("kind", msg!("report-kind")),
        ("ref", msg!("report-ref")),
        ("text", msg!("report-text")),
        ("injects", msg!("report-injects")),
        ("planned_played", msg!("report-planned-played")),
        ("stimulus", msg!("report-stimulus")),
        ("expected", msg!("report-expected")),
        ("reaction_result", msg!("report-reaction-result")),
        ("decisions", msg!("report-decisions")),
        ("decision", msg!("report-decision")),
        ("occurred", msg!("report-occurred")),
        ("rationale", msg!("report-rationale")),
        ("context", msg!("report-context")),
        ("corrected", msg!("report-corrected")),
        ("transcribed", msg!("report-transcribed")),
        ("before_opening", msg!("report-before-opening")),
        ("infos", msg!("report-infos")),
        ("information", msg!("report-information")),
        ("verification", msg!("report-verification")),
        ("points", msg!("report-points")),
        ("point", msg!("report-point")),
        ("measures", msg!("report-measures")),
        ("actions", msg!("report-actions")),
        ("action", msg!("report-action")),
        ("owner", msg!("report-owner")),
        ("due", msg!("report-due")),
        ("done", msg!("report-done")),
        ("status", msg!("report-status")),
        ("reminders", msg!("report-reminders")),
        ("procedures", msg!("report-procedures")),
        ("started", msg!("report-started")),
        ("step", msg!("report-step")),
        ("clocks", msg!("report-clocks")),
        ("clock", msg!("report-clock")),
        ("source", msg!("report-source")),
        ("deadline", msg!("report-deadline")),
        ("observations", msg!("report-observations")),
        ("about", msg!("report-about")),
        ("retex", msg!("report-retex")),
        ("retex_note", msg!("report-retex-note")),
        ("synthesis", msg!("report-synthesis")),
        ("strengths", msg!("report-strengths")),
        ("to_improve", msg!("report-to-improve")),
        ("improvements", msg!("report-improvements")),
        ("carried", msg!("report-plan-carried")),
        ("state", msg!("report-plan-state")),
        ("proof", msg!("report-plan-proof")),
        ("opened_in", msg!("report-plan-opened-in")),
        ("improvement", msg!("report-improvement")),
        ("recorded", msg!("report-recorded")),
        ("corrections", msg!("report-corrections")),
        ("gaps", msg!("report-gaps")),
        ("no_gaps", msg!("report-no-gaps")),
        ("integrity", msg!("report-integrity")),
        ("integrity_text", msg!("report-integrity-text")),
        ("final_digest", msg!("report-final-digest")),
        ("checkpoints", msg!("report-checkpoints")),
        ("checkpoints_text", msg!("report-checkpoints-text")),
        ("digest", msg!("report-digest")),
        ("matrix_event", msg!("report-matrix-event")),
        ("sealed", msg!("report-sealed")),
        ("how_to_verify", msg!("report-how-to-verify")),
        ("signatures", msg!("report-signatures")),
        ("signatures_note", msg!("report-signatures-note")),
        (
            "signatures_note_crisis",
            msg!("report-signatures-note-crisis"),
        ),
        ("signature_date", msg!("report-signature-date")),
        ("signature", msg!("report-signature")),
        ("none", msg!("report-none")),
    ];
    super::labels(settings, labels)
}

/// Everything the report needs, from the verified entries of one crisis.
pub fn build(
    entries: &[Entry],
    catalog: &Catalog,
    settings: &Settings,
    edition: Edition,
    now: DateTime<Utc>,
) -> ReportView {
    with_report(
        entries,
        catalog,
        settings,
        edition,
        now,
        |report, points| report.view(entries, edition, now, points),
    )
}

/// Folds the entries and hands `f` what the sections are built from, with
/// each situation point's état de situation as it stood when it was posted.
fn with_report<T>(
    entries: &[Entry],
    catalog: &Catalog,
    settings: &Settings,
    edition: Edition,
    now: DateTime<Utc>,
    f: impl FnOnce(&Report<'_>, Vec<PointView>) -> T,
) -> T {
    let playbook = entries.first().and_then(|e| match &e.record.event {
        Event::CrisisOpened { playbook, .. } => catalog.get(playbook),
        _ => None,
    });
    // A point's text is the state just before the point's entry.
    let mut world = World::default();
    let mut points = Vec::new();
    for e in entries {
        if let Event::SituationPoint { number } = &e.record.event
            && let Some(c) = world.crisis(&e.record.crisis)
        {
            points.push(registers::point(
                c,
                playbook,
                settings,
                *number,
                e.record.recorded_at,
            ));
        }
        world.apply(&e.record);
    }
    let crisis_id = entries
        .first()
        .map(|e| e.record.crisis.clone())
        .unwrap_or_default();
    let crisis = world.crisis(&crisis_id);
    let full = edition == Edition::Full;
    let run = crisis.and_then(|c| c.run.as_ref());
    let scenario = run.and_then(|r| catalog.scenario(&r.scenario));
    let mut names = HashMap::new();
    for e in entries {
        names.insert(e.record.author.id.clone(), e.record.author.name.clone());
    }
    let report = Report {
        settings,
        playbook,
        crisis,
        shown: entries
            .iter()
            .filter(|e| full || !e.record.event.is_facilitator_material())
            .collect(),
        full,
        now_or_close: crisis.and_then(|c| c.closed_at).unwrap_or(now),
        run,
        scenario,
        outcomes: crisis
            .map(|c| measures::outcomes(c, scenario))
            .unwrap_or_default(),
        names,
    };
    f(&report, points)
}

impl Report<'_> {
    /// Assembles the view: one line per section, each built by a method of its own.
    fn view(
        &self,
        entries: &[Entry],
        edition: Edition,
        now: DateTime<Utc>,
        points: Vec<PointView>,
    ) -> ReportView {
        let settings = self.settings;
        let exercise = self.crisis.is_some_and(|c| c.exercise);
        let kind = if exercise {
            self.say(msg!("report-exercise-report"))
        } else {
            self.say(msg!("report-report"))
        };
        let crisis = entries
            .first()
            .map(|e| e.record.crisis.clone())
            .unwrap_or_default();
        let marking = settings.say(settings.marking());
        let (chronology, corrections, gaps) = self.chronology();
        let actions = self.actions();
        let (improvements, carried) = self.improvements();
        let decisions = self.decisions();
        ReportView {
            lang: settings.lang.code(),
            t: labels(settings),
            edition,
            full: self.full,
            exercise,
            page: self.page(
                &crisis,
                &kind,
                edition,
                exercise.then_some(marking.as_str()),
            ),
            marking,
            kind,
            title: self
                .playbook
                .map(|p| p.title.get(settings.lang).to_owned())
                .unwrap_or_else(|| self.crisis.map(|c| c.playbook.clone()).unwrap_or_default()),
            identity: self.identity(entries, edition, now),
            run: self.run_view(),
            objectives: self.objectives(),
            participants: self.participants(),
            metrics: self.metrics(&decisions, &actions),
            chronology,
            injects: self.injects(),
            decisions,
            infos: self.infos(),
            points,
            actions,
            procedures: self.procedures(),
            clocks: self.clocks(),
            observations: self.observations(),
            retex: self.retex(),
            synthesis: self.synthesis(),
            improvements,
            carried,
            corrections,
            gaps,
            integrity: self.integrity(entries),
            signatures: self.signatures(),
            crisis,
        }
    }

    /// The page margins: crisis, report and edition; page numbers; the marking.
    fn page(&self, crisis: &str, kind: &str, edition: Edition, marking: Option<&str>) -> PageView {
        let edition = match edition {
            Edition::Full => self.say(msg!("report-edition-full")),
            Edition::Players => self.say(msg!("report-edition-players-short")),
        };
        PageView {
            footer: super::css_string(&format!("{crisis} · {kind} · {edition}")),
            number: super::css_page_number(self.settings),
            header: super::css_string(marking.unwrap_or_default()),
        }
    }

    fn identity(&self, entries: &[Entry], edition: Edition, now: DateTime<Utc>) -> IdentityView {
        let settings = self.settings;
        let crisis = self.crisis;
        let opened = crisis.map_or(now, |c| c.opened_at);
        let end = crisis.and_then(|c| c.closed_at).unwrap_or(now);
        IdentityView {
            establishment: settings.establishment.clone().unwrap_or_default(),
            playbook: crisis.map(|c| c.playbook.clone()).unwrap_or_default(),
            playbook_title: self
                .playbook
                .map(|p| p.title.get(settings.lang).to_owned())
                .unwrap_or_default(),
            playbook_version: crisis
                .map(|c| c.playbook_version.clone())
                .unwrap_or_default(),
            tags: self.playbook.map(|p| p.tags.clone()).unwrap_or_default(),
            edition: match edition {
                Edition::Full => self.say(msg!("report-edition-full")),
                Edition::Players => self.say(msg!("report-edition-players")),
            },
            opened_at: self.at(opened),
            opened_by: crisis.map(|c| c.opened_by.name.clone()).unwrap_or_default(),
            closed_at: crisis.and_then(|c| c.closed_at).map(|t| self.at(t)),
            length: self.duration(end - opened),
            time_zone: settings.tz.name().to_owned(),
            generated_at: self.at(now),
            n_entries: entries.len() as u64,
        }
    }

    /// The integrity section: the final digest and how to check it.
    fn integrity(&self, entries: &[Entry]) -> IntegrityView {
        IntegrityView {
            final_digest: entries
                .last()
                .map(|e| tocsin_core::digest::hex(&e.hash))
                .unwrap_or_default(),
            n_entries: entries.len() as u64,
            sealed_at: self.crisis.and_then(|c| c.closed_at).map(|t| self.at(t)),
            steps: [
                msg!("report-verify-export"),
                msg!("report-verify-run"),
                msg!("report-verify-digest"),
                msg!("report-verify-paper"),
            ]
            .into_iter()
            .map(|m| self.say(m))
            .collect(),
            checkpoints: self.checkpoints(entries),
        }
    }

    /// The checkpoints whose message is on record (`posted`, tagged
    /// `checkpoint:<seq>`), in chain order.
    fn checkpoints(&self, entries: &[Entry]) -> Vec<CheckpointRow> {
        let mut rows: Vec<CheckpointRow> = entries
            .iter()
            .filter_map(|e| match &e.record.event {
                Event::Posted {
                    tag: PostTag::Checkpoint(seq),
                    event_id,
                    ..
                } => {
                    let named = entries.get(usize::try_from(*seq).ok()?.checked_sub(1)?)?;
                    Some(CheckpointRow {
                        seq: *seq,
                        time: self.at(named.record.recorded_at),
                        digest: tocsin_core::digest::hex(&named.hash),
                        event_id: event_id.clone(),
                    })
                }
                _ => None,
            })
            .collect();
        rows.sort_by_key(|r| r.seq);
        rows
    }
}
