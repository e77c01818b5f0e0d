//! `authenticate(headers, provider, bypass)`: the request flow of python-api.md §3, with its
//! exact order of checks and error strings.

use std::sync::Arc;

use serde_json::Value;

use super::composite::AuthProvider;
use super::headers::*;
use super::service_name::service_name;
use super::user::CloudConnectorUser;
use crate::error::{Error, ErrorCode, Result};

/// The client message when `Authorization` is absent.
pub const NO_AUTHORIZATION_HEADER: &str = "No authorization header presented";
/// The client message when `Authorization` is not `Bearer <token>`.
pub const INVALID_AUTHORIZATION_HEADER: &str = "Invalid authorization header";
/// The client message when `X-Gitlab-Authentication-Type` is not `oidc`.
pub const INVALID_AUTHENTICATION_TYPE: &str =
    "Invalid authentication token type - only OIDC is supported";
/// The client message when the provider rejected the token.
pub const FORBIDDEN_BY_AUTH_PROVIDER: &str = "Forbidden by auth provider";

/// Why `authenticate` refused a request, as a stable code for front ends that answer with
/// JSON (the sidecar). The client message is [`AuthOutcome::error`]; the verifier's reason for
/// a `Forbidden` token is the user's `rejection`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header.
    MissingAuthorization,
    /// `Authorization` is not `Bearer <token>`.
    InvalidAuthorization,
    /// `X-Gitlab-Authentication-Type` is not `oidc`.
    InvalidAuthenticationType,
    /// The provider refused the token.
    Forbidden,
    /// A claim disagrees with its header.
    HeaderMismatch,
}

impl AuthFailure {
    /// `missing_authorization`, `invalid_authorization`, `invalid_authentication_type`,
    /// `forbidden` or `header_mismatch`.
    pub const fn code(self) -> &'static str {
        match self {
            AuthFailure::MissingAuthorization => "missing_authorization",
            AuthFailure::InvalidAuthorization => "invalid_authorization",
            AuthFailure::InvalidAuthenticationType => "invalid_authentication_type",
            AuthFailure::Forbidden => "forbidden",
            AuthFailure::HeaderMismatch => "header_mismatch",
        }
    }
}

/// The user, and the error message for the client when authentication failed.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthOutcome {
    /// The user: authenticated or not, with the claims python-api.md §3 gives for each case.
    pub user: CloudConnectorUser,
    /// The client message of the failure (one of the constants above, or a header mismatch);
    /// `None` when authenticated.
    pub error: Option<String>,
    /// The failure's kind; `None` when authenticated.
    pub failure: Option<AuthFailure>,
}

impl AuthOutcome {
    /// The failure's stable code ([`AuthFailure::code`]); `None` when authenticated.
    pub fn error_code(&self) -> Option<&'static str> {
        self.failure.map(AuthFailure::code)
    }

    fn passed(user: CloudConnectorUser) -> AuthOutcome {
        AuthOutcome {
            user,
            error: None,
            failure: None,
        }
    }
}

fn failed(
    user: CloudConnectorUser,
    failure: AuthFailure,
    message: impl Into<String>,
) -> AuthOutcome {
    AuthOutcome {
        user,
        error: Some(message.into()),
        failure: Some(failure),
    }
}

/// Whether a truthy claim disagrees with a header (exact, case-sensitive; a non-string claim
/// never equals a header). An empty claim is never checked.
fn mismatch(claim: &Value, header: Option<&str>) -> bool {
    let truthy = match claim {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
    };
    truthy && claim.as_str().is_none_or(|c| Some(c) != header)
}

/// [`mismatch`] for a claim held as text.
fn text_mismatch(claim: &str, header: Option<&str>) -> bool {
    !claim.is_empty() && Some(claim) != header
}

/// Authenticates a request. `service_name` overrides the configured service name (read only
/// when a claim check needs it). `Err` is what escapes the original: provider failures and a
/// missing service name; everything else is an [`AuthOutcome`] with a client message.
pub fn authenticate<K: AsRef<str>, V: AsRef<str>>(
    headers: impl IntoIterator<Item = (K, V)>,
    provider: Option<&dyn AuthProvider>,
    bypass_auth: bool,
    service_name_override: Option<&str>,
) -> Result<AuthOutcome> {
    authenticate_headers(
        &Headers::new(headers),
        provider,
        bypass_auth,
        service_name_override,
    )
}

