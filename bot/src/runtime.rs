//! The imperative shell: engine + journal, one input at a time.
//!
//! [`Runtime::handle`] is the loop body every front end uses (console, Matrix):
//! decide → append (flushed) → apply → return the outputs to carry out, their
//! speech put into words in the configured language.
//! [`Runtime::tick`] does the same for what falls due with time (reminders,
//! clock warnings, situation points); [`Runtime::next_due`] says when.
//! State is owned here, not shared behind a lock.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::anchor::{self, Anchor, Checkpoint, Mirrored};
use crate::journal::{self, Journal, Summary};
use crate::render::{self, Renderer};
use tocsin_core::engine::event::{Event, PostTag, Record};
use tocsin_core::engine::{
    self, Decision, Effect, ExportFormat, Input, Settings, exercise, plan, schedule, state::World,
};
use tocsin_core::lang::speech::{Message, msg};
use tocsin_core::playbook::Catalog;

/// One running tocsin: its playbooks, templates, journal and folded state.
#[derive(Debug)]
pub struct Runtime {
    pub catalog: Catalog,
    pub settings: Settings,
    renderer: Renderer,
    world: World,
    journal: Journal,
    /// `alive`: the last time this tocsin was known to be running.
    alive_path: std::path::PathBuf,
    /// Whether entries are mirrored in the rooms (the Matrix front end).
    mirror: bool,
    /// Crisis → the last entry carried by a message people see (rather than
    /// only by a companion event); what follows rides on the next one.
    carried: HashMap<String, u64>,
}

/// Below this, a restart is not worth a gap entry.
const DOWNTIME_REPORTED: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// An effect ready for a front end, with everything resolved that must be
/// fixed when it is decided. Persisted in the journal's outbox until carried
/// out, so its serialized form is a compatibility boundary (snapshot-tested).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// Reply to the input with ✅.
    Ack(String),
    /// Reply to the input with ⛔.
    Refuse(String),
    /// Reply to the input.
    Reply(String),
    /// A message of tocsin's own in a room. With a tag, report its event id
    /// back through [`Runtime::record_posted`].
    Post {
        room: String,
        crisis: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<PostTag>,
    },
    /// Replace the text of the message posted under `tag`
    /// ([`Runtime::posted_event`]); when there is none (console, or never
    /// posted), post the text instead.
    Edit {
        room: String,
        crisis: String,
        tag: PostTag,
        text: String,
    },
    /// An exercise stimulus: in the players' `room`, or in a direct chat with
    /// `direct_to`; `html`, when set, is its formatted body; then its files.
    /// Report the message's event id under [`PostTag::Inject`].
    Stimulus(StimulusOutput),
    /// A report to render ([`Runtime::render_export`]) and post in the room
    /// as a file, with a line saying what it is in answer to the input.
    Export {
        room: String,
        crisis: String,
        format: String,
        /// The players' edition: no facilitator material.
        players: bool,
    },
    /// A regional exercise's consolidated summary ([`Runtime::render_summary`]
    /// of each establishment's (site label, crisis)), posted like an export.
    Summary {
        room: String,
        sites: Vec<(String, String)>,
        format: String,
    },
    /// Let those who join `room` later read what is said from now on
    /// (`history_visibility: shared`), when tocsin may; before the opening's
    /// acknowledgement, so that its room keys are the shareable kind.
    ShareHistory { room: String, crisis: String },
    /// Invite `user` into `room`; `failed` is what the room is told (with the
    /// homeserver's reason) if the homeserver refuses, once, never retried.
    Invite {
        room: String,
        crisis: String,
        user: String,
        failed: String,
    },
    /// An event people do not see (`anchor::ENTRIES_FIELD`), carrying the
    /// delivery's `anchor` when no message of the same decision could.
    Mirror { room: String, crisis: String },
}

/// A stimulus ready to go out ([`Output::Stimulus`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StimulusOutput {
    pub room: String,
    pub crisis: String,
    pub inject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_to: Option<String>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<engine::StimulusFile>,
}

