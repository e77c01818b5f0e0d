//! `current_service_name()`: `CLOUD_CONNECTOR_SERVICE_NAME` from `os.environ` at each call (tests
//! patch it), else `CloudConnectorConfig._service_name`, else `NoServiceNameError`. Read here
//! rather than in Python because a cache-hit authentication is a microsecond, and two Python
//! frames and `os.environ.get` (which encodes the key and decodes the value) were a fifth of it.

use std::sync::{Arc, Mutex};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyModule, PyString};

use cloud_connector::auth::{NO_SERVICE_NAME_MESSAGE, SERVICE_NAME_ENV};
use cloud_connector::{Error, ErrorCode};

use crate::errors::to_py_err;

static OS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
static ENV_KEY: PyOnceLock<Py<PyBytes>> = PyOnceLock::new();

/// The last raw value read from `os.environ`'s backing mapping and its text: the same bytes
/// object decodes to the same text, so an unchanged variable is not decoded again.
type Decoded = (Py<PyAny>, Py<PyString>, Arc<str>);
static LAST: Mutex<Option<Decoded>> = Mutex::new(None);

/// The `os.environ` object last seen and its backing mapping (`_data`, set once when an
/// `os._Environ` is made): a test that replaces `os.environ` is seen by its identity.
type Environ = (Py<PyAny>, Py<PyDict>);
static ENVIRON: Mutex<Option<Environ>> = Mutex::new(None);

/// The service name as Python text and as Rust text (the audience the core checks).
pub(crate) fn service_name<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyString>, Arc<str>)> {
    if let Some(found) = from_environ(py)? {
        return Ok(found);
    }
    let configured = config.getattr(intern!(py, "_service_name"))?;
    if configured.is_truthy()? {
        let text = configured.cast_into::<PyString>()?;
        let rust: Arc<str> = text.to_cow()?.into();
        return Ok((text, rust));
    }
    Err(to_py_err(
        py,
        &Error::new(ErrorCode::NoServiceName, NO_SERVICE_NAME_MESSAGE),
    ))
}

/// Locked only to copy a value in or out, never across Python code: another thread could take
/// the GIL and wait for it.
fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn from_environ<'py>(py: Python<'py>) -> PyResult<Option<(Bound<'py, PyString>, Arc<str>)>> {
    let os = OS.get_or_try_init(py, || py.import("os").map(Bound::unbind))?;
    let os = os.bind(py);
    let env = os.getattr(intern!(py, "environ"))?;
    let held = locked(&ENVIRON)
        .as_ref()
        .filter(|(seen, _)| seen.bind(py).is(&env))
        .map(|(_, data)| data.clone_ref(py));
    let data = match held {
        Some(data) => data.into_bound(py),
        // A replaced os.environ (a plain dict in a test) has no backing mapping: read it with
        // `.get`.
        None => {
            let Ok(data) = env.getattr(intern!(py, "_data")) else {
                return plain_get(py, &env);
            };
            let Ok(data) = data.cast_into::<PyDict>() else {
                return plain_get(py, &env);
            };
            *locked(&ENVIRON) = Some((env.unbind(), data.clone().unbind()));
            data
        }
    };
    let key = ENV_KEY.get_or_init(py, || {
        PyBytes::new(py, SERVICE_NAME_ENV.as_bytes()).unbind()
    });
    let Some(raw) = data.get_item(key.bind(py))? else {
        return Ok(None);
    };
    if !raw.is_truthy()? {
        return Ok(None);
    }
    if let Some((seen, text, rust)) = locked(&LAST).as_ref() {
        if seen.bind(py).is(&raw) {
            return Ok(Some((text.bind(py).clone(), rust.clone())));
        }
    }
    let text = os
        .getattr(intern!(py, "fsdecode"))?
        .call1((&raw,))?
        .cast_into::<PyString>()?;
    let rust: Arc<str> = text.to_string_lossy().into();
    *locked(&LAST) = Some((raw.unbind(), text.clone().unbind(), rust.clone()));
    Ok(Some((text, rust)))
}

fn plain_get<'py>(
    py: Python<'py>,
    env: &Bound<'py, PyAny>,
) -> PyResult<Option<(Bound<'py, PyString>, Arc<str>)>> {
    let value = env.call_method1(intern!(py, "get"), (SERVICE_NAME_ENV,))?;
    if !value.is_truthy()? {
        return Ok(None);
    }
    let text = value.cast_into::<PyString>()?;
    let rust: Arc<str> = text.to_cow()?.into();
    Ok(Some((text, rust)))
}

/// `current_service_name()` for `config` (the `CloudConnectorConfig` class).
#[pyfunction]
fn current_service_name<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyString>> {
    service_name(py, config).map(|(text, _)| text)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(current_service_name, m)?)
}
