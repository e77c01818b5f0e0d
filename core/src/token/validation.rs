//! The verification policy and the claim checks (python-api.md §4.2 with the §14 tightenings).

use super::alg::Algorithm;
use super::json_object::{JsonObject, JsonRef};
use super::jws::DEFAULT_MAX_TOKEN_SIZE;
use crate::error::{Error, ErrorCode, Result};

/// What a token must satisfy. Build with [`Validation::new`] and adjust the public fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// Allowed header `alg` values; RS256 only by default.
    pub algorithms: Vec<Algorithm>,
    /// The token's `aud` must contain one of these. A token without `aud` is always rejected.
    pub audiences: Vec<String>,
    /// Checked only when set.
    pub issuer: Option<String>,
    /// Seconds of clock skew allowed for `exp`, `nbf` (and `iat` when checked). 0 by default.
    pub leeway: u64,
    /// Tokens longer than this are refused before decoding.
    pub max_token_size: usize,
    /// Reject an `iat` in the future. Off by default: the original never checked it.
    pub reject_future_iat: bool,
    /// False is signature-bypass mode (development only): `alg` and signature are not checked;
    /// every claim check still is.
    pub verify_signature: bool,
}

impl Validation {
    /// The default policy for these audiences: RS256 only, no issuer check, no leeway,
    /// [`DEFAULT_MAX_TOKEN_SIZE`], future `iat` accepted, signature checked.
    pub fn new<S: Into<String>>(audiences: impl IntoIterator<Item = S>) -> Validation {
        Validation {
            algorithms: vec![Algorithm::RS256],
            audiences: audiences.into_iter().map(Into::into).collect(),
            issuer: None,
            leeway: 0,
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            reject_future_iat: false,
            verify_signature: true,
        }
    }
}

fn type_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidClaimType, message)
}

/// A NumericDate as whole seconds. Integers and floats are numbers (a float is truncated, as
/// `int()` did); anything else, numeric strings included, is a type error rather than "absent".
fn numeric_date(claim: Option<JsonRef<'_>>, name: &str, label: &str) -> Result<Option<i64>> {
    match claim {
        None => Ok(None),
        Some(JsonRef::I64(i)) => Ok(Some(i)),
        Some(JsonRef::U64(u)) => Ok(Some(i64::try_from(u).unwrap_or(i64::MAX))),
        // `as` saturates, which is what a date beyond i64 should do.
        Some(JsonRef::F64(f)) => Ok(Some(f.trunc() as i64)),
        Some(_) => Err(type_err(format!("{label} claim ({name}) must be a number"))),
    }
}

/// Checks every claim rule against `now` (Unix seconds). Signature and header are not looked at.
pub fn validate_claims(claims: &JsonObject, v: &Validation, now: i64) -> Result<()> {
    validate_claims_for(claims, v, &v.audiences, now).map(|_| ())
}

/// What a cached token is judged on again, taken from its claims when they passed: the time
/// claims as whole seconds and where the audience is. Every other rule depends only on the
/// claims and the fixed policy; the time and the caller's audiences change between calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TimeClaims {
    iat: Option<i64>,
    nbf: Option<i64>,
    exp: Option<i64>,
    /// The `aud` member's place in the claims (`JsonObject::position`).
    aud: Option<usize>,
}

impl TimeClaims {
    /// The time rules at `now`, then the audience rule for `audiences`, in the order (and with
    /// the errors) of [`validate_claims`]. `claims` are the ones these were taken from.
    pub(crate) fn check<A: AsRef<str>>(
        &self,
        claims: &JsonObject,
        v: &Validation,
        audiences: &[A],
        now: i64,
    ) -> Result<()> {
        check_iat(self.iat, v, now)?;
        check_nbf(self.nbf, v, now)?;
        check_exp(self.exp, v, now)?;
        check_audience(self.aud.map(|at| claims.at_position(at)), audiences)
    }
}

fn leeway(v: &Validation) -> i64 {
    i64::try_from(v.leeway).unwrap_or(i64::MAX)
}

fn check_iat(iat: Option<i64>, v: &Validation, now: i64) -> Result<()> {
    match iat {
        Some(iat) if v.reject_future_iat && iat > now.saturating_add(leeway(v)) => Err(Error::new(
            ErrorCode::TokenUsedBeforeIssued,
            "The token was issued in the future (iat)",
        )),
        _ => Ok(()),
    }
}

