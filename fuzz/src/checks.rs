//! The invariants the fuzz targets assert, one function per target. A violated invariant panics
//! with what was seen. Shared by the fuzz targets (`fuzz/fuzz_targets/`) and by the core's
//! regression test (`core/tests/fuzz_regressions.rs`, which includes this file by path), so a
//! crash input committed to `tests/vectors/fuzz-regressions.json` is re-checked by `make test`.
//!
//! Only the public API of `cloud_connector` and `serde_json` are used.

use std::sync::{Arc, OnceLock};

use cloud_connector::auth::{
    CompositeConfig, CompositeProvider, KeySource, StaticJwksProvider, Wait,
};
use cloud_connector::catalog::{EntitlementRequest, LegacyRealm};
use cloud_connector::token::{self, Algorithm, KeySet, Validation};
use cloud_connector::{Catalog, ErrorCode};
use serde_json::Value;

#[path = "oracle.rs"]
pub mod oracle;

/// The shared token vectors: their key set (`jwks`, five keys, one without `kid`) and tokens.
const TOKENS_JSON: &str = include_str!("../../tests/vectors/tokens.json");
/// The time every token vector is checked at.
pub const NOW: i64 = 1_700_000_000;
pub const AUDIENCE: &str = "gitlab-ai-gateway";
/// Display root of catalog inputs (`fuzz/<kind>/<name>.yml`).
pub const CATALOG_ROOT: &str = "fuzz";

/// The codes a token check may end in; anything else (a catalog code, `jwks_fetch_failed`, ...)
/// would be a mis-labelled failure.
const TOKEN_CODES: &[ErrorCode] = &[
    ErrorCode::TokenMalformed,
    ErrorCode::TokenTooLarge,
    ErrorCode::UnsupportedAlgorithm,
    ErrorCode::CritUnsupported,
    ErrorCode::InvalidSignature,
    ErrorCode::UnknownKey,
    ErrorCode::TokenExpired,
    ErrorCode::TokenNotYetValid,
    ErrorCode::TokenUsedBeforeIssued,
    ErrorCode::MissingAudience,
    ErrorCode::AudienceMismatch,
    ErrorCode::IssuerMismatch,
    ErrorCode::InvalidClaimType,
    ErrorCode::UnsupportedClaim,
];

pub struct Fixture {
    pub vectors: Value,
    pub keys: KeySet,
    pub validation: Validation,
    /// The same keys behind the composite provider (static source, no network).
    pub composite: CompositeProvider,
    /// Vector tokens that verify under `validation` at `NOW`.
    pub valid_tokens: Vec<String>,
}

/// Parsed once per process: every algorithm allowed, the vectors' audience.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let vectors: Value = serde_json::from_str(TOKENS_JSON).expect("tokens.json");
        let jwks = vectors["jwks"].to_string();
        let (keys, skipped) = KeySet::from_jwks_str(&jwks).expect("vector JWKS");
        assert!(skipped.is_empty() && keys.len() == 5);
        let mut validation = Validation::new([AUDIENCE]);
        validation.algorithms = Algorithm::ALL.to_vec();
        let source: Arc<dyn KeySource> =
            Arc::new(StaticJwksProvider::from_json("fuzz", &jwks).expect("static source"));
        let composite = CompositeProvider::new(
            vec![source],
            CompositeConfig {
                algorithms: Algorithm::ALL.to_vec(),
                token_cache_capacity: 64,
                ..CompositeConfig::default()
            },
        );
        let valid_tokens: Vec<String> = vectors["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter_map(|c| c["token"].as_str())
            .filter(|t| token::verify(t, &keys, &validation, NOW).is_ok())
            .map(str::to_owned)
            .collect();
        assert!(valid_tokens.len() >= 10, "{}", valid_tokens.len());
        Fixture {
            vectors,
            keys,
            validation,
            composite,
            valid_tokens,
        }
    })
}

/// The fixture's validation in the oracle's terms.
pub fn oracle_policy(v: &Validation) -> oracle::Policy {
    oracle::Policy {
        audiences: v.audiences.clone(),
        algorithms: v.algorithms.iter().map(|a| a.as_str().to_owned()).collect(),
        issuer: v.issuer.clone(),
        leeway: v.leeway,
        max_token_size: v.max_token_size,
        reject_future_iat: v.reject_future_iat,
        verify_signature: v.verify_signature,
    }
}

