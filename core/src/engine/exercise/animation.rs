//! The animation room: linking it to the players' exercise, and the
//! facilitators' and observers' commands there (DEBEX, injects fired by hand,
//! pauses, delays, ad-hoc injects, expected reactions, observations, FINEX,
//! the schedule view). [`Ctx::animation`] dispatches; the judgement of
//! objectives and the synthesis are in `evaluation.rs`.

use super::measures::{coverage, outcomes, percent};
use super::{due_injects, fire, next_line, planned, stimulus_text, upcoming};
use crate::engine::command::Command;
use crate::engine::event::{Event, PostTag};
use crate::engine::schedule::span;
use crate::engine::state::{Crisis, ExerciseRun, LinkProposal};
use crate::engine::{Ctx, Decision, Effect, ellipsis, mark_decision};
use crate::lang::speech::{Speech, msg};
use crate::playbook::scenario::{Channel, Scenario};

impl Ctx<'_> {
    /// A facilitator-only command from someone who is not one.
    pub(in crate::engine) fn require_facilitator(&self) -> Option<Decision> {
        (!self.input.privileged).then(|| Decision::refuse(msg!("facilitators-only", p = self.p())))
    }

    /// `!animer <crise|salon> <scénario>` in a room with no crisis: propose
    /// to animate the players' exercise from this room. The players' lead
    /// accepts ([`Ctx::accept_link`]) or declines it in their room; until
    /// then nothing of this room reaches them.
    pub(in crate::engine) fn link(
        &self,
        target: &str,
        scenario_id: &str,
        auto: bool,
        site: Option<String>,
    ) -> Decision {
        if let Some(refusal) = self.require_facilitator() {
            return refusal;
        }
        let (crisis, scenario) = match self.link_target(target, scenario_id) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        if let Err(refusal) = self.check_site(crisis, scenario, site.as_deref()) {
            return refusal;
        }
        let record = crate::engine::base_record(
            crisis,
            self.input,
            Event::ExerciseLinkProposed {
                animation_room: self.input.room.clone(),
                scenario: scenario.id.clone(),
                scenario_version: scenario.version.clone(),
                code_name: scenario.code_name.clone(),
                auto,
                site: site.clone(),
            },
        );
        let p = self.p();
        let mut ack: Speech = msg!(
            "link-proposed",
            crisis = &crisis.id,
            code_name = &scenario.code_name,
            scenario = &scenario.id,
            version = &scenario.version,
            p
        )
        .into();
        if let Some(site) = &site {
            ack.line(self.site_variants_line(scenario, site));
        }
        let request = msg!(
            "link-request",
            room = &self.input.room,
            code_name = &scenario.code_name,
            p
        );
        mark_decision(
            crisis,
            self.settings,
            Decision {
                records: vec![record],
                effects: vec![Effect::Ack(ack), self.post_players(crisis, request)],
            },
        )
    }

    /// `!accepter` in the players' room: a lead links the proposed animation room.
    pub(in crate::engine) fn accept_link(&self, crisis: &Crisis) -> Decision {
        let proposal = match self.pending_proposal(crisis, msg!("word-accept")) {
            Ok(proposal) => proposal,
            Err(refusal) => return refusal,
        };
        let Some(scenario) = self.catalog.scenario(&proposal.scenario) else {
            let known: Vec<&str> = self.catalog.scenarios().map(|s| s.id.as_str()).collect();
            let known = self.list_or_none(&known);
            return Decision::refuse(msg!(
                "link-unknown-scenario",
                scenario = &proposal.scenario,
                known = &known
            ));
        };
        let lang = self.lang;
        let record = crate::engine::base_record(
            crisis,
            self.input,
            Event::ExerciseLinked {
                animation_room: proposal.animation_room.clone(),
                scenario: proposal.scenario.clone(),
                scenario_version: proposal.scenario_version.clone(),
                code_name: proposal.code_name.clone(),
                auto: proposal.auto,
                site: proposal.site.clone(),
            },
        );
        let objectives: Vec<String> = scenario
            .objectives
            .iter()
            .map(|o| format!("  {} {}", o.id, o.text.get(lang)))
            .collect();
        let mode = if proposal.auto {
            self.say(msg!("mode-auto-label"))
        } else {
            self.say(msg!("mode-manual-label"))
        };
        let facilitators = msg!(
            "link-ack",
            crisis = &crisis.id,
            code_name = &proposal.code_name,
            scenario = &proposal.scenario,
            version = &proposal.scenario_version,
            level = msg!("level", level = scenario.level.id()),
            n_injects = scenario.injects.len(),
            n_timed = scenario.n_timed(),
            last = span(scenario.length(), self.settings),
            mode = &mode,
            objectives = objectives.join("\n"),
            p = self.p()
        );
        let ack = msg!(
            "link-accepted",
            room = &proposal.animation_room,
            code_name = &proposal.code_name
        );
        // The players' room's answers are marked by `in_crisis`'s caller.
        Decision {
            records: vec![record],
            effects: vec![
                Effect::Ack(ack.into()),
                Effect::Post {
                    room: proposal.animation_room.clone(),
                    crisis: crisis.id.clone(),
                    text: facilitators.into(),
                    tag: None,
                },
            ],
        }
    }

    /// `!refuser` in the players' room: a lead declines the proposal.
    pub(in crate::engine) fn decline_link(&self, crisis: &Crisis) -> Decision {
        let proposal = match self.pending_proposal(crisis, msg!("word-decline")) {
            Ok(proposal) => proposal,
            Err(refusal) => return refusal,
        };
        let record = crate::engine::base_record(
            crisis,
            self.input,
            Event::ExerciseLinkDeclined {
                animation_room: proposal.animation_room.clone(),
            },
        );
        // The players' room's answers are marked by `in_crisis`'s caller.
        Decision {
            records: vec![record],
            effects: vec![
                Effect::Ack(msg!("link-declined", room = &proposal.animation_room).into()),
                Effect::Post {
                    room: proposal.animation_room.clone(),
                    crisis: crisis.id.clone(),
                    text: msg!("link-declined-animation", crisis = &crisis.id).into(),
                    tag: None,
                },
            ],
        }
    }

    /// The proposal a lead answers, or why there is none to answer.
    fn pending_proposal<'c>(
        &self,
        crisis: &'c Crisis,
        command: crate::lang::speech::Message,
    ) -> Result<&'c LinkProposal, Decision> {
        if !crisis.exercise {
            return Err(Decision::refuse(self.real_crisis()));
        }
        if let Some(refusal) = self.require_privilege(command) {
            return Err(refusal);
        }
        crisis.link_proposal.as_ref().ok_or_else(|| {
            Decision::refuse(msg!(
                "link-nothing-pending",
                p = self.p(),
                crisis = &crisis.id
            ))
        })
    }

    /// The players' open exercise and the scenario to link it to, or why not.
    fn link_target(
        &self,
        target: &str,
        scenario_id: &str,
    ) -> Result<(&Crisis, &Scenario), Decision> {
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
            return Err(Decision::refuse(msg!(
                "link-no-crisis",
                target,
                open = &open
            )));
        };
        if !crisis.exercise {
            return Err(Decision::refuse(self.real_crisis()));
        }
        if crisis.room == self.input.room {
            return Err(Decision::refuse(msg!("link-players-room")));
        }
        if let Some(run) = &crisis.run {
            return Err(Decision::refuse(msg!(
                "link-already-animated",
                crisis = &crisis.id,
                scenario = &run.scenario
            )));
        }
        let Some(scenario) = self.catalog.scenario(scenario_id) else {
            let known: Vec<&str> = self.catalog.scenarios().map(|s| s.id.as_str()).collect();
            let known = self.list_or_none(&known);
            return Err(Decision::refuse(msg!(
                "link-unknown-scenario",
                scenario = scenario_id,
                known = &known
            )));
        };
        if scenario.playbook != crisis.playbook {
            return Err(Decision::refuse(msg!(
                "link-wrong-playbook",
                scenario = &scenario.id,
                scenario_playbook = &scenario.playbook,
                playbook = &crisis.playbook
            )));
        }
        Ok((crisis, scenario))
    }

    pub(in crate::engine) fn real_crisis(&self) -> String {
        self.say(msg!("real-crisis-no-exercise"))
    }

    pub(in crate::engine) fn post_players(
        &self,
        crisis: &Crisis,
        text: impl Into<Speech>,
    ) -> Effect {
        Effect::Post {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            text: text.into(),
            tag: None,
        }
    }

    /// An exercise command typed in the players' room (or in a real crisis).
    pub(in crate::engine) fn players_refusal(&self, crisis: &Crisis) -> Decision {
        if !crisis.exercise {
            return Decision::refuse(self.real_crisis());
        }
        if crisis.run.is_none() {
            return Decision::refuse(msg!(
                "players-link-first",
                p = self.p(),
                crisis = &crisis.id
            ));
        }
        Decision::refuse(msg!("players-animation-command"))
    }

    /// A command typed in the animation room of `crisis`: who may, when in
    /// the exercise it may, then one call per command.
    pub(in crate::engine) fn animation(&self, crisis: &Crisis, command: Command) -> Decision {
        let Some(run) = &crisis.run else {
            return Decision::default();
        };
        let scenario = self.catalog.scenario(&run.scenario);
        if command.is_for_facilitators()
            && let Some(refusal) = self.require_facilitator()
        {
            return refusal;
        }
        let not_started = || Decision::refuse(msg!("exercise-not-started", p = self.p()));
        // Commands that play the exercise: only between DEBEX and FINEX.
        let play = command.plays_the_exercise();
        let ended = || Decision::refuse(msg!("exercise-ended"));
        match command {
            Command::Help(topic) => {
                Decision::reply(crate::engine::help_for(self.settings, topic, true))
            }
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
            // `!animer` here links another establishment: `Ctx::animate` takes it first.
            Command::Open { .. } | Command::AcceptLink | Command::DeclineLink => {
                Decision::refuse(msg!(
                    "animation-already-linked",
                    crisis = &crisis.id,
                    scenario = &run.scenario
                ))
            }
            Command::Mode(auto) => self.mode(crisis, run, scenario, auto),
            Command::Debex => self.debex(crisis, run, scenario),
            _ if play && run.started_at.is_none() => not_started(),
            _ if play && run.ended_at.is_some() => ended(),
            Command::Finex => self.finex(crisis, run, scenario),
            Command::Pause => self.pause(crisis, run),
            Command::Resume => self.resume(crisis, run),
            _ if play && run.stopped => Decision::refuse(msg!("play-frozen", p = self.p())),
            Command::Inject(_) | Command::Adhoc { .. } if run.paused_since.is_some() => {
                Decision::refuse(msg!("play-paused", p = self.p()))
            }
            Command::Inject(id) => self.fire_inject(crisis, run, scenario, id),
            Command::SkipInject { inject, reason } => {
                self.skip_inject(crisis, run, scenario, inject, reason)
            }
            Command::Delay { inject, by } => self.delay(crisis, run, scenario, inject, by),
            Command::Adhoc {
                channel,
                to,
                from,
                text,
            } => self.adhoc(crisis, run, channel, to, from, text),
            Command::Expected { inject, met } => self.mark_expected(crisis, run, inject, met),
            Command::Obs(text) => self.observe(crisis, run, scenario, text),
            Command::Improve { text, owner, due } => self.improve(crisis, text, owner, due),
            Command::Objective(judgement) => self.objective(crisis, run, scenario, judgement),
            Command::Synthesis(line) => self.synthesis(crisis, run, line),
            _ => Decision::refuse(msg!("animation-room-commands", p = self.p())),
        }
    }

    /// `a, b, c`, or « aucun » / "none".
    pub(in crate::engine) fn list_or_none(&self, items: &[&str]) -> String {
        if items.is_empty() {
            self.say(msg!("none-word"))
        } else {
            items.join(", ")
        }
    }

    pub(in crate::engine) fn missing_scenario(&self, run: &ExerciseRun) -> String {
        self.say(msg!("scenario-not-loaded", scenario = &run.scenario))
    }

    pub(in crate::engine) fn unknown_inject(&self, scenario: &Scenario, id: &str) -> String {
        let ids: Vec<&str> = scenario.injects.iter().map(|i| i.id.as_str()).collect();
        self.say(msg!("inject-unknown", id, injects = ids.join(", ")))
    }

    /// The schedule view: clock, last 5 played, next 3 due, coverage.
    pub(in crate::engine) fn chrono(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
    ) -> String {
        let now = self.input.at;
        let state = self.chrono_state(run);
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
        out.push_str(&self.chrono_last_played(crisis, run, scenario));
        if let Some(sc) = scenario {
            out.push_str(&self.chrono_coming_up(crisis, run, sc));
        }
        out
    }

    /// Where the exercise stands: not started, running, paused, frozen, ended.
    pub(in crate::engine) fn chrono_state(&self, run: &ExerciseRun) -> String {
        let state = if run.started_at.is_none() {
            msg!("chrono-not-started")
        } else if run.ended_at.is_some() {
            msg!("chrono-ended")
        } else if run.stopped {
            msg!("chrono-frozen")
        } else if run.paused_since.is_some() {
            msg!("chrono-paused")
        } else {
            msg!("chrono-running")
        };
        self.say(state)
    }

    /// The schedule view's last five injects played, with their reactions.
    fn chrono_last_played(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
    ) -> String {
        let lang = self.lang;
        let mut out = String::new();
        let outcomes = outcomes(crisis, scenario);
        let mut played: Vec<&crate::engine::state::Played> = run.played.iter().collect();
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
                .map(|i| {
                    let from = i.from_for(run.site.as_deref()).get(lang);
                    format!(" {} {}", i.channel.icon(), ellipsis(from, 30))
                })
                .unwrap_or_else(|| format!(" {}", self.say(msg!("adhoc-word"))));
            out.push_str(&format!(
                "\n  {} T+{}{what}{reaction}{met}",
                p.inject,
                span(p.t_plus, self.settings)
            ));
        }
        out
    }

    /// The schedule view's next three injects and the coverage so far.
    fn chrono_coming_up(&self, crisis: &Crisis, run: &ExerciseRun, sc: &Scenario) -> String {
        let lang = self.lang;
        let now = self.input.at;
        let mut out = String::new();
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
                            format!(
                                " ({})",
                                crate::engine::schedule::when(self.settings.tz, w, now)
                            )
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
                ellipsis(inject.from_for(run.site.as_deref()).get(lang), 30),
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
        out
    }

    /// `!mode auto|manuel`: injects on the clock, or only on command.
    fn mode(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
        auto: bool,
    ) -> Decision {
        let now = self.input.sent_at;
        let ack = |event: Event, text: Speech| Decision {
            records: vec![crate::engine::base_record(crisis, self.input, event)],
            effects: vec![Effect::Ack(text)],
        };
        if run.auto == auto {
            return Decision::refuse(msg!("mode-already"));
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
            return Decision::refuse(msg!(
                "mode-overdue",
                overdue = overdue.join(", "),
                p = self.p()
            ));
        }
        let text = if auto {
            self.say(msg!("mode-auto"))
        } else {
            self.say(msg!("mode-manual", p = self.p()))
        };
        ack(Event::ExerciseMode { auto }, text.into())
    }

    /// `!debex`: the exercise clock starts at T+0.
    fn debex(&self, crisis: &Crisis, run: &ExerciseRun, scenario: Option<&Scenario>) -> Decision {
        let now = self.input.sent_at;
        let record = |event: Event| crate::engine::base_record(crisis, self.input, event);
        if run.started_at.is_some() {
            return Decision::refuse(msg!("debex-already"));
        }
        let code = &run.code_name;
        let phrase = self
            .settings
            .stop_phrases
            .join(&self.say(msg!("stop-phrases-or")));
        let players = msg!("debex-players", code, at = self.hm(now), phrase = &phrase);
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

    /// `!finex`: end of play, with its coverage; the players move on to the debrief.
    fn finex(&self, crisis: &Crisis, run: &ExerciseRun, scenario: Option<&Scenario>) -> Decision {
        let now = self.input.sent_at;
        let record = |event: Event| crate::engine::base_record(crisis, self.input, event);
        let (played, planned) = scenario.map_or((0, 0), |s| coverage(crisis, s));
        let t = span(run.clock(now), self.settings);
        let players = msg!("finex-players", code_name = &run.code_name, p = self.p());
        let text = msg!(
            "finex-ack",
            t = &t,
            played,
            planned,
            percent = percent(played, planned),
            adhoc = run.played.iter().filter(|p| p.adhoc).count(),
            skipped = run.skipped.len()
        );
        Decision {
            records: vec![record(Event::ExerciseEnded {})],
            effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
        }
    }

    /// `!pause`: the exercise clock stops; the schedule shifts by the pause.
    fn pause(&self, crisis: &Crisis, run: &ExerciseRun) -> Decision {
        let now = self.input.sent_at;
        let record = |event: Event| crate::engine::base_record(crisis, self.input, event);
        if run.paused_since.is_some() {
            return Decision::refuse(if run.stopped {
                self.say(msg!("pause-already-stopped"))
            } else {
                self.say(msg!("pause-already"))
            });
        }
        let text = msg!("pause-ack", t = span(run.clock(now), self.settings));
        let players = msg!("pause-players");
        Decision {
            records: vec![record(Event::ExercisePaused {})],
            effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
        }
    }

    /// `!reprise`: after a pause or a STOP, the clock runs again.
    fn resume(&self, crisis: &Crisis, run: &ExerciseRun) -> Decision {
        let now = self.input.sent_at;
        let record = |event: Event| crate::engine::base_record(crisis, self.input, event);
        let Some(since) = run.paused_since else {
            return Decision::refuse(msg!("resume-not-paused"));
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
        let players = msg!("resume-players");
        Decision {
            records: vec![record(Event::ExerciseResumed {})],
            effects: vec![Effect::Ack(text.into()), self.post_players(crisis, players)],
        }
    }

    /// `!inject [id]`: a scenario inject fired by hand (the next one without an id).
    fn fire_inject(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
        id: Option<String>,
    ) -> Decision {
        let now = self.input.sent_at;
        let record = |event: Event| crate::engine::base_record(crisis, self.input, event);
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
                    return Decision::refuse(msg!("inject-none-left"));
                }
            },
        };
        if let Some(p) = run.played(&inject.id) {
            return Decision::refuse(msg!(
                "inject-already-played",
                id = &inject.id,
                t = span(p.t_plus, self.settings)
            ));
        }
        if run.skipped.contains_key(&inject.id) {
            return Decision::refuse(msg!("inject-skipped-already", id = &inject.id));
        }
        let playbook = self.catalog.get(&crisis.playbook);
        let (event, effects) = fire(crisis, run, sc, playbook, self.settings, inject, now, true);
        Decision {
            records: vec![record(event)],
            effects,
        }
    }

    /// `!passer i05`: an inject that will not be played.
    fn skip_inject(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
        inject: String,
        reason: Option<String>,
    ) -> Decision {
        let ack = |event: Event, text: Speech| Decision {
            records: vec![crate::engine::base_record(crisis, self.input, event)],
            effects: vec![Effect::Ack(text)],
        };
        let Some(sc) = scenario else {
            return Decision::refuse(self.missing_scenario(run));
        };
        if sc.inject(&inject).is_none() {
            return Decision::refuse(self.unknown_inject(sc, &inject));
        }
        if run.is_closed(&inject) {
            return Decision::refuse(msg!("skip-already-closed", inject = &inject));
        }
        let text = msg!("skip-ack", inject = &inject);
        ack(Event::InjectSkipped { inject, reason }, text.into())
    }

    /// `!retarder [i05] 10m`: one inject, or everything still to come, later.
    fn delay(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
        inject: Option<String>,
        by: chrono::TimeDelta,
    ) -> Decision {
        let ack = |event: Event, text: Speech| Decision {
            records: vec![crate::engine::base_record(crisis, self.input, event)],
            effects: vec![Effect::Ack(text)],
        };
        if let Some(id) = &inject {
            let Some(sc) = scenario else {
                return Decision::refuse(self.missing_scenario(run));
            };
            match sc.inject(id) {
                None => return Decision::refuse(self.unknown_inject(sc, id)),
                Some(i) if run.is_closed(id) || i.at.is_none() => {
                    return Decision::refuse(msg!("delay-not-timed", id));
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
        ack(Event::InjectDelayed { inject, minutes }, text.into())
    }

    /// `!improviser`: an unscripted inject, fired at once.
    fn adhoc(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        channel: Channel,
        to: Option<String>,
        from: String,
        text: String,
    ) -> Decision {
        let now = self.input.sent_at;
        let record = |event: Event| crate::engine::base_record(crisis, self.input, event);
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
        let recipient = to.as_ref().and_then(|role| crisis.roles.get(role).cloned());
        let note = msg!(
            "adhoc-ack",
            id = &id,
            t = span(run.clock(now), self.settings)
        );
        let post = Effect::Post {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            text: players.into(),
            tag: Some(PostTag::Inject(id.clone())),
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
                recipient,
                direct: false,
                headline: None,
                handle: None,
                attachments: Vec::new(),
            })],
            effects: vec![Effect::Ack(note.into()), post],
        }
    }

    /// `!attendu i05 oui|non`: the facilitator's judgement on the expected reaction.
    fn mark_expected(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        inject: String,
        met: bool,
    ) -> Decision {
        let ack = |event: Event, text: Speech| Decision {
            records: vec![crate::engine::base_record(crisis, self.input, event)],
            effects: vec![Effect::Ack(text)],
        };
        let known = run.played(&inject).is_some();
        if !known {
            return Decision::refuse(msg!("expected-not-played", inject = &inject));
        }
        let text = if met {
            self.say(msg!("expected-met", inject = &inject))
        } else {
            self.say(msg!("expected-not-met", inject = &inject))
        };
        ack(Event::ReactionMarked { inject, met }, text.into())
    }

    /// `!obs [i05|o2] <texte>`: an observer's note, tied to an inject or an objective.
    fn observe(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
        text: String,
    ) -> Decision {
        let now = self.input.sent_at;
        let ack = |event: Event, text: Speech| Decision {
            records: vec![crate::engine::base_record(crisis, self.input, event)],
            effects: vec![Effect::Ack(text)],
        };
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
            reply.into(),
        )
    }
}
