//! RB-GEN-02 and the rest of ruby-api.md section 4 on small catalogs built for each rule.

mod support;

use cloud_connector::catalog::LegacyRealm;
use cloud_connector::ordered_json::OrderedJson;
use cloud_connector::{Catalog, ErrorCode};
use serde_json::{json, Value};
use support::*;

const BACKENDS: &[(&str, &str)] = &[
    (
        "backend_services/a_backend.yml",
        "name: a_backend\ndescription: x\njwt_aud: aud-a\n",
    ),
    (
        "backend_services/b_backend.yml",
        "name: b_backend\ndescription: x\njwt_aud: aud-b\n",
    ),
    (
        "add_ons/duo_enterprise.yml",
        "name: duo_enterprise\ndescription: x\n",
    ),
    ("add_ons/duo_pro.yml", "name: duo_pro\ndescription: x\n"),
    (
        "license_types/premium.yml",
        "name: premium\ndescription: x\n",
    ),
    (
        "license_types/ultimate.yml",
        "name: ultimate\ndescription: x\n",
    ),
];

fn up(name: &str, extra: &str) -> (String, String) {
    (
        format!("unit_primitives/{name}.yml"),
        format!("name: {name}\ndescription: x\ngroup: g\nfeature_category: f\n{extra}"),
    )
}

fn catalog(files: &[(String, String)]) -> (tempfile::TempDir, Catalog) {
    let mut all: Vec<(&str, &str)> = BACKENDS.to_vec();
    all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let dir = write_catalog(&all);
    let catalog = Catalog::load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    (dir, catalog)
}

fn generate(catalog: &Catalog, realm: &str) -> Value {
    serde_json::to_value(catalog.available_services_for(realm).expect("realm")).expect("json")
}

fn service(name: &str, body: &str) -> (String, String) {
    (
        format!("services/{name}.yml"),
        format!("name: {name}\ndescription: x\n{body}"),
    )
}

const PAID: &str = "backend_services: [b_backend, a_backend]\nadd_ons: [duo_pro, duo_enterprise]\nlicense_types: [ultimate, premium]\n\
                    cut_off_date: 2024-10-17T02:00:00+02:00\nmin_gitlab_version: '16.9'\n";
const FREE: &str = "backend_services: [b_backend]\nadd_ons: []\nlicense_types: []\n";

#[test]
fn a_wrong_realm_gives_the_gems_exact_message() {
    let err = Catalog::embedded()
        .available_services_for("saas")
        .expect_err("bad realm");
    assert_eq!(err.code(), ErrorCode::InvalidRealm);
    assert_eq!(
        err.message(),
        "Wrong gitlab_realm. Please use one of the following: gitlab-com, self-managed"
    );
    assert_eq!(
        "self-managed".parse::<LegacyRealm>().expect("realm"),
        LegacyRealm::SelfManaged
    );
}

#[test]
fn a_realm_that_is_not_a_string_is_the_wrong_realm() {
    let err = LegacyRealm::from_argument(None).expect_err("no string");
    assert_eq!(err.code(), ErrorCode::InvalidRealm);
    assert_eq!(
        err.message(),
        "Wrong gitlab_realm. Please use one of the following: gitlab-com, self-managed"
    );
    assert_eq!(
        LegacyRealm::from_argument(Some("gitlab-com")).expect("realm"),
        LegacyRealm::GitlabCom
    );
}

#[test]
fn the_ordered_output_keeps_the_gems_key_order_and_first_use_groups() {
    // Groups in first use over the service's unit primitives in load order: a_paid's add-ons
    // (add-on load order), then z_free's `_irrelevant`, which sorting would put first.
    let (_d, c) = catalog(&[
        up("a_paid", PAID),
        up("z_free", FREE),
        service(
            "svc",
            "unit_primitives: [z_free, a_paid]\nbasic_unit_primitive: a_paid\n",
        ),
    ]);
    let out = c
        .available_services(LegacyRealm::GitlabCom)
        .to_ordered_json();
    let OrderedJson::Object(top) = out else {
        panic!("object")
    };
    let OrderedJson::Object(services) = &top[0].1 else {
        panic!("services")
    };
    let names: Vec<&str> = services.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["a_paid", "svc", "z_free"]);
    let OrderedJson::Object(svc) = &services[1].1 else {
        panic!("entry")
    };
    let keys: Vec<&str> = svc.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "backend",
            "cut_off_date",
            "min_gitlab_version",
            "bundled_with",
            "license_types"
        ]
    );
    let OrderedJson::Object(groups) = &svc[3].1 else {
        panic!("bundled_with")
    };
    let groups: Vec<&str> = groups.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(groups, ["duo_enterprise", "duo_pro", "_irrelevant"]);
}

