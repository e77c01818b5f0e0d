//! Key sources, the composite provider, `authenticate` and the user rules, for Python. The GIL
//! is released around signature checks and network fetches, so other Python threads (and an
//! asyncio loop) keep running while keys are fetched.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple, PyType};
use pyo3::IntoPyObjectExt;
use serde_json::{Map, Value};

use cloud_connector::auth::{
    authenticate, AuthProvider, CloudConnectorUser, CompositeProvider, Fetch, FetchError,
    FetchResponse, KeySource, LocalAuthProvider, OidcProvider, StaticJwksProvider, UserClaims,
    UserClaimsRef,
};
use cloud_connector::token::KeySet;
use cloud_connector::{options, Catalog, Cause, Error, ErrorCode};

use crate::catalog::py_to_json;
use crate::convert::{json_ref_to_py, json_to_py, members_to_py, py_args};
use crate::errors::{to_py_err, IntoPy};
use crate::interned::str_list;
use crate::service_name::service_name;

/// A key source: one of the core's, or a Python object with `jwks() -> {"keys": [...]}`.
#[pyclass(name = "KeySource", module = "gitlab_cloud_connector._native", frozen)]
#[derive(Debug)]
pub struct PyKeySource {
    inner: Arc<dyn KeySource>,
}

/// A Python object used as a key source (a caller's own `JwksProvider` subclass).
struct PythonSource {
    name: String,
    obj: Py<PyAny>,
}

impl std::fmt::Debug for PythonSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PythonSource({})", self.name)
    }
}

impl KeySource for PythonSource {
    fn name(&self) -> &str {
        &self.name
    }
    fn load(&self) -> Result<KeySet, Error> {
        Python::attach(|py| {
            let doc = self
                .obj
                .call_method0(py, "jwks")
                .and_then(|d| py_to_json(d.bind(py)))
                .map_err(|e| {
                    Error::new(
                        ErrorCode::JwksFetchFailed,
                        format!("{}.jwks() failed: {e}", self.name),
                    )
                    .with_cause(Some(Cause::new(e)))
                })?;
            let (keys, _skipped) = KeySet::from_jwks(&doc)?;
            Ok(keys)
        })
    }
}

/// A Python callable `fetch(url, timeout_seconds, max_body) -> (status, body)` as the core's
/// fetch hook (the package passes one built on `requests`). The core may call it from a
/// background refresh thread, so it takes the GIL itself; what it raises becomes the core's
/// `jwks_fetch_failed`, carrying the exception object.
struct PythonFetch {
    func: Py<PyAny>,
}

impl std::fmt::Debug for PythonFetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PythonFetch")
    }
}

impl Fetch for PythonFetch {
    fn get(
        &self,
        url: &str,
        timeout: Duration,
        max_body: u64,
    ) -> Result<FetchResponse, FetchError> {
        Python::attach(|py| {
            let answered = self
                .func
                .call1(py, (url, timeout.as_secs_f64(), max_body))
                .and_then(|r| {
                    let (status, body): (u16, Bound<'_, PyBytes>) = r.extract(py)?;
                    Ok(FetchResponse {
                        status,
                        body: body.as_bytes().to_vec(),
                    })
                });
            answered.map_err(|e| FetchError {
                message: e.to_string(),
                cause: Some(Cause::new(e)),
            })
        })
    }
}

/// The Python exception a failure carries, if a Python callback raised it.
fn raised<'py>(py: Python<'py>, cause: Option<&Cause>) -> Option<Bound<'py, PyAny>> {
    cause
        .and_then(|c| c.downcast_ref::<PyErr>())
        .map(|e| e.value(py).clone().into_any())
}

#[pymethods]
impl PyKeySource {
    /// Local PEMs (private or public); an empty PEM is "not configured".
    #[staticmethod]
    #[pyo3(signature = (signing_key, validation_key, service_name=None))]
    fn local(signing_key: &str, validation_key: &str, service_name: Option<String>) -> PyKeySource {
        let mut p = LocalAuthProvider::new(signing_key, validation_key);
        if let Some(name) = service_name {
            p = p.with_service_name(name);
        }
        PyKeySource { inner: Arc::new(p) }
    }

    /// A fixed JWKS document (air-gapped sites): never touches the network.
    #[staticmethod]
    fn static_jwks(py: Python<'_>, name: &str, jwks_json: &str) -> PyResult<PyKeySource> {
        Ok(PyKeySource {
            inner: Arc::new(StaticJwksProvider::from_json(name, jwks_json).py_err(py)?),
        })
    }

