//! `cloud-connector serve` as a running server on 127.0.0.1: the catalog API and index, the
//! self-hosted issuer round trip, forward-auth decisions, probes, metrics and SIGTERM.

use std::process::{Command, Stdio};

use serde_json::Value;

mod support;

use support::{cli, ring, Server};

#[test]
fn catalog_api_and_index() {
    let s = Server::start(&[]);
    let ups = s.json("/api/v1/unit_primitives?backend_service=duo_workflow_service");
    let names: Vec<&str> = ups
        .as_array()
        .expect("list")
        .iter()
        .map(|u| u["name"].as_str().expect("name"))
        .collect();
    assert!(names.contains(&"duo_workflow_execute_workflow") && !names.contains(&"complete_code"));
    let chat = s.json("/api/v1/unit_primitives/analyze_ci_job_failure");
    assert_eq!(chat["name"], "troubleshoot_job");
    assert_eq!(s.json("/api/v1/add_ons").as_array().expect("list").len(), 5);
    let groups = s.json("/api/v1/groups");
    assert!(groups
        .as_array()
        .expect("list")
        .iter()
        .any(|g| g["group"] == "group::duo chat"));
    assert_eq!(
        s.json("/api/v1/legacy/gitlab-com")["services"]["code_suggestions"]["cut_off_date"],
        "2024-02-15 00:00:00 UTC"
    );
    let (status, _, body) = s.get("/api/v1/legacy/saas", &[]);
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["code"],
        "invalid_realm"
    );
    let (status, _, body) = s.get("/api/v1/unit_primitives/nope", &[]);
    assert_eq!(
        (
            status,
            serde_json::from_str::<Value>(&body).expect("json")["code"].as_str()
        ),
        (404, Some("not_found"))
    );
    let (status, _, body) = s.get("/api/v1/unit_primitives?access=cheap", &[]);
    assert_eq!(status, 400, "{body}");
    let (status, _, html) = s.get("/?add_on=duo_pro&q=%3Cscript%3E", &[]);
    assert_eq!(status, 200);
    assert!(
        html.contains("<h1>Unit primitives</h1>")
            && html.contains("&lt;script&gt;")
            && !html.contains("<script>")
    );
    let (_, _, html) = s.get("/?add_on=duo_pro", &[]);
    assert!(
        html.contains(">duo_chat</a>") && !html.contains(">ask_build</a>"),
        "filtered by add-on"
    );
    assert_eq!(s.get("/healthz", &[]).0, 200);
    assert_eq!(s.get("/readyz", &[]).0, 200);
    assert_eq!(
        s.get("/.well-known/openid-configuration", &[]).0,
        404,
        "no key ring, no issuer"
    );
}