fn assert_token_code(what: &str, e: &cloud_connector::Error) {
    assert!(
        TOKEN_CODES.contains(&e.code()),
        "{what}: unexpected code {} ({e})",
        e.code()
    );
    assert!(!e.message().is_empty(), "{what}: empty message");
}

/// `compact_token`: verification of arbitrary text against the fixed key set.
///
/// - an error carries a token code and a message;
/// - a verified token is exactly three strict base64url segments that re-encode to the input
///   (no second spelling of the same bytes), whose header and payload decode to what was
///   returned, whose JWS layer (`verify_jws`) agrees, and which verifies again the same way;
/// - the `jsonwebtoken` crate (`oracle.rs`) accepts or refuses it as we do, but for the
///   documented exceptions;
/// - the composite provider (cache, kid refresh, kid-less fallback) gives the same answer as
///   the plain verifier, twice (the second answer may come from its token cache).
pub fn check_compact_token(data: &[u8]) {
    let f = fixture();
    let text = String::from_utf8_lossy(data);
    let plain = token::verify(&text, &f.keys, &f.validation, NOW);
    oracle::verdict(
        &text,
        &f.vectors["jwks"],
        &oracle_policy(&f.validation),
        NOW,
    )
    .assert_agrees(&"jsonwebtoken oracle", plain.is_ok());
    match &plain {
        Err(e) => assert_token_code("verify", e),
        Ok(v) => {
            let parts: Vec<&str> = text.split('.').collect();
            assert_eq!(parts.len(), 3, "a verified token has three segments");
            let decoded: Vec<Vec<u8>> = parts
                .iter()
                .map(|p| token::base64url_decode(p).expect("verified segment decodes"))
                .collect();
            for (part, bytes) in parts.iter().zip(&decoded) {
                assert_eq!(
                    &token::base64url_encode(bytes),
                    part,
                    "a verified segment must re-serialize to the same text"
                );
            }
            let header: Value = serde_json::from_slice(&decoded[0]).expect("header JSON");
            let claims: Value = serde_json::from_slice(&decoded[1]).expect("payload JSON");
            assert_eq!(Value::Object(v.header.map().clone()), header);
            assert_eq!(Value::Object(v.claims.map().clone()), claims);
            let payload = token::verify_jws(
                &text,
                &f.keys,
                &f.validation.algorithms,
                f.validation.max_token_size,
            )
            .expect("verify_jws agrees with verify");
            assert_eq!(payload, decoded[1]);
            assert_eq!(
                token::verify(&text, &f.keys, &f.validation, NOW).as_ref(),
                Ok(v)
            );
        }
    }
    for round in 0..2 {
        let composite = f
            .composite
            .verify_at(&text, &[AUDIENCE], NOW, Wait::MayLoad);
        match (&plain, &composite) {
            (Ok(a), Ok(b)) => assert_eq!(a.claims, b.claims, "composite round {round}"),
            (Err(a), Err(b)) => {
                assert_eq!(a.code(), b.code(), "composite round {round}: {a} vs {b}")
            }
            _ => panic!("composite round {round} disagrees: {plain:?} vs {composite:?}"),
        }
    }
}

