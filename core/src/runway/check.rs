//! The block against a catalog: the backend exists or is declared here, its `jwt_aud` is no
//! other backend's, and each unit primitive exists and lists the backend (or will, once the
//! records `render` writes for a declared backend are added); a JWKS file reads as a key set.

use super::{Issuer, Manifest};
use crate::auth::StaticJwksProvider;
use crate::catalog::Catalog;
use crate::error::{Problem, ProblemKind};

const AT: &str = "spec.cloud_connector";

fn problem(kind: ProblemKind, field: &str, message: String) -> Problem {
    Problem::new(kind, message).at_field(format!("{AT}.{field}"))
}

/// Every problem of the manifest's block against `catalog`, each with its place.
pub fn check(manifest: &Manifest, catalog: &Catalog) -> Vec<Problem> {
    let cc = &manifest.cloud_connector;
    let b = &cc.backend;
    let mut out = Vec::new();
    let known = catalog.backend_service(&b.name);
    match known {
        Some(record) if record.jwt_aud != b.jwt_aud => out.push(problem(
            ProblemKind::InvalidValue,
            "backend.jwt_aud",
            format!(
                "'{}' differs from the catalog's jwt_aud '{}' for backend '{}'",
                b.jwt_aud, record.jwt_aud, b.name
            ),
        )),
        Some(_) => {}
        None if b.description.is_none() => out.push(problem(
            ProblemKind::DanglingReference,
            "backend.name",
            format!(
                "no backend service '{}' in the catalog; declare it here with a description",
                b.name
            ),
        )),
        None => {}
    }
    if let Some(other) = catalog
        .backend_services()
        .iter()
        .find(|o| o.jwt_aud == b.jwt_aud && o.name != b.name)
    {
        out.push(problem(
            ProblemKind::DuplicateName,
            "backend.jwt_aud",
            format!(
                "'{}' is already the jwt_aud of backend '{}'",
                b.jwt_aud, other.name
            ),
        ));
    }
    for (i, name) in cc.unit_primitives.iter().enumerate() {
        let field = format!("unit_primitives[{i}]");
        match catalog.unit_primitive(name) {
            None => out.push(problem(
                ProblemKind::DanglingReference,
                &field,
                format!("no unit primitive '{name}' in the catalog"),
            )),
            Some(up) if up.name != *name => out.push(problem(
                ProblemKind::InvalidValue,
                &field,
                format!(
                    "'{name}' is an alias; name the unit primitive '{}'",
                    up.name
                ),
            )),
            // A backend declared here is added to its unit primitives by the rendered records.
            Some(up) if known.is_some() && !up.backend_services.contains(&b.name) => {
                out.push(problem(
                    ProblemKind::InvalidValue,
                    &field,
                    format!(
                        "unit primitive '{name}' does not list backend '{}' (its backends: {})",
                        b.name,
                        up.backend_services.join(", ")
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    for (i, issuer) in cc.issuers.iter().enumerate() {
        if let Issuer::JwksFile { written, path } = issuer {
            if let Err(e) = StaticJwksProvider::from_file(written.clone(), path) {
                let field = format!("issuers[{i}].jwks_file");
                out.push(problem(
                    ProblemKind::InvalidValue,
                    &field,
                    e.message().to_owned(),
                ));
            }
        }
    }
    let file = manifest.file.clone();
    out.into_iter().map(|p| p.in_file(file.clone())).collect()
}
