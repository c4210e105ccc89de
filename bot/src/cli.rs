//! The command line's definition (clap): every subcommand, option and its help.
//!
//! Kept apart from what the subcommands do (`main.rs`) so that the help, the
//! shell completions and the manual page all come from this one place.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "tocsin",
    version,
    about = "Runs a hospital's cyber crisis cell in a Matrix room",
    long_about = "Runs a hospital's cyber crisis cell in a Matrix room: it keeps the \
                  main courante (the timestamped, tamper-evident log of information, \
                  decisions and actions) from chat commands, runs playbooks and exercises, \
                  and exports the report.\n\n\
                  Deployment, backups and upgrades: docs/deploying.md.",
    after_long_help = "Logging: messages go to standard error, as text (with colours only on a \
                       terminal) or JSON (--log-format json). RUST_LOG replaces the default \
                       filter, e.g. RUST_LOG=tocsin=debug,warn; see docs/deploying.md.\n\n\
                       Examples:\n  \
                       tocsin check playbooks\n  \
                       TOCSIN_PASSWORD=… tocsin run --config /etc/tocsin/tocsin.toml\n  \
                       tocsin backup --data /var/lib/tocsin -o tocsin-$(date +%F).tar\n  \
                       tocsin completions bash > /etc/bash_completion.d/tocsin"
)]
pub struct Cli {
    /// How log messages are written to standard error.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One line per message, for people (colours only on a terminal).
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Run the bot on a Matrix homeserver, until stopped (SIGTERM or Ctrl-C).
    #[command(after_long_help = "Examples:\n  \
        cp config.example.toml tocsin.toml    # then edit it\n  \
        TOCSIN_PASSWORD=… TOCSIN_STORE_PASSPHRASE=… tocsin run --config tocsin.toml")]
    Run(RunArgs),
    /// Play a short scripted crisis against a running bot, as a demo user (used by scripts/demo).
    #[command(hide = true)]
    DemoPlay(DemoPlayArgs),
    /// Check playbooks and scenarios; every problem is reported as file:line:column.
    #[command(after_long_help = "Examples:\n  \
        tocsin check                       # the playbooks/ directory\n  \
        tocsin check playbooks/rancongiciel.yaml playbooks/scenarios/")]
    Check(CheckArgs),
    /// Verify a journal, a backup, a JSON export or an export directory; names the first altered entry or file.
    #[command(
        after_long_help = "A journal in use by a running tocsin cannot be opened: verify a \
        backup of it instead (tocsin backup), or an export (!export json in the room).\n\n\
        Examples:\n  \
        tocsin verify --data /var/lib/tocsin\n  \
        tocsin verify --data /var/lib/tocsin --room-export cellule.json\n  \
        TOCSIN_RECOVERY_KEY=… tocsin verify --data /var/lib/tocsin --against-room --config tocsin.toml\n  \
        tocsin verify tocsin-2026-11-29.tar\n  \
        tocsin verify 20261129-rancongiciel.json"
    )]
    Verify(VerifyArgs),
    /// Rebuild a lost journal from the rooms: log in as a new device, open the key backup with the recovery key, read every room, verify and write each chain.
    #[command(
        after_long_help = "The data directory must hold no journal. Then start the bot as usual: \
        running crises go on where the rooms left them.\n\n\
        Example:\n  \
        TOCSIN_PASSWORD=… TOCSIN_RECOVERY_KEY='EsT… …' tocsin recover --config tocsin.toml"
    )]
    Recover(RecoverArgs),
    /// Export a crisis from a journal: the report (html, md), or the full log (json with its hash chain, csv).
    #[command(after_long_help = "Examples:\n  \
        tocsin export --data data --crisis 20261129-rancongiciel -o rapport.html\n  \
        tocsin export --data data --crisis 20261129-rancongiciel --format json -o log.json")]
    Export(ExportArgs),
    /// Print a playbook as a paper kit: reflex sheets, checklists, blank log sheets, role cards.
    #[command(after_long_help = "Example:\n  \
        tocsin kit --playbook rancongiciel -o kit.html    # open it in a browser, print it")]
    Kit(KitArgs),
    /// The establishment's improvement plan across crises and exercises (html to print, csv).
    #[command(after_long_help = "Examples:\n  \
        tocsin plan --data /var/lib/tocsin -o plan.html\n  \
        tocsin plan --data /var/lib/tocsin --format csv -o plan.csv")]
    Plan(PlanArgs),
    /// Exercise scenarios.
    Scenario {
        #[command(subcommand)]
        action: ScenarioCmd,
    },
    /// Keep the main courante from a terminal: one command per line on standard input.
    #[command(
        after_long_help = "The bot must be stopped first: one process owns the journal.\n\n\
        Examples:\n  \
        tocsin console --data data --as \"Claire Martin\"\n  \
        tocsin console --data data --as \"Claire Martin\" --room '!abc:chu.fr'\n  \
        tocsin console --data nouveau --new --as \"Claire Martin\"    # a new journal"
    )]
    Console(ConsoleArgs),
    /// Check a data directory: free space, write access, the journal's health; says what to do.
    #[command(
        after_long_help = "Exits 1 if a problem was found, 0 otherwise (warnings included).\n\n\
        Example:\n  \
        sudo -u tocsin tocsin doctor --data /var/lib/tocsin"
    )]
    Doctor(DoctorArgs),
    /// Write a consistent snapshot of a data directory (journal, Matrix keys and session), even while the bot runs.
    #[command(
        after_long_help = "While the bot runs, it writes the snapshot itself, between two \
        commands, when asked through DATA/control.sock; run this as the bot's user. The snapshot \
        holds the Matrix store as it is on disk: it is encrypted with the store passphrase, which \
        is not in the snapshot and is needed to use it.\n\n\
        Examples:\n  \
        tocsin backup --data /var/lib/tocsin -o /srv/backup/tocsin-$(date +%F).tar\n  \
        tocsin verify /srv/backup/tocsin-2026-11-29.tar"
    )]
    Backup(BackupArgs),
    /// Bring a snapshot back into a new data directory, after verifying it.
    #[command(
        after_long_help = "The target directory must not exist or be empty. Start tocsin on \
        it with the same store passphrase as when the snapshot was taken.\n\n\
        Example:\n  \
        tocsin restore tocsin-2026-11-29.tar --data /var/lib/tocsin.restored"
    )]
    Restore(RestoreArgs),
    /// Print the JSON Schema of the playbook or scenario format, for editors.
    #[command(after_long_help = "Example:\n  \
        tocsin schema playbook > playbook.schema.json\n  \
        # then, first line of a playbook:\n  \
        # yaml-language-server: $schema=playbook.schema.json")]
    Schema(SchemaArgs),
    /// Print a shell completion script.
    #[command(after_long_help = "Examples:\n  \
        tocsin completions bash > /etc/bash_completion.d/tocsin\n  \
        tocsin completions zsh > \"${fpath[1]}/_tocsin\"\n  \
        tocsin completions fish > ~/.config/fish/completions/tocsin.fish")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    #[command(after_long_help = "Example:\n  \
        tocsin man > /usr/local/share/man/man1/tocsin.1")]
    Man,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The configuration file; start from config.example.toml, where every field is documented.
    #[arg(long, default_value = "tocsin.toml", value_name = "FILE")]
    pub config: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct DemoPlayArgs {
    /// The homeserver's URL.
    #[arg(long)]
    pub homeserver: String,
    /// The demo user's login.
    #[arg(long)]
    pub user: String,
    /// The demo user's password.
    #[arg(long)]
    pub password: String,
    /// The bot's user id.
    #[arg(long)]
    pub bot: String,
    /// Other users to invite.
    #[arg(long, value_delimiter = ',')]
    pub invite: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Playbook or scenario files, or directories of them (default: playbooks/).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// A data directory whose journal to verify (while the bot runs, verify a backup of it instead).
    #[arg(long, value_name = "DIR", conflicts_with = "file")]
    pub data: Option<PathBuf>,
    /// A backup (.tar, from tocsin backup), a JSON export (.json, from !export json), or an
    /// export directory (its *.json and, in files/, the copies of the files they put on record).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Compare the journal or the JSON export, entry by entry, with the copies in the rooms,
    /// read with the bot's account as a new device (needs the recovery key).
    #[arg(long)]
    pub against_room: bool,
    /// Compare with a room export made with Element (Export chat, format JSON); may be repeated.
    #[arg(long, value_name = "FILE")]
    pub room_export: Vec<PathBuf>,
    /// The bot's account, whose events alone count in a room export (default: whoever carried entries, if only one did).
    #[arg(long, value_name = "USER")]
    pub sender: Option<String>,
    /// The bot's configuration, for --against-room.
    #[arg(long, default_value = "tocsin.toml", value_name = "FILE")]
    pub config: PathBuf,
    /// The recovery key printed at the first start, for --against-room (or TOCSIN_RECOVERY_KEY).
    #[arg(long, value_name = "KEY")]
    pub recovery_key: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct RecoverArgs {
    /// The bot's configuration; its data directory must hold no journal.
    #[arg(long, default_value = "tocsin.toml", value_name = "FILE")]
    pub config: PathBuf,
    /// The recovery key printed at the first start (better: TOCSIN_RECOVERY_KEY, which no process list shows).
    #[arg(long, value_name = "KEY")]
    pub recovery_key: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The report, one self-contained page that prints to PDF.
    Html,
    /// The report in Markdown.
    Md,
    /// Every entry with its hash chain, verifiable with tocsin verify.
    Json,
    /// Every entry, one row each, for a spreadsheet.
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Edition {
    /// Everything, facilitator material included.
    Full,
    /// Without facilitator material (expected reactions, observations), for an exercise's players.
    Players,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The data directory holding the journal (the bot must not be running).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The crisis id (tocsin verify --data DIR lists them).
    #[arg(long)]
    pub crisis: String,
    /// What to write.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
    /// Which edition of the report.
    #[arg(long, value_enum, default_value_t = Edition::Full)]
    pub edition: Edition,
    /// The file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// The playbooks directory, for titles and procedures in the report.
    #[arg(long, value_name = "DIR", default_value = "playbooks")]
    pub playbooks: PathBuf,
    /// A directory whose *.hbs files replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Language of the report: fr, en, or one that --messages adds.
    #[arg(long, default_value = "fr")]
    pub lang: String,
    /// A directory of message catalogs (<lang>.ftl) overriding or adding to the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub messages: Option<PathBuf>,
    /// Time zone of the times in the report.
    #[arg(long, default_value = "Europe/Paris")]
    pub tz: String,
}

#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    /// The data directory holding the journal (the bot must not be running).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value_t = PlanFormat::Html)]
    pub format: PlanFormat,
    /// The file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// A directory whose *.hbs files replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// One page that prints to PDF.
    Html,
    /// One row per item, for a spreadsheet.
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct KitArgs {
    /// The playbook's id.
    #[arg(long)]
    pub playbook: String,
    /// The HTML file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// The playbooks directory.
    #[arg(long, value_name = "DIR", default_value = "playbooks")]
    pub playbooks: PathBuf,
    /// A directory whose *.hbs files replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Language of the kit: fr, en, or one that --messages adds.
    #[arg(long, default_value = "fr")]
    pub lang: String,
    /// A directory of message catalogs (<lang>.ftl) overriding or adding to the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub messages: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ConsoleArgs {
    /// The data directory holding the journal.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Create a new journal in --data if it holds none (otherwise a directory without a journal is refused).
    #[arg(long)]
    pub new: bool,
    /// Your name, as recorded as the author.
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: String,
    /// The playbooks directory.
    #[arg(long, value_name = "DIR", default_value = "playbooks")]
    pub playbooks: PathBuf,
    /// The room whose crisis to write to (default: the console's own).
    #[arg(long, default_value = "console")]
    pub room: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Subcommand, Debug)]
pub enum ScenarioCmd {
    /// Turn a chronogramme spreadsheet saved as CSV into a scenario file
    /// (columns: id; at; after; from; to; channel; content_fr; content_en;
    /// expected_fr; expected_en; objectives; notes).
    #[command(after_long_help = "Example:\n  \
        tocsin scenario import chrono.csv --playbook rancongiciel --id nuit-blanche \
        --code-name \"NUIT BLANCHE\" -o playbooks/scenarios/nuit-blanche.yaml")]
    Import(ImportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The CSV file (`;` or `,` separated, UTF-8).
    pub file: PathBuf,
    /// The playbook the exercise uses.
    #[arg(long)]
    pub playbook: String,
    /// The scenario id (lowercase letters, digits, `-`).
    #[arg(long)]
    pub id: String,
    /// The exercise's code name.
    #[arg(long)]
    pub code_name: String,
    /// The exercise's title (default: the code name).
    #[arg(long)]
    pub title: Option<String>,
    /// The players' level: débutant, intermédiaire or confirmé (beginner, intermediate, advanced).
    #[arg(long, default_value = "intermédiaire")]
    pub level: String,
    /// The scenario file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The playbooks directory, to check the scenario against its playbook.
    #[arg(long, value_name = "DIR", default_value = "playbooks")]
    pub playbooks: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct SettingsArgs {
    /// Language of replies: fr, en, or one that --messages adds.
    #[arg(long, default_value = "fr")]
    pub lang: String,
    /// A directory of message catalogs (<lang>.ftl) overriding or adding to the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub messages: Option<PathBuf>,
    /// Time zone for times shown and typed.
    #[arg(long, default_value = "Europe/Paris")]
    pub tz: String,
    /// What starts a command.
    #[arg(long, default_value = "!")]
    pub prefix: String,
}

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// The data directory (bot.data_dir of the configuration).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The data directory (bot.data_dir of the configuration).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The snapshot file to write (a tar archive); it must not exist.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The snapshot (from tocsin backup).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The data directory to create; it must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// A playbook file (playbooks/*.yaml).
    Playbook,
    /// An exercise scenario file (playbooks/scenarios/*.yaml).
    Scenario,
}

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// Which format.
    #[arg(value_enum)]
    pub kind: SchemaKind,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every visible subcommand and option says what it is for, and every
    /// subcommand but the groups shows an example in its long help.
    #[test]
    fn every_option_is_documented_and_every_subcommand_has_examples() {
        let cli = Cli::command();
        cli.clone().debug_assert();
        let mut stack = vec![(String::from("tocsin"), cli)];
        while let Some((name, cmd)) = stack.pop() {
            if cmd.is_hide_set() {
                continue;
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" || arg.is_hide_set() {
                    continue;
                }
                assert!(arg.get_help().is_some(), "{name} {id}: no help text");
            }
            let is_group = cmd.get_subcommands().next().is_some();
            if name != "tocsin" && !is_group && cmd.get_name() != "help" {
                let long = cmd
                    .get_after_long_help()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                assert!(long.contains("Example"), "{name}: no example");
            }
            for sub in cmd.get_subcommands() {
                stack.push((format!("{name} {}", sub.get_name()), sub.clone()));
            }
        }
    }
}
