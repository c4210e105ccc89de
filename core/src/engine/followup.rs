//! Follow-up commands: procedures and their checklists, actions by owner,
//! situation points, clocks, shift handovers and communication checks.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use super::clock;
use super::command::{Command, Since};
use super::event::{Event, PostTag, Record};
use super::schedule::{self, span};
use super::state::{Crisis, ProcedureRun};
use super::{Ctx, Decision, Effect, Input, base_record, owner_label, previous_occurrence};
use crate::lang::speech::{Speech, msg};
use crate::playbook::{Clock, Playbook, Procedure};

fn ack_and(record: Record, text: impl Into<Speech>, more: Vec<Effect>) -> Decision {
    let mut effects = vec![Effect::Ack(text.into())];
    effects.extend(more);
    Decision {
        records: vec![record],
        effects,
    }
}

/// A ✅ on a handover or comcheck message acknowledges it.
pub fn reaction(crisis: &Crisis, input: &Input, target: &str, key: &str) -> Decision {
    let is_yes = matches!(key.trim_end_matches('\u{fe0f}'), "✅" | "✔" | "👍" | "☑");
    // A message that also said a checkpoint is on record under both tags:
    // the checkpoint's is not the one a ✅ answers.
    let Some((tag, _)) = crisis
        .posted
        .iter()
        .find(|(tag, id)| id.as_str() == target && !matches!(tag, PostTag::Checkpoint(_)))
    else {
        return Decision::default();
    };
    if !is_yes {
        return Decision::default();
    }
    let who = &input.author.id;
    if let Some(handover) = &crisis.handover
        && *tag == PostTag::Handover(handover.seq)
        && &handover.to == who
    {
        return handover_acknowledged(crisis, input);
    }
    if let PostTag::Comcheck(number) = *tag
        && let Some(check) = crisis.comchecks.iter().find(|c| c.number == number)
        && !check.acknowledged.contains(who)
    {
        let record = base_record(
            crisis,
            input,
            Event::ComcheckAcknowledged {
                number,
                by: who.clone(),
            },
        );
        return Decision {
            records: vec![record],
            effects: Vec::new(),
        };
    }
    Decision::default()
}

fn handover_acknowledged(crisis: &Crisis, input: &Input) -> Decision {
    let from = crisis
        .handover
        .as_ref()
        .map(|h| h.from.clone())
        .unwrap_or_default();
    let text = msg!("handover-done", who = &input.author.id, from = &from);
    let record = base_record(
        crisis,
        input,
        Event::HandoverAcknowledged {
            by: input.author.id.clone(),
        },
    );
    Decision {
        records: vec![record],
        effects: vec![Effect::Post {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            text: text.into(),
            tag: None,
        }],
    }
}

