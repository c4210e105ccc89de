//! The `tocsin` command: run the bot, check playbooks, verify journals, run the console.
//!
//! The options are defined in `cli.rs`; this file does what each subcommand
//! says. Errors print as `tocsin: …` with their causes (`{:#}`), and the exit
//! code tells a supervisor what kind of failure it was (see [`code`]).
#![recursion_limit = "256"]

mod cli;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{CommandFactory, Parser};

use cli::{
    BackupArgs, Cli, Cmd, ConsoleArgs, DemoPlayArgs, Edition, ExportArgs, Format, ImportArgs,
    KitArgs, LogFormat, PlanArgs, PlanFormat, RecoverArgs, RestoreArgs, RunArgs, ScenarioCmd,
    SchemaKind, SettingsArgs, VerifyArgs,
};
use tocsin::config::Misconfigured;
use tocsin::journal::{self, Journal, JournalError};
use tocsin::{backup, console, runtime::Runtime};
use tocsin_core::engine::Settings;
use tocsin_core::engine::event::Author;
use tocsin_core::lang::Lang;
use tocsin_core::lang::catalog::Messages;
use tocsin_core::playbook;

/// Exit codes beyond 0 (success) and 2 (a command-line mistake, from clap).
mod code {
    /// Something failed: a verification, the homeserver, the journal.
    pub const FAILURE: u8 = 1;
    /// Try again later (EX_TEMPFAIL): the journal is in use by a running tocsin
    /// (stop it, or work on a snapshot), or its disk is full, read-only or
    /// unwritable (fix it; the journal itself is fine).
    pub const IN_USE: u8 = 75;
    /// The configuration is wrong; restarting will not help (EX_CONFIG, see contrib/tocsin.service).
    pub const CONFIG: u8 = 78;
}

/// Writes a line to standard output; a closed pipe (`tocsin check | head -1`)
/// is not an error, the rest of the output is dropped.
macro_rules! outln {
    ($($arg:tt)*) => { out(format_args!($($arg)*)) };
}

fn out(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("tocsin: writing to standard output: {err}");
    }
}

/// Bytes to standard output, with the same rule as [`outln!`].
fn out_bytes(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_all(bytes).and_then(|()| stdout.flush())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("tocsin: writing to standard output: {err}");
    }
}

impl SettingsArgs {
    fn settings(&self) -> anyhow::Result<Settings> {
        let (lang, messages) = language(&self.lang, self.messages.as_deref())?;
        let tz = self.tz.parse().map_err(|_| {
            anyhow::anyhow!("--tz: unknown time zone `{}` (e.g. Europe/Paris)", self.tz)
        })?;
        if self.prefix.is_empty() || self.prefix.chars().any(char::is_whitespace) {
            bail!("--prefix: must be non-empty, without spaces");
        }
        Ok(Settings {
            lang,
            tz,
            prefix: self.prefix.clone(),
            messages,
            ..Settings::default()
        })
    }
}

/// `--lang` and `--messages`: the language, which a catalog must speak, and the catalogs.
fn language(lang: &str, messages: Option<&Path>) -> anyhow::Result<(Lang, Messages)> {
    let messages = tocsin::load::messages(messages).map_err(|problems| {
        anyhow::anyhow!(
            "{} problem(s) in the message catalogs:\n{}",
            problems.len(),
            problems.join("\n")
        )
    })?;
    let Some(lang) = Lang::parse(lang).and_then(|l| messages.resolve(l)) else {
        bail!(
            "--lang: unknown language `{lang}`, expected {}",
            messages.describe_languages(false)
        );
    };
    Ok((lang, messages))
}

/// The default log filter when `RUST_LOG` is not set: tocsin's own
/// milestones for the bot, warnings otherwise, and none of the Matrix SDK's
/// routine noise (key backup not configured, account data not found, the
/// device-list check at start).
const BOT_LOG_FILTER: &str = "warn,tocsin=info,matrix_sdk::http_client=off,\
    matrix_sdk_crypto::backups=error,matrix_sdk_crypto::identities::manager=error";
