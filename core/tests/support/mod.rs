//! Helpers shared by the catalog tests: temporary catalog directories built from file lists.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use cloud_connector::{Error, ErrorCode, Problem, ProblemKind};
use tempfile::TempDir;

/// A minimal valid catalog: one of each kind, all references resolving.
pub const BASE: &[(&str, &str)] = &[
    ("add_ons/duo_pro.yml", "name: duo_pro\ndescription: Duo Pro.\n"),
    ("backend_services/ai_gateway.yml", "name: ai_gateway\ndescription: AI gateway.\njwt_aud: gitlab-ai-gateway\n"),
    ("license_types/premium.yml", "name: premium\ndescription: Premium.\n"),
    (
        "unit_primitives/duo_chat.yml",
        "---\nname: duo_chat\ndescription: Chat.\ngroup: group::duo chat\nfeature_category: duo_chat\n\
         cut_off_date: 2024-10-17T00:00:00+00:00\nmin_gitlab_version: '16.9'\n\
         backend_services: [ai_gateway]\nadd_ons: [duo_pro]\nlicense_types: [premium]\n",
    ),
    ("services/chat.yml", "name: chat\ndescription: Chat service.\nunit_primitives: [duo_chat]\n"),
];

/// Writes `files` (path relative to the root => contents) into a new temporary directory.
pub fn write_catalog(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_into(dir.path(), files);
    dir
}

pub fn write_into(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
}

/// The base catalog with some files replaced or added (same relative path replaces).
pub fn base_with(changes: &[(&str, &str)]) -> TempDir {
    let mut files: Vec<(&str, &str)> = BASE
        .iter()
        .filter(|(p, _)| !changes.iter().any(|(c, _)| c == p))
        .copied()
        .collect();
    files.extend_from_slice(changes);
    write_catalog(&files)
}

/// The base catalog without the listed files.
pub fn base_without(removed: &[&str]) -> TempDir {
    let files: Vec<(&str, &str)> = BASE
        .iter()
        .filter(|(p, _)| !removed.contains(p))
        .copied()
        .collect();
    write_catalog(&files)
}

/// Asserts the error is `catalog_invalid` and returns its problems.
pub fn problems_of(result: Result<cloud_connector::Catalog, Error>) -> Vec<Problem> {
    match result {
        Ok(c) => panic!("expected catalog_invalid, got a catalog: {c:?}"),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::CatalogInvalid, "{e}");
            assert!(!e.problems().is_empty());
            e.problems().to_vec()
        }
    }
}

/// Finds the one problem of `kind`, asserting where it is.
pub fn expect_problem<'a>(
    problems: &'a [Problem],
    kind: ProblemKind,
    file_suffix: &str,
    record: Option<&str>,
    field: Option<&str>,
) -> &'a Problem {
    let found: Vec<&Problem> = problems.iter().filter(|p| p.kind == kind).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {kind} problem in {problems:#?}"
    );
    let p = found[0];
    let file = p.file.as_deref().unwrap_or("");
    assert!(
        file.ends_with(file_suffix),
        "file {file} should end with {file_suffix}: {p:?}"
    );
    assert_eq!(p.record.as_deref(), record, "{p:?}");
    assert_eq!(p.field.as_deref(), field, "{p:?}");
    p
}

/// The repository root (the workspace).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `../shared` beside the repository (CI and developers have it there), or
/// `CLOUD_CONNECTOR_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("CLOUD_CONNECTOR_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("..").join("shared"))
}

/// Reads a file of `../shared` with a message that says where it looked and how to point
/// elsewhere.
pub fn read_shared(rel: &str) -> String {
    let path = shared_dir().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): these tests need the project's shared/ directory beside the \
             repository, or CLOUD_CONNECTOR_SHARED_DIR pointing at it",
            path.display()
        )
    })
}
