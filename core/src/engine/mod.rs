//! The functional core: an input in, records and effects (or a refusal) out.
//!
//! No I/O, no clock reads, no randomness: time arrives in [`Input`], and the
//! state is a [`World`] folded from the journal. [`decide`] dispatches to the
//! business rules (one function per command, in `cell.rs`, `followup.rs` and
//! `exercise/`); [`World::apply`] only records facts. What the engine says is
//! [`Speech`]: catalog message ids with typed arguments, put into words by
//! the runtime. The runtime appends
//! the records to the journal, waits for the flush, applies them, and only
//! then carries out the effects: nothing is acknowledged before it is durable.

mod cell;
pub mod clock;
pub mod command;
pub mod consign;
pub mod event;
pub mod exercise;
mod followup;
pub mod plan;
pub mod schedule;
pub mod state;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::lang::Lang;
use crate::lang::catalog::Messages;
use crate::lang::speech::{Speech, msg};
use crate::playbook::{Catalog, Playbook};
use command::{Command, Keyword};
use event::{Author, Event, Owner, PostTag, RECORD_VERSION, Record};
use state::{Crisis, RefKind, World};

/// Settings that shape what users read; from the configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub lang: Lang,
    pub tz: Tz,
    /// Command prefix, `!` by default.
    pub prefix: String,
    /// How often overdue items are reminded.
    pub reminder_interval: chrono::TimeDelta,
    /// How tocsin itself appears as the author of what it records (reminders, points).
    pub bot: Author,
    /// The marking of exercise traffic; `None`: « EXERCICE » / "EXERCISE".
    pub marking: Option<String>,
    /// Phrases that stop an exercise at once (real emergency), matched ignoring case and accents.
    pub stop_phrases: Vec<String>,
    /// The establishment's name, printed on reports.
    pub establishment: Option<String>,
    /// The message catalogs; `lang` picks one.
    pub messages: Messages,
}

impl Settings {
    /// Puts what the engine says into words, in the configured language.
    pub fn say(&self, speech: impl Into<Speech>) -> String {
        self.messages.format(&self.lang, &speech.into())
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            lang: Lang::fr(),
            tz: chrono_tz::Europe::Paris,
            prefix: "!".to_owned(),
            reminder_interval: chrono::TimeDelta::minutes(30),
            bot: Author {
                id: "tocsin".to_owned(),
                name: "tocsin".to_owned(),
            },
            marking: None,
            stop_phrases: vec!["STOP EXERCICE".to_owned(), "STOP EXERCISE".to_owned()],
            establishment: None,
            messages: Messages::builtin(),
        }
    }
}

/// One message to handle.
#[derive(Clone, Debug)]
pub struct Input {
    /// Now, as read by the runtime: becomes `recorded_at`.
    pub at: DateTime<Utc>,
    /// When the message was sent (server time): becomes `occurred_at`.
    pub sent_at: DateTime<Utc>,
    pub author: Author,
    /// The room (or console) the message came from: one room, one crisis cell.
    pub room: String,
    pub body: Body,
    /// Id of the chat event, for deduplication.
    pub source: Option<String>,
    /// May open and close crises and assign roles (power level ≥ 50, or an administrator).
    pub privileged: bool,
    /// The message this input points at, as the front end found it: the one
    /// a 📌 reacts to, or the one a command replies to.
    pub quoted: Option<Quoted>,
    /// The event id of the message this one replies to, if any (an entry
    /// replying to an inject's message answers that inject).
    pub in_reply_to: Option<String>,
}

/// A chat message an input points at (see [`consign`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quoted {
    pub event_id: String,
    pub author: Author,
    /// Its server time: a message put on record keeps it.
    pub sent_at: DateTime<Utc>,
    pub content: QuotedContent,
}

