//! The `jsonwebtoken` crate (aws-lc-rs backend) as a differential oracle of our token
//! verification: the token vectors (`core/tests/jsonwebtoken_oracle.rs`) and the fuzz targets
//! (`checks.rs`) ask it about every token, and our answer (accepted or refused) must be its
//! answer, except where one of the documented [`Exception`]s below applies. This list is the one
//! place those differences are written down; each is exercised by `jsonwebtoken_oracle.rs`.
//!
//! Independent of `cloud_connector` on purpose (only `jsonwebtoken` and `serde_json`), so the
//! oracle cannot inherit a mistake of ours. What the harness adds around the crate is policy the
//! crate leaves to its caller: picking the candidate keys by `kid` (keys with that `kid`, else the
//! keys published without one; every key when the token has none), honouring a JWK's `alg`, and
//! one `Validation` per key family (the crate refuses a `Validation` that mixes families).

use std::collections::HashSet;
use std::fmt;

use jsonwebtoken as jwt;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::Deserializer as _;
use serde_json::{Map, Value};

/// The verification policy of a case (the fields of `tokens.json`'s `default_validation`).
#[derive(Clone, Debug)]
pub struct Policy {
    pub audiences: Vec<String>,
    pub algorithms: Vec<String>,
    pub issuer: Option<String>,
    pub leeway: u64,
    pub max_token_size: usize,
    pub reject_future_iat: bool,
    pub verify_signature: bool,
}

impl Policy {
    /// `default_validation` with a case's `validation` overrides, as `tokens.json` states them.
    pub fn from_vector(default: &Value, overrides: &Value) -> Policy {
        let mut merged = default.as_object().expect("default_validation").clone();
        if let Some(o) = overrides.as_object() {
            merged.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .expect("a list")
                .iter()
                .map(|s| s.as_str().expect("a string").to_owned())
                .collect()
        };
        Policy {
            audiences: strings(&merged["audiences"]),
            algorithms: strings(&merged["algorithms"]),
            issuer: merged["issuer"].as_str().map(str::to_owned),
            leeway: merged["leeway"].as_u64().expect("leeway"),
            max_token_size: merged["max_token_size"].as_u64().expect("max_token_size") as usize,
            reject_future_iat: merged["reject_future_iat"].as_bool().expect("flag"),
            verify_signature: merged["verify_signature"].as_bool().expect("flag"),
        }
    }
}

/// Where our policy and the crate's differ, on purpose. `Refused`: we refuse such a token whatever
/// the crate says; `NotCompared`: the two answers may differ either way, so none is asserted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exception {
    /// Over `max_token_size`: we refuse before decoding; the crate has no size limit.
    Size,
    /// `crit`: we understand no extension, so any `crit` is refused; the crate accepts
    /// `crit: ["b64"]` with `b64: true`.
    Crit,
    /// The header or payload is not a JSON object: we refuse; the crate's derived structs also
    /// read a JSON array positionally (`[exp, nbf, sub, iss, aud]`).
    NotAnObject,
    /// A member name repeated in the header or payload: the crate's derived structs refuse a
    /// repeated registered name; we read the JSON as a map (the last one wins).
    DuplicateMember,
    /// A registered header member we do not use (`typ`, `cty`, `jku`, `jwk`, `x5u`, `x5c`,
    /// `x5t`, `x5t#S256`, `enc`, `zip`, `url`, `nonce`, `b64`) of a type or value the crate's
    /// `Header` refuses: we ignore those members.
    HeaderMember,
    /// NumericDate (`exp`, `nbf`, `iat`): ours is any JSON number, truncated toward zero
    /// (PyJWT's rule); the crate reads only what fits a `u64` and rounds fractions. Only we
    /// check `iat` (its type always, its value with `reject_future_iat`). Other types (a string
    /// `exp`, `null`, ...) of `exp` and `nbf` are refused by both.
    NumericDate,
    /// The crate reads the system clock; the cases are checked at a fixed `now`. `exp` is
    /// compared by the crate with its leeway shifted by (clock - now); `nbf` would need a
    /// negative shift, so a `nbf` after `now` + leeway is refused here.
    Clock,
    /// Claim types the crate does not check: `sub` and `jti` must be strings, and `iss` a
    /// string when an issuer is configured (the crate also accepts a list of issuers).
    ClaimType,
    /// `at_hash`: we refuse it (no access token to compare with); the crate ignores it.
    AtHash,
    /// `verify_signature: false` (the bypass mode of the Python API): the crate has no
    /// claims-only validation, so there is nothing to compare.
    Bypass,
}

