//! The composite provider: key sources in order (local signing, local validation, GitLab,
//! CustomersDot), one merged key set cached for `ttl`, refreshed single-flight — in the
//! background while a key set is held, so verification never waits on the network for an
//! expiry — with each source's last good keys kept when a refresh fails, a rate-limited refresh
//! for unknown `kid`s, and a verified-token cache in front of the signature check.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::provider_stats::{ProviderStats, SourceRefreshCount, TokenCacheStats, REFRESH_OK};
use super::service_name::service_name;
use super::source::KeySource;
use super::token_cache::{CachedToken, ClaimsMemo, TokenCache};
use super::user::{CloudConnectorUser, UserClaims};
use super::user_claims_ref::UserClaimsRef;
use crate::error::{Cause, Error, ErrorCode, Result};
use crate::options;
use crate::token::{self, Algorithm, JsonObject, KeyMatch, KeySet, Validation, VerifiedToken};

/// The message of the original `CriticalAuthError` (typo included).
pub const NO_KEYS_MESSAGE: &str = "No keys founds in JWKS; are OIDC providers up?";

/// How a [`CompositeProvider`] refreshes, caches and verifies. `Default` is the original's
/// behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompositeConfig {
    /// How long a fully successful refresh is used before the next (24 h).
    pub ttl: Duration,
    /// How soon to retry after a refresh in which some source failed (30 s).
    pub retry_after_failure: Duration,
    /// At most one unknown-`kid` refresh per this window (30 s).
    pub unknown_kid_cooldown: Duration,
    /// Verified tokens kept (10 000); 0 disables the cache.
    pub token_cache_capacity: usize,
    /// Allowed header `alg` values (RS256 only).
    pub algorithms: Vec<Algorithm>,
    /// Seconds of clock skew allowed for `exp` and `nbf` (0).
    pub leeway: u64,
    /// `iss` that tokens must carry; `None` checks no issuer.
    pub issuer: Option<String>,
    /// Longest token accepted, in bytes (16 KiB).
    pub max_token_size: usize,
    /// Refuse an `iat` in the future (off).
    pub reject_future_iat: bool,
    /// False is signature-bypass mode (development only).
    pub verify_signature: bool,
    /// Audiences [`AuthProvider::authenticate`] accepts; `None` (the default) is the current
    /// service name, read at each call as the original did.
    pub audiences: Option<Vec<String>>,
}

impl Default for CompositeConfig {
    fn default() -> CompositeConfig {
        CompositeConfig {
            ttl: Duration::from_secs_f64(options::TTL_SECONDS.default),
            retry_after_failure: Duration::from_secs_f64(
                options::RETRY_AFTER_FAILURE_SECONDS.default,
            ),
            unknown_kid_cooldown: Duration::from_secs_f64(
                options::UNKNOWN_KID_COOLDOWN_SECONDS.default,
            ),
            token_cache_capacity: options::TOKEN_CACHE_SIZE.default as usize,
            algorithms: vec![Algorithm::RS256],
            leeway: options::LEEWAY.default as u64,
            issuer: None,
            max_token_size: options::MAX_TOKEN_SIZE.default as usize,
            reject_future_iat: false,
            verify_signature: true,
            audiences: None,
        }
    }
}

impl CompositeConfig {
    /// The policy without audiences, which come with each request.
    fn validation(&self) -> Validation {
        Validation {
            algorithms: self.algorithms.clone(),
            audiences: Vec::new(),
            issuer: self.issuer.clone(),
            leeway: self.leeway,
            max_token_size: self.max_token_size,
            reject_future_iat: self.reject_future_iat,
            verify_signature: self.verify_signature,
        }
    }
}

#[derive(Debug)]
struct Snapshot {
    merged: Arc<KeySet>,
    /// Each source's last good keys; `None` until it has delivered a non-empty set.
    per_source: Vec<Option<Arc<KeySet>>>,
    refresh_at: Instant,
    generation: u64,
    report: RefreshReport,
}

