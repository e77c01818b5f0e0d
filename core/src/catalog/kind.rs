//! The five record kinds and where each lives under the catalog root.

use std::fmt;

/// A kind of catalog record. `dir()` is both the directory under `config/` and the key used by
/// `load_all` and override configuration (the gem's `model_name.tableize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    /// `unit_primitives/`: a feature a token scope names.
    UnitPrimitive,
    /// `backend_services/`: a service that receives tokens; its `jwt_aud` is a token audience.
    BackendService,
    /// `add_ons/`: what a customer buys (`duo_pro`, `duo_enterprise`, ...).
    AddOn,
    /// `license_types/`: a GitLab licence tier.
    LicenseType,
    /// `services/`: a service of the legacy available-services output.
    Service,
}

impl RecordKind {
    /// Load order: referenced kinds first, so references can be checked against loaded names.
    pub const ALL: [RecordKind; 5] = [
        RecordKind::AddOn,
        RecordKind::BackendService,
        RecordKind::LicenseType,
        RecordKind::UnitPrimitive,
        RecordKind::Service,
    ];

    /// The directory under the catalog root, e.g. `unit_primitives`.
    pub const fn dir(self) -> &'static str {
        match self {
            RecordKind::UnitPrimitive => "unit_primitives",
            RecordKind::BackendService => "backend_services",
            RecordKind::AddOn => "add_ons",
            RecordKind::LicenseType => "license_types",
            RecordKind::Service => "services",
        }
    }

    /// Human label used in messages.
    pub const fn label(self) -> &'static str {
        match self {
            RecordKind::UnitPrimitive => "unit primitive",
            RecordKind::BackendService => "backend service",
            RecordKind::AddOn => "add-on",
            RecordKind::LicenseType => "license type",
            RecordKind::Service => "service",
        }
    }

    /// The gem's model class name (`DataModel::<this>`).
    pub const fn model_name(self) -> &'static str {
        match self {
            RecordKind::UnitPrimitive => "UnitPrimitive",
            RecordKind::BackendService => "BackendService",
            RecordKind::AddOn => "AddOn",
            RecordKind::LicenseType => "LicenseType",
            RecordKind::Service => "Service",
        }
    }

    /// The kind stored under directory `dir`, if any.
    pub fn from_dir(dir: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.dir() == dir)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dir())
    }
}
