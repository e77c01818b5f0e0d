//! A fixed JWKS from a file or a string, for air-gapped sites: parsed once, never fetched.

use super::source::KeySource;
use crate::error::{Error, ErrorCode, Result};
use crate::token::KeySet;

/// A fixed key set; `load` hands out the keys parsed at construction.
#[derive(Debug)]
pub struct StaticJwksProvider {
    name: String,
    keys: KeySet,
}

impl StaticJwksProvider {
    /// Parses the JWKS now; a document of the wrong shape is an error, bad keys are logged and
    /// skipped.
    pub fn from_json(name: impl Into<String>, json: &str) -> Result<StaticJwksProvider> {
        let (keys, skipped) = KeySet::from_jwks_str(json)?;
        let name = name.into();
        for e in skipped {
            log::error!(target: "cloud_connector", oidc_provider = name.as_str(), code = e.code().as_str(); "{e}");
        }
        Ok(StaticJwksProvider { name, keys })
    }

    /// [`StaticJwksProvider::from_json`] of a file's text; an unreadable file is `jwks_invalid`.
    pub fn from_file(
        name: impl Into<String>,
        path: &std::path::Path,
    ) -> Result<StaticJwksProvider> {
        let json = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorCode::JwksInvalid,
                format!("cannot read JWKS file {}: {e}", path.display()),
            )
        })?;
        StaticJwksProvider::from_json(name, &json)
    }
}

impl KeySource for StaticJwksProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn load(&self) -> Result<KeySet> {
        Ok(self.keys.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_jwks() {
        assert_eq!(
            StaticJwksProvider::from_json("f", "nope")
                .unwrap_err()
                .code(),
            ErrorCode::JwksInvalid
        );
        let missing =
            StaticJwksProvider::from_file("f", std::path::Path::new("/nonexistent/jwks.json"));
        assert_eq!(missing.unwrap_err().code(), ErrorCode::JwksInvalid);
        let p =
            StaticJwksProvider::from_json("f", r#"{"keys": [{"kty": "oct", "k": "AA"}]}"#).unwrap();
        assert!(p.load().unwrap().is_empty());
    }
}
