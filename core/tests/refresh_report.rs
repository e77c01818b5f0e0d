//! The refresh report bindings log through their own loggers: each failing source with its
//! position and code, the fallback message of python-api.md 5.5, and the kids each source
//! delivered (each provider's own "JWKS refreshed").

use std::sync::Arc;

use cloud_connector::auth::{
    CompositeConfig, CompositeProvider, KeySource, StaticJwksProvider, INCOMPLETE_JWKS_CACHED,
    OLD_JWKS_RECACHED,
};
use cloud_connector::token::KeyRing;

#[test]
fn failing_sources_and_the_fallback_message_are_reported() {
    let mut ring = KeyRing::new(vec![]);
    ring.create_new_key().expect("key");
    let good: Arc<dyn KeySource> =
        Arc::new(StaticJwksProvider::from_json("Good", &ring.jwks().to_string()).expect("jwks"));
    let empty: Arc<dyn KeySource> =
        Arc::new(StaticJwksProvider::from_json("CustomersDot", r#"{"keys": []}"#).expect("jwks"));
    let p = CompositeProvider::new(vec![good.clone(), empty], CompositeConfig::default());
    assert!(p.last_refresh_report().is_none());
    assert!(!p.ready());
    let first = p.last_refresh_report().expect("report");
    assert_eq!(first.failures.len(), 1);
    let failure = &first.failures[0];
    assert_eq!(
        (failure.index, failure.source.as_str(), failure.code),
        (1, "CustomersDot", "jwks_invalid")
    );
    assert_eq!(failure.cause, None);
    assert_eq!(first.fallback, Some(INCOMPLETE_JWKS_CACHED));
    let kid = ring.jwks()["keys"][0]["kid"].as_str().map(str::to_owned);
    assert_eq!(first.delivered, vec![Some(vec![kid.clone()]), None]);
    p.refresh();
    assert_eq!(
        p.last_refresh_report().expect("report").fallback,
        Some(OLD_JWKS_RECACHED)
    );

    let healthy = CompositeProvider::new(vec![good], CompositeConfig::default());
    assert!(healthy.ready());
    let report = healthy.last_refresh_report().expect("report");
    assert!(report.failures.is_empty() && report.fallback.is_none());
    assert_eq!(report.delivered, vec![Some(vec![kid])]);
}
