//! Where a playbook clock stands in a crisis: when it starts, each stage's
//! deadline, what was met. Pure, and read by the follow-up (`!horloges`,
//! `!fait`), the schedule (warnings) and the report.
//!
//! A clock starts at the opening, or at the time the cell gives (`!horloge
//! cnil-72h depuis 14:30`, or `depuis I7`: when that entry happened); a
//! conditional one only once activated. A stage counts from the start, or
//! from when an earlier stage was met (NIS 2's final report, a month after the
//! notification). A recurring clock's next deadline counts from when it was
//! last met. In an exercise, the pauses push deadlines back by as long.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::state::{ClockState, Crisis};
use crate::playbook::{Clock, Stage};

/// Whether a clock counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// A conditional clock the cell has not activated.
    Inactive,
    Running,
    /// The cell stopped it: when, and why.
    Stopped(DateTime<Utc>, Option<String>),
}

/// One stage of a clock, as it stands.
#[derive(Clone, Debug)]
pub struct StageView<'p> {
    /// From 1.
    pub n: usize,
    pub stage: &'p Stage,
    /// `None` while the clock is inactive or the stage waits for the one it counts from.
    pub deadline: Option<DateTime<Utc>>,
    /// When it was met (never, for a recurring clock: it comes back).
    pub done: Option<DateTime<Utc>>,
}

impl StageView<'_> {
    /// Still to meet: running, not met, with a deadline.
    pub fn is_pending(&self) -> bool {
        self.done.is_none() && self.deadline.is_some()
    }
}

static NOTHING: ClockState = ClockState {
    anchor: None,
    activated: None,
    done: BTreeMap::new(),
    met: Vec::new(),
    warned: BTreeMap::new(),
    stopped: None,
};

/// What the journal holds about a clock (nothing, for a clock nobody touched).
pub fn state<'c>(crisis: &'c Crisis, clock: &Clock) -> &'c ClockState {
    crisis.clocks.get(&clock.id).unwrap_or(&NOTHING)
}

pub fn phase(crisis: &Crisis, clock: &Clock) -> Phase {
    let state = state(crisis, clock);
    if let Some((at, reason)) = &state.stopped {
        Phase::Stopped(*at, reason.clone())
    } else if clock.condition.is_some() && state.activated.is_none() {
        Phase::Inactive
    } else {
        Phase::Running
    }
}

/// When the clock counts from: the time the cell gave, the activation, or the opening.
pub fn start(crisis: &Crisis, clock: &Clock) -> Option<DateTime<Utc>> {
    let state = state(crisis, clock);
    if clock.condition.is_some() && state.activated.is_none() {
        return None;
    }
    Some(
        state
            .anchor
            .as_ref()
            .map(|(at, _)| *at)
            .or(state.activated)
            .unwrap_or(crisis.opened_at),
    )
}

/// Each stage with its deadline and when it was met.
pub fn stages<'p>(crisis: &Crisis, clock: &'p Clock, tz: Tz) -> Vec<StageView<'p>> {
    let state = state(crisis, clock);
    let start = start(crisis, clock);
    clock
        .stages
        .iter()
        .enumerate()
        .map(|(idx, stage)| {
            let n = idx + 1;
            let (base, due) = match (clock.every, stage.after) {
                // Recurring: from the last time it was met, or the start.
                (Some(every), _) => match (state.met.last(), start) {
                    (Some(last), Some(start)) if *last >= start => {
                        (Some(*last), crate::playbook::Delay::span(every))
                    }
                    (_, start) => (start, stage.due),
                },
                (None, Some(after)) => (state.done.get(&after).copied(), stage.due),
                (None, None) => (start, stage.due),
            };
            let deadline = base.map(|base| crisis.shifted(base, due.after(base, tz)));
            StageView {
                n,
                stage,
                deadline: deadline.filter(|_| start.is_some()),
                done: if clock.every.is_some() {
                    None
                } else {
                    state.done.get(&n).copied()
                },
            }
        })
        .collect()
}

/// The id people type for a stage: `cnil-72h` for a clock without stages, `nis2.2` otherwise.
pub fn stage_id(clock: &Clock, n: usize) -> String {
    if clock.is_staged() {
        format!("{}.{n}", clock.id)
    } else {
        clock.id.clone()
    }
}

/// The title of a stage: the clock's, then the stage's own for a clock with stages.
pub fn stage_title(clock: &Clock, stage: &Stage, lang: crate::lang::Lang) -> String {
    if clock.is_staged() {
        format!("{} — {}", clock.title.get(lang), stage.title.get(lang))
    } else {
        clock.title.get(lang).to_owned()
    }
}