/// What a quoted message holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuotedContent {
    Text(String),
    /// A file the front end has downloaded, decrypted and stored under its hash.
    File {
        name: String,
        mime: String,
        size: u64,
        sha256: String,
    },
    /// The front end could not get it; the reason, for whoever asked.
    Unavailable(Speech),
}

/// What arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// A message's text: a command or conversation.
    Text(String),
    /// The author edited an earlier message (`original` is its event id).
    Edit { original: String, text: String },
    /// A message was redacted (`original` is its event id).
    Redaction {
        original: String,
        reason: Option<String>,
    },
    /// A message tocsin could not decrypt.
    Undecryptable,
    /// The author joined the room.
    Joined,
    /// A reaction (`key`, e.g. ✅) to the message `target`.
    Reaction { target: String, key: String },
}

/// What the runtime must do for humans, after the records are durable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// An entry was recorded: ✅ and a short reply carrying its reference.
    Ack(Speech),
    /// The input was refused; nothing was recorded: ⛔ and the reason.
    Refuse(Speech),
    /// Information (help, status); nothing recorded.
    Reply(Speech),
    /// Announce the final digest of a sealed crisis (known once the journal has it).
    AnnounceDigest { crisis: String },
    /// A message of its own in a crisis room (reminders, checklists, points). With a
    /// `tag`, the front end reports the posted message's id so it can be edited or watched.
    Post {
        room: String,
        crisis: String,
        text: Speech,
        tag: Option<PostTag>,
    },
    /// Replace the text of the message posted under `tag` (a checklist as it progresses).
    Edit {
        room: String,
        crisis: String,
        tag: PostTag,
        text: Speech,
    },
    /// An exercise stimulus: in the players' room, or in a direct chat with
    /// one player, with its files. The front end reports the posted
    /// message's id under [`PostTag::Inject`].
    Stimulus(Box<Stimulus>),
    /// Let whoever joins the crisis `room` later read what is said from now
    /// on (Matrix `history_visibility: shared`, when tocsin may set it), so
    /// that those it invites get the room's keys (MSC4268). Comes before the
    /// opening's acknowledgement: keys made earlier are not shared.
    ShareHistory { room: String, crisis: String },
    /// Invite `user` into the crisis `room` (once the entry saying so is durable).
    Invite {
        room: String,
        crisis: String,
        user: String,
    },
    /// Render a regional exercise's consolidated summary (site label, crisis
    /// id of each establishment) in `format` and post it as a file.
    Summary {
        room: String,
        sites: Vec<(String, String)>,
        format: ExportFormat,
    },
    /// Render the crisis in `format` and post it as a file.
    Export {
        room: String,
        crisis: String,
        format: ExportFormat,
        /// The players' edition: no facilitator material.
        players: bool,
    },
}

/// A stimulus as it goes out (see [`Effect::Stimulus`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stimulus {
    /// The players' room: where it goes unless `direct_to` is set.
    pub room: String,
    pub crisis: String,
    pub inject: String,
    /// The player it goes to alone, in a direct chat.
    pub direct_to: Option<String>,
    /// As players read it.
    pub text: Speech,
    /// The same, laid out as the press or a social network would (Matrix HTML).
    pub html: Option<String>,
    pub files: Vec<StimulusFile>,
}

/// A file sent with a stimulus, read from the scenario's folder when it goes out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StimulusFile {
    pub name: String,
    pub path: String,
    /// Hex SHA-256 at load time: a file changed since is not sent.
    pub sha256: String,
    pub mime: String,
    /// Shown under the file (an exercise's files are marked: « [EXERCICE] note.pdf »).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// The formats of a crisis export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportFormat {
    /// The report, one self-contained page (the default).
    #[default]
    Html,
    /// The report in Markdown.
    Markdown,
    /// Every entry with its hash chain, verifiable offline.
    Json,
    /// Every entry, one row each.
    Csv,
}