const TOOL_LOG_FILTER: &str = "warn,matrix_sdk::http_client=off,\
    matrix_sdk_crypto::backups=error,matrix_sdk_crypto::identities::manager=error";

fn init_logging(format: LogFormat, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().with_current_span(false).init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default = if matches!(cli.command, Cmd::Run(_)) {
        BOT_LOG_FILTER
    } else {
        TOOL_LOG_FILTER
    };
    init_logging(cli.log_format, default);
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("tocsin: {err:#}");
            // A journal from a newer tocsin: restarting this one will not help either.
            let misconfigured = err.chain().any(|e| {
                e.is::<Misconfigured>()
                    || e.downcast_ref::<JournalError>()
                        .is_some_and(|j| matches!(j, JournalError::Newer { .. }))
            });
            let in_use = err.chain().any(|e| {
                e.downcast_ref::<JournalError>()
                    .is_some_and(JournalError::is_temporary)
            });
            ExitCode::from(if misconfigured {
                code::CONFIG
            } else if in_use {
                code::IN_USE
            } else {
                code::FAILURE
            })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Cmd::Run(args) => run_bot(&args),
        Cmd::DemoPlay(args) => demo_play(&args),
        Cmd::Check(args) => Ok(check(args.paths)),
        Cmd::Verify(args) => verify(&args),
        Cmd::Recover(args) => recover(&args),
        Cmd::Export(args) => export(&args),
        Cmd::Kit(args) => kit(&args),
        Cmd::Plan(args) => plan(&args),
        Cmd::Scenario {
            action: ScenarioCmd::Import(args),
        } => scenario_import(&args),
        Cmd::Console(args) => console(&args),
        Cmd::Doctor(args) => Ok(doctor(&args.data)),
        Cmd::Backup(args) => backup(&args),
        Cmd::Restore(args) => restore(&args),
        Cmd::Schema(args) => {
            out_bytes(
                match args.kind {
                    SchemaKind::Playbook => playbook::schema::PLAYBOOK,
                    SchemaKind::Scenario => playbook::schema::SCENARIO,
                }
                .as_bytes(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "tocsin", &mut script);
            out_bytes(&script);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            out_bytes(&page);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `tocsin run`: the bot, until a signal.
fn run_bot(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(&args.config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let shutdown = tokio_util::sync::CancellationToken::new();
        let signals = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("stopping");
            signals.cancel();
        });
        tocsin::matrix::run(config, shutdown).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The bot's configuration, or every problem in it.
fn load_config(path: &Path) -> anyhow::Result<tocsin::config::Config> {
    if !path.exists() {
        return Err(Misconfigured(format!(
            "no configuration file at {}; copy config.example.toml there and edit it (every field is documented in it), or give its path with --config FILE",
            path.display()
        ))
        .into());
    }
    let config = match tocsin::config::load(path) {
        Ok(config) => config,
        Err(problems) => {
            for p in &problems {
                eprintln!("{}: {p}", path.display());
            }
            return Err(Misconfigured(format!(
                "{} problem(s) in the configuration {}",
                problems.len(),
                path.display()
            ))
            .into());
        }
    };
    Ok(config)
}

/// The recovery key: given on the command line, or from the environment.
fn recovery_key(given: Option<&str>) -> anyhow::Result<tocsin::config::Secret> {
    given
        .map(tocsin::config::Secret::new)
        .or_else(tocsin::config::recovery_key)
        .with_context(|| {
            format!(
                "the recovery key is needed (printed once at the bot's first start): give --recovery-key or set {}",
                tocsin::config::ENV_RECOVERY_KEY
            )
        })
}

/// `tocsin recover`: the journal rebuilt from the rooms.
fn recover(args: &RecoverArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(&args.config)?;
    let key = recovery_key(args.recovery_key.as_deref())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let recovered = rt.block_on(tocsin::matrix::anchor::recover(&config, key.expose()))?;
    outln!(
        "read {} rooms as a new device of {}",
        recovered.rooms,
        config.user_id
    );
    let mut complete = recovered.undecryptable == 0 && recovered.conflicts.is_empty();
    for chain in &recovered.chains {
        if chain.entries == 0 {
            outln!(
                "  {}: not rebuilt, the rooms lack its first entry",
                chain.crisis
            );
            complete = false;
            continue;
        }
        outln!(
            "  {}: {} entries rebuilt, final digest {}",
            chain.crisis,
            chain.entries,
            chain.final_digest
        );
        if let (Some(first), Some(last)) = (chain.beyond.first(), chain.beyond.last()) {
            outln!(
                "    gap: entry {} is in no room; entries {first}..={last} beyond it are not written",
                chain.entries + 1
            );
            complete = false;
        }
    }
    for (crisis, seq, event) in &recovered.conflicts {
        outln!("  {crisis}, entry {seq}: a copy in event {event} contradicts the others or itself");
    }
    if recovered.undecryptable > 0 {
        outln!(
            "  {} of tocsin's events could not be decrypted (their keys are not in the backup)",
            recovered.undecryptable
        );
    }
    outln!(
        "{}: journal written in {}; start the bot as usual, running crises go on",
        if complete { "ok" } else { "partial" },
        config.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `tocsin demo-play`: the scripted crisis of `scripts/demo`.
fn demo_play(args: &DemoPlayArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(tocsin::matrix::demo::play(
        &args.homeserver,
        &args.user,
        &args.password,
        &args.bot,
        &args.invite,
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `tocsin verify`: a journal (`--data`), a backup or a JSON export.
fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    if args.against_room || !args.room_export.is_empty() {
        return verify_against_room(args);
    }
    match (&args.data, &args.file) {
        (None, Some(file)) if backup::is_archive(file) => verify_backup(file),
        (None, Some(file)) => verify_export(file),
        (Some(data), None) => verify_journal(data),
        (None, None) => bail!("give --data DIR (a journal), or FILE (a backup or a JSON export)"),
        (Some(_), Some(_)) => bail!("give either --data DIR or FILE, not both"),
    }
}

/// Verifies an export file, or every export file of an export directory
/// together with the copies of the files they put on record.
fn verify_export(path: &Path) -> anyhow::Result<ExitCode> {
    if !path.is_dir() {
        return verify_export_file(path, false);
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
        let file = entry?.path();
        if file.extension().is_some_and(|e| e == "json") {
            found.push(file);
        }
    }
    found.sort();
    if found.is_empty() {
        bail!("no export (*.json) in {}", path.display());
    }
    let mut status = ExitCode::SUCCESS;
    for file in found {
        if verify_export_file(&file, true)? != ExitCode::SUCCESS {
            status = ExitCode::FAILURE;
        }
    }
    Ok(status)
}

/// Verifies one export file; with `files_needed`, the copies of its files
/// must be beside it (in `files/`), otherwise they are checked if present.
fn verify_export_file(file: &Path, files_needed: bool) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let v = match tocsin::export::verify(&text) {
        Ok(v) => v,
        Err(err) => {
            eprintln!("tocsin: verification FAILED: {}: {err}", file.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    outln!(
        "ok: {} — {} entries, every hash verified",
        v.crisis,
        v.n_entries
    );
    outln!("final digest {}", v.final_digest);
    outln!("compare it with the digest announced when the crisis was sealed");
    let dir = tocsin::export::files_dir(file);
    if v.files.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if !dir.is_dir() && !files_needed {
        outln!(
            "{} files on record, not checked: their copies are not beside the export (in {})",
            v.files.len(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let problems: Vec<String> = v
        .files
        .iter()
        .filter_map(|sha| tocsin::evidence::check(&dir, sha).err())
        .map(|p| p.to_string())
        .collect();
    if problems.is_empty() {
        outln!(
            "ok: {} files on record, every copy matches its hash",
            v.files.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for problem in &problems {
            eprintln!("tocsin: verification FAILED: {}: {problem}", dir.display());
        }
        Ok(ExitCode::FAILURE)
    }
}

/// `tocsin verify … --against-room` / `--room-export FILE`: the local chains
/// compared, entry by entry, with the copies the rooms hold.
fn verify_against_room(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    use tocsin::anchor;
    let (local, whole_journal) = match (&args.data, &args.file) {
        (Some(data), None) => (local_chains(data)?, true),
        (None, Some(file)) if !backup::is_archive(file) && !file.is_dir() => {
            let Some(chain) = exported_chain(file)? else {
                return Ok(ExitCode::FAILURE);
            };
            (vec![chain], false)
        }
        _ => bail!("give the journal (--data DIR) or a JSON export (FILE.json)"),
    };
    let mut events = Vec::new();
    for path in &args.room_export {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        events.extend(
            anchor::element_export(&text).with_context(|| format!("reading {}", path.display()))?,
        );
    }
    let mut sender = args.sender.clone();
    if args.against_room {
        let config = load_config(&args.config)?;
        let key = recovery_key(args.recovery_key.as_deref())?;
        let back = read_rooms_as_new_device(&config, key.expose())?;
        outln!(
            "read {} rooms as a new device of {}",
            back.rooms.len(),
            config.user_id
        );
        if back.undecryptable > 0 {
            outln!(
                "{} of tocsin's events could not be decrypted (their keys are not in the backup)",
                back.undecryptable
            );
        }
        events.extend(back.events);
        sender.get_or_insert(config.user_id);
    }
    let room = anchor::read(&events, sender.as_deref());
    if sender.is_none() && room.senders.len() > 1 {
        bail!(
            "entries are carried by several accounts ({}): give tocsin's with --sender",
            room.senders.join(", ")
        );
    }
    let mut status = ExitCode::SUCCESS;
    for (crisis, entries) in &local {
        let comparison = anchor::compare(crisis, entries, &room);
        if let Some((seq, reason)) = &comparison.first_difference {
            eprintln!("tocsin: DIFFERENCE with the room: {crisis}, entry {seq}: {reason}");
            status = ExitCode::FAILURE;
            continue;
        }
        outln!(
            "ok: {crisis} — {} of {} entries identical in the room",
            comparison.matched,
            entries.len()
        );
        for (first, last) in &comparison.missing {
            outln!("  not in the room: entries {first}..={last}");
        }
    }
    if whole_journal {
        for (crisis, copies) in &room.chains {
            if !local.iter().any(|(c, _)| c == crisis) {
                eprintln!(
                    "tocsin: DIFFERENCE with the room: the room holds crisis {crisis} ({} entries), which this journal lacks",
                    copies.len()
                );
                status = ExitCode::FAILURE;
            }
        }
    }
    Ok(status)
}

/// The chain of a JSON export, as the comparison reads it, once the export
/// verifies on its own (`None`, said on standard error, if it does not).
fn exported_chain(file: &Path) -> anyhow::Result<Option<(String, Vec<tocsin::anchor::Local>)>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    if let Err(err) = tocsin::export::verify(&text) {
        eprintln!("tocsin: verification FAILED: {}: {err}", file.display());
        return Ok(None);
    }
    let export: tocsin::export::ExportFile = serde_json::from_str(&text)?;
    let entries = export
        .entries
        .iter()
        .map(|e| tocsin::anchor::Local {
            seq: e.seq,
            hash: e.hash.clone(),
            payload: e.payload.clone(),
        })
        .collect();
    Ok(Some((export.crisis, entries)))
}

/// Every chain of a journal, as the comparison reads it.
fn local_chains(data: &Path) -> anyhow::Result<Vec<(String, Vec<tocsin::anchor::Local>)>> {
    if !Journal::exists(data) {
        bail!("no journal in {}", data.display());
    }
    let (journal, _) = Journal::open(data, |_| {})
        .with_context(|| format!("opening the journal in {}", data.display()))?;
    let mut chains = Vec::new();
    for crisis in journal.crises() {
        let entries = journal.entries(crisis)?;
        chains.push((
            crisis.to_owned(),
            entries.iter().map(tocsin::anchor::Local::of).collect(),
        ));
    }
    Ok(chains)
}

/// Reads the rooms as a temporary new device, logged out afterwards.
fn read_rooms_as_new_device(
    config: &tocsin::config::Config,
    recovery_key: &str,
) -> anyhow::Result<tocsin::matrix::anchor::ReadBack> {
    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(tocsin::matrix::anchor::read_as_visitor(
        config,
        dir.path(),
        recovery_key,
    ))
}

fn verify_backup(file: &Path) -> anyhow::Result<ExitCode> {
    match backup::verify(file) {
        Ok(v) => {
            outln!(
                "ok: backup taken {} by tocsin {} — {} entries in {} crises, every chain verified",
                v.manifest.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                v.manifest.tocsin,
                v.summary.n_entries,
                v.summary.chains.len()
            );
            print_chains(&v.summary);
            if v.files > 0 {
                outln!("{} files on record, every copy matches its hash", v.files);
            }
            if v.manifest.has_matrix_store() {
                outln!("Matrix session and store present (using them needs the store passphrase)");
            } else {
                outln!("no Matrix session in it: a bot restored from it logs in as a new device");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("tocsin: verification FAILED: {err:#}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_chains(summary: &journal::Summary) {
    for (crisis, head) in &summary.chains {
        outln!(
            "  {crisis}: {} entries, final digest {}",
            head.seq,
            tocsin_core::digest::hex(&head.hash)
        );
    }
}

fn verify_journal(data: &Path) -> anyhow::Result<ExitCode> {
    match Journal::verify_dir(data) {
        Ok(summary) => {
            outln!(
                "ok: {} entries in {} crises, every chain verified",
                summary.n_entries,
                summary.chains.len()
            );
            print_chains(&summary);
            Ok(ExitCode::SUCCESS)
        }
        Err(JournalError::Locked { .. }) => {
            eprintln!(
                "tocsin: the journal in {dir} is in use by a running tocsin (the bot or a console), so it was not checked; nothing is wrong with it for that.\n\
                 To verify it while the bot runs: tocsin backup --data {dir} -o snapshot.tar, then tocsin verify snapshot.tar;\n\
                 or verify an export: !export json in the crisis room, then tocsin verify FILE.json.",
                dir = data.display()
            );
            Ok(ExitCode::from(code::IN_USE))
        }
        Err(err) if err.is_temporary() => {
            eprintln!(
                "tocsin: {err}; the journal was not checked, nothing is wrong with it for that"
            );
            Ok(ExitCode::from(code::IN_USE))
        }
        Err(JournalError::Missing { .. }) => bail!(
            "no journal in {}; give the data directory (bot.data_dir in the configuration)",
            data.display()
        ),
        // Not a failed verification: this tocsin is too old to read it.
        Err(err @ JournalError::Newer { .. }) => {
            eprintln!("tocsin: not verified: {err}");
            Ok(ExitCode::FAILURE)
        }
        Err(err) => {
            eprintln!("tocsin: verification FAILED: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Opens an existing journal for a one-off command, refusing a path that holds none.
fn open_existing(data: &Path) -> anyhow::Result<Journal> {
    if !Journal::exists(data) {
        bail!(
            "no journal in {}; give the data directory (bot.data_dir in the configuration)",
            data.display()
        );
    }
    let (journal, _) = Journal::open(data, |_| {})
        .with_context(|| format!("opening the journal in {}", data.display()))?;
    Ok(journal)
}

/// `tocsin backup`: a consistent snapshot, taken by the running bot if there is one.
fn backup(args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let manifest = backup::backup(&args.data, &args.output)?;
    outln!(
        "wrote {}: {} entries in {} crises{}",
        args.output.display(),
        manifest.n_entries(),
        manifest.crises.len(),
        if manifest.has_matrix_store() {
            ", with the Matrix session and store (encrypted with the store passphrase, which is not in it)"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `tocsin restore`: a snapshot into a new data directory.
fn restore(args: &RestoreArgs) -> anyhow::Result<ExitCode> {
    let verified = backup::restore(&args.file, &args.data)?;
    outln!(
        "restored {} into {}: {} entries in {} crises, every chain verified",
        args.file.display(),
        args.data.display(),
        verified.summary.n_entries,
        verified.summary.chains.len()
    );
    print_chains(&verified.summary);
    if verified.manifest.has_matrix_store() {
        outln!(
            "Start tocsin with bot.data_dir = {} and the same store passphrase as when the backup was taken; it reads back from the homeserver what was said since.",
            args.data.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `tocsin export`: a crisis's report or log, from the journal.
fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (lang, messages) = language(&args.lang, args.messages.as_deref())?;
    let tz = args.tz.parse().map_err(|_| {
        anyhow::anyhow!("--tz: unknown time zone `{}` (e.g. Europe/Paris)", args.tz)
    })?;
    let settings = Settings {
        lang,
        tz,
        messages,
        ..Settings::default()
    };
    let format = match args.format {
        Format::Html => tocsin_core::engine::ExportFormat::Html,
        Format::Md => tocsin_core::engine::ExportFormat::Markdown,
        Format::Json => tocsin_core::engine::ExportFormat::Json,
        Format::Csv => tocsin_core::engine::ExportFormat::Csv,
    };
    let edition = match args.edition {
        Edition::Full => tocsin::render::view::Edition::Full,
        Edition::Players if format.carries_every_entry() => bail!(
            "--edition players: the {} export carries every entry, facilitator material included; give the players html or md",
            format.extension()
        ),
        Edition::Players => tocsin::render::view::Edition::Players,
    };
    let renderer = tocsin::render::Renderer::new(args.templates.as_deref())?;
    let catalog = tocsin::load::dir(&args.playbooks).ok();
    let journal = open_existing(&args.data)?;
    let entries = journal.entries(&args.crisis)?;
    if entries.is_empty() {
        let known: Vec<&str> = journal.crises().collect();
        bail!(
            "no crisis `{}` in {} (crises: {})",
            args.crisis,
            args.data.display(),
            known.join(", ")
        );
    }
    let catalog = catalog.unwrap_or_default();
    let bytes = tocsin::render::export(
        &renderer,
        &entries,
        &catalog,
        &settings,
        format,
        edition,
        chrono::Utc::now(),
    )?;
    std::fs::write(&args.output, bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    outln!(
        "wrote {} ({} entries)",
        args.output.display(),
        entries.len()
    );
    if format == tocsin_core::engine::ExportFormat::Json {
        copy_files(&args.data, &args.output, &entries)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Copies the files a crisis put on record beside its JSON export (`files/`),
/// so that the export directory can be verified whole.
fn copy_files(data: &Path, output: &Path, entries: &[journal::Entry]) -> anyhow::Result<()> {
    let hashes: Vec<&str> = entries
        .iter()
        .filter_map(|e| match &e.record.event {
            tocsin_core::engine::event::Event::File { sha256, .. } => Some(sha256.as_str()),
            _ => None,
        })
        .collect();
    if hashes.is_empty() {
        return Ok(());
    }
    let (from, to) = (
        tocsin::evidence::dir(data),
        tocsin::export::files_dir(output),
    );
    std::fs::create_dir_all(&to).with_context(|| format!("creating {}", to.display()))?;
    for sha in &hashes {
        std::fs::copy(from.join(sha), to.join(sha))
            .with_context(|| format!("copying file {sha} from {}", from.display()))?;
    }
    outln!(
        "copied {} files on record to {}",
        hashes.len(),
        to.display()
    );
    Ok(())
}

/// `tocsin plan`: the improvement plan, folded from every crisis of the journal.
fn plan(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings.settings()?;
    let journal = open_existing(&args.data)?;
    let mut world = tocsin_core::engine::state::World::default();
    let crises: Vec<String> = journal.crises().map(str::to_owned).collect();
    for crisis in &crises {
        for entry in journal.entries(crisis)? {
            world.apply(&entry.record);
        }
    }
    let times = match args.format {
        PlanFormat::Csv => tocsin::render::plan::Times::Machine,
        PlanFormat::Html => tocsin::render::plan::Times::Printed,
    };
    let view = tocsin::render::plan::build(&world, &settings, chrono::Utc::now(), times);
    let bytes = match args.format {
        PlanFormat::Csv => tocsin::render::plan_csv(&view)?,
        PlanFormat::Html => tocsin::render::Renderer::new(args.templates.as_deref())?
            .plan_html(&view)?
            .into_bytes(),
    };
    std::fs::write(&args.output, bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    outln!(
        "wrote {} ({} items, {} open, {} overdue, from {} crises)",
        args.output.display(),
        view.items.len(),
        view.n_open,
        view.n_late,
        crises.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn kit(args: &KitArgs) -> anyhow::Result<ExitCode> {
    let (lang, messages) = language(&args.lang, args.messages.as_deref())?;
    let catalog = tocsin::load::dir(&args.playbooks).map_err(|diags| {
        anyhow::anyhow!(
            "{} problem(s) in the playbooks; run tocsin check {}",
            diags.len(),
            args.playbooks.display()
        )
    })?;
    let Some(pb) = catalog.get(&args.playbook) else {
        bail!(
            "no playbook `{}` (playbooks: {})",
            args.playbook,
            catalog.ids().collect::<Vec<_>>().join(", ")
        );
    };
    let renderer = tocsin::render::Renderer::new(args.templates.as_deref())?;
    let settings = Settings {
        lang,
        messages,
        ..Settings::default()
    };
    let html = renderer.kit_html(&tocsin::render::kit::build(pb, &settings))?;
    std::fs::write(&args.output, html)
        .with_context(|| format!("writing {}", args.output.display()))?;
    outln!("wrote {}", args.output.display());
    Ok(ExitCode::SUCCESS)
}

/// `tocsin scenario import`: a chronogramme CSV into a scenario file.
fn scenario_import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let Some(level) = playbook::scenario::Level::parse(&args.level) else {
        bail!(
            "--level: `{}` is not débutant, intermédiaire or confirmé",
            args.level
        );
    };
    if args.output.exists() && !args.force {
        bail!(
            "{} exists; choose another -o or add --force",
            args.output.display()
        );
    }
    let loaded = tocsin::load::paths(std::slice::from_ref(&args.playbooks));
    let by_id = loaded
        .playbooks
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let file = &args.file;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let Ok(src) = String::from_utf8(bytes) else {
        bail!(
            "{}: not valid UTF-8; in the spreadsheet, save as « CSV UTF-8 »",
            file.display()
        );
    };
    let header = playbook::import::Header {
        id: args.id.clone(),
        code_name: args.code_name.clone(),
        title: args.title.clone(),
        playbook: args.playbook.clone(),
        level,
    };
    match playbook::import::csv_to_scenario(&file.display().to_string(), &src, &header, &by_id) {
        Ok(imported) => {
            std::fs::write(&args.output, &imported.yaml)
                .with_context(|| format!("writing {}", args.output.display()))?;
            outln!(
                "wrote {}: {} injects. Write the texts of objectives {} in it, then run tocsin check.",
                args.output.display(),
                imported.n_injects,
                imported.objectives_to_write.join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!("{} problem(s); nothing written", diags.len());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `tocsin doctor`: one line per finding, 1 if any is a problem.
fn doctor(data: &Path) -> ExitCode {
    use tocsin::doctor::Level;
    let found = tocsin::doctor::check(data);
    for finding in &found {
        let level = match finding.level {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Problem => "problem",
        };
        outln!("{level}: {}", finding.text);
    }
    if found.iter().any(|f| f.level == Level::Problem) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `tocsin console`: the log from a terminal.
fn console(args: &ConsoleArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings.settings()?;
    let catalog = match tocsin::load::dir(&args.playbooks) {
        Ok(catalog) => catalog,
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            bail!(
                "{} problem(s) in the playbooks of {}",
                diags.len(),
                args.playbooks.display()
            );
        }
    };
    let name = args.as_name.trim().to_owned();
    if name.is_empty() {
        bail!("--as: give your name");
    }
    let id = if name.starts_with('@') {
        name.clone()
    } else {
        format!("@{name}")
    };
    let session = console::Session {
        author: Author { id, name },
        room: args.room.clone(),
        exports: args.data.join("exports"),
    };
    if !Journal::exists(&args.data) && !args.new {
        bail!(
            "no journal in {}; check the path (bot.data_dir in the configuration), or add --new to start a new journal there",
            args.data.display()
        );
    }
    let (runtime, _) = Runtime::open(&args.data, catalog.clone(), settings.clone(), None)?;
    // After a storage failure, from what is on disk; a lock still held is
    // the dropped journal's own, which sled's threads release just after.
    let reopen = || {
        tocsin::journal::storage::probe_journal(&args.data)
            .context("the disk holding the journal refuses writes still")?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match Runtime::open(&args.data, catalog.clone(), settings.clone(), None) {
                Err(err)
                    if std::time::Instant::now() < deadline
                        && err.chain().any(|e| {
                            e.downcast_ref::<JournalError>()
                                .is_some_and(|j| matches!(j, JournalError::Locked { .. }))
                        }) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                opened => break opened.map(|(runtime, _)| runtime),
            }
        }
    };
    let stdin = std::io::stdin();
    let left = console::run(
        runtime,
        reopen,
        &session,
        stdin.lock(),
        std::io::stdout().lock(),
    )
    .context("console")?;
    if let Some(runtime) = left {
        runtime.close()?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(paths: Vec<PathBuf>) -> ExitCode {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("playbooks")]
    } else {
        paths
    };
    let loaded = tocsin::load::paths(&paths);
    let mut diagnostics = loaded.diagnostics;
    if diagnostics.is_empty()
        && let Err(dups) = playbook::Catalog::from_playbooks(loaded.playbooks.clone())
            .and_then(|c| c.with_scenarios(loaded.scenarios.clone()))
    {
        diagnostics = dups;
    }
    for pb in &loaded.playbooks {
        outln!(
            "ok {}: playbook {} v{} — {} roles, {} procedures ({} steps), {} clocks",
            pb.origin,
            pb.id,
            pb.version,
            pb.roles.len(),
            pb.procedures.len(),
            pb.n_steps(),
            pb.clocks.len()
        );
        // Warnings do not fail the check: the playbook is usable, but says less than it should.
        for w in &pb.warnings {
            eprintln!("{w}");
        }
    }
    for sc in &loaded.scenarios {
        outln!(
            "ok {}: scenario {} v{} « {} » on {} — {} objectives, {} injects ({} timed, last at T+{})",
            sc.origin,
            sc.id,
            sc.version,
            sc.code_name,
            sc.playbook,
            sc.objectives.len(),
            sc.injects.len(),
            sc.n_timed(),
            playbook::format_duration(sc.length()),
        );
    }
    for d in &diagnostics {
        eprintln!("{d}");
    }
    if loaded.files.is_empty() && diagnostics.is_empty() {
        eprintln!(
            "tocsin: no playbook found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::FAILURE;
    }
    if diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("{} problem(s) found", diagnostics.len());
        ExitCode::FAILURE
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
