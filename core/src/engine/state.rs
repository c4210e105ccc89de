//! Crisis state: a fold over journaled records. No decisions here.
//!
//! [`World::apply`] is the only way state changes, and it takes records that
//! are already durable. Rebuilding at start-up is the same fold over the
//! journal, so what the engine knows is exactly what the journal holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::event::{
    Attainment, Author, CarriedItem, Event, Owner, PlanState, PostTag, Record, SynthesisPart,
    Verification,
};

/// Every crisis known to this tocsin, and which one is open in each room.
#[derive(Clone, Debug, Default)]
pub struct World {
    pub crises: BTreeMap<String, Crisis>,
    /// Room id → id of the crisis open there.
    open: HashMap<String, String>,
    /// Animation room id → ids of the open exercises it drives, in link
    /// order (several in a regional exercise, one per establishment).
    animation: HashMap<String, Vec<String>>,
    /// The establishment's improvement plan, across crises and exercises.
    pub plan: Vec<PlanItem>,
    /// Moves of items whose chain has not been replayed yet (chains replay
    /// one after the other, not in time order).
    plan_pending: Vec<(String, PlanMove)>,
}

impl World {
    /// The crisis open in a room, if any.
    pub fn open_in(&self, room: &str) -> Option<&Crisis> {
        self.open.get(room).and_then(|id| self.crises.get(id))
    }

    pub fn crisis(&self, id: &str) -> Option<&Crisis> {
        self.crises.get(id)
    }

    /// The open crisis that sent stimuli to a player in this direct chat.
    pub fn direct_from(&self, room: &str) -> Option<&Crisis> {
        // The same player's direct chat may serve two exercises: the latest opened wins.
        self.crises
            .values()
            .rev()
            .filter(|c| c.closed_at.is_none())
            .find(|c| c.direct_rooms.contains(room))
    }

    /// The open exercises a room animates, in link order: none unless it
    /// is an animation room, several in a regional exercise.
    pub fn animated_from(&self, room: &str) -> Vec<&Crisis> {
        let mut driven: Vec<&Crisis> = self
            .animation
            .get(room)
            .into_iter()
            .flatten()
            .filter_map(|id| self.crises.get(id))
            .collect();
        // Chains replay one after the other: link order is the links' time.
        driven.sort_by_key(|c| c.run.as_ref().map(|r| r.linked_at));
        driven
    }

