//! Verification against a key set held in hand (no provider, no refresh): parse, header policy,
//! key selection by `kid`, signature, claims.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::jws::{self, Jws};
use super::key_set::{KeyMatch, KeySet};
use super::validation::{validate_claims, Validation};
use crate::error::{Error, ErrorCode, Result};

/// A token whose signature (unless bypassed) and claims passed.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedToken {
    /// The protected header.
    pub header: Arc<Map<String, Value>>,
    /// The claims, every check passed.
    pub claims: Arc<Map<String, Value>>,
}

pub(crate) fn signature_error(m: KeyMatch, kid: Option<&str>) -> Option<Error> {
    match m {
        KeyMatch::Verified => None,
        KeyMatch::NoMatch => Some(Error::new(
            ErrorCode::InvalidSignature,
            "Signature verification failed",
        )),
        KeyMatch::UnknownKid => Some(Error::new(
            ErrorCode::UnknownKey,
            format!(
                "no key with kid '{}' in the key set",
                kid.unwrap_or_default()
            ),
        )),
    }
}

/// Parses the token and checks its header against the policy; the returned algorithm is `None`
/// only in signature-bypass mode for an unknown `alg`.
pub(crate) fn parse_checked<'t>(
    token: &'t str,
    v: &Validation,
) -> Result<(Jws<'t>, Map<String, Value>, Option<Algorithm>)> {
    let jws = jws::parse(token, v.max_token_size)?;
    let claims = jws.claims()?;
    let alg = jws.algorithm(&v.algorithms, v.verify_signature)?;
    jws.kid()?;
    Ok((jws, claims, alg))
}

/// Verifies only the JWS layer (header policy, key selection, signature) and returns the
/// payload bytes, which need not be JSON. For generic JWS use and conformance suites; tokens
/// go through [`verify`].
pub fn verify_jws(
    token: &str,
    keys: &KeySet,
    algorithms: &[Algorithm],
    max_size: usize,
) -> Result<Vec<u8>> {
    let jws = jws::parse(token, max_size)?;
    let alg = jws
        .algorithm(algorithms, true)?
        .ok_or_else(|| Error::new(ErrorCode::UnsupportedAlgorithm, "alg is not allowed"))?;
    let kid = jws.kid()?;
    let m = keys.check(kid, alg, jws.signing_input.as_bytes(), &jws.signature, true);
    match signature_error(m, kid) {
        Some(e) => Err(e),
        None => Ok(jws.payload),
    }
}

/// Verifies `token` against `keys` at `now` (Unix seconds).
pub fn verify(token: &str, keys: &KeySet, v: &Validation, now: i64) -> Result<VerifiedToken> {
    verify_jwt(token, keys, v, now).map(|(verified, _)| verified)
}

/// [`verify`], also handing back the payload as signed: the claims as JSON text, exactly as the
/// issuer wrote them. For a binding whose own JSON parser builds its objects faster than it can
/// be handed the decoded claims one by one (V8's `JSON.parse`): no re-serialisation.
pub fn verify_with_payload(
    token: &str,
    keys: &KeySet,
    v: &Validation,
    now: i64,
) -> Result<(VerifiedToken, String)> {
    let (verified, payload) = verify_jwt(token, keys, v, now)?;
    // The claims parsed, so the payload is JSON and therefore UTF-8.
    let text = String::from_utf8(payload)
        .map_err(|_| Error::new(ErrorCode::TokenMalformed, "payload is not UTF-8"))?;
    Ok((verified, text))
}

fn verify_jwt(
    token: &str,
    keys: &KeySet,
    v: &Validation,
    now: i64,
) -> Result<(VerifiedToken, Vec<u8>)> {
    let (jws, claims, alg) = parse_checked(token, v)?;
    if v.verify_signature {
        let alg =
            alg.ok_or_else(|| Error::new(ErrorCode::UnsupportedAlgorithm, "alg is not allowed"))?;
        let kid = jws.kid()?;
        let m = keys.check(kid, alg, jws.signing_input.as_bytes(), &jws.signature, true);
        if let Some(e) = signature_error(m, kid) {
            return Err(e);
        }
    }
    validate_claims(&claims, v, now)?;
    let verified = VerifiedToken {
        header: Arc::new(jws.header),
        claims: Arc::new(claims),
    };
    Ok((verified, jws.payload))
}

/// The current time as whole Unix seconds, as every claim check uses it.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
