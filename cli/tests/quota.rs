//! `serve --quotas` on 127.0.0.1: /auth admits a granted request while its identity is within
//! the quota file's limits and answers 429 with the RateLimit headers past them; counters are
//! per instance; decisions show on /metrics; a bad quota file stops serve with every problem.

mod support;

use serde_json::Value;
use support::{auth, auth_for, cli, header, ring_and_quota, token, write_quotas, Server};

#[test]
fn over_quota_is_429_with_the_ratelimit_headers_per_instance() {
    let (_tmp, k, quotas) = ring_and_quota("chat_per_instance", 3);
    let k = k.as_str();
    let s = Server::start(&["--keys", k, "--quotas", &quotas]);
    let (a, b) = (token(k, "inst-a"), token(k, "inst-b"));
    for remaining in [2, 1, 0] {
        let (status, headers, body) = auth(&s, &a, "inst-a");
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            header(&headers, "ratelimit-policy"),
            Some("\"chat_per_instance\";q=3;w=3600")
        );
        let rl = header(&headers, "ratelimit").expect("RateLimit");
        assert!(
            rl.starts_with(&format!("\"chat_per_instance\";r={remaining};t=")),
            "{rl}"
        );
        assert_eq!(header(&headers, "retry-after"), None);
    }
    let (status, headers, body) = auth(&s, &a, "inst-a");
    assert_eq!(status, 429, "{body}");
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["code"], "quota_exceeded");
    assert!(body["error"]
        .as_str()
        .expect("error")
        .contains("chat_per_instance"));
    // One request per 20 minutes comes back: the next is 1200 s away.
    assert_eq!(header(&headers, "retry-after"), Some("1200"));
    assert!(header(&headers, "ratelimit")
        .expect("RateLimit")
        .contains(";r=0;"));
    // Another instance has its own counter.
    assert_eq!(auth(&s, &b, "inst-b").0, 200);
    // A request no limit covers carries no quota headers.
    let (status, headers, _) = auth_for(&s, &a, "inst-a", "complete_code");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "ratelimit-policy"), None);

    let (_, _, metrics) = s.get("/metrics", &[]);
    for line in [
        "cloud_connector_quota_decisions_total{decision=\"allow\",key=\"instance\",unit_primitive=\"duo_chat\"} 4",
        "cloud_connector_quota_decisions_total{decision=\"deny\",key=\"instance\",unit_primitive=\"duo_chat\"} 1",
        "cloud_connector_auth_requests_total{result=\"over_quota\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} not in\n{metrics}");
    }
}

#[test]
fn a_bad_quota_file_stops_serve_with_every_problem() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let quotas = write_quotas(
        tmp.path(),
        "limits:\n  - {name: chat, per: org, unit_primitives: [nope], requests: 0, period: 1m, brust: 2}\n",
    );
    let out = cli(&["serve", "--listen", "127.0.0.1:0", "--quotas", &quotas]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("quota_invalid"), "{stderr}");
    assert!(
        stderr.contains("quota file is invalid: 4 problems"),
        "{stderr}"
    );
    for field in ["'per'", "'unit_primitives'", "'requests'", "'brust'"] {
        assert!(
            stderr.contains(&format!("record 'chat', field {field}")),
            "{field}: {stderr}"
        );
    }
}
