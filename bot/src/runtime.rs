//! The imperative shell: engine + journal, one input at a time.
//!
//! [`Runtime::handle`] is the loop body every front end uses (console, Matrix):
//! decide → append (flushed) → apply → return the outputs to carry out, their
//! speech put into words in the configured language.
//! [`Runtime::tick`] does the same for what falls due with time (reminders,
//! clock warnings, situation points); [`Runtime::next_due`] says when.
//! State is owned here, not shared behind a lock.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::engine::event::{Event, PostTag};
use crate::engine::{
    self, Decision, Effect, ExportFormat, Input, Settings, exercise, schedule, state::World,
};
use crate::journal::{self, Journal, Summary};
use crate::lang::speech::msg;
use crate::playbook::Catalog;
use crate::render::{self, Renderer};

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
}

/// Below this, a restart is not worth a gap entry.
const DOWNTIME_REPORTED: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// An effect ready for a front end, with everything resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
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
        tag: Option<PostTag>,
    },
    /// Replace the text of an earlier message (`event_id`); when it is unknown
    /// (console, or never posted), post the text instead.
    Edit {
        room: String,
        crisis: String,
        tag: PostTag,
        event_id: Option<String>,
        text: String,
    },
    /// A file to post in the room (an export), with a line saying what it is.
    File {
        room: String,
        name: String,
        mime: &'static str,
        bytes: Vec<u8>,
        caption: String,
    },
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
            },
            summary,
        ))
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Handles one input. Records are durable before any output is returned.
    pub fn handle(&mut self, input: &Input) -> anyhow::Result<Vec<Output>> {
        if let Some(source) = &input.source
            && self.journal.has_source(source)?
        {
            tracing::debug!(source, "event already recorded, skipped");
            return Ok(Vec::new());
        }
        let decision = engine::decide(&self.world, &self.catalog, &self.settings, input);
        self.commit(decision)
    }

    /// When something next falls due (a reminder, a point, an inject), if ever.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let follow_up = schedule::next_due(&self.world, &self.catalog, &self.settings);
        let injects = exercise::next_due(&self.world, &self.catalog);
        follow_up.into_iter().chain(injects).min()
    }

    /// Carries out what is due at `now`: follow-up first, then the injects on the exercise clock.
    pub fn tick(&mut self, now: DateTime<Utc>) -> anyhow::Result<Vec<Output>> {
        let mut outputs = Vec::new();
        for decision in schedule::tick(&self.world, &self.catalog, &self.settings, now) {
            outputs.extend(self.commit(decision)?);
        }
        for decision in exercise::tick(&self.world, &self.catalog, &self.settings, now) {
            outputs.extend(self.commit(decision)?);
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

    /// At start-up: if tocsin was down for a while since its last heartbeat,
    /// records a gap in every open crisis and warns the rooms.
    pub fn record_downtime(&mut self, now: DateTime<Utc>) -> anyhow::Result<Vec<Output>> {
        let last = std::fs::read_to_string(&self.alive_path)
            .ok()
            .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|t| t.with_timezone(&Utc));
        let mut outputs = Vec::new();
        if let Some(last) = last
            && now - last >= DOWNTIME_REPORTED
        {
            for decision in schedule::downtime(&self.world, &self.settings, last, now) {
                outputs.extend(self.commit(decision)?);
            }
        }
        self.heartbeat(now)?;
        Ok(outputs)
    }

    /// Notes the event id of a tagged message tocsin posted, so it can edit it
    /// later or recognise reactions to it, across restarts.
    pub fn record_posted(
        &mut self,
        crisis: &str,
        tag: &PostTag,
        event_id: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let Some(c) = self.world.crisis(crisis) else {
            return Ok(());
        };
        let record = engine::system_record(
            crisis,
            c.last_seq + 1,
            now,
            &self.settings,
            Event::Posted {
                tag: tag.clone(),
                event_id: event_id.to_owned(),
            },
        );
        self.commit(Decision {
            records: vec![record],
            effects: Vec::new(),
        })?;
        Ok(())
    }

    fn commit(&mut self, decision: Decision) -> anyhow::Result<Vec<Output>> {
        let Decision { records, effects } = decision;
        let entries = self
            .journal
            .append(&records)
            .context("recording in the journal")?;
        for entry in &entries {
            self.world.apply(&entry.record);
            tracing::info!(crisis = %entry.record.crisis, seq = entry.record.seq, kind = entry.record.event.kind(), "recorded");
        }
        let mut outputs = Vec::new();
        for effect in effects {
            outputs.push(match effect {
                Effect::Ack(text) => Output::Ack(self.settings.say(text)),
                Effect::Refuse(text) => Output::Refuse(self.settings.say(text)),
                Effect::Reply(text) => Output::Reply(self.settings.say(text)),
                Effect::AnnounceDigest { crisis } => {
                    let (seq, digest) = self
                        .journal
                        .head(&crisis)
                        .map_or((0, String::new()), |h| (h.seq, journal::hex(&h.hash)));
                    Output::Reply(
                        self.settings
                            .say(engine::digest_message(&crisis, seq, &digest)),
                    )
                }
                Effect::Post {
                    room,
                    crisis,
                    text,
                    tag,
                } => Output::Post {
                    room,
                    crisis,
                    text: self.settings.say(text),
                    tag,
                },
                Effect::Edit {
                    room,
                    crisis,
                    tag,
                    text,
                } => {
                    let event_id = self
                        .world
                        .crisis(&crisis)
                        .and_then(|c| c.posted.get(&tag).cloned());
                    Output::Edit {
                        room,
                        crisis,
                        tag,
                        event_id,
                        text: self.settings.say(text),
                    }
                }
                Effect::Export {
                    room,
                    crisis,
                    format,
                    players,
                } => self.export(room, &crisis, format, players)?,
            });
        }
        Ok(outputs)
    }

    /// Renders a crisis for `!export`, from its verified entries.
    fn export(
        &self,
        room: String,
        crisis: &str,
        format: ExportFormat,
        players: bool,
    ) -> anyhow::Result<Output> {
        let entries = self.journal.entries(crisis)?;
        let now = Utc::now();
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
            .map(|e| journal::hex(&e.hash))
            .unwrap_or_default();
        let short = &digest[..digest.len().min(16)];
        let name = format!(
            "{crisis}-{}.{}",
            now.format("%Y%m%dT%H%M"),
            format.extension()
        );
        let caption = self.settings.say(msg!(
            "export-caption",
            name = &name,
            n = entries.len(),
            digest = short
        ));
        Ok(Output::File {
            room,
            name,
            mime: format.mime(),
            bytes,
            caption,
        })
    }

    /// Flushes and closes the journal.
    pub fn close(self) -> anyhow::Result<()> {
        self.journal.close().context("closing the journal")
    }
}
