//! `spec.cloud_connector`: the backend a Runway service is, the unit primitives it serves and
//! which paths need which, the issuers it trusts, key-fetch options, the sidecar, and quotas.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::reader::{item, join, Reader};
use crate::auth::{CompositeConfig, HttpConfig};
use crate::catalog::is_snake_case;
use crate::error::ProblemKind;
use crate::options::{composite_config, http_config, Args, OIDC_OPTIONS};
use crate::yaml_value::to_arg;

const BLOCK: &[&str] = &[
    "backend",
    "unit_primitives",
    "paths",
    "issuers",
    "key_fetch",
    "sidecar",
    "quotas",
];
const BACKEND: &[&str] = &["name", "jwt_aud", "description"];
const PATH: &[&str] = &["prefix", "unit_primitive"];
const ISSUER: &[&str] = &["oidc", "jwks_file"];
const SIDECAR: &[&str] = &["port", "image"];
/// The key-fetch options a manifest may set: the composite provider's cache and refresh
/// timings, and the OIDC fetch timeout. Ranges and defaults are the core's options'.
pub const KEY_FETCH_OPTIONS: &[&str] = &[
    "ttl_seconds",
    "retry_after_failure_seconds",
    "unknown_kid_cooldown_seconds",
    "token_cache_size",
    "leeway",
    "timeout_seconds",
];
/// The sidecar's port when the block sets none.
pub const DEFAULT_SIDECAR_PORT: u16 = 9900;
/// The sidecar's image when the block sets none: this release of this project.
pub const DEFAULT_SIDECAR_IMAGE: &str = concat!("cloud-connector:", env!("CARGO_PKG_VERSION"));

/// The backend service the manifest's service is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// The catalog name (`ai_gateway`).
    pub name: String,
    /// The audience its tokens carry (`gitlab-ai-gateway`).
    pub jwt_aud: String,
    /// Set when the manifest declares a backend the catalog does not have yet.
    pub description: Option<String>,
}

/// Requests under `prefix` need `unit_primitive`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathRule {
    /// A path prefix, starting with `/`.
    pub prefix: String,
    /// One of the block's unit primitives.
    pub unit_primitive: String,
}

impl PathRule {
    /// Whether a request path falls under this rule (the same prefix match as `serve --rule`).
    pub fn matches(&self, path: &str) -> bool {
        path.starts_with(&self.prefix)
    }
}

/// An issuer whose tokens the service accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issuer {
    /// An OIDC issuer URL; its keys come from its discovery document.
    Oidc(String),
    /// A JWKS file (air-gapped sites): as written, and resolved against the manifest's directory.
    JwksFile {
        /// The path as the manifest writes it.
        written: String,
        /// The path to read.
        path: PathBuf,
    },
}

/// Key-fetch options as set (for rendering) and as the core's configs.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyFetch {
    /// The options the block sets, in its order, as JSON values.
    pub given: Vec<(String, serde_json::Value)>,
    /// The composite provider's configuration (audiences not yet set).
    pub composite: CompositeConfig,
    /// The OIDC sources' HTTP configuration.
    pub http: HttpConfig,
}

/// The sidecar in front of the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sidecar {
    /// The port it listens on (the service's ingress port).
    pub port: u16,
    /// Its container image.
    pub image: String,
}

/// Quotas per unit primitive: a placeholder until the quota engine lands. The block is
/// accepted as a mapping and carried to the rendered configuration unchanged; nothing
/// enforces it yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Quotas {
    /// The block as written.
    pub raw: serde_json::Value,
}

/// The whole `spec.cloud_connector` block.
#[derive(Clone, Debug, PartialEq)]
pub struct CloudConnector {
    /// The backend service.
    pub backend: Backend,
    /// The unit primitives the service serves.
    pub unit_primitives: Vec<String>,
    /// Which paths need which unit primitive.
    pub paths: Vec<PathRule>,
    /// Trusted issuers.
    pub issuers: Vec<Issuer>,
    /// Key-fetch options.
    pub key_fetch: KeyFetch,
    /// The sidecar.
    pub sidecar: Sidecar,
    /// Quotas, when set (not enforced yet).
    pub quotas: Option<Quotas>,
}

