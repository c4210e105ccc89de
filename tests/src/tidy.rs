//! Repository hygiene that the architecture relies on, checked as tests.
//!
//! Sources are read as tokens (`proc-macro2`) and items (`syn`), never as
//! substrings: comments and string literals do not count, `grand` is not
//! `rand`, and grouped imports (`use std::{fs, env}`) are expanded to the
//! paths they name.

use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::support::root;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Every Rust file of the repository, with its path relative to the root (`/`-separated).
fn all_sources() -> Vec<(String, String)> {
    let mut files = rust_files(&root().join("core"));
    files.extend(rust_files(&root().join("bot")));
    files.extend(rust_files(&root().join("tests/src")));
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (relative(&p), text)
        })
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The libraries' production sources: `core/src` and `bot/src` without unit-test files.
fn library_sources() -> Vec<(String, String)> {
    all_sources()
        .into_iter()
        .filter(|(rel, _)| {
            (rel.starts_with("core/src/") || rel.starts_with("bot/src/"))
                && !rel.ends_with("/tests.rs")
        })
        .collect()
}

/// Every path a source names, as `a::b::c`, with `use` groups expanded.
/// Comments and literals are not tokens that count; `r#ident` is `ident`.
fn paths(src: &str) -> Vec<String> {
    let tokens: TokenStream = src.parse().expect("the source tokenizes");
    let mut out = Vec::new();
    collect_paths(tokens, &[], &mut out);
    out
}

fn collect_paths(tokens: TokenStream, prefix: &[String], out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut idx = 0;
    while idx < tokens.len() {
        match &tokens[idx] {
            TokenTree::Ident(ident) => {
                // A path: ident (:: ident)*, possibly ending in `::{ group }`.
                let mut segments: Vec<String> = prefix.to_vec();
                segments.push(ident.to_string().trim_start_matches("r#").to_owned());
                idx += 1;
                loop {
                    if is_path_sep(&tokens, idx) {
                        match tokens.get(idx + 2) {
                            Some(TokenTree::Ident(next)) => {
                                segments.push(next.to_string());
                                idx += 3;
                                continue;
                            }
                            Some(TokenTree::Group(group))
                                if group.delimiter() == Delimiter::Brace =>
                            {
                                // `use a::{b, c::d}`: each item under the prefix.
                                collect_paths(group.stream(), &segments, out);
                                idx += 3;
                            }
                            _ => idx += 2,
                        }
                    }
                    break;
                }
                out.push(segments.join("::"));
            }
            TokenTree::Punct(p) if p.as_char() == ',' || p.as_char() == ';' => idx += 1,
            TokenTree::Group(group) => {
                collect_paths(group.stream(), &[], out);
                idx += 1;
            }
            _ => idx += 1,
        }
    }
}

