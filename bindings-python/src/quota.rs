//! The core's quota engine for the AI gateway's own middleware: a quota file checked against
//! a catalog, counters in this process's memory or in a Redis shared with other replicas and
//! the sidecar, and each judgement as a plain tuple.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use cloud_connector::quota::{
    redis_config, FailurePolicy, Identity, Judgement, MemoryStore, QuotaStore, Quotas, RedisStore,
};
use cloud_connector::{Catalog, Error};

use crate::catalog::{py_to_json, PyCatalog};
use crate::convert::py_args;
use crate::errors::{to_py_err, IntoPy};

#[pyclass(name = "Quotas", module = "gitlab_cloud_connector._native", frozen)]
#[derive(Debug)]
pub struct PyQuotas {
    quotas: Quotas,
    store: Box<dyn QuotaStore>,
    policy: FailurePolicy,
}

fn catalog_of(catalog: Option<&PyCatalog>) -> &Catalog {
    match catalog {
        Some(c) => &c.inner,
        None => Catalog::embedded(),
    }
}

/// `(allowed, retry_after seconds, [(header, value)], deciding limit or None, store error or
/// None)`: the store error is the `QuotaStoreError` the failure policy answered.
type Checked = (
    bool,
    f64,
    Vec<(&'static str, String)>,
    Option<String>,
    Option<Py<PyAny>>,
);

impl PyQuotas {
    /// The quotas with the store the `redis_*` options name (memory without `redis_url`).
    fn new(
        quotas: Result<Quotas, Error>,
        store: Option<&Bound<'_, PyDict>>,
    ) -> Result<PyQuotas, Error> {
        let quotas = quotas?;
        Ok(match redis_config(&py_args(store))? {
            None => PyQuotas {
                quotas,
                store: Box::new(MemoryStore::default()),
                policy: FailurePolicy::default(),
            },
            Some(config) => PyQuotas {
                quotas,
                store: Box::new(RedisStore::new(&config)?),
                policy: config.failure,
            },
        })
    }
}

#[pymethods]
impl PyQuotas {
    /// Reads and validates a quota file against `catalog` (the embedded one by default).
    #[staticmethod]
    #[pyo3(signature = (path, catalog=None, **store))]
    fn load(
        py: Python<'_>,
        path: std::path::PathBuf,
        catalog: Option<&PyCatalog>,
        store: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyQuotas> {
        PyQuotas::new(Quotas::load(&path, catalog_of(catalog)), store).py_err(py)
    }

    /// Validates quota file text; `file` names it in problems.
    #[staticmethod]
    #[pyo3(signature = (text, file="<string>", catalog=None, **store))]
    fn parse(
        py: Python<'_>,
        text: &str,
        file: &str,
        catalog: Option<&PyCatalog>,
        store: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyQuotas> {
        PyQuotas::new(Quotas::parse(text, file, catalog_of(catalog)), store).py_err(py)
    }

    /// Judges one request by the caller's instance id claim, global user id and realm claim.
    /// The GIL is released while a Redis store answers.
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
        let j = py
            .detach(|| {
                self.quotas
                    .judge(self.store.as_ref(), self.policy, &who, unit_primitive)
            })
            .py_err(py)?;
        let limit = j
            .decision()
            .and_then(|d| d.deciding())
            .map(|p| p.name.clone());
        let store_error = match &j {
            Judgement::StoreFailed { error, .. } => {
                Some(to_py_err(py, error).into_value(py).into_any())
            }
            Judgement::Decided(_) => None,
        };
        Ok((
            j.allowed(),
            j.retry_after().as_secs_f64(),
            j.headers(),
            limit,
            store_error,
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
