//! Verification with a key set, issuance (`TokenAuthority`, key rings with instance tokens)
//! and JWK thumbprints. Everything here is CPU-only and synchronous (no network): RS256
//! verification is ~20 µs, signing ~0.7 ms.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{AsyncTask, Either, Object};
use napi::{Env, JsString};
use napi_derive::napi;
use serde_json::{Map, Value};

use cloud_connector::options::{self, Arg};
use cloud_connector::token::{
    self, parse_jwk, KeyRing as CoreKeyRing, KeySet as CoreKeySet,
    SignatureFloor as CoreSignatureFloor, SigningFloor as CoreSigningFloor, SigningKey,
    TokenAuthority as CoreAuthority, TokenIssuer, UserTokenClaims,
};
use cloud_connector::{Catalog as CoreCatalog, Error};

use crate::catalog::Catalog;
use crate::errors::{invalid, OrThrow};
use crate::tasks::{blocking, same, Blocking};

/// One audience or several.
pub fn audience_list(a: Either<String, Vec<String>>) -> Vec<String> {
    match a {
        Either::A(one) => vec![one],
        Either::B(many) => many,
    }
}

/// One audience or several, for the core's option check.
fn audience_arg(a: Either<String, Vec<String>>) -> Arg {
    match a {
        Either::A(one) => Arg::Str(one),
        Either::B(many) => Arg::List(many.into_iter().map(Arg::Str).collect()),
    }
}

/// A plain object of extra claims.
pub fn extra_claims(value: Option<Value>, what: &str) -> Result<Option<Map<String, Value>>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(invalid(format!("{what} must be a plain object"))),
    }
}

/// How to verify: every field optional; defaults are the core's (RS256 only, no issuer check,
/// no leeway, 16 KiB limit, future `iat` accepted).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    pub algorithms: Option<Vec<String>>,
    pub issuer: Option<String>,
    /// Seconds of clock skew allowed for `exp` and `nbf`.
    pub leeway: Option<u32>,
    pub max_token_size: Option<u32>,
    pub reject_future_iat: Option<bool>,
    /// `false` skips the signature (development only); `none` is refused regardless.
    pub verify_signature: Option<bool>,
    /// The time to check at, Unix seconds (default: now).
    pub now: Option<i64>,
}

/// A parsed JWKS: keys are parsed once, selected by `kid`.
#[napi]
#[derive(Debug)]
pub struct KeySet {
    inner: CoreKeySet,
    skipped: Vec<String>,
}

#[napi]
impl KeySet {
    /// From a JWKS document (object or JSON text). Keys that cannot be used are skipped and
    /// listed in `skipped`; a document that is not a JWKS throws `jwks_invalid`.
    #[napi(factory)]
    pub fn from_jwks(
        env: Env,
        #[napi(ts_arg_type = "string | { keys: Array<Record<string, unknown>> }")] jwks: Value,
    ) -> napi::Result<KeySet> {
        let parsed = match jwks {
            Value::String(text) => CoreKeySet::from_jwks_str(&text),
            doc => CoreKeySet::from_jwks(&doc),
        };
        let (inner, skipped) = parsed.or_throw(&env)?;
        Ok(KeySet {
            inner,
            skipped: skipped
                .iter()
                .map(|e| format!("{} ({})", e.message(), e.code()))
                .collect(),
        })
    }

    /// Each key's `kid` (`null` for a key without one), in document order.
    #[napi(getter)]
    pub fn kids(&self) -> Vec<Option<String>> {
        self.inner.kids()
    }

    /// Why each skipped key was skipped.
    #[napi(getter)]
    pub fn skipped(&self) -> Vec<String> {
        self.skipped.clone()
    }

    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    /// The usable keys as a public JWKS.
    #[napi(ts_return_type = "{ keys: Array<Record<string, unknown>> }")]
    pub fn to_jwks(&self) -> Value {
        self.inner.to_jwks()
    }

    /// Verifies a compact JWS and its claims (synchronous, CPU only); returns the claims or
    /// throws an `Error` whose `code` says why (`token_expired`, `invalid_signature`, ...).
    // The addon's method returns the claims' text; the package entry's `claims.js` wraps it
    // and makes the object (see `crate::claims`).
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn verify(
        &self,
        env: &Env,
        token: JsString<'_>,
        audiences: Either<String, Vec<String>>,
        #[napi(ts_arg_type = "VerifyOptions | undefined | null")] options: Option<Object>,
    ) -> napi::Result<crate::convert::Text> {
        let token = crate::convert::token_text(env, token)?;
        let mut args = crate::convert::args(options.as_ref())?;
        args.set("audiences", audience_arg(audiences));
        let (v, now) = options::validation(&args).or_throw(env)?;
        // The payload as signed is the claims' JSON: parsed by V8, never re-serialised.
        let verified = token::verify(&token, &self.inner, &v, now).or_throw(env)?;
        crate::claims::text(env, &verified.claims)
    }
}

