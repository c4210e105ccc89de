//! Exercise scenarios: the chronogramme of injects played against a playbook.
//!
//! A scenario names the playbook it exercises and is validated against it:
//! recipients are roles of that playbook, expected procedures exist, inject
//! dependencies point at injects of the same scenario and never loop. Like
//! playbooks, [`parse`] is pure and reports every problem at once. The format
//! is documented in `docs/scenario-format.md`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::TimeDelta;

use super::Playbook;
use super::yaml::{self, Diagnostic, Fields, Node, Pos, Walker, closest, join, pos};
use crate::lang::Text;

/// A validated exercise scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    pub version: String,
    /// The exercise's code name, shown to everyone (e.g. « BLOUSE NOIRE »).
    pub code_name: String,
    pub title: Text,
    pub summary: Option<Text>,
    /// The playbook the players use.
    pub playbook: String,
    pub level: Level,
    pub objectives: Vec<Objective>,
    pub injects: Vec<Inject>,
    pub origin: String,
}

impl Scenario {
    pub fn inject(&self, id: &str) -> Option<&Inject> {
        self.injects.iter().find(|i| i.id == id)
    }

    pub fn objective(&self, id: &str) -> Option<&Objective> {
        self.objectives.iter().find(|o| o.id == id)
    }

    /// Injects that fire on the exercise clock.
    pub fn n_timed(&self) -> usize {
        self.injects.iter().filter(|i| i.at.is_some()).count()
    }

    /// The planned length: the last timed offset.
    pub fn length(&self) -> TimeDelta {
        self.injects
            .iter()
            .filter_map(|i| i.at)
            .max()
            .unwrap_or_default()
    }

    /// Every site label some inject has a variant for.
    pub fn sites(&self) -> BTreeSet<&str> {
        self.injects
            .iter()
            .flat_map(|i| i.variants.keys().map(String::as_str))
            .collect()
    }

    /// Ids of the injects that have variants, but none for `site`: there the
    /// site's players get the common text, which the facilitator should know
    /// when linking.
    pub fn injects_without_variant(&self, site: &str) -> Vec<&str> {
        self.injects
            .iter()
            .filter(|i| !i.variants.is_empty() && !i.variants.contains_key(site))
            .map(|i| i.id.as_str())
            .collect()
    }
}

