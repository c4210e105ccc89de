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

use unic_langid::LanguageIdentifier;

/// The language of user-facing text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// Parses `fr` or `en` (any case).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-fr" | "français" | "francais" => Some(Lang::Fr),
            "en" | "en-gb" | "en-us" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the French or the English string.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The primary language subtag (`fr` of `fr-BE`).
    pub fn language(self) -> &'static str {
        self.code()
    }

    /// The language as Fluent knows it (plural rules).
    pub fn identifier(self) -> LanguageIdentifier {
        self.code().parse().unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
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

    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.fr, &self.en)
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
