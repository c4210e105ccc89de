//! The `tocsin` command: run the bot, check playbooks, verify journals, run the console.
#![recursion_limit = "256"]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use tocsin::engine::Settings;
use tocsin::engine::event::Author;
use tocsin::journal::{self, Journal};
use tocsin::lang::Lang;
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
    Run {
        /// The configuration file (see config.example.toml).
        #[arg(long, default_value = "tocsin.toml")]
        config: PathBuf,
    },
    /// Play a short scripted crisis against a running bot, as a demo user (used by scripts/demo).
    #[command(hide = true)]
    DemoPlay {
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
    },
    /// Check playbooks; every problem is reported as file:line:column.
    Check {
        /// Files or directories (default: playbooks/).
        paths: Vec<PathBuf>,
    },
    /// Verify every hash chain of a journal; names the first bad entry.
    Verify {
        /// The data directory holding the journal.
        #[arg(long)]
        data: PathBuf,
    },
    /// Keep the main courante from a terminal: one command per line on standard input.
    Console {
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
    },
}

#[derive(clap::Args, Debug)]
struct SettingsArgs {
    /// Language of replies: fr or en.
    #[arg(long, default_value = "fr")]
    lang: String,
    /// Time zone for times shown and typed.
    #[arg(long, default_value = "Europe/Paris")]
    tz: String,
    /// Command prefix.
    #[arg(long, default_value = "!")]
    prefix: String,
}

impl SettingsArgs {
    fn settings(&self) -> anyhow::Result<Settings> {
        let Some(lang) = Lang::parse(&self.lang) else {
            bail!(
                "--lang: unknown language `{}`, expected fr or en",
                self.lang
            );
        };
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
            ..Settings::default()
        })
    }
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
        Cmd::Run { config } => {
            let config = match tocsin::config::load(&config) {
                Ok(config) => config,
                Err(problems) => {
                    for p in &problems {
                        eprintln!("{}: {p}", config.display());
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
        Cmd::DemoPlay {
            homeserver,
            user,
            password,
            bot,
            invite,
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(tocsin::matrix::demo::play(
                &homeserver,
                &user,
                &password,
                &bot,
                &invite,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Check { paths } => Ok(check(paths)),
        Cmd::Verify { data } => match Journal::verify_dir(&data) {
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
        },
        Cmd::Console {
            data,
            as_name,
            playbooks,
            room,
            settings,
        } => {
            let settings = settings.settings()?;
            let catalog = match playbook::load_dir(&playbooks) {
                Ok(catalog) => catalog,
                Err(diags) => {
                    for d in &diags {
                        eprintln!("{d}");
                    }
                    bail!(
                        "{} problem(s) in the playbooks of {}",
                        diags.len(),
                        playbooks.display()
                    );
                }
            };
            let name = as_name.trim().to_owned();
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
                room,
            };
            let (mut runtime, _) = Runtime::open(&data, catalog, settings)?;
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