/// The ANSSI kit levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl Level {
    /// The level's id in scenario files (`beginner`), which the catalogs' `level` message selects on.
    pub fn id(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match crate::lang::fold(s.trim()).as_str() {
            "debutant" | "beginner" => Some(Level::Beginner),
            "intermediaire" | "intermediate" => Some(Level::Intermediate),
            "confirme" | "advanced" | "expert" => Some(Level::Advanced),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Objective {
    pub id: String,
    pub text: Text,
}

/// One stimulus of the chronogramme.
#[derive(Clone, Debug)]
pub struct Inject {
    pub id: String,
    /// Offset from DEBEX on the exercise clock; `None`: played only on command.
    pub at: Option<TimeDelta>,
    /// Played only after this inject was played or skipped.
    pub after: Option<String>,
    /// Who the stimulus comes from (persona).
    pub from: Text,
    /// A role id of the playbook, or `None` for the whole cell.
    pub to: Option<String>,
    pub channel: Channel,
    pub content: Text,
    /// What the facilitators expect the cell to do. Never shown to players.
    pub expected: Option<Text>,
    pub objectives: Vec<String>,
    /// Facilitator notes. Never shown to players.
    pub notes: Option<Text>,
    /// What counts as the expected reaction without a facilitator's mark.
    pub matches: Matches,
    /// How it reaches its recipient: in the players' room, or in a direct chat.
    pub delivery: Delivery,
    /// Files sent with it, from the scenario's folder.
    pub attachments: Vec<Attachment>,
    /// A press inject's headline.
    pub headline: Option<Text>,
    /// A social-media inject's account (`@InfoSante44`).
    pub handle: Option<String>,
    /// What the players of one establishment get instead, by site label
    /// (`chu-nord`), in a regional exercise; see [`is_site_label`].
    pub variants: BTreeMap<String, Variant>,
}

impl Inject {
    /// The variant for `site`, if the inject has one.
    pub fn variant(&self, site: Option<&str>) -> Option<&Variant> {
        self.variants.get(site?)
    }

    /// Who the stimulus comes from for the players of `site`.
    pub fn from_for(&self, site: Option<&str>) -> &Text {
        self.variant(site)
            .and_then(|v| v.from.as_ref())
            .unwrap_or(&self.from)
    }

    /// What the stimulus says to the players of `site`.
    pub fn content_for(&self, site: Option<&str>) -> &Text {
        self.variant(site)
            .and_then(|v| v.content.as_ref())
            .unwrap_or(&self.content)
    }

    /// A press inject's headline for the players of `site`.
    pub fn headline_for(&self, site: Option<&str>) -> Option<&Text> {
        self.variant(site)
            .and_then(|v| v.headline.as_ref())
            .or(self.headline.as_ref())
    }
}

/// One establishment's version of an inject in a regional exercise: each
/// field it sets replaces the inject's own, the others stay common. At least
/// one is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variant {
    pub from: Option<Text>,
    pub content: Option<Text>,
    /// Only on a press inject, like the inject's own headline.
    pub headline: Option<Text>,
}

/// A site label names one establishment of a regional exercise
/// (`chu-nord`): 1 to 32 lowercase ASCII letters, digits, `-` and `_`. The
/// same rule holds in scenario files and where a facilitator types one.
pub fn is_site_label(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Where a stimulus is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// In the players' room, naming the recipient role's holder (a mention).
    #[default]
    Room,
    /// In a direct chat with the holder of the recipient role (a call, a mail
    /// to one person); in the players' room when nobody holds the role.
    Direct,
}

impl Delivery {
    pub fn parse(s: &str) -> Option<Delivery> {
        match crate::lang::fold(s.trim())
            .replace([' ', '_'], "-")
            .as_str()
        {
            "room" | "salle" | "salon" | "public" | "mention" => Some(Delivery::Room),
            "direct" | "dm" | "prive" | "message-direct" | "direct-message" | "personnel" => {
                Some(Delivery::Direct)
            }
            _ => None,
        }
    }
}

/// A file sent with an inject (a ransom note, a press article, a lab printout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// As written in the scenario: a path relative to the scenario's folder.
    pub file: String,
    /// Where it was written, for diagnostics found when the file is read.
    pub at: Pos,
    /// Set by the loader, which reads the file: where it is and what it holds.
    pub resolved: Option<ResolvedFile>,
}

/// An attachment found on disk when the scenario was loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedFile {
    pub path: std::path::PathBuf,
    /// Hex SHA-256 of the content at load time; checked again when sending.
    pub sha256: String,
    pub size: u64,
    pub mime: &'static str,
}

impl Attachment {
    /// The file's name as people see it (`note-rancon.pdf`).
    pub fn name(&self) -> &str {
        self.file.rsplit('/').next().unwrap_or(&self.file)
    }
}

/// Largest attachment: a scanned page or a short PDF, not a video.
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;

/// The media type of an attachment, from its extension; files of other kinds
/// go as `application/octet-stream`.
pub fn attachment_mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt") => "text/plain",
        Some("eml") => "message/rfc822",
        Some("html" | "htm") => "text/html",
        _ => "application/octet-stream",
    }
}

/// Automatic recognition of the expected reaction.
#[derive(Clone, Debug, Default)]
pub struct Matches {
    /// A procedure of the playbook started after the inject.
    pub procedure: Option<String>,
    /// A decision recorded after the inject whose text holds one of these words
    /// (case and accents ignored).
    pub keywords: Vec<String>,
}

/// How a stimulus reaches the cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Mail,
    Phone,
    Sms,
    Press,
    Social,
    Visit,
    Internal,
}

impl Channel {
    pub const NAMES: &[&str] = &[
        "mail", "phone", "sms", "press", "social", "visit", "internal",
    ];

