//! What tocsin says, before it is put into words: catalog message ids with
//! typed arguments, and verbatim text (what people typed, references, times).
//!
//! The engine returns [`Speech`]; the runtime and the front ends turn it into
//! a string with the configured language's catalog ([`super::catalog::Messages`]).

/// A value given to a catalog message: text, a number (which plural and
/// numeric variants select on), or speech of its own, said first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Number(i64),
    Speech(Speech),
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}

impl From<&&str> for Arg {
    fn from(s: &&str) -> Arg {
        Arg::Text((*s).to_owned())
    }
}

impl From<Speech> for Arg {
    fn from(s: Speech) -> Arg {
        Arg::Speech(s)
    }
}

impl From<Message> for Arg {
    fn from(m: Message) -> Arg {
        Arg::Speech(m.into())
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
        impl From<&$t> for Arg {
            fn from(n: &$t) -> Arg {
                Arg::from(*n)
            }
        }
    )*};
}

number_arg!(usize, u64, u32, i64, i32);

/// One catalog message: its id in the `.ftl` files and its named arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// Builds a [`Message`]: `msg!("info-recorded", reference, at = hm(t))`.
/// A bare name passes the variable of that name.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::lang::speech::Message {
            id: $id,
            args: vec![$((
                stringify!($name),
                $crate::lang::speech::Arg::from($crate::lang::speech::msg!(@value $name $($value)?)),
            )),*],
        }
    };
    (@value $name:ident) => { $name };
    (@value $name:ident $value:expr) => { $value };
}

pub use crate::msg;

/// What tocsin says: catalog messages and verbatim text, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Speech(Vec<Part>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Part {
    Message(Message),
    Verbatim(String),
}

impl Speech {
    /// Appends a message, verbatim text or other speech.
    pub fn push(&mut self, more: impl Into<Speech>) {
        self.0.extend(more.into().0);
    }

    /// This speech followed by `more`.
    #[must_use]
    pub fn then(mut self, more: impl Into<Speech>) -> Speech {
        self.push(more);
        self
    }

    /// A new line, then `more`.
    pub fn line(&mut self, more: impl Into<Speech>) {
        self.push("\n");
        self.push(more);
    }

    /// The items with `separator` between them.
    pub fn join(items: impl IntoIterator<Item = impl Into<Speech>>, separator: &str) -> Speech {
        let mut out = Speech::default();
        for (idx, item) in items.into_iter().enumerate() {
            if idx > 0 {
                out.push(separator);
            }
            out.push(item);
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.0
            .iter()
            .all(|p| matches!(p, Part::Verbatim(s) if s.is_empty()))
    }

    /// What follows `prefix`, if this speech starts with it.
    #[must_use]
    pub fn strip_prefix(&self, prefix: &Speech) -> Option<Speech> {
        self.0
            .starts_with(&prefix.0)
            .then(|| Speech(self.0[prefix.0.len()..].to_vec()))
    }

    pub(super) fn parts(&self) -> &[Part] {
        &self.0
    }
}

impl From<Message> for Speech {
    fn from(m: Message) -> Speech {
        Speech(vec![Part::Message(m)])
    }
}

impl From<&Speech> for Speech {
    fn from(s: &Speech) -> Speech {
        s.clone()
    }
}

impl From<String> for Speech {
    fn from(s: String) -> Speech {
        Speech(vec![Part::Verbatim(s)])
    }
}

impl From<&String> for Speech {
    fn from(s: &String) -> Speech {
        Speech(vec![Part::Verbatim(s.clone())])
    }
}

impl From<&str> for Speech {
    fn from(s: &str) -> Speech {
        Speech(vec![Part::Verbatim(s.to_owned())])
    }
}
