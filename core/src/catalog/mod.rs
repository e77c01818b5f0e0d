//! The unit primitive catalog: records (`model`), their field rules (`fields`), loading from the
//! embedded `config/` or a directory (`load`, `source`, `record_check`, `cross_check`),
//! overrides, associations (`store`), the legacy generator (`legacy`) and entitlements.

pub mod compat;
mod cross_check;
mod embedded;
pub mod entitlements;
pub mod fields;
pub mod filter;
mod from_records;
mod in_memory;
pub mod kind;
pub mod legacy;
mod load;
pub mod model;
pub mod overrides;
mod record_check;
mod source;
mod store;
pub mod version;

use std::path::Path;

pub use entitlements::{EntitlementRequest, Entitlements};
pub use filter::{Access, UnitPrimitiveFilter};
pub use kind::RecordKind;
pub use legacy::{AvailableServices, LegacyEntry, LegacyRealm};
pub use model::{AddOn, BackendService, LicenseType, Record, Service, UnitPrimitive};
pub use overrides::Overrides;
pub use store::{association_order, Catalog, CatalogSource};
pub use version::Version;

use crate::error::{Error, Problem};

/// The environment variable that points at a catalog directory to use instead of the embedded one.
pub const CONFIG_DIR_ENV: &str = "CLOUD_CONNECTOR_CONFIG_DIR";

impl Catalog {
    /// The catalog embedded at build time: validated by the build, parsed on first use, shared.
    pub fn embedded() -> &'static Catalog {
        embedded::embedded()
    }

    /// The embedded catalog with overrides applied on top.
    pub fn embedded_with_overrides(overrides: &Overrides) -> Result<Catalog, Error> {
        embedded::embedded_with_overrides(overrides)
    }

    /// Loads a catalog directory (`<dir>/unit_primitives/*.yml`, ...) through the validator.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Catalog, Error> {
        load::load_dir(dir.as_ref(), &Overrides::new())
    }

    /// Loads a catalog directory with overrides applied to each record before validation.
    pub fn load_dir_with_overrides(
        dir: impl AsRef<Path>,
        overrides: &Overrides,
    ) -> Result<Catalog, Error> {
        load::load_dir(dir.as_ref(), overrides)
    }

    /// `CLOUD_CONNECTOR_CONFIG_DIR` when set (and not empty), else the embedded catalog.
    pub fn from_env() -> Result<Catalog, Error> {
        Catalog::from_env_with_overrides(&Overrides::new())
    }

    /// [`Catalog::from_env`] with `overrides` applied to each record before validation.
    pub fn from_env_with_overrides(overrides: &Overrides) -> Result<Catalog, Error> {
        match std::env::var_os(CONFIG_DIR_ENV).filter(|v| !v.is_empty()) {
            Some(dir) => Catalog::load_dir_with_overrides(dir, overrides),
            None => Catalog::embedded_with_overrides(overrides),
        }
    }

    /// Every problem of a catalog directory (empty when it is valid); for CI checks and the CLI.
    /// A missing directory is reported as the error itself.
    pub fn validate_dir(dir: impl AsRef<Path>) -> Result<Vec<Problem>, Error> {
        match Catalog::load_dir(dir) {
            Ok(_) => Ok(Vec::new()),
            Err(e) if e.code() == crate::error::ErrorCode::CatalogInvalid => {
                Ok(e.problems().to_vec())
            }
            Err(e) => Err(e),
        }
    }
}