/// The raw signature check under `KeySet.verify`, prepared once (the core's `SignatureFloor`):
/// for benchmarks that time the floor in the same process as `verify`.
#[napi]
#[derive(Debug)]
pub struct SignatureFloor {
    inner: CoreSignatureFloor,
}

#[napi]
impl SignatureFloor {
    /// Prepares the check of `token`'s signature with the key of `keys` that verifies it;
    /// throws a coded `Error` when none does.
    #[napi(constructor)]
    pub fn new(env: Env, token: String, keys: &KeySet) -> napi::Result<SignatureFloor> {
        let inner = CoreSignatureFloor::new(&token, &keys.inner).or_throw(&env)?;
        Ok(SignatureFloor { inner })
    }

    /// Checks the signature once.
    #[napi]
    pub fn check(&self) -> bool {
        self.inner.check()
    }
}

/// The raw signature under `TokenAuthority.encode`, prepared once (the core's `SigningFloor`):
/// for benchmarks that time the floor in the same process as issuance.
#[napi]
#[derive(Debug)]
pub struct SigningFloor {
    inner: CoreSigningFloor,
}

#[napi]
impl SigningFloor {
    /// Prepares signing `token`'s signing input with the RSA private key in `pem`; throws a
    /// coded `Error` for a key or token it cannot use.
    #[napi(constructor)]
    pub fn new(env: Env, pem: String, token: String) -> napi::Result<SigningFloor> {
        let inner = CoreSigningFloor::new(&pem, &token).or_throw(&env)?;
        Ok(SigningFloor { inner })
    }

    /// Signs once.
    #[napi]
    pub fn sign(&self) -> bool {
        self.inner.sign()
    }
}

/// The RFC 7638 thumbprint of a JWK; throws `key_invalid` for a key this library refuses.
#[napi]
pub fn jwk_thumbprint(env: Env, jwk: Value) -> napi::Result<String> {
    parse_jwk(&jwk).map(|k| k.thumbprint()).or_throw(&env)
}

/// The claims of a user token (`TokenAuthority.encode`).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct UserTokenOptions {
    pub sub: String,
    pub gitlab_realm: String,
    /// Kept with its JSON type (string, number, ...).
    pub gitlab_instance_id: Value,
    pub scopes: Vec<String>,
    pub duo_seat_count: Option<String>,
    /// Added after the standard claims; a repeated name replaces in place.
    pub extra_claims: Option<Value>,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct EncodedToken {
    pub token: String,
    /// `exp`, Unix seconds.
    pub exp: i64,
}

/// The AI gateway's `TokenAuthority`: user tokens signed RS256 with a PEM private key. The
/// constructor never throws; `encode` throws `key_invalid` for a bad key.
#[napi]
#[derive(Debug)]
pub struct TokenAuthority {
    inner: Arc<CoreAuthority>,
}

#[napi]
impl TokenAuthority {
    #[napi(constructor)]
    pub fn new(signing_key: String) -> TokenAuthority {
        TokenAuthority {
            inner: Arc::new(CoreAuthority::new(&signing_key)),
        }
    }

    /// Signs a user token for `serviceName` (its `aud`), valid one hour (synchronous: ~0.7 ms
    /// on the calling thread; a server should prefer `encodeAsync`).
    #[napi]
    pub fn encode(
        &self,
        env: Env,
        service_name: String,
        claims: UserTokenOptions,
    ) -> napi::Result<EncodedToken> {
        encode_user(&self.inner, &service_name, claims).or_throw(&env)
    }

