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
use crate::lang::fold;
use crate::lang::speech::{Message, Speech, msg};
use crate::playbook::scenario::{Channel, Inject, Scenario};
use crate::playbook::{Catalog, Playbook};

/// The number of round-table topics of the hot debrief: players first, observers last.
pub const N_RETEX_TOPICS: u32 = 6;

/// A round-table topic of the hot debrief (1 to [`N_RETEX_TOPICS`]).
pub fn retex_topic(n: u32) -> Message {
    msg!("retex-topic", n = n.clamp(1, N_RETEX_TOPICS))
}

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
    let at = super::schedule::when(settings.tz, input.sent_at, input.at);
    if run.stopped {
        return mark_decision(
            crisis,
            settings,
            Decision::reply(settings.say(msg!("stop-already-frozen")).to_owned()),
        );
    }
    let who = &input.author.name;
    let p = &settings.prefix;
    let notice = settings.say(msg!("stop-notice", who, at = &at, p));
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
    settings: &Settings,
    channel: Channel,
    from: &str,
    to: Option<&str>,
    content: &str,
) -> String {
    let to = match to {
        Some(role) => {
            let title = playbook
                .and_then(|p| p.role(role))
                .map_or(role, |r| r.title.get(settings.lang));
            match crisis.roles.get(role) {
                Some(holder) => format!(" → {title} ({holder})"),
                None => format!(" → {title}"),
            }
        }
        None => String::new(),
    };
    player_text(settings, channel.id(), &format!("{from}{to}"), content)
}

