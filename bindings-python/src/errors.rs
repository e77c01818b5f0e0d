//! Core errors become instances of `gitlab_cloud_connector.errors` classes, chosen by code, so
//! Python code catches `CatalogInvalidError` (or the base `CloudConnectorError`) and reads
//! `.code`, `.problems`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use cloud_connector::{Error, Problem};

pub fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    match build(py, e) {
        Ok(err) => err,
        Err(import_failure) => import_failure,
    }
}

/// Catalog problems as a list of dicts (kind, file, record, field, message).
pub fn problems_to_py<'py>(py: Python<'py>, problems: &[Problem]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for p in problems {
        let d = PyDict::new(py);
        d.set_item("kind", p.kind.as_str())?;
        d.set_item("file", p.file.as_deref())?;
        d.set_item("record", p.record.as_deref())?;
        d.set_item("field", p.field.as_deref())?;
        d.set_item("message", &p.message)?;
        list.append(d)?;
    }
    Ok(list)
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let problems = problems_to_py(py, e.problems())?;
    let factory = py
        .import("gitlab_cloud_connector.errors")?
        .getattr("error_for_code")?;
    let exc = factory.call1((e.code().as_str(), e.message(), problems))?;
    // What a Python callback raised stays reachable, as `raise ... from exc` would leave it.
    if let Some(raised) = e.cause().and_then(|c| c.downcast_ref::<PyErr>()) {
        exc.setattr("__cause__", raised.value(py))?;
    }
    Ok(PyErr::from_value(exc))
}

/// `Result<T, Error>` -> `PyResult<T>`.
pub trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &e))
    }
}