    /// The open exercises `room` proposed to animate, waiting for their
    /// players' consent, with each proposal.
    pub fn proposed_from<'w>(
        &'w self,
        room: &'w str,
    ) -> impl Iterator<Item = (&'w Crisis, &'w LinkProposal)> + 'w {
        self.crises.values().filter_map(move |c| {
            let p = c.link_proposal.as_ref()?;
            (c.closed_at.is_none() && p.animation_room == room).then_some((c, p))
        })
    }

    /// The latest regional exercise animated from `room`, closed
    /// establishments included, in link order: the exercises linked from it
    /// whose time linked (from the link to the close) overlaps, one after
    /// the other. Computed from each run's times, so the order in which
    /// chains replay does not matter.
    pub fn regional_session(&self, room: &str) -> Vec<&Crisis> {
        let mut linked: Vec<&Crisis> = self
            .crises
            .values()
            .filter(|c| c.run.as_ref().is_some_and(|r| r.animation_room == room))
            .collect();
        linked.sort_by_key(|c| c.run.as_ref().map(|r| r.linked_at));
        let mut session: Vec<&Crisis> = Vec::new();
        let mut until: Option<DateTime<Utc>> = None;
        for crisis in linked {
            let Some(run) = &crisis.run else { continue };
            // Still open, or closed after this one was linked: the same session.
            let overlaps = session.is_empty() || until.is_none_or(|end| end > run.linked_at);
            if !overlaps {
                session.clear();
            }
            let end = crisis.closed_at;
            until = match (overlaps && !session.is_empty(), until, end) {
                (false, _, end) => end,
                (true, None, _) | (true, _, None) => None,
                (true, Some(a), Some(b)) => Some(a.max(b)),
            };
            session.push(crisis);
        }
        session
    }

    /// An item of the register by its id (`p3` or `P3`); the latest one if an
    /// old journal numbered items per crisis.
    pub fn plan_item(&self, id: &str) -> Option<&PlanItem> {
        self.plan
            .iter()
            .rev()
            .find(|p| p.item.eq_ignore_ascii_case(id))
    }

    /// The id of the next item of the register: numbered across it.
    pub fn next_plan_id(&self) -> String {
        let n = self
            .plan
            .iter()
            .filter_map(|p| p.item.strip_prefix('P')?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        format!("P{}", n + 1)
    }

    /// The register's side of a record: items opened and moved.
    fn apply_plan(&mut self, record: &Record) {
        match &record.event {
            Event::Improvement {
                reference,
                text,
                owner,
                due,
            } => {
                let mut item = PlanItem {
                    item: reference.clone(),
                    crisis: record.crisis.clone(),
                    text: text.clone(),
                    owner: owner.clone(),
                    due: *due,
                    opened_at: record.occurred_at,
                    moves: Vec::new(),
                };
                let (mine, others) = std::mem::take(&mut self.plan_pending)
                    .into_iter()
                    .partition(|(id, _)| *id == item.item);
                self.plan_pending = others;
                item.moves.extend(mine.into_iter().map(|(_, m)| m));
                item.moves.sort_by_key(|m| m.at);
                self.plan.push(item);
            }
            Event::PlanMoved { item, state, note } => {
                let moved = PlanMove {
                    at: record.occurred_at,
                    by: record.author.id.clone(),
                    crisis: record.crisis.clone(),
                    state: *state,
                    note: note.clone(),
                };
                match self
                    .plan
                    .iter_mut()
                    .rev()
                    .find(|p| p.item.eq_ignore_ascii_case(item))
                {
                    Some(p) => {
                        p.moves.push(moved);
                        p.moves.sort_by_key(|m| m.at);
                    }
                    None => self.plan_pending.push((item.clone(), moved)),
                }
            }
            _ => {}
        }
    }

    /// A `crisis_opened` record: a new crisis, open in its room.
    fn open_crisis(&mut self, record: &Record) {
        let Event::CrisisOpened {
            room,
            playbook,
            playbook_version,
            exercise,
        } = &record.event
        else {
            return;
        };
        let crisis = Crisis {
            id: record.crisis.clone(),
            room: room.clone(),
            playbook: playbook.clone(),
            playbook_version: playbook_version.clone(),
            exercise: *exercise,
            opened_at: record.occurred_at,
            opened_by: record.author.clone(),
            closed_at: None,
            last_seq: 0,
            roles: BTreeMap::new(),
            infos: Vec::new(),
            decisions: Vec::new(),
            actions: Vec::new(),
            corrections: Vec::new(),
            notes: Vec::new(),
            files: Vec::new(),
            links: Vec::new(),
            by_source: HashMap::new(),
            direct_rooms: BTreeSet::new(),
            redacted: Vec::new(),
            gaps: 0,
            undelivered: 0,
            procedures: BTreeMap::new(),
            clocks: BTreeMap::new(),
            reminded: HashMap::new(),
            point_cadence: None,
            points: Vec::new(),
            leads: vec![(record.author.id.clone(), record.occurred_at)],
            handover: None,
            comchecks: Vec::new(),
            posted: HashMap::new(),
            n_entries: 0,
            run: None,
            link_proposal: None,
            observations: Vec::new(),
            retex: None,
            improvements: Vec::new(),
            assessments: Vec::new(),
            synthesis: Vec::new(),
            carried: Vec::new(),
            plan_moves: Vec::new(),
        };
        // Only one crisis is open per room; a closed one replayed later must not hide it.
        let current_open = self
            .open
            .get(room)
            .and_then(|id| self.crises.get(id))
            .is_some_and(|c| c.closed_at.is_none());
        if !current_open {
            self.open.insert(room.clone(), record.crisis.clone());
        }
        self.crises.insert(record.crisis.clone(), crisis);
    }

    /// Applies one durable record.
    #[expect(
        clippy::too_many_lines,
        reason = "a flat match: one arm per event kind, each a few lines of state"
    )]
    pub fn apply(&mut self, record: &Record) {
        if let Event::CrisisOpened { .. } = &record.event {
            self.open_crisis(record);
        }
        self.apply_plan(record);
        let Some(crisis) = self.crises.get_mut(&record.crisis) else {
            // A record of an unknown crisis cannot come from a verified journal,
            // whose chains all start with `crisis_opened`.
            return;
        };
        crisis.last_seq = record.seq;
        crisis.n_entries += 1;
        if let Some(reference) = record.event.reference() {
            for to in &record.links {
                crisis.link(reference, to);
            }
            // A consigned message is known by its own event id too: never recorded twice.
            for source in record.source.iter().chain(&record.quotes) {
                crisis
                    .by_source
                    .insert(source.clone(), reference.to_owned());
            }
        }
        match &record.event {
            Event::CrisisOpened { .. } => {}
            Event::CrisisClosed {} => {
                crisis.closed_at = Some(record.occurred_at);
                if self.open.get(&crisis.room) == Some(&crisis.id) {
                    self.open.remove(&crisis.room);
                }
                if let Some(run) = &crisis.run
                    && let Some(driven) = self.animation.get_mut(&run.animation_room)
                {
                    driven.retain(|id| *id != crisis.id);
                    if driven.is_empty() {
                        self.animation.remove(&run.animation_room);
                    }
                }
            }
            Event::Info { reference, text } => crisis.infos.push(InfoItem {
                reference: reference.clone(),
                text: text.clone(),
                status: Verification::ToCheck,
                at: record.occurred_at,
            }),
            Event::Verification { target, status } => {
                if let Some(info) = crisis.infos.iter_mut().find(|i| &i.reference == target) {
                    info.status = *status;
                }
            }
            Event::Decision {
                reference,
                text,
                rationale,
                decided_by,
                trigger,
            } => {
                crisis.decisions.push(DecisionItem {
                    reference: reference.clone(),
                    text: text.clone(),
                    rationale: rationale.clone(),
                    at: record.occurred_at,
                    by: record.author.clone(),
                    decided_by: decided_by.clone(),
                });
                if let Some(to) = trigger {
                    crisis.link(reference, to);
                }
            }
            Event::Link { from, to } => crisis.link(from, to),
            Event::Action {
                reference,
                text,
                owner,
                due,
            } => crisis.actions.push(ActionItem {
                reference: reference.clone(),
                text: text.clone(),
                owner: owner.clone(),
                due: *due,
                done_at: None,
                at: record.occurred_at,
            }),
            Event::ActionDone { target } => {
                if let Some(action) = crisis.actions.iter_mut().find(|a| &a.reference == target) {
                    action.done_at = Some(record.occurred_at);
                }
            }
            Event::RoleAssigned { role, user } => {
                crisis.roles.insert(role.clone(), user.clone());
            }
            // Evidence only: membership is the room's.
            Event::Invited { .. } => {}
            Event::Correction {
                reference,
                target,
                text,
            } => crisis.corrections.push(CorrectionItem {
                reference: reference.clone(),
                target: target.clone(),
                text: text.clone(),
            }),
            Event::Redaction { target, .. } => crisis.redacted.push(target.clone()),
            Event::Gap { .. } => crisis.gaps += 1,
            Event::Undelivered { .. } => crisis.undelivered += 1,
            Event::MemberJoined {} => {}
            Event::Note { reference, text } => crisis.notes.push(NoteItem {
                reference: reference.clone(),
                text: text.clone(),
                at: record.occurred_at,
                by: record.author.clone(),
            }),
            Event::File {
                reference,
                name,
                sha256,
                ..
            } => crisis.files.push(FileItem {
                reference: reference.clone(),
                name: name.clone(),
                sha256: sha256.clone(),
                at: record.occurred_at,
                by: record.author.clone(),
            }),
            Event::ProcedureStarted { procedure } => {
                crisis.procedures.insert(
                    procedure.clone(),
                    ProcedureRun {
                        started_at: record.occurred_at,
                        ..ProcedureRun::default()
                    },
                );
            }
            Event::StepDone { procedure, step } => {
                if let Some(run) = crisis.procedures.get_mut(procedure) {
                    run.done
                        .insert(*step, (record.occurred_at, record.author.name.clone()));
                }
            }
            Event::StepSkipped {
                procedure,
                step,
                reason,
            } => {
                if let Some(run) = crisis.procedures.get_mut(procedure) {
                    run.skipped.insert(*step, reason.clone());
                }
            }
            Event::StepAssigned {
                procedure,
                step,
                user,
            } => {
                if let Some(run) = crisis.procedures.get_mut(procedure) {
                    run.assigned.insert(*step, user.clone());
                }
            }
            Event::ClockDone { clock, stage } => {
                let state = crisis.clocks.entry(clock.clone()).or_default();
                let stage = stage.unwrap_or(1);
                state.done.insert(stage, record.occurred_at);
                state.met.push(record.occurred_at);
                state.warned.remove(&stage);
            }
            Event::ClockWarning {
                clock,
                left_minutes,
                stage,
            } => {
                let state = crisis.clocks.entry(clock.clone()).or_default();
                state.warned.insert(stage.unwrap_or(1), *left_minutes);
            }
            Event::ClockAnchored { clock, at, entry } => {
                let state = crisis.clocks.entry(clock.clone()).or_default();
                state.anchor = Some((*at, entry.clone()));
                // The deadlines moved: their warnings start over.
                state.warned.clear();
            }
            Event::ClockActivated { clock, from, entry } => {
                let state = crisis.clocks.entry(clock.clone()).or_default();
                state.activated = Some(record.occurred_at);
                if let Some(from) = from {
                    state.anchor = Some((*from, entry.clone()));
                }
                state.warned.clear();
            }
            Event::ClockStopped { clock, reason } => {
                let state = crisis.clocks.entry(clock.clone()).or_default();
                state.stopped = Some((record.occurred_at, reason.clone()));
            }
            Event::Reminder { target, .. } => {
                crisis.reminded.insert(target.clone(), record.recorded_at);
            }
            Event::PointCadence { every_minutes } => crisis.point_cadence = Some(*every_minutes),
            Event::SituationPoint { .. } => crisis.points.push(record.recorded_at),
            Event::HandoverStarted { from, to } => {
                crisis.handover = Some(Handover {
                    from: from.clone(),
                    to: to.clone(),
                    at: record.occurred_at,
                    seq: record.seq,
                });
            }
            Event::HandoverAcknowledged { by } => {
                crisis.handover = None;
                crisis.leads.push((by.clone(), record.occurred_at));
            }
            Event::ComcheckStarted { number, text } => {
                let mut expected: Vec<String> = crisis.roles.values().cloned().collect();
                expected.sort();
                expected.dedup();
                crisis.comchecks.push(Comcheck {
                    number: *number,
                    text: text.clone(),
                    at: record.occurred_at,
                    expected,
                    acknowledged: Vec::new(),
                });
            }
            Event::ComcheckAcknowledged { number, by } => {
                if let Some(check) = crisis.comchecks.iter_mut().find(|c| c.number == *number)
                    && !check.acknowledged.contains(by)
                {
                    check.acknowledged.push(by.clone());
                }
            }
            Event::Posted {
                tag,
                event_id,
                room,
            } => {
                crisis.posted.insert(tag.clone(), event_id.clone());
                if let Some(room) = room
                    && *room != crisis.room
                {
                    crisis.direct_rooms.insert(room.clone());
                }
            }
            Event::ExerciseLinkProposed {
                animation_room,
                scenario,
                scenario_version,
                code_name,
                auto,
                site,
            } => {
                crisis.link_proposal = Some(LinkProposal {
                    animation_room: animation_room.clone(),
                    scenario: scenario.clone(),
                    scenario_version: scenario_version.clone(),
                    code_name: code_name.clone(),
                    auto: *auto,
                    site: site.clone(),
                });
            }
            Event::ExerciseLinkDeclined { .. } => crisis.link_proposal = None,
            Event::ExerciseLinked {
                animation_room,
                scenario,
                scenario_version,
                code_name,
                auto,
                site,
            } => {
                crisis.link_proposal = None;
                crisis.run = Some(ExerciseRun {
                    animation_room: animation_room.clone(),
                    scenario: scenario.clone(),
                    scenario_version: scenario_version.clone(),
                    code_name: code_name.clone(),
                    auto: *auto,
                    site: site.clone(),
                    linked_at: record.occurred_at,
                    ..ExerciseRun::default()
                });
                // Chains replay one crisis after the other, not in time order:
                // an exercise closed later in its chain leaves the room then.
                if crisis.closed_at.is_none() {
                    let driven = self.animation.entry(animation_room.clone()).or_default();
                    if !driven.contains(&crisis.id) {
                        driven.push(crisis.id.clone());
                    }
                }
            }
            Event::ExerciseMode { auto } => {
                if let Some(run) = &mut crisis.run {
                    run.auto = *auto;
                }
            }
            Event::ExerciseStarted {} => {
                if let Some(run) = &mut crisis.run {
                    run.started_at = Some(record.occurred_at);
                }
            }
            Event::ExercisePaused {} => {
                if let Some(run) = &mut crisis.run {
                    run.paused_since.get_or_insert(record.occurred_at);
                }
            }
            Event::ExerciseStopped { .. } => {
                if let Some(run) = &mut crisis.run {
                    run.paused_since.get_or_insert(record.occurred_at);
                    run.stops
                        .push((record.occurred_at, record.author.name.clone()));
                    run.stopped = true;
                }
            }
            Event::ExerciseResumed {} => {
                if let Some(run) = &mut crisis.run {
                    if let Some(since) = run.paused_since.take() {
                        run.paused_total += (record.occurred_at - since).max(TimeDelta::zero());
                        run.pauses.push((since, record.occurred_at.max(since)));
                    }
                    run.stopped = false;
                }
            }
            Event::ExerciseEnded {} => {
                if let Some(run) = &mut crisis.run {
                    run.ended_at = Some(record.occurred_at);
                }
            }
            Event::InjectPlayed {
                inject,
                adhoc,
                manual,
                ..
            } => {
                if let Some(run) = &mut crisis.run {
                    let t_plus = run.clock(record.occurred_at);
                    run.played.push(Played {
                        inject: inject.clone(),
                        at: record.occurred_at,
                        t_plus,
                        adhoc: *adhoc,
                        manual: *manual,
                    });
                }
            }
            Event::InjectSkipped { inject, reason } => {
                if let Some(run) = &mut crisis.run {
                    run.skipped
                        .insert(inject.clone(), (record.occurred_at, reason.clone()));
                }
            }
            Event::InjectDelayed { inject, minutes } => {
                if let Some(run) = &mut crisis.run {
                    let delta = TimeDelta::minutes(*minutes);
                    match inject {
                        Some(id) => *run.delays.entry(id.clone()).or_default() += delta,
                        None => run.shift += delta,
                    }
                }
            }
            Event::ReactionMarked { inject, met } => {
                if let Some(run) = &mut crisis.run {
                    run.marks.insert(inject.clone(), *met);
                }
            }
            Event::Observation {
                reference,
                text,
                inject,
                objective,
            } => crisis.observations.push(ObservationItem {
                reference: reference.clone(),
                text: text.clone(),
                inject: inject.clone(),
                objective: objective.clone(),
                at: record.occurred_at,
                by: record.author.clone(),
            }),
            Event::RetexStarted {} => {
                crisis.retex = Some(Retex {
                    started_at: record.occurred_at,
                    topic: 1,
                    ended_at: None,
                    contributions: Vec::new(),
                });
            }
            Event::RetexTopic { number } => {
                if let Some(retex) = &mut crisis.retex {
                    retex.topic = *number;
                }
            }
            Event::RetexContribution { topic, text } => {
                if let Some(retex) = &mut crisis.retex {
                    retex.contributions.push(Contribution {
                        topic: *topic,
                        text: text.clone(),
                        at: record.occurred_at,
                        by: record.author.clone(),
                    });
                }
            }
            Event::RetexEnded {} => {
                if let Some(retex) = &mut crisis.retex {
                    retex.ended_at = Some(record.occurred_at);
                }
            }
            Event::PlanMoved { item, state, note } => crisis.plan_moves.push((
                item.clone(),
                PlanMove {
                    at: record.occurred_at,
                    by: record.author.id.clone(),
                    crisis: record.crisis.clone(),
                    state: *state,
                    note: note.clone(),
                },
            )),
            Event::PlanCarried { items } => crisis.carried.clone_from(items),
            Event::Improvement {
                reference,
                text,
                owner,
                due,
            } => crisis.improvements.push(ImprovementItem {
                reference: reference.clone(),
                text: text.clone(),
                owner: owner.clone(),
                due: *due,
                at: record.occurred_at,
            }),
            Event::ObjectiveAssessed {
                objective,
                result,
                comment,
            } => crisis.assessments.push(AssessmentItem {
                objective: objective.clone(),
                result: *result,
                comment: comment.clone(),
                at: record.occurred_at,
                by: record.author.clone(),
            }),
            Event::SynthesisNote { part, text } => crisis.synthesis.push(SynthesisItem {
                part: *part,
                text: text.clone(),
                at: record.occurred_at,
                by: record.author.clone(),
            }),
        }
    }
}

