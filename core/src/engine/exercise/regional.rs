//! Regional exercises: one animation room drives the exercises of several
//! establishments at once, each its own crisis with its own journal and
//! report, possibly on other homeservers.
//!
//! Each establishment is linked with its consent like any exercise, under a
//! site label (`!animer@chu-nord <salon> <scénario>`) that picks the
//! scenario's per-establishment variants. A command names one establishment
//! with the same suffix (`!inject@ch-sud i03`); without it, the commands that
//! play the exercise go to every establishment (each records its own entry,
//! all of them in one durable write), `!chrono` shows them side by side and
//! `!export` renders the consolidated summary. Judgements (`!attendu`,
//! `!obs`, `!objectif`, `!synthèse`, `!amélioration`) are about one
//! establishment and must name it.

use std::borrow::Cow;
use std::collections::HashMap;

use super::measures::{coverage, percent};
use super::{planned, upcoming};
use crate::engine::command::Command;
use crate::engine::schedule::span;
use crate::engine::state::{Crisis, World};
use crate::engine::{
    Ctx, Decision, Effect, ExportFormat, Settings, mark, mark_decision, mark_prefix,
};
use crate::lang::fold;
use crate::lang::speech::{Speech, msg};
use crate::playbook::scenario::{Scenario, is_site_label};

/// `!inject@ch-sud i03` → (`!inject i03`, `ch-sud`): the establishment a
/// command names, written right after its keyword. Other texts are unchanged.
pub fn split_site<'t>(text: &'t str, prefix: &str) -> (Cow<'t, str>, Option<String>) {
    let trimmed = text.trim_start();
    let Some(rest) = trimmed.strip_prefix(prefix) else {
        return (Cow::Borrowed(text), None);
    };
    let keyword_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (keyword, args) = rest.split_at(keyword_end);
    match keyword.split_once('@') {
        Some((keyword, site)) if !keyword.is_empty() && !site.is_empty() => (
            Cow::Owned(format!("{prefix}{keyword}{args}")),
            Some(site.to_lowercase()),
        ),
        _ => (Cow::Borrowed(text), None),
    }
}

/// Names, in what tocsin posts in a regional exercise's animation room,
/// the establishment it is about, after the marking:
/// `[EXERCICE] [chu-nord] ▶️ i03 joué…`.
pub fn name_sites(world: &World, settings: &Settings, mut decision: Decision) -> Decision {
    let marking = mark_prefix(settings);
    // Each room's regional session, worked out once per decision.
    let mut sessions: HashMap<String, Vec<&str>> = HashMap::new();
    for effect in &mut decision.effects {
        let Effect::Post {
            room, crisis, text, ..
        } = effect
        else {
            continue;
        };
        let session = sessions.entry(room.clone()).or_insert_with(|| {
            let session = world.regional_session(room);
            session.iter().map(|c| c.id.as_str()).collect()
        });
        if let Some(label) = site_in(world, room, crisis, session) {
            let named = Speech::from(format!("[{label}] "));
            *text = match text.strip_prefix(&marking) {
                Some(rest) => marking.clone().then(named).then(rest),
                None => named.then(std::mem::take(text)),
            };
        }
    }
    decision
}

/// The label of `crisis` when `room` is the animation room of a regional
/// exercise (`session`) it takes part in or is being linked to, with other
/// establishments (still playing or not).
fn site_in<'w>(world: &'w World, room: &str, crisis: &str, session: &[&str]) -> Option<&'w str> {
    let c = world.crisis(crisis)?;
    let label = match (&c.run, &c.link_proposal) {
        (Some(run), _) if run.animation_room == room => run.label(&c.id),
        (None, Some(p)) if p.animation_room == room => p.site.as_deref().unwrap_or(&c.id),
        _ => return None,
    };
    session.iter().any(|other| *other != c.id).then_some(label)
}

/// A command played in several establishments is the source of the first
/// one's entries only: the journal indexes a chat event once, and the
/// entries of every establishment are written together, all or none.
pub fn one_source(records: &mut [crate::engine::event::Record]) {
    let Some(first) = records.first().map(|r| r.crisis.clone()) else {
        return;
    };
    for record in records.iter_mut().filter(|r| r.crisis != first) {
        record.source = None;
    }
}

