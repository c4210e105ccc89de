//! The journal anchored in the room: every entry mirrored in an event of the
//! crisis's room, checkpoints of the chain's head, and the comparison of a
//! local chain with what a room holds.
//!
//! Pure: the Matrix front end reads the room (`matrix::anchor`), `tocsin
//! verify` reads an Element export file; both hand this module the events'
//! contents as JSON. The format is in `docs/anchor.md`:
//!
//! - `fr.tocsin.entries` in the content of one of tocsin's own messages (the
//!   acknowledgement of the entries, or a reminder, a point…), or of a
//!   companion event of that type when nothing is said: a list of
//!   [`Mirrored`] entries, each with the exact stored payload and its links.
//! - `fr.tocsin.checkpoint` in the content of a message that also says the
//!   head in words: a [`Checkpoint`].
//!
//! A copy in the room is a second witness, not the first: the comparison
//! names the first entry whose local and room copies differ, and says which
//! entries the room does not hold.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::journal::{self, Entry, GENESIS};

/// The content field (and companion event type) that carries entries.
pub const ENTRIES_FIELD: &str = "fr.tocsin.entries";
/// The content field that carries a checkpoint.
pub const CHECKPOINT_FIELD: &str = "fr.tocsin.checkpoint";
/// At most this many payload bytes ride on one event: the Matrix
/// specification limits an event to 64 KiB, and the payloads grow on the way
/// (JSON escaping, then encryption's base64), besides the text people read.
pub const MAX_CARRIED: usize = 24 * 1024;

/// One journal entry as carried by a room event. A persisted format: the
/// room keeps it for as long as the room lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mirrored {
    pub crisis: String,
    pub seq: u64,
    /// Hex SHA-256 of the previous entry (zeros for the first).
    pub prev: String,
    /// Hex SHA-256 of `prev ‖ seq_be ‖ payload`.
    pub hash: String,
    /// The record's JSON exactly as stored and hashed.
    pub payload: String,
}

impl Mirrored {
    pub fn of(entry: &Entry) -> Mirrored {
        Mirrored {
            crisis: entry.record.crisis.clone(),
            seq: entry.record.seq,
            prev: tocsin_core::digest::hex(&entry.prev_hash),
            hash: tocsin_core::digest::hex(&entry.hash),
            payload: entry.payload.clone(),
        }
    }

    /// Whether the copy holds together on its own: its hash is the hash of
    /// its payload on its link.
    pub fn is_sound(&self) -> bool {
        unhex(&self.prev).is_some_and(|prev| {
            tocsin_core::digest::hex(&journal::chain_hash(
                &prev,
                self.seq,
                self.payload.as_bytes(),
            )) == self.hash
        })
    }
}

/// The head of a chain, said in the room at a situation point, a handover
/// and the close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub crisis: String,
    pub seq: u64,
    /// Hex SHA-256 of entry `seq`.
    pub digest: String,
}

/// What an output carries into the room besides its text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Mirrored>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}

impl Anchor {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.checkpoint.is_none()
    }

    /// The fields to add to an event's content.
    pub fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        if !self.entries.is_empty() {
            map.insert(
                ENTRIES_FIELD.to_owned(),
                serde_json::to_value(&self.entries).unwrap_or_default(),
            );
        }
        if let Some(checkpoint) = &self.checkpoint {
            map.insert(
                CHECKPOINT_FIELD.to_owned(),
                serde_json::to_value(checkpoint).unwrap_or_default(),
            );
        }
        map
    }
}

/// One event read back from a room (or a room export).
#[derive(Clone, Debug, PartialEq)]
pub struct RoomEvent {
    pub event_id: String,
    pub sender: String,
    pub at: Option<DateTime<Utc>>,
    pub content: serde_json::Value,
}

/// A copy of an entry found in the room, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub entry: Mirrored,
    pub event_id: String,
}

/// What a room holds of tocsin's chains.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoomRecord {
    /// Crisis → seq → the first sound copy.
    pub chains: BTreeMap<String, BTreeMap<u64, Found>>,
    /// Copies that disagree with another copy of the same entry, or whose hash
    /// is not the hash of their payload: (crisis, seq, event id).
    pub conflicts: Vec<(String, u64, String)>,
    /// Checkpoints in the order read.
    pub checkpoints: Vec<(Checkpoint, String, Option<DateTime<Utc>>)>,
    /// Who carried entries.
    pub senders: Vec<String>,
}

/// Reads the entries and checkpoints out of a room's events. With `sender`,
/// only that user's events count (tocsin's account): anyone in the room can
/// post an event with these fields.
pub fn read(events: &[RoomEvent], sender: Option<&str>) -> RoomRecord {
    let mut record = RoomRecord::default();
    for event in events {
        if sender.is_some_and(|s| s != event.sender) {
            continue;
        }
        let entries = event
            .content
            .get(ENTRIES_FIELD)
            .and_then(|v| serde_json::from_value::<Vec<Mirrored>>(v.clone()).ok())
            .unwrap_or_default();
        if !entries.is_empty() && !record.senders.contains(&event.sender) {
            record.senders.push(event.sender.clone());
        }
        for entry in entries {
            let (crisis, seq) = (entry.crisis.clone(), entry.seq);
            if !entry.is_sound() {
                record.conflicts.push((crisis, seq, event.event_id.clone()));
                continue;
            }
            let chain = record.chains.entry(crisis.clone()).or_default();
            match chain.get(&seq) {
                Some(known) if known.entry != entry => {
                    record.conflicts.push((crisis, seq, event.event_id.clone()));
                }
                Some(_) => {}
                None => {
                    chain.insert(
                        seq,
                        Found {
                            entry,
                            event_id: event.event_id.clone(),
                        },
                    );
                }
            }
        }
        if let Some(checkpoint) = event
            .content
            .get(CHECKPOINT_FIELD)
            .and_then(|v| serde_json::from_value::<Checkpoint>(v.clone()).ok())
        {
            record
                .checkpoints
                .push((checkpoint, event.event_id.clone(), event.at));
        }
    }
    record
}

