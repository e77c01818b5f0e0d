//! A catalog built from records a binding already holds, in the `load_all` JSON shape
//! (`{"unit_primitives": [{...}], "backend_services": [...], ...}`), e.g. the records a Ruby data
//! loader subclass (GitLab Rails' database loader) supplies. The bindings hand those records here
//! so that the core's rules (associations, the legacy generator, entitlements) still apply.
//!
//! The gem's models accept whatever their loader gives them, so this is deliberately looser than
//! the file validator: only value *types* are checked (a string where a string belongs, a list of
//! strings, an RFC 3339 `cut_off_date`, a version string); prose fields (`description`, `group`,
//! ...) and association lists may be missing; unknown fields (and `null` values) are ignored;
//! references to unknown records are kept and dropped by the association rule, as the gem drops
//! them; non-string entries of association lists are dropped (the gem compares names as strings).
//! Records keep the order given. A missing kind is an empty kind.

use chrono::DateTime;
use serde_json::{Map, Value};

use super::kind::RecordKind;
use super::model::{AddOn, BackendService, LicenseType, Service, UnitPrimitive};
use super::store::{Catalog, CatalogSource};
use super::version::Version;
use crate::error::{Error, ErrorCode, Problem, ProblemKind};

impl Catalog {
    /// Builds a catalog from records in the `load_all` shape. Bad types are `catalog_invalid`
    /// with one problem per bad field (file `records:<kind>`); a non-object input is
    /// `invalid_argument`.
    pub fn from_records_json(value: &Value) -> Result<Catalog, Error> {
        let Value::Object(top) = value else {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "records must be a mapping of record kinds to lists, got {}",
                    json_type(value)
                ),
            ));
        };
        let mut problems = Vec::new();
        for key in top.keys() {
            if RecordKind::from_dir(key).is_none() {
                let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.dir()).collect();
                problems.push(
                    Problem::new(
                        ProblemKind::UnknownField,
                        format!(
                            "unknown record kind '{key}'; expected one of {}",
                            kinds.join(", ")
                        ),
                    )
                    .in_file("records"),
                );
            }
        }
        let mut r = Reader {
            problems: &mut problems,
        };
        let unit_primitives = r.kind(top, RecordKind::UnitPrimitive, |r, f| {
            Some(UnitPrimitive {
                name: f.name.clone(),
                description: r.text(f, "description"),
                group: r.text(f, "group"),
                feature_category: r.text(f, "feature_category"),
                documentation_url: r.opt_str(f, "documentation_url"),
                milestone: r.version(f, "milestone"),
                introduced_by_url: r.opt_str(f, "introduced_by_url"),
                unit_primitive_issue_url: r.opt_str(f, "unit_primitive_issue_url"),
                deprecated_by_url: r.opt_str(f, "deprecated_by_url"),
                deprecation_message: r.opt_str(f, "deprecation_message"),
                cut_off_date: r.time(f, "cut_off_date"),
                min_gitlab_version: r.version(f, "min_gitlab_version"),
                min_gitlab_version_for_free_access: r
                    .version(f, "min_gitlab_version_for_free_access"),
                alias_names: r.opt_names(f, "alias_names"),
                backend_services: r.names(f, "backend_services"),
                add_ons: r.names(f, "add_ons"),
                license_types: r.names(f, "license_types"),
            })
        });
        let backend_services = r.kind(top, RecordKind::BackendService, |r, f| {
            Some(BackendService {
                name: f.name.clone(),
                description: r.text(f, "description"),
                jwt_aud: r.text(f, "jwt_aud"),
                group: r.opt_str(f, "group"),
                project_url: r.opt_str(f, "project_url"),
            })
        });
        let add_ons = r.kind(top, RecordKind::AddOn, |r, f| {
            Some(AddOn {
                name: f.name.clone(),
                description: r.text(f, "description"),
            })
        });
        let license_types = r.kind(top, RecordKind::LicenseType, |r, f| {
            Some(LicenseType {
                name: f.name.clone(),
                description: r.text(f, "description"),
            })
        });
        let services = r.kind(top, RecordKind::Service, |r, f| {
            Some(Service {
                name: f.name.clone(),
                description: r.text(f, "description"),
                unit_primitives: r.names(f, "unit_primitives"),
                basic_unit_primitive: r.opt_str(f, "basic_unit_primitive"),
                gitlab_realm: r.opt_strings(f, "gitlab_realm"),
            })
        });
        if !problems.is_empty() {
            return Err(Error::catalog_invalid(problems));
        }
        Ok(Catalog::from_records(
            unit_primitives,
            backend_services,
            add_ons,
            license_types,
            services,
            CatalogSource::Records,
        ))
    }
}

/// One record's fields while it is read.
struct Fields<'a> {
    kind: RecordKind,
    name: String,
    map: &'a Map<String, Value>,
}

struct Reader<'p> {
    problems: &'p mut Vec<Problem>,
}

