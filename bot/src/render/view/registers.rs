//! The registers: decisions (with their rationale and what the cell knew),
//! information (with its verification status and history), the text of each
//! situation point, and the measures taken — actions, procedures, regulatory
//! clocks — with the indicators measured on them.

use chrono::{DateTime, TimeDelta, Utc};

use super::{
    ActionRow, ClockRow, DecisionRow, InfoRow, MetricRow, PointView, ProcedureView, Report,
    StepRow, source_rows,
};
use tocsin_core::engine::event::{Event, Verification};
use tocsin_core::engine::exercise::measures::{self, MetBy};
use tocsin_core::engine::state::Crisis;
use tocsin_core::engine::{Settings, clock as engine_clock, schedule};
use tocsin_core::lang::speech::msg;
use tocsin_core::playbook::Playbook;

/// A situation point as posted: the état de situation of `crisis` at `at`,
/// `crisis` being the state just before the point's entry. Its first line
/// (the heading, with its picture) gives way to the report's own heading.
pub(super) fn point(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    settings: &Settings,
    number: u32,
    at: DateTime<Utc>,
) -> PointView {
    let since = crisis.points.last().copied().unwrap_or(crisis.opened_at);
    let text = schedule::situation(crisis, playbook, settings, Some((number, since)), at);
    PointView {
        number,
        at: super::super::time::date_time(settings, at),
        text: text
            .split_once('\n')
            .map_or(String::new(), |(_, body)| body.to_owned()),
    }
}

