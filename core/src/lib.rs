//! tocsin's pure core: what the crisis cell's bot decides, with no I/O.
//!
//! Layout, in reading order:
//! - [`digest`]: hexadecimal digests, shared by the playbooks and the journal.
//! - [`lang`]: languages, the message catalogs (Fluent) and how typed words match.
//! - [`playbook`]: crisis playbooks and scenarios from YAML text, with precise diagnostics.
//! - [`engine`]: the functional core; commands in, records and effects out.
//!
//! Nothing here reads a file, a clock or the network: the `tocsin` crate
//! (journal, runtime, front ends) hands every input in, time included. This
//! crate depends on nothing that does I/O, so the compiler keeps it that way.

pub mod digest;
pub mod engine;
pub mod lang;
pub mod playbook;
