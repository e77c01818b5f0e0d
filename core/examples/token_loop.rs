//! A loop of one token path on the realistic token (bench/realistic_token.json), for instruction
//! counts that stay repeatable on a loaded machine (issue 18):
//!
//! `valgrind --tool=callgrind target/release/examples/token_loop <path> <n>`
//!
//! with `<path>` one of `raw` (aws-lc-rs RS256 verify of the token's bytes with a prepared key:
//! the floor), `verify` (`token::verify`), `hit` (`CompositeProvider::verify_cached` of a cached
//! token), `composite` (`CompositeProvider::verify` with the token cache off). Subtract a run
//! with `n = 0` (set-up only) to get the instructions of `n` calls.

use std::sync::Arc;

use aws_lc_rs::signature::{KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use cloud_connector::auth::{CompositeConfig, CompositeProvider, KeySource, StaticJwksProvider};
use cloud_connector::token::{base64url_decode, now, pem, verify, KeySet, Validation};
use serde_json::Value;

const RSA_C: &str = include_str!("../../tests/vectors/keys/rsa_c.pem");
const REALISTIC: &str = include_str!("../../bench/realistic_token.json");
const AUD: &str = "gitlab-ai-gateway";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, n) = match args.as_slice() {
        [_, path, n] => (path.as_str(), n.parse::<usize>().expect("n is a count")),
        _ => panic!("usage: token_loop raw|verify|hit|composite <n>"),
    };
    let doc: Value = serde_json::from_str(REALISTIC).unwrap();
    let token = doc["token"].as_str().unwrap().to_owned();
    let jwks = doc["jwks"].to_string();
    let provider = |capacity: usize| {
        let source: Arc<dyn KeySource> =
            Arc::new(StaticJwksProvider::from_json("jwks", &jwks).unwrap());
        let config = CompositeConfig {
            token_cache_capacity: capacity,
            ..Default::default()
        };
        let p = CompositeProvider::new(vec![source], config);
        p.verify(&token, &[AUD]).unwrap();
        p
    };
    match path {
        "raw" => {
            let (message, signature) = token.rsplit_once('.').unwrap();
            let signature = base64url_decode(signature).unwrap();
            let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pem::decode(RSA_C).unwrap().1).unwrap();
            let public =
                ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key()).unwrap();
            for _ in 0..n {
                public
                    .verify_sig(std::hint::black_box(message.as_bytes()), &signature)
                    .unwrap();
            }
        }
        "verify" => {
            let (keys, _) = KeySet::from_jwks_str(&jwks).unwrap();
            let v = Validation::new([AUD]);
            let t = now();
            for _ in 0..n {
                verify(std::hint::black_box(&token), &keys, &v, t).unwrap();
            }
        }
        "hit" => {
            let p = provider(16);
            for _ in 0..n {
                p.verify_cached(std::hint::black_box(&token), &[AUD])
                    .unwrap();
            }
        }
        "composite" => {
            let p = provider(0);
            for _ in 0..n {
                p.verify(std::hint::black_box(&token), &[AUD]).unwrap();
            }
        }
        other => panic!("unknown path {other}"),
    }
}
