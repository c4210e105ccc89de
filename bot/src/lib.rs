//! tocsin runs a hospital's cyber crisis cell inside a Matrix room.
//!
//! Layout, in reading order:
//! - [`lang`]: languages, the message catalogs (Fluent) and how typed words match.
//! - [`playbook`]: crisis playbooks from YAML, with precise diagnostics.
//! - [`engine`]: the functional core; commands in, records and effects out.
//! - [`journal`]: the durable, hash-chained, append-only log on sled.
//! - [`anchor`]: the journal mirrored in the rooms, and compared with them.
//! - [`export`]: the JSON export and its offline verification.
//! - [`render`]: reports and the paper kit, through handlebars templates.
//! - [`runtime`]: the imperative shell joining engine and journal.
//! - [`console`]: the terminal front end.
//! - [`config`]: `tocsin.toml` and secrets.
//! - [`backup`]: consistent snapshots of a data directory, even while the bot runs.
//! - [`matrix`]: the Matrix front end (the only user of matrix-sdk).

#![recursion_limit = "256"]

pub mod anchor;
pub mod backup;
pub mod config;
pub mod console;
pub mod engine;
pub mod evidence;
pub mod export;
pub mod journal;
pub mod lang;
pub mod matrix;
pub mod playbook;
pub mod render;
pub mod runtime;
