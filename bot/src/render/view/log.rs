//! The chronology: the main courante as people read it on paper, day by day,
//! each entry with its time, author, kind, reference and text, and the
//! reminders and clock warnings about one item folded into one line with a
//! count. Also the CSV export's rows, which keep ISO times for spreadsheets.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{DayView, LogRow, Report};
use crate::journal::Entry;
use tocsin_core::engine::event::{Event, Owner, Record, SentFile};
use tocsin_core::engine::exercise::player_text;
use tocsin_core::lang::speech::msg;
use tocsin_core::playbook::Catalog;

/// `nis2.2` for a stage, `cnil-72h` for a clock without stages.
fn stage_ref(clock: &str, stage: Option<usize>) -> String {
    stage.map_or_else(|| clock.to_owned(), |n| format!("{clock}.{n}"))
}

/// One item's reminders (or one clock's warnings): the row they fold into, and each one's seq, time and words.
type Fold = (usize, Vec<(u64, DateTime<Utc>, String)>);

impl Report<'_> {
    /// The chronology by day; the corrections and deletions; the gaps.
    pub(super) fn chronology(&self) -> (Vec<DayView>, Vec<LogRow>, Vec<LogRow>) {
        let mut rows: Vec<(NaiveDate, LogRow)> = Vec::new();
        let mut folds: HashMap<String, Fold> = HashMap::new();
        let mut corrections = Vec::new();
        let mut gaps = Vec::new();
        for e in &self.shown {
            let r = &e.record;
            let row = self.log_row(e);
            let fold = match &r.event {
                Event::Reminder { target, .. } => {
                    Some((format!("reminder {target}"), String::new()))
                }
                Event::ClockWarning { clock, stage, .. } => Some((
                    format!("clock {}", stage_ref(clock, *stage)),
                    row.text.clone(),
                )),
                _ => None,
            };
            if let Some((key, words)) = fold {
                let seen = (r.seq, r.occurred_at, words);
                if let Some((_, earlier)) = folds.get_mut(&key) {
                    earlier.push(seen);
                    continue;
                }
                folds.insert(key, (rows.len(), vec![seen]));
            }
            match r.event {
                Event::Correction { .. } | Event::Redaction { .. } => corrections.push(row.clone()),
                Event::Gap { .. } => gaps.push(row.clone()),
                _ => {}
            }
            rows.push((
                super::super::time::local_day(self.settings, r.occurred_at),
                row,
            ));
        }
        for (key, (idx, seen)) in folds {
            if seen.len() > 1 {
                self.fold(&mut rows[idx].1, key.starts_with("reminder"), &seen);
            }
        }
        let mut days: Vec<DayView> = Vec::new();
        let mut current = None;
        for (day, row) in rows {
            if current != Some(day) {
                current = Some(day);
                days.push(DayView {
                    date: super::super::time::date(self.settings, day),
                    rows: Vec::new(),
                });
            }
            if let Some(d) = days.last_mut() {
                d.rows.push(row);
            }
        }
        (days, corrections, gaps)
    }

    /// Several reminders of one item, or warnings of one clock, as one row:
    /// `40–124`, « 3 fois : 21:54, 22:24, 22:54 ».
    fn fold(&self, row: &mut LogRow, reminders: bool, seen: &[(u64, DateTime<Utc>, String)]) {
        let (first, last) = (seen[0].0, seen[seen.len() - 1].0);
        row.seq = format!("{first}–{last}");
        if reminders {
            let times: Vec<String> = seen.iter().map(|(_, t, _)| self.time(*t)).collect();
            let who = if row.text.is_empty() {
                String::new()
            } else {
                format!(" · {}", row.text)
            };
            row.text = format!(
                "{}{who}",
                self.say(msg!(
                    "report-folded",
                    n = seen.len(),
                    times = times.join(", ")
                ))
            );
        } else {
            let each: Vec<String> = seen
                .iter()
                .map(|(_, t, words)| format!("{words} ({})", self.time(*t)))
                .collect();
            row.text = each.join(", ");
        }
    }

    /// One entry as the chronology shows it.
    fn log_row(&self, e: &Entry) -> LogRow {
        let r = &e.record;
        let (reference, text) = self.describe(&r.event);
        let note = if r.transcribed {
            self.say(msg!(
                "report-transcribed-at",
                time = self.time(r.recorded_at)
            ))
        } else if (r.recorded_at - r.occurred_at).num_seconds().abs() >= 60 {
            self.say(msg!("report-recorded-at", time = self.time(r.recorded_at)))
        } else {
            String::new()
        };
        LogRow {
            seq: r.seq.to_string(),
            hash: tocsin_core::digest::hex(&e.hash)[..8].to_owned(),
            time: self.time(r.occurred_at),
            note,
            author: match &r.recorded_by {
                Some(by) => format!(
                    "{} — {}",
                    r.author.name,
                    self.say(msg!("report-recorded-by", by = &by.name))
                ),
                None => r.author.name.clone(),
            },
            role: self.role_of(r),
            kind: self.say(msg!("kind", kind = r.event.kind())),
            reference,
            text,
            // Stimuli are what the players lived through, even when tocsin sent them.
            system: r.author.id == self.settings.bot.id
                && !matches!(r.event, Event::InjectPlayed { .. }),
            before_opening: self.crisis.is_some_and(|c| r.occurred_at < c.opened_at),
        }
    }

    /// « comptée depuis mar. 1 déc. 2026 21:25 (I7) »: where a clock counts from.
    fn counted_from(&self, at: DateTime<Utc>, entry: Option<&str>) -> String {
        format!(
            "{} {}{}",
            self.say(msg!("report-word-counted-from")),
            self.at(at),
            entry.map(|e| format!(" ({e})")).unwrap_or_default()
        )
    }

    /// Who owns an action: a person by name, or a role by title (and its holder).
    pub(super) fn owner(&self, owner: &Owner) -> String {
        match owner {
            Owner::User(u) => self.name(u),
            Owner::Role(role) => match self.crisis.and_then(|c| c.roles.get(role)) {
                Some(holder) => format!("{} ({})", self.role_title(role), self.name(holder)),
                None => self.role_title(role),
            },
        }
    }

    /// The reference an entry creates or concerns, and its text for the log.
    #[expect(
        clippy::too_many_lines,
        reason = "a flat match: one arm per event kind"
    )]
    pub(super) fn describe(&self, event: &Event) -> (String, String) {
        let settings = self.settings;
        let lang = settings.lang;
        let none = || (String::new(), String::new());
        match event {
            Event::CrisisOpened {
                playbook: id,
                playbook_version,
                exercise,
                ..
            } => {
                let title = self
                    .playbook
                    .map(|p| p.title.get(lang).to_owned())
                    .unwrap_or_default();
                let mode = if *exercise {
                    self.say(msg!("report-word-exercise"))
                } else {
                    String::new()
                };
                (
                    String::new(),
                    format!("{title} ({id} v{playbook_version}){mode}"),
                )
            }
            Event::Info { reference, text } => (reference.clone(), text.clone()),
            Event::Verification { target, status } => (
                target.clone(),
                self.say(msg!("verification", status = status.key())),
            ),
            Event::Decision {
                reference,
                text,
                rationale,
                decided_by,
                trigger,
            } => {
                let mut s = text.clone();
                if let Some(why) = rationale {
                    let word = self.say(msg!("report-word-rationale"));
                    s.push_str(&format!(" — {word} : {why}"));
                }
                if let Some(who) = decided_by {
                    let who = self.name(who);
                    s.push_str(&format!(
                        " — {}",
                        self.say(msg!("decision-decided-by", who))
                    ));
                }
                if let Some(to) = trigger {
                    s.push_str(&format!(" — {}", self.say(msg!("report-answers", to))));
                }
                (reference.clone(), s)
            }
            Event::Link { from, to } => (from.clone(), self.say(msg!("report-answers", to))),
            Event::PlanMoved { item, state, note } => {
                let state = self.say(msg!("plan-state", state = state.key()));
                let text = match note {
                    Some(note) => format!("{state} — {note}"),
                    None => state,
                };
                (item.clone(), text)
            }
            Event::Undelivered { txn, reason } => (
                String::new(),
                self.say(msg!("report-undelivered", txn, reason)),
            ),
            Event::PlanCarried { items } => {
                let ids: Vec<&str> = items.iter().map(|i| i.item.as_str()).collect();
                (String::new(), ids.join(", "))
            }
            Event::Note { reference, text } => (reference.clone(), text.clone()),
            Event::File {
                reference,
                name,
                mime,
                size,
                sha256,
            } => (
                reference.clone(),
                self.say(msg!("report-file", name, mime, size = *size, sha256)),
            ),
            Event::Action {
                reference,
                text,
                owner,
                due,
            } => {
                let s = self.owned_and_due(
                    text,
                    owner.as_ref().map(|o| self.owner(o)),
                    due.map(|d| self.at(d)),
                );
                (reference.clone(), s)
            }
            Event::ActionDone { target } => (target.clone(), String::new()),
            Event::RoleAssigned { role, user } => (
                String::new(),
                format!("{} → {}", self.role_title(role), self.name(user)),
            ),
            Event::Correction {
                reference,
                target,
                text,
            } => (
                reference.clone(),
                format!(
                    "{} {target} : {text}",
                    self.say(msg!("report-word-corrects"))
                ),
            ),
            Event::Redaction { target, reason } => (
                target.clone(),
                format!(
                    "{}{}",
                    self.say(msg!("report-message-deleted-from-room")),
                    reason
                        .as_ref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                ),
            ),
            Event::Gap { reason } => (String::new(), reason.clone()),
            Event::MemberJoined {} => (String::new(), String::new()),
            Event::ProcedureStarted { procedure } => (
                procedure.clone(),
                self.playbook
                    .and_then(|p| p.procedure(procedure))
                    .map(|p| p.title.get(lang).to_owned())
                    .unwrap_or_default(),
            ),
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
            } => (format!("{procedure}.{step}"), self.name(user)),
            Event::ClockDone { clock, stage } => (stage_ref(clock, *stage), String::new()),
            Event::ClockAnchored { clock, at, entry } => {
                (clock.clone(), self.counted_from(*at, entry.as_deref()))
            }
            Event::ClockActivated { clock, from, entry } => (
                clock.clone(),
                from.map(|at| self.counted_from(at, entry.as_deref()))
                    .unwrap_or_default(),
            ),
            Event::ClockStopped { clock, reason } => {
                (clock.clone(), reason.clone().unwrap_or_default())
            }
            Event::ClockWarning {
                clock,
                left_minutes,
                stage,
            } => (
                stage_ref(clock, *stage),
                if *left_minutes <= 0 {
                    self.say(msg!("report-word-deadline-reached"))
                } else {
                    format!(
                        "{} {}",
                        self.say(msg!("report-word-threshold")),
                        self.duration(chrono::TimeDelta::minutes(*left_minutes))
                    )
                },
            ),
            Event::Reminder { target, who } => (
                target.clone(),
                who.as_deref()
                    .map(|w| self.say(msg!("report-reminded", who = self.name(w))))
                    .unwrap_or_default(),
            ),
            Event::PointCadence { every_minutes } => (
                String::new(),
                if *every_minutes > 0 {
                    self.say(msg!(
                        "report-every",
                        every = self.duration(chrono::TimeDelta::minutes(*every_minutes))
                    ))
                } else {
                    self.say(msg!("report-word-no-points"))
                },
            ),
            Event::SituationPoint { number } => (format!("#{number}"), String::new()),
            Event::HandoverStarted { from, to } => (
                String::new(),
                format!("{} → {}", self.name(from), self.name(to)),
            ),
            Event::HandoverAcknowledged { by } => (String::new(), self.name(by)),
            Event::Invited { user } => (
                String::new(),
                self.say(msg!("report-invited", user = self.name(user))),
            ),
            Event::ComcheckStarted { number, text } => (format!("#{number}"), text.clone()),
            Event::ComcheckAcknowledged { number, by } => (format!("#{number}"), self.name(by)),
            Event::Posted { tag, event_id, .. } => (tag.to_string(), event_id.clone()),
            Event::ExerciseLinkDeclined { animation_room } => {
                (String::new(), animation_room.clone())
            }
            Event::ExerciseLinked {
                scenario,
                scenario_version,
                code_name,
                auto,
                ..
            }
            | Event::ExerciseLinkProposed {
                scenario,
                scenario_version,
                code_name,
                auto,
                ..
            } => (
                String::new(),
                format!(
                    "« {code_name} » ({scenario} v{scenario_version}) · {}",
                    if *auto {
                        self.say(msg!("report-word-auto"))
                    } else {
                        self.say(msg!("report-word-manual"))
                    }
                ),
            ),
            Event::ExerciseMode { auto } => (
                String::new(),
                if *auto {
                    self.say(msg!("report-word-auto"))
                } else {
                    self.say(msg!("report-word-manual"))
                },
            ),
            Event::CrisisClosed {}
            | Event::ExerciseStarted {}
            | Event::ExercisePaused {}
            | Event::ExerciseResumed {}
            | Event::ExerciseEnded {}
            | Event::RetexStarted {}
            | Event::RetexEnded {} => none(),
            Event::ExerciseStopped { text } => (String::new(), text.clone()),
            Event::InjectPlayed {
                inject,
                channel,
                from,
                to,
                text,
                adhoc,
                recipient,
                direct,
                headline,
                handle,
                attachments,
                ..
            } => {
                let to = to
                    .as_ref()
                    .map(|t| format!(" → {}", self.role_title(t)))
                    .unwrap_or_default();
                let adhoc = if *adhoc {
                    self.say(msg!("report-word-ad-hoc"))
                } else {
                    String::new()
                };
                let from = tocsin_core::engine::exercise::persona(from, handle.as_deref());
                let text = tocsin_core::engine::exercise::with_headline(
                    self.settings,
                    headline.as_deref(),
                    text,
                );
                (
                    inject.clone(),
                    format!(
                        "{}{adhoc}{}",
                        self.stimulus(channel, &format!("{from}{to}"), &text),
                        self.delivery_note(recipient.as_deref(), *direct, attachments)
                    ),
                )
            }
            Event::InjectSkipped { inject, reason } => {
                (inject.clone(), reason.clone().unwrap_or_default())
            }
            Event::InjectDelayed { inject, minutes } => (
                inject.clone().unwrap_or_default(),
                format!("+{}", self.duration(chrono::TimeDelta::minutes(*minutes))),
            ),
            Event::ReactionMarked { inject, met } => (
                inject.clone(),
                if *met {
                    self.say(msg!("report-word-expected-met"))
                } else {
                    self.say(msg!("report-expected-not-met"))
                },
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
            Event::RetexTopic { number } => (
                format!("#{number}"),
                self.say(tocsin_core::engine::exercise::debrief::retex_topic(*number)),
            ),
            Event::RetexContribution { topic, text } => (format!("#{topic}"), text.clone()),
            Event::Improvement {
                reference,
                text,
                owner,
                due,
            } => {
                let s = self.owned_and_due(
                    text,
                    owner.as_deref().map(|o| self.improvement_owner(o)),
                    due.map(|d| super::super::time::date(settings, d)),
                );
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
                    self.say(msg!("attainment", result = result.key())),
                    comment
                        .as_ref()
                        .map(|c| format!(" — {c}"))
                        .unwrap_or_default()
                ),
            ),
            Event::SynthesisNote { part, text } => (
                String::new(),
                format!(
                    "{} : {text}",
                    self.say(msg!("report-synthesis-part", part = part.key()))
                ),
            ),
        }
    }

    /// A stimulus as the players got it, without the channel's picture:
    /// « Appel — Biologiste de garde → DSI : … ».
    pub(super) fn stimulus(&self, channel: &str, from_to: &str, text: &str) -> String {
        let full = player_text(self.settings, channel, from_to, text);
        // The catalog's form starts with the channel's icon, which paper does without.
        match full.split_once(' ') {
            Some((icon, rest)) if !icon.chars().any(char::is_alphanumeric) => rest.to_owned(),
            _ => full,
        }
    }

    /// « text · owner · échéance due », each part when there is one.
    fn owned_and_due(&self, text: &str, owner: Option<String>, due: Option<String>) -> String {
        let mut s = text.to_owned();
        if let Some(owner) = owner {
            s.push_str(&format!(" · {owner}"));
        }
        if let Some(due) = due {
            s.push_str(&format!(" · {} {due}", self.say(msg!("report-word-due"))));
        }
        s
    }

    /// Who received an inject and how, and the files it carried
    /// (« — reçu par Bob (@bob:chu.fr), en message direct — pièces jointes : … »).
    pub(super) fn delivery_note(
        &self,
        recipient: Option<&str>,
        direct: bool,
        attachments: &[SentFile],
    ) -> String {
        let mut note = String::new();
        if let Some(who) = recipient {
            let name = self.name(who);
            let who = if name == who {
                who.to_owned()
            } else {
                format!("{name} ({who})")
            };
            note.push_str(&format!(" — {}", self.say(msg!("report-received-by", who))));
            if direct {
                note.push_str(&format!(", {}", self.say(msg!("report-direct"))));
            }
        }
        if !attachments.is_empty() {
            let files: Vec<String> = attachments
                .iter()
                .map(|f| {
                    format!(
                        "{} (SHA-256 {})",
                        f.name,
                        &f.sha256[..f.sha256.len().min(16)]
                    )
                })
                .collect();
            note.push_str(&format!(
                " — {}",
                self.say(msg!("report-attachments", files = files.join(", ")))
            ));
        }
        note
    }

    /// An improvement's pilot: a person (`@…`) by name, or a role by title.
    pub(super) fn improvement_owner(&self, owner: &str) -> String {
        if owner.starts_with('@') {
            self.name(owner)
        } else {
            self.role_title(owner)
        }
    }
}

