//! Configuration: `tocsin.toml`, with secrets from the environment.
//!
//! Every field is documented in `config.example.toml`. [`parse`] reports every
//! problem at once, each naming its field. Secrets ([`Secret`]) never print:
//! their `Debug` is `[redacted]`; they may come from the environment or, under
//! systemd's `LoadCredential=`, from files named after the same variables.
//! This module is the only reader of `std::env`, through [`load`].

use std::fmt;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use tocsin_core::engine::Settings;
use tocsin_core::lang::Lang;
use tocsin_core::lang::catalog::Messages;

/// A value that must never reach logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A configuration mistake found after parsing (the store passphrase does
/// not open the store, the homeserver URL is wrong): restarting will not
/// help, so the command line exits with its own code.
#[derive(Debug)]
pub struct Misconfigured(pub String);

impl fmt::Display for Misconfigured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Misconfigured {}

/// Values of the example configuration and other well-known placeholders,
/// refused as secrets (compared case-insensitively).
const PLACEHOLDERS: &[&str] = &[
    "change-me",
    "change-me-too",
    "changeme",
    "password",
    "passphrase",
    "secret",
    "syt_...",
    "...",
    "xxx",
];

/// How the bot logs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    Password(Secret),
    AccessToken(Secret),
}

/// Who a setting names: one user, or everyone on a server (inviters, admins).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inviter {
    /// A user id, `@alice:example.org`.
    User(String),
    /// Everyone on a server, `example.org`.
    Server(String),
}

impl Inviter {
    pub fn allows(&self, user_id: &str) -> bool {
        match self {
            Inviter::User(u) => u == user_id,
            Inviter::Server(s) => user_id
                .split_once(':')
                .is_some_and(|(_, server)| server == s),
        }
    }
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub homeserver: String,
    pub user_id: String,
    pub credentials: Credentials,
    pub device_name: String,
    /// Protects the Matrix SDK's SQLite store (keys, session). `None`: unencrypted store.
    pub store_passphrase: Option<Secret>,
    pub data_dir: PathBuf,
    pub playbooks_dir: PathBuf,
    /// Templates that replace the built-in report templates.
    pub templates_dir: Option<PathBuf>,
    /// Message catalogs (`<lang>.ftl`) that override built-in messages or add languages.
    pub messages_dir: Option<PathBuf>,
    pub allowed_inviters: Vec<Inviter>,
    /// Users (or everyone on a server) who may open, close and assign roles
    /// whatever their power level.
    pub admins: Vec<Inviter>,
    /// How fast tocsin may send (`matrix.send_rate`, `matrix.send_burst`).
    pub send_rate: SendRate,
    pub settings: Settings,
}

/// The pace of tocsin's sends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SendRate {
    /// Unlimited until the homeserver answers 429, then at the pace it teaches
    /// (Tchap's preset for a homeserver under tchap.gouv.fr).
    Auto,
    /// Tchap's rule: about one API call per second.
    Tchap,
    /// At most `per_second` sends, `burst` at once.
    PerSecond { per_second: f64, burst: u32 },
}

impl SendRate {
    /// The preset in force for `homeserver`: `Auto` becomes `Tchap` there.
    pub fn for_homeserver(self, homeserver: &str) -> SendRate {
        let host = homeserver
            .split_once("://")
            .map_or(homeserver, |(_, rest)| rest)
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        match self {
            SendRate::Auto if host == "tchap.gouv.fr" || host.ends_with(".tchap.gouv.fr") => {
                SendRate::Tchap
            }
            other => other,
        }
    }
}

impl Config {
    pub fn is_admin(&self, user_id: &str) -> bool {
        self.admins.iter().any(|a| a.allows(user_id))
    }

    pub fn may_invite(&self, user_id: &str) -> bool {
        self.allowed_inviters.iter().any(|i| i.allows(user_id))
    }
}