/// The record and the posts of one scenario inject played now.
#[allow(clippy::too_many_arguments)]
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
        settings,
        inject.channel,
        from,
        inject.to.as_deref(),
        content,
    );
    let t_plus = run.clock(now);
    let mut note = settings.say(msg!(
        "inject-played-note",
        id = &inject.id,
        t_plus = span(t_plus, settings),
        icon = inject.channel.icon(),
        from
    ));
    if let Some(expected) = &inject.expected {
        note.push_str(&format!(
            "\n{} {}",
            settings.say(msg!("inject-expected-label")),
            expected.get(lang)
        ));
    }
    if let Some(notes) = &inject.notes {
        note.push_str(&format!(
            "\n{} {}",
            settings.say(msg!("inject-notes-label")),
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
    let when = match planned(run, next) {
        None => format!("({})", settings.say(msg!("on-command"))),
        Some(offset) => {
            let wall = run
                .wall_time(offset)
                .map(|w| format!(" ({})", super::schedule::when(settings.tz, w, now)))
                .unwrap_or_default();
            format!(
                "{} T+{}{wall}",
                settings.say(msg!("next-at")),
                span(offset, settings)
            )
        }
    };
    let dep = next
        .after
        .as_ref()
        .map(|d| format!(", {} {d}", settings.say(msg!("after-word"))))
        .unwrap_or_default();
    format!(
        "{} {} {when}{dep}",
        settings.say(msg!("next-label")),
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
        (!self.input.privileged)
            .then(|| Decision::refuse(self.say(msg!("facilitators-only", p = self.p()))))
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
            return Decision::refuse(self.say(msg!("link-no-crisis", target, open = &open)));
        };
        if !crisis.exercise {
            return Decision::refuse(self.real_crisis());
        }
        if crisis.room == self.input.room {
            return Decision::refuse(self.say(msg!("link-players-room")));
        }
        if let Some(run) = &crisis.run {
            return Decision::refuse(self.say(msg!(
                "link-already-animated",
                crisis = &crisis.id,
                scenario = &run.scenario
            )));
        }
        let Some(scenario) = self.catalog.scenario(scenario_id) else {
            let known: Vec<&str> = self.catalog.scenarios().map(|s| s.id.as_str()).collect();
            let known = self.list_or_none(&known);
            return Decision::refuse(self.say(msg!(
                "link-unknown-scenario",
                scenario = scenario_id,
                known = &known
            )));
        };
        if scenario.playbook != crisis.playbook {
            return Decision::refuse(self.say(msg!(
                "link-wrong-playbook",
                scenario = &scenario.id,
                scenario_playbook = &scenario.playbook,
                playbook = &crisis.playbook
            )));
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
            self.say(msg!("mode-auto-label"))
        } else {
            self.say(msg!("mode-manual-label"))
        };
        let ack = self.say(msg!(
            "link-ack",
            crisis = &crisis.id,
            code_name = &scenario.code_name,
            scenario = &scenario.id,
            version = &scenario.version,
            level = msg!("level", level = scenario.level.id()),
            n_injects = scenario.injects.len(),
            n_timed = scenario.n_timed(),
            last = span(scenario.length(), self.settings),
            mode = &mode,
            objectives = objectives.join("\n"),
            p
        ));
        let players = self.say(msg!("link-players", code_name = &scenario.code_name));
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
        self.say(msg!("real-crisis-no-exercise"))
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
            return Decision::refuse(self.say(msg!(
                "players-link-first",
                p = self.p(),
                crisis = &crisis.id
            )));
        }
        Decision::refuse(self.say(msg!("players-animation-command")))
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
        let now = self.input.sent_at;
        let not_started = || Decision::refuse(self.say(msg!("exercise-not-started", p = self.p())));
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
        let ended = || Decision::refuse(self.say(msg!("exercise-ended")));
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
            Command::Link { .. } | Command::Open { .. } => Decision::refuse(self.say(msg!(
                "animation-already-linked",
                crisis = &crisis.id,
                scenario = &run.scenario
            ))),
            Command::Mode(auto) => {
                if run.auto == auto {
                    return Decision::refuse(self.say(msg!("mode-already")));
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
                    return Decision::refuse(self.say(msg!(
                        "mode-overdue",
                        overdue = overdue.join(", "),
                        p = self.p()
                    )));
                }
                let text = if auto {
                    self.say(msg!("mode-auto"))
                } else {
                    self.say(msg!("mode-manual", p = self.p()))
                };
                ack(Event::ExerciseMode { auto }, text)
            }
            Command::Debex => {
                if run.started_at.is_some() {
                    return Decision::refuse(self.say(msg!("debex-already")));
                }
                let code = &run.code_name;
                let phrase = self
                    .settings
                    .stop_phrases
                    .join(&self.say(msg!("stop-phrases-or")));
                let players = self.say(msg!(
                    "debex-players",
                    code,
                    at = self.hm(now),
                    phrase = &phrase
                ));
                let mut text = self.say(msg!("debex-ack", at = self.hm(now)));
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
                let (played, planned) = scenario.map_or((0, 0), |s| coverage(crisis, s));
                let t = span(run.clock(now), self.settings);
                let players = self.say(msg!(
                    "finex-players",
                    code_name = &run.code_name,
                    p = self.p()
                ));
                let text = self.say(msg!(
                    "finex-ack",
                    t = &t,
                    played,
                    planned,
                    percent = percent(played, planned),
                    adhoc = run.played.iter().filter(|p| p.adhoc).count(),
                    skipped = run.skipped.len()
                ));
                Decision {
                    records: vec![record(Event::ExerciseEnded {})],
                    effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
                }
            }
            Command::Pause => {
                if run.paused_since.is_some() {
                    return Decision::refuse(if run.stopped {
                        self.say(msg!("pause-already-stopped"))
                    } else {
                        self.say(msg!("pause-already"))
                    });
                }
                let text = self.say(msg!("pause-ack", t = span(run.clock(now), self.settings)));
                let players = self.say(msg!("pause-players"));
                Decision {
                    records: vec![record(Event::ExercisePaused {})],
                    effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
                }
            }
            Command::Resume => {
                let Some(since) = run.paused_since else {
                    return Decision::refuse(self.say(msg!("resume-not-paused")));
                };
                let text = if run.stopped {
                    self.say(msg!(
                        "resume-after-stop",
                        frozen = span(now - since, self.settings),
                        t = span(run.clock(since), self.settings)
                    ))
                } else {
                    self.say(msg!(
                        "resume-after-pause",
                        paused = span(now - since, self.settings),
                        t = span(run.clock(since), self.settings)
                    ))
                };
                let players = self.say(msg!("resume-players"));
                Decision {
                    records: vec![record(Event::ExerciseResumed {})],
                    effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
                }
            }
            _ if play && run.stopped => {
                Decision::refuse(self.say(msg!("play-frozen", p = self.p())))
            }
            Command::Inject(_) | Command::Adhoc { .. } if run.paused_since.is_some() => {
                Decision::refuse(self.say(msg!("play-paused", p = self.p())))
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
                            return Decision::refuse(self.say(msg!("inject-none-left")));
                        }
                    },
                };
                if let Some(p) = run.played(&inject.id) {
                    return Decision::refuse(self.say(msg!(
                        "inject-already-played",
                        id = &inject.id,
                        t = span(p.t_plus, self.settings)
                    )));
                }
                if run.skipped.contains_key(&inject.id) {
                    return Decision::refuse(
                        self.say(msg!("inject-skipped-already", id = &inject.id)),
                    );
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
                    return Decision::refuse(
                        self.say(msg!("skip-already-closed", inject = &inject)),
                    );
                }
                let text = self.say(msg!("skip-ack", inject = &inject));
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
                            return Decision::refuse(self.say(msg!("delay-not-timed", id)));
                        }
                        Some(_) => {}
                    }
                }
                let minutes = by.num_minutes();
                let by = span(by, self.settings);
                let text = match &inject {
                    Some(id) => self.say(msg!("delay-one", id, by)),
                    None => self.say(msg!("delay-all", by)),
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
                let players = stimulus_text(
                    crisis,
                    playbook,
                    self.settings,
                    channel,
                    &from,
                    to.as_deref(),
                    &text,
                );
                let note = self.say(msg!(
                    "adhoc-ack",
                    id = &id,
                    t = span(run.clock(now), self.settings)
                ));
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
                    return Decision::refuse(
                        self.say(msg!("expected-not-played", inject = &inject)),
                    );
                }
                let text = if met {
                    self.say(msg!("expected-met", inject = &inject))
                } else {
                    self.say(msg!("expected-not-met", inject = &inject))
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
                let reply = self.say(msg!(
                    "obs-ack",
                    reference = &reference,
                    tied = &tied,
                    t = span(run.clock(now), self.settings)
                ));
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
            _ => Decision::refuse(self.say(msg!("animation-room-commands", p = self.p()))),
        }
    }

    /// `a, b, c`, or « aucun » / "none".
    fn list_or_none(&self, items: &[&str]) -> String {
        if items.is_empty() {
            self.say(msg!("none-word"))
        } else {
            items.join(", ")
        }
    }

    fn missing_scenario(&self, run: &ExerciseRun) -> String {
        self.say(msg!("scenario-not-loaded", scenario = &run.scenario))
    }

    fn unknown_inject(&self, scenario: &Scenario, id: &str) -> String {
        let ids: Vec<&str> = scenario.injects.iter().map(|i| i.id.as_str()).collect();
        self.say(msg!("inject-unknown", id, injects = ids.join(", ")))
    }

    /// The schedule view: clock, last 5 played, next 3 due, coverage.
    #[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
    fn chrono(&self, crisis: &Crisis, run: &ExerciseRun, scenario: Option<&Scenario>) -> String {
        let lang = self.lang;
        let now = self.input.at;
        let state = if run.started_at.is_none() {
            self.say(msg!("chrono-not-started"))
        } else if run.ended_at.is_some() {
            self.say(msg!("chrono-ended"))
        } else if run.stopped {
            self.say(msg!("chrono-frozen"))
        } else if run.paused_since.is_some() {
            self.say(msg!("chrono-paused"))
        } else {
            self.say(msg!("chrono-running"))
        };
        let mode = if run.auto {
            "auto".to_owned()
        } else {
            self.say(msg!("manual-word"))
        };
        let mut out = format!(
            "⏱️ {} ({} v{}) — T+{} · {state} · {} {mode}",
            self.say(msg!("chrono-exercise", code_name = &run.code_name)),
            run.scenario,
            run.scenario_version,
            span(run.clock(now), self.settings),
            self.say(msg!("mode-word")),
        );
        if let Some(sc) = scenario
            && sc.version != run.scenario_version
        {
            out.push_str(&format!(
                "\n{}",
                self.say(msg!(
                    "chrono-version-changed",
                    linked = &run.scenario_version,
                    loaded = &sc.version
                ))
            ));
        }
        let outcomes = outcomes(crisis, scenario);
        let mut played: Vec<&super::state::Played> = run.played.iter().collect();
        played.sort_by_key(|p| p.at);
        out.push_str(&format!("\n{}", self.say(msg!("chrono-last-played"))));
        if played.is_empty() {
            out.push_str(&format!(" {}", self.say(msg!("none-word"))));
        }
        for p in played.iter().rev().take(5).rev() {
            let o = outcomes.iter().find(|o| o.inject == p.inject);
            let reaction = match o.and_then(|o| o.first_reaction.as_ref()) {
                Some((r, d)) => format!(
                    " · {} {} ({r})",
                    self.say(msg!("reaction-word")),
                    span(*d, self.settings)
                ),
                None => format!(" · {}", self.say(msg!("no-reaction-yet"))),
            };
            let met = match o.and_then(|o| o.met) {
                Some((true, _)) => " · ✅",
                Some((false, _)) => " · ❌",
                None => "",
            };
            let what = scenario
                .and_then(|s| s.inject(&p.inject))
                .map(|i| format!(" {} {}", i.channel.icon(), ellipsis(i.from.get(lang), 30)))
                .unwrap_or_else(|| format!(" {}", self.say(msg!("adhoc-word"))));
            out.push_str(&format!(
                "\n  {} T+{}{what}{reaction}{met}",
                p.inject,
                span(p.t_plus, self.settings)
            ));
        }
        if let Some(sc) = scenario {
            let next = upcoming(run, sc);
            out.push_str(&format!("\n{}", self.say(msg!("chrono-coming-up"))));
            if next.is_empty() {
                out.push_str(&format!(" {}", self.say(msg!("nothing-word"))));
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
                    None => self.say(msg!("on-command")).to_owned(),
                };
                let dep = inject
                    .after
                    .as_ref()
                    .map(|d| format!(" · {} {d}", self.say(msg!("after-word"))))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "\n  {} {when} {} {} → {}{dep}",
                    inject.id,
                    inject.channel.icon(),
                    ellipsis(inject.from.get(lang), 30),
                    inject.to.as_deref().unwrap_or(&self.say(msg!("all-word")))
                ));
            }
            let (n_played, planned) = coverage(crisis, sc);
            out.push_str(&format!(
                "\n{}",
                self.say(msg!(
                    "chrono-coverage",
                    n_played,
                    planned,
                    percent = percent(n_played, planned),
                    skipped = run.skipped.len(),
                    adhoc = run.played.iter().filter(|p| p.adhoc).count(),
                    observations = crisis.observations.len()
                ))
            ));
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
    pub(super) fn retex(&self, crisis: &Crisis, arg: RetexArg) -> Decision {
        if let Some(run) = &crisis.run
            && run.ended_at.is_none()
        {
            return Decision::refuse(self.say(msg!("retex-after-finex")));
        }
        let record = |event: Event| super::base_record(crisis, self.input, event);
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
            (None, _) => Decision::refuse(self.say(msg!("retex-not-open", p = self.p()))),
            (Some(r), _) if r.ended_at.is_some() => {
                Decision::refuse(self.say(msg!("retex-closed-already", p = self.p())))
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
                let text = self.say(msg!(
                    "retex-closed",
                    n = r.contributions.len(),
                    n_improvements = crisis.improvements.len(),
                    p
                ));
                Decision {
                    records: vec![record(Event::RetexEnded {})],
                    effects: vec![self.post_players(crisis, text)],
                }
            }
        }
    }
}

/// A scenario inject's text as the players read it (for reports).
pub fn player_text(settings: &Settings, channel: &str, from: &str, text: &str) -> String {
    let channel = Channel::parse(channel).unwrap_or(Channel::Internal);
    settings.say(msg!(
        "player-text",
        icon = channel.icon(),
        channel = channel_label(channel),
        from,
        text
    ))
}

/// How a channel is named to people (« Appel », "Call").
pub fn channel_label(channel: Channel) -> Message {
    msg!("channel", channel = channel.id())
}
