//! What a [`CompositeProvider`](super::CompositeProvider) counts for monitoring: each key
//! source's refresh outcomes (`ok`, or the error code of a failed load), and how many
//! verifications its token cache answered. A sidecar exports these as metrics; the counts are
//! the provider's own, so every binding reports the same thing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The outcome label of a load that delivered keys.
pub const REFRESH_OK: &str = "ok";

/// How often one key source's load ended with one outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRefreshCount {
    /// The source's name (`KeyRing`, `Gitlab`, a JWKS file's path, ...).
    pub source: String,
    /// [`REFRESH_OK`] or the failure's error code (`jwks_invalid`, `provider_unavailable`, ...).
    pub outcome: &'static str,
    /// How many loads ended so.
    pub count: u64,
}

/// Token cache use since the provider was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenCacheStats {
    /// Verifications answered from the cache, without a signature check.
    pub hits: u64,
    /// Verifications of a token the cache did not hold (each checked its signature, or failed
    /// before it).
    pub misses: u64,
}

#[derive(Debug)]
pub(crate) struct ProviderStats {
    /// Per source, in source order: outcome -> count. Refreshes are rare; a lock is fine.
    refreshes: Mutex<Vec<BTreeMap<&'static str, u64>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ProviderStats {
    pub(crate) fn new(sources: usize) -> ProviderStats {
        ProviderStats {
            refreshes: Mutex::new(vec![BTreeMap::new(); sources]),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub(crate) fn refreshed(&self, source: usize, outcome: &'static str) {
        let mut all = self.refreshes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(counts) = all.get_mut(source) {
            *counts.entry(outcome).or_default() += 1;
        }
    }

    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// Every (source, outcome) seen, sources in order and outcomes sorted within each.
    pub(crate) fn refresh_counts(
        &self,
        names: impl Iterator<Item = String>,
    ) -> Vec<SourceRefreshCount> {
        let all = self.refreshes.lock().unwrap_or_else(|p| p.into_inner());
        names
            .zip(all.iter())
            .flat_map(|(source, counts)| {
                counts
                    .iter()
                    .map(move |(outcome, count)| SourceRefreshCount {
                        source: source.clone(),
                        outcome,
                        count: *count,
                    })
            })
            .collect()
    }

    pub(crate) fn cache(&self) -> TokenCacheStats {
        TokenCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use serde_json::json;

    use super::super::test_server::{Route, TestServer};
    use super::super::{
        CompositeConfig, CompositeProvider, HttpConfig, KeySource, OidcProvider,
        StaticJwksProvider, Wait,
    };
    use super::{SourceRefreshCount, TokenCacheStats};
    use crate::token::tests::{rs256, RSA_B};
    use crate::token::SigningKey;

    const NOW: i64 = 1_700_000_000;

    fn count(source: &str, outcome: &'static str, count: u64) -> SourceRefreshCount {
        SourceRefreshCount {
            source: source.into(),
            outcome,
            count,
        }
    }

    #[test]
    fn refresh_outcomes_per_source_and_cache_hits() {
        let b = SigningKey::from_pem(RSA_B).unwrap();
        let jwks = json!({"keys": [(**b.verifying_key()).clone().with_kid("b").to_jwk()]});
        let gitlab = TestServer::start();
        gitlab.oidc(&jwks);
        let file: Arc<dyn KeySource> =
            Arc::new(StaticJwksProvider::from_json("file", &jwks.to_string()).unwrap());
        let http = HttpConfig {
            timeout: Duration::from_secs(2),
            ca_bundle: None,
        };
        let oidc: Arc<dyn KeySource> =
            Arc::new(OidcProvider::new("Gitlab", &gitlab.base_url(), http));
        let p = CompositeProvider::new(vec![file, oidc], CompositeConfig::default());
        assert!(p.refresh_counts().is_empty(), "nothing loaded yet");
        assert!(p.ready());
        gitlab.route(
            "/.well-known/openid-configuration",
            Route::Json(500, "{}".into()),
        );
        p.refresh();
        assert_eq!(
            p.refresh_counts(),
            [
                count("file", "ok", 2),
                count("Gitlab", "jwks_fetch_failed", 1),
                count("Gitlab", "ok", 1),
            ]
        );

        let token = rs256(
            &b,
            json!({"alg": "RS256", "kid": "b"}),
            json!({"aud": "svc", "sub": "i", "scopes": ["duo_chat"]}),
        );
        assert_eq!(p.token_cache_stats(), TokenCacheStats::default());
        assert!(p.verify_at(&token, &["svc"], NOW, Wait::MayLoad).is_ok());
        assert!(p.verify_at(&token, &["svc"], NOW, Wait::MayLoad).is_ok());
        assert!(p
            .verify_at("not.a.token", &["svc"], NOW, Wait::MayLoad)
            .is_err());
        assert_eq!(
            p.token_cache_stats(),
            TokenCacheStats { hits: 1, misses: 2 }
        );
        // The binding path: a cached answer is a hit; an unknown token is no answer and no count.
        assert!(p.verify_cached(&token, &["svc"]).is_some());
        assert!(p.verify_cached("x.y.z", &["svc"]).is_none());
        assert_eq!(p.token_cache_stats().hits, 2);
        assert_eq!(p.token_cache_stats().misses, 2);
    }
}