fn check_nbf(nbf: Option<i64>, v: &Validation, now: i64) -> Result<()> {
    match nbf {
        Some(nbf) if nbf > now.saturating_add(leeway(v)) => Err(Error::new(
            ErrorCode::TokenNotYetValid,
            "The token is not yet valid (nbf)",
        )),
        _ => Ok(()),
    }
}

fn check_exp(exp: Option<i64>, v: &Validation, now: i64) -> Result<()> {
    match exp {
        Some(exp) if exp < now.saturating_sub(leeway(v)) => Err(Error::new(
            ErrorCode::TokenExpired,
            "Signature has expired (exp)",
        )),
        _ => Ok(()),
    }
}

/// [`validate_claims`] with the audiences given separately, so a caller with a fixed policy and
/// per-request audiences does not rebuild the policy for every token. Returns the time claims,
/// which a token cache keeps to judge the token again without reading its claims.
pub(crate) fn validate_claims_for<A: AsRef<str>>(
    claims: &JsonObject,
    v: &Validation,
    audiences: &[A],
    now: i64,
) -> Result<TimeClaims> {
    // Found in one pass; each claim's type is checked just before its rule, so the first
    // failure is the same as it always was.
    let [iat, nbf, exp, aud, iss, sub, jti, at_hash] =
        claims.positions(["iat", "nbf", "exp", "aud", "iss", "sub", "jti", "at_hash"]);
    let member = |at: Option<usize>| at.map(|at| claims.at_position(at));
    let iat = numeric_date(member(iat), "iat", "Issued At")?;
    check_iat(iat, v, now)?;
    let nbf = numeric_date(member(nbf), "nbf", "Not Before")?;
    check_nbf(nbf, v, now)?;
    let exp = numeric_date(member(exp), "exp", "Expiration Time")?;
    check_exp(exp, v, now)?;
    check_audience(member(aud), audiences)?;
    if let Some(want) = &v.issuer {
        match member(iss) {
            Some(JsonRef::Str(iss)) if iss == want => {}
            Some(JsonRef::Str(_)) | None => {
                return Err(Error::new(
                    ErrorCode::IssuerMismatch,
                    "Invalid issuer (iss)",
                ));
            }
            Some(_) => return Err(type_err("Issuer (iss) must be a string")),
        }
    }
    for (at, name, label) in [(sub, "sub", "Subject"), (jti, "jti", "JWT ID")] {
        if member(at).is_some_and(|v| v.as_str().is_none()) {
            return Err(type_err(format!("{label} ({name}) must be a string")));
        }
    }
    if at_hash.is_some() {
        return Err(Error::new(
            ErrorCode::UnsupportedClaim,
            "No access_token provided to compare against at_hash claim",
        ));
    }
    Ok(TimeClaims { iat, nbf, exp, aud })
}

