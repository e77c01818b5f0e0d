//! Every kind of manifest mistake, each found with its place; and the real manifests accepted.

use std::path::Path;

use super::*;
use crate::catalog::Catalog;
use crate::error::{ErrorCode, ProblemKind};

const VALID: &str = "apiVersion: runway/v1
kind: RunwayService
metadata:
  name: svc
spec:
  regions: [us-east1]
  startup_probe: {path: /ready, period_seconds: 5}
  cloud_connector:
    backend: {name: ai_gateway, jwt_aud: gitlab-ai-gateway}
    unit_primitives: [complete_code, duo_chat]
    paths:
      - {prefix: /v2/code, unit_primitive: complete_code}
      - {prefix: /v2/chat, unit_primitive: duo_chat}
    issuers:
      - oidc: https://customers.gitlab.com
";

fn parse(text: &str) -> crate::Result<Manifest> {
    Manifest::parse(text, "runway.yml", Path::new("."))
}

/// The problems of `text` as (field, kind) pairs.
fn problems(text: &str) -> Vec<(String, ProblemKind)> {
    let e = parse(text).expect_err("should be refused");
    assert_eq!(e.code(), ErrorCode::RunwayInvalid, "{e}");
    e.problems()
        .iter()
        .map(|p| {
            assert_eq!(p.file.as_deref(), Some("runway.yml"));
            (p.field.clone().unwrap_or_default(), p.kind)
        })
        .collect()
}

#[test]
fn a_valid_manifest_reads_with_defaults() {
    let m = parse(VALID).expect("valid");
    assert_eq!(m.container_port, DEFAULT_CONTAINER_PORT);
    assert_eq!(m.cloud_connector.sidecar.port, DEFAULT_SIDECAR_PORT);
    assert_eq!(
        m.cloud_connector.unit_primitive_for("/v2/code/completions"),
        Some("complete_code")
    );
    assert_eq!(m.cloud_connector.unit_primitive_for("/v3"), None);
    assert!(m.cloud_connector.serves("duo_chat") && !m.cloud_connector.serves("generate_code"));
    assert_eq!(
        m.cloud_connector.composite_config().audiences,
        Some(vec!["gitlab-ai-gateway".to_owned()])
    );
    assert!(check(&m, Catalog::embedded()).is_empty());
}