/// An output to carry out, and what it answers. Durable in the journal's
/// outbox from the moment its records are, until the front end reports it
/// done with [`Runtime::delivered`]: a crash in between means it is carried
/// out again at the next start ([`Runtime::undelivered`]), with the same
/// transaction ids, so the homeserver never shows it twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Its key in the outbox.
    #[serde(skip)]
    pub id: u64,
    /// Unique to this output, derived from the journal (crisis, seq, index) or
    /// the source event: the base of the transaction ids of its sends.
    pub txn: String,
    /// The chat message it answers, if it came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo>,
    pub output: Output,
    /// The journal entries and the checkpoint its message carries into the room.
    #[serde(default, skip_serializing_if = "Anchor::is_empty")]
    pub anchor: Anchor,
    /// An acknowledgement's entry as a coalesced receipt names it, when the
    /// front end must pace its sends (« I4 bob 03:12 »).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    /// Said because the exercise was stopped (the stop phrase): sent before
    /// anything but the answers to what people just typed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgent: bool,
}

/// What a coalesced receipt says of one acknowledged entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The entry's reference, author and time, in words (`receipt-line`).
    pub line: String,
    /// The marking the acknowledgement starts with (`[EXERCICE] `), if any:
    /// receipts are coalesced only with others of the same marking.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub marking: String,
}

impl Delivery {
    /// The room it goes to, if any (a console answer goes to none).
    pub fn room(&self) -> Option<&str> {
        match &self.output {
            Output::Ack(_) | Output::Refuse(_) | Output::Reply(_) => {
                self.reply_to.as_ref().map(|r| r.room.as_str())
            }
            // A direct stimulus too goes in the players' room's queue, in its order.
            Output::Post { room, .. }
            | Output::Edit { room, .. }
            | Output::Export { room, .. }
            | Output::Summary { room, .. }
            | Output::Stimulus(StimulusOutput { room, .. })
            | Output::Mirror { room, .. }
            | Output::Invite { room, .. }
            | Output::ShareHistory { room, .. } => Some(room),
        }
    }

    /// Whether it is sent as a message whose content can carry an anchor.
    fn carries(&self) -> bool {
        matches!(
            self.output,
            Output::Ack(_) | Output::Refuse(_) | Output::Reply(_) | Output::Post { .. }
        ) && self.room().is_some()
    }

    /// Adds a line to the text people read.
    fn append_line(&mut self, line: &str) {
        if let Output::Ack(text)
        | Output::Refuse(text)
        | Output::Reply(text)
        | Output::Post { text, .. } = &mut self.output
        {
            text.push('\n');
            text.push_str(line);
        }
    }
}

/// The chat message an answer replies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTo {
    pub room: String,
    pub event_id: String,
    /// The root of the thread the message was in: the answer goes there too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// A message (answered as a reply, with a ✅ or ⛔ reaction) rather than a
    /// reaction or a redaction (answered with a plain notice).
    pub message: bool,
}

/// A rendered export, ready to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    /// The name as shown with the file: marked in an exercise.
    pub title: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    /// What it is (name, entries, final digest), marked in an exercise.
    pub caption: String,
}

impl Runtime {
    /// Opens the journal in `data_dir` (verifying it), registers the report
    /// templates (built-in, or overridden from `templates`), and rebuilds the state.
    pub fn open(
        data_dir: &Path,
        catalog: Catalog,
        settings: Settings,
        templates: Option<&Path>,
    ) -> anyhow::Result<(Runtime, Summary)> {
        let renderer = Renderer::new(templates).context("loading the report templates")?;
        let mut world = World::default();
        let (journal, summary) = Journal::open(data_dir, |entry| world.apply(&entry.record))
            .with_context(|| format!("opening the journal in {}", data_dir.display()))?;
        Ok((
            Runtime {
                catalog,
                settings,
                renderer,
                world,
                journal,
                alive_path: data_dir.join("alive"),
                mirror: false,
                carried: HashMap::new(),
            },
            summary,
        ))
    }

