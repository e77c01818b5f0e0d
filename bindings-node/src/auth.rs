//! Key sources, the composite provider, `authenticate` and `User`. Anything that may touch the
//! network (a first load, a refresh, an unknown `kid`) runs on libuv's thread pool and returns
//! a Promise; `verifySync` answers from held keys and the token cache only, never waiting.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::{
    AsyncTask, ClassInstance, Either, JsObjectValue, Null, Object, ObjectRef, Unknown,
};
use napi::{Env, JsString, JsValue};
use napi_derive::napi;
use serde_json::Value;

use cloud_connector::auth::{
    authenticate as core_authenticate, AuthProvider, CloudConnectorUser,
    CompositeProvider as CoreComposite, KeySource as CoreKeySource, LocalAuthProvider,
    OidcProvider, StaticJwksProvider, UserClaims as CoreClaims, VerifiedClaims, Wait,
};
use cloud_connector::token::{JsonObject, JsonRef};
use cloud_connector::{options, token, Catalog as CoreCatalog, Error};

use crate::catalog::Catalog;
use crate::errors::{invalid, OrThrow};
use crate::tasks::{blocking, same, Blocking};
use crate::tokens::audience_list;

/// A JSON result as a plain JS value.
type Json = Unknown<'static>;

fn json(env: &Env, v: Value) -> napi::Result<Json> {
    env.to_js_value(&v)
}

#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct OidcOptions {
    /// Per request (default 10).
    pub timeout_seconds: Option<f64>,
    /// PEM bundle of trusted CAs (default: `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`,
    /// `SSL_CERT_FILE`, else the built-in roots).
    pub ca_bundle: Option<String>,
}

/// Where keys come from: local PEMs, a static JWKS, or OIDC discovery.
#[napi]
#[derive(Debug)]
pub struct KeySource {
    inner: Arc<dyn CoreKeySource>,
}

#[napi]
impl KeySource {
    /// The service's own keys (private or public PEM; an empty string is "not configured").
    #[napi(factory)]
    pub fn local(
        signing_key: String,
        validation_key: String,
        service_name: Option<String>,
    ) -> KeySource {
        let mut p = LocalAuthProvider::new(&signing_key, &validation_key);
        if let Some(name) = service_name {
            p = p.with_service_name(name);
        }
        KeySource { inner: Arc::new(p) }
    }

    /// A fixed JWKS (object or JSON text); never touches the network.
    #[napi(factory)]
    pub fn static_jwks(
        env: Env,
        name: String,
        #[napi(ts_arg_type = "string | { keys: Array<Record<string, unknown>> }")] jwks: Value,
    ) -> napi::Result<KeySource> {
        let text = match jwks {
            Value::String(text) => text,
            doc => doc.to_string(),
        };
        Ok(KeySource {
            inner: Arc::new(StaticJwksProvider::from_json(name, &text).or_throw(&env)?),
        })
    }

    /// OIDC discovery at `baseUrl` (`/.well-known/openid-configuration`, then its `jwks_uri`).
    #[napi(factory)]
    pub fn oidc(
        env: Env,
        name: String,
        base_url: String,
        #[napi(ts_arg_type = "OidcOptions | undefined | null")] options: Option<Object>,
    ) -> napi::Result<KeySource> {
        let args = crate::convert::args(options.as_ref())?;
        let config = options::http_config(&args).or_throw(&env)?;
        Ok(KeySource {
            inner: Arc::new(OidcProvider::new(name, &base_url, config)),
        })
    }

    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// Loads the keys now (may fetch, off the event loop); resolves to their public JWKS.
    #[napi(ts_return_type = "Promise<{ keys: Array<Record<string, unknown>> }>")]
    pub fn load(&self) -> AsyncTask<Blocking<Value, Json>> {
        let source = Arc::clone(&self.inner);
        blocking(move || source.load().map(|k| k.to_jwks()), json)
    }
}