#[test]
fn every_kind_of_mistake_names_its_place() {
    use ProblemKind::*;
    let cases: &[(&str, &str, &str, ProblemKind)] = &[
        (
            "kind: RunwayService",
            "kind: Deployment",
            "kind",
            InvalidValue,
        ),
        (
            "apiVersion: runway/v1",
            "apiVersion: runway/v2",
            "apiVersion",
            InvalidValue,
        ),
        (
            "  name: svc",
            "  name: svc\n  team: x",
            "metadata.team",
            UnknownField,
        ),
        (
            "  name: svc",
            &format!("  name: {}", "s".repeat(64)),
            "metadata.name",
            InvalidValue,
        ),
        (
            "  regions: [us-east1]",
            "  regions: []",
            "spec.regions",
            InvalidValue,
        ),
        (
            "  regions: [us-east1]",
            "  regions: [us-east1, us-east1]",
            "spec.regions[1]",
            DuplicateEntry,
        ),
        (
            "  regions: [us-east1]",
            "  regions: [us-east1]\n  container_port: 70000",
            "spec.container_port",
            InvalidValue,
        ),
        (
            "  regions: [us-east1]",
            "  regions: [us-east1]\n  request_timeout: ten",
            "spec.request_timeout",
            WrongType,
        ),
        (
            "{path: /ready, period_seconds: 5}",
            "{path: ready}",
            "spec.startup_probe.path",
            InvalidValue,
        ),
        (
            "{path: /ready, period_seconds: 5}",
            "{path: /r, period_seconds: 0}",
            "spec.startup_probe.period_seconds",
            InvalidValue,
        ),
        (
            "{path: /ready, period_seconds: 5}",
            "{path: /r, grpc: true}",
            "spec.startup_probe.grpc",
            UnknownField,
        ),
        (
            "  startup_probe:",
            "  readiness_probe: {path: /r, failure_threshold: 4}\n  startup_probe:",
            "spec.readiness_probe.failure_threshold",
            InvalidValue,
        ),
        (
            "    backend: {name: ai_gateway, jwt_aud: gitlab-ai-gateway}",
            "    backend: {name: AI-Gateway, jwt_aud: gitlab-ai-gateway}",
            "spec.cloud_connector.backend.name",
            InvalidValue,
        ),
        (
            "    backend: {name: ai_gateway, jwt_aud: gitlab-ai-gateway}",
            "    backend: {name: ai_gateway}",
            "spec.cloud_connector.backend.jwt_aud",
            MissingField,
        ),
        (
            "    unit_primitives: [complete_code, duo_chat]",
            "    unit_primitives: complete_code",
            "spec.cloud_connector.unit_primitives",
            WrongType,
        ),
        (
            "    unit_primitives: [complete_code, duo_chat]",
            "    unit_primitives: [complete_code]",
            "spec.cloud_connector.paths[1].unit_primitive",
            DanglingReference,
        ),
        (
            "{prefix: /v2/chat,",
            "{prefix: /v2/code/x,",
            "spec.cloud_connector.paths[1].prefix",
            InvalidValue,
        ),
        (
            "{prefix: /v2/chat,",
            "{prefix: v2/chat,",
            "spec.cloud_connector.paths[1].prefix",
            InvalidValue,
        ),
        (
            "{prefix: /v2/chat, unit_primitive: duo_chat}",
            "{prefix: /v2/chat, up: duo_chat}",
            "spec.cloud_connector.paths[1].up",
            UnknownField,
        ),
        (
            "      - oidc: https://customers.gitlab.com",
            "      - oidc: http://customers.gitlab.com",
            "spec.cloud_connector.issuers[0].oidc",
            InvalidValue,
        ),
        (
            "      - oidc: https://customers.gitlab.com",
            "      - {oidc: https://a.example, jwks_file: k.json}",
            "spec.cloud_connector.issuers[0]",
            InvalidValue,
        ),
        (
            "    issuers:\n      - oidc: https://customers.gitlab.com",
            "    issuers: []",
            "spec.cloud_connector.issuers",
            InvalidValue,
        ),
        (
            "    issuers:",
            "    key_fetch: {timeout_seconds: 0}\n    issuers:",
            "spec.cloud_connector.key_fetch.timeout_seconds",
            InvalidValue,
        ),
        (
            "    issuers:",
            "    key_fetch: {ttl_seconds: -1}\n    issuers:",
            "spec.cloud_connector.key_fetch.ttl_seconds",
            InvalidValue,
        ),
        (
            "    issuers:",
            "    key_fetch: {retries: 3}\n    issuers:",
            "spec.cloud_connector.key_fetch.retries",
            UnknownField,
        ),
        (
            "    issuers:",
            "    sidecar: {port: 8080}\n    issuers:",
            "spec.cloud_connector.sidecar.port",
            InvalidValue,
        ),
        (
            "    issuers:",
            "    quotas: [1]\n    issuers:",
            "spec.cloud_connector.quotas",
            WrongType,
        ),
        (
            "    issuers:",
            "    audience: x\n    issuers:",
            "spec.cloud_connector.audience",
            UnknownField,
        ),
    ];
    for (from, to, field, kind) in cases {
        assert!(VALID.contains(from), "{from}");
        let text = VALID.replacen(from, to, 1);
        let found = problems(&text);
        assert!(
            found.iter().any(|(f, k)| f == field && k == kind),
            "{field} ({kind}) not in {found:?}\n{text}"
        );
    }
    let missing = problems(&VALID.replace("  cloud_connector:", "  other:"));
    assert!(
        missing.contains(&("spec.cloud_connector".to_owned(), MissingField)),
        "{missing:?}"
    );
}

