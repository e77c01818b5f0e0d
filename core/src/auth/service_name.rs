//! The service name (python-api.md §6.1): `CLOUD_CONNECTOR_SERVICE_NAME`, read on every call,
//! wins over the process-wide value set with [`set_service_name`].

use std::sync::RwLock;

use crate::error::{Error, ErrorCode, Result};

/// The environment variable that names this service (the expected token audience).
pub const SERVICE_NAME_ENV: &str = "CLOUD_CONNECTOR_SERVICE_NAME";
/// The error message when no service name is known.
pub const NO_SERVICE_NAME_MESSAGE: &str = "Either CLOUD_CONNECTOR_SERVICE_NAME environment variable should be set or CloudConnectorConfig.set_service_name should be configured.";

static CONFIGURED: RwLock<Option<String>> = RwLock::new(None);

/// Sets the process-wide service name, used when the environment variable is unset.
pub fn set_service_name(name: impl Into<String>) {
    *CONFIGURED.write().unwrap_or_else(|p| p.into_inner()) = Some(name.into());
}

fn resolve(env: Option<String>, configured: Option<String>) -> Result<String> {
    env.filter(|s| !s.is_empty())
        .or(configured.filter(|s| !s.is_empty()))
        .ok_or_else(|| Error::new(ErrorCode::NoServiceName, NO_SERVICE_NAME_MESSAGE))
}

/// The current service name, or `no_service_name`.
pub fn service_name() -> Result<String> {
    let configured = CONFIGURED.read().unwrap_or_else(|p| p.into_inner()).clone();
    resolve(std::env::var(SERVICE_NAME_ENV).ok(), configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_then_configured_then_error() {
        let s = |e: Option<&str>, c: Option<&str>| resolve(e.map(Into::into), c.map(Into::into));
        assert_eq!(s(Some("env"), Some("set")).unwrap(), "env");
        assert_eq!(s(Some(""), Some("set")).unwrap(), "set");
        assert_eq!(s(None, Some("set")).unwrap(), "set");
        let err = s(None, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NoServiceName);
        assert_eq!(err.message(), NO_SERVICE_NAME_MESSAGE);
    }
}
