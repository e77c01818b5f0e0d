//! `cloud-connector serve`: the catalog as a JSON API (and a plain HTML index), a self-hosted
//! OIDC issuer (discovery + the key ring's JWKS), a forward-auth endpoint for nginx
//! `auth_request` / Traefik ForwardAuth / Envoy ext_authz, health and readiness probes and
//! Prometheus metrics. Verification is the core's, with its caches.

mod access_log;
mod api;
mod forward_auth;
mod html;
mod issuer;
mod metrics;
mod proxy;
mod quota;
mod quota_redis;
mod tokens;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use axum::middleware::from_fn;
use axum::routing::{any, get, post};
use axum::Router;
use clap::Args;
use cloud_connector::auth::{
    CompositeConfig, CompositeProvider, HttpConfig, KeySource, OidcProvider, StaticJwksProvider,
};
use cloud_connector::quota::{redis_config_of, FailurePolicy, MemoryStore, Quotas};
use cloud_connector::runway::{Issuer, Manifest, SIDECAR_PREFIX};
use cloud_connector::token::KeyRing;
use cloud_connector::{Catalog, Error, ErrorCode};
use serde_json::json;

use crate::failure::Failure;
use crate::Outcome;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed). Default
    /// 127.0.0.1:8080, or with --runway 0.0.0.0 and the manifest's sidecar port.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// A Runway service manifest: the sidecar in front of the application, configured from its
    /// `spec.cloud_connector` block alone (issuers, audience, paths), forwarding to the
    /// application's `container_port` on 127.0.0.1.
    #[arg(long, value_name = "MANIFEST", conflicts_with_all = ["jwks", "oidc", "rules", "audience"])]
    runway: Option<PathBuf>,
    /// A key ring directory: published as this server's JWKS and trusted by /auth.
    #[arg(long, value_name = "DIR")]
    keys: Option<PathBuf>,
    /// A JWKS file whose keys /auth trusts (repeat; air-gapped sites).
    #[arg(long, value_name = "FILE")]
    jwks: Vec<PathBuf>,
    /// An OIDC issuer whose keys /auth trusts (repeat), e.g. https://gitlab.com.
    #[arg(long, value_name = "URL")]
    oidc: Vec<String>,
    /// The audience /auth requires: the protected service's name.
    #[arg(long, default_value = "gitlab-ai-gateway")]
    audience: String,
    /// The issuer URL this server announces in its OIDC discovery document.
    #[arg(long)]
    issuer: Option<String>,
    /// `PATH_PREFIX=UNIT_PRIMITIVE`: requests under the prefix need that unit primitive when they
    /// name none in `X-Gitlab-Unit-Primitive` (repeat; the longest prefix wins).
    #[arg(long = "rule", value_name = "PREFIX=UNIT_PRIMITIVE")]
    rules: Vec<String>,
    /// A file holding the secret that turns on `POST /api/v1/tokens` (issue tokens with the
    /// --keys ring); callers send it as `Authorization: Bearer <secret>`.
    #[arg(long, value_name = "FILE", requires = "keys")]
    issue_secret_file: Option<PathBuf>,
    /// A quota file: /auth judges each granted request against its limits (429 when over).
    #[arg(long, value_name = "FILE")]
    quotas: Option<PathBuf>,
    /// Keep the --quotas counters in this Redis (`redis://HOST:PORT`), shared by replicas.
    #[arg(long, value_name = "URL", requires = "quotas")]
    redis: Option<String>,
    /// What a request gets while Redis is unreachable: `open` (the default) admits it,
    /// `closed` answers 429.
    #[arg(long, value_name = "open|closed", requires = "redis")]
    redis_failure: Option<String>,
    /// Seconds a decision waits for Redis (connect or answer) before the failure policy.
    #[arg(long, value_name = "SECONDS", requires = "redis")]
    redis_timeout: Option<f64>,
    /// Connections to Redis (2), each carrying one batch of decisions at a time.
    #[arg(long, value_name = "N", requires = "redis")]
    redis_connections: Option<i64>,
}

/// Everything the handlers share.
pub struct AppState {
    pub catalog: Catalog,
    pub provider: Option<CompositeProvider>,
    pub ring: Option<KeyRing>,
    pub issuer: String,
    pub audience: String,
    pub rules: Vec<(String, String)>,
    pub metrics: metrics::Metrics,
    /// `--issue-secret-file`'s secret; `None` keeps `POST /api/v1/tokens` off.
    pub issue_secret: Option<String>,
    /// `--runway`: where requests go once allowed.
    pub proxy: Option<proxy::Proxy>,
    /// `--quotas`: the limits and their store; `None` judges no quotas.
    pub quotas: Option<quota::QuotaGate>,
}

