//! The functional core: an input in, records and effects (or a refusal) out.
//!
//! No I/O, no clock reads, no randomness: time arrives in [`Input`], and the
//! state is a [`World`] folded from the journal. [`decide`] holds the
//! business rules; [`World::apply`] only records facts. The runtime appends
//! the records to the journal, waits for the flush, applies them, and only
//! then carries out the effects: nothing is acknowledged before it is durable.

pub mod command;
pub mod event;
pub mod exercise;
mod followup;
pub mod schedule;
pub mod state;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::lang::Lang;
use crate::playbook::{Catalog, Playbook};
use command::{Command, DueSpec, Keyword, OwnerSpec, PaperKind};
use event::{Author, Event, Owner, RECORD_VERSION, Record, Verification};
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
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            lang: Lang::Fr,
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
    /// A reaction (`key`, e.g. ✅) to the message `target`.
    Reaction { target: String, key: String },
}

/// What the runtime must do for humans, after the records are durable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// An entry was recorded: ✅ and a short reply carrying its reference.
    Ack(String),
    /// The input was refused; nothing was recorded: ⛔ and the reason.
    Refuse(String),
    /// Information (help, status); nothing recorded.
    Reply(String),
    /// Announce the final digest of a sealed crisis (known once the journal has it).
    AnnounceDigest { crisis: String },
    /// A message of its own in a crisis room (reminders, checklists, points). With a
    /// `tag`, the front end reports the posted message's id so it can be edited or watched.
    Post {
        room: String,
        crisis: String,
        text: String,
        tag: Option<String>,
    },
    /// Replace the text of the message posted under `tag` (a checklist as it progresses).
    Edit {
        room: String,
        crisis: String,
        tag: String,
        text: String,
    },
    /// Render the crisis in `format` (html, md, json, csv) and post it as a file.
    Export {
        room: String,
        crisis: String,
        format: String,
        /// The players' edition: no facilitator material.
        players: bool,
    },
}

/// The engine's answer to one input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    pub records: Vec<Record>,
    pub effects: Vec<Effect>,
}

impl Decision {
    fn refuse(text: String) -> Decision {
        Decision {
            records: Vec::new(),
            effects: vec![Effect::Refuse(text)],
        }
    }

    fn reply(text: String) -> Decision {
        Decision {
            records: Vec::new(),
            effects: vec![Effect::Reply(text)],
        }
    }
}

