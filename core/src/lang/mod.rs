//! Languages of what users read, bilingual text from playbooks, and how typed
//! words are matched.
//!
//! Everything a person reads in the chat is French by default and English by
//! configuration. Playbooks carry both; a text given once serves both languages.
//! [`fold`] is the crate-wide rule for matching what people type (keywords,
//! channels, levels, stop phrases): case and accents do not count.

pub mod catalog;
pub mod speech;

#[cfg(test)]
mod tests;

use std::fmt;

use unic_langid::{LanguageIdentifier, subtags};

/// The language of user-facing text: a language tag (`fr`, `en`, `de`,
/// `fr-BE`…) whose catalog [`catalog::Messages`] formats what tocsin says.
/// French by default. Adding a language is adding a catalog file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lang {
    language: subtags::Language,
    region: Option<subtags::Region>,
}

impl Default for Lang {
    fn default() -> Lang {
        Lang::fr()
    }
}

impl Lang {
    /// French, the default and the reference catalog.
    pub fn fr() -> Lang {
        Lang::parse("fr").unwrap_or_else(|| unreachable!("`fr` is a language tag"))
    }

    /// English.
    pub fn en() -> Lang {
        Lang::parse("en").unwrap_or_else(|| unreachable!("`en` is a language tag"))
    }

    /// Parses a language tag (`fr`, `en-GB`, `de`), or the names « français »
    /// and "english". French and English regions (`fr-FR`, `en-US`) read as
    /// the language itself: their catalog is the same.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let tag = match s.as_str() {
            "français" | "francais" | "fr-fr" => "fr",
            "english" | "en-gb" | "en-us" => "en",
            other => other,
        };
        let id: LanguageIdentifier = tag.parse().ok()?;
        if id.language.as_str() == "und" || id.script.is_some() || id.variants().next().is_some() {
            return None;
        }
        Some(Lang {
            language: id.language,
            region: id.region,
        })
    }

    /// The tag, as catalogs are named: `fr`, `fr-BE`.
    pub fn code(self) -> String {
        self.identifier().to_string()
    }

    /// The language alone, without its region.
    pub fn language(self) -> Lang {
        Lang {
            language: self.language,
            region: None,
        }
    }

    /// The language as Fluent knows it (plural rules).
    pub fn identifier(self) -> LanguageIdentifier {
        LanguageIdentifier::from_parts(self.language, None, self.region, &[])
    }

    /// Playbooks are written in French and English: which of the two this language reads.
    pub fn is_english(self) -> bool {
        self.language.as_str() == "en"
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// A text in French and English.
///
/// Invariant: both strings are non-empty once a playbook has been validated
/// (a missing language falls back to the other one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub fr: String,
    pub en: String,
}

impl Text {
    /// The same text in both languages.
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            fr: s.clone(),
            en: s,
        }
    }

    /// The English text for English, the French one for every other language.
    pub fn get(&self, lang: Lang) -> &str {
        if lang.is_english() {
            &self.en
        } else {
            &self.fr
        }
    }
}

/// Folds a word for keyword matching: lowercase, accents removed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            // Combining accents typed on some keyboards (decomposed form).
            '\u{0300}'..='\u{036f}' => continue,
            other => other,
        };
        out.push(base);
    }
    out
}

/// Text made safe inside HTML (Matrix `formatted_body`, reports).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
