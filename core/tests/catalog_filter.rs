//! The unit primitive filter the directory and `catalog list` share.

use chrono::{DateTime, Utc};
use cloud_connector::catalog::{Access, UnitPrimitiveFilter};
use cloud_connector::Catalog;

fn names(f: &UnitPrimitiveFilter) -> Vec<String> {
    Catalog::embedded()
        .filter_unit_primitives(f)
        .iter()
        .map(|u| u.name.clone())
        .collect()
}

#[test]
fn an_empty_filter_matches_everything_in_load_order() {
    let all: Vec<String> = Catalog::embedded()
        .unit_primitives()
        .iter()
        .map(|u| u.name.clone())
        .collect();
    assert_eq!(names(&UnitPrimitiveFilter::default()), all);
}

#[test]
fn filters_by_association_through_canonical_names() {
    let by_backend = names(&UnitPrimitiveFilter {
        backend_service: Some("duo_workflow_service".into()),
        ..Default::default()
    });
    assert!(
        by_backend.contains(&"duo_workflow_execute_workflow".to_owned()),
        "{by_backend:?}"
    );
    // duo_chat lists it too (NOTE dws); complete_code does not.
    assert!(by_backend.contains(&"duo_chat".to_owned()));
    assert!(!by_backend.contains(&"complete_code".to_owned()));

    let by_add_on = names(&UnitPrimitiveFilter {
        add_on: Some("duo_pro".into()),
        ..Default::default()
    });
    let catalog = Catalog::embedded();
    for name in &by_add_on {
        let up = catalog.unit_primitive(name).expect("exists");
        assert!(up.add_ons.iter().any(|a| a == "duo_pro"), "{name}");
    }
    assert!(
        by_add_on.contains(&"duo_chat".to_owned()) && !by_add_on.contains(&"ask_build".to_owned())
    );
    // No renaming in the directory: code_suggestions is not an add-on of the catalog.
    assert!(names(&UnitPrimitiveFilter {
        add_on: Some("code_suggestions".into()),
        ..Default::default()
    })
    .is_empty());

    let ultimate = names(&UnitPrimitiveFilter {
        license_type: Some("ultimate".into()),
        ..Default::default()
    });
    assert!(ultimate.contains(&"amazon_q_integration".to_owned()));
}

#[test]
fn filters_combine_and_text_is_case_insensitive_over_several_fields() {
    let f = UnitPrimitiveFilter {
        group: Some("group::duo chat".into()),
        add_on: Some("duo_enterprise".into()),
        text: Some("  ASK_ ".into()),
        ..Default::default()
    };
    assert_eq!(
        names(&f),
        [
            "ask_build",
            "ask_commit",
            "ask_epic",
            "ask_issue",
            "ask_merge_request",
            "ask_work_item"
        ]
    );
    // An alias matches the record it belongs to.
    assert_eq!(
        names(&UnitPrimitiveFilter {
            text: Some("analyze_ci".into()),
            ..Default::default()
        }),
        ["troubleshoot_job"]
    );
    assert!(names(&UnitPrimitiveFilter {
        group: Some("group::nobody".into()),
        ..Default::default()
    })
    .is_empty());
}

#[test]
fn access_is_judged_at_the_given_time() {
    let before: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().expect("time");
    let after: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("time");
    let paid = |at| {
        names(&UnitPrimitiveFilter {
            access: Some(Access::Paid),
            at: Some(at),
            ..Default::default()
        })
    };
    assert!(paid(after).contains(&"duo_chat".to_owned()));
    assert!(!paid(before).contains(&"duo_chat".to_owned()));
    let free_now = names(&UnitPrimitiveFilter {
        access: Some(Access::Free),
        ..Default::default()
    });
    assert!(
        free_now.contains(&"security_scans".to_owned())
            && !free_now.contains(&"duo_chat".to_owned())
    );
}

#[test]
fn groups_and_feature_categories_are_distinct_and_sorted() {
    let groups = Catalog::embedded().groups();
    assert!(groups.windows(2).all(|w| w[0] < w[1]) && groups.contains(&"group::duo chat"));
    let cats = Catalog::embedded().feature_categories();
    assert!(cats.windows(2).all(|w| w[0] < w[1]) && cats.contains(&"duo_chat"));
}

#[test]
fn enum_values_cover_names_aliases_and_legacy_categories() {
    let c = Catalog::embedded();
    let ups = c.unit_primitive_enum_values();
    assert!(ups.windows(2).all(|w| w[0] < w[1]));
    assert!(ups.contains(&"duo_chat") && ups.contains(&"analyze_ci_job_failure"));
    assert_eq!(
        ups.len(),
        c.unit_primitives().len()
            + c.unit_primitives()
                .iter()
                .map(|u| u.aliases().len())
                .sum::<usize>()
    );
    let cats = c.feature_category_enum_values();
    for legacy in cloud_connector::catalog::compat::LEGACY_FEATURE_CATEGORIES {
        assert!(cats.contains(legacy), "{legacy}");
    }
    for up in c.unit_primitives() {
        assert!(
            cats.contains(&up.feature_category.as_str()),
            "{}",
            up.feature_category
        );
    }
}

#[test]
fn access_names_round_trip() {
    for a in [Access::Free, Access::Paid] {
        assert_eq!(Access::from_name(a.as_str()), Some(a));
    }
    assert_eq!(Access::from_name("Free"), None);
    assert_eq!(Access::from_name(""), None);
}