/// What `!animer` proposed, until the players' lead accepts or declines it.
#[derive(Clone, Debug, Default)]
pub struct LinkProposal {
    pub animation_room: String,
    pub scenario: String,
    pub scenario_version: String,
    pub code_name: String,
    pub auto: bool,
    pub site: Option<String>,
}

/// An exercise as played so far: linked, started, paused, injects played.
#[derive(Clone, Debug, Default)]
pub struct ExerciseRun {
    pub animation_room: String,
    pub scenario: String,
    pub scenario_version: String,
    pub code_name: String,
    pub auto: bool,
    /// The establishment's label in a regional exercise.
    pub site: Option<String>,
    pub linked_at: DateTime<Utc>,
    /// DEBEX.
    pub started_at: Option<DateTime<Utc>>,
    /// FINEX.
    pub ended_at: Option<DateTime<Utc>>,
    /// The exercise clock is stopped since then (a pause or a stop).
    pub paused_since: Option<DateTime<Utc>>,
    /// The stop phrase froze play; only a facilitator resumes.
    pub stopped: bool,
    /// Every stop: when, and who typed the phrase.
    pub stops: Vec<(DateTime<Utc>, String)>,
    /// Time the clock stood still, pauses and stops together.
    pub paused_total: TimeDelta,
    /// Every pause or stop that ended: from, to.
    pub pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Delay applied to every inject still to come.
    pub shift: TimeDelta,
    /// Extra delay of single injects.
    pub delays: HashMap<String, TimeDelta>,
    pub played: Vec<Played>,
    /// Inject → when it was skipped, and why.
    pub skipped: HashMap<String, (DateTime<Utc>, Option<String>)>,
    /// Inject → whether a facilitator judged the expected reaction met.
    pub marks: HashMap<String, bool>,
}

