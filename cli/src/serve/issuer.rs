//! A self-hosted issuer for air-gapped sites: OIDC discovery and the key ring's public JWKS, so a
//! self-hosted AI gateway can point its OIDC provider at this server.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::api::error;
use super::Shared;

pub async fn discovery(State(s): State<Shared>) -> Response {
    if s.ring.is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            "this server has no key ring (start it with --keys DIR)",
        );
    }
    Json(json!({
        "issuer": s.issuer,
        "jwks_uri": format!("{}/oauth/discovery/keys", s.issuer),
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
    .into_response()
}

pub async fn jwks(State(s): State<Shared>) -> Response {
    match &s.ring {
        // Verifiers may cache the published keys for a day, as GitLab's endpoint allows.
        Some(ring) => (
            [(header::CACHE_CONTROL, "max-age=86400, public")],
            Json(ring.jwks()),
        )
            .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "this server has no key ring (start it with --keys DIR)",
        ),
    }
}
