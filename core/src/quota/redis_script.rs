//! The GCRA rule as one Redis script, so replicas sharing a Redis decide atomically in one
//! round trip. The core owns the script, its arguments and the reading of its answer; the
//! caller owns the connection.

use super::gcra::{Check, Spent};
use crate::error::{Error, ErrorCode, Result};

/// The Lua script (run it with `EVALSHA`/`EVAL`, the checks' keys as `KEYS`).
pub const REDIS_GCRA_SCRIPT: &str = include_str!("gcra.lua");

/// The script's `KEYS` and `ARGV` for `checks`.
pub fn redis_args(checks: &[Check]) -> (Vec<&str>, Vec<i64>) {
    let keys = checks.iter().map(|c| c.key.as_str()).collect();
    let argv = checks
        .iter()
        .flat_map(|c| [c.rate.emission_micros(), c.rate.tolerance_micros()])
        .collect();
    (keys, argv)
}

/// The script's answer to `checks` as a [`Spent`]; `quota_store_failed` when it is not of the
/// script's shape (another script under the same SHA, a proxy in the way).
pub fn redis_spent(reply: &[i64], checks: &[Check]) -> Result<Spent> {
    match reply {
        [admitted @ (0 | 1), now, tats @ ..] if tats.len() == checks.len() => Ok(Spent {
            now_micros: *now,
            tats: tats.to_vec(),
            admitted: *admitted == 1,
        }),
        _ => Err(Error::new(
            ErrorCode::QuotaStoreFailed,
            format!(
                "the quota script answered {} values for {} counters",
                reply.len(),
                checks.len()
            ),
        )),
    }
}