#[test]
fn self_hosted_issuer_round_trip() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = tmp.path().join("keys");
    ring(&keys);
    let s = Server::start(&[
        "--keys",
        keys.to_str().expect("utf8"),
        "--issuer",
        "https://cc.example",
    ]);
    let discovery = s.json("/.well-known/openid-configuration");
    assert_eq!(discovery["issuer"], "https://cc.example");
    let jwks = s.json("/oauth/discovery/keys");
    assert_eq!(jwks["keys"].as_array().expect("keys").len(), 1);
    // A verifier pointed at this server's discovery accepts the token the server's ring signs.
    let token = String::from_utf8(
        cli(&[
            "token",
            "issue",
            "--keys",
            keys.to_str().expect("utf8"),
            "--add-on",
            "duo_pro",
            "--subject",
            "u",
        ])
        .stdout,
    )
    .expect("utf8");
    let served = Server::start(&["--keys", keys.to_str().expect("utf8")]);
    let v = cli(&[
        "token",
        "verify",
        token.trim(),
        "--oidc",
        &served.base,
        "--audience",
        "gitlab-ai-gateway",
    ]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn forward_auth_decisions_and_metrics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = tmp.path().join("keys");
    ring(&keys);
    let k = keys.to_str().expect("utf8");
    let s = Server::start(&["--keys", k, "--rule", "/v1/chat=duo_chat"]);
    let token = String::from_utf8(
        cli(&[
            "token",
            "issue",
            "--keys",
            k,
            "--add-on",
            "duo_pro",
            "--subject",
            "inst-1",
            "--realm",
            "saas",
        ])
        .stdout,
    )
    .expect("utf8");
    let bearer = format!("Bearer {}", token.trim());
    let base = [
        ("Authorization", bearer.as_str()),
        ("X-Gitlab-Authentication-Type", "oidc"),
        ("X-Gitlab-Realm", "saas"),
        ("X-Gitlab-Instance-Id", "inst-1"),
    ];
    fn with<'a>(base: &[(&'a str, &'a str)], extra: (&'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
        let mut h = base.to_vec();
        h.push(extra);
        h
    }
    let (status, headers, _) = s.get(
        "/auth",
        &with(&base, ("X-Gitlab-Unit-Primitive", "duo_chat")),
    );
    assert_eq!(status, 200);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("x-gitlab-subject").as_deref(), Some("inst-1"));
    assert_eq!(header("x-gitlab-realm").as_deref(), Some("saas"));
    assert!(header("x-gitlab-scopes")
        .expect("scopes")
        .split(',')
        .any(|s| s == "duo_chat"));

    let code = |(status, _, body): (u16, Vec<(String, String)>, String)| {
        (
            status,
            serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_owned)),
        )
    };
    assert_eq!(
        code(s.get(
            "/auth",
            &with(&base, ("X-Gitlab-Unit-Primitive", "ask_build"))
        )),
        (403, Some("missing_scope".into()))
    );
    assert_eq!(
        s.get(
            "/auth",
            &with(&base, ("X-Original-URI", "/v1/chat/completions?x=1"))
        )
        .0,
        200
    );
    assert_eq!(
        s.get("/auth/v1/chat/completions", &base).0,
        200,
        "Envoy: the original path after /auth"
    );
    assert_eq!(
        code(s.get("/auth", &base)),
        (403, Some("unit_primitive_required".into()))
    );
    assert_eq!(
        code(
            s.get("/auth", &with(&base, ("X-Gitlab-Realm", "self-managed")))
                .clone()
        )
        .0,
        401
    );
    let bad = [
        ("Authorization", "Bearer not.a.token"),
        ("X-Gitlab-Authentication-Type", "oidc"),
    ];
    assert_eq!(
        code(s.get("/auth", &bad)),
        (401, Some("token_malformed".into()))
    );
    assert_eq!(
        code(s.get("/auth", &[])),
        (401, Some("missing_authorization".into()))
    );

    let metrics = s.get("/metrics", &[]).2;
    let value = |line: &str| -> u64 {
        metrics
            .lines()
            .find(|l| l.starts_with(line))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    assert_eq!(
        value("cloud_connector_auth_requests_total{result=\"ok\"}"),
        3
    );
    assert_eq!(
        value("cloud_connector_auth_requests_total{result=\"forbidden\"}"),
        2
    );
    assert_eq!(
        value("cloud_connector_auth_requests_total{result=\"unauthorized\"}"),
        3
    );
    assert!(metrics
        .contains("cloud_connector_auth_duration_seconds_bucket{result=\"ok\",le=\"+Inf\"} 3"));
    assert!(value("cloud_connector_token_cache_entries") >= 1);
}

