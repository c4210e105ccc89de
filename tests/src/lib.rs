//! tocsin's one integration-test binary: it links the library once and runs the
//! real `tocsin` executable where a test is about the command line.
#![cfg(test)]

mod console;
mod crash;
mod playbooks;
mod support;
mod tidy;