    pub fn parse(s: &str) -> Option<Channel> {
        Some(
            match crate::lang::fold(s.trim())
                .replace([' ', '_'], "-")
                .as_str()
            {
                "mail" | "courriel" | "email" | "e-mail" | "mel" => Channel::Mail,
                "phone" | "telephone" | "appel" | "tel" => Channel::Phone,
                "sms" | "texto" => Channel::Sms,
                "press" | "presse" | "media" | "medias" => Channel::Press,
                "social" | "reseaux-sociaux" | "reseaux" | "social-media" | "rs" => Channel::Social,
                "visit" | "visite" => Channel::Visit,
                "internal" | "interne" | "message" => Channel::Internal,
                _ => return None,
            },
        )
    }

    pub fn id(self) -> &'static str {
        Channel::NAMES[self as usize]
    }

    pub fn icon(self) -> &'static str {
        match self {
            Channel::Mail => "📧",
            Channel::Phone => "📞",
            Channel::Sms => "💬",
            Channel::Press => "📰",
            Channel::Social => "📱",
            Channel::Visit => "🚪",
            Channel::Internal => "📋",
        }
    }
}

const TOP_FIELDS: &[&str] = &[
    "id",
    "version",
    "code_name",
    "title",
    "summary",
    "playbook",
    "level",
    "objectives",
    "injects",
];

const INJECT_FIELDS: &[&str] = &[
    "id",
    "at",
    "after",
    "from",
    "to",
    "channel",
    "content",
    "expected",
    "objectives",
    "notes",
    "match",
    "delivery",
    "attachments",
    "headline",
    "handle",
    "variants",
];

const VARIANT_FIELDS: &[&str] = &["from", "content", "headline"];

/// `x1`, `x2`…: the ids tocsin gives to ad hoc injects.
pub fn is_adhoc_id(id: &str) -> bool {
    id.strip_prefix('x')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Does this YAML source look like a scenario (it has `injects`)? Used to sort files.
pub fn looks_like_scenario(src: &str) -> bool {
    src.lines().any(|l| l.starts_with("injects:"))
}

/// Parses one scenario and checks it against the loaded playbooks.
pub fn parse(
    origin: &str,
    src: &str,
    playbooks: &BTreeMap<String, Playbook>,
) -> Result<Scenario, Vec<Diagnostic>> {
    if src.len() > super::MAX_SOURCE_BYTES {
        return Err(vec![Diagnostic {
            origin: origin.to_owned(),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!(
                "file too large ({} bytes, at most {})",
                src.len(),
                super::MAX_SOURCE_BYTES
            ),
        }]);
    }
    let tree = yaml::parse_tree(origin, src).map_err(|d| vec![d])?;
    let mut w = Walker::new(origin);
    let scenario = read(&mut w, &tree, origin, playbooks);
    match scenario {
        Some(s) if w.diagnostics.is_empty() => Ok(s),
        _ => {
            if w.diagnostics.is_empty() {
                w.error(pos(&tree), "", "invalid scenario");
            }
            w.diagnostics.sort_by_key(|d| (d.line, d.column));
            Err(w.diagnostics)
        }
    }
}

fn read(
    w: &mut Walker,
    tree: &serde_saphyr::Spanned<yaml::Node>,
    origin: &str,
    playbooks: &BTreeMap<String, Playbook>,
) -> Option<Scenario> {
    let top = w.fields(tree, "", TOP_FIELDS)?;
    let id = w.req_id(&top, "id");
    let version = w.req_string(&top, "version");
    let code_name = w.req_string(&top, "code_name");
    let title = w.req_text(&top, "title");
    let summary = w.opt_text(&top, "summary");
    let playbook = match w.required(&top, "playbook") {
        None => None,
        Some(node) => {
            let pb_id = w.string(node, "playbook")?;
            match playbooks.get(&pb_id) {
                Some(pb) => Some(pb),
                None => {
                    let known: Vec<&str> = playbooks.keys().map(String::as_str).collect();
                    let hint = closest(&pb_id, &known)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    w.error(
                        pos(node),
                        "playbook",
                        format!(
                            "unknown playbook `{pb_id}`{hint}; playbooks loaded: {}",
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.join(", ")
                            }
                        ),
                    );
                    None
                }
            }
        }
    };
    let level = w.required(&top, "level").and_then(|node| {
        let s = w.string(node, "level")?;
        let level = Level::parse(&s);
        if level.is_none() {
            w.error(
                pos(node),
                "level",
                format!("unknown level `{s}`; expected débutant, intermédiaire or confirmé (beginner, intermediate, advanced)"),
            );
        }
        level
    });
    let objectives = read_objectives(w, &top);
    let objective_ids: HashSet<&str> = objectives.iter().map(|o| o.id.as_str()).collect();
    let injects = read_injects(w, &top, playbook, &objective_ids);
    Some(Scenario {
        id: id?,
        version: version?,
        code_name: code_name?,
        title: title?,
        summary,
        playbook: playbook?.id.clone(),
        level: level?,
        objectives,
        injects,
        origin: origin.to_owned(),
    })
}

