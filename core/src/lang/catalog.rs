//! Message catalogs: one Fluent file per language, the only user of the
//! Fluent crates.
//!
//! The catalogs of `messages/` are compiled into the binary; a configured
//! directory may override any message (`<dir>/fr.ftl`) or add a language
//! (`<dir>/de.ftl`). French is the reference: every other catalog must have
//! each of its messages, with the same variables, or loading fails naming
//! what is missing. Placeables are not wrapped in Unicode isolation marks, so
//! a message reads exactly as its catalog writes it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, LazyLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;

use super::Lang;
use super::speech::{Arg, Part, Speech};

/// The built-in catalogs, by language code.
const BUILTIN: &[(&str, &str)] = &[
    ("fr", include_str!("../../../messages/fr.ftl")),
    ("en", include_str!("../../../messages/en.ftl")),
];

/// The language whose catalog defines which messages exist.
const REFERENCE: &str = "fr";

type Bundle = FluentBundle<FluentResource>;

/// The ids of a catalog's messages, with the variables each uses.
pub type Schema = BTreeMap<String, BTreeSet<String>>;

/// One language: its bundle, and what its files define.
struct Catalog {
    bundle: Bundle,
    schema: Schema,
}

/// A catalog file given on top of the built-in ones: where it comes from,
/// the language it is for (`fr`, `de`…) and its Fluent text.
#[derive(Clone, Debug)]
pub struct CatalogFile {
    pub origin: String,
    pub code: String,
    pub text: String,
}

/// Every language's catalog, ready to format.
#[derive(Clone)]
pub struct Messages {
    catalogs: Arc<BTreeMap<String, Catalog>>,
}

impl fmt::Debug for Messages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Messages")
            .field("languages", &self.catalogs.keys().collect::<Vec<_>>())
            .finish()
    }
}

static BUILT_IN: LazyLock<Messages> = LazyLock::new(|| match Messages::from_files(Vec::new()) {
    Ok(messages) => messages,
    // The built-in catalogs are checked by tests; a broken one is a build bug.
    Err(problems) => panic!("built-in message catalogs: {}", problems.join("\n")),
});

impl Default for Messages {
    fn default() -> Messages {
        Messages::builtin()
    }
}

impl Messages {
    /// The catalogs compiled into the binary.
    pub fn builtin() -> Messages {
        BUILT_IN.clone()
    }

    /// The built-in catalogs, each message replaced by the files given for
    /// its language, and the languages those files add. Reports every
    /// problem at once.
    pub fn from_files(files: Vec<CatalogFile>) -> Result<Messages, Vec<String>> {
        let mut sources: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (code, src) in BUILTIN {
            sources
                .entry((*code).to_owned())
                .or_default()
                .push((format!("messages/{code}.ftl"), (*src).to_owned()));
        }
        let mut problems = Vec::new();
        for file in files {
            if Lang::parse(&file.code).is_none() {
                problems.push(format!(
                    "{}: `{}` is not a language code like fr or de",
                    file.origin, file.code
                ));
                continue;
            }
            sources
                .entry(file.code)
                .or_default()
                .push((file.origin, file.text));
        }
        let mut catalogs = BTreeMap::new();
        for (code, files) in sources {
            match catalog(&code, files) {
                Ok(c) => {
                    catalogs.insert(code, c);
                }
                Err(mut p) => problems.append(&mut p),
            }
        }
        let messages = Messages {
            catalogs: Arc::new(catalogs),
        };
        problems.extend(messages.problems());
        if problems.is_empty() {
            Ok(messages)
        } else {
            Err(problems)
        }
    }

