//! Verification and issuance of the realistic token of issue 18 (bench/realistic_token.json:
//! claims of about 900 bytes, 26 scopes, an `aud` list, `kid` among four keys) next to raw
//! aws-lc-rs RSA over the same bytes, so the overhead of parsing, key selection, claims and
//! caching is visible, and next to the `jsonwebtoken` crate (aws-lc-rs backend) doing the same.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use cloud_connector::auth::{CompositeConfig, CompositeProvider, KeySource, StaticJwksProvider};
use cloud_connector::token::{
    base64url_decode, pem, verify, Audience, JsonWebToken, KeySet, SigningKey, TokenAuthority,
    UserTokenClaims, Validation,
};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Map, Value};

const RSA_A: &str = include_str!("../../tests/vectors/keys/rsa_a.pem");
const RSA_C: &str = include_str!("../../tests/vectors/keys/rsa_c.pem");
const REALISTIC: &str = include_str!("../../bench/realistic_token.json");
const AUD: &str = "gitlab-ai-gateway";

fn benches(c: &mut Criterion) {
    let doc: Value = serde_json::from_str(REALISTIC).unwrap();
    let token = doc["token"].as_str().unwrap().to_owned();
    let claims = doc["claims"].as_object().unwrap().clone();
    let jwks = doc["jwks"].to_string();
    let kid = token_kid(&token);
    let (message, signature) = token.rsplit_once('.').unwrap();
    let (message, signature) = (
        message.as_bytes().to_vec(),
        base64url_decode(signature).unwrap(),
    );
    let signer_jwk = doc["jwks"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap()
        .clone();

    let (keys, _) = KeySet::from_jwks_str(&jwks).unwrap();
    // The token's signer (checked against the file), parsed once as a raw public key.
    assert_eq!(doc["signing_key"], "tests/vectors/keys/rsa_c.pem");
    let signer = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pem::decode(RSA_C).unwrap().1).unwrap();
    let public = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, signer.public_key()).unwrap();
    c.bench_function("raw aws-lc-rs RS256 verify", |b| {
        b.iter(|| {
            public
                .verify_sig(black_box(&message), black_box(&signature))
                .unwrap()
        })
    });
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pem::decode(RSA_A).unwrap().1).unwrap();
    c.bench_function("raw aws-lc-rs RS256 sign", |b| {
        let rng = SystemRandom::new();
        let mut sig = vec![0; pair.public_modulus_len()];
        b.iter(|| {
            pair.sign(&RSA_PKCS1_SHA256, &rng, black_box(&message), &mut sig)
                .unwrap()
        })
    });

    let now = cloud_connector::token::now();
    let validation = Validation::new([AUD]);
    c.bench_function("verify (no cache)", |b| {
        b.iter(|| verify(black_box(&token), &keys, &validation, now).unwrap())
    });
    let crate_key =
        jsonwebtoken::DecodingKey::from_jwk(&serde_json::from_value(signer_jwk).unwrap()).unwrap();
    let mut crate_validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    crate_validation.set_audience(&[AUD]);
    c.bench_function("jsonwebtoken crate decode (prepared key)", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<Map<String, Value>>(
                black_box(&token),
                &crate_key,
                &crate_validation,
            )
            .unwrap()
        })
    });

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

    // Issuance of the same claims with a prepared key: ours, the crate's, the raw sign above.
    let key = SigningKey::from_pem(RSA_A).unwrap();
    let strings = |v: &Value| -> Vec<String> {
        let list = v.as_array().unwrap().iter();
        list.map(|s| s.as_str().unwrap().to_owned()).collect()
    };
    let (scopes, audiences) = (strings(&claims["scopes"]), strings(&claims["aud"]));
    let mut extra = Map::new();
    extra.insert(
        "gitlab_instance_id".into(),
        claims["gitlab_instance_id"].clone(),
    );
    c.bench_function("JsonWebToken::encode", |b| {
        b.iter(|| {
            JsonWebToken::new(
                claims["iss"].as_str().unwrap(),
                Audience::Many(audiences.clone()),
                claims["sub"].as_str().unwrap(),
                claims["gitlab_realm"].as_str().unwrap(),
                scopes.clone(),
                3600,
                extra.clone(),
            )
            .encode_with_kid(&key, "bench")
            .unwrap()
        })
    });
    let crate_signing = jsonwebtoken::EncodingKey::from_rsa_pem(RSA_A.as_bytes()).unwrap();
    let mut crate_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    crate_header.kid = Some("bench".into());
    c.bench_function("jsonwebtoken crate encode (prepared key)", |b| {
        b.iter(|| jsonwebtoken::encode(&crate_header, black_box(&claims), &crate_signing).unwrap())
    });

    let user_scopes = vec!["duo_chat".to_owned(), "complete_code".to_owned()];
    let req = UserTokenClaims {
        sub: "user-1",
        gitlab_realm: "saas",
        gitlab_instance_id: json!("1"),
        scopes: &user_scopes,
        ..Default::default()
    };
    c.bench_function("TokenAuthority::encode", |b| {
        b.iter(|| {
            TokenAuthority::new(black_box(RSA_A))
                .encode(AUD, &req)
                .unwrap()
        })
    });
}

fn token_kid(token: &str) -> String {
    let header = base64url_decode(token.split('.').next().unwrap()).unwrap();
    let header: Value = serde_json::from_slice(&header).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

criterion_group!(token_benches, benches);
criterion_main!(token_benches);
