//! Verification against a key set held in hand (no provider, no refresh): parse, header policy,
//! key selection by `kid`, signature, claims.

use std::sync::Arc;

use super::alg::Algorithm;
use super::json_object::JsonObject;
use super::jws::{self, Jws};
use super::key_set::{KeyMatch, KeySet};
use super::validation::{validate_claims, Validation};
use crate::error::{Error, ErrorCode, Result};

/// A token whose signature (unless bypassed) and claims passed.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedToken {
    /// The protected header.
    pub header: Arc<JsonObject>,
    /// The claims, every check passed (as signed; a map on demand).
    pub claims: Arc<JsonObject>,
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
) -> Result<(Jws<'t>, JsonObject, Option<Algorithm>)> {
    let mut jws = jws::parse(token, v.max_token_size)?;
    let claims = jws.take_claims()?;
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
    Ok(VerifiedToken {
        header: Arc::new(jws.header),
        claims: Arc::new(claims),
    })
}

/// The current time as whole Unix seconds, as every claim check uses it.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
