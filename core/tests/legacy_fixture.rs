//! RB-GEN-01: `available_services("gitlab-com")` against the legacy conformance fixture in
//! `../shared/data/catalog-facts.yaml` (`legacy_generator_output`).
//!
//! Two catalogs are checked:
//! 1. the fixture's own inputs (legacy-final unit primitives, the services, the two
//!    `input_assumptions`), written out as a catalog directory: the output must be exactly the 26
//!    frozen entries plus the 19 stand-alone entries the current generator adds;
//! 2. our embedded catalog: the 26 frozen entries must come out exactly. Intended differences,
//!    asserted below: (a) stand-alone entries for the unit primitives added after the freeze,
//!    (b) values for fields the fixture marks unknown (our inferred values, see config/ comments).

mod support;

use std::collections::BTreeSet;

use cloud_connector::catalog::LegacyRealm;
use cloud_connector::Catalog;
use serde_json::Value as Json;
use serde_yaml::Value;
use support::*;

fn facts() -> Value {
    serde_yaml::from_str(&read_shared("data/catalog-facts.yaml")).expect("facts parse")
}

fn seq<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_sequence)
        .unwrap_or_else(|| panic!("facts: {key} is a list"))
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn names(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_sequence)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn yaml_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// Writes the fixture's inputs as a catalog directory, with the fields our format requires
/// (description, group, feature_category) filled with placeholders the generator never reads.
fn fixture_catalog(facts: &Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files: Vec<(String, String)> = Vec::new();
    for b in seq(facts, "backend_services") {
        let name = s(b, "name").expect("name");
        let aud = s(b, "jwt_aud").expect("jwt_aud");
        files.push((
            format!("backend_services/{name}.yml"),
            format!("name: {name}\ndescription: x\njwt_aud: {aud}\n"),
        ));
    }
    for a in seq(facts, "add_ons") {
        let name = s(a, "name").expect("name");
        files.push((
            format!("add_ons/{name}.yml"),
            format!("name: {name}\ndescription: x\n"),
        ));
    }
    for l in seq(facts, "license_types") {
        let name = s(l, "name").expect("name");
        files.push((
            format!("license_types/{name}.yml"),
            format!("name: {name}\ndescription: x\n"),
        ));
    }
    for svc in seq(facts, "services") {
        let name = s(svc, "name").expect("name");
        let mut text = format!(
            "name: {name}\ndescription: x\nunit_primitives: {}\n",
            yaml_list(&names(svc, "unit_primitives"))
        );
        if let Some(basic) = s(svc, "basic_unit_primitive") {
            text.push_str(&format!("basic_unit_primitive: {basic}\n"));
        }
        let realms = names(svc, "gitlab_realm");
        if !realms.is_empty() {
            text.push_str(&format!("gitlab_realm: {}\n", yaml_list(&realms)));
        }
        files.push((format!("services/{name}.yml"), text));
    }
    let assumptions =
        facts["legacy_generator_output"]["input_assumptions"]["unit_primitive_fields"].clone();
    for up in seq(facts, "unit_primitives") {
        if up.get("in_legacy_final").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let name = s(up, "name").expect("name");
        let field = |key: &str| {
            s(&assumptions[name], key)
                .or_else(|| s(up, key))
                .map(str::to_owned)
        };
        let mut text = format!(
            "name: {name}\ndescription: x\ngroup: x\nfeature_category: x\nbackend_services: {}\nadd_ons: {}\nlicense_types: {}\n",
            yaml_list(&names(up, "backend_services")),
            yaml_list(&names(up, "add_ons")),
            yaml_list(&names(up, "license_types")),
        );
        if let Some(cut_off) = field("cut_off_date") {
            text.push_str(&format!("cut_off_date: {cut_off}\n"));
        }
        for key in ["min_gitlab_version", "min_gitlab_version_for_free_access"] {
            if let Some(v) = field(key) {
                text.push_str(&format!("{key}: '{v}'\n"));
            }
        }
        files.push((format!("unit_primitives/{name}.yml"), text));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_into(dir.path(), &refs);
    dir
}

fn expected_entries(facts: &Value) -> serde_json::Map<String, Json> {
    let expected = &facts["legacy_generator_output"]["expected"]["services"];
    match serde_json::to_value(expected).expect("to json") {
        Json::Object(m) => m,
        other => panic!("expected.services is a mapping, got {other}"),
    }
}

fn additional_entries(facts: &Value) -> serde_json::Map<String, Json> {
    let extra = &facts["legacy_generator_output"]["additional_entries_from_current_generator"];
    match serde_json::to_value(extra).expect("to json") {
        Json::Object(m) => m,
        other => panic!("additional entries are a mapping, got {other}"),
    }
}

/// Keys whose expected value is `null` depend on fields the fixture marks unknown: not asserted.
fn assert_known_keys_match(name: &str, expected: &Json, actual: &Json) {
    let (Json::Object(expected), Json::Object(actual)) = (expected, actual) else {
        panic!("{name}: entries are mappings");
    };
    for (key, value) in expected {
        if value.is_null() {
            continue;
        }
        assert_eq!(actual.get(key), Some(value), "{name}.{key}");
    }
    for key in actual.keys() {
        assert!(expected.contains_key(key), "{name}: unexpected key {key}");
    }
}

fn generate(catalog: &Catalog) -> serde_json::Map<String, Json> {
    let out =
        serde_json::to_value(catalog.available_services(LegacyRealm::GitlabCom)).expect("json");
    match &out["services"] {
        Json::Object(m) => m.clone(),
        other => panic!("services is a mapping, got {other}"),
    }
}

#[test]
fn fixture_inputs_reproduce_the_frozen_output_plus_the_current_stand_alone_entries() {
    let facts = facts();
    let dir = fixture_catalog(&facts);
    let catalog =
        Catalog::load_dir(dir.path()).unwrap_or_else(|e| panic!("fixture catalog loads: {e}"));
    let actual = generate(&catalog);
    let expected = expected_entries(&facts);
    let additional = additional_entries(&facts);
    assert_eq!(expected.len(), 26);
    assert_eq!(additional.len(), 19);

    for (name, entry) in &expected {
        assert_eq!(actual.get(name), Some(entry), "frozen entry {name}");
    }
    for (name, entry) in &additional {
        let got = actual
            .get(name)
            .unwrap_or_else(|| panic!("stand-alone entry {name} missing"));
        assert_known_keys_match(name, entry, got);
    }
    let want: BTreeSet<&String> = expected.keys().chain(additional.keys()).collect();
    let got: BTreeSet<&String> = actual.keys().collect();
    assert_eq!(got, want);
}

#[test]
fn the_embedded_catalog_reproduces_every_frozen_entry() {
    let facts = facts();
    let actual = generate(Catalog::embedded());
    for (name, entry) in expected_entries(&facts) {
        assert_eq!(actual.get(&name), Some(&entry), "frozen entry {name}");
    }
    for (name, entry) in additional_entries(&facts) {
        let got = actual
            .get(&name)
            .unwrap_or_else(|| panic!("stand-alone entry {name} missing"));
        assert_known_keys_match(&name, &entry, got);
    }
}

#[test]
fn the_embedded_catalogs_only_extra_entries_are_the_unit_primitives_added_after_the_freeze() {
    let facts = facts();
    let actual = generate(Catalog::embedded());
    let mut known: BTreeSet<String> = expected_entries(&facts).keys().cloned().collect();
    known.extend(additional_entries(&facts).keys().cloned());
    let mut later: BTreeSet<String> = seq(&facts, "unit_primitives")
        .iter()
        .filter(|u| u.get("in_legacy_final").and_then(Value::as_bool) == Some(false))
        .filter_map(|u| s(u, "name").map(str::to_owned))
        .collect();
    later.extend(
        seq(&facts, "new_unit_primitives_2026_12")
            .iter()
            .filter_map(|u| s(u, "name").map(str::to_owned)),
    );
    let service_names: BTreeSet<String> = Catalog::embedded()
        .services()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let extra: BTreeSet<String> = actual
        .keys()
        .filter(|k| !known.contains(*k))
        .cloned()
        .collect();
    // (a) one stand-alone entry per later unit primitive, except those named like a service.
    let want: BTreeSet<String> = later.difference(&service_names).cloned().collect();
    assert_eq!(extra, want);
    assert!(!want.is_empty());
}

#[test]
fn keys_are_sorted_in_byte_order() {
    let json =
        serde_json::to_string(&Catalog::embedded().available_services(LegacyRealm::GitlabCom))
            .expect("json");
    let value: Json = serde_json::from_str(&json).expect("parse");
    let keys: Vec<&String> = value["services"]
        .as_object()
        .expect("object")
        .keys()
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(keys, sorted);
    // Serialised text order too (what a YAML/JSON consumer reads).
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| json.find(&format!("\"{k}\":{{")).expect("key in text"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}