/// Cache and policy of a `CompositeProvider`; every field optional.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CompositeOptions {
    /// How long a complete key set is used before a background refresh (default 86400).
    pub ttl_seconds: Option<f64>,
    /// Retry delay after a refresh in which a source failed (default 30).
    pub retry_after_failure_seconds: Option<f64>,
    /// At most one unknown-`kid` refresh per this many seconds (default 30).
    pub unknown_kid_cooldown_seconds: Option<f64>,
    /// Verified tokens kept (default 10000; 0 disables the cache).
    pub token_cache_size: Option<u32>,
    pub algorithms: Option<Vec<String>>,
    pub leeway: Option<u32>,
    pub issuer: Option<String>,
    pub max_token_size: Option<u32>,
    pub reject_future_iat: Option<bool>,
    /// Skip signature checks (development only).
    pub bypass_signature: Option<bool>,
    /// Audiences accepted when a call names none (default: `CLOUD_CONNECTOR_SERVICE_NAME`).
    pub audiences: Option<Vec<String>>,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct SourceFailure {
    pub source: String,
    pub code: String,
    pub message: String,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct RefreshReport {
    pub failures: Vec<SourceFailure>,
    /// "Old JWKS re-cached: ..." or "Incomplete JWKS cached: ..." when a source failed.
    pub fallback: Option<String>,
}

/// Several key sources behind one cache: 24 h key cache, single-flight background refresh,
/// last good keys kept, unknown-`kid` refresh at most once per cooldown, verified-token cache.
#[napi]
pub struct CompositeProvider {
    pub(crate) inner: CoreComposite,
    /// Frozen JS claims of tokens in the core's token cache, keyed by the cache's `Arc` (held
    /// here, so the address cannot be reused while the entry lives): a cache hit returns the
    /// same object instead of converting the claims again. JS-thread only.
    memo: RefCell<HashMap<usize, MemoEntry>>,
    memo_capacity: usize,
    /// The environment the memo's references belong to, to release them when the provider is
    /// garbage-collected (finalizers run on the JS thread).
    env: Env,
}

impl Drop for CompositeProvider {
    fn drop(&mut self) {
        for (_, (_, object)) in self.memo.get_mut().drain() {
            let _ = object.unref(&self.env);
        }
    }
}

type MemoEntry = (Arc<JsonObject>, ObjectRef<false>);

impl std::fmt::Debug for CompositeProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompositeProvider")
            .field("inner", &self.inner)
            .field("memoised", &self.memo.borrow().len())
            .finish()
    }
}

/// Freezes `obj` and every object and array inside it (`v` is the JSON it was built from).
fn deep_freeze(obj: &mut Object, v: JsonRef<'_>) -> napi::Result<()> {
    let nested = |c: &JsonRef<'_>| matches!(c, JsonRef::Object(_) | JsonRef::Array(_));
    match v {
        JsonRef::Object(mut members) => {
            while let (Some(JsonRef::Str(name)), Some(child)) = (members.next(), members.next()) {
                if nested(&child) {
                    deep_freeze(&mut obj.get_named_property::<Object>(name)?, child)?;
                }
            }
        }
        JsonRef::Array(items) => {
            for (i, child) in items.enumerate().filter(|(_, c)| nested(c)) {
                deep_freeze(&mut obj.get_element::<Object>(i as u32)?, child)?;
            }
        }
        _ => {}
    }
    obj.freeze()
}

impl CompositeProvider {
    /// The memoised frozen claims for `claims` (an `Arc` of the core's token cache).
    fn frozen_claims<'env>(
        &self,
        env: &'env Env,
        claims: Arc<JsonObject>,
    ) -> napi::Result<Unknown<'env>> {
        let key = Arc::as_ptr(&claims) as usize;
        let mut memo = self.memo.borrow_mut();
        if let Some((held, object)) = memo.get(&key) {
            if Arc::ptr_eq(held, &claims) {
                return Ok(object.get_value(env)?.to_unknown());
            }
        }
        let unknown: Unknown<'env> = crate::convert::object(env, &*claims)?;
        let mut object = unknown.coerce_to_object()?;
        deep_freeze(&mut object, claims.root())?;
        if memo.len() >= self.memo_capacity {
            for (_, (_, old)) in memo.drain() {
                old.unref(env)?;
            }
        }
        if self.memo_capacity > 0 {
            if let Some((_, old)) = memo.insert(key, (claims, object.create_ref::<false>()?)) {
                old.unref(env)?;
            }
        }
        Ok(unknown)
    }
}

fn audiences_or_default(
    p: &CoreComposite,
    audiences: Option<Either<String, Vec<String>>>,
) -> Result<Vec<String>, Error> {
    match audiences {
        Some(a) => Ok(audience_list(a)),
        None => p.default_audiences(),
    }
}

fn claims_value(env: &Env, v: VerifiedClaims) -> napi::Result<Json> {
    crate::convert::object(env, &*v.claims)
}

