//! A caller's value as a binding hands it over: the host's scalar, list or "something else",
//! without the host's type names, so a message about it reads the same in every language.

use std::fmt;

use crate::error::{Error, ErrorCode, Result};

/// One option value as the caller gave it.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// `None`, `nil`, `null` or `undefined`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits 64 bits (a larger one arrives as [`Arg::Float`]).
    Int(i64),
    /// A floating-point number, NaN and the infinities included.
    Float(f64),
    /// A string (a Ruby Symbol arrives as its name).
    Str(String),
    /// A list (Python list or tuple, Ruby Array, JS Array).
    List(Vec<Arg>),
    /// Anything else (a dict, a Hash, an object, a function).
    Other,
}

/// A number for a message: integers as written, huge or tiny floats in exponent form, so
/// `1e300` is not printed with 300 digits.
pub(crate) fn number_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else if v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

impl fmt::Display for Arg {
    /// What the caller gave, as a message shows it: `"abc"`, `NaN`, `true`, `a list`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Null => f.write_str("null"),
            Arg::Bool(b) => write!(f, "{b}"),
            Arg::Int(i) => write!(f, "{i}"),
            Arg::Float(x) => f.write_str(&number_text(*x)),
            Arg::Str(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Arg::List(_) => f.write_str("a list"),
            Arg::Other => f.write_str("an object"),
        }
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

impl Arg {
    /// The value as text, or `invalid_argument` naming `option`.
    pub(crate) fn text(&self, option: &str) -> Result<&str> {
        match self {
            Arg::Str(s) => Ok(s),
            other => Err(invalid(format!("{option} must be a string; got {other}"))),
        }
    }

    /// The value as a boolean, or `invalid_argument` naming `option`.
    pub(crate) fn flag(&self, option: &str) -> Result<bool> {
        match self {
            Arg::Bool(b) => Ok(*b),
            other => Err(invalid(format!(
                "{option} must be true or false; got {other}"
            ))),
        }
    }
}

/// The options a caller set, by name, in the caller's spelling. Names are matched to an option
/// list's canonical names with `_`/camelCase folded (`ttlSeconds` is `ttl_seconds`) and the
/// list's aliases; a name no option has is an error, not a silently ignored typo.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Args {
    given: Vec<(String, Arg)>,
}

/// `ttlSeconds` -> `ttl_seconds`; snake_case stays as it is.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// An option list: canonical names, each with the other names callers know it by.
pub type OptionNames = &'static [(&'static str, &'static [&'static str])];

impl Args {
    /// No options set.
    pub fn new() -> Args {
        Args::default()
    }

    /// Adds an option the caller set. A `None`/`nil`/`undefined` value counts as not set, as
    /// a keyword left at its default does.
    pub fn set(&mut self, name: impl Into<String>, value: Arg) -> &mut Args {
        if value != Arg::Null {
            self.given.push((name.into(), value));
        }
        self
    }

    /// Builds from `(name, value)` pairs (a kwargs dict, a Hash, a JS object's entries).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, Arg)>) -> Args {
        let mut args = Args::new();
        for (name, value) in pairs {
            args.set(name, value);
        }
        args
    }

    /// Checks every given name against `names` (`what` names the thing being configured, for
    /// the message) and returns the values by canonical name.
    pub(crate) fn resolve(&self, what: &str, names: OptionNames) -> Result<Resolved<'_>> {
        let mut found = Vec::with_capacity(self.given.len());
        for (given, value) in &self.given {
            let folded = snake(given);
            let canonical = names.iter().find_map(|(canonical, aliases)| {
                (*canonical == folded || aliases.contains(&folded.as_str())).then_some(*canonical)
            });
            match canonical {
                Some(c) => found.push((c, value)),
                None => {
                    let known: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                    return Err(invalid(format!(
                        "unknown option {given:?} for {what}; known options: {}",
                        known.join(", ")
                    )));
                }
            }
        }
        Ok(Resolved { found })
    }
}

/// [`Args`] matched to an option list.
#[derive(Debug)]
pub(crate) struct Resolved<'a> {
    found: Vec<(&'static str, &'a Arg)>,
}

impl<'a> Resolved<'a> {
    /// The value set for `canonical` (the last one, when a caller gave two spellings).
    pub(crate) fn get(&self, canonical: &str) -> Option<&'a Arg> {
        self.found
            .iter()
            .rev()
            .find(|(c, _)| *c == canonical)
            .map(|(_, v)| *v)
    }
}