    /// OIDC discovery at `base_url` (`/.well-known/openid-configuration` -> `jwks_uri`),
    /// fetched through `fetch` when given, else through the core's client; options
    /// (`timeout_seconds`, `ca_bundle`) as the core names them.
    #[staticmethod]
    #[pyo3(signature = (name, base_url, fetch=None, **options))]
    fn oidc(
        py: Python<'_>,
        name: &str,
        base_url: &str,
        fetch: Option<Py<PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyKeySource> {
        let config = options::http_config(&py_args(options)).py_err(py)?;
        let provider = OidcProvider::new(name, base_url, config);
        let provider = match fetch {
            Some(func) => provider.with_fetch(Arc::new(PythonFetch { func })),
            None => provider,
        };
        Ok(PyKeySource {
            inner: Arc::new(provider),
        })
    }

    /// Any object with `jwks()`.
    #[staticmethod]
    fn python(name: String, obj: Py<PyAny>) -> PyKeySource {
        PyKeySource {
            inner: Arc::new(PythonSource { name, obj }),
        }
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// Loads the keys now (may fetch) and returns them as a JWKS dict.
    fn load<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let source = Arc::clone(&self.inner);
        let keys = py.detach(move || source.load()).py_err(py)?;
        json_to_py(py, &keys.to_jwks())
    }
}

/// `([(source index, code, message, raised exception or None)], fallback message, [kids per
/// source])`.
type ReportTuple<'py> = (
    Vec<(usize, String, String, Option<Bound<'py, PyAny>>)>,
    Option<String>,
    Vec<Option<Vec<Option<String>>>>,
);

/// The composite provider: cache, single-flight refresh, unknown-kid cooldown, token cache.
#[pyclass(name = "Composite", module = "gitlab_cloud_connector._native", frozen)]
#[derive(Debug)]
pub struct PyComposite {
    inner: CompositeProvider,
    /// What [`PyComposite::authenticate_user`] builds with, given once by the package's
    /// `CompositeProvider` ([`PyComposite::bind_user`]).
    user: std::sync::OnceLock<UserTypes>,
    /// The refresh count last reported ([`PyComposite::refresh_to_report`]).
    reported: std::sync::atomic::AtomicU64,
}

/// `CloudConnectorConfig`, `UserClaims`, `CloudConnectorUser`, and the provider's refresh
/// logger (a `weakref.WeakMethod`, so the native object keeps no cycle with its provider).
#[derive(Debug)]
struct UserTypes {
    config: Py<PyAny>,
    claims: Py<PyType>,
    user: Py<PyType>,
    on_refresh: Py<PyAny>,
}

/// `UserClaims` fields in NamedTuple order, built from the claims' tape (`None`: a rejected
/// token's defaults, `extra` None); the mutable ones (scopes, extra) are copied per call when
/// memoised, because callers mutate `claims.extra` in place.
fn claims_fields<'py>(
    py: Python<'py>,
    c: Option<&UserClaimsRef<'_>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let Some(c) = c else {
        let empty = PyString::new(py, "").into_any();
        return PyTuple::new(
            py,
            [
                empty.clone(),
                PyList::empty(py).into_any(),
                empty.clone(),
                empty.clone(),
                empty.clone(),
                empty.clone(),
                empty,
                py.None().into_bound(py),
            ],
        );
    };
    PyTuple::new(
        py,
        [
            c.gitlab_realm.as_ref().into_bound_py_any(py)?,
            str_list(py, c.scopes_text(), c.scopes())?.into_any(),
            c.subject.as_ref().into_bound_py_any(py)?,
            c.issuer.as_ref().into_bound_py_any(py)?,
            c.duo_seat_count.as_ref().into_bound_py_any(py)?,
            json_ref_to_py(py, c.gitlab_instance_id.clone())?,
            c.gitlab_instance_uid.as_ref().into_bound_py_any(py)?,
            members_to_py(py, c.extra())?.into_any(),
        ],
    )
}

