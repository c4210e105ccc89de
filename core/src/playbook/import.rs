//! `tocsin scenario import`: a facilitator's chronogramme spreadsheet (CSV) to a scenario file.
//!
//! Facilitators keep chronogrammes in spreadsheets. This turns one saved as
//! CSV (`;` as French spreadsheets write it, or `,`) into scenario YAML, with
//! one diagnostic per bad line. The YAML is written with every string quoted
//! as JSON (valid YAML), then parsed back with [`super::scenario::parse`], so
//! an import that succeeds always gives a file `tocsin check` accepts.

use std::collections::{BTreeMap, HashSet};

use super::scenario::{self, Channel, Level, Offset};
use super::yaml::{Diagnostic, is_id};
use super::{Playbook, format_duration};
use crate::lang::fold;

/// What the spreadsheet does not hold: the scenario's identity.
#[derive(Clone, Debug)]
pub struct Header {
    pub id: String,
    pub code_name: String,
    pub title: Option<String>,
    pub playbook: String,
    pub level: Level,
}

/// The columns, by their canonical name, with the spellings accepted in a header line.
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "id",
        &["id", "n", "n°", "no", "#", "numero", "ref", "reference"],
    ),
    (
        "at",
        &["at", "t", "t+", "offset", "horaire", "temps", "heure"],
    ),
    (
        "after",
        &["after", "apres", "depend", "dependance", "depends"],
    ),
    ("from", &["from", "de", "emetteur", "persona", "expediteur"]),
    ("to", &["to", "a", "destinataire", "pour", "recipient"]),
    ("channel", &["channel", "canal", "vecteur", "moyen"]),
    (
        "content_fr",
        &[
            "content_fr",
            "contenu",
            "contenu_fr",
            "stimulus",
            "message",
            "content",
        ],
    ),
    ("content_en", &["content_en", "contenu_en"]),
    (
        "expected_fr",
        &[
            "expected_fr",
            "attendu",
            "attendu_fr",
            "reaction attendue",
            "reaction_attendue",
            "expected",
        ],
    ),
    ("expected_en", &["expected_en", "attendu_en"]),
    (
        "objectives",
        &["objectives", "objectifs", "objectif", "objective"],
    ),
    (
        "notes",
        &[
            "notes",
            "note",
            "notes animateur",
            "notes_animateur",
            "remarques",
        ],
    ),
    (
        "delivery",
        &["delivery", "remise", "envoi", "mode d'envoi", "mode_envoi"],
    ),
    (
        "attachments",
        &[
            "attachments",
            "pieces jointes",
            "pieces_jointes",
            "piece jointe",
            "pj",
            "fichiers",
        ],
    ),
    (
        "headline",
        &["headline", "titre", "gros titre", "titre presse"],
    ),
    ("handle", &["handle", "compte", "pseudo"]),
];

const REQUIRED: &[&str] = &["id", "at", "from", "to", "channel"];

/// The result: the YAML text, and what the facilitator still has to write by hand.
#[derive(Debug)]
pub struct Imported {
    pub yaml: String,
    pub n_injects: usize,
    /// Objective ids found in the sheet, whose text is a placeholder to complete.
    pub objectives_to_write: Vec<String>,
}

/// Converts a chronogramme. `origin` names the file in diagnostics.
pub fn csv_to_scenario(
    origin: &str,
    src: &str,
    header: &Header,
    playbooks: &BTreeMap<String, Playbook>,
) -> Result<Imported, Vec<Diagnostic>> {
    let diag = |line: u64, path: &str, message: String| diagnostic(origin, line, path, message);
    let playbook = check_header(origin, header, playbooks)?;
    let mut reader = reader(src);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(err) => return Err(vec![diag(1, "", format!("unreadable header line: {err}"))]),
    };
    let (index, problems) = column_index(&headers, origin);
    if !problems.is_empty() {
        return Err(problems);
    }
    let roles: Vec<&str> = playbook.roles.iter().map(|r| r.id.as_str()).collect();
    let mut rows = Rows {
        origin,
        playbook,
        roles: &roles,
        seen: HashSet::new(),
        objectives: Vec::new(),
        afters: Vec::new(),
        problems,
    };
    let mut injects = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                rows.problems
                    .push(diag(line, "", format!("unreadable line: {err}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |name: &str| -> String {
            index
                .get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if let Some(row) = rows.read(line, &cell) {
            injects.push(row);
        }
    }
    rows.check_afters();
    let Rows {
        mut objectives,
        mut problems,
        ..
    } = rows;
    if injects.is_empty() && problems.is_empty() {
        problems.push(diag(
            1,
            "",
            "no inject: the sheet has a header line but no rows".to_owned(),
        ));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|d| d.line);
        return Err(problems);
    }
    if objectives.is_empty() {
        objectives.push("o1".to_owned());
    }
    let yaml = write_yaml(header, &objectives, &injects);
    // Round trip: what we wrote must be a valid scenario (a dependency loop is
    // the one problem only the scenario checker sees).
    scenario::parse(&format!("{origin} (as YAML)"), &yaml, playbooks)?;
    Ok(Imported {
        yaml,
        n_injects: injects.len(),
        objectives_to_write: objectives,
    })
}

