//! Override configuration: the gem's `Configuration.override_config`. A mapping
//! `{kind => {record name => {field => value}}}` merged shallowly over each record as it loads
//! (whole field values are replaced), before validation, so an override can never produce a
//! record the validator would refuse.

use std::collections::{HashMap, HashSet};

use serde_yaml::{Mapping, Value};

use super::kind::RecordKind;
use crate::error::{Error, ErrorCode};

/// Override configuration by kind and record name; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    by_kind: HashMap<RecordKind, HashMap<String, Mapping>>,
}

impl Overrides {
    /// No overrides.
    pub fn new() -> Overrides {
        Overrides::default()
    }

    /// Builds overrides from a JSON value shaped like the gem's Hash:
    /// `{"unit_primitives": {"duo_chat": {"cut_off_date": "...", "add_ons": ["duo_pro"]}}}`.
    /// `null` means no overrides. Overrides for a record the catalog does not have are ignored,
    /// as in the gem (they cannot add records); an unknown kind or a non-mapping is an error,
    /// because it can only be a mistake.
    pub fn from_json(value: &serde_json::Value) -> Result<Overrides, Error> {
        let mut out = Overrides::new();
        let top = match value {
            serde_json::Value::Null => return Ok(out),
            serde_json::Value::Object(top) => top,
            other => {
                return Err(invalid(format!(
                    "override configuration must be a mapping of record kinds, got {}",
                    json_type(other)
                )))
            }
        };
        for (kind_key, records) in top {
            let kind = RecordKind::from_dir(kind_key).ok_or_else(|| {
                let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.dir()).collect();
                invalid(format!("unknown record kind '{kind_key}' in override configuration; expected one of {}", kinds.join(", ")))
            })?;
            let serde_json::Value::Object(records) = records else {
                return Err(invalid(format!(
                    "overrides for '{kind_key}' must be a mapping of record names, got {}",
                    json_type(records)
                )));
            };
            for (name, fields) in records {
                let serde_json::Value::Object(fields) = fields else {
                    return Err(invalid(format!(
                        "overrides for {kind_key} '{name}' must be a mapping of fields, got {}",
                        json_type(fields)
                    )));
                };
                for (field, value) in fields {
                    out.set(kind, name, field, value)?;
                }
            }
        }
        Ok(out)
    }

    /// Sets one field of one record.
    pub fn set(
        &mut self,
        kind: RecordKind,
        record: &str,
        field: &str,
        value: &serde_json::Value,
    ) -> Result<(), Error> {
        if field == "name" {
            return Err(invalid(format!(
                "overrides for {kind} '{record}' cannot change 'name': overrides change records, they do not rename them"
            )));
        }
        let value: Value = serde_yaml::to_value(value)
            .map_err(|e| invalid(format!("override {kind} '{record}' field '{field}': {e}")))?;
        self.by_kind
            .entry(kind)
            .or_default()
            .entry(record.to_owned())
            .or_default()
            .insert(field.into(), value);
        Ok(())
    }

    /// True when no record is overridden.
    pub fn is_empty(&self) -> bool {
        self.by_kind.values().all(HashMap::is_empty)
    }

    /// Merges the overrides for `kind`/`name` into `mapping`; returns the fields it replaced.
    pub(crate) fn apply(
        &self,
        kind: RecordKind,
        name: &str,
        mapping: &mut Mapping,
    ) -> HashSet<String> {
        let mut touched = HashSet::new();
        if let Some(fields) = self.by_kind.get(&kind).and_then(|r| r.get(name)) {
            for (field, value) in fields {
                mapping.insert(field.clone(), value.clone());
                if let Some(f) = field.as_str() {
                    touched.insert(f.to_owned());
                }
            }
        }
        touched
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidOverride, message)
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}
