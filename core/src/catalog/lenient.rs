//! Lenient loading: what the gem's YAML loader accepts, for the Ruby gem's
//! `CLOUD_CONNECTOR_CONFIG_DIR` and `Configuration.override_config`. The gem has no validator: a
//! record loads with missing fields, unknown fields and values of any type. Here the same
//! pipeline as a strict load runs, and what it finds becomes warnings instead of a failure, so
//! that a directory the gem loads also loads here. Only what the gem cannot load either (a file
//! that is not YAML, not a mapping, or has no usable name; an unreadable file) still fails.
//!
//! The typed catalog holds each record's sound fields (a bad field reads as absent, so the core's
//! rules treat it as missing); `records_json` gives each record's fields as written, unknown ones
//! included, for bindings whose models expose them (`record[:field]`, `to_hash`).

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value as Json;
use serde_yaml::{Mapping, Value as Yaml};

use super::embedded;
use super::kind::RecordKind;
use super::load::{build, collect};
use super::overrides::Overrides;
use super::record_check::claimed_name;
use super::source::{read_dir, SourceFile};
use super::store::{Catalog, CatalogSource};
use crate::error::{Error, Problem, ProblemKind};

/// A catalog loaded leniently, with the problems found as warnings.
#[derive(Clone, Debug)]
pub struct LenientCatalog {
    catalog: Catalog,
    /// Each record's mapping (after overrides) as JSON, by kind, in load order.
    raw: Vec<(RecordKind, Json)>,
    warnings: Vec<Problem>,
}

impl LenientCatalog {
    /// The typed catalog: each record with its sound fields (a bad field reads as absent).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Every problem the strict validator would have refused the catalog for.
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The warnings about files of one kind (`<root>/<kind>/<file>.yml`).
    pub fn warnings_of(&self, kind: RecordKind) -> Vec<&Problem> {
        self.warnings
            .iter()
            .filter(|p| problem_kind(p) == Some(kind))
            .collect()
    }

    /// One kind's records with every field as written (unknown fields and `null`s included), in
    /// load order: the same records, in the same order, as the typed catalog's.
    pub fn records_json(&self, kind: RecordKind) -> Json {
        Json::Array(
            self.raw
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, v)| v.clone())
                .collect(),
        )
    }
}

impl Catalog {
    /// Loads a catalog directory as the gem does: see [`LenientCatalog`]. A missing directory is
    /// still `catalog_not_found`.
    pub fn load_dir_lenient(
        dir: impl AsRef<Path>,
        overrides: &Overrides,
    ) -> Result<LenientCatalog, Error> {
        let root = dir.as_ref();
        let (files, problems) = read_dir(root)?;
        lenient(
            &files,
            problems,
            overrides,
            CatalogSource::Directory(root.to_path_buf()),
        )
    }

    /// The embedded catalog with overrides applied leniently.
    pub fn embedded_lenient(overrides: &Overrides) -> Result<LenientCatalog, Error> {
        lenient(
            &embedded::files(),
            Vec::new(),
            overrides,
            CatalogSource::Embedded,
        )
    }
}

fn lenient(
    files: &[SourceFile],
    problems: Vec<Problem>,
    overrides: &Overrides,
    source: CatalogSource,
) -> Result<LenientCatalog, Error> {
    let mut c = collect(files, problems, overrides, true);
    let unbuilt: HashSet<&str> = c.unbuilt.iter().map(String::as_str).collect();
    let fatal: Vec<Problem> = c
        .problems
        .iter()
        .filter(|p| {
            p.kind == ProblemKind::Io || p.file.as_deref().is_some_and(|f| unbuilt.contains(f))
        })
        .cloned()
        .collect();
    if !fatal.is_empty() {
        return Err(Error::catalog_invalid(fatal));
    }
    // Two records of one name (the validator's `duplicate_name`, a warning here): the gem's
    // loader keeps the later, so the earlier goes, from the typed records and the raw ones alike.
    let l = &mut c.loaded;
    keep_later(&mut l.unit_primitives, |r| r.1.name.clone());
    keep_later(&mut l.backend_services, |r| r.1.name.clone());
    keep_later(&mut l.add_ons, |r| r.1.name.clone());
    keep_later(&mut l.license_types, |r| r.1.name.clone());
    keep_later(&mut l.services, |r| r.1.name.clone());
    keep_later(&mut c.mappings, |(kind, m)| {
        (*kind, claimed_name(m).unwrap_or_default().to_owned())
    });
    let raw = c
        .mappings
        .iter()
        .map(|(kind, m)| (*kind, mapping_to_json(m)))
        .collect();
    Ok(LenientCatalog {
        catalog: build(c.loaded, source),
        raw,
        warnings: c.problems,
    })
}

/// Drops every item whose key a later item has, keeping order.
fn keep_later<T, K: Eq + std::hash::Hash>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let mut seen = HashSet::new();
    let mut keep: Vec<bool> = items.iter().rev().map(|i| seen.insert(key(i))).collect();
    keep.reverse();
    let mut flags = keep.into_iter();
    items.retain(|_| flags.next().unwrap_or(true));
}

/// The kind of the file a problem is about: the name of the directory holding it.
fn problem_kind(p: &Problem) -> Option<RecordKind> {
    let file = p.file.as_deref()?;
    let dir = Path::new(file).parent()?.file_name()?.to_str()?;
    RecordKind::from_dir(dir)
}

/// A record mapping as JSON. Keys that are not strings cannot be field names (a warning says so)
/// and are left out; a tagged value is its value.
fn mapping_to_json(m: &Mapping) -> Json {
    Json::Object(
        m.iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), yaml_to_json(v))))
            .collect(),
    )
}

fn yaml_to_json(v: &Yaml) -> Json {
    match v {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Json::Null, Json::Number)
            }
        }
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(m) => mapping_to_json(m),
        Yaml::Tagged(t) => yaml_to_json(&t.value),
    }
}
