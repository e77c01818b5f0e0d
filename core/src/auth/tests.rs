//! Provider, cache and `authenticate` tests against a real HTTP server on 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::test_server::{dead_url, Route, TestServer};
use super::*;
use crate::token::tests::{rs256, RSA_A, RSA_B, RSA_C};
use crate::token::{SigningKey, TokenAuthority, UserTokenClaims};
use crate::ErrorCode;

const DISCOVERY: &str = "/.well-known/openid-configuration";
const NOW: i64 = 1_700_000_000;
const SVC: &str = "gitlab-ai-gateway";

fn key(pem: &str) -> SigningKey {
    SigningKey::from_pem(pem).unwrap()
}

fn jwks(keys: &[(&SigningKey, &str)]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(k, kid)| Value::Object((**k.verifying_key()).clone().with_kid(*kid).to_jwk()))
        .collect();
    json!({ "keys": keys })
}

fn token(k: &SigningKey, kid: Option<&str>) -> String {
    let header = match kid {
        Some(kid) => json!({"alg": "RS256", "typ": "JWT", "kid": kid}),
        None => json!({"alg": "RS256", "typ": "JWT"}),
    };
    rs256(
        k,
        header,
        json!({"aud": SVC, "sub": "instance", "gitlab_realm": "saas", "scopes": ["duo_chat"]}),
    )
}

fn http(timeout_ms: u64) -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_millis(timeout_ms),
        ca_bundle: None,
    }
}

fn oidc(name: &str, base: &str) -> Arc<dyn KeySource> {
    Arc::new(OidcProvider::new(name, base, http(2000)))
}

fn composite(sources: Vec<Arc<dyn KeySource>>) -> CompositeProvider {
    CompositeProvider::new(sources, CompositeConfig::default())
}

fn code<T: std::fmt::Debug>(r: crate::Result<T>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn order_is_local_then_gitlab_then_customers_dot() {
    let (b, c) = (key(RSA_B), key(RSA_C));
    let gitlab = TestServer::start();
    gitlab.oidc(&jwks(&[(&b, "gl")]));
    let cdot = TestServer::start();
    cdot.oidc(&jwks(&[(&c, "cd")]));
    let local: Arc<dyn KeySource> =
        Arc::new(LocalAuthProvider::new(RSA_A, RSA_B).with_service_name(SVC));
    let p = composite(vec![
        local,
        oidc("Gitlab", &gitlab.base_url()),
        oidc("CustomersDot", &cdot.base_url()),
    ]);
    let kids: Vec<String> = p.key_set().kids().into_iter().flatten().collect();
    assert_eq!(
        kids,
        [
            format!("{SVC}_signing_key"),
            format!("{SVC}_validation_key"),
            "gl".into(),
            "cd".into()
        ]
    );
    assert!(p.ready());
    for t in [
        token(&key(RSA_A), None),
        token(&b, Some("gl")),
        token(&c, Some("cd")),
        token(&c, None),
    ] {
        assert!(p.verify_at(&t, &[SVC], NOW, Wait::MayLoad).is_ok());
    }
    assert_eq!(gitlab.hits(DISCOVERY), 1);
    assert_eq!(gitlab.hits("/jwks"), 1);
    assert_eq!(
        code(p.verify_at(&token(&c, Some("gl")), &[SVC], NOW, Wait::MayLoad)),
        ErrorCode::InvalidSignature
    );
}

#[test]
fn provider_down_at_start() {
    let local: Arc<dyn KeySource> =
        Arc::new(LocalAuthProvider::new(RSA_A, "").with_service_name(SVC));
    let p = composite(vec![local, oidc("Gitlab", &dead_url())]);
    assert!(
        !p.ready(),
        "a provider that never answered keeps readiness false"
    );
    assert!(
        p.verify_at(&token(&key(RSA_A), None), &[SVC], NOW, Wait::MayLoad)
            .is_ok(),
        "the other provider still works"
    );
}

#[test]
fn broken_responses_affect_only_their_provider() {
    let good = TestServer::start();
    let b = key(RSA_B);
    good.oidc(&jwks(&[(&b, "b")]));
    type Setup = Box<dyn Fn(&TestServer)>;
    let cases: Vec<Setup> = vec![
        Box::new(|s| s.route(DISCOVERY, Route::Json(500, "{}".into()))),
        Box::new(|s| s.route(DISCOVERY, Route::Json(200, "<html>not json".into()))),
        Box::new(|s| {
            s.route(
                DISCOVERY,
                Route::Json(200, json!({"issuer": "x"}).to_string()),
            )
        }),
        Box::new(|s| {
            s.route(
                DISCOVERY,
                Route::Json(200, json!({"jwks_uri": ""}).to_string()),
            )
        }),
        Box::new(|s| {
            s.oidc(&json!({"keys": []}));
        }),
        Box::new(|s| {
            s.oidc(&json!({"nokeys": 1}));
        }),
        Box::new(|s| s.route(DISCOVERY, Route::Drop)),
    ];
    for (i, setup) in cases.iter().enumerate() {
        let bad = TestServer::start();
        setup(&bad);
        let p = composite(vec![
            oidc("Gitlab", &bad.base_url()),
            oidc("CustomersDot", &good.base_url()),
        ]);
        assert!(!p.ready(), "case {i}");
        assert!(
            p.verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::MayLoad)
                .is_ok(),
            "case {i}"
        );
        assert_eq!(
            bad.hits(DISCOVERY),
            1,
            "case {i}: one discovery request per refresh"
        );
    }
}