    /// `encode` with the claims' fields as arguments (no extra claims) and the scopes as one
    /// string, for the package entry's `encode.js`, which calls it in place of `encode` when
    /// every field has a type both convert alike. Converting each scope through N-API was most
    /// of what the package added to a signature (decision `perf-node-encode-parts`). `null`
    /// when the scopes do not split into `count` (a scope holding the separator): `encode.js`
    /// then calls `encode` itself.
    #[napi(js_name = "__encodeParts", skip_typescript)]
    #[allow(clippy::too_many_arguments)]
    pub fn encode_parts(
        &self,
        env: Env,
        service_name: String,
        sub: String,
        gitlab_realm: String,
        gitlab_instance_id: Value,
        joined_scopes: String,
        count: u32,
        duo_seat_count: Option<String>,
    ) -> napi::Result<Option<EncodedToken>> {
        let Some(scopes) = split_scopes(&joined_scopes, count) else {
            return Ok(None);
        };
        let claims = UserTokenOptions {
            sub,
            gitlab_realm,
            gitlab_instance_id,
            scopes,
            duo_seat_count,
            extra_claims: None,
        };
        encode_user(&self.inner, &service_name, claims)
            .map(Some)
            .or_throw(&env)
    }

    /// `encode` on libuv's thread pool: the event loop keeps running while the token is signed.
    #[napi(ts_return_type = "Promise<EncodedToken>")]
    pub fn encode_async(
        &self,
        service_name: String,
        claims: UserTokenOptions,
    ) -> AsyncTask<Blocking<EncodedToken, EncodedToken>> {
        let authority = self.inner.clone();
        blocking(move || encode_user(&authority, &service_name, claims), same)
    }
}

/// What `encode.js` joins the scopes with.
const SCOPE_SEPARATOR: char = '\0';

/// The scopes `encode.js` joined, or `None` when there are not `count` of them.
fn split_scopes(joined: &str, count: u32) -> Option<Vec<String>> {
    let scopes: Vec<String> = match count {
        // `[].join()` and `[""].join()` are both empty.
        0 if joined.is_empty() => Vec::new(),
        _ => joined.split(SCOPE_SEPARATOR).map(str::to_owned).collect(),
    };
    (scopes.len() == count as usize).then_some(scopes)
}

fn encode_user(
    authority: &CoreAuthority,
    service_name: &str,
    claims: UserTokenOptions,
) -> Result<EncodedToken, Error> {
    let extra = extra_claims(claims.extra_claims, "extraClaims")?;
    let c = UserTokenClaims {
        sub: &claims.sub,
        gitlab_realm: &claims.gitlab_realm,
        gitlab_instance_id: claims.gitlab_instance_id,
        scopes: &claims.scopes,
        duo_seat_count: claims.duo_seat_count.as_deref(),
        extra_claims: extra.as_ref(),
    };
    let (token, exp) = authority.encode(service_name, &c)?;
    Ok(EncodedToken { token, exp })
}

/// GitLab.com's instance token request: scopes and audiences come from the catalog's
/// entitlements for the active add-ons.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct InstanceTokenOptions {
    /// `iss`, e.g. `https://gitlab.com`.
    pub issuer: String,
    /// `sub`: the instance UUID.
    pub subject: String,
    /// `gitlab_realm`: `saas` or `self-managed`.
    pub realm: String,
    pub active_add_ons: Vec<String>,
    /// Whole seconds, 1 to a year (default: one hour, the core's `ISSUE_TTL_SECONDS`).
    pub ttl: Option<f64>,
    pub extra_claims: Option<Value>,
    pub license_type: Option<String>,
    pub gitlab_version: Option<String>,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    /// The signed claims, in the order they were signed.
    pub claims: Value,
}

/// A key ring: current (oldest) and next key, with Rails' rotate/trim rules, optionally kept in
/// a directory of PEM files.
#[napi]
#[derive(Debug)]
pub struct KeyRing {
    inner: Arc<Mutex<CoreKeyRing>>,
}

fn with_ring<T>(ring: &Mutex<CoreKeyRing>, f: impl FnOnce(&mut CoreKeyRing) -> T) -> T {
    f(&mut ring.lock().unwrap_or_else(|p| p.into_inner()))
}

impl KeyRing {
    fn with<T>(&self, f: impl FnOnce(&mut CoreKeyRing) -> T) -> T {
        with_ring(&self.inner, f)
    }
}

#[napi]
impl KeyRing {
    /// From PEM private keys, oldest first (none: an empty ring).
    #[napi(constructor)]
    pub fn new(env: Env, pems: Option<Vec<String>>) -> napi::Result<KeyRing> {
        let keys = pems
            .unwrap_or_default()
            .iter()
            .map(|p| SigningKey::from_pem(p))
            .collect::<Result<Vec<_>, Error>>()
            .or_throw(&env)?;
        Ok(KeyRing {
            inner: Arc::new(Mutex::new(CoreKeyRing::new(keys))),
        })
    }

