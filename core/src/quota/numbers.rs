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