fn check_audience<A: AsRef<str>>(aud: Option<JsonRef<'_>>, expected: &[A]) -> Result<()> {
    let matches = |a: &str| expected.iter().any(|e| e.as_ref() == a);
    match aud {
        None => Err(Error::new(
            ErrorCode::MissingAudience,
            "Token has no aud claim",
        )),
        Some(JsonRef::Str(a)) => {
            if matches(a) {
                Ok(())
            } else {
                Err(Error::new(ErrorCode::AudienceMismatch, "Invalid audience"))
            }
        }
        Some(JsonRef::Array(list)) => {
            if !list.clone().all(|a| matches!(a, JsonRef::Str(_))) {
                return Err(type_err(
                    "Invalid claim format in token (aud must be a string or a list of strings)",
                ));
            }
            if list.filter_map(|a| a.as_str()).any(matches) {
                Ok(())
            } else {
                Err(Error::new(ErrorCode::AudienceMismatch, "Invalid audience"))
            }
        }
        Some(_) => Err(type_err(
            "Invalid claim format in token (aud must be a string or a list of strings)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const NOW: i64 = 1_700_000_000;

    fn object(claims: Value) -> JsonObject {
        JsonObject::parse(claims.to_string()).unwrap()
    }

    fn check(claims: Value) -> std::result::Result<(), ErrorCode> {
        let v = Validation::new(["svc"]);
        validate_claims(&object(claims), &v, NOW).map_err(|e| e.code())
    }

    #[test]
    fn times() {
        assert_eq!(check(json!({"aud": "svc"})), Ok(()));
        assert_eq!(check(json!({"aud": "svc", "exp": NOW})), Ok(()));
        assert_eq!(
            check(json!({"aud": "svc", "exp": NOW - 1})),
            Err(ErrorCode::TokenExpired)
        );
        assert_eq!(
            check(json!({"aud": "svc", "exp": (NOW - 1) as f64 + 0.9})),
            Err(ErrorCode::TokenExpired)
        );
        assert_eq!(check(json!({"aud": "svc", "nbf": NOW})), Ok(()));
        assert_eq!(
            check(json!({"aud": "svc", "nbf": NOW + 1})),
            Err(ErrorCode::TokenNotYetValid)
        );
        assert_eq!(check(json!({"aud": "svc", "iat": NOW + 100})), Ok(()));
        assert_eq!(check(json!({"aud": "svc", "exp": u64::MAX})), Ok(()));
        for bad in [json!("1"), json!(null), json!([1]), json!(true), json!({})] {
            for claim in ["exp", "nbf", "iat"] {
                let mut c = json!({"aud": "svc"});
                c[claim] = bad.clone();
                assert_eq!(check(c), Err(ErrorCode::InvalidClaimType), "{claim}={bad}");
            }
        }
    }

    #[test]
    fn leeway_and_future_iat() {
        let mut v = Validation::new(["svc"]);
        v.leeway = 10;
        v.reject_future_iat = true;
        let c = |x: Value| validate_claims(&object(x), &v, NOW).map_err(|e| e.code());
        assert_eq!(
            c(json!({"aud": "svc", "exp": NOW - 10, "nbf": NOW + 10, "iat": NOW + 10})),
            Ok(())
        );
        assert_eq!(
            c(json!({"aud": "svc", "exp": NOW - 11})),
            Err(ErrorCode::TokenExpired)
        );
        assert_eq!(
            c(json!({"aud": "svc", "iat": NOW + 11})),
            Err(ErrorCode::TokenUsedBeforeIssued)
        );
    }

    #[test]
    fn audience() {
        assert_eq!(check(json!({})), Err(ErrorCode::MissingAudience));
        assert_eq!(
            check(json!({"aud": "other"})),
            Err(ErrorCode::AudienceMismatch)
        );
        assert_eq!(check(json!({"aud": ["a", "svc"]})), Ok(()));
        assert_eq!(
            check(json!({"aud": ["a", "b"]})),
            Err(ErrorCode::AudienceMismatch)
        );
        assert_eq!(check(json!({"aud": []})), Err(ErrorCode::AudienceMismatch));
        assert_eq!(
            check(json!({"aud": ["svc", 1]})),
            Err(ErrorCode::InvalidClaimType)
        );
        assert_eq!(check(json!({"aud": 1})), Err(ErrorCode::InvalidClaimType));
    }

    #[test]
    fn issuer_subject_jti_at_hash() {
        assert_eq!(
            check(json!({"aud": "svc", "iss": 5})),
            Ok(()),
            "iss is not checked unless configured"
        );
        let mut v = Validation::new(["svc"]);
        v.issuer = Some("me".into());
        let c = |x: Value| validate_claims(&object(x), &v, NOW).map_err(|e| e.code());
        assert_eq!(c(json!({"aud": "svc", "iss": "me"})), Ok(()));
        assert_eq!(
            c(json!({"aud": "svc", "iss": "you"})),
            Err(ErrorCode::IssuerMismatch)
        );
        assert_eq!(c(json!({"aud": "svc"})), Err(ErrorCode::IssuerMismatch));
        assert_eq!(
            c(json!({"aud": "svc", "iss": 1})),
            Err(ErrorCode::InvalidClaimType)
        );
        assert_eq!(
            check(json!({"aud": "svc", "sub": 1})),
            Err(ErrorCode::InvalidClaimType)
        );
        assert_eq!(
            check(json!({"aud": "svc", "jti": 1})),
            Err(ErrorCode::InvalidClaimType)
        );
        assert_eq!(
            check(json!({"aud": "svc", "at_hash": "x"})),
            Err(ErrorCode::UnsupportedClaim)
        );
        assert_eq!(check(json!({"aud": "svc", "custom": [1, 2]})), Ok(()));
    }
}
