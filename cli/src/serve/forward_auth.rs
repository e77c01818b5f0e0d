//! `/auth`: forward authentication for nginx `auth_request`, Traefik ForwardAuth and Envoy's HTTP
//! ext_authz. Runs the core's `authenticate` over the request's Cloud Connector headers, then
//! requires the unit primitive the request names (`X-Gitlab-Unit-Primitive`, or a `--rule` for
//! its path). 200 with identity headers, or 401/403 with a JSON error carrying a code.

use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cloud_connector::auth::{authenticate, AUTH_HEADER};
use serde_json::json;

use super::api::error;
use super::metrics::Outcome;
use super::{log, Shared};

const UNIT_PRIMITIVE_HEADER: &str = "x-gitlab-unit-primitive";

/// The original request path: nginx passes `X-Original-URI`, Traefik `X-Forwarded-Uri`; Envoy
/// sends the original path itself (after the `/auth` prefix it is configured with).
fn original_path(headers: &HeaderMap, uri: &Uri) -> String {
    for h in ["x-original-uri", "x-forwarded-uri"] {
        if let Some(v) = headers.get(h).and_then(|v| v.to_str().ok()) {
            return v.split('?').next().unwrap_or("").to_owned();
        }
    }
    uri.path()
        .strip_prefix("/auth")
        .filter(|p| !p.is_empty())
        .unwrap_or(uri.path())
        .to_owned()
}

pub async fn check(State(s): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let (outcome, response) = decide(&s, &uri, &headers).await;
    s.metrics.record(outcome, started.elapsed());
    response
}

async fn decide(s: &Shared, uri: &Uri, headers: &HeaderMap) -> (Outcome, Response) {
    let Some(provider) = s.provider.clone() else {
        return (
            Outcome::Error,
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "provider_unavailable",
                "no key providers configured (--keys, --jwks or --oidc)",
            ),
        );
    };
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let audience = s.audience.clone();
    let verified = {
        let provider = provider.clone();
        let audience = audience.clone();
        // A cache miss may wait for an unknown-kid refresh: keep it off the async workers.
        tokio::task::spawn_blocking(move || {
            let outcome = authenticate(
                pairs,
                Some(&provider as &dyn cloud_connector::auth::AuthProvider),
                false,
                Some(&audience),
            );
            (outcome, provider)
        })
        .await
    };
    let (outcome, provider) = match verified {
        Ok(v) => v,
        Err(_) => {
            return (
                Outcome::Error,
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "verification task failed",
                ),
            )
        }
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            return (
                Outcome::Error,
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    e.code().as_str(),
                    e.message(),
                ),
            )
        }
    };
    if let Some(message) = &outcome.error {
        let mut code = outcome.error_code().unwrap_or("unauthorized").to_owned();
        if code == "forbidden" {
            // The flow only says "Forbidden by auth provider"; ask the verifier why.
            let token = headers
                .get(AUTH_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once(' ').map(|(_, t)| t.to_owned()))
                .unwrap_or_default();
            if let Err(e) = provider.verify(&token, &[audience.as_str()]) {
                code = e.code().as_str().to_owned();
            }
        }
        log("auth_rejected", json!({"code": code, "error": message}));
        return (
            Outcome::Unauthorized,
            error(StatusCode::UNAUTHORIZED, &code, message.clone()),
        );
    }
    let wanted = headers
        .get(UNIT_PRIMITIVE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            let path = original_path(headers, uri);
            s.rules
                .iter()
                .find(|(prefix, _)| path.starts_with(prefix.as_str()))
                .map(|(_, up)| up.clone())
        });
    let Some(wanted) = wanted else {
        return (
            Outcome::Forbidden,
            error(StatusCode::FORBIDDEN, "unit_primitive_required", "the request names no unit primitive (X-Gitlab-Unit-Primitive) and no --rule matches its path"),
        );
    };
    if !outcome.user.can(&wanted, &[]) {
        log("auth_forbidden", json!({"unit_primitive": wanted}));
        return (
            Outcome::Forbidden,
            error(
                StatusCode::FORBIDDEN,
                "missing_scope",
                format!("the token does not grant the unit primitive '{wanted}'"),
            ),
        );
    }
    let claims = outcome.user.claims.unwrap_or_default();
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    let instance = match &claims.gitlab_instance_id {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    for (name, value) in [
        ("x-gitlab-subject", claims.subject.as_str()),
        ("x-gitlab-realm", claims.gitlab_realm.as_str()),
        ("x-gitlab-instance-id", instance.as_str()),
        ("x-gitlab-scopes", &claims.scopes.join(",")),
        ("x-gitlab-unit-primitive", wanted.as_str()),
    ] {
        // An empty claim is not an identity: send no header rather than an empty one.
        if let Ok(v) = HeaderValue::from_str(value).map_err(drop).and_then(|v| {
            if value.is_empty() {
                Err(())
            } else {
                Ok(v)
            }
        }) {
            h.insert(name, v);
        }
    }
    (Outcome::Ok, response)
}