fn read_issue_secret(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            "invalid_argument",
            format!("--issue-secret-file {}: {e}", path.display()),
            2,
        )
    })?;
    let secret = text.trim();
    // A short secret would make the issuer the weakest link of every token it signs.
    if secret.len() < 16 {
        return Err(Failure::new(
            "invalid_argument",
            format!(
                "--issue-secret-file {}: the secret must be at least 16 characters",
                path.display()
            ),
            2,
        ));
    }
    Ok(secret.to_owned())
}

pub type Shared = Arc<AppState>;

fn parse_rules(rules: &[String], catalog: &Catalog) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::new();
    for rule in rules {
        let (prefix, up) = rule.split_once('=').ok_or_else(|| {
            Failure::new(
                "invalid_argument",
                format!("--rule '{rule}' is not PREFIX=UNIT_PRIMITIVE"),
                2,
            )
        })?;
        if !prefix.starts_with('/') {
            return Err(Failure::new(
                "invalid_argument",
                format!("--rule '{rule}': the prefix must start with /"),
                2,
            ));
        }
        let known = catalog.unit_primitive(up).ok_or_else(|| {
            Failure::new(
                "invalid_argument",
                format!("--rule '{rule}': '{up}' is not a unit primitive of the catalog"),
                2,
            )
        })?;
        out.push((prefix.to_owned(), known.name.clone()));
    }
    // Longest prefix first, so the most specific rule wins.
    out.sort_by_key(|rule| std::cmp::Reverse(rule.0.len()));
    Ok(out)
}

fn quota_gate(
    args: &ServeArgs,
    path: &Path,
    catalog: &Catalog,
) -> Result<quota::QuotaGate, Failure> {
    let quotas = Quotas::load(path, catalog)?;
    let redis = redis_config_of(
        args.redis.as_deref(),
        args.redis_timeout,
        args.redis_connections,
        args.redis_failure.as_deref(),
    )?;
    let (backend, policy) = match redis {
        None => (
            quota::Backend::Memory(MemoryStore::default()),
            FailurePolicy::default(),
        ),
        Some(config) => (
            quota::Backend::Redis(quota_redis::RedisStore::new(&config)?),
            config.failure,
        ),
    };
    Ok(quota::QuotaGate {
        quotas,
        backend,
        policy,
        metrics: quota::QuotaMetrics::default(),
        store_down: Default::default(),
    })
}

fn build_state(
    args: &ServeArgs,
    config: Option<&Path>,
    bound: SocketAddr,
) -> Result<AppState, Failure> {
    let catalog = match config {
        Some(dir) => Catalog::load_dir(dir)?,
        None => Catalog::embedded().clone(),
    };
    let manifest = args
        .runway
        .as_deref()
        .map(|path| crate::runway_cmd::checked(path, &catalog))
        .transpose()?;
    let ring = match &args.keys {
        Some(dir) if !dir.is_dir() => {
            return Err(Error::new(
                ErrorCode::KeyRing,
                format!("key ring directory {} does not exist", dir.display()),
            )
            .into())
        }
        Some(dir) => Some(KeyRing::load_dir(dir)?),
        None => None,
    };
    let mut sources: Vec<Arc<dyn KeySource>> = Vec::new();
    if let Some(ring) = &ring {
        sources.push(Arc::new(StaticJwksProvider::from_json(
            "KeyRing",
            &ring.jwks().to_string(),
        )?));
    }
    let mut jwks: Vec<(String, PathBuf)> = args
        .jwks
        .iter()
        .map(|p| (p.display().to_string(), p.clone()))
        .collect();
    let mut oidc = args.oidc.clone();
    let mut http = HttpConfig::default();
    // The audience is this sidecar's setting, never the process environment.
    let mut config = CompositeConfig {
        audiences: Some(vec![args.audience.clone()]),
        ..CompositeConfig::default()
    };
    let mut rules = parse_rules(&args.rules, &catalog)?;
    let mut audience = args.audience.clone();
    let mut proxy = None;
    if let Some(m) = &manifest {
        let cc = &m.cloud_connector;
        for issuer in &cc.issuers {
            match issuer {
                Issuer::Oidc(url) => oidc.push(url.clone()),
                Issuer::JwksFile { written, path } => jwks.push((written.clone(), path.clone())),
            }
        }
        http = cc.key_fetch.http.clone();
        config = cc.composite_config();
        rules = cc
            .paths
            .iter()
            .map(|p| (p.prefix.clone(), p.unit_primitive.clone()))
            .collect();
        audience = cc.backend.jwt_aud.clone();
        proxy = Some(proxy::Proxy::new(
            format!("http://127.0.0.1:{}", m.container_port),
            cc.clone(),
            m.request_timeout.map(std::time::Duration::from_secs),
        ));
    }
    for (name, path) in &jwks {
        sources.push(Arc::new(StaticJwksProvider::from_file(name.clone(), path)?));
    }
    for url in &oidc {
        sources.push(Arc::new(OidcProvider::new(url.clone(), url, http.clone())));
    }
    let provider = (!sources.is_empty()).then(|| CompositeProvider::new(sources, config));
    let quotas = match &args.quotas {
        Some(path) => Some(quota_gate(args, path, &catalog)?),
        None => None,
    };
    Ok(AppState {
        quotas,
        rules,
        catalog,
        provider,
        ring,
        issuer: args
            .issuer
            .clone()
            .unwrap_or_else(|| format!("http://{bound}")),
        audience,
        metrics: metrics::Metrics::default(),
        issue_secret: args
            .issue_secret_file
            .as_deref()
            .map(read_issue_secret)
            .transpose()?,
        proxy,
    })
}

