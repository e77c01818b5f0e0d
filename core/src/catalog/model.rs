//! The record types. Records are immutable once loaded; association fields hold the referenced
//! records' names exactly as written (the gem's raw `record[:add_ons]`), and the catalog resolves
//! them to records (`Catalog::add_ons_of`, ...).

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::kind::RecordKind;
use super::version::Version;

/// Anything stored in the catalog: it has a name and a kind.
pub trait Record {
    const KIND: RecordKind;
    fn name(&self) -> &str;
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UnitPrimitive {
    pub name: String,
    pub description: String,
    pub group: String,
    pub feature_category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Version>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced_by_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_primitive_issue_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated_by_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecation_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_time")]
    pub cut_off_date: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_gitlab_version: Option<Version>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_gitlab_version_for_free_access: Option<Version>,
    /// `None` when the file has no `alias_names` (kept apart from `[]` so `to_hash` matches the
    /// gem, which only has the keys the file has).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_names: Option<Vec<String>>,
    pub backend_services: Vec<String>,
    pub add_ons: Vec<String>,
    pub license_types: Vec<String>,
}

impl UnitPrimitive {
    pub fn aliases(&self) -> &[String] {
        self.alias_names.as_deref().unwrap_or(&[])
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BackendService {
    pub name: String,
    pub description: String,
    pub jwt_aud: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AddOn {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LicenseType {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Service {
    pub name: String,
    pub description: String,
    pub unit_primitives: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_unit_primitive: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gitlab_realm: Option<Vec<String>>,
}

macro_rules! record {
    ($t:ty, $kind:expr) => {
        impl Record for $t {
            const KIND: RecordKind = $kind;
            fn name(&self) -> &str {
                &self.name
            }
        }
    };
}
record!(UnitPrimitive, RecordKind::UnitPrimitive);
record!(BackendService, RecordKind::BackendService);
record!(AddOn, RecordKind::AddOn);
record!(LicenseType, RecordKind::LicenseType);
record!(Service, RecordKind::Service);

/// RFC 3339 with the offset as written, e.g. `2024-10-17T00:00:00+00:00`.
pub fn format_time(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

fn ser_time<S: serde::Serializer>(
    t: &Option<DateTime<FixedOffset>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_time(t)),
        None => s.serialize_none(),
    }
}
