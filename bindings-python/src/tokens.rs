//! Issuance for Python: the AI gateway's `TokenAuthority`, key rings, and GitLab.com's
//! instance tokens with entitlements. Signing runs with the GIL released.

use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

use cloud_connector::token::{
    parse_jwk, verify, KeyRing, KeySet, OrderedClaims, SignatureFloor, SigningFloor, SigningKey,
    TokenAuthority, TokenIssuer, UserTokenClaims,
};
use cloud_connector::{options, Catalog, Error, ErrorCode};

use crate::catalog::py_to_json;
use crate::convert::{json_ref_to_py, json_to_py, py_arg, py_args};
use crate::errors::IntoPy;

fn extra_map(extra: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Map<String, Value>>> {
    match extra.filter(|e| !e.is_none()) {
        None => Ok(None),
        Some(e) => match py_to_json(e) {
            Ok(Value::Object(m)) => Ok(Some(m)),
            Ok(_) => Err(PyTypeError::new_err("extra_claims must be a dict")),
            // As json.dumps would: a value that cannot be serialised is a TypeError.
            Err(err) => Err(PyTypeError::new_err(format!(
                "extra_claims is not JSON serializable: {err}"
            ))),
        },
    }
}

/// [`extra_map`] in the dict's own order (the order `json.dumps` would write), for the claims
/// the core keeps ordered.
fn extra_ordered(extra: Option<&Bound<'_, PyAny>>) -> PyResult<OrderedClaims> {
    let Some(mut map) = extra_map(extra)? else {
        return Ok(OrderedClaims::new());
    };
    let mut out = OrderedClaims::new();
    if let Some(dict) = extra.and_then(|e| e.cast::<PyDict>().ok()) {
        for key in dict.keys() {
            if let Ok(name) = key.extract::<String>() {
                if let Some(value) = map.remove(&name) {
                    out.set(name, value);
                }
            }
        }
    }
    // Keys json.dumps would have converted (numbers, say) keep the conversion's order, after.
    for (name, value) in map {
        out.set(name, value);
    }
    Ok(out)
}

/// `TokenAuthority(signing_key)`: never fails to construct; `encode` reports a bad key.
#[pyclass(
    name = "TokenAuthority",
    module = "gitlab_cloud_connector._native",
    frozen
)]
#[derive(Debug)]
pub struct PyTokenAuthority {
    inner: TokenAuthority,
}

#[pymethods]
impl PyTokenAuthority {
    #[new]
    fn new(signing_key: &str) -> PyTokenAuthority {
        PyTokenAuthority {
            inner: TokenAuthority::new(signing_key),
        }
    }

    /// Returns `(token, exp)`.
    #[pyo3(signature = (service_name, sub, gitlab_realm, gitlab_instance_id, scopes, duo_seat_count=None, extra_claims=None))]
    #[allow(clippy::too_many_arguments)]
    fn encode(
        &self,
        py: Python<'_>,
        service_name: String,
        sub: String,
        gitlab_realm: String,
        gitlab_instance_id: &Bound<'_, PyAny>,
        scopes: Vec<String>,
        duo_seat_count: Option<String>,
        extra_claims: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(String, i64)> {
        let instance_id = py_to_json(gitlab_instance_id).map_err(|e| {
            PyTypeError::new_err(format!("gitlab_instance_id is not JSON serializable: {e}"))
        })?;
        let extra = extra_map(extra_claims)?;
        let authority = self.inner.clone();
        py.detach(move || {
            let claims = UserTokenClaims {
                sub: &sub,
                gitlab_realm: &gitlab_realm,
                gitlab_instance_id: instance_id,
                scopes: &scopes,
                duo_seat_count: duo_seat_count.as_deref(),
                extra_claims: extra.as_ref(),
            };
            authority.encode(&service_name, &claims)
        })
        .py_err(py)
    }
}

/// A key ring (current and next key; Rails' rotate/trim rules), optionally kept in a directory.
#[pyclass(name = "KeyRing", module = "gitlab_cloud_connector._native")]
#[derive(Debug)]
pub struct PyKeyRing {
    inner: Mutex<KeyRing>,
}

impl PyKeyRing {
    fn with<T>(&self, f: impl FnOnce(&mut KeyRing) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[pymethods]
impl PyKeyRing {
    #[new]
    #[pyo3(signature = (pems=None))]
    fn new(py: Python<'_>, pems: Option<Vec<String>>) -> PyResult<PyKeyRing> {
        let keys = pems
            .unwrap_or_default()
            .iter()
            .map(|p| SigningKey::from_pem(p))
            .collect::<Result<Vec<_>, Error>>()
            .py_err(py)?;
        Ok(PyKeyRing {
            inner: Mutex::new(KeyRing::new(keys)),
        })
    }

    #[staticmethod]
    fn load_dir(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyKeyRing> {
        Ok(PyKeyRing {
            inner: Mutex::new(KeyRing::load_dir(&path).py_err(py)?),
        })
    }

    fn save_dir(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        self.with(|r| r.save_dir(&path)).py_err(py)
    }

    /// Adds a fresh RSA-2048 key; returns its kid.
    fn create_new_key(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.with(|r| r.create_new_key().map(|k| k.thumbprint().to_owned())))
            .py_err(py)
    }

    fn rotate(&self, py: Python<'_>) -> PyResult<()> {
        self.with(KeyRing::rotate).py_err(py)
    }

    fn trim(&self, py: Python<'_>) -> PyResult<()> {
        self.with(KeyRing::trim).py_err(py)
    }

    /// The kids, oldest (current) first.
    #[getter]
    fn kids(&self) -> Vec<String> {
        self.with(|r| r.keys().iter().map(|k| k.thumbprint().to_owned()).collect())
    }

    /// The public JWKS to publish.
    fn jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let doc = self.with(|r| r.jwks());
        json_to_py(py, &doc)
    }

    /// GitLab.com's self-signed instance token: scopes and audiences from the catalog's
    /// entitlements for `active_add_ons`, signed with the current key. Returns `(token, claims)`.
    #[pyo3(signature = (*, issuer, subject, realm, active_add_ons, ttl=None, extra_claims=None,
                        license_type=None, gitlab_version=None))]
    #[allow(clippy::too_many_arguments)]
    fn issue_instance_token<'py>(
        &self,
        py: Python<'py>,
        issuer: String,
        subject: String,
        realm: String,
        active_add_ons: Vec<String>,
        ttl: Option<&Bound<'_, PyAny>>,
        extra_claims: Option<&Bound<'_, PyAny>>,
        license_type: Option<String>,
        gitlab_version: Option<String>,
    ) -> PyResult<(String, Bound<'py, PyAny>)> {
        let ttl = options::ISSUE_TTL_SECONDS
            .whole_seconds(ttl.map(py_arg).as_ref())
            .py_err(py)?;
        let request = TokenIssuer {
            issuer,
            subject,
            realm,
            active_add_ons,
            ttl,
            extra_claims: extra_ordered(extra_claims)?,
            license_type,
            gitlab_version,
        };
        let key = self.with(|r| r.signing_key().cloned()).py_err(py)?;
        let issued = py
            .detach(|| request.issue(Catalog::embedded(), &key))
            .py_err(py)?;
        let claims = Value::Object(
            issued
                .claims
                .payload()
                .iter()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect(),
        );
        Ok((issued.token, json_to_py(py, &claims)?))
    }
}