/// `--runway`: the sidecar's own endpoints under a prefix no application path uses; every
/// other request is the application's.
fn runway_router(state: Shared) -> Router {
    let own = |path: &str| format!("{SIDECAR_PREFIX}/{path}");
    Router::new()
        .route(&own("healthz"), get(|| async { "ok" }))
        .route(&own("readyz"), get(api::readyz))
        .route(&own("metrics"), get(metrics::render))
        .fallback(proxy::forward)
        .layer(from_fn(access_log::layer))
        .with_state(state)
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(html::index))
        .route("/unit_primitives/{name}", get(html::unit_primitive))
        .route("/backend_services/{name}", get(html::backend_service))
        .route("/add_ons/{name}", get(html::add_on))
        .route("/groups", get(html::groups))
        .route("/groups/{name}", get(html::group))
        .route("/legacy/{realm}", get(html::legacy))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(metrics::render))
        .route("/api/v1/unit_primitives", get(api::unit_primitives))
        .route("/api/v1/unit_primitives/{name}", get(api::unit_primitive))
        .route("/api/v1/groups", get(api::groups))
        .route("/api/v1/legacy/{realm}", get(api::legacy))
        .route("/api/v1/tokens", post(tokens::create))
        .route("/api/v1/{kind}", get(api::records))
        .route("/.well-known/openid-configuration", get(issuer::discovery))
        .route("/oauth/discovery/keys", get(issuer::jwks))
        .route("/auth", any(forward_auth::check))
        .route("/auth/{*rest}", any(forward_auth::check))
        .layer(from_fn(access_log::layer))
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// A structured log line on stderr.
pub fn log(event: &str, fields: serde_json::Value) {
    let mut line = json!({"ts": chrono::Utc::now().to_rfc3339(), "event": event});
    if let (Some(obj), serde_json::Value::Object(extra)) = (line.as_object_mut(), fields) {
        obj.extend(extra);
    }
    // One write per line: stderr is unbuffered, and printing the Value through `{}` would issue
    // a write per string in it (a dozen system calls per request, most of /auth's cost).
    let mut text = line.to_string();
    text.push('\n');
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes());
}

/// `--listen`, else the manifest's sidecar port on every interface (a container's ingress),
/// else 127.0.0.1:8080.
fn listen_address(args: &ServeArgs) -> Result<SocketAddr, Failure> {
    if let Some(listen) = args.listen {
        return Ok(listen);
    }
    match &args.runway {
        Some(path) => {
            let m = Manifest::load(path)?;
            Ok(SocketAddr::from((
                [0, 0, 0, 0],
                m.cloud_connector.sidecar.port,
            )))
        }
        None => Ok(SocketAddr::from(([127, 0, 0, 1], 8080))),
    }
}

pub fn run(args: ServeArgs, config: Option<&Path>) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Signature checks (cache misses) run on the blocking pool. Tokio's default of 512
        // threads let a burst of bad tokens start one per connection, each with its own stack
        // and allocator heap (80 MB under 64 connections); more threads than a handful of cores
        // verify no faster, and waiting requests queue instead.
        .max_blocking_threads(8)
        .enable_all()
        .build()
        .map_err(|e| Failure::new("io", format!("cannot start the runtime: {e}"), 2))?;
    runtime.block_on(async move {
        let listen = listen_address(&args)?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Failure::new("io", format!("cannot listen on {listen}: {e}",), 2))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Failure::new("io", e.to_string(), 2))?;
        let state = Arc::new(build_state(&args, config, bound)?);
        if let Some(p) = state.provider.clone() {
            // Load keys in the background so /readyz turns ready without a first request.
            tokio::task::spawn_blocking(move || p.ready());
        }
        crate::output::emit(&format!("listening on http://{bound}"));
        log(
            "listening",
            json!({"address": bound.to_string(), "issuer": state.issuer}),
        );
        let app = if state.proxy.is_some() {
            runway_router(state)
        } else {
            router(state)
        };
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| Failure::new("io", format!("server error: {e}"), 2))?;
        log("stopped", json!({}));
        Ok(ExitCode::SUCCESS)
    })
}