#[test]
fn without_key_providers_auth_is_unavailable_and_bad_flags_are_refused() {
    let s = Server::start(&[]);
    let (status, _, body) = s.get("/auth", &[("Authorization", "Bearer x")]);
    assert_eq!(status, 503, "{body}");
    let o = cli(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--rule",
        "/x=not_a_unit_primitive",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("'not_a_unit_primitive' is not a unit primitive"));
    let o = cli(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--keys",
        "/definitely/missing",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_gracefully() {
    let mut s = Server::start(&[]);
    assert_eq!(s.get("/healthz", &[]).0, 200);
    let pid = s.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let status = s.child.wait().expect("wait");
    assert!(status.success(), "exit status {status:?}");
}

/// The self-hosted issuer end to end: `serve` signs a token at `POST /api/v1/tokens`, and two
/// verifiers pointed at its OIDC discovery URL accept it: `token verify --oidc` and a second
/// `serve --oidc` standing in for the self-hosted AI gateway.
#[test]
fn serve_issues_and_verifiers_on_its_discovery_accept() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = tmp.path().join("keys");
    ring(&keys);
    let secret_file = tmp.path().join("issue-secret");
    let secret = "s3cret-issue-token-for-tests";
    std::fs::write(&secret_file, format!("{secret}\n")).expect("write secret");
    let k = keys.to_str().expect("utf8");
    let issuer = Server::start(&[
        "--keys",
        k,
        "--issue-secret-file",
        secret_file.to_str().expect("utf8"),
    ]);
    let request = r#"{"subject": "inst-9", "add_ons": ["duo_pro"]}"#;
    let (status, issued) = issuer.post("/api/v1/tokens", Some(secret), request);
    assert_eq!(status, 200, "{issued}");
    let token = issued["token"].as_str().expect("token");
    assert_eq!(issued["claims"]["iss"], issuer.base.as_str());
    assert_eq!(issued["claims"]["sub"], "inst-9");
    assert_eq!(issued["claims"]["gitlab_realm"], "self-managed");
    assert!(issued["claims"]["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .any(|s| s == "duo_chat"));
    let jwks = issuer.json("/oauth/discovery/keys");
    assert_eq!(issued["kid"], jwks["keys"][0]["kid"]);

    let verified = cli(&[
        "token",
        "verify",
        token,
        "--oidc",
        &issuer.base,
        "--issuer",
        &issuer.base,
        "--audience",
        "gitlab-ai-gateway",
    ]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    let log_path = tmp.path().join("gateway.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let gateway = Server::start_logging(&["--oidc", &issuer.base], Stdio::from(log));
    let bearer = format!("Bearer {token}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("X-Gitlab-Authentication-Type", "oidc"),
        ("X-Gitlab-Realm", "self-managed"),
        ("X-Gitlab-Instance-Id", "inst-9"),
        ("X-Gitlab-Unit-Primitive", "duo_chat"),
    ];
    for _ in 0..2 {
        let (status, hs, body) = gateway.get("/auth", &headers);
        assert_eq!(status, 200, "{body}");
        assert!(hs
            .iter()
            .any(|(k, v)| k == "x-gitlab-subject" && v == "inst-9"));
    }
    let (_, hs, _) = gateway.get("/healthz", &[("X-Request-Id", "req-42")]);
    assert!(
        hs.iter().any(|(k, v)| k == "x-request-id" && v == "req-42"),
        "the request id is echoed"
    );
    assert_eq!(gateway.get("/readyz", &[]).0, 200);
    let expired = cli(&[
        "token",
        "issue",
        "--keys",
        k,
        "--scope",
        "duo_chat",
        "--audience",
        "gitlab-ai-gateway",
        "--subject",
        "inst-9",
        "--ttl",
        "-120",
    ]);
    let expired = format!(
        "Bearer {}",
        String::from_utf8(expired.stdout).expect("utf8").trim()
    );
    let mut stale = headers;
    stale[0] = ("Authorization", expired.as_str());
    let (status, _, body) = gateway.get("/auth", &stale);
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["code"],
        "token_expired"
    );

    let metrics = issuer.get("/metrics", &[]).2;
    let kid = issued["kid"].as_str().expect("kid");
    assert!(
        metrics.contains(&format!(
            "cloud_connector_issued_tokens_total{{kid=\"{kid}\"}} 1"
        )),
        "{metrics}"
    );
    let metrics = gateway.get("/metrics", &[]).2;
    assert!(
        metrics.contains(&format!(
            "cloud_connector_jwks_refreshes_total{{provider=\"{}\",outcome=\"ok\"}} 1",
            issuer.base
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains("cloud_connector_token_cache_hits_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("cloud_connector_token_cache_misses_total 2\n"),
        "{metrics}"
    );

    // One JSON line per request, with the decision; tokens never logged.
    drop(gateway);
    let log = std::fs::read_to_string(&log_path).expect("read log");
    assert!(!log.contains(token), "a token reached the log");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let auth: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "request" && l["path"] == "/auth")
        .collect();
    assert_eq!(auth.len(), 3, "{log}");
    assert_eq!(auth[0]["status"], 200);
    assert_eq!(auth[0]["result"], "ok");
    assert_eq!(auth[0]["subject"], "inst-9");
    assert_eq!(auth[0]["unit_primitive"], "duo_chat");
    assert!(auth[0]["duration_us"].is_u64() && auth[0]["ts"].is_string());
    assert!(lines
        .iter()
        .any(|l| l["path"] == "/healthz" && l["request_id"] == "req-42"));
    assert_eq!(
        (
            &auth[2]["status"],
            &auth[2]["result"],
            &auth[2]["code"],
            &auth[2]["method"]
        ),
        (
            &Value::from(401),
            &Value::from("unauthorized"),
            &Value::from("token_expired"),
            &Value::from("GET")
        )
    );
}

#[test]
fn token_issuing_refuses_bad_callers_and_bad_requests() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = tmp.path().join("keys");
    ring(&keys);
    let k = keys.to_str().expect("utf8");
    let secret_file = tmp.path().join("secret");
    std::fs::write(&secret_file, "0123456789abcdef-long-enough").expect("write");
    let secret = secret_file.to_str().expect("utf8");
    let s = Server::start(&["--keys", k, "--issue-secret-file", secret]);
    let good = "0123456789abcdef-long-enough";
    let body = r#"{"subject": "i", "add_ons": ["duo_pro"]}"#;
    let code = |(status, v): (u16, Value)| (status, v["code"].as_str().map(str::to_owned));
    assert_eq!(
        code(s.post("/api/v1/tokens", None, body)),
        (401, Some("missing_authorization".into()))
    );
    assert_eq!(
        code(s.post("/api/v1/tokens", Some("0123456789abcdef-long-enougX"), body)),
        (401, Some("invalid_authorization".into()))
    );
    assert_eq!(
        code(s.post("/api/v1/tokens", Some(good), "{")),
        (400, Some("invalid_argument".into()))
    );
    let (status, v) = s.post(
        "/api/v1/tokens",
        Some(good),
        r#"{"subject": "i", "scope": []}"#,
    );
    assert_eq!(status, 400);
    assert!(
        v["error"]
            .as_str()
            .expect("error")
            .contains("unknown field `scope`"),
        "{v}"
    );
    assert_eq!(
        code(s.post(
            "/api/v1/tokens",
            Some(good),
            r#"{"subject": "i", "scopes": ["duo_chat"]}"#
        )),
        (400, Some("invalid_argument".into())),
        "explicit scopes need an audience"
    );
    assert_eq!(
        code(s.post(
            "/api/v1/tokens",
            Some(good),
            r#"{"subject": "i", "add_ons": ["duo_pro"], "ttl": 0}"#
        )),
        (400, Some("invalid_argument".into()))
    );
    let (status, v) = s.post("/api/v1/tokens", Some(good), r#"{"add_ons": ["duo_pro"]}"#);
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"]
            .as_str()
            .expect("error")
            .contains("missing field `subject`"),
        "{v}"
    );

    let off = Server::start(&["--keys", k]);
    assert_eq!(
        code(off.post("/api/v1/tokens", Some(good), body)),
        (404, Some("not_found".into()))
    );

    std::fs::write(&secret_file, "short\n").expect("write");
    let o = cli(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--keys",
        k,
        "--issue-secret-file",
        secret,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 16 characters"));
    let o = cli(&["serve", "--issue-secret-file", secret]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--keys"));
}
