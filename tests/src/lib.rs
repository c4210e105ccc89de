//! tocsin's one integration-test binary: it links the library once and runs the
//! real `tocsin` executable where a test is about the command line.
#![cfg(test)]
#![recursion_limit = "256"]
#![allow(
    clippy::too_many_lines,
    reason = "integration tests are scenarios, read top to bottom"
)]

mod anchor;
mod console;
mod crash;
mod deploy;
mod disk;
mod ops;
mod outbox;
mod playbooks;
mod printed;
mod report;
mod schemas;
mod summary;
mod support;
mod synapse;
mod tidy;
