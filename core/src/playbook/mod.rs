//! Crisis playbooks: roles, procedures, clocks, parsed from YAML text.
//!
//! [`parse`] is pure: source text in, a valid [`Playbook`] or *all* the
//! diagnostics out; [`parse_sources`] does the same for a set of playbooks
//! and scenarios. Reading the files is the `tocsin` crate's `load` module.
//! The format is documented in `docs/playbook-format.md`.

pub mod import;
pub mod scenario;
pub mod schema;
pub mod yaml;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Months, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::lang::Text;
use yaml::{Diagnostic, Fields, Pos, Walker, pos};

pub use scenario::Scenario;
pub use yaml::{format_duration, parse_duration};

/// A validated playbook.
#[derive(Clone, Debug)]
pub struct Playbook {
    pub id: String,
    pub version: String,
    pub title: Text,
    pub summary: Option<Text>,
    /// Free reference tags (certification criteria, instructions), printed as given.
    pub tags: Vec<String>,
    /// Default cadence of situation points.
    pub situation_points: Option<TimeDelta>,
    pub roles: Vec<Role>,
    pub procedures: Vec<Procedure>,
    pub clocks: Vec<Clock>,
    /// Where the playbook was read from.
    pub origin: String,
    /// What `tocsin check` points out without refusing the playbook (a clock with no source).
    pub warnings: Vec<Diagnostic>,
}

impl Playbook {
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id == id)
    }

    pub fn n_steps(&self) -> usize {
        self.procedures.iter().map(|p| p.steps.len()).sum()
    }

    pub fn clock(&self, id: &str) -> Option<&Clock> {
        self.clocks.iter().find(|c| c.id == id)
    }
}

#[derive(Clone, Debug)]
pub struct Role {
    pub id: String,
    pub title: Text,
    pub duties: Text,
    /// A read-only participant from outside the cell (the regional health
    /// agency, the CERT): their commands are refused but `!statut` and `!aide`.
    pub observer: bool,
    /// Where the duties' legal statements come from (a delay, a duty to report).
    pub source: Vec<Source>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcedureKind {
    /// A fiche réflexe: the first moves.
    Reflex,
    /// A degraded-mode procedure for one service.
    Degraded,
}

#[derive(Clone, Debug)]
pub struct Procedure {
    pub id: String,
    pub kind: ProcedureKind,
    pub title: Text,
    pub service: Text,
    /// Id of the role that owns the procedure; always a role of the playbook.
    pub owner: String,
    pub tags: Vec<String>,
    /// Where its legal statements come from, or that it is the establishment's choice.
    pub source: Vec<Source>,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub text: Text,
    /// Due time relative to the procedure's start.
    pub due: Option<TimeDelta>,
}

/// A deadline: a regulatory delay (CNIL 72 h, complaint…) or one the establishment sets.
#[derive(Clone, Debug)]
pub struct Clock {
    pub id: String,
    pub title: Text,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    /// Where the delay comes from; `tocsin check` warns when there is none.
    pub source: Vec<Source>,
    /// When the clock applies, if not always: it then waits until the cell
    /// activates it (`!horloge <id> activer`).
    pub condition: Option<Text>,
    /// A recurring clock: once met, the next deadline comes this long after.
    pub every: Option<TimeDelta>,
    /// The deadlines, in order: one for most clocks; several for a clock
    /// with stages (NIS 2: early warning, notification, final report).
    pub stages: Vec<Stage>,
}

impl Clock {
    /// More than one deadline: each is met on its own (`!fait nis2.2`).
    pub fn is_staged(&self) -> bool {
        self.stages.len() > 1
    }
}

/// One deadline of a clock.
#[derive(Clone, Debug)]
pub struct Stage {
    /// The stage's own title; a clock with one stage has the clock's title.
    pub title: Text,
    /// Counted from the clock's start (the opening, a time the cell gives, or
    /// the activation), or from when the stage `after` was met.
    pub due: Delay,
    /// Warn when this much time is left, largest first.
    pub warn: Vec<TimeDelta>,
    /// The stage (from 1) whose completion this one counts from.
    pub after: Option<usize>,
}

/// Where a delay or a legal statement comes from: a text (law, article,
/// recommendation, « choix de l'établissement ») and where to read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub text: Text,
    pub url: Option<String>,
}

