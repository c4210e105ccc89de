//! What an exercise measures: each inject's first reaction and whether the
//! expected one came ([`outcomes`]), coverage of the timed injects.

use chrono::{DateTime, TimeDelta, Utc};

use super::planned;
use crate::engine::state::Crisis;
use crate::lang::fold;
use crate::playbook::scenario::{Inject, Scenario};

/// What happened after an inject: the players' first reaction and whether the expected one came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub inject: String,
    pub played_at: Option<DateTime<Utc>>,
    /// The exercise clock when played.
    pub t_plus: Option<TimeDelta>,
    pub planned: Option<TimeDelta>,
    pub skipped: bool,
    /// The first entry that answers it (see [`first_reaction`]): reference and delay.
    pub first_reaction: Option<(String, TimeDelta)>,
    /// Whether the expected reaction was met, and how that is known.
    pub met: Option<(bool, MetBy)>,
    pub adhoc: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetBy {
    /// A facilitator said so (`!attendu`).
    Facilitator,
    /// The procedure named in the scenario was started after the inject.
    Procedure,
    /// A decision holding one of the scenario's keywords was recorded after it.
    Decision,
}

/// The measures of every inject: the scenario's in order, then the ad-hoc ones.
pub fn outcomes(crisis: &Crisis, scenario: Option<&Scenario>) -> Vec<Outcome> {
    let Some(run) = &crisis.run else {
        return Vec::new();
    };
    let first_reaction = |id: &str, inject: Option<&Inject>, after: DateTime<Utc>| {
        first_reaction(crisis, id, inject, after)
    };
    let mut out = Vec::new();
    for inject in scenario.map(|s| s.injects.as_slice()).unwrap_or_default() {
        let played = run.played(&inject.id);
        let at = played.map(|p| p.at);
        let met = run
            .marks
            .get(&inject.id)
            .map(|m| (*m, MetBy::Facilitator))
            .or_else(|| {
                let at = at?;
                let by_proc = inject.matches.procedure.as_ref().is_some_and(|p| {
                    crisis
                        .procedures
                        .get(p)
                        .is_some_and(|run| run.started_at >= at)
                });
                if by_proc {
                    return Some((true, MetBy::Procedure));
                }
                let by_decision = !inject.matches.keywords.is_empty()
                    && crisis.decisions.iter().any(|d| {
                        d.at >= at
                            && mentions(
                                crisis.current_text(&d.reference, &d.text),
                                &inject.matches.keywords,
                            )
                    });
                by_decision.then_some((true, MetBy::Decision))
            });
        out.push(Outcome {
            inject: inject.id.clone(),
            played_at: at,
            t_plus: played.map(|p| p.t_plus),
            planned: planned(run, inject),
            skipped: run.skipped.contains_key(&inject.id),
            first_reaction: at.and_then(|at| first_reaction(&inject.id, Some(inject), at)),
            met,
            adhoc: false,
        });
    }
    for p in run.played.iter().filter(|p| p.adhoc) {
        out.push(Outcome {
            inject: p.inject.clone(),
            played_at: Some(p.at),
            t_plus: Some(p.t_plus),
            planned: None,
            skipped: false,
            first_reaction: first_reaction(&p.inject, None, p.at),
            met: run.marks.get(&p.inject).map(|m| (*m, MetBy::Facilitator)),
            adhoc: true,
        });
    }
    out
}

/// The players' first reaction to an inject played at `after`: the earliest
/// entry that answers it (a reply to its message, a mention of its id, a
/// decision `suite à i05`, `!lier`), the procedure the scenario expects, or an
/// entry holding the scenario's keywords. Any other entry is not a reaction
/// to it: an information about something else, typed a minute later, is not.
fn first_reaction(
    crisis: &Crisis,
    id: &str,
    inject: Option<&Inject>,
    after: DateTime<Utc>,
) -> Option<(String, TimeDelta)> {
    let linked = crisis
        .answers_to(id)
        .filter_map(|r| Some((crisis.time_of(r)?, r.to_owned())));
    let matches = inject.map(|i| &i.matches);
    let procedure = matches
        .and_then(|m| m.procedure.as_ref())
        .and_then(|p| Some((crisis.procedures.get(p)?.started_at, p.clone())));
    let keywords = matches.map(|m| m.keywords.as_slice()).unwrap_or_default();
    let infos = crisis.infos.iter().map(|i| (i.at, &i.reference, &i.text));
    let decisions = crisis
        .decisions
        .iter()
        .map(|d| (d.at, &d.reference, &d.text));
    let actions = crisis.actions.iter().map(|a| (a.at, &a.reference, &a.text));
    let said = infos
        .chain(decisions)
        .chain(actions)
        .filter(|(_, r, text)| mentions(crisis.current_text(r, text), keywords))
        .map(|(at, r, _)| (at, r.clone()));
    linked
        .chain(procedure)
        .chain(said)
        .filter(|(at, _)| *at >= after)
        .min_by_key(|(at, _)| *at)
        .map(|(at, r)| (r, at - after))
}

/// Does a text hold one of the keywords (already folded) at the start of a word?
/// `réseau` matches « réseaux » but `ars` does not match « mars ».
fn mentions(text: &str, keywords: &[String]) -> bool {
    let text = fold(text);
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    keywords.iter().any(|k| {
        let parts: Vec<&str> = k
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        match parts.as_slice() {
            [] => false,
            [one] => words.iter().any(|w| w.starts_with(one)),
            many => words.windows(many.len()).any(|win| {
                win.iter().zip(many.iter()).enumerate().all(|(i, (w, p))| {
                    if i + 1 == many.len() {
                        w.starts_with(p)
                    } else {
                        w == p
                    }
                })
            }),
        }
    })
}

/// Coverage: timed scenario injects played, out of those planned.
pub fn coverage(crisis: &Crisis, scenario: &Scenario) -> (usize, usize) {
    let Some(run) = &crisis.run else {
        return (0, 0);
    };
    let timed: Vec<&Inject> = scenario.injects.iter().filter(|i| i.at.is_some()).collect();
    let played = timed.iter().filter(|i| run.played(&i.id).is_some()).count();
    (played, timed.len())
}

/// `part` as a whole percentage of `whole` (0 when there is nothing).
pub fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}