/// An inject that reached the players.
#[derive(Clone, Debug)]
pub struct Played {
    pub inject: String,
    pub at: DateTime<Utc>,
    /// The exercise clock when it was played.
    pub t_plus: TimeDelta,
    pub adhoc: bool,
    pub manual: bool,
}

impl ExerciseRun {
    /// How the animation room names this establishment: its site label, or
    /// the crisis id when it was linked without one.
    pub fn label<'a>(&'a self, crisis: &'a str) -> &'a str {
        self.site.as_deref().unwrap_or(crisis)
    }

    /// The exercise clock at `now`: time since DEBEX, pauses left out.
    pub fn clock(&self, now: DateTime<Utc>) -> TimeDelta {
        let Some(start) = self.started_at else {
            return TimeDelta::zero();
        };
        let end = self.ended_at.map_or(now, |e| e.min(now));
        let paused_now = self.paused_since.map_or(TimeDelta::zero(), |since| {
            (end - since).max(TimeDelta::zero())
        });
        (end - start - self.paused_total - paused_now).max(TimeDelta::zero())
    }

    pub fn running(&self) -> bool {
        self.started_at.is_some() && self.ended_at.is_none() && self.paused_since.is_none()
    }

    /// In play: after DEBEX, before FINEX (paused or not).
    pub fn in_play(&self) -> bool {
        self.started_at.is_some() && self.ended_at.is_none()
    }

