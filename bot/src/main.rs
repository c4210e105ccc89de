//! The `tocsin` command: run the bot, check playbooks, verify journals, run the console.
#![recursion_limit = "256"]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use tocsin::engine::Settings;
use tocsin::engine::event::Author;
use tocsin::journal::{self, Journal};
use tocsin::lang::Lang;
use tocsin::lang::catalog::Messages;
use tocsin::{console, playbook, runtime::Runtime};

#[derive(Parser, Debug)]
#[command(
    name = "tocsin",
    version,
    about = "Runs a hospital's cyber crisis cell in a Matrix room"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run the bot on a Matrix homeserver.
    Run(RunArgs),
    /// Play a short scripted crisis against a running bot, as a demo user (used by scripts/demo).
    #[command(hide = true)]
    DemoPlay(DemoPlayArgs),
    /// Check playbooks; every problem is reported as file:line:column.
    Check(CheckArgs),
    /// Verify every hash chain of a journal; names the first bad entry.
    /// Verify a journal (--data DIR), a JSON export (FILE.json) or an export directory; names the first bad entry or file.
    Verify(VerifyArgs),
    /// Export a crisis: the report (html, md), or the full log (json with its hash chain, csv).
    Export(ExportArgs),
    /// Print a playbook as a paper kit: reflex sheets, checklists, blank log sheets, role cards.
    Kit(KitArgs),
    /// The establishment's improvement plan across crises and exercises (html to print, csv).
    Plan(PlanArgs),
    /// Exercise scenarios.
    Scenario {
        #[command(subcommand)]
        action: ScenarioCmd,
    },
    /// Keep the main courante from a terminal: one command per line on standard input.
    Console(ConsoleArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The configuration file (see config.example.toml).
    #[arg(long, default_value = "tocsin.toml")]
    config: PathBuf,
}

#[derive(clap::Args, Debug)]
struct DemoPlayArgs {
    #[arg(long)]
    homeserver: String,
    #[arg(long)]
    user: String,
    #[arg(long)]
    password: String,
    /// The bot's user id.
    #[arg(long)]
    bot: String,
    /// Other users to invite.
    #[arg(long, value_delimiter = ',')]
    invite: Vec<String>,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories (default: playbooks/).
    paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct VerifyArgs {
    /// The data directory holding the journal.
    #[arg(long, conflicts_with = "file")]
    data: Option<PathBuf>,
    /// A JSON export to check offline, or an export directory (its *.json and, in files/, the copies of the files they put on record).
    file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ExportArgs {
    #[arg(long)]
    data: PathBuf,
    /// The crisis id (see `tocsin verify --data DIR`).
    #[arg(long)]
    crisis: String,
    #[arg(long, default_value = "html")]
    format: String,
    /// players: no facilitator material; full: everything.
    #[arg(long, default_value = "full")]
    edition: String,
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long, default_value = "playbooks")]
    playbooks: PathBuf,
    /// A directory whose *.hbs files replace the built-in templates.
    #[arg(long)]
    templates: Option<PathBuf>,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(clap::Args, Debug)]
struct PlanArgs {
    #[arg(long)]
    data: PathBuf,
    /// html or csv.
    #[arg(long, default_value = "html")]
    format: String,
    #[arg(short, long)]
    output: PathBuf,
    /// A directory whose *.hbs files replace the built-in templates.
    #[arg(long)]
    templates: Option<PathBuf>,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(clap::Args, Debug)]
struct KitArgs {
    #[arg(long)]
    playbook: String,
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long, default_value = "playbooks")]
    playbooks: PathBuf,
    #[arg(long)]
    templates: Option<PathBuf>,
    #[arg(long, default_value = "fr")]
    lang: String,
    /// A directory of message catalogs (<lang>.ftl) overriding or adding to the built-in ones.
    #[arg(long)]
    messages: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ConsoleArgs {
    /// The data directory holding the journal.
    #[arg(long)]
    data: PathBuf,
    /// Your name, as recorded as the author.
    #[arg(long = "as")]
    as_name: String,
    /// The playbooks directory.
    #[arg(long, default_value = "playbooks")]
    playbooks: PathBuf,
    /// The room whose crisis to write to (default: the console's own).
    #[arg(long, default_value = "console")]
    room: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Subcommand, Debug)]