impl ExportFormat {
    /// `html`, `md` (or `markdown`), `json`, `csv`, in any case.
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" => Some(ExportFormat::Html),
            "md" | "markdown" => Some(ExportFormat::Markdown),
            "json" => Some(ExportFormat::Json),
            "csv" => Some(ExportFormat::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Html => "text/html",
            ExportFormat::Markdown => "text/markdown",
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv",
        }
    }

    /// JSON and CSV carry every entry, facilitator material included.
    pub fn carries_every_entry(self) -> bool {
        matches!(self, ExportFormat::Json | ExportFormat::Csv)
    }
}

/// The engine's answer to one input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    pub records: Vec<Record>,
    pub effects: Vec<Effect>,
}

impl Decision {
    fn refuse(text: impl Into<Speech>) -> Decision {
        Decision {
            records: Vec::new(),
            effects: vec![Effect::Refuse(text.into())],
        }
    }

    fn reply(text: impl Into<Speech>) -> Decision {
        Decision {
            records: Vec::new(),
            effects: vec![Effect::Reply(text.into())],
        }
    }
}

/// Decides what an input means. Pure.
pub fn decide(world: &World, catalog: &Catalog, settings: &Settings, input: &Input) -> Decision {
    if input.body == Body::Joined {
        return joined(world, catalog, settings, input);
    }
    if let Some(decision) = consign::consign(world, catalog, settings, input) {
        return decision;
    }
    let decision = decide_message(world, catalog, settings, input);
    // In a regional exercise, the animation room reads which establishment
    // each of tocsin's messages is about.
    exercise::name_sites(world, settings, decision)
}

/// A message's text: the stop phrase, a command, or conversation.
fn decide_message(
    world: &World,
    catalog: &Catalog,
    settings: &Settings,
    input: &Input,
) -> Decision {
    let crisis = world.open_in(&input.room);
    let driven = world.animated_from(&input.room);
    let animated = driven.first().copied();
    let text = match message_text(world, settings, input) {
        Ok(text) => text,
        Err(decision) => return decision,
    };
    // The real-emergency stop phrase, typed by anyone in either room, comes first:
    // in a message of its own (not a command, not an edit, not a quoted line).
    // Typed in a regional exercise's animation room, it freezes every establishment.
    let in_play = exercise::in_play(world, &input.room);
    if !in_play.is_empty()
        && matches!(input.body, Body::Text(_))
        && !text.trim_start().starts_with(settings.prefix.as_str())
        && settings.is_stop_phrase(text)
    {
        return exercise::stop_all(&in_play, settings, input, text);
    }
    // A direct chat where an exercise sent one player a stimulus: only the stop phrase is read there.
    if crisis.is_none()
        && animated.is_none()
        && let Some(exercise) = world.direct_from(&input.room)
    {
        return direct_chat(exercise, settings, text);
    }
    let playbook = crisis.or(animated).and_then(|c| catalog.get(&c.playbook));
    let roles: Vec<&str> = playbook
        .map(|p| p.roles.iter().map(|r| r.id.as_str()).collect())
        .unwrap_or_default();
    let lang = settings.lang;
    let (text, site) = exercise::split_site(text, &settings.prefix);
    let mut command = match command::parse(&text, &settings.prefix, &roles) {
        None => return Decision::default(),
        Some(Err(refusal)) => {
            return Decision::refuse(mark(crisis.or(animated), settings, refusal.render()));
        }
        Some(Ok(command)) => command,
    };
    let ctx = Ctx {
        world,
        catalog,
        settings,
        input,
        lang,
    };
    // A regional exercise's reports are asked for after its close too.
    let session = if crisis.is_none() {
        world.regional_session(&input.room)
    } else {
        Vec::new()
    };
    let regional_export = session.len() > 1 && matches!(command, Command::Export(_));
    // `!animer@chu-nord …` names the establishment it links.
    if let Command::Link { site: named, .. } = &mut command {
        *named = site.clone();
    } else if let Some(site) = &site
        && driven.is_empty()
        && !regional_export
        // A room waiting for its players' consent says so, site or not.
        && ctx.proposed_from_here().is_none()
    {
        return Decision::refuse(mark(crisis, settings, ctx.site_outside_animation(site)));
    }
    if !driven.is_empty() || regional_export {
        return ctx.animate(&driven, &session, site.as_deref(), command);
    }
    let decision = ctx.outside_or_in_crisis(crisis, playbook, command);
    Decision {
        records: match crisis {
            Some(crisis) => link_answers(crisis, input, &text, decision.records),
            None => decision.records,
        },
        effects: decision
            .effects
            .into_iter()
            .map(|e| mark_effect(crisis, settings, e))
            .collect(),
    }
}

