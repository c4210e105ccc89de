//! Follow-up commands: procedures and their checklists, actions by owner,
//! situation points, clocks, shift handovers and communication checks.

use chrono::TimeDelta;

use super::event::{Event, PostTag, Record};
use super::schedule::{self, span};
use super::state::{Crisis, ProcedureRun};
use super::{Ctx, Decision, Effect, Input, base_record, owner_label};
use crate::lang::speech::{Speech, msg};
use crate::playbook::{Playbook, Procedure};

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
    let Some((tag, _)) = crisis.posted.iter().find(|(_, id)| id.as_str() == target) else {
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
        sorted.sort_by_key(|c| (crisis.clocks_done.contains_key(&c.id), c.due));
        for clock in sorted {
            out.push('\n');
            out.push_str(&schedule::clock_line(
                crisis,
                playbook,
                self.settings,
                clock,
                self.input.at,
            ));
        }
        out.push_str(&format!(
            "\n{}",
            self.say(msg!("clocks-foot", p = self.p()))
        ));
        out
    }

    pub(super) fn clock_done(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        id: &str,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let Some(clock) = playbook.and_then(|p| p.clocks.iter().find(|c| c.id == id)) else {
            return Decision::refuse(msg!("clock-unknown"));
        };
        if let Some(at) = crisis.clocks_done.get(id) {
            return Decision::refuse(msg!("clock-already-done", id, at = self.hm(*at)));
        }
        let deadline = crisis.opened_at + clock.due;
        let record = self.record(
            &crisis.id,
            seq,
            role,
            Event::ClockDone {
                clock: id.to_owned(),
            },
        );
        let now = self.input.sent_at;
        let text = if now <= deadline {
            msg!(
                "clock-done-early",
                id,
                title = clock.title.get(self.lang),
                left = span(deadline - now, self.settings)
            )
        } else {
            msg!(
                "clock-done-late",
                id,
                title = clock.title.get(self.lang),
                late = span(now - deadline, self.settings)
            )
        };
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
