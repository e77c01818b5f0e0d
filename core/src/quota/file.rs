//! The quota file: YAML, validated like the catalog. Every problem is reported at once, with
//! the file, the limit and the field; unknown keys and impossible numbers are problems.
//!
//! ```yaml
//! limits:
//!   - name: chat_per_instance
//!     per: instance            # instance | user | realm
//!     unit_primitives: [duo_chat]
//!     groups: []               # every unit primitive of these catalog groups, too
//!     requests: 60
//!     period: 1m               # s, m, h, d (or a number of seconds)
//!     burst: 10                # optional; default: requests
//!     overrides:               # optional; by gitlab_instance_id
//!       "8a5e...":
//!         requests: 600        # each optional; the limit's value otherwise
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::limit::{KeyKind, Limit, Rate};
use super::numbers::{BURST, PERIOD_SECONDS, REQUESTS};
use super::quotas::Quotas;
use crate::catalog::Catalog;
use crate::error::{Error, Problem, ProblemKind, Result};
use crate::options::{Arg, NumberOption};
use crate::yaml_value::{to_arg, type_name};

const FILE_FIELDS: &[&str] = &["limits"];
const LIMIT_FIELDS: &[&str] = &[
    "name",
    "per",
    "unit_primitives",
    "groups",
    "requests",
    "period",
    "burst",
    "overrides",
];
const OVERRIDE_FIELDS: &[&str] = &["requests", "period", "burst"];

/// Collects the problems of one file.
struct Check<'a> {
    file: &'a str,
    catalog: &'a Catalog,
    problems: Vec<Problem>,
}

