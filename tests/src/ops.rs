//! What an IT administrator meets: each mistake on the road from the demo to
//! production gets a message naming the setting and the fix, and an exit code
//! a supervisor can act on (78: the configuration is wrong; 75: the journal
//! is in use). Every test starts the real binary with the bad input.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{root, text, tocsin, tocsin_bin};

const CONFIG_ERROR: i32 = 78;
const IN_USE: i32 = 75;

/// Runs `tocsin` in `dir` with only the environment a test gives.
fn tocsin_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(tocsin_bin());
    cmd.args(args)
        .current_dir(dir)
        .env("RUST_LOG", "off")
        .env_remove("TOCSIN_PASSWORD")
        .env_remove("TOCSIN_ACCESS_TOKEN")
        .env_remove("TOCSIN_STORE_PASSPHRASE")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running tocsin")
}

/// A configuration that is valid but for what `edit` changes.
fn config(dir: &Path, homeserver: &str, extra_matrix: &str) -> std::path::PathBuf {
    let path = dir.join("tocsin.toml");
    std::fs::write(
        &path,
        format!(
            "[matrix]\nhomeserver = \"{homeserver}\"\nuser_id = \"@tocsin:chu.fr\"\n{extra_matrix}\n\
             [bot]\ndata_dir = \"data\"\nplaybooks_dir = \"{}\"\nallowed_inviters = [\"chu.fr\"]\n",
            root().join("playbooks").display()
        ),
    )
    .unwrap();
    path
}

fn run_config(dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let out = tocsin_in(dir, &["run", "--config", "tocsin.toml"], env);
    (out.status.code().unwrap_or(-1), text(&out.stderr))
}