/// A fresh copy of memoised fields: new `scopes` list and `extra` dict, shared immutable rest.
fn fresh_fields<'py>(
    py: Python<'py>,
    fields: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let item = |i: usize| fields.get_item(i);
    let scopes = item(1)?;
    let scopes = match scopes.cast::<PyList>() {
        Ok(list) => list.get_slice(0, list.len()).into_any(),
        Err(_) => scopes,
    };
    let extra = item(7)?;
    let extra = match extra.cast::<PyDict>() {
        Ok(d) => d.copy()?.into_any(),
        Err(_) => extra,
    };
    PyTuple::new(
        py,
        [
            item(0)?,
            scopes,
            item(2)?,
            item(3)?,
            item(4)?,
            item(5)?,
            item(6)?,
            extra,
        ],
    )
}

/// `tuple.__new__` and `object.__new__`, looked up once: they build the NamedTuple of claims
/// and the user without running their classes' Python code (the classes define no `__new__`).
static NEW_TUPLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static NEW_OBJECT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn builtin_new<'a, 'py>(
    py: Python<'py>,
    cell: &'a PyOnceLock<Py<PyAny>>,
    type_name: &str,
) -> PyResult<&'a Bound<'py, PyAny>> {
    cell.get_or_try_init(py, || {
        let builtins = py.import("builtins")?;
        Ok::<_, PyErr>(builtins.getattr(type_name)?.getattr("__new__")?.unbind())
    })
    .map(|f| f.bind(py))
}

impl PyComposite {
    /// Whether `token` authenticates for `audience`, and the `UserClaims` fields (fresh
    /// `scopes` and `extra`; a rejected token's are the defaults).
    fn authenticated_fields<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        audience: &str,
    ) -> PyResult<(bool, Bound<'py, PyTuple>)> {
        // A cache hit answers in well under a microsecond; releasing the GIL would cost more
        // than it saves, so only a miss (a signature check or a fetch) runs detached.
        let verified = match self.inner.verify_cached(token, &[audience]) {
            Some(v) => Ok(v),
            None => {
                let inner = self.inner.clone();
                let (token, audience) = (token.to_owned(), audience.to_owned());
                py.detach(move || inner.verify(&token, &[audience.as_str()]))
            }
        };
        let verified = match verified {
            Ok(v) => v,
            Err(e) => {
                // Logged by the core; only "no keys at all" escapes as an error.
                CloudConnectorUser::from_verified(Err(e)).py_err(py)?;
                return Ok((false, claims_fields(py, None)?));
            }
        };
        // The fields are converted once per token cache entry, in the entry's own memo, and
        // copied per call; a token no cache holds is converted for this call alone.
        let held = |c: &Cause| c.downcast_ref::<Py<PyTuple>>().map(|t| t.bind(py).clone());
        let Some(memo) = &verified.memo else {
            return Ok((true, claims_fields(py, Some(&verified.user_ref()))?));
        };
        let fields = match memo.get().and_then(held) {
            Some(fields) => fields,
            None => {
                let fields = claims_fields(py, Some(&verified.user_ref()))?;
                let kept = memo.keep(Cause::new(fields.clone().unbind()));
                held(kept).unwrap_or(fields)
            }
        };
        Ok((true, fresh_fields(py, &fields)?))
    }
}

