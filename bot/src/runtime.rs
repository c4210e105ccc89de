//! The imperative shell: engine + journal, one input at a time.
//!
//! `handle` is the loop body every front end uses (console now, Matrix next):
//! decide → append (flushed) → apply → return the effects to carry out.
//! State is owned here, not shared behind a lock.

use std::path::Path;

use anyhow::Context;

use crate::engine::{self, Decision, Effect, Input, Settings, state::World};
use crate::journal::{self, Journal, Summary};
use crate::playbook::Catalog;

/// One running tocsin: its playbooks, journal and folded state.
#[derive(Debug)]
pub struct Runtime {
    pub catalog: Catalog,
    pub settings: Settings,
    world: World,
    journal: Journal,
}

/// An effect ready for a front end, with everything resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    Ack(String),
    Refuse(String),
    Reply(String),
}

impl Runtime {
    /// Opens the journal in `data_dir` (verifying it) and rebuilds the state.
    pub fn open(
        data_dir: &Path,
        catalog: Catalog,
        settings: Settings,
    ) -> anyhow::Result<(Runtime, Summary)> {
        let mut world = World::default();
        let (journal, summary) = Journal::open(data_dir, |entry| world.apply(&entry.record))
            .with_context(|| format!("opening the journal in {}", data_dir.display()))?;
        Ok((
            Runtime {
                catalog,
                settings,
                world,
                journal,
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
        let Decision { records, effects } =
            engine::decide(&self.world, &self.catalog, &self.settings, input);
        let entries = self
            .journal
            .append(&records)
            .context("recording in the journal")?;
        for entry in &entries {
            self.world.apply(&entry.record);
            tracing::info!(crisis = %entry.record.crisis, seq = entry.record.seq, kind = entry.record.event.kind(), "recorded");
        }
        let outputs = effects
            .into_iter()
            .map(|effect| match effect {
                Effect::Ack(text) => Output::Ack(text),
                Effect::Refuse(text) => Output::Refuse(text),
                Effect::Reply(text) => Output::Reply(text),
                Effect::AnnounceDigest { crisis } => {
                    let (seq, digest) = self
                        .journal
                        .head(&crisis)
                        .map_or((0, String::new()), |h| (h.seq, journal::hex(&h.hash)));
                    Output::Reply(engine::digest_message(
                        self.settings.lang,
                        &crisis,
                        seq,
                        &digest,
                    ))
                }
            })
            .collect();
        Ok(outputs)
    }

    /// Flushes and closes the journal.
    pub fn close(self) -> anyhow::Result<()> {
        self.journal.close().context("closing the journal")
    }
}
