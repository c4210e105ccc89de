//! Exercise mode: the animation room, injects on the exercise clock, the
//! real-emergency stop, measures, and the hot debrief.
//!
//! Two rooms take part. The players' room holds the crisis (opened with
//! `!ouvrir <playbook> exercice`); the animation room is linked to it with
//! `!animer <crise> <scénario>`. Facilitator material (expected reactions,
//! notes, what comes next, observations) is only ever posted in the animation
//! room. Like the rest of the engine this is pure: [`due_injects`] says when
//! the next inject falls due on the exercise clock and [`tick`] fires what is
//! due at the `now` it is given.

use chrono::{DateTime, TimeDelta, Utc};

use super::command::{Command, RetexArg};
use super::event::Event;
use super::schedule::span;
use super::state::{Crisis, ExerciseRun, World};
use super::{Ctx, Decision, Effect, Settings, ellipsis, mark_decision, system_record};
use crate::lang::speech::{Speech, msg};
use crate::lang::{Lang, fold};
use crate::playbook::scenario::{Channel, Inject, Scenario};
use crate::playbook::{Catalog, Playbook};

/// The round-table topics of the hot debrief: players first, observers last.
pub const RETEX_TOPICS: [(&str, &str); 6] = [
    (
        "Alerte et mobilisation : comment l'incident a-t-il été détecté, remonté, la cellule constituée ?",
        "Alert and mobilisation: how was the incident detected, escalated, the cell set up?",
    ),
    (
        "Fonctionnement de la cellule : rôles, main courante, points de situation — qu'est-ce qui a marché, qu'est-ce qui a manqué ?",
        "How the cell worked: roles, log, situation points — what worked, what was missing?",
    ),
    (
        "Décisions et continuité des soins : les modes dégradés ont-ils tenu ? Qu'a-t-on découvert ?",
        "Decisions and continuity of care: did the degraded modes hold? What did we discover?",
    ),
    (
        "Communication et partenaires : personnels, patients, presse, ARS, CERT Santé, CNIL, plainte.",
        "Communication and partners: staff, patients, press, ARS, CERT Santé, CNIL, police complaint.",
    ),
    (
        "À garder, à changer : les trois points prioritaires pour la prochaine fois.",
        "Keep and change: the three priorities for next time.",
    ),
    (
        "Tour des observateurs et des animateurs : ce qu'ils ont vu.",
        "Observers and facilitators: what they saw.",
    ),
];

/// The first topic reserved to observers.
const OBSERVER_TOPIC: u32 = 6;

impl Settings {
    /// The marking of exercise traffic: configured, or the catalog's (« EXERCICE »).
    pub fn marking(&self) -> Speech {
        match &self.marking {
            Some(marking) => marking.into(),
            None => msg!("exercise-marking").into(),
        }
    }

    /// Does a message hold the real-emergency stop phrase? Case, accents and
    /// spacing are ignored; quoted lines (`> …`, a reply's fallback) are not read.
    pub fn is_stop_phrase(&self, text: &str) -> bool {
        let normal = |s: &str| fold(s).split_whitespace().collect::<Vec<_>>().join(" ");
        let own: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('>'))
            .collect();
        let folded = normal(&own.join("\n"));
        self.stop_phrases
            .iter()
            .map(|p| normal(p))
            .any(|p| !p.is_empty() && folded.contains(&p))
    }
}

/// The exercise in play that a room takes part in, as players' room or animation room.
pub fn in_play<'w>(world: &'w World, room: &str) -> Option<&'w Crisis> {
    world
        .open_in(room)
        .or_else(|| world.animated_from(room))
        .filter(|c| c.run.as_ref().is_some_and(ExerciseRun::in_play))
}

/// The stop phrase was typed: freeze play, say so loudly in both rooms.
pub fn stop(crisis: &Crisis, settings: &Settings, input: &super::Input, text: &str) -> Decision {
    let Some(run) = &crisis.run else {
        return Decision::default();
    };
    let lang = settings.lang;
    let at = super::schedule::when(settings.tz, input.sent_at, input.at);
    if run.stopped {
        return mark_decision(
            crisis,
            settings,
            Decision::reply(
                lang.pick(
                    "L'exercice est déjà gelé par un STOP. Seul un animateur peut le reprendre.",
                    "The exercise is already frozen by a STOP. Only a facilitator can resume it.",
                )
                .to_owned(),
            ),
        );
    }
    let who = &input.author.name;
    let p = &settings.prefix;
    let notice = match lang {
        Lang::Fr => format!(
            "🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par {who} à {at}.\nL'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.\nSeul un animateur peut reprendre l'exercice ({p}reprise, dans le salon d'animation)."
        ),
        Lang::En => format!(
            "🛑🛑 STOP EXERCISE — REAL EMERGENCY raised by {who} at {at}.\nThe exercise is frozen: no more injects will be played. Deal with the real emergency.\nOnly a facilitator can resume the exercise ({p}resume, in the animation room)."
        ),
    };
    let record = super::base_record(
        crisis,
        input,
        Event::ExerciseStopped {
            text: ellipsis(
                &text
                    .chars()
                    .filter(|c| !super::command::is_forbidden_control(*c))
                    .collect::<String>(),
                200,
            ),
        },
    );
    mark_decision(
        crisis,
        settings,
        Decision {
            records: vec![record],
            effects: vec![
                Effect::Post {
                    room: crisis.room.clone(),
                    crisis: crisis.id.clone(),
                    text: notice.clone().into(),
                    tag: None,
                },
                Effect::Post {
                    room: run.animation_room.clone(),
                    crisis: crisis.id.clone(),
                    text: notice.into(),
                    tag: None,
                },
            ],
        },
    )
}

/// An inject's planned offset on the exercise clock, delays included (`None`: manual).
fn planned(run: &ExerciseRun, inject: &Inject) -> Option<TimeDelta> {
    inject
        .at
        .map(|at| at + run.shift + run.delays.get(&inject.id).copied().unwrap_or_default())
}

/// Injects still to play, in schedule order (timed by offset, then manual ones).
pub fn upcoming<'s>(run: &ExerciseRun, scenario: &'s Scenario) -> Vec<&'s Inject> {
    let mut rest: Vec<(usize, &Inject)> = scenario
        .injects
        .iter()
        .enumerate()
        .filter(|(_, i)| !run.is_closed(&i.id))
        .collect();
    rest.sort_by_key(|(idx, i)| (planned(run, i).is_none(), planned(run, i), *idx));
    rest.into_iter().map(|(_, i)| i).collect()
}