/// A command typed in a direct chat that an exercise's stimulus went to:
/// not read there, and the player is told where to write. Conversation is left alone.
fn direct_chat(exercise: &Crisis, settings: &Settings, text: &str) -> Decision {
    if !text.trim_start().starts_with(settings.prefix.as_str()) {
        return Decision::default();
    }
    let code = exercise
        .run
        .as_ref()
        .map(|r| r.code_name.clone())
        .unwrap_or_default();
    let stop = settings.stop_phrases.first().cloned().unwrap_or_default();
    mark_decision(
        exercise,
        settings,
        Decision::refuse(msg!("direct-chat-commands", code, stop)),
    )
}

/// What new entries answer, read from how they were said: a reply to an
/// inject's message or to an entry's message, or the id of an inject played
/// (`… (i05)`). Decisions' `suite à` and `!lier` say it themselves.
fn link_answers(
    crisis: &Crisis,
    input: &Input,
    text: &str,
    mut records: Vec<Record>,
) -> Vec<Record> {
    let replied = input.in_reply_to.as_deref().and_then(|event| {
        let inject = crisis.posted.iter().find_map(|(tag, id)| match tag {
            PostTag::Inject(inject) if id == event => Some(inject.clone()),
            _ => None,
        });
        inject.or_else(|| crisis.by_source.get(event).cloned())
    });
    let played = crisis.run.iter().flat_map(|run| &run.played);
    // `(i05)` names an inject; `I1` names the information I1, not an inject `i1`.
    let mentioned = played.filter(|p| {
        text.split(|c: char| !c.is_alphanumeric() && c != '-')
            .any(|w| {
                w == p.inject
                    || (w.eq_ignore_ascii_case(&p.inject)
                        && crisis.lookup(&w.to_uppercase()).is_none())
            })
    });
    let answers: Vec<String> = replied
        .into_iter()
        .chain(mentioned.map(|p| p.inject.clone()))
        .collect();
    for record in &mut records {
        let Some(reference) = record.event.reference() else {
            continue;
        };
        if !matches!(
            record.event,
            Event::Info { .. } | Event::Decision { .. } | Event::Action { .. } | Event::Note { .. }
        ) {
            continue;
        }
        let trigger = match &record.event {
            Event::Decision { trigger, .. } => trigger.as_deref(),
            _ => None,
        };
        for to in &answers {
            if to != reference && Some(to.as_str()) != trigger && !record.links.contains(to) {
                record.links.push(to.clone());
            }
        }
    }
    records
}