/// The length of a deadline: calendar months (« un mois après ») and a duration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delay {
    pub months: u32,
    pub span: TimeDelta,
}

impl Delay {
    pub fn span(span: TimeDelta) -> Delay {
        Delay { months: 0, span }
    }

    /// The instant this delay after `start`: months on the calendar of the
    /// time zone (the 31st plus a month is the last day of the next month).
    pub fn after(self, start: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        let moved = if self.months == 0 {
            start
        } else {
            let local = start.with_timezone(&tz).naive_local();
            local
                .checked_add_months(Months::new(self.months))
                .and_then(|naive| tz.from_local_datetime(&naive).earliest())
                .map_or(start, |t| t.with_timezone(&Utc))
        };
        moved + self.span
    }

    /// The shortest this delay can be (a month is at least 28 days): warnings must be shorter.
    pub fn shortest(self) -> TimeDelta {
        TimeDelta::days(28 * i64::from(self.months)) + self.span
    }
}

impl std::fmt::Display for Delay {
    /// `1mo`, `72h` as `3d`, `1mo2d`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.months, self.span.is_zero()) {
            (0, _) => f.write_str(&format_duration(self.span)),
            (m, true) => write!(f, "{m}mo"),
            (m, false) => write!(f, "{m}mo{}", format_duration(self.span)),
        }
    }
}

/// A delay: `1mo` (or `1mois`) for calendar months, optionally followed by a duration (`1mo2d`), or a duration.
pub fn parse_delay(s: &str) -> Option<Delay> {
    let lower = s.trim().to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (number, rest) = lower.split_at(digits_end);
    let months_unit = ["mois", "mo"].into_iter().find(|u| rest.starts_with(u));
    match months_unit {
        Some(unit) if !number.is_empty() => {
            let months: u32 = number.parse().ok().filter(|m| (1..=12).contains(m))?;
            let rest = &rest[unit.len()..];
            let span = if rest.is_empty() {
                TimeDelta::zero()
            } else {
                parse_duration(rest)?
            };
            Some(Delay { months, span })
        }
        _ => parse_duration(&lower)
            .filter(|d| *d > TimeDelta::zero())
            .map(Delay::span),
    }
}

/// All loaded playbooks and exercise scenarios, by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    playbooks: BTreeMap<String, Playbook>,
    scenarios: BTreeMap<String, Scenario>,
}

impl Catalog {
    pub fn get(&self, id: &str) -> Option<&Playbook> {
        self.playbooks.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.playbooks.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Playbook> {
        self.playbooks.values()
    }

    pub fn len(&self) -> usize {
        self.playbooks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.playbooks.is_empty()
    }

    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.get(id)
    }

    pub fn scenarios(&self) -> impl Iterator<Item = &Scenario> {
        self.scenarios.values()
    }

    /// Adds scenarios (already checked against these playbooks); two with one id are reported.
    pub fn with_scenarios(mut self, list: Vec<Scenario>) -> Result<Catalog, Vec<Diagnostic>> {
        let mut diagnostics = Vec::new();
        for sc in list {
            if let Some(first) = self.scenarios.get(&sc.id) {
                diagnostics.push(Diagnostic {
                    origin: sc.origin.clone(),
                    line: 1,
                    column: 1,
                    path: "id".to_owned(),
                    message: format!(
                        "duplicate scenario id `{}`, also in {}",
                        sc.id, first.origin
                    ),
                });
                continue;
            }
            self.scenarios.insert(sc.id.clone(), sc);
        }
        if diagnostics.is_empty() {
            Ok(self)
        } else {
            Err(diagnostics)
        }
    }

