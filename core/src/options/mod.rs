//! Every option the bindings and the command line take, defined once: its name, type, range
//! and default, and the parse from a caller's value to the core's type. A binding forwards only
//! the options its caller set, as named [`Arg`]s in its own spelling (`ttl_seconds`,
//! `ttlSeconds`); the core applies the defaults and answers a bad value with
//! `invalid_argument` and a message naming the option and its range, the same in every language.

mod arg;
mod composite;
mod number;
mod values;

pub(crate) use arg::{invalid, OptionNames};
pub use arg::{Arg, Args};
pub use composite::{
    composite_config, http_config, validation, COMPOSITE_OPTIONS, OIDC_OPTIONS, VALIDATION_OPTIONS,
};
pub use number::{NumberOption, Unit};
pub use values::{
    parse_access, parse_algorithms, parse_audiences, ACCESS, ALGORITHMS, AUDIENCES,
    ISSUE_TTL_SECONDS, JWT_TTL_SECONDS, LEEWAY, MAX_TOKEN_SIZE, NOW, RETRY_AFTER_FAILURE_SECONDS,
    TIMEOUT_SECONDS, TOKEN_CACHE_SIZE, TTL_SECONDS, UNKNOWN_KID_COOLDOWN_SECONDS,
};

#[cfg(test)]
mod tests;
