//! A decision and its headers, as the IETF httpapi ratelimit-headers draft has them:
//! `RateLimit-Policy: "name";q=60;w=60`, `RateLimit: "name";r=59;t=1` and, on deny,
//! `Retry-After` in whole seconds.

use std::fmt::Write as _;
use std::time::Duration;

use super::limit::{KeyKind, Rate};

/// The answer headers a decision sets (IETF httpapi `RateLimit` draft, RFC 9110 `Retry-After`),
/// as [`Decision::headers`] names them.
pub const RATELIMIT_POLICY: &str = "RateLimit-Policy";
/// See [`RATELIMIT_POLICY`].
pub const RATELIMIT: &str = "RateLimit";
/// See [`RATELIMIT_POLICY`].
pub const RETRY_AFTER: &str = "Retry-After";

/// One limit's state after a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyState {
    /// The limit's name.
    pub name: String,
    /// What the limit's counter is keyed by.
    pub per: KeyKind,
    /// The rate that applied.
    pub rate: Rate,
    /// Requests that would be admitted right now.
    pub remaining: u64,
    /// Until the counter is back to a full burst.
    pub reset: Duration,
    /// Until the next request is admitted; zero when one would be now.
    pub retry_after: Duration,
}

/// Allow, or deny with the time until the next allowed request, and every applying limit's
/// state. A request no limit applies to is allowed with no policies (and no headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request is admitted.
    pub allowed: bool,
    /// Each applying limit's state, in the quota file's order.
    pub policies: Vec<PolicyState>,
}

/// Whole seconds, rounded up: a client that waits this long is never early.
fn ceil_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Decision {
    /// The decision for a request no limit applies to: allowed, no policies, no headers (the
    /// store is not asked).
    pub fn unlimited() -> Decision {
        Decision {
            allowed: true,
            policies: Vec::new(),
        }
    }

    /// Until the next request is admitted (zero when allowed): the longest wait among the
    /// limits that denied.
    pub fn retry_after(&self) -> Duration {
        self.policies
            .iter()
            .map(|p| p.retry_after)
            .max()
            .unwrap_or_default()
    }

    /// The limit that decided: on deny the one with the longest wait, else the one with the
    /// fewest remaining requests.
    pub fn deciding(&self) -> Option<&PolicyState> {
        if self.allowed {
            self.policies.iter().min_by_key(|p| p.remaining)
        } else {
            self.policies.iter().max_by_key(|p| p.retry_after)
        }
    }

    /// The limit that denied, if any (for metrics and logs).
    pub fn denied_by(&self) -> Option<&PolicyState> {
        (!self.allowed).then(|| self.deciding()).flatten()
    }

    /// The response headers: `RateLimit-Policy` (every applying limit), `RateLimit` (the
    /// deciding one) and, on deny, `Retry-After`. None when no limit applies.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let Some(deciding) = self.deciding() else {
            return Vec::new();
        };
        // Written into one buffer: a String per policy and a join cost a decision more than
        // its arithmetic.
        let mut policy = String::with_capacity(48 * self.policies.len());
        for (i, p) in self.policies.iter().enumerate() {
            if i > 0 {
                policy.push_str(", ");
            }
            let _ = write!(
                policy,
                "\"{}\";q={};w={}",
                p.name, p.rate.requests, p.rate.period_seconds
            );
        }
        let mut headers = vec![
            (RATELIMIT_POLICY, policy),
            (
                RATELIMIT,
                format!(
                    "\"{}\";r={};t={}",
                    deciding.name,
                    deciding.remaining,
                    ceil_seconds(deciding.reset)
                ),
            ),
        ];
        if !self.allowed {
            headers.push((RETRY_AFTER, ceil_seconds(self.retry_after()).to_string()));
        }
        headers
    }
}