    /// Mirrors every entry appended from now on in its crisis's room
    /// (`anchor`). Entries already in the journal count as carried.
    pub fn mirror_in_rooms(&mut self) {
        self.mirror = true;
        self.carried = self
            .journal
            .crises()
            .filter_map(|c| self.journal.head(c).map(|h| (c.to_owned(), h.seq)))
            .collect();
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Handles one input that answers `reply_to` (if it came from a chat
    /// message). Records and the outputs answering them are durable before any
    /// output is returned.
    pub fn handle(
        &mut self,
        input: &Input,
        reply_to: Option<ReplyTo>,
    ) -> anyhow::Result<Vec<Delivery>> {
        if let Some(source) = &input.source
            && self.journal.has_source(source)?
        {
            tracing::debug!(source, "event already recorded, skipped");
            return Ok(Vec::new());
        }
        let decision = engine::decide(&self.world, &self.catalog, &self.settings, input);
        self.commit(decision, input.source.as_deref(), reply_to)
    }

    /// What earlier runs decided but did not report carried out, oldest first:
    /// a front end carries these out at start, before anything new.
    pub fn undelivered(&self) -> anyhow::Result<Vec<Delivery>> {
        let mut out = Vec::new();
        for (id, bytes) in self.journal.outbox()? {
            match serde_json::from_slice::<Delivery>(&bytes) {
                Ok(delivery) => out.push(Delivery { id, ..delivery }),
                Err(err) => {
                    tracing::error!(id, error = %err, "unreadable outbox item dropped");
                    self.journal.outbox_done(id)?;
                }
            }
        }
        Ok(out)
    }

    /// Notes that a delivery was carried out.
    pub fn delivered(&self, id: u64) -> anyhow::Result<()> {
        Ok(self.journal.outbox_done(id)?)
    }

    /// The event id of the message posted under `tag` in a crisis, if known.
    pub fn posted_event(&self, crisis: &str, tag: &PostTag) -> Option<String> {
        self.world
            .crisis(crisis)
            .and_then(|c| c.posted.get(tag).cloned())
    }

    /// When something next falls due (a reminder, a point, an inject), if ever.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let follow_up = schedule::next_due(&self.world, &self.catalog, &self.settings);
        let injects = exercise::next_due(&self.world, &self.catalog);
        let plan = plan::next_due(&self.world, &self.settings);
        follow_up.into_iter().chain(injects).chain(plan).min()
    }

    /// Carries out what is due at `now`: follow-up first, then the injects on the exercise clock.
    pub fn tick(&mut self, now: DateTime<Utc>) -> anyhow::Result<Vec<Delivery>> {
        let mut outputs = Vec::new();
        for decision in schedule::tick(&self.world, &self.catalog, &self.settings, now) {
            outputs.extend(self.commit(decision, None, None)?);
        }
        for decision in exercise::tick(&self.world, &self.catalog, &self.settings, now) {
            outputs.extend(self.commit(decision, None, None)?);
        }
        for decision in plan::tick(&self.world, &self.settings, now) {
            outputs.extend(self.commit(decision, None, None)?);
        }
        Ok(outputs)
    }

    /// Notes that tocsin is running at `now` (a small file next to the journal,
    /// replaced atomically; not journaled). Front ends with a timer call it about
    /// once a minute, so a later start knows how long tocsin was down.
    pub fn heartbeat(&self, now: DateTime<Utc>) -> anyhow::Result<()> {
        let tmp = self.alive_path.with_extension("tmp");
        std::fs::write(&tmp, now.to_rfc3339())
            .and_then(|()| std::fs::rename(&tmp, &self.alive_path))
            .with_context(|| format!("writing {}", self.alive_path.display()))
    }

    /// Notes, without a running tocsin, when tocsin was last known to run:
    /// `tocsin recover` gives the time of the last entry it rebuilt, so that
    /// the next start records the time since as a gap.
    pub fn note_alive(data_dir: &Path, at: DateTime<Utc>) -> anyhow::Result<()> {
        let path = data_dir.join("alive");
        std::fs::write(&path, at.to_rfc3339())
            .with_context(|| format!("writing {}", path.display()))
    }

    /// At start-up: if tocsin was down for a while since its last heartbeat,
    /// records a gap in every open crisis and warns the rooms.
    pub fn record_downtime(&mut self, now: DateTime<Utc>) -> anyhow::Result<Vec<Delivery>> {
        let last = std::fs::read_to_string(&self.alive_path)
            .ok()
            .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|t| t.with_timezone(&Utc));
        let mut outputs = Vec::new();
        if let Some(last) = last
            && now - last >= DOWNTIME_REPORTED
        {
            for decision in schedule::downtime(&self.world, &self.settings, last, now) {
                outputs.extend(self.commit(decision, None, None)?);
            }
        }
        self.heartbeat(now)?;
        Ok(outputs)
    }

