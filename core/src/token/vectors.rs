//! tests/vectors/tokens.json: fixed tokens with the expected result or error code for every
//! verification rule, shared by every language's suite. `generate_token_vectors` (ignored)
//! writes the file once; `token_vectors` checks the committed file against this library.
//!
//! Format: `keys` (PEMs, for suites that want them), `jwks` (the key set every case verifies
//! against), `default_validation`, and `cases`, each with `token`, optional `validation`
//! overrides, `now`, and `expected` (`{"valid": true, "claims": {...}}` or
//! `{"valid": false, "error": "<code>"}`). `jwks_cases` / `jwk_cases` cover key parsing.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PSS_SHA256,
};
use serde_json::{json, Map, Value};

use super::tests::{RSA_A, RSA_B, RSA_C};
use super::*;

const RSA_D: &str = include_str!("../../../tests/vectors/keys/rsa_d.pem");
const EC: &str = include_str!("../../../tests/vectors/keys/ec_p256.pem");
const ED: &str = include_str!("../../../tests/vectors/keys/ed25519.pem");
const NOW: i64 = 1_700_000_000;
/// 2100-01-01: "valid" tokens stay valid for suites that use the real clock.
const FAR: i64 = 4_102_444_800;
const AUD: &str = "gitlab-ai-gateway";

fn path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/tokens.json")
}

fn b64j(v: &Value) -> String {
    base64url_encode(v.to_string().as_bytes())
}

struct Keys {
    a: SigningKey,
    b: SigningKey,
    c: SigningKey,
    d: SigningKey,
    ec: EcdsaKeyPair,
    ed: Ed25519KeyPair,
}

impl Keys {
    fn load() -> Keys {
        let der = |pem: &str| pem::decode(pem).unwrap().1;
        Keys {
            a: SigningKey::from_pem(RSA_A).unwrap(),
            b: SigningKey::from_pem(RSA_B).unwrap(),
            c: SigningKey::from_pem(RSA_C).unwrap(),
            d: SigningKey::from_pem(RSA_D).unwrap(),
            ec: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der(EC)).unwrap(),
            ed: Ed25519KeyPair::from_pkcs8(&der(ED)).unwrap(),
        }
    }

    fn jwks(&self) -> Value {
        let rsa = |k: &SigningKey, kid: Option<&str>| {
            let mut m = k.verifying_key().public_members();
            if let Some(kid) = kid {
                m.insert("kid".into(), kid.into());
            }
            Value::Object(m)
        };
        let p = self.ec.public_key().as_ref();
        json!({"keys": [
            rsa(&self.a, Some("a")),
            rsa(&self.b, Some("b")),
            {"kty": "EC", "crv": "P-256", "kid": "ec", "x": base64url_encode(&p[1..33]), "y": base64url_encode(&p[33..])},
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": base64url_encode(self.ed.public_key().as_ref())},
            rsa(&self.d, None),
        ]})
    }

    /// Signs `header.payload` with the key named by `signer`, whatever `alg` the header claims.
    fn sign(&self, signer: &str, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64j(header), b64j(claims));
        let rng = SystemRandom::new();
        let sig = match signer {
            "a" => self.a.sign_rs256(input.as_bytes()).unwrap(),
            "b" => self.b.sign_rs256(input.as_bytes()).unwrap(),
            "c" => self.c.sign_rs256(input.as_bytes()).unwrap(),
            "d" => self.d.sign_rs256(input.as_bytes()).unwrap(),
            "a-pss" => {
                let pair =
                    aws_lc_rs::rsa::KeyPair::from_pkcs8(&pem::decode(RSA_A).unwrap().1).unwrap();
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(&RSA_PSS_SHA256, &rng, input.as_bytes(), &mut sig)
                    .unwrap();
                sig
            }
            "ec" => self
                .ec
                .sign(&rng, input.as_bytes())
                .unwrap()
                .as_ref()
                .to_vec(),
            "ed" => self.ed.sign(input.as_bytes()).as_ref().to_vec(),
            other => panic!("unknown signer {other}"),
        };
        format!("{input}.{}", base64url_encode(&sig))
    }
}

fn rs(kid: Option<&str>) -> Value {
    match kid {
        Some(k) => json!({"alg": "RS256", "typ": "JWT", "kid": k}),
        None => json!({"alg": "RS256", "typ": "JWT"}),
    }
}