/// The text to read as a command, or what an edit, a redaction, a reaction or
/// an undecryptable message decides on its own.
fn message_text<'i>(
    world: &World,
    settings: &Settings,
    input: &'i Input,
) -> Result<&'i str, Decision> {
    let crisis = world.open_in(&input.room);
    let animated = world.animated_from(&input.room).first().copied();
    match &input.body {
        Body::Text(text) => Ok(text.as_str()),
        // Re-reading an edited facilitator command would play it twice; edited
        // conversation there is nobody's business.
        Body::Edit { text, .. } if let Some(animated) = animated => {
            if !text.trim_start().starts_with(settings.prefix.as_str()) {
                return Err(Decision::default());
            }
            Err(mark_decision(
                animated,
                settings,
                Decision::refuse(msg!("edit-animation-command")),
            ))
        }
        Body::Edit { original, text } => {
            match crisis.and_then(|c| c.by_source.get(original).map(|r| (c, r))) {
                Some((crisis, reference)) => Err(mark_decision(
                    crisis,
                    settings,
                    edit(crisis, settings, input, reference, text),
                )),
                // An edit of a message that recorded nothing (conversation, a refused
                // command) is read as a new message: fixing a typo makes it count.
                None => Ok(text.as_str()),
            }
        }
        Body::Redaction { original, reason } => {
            let Some((crisis, reference)) =
                crisis.and_then(|c| c.by_source.get(original).map(|r| (c, r)))
            else {
                return Err(Decision::default());
            };
            Err(mark_decision(
                crisis,
                settings,
                redaction(crisis, input, reference, reason.clone()),
            ))
        }
        Body::Undecryptable => Err(undecryptable(crisis, settings, input)),
        // Handled in `decide`, which knows the playbooks.
        Body::Joined => Err(Decision::default()),
        Body::Reaction { target, key } => {
            let Some(crisis) = crisis else {
                return Err(Decision::default());
            };
            Err(mark_decision(
                crisis,
                settings,
                followup::reaction(crisis, input, target, key),
            ))
        }
    }
}

impl Ctx<'_> {
    /// A command in a room: those that need no crisis, then the crisis's own.
    fn outside_or_in_crisis(
        &self,
        crisis: Option<&Crisis>,
        playbook: Option<&Playbook>,
        command: Command,
    ) -> Decision {
        match (command, crisis) {
            (Command::Help(topic), crisis) => Decision::reply(self.help_here(crisis, topic)),
            (Command::Open { playbook, exercise }, None) => self.open(&playbook, exercise),
            (Command::Open { .. }, Some(c)) => Decision::refuse(msg!(
                "open-already",
                crisis = &c.id,
                p = &self.settings.prefix
            )),
            (Command::Status, None) => Decision::reply(self.no_crisis()),
            // After the close, the cell still wants its report: the room's latest crisis.
            (Command::Export(format), None) => match self.latest_crisis() {
                Some(last) => self.export(last, format),
                None => Decision::refuse(self.no_crisis()),
            },
            (
                Command::Link {
                    target,
                    scenario,
                    auto,
                    site,
                },
                None,
            ) => self.link(&target, &scenario, auto, site),
            (_, None) => match self.proposed_from_here() {
                Some(crisis) => Decision::refuse(msg!(
                    "link-waiting",
                    crisis = &crisis.id,
                    p = &self.settings.prefix
                )),
                None => Decision::refuse(self.no_crisis()),
            },
            (command, Some(crisis)) => self
                .observer_refusal(crisis, playbook, &command)
                .unwrap_or_else(|| self.in_crisis(crisis, playbook, command)),
        }
    }

    /// `!aide` in a room: the cell's commands; in a room with no crisis, which
    /// may be about to animate an exercise, the facilitators' ones too; in the
    /// animation room of a closed exercise, the facilitators' ones.
    fn help_here(&self, crisis: Option<&Crisis>, topic: Option<Keyword>) -> Speech {
        if crisis.is_some() || topic.is_some() {
            return help(self.settings, topic);
        }
        let animated_here = self.world.crises.values().any(|c| {
            c.run
                .as_ref()
                .is_some_and(|r| r.animation_room == self.input.room)
        });
        if animated_here {
            return help_for(self.settings, None, true);
        }
        let mut out = help(self.settings, None);
        out.line(msg!("help-animation-after-link", p = &self.settings.prefix));
        for k in Keyword::ALL
            .into_iter()
            .filter(|k| k.is_animation() && *k != Keyword::Link)
        {
            out.line(k.help(&self.settings.prefix));
        }
        out
    }

    /// The open exercise this room proposed to animate, waiting for the players' consent.
    fn proposed_from_here(&self) -> Option<&Crisis> {
        self.world
            .proposed_from(&self.input.room)
            .next()
            .map(|(c, _)| c)
    }

    /// The room's latest crisis, closed or not: after the close, the cell still wants its report.
    fn latest_crisis(&self) -> Option<&Crisis> {
        self.world
            .crises
            .values()
            .filter(|c| {
                c.room == self.input.room
                    || c.run
                        .as_ref()
                        .is_some_and(|r| r.animation_room == self.input.room)
            })
            .max_by_key(|c| c.opened_at)
    }
}

