//! `TokenAuthority`: the user tokens a backend (AI gateway, DWS) issues itself
//! (python-api.md §7): RS256, header `{"alg":"RS256","typ":"JWT"}` without `kid`, `nbf == iat`,
//! one-hour lifetime, extra claims merged last.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use aws_lc_rs::digest;
use serde_json::{Map, Value};

use super::compact::{claims_json, sign_rs256, uuid_v4, Claim};
use super::signing_key::SigningKey;
use crate::error::{Error, Result};

/// Lifetime of user tokens, in seconds.
pub const USER_TOKEN_TTL: i64 = crate::options::ISSUE_TTL_SECONDS.default as i64;
const HEADER: &str = r#"{"alg":"RS256","typ":"JWT"}"#;
const PEM_CACHE_LIMIT: usize = 64;

type PemCache = Mutex<HashMap<[u8; 32], std::result::Result<SigningKey, Error>>>;

/// Callers build a `TokenAuthority` per request, so parsed keys (and parse failures) are kept
/// process-wide by a digest of the PEM rather than per instance.
fn parse_cached(pem: &str) -> Result<SigningKey> {
    static CACHE: OnceLock<PemCache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut id = [0u8; 32];
    id.copy_from_slice(digest::digest(&digest::SHA256, pem.as_bytes()).as_ref());
    if let Some(hit) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return hit.clone();
    }
    // Parsing outside the lock: two threads may both parse a new PEM once; that is cheaper than
    // serialising every encode behind an RSA key check.
    let parsed = SigningKey::from_pem(pem);
    let mut guard = cache.lock().unwrap_or_else(|p| p.into_inner());
    if guard.len() >= PEM_CACHE_LIMIT {
        guard.clear();
    }
    guard.insert(id, parsed.clone());
    parsed
}

/// The inputs of one user token. `gitlab_instance_id` is any JSON value (an int stays an int).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserTokenClaims<'a> {
    /// `sub`: the user's id.
    pub sub: &'a str,
    /// `gitlab_realm` (`saas` / `self-managed`).
    pub gitlab_realm: &'a str,
    /// `gitlab_instance_id`, kept as given.
    pub gitlab_instance_id: Value,
    /// `scopes`: the unit primitives the token grants.
    pub scopes: &'a [String],
    /// Added when non-blank (`current_user.claims.duo_seat_count` in 1.2).
    pub duo_seat_count: Option<&'a str>,
    /// Added last; a name already set is replaced in place.
    pub extra_claims: Option<&'a Map<String, Value>>,
}

/// Issues user tokens signed with one RSA private key. Construction never fails: a bad key is
/// reported by [`TokenAuthority::encode`].
#[derive(Clone, Debug)]
pub struct TokenAuthority {
    key: Arc<Result<SigningKey>>,
}

impl TokenAuthority {
    /// The header `alg` of every user token.
    pub const ALGORITHM: &'static str = "RS256";

    /// An authority for this private key PEM (PKCS#8 or PKCS#1), parsed once per distinct PEM.
    pub fn new(signing_key_pem: &str) -> TokenAuthority {
        TokenAuthority {
            key: Arc::new(parse_cached(signing_key_pem)),
        }
    }

    /// A token for `service_name` (issuer and audience) at the current time; returns the token
    /// and its `exp`.
    pub fn encode(
        &self,
        service_name: &str,
        claims: &UserTokenClaims<'_>,
    ) -> Result<(String, i64)> {
        self.encode_at(service_name, claims, super::verify::now())
    }

    /// [`TokenAuthority::encode`] at a given time (Unix seconds), for tests and vectors.
    pub fn encode_at(
        &self,
        service_name: &str,
        c: &UserTokenClaims<'_>,
        now: i64,
    ) -> Result<(String, i64)> {
        let key = self.key.as_ref().as_ref().map_err(Clone::clone)?;
        let exp = now.saturating_add(USER_TOKEN_TTL);
        let jti = uuid_v4();
        let mut standard = vec![
            ("iss", Claim::Str(service_name)),
            ("aud", Claim::Str(service_name)),
            ("sub", Claim::Str(c.sub)),
            ("exp", Claim::Int(exp)),
            ("nbf", Claim::Int(now)),
            ("iat", Claim::Int(now)),
            ("jti", Claim::Str(&jti)),
            ("gitlab_realm", Claim::Str(c.gitlab_realm)),
            ("gitlab_instance_id", Claim::Json(&c.gitlab_instance_id)),
            ("scopes", Claim::Strs(c.scopes)),
        ];
        if let Some(seats) = c.duo_seat_count.filter(|s| !s.trim().is_empty()) {
            standard.push(("duo_seat_count", Claim::Str(seats)));
        }
        let extra = c.extra_claims.into_iter().flatten();
        let claims = claims_json(&standard, extra.clone().map(|(k, v)| (k.as_str(), v)));
        // An overriding `exp` is what the token says, so that is what is returned.
        let exp = match extra.clone().find(|(k, _)| *k == "exp") {
            Some((_, v)) => v.as_i64().unwrap_or(exp),
            None => exp,
        };
        Ok((sign_rs256(HEADER, &claims, key)?, exp))
    }
}
