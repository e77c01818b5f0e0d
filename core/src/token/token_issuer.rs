//! GitLab Rails' `TokenIssuer` (ruby-api.md 8.4) in one call: the catalog's entitlements for the
//! active add-ons become the scopes and the audience list of a `JsonWebToken`, signed with the
//! key ring's current key. Entitlements are judged at the token's own `iat`.

use chrono::{TimeZone, Utc};

use super::compact::OrderedClaims;
use super::json_web_token::{Audience, JsonWebToken};
use super::signing_key::SigningKey;
use crate::catalog::{Catalog, EntitlementRequest};
use crate::error::{Error, ErrorCode, Result};

/// What to issue an instance token for.
#[derive(Clone, Debug, Default)]
pub struct TokenIssuer {
    /// `iss`: the instance's OIDC issuer URL (`https://gitlab.com` on GitLab.com).
    pub issuer: String,
    /// `sub`: the instance UUID.
    pub subject: String,
    /// `gitlab_realm` claim (`saas` / `self-managed`).
    pub realm: String,
    /// Active add-ons, catalog names (`code_suggestions` reads as `duo_pro`).
    pub active_add_ons: Vec<String>,
    /// Lifetime in seconds (Rails: 1 hour).
    pub ttl: i64,
    /// Extra claims, in order, merged last.
    pub extra_claims: OrderedClaims,
    /// Optional self-managed licence type (see [`EntitlementRequest`]).
    pub license_type: Option<String>,
    /// Optional self-managed GitLab version (see [`EntitlementRequest`]).
    pub gitlab_version: Option<String>,
}

/// The token and the claims it was built from.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The signed compact token.
    pub token: String,
    /// The claims it carries.
    pub claims: JsonWebToken,
}

impl TokenIssuer {
    /// Issues now.
    pub fn issue(&self, catalog: &Catalog, key: &SigningKey) -> Result<IssuedToken> {
        self.issue_at(catalog, key, super::verify::now())
    }

    /// The unsigned claims [`TokenIssuer::issue_at`] signs: entitlements judged at `now`, for
    /// bindings that sign with a caller-supplied `kid` (ruby-jwt `JWT::JWK` objects).
    pub fn claims_at(&self, catalog: &Catalog, now: i64) -> Result<JsonWebToken> {
        if self.ttl <= 0 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("ttl must be positive seconds, got {}", self.ttl),
            ));
        }
        super::json_web_token::checked_expiry(now, self.ttl)?;
        let at = Utc.timestamp_opt(now, 0).single().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("issue time {now} is out of range"),
            )
        })?;
        let grant = catalog.entitlements(&EntitlementRequest {
            add_ons: self.active_add_ons.clone(),
            at: Some(at),
            license_type: self.license_type.clone(),
            gitlab_version: self.gitlab_version.clone(),
        })?;
        Ok(JsonWebToken::new_at(
            self.issuer.clone(),
            Audience::Many(grant.audiences),
            self.subject.clone(),
            self.realm.clone(),
            grant.scopes,
            self.ttl,
            self.extra_claims.clone(),
            now,
        ))
    }

    /// Issues as of `now` (Unix seconds).
    pub fn issue_at(&self, catalog: &Catalog, key: &SigningKey, now: i64) -> Result<IssuedToken> {
        let claims = self.claims_at(catalog, now)?;
        let token = claims.encode(key)?;
        Ok(IssuedToken { token, claims })
    }
}