#[pymethods]
impl PyComposite {
    /// Options as the core names them (`options::COMPOSITE_OPTIONS`); only those set are
    /// passed, the core holds the defaults.
    #[new]
    #[pyo3(signature = (sources, **options))]
    fn new(
        py: Python<'_>,
        sources: Vec<PyRef<'_, PyKeySource>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyComposite> {
        let config = options::composite_config(&py_args(options)).py_err(py)?;
        let sources = sources.iter().map(|s| Arc::clone(&s.inner)).collect();
        Ok(PyComposite {
            inner: CompositeProvider::new(sources, config),
            user: std::sync::OnceLock::new(),
            reported: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The merged key set as JWKS (loads it when none is held yet).
    fn jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        let doc = py.detach(move || inner.jwks());
        json_to_py(py, &doc)
    }

    /// True only when every source has delivered keys; never raises.
    fn ready(&self, py: Python<'_>) -> bool {
        let inner = self.inner.clone();
        py.detach(move || inner.ready())
    }

    /// Refreshes now (or waits for the refresh in flight).
    fn refresh(&self, py: Python<'_>) {
        let inner = self.inner.clone();
        py.detach(move || inner.refresh());
    }

    /// How long a complete key set is used, in seconds (the `expiry_seconds` in force).
    #[getter]
    fn expiry_seconds(&self) -> f64 {
        self.inner.config().ttl.as_secs_f64()
    }

    #[getter]
    fn refreshes(&self) -> u64 {
        self.inner.refreshes()
    }

    /// The key set held now as JWKS, without loading (None before the first load).
    fn held_jwks<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .cached_key_set()
            .map(|keys| json_to_py(py, &keys.to_jwks()))
            .transpose()
    }

    /// Seconds until the held key set is due for a refresh (0 when overdue; None before any).
    fn refresh_due_in(&self) -> Option<f64> {
        self.inner.refresh_due_in().map(|d| d.as_secs_f64())
    }

    /// The latest refresh: failing sources (`[(index, code, message, exception)]`, the exception
    /// being what a Python hook raised, else None), the fallback message, and per source the kids
    /// it delivered (None when it delivered none).
    fn last_refresh_report<'py>(&self, py: Python<'py>) -> Option<ReportTuple<'py>> {
        self.inner.last_refresh_report().map(|r| {
            let failures = r
                .failures
                .into_iter()
                .map(|f| {
                    let exc = raised(py, f.cause.as_ref());
                    (f.index, f.code.to_owned(), f.message, exc)
                })
                .collect();
            (failures, r.fallback.map(str::to_owned), r.delivered)
        })
    }

    #[getter]
    fn cached_tokens(&self) -> usize {
        self.inner.cached_tokens()
    }

    /// Verifies `token` for `audience`; returns `(authenticated, UserClaims fields, refreshes)`
    /// (the refresh count rides along so the caller needs no second call to notice a refresh).
    fn authenticate<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        audience: &str,
    ) -> PyResult<(bool, Bound<'py, PyTuple>, u64)> {
        let (authenticated, fields) = self.authenticated_fields(py, token, audience)?;
        Ok((authenticated, fields, self.inner.refreshes()))
    }

    /// Gives [`PyComposite::authenticate_user`] the package's types and the provider's refresh
    /// logger (called with no arguments; a weak method that may return None); once.
    fn bind_user(
        &self,
        config_type: Bound<'_, PyAny>,
        claims_type: Bound<'_, PyType>,
        user_type: Bound<'_, PyType>,
        on_refresh: Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let types = UserTypes {
            config: config_type.unbind(),
            claims: claims_type.unbind(),
            user: user_type.unbind(),
            on_refresh: on_refresh.unbind(),
        };
        self.user
            .set(types)
            .map_err(|_| PyTypeError::new_err("bind_user was called already"))
    }

    /// [`PyComposite::authenticate`] for the current service name, returning the package's own
    /// `CloudConnectorUser(authenticated, False, None, UserClaims(*fields))`, built here without
    /// running Python code (a cache hit's share of a request is mostly object building). When
    /// a refresh is left to report ([`PyComposite::refresh_to_report`]), it calls the provider's
    /// refresh logger before returning.
    fn authenticate_user<'py>(&self, py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyAny>> {
        let types = self
            .user
            .get()
            .ok_or_else(|| PyTypeError::new_err("bind_user was not called"))?;
        let (_, audience) = service_name(py, types.config.bind(py))?;
        let (authenticated, fields) = self.authenticated_fields(py, token, &audience)?;
        let claims =
            builtin_new(py, &NEW_TUPLE, "tuple")?.call1((types.claims.bind(py), fields))?;
        let user = builtin_new(py, &NEW_OBJECT, "object")?.call1((types.user.bind(py),))?;
        user.setattr(intern!(py, "_authenticated"), authenticated)?;
        user.setattr(intern!(py, "_is_debug"), false)?;
        user.setattr(intern!(py, "_global_user_id"), py.None())?;
        user.setattr(intern!(py, "_claims"), claims)?;
        if self.refresh_to_report() {
            let log = types.on_refresh.bind(py).call0()?;
            if !log.is_none() {
                log.call0()?;
            }
        }
        Ok(user)
    }

    /// Whether a refresh completed since this was last asked (the one record of which refresh
    /// the provider has logged, for its `_log_refresh` and for `authenticate_user`).
    fn refresh_to_report(&self) -> bool {
        let done = self.inner.refreshes();
        self.reported
            .swap(done, std::sync::atomic::Ordering::Relaxed)
            != done
    }

    /// Verifies and returns the claims, or raises the typed error (for callers that want the
    /// reason rather than an unauthenticated user).
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: String,
        audience: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        let verified = py
            .detach(move || inner.verify(&token, &[audience.as_str()]))
            .py_err(py)?;
        json_ref_to_py(py, verified.claims.root())
    }
}