#[test]
fn slow_provider_times_out() {
    let slow = TestServer::start();
    slow.route(
        DISCOVERY,
        Route::Slow(Duration::from_millis(1500), "{}".into()),
    );
    let source = OidcProvider::new("Gitlab", &slow.base_url(), http(200));
    assert_eq!(code(source.load()), ErrorCode::JwksFetchFailed);
}

#[test]
fn fetch_error_codes() {
    let s = TestServer::start();
    let source = OidcProvider::new("Gitlab", &s.base_url(), http(2000));
    s.route(DISCOVERY, Route::Json(500, "{}".into()));
    assert_eq!(code(source.load()), ErrorCode::JwksFetchFailed);
    s.route(DISCOVERY, Route::Json(200, "garbage".into()));
    assert_eq!(code(source.load()), ErrorCode::JwksInvalid);
    s.route(DISCOVERY, Route::Json(200, "{}".into()));
    assert_eq!(code(source.load()), ErrorCode::JwksInvalid);
    s.oidc(&json!({"keys": "x"}));
    assert_eq!(code(source.load()), ErrorCode::JwksInvalid);
    let bad_ca = HttpConfig {
        timeout: Duration::from_secs(1),
        ca_bundle: Some("/nonexistent/ca.pem".into()),
    };
    assert_eq!(
        code(OidcProvider::new("Gitlab", &s.base_url(), bad_ca).load()),
        ErrorCode::JwksFetchFailed
    );
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here").unwrap();
    let empty_ca = HttpConfig {
        timeout: Duration::from_secs(1),
        ca_bundle: Some(empty),
    };
    assert_eq!(
        code(OidcProvider::new("Gitlab", &s.base_url(), empty_ca).load()),
        ErrorCode::JwksFetchFailed
    );
}