    pub fn played(&self, inject: &str) -> Option<&Played> {
        self.played.iter().find(|p| p.inject == inject)
    }

    /// Played or skipped.
    pub fn is_closed(&self, inject: &str) -> bool {
        self.played(inject).is_some() || self.skipped.contains_key(inject)
    }

    /// When a closed inject was closed.
    pub fn closed_at(&self, inject: &str) -> Option<DateTime<Utc>> {
        self.played(inject)
            .map(|p| p.at)
            .or_else(|| self.skipped.get(inject).map(|(at, _)| *at))
    }

    /// The wall-clock time an exercise-clock offset (delays included) falls at, while running.
    pub fn wall_time(&self, offset: TimeDelta) -> Option<DateTime<Utc>> {
        let start = self.started_at?;
        if !self.running() {
            return None;
        }
        Some(start + self.paused_total + offset)
    }

    /// The number the next ad-hoc inject takes (`x1`, `x2`…).
    pub fn next_adhoc(&self) -> String {
        format!("x{}", self.played.iter().filter(|p| p.adhoc).count() + 1)
    }
}

#[derive(Clone, Debug)]
pub struct ObservationItem {
    pub reference: String,
    pub text: String,
    pub inject: Option<String>,
    pub objective: Option<String>,
    pub at: DateTime<Utc>,
    pub by: Author,
}

