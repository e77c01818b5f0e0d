//! What the YAML files the core reads (quota files, Runway manifests) hold, in the terms the rest
//! of the core speaks: a value's type for a message, and a value as an option [`Arg`], so the
//! core's option rules judge file values as they judge a binding's.

use serde_yaml::Value;

use crate::options::Arg;

/// The YAML type of a value, for messages ("expected a list; got a mapping").
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A YAML value as an option value, as a binding would hand it over.
pub(crate) fn to_arg(v: &Value) -> Arg {
    match v {
        Value::Null => Arg::Null,
        Value::Bool(b) => Arg::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Arg::Float(n.as_f64().unwrap_or(f64::NAN)), Arg::Int),
        Value::String(s) => Arg::Str(s.clone()),
        Value::Sequence(items) => Arg::List(items.iter().map(to_arg).collect()),
        Value::Mapping(_) | Value::Tagged(_) => Arg::Other,
    }
}