fn good() -> Value {
    json!({"aud": AUD, "iss": "https://gitlab.com", "sub": "instance-1", "exp": FAR, "iat": NOW, "nbf": NOW,
           "jti": "00000000-0000-4000-8000-000000000000", "gitlab_realm": "saas", "scopes": ["duo_chat"]})
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

fn generate() -> Value {
    let k = Keys::load();
    let mut cases: Vec<Value> = Vec::new();
    let mut case = |id: &str,
                    description: &str,
                    token: String,
                    validation: Value,
                    error: Option<&str>| {
        cases.push(json!({"id": id, "description": description, "token": token, "validation": validation, "now": NOW,
                          "expected": match error { None => json!({"valid": true}), Some(e) => json!({"valid": false, "error": e}) }}));
    };
    let none = json!({});
    let s = |signer: &str, h: Value, c: Value| k.sign(signer, &h, &c);

    // Valid tokens and key selection.
    case(
        "valid_kid",
        "kid selects key a",
        s("a", rs(Some("a")), good()),
        none.clone(),
        None,
    );
    case(
        "valid_no_kid",
        "no kid: every key tried in order",
        s("b", rs(None), good()),
        none.clone(),
        None,
    );
    case(
        "valid_no_kid_kidless_key",
        "no kid, key published without kid",
        s("d", rs(None), good()),
        none.clone(),
        None,
    );
    case(
        "valid_unknown_kid_kidless_fallback",
        "unknown kid: keys without kid are tried",
        s("d", rs(Some("zzz")), good()),
        none.clone(),
        None,
    );
    case(
        "valid_minimal_claims",
        "only aud: exp/nbf/iat/iss/sub are optional",
        s("a", rs(None), json!({"aud": AUD})),
        none.clone(),
        None,
    );
    case(
        "valid_aud_list",
        "aud list containing the audience",
        s("a", rs(None), with(good(), "aud", json!(["x", AUD]))),
        none.clone(),
        None,
    );
    case(
        "valid_exp_equals_now",
        "exp == now is still valid",
        s("a", rs(None), with(good(), "exp", json!(NOW))),
        none.clone(),
        None,
    );
    case(
        "valid_nbf_equals_now",
        "nbf == now is valid",
        s("a", rs(None), with(good(), "nbf", json!(NOW))),
        none.clone(),
        None,
    );
    case(
        "valid_float_exp",
        "a float NumericDate is a number",
        s("a", rs(None), with(good(), "exp", json!(NOW as f64 + 0.5))),
        none.clone(),
        None,
    );
    case(
        "valid_iat_in_future",
        "iat in the future is not checked by default",
        s("a", rs(None), with(good(), "iat", json!(NOW + 100))),
        none.clone(),
        None,
    );
    case(
        "valid_unknown_claims",
        "unknown claims are ignored",
        s("a", rs(None), with(good(), "custom", json!({"x": [1]}))),
        none.clone(),
        None,
    );
    case(
        "valid_leeway",
        "exp 5 s ago with leeway 10",
        s("a", rs(None), with(good(), "exp", json!(NOW - 5))),
        json!({"leeway": 10}),
        None,
    );
    case(
        "valid_issuer",
        "issuer checked when configured",
        s("a", rs(None), good()),
        json!({"issuer": "https://gitlab.com"}),
        None,
    );
    case(
        "valid_iss_not_checked",
        "any iss when no issuer configured",
        s("a", rs(None), with(good(), "iss", json!("gitlab-rails"))),
        none.clone(),
        None,
    );
    case(
        "valid_bypass_forged",
        "signature-bypass mode accepts a forged signature",
        s("c", rs(None), good()),
        json!({"verify_signature": false}),
        None,
    );
    case(
        "valid_ps256_opt_in",
        "PS256 when allowed",
        s("a-pss", json!({"alg": "PS256", "kid": "a"}), good()),
        json!({"algorithms": ["RS256", "PS256"]}),
        None,
    );
    case(
        "valid_es256_opt_in",
        "ES256 when allowed",
        s("ec", json!({"alg": "ES256", "kid": "ec"}), good()),
        json!({"algorithms": ["ES256"]}),
        None,
    );
    case(
        "valid_eddsa_opt_in",
        "EdDSA when allowed",
        s("ed", json!({"alg": "EdDSA", "kid": "ed"}), good()),
        json!({"algorithms": ["EdDSA"]}),
        None,
    );

    // Format.
    let valid = s("a", rs(Some("a")), good());
    let parts: Vec<&str> = valid.split('.').collect();
    case(
        "too_large",
        "size checked before decoding",
        valid.clone(),
        json!({"max_token_size": 100}),
        Some("token_too_large"),
    );
    case(
        "two_segments",
        "not a compact JWS",
        format!("{}.{}", parts[0], parts[1]),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "four_segments",
        "not a compact JWS",
        format!("{valid}.x"),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "jwe_five_segments",
        "JWE is rejected",
        format!("{}.{}.{}.{}.{}", parts[0], "", parts[1], "", parts[2]),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "json_serialization",
        "JWS JSON serialization is rejected",
        json!({"payload": parts[1], "protected": parts[0], "signature": parts[2]}).to_string(),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "empty",
        "empty string",
        String::new(),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "padded_header",
        "base64url padding is rejected",
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "standard_alphabet_signature",
        "'+' and '/' are not base64url",
        format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            parts[2].replace(['-', '_'], "+")
        ),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "space_in_payload",
        "whitespace inside a segment",
        format!("{}.{} .{}", parts[0], parts[1], parts[2]),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "header_not_json",
        "header is not JSON",
        format!("{}.{}.{}", base64url_encode(b"{alg"), parts[1], parts[2]),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "header_not_object",
        "header is a JSON array",
        format!("{}.{}.{}", base64url_encode(b"[]"), parts[1], parts[2]),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "payload_not_object",
        "payload is a JSON string",
        s("a", rs(None), json!("aud")),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "missing_alg",
        "no alg header",
        s("a", json!({"typ": "JWT"}), good()),
        none.clone(),
        Some("token_malformed"),
    );
    case(
        "kid_not_string",
        "kid must be a string",
        s("a", json!({"alg": "RS256", "kid": 1}), good()),
        none.clone(),
        Some("token_malformed"),
    );

    // Algorithms and header rules.
    for (id, alg) in [
        ("alg_none", "none"),
        ("alg_none_capitalised", "None"),
        ("alg_none_upper", "NONE"),
        ("alg_none_mixed", "nOnE"),
    ] {
        let t = format!("{}.{}.", b64j(&json!({"alg": alg})), b64j(&good()));
        case(
            id,
            "alg none is never accepted",
            t.clone(),
            none.clone(),
            Some("unsupported_algorithm"),
        );
        case(
            &format!("{id}_bypass"),
            "alg none is refused even in bypass mode",
            t,
            json!({"verify_signature": false}),
            Some("unsupported_algorithm"),
        );
    }
    case(
        "alg_hs256",
        "HMAC is not accepted",
        s("a", json!({"alg": "HS256"}), good()),
        none.clone(),
        Some("unsupported_algorithm"),
    );
    case(
        "alg_lowercase",
        "alg names are case-sensitive",
        s("a", json!({"alg": "rs256"}), good()),
        none.clone(),
        Some("unsupported_algorithm"),
    );
    case(
        "alg_es256_not_allowed",
        "ES256 is opt-in",
        s("ec", json!({"alg": "ES256", "kid": "ec"}), good()),
        none.clone(),
        Some("unsupported_algorithm"),
    );
    case(
        "alg_ps256_not_allowed",
        "PS256 is opt-in",
        s("a-pss", json!({"alg": "PS256", "kid": "a"}), good()),
        none.clone(),
        Some("unsupported_algorithm"),
    );
    case(
        "alg_swapped_to_ps256",
        "an RS256 signature under a PS256 header",
        s("a", json!({"alg": "PS256", "kid": "a"}), good()),
        json!({"algorithms": ["RS256", "PS256"]}),
        Some("invalid_signature"),
    );
    case(
        "crit_unknown",
        "crit with an unknown extension",
        s(
            "a",
            json!({"alg": "RS256", "crit": ["exp"], "exp": 1}),
            good(),
        ),
        none.clone(),
        Some("crit_unsupported"),
    );
    case(
        "crit_b64",
        "crit b64 (RFC 7797) is not supported",
        s(
            "a",
            json!({"alg": "RS256", "crit": ["b64"], "b64": false}),
            good(),
        ),
        none.clone(),
        Some("crit_unsupported"),
    );
    case(
        "crit_empty",
        "crit must not be empty",
        s("a", json!({"alg": "RS256", "crit": []}), good()),
        none.clone(),
        Some("token_malformed"),
    );
    let c_jwk = Value::Object(k.c.verifying_key().public_members());
    case(
        "embedded_jwk_ignored",
        "a key in the header is never used",
        s("c", json!({"alg": "RS256", "jwk": c_jwk}), good()),
        none.clone(),
        Some("invalid_signature"),
    );
    case(
        "jku_ignored",
        "jku is never fetched",
        s(
            "c",
            json!({"alg": "RS256", "jku": "http://127.0.0.1:9/jwks"}),
            good(),
        ),
        none.clone(),
        Some("invalid_signature"),
    );
    case(
        "x5u_ignored",
        "x5u is never fetched",
        s(
            "c",
            json!({"alg": "RS256", "x5u": "http://127.0.0.1:9/cert"}),
            good(),
        ),
        none.clone(),
        Some("invalid_signature"),
    );

    // Signatures and keys.
    case(
        "forged_no_kid",
        "signed by a key outside the set",
        s("c", rs(None), good()),
        none.clone(),
        Some("invalid_signature"),
    );
    case(
        "known_kid_wrong_key",
        "kid b, signed by a: only key b is tried",
        s("a", rs(Some("b")), good()),
        none.clone(),
        Some("invalid_signature"),
    );
    case(
        "unknown_kid",
        "unknown kid, no kid-less key verifies",
        s("c", rs(Some("zzz")), good()),
        none.clone(),
        Some("unknown_key"),
    );
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64j(&with(good(), "scopes", json!(["everything"]))),
        parts[2]
    );
    case(
        "tampered_payload",
        "payload changed after signing",
        tampered,
        none.clone(),
        Some("invalid_signature"),
    );
    case(
        "truncated_signature",
        "signature cut short",
        format!("{}.{}.{}", parts[0], parts[1], &parts[2][..40]),
        none.clone(),
        Some("invalid_signature"),
    );
    case(
        "empty_signature",
        "no signature",
        format!("{}.{}.", parts[0], parts[1]),
        none.clone(),
        Some("invalid_signature"),
    );

    // Claims.
    case(
        "expired",
        "exp one second ago",
        s("a", rs(None), with(good(), "exp", json!(NOW - 1))),
        none.clone(),
        Some("token_expired"),
    );
    case(
        "not_yet_valid",
        "nbf one second ahead",
        s("a", rs(None), with(good(), "nbf", json!(NOW + 1))),
        none.clone(),
        Some("token_not_yet_valid"),
    );
    case(
        "iat_future_checked",
        "iat ahead when the check is on",
        s("a", rs(None), with(good(), "iat", json!(NOW + 1))),
        json!({"reject_future_iat": true}),
        Some("token_used_before_issued"),
    );
    case(
        "missing_aud",
        "a token without aud is rejected",
        s("a", rs(None), without(good(), "aud")),
        none.clone(),
        Some("missing_audience"),
    );
    case(
        "missing_aud_bypass",
        "claims still apply in bypass mode",
        s("c", rs(None), without(good(), "aud")),
        json!({"verify_signature": false}),
        Some("missing_audience"),
    );
    case(
        "aud_mismatch",
        "another audience",
        s("a", rs(None), with(good(), "aud", json!("other"))),
        none.clone(),
        Some("audience_mismatch"),
    );
    case(
        "aud_list_mismatch",
        "list without the audience",
        s("a", rs(None), with(good(), "aud", json!(["x", "y"]))),
        none.clone(),
        Some("audience_mismatch"),
    );
    case(
        "aud_list_non_string",
        "aud list with a number",
        s("a", rs(None), with(good(), "aud", json!([AUD, 1]))),
        none.clone(),
        Some("invalid_claim_type"),
    );
    case(
        "aud_number",
        "aud is a number",
        s("a", rs(None), with(good(), "aud", json!(1))),
        none.clone(),
        Some("invalid_claim_type"),
    );
    for (claim, value, tag) in [
        ("exp", json!("4102444800"), "string"),
        ("exp", Value::Null, "null"),
        ("nbf", json!(true), "bool"),
        ("iat", json!([NOW]), "list"),
        ("iat", json!({}), "object"),
    ] {
        case(
            &format!("{claim}_{tag}"),
            "NumericDate of the wrong JSON type",
            s("a", rs(None), with(good(), claim, value)),
            none.clone(),
            Some("invalid_claim_type"),
        );
    }
    case(
        "iss_mismatch",
        "issuer configured and different",
        s("a", rs(None), with(good(), "iss", json!("https://evil"))),
        json!({"issuer": "https://gitlab.com"}),
        Some("issuer_mismatch"),
    );
    case(
        "iss_missing",
        "issuer configured and absent",
        s("a", rs(None), without(good(), "iss")),
        json!({"issuer": "https://gitlab.com"}),
        Some("issuer_mismatch"),
    );
    case(
        "iss_number",
        "issuer configured and not a string",
        s("a", rs(None), with(good(), "iss", json!(1))),
        json!({"issuer": "https://gitlab.com"}),
        Some("invalid_claim_type"),
    );
    case(
        "sub_number",
        "sub must be a string",
        s("a", rs(None), with(good(), "sub", json!(1))),
        none.clone(),
        Some("invalid_claim_type"),
    );
    case(
        "jti_number",
        "jti must be a string",
        s("a", rs(None), with(good(), "jti", json!(1))),
        none.clone(),
        Some("invalid_claim_type"),
    );
    case(
        "at_hash",
        "at_hash cannot be checked",
        s("a", rs(None), with(good(), "at_hash", json!("x"))),
        none.clone(),
        Some("unsupported_claim"),
    );

    // Issued by this library.
    let scopes = vec!["duo_chat".to_owned()];
    let req = UserTokenClaims {
        sub: "user-1",
        gitlab_realm: "saas",
        gitlab_instance_id: json!("1"),
        scopes: &scopes,
        ..Default::default()
    };
    let (user_token, _) = TokenAuthority::new(RSA_A)
        .encode_at(AUD, &req, NOW)
        .unwrap();
    case(
        "token_authority_user_token",
        "TokenAuthority output, no kid",
        user_token,
        none.clone(),
        None,
    );
    let jwt = JsonWebToken::new_at(
        "https://gitlab.com",
        Audience::Many(vec![AUD.into()]),
        "instance-1",
        "saas",
        scopes.clone(),
        FAR - NOW,
        Map::new(),
        NOW,
    );
    case(
        "json_web_token_instance_token",
        "JsonWebToken output, kid = thumbprint (not in the set: unknown, no kid-less match)",
        jwt.encode(&k.b).unwrap(),
        none.clone(),
        Some("unknown_key"),
    );

    let jwks_cases = json!([
        {"id": "not_object", "jwks": [], "expected": {"error": "jwks_invalid"}},
        {"id": "no_keys_member", "jwks": {}, "expected": {"error": "jwks_invalid"}},
        {"id": "keys_not_array", "jwks": {"keys": {}}, "expected": {"error": "jwks_invalid"}},
        {"id": "bad_keys_skipped", "jwks": {"keys": [{"kty": "oct", "k": "AAAA"}, 1, k.jwks()["keys"][0].clone()]}, "expected": {"keys": 1, "skipped": 2}},
        {"id": "empty", "jwks": {"keys": []}, "expected": {"keys": 0, "skipped": 0}},
    ]);
    let n = k.a.verifying_key().public_members()["n"].clone();
    let jwk_cases = json!([
        {"id": "rsa", "jwk": {"kty": "RSA", "n": n, "e": "AQAB"}, "expected": {"thumbprint": k.a.thumbprint()}},
        {"id": "rsa_kid_alg_use", "jwk": {"kty": "RSA", "n": n, "e": "AQAB", "kid": "x", "alg": "RS256", "use": "sig"}, "expected": {"thumbprint": k.a.thumbprint()}},
        {"id": "not_object", "jwk": "RSA", "expected": {"error": "key_invalid"}},
        {"id": "missing_kty", "jwk": {"n": n, "e": "AQAB"}, "expected": {"error": "key_invalid"}},
        {"id": "missing_n", "jwk": {"kty": "RSA", "e": "AQAB"}, "expected": {"error": "key_invalid"}},
        {"id": "padded_n", "jwk": {"kty": "RSA", "n": format!("{}=", n.as_str().unwrap()), "e": "AQAB"}, "expected": {"error": "key_invalid"}},
        {"id": "small_rsa", "jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "expected": {"error": "key_invalid"}},
        {"id": "exponent_one", "jwk": {"kty": "RSA", "n": n, "e": "AQ"}, "expected": {"error": "key_invalid"}},
        {"id": "use_enc", "jwk": {"kty": "RSA", "n": n, "e": "AQAB", "use": "enc"}, "expected": {"error": "key_invalid"}},
        {"id": "key_ops_sign_only", "jwk": {"kty": "RSA", "n": n, "e": "AQAB", "key_ops": ["sign"]}, "expected": {"error": "key_invalid"}},
        {"id": "alg_mismatch", "jwk": {"kty": "RSA", "n": n, "e": "AQAB", "alg": "ES256"}, "expected": {"error": "key_invalid"}},
        {"id": "alg_hmac", "jwk": {"kty": "RSA", "n": n, "e": "AQAB", "alg": "HS256"}, "expected": {"error": "key_invalid"}},
        {"id": "symmetric", "jwk": {"kty": "oct", "k": "AAAA"}, "expected": {"error": "key_invalid"}},
        {"id": "ec_p384", "jwk": {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, "expected": {"error": "key_invalid"}},
        {"id": "ec_short_coordinates", "jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, "expected": {"error": "key_invalid"}},
        {"id": "unknown_kty", "jwk": {"kty": "XYZ"}, "expected": {"error": "key_invalid"}},
    ]);

    json!({
        "description": "Token verification vectors: verify each case's token against `jwks` with `default_validation` overridden by the case's `validation`, at `now` (Unix seconds). Generated once by core/src/token/vectors.rs (generate_token_vectors); test keys in tests/vectors/keys/.",
        "keys": {"a": RSA_A, "b": RSA_B, "c_not_in_set": RSA_C, "d_published_without_kid": RSA_D, "ec": EC, "ed": ED},
        "jwks": k.jwks(),
        "default_validation": {"audiences": [AUD], "algorithms": ["RS256"], "issuer": null, "leeway": 0,
                               "max_token_size": DEFAULT_MAX_TOKEN_SIZE, "reject_future_iat": false, "verify_signature": true},
        "cases": cases,
        "jwks_cases": jwks_cases,
        "jwk_cases": jwk_cases,
        "authenticate": authenticate_cases(&k),
    })
}

/// `authenticate` (python-api.md §3) with a composite of one local provider (signing key `a`,
/// validation key `b`) and service name `AUD`, at the real clock (tokens expire in 2100).
fn authenticate_cases(k: &Keys) -> Value {
    let mut cases = Vec::new();
    let mut case = |id: &str, headers: Value, bypass: bool, expected: Value| {
        cases.push(
            json!({"id": id, "headers": headers, "bypass_auth": bypass, "expected": expected}),
        );
    };
    let instance = json!({"aud": AUD, "iss": "https://customers.gitlab.com", "sub": "instance-uuid", "exp": FAR,
        "iat": NOW, "nbf": NOW - 5, "gitlab_realm": "self-managed", "gitlab_instance_id": "instance-uuid",
        "scopes": ["duo_chat", "complete_code"], "gitlab_root_namespace_id": "123"});
    let user = json!({"aud": AUD, "iss": AUD, "sub": "user-42", "exp": FAR, "iat": NOW, "nbf": NOW,
        "gitlab_realm": "saas", "gitlab_instance_id": "instance-uuid", "scopes": ["duo_chat"]});
    let t = |signer: &str, claims: &Value| format!("Bearer {}", k.sign(signer, &rs(None), claims));
    let headers = |auth: &str, extra: &[(&str, &str)]| {
        let mut h = Map::new();
        h.insert("Authorization".into(), auth.into());
        h.insert("X-Gitlab-Authentication-Type".into(), "oidc".into());
        h.insert("X-Gitlab-Realm".into(), "self-managed".into());
        h.insert("X-Gitlab-Instance-Id".into(), "instance-uuid".into());
        h.insert("X-Gitlab-Global-User-Id".into(), "user-42".into());
        for (name, value) in extra {
            if value.is_empty() {
                h.remove(*name);
            } else {
                h.insert((*name).into(), (*value).into());
            }
        }
        Value::Object(h)
    };
    let fail = |error: &str, claims: Value, gid: Value| json!({"error": error, "authenticated": false, "is_debug": false, "global_user_id": gid, "claims": claims});
    let ok = |claims: Value| json!({"error": null, "authenticated": true, "is_debug": false, "global_user_id": "user-42", "claims": claims});
    let decoded = |c: &Value| json!({"issuer": c["iss"], "subject": c["sub"], "gitlab_realm": c["gitlab_realm"], "scopes": c["scopes"]});
    let good = t("a", &instance);

    case(
        "bypass",
        json!({"X-Gitlab-Global-User-Id": "7"}),
        true,
        json!({"error": null, "authenticated": true, "is_debug": true, "global_user_id": "7", "claims": null}),
    );
    case(
        "bypass_without_headers",
        json!({}),
        true,
        json!({"error": null, "authenticated": true, "is_debug": true, "global_user_id": null, "claims": null}),
    );
    case(
        "no_authorization",
        headers("", &[("Authorization", "")]),
        false,
        fail(NO_AUTH, Value::Null, Value::Null),
    );
    case(
        "not_bearer",
        headers("Basic abc", &[]),
        false,
        fail(INVALID_AUTH, Value::Null, Value::Null),
    );
    case(
        "no_scheme",
        headers("invalid", &[]),
        false,
        fail(INVALID_AUTH, Value::Null, Value::Null),
    );
    case(
        "auth_type_missing",
        headers(&good, &[("X-Gitlab-Authentication-Type", "")]),
        false,
        fail(INVALID_TYPE, json!("empty"), json!("user-42")),
    );
    case(
        "auth_type_case",
        headers(&good, &[("X-Gitlab-Authentication-Type", "OIDC")]),
        false,
        fail(INVALID_TYPE, json!("empty"), json!("user-42")),
    );
    case(
        "forged",
        headers(&t("c", &instance), &[]),
        false,
        fail(FORBIDDEN, json!("empty"), json!("user-42")),
    );
    case(
        "expired",
        headers(&t("a", &with(instance.clone(), "exp", json!(NOW))), &[]),
        false,
        fail(FORBIDDEN, json!("empty"), json!("user-42")),
    );
    case(
        "no_aud",
        headers(&t("a", &without(instance.clone(), "aud")), &[]),
        false,
        fail(FORBIDDEN, json!("empty"), json!("user-42")),
    );
    case(
        "other_aud",
        headers(&t("a", &with(instance.clone(), "aud", json!("other"))), &[]),
        false,
        fail(FORBIDDEN, json!("empty"), json!("user-42")),
    );
    case(
        "empty_token",
        headers("Bearer", &[]),
        false,
        fail(FORBIDDEN, json!("empty"), json!("user-42")),
    );
    case(
        "realm_mismatch",
        headers(&good, &[("X-Gitlab-Realm", "saas")]),
        false,
        fail(
            "Header mismatch 'X-Gitlab-Realm'",
            decoded(&instance),
            json!("user-42"),
        ),
    );
    case(
        "instance_missing",
        headers(&good, &[("X-Gitlab-Instance-Id", "")]),
        false,
        fail(
            "Header mismatch 'X-Gitlab-Instance-Id'",
            decoded(&instance),
            json!("user-42"),
        ),
    );
    case(
        "subject_mismatch_instance_token",
        headers(&t("a", &with(instance.clone(), "sub", json!("other"))), &[]),
        false,
        fail(
            "Header mismatch 'X-Gitlab-Instance-Id'",
            decoded(&with(instance.clone(), "sub", json!("other"))),
            json!("user-42"),
        ),
    );
    case(
        "success_instance_token",
        headers(&good, &[]),
        false,
        ok(decoded(&instance)),
    );
    case(
        "success_lower_case_headers",
        {
            let h = headers(&good, &[]);
            Value::Object(
                h.as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.to_lowercase(), v.clone()))
                    .collect(),
            )
        },
        false,
        ok(decoded(&instance)),
    );
    case(
        "success_validation_key",
        headers(&t("b", &instance), &[]),
        false,
        ok(decoded(&instance)),
    );
    let user_headers = &[("X-Gitlab-Realm", "saas")];
    case(
        "success_user_token",
        headers(&t("a", &user), user_headers),
        false,
        ok(decoded(&user)),
    );
    case(
        "user_token_user_id_mismatch",
        headers(
            &t("a", &user),
            &[("X-Gitlab-Realm", "saas"), ("X-Gitlab-Global-User-Id", "9")],
        ),
        false,
        fail(
            "Header mismatch 'X-Gitlab-Global-User-Id'",
            decoded(&user),
            json!("9"),
        ),
    );
    let empty = with(
        with(
            with(instance.clone(), "gitlab_realm", json!("")),
            "gitlab_instance_id",
            json!(""),
        ),
        "sub",
        json!(""),
    );
    case(
        "empty_claims_not_checked",
        headers(
            &t("a", &empty),
            &[
                ("X-Gitlab-Realm", "anything"),
                ("X-Gitlab-Instance-Id", "x"),
            ],
        ),
        false,
        json!({"error": null, "authenticated": true, "is_debug": false, "global_user_id": "user-42", "claims": decoded(&empty)}),
    );
    let numeric = with(instance.clone(), "gitlab_instance_id", json!(5));
    case(
        "numeric_instance_id_never_matches",
        headers(&t("a", &numeric), &[("X-Gitlab-Instance-Id", "5")]),
        false,
        fail(
            "Header mismatch 'X-Gitlab-Instance-Id'",
            decoded(&numeric),
            json!("user-42"),
        ),
    );
    // A JSON null is passed through as every other value (the original's
    // `jwt_claims.get("gitlab_instance_id", "")` keeps it), and a falsy claim is not compared.
    let null_id = with(user.clone(), "gitlab_instance_id", Value::Null);
    let mut null_claims = decoded(&null_id);
    null_claims["gitlab_instance_id"] = Value::Null;
    case(
        "null_instance_id_kept_and_not_compared",
        headers(
            &t("a", &null_id),
            &[
                ("X-Gitlab-Realm", "saas"),
                ("X-Gitlab-Instance-Id", "other"),
            ],
        ),
        false,
        ok(null_claims),
    );
    json!({
        "description": "authenticate(headers, provider, bypass_auth): provider = composite of LocalAuthProvider(signing key `a`, validation key `b`), service name = `service_name`; claims: null, \"empty\" (UserClaims()), or the decoded fields listed.",
        "service_name": AUD,
        "cases": cases,
    })
}

