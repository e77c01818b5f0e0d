//! What the serve tests share: the command line, a running `serve` on 127.0.0.1 and its
//! requests, and a fresh key ring.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
        .env_remove("CLOUD_CONNECTOR_CONFIG_DIR")
        .args(args)
        .output()
        .expect("run")
}

#[derive(Debug)]
pub struct Server {
    pub child: Child,
    pub base: String,
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

impl Server {
    pub fn start(args: &[&str]) -> Server {
        Server::start_logging(args, Stdio::null())
    }

    /// Starts serve with its log (stderr) going to `log`.
    pub fn start_logging(args: &[&str], log: Stdio) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
            .env_remove("CLOUD_CONNECTOR_CONFIG_DIR")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .expect("listening line")
            .to_owned();
        Server { child, base }
    }

    /// POSTs a JSON body: the status and the parsed answer.
    pub fn post(&self, path: &str, bearer: Option<&str>, body: &str) -> (u16, Value) {
        let mut req = agent().post(&format!("{}{path}", self.base));
        if let Some(b) = bearer {
            req = req.header("Authorization", &format!("Bearer {b}"));
        }
        let mut resp = req
            .header("Content-Type", "application/json")
            .send(body)
            .expect("request");
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    pub fn get(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Vec<(String, String)>, String) {
        let mut req = agent().get(&format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = req.call().expect("request");
        let status = resp.status().as_u16();
        let hs = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        (status, hs, body)
    }

    pub fn json(&self, path: &str) -> Value {
        let (status, _, body) = self.get(path, &[]);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("json")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn ring(dir: &Path) {
    assert!(
        cli(&["keys", "generate", "--dir", dir.to_str().expect("utf8")])
            .status
            .success()
    );
}

/// An instance token for `instance`, granting duo_chat.
pub fn token(keys: &str, instance: &str) -> String {
    let out = cli(&[
        "token",
        "issue",
        "--keys",
        keys,
        "--add-on",
        "duo_pro",
        "--subject",
        instance,
        "--realm",
        "saas",
        "--claim",
        &format!("gitlab_instance_id={instance}"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

/// /auth for duo_chat with `instance`'s `token`: the status, the headers and the body.
pub fn auth(s: &Server, token: &str, instance: &str) -> (u16, Vec<(String, String)>, String) {
    auth_for(s, token, instance, "duo_chat")
}

pub fn auth_for(
    s: &Server,
    token: &str,
    instance: &str,
    unit_primitive: &str,
) -> (u16, Vec<(String, String)>, String) {
    let bearer = format!("Bearer {token}");
    s.get(
        "/auth",
        &[
            ("Authorization", bearer.as_str()),
            ("X-Gitlab-Authentication-Type", "oidc"),
            ("X-Gitlab-Realm", "saas"),
            ("X-Gitlab-Instance-Id", instance),
            ("X-Gitlab-Unit-Primitive", unit_primitive),
        ],
    )
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Writes `text` as `dir/quotas.yml`; its path.
pub fn write_quotas(dir: &Path, text: &str) -> String {
    let path = dir.join("quotas.yml");
    std::fs::write(&path, text).expect("write quotas");
    path.to_str().expect("utf8").to_owned()
}

/// A temporary directory with a fresh key ring and a quota file of one limit per instance on
/// duo_chat, `requests` per hour: the directory (kept alive), the ring's and the file's paths.
pub fn ring_and_quota(name: &str, requests: usize) -> (tempfile::TempDir, String, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = tmp.path().join("keys");
    ring(&keys);
    let quotas = write_quotas(
        tmp.path(),
        &format!("limits:\n  - {{name: {name}, per: instance, unit_primitives: [duo_chat], requests: {requests}, period: 1h}}\n"),
    );
    let keys = keys.to_str().expect("utf8").to_owned();
    (tmp, keys, quotas)
}
