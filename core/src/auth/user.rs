//! `UserClaims` and `CloudConnectorUser` (python-api.md §8, §9), and the unit primitive lookup
//! the catalog provides.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::user_claims_ref::UserClaimsRef;
use crate::error::{ErrorCode, Result};
use crate::token::JsonObject;

/// "Is this a known unit primitive?" The catalog implements it; tests use a set or a slice.
pub trait UnitPrimitiveNames: Send + Sync {
    /// Whether `name` is a unit primitive name (or alias).
    fn contains(&self, name: &str) -> bool;
}

impl UnitPrimitiveNames for HashSet<String> {
    fn contains(&self, name: &str) -> bool {
        HashSet::contains(self, name)
    }
}

impl UnitPrimitiveNames for &[&str] {
    fn contains(&self, name: &str) -> bool {
        <[&str]>::contains(self, &name)
    }
}

/// The catalog knows a unit primitive by name or alias (as the Python enum does).
impl UnitPrimitiveNames for crate::catalog::Catalog {
    fn contains(&self, name: &str) -> bool {
        self.unit_primitive(name).is_some()
    }
}

impl UnitPrimitiveNames for Vec<String> {
    fn contains(&self, name: &str) -> bool {
        self.iter().any(|n| n == name)
    }
}

impl<const N: usize> UnitPrimitiveNames for [&str; N] {
    fn contains(&self, name: &str) -> bool {
        self[..].contains(&name)
    }
}

/// The claims a verified token carries, by name. Missing claims are empty strings, as in the
/// original; `gitlab_instance_id` keeps its JSON type (an integer never equals a header string).
#[derive(Clone, Debug, PartialEq)]
pub struct UserClaims {
    /// `gitlab_realm` (`saas` / `self-managed`).
    pub gitlab_realm: String,
    /// `scopes`: the unit primitives granted; non-string entries dropped.
    pub scopes: Vec<String>,
    /// `sub`.
    pub subject: String,
    /// `iss`.
    pub issuer: String,
    /// `duo_seat_count`.
    pub duo_seat_count: String,
    /// `gitlab_instance_id`, in its JSON type.
    pub gitlab_instance_id: Value,
    /// `gitlab_instance_uid`.
    pub gitlab_instance_uid: String,
    /// `None` for claims built by hand; after a decode, every other claim (may be empty).
    pub extra: Option<Map<String, Value>>,
}

/// Empty claims (a rejected token's, or claims built by hand): every claim an empty string,
/// `gitlab_instance_id` included, as a token without the claim decodes and as the Python
/// package's `UserClaims()` has it.
impl Default for UserClaims {
    fn default() -> UserClaims {
        UserClaims {
            gitlab_realm: String::new(),
            scopes: Vec::new(),
            subject: String::new(),
            issuer: String::new(),
            duo_seat_count: String::new(),
            gitlab_instance_id: Value::String(String::new()),
            gitlab_instance_uid: String::new(),
            extra: None,
        }
    }
}

impl UserClaims {
    /// Maps decoded claims into fields (python-api.md §4.3; [`UserClaimsRef`], owned).
    pub fn from_claims(claims: &JsonObject) -> UserClaims {
        UserClaimsRef::of(claims).to_user_claims()
    }
}

/// The result of authentication.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CloudConnectorUser {
    /// Whether a provider accepted the token (or authentication was bypassed).
    pub authenticated: bool,
    /// True when `authenticate` ran with `bypass_auth`; such a user may use every unit primitive.
    pub is_debug: bool,
    /// The `X-Gitlab-Global-User-Id` header, when sent.
    pub global_user_id: Option<String>,
    /// Shared with the token cache entry it came from: a cached token is mapped once.
    pub claims: Option<Arc<UserClaims>>,
    /// Why a provider refused the token (`token_expired`, `invalid_signature`, ...); `None`
    /// for an authenticated user and for a refusal without a verifier's reason.
    pub rejection: Option<ErrorCode>,
}

impl CloudConnectorUser {
    /// A user with no claims.
    pub fn new(authenticated: bool) -> CloudConnectorUser {
        CloudConnectorUser {
            authenticated,
            ..Default::default()
        }
    }

    /// The user a verification gives: authenticated with the decoded claims (the `Arc` the
    /// token cache holds), or (refused) unauthenticated with empty claims, as the original
    /// provider returns them, and the refusal's code in `rejection`. The refusal is logged
    /// (never the token). `provider_unavailable` (no keys at all) is not the token's fault and
    /// stays an error.
    pub fn from_verified(
        verified: Result<super::composite::VerifiedClaims>,
    ) -> Result<CloudConnectorUser> {
        match verified {
            Ok(v) => Ok(CloudConnectorUser {
                authenticated: true,
                claims: Some(v.user()),
                ..Default::default()
            }),
            Err(e) if e.code() == ErrorCode::ProviderUnavailable => Err(e),
            Err(e) => {
                log::error!(target: "cloud_connector", code = e.code().as_str(); "{e}");
                Ok(CloudConnectorUser {
                    claims: Some(Arc::default()),
                    rejection: Some(e.code()),
                    ..Default::default()
                })
            }
        }
    }