impl Reader<'_> {
    fn kind<T>(
        &mut self,
        top: &Map<String, Value>,
        kind: RecordKind,
        build: impl Fn(&mut Self, &Fields<'_>) -> Option<T>,
    ) -> Vec<T> {
        let at = format!("records:{}", kind.dir());
        let records = match top.get(kind.dir()) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.problems.push(
                    Problem::new(
                        ProblemKind::WrongType,
                        format!("expected a list of records, got {}", json_type(other)),
                    )
                    .in_file(at),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            let Value::Object(map) = record else {
                self.problems.push(
                    Problem::new(
                        ProblemKind::NotAMapping,
                        format!(
                            "record {i}: expected a mapping of fields, got {}",
                            json_type(record)
                        ),
                    )
                    .in_file(&at),
                );
                continue;
            };
            let name = match map.get("name") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Null) | None => {
                    self.problems.push(
                        Problem::new(
                            ProblemKind::MissingField,
                            format!("record {i}: a {} needs a name", kind.label()),
                        )
                        .in_file(&at)
                        .at_field("name"),
                    );
                    continue;
                }
                Some(other) => {
                    self.problems.push(
                        Problem::new(
                            ProblemKind::WrongType,
                            format!(
                                "record {i}: expected a name string, got {}",
                                json_type(other)
                            ),
                        )
                        .in_file(&at)
                        .at_field("name"),
                    );
                    continue;
                }
            };
            let fields = Fields { kind, name, map };
            if let Some(r) = build(self, &fields) {
                out.push(r);
            }
        }
        out
    }

    fn problem(&mut self, f: &Fields<'_>, field: &str, kind: ProblemKind, message: String) {
        self.problems.push(
            Problem::new(kind, message)
                .in_file(format!("records:{}", f.kind.dir()))
                .for_record(&f.name)
                .at_field(field),
        );
    }

    fn get<'a>(&self, f: &Fields<'a>, field: &str) -> Option<&'a Value> {
        f.map.get(field).filter(|v| !v.is_null())
    }

    fn opt_str(&mut self, f: &Fields<'_>, field: &str) -> Option<String> {
        match self.get(f, field)? {
            Value::String(s) => Some(s.clone()),
            other => {
                let msg = format!("expected a string, got {}", json_type(other));
                self.problem(f, field, ProblemKind::WrongType, msg);
                None
            }
        }
    }

    /// Prose: optional here, empty when absent.
    fn text(&mut self, f: &Fields<'_>, field: &str) -> String {
        self.opt_str(f, field).unwrap_or_default()
    }

    fn opt_strings(&mut self, f: &Fields<'_>, field: &str) -> Option<Vec<String>> {
        match self.get(f, field)? {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => {
                            let msg =
                                format!("item {i}: expected a string, got {}", json_type(other));
                            self.problem(f, field, ProblemKind::WrongType, msg);
                        }
                    }
                }
                Some(out)
            }
            other => {
                let msg = format!("expected a list of strings, got {}", json_type(other));
                self.problem(f, field, ProblemKind::WrongType, msg);
                None
            }
        }
    }

    /// A list of record names; entries that are not strings can never name a record and are
    /// dropped, as the gem's association (which compares strings) drops them.
    fn opt_names(&mut self, f: &Fields<'_>, field: &str) -> Option<Vec<String>> {
        match self.get(f, field)? {
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            other => {
                let msg = format!("expected a list of names, got {}", json_type(other));
                self.problem(f, field, ProblemKind::WrongType, msg);
                None
            }
        }
    }

    fn names(&mut self, f: &Fields<'_>, field: &str) -> Vec<String> {
        self.opt_names(f, field).unwrap_or_default()
    }

    fn version(&mut self, f: &Fields<'_>, field: &str) -> Option<Version> {
        match self.get(f, field)? {
            Value::String(s) => {
                let v = Version::parse_catalog(s).or_else(|| Version::parse_gitlab(s).ok());
                if v.is_none() {
                    let msg = format!("'{s}' is not a version such as '16.9'");
                    self.problem(f, field, ProblemKind::InvalidValue, msg);
                }
                v
            }
            other => {
                let msg = format!("expected a version string, got {}", json_type(other));
                self.problem(f, field, ProblemKind::WrongType, msg);
                None
            }
        }
    }

    fn time(&mut self, f: &Fields<'_>, field: &str) -> Option<DateTime<chrono::FixedOffset>> {
        match self.get(f, field)? {
            Value::String(s) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t),
                Err(_) => {
                    let msg = format!("'{s}' is not an RFC 3339 time");
                    self.problem(f, field, ProblemKind::InvalidValue, msg);
                    None
                }
            },
            other => {
                let msg = format!("expected an RFC 3339 time string, got {}", json_type(other));
                self.problem(f, field, ProblemKind::WrongType, msg);
                None
            }
        }
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
