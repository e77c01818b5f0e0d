//! `JsonWebToken`: the instance tokens GitLab Rails issues (ruby-api.md §5): `jti` UUID v4,
//! `nbf = iat - 5`, `exp = iat + ttl`, header `{alg: RS256, typ: JWT, kid: <thumbprint>}`.

use serde_json::Value;

use super::compact::{claims_json, sign_rs256, uuid_v4, Claim, OrderedClaims};
use super::signing_key::SigningKey;
use crate::error::{Error, ErrorCode, Result};

/// Seconds `nbf` is back-dated, for verifiers whose clock is slightly behind.
pub const NOT_BEFORE_TIME_SEC: i64 = 5;

/// 9999-12-31T23:59:59Z: the last instant RFC 3339 (and so most JWT libraries) can express.
pub const LATEST_EXPIRY: i64 = 253_402_300_799;

/// `now + ttl` as an expiry, refused (`invalid_argument`) when it overflows or passes
/// [`LATEST_EXPIRY`], or when `now - 5` (the `nbf`) overflows.
pub fn checked_expiry(now: i64, ttl: i64) -> Result<i64> {
    match (now.checked_add(ttl), now.checked_sub(NOT_BEFORE_TIME_SEC)) {
        (Some(exp), Some(_)) if exp <= LATEST_EXPIRY => Ok(exp),
        _ => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("ttl {ttl} at time {now} puts the expiry out of range"),
        )),
    }
}

/// `aud`: one string, or a list (the Rails TokenIssuer passes a list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// A single audience string.
    One(String),
    /// A list of audiences.
    Many(Vec<String>),
}

impl From<Audience> for Value {
    fn from(a: Audience) -> Value {
        match a {
            Audience::One(s) => Value::String(s),
            Audience::Many(v) => v.into(),
        }
    }
}

/// An instance token as Rails' `Gitlab::CloudConnector::JsonWebToken` builds it: the claims, in
/// Rails' order, before signing.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonWebToken {
    /// `jti`: a random UUID v4.
    pub id: String,
    /// `iss`.
    pub issuer: String,
    /// `aud`.
    pub audience: Audience,
    /// `sub`: the instance UUID; `None` encodes `"sub": null`, as the gem does for `subject: nil`.
    pub subject: Option<String>,
    /// `gitlab_realm` (`saas` / `self-managed`).
    pub realm: String,
    /// `scopes`: unit primitive names.
    pub scopes: Vec<String>,
    /// `iat`, Unix seconds.
    pub issued_at: i64,
    /// `nbf`: `iat` - [`NOT_BEFORE_TIME_SEC`].
    pub not_before: i64,
    /// `exp`: `iat` + ttl (saturating).
    pub expires_at: i64,
    /// Extra claims in the caller's order (Ruby Hash / Python dict order), merged last.
    pub extra_claims: OrderedClaims,
}

impl JsonWebToken {
    /// The claims of a token issued now, valid for `ttl` seconds.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        issuer: impl Into<String>,
        audience: Audience,
        subject: impl Into<String>,
        realm: impl Into<String>,
        scopes: Vec<String>,
        ttl: i64,
        extra_claims: impl Into<OrderedClaims>,
    ) -> JsonWebToken {
        JsonWebToken::new_at(
            issuer,
            audience,
            subject,
            realm,
            scopes,
            ttl,
            extra_claims,
            super::verify::now(),
        )
    }

    /// [`JsonWebToken::new`] issued at `now` (Unix seconds).
    #[allow(clippy::too_many_arguments)]
    pub fn new_at(
        issuer: impl Into<String>,
        audience: Audience,
        subject: impl Into<String>,
        realm: impl Into<String>,
        scopes: Vec<String>,
        ttl: i64,
        extra_claims: impl Into<OrderedClaims>,
        now: i64,
    ) -> JsonWebToken {
        JsonWebToken {
            id: uuid_v4(),
            issuer: issuer.into(),
            audience,
            subject: Some(subject.into()),
            realm: realm.into(),
            scopes,
            issued_at: now,
            // Saturating: a caller's absurd ttl or clock gives an absurd claim, never a panic.
            not_before: now.saturating_sub(NOT_BEFORE_TIME_SEC),
            expires_at: now.saturating_add(ttl),
            extra_claims: extra_claims.into(),
        }
    }

    /// [`JsonWebToken::new_at`] that refuses an out-of-range expiry instead of saturating it.
    #[allow(clippy::too_many_arguments)]
    pub fn try_new_at(
        issuer: impl Into<String>,
        audience: Audience,
        subject: impl Into<String>,
        realm: impl Into<String>,
        scopes: Vec<String>,
        ttl: i64,
        extra_claims: impl Into<OrderedClaims>,
        now: i64,
    ) -> Result<JsonWebToken> {
        checked_expiry(now, ttl)?;
        Ok(JsonWebToken::new_at(
            issuer,
            audience,
            subject,
            realm,
            scopes,
            ttl,
            extra_claims,
            now,
        ))
    }

    /// The same claims with another subject (`None`: `"sub": null`).
    pub fn with_subject(mut self, subject: Option<String>) -> JsonWebToken {
        self.subject = subject;
        self
    }

    /// Claims in the Rails order, extra claims merged last (last wins).
    pub fn payload(&self) -> OrderedClaims {
        let mut c = self.standard_claims();
        for (k, v) in self.extra_claims.iter() {
            c.set(k, v.clone());
        }
        c
    }

    /// The nine standard claims in the Rails order (`jti`, `aud`, `sub`, `iss`, `iat`, `nbf`,
    /// `exp`, `gitlab_realm`, `scopes`), without the extra claims.
    pub fn standard_claims(&self) -> OrderedClaims {
        let mut c = OrderedClaims::new();
        for (name, claim) in self.standard() {
            c.set(name, claim.to_value());
        }
        c
    }

    /// The standard claims borrowed, in the Rails order: the one list [`Self::standard_claims`]
    /// and [`Self::encode_with_kid`] write.
    fn standard(&self) -> [(&'static str, Claim<'_>); 9] {
        let audience = match &self.audience {
            Audience::One(a) => Claim::Str(a),
            Audience::Many(list) => Claim::Strs(list),
        };
        [
            ("jti", Claim::Str(&self.id)),
            ("aud", audience),
            ("sub", Claim::OptStr(self.subject.as_deref())),
            ("iss", Claim::Str(&self.issuer)),
            ("iat", Claim::Int(self.issued_at)),
            ("nbf", Claim::Int(self.not_before)),
            ("exp", Claim::Int(self.expires_at)),
            ("gitlab_realm", Claim::Str(&self.realm)),
            ("scopes", Claim::Strs(&self.scopes)),
        ]
    }

    /// The signed token, `kid` = the key's RFC 7638 thumbprint.
    pub fn encode(&self, key: &SigningKey) -> Result<String> {
        self.encode_with_kid(key, key.thumbprint())
    }

    /// The signed token with the caller's `kid` (a ruby-jwt `JWT::JWK`'s, say).
    pub fn encode_with_kid(&self, key: &SigningKey, kid: &str) -> Result<String> {
        let header = serde_json::json!({"alg": "RS256", "kid": kid, "typ": "JWT"});
        // `payload()`'s claims, written without building it.
        let standard = self.standard();
        let claims = claims_json(&standard, self.extra_claims.iter());
        sign_rs256(&header.to_string(), &claims, key)
    }
}
