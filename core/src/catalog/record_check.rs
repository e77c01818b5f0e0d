//! One record file at a time: YAML text -> mapping -> every field checked against the field table
//! -> a typed record. Cross-record rules (references, duplicates) live in `cross_check.rs`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use serde_yaml::{Mapping, Value};

use super::fields::{fields_of, FieldSpec, FieldType, LEGACY_REALMS};
use super::kind::RecordKind;
use super::model::{AddOn, BackendService, LicenseType, Service, UnitPrimitive};
use super::source::SourceFile;
use super::version::Version;
use crate::error::{Problem, ProblemKind};

/// A record of any kind, as it came out of its file.
#[derive(Clone, Debug)]
pub(crate) enum AnyRecord {
    UnitPrimitive(Box<UnitPrimitive>),
    BackendService(BackendService),
    AddOn(AddOn),
    LicenseType(LicenseType),
    Service(Service),
}

/// Parses a file's text into the record's mapping. An empty file (nothing, or only comments or
/// `---`) is its own problem rather than a confusing "missing field: name".
pub(crate) fn parse_mapping(file: &SourceFile) -> Result<Mapping, Problem> {
    let at = |p: Problem| p.in_file(&file.display);
    let value: Value = serde_yaml::from_str(&file.text).map_err(|e| {
        at(Problem::new(
            ProblemKind::YamlSyntax,
            format!("invalid YAML: {e}"),
        ))
    })?;
    match value {
        Value::Mapping(m) => Ok(m),
        Value::Null => Err(at(Problem::new(
            ProblemKind::EmptyFile,
            "file is empty; expected one record",
        ))),
        other => Err(at(Problem::new(
            ProblemKind::NotAMapping,
            format!("expected a mapping of fields, got {}", describe(&other)),
        ))),
    }
}

/// The record name a mapping claims, if it has a usable one (for messages and overrides).
pub(crate) fn claimed_name(mapping: &Mapping) -> Option<&str> {
    mapping.get("name").and_then(Value::as_str)
}

/// A field value after its type check.
enum Checked {
    Str(String),
    Version(Version),
    Time(DateTime<FixedOffset>),
    List(Vec<String>),
}

/// Checks every field of one record and builds it from the sound fields; the problems come back
/// beside it. `overridden` names the fields whose value came
/// from override configuration, so their problems say so. `lenient` (the gem's loading) builds
/// a record whose name is a string but not a sound name (`Duo-Chat`); its problem stays.
pub(crate) fn check_record(
    file: &SourceFile,
    mapping: &Mapping,
    overridden: &HashSet<String>,
    lenient: bool,
) -> (Option<AnyRecord>, Vec<Problem>) {
    let kind = file.kind;
    let specs = fields_of(kind);
    let record = claimed_name(mapping).unwrap_or(file.stem()).to_owned();
    let mut problems = Vec::new();
    let mut values: HashMap<&'static str, Checked> = HashMap::new();
    let problem = |kind: ProblemKind, field: Option<&str>, message: String| {
        let from_override = field.is_some_and(|f| overridden.contains(f));
        let message = if from_override {
            format!("{message} (value from override configuration)")
        } else {
            message
        };
        let p = Problem::new(kind, message)
            .in_file(&file.display)
            .for_record(&record);
        match field {
            Some(f) => p.at_field(f),
            None => p,
        }
    };

    for (key, value) in mapping {
        let Some(key) = key.as_str() else {
            problems.push(problem(
                ProblemKind::WrongType,
                None,
                format!("field names must be strings, got {}", describe(key)),
            ));
            continue;
        };
        let Some(spec) = specs.iter().find(|s| s.name == key) else {
            let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
            problems.push(problem(
                ProblemKind::UnknownField,
                Some(key),
                format!(
                    "unknown field for a {}; known fields: {}",
                    kind.label(),
                    known.join(", ")
                ),
            ));
            continue;
        };
        // A null from override configuration removes an optional field (the gem's
        // `cut_off_date: nil` override makes a unit primitive free): not a problem.
        if value.is_null() && !spec.required && overridden.contains(key) {
            continue;
        }
        match check_value(spec, value) {
            Ok(v) => {
                values.insert(spec.name, v);
            }
            Err((kind, message)) => problems.push(problem(kind, Some(key), message)),
        }
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !mapping.contains_key(spec.name) {
            problems.push(problem(
                ProblemKind::MissingField,
                Some(spec.name),
                format!("required field of a {} is missing", kind.label()),
            ));
        }
    }
    // Without a sound name there is nothing to refer to. Otherwise the record is built from its
    // sound fields (a bad field reads as absent) so the cross-record rules still check them and
    // one pass reports every problem; the load fails anyway while any problem remains.
    if !values.contains_key("name") {
        match claimed_name(mapping).filter(|n| lenient && !n.trim().is_empty()) {
            Some(name) => {
                values.insert("name", Checked::Str(name.to_owned()));
            }
            None => return (None, problems),
        }
    }
    if let Some(Checked::Str(name)) = values.get("name") {
        if name != file.stem() {
            problems.push(problem(
                ProblemKind::FileNameMismatch,
                Some("name"),
                format!("record '{name}' must be in a file named {name}.yml"),
            ));
        }
    }
    (Some(build(kind, values)), problems)
}