#[test]
fn run_without_a_configuration_points_at_the_example_and_names_the_path_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = tocsin_in(dir.path(), &["run"], &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(CONFIG_ERROR), "{stderr}");
    expect_test::expect![[r#"
        tocsin: no configuration file at tocsin.toml; copy config.example.toml there and edit it (every field is documented in it), or give its path with --config FILE
    "#]]
    .assert_eq(&stderr);
}

#[test]
fn a_toml_syntax_error_gives_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tocsin.toml"),
        "[matrix]\nhomeserver = https://matrix.chu.fr\n",
    )
    .unwrap();
    let (code, stderr) = run_config(dir.path(), &[]);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    assert!(
        stderr.starts_with("tocsin.toml: line 2, column 14: invalid TOML: "),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("tocsin: 1 problem(s) in the configuration tocsin.toml\n"),
        "{stderr}"
    );
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    config(
        dir.path(),
        "http://matrix.chu.fr",
        "password = \"s3cret-Bot\"",
    );
    let (code, stderr) = run_config(dir.path(), &[]);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    expect_test::expect![[r#"
        tocsin.toml: matrix.homeserver: `http://matrix.chu.fr` is plain HTTP: the bot's password, its access token and every message would cross the network in clear; use https:// (http:// is only accepted for localhost, 127.0.0.1 and ::1)
        tocsin: 1 problem(s) in the configuration tocsin.toml
    "#]]
    .assert_eq(&stderr);
}

#[test]
fn the_example_placeholders_are_refused_from_the_file_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(root().join("config.example.toml")).unwrap();
    std::fs::write(dir.path().join("tocsin.toml"), example).unwrap();
    let (code, stderr) = run_config(dir.path(), &[]);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    expect_test::expect![[r#"
        tocsin.toml: matrix.password: `change-me` is a placeholder (from config.example.toml?); set the real value, or leave it out of the file and set TOCSIN_PASSWORD
        tocsin.toml: matrix.store_passphrase: `change-me-too` is a placeholder (from config.example.toml?); set the real value, or leave it out of the file and set TOCSIN_STORE_PASSPHRASE
        tocsin: 2 problem(s) in the configuration tocsin.toml
    "#]]
    .assert_eq(&stderr);
    let (code, stderr) = run_config(
        dir.path(),
        &[
            ("TOCSIN_PASSWORD", "changeme"),
            ("TOCSIN_STORE_PASSPHRASE", "a real passphrase"),
        ],
    );
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    assert!(
        stderr.starts_with("tocsin.toml: TOCSIN_PASSWORD: `changeme` is a placeholder"),
        "{stderr}"
    );
}

/// Under systemd's `LoadCredential=` (contrib/tocsin.service), the secrets
/// are files in `$CREDENTIALS_DIRECTORY`; the environment still wins.
#[test]
fn secrets_are_read_from_the_credentials_directory() {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), "https://matrix.chu.fr", "");
    let credentials = dir.path().join("credentials");
    std::fs::create_dir(&credentials).unwrap();
    std::fs::write(credentials.join("TOCSIN_PASSWORD"), "change-me\n").unwrap();
    std::fs::write(
        credentials.join("TOCSIN_STORE_PASSPHRASE"),
        "a real passphrase\n",
    )
    .unwrap();
    let from_credentials = [("CREDENTIALS_DIRECTORY", credentials.to_str().unwrap())];
    let (code, stderr) = run_config(dir.path(), &from_credentials);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    expect_test::expect![[r#"
        tocsin.toml: TOCSIN_PASSWORD: `change-me` is a placeholder (from config.example.toml?); set the real value, or leave it out of the file and set TOCSIN_PASSWORD
        tocsin: 1 problem(s) in the configuration tocsin.toml
    "#]]
    .assert_eq(&stderr);

    let env_first = [from_credentials[0], ("TOCSIN_PASSWORD", "changeme")];
    let (code, stderr) = run_config(dir.path(), &env_first);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    assert!(
        stderr.starts_with("tocsin.toml: TOCSIN_PASSWORD: `changeme` is a placeholder"),
        "{stderr}"
    );

    std::fs::remove_file(credentials.join("TOCSIN_PASSWORD")).unwrap();
    std::fs::create_dir(credentials.join("TOCSIN_PASSWORD")).unwrap();
    let (code, stderr) = run_config(dir.path(), &from_credentials);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "tocsin.toml: TOCSIN_PASSWORD: the credential {} cannot be read: ",
            credentials.join("TOCSIN_PASSWORD").display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_homeserver_url_with_the_client_api_path_names_the_base_url() {
    let dir = tempfile::tempdir().unwrap();
    config(
        dir.path(),
        "https://matrix.chu.fr/_matrix/client",
        "password = \"s3cret-Bot\"",
    );
    let (code, stderr) = run_config(dir.path(), &[]);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    expect_test::expect![[r#"
        tocsin.toml: matrix.homeserver: give the homeserver's base URL, without `/_matrix/client`: "https://matrix.chu.fr"
        tocsin: 1 problem(s) in the configuration tocsin.toml
    "#]]
    .assert_eq(&stderr);
}

/// A server that speaks plain HTTP and, like Synapse, waits for a full
/// request before answering: a TLS handshake gets no answer at all.
fn plain_http_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line == "\r\n" {
                        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\n\r\n");
                        return;
                    }
                    line.clear();
                }
            });
        }
    });
    port
}

#[test]
fn https_against_a_plain_http_port_is_detected_at_once() {
    let port = plain_http_server();
    let dir = tempfile::tempdir().unwrap();
    config(
        dir.path(),
        &format!("https://127.0.0.1:{port}"),
        "password = \"s3cret-Bot\"",
    );
    let started = Instant::now();
    let (code, stderr) = run_config(dir.path(), &[]);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        stderr.contains(&format!(
            "matrix.homeserver: https://127.0.0.1:{port} answers plain HTTP, not HTTPS"
        )) && stderr.contains("docs/deploying.md"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_passphrase_that_differs_from_the_first_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("data/matrix");
    std::fs::create_dir_all(&matrix).unwrap();
    // The store as a first run left it: created with another passphrase.
    matrix_sdk::Client::builder()
        .homeserver_url("http://127.0.0.1:9")
        .sqlite_store(matrix.join("store"), Some("the first passphrase"))
        .build()
        .await
        .unwrap();
    std::fs::write(
        matrix.join("session.json"),
        r#"{"user_id":"@tocsin:chu.fr","device_id":"TOCSINDEV","access_token":"syt_x"}"#,
    )
    .unwrap();
    config(
        dir.path(),
        "http://127.0.0.1:9",
        "password = \"s3cret-Bot\"",
    );
    let dir_path = dir.path().to_path_buf();
    let (code, stderr) = tokio::task::spawn_blocking(move || {
        run_config(
            &dir_path,
            &[("TOCSIN_STORE_PASSPHRASE", "another passphrase")],
        )
    })
    .await
    .unwrap();
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    assert!(
        stderr.contains("tocsin: the store passphrase does not open the Matrix store in data/matrix/store: it differs from the one the store was created with (matrix.store_passphrase or TOCSIN_STORE_PASSPHRASE)")
            && stderr.contains("logs in as a new device (see docs/deploying.md"),
        "{stderr}"
    );
    assert!(!stderr.contains("aead"), "{stderr}");
}

#[test]
fn the_console_refuses_a_directory_without_a_journal_unless_asked_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("dta");
    let out = tocsin(
        &["console", "--data", typo.to_str().unwrap(), "--as", "Alice"],
        b"!ouvrir rancongiciel\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "tocsin: no journal in {}; check the path (bot.data_dir in the configuration), or add --new to start a new journal there\n",
            typo.display()
        )
    );
    assert!(!typo.exists(), "nothing created");
    let out = tocsin(
        &[
            "console",
            "--data",
            typo.to_str().unwrap(),
            "--new",
            "--as",
            "Alice",
        ],
        b"!ouvrir rancongiciel\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(tocsin::journal::Journal::exists(&typo));
}

