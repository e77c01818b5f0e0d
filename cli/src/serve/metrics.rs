//! `/metrics` in Prometheus text format: /auth decisions by result with a latency histogram, the
//! verified-token cache (size, hits, misses), key set refreshes by provider and outcome, and
//! tokens issued by kid.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use cloud_connector::auth::CompositeProvider;

use cloud_connector::quota::KeyKind;

use super::quota::{Backend, QuotaMetrics, VERDICTS};
use super::Shared;

#[derive(Clone, Copy, Debug)]
pub enum Outcome {
    Ok,
    Unauthorized,
    Forbidden,
    Error,
    /// Refused by `--quotas` (over quota, or the store failed closed).
    OverQuota,
}

const RESULTS: [&str; 5] = ["ok", "unauthorized", "forbidden", "error", "over_quota"];

impl Outcome {
    pub fn as_str(self) -> &'static str {
        RESULTS[self as usize]
    }
}
/// Upper bounds in seconds.
const BUCKETS: [f64; 10] = [
    0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1.0,
];

#[derive(Debug, Default)]
pub struct Metrics {
    counts: [AtomicU64; RESULTS.len()],
    /// Per result: counts per bucket (not cumulative), then those above the last bound.
    buckets: [[AtomicU64; BUCKETS.len() + 1]; RESULTS.len()],
    /// Per result: total nanoseconds.
    sum_nanos: [AtomicU64; RESULTS.len()],
    /// Tokens `POST /api/v1/tokens` signed, by the signing key's kid.
    issued: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn record(&self, outcome: Outcome, took: Duration) {
        let i = outcome as usize;
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum_nanos[i].fetch_add(
            u64::try_from(took.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        // One increment per decision (the first bucket that holds it; +Inf last): the workers
        // share these counters, and cumulative counts are summed when /metrics is read.
        let secs = took.as_secs_f64();
        let b = BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[i][b].fetch_add(1, Ordering::Relaxed);
    }

    pub fn issued(&self, kid: &str) {
        let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        *issued.entry(kid.to_owned()).or_default() += 1;
    }
}

/// A label value with the characters the text format escapes escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

pub async fn render(State(s): State<Shared>) -> Response {
    let m = &s.metrics;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP cloud_connector_auth_requests_total Forward-auth decisions by result."
    );
    let _ = writeln!(out, "# TYPE cloud_connector_auth_requests_total counter");
    for (i, r) in RESULTS.iter().enumerate() {
        let _ = writeln!(
            out,
            "cloud_connector_auth_requests_total{{result=\"{r}\"}} {}",
            m.counts[i].load(Ordering::Relaxed)
        );
    }
    let _ = writeln!(
        out,
        "# HELP cloud_connector_auth_duration_seconds Forward-auth decision latency."
    );
    let _ = writeln!(
        out,
        "# TYPE cloud_connector_auth_duration_seconds histogram"
    );
    for (i, r) in RESULTS.iter().enumerate() {
        // Prometheus buckets are cumulative: each counts every decision at or under its bound.
        let mut cumulative = 0;
        for (b, bound) in BUCKETS.iter().enumerate() {
            cumulative += m.buckets[i][b].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "cloud_connector_auth_duration_seconds_bucket{{result=\"{r}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        let inf = cumulative + m.buckets[i][BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "cloud_connector_auth_duration_seconds_bucket{{result=\"{r}\",le=\"+Inf\"}} {inf}"
        );
        let sum = m.sum_nanos[i].load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(
            out,
            "cloud_connector_auth_duration_seconds_sum{{result=\"{r}\"}} {sum}"
        );
        let _ = writeln!(
            out,
            "cloud_connector_auth_duration_seconds_count{{result=\"{r}\"}} {inf}"
        );
    }
    help(
        &mut out,
        "cloud_connector_issued_tokens_total",
        "counter",
        "Tokens signed by POST /api/v1/tokens, by kid.",
    );
    for (kid, n) in m.issued.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        let _ = writeln!(
            out,
            "cloud_connector_issued_tokens_total{{kid=\"{}\"}} {n}",
            label(kid)
        );
    }
    if let Some(p) = &s.provider {
        provider_metrics(&mut out, p);
    }
    if let Some(gate) = &s.quotas {
        quota_metrics(&mut out, &gate.metrics);
        if let Backend::Redis(store) = &gate.backend {
            redis_batch_metrics(&mut out, store.batch_counts());
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

fn provider_metrics(out: &mut String, p: &CompositeProvider) {
    help(
        out,
        "cloud_connector_token_cache_entries",
        "gauge",
        "Verified tokens held in the cache.",
    );
    let _ = writeln!(
        out,
        "cloud_connector_token_cache_entries {}",
        p.cached_tokens()
    );
    let cache = p.token_cache_stats();
    help(
        out,
        "cloud_connector_token_cache_hits_total",
        "counter",
        "Verifications answered from the verified-token cache.",
    );
    let _ = writeln!(out, "cloud_connector_token_cache_hits_total {}", cache.hits);
    help(
        out,
        "cloud_connector_token_cache_misses_total",
        "counter",
        "Verifications of tokens the cache did not hold.",
    );
    let _ = writeln!(
        out,
        "cloud_connector_token_cache_misses_total {}",
        cache.misses
    );
    help(
        out,
        "cloud_connector_jwks_refreshes_total",
        "counter",
        "Key set loads by provider and outcome (ok, or the failure's error code).",
    );
    for c in p.refresh_counts() {
        let _ = writeln!(
            out,
            "cloud_connector_jwks_refreshes_total{{provider=\"{}\",outcome=\"{}\"}} {}",
            label(&c.source),
            c.outcome,
            c.count
        );
    }
    let failing = p
        .last_refresh_report()
        .map(|r| r.failures)
        .unwrap_or_default();
    help(
        out,
        "cloud_connector_jwks_source_failing",
        "gauge",
        "Sources that failed in the latest refresh.",
    );
    for f in failing {
        let _ = writeln!(
            out,
            "cloud_connector_jwks_source_failing{{provider=\"{}\",code=\"{}\"}} 1",
            label(&f.source),
            f.code
        );
    }
}

fn quota_metrics(out: &mut String, m: &QuotaMetrics) {
    help(
        out,
        "cloud_connector_quota_decisions_total",
        "counter",
        "Quota decisions by decision (allow, deny), key kind of the deciding limit and unit primitive.",
    );
    for (up, counts) in m.decisions.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        for (verdict, by_kind) in VERDICTS.iter().zip(counts) {
            for (kind, n) in KeyKind::ALL.iter().zip(by_kind) {
                let _ = writeln!(
                    out,
                    "cloud_connector_quota_decisions_total{{decision=\"{verdict}\",key=\"{}\",unit_primitive=\"{}\"}} {n}",
                    kind.as_str(),
                    label(up)
                );
            }
        }
    }
    help(
        out,
        "cloud_connector_quota_store_failures_total",
        "counter",
        "Quota store (Redis) failures, by the policy that answered them (open, closed).",
    );
    for (policy, n) in m
        .store_failures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        let _ = writeln!(
            out,
            "cloud_connector_quota_store_failures_total{{policy=\"{policy}\"}} {n}"
        );
    }
}

fn redis_batch_metrics(out: &mut String, (batches, decisions): (u64, u64)) {
    help(
        out,
        "cloud_connector_quota_redis_batches_total",
        "counter",
        "Quota script calls sent to Redis (each carries the decisions waiting at the time).",
    );
    let _ = writeln!(out, "cloud_connector_quota_redis_batches_total {batches}");
    help(
        out,
        "cloud_connector_quota_redis_batched_decisions_total",
        "counter",
        "Quota decisions sent to Redis in those calls.",
    );
    let _ = writeln!(
        out,
        "cloud_connector_quota_redis_batched_decisions_total {decisions}"
    );
}