impl Report<'_> {
    /// The decision register, each with what the cell knew and its corrections.
    pub(super) fn decisions(&self) -> Vec<DecisionRow> {
        let mut decisions: Vec<DecisionRow> = Vec::new();
        let mut last_info: Option<String> = None;
        for e in &self.shown {
            let r = &e.record;
            match &r.event {
                Event::Info { reference, text } => last_info = Some(format!("{reference} {text}")),
                Event::Decision {
                    reference,
                    text,
                    rationale,
                    decided_by,
                    trigger,
                } => decisions.push(DecisionRow {
                    reference: reference.clone(),
                    at: self.at(r.occurred_at),
                    // Who decided, and who recorded it when not the same.
                    author: match decided_by {
                        Some(d) => format!(
                            "{} — {}",
                            self.name(d),
                            self.say(msg!("report-recorded-by", by = &r.author.name))
                        ),
                        None => r.author.name.clone(),
                    },
                    role: self.role_of(r),
                    text: text.clone(),
                    rationale: rationale.clone().unwrap_or_default(),
                    // What it answers, or else what the cell knew just before.
                    context: match trigger {
                        Some(to) => self.say(msg!("report-answers", to)),
                        None => last_info.clone().unwrap_or_default(),
                    },
                    corrections: Vec::new(),
                    transcribed: r.transcribed,
                }),
                Event::Correction {
                    reference,
                    target,
                    text,
                } => {
                    if let Some(d) = decisions.iter_mut().find(|d| &d.reference == target) {
                        d.corrections
                            .push(format!("{reference} ({}) : {text}", self.at(r.occurred_at)));
                    }
                }
                _ => {}
            }
        }
        decisions
    }

    /// The information register: each piece with its verification history.
    pub(super) fn infos(&self) -> Vec<InfoRow> {
        let mut infos: Vec<InfoRow> = Vec::new();
        for e in &self.shown {
            let r = &e.record;
            match &r.event {
                Event::Info { reference, text } => infos.push(InfoRow {
                    reference: reference.clone(),
                    at: self.at(r.occurred_at),
                    author: r.author.name.clone(),
                    text: text.clone(),
                    status: String::new(),
                    status_key: String::new(),
                    history: Vec::new(),
                    corrections: Vec::new(),
                }),
                Event::Verification { target, status } => {
                    if let Some(i) = infos.iter_mut().find(|i| &i.reference == target) {
                        i.history.push(format!(
                            "{} — {}, {}",
                            self.say(msg!("verification", status = status.key())),
                            self.at(r.occurred_at),
                            r.author.name
                        ));
                    }
                }
                Event::Correction {
                    reference,
                    target,
                    text,
                } => {
                    if let Some(i) = infos.iter_mut().find(|i| &i.reference == target) {
                        i.corrections
                            .push(format!("{reference} ({}) : {text}", self.at(r.occurred_at)));
                    }
                }
                _ => {}
            }
        }
        for info in &mut infos {
            let status = self
                .crisis
                .and_then(|c| c.info(&info.reference))
                .map_or(Verification::ToCheck, |i| i.status);
            info.status = self.say(msg!("verification", status = status.key()));
            info.status_key = status.key().to_owned();
        }
        infos
    }

    /// The action register: status and lateness of every action.
    pub(super) fn actions(&self) -> Vec<ActionRow> {
        let Some(c) = self.crisis else {
            return Vec::new();
        };
        c.actions
            .iter()
            .map(|a| {
                let late = match (a.due, a.done_at) {
                    (Some(due), Some(done)) => done > due,
                    (Some(due), None) => due < self.now_or_close,
                    _ => false,
                };
                let status = match (a.done_at.is_some(), late) {
                    (true, false) => msg!("report-word-done"),
                    (true, true) => msg!("report-word-done-late"),
                    (false, true) => msg!("report-word-overdue"),
                    (false, false) => msg!("report-word-open"),
                };
                ActionRow {
                    reference: a.reference.clone(),
                    text: c.current_text(&a.reference, &a.text).to_owned(),
                    owner: a.owner.as_ref().map(|o| self.owner(o)).unwrap_or_default(),
                    due: a.due.map(|t| self.at(t)).unwrap_or_default(),
                    done: a.done_at.map(|t| self.at(t)).unwrap_or_default(),
                    late,
                    status: self.say(status),
                    reminders: self
                        .shown
                        .iter()
                        .filter(|e| matches!(&e.record.event, Event::Reminder { target, .. } if *target == a.reference))
                        .count(),
                }
            })
            .collect()
    }

    /// The procedures started, step by step.
    pub(super) fn procedures(&self) -> Vec<ProcedureView> {
        let Some(c) = self.crisis else {
            return Vec::new();
        };
        let lang = self.settings.lang;
        c.procedures
            .iter()
            .map(|(id, run)| {
                let proc = self.playbook.and_then(|p| p.procedure(id));
                let steps: Vec<StepRow> = proc
                    .map(|p| {
                        p.steps
                            .iter()
                            .enumerate()
                            .map(|(idx, s)| {
                                let n = idx + 1;
                                let (status, detail) = match (run.done.get(&n), run.skipped.get(&n))
                                {
                                    (Some((at, by)), _) => (
                                        msg!("report-word-done-2"),
                                        format!("{} — {by}", self.at(*at)),
                                    ),
                                    (None, Some(reason)) => {
                                        (msg!("report-word-skipped"), reason.clone())
                                    }
                                    (None, None) => (
                                        msg!("report-word-not-done"),
                                        run.assigned
                                            .get(&n)
                                            .map(|u| self.name(u))
                                            .unwrap_or_default(),
                                    ),
                                };
                                StepRow {
                                    n,
                                    text: s.text.get(lang).to_owned(),
                                    status: self.say(status),
                                    detail,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ProcedureView {
                    id: id.clone(),
                    title: proc
                        .map(|p| p.title.get(lang).to_owned())
                        .unwrap_or_default(),
                    service: proc
                        .map(|p| p.service.get(lang).to_owned())
                        .unwrap_or_default(),
                    started_at: self.at(run.started_at),
                    progress: format!("{}/{}", run.n_closed(), steps.len()),
                    steps,
                    sources: proc
                        .map(|p| source_rows(&p.source, lang))
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    /// The regulatory clocks, one row per deadline: met, late, missed, running,
    /// stopped at the closure, stopped by the cell, or never activated.
    pub(super) fn clocks(&self) -> Vec<ClockRow> {
        let (Some(c), Some(p)) = (self.crisis, self.playbook) else {
            return Vec::new();
        };
        p.clocks
            .iter()
            .flat_map(|clock| self.clock_rows(c, clock))
            .collect()
    }

    /// The rows of one clock: each stage, each occurrence of a recurring one.
    fn clock_rows(&self, c: &Crisis, clock: &tocsin_core::playbook::Clock) -> Vec<ClockRow> {
        let settings = self.settings;
        let lang = settings.lang;
        let row = |id: String,
                   title: String,
                   deadline: String,
                   status: String,
                   met: bool,
                   missed: bool| {
            ClockRow {
                id,
                title,
                deadline,
                status,
                met,
                missed,
                sources: source_rows(&clock.source, lang),
            }
        };
        let stopped = match engine_clock::phase(c, clock) {
            engine_clock::Phase::Inactive => {
                return vec![row(
                    clock.id.clone(),
                    clock.title.get(lang).to_owned(),
                    String::new(),
                    self.say(msg!("report-clock-inactive")),
                    false,
                    false,
                )];
            }
            engine_clock::Phase::Stopped(at, reason) => Some((at, reason)),
            engine_clock::Phase::Running => None,
        };
        let mut rows = Vec::new();
        // The occurrences of a recurring clock already met.
        if let Some(every) = clock.every {
            let state = engine_clock::state(c, clock);
            let mut base = engine_clock::start(c, clock).unwrap_or(c.opened_at);
            let mut due = clock.stages[0].due;
            for (idx, met) in state.met.iter().enumerate() {
                let deadline = c.shifted(base, due.after(base, settings.tz));
                let late = *met > deadline;
                let word = if late {
                    msg!(
                        "report-word-met-late-by",
                        late = schedule::span(*met - deadline, self.settings)
                    )
                } else {
                    msg!("report-word-met")
                };
                rows.push(row(
                    format!("{} #{}", clock.id, idx + 1),
                    clock.title.get(lang).to_owned(),
                    self.at(deadline),
                    format!("{} {}", self.say(word), self.at(*met)),
                    !late,
                    false,
                ));
                base = *met;
                due = tocsin_core::playbook::Delay::span(every);
            }
        }
        for view in engine_clock::stages(c, clock, settings.tz) {
            let mut id = engine_clock::stage_id(clock, view.n);
            if clock.every.is_some() {
                id = format!("{id} #{}", engine_clock::state(c, clock).met.len() + 1);
            }
            let title = engine_clock::stage_title(clock, view.stage, lang);
            let (status, met, missed) =
                self.stage_status(c, &view, stopped.as_ref(), clock.every.is_some());
            rows.push(row(
                id,
                title,
                view.deadline.map(|t| self.at(t)).unwrap_or_default(),
                status,
                met,
                missed,
            ));
        }
        rows
    }

    /// How a stage ended, or stands: (status, met, missed).
    fn stage_status(
        &self,
        c: &Crisis,
        view: &engine_clock::StageView<'_>,
        stopped: Option<&(DateTime<Utc>, Option<String>)>,
        recurring: bool,
    ) -> (String, bool, bool) {
        let word = |m| self.say(m);
        // Where the clock stopped counting: stopped by the cell, closed, or now.
        let end = stopped
            .map(|(at, _)| *at)
            .or(c.closed_at)
            .unwrap_or(self.now_or_close)
            .min(self.now_or_close);
        match (view.done, view.deadline) {
            (Some(at), Some(deadline)) if at > deadline => (
                format!(
                    "{} {}",
                    word(msg!(
                        "report-word-met-late-by",
                        late = schedule::span(at - deadline, self.settings)
                    )),
                    self.at(at)
                ),
                false,
                false,
            ),
            (Some(at), _) => (
                format!("{} {}", word(msg!("report-word-met")), self.at(at)),
                true,
                false,
            ),
            (None, Some(deadline)) if end > deadline => {
                (word(msg!("report-word-missed")), false, true)
            }
            (None, deadline) => match (stopped, c.closed_at) {
                (Some((at, reason)), _) => (
                    format!(
                        "{} {}{}",
                        word(msg!("report-clock-stopped")),
                        self.at(*at),
                        reason
                            .as_ref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    ),
                    false,
                    false,
                ),
                (None, Some(closed)) => (
                    format!(
                        "{} {}",
                        // A recurring clock's next occurrence, not yet due, was not missed.
                        word(if recurring {
                            msg!("report-clock-stopped-at-close")
                        } else {
                            msg!("report-clock-not-done-at-close")
                        }),
                        self.at(closed)
                    ),
                    false,
                    false,
                ),
                (None, None) if deadline.is_none() => {
                    (word(msg!("report-clock-waiting")), false, false)
                }
                (None, None) => (word(msg!("report-word-running")), false, false),
            },
        }
    }

    /// The report's indicators: delays, counts, and the exercise's coverage.
    pub(super) fn metrics(
        &self,
        decisions: &[DecisionRow],
        actions: &[ActionRow],
    ) -> Vec<MetricRow> {
        // The earliest time (a paper note can be logged after later entries);
        // a paper note timed before the opening does not count in the delays.
        let opened_at = self.crisis.map(|c| c.opened_at);
        let first = |pred: fn(&Event) -> bool| {
            self.shown
                .iter()
                .filter(|e| opened_at.is_none_or(|o| e.record.occurred_at >= o))
                .filter(|e| pred(&e.record.event))
                .map(|e| e.record.occurred_at)
                .min()
        };
        // In an exercise the cell's delays run from DEBEX; what was done before
        // it (a cell set up while waiting) took no time on the exercise clock.
        let start = self
            .run
            .and_then(|r| r.started_at)
            .or(self.crisis.map(|c| c.opened_at));
        let since_open = |t: Option<DateTime<Utc>>| match (t, start) {
            (Some(t), Some(s)) if t < s => self.say(msg!("report-before-debex")),
            (Some(t), Some(s)) => self.duration(t - s),
            _ => "—".to_owned(),
        };
        let n_reminders = self
            .shown
            .iter()
            .filter(|e| matches!(e.record.event, Event::Reminder { .. }))
            .count();
        let late = actions.iter().filter(|a| a.late).count();
        let row = |name, value: String| MetricRow {
            name: self.say(name),
            value,
        };
        let mut metrics = vec![
            row(
                msg!("report-time-constitute-cell-first"),
                since_open(first(|e| matches!(e, Event::RoleAssigned { .. }))),
            ),
            row(
                msg!("report-time-first-decision"),
                since_open(first(|e| matches!(e, Event::Decision { .. }))),
            ),
            row(
                msg!("report-word-information"),
                self.crisis.map_or(0, |c| c.infos.len()).to_string(),
            ),
            row(msg!("report-word-decisions"), decisions.len().to_string()),
            row(
                msg!("report-word-actions-late"),
                format!("{} ({late})", actions.len()),
            ),
            row(msg!("report-word-reminders-sent"), n_reminders.to_string()),
            row(
                msg!("report-word-situation-points"),
                self.crisis.map_or(0, |c| c.points.len()).to_string(),
            ),
        ];
        metrics.extend(self.exercise_metrics());
        metrics
    }

    /// The exercise's indicators: coverage, reactions, stops.
    fn exercise_metrics(&self) -> Vec<MetricRow> {
        let (Some(c), Some(r), Some(sc)) = (self.crisis, self.run, self.scenario) else {
            return Vec::new();
        };
        let row = |name, value: String| MetricRow {
            name: self.say(name),
            value,
        };
        let (played, planned) = measures::coverage(c, sc);
        let mut metrics = vec![row(
            msg!("report-coverage-planned-injects-played"),
            format!(
                "{played}/{planned} ({} %)",
                measures::percent(played, planned)
            ),
        )];
        let delays: Vec<i64> = self
            .outcomes
            .iter()
            .filter_map(|o| o.first_reaction.as_ref().map(|(_, d)| d.num_seconds()))
            .collect();
        if self.full && !delays.is_empty() {
            let mean = delays.iter().sum::<i64>() / delays.len() as i64;
            metrics.push(row(
                msg!("report-mean-time-first-reaction"),
                self.duration(TimeDelta::seconds(mean)),
            ));
        }
        if self.full {
            let met = self
                .outcomes
                .iter()
                .filter(|o| matches!(o.met, Some((true, _))))
                .count();
            let judged = self.outcomes.iter().filter(|o| o.met.is_some()).count();
            metrics.push(row(
                msg!("report-expected-met-of-judged"),
                format!("{met}/{judged}"),
            ));
        }
        metrics.push(row(
            msg!("report-stops-for-real-emergency"),
            r.stops.len().to_string(),
        ));
        metrics
    }

    /// Whether an inject's expected reaction was met, and how that is known.
    pub(super) fn inject_result(&self, o: &measures::Outcome) -> String {
        match o.met {
            Some((true, by)) => format!(
                "{} ({})",
                self.say(msg!("report-word-expected-met")),
                self.say(match by {
                    MetBy::Facilitator => msg!("report-word-facilitator"),
                    MetBy::Procedure => msg!("report-word-procedure-started"),
                    MetBy::Decision => msg!("report-word-decision"),
                })
            ),
            Some((false, _)) => self.say(msg!("report-expected-not-met")),
            None => String::new(),
        }
    }
}