/// Whether a verification may wait for keys: a first load, an unknown-`kid` refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Load keys when none are held and refresh once for an unknown `kid` (may block on the
    /// network, within the sources' timeouts).
    MayLoad,
    /// Use the keys held now and never block: before any load it is `provider_unavailable`, an
    /// unknown `kid` is `unknown_key` unless a kid-less key verifies. For event loops that load
    /// or refresh keys elsewhere.
    HeldOnly,
}

/// A verified token: header and claims as decoded, and the claims as a user's fields. The
/// claims and user are the `Arc`s the token cache holds: a cache hit converts nothing (a
/// sidecar answers every request from it), and a binding can memoise its own conversion by
/// the claims' address. A token no cache holds maps its user's fields on the first
/// [`VerifiedClaims::user`] call: a binding that builds its objects from [`UserClaimsRef`]
/// never makes the owned copy.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedClaims {
    /// The protected header as signed (a map on demand).
    pub header: Arc<JsonObject>,
    /// The claims as signed (a map on demand).
    pub claims: Arc<JsonObject>,
    /// The claims as a user's fields, once mapped (see [`VerifiedClaims::user`]).
    user: OnceLock<Arc<UserClaims>>,
    /// The token cache entry's memo of a binding's conversion; `None` when no cache holds the
    /// token (a disabled cache, signature-bypass mode).
    pub memo: Option<Arc<ClaimsMemo>>,
}

impl VerifiedClaims {
    /// Maps a token no cache holds (a disabled cache, a signature-bypass verification).
    fn converted(verified: VerifiedToken) -> VerifiedClaims {
        VerifiedClaims {
            header: verified.header,
            claims: verified.claims,
            user: OnceLock::new(),
            memo: None,
        }
    }

    fn cached(entry: CachedToken) -> VerifiedClaims {
        VerifiedClaims {
            header: entry.verified.header,
            claims: entry.verified.claims,
            user: OnceLock::from(entry.user),
            memo: Some(entry.memo),
        }
    }

    /// The claims as a user's fields: the token cache entry's `Arc` when a cache holds the
    /// token, else mapped on the first call and kept.
    pub fn user(&self) -> Arc<UserClaims> {
        Arc::clone(
            self.user
                .get_or_init(|| Arc::new(UserClaims::from_claims(&self.claims))),
        )
    }

    /// The claims as a user's fields, borrowed from the claims (nothing copied).
    pub fn user_ref(&self) -> UserClaimsRef<'_> {
        UserClaimsRef::of(&self.claims)
    }
}

/// What the latest refresh saw: each failing source, and the fallback message logged when some
/// failed. Bindings log these through their own loggers (Python's `log_provider`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// The sources that failed, in source order.
    pub failures: Vec<SourceFailure>,
    /// "Old JWKS re-cached: ..." or "Incomplete JWKS cached: ..." when a source failed.
    pub fallback: Option<&'static str>,
    /// Per source, in source order: the kids of the keys it delivered in this refresh, `None`
    /// when it delivered none (each provider logs its own "JWKS refreshed" from this).
    pub delivered: Vec<Option<Vec<Option<String>>>>,
}

/// One source's failure in a refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFailure {
    /// The source's position in the composite (names need not be unique).
    pub index: usize,
    /// The source's name (`Gitlab`, `CustomersDot`, `LocalAuthProvider`, ...).
    pub source: String,
    /// The failure's error code (`jwks_fetch_failed`, ...).
    pub code: &'static str,
    /// The failure's message.
    pub message: String,
    /// What a binding's callback raised, when that is the failure (see [`Error::cause`]).
    pub cause: Option<Cause>,
}