fn mark_decision(crisis: &Crisis, settings: &Settings, decision: Decision) -> Decision {
    Decision {
        records: decision.records,
        effects: decision
            .effects
            .into_iter()
            .map(|e| mark_effect(Some(crisis), settings, e))
            .collect(),
    }
}

/// A record tocsin writes on its own account (reminders, injects on the clock, posted ids).
pub fn system_record(
    crisis: &str,
    seq: u64,
    at: DateTime<Utc>,
    settings: &Settings,
    event: Event,
) -> Record {
    Record {
        v: RECORD_VERSION,
        seq,
        crisis: crisis.to_owned(),
        occurred_at: at,
        recorded_at: at,
        author: settings.bot.clone(),
        role: None,
        source: None,
        transcribed: false,
        recorded_by: None,
        quotes: None,
        links: Vec::new(),
        event,
    }
}

fn base_record(crisis: &Crisis, input: &Input, event: Event) -> Record {
    Record {
        v: RECORD_VERSION,
        seq: crisis.last_seq + 1,
        crisis: crisis.id.clone(),
        occurred_at: input.sent_at,
        recorded_at: input.at,
        author: input.author.clone(),
        role: crisis.roles_of(&input.author.id).next().map(str::to_owned),
        source: input.source.clone(),
        transcribed: false,
        recorded_by: None,
        quotes: None,
        links: Vec::new(),
        event,
    }
}

/// An edited chat message that had created `reference`: a correction entry.
fn edit(
    crisis: &Crisis,
    settings: &Settings,
    input: &Input,
    reference: &str,
    text: &str,
) -> Decision {
    // "!décision Couper X" edited into "!décision Couper Y": the correction is "Couper Y".
    let corrected = match command::parse(text, &settings.prefix, &[]) {
        Some(Ok(
            Command::Info { text }
            | Command::Decision { text, .. }
            | Command::Action { text, .. }
            | Command::Correct { text, .. },
        )) => text,
        _ => text.trim().to_owned(),
    };
    if corrected.is_empty()
        || corrected.chars().any(command::is_forbidden_control)
        || corrected.chars().count() > command::MAX_TEXT_CHARS
    {
        return Decision::refuse(msg!("edit-unreadable"));
    }
    let new_ref = crisis.next_reference(RefKind::Correction);
    let reply = msg!("edit-recorded", new_ref = &new_ref, reference);
    let record = base_record(
        crisis,
        input,
        Event::Correction {
            reference: new_ref,
            target: reference.to_owned(),
            text: corrected,
        },
    );
    Decision {
        records: vec![record],
        effects: vec![Effect::Ack(reply.into())],
    }
}

/// A redacted chat message that had created `reference`: recorded as such, the original kept.
fn redaction(crisis: &Crisis, input: &Input, reference: &str, reason: Option<String>) -> Decision {
    let reply = msg!("redaction-recorded", reference);
    let reason = reason.map(|r| {
        r.chars()
            .filter(|c| !command::is_forbidden_control(*c))
            .take(command::MAX_TEXT_CHARS)
            .collect()
    });
    let record = base_record(
        crisis,
        input,
        Event::Redaction {
            target: reference.to_owned(),
            reason,
        },
    );
    Decision {
        records: vec![record],
        effects: vec![Effect::Reply(reply.into())],
    }
}

