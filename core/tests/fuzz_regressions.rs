//! Every case of tests/vectors/fuzz-regressions.json through the invariant check of the fuzz
//! target that found it (fuzz/src/checks.rs, the same code the fuzz targets run), so a crash
//! fixed once stays fixed under `make test`, without the fuzzing toolchain.

#[allow(dead_code)]
#[path = "../../fuzz/src/checks.rs"]
mod checks;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

#[test]
fn fuzz_regression_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/fuzz-regressions.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let target = case["target"].as_str().expect("target");
        let input = match (case["input"].as_str(), case["input_base64"].as_str()) {
            (Some(text), None) => text.as_bytes().to_vec(),
            (None, Some(b64)) => STANDARD.decode(b64).expect("input_base64"),
            _ => panic!("{id}: exactly one of input / input_base64"),
        };
        let outcome = std::panic::catch_unwind(|| checks::check(target, &input));
        assert!(
            outcome.is_ok(),
            "fuzz regression {id} ({target}) fails again"
        );
    }
}

/// The vectors' seed inputs (valid tokens, keys) pass every check: the checks are not vacuous.
#[test]
fn checks_accept_the_vectors_own_inputs() {
    let f = checks::fixture();
    for (i, token) in f.valid_tokens.iter().enumerate() {
        checks::check_compact_token(token.as_bytes());
        checks::check_compact_token_mutation(&[u8::try_from(i).unwrap()]);
    }
    for key in f.vectors["jwks"]["keys"].as_array().unwrap() {
        checks::check_jwk_jwks(key.to_string().as_bytes());
    }
    let base = "add_ons/duo_pro.yml\nname: duo_pro\ndescription: Duo Pro.\n\0\
        backend_services/ai_gateway.yml\nname: ai_gateway\ndescription: AI gateway.\njwt_aud: gitlab-ai-gateway\n\0\
        unit_primitives/duo_chat.yml\nname: duo_chat\ndescription: Chat.\ngroup: g\nfeature_category: duo_chat\n\
        backend_services: [ai_gateway]\nadd_ons: [duo_pro]\nlicense_types: []\n";
    checks::check_catalog_yaml(base.as_bytes());
}

/// A fixed pseudo-random walk over the mutation target's input space, so the `jsonwebtoken`
/// oracle meets edited tokens under `cargo test` too, not only under `cargo fuzz`.
#[test]
fn edited_vector_tokens_meet_the_oracle() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..1500 {
        let len = 1 + (next() % 10) as usize * 3;
        let input: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        checks::check_compact_token_mutation(&input);
    }
}
