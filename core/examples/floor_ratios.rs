//! Issue 18's Rust ratios timed as the bindings time theirs (decision `bench-floor-in-process`):
//! `token::verify` of the realistic token (bench/realistic_token.json) alternating with its raw
//! signature check (`SignatureFloor`), and `TokenAuthority::encode` of the claims the binding
//! benches issue (26 scopes) alternating with the raw signature of such a token
//! (`SigningFloor`), in batches, median per row. Criterion's rows of the same operations are
//! timed minutes apart, and an RSA signature's speed drifts between them by more than the
//! margins the targets leave.
//!
//! `cargo run --release --example floor_ratios -- [--quick] [--json PATH]`

use std::hint::black_box;
use std::time::Instant;

use cloud_connector::token::{
    now, verify, KeySet, SignatureFloor, SigningFloor, TokenAuthority, UserTokenClaims, Validation,
};
use serde_json::{json, Value};

const REALISTIC: &str = include_str!("../../bench/realistic_token.json");
const RSA_A: &str = include_str!("../../tests/vectors/keys/rsa_a.pem");
const AUD: &str = "gitlab-ai-gateway";

/// Medians in microseconds of `fns` timed in alternation, `batch` calls of each per round.
fn interleaved_us(fns: &mut [&mut dyn FnMut()], batch: usize, rounds: usize) -> Vec<f64> {
    let mut samples = vec![Vec::with_capacity(rounds); fns.len()];
    for f in fns.iter_mut() {
        for _ in 0..batch.div_ceil(10) {
            f();
        }
    }
    for _ in 0..rounds {
        for (f, s) in fns.iter_mut().zip(&mut samples) {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            s.push(start.elapsed().as_secs_f64() * 1e6 / batch as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1));
    let rounds = if quick { 5 } else { 21 };

    let doc: Value = serde_json::from_str(REALISTIC).expect("realistic_token.json");
    let token = doc["token"].as_str().expect("token").to_owned();
    let (keys, _) = KeySet::from_jwks_str(&doc["jwks"].to_string()).expect("jwks");
    let validation = Validation::new([AUD]);
    let at = now();
    let floor = SignatureFloor::new(&token, &keys).expect("the token's signer is in the jwks");
    let [raw_verify, ours_verify] = interleaved_us(
        &mut [&mut || assert!(floor.check()), &mut || {
            black_box(verify(black_box(&token), &keys, &validation, at).expect("verifies"));
        }],
        if quick { 200 } else { 500 },
        rounds,
    )[..] else {
        unreachable!()
    };

    let scopes: Vec<String> = doc["claims"]["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .map(|s| s.as_str().expect("a scope").to_owned())
        .collect();
    let claims = UserTokenClaims {
        sub: "u",
        gitlab_realm: "self-managed",
        gitlab_instance_id: doc["claims"]["gitlab_instance_id"].clone(),
        scopes: &scopes,
        ..Default::default()
    };
    let authority = TokenAuthority::new(RSA_A);
    let (issued, _) = authority.encode(AUD, &claims).expect("encodes");
    let sign_floor = SigningFloor::new(RSA_A, &issued).expect("a key and a token");
    let [raw_sign, ours_issue] = interleaved_us(
        &mut [&mut || assert!(sign_floor.sign()), &mut || {
            black_box(authority.encode(AUD, black_box(&claims)).expect("encodes"));
        }],
        if quick { 20 } else { 50 },
        rounds,
    )[..] else {
        unreachable!()
    };

    let rows = [
        (
            "raw aws-lc-rs RS256 verify (SignatureFloor, same process)",
            "verify",
            "raw aws-lc",
            raw_verify,
        ),
        ("ours token::verify", "verify", "ours", ours_verify),
        (
            "raw aws-lc-rs RS256 sign (SigningFloor, same process)",
            "issue",
            "raw aws-lc",
            raw_sign,
        ),
        (
            "ours TokenAuthority::encode (26 scopes)",
            "issue",
            "ours",
            ours_issue,
        ),
    ];
    println!("rust operation (interleaved)                                  median us");
    for (name, _, _, us) in rows {
        println!("{name:<62} {us:>8.2}");
    }
    if let Some(path) = json_path {
        let rows: Vec<Value> = rows
            .iter()
            .map(|(_, op, imp, us)| json!({"op": op, "impl": imp, "us": us}))
            .collect();
        let doc = json!({"language": "rust", "rows": rows});
        std::fs::write(path, format!("{doc:#}\n")).expect("write --json");
    }
}
