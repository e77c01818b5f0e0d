//! `cloud-connector catalog ...`: validate, list, show, legacy, entitlements.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};
use cloud_connector::catalog::{Access, EntitlementRequest, Record, UnitPrimitiveFilter};
use cloud_connector::Catalog;
use serde_json::{json, Value};

use crate::failure::Failure;
use crate::output::{emit, print_json, print_table};
use crate::views::up_json;
use crate::Outcome;

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Check a catalog directory and print every problem with its file, record and field.
    /// Exit status 1 when there is any.
    Validate {
        /// The catalog directory (with unit_primitives/, services/, ...).
        #[arg(default_value = "config")]
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List unit primitives, optionally filtered.
    List {
        /// Owning group, e.g. "group::duo chat".
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        feature_category: Option<String>,
        #[arg(long = "add-on")]
        add_on: Option<String>,
        /// Backend service name, e.g. ai_gateway.
        #[arg(long)]
        backend: Option<String>,
        #[arg(long)]
        license: Option<String>,
        #[arg(long, value_enum)]
        access: Option<AccessArg>,
        /// Case-insensitive text in the name, an alias, description, group or category.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one record: a unit primitive (name or alias), service, backend, add-on or licence.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// The legacy available-services structure (GitLab Rails' access_data.yml) as JSON.
    Legacy {
        #[arg(long)]
        realm: String,
    },
    /// The scopes and audiences a set of active add-ons grants.
    Entitlements {
        /// An active add-on (repeat for several); `code_suggestions` reads as duo_pro.
        #[arg(long = "add-on")]
        add_ons: Vec<String>,
        /// The time to judge free access at (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        license: Option<String>,
        #[arg(long)]
        gitlab_version: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AccessArg {
    Free,
    Paid,
}

pub fn run(cmd: CatalogCommand, config: Option<&Path>) -> Outcome {
    if let CatalogCommand::Validate { dir, json } = &cmd {
        return validate(dir, *json);
    }
    let catalog = match config {
        Some(dir) => Catalog::load_dir(dir)?,
        None => Catalog::embedded().clone(),
    };
    match cmd {
        CatalogCommand::Validate { .. } => unreachable!("handled above"),
        CatalogCommand::List {
            group,
            feature_category,
            add_on,
            backend,
            license,
            access,
            search,
            json,
        } => {
            let filter = UnitPrimitiveFilter {
                group,
                feature_category,
                add_on,
                backend_service: backend,
                license_type: license,
                access: access.map(|a| match a {
                    AccessArg::Free => Access::Free,
                    AccessArg::Paid => Access::Paid,
                }),
                text: search,
                at: None,
            };
            list(&catalog, &filter, json)
        }
        CatalogCommand::Show { name, json } => show(&catalog, &name, json),
        CatalogCommand::Legacy { realm } => {
            let out = catalog.available_services_for(&realm)?;
            print_json(&serde_json::to_value(out).unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Entitlements {
            add_ons,
            at,
            license,
            gitlab_version,
            json,
        } => {
            let at = at.as_deref().map(parse_time).transpose()?;
            let request = EntitlementRequest {
                add_ons,
                at,
                license_type: license,
                gitlab_version,
            };
            let grant = catalog.entitlements(&request)?;
            if json {
                print_json(&serde_json::to_value(&grant).unwrap_or_default());
            } else {
                emit(&format!(
                    "scopes ({}): {}",
                    grant.scopes.len(),
                    grant.scopes.join(" ")
                ));
                emit(&format!(
                    "audiences ({}): {}",
                    grant.audiences.len(),
                    grant.audiences.join(" ")
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Failure::new(
                "invalid_argument",
                format!("--at '{s}' is not an RFC 3339 time: {e}"),
                2,
            )
        })
}

fn validate(dir: &Path, json: bool) -> Outcome {
    let problems = Catalog::validate_dir(dir)?;
    if json {
        let list: Vec<Value> = problems
            .iter()
            .map(|p| json!({"kind": p.kind.as_str(), "file": p.file, "record": p.record, "field": p.field, "message": p.message}))
            .collect();
        print_json(&json!({"valid": problems.is_empty(), "problems": list}));
    } else if problems.is_empty() {
        emit(&format!("{}: the catalog is valid", dir.display()));
    } else {
        for p in &problems {
            emit(&format!("{p}"));
        }
        emit(&format!(
            "{}: {} problem{}",
            dir.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn names<T: Record>(records: Vec<&T>) -> Vec<String> {
    records.into_iter().map(|r| r.name().to_owned()).collect()
}

fn list(catalog: &Catalog, filter: &UnitPrimitiveFilter, json: bool) -> Outcome {
    let now = Utc::now();
    let ups = catalog.filter_unit_primitives(filter);
    if json {
        let rows: Vec<Value> = ups.iter().map(|up| up_json(catalog, up, now)).collect();
        print_json(&Value::Array(rows));
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = ups
        .iter()
        .map(|up| {
            vec![
                up.name.clone(),
                up.group.clone(),
                up.feature_category.clone(),
                Access::of(up, now).as_str().to_owned(),
                names(catalog.add_ons_of(up)).join(","),
                names(catalog.backend_services_of(up)).join(","),
            ]
        })
        .collect();
    print_table(
        &[
            "NAME",
            "GROUP",
            "FEATURE CATEGORY",
            "ACCESS",
            "ADD-ONS",
            "BACKENDS",
        ],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

fn show(catalog: &Catalog, name: &str, json: bool) -> Outcome {
    let now = Utc::now();
    let (kind, value) = if let Some(up) = catalog.unit_primitive(name) {
        ("unit primitive", up_json(catalog, up, now))
    } else if let Some(s) = catalog.service(name) {
        ("service", serde_json::to_value(s).unwrap_or_default())
    } else if let Some(b) = catalog.backend_service(name) {
        let mut v = serde_json::to_value(b).unwrap_or_default();
        v["unit_primitives"] = json!(catalog
            .filter_unit_primitives(&UnitPrimitiveFilter {
                backend_service: Some(b.name.clone()),
                ..Default::default()
            })
            .iter()
            .map(|u| &u.name)
            .collect::<Vec<_>>());
        ("backend service", v)
    } else if let Some(a) = catalog.add_on(name) {
        let mut v = serde_json::to_value(a).unwrap_or_default();
        v["unit_primitives"] = json!(catalog
            .filter_unit_primitives(&UnitPrimitiveFilter {
                add_on: Some(a.name.clone()),
                ..Default::default()
            })
            .iter()
            .map(|u| &u.name)
            .collect::<Vec<_>>());
        ("add-on", v)
    } else if let Some(l) = catalog.license_type(name) {
        ("license type", serde_json::to_value(l).unwrap_or_default())
    } else {
        return Err(Failure::new(
            "not_found",
            format!("no unit primitive, service, backend, add-on or license type named '{name}'"),
            1,
        ));
    };
    if json {
        let mut v = value;
        v["kind"] = json!(kind);
        print_json(&v);
    } else {
        let canonical = value["name"].as_str().unwrap_or(name).to_owned();
        if canonical == name {
            emit(&format!("{kind} {name}"));
        } else {
            emit(&format!("{kind} {canonical} (found by its alias '{name}')"));
        }
        if let Value::Object(fields) = value {
            for (k, v) in fields {
                let text = match v {
                    Value::String(s) => s,
                    Value::Array(items) if items.is_empty() => "(none)".to_owned(),
                    Value::Array(items) => items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| i.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                emit(&format!("  {k}: {text}"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