struct Row {
    id: String,
    at: Offset,
    after: Option<String>,
    from: String,
    to: String,
    channel: Channel,
    content: (String, String),
    expected: (String, String),
    objectives: Vec<String>,
    notes: String,
    direct: bool,
    attachments: Vec<String>,
    headline: String,
    handle: String,
}

/// Canonical column name → index in the sheet, and the header's problems.
fn column_index(
    headers: &csv::StringRecord,
    origin: &str,
) -> (BTreeMap<&'static str, usize>, Vec<Diagnostic>) {
    let diag = |line: u64, path: &str, message: String| diagnostic(origin, line, path, message);
    let mut problems = Vec::new();
    // Canonical column name → index in the sheet.
    let mut index: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (idx, name) in headers.iter().enumerate() {
        let folded = fold(name.trim());
        match COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&folded.as_str()))
        {
            Some((canon, _)) => {
                if index.insert(canon, idx).is_some() {
                    problems.push(diag(1, name, format!("column `{canon}` appears twice")));
                }
            }
            None if folded.is_empty() => {}
            None => problems.push(diag(
                1,
                name,
                format!(
                    "unknown column `{name}`; columns: {}",
                    COLUMNS
                        .iter()
                        .map(|(c, _)| *c)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    for req in REQUIRED {
        if !index.contains_key(req) {
            problems.push(diag(1, "", format!("missing column `{req}`")));
        }
    }
    if !index.contains_key("content_fr") && !index.contains_key("content_en") {
        problems.push(diag(
            1,
            "",
            "missing column `content_fr` (or `content_en`)".to_owned(),
        ));
    }
    (index, problems)
}

/// Reading the sheet's rows: what earlier rows declared, and every problem.
struct Rows<'a> {
    origin: &'a str,
    playbook: &'a Playbook,
    roles: &'a [&'a str],
    /// Inject ids seen so far.
    seen: HashSet<String>,
    /// Objective ids, in order of first mention.
    objectives: Vec<String>,
    /// (line, inject, the inject it waits for), checked once every id is known.
    afters: Vec<(u64, String, String)>,
    problems: Vec<Diagnostic>,
}

impl Rows<'_> {
    fn diag(&self, line: u64, path: &str, message: String) -> Diagnostic {
        diagnostic(self.origin, line, path, message)
    }

    /// One row as an inject, or `None` with its problems noted.
    fn read(&mut self, line: u64, cell: &dyn Fn(&str) -> String) -> Option<Row> {
        let before = self.problems.len();
        let id = cell("id").to_lowercase();
        self.check_id(line, &id);
        let at = cell("at");
        let offset = scenario::parse_offset(&at);
        if offset.is_none() {
            self.problems.push(self.diag(
            line,
            "at",
            format!(
                "bad offset `{at}`: minutes from DEBEX (`0`, `15`, `T+15`, `1h30`, `01:30`) or `manuel`"
            ),
        ));
        }
        let after = cell("after").to_lowercase();
        if !after.is_empty() {
            self.afters.push((line, id.clone(), after.clone()));
        }
        let from = cell("from");
        if from.is_empty() {
            self.problems
                .push(self.diag(line, "from", "the sender (persona) is empty".to_owned()));
        }
        let to = self.recipient(line, &cell("to"));
        let channel = cell("channel");
        let parsed_channel = Channel::parse(&channel);
        if parsed_channel.is_none() {
            self.problems.push(self.diag(
                line,
                "channel",
                format!(
                    "unknown channel `{channel}`; expected one of: {}",
                    Channel::NAMES.join(", ")
                ),
            ));
        }
        let (content_fr, content_en) = (cell("content_fr"), cell("content_en"));
        if content_fr.is_empty() && content_en.is_empty() {
            self.problems.push(self.diag(
                line,
                "content_fr",
                "the stimulus text is empty".to_owned(),
            ));
        }
        let served = self.served(line, &cell("objectives"));
        let direct = self.direct(line, &cell("delivery"), &to);
        let (headline, handle) = (cell("headline"), cell("handle"));
        self.check_medium(line, parsed_channel, &headline, &handle);
        let attachments = cell("attachments")
            .split(['|', ','])
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        if self.problems.len() > before {
            return None;
        }
        Some(Row {
            id,
            at: offset.unwrap_or(Offset::Manual),
            after: (!after.is_empty()).then_some(after),
            from,
            to,
            channel: parsed_channel.unwrap_or(Channel::Internal),
            content: (content_fr, content_en),
            expected: (cell("expected_fr"), cell("expected_en")),
            objectives: served,
            notes: cell("notes"),
            direct,
            attachments,
            headline,
            handle,
        })
    }

    /// A valid inject id, not an ad hoc one's, not seen before.
    fn check_id(&mut self, line: u64, id: &str) {
        if scenario::is_adhoc_id(id) {
            self.problems.push(self.diag(
                line,
                "id",
                format!("`{id}` is reserved for ad hoc injects (x1, x2…): pick another id"),
            ));
        } else if !is_id(id) {
            self.problems.push(self.diag(
                line,
                "id",
                format!("invalid inject id `{id}`: lowercase letters, digits and `-`"),
            ));
        } else if !self.seen.insert(id.to_owned()) {
            self.problems
                .push(self.diag(line, "id", format!("duplicate inject id `{id}`")));
        }
    }

    /// A headline only for the press, a handle only for social media.
    fn check_medium(&mut self, line: u64, channel: Option<Channel>, headline: &str, handle: &str) {
        for (column, value, wanted) in [
            ("headline", headline, Channel::Press),
            ("handle", handle, Channel::Social),
        ] {
            if let Some(c) = channel
                && !value.is_empty()
                && c != wanted
            {
                self.problems.push(self.diag(
                    line,
                    column,
                    format!(
                        "`{column}` is for the `{}` channel, not `{}`",
                        wanted.id(),
                        c.id()
                    ),
                ));
            }
        }
    }

    /// `delivery`: empty or `salle` for the players' room, `direct` for the
    /// role's holder alone (which needs a role).
    fn direct(&mut self, line: u64, delivery: &str, to: &str) -> bool {
        if delivery.is_empty() {
            return false;
        }
        match scenario::Delivery::parse(delivery) {
            None => {
                self.problems.push(self.diag(
                    line,
                    "delivery",
                    format!("unknown delivery `{delivery}`: `salle` (players' room) or `direct` (a direct chat with the role's holder)"),
                ));
                false
            }
            Some(scenario::Delivery::Direct) if to == "all" => {
                self.problems.push(self.diag(
                    line,
                    "delivery",
                    "`direct` needs one recipient role, not `tous`".to_owned(),
                ));
                false
            }
            Some(d) => d == scenario::Delivery::Direct,
        }
    }

    /// Every `after` names an inject of the sheet.
    fn check_afters(&mut self) {
        for (line, id, after) in std::mem::take(&mut self.afters) {
            if !self.seen.contains(&after) {
                self.problems.push(self.diag(
                    line,
                    "after",
                    format!("inject `{id}` depends on unknown inject `{after}`"),
                ));
            }
        }
    }

    /// `to`: a role of the playbook, or everyone (`all`); empty when unknown.
    fn recipient(&mut self, line: u64, to: &str) -> String {
        let to_folded = fold(to);
        if matches!(to_folded.as_str(), "" | "all" | "tous" | "cellule" | "cell") {
            "all".to_owned()
        } else if self.roles.contains(&to_folded.as_str()) {
            to_folded
        } else {
            self.problems.push(self.diag(
                line,
                "to",
                format!(
                    "unknown recipient `{to}`: a role of playbook `{}` ({}) or `tous`",
                    self.playbook.id,
                    self.roles.join(", ")
                ),
            ));
            String::new()
        }
    }

    /// `objectives`: ids, each noted the first time it is served.
    fn served(&mut self, line: u64, objectives: &str) -> Vec<String> {
        let served: Vec<String> = objectives
            .split([',', ' ', ';'])
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
            .collect();
        for o in &served {
            if !is_id(o) {
                self.problems.push(self.diag(
                    line,
                    "objectives",
                    format!("invalid objective id `{o}`"),
                ));
            } else if !self.objectives.contains(o) {
                self.objectives.push(o.clone());
            }
        }
        served
    }
}

