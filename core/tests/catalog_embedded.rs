//! The embedded catalog against the catalog facts, and the gem's model rules (RB-DM-01..04).

mod support;

use std::collections::BTreeSet;

use cloud_connector::catalog::RecordKind;
use cloud_connector::Catalog;
use serde_yaml::Value;
use support::*;

fn facts() -> Value {
    serde_yaml::from_str(&read_shared("data/catalog-facts.yaml")).expect("parse facts")
}

fn fact_names(facts: &Value, key: &str) -> BTreeSet<String> {
    facts[key]
        .as_sequence()
        .expect("list")
        .iter()
        .map(|v| {
            v.get("name")
                .and_then(Value::as_str)
                .or(v.as_str())
                .expect("name")
                .to_owned()
        })
        .collect()
}

#[test]
fn every_record_of_the_facts_is_in_the_embedded_catalog() {
    let facts = facts();
    let c = Catalog::embedded();
    let names = |k: RecordKind| -> BTreeSet<String> {
        c.load_all()[k.dir()]
            .as_array()
            .expect("list")
            .iter()
            .map(|r| r["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let mut unit_primitives = fact_names(&facts, "unit_primitives");
    unit_primitives.extend(fact_names(&facts, "new_unit_primitives_2026_12"));
    assert_eq!(names(RecordKind::UnitPrimitive), unit_primitives);
    // The facts name every backend but the package metadata service, whose catalog name is ours.
    let mut backends = fact_names(&facts, "backend_services");
    backends.insert("package_metadata_service".to_owned());
    assert_eq!(names(RecordKind::BackendService), backends);
    assert_eq!(names(RecordKind::AddOn), fact_names(&facts, "add_ons"));
    assert_eq!(
        names(RecordKind::LicenseType),
        fact_names(&facts, "license_types")
    );
    assert_eq!(names(RecordKind::Service), fact_names(&facts, "services"));
    for name in fact_names(&facts, "ai_gateway_referenced_unit_primitives") {
        assert!(c.unit_primitive(&name).is_some(), "{name}");
    }
}

#[test]
fn legacy_final_facts_are_reproduced_field_for_field() {
    let facts = facts();
    let c = Catalog::embedded();
    for up in facts["unit_primitives"].as_sequence().expect("list") {
        if up["in_legacy_final"].as_bool() != Some(true) {
            continue;
        }
        let name = up["name"].as_str().expect("name");
        let ours = c.unit_primitive(name).expect(name);
        let list = |k: &str| -> Vec<String> {
            up[k]
                .as_sequence()
                .map(|l| {
                    l.iter()
                        .map(|x| x.as_str().expect("str").to_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(ours.add_ons, list("add_ons"), "{name}.add_ons");
        assert_eq!(
            ours.backend_services,
            list("backend_services"),
            "{name}.backend_services"
        );
        if up["license_types"].is_sequence() {
            assert_eq!(
                ours.license_types,
                list("license_types"),
                "{name}.license_types"
            );
        }
        // Known values (a string) are copied exactly; unknown ones are ours to infer.
        if let Some(cut_off) = up["cut_off_date"].as_str() {
            assert_eq!(
                ours.cut_off_date.map(|t| t.to_rfc3339()),
                Some(cut_off.to_owned()),
                "{name}"
            );
        }
        for (key, value) in [
            ("min_gitlab_version", &ours.min_gitlab_version),
            (
                "min_gitlab_version_for_free_access",
                &ours.min_gitlab_version_for_free_access,
            ),
        ] {
            if let Some(v) = up[key].as_str() {
                assert_eq!(value.as_ref().map(|v| v.as_str()), Some(v), "{name}.{key}");
            }
        }
    }
}

#[test]
fn all_is_in_file_name_order_and_lookups_take_names_and_aliases() {
    let c = Catalog::embedded();
    let names: Vec<&str> = c
        .unit_primitives()
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(!names.is_empty());
    for up in c.unit_primitives() {
        assert!(std::ptr::eq(
            c.unit_primitive(&up.name).expect("by name"),
            up
        ));
        for alias in up.aliases() {
            assert!(std::ptr::eq(c.unit_primitive(alias).expect("by alias"), up));
            // `all` has no alias duplicates.
            assert!(!names.contains(&alias.as_str()));
        }
    }
    assert!(c.unit_primitive("").is_none() && c.unit_primitive("DUO_CHAT").is_none());
}

#[test]
fn records_built_outside_the_catalog_associate_by_name_with_the_gems_rules() {
    let c = Catalog::embedded();
    let mut up = c.unit_primitive("duo_chat").expect("duo_chat").clone();
    up.add_ons = vec![
        "duo_pro".into(),
        "no_such_add_on".into(),
        "duo_enterprise".into(),
    ];
    up.backend_services = vec![];
    let add_ons: Vec<&str> = c.add_ons_of(&up).iter().map(|a| a.name.as_str()).collect();
    // Target load order, unknown names dropped.
    assert_eq!(add_ons, ["duo_enterprise", "duo_pro"]);
    assert!(c.backend_services_of(&up).is_empty());

    let mut svc = c.service("duo_chat").expect("service").clone();
    svc.unit_primitives = vec![
        "write_tests".into(),
        "analyze_ci_job_failure".into(),
        "ask_build".into(),
    ];
    let ups: Vec<&str> = c
        .unit_primitives_of(&svc)
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    // Aliases are not followed.
    assert_eq!(ups, ["ask_build", "write_tests"]);
}

#[test]
fn load_all_has_the_gems_shape() {
    let all = Catalog::embedded().load_all();
    let obj = all.as_object().expect("object");
    let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "add_ons",
            "backend_services",
            "license_types",
            "services",
            "unit_primitives"
        ])
    );
    let chat = obj["unit_primitives"]
        .as_array()
        .expect("list")
        .iter()
        .find(|u| u["name"] == "duo_chat")
        .expect("duo_chat");
    assert_eq!(
        chat["add_ons"],
        serde_json::json!(["duo_enterprise", "duo_pro"])
    );
    assert_eq!(chat["cut_off_date"], "2024-10-17T00:00:00+00:00");
    assert_eq!(chat["min_gitlab_version"], "16.9");
    // Only the fields the file has: no nulls, no association caches.
    assert!(chat
        .as_object()
        .expect("object")
        .values()
        .all(|v| !v.is_null()));
    assert!(chat.get("alias_names").is_none());
    assert!(chat
        .as_object()
        .expect("object")
        .keys()
        .all(|k| !k.ends_with("_association")));
}

#[test]
fn the_embedded_catalog_is_loaded_once_and_equals_the_config_directory() {
    assert!(std::ptr::eq(Catalog::embedded(), Catalog::embedded()));
    let from_disk = Catalog::load_dir(repo_root().join("config")).expect("config/ loads");
    assert_eq!(from_disk.load_all(), Catalog::embedded().load_all());
}

/// The Duo Workflow Service mints its tokens' scopes from the unit primitives that list it
/// (NOTE dws in the facts); GitLab Rails' package metadata connectors ask for two more.
#[test]
fn the_consumers_find_the_unit_primitives_they_mint_and_request() {
    let c = Catalog::embedded();
    let dws: BTreeSet<&str> = c
        .unit_primitives()
        .iter()
        .filter(|u| {
            u.backend_services
                .iter()
                .any(|b| b == "duo_workflow_service")
        })
        .map(|u| u.name.as_str())
        .collect();
    for name in [
        "duo_agent_platform",
        "duo_chat",
        "include_file_context",
        "duo_workflow_execute_workflow",
    ] {
        assert!(dws.contains(name), "{name} lists duo_workflow_service");
    }
    for name in ["duo_chat", "include_file_context"] {
        let up = c.unit_primitive(name).expect(name);
        assert_eq!(
            up.backend_services[0], "ai_gateway",
            "{name}: legacy reads the first"
        );
    }
    for name in ["package_licenses", "malware_advisories"] {
        let up = c.unit_primitive(name).expect(name);
        assert_eq!(up.backend_services, ["package_metadata_service"], "{name}");
        assert!(c.backend_service("package_metadata_service").is_some());
    }
}