    #[napi(factory)]
    pub fn load_dir(env: Env, path: String) -> napi::Result<KeyRing> {
        Ok(KeyRing {
            inner: Arc::new(Mutex::new(
                CoreKeyRing::load_dir(path.as_ref()).or_throw(&env)?,
            )),
        })
    }

    #[napi]
    pub fn save_dir(&self, env: Env, path: String) -> napi::Result<()> {
        self.with(|r| r.save_dir(path.as_ref())).or_throw(&env)
    }

    /// Adds a fresh RSA-2048 key; returns its kid (synchronous: key generation takes tens of
    /// milliseconds; see `createNewKeyAsync`).
    #[napi]
    pub fn create_new_key(&self, env: Env) -> napi::Result<String> {
        self.with(|r| r.create_new_key().map(|k| k.thumbprint().to_owned()))
            .or_throw(&env)
    }

    /// `createNewKey` on libuv's thread pool. The key is generated before the ring is locked,
    /// so other calls on the ring are not held up meanwhile.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn create_new_key_async(&self) -> AsyncTask<Blocking<String, String>> {
        let ring = self.inner.clone();
        blocking(
            move || {
                let key = SigningKey::generate()?;
                let kid = key.thumbprint().to_owned();
                with_ring(&ring, |r| {
                    r.add_key(key);
                });
                Ok(kid)
            },
            same,
        )
    }

    #[napi]
    pub fn rotate(&self, env: Env) -> napi::Result<()> {
        self.with(CoreKeyRing::rotate).or_throw(&env)
    }

    #[napi]
    pub fn trim(&self, env: Env) -> napi::Result<()> {
        self.with(CoreKeyRing::trim).or_throw(&env)
    }

    /// The kids (RFC 7638 thumbprints), current first.
    #[napi(getter)]
    pub fn kids(&self) -> Vec<String> {
        self.with(|r| r.keys().iter().map(|k| k.thumbprint().to_owned()).collect())
    }

    /// The public JWKS to publish.
    #[napi(ts_return_type = "{ keys: Array<Record<string, unknown>> }")]
    pub fn jwks(&self) -> Value {
        self.with(|r| r.jwks())
    }

    /// Signs an instance token with the current key; scopes and audiences are the catalog's
    /// entitlements (the embedded catalog unless `catalog` is given). Synchronous (~0.7 ms);
    /// see `issueInstanceTokenAsync`.
    #[napi]
    pub fn issue_instance_token(
        &self,
        env: Env,
        options: InstanceTokenOptions,
        catalog: Option<&Catalog>,
    ) -> napi::Result<IssuedToken> {
        issue_instance(&self.inner, options, &catalog_or_embedded(catalog)).or_throw(&env)
    }

    /// `issueInstanceToken` on libuv's thread pool.
    #[napi(ts_return_type = "Promise<IssuedToken>")]
    pub fn issue_instance_token_async(
        &self,
        options: InstanceTokenOptions,
        catalog: Option<&Catalog>,
    ) -> AsyncTask<Blocking<IssuedToken, IssuedToken>> {
        let ring = self.inner.clone();
        let catalog = catalog_or_embedded(catalog);
        blocking(move || issue_instance(&ring, options, &catalog), same)
    }
}

/// The catalog a call names, else the embedded one; cloning a catalog shares its records.
fn catalog_or_embedded(catalog: Option<&Catalog>) -> CoreCatalog {
    catalog.map_or_else(|| CoreCatalog::embedded().clone(), |c| c.inner.clone())
}

fn issue_instance(
    ring: &Mutex<CoreKeyRing>,
    options: InstanceTokenOptions,
    catalog: &CoreCatalog,
) -> Result<IssuedToken, Error> {
    let request = TokenIssuer {
        issuer: options.issuer,
        subject: options.subject,
        realm: options.realm,
        active_add_ons: options.active_add_ons,
        ttl: options::ISSUE_TTL_SECONDS
            .whole_seconds(options.ttl.map(crate::convert::number_arg).as_ref())?,
        // napi hands objects over as a sorted map, so names come out in name order.
        extra_claims: extra_claims(options.extra_claims, "extraClaims")?
            .unwrap_or_default()
            .into(),
        license_type: options.license_type,
        gitlab_version: options.gitlab_version,
    };
    let key = with_ring(ring, |r| r.signing_key().cloned())?;
    let issued = request.issue(catalog, &key)?;
    let claims = issued
        .claims
        .payload()
        .iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    Ok(IssuedToken {
        token: issued.token,
        claims: Value::Object(claims),
    })
}
