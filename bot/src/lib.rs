//! tocsin runs a hospital's cyber crisis cell inside a Matrix room.
//!
//! The pure core (languages, playbooks, the engine) is the `tocsin-core`
//! crate; this one is the shell around it. Layout, in reading order:
//! - [`load`]: playbooks, scenarios and message catalogs read from disk.
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
pub mod doctor;
pub mod evidence;
pub mod export;
pub mod journal;
pub mod load;
pub mod matrix;
pub mod render;
pub mod runtime;