/// `compact_token_mutate`: a valid vector token (picked by the first byte) edited by the rest of
/// the input (pairs of position and byte: replace, insert, or delete). An edited token that still
/// verifies must be the original text, except that an ES256 signature may be re-encoded by its
/// malleable twin (same header and payload); then every `check_compact_token` invariant holds.
pub fn check_compact_token_mutation(data: &[u8]) {
    let f = fixture();
    let Some((&pick, edits)) = data.split_first() else {
        return;
    };
    let original = &f.valid_tokens[usize::from(pick) % f.valid_tokens.len()];
    let mut bytes = original.as_bytes().to_vec();
    for edit in edits.chunks(3) {
        let [op, pos, value] = [0, 1, 2].map(|i| edit.get(i).copied().unwrap_or(0));
        let len = bytes.len().max(1);
        let at = (usize::from(pos) * 7 + usize::from(op >> 2)) % len;
        match op % 3 {
            0 if !bytes.is_empty() => bytes[at] = value,
            1 => bytes.insert(at.min(bytes.len()), value),
            _ if !bytes.is_empty() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
    let mutated = String::from_utf8_lossy(&bytes).into_owned();
    if let Ok(v) = token::verify(&mutated, &f.keys, &f.validation, NOW) {
        if mutated != *original {
            let es256 = v.header.get("alg").and_then(Value::as_str) == Some("ES256");
            let (signed, _) = mutated.rsplit_once('.').expect("three segments");
            assert!(
                es256 && original.starts_with(&format!("{signed}.")),
                "an edited token verified: {original} -> {mutated}"
            );
        }
    }
    check_compact_token(mutated.as_bytes());
}

/// `jwk_jwks`: arbitrary text as one JWK, as a JWKS document, and as the only key of a JWKS.
///
/// - errors: `key_invalid` for a JWK, `jwks_invalid` for a document, with a message;
/// - a parsed JWK publishes (`to_jwk`) a JWK that parses back to the same thumbprint, `kid` and
///   algorithm restriction; its thumbprint is 43 base64url characters (SHA-256);
/// - a parsed JWKS holds every key that parses and reports every key that does not (parsed +
///   skipped = listed), its published document parses back to the same keys, and every `kid`
///   it holds is found.
pub fn check_jwk_jwks(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        let e = KeySet::from_jwks_str(&text).expect_err("not JSON");
        assert_eq!(e.code(), ErrorCode::JwksInvalid, "{e}");
        return;
    };
    check_jwk(&value);
    check_jwks(&value);
    check_jwks(&serde_json::json!({ "keys": [value] }));
}

fn check_jwk(value: &Value) {
    match token::parse_jwk(value) {
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::KeyInvalid, "{e}");
            assert!(!e.message().is_empty());
        }
        Ok(key) => {
            let thumbprint = key.thumbprint();
            assert_eq!(thumbprint.len(), 43, "{thumbprint}");
            assert!(token::base64url_decode(&thumbprint).is_some_and(|d| d.len() == 32));
            assert!(matches!(key.kty(), "RSA" | "EC" | "OKP"));
            let published = Value::Object(key.to_jwk());
            let again = token::parse_jwk(&published).expect("a published JWK parses");
            assert_eq!(again.thumbprint(), thumbprint);
            assert_eq!(again.kid(), key.kid());
            assert_eq!(again.alg(), key.alg());
            for alg in Algorithm::ALL {
                assert_eq!(again.accepts(*alg), key.accepts(*alg), "{alg:?}");
            }
        }
    }
}

fn check_jwks(value: &Value) {
    match KeySet::from_jwks(value) {
        Err(e) => assert_eq!(e.code(), ErrorCode::JwksInvalid, "{e}"),
        Ok((set, skipped)) => {
            let listed = value["keys"]
                .as_array()
                .expect("a parsed JWKS lists keys")
                .len();
            assert_eq!(set.len() + skipped.len(), listed);
            assert!(skipped.iter().all(|e| e.code() == ErrorCode::KeyInvalid));
            let (again, skipped_again) =
                KeySet::from_jwks(&set.to_jwks()).expect("a published JWKS parses");
            assert!(skipped_again.is_empty());
            let prints = |s: &KeySet| -> Vec<(Option<String>, String)> {
                s.keys()
                    .iter()
                    .map(|k| (k.kid().map(str::to_owned), k.thumbprint()))
                    .collect()
            };
            assert_eq!(prints(&again), prints(&set));
            for kid in set.kids().into_iter().flatten() {
                assert!(set.contains_kid(&kid));
            }
        }
    }
}

/// Splits an input into catalog files: chunks separated by NUL, each `<path>\n<text>`.
pub fn catalog_files(data: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(data)
        .split('\0')
        .filter(|chunk| !chunk.is_empty())
        .map(|chunk| match chunk.split_once('\n') {
            Some((path, text)) => (path.to_owned(), text.to_owned()),
            None => (chunk.to_owned(), String::new()),
        })
        .collect()
}

