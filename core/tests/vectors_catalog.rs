//! Iterates `tests/vectors/catalog.json`, the catalog cases every language's suite runs.

mod support;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use cloud_connector::catalog::{EntitlementRequest, Record, RecordKind};
use cloud_connector::{Catalog, Error};
use serde_json::{json, Value};
use support::*;

fn vectors() -> Value {
    let path = repo_root().join("tests/vectors/catalog.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read catalog.json"))
        .expect("parse catalog.json")
}

struct Catalogs {
    specs: Value,
    loaded: HashMap<String, (Option<tempfile::TempDir>, Result<Catalog, Error>)>,
}

impl Catalogs {
    fn get(&mut self, name: &Value) -> &Result<Catalog, Error> {
        let key = name
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| "<missing>".into());
        let specs = &self.specs;
        &self
            .loaded
            .entry(key.clone())
            .or_insert_with(|| match key.as_str() {
                "embedded" => (None, Ok(Catalog::embedded().clone())),
                "<missing>" => {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let missing = dir.path().join("missing");
                    (Some(dir), Catalog::load_dir(missing))
                }
                name => {
                    let files = specs[name]["files"]
                        .as_object()
                        .unwrap_or_else(|| panic!("catalog {name}"));
                    let list: Vec<(&str, &str)> = files
                        .iter()
                        .map(|(p, t)| (p.as_str(), t.as_str().expect("text")))
                        .collect();
                    let dir = write_catalog(&list);
                    let loaded = Catalog::load_dir(dir.path());
                    (Some(dir), loaded)
                }
            })
            .1
    }
}

fn kind(case: &Value) -> RecordKind {
    RecordKind::from_dir(case["kind"].as_str().expect("kind")).expect("known kind")
}

fn names<T: Record>(records: &[T]) -> Value {
    json!(records.iter().map(|r| r.name()).collect::<Vec<_>>())
}

fn lookup(c: &Catalog, kind: RecordKind, name: &str) -> Option<String> {
    match kind {
        RecordKind::UnitPrimitive => c.unit_primitive(name).map(|r| r.name.clone()),
        RecordKind::BackendService => c.backend_service(name).map(|r| r.name.clone()),
        RecordKind::AddOn => c.add_on(name).map(|r| r.name.clone()),
        RecordKind::LicenseType => c.license_type(name).map(|r| r.name.clone()),
        RecordKind::Service => c.service(name).map(|r| r.name.clone()),
    }
}

fn request(v: &Value) -> EntitlementRequest {
    let add_ons: Vec<String> = v["add_ons"]
        .as_array()
        .expect("add_ons")
        .iter()
        .map(|a| a.as_str().expect("str").to_owned())
        .collect();
    let at: DateTime<Utc> = v["at"].as_str().expect("at").parse().expect("at parses");
    let mut r = EntitlementRequest::with_add_ons(add_ons).at(at);
    r.license_type = v["license_type"].as_str().map(str::to_owned);
    r.gitlab_version = v["gitlab_version"].as_str().map(str::to_owned);
    r
}