    /// The language codes with a catalog, sorted.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.catalogs.keys().map(String::as_str)
    }

    /// Is there a catalog for `lang` (its full tag, or its language)?
    pub fn supports(&self, lang: Lang) -> bool {
        self.resolve(lang).is_some()
    }

    fn bundle(&self, lang: &Lang) -> Option<&Bundle> {
        let lang = self.resolve(*lang)?;
        self.catalogs.get(&lang.code()).map(|c| &c.bundle)
    }

    /// The language whose catalog speaks for `lang`: its own (`fr-BE`), or its
    /// language's (`fr`), if there is one.
    pub fn resolve(&self, lang: Lang) -> Option<Lang> {
        [lang, lang.language()]
            .into_iter()
            .find(|l| self.catalogs.contains_key(&l.code()))
    }

    /// The languages with a catalog, for messages: `"fr" or "en"` (quoted) or
    /// `fr or en`; French first.
    pub fn describe_languages(&self, quoted: bool) -> String {
        let quote = |c: &str| {
            if quoted {
                format!("\"{c}\"")
            } else {
                c.to_owned()
            }
        };
        let mut codes: Vec<String> = vec![quote(REFERENCE)];
        codes.extend(self.languages().filter(|c| *c != REFERENCE).map(quote));
        match codes.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => codes.concat(),
        }
    }

    /// The message ids of a language's catalog, with the variables each uses.
    pub fn schema(&self, code: &str) -> Schema {
        self.catalogs
            .get(code)
            .map(|c| c.schema.clone())
            .unwrap_or_default()
    }

    /// Catalogs that lack a message of the reference, or whose variables differ from it.
    pub fn problems(&self) -> Vec<String> {
        let reference = self.schema(REFERENCE);
        let mut problems = Vec::new();
        for code in self.catalogs.keys().filter(|c| c.as_str() != REFERENCE) {
            let schema = self.schema(code);
            for (id, vars) in &reference {
                match schema.get(id) {
                    None => problems.push(format!("{code}.ftl: message `{id}` is missing")),
                    Some(own) if own != vars => problems.push(format!(
                        "{code}.ftl: message `{id}` uses {{{}}}, the French one {{{}}}",
                        join_vars(own),
                        join_vars(vars)
                    )),
                    Some(_) => {}
                }
            }
            for id in schema.keys().filter(|id| !reference.contains_key(*id)) {
                problems.push(format!(
                    "{code}.ftl: message `{id}` is not in the French catalog"
                ));
            }
        }
        problems
    }

    /// Puts speech into words in `lang`.
    pub fn format(&self, lang: &Lang, speech: &Speech) -> String {
        let mut out = String::new();
        self.write(lang, speech, &mut out);
        out
    }

    fn write(&self, lang: &Lang, speech: &Speech, out: &mut String) {
        for part in speech.parts() {
            match part {
                Part::Verbatim(text) => out.push_str(text),
                Part::Message(message) => {
                    let pattern = self
                        .bundle(lang)
                        .and_then(|b| Some((b, b.get_message(message.id)?.value()?)));
                    let Some((bundle, pattern)) = pattern else {
                        // Loading checks every catalog against the reference: a
                        // missing id is a bug, shown rather than hidden.
                        out.push_str(&format!("{{{}}}", message.id));
                        continue;
                    };
                    let mut args = FluentArgs::new();
                    for (name, value) in &message.args {
                        let value = match value {
                            Arg::Text(s) => FluentValue::from(s.as_str()),
                            Arg::Number(n) => FluentValue::from(*n),
                            Arg::Speech(s) => FluentValue::from(self.format(lang, s)),
                        };
                        args.set(*name, value);
                    }
                    let mut errors = Vec::new();
                    out.push_str(&bundle.format_pattern(pattern, Some(&args), &mut errors));
                }
            }
        }
    }
}

/// One language's catalog from its files, later files overriding earlier messages.
fn catalog(code: &str, files: Vec<(String, String)>) -> Result<Catalog, Vec<String>> {
    let Some(lang) = Lang::parse(code) else {
        return Err(vec![format!("`{code}` is not a language code")]);
    };
    let mut bundle = Bundle::new_concurrent(vec![lang.identifier()]);
    bundle.set_use_isolating(false);
    let mut schema = Schema::new();
    let mut problems = Vec::new();
    for (origin, src) in files {
        let line_of = |offset: usize| src[..offset.min(src.len())].matches('\n').count() + 1;
        match FluentResource::try_new(src.clone()) {
            Ok(resource) => {
                for entry in resource.entries() {
                    if let ast::Entry::Message(message) = entry {
                        let vars = message
                            .value
                            .as_ref()
                            .map(pattern_variables)
                            .unwrap_or_default();
                        schema.insert(message.id.name.to_owned(), vars);
                    }
                }
                bundle.add_resource_overriding(resource);
            }
            Err((_, errors)) => {
                for e in errors {
                    problems.push(format!("{origin}:{}: {}", line_of(e.pos.start), e.kind));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Catalog { bundle, schema })
    } else {
        Err(problems)
    }
}

fn join_vars(vars: &BTreeSet<String>) -> String {
    vars.iter()
        .map(|v| format!("${v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The variables a pattern references, in every variant of every selector.
fn pattern_variables(pattern: &ast::Pattern<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, &mut out);
        }
    }
    out
}

fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                out.extend(pattern_variables(&variant.value));
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for arg in &arguments.positional {
                inline_variables(arg, out);
            }
            for arg in &arguments.named {
                inline_variables(&arg.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}
