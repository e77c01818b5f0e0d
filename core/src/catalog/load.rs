//! The one loading pipeline, for the embedded catalog and for directories alike:
//! files -> mappings -> overrides merged -> fields checked -> cross-record rules -> `Catalog`.
//! Strict loads (the default): either every record loads or the caller gets every problem;
//! nothing is half-loaded. Lenient loads (`lenient.rs`) take the same problems as warnings.

use std::path::Path;

use serde_yaml::Mapping;

use super::cross_check::{cross_check, Loaded};
use super::kind::RecordKind;
use super::overrides::Overrides;
use super::record_check::{check_record, claimed_name, parse_mapping, AnyRecord};
use super::source::{read_dir, SourceFile};
use super::store::{Catalog, CatalogSource};
use crate::error::{Error, Problem};

/// What one pass over the files found: the records that could be built (with the file each came
/// from and its mapping after overrides), and every problem.
pub(crate) struct Collected {
    pub loaded: Loaded,
    /// Per built record, in the order records were pushed to `loaded`: kind and mapping.
    pub mappings: Vec<(RecordKind, Mapping)>,
    pub problems: Vec<Problem>,
    /// Files that could not give a record at all (unparsable, not a mapping, no usable name).
    pub unbuilt: Vec<String>,
}

/// Checks and builds every file's record. `lenient`: see [`check_record`].
pub(crate) fn collect(
    files: &[SourceFile],
    problems: Vec<Problem>,
    overrides: &Overrides,
    lenient: bool,
) -> Collected {
    let mut c = Collected {
        loaded: Loaded::default(),
        mappings: Vec::new(),
        problems,
        unbuilt: Vec::new(),
    };
    for file in files {
        let mut mapping = match parse_mapping(file) {
            Ok(m) => m,
            Err(p) => {
                c.problems.push(p);
                c.unbuilt.push(file.display.clone());
                continue;
            }
        };
        let touched = match claimed_name(&mapping).map(str::to_owned) {
            Some(name) if !overrides.is_empty() => overrides.apply(file.kind, &name, &mut mapping),
            _ => Default::default(),
        };
        let (record, record_problems) = check_record(file, &mapping, &touched, lenient);
        c.problems.extend(record_problems);
        let at = file.display.clone();
        let l = &mut c.loaded;
        match record {
            Some(AnyRecord::UnitPrimitive(r)) => l.unit_primitives.push((at, *r)),
            Some(AnyRecord::BackendService(r)) => l.backend_services.push((at, r)),
            Some(AnyRecord::AddOn(r)) => l.add_ons.push((at, r)),
            Some(AnyRecord::LicenseType(r)) => l.license_types.push((at, r)),
            Some(AnyRecord::Service(r)) => l.services.push((at, r)),
            None => {
                c.unbuilt.push(at);
                continue;
            }
        }
        c.mappings.push((file.kind, mapping));
    }
    c.problems.extend(cross_check(&c.loaded));
    c
}

/// Builds the catalog from collected records (whatever problems they had).
pub(crate) fn build(loaded: Loaded, source: CatalogSource) -> Catalog {
    Catalog::from_records(
        strip(loaded.unit_primitives),
        strip(loaded.backend_services),
        strip(loaded.add_ons),
        strip(loaded.license_types),
        strip(loaded.services),
        source,
    )
}

/// Loads files that are already read. `problems` are those found while reading them.
pub(crate) fn load_files(
    files: &[SourceFile],
    problems: Vec<Problem>,
    overrides: &Overrides,
    source: CatalogSource,
) -> Result<Catalog, Error> {
    let c = collect(files, problems, overrides, false);
    if !c.problems.is_empty() {
        return Err(Error::catalog_invalid(c.problems));
    }
    Ok(build(c.loaded, source))
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
