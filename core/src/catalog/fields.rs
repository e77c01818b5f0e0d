//! The field table of every record kind: one place that says which fields exist, their types,
//! which are required and what they reference. The validator is driven by it, and a test checks
//! it against `config/schemas/*.json` so the schema and the validator cannot drift apart.

use super::kind::RecordKind;

/// The value type of a field (see docs/catalog-format.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// snake_case identifier.
    Name,
    /// Non-empty string.
    Text,
    /// `http://` or `https://` string.
    Url,
    /// Quoted `MAJOR.MINOR` string.
    Version,
    /// RFC 3339 date-time.
    Timestamp,
    /// Sequence of names without repeats.
    NameList {
        /// `[]` is refused.
        non_empty: bool,
    },
    /// Non-empty sequence of `gitlab-com` / `self-managed`.
    RealmList,
}

/// One field of a record kind: its name, value type, whether it is required and what it points at.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// The YAML key.
    pub name: &'static str,
    /// The value type the validator checks.
    pub ty: FieldType,
    /// Whether a record without this field is refused.
    pub required: bool,
    /// For names and name lists that point at other records.
    pub references: Option<RecordKind>,
}

const fn field(name: &'static str, ty: FieldType, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required,
        references: None,
    }
}

const fn reference(name: &'static str, ty: FieldType, required: bool, to: RecordKind) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required,
        references: Some(to),
    }
}

use FieldType::*;

/// Fields of `unit_primitives/<name>.yml`.
pub const UNIT_PRIMITIVE_FIELDS: &[FieldSpec] = &[
    field("name", Name, true),
    field("description", Text, true),
    field("group", Text, true),
    field("feature_category", Name, true),
    field("documentation_url", Url, false),
    field("milestone", Version, false),
    field("introduced_by_url", Url, false),
    field("unit_primitive_issue_url", Url, false),
    field("deprecated_by_url", Url, false),
    field("deprecation_message", Text, false),
    field("cut_off_date", Timestamp, false),
    field("min_gitlab_version", Version, false),
    field("min_gitlab_version_for_free_access", Version, false),
    field("alias_names", NameList { non_empty: false }, false),
    reference(
        "backend_services",
        NameList { non_empty: true },
        true,
        RecordKind::BackendService,
    ),
    reference(
        "add_ons",
        NameList { non_empty: false },
        true,
        RecordKind::AddOn,
    ),
    reference(
        "license_types",
        NameList { non_empty: false },
        true,
        RecordKind::LicenseType,
    ),
];

/// Fields of `backend_services/<name>.yml`.
pub const BACKEND_SERVICE_FIELDS: &[FieldSpec] = &[
    field("name", Name, true),
    field("description", Text, true),
    field("jwt_aud", Text, true),
    field("group", Text, false),
    field("project_url", Url, false),
];

/// Fields of `add_ons/<name>.yml`.
pub const ADD_ON_FIELDS: &[FieldSpec] =
    &[field("name", Name, true), field("description", Text, true)];

/// Fields of `license_types/<name>.yml`.
pub const LICENSE_TYPE_FIELDS: &[FieldSpec] =
    &[field("name", Name, true), field("description", Text, true)];

/// Fields of `services/<name>.yml` (the legacy generator's services).
pub const SERVICE_FIELDS: &[FieldSpec] = &[
    field("name", Name, true),
    field("description", Text, true),
    reference(
        "unit_primitives",
        NameList { non_empty: true },
        true,
        RecordKind::UnitPrimitive,
    ),
    reference(
        "basic_unit_primitive",
        Name,
        false,
        RecordKind::UnitPrimitive,
    ),
    field("gitlab_realm", RealmList, false),
];

/// The field table of a record kind.
pub fn fields_of(kind: RecordKind) -> &'static [FieldSpec] {
    match kind {
        RecordKind::UnitPrimitive => UNIT_PRIMITIVE_FIELDS,
        RecordKind::BackendService => BACKEND_SERVICE_FIELDS,
        RecordKind::AddOn => ADD_ON_FIELDS,
        RecordKind::LicenseType => LICENSE_TYPE_FIELDS,
        RecordKind::Service => SERVICE_FIELDS,
    }
}

/// The realms a legacy service may name (`gitlab_realm`), in the generator's vocabulary.
pub const LEGACY_REALMS: [&str; 2] = ["gitlab-com", "self-managed"];
