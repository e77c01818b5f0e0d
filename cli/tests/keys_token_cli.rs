//! `cloud-connector keys ...` and `token ...` as a program, with real files and a real OIDC
//! issuer on 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
        .env_remove("CLOUD_CONNECTOR_CONFIG_DIR")
        .args(args)
        .output()
        .expect("run cloud-connector")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out(o)))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

#[test]
fn key_ring_lifecycle_with_rails_rules() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ring = tmp.path().join("ring");
    let first = out(&run(&["keys", "generate", "--dir", s(&ring)]));
    assert_eq!(first.len(), 43, "an RFC 7638 thumbprint: {first}");
    let o = run(&["keys", "rotate", "--dir", s(&ring)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o).trim(),
        "error[key_ring]: Key rotation requires exactly 2 keys, found 1"
    );
    let second = out(&run(&["keys", "generate", "--dir", s(&ring)]));
    let listed = json(&run(&["keys", "list", "--dir", s(&ring), "--json"]));
    assert_eq!(listed["current"], first.as_str());
    assert_eq!(listed["kids"], serde_json::json!([first, second]));
    assert_eq!(out(&run(&["keys", "rotate", "--dir", s(&ring)])), second);
    let jwks = json(&run(&["keys", "jwks", "--dir", s(&ring)]));
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid"))
        .collect();
    assert_eq!(kids, [second.as_str(), first.as_str()]);
    assert!(jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .all(|k| k["use"] == "sig" && k["alg"] == "RS256" && k.get("d").is_none()));
    assert_eq!(out(&run(&["keys", "trim", "--dir", s(&ring)])), second);
    let o = run(&["keys", "trim", "--dir", s(&ring)]);
    assert_eq!(
        err(&o).trim(),
        "error[key_ring]: Refusing to remove single key, as it is in use"
    );
    let o = run(&["keys", "jwks", "--dir", s(&tmp.path().join("missing"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[key_ring]"), "{}", err(&o));
}

fn ring_with_key(dir: &Path) -> String {
    out(&run(&["keys", "generate", "--dir", s(dir)]))
}

#[test]
fn issue_from_add_ons_then_verify_with_the_published_jwks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ring = tmp.path().join("ring");
    let kid = ring_with_key(&ring);
    let jwks_path = tmp.path().join("jwks.json");
    std::fs::write(&jwks_path, out(&run(&["keys", "jwks", "--dir", s(&ring)])))
        .expect("write jwks");

    let issued = json(&run(&[
        "token",
        "issue",
        "--keys",
        s(&ring),
        "--add-on",
        "code_suggestions",
        "--subject",
        "uuid-1",
        "--realm",
        "saas",
        "--claim",
        "gitlab_instance_uid=uid-9",
        "--claim",
        "n=7",
        "--json",
    ]));
    let token = issued["token"].as_str().expect("token");
    let claims = &issued["claims"];
    assert!(claims["scopes"]
        .as_array()
        .expect("scopes")
        .contains(&"duo_chat".into()));
    assert_eq!(claims["n"], 7);
    assert_eq!(claims["gitlab_instance_uid"], "uid-9");
    assert_eq!(
        claims["nbf"].as_i64().expect("nbf") + 5,
        claims["iat"].as_i64().expect("iat")
    );

    let v = run(&[
        "token",
        "verify",
        token,
        "--jwks",
        s(&jwks_path),
        "--audience",
        "gitlab-ai-gateway",
    ]);
    assert!(v.status.success(), "{}", out(&v));
    let v = json(&v);
    assert_eq!(
        (v["valid"].as_bool(), v["header"]["kid"].as_str()),
        (Some(true), Some(kid.as_str()))
    );
    assert_eq!(&v["claims"], claims);

    let wrong = run(&[
        "token",
        "verify",
        token,
        "--jwks",
        s(&jwks_path),
        "--audience",
        "someone-else",
    ]);
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(json(&wrong)["code"], "audience_mismatch");
    let garbage = run(&[
        "token",
        "verify",
        "not.a.token",
        "--jwks",
        s(&jwks_path),
        "--audience",
        "x",
    ]);
    assert_eq!(json(&garbage)["code"], "token_malformed");

    // From stdin, and inspected without trust.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
        .args(["token", "inspect", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(token.as_bytes())
        .expect("write");
    let inspected: Value =
        serde_json::from_slice(&child.wait_with_output().expect("wait").stdout).expect("json");
    assert_eq!(&inspected["claims"], claims);
    assert!(inspected["warning"]
        .as_str()
        .expect("warning")
        .contains("NOT checked"));
}

#[test]
fn explicit_scopes_need_an_audience_and_pem_verification_works() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ring = tmp.path().join("ring");
    ring_with_key(&ring);
    let o = run(&[
        "token",
        "issue",
        "--keys",
        s(&ring),
        "--scope",
        "duo_chat",
        "--subject",
        "u",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let token = out(&run(&[
        "token",
        "issue",
        "--keys",
        s(&ring),
        "--scope",
        "duo_chat",
        "--audience",
        "gitlab-ai-gateway",
        "--subject",
        "u",
    ]));
    // The ring's PEM file (private) serves as the verification key.
    let pem = std::fs::read_dir(&ring)
        .expect("ring")
        .next()
        .expect("a key")
        .expect("entry")
        .path();
    let v = run(&[
        "token",
        "verify",
        &token,
        "--pem",
        s(&pem),
        "--audience",
        "gitlab-ai-gateway",
    ]);
    assert!(v.status.success(), "{}", out(&v));
    assert_eq!(
        json(&v)["claims"]["scopes"],
        serde_json::json!(["duo_chat"])
    );
    let o = run(&["token", "verify", &token, "--audience", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("give --jwks FILE, --pem FILE or --oidc URL"));
    let o = run(&[
        "token",
        "issue",
        "--keys",
        s(&tmp.path().join("none")),
        "--subject",
        "u",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "token",
        "issue",
        "--keys",
        s(&ring),
        "--subject",
        "u",
        "--claim",
        "novalue",
    ]);
    assert!(err(&o).contains("--claim 'novalue' is not NAME=VALUE"));
}

/// A tiny OIDC issuer: discovery and JWKS, for `--oidc`.
fn serve_oidc(jwks: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let discovery =
        format!("{{\"issuer\":\"{base}\",\"jwks_uri\":\"{base}/oauth/discovery/keys\"}}");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4).flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            reader.read_line(&mut line).expect("request line");
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                    break;
                }
            }
            let body = if line.contains("openid-configuration") {
                discovery.clone()
            } else {
                jwks.clone()
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn verify_through_oidc_discovery() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ring = tmp.path().join("ring");
    ring_with_key(&ring);
    let base = serve_oidc(out(&run(&["keys", "jwks", "--dir", s(&ring)])));
    let token = out(&run(&[
        "token",
        "issue",
        "--keys",
        s(&ring),
        "--subject",
        "u",
        "--add-on",
        "duo_pro",
    ]));
    let v = run(&[
        "token",
        "verify",
        &token,
        "--oidc",
        &base,
        "--audience",
        "gitlab-ai-gateway",
    ]);
    assert!(v.status.success(), "{} {}", out(&v), err(&v));
    assert_eq!(json(&v)["valid"], true);
}
