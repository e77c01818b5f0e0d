//! The GCRA rule as one Redis script, so replicas sharing a Redis decide atomically in one
//! round trip. The script judges a batch of requests one after another (a store with many
//! decisions waiting sends them in one call: Redis' per-command cost is most of a decision's).
//! The core owns the script, its arguments and the reading of its answer; the caller owns the
//! connection.

use super::gcra::{Check, Spent};
use crate::error::{Error, ErrorCode, Result};

/// The Lua script (run it with `EVALSHA`/`EVAL`, every request's checks' keys as `KEYS`).
pub const REDIS_GCRA_SCRIPT: &str = include_str!("gcra.lua");

/// The script's `KEYS` and `ARGV` for a batch of requests, each given by its checks.
pub fn redis_args<'a>(batch: &[&'a [Check]]) -> (Vec<&'a str>, Vec<i64>) {
    let keys = batch
        .iter()
        .flat_map(|checks| checks.iter().map(|c| c.key.as_str()))
        .collect();
    let mut argv = Vec::with_capacity(1 + batch.iter().map(|c| 1 + 2 * c.len()).sum::<usize>());
    argv.push(batch.len() as i64);
    for checks in batch {
        argv.push(checks.len() as i64);
        for c in *checks {
            argv.extend([c.rate.emission_micros(), c.rate.tolerance_micros()]);
        }
    }
    (keys, argv)
}

fn out_of_shape(reply: &[i64], batch: &[&[Check]]) -> Error {
    Error::new(
        ErrorCode::QuotaStoreFailed,
        format!(
            "the quota script answered {} values for {} requests of {} counters",
            reply.len(),
            batch.len(),
            batch.iter().map(|c| c.len()).sum::<usize>()
        ),
    )
}

/// The script's answer to a batch, as one [`Spent`] per request in the batch's order;
/// `quota_store_failed` when it is not of the script's shape (another script under the same
/// SHA, a proxy in the way).
pub fn redis_spent(reply: &[i64], batch: &[&[Check]]) -> Result<Vec<Spent>> {
    let Some((&now, mut rest)) = reply.split_first() else {
        return Err(out_of_shape(reply, batch));
    };
    let mut spent = Vec::with_capacity(batch.len());
    for checks in batch {
        match rest.split_first() {
            Some((admitted @ (0 | 1), tail)) if tail.len() >= checks.len() => {
                let (tats, after) = tail.split_at(checks.len());
                spent.push(Spent {
                    now_micros: now,
                    tats: tats.to_vec(),
                    admitted: *admitted == 1,
                });
                rest = after;
            }
            _ => return Err(out_of_shape(reply, batch)),
        }
    }
    if rest.is_empty() {
        Ok(spent)
    } else {
        Err(out_of_shape(reply, batch))
    }
}