/// The hot debrief.
#[derive(Clone, Debug)]
pub struct Retex {
    pub started_at: DateTime<Utc>,
    /// The current topic (from 1).
    pub topic: u32,
    pub ended_at: Option<DateTime<Utc>>,
    pub contributions: Vec<Contribution>,
}

#[derive(Clone, Debug)]
pub struct Contribution {
    pub topic: u32,
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: Author,
}

#[derive(Clone, Debug)]
pub struct ImprovementItem {
    pub reference: String,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub at: DateTime<Utc>,
}

/// A facilitators' judgement on an objective.
#[derive(Clone, Debug)]
pub struct AssessmentItem {
    pub objective: String,
    pub result: Attainment,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    pub by: Author,
}

/// A line of the facilitators' synthesis.
#[derive(Clone, Debug)]
pub struct SynthesisItem {
    pub part: SynthesisPart,
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: Author,
}

/// One crisis, as the journal says it stands.
#[derive(Clone, Debug)]
pub struct Crisis {
    pub id: String,
    pub room: String,
    pub playbook: String,
    pub playbook_version: String,
    pub exercise: bool,
    pub opened_at: DateTime<Utc>,
    pub opened_by: Author,
    pub closed_at: Option<DateTime<Utc>>,
    /// Seq of the last record; the next one is `last_seq + 1`.
    pub last_seq: u64,
    /// Role id → user id of its current holder.
    pub roles: BTreeMap<String, String>,
    pub infos: Vec<InfoItem>,
    pub decisions: Vec<DecisionItem>,
    pub actions: Vec<ActionItem>,
    pub corrections: Vec<CorrectionItem>,
    /// Entry → what it answers (entries, or injects in an exercise), in order.
    pub links: Vec<(String, String)>,
    /// Messages and files said in the room and put on record.
    pub notes: Vec<NoteItem>,
    pub files: Vec<FileItem>,
    /// Chat event id → the reference of the entry it created.
    pub by_source: HashMap<String, String>,
    /// References whose chat message was redacted.
    pub redacted: Vec<String>,
    pub gaps: u64,
    /// tocsin's messages the homeserver refused for good.
    pub undelivered: u64,
    /// Started procedures by id.
    pub procedures: BTreeMap<String, ProcedureRun>,
    /// Clock id → what the cell did with it (met, re-anchored, activated,
    /// stopped) and the warnings given; a clock nobody touched has no entry.
    pub clocks: BTreeMap<String, ClockState>,
    /// Reminder target → when the last reminder went out.
    pub reminded: HashMap<String, DateTime<Utc>>,
    /// Situation-point cadence set in the room (minutes; 0 = none), over the playbook's.
    pub point_cadence: Option<i64>,
    pub points: Vec<DateTime<Utc>>,
    /// Who held the cell, and since when: (user, since), in order.
    pub leads: Vec<(String, DateTime<Utc>)>,
    pub handover: Option<Handover>,
    pub comchecks: Vec<Comcheck>,
    /// Tag → event id of messages tocsin posted and may edit or watch.
    pub posted: HashMap<PostTag, String>,
    /// Direct chats where tocsin sent this exercise's stimuli to one player.
    pub direct_rooms: BTreeSet<String>,
    pub n_entries: u64,
    /// The exercise being played, once an animation room is linked.
    pub run: Option<ExerciseRun>,
    /// An animation room's proposal to animate, waiting for the players' lead.
    pub link_proposal: Option<LinkProposal>,
    pub observations: Vec<ObservationItem>,
    pub retex: Option<Retex>,
    pub improvements: Vec<ImprovementItem>,
    /// The facilitators' judgements on objectives, in order (the last per objective stands).
    pub assessments: Vec<AssessmentItem>,
    pub synthesis: Vec<SynthesisItem>,
    /// The register's items still open when it opened, as they stood.
    pub carried: Vec<CarriedItem>,
    /// Items of the register moved on here: (item, move).
    pub plan_moves: Vec<(String, PlanMove)>,
}

/// One item of the establishment's improvement plan.
#[derive(Clone, Debug)]
pub struct PlanItem {
    pub item: String,
    /// The crisis or exercise that opened it.
    pub crisis: String,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub opened_at: DateTime<Utc>,
    /// How it moved on, in time order.
    pub moves: Vec<PlanMove>,
}

impl PlanItem {
    pub fn state(&self) -> PlanState {
        self.moves.last().map_or(PlanState::Todo, |m| m.state)
    }