/// `::` at `idx`.
fn is_path_sep(tokens: &[TokenTree], idx: usize) -> bool {
    matches!(
        (tokens.get(idx), tokens.get(idx + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && b.as_char() == ':'
    )
}

/// Does `path` start with the segments of `prefix`?
fn starts_with(path: &str, prefix: &str) -> bool {
    let path: Vec<&str> = path.split("::").filter(|s| *s != "self").collect();
    let prefix: Vec<&str> = prefix.split("::").collect();
    path.len() >= prefix.len() && path[..prefix.len()] == prefix[..]
}

/// Does `path` hold the segments of `part` one after the other?
fn contains(path: &str, part: &str) -> bool {
    let path: Vec<&str> = path.split("::").collect();
    let part: Vec<&str> = part.split("::").collect();
    path.windows(part.len()).any(|w| w == part.as_slice())
}

#[test]
fn paths_are_read_as_tokens() {
    let src = r#"
        //! std::fs in a comment does not count.
        use std::{fs, env::{self, var}, io::Write as _};
        use chrono::{DateTime, Utc};
        fn grand() -> &'static str {
            let brand = "rand::random and std::process";
            let t = Utc::now();
            format!("{}", std::thread::current().name().unwrap_or(brand))
        }
    "#;
    let found = paths(src);
    for expected in [
        "std::fs",
        "std::env",
        "std::env::var",
        "std::io::Write",
        "chrono::Utc",
        "Utc::now",
        "std::thread::current",
    ] {
        assert!(
            found.iter().any(|p| p == expected),
            "{expected} in {found:?}"
        );
    }
    assert!(!found.iter().any(|p| starts_with(p, "rand")), "{found:?}");
    assert!(
        !found.iter().any(|p| starts_with(p, "std::process")),
        "{found:?}"
    );
}

#[test]
fn every_rust_file_starts_with_a_doc_comment() {
    for (path, text) in all_sources() {
        assert!(
            text.starts_with("//!"),
            "{path} must start with a `//!` comment saying what it is for"
        );
    }
}

#[test]
fn no_ignored_or_should_panic_tests() {
    for (path, text) in all_sources() {
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut attrs = Vec::new();
        syn::visit::Visit::visit_file(&mut AttrNames(&mut attrs), &file);
        for name in ["ignore", "should_panic"] {
            assert!(
                !attrs.iter().any(|a| a == name),
                "{path}: no #[{name}] tests; gate slow tests at run time instead"
            );
        }
    }
}

struct AttrNames<'a>(&'a mut Vec<String>);

impl<'ast> syn::visit::Visit<'ast> for AttrNames<'_> {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let Some(ident) = attr.path().get_ident() {
            self.0.push(ident.to_string());
        }
    }
}

#[test]
fn the_engine_does_no_io_and_reads_no_clock() {
    let forbidden_prefixes = [
        "std::fs",
        "std::env",
        "std::net",
        "std::io",
        "std::process",
        "std::thread",
        "std::time::SystemTime",
        "std::time::Instant",
        "tokio",
        "sled",
        "handlebars",
        "matrix_sdk",
        "ruma",
        "rand",
        "getrandom",
    ];
    let forbidden_calls = ["Utc::now", "Local::now", "SystemTime::now", "Instant::now"];
    for (rel, text) in library_sources() {
        if !rel.starts_with("core/src/engine/") {
            continue;
        }
        for path in paths(&text) {
            for prefix in forbidden_prefixes {
                assert!(
                    !starts_with(&path, prefix),
                    "{rel} uses `{path}`: the engine is pure"
                );
            }
            for call in forbidden_calls {
                assert!(
                    !contains(&path, call),
                    "{rel} uses `{path}`: the engine reads no clock"
                );
            }
        }
    }
}

#[test]
fn each_external_crate_has_one_owning_module() {
    // (path prefix, the only file or folder that may name it)
    let owners = [
        ("sled", "bot/src/journal/"),
        ("handlebars", "bot/src/render/"),
        ("matrix_sdk", "bot/src/matrix/"),
        ("ruma", "bot/src/matrix/"),
        ("std::env", "bot/src/config.rs"),
        ("fluent_bundle", "core/src/lang/catalog.rs"),
        ("fluent_syntax", "core/src/lang/catalog.rs"),
        ("unic_langid", "core/src/lang/"),
        ("tar", "bot/src/backup.rs"),
        ("rusqlite", "bot/src/backup.rs"),
    ];
    for (rel, text) in library_sources() {
        for path in paths(&text) {
            for (prefix, owner) in owners {
                if starts_with(&path, prefix) {
                    assert!(
                        rel.starts_with(owner),
                        "{rel} uses `{path}`, which belongs to {owner}"
                    );
                }
            }
        }
    }
}

