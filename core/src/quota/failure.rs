//! What happens to a request when the shared quota store cannot answer: the failure policy,
//! and a judgement that is either the store's decision or the policy's answer.

use std::time::Duration;

use super::decision::{Decision, RETRY_AFTER};
use crate::error::{Error, ErrorCode};

/// After a failed connect, a store fails requests at once for this long instead of each one
/// trying again (a Redis that is away must not add a connect timeout to every request).
pub const STORE_RECONNECT_PAUSE: Duration = Duration::from_millis(250);

/// How long a client refused by the closed policy is told to wait: the store may be back soon.
const CLOSED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// What a store failure does to the request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Admit the request unmetered: the vendor's quota is at risk, the service is not.
    #[default]
    Open,
    /// Refuse it as over quota (429, retry in a second): nothing gets through unmetered.
    Closed,
}

impl FailurePolicy {
    /// The policy's name (`open`, `closed`), as options and logs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            FailurePolicy::Open => "open",
            FailurePolicy::Closed => "closed",
        }
    }

    /// The policy named `name`.
    pub fn from_name(name: &str) -> Option<FailurePolicy> {
        match name {
            "open" => Some(FailurePolicy::Open),
            "closed" => Some(FailurePolicy::Closed),
            _ => None,
        }
    }
}

/// A store failure as the core reports it: `quota_store_failed`, saying what failed.
pub fn store_failed(what: &str, cause: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::QuotaStoreFailed,
        format!("redis {what}: {cause}"),
    )
}

/// A request judged: the store's decision, or, when the store failed, the policy's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Judgement {
    /// The store answered.
    Decided(Decision),
    /// The store failed (`error`); `policy` answers.
    StoreFailed {
        /// Why the store did not answer (`quota_store_failed`).
        error: Error,
        /// The policy that answers instead.
        policy: FailurePolicy,
    },
}

impl Judgement {
    /// Whether the request is admitted.
    pub fn allowed(&self) -> bool {
        match self {
            Judgement::Decided(d) => d.allowed,
            Judgement::StoreFailed { policy, .. } => *policy == FailurePolicy::Open,
        }
    }

    /// Until the client may retry; zero when admitted.
    pub fn retry_after(&self) -> Duration {
        match self {
            Judgement::Decided(d) => d.retry_after(),
            Judgement::StoreFailed { policy, .. } => match policy {
                FailurePolicy::Open => Duration::ZERO,
                FailurePolicy::Closed => CLOSED_RETRY_AFTER,
            },
        }
    }

    /// The answer's headers: the decision's `RateLimit` headers, or `Retry-After` alone when
    /// the closed policy refuses (no counter was read, so there is no `RateLimit` to report).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            Judgement::Decided(d) => d.headers(),
            Judgement::StoreFailed { .. } if self.allowed() => Vec::new(),
            Judgement::StoreFailed { .. } => {
                vec![(RETRY_AFTER, self.retry_after().as_secs().to_string())]
            }
        }
    }

    /// The store's decision, when it answered.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            Judgement::Decided(d) => Some(d),
            Judgement::StoreFailed { .. } => None,
        }
    }
}