#[napi]
impl CompositeProvider {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        sources: Vec<ClassInstance<KeySource>>,
        #[napi(ts_arg_type = "CompositeOptions | undefined | null")] options: Option<Object>,
    ) -> napi::Result<CompositeProvider> {
        let args = crate::convert::args(options.as_ref())?;
        let config = options::composite_config(&args).or_throw(&env)?;
        let sources = sources.iter().map(|s| Arc::clone(&s.inner)).collect();
        Ok(CompositeProvider {
            env,
            memo: RefCell::new(HashMap::new()),
            memo_capacity: config.token_cache_capacity,
            inner: CoreComposite::new(sources, config),
        })
    }

    /// Verifies a token (loading or refreshing keys when needed, off the event loop); resolves
    /// to its claims or rejects with a coded `Error`. `audiences` defaults to the configured
    /// ones, else `CLOUD_CONNECTOR_SERVICE_NAME`.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub fn verify(
        &self,
        token: String,
        audiences: Option<Either<String, Vec<String>>>,
    ) -> AsyncTask<Blocking<VerifiedClaims, Json>> {
        let p = self.inner.clone();
        blocking(
            move || {
                let audiences = audiences_or_default(&p, audiences)?;
                let refs: Vec<&str> = audiences.iter().map(String::as_str).collect();
                p.verify(&token, &refs)
            },
            claims_value,
        )
    }

    /// Verifies with the keys held now, on the calling thread, never waiting: no first load,
    /// no refresh (an unknown `kid` is `unknown_key`; before any load, `provider_unavailable`).
    /// Uses and fills the token cache. Call `refresh()` (or `verify`) first. The claims object
    /// is frozen (deeply) and, while the token stays cached, the same object on every call.
    #[napi(ts_return_type = "Readonly<Record<string, unknown>>")]
    pub fn verify_sync<'env>(
        &self,
        env: &'env Env,
        token: JsString<'_>,
        audiences: Option<Either<String, Vec<String>>>,
    ) -> napi::Result<Unknown<'env>> {
        let token = crate::convert::token_text(env, token)?;
        let audiences = audiences_or_default(&self.inner, audiences).or_throw(env)?;
        let refs: Vec<&str> = audiences.iter().map(String::as_str).collect();
        let claims = match self.inner.verify_cached(&token, &refs) {
            Some(v) => v.claims,
            None => {
                let verified = self
                    .inner
                    .verify_at(&token, &refs, token::now(), Wait::HeldOnly)
                    .or_throw(env)?;
                verified.claims
            }
        };
        self.frozen_claims(env, claims)
    }

    /// Loads every source now (or waits for the load in flight).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn refresh(&self) -> AsyncTask<Blocking<(), ()>> {
        let p = self.inner.clone();
        blocking(
            move || {
                p.refresh();
                Ok(())
            },
            same,
        )
    }

    /// True only when every source has delivered keys (loads first if needed); never rejects.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn ready(&self) -> AsyncTask<Blocking<bool, bool>> {
        let p = self.inner.clone();
        blocking(move || Ok(p.ready()), same)
    }

    /// The merged public JWKS, in source order (loads first if needed).
    #[napi(ts_return_type = "Promise<{ keys: Array<Record<string, unknown>> }>")]
    pub fn jwks(&self) -> AsyncTask<Blocking<Value, Json>> {
        let p = self.inner.clone();
        blocking(move || Ok(p.jwks()), json)
    }

    /// The keys held now as JWKS, without loading; `null` before the first load.
    #[napi(ts_return_type = "{ keys: Array<Record<string, unknown>> } | null")]
    pub fn cached_jwks(&self) -> Option<Value> {
        self.inner.cached_key_set().map(|k| k.to_jwks())
    }

    /// Refreshes completed so far.
    #[napi(getter)]
    pub fn refreshes(&self) -> f64 {
        self.inner.refreshes() as f64
    }

    /// Tokens in the verified-token cache.
    #[napi(getter)]
    pub fn cached_tokens(&self) -> u32 {
        self.inner.cached_tokens() as u32
    }

    /// What the latest refresh saw; `null` before any.
    #[napi]
    pub fn last_refresh_report(&self) -> Option<RefreshReport> {
        self.inner.last_refresh_report().map(|r| RefreshReport {
            failures: r
                .failures
                .into_iter()
                .map(|f| SourceFailure {
                    source: f.source,
                    code: f.code.to_owned(),
                    message: f.message,
                })
                .collect(),
            fallback: r.fallback.map(str::to_owned),
        })
    }
}

/// The claims of an authenticated user (python-api.md §4.3): missing claims are `""`.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct UserClaims {
    pub gitlab_realm: String,
    pub scopes: Vec<String>,
    pub subject: String,
    pub issuer: String,
    pub duo_seat_count: String,
    /// Keeps its JSON type.
    pub gitlab_instance_id: Value,
    pub gitlab_instance_uid: String,
    /// Every other claim; `null` for claims not decoded from a token.
    #[napi(ts_type = "Record<string, unknown> | null")]
    pub extra: Value,
}

