//! GCRA (the generic cell rate algorithm): each counter is one theoretical arrival time (TAT).
//! A request is admitted when, after adding one emission interval, the TAT runs no more than
//! `burst` intervals ahead of now. A request is admitted only when every limit it falls under
//! admits it, and only then are the counters advanced, so a denied request spends nothing.
//! Stores apply exactly [`spend_with`]'s rule (the Redis script is its transcription).

use std::fmt::Debug;

use super::limit::Rate;
use crate::error::Result;

/// One counter a request is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The limit's index in its [`super::Quotas`].
    pub limit: usize,
    /// The store key: limit name, key kind and identity.
    pub key: String,
    /// The rate that applies (the limit's or the instance's override).
    pub rate: Rate,
}

/// What a store answers: the time it judged at and each counter's TAT before the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spent {
    /// The time of the decision, microseconds since the epoch (the store's clock).
    pub now_micros: i64,
    /// Per check, the counter's TAT before this request, never earlier than now.
    pub tats: Vec<i64>,
    /// Whether every counter admitted the request (and was advanced).
    pub admitted: bool,
}

/// Where counters live: one process ([`super::MemoryStore`]) or shared (Redis).
pub trait QuotaStore: Send + Sync + Debug {
    /// Judges a request against `checks` atomically, advancing every counter when all admit.
    fn spend(&self, checks: &[Check]) -> Result<Spent>;
}

/// Whether a counter at `tat` admits one more request at `now`.
pub(crate) fn admits(tat: i64, now: i64, rate: &Rate) -> bool {
    tat.saturating_add(rate.emission_micros())
        .saturating_sub(now)
        <= rate.tolerance_micros()
}

/// The rule every store applies, over a store's `stored` TATs: returns the [`Spent`] and,
/// when admitted, the new TAT of each counter (the store writes them, to expire at that time).
pub(crate) fn spend_with(
    checks: &[Check],
    now: i64,
    stored: impl Fn(&Check) -> Option<i64>,
) -> (Spent, Option<Vec<i64>>) {
    let tats: Vec<i64> = checks
        .iter()
        .map(|c| stored(c).map_or(now, |t| t.max(now)))
        .collect();
    let admitted = checks
        .iter()
        .zip(&tats)
        .all(|(c, tat)| admits(*tat, now, &c.rate));
    let advanced = admitted.then(|| {
        checks
            .iter()
            .zip(&tats)
            .map(|(c, tat)| tat.saturating_add(c.rate.emission_micros()))
            .collect()
    });
    (
        Spent {
            now_micros: now,
            tats,
            admitted,
        },
        advanced,
    )
}