#[test]
fn imports_point_down_the_layers() {
    // Inside tocsin-core, lang ← playbook ← engine: a lower layer never names a
    // higher one. The shell above (runtime, front ends) is another crate, which
    // the core cannot name at all.
    let layers: [(&str, &[&str]); 2] = [
        ("core/src/lang", &["crate::playbook", "crate::engine"]),
        ("core/src/playbook", &["crate::engine"]),
    ];
    for (rel, text) in library_sources() {
        for (layer, above) in layers {
            if !rel.starts_with(layer) {
                continue;
            }
            for path in paths(&text) {
                for higher in above {
                    assert!(
                        !starts_with(&path, higher),
                        "{rel} uses `{path}`: {layer} sits below {higher}"
                    );
                }
            }
        }
    }
    // `engine` does not reach into the shell or the front ends.
    for (rel, text) in library_sources() {
        if !rel.starts_with("core/src/engine/") {
            continue;
        }
        for path in paths(&text) {
            for higher in [
                "crate::runtime",
                "crate::render",
                "crate::journal",
                "crate::matrix",
                "crate::console",
                "crate::config",
            ] {
                assert!(
                    !starts_with(&path, higher),
                    "{rel} uses `{path}`: the engine sits below {higher}"
                );
            }
        }
    }
}

/// Types that may derive serde: persisted (journal records, the export file,
/// the journal's watermark, the outbox) or displayed (the report and kit view models).
/// A derive marks a compatibility boundary; add one here knowingly.
const SERDE_ALLOWED: &[(&str, &[&str])] = &[
    (
        "core/src/engine/event.rs",
        &[
            "Author",
            "Record",
            "Event",
            "PostTag",
            "Owner",
            "Verification",
            "Attainment",
            "SynthesisPart",
            "PlanState",
            "CarriedItem",
            "SentFile",
        ],
    ),
    ("bot/src/journal/mod.rs", &["WatermarkEntry"]),
    // The outbox: outputs durable until carried out.
    (
        "bot/src/runtime.rs",
        &["Output", "StimulusOutput", "Delivery", "ReplyTo", "Receipt"],
    ),
    ("core/src/engine/mod.rs", &["StimulusFile"]),
    ("bot/src/export.rs", &["ExportFile", "ExportEntry"]),
    // What tocsin's events carry into the room: kept as long as the room.
    ("bot/src/anchor.rs", &["Mirrored", "Checkpoint", "Anchor"]),
    // A backup's manifest.
    ("bot/src/backup.rs", &["Manifest", "ChainHead"]),
    (
        "bot/src/render/view/mod.rs",
        &[
            "Edition",
            "ReportView",
            "PageView",
            "IdentityView",
            "RunView",
            "ObjectiveRow",
            "Participants",
            "PersonRow",
            "LeadRow",
            "MetricRow",
            "DayView",
            "LogRow",
            "InjectRow",
            "DecisionRow",
            "InfoRow",
            "PointView",
            "ActionRow",
            "ProcedureView",
            "StepRow",
            "ClockRow",
            "ObservationRow",
            "RetexTopicView",
            "ContributionRow",
            "SynthesisView",
            "ImprovementRow",
            "IntegrityView",
            "CheckpointRow",
            "SignatureRow",
            "SourceRow",
        ],
    ),
    ("bot/src/render/plan.rs", &["PlanView", "PlanRow"]),
    (
        "bot/src/render/summary.rs",
        &[
            "SummaryView",
            "SiteView",
            "MetricLine",
            "ObjectiveLine",
            "ObjectiveCell",
            "InjectLine",
            "InjectCell",
        ],
    ),
    (
        "bot/src/render/kit.rs",
        &[
            "KitView",
            "KitProcedure",
            "KitStep",
            "KitRole",
            "KitClock",
            "KitStage",
        ],
    ),
];

#[test]
fn only_persisted_and_displayed_types_derive_serde() {
    let mut found = Vec::new();
    for (rel, text) in library_sources() {
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let mut derives = SerdeDerives(Vec::new());
        syn::visit::Visit::visit_file(&mut derives, &file);
        for name in derives.0 {
            found.push((rel.clone(), name));
        }
    }
    for (rel, name) in &found {
        let allowed = SERDE_ALLOWED
            .iter()
            .any(|(file, names)| file == rel && names.contains(&name.as_str()));
        assert!(
            allowed,
            "{rel}: `{name}` derives serde; only persisted and displayed types may (tidy::SERDE_ALLOWED)"
        );
    }
    // The list stays true: every allowed type still exists and derives serde.
    for (file, names) in SERDE_ALLOWED {
        for name in *names {
            assert!(
                found.iter().any(|(r, n)| r == file && n == name),
                "tidy::SERDE_ALLOWED lists {file} `{name}`, which no longer derives serde"
            );
        }
    }
}

