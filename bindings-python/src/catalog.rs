//! `_native.Catalog`: a handle on a core catalog (cheap to clone, shared), with the core's
//! lookups, associations, entitlements, legacy generator and validation.

use chrono::{DateTime, Utc};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

use cloud_connector::catalog::{EntitlementRequest, Overrides, RecordKind, UnitPrimitiveFilter};
use cloud_connector::options::{self, Arg};
use cloud_connector::{Catalog, Error, ErrorCode};

use crate::convert::{json_to_py, ordered_to_py};
use crate::errors::{problems_to_py, to_py_err, IntoPy};

#[derive(Debug)]
#[pyclass(name = "Catalog", module = "gitlab_cloud_connector._native", frozen)]
pub struct PyCatalog {
    pub(crate) inner: Catalog,
}

fn kind(name: &str) -> PyResult<RecordKind> {
    RecordKind::from_dir(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown record kind '{name}'; expected unit_primitives, backend_services, add_ons, license_types or services"
        ))
    })
}

/// Python override configuration (a dict, or None) as the core's JSON shape.
fn overrides(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Overrides> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Overrides::new());
    };
    let json = py_to_json(value)?;
    Overrides::from_json(&json).py_err(py)
}

/// Plain Python data (dict, list, str, int, float, bool, None) as JSON.
pub fn py_to_json(v: &Bound<'_, PyAny>) -> PyResult<Value> {
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.extract::<bool>() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = v.extract::<i64>() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = v.extract::<f64>() {
        return Ok(serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    if let Ok(s) = v.extract::<String>() {
        return Ok(Value::String(s));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, item) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| PyValueError::new_err("mapping keys must be strings"))?;
            map.insert(key, py_to_json(&item)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(items) = v.try_iter() {
        return items
            .map(|i| py_to_json(&i?))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(PyValueError::new_err(format!(
        "cannot use a {} here",
        v.get_type().name()?
    )))
}

fn parse_at(at: Option<&str>) -> Result<Option<DateTime<Utc>>, Error> {
    at.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    format!("'{s}' is not an RFC 3339 time: {e}"),
                )
            })
    })
    .transpose()
}

fn names<T: cloud_connector::catalog::Record>(records: Vec<&T>) -> Vec<String> {
    records.into_iter().map(|r| r.name().to_owned()).collect()
}

#[pymethods]
impl PyCatalog {
    /// The embedded catalog (shared, parsed once), or the embedded catalog with overrides.
    #[staticmethod]
    #[pyo3(signature = (overrides=None))]
    fn embedded(py: Python<'_>, overrides: Option<&Bound<'_, PyAny>>) -> PyResult<PyCatalog> {
        let o = self::overrides(py, overrides)?;
        Ok(PyCatalog {
            inner: Catalog::embedded_with_overrides(&o).py_err(py)?,
        })
    }

