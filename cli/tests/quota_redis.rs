//! `serve --quotas --redis` against a real `redis-server` (Debian's) started on a free port of
//! 127.0.0.1: two replicas share one quota exactly, another instance is unaffected, and with
//! Redis killed each replica follows its failure policy (open admits, closed answers 429), then
//! recovers by itself when Redis is back. No request is ever answered 5xx.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{auth, header, ring_and_quota, token, Server};

struct Redis {
    child: Child,
}

impl Redis {
    fn start(port: u16) -> Redis {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/install-deps.sh installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ping(port) {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis { child }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// `serve` with `keys` and `quotas`, its counters in the Redis at `url`, and `extra` flags.
fn serve_over_redis(keys: &str, quotas: &str, url: &str, extra: &[&str]) -> Server {
    let mut args = vec!["--keys", keys, "--quotas", quotas, "--redis", url];
    args.extend_from_slice(extra);
    Server::start(&args)
}

fn metric(s: &Server, prefix: &str) -> u64 {
    let (_, _, text) = s.get("/metrics", &[]);
    text.lines()
        .find_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn replicas_share_one_quota_and_follow_the_failure_policy_while_redis_is_away() {
    const LIMIT: usize = 10;
    let port = free_port();
    let redis = Redis::start(port);
    let (_tmp, k, quotas) = ring_and_quota("chat", LIMIT);
    let k = k.as_str();
    let url = format!("redis://127.0.0.1:{port}");
    let replica = |policy: &str| serve_over_redis(k, &quotas, &url, &["--redis-failure", policy]);
    let (open, closed) = (replica("open"), replica("closed"));
    let replicas = [&open, &closed];
    let (a, b) = (token(k, "inst-a"), token(k, "inst-b"));

    // 3x the limit across both replicas: exactly the limit gets through.
    let mut statuses = Vec::new();
    for i in 0..3 * LIMIT {
        let (status, headers, body) = auth(replicas[i % 2], &a, "inst-a");
        if status == 429 {
            let body: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(body["code"], "quota_exceeded");
            assert!(header(&headers, "retry-after").is_some());
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        LIMIT,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2 * LIMIT,
        "{statuses:?}"
    );
    // Another instance is unaffected.
    for s in replicas {
        assert_eq!(auth(s, &b, "inst-b").0, 200);
    }

    // Redis goes away: open admits unmetered, closed refuses with 429; never a 5xx.
    redis.stop();
    for _ in 0..5 {
        let (status, headers, _) = auth(&open, &b, "inst-b");
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "ratelimit"), None, "unmetered");
        let (status, _, body) = auth(&closed, &b, "inst-b");
        assert_eq!(status, 429, "{body}");
        let body: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(body["code"], "quota_store_failed");
    }
    assert!(
        metric(
            &open,
            "cloud_connector_quota_store_failures_total{policy=\"open\"}"
        ) >= 5
    );
    assert!(
        metric(
            &closed,
            "cloud_connector_quota_store_failures_total{policy=\"closed\"}"
        ) >= 5
    );

    // Redis returns (empty): both replicas meter again on their own, within seconds.
    let _redis = Redis::start(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    for s in replicas {
        loop {
            let (status, headers, body) = auth(s, &b, "inst-b");
            assert!(status < 500, "{status}: {body}");
            if status == 200 && header(&headers, "ratelimit").is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "no recovery: {status} {body}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn concurrent_decisions_batched_into_one_script_call_still_admit_exactly_the_limit() {
    const LIMIT: usize = 25;
    const CLIENTS: usize = 16;
    const EACH: usize = 10;
    let port = free_port();
    let _redis = Redis::start(port);
    let (_tmp, k, quotas) = ring_and_quota("chat", LIMIT);
    let url = format!("redis://127.0.0.1:{port}");
    let replica = || serve_over_redis(&k, &quotas, &url, &["--redis-connections", "1"]);
    let (r1, r2) = (replica(), replica());
    let (a, b) = (token(&k, "inst-a"), token(&k, "inst-b"));
    // 16 clients at once over two replicas, each sending 10 requests for one of two instances:
    // decisions wait for the one connection's batch in flight, so most go in multi-decision
    // batches, and each instance still gets exactly its limit through.
    let statuses: Vec<(usize, u16)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let server = if c % 2 == 0 { &r1 } else { &r2 };
                let (tok, inst) = if c % 4 < 2 {
                    (&a, "inst-a")
                } else {
                    (&b, "inst-b")
                };
                scope.spawn(move || {
                    (0..EACH)
                        .map(|_| (c % 4 / 2, auth(server, tok, inst).0))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("client"))
            .collect()
    });
    for instance in 0..2 {
        let admitted = statuses
            .iter()
            .filter(|(i, s)| *i == instance && *s == 200)
            .count();
        let refused = statuses
            .iter()
            .filter(|(i, s)| *i == instance && *s == 429)
            .count();
        assert_eq!(
            (admitted, refused),
            (LIMIT, CLIENTS / 2 * EACH - LIMIT),
            "{statuses:?}"
        );
    }
    let sent = |s: &Server| {
        (
            metric(s, "cloud_connector_quota_redis_batches_total"),
            metric(s, "cloud_connector_quota_redis_batched_decisions_total"),
        )
    };
    let ((b1, d1), (b2, d2)) = (sent(&r1), sent(&r2));
    assert_eq!(
        d1 + d2,
        (CLIENTS * EACH) as u64,
        "every decision went to Redis once"
    );
    assert!(
        b1 + b2 < d1 + d2,
        "no decisions shared a script call: {b1}+{b2} batches for {d1}+{d2}"
    );
}

#[test]
fn a_redis_that_never_answers_is_timed_out_and_bad_settings_are_refused() {
    // Accepts connections (the kernel's backlog) and never answers a byte.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("redis://{}", silent.local_addr().expect("addr"));
    let (_tmp, k, quotas) = ring_and_quota("chat", 10);
    let s = serve_over_redis(&k, &quotas, &url, &["--redis-timeout", "0.2"]);
    let a = token(&k, "inst-a");
    for _ in 0..3 {
        let started = Instant::now();
        let (status, _, body) = auth(&s, &a, "inst-a");
        assert_eq!(status, 200, "fail open: {body}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    assert!(
        metric(
            &s,
            "cloud_connector_quota_store_failures_total{policy=\"open\"}"
        ) >= 3
    );

    let refused = |redis: &str, extra: &[&str], message: &str| {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--quotas", &quotas];
        args.extend(["--redis", redis]);
        args.extend(extra);
        let out = support::cli(&args);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    };
    refused(
        &url,
        &["--redis-timeout", "0"],
        "redis_timeout must be a number of seconds from 0.001 to 10; got 0",
    );
    refused(
        &url,
        &["--redis-connections", "0"],
        "redis_connections must be a whole number of entries from 1 to 64; got 0",
    );
    refused(
        &url,
        &["--redis-failure", "maybe"],
        "redis_failure must be \"open\" or \"closed\"; got \"maybe\"",
    );
    refused("http://x", &[], "--redis \"http://x\"");
}

/// A clock that stays where a test puts it.
#[derive(Debug)]
struct At(std::sync::atomic::AtomicI64);

impl cloud_connector::quota::Clock for At {
    fn now_micros(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn a_batch_sharing_counters_is_judged_as_the_same_requests_one_by_one_in_memory() {
    use cloud_connector::quota::{
        gcra_invocation, redis_spent, Check, MemoryStore, QuotaStore, Rate, REDIS_GCRA_SCRIPT,
    };
    let port = free_port();
    let redis = Redis::start(port);
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("client");
    let mut connection = client.get_connection().expect("connection");
    let script = redis::Script::new(REDIS_GCRA_SCRIPT);
    let check = |limit: usize, key: &str, requests: u64, burst: u64| Check {
        limit,
        key: key.to_owned(),
        rate: Rate {
            requests,
            period_seconds: 60,
            burst,
        },
    };
    // Twelve requests in one batch: all spend the shared counter (burst 5), each its own, and
    // every third one a counter of the thirds (burst 1), which refuses the fourth request
    // though the shared counter would admit it (so the sixth gets its place).
    let requests: Vec<Vec<Check>> = (0..12)
        .map(|i| {
            let mut checks = vec![
                check(0, "shared", 10, 5),
                check(1, &format!("own-{i}"), 10, 10),
            ];
            if i % 3 == 0 {
                checks.push(check(2, "thirds", 10, 1));
            }
            checks
        })
        .collect();
    let batch: Vec<&[Check]> = requests.iter().map(Vec::as_slice).collect();
    // Twice: on fresh counters, then on the counters the first batch left.
    let clock = std::sync::Arc::new(At(0.into()));
    let memory = MemoryStore::new(1024, clock.clone());
    let mut admitted = Vec::new();
    for round in 0..2 {
        let reply: Vec<i64> = gcra_invocation(&script, &batch)
            .invoke(&mut connection)
            .expect("script");
        let spent = redis_spent(&reply, &batch).expect("answer");
        assert_eq!(spent.len(), requests.len());
        for (checks, from_redis) in requests.iter().zip(&spent) {
            clock
                .0
                .store(from_redis.now_micros, std::sync::atomic::Ordering::SeqCst);
            assert_eq!(
                &memory.spend(checks).expect("memory"),
                from_redis,
                "round {round}"
            );
            if from_redis.admitted {
                admitted.push((round, checks[1].key.clone()));
            }
        }
    }
    // The shared counter's burst bounds the first round; the second comes too soon for more.
    let first: Vec<(i32, String)> = [0, 1, 2, 4, 5]
        .iter()
        .map(|i| (0, format!("own-{i}")))
        .collect();
    assert_eq!(admitted, first);
    // Each counter written once per batch, expiring when its TAT passes.
    let ttl: i64 = redis::cmd("PTTL")
        .arg("shared")
        .query(&mut connection)
        .expect("pttl");
    assert!(ttl > 0 && ttl <= 60_000, "{ttl}");
    redis.stop();
}
