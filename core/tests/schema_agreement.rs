//! `config/schemas/*.json` and the core's validator enforce the same rules: the field table
//! matches each schema's properties and required list, every catalog file passes its schema, and
//! records that break a per-record rule are refused by both.

mod support;

use std::collections::BTreeSet;

use cloud_connector::catalog::fields::fields_of;
use cloud_connector::catalog::RecordKind;
use cloud_connector::{Catalog, ProblemKind};
use serde_json::Value;
use support::*;

fn schema(kind: RecordKind) -> Value {
    let path = repo_root()
        .join("config/schemas")
        .join(format!("{}.json", kind.dir()));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read schema"))
        .expect("schema is JSON")
}

fn validator(kind: RecordKind) -> jsonschema::Validator {
    jsonschema::validator_for(&schema(kind)).expect("schema compiles")
}

fn yaml_to_json(text: &str) -> Value {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).expect("yaml");
    serde_json::to_value(yaml).expect("json")
}

#[test]
fn field_table_and_schemas_list_the_same_fields() {
    for kind in RecordKind::ALL {
        let s = schema(kind);
        let props: BTreeSet<&str> = s["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        let table: BTreeSet<&str> = fields_of(kind).iter().map(|f| f.name).collect();
        assert_eq!(props, table, "{kind}: properties");
        let required: BTreeSet<&str> = s["required"]
            .as_array()
            .expect("required")
            .iter()
            .map(|v| v.as_str().expect("str"))
            .collect();
        let table_required: BTreeSet<&str> = fields_of(kind)
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        assert_eq!(required, table_required, "{kind}: required");
        assert_eq!(s["additionalProperties"], Value::Bool(false), "{kind}");
    }
}

#[test]
fn every_catalog_file_passes_its_schema() {
    let mut count = 0;
    for kind in RecordKind::ALL {
        let v = validator(kind);
        for entry in std::fs::read_dir(repo_root().join("config").join(kind.dir())).expect("dir") {
            let path = entry.expect("entry").path();
            let json = yaml_to_json(&std::fs::read_to_string(&path).expect("read"));
            let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            count += 1;
        }
    }
    assert!(count > 60);
}

const GOOD_UP: &str = "name: duo_chat\ndescription: Chat.\ngroup: group::duo chat\nfeature_category: duo_chat\n\
                       cut_off_date: 2024-10-17T00:00:00+00:00\nmin_gitlab_version: '16.9'\n\
                       backend_services: [ai_gateway]\nadd_ons: [duo_pro]\nlicense_types: [premium]\n";

#[test]
fn records_breaking_a_rule_are_refused_by_both() {
    let v = validator(RecordKind::UnitPrimitive);
    assert!(v.is_valid(&yaml_to_json(GOOD_UP)));
    let bad = [
        ("min_gitlab_version: '16.9'", "min_gitlab_version: 16.10"),
        (
            "min_gitlab_version: '16.9'",
            "min_gitlab_version: 'sixteen'",
        ),
        (
            "cut_off_date: 2024-10-17T00:00:00+00:00",
            "cut_off_date: 2024-10-17",
        ),
        (
            "cut_off_date: 2024-10-17T00:00:00+00:00",
            "cut_off_date: 2024-10-17 00:00:00",
        ),
        ("feature_category: duo_chat", "feature_category: Duo-Chat"),
        ("description: Chat.", "description: ''"),
        ("description: Chat.", "description: null"),
        ("backend_services: [ai_gateway]", "backend_services: []"),
        ("add_ons: [duo_pro]", "add_ons: [duo_pro, duo_pro]"),
        ("add_ons: [duo_pro]", "add_ons: duo_pro"),
        (
            "license_types: [premium]",
            "license_types: [premium]\ncolour: blue",
        ),
        ("group: group::duo chat\n", ""),
        (
            "add_ons: [duo_pro]",
            "add_ons: [duo_pro]\ndocumentation_url: ftp://x",
        ),
    ];
    for (from, to) in bad {
        let text = GOOD_UP.replace(from, to);
        assert_ne!(text, GOOD_UP);
        assert!(!v.is_valid(&yaml_to_json(&text)), "schema accepts: {to}");
        let problems = problems_of(Catalog::load_dir(
            base_with(&[("unit_primitives/duo_chat.yml", &text)]).path(),
        ));
        assert!(
            problems
                .iter()
                .any(|p| p.kind != ProblemKind::DanglingReference),
            "validator accepts: {to}: {problems:?}"
        );
    }
}

#[test]
fn service_realms_agree() {
    let v = validator(RecordKind::Service);
    let base = "name: chat\ndescription: x\nunit_primitives: [duo_chat]\n";
    assert!(v.is_valid(&yaml_to_json(&format!(
        "{base}gitlab_realm: [gitlab-com, self-managed]\n"
    ))));
    Catalog::load_dir(
        base_with(&[(
            "services/chat.yml",
            &format!("{base}gitlab_realm: [gitlab-com]\n"),
        )])
        .path(),
    )
    .expect("valid");
    for bad in [
        "gitlab_realm: []",
        "gitlab_realm: [saas]",
        "gitlab_realm: gitlab-com",
        "unit_primitives: []",
    ] {
        let text = if bad.starts_with("unit_primitives") {
            base.replace("unit_primitives: [duo_chat]", bad)
        } else {
            format!("{base}{bad}\n")
        };
        assert!(!v.is_valid(&yaml_to_json(&text)), "schema accepts {bad}");
        assert!(
            Catalog::load_dir(base_with(&[("services/chat.yml", &text)]).path()).is_err(),
            "validator accepts {bad}"
        );
    }
}
