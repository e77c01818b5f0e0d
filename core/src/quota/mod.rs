//! Quotas at the edge: limits per instance, user or realm on the unit primitives a request
//! spends, enforced with GCRA so the sidecar and the AI gateway apply the same rule.
//!
//! - [`Quotas::load`]: the YAML quota file, validated like the catalog (every problem with its
//!   file, limit and field, as `quota_invalid`).
//! - [`Quotas`]: the limits that apply to an [`Identity`] and a unit primitive, and the
//!   [`Decision`] (allow, or deny with retry-after) with its `RateLimit-Policy`, `RateLimit`
//!   and `Retry-After` header values.
//! - [`MemoryStore`]: the one-process store (bounded, idle keys expire); [`REDIS_GCRA_SCRIPT`]
//!   is the same rule as one atomic Redis script, for stores shared by several replicas;
//!   [`RedisStore`] (feature `redis`) runs it for blocking callers.
//! - [`redis_config`]: where counters live (the `redis_*` options), and [`FailurePolicy`]: what a
//!   store failure does; [`Quotas::judge`] gives the [`Judgement`] either way.

mod clock;
mod decision;
mod failure;
mod file;
mod gcra;
mod identity;
mod limit;
mod memory;
mod numbers;
mod quotas;
mod redis_script;
#[cfg(feature = "redis")]
mod redis_store;
mod store_config;

pub use clock::{Clock, SystemClock};
pub use decision::{Decision, PolicyState, RATELIMIT, RATELIMIT_POLICY, RETRY_AFTER};
pub use failure::{store_failed, FailurePolicy, Judgement, STORE_RECONNECT_PAUSE};
pub use gcra::{Check, QuotaStore, Spent};
pub use identity::Identity;
pub use limit::{KeyKind, Limit, Rate};
pub use memory::{MemoryStore, DEFAULT_CAPACITY};
pub use numbers::{BURST, PERIOD_SECONDS, REQUESTS, STORE_CONNECTIONS, STORE_TIMEOUT_SECONDS};
pub use quotas::Quotas;
pub use redis_script::{redis_args, redis_spent, REDIS_GCRA_SCRIPT};
#[cfg(feature = "redis")]
pub use redis_store::{gcra_invocation, RedisStore};
pub use store_config::{redis_config, redis_config_of, RedisConfig, STORE_OPTIONS};

#[cfg(test)]
mod store_tests;
#[cfg(test)]
mod tests;