enum ScenarioCmd {
    /// Turn a chronogramme spreadsheet saved as CSV into a scenario file
    /// (columns: id; at; after; from; to; channel; content_fr; content_en;
    /// expected_fr; expected_en; objectives; notes).
    Import(ImportArgs),
}

#[derive(clap::Args, Debug)]
struct ImportArgs {
    /// The CSV file (`;` or `,` separated, UTF-8).
    file: PathBuf,
    /// The playbook the exercise uses.
    #[arg(long)]
    playbook: String,
    /// The scenario id (lowercase letters, digits, `-`).
    #[arg(long)]
    id: String,
    /// The exercise's code name.
    #[arg(long)]
    code_name: String,
    #[arg(long)]
    title: Option<String>,
    /// débutant, intermédiaire or confirmé.
    #[arg(long, default_value = "intermédiaire")]
    level: String,
    #[arg(short, long)]
    output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
    #[arg(long, default_value = "playbooks")]
    playbooks: PathBuf,
}

#[derive(clap::Args, Debug)]
struct SettingsArgs {
    /// Language of replies: fr, en, or one that --messages adds.
    #[arg(long, default_value = "fr")]
    lang: String,
    /// A directory of message catalogs (<lang>.ftl) overriding or adding to the built-in ones.
    #[arg(long)]
    messages: Option<PathBuf>,
    /// Time zone for times shown and typed.
    #[arg(long, default_value = "Europe/Paris")]
    tz: String,
    /// Command prefix.
    #[arg(long, default_value = "!")]
    prefix: String,
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
    let messages = Messages::load(messages).map_err(|problems| {
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

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("tocsin: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Cmd::Run(args) => run_bot(&args),
        Cmd::DemoPlay(args) => demo_play(&args),
        Cmd::Check(args) => Ok(check(args.paths)),
        Cmd::Verify(args) => verify(&args),
        Cmd::Export(args) => export(&args),
        Cmd::Kit(args) => kit(&args),
        Cmd::Plan(args) => plan(&args),
        Cmd::Scenario {
            action: ScenarioCmd::Import(args),
        } => scenario_import(&args),
        Cmd::Console(args) => console(&args),
    }
}

/// `tocsin run`: the bot, until a signal.
fn run_bot(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let config = match tocsin::config::load(&args.config) {
        Ok(config) => config,
        Err(problems) => {
            for p in &problems {
                eprintln!("{}: {p}", args.config.display());
            }
            bail!("{} problem(s) in the configuration", problems.len());
        }
    };
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

/// `tocsin verify`: a journal (`--data`) or a JSON export.
fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    match (&args.data, &args.file) {
        (None, Some(file)) => verify_export(file),
        (Some(data), None) => verify_journal(data),
        (None, None) => bail!("give --data DIR (a journal) or FILE.json (an export)"),
        (Some(_), Some(_)) => bail!("give either --data DIR or FILE.json, not both"),
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
    println!(
        "ok: {} — {} entries, every hash verified",
        v.crisis, v.n_entries
    );
    println!("final digest {}", v.final_digest);
    println!("compare it with the digest announced when the crisis was sealed");
    let dir = tocsin::export::files_dir(file);
    if v.files.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if !dir.is_dir() && !files_needed {
        println!(
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
        println!(
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

fn verify_journal(data: &Path) -> anyhow::Result<ExitCode> {
    match Journal::verify_dir(data) {
        Ok(summary) => {
            println!(
                "ok: {} entries in {} crises, every chain verified",
                summary.n_entries,
                summary.chains.len()
            );
            for (crisis, head) in &summary.chains {
                println!(
                    "  {crisis}: {} entries, final digest {}",
                    head.seq,
                    journal::hex(&head.hash)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("tocsin: verification FAILED: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `tocsin export`: a crisis's report or log, from the journal.
fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings.settings()?;
    let Some(format) = tocsin::engine::ExportFormat::parse(&args.format) else {
        bail!(
            "--format: `{}` is not one of html, md, json, csv",
            args.format
        );
    };
    let edition = match args.edition.as_str() {
        "full" => tocsin::render::view::Edition::Full,
        "players" if format.carries_every_entry() => bail!(
            "--edition players: the {} export carries every entry, facilitator material included; give the players html or md",
            format.extension()
        ),
        "players" => tocsin::render::view::Edition::Players,
        other => bail!("--edition: `{other}` is not players or full"),
    };
    let renderer = tocsin::render::Renderer::new(args.templates.as_deref())?;
    let catalog = playbook::load_dir(&args.playbooks).ok();
    let (journal, _) = Journal::open(&args.data, |_| {})
        .with_context(|| format!("opening the journal in {}", args.data.display()))?;
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
    println!(
        "wrote {} ({} entries)",
        args.output.display(),
        entries.len()
    );
    if format == tocsin::engine::ExportFormat::Json {
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
            tocsin::engine::event::Event::File { sha256, .. } => Some(sha256.as_str()),
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
    println!(
        "copied {} files on record to {}",
        hashes.len(),
        to.display()
    );
    Ok(())
}

/// `tocsin plan`: the improvement plan, folded from every crisis of the journal.
fn plan(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings.settings()?;
    if !matches!(args.format.as_str(), "html" | "csv") {
        bail!("--format: `{}` is not html or csv", args.format);
    }
    let (journal, _) = Journal::open(&args.data, |_| {})
        .with_context(|| format!("opening the journal in {}", args.data.display()))?;
    let mut world = tocsin::engine::state::World::default();
    let crises: Vec<String> = journal.crises().map(str::to_owned).collect();
    for crisis in &crises {
        for entry in journal.entries(crisis)? {
            world.apply(&entry.record);
        }
    }
    let view = tocsin::render::plan::build(&world, &settings, chrono::Utc::now());
    let bytes = if args.format == "csv" {
        tocsin::render::plan_csv(&view)?
    } else {
        tocsin::render::Renderer::new(args.templates.as_deref())?
            .plan_html(&view)?
            .into_bytes()
    };
    std::fs::write(&args.output, bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    println!(
        "wrote {} ({} items, {} open, {} overdue, from {} crises)",
        args.output.display(),
        view.items.len(),
        view.n_open,
        view.n_late,
        crises.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `tocsin kit`: a playbook's paper kit.
fn kit(args: &KitArgs) -> anyhow::Result<ExitCode> {
    let (lang, messages) = language(&args.lang, args.messages.as_deref())?;
    let catalog = playbook::load_dir(&args.playbooks).map_err(|diags| {
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
    println!("wrote {}", args.output.display());
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
    let loaded = playbook::load_paths(std::slice::from_ref(&args.playbooks));
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
            println!(
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

/// `tocsin console`: the log from a terminal.
fn console(args: &ConsoleArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings.settings()?;
    let catalog = match playbook::load_dir(&args.playbooks) {
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
    let (mut runtime, _) = Runtime::open(&args.data, catalog, settings, None)?;
    let stdin = std::io::stdin();
    let res = console::run(
        &mut runtime,
        &session,
        stdin.lock(),
        std::io::stdout().lock(),
    );
    runtime.close()?;
    res.context("console")?;
    Ok(ExitCode::SUCCESS)
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

fn check(paths: Vec<PathBuf>) -> ExitCode {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("playbooks")]
    } else {
        paths
    };
    let loaded = playbook::load_paths(&paths);
    let mut diagnostics = loaded.diagnostics;
    if diagnostics.is_empty()
        && let Err(dups) = playbook::Catalog::from_playbooks(loaded.playbooks.clone())
            .and_then(|c| c.with_scenarios(loaded.scenarios.clone()))
    {
        diagnostics = dups;
    }
    for pb in &loaded.playbooks {
        println!(
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
        println!(
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