fn read_objectives(w: &mut Walker, top: &Fields<'_>) -> Vec<Objective> {
    let Some(node) = w.required(top, "objectives") else {
        return Vec::new();
    };
    let items = w.list(node, "objectives");
    if items.is_empty() {
        w.error(
            pos(node),
            "objectives",
            "an exercise needs objectives (the ANSSI method asks for 3 or 4)",
        );
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let path = format!("objectives[{idx}]");
        let Some(f) = w.fields(item, &path, &["id", "text"]) else {
            continue;
        };
        let id = w.req_id(&f, "id");
        if let (Some(id), Some(n)) = (&id, f.get("id")) {
            super::check_unique(w, &mut seen, id, pos(n), &f.child_path("id"), "objective");
        }
        let text = w.req_text(&f, "text");
        if let (Some(id), Some(text)) = (id, text) {
            out.push(Objective { id, text });
        }
    }
    out
}

/// When an inject is played.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offset {
    /// Only when a facilitator fires it.
    Manual,
    /// At this time on the exercise clock.
    At(TimeDelta),
}

/// Parses an offset: `0`, `15m`, `T+15`, `1h30`, or `manual`/`manuel`; `None` if unreadable.
pub fn parse_offset(s: &str) -> Option<Offset> {
    let folded = crate::lang::fold(s.trim());
    if matches!(folded.as_str(), "manual" | "manuel" | "-") {
        return Some(Offset::Manual);
    }
    let bare = folded
        .strip_prefix("t+")
        .or_else(|| folded.strip_prefix('+'))
        .unwrap_or(&folded);
    // `00:15`, `1:30` as spreadsheets write durations: hours and minutes.
    if let Some((h, m)) = bare.split_once(':')
        && let (Ok(h), Ok(m)) = (h.parse::<i64>(), m.parse::<i64>())
        && m < 60
        && (0..=72).contains(&h)
    {
        return Some(Offset::At(TimeDelta::minutes(h * 60 + m)));
    }
    yaml::parse_duration(bare)
        .filter(|d| *d >= TimeDelta::zero() && *d <= TimeDelta::hours(72))
        .map(Offset::At)
}

