//! Debian's nginx with `auth_request` to `cloud-connector serve`, in front of a small upstream,
//! all on 127.0.0.1: a valid token with the scope reaches the upstream with the identity headers,
//! a missing scope gets 403, a bad token 401. `make test` installs nginx (scripts/install-deps.sh).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn nginx_binary() -> String {
    for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(candidate).exists() {
            return candidate.to_owned();
        }
    }
    panic!("nginx is not installed: `make test` installs it (scripts/install-deps.sh), or apt-get install nginx-light");
}

fn cli(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
        .args(args)
        .output()
        .expect("run");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf8").trim().to_owned()
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An upstream that answers 200 with the request's header block as its body.
fn upstream() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind upstream");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).map(|n| n == 0).unwrap_or(true) || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            log.lock().expect("lock").push(head.clone());
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
                head.len()
            );
        }
    });
    (port, seen)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A raw HTTP/1.0 GET: the status code and the body.
fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
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
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn nginx_auth_request_in_front_of_an_upstream() {
    let nginx = nginx_binary();
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = tmp.path().join("keys");
    let k = keys.to_str().expect("utf8");
    cli(&["keys", "generate", "--dir", k]);

    let mut serve = Command::new(env!("CARGO_BIN_EXE_cloud-connector"))
        .args(["serve", "--listen", "127.0.0.1:0", "--keys", k])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    BufReader::new(serve.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening");
    let _serve = Kill(serve);
    let auth = line
        .trim()
        .strip_prefix("listening on http://")
        .expect("address")
        .to_owned();

    let (up_port, seen) = upstream();
    let port = free_port();
    let prefix = tmp.path().join("nginx");
    std::fs::create_dir_all(prefix.join("logs")).expect("mkdir");
    let conf = format!(
        r#"master_process off;
daemon off;
error_log {p}/logs/error.log warn;
pid {p}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {p}/body; proxy_temp_path {p}/proxy; fastcgi_temp_path {p}/fcgi;
  uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      auth_request /_cloud_connector_auth;
      auth_request_set $cc_subject $upstream_http_x_gitlab_subject;
      auth_request_set $cc_realm $upstream_http_x_gitlab_realm;
      auth_request_set $cc_scopes $upstream_http_x_gitlab_scopes;
      proxy_set_header X-Gitlab-Subject $cc_subject;
      proxy_set_header X-Gitlab-Verified-Realm $cc_realm;
      proxy_set_header X-Gitlab-Scopes $cc_scopes;
      proxy_pass http://127.0.0.1:{up_port};
    }}
    location = /_cloud_connector_auth {{
      internal;
      proxy_pass http://{auth}/auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
    }}
  }}
}}
"#,
        p = prefix.display()
    );
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf).expect("write conf");
    let nginx = Command::new(nginx)
        .args([
            "-p",
            prefix.to_str().expect("utf8"),
            "-c",
            conf_path.to_str().expect("utf8"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nginx");
    let _nginx = Kill(nginx);
    wait_for(port);

    let token = cli(&[
        "token",
        "issue",
        "--keys",
        k,
        "--add-on",
        "duo_pro",
        "--subject",
        "inst-7",
        "--realm",
        "saas",
    ]);
    let bearer = format!("Bearer {token}");
    let headers = |up: &'static str| {
        vec![
            ("Authorization", bearer.clone()),
            ("X-Gitlab-Authentication-Type", "oidc".to_owned()),
            ("X-Gitlab-Realm", "saas".to_owned()),
            ("X-Gitlab-Instance-Id", "inst-7".to_owned()),
            ("X-Gitlab-Unit-Primitive", up.to_owned()),
        ]
    };
    let as_refs = |h: &Vec<(&'static str, String)>| {
        h.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let send = |path: &str, h: Vec<(&str, String)>| {
        let refs: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        get(port, path, &refs)
    };

    let (status, body) = send("/v1/chat/completions", as_refs(&headers("duo_chat")));
    assert_eq!(status, 200, "{body}");
    let upstream_saw = seen
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        upstream_saw.contains("x-gitlab-subject: inst-7"),
        "{upstream_saw}"
    );
    assert!(
        upstream_saw.contains("x-gitlab-verified-realm: saas"),
        "{upstream_saw}"
    );
    assert!(
        upstream_saw.contains("x-gitlab-scopes: ") && upstream_saw.contains("duo_chat"),
        "{upstream_saw}"
    );

    let requests_before = seen.lock().expect("lock").len();
    let (status, _) = send("/v1/x", as_refs(&headers("ask_build")));
    assert_eq!(status, 403, "a scope the token lacks");
    let mut bad = headers("duo_chat");
    bad[0].1 = "Bearer not.a.token".into();
    let (status, _) = send("/v1/x", bad);
    assert_eq!(status, 401, "a bad token");
    let (status, _) = send("/v1/x", vec![]);
    assert_eq!(status, 401, "no token");
    assert_eq!(
        seen.lock().expect("lock").len(),
        requests_before,
        "refused requests never reach the upstream"
    );
}