const NO_AUTH: &str = "No authorization header presented";
const INVALID_AUTH: &str = "Invalid authorization header";
const INVALID_TYPE: &str = "Invalid authentication token type - only OIDC is supported";
const FORBIDDEN: &str = "Forbidden by auth provider";

#[test]
fn authenticate_vectors() {
    use crate::auth::{
        authenticate, CompositeConfig, CompositeProvider, KeySource, LocalAuthProvider, UserClaims,
    };

    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let doc = &doc["authenticate"];
    let service = doc["service_name"].as_str().unwrap();
    let local: Arc<dyn KeySource> =
        Arc::new(LocalAuthProvider::new(RSA_A, RSA_B).with_service_name(service));
    let config = CompositeConfig {
        audiences: Some(vec![service.to_owned()]),
        ..Default::default()
    };
    let provider = CompositeProvider::new(vec![local], config);
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let id = &case["id"];
        let headers = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()));
        let out = authenticate(
            headers,
            Some(&provider),
            case["bypass_auth"].as_bool().unwrap(),
            Some(service),
        )
        .unwrap();
        let e = &case["expected"];
        assert_eq!(out.error.as_deref(), e["error"].as_str(), "{id}");
        assert_eq!(
            out.user.authenticated,
            e["authenticated"].as_bool().unwrap(),
            "{id}"
        );
        assert_eq!(out.user.is_debug, e["is_debug"].as_bool().unwrap(), "{id}");
        assert_eq!(
            out.user.global_user_id.as_deref(),
            e["global_user_id"].as_str(),
            "{id}"
        );
        match (&e["claims"], &out.user.claims) {
            (Value::Null, None) => {}
            (Value::String(s), Some(c)) if s == "empty" => {
                assert_eq!(**c, UserClaims::default(), "{id}")
            }
            (Value::Object(want), Some(c)) => {
                assert_eq!(want["issuer"], c.issuer, "{id}");
                assert_eq!(want["subject"], c.subject, "{id}");
                assert_eq!(want["gitlab_realm"], c.gitlab_realm, "{id}");
                assert_eq!(want["scopes"], json!(c.scopes), "{id}");
            }
            (want, got) => panic!("{id}: claims expected {want}, got {got:?}"),
        }
    }
    assert!(cases.len() >= 20);
}

