//! tocsin runs a hospital's cyber crisis cell inside a Matrix room.
//!
//! Layout, in reading order:
//! - [`lang`]: French and English text.
//! - [`playbook`]: crisis playbooks from YAML, with precise diagnostics.
//! - [`engine`]: the functional core; commands in, records and effects out.
//! - [`journal`]: the durable, hash-chained, append-only log on sled.
//! - [`runtime`]: the imperative shell joining engine and journal.
//! - [`console`]: the terminal front end.

pub mod console;
pub mod engine;
pub mod journal;
pub mod lang;
pub mod playbook;
pub mod runtime;
