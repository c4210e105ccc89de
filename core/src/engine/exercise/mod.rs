//! Exercise mode: injects on the exercise clock and the real-emergency stop.
//! The animation room's commands are in `animation.rs`, the facilitators'
//! judgement of objectives and their synthesis in `evaluation.rs`, the hot
//! debrief and the improvement plan in `debrief.rs`, the measures in `measures.rs`.
//!
//! Two rooms take part. The players' room holds the crisis (opened with
//! `!ouvrir <playbook> exercice`); the animation room is linked to it with
//! `!animer <crise> <scénario>`. Facilitator material (expected reactions,
//! notes, what comes next, observations) is only ever posted in the animation
//! room. Like the rest of the engine this is pure: [`due_injects`] says when
//! the next inject falls due on the exercise clock and [`tick`] fires what is
//! due at the `now` it is given.

mod animation;
pub mod debrief;
mod evaluation;
pub mod measures;
mod regional;

pub use regional::{name_sites, one_source, split_site};

use chrono::{DateTime, TimeDelta, Utc};

use super::event::Event;
use super::event::SentFile;
use super::schedule::span;
use super::state::{Crisis, ExerciseRun, World};
use super::{
    Decision, Effect, Settings, Stimulus, StimulusFile, ellipsis, mark_decision, system_record,
};
use crate::lang::fold;
use crate::lang::speech::{Message, Speech, msg};
use crate::playbook::scenario::{Channel, Delivery, Inject, Scenario};
use crate::playbook::{Catalog, Playbook};

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

/// The exercises in play that a room takes part in, as players' room, direct
/// chat or animation room (several in a regional exercise).
pub fn in_play<'w>(world: &'w World, room: &str) -> Vec<&'w Crisis> {
    let here: Vec<&Crisis> = match world.open_in(room) {
        Some(crisis) => vec![crisis],
        None => {
            let driven = world.animated_from(room);
            if driven.is_empty() {
                world.direct_from(room).into_iter().collect()
            } else {
                driven
            }
        }
    };
    here.into_iter()
        .filter(|c| c.run.as_ref().is_some_and(ExerciseRun::in_play))
        .collect()
}