#[test]
fn syntax_errors_and_empty_files_carry_their_place() {
    let e = parse("spec: [unclosed").expect_err("syntax");
    assert_eq!(e.problems()[0].kind, ProblemKind::YamlSyntax);
    assert!(e.message().contains("line 1 column"), "{}", e.message());
    let e = parse("").expect_err("empty");
    assert_eq!(e.problems()[0].kind, ProblemKind::EmptyFile);
    let e = Manifest::load("/no/such/runway.yml").expect_err("missing");
    assert_eq!(
        (e.code(), e.problems()[0].kind),
        (ErrorCode::RunwayInvalid, ProblemKind::Io)
    );
}

#[test]
fn the_catalog_check_refuses_an_undeclared_backend_and_a_missing_jwks_file() {
    let text = VALID
        .replace(
            "name: ai_gateway, jwt_aud: gitlab-ai-gateway",
            "name: new_svc, jwt_aud: gitlab-new",
        )
        .replace(
            "oidc: https://customers.gitlab.com",
            "jwks_file: missing.json",
        );
    let m = parse(&text).expect("well-formed");
    let found: Vec<_> = check(&m, Catalog::embedded())
        .into_iter()
        .map(|p| (p.field.unwrap_or_default(), p.kind))
        .collect();
    assert!(
        found.contains(&(
            "spec.cloud_connector.backend.name".to_owned(),
            ProblemKind::DanglingReference
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "spec.cloud_connector.issuers[0].jwks_file".to_owned(),
            ProblemKind::InvalidValue
        )),
        "{found:?}"
    );
    // Declared with a description, the backend is one render adds: the unit primitives need not list it.
    let declared = text.replace(
        "jwt_aud: gitlab-new}",
        "jwt_aud: gitlab-new, description: New.}",
    );
    let m = parse(&declared).expect("well-formed");
    let found = check(&m, Catalog::embedded());
    assert_eq!(found.len(), 1, "{found:?}");
    let rendered = render(&m, Catalog::embedded());
    let names: Vec<&str> = rendered.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"config/backend_services/new_svc.yml"),
        "{names:?}"
    );
    assert!(
        names.contains(&"config/unit_primitives/duo_chat.yml"),
        "{names:?}"
    );
}

/// `docs/runway.schema.json`, the fragment proposed to Runway, accepts the blocks of the
/// fixtures and refuses what the core refuses for the same shape.
#[test]
fn the_schema_fragment_agrees_with_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/runway.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let block = |text: &str| -> serde_json::Value {
        let v: serde_yaml::Value = serde_yaml::from_str(text).expect("yaml");
        serde_json::to_value(&v["spec"]["cloud_connector"]).expect("json")
    };
    for name in ["ai-gateway", "duo-workflow-svc", "declared-backend"] {
        let path = root.join(format!("tests/runway/{name}.runway.yml"));
        let text = std::fs::read_to_string(&path).expect("fixture");
        let b = block(&text);
        assert!(
            validator.is_valid(&b),
            "{name}: {:?}",
            validator
                .iter_errors(&b)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        );
        assert!(Manifest::load(&path).is_ok(), "{name}");
    }
    for (from, to) in [
        ("{prefix: /v2/chat,", "{prefix: v2/chat,"),
        (
            "      - oidc: https://customers.gitlab.com",
            "      - oidc: http://customers.gitlab.com",
        ),
        ("    issuers:", "    audience: x\n    issuers:"),
        (
            "    issuers:",
            "    key_fetch: {timeout_seconds: 0}\n    issuers:",
        ),
        (
            "    backend: {name: ai_gateway, jwt_aud: gitlab-ai-gateway}",
            "    backend: {name: ai_gateway}",
        ),
    ] {
        let text = VALID.replacen(from, to, 1);
        assert!(!validator.is_valid(&block(&text)), "schema accepts {to}");
        assert!(parse(&text).is_err(), "core accepts {to}");
    }
}