fn check_value(spec: &FieldSpec, value: &Value) -> Result<Checked, (ProblemKind, String)> {
    if value.is_null() {
        return Err((
            ProblemKind::WrongType,
            "null is not allowed; leave the field out instead".into(),
        ));
    }
    match spec.ty {
        FieldType::Name => check_name(value).map(Checked::Str),
        FieldType::Text => {
            let s = expect_str(value, "a non-empty string")?;
            if s.trim().is_empty() {
                return Err((ProblemKind::InvalidValue, "must not be empty".into()));
            }
            Ok(Checked::Str(s.to_owned()))
        }
        FieldType::Url => {
            let s = expect_str(value, "a URL string")?;
            if !(s.starts_with("https://") || s.starts_with("http://"))
                || s.len() <= "https://".len()
            {
                return Err((
                    ProblemKind::InvalidValue,
                    format!("'{s}' is not an http(s) URL"),
                ));
            }
            Ok(Checked::Str(s.to_owned()))
        }
        FieldType::Version => check_version(value).map(Checked::Version),
        FieldType::Timestamp => check_timestamp(value).map(Checked::Time),
        FieldType::NameList { non_empty } => {
            let items = expect_list(value)?;
            let mut names: Vec<String> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let name = check_name(item).map_err(|(k, m)| (k, format!("item {i}: {m}")))?;
                if names.contains(&name) {
                    return Err((
                        ProblemKind::DuplicateEntry,
                        format!("'{name}' is listed more than once"),
                    ));
                }
                names.push(name);
            }
            if non_empty && names.is_empty() {
                return Err((
                    ProblemKind::InvalidValue,
                    "must list at least one name".into(),
                ));
            }
            Ok(Checked::List(names))
        }
        FieldType::RealmList => {
            let items = expect_list(value)?;
            let mut realms: Vec<String> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let realm = expect_str(item, "a realm string")
                    .map_err(|(k, m)| (k, format!("item {i}: {m}")))?;
                if !LEGACY_REALMS.contains(&realm) {
                    return Err((
                        ProblemKind::InvalidValue,
                        format!(
                            "item {i}: unknown realm '{realm}'; expected one of {}",
                            LEGACY_REALMS.join(", ")
                        ),
                    ));
                }
                if realms.iter().any(|r| r == realm) {
                    return Err((
                        ProblemKind::DuplicateEntry,
                        format!("realm '{realm}' is listed more than once"),
                    ));
                }
                realms.push(realm.to_owned());
            }
            if realms.is_empty() {
                // The gem treats [] as "no realm" and emits the service nowhere: almost surely a
                // mistake, so it is refused; leave the field out to mean "every realm".
                return Err((
                    ProblemKind::InvalidValue,
                    "must list at least one realm; leave the field out to mean every realm".into(),
                ));
            }
            Ok(Checked::List(realms))
        }
    }
}

fn check_name(value: &Value) -> Result<String, (ProblemKind, String)> {
    let s = expect_str(value, "a snake_case name string")?;
    if !is_snake_case(s) {
        return Err((
            ProblemKind::InvalidValue,
            format!("'{s}' is not a snake_case name (^[a-z][a-z0-9_]*$)"),
        ));
    }
    Ok(s.to_owned())
}

