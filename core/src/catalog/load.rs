//! The one loading pipeline, for the embedded catalog and for directories alike:
//! files -> mappings -> overrides merged -> fields checked -> cross-record rules -> `Catalog`.
//! Either every record loads or the caller gets every problem; nothing is half-loaded.

use std::path::Path;

use super::cross_check::{cross_check, Loaded};
use super::overrides::Overrides;
use super::record_check::{check_record, claimed_name, parse_mapping, AnyRecord};
use super::source::{read_dir, SourceFile};
use super::store::{Catalog, CatalogSource};
use crate::error::{Error, Problem};

/// Loads files that are already read. `problems` are those found while reading them.
pub(crate) fn load_files(
    files: &[SourceFile],
    mut problems: Vec<Problem>,
    overrides: &Overrides,
    source: CatalogSource,
) -> Result<Catalog, Error> {
    let mut loaded = Loaded::default();
    for file in files {
        let mut mapping = match parse_mapping(file) {
            Ok(m) => m,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let touched = match claimed_name(&mapping).map(str::to_owned) {
            Some(name) if !overrides.is_empty() => overrides.apply(file.kind, &name, &mut mapping),
            _ => Default::default(),
        };
        let (record, record_problems) = check_record(file, &mapping, &touched);
        problems.extend(record_problems);
        let at = file.display.clone();
        match record {
            Some(AnyRecord::UnitPrimitive(r)) => loaded.unit_primitives.push((at, *r)),
            Some(AnyRecord::BackendService(r)) => loaded.backend_services.push((at, r)),
            Some(AnyRecord::AddOn(r)) => loaded.add_ons.push((at, r)),
            Some(AnyRecord::LicenseType(r)) => loaded.license_types.push((at, r)),
            Some(AnyRecord::Service(r)) => loaded.services.push((at, r)),
            None => {}
        }
    }
    problems.extend(cross_check(&loaded));
    if !problems.is_empty() {
        return Err(Error::catalog_invalid(problems));
    }
    Ok(Catalog::from_records(
        strip(loaded.unit_primitives),
        strip(loaded.backend_services),
        strip(loaded.add_ons),
        strip(loaded.license_types),
        strip(loaded.services),
        source,
    ))
}

/// Reads and loads a catalog directory.
pub(crate) fn load_dir(root: &Path, overrides: &Overrides) -> Result<Catalog, Error> {
    let (files, problems) = read_dir(root)?;
    load_files(
        &files,
        problems,
        overrides,
        CatalogSource::Directory(root.to_path_buf()),
    )
}

fn strip<T>(records: Vec<(String, T)>) -> Vec<T> {
    records.into_iter().map(|(_, r)| r).collect()
}
