//! The Runway service manifest (`apiVersion: runway/v1`, `kind: RunwayService`): Runway's
//! published rules for the fields this crate reads (`docs/runway.md` lists which rules are
//! Runway's and which are inferred), and the `spec.cloud_connector` block (`block.rs`).
//! Fields this crate does not read are left to Runway's own validation.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::block::{self, CloudConnector};
use super::reader::{join, Reader};
use crate::error::{Error, Problem, ProblemKind, Result};

/// The `apiVersion`s Runway publishes.
pub const API_VERSIONS: &[&str] = &["runway/v1", "runway/v1+dev"];
/// Runway's default `spec.container_port`.
pub const DEFAULT_CONTAINER_PORT: u16 = 8080;
/// Runway's limit on `metadata.name`.
const MAX_NAME_LEN: usize = 63;

const TOP: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
const METADATA: &[&str] = &[
    "name",
    "department",
    "department_group",
    "product_category",
    "owner_email_handle",
];
const PROBE: &[&str] = &[
    "path",
    "initial_delay_seconds",
    "timeout_seconds",
    "period_seconds",
    "failure_threshold",
    "success_threshold",
];

/// An HTTP health check of the application container, as the manifest sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    /// The path probed (`/monitoring/ready`).
    pub path: String,
    /// Seconds before the first probe.
    pub initial_delay_seconds: Option<u64>,
    /// Seconds a probe may take.
    pub timeout_seconds: Option<u64>,
    /// Seconds between probes.
    pub period_seconds: Option<u64>,
    /// Failures in a row that count as down.
    pub failure_threshold: Option<u64>,
    /// Successes in a row that count as up (readiness only).
    pub success_threshold: Option<u64>,
}

/// The manifest's scaling and resources, carried over to the rendered service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capacity {
    /// `spec.scalability.min_instances`.
    pub min_instances: Option<u64>,
    /// `spec.scalability.max_instances`.
    pub max_instances: Option<u64>,
    /// `spec.scalability.max_instance_request_concurrency`.
    pub max_instance_request_concurrency: Option<u64>,
    /// `spec.resources.limits.cpu` (`2000m`).
    pub cpu: Option<String>,
    /// `spec.resources.limits.memory` (`8G`).
    pub memory: Option<String>,
    /// `spec.resources.startup_cpu_boost`.
    pub startup_cpu_boost: Option<bool>,
}

