//! End-to-end token tests: issuance, verification, key selection, PEM handling.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
};
use serde_json::{json, Map, Value};

use super::*;
use crate::error::ErrorCode;

pub(crate) const RSA_A: &str = include_str!("../../../tests/vectors/keys/rsa_a.pem");
pub(crate) const RSA_A_PUB: &str = include_str!("../../../tests/vectors/keys/rsa_a.pub.pem");
pub(crate) const RSA_B: &str = include_str!("../../../tests/vectors/keys/rsa_b_pkcs1.pem");
pub(crate) const RSA_B_PUB: &str = include_str!("../../../tests/vectors/keys/rsa_b.rsapub.pem");
pub(crate) const RSA_C: &str = include_str!("../../../tests/vectors/keys/rsa_c.pem");
const RSA_1024: &str = include_str!("../../../tests/vectors/keys/rsa_1024.pem");
const EC: &str = include_str!("../../../tests/vectors/keys/ec_p256.pem");
const ED: &str = include_str!("../../../tests/vectors/keys/ed25519.pem");
const NOW: i64 = 1_700_000_000;

pub(crate) fn rs256(key: &SigningKey, header: Value, claims: Value) -> String {
    let mut c = OrderedClaims::new();
    c.merge(claims.as_object().unwrap());
    super::compact::sign_rs256(&header.to_string(), &c.to_json(), key).unwrap()
}

fn set(keys: &[(&str, Option<&str>)]) -> KeySet {
    KeySet::new(
        keys.iter()
            .map(|(pem, kid)| {
                let k = verifying_key_from_pem(pem).unwrap();
                Arc::new(match kid {
                    Some(kid) => k.with_kid(*kid),
                    None => {
                        VerifyingKey::rsa_from_der(&pem::decode(&signing_pub_pem(pem)).unwrap().1)
                            .unwrap()
                    }
                })
            })
            .collect(),
    )
}

fn signing_pub_pem(pem: &str) -> String {
    match SigningKey::from_pem(pem) {
        Ok(k) => k.public_pem().unwrap(),
        Err(_) => pem.to_owned(),
    }
}