/// A message that could not be decrypted: never dropped silently.
fn undecryptable(crisis: Option<&Crisis>, settings: &Settings, input: &Input) -> Decision {
    let who = &input.author.name;
    let warning = msg!("undecryptable", who);
    let Some(crisis) = crisis else {
        return Decision::reply(warning);
    };
    // The gap's reason is journaled: put into words now, in the configured language.
    let reason = settings.say(msg!("undecryptable-gap", who, id = &input.author.id));
    let record = base_record(crisis, input, Event::Gap { reason });
    mark_decision(
        crisis,
        settings,
        Decision {
            records: vec![record],
            effects: vec![Effect::Reply(warning.into())],
        },
    )
}

/// Someone joined a room where a crisis is open: on record, and briefed.
/// They cannot read what was said before they joined (end-to-end encryption
/// keys are not shared with newcomers by most clients), so tocsin tells them
/// where the crisis stands and how to get the rest.
fn joined(world: &World, catalog: &Catalog, settings: &Settings, input: &Input) -> Decision {
    let Some(crisis) = world.open_in(&input.room) else {
        return Decision::default();
    };
    let record = base_record(crisis, input, Event::MemberJoined {});
    let playbook = catalog.get(&crisis.playbook);
    let situation = schedule::situation(crisis, playbook, settings, None, input.at);
    let briefing = msg!(
        "joined-briefing",
        who = &input.author.id,
        crisis = &crisis.id,
        since = schedule::when(settings.tz, crisis.opened_at, input.at),
        situation = &situation,
        p = &settings.prefix
    );
    mark_decision(
        crisis,
        settings,
        Decision {
            records: vec![record],
            effects: vec![Effect::Reply(briefing.into())],
        },
    )
}

/// Prefixes exercise traffic with the exercise marking.
pub fn mark(crisis: Option<&Crisis>, settings: &Settings, text: Speech) -> Speech {
    match crisis {
        Some(c) if c.exercise => marked(settings, text),
        _ => text,
    }
}

/// `[EXERCICE] text`.
fn marked(settings: &Settings, text: Speech) -> Speech {
    mark_prefix(settings).then(text)
}

/// `[EXERCICE] `: what [`mark`] puts before an exercise's texts.
fn mark_prefix(settings: &Settings) -> Speech {
    Speech::from("[").then(settings.marking()).then("] ")
}

fn mark_effect(crisis: Option<&Crisis>, settings: &Settings, effect: Effect) -> Effect {
    match effect {
        Effect::Ack(t) => Effect::Ack(mark(crisis, settings, t)),
        Effect::Refuse(t) => Effect::Refuse(mark(crisis, settings, t)),
        Effect::Reply(t) => Effect::Reply(mark(crisis, settings, t)),
        Effect::Post {
            room,
            crisis: id,
            text,
            tag,
        } => Effect::Post {
            room,
            crisis: id,
            text: mark(crisis, settings, text),
            tag,
        },
        Effect::Edit {
            room,
            crisis: id,
            tag,
            text,
        } => Effect::Edit {
            room,
            crisis: id,
            tag,
            text: mark(crisis, settings, text),
        },
        Effect::Stimulus(mut s) => {
            s.text = mark(crisis, settings, s.text);
            if crisis.is_some_and(|c| c.exercise) {
                let marking = settings.say(settings.marking());
                s.html = s
                    .html
                    .map(|html| format!("[{}] {html}", crate::lang::escape_html(&marking)));
                for file in &mut s.files {
                    file.caption = Some(format!("[{marking}] {}", file.name));
                }
            }
            Effect::Stimulus(s)
        }
        other => other,
    }
}

/// The full help, or one command's line.
pub fn help(settings: &Settings, topic: Option<Keyword>) -> Speech {
    help_for(settings, topic, false)
}

