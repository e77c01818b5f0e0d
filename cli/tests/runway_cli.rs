//! `cloud-connector runway check|render` on the real manifests (golden outputs in
//! tests/runway/golden), and `serve --runway` in front of a small upstream on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/runway")
}

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
        .args(args)
        .output()
        .expect("run")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

const MANIFESTS: &[&str] = &["ai-gateway", "duo-workflow-svc", "declared-backend"];

#[test]
fn check_accepts_the_real_manifests_with_the_block_and_refuses_them_without() {
    for name in MANIFESTS {
        let path = fixtures().join(format!("{name}.runway.yml"));
        let o = cli(&["runway", "check", path.to_str().expect("utf8")]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            text(&o).ends_with("paths, 2 issuers)") || name == &"declared-backend",
            "{}",
            text(&o)
        );
    }
    let bare = fixtures().join("upstream/runway.yml");
    let o = cli(&["runway", "check", bare.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("error[runway_invalid]"), "{err}");
    assert!(
        err.contains("field 'spec.cloud_connector': required"),
        "{err}"
    );
}

#[test]
fn check_names_catalog_problems_with_their_place() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let source = std::fs::read_to_string(fixtures().join("ai-gateway.runway.yml")).expect("read");
    let broken = source
        .replace("jwt_aud: gitlab-ai-gateway", "jwt_aud: gitlab-duo-workflow-service")
        .replace("      - generate_code\n", "      - generate_code\n      - duo_workflow_execute_workflow\n      - no_such_primitive\n");
    let path = tmp.path().join("runway.yml");
    std::fs::write(&path, broken).expect("write");
    let o = cli(&["runway", "check", path.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    for expected in [
        "field 'spec.cloud_connector.backend.jwt_aud': 'gitlab-duo-workflow-service' differs from the catalog's jwt_aud 'gitlab-ai-gateway'",
        "field 'spec.cloud_connector.backend.jwt_aud': 'gitlab-duo-workflow-service' is already the jwt_aud of backend 'duo_workflow_service' (duplicate_name)",
        "field 'spec.cloud_connector.unit_primitives[2]': unit primitive 'duo_workflow_execute_workflow' does not list backend 'ai_gateway'",
        "field 'spec.cloud_connector.unit_primitives[3]': no unit primitive 'no_such_primitive' in the catalog (dangling_reference)",
    ] {
        assert!(err.contains(expected), "{expected}\n---\n{err}");
    }
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).expect("prefix").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn render_writes_the_golden_outputs() {
    for name in MANIFESTS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let manifest = fixtures().join(format!("{name}.runway.yml"));
        let out = tmp.path().join("out");
        let o = cli(&[
            "runway",
            "render",
            manifest.to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
        ]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let copy = std::fs::read_to_string(out.join("runway.yml")).expect("manifest copy");
        assert_eq!(copy, std::fs::read_to_string(&manifest).expect("read"));
        std::fs::remove_file(out.join("runway.yml")).expect("rm");
        let golden = fixtures().join("golden").join(name);
        assert_eq!(files(&out), files(&golden), "{name}");
        for f in files(&golden) {
            let want = std::fs::read_to_string(golden.join(&f)).expect("golden");
            let got = std::fs::read_to_string(out.join(&f)).expect("rendered");
            assert_eq!(got, want, "{name}/{}", f.display());
        }
    }
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An application that answers 200 with the request line and headers it received.
fn application() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                head.push_str(&line);
                line.clear();
            }
            log.lock().expect("lock").push(head.to_lowercase());
            let body = "from the application";
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\nX-App: yes\r\n\r\n{body}", body.len());
        }
    });
    (port, seen)
}

fn request(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, resp)
}

fn token(keys: &str, scope: &str, audience: &str) -> String {
    let o = cli(&[
        "token",
        "issue",
        "--keys",
        keys,
        "--scope",
        scope,
        "--audience",
        audience,
        "--subject",
        "inst-7",
        "--realm",
        "saas",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    text(&o)
}

#[test]
fn serve_runway_sits_in_front_of_the_application() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = tmp.path().join("keys");
    let k = keys.to_str().expect("utf8");
    assert!(cli(&["keys", "generate", "--dir", k]).status.success());
    std::fs::write(
        tmp.path().join("jwks.json"),
        text(&cli(&["keys", "jwks", "--dir", k])),
    )
    .expect("jwks");
    let (app_port, seen) = application();
    let sidecar_port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let manifest = format!(
        "apiVersion: runway/v1
kind: RunwayService
metadata:
  name: ai_gateway
spec:
  container_port: {app_port}
  regions: [us-east1]
  cloud_connector:
    backend: {{name: ai_gateway, jwt_aud: gitlab-ai-gateway}}
    unit_primitives: [complete_code, duo_chat]
    paths:
      - {{prefix: /v2/code/completions, unit_primitive: complete_code}}
    issuers:
      - jwks_file: jwks.json
    sidecar: {{port: {sidecar_port}}}
"
    );
    let path = tmp.path().join("runway.yml");
    std::fs::write(&path, manifest).expect("manifest");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
        .args(["serve", "--runway", path.to_str().expect("utf8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening");
    let _serve = Kill(child);
    assert!(line.contains(&format!(":{sidecar_port}")), "{line}");

    let needed = format!("Bearer {}", token(k, "complete_code", "gitlab-ai-gateway"));
    let other = format!("Bearer {}", token(k, "duo_chat", "gitlab-ai-gateway"));
    let elsewhere = format!(
        "Bearer {}",
        token(k, "complete_code", "gitlab-duo-workflow-service")
    );
    let with = |bearer: &str| {
        let headers = [
            ("Authorization", bearer.to_owned()),
            ("X-Gitlab-Authentication-Type", "oidc".to_owned()),
            ("X-Gitlab-Realm", "saas".to_owned()),
            ("X-Gitlab-Instance-Id", "inst-7".to_owned()),
            ("X-Gitlab-Subject", "forged".to_owned()),
        ];
        move |path: &str| {
            let refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            request(sidecar_port, path, &refs)
        }
    };

    let (status, body) = with(&needed)("/v2/code/completions?x=1");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("from the application") && body.to_lowercase().contains("x-app: yes"),
        "{body}"
    );
    let saw = seen
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .unwrap_or_default();
    assert!(saw.starts_with("get /v2/code/completions?x=1 "), "{saw}");
    for header in [
        "x-gitlab-subject: inst-7",
        "x-gitlab-realm: saas",
        "x-gitlab-unit-primitive: complete_code",
        "x-gitlab-scopes: complete_code",
    ] {
        assert!(saw.contains(header), "{header}\n{saw}");
    }
    assert!(!saw.contains("forged"), "{saw}");
    let forwarded = seen.lock().expect("lock").len();

    let (status, body) = with(&other)("/v2/code/completions");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("missing_scope"), "{body}");
    let (status, body) = with(&needed)("/v1/elsewhere");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("unit_primitive_required"), "{body}");
    let (status, body) = request(
        sidecar_port,
        "/v2/code/completions",
        &[("X-Gitlab-Unit-Primitive", "generate_code")],
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("unit_primitive_not_served"), "{body}");
    let (status, body) = request(sidecar_port, "/v2/code/completions", &[]);
    assert_eq!(status, 401, "{body}");
    let (status, body) = with(&elsewhere)("/v2/code/completions");
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        seen.lock().expect("lock").len(),
        forwarded,
        "a refused request reached the application"
    );

    let (status, body) = request(sidecar_port, "/-/cloud-connector/healthz", &[]);
    assert_eq!(status, 200, "{body}");
}
