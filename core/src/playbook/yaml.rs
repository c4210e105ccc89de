//! A located YAML tree and a schema walker that reports every problem at once.
//!
//! serde-saphyr parses the YAML (panic-free, with budgets against alias bombs)
//! into [`Node`], a small tree where every node keeps its line and column via
//! `serde_saphyr::Spanned`. The [`Walker`] then reads that tree field by field,
//! collecting a [`Diagnostic`] for each problem instead of stopping at the
//! first one, which plain `#[serde(deny_unknown_fields)]` would do.
//! Scenario files reuse the same walker.

use std::fmt;

use chrono::TimeDelta;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::lang::Text;

/// One problem in an input file, with its position and field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in, as given by the caller.
    pub origin: String,
    /// 1-based line, or 0 when unknown.
    pub line: u32,
    /// 1-based column, or 0 when unknown.
    pub column: u32,
    /// Field path such as `procedures[2].owner`; empty for the whole document.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.origin, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// A YAML node with positions on its children.
#[derive(Debug)]
pub enum Node {
    Null,
    /// Any scalar, as text (`true`, `12`, `1.5` and `"x"` are all scalars).
    Scalar(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl Node {
    fn kind(&self) -> &'static str {
        match self {
            Node::Null => "nothing",
            Node::Scalar(_) => "a scalar",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// Parses a YAML document into a located tree, or the one syntax diagnostic.
pub fn parse_tree(origin: &str, src: &str) -> Result<Spanned<Node>, Diagnostic> {
    serde_saphyr::from_str::<Spanned<Node>>(src).map_err(|err| {
        let (line, column) = err
            .location()
            .map(|loc| (loc.line() as u32, loc.column() as u32))
            .unwrap_or((0, 0));
        Diagnostic {
            origin: origin.to_owned(),
            line,
            column,
            path: String::new(),
            message: yaml_message(&err.to_string()),
        }
    })
}

/// The parser's message, without the position we already print, in our words where we can.
fn yaml_message(raw: &str) -> String {
    let line = raw.lines().next().unwrap_or(raw).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    // Drop a leading "line N column M: ".
    let line = match line
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((pos, msg)) if pos.contains("column") => msg,
        _ => line,
    };
    if let Some(key) = line.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key).trim();
        return format!("duplicate field `{key}`");
    }
    format!("invalid YAML: {line}")
}

/// The entries of a mapping, after unknown and duplicate keys were reported.
#[derive(Debug)]
pub struct Fields<'n> {
    pub path: String,
    entries: Vec<(&'n Spanned<String>, &'n Spanned<Node>)>,
    at: Pos,
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Spanned<Node>> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| *v)
    }

    pub fn child_path(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

/// A position in the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

pub fn pos<T>(node: &Spanned<T>) -> Pos {
    Pos {
        line: node.referenced.line() as u32,
        column: node.referenced.column() as u32,
    }
}

pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reads a located tree against a schema, collecting diagnostics.
#[derive(Debug)]
pub struct Walker {
    origin: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Walker {
    pub fn new(origin: &str) -> Walker {
        Walker {
            origin: origin.to_owned(),
            diagnostics: Vec::new(),
        }
    }

    pub fn error(&mut self, at: Pos, path: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            origin: self.origin.clone(),
            line: at.line,
            column: at.column,
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// Reads a mapping whose keys must be among `allowed`.
    pub fn fields<'n>(
        &mut self,
        node: &'n Spanned<Node>,
        path: &str,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let Node::Map(entries) = &node.value else {
            self.error(
                pos(node),
                path,
                format!("expected a mapping, found {}", node.value.kind()),
            );
            return None;
        };
        let mut kept: Vec<(&Spanned<String>, &Spanned<Node>)> = Vec::new();
        for (key, value) in entries {
            let key_path = join(path, &key.value);
            if !allowed.contains(&key.value.as_str()) {
                let hint = closest(&key.value, allowed)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                self.error(
                    pos(key),
                    &key_path,
                    format!(
                        "unknown field `{}`{hint}; expected one of: {}",
                        key.value,
                        allowed.join(", ")
                    ),
                );
                continue;
            }
            if kept.iter().any(|(k, _)| k.value == key.value) {
                self.error(pos(key), &key_path, "duplicate field");
                continue;
            }
            kept.push((key, value));
        }
        Some(Fields {
            path: path.to_owned(),
            entries: kept,
            at: pos(node),
        })
    }

    /// A required field; reports it when missing.
    pub fn required<'n>(&mut self, fields: &Fields<'n>, key: &str) -> Option<&'n Spanned<Node>> {
        let found = fields.get(key);
        if found.is_none() {
            let at = fields.at;
            self.error(at, &fields.path, format!("missing field `{key}`"));
        }
        found
    }

    /// A scalar as a non-empty, trimmed string.
    pub fn string(&mut self, node: &Spanned<Node>, path: &str) -> Option<String> {
        match &node.value {
            Node::Scalar(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Node::Scalar(_) | Node::Null => {
                self.error(pos(node), path, "must not be empty");
                None
            }
            other => {
                self.error(
                    pos(node),
                    path,
                    format!("expected a string, found {}", other.kind()),
                );
                None
            }
        }
    }

    /// An optional `true`/`false`; `None` when absent or not a boolean (reported).
    pub fn opt_bool(&mut self, fields: &Fields<'_>, key: &str) -> Option<bool> {
        let node = fields.get(key)?;
        let value = self.string(node, &fields.child_path(key))?;
        match value.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                self.error(
                    pos(node),
                    &fields.child_path(key),
                    format!("expected true or false, found `{value}`"),
                );
                None
            }
        }
    }

    pub fn req_string(&mut self, fields: &Fields<'_>, key: &str) -> Option<String> {
        let node = self.required(fields, key)?;
        self.string(node, &fields.child_path(key))
    }

    /// An identifier: lowercase ASCII letters, digits and `-`, starting with a letter or digit.
    pub fn id(&mut self, node: &Spanned<Node>, path: &str) -> Option<String> {
        let s = self.string(node, path)?;
        if is_id(&s) {
            Some(s)
        } else {
            self.error(
                pos(node),
                path,
                format!(
                    "invalid id `{s}`: use lowercase letters a-z, digits and `-` (at most 40 characters)"
                ),
            );
            None
        }
    }

    pub fn req_id(&mut self, fields: &Fields<'_>, key: &str) -> Option<String> {
        let node = self.required(fields, key)?;
        self.id(node, &fields.child_path(key))
    }

    /// A text: a plain string for both languages, or `{fr: …, en: …}`.
    pub fn text(&mut self, node: &Spanned<Node>, path: &str) -> Option<Text> {
        match &node.value {
            Node::Map(_) => {
                let fields = self.fields(node, path, &["fr", "en"])?;
                let fr = fields
                    .get("fr")
                    .and_then(|n| self.string(n, &join(path, "fr")));
                let en = fields
                    .get("en")
                    .and_then(|n| self.string(n, &join(path, "en")));
                match (fr, en) {
                    (Some(fr), Some(en)) => Some(Text { fr, en }),
                    (Some(one), None) | (None, Some(one))
                        if fields.get("fr").is_none() || fields.get("en").is_none() =>
                    {
                        Some(Text::same(one))
                    }
                    (None, None) if fields.get("fr").is_none() && fields.get("en").is_none() => {
                        self.error(pos(node), path, "a text needs `fr` or `en` (or both)");
                        None
                    }
                    _ => None,
                }
            }
            _ => self.string(node, path).map(Text::same),
        }
    }

    pub fn req_text(&mut self, fields: &Fields<'_>, key: &str) -> Option<Text> {
        let node = self.required(fields, key)?;
        self.text(node, &fields.child_path(key))
    }

    pub fn opt_text(&mut self, fields: &Fields<'_>, key: &str) -> Option<Text> {
        let node = fields.get(key)?;
        self.text(node, &fields.child_path(key))
    }

    /// A duration such as `15m`, `2h`, `1h30m` or `3d`.
    pub fn duration(&mut self, node: &Spanned<Node>, path: &str) -> Option<TimeDelta> {
        let s = self.string(node, path)?;
        match parse_duration(&s) {
            Some(d) if d > TimeDelta::zero() => Some(d),
            _ => {
                self.error(
                    pos(node),
                    path,
                    format!(
                        "bad duration `{s}`: write a number and a unit d, h or m, e.g. 15m, 2h, 1h30m, 3d"
                    ),
                );
                None
            }
        }
    }

    /// A list; `null` reads as an empty list.
    pub fn list<'n>(&mut self, node: &'n Spanned<Node>, path: &str) -> &'n [Spanned<Node>] {
        match &node.value {
            Node::Seq(items) => items,
            Node::Null => &[],
            other => {
                self.error(
                    pos(node),
                    path,
                    format!("expected a list, found {}", other.kind()),
                );
                &[]
            }
        }
    }

    /// A list of free strings (reference tags).
    pub fn strings(&mut self, fields: &Fields<'_>, key: &str) -> Vec<String> {
        let Some(node) = fields.get(key) else {
            return Vec::new();
        };
        let path = fields.child_path(key);
        let items = self.list(node, &path);
        items
            .iter()
            .enumerate()
            .filter_map(|(idx, item)| self.string(item, &format!("{path}[{idx}]")))
            .collect()
    }
}