const MATRIX_KEYS: &[&str] = &[
    "homeserver",
    "user_id",
    "password",
    "access_token",
    "device_name",
    "store_passphrase",
    "send_rate",
    "send_burst",
];
const BOT_KEYS: &[&str] = &[
    "data_dir",
    "playbooks_dir",
    "templates_dir",
    "messages_dir",
    "language",
    "timezone",
    "command_prefix",
    "reminder_interval",
    "allowed_inviters",
    "admins",
    "exercise_marking",
    "stop_phrases",
    "establishment",
];

/// Environment variables that override secrets in the file.
pub const ENV_PASSWORD: &str = "TOCSIN_PASSWORD";
pub const ENV_ACCESS_TOKEN: &str = "TOCSIN_ACCESS_TOKEN";
pub const ENV_STORE_PASSPHRASE: &str = "TOCSIN_STORE_PASSPHRASE";
/// The recovery key of the account's key backup, for `tocsin recover` and
/// `tocsin verify --against-room` (not part of the configuration file).
pub const ENV_RECOVERY_KEY: &str = "TOCSIN_RECOVERY_KEY";

/// The variable systemd's `LoadCredential=` sets to the directory of the
/// service's credentials, one file per secret.
pub const CREDENTIALS_DIRECTORY: &str = "CREDENTIALS_DIRECTORY";

/// Reads and validates a configuration file, with secrets from the process
/// environment or, failing that, from the credentials directory.
pub fn load(path: &Path) -> Result<Config, Vec<String>> {
    let src = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("{}: cannot read: {e}", path.display())])?;
    let base = path.parent().unwrap_or(Path::new("."));
    let directory = std::env::var_os(CREDENTIALS_DIRECTORY).map(PathBuf::from);
    let (credentials, mut problems) = match &directory {
        Some(dir) => read_credentials(dir),
        None => (Vec::new(), Vec::new()),
    };
    let config = parse(&src, base, &|name| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| {
                credentials
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
            })
    });
    match config {
        Ok(config) if problems.is_empty() => Ok(config),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            Err(problems)
        }
    }
}

/// The recovery key from the environment, or from systemd's credentials
/// directory (a file named like the variable).
pub fn recovery_key() -> Option<Secret> {
    if let Some(key) = std::env::var(ENV_RECOVERY_KEY)
        .ok()
        .filter(|k| !k.trim().is_empty())
    {
        return Some(Secret(key.trim().to_owned()));
    }
    let dir = std::env::var_os(CREDENTIALS_DIRECTORY).map(PathBuf::from)?;
    let key = std::fs::read_to_string(dir.join(ENV_RECOVERY_KEY)).ok()?;
    Some(Secret(key.trim().to_owned())).filter(|k| !k.0.is_empty())
}

