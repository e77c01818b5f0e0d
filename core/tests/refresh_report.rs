//! The refresh report bindings log through their own loggers: each failing source with its code,
//! and the fallback message of python-api.md 5.5.

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
    assert_eq!(
        (first.failures[0].source.as_str(), first.failures[0].code),
        ("CustomersDot", "jwks_invalid")
    );
    assert_eq!(first.fallback, Some(INCOMPLETE_JWKS_CACHED));
    p.refresh();
    assert_eq!(
        p.last_refresh_report().expect("report").fallback,
        Some(OLD_JWKS_RECACHED)
    );

    let healthy = CompositeProvider::new(vec![good], CompositeConfig::default());
    assert!(healthy.ready());
    assert_eq!(
        healthy.last_refresh_report().expect("report"),
        Default::default()
    );
}
