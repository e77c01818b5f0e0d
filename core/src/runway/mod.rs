//! The Cloud Connector plug-in for Runway: a service manifest (`kind: RunwayService`) carries
//! its Cloud Connector configuration in `spec.cloud_connector` (`docs/runway.md`). This module
//! reads and checks the manifest ([`Manifest::load`]), checks the block against a catalog
//! ([`check`]) and renders what Runway would apply ([`render`]); `serve --runway` configures
//! the sidecar from the same [`Manifest`].

mod block;
mod check;
mod diff;
mod manifest;
mod reader;
mod render;

pub use block::{
    Backend, CloudConnector, Issuer, KeyFetch, PathRule, Quotas, Sidecar, DEFAULT_SIDECAR_IMAGE,
    DEFAULT_SIDECAR_PORT, KEY_FETCH_OPTIONS,
};
pub use check::check;
pub use manifest::{Capacity, Manifest, Probe, API_VERSIONS, DEFAULT_CONTAINER_PORT};
pub use render::{render, Rendered, MANIFEST_MOUNT, SIDECAR_PREFIX};

#[cfg(test)]
mod tests;
