//! What Runway would apply for a manifest: the catalog records to add or change (with a diff
//! against the current catalog), the sidecar's configuration, a Cloud Run multi-container
//! service with the sidecar in front of the application, and the same sidecar as a compose
//! file for self-hosted sites. Every output is text, so tests compare it with golden files.

use serde_yaml::{Mapping, Value};

use super::block::Issuer;
use super::diff::diff;
use super::{Manifest, Probe};
use crate::catalog::{BackendService, Catalog};

/// Where the sidecar finds the manifest inside its container.
pub const MANIFEST_MOUNT: &str = "/etc/cloud-connector/runway.yml";
/// The sidecar's own endpoints, under a prefix no application path uses.
pub const SIDECAR_PREFIX: &str = "/-/cloud-connector";
/// The application's image when the manifest sets none (Runway takes it from CI).
const CI_IMAGE: &str = "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}";

/// One rendered file: its path under the output directory, and its text.
pub type Rendered = (String, String);

fn map<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        if !v.is_null() {
            m.insert(Value::from(k), v);
        }
    }
    Value::Mapping(m)
}

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Sequence(items.into_iter().collect())
}

fn text(v: &Value) -> String {
    serde_yaml::to_string(v).unwrap_or_default()
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// Cloud Run wants lowercase letters, digits and hyphens in names.
fn dns_name(name: &str) -> String {
    name.replace('_', "-").to_lowercase()
}

/// The catalog records to add or change, and `catalog.diff`. Only a backend the manifest
/// declares (one the catalog lacks) changes the catalog: its record, and each served unit
/// primitive with the backend added to its `backend_services`.
fn catalog_changes(manifest: &Manifest, catalog: &Catalog) -> Vec<Rendered> {
    let b = &manifest.cloud_connector.backend;
    let mut files = Vec::new();
    let mut patch = String::new();
    if let (None, Some(description)) = (catalog.backend_service(&b.name), &b.description) {
        let record = BackendService {
            name: b.name.clone(),
            description: description.clone(),
            jwt_aud: b.jwt_aud.clone(),
            group: None,
            project_url: None,
        };
        let new = format!(
            "---\n{}",
            text(&serde_yaml::to_value(&record).unwrap_or_default())
        );
        let path = format!("config/backend_services/{}.yml", b.name);
        patch.push_str(&diff("/dev/null", &path, "", &new));
        files.push((path, new));
        for name in &manifest.cloud_connector.unit_primitives {
            let Some(up) = catalog.unit_primitive(name) else {
                continue;
            };
            let old = format!(
                "---\n{}",
                text(&serde_yaml::to_value(up).unwrap_or_default())
            );
            let mut changed = up.clone();
            changed.backend_services.push(b.name.clone());
            let new = format!(
                "---\n{}",
                text(&serde_yaml::to_value(&changed).unwrap_or_default())
            );
            let path = format!("config/unit_primitives/{name}.yml");
            patch.push_str(&diff(&path, &path, &old, &new));
            files.push((path, new));
        }
    }
    if patch.is_empty() {
        patch.push_str(
            "# no catalog changes: the backend and its unit primitives are in the catalog\n",
        );
    }
    files.push(("catalog.diff".to_owned(), patch));
    files
}

/// The sidecar's configuration as `serve --runway` resolves it from the manifest.
fn sidecar_config(manifest: &Manifest) -> Value {
    let cc = &manifest.cloud_connector;
    let issuers = cc.issuers.iter().map(|i| match i {
        Issuer::Oidc(url) => map([("oidc", url.as_str().into())]),
        Issuer::JwksFile { written, .. } => map([("jwks_file", written.as_str().into())]),
    });
    let rules = cc.paths.iter().map(|p| {
        map([
            ("prefix", p.prefix.as_str().into()),
            ("unit_primitive", p.unit_primitive.as_str().into()),
        ])
    });
    let options = cc
        .key_fetch
        .given
        .iter()
        .map(|(k, v)| (k.as_str(), serde_yaml::to_value(v).unwrap_or_default()));
    let mut key_fetch = Mapping::new();
    for (k, v) in options {
        key_fetch.insert(k.into(), v);
    }
    map([
        ("listen", format!("0.0.0.0:{}", cc.sidecar.port).into()),
        (
            "upstream",
            format!("http://127.0.0.1:{}", manifest.container_port).into(),
        ),
        ("own_endpoints", SIDECAR_PREFIX.into()),
        ("backend", cc.backend.name.as_str().into()),
        ("audience", cc.backend.jwt_aud.as_str().into()),
        (
            "unit_primitives",
            list(cc.unit_primitives.iter().map(|u| u.as_str().into())),
        ),
        ("paths", list(rules)),
        ("issuers", list(issuers)),
        ("key_fetch", Value::Mapping(key_fetch)),
        (
            "quotas",
            opt(cc
                .quotas
                .as_ref()
                .map(|q| serde_yaml::to_value(&q.raw).unwrap_or_default())),
        ),
    ])
}

fn probe(p: &Probe, port: u16) -> Value {
    map([
        (
            "httpGet",
            map([("path", p.path.as_str().into()), ("port", port.into())]),
        ),
        ("initialDelaySeconds", opt(p.initial_delay_seconds)),
        ("timeoutSeconds", opt(p.timeout_seconds)),
        ("periodSeconds", opt(p.period_seconds)),
        ("failureThreshold", opt(p.failure_threshold)),
        ("successThreshold", opt(p.success_threshold)),
    ])
}

/// The Cloud Run (Knative) service: the sidecar is the ingress container on the sidecar port
/// and forwards to the application's container port on the shared localhost; the manifest's
/// probes stay on the application container.
fn cloud_run(manifest: &Manifest) -> Value {
    let cc = &manifest.cloud_connector;
    let c = &manifest.capacity;
    let port = manifest.container_port;
    let name = dns_name(&manifest.name);
    let annotations = map([
        (
            "autoscaling.knative.dev/minScale",
            opt(c.min_instances.map(|n| n.to_string())),
        ),
        (
            "autoscaling.knative.dev/maxScale",
            opt(c.max_instances.map(|n| n.to_string())),
        ),
        (
            "run.googleapis.com/startup-cpu-boost",
            opt(c.startup_cpu_boost.map(|b| b.to_string())),
        ),
        (
            "run.googleapis.com/container-dependencies",
            r#"{"cloud-connector":["app"]}"#.into(),
        ),
    ]);
    let own_probe = |what: &str| {
        map([(
            "httpGet",
            map([
                ("path", format!("{SIDECAR_PREFIX}/{what}").into()),
                ("port", cc.sidecar.port.into()),
            ]),
        )])
    };
    let sidecar = map([
        ("name", "cloud-connector".into()),
        ("image", cc.sidecar.image.as_str().into()),
        (
            "args",
            list(["serve".into(), "--runway".into(), MANIFEST_MOUNT.into()]),
        ),
        (
            "ports",
            list([map([
                ("name", "http1".into()),
                ("containerPort", cc.sidecar.port.into()),
            ])]),
        ),
        ("startupProbe", own_probe("readyz")),
        ("livenessProbe", own_probe("healthz")),
        (
            "volumeMounts",
            list([map([
                ("name", "runway-manifest".into()),
                ("mountPath", "/etc/cloud-connector".into()),
                ("readOnly", true.into()),
            ])]),
        ),
    ]);
    let limits = map([
        ("cpu", opt(c.cpu.clone())),
        ("memory", opt(c.memory.clone())),
    ]);
    let app = map([
        ("name", "app".into()),
        (
            "image",
            manifest.image.as_deref().unwrap_or(CI_IMAGE).into(),
        ),
        (
            "env",
            list([map([
                ("name", "PORT".into()),
                ("value", port.to_string().into()),
            ])]),
        ),
        (
            "resources",
            if limits.as_mapping().is_some_and(Mapping::is_empty) {
                Value::Null
            } else {
                map([("limits", limits)])
            },
        ),
        (
            "startupProbe",
            opt(manifest.startup_probe.as_ref().map(|p| probe(p, port))),
        ),
        (
            "livenessProbe",
            opt(manifest.liveness_probe.as_ref().map(|p| probe(p, port))),
        ),
        (
            "readinessProbe",
            opt(manifest.readiness_probe.as_ref().map(|p| probe(p, port))),
        ),
    ]);
    let secret = map([
        ("secretName", format!("{name}-runway-manifest").into()),
        (
            "items",
            list([map([
                ("key", "latest".into()),
                ("path", "runway.yml".into()),
            ])]),
        ),
    ]);
    map([
        ("apiVersion", "serving.knative.dev/v1".into()),
        ("kind", "Service".into()),
        ("metadata", map([("name", name.as_str().into())])),
        (
            "spec",
            map([(
                "template",
                map([
                    ("metadata", map([("annotations", annotations)])),
                    (
                        "spec",
                        map([
                            (
                                "containerConcurrency",
                                opt(c.max_instance_request_concurrency),
                            ),
                            ("timeoutSeconds", opt(manifest.request_timeout)),
                            ("containers", list([sidecar, app])),
                            (
                                "volumes",
                                list([map([
                                    ("name", "runway-manifest".into()),
                                    ("secret", secret),
                                ])]),
                            ),
                        ]),
                    ),
                ]),
            )]),
        ),
    ])
}

/// The compose file for a self-hosted site: the sidecar shares the application's network
/// namespace, so it reaches the application on localhost as in Cloud Run, and the
/// application publishes only the sidecar's port.
fn compose(manifest: &Manifest) -> Value {
    let cc = &manifest.cloud_connector;
    let port = cc.sidecar.port;
    let mut mounts = vec![Value::from(format!("./runway.yml:{MANIFEST_MOUNT}:ro"))];
    for issuer in &cc.issuers {
        if let Issuer::JwksFile { written, .. } = issuer {
            mounts.push(format!("./{written}:/etc/cloud-connector/{written}:ro").into());
        }
    }
    let app = map([
        (
            "image",
            manifest.image.as_deref().unwrap_or(CI_IMAGE).into(),
        ),
        (
            "environment",
            map([("PORT", manifest.container_port.to_string().into())]),
        ),
        ("ports", list([format!("{port}:{port}").into()])),
    ]);
    let sidecar = map([
        ("image", cc.sidecar.image.as_str().into()),
        (
            "command",
            list(["serve".into(), "--runway".into(), MANIFEST_MOUNT.into()]),
        ),
        ("network_mode", "service:app".into()),
        ("depends_on", list(["app".into()])),
        ("volumes", list(mounts)),
    ]);
    map([
        ("name", dns_name(&manifest.name).into()),
        (
            "services",
            map([("app", app), ("cloud-connector", sidecar)]),
        ),
    ])
}

/// Every file `runway render` writes, by path under the output directory.
pub fn render(manifest: &Manifest, catalog: &Catalog) -> Vec<Rendered> {
    let mut files = catalog_changes(manifest, catalog);
    files.push(("sidecar.yml".to_owned(), text(&sidecar_config(manifest))));
    files.push(("cloud-run.yml".to_owned(), text(&cloud_run(manifest))));
    files.push(("compose.yml".to_owned(), text(&compose(manifest))));
    files
}