fn read_injects(
    w: &mut Walker,
    top: &Fields<'_>,
    playbook: Option<&Playbook>,
    objectives: &HashSet<&str>,
) -> Vec<Inject> {
    let Some(node) = w.required(top, "injects") else {
        return Vec::new();
    };
    let items = w.list(node, "injects");
    if items.is_empty() {
        w.error(pos(node), "injects", "a scenario needs at least one inject");
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    // (inject id, after id, position, path) checked once every id is known.
    let mut deps = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let path = format!("injects[{idx}]");
        let Some(f) = w.fields(item, &path, INJECT_FIELDS) else {
            continue;
        };
        let id = w.req_id(&f, "id");
        if let (Some(id), Some(n)) = (&id, f.get("id")) {
            super::check_unique(w, &mut seen, id, pos(n), &f.child_path("id"), "inject");
            if is_adhoc_id(id) {
                w.error(
                    pos(n),
                    &f.child_path("id"),
                    format!("`{id}` is reserved for ad hoc injects (x1, x2…): pick another id"),
                );
            }
        }
        let at = read_at(w, &f);
        let after = f.get("after").and_then(|n| {
            let a = w.id(n, &f.child_path("after"))?;
            deps.push((id.clone(), a.clone(), pos(n), f.child_path("after")));
            Some(a)
        });
        let from = w.req_text(&f, "from");
        let to = read_to(w, &f, playbook);
        let channel = read_channel(w, &f);
        let content = w.req_text(&f, "content");
        let expected = w.opt_text(&f, "expected");
        let notes = w.opt_text(&f, "notes");
        let served = w.strings(&f, "objectives");
        check_served(w, &f, objectives, &served);
        let matches = read_matches(w, &f, playbook);
        let delivery = read_delivery(w, &f, to.as_ref());
        let attachments = read_attachments(w, &f);
        let (headline, handle) = read_persona_format(w, &f, channel);
        let variants = read_variants(w, &f, channel);
        if let (Some(id), Some(at), Some(from), Some(to), Some(channel), Some(content)) =
            (id, at, from, to, channel, content)
        {
            out.push(Inject {
                id,
                at,
                after,
                from,
                to,
                channel,
                content,
                expected,
                objectives: served,
                notes,
                matches,
                delivery,
                attachments,
                headline,
                handle,
                variants,
            });
        }
    }
    check_dependencies(w, deps, &seen, &out);
    out
}

/// `at`: an offset on the exercise clock (`Some(Some(_))`), `manual` (`Some(None)`), or a problem (`None`).
fn read_at(w: &mut Walker, f: &Fields<'_>) -> Option<Option<TimeDelta>> {
    match w.required(f, "at") {
        None => None,
        Some(n) => {
            let s = w.string(n, &f.child_path("at"));
            match s.as_deref().map(parse_offset) {
                Some(Some(Offset::At(at))) => Some(Some(at)),
                Some(Some(Offset::Manual)) => Some(None),
                Some(None) => {
                    w.error(
                        pos(n),
                        &f.child_path("at"),
                        format!(
                            "bad offset `{}`: write minutes from DEBEX (`0`, `15m`, `1h30`, at most 72h) or `manual`",
                            s.unwrap_or_default()
                        ),
                    );
                    None
                }
                None => None,
            }
        }
    }
}