fn code(r: crate::Result<VerifiedToken>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn pem_forms_parse() {
    let a = SigningKey::from_pem(RSA_A).unwrap();
    let b = SigningKey::from_pem(RSA_B).unwrap();
    assert_eq!(
        verifying_key_from_pem(RSA_A_PUB).unwrap().thumbprint(),
        a.thumbprint()
    );
    assert_eq!(
        verifying_key_from_pem(RSA_B_PUB).unwrap().thumbprint(),
        b.thumbprint()
    );
    assert_eq!(
        verifying_key_from_pem(RSA_B).unwrap().thumbprint(),
        b.thumbprint()
    );
    assert_eq!(
        SigningKey::from_pem(&a.to_pem().unwrap())
            .unwrap()
            .thumbprint(),
        a.thumbprint()
    );
}

#[test]
fn bad_pems_are_key_invalid() {
    for bad in ["BROKEN_KEY", "", RSA_A_PUB, EC, RSA_1024] {
        assert_eq!(
            SigningKey::from_pem(bad).unwrap_err().code(),
            ErrorCode::KeyInvalid,
            "{bad:.30}"
        );
    }
    assert_eq!(
        verifying_key_from_pem(RSA_1024).unwrap_err().code(),
        ErrorCode::KeyInvalid
    );
    assert_eq!(
        verifying_key_from_pem(EC).unwrap_err().code(),
        ErrorCode::KeyInvalid
    );
    let garbage = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    assert_eq!(
        verifying_key_from_pem(garbage).unwrap_err().code(),
        ErrorCode::KeyInvalid
    );
}

#[test]
fn token_authority_claims_and_header() {
    let ta = TokenAuthority::new(RSA_A);
    let scopes = vec!["complete_code".to_owned(), "duo_chat".to_owned()];
    let mut extra = Map::new();
    extra.insert("gitlab_root_namespace_id".into(), Value::Null);
    extra.insert("n".into(), json!(7));
    let req = UserTokenClaims {
        sub: "user-1",
        gitlab_realm: "saas",
        gitlab_instance_id: json!("inst"),
        scopes: &scopes,
        duo_seat_count: None,
        extra_claims: Some(&extra),
    };
    let (token, exp) = ta.encode_at("gitlab-ai-gateway", &req, NOW).unwrap();
    assert_eq!(exp, NOW + 3600);
    let keys = set(&[(RSA_A, None)]);
    let v = verify(&token, &keys, &Validation::new(["gitlab-ai-gateway"]), NOW).unwrap();
    assert_eq!(
        Value::Object(v.header.map().clone()),
        json!({"alg": "RS256", "typ": "JWT"})
    );
    let c = &v.claims;
    assert_eq!(c["iss"], "gitlab-ai-gateway");
    assert_eq!(c["aud"], "gitlab-ai-gateway");
    assert_eq!(c["sub"], "user-1");
    assert_eq!(c["iat"], NOW);
    assert_eq!(c["nbf"], NOW);
    assert_eq!(c["exp"], exp);
    assert_eq!(c["scopes"], json!(["complete_code", "duo_chat"]));
    assert_eq!(c["gitlab_root_namespace_id"], Value::Null);
    assert_eq!(c["n"], 7);
    assert!(c["jti"].is_string());
    // The header is exactly the sorted, whitespace-free form.
    assert_eq!(
        token.split('.').next().unwrap(),
        base64url_encode(br#"{"alg":"RS256","typ":"JWT"}"#)
    );
}

#[test]
fn token_authority_extra_claims_override() {
    let mut extra = Map::new();
    extra.insert("iss".into(), json!("gitlab-rails"));
    let req = UserTokenClaims {
        sub: "u",
        extra_claims: Some(&extra),
        ..Default::default()
    };
    let (token, _) = TokenAuthority::new(RSA_A)
        .encode_at("svc", &req, NOW)
        .unwrap();
    let v = verify(
        &token,
        &set(&[(RSA_A, None)]),
        &Validation::new(["svc"]),
        NOW,
    )
    .unwrap();
    assert_eq!(v.claims["iss"], "gitlab-rails");
    let payload = base64url_decode(token.split('.').nth(1).unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(payload)
            .unwrap()
            .matches("\"iss\"")
            .count(),
        1
    );
}

#[test]
fn token_authority_writes_its_claims_in_order_with_extras_in_place_and_returns_their_exp() {
    let scopes = vec!["duo_chat".to_owned()];
    let mut extra = Map::new();
    extra.insert("exp".into(), json!(NOW + 60));
    extra.insert("zz".into(), json!([1]));
    extra.insert("aa".into(), json!("x"));
    let req = UserTokenClaims {
        sub: "u",
        gitlab_realm: "saas",
        gitlab_instance_id: json!(7),
        scopes: &scopes,
        duo_seat_count: Some("3"),
        extra_claims: Some(&extra),
    };
    let (token, exp) = TokenAuthority::new(RSA_A)
        .encode_at("svc", &req, NOW)
        .unwrap();
    assert_eq!(exp, NOW + 60, "the overriding exp is returned");
    let body =
        String::from_utf8(base64url_decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert!(serde_json::from_str::<Value>(&body).is_ok(), "{body}");
    // Member names in text order (a decoded map would sort them); no value here holds `":`.
    let mut names = Vec::new();
    let mut rest = body.as_str();
    while let Some(at) = rest.find("\":") {
        let start = rest[..at].rfind('"').unwrap();
        names.push(&rest[start + 1..at]);
        rest = &rest[at + 2..];
    }
    let expected = [
        "iss",
        "aud",
        "sub",
        "exp",
        "nbf",
        "iat",
        "jti",
        "gitlab_realm",
        "gitlab_instance_id",
        "scopes",
        "duo_seat_count",
        "aa",
        "zz",
    ];
    assert_eq!(names, expected, "{body}");
    assert!(body.contains(&format!("\"exp\":{}", NOW + 60)), "{body}");
    assert!(body.contains(r#""gitlab_instance_id":7,"scopes":["duo_chat"],"duo_seat_count":"3""#));
    let (_, default_exp) = TokenAuthority::new(RSA_A)
        .encode_at(
            "svc",
            &UserTokenClaims {
                extra_claims: None,
                ..req
            },
            NOW,
        )
        .unwrap();
    assert_eq!(default_exp, NOW + 3600);
}

#[test]
fn token_authority_bad_key_fails_in_encode_only() {
    let ta = TokenAuthority::new("BROKEN_KEY");
    let err = ta.encode("svc", &UserTokenClaims::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyInvalid);
}

/// The standard claims of an instance token, in the order Rails writes them.
const RAILS_CLAIM_ORDER: [&str; 9] = [
    "jti",
    "aud",
    "sub",
    "iss",
    "iat",
    "nbf",
    "exp",
    "gitlab_realm",
    "scopes",
];

#[test]
fn json_web_token_shape() {
    let key = SigningKey::from_pem(RSA_B).unwrap();
    let mut extra = Map::new();
    extra.insert("custom".into(), json!("x"));
    extra.insert("gitlab_realm".into(), json!("override"));
    let jwt = JsonWebToken::new_at(
        "https://gitlab.com",
        Audience::Many(vec!["gitlab-ai-gateway".into()]),
        "instance-uuid",
        "saas",
        vec!["duo_chat".into()],
        3600,
        extra,
        NOW,
    );
    let token = jwt.encode(&key).unwrap();
    let keys = KeySet::new(vec![key.verifying_key().clone()]);
    let v = verify(&token, &keys, &Validation::new(["gitlab-ai-gateway"]), NOW).unwrap();
    assert_eq!(
        Value::Object(v.header.map().clone()),
        json!({"alg": "RS256", "typ": "JWT", "kid": key.thumbprint()})
    );
    assert_eq!(v.claims["iat"], NOW);
    assert_eq!(v.claims["nbf"], NOW - 5);
    assert_eq!(v.claims["exp"], NOW + 3600);
    assert_eq!(v.claims["aud"], json!(["gitlab-ai-gateway"]));
    assert_eq!(v.claims["gitlab_realm"], "override");
    assert_eq!(v.claims["custom"], "x");
    assert_eq!(v.claims["jti"].as_str().unwrap().len(), 36);
    let payload = jwt.payload();
    let order: Vec<&str> = payload.iter().map(|(k, _)| k).collect();
    assert_eq!(order, [&RAILS_CLAIM_ORDER[..], &["custom"]].concat());
}

#[test]
fn json_web_token_keeps_extra_claims_in_the_callers_order() {
    let key = SigningKey::from_pem(RSA_B).unwrap();
    let mut extra = OrderedClaims::new();
    extra.set("zeta", json!(1));
    extra.set("alpha", json!(2));
    extra.set("sub", json!("override"));
    extra.set("zeta", json!(3));
    let jwt = JsonWebToken::try_new_at(
        "iss",
        Audience::One("svc".into()),
        "s",
        "saas",
        vec![],
        60,
        extra,
        NOW,
    )
    .unwrap();
    let payload = jwt.payload();
    let order: Vec<&str> = payload.iter().map(|(k, _)| k).collect();
    assert_eq!(order, [&RAILS_CLAIM_ORDER[..], &["zeta", "alpha"]].concat());
    assert_eq!(payload.get("sub"), Some(&json!("override")));
    assert_eq!(payload.get("zeta"), Some(&json!(3)));
    // The signed payload is the same JSON, member for member, and the caller's kid is used.
    let token = jwt.encode_with_kid(&key, "rails-kid").unwrap();
    let body = token.split('.').nth(1).unwrap();
    assert_eq!(
        String::from_utf8(b64::decode(body).unwrap()).unwrap(),
        payload.to_json()
    );
    let keys = set(&[(RSA_B, Some("rails-kid"))]);
    let v = verify(&token, &keys, &Validation::new(["svc"]), NOW).unwrap();
    assert_eq!(v.header["kid"], "rails-kid");
    assert_eq!(v.claims["alpha"], 2);
}

/// A token for audience `svc` issued at `NOW`, without scopes or extra claims.
fn svc_jwt() -> JsonWebToken {
    JsonWebToken::new_at(
        "iss",
        Audience::One("svc".into()),
        "s",
        "saas",
        vec![],
        60,
        Map::new(),
        NOW,
    )
}

#[test]
fn json_web_token_without_subject_encodes_a_null_sub() {
    let key = SigningKey::from_pem(RSA_B).unwrap();
    let jwt = svc_jwt().with_subject(None);
    let token = jwt.encode(&key).unwrap();
    let body = String::from_utf8(b64::decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert!(body.contains(r#""sub":null"#), "{body}");
    // The standard claims alone, in the Rails order, without extras.
    let standard = jwt.standard_claims();
    let order: Vec<&str> = standard.iter().map(|(k, _)| k).collect();
    assert_eq!(order, RAILS_CLAIM_ORDER);
}

#[test]
fn key_selection_by_kid() {
    let a = SigningKey::from_pem(RSA_A).unwrap();
    let keys = set(&[(RSA_A, Some("a")), (RSA_B, Some("b")), (RSA_C, None)]);
    let v = Validation::new(["svc"]);
    let claims = json!({"aud": "svc"});
    let t = |kid: Option<&str>, key: &SigningKey| {
        let header = match kid {
            Some(k) => json!({"alg": "RS256", "kid": k}),
            None => json!({"alg": "RS256"}),
        };
        verify(&rs256(key, header, claims.clone()), &keys, &v, NOW)
            .map(|_| ())
            .map_err(|e| e.code())
    };
    let c = SigningKey::from_pem(RSA_C).unwrap();
    assert_eq!(t(Some("a"), &a), Ok(()));
    assert_eq!(t(None, &a), Ok(()), "no kid: every key in order");
    assert_eq!(t(None, &c), Ok(()));
    assert_eq!(
        t(Some("b"), &a),
        Err(ErrorCode::InvalidSignature),
        "known kid: only that key"
    );
    assert_eq!(
        t(Some("zzz"), &c),
        Ok(()),
        "unknown kid: kid-less keys are still tried"
    );
    assert_eq!(t(Some("zzz"), &a), Err(ErrorCode::UnknownKey));
}

#[test]
fn forged_and_tampered_tokens() {
    let keys = set(&[(RSA_A, None)]);
    let v = Validation::new(["svc"]);
    let c = SigningKey::from_pem(RSA_C).unwrap();
    let forged = rs256(&c, json!({"alg": "RS256"}), json!({"aud": "svc"}));
    assert_eq!(
        code(verify(&forged, &keys, &v, NOW)),
        ErrorCode::InvalidSignature
    );
    let mut bypass = v.clone();
    bypass.verify_signature = false;
    assert!(
        verify(&forged, &keys, &bypass, NOW).is_ok(),
        "bypass mode skips the signature"
    );
    let no_aud = rs256(&c, json!({"alg": "RS256"}), json!({}));
    assert_eq!(
        code(verify(&no_aud, &keys, &bypass, NOW)),
        ErrorCode::MissingAudience,
        "claims still apply"
    );

    let a = SigningKey::from_pem(RSA_A).unwrap();
    let good = rs256(&a, json!({"alg": "RS256"}), json!({"aud": "svc"}));
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = base64url_encode(br#"{"aud":"svc","admin":true}"#);
    assert_eq!(
        code(verify(&parts.join("."), &keys, &v, NOW)),
        ErrorCode::InvalidSignature
    );
    // alg swapped to an allowed but different algorithm: the RS256 signature does not verify.
    let mut ps = v.clone();
    ps.algorithms.push(Algorithm::PS256);
    parts[0] = base64url_encode(br#"{"alg":"PS256"}"#);
    parts[1] = good.split('.').nth(1).unwrap().to_owned();
    assert_eq!(
        code(verify(&parts.join("."), &keys, &ps, NOW)),
        ErrorCode::InvalidSignature
    );
    // `jwk`/`jku`/`x5u` in the header are never used to find a key.
    let embedded = rs256(
        &c,
        json!({"alg": "RS256", "jwk": Value::Object(c.verifying_key().to_jwk()), "jku": "http://127.0.0.1:1/k", "x5u": "http://127.0.0.1:1/x"}),
        json!({"aud": "svc"}),
    );
    assert_eq!(
        code(verify(&embedded, &keys, &v, NOW)),
        ErrorCode::InvalidSignature
    );
}

#[test]
fn opt_in_algorithms() {
    let rng = SystemRandom::new();
    let (_, ec_der) = pem::decode(EC).unwrap();
    let ec = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ec_der).unwrap();
    let pub_point = ec.public_key().as_ref();
    let ec_key = VerifyingKey::ec_p256(&pub_point[1..33], &pub_point[33..]).unwrap();
    let (_, ed_der) = pem::decode(ED).unwrap();
    let ed = Ed25519KeyPair::from_pkcs8(&ed_der).unwrap();
    let ed_key = VerifyingKey::ed25519(ed.public_key().as_ref()).unwrap();
    let keys = KeySet::new(vec![Arc::new(ec_key), Arc::new(ed_key)]);

    let input = |alg: &str| {
        format!(
            "{}.{}",
            base64url_encode(format!(r#"{{"alg":"{alg}"}}"#).as_bytes()),
            base64url_encode(br#"{"aud":"svc"}"#)
        )
    };
    let es = input("ES256");
    let es = format!(
        "{es}.{}",
        base64url_encode(ec.sign(&rng, es.as_bytes()).unwrap().as_ref())
    );
    let eddsa = input("EdDSA");
    let eddsa = format!(
        "{eddsa}.{}",
        base64url_encode(ed.sign(eddsa.as_bytes()).as_ref())
    );

    let default = Validation::new(["svc"]);
    assert_eq!(
        code(verify(&es, &keys, &default, NOW)),
        ErrorCode::UnsupportedAlgorithm
    );
    assert_eq!(
        code(verify(&eddsa, &keys, &default, NOW)),
        ErrorCode::UnsupportedAlgorithm
    );
    let mut all = default.clone();
    all.algorithms = Algorithm::ALL.to_vec();
    assert!(verify(&es, &keys, &all, NOW).is_ok());
    assert!(verify(&eddsa, &keys, &all, NOW).is_ok());
}

#[test]
fn key_ring_rules_and_directory() {
    let a = SigningKey::from_pem(RSA_A).unwrap();
    let b = SigningKey::from_pem(RSA_B).unwrap();
    let mut ring = KeyRing::new(vec![a.clone()]);
    assert_eq!(
        ring.rotate().unwrap_err().message(),
        "Key rotation requires exactly 2 keys, found 1"
    );
    assert_eq!(
        ring.trim().unwrap_err().message(),
        "Refusing to remove single key, as it is in use"
    );
    let mut ring = KeyRing::new(vec![a.clone(), b.clone()]);
    assert_eq!(ring.current().unwrap().thumbprint(), a.thumbprint());
    ring.rotate().unwrap();
    assert_eq!(ring.current().unwrap().thumbprint(), b.thumbprint());
    let jwks = ring.jwks();
    assert_eq!(jwks["keys"][0]["kid"], b.thumbprint());
    assert_eq!(jwks["keys"][1]["kid"], a.thumbprint());
    assert_eq!(jwks["keys"][0]["use"], "sig");
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    let (parsed, skipped) = KeySet::from_jwks(&jwks).unwrap();
    assert!(skipped.is_empty());
    assert_eq!(parsed.len(), 2);

    let dir = tempfile::tempdir().unwrap();
    ring.save_dir(dir.path()).unwrap();
    let loaded = KeyRing::load_dir(dir.path()).unwrap();
    let kids: Vec<&str> = loaded.keys().iter().map(SigningKey::thumbprint).collect();
    assert_eq!(kids, [b.thumbprint(), a.thumbprint()]);
    ring.trim().unwrap();
    ring.save_dir(dir.path()).unwrap();
    assert_eq!(KeyRing::load_dir(dir.path()).unwrap().keys().len(), 1);
    assert!(!dir.path().join("0002.pem").exists());
    std::fs::write(dir.path().join("0002.pem"), "BROKEN").unwrap();
    assert_eq!(
        KeyRing::load_dir(dir.path()).unwrap_err().code(),
        ErrorCode::KeyInvalid
    );
    assert!(KeyRing::load_dir(&dir.path().join("missing"))
        .unwrap()
        .keys()
        .is_empty());
}

#[test]
fn generated_keys_sign_and_rotate() {
    let mut ring = KeyRing::default();
    ring.create_new_key().unwrap();
    let first = ring.current().unwrap().thumbprint().to_owned();
    ring.create_new_key().unwrap();
    assert_eq!(
        ring.current().unwrap().thumbprint(),
        first,
        "a new key is published, not signing"
    );
    ring.rotate().unwrap();
    let jwt = svc_jwt();
    let token = ring.sign(&jwt).unwrap();
    let (keys, _) = KeySet::from_jwks(&ring.jwks()).unwrap();
    assert!(verify(&token, &keys, &Validation::new(["svc"]), NOW).is_ok());
    assert!(verify(&token, &ring.key_set(), &Validation::new(["svc"]), NOW).is_ok());
    let empty = KeyRing::default().sign(&jwt).unwrap_err();
    assert_eq!(empty.code(), ErrorCode::KeyRing);
    ring.trim().unwrap();
    assert_ne!(ring.current().unwrap().thumbprint(), first);
}

/// Deterministic mutations of valid inputs: every result is a value or a typed error, never a
/// panic (a panic fails the test).
#[test]
fn mutated_inputs_never_panic() {
    let a = SigningKey::from_pem(RSA_A).unwrap();
    let keys = set(&[(RSA_A, Some("a")), (RSA_C, None)]);
    let mut v = Validation::new(["svc"]);
    v.algorithms = Algorithm::ALL.to_vec();
    let token = rs256(
        &a,
        json!({"alg": "RS256", "kid": "a"}),
        json!({"aud": "svc", "exp": NOW}),
    );
    let jwk = Value::Object(a.verifying_key().to_jwk()).to_string();
    let alphabet = b"AZaz09-_.=+/ {}[]\":,\\\x00\xff";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut errors = 0;
    for _ in 0..3000 {
        for input in [&token, &jwk] {
            let mut bytes = input.as_bytes().to_vec();
            for _ in 0..1 + next() % 4 {
                if bytes.is_empty() {
                    break;
                }
                let i = (next() as usize) % bytes.len();
                match next() % 3 {
                    0 => bytes[i] = alphabet[(next() as usize) % alphabet.len()],
                    1 => {
                        bytes.remove(i);
                    }
                    _ => bytes.truncate(i),
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            if input == &token {
                errors += usize::from(verify(&text, &keys, &v, NOW).is_err());
                let _ = verify_jws(&text, &keys, Algorithm::ALL, DEFAULT_MAX_TOKEN_SIZE);
            } else if let Ok(doc) = serde_json::from_str::<Value>(&text) {
                let _ = parse_jwk(&doc);
                let _ = KeySet::from_jwks(&json!({ "keys": [doc] }));
            }
            let _ = pem::decode(&text);
            let _ = SigningKey::from_pem(&text);
        }
    }
    assert!(
        errors > 2500,
        "mutated tokens must almost all be rejected, {errors} were"
    );
}
