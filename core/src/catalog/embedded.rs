//! The catalog embedded at build time. `build.rs` validated these files with the same loader, so
//! an invalid `config/` never compiles; here they are parsed once, on first use.

use std::sync::OnceLock;

use super::load::load_files;
use super::overrides::Overrides;
use super::source::{from_embedded, SourceFile};
use super::store::{Catalog, CatalogSource};
use crate::error::Error;

include!(concat!(env!("OUT_DIR"), "/embedded_catalog.rs"));

pub(super) fn files() -> Vec<SourceFile> {
    from_embedded(EMBEDDED_FILES)
}

/// The embedded catalog, loaded on first use and shared for the life of the process.
pub(crate) fn embedded() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        match load_files(
            &files(),
            Vec::new(),
            &Overrides::new(),
            CatalogSource::Embedded,
        ) {
            Ok(catalog) => catalog,
            // build.rs ran this exact load over these exact files and refused to build on error.
            Err(e) => {
                unreachable!("embedded catalog failed validation after build.rs accepted it: {e}")
            }
        }
    })
}

/// The embedded catalog with overrides applied (validated like any load).
pub(crate) fn embedded_with_overrides(overrides: &Overrides) -> Result<Catalog, Error> {
    if overrides.is_empty() {
        return Ok(embedded().clone());
    }
    load_files(&files(), Vec::new(), overrides, CatalogSource::Embedded)
}
