//! `Catalog::from_records_json`: a catalog from records a binding's loader supplies (the
//! `load_all` shape), with types checked but the file validator's strictness relaxed.

use cloud_connector::catalog::{CatalogSource, EntitlementRequest, LegacyRealm};
use cloud_connector::{Catalog, ErrorCode};
use serde_json::json;

#[test]
fn embedded_records_round_trip_to_the_same_rules() {
    let embedded = Catalog::embedded();
    let rebuilt = Catalog::from_records_json(&embedded.load_all()).expect("embedded records load");
    assert_eq!(rebuilt.source(), &CatalogSource::Records);
    assert_eq!(rebuilt.load_all(), embedded.load_all());
    for realm in [LegacyRealm::GitlabCom, LegacyRealm::SelfManaged] {
        assert_eq!(
            rebuilt.available_services(realm),
            embedded.available_services(realm)
        );
    }
    let at = chrono::DateTime::parse_from_rfc3339("2025-06-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    for add_ons in [vec![], vec!["duo_pro"], vec!["duo_enterprise", "duo_core"]] {
        let req = EntitlementRequest::with_add_ons(add_ons).at(at);
        assert_eq!(
            rebuilt.entitlements(&req).unwrap(),
            embedded.entitlements(&req).unwrap()
        );
    }
}

#[test]
fn loose_records_load_and_unknown_references_are_dropped() {
    let records = json!({
        "add_ons": [{"name": "duo_pro"}, {"name": "duo_enterprise", "extra": 1}],
        "backend_services": [{"name": "ai", "jwt_aud": "https://ai.gitlab.com"}],
        "unit_primitives": [
            // Given order is kept (not sorted); unknown fields and nulls are ignored.
            {"name": "zeta", "add_ons": ["duo_enterprise", "nope", 7, "duo_pro"],
             "backend_services": ["ai", "missing"], "license_types": null, "whatever": {"a": 1}},
            {"name": "alpha", "alias_names": ["old_alpha"]},
        ],
        "services": [{"name": "svc", "unit_primitives": ["alpha", "old_alpha", "ghost"]}],
    });
    let c = Catalog::from_records_json(&records).expect("loose records load");
    let names: Vec<&str> = c
        .unit_primitives()
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(names, ["zeta", "alpha"]);
    let zeta = c.unit_primitive("zeta").unwrap();
    // Target load order, unknown names and the non-string entry dropped.
    let add_ons: Vec<&str> = c.add_ons_of(zeta).iter().map(|a| a.name.as_str()).collect();
    assert_eq!(add_ons, ["duo_pro", "duo_enterprise"]);
    assert_eq!(zeta.add_ons, ["duo_enterprise", "nope", "duo_pro"]);
    assert_eq!(c.backend_services_of(zeta).len(), 1);
    assert!(c.license_types_of(zeta).is_empty());
    assert_eq!(c.unit_primitive("old_alpha").unwrap().name, "alpha");
    // Aliases are not followed by associations.
    let svc = c.service("svc").unwrap();
    let ups: Vec<&str> = c
        .unit_primitives_of(svc)
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(ups, ["alpha"]);
    // The legacy generator runs on them (alpha and zeta are stand-alone entries).
    let legacy = c.available_services(LegacyRealm::GitlabCom);
    assert_eq!(
        legacy.services.keys().collect::<Vec<_>>(),
        ["alpha", "svc", "zeta"]
    );
    assert_eq!(
        legacy.services["zeta"].backend.as_deref(),
        Some("https://ai.gitlab.com")
    );
}

#[test]
fn missing_kinds_are_empty() {
    let c = Catalog::from_records_json(&json!({})).unwrap();
    assert!(c.unit_primitives().is_empty());
    assert!(c
        .available_services(LegacyRealm::SelfManaged)
        .services
        .is_empty());
}

#[test]
fn wrong_types_are_catalog_invalid_with_every_problem() {
    let records = json!({
        "unit_primitives": [
            {"name": "a", "description": 5, "cut_off_date": "2024-10-17", "min_gitlab_version": "x"},
            {"description": "no name"},
            "not a record",
        ],
        "services": {"not": "a list"},
        "gadgets": [],
    });
    let e = Catalog::from_records_json(&records).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CatalogInvalid);
    let got: Vec<(&str, Option<&str>, Option<&str>)> = e
        .problems()
        .iter()
        .map(|p| (p.kind.as_str(), p.record.as_deref(), p.field.as_deref()))
        .collect();
    for want in [
        ("wrong_type", Some("a"), Some("description")),
        ("invalid_value", Some("a"), Some("cut_off_date")),
        ("invalid_value", Some("a"), Some("min_gitlab_version")),
        ("missing_field", None, Some("name")),
        ("not_a_mapping", None, None),
        ("wrong_type", None, None),
        ("unknown_field", None, None),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
    assert_eq!(got.len(), 7, "{got:?}");
}

#[test]
fn a_non_mapping_is_invalid_argument() {
    let e = Catalog::from_records_json(&json!([1, 2])).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    assert!(e.message().contains("got a list"), "{}", e.message());
}

#[test]
fn versions_and_times_keep_their_text() {
    let c = Catalog::from_records_json(&json!({"unit_primitives": [
        {"name": "a", "min_gitlab_version": "17.5.1", "cut_off_date": "2024-10-17T00:00:00+02:00"}
    ]}))
    .unwrap();
    let a = c.unit_primitive("a").unwrap();
    assert_eq!(a.min_gitlab_version.as_ref().unwrap().as_str(), "17.5.1");
    assert_eq!(
        c.load_all()["unit_primitives"][0]["cut_off_date"],
        "2024-10-17T00:00:00+02:00"
    );
}

#[test]
fn association_order_follows_the_target_and_drops_unknown_names() {
    use cloud_connector::catalog::association_order;
    let targets = ["duo_core", "duo_enterprise", "duo_pro", "duo_pro"];
    let listed = vec![
        "duo_pro".to_owned(),
        "nope".to_owned(),
        "duo_core".to_owned(),
    ];
    assert_eq!(association_order(&targets, &listed), [0, 2, 3]);
    assert!(association_order(&targets, &[]).is_empty());
}
