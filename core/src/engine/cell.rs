//! The crisis cell's commands in its own room: opening, the log (information,
//! decisions, actions, roles, corrections, paper notes), closing, status and
//! export. [`Ctx::in_crisis`] dispatches; each command's rule is a function
//! named after it. Follow-up commands live in `followup.rs`, exercise ones in
//! `exercise/`.

use chrono::{DateTime, Utc};

use super::command::{Command, DueSpec, Keyword, OwnerSpec, PaperKind};
use super::event::{Event, Owner, Record, Verification};
use super::state::{Crisis, RefKind};
use super::{
    Ctx, Decision, Effect, ExportFormat, base_record, ellipsis, marked, next_occurrence,
    owner_label, previous_occurrence,
};
use crate::lang::speech::{Message, Speech, msg};
use crate::playbook::Playbook;

/// An entry and its ✅ reply.
fn ack(record: Record, text: impl Into<Speech>) -> Decision {
    Decision {
        records: vec![record],
        effects: vec![Effect::Ack(text.into())],
    }
}

impl Ctx<'_> {
    /// The playbooks loaded, or a word saying there is none.
    pub(super) fn playbook_list(&self) -> Speech {
        let ids: Vec<&str> = self.catalog.ids().collect();
        if ids.is_empty() {
            msg!("no-playbook-loaded").into()
        } else {
            ids.join(", ").into()
        }
    }

    pub(super) fn no_crisis(&self) -> Message {
        msg!("no-crisis", p = self.p(), playbooks = self.playbook_list())
    }

    /// `command` (e.g. `msg!("word-open")`) is for the cell's leads.
    /// A command from the holder of an observer role (an outside participant,
    /// read-only), which only `!statut` and `!aide` escape.
    pub(super) fn observer_refusal(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        command: &Command,
    ) -> Option<Decision> {
        if matches!(command, Command::Status | Command::Help(_)) {
            return None;
        }
        let playbook = playbook?;
        let role = crisis
            .roles_of(&self.input.author.id)
            .filter_map(|id| playbook.role(id))
            .find(|r| r.observer)?;
        Some(Decision::refuse(msg!(
            "observer-read-only",
            role = role.title.get(self.lang),
            p = self.p()
        )))
    }

    pub(in crate::engine) fn require_privilege(&self, command: Message) -> Option<Decision> {
        if self.input.privileged {
            return None;
        }
        Some(Decision::refuse(msg!("leads-only", p = self.p(), command)))
    }

    pub(super) fn open(&self, playbook_id: &str, exercise: bool) -> Decision {
        if let Some(refusal) = self.require_privilege(msg!("word-open")) {
            return refusal;
        }
        let Some(playbook) = self.catalog.get(playbook_id) else {
            return Decision::refuse(msg!(
                "open-unknown-playbook",
                playbook = playbook_id,
                playbooks = self.playbook_list()
            ));
        };
        let date = self.local(self.input.sent_at).format("%Y%m%d");
        let base = format!("{date}-{}", playbook.id);
        let id = (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                }
            })
            .find(|id| self.world.crisis(id).is_none())
            .unwrap_or(base);
        let record = self.record(
            &id,
            1,
            None,
            Event::CrisisOpened {
                room: self.input.room.clone(),
                playbook: playbook.id.clone(),
                playbook_version: playbook.version.clone(),
                exercise,
            },
        );
        let title = playbook.title.get(self.lang);
        let version = &playbook.version;
        // Outside observers' seats are given when they join, not filled by the cell.
        let n_roles = playbook.roles.iter().filter(|r| !r.observer).count();
        let p = self.p();
        let mut text: Speech = if exercise {
            // The opening is itself marked: the crisis is not in the world yet.
            marked(
                self.settings,
                msg!("exercise-opened", title, version, id = &id, n_roles, p).into(),
            )
        } else {
            msg!("crisis-opened", title, version, id = &id, n_roles, p).into()
        };
        // What earlier crises and exercises left open is inherited, on record.
        let mut records = vec![record];
        let items = super::plan::carried(self.world);
        if !items.is_empty() {
            let today = self.local(self.input.sent_at).date_naive();
            text.line(super::plan::carried_line(&items, self.settings, today));
            // The opening's chat event is its source: the journal indexes it once.
            records.push(Record {
                source: None,
                ..self.record(&id, 2, None, Event::PlanCarried { items })
            });
        }
        // Before anything is said: what the cell says from now on can be
        // read by whoever is invited later (see `Effect::ShareHistory`).
        let share = Effect::ShareHistory {
            room: self.input.room.clone(),
            crisis: id,
        };
        Decision {
            records,
            effects: vec![share, Effect::Ack(text)],
        }
    }

    /// `!fait <id>` or `!fait <id>.<n>`: a playbook clock (or its stage) when
    /// there is one by that id, otherwise an action or a procedure step.
    fn done_any(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        target: String,
        step: Option<usize>,
        seq: u64,
        role: Option<String>,
    ) -> Decision {
        if playbook.is_some_and(|p| p.clock(&target).is_some()) {
            return self.clock_done(crisis, playbook, &target, step, seq, role);
        }
        match step {
            None => self.done(crisis, target),
            Some(step) => self.step_done(crisis, playbook, &target, step, seq, role),
        }
    }

    /// A command typed in the room of an open crisis.
    pub(super) fn in_crisis(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        command: Command,
    ) -> Decision {
        let seq = crisis.last_seq + 1;
        let role = crisis
            .roles_of(&self.input.author.id)
            .next()
            .map(str::to_owned);
        match command {
            Command::Help(_) | Command::Open { .. } => self.unreachable_help(),
            Command::Status => Decision::reply(self.status(crisis, playbook)),
            Command::Close => self.close(crisis, playbook),
            Command::Info { text } => self.info(crisis, text),
            Command::Note { text } => self.note(crisis, text),
            Command::Verify { target, status } => self.verify(crisis, target, status),
            decision @ Command::Decision { .. } => self.decision(crisis, decision),
            Command::Relate { from, to } => self.relate(crisis, &from, &to),
            Command::Plan(change) => self.plan(crisis, change),
            Command::Action { text, owner, due } => self.action(crisis, text, owner, due),
            Command::Done { target } => self.done_any(crisis, playbook, target, None, seq, role),
            Command::Role {
                role: role_id,
                user,
            } => self.role(crisis, playbook, role_id, user),
            Command::Correct { target, text } => self.correct(crisis, target, text),
            Command::Proc(None) => Decision::reply(self.procedure_list(crisis, playbook)),
            Command::Proc(Some(id)) => self.start_procedure(crisis, playbook, &id, seq, role),
            Command::StepDone { procedure, step } => {
                self.done_any(crisis, playbook, procedure, Some(step), seq, role)
            }
            Command::Skip {
                procedure,
                step,
                reason,
            } => self.step_skip(crisis, playbook, &procedure, step, &reason, seq, role),
            Command::Assign {
                procedure,
                step,
                user,
            } => self.step_assign(crisis, playbook, &procedure, step, user, seq, role),
            Command::Actions => Decision::reply(self.actions_list(crisis)),
            Command::Point(None) => self.point_now(crisis, playbook, seq, role),
            Command::Point(Some(every)) => self.point_cadence(crisis, every, seq, role),
            Command::Clocks
            | Command::Clock(_)
            | Command::ClockFrom { .. }
            | Command::ClockActivate { .. }
            | Command::ClockStop { .. } => self.clock_command(crisis, playbook, command),
            Command::Handover { to } => self.handover(crisis, playbook, to, seq, role),
            Command::Invite { user } => self.invite(crisis, user),
            Command::Ack => self.handover_ack(crisis, seq, role),
            Command::Comcheck(text) => self.comcheck(crisis, text, seq, role),
            Command::Export(format) => self.export(crisis, format),
            Command::AcceptLink => self.accept_link(crisis),
            Command::DeclineLink => self.decline_link(crisis),
            Command::Link { .. }
            | Command::Mode(_)
            | Command::Debex
            | Command::Finex
            | Command::Pause
            | Command::Resume
            | Command::Inject(_)
            | Command::Delay { .. }
            | Command::Adhoc { .. }
            | Command::Chrono
            | Command::Expected { .. }
            | Command::Obs(_)
            | Command::Objective(_)
            | Command::Synthesis(_) => self.players_refusal(crisis),
            // In the players' room `passer` is about procedure steps: `passer pd-lab 2` lacks a dot.
            Command::SkipInject { .. } => Decision::refuse(
                Speech::from(msg!("cmd-unreadable-step-write-procedure"))
                    .then("\n")
                    .then(Keyword::Skip.help(self.p())),
            ),
            Command::Retex(arg) => self.retex(crisis, arg),
            Command::Improve { text, owner, due } => self.improve(crisis, text, owner, due),
            Command::Paper {
                time,
                kind,
                text,
                rationale,
            } => self.paper(crisis, time, kind, text, rationale),
        }
    }

    fn unreachable_help(&self) -> Decision {
        // Help and open are answered before a crisis is looked at; reaching here is a bug,
        // which we answer with the help rather than a panic.
        Decision::reply(super::help(self.settings, None))
    }

    /// `!clore`: close and seal; the digest follows once the journal has it.
    fn close(&self, crisis: &Crisis, playbook: Option<&Playbook>) -> Decision {
        if let Some(refusal) = self.require_privilege(msg!("word-close")) {
            return refusal;
        }
        let seq = crisis.last_seq + 1;
        let n_open = crisis
            .actions
            .iter()
            .filter(|a| a.done_at.is_none())
            .count();
        let record = base_record(crisis, self.input, Event::CrisisClosed {});
        let text = msg!(
            "crisis-closed",
            crisis = &crisis.id,
            seq,
            n_decisions = crisis.decisions.len(),
            n_actions = crisis.actions.len(),
            n_open
        );
        let mut text = self.say(text);
        // What the law asked and the cell did not do is said, not left neutral.
        let clocks = playbook.map(|p| p.clocks.as_slice()).unwrap_or_default();
        let not_done = super::schedule::clock_lines_not_done(
            crisis,
            self.settings,
            clocks,
            self.input.sent_at,
        );
        if !not_done.is_empty() {
            text.push('\n');
            text.push_str(&self.say(msg!("crisis-closed-clocks", n = not_done.len())));
            for line in not_done {
                text.push('\n');
                text.push_str(&line);
            }
        }
        let mut effects = vec![
            Effect::Ack(text.into()),
            Effect::AnnounceDigest {
                crisis: crisis.id.clone(),
            },
        ];
        // The facilitators learn it too; their room keeps the full report.
        if let Some(run) = &crisis.run {
            effects.push(Effect::Post {
                room: run.animation_room.clone(),
                crisis: crisis.id.clone(),
                text: msg!("exercise-closed", crisis = &crisis.id, seq, p = self.p()).into(),
                tag: None,
            });
        }
        Decision {
            records: vec![record],
            effects,
        }
    }

    fn info(&self, crisis: &Crisis, text: String) -> Decision {
        let reference = crisis.next_reference(RefKind::Info);
        let reply = msg!(
            "info-recorded",
            reference = &reference,
            at = self.hm(self.input.sent_at)
        );
        ack(
            base_record(crisis, self.input, Event::Info { reference, text }),
            reply,
        )
    }

    fn note(&self, crisis: &Crisis, text: String) -> Decision {
        let reference = crisis.next_reference(RefKind::Note);
        let reply = msg!(
            "note-recorded",
            reference = &reference,
            at = self.hm(self.input.sent_at)
        );
        ack(
            base_record(crisis, self.input, Event::Note { reference, text }),
            reply,
        )
    }

    fn verify(&self, crisis: &Crisis, target: String, status: Verification) -> Decision {
        match crisis.lookup(&target) {
            Some(RefKind::Info) => {}
            Some(_) => return Decision::refuse(msg!("verify-not-info", target = &target)),
            None => return Decision::refuse(self.unknown_ref(crisis, &target)),
        }
        if status == Verification::ToCheck {
            return Decision::refuse(msg!("verify-not-back-to-check"));
        }
        let previous = crisis
            .info(&target)
            .map(|i| i.status)
            .unwrap_or(Verification::ToCheck);
        if previous == status {
            return Decision::refuse(msg!(
                "verify-already",
                target = &target,
                status = verification(status)
            ));
        }
        let reply = msg!(
            "verify-recorded",
            target = &target,
            status = verification(status),
            previous = verification(previous)
        );
        ack(
            base_record(crisis, self.input, Event::Verification { target, status }),
            reply,
        )
    }

    fn decision(&self, crisis: &Crisis, command: Command) -> Decision {
        let Command::Decision {
            text,
            rationale,
            by,
            trigger,
        } = command
        else {
            return self.unreachable_help();
        };
        let trigger = match trigger.map(|t| crisis.resolve_target(&t).ok_or(t)) {
            None => None,
            Some(Ok(found)) => Some(found),
            Some(Err(unknown)) => {
                return Decision::refuse(msg!("decision-unknown-trigger", target = &unknown));
            }
        };
        let decided_by = by.filter(|b| *b != self.input.author.id);
        let reference = crisis.next_reference(RefKind::Decision);
        let at = self.hm(self.input.sent_at);
        let mut reply: Speech = if rationale.is_some() {
            msg!("decision-recorded", reference = &reference, at).into()
        } else {
            msg!("decision-recorded-no-rationale", reference = &reference, at).into()
        };
        if let Some(who) = &decided_by {
            reply.line(msg!("decision-decided-by", who));
        }
        if let Some(to) = &trigger {
            reply.line(msg!("decision-answers", to));
        }
        ack(
            base_record(
                crisis,
                self.input,
                Event::Decision {
                    reference,
                    text,
                    rationale,
                    decided_by,
                    trigger,
                },
            ),
            reply,
        )
    }

    /// `!lier D2 I3`: an entry answers another entry, or an inject.
    fn relate(&self, crisis: &Crisis, from: &str, to: &str) -> Decision {
        if crisis.lookup(from).is_none() {
            return Decision::refuse(self.unknown_ref(crisis, from));
        }
        let Some(to) = crisis.resolve_target(to) else {
            return Decision::refuse(msg!("decision-unknown-trigger", target = to));
        };
        if to == from {
            return Decision::refuse(msg!("relate-itself", reference = from));
        }
        if crisis.links.iter().any(|(f, t)| f == from && *t == to) {
            return Decision::reply(msg!("relate-already", from, to = &to));
        }
        let reply = msg!("relate-recorded", from, to = &to);
        ack(
            base_record(
                crisis,
                self.input,
                Event::Link {
                    from: from.to_owned(),
                    to,
                },
            ),
            reply,
        )
    }

    fn action(
        &self,
        crisis: &Crisis,
        text: String,
        owner: Option<OwnerSpec>,
        due: Option<DueSpec>,
    ) -> Decision {
        let reference = crisis.next_reference(RefKind::Action);
        let owner = owner.map(|o| match o {
            OwnerSpec::User(u) => Owner::User(u),
            OwnerSpec::Role(r) => Owner::Role(r),
            OwnerSpec::Me => Owner::User(self.input.author.id.clone()),
        });
        let due = due.map(|d| match d {
            DueSpec::In(delta) => self.input.sent_at + delta,
            DueSpec::At(time) => next_occurrence(self.settings.tz, self.input.sent_at, time),
        });
        let reply = self.action_ack(crisis, &reference, owner.as_ref(), due);
        ack(
            base_record(
                crisis,
                self.input,
                Event::Action {
                    reference,
                    text,
                    owner,
                    due,
                },
            ),
            reply,
        )
    }

    fn action_ack(
        &self,
        crisis: &Crisis,
        reference: &str,
        owner: Option<&Owner>,
        due: Option<DateTime<Utc>>,
    ) -> Speech {
        let mut out = Speech::from(msg!("action-recorded", reference));
        if let Some(owner) = owner {
            out.push(" · ");
            out.push(msg!("action-owner", owner = owner_label(crisis, owner)));
        }
        if let Some(due) = due {
            out.push(" · ");
            out.push(msg!("action-due", due = self.hm(due)));
        }
        out.then(".")
    }

    fn done(&self, crisis: &Crisis, target: String) -> Decision {
        match crisis.lookup(&target) {
            Some(RefKind::Action) => {}
            Some(_) => return Decision::refuse(msg!("done-not-action", target = &target)),
            None => return Decision::refuse(self.unknown_ref(crisis, &target)),
        }
        let action = crisis.action(&target);
        if let Some(done) = action.and_then(|a| a.done_at) {
            return Decision::refuse(msg!(
                "done-already",
                target = &target,
                since = self.hm(done)
            ));
        }
        let late = action
            .and_then(|a| a.due)
            .filter(|due| *due < self.input.sent_at);
        let at = self.hm(self.input.sent_at);
        let reply = match late {
            None => msg!("done-recorded", target = &target, at),
            Some(due) => msg!(
                "done-recorded-late",
                target = &target,
                at,
                due = self.hm(due)
            ),
        };
        ack(
            base_record(crisis, self.input, Event::ActionDone { target }),
            reply,
        )
    }

    fn role(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        role_id: String,
        user: String,
    ) -> Decision {
        if let Some(refusal) = self.require_privilege(msg!("word-role")) {
            return refusal;
        }
        let Some(pb) = playbook else {
            return Decision::refuse(msg!("role-playbook-missing", playbook = &crisis.playbook));
        };
        let Some(def) = pb.role(&role_id) else {
            let ids: Vec<&str> = pb.roles.iter().map(|r| r.id.as_str()).collect();
            return Decision::refuse(msg!(
                "role-unknown",
                role = &role_id,
                roles = ids.join(", ")
            ));
        };
        let folded = crate::lang::fold(&user);
        let user = if folded == "@moi" || folded == "@me" {
            self.input.author.id.clone()
        } else {
            user
        };
        let previous = crisis.roles.get(&role_id);
        if previous == Some(&user) {
            return Decision::refuse(msg!("role-already", user = &user, role = &role_id));
        }
        let title = def.title.get(self.lang);
        let reply = match previous {
            None => msg!("role-assigned", title, role = &role_id, user = &user),
            Some(previous) => msg!(
                "role-assigned-instead",
                title,
                role = &role_id,
                user = &user,
                previous
            ),
        };
        ack(
            base_record(
                crisis,
                self.input,
                Event::RoleAssigned {
                    role: role_id,
                    user,
                },
            ),
            reply,
        )
    }

    /// `!inviter @person:server`: for the cell's leads; the front end sends
    /// the invitation once the entry is on disk.
    fn invite(&self, crisis: &Crisis, user: String) -> Decision {
        if let Some(refusal) = self.require_privilege(msg!("word-invite")) {
            return refusal;
        }
        if user == self.input.author.id {
            return Decision::refuse(msg!("invite-self"));
        }
        let record = base_record(crisis, self.input, Event::Invited { user: user.clone() });
        Decision {
            records: vec![record],
            effects: vec![
                Effect::Ack(msg!("invite-recorded", user = &user).into()),
                Effect::Invite {
                    room: crisis.room.clone(),
                    crisis: crisis.id.clone(),
                    user,
                },
            ],
        }
    }

    fn correct(&self, crisis: &Crisis, target: String, text: String) -> Decision {
        if crisis.lookup(&target).is_none() {
            return Decision::refuse(self.unknown_ref(crisis, &target));
        }
        let reference = crisis.next_reference(RefKind::Correction);
        let reply = msg!(
            "correction-recorded",
            reference = &reference,
            target = &target
        );
        ack(
            base_record(
                crisis,
                self.input,
                Event::Correction {
                    reference,
                    target,
                    text,
                },
            ),
            reply,
        )
    }

    /// `!papier 03:55 info …`: a paper note entered at its stated time, flagged transcribed.
    fn paper(
        &self,
        crisis: &Crisis,
        time: chrono::NaiveTime,
        kind: PaperKind,
        text: String,
        rationale: Option<String>,
    ) -> Decision {
        let occurred = previous_occurrence(self.settings.tz, self.input.at, time);
        if occurred < crisis.opened_at - chrono::TimeDelta::hours(24) {
            return Decision::refuse(msg!("paper-too-early"));
        }
        let (reference, event) = match kind {
            PaperKind::Info => {
                let reference = crisis.next_reference(RefKind::Info);
                (reference.clone(), Event::Info { reference, text })
            }
            PaperKind::Decision => {
                let reference = crisis.next_reference(RefKind::Decision);
                (
                    reference.clone(),
                    Event::Decision {
                        reference,
                        text,
                        rationale,
                        decided_by: None,
                        trigger: None,
                    },
                )
            }
            PaperKind::Action => {
                let reference = crisis.next_reference(RefKind::Action);
                (
                    reference.clone(),
                    Event::Action {
                        reference,
                        text,
                        owner: None,
                        due: None,
                    },
                )
            }
        };
        let mut record = base_record(crisis, self.input, event);
        record.occurred_at = occurred;
        record.transcribed = true;
        let reply = if occurred < crisis.opened_at {
            msg!(
                "paper-recorded-before-opening",
                reference,
                at = self.hm(occurred),
                opened = self.hm(crisis.opened_at)
            )
        } else {
            msg!("paper-recorded", reference, at = self.hm(occurred))
        };
        ack(record, reply)
    }

    /// `!export` in the players' room: an animated exercise gets the players' edition.
    pub(super) fn export(&self, crisis: &Crisis, format: Option<ExportFormat>) -> Decision {
        let format = format.unwrap_or_default();
        // The players' room of an animated exercise; the animation room gets everything.
        let players = crisis.run.is_some() && crisis.room == self.input.room;
        if players && format.carries_every_entry() {
            return Decision::refuse(msg!("export-players-no-json"));
        }
        Decision {
            records: Vec::new(),
            effects: vec![Effect::Export {
                room: self.input.room.clone(),
                crisis: crisis.id.clone(),
                format,
                players,
            }],
        }
    }

    pub(super) fn unknown_ref(&self, crisis: &Crisis, target: &str) -> Message {
        let last = |kind: RefKind| {
            let next = crisis.next_reference(kind);
            let n: usize = next[1..].parse().unwrap_or(1);
            (n > 1).then(|| format!("{}{}", kind.letter(), n - 1))
        };
        let known: Vec<String> = [
            RefKind::Info,
            RefKind::Decision,
            RefKind::Action,
            RefKind::Correction,
            RefKind::Note,
            RefKind::File,
        ]
        .into_iter()
        .filter_map(last)
        .collect();
        let known: Speech = if known.is_empty() {
            msg!("no-entry-yet").into()
        } else {
            known.join(", ").into()
        };
        msg!("unknown-reference", target, known)
    }

    /// `!statut`: where the crisis stands.
    fn status(&self, crisis: &Crisis, playbook: Option<&Playbook>) -> Speech {
        let now = self.input.at;
        let title = playbook
            .map(|p| p.title.get(self.lang).to_owned())
            .unwrap_or_else(|| crisis.playbook.clone());
        let elapsed = now - crisis.opened_at;
        let duration = format!("{}h{:02}", elapsed.num_hours(), elapsed.num_minutes() % 60);
        let mut out = Speech::from(msg!(
            "status-head",
            title,
            crisis = &crisis.id,
            at = self.hm(crisis.opened_at),
            by = &crisis.opened_by.name,
            duration
        ));
        // Roles.
        let n_roles = playbook.map_or(crisis.roles.len(), |p| p.roles.len());
        let held: Vec<String> = crisis
            .roles
            .iter()
            .map(|(r, u)| format!("{r} {u}"))
            .collect();
        let list: Speech = if held.is_empty() {
            msg!("status-roles-none").into()
        } else {
            held.join(", ").into()
        };
        out.line(msg!("status-roles", n_held = held.len(), n_roles, list));
        // Information by verification status.
        let count = |s: Verification| crisis.infos.iter().filter(|i| i.status == s).count();
        out.line(msg!(
            "status-infos",
            n = crisis.infos.len(),
            to_check = count(Verification::ToCheck),
            checking = count(Verification::Checking),
            confirmed = count(Verification::Confirmed),
            refuted = count(Verification::Refuted)
        ));
        // Decisions.
        match crisis.latest_decision() {
            None => out.line(msg!("status-decisions-none")),
            Some(last) => out.line(msg!(
                "status-decisions",
                n = crisis.decisions.len(),
                reference = &last.reference,
                at = self.hm(last.at),
                text = ellipsis(crisis.current_text(&last.reference, &last.text), 80)
            )),
        }
        // Actions: open first, overdue first.
        let open = crisis.open_actions(now);
        let overdue = open.iter().filter(|a| a.is_overdue(now)).count();
        let done = crisis.actions.len() - open.len();
        out.line(msg!("status-actions", n_open = open.len(), overdue, done));
        for action in open.iter().take(5) {
            let mut line = format!(
                "\n  {} {}",
                action.reference,
                ellipsis(crisis.current_text(&action.reference, &action.text), 60)
            );
            if let Some(owner) = &action.owner {
                line.push_str(&format!(" · {}", owner_label(crisis, owner)));
            }
            if let Some(due) = action.due {
                let flag = if action.is_overdue(now) {
                    "⚠️ "
                } else {
                    ""
                };
                line.push_str(&format!(" · {flag}{}", self.hm(due)));
            }
            out.push(line);
        }
        if open.len() > 5 {
            out.push("\n  ");
            out.push(msg!("status-more", n = open.len() - 5));
        }
        out
    }
}

/// A verification status as people read it.
pub(super) fn verification(status: Verification) -> Message {
    msg!("verification", status = status.key())
}