    /// The proof of closure or the reason for dropping it, once closed.
    pub fn closing_note(&self) -> Option<&str> {
        self.moves
            .last()
            .filter(|m| !m.state.is_open())
            .and_then(|m| m.note.as_deref())
    }
}

/// An item of the plan moved on: when, by whom, where, to what, and why.
#[derive(Clone, Debug)]
pub struct PlanMove {
    pub at: DateTime<Utc>,
    pub by: String,
    pub crisis: String,
    pub state: PlanState,
    pub note: Option<String>,
}

/// A playbook clock in a crisis, as the journal says it stands.
#[derive(Clone, Debug, Default)]
pub struct ClockState {
    /// It counts from this time (the awareness) rather than the opening, and
    /// the entry that time was read from.
    pub anchor: Option<(DateTime<Utc>, Option<String>)>,
    /// When the cell activated it (a conditional clock).
    pub activated: Option<DateTime<Utc>>,
    /// Stage (from 1) → when it was met.
    pub done: BTreeMap<usize, DateTime<Utc>>,
    /// Every time it was met, in order: the occurrences of a recurring clock.
    pub met: Vec<DateTime<Utc>>,
    /// Stage → the smallest time left (minutes) already warned about.
    pub warned: BTreeMap<usize, i64>,
    /// The cell stopped it: when, and why.
    pub stopped: Option<(DateTime<Utc>, Option<String>)>,
}

/// A handover waiting for the incoming lead.
#[derive(Clone, Debug)]
pub struct Handover {
    pub from: String,
    pub to: String,
    pub at: DateTime<Utc>,
    /// Seq of the `handover_started` entry; names the handover message (`handover:<seq>`).
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub struct Comcheck {
    pub number: u32,
    pub text: String,
    pub at: DateTime<Utc>,
    /// Who had to answer: the role holders when it was sent.
    pub expected: Vec<String>,
    pub acknowledged: Vec<String>,
}

impl Crisis {
    /// The exercise is paused or stopped right now: follow-up stands still with it.
    pub fn frozen(&self) -> bool {
        self.run
            .as_ref()
            .is_some_and(|r| r.in_play() && r.paused_since.is_some())
    }

    /// A follow-up due at `due`, counted from `from`, once the exercise's
    /// pauses are added: every pause (or stop) that began after `from` and
    /// before the deadline, as moved by the pauses before it, pushes it back
    /// by its whole length, since the follow-up's time stood still with it.
    pub fn shifted(&self, from: DateTime<Utc>, due: DateTime<Utc>) -> DateTime<Utc> {
        let Some(run) = &self.run else {
            return due;
        };
        // Pauses come in order and do not overlap: one pass is enough.
        let mut at = due;
        for (start, end) in &run.pauses {
            let start = (*start).max(from);
            if start >= at {
                break;
            }
            at += (*end - start).max(TimeDelta::zero());
        }
        at
    }

    /// The roles a user holds, in the order given.
    pub fn roles_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.roles
            .iter()
            .filter(move |(_, u)| u.as_str() == user)
            .map(|(r, _)| r.as_str())
    }

    /// What a reference points at.
    pub fn lookup(&self, reference: &str) -> Option<RefKind> {
        if self.infos.iter().any(|i| i.reference == reference) {
            Some(RefKind::Info)
        } else if self.decisions.iter().any(|d| d.reference == reference) {
            Some(RefKind::Decision)
        } else if self.actions.iter().any(|a| a.reference == reference) {
            Some(RefKind::Action)
        } else if self.corrections.iter().any(|c| c.reference == reference) {
            Some(RefKind::Correction)
        } else if self.notes.iter().any(|n| n.reference == reference) {
            Some(RefKind::Note)
        } else if self.files.iter().any(|f| f.reference == reference) {
            Some(RefKind::File)
        } else {
            None
        }
    }

    /// Notes that `from` answers `to` (once).
    fn link(&mut self, from: &str, to: &str) {
        let link = (from.to_owned(), to.to_owned());
        if !self.links.contains(&link) {
            self.links.push(link);
        }
    }