    /// Builds a catalog; two playbooks with one id are reported.
    pub fn from_playbooks(list: Vec<Playbook>) -> Result<Catalog, Vec<Diagnostic>> {
        let mut playbooks = BTreeMap::new();
        let mut diagnostics = Vec::new();
        for pb in list {
            if let Some(first) = playbooks.get(&pb.id) {
                let first: &Playbook = first;
                diagnostics.push(Diagnostic {
                    origin: pb.origin.clone(),
                    line: 1,
                    column: 1,
                    path: "id".to_owned(),
                    message: format!(
                        "duplicate playbook id `{}`, also in {}",
                        pb.id, first.origin
                    ),
                });
                continue;
            }
            playbooks.insert(pb.id.clone(), pb);
        }
        if diagnostics.is_empty() {
            Ok(Catalog {
                playbooks,
                scenarios: BTreeMap::new(),
            })
        } else {
            Err(diagnostics)
        }
    }
}

/// Largest playbook file accepted, against accidental or hostile input.
pub(crate) const MAX_SOURCE_BYTES: usize = 2 * 1024 * 1024;

/// Parses one playbook. `origin` names the source in diagnostics.
pub fn parse(origin: &str, src: &str) -> Result<Playbook, Vec<Diagnostic>> {
    if src.len() > MAX_SOURCE_BYTES {
        return Err(vec![Diagnostic {
            origin: origin.to_owned(),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!(
                "file too large ({} bytes, at most {MAX_SOURCE_BYTES})",
                src.len()
            ),
        }]);
    }
    let tree = yaml::parse_tree(origin, src).map_err(|d| vec![d])?;
    let mut w = Walker::new(origin);
    let playbook = read_playbook(&mut w, &tree, origin);
    match playbook {
        Some(pb) if w.diagnostics.is_empty() => Ok(pb),
        _ => {
            if w.diagnostics.is_empty() {
                w.error(pos(&tree), "", "invalid playbook");
            }
            w.diagnostics.sort_by_key(|d| (d.line, d.column));
            Err(w.diagnostics)
        }
    }
}

const TOP_FIELDS: &[&str] = &[
    "id",
    "version",
    "title",
    "summary",
    "tags",
    "situation_points",
    "roles",
    "procedures",
    "clocks",
];

fn read_playbook(
    w: &mut Walker,
    tree: &serde_saphyr::Spanned<yaml::Node>,
    origin: &str,
) -> Option<Playbook> {
    if matches!(tree.value, yaml::Node::Null) {
        w.error(
            pos(tree),
            "",
            "the file is empty: a playbook needs at least `id`, `version`, `title` and `roles`",
        );
        return None;
    }
    let top = w.fields(tree, "", TOP_FIELDS)?;
    let id = w.req_id(&top, "id");
    let version = w.req_string(&top, "version");
    let title = w.req_text(&top, "title");
    let summary = w.opt_text(&top, "summary");
    let tags = w.strings(&top, "tags");
    let situation_points = top
        .get("situation_points")
        .and_then(|n| w.duration(n, "situation_points"));

    let roles = read_roles(w, &top);
    let role_ids: HashSet<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    let procedures = read_procedures(w, &top, &role_ids);
    let clocks = read_clocks(w, &top, &role_ids);
    let warnings = unsourced_clocks(origin, &top, &clocks);

    Some(Playbook {
        id: id?,
        version: version?,
        title: title?,
        summary,
        tags,
        situation_points,
        roles,
        procedures,
        clocks,
        origin: origin.to_owned(),
        warnings,
    })
}

/// A clock without `source:` is a delay nobody can check: `tocsin check` says so.
fn unsourced_clocks(origin: &str, top: &Fields<'_>, clocks: &[Clock]) -> Vec<Diagnostic> {
    let Some(yaml::Node::Seq(items)) = top.get("clocks").map(|n| &n.value) else {
        return Vec::new();
    };
    clocks
        .iter()
        .zip(items)
        .enumerate()
        .filter(|(_, (clock, _))| clock.source.is_empty())
        .map(|(idx, (clock, item))| {
            let at = pos(item);
            Diagnostic {
                origin: origin.to_owned(),
                line: at.line,
                column: at.column,
                path: format!("clocks[{idx}]"),
                message: format!(
                    "warning: clock `{}` has no `source`: cite the text the delay comes from, or write that it is the establishment's choice",
                    clock.id
                ),
            }
        })
        .collect()
}