/// The playbook the header names, and a valid scenario id.
fn check_header<'p>(
    origin: &str,
    header: &Header,
    playbooks: &'p BTreeMap<String, Playbook>,
) -> Result<&'p Playbook, Vec<Diagnostic>> {
    let diag = |line: u64, path: &str, message: String| diagnostic(origin, line, path, message);
    let Some(playbook) = playbooks.get(&header.playbook) else {
        let known: Vec<&str> = playbooks.keys().map(String::as_str).collect();
        return Err(vec![diag(
            0,
            "",
            format!(
                "unknown playbook `{}`; playbooks loaded: {}",
                header.playbook,
                known.join(", ")
            ),
        )]);
    };
    if !is_id(&header.id) {
        return Err(vec![diag(
            0,
            "",
            format!(
                "invalid scenario id `{}`: use lowercase letters a-z, digits and `-`",
                header.id
            ),
        )]);
    }
    Ok(playbook)
}

/// A CSV reader for the sheet: `;` or `,` separated (whichever the header uses more), UTF-8 with or without a BOM.
fn reader(src: &str) -> csv::Reader<&[u8]> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let first_line = src.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() >= first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(src.as_bytes())
}

/// A problem at `line` of the sheet, in column `path`.
fn diagnostic(origin: &str, line: u64, path: &str, message: String) -> Diagnostic {
    Diagnostic {
        origin: origin.to_owned(),
        line: line as u32,
        column: 0,
        path: path.to_owned(),
        message,
    }
}