/// Checks the identifier syntax shared by playbooks and scenarios.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

/// Parses `15m`, `2h`, `1h30m`, `3d`, `90m` (units d, h, m; no unit means minutes).
pub fn parse_duration(s: &str) -> Option<TimeDelta> {
    let s = s.trim().to_ascii_lowercase();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut units_seen = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'd' | 'j' => 24 * 60,
            'h' => 60,
            'm' => 1,
            _ => return None,
        };
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        total = total.checked_add(n.checked_mul(unit)?)?;
        units_seen += 1;
    }
    if !digits.is_empty() {
        // A trailing bare number: minutes after hours (`1h30`), or minutes alone.
        let n: i64 = digits.parse().ok()?;
        total = total.checked_add(n)?;
    } else if units_seen == 0 {
        return None;
    }
    // A crisis clock longer than a year is a typo.
    if total > 366 * 24 * 60 {
        return None;
    }
    Some(TimeDelta::minutes(total))
}

/// Formats a duration the way playbooks write it: `1h30m`, `3d`, `72h` stays `3d`.
pub fn format_duration(d: TimeDelta) -> String {
    let mut minutes = d.num_minutes();
    if minutes == 0 {
        return "0m".to_owned();
    }
    let mut out = String::new();
    let days = minutes / (24 * 60);
    if days > 0 && minutes % (24 * 60) == 0 {
        return format!("{days}d");
    }
    let hours = minutes / 60;
    minutes %= 60;
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out
}

/// The closest candidate within edit distance 2, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
