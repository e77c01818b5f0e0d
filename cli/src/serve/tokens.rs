//! `POST /api/v1/tokens`: the self-hosted issuer signs an instance token with the served key
//! ring's current key, so an air-gapped site needs no GitLab.com to mint what its AI gateway
//! verifies through this server's OIDC discovery. Off unless `--issue-secret-file` is given;
//! callers present that secret as a bearer token. The claims are `token issue`'s.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::api::error;
use super::{log, Shared};
use crate::issuing::{current_key, issue, payload, IssueRequest};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    subject: String,
    #[serde(default = "self_managed")]
    realm: String,
    #[serde(default)]
    add_ons: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    audiences: Vec<String>,
    #[serde(default = "one_hour")]
    ttl: i64,
    #[serde(default)]
    claims: Map<String, Value>,
    license: Option<String>,
    gitlab_version: Option<String>,
}

fn self_managed() -> String {
    "self-managed".into()
}

fn one_hour() -> i64 {
    cloud_connector::options::ISSUE_TTL_SECONDS.default as i64
}

/// Compares in time independent of where the first difference is (the length may leak).
fn same_secret(given: &[u8], secret: &[u8]) -> bool {
    given.len() == secret.len() && given.iter().zip(secret).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

pub async fn create(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let (Some(secret), Some(ring)) = (&s.issue_secret, &s.ring) else {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            "token issuing is off (start serve with --keys DIR --issue-secret-file FILE)",
        );
    };
    let presented = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().as_bytes());
    match presented {
        None => {
            return error(
                StatusCode::UNAUTHORIZED,
                "missing_authorization",
                "issuing needs `Authorization: Bearer <issue secret>`",
            )
        }
        Some(given) if !same_secret(given, secret.as_bytes()) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_authorization",
                "the bearer token is not the issue secret",
            )
        }
        Some(_) => {}
    }
    let body: Body = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_argument",
                format!("the request body is not a token request: {e}"),
            )
        }
    };
    let key = match current_key(ring) {
        Ok(k) => k,
        Err(f) => return error(StatusCode::SERVICE_UNAVAILABLE, f.code(), f.message()),
    };
    let request = IssueRequest {
        issuer: s.issuer.clone(),
        subject: body.subject,
        realm: body.realm,
        add_ons: body.add_ons,
        scopes: body.scopes,
        audiences: body.audiences,
        ttl: body.ttl,
        extra: body.claims.into(),
        license: body.license,
        gitlab_version: body.gitlab_version,
    };
    match issue(&s.catalog, key, request) {
        Ok((token, claims)) => {
            let kid = key.thumbprint().to_owned();
            s.metrics.issued(&kid);
            log(
                "token_issued",
                json!({"kid": kid, "subject": claims.subject, "scopes": claims.scopes}),
            );
            Json(json!({"token": token, "kid": kid, "claims": payload(&claims)})).into_response()
        }
        Err(f) => error(StatusCode::BAD_REQUEST, f.code(), f.message()),
    }
}