impl CloudConnector {
    /// The unit primitive a request path needs, if a path rule covers it. Rules do not
    /// overlap (the block's check), so at most one matches.
    pub fn unit_primitive_for(&self, path: &str) -> Option<&str> {
        self.paths
            .iter()
            .find(|rule| rule.matches(path))
            .map(|rule| rule.unit_primitive.as_str())
    }

    /// Whether the service serves this unit primitive.
    pub fn serves(&self, unit_primitive: &str) -> bool {
        self.unit_primitives.iter().any(|u| u == unit_primitive)
    }

    /// The composite provider's configuration, bound to the backend's audience.
    pub fn composite_config(&self) -> CompositeConfig {
        CompositeConfig {
            audiences: Some(vec![self.backend.jwt_aud.clone()]),
            ..self.key_fetch.composite.clone()
        }
    }
}

fn get<'v>(m: &'v Mapping, key: &str) -> Option<&'v Value> {
    m.get(key)
}

pub(crate) fn read(r: &mut Reader, v: &Value, at: &str, dir: &Path) -> Option<CloudConnector> {
    let m = r.mapping(v, at, BLOCK, &["backend", "unit_primitives", "issuers"])?;
    let backend = get(m, "backend").and_then(|v| backend(r, v, &join(at, "backend")));
    let unit_primitives = match get(m, "unit_primitives") {
        Some(v) => r.names(v, &join(at, "unit_primitives"), true),
        None => Vec::new(),
    };
    let paths = get(m, "paths")
        .map(|v| paths(r, v, &join(at, "paths"), &unit_primitives))
        .unwrap_or_default();
    let issuers = get(m, "issuers").map(|v| issuers(r, v, &join(at, "issuers"), dir));
    let key_fetch = key_fetch(r, get(m, "key_fetch"), &join(at, "key_fetch"));
    let sidecar = sidecar(r, get(m, "sidecar"), &join(at, "sidecar"));
    let quotas = get(m, "quotas").and_then(|v| {
        r.mapping(v, &join(at, "quotas"), &[], &[])?;
        Some(Quotas {
            raw: serde_json::to_value(v).unwrap_or_default(),
        })
    });
    Some(CloudConnector {
        backend: backend?,
        unit_primitives,
        paths,
        issuers: issuers?,
        key_fetch: key_fetch?,
        sidecar: sidecar?,
        quotas,
    })
}

fn backend(r: &mut Reader, v: &Value, at: &str) -> Option<Backend> {
    let m = r.mapping(v, at, BACKEND, &["name", "jwt_aud"])?;
    let name = get(m, "name").and_then(|v| r.string(v, &join(at, "name")));
    if let Some(n) = &name {
        if !is_snake_case(n) {
            let message = format!("'{n}' is not a catalog name (lowercase snake_case)");
            r.problem(ProblemKind::InvalidValue, &join(at, "name"), message);
        }
    }
    let jwt_aud = get(m, "jwt_aud").and_then(|v| r.string(v, &join(at, "jwt_aud")));
    let description = get(m, "description").and_then(|v| r.string(v, &join(at, "description")));
    Some(Backend {
        name: name?,
        jwt_aud: jwt_aud?,
        description,
    })
}

