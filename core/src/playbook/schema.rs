//! JSON Schemas of the playbook and scenario formats, for editors
//! (`tocsin schema playbook|scenario`, `schemas/*.schema.json`).
//!
//! They describe what the checker accepts: the integration tests validate
//! every shipped playbook and scenario with them, reject the broken
//! fixtures, and compare each object's fields with the fields the checker
//! lists when it meets an unknown one, so the two cannot drift apart.

/// The JSON Schema of a playbook file.
pub const PLAYBOOK: &str = include_str!("../../../schemas/playbook.schema.json");
/// The JSON Schema of a scenario file.
pub const SCENARIO: &str = include_str!("../../../schemas/scenario.schema.json");
