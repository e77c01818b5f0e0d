//! The store options, the failure policy and `judge` over a store that cannot answer.

use std::time::Duration;

use super::*;
use crate::options::{Arg, Args};
use crate::{Catalog, ErrorCode};

fn config(pairs: &[(&str, Arg)]) -> crate::Result<Option<RedisConfig>> {
    redis_config(&Args::from_pairs(
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())),
    ))
}

fn refused(pairs: &[(&str, Arg)]) -> String {
    let e = config(pairs).expect_err("refused");
    assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    e.message().to_owned()
}

#[test]
fn without_a_redis_url_counters_stay_in_memory_and_the_defaults_come_from_the_core() {
    assert_eq!(config(&[]).expect("no options"), None);
    let c = config(&[("redisUrl", Arg::Str("redis://127.0.0.1:6379".into()))])
        .expect("valid")
        .expect("a Redis store");
    assert_eq!(c.url, "redis://127.0.0.1:6379");
    assert_eq!(
        c.timeout,
        STORE_TIMEOUT_SECONDS.duration(None).expect("default")
    );
    assert_eq!(c.connections, 2);
    assert_eq!(c.failure, FailurePolicy::Open);
    let closed = redis_config_of(Some("redis://h"), Some(0.5), Some(2), Some("closed"))
        .expect("valid")
        .expect("a Redis store");
    assert_eq!(
        (closed.timeout, closed.connections, closed.failure),
        (Duration::from_millis(500), 2, FailurePolicy::Closed)
    );
}

#[test]
fn bad_store_options_are_refused_naming_the_option() {
    let url = ("redis_url", Arg::Str("redis://h".into()));
    assert_eq!(
        refused(&[url.clone(), ("redis_failure", Arg::Str("maybe".into()))]),
        "redis_failure must be \"open\" or \"closed\"; got \"maybe\""
    );
    assert_eq!(
        refused(&[url.clone(), ("redis_failure", Arg::Bool(true))]),
        "redis_failure must be a string; got true"
    );
    assert!(
        refused(&[url.clone(), ("redis_timeout", Arg::Float(f64::NAN))])
            .starts_with("redis_timeout must be a number of seconds from 0.001 to 10")
    );
    assert!(refused(&[url, ("redis_connections", Arg::Int(0))])
        .starts_with("redis_connections must be a whole number"));
    assert_eq!(
        refused(&[("redis_timeout", Arg::Float(1.0))]),
        "redis_timeout applies to a Redis store; set redis_url too"
    );
    assert!(refused(&[("redis_port", Arg::Int(1))]).starts_with("unknown option \"redis_port\""));
    assert_eq!(
        refused(&[("redis_url", Arg::Int(1))]),
        "redis_url must be a string; got 1"
    );
}

#[test]
fn a_store_failure_is_answered_by_the_policy() {
    let error = store_failed("connect", "refused");
    assert_eq!(error.code(), ErrorCode::QuotaStoreFailed);
    assert_eq!(error.message(), "redis connect: refused");
    let open = Judgement::StoreFailed {
        error: error.clone(),
        policy: FailurePolicy::Open,
    };
    assert!(open.allowed());
    assert_eq!(open.retry_after(), Duration::ZERO);
    assert!(open.headers().is_empty());
    assert!(open.decision().is_none());
    let closed = Judgement::StoreFailed {
        error,
        policy: FailurePolicy::Closed,
    };
    assert!(!closed.allowed());
    assert_eq!(closed.retry_after(), Duration::from_secs(1));
    assert_eq!(closed.headers(), vec![("Retry-After", "1".to_owned())]);
}

#[cfg(feature = "redis")]
#[test]
fn judge_answers_an_unreachable_redis_by_the_policy_and_other_errors_pass_through() {
    let quotas = Quotas::parse(
        "limits:\n  - name: chat\n    per: instance\n    unit_primitives: [duo_chat]\n    requests: 1\n    period: 1m\n",
        "quotas.yml",
        Catalog::embedded(),
    )
    .expect("valid");
    // A port nothing listens on: the connect is refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = redis_config_of(Some(&format!("redis://127.0.0.1:{port}")), None, None, None)
        .expect("valid")
        .expect("a Redis store");
    let store = RedisStore::new(&config).expect("a store");
    let who = Identity {
        instance: Some("inst-1".into()),
        user: None,
        realm: None,
    };
    for policy in [FailurePolicy::Open, FailurePolicy::Closed] {
        let j = quotas
            .judge(&store, policy, &who, "duo_chat")
            .expect("judged");
        match &j {
            Judgement::StoreFailed { error, policy: p } => {
                assert_eq!(error.code(), ErrorCode::QuotaStoreFailed);
                assert!(error.message().starts_with("redis connect"), "{error}");
                assert_eq!(*p, policy);
            }
            other => panic!("expected a store failure, got {other:?}"),
        }
        assert_eq!(j.allowed(), policy == FailurePolicy::Open);
    }
    // A unit primitive no limit names never reaches the store.
    let free = quotas
        .judge(&store, FailurePolicy::Closed, &who, "code_suggestions")
        .expect("judged");
    assert!(free.allowed() && free.decision().is_some_and(|d| d.policies.is_empty()));
    let bad = RedisStore::new(&RedisConfig {
        url: "http://nope".into(),
        ..config
    })
    .expect_err("not a Redis URL");
    assert_eq!(bad.code(), ErrorCode::InvalidArgument);
}