/// Two prefixes overlap when one matches the other: a request could need either rule.
fn overlaps(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

fn paths(r: &mut Reader, v: &Value, at: &str, served: &[String]) -> Vec<PathRule> {
    let mut out: Vec<(usize, PathRule)> = Vec::new();
    for (i, entry) in r.list(v, at, false).unwrap_or_default().iter().enumerate() {
        let here = item(at, i);
        let Some(m) = r.mapping(entry, &here, PATH, PATH) else {
            continue;
        };
        let prefix = get(m, "prefix").and_then(|v| r.string(v, &join(&here, "prefix")));
        let up = get(m, "unit_primitive").and_then(|v| r.string(v, &join(&here, "unit_primitive")));
        let (Some(prefix), Some(up)) = (prefix, up) else {
            continue;
        };
        if !prefix.starts_with('/') {
            r.problem(
                ProblemKind::InvalidValue,
                &join(&here, "prefix"),
                "must start with /",
            );
            continue;
        }
        if !served.contains(&up) {
            let message = format!("'{up}' is not one of this block's unit_primitives");
            r.problem(
                ProblemKind::DanglingReference,
                &join(&here, "unit_primitive"),
                message,
            );
        }
        if let Some((j, other)) = out.iter().find(|(_, o)| overlaps(&o.prefix, &prefix)) {
            let message = format!(
                "'{prefix}' overlaps '{}' ({}); a request could need either",
                other.prefix,
                item(at, *j)
            );
            r.problem(ProblemKind::InvalidValue, &join(&here, "prefix"), message);
            continue;
        }
        out.push((
            i,
            PathRule {
                prefix,
                unit_primitive: up,
            },
        ));
    }
    out.into_iter().map(|(_, rule)| rule).collect()
}

/// `https://`, or `http://` to the local machine only (tests, a sidecar beside its issuer).
fn url_allowed(url: &str) -> bool {
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    url.starts_with("https://")
        || local.iter().any(|l| {
            url.strip_prefix(l)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        })
}

fn issuers(r: &mut Reader, v: &Value, at: &str, dir: &Path) -> Vec<Issuer> {
    let mut out = Vec::new();
    for (i, entry) in r.list(v, at, true).unwrap_or_default().iter().enumerate() {
        let here = item(at, i);
        let Some(m) = r.mapping(entry, &here, ISSUER, &[]) else {
            continue;
        };
        let issuer = match (get(m, "oidc"), get(m, "jwks_file")) {
            (Some(url), None) => r.string(url, &join(&here, "oidc")).and_then(|url| {
                if url_allowed(&url) {
                    Some(Issuer::Oidc(url.trim_end_matches('/').to_owned()))
                } else {
                    let message =
                        format!("'{url}' must be an https:// URL (http:// only to localhost)");
                    r.problem(ProblemKind::InvalidValue, &join(&here, "oidc"), message);
                    None
                }
            }),
            (None, Some(file)) => r.string(file, &join(&here, "jwks_file")).map(|written| {
                let path = dir.join(&written);
                Issuer::JwksFile { written, path }
            }),
            _ => {
                let message = "needs exactly one of oidc (a URL) or jwks_file (a path)";
                r.problem(ProblemKind::InvalidValue, &here, message);
                None
            }
        };
        if let Some(issuer) = issuer {
            if out.contains(&issuer) {
                r.problem(ProblemKind::DuplicateEntry, &here, "the same issuer twice");
            } else {
                out.push(issuer);
            }
        }
    }
    out
}

fn key_fetch(r: &mut Reader, v: Option<&Value>, at: &str) -> Option<KeyFetch> {
    let mut composite = Args::new();
    let mut http = Args::new();
    let mut given = Vec::new();
    if let Some(m) = v.and_then(|v| r.mapping(v, at, KEY_FETCH_OPTIONS, &[])) {
        for (key, value) in m {
            let Some(name) = key.as_str().filter(|k| KEY_FETCH_OPTIONS.contains(k)) else {
                continue;
            };
            let one = Args::from_pairs([(name.to_owned(), to_arg(value))]);
            // One option at a time, so a bad value's problem names its own key.
            let is_http = OIDC_OPTIONS.iter().any(|(n, _)| *n == name);
            let checked = if is_http {
                http_config(&one).map(drop)
            } else {
                composite_config(&one).map(drop)
            };
            if let Err(e) = checked {
                r.problem(ProblemKind::InvalidValue, &join(at, name), e.message());
                continue;
            }
            let target = if is_http { &mut http } else { &mut composite };
            target.set(name, to_arg(value));
            given.push((
                name.to_owned(),
                serde_json::to_value(value).unwrap_or_default(),
            ));
        }
    }
    Some(KeyFetch {
        given,
        composite: composite_config(&composite).ok()?,
        http: http_config(&http).ok()?,
    })
}

fn sidecar(r: &mut Reader, v: Option<&Value>, at: &str) -> Option<Sidecar> {
    let mut out = Sidecar {
        port: DEFAULT_SIDECAR_PORT,
        image: DEFAULT_SIDECAR_IMAGE.to_owned(),
    };
    let Some(v) = v else {
        return Some(out);
    };
    let m = r.mapping(v, at, SIDECAR, &[])?;
    if let Some(p) = get(m, "port") {
        out.port = u16::try_from(r.whole(p, &join(at, "port"), 1, 65_535)?).ok()?;
    }
    if let Some(i) = get(m, "image") {
        out.image = r.string(i, &join(at, "image"))?;
    }
    Some(out)
}