/// Decides what an input means. Pure.
pub fn decide(world: &World, catalog: &Catalog, settings: &Settings, input: &Input) -> Decision {
    let crisis = world.open_in(&input.room);
    let animated = world.animated_from(&input.room);
    let text = match &input.body {
        Body::Text(text) => text.as_str(),
        // Re-reading an edited facilitator command would play it twice; edited
        // conversation there is nobody's business.
        Body::Edit { text, .. } if let Some(animated) = animated => {
            if !text.trim_start().starts_with(settings.prefix.as_str()) {
                return Decision::default();
            }
            return mark_decision(
                animated,
                settings,
                Decision::refuse(
                    settings
                        .lang
                        .pick(
                            "Modification ignorée : une commande d'animation ne se modifie pas. Tapez une nouvelle commande si besoin.",
                            "Edit ignored: an animation command cannot be edited. Type a new command if needed.",
                        )
                        .to_owned(),
                ),
            );
        }
        Body::Edit { original, text } => {
            match crisis.and_then(|c| c.by_source.get(original).map(|r| (c, r))) {
                Some((crisis, reference)) => {
                    return mark_decision(
                        crisis,
                        settings,
                        edit(crisis, settings, input, reference, text),
                    );
                }
                // An edit of a message that recorded nothing (conversation, a refused
                // command) is read as a new message: fixing a typo makes it count.
                None => text.as_str(),
            }
        }
        Body::Redaction { original, reason } => {
            let Some((crisis, reference)) =
                crisis.and_then(|c| c.by_source.get(original).map(|r| (c, r)))
            else {
                return Decision::default();
            };
            return mark_decision(
                crisis,
                settings,
                redaction(crisis, settings, input, reference, reason.clone()),
            );
        }
        Body::Undecryptable => return undecryptable(crisis, settings, input),
        Body::Reaction { target, key } => {
            let Some(crisis) = crisis else {
                return Decision::default();
            };
            return mark_decision(
                crisis,
                settings,
                followup::reaction(crisis, settings, input, target, key),
            );
        }
    };
    // The real-emergency stop phrase, typed by anyone in either room, comes first:
    // in a message of its own (not a command, not an edit, not a quoted line).
    if let Some(target) = exercise::in_play(world, &input.room)
        && matches!(input.body, Body::Text(_))
        && !text.trim_start().starts_with(settings.prefix.as_str())
        && settings.is_stop_phrase(text)
    {
        return exercise::stop(target, settings, input, text);
    }
    let playbook = crisis.or(animated).and_then(|c| catalog.get(&c.playbook));
    let roles: Vec<&str> = playbook
        .map(|p| p.roles.iter().map(|r| r.id.as_str()).collect())
        .unwrap_or_default();
    let lang = settings.lang;
    let command = match command::parse(text, &settings.prefix, lang, &roles) {
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
    if let Some(animated) = animated {
        return mark_decision(animated, settings, ctx.animation(animated, command));
    }
    let decision = match (command, crisis) {
        (Command::Help(topic), _) => Decision::reply(help(settings, topic)),
        (Command::Open { playbook, exercise }, None) => ctx.open(&playbook, exercise),
        (Command::Open { .. }, Some(c)) => Decision::refuse(ctx.t(
            &format!("Une crise est déjà ouverte dans ce salon ({}). Un salon = une cellule : fermez-la avec {}clore ou ouvrez un autre salon.", c.id, settings.prefix),
            &format!("A crisis is already open in this room ({}). One room, one cell: close it with {}close or use another room.", c.id, settings.prefix),
        )),
        (Command::Status, None) => Decision::reply(ctx.no_crisis()),
        // After the close, the cell still wants its report: the room's latest crisis.
        (Command::Export(format), None) => match world
            .crises
            .values()
            .filter(|c| {
                c.room == input.room
                    || c.run.as_ref().is_some_and(|r| r.animation_room == input.room)
            })
            .max_by_key(|c| c.opened_at)
        {
            Some(last) => ctx.export(last, format),
            None => Decision::refuse(ctx.no_crisis()),
        },
        (Command::Link { target, scenario, auto }, None) => ctx.link(&target, &scenario, auto),
        (_, None) => Decision::refuse(ctx.no_crisis()),
        (command, Some(crisis)) => ctx.in_crisis(crisis, playbook, command),
    };
    Decision {
        records: decision.records,
        effects: decision
            .effects
            .into_iter()
            .map(|e| mark_effect(crisis, settings, e))
            .collect(),
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
    let lang = settings.lang;
    // "!décision Couper X" edited into "!décision Couper Y": the correction is "Couper Y".
    let corrected = match command::parse(text, &settings.prefix, lang, &[]) {
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
        return Decision::refuse(
            lang.pick(
                "Modification ignorée : texte vide, trop long ou avec des caractères de contrôle.",
                "Edit ignored: empty, too long, or with control characters.",
            )
            .to_owned(),
        );
    }
    let new_ref = crisis.next_reference(RefKind::Correction);
    let reply = match lang {
        Lang::Fr => format!(
            "{new_ref} — modification du message de {reference} enregistrée comme correction ; l'original reste dans la main courante."
        ),
        Lang::En => format!(
            "{new_ref} — edit of the message of {reference} recorded as a correction; the original stays in the log."
        ),
    };
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
        effects: vec![Effect::Ack(reply)],
    }
}

/// A redacted chat message that had created `reference`: recorded as such, the original kept.
fn redaction(
    crisis: &Crisis,
    settings: &Settings,
    input: &Input,
    reference: &str,
    reason: Option<String>,
) -> Decision {
    let reply = match settings.lang {
        Lang::Fr => format!(
            "Le message de {reference} a été supprimé du salon ; la main courante le conserve et note la suppression."
        ),
        Lang::En => format!(
            "The message of {reference} was deleted from the room; the log keeps it and records the deletion."
        ),
    };
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
        effects: vec![Effect::Reply(reply)],
    }
}

/// A message that could not be decrypted: never dropped silently.
fn undecryptable(crisis: Option<&Crisis>, settings: &Settings, input: &Input) -> Decision {
    let who = &input.author.name;
    let warning = match settings.lang {
        Lang::Fr => format!(
            "⚠️ Un message de {who} n'a pas pu être déchiffré par tocsin : il n'est pas dans la main courante. Renvoyez-le (vérifiez que votre session partage ses clés avec le bot)."
        ),
        Lang::En => format!(
            "⚠️ A message from {who} could not be decrypted by tocsin: it is not in the log. Send it again (check that your session shares its keys with the bot)."
        ),
    };
    let Some(crisis) = crisis else {
        return Decision::reply(warning);
    };
    let reason = match settings.lang {
        Lang::Fr => format!("message de {} ({}) indéchiffrable", who, input.author.id),
        Lang::En => format!("undecryptable message from {} ({})", who, input.author.id),
    };
    let record = base_record(crisis, input, Event::Gap { reason });
    mark_decision(
        crisis,
        settings,
        Decision {
            records: vec![record],
            effects: vec![Effect::Reply(warning)],
        },
    )
}