/// Logged when a source failed and its previous keys were kept.
pub const OLD_JWKS_RECACHED: &str = "Old JWKS re-cached: some key providers failed";
/// Logged when a source failed and it had never delivered keys.
pub const INCOMPLETE_JWKS_CACHED: &str =
    "Incomplete JWKS cached: some key providers failed, no old cache to fall back to";

#[derive(Debug, Default)]
struct Flight {
    refreshing: bool,
    last_unknown_kid_refresh: Option<Instant>,
    /// Completed refreshes; lets a waiter tell that the one it waited for has finished.
    completed: u64,
}

#[derive(Debug)]
struct Inner {
    sources: Vec<Arc<dyn KeySource>>,
    config: CompositeConfig,
    validation: Validation,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    flight: Mutex<Flight>,
    done: Condvar,
    cache: Mutex<TokenCache>,
    stats: ProviderStats,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Cheap to clone (shared state); `Send + Sync`.
#[derive(Clone, Debug)]
pub struct CompositeProvider {
    inner: Arc<Inner>,
}

/// Fingerprint of a key set's content, to tell whether a refresh changed anything.
fn fingerprint(set: &KeySet) -> Vec<(Option<String>, String)> {
    set.keys()
        .iter()
        .map(|k| (k.kid().map(str::to_owned), k.thumbprint()))
        .collect()
}

impl Inner {
    fn current(&self) -> Option<Arc<Snapshot>> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Every source's load, in source order. Sources load concurrently, so a first load waits
    /// for the slowest source rather than the sum of their timeouts. A source implemented
    /// outside this crate (a binding callback) may panic; that is a failed load, not a reason
    /// to take the cache down with it.
    fn load_sources(&self) -> Vec<Result<KeySet>> {
        let panicked = |source: &Arc<dyn KeySource>| {
            Error::new(
                ErrorCode::ProviderUnavailable,
                format!("key source {} panicked", source.name()),
            )
        };
        let inline = |source: &Arc<dyn KeySource>| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| source.load()))
                .unwrap_or_else(|_| Err(panicked(source)))
        };
        if self.sources.len() < 2 {
            return self.sources.iter().map(inline).collect();
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .sources
                .iter()
                .map(|source| {
                    std::thread::Builder::new()
                        .name("cloud-connector-keys".into())
                        .spawn_scoped(scope, move || source.load())
                })
                .collect();
            handles
                .into_iter()
                .zip(&self.sources)
                .map(|(handle, source)| match handle {
                    Ok(h) => h.join().unwrap_or_else(|_| Err(panicked(source))),
                    Err(_) => inline(source),
                })
                .collect()
        })
    }

    /// Loads every source and installs the merged set. Only ever run by the flight holder.
    fn load(&self) {
        let previous = self.current();
        let mut per_source = Vec::with_capacity(self.sources.len());
        let mut failed = false;
        let mut report = RefreshReport::default();
        for (i, (source, loaded)) in self.sources.iter().zip(self.load_sources()).enumerate() {
            let fresh = match loaded {
                Ok(set) if !set.is_empty() => {
                    self.stats.refreshed(i, REFRESH_OK);
                    report.delivered.push(Some(set.kids()));
                    Some(Arc::new(set))
                }
                Ok(_) => {
                    self.stats.refreshed(i, ErrorCode::JwksInvalid.as_str());
                    log::error!(target: "cloud_connector", oidc_provider = source.name(); "no keys returned");
                    report.failures.push(SourceFailure {
                        index: i,
                        source: source.name().to_owned(),
                        code: ErrorCode::JwksInvalid.as_str(),
                        message: "no keys returned".into(),
                        cause: None,
                    });
                    report.delivered.push(None);
                    None
                }
                Err(e) => {
                    self.stats.refreshed(i, e.code().as_str());
                    log::error!(target: "cloud_connector", oidc_provider = source.name(), code = e.code().as_str(); "{e}");
                    report.failures.push(SourceFailure {
                        index: i,
                        source: source.name().to_owned(),
                        code: e.code().as_str(),
                        message: e.message().to_owned(),
                        cause: e.cause().cloned(),
                    });
                    report.delivered.push(None);
                    None
                }
            };
            if fresh.is_none() {
                failed = true;
            }
            let kept = fresh.or_else(|| previous.as_ref().and_then(|p| p.per_source[i].clone()));
            per_source.push(kept);
        }
        let merged = KeySet::concat(per_source.iter().flatten().map(|s| s.as_ref()));
        if failed {
            let message = if previous.is_some() {
                OLD_JWKS_RECACHED
            } else {
                INCOMPLETE_JWKS_CACHED
            };
            log::error!(target: "cloud_connector", "{message}");
            report.fallback = Some(message);
        }
        log::info!(target: "cloud_connector", kids:? = merged.kids(), provider = "CompositeProvider"; "JWKS refreshed");
        let changed = previous
            .as_ref()
            .is_none_or(|p| fingerprint(&p.merged) != fingerprint(&merged));
        let generation = previous
            .as_ref()
            .map_or(0, |p| p.generation + u64::from(changed));
        let wait = if failed {
            self.config.retry_after_failure
        } else {
            self.config.ttl
        };
        let snapshot = Snapshot {
            merged: Arc::new(merged),
            per_source,
            refresh_at: Instant::now() + wait,
            report,
            generation,
        };
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(snapshot));
        if changed {
            lock(&self.cache).clear();
        }
    }

    fn finish(&self) {
        let mut f = lock(&self.flight);
        f.refreshing = false;
        f.completed += 1;
        self.done.notify_all();
    }

    /// Loads, then releases the flight even if a source panics, so waiters never hang.
    fn load_and_finish(&self) {
        struct Finish<'a>(&'a Inner);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                self.0.finish();
            }
        }
        let _finish = Finish(self);
        self.load();
    }

    /// Runs a refresh now, or waits for the one in flight. Returns when a refresh has completed.
    fn refresh_blocking(&self, unknown_kid: bool) -> bool {
        let mut f = lock(&self.flight);
        if f.refreshing {
            let seen = f.completed;
            let _f = self
                .done
                .wait_while(f, |f| f.completed == seen)
                .unwrap_or_else(|p| p.into_inner());
            return true;
        }
        if unknown_kid {
            let cooling = f
                .last_unknown_kid_refresh
                .is_some_and(|t| t.elapsed() < self.config.unknown_kid_cooldown);
            if cooling {
                return false;
            }
            f.last_unknown_kid_refresh = Some(Instant::now());
        }
        f.refreshing = true;
        drop(f);
        self.load_and_finish();
        true
    }
}