#[test]
fn last_good_keys_survive_a_failed_refresh() {
    let s = TestServer::start();
    let b = key(RSA_B);
    s.oidc(&jwks(&[(&b, "b")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    assert!(p.ready());
    for broken in [
        Route::Json(500, "{}".into()),
        Route::Drop,
        Route::Json(200, "[]".into()),
    ] {
        s.route(DISCOVERY, broken);
        p.refresh();
        assert!(
            p.ready(),
            "readiness stays true once the provider has answered"
        );
        assert!(p
            .verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::MayLoad)
            .is_ok());
    }
}

#[test]
fn new_kid_is_picked_up_without_restart_and_rate_limited() {
    let s = TestServer::start();
    let (a, b, c) = (key(RSA_A), key(RSA_B), key(RSA_C));
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    assert!(p
        .verify_at(&token(&a, Some("a")), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    assert_eq!(s.hits("/jwks"), 1);
    // The issuer publishes a new key and starts signing with it.
    s.oidc(&jwks(&[(&a, "a"), (&b, "b")]));
    assert!(p
        .verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    assert_eq!(s.hits("/jwks"), 2, "one refresh for the unknown kid");
    // Another unknown kid inside the cooldown: rejected with no network I/O.
    s.oidc(&jwks(&[(&a, "a"), (&b, "b"), (&c, "c")]));
    assert_eq!(
        code(p.verify_at(&token(&c, Some("c")), &[SVC], NOW, Wait::MayLoad)),
        ErrorCode::UnknownKey
    );
    assert_eq!(s.hits("/jwks"), 2);
}

#[test]
fn verify_held_never_loads_or_refreshes() {
    let s = TestServer::start();
    let (a, b) = (key(RSA_A), key(RSA_B));
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    let ta = token(&a, Some("a"));
    // Nothing held yet: an error, and no request was made.
    assert_eq!(
        code(p.verify_at(&ta, &[SVC], NOW, Wait::HeldOnly)),
        ErrorCode::ProviderUnavailable
    );
    assert_eq!(s.hits(DISCOVERY), 0);
    p.refresh();
    assert_eq!(s.hits("/jwks"), 1);
    assert!(p.verify_at(&ta, &[SVC], NOW, Wait::HeldOnly).is_ok());
    assert_eq!(p.cached_tokens(), 1, "the token cache is filled");
    assert!(p.verify_at(&ta, &[SVC], NOW, Wait::HeldOnly).is_ok());
    // An unknown kid is refused at once, with no refresh.
    s.oidc(&jwks(&[(&a, "a"), (&b, "b")]));
    assert_eq!(
        code(p.verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::HeldOnly)),
        ErrorCode::UnknownKey
    );
    assert_eq!(s.hits("/jwks"), 1);
    // The claims are still checked.
    assert_eq!(
        code(p.verify_at(&ta, &["other"], NOW, Wait::HeldOnly)),
        ErrorCode::AudienceMismatch
    );
    // The waiting verify still picks the new key up.
    assert!(p
        .verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    assert_eq!(s.hits("/jwks"), 2);
}

#[test]
fn unknown_kid_storm_fetches_at_most_once_per_cooldown() {
    let s = TestServer::start();
    let (a, c) = (key(RSA_A), key(RSA_C));
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    assert!(p.ready());
    let tokens: Vec<String> = (0..1000)
        .map(|i| token(&c, Some(&format!("random-{i}"))))
        .collect();
    let tokens = Arc::new(tokens);
    let threads: Vec<_> = (0..50)
        .map(|t| {
            let (p, tokens) = (p.clone(), Arc::clone(&tokens));
            std::thread::spawn(move || {
                (0..20)
                    .map(|i| {
                        p.verify_at(&tokens[t * 20 + i], &[SVC], NOW, Wait::MayLoad)
                            .unwrap_err()
                            .code()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        assert!(t
            .join()
            .unwrap()
            .iter()
            .all(|c| *c == ErrorCode::UnknownKey));
    }
    assert!(
        s.hits("/jwks") <= 2,
        "initial load plus at most one unknown-kid refresh, got {}",
        s.hits("/jwks")
    );
    assert!(s.hits(DISCOVERY) <= 2);
}

#[test]
fn expired_key_set_refreshes_in_background_and_serves_held_keys() {
    let s = TestServer::start();
    let (a, b) = (key(RSA_A), key(RSA_B));
    s.oidc(&jwks(&[(&a, "a")]));
    let config = CompositeConfig {
        ttl: Duration::ZERO,
        ..Default::default()
    };
    let p = CompositeProvider::new(vec![oidc("Gitlab", &s.base_url())], config);
    assert!(p.ready());
    s.oidc(&jwks(&[(&b, "b")]));
    // The held set still verifies while the due refresh runs.
    assert!(p
        .verify_at(&token(&a, Some("a")), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    p.refresh();
    assert!(p
        .verify_at(&token(&b, None), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    assert_eq!(
        code(p.verify_at(&token(&a, None), &[SVC], NOW, Wait::MayLoad)),
        ErrorCode::InvalidSignature
    );
}

#[test]
fn verified_token_cache() {
    let s = TestServer::start();
    let (a, b) = (key(RSA_A), key(RSA_B));
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    let t = rs256(
        &a,
        json!({"alg": "RS256", "kid": "a"}),
        json!({"aud": SVC, "exp": NOW + 10}),
    );
    assert!(p.verify_at(&t, &[SVC], NOW, Wait::MayLoad).is_ok());
    assert_eq!(p.cached_tokens(), 1);
    assert!(
        p.verify_at(&t, &[SVC], NOW, Wait::MayLoad).is_ok(),
        "cache hit"
    );
    assert_eq!(
        code(p.verify_at(&t, &["other"], NOW, Wait::MayLoad)),
        ErrorCode::AudienceMismatch,
        "claims re-checked on a hit"
    );
    assert_eq!(
        code(p.verify_at(&t, &[SVC], NOW + 11, Wait::MayLoad)),
        ErrorCode::TokenExpired,
        "never valid past exp"
    );
    assert_eq!(p.cached_tokens(), 0, "an expired hit is dropped");
    assert!(p.verify_at(&t, &[SVC], NOW, Wait::MayLoad).is_ok());
    s.oidc(&jwks(&[(&b, "b")]));
    p.refresh();
    assert_eq!(p.cached_tokens(), 0, "a key set change clears the cache");
    assert_eq!(
        code(p.verify_at(&t, &[SVC], NOW, Wait::MayLoad)),
        ErrorCode::UnknownKey
    );
}

/// The cache answers only for the token it holds, byte for byte: the cached token's signature
/// on another payload (the same signature segment, so the same cache slot) is refused as a bad
/// signature, cached or not, and leaves the cached token in place; a hit re-checks `nbf`.
#[test]
fn a_cached_signature_on_another_payload_is_refused() {
    let a = key(RSA_A);
    let source: Arc<dyn KeySource> =
        Arc::new(StaticJwksProvider::from_json("jwks", &jwks(&[(&a, "a")]).to_string()).unwrap());
    let p = composite(vec![source]);
    let t = rs256(
        &a,
        json!({"alg": "RS256", "kid": "a"}),
        json!({"aud": SVC, "sub": "alice", "nbf": NOW - 10, "exp": NOW + 10}),
    );
    assert!(p.verify_at(&t, &[SVC], NOW, Wait::MayLoad).is_ok());
    let other = rs256(
        &a,
        json!({"alg": "RS256", "kid": "a"}),
        json!({"aud": SVC, "sub": "mallory", "nbf": NOW - 10, "exp": NOW + 10}),
    );
    let (_, signature) = t.rsplit_once('.').unwrap();
    let (signing_input, _) = other.rsplit_once('.').unwrap();
    let forged = format!("{signing_input}.{signature}");
    assert!(p.verify_cached(&forged, &[SVC]).is_none(), "not a hit");
    for _ in 0..2 {
        assert_eq!(
            code(p.verify_at(&forged, &[SVC], NOW, Wait::MayLoad)),
            ErrorCode::InvalidSignature
        );
    }
    assert_eq!(p.cached_tokens(), 1, "the forgery is never cached");
    let hit = p.verify_at(&t, &[SVC], NOW, Wait::MayLoad).unwrap();
    assert_eq!(hit.user().subject, "alice");
    assert_eq!(
        code(p.verify_at(&t, &[SVC], NOW - 11, Wait::MayLoad)),
        ErrorCode::TokenNotYetValid,
        "nbf re-checked on a hit"
    );
}

#[test]
fn a_cached_token_is_mapped_to_user_claims_once() {
    let s = TestServer::start();
    let a = key(RSA_A);
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    let t = token(&a, Some("a"));
    let first = p.verify(&t, &[SVC]).unwrap();
    assert_eq!(first.user().subject, "instance");
    assert_eq!(first.user().scopes, ["duo_chat"]);
    let hit = p.verify_cached(&t, &[SVC]).unwrap();
    let again = p.verify(&t, &[SVC]).unwrap();
    for v in [&hit, &again] {
        assert!(
            Arc::ptr_eq(&v.user(), &first.user()),
            "a hit shares the entry's user claims"
        );
        assert!(Arc::ptr_eq(&v.claims, &first.claims));
    }
    let u = p.authenticate_for(&t, &[SVC]).unwrap();
    assert!(Arc::ptr_eq(u.claims.as_ref().unwrap(), &first.user()));

    // Without a cache every verification maps its own claims, to the same fields.
    let config = CompositeConfig {
        token_cache_capacity: 0,
        ..CompositeConfig::default()
    };
    let uncached = CompositeProvider::new(vec![oidc("Gitlab", &s.base_url())], config);
    let one = uncached.verify(&t, &[SVC]).unwrap();
    let two = uncached.verify(&t, &[SVC]).unwrap();
    assert!(!Arc::ptr_eq(&one.user(), &two.user()));
    assert!(
        Arc::ptr_eq(&one.user(), &one.user()),
        "mapped once, then kept"
    );
    assert_eq!(one.user(), first.user());
    assert_eq!(one.user_ref().to_user_claims(), *first.user());
    assert!(uncached.verify_cached(&t, &[SVC]).is_none());
}

#[test]
fn no_keys_is_a_critical_error_even_in_bypass_mode() {
    for verify_signature in [true, false] {
        let config = CompositeConfig {
            verify_signature,
            ..Default::default()
        };
        let local: Arc<dyn KeySource> =
            Arc::new(LocalAuthProvider::new("", "").with_service_name(SVC));
        let p = CompositeProvider::new(vec![local], config);
        let err = p
            .verify_at(&token(&key(RSA_A), None), &[SVC], NOW, Wait::MayLoad)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::ProviderUnavailable);
        assert_eq!(err.message(), NO_KEYS_MESSAGE);
    }
}

#[test]
fn signature_bypass_mode() {
    let local: Arc<dyn KeySource> =
        Arc::new(LocalAuthProvider::new(RSA_A, "").with_service_name(SVC));
    let config = CompositeConfig {
        verify_signature: false,
        ..Default::default()
    };
    let p = CompositeProvider::new(vec![local], config);
    let forged = token(&key(RSA_C), None);
    assert!(p.verify_at(&forged, &[SVC], NOW, Wait::MayLoad).is_ok());
    let no_aud = rs256(
        &key(RSA_C),
        json!({"alg": "HS256"}),
        json!({"exp": NOW - 1, "aud": SVC}),
    );
    assert_eq!(
        code(p.verify_at(&no_aud, &[SVC], NOW, Wait::MayLoad)),
        ErrorCode::TokenExpired
    );
}

#[test]
fn static_jwks_provider_in_composite() {
    let b = key(RSA_B);
    let source: Arc<dyn KeySource> =
        Arc::new(StaticJwksProvider::from_json("file", &jwks(&[(&b, "b")]).to_string()).unwrap());
    let p = composite(vec![source]);
    assert!(
        p.cached_key_set().is_none(),
        "nothing is loaded until asked"
    );
    assert!(p.ready());
    assert_eq!(p.cached_key_set().unwrap().len(), 1);
    assert!(p
        .verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    assert_eq!(p.jwks()["keys"][0]["kid"], "b");
}

// ---- authenticate (python-api.md §3, PY-AUTH-*) ----

struct Stub(CloudConnectorUser);

impl AuthProvider for Stub {
    fn authenticate(&self, _token: &str) -> crate::Result<CloudConnectorUser> {
        Ok(self.0.clone())
    }
}

fn claims(realm: &str, instance: Value, sub: &str, iss: &str) -> UserClaims {
    UserClaims {
        gitlab_realm: realm.into(),
        gitlab_instance_id: instance,
        subject: sub.into(),
        issuer: iss.into(),
        scopes: vec!["duo_chat".into()],
        ..Default::default()
    }
}

fn ok_user(c: UserClaims) -> Stub {
    Stub(CloudConnectorUser {
        authenticated: true,
        claims: Some(std::sync::Arc::new(c)),
        ..Default::default()
    })
}

const BASE: [(&str, &str); 5] = [
    ("Authorization", "Bearer t"),
    ("X-Gitlab-Authentication-Type", "oidc"),
    ("X-Gitlab-Realm", "saas"),
    ("X-Gitlab-Instance-Id", "inst"),
    ("X-Gitlab-Global-User-Id", "user"),
];

fn run(headers: &[(&str, &str)], provider: &dyn AuthProvider) -> AuthOutcome {
    authenticate(headers.iter().copied(), Some(provider), false, Some(SVC)).unwrap()
}

fn without(name: &str) -> Vec<(&'static str, &'static str)> {
    BASE.iter().copied().filter(|(k, _)| *k != name).collect()
}

fn with(name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut h = without(name);
    h.push((name, value));
    h
}

#[test]
fn bypass_needs_no_provider() {
    let out = authenticate([("x-gitlab-global-user-id", "42")], None, true, None).unwrap();
    assert!(out.user.authenticated && out.user.is_debug);
    assert_eq!(out.user.global_user_id.as_deref(), Some("42"));
    assert_eq!(out.user.claims, None);
    assert_eq!(out.error, None);
}

#[test]
fn early_rejections() {
    let p = ok_user(claims("saas", json!("inst"), "inst", "gitlab"));
    let out = run(&without("Authorization"), &p);
    assert_eq!(out.error.as_deref(), Some(NO_AUTHORIZATION_HEADER));
    assert_eq!((out.user.claims, out.user.global_user_id), (None, None));
    for bad in ["invalid", "Basic abc", "Bearerx t"] {
        let out = run(&with("Authorization", bad), &p);
        assert_eq!(
            out.error.as_deref(),
            Some(INVALID_AUTHORIZATION_HEADER),
            "{bad}"
        );
        assert_eq!(out.user.claims, None);
    }
    for auth_type in [None, Some("OIDC"), Some("jwt")] {
        let h = match auth_type {
            None => without("X-Gitlab-Authentication-Type"),
            Some(t) => with("X-Gitlab-Authentication-Type", t),
        };
        let out = run(&h, &p);
        assert_eq!(out.error.as_deref(), Some(INVALID_AUTHENTICATION_TYPE));
        assert_eq!(
            out.user.claims,
            Some(Default::default()),
            "empty claims, not None"
        );
        assert_eq!(out.user.global_user_id.as_deref(), Some("user"));
    }
    let out = run(&BASE, &Stub(CloudConnectorUser::new(false)));
    assert_eq!(out.error.as_deref(), Some(FORBIDDEN_BY_AUTH_PROVIDER));
    assert_eq!(out.user.claims, Some(Default::default()));
    assert!(!out.user.authenticated);
}

#[test]
fn scheme_is_case_insensitive_and_headers_too() {
    let p = ok_user(claims("saas", json!("inst"), "inst", "gitlab"));
    let lower: Vec<(String, &str)> = BASE.iter().map(|(k, v)| (k.to_lowercase(), *v)).collect();
    let out = authenticate(
        lower.iter().map(|(k, v)| (k.as_str(), *v)),
        Some(&p),
        false,
        Some(SVC),
    )
    .unwrap();
    assert_eq!(out.error, None);
    assert!(run(&with("Authorization", "BEARER t"), &p).error.is_none());
    assert!(
        run(&with("Authorization", "Bearer"), &p).error.is_none(),
        "empty token reaches the provider"
    );
}

#[test]
fn header_claim_consistency() {
    let msg = |c: UserClaims, h: &[(&str, &str)]| run(h, &ok_user(c)).error;
    let realm = "Header mismatch 'X-Gitlab-Realm'";
    let instance = "Header mismatch 'X-Gitlab-Instance-Id'";
    let user = "Header mismatch 'X-Gitlab-Global-User-Id'";
    assert_eq!(
        msg(claims("saas", json!("inst"), "inst", "gitlab"), &BASE),
        None
    );
    assert_eq!(
        msg(claims("self-managed", json!("inst"), "inst", "g"), &BASE).as_deref(),
        Some(realm)
    );
    assert_eq!(
        msg(claims("saas", json!("other"), "inst", "g"), &BASE).as_deref(),
        Some(instance)
    );
    assert_eq!(
        msg(
            claims("saas", json!("inst"), "inst", "g"),
            &without("X-Gitlab-Instance-Id")
        )
        .as_deref(),
        Some(instance)
    );
    assert_eq!(
        msg(
            claims("saas", json!(5), "", "g"),
            &with("X-Gitlab-Instance-Id", "5")
        )
        .as_deref(),
        Some(instance)
    );
    // Order: realm first.
    assert_eq!(
        msg(claims("x", json!("y"), "z", "g"), &BASE).as_deref(),
        Some(realm)
    );
    // Subject against the instance id for a foreign token, against the user id for our own.
    assert_eq!(
        msg(claims("saas", json!("inst"), "user", "g"), &BASE).as_deref(),
        Some(instance)
    );
    assert_eq!(msg(claims("saas", json!("inst"), "user", SVC), &BASE), None);
    assert_eq!(
        msg(claims("saas", json!("inst"), "inst", SVC), &BASE).as_deref(),
        Some(user)
    );
    assert_eq!(
        msg(
            claims("saas", json!("inst"), "user", SVC),
            &without("X-Gitlab-Global-User-Id")
        )
        .as_deref(),
        Some(user)
    );
    // Empty claims are not checked, whatever the headers say.
    assert_eq!(
        msg(
            claims("", json!(""), "", ""),
            &with("X-Gitlab-Realm", "anything")
        ),
        None
    );
    let out = run(
        &with("X-Gitlab-Realm", "other"),
        &ok_user(claims("saas", json!("inst"), "inst", "g")),
    );
    assert_eq!(
        out.user.claims.unwrap().gitlab_realm,
        "saas",
        "real claims on a header mismatch"
    );
}

#[test]
fn success_and_seat_count_is_log_only() {
    let mut c = claims("saas", json!("inst"), "inst", "g");
    c.duo_seat_count = "5".into();
    let out = run(&with("X-Gitlab-Duo-Seat-Count", "6"), &ok_user(c));
    assert_eq!(out.error, None);
    assert!(out.user.authenticated);
    assert_eq!(out.user.global_user_id.as_deref(), Some("user"));
    assert_eq!(out.user.claims.unwrap().scopes, ["duo_chat"]);
}

#[test]
fn end_to_end_user_token_through_local_provider() {
    // PY-JWT-06: a user token with a foreign iss authenticates (iss is not checked).
    let mut extra = serde_json::Map::new();
    extra.insert("iss".into(), json!("gitlab-rails"));
    extra.insert("gitlab_root_namespace_id".into(), json!("123"));
    let scopes = vec!["duo_chat".to_owned()];
    let req = UserTokenClaims {
        sub: "user",
        gitlab_realm: "saas",
        gitlab_instance_id: json!("inst"),
        scopes: &scopes,
        duo_seat_count: None,
        extra_claims: Some(&extra),
    };
    let (t, _) = TokenAuthority::new(RSA_A).encode(SVC, &req).unwrap();
    let local: Arc<dyn KeySource> =
        Arc::new(LocalAuthProvider::new(RSA_A, RSA_B).with_service_name(SVC));
    let p = composite(vec![local]);
    let user = match p.verify(&t, &[SVC]) {
        Ok(v) => UserClaims::from_claims(&v.claims),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(user.issuer, "gitlab-rails");
    assert_eq!(user.extra.unwrap()["gitlab_root_namespace_id"], "123");
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<CompositeProvider>();
    check::<LocalAuthProvider>();
    check::<OidcProvider>();
    check::<StaticJwksProvider>();
    check::<CloudConnectorUser>();
    check::<crate::token::KeySet>();
    check::<crate::token::SigningKey>();
    check::<crate::token::TokenAuthority>();
    check::<crate::token::KeyRing>();
    check::<crate::token::VerifiedToken>();
}

// ---- logging (python-api.md §5.7): messages and fields GitLab's alerts key on ----

mod capture {
    use std::cell::RefCell;

    type Entry = (log::Level, String, Vec<(String, String)>);

    thread_local! {
        static LOGS: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    }

    struct Capture;

    struct Fields(Vec<(String, String)>);

    impl<'kvs> log::kv::VisitSource<'kvs> for Fields {
        fn visit_pair(
            &mut self,
            key: log::kv::Key<'kvs>,
            value: log::kv::Value<'kvs>,
        ) -> Result<(), log::kv::Error> {
            self.0.push((key.to_string(), value.to_string()));
            Ok(())
        }
    }

    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            let mut fields = Fields(Vec::new());
            let _ = record.key_values().visit(&mut fields);
            LOGS.with(|l| {
                l.borrow_mut()
                    .push((record.level(), record.args().to_string(), fields.0))
            });
        }
        fn flush(&self) {}
    }

    static CAPTURE: Capture = Capture;

    /// Records of this thread since the last call (the logger is process-wide, the buffer is
    /// per thread, so parallel tests do not see each other's records).
    pub(super) fn take() -> Vec<Entry> {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            let _ = log::set_logger(&CAPTURE);
            log::set_max_level(log::LevelFilter::Trace);
        });
        LOGS.with(|l| std::mem::take(&mut *l.borrow_mut()))
    }
}

#[test]
fn refresh_logging() {
    capture::take();
    let good = TestServer::start();
    let b = key(RSA_B);
    good.oidc(&jwks(&[(&b, "b")]));
    let bad = TestServer::start();
    bad.route(DISCOVERY, Route::Json(500, "{}".into()));
    let p = composite(vec![
        oidc("Gitlab", &good.base_url()),
        oidc("CustomersDot", &bad.base_url()),
    ]);
    assert!(!p.ready());
    let logs = capture::take();
    let field = |fields: &[(String, String)], k: &str| {
        fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    let failed = logs.iter().find(|(l, _, f)| {
        *l == log::Level::Error && field(f, "oidc_provider").as_deref() == Some("CustomersDot")
    });
    assert!(
        failed.is_some_and(|(_, m, f)| m.contains("HTTP 500")
            && field(f, "code").as_deref() == Some("jwks_fetch_failed")),
        "{logs:?}"
    );
    assert!(logs.iter().any(|(_, m, _)| m
        == "Incomplete JWKS cached: some key providers failed, no old cache to fall back to"));
    let refreshed = logs
        .iter()
        .find(|(l, m, _)| *l == log::Level::Info && m == "JWKS refreshed")
        .expect("JWKS refreshed");
    assert_eq!(
        field(&refreshed.2, "provider").as_deref(),
        Some("CompositeProvider")
    );
    assert!(field(&refreshed.2, "kids").unwrap().contains("\"b\""));
    assert!(logs
        .iter()
        .any(|(_, m, f)| m == "cloud connector is not ready"
            && field(f, "cloud_connector_ready").as_deref() == Some("false")));

    assert!(p
        .verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    assert!(
        capture::take()
            .iter()
            .all(|(_, m, _)| m != "JWKS refreshed"),
        "served from cache: no refresh log"
    );

    p.refresh();
    let logs = capture::take();
    assert!(
        logs.iter()
            .any(|(_, m, _)| m == "Old JWKS re-cached: some key providers failed"),
        "{logs:?}"
    );
}

#[derive(Debug)]
struct Panicking;

impl KeySource for Panicking {
    fn name(&self) -> &str {
        "Panicking"
    }
    fn load(&self) -> crate::Result<crate::token::KeySet> {
        panic!("binding callback failed")
    }
}

#[test]
fn a_panicking_source_is_a_failed_source() {
    let local: Arc<dyn KeySource> =
        Arc::new(LocalAuthProvider::new(RSA_A, "").with_service_name(SVC));
    let p = composite(vec![Arc::new(Panicking), local]);
    assert!(!p.ready());
    assert!(p
        .verify_at(&token(&key(RSA_A), None), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    p.refresh();
    assert!(
        p.verify_at(&token(&key(RSA_A), None), &[SVC], NOW, Wait::MayLoad)
            .is_ok(),
        "no stuck refresh flight"
    );
}

#[test]
fn custom_ca_bundle_is_honoured_for_https() {
    use super::test_server::{TlsServer, TLS_CERT};
    let b = key(RSA_B);
    let server = TlsServer::start(&jwks(&[(&b, "b")]));
    let with_ca = HttpConfig {
        timeout: Duration::from_secs(5),
        ca_bundle: Some(TLS_CERT.into()),
    };
    let keys = OidcProvider::new("Gitlab", &server.base_url(), with_ca)
        .load()
        .unwrap();
    assert_eq!(keys.kids(), [Some("b".to_owned())]);
    // A bundle without that certificate replaces the roots, so the fetch fails.
    let other = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/tls/other_ca.pem"
    );
    let wrong_ca = HttpConfig {
        timeout: Duration::from_secs(5),
        ca_bundle: Some(other.into()),
    };
    let err = OidcProvider::new("Gitlab", &server.base_url(), wrong_ca)
        .load()
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::JwksFetchFailed);
}

/// A fetch hook serving one issuer from memory, or failing with a cause, as a binding's would.
#[derive(Debug)]
struct Hook {
    jwks: Value,
    fail_with: Option<crate::Cause>,
}

impl Fetch for Hook {
    fn get(
        &self,
        url: &str,
        timeout: Duration,
        max_body: u64,
    ) -> std::result::Result<FetchResponse, FetchError> {
        assert_eq!((timeout, max_body), (Duration::from_millis(2000), MAX_BODY));
        if let Some(cause) = &self.fail_with {
            return Err(FetchError {
                message: "the hook raised".into(),
                cause: Some(cause.clone()),
            });
        }
        let body = if url.ends_with(DISCOVERY) {
            json!({"jwks_uri": "http://issuer.test/keys"})
        } else {
            self.jwks.clone()
        };
        Ok(FetchResponse {
            status: 200,
            body: body.to_string().into_bytes(),
        })
    }
}

#[test]
fn a_hooked_oidc_source_and_its_failures_in_the_refresh_report() {
    let b = key(RSA_B);
    let hooked = |fail_with: Option<crate::Cause>| -> Arc<dyn KeySource> {
        let hook = Hook {
            jwks: jwks(&[(&b, "b")]),
            fail_with,
        };
        Arc::new(
            OidcProvider::new("Gitlab", "http://issuer.test", http(2000))
                .with_fetch(Arc::new(hook)),
        )
    };
    let cause = crate::Cause::new("what the binding raised");
    let p = composite(vec![hooked(None), hooked(Some(cause.clone()))]);
    assert!(p
        .verify_at(&token(&b, Some("b")), &[SVC], NOW, Wait::MayLoad)
        .is_ok());
    let report = p.last_refresh_report().unwrap();
    assert_eq!(
        report.delivered,
        vec![Some(vec![Some("b".to_owned())]), None]
    );
    let failure = &report.failures[0];
    assert_eq!((failure.index, failure.code), (1, "jwks_fetch_failed"));
    assert_eq!(
        failure.message,
        "GET http://issuer.test/.well-known/openid-configuration failed: the hook raised"
    );
    assert_eq!(failure.cause.as_ref(), Some(&cause));
    let due = p.refresh_due_in().unwrap();
    assert!(
        due <= Duration::from_secs(30) && due > Duration::from_secs(25),
        "{due:?}"
    );
}

#[test]
fn a_refused_token_says_why_through_the_user_and_the_outcome() {
    let s = TestServer::start();
    let a = key(RSA_A);
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    let t = token(&a, Some("a"));
    let user = p.authenticate_for(&t, &["another-audience"]).unwrap();
    assert!(!user.authenticated);
    assert_eq!(user.rejection, Some(ErrorCode::AudienceMismatch));
    let good = p.authenticate_for(&t, &[SVC]).unwrap();
    assert!(good.authenticated && good.rejection.is_none());

    let headers = [
        ("Authorization", format!("Bearer {t}")),
        ("X-Gitlab-Authentication-Type", "oidc".to_owned()),
    ];
    let outcome = authenticate(
        headers.clone(),
        Some(&p.bound_to(Some(vec!["another-audience".into()]))),
        false,
        Some(SVC),
    )
    .unwrap();
    assert_eq!(outcome.failure, Some(AuthFailure::Forbidden));
    assert_eq!(outcome.error_code(), Some("forbidden"));
    assert_eq!(outcome.user.rejection, Some(ErrorCode::AudienceMismatch));
    let none = authenticate(
        Vec::<(&str, &str)>::new(),
        Some(&p.bound_to(None)),
        false,
        Some(SVC),
    )
    .unwrap();
    assert_eq!(none.failure, Some(AuthFailure::MissingAuthorization));
    assert_eq!(none.user.rejection, None);
}

#[test]
fn a_bindings_conversion_lives_in_the_token_cache_entry() {
    let s = TestServer::start();
    let (a, b) = (key(RSA_A), key(RSA_B));
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    let t = token(&a, Some("a"));
    let first = p.verify(&t, &[SVC]).unwrap();
    let memo = first.memo.clone().expect("a cached token has a memo");
    assert!(memo.get().is_none());
    let kept = memo.keep(crate::Cause::new("converted"));
    assert_eq!(kept.downcast_ref::<&str>(), Some(&"converted"));
    // The first conversion stays: a second one (another thread's) is dropped.
    assert_eq!(
        memo.keep(crate::Cause::new("again")).downcast_ref::<&str>(),
        Some(&"converted")
    );
    let hit = p.verify_cached(&t, &[SVC]).unwrap();
    let held = hit.memo.as_ref().and_then(|m| m.get().cloned());
    assert_eq!(
        held.as_ref().and_then(|c| c.downcast_ref::<&str>()),
        Some(&"converted")
    );
    assert_eq!(
        p.claims_memos().len(),
        1,
        "a host's GC sees what the entries hold"
    );
    // A key set change clears the cache, and the memo goes with its entry.
    s.oidc(&jwks(&[(&a, "a"), (&b, "b")]));
    p.refresh();
    assert!(p.claims_memos().is_empty());
    let again = p.verify(&t, &[SVC]).unwrap();
    assert!(again.memo.expect("cached again").get().is_none());
    // Without a cache there is nothing to memoise in.
    let config = CompositeConfig {
        token_cache_capacity: 0,
        ..CompositeConfig::default()
    };
    let uncached = CompositeProvider::new(vec![oidc("Gitlab", &s.base_url())], config);
    assert!(uncached.verify(&t, &[SVC]).unwrap().memo.is_none());
}

#[test]
fn a_refresh_is_started_only_for_a_snapshot_that_is_still_due() {
    // Callers that saw a due snapshot ask for a refresh; if one finished in between (as under
    // load, with a failing issuer answering at once), the held snapshot is not due any more and
    // nothing may start: no second attempt inside `retry_after_failure`.
    let s = TestServer::start();
    let a = key(RSA_A);
    s.oidc(&jwks(&[(&a, "a")]));
    let p = composite(vec![oidc("Gitlab", &s.base_url())]);
    p.refresh();
    let done = p.refreshes();
    p.spawn_refresh();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        p.refreshes(),
        done,
        "a refresh started for keys that are not due"
    );
}
