//! Catalog costs: first use (parse and validate the embedded files), access after first use,
//! lookups, associations, entitlements and the legacy generator. `make bench` prints these.

use std::hint::black_box;

use chrono::Utc;
use cloud_connector::catalog::{EntitlementRequest, LegacyRealm, Overrides};
use cloud_connector::Catalog;
use criterion::{criterion_group, criterion_main, Criterion};

fn catalog(c: &mut Criterion) {
    // A full load of the embedded files through the validator: what the first `embedded()` pays.
    c.bench_function("catalog/first_use_load", |b| {
        let mut o = Overrides::new();
        // Non-empty overrides force a fresh load instead of returning the shared catalog.
        o.set(
            cloud_connector::catalog::RecordKind::AddOn,
            "duo_pro",
            "description",
            &"x".into(),
        )
        .expect("override");
        b.iter(|| black_box(Catalog::embedded_with_overrides(&o).expect("loads")))
    });
    let cat = Catalog::embedded();
    c.bench_function("catalog/embedded_after_first_use", |b| {
        b.iter(|| black_box(Catalog::embedded()))
    });
    c.bench_function("catalog/find_by_name", |b| {
        b.iter(|| black_box(cat.unit_primitive(black_box("duo_chat"))))
    });
    c.bench_function("catalog/find_by_alias", |b| {
        b.iter(|| black_box(cat.unit_primitive(black_box("analyze_ci_job_failure"))))
    });
    c.bench_function("catalog/find_missing", |b| {
        b.iter(|| black_box(cat.unit_primitive(black_box("nope"))))
    });
    let up = cat.unit_primitive("duo_chat").expect("duo_chat");
    c.bench_function("catalog/add_ons_of", |b| {
        b.iter(|| black_box(cat.add_ons_of(black_box(up))))
    });
    let request = EntitlementRequest::with_add_ons(["duo_pro", "duo_enterprise"]).at(Utc::now());
    c.bench_function("catalog/entitlements", |b| {
        b.iter(|| black_box(cat.entitlements(black_box(&request))))
    });
    c.bench_function("catalog/legacy_gitlab_com", |b| {
        b.iter(|| black_box(cat.available_services(LegacyRealm::GitlabCom)))
    });
}

criterion_group!(benches, catalog);
criterion_main!(benches);