/// `source:` — a text, `{text, url}`, or a list of them.
fn read_sources(w: &mut Walker, f: &Fields<'_>) -> Vec<Source> {
    let Some(node) = f.get("source") else {
        return Vec::new();
    };
    let path = f.child_path("source");
    match &node.value {
        yaml::Node::Seq(items) => items
            .iter()
            .enumerate()
            .filter_map(|(idx, item)| read_source(w, item, &format!("{path}[{idx}]")))
            .collect(),
        _ => read_source(w, node, &path).into_iter().collect(),
    }
}

/// One source: a text alone, or a mapping with `text` and `url`.
fn read_source(
    w: &mut Walker,
    node: &serde_saphyr::Spanned<yaml::Node>,
    path: &str,
) -> Option<Source> {
    let is_source_map = matches!(&node.value, yaml::Node::Map(entries)
        if entries.iter().any(|(k, _)| k.value == "text" || k.value == "url"));
    if !is_source_map {
        return w.text(node, path).map(|text| Source { text, url: None });
    }
    let f = w.fields(node, path, &["text", "url"])?;
    let text = w.req_text(&f, "text");
    let url = match f.get("url") {
        None => Some(None),
        Some(n) => {
            let url_path = f.child_path("url");
            w.string(n, &url_path).and_then(|u| {
                let web = (u.starts_with("https://") || u.starts_with("http://"))
                    && !u.contains(char::is_whitespace);
                if web {
                    Some(Some(u))
                } else {
                    w.error(
                        pos(n),
                        &url_path,
                        format!("bad url `{u}`: write the full address, starting with https://"),
                    );
                    None
                }
            })
        }
    };
    Some(Source {
        text: text?,
        url: url?,
    })
}

/// Reports an id seen twice in one list.
fn check_unique(
    w: &mut Walker,
    seen: &mut HashSet<String>,
    id: &str,
    at: Pos,
    path: &str,
    what: &str,
) {
    if !seen.insert(id.to_owned()) {
        w.error(at, path, format!("duplicate {what} id `{id}`"));
    }
}

fn read_roles(w: &mut Walker, top: &Fields<'_>) -> Vec<Role> {
    let Some(node) = w.required(top, "roles") else {
        return Vec::new();
    };
    let items = w.list(node, "roles");
    if items.is_empty() && matches!(node.value, yaml::Node::Seq(_) | yaml::Node::Null) {
        w.error(pos(node), "roles", "a playbook needs at least one role");
    }
    let mut seen = HashSet::new();
    let mut roles = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let path = format!("roles[{idx}]");
        let Some(f) = w.fields(
            item,
            &path,
            &["id", "title", "duties", "source", "observer"],
        ) else {
            continue;
        };
        let id = w.req_id(&f, "id");
        if let (Some(id), Some(node)) = (&id, f.get("id")) {
            check_unique(w, &mut seen, id, pos(node), &f.child_path("id"), "role");
        }
        let title = w.req_text(&f, "title");
        let duties = w.opt_text(&f, "duties");
        let observer = w.opt_bool(&f, "observer").unwrap_or(false);
        let source = read_sources(w, &f);
        if let (Some(id), Some(title)) = (id, title) {
            roles.push(Role {
                id,
                title,
                duties: duties.unwrap_or_default(),
                observer,
                source,
            });
        }
    }
    roles
}

