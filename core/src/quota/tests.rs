use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::{Catalog, ErrorCode, ProblemKind};

/// A clock tests move by hand.
#[derive(Debug, Default)]
struct ManualClock(AtomicI64);

impl ManualClock {
    fn advance(&self, micros: i64) {
        self.0.fetch_add(micros, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now_micros(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

const SECOND: i64 = 1_000_000;

fn quotas(text: &str) -> Quotas {
    Quotas::parse(text, "quotas.yml", Catalog::embedded()).expect("valid quota file")
}

fn store() -> (Arc<ManualClock>, MemoryStore) {
    let clock = Arc::new(ManualClock(AtomicI64::new(1_700_000_000 * SECOND)));
    let store = MemoryStore::new(1_000, clock.clone());
    (clock, store)
}

fn instance(id: &str) -> Identity {
    Identity {
        instance: Some(id.to_owned()),
        user: Some(format!("user-of-{id}")),
        realm: Some("self-managed".to_owned()),
    }
}

const CHAT: &str = "
limits:
  - name: chat_per_instance
    per: instance
    unit_primitives: [duo_chat]
    requests: 60
    period: 1m
    burst: 10
";

fn allowed(q: &Quotas, s: &MemoryStore, who: &Identity, up: &str) -> bool {
    q.decide(s, who, up).expect("decide").allowed
}

#[test]
fn a_burst_is_admitted_at_once_then_one_request_per_emission_interval() {
    let q = quotas(CHAT);
    let (clock, s) = store();
    let who = instance("a");
    for i in 0..10 {
        assert!(
            allowed(&q, &s, &who, "duo_chat"),
            "request {i} of the burst"
        );
    }
    let denied = q.decide(&s, &who, "duo_chat").expect("decide");
    assert!(!denied.allowed);
    assert_eq!(denied.retry_after(), Duration::from_secs(1));
    // One microsecond short of the interval is still too early; the interval itself is not.
    clock.advance(SECOND - 1);
    assert!(!allowed(&q, &s, &who, "duo_chat"));
    clock.advance(1);
    assert!(allowed(&q, &s, &who, "duo_chat"));
    assert!(!allowed(&q, &s, &who, "duo_chat"));
    // After a long idle time the counter is full again: a whole burst, and no more.
    clock.advance(3_600 * SECOND);
    let admitted = (0..20)
        .filter(|_| allowed(&q, &s, &who, "duo_chat"))
        .count();
    assert_eq!(admitted, 10);
}

#[test]
fn over_a_long_run_exactly_the_rate_is_admitted() {
    let q = quotas(CHAT);
    let (clock, s) = store();
    let who = instance("a");
    let mut admitted = 0;
    // Ten requests a second for ten minutes: 10 (burst) + 60 per minute.
    for _ in 0..6_000 {
        admitted += usize::from(allowed(&q, &s, &who, "duo_chat"));
        clock.advance(SECOND / 10);
    }
    assert_eq!(admitted, 10 + 600 - 1);
}

#[test]
fn an_uneven_rate_rounds_the_interval_up_never_admitting_more() {
    let q = quotas(
        "limits: [{name: l, per: instance, unit_primitives: [duo_chat], requests: 7, period: 1s, burst: 1}]",
    );
    let (clock, s) = store();
    let who = instance("a");
    let mut admitted = 0;
    for _ in 0..1_000 {
        admitted += usize::from(allowed(&q, &s, &who, "duo_chat"));
        clock.advance(SECOND / 1_000);
    }
    assert_eq!(admitted, 7);
}

#[test]
fn burst_defaults_to_requests() {
    let q = quotas(
        "limits: [{name: l, per: user, unit_primitives: [duo_chat], requests: 5, period: 1h}]",
    );
    assert_eq!(q.limits()[0].rate.burst, 5);
    let (_, s) = store();
    let admitted = (0..15)
        .filter(|_| allowed(&q, &s, &instance("a"), "duo_chat"))
        .count();
    assert_eq!(admitted, 5);
}

#[test]
fn counters_are_per_key_and_per_unit_primitive() {
    let q = quotas(CHAT);
    let (_, s) = store();
    for _ in 0..10 {
        assert!(allowed(&q, &s, &instance("a"), "duo_chat"));
    }
    assert!(!allowed(&q, &s, &instance("a"), "duo_chat"));
    assert!(allowed(&q, &s, &instance("b"), "duo_chat"));
    // No limit covers code suggestions: always allowed, with no headers.
    let free = q
        .decide(&s, &instance("a"), "code_suggestions")
        .expect("decide");
    assert!(free.allowed && free.headers().is_empty());
    // A limit keyed by a part of the identity the caller lacks does not apply.
    let anonymous = Identity::default();
    assert!((0..20).all(|_| allowed(&q, &s, &anonymous, "duo_chat")));
}

#[test]
fn an_instance_override_replaces_the_rate_for_that_instance_only() {
    let q = quotas(
        r#"
limits:
  - name: chat
    per: user
    unit_primitives: [duo_chat]
    requests: 2
    period: 1m
    overrides:
      big: {requests: 5}
      wide: {burst: 1, period: 1h}
"#,
    );
    let rate = |id: &str| q.limits()[0].rate_for(Some(id));
    assert_eq!(
        rate("big"),
        Rate {
            requests: 5,
            period_seconds: 60,
            burst: 5
        }
    );
    assert_eq!(
        rate("wide"),
        Rate {
            requests: 2,
            period_seconds: 3_600,
            burst: 1
        }
    );
    assert_eq!(
        rate("other"),
        Rate {
            requests: 2,
            period_seconds: 60,
            burst: 2
        }
    );
    let (_, s) = store();
    let count = |id: &str| {
        (0..10)
            .filter(|_| allowed(&q, &s, &instance(id), "duo_chat"))
            .count()
    };
    assert_eq!((count("big"), count("wide"), count("other")), (5, 1, 2));
}

#[test]
fn a_denied_request_spends_nothing_on_the_limits_that_admitted_it() {
    let q = quotas(
        "
limits:
  - {name: wide, per: realm, unit_primitives: [duo_chat], requests: 3, period: 1h}
  - {name: narrow, per: instance, unit_primitives: [duo_chat], requests: 1, period: 1h}
",
    );
    let (_, s) = store();
    assert!(allowed(&q, &s, &instance("a"), "duo_chat"));
    // `narrow` denies a's next requests; `wide` must still have 2 left for b and c.
    for _ in 0..5 {
        let d = q.decide(&s, &instance("a"), "duo_chat").expect("decide");
        assert!(!d.allowed);
        assert_eq!(d.denied_by().map(|p| p.name.as_str()), Some("narrow"));
    }
    assert!(allowed(&q, &s, &instance("b"), "duo_chat"));
    assert!(allowed(&q, &s, &instance("c"), "duo_chat"));
    let d = q.decide(&s, &instance("d"), "duo_chat").expect("decide");
    assert_eq!(d.denied_by().map(|p| p.name.as_str()), Some("wide"));
}

#[test]
fn groups_expand_to_their_unit_primitives() {
    let catalog = Catalog::embedded();
    let up = catalog.unit_primitive("duo_chat").expect("duo_chat");
    let text = format!(
        "limits: [{{name: g, per: instance, groups: [{:?}], requests: 1, period: 1m}}]",
        up.group
    );
    let q = quotas(&text);
    assert!(q.limits()[0]
        .unit_primitives
        .contains(&"duo_chat".to_owned()));
}

#[test]
fn headers_follow_the_ratelimit_draft() {
    let q = quotas(CHAT);
    let (clock, s) = store();
    let who = instance("a");
    let first = q.decide(&s, &who, "duo_chat").expect("decide");
    assert_eq!(
        first.headers(),
        [
            (
                "RateLimit-Policy",
                "\"chat_per_instance\";q=60;w=60".to_owned()
            ),
            ("RateLimit", "\"chat_per_instance\";r=9;t=1".to_owned()),
        ]
    );
    for _ in 0..9 {
        q.decide(&s, &who, "duo_chat").expect("decide");
    }
    clock.advance(SECOND / 4);
    let denied = q.decide(&s, &who, "duo_chat").expect("decide");
    assert_eq!(
        denied.headers(),
        [
            (
                "RateLimit-Policy",
                "\"chat_per_instance\";q=60;w=60".to_owned()
            ),
            ("RateLimit", "\"chat_per_instance\";r=0;t=10".to_owned()),
            ("Retry-After", "1".to_owned()),
        ]
    );
    assert_eq!(denied.retry_after(), Duration::from_micros(750_000));
}

#[test]
fn the_memory_store_is_bounded_and_drops_idle_counters_first() {
    let q = quotas(
        "limits: [{name: l, per: instance, unit_primitives: [duo_chat], requests: 1, period: 1s}]",
    );
    let clock = Arc::new(ManualClock(AtomicI64::new(0)));
    let s = MemoryStore::new(100, clock.clone());
    for i in 0..100 {
        assert!(allowed(&q, &s, &instance(&format!("old{i}")), "duo_chat"));
    }
    assert_eq!(s.len(), 100);
    clock.advance(2 * SECOND);
    // The old counters have expired: room is made by dropping them, not the live ones.
    assert!(allowed(&q, &s, &instance("new"), "duo_chat"));
    assert_eq!(s.len(), 1);
    // A full store of live counters drops the ones closest to expiry, never growing past it.
    for i in 0..1_000 {
        clock.advance(1);
        allowed(&q, &s, &instance(&format!("live{i}")), "duo_chat");
        assert!(s.len() <= 100);
    }
    assert!(!allowed(&q, &s, &instance("live999"), "duo_chat"));
}

#[test]
fn redis_arguments_and_answers_round_trip_the_rule() {
    let q = quotas(CHAT);
    let a = q.checks(&instance("a"), "duo_chat");
    let b = q.checks(&instance("b"), "duo_chat");
    let (keys, argv) = redis_args(&[&a, &b]);
    assert_eq!(
        keys,
        [
            "cloud-connector:quota:chat_per_instance:instance:a",
            "cloud-connector:quota:chat_per_instance:instance:b"
        ]
    );
    assert_eq!(argv, [2, 1, SECOND, 10 * SECOND, 1, SECOND, 10 * SECOND]);
    let spent = redis_spent(&[9, 1, 5, 0, 7], &[&a, &b]).expect("shape");
    assert_eq!(spent.len(), 2);
    assert!(spent[0].admitted && !spent[1].admitted);
    assert_eq!((spent[0].now_micros, spent[1].now_micros), (9, 9));
    assert_eq!(
        (&spent[0].tats[..], &spent[1].tats[..]),
        (&[5][..], &[7][..])
    );
    // A request with no counters takes only its verdict.
    let none: Vec<Check> = Vec::new();
    let spent = redis_spent(&[9, 1, 1, 5], &[&none, &a]).expect("shape");
    assert!(spent[0].tats.is_empty() && spent[1].tats == [5]);
    for bad in [
        &[][..],
        &[9],
        &[9, 1],
        &[9, 2, 5, 1, 5],
        &[9, 1, 5, 1],
        &[9, 1, 5, 1, 5, 5],
    ] {
        let e = redis_spent(bad, &[&a, &b]).expect_err("out of shape");
        assert_eq!(e.code(), ErrorCode::QuotaStoreFailed);
    }
    assert!(REDIS_GCRA_SCRIPT.contains("redis.call('TIME')"));
}

/// The problems of `text`, as `(kind, record, field)` and the messages.
fn problems(text: &str) -> Vec<(ProblemKind, Option<String>, Option<String>, String)> {
    let e = Quotas::parse(text, "quotas.yml", Catalog::embedded()).expect_err("invalid");
    assert_eq!(e.code(), ErrorCode::QuotaInvalid);
    assert!(e.message().starts_with("quota file is invalid: "), "{e}");
    e.problems()
        .iter()
        .map(|p| {
            assert_eq!(p.file.as_deref(), Some("quotas.yml"));
            (p.kind, p.record.clone(), p.field.clone(), p.message.clone())
        })
        .collect()
}

fn one_problem(text: &str) -> (ProblemKind, Option<String>, String) {
    let mut found = problems(text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (kind, _, field, message) = found.remove(0);
    (kind, field, message)
}

fn limit_with(fields: &str) -> String {
    format!("limits: [{{name: l, per: instance, unit_primitives: [duo_chat], {fields}}}]")
}

#[test]
fn impossible_numbers_are_refused_with_the_option_rules_message() {
    let cases = [
        ("requests: 0, period: 1m", "requests", "requests must be a whole number of requests from 1 to 1000000; got 0"),
        ("requests: -5, period: 1m", "requests", "requests must be a whole number of requests from 1 to 1000000; got -5"),
        ("requests: .nan, period: 1m", "requests", "requests must be a whole number of requests from 1 to 1000000; got NaN"),
        ("requests: 1.5, period: 1m", "requests", "requests must be a whole number of requests from 1 to 1000000; got 1.5"),
        ("requests: 1e7, period: 1m", "requests", "requests must be a whole number of requests from 1 to 1000000; got 10000000"),
        ("requests: 10, period: 0s", "period", "period must be a whole number of seconds from 1 to 31536000; got 0 (from \"0s\")"),
        ("requests: 10, period: 0", "period", "period must be a whole number of seconds from 1 to 31536000; got 0"),
        ("requests: 10, period: -1", "period", "period must be a whole number of seconds from 1 to 31536000; got -1"),
        ("requests: 10, period: .inf", "period", "period must be a whole number of seconds from 1 to 31536000; got Infinity"),
        ("requests: 10, period: 400d", "period", "period must be a whole number of seconds from 1 to 31536000; got 34560000 (from \"400d\")"),
        ("requests: 10, period: 1m, burst: 0", "burst", "burst must be a whole number of requests from 1 to 1000000; got 0"),
    ];
    for (fields, field, message) in cases {
        let (kind, at, got) = one_problem(&limit_with(fields));
        assert_eq!(kind, ProblemKind::InvalidValue, "{fields}");
        assert_eq!(at.as_deref(), Some(field), "{fields}");
        assert_eq!(got, message, "{fields}");
    }
    for fields in [
        "requests: 10, period: 1x",
        "requests: 10, period: m",
        "requests: 10, period: -1m",
        "requests: 10, period: 1.5m",
    ] {
        let (kind, at, got) = one_problem(&limit_with(fields));
        assert_eq!(
            (kind, at.as_deref()),
            (ProblemKind::InvalidValue, Some("period")),
            "{fields}"
        );
        assert!(
            got.starts_with("period must be a whole number and a unit (s, m, h, d)"),
            "{got}"
        );
    }
    for fields in [
        "requests: '60', period: 1m",
        "requests: true, period: 1m",
        "requests: [1], period: 1m",
    ] {
        let (kind, at, _) = one_problem(&limit_with(fields));
        assert_eq!(
            (kind, at.as_deref()),
            (ProblemKind::WrongType, Some("requests")),
            "{fields}"
        );
    }
}

#[test]
fn unknown_keys_missing_fields_and_bad_references_are_each_reported_with_where() {
    let found = problems(
        r#"
limit: []
limits:
  - name: chat
    per: org
    unit_primitives: [duo_chat, duo_chat, no_such_thing]
    groups: ["group::nope"]
    requests: 60
    period: 1m
    brust: 5
  - name: "Bad Name"
    per: instance
    requests: 1
    period: 1s
  - {per: user, unit_primitives: [duo_chat]}
  - 42
  - name: chat
    per: realm
    unit_primitives: [duo_chat]
    requests: 1
    period: 1s
    overrides: {x: {requests: 2}}
  - name: over
    per: instance
    unit_primitives: [duo_chat]
    requests: 1
    period: 1s
    overrides: {x: {requests: 0, colour: red}, y: {}, z: 5}
"#,
    );
    let summary: Vec<(ProblemKind, Option<&str>, Option<&str>)> = found
        .iter()
        .map(|(k, r, f, _)| (*k, r.as_deref(), f.as_deref()))
        .collect();
    use ProblemKind::*;
    let expected = [
        (UnknownField, None, Some("limit")),
        (UnknownField, Some("chat"), Some("brust")),
        (InvalidValue, Some("chat"), Some("per")),
        (DuplicateEntry, Some("chat"), Some("unit_primitives")),
        (DanglingReference, Some("chat"), Some("unit_primitives")),
        (DanglingReference, Some("chat"), Some("groups")),
        (InvalidValue, Some("Bad Name"), Some("name")),
        (MissingField, Some("Bad Name"), Some("unit_primitives")),
        (MissingField, Some("limits[2]"), Some("name")),
        (MissingField, Some("limits[2]"), Some("requests")),
        (MissingField, Some("limits[2]"), Some("period")),
        (NotAMapping, Some("limits[3]"), None),
        (InvalidValue, Some("chat"), Some("overrides")),
        (UnknownField, Some("over"), Some("overrides.x.colour")),
        (InvalidValue, Some("over"), Some("overrides.x.requests")),
        (MissingField, Some("over"), Some("overrides.y")),
        (NotAMapping, Some("over"), Some("overrides.z")),
    ];
    for e in &expected {
        assert!(summary.contains(e), "missing {e:?} in {found:#?}");
    }
    assert_eq!(summary.len(), expected.len(), "{found:#?}");
}

#[test]
fn a_duplicate_limit_name_and_broken_documents_are_refused() {
    let (kind, _, _) = one_problem(
        "limits: [{name: a, per: user, unit_primitives: [duo_chat], requests: 1, period: 1s}, {name: a, per: realm, unit_primitives: [duo_chat], requests: 1, period: 1s}]",
    );
    assert_eq!(kind, ProblemKind::DuplicateName);
    assert_eq!(one_problem("").0, ProblemKind::EmptyFile);
    assert_eq!(one_problem("limits: [").0, ProblemKind::YamlSyntax);
    assert_eq!(one_problem("- 1").0, ProblemKind::NotAMapping);
    assert_eq!(one_problem("{}").0, ProblemKind::MissingField);
    assert_eq!(one_problem("limits: 3").0, ProblemKind::WrongType);
    let e = Quotas::load(
        std::path::Path::new("/nonexistent/quotas.yml"),
        Catalog::embedded(),
    )
    .expect_err("missing file");
    assert_eq!(e.problems()[0].kind, ProblemKind::Io);
    assert!(e.message().contains("/nonexistent/quotas.yml"), "{e}");
}

#[test]
fn the_readme_worked_example_is_a_valid_quota_file() {
    let readme = include_str!("../../../README.md");
    let section = &readme[readme.find("### Quotas at the edge").expect("section")..];
    let start = section.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
    let text = &section[start..start + section[start..].find("```").expect("end")];
    let q = quotas(text);
    let limit = &q.limits()[0];
    assert_eq!(
        (limit.name.as_str(), limit.per),
        ("chat_per_instance", KeyKind::Instance)
    );
    assert_eq!(
        limit.rate,
        Rate {
            requests: 60,
            period_seconds: 60,
            burst: 10
        }
    );
    assert_eq!(limit.overrides.values().next().map(|r| r.burst), Some(100));
}

#[test]
fn an_identity_takes_the_instance_claim_as_text_and_leaves_empty_parts_out() {
    let who = Identity::from_parts(&serde_json::json!(42), Some(""), "saas");
    assert_eq!(
        who,
        Identity {
            instance: Some("42".to_owned()),
            user: None,
            realm: Some("saas".to_owned()),
        }
    );
    let none = Identity::from_parts(&serde_json::Value::Null, None, "");
    assert_eq!(none, Identity::default());
    assert_eq!(
        Identity::of(&crate::auth::CloudConnectorUser::new(false)),
        Identity::default()
    );
}