/// Timed injects still to play in auto mode, with the wall-clock time each falls due.
pub fn due_injects(crisis: &Crisis, scenario: &Scenario) -> Vec<(DateTime<Utc>, String)> {
    let Some(run) = &crisis.run else {
        return Vec::new();
    };
    if !run.auto || !run.running() || crisis.closed_at.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for inject in upcoming(run, scenario) {
        let Some(due) = planned(run, inject).and_then(|p| run.wall_time(p)) else {
            continue;
        };
        // A dependency holds the inject until it is played or skipped.
        let due = match &inject.after {
            None => Some(due),
            Some(dep) => run.closed_at(dep).map(|closed| closed.max(due)),
        };
        if let Some(due) = due {
            out.push((due, inject.id.clone()));
        }
    }
    out
}

/// When the next inject falls due, across open exercises.
pub fn next_due(world: &World, catalog: &Catalog) -> Option<DateTime<Utc>> {
    world
        .crises
        .values()
        .filter_map(|c| {
            let scenario = catalog.scenario(&c.run.as_ref()?.scenario)?;
            due_injects(c, scenario).into_iter().map(|(at, _)| at).min()
        })
        .min()
}

/// Fires the injects due at `now`: one decision per exercise.
pub fn tick(
    world: &World,
    catalog: &Catalog,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<Decision> {
    let mut decisions = Vec::new();
    for crisis in world.crises.values() {
        let Some(run) = &crisis.run else { continue };
        let Some(scenario) = catalog.scenario(&run.scenario) else {
            continue;
        };
        let due: Vec<String> = due_injects(crisis, scenario)
            .into_iter()
            .filter(|(at, _)| *at <= now)
            .map(|(_, id)| id)
            .collect();
        if due.is_empty() {
            continue;
        }
        let playbook = catalog.get(&crisis.playbook);
        let mut decision = Decision::default();
        let mut seq = crisis.last_seq;
        // Later injects in one tick see the earlier ones as played.
        let mut run = run.clone();
        for id in due {
            let Some(inject) = scenario.inject(&id) else {
                continue;
            };
            seq += 1;
            let (event, effects) = fire(
                crisis, &run, scenario, playbook, settings, inject, now, false,
            );
            let record = system_record(&crisis.id, seq, now, settings, event);
            run.played.push(super::state::Played {
                inject: id.clone(),
                at: now,
                t_plus: run.clock(now),
                adhoc: false,
                manual: false,
            });
            decision.records.push(record);
            decision.effects.extend(effects);
        }
        decisions.push(mark_decision(crisis, settings, decision));
    }
    decisions
}

/// How a stimulus reads in the players' room: « 📞 Appel — Biologiste de garde → DSI (@bob) : … ».
fn stimulus_text(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    lang: Lang,
    channel: Channel,
    from: &str,
    to: Option<&str>,
    content: &str,
) -> String {
    let to = match to {
        Some(role) => {
            let title = playbook
                .and_then(|p| p.role(role))
                .map_or(role, |r| r.title.get(lang));
            match crisis.roles.get(role) {
                Some(holder) => format!(" → {title} ({holder})"),
                None => format!(" → {title}"),
            }
        }
        None => String::new(),
    };
    player_text(lang, channel.id(), &format!("{from}{to}"), content)
}

/// The record and the posts of one scenario inject played now.
#[allow(clippy::too_many_arguments)]
#[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
fn fire(
    crisis: &Crisis,
    run: &ExerciseRun,
    scenario: &Scenario,
    playbook: Option<&Playbook>,
    settings: &Settings,
    inject: &Inject,
    now: DateTime<Utc>,
    manual: bool,
) -> (Event, Vec<Effect>) {
    let lang = settings.lang;
    let from = inject.from.get(lang);
    let content = inject.content.get(lang);
    let players = stimulus_text(
        crisis,
        playbook,
        lang,
        inject.channel,
        from,
        inject.to.as_deref(),
        content,
    );
    let t_plus = run.clock(now);
    let mut note = match lang {
        Lang::Fr => format!(
            "▶️ {} joué à T+{} — {} {from}",
            inject.id,
            span(t_plus, settings),
            inject.channel.icon()
        ),
        Lang::En => format!(
            "▶️ {} played at T+{} — {} {from}",
            inject.id,
            span(t_plus, settings),
            inject.channel.icon()
        ),
    };
    if let Some(expected) = &inject.expected {
        note.push_str(&format!(
            "\n{} {}",
            lang.pick("Attendu :", "Expected:"),
            expected.get(lang)
        ));
    }
    if let Some(notes) = &inject.notes {
        note.push_str(&format!(
            "\n{} {}",
            lang.pick("Notes :", "Notes:"),
            notes.get(lang)
        ));
    }
    let mut after = run.clone();
    after.played.push(super::state::Played {
        inject: inject.id.clone(),
        at: now,
        t_plus,
        adhoc: false,
        manual,
    });
    if let Some(next) = upcoming(&after, scenario).first() {
        note.push('\n');
        note.push_str(&next_line(&after, next, settings, now));
    }
    let event = Event::InjectPlayed {
        inject: inject.id.clone(),
        channel: inject.channel.id().to_owned(),
        from: from.to_owned(),
        to: inject.to.clone(),
        text: content.to_owned(),
        expected: inject.expected.as_ref().map(|e| e.get(lang).to_owned()),
        adhoc: false,
        manual,
    };
    // Fired by hand, the note answers the facilitator's command; on the clock, it is posted.
    let note = if manual {
        Effect::Ack(note.into())
    } else {
        Effect::Post {
            room: run.animation_room.clone(),
            crisis: crisis.id.clone(),
            text: note.into(),
            tag: None,
        }
    };
    let effects = vec![
        Effect::Post {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            text: players.into(),
            tag: None,
        },
        note,
    ];
    (event, effects)
}

/// `Suivant : i06 à T+20 (14:35)`.
fn next_line(run: &ExerciseRun, next: &Inject, settings: &Settings, now: DateTime<Utc>) -> String {
    let lang = settings.lang;
    let when = match planned(run, next) {
        None => format!("({})", lang.pick("sur commande", "on command")),
        Some(offset) => {
            let wall = run
                .wall_time(offset)
                .map(|w| format!(" ({})", super::schedule::when(settings.tz, w, now)))
                .unwrap_or_default();
            format!(
                "{} T+{}{wall}",
                lang.pick("à", "at"),
                span(offset, settings)
            )
        }
    };
    let dep = next
        .after
        .as_ref()
        .map(|d| format!(", {} {d}", lang.pick("après", "after")))
        .unwrap_or_default();
    format!(
        "{} {} {when}{dep}",
        lang.pick("Suivant :", "Next:"),
        next.id
    )
}

/// What happened after an inject: the players' first reaction and whether the expected one came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub inject: String,
    pub played_at: Option<DateTime<Utc>>,
    /// The exercise clock when played.
    pub t_plus: Option<TimeDelta>,
    pub planned: Option<TimeDelta>,
    pub skipped: bool,
    /// The first information, decision or action after it: reference and delay.
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
    let first_reaction = |after: DateTime<Utc>| {
        let infos = crisis.infos.iter().map(|i| (i.at, &i.reference));
        let decisions = crisis.decisions.iter().map(|d| (d.at, &d.reference));
        let actions = crisis.actions.iter().map(|a| (a.at, &a.reference));
        let procedures = crisis.procedures.iter().map(|(id, p)| (p.started_at, id));
        infos
            .chain(decisions)
            .chain(actions)
            .chain(procedures)
            .filter(|(at, _)| *at >= after)
            .min_by_key(|(at, _)| *at)
            .map(|(at, r)| (r.clone(), at - after))
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
            first_reaction: at.and_then(first_reaction),
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
            first_reaction: first_reaction(p.at),
            met: run.marks.get(&p.inject).map(|m| (*m, MetBy::Facilitator)),
            adhoc: true,
        });
    }
    out
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

