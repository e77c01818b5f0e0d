//! GitLab Cloud Connector's catalog and token core.
//!
//! - [`catalog`]: the unit primitive catalog (embedded at build time, or loaded from a directory),
//!   associations, the legacy available-services generator and entitlements.
//! - [`token`]: compact JWS verification, keys and key sets, issuance and key rings.
//! - [`auth`]: request authentication: headers, key providers, the composite cache, users.
//! - [`error`]: the one error type, with a stable code per failure.
//! - [`options`]: every option the bindings and the command line take: range, default, parse.
//! - [`runway`]: Runway service manifests with a Cloud Connector block: check and render.
//! - [`quota`]: quotas per instance, user or realm: the quota file, GCRA, stores and headers.

#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod auth;
pub mod catalog;
pub mod error;
pub mod options;
pub mod ordered_json;
pub mod quota;
pub mod runway;
pub mod token;
mod yaml_value;

pub use catalog::Catalog;
pub use error::{Cause, Error, ErrorCode, Problem, ProblemKind, Result};

// The repository README's Rust blocks run as doctests (`cargo test -p cloud-connector --doc`), so
// its examples cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme_examples {}