impl From<&CoreClaims> for UserClaims {
    fn from(c: &CoreClaims) -> UserClaims {
        UserClaims {
            gitlab_realm: c.gitlab_realm.clone(),
            scopes: c.scopes.clone(),
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            duo_seat_count: c.duo_seat_count.clone(),
            gitlab_instance_id: c.gitlab_instance_id.clone(),
            gitlab_instance_uid: c.gitlab_instance_uid.clone(),
            extra: c.extra.clone().map_or(Value::Null, Value::Object),
        }
    }
}

/// The result of authentication.
#[napi]
#[derive(Debug, Clone)]
pub struct User {
    inner: CloudConnectorUser,
}

#[napi]
impl User {
    #[napi(getter)]
    pub fn authenticated(&self) -> bool {
        self.inner.authenticated
    }

    #[napi(getter)]
    pub fn is_debug(&self) -> bool {
        self.inner.is_debug
    }

    #[napi(getter)]
    pub fn global_user_id(&self) -> Option<String> {
        self.inner.global_user_id.clone()
    }

    /// `null` when no token was decoded (no header, bypass), empty claims when rejected.
    #[napi(getter)]
    pub fn claims(&self) -> Option<UserClaims> {
        self.inner.claims.as_deref().map(UserClaims::from)
    }

    /// Whether the user may use `unitPrimitive`: debug users always; a disallowed issuer
    /// never; otherwise the scope must be in the token.
    #[napi]
    pub fn can(&self, unit_primitive: String, disallowed_issuers: Option<Vec<String>>) -> bool {
        let disallowed = disallowed_issuers.unwrap_or_default();
        let refs: Vec<&str> = disallowed.iter().map(String::as_str).collect();
        self.inner.can(&unit_primitive, &refs)
    }

    /// The scopes that are unit primitives of `catalog` (default: the embedded one).
    #[napi]
    pub fn unit_primitives(&self, catalog: Option<&Catalog>) -> Vec<String> {
        let catalog: &CoreCatalog = match catalog {
            Some(c) => &c.inner,
            None => CoreCatalog::embedded(),
        };
        self.inner.unit_primitives(catalog)
    }
}

#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct AuthenticateOptions {
    /// Development only: everyone is an authenticated debug user.
    pub bypass_auth: Option<bool>,
    /// The audience and service name (default: `CLOUD_CONNECTOR_SERVICE_NAME`).
    pub service_name: Option<String>,
}

#[napi(object, object_from_js = false)]
pub struct AuthResult {
    pub user: User,
    /// The message for the client (the Python package's exact strings), `null` on success.
    pub error: Either<String, Null>,
    /// A stable code for `error` (`null` on success): `missing_authorization`,
    /// `invalid_authorization`, `invalid_authentication_type`, `forbidden` or `header_mismatch`.
    pub error_code: Either<String, Null>,
}

impl std::fmt::Debug for AuthResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthResult")
            .field("user", &self.user)
            .field("error", &self.error)
            .finish()
    }
}

fn or_null<T>(v: Option<T>) -> Either<T, Null> {
    v.map_or(Either::B(Null), Either::A)
}

fn headers_list(headers: Value) -> Result<Vec<(String, String)>, Error> {
    match headers {
        // Node's own header objects hold strings; arrays (`set-cookie`) and other values are
        // never compared, so they are left out.
        Value::Object(map) => Ok(map
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s)),
                _ => None,
            })
            .collect()),
        _ => Err(invalid(
            "headers must be an object of header names to values",
        )),
    }
}

/// Authenticates a request from its headers with the Python package's checks and messages:
/// `Authorization: Bearer <token>`, `X-Gitlab-Authentication-Type: oidc`, then the token, then
/// realm / instance / user id headers against its claims. Resolves to `{ user, error }`;
/// rejects only when no key is available at all or no service name is known.
#[napi(ts_return_type = "Promise<AuthResult>")]
pub fn authenticate(
    env: Env,
    #[napi(ts_arg_type = "Record<string, string | string[] | undefined>")] headers: Value,
    provider: Option<&CompositeProvider>,
    options: Option<AuthenticateOptions>,
) -> napi::Result<AsyncTask<Blocking<cloud_connector::auth::AuthOutcome, AuthResult>>> {
    let pairs = headers_list(headers).or_throw(&env)?;
    let o = options.unwrap_or_default();
    let provider = provider.map(|p| p.inner.bound_to(o.service_name.clone().map(|a| vec![a])));
    let bypass = o.bypass_auth.unwrap_or(false);
    Ok(blocking(
        move || {
            core_authenticate(
                pairs,
                provider.as_ref().map(|p| p as &dyn AuthProvider),
                bypass,
                o.service_name.as_deref(),
            )
        },
        |_, outcome| {
            Ok(AuthResult {
                error_code: or_null(outcome.error_code().map(str::to_owned)),
                error: or_null(outcome.error),
                user: User {
                    inner: outcome.user,
                },
            })
        },
    ))
}
