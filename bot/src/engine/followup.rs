//! Follow-up commands: procedures and their checklists, actions by owner,
//! situation points, clocks, shift handovers and communication checks.

use chrono::TimeDelta;

use super::event::{Event, PostTag, Record};
use super::schedule::{self, span};
use super::state::{Crisis, ProcedureRun};
use super::{Ctx, Decision, Effect, Input, Settings, base_record, owner_label};
use crate::lang::Lang;
use crate::playbook::{Playbook, Procedure};

fn ack_and(record: Record, text: String, more: Vec<Effect>) -> Decision {
    let mut effects = vec![Effect::Ack(text.into())];
    effects.extend(more);
    Decision {
        records: vec![record],
        effects,
    }
}

/// A ✅ on a handover or comcheck message acknowledges it.
pub fn reaction(
    crisis: &Crisis,
    settings: &Settings,
    input: &Input,
    target: &str,
    key: &str,
) -> Decision {
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
        return handover_acknowledged(crisis, settings, input);
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

fn handover_acknowledged(crisis: &Crisis, settings: &Settings, input: &Input) -> Decision {
    let from = crisis
        .handover
        .as_ref()
        .map(|h| h.from.clone())
        .unwrap_or_default();
    let text = match settings.lang {
        Lang::Fr => format!(
            "🔁 Relève faite : {} tient la cellule (à la suite de {from}).",
            input.author.id
        ),
        Lang::En => format!(
            "🔁 Handover done: {} holds the cell (after {from}).",
            input.author.id
        ),
    };
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
            return Err(self.t(
                "Le playbook de cette crise n'est plus chargé.",
                "This crisis's playbook is no longer loaded.",
            ));
        };
        pb.procedure(id).ok_or_else(|| {
            let ids: Vec<&str> = pb.procedures.iter().map(|p| p.id.as_str()).collect();
            match self.lang {
                Lang::Fr => format!(
                    "Procédure inconnue « {id} ». Procédures : {}.",
                    ids.join(", ")
                ),
                Lang::En => format!(
                    "Unknown procedure \"{id}\". Procedures: {}.",
                    ids.join(", ")
                ),
            }
        })
    }

    pub(super) fn procedure_list(&self, crisis: &Crisis, playbook: Option<&Playbook>) -> String {
        let Some(pb) = playbook else {
            return self.t(
                "Le playbook de cette crise n'est plus chargé.",
                "This crisis's playbook is no longer loaded.",
            );
        };
        let mut out = match self.lang {
            Lang::Fr => format!("Procédures (lancer : {}proc <id>) :", self.p()),
            Lang::En => format!("Procedures (start: {}proc <id>):", self.p()),
        };
        for proc in &pb.procedures {
            let progress = match crisis.procedures.get(&proc.id) {
                Some(run) => format!("{}/{}", run.n_closed(), proc.steps.len()),
                None => self.t("non lancée", "not started"),
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
        let mut out = match self.lang {
            Lang::Fr => format!(
                "📋 {} — {} (responsable : {}{holder})",
                proc.id,
                proc.title.get(self.lang),
                proc.owner
            ),
            Lang::En => format!(
                "📋 {} — {} (owner: {}{holder})",
                proc.id,
                proc.title.get(self.lang),
                proc.owner
            ),
        };
        for (idx, step) in proc.steps.iter().enumerate() {
            let n = idx + 1;
            let (mark, note) = match (run.done.get(&n), run.skipped.get(&n)) {
                (Some((at, by)), _) => (
                    "☑",
                    format!(" — {} {} ({by})", self.t("fait", "done"), self.hm(*at)),
                ),
                (None, Some(reason)) => (
                    "⊘",
                    format!(" — {} : {reason}", self.t("sans objet", "skipped")),
                ),
                (None, None) => {
                    let mut note = String::new();
                    if let Some(due) = step.due {
                        note.push_str(&format!(
                            " · {} {}",
                            self.t("avant", "by"),
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
        out.push_str(&match self.lang {
            Lang::Fr => format!(
                "\nProgression : {}/{} · {}fait {}.<n> pour cocher",
                run.n_closed(),
                proc.steps.len(),
                self.p(),
                proc.id
            ),
            Lang::En => format!(
                "\nProgress: {}/{} · {}done {}.<n> to tick",
                run.n_closed(),
                proc.steps.len(),
                self.p(),
                proc.id
            ),
        });
        out
    }

    fn post(&self, crisis: &Crisis, text: String, tag: Option<PostTag>) -> Effect {
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
            return Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "{} est déjà lancée (depuis {}). Où elle en est :\n{}",
                    proc.id,
                    self.hm(run.started_at),
                    self.checklist(crisis, proc, run)
                ),
                Lang::En => format!(
                    "{} is already started (since {}). Where it stands:\n{}",
                    proc.id,
                    self.hm(run.started_at),
                    self.checklist(crisis, proc, run)
                ),
            });
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
        let text = match (self.lang, holder) {
            (Lang::Fr, Some(h)) => format!(
                "{} lancée — {h}, vous êtes responsable ({}).",
                proc.id, proc.owner
            ),
            (Lang::Fr, None) => format!(
                "{} lancée — rôle {} non pourvu : {}rôle {} @personne.",
                proc.id,
                proc.owner,
                self.p(),
                proc.owner
            ),
            (Lang::En, Some(h)) => {
                format!("{} started — {h}, you own it ({}).", proc.id, proc.owner)
            }
            (Lang::En, None) => format!(
                "{} started — role {} is unfilled: {}role {} @person.",
                proc.id,
                proc.owner,
                self.p(),
                proc.owner
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
            return Err(Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "{} n'est pas lancée : {}proc {} d'abord.",
                    proc.id,
                    self.p(),
                    proc.id
                ),
                Lang::En => format!(
                    "{} is not started: {}proc {} first.",
                    proc.id,
                    self.p(),
                    proc.id
                ),
            }));
        };
        if step > proc.steps.len() {
            return Err(Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "{} a {} étapes : pas d'étape {step}.",
                    proc.id,
                    proc.steps.len()
                ),
                Lang::En => format!(
                    "{} has {} steps: no step {step}.",
                    proc.id,
                    proc.steps.len()
                ),
            }));
        }
        if let Some((at, by)) = run.done.get(&step) {
            return Err(Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "{}.{step} est déjà faite ({} par {by}).",
                    proc.id,
                    self.hm(*at)
                ),
                Lang::En => format!(
                    "{}.{step} is already done ({} by {by}).",
                    proc.id,
                    self.hm(*at)
                ),
            }));
        }
        if run.skipped.contains_key(&step) {
            return Err(Decision::refuse(match self.lang {
                Lang::Fr => format!("{}.{step} a été passée.", proc.id),
                Lang::En => format!("{}.{step} was skipped.", proc.id),
            }));
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
        let text = match (self.lang, complete) {
            (Lang::Fr, false) => format!(
                "{}.{step} faite ({}/{}).",
                proc.id,
                after.n_closed(),
                proc.steps.len()
            ),
            (Lang::Fr, true) => format!(
                "{}.{step} faite — {} terminée ({}/{}).",
                proc.id,
                proc.id,
                after.n_closed(),
                proc.steps.len()
            ),
            (Lang::En, false) => format!(
                "{}.{step} done ({}/{}).",
                proc.id,
                after.n_closed(),
                proc.steps.len()
            ),
            (Lang::En, true) => format!(
                "{}.{step} done — {} complete ({}/{}).",
                proc.id,
                proc.id,
                after.n_closed(),
                proc.steps.len()
            ),
        };
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
        let text = match self.lang {
            Lang::Fr => format!(
                "{}.{step} passée ({}/{}).",
                proc.id,
                after.n_closed(),
                proc.steps.len()
            ),
            Lang::En => format!(
                "{}.{step} skipped ({}/{}).",
                proc.id,
                after.n_closed(),
                proc.steps.len()
            ),
        };
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
        let text = match self.lang {
            Lang::Fr => format!("{}.{step} confiée à {user}.", proc.id),
            Lang::En => format!("{}.{step} given to {user}.", proc.id),
        };
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
            return self.t("Aucune action ouverte.", "No open action.");
        }
        // Grouped by owner, overdue first within each group (open_actions is sorted).
        let mut owners: Vec<String> = Vec::new();
        for a in &open {
            let label = a.owner.as_ref().map_or_else(
                || self.t("sans responsable", "no owner"),
                |o| owner_label(crisis, o),
            );
            if !owners.contains(&label) {
                owners.push(label);
            }
        }
        let overdue = open.iter().filter(|a| a.is_overdue(now)).count();
        let mut out = match self.lang {
            Lang::Fr => format!("Actions ouvertes : {} dont {overdue} en retard", open.len()),
            Lang::En => format!("Open actions: {} of which {overdue} overdue", open.len()),
        };
        for owner in owners {
            out.push_str(&format!("\n{owner}"));
            for a in open.iter().filter(|a| {
                a.owner.as_ref().map_or_else(
                    || self.t("sans responsable", "no owner"),
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
        let text = match (self.lang, minutes) {
            (Lang::Fr, 0) => "Plus de points de situation automatiques.".to_owned(),
            (Lang::En, 0) => "No more automatic situation points.".to_owned(),
            (Lang::Fr, _) => format!(
                "Point de situation toutes les {} ; le prochain vers {}.",
                span(every, self.lang),
                self.hm(crisis
                    .points
                    .last()
                    .copied()
                    .unwrap_or(crisis.opened_at)
                    .max(self.input.at - every)
                    + every)
            ),
            (Lang::En, _) => format!(
                "Situation point every {}; the next one around {}.",
                span(every, self.lang),
                self.hm(crisis
                    .points
                    .last()
                    .copied()
                    .unwrap_or(crisis.opened_at)
                    .max(self.input.at - every)
                    + every)
            ),
        };
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(text.into())],
        }
    }

    pub(super) fn clocks_list(&self, crisis: &Crisis, playbook: Option<&Playbook>) -> String {
        let clocks = playbook.map(|p| p.clocks.as_slice()).unwrap_or_default();
        if clocks.is_empty() {
            return self.t(
                "Ce playbook n'a pas d'horloge.",
                "This playbook has no clock.",
            );
        }
        let mut out = match self.lang {
            Lang::Fr => format!(
                "Horloges (depuis l'ouverture à {}) :",
                self.hm(crisis.opened_at)
            ),
            Lang::En => format!(
                "Clocks (from the opening at {}):",
                self.hm(crisis.opened_at)
            ),
        };
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
        out.push_str(&match self.lang {
            Lang::Fr => format!("\n{}fait <horloge> quand c'est fait.", self.p()),
            Lang::En => format!("\n{}done <clock> when it is met.", self.p()),
        });
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
            return Decision::refuse(self.t("Horloge inconnue.", "Unknown clock."));
        };
        if let Some(at) = crisis.clocks_done.get(id) {
            return Decision::refuse(match self.lang {
                Lang::Fr => format!("{id} est déjà faite ({}).", self.hm(*at)),
                Lang::En => format!("{id} is already done ({}).", self.hm(*at)),
            });
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
        let text = match (self.lang, now <= deadline) {
            (Lang::Fr, true) => format!(
                "{id} — {} : fait, {} avant l'échéance.",
                clock.title.get(self.lang),
                span(deadline - now, self.lang)
            ),
            (Lang::Fr, false) => format!(
                "{id} — {} : fait, {} après l'échéance.",
                clock.title.get(self.lang),
                span(now - deadline, self.lang)
            ),
            (Lang::En, true) => format!(
                "{id} — {}: done, {} before the deadline.",
                clock.title.get(self.lang),
                span(deadline - now, self.lang)
            ),
            (Lang::En, false) => format!(
                "{id} — {}: done, {} after the deadline.",
                clock.title.get(self.lang),
                span(now - deadline, self.lang)
            ),
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
            return Decision::refuse(match self.lang {
                Lang::Fr => format!("{to} tient déjà la cellule."),
                Lang::En => format!("{to} already holds the cell."),
            });
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
        let text = match self.lang {
            Lang::Fr => format!(
                "🔁 Relève : {from} → {to}. {to}, confirmez par {}ack ou ✅ sur ce message.\n{situation}",
                self.p()
            ),
            Lang::En => format!(
                "🔁 Handover: {from} → {to}. {to}, confirm with {}ack or ✅ on this message.\n{situation}",
                self.p()
            ),
        };
        let tag = PostTag::Handover(seq);
        let ack = match self.lang {
            Lang::Fr => format!("Relève vers {to} enregistrée ; en attente de sa confirmation."),
            Lang::En => format!("Handover to {to} recorded; waiting for their confirmation."),
        };
        ack_and(record, ack, vec![self.post(crisis, text, Some(tag))])
    }

    pub(super) fn handover_ack(&self, crisis: &Crisis, seq: u64, role: Option<String>) -> Decision {
        match &crisis.handover {
            Some(h) if h.to == self.input.author.id => {
                let mut decision = handover_acknowledged(crisis, self.settings, self.input);
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
            Some(h) => Decision::refuse(match self.lang {
                Lang::Fr => format!("La relève attend {}, pas vous.", h.to),
                Lang::En => format!("The handover waits for {}, not you.", h.to),
            }),
            None => {
                Decision::refuse(self.t("Aucune relève en attente.", "No handover is pending."))
            }
        }
    }

    #[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
    pub(super) fn comcheck(
        &self,
        crisis: &Crisis,
        text: Option<String>,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        let Some(text) = text else {
            let Some(check) = crisis.comchecks.last() else {
                return Decision::refuse(match self.lang {
                    Lang::Fr => format!(
                        "Aucun comcheck : {}comcheck <message> pour en lancer un.",
                        self.p()
                    ),
                    Lang::En => format!(
                        "No comcheck yet: {}comcheck <message> to send one.",
                        self.p()
                    ),
                });
            };
            let missing: Vec<&String> = check
                .expected
                .iter()
                .filter(|u| !check.acknowledged.contains(u))
                .collect();
            return Decision::reply(match (self.lang, missing.is_empty()) {
                (Lang::Fr, true) => format!(
                    "Comcheck n°{} : tout le monde a répondu ({}).",
                    check.number,
                    check.acknowledged.len()
                ),
                (Lang::En, true) => format!(
                    "Comcheck #{}: everyone answered ({}).",
                    check.number,
                    check.acknowledged.len()
                ),
                (Lang::Fr, false) => format!(
                    "Comcheck n°{} : {}/{} réponses ; manquent {}",
                    check.number,
                    check.expected.len() - missing.len(),
                    check.expected.len(),
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (Lang::En, false) => format!(
                    "Comcheck #{}: {}/{} answers; missing {}",
                    check.number,
                    check.expected.len() - missing.len(),
                    check.expected.len(),
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        };
        if crisis.roles.is_empty() {
            return Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "Personne n'a de rôle : le comcheck attend les titulaires des rôles ({}rôle …).",
                    self.p()
                ),
                Lang::En => format!(
                    "Nobody holds a role: a comcheck waits for the role holders ({}role …).",
                    self.p()
                ),
            });
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
        let post = match self.lang {
            Lang::Fr => format!(
                "📣 Comcheck n°{number} : {text}\n✅ sur ce message pour confirmer réception — {}",
                names.join(", ")
            ),
            Lang::En => format!(
                "📣 Comcheck #{number}: {text}\n✅ on this message to confirm — {}",
                names.join(", ")
            ),
        };
        let ack = match self.lang {
            Lang::Fr => format!("Comcheck n°{number} envoyé à {} personne(s).", names.len()),
            Lang::En => format!("Comcheck #{number} sent to {} people.", names.len()),
        };
        ack_and(
            record,
            ack,
            vec![self.post(crisis, post, Some(PostTag::Comcheck(number)))],
        )
    }
}