impl Exception {
    pub const ALL: &'static [Exception] = &[
        Exception::Size,
        Exception::Crit,
        Exception::NotAnObject,
        Exception::DuplicateMember,
        Exception::HeaderMember,
        Exception::NumericDate,
        Exception::Clock,
        Exception::ClaimType,
        Exception::AtHash,
        Exception::Bypass,
    ];
}

/// What the oracle expects of our verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Accepted,
    Refused,
    /// An exception that allows either answer.
    Either,
}

#[derive(Debug)]
pub struct Verdict {
    /// The crate's own answer (with the harness's key choice and policy mapping).
    pub crate_answer: Result<Value, String>,
    /// The first exception that applies, with what it expects of us.
    pub exception: Option<(Exception, Expect)>,
}

impl Verdict {
    pub fn expect(&self) -> Expect {
        match (self.exception, &self.crate_answer) {
            (Some((_, e)), _) => e,
            (None, Ok(_)) => Expect::Accepted,
            (None, Err(_)) => Expect::Refused,
        }
    }

    /// Panics unless `accepted` (our answer) is what the oracle expects.
    pub fn assert_agrees(&self, what: &dyn fmt::Display, accepted: bool) {
        let ok = match self.expect() {
            Expect::Accepted => accepted,
            Expect::Refused => !accepted,
            Expect::Either => true,
        };
        assert!(
            ok,
            "{what}: we {} the token; jsonwebtoken: {:?}; exception: {:?}",
            if accepted { "accepted" } else { "refused" },
            self.crate_answer,
            self.exception
        );
    }
}

/// The oracle's verdict on `token` against the key set `jwks` under `policy` at `now`.
pub fn verdict(token: &str, jwks: &Value, policy: &Policy, now: i64) -> Verdict {
    Verdict {
        crate_answer: crate_answer(token, jwks, policy, now),
        exception: exception(token, policy, now),
    }
}

fn segments(token: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let (h, p, _s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((b64.decode(h).ok()?, b64.decode(p).ok()?))
}

fn has_duplicate_member(json: &[u8]) -> bool {
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut seen = HashSet::new();
            let mut duplicate = false;
            while let Some((name, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                duplicate |= !seen.insert(name);
            }
            Ok(duplicate)
        }
    }
    serde_json::Deserializer::from_slice(json)
        .deserialize_map(Names)
        .unwrap_or(false)
}

const HEADER_MEMBERS: &[&str] = &[
    "typ", "cty", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "enc", "zip", "url", "nonce",
];