/// `30s`, `1m`, `2h`, `1d` as seconds; `None` when not of that form.
fn period_text(text: &str) -> Option<i64> {
    let unit = match text.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return None,
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok()?.checked_mul(unit)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A mapping's string keys, each with its value; a key that is not a string is a problem.
fn text_key(k: &Value) -> Option<String> {
    match k {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Check<'_> {
    fn problem(&mut self, kind: ProblemKind, record: Option<&str>, field: &str, message: String) {
        let mut p = Problem::new(kind, message).in_file(self.file);
        if let Some(r) = record {
            p = p.for_record(r);
        }
        if !field.is_empty() {
            p = p.at_field(field);
        }
        self.problems.push(p);
    }

    /// Reports keys outside `known` (and keys that are not strings).
    fn unknown_keys(&mut self, map: &Mapping, known: &[&str], record: Option<&str>, at: &str) {
        for key in map.keys() {
            let field = |k: &str| {
                if at.is_empty() {
                    k.to_owned()
                } else {
                    format!("{at}.{k}")
                }
            };
            match key.as_str() {
                Some(k) if known.contains(&k) => {}
                Some(k) => self.problem(
                    ProblemKind::UnknownField,
                    record,
                    &field(k),
                    format!("unknown field; known fields: {}", known.join(", ")),
                ),
                None => self.problem(
                    ProblemKind::UnknownField,
                    record,
                    at,
                    format!("field names must be strings; got {}", type_name(key)),
                ),
            }
        }
    }

    /// A number judged by `option`; a problem (and `None`) when absent-but-required or invalid.
    fn number(
        &mut self,
        map: &Mapping,
        option: &NumberOption,
        record: &str,
        at: &str,
    ) -> Option<u64> {
        let value = map.get(option.name)?;
        let field = format!("{at}{}", option.name);
        let given = if option.name == PERIOD_SECONDS.name {
            match value {
                Value::String(s) => match period_text(s) {
                    Some(secs) => Arg::Int(secs),
                    None => {
                        self.problem(
                            ProblemKind::InvalidValue,
                            Some(record),
                            &field,
                            format!("period must be a whole number and a unit (s, m, h, d), e.g. 1m; got {:?}", s),
                        );
                        return None;
                    }
                },
                other => to_arg(other),
            }
        } else {
            to_arg(value)
        };
        match option.value(Some(&given)) {
            // In range and whole, so the cast is exact.
            Ok(v) => Some(v as u64),
            Err(e) => {
                let kind = if matches!(given, Arg::Int(_) | Arg::Float(_)) {
                    ProblemKind::InvalidValue
                } else {
                    ProblemKind::WrongType
                };
                let mut message = e.message().to_owned();
                if let Value::String(s) = value {
                    if option.name == PERIOD_SECONDS.name {
                        message.push_str(&format!(" (from {s:?})"));
                    }
                }
                self.problem(kind, Some(record), &field, message);
                None
            }
        }
    }

    fn required(&mut self, map: &Mapping, field: &str, record: &str) -> bool {
        let present = map.contains_key(field);
        if !present {
            self.problem(
                ProblemKind::MissingField,
                Some(record),
                field,
                "required field is missing".to_owned(),
            );
        }
        present
    }

    /// A list of names (`unit_primitives`, `groups`), duplicates reported.
    fn names(&mut self, map: &Mapping, field: &str, record: &str) -> Vec<String> {
        let Some(value) = map.get(field) else {
            return Vec::new();
        };
        let Value::Sequence(items) = value else {
            self.problem(
                ProblemKind::WrongType,
                Some(record),
                field,
                format!("expected a list of names; got {}", type_name(value)),
            );
            return Vec::new();
        };
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for item in items {
            match item.as_str() {
                Some(name) if !seen.insert(name.to_owned()) => self.problem(
                    ProblemKind::DuplicateEntry,
                    Some(record),
                    field,
                    format!("'{name}' is listed twice"),
                ),
                Some(name) => out.push(name.to_owned()),
                None => self.problem(
                    ProblemKind::WrongType,
                    Some(record),
                    field,
                    format!("expected names; got {}", type_name(item)),
                ),
            }
        }
        out
    }

    /// The unit primitives a limit covers: its own, and every one of its groups.
    fn unit_primitives(&mut self, map: &Mapping, record: &str) -> Vec<String> {
        let mut out = Vec::new();
        for name in self.names(map, "unit_primitives", record) {
            match self.catalog.unit_primitive(&name) {
                Some(up) => out.push(up.name.clone()),
                None => self.problem(
                    ProblemKind::DanglingReference,
                    Some(record),
                    "unit_primitives",
                    format!("'{name}' is not a unit primitive of the catalog"),
                ),
            }
        }
        for group in self.names(map, "groups", record) {
            let members: Vec<String> = self
                .catalog
                .unit_primitives()
                .iter()
                .filter(|up| up.group == group)
                .map(|up| up.name.clone())
                .collect();
            if members.is_empty() {
                self.problem(
                    ProblemKind::DanglingReference,
                    Some(record),
                    "groups",
                    format!("'{group}' is not a group of the catalog"),
                );
            }
            out.extend(members);
        }
        out.sort();
        out.dedup();
        out
    }

    fn overrides(
        &mut self,
        value: &Value,
        base: Rate,
        burst_given: bool,
        record: &str,
    ) -> BTreeMap<String, Rate> {
        let mut out = BTreeMap::new();
        let Value::Mapping(map) = value else {
            self.problem(
                ProblemKind::WrongType,
                Some(record),
                "overrides",
                format!(
                    "expected a mapping of gitlab_instance_id to limits; got {}",
                    type_name(value)
                ),
            );
            return out;
        };
        for (key, body) in map {
            let Some(instance) = text_key(key).filter(|k| !k.is_empty()) else {
                self.problem(
                    ProblemKind::InvalidValue,
                    Some(record),
                    "overrides",
                    format!(
                        "instance ids must be non-empty strings; got {}",
                        type_name(key)
                    ),
                );
                continue;
            };
            let at = format!("overrides.{instance}");
            let Value::Mapping(fields) = body else {
                self.problem(
                    ProblemKind::NotAMapping,
                    Some(record),
                    &at,
                    format!(
                        "expected a mapping of requests, period, burst; got {}",
                        type_name(body)
                    ),
                );
                continue;
            };
            self.unknown_keys(fields, OVERRIDE_FIELDS, Some(record), &at);
            if !OVERRIDE_FIELDS.iter().any(|f| fields.contains_key(*f)) {
                self.problem(
                    ProblemKind::MissingField,
                    Some(record),
                    &at,
                    "an override sets at least one of requests, period, burst".to_owned(),
                );
                continue;
            }
            let prefix = format!("{at}.");
            let requests = self.number(fields, &REQUESTS, record, &prefix);
            let period = self.number(fields, &PERIOD_SECONDS, record, &prefix);
            let burst = self.number(fields, &BURST, record, &prefix);
            let requests_out = requests.unwrap_or(base.requests);
            // An unset burst follows the override's requests unless the limit set one.
            let default_burst = if burst_given {
                base.burst
            } else {
                requests_out
            };
            out.insert(
                instance,
                Rate {
                    requests: requests_out,
                    period_seconds: period.unwrap_or(base.period_seconds),
                    burst: burst.unwrap_or(default_burst),
                },
            );
        }
        out
    }

    fn limit(&mut self, index: usize, value: &Value) -> Option<Limit> {
        let fallback = format!("limits[{index}]");
        let Value::Mapping(map) = value else {
            self.problem(
                ProblemKind::NotAMapping,
                Some(&fallback),
                "",
                format!("a limit is a mapping; got {}", type_name(value)),
            );
            return None;
        };
        let name = map.get("name").and_then(Value::as_str).map(str::to_owned);
        let record = name.clone().unwrap_or(fallback);
        let record = record.as_str();
        self.unknown_keys(map, LIMIT_FIELDS, Some(record), "");
        let mut ok = true;
        for field in ["name", "per", "requests", "period"] {
            ok &= self.required(map, field, record);
        }
        if let Some(value) = map.get("name") {
            if !name.as_deref().is_some_and(valid_name) {
                ok = false;
                self.problem(
                    ProblemKind::InvalidValue,
                    Some(record),
                    "name",
                    format!(
                        "a name is 1 to 64 of a-z, 0-9, _ and -; got {}",
                        to_arg(value)
                    ),
                );
            }
        }
        let per = map.get("per").and_then(|v| {
            let found = v.as_str().and_then(KeyKind::from_name);
            if found.is_none() {
                self.problem(
                    ProblemKind::InvalidValue,
                    Some(record),
                    "per",
                    format!("per must be instance, user or realm; got {}", to_arg(v)),
                );
            }
            found
        });
        let unit_primitives = self.unit_primitives(map, record);
        if !map.contains_key("unit_primitives") && !map.contains_key("groups") {
            ok = false;
            self.problem(
                ProblemKind::MissingField,
                Some(record),
                "unit_primitives",
                "a limit names unit_primitives, groups or both".to_owned(),
            );
        }
        let requests = self.number(map, &REQUESTS, record, "");
        let period = self.number(map, &PERIOD_SECONDS, record, "");
        let burst = self.number(map, &BURST, record, "");
        let burst_given = map.contains_key("burst");
        let (Some(per), Some(requests), Some(period_seconds), Some(name), true) =
            (per, requests, period, name, ok)
        else {
            return None;
        };
        if burst_given && burst.is_none() {
            return None;
        }
        let rate = Rate {
            requests,
            period_seconds,
            burst: burst.unwrap_or(requests),
        };
        let overrides = match map.get("overrides") {
            Some(_) if per == KeyKind::Realm => {
                self.problem(
                    ProblemKind::InvalidValue,
                    Some(record),
                    "overrides",
                    "overrides are per instance; a limit per realm has no instance".to_owned(),
                );
                return None;
            }
            Some(value) => self.overrides(value, rate, burst_given, record),
            None => BTreeMap::new(),
        };
        Some(Limit {
            name,
            per,
            unit_primitives,
            rate,
            overrides,
        })
    }

    fn file(&mut self, text: &str) -> Vec<Limit> {
        let doc: Value = match serde_yaml::from_str(text) {
            Ok(doc) => doc,
            Err(e) => {
                self.problem(ProblemKind::YamlSyntax, None, "", e.to_string());
                return Vec::new();
            }
        };
        let map = match doc {
            Value::Mapping(map) => map,
            Value::Null => {
                self.problem(
                    ProblemKind::EmptyFile,
                    None,
                    "",
                    "the file holds no document".to_owned(),
                );
                return Vec::new();
            }
            other => {
                self.problem(
                    ProblemKind::NotAMapping,
                    None,
                    "",
                    format!(
                        "a quota file is a mapping with `limits`; got {}",
                        type_name(&other)
                    ),
                );
                return Vec::new();
            }
        };
        self.unknown_keys(&map, FILE_FIELDS, None, "");
        let Some(limits) = map.get("limits") else {
            self.problem(
                ProblemKind::MissingField,
                None,
                "limits",
                "required field is missing".to_owned(),
            );
            return Vec::new();
        };
        let Value::Sequence(items) = limits else {
            self.problem(
                ProblemKind::WrongType,
                None,
                "limits",
                format!("expected a list of limits; got {}", type_name(limits)),
            );
            return Vec::new();
        };
        let mut out: Vec<Limit> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(limit) = self.limit(i, item) {
                if out.iter().any(|l| l.name == limit.name) {
                    self.problem(
                        ProblemKind::DuplicateName,
                        Some(&limit.name),
                        "name",
                        "two limits share this name".to_owned(),
                    );
                }
                out.push(limit);
            }
        }
        out
    }
}

impl Quotas {
    /// Parses and validates quota file `text` (`file` names it in problems); unit primitives
    /// and groups must be `catalog`'s. `quota_invalid` lists every problem.
    pub fn parse(text: &str, file: &str, catalog: &Catalog) -> Result<Quotas> {
        let mut check = Check {
            file,
            catalog,
            problems: Vec::new(),
        };
        let limits = check.file(text);
        if check.problems.is_empty() {
            Ok(Quotas::new(limits))
        } else {
            Err(Error::quota_invalid(check.problems))
        }
    }

    /// Reads and validates the quota file at `path` (see [`Quotas::parse`]).
    pub fn load(path: &Path, catalog: &Catalog) -> Result<Quotas> {
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Quotas::parse(&text, &file, catalog),
            Err(e) => Err(Error::quota_invalid(vec![Problem::new(
                ProblemKind::Io,
                format!("cannot read the quota file: {e}"),
            )
            .in_file(file)])),
        }
    }
}