/// The CSV export's rows: every entry the edition shows, its times in ISO
/// 8601 in the configured zone (spreadsheets sort them), its author as
/// « name (id) ». Columns: seq, occurred_at, recorded_at, author, role, kind,
/// reference, text, transcribed, source_event, hash.
pub fn csv_rows(
    entries: &[Entry],
    catalog: &Catalog,
    settings: &tocsin_core::engine::Settings,
    edition: super::Edition,
    now: DateTime<Utc>,
) -> Vec<[String; 11]> {
    let iso = |t: DateTime<Utc>| {
        t.with_timezone(&settings.tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    };
    let who = |r: &Record| {
        if r.author.name == r.author.id {
            r.author.id.clone()
        } else {
            format!("{} ({})", r.author.name, r.author.id)
        }
    };
    super::with_report(entries, catalog, settings, edition, now, |report, _| {
        report
            .shown
            .iter()
            .map(|e| {
                let r = &e.record;
                let (reference, text) = report.describe(&r.event);
                [
                    r.seq.to_string(),
                    iso(r.occurred_at),
                    iso(r.recorded_at),
                    who(r),
                    r.role.clone().unwrap_or_default(),
                    settings.say(msg!("kind", kind = r.event.kind())),
                    reference,
                    text,
                    if r.transcribed { "yes" } else { "" }.to_owned(),
                    r.source.clone().unwrap_or_default(),
                    tocsin_core::digest::hex(&e.hash)[..16].to_owned(),
                ]
            })
            .collect()
    })
}