/// The crate's `Header` refuses a member we ignore (its type, or `b64` other than `true`).
fn header_member_refused(header: &Map<String, Value>) -> bool {
    let registered: Map<String, Value> = header
        .iter()
        .filter(|(k, _)| HEADER_MEMBERS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .chain([("alg".to_owned(), Value::from("RS256"))])
        .collect();
    serde_json::from_value::<jwt::Header>(Value::Object(registered)).is_err()
        || header.get("b64").is_some_and(|b| b != &Value::Bool(true))
}

/// A NumericDate the crate reads otherwise than we do (see [`Exception::NumericDate`]).
fn numeric_date_differs(value: &Value) -> bool {
    value.as_number().is_some_and(|n| n.as_u64().is_none())
}

fn exception(token: &str, policy: &Policy, now: i64) -> Option<(Exception, Expect)> {
    use Exception as E;
    use Expect::{Either, Refused};
    if token.len() > policy.max_token_size {
        return Some((E::Size, Refused));
    }
    let (header, payload) = segments(token)?;
    let (Ok(header_value), Ok(claims_value)) = (
        serde_json::from_slice::<Value>(&header),
        serde_json::from_slice::<Value>(&payload),
    ) else {
        return None;
    };
    let (Value::Object(h), Value::Object(c)) = (&header_value, &claims_value) else {
        return Some((E::NotAnObject, Refused));
    };
    if !policy.verify_signature {
        return Some((E::Bypass, Either));
    }
    if h.contains_key("crit") {
        return Some((E::Crit, Refused));
    }
    if has_duplicate_member(&header) || has_duplicate_member(&payload) {
        return Some((E::DuplicateMember, Either));
    }
    if header_member_refused(h) {
        return Some((E::HeaderMember, Either));
    }
    if let Some(iat) = c.get("iat") {
        if !iat.is_number() {
            return Some((E::NumericDate, Refused));
        }
    }
    if ["exp", "nbf", "iat"]
        .iter()
        .any(|n| c.get(*n).is_some_and(numeric_date_differs))
    {
        return Some((E::NumericDate, Either));
    }
    let leeway = i64::try_from(policy.leeway).unwrap_or(i64::MAX);
    let after_now = |name: &str| {
        c.get(name)
            .and_then(Value::as_u64)
            .is_some_and(|t| i128::from(t) > i128::from(now) + i128::from(leeway))
    };
    if after_now("nbf") || (policy.reject_future_iat && after_now("iat")) {
        return Some((E::Clock, Refused));
    }
    let not_string = |name: &str| c.get(name).is_some_and(|v| !v.is_string());
    if not_string("sub") || not_string("jti") || (policy.issuer.is_some() && not_string("iss")) {
        return Some((E::ClaimType, Refused));
    }
    if c.contains_key("at_hash") {
        return Some((E::AtHash, Refused));
    }
    None
}

/// The crate's answer: decoded claims, or why it refused.
fn crate_answer(token: &str, jwks: &Value, policy: &Policy, now: i64) -> Result<Value, String> {
    let header = jwt::decode_header(token).map_err(|e| format!("header: {e}"))?;
    let alg = header.alg;
    let allowed: Vec<jwt::Algorithm> = policy
        .algorithms
        .iter()
        .filter_map(|a| a.parse::<jwt::Algorithm>().ok())
        .filter(|a| a.family() == alg.family())
        .collect();
    if !allowed.contains(&alg) {
        return Err(format!("{alg:?} is not allowed"));
    }
    // Asked again when the clock ticked during the check, since the shift was for one second.
    loop {
        let clock = jwt::get_current_timestamp();
        let answer = decode_at(token, jwks, policy, now, clock, &header, allowed.clone());
        if jwt::get_current_timestamp() == clock {
            return answer;
        }
    }
}

fn decode_at(
    token: &str,
    jwks: &Value,
    policy: &Policy,
    now: i64,
    clock: u64,
    header: &jwt::Header,
    allowed: Vec<jwt::Algorithm>,
) -> Result<Value, String> {
    let alg = header.alg;
    let shift = clock
        .checked_sub(u64::try_from(now).expect("now after 1970"))
        .expect("the cases' `now` is in the past");
    let mut validation = jwt::Validation::new(alg);
    validation.algorithms = allowed;
    validation.set_required_spec_claims(&["aud"]);
    validation.set_audience(&policy.audiences);
    if let Some(iss) = &policy.issuer {
        validation.set_issuer(&[iss]);
        validation.set_required_spec_claims(&["aud", "iss"]);
    }
    validation.validate_nbf = true;
    validation.leeway = shift + policy.leeway;

    let keys = jwks["keys"].as_array().expect("a JWKS");
    let kid_of = |k: &Value| k.get("kid").and_then(Value::as_str).map(str::to_owned);
    let candidates: Vec<&Value> = match &header.kid {
        None => keys.iter().collect(),
        Some(kid) if keys.iter().any(|k| kid_of(k).as_ref() == Some(kid)) => keys
            .iter()
            .filter(|k| kid_of(k).as_ref() == Some(kid))
            .collect(),
        Some(_) => keys.iter().filter(|k| kid_of(k).is_none()).collect(),
    };
    let mut last = String::from("no candidate key");
    for key in candidates {
        if key
            .get("alg")
            .and_then(Value::as_str)
            .is_some_and(|a| a != alg_name(alg))
        {
            continue;
        }
        let Ok(jwk) = serde_json::from_value::<jwt::jwk::Jwk>(key.clone()) else {
            continue;
        };
        let Ok(decoding) = jwt::DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        match jwt::decode::<Value>(token, &decoding, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

fn alg_name(alg: jwt::Algorithm) -> String {
    serde_json::to_value(alg)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
