use super::*;
use crate::auth::CompositeConfig;
use crate::token::Algorithm;
use crate::ErrorCode;

fn args(pairs: &[(&str, Arg)]) -> Args {
    Args::from_pairs(pairs.iter().map(|(n, v)| (n.to_string(), v.clone())))
}

fn message(result: crate::Result<impl std::fmt::Debug>) -> String {
    let e = result.expect_err("must be refused");
    assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    e.message().to_owned()
}

#[test]
fn nothing_set_is_the_default_config() {
    assert_eq!(
        composite_config(&Args::new()).expect("defaults"),
        CompositeConfig::default()
    );
}

#[test]
fn a_caller_spelling_in_camel_case_or_an_alias_names_the_same_option() {
    for name in [
        "ttl_seconds",
        "ttlSeconds",
        "expiry_seconds",
        "expirySeconds",
    ] {
        let c = composite_config(&args(&[(name, Arg::Int(60))])).expect(name);
        assert_eq!(c.ttl.as_secs(), 60, "{name}");
    }
    let m = message(composite_config(&args(&[("ttl", Arg::Int(60))])));
    assert!(
        m.starts_with("unknown option \"ttl\" for the composite provider"),
        "{m}"
    );
}

#[test]
fn non_finite_huge_negative_and_wrongly_typed_numbers_are_refused_never_a_panic() {
    let bad = [
        Arg::Float(f64::NAN),
        Arg::Float(f64::INFINITY),
        Arg::Float(f64::NEG_INFINITY),
        Arg::Float(1e300),
        Arg::Int(i64::MAX),
        Arg::Int(-1),
        Arg::Float(-0.5),
        Arg::Str("30".into()),
        Arg::Bool(true),
        Arg::List(vec![]),
        Arg::Other,
    ];
    for option in [
        "ttl_seconds",
        "retry_after_failure_seconds",
        "unknown_kid_cooldown_seconds",
        "token_cache_size",
        "leeway",
        "max_token_size",
    ] {
        for value in &bad {
            let m = message(composite_config(&args(&[(option, value.clone())])));
            assert!(m.starts_with(&format!("{option} must be a ")), "{m}");
            assert!(m.ends_with(&format!("; got {value}")), "{m}");
        }
    }
    for value in &bad {
        message(http_config(&args(&[("timeout_seconds", value.clone())])));
    }
}

#[test]
fn the_message_names_the_range_and_shows_the_value_as_given() {
    assert_eq!(
        message(composite_config(&args(&[(
            "unknown_kid_cooldown_seconds",
            Arg::Float(f64::NAN)
        )]))),
        "unknown_kid_cooldown_seconds must be a number of seconds from 0.01 to 86400; got NaN"
    );
    assert_eq!(
        message(composite_config(&args(&[(
            "ttl_seconds",
            Arg::Float(1e300)
        )]))),
        "ttl_seconds must be a number of seconds from 1 to 31536000; got 1e300"
    );
    assert_eq!(
        message(composite_config(&args(&[(
            "token_cache_size",
            Arg::Float(1.5)
        )]))),
        "token_cache_size must be a whole number of entries from 0 to 10000000; got 1.5"
    );
    assert_eq!(
        message(composite_config(&args(&[("leeway", Arg::Str("5".into()))]))),
        "leeway must be a whole number of seconds from 0 to 86400; got \"5\""
    );
}

#[test]
fn zero_is_refused_where_it_would_switch_a_protection_off() {
    message(composite_config(&args(&[(
        "unknown_kid_cooldown_seconds",
        Arg::Int(0),
    )])));
    message(http_config(&args(&[("timeout_seconds", Arg::Int(0))])));
    let c = composite_config(&args(&[("token_cache_size", Arg::Int(0))])).expect("0 disables");
    assert_eq!(c.token_cache_capacity, 0);
}

#[test]
fn algorithms_audiences_and_flags() {
    let list = |names: &[&str]| Arg::List(names.iter().map(|n| Arg::Str(n.to_string())).collect());
    let c = composite_config(&args(&[
        ("algorithms", list(&["RS256", "ES256"])),
        ("audiences", Arg::Str("gitlab-ai-gateway".into())),
        ("bypass_signature", Arg::Bool(false)),
        ("issuer", Arg::Str("https://gitlab.com".into())),
    ]))
    .expect("valid");
    assert_eq!(c.algorithms, [Algorithm::RS256, Algorithm::ES256]);
    assert_eq!(c.audiences, Some(vec!["gitlab-ai-gateway".to_owned()]));
    assert!(c.verify_signature);
    assert_eq!(
        message(composite_config(&args(&[("algorithms", list(&["HS256"]))]))),
        "algorithms: unsupported algorithm \"HS256\"; supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, EdDSA"
    );
    for bad in [
        list(&[]),
        list(&["none"]),
        list(&["rs256"]),
        Arg::Str("RS256".into()),
    ] {
        message(composite_config(&args(&[("algorithms", bad)])));
    }
    for bad in [list(&[]), list(&[""]), Arg::Int(1)] {
        message(composite_config(&args(&[("audiences", bad)])));
    }
    message(composite_config(&args(&[(
        "bypass_signature",
        Arg::Int(1),
    )])));
    assert_eq!(
        parse_access(&Arg::Str("free".into()))
            .expect("free")
            .as_str(),
        "free"
    );
    assert_eq!(
        message(parse_access(&Arg::Str("cheap".into()))),
        "access must be \"free\" or \"paid\"; got \"cheap\""
    );
}

#[test]
fn a_null_value_is_an_option_left_unset() {
    let c = composite_config(&args(&[("ttl_seconds", Arg::Null)])).expect("unset");
    assert_eq!(c.ttl, CompositeConfig::default().ttl);
}

#[test]
fn a_key_sets_verify_policy_needs_audiences_and_shares_the_composites_checks() {
    let (v, now) = validation(&args(&[
        ("audience", Arg::Str("gitlab-ai-gateway".into())),
        ("leeway", Arg::Int(5)),
        ("verify_signature", Arg::Bool(false)),
        ("now", Arg::Int(1_700_000_000)),
    ]))
    .expect("valid");
    assert_eq!(now, 1_700_000_000);
    assert_eq!(v.audiences, ["gitlab-ai-gateway"]);
    assert_eq!(v.leeway, 5);
    assert!(!v.verify_signature);
    let (none, _) = validation(&Args::new()).expect("no audience: every token refused later");
    assert!(none.audiences.is_empty());
    assert_eq!(
        message(validation(&args(&[("audiences", Arg::List(vec![]))]))),
        "audiences must name at least one audience"
    );
    message(validation(&args(&[
        ("audiences", Arg::Str("a".into())),
        ("max_token_size", Arg::Float(f64::INFINITY)),
    ])));
}
