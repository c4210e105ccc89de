//! Putting what was said on record after the fact.
//!
//! Most of a crisis room is conversation, photos of paper sheets and
//! screenshots. Any of it can go into the main courante afterwards, at its
//! original time and with its original author, recorded by whoever asked:
//! with a 📌 reaction on the message, or by replying to it with a command
//! that has no text of its own (`!consigner`, `!info`, `!décision -- raison`,
//! `!action @bob dans 30m`), which then takes the message's text. A message
//! is never recorded twice: the crisis knows every recorded message by its
//! event id (`Record::quotes`).

use super::command::{self, Keyword};
use super::event::{Event, Record};
use super::state::{Crisis, RefKind, World};
use super::{
    Body, Decision, Effect, Input, Quoted, QuotedContent, Settings, decide, mark_decision,
};
use crate::lang::speech::msg;
use crate::playbook::Catalog;

/// The reaction that puts a message on record.
pub fn is_pin(key: &str) -> bool {
    // With or without the emoji presentation selector.
    key.trim_end_matches('\u{fe0f}') == "📌"
}

/// What to do with an input that puts a quoted message on record, or `None`
/// when it does not (it then goes through the ordinary rules).
pub fn consign(
    world: &World,
    catalog: &Catalog,
    settings: &Settings,
    input: &Input,
) -> Option<Decision> {
    match &input.body {
        Body::Reaction { key, .. } if is_pin(key) => {
            let crisis = world.open_in(&input.room)?;
            let quoted = input.quoted.as_ref()?;
            Some(mark_decision(
                crisis,
                settings,
                pin(crisis, settings, input, quoted),
            ))
        }
        Body::Text(text) => {
            let quoted = input.quoted.as_ref()?;
            let (keyword, word, args) = command::keyword_of(text, &settings.prefix)?;
            if !takes_the_quote(keyword, args) {
                return None;
            }
            let crisis = world.open_in(&input.room)?;
            let decision = match &quoted.content {
                _ if crisis.by_source.contains_key(&quoted.event_id) => already(crisis, quoted),
                QuotedContent::Unavailable(why) => Decision::refuse(why.clone()),
                QuotedContent::File { .. } if keyword == Keyword::Note => {
                    pin(crisis, settings, input, quoted)
                }
                QuotedContent::File { .. } => {
                    Decision::refuse(msg!("consign-file-how", p = &settings.prefix))
                }
                QuotedContent::Text(said) => {
                    // Marked already, as any command is.
                    return Some(by_reply(
                        world, catalog, settings, input, quoted, word, said, args,
                    ));
                }
            };
            Some(mark_decision(crisis, settings, decision))
        }
        _ => None,
    }
}

/// Whether a command replying to a message has no text of its own, and so
/// takes the message's: nothing after the keyword, or only a decision's
/// rationale, or only an action's owner and due time.
fn takes_the_quote(keyword: Keyword, args: &str) -> bool {
    match keyword {
        Keyword::Note | Keyword::Info => args.is_empty(),
        Keyword::Decision => args.is_empty() || args.starts_with("--"),
        Keyword::Action => {
            let first = args.split_whitespace().next().unwrap_or("");
            args.is_empty()
                || first.starts_with('@')
                || ["dans", "in", "à", "a", "at"].contains(&first.to_lowercase().as_str())
        }
        _ => false,
    }
}

/// A 📌 (or `!consigner` replying to a file): the message or file as a note
/// or file entry.
fn pin(crisis: &Crisis, settings: &Settings, input: &Input, quoted: &Quoted) -> Decision {
    if crisis.by_source.contains_key(&quoted.event_id) {
        return already(crisis, quoted);
    }
    let (event, reference) = match &quoted.content {
        QuotedContent::Text(text) => {
            let reference = crisis.next_reference(RefKind::Note);
            (
                Event::Note {
                    reference: reference.clone(),
                    text: text.clone(),
                },
                reference,
            )
        }
        QuotedContent::File {
            name,
            mime,
            size,
            sha256,
        } => {
            let reference = crisis.next_reference(RefKind::File);
            (
                Event::File {
                    reference: reference.clone(),
                    name: name.clone(),
                    mime: mime.clone(),
                    size: *size,
                    sha256: sha256.clone(),
                },
                reference,
            )
        }
        QuotedContent::Unavailable(why) => return Decision::refuse(why.clone()),
    };
    let record = Record {
        author: quoted.author.clone(),
        role: crisis.roles_of(&quoted.author.id).next().map(str::to_owned),
        occurred_at: quoted.sent_at,
        recorded_by: Some(input.author.clone()),
        quotes: Some(quoted.event_id.clone()),
        ..super::base_record(crisis, input, event)
    };
    let (who, by) = (&quoted.author.name, &input.author.name);
    let at = super::schedule::when(settings.tz, quoted.sent_at, input.at);
    let ack = match quoted.content {
        QuotedContent::File { .. } => {
            msg!("consign-recorded-file", reference = &reference, who, at, by)
        }
        _ => msg!("consign-recorded", reference = &reference, who, at, by),
    };
    Decision {
        records: vec![record],
        effects: vec![Effect::Ack(ack.into())],
    }
}

/// A command replying to a message, with the message's text in place of its own.
#[expect(
    clippy::too_many_arguments,
    reason = "the reply, its command and the quote, named once"
)]
fn by_reply(
    world: &World,
    catalog: &Catalog,
    settings: &Settings,
    input: &Input,
    quoted: &Quoted,
    word: &str,
    said: &str,
    args: &str,
) -> Decision {
    let text = format!("{}{word} {said} {args}", settings.prefix);
    let as_said = Input {
        body: Body::Text(text.trim_end().to_owned()),
        sent_at: quoted.sent_at,
        quoted: None,
        ..input.clone()
    };
    let mut decision = decide(world, catalog, settings, &as_said);
    let Some(crisis) = world.open_in(&input.room) else {
        return decision;
    };
    for record in &mut decision.records {
        record.author = quoted.author.clone();
        record.role = crisis.roles_of(&quoted.author.id).next().map(str::to_owned);
        record.recorded_by = Some(input.author.clone());
        record.quotes = Some(quoted.event_id.clone());
    }
    if !decision.records.is_empty() {
        let note = msg!("consign-by-reply", who = &quoted.author.name);
        decision.effects = decision
            .effects
            .into_iter()
            .map(|effect| match effect {
                Effect::Ack(text) => Effect::Ack(text.then(" ").then(note.clone())),
                other => other,
            })
            .collect();
    }
    decision
}

/// The message is on record already: say where.
fn already(crisis: &Crisis, quoted: &Quoted) -> Decision {
    let reference = crisis
        .by_source
        .get(&quoted.event_id)
        .cloned()
        .unwrap_or_default();
    Decision::reply(msg!("consign-already", reference = &reference))
}