/// A YAML scalar: JSON string syntax is valid YAML and escapes everything.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `{fr: …, en: …}`, or one string when only one language is given.
fn text(fr: &str, en: &str) -> String {
    match (fr.is_empty(), en.is_empty()) {
        (false, false) => format!("{{fr: {}, en: {}}}", q(fr), q(en)),
        (false, true) => q(fr),
        _ => q(en),
    }
}

fn write_yaml(header: &Header, objectives: &[String], injects: &[Row]) -> String {
    let mut out = String::new();
    out.push_str("# Imported by `tocsin scenario import`. Complete the objectives' texts,\n");
    out.push_str("# then check with `tocsin check playbooks`.\n");
    out.push_str(&format!("id: {}\n", q(&header.id)));
    out.push_str("version: \"1\"\n");
    out.push_str(&format!("code_name: {}\n", q(&header.code_name)));
    let title = header
        .title
        .clone()
        .unwrap_or_else(|| header.code_name.clone());
    out.push_str(&format!("title: {}\n", q(&title)));
    out.push_str(&format!("playbook: {}\n", q(&header.playbook)));
    out.push_str(&format!("level: {}\n", q(header.level.id())));
    out.push_str("objectives:\n");
    for o in objectives {
        out.push_str(&format!(
            "  - id: {}\n    text: {{fr: {}, en: {}}}\n",
            q(o),
            q(&format!("À compléter : objectif {o}")),
            q(&format!("To complete: objective {o}"))
        ));
    }
    out.push_str("injects:\n");
    for i in injects {
        out.push_str(&format!("  - id: {}\n", q(&i.id)));
        let at = match i.at {
            Offset::Manual => "manual".to_owned(),
            Offset::At(d) if d.is_zero() => "0".to_owned(),
            Offset::At(d) => format_duration(d),
        };
        out.push_str(&format!("    at: {}\n", q(&at)));
        if let Some(after) = &i.after {
            out.push_str(&format!("    after: {}\n", q(after)));
        }
        out.push_str(&format!("    from: {}\n", q(&i.from)));
        out.push_str(&format!("    to: {}\n", q(&i.to)));
        out.push_str(&format!("    channel: {}\n", q(i.channel.id())));
        out.push_str(&format!(
            "    content: {}\n",
            text(&i.content.0, &i.content.1)
        ));
        if !i.expected.0.is_empty() || !i.expected.1.is_empty() {
            out.push_str(&format!(
                "    expected: {}\n",
                text(&i.expected.0, &i.expected.1)
            ));
        }
        if !i.objectives.is_empty() {
            let list: Vec<String> = i.objectives.iter().map(|o| q(o)).collect();
            out.push_str(&format!("    objectives: [{}]\n", list.join(", ")));
        }
        if !i.notes.is_empty() {
            out.push_str(&format!("    notes: {}\n", q(&i.notes)));
        }
        if i.direct {
            out.push_str("    delivery: direct\n");
        }
        if !i.attachments.is_empty() {
            let list: Vec<String> = i.attachments.iter().map(|a| q(a)).collect();
            out.push_str(&format!("    attachments: [{}]\n", list.join(", ")));
        }
        if !i.headline.is_empty() {
            out.push_str(&format!("    headline: {}\n", q(&i.headline)));
        }
        if !i.handle.is_empty() {
            out.push_str(&format!("    handle: {}\n", q(&i.handle)));
        }
    }
    out
}