/// `to`: a role of the playbook (`Some(Some(_))`), everyone (`Some(None)`), or a problem (`None`).
fn read_to(w: &mut Walker, f: &Fields<'_>, playbook: Option<&Playbook>) -> Option<Option<String>> {
    w.required(f, "to").and_then(|n| {
        let s = w.string(n, &f.child_path("to"))?;
        if matches!(
            crate::lang::fold(&s).as_str(),
            "all" | "tous" | "cellule" | "cell"
        ) {
            return Some(None);
        }
        let pb = playbook?;
        if pb.role(&s).is_some() {
            Some(Some(s))
        } else {
            let known: Vec<&str> = pb.roles.iter().map(|r| r.id.as_str()).collect();
            let hint = closest(&s, &known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            w.error(
                pos(n),
                &f.child_path("to"),
                format!(
                    "unknown recipient `{s}`{hint}: a role of playbook `{}` ({}) or `all`",
                    pb.id,
                    known.join(", ")
                ),
            );
            None
        }
    })
}

/// `delivery`: `room` (the default) or `direct`, which needs a recipient role.
fn read_delivery(w: &mut Walker, f: &Fields<'_>, to: Option<&Option<String>>) -> Delivery {
    let Some(n) = f.get("delivery") else {
        return Delivery::Room;
    };
    let path = f.child_path("delivery");
    let Some(s) = w.string(n, &path) else {
        return Delivery::Room;
    };
    match Delivery::parse(&s) {
        None => {
            w.error(
                pos(n),
                &path,
                format!("unknown delivery `{s}`; expected `room` (in the players' room) or `direct` (a direct chat with the role's holder)"),
            );
            Delivery::Room
        }
        Some(Delivery::Direct) if matches!(to, Some(None)) => {
            w.error(
                pos(n),
                &path,
                "`delivery: direct` needs one recipient: set `to` to a role, not `all`",
            );
            Delivery::Room
        }
        Some(d) => d,
    }
}

/// `attachments`: paths relative to the scenario's folder, read by the loader.
fn read_attachments(w: &mut Walker, f: &Fields<'_>) -> Vec<Attachment> {
    let Some(node) = f.get("attachments") else {
        return Vec::new();
    };
    let base = f.child_path("attachments");
    let mut out = Vec::new();
    for (idx, item) in w.list(node, &base).iter().enumerate() {
        let path = format!("{base}[{idx}]");
        let Some(file) = w.string(item, &path) else {
            continue;
        };
        let relative = std::path::Path::new(&file);
        let escapes = relative.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        if escapes || file.contains('\\') {
            w.error(
                pos(item),
                &path,
                format!("attachment `{file}` must be a path inside the scenario's folder, such as `fichiers/note.pdf` (no `..`, no absolute path, `/` between folders)"),
            );
            continue;
        }
        out.push(Attachment {
            file,
            at: pos(item),
            resolved: None,
        });
    }
    out
}

/// `headline` (press only) and `handle` (social media only).
fn read_persona_format(
    w: &mut Walker,
    f: &Fields<'_>,
    channel: Option<Channel>,
) -> (Option<Text>, Option<String>) {
    let headline = read_headline(w, f, channel);
    let handle = f.get("handle").and_then(|n| {
        let path = f.child_path("handle");
        let s = w.string(n, &path)?;
        if channel.is_some_and(|c| c != Channel::Social) {
            w.error(
                pos(n),
                &path,
                format!(
                    "`handle` is for `channel: social`, not `{}`",
                    channel.map_or("", Channel::id)
                ),
            );
        }
        if s.chars().count() > 60 || s.contains(char::is_whitespace) {
            w.error(
                pos(n),
                &path,
                format!("handle `{s}` must be one account name without spaces, at most 60 characters, such as `@InfoSante44`"),
            );
        }
        Some(if s.starts_with('@') { s } else { format!("@{s}") })
    });
    (headline, handle)
}

/// `headline`, on a press inject or one of its variants.
fn read_headline(w: &mut Walker, f: &Fields<'_>, channel: Option<Channel>) -> Option<Text> {
    let headline = w.opt_text(f, "headline");
    if let (Some(n), Some(c)) = (f.get("headline"), channel)
        && c != Channel::Press
    {
        w.error(
            pos(n),
            &f.child_path("headline"),
            format!("`headline` is for `channel: press`, not `{}`", c.id()),
        );
    }
    headline
}

/// `variants`: a site label to the fields that replace the inject's own for
/// that establishment's players.
fn read_variants(
    w: &mut Walker,
    f: &Fields<'_>,
    channel: Option<Channel>,
) -> BTreeMap<String, Variant> {
    let mut out = BTreeMap::new();
    let Some(node) = f.get("variants") else {
        return out;
    };
    let base = f.child_path("variants");
    let entries = match &node.value {
        Node::Map(entries) if !entries.is_empty() => entries,
        Node::Map(_) | Node::Null => {
            w.error(
                pos(node),
                &base,
                "no variant: give at least one site label, such as `chu-nord:`, or remove `variants`",
            );
            return out;
        }
        _ => {
            w.error(
                pos(node),
                &base,
                "expected a mapping from site labels (such as `chu-nord`) to what changes for that site",
            );
            return out;
        }
    };
    for (label, value) in entries {
        let path = join(&base, &label.value);
        if !is_site_label(&label.value) {
            w.error(
                pos(label),
                &path,
                format!(
                    "invalid site label `{}`: use 1 to 32 lowercase letters a-z, digits, `-` and `_`, such as `chu-nord`",
                    label.value
                ),
            );
            continue;
        }
        if out.contains_key(&label.value) {
            w.error(pos(label), &path, "duplicate site label");
            continue;
        }
        let empty = match &value.value {
            Node::Null => true,
            Node::Map(fields) => fields.is_empty(),
            _ => false,
        };
        if empty {
            w.error(
                pos(label),
                &path,
                format!(
                    "empty variant: set at least one of {}",
                    VARIANT_FIELDS.join(", ")
                ),
            );
            continue;
        }
        let Some(vf) = w.fields(value, &path, VARIANT_FIELDS) else {
            continue;
        };
        let variant = Variant {
            from: w.opt_text(&vf, "from"),
            content: w.opt_text(&vf, "content"),
            headline: read_headline(w, &vf, channel),
        };
        if variant != Variant::default() {
            out.insert(label.value.clone(), variant);
        }
    }
    out
}

/// `channel`: one of [`Channel::NAMES`].
fn read_channel(w: &mut Walker, f: &Fields<'_>) -> Option<Channel> {
    w.required(f, "channel").and_then(|n| {
        let s = w.string(n, &f.child_path("channel"))?;
        let c = Channel::parse(&s);
        if c.is_none() {
            w.error(
                pos(n),
                &f.child_path("channel"),
                format!(
                    "unknown channel `{s}`; expected one of: {}",
                    Channel::NAMES.join(", ")
                ),
            );
        }
        c
    })
}

/// Every objective an inject serves is one of the scenario's.
fn check_served(w: &mut Walker, f: &Fields<'_>, objectives: &HashSet<&str>, served: &[String]) {
    if let Some(n) = f.get("objectives") {
        for o in served {
            if !objectives.contains(o.as_str()) {
                let mut known: Vec<&str> = objectives.iter().copied().collect();
                known.sort_unstable();
                w.error(
                    pos(n),
                    &f.child_path("objectives"),
                    format!("unknown objective `{o}`; objectives: {}", known.join(", ")),
                );
            }
        }
    }
}

/// Every `after` names an inject, and following them never loops back.
fn check_dependencies(
    w: &mut Walker,
    deps: Vec<(Option<String>, String, Pos, String)>,
    seen: &HashSet<String>,
    out: &[Inject],
) {
    for (id, after, at, path) in deps {
        if !seen.contains(&after) {
            w.error(at, &path, format!("unknown inject `{after}`"));
            continue;
        }
        // Follow the chain: it must end, not come back.
        let mut cursor = Some(after);
        let mut steps = 0;
        while let Some(cur) = cursor {
            if Some(&cur) == id.as_ref() || steps > out.len() {
                w.error(at, &path, "dependencies loop back to this inject");
                break;
            }
            steps += 1;
            cursor = out
                .iter()
                .find(|i| i.id == cur)
                .and_then(|i| i.after.clone());
        }
    }
}

fn read_matches(w: &mut Walker, f: &Fields<'_>, playbook: Option<&Playbook>) -> Matches {
    let Some(node) = f.get("match") else {
        return Matches::default();
    };
    let path = f.child_path("match");
    let Some(mf) = w.fields(node, &path, &["procedure", "keywords"]) else {
        return Matches::default();
    };
    let procedure = mf.get("procedure").and_then(|n| {
        let p = w.string(n, &mf.child_path("procedure"))?;
        let pb = playbook?;
        if pb.procedure(&p).is_some() {
            Some(p)
        } else {
            let known: Vec<&str> = pb.procedures.iter().map(|p| p.id.as_str()).collect();
            let hint = closest(&p, &known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            w.error(
                pos(n),
                &mf.child_path("procedure"),
                format!("unknown procedure `{p}`{hint} in playbook `{}`", pb.id),
            );
            None
        }
    });
    let keywords = w
        .strings(&mf, "keywords")
        .into_iter()
        .map(|k| crate::lang::fold(&k))
        .collect();
    Matches {
        procedure,
        keywords,
    }
}