pub(crate) fn is_snake_case(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_version(value: &Value) -> Result<Version, (ProblemKind, String)> {
    match value {
        Value::String(s) => Version::parse_catalog(s).ok_or_else(|| {
            (
                ProblemKind::InvalidValue,
                format!("'{s}' is not a MAJOR.MINOR version such as '16.9'"),
            )
        }),
        Value::Number(n) => Err((
            ProblemKind::WrongType,
            format!(
                "got the number {n}; versions must be quoted strings such as '{n}' \
                 (YAML reads an unquoted 16.10 as the float 16.1)"
            ),
        )),
        other => Err((
            ProblemKind::WrongType,
            format!("expected a quoted version string, got {}", describe(other)),
        )),
    }
}

fn check_timestamp(value: &Value) -> Result<DateTime<FixedOffset>, (ProblemKind, String)> {
    let s = expect_str(
        value,
        "an RFC 3339 timestamp such as 2024-10-17T00:00:00+00:00",
    )?;
    let invalid = || {
        (
            ProblemKind::InvalidValue,
            format!("'{s}' is not an RFC 3339 timestamp with time and offset, such as 2024-10-17T00:00:00+00:00"),
        )
    };
    if !timestamp_shape(s) {
        return Err(invalid());
    }
    DateTime::parse_from_rfc3339(s).map_err(|_| invalid())
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`: the schema's pattern, checked by hand so the rule
/// needs no regex engine.
fn timestamp_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !(digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10)
            && b[10] == b'T')
        || !(digits(11..13) && b[13] == b':' && digits(14..16) && b[16] == b':' && digits(17..19))
    {
        return false;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &rest[1 + n..];
    }
    rest == b"Z"
        || (rest.len() == 6
            && (rest[0] == b'+' || rest[0] == b'-')
            && rest[1..3].iter().all(u8::is_ascii_digit)
            && rest[3] == b':'
            && rest[4..6].iter().all(u8::is_ascii_digit))
}

fn expect_str<'a>(value: &'a Value, what: &str) -> Result<&'a str, (ProblemKind, String)> {
    value.as_str().ok_or_else(|| {
        (
            ProblemKind::WrongType,
            format!("expected {what}, got {}", describe(value)),
        )
    })
}

fn expect_list(value: &Value) -> Result<&Vec<Value>, (ProblemKind, String)> {
    value.as_sequence().ok_or_else(|| {
        (
            ProblemKind::WrongType,
            format!("expected a list, got {}", describe(value)),
        )
    })
}

/// A short description of a YAML value for messages.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string '{s}'"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}

fn build(kind: RecordKind, mut v: HashMap<&'static str, Checked>) -> AnyRecord {
    let mut s = |k: &str| match v.remove(k) {
        Some(Checked::Str(s)) => Some(s),
        _ => None,
    };
    // A missing required field was reported above; its default only stands in for cross-checks.
    match kind {
        RecordKind::AddOn => AnyRecord::AddOn(AddOn {
            name: s("name").unwrap_or_default(),
            description: s("description").unwrap_or_default(),
        }),
        RecordKind::LicenseType => AnyRecord::LicenseType(LicenseType {
            name: s("name").unwrap_or_default(),
            description: s("description").unwrap_or_default(),
        }),
        RecordKind::BackendService => AnyRecord::BackendService(BackendService {
            name: s("name").unwrap_or_default(),
            description: s("description").unwrap_or_default(),
            jwt_aud: s("jwt_aud").unwrap_or_default(),
            group: s("group"),
            project_url: s("project_url"),
        }),
        RecordKind::Service => {
            let name = s("name").unwrap_or_default();
            let description = s("description").unwrap_or_default();
            let basic_unit_primitive = s("basic_unit_primitive");
            AnyRecord::Service(Service {
                name,
                description,
                basic_unit_primitive,
                unit_primitives: list(&mut v, "unit_primitives").unwrap_or_default(),
                gitlab_realm: list(&mut v, "gitlab_realm"),
            })
        }
        RecordKind::UnitPrimitive => {
            let name = s("name").unwrap_or_default();
            let description = s("description").unwrap_or_default();
            let group = s("group").unwrap_or_default();
            let feature_category = s("feature_category").unwrap_or_default();
            let documentation_url = s("documentation_url");
            let introduced_by_url = s("introduced_by_url");
            let unit_primitive_issue_url = s("unit_primitive_issue_url");
            let deprecated_by_url = s("deprecated_by_url");
            let deprecation_message = s("deprecation_message");
            AnyRecord::UnitPrimitive(Box::new(UnitPrimitive {
                name,
                description,
                group,
                feature_category,
                documentation_url,
                introduced_by_url,
                unit_primitive_issue_url,
                deprecated_by_url,
                deprecation_message,
                milestone: version(&mut v, "milestone"),
                cut_off_date: match v.remove("cut_off_date") {
                    Some(Checked::Time(t)) => Some(t),
                    _ => None,
                },
                min_gitlab_version: version(&mut v, "min_gitlab_version"),
                min_gitlab_version_for_free_access: version(
                    &mut v,
                    "min_gitlab_version_for_free_access",
                ),
                alias_names: list(&mut v, "alias_names"),
                backend_services: list(&mut v, "backend_services").unwrap_or_default(),
                add_ons: list(&mut v, "add_ons").unwrap_or_default(),
                license_types: list(&mut v, "license_types").unwrap_or_default(),
            }))
        }
    }
}

fn list(v: &mut HashMap<&'static str, Checked>, k: &str) -> Option<Vec<String>> {
    match v.remove(k) {
        Some(Checked::List(l)) => Some(l),
        _ => None,
    }
}

fn version(v: &mut HashMap<&'static str, Checked>, k: &str) -> Option<Version> {
    match v.remove(k) {
        Some(Checked::Version(x)) => Some(x),
        _ => None,
    }
}
