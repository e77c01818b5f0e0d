//! Where a caller's quota counters live: in this process's memory, or in a Redis shared by
//! replicas, with its timeout, connection count and failure policy. `serve`'s `--redis*` flags
//! and the Python `Quotas` keywords are the same options, checked here once.

use std::time::Duration;

use super::failure::FailurePolicy;
use super::numbers::{STORE_CONNECTIONS, STORE_TIMEOUT_SECONDS};
use crate::error::Result;
use crate::options::{invalid, Arg, Args, OptionNames};

/// The store options, each with the other names callers know it by.
pub const STORE_OPTIONS: OptionNames = &[
    ("redis_url", &["redis"]),
    ("redis_timeout", &[]),
    ("redis_connections", &[]),
    ("redis_failure", &[]),
];

/// A shared Redis store's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisConfig {
    /// `redis://HOST:PORT[/DB]` (or `rediss://`, `unix://`, as redis-rs reads them).
    pub url: String,
    /// How long a decision waits for Redis (connect or answer) before the policy answers.
    pub timeout: Duration,
    /// Connections kept to Redis.
    pub connections: usize,
    /// What a Redis failure does to the request.
    pub failure: FailurePolicy,
}

/// The Redis store the options name; `None` (counters in memory) without `redis_url`. The
/// other options need `redis_url`: set alone they would silently do nothing.
pub fn redis_config(args: &Args) -> Result<Option<RedisConfig>> {
    let o = args.resolve("the quota store", STORE_OPTIONS)?;
    let Some(url) = o.get("redis_url") else {
        if let Some((name, _)) = STORE_OPTIONS.iter().find(|(n, _)| o.get(n).is_some()) {
            return Err(invalid(format!(
                "{name} applies to a Redis store; set redis_url too"
            )));
        }
        return Ok(None);
    };
    let failure = match o.get("redis_failure") {
        None => FailurePolicy::default(),
        Some(arg) => {
            let name = arg.text("redis_failure")?;
            FailurePolicy::from_name(name).ok_or_else(|| {
                invalid(format!(
                    "redis_failure must be \"open\" or \"closed\"; got {arg}"
                ))
            })?
        }
    };
    Ok(Some(RedisConfig {
        url: url.text("redis_url")?.to_owned(),
        timeout: STORE_TIMEOUT_SECONDS.duration(o.get("redis_timeout"))?,
        connections: STORE_CONNECTIONS.count(o.get("redis_connections"))?,
        failure,
    }))
}

/// [`redis_config`] from typed values (a command line's flags).
pub fn redis_config_of(
    url: Option<&str>,
    timeout: Option<f64>,
    connections: Option<i64>,
    failure: Option<&str>,
) -> Result<Option<RedisConfig>> {
    let mut args = Args::new();
    if let Some(u) = url {
        args.set("redis_url", Arg::Str(u.to_owned()));
    }
    if let Some(t) = timeout {
        args.set("redis_timeout", Arg::Float(t));
    }
    if let Some(n) = connections {
        args.set("redis_connections", Arg::Int(n));
    }
    if let Some(f) = failure {
        args.set("redis_failure", Arg::Str(f.to_owned()));
    }
    redis_config(&args)
}