/// [`authenticate`] over headers the caller can look up in place (a server's own header map).
pub fn authenticate_headers(
    headers: &impl HeaderLookup,
    provider: Option<&dyn AuthProvider>,
    bypass_auth: bool,
    service_name_override: Option<&str>,
) -> Result<AuthOutcome> {
    let global_user_id = headers
        .header(X_GITLAB_GLOBAL_USER_ID_HEADER)
        .map(str::to_owned);
    if bypass_auth {
        let user = CloudConnectorUser {
            authenticated: true,
            is_debug: true,
            global_user_id,
            claims: None,
            rejection: None,
        };
        return Ok(AuthOutcome::passed(user));
    }
    let Some(authorization) = headers.header(AUTH_HEADER) else {
        return Ok(failed(
            CloudConnectorUser::new(false),
            AuthFailure::MissingAuthorization,
            NO_AUTHORIZATION_HEADER,
        ));
    };
    let (scheme, token) = authorization.split_once(' ').unwrap_or((authorization, ""));
    if scheme.to_lowercase() != PREFIX_BEARER_HEADER {
        return Ok(failed(
            CloudConnectorUser::new(false),
            AuthFailure::InvalidAuthorization,
            INVALID_AUTHORIZATION_HEADER,
        ));
    }
    let rejected = |failure: AuthFailure, message: &str, rejection: Option<ErrorCode>| {
        failed(
            CloudConnectorUser {
                global_user_id: global_user_id.clone(),
                claims: Some(Arc::default()),
                rejection,
                ..Default::default()
            },
            failure,
            message,
        )
    };
    if headers.header(AUTH_TYPE_HEADER) != Some(OIDC_AUTH) {
        return Ok(rejected(
            AuthFailure::InvalidAuthenticationType,
            INVALID_AUTHENTICATION_TYPE,
            None,
        ));
    }
    let provider = provider.ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArgument,
            "authenticate needs a provider unless bypass_auth is set",
        )
    })?;
    let user = provider.authenticate(token)?;
    if !user.authenticated {
        return Ok(rejected(
            AuthFailure::Forbidden,
            FORBIDDEN_BY_AUTH_PROVIDER,
            user.rejection,
        ));
    }
    let claims = user.claims.unwrap_or_default();
    let header_failed = |header: &str| {
        failed(
            CloudConnectorUser {
                global_user_id: global_user_id.clone(),
                claims: Some(claims.clone()),
                ..Default::default()
            },
            AuthFailure::HeaderMismatch,
            format!("Header mismatch '{header}'"),
        )
    };
    if text_mismatch(&claims.gitlab_realm, headers.header(X_GITLAB_REALM_HEADER)) {
        return Ok(header_failed(X_GITLAB_REALM_HEADER));
    }
    if mismatch(
        &claims.gitlab_instance_id,
        headers.header(X_GITLAB_INSTANCE_ID_HEADER),
    ) {
        return Ok(header_failed(X_GITLAB_INSTANCE_ID_HEADER));
    }
    // Only a non-empty subject is compared, so the service name is read only then.
    if !claims.subject.is_empty() {
        let is_service = match service_name_override {
            Some(s) => claims.issuer == s,
            None => claims.issuer == service_name()?,
        };
        let header = if is_service {
            X_GITLAB_GLOBAL_USER_ID_HEADER
        } else {
            X_GITLAB_INSTANCE_ID_HEADER
        };
        if text_mismatch(&claims.subject, headers.header(header)) {
            return Ok(header_failed(header));
        }
    }
    if !claims.duo_seat_count.is_empty() {
        match headers.header(X_GITLAB_DUO_SEAT_COUNT_HEADER) {
            None | Some("") => {
                log::warn!(target: "cloud_connector", "Header is missing: '{X_GITLAB_DUO_SEAT_COUNT_HEADER}'")
            }
            Some(h) if h != claims.duo_seat_count => {
                log::warn!(target: "cloud_connector", "Header mismatch '{X_GITLAB_DUO_SEAT_COUNT_HEADER}'")
            }
            Some(_) => {}
        }
    }
    let user = CloudConnectorUser {
        authenticated: true,
        is_debug: false,
        global_user_id,
        claims: Some(claims),
        rejection: None,
    };
    Ok(AuthOutcome::passed(user))
}