fn check_role(w: &mut Walker, f: &Fields<'_>, key: &str, roles: &HashSet<&str>) -> Option<String> {
    let node = f.get(key)?;
    let path = f.child_path(key);
    let id = w.string(node, &path)?;
    if roles.contains(id.as_str()) {
        Some(id)
    } else {
        let mut known: Vec<&str> = roles.iter().copied().collect();
        known.sort_unstable();
        let hint = yaml::closest(&id, &known)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        w.error(
            pos(node),
            &path,
            format!(
                "unknown role `{id}`{hint}; roles defined: {}",
                known.join(", ")
            ),
        );
        None
    }
}

fn read_procedures(w: &mut Walker, top: &Fields<'_>, roles: &HashSet<&str>) -> Vec<Procedure> {
    let Some(node) = top.get("procedures") else {
        return Vec::new();
    };
    let items = w.list(node, "procedures");
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let path = format!("procedures[{idx}]");
        let Some(f) = w.fields(
            item,
            &path,
            &[
                "id", "kind", "title", "service", "owner", "tags", "source", "steps",
            ],
        ) else {
            continue;
        };
        let id = w.req_id(&f, "id");
        if let (Some(id), Some(node)) = (&id, f.get("id")) {
            check_unique(
                w,
                &mut seen,
                id,
                pos(node),
                &f.child_path("id"),
                "procedure",
            );
        }
        let kind = match f.get("kind") {
            None => Some(ProcedureKind::Degraded),
            Some(node) => match w.string(node, &f.child_path("kind")).as_deref() {
                Some("reflex") => Some(ProcedureKind::Reflex),
                Some("degraded") => Some(ProcedureKind::Degraded),
                Some(other) => {
                    w.error(
                        pos(node),
                        &f.child_path("kind"),
                        format!("unknown kind `{other}`; expected `reflex` or `degraded`"),
                    );
                    None
                }
                None => None,
            },
        };
        let title = w.req_text(&f, "title");
        let service = w.opt_text(&f, "service");
        if f.get("owner").is_none() {
            w.required(&f, "owner");
        }
        let owner = check_role(w, &f, "owner", roles);
        let tags = w.strings(&f, "tags");
        let source = read_sources(w, &f);
        let steps = read_steps(w, &f);
        if let (Some(id), Some(kind), Some(title), Some(owner)) = (id, kind, title, owner) {
            out.push(Procedure {
                id,
                kind,
                title,
                service: service.unwrap_or_default(),
                owner,
                tags,
                source,
                steps,
            });
        }
    }
    out
}

fn read_steps(w: &mut Walker, f: &Fields<'_>) -> Vec<Step> {
    let Some(node) = w.required(f, "steps") else {
        return Vec::new();
    };
    let path = f.child_path("steps");
    let items = w.list(node, &path);
    if items.is_empty() && matches!(node.value, yaml::Node::Seq(_) | yaml::Node::Null) {
        w.error(pos(node), &path, "a procedure needs at least one step");
    }
    let mut steps = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let step_path = format!("{path}[{idx}]");
        // A step may be a bare text when it has no due time.
        let step = match &item.value {
            yaml::Node::Map(entries) if entries.iter().any(|(k, _)| k.value == "text") => {
                let Some(sf) = w.fields(item, &step_path, &["text", "due"]) else {
                    continue;
                };
                let text = w.req_text(&sf, "text");
                let due = sf
                    .get("due")
                    .and_then(|n| w.duration(n, &sf.child_path("due")));
                text.map(|text| Step { text, due })
            }
            _ => w
                .text(item, &step_path)
                .map(|text| Step { text, due: None }),
        };
        steps.extend(step);
    }
    steps
}

const CLOCK_FIELDS: &[&str] = &[
    "id",
    "title",
    "due",
    "warn",
    "every",
    "stages",
    "condition",
    "owner",
    "tags",
    "source",
];