/// The establishment `site` names among `among`: its label, or its crisis id.
fn named<'c>(among: &[&'c Crisis], site: &str) -> Option<&'c Crisis> {
    among
        .iter()
        .find(|c| fold(label(c)) == fold(site) || c.id.eq_ignore_ascii_case(site))
        .copied()
}

/// How an establishment is named in the animation room.
fn label(crisis: &Crisis) -> &str {
    crisis
        .run
        .as_ref()
        .map_or(crisis.id.as_str(), |run| run.label(&crisis.id))
}

impl Ctx<'_> {
    /// A command of an animation room driving `driven` (link order, open
    /// exercises), part of `session` (the same regional exercise, closed
    /// establishments included): to the establishment it names, or to each.
    pub(in crate::engine) fn animate(
        &self,
        driven: &[&Crisis],
        session: &[&Crisis],
        site: Option<&str>,
        command: Command,
    ) -> Decision {
        let Some(first) = driven.first().or(session.first()).copied() else {
            return Decision::default();
        };
        let refuse = |text: Speech| Decision::refuse(mark(Some(first), self.settings, text));
        // Reports are asked for after the close too: the whole session.
        if let (Command::Export(format), [_, _, ..]) = (&command, session) {
            return match site.map(|s| named(session, s)) {
                None => self.summary(session, *format),
                Some(Some(crisis)) => self.answer_for(&[(crisis, self.animation(crisis, command))]),
                Some(None) => refuse(self.unknown_site(site.unwrap_or_default(), session)),
            };
        }
        if let Command::Link {
            target,
            scenario,
            auto,
            site,
        } = command
        {
            return mark_decision(
                first,
                self.settings,
                self.link(&target, &scenario, auto, site),
            );
        }
        if let Some(site) = site {
            let Some(crisis) = named(driven, site) else {
                return refuse(match self.waiting_site(site) {
                    Some(crisis) => msg!("site-waiting", site, crisis, p = self.p()).into(),
                    None => self.unknown_site(site, driven),
                });
            };
            return match driven {
                [_] => mark_decision(crisis, self.settings, self.animation(crisis, command)),
                _ => self.answer_for(&[(crisis, self.animation(crisis, command))]),
            };
        }
        let [_, _, ..] = driven else {
            return mark_decision(first, self.settings, self.animation(first, command));
        };
        self.animate_all(driven, command)
    }

    /// A command naming no establishment, in a room driving several.
    fn animate_all(&self, driven: &[&Crisis], command: Command) -> Decision {
        let first = driven[0];
        let refuse = |text: Speech| Decision::refuse(mark(Some(first), self.settings, text));
        let example = |site: &str| format!("{}{}@{site}", self.p(), self.typed_keyword());
        // Asked once, not once per establishment.
        if command.is_for_facilitators()
            && let Some(refusal) = self.require_facilitator()
        {
            return mark_decision(first, self.settings, refusal);
        }
        let frozen: Vec<&str> = driven
            .iter()
            .filter(|c| c.run.as_ref().is_some_and(|r| r.stopped))
            .map(|c| label(c))
            .collect();
        match command {
            Command::Help(_)
            | Command::Open { .. }
            | Command::AcceptLink
            | Command::DeclineLink => {
                mark_decision(first, self.settings, self.animation(first, command))
            }
            Command::Status | Command::Chrono => Decision::reply(mark(
                Some(first),
                self.settings,
                self.chrono_all(driven).into(),
            )),
            Command::Expected { .. }
            | Command::Obs(_)
            | Command::Improve { .. }
            | Command::Objective(_)
            | Command::Synthesis(_) => refuse(
                msg!(
                    "site-name-it",
                    n = driven.len(),
                    sites = self.labels(driven),
                    example = example(label(first))
                )
                .into(),
            ),
            // An establishment frozen by a real emergency resumes on purpose,
            // by name: never with the others.
            Command::Resume if !frozen.is_empty() => refuse(
                msg!(
                    "regional-resume-frozen",
                    frozen = frozen.join(", "),
                    example = example(frozen[0]),
                    p = self.p()
                )
                .into(),
            ),
            command => {
                let each: Vec<(&Crisis, Decision)> = driven
                    .iter()
                    .map(|c| (*c, self.animation(c, command.clone())))
                    .collect();
                self.answer_for(&each)
            }
        }
    }

    /// The exercise proposed from this room under the label `site`, still
    /// waiting for its players' lead.
    fn waiting_site(&self, site: &str) -> Option<&str> {
        self.world
            .proposed_from(&self.input.room)
            .find(|(c, p)| fold(p.site.as_deref().unwrap_or(&c.id)) == fold(site))
            .map(|(c, _)| c.id.as_str())
    }

    /// « No establishment X here », with those there are.
    fn unknown_site(&self, site: &str, among: &[&Crisis]) -> Speech {
        msg!("site-unknown", site, sites = self.labels(among)).into()
    }

    /// One answer for a command played in one or several establishments
    /// (their unmarked decisions): each one's answer on a line of its own,
    /// marked once, then everything else they do, each marked as its own.
    /// Recorded anywhere: ✅; refused everywhere: ⛔.
    fn answer_for(&self, each: &[(&Crisis, Decision)]) -> Decision {
        let mut lines = Vec::new();
        let mut records = Vec::new();
        let mut effects = Vec::new();
        let mut refused = true;
        for (crisis, decision) in each {
            records.extend(decision.records.iter().cloned());
            let mut rest = Vec::new();
            for effect in &decision.effects {
                let (text, refusal) = match effect {
                    Effect::Ack(text) | Effect::Reply(text) => {
                        refused = false;
                        (text, false)
                    }
                    Effect::Refuse(text) => (text, true),
                    other => {
                        rest.push(other.clone());
                        continue;
                    }
                };
                lines.push((refusal, format!("[{}] ", label(crisis)), text.clone()));
            }
            let rest = Decision {
                records: Vec::new(),
                effects: rest,
            };
            effects.extend(mark_decision(crisis, self.settings, rest).effects);
        }
        if !lines.is_empty() {
            // Refused in some establishments only: those lines say so.
            let lines = lines.into_iter().map(|(refusal, label, text)| {
                let sign = if refusal && !refused { "⛔ " } else { "" };
                Speech::from(format!("{label}{sign}")).then(text)
            });
            let text = mark(
                each.first().map(|(c, _)| *c),
                self.settings,
                Speech::join(lines, "\n"),
            );
            let answer = if !records.is_empty() {
                Effect::Ack(text)
            } else if refused {
                Effect::Refuse(text)
            } else {
                Effect::Reply(text)
            };
            effects.insert(0, answer);
        }
        one_source(&mut records);
        Decision { records, effects }
    }

    /// The facilitators' view of every establishment, a line each.
    fn chrono_all(&self, driven: &[&Crisis]) -> String {
        let now = self.input.at;
        let first = driven[0].run.as_ref();
        let mut out = self.say(msg!(
            "chrono-regional",
            code_name = first.map(|r| r.code_name.as_str()).unwrap_or_default(),
            scenario = first.map(|r| r.scenario.as_str()).unwrap_or_default(),
            n = driven.len()
        ));
        for crisis in driven {
            let Some(run) = &crisis.run else { continue };
            let scenario = self.catalog.scenario(&run.scenario);
            let mut line = format!(
                "\n[{}] T+{} · {}",
                label(crisis),
                span(run.clock(now), self.settings),
                self.chrono_state(run)
            );
            if let Some(sc) = scenario {
                let (played, timed) = coverage(crisis, sc);
                line.push_str(&format!(
                    " · {}",
                    self.say(msg!(
                        "chrono-regional-played",
                        played,
                        timed,
                        percent = percent(played, timed)
                    ))
                ));
                if run.ended_at.is_none()
                    && let Some(next) = upcoming(run, sc).first()
                {
                    let when = planned(run, next).map_or_else(
                        || self.say(msg!("on-command")),
                        |at| format!("T+{}", span(at, self.settings)),
                    );
                    line.push_str(&format!(
                        " · {}",
                        self.say(msg!("chrono-regional-next", id = &next.id, when = &when))
                    ));
                }
            }
            out.push_str(&line);
        }
        out.push('\n');
        out.push_str(&self.say(msg!(
            "chrono-regional-detail",
            p = self.p(),
            site = label(driven[0])
        )));
        out
    }

    /// `!export` in a regional exercise's animation room: the consolidated
    /// summary, measures side by side, no establishment's conversation.
    fn summary(&self, driven: &[&Crisis], format: Option<ExportFormat>) -> Decision {
        let format = format.unwrap_or_default();
        if format == ExportFormat::Csv {
            return Decision::refuse(mark(
                Some(driven[0]),
                self.settings,
                msg!("summary-formats", p = self.p(), site = label(driven[0])).into(),
            ));
        }
        Decision {
            records: Vec::new(),
            effects: vec![Effect::Summary {
                room: self.input.room.clone(),
                sites: driven
                    .iter()
                    .map(|c| (label(c).to_owned(), c.id.clone()))
                    .collect(),
                format,
            }],
        }
    }

    /// Before `!animer@site`: a label a facilitator can type, not taken in
    /// this room, and in a regional exercise, the scenario the others play.
    pub(in crate::engine) fn check_site(
        &self,
        crisis: &Crisis,
        scenario: &Scenario,
        site: Option<&str>,
    ) -> Result<(), Decision> {
        if let Some(site) = site
            && !is_site_label(site)
        {
            return Err(Decision::refuse(msg!("site-bad-label", site)));
        }
        let room = &self.input.room;
        let driven = self.world.animated_from(room);
        // The other establishments this room proposed to animate.
        let pending: Vec<_> = self
            .world
            .proposed_from(room)
            .filter(|(c, _)| c.id != crisis.id)
            .collect();
        // One scenario per regional exercise: the one played or proposed here.
        let played = driven
            .iter()
            .filter_map(|c| c.run.as_ref())
            .map(|r| &r.scenario);
        let proposed = pending.iter().map(|(_, p)| &p.scenario);
        if let Some(other) = played.chain(proposed).find(|s| **s != scenario.id) {
            return Err(Decision::refuse(msg!(
                "regional-one-scenario",
                scenario = other,
                wanted = &scenario.id
            )));
        }
        // The other establishments of this room, linked or proposed: their labels.
        let others: Vec<(&Crisis, Option<&str>)> = driven
            .iter()
            .map(|c| (*c, c.run.as_ref().and_then(|r| r.site.as_deref())))
            .chain(pending.iter().map(|(c, p)| (*c, p.site.as_deref())))
            .collect();
        // A regional exercise names every establishment, from the first link:
        // a second plain `!animer` is not a way into one by mistake.
        if let Some((other, _)) = others
            .iter()
            .find(|(_, label)| label.is_none() || site.is_none())
        {
            return Err(Decision::refuse(msg!(
                "regional-needs-sites",
                crisis = &other.id,
                p = self.p()
            )));
        }
        let wanted = site.unwrap_or(&crisis.id);
        let taken = others
            .iter()
            .filter_map(|(_, label)| *label)
            .any(|l| fold(l) == fold(wanted));
        if taken {
            return Err(Decision::refuse(msg!(
                "site-taken",
                site = wanted,
                p = self.p()
            )));
        }
        Ok(())
    }

    /// What the facilitators read about a site's variants when linking it.
    pub(in crate::engine) fn site_variants_line(&self, scenario: &Scenario, site: &str) -> Speech {
        let sites = scenario.sites();
        if sites.is_empty() {
            return msg!("site-no-variants", site).into();
        }
        let missing = scenario.injects_without_variant(site);
        if missing.is_empty() {
            return msg!("site-variants-all", site).into();
        }
        msg!(
            "site-variants-missing",
            site,
            injects = missing.join(", "),
            sites = sites.into_iter().collect::<Vec<_>>().join(", ")
        )
        .into()
    }

    /// A command names an establishment outside a regional animation room.
    pub(in crate::engine) fn site_outside_animation(&self, site: &str) -> Speech {
        msg!("site-outside-animation", site, p = self.p()).into()
    }

    /// The labels of the establishments driven here: `chu-nord, ch-sud`.
    fn labels(&self, driven: &[&Crisis]) -> String {
        driven
            .iter()
            .map(|c| label(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The keyword the command was typed with (`obs`), for an example.
    fn typed_keyword(&self) -> String {
        let text = match &self.input.body {
            crate::engine::Body::Text(text) => text.as_str(),
            _ => "",
        };
        let word = text
            .trim_start()
            .strip_prefix(self.p())
            .unwrap_or_default()
            .split(|c: char| c.is_whitespace() || c == '@')
            .next()
            .unwrap_or_default();
        word.to_owned()
    }
}
