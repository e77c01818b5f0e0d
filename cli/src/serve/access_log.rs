//! One structured line per request on stderr: `ts`, `event: "request"`, method, path (never the
//! query string or headers, where tokens travel), status, `duration_us`, the caller's
//! `X-Request-Id` (echoed on the answer), and for `/auth` the decision the handler attached.
//! The line is written straight into one buffer and one `write`: it runs on every request, and
//! building a JSON map for it cost /auth a measurable share of its throughput (bench/README.md).

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use cloud_connector::auth::UserClaims;

/// The caller's request id, echoed on the answer and logged, so a proxy (or a load test) can tie
/// each decision to its request. Longer ids are neither echoed nor logged.
const REQUEST_ID: &str = "x-request-id";
const MAX_REQUEST_ID: usize = 128;

/// What `/auth` decided, for its request's log line.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// `ok`, `unauthorized`, `forbidden` or `error`.
    pub result: &'static str,
    /// The error code of a refusal.
    pub code: Option<String>,
    pub unit_primitive: Option<String>,
    /// The verified claims (subject and realm are logged): the token cache's own, not a copy.
    pub claims: Option<Arc<UserClaims>>,
}

impl Decision {
    pub fn coded(code: &str) -> Decision {
        Decision {
            code: Some(code.to_owned()),
            ..Decision::default()
        }
    }

    /// A decision on the unit primitive a verified token asked for: granted, or refused with
    /// `code`.
    pub fn granted(
        unit_primitive: String,
        claims: Arc<UserClaims>,
        code: Option<&str>,
    ) -> Decision {
        Decision {
            code: code.map(str::to_owned),
            unit_primitive: Some(unit_primitive),
            claims: Some(claims),
            ..Decision::default()
        }
    }
}

fn field(buf: &mut Vec<u8>, name: &str, value: &str) {
    buf.extend_from_slice(b",\"");
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b"\":");
    // Escapes as JSON; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, value);
}

pub async fn layer(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .filter(|v| v.len() <= MAX_REQUEST_ID)
        .cloned();
    let mut response = next.run(request).await;
    let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);

    let mut buf = Vec::with_capacity(320);
    buf.extend_from_slice(b"{\"ts\":");
    let _ = serde_json::to_writer(&mut buf, &chrono::Utc::now().to_rfc3339());
    field(&mut buf, "event", "request");
    field(&mut buf, "method", method.as_str());
    field(&mut buf, "path", &path);
    let _ = write!(
        buf,
        ",\"status\":{},\"duration_us\":{took}",
        response.status().as_u16()
    );
    if let Some(id) = request_id {
        if let Ok(text) = id.to_str() {
            field(&mut buf, "request_id", text);
        }
        response.headers_mut().insert(REQUEST_ID, id);
    }
    if let Some(d) = response.extensions_mut().remove::<Decision>() {
        field(&mut buf, "result", d.result);
        for (name, value) in [
            ("code", d.code.as_deref()),
            ("unit_primitive", d.unit_primitive.as_deref()),
            ("subject", d.claims.as_ref().map(|c| c.subject.as_str())),
            ("realm", d.claims.as_ref().map(|c| c.gitlab_realm.as_str())),
        ] {
            if let Some(v) = value {
                field(&mut buf, name, v);
            }
        }
    }
    buf.extend_from_slice(b"}\n");
    let _ = std::io::stderr().lock().write_all(&buf);
    response
}
