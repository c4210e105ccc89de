//! The terminal front end: commands on standard input, replies on standard output.
//!
//! It drives the same runtime as the Matrix bot, so a scribe can keep the
//! main courante from a laptop when the chat is unreachable (`--room` attaches
//! the console to a Matrix room's crisis). Lines are read with a size bound:
//! a 1 MB paste or invalid UTF-8 is refused with a message, never loaded whole
//! or allowed to corrupt the journal.

use std::io::{BufRead, Write};

use anyhow::Context;
use chrono::Utc;

use crate::journal::storage::Fault;
use crate::runtime::{Delivery, Output, Runtime};
use tocsin_core::engine::command::MAX_TEXT_CHARS;
use tocsin_core::engine::event::Author;
use tocsin_core::engine::{Body, Input, Settings};
use tocsin_core::lang::speech::msg;

/// Longest line read whole; longer lines are refused (and skipped without buffering).
pub const MAX_LINE_BYTES: usize = 4 * MAX_TEXT_CHARS + 64;

/// Who types, and into which room's crisis.
#[derive(Clone, Debug)]
pub struct Session {
    pub author: Author,
    pub room: String,
    /// Where `!export` writes its files.
    pub exports: std::path::PathBuf,
}

/// Reads commands until end of input, and returns the runtime to close.
///
/// When the journal's storage fails (a full disk, a read-only remount), the
/// line gets a ⛔ that names the cause, nothing being recorded, and the
/// runtime is dropped: at each following line `reopen` tries again, from
/// what is on disk, until the disk is fixed. The console itself never stops
/// for it.
pub fn run(
    runtime: Runtime,
    mut reopen: impl FnMut() -> anyhow::Result<Runtime>,
    session: &Session,
    input: impl BufRead,
    mut out: impl Write,
) -> anyhow::Result<Option<Runtime>> {
    let settings = runtime.settings.clone();
    let mut current = Some(runtime);
    let mut lines = BoundedLines {
        inner: input,
        max: MAX_LINE_BYTES,
    };
    while let Some(line) = lines.next_line().context("reading standard input")? {
        let answered = match current.as_mut() {
            Some(runtime) => answer(runtime, session, line, &mut out),
            None => reopen().and_then(|runtime| {
                tracing::info!("the journal opens again; the console resumes");
                let runtime = current.insert(runtime);
                // What the failed write got onto disk after all, answered now.
                let deliveries = runtime.undelivered()?;
                show(runtime, session, deliveries, &mut out)?;
                answer(runtime, session, line, &mut out)
            }),
        };
        if let Err(err) = answered {
            let Some(fault) = Fault::of_error(&err) else {
                return Err(err);
            };
            tracing::error!(
                error = format!("{err:#}"),
                "the journal's storage failed; nothing recorded"
            );
            let cause = settings.say(msg!("storage-fault", fault = fault.key()));
            writeln!(
                out,
                "{}",
                settings.say(msg!("console-storage", cause = cause.as_str()))
            )?;
            current = None;
        }
        out.flush()?;
    }
    Ok(current)
}

/// Records one line and shows what answers it.
fn answer(
    runtime: &mut Runtime,
    session: &Session,
    line: Line,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    // No background timer here: what fell due since the last line comes first.
    let mut deliveries = runtime.tick(Utc::now())?;
    let local = match line {
        Line::TooLong(n) => Some(too_long(&runtime.settings, n)),
        Line::Text(bytes) => match String::from_utf8(bytes) {
            Err(err) => Some(not_utf8(&runtime.settings, err.utf8_error().valid_up_to())),
            Ok(text) => {
                let now = Utc::now();
                let input = Input {
                    at: now,
                    sent_at: now,
                    author: session.author.clone(),
                    room: session.room.clone(),
                    body: Body::Text(text.trim_end_matches(['\n', '\r']).to_owned()),
                    source: None,
                    privileged: true,
                    quoted: None,
                    in_reply_to: None,
                };
                deliveries.extend(runtime.handle(&input, None)?);
                None
            }
        },
    };
    if let Some(refusal) = local {
        writeln!(out, "⛔ {refusal}")?;
    }
    show(runtime, session, deliveries, out)
}

/// Shows what was decided, and notes each as carried out.
fn show(
    runtime: &Runtime,
    session: &Session,
    deliveries: Vec<Delivery>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    for delivery in deliveries {
        let text = match delivery.output {
            Output::Ack(t) => format!("✅ {t}"),
            Output::Refuse(t) => format!("⛔ {t}"),
            Output::Reply(t) | Output::Post { text: t, .. } | Output::Edit { text: t, .. } => t,
            // A console has one reader: a direct stimulus shows whom it is for.
            Output::Stimulus(crate::runtime::StimulusOutput {
                text,
                direct_to,
                files,
                ..
            }) => {
                let mut shown = match direct_to {
                    Some(to) => format!("✉️ {to} · {text}"),
                    None => text,
                };
                for file in files {
                    shown.push_str(&format!("\n📎 {} ({})", file.name, file.path));
                }
                shown
            }
            Output::Export { .. } | Output::Summary { .. } => {
                match export(runtime, session, &delivery.output)? {
                    Some(shown) => shown,
                    None => continue,
                }
            }
            // The entry is recorded; a console has no room to invite into.
            Output::Invite { user, .. } => runtime
                .settings
                .say(msg!("console-no-invite", user = user.as_str())),
            // Never decided here: the console does not mirror entries;
            // and a console's history is its terminal.
            Output::Mirror { .. } | Output::ShareHistory { .. } => {
                runtime.delivered(delivery.id)?;
                continue;
            }
        };
        writeln!(out, "{text}")?;
        runtime.delivered(delivery.id)?;
    }
    Ok(())
}

/// Renders an export or summary into the session's exports; what to show.
fn export(runtime: &Runtime, session: &Session, output: &Output) -> anyhow::Result<Option<String>> {
    let file = match output {
        Output::Summary { sites, format, .. } => {
            runtime.render_summary(sites, format, Utc::now())?
        }
        Output::Export {
            crisis,
            format,
            players,
            ..
        } => runtime.render_export(crisis, format, *players, Utc::now())?,
        _ => return Ok(None),
    };
    std::fs::create_dir_all(&session.exports)?;
    let path = session.exports.join(&file.name);
    std::fs::write(&path, file.bytes)?;
    Ok(Some(format!("{}\n{}", file.caption, path.display())))
}

fn too_long(settings: &Settings, n: usize) -> String {
    settings.say(msg!("line-too-long", n, max = MAX_LINE_BYTES))
}

fn not_utf8(settings: &Settings, at: usize) -> String {
    settings.say(msg!("line-not-utf8", at))
}

enum Line {
    Text(Vec<u8>),
    /// A line longer than the bound, with its length.
    TooLong(usize),
}

struct BoundedLines<R> {
    inner: R,
    max: usize,
}

impl<R: BufRead> BoundedLines<R> {
    fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        let mut buf = Vec::new();
        let mut len = 0usize;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                return Ok(match (len, buf.is_empty()) {
                    (0, _) => None,
                    (n, _) if n > self.max => Some(Line::TooLong(n)),
                    _ => Some(Line::Text(buf)),
                });
            }
            let (used, done) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            len += used;
            if len <= self.max + 1 {
                buf.extend_from_slice(&chunk[..used]);
            }
            self.inner.consume(used);
            if done {
                return Ok(Some(if len > self.max + 1 {
                    Line::TooLong(len - 1)
                } else {
                    Line::Text(buf)
                }));
            }
        }
    }
}
