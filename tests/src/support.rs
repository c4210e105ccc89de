//! Shared helpers: the repository root, the `tocsin` binary, running it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `tocsin` executable, built once per test run (a no-op when up to date).
pub fn tocsin_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "tocsin", "--bin", "tocsin"])
            .current_dir(root())
            .status()
            .expect("running cargo build for the tocsin binary");
        assert!(status.success(), "cargo build of the tocsin binary failed");
        // The test executable is target/<profile>/deps/…; the binary is in target/<profile>/.
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(Path::parent).unwrap();
        let candidate = profile_dir.join("tocsin");
        if candidate.exists() {
            candidate
        } else {
            root().join("target/debug/tocsin")
        }
    })
}

/// Runs `tocsin` with arguments and standard input, from the repository root.
pub fn tocsin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(tocsin_bin())
        .args(args)
        .current_dir(root())
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting tocsin");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("waiting for tocsin");
    writer.join().unwrap();
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A runtime over the shipped playbooks, its journal in `dir`.
pub fn runtime(dir: &Path) -> tocsin::runtime::Runtime {
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    tocsin::runtime::Runtime::open(dir, catalog, tocsin_core::engine::Settings::default(), None)
        .unwrap()
        .0
}

/// Message `n` of alice (a lead) in the room `!cell:chu.fr`, at 03:40:`n` on
/// 2026-11-29, and what an answer replies to.
pub fn cell_input(
    n: u32,
    body: tocsin_core::engine::Body,
) -> (tocsin_core::engine::Input, tocsin::runtime::ReplyTo) {
    use chrono::TimeZone;
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 29, 3, 40, n)
        .unwrap();
    let event = format!("$event{n}");
    let input = tocsin_core::engine::Input {
        at,
        sent_at: at,
        author: tocsin_core::engine::event::Author {
            id: "@alice:chu.fr".into(),
            name: "alice".into(),
        },
        room: "!cell:chu.fr".into(),
        body,
        source: Some(event.clone()),
        privileged: true,
        quoted: None,
        in_reply_to: None,
    };
    let reply_to = tocsin::runtime::ReplyTo {
        room: "!cell:chu.fr".into(),
        event_id: event,
        thread: None,
        message: true,
    };
    (input, reply_to)
}

/// Handles `input` with no reply target and checks that tocsin did not
/// refuse it (`context` says which line of a script it was); its outputs.
pub fn handled(
    runtime: &mut tocsin::runtime::Runtime,
    input: &tocsin_core::engine::Input,
    context: &str,
) -> Vec<tocsin::runtime::Delivery> {
    let outputs = runtime.handle(input, None).unwrap();
    assert!(
        !outputs
            .iter()
            .any(|o| matches!(o.output, tocsin::runtime::Output::Refuse(_))),
        "{context}: {outputs:?}"
    );
    outputs
}
