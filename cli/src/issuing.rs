//! Signing an instance token with a key ring's current key, from add-ons (scopes and audiences
//! through the catalog's entitlements) or explicit scopes and audiences. Shared by `token issue`
//! and `serve`'s `POST /api/v1/tokens`, so both sign the same claims.

use cloud_connector::token::{
    Audience, JsonWebToken, KeyRing, OrderedClaims, SigningKey, TokenIssuer,
};
use cloud_connector::{Catalog, Error, ErrorCode};
use serde_json::{Map, Value};

use crate::failure::Failure;

#[derive(Debug, Default)]
pub struct IssueRequest {
    pub issuer: String,
    pub subject: String,
    pub realm: String,
    pub add_ons: Vec<String>,
    pub scopes: Vec<String>,
    pub audiences: Vec<String>,
    pub ttl: i64,
    /// Extra claims, in the order given (`--claim` order, or the JSON body's).
    pub extra: OrderedClaims,
    pub license: Option<String>,
    pub gitlab_version: Option<String>,
}

/// The key new tokens are signed with: the ring's current one.
pub fn current_key(ring: &KeyRing) -> Result<&SigningKey, Failure> {
    // The core's rule, with the command that fixes it.
    ring.signing_key().map_err(|_| {
        Error::new(
            ErrorCode::KeyRing,
            "the key ring is empty; run `keys generate`",
        )
        .into()
    })
}

/// The signed token and its claims.
pub fn issue(
    catalog: &Catalog,
    key: &SigningKey,
    r: IssueRequest,
) -> Result<(String, JsonWebToken), Failure> {
    if r.scopes.is_empty() {
        if !r.audiences.is_empty() {
            return Err(Failure::new(
                "invalid_argument",
                "audiences go with explicit scopes; add-ons bring their own",
                2,
            ));
        }
        let issued = TokenIssuer {
            issuer: r.issuer,
            subject: r.subject,
            realm: r.realm,
            active_add_ons: r.add_ons,
            ttl: r.ttl,
            extra_claims: r.extra,
            license_type: r.license,
            gitlab_version: r.gitlab_version,
        }
        .issue(catalog, key)?;
        return Ok((issued.token, issued.claims));
    }
    if !r.add_ons.is_empty() {
        return Err(Failure::new(
            "invalid_argument",
            "give add-ons or explicit scopes, not both",
            2,
        ));
    }
    if r.audiences.is_empty() {
        return Err(Failure::new(
            "invalid_argument",
            "explicit scopes need at least one audience",
            2,
        ));
    }
    // A negative ttl is allowed here (an already expired token, for tests); an expiry past the
    // core's range is refused rather than saturated.
    let claims = JsonWebToken::try_new_at(
        r.issuer,
        Audience::Many(r.audiences),
        r.subject,
        r.realm,
        r.scopes,
        r.ttl,
        r.extra,
        cloud_connector::token::now(),
    )?;
    Ok((claims.encode(key)?, claims))
}

/// The claims as the JSON object the token carries.
pub fn payload(claims: &JsonWebToken) -> Map<String, Value> {
    claims
        .payload()
        .iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
}