impl CompositeProvider {
    /// A provider over `sources` (merged in this order). Nothing is loaded until the first
    /// verification or [`CompositeProvider::refresh`].
    pub fn new(sources: Vec<Arc<dyn KeySource>>, config: CompositeConfig) -> CompositeProvider {
        let capacity = config.token_cache_capacity;
        CompositeProvider {
            inner: Arc::new(Inner {
                stats: ProviderStats::new(sources.len()),
                sources,
                validation: config.validation(),
                config,
                snapshot: RwLock::new(None),
                flight: Mutex::new(Flight::default()),
                done: Condvar::new(),
                cache: Mutex::new(TokenCache::new(capacity)),
            }),
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &CompositeConfig {
        &self.inner.config
    }

    pub(super) fn spawn_refresh(&self) {
        let mut f = lock(&self.inner.flight);
        if f.refreshing {
            return;
        }
        // The caller saw a snapshot past its refresh time, but a refresh may have finished
        // since (it writes its snapshot before clearing `refreshing`): only a snapshot that is
        // still due starts another, or a failed refresh would be retried at once instead of
        // after `retry_after_failure`.
        if self
            .inner
            .current()
            .is_some_and(|s| Instant::now() < s.refresh_at)
        {
            return;
        }
        f.refreshing = true;
        drop(f);
        let inner = Arc::clone(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("cloud-connector-jwks".into())
            .spawn(move || inner.load_and_finish());
        if spawned.is_err() {
            // No thread: refresh inline rather than never.
            self.inner.load_and_finish();
        }
    }

    /// The current key set. With none yet, loads it (other callers wait for the same load);
    /// with one past its refresh time, starts a background refresh and returns the held set.
    pub fn key_set(&self) -> Arc<KeySet> {
        self.snapshot().merged.clone()
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        loop {
            if let Some(s) = self.inner.current() {
                if Instant::now() >= s.refresh_at {
                    self.spawn_refresh();
                }
                return s;
            }
            self.inner.refresh_blocking(false);
        }
    }

    /// The key set held now, without loading or refreshing (Python's `cached_jwks()`).
    pub fn cached_key_set(&self) -> Option<Arc<KeySet>> {
        self.inner.current().map(|s| s.merged.clone())
    }

    /// Refreshes now (blocking), or waits for the refresh in flight.
    pub fn refresh(&self) {
        self.inner.refresh_blocking(false);
    }

    /// True only when every source has delivered keys (python-api.md §5.6); loads if needed.
    pub fn ready(&self) -> bool {
        let ready = self.snapshot().per_source.iter().all(Option::is_some);
        if !ready {
            log::error!(target: "cloud_connector", cloud_connector_ready = false; "cloud connector is not ready");
        }
        ready
    }

    /// The merged public JWKS, in provider order.
    pub fn jwks(&self) -> Value {
        self.key_set().to_jwks()
    }

    /// What the latest refresh saw (failing sources, fallback message); `None` before any.
    pub fn last_refresh_report(&self) -> Option<RefreshReport> {
        self.inner.current().map(|s| s.report.clone())
    }

    /// How long until the held key set is due for a refresh (zero when overdue); `None` before
    /// any load.
    pub fn refresh_due_in(&self) -> Option<Duration> {
        self.inner
            .current()
            .map(|s| s.refresh_at.saturating_duration_since(Instant::now()))
    }

    /// Refreshes completed so far (bindings log "JWKS refreshed" when it moves).
    pub fn refreshes(&self) -> u64 {
        lock(&self.inner.flight).completed
    }

    /// Each source's refresh outcomes so far: `ok`, or the error code of a failed load.
    pub fn refresh_counts(&self) -> Vec<SourceRefreshCount> {
        let names = self.inner.sources.iter().map(|s| s.name().to_owned());
        self.inner.stats.refresh_counts(names)
    }

    /// Verifications the token cache answered (hits) and did not (misses).
    pub fn token_cache_stats(&self) -> TokenCacheStats {
        self.inner.stats.cache()
    }

    /// Authenticates for explicit audiences (a binding that reads the service name its own
    /// way, e.g. Python's `os.environ`); see [`AuthProvider::authenticate`]. A rejected token
    /// is logged (never the token itself) and gives an unauthenticated user whose `rejection`
    /// says why; only "no keys at all" is an error.
    pub fn authenticate_for(&self, token: &str, audiences: &[&str]) -> Result<CloudConnectorUser> {
        CloudConnectorUser::from_verified(self.verify(token, audiences))
    }

    /// A verification answered from the token cache alone: `Some` only for a cached token whose
    /// claims still pass now; never blocks, never checks a signature. Anything else (`None`)
    /// goes through [`CompositeProvider::verify`].
    pub fn verify_cached(&self, token: &str, audiences: &[&str]) -> Option<VerifiedClaims> {
        let v = &self.inner.validation;
        if !v.verify_signature || token.len() > v.max_token_size {
            return None;
        }
        let snapshot = self.inner.current()?;
        if Instant::now() >= snapshot.refresh_at {
            self.spawn_refresh();
        }
        let hit = lock(&self.inner.cache).get(token, snapshot.generation)?;
        let answered = recheck(&hit, v, audiences, token::now()).ok();
        // Only an answer counts: a None falls through to verify, which counts it there.
        answered.map(|()| {
            self.inner.stats.hit();
            VerifiedClaims::cached(hit)
        })
    }

    /// The audiences a token must name when the caller gives none: the configured list, else
    /// the current service name (`no_service_name` when neither is set).
    pub fn default_audiences(&self) -> Result<Vec<String>> {
        match &self.inner.config.audiences {
            Some(list) => Ok(list.clone()),
            None => Ok(vec![service_name()?]),
        }
    }

    /// Number of tokens in the verified-token cache.
    pub fn cached_tokens(&self) -> usize {
        lock(&self.inner.cache).len()
    }

    /// Verifies a token for any of `audiences` now, loading keys when needed: the typed error
    /// says why a token was refused.
    pub fn verify(&self, token: &str, audiences: &[&str]) -> Result<VerifiedClaims> {
        self.verify_at(token, audiences, token::now(), Wait::MayLoad)
    }

    /// [`CompositeProvider::verify`] at `now` (Unix seconds), waiting for keys or not.
    pub fn verify_at(
        &self,
        token: &str,
        audiences: &[&str],
        now: i64,
        wait: Wait,
    ) -> Result<VerifiedClaims> {
        self.verify_with(token, audiences, now, wait == Wait::MayLoad)
    }

    /// The verified token: the token cache's entry when it holds the token (a hit, or a token
    /// just verified and cached), else converted for this call.
    fn verify_with(
        &self,
        token: &str,
        audiences: &[&str],
        now: i64,
        may_load: bool,
    ) -> Result<VerifiedClaims> {
        let v = &self.inner.validation;
        if token.len() > v.max_token_size {
            return Err(Error::new(
                ErrorCode::TokenTooLarge,
                format!(
                    "token is {} bytes; the limit is {}",
                    token.len(),
                    v.max_token_size
                ),
            ));
        }
        let snapshot = if may_load {
            self.snapshot()
        } else {
            let held = self.inner.current();
            if held
                .as_ref()
                .is_some_and(|s| Instant::now() >= s.refresh_at)
            {
                self.spawn_refresh();
            }
            held.ok_or_else(|| {
                Error::new(
                    ErrorCode::ProviderUnavailable,
                    "no keys loaded yet: verify without waiting needs a completed load (refresh)",
                )
            })?
        };
        if snapshot.merged.is_empty() {
            return Err(Error::new(ErrorCode::ProviderUnavailable, NO_KEYS_MESSAGE));
        }
        if v.verify_signature {
            let hit = lock(&self.inner.cache).get(token, snapshot.generation);
            if let Some(hit) = hit {
                self.inner.stats.hit();
                return match recheck(&hit, v, audiences, now) {
                    Ok(()) => Ok(VerifiedClaims::cached(hit)),
                    Err(e) => {
                        lock(&self.inner.cache).remove(token);
                        Err(e)
                    }
                };
            }
            self.inner.stats.miss();
        }
        let (jws, claims, alg) = token::parse_checked(token, v)?;
        if v.verify_signature {
            let alg = alg
                .ok_or_else(|| Error::new(ErrorCode::UnsupportedAlgorithm, "alg is not allowed"))?;
            let kid = jws.kid()?;
            let input = jws.signing_input.as_bytes();
            let mut keys = snapshot.merged.clone();
            let mut generation = snapshot.generation;
            let mut m = keys.check(kid, alg, input, &jws.signature, false);
            if m == KeyMatch::UnknownKid && !may_load {
                m = keys.check(kid, alg, input, &jws.signature, true);
            } else if m == KeyMatch::UnknownKid {
                log::warn!(target: "cloud_connector", kid = kid.unwrap_or_default(); "token kid not in the key set");
                if self.inner.refresh_blocking(true) {
                    let s = self.snapshot();
                    keys = s.merged.clone();
                    generation = s.generation;
                }
                m = keys.check(kid, alg, input, &jws.signature, true);
            }
            if let Some(e) = token::signature_error(m, kid) {
                return Err(e);
            }
            let times = token::validate_claims_for(&claims, v, audiences, now)?;
            let verified = VerifiedToken {
                header: Arc::new(jws.header),
                claims: Arc::new(claims),
            };
            // Mapped to user claims once here, not on each hit; a disabled cache keeps neither.
            if self.inner.config.token_cache_capacity == 0 {
                return Ok(VerifiedClaims::converted(verified));
            }
            let entry = CachedToken {
                user: Arc::new(UserClaims::from_claims(&verified.claims)),
                verified,
                times,
                memo: Arc::default(),
            };
            lock(&self.inner.cache).insert(token, entry.clone(), generation);
            return Ok(VerifiedClaims::cached(entry));
        }
        token::validate_claims_for(&claims, v, audiences, now)?;
        Ok(VerifiedClaims::converted(VerifiedToken {
            header: Arc::new(jws.header),
            claims: Arc::new(claims),
        }))
    }

    /// Every binding conversion the token cache's memos hold: a host whose garbage collector
    /// must see the objects it stored (Ruby's `mark`) walks these.
    pub fn claims_memos(&self) -> Vec<Cause> {
        lock(&self.inner.cache).memos()
    }
}

/// A cached token judged again at `now` for `audiences`: only the time claims and the audience,
/// as every other rule depends on the claims and the provider's fixed policy alone, which
/// passed when the token was cached.
fn recheck(hit: &CachedToken, v: &Validation, audiences: &[&str], now: i64) -> Result<()> {
    hit.times.check(&hit.verified.claims, v, audiences, now)
}

/// Anything `authenticate` can ask to check a bearer token (python-api.md §5.1).
pub trait AuthProvider: Send + Sync {
    /// A user, authenticated or not. `Err` only for failures that must escape `authenticate`
    /// (no keys at all, no service name); a bad token is an unauthenticated user.
    fn authenticate(&self, token: &str) -> Result<CloudConnectorUser>;
}

/// A composite provider bound to audiences: `authenticate` checks tokens for these instead of
/// the current service name (a sidecar's `--audience`, a binding that reads the service name its
/// own way). `None` keeps the provider's own rule. Cheap to clone.
#[derive(Clone, Debug)]
pub struct BoundProvider {
    provider: CompositeProvider,
    audiences: Option<Vec<String>>,
}

impl CompositeProvider {
    /// This provider, authenticating for `audiences` (`None`: its default audiences).
    pub fn bound_to(&self, audiences: Option<Vec<String>>) -> BoundProvider {
        BoundProvider {
            provider: self.clone(),
            audiences,
        }
    }
}

impl AuthProvider for BoundProvider {
    fn authenticate(&self, token: &str) -> Result<CloudConnectorUser> {
        match &self.audiences {
            Some(list) => {
                let audiences: Vec<&str> = list.iter().map(String::as_str).collect();
                self.provider.authenticate_for(token, &audiences)
            }
            None => AuthProvider::authenticate(&self.provider, token),
        }
    }
}

impl AuthProvider for CompositeProvider {
    /// Verifies for [`CompositeProvider::default_audiences`] (the configured audiences, else the
    /// current service name); a rejected token is logged (never the token itself) and gives an
    /// unauthenticated user with empty claims. `Err` only for `provider_unavailable` (no keys at
    /// all) and `no_service_name`.
    fn authenticate(&self, token: &str) -> Result<CloudConnectorUser> {
        let audiences = self.default_audiences()?;
        let audiences: Vec<&str> = audiences.iter().map(String::as_str).collect();
        self.authenticate_for(token, &audiences)
    }
}
