//! Where keys come from. A [`KeySource`] builds or fetches a key set; the
//! [`CompositeProvider`](super::CompositeProvider) decides when, caches, and merges.

use std::fmt;

use crate::error::Result;
use crate::token::KeySet;

/// A source of verification keys for a [`CompositeProvider`](super::CompositeProvider).
pub trait KeySource: Send + Sync + fmt::Debug {
    /// For logs (`oidc_provider` field) and readiness: `LocalAuthProvider`, `Gitlab`, ...
    fn name(&self) -> &str;
    /// Builds or fetches the keys. May block on the network; never called on the hot path
    /// while a key set is held.
    fn load(&self) -> Result<KeySet>;
}