#[test]
fn a_stand_alone_entry_samples_its_own_fields_and_lists_in_association_order() {
    let (_d, c) = catalog(&[up("paid", PAID)]);
    let out = generate(&c, "gitlab-com");
    assert_eq!(
        out,
        json!({"services": {"paid": {
            // First backend in backend load order, not YAML order.
            "backend": "aud-a",
            // The gem's text: the wall clock in the record's own offset (+02:00), then " UTC".
            "cut_off_date": "2024-10-17 02:00:00 UTC",
            "min_gitlab_version": "16.9",
            // Add-ons in add-on load order.
            "bundled_with": {"duo_enterprise": {"unit_primitives": ["paid"]}, "duo_pro": {"unit_primitives": ["paid"]}},
            "license_types": ["premium", "ultimate"],
        }}})
    );
    // Group order is first use, which here is add-on load order: check the serialised order.
    let text = serde_json::to_string(&c.available_services(LegacyRealm::GitlabCom)).expect("json");
    assert!(
        text.find("duo_enterprise").expect("e") < text.find("duo_pro").expect("p"),
        "{text}"
    );
    assert!(
        text.find("\"backend\"").expect("b") < text.find("\"cut_off_date\"").expect("c"),
        "gem key order: {text}"
    );
}

#[test]
fn unit_primitives_without_add_ons_go_under_irrelevant_and_blank_fields_are_dropped() {
    let (_d, c) = catalog(&[up("free", FREE)]);
    assert_eq!(
        generate(&c, "self-managed"),
        json!({"services": {"free": {"backend": "aud-b", "bundled_with": {"_irrelevant": {"unit_primitives": ["free"]}}}}})
    );
}

#[test]
fn services_bundle_in_load_order_and_sample_the_basic_unit_primitive() {
    let (_d, c) = catalog(&[
        up("a_paid", PAID),
        up("b_free", FREE),
        // Listed out of order: the output follows load order.
        service(
            "svc",
            "unit_primitives: [b_free, a_paid]\nbasic_unit_primitive: b_free\n",
        ),
    ]);
    let out = generate(&c, "gitlab-com");
    assert_eq!(
        out["services"]["svc"],
        json!({
            "backend": "aud-b",
            "bundled_with": {
                "duo_enterprise": {"unit_primitives": ["a_paid"]},
                "duo_pro": {"unit_primitives": ["a_paid"]},
                "_irrelevant": {"unit_primitives": ["b_free"]},
            },
        })
    );
    // Without basic_unit_primitive the first in load order is sampled.
    let (_d, c) = catalog(&[
        up("a_paid", PAID),
        up("b_free", FREE),
        service("svc", "unit_primitives: [b_free, a_paid]\n"),
    ]);
    let out = generate(&c, "gitlab-com");
    assert_eq!(out["services"]["svc"]["backend"], "aud-a");
    assert_eq!(
        out["services"]["svc"]["cut_off_date"],
        "2024-10-17 02:00:00 UTC"
    );
    // Members of a service that are not service names also get stand-alone entries.
    assert!(out["services"]["a_paid"].is_object() && out["services"]["b_free"].is_object());
}

#[test]
fn realm_filtering_applies_to_services_only() {
    let (_d, c) = catalog(&[
        up("com_only_up", FREE),
        up("named_like_service", FREE),
        up("other", FREE),
        service(
            "com_only",
            "unit_primitives: [com_only_up]\ngitlab_realm: [gitlab-com]\n",
        ),
        service(
            "named_like_service",
            "unit_primitives: [named_like_service]\ngitlab_realm: [gitlab-com]\n",
        ),
        service("everywhere", "unit_primitives: [other]\n"),
    ]);
    let keys = |realm: &str| -> Vec<String> {
        generate(&c, realm)["services"]
            .as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        keys("gitlab-com"),
        [
            "com_only",
            "com_only_up",
            "everywhere",
            "named_like_service",
            "other"
        ]
    );
    // A unit primitive named like a service filtered out for the realm appears nowhere.
    assert_eq!(keys("self-managed"), ["com_only_up", "everywhere", "other"]);
}

#[test]
fn self_hosted_models_keeps_only_duo_enterprise() {
    let (_d, c) = catalog(&[
        up("a_paid", PAID),
        up("b_free", FREE),
        service("self_hosted_models", "unit_primitives: [a_paid, b_free]\n"),
    ]);
    let out = generate(&c, "gitlab-com");
    assert_eq!(
        out["services"]["self_hosted_models"]["bundled_with"],
        json!({"duo_enterprise": {"unit_primitives": ["a_paid"]}})
    );

    // With no duo_enterprise group at all, the gem leaves {"duo_enterprise" => nil}.
    let (_d, c) = catalog(&[
        up("b_free", FREE),
        service("self_hosted_models", "unit_primitives: [b_free]\n"),
    ]);
    let out = generate(&c, "self-managed");
    assert_eq!(
        out["services"]["self_hosted_models"]["bundled_with"],
        json!({"duo_enterprise": null})
    );
}

#[test]
fn self_managed_output_of_the_embedded_catalog_has_every_realmless_service() {
    let catalog = Catalog::embedded();
    let out = generate(catalog, "self-managed");
    for svc in catalog.services() {
        let wanted = svc
            .gitlab_realm
            .as_ref()
            .is_none_or(|r| r.iter().any(|r| r == "self-managed"));
        assert_eq!(
            out["services"].get(&svc.name).is_some(),
            wanted,
            "{}",
            svc.name
        );
    }
}
