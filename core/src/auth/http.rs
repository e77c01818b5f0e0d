//! The core's blocking HTTP client for discovery and JWKS fetches (the default [`Fetch`]). Custom CAs come from
//! `REQUESTS_CA_BUNDLE`, then `CURL_CA_BUNDLE`, then `SSL_CERT_FILE` (replacing the built-in roots, as `requests`
//! does); proxies from the usual environment variables.

use std::path::PathBuf;
use std::time::Duration;

use std::io::Read;

use ureq::tls::{parse_pem, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use super::fetch::{Fetch, FetchError, FetchResponse};
use crate::error::{Error, ErrorCode, Result};

/// The whole-request timeout of discovery and JWKS fetches (the core's `TIMEOUT_SECONDS`).
pub const DEFAULT_HTTP_TIMEOUT: Duration =
    Duration::from_secs(crate::options::TIMEOUT_SECONDS.default as u64);

/// How [`OidcProvider`](super::OidcProvider) fetches: timeout and trusted roots. `Default` is a
/// [`DEFAULT_HTTP_TIMEOUT`] and the CA bundle named by the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpConfig {
    /// Whole-request timeout (connect, send, receive).
    pub timeout: Duration,
    /// A PEM bundle of root certificates; `None` reads `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`, then
    /// `SSL_CERT_FILE`.
    pub ca_bundle: Option<PathBuf>,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            timeout: DEFAULT_HTTP_TIMEOUT,
            ca_bundle: None,
        }
    }
}

fn fetch_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::JwksFetchFailed, message)
}

const CA_BUNDLE_VARS: [&str; 3] = ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"];

fn ca_bundle_from(
    config: &HttpConfig,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    config.ca_bundle.clone().or_else(|| {
        CA_BUNDLE_VARS
            .iter()
            .find_map(|v| env(v).filter(|s| !s.is_empty()).map(PathBuf::from))
    })
}

fn ca_bundle(config: &HttpConfig) -> Option<PathBuf> {
    ca_bundle_from(config, |v| std::env::var_os(v))
}

/// The core's own client: ureq with the CA bundle above and the proxy environment variables.
#[derive(Debug)]
pub(crate) struct HttpClient {
    agent: Agent,
}

impl HttpClient {
    pub(crate) fn new(config: &HttpConfig) -> Result<HttpClient> {
        let mut tls = TlsConfig::builder();
        if let Some(path) = ca_bundle(config) {
            let pem = std::fs::read(&path)
                .map_err(|e| fetch_err(format!("cannot read CA bundle {}: {e}", path.display())))?;
            let certs: Vec<_> = parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(fetch_err(format!(
                    "CA bundle {} holds no certificates",
                    path.display()
                )));
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let agent = Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .tls_config(tls.build())
            .build()
            .new_agent();
        Ok(HttpClient { agent })
    }
}

impl Fetch for HttpClient {
    fn get(
        &self,
        url: &str,
        timeout: Duration,
        max_body: u64,
    ) -> std::result::Result<FetchResponse, FetchError> {
        let mut response = self
            .agent
            .get(url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Accept", "application/json")
            .call()
            .map_err(|e| FetchError::new(e.to_string()))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(max_body.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| FetchError::new(format!("reading the body failed: {e}")))?;
        Ok(FetchResponse { status, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn ca_bundle_precedence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let default = HttpConfig::default();
        let all = env(&[
            ("SSL_CERT_FILE", "/ssl"),
            ("CURL_CA_BUNDLE", "/curl"),
            ("REQUESTS_CA_BUNDLE", "/req"),
        ]);
        assert_eq!(ca_bundle_from(&default, all), Some("/req".into()));
        let empty_requests = env(&[("REQUESTS_CA_BUNDLE", ""), ("SSL_CERT_FILE", "/ssl")]);
        assert_eq!(
            ca_bundle_from(&default, empty_requests),
            Some("/ssl".into())
        );
        assert_eq!(ca_bundle_from(&default, env(&[])), None);
        let explicit = HttpConfig {
            ca_bundle: Some("/explicit".into()),
            ..HttpConfig::default()
        };
        assert_eq!(
            ca_bundle_from(&explicit, env(&[("REQUESTS_CA_BUNDLE", "/req")])),
            Some("/explicit".into())
        );
    }
}
