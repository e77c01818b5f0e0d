//! The options themselves: each numeric option's range and default, and the parse of the
//! list and name options (algorithms, audiences, access).

use super::arg::{invalid, Arg};
use super::number::{NumberOption, Unit};
use crate::catalog::Access;
use crate::error::Result;
use crate::token::{Algorithm, DEFAULT_MAX_TOKEN_SIZE};

/// A year: no cache lifetime, cooldown or token lifetime needs more, and it keeps every value
/// far from `Duration`'s and the clock's limits.
const YEAR: f64 = 365.0 * 86_400.0;

/// How long a complete key set is used before a background refresh (the original's 24 h).
pub const TTL_SECONDS: NumberOption = NumberOption {
    name: "ttl_seconds",
    unit: Unit::Seconds,
    min: 1.0,
    max: YEAR,
    default: 86_400.0,
    whole: false,
};

/// How soon to retry after a refresh in which a source failed.
pub const RETRY_AFTER_FAILURE_SECONDS: NumberOption = NumberOption {
    name: "retry_after_failure_seconds",
    unit: Unit::Seconds,
    min: 0.01,
    max: 86_400.0,
    default: 30.0,
    whole: false,
};

/// At most one unknown-`kid` refresh per this window. Never 0: that would let a stream of
/// forged `kid`s refresh the keys on every request.
pub const UNKNOWN_KID_COOLDOWN_SECONDS: NumberOption = NumberOption {
    name: "unknown_kid_cooldown_seconds",
    unit: Unit::Seconds,
    min: 0.01,
    max: 86_400.0,
    default: 30.0,
    whole: false,
};

/// Verified tokens kept; 0 disables the cache.
pub const TOKEN_CACHE_SIZE: NumberOption = NumberOption {
    name: "token_cache_size",
    unit: Unit::Entries,
    min: 0.0,
    max: 10_000_000.0,
    default: 10_000.0,
    whole: true,
};

/// Clock skew allowed on `exp`, `nbf` and `iat`.
pub const LEEWAY: NumberOption = NumberOption {
    name: "leeway",
    unit: Unit::Seconds,
    min: 0.0,
    max: 86_400.0,
    default: 0.0,
    whole: true,
};

/// Tokens longer than this are refused before decoding.
pub const MAX_TOKEN_SIZE: NumberOption = NumberOption {
    name: "max_token_size",
    unit: Unit::Bytes,
    min: 1.0,
    max: 1_048_576.0,
    default: DEFAULT_MAX_TOKEN_SIZE as f64,
    whole: true,
};

/// Whole-request timeout of a discovery or JWKS fetch.
pub const TIMEOUT_SECONDS: NumberOption = NumberOption {
    name: "timeout_seconds",
    unit: Unit::Seconds,
    min: 0.01,
    max: 300.0,
    default: 10.0,
    whole: false,
};

/// Lifetime of an issued instance or user token (Rails: one hour).
pub const ISSUE_TTL_SECONDS: NumberOption = NumberOption {
    name: "ttl",
    unit: Unit::Seconds,
    min: 1.0,
    max: YEAR,
    default: 3_600.0,
    whole: true,
};

/// The time a verification is judged at, Unix seconds (the current time when unset): up to
/// the end of year 9999, as JWT libraries and date types go.
pub const NOW: NumberOption = NumberOption {
    name: "now",
    unit: Unit::Seconds,
    min: 0.0,
    max: 253_402_300_799.0,
    default: 0.0,
    whole: true,
};

/// The name messages use for the algorithm allow-list.
pub const ALGORITHMS: &str = "algorithms";
/// The name messages use for the accepted audiences.
pub const AUDIENCES: &str = "audiences";
/// The name messages use for the free/paid filter.
pub const ACCESS: &str = "access";

/// The algorithm allow-list: a non-empty list of exact JWS names this library implements.
pub fn parse_algorithms(arg: &Arg) -> Result<Vec<Algorithm>> {
    let known = || {
        Algorithm::ALL
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Arg::List(items) = arg else {
        return Err(invalid(format!(
            "{ALGORITHMS} must be a list of algorithm names; got {arg}"
        )));
    };
    if items.is_empty() {
        return Err(invalid(format!(
            "{ALGORITHMS} must name at least one of {}",
            known()
        )));
    }
    items
        .iter()
        .map(|item| {
            let name = item.text(ALGORITHMS)?;
            Algorithm::from_name(name).ok_or_else(|| {
                invalid(format!(
                    "{ALGORITHMS}: unsupported algorithm {item}; supported: {}",
                    known()
                ))
            })
        })
        .collect()
}

/// Accepted audiences: one non-empty string, or a non-empty list of them.
pub fn parse_audiences(arg: &Arg) -> Result<Vec<String>> {
    let one = |item: &Arg| -> Result<String> {
        match item {
            Arg::Str(s) if !s.is_empty() => Ok(s.clone()),
            other => Err(invalid(format!(
                "{AUDIENCES} must be non-empty strings; got {other}"
            ))),
        }
    };
    match arg {
        Arg::List(items) if items.is_empty() => Err(invalid(format!(
            "{AUDIENCES} must name at least one audience"
        ))),
        Arg::List(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

/// The free/paid filter of catalog listings.
pub fn parse_access(arg: &Arg) -> Result<Access> {
    Access::from_name(arg.text(ACCESS)?)
        .ok_or_else(|| invalid(format!("{ACCESS} must be \"free\" or \"paid\"; got {arg}")))
}
