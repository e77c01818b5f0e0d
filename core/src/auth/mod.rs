//! Request authentication: header constants and the `authenticate` flow, key sources (local
//! PEMs, static JWKS, OIDC discovery), the composite key cache, and the authenticated user.

mod authenticate;
mod composite;
mod fetch;
mod headers;
mod http;
mod local;
mod oidc;
mod provider_stats;
mod service_name;
mod source;
mod static_jwks;
mod token_cache;
mod user;
mod user_claims_ref;

#[cfg(test)]
mod test_server;
#[cfg(test)]
mod tests;

pub use authenticate::{
    authenticate, authenticate_headers, AuthFailure, AuthOutcome, FORBIDDEN_BY_AUTH_PROVIDER,
    INVALID_AUTHENTICATION_TYPE, INVALID_AUTHORIZATION_HEADER, NO_AUTHORIZATION_HEADER,
};
pub use composite::{
    AuthProvider, BoundProvider, CompositeConfig, CompositeProvider, RefreshReport, SourceFailure,
    VerifiedClaims, Wait, INCOMPLETE_JWKS_CACHED, NO_KEYS_MESSAGE, OLD_JWKS_RECACHED,
};
pub use fetch::{Fetch, FetchError, FetchResponse, MAX_BODY};
pub use headers::*;
pub use http::{HttpConfig, DEFAULT_HTTP_TIMEOUT};
pub use local::LocalAuthProvider;
pub use oidc::OidcProvider;
pub use provider_stats::{SourceRefreshCount, TokenCacheStats, REFRESH_OK};
pub use service_name::{service_name, set_service_name, NO_SERVICE_NAME_MESSAGE, SERVICE_NAME_ENV};
pub use source::KeySource;
pub use static_jwks::StaticJwksProvider;
pub use token_cache::ClaimsMemo;
pub use user::{known_unit_primitives, CloudConnectorUser, UnitPrimitiveNames, UserClaims};
pub use user_claims_ref::UserClaimsRef;