/// Names of structs and enums deriving `Serialize` or `Deserialize`.
struct SerdeDerives(Vec<String>);

impl SerdeDerives {
    fn check(&mut self, attrs: &[syn::Attribute], name: &syn::Ident) {
        for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
            let Ok(list) = attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            ) else {
                continue;
            };
            let serde = list.iter().any(|p| {
                p.segments
                    .last()
                    .is_some_and(|s| s.ident == "Serialize" || s.ident == "Deserialize")
            });
            if serde {
                self.0.push(name.to_string());
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for SerdeDerives {
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.check(&item.attrs, &item.ident);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.check(&item.attrs, &item.ident);
    }
}

/// Every `msg!("id", var, …)` in the code, as (file, id, variables).
fn messages_used() -> Vec<(String, String, std::collections::BTreeSet<String>)> {
    let mut out = Vec::new();
    for (rel, text) in library_sources() {
        let tokens: TokenStream = text.parse().expect("the source tokenizes");
        collect_messages(tokens, &rel, &mut out);
    }
    out
}

fn collect_messages(
    tokens: TokenStream,
    rel: &str,
    out: &mut Vec<(String, String, std::collections::BTreeSet<String>)>,
) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (idx, token) in tokens.iter().enumerate() {
        let TokenTree::Group(group) = token else {
            continue;
        };
        let is_msg = idx >= 2
            && matches!(&tokens[idx - 2], TokenTree::Ident(i) if i == "msg")
            && matches!(&tokens[idx - 1], TokenTree::Punct(p) if p.as_char() == '!');
        // Arguments may say messages too: `msg!("a", b = msg!("c"))`.
        collect_messages(group.stream(), rel, out);
        if !is_msg {
            continue;
        }
        let inner: Vec<TokenTree> = group.stream().into_iter().collect();
        let Some(TokenTree::Literal(id)) = inner.first() else {
            // The macro's own definition: `($id:literal …)`.
            continue;
        };
        let id = id.to_string().trim_matches('"').to_owned();
        // Arguments: `name` or `name = expr`, separated by top-level commas.
        let mut vars = std::collections::BTreeSet::new();
        let mut at_start = false;
        for t in &inner[1..] {
            match t {
                TokenTree::Punct(p) if p.as_char() == ',' => at_start = true,
                TokenTree::Ident(name) if at_start => {
                    vars.insert(name.to_string());
                    at_start = false;
                }
                _ => at_start = false,
            }
        }
        out.push((rel.to_owned(), id, vars));
    }
}

#[test]
fn every_message_the_code_says_is_in_the_catalogs_with_its_variables() {
    let messages =
        tocsin::load::messages(None).unwrap_or_else(|problems| panic!("{}", problems.join("\n")));
    let used = messages_used();
    assert!(!used.is_empty(), "no msg! found: the scan is broken");
    for code in messages.languages() {
        let schema = messages.schema(code);
        for (rel, id, vars) in &used {
            match schema.get(id) {
                None => panic!("{rel}: message `{id}` is missing from {code}.ftl"),
                Some(own) => assert_eq!(
                    own, vars,
                    "{rel}: message `{id}` is given {vars:?}; {code}.ftl uses {own:?}"
                ),
            }
        }
    }
    // And no catalog carries a message nothing says.
    for id in messages.schema("fr").keys() {
        assert!(
            used.iter().any(|(_, u, _)| u == id),
            "messages/fr.ftl: `{id}` is never said by the code"
        );
    }
}