/// A console holding the journal, until its standard input closes.
struct Holder(std::process::Child);

impl Holder {
    fn start(data: &Path) -> Holder {
        let mut child = Command::new(tocsin_bin())
            .args(["console", "--new", "--as", "Alice", "--data"])
            .arg(data)
            .current_dir(root())
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.as_mut().unwrap();
        stdin.write_all(b"!ouvrir rancongiciel\n").unwrap();
        stdin.flush().unwrap();
        // The acknowledgement means the journal is open and written.
        let mut first = [0u8; 3];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        Holder(child)
    }

    fn stop(mut self) {
        drop(self.0.stdin.take());
        self.0.wait().unwrap();
    }
}

#[test]
fn verify_on_a_journal_in_use_says_so_and_how_to_verify_anyway() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let holder = Holder::start(&data);
    let out = tocsin(&["verify", "--data", data.to_str().unwrap()], b"");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(IN_USE), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "tocsin: the journal in {} is in use by a running tocsin (the bot or a console), so it was not checked; nothing is wrong with it for that.",
            data.display()
        )) && stderr.contains("tocsin backup --data")
            && stderr.contains("!export json"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("FAILED") && !stderr.contains("corrupt"),
        "{stderr}"
    );
    // A backup needs the bot to take it: a console does not answer.
    let out = tocsin(
        &[
            "backup",
            "--data",
            data.to_str().unwrap(),
            "-o",
            dir.path().join("b.tar").to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        text(&out.stderr).contains("is in use, but nothing answers backup requests"),
        "{}",
        text(&out.stderr)
    );
    // Nor does the bot start on it: 75, which a supervisor may retry later.
    config(
        dir.path(),
        "http://127.0.0.1:9",
        "password = \"s3cret-Bot\"",
    );
    let (code, stderr) = run_config(dir.path(), &[]);
    assert_eq!(code, IN_USE, "{stderr}");
    assert!(
        stderr.contains("is in use by another tocsin process"),
        "{stderr}"
    );
    holder.stop();
    let out = tocsin(&["verify", "--data", data.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_backup_of_a_stopped_journal_verifies_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    Holder::start(&data).stop();
    let snapshot = dir.path().join("snap.tar");
    let out = tocsin(
        &[
            "backup",
            "--data",
            data.to_str().unwrap(),
            "-o",
            snapshot.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 entries in 1 crises"),
        "{}",
        text(&out.stdout)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&snapshot).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the snapshot is private: {mode:o}");
    }
    let out = tocsin(&["verify", snapshot.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 entries in 1 crises, every chain verified"),
        "{}",
        text(&out.stdout)
    );
    // Restoring refuses a directory in use, then brings it back elsewhere.
    let out = tocsin(
        &[
            "restore",
            snapshot.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        !out.status.success() && text(&out.stderr).contains("is not empty"),
        "{}",
        text(&out.stderr)
    );
    let restored = dir.path().join("restored");
    let out = tocsin(
        &[
            "restore",
            snapshot.to_str().unwrap(),
            "--data",
            restored.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let original = tocsin::journal::Journal::verify_dir(&data).unwrap();
    assert_eq!(
        tocsin::journal::Journal::verify_dir(&restored).unwrap(),
        original
    );
    // A snapshot altered by one byte is refused.
    let mut bytes = std::fs::read(&snapshot).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    let altered = dir.path().join("altered.tar");
    std::fs::write(&altered, bytes).unwrap();
    let out = tocsin(&["verify", altered.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).starts_with("tocsin: verification FAILED: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_piped_into_head_stops_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Enough output to fill the pipe once the reader is gone.
    for n in 0..400 {
        std::fs::write(
            dir.path().join(format!("p{n}.yaml")),
            format!("id: p{n}\nversion: \"1\"\ntitle: P\nroles:\n  - id: dsi\n    title: DSI\n"),
        )
        .unwrap();
    }
    let mut child = Command::new(tocsin_bin())
        .args(["check"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, as `head -1` exits.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("ok "), "{first}");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"));
}

#[test]
fn completions_and_the_manual_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = tocsin(&["completions", shell], b"");
        assert!(out.status.success());
        let script = text(&out.stdout);
        assert!(
            script.contains("backup") && script.contains("log-format"),
            "{shell}"
        );
    }
    let out = tocsin(&["man"], b"");
    let page = text(&out.stdout);
    assert!(page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH tocsin"));
    assert!(page.contains("backup"));
}

#[test]
fn logs_carry_no_escape_codes_off_a_terminal_and_can_be_json() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["text", "json"] {
        let data = dir.path().join(format);
        let mut child = Command::new(tocsin_bin())
            .args(["--log-format", format, "console", "--new", "--as", "A"])
            .arg("--data")
            .arg(&data)
            .current_dir(root())
            .env("RUST_LOG", "tocsin=info")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"!ouvrir rancongiciel\n")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "escape codes: {stderr:?}");
        let opened: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("crisis opened"))
            .collect();
        assert_eq!(opened.len(), 1, "{stderr}");
        if format == "json" {
            let line: serde_json::Value = serde_json::from_str(opened[0]).unwrap();
            assert_eq!(line["level"], "INFO", "{line}");
            assert_eq!(line["fields"]["message"], "crisis opened", "{line}");
            assert!(line["fields"]["crisis"].is_string(), "{line}");
        }
    }
}

/// A journal written by a newer tocsin: `verify` says it was not verified
/// and why, rather than "FAILED"; `run` exits with the configuration code,
/// so that the supervisor does not restart it in a loop.
#[test]
fn a_journal_from_a_newer_tocsin_is_named_not_called_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    Holder::start(&data).stop();
    let crisis = {
        let db = sled::open(data.join("journal")).unwrap();
        let name = db
            .tree_names()
            .into_iter()
            .find(|n| n.starts_with(b"chain/"))
            .expect("a crisis chain");
        let tree = db.open_tree(&name).unwrap();
        let mut value = tree.get(1u64.to_be_bytes()).unwrap().unwrap().to_vec();
        let payload = String::from_utf8(value[65..].to_vec()).unwrap();
        let newer = payload.replacen("\"v\":1,", "\"v\":2,", 1);
        assert_ne!(newer, payload);
        let hash = tocsin::journal::chain_hash(&tocsin::journal::GENESIS, 1, newer.as_bytes());
        value.truncate(33);
        value.extend_from_slice(&hash);
        value.extend_from_slice(newer.as_bytes());
        tree.insert(1u64.to_be_bytes(), value).unwrap();
        db.flush().unwrap();
        String::from_utf8(name.strip_prefix(b"chain/").unwrap().to_vec()).unwrap()
    };
    let out = tocsin_in(dir.path(), &["verify", "--data", "data"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        format!(
            "tocsin: not verified: the journal was written by a newer tocsin: crisis {crisis}, entry 1: \
             record version 2 is newer than this tocsin (1); run that version or a later one \
             (see docs/deploying.md, \"Upgrades\")\n"
        )
    );
    config(
        dir.path(),
        "http://127.0.0.1:9",
        "password = \"s3cret-Bot\"",
    );
    let (code, stderr) = run_config(dir.path(), &[]);
    assert_eq!(code, CONFIG_ERROR, "{stderr}");
    assert!(
        stderr.contains("the journal was written by a newer tocsin"),
        "{stderr}"
    );
}

/// A journal whose crisis `20261129-rancongiciel` put one file on record;
/// returns the file's SHA-256 and content.
fn journal_with_a_file(data: &Path) -> (String, &'static [u8]) {
    let photo: &[u8] = b"photo of the paper log sheet";
    let sha256 = tocsin::evidence::store(&tocsin::evidence::dir(data), photo).unwrap();
    let record = |seq: u64, event: serde_json::Value| {
        serde_json::from_value::<tocsin_core::engine::event::Record>(serde_json::json!({
            "v": tocsin_core::engine::event::RECORD_VERSION,
            "seq": seq,
            "crisis": "20261129-rancongiciel",
            "occurred_at": "2026-11-29T02:40:00Z",
            "recorded_at": "2026-11-29T02:40:00Z",
            "author": {"id": "@a:chu.fr", "name": "A"},
            "event": event,
        }))
        .unwrap()
    };
    let (mut journal, _) = tocsin::journal::Journal::open(data, |_| {}).unwrap();
    journal
        .append(&[
            record(
                1,
                serde_json::json!({"kind": "crisis_opened", "room": "!r:chu.fr",
                    "playbook": "rancongiciel", "playbook_version": "1", "exercise": false}),
            ),
            record(
                2,
                serde_json::json!({"kind": "file", "reference": "F1", "name": "sheet.jpg",
                    "mime": "image/jpeg", "size": photo.len(), "sha256": sha256}),
            ),
        ])
        .unwrap();
    journal.close().unwrap();
    (sha256, photo)
}

/// A JSON export carries the copies of the files beside it (`files/`), and
/// `tocsin verify` on the export directory checks each against its hash.
#[test]
fn an_export_directory_verifies_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (sha256, _) = journal_with_a_file(&data);
    let exports = dir.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let out = tocsin(
        &[
            "export",
            "--data",
            data.to_str().unwrap(),
            "--crisis",
            "20261129-rancongiciel",
            "--format",
            "json",
            "-o",
            exports.join("log.json").to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("copied 1 files on record to"),
        "{}",
        text(&out.stdout)
    );
    let out = tocsin(&["verify", exports.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("ok: 1 files on record, every copy matches its hash"),
        "{}",
        text(&out.stdout)
    );
    let copy = tocsin::export::files_dir(&exports.join("log.json")).join(&sha256);
    std::fs::write(&copy, b"another photo").unwrap();
    let out = tocsin(&["verify", exports.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("verification FAILED")
            && text(&out.stderr).contains(&format!("file {sha256} was altered")),
        "{}",
        text(&out.stderr)
    );
}

/// The files a crisis put on record (`data/files`) are in its backups:
/// `verify` checks each copy against its hash and names a missing one, and
/// `restore` brings them back.
#[test]
fn files_on_record_are_backed_up_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (sha256, photo) = journal_with_a_file(&data);

    let backup = |name: &str| {
        let snapshot = dir.path().join(name);
        let out = tocsin(
            &[
                "backup",
                "--data",
                data.to_str().unwrap(),
                "-o",
                snapshot.to_str().unwrap(),
            ],
            b"",
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        snapshot
    };
    let snapshot = backup("with-files.tar");
    let out = tocsin(&["verify", snapshot.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 files on record, every copy matches its hash"),
        "{}",
        text(&out.stdout)
    );
    let restored = dir.path().join("restored");
    let out = tocsin(
        &[
            "restore",
            snapshot.to_str().unwrap(),
            "--data",
            restored.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(tocsin::evidence::dir(&restored).join(&sha256)).unwrap(),
        photo
    );

    // A data directory that lost the file gives a snapshot that says so.
    std::fs::remove_file(tocsin::evidence::dir(&data).join(&sha256)).unwrap();
    let snapshot = backup("without-files.tar");
    let out = tocsin(&["verify", snapshot.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains(&format!("file {sha256} is missing")),
        "{}",
        text(&out.stderr)
    );
}
