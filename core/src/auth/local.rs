//! Keys from local PEMs (python-api.md §5.2 with D6): the signing key and the validation key
//! (the previous signing key during a rotation), each private or public. An empty PEM means
//! "not configured"; an invalid one is logged and skipped, and the other still loads.

use std::sync::Arc;

use super::service_name::service_name;
use super::source::KeySource;
use crate::error::Result;
use crate::token::{verifying_key_from_pem, Algorithm, KeySet, VerifyingKey};

/// Keys from the AI gateway's own PEMs (signing and validation key), published under the kids
/// `<service>_signing_key` / `<service>_validation_key`; it never touches the network.
#[derive(Debug)]
pub struct LocalAuthProvider {
    signing: Option<VerifyingKey>,
    validation: Option<VerifyingKey>,
    service_name: Option<String>,
}

fn parse(pem: &str, which: &str) -> Option<VerifyingKey> {
    if pem.trim().is_empty() {
        return None;
    }
    match verifying_key_from_pem(pem).and_then(|k| k.with_alg(Algorithm::RS256)) {
        Ok(k) => Some(k),
        Err(e) => {
            log::error!(target: "cloud_connector", code = e.code().as_str(); "invalid local {which} key skipped: {e}");
            None
        }
    }
}

impl LocalAuthProvider {
    /// Parses both PEMs now, once. Kids are `<service>_signing_key` / `<service>_validation_key`
    /// with the service name read at each load.
    pub fn new(signing_key_pem: &str, validation_key_pem: &str) -> LocalAuthProvider {
        LocalAuthProvider {
            signing: parse(signing_key_pem, "signing"),
            validation: parse(validation_key_pem, "validation"),
            service_name: None,
        }
    }

    /// Fixes the service name used in kids instead of reading it at load time.
    pub fn with_service_name(mut self, name: impl Into<String>) -> LocalAuthProvider {
        self.service_name = Some(name.into());
        self
    }
}

impl KeySource for LocalAuthProvider {
    fn name(&self) -> &str {
        "LocalAuthProvider"
    }

    fn load(&self) -> Result<KeySet> {
        let service = match &self.service_name {
            Some(s) => s.clone(),
            None => service_name()?,
        };
        let keys = [
            (&self.signing, "signing_key"),
            (&self.validation, "validation_key"),
        ]
        .into_iter()
        .filter_map(|(k, suffix)| {
            Some(Arc::new(k.clone()?.with_kid(format!("{service}_{suffix}"))))
        })
        .collect();
        Ok(KeySet::new(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::tests::{RSA_A, RSA_A_PUB, RSA_B};

    #[test]
    fn kids_and_order() {
        let p = LocalAuthProvider::new(RSA_A, RSA_B).with_service_name("gitlab-ai-gateway");
        let set = p.load().unwrap();
        assert_eq!(
            set.kids(),
            [
                Some("gitlab-ai-gateway_signing_key".to_owned()),
                Some("gitlab-ai-gateway_validation_key".to_owned())
            ]
        );
    }

    #[test]
    fn empty_and_invalid_pems_are_skipped_independently() {
        let p = LocalAuthProvider::new("", RSA_A_PUB).with_service_name("s");
        assert_eq!(
            p.load().unwrap().kids(),
            [Some("s_validation_key".to_owned())]
        );
        let p = LocalAuthProvider::new(RSA_A, "BROKEN").with_service_name("s");
        assert_eq!(p.load().unwrap().kids(), [Some("s_signing_key".to_owned())]);
        assert!(LocalAuthProvider::new("", "")
            .with_service_name("s")
            .load()
            .unwrap()
            .is_empty());
    }
}
