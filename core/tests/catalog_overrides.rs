//! RB-OVR-01 and `CLOUD_CONNECTOR_CONFIG_DIR`: overrides merge shallowly by kind and name, are
//! validated like the files they override, and bad override shapes are `invalid_override`.

mod support;

use cloud_connector::catalog::{Overrides, RecordKind};
use cloud_connector::{Catalog, ErrorCode, ProblemKind};
use serde_json::json;
use support::*;

#[test]
fn a_hash_override_replaces_whole_fields_of_the_named_record_only() {
    let dir = base_with(&[(
        "unit_primitives/explain_code.yml",
        "name: explain_code\ndescription: x\ngroup: g\nfeature_category: f\nbackend_services: [ai_gateway]\n\
         add_ons: [duo_pro]\nlicense_types: [premium]\n",
    )]);
    let overrides = Overrides::from_json(&json!({
        "unit_primitives": {"duo_chat": {"cut_off_date": "2030-01-01T00:00:00+00:00", "license_types": []}}
    }))
    .expect("overrides");
    let c = Catalog::load_dir_with_overrides(dir.path(), &overrides).expect("loads");
    let chat = c.unit_primitive("duo_chat").expect("duo_chat");
    assert_eq!(
        chat.cut_off_date.map(|t| t.to_rfc3339()),
        Some("2030-01-01T00:00:00+00:00".into())
    );
    // Whole value replaced (no deep merge), other fields untouched.
    assert!(chat.license_types.is_empty());
    assert_eq!(chat.add_ons, ["duo_pro"]);
    assert_eq!(
        chat.min_gitlab_version.as_ref().map(|v| v.as_str()),
        Some("16.9")
    );
    let other = c.unit_primitive("explain_code").expect("explain_code");
    assert_eq!(other.license_types, ["premium"]);
    assert!(other.cut_off_date.is_none());
}

#[test]
fn overrides_apply_to_the_embedded_catalog_too() {
    let mut overrides = Overrides::new();
    overrides
        .set(
            RecordKind::UnitPrimitive,
            "duo_chat",
            "add_ons",
            &json!(["duo_core"]),
        )
        .expect("set");
    let c = Catalog::embedded_with_overrides(&overrides).expect("loads");
    assert_eq!(
        c.unit_primitive("duo_chat").expect("duo_chat").add_ons,
        ["duo_core"]
    );
    // The shared embedded catalog is not changed.
    assert_eq!(
        Catalog::embedded()
            .unit_primitive("duo_chat")
            .expect("duo_chat")
            .add_ons,
        ["duo_enterprise", "duo_pro"]
    );
    // No overrides: the embedded catalog itself.
    let same = Catalog::embedded_with_overrides(&Overrides::new()).expect("loads");
    assert_eq!(
        same.unit_primitives().len(),
        Catalog::embedded().unit_primitives().len()
    );
}

#[test]
fn an_override_is_validated_and_blamed() {
    let overrides = Overrides::from_json(
        &json!({"unit_primitives": {"duo_chat": {"min_gitlab_version": 17.1}}}),
    )
    .expect("shape ok");
    let problems = problems_of(Catalog::load_dir_with_overrides(
        write_catalog(BASE).path(),
        &overrides,
    ));
    let p = expect_problem(
        &problems,
        ProblemKind::WrongType,
        "unit_primitives/duo_chat.yml",
        Some("duo_chat"),
        Some("min_gitlab_version"),
    );
    assert!(p.message.contains("override configuration"), "{p}");

    let overrides =
        Overrides::from_json(&json!({"unit_primitives": {"duo_chat": {"add_ons": ["nope"]}}}))
            .expect("shape ok");
    let problems = problems_of(Catalog::load_dir_with_overrides(
        write_catalog(BASE).path(),
        &overrides,
    ));
    expect_problem(
        &problems,
        ProblemKind::DanglingReference,
        "unit_primitives/duo_chat.yml",
        Some("duo_chat"),
        Some("add_ons"),
    );

    let overrides =
        Overrides::from_json(&json!({"unit_primitives": {"duo_chat": {"colour": "blue"}}}))
            .expect("shape ok");
    let problems = problems_of(Catalog::load_dir_with_overrides(
        write_catalog(BASE).path(),
        &overrides,
    ));
    expect_problem(
        &problems,
        ProblemKind::UnknownField,
        "unit_primitives/duo_chat.yml",
        Some("duo_chat"),
        Some("colour"),
    );
}

#[test]
fn overrides_cannot_add_records() {
    let overrides =
        Overrides::from_json(&json!({"add_ons": {"duo_ultra": {"description": "new"}}}))
            .expect("shape ok");
    let c =
        Catalog::load_dir_with_overrides(write_catalog(BASE).path(), &overrides).expect("loads");
    assert!(c.add_on("duo_ultra").is_none());
    assert_eq!(c.add_ons().len(), 1);
}

#[test]
fn bad_override_shapes_are_invalid_override() {
    for (bad, says) in [
        (json!([1, 2]), "must be a mapping"),
        (json!("x"), "must be a mapping"),
        (json!({"widgets": {}}), "unknown record kind 'widgets'"),
        (
            json!({"unit_primitives": []}),
            "must be a mapping of record names",
        ),
        (
            json!({"unit_primitives": {"duo_chat": 3}}),
            "must be a mapping of fields",
        ),
        (
            json!({"unit_primitives": {"duo_chat": {"name": "other"}}}),
            "cannot change 'name'",
        ),
    ] {
        let err = Overrides::from_json(&bad).expect_err("invalid");
        assert_eq!(err.code(), ErrorCode::InvalidOverride, "{bad}");
        assert!(err.message().contains(says), "{bad}: {err}");
    }
    assert!(Overrides::from_json(&json!(null))
        .expect("null is none")
        .is_empty());
}

#[test]
fn config_dir_env_selects_a_directory_at_run_time() {
    // The only test touching the variable, so parallel tests cannot race on it.
    let dir = write_catalog(BASE);
    std::env::set_var(cloud_connector::catalog::CONFIG_DIR_ENV, dir.path());
    let from_dir = Catalog::from_env();
    std::env::set_var(
        cloud_connector::catalog::CONFIG_DIR_ENV,
        dir.path().join("missing"),
    );
    let missing = Catalog::from_env();
    std::env::set_var(cloud_connector::catalog::CONFIG_DIR_ENV, "");
    let empty = Catalog::from_env();
    std::env::remove_var(cloud_connector::catalog::CONFIG_DIR_ENV);
    let unset = Catalog::from_env();

    let from_dir = from_dir.expect("loads");
    assert_eq!(from_dir.unit_primitives().len(), 1);
    assert_eq!(
        from_dir.source(),
        &cloud_connector::catalog::CatalogSource::Directory(dir.path().to_path_buf())
    );
    assert_eq!(
        missing.expect_err("missing").code(),
        ErrorCode::CatalogNotFound
    );
    assert_eq!(
        empty.expect("embedded").source(),
        &cloud_connector::catalog::CatalogSource::Embedded
    );
    assert_eq!(
        unset.expect("embedded").unit_primitives().len(),
        Catalog::embedded().unit_primitives().len()
    );
}
