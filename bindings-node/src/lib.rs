//! `@gitlab/cloud-connector`: the Node.js addon over the cloud-connector core. Every rule lives
//! in the core; this crate converts types (camelCase objects, `Date`s, Promises) and maps the
//! core's errors to JS `Error`s with a `code`. No `unsafe` is written here: the only unsafe code
//! is what `#[napi]` expands to (see `Cargo.toml` and docs/decisions.md#node-unsafe).

/// mimalloc for the addon's own allocations (V8 and Node keep theirs): a verification decodes a
/// token into a few dozen small objects, and glibc's malloc and free were a measurable share
/// of it (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod auth;
pub mod catalog;
pub mod claims;
pub mod convert;
pub mod errors;
pub mod tasks;
pub mod tokens;

/// Every stable error code the core can give (`err.code`), for callers that switch on them.
#[napi_derive::napi]
pub fn error_codes() -> Vec<&'static str> {
    cloud_connector::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect()
}