/// A parsed key set (keys parsed once) and the core's verifier over it.
#[pyclass(name = "KeySet", module = "gitlab_cloud_connector._native", frozen)]
#[derive(Debug)]
pub struct PyKeySet {
    inner: KeySet,
    skipped: Vec<String>,
}

#[pymethods]
impl PyKeySet {
    /// From a JWKS document (dict or JSON text). Keys that cannot be used are skipped and
    /// listed in `skipped`; a document that is not a JWKS raises `JwksInvalidError`.
    #[staticmethod]
    fn from_jwks(py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<PyKeySet> {
        let doc = match jwks.extract::<String>() {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| Error::new(ErrorCode::JwksInvalid, format!("JWKS is not JSON: {e}")))
                .py_err(py)?,
            Err(_) => py_to_json(jwks)?,
        };
        let (inner, skipped) = KeySet::from_jwks(&doc).py_err(py)?;
        Ok(PyKeySet {
            inner,
            skipped: skipped
                .iter()
                .map(|e| format!("{} ({})", e.message(), e.code()))
                .collect(),
        })
    }

    #[getter]
    fn kids(&self) -> Vec<Option<String>> {
        self.inner.kids()
    }

    #[getter]
    fn skipped(&self) -> Vec<String> {
        self.skipped.clone()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Verifies a compact JWS and its claims; returns the claims or raises the typed error.
    /// Options as the core names them (`options::VALIDATION_OPTIONS`).
    #[pyo3(signature = (token, audiences, **options))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: String,
        audiences: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut args = py_args(options);
        args.set("audiences", py_arg(audiences));
        let (v, now) = options::validation(&args).py_err(py)?;
        let verified = py
            .detach(|| verify(&token, &self.inner, &v, now))
            .py_err(py)?;
        json_ref_to_py(py, verified.claims.root())
    }
}

/// The raw signature check under `KeySet.verify`, prepared once (the core's `SignatureFloor`):
/// for benchmarks that time the floor in the same process as `verify`.
#[pyclass(
    name = "SignatureFloor",
    module = "gitlab_cloud_connector._native",
    frozen
)]
#[derive(Debug)]
pub struct PySignatureFloor {
    inner: SignatureFloor,
}

#[pymethods]
impl PySignatureFloor {
    #[new]
    fn new(py: Python<'_>, token: &str, keys: &PyKeySet) -> PyResult<PySignatureFloor> {
        let inner = SignatureFloor::new(token, &keys.inner).py_err(py)?;
        Ok(PySignatureFloor { inner })
    }

    fn check(&self) -> bool {
        self.inner.check()
    }
}

/// The raw signature under `TokenAuthority.encode`, prepared once (the core's `SigningFloor`): for
/// benchmarks that time the floor in the same process as issuance.
#[pyclass(
    name = "SigningFloor",
    module = "gitlab_cloud_connector._native",
    frozen
)]
#[derive(Debug)]
pub struct PySigningFloor {
    inner: SigningFloor,
}

#[pymethods]
impl PySigningFloor {
    #[new]
    fn new(py: Python<'_>, pem: &str, token: &str) -> PyResult<PySigningFloor> {
        let inner = SigningFloor::new(pem, token).py_err(py)?;
        Ok(PySigningFloor { inner })
    }

    fn sign(&self) -> bool {
        self.inner.sign()
    }
}

/// The RFC 7638 thumbprint of a JWK (raises `KeyInvalidError` for a key we refuse).
#[pyfunction]
fn jwk_thumbprint(py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<String> {
    let value = py_to_json(jwk)?;
    parse_jwk(&value).map(|k| k.thumbprint()).py_err(py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyKeySet>()?;
    m.add_class::<PySignatureFloor>()?;
    m.add_class::<PySigningFloor>()?;
    m.add_function(wrap_pyfunction!(jwk_thumbprint, m)?)?;
    m.add_class::<PyTokenAuthority>()?;
    m.add_class::<PyKeyRing>()?;
    Ok(())
}