/// An entry as the local side holds it, from a journal or a JSON export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    pub seq: u64,
    pub hash: String,
    pub payload: String,
}

impl Local {
    pub fn of(entry: &Entry) -> Local {
        Local {
            seq: entry.record.seq,
            hash: tocsin_core::digest::hex(&entry.hash),
            payload: entry.payload.clone(),
        }
    }
}

/// How one local chain compares with the room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub crisis: String,
    /// Local entries whose copy in the room is identical.
    pub matched: u64,
    /// The first entry whose copies differ, and how.
    pub first_difference: Option<(u64, String)>,
    /// Local entries the room does not hold (ranges, inclusive).
    pub missing: Vec<(u64, u64)>,
}

impl Comparison {
    pub fn agrees(&self) -> bool {
        self.first_difference.is_none()
    }
}

/// Compares a local chain with the room's copies, entry by entry.
pub fn compare(crisis: &str, local: &[Local], room: &RoomRecord) -> Comparison {
    let empty = BTreeMap::new();
    let copies = room.chains.get(crisis).unwrap_or(&empty);
    let mut comparison = Comparison {
        crisis: crisis.to_owned(),
        matched: 0,
        first_difference: None,
        missing: Vec::new(),
    };
    for entry in local {
        match copies.get(&entry.seq) {
            None => match comparison.missing.last_mut() {
                Some((_, end)) if *end + 1 == entry.seq => *end = entry.seq,
                _ => comparison.missing.push((entry.seq, entry.seq)),
            },
            Some(found) if found.entry.payload != entry.payload => {
                comparison.first_difference.get_or_insert((
                    entry.seq,
                    format!(
                        "its content differs from the copy in the room (event {})",
                        found.event_id
                    ),
                ));
            }
            Some(found) if found.entry.hash != entry.hash => {
                comparison.first_difference.get_or_insert((
                    entry.seq,
                    format!(
                        "its hash differs from the copy in the room (event {}): an earlier entry differs",
                        found.event_id
                    ),
                ));
            }
            Some(_) => comparison.matched += 1,
        }
    }
    let last = local.last().map_or(0, |e| e.seq);
    if comparison.first_difference.is_none()
        && let Some((&seq, found)) = copies.range(last + 1..).next()
    {
        comparison.first_difference = Some((
            seq,
            format!(
                "the room holds it (event {}) but the local chain ends at {last}",
                found.event_id
            ),
        ));
    }
    if comparison.first_difference.is_none()
        && let Some((_, seq, event)) = room.conflicts.iter().find(|(c, _, _)| c == crisis)
    {
        comparison.first_difference = Some((
            *seq,
            format!("the room holds two different copies of it (one in event {event})"),
        ));
    }
    comparison
}

/// A chain rebuilt from the room: entries 1..=n that link up, and where it stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rebuilt {
    pub crisis: String,
    pub entries: Vec<Mirrored>,
    /// Entries the room holds beyond a hole (not part of the rebuilt chain).
    pub beyond: Vec<u64>,
}

/// The longest chain from entry 1 that the room's copies make, each linked to
/// the previous one.
pub fn rebuild(crisis: &str, room: &RoomRecord) -> Rebuilt {
    let empty = BTreeMap::new();
    let copies = room.chains.get(crisis).unwrap_or(&empty);
    let mut entries = Vec::new();
    let mut prev = tocsin_core::digest::hex(&GENESIS);
    for seq in 1.. {
        match copies.get(&seq) {
            Some(found) if found.entry.prev == prev => {
                prev = found.entry.hash.clone();
                entries.push(found.entry.clone());
            }
            _ => break,
        }
    }
    let next = entries.len() as u64 + 1;
    Rebuilt {
        crisis: crisis.to_owned(),
        entries,
        beyond: copies.range(next..).map(|(seq, _)| *seq).collect(),
    }
}

/// Why a room export cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an Element room export: {0}")]
pub struct ExportUnreadable(String);

/// The events of a room export made with Element's "Export chat" in JSON: an
/// object whose `messages` are the events as Element holds them (decrypted
/// events as their clear event; an item `{"decrypted": …}` is read too).
pub fn element_export(text: &str) -> Result<Vec<RoomEvent>, ExportUnreadable> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ExportUnreadable(e.to_string()))?;
    let messages = value
        .get("messages")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| ExportUnreadable("no `messages` list".to_owned()))?;
    let mut events = Vec::with_capacity(messages.len());
    for message in messages {
        let event = message.get("decrypted").unwrap_or(message);
        let text_of = |key: &str| {
            event
                .get(key)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let at = event
            .get("origin_server_ts")
            .and_then(serde_json::Value::as_i64)
            .and_then(DateTime::<Utc>::from_timestamp_millis);
        events.push(RoomEvent {
            event_id: text_of("event_id"),
            sender: text_of("sender"),
            at,
            content: event.get("content").cloned().unwrap_or_default(),
        });
    }
    Ok(events)
}

/// A hash written in hex, as the room carries it.
pub fn unhex(text: &str) -> Option<journal::Hash> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests;
