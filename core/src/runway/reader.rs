//! A walk over a parsed manifest that collects every problem with its place (a path such as
//! `spec.cloud_connector.paths[2].prefix`) instead of stopping at the first.

use serde_yaml::{Mapping, Value};

use crate::error::{Problem, ProblemKind};
use crate::yaml_value::type_name;

/// What the walk found wrong so far.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    pub(crate) problems: Vec<Problem>,
}

/// `parent.key`, or `key` at the top.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub(crate) fn item(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

impl Reader {
    pub(crate) fn problem(&mut self, kind: ProblemKind, at: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(kind, message).at_field(at));
    }

    fn wrong_type(&mut self, at: &str, expected: &str, got: &Value) {
        let message = format!("expected {expected}, got {}", type_name(got));
        self.problem(ProblemKind::WrongType, at, message);
    }

    /// The value as a mapping whose keys are all among `known` (unknown keys are problems) and
    /// which has every key of `required`.
    pub(crate) fn mapping<'v>(
        &mut self,
        v: &'v Value,
        at: &str,
        known: &[&str],
        required: &[&str],
    ) -> Option<&'v Mapping> {
        let Value::Mapping(m) = v else {
            self.wrong_type(at, "a mapping", v);
            return None;
        };
        for key in m.keys() {
            match key.as_str() {
                Some(k) if known.is_empty() || known.contains(&k) => {}
                Some(k) => self.problem(
                    ProblemKind::UnknownField,
                    &join(at, k),
                    format!("unknown field; known fields: {}", known.join(", ")),
                ),
                None => self.problem(ProblemKind::WrongType, at, "keys must be strings"),
            }
        }
        for key in required {
            if !m.contains_key(*key) {
                self.problem(ProblemKind::MissingField, &join(at, key), "required");
            }
        }
        Some(m)
    }

    /// A non-empty string.
    pub(crate) fn string(&mut self, v: &Value, at: &str) -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::String(_) => {
                self.problem(ProblemKind::InvalidValue, at, "must not be empty");
                None
            }
            other => {
                self.wrong_type(at, "a string", other);
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    pub(crate) fn whole(&mut self, v: &Value, at: &str, min: u64, max: u64) -> Option<u64> {
        match v.as_u64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                let message = format!("must be from {min} to {max}; got {n}");
                self.problem(ProblemKind::InvalidValue, at, message);
                None
            }
            None if v.is_i64() || v.is_f64() => {
                let message = format!("must be a whole number from {min} to {max}");
                self.problem(ProblemKind::InvalidValue, at, message);
                None
            }
            None => {
                self.wrong_type(at, "a whole number", v);
                None
            }
        }
    }

    /// A boolean.
    pub(crate) fn boolean(&mut self, v: &Value, at: &str) -> Option<bool> {
        v.as_bool().or_else(|| {
            self.wrong_type(at, "true or false", v);
            None
        })
    }

    /// A list; `non_empty` makes an empty one a problem.
    pub(crate) fn list<'v>(
        &mut self,
        v: &'v Value,
        at: &str,
        non_empty: bool,
    ) -> Option<&'v [Value]> {
        match v {
            Value::Sequence(items) if non_empty && items.is_empty() => {
                self.problem(
                    ProblemKind::InvalidValue,
                    at,
                    "must have at least one entry",
                );
                None
            }
            Value::Sequence(items) => Some(items),
            other => {
                self.wrong_type(at, "a list", other);
                None
            }
        }
    }

    /// A list of non-empty strings, each once.
    pub(crate) fn names(&mut self, v: &Value, at: &str, non_empty: bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, entry) in self
            .list(v, at, non_empty)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let here = item(at, i);
            let Some(name) = self.string(entry, &here) else {
                continue;
            };
            if out.contains(&name) {
                let message = format!("'{name}' is listed twice");
                self.problem(ProblemKind::DuplicateEntry, &here, message);
            } else {
                out.push(name);
            }
        }
        out
    }
}
