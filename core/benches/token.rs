//! Verification and issuance next to raw aws-lc-rs RSA with the same key, so the overhead of
//! parsing, key selection, claims and caching is visible.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use cloud_connector::auth::{CompositeConfig, CompositeProvider, KeySource, StaticJwksProvider};
use cloud_connector::token::{
    pem, verify, JsonWebToken, KeySet, SigningKey, TokenAuthority, UserTokenClaims, Validation,
};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Map};

const RSA_A: &str = include_str!("../../tests/vectors/keys/rsa_a.pem");
const AUD: &str = "gitlab-ai-gateway";

fn benches(c: &mut Criterion) {
    let key = SigningKey::from_pem(RSA_A).unwrap();
    let scopes = vec!["duo_chat".to_owned(), "complete_code".to_owned()];
    let req = UserTokenClaims {
        sub: "user-1",
        gitlab_realm: "saas",
        gitlab_instance_id: json!("1"),
        scopes: &scopes,
        ..Default::default()
    };
    let authority = TokenAuthority::new(RSA_A);
    let (token, _) = authority.encode(AUD, &req).unwrap();

    let message = token.rsplit_once('.').unwrap().0.as_bytes().to_vec();
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pem::decode(RSA_A).unwrap().1).unwrap();
    let public = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key()).unwrap();
    let mut raw_sig = vec![0; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        &message,
        &mut raw_sig,
    )
    .unwrap();

    c.bench_function("raw aws-lc-rs RS256 verify", |b| {
        b.iter(|| {
            public
                .verify_sig(black_box(&message), black_box(&raw_sig))
                .unwrap()
        })
    });
    c.bench_function("raw aws-lc-rs RS256 sign", |b| {
        let rng = SystemRandom::new();
        let mut sig = vec![0; pair.public_modulus_len()];
        b.iter(|| {
            pair.sign(&RSA_PKCS1_SHA256, &rng, black_box(&message), &mut sig)
                .unwrap()
        })
    });

    let keys = KeySet::new(vec![key.verifying_key().clone()]);
    let now = cloud_connector::token::now();
    let validation = Validation::new([AUD]);
    c.bench_function("verify (no cache)", |b| {
        b.iter(|| verify(black_box(&token), &keys, &validation, now).unwrap())
    });

    let jwks = KeySet::new(vec![key.verifying_key().clone()])
        .to_jwks()
        .to_string();
    let source = |name: &str| -> Arc<dyn KeySource> {
        Arc::new(StaticJwksProvider::from_json(name, &jwks).unwrap())
    };
    let cached = CompositeProvider::new(vec![source("jwks")], CompositeConfig::default());
    c.bench_function("composite verify (cached)", |b| {
        b.iter(|| cached.verify(black_box(&token), &[AUD]).unwrap())
    });
    let uncached_config = CompositeConfig {
        token_cache_capacity: 0,
        ..Default::default()
    };
    let uncached = CompositeProvider::new(vec![source("jwks")], uncached_config);
    c.bench_function("composite verify (cache disabled)", |b| {
        b.iter(|| uncached.verify(black_box(&token), &[AUD]).unwrap())
    });

    c.bench_function("TokenAuthority::encode", |b| {
        b.iter(|| {
            TokenAuthority::new(black_box(RSA_A))
                .encode(AUD, &req)
                .unwrap()
        })
    });
    c.bench_function("JsonWebToken::encode", |b| {
        b.iter(|| {
            let jwt = JsonWebToken::new(
                "https://gitlab.com",
                cloud_connector::token::Audience::Many(vec![AUD.into()]),
                "instance",
                "saas",
                scopes.clone(),
                3600,
                Map::new(),
            );
            jwt.encode(&key).unwrap()
        })
    });
}

criterion_group!(token_benches, benches);
criterion_main!(token_benches);
