//! `--quotas`: after `/auth` grants a unit primitive, the core's quota engine judges the request
//! by the token's identity; over quota is 429 with the `RateLimit` headers and `Retry-After`.
//! Counters live in memory (one process) or in Redis (`--redis`, shared by replicas), where a
//! store failure follows `--redis-failure` (open: admit; closed: 429), logged and counted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use cloud_connector::quota::{
    Decision, FailurePolicy, Identity, Judgement, KeyKind, MemoryStore, QuotaStore, Quotas,
    RATELIMIT, RATELIMIT_POLICY, RETRY_AFTER,
};
use cloud_connector::Error;
use serde_json::json;

use super::api::error;
use super::log;
use super::quota_redis::RedisStore;

#[derive(Debug)]
pub enum Backend {
    Memory(MemoryStore),
    Redis(RedisStore),
}

/// The decisions metric's labels, in the order of [`QuotaMetrics::decisions`]' counts.
pub const VERDICTS: [&str; 2] = ["allow", "deny"];

/// Decisions per unit primitive, by verdict and key kind (looked up by `&str`, so counting a
/// decision allocates nothing), and store failures by policy.
#[derive(Debug, Default)]
pub struct QuotaMetrics {
    pub decisions: Mutex<BTreeMap<String, [[u64; KeyKind::ALL.len()]; VERDICTS.len()]>>,
    pub store_failures: Mutex<BTreeMap<&'static str, u64>>,
}

impl QuotaMetrics {
    fn decided(&self, allowed: bool, kind: KeyKind, unit_primitive: &str) {
        let mut map = self.decisions.lock().unwrap_or_else(|p| p.into_inner());
        let counts = match map.get_mut(unit_primitive) {
            Some(counts) => counts,
            None => map.entry(unit_primitive.to_owned()).or_default(),
        };
        counts[usize::from(!allowed)][kind as usize] += 1;
    }
}

#[derive(Debug)]
pub struct QuotaGate {
    pub quotas: Quotas,
    pub backend: Backend,
    pub policy: FailurePolicy,
    pub metrics: QuotaMetrics,
    /// Whether the store failed last time: failures and recoveries are logged once each.
    pub store_down: AtomicBool,
}

/// The gate's answer: admit (with headers for the answer) or refuse with this response.
pub enum Judged {
    Admit(Vec<(&'static str, String)>),
    Refuse(Response, &'static str),
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_default() += 1;
}

pub fn with_headers(mut response: Response, headers: Vec<(&'static str, String)>) -> Response {
    for (name, value) in headers {
        // The core's three names as constants (no parse per answer); `from_bytes` would
        // lower-case the draft's spelling (`RateLimit-Policy`) the same way. The value's
        // String becomes the header's bytes without a copy.
        let name = match name {
            RATELIMIT_POLICY => Ok(HeaderName::from_static("ratelimit-policy")),
            RATELIMIT => Ok(HeaderName::from_static("ratelimit")),
            RETRY_AFTER => Ok(header::RETRY_AFTER),
            other => HeaderName::from_bytes(other.as_bytes()),
        };
        if let (Ok(n), Ok(v)) = (name, HeaderValue::try_from(value)) {
            response.headers_mut().insert(n, v);
        }
    }
    response
}

impl QuotaGate {
    async fn decide(&self, who: &Identity, unit_primitive: &str) -> Result<Decision, Error> {
        let checks = self.quotas.checks(who, unit_primitive);
        if checks.is_empty() {
            return Ok(Decision::unlimited());
        }
        let (checks, spent) = match &self.backend {
            Backend::Memory(store) => {
                let spent = store.spend(&checks)?;
                (checks, spent)
            }
            Backend::Redis(store) => store.spend(checks).await?,
        };
        Ok(self.quotas.decision(&checks, &spent))
    }

    pub async fn judge(&self, who: &Identity, unit_primitive: &str) -> Judged {
        let decision = match self.decide(who, unit_primitive).await {
            Ok(d) => d,
            Err(e) => return self.store_failed(&e),
        };
        if self.store_down.swap(false, Ordering::Relaxed) {
            log("quota_store_recovered", json!({}));
        }
        let Some(deciding) = decision.deciding() else {
            return Judged::Admit(Vec::new());
        };
        self.metrics
            .decided(decision.allowed, deciding.per, unit_primitive);
        let headers = decision.headers();
        if decision.allowed {
            return Judged::Admit(headers);
        }
        let name = deciding.name.clone();
        let message = format!(
            "over the quota '{name}' for the unit primitive '{unit_primitive}'; retry after {} s",
            decision.retry_after().as_secs_f64().ceil()
        );
        let response = error(StatusCode::TOO_MANY_REQUESTS, "quota_exceeded", message);
        Judged::Refuse(with_headers(response, headers), "quota_exceeded")
    }

    fn store_failed(&self, e: &Error) -> Judged {
        bump(&self.metrics.store_failures, self.policy.as_str());
        // One line when the store goes away, not one per request while it is away.
        if !self.store_down.swap(true, Ordering::Relaxed) {
            log(
                "quota_store_failed",
                json!({"code": e.code().as_str(), "error": e.message(), "policy": self.policy.as_str()}),
            );
        }
        let judged = Judgement::StoreFailed {
            error: e.clone(),
            policy: self.policy,
        };
        if judged.allowed() {
            return Judged::Admit(judged.headers());
        }
        // Refused as over quota (429), not as a server error: the request is fine, only its
        // metering is unavailable.
        Judged::Refuse(
            with_headers(
                error(
                    StatusCode::TOO_MANY_REQUESTS,
                    e.code().as_str(),
                    format!("the quota store is unavailable: {}", e.message()),
                ),
                judged.headers(),
            ),
            "quota_store_failed",
        )
    }
}