fn claims_to_py<'py>(py: Python<'py>, c: &UserClaims) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("gitlab_realm", &c.gitlab_realm)?;
    d.set_item("scopes", &c.scopes)?;
    d.set_item("subject", &c.subject)?;
    d.set_item("issuer", &c.issuer)?;
    d.set_item("duo_seat_count", &c.duo_seat_count)?;
    d.set_item("gitlab_instance_id", json_to_py(py, &c.gitlab_instance_id)?)?;
    d.set_item("gitlab_instance_uid", &c.gitlab_instance_uid)?;
    match &c.extra {
        Some(extra) => d.set_item("extra", json_to_py(py, &Value::Object(extra.clone()))?)?,
        None => d.set_item("extra", py.None())?,
    }
    Ok(d)
}

fn user_to_py<'py>(py: Python<'py>, u: &CloudConnectorUser) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    d.set_item("authenticated", u.authenticated)?;
    d.set_item("is_debug", u.is_debug)?;
    d.set_item("global_user_id", u.global_user_id.as_deref())?;
    match &u.claims {
        Some(c) => d.set_item("claims", claims_to_py(py, c)?)?,
        None => d.set_item("claims", py.None())?,
    }
    Ok(d.into_any())
}

/// A Python value as claim text: strings as they are, `None` as empty, anything else as a
/// non-string value (which never equals a header, as in Python).
fn claim_value(v: &Bound<'_, PyAny>) -> Value {
    if v.is_none() {
        return Value::String(String::new());
    }
    if let Ok(s) = v.extract::<String>() {
        return Value::String(s);
    }
    py_to_json(v).unwrap_or_else(|_| {
        Value::Object(Map::from_iter([("python".to_owned(), Value::Bool(true))]))
    })
}

fn claim_text(v: &Bound<'_, PyAny>) -> String {
    match claim_value(v) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A Python `UserClaims` (or any object with its attributes) as the core's claims.
fn claims_from_py(c: &Bound<'_, PyAny>) -> UserClaims {
    let attr = |name: &str| c.getattr(name).ok();
    let text = |name: &str| attr(name).map(|v| claim_text(&v)).unwrap_or_default();
    let scopes = attr("scopes")
        .and_then(|s| s.extract::<Vec<String>>().ok())
        .unwrap_or_default();
    let extra = attr("extra").and_then(|e| match py_to_json(&e) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    });
    UserClaims {
        gitlab_realm: text("gitlab_realm"),
        scopes,
        subject: text("subject"),
        issuer: text("issuer"),
        duo_seat_count: text("duo_seat_count"),
        gitlab_instance_id: attr("gitlab_instance_id")
            .map(|v| claim_value(&v))
            .unwrap_or_else(|| Value::from("")),
        gitlab_instance_uid: text("gitlab_instance_uid"),
        extra,
    }
}

/// A caller's provider (any object with `.authenticate(token)`), called with the GIL held.
struct PythonProvider {
    obj: Py<PyAny>,
    /// The provider's own user object, to hand its claims back as the same object.
    returned: Mutex<Option<(Py<PyAny>, UserClaims)>>,
}

impl AuthProvider for PythonProvider {
    fn authenticate(&self, token: &str) -> Result<CloudConnectorUser, Error> {
        Python::attach(|py| {
            let user = match self.obj.call_method1(py, "authenticate", (token,)) {
                Ok(u) => u,
                Err(e) => {
                    // Carried on the error, re-raised unchanged after the flow.
                    return Err(
                        Error::new(ErrorCode::ProviderUnavailable, "the provider raised")
                            .with_cause(Some(Cause::new(e))),
                    );
                }
            };
            let bound = user.bind(py);
            let authenticated = bound
                .getattr("authenticated")
                .and_then(|a| a.is_truthy())
                .unwrap_or(false);
            let claims = bound.getattr("claims").ok().filter(|c| !c.is_none());
            let core_claims = claims.as_ref().map(claims_from_py);
            if let (Some(py_claims), Some(core)) = (&claims, &core_claims) {
                *self.returned.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((py_claims.clone().unbind(), core.clone()));
            }
            Ok(CloudConnectorUser {
                authenticated,
                claims: core_claims.map(Arc::new),
                ..Default::default()
            })
        })
    }
}