fn read_clocks(w: &mut Walker, top: &Fields<'_>, roles: &HashSet<&str>) -> Vec<Clock> {
    let Some(node) = top.get("clocks") else {
        return Vec::new();
    };
    let items = w.list(node, "clocks");
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let path = format!("clocks[{idx}]");
        let Some(f) = w.fields(item, &path, CLOCK_FIELDS) else {
            continue;
        };
        let id = w.req_id(&f, "id");
        if let (Some(id), Some(node)) = (&id, f.get("id")) {
            check_unique(w, &mut seen, id, pos(node), &f.child_path("id"), "clock");
        }
        let title = w.req_text(&f, "title");
        let every = f
            .get("every")
            .and_then(|n| w.duration(n, &f.child_path("every")));
        let stages = match (f.get("stages"), &title) {
            (Some(list), _) => read_stages(w, &f, list, every.is_some()),
            (None, Some(title)) => read_stage(w, &f, title, every).into_iter().collect(),
            (None, None) => Vec::new(),
        };
        let condition = w.opt_text(&f, "condition");
        let owner = check_role(w, &f, "owner", roles);
        let tags = w.strings(&f, "tags");
        let source = read_sources(w, &f);
        if let (Some(id), Some(title), false) = (id, title, stages.is_empty()) {
            out.push(Clock {
                id,
                title,
                owner,
                tags,
                source,
                condition,
                every,
                stages,
            });
        }
    }
    out
}

/// The single deadline of a clock without stages: `due` (for a recurring clock, `every` at the latest) and `warn`.
fn read_stage(
    w: &mut Walker,
    f: &Fields<'_>,
    title: &Text,
    every: Option<TimeDelta>,
) -> Option<Stage> {
    let due = match (f.get("due"), every) {
        (Some(n), _) => read_delay(w, n, &f.child_path("due"))?,
        (None, Some(every)) => Delay::span(every),
        (None, None) => {
            w.required(f, "due")?;
            return None;
        }
    };
    if let (Some(every), true) = (every, due.months > 0) {
        w.error(
            pos(f.get("due")?),
            &f.child_path("due"),
            format!(
                "a recurring clock counts in days, hours and minutes: `due: {due}` with `every: {}`",
                format_duration(every)
            ),
        );
        return None;
    }
    let warn = read_warn(w, f, due, every)?;
    Some(Stage {
        title: title.clone(),
        due,
        warn,
        after: None,
    })
}

/// `stages:` — each with its `title`, `due`, `warn` and, optionally, `after` (an earlier stage's number).
fn read_stages(
    w: &mut Walker,
    f: &Fields<'_>,
    list: &serde_saphyr::Spanned<yaml::Node>,
    recurring: bool,
) -> Vec<Stage> {
    let path = f.child_path("stages");
    for key in ["due", "warn"] {
        if let Some(n) = f.get(key) {
            w.error(
                pos(n),
                &f.child_path(key),
                format!("a clock with `stages` gives `{key}` in each stage"),
            );
        }
    }
    if recurring {
        w.error(
            pos(list),
            &path,
            "a recurring clock (`every`) has a single deadline, not `stages`",
        );
    }
    let items = w.list(list, &path);
    if items.len() < 2 && matches!(list.value, yaml::Node::Seq(_) | yaml::Node::Null) {
        w.error(
            pos(list),
            &path,
            "a clock with stages needs at least two; with one, write `due` and `warn` on the clock",
        );
    }
    let mut stages = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let stage_path = format!("{path}[{idx}]");
        let Some(sf) = w.fields(item, &stage_path, &["title", "due", "warn", "after"]) else {
            continue;
        };
        let title = w.req_text(&sf, "title");
        let due = w
            .required(&sf, "due")
            .and_then(|n| read_delay(w, n, &sf.child_path("due")));
        let warn = due.and_then(|due| read_warn(w, &sf, due, None));
        let after = sf.get("after").and_then(|n| {
            let s = w.string(n, &sf.child_path("after"))?;
            match s.parse::<usize>() {
                Ok(k) if k >= 1 && k <= idx => Some(k),
                _ => {
                    let message = if idx == 0 {
                        "the first stage counts from the clock's start: it cannot have `after`"
                            .to_owned()
                    } else {
                        format!(
                            "`after: {s}` must be the number of an earlier stage (1 to {idx}); stages count from 1"
                        )
                    };
                    w.error(pos(n), &sf.child_path("after"), message);
                    None
                }
            }
        });
        if sf.get("after").is_some() && after.is_none() {
            continue;
        }
        if let (Some(title), Some(due), Some(warn)) = (title, due, warn) {
            stages.push(Stage {
                title,
                due,
                warn,
                after,
            });
        }
    }
    stages
}

