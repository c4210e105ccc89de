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
