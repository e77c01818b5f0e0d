//! The verification policy and the claim checks (python-api.md §4.2 with the §14 tightenings).

use serde_json::{Map, Value};

use super::alg::Algorithm;
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
fn numeric_date(claims: &Map<String, Value>, name: &str, label: &str) -> Result<Option<i64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(Some(if let Some(i) = n.as_i64() {
            i
        } else if n.as_u64().is_some() {
            i64::MAX
        } else {
            // `as` saturates, which is what a date beyond i64 should do.
            n.as_f64().map_or(0, |f| f.trunc() as i64)
        })),
        Some(_) => Err(type_err(format!("{label} claim ({name}) must be a number"))),
    }
}

/// Checks every claim rule against `now` (Unix seconds). Signature and header are not looked at.
pub fn validate_claims(claims: &Map<String, Value>, v: &Validation, now: i64) -> Result<()> {
    validate_claims_for(claims, v, &v.audiences, now).map(|_| ())
}

/// The time claims of a token whose claims passed, as whole seconds: all a cached token needs
/// to be judged again later, since every other rule but the audience depends only on the
/// claims and the fixed policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TimeClaims {
    iat: Option<i64>,
    nbf: Option<i64>,
    exp: Option<i64>,
}

impl TimeClaims {
    /// The time rules at `now`, in the order (and with the errors) of [`validate_claims`].
    pub(crate) fn check(&self, v: &Validation, now: i64) -> Result<()> {
        check_iat(self.iat, v, now)?;
        check_nbf(self.nbf, v, now)?;
        check_exp(self.exp, v, now)
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

/// The audience rule alone: what, besides the time claims, a cached token is checked for again
/// (the caller's audiences change between calls).
pub(crate) fn check_audience_of<A: AsRef<str>>(
    claims: &Map<String, Value>,
    audiences: &[A],
) -> Result<()> {
    check_audience(claims.get("aud"), audiences)
}

/// [`validate_claims`] with the audiences given separately, so a caller with a fixed policy and
/// per-request audiences does not rebuild the policy for every token. Returns the time claims,
/// which a token cache keeps to judge the token again without reading its claims.
pub(crate) fn validate_claims_for<A: AsRef<str>>(
    claims: &Map<String, Value>,
    v: &Validation,
    audiences: &[A],
    now: i64,
) -> Result<TimeClaims> {
    // Each claim's type is checked just before its rule, so the first failure is the same as it
    // always was.
    let iat = numeric_date(claims, "iat", "Issued At")?;
    check_iat(iat, v, now)?;
    let nbf = numeric_date(claims, "nbf", "Not Before")?;
    check_nbf(nbf, v, now)?;
    let exp = numeric_date(claims, "exp", "Expiration Time")?;
    check_exp(exp, v, now)?;
    check_audience(claims.get("aud"), audiences)?;
    match (claims.get("iss"), &v.issuer) {
        (_, None) => {}
        (Some(Value::String(iss)), Some(want)) if iss == want => {}
        (Some(Value::String(_)) | None, Some(_)) => {
            return Err(Error::new(
                ErrorCode::IssuerMismatch,
                "Invalid issuer (iss)",
            ));
        }
        (Some(_), Some(_)) => return Err(type_err("Issuer (iss) must be a string")),
    }
    for (name, label) in [("sub", "Subject"), ("jti", "JWT ID")] {
        if claims.get(name).is_some_and(|v| !v.is_string()) {
            return Err(type_err(format!("{label} ({name}) must be a string")));
        }
    }
    if claims.contains_key("at_hash") {
        return Err(Error::new(
            ErrorCode::UnsupportedClaim,
            "No access_token provided to compare against at_hash claim",
        ));
    }
    Ok(TimeClaims { iat, nbf, exp })
}

fn check_audience<A: AsRef<str>>(aud: Option<&Value>, expected: &[A]) -> Result<()> {
    let matches = |a: &str| expected.iter().any(|e| e.as_ref() == a);
    match aud {
        None => Err(Error::new(
            ErrorCode::MissingAudience,
            "Token has no aud claim",
        )),
        Some(Value::String(a)) => {
            if matches(a) {
                Ok(())
            } else {
                Err(Error::new(ErrorCode::AudienceMismatch, "Invalid audience"))
            }
        }
        Some(Value::Array(list)) => {
            if !list.iter().all(Value::is_string) {
                return Err(type_err(
                    "Invalid claim format in token (aud must be a string or a list of strings)",
                ));
            }
            if list.iter().filter_map(Value::as_str).any(matches) {
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
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn check(claims: Value) -> std::result::Result<(), ErrorCode> {
        let v = Validation::new(["svc"]);
        validate_claims(claims.as_object().unwrap(), &v, NOW).map_err(|e| e.code())
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
        let c = |x: Value| validate_claims(x.as_object().unwrap(), &v, NOW).map_err(|e| e.code());
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
        let c = |x: Value| validate_claims(x.as_object().unwrap(), &v, NOW).map_err(|e| e.code());
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
