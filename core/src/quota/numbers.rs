//! The numbers of a quota file, checked by the core's option rules (finite, whole, in range),
//! so a quota file's message reads like any option's.

use crate::options::{NumberOption, Unit};

/// Requests a limit allows per period. At most a million, so with a period of at least a
/// second the emission interval stays at least a microsecond (the clock's resolution).
pub const REQUESTS: NumberOption = NumberOption {
    name: "requests",
    unit: Unit::Requests,
    min: 1.0,
    max: 1_000_000.0,
    default: 1.0,
    whole: true,
};

/// Requests allowed at once (the bucket's depth); defaults to `requests`.
pub const BURST: NumberOption = NumberOption {
    name: "burst",
    unit: Unit::Requests,
    min: 1.0,
    max: 1_000_000.0,
    default: 1.0,
    whole: true,
};

/// The period `requests` are counted over: a second to a year.
pub const PERIOD_SECONDS: NumberOption = NumberOption {
    name: "period",
    unit: Unit::Seconds,
    min: 1.0,
    max: 365.0 * 86_400.0,
    default: 60.0,
    whole: true,
};

/// How long a decision waits for the shared store (connect or answer) before the failure
/// policy answers: a quota check must not hold a request up for long.
pub const STORE_TIMEOUT_SECONDS: NumberOption = NumberOption {
    name: "redis_timeout",
    unit: Unit::Seconds,
    min: 0.001,
    max: 10.0,
    default: 0.1,
    whole: false,
};

/// Connections to the shared store. In `serve` each carries one script call at a time holding
/// every decision queued meanwhile, so fewer connections make larger batches (measured: 1, 2
/// and 4 connections gave 11, 6.6 and 3.8 decisions per call and 60, 59 and 56 % of `/auth`'s
/// throughput); two keep a second call going while one waits.
pub const STORE_CONNECTIONS: NumberOption = NumberOption {
    name: "redis_connections",
    unit: Unit::Entries,
    min: 1.0,
    max: 64.0,
    default: 2.0,
    whole: true,
};