/// The user dict, the client error message, and the provider's own claims object.
type AuthResult<'py> = (Bound<'py, PyAny>, Option<String>, Option<Py<PyAny>>);

/// The `authenticate` flow of the core. `composite` takes the native fast path; otherwise
/// `provider` is any Python object with `.authenticate(token)`. Returns `(user dict, error or
/// None, provider claims object or None)`: the third is the provider's own claims object when
/// the result carries those claims, so callers get the very object back.
#[pyfunction]
#[pyo3(signature = (headers, composite, provider, bypass_auth, service_name))]
pub fn authenticate_request<'py>(
    py: Python<'py>,
    headers: &Bound<'py, PyAny>,
    composite: Option<PyRef<'py, PyComposite>>,
    provider: Option<Py<PyAny>>,
    bypass_auth: bool,
    service_name: Option<String>,
) -> PyResult<AuthResult<'py>> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let items = headers
        .call_method0("items")
        .map_err(|_| PyTypeError::new_err("headers must be a mapping"))?;
    for item in items.try_iter()? {
        let (k, v): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item?.extract()?;
        // gRPC `-bin` values are bytes and are never compared.
        if let (Ok(k), Ok(v)) = (k.extract::<String>(), v.extract::<String>()) {
            pairs.push((k, v));
        }
    }
    if let Some(c) = composite {
        let bound = c.inner.bound_to(service_name.clone().map(|a| vec![a]));
        let outcome = py
            .detach(move || authenticate(pairs, Some(&bound), bypass_auth, service_name.as_deref()))
            .py_err(py)?;
        return Ok((user_to_py(py, &outcome.user)?, outcome.error, None));
    }
    let python = provider.map(|obj| PythonProvider {
        obj,
        returned: Mutex::new(None),
    });
    let result = authenticate(
        pairs,
        python.as_ref().map(|p| p as &dyn AuthProvider),
        bypass_auth,
        service_name.as_deref(),
    );
    let outcome = result.map_err(
        |e| match e.cause().and_then(|c| c.downcast_ref::<PyErr>()) {
            Some(raised) => raised.clone_ref(py),
            None => to_py_err(py, &e),
        },
    )?;
    let same_claims = python.as_ref().and_then(|p| {
        let returned = p
            .returned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        (outcome.user.claims.as_deref() == Some(&returned.1)).then_some(returned.0)
    });
    Ok((user_to_py(py, &outcome.user)?, outcome.error, same_claims))
}

/// `CloudConnectorUser.can`: the core's rule over the user's fields.
#[pyfunction]
#[pyo3(signature = (unit_primitive, is_debug, claims, disallowed_issuers=None))]
pub fn user_can(
    unit_primitive: &Bound<'_, PyAny>,
    is_debug: bool,
    claims: Option<&Bound<'_, PyAny>>,
    disallowed_issuers: Option<Vec<String>>,
) -> bool {
    let up = if unit_primitive.is_truthy().unwrap_or(false) {
        claim_text(unit_primitive)
    } else {
        String::new()
    };
    let user = CloudConnectorUser {
        authenticated: true,
        is_debug,
        global_user_id: None,
        claims: claims
            .filter(|c| !c.is_none())
            .map(|c| Arc::new(claims_from_py(c))),
        ..CloudConnectorUser::default()
    };
    let disallowed = disallowed_issuers.unwrap_or_default();
    let refs: Vec<&str> = disallowed.iter().map(String::as_str).collect();
    user.can(&up, &refs)
}

/// The scopes that are known unit primitives (names or aliases of the embedded catalog).
#[pyfunction]
pub fn known_unit_primitives(scopes: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let list: Vec<Bound<'_, PyAny>> = match scopes.cast::<PyList>() {
        Ok(l) => l.iter().collect(),
        Err(_) => scopes.try_iter()?.collect::<PyResult<_>>()?,
    };
    let names: Vec<String> = list
        .iter()
        .filter_map(|s| s.extract::<String>().ok())
        .collect();
    Ok(cloud_connector::auth::known_unit_primitives(
        names.iter().map(String::as_str),
        Catalog::embedded(),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyKeySource>()?;
    m.add_class::<PyComposite>()?;
    m.add_function(wrap_pyfunction!(authenticate_request, m)?)?;
    m.add_function(wrap_pyfunction!(user_can, m)?)?;
    m.add_function(wrap_pyfunction!(known_unit_primitives, m)?)?;
    Ok(())
}
