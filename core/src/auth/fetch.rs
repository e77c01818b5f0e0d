//! The fetch hook: how an [`OidcProvider`](super::OidcProvider) GETs its discovery document and
//! JWKS. The core's own client (ureq) is the default; a binding may plug in its language's HTTP
//! stack (Python's `requests`, so `responses` / `requests_mock` and its proxy rules apply). The
//! hook only moves bytes: the timeout, the size limit, status handling, JSON parsing and every
//! error code and message stay here.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Cause, Error, ErrorCode, Result};

/// Discovery documents and key sets are small; a larger body is an error, not a memory sink.
pub const MAX_BODY: u64 = 1024 * 1024;

/// What a GET answered: the status and (at most `max_body + 1` bytes of) the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body as received, never more than the limit the core asked for plus one byte.
    pub body: Vec<u8>,
}

/// A GET that did not answer (connection, TLS, timeout, an exception in a binding's hook).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchError {
    /// What went wrong, for the core's `jwks_fetch_failed` message.
    pub message: String,
    /// What a binding's hook raised, handed back on the error (and the refresh report).
    pub cause: Option<Cause>,
}

impl FetchError {
    /// A failure with no host object behind it.
    pub fn new(message: impl Into<String>) -> FetchError {
        FetchError {
            message: message.into(),
            cause: None,
        }
    }
}

/// "GET this URL, give me status + body". May be called from any thread (a background refresh),
/// so an implementation that needs a language runtime's lock takes it itself.
pub trait Fetch: Send + Sync + fmt::Debug {
    /// GETs `url` with `Accept: application/json`, giving up after `timeout`, reading no more
    /// than `max_body + 1` bytes of the body (the core refuses anything over `max_body`).
    fn get(
        &self,
        url: &str,
        timeout: Duration,
        max_body: u64,
    ) -> std::result::Result<FetchResponse, FetchError>;
}

/// GETs `url` through `fetch` and parses the body as JSON. A failed GET, a non-2xx status and an
/// oversized body are `jwks_fetch_failed`; a body that is not JSON is `jwks_invalid`.
pub(crate) fn get_json(fetch: &dyn Fetch, url: &str, timeout: Duration) -> Result<Value> {
    let failed = |message: String| Error::new(ErrorCode::JwksFetchFailed, message);
    let response = fetch
        .get(url, timeout, MAX_BODY)
        .map_err(|e| failed(format!("GET {url} failed: {}", e.message)).with_cause(e.cause))?;
    if !(200..300).contains(&response.status) {
        return Err(failed(format!(
            "GET {url} returned HTTP {}",
            response.status
        )));
    }
    if response.body.len() as u64 > MAX_BODY {
        return Err(failed(format!(
            "reading {url} failed: the body is larger than {MAX_BODY} bytes"
        )));
    }
    serde_json::from_slice(&response.body).map_err(|e| {
        Error::new(
            ErrorCode::JwksInvalid,
            format!("{url} did not return JSON: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A hook answering from a fixed result, recording the timeouts and limits it was given.
    #[derive(Debug)]
    struct Canned {
        answer: std::result::Result<FetchResponse, FetchError>,
        asked: Mutex<Vec<(String, Duration, u64)>>,
    }

    fn canned(answer: std::result::Result<FetchResponse, FetchError>) -> Canned {
        Canned {
            answer,
            asked: Mutex::new(Vec::new()),
        }
    }

    impl Fetch for Canned {
        fn get(
            &self,
            url: &str,
            timeout: Duration,
            max_body: u64,
        ) -> std::result::Result<FetchResponse, FetchError> {
            self.asked
                .lock()
                .unwrap()
                .push((url.to_owned(), timeout, max_body));
            self.answer.clone()
        }
    }

    fn ok(status: u16, body: &[u8]) -> std::result::Result<FetchResponse, FetchError> {
        Ok(FetchResponse {
            status,
            body: body.to_vec(),
        })
    }

    #[test]
    fn the_core_keeps_every_rule_of_a_hooked_fetch() {
        let t = Duration::from_millis(1234);
        let hook = canned(ok(200, br#"{"keys": []}"#));
        assert_eq!(
            get_json(&hook, "http://x/jwks", t).unwrap()["keys"],
            Value::Array(vec![])
        );
        assert_eq!(
            hook.asked.lock().unwrap()[0],
            ("http://x/jwks".to_owned(), t, MAX_BODY)
        );

        let e = get_json(&canned(ok(503, b"{}")), "http://x/d", t).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwksFetchFailed);
        assert_eq!(e.message(), "GET http://x/d returned HTTP 503");

        let big = vec![b' '; MAX_BODY as usize + 1];
        let e = get_json(&canned(ok(200, &big)), "http://x/d", t).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwksFetchFailed);
        assert!(e.message().contains("larger than"), "{}", e.message());

        let e = get_json(&canned(ok(200, b"{nope")), "http://x/d", t).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwksInvalid);
    }

    #[test]
    fn a_failed_hook_is_jwks_fetch_failed_with_its_cause() {
        let cause = Cause::new(String::from("the exception object"));
        let hook = canned(Err(FetchError {
            message: "boom".into(),
            cause: Some(cause.clone()),
        }));
        let e = get_json(&hook, "http://x/d", Duration::from_secs(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwksFetchFailed);
        assert_eq!(e.message(), "GET http://x/d failed: boom");
        assert_eq!(e.cause(), Some(&cause));
        let raised = e.cause().and_then(|c| c.downcast_ref::<String>());
        assert_eq!(raised.map(String::as_str), Some("the exception object"));
    }
}