/// The stop phrase typed in a room that takes part in `crises`: each freezes
/// (an animation room's stop freezes every establishment it drives).
pub fn stop_all(
    crises: &[&Crisis],
    settings: &Settings,
    input: &super::Input,
    text: &str,
) -> Decision {
    let mut all = Decision::default();
    for crisis in crises {
        let decision = stop(crisis, settings, input, text);
        all.records.extend(decision.records);
        for effect in decision.effects {
            // Already frozen everywhere: one answer, not one per establishment.
            if !all.effects.contains(&effect) {
                all.effects.push(effect);
            }
        }
    }
    one_source(&mut all.records);
    all
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
    let mut effects = vec![
        Effect::Post {
            room: crisis.room.clone(),
            crisis: crisis.id.clone(),
            text: notice.clone().into(),
            tag: None,
        },
        Effect::Post {
            room: run.animation_room.clone(),
            crisis: crisis.id.clone(),
            text: notice.clone().into(),
            tag: None,
        },
    ];
    // Typed in a direct chat: the one who typed it reads the notice there too.
    if input.room != crisis.room && input.room != run.animation_room {
        effects.push(Effect::Reply(notice.into()));
    }
    mark_decision(
        crisis,
        settings,
        Decision {
            records: vec![record],
            effects,
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
        decisions.push(name_sites(
            world,
            settings,
            mark_decision(crisis, settings, decision),
        ));
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
    // In a regional exercise, the establishment's variant.
    let site = run.site.as_deref();
    let from = inject.from_for(site).get(lang);
    let content = inject.content_for(site).get(lang);
    let headline = inject.headline_for(site).map(|h| h.get(lang).to_owned());
    let recipient = inject
        .to
        .as_ref()
        .and_then(|role| crisis.roles.get(role).cloned());
    let stimulus = stimulus(crisis, playbook, settings, inject, recipient.as_deref());
    let direct_to = stimulus.direct_to.clone();
    let t_plus = run.clock(now);
    let mut note = settings.say(msg!(
        "inject-played-note",
        id = &inject.id,
        t_plus = span(t_plus, settings),
        icon = inject.channel.icon(),
        from
    ));
    for line in facilitator_lines(settings, inject, &stimulus) {
        note.push('\n');
        note.push_str(&line);
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
        recipient,
        direct: direct_to.is_some(),
        headline,
        handle: inject.handle.clone(),
        attachments: inject
            .attachments
            .iter()
            .filter_map(|a| {
                let r = a.resolved.as_ref()?;
                Some(SentFile {
                    name: a.name().to_owned(),
                    sha256: r.sha256.clone(),
                    size: r.size,
                })
            })
            .collect(),
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
    (event, vec![Effect::Stimulus(Box::new(stimulus)), note])
}

/// What the facilitators read about an inject played: where it went, its
/// files, the expected reaction and their notes.
fn facilitator_lines(settings: &Settings, inject: &Inject, stimulus: &Stimulus) -> Vec<String> {
    let lang = settings.lang;
    let mut lines = Vec::new();
    match (&inject.delivery, &stimulus.direct_to, &inject.to) {
        (Delivery::Direct, Some(holder), _) => {
            lines.push(settings.say(msg!("inject-direct-note", holder)));
        }
        (Delivery::Direct, None, Some(role)) => {
            lines.push(settings.say(msg!("inject-direct-unheld", role)));
        }
        _ => {}
    }
    if !stimulus.files.is_empty() {
        let files: Vec<&str> = stimulus.files.iter().map(|f| f.name.as_str()).collect();
        lines.push(settings.say(msg!("inject-files-note", files = files.join(", "))));
    }
    if let Some(expected) = &inject.expected {
        lines.push(format!(
            "{} {}",
            settings.say(msg!("inject-expected-label")),
            expected.get(lang)
        ));
    }
    if let Some(notes) = &inject.notes {
        lines.push(format!(
            "{} {}",
            settings.say(msg!("inject-notes-label")),
            notes.get(lang)
        ));
    }
    lines
}

/// A scenario inject as it goes out: to the room or, for a direct inject whose
/// role is held, to its holder alone; laid out as its medium; with its files.
fn stimulus(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    settings: &Settings,
    inject: &Inject,
    recipient: Option<&str>,
) -> Stimulus {
    let lang = settings.lang;
    let site = crisis.run.as_ref().and_then(|r| r.site.as_deref());
    let content = inject.content_for(site).get(lang);
    let headline = inject.headline_for(site).map(|h| h.get(lang));
    Stimulus {
        room: crisis.room.clone(),
        crisis: crisis.id.clone(),
        inject: inject.id.clone(),
        direct_to: match inject.delivery {
            Delivery::Direct => recipient.map(str::to_owned),
            Delivery::Room => None,
        },
        text: stimulus_text(
            crisis,
            playbook,
            settings,
            inject.channel,
            &persona(inject.from_for(site).get(lang), inject.handle.as_deref()),
            inject.to.as_deref(),
            &with_headline(settings, headline, content),
        )
        .into(),
        html: stimulus_html(crisis, playbook, settings, inject, headline, content),
        files: inject
            .attachments
            .iter()
            .filter_map(|a| {
                let r = a.resolved.as_ref()?;
                Some(StimulusFile {
                    name: a.name().to_owned(),
                    path: r.path.display().to_string(),
                    sha256: r.sha256.clone(),
                    mime: r.mime.to_owned(),
                    caption: None,
                })
            })
            .collect(),
    }
}

/// The persona as players read it: a social-media account shows its handle.
pub fn persona(from: &str, handle: Option<&str>) -> String {
    match handle {
        Some(handle) => format!("{from} {handle}"),
        None => from.to_owned(),
    }
}

/// A press inject's content, its headline first (« Titre » texte).
pub fn with_headline(settings: &Settings, headline: Option<&str>, content: &str) -> String {
    match headline {
        Some(headline) => format!(
            "{} {content}",
            settings.say(msg!("press-headline", headline))
        ),
        None => content.to_owned(),
    }
}

/// A press or social-media inject laid out as its medium would (Matrix HTML);
/// `None` for the others, which read as a plain message.
fn stimulus_html(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    settings: &Settings,
    inject: &Inject,
    headline: Option<&str>,
    content: &str,
) -> Option<String> {
    use crate::lang::escape_html as esc;
    if headline.is_none() && inject.handle.is_none() {
        return None;
    }
    let lang = settings.lang;
    let mut html = format!(
        "{} {} — <strong>{}</strong>",
        inject.channel.icon(),
        esc(&settings.say(channel_label(inject.channel))),
        esc(inject
            .from_for(crisis.run.as_ref().and_then(|r| r.site.as_deref()))
            .get(lang))
    );
    if let Some(handle) = &inject.handle {
        html.push_str(&format!(" <code>{}</code>", esc(handle)));
    }
    if let Some(role) = &inject.to {
        let title = playbook
            .and_then(|p| p.role(role))
            .map_or(role.as_str(), |r| r.title.get(lang));
        html.push_str(&format!(" → {}", esc(title)));
        if let Some(holder) = crisis.roles.get(role) {
            html.push_str(&format!(
                " (<a href=\"https://matrix.to/#/{}\">{}</a>)",
                esc(holder),
                esc(holder)
            ));
        }
    }
    if let Some(headline) = headline {
        html.push_str(&format!("<h3>{}</h3>", esc(headline)));
    }
    let body: Vec<String> = content.lines().map(esc).collect();
    html.push_str(&format!("<blockquote>{}</blockquote>", body.join("<br>")));
    Some(html)
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
