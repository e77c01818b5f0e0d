//! Lenient loading (issue 13): what the gem's YAML loader accepts loads, and what the strict
//! validator finds comes back as warnings; `load_dir` on the same directory stays strict.

mod support;

use cloud_connector::catalog::{Overrides, RecordKind};
use cloud_connector::{Catalog, ErrorCode, ProblemKind};
use serde_json::json;
use support::*;

/// A unit primitive as an older or newer gem writes it: no group, feature_category or
/// license_types, an unknown field, a dangling add-on, a file named differently.
const LOOSE_UP: &str = "name: loose\ndescription: Loose.\nbackend_services: [ai_gateway]\n\
                        add_ons: [duo_pro, no_such_add_on]\nrollout: beta\n\
                        cut_off_date: 2024-10-17T00:00:00+00:00\n";

#[test]
fn a_directory_the_gem_loads_loads_with_warnings_and_stays_strict_for_load_dir() {
    let dir = base_with(&[("unit_primitives/loose_file.yml", LOOSE_UP)]);
    let strict = problems_of(Catalog::load_dir(dir.path()));
    assert!(!strict.is_empty());

    let l = Catalog::load_dir_lenient(dir.path(), &Overrides::new()).expect("lenient load");
    let c = l.catalog();
    let up = c.unit_primitive("loose").expect("loaded");
    // The dangling add-on is dropped by the association rule, as the gem drops it.
    let add_ons: Vec<&str> = c.add_ons_of(up).iter().map(|a| a.name.as_str()).collect();
    assert_eq!(add_ons, ["duo_pro"]);
    assert!(up.cut_off_date.is_some());

    // The same problems as the strict load, as warnings with file, record and field.
    assert_eq!(l.warnings(), strict.as_slice());
    let kinds: Vec<(ProblemKind, Option<&str>)> = l
        .warnings()
        .iter()
        .map(|p| (p.kind, p.field.as_deref()))
        .collect();
    for want in [
        (ProblemKind::UnknownField, Some("rollout")),
        (ProblemKind::MissingField, Some("group")),
        (ProblemKind::MissingField, Some("license_types")),
        (ProblemKind::FileNameMismatch, Some("name")),
        (ProblemKind::DanglingReference, Some("add_ons")),
    ] {
        assert!(kinds.contains(&want), "{want:?} in {kinds:?}");
    }
    for w in l.warnings() {
        assert_eq!(w.record.as_deref(), Some("loose"), "{w}");
        assert!(w
            .file
            .as_deref()
            .unwrap()
            .ends_with("unit_primitives/loose_file.yml"));
    }
    assert_eq!(
        l.warnings_of(RecordKind::UnitPrimitive).len(),
        l.warnings().len()
    );
    assert!(l.warnings_of(RecordKind::AddOn).is_empty());

    // Raw records keep every field as written, unknown ones included, in the typed order.
    let raw = l.records_json(RecordKind::UnitPrimitive);
    let names: Vec<&str> = raw
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let typed: Vec<&str> = c
        .unit_primitives()
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(names, typed);
    let loose = raw
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "loose")
        .unwrap();
    assert_eq!(loose["rollout"], "beta");
    assert_eq!(loose["add_ons"], json!(["duo_pro", "no_such_add_on"]));
}

#[test]
fn what_the_gem_cannot_load_still_fails() {
    for (file, text, kind) in [
        (
            "unit_primitives/bad.yml",
            "name: [unclosed\n",
            ProblemKind::YamlSyntax,
        ),
        ("unit_primitives/empty.yml", "", ProblemKind::EmptyFile),
        (
            "unit_primitives/nameless.yml",
            "description: x\n",
            ProblemKind::MissingField,
        ),
    ] {
        let dir = base_with(&[(file, text)]);
        let e = Catalog::load_dir_lenient(dir.path(), &Overrides::new()).expect_err(file);
        assert_eq!(e.code(), ErrorCode::CatalogInvalid);
        assert!(
            e.problems()
                .iter()
                .all(|p| p.file.as_deref().unwrap().ends_with(file)),
            "{e}"
        );
        assert!(e.problems().iter().any(|p| p.kind == kind), "{e}");
    }
    let missing = Catalog::load_dir_lenient("/nonexistent/catalog", &Overrides::new());
    assert_eq!(missing.unwrap_err().code(), ErrorCode::CatalogNotFound);
}