fn run(case: &Value, catalogs: &mut Catalogs) -> Result<Value, Error> {
    let op = case["op"].as_str().expect("op");
    if op == "load" {
        return catalogs
            .get(&case["catalog"])
            .clone()
            .map(|_| json!("loaded"));
    }
    let c = match catalogs.get(&case["catalog"]) {
        Ok(c) => c.clone(),
        Err(e) => panic!("{}: catalog must load: {e}", case["id"]),
    };
    Ok(match op {
        "lookup" => json!(lookup(&c, kind(case), case["name"].as_str().expect("name"))),
        "all_names" => match kind(case) {
            RecordKind::UnitPrimitive => names(c.unit_primitives()),
            RecordKind::BackendService => names(c.backend_services()),
            RecordKind::AddOn => names(c.add_ons()),
            RecordKind::LicenseType => names(c.license_types()),
            RecordKind::Service => names(c.services()),
        },
        "associations" => {
            let name = case["name"].as_str().expect("name");
            match (
                kind(case),
                case["association"].as_str().expect("association"),
            ) {
                (RecordKind::UnitPrimitive, assoc) => {
                    let up = c.unit_primitive(name).expect("unit primitive");
                    match assoc {
                        "backend_services" => json!(c
                            .backend_services_of(up)
                            .iter()
                            .map(|r| &r.name)
                            .collect::<Vec<_>>()),
                        "add_ons" => {
                            json!(c.add_ons_of(up).iter().map(|r| &r.name).collect::<Vec<_>>())
                        }
                        "license_types" => json!(c
                            .license_types_of(up)
                            .iter()
                            .map(|r| &r.name)
                            .collect::<Vec<_>>()),
                        other => panic!("association {other}"),
                    }
                }
                (RecordKind::Service, "unit_primitives") => {
                    let svc = c.service(name).expect("service");
                    json!(c
                        .unit_primitives_of(svc)
                        .iter()
                        .map(|r| &r.name)
                        .collect::<Vec<_>>())
                }
                other => panic!("association {other:?}"),
            }
        }
        "entitlements" | "entitlements_includes" => {
            serde_json::to_value(c.entitlements(&request(&case["request"]))?).expect("json")
        }
        "legacy" => {
            serde_json::to_value(c.available_services_for(case["realm"].as_str().expect("realm"))?)
                .expect("json")
        }
        other => panic!("unknown op {other}"),
    })
}

fn check_error(id: &str, want: &Value, err: &Error) {
    assert_eq!(err.code().as_str(), want["code"], "{id}: {err}");
    if let Some(message) = want.get("message") {
        assert_eq!(err.message(), message, "{id}");
    }
    if let Some(problems) = want.get("problems").and_then(Value::as_array) {
        assert_eq!(
            err.problems().len(),
            problems.len(),
            "{id}: {:#?}",
            err.problems()
        );
        for p in problems {
            let found = err.problems().iter().any(|got| {
                got.kind.as_str() == p["kind"]
                    && got
                        .file
                        .as_deref()
                        .is_some_and(|f| f.ends_with(p["file"].as_str().expect("file")))
                    && got.record.as_deref() == p["record"].as_str()
                    && got.field.as_deref() == p["field"].as_str()
            });
            assert!(found, "{id}: no problem like {p} in {:#?}", err.problems());
        }
    }
}

fn includes(id: &str, want: &Value, got: &Value) {
    let has = |list: &Value, item: &Value| list.as_array().expect("list").contains(item);
    for s in want["scopes"].as_array().expect("scopes") {
        assert!(has(&got["scopes"], s), "{id}: scopes lack {s}: {got}");
    }
    for s in want["not_scopes"].as_array().expect("not_scopes") {
        assert!(!has(&got["scopes"], s), "{id}: scopes have {s}: {got}");
    }
    for a in want["audiences"].as_array().expect("audiences") {
        assert!(has(&got["audiences"], a), "{id}: audiences lack {a}: {got}");
    }
}

#[test]
fn every_catalog_vector_gives_its_expected_result() {
    let v = vectors();
    assert_eq!(v["format"], 1);
    let mut catalogs = Catalogs {
        specs: v["catalogs"].clone(),
        loaded: HashMap::new(),
    };
    let cases = v["cases"].as_array().expect("cases");
    assert!(cases.len() > 50);
    for case in cases {
        let id = case["id"].as_str().expect("id");
        match (run(case, &mut catalogs), case.get("expect_error")) {
            (Err(e), Some(want)) => check_error(id, want, &e),
            (Err(e), None) => panic!("{id}: unexpected error {e}"),
            (Ok(got), Some(want)) => panic!("{id}: expected error {want}, got {got}"),
            (Ok(got), None) if case["op"] == "entitlements_includes" => {
                includes(id, &case["expect"], &got)
            }
            (Ok(got), None) => assert_eq!(got, case["expect"], "{id}"),
        }
    }
}