/// The help of the players' room, or of the animation room.
pub fn help_for(settings: &Settings, topic: Option<Keyword>, animation: bool) -> Speech {
    match topic {
        Some(k) => k.help(&settings.prefix),
        None => {
            let mut out: Speech = if animation {
                msg!("help-animation-commands")
            } else {
                msg!("help-commands")
            }
            .into();
            let shown = Keyword::ALL.into_iter().filter(|k| {
                if animation {
                    k.is_animation()
                        || matches!(
                            k,
                            Keyword::Help
                                | Keyword::Status
                                | Keyword::Export
                                | Keyword::Improve
                                | Keyword::Skip
                        )
                } else {
                    !k.is_animation() || *k == Keyword::Link
                }
            });
            for k in shown {
                out.line(k.help(&settings.prefix));
            }
            if animation {
                out.line(msg!("help-regional", p = &settings.prefix));
            }
            out
        }
    }
}

struct Ctx<'a> {
    world: &'a World,
    catalog: &'a Catalog,
    settings: &'a Settings,
    input: &'a Input,
    lang: Lang,
}

impl Ctx<'_> {
    fn p(&self) -> &str {
        &self.settings.prefix
    }

    /// Words now, where a text is still built as a string.
    fn say(&self, speech: impl Into<Speech>) -> String {
        self.settings.say(speech)
    }

    fn local(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.settings.tz)
    }

    /// `14:30`, or `28/11 14:30` when not today.
    fn hm(&self, at: DateTime<Utc>) -> String {
        let local = self.local(at);
        if local.date_naive() == self.local(self.input.at).date_naive() {
            local.format("%H:%M").to_string()
        } else {
            local.format("%d/%m %H:%M").to_string()
        }
    }

    fn record(&self, crisis: &str, seq: u64, role: Option<String>, event: Event) -> Record {
        Record {
            v: RECORD_VERSION,
            seq,
            crisis: crisis.to_owned(),
            occurred_at: self.input.sent_at,
            recorded_at: self.input.at,
            author: self.input.author.clone(),
            role,
            source: self.input.source.clone(),
            transcribed: false,
            recorded_by: None,
            quotes: None,
            links: Vec::new(),
            event,
        }
    }
}

/// How an owner reads: `@bob`, or `dsi (@bob)` when the role is held.
pub fn owner_label(crisis: &Crisis, owner: &Owner) -> String {
    match owner {
        Owner::User(u) => u.clone(),
        Owner::Role(r) => match crisis.roles.get(r) {
            Some(holder) => format!("{r} ({holder})"),
            None => r.clone(),
        },
    }
}

/// The seal announced when a crisis closes, once the journal knows its head.
pub fn digest_message(crisis: &str, n_entries: u64, digest: &str) -> Speech {
    msg!("sealed", crisis, n = n_entries, digest).into()
}

/// Cuts a text to `max` characters, on one line.
pub fn ellipsis(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Resolves a local wall-clock time on a date, across DST changes.
fn resolve(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        // A time skipped by a DST jump: take the instant an hour later.
        LocalResult::None => tz
            .from_local_datetime(&(naive + chrono::TimeDelta::hours(1)))
            .earliest()
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// The first `time` (local) at or after `now`.
pub fn next_occurrence(tz: Tz, now: DateTime<Utc>, time: NaiveTime) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    let candidate = resolve(tz, today, time);
    if candidate >= now {
        candidate
    } else {
        resolve(
            tz,
            today.checked_add_days(Days::new(1)).unwrap_or(today),
            time,
        )
    }
}

/// The last `time` (local) at or before `now`: paper notes are in the past.
pub fn previous_occurrence(tz: Tz, now: DateTime<Utc>, time: NaiveTime) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    let candidate = resolve(tz, today, time);
    if candidate <= now {
        candidate
    } else {
        resolve(
            tz,
            today.checked_sub_days(Days::new(1)).unwrap_or(today),
            time,
        )
    }
}
