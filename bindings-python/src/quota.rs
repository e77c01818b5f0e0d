//! The core's quota engine for the AI gateway's own middleware: a quota file checked against
//! a catalog, and decisions from the in-memory store (one process), as plain tuples.

use pyo3::prelude::*;

use cloud_connector::quota::{Identity, MemoryStore, Quotas};
use cloud_connector::Catalog;

use crate::catalog::{py_to_json, PyCatalog};
use crate::errors::IntoPy;

#[pyclass(name = "Quotas", module = "gitlab_cloud_connector._native", frozen)]
#[derive(Debug)]
pub struct PyQuotas {
    quotas: Quotas,
    store: MemoryStore,
}

fn catalog_of(catalog: Option<&PyCatalog>) -> &Catalog {
    match catalog {
        Some(c) => &c.inner,
        None => Catalog::embedded(),
    }
}

/// `(allowed, retry_after seconds, [(header, value)], deciding limit or None)`.
type Checked = (bool, f64, Vec<(&'static str, String)>, Option<String>);

#[pymethods]
impl PyQuotas {
    /// Reads and validates a quota file against `catalog` (the embedded one by default).
    #[staticmethod]
    #[pyo3(signature = (path, catalog=None))]
    fn load(
        py: Python<'_>,
        path: std::path::PathBuf,
        catalog: Option<&PyCatalog>,
    ) -> PyResult<PyQuotas> {
        Ok(PyQuotas {
            quotas: Quotas::load(&path, catalog_of(catalog)).py_err(py)?,
            store: MemoryStore::default(),
        })
    }

    /// Validates quota file text; `file` names it in problems.
    #[staticmethod]
    #[pyo3(signature = (text, file="<string>", catalog=None))]
    fn parse(
        py: Python<'_>,
        text: &str,
        file: &str,
        catalog: Option<&PyCatalog>,
    ) -> PyResult<PyQuotas> {
        Ok(PyQuotas {
            quotas: Quotas::parse(text, file, catalog_of(catalog)).py_err(py)?,
            store: MemoryStore::default(),
        })
    }

    /// Judges one request by the caller's instance id claim, global user id and realm claim.
    fn check(
        &self,
        py: Python<'_>,
        gitlab_instance_id: &Bound<'_, PyAny>,
        global_user_id: Option<&str>,
        gitlab_realm: &str,
        unit_primitive: &str,
    ) -> PyResult<Checked> {
        let who = Identity::from_parts(
            &py_to_json(gitlab_instance_id)?,
            global_user_id,
            gitlab_realm,
        );
        let d = self
            .quotas
            .decide(&self.store, &who, unit_primitive)
            .py_err(py)?;
        Ok((
            d.allowed,
            d.retry_after().as_secs_f64(),
            d.headers(),
            d.deciding().map(|p| p.name.clone()),
        ))
    }

    /// The limits' names, in file order.
    fn limit_names(&self) -> Vec<String> {
        self.quotas
            .limits()
            .iter()
            .map(|l| l.name.clone())
            .collect()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyQuotas>()
}
