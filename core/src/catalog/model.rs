//! The record types. Records are immutable once loaded; association fields hold the referenced
//! records' names exactly as written (the gem's raw `record[:add_ons]`), and the catalog resolves
//! them to records (`Catalog::add_ons_of`, ...).

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::kind::RecordKind;
use super::version::Version;

/// Anything stored in the catalog: it has a name and a kind.
pub trait Record {
    /// The kind this record type is stored as.
    const KIND: RecordKind;
    /// The record's name (its file name without `.yml`).
    fn name(&self) -> &str;
}

/// A unit primitive: one feature a token scope grants (`unit_primitives/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UnitPrimitive {
    /// snake_case name, unique across names and aliases.
    pub name: String,
    /// What the feature is.
    pub description: String,
    /// Owning engineering group, e.g. `group::duo chat`.
    pub group: String,
    /// GitLab feature category.
    pub feature_category: String,
    /// User documentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    /// Milestone it was introduced in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Version>,
    /// Merge request that introduced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced_by_url: Option<String>,
    /// Issue that defined the unit primitive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_primitive_issue_url: Option<String>,
    /// Merge request that deprecated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated_by_url: Option<String>,
    /// Why it is deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecation_message: Option<String>,
    /// End of free access, in the offset written; `None` is free forever.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_time")]
    pub cut_off_date: Option<DateTime<FixedOffset>>,
    /// Minimum GitLab version (self-managed) to use it at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_gitlab_version: Option<Version>,
    /// Minimum GitLab version for its free access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_gitlab_version_for_free_access: Option<Version>,
    /// `None` when the file has no `alias_names` (kept apart from `[]` so `to_hash` matches the
    /// gem, which only has the keys the file has).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_names: Option<Vec<String>>,
    /// Names of the backend services that serve it (non-empty; the first is the legacy backend).
    pub backend_services: Vec<String>,
    /// Names of the add-ons that include it.
    pub add_ons: Vec<String>,
    /// Names of the licence types it needs (empty: any).
    pub license_types: Vec<String>,
}

impl UnitPrimitive {
    /// `alias_names`, or `[]` when the file has none.
    pub fn aliases(&self) -> &[String] {
        self.alias_names.as_deref().unwrap_or(&[])
    }
}

/// A backend service that receives Cloud Connector tokens (`backend_services/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BackendService {
    /// snake_case name.
    pub name: String,
    /// What the service is.
    pub description: String,
    /// The audience tokens for this backend carry; unique across backends.
    pub jwt_aud: String,
    /// Owning engineering group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Source repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_url: Option<String>,
}

/// An add-on a customer buys (`add_ons/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AddOn {
    /// snake_case name, e.g. `duo_pro`.
    pub name: String,
    /// What the add-on is.
    pub description: String,
}

/// A GitLab licence tier (`license_types/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LicenseType {
    /// snake_case name, e.g. `ultimate`.
    pub name: String,
    /// What the licence is.
    pub description: String,
}

/// A service of the legacy available-services output (`services/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Service {
    /// The legacy service name.
    pub name: String,
    /// What the service is.
    pub description: String,
    /// Names of its unit primitives (non-empty, canonical names, not aliases).
    pub unit_primitives: Vec<String>,
    /// The member whose cut-off date, versions and backend the legacy entry takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_unit_primitive: Option<String>,
    /// Realms it appears in; `None` is both.
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
