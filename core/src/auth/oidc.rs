//! Keys of an OIDC issuer (python-api.md §5.3): `GET <origin>/.well-known/openid-configuration`,
//! then its `jwks_uri`. One provider per issuer (GitLab, CustomersDot), so the composite can keep
//! each issuer's last good keys separately.

use std::sync::{Arc, OnceLock};

use super::fetch::{get_json, Fetch};
use super::http::{HttpClient, HttpConfig};
use super::source::KeySource;
use crate::error::{Error, ErrorCode, Result};
use crate::token::KeySet;

/// Keys of an OIDC issuer: its discovery document's `jwks_uri`, fetched over HTTPS.
#[derive(Debug)]
pub struct OidcProvider {
    name: String,
    discovery_url: String,
    config: HttpConfig,
    /// The hook every GET goes through: a binding's, or the core's client built on first use.
    fetch: OnceLock<std::result::Result<Arc<dyn Fetch>, Error>>,
}

/// `urljoin(base, "/.well-known/openid-configuration")`: the leading slash drops any path.
fn discovery_url(base_url: &str) -> String {
    let origin_end = base_url
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base_url[start..].find(['/', '?', '#']).map(|j| start + j))
        .unwrap_or(base_url.len());
    format!(
        "{}/.well-known/openid-configuration",
        &base_url[..origin_end]
    )
}

impl OidcProvider {
    /// `name` is the log label (`Gitlab`, `CustomersDot`); `base_url` the issuer URL.
    pub fn new(name: impl Into<String>, base_url: &str, config: HttpConfig) -> OidcProvider {
        OidcProvider {
            name: name.into(),
            discovery_url: discovery_url(base_url),
            config,
            fetch: OnceLock::new(),
        }
    }

    /// Fetches through `fetch` instead of the core's client (`config.ca_bundle` is then the
    /// hook's business; `config.timeout` is still given to it on every GET).
    pub fn with_fetch(self, fetch: Arc<dyn Fetch>) -> OidcProvider {
        let hooked = OnceLock::new();
        let _ = hooked.set(Ok(fetch));
        OidcProvider {
            fetch: hooked,
            ..self
        }
    }

    /// The discovery document's URL, at the base URL's origin.
    pub fn discovery_url(&self) -> &str {
        &self.discovery_url
    }

    fn fetch(&self) -> Result<&dyn Fetch> {
        self.fetch
            .get_or_init(|| HttpClient::new(&self.config).map(|c| Arc::new(c) as Arc<dyn Fetch>))
            .as_ref()
            .map(|f| f.as_ref())
            .map_err(Clone::clone)
    }
}

impl KeySource for OidcProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn load(&self) -> Result<KeySet> {
        let fetch = self.fetch()?;
        let timeout = self.config.timeout;
        let discovery = get_json(fetch, &self.discovery_url, timeout)?;
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::JwksInvalid,
                    format!("{} has no jwks_uri", self.discovery_url),
                )
            })?;
        let (keys, skipped) = KeySet::from_jwks(&get_json(fetch, jwks_uri, timeout)?)?;
        for e in skipped {
            log::error!(target: "cloud_connector", oidc_provider = self.name.as_str(), code = e.code().as_str(); "{e}");
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_url_keeps_only_the_origin() {
        assert_eq!(
            discovery_url("https://gitlab.com"),
            "https://gitlab.com/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://example.com:8443/gitlab/"),
            "https://example.com:8443/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("http://127.0.0.1:9?x=1"),
            "http://127.0.0.1:9/.well-known/openid-configuration"
        );
    }
}