    /// Records, in the crisis open in `room`, that the homeserver refused one
    /// of tocsin's messages for good: the log says what the room never saw.
    pub fn record_refused(
        &mut self,
        room: &str,
        txn: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Delivery>> {
        let Some(crisis) = self.world.open_in(room).map(|c| c.id.clone()) else {
            return Ok(Vec::new());
        };
        let event = Event::Undelivered {
            txn: txn.to_owned(),
            reason: reason.chars().take(500).collect(),
        };
        self.record_system(&crisis, event, now)
    }

    /// Notes the event id of a tagged message tocsin posted, so it can edit it
    /// later or recognise reactions to it, across restarts. Returns what
    /// mirrors the entry in the room.
    pub fn record_posted(
        &mut self,
        crisis: &str,
        tag: &PostTag,
        event_id: &str,
        room: Option<String>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Delivery>> {
        let event = Event::Posted {
            tag: tag.clone(),
            event_id: event_id.to_owned(),
            room,
        };
        self.record_system(crisis, event, now)
    }

    /// Appends one of tocsin's own entries to a crisis, if it exists.
    fn record_system(
        &mut self,
        crisis: &str,
        event: Event,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Delivery>> {
        let Some(c) = self.world.crisis(crisis) else {
            return Ok(Vec::new());
        };
        let record = engine::system_record(crisis, c.last_seq + 1, now, &self.settings, event);
        let decision = Decision {
            records: vec![record],
            effects: Vec::new(),
        };
        self.commit(decision, None, None)
    }

    /// Appends the decision's records and, in the same durable write, the
    /// outputs that answer them; then folds the records into the state.
    fn commit(
        &mut self,
        decision: Decision,
        source: Option<&str>,
        reply_to: Option<ReplyTo>,
    ) -> anyhow::Result<Vec<Delivery>> {
        let Decision { records, effects } = decision;
        let digests: Vec<Option<journal::Head>> = effects
            .iter()
            .map(|effect| match effect {
                Effect::AnnounceDigest { crisis } => self.journal.head(crisis),
                _ => None,
            })
            .collect();
        let sealing: Vec<bool> = effects
            .iter()
            .map(|e| matches!(e, Effect::AnnounceDigest { .. }))
            .collect();
        let urgent = records
            .iter()
            .any(|r| matches!(r.event, Event::ExerciseStopped { .. }));
        // A regional exercise's command records in several crises: each
        // crisis's entries are mirrored on their own.
        let mut mirrors = Vec::new();
        for run in records.chunk_by(|a, b| a.crisis == b.crisis) {
            mirrors.push(self.mirror_plan(run)?);
        }
        let mut deliveries = Vec::new();
        let mut carried = Vec::new();
        let (settings, world) = (&self.settings, &self.world);
        let (entries, ids) = self
            .journal
            .append_with_outbox(&records, |entries| {
                deliveries = effects
                    .into_iter()
                    .zip(digests)
                    .enumerate()
                    .map(|(idx, (effect, head))| {
                        let output = output(settings, world, effect, entries, head);
                        Delivery {
                            id: 0,
                            txn: txn_base(entries, source, idx),
                            receipt: receipt(settings, world, &output, entries),
                            reply_to: reply_to.clone(),
                            output,
                            anchor: Anchor::default(),
                            urgent,
                        }
                    })
                    .collect();
                let runs = entries.chunk_by(|a, b| a.record.crisis == b.record.crisis);
                for (run, mirror) in runs.zip(mirrors) {
                    checkpoint(settings, &mut deliveries, &sealing, run);
                    if let Some(mirror) = mirror {
                        carried.extend(mirror.attach(&mut deliveries, run, source));
                    }
                }
                deliveries
                    .iter()
                    .map(|d| serde_json::to_vec(d).unwrap_or_default())
                    .collect()
            })
            .context("recording in the journal")?;
        for entry in &entries {
            self.world.apply(&entry.record);
            log_record(entry);
        }
        for (crisis, seq) in carried {
            self.carried.insert(crisis, seq);
        }
        for (delivery, id) in deliveries.iter_mut().zip(ids) {
            delivery.id = id;
        }
        Ok(deliveries)
    }

    /// Where and how the entries of a decision are mirrored: the room, and
    /// the entries appended earlier that no message people see carried yet.
    fn mirror_plan(&self, records: &[Record]) -> anyhow::Result<Option<MirrorPlan>> {
        let Some(first) = records.first().filter(|_| self.mirror) else {
            return Ok(None);
        };
        let linked = records.iter().find_map(|r| match &r.event {
            Event::ExerciseLinked { animation_room, .. } => Some(animation_room.clone()),
            _ => None,
        });
        let room = match (&first.event, self.world.crisis(&first.crisis)) {
            (Event::CrisisOpened { room, .. }, _) => room.clone(),
            // An exercise's entries hold facilitator material: they go to
            // the animation room once there is one.
            (_, Some(crisis)) => linked.unwrap_or_else(|| {
                crisis
                    .run
                    .as_ref()
                    .map_or_else(|| crisis.room.clone(), |run| run.animation_room.clone())
            }),
            (_, None) => return Ok(None),
        };
        let carried = self.carried.get(&first.crisis).copied().unwrap_or(0);
        let pending = if carried + 1 < first.seq {
            self.journal
                .entries_from(&first.crisis, carried + 1)?
                .iter()
                .map(Mirrored::of)
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(MirrorPlan {
            room,
            crisis: first.crisis.clone(),
            pending,
        }))
    }

    /// Records the event id of a message that said a checkpoint, unless the
    /// crisis is closed (its chain ends with the close, whose digest is the seal).
    pub fn record_checkpoint(
        &mut self,
        crisis: &str,
        seq: u64,
        event_id: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Delivery>> {
        if self
            .world
            .crisis(crisis)
            .is_none_or(|c| c.closed_at.is_some())
        {
            return Ok(Vec::new());
        }
        self.record_posted(crisis, &PostTag::Checkpoint(seq), event_id, None, now)
    }

    /// Renders a crisis for `!export`, from its verified entries.
    pub fn render_export(
        &self,
        crisis: &str,
        format: &str,
        players: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<ExportFile> {
        let format = ExportFormat::parse(format).unwrap_or_default();
        let entries = self.journal.entries(crisis)?;
        let bytes = render::export(
            &self.renderer,
            &entries,
            &self.catalog,
            &self.settings,
            format,
            if players {
                render::view::Edition::Players
            } else {
                render::view::Edition::Full
            },
            now,
        )?;
        let digest = entries
            .last()
            .map(|e| tocsin_core::digest::hex(&e.hash))
            .unwrap_or_default();
        let short = &digest[..digest.len().min(16)];
        let name = format!(
            "{crisis}-{}.{}",
            now.format("%Y%m%dT%H%M"),
            format.extension()
        );
        let caption = msg!(
            "export-caption",
            name = &name,
            n = entries.len(),
            digest = short
        );
        Ok(self.export_file(self.world.crisis(crisis), name, format, bytes, caption))
    }

    /// Renders the consolidated summary of a regional exercise: each site
    /// (label, crisis id) from its crisis's verified entries, in that order.
    pub fn render_summary(
        &self,
        sites: &[(String, String)],
        format: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<ExportFile> {
        let format = ExportFormat::parse(format).unwrap_or_default();
        let mut logs = Vec::with_capacity(sites.len());
        for (label, crisis) in sites {
            // Reading a crisis tocsin does not know would create its chain.
            anyhow::ensure!(
                self.world.crisis(crisis).is_some(),
                "site {label}: no crisis {crisis}"
            );
            let entries = self
                .journal
                .entries(crisis)
                .with_context(|| format!("site {label}: reading the log of {crisis}"))?;
            logs.push((label.clone(), entries));
        }
        let bytes = render::summary::export(
            &self.renderer,
            &logs,
            &self.catalog,
            &self.settings,
            format,
            now,
        )?;
        let first = sites.first().and_then(|(_, c)| self.world.crisis(c));
        let exercise = first.and_then(|c| c.run.as_ref()).map(|r| {
            if r.code_name.is_empty() {
                &r.scenario
            } else {
                &r.code_name
            }
        });
        let words = self.settings.say(msg!("summary-file-name"));
        let stem = match exercise {
            Some(e) => format!("{e}-{words}"),
            None => words,
        };
        let name = format!(
            "{}-{}.{}",
            file_stem(&stem),
            now.format("%Y%m%dT%H%M"),
            format.extension()
        );
        let caption = msg!(
            "summary-caption",
            name = &name,
            n = sites.len(),
            format = format.extension()
        );
        Ok(self.export_file(first, name, format, bytes, caption))
    }

    /// A rendered file ready to post: its title and caption marked in an exercise.
    fn export_file(
        &self,
        crisis: Option<&engine::state::Crisis>,
        name: String,
        format: ExportFormat,
        bytes: Vec<u8>,
        caption: Message,
    ) -> ExportFile {
        let settings = &self.settings;
        ExportFile {
            title: settings.say(engine::mark(crisis, settings, name.clone().into())),
            name,
            mime: format.mime(),
            bytes,
            caption: settings.say(engine::mark(crisis, settings, caption.into())),
        }
    }

    /// Flushes and closes the journal.
    pub fn close(self) -> anyhow::Result<()> {
        self.journal.close().context("closing the journal")
    }
}

/// A file name from what people named: lowercase ASCII, accents dropped,
/// anything else a dash (« ÉCLAIR-synthèse » → `eclair-synthese`).
fn file_stem(s: &str) -> String {
    let folded = tocsin_core::lang::fold(s);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// How one decision's entries go into the room.
struct MirrorPlan {
    room: String,
    crisis: String,
    /// Earlier entries only companion events carried, oldest first.
    pending: Vec<Mirrored>,
}

impl MirrorPlan {
    /// Puts the new entries (and as many pending ones as fit) on the first
    /// message of the decision that goes to the mirror room, or else on a
    /// companion event. Returns the last entry now carried by a message
    /// people see, when that moved.
    fn attach(
        self,
        deliveries: &mut Vec<Delivery>,
        entries: &[journal::Entry],
        source: Option<&str>,
    ) -> Option<(String, u64)> {
        let new: Vec<Mirrored> = entries.iter().map(Mirrored::of).collect();
        let last = new.last()?.seq;
        let size: usize = new.iter().map(|m| m.payload.len()).sum();
        let carrier = deliveries
            .iter_mut()
            // One crisis's entries per message: a regional command's other
            // crises ride on the next messages to the room.
            .find(|d| {
                d.carries() && d.anchor.entries.is_empty() && d.room() == Some(self.room.as_str())
            })
            // Too much for one message (a long list carried at an opening):
            // companions, so that the message itself is never too large.
            .filter(|_| size <= anchor::MAX_CARRIED);
        let Some(carrier) = carrier else {
            let mut chunks: Vec<Vec<Mirrored>> = Vec::new();
            let mut room_left = 0;
            for entry in new {
                if chunks.is_empty() || entry.payload.len() > room_left {
                    chunks.push(Vec::new());
                    room_left = anchor::MAX_CARRIED;
                }
                room_left = room_left.saturating_sub(entry.payload.len());
                if let Some(chunk) = chunks.last_mut() {
                    chunk.push(entry);
                }
            }
            for chunk in chunks {
                deliveries.push(Delivery {
                    id: 0,
                    txn: txn_base(entries, source, deliveries.len()),
                    receipt: None,
                    urgent: false,
                    reply_to: None,
                    output: Output::Mirror {
                        room: self.room.clone(),
                        crisis: self.crisis.clone(),
                    },
                    anchor: Anchor {
                        entries: chunk,
                        checkpoint: None,
                    },
                });
            }
            return None;
        };
        let mut budget = anchor::MAX_CARRIED.saturating_sub(size);
        let n_pending = self.pending.len();
        let mut carried = Vec::new();
        for entry in self.pending {
            if entry.payload.len() > budget {
                break;
            }
            budget -= entry.payload.len();
            carried.push(entry);
        }
        let through = if carried.len() == n_pending {
            Some(last)
        } else {
            // The rest rides on the next message.
            carried.last().map(|e| e.seq)
        };
        carried.extend(new);
        carrier.anchor.entries = carried;
        through.map(|seq| (self.crisis, seq))
    }
}

/// Says the chain's head on the first message of a decision that records a
/// situation point, a handover or the close: a line people read (the close's
/// seal already says it) and the checkpoint for readers of the room.
fn checkpoint(
    settings: &Settings,
    deliveries: &mut [Delivery],
    sealing: &[bool],
    entries: &[journal::Entry],
) {
    let checkpoint_kind = |e: &journal::Entry| {
        matches!(
            e.record.event,
            Event::SituationPoint { .. } | Event::HandoverStarted { .. } | Event::CrisisClosed {}
        )
    };
    let (Some(last), true) = (entries.last(), entries.iter().any(checkpoint_kind)) else {
        return;
    };
    let seal = deliveries
        .iter()
        .zip(sealing)
        .position(|(d, sealing)| *sealing && d.carries());
    let Some(idx) = seal.or_else(|| deliveries.iter().position(Delivery::carries)) else {
        return;
    };
    let digest = tocsin_core::digest::hex(&last.hash);
    let carrier = &mut deliveries[idx];
    if seal.is_none() {
        let line = settings.say(msg!(
            "anchor-checkpoint",
            seq = last.record.seq,
            digest = &digest
        ));
        carrier.append_line(&line);
    }
    carrier.anchor.checkpoint = Some(Checkpoint {
        crisis: last.record.crisis.clone(),
        seq: last.record.seq,
        digest,
    });
}

/// The base of an output's transaction ids: from the first record it answers
/// (crisis, seq) or else its source event, and its index among the outputs.
/// Deterministic, so an input handled again after a crash gives the same ids.
fn txn_base(entries: &[journal::Entry], source: Option<&str>, idx: usize) -> String {
    match (entries.first(), source) {
        (Some(first), _) => format!("{}/{}/{idx}", first.record.crisis, first.record.seq),
        (None, Some(source)) => format!("{source}/{idx}"),
        (None, None) => format!("local/{idx}"),
    }
}

/// How a coalesced receipt names the entry an acknowledgement answers: the
/// first of the decision's entries with a reference, its author and time.
fn receipt(
    settings: &Settings,
    world: &World,
    output: &Output,
    entries: &[journal::Entry],
) -> Option<Receipt> {
    let Output::Ack(text) = output else {
        return None;
    };
    let entry = entries
        .iter()
        .find(|e| e.record.event.reference().is_some())?;
    let record = &entry.record;
    let marking = match world.crisis(&record.crisis) {
        Some(crisis) if crisis.exercise => settings.say(engine::mark(
            Some(crisis),
            settings,
            tocsin_core::lang::speech::Speech::default(),
        )),
        _ => String::new(),
    };
    if !text.starts_with(&marking) {
        return None;
    }
    let line = settings.say(msg!(
        "receipt-line",
        reference = record.event.reference().unwrap_or_default(),
        author = &record.author.name,
        time = render::time::time(settings, record.occurred_at)
    ));
    Some(Receipt { line, marking })
}

/// An effect as a front end carries it out. `entries` were just appended;
/// `head` is the chain's head before them, for a digest announcement.
fn output(
    settings: &Settings,
    world: &World,
    effect: Effect,
    entries: &[journal::Entry],
    head: Option<journal::Head>,
) -> Output {
    match effect {
        Effect::Ack(text) => Output::Ack(settings.say(text)),
        Effect::Refuse(text) => Output::Refuse(settings.say(text)),
        Effect::Reply(text) => Output::Reply(settings.say(text)),
        Effect::AnnounceDigest { crisis } => {
            let (seq, hash) = entries
                .iter()
                .rev()
                .find(|e| e.record.crisis == crisis)
                .map(|e| (e.record.seq, e.hash))
                .or(head.map(|h| (h.seq, h.hash)))
                .map_or((0, String::new()), |(seq, hash)| {
                    (seq, tocsin_core::digest::hex(&hash))
                });
            let text = engine::digest_message(&crisis, seq, &hash);
            Output::Reply(settings.say(engine::mark(world.crisis(&crisis), settings, text)))
        }
        Effect::Post {
            room,
            crisis,
            text,
            tag,
        } => Output::Post {
            room,
            crisis,
            text: settings.say(text),
            tag,
        },
        Effect::Edit {
            room,
            crisis,
            tag,
            text,
        } => Output::Edit {
            room,
            crisis,
            tag,
            text: settings.say(text),
        },
        Effect::Stimulus(s) => Output::Stimulus(stimulus_output(settings, *s)),
        Effect::ShareHistory { room, crisis } => Output::ShareHistory { room, crisis },
        Effect::Invite { room, crisis, user } => Output::Invite {
            failed: settings.say(msg!("invite-failed", user = &user, reason = "{reason}")),
            room,
            crisis,
            user,
        },
        Effect::Summary {
            room,
            sites,
            format,
        } => Output::Summary {
            room,
            sites,
            format: format.extension().to_owned(),
        },
        Effect::Export {
            room,
            crisis,
            format,
            players,
        } => Output::Export {
            room,
            crisis,
            format: format.extension().to_owned(),
            players,
        },
    }
}

fn stimulus_output(settings: &Settings, s: engine::Stimulus) -> StimulusOutput {
    let engine::Stimulus {
        room,
        crisis,
        inject,
        direct_to,
        text,
        html,
        files,
    } = s;
    StimulusOutput {
        room,
        crisis,
        inject,
        direct_to,
        text: settings.say(text),
        html,
        files,
    }
}

/// One `info` line per crisis opened or closed, ids only; every entry at `debug`.
fn log_record(entry: &journal::Entry) {
    let record = &entry.record;
    match &record.event {
        Event::CrisisOpened { room, exercise, .. } => {
            tracing::info!(crisis = %record.crisis, room = %room, exercise, "crisis opened");
        }
        Event::CrisisClosed {} => tracing::info!(
            crisis = %record.crisis,
            entries = record.seq,
            digest = %tocsin_core::digest::hex(&entry.hash),
            "crisis closed"
        ),
        _ => {}
    }
    tracing::debug!(crisis = %record.crisis, seq = record.seq, kind = record.event.kind(), "recorded");
}
