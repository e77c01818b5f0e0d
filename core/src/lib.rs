//! GitLab Cloud Connector's catalog and token core.
//!
//! - [`catalog`]: the unit primitive catalog (embedded at build time, or loaded from a directory),
//!   associations, the legacy available-services generator and entitlements.
//! - [`error`]: the one error type, with a stable code per failure.

pub mod catalog;
pub mod error;

pub use catalog::Catalog;
pub use error::{Error, ErrorCode, Problem, ProblemKind, Result};