impl Ctx<'_> {
    fn find_procedure<'p>(
        &self,
        playbook: Option<&'p Playbook>,
        id: &str,
    ) -> Result<&'p Procedure, String> {
        let Some(pb) = playbook else {
            return Err(self.say(msg!("playbook-not-loaded")));
        };
        pb.procedure(id).ok_or_else(|| {
            let ids: Vec<&str> = pb.procedures.iter().map(|p| p.id.as_str()).collect();
            self.say(msg!("proc-unknown", id, procedures = ids.join(", ")))
        })
    }

    pub(super) fn procedure_list(&self, crisis: &Crisis, playbook: Option<&Playbook>) -> String {
        let Some(pb) = playbook else {
            return self.say(msg!("playbook-not-loaded"));
        };
        let mut out = self.say(msg!("proc-list-head", p = self.p()));
        for proc in &pb.procedures {
            let progress = match crisis.procedures.get(&proc.id) {
                Some(run) => format!("{}/{}", run.n_closed(), proc.steps.len()),
                None => self.say(msg!("proc-not-started")),
            };
            out.push_str(&format!(
                "\n• {} — {} · {progress}",
                proc.id,
                proc.title.get(self.lang)
            ));
        }
        out
    }

    /// The checklist of a procedure, as posted and then edited in place.
    fn checklist(&self, crisis: &Crisis, proc: &Procedure, run: &ProcedureRun) -> String {
        let holder = crisis
            .roles
            .get(&proc.owner)
            .map(|u| format!(" → {u}"))
            .unwrap_or_default();
        let mut out = self.say(msg!(
            "checklist-head",
            id = &proc.id,
            title = proc.title.get(self.lang),
            owner = &proc.owner,
            holder = &holder
        ));
        for (idx, step) in proc.steps.iter().enumerate() {
            let n = idx + 1;
            let (mark, note) = match (run.done.get(&n), run.skipped.get(&n)) {
                (Some((at, by)), _) => (
                    "☑",
                    format!(
                        " — {} {} ({by})",
                        self.say(msg!("step-done-word")),
                        self.hm(*at)
                    ),
                ),
                (None, Some(reason)) => (
                    "⊘",
                    format!(" — {} : {reason}", self.say(msg!("step-skipped-word"))),
                ),
                (None, None) => {
                    let mut note = String::new();
                    if let Some(due) = step.due {
                        note.push_str(&format!(
                            " · {} {}",
                            self.say(msg!("step-by-word")),
                            self.hm(run.started_at + due)
                        ));
                    }
                    if let Some(user) = run.assigned.get(&n) {
                        note.push_str(&format!(" · {user}"));
                    }
                    ("☐", note)
                }
            };
            out.push_str(&format!("\n{mark} {n}. {}{note}", step.text.get(self.lang)));
        }
        out.push_str(&format!(
            "\n{}",
            self.say(msg!(
                "checklist-progress",
                closed = run.n_closed(),
                total = proc.steps.len(),
                p = self.p(),
                id = &proc.id
            ))
        ));
        out
    }

    fn post(&self, crisis: &Crisis, text: impl Into<Speech>, tag: Option<PostTag>) -> Effect {
        Effect::Post {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            text: text.into(),
            tag,
        }
    }

    pub(super) fn start_procedure(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let proc = match self.find_procedure(playbook, id) {
            Ok(proc) => proc,
            Err(refusal) => return Decision::refuse(refusal),
        };
        if let Some(run) = crisis.procedures.get(&proc.id) {
            return Decision::refuse(msg!(
                "proc-already-started",
                id = &proc.id,
                since = self.hm(run.started_at),
                checklist = self.checklist(crisis, proc, run)
            ));
        }
        let run = ProcedureRun {
            started_at: self.input.sent_at,
            ..Default::default()
        };
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::ProcedureStarted {
                procedure: proc.id.clone(),
            },
        );
        let holder = crisis.roles.get(&proc.owner);
        let text = match holder {
            Some(h) => msg!(
                "proc-started",
                id = &proc.id,
                holder = h,
                owner = &proc.owner
            ),
            None => msg!(
                "proc-started-unfilled",
                id = &proc.id,
                owner = &proc.owner,
                p = self.p()
            ),
        };
        let checklist = self.checklist(crisis, proc, &run);
        ack_and(
            record,
            text,
            vec![self.post(crisis, checklist, Some(PostTag::Checklist(proc.id.clone())))],
        )
    }

    /// A started procedure and a valid open step, or the refusal.
    fn open_step<'p>(
        &self,
        crisis: &'p Crisis,
        playbook: Option<&'p Playbook>,
        id: &str,
        step: usize,
    ) -> Result<(&'p Procedure, &'p ProcedureRun), Decision> {
        let proc = self
            .find_procedure(playbook, id)
            .map_err(Decision::refuse)?;
        let Some(run) = crisis.procedures.get(&proc.id) else {
            return Err(Decision::refuse(msg!(
                "proc-not-started-yet",
                id = &proc.id,
                p = self.p()
            )));
        };
        if step > proc.steps.len() {
            return Err(Decision::refuse(msg!(
                "proc-no-such-step",
                id = &proc.id,
                n_steps = proc.steps.len(),
                step
            )));
        }
        if let Some((at, by)) = run.done.get(&step) {
            return Err(Decision::refuse(msg!(
                "step-already-done",
                id = &proc.id,
                step,
                at = self.hm(*at),
                by
            )));
        }
        if run.skipped.contains_key(&step) {
            return Err(Decision::refuse(msg!(
                "step-already-skipped",
                id = &proc.id,
                step
            )));
        }
        Ok((proc, run))
    }

    fn refresh(&self, crisis: &Crisis, proc: &Procedure, after: &ProcedureRun) -> Effect {
        Effect::Edit {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            tag: PostTag::Checklist(proc.id.clone()),
            text: self.checklist(crisis, proc, after).into(),
        }
    }

    pub(super) fn step_done(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        step: usize,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let (proc, run) = match self.open_step(crisis, playbook, id, step) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        let mut after = run.clone();
        after
            .done
            .insert(step, (self.input.sent_at, self.input.author.name.clone()));
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::StepDone {
                procedure: proc.id.clone(),
                step,
            },
        );
        let complete = after.n_closed() == proc.steps.len();
        let text = msg!(
            "step-done",
            id = &proc.id,
            step,
            complete = if complete { "yes" } else { "no" },
            closed = after.n_closed(),
            total = proc.steps.len()
        );
        ack_and(record, text, vec![self.refresh(crisis, proc, &after)])
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn step_skip(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        step: usize,
        reason: &str,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let (proc, run) = match self.open_step(crisis, playbook, id, step) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        let mut after = run.clone();
        after.skipped.insert(step, reason.to_owned());
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::StepSkipped {
                procedure: proc.id.clone(),
                step,
                reason: reason.to_owned(),
            },
        );
        let text = msg!(
            "step-skipped",
            id = &proc.id,
            step,
            closed = after.n_closed(),
            total = proc.steps.len()
        );
        ack_and(record, text, vec![self.refresh(crisis, proc, &after)])
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn step_assign(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        step: usize,
        user: String,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let (proc, run) = match self.open_step(crisis, playbook, id, step) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        let user = self.me_or(user);
        let mut after = run.clone();
        after.assigned.insert(step, user.clone());
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::StepAssigned {
                procedure: proc.id.clone(),
                step,
                user: user.clone(),
            },
        );
        let text = msg!("step-assigned", id = &proc.id, step, user = &user);
        ack_and(record, text, vec![self.refresh(crisis, proc, &after)])
    }

    fn me_or(&self, user: String) -> String {
        let folded = crate::lang::fold(&user);
        if folded == "@moi" || folded == "@me" {
            self.input.author.id.clone()
        } else {
            user
        }
    }

    pub(super) fn actions_list(&self, crisis: &Crisis) -> String {
        let now = self.input.at;
        let open = crisis.open_actions(now);
        if open.is_empty() {
            return self.say(msg!("actions-none"));
        }
        // Grouped by owner, overdue first within each group (open_actions is sorted).
        let mut owners: Vec<String> = Vec::new();
        for a in &open {
            let label = a.owner.as_ref().map_or_else(
                || self.say(msg!("actions-no-owner")),
                |o| owner_label(crisis, o),
            );
            if !owners.contains(&label) {
                owners.push(label);
            }
        }
        let overdue = open.iter().filter(|a| a.is_overdue(now)).count();
        let mut out = self.say(msg!("actions-head", n_open = open.len(), overdue));
        for owner in owners {
            out.push_str(&format!("\n{owner}"));
            for a in open.iter().filter(|a| {
                a.owner.as_ref().map_or_else(
                    || self.say(msg!("actions-no-owner")),
                    |o| owner_label(crisis, o),
                ) == owner
            }) {
                let mut line = format!(
                    "\n  {} {}",
                    a.reference,
                    super::ellipsis(crisis.current_text(&a.reference, &a.text), 60)
                );
                if let Some(due) = a.due {
                    line.push_str(&format!(
                        " · {}{}",
                        if a.is_overdue(now) { "⚠️ " } else { "" },
                        self.hm(due)
                    ));
                }
                out.push_str(&line);
            }
        }
        out
    }

    pub(super) fn point_now(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let number = crisis.points.len() as u32 + 1;
        let since = crisis.points.last().copied().unwrap_or(crisis.opened_at);
        let text = schedule::situation(
            crisis,
            playbook,
            self.settings,
            Some((number, since)),
            self.input.at,
        );
        let record = self.record(&crisis.id, seq, role, Event::SituationPoint { number });
        Decision {
            records: vec![record],
            effects: vec![Effect::Reply(text.into())],
        }
    }

    pub(super) fn point_cadence(
        &self,
        crisis: &Crisis,
        every: TimeDelta,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let minutes = every.num_minutes();
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::PointCadence {
                every_minutes: minutes,
            },
        );
        let text = if minutes == 0 {
            msg!("point-cadence-off")
        } else {
            let next = crisis
                .points
                .last()
                .copied()
                .unwrap_or(crisis.opened_at)
                .max(self.input.at - every)
                + every;
            msg!(
                "point-cadence",
                every = span(every, self.settings),
                next = self.hm(next)
            )
        };
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(text.into())],
        }
    }

    pub(super) fn clocks_list(&self, crisis: &Crisis, playbook: Option<&Playbook>) -> String {
        let clocks = playbook.map(|p| p.clocks.as_slice()).unwrap_or_default();
        if clocks.is_empty() {
            return self.say(msg!("clocks-none"));
        }
        let mut out = self.say(msg!("clocks-head", at = self.hm(crisis.opened_at)));
        let mut sorted: Vec<_> = clocks.iter().collect();
        // Running ones first, by their next deadline; then met, inactive and stopped ones.
        sorted.sort_by_key(|c| {
            let next = clock::stages(crisis, c, self.settings.tz)
                .iter()
                .filter(|v| v.is_pending())
                .filter_map(|v| v.deadline)
                .min();
            let rank = match clock::phase(crisis, c) {
                clock::Phase::Running if next.is_some() => 0,
                clock::Phase::Running => 1,
                clock::Phase::Inactive => 2,
                clock::Phase::Stopped(..) => 3,
            };
            (rank, next)
        });
        for clock in sorted {
            for line in schedule::clock_lines(crisis, self.settings, clock, self.input.at) {
                out.push('\n');
                out.push_str(&line);
            }
        }
        out.push_str(&format!(
            "\n{}",
            self.say(msg!("clocks-foot", p = self.p()))
        ));
        out
    }

    /// `!horloges` and `!horloge <id> …`.
    pub(super) fn clock_command(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        command: Command,
    ) -> Decision {
        match command {
            Command::Clock(id) => self.clock_show(crisis, playbook, &id),
            Command::ClockFrom { clock, from } => self.clock_from(crisis, playbook, &clock, &from),
            Command::ClockActivate { clock, from } => {
                self.clock_activate(crisis, playbook, &clock, from.as_ref())
            }
            Command::ClockStop { clock, reason } => {
                self.clock_stop(crisis, playbook, &clock, reason)
            }
            _ => Decision::reply(self.clocks_list(crisis, playbook)),
        }
    }

    /// A clock of the playbook, or the refusal naming those there are.
    fn find_clock<'p>(
        &self,
        playbook: Option<&'p Playbook>,
        id: &str,
    ) -> Result<&'p Clock, Decision> {
        let Some(pb) = playbook else {
            return Err(Decision::refuse(msg!("playbook-not-loaded")));
        };
        pb.clock(id).ok_or_else(|| {
            let ids: Vec<&str> = pb.clocks.iter().map(|c| c.id.as_str()).collect();
            Decision::refuse(msg!("clock-unknown-id", id, clocks = ids.join(", ")))
        })
    }

    /// `!horloge <id>`: that clock's lines.
    pub(super) fn clock_show(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
    ) -> Decision {
        let clock = match self.find_clock(playbook, id) {
            Ok(clock) => clock,
            Err(refusal) => return refusal,
        };
        let mut out = schedule::clock_lines(crisis, self.settings, clock, self.input.at).join("\n");
        for source in &clock.source {
            out.push('\n');
            out.push_str(&self.say(msg!(
                "clock-source",
                text = source.text.get(self.lang),
                url = source
                    .url
                    .as_ref()
                    .map(|u| format!(" — {u}"))
                    .unwrap_or_default()
            )));
        }
        Decision::reply(out)
    }

    /// A clock that counts now, or why the cell cannot act on it.
    fn running_clock<'p>(
        &self,
        crisis: &Crisis,
        playbook: Option<&'p Playbook>,
        id: &str,
    ) -> Result<&'p Clock, Decision> {
        let clock = self.find_clock(playbook, id)?;
        match clock::phase(crisis, clock) {
            clock::Phase::Running => Ok(clock),
            clock::Phase::Inactive => Err(Decision::refuse(msg!(
                "clock-inactive",
                id = &clock.id,
                p = self.p(),
                condition = clock
                    .condition
                    .as_ref()
                    .map(|c| c.get(self.lang))
                    .unwrap_or_default()
            ))),
            clock::Phase::Stopped(at, _) => Err(Decision::refuse(msg!(
                "clock-is-stopped",
                id = &clock.id,
                at = self.hm(at)
            ))),
        }
    }

    /// `!fait cnil-72h`, or `!fait nis2.2` for a stage: the deadline is met.
    pub(super) fn clock_done(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        stage: Option<usize>,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let clock = match self.running_clock(crisis, playbook, id) {
            Ok(clock) => clock,
            Err(refusal) => return refusal,
        };
        let stages = clock::stages(crisis, clock, self.settings.tz);
        let n = match (stage, clock.is_staged()) {
            (None, false) | (Some(1), false) => 1,
            (Some(n), true) if n <= stages.len() => n,
            (Some(_), true) => {
                return Decision::refuse(msg!("clock-no-such-stage", id, n = stages.len()));
            }
            (Some(_), false) => {
                return Decision::refuse(msg!("clock-single-deadline", id, p = self.p()));
            }
            (None, true) => return Decision::refuse(self.which_stage(clock)),
        };
        let view = &stages[n - 1];
        let stage_id = clock::stage_id(clock, n);
        if let Some(at) = view.done {
            return Decision::refuse(msg!("clock-already-done", id = &stage_id, at = self.hm(at)));
        }
        // Stages are met in order: NIS 2's final report follows the notification.
        if let Some(open) = stages[..n - 1].iter().find(|v| v.done.is_none()) {
            let open_id = clock::stage_id(clock, open.n);
            return Decision::refuse(msg!(
                "clock-stage-out-of-order",
                id = &stage_id,
                open = &open_id,
                title = clock::stage_title(clock, open.stage, self.lang),
                p = self.p()
            ));
        }
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::ClockDone {
                clock: clock.id.clone(),
                stage: clock.is_staged().then_some(n),
            },
        );
        let now = self.input.sent_at;
        let title = clock::stage_title(clock, view.stage, self.lang);
        let text = match (view.deadline, clock.every) {
            (_, Some(every)) => msg!(
                "clock-done-next",
                id = &stage_id,
                title = &title,
                next = self.hm(crisis.shifted(now, now + every)),
                every = span(every, self.settings)
            ),
            (Some(deadline), None) if now <= deadline => msg!(
                "clock-done-early",
                id = &stage_id,
                title = &title,
                left = span(deadline - now, self.settings)
            ),
            (Some(deadline), None) => msg!(
                "clock-done-late",
                id = &stage_id,
                title = &title,
                late = span(now - deadline, self.settings)
            ),
            (None, None) => msg!("clock-done-waiting", id = &stage_id, title = &title),
        };
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(text.into())],
        }
    }

    /// `nis2` has stages: which one was met?
    fn which_stage(&self, clock: &Clock) -> crate::lang::speech::Message {
        let stages: Vec<String> = clock
            .stages
            .iter()
            .enumerate()
            .map(|(idx, s)| {
                format!(
                    "{}fait {}.{} ({})",
                    self.p(),
                    clock.id,
                    idx + 1,
                    s.title.get(self.lang)
                )
            })
            .collect();
        msg!(
            "clock-staged-which",
            id = &clock.id,
            stages = stages.join(", ")
        )
    }

    /// The instant `depuis …` names, or the refusal.
    fn since(
        &self,
        crisis: &Crisis,
        since: &Since,
    ) -> Result<(DateTime<Utc>, Option<String>), Decision> {
        let tz = self.settings.tz;
        let now = self.input.sent_at;
        let at = match since {
            Since::At(time) => previous_occurrence(tz, now, *time),
            Since::On { day, month, time } => {
                // This year's, or last year's when this year's is months ahead (in January, 28/12).
                let year = now.with_timezone(&tz).year();
                let on = |year| {
                    NaiveDate::from_ymd_opt(year, *month, *day)
                        .map(|d| super::resolve(tz, d, *time))
                };
                match (on(year), on(year - 1)) {
                    (Some(at), Some(before)) if at - now > TimeDelta::days(180) => before,
                    (Some(at), _) => at,
                    (None, _) => return Err(Decision::refuse(msg!("cmd-clock-since-unreadable"))),
                }
            }
            Since::Entry(reference) => {
                let at = crisis.time_of(reference);
                let Some(at) = at else {
                    return Err(Decision::refuse(self.unknown_ref(crisis, reference)));
                };
                return Ok((at, Some(reference.clone())));
            }
        };
        if at > now {
            return Err(Decision::refuse(msg!(
                "clock-since-future",
                at = self.hm(at)
            )));
        }
        Ok((at, None))
    }

    /// `!horloge cnil-72h depuis 14:30|I7`: the clock counts from the awareness.
    pub(super) fn clock_from(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        since: &Since,
    ) -> Decision {
        let clock = match self.running_clock(crisis, playbook, id) {
            Ok(clock) => clock,
            Err(refusal) => return refusal,
        };
        if let (false, None, Some(done)) = (
            clock.is_staged(),
            clock.every,
            clock::state(crisis, clock).done.get(&1),
        ) {
            return Decision::refuse(msg!("clock-already-done", id, at = self.hm(*done)));
        }
        let (at, entry) = match self.since(crisis, since) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        let record = base_record(
            crisis,
            self.input,
            Event::ClockAnchored {
                clock: clock.id.clone(),
                at,
                entry: entry.clone(),
            },
        );
        let lines = self.lines_after(crisis, clock, &record);
        let text = msg!(
            "clock-anchored",
            id = &clock.id,
            at = self.hm(at),
            entry = entry.map(|e| format!(" ({e})")).unwrap_or_default(),
            lines = &lines
        );
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(text.into())],
        }
    }

    /// The clock's lines as they will read once `record` is applied.
    fn lines_after(&self, crisis: &Crisis, clock: &Clock, record: &Record) -> String {
        let mut world = super::state::World::default();
        let after = crisis.clone();
        world.crises.insert(after.id.clone(), after);
        world.apply(record);
        world
            .crisis(&crisis.id)
            .map(|c| schedule::clock_lines(c, self.settings, clock, self.input.at).join("\n"))
            .unwrap_or_default()
    }

    /// `!horloge nis2 activer [depuis …]`: a conditional clock applies from now (or then).
    pub(super) fn clock_activate(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        since: Option<&Since>,
    ) -> Decision {
        let clock = match self.find_clock(playbook, id) {
            Ok(clock) => clock,
            Err(refusal) => return refusal,
        };
        match clock::phase(crisis, clock) {
            clock::Phase::Inactive => {}
            clock::Phase::Running if clock.condition.is_none() => {
                return Decision::refuse(msg!("clock-not-conditional", id, p = self.p()));
            }
            clock::Phase::Running => {
                let at = clock::state(crisis, clock)
                    .activated
                    .unwrap_or(crisis.opened_at);
                return Decision::refuse(msg!("clock-already-active", id, at = self.hm(at)));
            }
            clock::Phase::Stopped(at, _) => {
                return Decision::refuse(msg!("clock-is-stopped", id, at = self.hm(at)));
            }
        }
        let (from, entry) = match since.map(|s| self.since(crisis, s)).transpose() {
            Ok(found) => found.map_or((None, None), |(at, entry)| (Some(at), entry)),
            Err(refusal) => return refusal,
        };
        let record = base_record(
            crisis,
            self.input,
            Event::ClockActivated {
                clock: clock.id.clone(),
                from,
                entry,
            },
        );
        let lines = self.lines_after(crisis, clock, &record);
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(
                msg!("clock-activated", id, lines = &lines).into(),
            )],
        }
    }

    /// `!horloge <id> arrêter [raison]`: no more warnings; a recurring clock ends.
    pub(super) fn clock_stop(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        reason: Option<String>,
    ) -> Decision {
        let clock = match self.find_clock(playbook, id) {
            Ok(clock) => clock,
            Err(refusal) => return refusal,
        };
        if let clock::Phase::Stopped(at, _) = clock::phase(crisis, clock) {
            return Decision::refuse(msg!("clock-is-stopped", id, at = self.hm(at)));
        }
        let text = msg!(
            "clock-stopped",
            id,
            reason = reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
        let record = base_record(
            crisis,
            self.input,
            Event::ClockStopped {
                clock: clock.id.clone(),
                reason,
            },
        );
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(text.into())],
        }
    }

    pub(super) fn handover(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        to: String,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let to = self.me_or(to);
        let from = crisis
            .leads
            .last()
            .map(|(u, _)| u.clone())
            .unwrap_or_else(|| self.input.author.id.clone());
        if to == from {
            return Decision::refuse(msg!("handover-already", to = &to));
        }
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::HandoverStarted {
                from: from.clone(),
                to: to.clone(),
            },
        );
        let situation = schedule::situation(crisis, playbook, self.settings, None, self.input.at);
        let text = msg!(
            "handover-post",
            from = &from,
            to = &to,
            p = self.p(),
            situation = &situation
        );
        let tag = PostTag::Handover(seq);
        let ack = msg!("handover-recorded", to = &to);
        ack_and(record, ack, vec![self.post(crisis, text, Some(tag))])
    }

    pub(super) fn handover_ack(&self, crisis: &Crisis, seq: u64, role: Option<String>) -> Decision {
        match &crisis.handover {
            Some(h) if h.to == self.input.author.id => {
                let mut decision = handover_acknowledged(crisis, self.input);
                decision.records[0].seq = seq;
                decision.records[0].role = role;
                // Answering the command itself: a reply with ✅ rather than a loose post.
                decision.effects = decision
                    .effects
                    .into_iter()
                    .map(|e| match e {
                        Effect::Post { text, .. } => Effect::Ack(text),
                        other => other,
                    })
                    .collect();
                decision
            }
            Some(h) => Decision::refuse(msg!("handover-not-you", to = &h.to)),
            None => Decision::refuse(msg!("handover-none")),
        }
    }

    pub(super) fn comcheck(
        &self,
        crisis: &Crisis,
        text: Option<String>,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let Some(text) = text else {
            let Some(check) = crisis.comchecks.last() else {
                return Decision::refuse(msg!("comcheck-none", p = self.p()));
            };
            let missing: Vec<&String> = check
                .expected
                .iter()
                .filter(|u| !check.acknowledged.contains(u))
                .collect();
            return Decision::reply(if missing.is_empty() {
                msg!(
                    "comcheck-all-answered",
                    number = check.number,
                    n = check.acknowledged.len()
                )
            } else {
                msg!(
                    "comcheck-missing",
                    number = check.number,
                    answered = check.expected.len() - missing.len(),
                    expected = check.expected.len(),
                    missing = missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        };
        if crisis.roles.is_empty() {
            return Decision::refuse(msg!("comcheck-no-roles", p = self.p()));
        }
        let number = crisis.comchecks.len() as u32 + 1;
        let mut expected: Vec<&String> = crisis.roles.values().collect();
        expected.sort();
        expected.dedup();
        let names: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::ComcheckStarted {
                number,
                text: text.clone(),
            },
        );
        let post = msg!(
            "comcheck-post",
            number,
            text = &text,
            names = names.join(", ")
        );
        let ack = msg!("comcheck-sent", number, n = names.len());
        ack_and(
            record,
            ack,
            vec![self.post(crisis, post, Some(PostTag::Comcheck(number)))],
        )
    }
}