/// A Runway service manifest with its Cloud Connector block.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The file read, as given.
    pub file: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.image` (Runway marks it deprecated; the image usually comes from CI).
    pub image: Option<String>,
    /// `spec.container_port`: the application's port.
    pub container_port: u16,
    /// `spec.regions`.
    pub regions: Vec<String>,
    /// `spec.request_timeout`, seconds.
    pub request_timeout: Option<u64>,
    /// Scaling and resources.
    pub capacity: Capacity,
    /// `spec.startup_probe`.
    pub startup_probe: Option<Probe>,
    /// `spec.liveness_probe`.
    pub liveness_probe: Option<Probe>,
    /// `spec.readiness_probe`.
    pub readiness_probe: Option<Probe>,
    /// `spec.cloud_connector`.
    pub cloud_connector: CloudConnector,
}

impl Manifest {
    /// Reads and checks a manifest file; a relative `jwks_file` is relative to its directory.
    pub fn load(path: impl AsRef<Path>) -> Result<Manifest> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            let p = Problem::new(ProblemKind::Io, format!("cannot read: {e}")).in_file(&file);
            Error::runway_invalid(vec![p])
        })?;
        let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        Manifest::parse(&text, &file, &dir)
    }

    /// Checks a manifest's text; `file` names it in problems, `dir` anchors relative paths.
    pub fn parse(text: &str, file: &str, dir: &Path) -> Result<Manifest> {
        let located = |problems: Vec<Problem>| {
            Error::runway_invalid(problems.into_iter().map(|p| p.in_file(file)).collect())
        };
        let value: Value = serde_yaml::from_str(text).map_err(|e| {
            // serde_yaml's message carries the line and column.
            located(vec![Problem::new(ProblemKind::YamlSyntax, e.to_string())])
        })?;
        let mut r = Reader::default();
        let manifest = read(&mut r, &value, file, dir);
        match manifest {
            Some(m) if r.problems.is_empty() => Ok(m),
            _ => Err(located(r.problems)),
        }
    }

    /// Every probe the manifest sets, by Runway's name for it.
    pub fn probes(&self) -> Vec<(&'static str, &Probe)> {
        [
            ("startup_probe", &self.startup_probe),
            ("liveness_probe", &self.liveness_probe),
            ("readiness_probe", &self.readiness_probe),
        ]
        .into_iter()
        .filter_map(|(n, p)| p.as_ref().map(|p| (n, p)))
        .collect()
    }
}

fn get<'v>(m: &'v Mapping, key: &str) -> Option<&'v Value> {
    m.get(key)
}

fn read(r: &mut Reader, value: &Value, file: &str, dir: &Path) -> Option<Manifest> {
    if value.is_null() {
        r.problem(ProblemKind::EmptyFile, "", "the file holds no manifest");
        return None;
    }
    let top = r.mapping(value, "", TOP, &["kind", "metadata", "spec"])?;
    // Runway's default when absent.
    if let Some(v) = get(top, "apiVersion") {
        if let Some(api) = r.string(v, "apiVersion") {
            if !API_VERSIONS.contains(&api.as_str()) {
                let message = format!("must be one of {}; got '{api}'", API_VERSIONS.join(", "));
                r.problem(ProblemKind::InvalidValue, "apiVersion", message);
            }
        }
    }
    if let Some(kind) = get(top, "kind").and_then(|v| r.string(v, "kind")) {
        if kind != "RunwayService" {
            let message = format!("must be RunwayService; got '{kind}'");
            r.problem(ProblemKind::InvalidValue, "kind", message);
        }
    }
    let name = get(top, "metadata").and_then(|v| metadata(r, v));
    let spec = get(top, "spec")?;
    let s = r.mapping(spec, "spec", &[], &[])?;
    let at = |k: &str| join("spec", k);
    let image = get(s, "image").and_then(|v| r.string(v, &at("image")));
    let container_port = get(s, "container_port")
        .map(|v| r.whole(v, &at("container_port"), 1, 65_535))
        .unwrap_or(Some(u64::from(DEFAULT_CONTAINER_PORT)))
        .and_then(|p| u16::try_from(p).ok());
    let regions = match get(s, "regions") {
        Some(v) => r.names(v, &at("regions"), true),
        None => {
            r.problem(ProblemKind::MissingField, &at("regions"), "required");
            Vec::new()
        }
    };
    // Cloud Run's limit on a request's time.
    let request_timeout =
        get(s, "request_timeout").and_then(|v| r.whole(v, &at("request_timeout"), 1, 3_600));
    let capacity = capacity(r, s);
    let startup_probe =
        get(s, "startup_probe").and_then(|v| probe(r, v, &at("startup_probe"), false));
    let liveness_probe =
        get(s, "liveness_probe").and_then(|v| probe(r, v, &at("liveness_probe"), false));
    let readiness_probe =
        get(s, "readiness_probe").and_then(|v| probe(r, v, &at("readiness_probe"), true));
    let cloud_connector = match get(s, "cloud_connector") {
        Some(v) => block::read(r, v, &at("cloud_connector"), dir),
        None => {
            let message = "required: the Cloud Connector block (docs/runway.md)";
            r.problem(ProblemKind::MissingField, &at("cloud_connector"), message);
            None
        }
    };
    if let (Some(port), Some(cc)) = (container_port, &cloud_connector) {
        if cc.sidecar.port == port {
            let message = format!("the sidecar cannot listen on the application's port {port}");
            r.problem(
                ProblemKind::InvalidValue,
                &at("cloud_connector.sidecar.port"),
                message,
            );
        }
    }
    Some(Manifest {
        file: file.to_owned(),
        name: name?,
        image,
        container_port: container_port?,
        regions,
        request_timeout,
        capacity,
        startup_probe,
        liveness_probe,
        readiness_probe,
        cloud_connector: cloud_connector?,
    })
}

fn metadata(r: &mut Reader, v: &Value) -> Option<String> {
    let m = r.mapping(v, "metadata", METADATA, &["name"])?;
    for key in METADATA.iter().skip(1) {
        if let Some(v) = get(m, key) {
            r.string(v, &join("metadata", key));
        }
    }
    let name = r.string(get(m, "name")?, "metadata.name")?;
    if name.len() > MAX_NAME_LEN {
        let message = format!(
            "must be at most {MAX_NAME_LEN} characters; has {}",
            name.len()
        );
        r.problem(ProblemKind::InvalidValue, "metadata.name", message);
    }
    Some(name)
}

fn capacity(r: &mut Reader, s: &Mapping) -> Capacity {
    let mut c = Capacity::default();
    if let Some(m) = get(s, "scalability").and_then(|v| r.mapping(v, "spec.scalability", &[], &[]))
    {
        let at = |k: &str| join("spec.scalability", k);
        let max = u64::from(u32::MAX);
        c.min_instances =
            get(m, "min_instances").and_then(|v| r.whole(v, &at("min_instances"), 0, max));
        c.max_instances =
            get(m, "max_instances").and_then(|v| r.whole(v, &at("max_instances"), 1, max));
        // Cloud Run's limit on concurrent requests per instance.
        c.max_instance_request_concurrency = get(m, "max_instance_request_concurrency")
            .and_then(|v| r.whole(v, &at("max_instance_request_concurrency"), 1, 1_000));
        if let (Some(min), Some(max)) = (c.min_instances, c.max_instances) {
            if min > max {
                let message = format!("min_instances ({min}) is above max_instances ({max})");
                r.problem(ProblemKind::InvalidValue, &at("min_instances"), message);
            }
        }
    }
    if let Some(m) = get(s, "resources").and_then(|v| r.mapping(v, "spec.resources", &[], &[])) {
        c.startup_cpu_boost = get(m, "startup_cpu_boost")
            .and_then(|v| r.boolean(v, "spec.resources.startup_cpu_boost"));
        if let Some(l) =
            get(m, "limits").and_then(|v| r.mapping(v, "spec.resources.limits", &[], &[]))
        {
            c.cpu = get(l, "cpu").and_then(|v| r.string(v, "spec.resources.limits.cpu"));
            c.memory = get(l, "memory").and_then(|v| r.string(v, "spec.resources.limits.memory"));
        }
    }
    c
}

fn probe(r: &mut Reader, v: &Value, at: &str, readiness: bool) -> Option<Probe> {
    let m = r.mapping(v, at, PROBE, &["path"])?;
    let mut n = |key: &str, min: u64, max: u64| {
        get(m, key).and_then(|v| r.whole(v, &join(at, key), min, max))
    };
    // Cloud Run's probe limits; a readiness probe allows at most 3 failures (Runway's docs).
    let p = Probe {
        path: String::new(),
        initial_delay_seconds: n("initial_delay_seconds", 0, 240),
        timeout_seconds: n("timeout_seconds", 1, 240),
        period_seconds: n("period_seconds", 1, 240),
        failure_threshold: n("failure_threshold", 1, if readiness { 3 } else { 1_000 }),
        success_threshold: n("success_threshold", 1, 10),
    };
    if readiness && p.initial_delay_seconds.is_some() {
        let message = "a readiness probe has no initial delay";
        r.problem(
            ProblemKind::UnknownField,
            &join(at, "initial_delay_seconds"),
            message,
        );
    }
    if !readiness && p.success_threshold.is_some() {
        let message = "only a readiness probe has a success threshold";
        r.problem(
            ProblemKind::UnknownField,
            &join(at, "success_threshold"),
            message,
        );
    }
    let path = r.string(get(m, "path")?, &join(at, "path"))?;
    if !path.starts_with('/') {
        r.problem(
            ProblemKind::InvalidValue,
            &join(at, "path"),
            "must start with /",
        );
    }
    Some(Probe { path, ..p })
}