    /// Whether the token was verified (or authentication bypassed).
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Whether the user may use `unit_primitive` (python-api.md §9): debug users always may;
    /// a disallowed issuer never may; otherwise the scope must be in the claims.
    /// `authenticated` is deliberately not consulted, as in the original.
    pub fn can(&self, unit_primitive: &str, disallowed_issuers: &[&str]) -> bool {
        if unit_primitive.is_empty() {
            return false;
        }
        if self.is_debug {
            return true;
        }
        let Some(claims) = &self.claims else {
            return false;
        };
        if disallowed_issuers.contains(&claims.issuer.as_str()) {
            return false;
        }
        claims.scopes.iter().any(|s| s == unit_primitive)
    }

    /// The scopes that are known unit primitives, in scope order.
    pub fn unit_primitives(&self, known: &dyn UnitPrimitiveNames) -> Vec<String> {
        self.claims
            .as_ref()
            .map(|c| known_unit_primitives(c.scopes.iter().map(String::as_str), known))
            .unwrap_or_default()
    }
}

/// The scopes that are unit primitives of `known` (names or aliases), in scope order: what a
/// user's `unit_primitives` reports, for bindings holding only the scopes.
pub fn known_unit_primitives<'a>(
    scopes: impl IntoIterator<Item = &'a str>,
    known: &dyn UnitPrimitiveNames,
) -> Vec<String> {
    scopes
        .into_iter()
        .filter(|s| known.contains(s))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(issuer: &str, scopes: &[&str]) -> CloudConnectorUser {
        CloudConnectorUser {
            authenticated: true,
            claims: Some(Arc::new(UserClaims {
                issuer: issuer.into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            })),
            ..Default::default()
        }
    }

    #[test]
    fn empty_claims_have_an_empty_instance_id() {
        // A rejected token's claims: every field empty, the instance id an empty string as a
        // decoded token without the claim gives (not null), in every language.
        let refused = Err(crate::Error::new(ErrorCode::TokenExpired, "expired"));
        let rejected = CloudConnectorUser::from_verified(refused).unwrap();
        assert_eq!(rejected.rejection, Some(ErrorCode::TokenExpired));
        let claims = rejected.claims.unwrap();
        assert_eq!(claims.gitlab_instance_id, json!(""));
        let decoded = UserClaims::from_claims(&JsonObject::default());
        assert_eq!(claims.gitlab_instance_id, decoded.gitlab_instance_id);
    }

    #[test]
    fn can_rules() {
        let u = user("gitlab-ai-gateway", &["duo_chat"]);
        assert!(u.can("duo_chat", &[]));
        assert!(!u.can("complete_code", &[]));
        assert!(!u.can("", &[]));
        assert!(!u.can("duo_chat", &["gitlab-ai-gateway"]));
        let debug = CloudConnectorUser {
            is_debug: true,
            ..user("gitlab-ai-gateway", &[])
        };
        assert!(debug.can("anything", &["gitlab-ai-gateway"]));
        assert!(!CloudConnectorUser::new(true).can("duo_chat", &[]));
        let unauthenticated = CloudConnectorUser {
            authenticated: false,
            ..user("x", &["duo_chat"])
        };
        assert!(
            unauthenticated.can("duo_chat", &[]),
            "can() ignores authenticated"
        );
    }

    #[test]
    fn unit_primitives_drop_unknown_scopes() {
        let u = user("x", &["duo_chat", "nope", "complete_code"]);
        assert_eq!(
            u.unit_primitives(&["complete_code", "duo_chat"]),
            ["duo_chat", "complete_code"]
        );
        assert!(CloudConnectorUser::new(true)
            .unit_primitives(&["duo_chat"])
            .is_empty());
        let set: HashSet<String> = ["nope".to_owned()].into();
        assert_eq!(u.unit_primitives(&set), ["nope"]);
        let slice: &[&str] = &["complete_code"];
        assert_eq!(u.unit_primitives(&slice), ["complete_code"]);
        assert_eq!(
            u.unit_primitives(&vec!["duo_chat".to_owned()]),
            ["duo_chat"]
        );
    }

    #[test]
    fn claims_mapping() {
        let c = json!({
            "iss": "i", "sub": "s", "aud": "a", "exp": 1, "jti": "j", "gitlab_realm": "saas",
            "scopes": ["a", 1, "b"], "gitlab_instance_id": 42, "gitlab_instance_uid": "uid",
            "duo_seat_count": 5, "gitlab_root_namespace_id": "123"
        });
        let u = UserClaims::from_claims(&JsonObject::parse(c.to_string()).unwrap());
        assert_eq!(u.issuer, "i");
        assert_eq!(u.subject, "s");
        assert_eq!(u.gitlab_realm, "saas");
        assert_eq!(u.scopes, ["a", "b"]);
        assert_eq!(u.gitlab_instance_id, json!(42));
        assert_eq!(u.duo_seat_count, "5");
        let extra = u.extra.unwrap();
        assert_eq!(
            extra.keys().collect::<Vec<_>>(),
            ["gitlab_instance_uid", "gitlab_root_namespace_id"]
        );
        let empty = UserClaims::from_claims(&JsonObject::default());
        assert_eq!(empty.gitlab_instance_id, json!(""));
        assert_eq!(empty.extra, Some(Map::new()));
    }
}
