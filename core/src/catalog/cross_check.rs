//! Rules across records: unique names and aliases, references that resolve, a service's
//! `basic_unit_primitive` among its own unit primitives, one backend per audience.

use std::collections::HashMap;

use super::kind::RecordKind;
use super::model::{AddOn, BackendService, LicenseType, Service, UnitPrimitive};
use crate::error::{Problem, ProblemKind};

/// Records of every kind plus the file each came from, in load order.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub unit_primitives: Vec<(String, UnitPrimitive)>,
    pub backend_services: Vec<(String, BackendService)>,
    pub add_ons: Vec<(String, AddOn)>,
    pub license_types: Vec<(String, LicenseType)>,
    pub services: Vec<(String, Service)>,
}

pub(crate) fn cross_check(l: &Loaded) -> Vec<Problem> {
    let mut problems = Vec::new();
    let p = |kind: ProblemKind, file: &str, record: &str, field: &str, msg: String| {
        Problem::new(kind, msg)
            .in_file(file)
            .for_record(record)
            .at_field(field)
    };

    unique_names(
        RecordKind::AddOn,
        l.add_ons.iter().map(|(f, r)| (f, &r.name)),
        &mut problems,
    );
    unique_names(
        RecordKind::BackendService,
        l.backend_services.iter().map(|(f, r)| (f, &r.name)),
        &mut problems,
    );
    unique_names(
        RecordKind::LicenseType,
        l.license_types.iter().map(|(f, r)| (f, &r.name)),
        &mut problems,
    );
    unique_names(
        RecordKind::Service,
        l.services.iter().map(|(f, r)| (f, &r.name)),
        &mut problems,
    );

    // Unit primitive names and aliases share one namespace: find_by_name resolves both.
    let mut up_names: HashMap<&str, (&str, bool)> = HashMap::new();
    for (file, up) in &l.unit_primitives {
        if let Some((other, _)) = up_names.insert(&up.name, (&up.name, false)) {
            problems.push(p(
                ProblemKind::DuplicateName,
                file,
                &up.name,
                "name",
                format!(
                    "unit primitive name '{}' is already used by '{other}'",
                    up.name
                ),
            ));
        }
    }
    for (file, up) in &l.unit_primitives {
        for alias in up.aliases() {
            if let Some(&(owner, is_alias)) = up_names.get(alias.as_str()) {
                let what = if is_alias {
                    "an alias of"
                } else {
                    "the name of"
                };
                let owner = if owner == up.name && !is_alias {
                    "this unit primitive itself"
                } else {
                    owner
                };
                problems.push(p(
                    ProblemKind::DuplicateName,
                    file,
                    &up.name,
                    "alias_names",
                    format!("alias '{alias}' is already {what} {owner}"),
                ));
            } else {
                up_names.insert(alias, (&up.name, true));
            }
        }
    }

    let names = |kind: RecordKind| -> Vec<&str> {
        match kind {
            RecordKind::AddOn => l.add_ons.iter().map(|(_, r)| r.name.as_str()).collect(),
            RecordKind::BackendService => l
                .backend_services
                .iter()
                .map(|(_, r)| r.name.as_str())
                .collect(),
            RecordKind::LicenseType => l
                .license_types
                .iter()
                .map(|(_, r)| r.name.as_str())
                .collect(),
            RecordKind::Service => l.services.iter().map(|(_, r)| r.name.as_str()).collect(),
            RecordKind::UnitPrimitive => l
                .unit_primitives
                .iter()
                .map(|(_, r)| r.name.as_str())
                .collect(),
        }
    };
    let (add_ons, backends, licenses) = (
        names(RecordKind::AddOn),
        names(RecordKind::BackendService),
        names(RecordKind::LicenseType),
    );
    for (file, up) in &l.unit_primitives {
        check_refs(
            &mut problems,
            &up_names,
            (file, &up.name, "backend_services"),
            RecordKind::BackendService,
            &backends,
            &up.backend_services,
        );
        check_refs(
            &mut problems,
            &up_names,
            (file, &up.name, "add_ons"),
            RecordKind::AddOn,
            &add_ons,
            &up.add_ons,
        );
        check_refs(
            &mut problems,
            &up_names,
            (file, &up.name, "license_types"),
            RecordKind::LicenseType,
            &licenses,
            &up.license_types,
        );
    }
    let ups = names(RecordKind::UnitPrimitive);
    for (file, service) in &l.services {
        check_refs(
            &mut problems,
            &up_names,
            (file, &service.name, "unit_primitives"),
            RecordKind::UnitPrimitive,
            &ups,
            &service.unit_primitives,
        );
        if let Some(basic) = &service.basic_unit_primitive {
            check_refs(
                &mut problems,
                &up_names,
                (file, &service.name, "basic_unit_primitive"),
                RecordKind::UnitPrimitive,
                &ups,
                std::slice::from_ref(basic),
            );
            if !service.unit_primitives.contains(basic) {
                problems.push(p(
                    ProblemKind::InvalidValue,
                    file,
                    &service.name,
                    "basic_unit_primitive",
                    format!("'{basic}' is not one of this service's unit_primitives"),
                ));
            }
        }
    }

    let mut audiences: HashMap<&str, &str> = HashMap::new();
    for (file, b) in &l.backend_services {
        if let Some(other) = audiences.insert(&b.jwt_aud, &b.name) {
            problems.push(p(
                ProblemKind::DuplicateName,
                file,
                &b.name,
                "jwt_aud",
                format!(
                    "audience '{}' is already the jwt_aud of backend service '{other}'",
                    b.jwt_aud
                ),
            ));
        }
    }
    problems
}

fn check_refs(
    problems: &mut Vec<Problem>,
    up_names: &HashMap<&str, (&str, bool)>,
    (file, record, field): (&str, &str, &str),
    target: RecordKind,
    known: &[&str],
    refs: &[String],
) {
    for r in refs {
        if known.contains(&r.as_str()) {
            continue;
        }
        let hint = match up_names.get(r.as_str()) {
            Some((owner, true)) if target == RecordKind::UnitPrimitive => {
                format!("; '{r}' is an alias of '{owner}' and references use canonical names")
            }
            _ => String::new(),
        };
        problems.push(
            Problem::new(
                ProblemKind::DanglingReference,
                format!(
                    "refers to {} '{r}', which is not in {}/{hint}",
                    target.label(),
                    target.dir()
                ),
            )
            .in_file(file)
            .for_record(record)
            .at_field(field),
        );
    }
}

fn unique_names<'a>(
    kind: RecordKind,
    records: impl Iterator<Item = (&'a String, &'a String)>,
    problems: &mut Vec<Problem>,
) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (file, name) in records {
        if let Some(first) = seen.insert(name, file) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateName,
                    format!("{} '{name}' is also defined in {first}", kind.label()),
                )
                .in_file(file.as_str())
                .for_record(name.as_str())
                .at_field("name"),
            );
        }
    }
}