impl Ctx<'_> {
    /// A facilitator-only command from someone who is not one.
    fn require_facilitator(&self) -> Option<Decision> {
        (!self.input.privileged).then(|| {
            Decision::refuse(self.tp(
                "Commande réservée aux animateurs (niveau de pouvoir 50 dans le salon d'animation). Les observateurs notent avec {p}obs.",
                "Facilitators only (power level 50 in the animation room). Observers take notes with {p}obs.",
            ))
        })
    }

    /// `!animer <crise|salon> <scénario>` in a room with no crisis: link it as the animation room.
    #[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
    pub(super) fn link(&self, target: &str, scenario_id: &str, auto: bool) -> Decision {
        if let Some(refusal) = self.require_facilitator() {
            return refusal;
        }
        let crisis = self
            .world
            .crisis(target)
            .or_else(|| self.world.open_in(target))
            .filter(|c| c.closed_at.is_none());
        let Some(crisis) = crisis else {
            let open: Vec<&str> = self
                .world
                .crises
                .values()
                .filter(|c| c.closed_at.is_none() && c.exercise)
                .map(|c| c.id.as_str())
                .collect();
            let open = self.list_or_none(&open);
            return Decision::refuse(match self.lang {
                Lang::Fr => {
                    format!("Aucune crise ouverte « {target} ». Exercices ouverts : {open}.")
                }
                Lang::En => format!("No open crisis \"{target}\". Open exercises: {open}."),
            });
        };
        if !crisis.exercise {
            return Decision::refuse(self.real_crisis());
        }
        if crisis.room == self.input.room {
            return Decision::refuse(self.t(
                "Ce salon est celui des joueurs : liez l'exercice depuis un salon d'animation à part.",
                "This is the players' room: link the exercise from a separate animation room.",
            ));
        }
        if let Some(run) = &crisis.run {
            return Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "L'exercice {} est déjà animé (scénario {}) depuis un autre salon.",
                    crisis.id, run.scenario
                ),
                Lang::En => format!(
                    "Exercise {} is already animated (scenario {}) from another room.",
                    crisis.id, run.scenario
                ),
            });
        }
        let Some(scenario) = self.catalog.scenario(scenario_id) else {
            let known: Vec<&str> = self.catalog.scenarios().map(|s| s.id.as_str()).collect();
            let known = self.list_or_none(&known);
            return Decision::refuse(match self.lang {
                Lang::Fr => format!("Scénario inconnu « {scenario_id} ». Disponibles : {known}."),
                Lang::En => format!("Unknown scenario \"{scenario_id}\". Available: {known}."),
            });
        };
        if scenario.playbook != crisis.playbook {
            return Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "Le scénario {} est écrit pour le playbook {}, l'exercice utilise {}.",
                    scenario.id, scenario.playbook, crisis.playbook
                ),
                Lang::En => format!(
                    "Scenario {} is written for playbook {}, the exercise uses {}.",
                    scenario.id, scenario.playbook, crisis.playbook
                ),
            });
        }
        let lang = self.lang;
        let p = self.p();
        let record = super::base_record(
            crisis,
            self.input,
            Event::ExerciseLinked {
                animation_room: self.input.room.clone(),
                scenario: scenario.id.clone(),
                scenario_version: scenario.version.clone(),
                code_name: scenario.code_name.clone(),
                auto,
            },
        );
        let objectives: Vec<String> = scenario
            .objectives
            .iter()
            .map(|o| format!("  {} {}", o.id, o.text.get(lang)))
            .collect();
        let mode = if auto {
            lang.pick(
                "auto (stimuli joués à l'heure)",
                "auto (injects fire on time)",
            )
        } else {
            lang.pick(
                "manuel (stimuli sur commande)",
                "manual (injects on command)",
            )
        };
        let ack = match lang {
            Lang::Fr => format!(
                "🎬 Salon d'animation lié à l'exercice {} — scénario « {} » {} v{} ({}, {} stimuli, {} à l'heure, dernier à T+{}). Mode {mode}.\nObjectifs :\n{}\nQuand les joueurs sont prêts : {p}debex.",
                crisis.id,
                scenario.code_name,
                scenario.id,
                scenario.version,
                scenario.level.label(lang),
                scenario.injects.len(),
                scenario.n_timed(),
                span(scenario.length(), self.settings),
                objectives.join("\n")
            ),
            Lang::En => format!(
                "🎬 Animation room linked to exercise {} — scenario \"{}\" {} v{} ({}, {} injects, {} timed, last at T+{}). Mode {mode}.\nObjectives:\n{}\nWhen the players are ready: {p}debex.",
                crisis.id,
                scenario.code_name,
                scenario.id,
                scenario.version,
                scenario.level.label(lang),
                scenario.injects.len(),
                scenario.n_timed(),
                span(scenario.length(), self.settings),
                objectives.join("\n")
            ),
        };
        let players = match lang {
            Lang::Fr => format!(
                "🎬 Exercice « {} » : la cellule d'animation est en place. Le début de l'exercice (DEBEX) sera annoncé ici.",
                scenario.code_name
            ),
            Lang::En => format!(
                "🎬 Exercise \"{}\": the animation cell is in place. The start of play (DEBEX) will be announced here.",
                scenario.code_name
            ),
        };
        mark_decision(
            crisis,
            self.settings,
            Decision {
                records: vec![record],
                effects: vec![Effect::Ack(ack.into()), self.post_players(crisis, players)],
            },
        )
    }

    fn real_crisis(&self) -> String {
        self.t(
            "Crise réelle : les commandes d'exercice sont refusées.",
            "Real crisis: exercise commands are refused.",
        )
    }

    fn post_players(&self, crisis: &Crisis, text: String) -> Effect {
        Effect::Post {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            text: text.into(),
            tag: None,
        }
    }

    /// An exercise command typed in the players' room (or in a real crisis).
    pub(super) fn players_refusal(&self, crisis: &Crisis) -> Decision {
        if !crisis.exercise {
            return Decision::refuse(self.real_crisis());
        }
        if crisis.run.is_none() {
            return Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "Pour animer cet exercice, ouvrez un salon d'animation (animateurs et observateurs) et tapez-y : {}animer {} <scénario>.",
                    self.p(),
                    crisis.id
                ),
                Lang::En => format!(
                    "To animate this exercise, open an animation room (facilitators and observers) and type there: {}animate {} <scenario>.",
                    self.p(),
                    crisis.id
                ),
            });
        }
        Decision::refuse(self.t(
            "Commande du salon d'animation : tapez-la là-bas, pas dans le salon des joueurs.",
            "An animation-room command: type it there, not in the players' room.",
        ))
    }

    /// A command typed in the animation room of `crisis`.
    #[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
    pub(super) fn animation(&self, crisis: &Crisis, command: Command) -> Decision {
        let Some(run) = &crisis.run else {
            return Decision::default();
        };
        let scenario = self.catalog.scenario(&run.scenario);
        let record = |event: Event| super::base_record(crisis, self.input, event);
        let ack = |event: Event, text: String| Decision {
            records: vec![record(event)],
            effects: vec![Effect::Ack(text.into())],
        };
        let facilitator = matches!(
            command,
            Command::Mode(_)
                | Command::Debex
                | Command::Finex
                | Command::Pause
                | Command::Resume
                | Command::Inject(_)
                | Command::SkipInject { .. }
                | Command::Delay { .. }
                | Command::Adhoc { .. }
                | Command::Expected { .. }
        );
        if facilitator && let Some(refusal) = self.require_facilitator() {
            return refusal;
        }
        let lang = self.lang;
        let now = self.input.sent_at;
        let not_started = || {
            Decision::refuse(self.tp(
                "L'exercice n'a pas commencé : {p}debex d'abord.",
                "The exercise has not started: {p}debex first.",
            ))
        };
        // Commands that play the exercise: only between DEBEX and FINEX.
        let play = matches!(
            command,
            Command::Mode(_)
                | Command::Finex
                | Command::Pause
                | Command::Resume
                | Command::Inject(_)
                | Command::SkipInject { .. }
                | Command::Delay { .. }
                | Command::Adhoc { .. }
        );
        let ended = || {
            Decision::refuse(self.t(
                "L'exercice est terminé (FINEX).",
                "The exercise has ended (FINEX).",
            ))
        };
        match command {
            Command::Help(topic) => Decision::reply(super::help_for(self.settings, topic, true)),
            Command::Status | Command::Chrono => {
                Decision::reply(self.chrono(crisis, run, scenario))
            }
            Command::Export(format) => Decision {
                records: Vec::new(),
                effects: vec![Effect::Export {
                    room: self.input.room.clone(),
                    crisis: crisis.id.clone(),
                    format: format.unwrap_or_default(),
                    players: false,
                }],
            },
            Command::Link { .. } | Command::Open { .. } => Decision::refuse(match lang {
                Lang::Fr => format!(
                    "Ce salon anime déjà l'exercice {} (scénario {}).",
                    crisis.id, run.scenario
                ),
                Lang::En => format!(
                    "This room already animates exercise {} (scenario {}).",
                    crisis.id, run.scenario
                ),
            }),
            Command::Mode(auto) => {
                if run.auto == auto {
                    return Decision::refuse(self.t("C'est déjà le mode.", "Already in that mode."));
                }
                // Back to auto: injects already due would all fire at once.
                let overdue: Vec<String> = scenario
                    .map(|sc| {
                        let mut auto_run = run.clone();
                        auto_run.auto = true;
                        let mut with = crisis.clone();
                        with.run = Some(auto_run);
                        due_injects(&with, sc)
                            .into_iter()
                            .filter(|(at, _)| *at <= now)
                            .map(|(_, id)| id)
                            .collect()
                    })
                    .unwrap_or_default();
                if auto && !overdue.is_empty() {
                    return Decision::refuse(match lang {
                        Lang::Fr => format!(
                            "Déjà dus : {}. En auto, ils partiraient tous d'un coup : jouez-les ({p}inject), passez-les ({p}passer) ou retardez la suite ({p}retarder 15m), puis repassez en auto.",
                            overdue.join(", "),
                            p = self.p()
                        ),
                        Lang::En => format!(
                            "Already due: {}. In auto they would all fire at once: play them ({p}inject), skip them ({p}skip) or delay the rest ({p}delay 15m), then switch to auto.",
                            overdue.join(", "),
                            p = self.p()
                        ),
                    });
                }
                let text = if auto {
                    self.t(
                        "Mode auto : les stimuli sont joués à l'heure prévue.",
                        "Auto mode: injects fire at their planned time.",
                    )
                } else {
                    self.tp(
                        "Mode manuel : les stimuli ne sont joués que sur commande ({p}inject).",
                        "Manual mode: injects fire only on command ({p}inject).",
                    )
                };
                ack(Event::ExerciseMode { auto }, text)
            }
            Command::Debex => {
                if run.started_at.is_some() {
                    return Decision::refuse(self.t(
                        "L'exercice a déjà commencé.",
                        "The exercise has already started.",
                    ));
                }
                let code = &run.code_name;
                let phrase = match lang {
                    Lang::Fr => self.settings.stop_phrases.join(" » ou « "),
                    Lang::En => self.settings.stop_phrases.join("\" or \""),
                };
                let players = match lang {
                    Lang::Fr => format!(
                        "🎬 DEBEX — début de l'exercice « {code} » à {}.\nTout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « {phrase} » ici ; l'exercice s'arrête aussitôt.",
                        self.hm(now)
                    ),
                    Lang::En => format!(
                        "🎬 DEBEX — exercise \"{code}\" starts at {}.\nEverything that follows is fictitious, except a real emergency: then type \"{phrase}\" here; the exercise stops at once.",
                        self.hm(now)
                    ),
                };
                let mut text = match lang {
                    Lang::Fr => format!("DEBEX à {} : horloge d'exercice à T+0.", self.hm(now)),
                    Lang::En => format!("DEBEX at {}: exercise clock at T+0.", self.hm(now)),
                };
                if let Some(sc) = scenario {
                    let mut started = run.clone();
                    started.started_at = Some(now);
                    if let Some(next) = upcoming(&started, sc).first() {
                        text.push('\n');
                        text.push_str(&next_line(&started, next, self.settings, now));
                    }
                }
                Decision {
                    records: vec![record(Event::ExerciseStarted {})],
                    effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
                }
            }
            _ if play && run.started_at.is_none() => not_started(),
            _ if play && run.ended_at.is_some() => ended(),
            Command::Finex => {
                let p = self.p();
                let (played, planned) = scenario.map_or((0, 0), |s| coverage(crisis, s));
                let t = span(run.clock(now), self.settings);
                let players = match lang {
                    Lang::Fr => format!(
                        "🏁 FINEX — fin de l'exercice « {} ». Merci à tous.\nRETEX à chaud maintenant : tapez {p}retex pour le tour de table (joueurs d'abord, puis observateurs).",
                        run.code_name
                    ),
                    Lang::En => format!(
                        "🏁 FINEX — end of exercise \"{}\". Thank you all.\nHot debrief now: type {p}debrief for the round table (players first, then observers).",
                        run.code_name
                    ),
                };
                let text = match lang {
                    Lang::Fr => format!(
                        "FINEX à T+{t}. Couverture : {played}/{planned} stimuli prévus joués ({} %), {} improvisé(s), {} passé(s).",
                        percent(played, planned),
                        run.played.iter().filter(|p| p.adhoc).count(),
                        run.skipped.len()
                    ),
                    Lang::En => format!(
                        "FINEX at T+{t}. Coverage: {played}/{planned} planned injects played ({} %), {} ad hoc, {} skipped.",
                        percent(played, planned),
                        run.played.iter().filter(|p| p.adhoc).count(),
                        run.skipped.len()
                    ),
                };
                Decision {
                    records: vec![record(Event::ExerciseEnded {})],
                    effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
                }
            }
            Command::Pause => {
                if run.paused_since.is_some() {
                    return Decision::refuse(if run.stopped {
                        self.t(
                            "L'exercice est déjà gelé par un STOP.",
                            "The exercise is already frozen by a STOP.",
                        )
                    } else {
                        self.t(
                            "L'exercice est déjà en pause.",
                            "The exercise is already paused.",
                        )
                    });
                }
                let text = match lang {
                    Lang::Fr => format!(
                        "⏸️ Pause à T+{} : l'horloge d'exercice est arrêtée, le chronogramme se décalera d'autant.",
                        span(run.clock(now), self.settings)
                    ),
                    Lang::En => format!(
                        "⏸️ Paused at T+{}: the exercise clock stops; the schedule shifts by the pause.",
                        span(run.clock(now), self.settings)
                    ),
                };
                let players = self.t(
                    "⏸️ Exercice en pause. Il reprendra sur annonce.",
                    "⏸️ Exercise paused. It will resume on announcement.",
                );
                Decision {
                    records: vec![record(Event::ExercisePaused {})],
                    effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
                }
            }
            Command::Resume => {
                let Some(since) = run.paused_since else {
                    return Decision::refuse(self.t(
                        "L'exercice n'est pas en pause.",
                        "The exercise is not paused.",
                    ));
                };
                let text = match (lang, run.stopped) {
                    (Lang::Fr, true) => format!(
                        "▶️ Reprise après le STOP (gelé {}) : horloge d'exercice à T+{}.",
                        span(now - since, self.settings),
                        span(run.clock(since), self.settings)
                    ),
                    (Lang::En, true) => format!(
                        "▶️ Resumed after the STOP (frozen {}): exercise clock at T+{}.",
                        span(now - since, self.settings),
                        span(run.clock(since), self.settings)
                    ),
                    (Lang::Fr, false) => format!(
                        "▶️ Reprise après {} de pause : horloge d'exercice à T+{}.",
                        span(now - since, self.settings),
                        span(run.clock(since), self.settings)
                    ),
                    (Lang::En, false) => format!(
                        "▶️ Resumed after a {} pause: exercise clock at T+{}.",
                        span(now - since, self.settings),
                        span(run.clock(since), self.settings)
                    ),
                };
                let players = self.t(
                    "▶️ L'exercice reprend.",
                    "▶️ The exercise resumes.",
                );
                Decision {
                    records: vec![record(Event::ExerciseResumed {})],
                    effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
                }
            }
            _ if play && run.stopped => Decision::refuse(self.tp(
                "L'exercice est gelé par un STOP : {p}reprise d'abord, si l'urgence réelle est close.",
                "The exercise is frozen by a STOP: {p}resume first, once the real emergency is over.",
            )),
            Command::Inject(_) | Command::Adhoc { .. } if run.paused_since.is_some() => {
                Decision::refuse(self.tp(
                    "L'exercice est en pause : {p}reprise d'abord.",
                    "The exercise is paused: {p}resume first.",
                ))
            }
            Command::Inject(id) => {
                let Some(sc) = scenario else {
                    return Decision::refuse(self.missing_scenario(run));
                };
                let inject = match &id {
                    Some(id) => match sc.inject(id) {
                        Some(i) => i,
                        None => return Decision::refuse(self.unknown_inject(sc, id)),
                    },
                    None => match upcoming(run, sc).first() {
                        Some(i) => *i,
                        None => {
                            return Decision::refuse(self.t(
                                "Tous les stimuli du scénario sont joués ou passés.",
                                "Every inject of the scenario is played or skipped.",
                            ));
                        }
                    },
                };
                if let Some(p) = run.played(&inject.id) {
                    return Decision::refuse(match lang {
                        Lang::Fr => format!("{} a déjà été joué à T+{}.", inject.id, span(p.t_plus, self.settings)),
                        Lang::En => format!("{} was already played at T+{}.", inject.id, span(p.t_plus, self.settings)),
                    });
                }
                if run.skipped.contains_key(&inject.id) {
                    return Decision::refuse(match lang {
                        Lang::Fr => format!("{} a été passé : il ne sera pas joué.", inject.id),
                        Lang::En => format!("{} was skipped: it will not be played.", inject.id),
                    });
                }
                let playbook = self.catalog.get(&crisis.playbook);
                let (event, effects) =
                    fire(crisis, run, sc, playbook, self.settings, inject, now, true);
                Decision {
                    records: vec![record(event)],
                    effects,
                }
            }
            Command::SkipInject { inject, reason } => {
                let Some(sc) = scenario else {
                    return Decision::refuse(self.missing_scenario(run));
                };
                if sc.inject(&inject).is_none() {
                    return Decision::refuse(self.unknown_inject(sc, &inject));
                }
                if run.is_closed(&inject) {
                    return Decision::refuse(match lang {
                        Lang::Fr => format!("{inject} est déjà joué ou passé."),
                        Lang::En => format!("{inject} is already played or skipped."),
                    });
                }
                let text = match lang {
                    Lang::Fr => format!("{inject} passé : il ne sera pas joué."),
                    Lang::En => format!("{inject} skipped: it will not be played."),
                };
                ack(Event::InjectSkipped { inject, reason }, text)
            }
            Command::Delay { inject, by } => {
                if let Some(id) = &inject {
                    let Some(sc) = scenario else {
                        return Decision::refuse(self.missing_scenario(run));
                    };
                    match sc.inject(id) {
                        None => return Decision::refuse(self.unknown_inject(sc, id)),
                        Some(i) if run.is_closed(id) || i.at.is_none() => {
                            return Decision::refuse(match lang {
                                Lang::Fr => format!("{id} n'est pas un stimulus à venir à heure fixe."),
                                Lang::En => format!("{id} is not a timed inject still to come."),
                            });
                        }
                        Some(_) => {}
                    }
                }
                let minutes = by.num_minutes();
                let text = match (&inject, lang) {
                    (Some(id), Lang::Fr) => format!("{id} retardé de {}.", span(by, self.settings)),
                    (Some(id), Lang::En) => format!("{id} delayed by {}.", span(by, self.settings)),
                    (None, Lang::Fr) => format!("Toute la suite du chronogramme est retardée de {}.", span(by, self.settings)),
                    (None, Lang::En) => format!("Everything still to come is delayed by {}.", span(by, self.settings)),
                };
                ack(Event::InjectDelayed { inject, minutes }, text)
            }
            Command::Adhoc {
                channel,
                to,
                from,
                text,
            } => {
                let id = run.next_adhoc();
                let playbook = self.catalog.get(&crisis.playbook);
                let players =
                    stimulus_text(crisis, playbook, lang, channel, &from, to.as_deref(), &text);
                let note = match lang {
                    Lang::Fr => format!("{id} (improvisé) joué à T+{}.", span(run.clock(now), self.settings)),
                    Lang::En => format!("{id} (ad hoc) played at T+{}.", span(run.clock(now), self.settings)),
                };
                Decision {
                    records: vec![record(Event::InjectPlayed {
                        inject: id,
                        channel: channel.id().to_owned(),
                        from,
                        to,
                        text,
                        expected: None,
                        adhoc: true,
                        manual: true,
                    })],
                    effects: vec![Effect::Ack(note.into()), self.post_players(crisis, players)],
                }
            }
            Command::Expected { inject, met } => {
                let known = run.played(&inject).is_some();
                if !known {
                    return Decision::refuse(match lang {
                        Lang::Fr => format!("{inject} n'a pas été joué : rien à évaluer."),
                        Lang::En => format!("{inject} was not played: nothing to assess."),
                    });
                }
                let text = match (lang, met) {
                    (Lang::Fr, true) => format!("{inject} : réaction attendue atteinte."),
                    (Lang::Fr, false) => format!("{inject} : réaction attendue non atteinte."),
                    (Lang::En, true) => format!("{inject}: expected reaction met."),
                    (Lang::En, false) => format!("{inject}: expected reaction not met."),
                };
                ack(Event::ReactionMarked { inject, met }, text)
            }
            Command::Obs(text) => {
                let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
                let first_l = first.to_lowercase();
                let (inject, objective, text) = match scenario {
                    Some(sc) if !rest.trim().is_empty() && sc.inject(&first_l).is_some() => {
                        (Some(first_l), None, rest.trim().to_owned())
                    }
                    Some(sc) if !rest.trim().is_empty() && sc.objective(&first_l).is_some() => {
                        (None, Some(first_l), rest.trim().to_owned())
                    }
                    _ if !rest.trim().is_empty()
                        && first_l.starts_with('x')
                        && run.played(&first_l).is_some() =>
                    {
                        (Some(first_l), None, rest.trim().to_owned())
                    }
                    _ => (None, None, text),
                };
                let reference = format!("O{}", crisis.observations.len() + 1);
                let tied = inject
                    .as_ref()
                    .or(objective.as_ref())
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                let reply = match lang {
                    Lang::Fr => format!("{reference}{tied} — observation notée à T+{}.", span(run.clock(now), self.settings)),
                    Lang::En => format!("{reference}{tied} — observation noted at T+{}.", span(run.clock(now), self.settings)),
                };
                ack(
                    Event::Observation {
                        reference,
                        text,
                        inject,
                        objective,
                    },
                    reply,
                )
            }
            Command::Improve { text, owner, due } => self.improve(crisis, text, owner, due),
            _ => Decision::refuse(self.tp(
                "Salon d'animation : les commandes de la cellule se tapent dans le salon des joueurs. Ici : {p}chrono, {p}inject, {p}passer, {p}retarder, {p}pause, {p}reprise, {p}improviser, {p}attendu, {p}obs, {p}finex, {p}export ({p}aide pour le détail).",
                "Animation room: the cell's commands belong in the players' room. Here: {p}schedule, {p}inject, {p}skip, {p}delay, {p}pause, {p}resume, {p}adhoc, {p}expected, {p}obs, {p}finex, {p}export ({p}help for details).",
            )),
        }
    }

    /// `a, b, c`, or « aucun » / "none".
    fn list_or_none(&self, items: &[&str]) -> String {
        if items.is_empty() {
            self.t("aucun", "none")
        } else {
            items.join(", ")
        }
    }

    fn missing_scenario(&self, run: &ExerciseRun) -> String {
        match self.lang {
            Lang::Fr => format!(
                "Le scénario « {} » n'est plus chargé : rechargez-le.",
                run.scenario
            ),
            Lang::En => format!(
                "Scenario \"{}\" is no longer loaded: load it again.",
                run.scenario
            ),
        }
    }

    fn unknown_inject(&self, scenario: &Scenario, id: &str) -> String {
        let ids: Vec<&str> = scenario.injects.iter().map(|i| i.id.as_str()).collect();
        match self.lang {
            Lang::Fr => format!("Stimulus inconnu « {id} ». Stimuli : {}.", ids.join(", ")),
            Lang::En => format!("Unknown inject \"{id}\". Injects: {}.", ids.join(", ")),
        }
    }

    /// The schedule view: clock, last 5 played, next 3 due, coverage.
    #[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
    fn chrono(&self, crisis: &Crisis, run: &ExerciseRun, scenario: Option<&Scenario>) -> String {
        let lang = self.lang;
        let now = self.input.at;
        let state = if run.started_at.is_none() {
            self.t("pas commencé (debex)", "not started (debex)")
        } else if run.ended_at.is_some() {
            self.t("terminé (FINEX)", "ended (FINEX)")
        } else if run.stopped {
            self.t("🛑 GELÉ par un STOP", "🛑 FROZEN by a STOP")
        } else if run.paused_since.is_some() {
            self.t("⏸️ en pause", "⏸️ paused")
        } else {
            self.t("en cours", "running")
        };
        let mode = if run.auto {
            "auto"
        } else {
            lang.pick("manuel", "manual")
        };
        let mut out = format!(
            "⏱️ {} ({} v{}) — T+{} · {state} · {} {mode}",
            match lang {
                Lang::Fr => format!("Exercice « {} »", run.code_name),
                Lang::En => format!("Exercise \"{}\"", run.code_name),
            },
            run.scenario,
            run.scenario_version,
            span(run.clock(now), self.settings),
            lang.pick("mode", "mode"),
        );
        if let Some(sc) = scenario
            && sc.version != run.scenario_version
        {
            out.push_str(&match lang {
                Lang::Fr => format!(
                    "\n⚠️ L'exercice a été lié à la v{} du scénario ; le fichier chargé est la v{}, dont le chronogramme s'applique.",
                    run.scenario_version, sc.version
                ),
                Lang::En => format!(
                    "\n⚠️ The exercise was linked to v{} of the scenario; the file loaded is v{}, whose schedule applies.",
                    run.scenario_version, sc.version
                ),
            });
        }
        let outcomes = outcomes(crisis, scenario);
        let mut played: Vec<&super::state::Played> = run.played.iter().collect();
        played.sort_by_key(|p| p.at);
        out.push_str(&format!(
            "\n{}",
            lang.pick("Derniers joués :", "Last played:")
        ));
        if played.is_empty() {
            out.push_str(&format!(" {}", lang.pick("aucun", "none")));
        }
        for p in played.iter().rev().take(5).rev() {
            let o = outcomes.iter().find(|o| o.inject == p.inject);
            let reaction = match o.and_then(|o| o.first_reaction.as_ref()) {
                Some((r, d)) => format!(
                    " · {} {} ({r})",
                    lang.pick("réaction", "reaction"),
                    span(*d, self.settings)
                ),
                None => format!(
                    " · {}",
                    lang.pick("pas encore de réaction", "no reaction yet")
                ),
            };
            let met = match o.and_then(|o| o.met) {
                Some((true, _)) => " · ✅",
                Some((false, _)) => " · ❌",
                None => "",
            };
            let what = scenario
                .and_then(|s| s.inject(&p.inject))
                .map(|i| format!(" {} {}", i.channel.icon(), ellipsis(i.from.get(lang), 30)))
                .unwrap_or_else(|| format!(" {}", lang.pick("(improvisé)", "(ad hoc)")));
            out.push_str(&format!(
                "\n  {} T+{}{what}{reaction}{met}",
                p.inject,
                span(p.t_plus, self.settings)
            ));
        }
        if let Some(sc) = scenario {
            let next = upcoming(run, sc);
            out.push_str(&format!("\n{}", lang.pick("À venir :", "Coming up:")));
            if next.is_empty() {
                out.push_str(&format!(" {}", lang.pick("rien", "nothing")));
            }
            for inject in next.iter().take(3) {
                let when = match planned(run, inject) {
                    Some(offset) => {
                        let wall = run
                            .wall_time(offset)
                            .map(|w| {
                                format!(" ({})", super::schedule::when(self.settings.tz, w, now))
                            })
                            .unwrap_or_default();
                        format!("T+{}{wall}", span(offset, self.settings))
                    }
                    None => lang.pick("sur commande", "on command").to_owned(),
                };
                let dep = inject
                    .after
                    .as_ref()
                    .map(|d| format!(" · {} {d}", lang.pick("après", "after")))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "\n  {} {when} {} {} → {}{dep}",
                    inject.id,
                    inject.channel.icon(),
                    ellipsis(inject.from.get(lang), 30),
                    inject.to.as_deref().unwrap_or(lang.pick("tous", "all"))
                ));
            }
            let (n_played, planned) = coverage(crisis, sc);
            out.push_str(&match lang {
                Lang::Fr => format!(
                    "\nCouverture : {n_played}/{planned} stimuli prévus joués ({} %), {} passé(s), {} improvisé(s). Observations : {}.",
                    percent(n_played, planned),
                    run.skipped.len(),
                    run.played.iter().filter(|p| p.adhoc).count(),
                    crisis.observations.len()
                ),
                Lang::En => format!(
                    "\nCoverage: {n_played}/{planned} planned injects played ({} %), {} skipped, {} ad hoc. Observations: {}.",
                    percent(n_played, planned),
                    run.skipped.len(),
                    run.played.iter().filter(|p| p.adhoc).count(),
                    crisis.observations.len()
                ),
            });
        }
        out
    }

    /// `!amélioration`: an item of the improvement plan (`P1`…).
    pub(super) fn improve(
        &self,
        crisis: &Crisis,
        text: String,
        owner: Option<String>,
        due: Option<chrono::NaiveDate>,
    ) -> Decision {
        let reference = format!("P{}", crisis.improvements.len() + 1);
        let mut reply = match self.lang {
            Lang::Fr => format!("{reference} — amélioration inscrite au plan"),
            Lang::En => format!("{reference} — improvement added to the plan"),
        };
        match &owner {
            Some(o) => reply.push_str(&format!(" · {} {o}", self.t("pilote", "owner"))),
            None => reply.push_str(&self.t(
                " · sans pilote : précisez @qui la prochaine fois",
                " · no owner: add @who next time",
            )),
        }
        if let Some(due) = due {
            reply.push_str(&format!(
                " · {} {}",
                self.t("échéance", "due"),
                due.format(self.lang.pick("%d/%m/%Y", "%Y-%m-%d"))
            ));
        }
        reply.push('.');
        let record = super::base_record(
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
    #[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
    pub(super) fn retex(&self, crisis: &Crisis, arg: RetexArg) -> Decision {
        let lang = self.lang;
        if let Some(run) = &crisis.run
            && run.ended_at.is_none()
        {
            return Decision::refuse(self.t(
                "Le RETEX à chaud vient après la fin de l'exercice (FINEX).",
                "The hot debrief comes after the end of the exercise (FINEX).",
            ));
        }
        let record = |event: Event| super::base_record(crisis, self.input, event);
        let topic_text = |n: u32| {
            let (fr, en) = RETEX_TOPICS[(n as usize - 1).min(RETEX_TOPICS.len() - 1)];
            let who = if n >= OBSERVER_TOPIC {
                lang.pick("observateurs", "observers")
            } else {
                lang.pick("joueurs", "players")
            };
            format!(
                "🗣️ RETEX {n}/{} ({who}) — {}\n{}",
                RETEX_TOPICS.len(),
                lang.pick(fr, en),
                self.tp(
                    "Chacun à son tour : {p}retex <votre contribution>. Puis {p}retex suivant.",
                    "Each in turn: {p}debrief <your contribution>. Then {p}debrief next."
                )
            )
        };
        match (&crisis.retex, arg) {
            (None, RetexArg::Start) => Decision {
                records: vec![record(Event::RetexStarted {})],
                effects: vec![
                    Effect::Ack(self.t(
                        "RETEX à chaud ouvert : tour de table, joueurs d'abord, observateurs ensuite. Les contributions sont consignées dans la main courante.",
                        "Hot debrief open: round table, players first, observers last. Contributions go into the log.",
                    ).into()),
                    self.post_players(crisis, topic_text(1)),
                ],
            },
            (None, _) => Decision::refuse(self.tp(
                "Le RETEX n'est pas ouvert : tapez {p}retex pour le commencer.",
                "The debrief is not open: type {p}debrief to start it.",
            )),
            (Some(r), _) if r.ended_at.is_some() => Decision::refuse(self.tp(
                "Le RETEX est clos. Le plan d'amélioration reste ouvert : {p}amélioration <texte> @qui [avant JJ/MM/AAAA].",
                "The debrief is closed. The improvement plan stays open: {p}improve <text> @who [by YYYY-MM-DD].",
            )),
            (Some(r), RetexArg::Start) => Decision::reply(topic_text(r.topic)),
            (Some(r), RetexArg::Say(text)) => {
                let n = r.contributions.iter().filter(|c| c.topic == r.topic).count() + 1;
                let reply = match lang {
                    Lang::Fr => format!("Contribution {n} notée (thème {}/{}).", r.topic, RETEX_TOPICS.len()),
                    Lang::En => format!("Contribution {n} noted (topic {}/{}).", r.topic, RETEX_TOPICS.len()),
                };
                Decision {
                    records: vec![record(Event::RetexContribution { topic: r.topic, text })],
                    effects: vec![Effect::Ack(reply.into())],
                }
            }
            (Some(r), RetexArg::Next) if (r.topic as usize) < RETEX_TOPICS.len() => Decision {
                records: vec![record(Event::RetexTopic { number: r.topic + 1 })],
                effects: vec![self.post_players(crisis, topic_text(r.topic + 1))],
            },
            (Some(r), RetexArg::Next | RetexArg::End) => {
                let p = self.p();
                let text = match lang {
                    Lang::Fr => format!(
                        "✅ RETEX clos : {} contribution(s). Plan d'amélioration : {p}amélioration <texte> @pilote [avant JJ/MM/AAAA] ({} inscrite(s)). Le rapport : {p}export.",
                        r.contributions.len(),
                        crisis.improvements.len()
                    ),
                    Lang::En => format!(
                        "✅ Debrief closed: {} contribution(s). Improvement plan: {p}improve <text> @owner [by YYYY-MM-DD] ({} so far). The report: {p}export.",
                        r.contributions.len(),
                        crisis.improvements.len()
                    ),
                };
                Decision {
                    records: vec![record(Event::RetexEnded {})],
                    effects: vec![self.post_players(crisis, text)],
                }
            }
        }
    }
}

/// A scenario inject's text as the players read it (for reports).
pub fn player_text(lang: Lang, channel: &str, from: &str, text: &str) -> String {
    let channel = Channel::parse(channel).unwrap_or(Channel::Internal);
    format!(
        "{} {} — {from}{} {text}",
        channel.icon(),
        channel.label(lang),
        lang.pick(" :", ":")
    )
}