/// `catalog_yaml`: arbitrary files (`catalog_files`) through the directory loader, in memory.
///
/// - an error is `catalog_invalid` with at least one problem, and every problem names one of the
///   given files (`fuzz/<path>`) and says what is wrong;
/// - a catalog is fully valid: names are unique per kind, every reference resolves to a record of
///   the catalog, each service's `basic_unit_primitive` is one of its own, the legacy generator
///   and entitlements for every add-on run, the records rebuild the same catalog through the
///   records path, and loading again gives the same catalog.
pub fn check_catalog_yaml(data: &[u8]) {
    let files = catalog_files(data);
    let result = Catalog::load_texts(CATALOG_ROOT, files.iter().map(|(p, t)| (p, t)));
    let catalog = match result {
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::CatalogInvalid, "{e}");
            assert!(!e.problems().is_empty(), "{e}");
            for p in e.problems() {
                let file = p.file.as_deref().unwrap_or_else(|| panic!("no file: {p}"));
                let rel = file
                    .strip_prefix(CATALOG_ROOT)
                    .and_then(|f| f.strip_prefix('/'))
                    .unwrap_or_else(|| panic!("not under the root: {p}"));
                assert!(
                    files.iter().any(|(path, _)| path == rel),
                    "problem names a file that was not given: {p}"
                );
                assert!(!p.message.is_empty(), "{p}");
            }
            return;
        }
        Ok(c) => c,
    };
    fn unique<'a>(names: impl Iterator<Item = &'a String>) {
        let mut seen = std::collections::HashSet::new();
        for n in names {
            assert!(seen.insert(n), "duplicate name {n}");
        }
    }
    unique(catalog.unit_primitives().iter().map(|r| &r.name));
    unique(catalog.backend_services().iter().map(|r| &r.name));
    unique(catalog.add_ons().iter().map(|r| &r.name));
    unique(catalog.license_types().iter().map(|r| &r.name));
    unique(catalog.services().iter().map(|r| &r.name));
    for up in catalog.unit_primitives() {
        assert_eq!(
            catalog.unit_primitive(&up.name).map(|u| &u.name),
            Some(&up.name)
        );
        assert!(!up.backend_services.is_empty(), "{}", up.name);
        for b in &up.backend_services {
            assert!(catalog.backend_service(b).is_some(), "{}: {b}", up.name);
        }
        for a in &up.add_ons {
            assert!(catalog.add_on(a).is_some(), "{}: {a}", up.name);
        }
        for l in &up.license_types {
            assert!(catalog.license_type(l).is_some(), "{}: {l}", up.name);
        }
        assert_eq!(
            catalog.backend_services_of(up).len(),
            up.backend_services.len()
        );
        assert_eq!(catalog.add_ons_of(up).len(), up.add_ons.len());
    }
    for s in catalog.services() {
        for u in &s.unit_primitives {
            assert!(catalog.unit_primitive(u).is_some(), "{}: {u}", s.name);
        }
        if let Some(basic) = &s.basic_unit_primitive {
            assert!(s.unit_primitives.contains(basic), "{}: {basic}", s.name);
        }
        assert_eq!(catalog.unit_primitives_of(s).len(), s.unit_primitives.len());
    }
    for realm in [LegacyRealm::GitlabCom, LegacyRealm::SelfManaged] {
        let _ = catalog.available_services(realm);
    }
    let add_ons: Vec<&str> = catalog.add_ons().iter().map(|a| a.name.as_str()).collect();
    let grant = catalog
        .entitlements(&EntitlementRequest::with_add_ons(add_ons))
        .expect("entitlements of a valid catalog");
    for scope in &grant.scopes {
        assert!(catalog.unit_primitive(scope).is_some(), "{scope}");
    }
    let records = catalog.load_all();
    let rebuilt = Catalog::from_records_json(&records).expect("records of a valid catalog");
    assert_eq!(rebuilt.load_all(), records);
    let again = Catalog::load_texts(CATALOG_ROOT, files.iter().map(|(p, t)| (p, t)))
        .expect("a catalog loads again");
    assert_eq!(again.load_all(), records);
}

/// Runs the named target's check (for regression vectors).
pub fn check(target: &str, data: &[u8]) {
    match target {
        "compact_token" => check_compact_token(data),
        "compact_token_mutate" => check_compact_token_mutation(data),
        "jwk_jwks" => check_jwk_jwks(data),
        "catalog_yaml" => check_catalog_yaml(data),
        other => panic!("unknown fuzz target {other}"),
    }
}
