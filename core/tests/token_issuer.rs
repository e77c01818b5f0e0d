//! RB-TI-01 end to end: the catalog's entitlements signed as a Rails-style instance token, then
//! verified with the key ring's published JWKS.

use chrono::{TimeZone, Utc};
use cloud_connector::catalog::EntitlementRequest;
use cloud_connector::token::{verify, KeyRing, KeySet, TokenIssuer, Validation};
use cloud_connector::{Catalog, ErrorCode};
use serde_json::{json, Map, Value};

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn issuer(add_ons: &[&str]) -> TokenIssuer {
    let mut extra = Map::new();
    extra.insert("gitlab_instance_uid".into(), json!("uid-1"));
    extra.insert("iss".into(), json!("overridden-issuer"));
    TokenIssuer {
        issuer: "https://gitlab.com".into(),
        subject: "instance-uuid".into(),
        realm: "saas".into(),
        active_add_ons: add_ons.iter().map(|s| s.to_string()).collect(),
        ttl: 3600,
        extra_claims: extra.into(),
        ..Default::default()
    }
}

#[test]
fn scopes_and_audiences_come_from_the_catalog_and_the_token_verifies_with_the_published_jwks() {
    let mut ring = KeyRing::new(vec![]);
    ring.create_new_key().expect("generate key");
    let key = ring.current().expect("current key").clone();
    let catalog = Catalog::embedded();
    let issued = issuer(&["code_suggestions"])
        .issue_at(catalog, &key, NOW)
        .expect("issue");

    let grant = catalog
        .entitlements(
            &EntitlementRequest::with_add_ons(["duo_pro"]).at(Utc.timestamp_opt(NOW, 0).unwrap()),
        )
        .expect("entitlements");
    let (keys, bad) = KeySet::from_jwks(&ring.jwks()).expect("jwks");
    assert!(bad.is_empty());
    let v = Validation::new(["gitlab-ai-gateway"]);
    let verified = verify(&issued.token, &keys, &v, NOW).expect("verifies");
    let claims = &verified.claims;
    assert_eq!(claims["scopes"], json!(grant.scopes));
    assert_eq!(claims["aud"], json!(grant.audiences));
    assert!(claims["scopes"]
        .as_array()
        .expect("list")
        .contains(&json!("duo_chat")));
    assert_eq!(
        (
            claims["iat"].as_i64(),
            claims["nbf"].as_i64(),
            claims["exp"].as_i64()
        ),
        (Some(NOW), Some(NOW - 5), Some(NOW + 3600))
    );
    assert_eq!(claims["sub"], "instance-uuid");
    assert_eq!(claims["gitlab_realm"], "saas");
    // Extra claims are merged last and win.
    assert_eq!(claims["iss"], "overridden-issuer");
    assert_eq!(claims["gitlab_instance_uid"], "uid-1");
    assert!(claims["jti"].is_string());
    assert_eq!(
        verified.header["kid"],
        Value::String(key.thumbprint().to_owned())
    );
    assert_eq!(verified.header["alg"], "RS256");
    assert_eq!(verified.header["typ"], "JWT");
}

#[test]
fn with_no_paid_add_ons_only_free_unit_primitives_are_granted_and_a_token_is_still_issued() {
    let key = KeyRing::new(vec![]).create_new_key().expect("key").clone();
    let issued = issuer(&[])
        .issue_at(Catalog::embedded(), &key, NOW)
        .expect("issue");
    let scopes = issued.claims.scopes.clone();
    assert!(
        scopes.contains(&"security_scans".to_owned()) && !scopes.contains(&"duo_chat".to_owned())
    );
}

#[test]
fn bad_requests_are_typed_errors() {
    let key = KeyRing::new(vec![]).create_new_key().expect("key").clone();
    let mut bad = issuer(&[]);
    bad.ttl = 0;
    assert_eq!(
        bad.issue_at(Catalog::embedded(), &key, NOW)
            .expect_err("ttl")
            .code(),
        ErrorCode::InvalidArgument
    );
    let mut bad = issuer(&[]);
    bad.license_type = Some("gold".into());
    assert_eq!(
        bad.issue_at(Catalog::embedded(), &key, NOW)
            .expect_err("licence")
            .code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn claims_at_are_the_claims_issue_at_signs() {
    let mut ring = KeyRing::new(vec![]);
    ring.create_new_key().expect("generate key");
    let key = ring.current().expect("current key").clone();
    let catalog = Catalog::embedded();
    let request = issuer(&["duo_pro"]);
    let unsigned = request.claims_at(catalog, NOW).expect("claims");
    let issued = request.issue_at(catalog, &key, NOW).expect("issue");
    // Everything but the random jti agrees.
    let strip = |c: &cloud_connector::token::JsonWebToken| {
        let mut c = c.clone();
        c.id = String::new();
        c
    };
    assert_eq!(strip(&unsigned), strip(&issued.claims));
    let bad = TokenIssuer {
        ttl: 0,
        ..issuer(&[])
    };
    assert_eq!(
        bad.claims_at(catalog, NOW).expect_err("ttl 0").code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn an_absurd_ttl_is_an_error_or_a_saturated_claim_never_a_panic() {
    let key = KeyRing::new(vec![]).create_new_key().expect("key").clone();
    for ttl in [i64::MAX, i64::MAX / 2, 400_000_000_000] {
        let mut bad = issuer(&[]);
        bad.ttl = ttl;
        let err = bad
            .issue_at(Catalog::embedded(), &key, NOW)
            .expect_err("out of range");
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "{ttl}");
    }
    let t = cloud_connector::token::JsonWebToken::new_at(
        "i",
        cloud_connector::token::Audience::One("a".into()),
        "s",
        "saas",
        vec![],
        i64::MAX,
        Map::new(),
        i64::MIN,
    );
    assert_eq!(t.not_before, i64::MIN);
    assert_eq!(t.expires_at, -1);
}
