//! `serve --runway`: the sidecar in front of the application. Every request but the sidecar's
//! own endpoints (under `/-/cloud-connector/`) is decided as `/auth` decides it, then forwarded
//! to the application on localhost with the verified identity headers, or refused with 401/403.

use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::Response;
use cloud_connector::runway::CloudConnector;

use super::api::error;
use super::forward_auth::{decide_and_judge, IDENTITY_HEADERS, UNIT_PRIMITIVE_HEADER};
use super::Shared;

/// Bodies are read whole (a prototype: no streaming yet); larger requests get 413.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Headers that belong to one connection, never forwarded (RFC 9110, 7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

/// Where the sidecar forwards, and the block it enforces.
pub struct Proxy {
    pub upstream: String,
    pub block: CloudConnector,
    pub agent: ureq::Agent,
}

impl Proxy {
    pub fn new(upstream: String, block: CloudConnector, timeout: Option<Duration>) -> Proxy {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(timeout)
            .build()
            .new_agent();
        Proxy {
            upstream,
            block,
            agent,
        }
    }
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            to.append(name.clone(), value.clone());
        }
    }
}

pub async fn forward(State(s): State<Shared>, request: Request) -> Response {
    let started = Instant::now();
    let Some(proxy) = s.proxy.as_ref() else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such endpoint");
    };
    let (parts, body) = request.into_parts();
    // A unit primitive the service does not serve is refused before any token work.
    if let Some(up) = parts
        .headers
        .get(UNIT_PRIMITIVE_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        if !proxy.block.serves(up) {
            let message = format!("this service does not serve the unit primitive '{up}'");
            return error(StatusCode::FORBIDDEN, "unit_primitive_not_served", message);
        }
    }
    let (outcome, decided, decision) = decide_and_judge(&s, &parts.uri, &parts.headers).await;
    s.metrics.record(outcome, started.elapsed());
    if decided.status() != StatusCode::OK {
        let mut refused = decided;
        refused.extensions_mut().insert(decision);
        return refused;
    }
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is too large",
        );
    };
    let target = format!(
        "{}{}",
        proxy.upstream,
        parts.uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut upstream = ureq::http::Request::builder()
        .method(parts.method.clone())
        .uri(target);
    if let Some(headers) = upstream.headers_mut() {
        copy_headers(&parts.headers, headers);
        // The identity the application sees is the verified one, never the caller's.
        for name in IDENTITY_HEADERS {
            headers.remove(*name);
        }
        for name in IDENTITY_HEADERS {
            if let Some(v) = decided.headers().get(*name) {
                headers.insert(HeaderName::from_static(name), v.clone());
            }
        }
    }
    let Ok(upstream) = upstream.body(bytes.to_vec()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request cannot be forwarded",
        );
    };
    let agent = proxy.agent.clone();
    let answered = tokio::task::spawn_blocking(move || {
        let mut response = agent.run(upstream).map_err(|e| e.to_string())?;
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES as u64)
            .read_to_vec()
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((response.status(), response.headers().clone(), body))
    })
    .await;
    let mut response = match answered {
        Ok(Ok((status, headers, body))) => {
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = status;
            copy_headers(&headers, r.headers_mut());
            r
        }
        Ok(Err(e)) => error(
            StatusCode::BAD_GATEWAY,
            "upstream_unavailable",
            format!("the application did not answer: {e}"),
        ),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "forwarding task failed",
        ),
    };
    response.extensions_mut().insert(decision);
    response
}
