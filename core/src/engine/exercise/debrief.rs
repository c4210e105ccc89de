//! After FINEX: the guided hot debrief (RETEX) in the players' room, and the
//! improvement plan (`P1`…).

use crate::engine::command::RetexArg;
use crate::engine::event::Event;
use crate::engine::state::Crisis;
use crate::engine::{Ctx, Decision, Effect};
use crate::lang::speech::{Message, msg};

/// The number of round-table topics of the hot debrief: players first, observers last.
pub const N_RETEX_TOPICS: u32 = 6;

/// A round-table topic of the hot debrief (1 to [`N_RETEX_TOPICS`]).
pub fn retex_topic(n: u32) -> Message {
    msg!("retex-topic", n = n.clamp(1, N_RETEX_TOPICS))
}

/// The first topic reserved to observers.
pub const OBSERVER_TOPIC: u32 = 6;

impl Ctx<'_> {
    /// `!amélioration`: an item of the improvement plan (`P1`…).
    pub(in crate::engine) fn improve(
        &self,
        crisis: &Crisis,
        text: String,
        owner: Option<String>,
        due: Option<chrono::NaiveDate>,
    ) -> Decision {
        let reference = self.world.next_plan_id();
        let mut reply = self.say(msg!("improve-ack", reference = &reference));
        match &owner {
            Some(o) => reply.push_str(&format!(" · {} {o}", self.say(msg!("improve-owner-word")))),
            None => reply.push_str(&self.say(msg!("improve-no-owner"))),
        }
        if let Some(due) = due {
            reply.push_str(&format!(
                " · {} {}",
                self.say(msg!("improve-due-word")),
                self.say(msg!(
                    "date",
                    day = due.format("%d").to_string(),
                    month = due.format("%m").to_string(),
                    year = due.format("%Y").to_string()
                ))
            ));
        }
        reply.push('.');
        let record = crate::engine::base_record(
            crisis,
            self.input,
            Event::Improvement {
                reference,
                text,
                owner,
                due,
            },
        );
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(reply.into())],
        }
    }

    /// `!retex …` in the players' room.
    pub(in crate::engine) fn retex(&self, crisis: &Crisis, arg: RetexArg) -> Decision {
        if let Some(run) = &crisis.run
            && run.ended_at.is_none()
        {
            return Decision::refuse(msg!("retex-after-finex"));
        }
        let record = |event: Event| crate::engine::base_record(crisis, self.input, event);
        let topic_text = |n: u32| {
            let who = if n >= OBSERVER_TOPIC {
                self.say(msg!("retex-observers"))
            } else {
                self.say(msg!("retex-players"))
            };
            format!(
                "🗣️ RETEX {n}/{} ({who}) — {}\n{}",
                N_RETEX_TOPICS,
                self.say(retex_topic(n)),
                self.say(msg!("retex-each-in-turn", p = self.p()))
            )
        };
        match (&crisis.retex, arg) {
            (None, RetexArg::Start) => Decision {
                records: vec![record(Event::RetexStarted {})],
                effects: vec![
                    Effect::Ack(self.say(msg!("retex-open")).into()),
                    self.post_players(crisis, topic_text(1)),
                ],
            },
            (None, _) => Decision::refuse(msg!("retex-not-open", p = self.p())),
            (Some(r), _) if r.ended_at.is_some() => {
                Decision::refuse(msg!("retex-closed-already", p = self.p()))
            }
            (Some(r), RetexArg::Start) => Decision::reply(topic_text(r.topic)),
            (Some(r), RetexArg::Say(text)) => {
                let n = r
                    .contributions
                    .iter()
                    .filter(|c| c.topic == r.topic)
                    .count()
                    + 1;
                let reply = self.say(msg!(
                    "retex-contribution",
                    n,
                    topic = r.topic,
                    total = N_RETEX_TOPICS
                ));
                Decision {
                    records: vec![record(Event::RetexContribution {
                        topic: r.topic,
                        text,
                    })],
                    effects: vec![Effect::Ack(reply.into())],
                }
            }
            (Some(r), RetexArg::Next) if r.topic < N_RETEX_TOPICS => Decision {
                records: vec![record(Event::RetexTopic {
                    number: r.topic + 1,
                })],
                effects: vec![self.post_players(crisis, topic_text(r.topic + 1))],
            },
            (Some(r), RetexArg::Next | RetexArg::End) => {
                let p = self.p();
                let text = msg!(
                    "retex-closed",
                    n = r.contributions.len(),
                    n_improvements = crisis.improvements.len(),
                    p
                );
                Decision {
                    records: vec![record(Event::RetexEnded {})],
                    effects: vec![self.post_players(crisis, text)],
                }
            }
        }
    }
}