    /// The entries that answer `to`: explicit links, decisions' triggers,
    /// replies to an inject's message, mentions of its id.
    pub fn answers_to<'a>(&'a self, to: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.links
            .iter()
            .filter(move |(_, t)| t.eq_ignore_ascii_case(to))
            .map(|(from, _)| from.as_str())
    }

    /// An entry (`I3`, `d2`) or a played inject (`i05`), spelled as recorded.
    /// An inject id typed exactly wins over an entry (`i1` is the inject, `I1`
    /// the information, when a scenario names its injects so).
    pub fn resolve_target(&self, target: &str) -> Option<String> {
        let played = self.run.iter().flat_map(|run| &run.played);
        if let Some(p) = played.clone().find(|p| p.inject == target) {
            return Some(p.inject.clone());
        }
        let upper = target.to_uppercase();
        if self.lookup(&upper).is_some() {
            return Some(upper);
        }
        played
            .into_iter()
            .find(|p| p.inject.eq_ignore_ascii_case(target))
            .map(|p| p.inject.clone())
    }

    /// When an entry was recorded as having happened, by its reference.
    pub fn time_of(&self, reference: &str) -> Option<DateTime<Utc>> {
        let infos = self.infos.iter().map(|i| (&i.reference, i.at));
        let decisions = self.decisions.iter().map(|d| (&d.reference, d.at));
        let actions = self.actions.iter().map(|a| (&a.reference, a.at));
        let notes = self.notes.iter().map(|n| (&n.reference, n.at));
        let files = self.files.iter().map(|f| (&f.reference, f.at));
        infos
            .chain(decisions)
            .chain(actions)
            .chain(notes)
            .chain(files)
            .find(|(r, _)| r.as_str() == reference)
            .map(|(_, at)| at)
    }

    /// The next reference of a kind: `I4` after three informations.
    pub fn next_reference(&self, kind: RefKind) -> String {
        let n = match kind {
            RefKind::Info => self.infos.len(),
            RefKind::Decision => self.decisions.len(),
            RefKind::Action => self.actions.len(),
            RefKind::Correction => self.corrections.len(),
            RefKind::Note => self.notes.len(),
            RefKind::File => self.files.len(),
        };
        format!("{}{}", kind.letter(), n + 1)
    }

    /// The text of an entry as last corrected.
    pub fn current_text<'a>(&'a self, reference: &str, original: &'a str) -> &'a str {
        self.corrections
            .iter()
            .rev()
            .find(|c| c.target == reference)
            .map_or(original, |c| c.text.as_str())
    }

    /// The decision taken last since the opening: a paper note timed before
    /// the opening, or entered late, does not pass for it.
    pub fn latest_decision(&self) -> Option<&DecisionItem> {
        self.decisions
            .iter()
            .filter(|d| d.at >= self.opened_at)
            .max_by_key(|d| d.at)
    }

    pub fn action(&self, reference: &str) -> Option<&ActionItem> {
        self.actions.iter().find(|a| a.reference == reference)
    }

    /// The standing judgement on an objective: the last one given.
    pub fn assessment(&self, objective: &str) -> Option<&AssessmentItem> {
        self.assessments
            .iter()
            .rev()
            .find(|a| a.objective == objective)
    }

    pub fn info(&self, reference: &str) -> Option<&InfoItem> {
        self.infos.iter().find(|i| i.reference == reference)
    }

    /// Open actions, overdue first, then by due time, then in order.
    pub fn open_actions(&self, now: DateTime<Utc>) -> Vec<&ActionItem> {
        let mut open: Vec<&ActionItem> = self
            .actions
            .iter()
            .filter(|a| a.done_at.is_none())
            .collect();
        open.sort_by_key(|a| (!a.is_overdue(now), a.due.is_none(), a.due));
        open
    }
}

/// A procedure started in a crisis, and its ticked steps.
#[derive(Clone, Debug, Default)]
pub struct ProcedureRun {
    pub started_at: DateTime<Utc>,
    /// Step number (from 1) → when and by whom it was done.
    pub done: BTreeMap<usize, (DateTime<Utc>, String)>,
    /// Step number → why it was skipped.
    pub skipped: BTreeMap<usize, String>,
    /// Step number → who it was given to.
    pub assigned: BTreeMap<usize, String>,
}

impl ProcedureRun {
    /// Steps done or skipped.
    pub fn n_closed(&self) -> usize {
        self.done.len() + self.skipped.len()
    }

    pub fn is_closed(&self, step: usize) -> bool {
        self.done.contains_key(&step) || self.skipped.contains_key(&step)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Info,
    Decision,
    Action,
    Correction,
    /// A message consigned (`N1`).
    Note,
    /// A file consigned (`F1`).
    File,
}

impl RefKind {
    pub fn letter(self) -> char {
        match self {
            RefKind::Info => 'I',
            RefKind::Decision => 'D',
            RefKind::Action => 'A',
            RefKind::Correction => 'C',
            RefKind::Note => 'N',
            RefKind::File => 'F',
        }
    }
}

/// A message put on record (`N1`).
#[derive(Clone, Debug)]
pub struct NoteItem {
    pub reference: String,
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: Author,
}

/// A file put on record (`F1`).
#[derive(Clone, Debug)]
pub struct FileItem {
    pub reference: String,
    pub name: String,
    pub sha256: String,
    pub at: DateTime<Utc>,
    pub by: Author,
}

#[derive(Clone, Debug)]
pub struct InfoItem {
    pub reference: String,
    pub text: String,
    pub status: Verification,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct DecisionItem {
    pub reference: String,
    pub text: String,
    pub rationale: Option<String>,
    pub at: DateTime<Utc>,
    /// Who recorded it (and decided it, unless `decided_by` says otherwise).
    pub by: Author,
    pub decided_by: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ActionItem {
    pub reference: String,
    pub text: String,
    pub owner: Option<Owner>,
    pub due: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

impl ActionItem {
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.done_at.is_none() && self.due.is_some_and(|due| due < now)
    }
}

#[derive(Clone, Debug)]
pub struct CorrectionItem {
    pub reference: String,
    pub target: String,
    pub text: String,
}