fn validation(default: &Value, overrides: &Value) -> Validation {
    let mut merged = default.as_object().unwrap().clone();
    for (k, v) in overrides.as_object().unwrap() {
        merged.insert(k.clone(), v.clone());
    }
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let mut v = Validation::new(strings(&merged["audiences"]));
    v.algorithms = strings(&merged["algorithms"])
        .iter()
        .map(|a| Algorithm::from_name(a).unwrap())
        .collect();
    v.issuer = merged["issuer"].as_str().map(str::to_owned);
    v.leeway = merged["leeway"].as_u64().unwrap();
    v.max_token_size = merged["max_token_size"].as_u64().unwrap() as usize;
    v.reject_future_iat = merged["reject_future_iat"].as_bool().unwrap();
    v.verify_signature = merged["verify_signature"].as_bool().unwrap();
    v
}

#[test]
#[ignore = "writes tests/vectors/tokens.json; run once with --ignored"]
fn generate_token_vectors() {
    let doc = generate();
    std::fs::write(path(), serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
}

#[test]
fn token_vectors() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let (keys, skipped) = KeySet::from_jwks(&doc["jwks"]).unwrap();
    assert!(skipped.is_empty());
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let v = validation(&doc["default_validation"], &case["validation"]);
        let got = verify(
            case["token"].as_str().unwrap(),
            &keys,
            &v,
            case["now"].as_i64().unwrap(),
        );
        let expected = &case["expected"];
        match (expected["valid"].as_bool().unwrap(), got) {
            (true, Ok(_)) => {}
            (false, Err(e)) => assert_eq!(e.code().as_str(), expected["error"], "case {id}: {e}"),
            (_, got) => panic!("case {id}: expected {expected}, got {got:?}"),
        }
        checked += 1;
    }
    for case in doc["jwks_cases"].as_array().unwrap() {
        let id = &case["id"];
        match KeySet::from_jwks(&case["jwks"]) {
            Ok((set, skipped)) => {
                assert_eq!(
                    set.len() as u64,
                    case["expected"]["keys"].as_u64().unwrap(),
                    "{id}"
                );
                assert_eq!(
                    skipped.len() as u64,
                    case["expected"]["skipped"].as_u64().unwrap(),
                    "{id}"
                );
            }
            Err(e) => assert_eq!(e.code().as_str(), case["expected"]["error"], "{id}"),
        }
        checked += 1;
    }
    for case in doc["jwk_cases"].as_array().unwrap() {
        let id = &case["id"];
        match parse_jwk(&case["jwk"]) {
            Ok(k) => assert_eq!(k.thumbprint(), case["expected"]["thumbprint"], "{id}"),
            Err(e) => assert_eq!(e.code().as_str(), case["expected"]["error"], "{id}: {e}"),
        }
        checked += 1;
    }
    assert!(checked > 80, "only {checked} vectors");
}
