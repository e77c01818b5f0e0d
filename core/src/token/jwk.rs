//! JWK (RFC 7517) parsing into [`VerifyingKey`]s. Only public signature keys are accepted;
//! symmetric keys and keys marked for encryption are refused with a reason.

use serde_json::Value;

use super::alg::Algorithm;
use super::b64;
use super::key::VerifyingKey;
use crate::error::{Error, ErrorCode, Result};

fn key_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::KeyInvalid, message)
}

fn opt_str<'a>(jwk: &'a serde_json::Map<String, Value>, member: &str) -> Result<Option<&'a str>> {
    match jwk.get(member) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(key_err(format!("JWK member '{member}' must be a string"))),
    }
}

fn b64_member(jwk: &serde_json::Map<String, Value>, member: &str) -> Result<Vec<u8>> {
    let s = opt_str(jwk, member)?
        .ok_or_else(|| key_err(format!("JWK is missing member '{member}'")))?;
    b64::decode(s).ok_or_else(|| key_err(format!("JWK member '{member}' is not base64url")))
}

/// Parses one public JWK. `kid` is kept; `alg`, when present, restricts the key to that
/// algorithm; `use` must be `sig` and `key_ops` must allow `verify` when present.
pub fn parse_jwk(jwk: &Value) -> Result<VerifyingKey> {
    let jwk = jwk
        .as_object()
        .ok_or_else(|| key_err("JWK is not a JSON object"))?;
    let kty = opt_str(jwk, "kty")?.ok_or_else(|| key_err("JWK is missing member 'kty'"))?;
    let kid = opt_str(jwk, "kid")?;
    if let Some(usage) = opt_str(jwk, "use")? {
        if usage != "sig" {
            return Err(key_err(format!("JWK 'use' is '{usage}', not 'sig'")));
        }
    }
    if let Some(ops) = jwk.get("key_ops") {
        let ops = ops
            .as_array()
            .filter(|ops| ops.iter().all(Value::is_string))
            .ok_or_else(|| key_err("JWK 'key_ops' must be an array of strings"))?;
        if !ops.iter().any(|op| op == "verify") {
            return Err(key_err("JWK 'key_ops' does not allow 'verify'"));
        }
    }
    let key = match kty {
        "RSA" => VerifyingKey::rsa(&b64_member(jwk, "n")?, &b64_member(jwk, "e")?)?,
        "EC" => match opt_str(jwk, "crv")? {
            Some("P-256") => VerifyingKey::ec_p256(&b64_member(jwk, "x")?, &b64_member(jwk, "y")?)?,
            other => return Err(key_err(format!("unsupported EC curve {other:?}"))),
        },
        "OKP" => match opt_str(jwk, "crv")? {
            Some("Ed25519") => VerifyingKey::ed25519(&b64_member(jwk, "x")?)?,
            other => return Err(key_err(format!("unsupported OKP curve {other:?}"))),
        },
        "oct" => return Err(key_err("symmetric (oct) keys are not supported")),
        other => return Err(key_err(format!("unsupported key type '{other}'"))),
    };
    let key = match opt_str(jwk, "alg")? {
        None => key,
        Some(name) => {
            let alg = Algorithm::from_name(name).ok_or_else(|| {
                key_err(format!(
                    "JWK 'alg' '{name}' is not a supported signature algorithm"
                ))
            })?;
            key.with_alg(alg)?
        }
    };
    Ok(match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

    fn code(v: Value) -> ErrorCode {
        parse_jwk(&v).unwrap_err().code()
    }

    #[test]
    fn parses_rsa_with_kid_and_alg() {
        let key = parse_jwk(
            &json!({"kty": "RSA", "n": N, "e": "AQAB", "kid": "k1", "alg": "RS256", "use": "sig"}),
        )
        .unwrap();
        assert_eq!(key.kid(), Some("k1"));
        assert!(key.accepts(Algorithm::RS256));
        assert!(!key.accepts(Algorithm::PS256));
    }

    #[test]
    fn malformed_jwks_are_typed_errors() {
        assert_eq!(
            code(json!({"kty": "RSA", "n": "AA", "e": "AQAB"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": "", "e": ""})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AAAA"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "OKP", "crv": "Ed25519", "x": ""})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(code(json!("RSA")), ErrorCode::KeyInvalid);
        assert_eq!(code(json!({"n": N, "e": "AQAB"})), ErrorCode::KeyInvalid);
        assert_eq!(code(json!({"kty": 1})), ErrorCode::KeyInvalid);
        assert_eq!(
            code(json!({"kty": "RSA", "e": "AQAB"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AQAB="})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AQ"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AQAB", "use": "enc"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AQAB", "key_ops": ["sign"]})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AQAB", "alg": "ES256"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AQAB", "alg": "HS256"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "RSA", "n": N, "e": "AQAB", "kid": 7})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "oct", "k": "AAAA"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            code(json!({"kty": "OKP", "crv": "X25519", "x": "AA"})),
            ErrorCode::KeyInvalid
        );
        assert_eq!(code(json!({"kty": "XYZ"})), ErrorCode::KeyInvalid);
    }
}