/// Prefixes exercise traffic with the exercise marking.
pub fn mark(crisis: Option<&Crisis>, settings: &Settings, text: String) -> String {
    match crisis {
        Some(c) if c.exercise => format!("[{}] {text}", settings.marking()),
        _ => text,
    }
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
        other => other,
    }
}

/// The full help, or one command's line.
pub fn help(settings: &Settings, topic: Option<Keyword>) -> String {
    help_for(settings, topic, false)
}

/// The help of the players' room, or of the animation room.
pub fn help_for(settings: &Settings, topic: Option<Keyword>, animation: bool) -> String {
    let lang = settings.lang;
    match topic {
        Some(k) => k.help(lang, &settings.prefix),
        None => {
            let mut out = if animation {
                lang.pick(
                    "Commandes du salon d'animation :",
                    "Animation room commands:",
                )
            } else {
                lang.pick("Commandes tocsin :", "tocsin commands:")
            }
            .to_owned();
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
                out.push('\n');
                out.push_str(&k.help(lang, &settings.prefix));
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
    fn t(&self, fr: &str, en: &str) -> String {
        self.lang.pick(fr, en).to_owned()
    }

    fn p(&self) -> &str {
        &self.settings.prefix
    }

    /// A text naming commands as `{p}retex`: the configured prefix is put in.
    fn tp(&self, fr: &str, en: &str) -> String {
        self.lang.pick(fr, en).replace("{p}", self.p())
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

    fn playbook_list(&self) -> String {
        let ids: Vec<&str> = self.catalog.ids().collect();
        if ids.is_empty() {
            self.t("aucun playbook chargé", "no playbook loaded")
        } else {
            ids.join(", ")
        }
    }

    fn no_crisis(&self) -> String {
        match self.lang {
            Lang::Fr => format!(
                "Aucune crise ouverte dans ce salon. Pour commencer : {}ouvrir <playbook> [exercice] (playbooks : {}).",
                self.p(),
                self.playbook_list()
            ),
            Lang::En => format!(
                "No crisis is open in this room. To start: {}open <playbook> [exercise] (playbooks: {}).",
                self.p(),
                self.playbook_list()
            ),
        }
    }

    fn require_privilege(&self, what: &str) -> Option<Decision> {
        if self.input.privileged {
            return None;
        }
        Some(Decision::refuse(match self.lang {
            Lang::Fr => format!(
                "{}{what} est réservé aux responsables de la cellule (niveau de pouvoir 50 dans le salon, ou administrateur tocsin).",
                self.p()
            ),
            Lang::En => format!(
                "{}{what} is for the cell's leads (power level 50 in the room, or a tocsin administrator).",
                self.p()
            ),
        }))
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
            event,
        }
    }

    fn open(&self, playbook_id: &str, exercise: bool) -> Decision {
        let what = self.lang.pick("ouvrir", "open");
        if let Some(refusal) = self.require_privilege(what) {
            return refusal;
        }
        let Some(playbook) = self.catalog.get(playbook_id) else {
            return Decision::refuse(match self.lang {
                Lang::Fr => format!(
                    "Playbook inconnu « {playbook_id} ». Disponibles : {}.",
                    self.playbook_list()
                ),
                Lang::En => format!(
                    "Unknown playbook \"{playbook_id}\". Available: {}.",
                    self.playbook_list()
                ),
            });
        };
        let date = self.local(self.input.sent_at).format("%Y%m%d");
        let base = format!("{date}-{}", playbook.id);
        let id = (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                }
            })
            .find(|id| self.world.crisis(id).is_none())
            .unwrap_or(base);
        let record = self.record(
            &id,
            1,
            None,
            Event::CrisisOpened {
                room: self.input.room.clone(),
                playbook: playbook.id.clone(),
                playbook_version: playbook.version.clone(),
                exercise,
            },
        );
        let title = playbook.title.get(self.lang);
        let n_roles = playbook.roles.len();
        let text = match (self.lang, exercise) {
            (Lang::Fr, true) => format!(
                "🚨 Exercice ouvert : {title} (v{}) — crise {id}.\n{n_roles} rôles à pourvoir : {}rôle <rôle> @personne. Commencez par nommer l'historien.",
                playbook.version,
                self.p()
            ),
            (Lang::Fr, false) => format!(
                "🚨 Crise ouverte : {title} (v{}) — crise {id}.\n{n_roles} rôles à pourvoir : {}rôle <rôle> @personne. Commencez par nommer l'historien.",
                playbook.version,
                self.p()
            ),
            (Lang::En, true) => format!(
                "🚨 Exercise opened: {title} (v{}) — crisis {id}.\n{n_roles} roles to fill: {}role <role> @person. Start by naming the scribe.",
                playbook.version,
                self.p()
            ),
            (Lang::En, false) => format!(
                "🚨 Crisis opened: {title} (v{}) — crisis {id}.\n{n_roles} roles to fill: {}role <role> @person. Start by naming the scribe.",
                playbook.version,
                self.p()
            ),
        };
        // The opening is itself marked: the crisis is not in the world yet.
        let text = if exercise {
            format!("[{}] {text}", self.settings.marking())
        } else {
            text
        };
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(text)],
        }
    }

    fn in_crisis(
        &self,
        crisis: &Crisis,
        playbook: Option<&Playbook>,
        command: Command,
    ) -> Decision {
        let seq = crisis.last_seq + 1;
        let role = crisis
            .roles_of(&self.input.author.id)
            .next()
            .map(str::to_owned);
        let ack = |record: Record, text: String| Decision {
            records: vec![record],
            effects: vec![Effect::Ack(text)],
        };
        match command {
            Command::Help(_) | Command::Open { .. } => unreachable_help(self),
            Command::Status => Decision::reply(self.status(crisis, playbook)),
            Command::Close => {
                if let Some(refusal) = self.require_privilege(self.lang.pick("clore", "close")) {
                    return refusal;
                }
                let n_open = crisis
                    .actions
                    .iter()
                    .filter(|a| a.done_at.is_none())
                    .count();
                let record = self.record(&crisis.id, seq, role, Event::CrisisClosed {});
                let (n_dec, n_act) = (crisis.decisions.len(), crisis.actions.len());
                let text = match self.lang {
                    Lang::Fr => format!(
                        "🏁 Crise {} close. Main courante : {seq} entrées, {}, {} dont {n_open} {}.",
                        crisis.id,
                        plural(n_dec, "décision", "décisions"),
                        plural(n_act, "action", "actions"),
                        if n_open > 1 {
                            "restées ouvertes"
                        } else {
                            "restée ouverte"
                        }
                    ),
                    Lang::En => format!(
                        "🏁 Crisis {} closed. Log: {seq} entries, {}, {} of which {n_open} left open.",
                        crisis.id,
                        plural(n_dec, "decision", "decisions"),
                        plural(n_act, "action", "actions")
                    ),
                };
                let mut effects = vec![
                    Effect::Ack(text),
                    Effect::AnnounceDigest {
                        crisis: crisis.id.clone(),
                    },
                ];
                // The facilitators learn it too; their room keeps the full report.
                if let Some(run) = &crisis.run {
                    effects.push(Effect::Post {
                        room: run.animation_room.clone(),
                        crisis: crisis.id.clone(),
                        text: match self.lang {
                            Lang::Fr => format!(
                                "🏁 La cellule a clos l'exercice {} ({seq} entrées). Rapport complet : {p}export, ou {p}export json pour la main courante scellée.",
                                crisis.id,
                                p = self.p()
                            ),
                            Lang::En => format!(
                                "🏁 The cell closed exercise {} ({seq} entries). Full report: {p}export, or {p}export json for the sealed log.",
                                crisis.id,
                                p = self.p()
                            ),
                        },
                        tag: None,
                    });
                }
                Decision {
                    records: vec![record],
                    effects,
                }
            }
            Command::Info { text } => {
                let reference = crisis.next_reference(RefKind::Info);
                let reply = match self.lang {
                    Lang::Fr => format!(
                        "{reference} — information enregistrée, à vérifier ({}).",
                        self.hm(self.input.sent_at)
                    ),
                    Lang::En => format!(
                        "{reference} — information recorded, to check ({}).",
                        self.hm(self.input.sent_at)
                    ),
                };
                ack(
                    self.record(&crisis.id, seq, role, Event::Info { reference, text }),
                    reply,
                )
            }
            Command::Verify { target, status } => {
                match crisis.lookup(&target) {
                    Some(RefKind::Info) => {}
                    Some(_) => return Decision::refuse(self.t(&format!("{target} n'est pas une information : seules les informations (I…) se vérifient."), &format!("{target} is not an information: only informations (I…) are verified."))),
                    None => return Decision::refuse(self.unknown_ref(crisis, &target)),
                }
                if status == Verification::ToCheck {
                    return Decision::refuse(self.t(
                        "Une information ne redevient pas « à vérifier » : utilisez « en cours ».",
                        "Information does not go back to \"to check\": use \"checking\".",
                    ));
                }
                let previous = crisis
                    .info(&target)
                    .map(|i| i.status)
                    .unwrap_or(Verification::ToCheck);
                if previous == status {
                    return Decision::refuse(match self.lang {
                        Lang::Fr => format!("{target} est déjà « {} ».", status.label(self.lang)),
                        Lang::En => format!("{target} is already \"{}\".", status.label(self.lang)),
                    });
                }
                let reply = match self.lang {
                    Lang::Fr => format!(
                        "{target} — {} (était : {}).",
                        status.label(self.lang),
                        previous.label(self.lang)
                    ),
                    Lang::En => format!(
                        "{target} — {} (was: {}).",
                        status.label(self.lang),
                        previous.label(self.lang)
                    ),
                };
                ack(
                    self.record(
                        &crisis.id,
                        seq,
                        role,
                        Event::Verification { target, status },
                    ),
                    reply,
                )
            }
            Command::Decision { text, rationale } => {
                let reference = crisis.next_reference(RefKind::Decision);
                let reply = self.decision_ack(&reference, rationale.is_some());
                ack(
                    self.record(
                        &crisis.id,
                        seq,
                        role,
                        Event::Decision {
                            reference,
                            text,
                            rationale,
                        },
                    ),
                    reply,
                )
            }
            Command::Action { text, owner, due } => {
                let reference = crisis.next_reference(RefKind::Action);
                let owner = owner.map(|o| match o {
                    OwnerSpec::User(u) => Owner::User(u),
                    OwnerSpec::Role(r) => Owner::Role(r),
                    OwnerSpec::Me => Owner::User(self.input.author.id.clone()),
                });
                let due = due.map(|d| match d {
                    DueSpec::In(delta) => self.input.sent_at + delta,
                    DueSpec::At(time) => {
                        next_occurrence(self.settings.tz, self.input.sent_at, time)
                    }
                });
                let reply = self.action_ack(crisis, &reference, owner.as_ref(), due);
                ack(
                    self.record(
                        &crisis.id,
                        seq,
                        role,
                        Event::Action {
                            reference,
                            text,
                            owner,
                            due,
                        },
                    ),
                    reply,
                )
            }
            Command::Done { target }
                if playbook.is_some_and(|p| p.clocks.iter().any(|c| c.id == target)) =>
            {
                self.clock_done(crisis, playbook, &target, seq, role)
            }
            Command::Done { target } => {
                match crisis.lookup(&target) {
                    Some(RefKind::Action) => {}
                    Some(_) => {
                        return Decision::refuse(self.t(
                            &format!("{target} n'est pas une action (A…)."),
                            &format!("{target} is not an action (A…)."),
                        ));
                    }
                    None => return Decision::refuse(self.unknown_ref(crisis, &target)),
                }
                let action = crisis.action(&target);
                if let Some(done) = action.and_then(|a| a.done_at) {
                    return Decision::refuse(match self.lang {
                        Lang::Fr => format!("{target} est déjà faite (depuis {}).", self.hm(done)),
                        Lang::En => format!("{target} is already done (since {}).", self.hm(done)),
                    });
                }
                let late = action
                    .and_then(|a| a.due)
                    .filter(|due| *due < self.input.sent_at);
                let reply = match (self.lang, late) {
                    (Lang::Fr, None) => {
                        format!("{target} — faite ({}).", self.hm(self.input.sent_at))
                    }
                    (Lang::Fr, Some(due)) => format!(
                        "{target} — faite ({}), en retard sur l'échéance de {}.",
                        self.hm(self.input.sent_at),
                        self.hm(due)
                    ),
                    (Lang::En, None) => {
                        format!("{target} — done ({}).", self.hm(self.input.sent_at))
                    }
                    (Lang::En, Some(due)) => format!(
                        "{target} — done ({}), late against {}.",
                        self.hm(self.input.sent_at),
                        self.hm(due)
                    ),
                };
                ack(
                    self.record(&crisis.id, seq, role, Event::ActionDone { target }),
                    reply,
                )
            }
            Command::Role {
                role: role_id,
                user,
            } => {
                if let Some(refusal) = self.require_privilege(self.lang.pick("rôle", "role")) {
                    return refusal;
                }
                let Some(pb) = playbook else {
                    return Decision::refuse(self.missing_playbook(crisis));
                };
                let Some(def) = pb.role(&role_id) else {
                    let ids: Vec<&str> = pb.roles.iter().map(|r| r.id.as_str()).collect();
                    return Decision::refuse(match self.lang {
                        Lang::Fr => {
                            format!("Rôle inconnu « {role_id} ». Rôles : {}.", ids.join(", "))
                        }
                        Lang::En => {
                            format!("Unknown role \"{role_id}\". Roles: {}.", ids.join(", "))
                        }
                    });
                };
                let folded = command::fold(&user);
                let user = if folded == "@moi" || folded == "@me" {
                    self.input.author.id.clone()
                } else {
                    user
                };
                let previous = crisis.roles.get(&role_id);
                if previous == Some(&user) {
                    return Decision::refuse(match self.lang {
                        Lang::Fr => format!("{user} tient déjà le rôle {role_id}."),
                        Lang::En => format!("{user} already holds the role {role_id}."),
                    });
                }
                let title = def.title.get(self.lang);
                let reply = match (self.lang, previous) {
                    (Lang::Fr, None) => format!("Rôle {title} ({role_id}) → {user}."),
                    (Lang::Fr, Some(p)) => {
                        format!("Rôle {title} ({role_id}) → {user} (à la place de {p}).")
                    }
                    (Lang::En, None) => format!("Role {title} ({role_id}) → {user}."),
                    (Lang::En, Some(p)) => {
                        format!("Role {title} ({role_id}) → {user} (instead of {p}).")
                    }
                };
                ack(
                    self.record(
                        &crisis.id,
                        seq,
                        role,
                        Event::RoleAssigned {
                            role: role_id,
                            user,
                        },
                    ),
                    reply,
                )
            }
            Command::Correct { target, text } => {
                if crisis.lookup(&target).is_none() {
                    return Decision::refuse(self.unknown_ref(crisis, &target));
                }
                let reference = crisis.next_reference(RefKind::Correction);
                let reply = match self.lang {
                    Lang::Fr => format!(
                        "{reference} — correction de {target} enregistrée ; l'entrée d'origine reste dans la main courante."
                    ),
                    Lang::En => format!(
                        "{reference} — correction of {target} recorded; the original entry stays in the log."
                    ),
                };
                ack(
                    self.record(
                        &crisis.id,
                        seq,
                        role,
                        Event::Correction {
                            reference,
                            target,
                            text,
                        },
                    ),
                    reply,
                )
            }
            Command::Proc(None) => Decision::reply(self.procedure_list(crisis, playbook)),
            Command::Proc(Some(id)) => self.start_procedure(crisis, playbook, &id, seq, role),
            Command::StepDone { procedure, step } => {
                self.step_done(crisis, playbook, &procedure, step, seq, role)
            }
            Command::Skip {
                procedure,
                step,
                reason,
            } => self.step_skip(crisis, playbook, &procedure, step, &reason, seq, role),
            Command::Assign {
                procedure,
                step,
                user,
            } => self.step_assign(crisis, playbook, &procedure, step, user, seq, role),
            Command::Actions => Decision::reply(self.actions_list(crisis)),
            Command::Point(None) => self.point_now(crisis, playbook, seq, role),
            Command::Point(Some(every)) => self.point_cadence(crisis, every, seq, role),
            Command::Clocks => Decision::reply(self.clocks_list(crisis, playbook)),
            Command::Handover { to } => self.handover(crisis, playbook, to, seq, role),
            Command::Ack => self.handover_ack(crisis, seq, role),
            Command::Comcheck(text) => self.comcheck(crisis, text, seq, role),
            Command::Export(format) => self.export(crisis, format),
            Command::Link { .. }
            | Command::Mode(_)
            | Command::Debex
            | Command::Finex
            | Command::Pause
            | Command::Resume
            | Command::Inject(_)
            | Command::Delay { .. }
            | Command::Adhoc { .. }
            | Command::Chrono
            | Command::Expected { .. }
            | Command::Obs(_) => self.players_refusal(crisis),
            // In the players' room `passer` is about procedure steps: `passer pd-lab 2` lacks a dot.
            Command::SkipInject { .. } => Decision::refuse(format!(
                "{}\n{}",
                self.t(
                    "Étape illisible : écrivez <procédure>.<numéro> (ex. pd-lab.2).",
                    "Unreadable step: write <procedure>.<number> (e.g. pd-lab.2).",
                ),
                Keyword::Skip.help(self.lang, self.p())
            )),
            Command::Retex(arg) => self.retex(crisis, arg),
            Command::Improve { text, owner, due } => self.improve(crisis, text, owner, due),
            Command::Paper {
                time,
                kind,
                text,
                rationale,
            } => {
                let occurred = previous_occurrence(self.settings.tz, self.input.at, time);
                if occurred < crisis.opened_at - chrono::TimeDelta::hours(24) {
                    return Decision::refuse(self.t(
                        "Cette heure tombe plus de 24 h avant l'ouverture de la crise.",
                        "That time is more than 24 h before the crisis opened.",
                    ));
                }
                let (reference, event) = match kind {
                    PaperKind::Info => {
                        let reference = crisis.next_reference(RefKind::Info);
                        (reference.clone(), Event::Info { reference, text })
                    }
                    PaperKind::Decision => {
                        let reference = crisis.next_reference(RefKind::Decision);
                        (
                            reference.clone(),
                            Event::Decision {
                                reference,
                                text,
                                rationale,
                            },
                        )
                    }
                    PaperKind::Action => {
                        let reference = crisis.next_reference(RefKind::Action);
                        (
                            reference.clone(),
                            Event::Action {
                                reference,
                                text,
                                owner: None,
                                due: None,
                            },
                        )
                    }
                };
                let mut record = self.record(&crisis.id, seq, role, event);
                record.occurred_at = occurred;
                record.transcribed = true;
                let reply = match self.lang {
                    Lang::Fr => format!(
                        "{reference} — note papier de {} saisie (transcrite).",
                        self.hm(occurred)
                    ),
                    Lang::En => format!(
                        "{reference} — paper note of {} entered (transcribed).",
                        self.hm(occurred)
                    ),
                };
                ack(record, reply)
            }
        }
    }

    /// `!export` in the players' room: an animated exercise gets the players' edition.
    fn export(&self, crisis: &Crisis, format: Option<String>) -> Decision {
        let format = format.unwrap_or_else(|| "html".to_owned());
        // The players' room of an animated exercise; the animation room gets everything.
        let players = crisis.run.is_some() && crisis.room == self.input.room;
        if players && matches!(format.as_str(), "json" | "csv") {
            return Decision::refuse(self.t(
                "Le JSON et le CSV portent tout le journal, matériel d'animation compris : demandez-les dans le salon d'animation. Ici : export html ou md (édition joueurs).",
                "JSON and CSV carry the whole log, facilitator material included: ask for them in the animation room. Here: export html or md (players' edition).",
            ));
        }
        Decision {
            records: Vec::new(),
            effects: vec![Effect::Export {
                room: self.input.room.clone(),
                crisis: crisis.id.clone(),
                format,
                players,
            }],
        }
    }

    fn decision_ack(&self, reference: &str, has_rationale: bool) -> String {
        let at = self.hm(self.input.sent_at);
        match (self.lang, has_rationale) {
            (Lang::Fr, true) => {
                format!("{reference} — décision enregistrée ({at}), avec sa justification.")
            }
            (Lang::Fr, false) => format!(
                "{reference} — décision enregistrée ({at}). Sans justification : ajoutez « -- pourquoi » la prochaine fois."
            ),
            (Lang::En, true) => {
                format!("{reference} — decision recorded ({at}), with its rationale.")
            }
            (Lang::En, false) => format!(
                "{reference} — decision recorded ({at}). No rationale: add \"-- why\" next time."
            ),
        }
    }

    fn action_ack(
        &self,
        crisis: &Crisis,
        reference: &str,
        owner: Option<&Owner>,
        due: Option<DateTime<Utc>>,
    ) -> String {
        let mut out = match self.lang {
            Lang::Fr => format!("{reference} — action enregistrée"),
            Lang::En => format!("{reference} — action recorded"),
        };
        if let Some(owner) = owner {
            out.push_str(&format!(
                " · {} {}",
                self.t("pour", "owner"),
                owner_label(crisis, owner)
            ));
        }
        if let Some(due) = due {
            out.push_str(&format!(
                " · {} {}",
                self.t("échéance", "due"),
                self.hm(due)
            ));
        }
        out.push('.');
        out
    }

    fn unknown_ref(&self, crisis: &Crisis, target: &str) -> String {
        let last = |kind: RefKind| {
            let next = crisis.next_reference(kind);
            let n: usize = next[1..].parse().unwrap_or(1);
            (n > 1).then(|| format!("{}{}", kind.letter(), n - 1))
        };
        let known: Vec<String> = [
            RefKind::Info,
            RefKind::Decision,
            RefKind::Action,
            RefKind::Correction,
        ]
        .into_iter()
        .filter_map(last)
        .collect();
        let known = if known.is_empty() {
            self.t("aucune entrée encore", "no entry yet")
        } else {
            known.join(", ")
        };
        match self.lang {
            Lang::Fr => {
                format!("Référence inconnue « {target} » dans cette crise (dernières : {known}).")
            }
            Lang::En => format!("Unknown reference \"{target}\" in this crisis (latest: {known})."),
        }
    }

    fn missing_playbook(&self, crisis: &Crisis) -> String {
        match self.lang {
            Lang::Fr => format!(
                "Le playbook « {} » de cette crise n'est plus chargé : rechargez-le pour attribuer des rôles.",
                crisis.playbook
            ),
            Lang::En => format!(
                "This crisis's playbook \"{}\" is no longer loaded: load it again to assign roles.",
                crisis.playbook
            ),
        }
    }

    fn status(&self, crisis: &Crisis, playbook: Option<&Playbook>) -> String {
        let lang = self.lang;
        let now = self.input.at;
        let title = playbook
            .map(|p| p.title.get(lang).to_owned())
            .unwrap_or_else(|| crisis.playbook.clone());
        let elapsed = now - crisis.opened_at;
        let duration = format!("{}h{:02}", elapsed.num_hours(), elapsed.num_minutes() % 60);
        let mut out = match lang {
            Lang::Fr => format!(
                "📋 {title} — crise {}\nOuverte à {} par {} (depuis {duration}).",
                crisis.id,
                self.hm(crisis.opened_at),
                crisis.opened_by.name
            ),
            Lang::En => format!(
                "📋 {title} — crisis {}\nOpened at {} by {} ({duration} ago).",
                crisis.id,
                self.hm(crisis.opened_at),
                crisis.opened_by.name
            ),
        };
        // Roles.
        let n_roles = playbook.map_or(crisis.roles.len(), |p| p.roles.len());
        let held: Vec<String> = crisis
            .roles
            .iter()
            .map(|(r, u)| format!("{r} {u}"))
            .collect();
        out.push_str(&match lang {
            Lang::Fr => format!(
                "\nRôles ({}/{n_roles}) : {}",
                held.len(),
                if held.is_empty() {
                    "aucun".to_owned()
                } else {
                    held.join(", ")
                }
            ),
            Lang::En => format!(
                "\nRoles ({}/{n_roles}): {}",
                held.len(),
                if held.is_empty() {
                    "none".to_owned()
                } else {
                    held.join(", ")
                }
            ),
        });
        // Information by verification status.
        let count = |s: Verification| crisis.infos.iter().filter(|i| i.status == s).count();
        out.push_str(&match lang {
            Lang::Fr => format!(
                "\nInformations : {} — {} à vérifier, {} en cours, {} confirmée(s), {} infirmée(s)",
                crisis.infos.len(),
                count(Verification::ToCheck),
                count(Verification::Checking),
                count(Verification::Confirmed),
                count(Verification::Refuted)
            ),
            Lang::En => format!(
                "\nInformation: {} — {} to check, {} being checked, {} confirmed, {} refuted",
                crisis.infos.len(),
                count(Verification::ToCheck),
                count(Verification::Checking),
                count(Verification::Confirmed),
                count(Verification::Refuted)
            ),
        });
        // Decisions.
        match crisis.decisions.last() {
            None => out.push_str(&self.t("\nDécisions : aucune", "\nDecisions: none")),
            Some(last) => out.push_str(&match lang {
                Lang::Fr => format!(
                    "\nDécisions : {} — dernière {} à {} : {}",
                    crisis.decisions.len(),
                    last.reference,
                    self.hm(last.at),
                    ellipsis(crisis.current_text(&last.reference, &last.text), 80)
                ),
                Lang::En => format!(
                    "\nDecisions: {} — latest {} at {}: {}",
                    crisis.decisions.len(),
                    last.reference,
                    self.hm(last.at),
                    ellipsis(crisis.current_text(&last.reference, &last.text), 80)
                ),
            }),
        }
        // Actions: open first, overdue first.
        let open = crisis.open_actions(now);
        let overdue = open.iter().filter(|a| a.is_overdue(now)).count();
        let done = crisis.actions.len() - open.len();
        out.push_str(&match lang {
            Lang::Fr => format!(
                "\nActions : {} ouverte(s) dont {overdue} en retard, {done} faite(s)",
                open.len()
            ),
            Lang::En => format!(
                "\nActions: {} open of which {overdue} overdue, {done} done",
                open.len()
            ),
        });
        for action in open.iter().take(5) {
            let mut line = format!(
                "\n  {} {}",
                action.reference,
                ellipsis(crisis.current_text(&action.reference, &action.text), 60)
            );
            if let Some(owner) = &action.owner {
                line.push_str(&format!(" · {}", owner_label(crisis, owner)));
            }
            if let Some(due) = action.due {
                let flag = if action.is_overdue(now) {
                    "⚠️ "
                } else {
                    ""
                };
                line.push_str(&format!(" · {flag}{}", self.hm(due)));
            }
            out.push_str(&line);
        }
        if open.len() > 5 {
            out.push_str(&match lang {
                Lang::Fr => format!("\n  … et {} autres", open.len() - 5),
                Lang::En => format!("\n  … and {} more", open.len() - 5),
            });
        }
        out
    }
}

#[track_caller]
fn unreachable_help(ctx: &Ctx<'_>) -> Decision {
    // Help and open are answered before a crisis is looked at; reaching here is a bug,
    // which we answer with the help rather than a panic.
    Decision::reply(help(ctx.settings, None))
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
pub fn digest_message(lang: Lang, crisis: &str, n_entries: u64, digest: &str) -> String {
    match lang {
        Lang::Fr => format!(
            "🔏 Main courante de {crisis} scellée : {n_entries} entrées, empreinte finale SHA-256 {digest}. Notez-la : elle permet de vérifier l'export."
        ),
        Lang::En => format!(
            "🔏 Log of {crisis} sealed: {n_entries} entries, final SHA-256 digest {digest}. Note it: it lets anyone verify the export."
        ),
    }
}

/// `1 décision`, `2 décisions`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
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
