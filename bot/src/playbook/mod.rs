//! Crisis playbooks: roles, procedures, clocks, loaded from YAML.
//!
//! [`parse`] is pure: source text in, a valid [`Playbook`] or *all* the
//! diagnostics out. Only [`load_dir`] and [`load_paths`] touch the file
//! system. The format is documented in `docs/playbook-format.md`.

pub mod import;
pub mod scenario;
pub mod schema;
pub mod yaml;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::TimeDelta;

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
}

#[derive(Clone, Debug)]
pub struct Role {
    pub id: String,
    pub title: Text,
    pub duties: Text,
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
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub text: Text,
    /// Due time relative to the procedure's start.
    pub due: Option<TimeDelta>,
}

#[derive(Clone, Debug)]
pub struct Clock {
    pub id: String,
    pub title: Text,
    /// Deadline relative to the crisis opening.
    pub due: TimeDelta,
    /// Warn when this much time is left, largest first.
    pub warn: Vec<TimeDelta>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
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
        let Some(f) = w.fields(item, &path, &["id", "title", "duties"]) else {
            continue;
        };
        let id = w.req_id(&f, "id");
        if let (Some(id), Some(node)) = (&id, f.get("id")) {
            check_unique(w, &mut seen, id, pos(node), &f.child_path("id"), "role");
        }
        let title = w.req_text(&f, "title");
        let duties = w.opt_text(&f, "duties");
        if let (Some(id), Some(title)) = (id, title) {
            roles.push(Role {
                id,
                title,
                duties: duties.unwrap_or_default(),
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
            &["id", "kind", "title", "service", "owner", "tags", "steps"],
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
        let steps = read_steps(w, &f);
        if let (Some(id), Some(kind), Some(title), Some(owner)) = (id, kind, title, owner) {
            out.push(Procedure {
                id,
                kind,
                title,
                service: service.unwrap_or_default(),
                owner,
                tags,
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

fn read_clocks(w: &mut Walker, top: &Fields<'_>, roles: &HashSet<&str>) -> Vec<Clock> {
    let Some(node) = top.get("clocks") else {
        return Vec::new();
    };
    let items = w.list(node, "clocks");
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let path = format!("clocks[{idx}]");
        let Some(f) = w.fields(
            item,
            &path,
            &["id", "title", "due", "warn", "owner", "tags"],
        ) else {
            continue;
        };
        let id = w.req_id(&f, "id");
        if let (Some(id), Some(node)) = (&id, f.get("id")) {
            check_unique(w, &mut seen, id, pos(node), &f.child_path("id"), "clock");
        }
        let title = w.req_text(&f, "title");
        let due_node = w.required(&f, "due");
        let due = due_node.and_then(|n| w.duration(n, &f.child_path("due")));
        let mut warn = Vec::new();
        if let Some(node) = f.get("warn") {
            let wpath = f.child_path("warn");
            for (i, item) in w.list(node, &wpath).iter().enumerate() {
                let item_path = format!("{wpath}[{i}]");
                if let Some(d) = w.duration(item, &item_path) {
                    if due.is_some_and(|due| d >= due) {
                        w.error(
                            pos(item),
                            &item_path,
                            format!(
                                "warning {} is not before the deadline {}",
                                format_duration(d),
                                format_duration(due.unwrap_or_default())
                            ),
                        );
                    }
                    warn.push(d);
                }
            }
        }
        warn.sort_unstable_by(|a, b| b.cmp(a));
        warn.dedup();
        let owner = check_role(w, &f, "owner", roles);
        let tags = w.strings(&f, "tags");
        if let (Some(id), Some(title), Some(due)) = (id, title, due) {
            out.push(Clock {
                id,
                title,
                due,
                warn,
                owner,
                tags,
            });
        }
    }
    out
}

/// The result of loading several files: the playbooks that parsed, and every diagnostic.
#[derive(Debug, Default)]
pub struct Loaded {
    pub playbooks: Vec<Playbook>,
    pub scenarios: Vec<Scenario>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files that were read.
    pub files: Vec<PathBuf>,
}

/// Loads the playbooks and scenarios in `paths`: files, or directories whose
/// `*.yaml`/`*.yml` files are read, with those of their `scenarios/` folder.
/// A file with a top-level `injects:` is a scenario; scenarios are checked
/// against the playbooks loaded with them.
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    for path in paths {
        if path.is_dir() {
            match yaml_files(path) {
                Ok(files) => loaded.files.extend(files),
                Err(err) => loaded.diagnostics.push(io_diag(path, &err)),
            }
            let scenarios = path.join("scenarios");
            if scenarios.is_dir() {
                match yaml_files(&scenarios) {
                    Ok(files) => loaded.files.extend(files),
                    Err(err) => loaded.diagnostics.push(io_diag(&scenarios, &err)),
                }
            }
        } else {
            loaded.files.push(path.clone());
        }
    }
    let mut scenario_sources = Vec::new();
    for file in loaded.files.clone() {
        let origin = file.display().to_string();
        match read_utf8(&file) {
            Err(diag) => loaded.diagnostics.push(diag),
            Ok(src) if scenario::looks_like_scenario(&src) => scenario_sources.push((origin, src)),
            Ok(src) => match parse(&origin, &src) {
                Ok(pb) => loaded.playbooks.push(pb),
                Err(diags) => loaded.diagnostics.extend(diags),
            },
        }
    }
    let by_id: BTreeMap<String, Playbook> = loaded
        .playbooks
        .iter()
        .map(|p| (p.id.clone(), p.clone()))
        .collect();
    for (origin, src) in scenario_sources {
        match scenario::parse(&origin, &src, &by_id) {
            Ok(sc) => loaded.scenarios.push(sc),
            Err(diags) => loaded.diagnostics.extend(diags),
        }
    }
    loaded
}

/// Reads a file as UTF-8, or says where it is not.
fn read_utf8(file: &Path) -> Result<String, Diagnostic> {
    let origin = file.display().to_string();
    match std::fs::read(file) {
        Err(err) => Err(io_diag(file, &err)),
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(err) => {
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
                Err(Diagnostic {
                        origin,
                        line: line as u32,
                        column: column as u32,
                        path: String::new(),
                        message: "not valid UTF-8: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)"
                            .to_owned(),
                    })
            }
            Ok(src) => Ok(src),
        },
    }
}

/// Loads every playbook of a directory into a catalog, or returns all diagnostics.
pub fn load_dir(dir: &Path) -> Result<Catalog, Vec<Diagnostic>> {
    let loaded = load_paths(&[dir.to_path_buf()]);
    if !loaded.diagnostics.is_empty() {
        return Err(loaded.diagnostics);
    }
    Catalog::from_playbooks(loaded.playbooks)?.with_scenarios(loaded.scenarios)
}

fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml");
        if path.is_file() && is_yaml {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn io_diag(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic {
        origin: path.display().to_string(),
        line: 0,
        column: 0,
        path: String::new(),
        message: format!("cannot read: {err}"),
    }
}