/// A deadline: a duration, or calendar months (`1mo`).
fn read_delay(
    w: &mut Walker,
    node: &serde_saphyr::Spanned<yaml::Node>,
    path: &str,
) -> Option<Delay> {
    let s = w.string(node, path)?;
    let delay = parse_delay(&s);
    if delay.is_none() {
        w.error(
            pos(node),
            path,
            format!(
                "bad duration `{s}`: write a number and a unit d, h or m, e.g. 15m, 2h, 1h30m, 3d, or calendar months: 1mo"
            ),
        );
    }
    delay
}

/// `warn:` — each shorter than the deadline (and than the interval of a recurring clock), largest first.
fn read_warn(
    w: &mut Walker,
    f: &Fields<'_>,
    due: Delay,
    every: Option<TimeDelta>,
) -> Option<Vec<TimeDelta>> {
    let mut warn = Vec::new();
    let mut ok = true;
    if let Some(node) = f.get("warn") {
        let wpath = f.child_path("warn");
        for (i, item) in w.list(node, &wpath).iter().enumerate() {
            let item_path = format!("{wpath}[{i}]");
            let Some(d) = w.duration(item, &item_path) else {
                ok = false;
                continue;
            };
            let limit = every.map_or(due.shortest(), |e| e.min(due.shortest()));
            if d >= limit {
                let what = match every {
                    Some(e) if e < due.shortest() => format!("the interval {}", format_duration(e)),
                    _ => format!("the deadline {due}"),
                };
                w.error(
                    pos(item),
                    &item_path,
                    format!("warning {} is not before {what}", format_duration(d)),
                );
                ok = false;
            }
            warn.push(d);
        }
    }
    warn.sort_unstable_by(|a, b| b.cmp(a));
    warn.dedup();
    ok.then_some(warn)
}

/// Playbooks and scenarios parsed together, and every diagnostic.
#[derive(Debug, Default)]
pub struct Parsed {
    pub playbooks: Vec<Playbook>,
    /// Each scenario with the origin of its source, from which its
    /// attachments are found.
    pub scenarios: Vec<(String, Scenario)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses sources given as `(origin, text)`, in order. A text with a
/// top-level `injects:` is a scenario; scenarios are checked against the
/// playbooks parsed with them.
pub fn parse_sources(sources: Vec<(String, String)>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut scenario_sources = Vec::new();
    for (origin, src) in sources {
        if scenario::looks_like_scenario(&src) {
            scenario_sources.push((origin, src));
        } else {
            match parse(&origin, &src) {
                Ok(pb) => parsed.playbooks.push(pb),
                Err(diags) => parsed.diagnostics.extend(diags),
            }
        }
    }
    let by_id: BTreeMap<String, Playbook> = parsed
        .playbooks
        .iter()
        .map(|p| (p.id.clone(), p.clone()))
        .collect();
    for (origin, src) in scenario_sources {
        match scenario::parse(&origin, &src, &by_id) {
            Ok(sc) => parsed.scenarios.push((origin, sc)),
            Err(diags) => parsed.diagnostics.extend(diags),
        }
    }
    parsed
}

/// A file's bytes as UTF-8, or a diagnostic saying where they are not.
pub fn decode_utf8(origin: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|err| {
        let at = err.utf8_error().valid_up_to();
        let before = &err.as_bytes()[..at];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Diagnostic {
            origin: origin.to_owned(),
            line: line as u32,
            column: column as u32,
            path: String::new(),
            message:
                "not valid UTF-8: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)"
                    .to_owned(),
        }
    })
}