    #[staticmethod]
    #[pyo3(signature = (path, overrides=None))]
    fn load_dir(
        py: Python<'_>,
        path: std::path::PathBuf,
        overrides: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCatalog> {
        let o = self::overrides(py, overrides)?;
        Ok(PyCatalog {
            inner: Catalog::load_dir_with_overrides(path, &o).py_err(py)?,
        })
    }

    /// Every problem of a catalog directory (empty when valid), as dicts.
    #[staticmethod]
    fn validate_dir<'py>(
        py: Python<'py>,
        path: std::path::PathBuf,
    ) -> PyResult<Bound<'py, PyList>> {
        let problems = Catalog::validate_dir(path).py_err(py)?;
        problems_to_py(py, &problems)
    }

    /// "embedded", or the directory it was loaded from.
    #[getter]
    fn source(&self) -> String {
        match self.inner.source() {
            cloud_connector::catalog::CatalogSource::Embedded => "embedded".into(),
            cloud_connector::catalog::CatalogSource::Directory(p) => p.display().to_string(),
            cloud_connector::catalog::CatalogSource::Records => "records".into(),
        }
    }

    /// The gem's `load_all` shape: kind => list of record dicts.
    fn load_all<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.load_all())
    }

    fn unit_primitive_enum_values(&self) -> Vec<String> {
        self.inner
            .unit_primitive_enum_values()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn feature_category_enum_values(&self) -> Vec<String> {
        self.inner
            .feature_category_enum_values()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The canonical name of a record found by name (or, for unit primitives, alias).
    fn find(&self, kind: &str, name: &str) -> PyResult<Option<String>> {
        let c = &self.inner;
        Ok(match self::kind(kind)? {
            RecordKind::UnitPrimitive => c.unit_primitive(name).map(|r| r.name.clone()),
            RecordKind::BackendService => c.backend_service(name).map(|r| r.name.clone()),
            RecordKind::AddOn => c.add_on(name).map(|r| r.name.clone()),
            RecordKind::LicenseType => c.license_type(name).map(|r| r.name.clone()),
            RecordKind::Service => c.service(name).map(|r| r.name.clone()),
        })
    }

    /// Associated record names in the target's load order (the gem's association rules).
    fn associations(&self, kind: &str, name: &str, association: &str) -> PyResult<Vec<String>> {
        let c = &self.inner;
        let missing = || PyValueError::new_err(format!("no {kind} named '{name}'"));
        match (self::kind(kind)?, association) {
            (RecordKind::UnitPrimitive, assoc) => {
                let up = c.unit_primitive(name).ok_or_else(missing)?;
                match assoc {
                    "backend_services" => Ok(names(c.backend_services_of(up))),
                    "add_ons" => Ok(names(c.add_ons_of(up))),
                    "license_types" => Ok(names(c.license_types_of(up))),
                    other => Err(PyValueError::new_err(format!(
                        "unit primitives have no association '{other}'"
                    ))),
                }
            }
            (RecordKind::Service, "unit_primitives") => {
                let s = c.service(name).ok_or_else(missing)?;
                Ok(names(c.unit_primitives_of(s)))
            }
            (_, other) => Err(PyValueError::new_err(format!(
                "{kind} have no association '{other}'"
            ))),
        }
    }

    /// Scopes and audiences for active add-ons (`at`: RFC 3339 text, default now).
    #[pyo3(signature = (add_ons, at=None, license_type=None, gitlab_version=None))]
    fn entitlements<'py>(
        &self,
        py: Python<'py>,
        add_ons: Vec<String>,
        at: Option<&str>,
        license_type: Option<String>,
        gitlab_version: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let at = parse_at(at).py_err(py)?;
        let request = EntitlementRequest {
            add_ons,
            at,
            license_type,
            gitlab_version,
        };
        let grant = self.inner.entitlements(&request).py_err(py)?;
        json_to_py(py, &serde_json::to_value(grant).unwrap_or_default())
    }

    /// The legacy available-services structure for a realm (`gitlab-com` / `self-managed`),
    /// keys in the gem's order.
    fn available_services<'py>(&self, py: Python<'py>, realm: &str) -> PyResult<Bound<'py, PyAny>> {
        let out = self
            .inner
            .available_services_for(realm)
            .map_err(|e| to_py_err(py, &e))?;
        ordered_to_py(py, &out.to_ordered_json())
    }

    /// Names of the unit primitives matching every given filter, in load order.
    #[pyo3(signature = (*, group=None, feature_category=None, add_on=None, backend_service=None,
                        license_type=None, access=None, text=None, at=None))]
    #[allow(clippy::too_many_arguments)]
    fn filter_unit_primitives(
        &self,
        py: Python<'_>,
        group: Option<String>,
        feature_category: Option<String>,
        add_on: Option<String>,
        backend_service: Option<String>,
        license_type: Option<String>,
        access: Option<&str>,
        text: Option<String>,
        at: Option<&str>,
    ) -> PyResult<Vec<String>> {
        let access = access
            .map(|n| options::parse_access(&Arg::Str(n.to_owned())))
            .transpose()
            .py_err(py)?;
        let filter = UnitPrimitiveFilter {
            group,
            feature_category,
            add_on,
            backend_service,
            license_type,
            access,
            text,
            at: parse_at(at).py_err(py)?,
        };
        Ok(names(self.inner.filter_unit_primitives(&filter)))
    }

    fn __repr__(&self) -> String {
        format!(
            "<Catalog {} unit primitives from {}>",
            self.inner.unit_primitives().len(),
            self.source()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCatalog>()
}
