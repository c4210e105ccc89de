//! The exercise's sections: its identity and course, the objectives with the
//! facilitators' judgement, the inject-by-inject table, the observers' notes,
//! the hot debrief by topic, the facilitators' synthesis and the improvement
//! plan. Facilitator material (judgements, expected reactions, marks,
//! observations, synthesis) is only built for the full edition.

use std::collections::HashMap;

use super::{
    ContributionRow, ImprovementRow, InjectRow, ObjectiveRow, ObservationRow, Report,
    RetexTopicView, RunView, SynthesisView,
};
use tocsin_core::engine::event::{Event, PlanState, SynthesisPart};
use tocsin_core::engine::exercise::{channel_label, debrief, measures};
use tocsin_core::lang::speech::msg;
use tocsin_core::playbook::scenario::Channel;

/// An inject as it was played: channel, from (with a handle), to, text (with
/// a headline), expected, and who received it how.
type Played<'a> = (
    &'a String,
    String,
    &'a Option<String>,
    String,
    &'a Option<String>,
    String,
);

impl Report<'_> {
    /// The exercise's identity and course.
    pub(super) fn run_view(&self) -> Option<RunView> {
        let lang = self.settings.lang;
        let r = self.run?;
        let sc = self.scenario;
        let linked_by = self
            .direx_entry()
            .map(|e| e.record.author.name.clone())
            .unwrap_or_default();
        Some(RunView {
            code_name: r.code_name.clone(),
            scenario: r.scenario.clone(),
            scenario_version: r.scenario_version.clone(),
            scenario_title: sc.map(|s| s.title.get(lang).to_owned()).unwrap_or_default(),
            scenario_summary: sc
                .and_then(|s| s.summary.as_ref())
                .map(|s| s.get(lang).to_owned())
                .unwrap_or_default(),
            level: sc
                .map(|s| self.say(msg!("level", level = s.level.id())))
                .unwrap_or_default(),
            linked_by,
            site: r.site.clone().unwrap_or_default(),
            linked_at: self.at(r.linked_at),
            debex: r.started_at.map(|t| self.at(t)).unwrap_or_default(),
            finex: r.ended_at.map(|t| self.at(t)).unwrap_or_default(),
            played: r
                .ended_at
                .map(|end| self.duration(r.clock(end)))
                .unwrap_or_default(),
            paused: self.duration(r.paused_total),
            stops: r
                .stops
                .iter()
                .map(|(at, who)| format!("{} — {who}", self.at(*at)))
                .collect(),
        })
    }

    /// The scenario's objectives, each with the injects serving it and, in the
    /// full edition, the facilitators' judgement and the observations on it.
    pub(super) fn objectives(&self) -> Vec<ObjectiveRow> {
        let (Some(sc), Some(_)) = (self.scenario, self.run) else {
            return Vec::new();
        };
        let lang = self.settings.lang;
        sc.objectives
            .iter()
            .map(|o| {
                let serving: Vec<&measures::Outcome> = self
                    .outcomes
                    .iter()
                    .filter(|out| {
                        sc.inject(&out.inject)
                            .is_some_and(|i| i.objectives.contains(&o.id))
                    })
                    .collect();
                // Facilitator material: not even computed for the players.
                let judged = self
                    .crisis
                    .and_then(|c| c.assessment(&o.id))
                    .filter(|_| self.full);
                ObjectiveRow {
                    id: o.id.clone(),
                    text: o.text.get(lang).to_owned(),
                    played: serving.iter().filter(|o| o.played_at.is_some()).count(),
                    met: if self.full {
                        serving
                            .iter()
                            .filter(|o| matches!(o.met, Some((true, _))))
                            .count()
                    } else {
                        0
                    },
                    result: judged
                        .map(|a| self.say(msg!("attainment", result = a.result.key())))
                        .unwrap_or_default(),
                    result_key: judged
                        .map(|a| a.result.key().to_owned())
                        .unwrap_or_default(),
                    comment: judged.and_then(|a| a.comment.clone()).unwrap_or_default(),
                    n_observations: self.crisis.filter(|_| self.full).map_or(0, |c| {
                        c.observations
                            .iter()
                            .filter(|obs| obs.objective.as_deref() == Some(o.id.as_str()))
                            .count()
                    }),
                }
            })
            .collect()
    }

    /// Injects planned and played, with their measures (full edition only).
    pub(super) fn injects(&self) -> Vec<InjectRow> {
        if self.run.is_none() || !self.full {
            return Vec::new();
        }
        let played: HashMap<&str, Played<'_>> = self
            .shown
            .iter()
            .filter_map(|e| match &e.record.event {
                Event::InjectPlayed {
                    inject,
                    channel,
                    from,
                    to,
                    text,
                    expected,
                    recipient,
                    direct,
                    headline,
                    handle,
                    attachments,
                    ..
                } => Some((
                    inject.as_str(),
                    (
                        channel,
                        tocsin_core::engine::exercise::persona(from, handle.as_deref()),
                        to,
                        tocsin_core::engine::exercise::with_headline(
                            self.settings,
                            headline.as_deref(),
                            text,
                        ),
                        expected,
                        self.delivery_note(recipient.as_deref(), *direct, attachments),
                    ),
                )),
                _ => None,
            })
            .collect();
        self.outcomes
            .iter()
            .map(|o| self.inject_row(o, &played))
            .collect()
    }

    /// The establishment's label in a regional exercise: its variants.
    fn site(&self) -> Option<&str> {
        self.run.and_then(|r| r.site.as_deref())
    }

    /// One inject: what the scenario planned, what was played, the reaction and the result.
    fn inject_row(&self, o: &measures::Outcome, played: &HashMap<&str, Played<'_>>) -> InjectRow {
        let lang = self.settings.lang;
        let inject = self.scenario.and_then(|s| s.inject(&o.inject));
        let t_plus = |d| format!("T+{}", self.duration(d));
        // Ad-hoc injects exist only in the log: take what was played.
        let (channel, from, to, text, expected, delivery) =
            match (played.get(o.inject.as_str()), inject) {
                (Some((c, f, t, x, e, d)), _) => (
                    (*c).clone(),
                    f.clone(),
                    (*t).clone(),
                    x.clone(),
                    (*e).clone().unwrap_or_default(),
                    d.clone(),
                ),
                // Not played: as it would have read in this establishment.
                (None, Some(i)) => (
                    i.channel.id().to_owned(),
                    i.from_for(self.site()).get(lang).to_owned(),
                    i.to.clone(),
                    i.content_for(self.site()).get(lang).to_owned(),
                    i.expected
                        .as_ref()
                        .map(|e| e.get(lang).to_owned())
                        .unwrap_or_default(),
                    String::new(),
                ),
                (None, None) => Default::default(),
            };
        let to = to.map_or_else(
            || self.say(msg!("report-word-all")),
            |t| self.role_title(&t),
        );
        let (status, status_key) = self.inject_status(o);
        InjectRow {
            id: o.inject.clone(),
            objectives: inject.map(|i| i.objectives.join(", ")).unwrap_or_default(),
            planned: o.planned.map_or_else(
                || {
                    if o.adhoc {
                        self.say(msg!("report-word-ad-hoc-short"))
                    } else {
                        self.say(msg!("report-word-on-command"))
                    }
                },
                t_plus,
            ),
            played: match (o.played_at, o.t_plus) {
                (Some(at), Some(t)) => format!("{} · {}", t_plus(t), self.at(at)),
                _ => String::new(),
            },
            channel: self.say(channel_label(
                Channel::parse(&channel).unwrap_or(Channel::Internal),
            )),
            from_to: format!("{from} → {to}{delivery}"),
            text,
            expected,
            reaction: o
                .first_reaction
                .as_ref()
                .map(|(r, d)| {
                    self.say(msg!(
                        "report-first-reaction",
                        delay = self.duration(*d),
                        reference = r
                    ))
                })
                .unwrap_or_default(),
            result: self.inject_result(o),
            status,
            status_key: status_key.to_owned(),
            adhoc: o.adhoc,
        }
    }

    /// Played (ad hoc or not), skipped (and why), or not played; and the
    /// stylesheet's key for it.
    fn inject_status(&self, o: &measures::Outcome) -> (String, &'static str) {
        if o.played_at.is_some() {
            let words = if o.adhoc {
                msg!("report-played-ad-hoc")
            } else {
                msg!("report-word-played")
            };
            (self.say(words), "played")
        } else if o.skipped {
            let why = self
                .run
                .and_then(|r| r.skipped.get(&o.inject))
                .and_then(|(_, why)| why.clone());
            let words = self.say(msg!("report-word-skipped-2"));
            match why {
                Some(why) => (format!("{words} ({why})"), "skipped"),
                None => (words, "skipped"),
            }
        } else {
            (self.say(msg!("report-word-not-played")), "not_played")
        }
    }

    /// Observers' notes (full edition only).
    pub(super) fn observations(&self) -> Vec<ObservationRow> {
        let Some(c) = self.crisis.filter(|_| self.full) else {
            return Vec::new();
        };
        c.observations
            .iter()
            .map(|o| ObservationRow {
                reference: o.reference.clone(),
                at: match self.run {
                    Some(r) => format!("T+{} · {}", self.duration(r.clock(o.at)), self.at(o.at)),
                    None => self.at(o.at),
                },
                author: o.by.name.clone(),
                about: o
                    .inject
                    .clone()
                    .or_else(|| o.objective.clone())
                    .unwrap_or_default(),
                text: o.text.clone(),
            })
            .collect()
    }

    /// The hot debrief, topic by topic.
    pub(super) fn retex(&self) -> Vec<RetexTopicView> {
        let Some(r) = self.crisis.and_then(|c| c.retex.as_ref()) else {
            return Vec::new();
        };
        (1..=debrief::N_RETEX_TOPICS)
            .map(|number| RetexTopicView {
                number,
                title: self.say(debrief::retex_topic(number)),
                contributions: r
                    .contributions
                    .iter()
                    .filter(|c| c.topic == number)
                    .map(|c| ContributionRow {
                        at: self.at(c.at),
                        author: c.by.name.clone(),
                        text: c.text.clone(),
                    })
                    .collect(),
            })
            .filter(|t| !t.contributions.is_empty())
            .collect()
    }

    /// The facilitators' synthesis (full edition of an exercise).
    pub(super) fn synthesis(&self) -> Option<SynthesisView> {
        let c = self.crisis.filter(|c| self.full && c.run.is_some())?;
        let part = |part: SynthesisPart| {
            c.synthesis
                .iter()
                .filter(|s| s.part == part)
                .map(|s| ContributionRow {
                    at: self.at(s.at),
                    author: s.by.name.clone(),
                    text: s.text.clone(),
                })
                .collect()
        };
        Some(SynthesisView {
            strengths: part(SynthesisPart::Strength),
            to_improve: part(SynthesisPart::ToImprove),
        })
    }

    /// The improvement plan: the items opened here, and those of the
    /// establishment's register still open when this crisis opened, each as
    /// it stands after the moves recorded here.
    pub(super) fn improvements(&self) -> (Vec<ImprovementRow>, Vec<ImprovementRow>) {
        let Some(c) = self.crisis else {
            return (Vec::new(), Vec::new());
        };
        let date = |d: Option<chrono::NaiveDate>| {
            d.map(|d| super::super::time::date(self.settings, d))
                .unwrap_or_default()
        };
        let owner = |o: Option<&str>| o.map(|o| self.improvement_owner(o)).unwrap_or_default();
        let standing = |item: &str, start: PlanState| {
            let last = c
                .plan_moves
                .iter()
                .rfind(|(i, _)| i.eq_ignore_ascii_case(item));
            let state = last.map_or(start, |(_, m)| m.state);
            let note = last.and_then(|(_, m)| m.note.clone()).unwrap_or_default();
            (self.say(msg!("plan-state", state = state.key())), note)
        };
        let own = c
            .improvements
            .iter()
            .map(|i| {
                let (state, note) = standing(&i.reference, PlanState::Todo);
                ImprovementRow {
                    reference: i.reference.clone(),
                    text: i.text.clone(),
                    owner: owner(i.owner.as_deref()),
                    due: date(i.due),
                    at: self.at(i.at),
                    state,
                    note,
                    crisis: String::new(),
                }
            })
            .collect();
        let carried = c
            .carried
            .iter()
            .map(|i| {
                let (state, note) = standing(&i.item, i.state);
                ImprovementRow {
                    reference: i.item.clone(),
                    text: i.text.clone(),
                    owner: owner(i.owner.as_deref()),
                    due: date(i.due),
                    at: String::new(),
                    state,
                    note,
                    crisis: i.crisis.clone(),
                }
            })
            .collect();
        (own, carried)
    }
}