/// The secrets in a credentials directory, each in a file named like its
/// environment variable (a trailing newline is not part of it), and the
/// files that exist but cannot be read.
fn read_credentials(dir: &Path) -> (Vec<(&'static str, String)>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for name in [ENV_PASSWORD, ENV_ACCESS_TOKEN, ENV_STORE_PASSPHRASE] {
        let file = dir.join(name);
        match std::fs::read_to_string(&file) {
            Ok(value) => {
                let value = value.trim_end_matches(['\r', '\n']);
                if !value.is_empty() {
                    found.push((name, value.to_owned()));
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => problems.push(format!(
                "{name}: the credential {} cannot be read: {err} ({CREDENTIALS_DIRECTORY} is set, by systemd's LoadCredential=)",
                file.display()
            )),
        }
    }
    (found, problems)
}

/// Parses a configuration. Relative paths are relative to `base`; `env` supplies secrets.
pub fn parse(
    src: &str,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, Vec<String>> {
    let table: toml::Table = src
        .parse()
        .map_err(|e: toml::de::Error| vec![toml_error(src, &e)])?;
    let mut problems = Vec::new();
    let (matrix, bot) = sections(&table, &mut problems);
    let Login {
        homeserver,
        user_id,
        credentials,
        device_name,
        store_passphrase,
    } = login(&matrix, env, &mut problems);

    let data_dir = string(&bot, "bot", "data_dir", &mut problems).map(|d| base.join(d));
    if data_dir.is_none() && !bot.contains_key("data_dir") {
        problems
            .push("bot.data_dir: missing (where the journal and the Matrix store live)".to_owned());
    }
    let playbooks_dir = string(&bot, "bot", "playbooks_dir", &mut problems)
        .map_or_else(|| base.join("playbooks"), |d| base.join(d));
    let templates_dir = string(&bot, "bot", "templates_dir", &mut problems).map(|d| base.join(d));
    let messages_dir = string(&bot, "bot", "messages_dir", &mut problems).map(|d| base.join(d));
    let messages = crate::load::messages(messages_dir.as_deref()).unwrap_or_else(|found| {
        problems.extend(found.into_iter().map(|p| format!("bot.messages_dir: {p}")));
        Messages::builtin()
    });
    let Speaking {
        lang,
        tz,
        prefix,
        reminder_interval,
    } = speaking(&bot, &messages, &mut problems);
    let allowed_inviters = inviters(&bot, &mut problems);
    let marking = match string(&bot, "bot", "exercise_marking", &mut problems) {
        None => None,
        Some(m) if (1..=40).contains(&m.chars().count()) && !m.chars().any(char::is_control) => {
            Some(m)
        }
        Some(_) => {
            problems.push("bot.exercise_marking: 1 to 40 characters, e.g. \"EXERCICE\"".to_owned());
            None
        }
    };
    let establishment = establishment(&bot, &mut problems);
    let stop_phrases = stop_phrases(&bot, &mut problems);
    let admins = admins(&bot, &mut problems);
    let send_rate = send_rate(&matrix, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    match (homeserver, user_id, credentials, data_dir) {
        (Some(homeserver), Some(user_id), Some(credentials), Some(data_dir)) => Ok(Config {
            homeserver,
            user_id: user_id.clone(),
            credentials,
            device_name,
            store_passphrase,
            data_dir,
            playbooks_dir,
            templates_dir,
            messages_dir,
            allowed_inviters,
            admins,
            send_rate,
            settings: Settings {
                lang,
                tz,
                prefix,
                reminder_interval,
                bot: tocsin_core::engine::event::Author {
                    id: user_id.clone(),
                    name: "tocsin".to_owned(),
                },
                marking,
                stop_phrases,
                establishment,
                messages,
            },
        }),
        _ => Err(vec!["incomplete configuration".to_owned()]),
    }
}

/// A TOML syntax error with its line and column.
fn toml_error(src: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim_end_matches('\n');
    match err.span() {
        Some(span) => {
            let before = &src[..span.start.min(src.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!("line {line}, column {column}: invalid TOML: {message}")
        }
        None => format!("invalid TOML: {message}"),
    }
}

/// Problems with the homeserver URL: not https (off loopback), or not the base URL.
fn check_homeserver(url: &str, problems: &mut Vec<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        problems.push(format!(
            "matrix.homeserver: `{url}` must start with https:// (or http:// on loopback)"
        ));
        return;
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    match scheme {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => problems.push(format!(
            "matrix.homeserver: `{url}` is plain HTTP: the bot's password, its access token and every message would cross the network in clear; use https:// (http:// is only accepted for localhost, 127.0.0.1 and ::1)"
        )),
        _ => problems.push(format!(
            "matrix.homeserver: `{url}` must start with https:// (or http:// on loopback)"
        )),
    }
    if host.is_empty() {
        problems.push(format!("matrix.homeserver: `{url}` names no server"));
    }
    if let Some(idx) = rest.find("/_matrix") {
        let base = format!("{scheme}://{}", &rest[..idx]);
        problems.push(format!(
            "matrix.homeserver: give the homeserver's base URL, without `{}`: \"{base}\"",
            &rest[idx..]
        ));
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A secret from the file or the environment, refused if it is a placeholder.
fn secret(
    matrix: &toml::Table,
    key: &str,
    var: &str,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Option<String> {
    let (value, from) = match env(var) {
        Some(v) => (Some(v), var.to_owned()),
        None => (
            string(matrix, "matrix", key, problems),
            format!("matrix.{key}"),
        ),
    };
    let value = value?;
    let lower = value.trim().to_lowercase();
    if PLACEHOLDERS.contains(&lower.as_str()) || lower.starts_with("change-me") {
        problems.push(format!(
            "{from}: `{value}` is a placeholder (from config.example.toml?); set the real value, or leave it out of the file and set {var}"
        ));
        return None;
    }
    Some(value)
}

/// A string field of a section: trimmed, and not empty.
fn string(t: &toml::Table, section: &str, key: &str, problems: &mut Vec<String>) -> Option<String> {
    match t.get(key) {
        None => None,
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(toml::Value::String(_)) => {
            problems.push(format!("{section}.{key}: must not be empty"));
            None
        }
        Some(_) => {
            problems.push(format!("{section}.{key}: must be a string"));
            None
        }
    }
}

/// A list of strings of `[bot]`, each trimmed.
fn list(bot: &toml::Table, key: &str, problems: &mut Vec<String>) -> Vec<String> {
    match bot.get(key) {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(idx, v)| match v.as_str() {
                Some(s) => Some(s.trim().to_owned()),
                None => {
                    problems.push(format!("bot.{key}[{idx}]: must be a string"));
                    None
                }
            })
            .collect(),
        Some(_) => {
            problems.push(format!("bot.{key}: must be a list of strings"));
            Vec::new()
        }
    }
}

/// What `[matrix]` says about logging in.
/// `bot.establishment`, trimmed.
fn establishment(bot: &toml::Table, problems: &mut Vec<String>) -> Option<String> {
    string(bot, "bot", "establishment", problems)
        .filter(|e| !e.trim().is_empty())
        .map(|e| e.trim().to_owned())
}

/// `matrix.send_rate` (`"auto"`, `"tchap"` or sends per second) and `matrix.send_burst`.
fn send_rate(matrix: &toml::Table, problems: &mut Vec<String>) -> SendRate {
    const HOW: &str = "\"auto\" (the default: as fast as the homeserver allows, learned from its 429 answers), \"tchap\" (about one call per second), or sends per second between 0.01 and 100, e.g. 0.2";
    let burst = match matrix.get("send_burst") {
        None => None,
        Some(toml::Value::Integer(n)) if (1..=100).contains(n) => u32::try_from(*n).ok(),
        Some(_) => {
            problems.push(
                "matrix.send_burst: how many sends may go at once after a quiet spell, 1 to 100"
                    .to_owned(),
            );
            None
        }
    };
    let per_second = match matrix.get("send_rate") {
        None => return SendRate::Auto,
        Some(toml::Value::String(s)) => match s.trim().to_lowercase().as_str() {
            "auto" => return SendRate::Auto,
            "tchap" => return SendRate::Tchap,
            other => other.parse::<f64>().ok(),
        },
        Some(toml::Value::Integer(n)) => Some(*n as f64),
        Some(toml::Value::Float(f)) => Some(*f),
        Some(_) => None,
    };
    match per_second {
        Some(r) if (0.01..=100.0).contains(&r) => SendRate::PerSecond {
            per_second: r,
            burst: burst.unwrap_or(1),
        },
        _ => {
            problems.push(format!("matrix.send_rate: {HOW}"));
            SendRate::Auto
        }
    }
}

struct Login {
    homeserver: Option<String>,
    user_id: Option<String>,
    credentials: Option<Credentials>,
    device_name: String,
    store_passphrase: Option<Secret>,
}

fn login(
    matrix: &toml::Table,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Login {
    let homeserver = string(matrix, "matrix", "homeserver", problems);
    match &homeserver {
        None => problems
            .push("matrix.homeserver: missing (e.g. \"https://matrix.example.org\")".to_owned()),
        Some(url) => check_homeserver(url, problems),
    }
    let user_id = string(matrix, "matrix", "user_id", problems);
    match &user_id {
        None => problems.push("matrix.user_id: missing (e.g. \"@tocsin:example.org\")".to_owned()),
        Some(id) if !is_user_id(id) => problems.push(format!(
            "matrix.user_id: `{id}` is not a Matrix user id like @tocsin:example.org"
        )),
        Some(_) => {}
    }
    let n_problems = problems.len();
    let password = secret(matrix, "password", ENV_PASSWORD, env, problems);
    let token = secret(matrix, "access_token", ENV_ACCESS_TOKEN, env, problems);
    let credentials = match (password, token) {
        (Some(p), _) => Some(Credentials::Password(Secret(p))),
        (None, Some(t)) => Some(Credentials::AccessToken(Secret(t))),
        (None, None) if problems.len() > n_problems => None,
        (None, None) => {
            problems.push(format!("matrix.password: missing; give matrix.password or matrix.access_token, or set {ENV_PASSWORD} or {ENV_ACCESS_TOKEN}"));
            None
        }
    };
    let device_name =
        string(matrix, "matrix", "device_name", problems).unwrap_or_else(|| "tocsin".to_owned());
    let store_passphrase = secret(
        matrix,
        "store_passphrase",
        ENV_STORE_PASSPHRASE,
        env,
        problems,
    )
    .map(Secret);
    Login {
        homeserver,
        user_id,
        credentials,
        device_name,
        store_passphrase,
    }
}

/// `bot.allowed_inviters`: user ids and server names, at least one.
fn inviters(bot: &toml::Table, problems: &mut Vec<String>) -> Vec<Inviter> {
    let allowed_inviters = users_or_servers(bot, "allowed_inviters", problems);
    if allowed_inviters.is_empty()
        && !problems
            .iter()
            .any(|p| p.starts_with("bot.allowed_inviters"))
    {
        problems.push(
            "bot.allowed_inviters: empty; name the users or servers allowed to invite the bot"
                .to_owned(),
        );
    }
    allowed_inviters
}

/// `bot.stop_phrases`: each of two words at least; the defaults when not given.
fn stop_phrases(bot: &toml::Table, problems: &mut Vec<String>) -> Vec<String> {
    let mut stop_phrases = Vec::new();
    let has_stop_phrases = bot.contains_key("stop_phrases");
    for (idx, item) in list(bot, "stop_phrases", problems).into_iter().enumerate() {
        // A phrase shorter than two words would fire on ordinary talk.
        if item.split_whitespace().count() >= 2 {
            stop_phrases.push(item);
        } else {
            problems.push(format!(
                "bot.stop_phrases[{idx}]: `{item}` is too short; use at least two words, e.g. \"STOP EXERCICE\""
            ));
        }
    }
    if !has_stop_phrases {
        stop_phrases = Settings::default().stop_phrases;
    } else if stop_phrases.is_empty() && !problems.iter().any(|p| p.starts_with("bot.stop_phrases"))
    {
        problems.push(
            "bot.stop_phrases: empty; an exercise needs a stop phrase for real emergencies"
                .to_owned(),
        );
    }
    stop_phrases
}

/// How tocsin speaks and counts time: `[bot]`'s language, time zone, prefix, reminder interval.
struct Speaking {
    lang: Lang,
    tz: Tz,
    prefix: String,
    reminder_interval: chrono::TimeDelta,
}

fn speaking(bot: &toml::Table, messages: &Messages, problems: &mut Vec<String>) -> Speaking {
    let lang = match string(bot, "bot", "language", problems) {
        None => Lang::fr(),
        Some(l) => Lang::parse(&l)
            .and_then(|lang| messages.resolve(lang))
            .unwrap_or_else(|| {
                problems.push(format!(
                    "bot.language: `{l}` is not supported; use {}",
                    messages.describe_languages(true)
                ));
                Lang::fr()
            }),
    };
    let tz = match string(bot, "bot", "timezone", problems) {
        None => chrono_tz::Europe::Paris,
        Some(z) => z.parse::<Tz>().unwrap_or_else(|_| {
            problems.push(format!(
                "bot.timezone: `{z}` is not a time zone name like \"Europe/Paris\""
            ));
            chrono_tz::Europe::Paris
        }),
    };
    let prefix = match bot.get("command_prefix") {
        None => "!".to_owned(),
        Some(toml::Value::String(p))
            if !p.is_empty() && !p.chars().any(char::is_whitespace) && p.chars().count() <= 3 =>
        {
            p.clone()
        }
        Some(_) => {
            problems.push(
                "bot.command_prefix: must be 1 to 3 characters without spaces, e.g. \"!\""
                    .to_owned(),
            );
            "!".to_owned()
        }
    };
    let reminder_interval = match string(bot, "bot", "reminder_interval", problems) {
        None => chrono::TimeDelta::minutes(30),
        Some(d) => {
            match tocsin_core::playbook::parse_duration(&d) {
                Some(d) if d >= chrono::TimeDelta::minutes(5) => d,
                _ => {
                    problems.push(format!("bot.reminder_interval: `{d}` must be a duration of at least 5m, e.g. \"30m\""));
                    chrono::TimeDelta::minutes(30)
                }
            }
        }
    };
    Speaking {
        lang,
        tz,
        prefix,
        reminder_interval,
    }
}

/// `bot.admins`: user ids and server names.
fn admins(bot: &toml::Table, problems: &mut Vec<String>) -> Vec<Inviter> {
    users_or_servers(bot, "admins", problems)
}

/// A list of user ids (`@alice:example.org`) and server names (`example.org`:
/// everyone on it).
fn users_or_servers(bot: &toml::Table, key: &str, problems: &mut Vec<String>) -> Vec<Inviter> {
    let mut out = Vec::new();
    for (idx, item) in list(bot, key, problems).into_iter().enumerate() {
        if item.starts_with('@') {
            if is_user_id(&item) {
                out.push(Inviter::User(item));
            } else {
                problems.push(format!(
                    "bot.{key}[{idx}]: `{item}` is not a user id like @alice:example.org"
                ));
            }
        } else if !item.is_empty() && !item.contains(char::is_whitespace) && !item.contains('@') {
            out.push(Inviter::Server(item));
        } else {
            problems.push(format!(
                "bot.{key}[{idx}]: `{item}` is neither a user id nor a server name"
            ));
        }
    }
    out
}

/// `[matrix]` and `[bot]`, with every unknown section or field named.
fn sections(table: &toml::Table, problems: &mut Vec<String>) -> (toml::Table, toml::Table) {
    for key in table.keys() {
        if key != "matrix" && key != "bot" {
            problems.push(format!(
                "{key}: unknown section; expected [matrix] and [bot]"
            ));
        }
    }
    let empty = toml::Table::new();
    let section = |name: &str, problems: &mut Vec<String>| -> toml::Table {
        match table.get(name) {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => {
                problems.push(format!("{name}: must be a section [{name}]"));
                empty.clone()
            }
            None => {
                problems.push(format!("[{name}]: missing section"));
                empty.clone()
            }
        }
    };
    let matrix = section("matrix", problems);
    let bot = section("bot", problems);
    for (name, t, keys) in [("matrix", &matrix, MATRIX_KEYS), ("bot", &bot, BOT_KEYS)] {
        for key in t.keys() {
            if !keys.contains(&key.as_str()) {
                problems.push(format!(
                    "{name}.{key}: unknown field; expected one of: {}",
                    keys.join(", ")
                ));
            }
        }
    }
    (matrix, bot)
}

fn is_user_id(s: &str) -> bool {
    s.strip_prefix('@')
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(local, server)| {
            !local.is_empty()
                && !server.is_empty()
                && !local.contains(char::is_whitespace)
                && !server.contains(char::is_whitespace)
        })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Credentials, SendRate, parse};

    const EXAMPLE: &str = include_str!("../../config.example.toml");

    /// The secrets an administrator sets in the environment.
    fn real_secrets(name: &str) -> Option<String> {
        match name {
            "TOCSIN_PASSWORD" => Some("hunter2-from-env".to_owned()),
            "TOCSIN_STORE_PASSPHRASE" => Some("a long passphrase from the environment".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn credentials_are_read_one_file_per_secret_without_the_final_newline() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("TOCSIN_PASSWORD"), "from a credential\n").unwrap();
        std::fs::write(dir.path().join("TOCSIN_ACCESS_TOKEN"), "").unwrap();
        std::fs::create_dir(dir.path().join("TOCSIN_STORE_PASSPHRASE")).unwrap();
        std::fs::write(dir.path().join("OTHER"), "not a secret of tocsin").unwrap();
        let (found, problems) = super::read_credentials(dir.path());
        assert_eq!(
            found,
            vec![("TOCSIN_PASSWORD", "from a credential".to_owned())]
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("TOCSIN_STORE_PASSPHRASE: the credential ")
                && problems[0].contains("cannot be read"),
            "{problems:?}"
        );
    }

    #[test]
    fn the_example_parses_once_its_placeholders_are_replaced() {
        let config = parse(EXAMPLE, Path::new("/etc/tocsin"), &real_secrets).unwrap();
        assert_eq!(config.user_id, "@tocsin:chu-exemple.fr");
        assert!(config.may_invite("@dsi:chu-exemple.fr"));
        assert!(config.may_invite("@anyone:ars-exemple.fr"));
        assert!(!config.may_invite("@mallory:evil.example"));
        assert!(config.is_admin("@dsi:chu-exemple.fr"));
        assert!(!config.is_admin("@anyone:chu-exemple.fr"));
    }

    #[test]
    fn the_send_rate_is_auto_tchap_or_a_number() {
        let with = |lines: &str| {
            EXAMPLE.replace(
                "device_name = \"tocsin\"",
                &format!("device_name = \"tocsin\"\n{lines}"),
            )
        };
        let rate =
            |lines: &str| parse(&with(lines), Path::new("."), &real_secrets).map(|c| c.send_rate);
        assert_eq!(rate(""), Ok(SendRate::Auto));
        assert_eq!(rate("send_rate = \"tchap\""), Ok(SendRate::Tchap));
        assert_eq!(
            rate("send_rate = 0.2\nsend_burst = 10"),
            Ok(SendRate::PerSecond {
                per_second: 0.2,
                burst: 10
            })
        );
        assert_eq!(
            rate("send_rate = 2"),
            Ok(SendRate::PerSecond {
                per_second: 2.0,
                burst: 1
            })
        );
        let problems = rate("send_rate = \"vite\"\nsend_burst = 0").unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("matrix.send_burst: "),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("matrix.send_rate: \"auto\""),
            "{problems:?}"
        );
        assert_eq!(
            SendRate::Auto.for_homeserver("https://matrix.agent.tchap.gouv.fr"),
            SendRate::Tchap
        );
        assert_eq!(
            SendRate::Auto.for_homeserver("https://tchap.gouv.fr.evil.example"),
            SendRate::Auto
        );
    }

    #[test]
    fn admins_are_users_or_whole_servers() {
        let with = |admins: &str| {
            EXAMPLE.replace(
                r#"admins = ["@dsi:chu-exemple.fr"]"#,
                &format!("admins = {admins}"),
            )
        };
        let config = parse(
            &with(r#"["@dsi:chu-exemple.fr", "ars-exemple.fr"]"#),
            Path::new("."),
            &real_secrets,
        )
        .unwrap();
        assert!(config.is_admin("@dsi:chu-exemple.fr"));
        assert!(config.is_admin("@astreinte:ars-exemple.fr"));
        assert!(!config.is_admin("@interne:chu-exemple.fr"));
        assert!(!config.is_admin("@x:ars-exemple.fr.evil.example"));
        let problems = parse(
            &with(r#"["@dsi", "chu exemple.fr"]"#),
            Path::new("."),
            &real_secrets,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "bot.admins[0]: `@dsi` is not a user id like @alice:example.org",
                "bot.admins[1]: `chu exemple.fr` is neither a user id nor a server name",
            ]
        );
    }

    #[test]
    fn secrets_come_from_the_environment_and_never_print() {
        let config = parse(EXAMPLE, Path::new("."), &real_secrets).unwrap();
        assert_eq!(
            config.credentials,
            Credentials::Password(super::Secret::new("hunter2-from-env"))
        );
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn every_problem_is_listed_with_its_field() {
        let src = r#"
            [matrix]
            homeserver = "matrix.example.org"
            user_id = "tocsin"
            colour = "red"
            [bot]
            language = "de"
            timezone = "Paris"
            command_prefix = "! "
            allowed_inviters = ["@alice", 3]
            [extra]
        "#;
        let problems = parse(src, Path::new("."), &|_| None).unwrap_err();
        let text = problems.join("\n");
        expect_test::expect![[r#"
            extra: unknown section; expected [matrix] and [bot]
            matrix.colour: unknown field; expected one of: homeserver, user_id, password, access_token, device_name, store_passphrase, send_rate, send_burst
            matrix.homeserver: `matrix.example.org` must start with https:// (or http:// on loopback)
            matrix.user_id: `tocsin` is not a Matrix user id like @tocsin:example.org
            matrix.password: missing; give matrix.password or matrix.access_token, or set TOCSIN_PASSWORD or TOCSIN_ACCESS_TOKEN
            bot.data_dir: missing (where the journal and the Matrix store live)
            bot.language: `de` is not supported; use "fr" or "en"
            bot.timezone: `Paris` is not a time zone name like "Europe/Paris"
            bot.command_prefix: must be 1 to 3 characters without spaces, e.g. "!"
            bot.allowed_inviters[1]: must be a string
            bot.allowed_inviters[0]: `@alice` is not a user id like @alice:example.org"#]].assert_eq(&text);
    }

    #[test]
    fn the_example_placeholders_are_refused() {
        let problems = parse(EXAMPLE, Path::new("."), &|_| None).unwrap_err();
        expect_test::expect![[r#"
            matrix.password: `change-me` is a placeholder (from config.example.toml?); set the real value, or leave it out of the file and set TOCSIN_PASSWORD
            matrix.store_passphrase: `change-me-too` is a placeholder (from config.example.toml?); set the real value, or leave it out of the file and set TOCSIN_STORE_PASSPHRASE"#]]
        .assert_eq(&problems.join("\n"));
    }

    #[test]
    fn homeserver_urls_in_clear_or_with_an_api_path_are_refused() {
        let problems = |url: &str| {
            let src = format!(
                "[matrix]\nhomeserver = \"{url}\"\nuser_id = \"@t:x.org\"\npassword = \"pw-1\"\n[bot]\ndata_dir = \"d\"\nallowed_inviters = [\"x.org\"]\n"
            );
            match parse(&src, Path::new("."), &|_| None) {
                Ok(_) => String::new(),
                Err(problems) => problems.join("\n"),
            }
        };
        for ok in [
            "https://matrix.x.org",
            "http://127.0.0.1:8008",
            "http://localhost:8008",
            "http://[::1]:8008",
        ] {
            assert_eq!(problems(ok), "", "{ok}");
        }
        expect_test::expect![[r#"
            matrix.homeserver: `http://matrix.x.org` is plain HTTP: the bot's password, its access token and every message would cross the network in clear; use https:// (http:// is only accepted for localhost, 127.0.0.1 and ::1)"#]]
        .assert_eq(&problems("http://matrix.x.org"));
        expect_test::expect![[r#"
            matrix.homeserver: give the homeserver's base URL, without `/_matrix/client`: "https://matrix.x.org""#]]
        .assert_eq(&problems("https://matrix.x.org/_matrix/client"));
    }

    #[test]
    fn a_toml_syntax_error_has_its_line_and_column() {
        let problems = parse(
            "[matrix]\nhomeserver = https://x.org\n",
            Path::new("."),
            &|_| None,
        )
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("line 2, column 14: invalid TOML: "),
            "{}",
            problems[0]
        );
    }
}