#[test]
fn a_null_override_removes_an_optional_field_and_makes_the_record_free() {
    let o = Overrides::from_json(&json!({"unit_primitives": {"duo_chat": {"cut_off_date": null}}}))
        .expect("overrides");
    let dir = base_with(&[]);
    // Not a problem even for a strict load: it is how an override clears a field.
    let strict = Catalog::load_dir_with_overrides(dir.path(), &o).expect("strict");
    assert_eq!(
        strict.unit_primitive("duo_chat").unwrap().cut_off_date,
        None
    );
    let l = Catalog::load_dir_lenient(dir.path(), &o).expect("lenient");
    assert!(l.warnings().is_empty(), "{:?}", l.warnings());
    assert_eq!(
        l.catalog().unit_primitive("duo_chat").unwrap().cut_off_date,
        None
    );
    let raw = l.records_json(RecordKind::UnitPrimitive);
    assert!(
        raw[0]["cut_off_date"].is_null()
            && raw[0].as_object().unwrap().contains_key("cut_off_date")
    );
    // A required field cannot be cleared.
    let o = Overrides::from_json(&json!({"unit_primitives": {"duo_chat": {"description": null}}}))
        .unwrap();
    assert!(!problems_of(Catalog::load_dir_with_overrides(dir.path(), &o)).is_empty());
}

#[test]
fn the_embedded_catalog_loads_leniently_with_overrides() {
    let o = Overrides::from_json(
        &json!({"unit_primitives": {"duo_chat": {"add_ons": "duo_pro", "extra": 1}}}),
    )
    .expect("overrides");
    assert!(Catalog::embedded_with_overrides(&o).is_err());
    let l = Catalog::embedded_lenient(&o).expect("lenient");
    assert_eq!(
        l.catalog().unit_primitives().len(),
        Catalog::embedded().unit_primitives().len()
    );
    let fields: Vec<&str> = l
        .warnings()
        .iter()
        .filter_map(|p| p.field.as_deref())
        .collect();
    assert!(
        fields.contains(&"add_ons") && fields.contains(&"extra"),
        "{fields:?}"
    );
    assert!(l
        .warnings()
        .iter()
        .all(|p| p.file.as_deref() == Some("config/unit_primitives/duo_chat.yml")));
}

#[test]
fn a_name_the_gem_loads_and_a_duplicated_name_load_as_the_gem_loads_them() {
    // Not snake_case, but a string: the gem loads it; here it loads too, with a warning.
    let odd = "name: Duo-Chat\ndescription: Odd.\nbackend_services: [ai_gateway]\n";
    // Two files naming one record: the gem keeps the later (in load order, the file name order).
    let first = "name: twin\ndescription: First.\nbackend_services: [ai_gateway]\n";
    let second = "name: twin\ndescription: Second.\nbackend_services: [ai_gateway]\n";
    let dir = base_with(&[
        ("unit_primitives/duo_chat_odd.yml", odd),
        ("unit_primitives/twin_a.yml", first),
        ("unit_primitives/twin_b.yml", second),
    ]);
    assert!(
        !problems_of(Catalog::load_dir(dir.path())).is_empty(),
        "strict refuses both"
    );

    let l = Catalog::load_dir_lenient(dir.path(), &Overrides::new()).expect("lenient load");
    let c = l.catalog();
    assert!(c.unit_primitive("Duo-Chat").is_some());
    let twins: Vec<&str> = c
        .unit_primitives()
        .iter()
        .filter(|u| u.name == "twin")
        .map(|u| u.description.as_str())
        .collect();
    assert_eq!(twins, ["Second."]);
    let raw = l.records_json(RecordKind::UnitPrimitive);
    let raw_twins: Vec<&serde_json::Value> = raw
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == json!("twin"))
        .collect();
    assert_eq!(raw_twins.len(), 1);
    assert_eq!(raw_twins[0]["description"], json!("Second."));
    assert_eq!(
        raw.as_array().unwrap().len(),
        c.unit_primitives().len(),
        "raw and typed records stay one for one"
    );
    let kinds: Vec<ProblemKind> = l.warnings().iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProblemKind::InvalidValue), "{kinds:?}");
    assert!(kinds.contains(&ProblemKind::DuplicateName), "{kinds:?}");
}
