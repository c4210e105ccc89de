//! Who took part, and who signs. People are shown by display name (the last
//! one tocsin saw), with their Matrix id beside it. The players are the crisis
//! cell, with the roles they held; facilitators and observers are listed
//! apart, read from what they did: the animation room's commands, notes, and
//! the observers' round of the hot debrief.

use std::collections::BTreeMap;

use super::{LeadRow, Participants, PersonRow, Report, SignatureRow};
use crate::journal::Entry;
use tocsin_core::engine::event::Event;
use tocsin_core::engine::exercise::debrief;
use tocsin_core::lang::speech::msg;

/// What someone did, as far as the log tells.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Player,
    Observer,
    Facilitator,
}

/// The animation-room work that only facilitators do.
fn is_facilitation(event: &Event) -> bool {
    matches!(
        event,
        Event::ExerciseLinkProposed { .. }
            | Event::ExerciseMode { .. }
            | Event::ExerciseStarted {}
            | Event::ExercisePaused {}
            | Event::ExerciseResumed {}
            | Event::ExerciseEnded {}
            | Event::InjectPlayed { .. }
            | Event::InjectSkipped { .. }
            | Event::InjectDelayed { .. }
            | Event::ReactionMarked { .. }
            | Event::ObjectiveAssessed { .. }
            | Event::SynthesisNote { .. }
    )
}

impl Report<'_> {
    /// The entry that names the exercise's director: the proposal the
    /// players' lead accepted (`!animer`), or else the link itself.
    pub(super) fn direx_entry(&self) -> Option<&Entry> {
        let linked = self
            .shown
            .iter()
            .position(|e| matches!(e.record.event, Event::ExerciseLinked { .. }))?;
        let Event::ExerciseLinked { animation_room, .. } = &self.shown[linked].record.event else {
            return None;
        };
        let proposal = self.shown[..linked].iter().rev().find(|e| {
            matches!(&e.record.event,
                Event::ExerciseLinkProposed { animation_room: room, .. } if room == animation_room)
        });
        Some(proposal.copied().unwrap_or(self.shown[linked]))
    }

    /// The crisis cell, the facilitators and the observers, and who held the cell.
    pub(super) fn participants(&self) -> Participants {
        // Id → (part, entries written), in order of first appearance.
        let mut people: Vec<(String, Part, usize)> = Vec::new();
        let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let bot = &self.settings.bot.id;
        let mut note =
            |id: &str, part: Part, wrote: usize| match people.iter_mut().find(|p| p.0 == id) {
                Some(p) => {
                    p.1 = p.1.max(part);
                    p.2 += wrote;
                }
                None => people.push((id.to_owned(), part, wrote)),
            };
        for e in &self.shown {
            let r = &e.record;
            if let Event::RoleAssigned { role, user } = &r.event {
                note(user, Part::Player, 0);
                let held = roles.entry(user.clone()).or_default();
                let title = self.role_title(role);
                if !held.contains(&title) {
                    held.push(title);
                }
            }
            if &r.author.id == bot {
                continue;
            }
            let part = if is_facilitation(&r.event) {
                Part::Facilitator
            } else if matches!(r.event, Event::Observation { .. })
                || matches!(r.event, Event::RetexContribution { topic, .. } if topic >= debrief::OBSERVER_TOPIC)
            {
                Part::Observer
            } else {
                Part::Player
            };
            note(&r.author.id, part, 1);
        }
        let rows = |wanted: Part| -> Vec<PersonRow> {
            people
                .iter()
                .filter(|(id, part, _)| {
                    *part == wanted || (wanted == Part::Player && roles.contains_key(id))
                })
                .map(|(id, part, entries)| PersonRow {
                    name: self.name(id),
                    id: id.clone(),
                    function: match (wanted, roles.get(id)) {
                        (Part::Player, Some(held)) => held.join(", "),
                        (Part::Player, None) => self.say(msg!("report-word-cell-member")),
                        (Part::Facilitator, _) => self.say(msg!("report-word-facilitator")),
                        (Part::Observer, _) => self.say(msg!("report-word-observer")),
                    },
                    // A facilitator holding a cell role is counted once, in the animation.
                    entries: if wanted == Part::Player && *part != Part::Player {
                        0
                    } else {
                        *entries
                    },
                })
                .collect()
        };
        Participants {
            cell: rows(Part::Player),
            facilitators: rows(Part::Facilitator),
            observers: rows(Part::Observer),
            leads: self
                .crisis
                .map(|c| {
                    c.leads
                        .iter()
                        .map(|(user, since)| LeadRow {
                            name: self.name(user),
                            since: self.at(*since),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Who signs: the exercise's director (who linked the animation room),
    /// each lead of the cell with the roles they held, and the establishment's
    /// direction, whose name is written by hand.
    pub(super) fn signatures(&self) -> Vec<SignatureRow> {
        let mut out: Vec<SignatureRow> = Vec::new();
        if let Some(linked) = self.direx_entry() {
            out.push(SignatureRow {
                function: self.say(msg!("report-sign-direx")),
                name: linked.record.author.name.clone(),
            });
        }
        if let Some(c) = self.crisis {
            let mut seen: Vec<&str> = Vec::new();
            for (user, _) in &c.leads {
                if seen.contains(&user.as_str()) {
                    continue;
                }
                seen.push(user);
                let held: Vec<String> = c.roles_of(user).map(|r| self.role_title(r)).collect();
                let function = if held.is_empty() {
                    self.say(msg!("report-sign-lead"))
                } else {
                    format!(
                        "{} — {}",
                        self.say(msg!("report-sign-lead")),
                        held.join(", ")
                    )
                };
                out.push(SignatureRow {
                    function,
                    name: self.name(user),
                });
            }
        }
        out.push(SignatureRow {
            function: self.say(msg!("report-sign-direction")),
            name: String::new(),
        });
        out
    }
}
