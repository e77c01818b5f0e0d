//! Wycheproof JWS/JWK conformance (tests/vectors/wycheproof, Apache-2.0). Every case whose key
//! and algorithm we support must give the expected result; skipped groups are listed in
//! docs/token-status.md.

use serde_json::Value;

use super::{parse_jwk, verify_jws, Algorithm, KeySet, DEFAULT_MAX_TOKEN_SIZE};
use std::sync::Arc;

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../tests/vectors/wycheproof/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Cases where we knowingly differ from Wycheproof's expectation, with the reason.
const DEVIATIONS: &[(&str, u64, &str)] = &[
    // A PS384 token checked against a JWK whose `alg` is PS256. The JWK `alg` names the one
    // algorithm the key is for (RFC 7517 §4.4), so we refuse, as Wycheproof's own WrongPrimitive
    // cases require elsewhere.
    (
        "json_web_signature_test.json",
        346,
        "JWK alg PS256 restricts the key; token is PS384",
    ),
    (
        "json_web_signature_test.json",
        350,
        "JWK alg PS256 restricts the key; token is PS384",
    ),
];

struct Tally {
    passed: usize,
    skipped: Vec<String>,
    failures: Vec<String>,
}

fn run_group(file: &str, group: &Value, keys: Option<KeySet>, tally: &mut Tally) {
    let comment = group["comment"].as_str().unwrap_or("?");
    let tests = group["tests"].as_array().unwrap();
    let keys = match keys {
        Some(k) => k,
        None => {
            tally.skipped.push(format!(
                "{file} '{comment}': {} cases (no usable public key)",
                tests.len()
            ));
            return;
        }
    };
    for t in tests {
        let id = t["tcId"].as_u64().unwrap();
        let expected_valid = t["result"] == "valid";
        let jws = t["jws"].as_str().unwrap();
        let got = verify_jws(jws, &keys, Algorithm::ALL, DEFAULT_MAX_TOKEN_SIZE);
        if got.is_ok() == expected_valid {
            tally.passed += 1;
        } else if DEVIATIONS.iter().any(|(f, i, _)| *f == file && *i == id) {
            tally.skipped.push(format!("{file} #{id}: known deviation"));
        } else {
            tally.failures.push(format!(
                "{file} '{comment}' #{id} ({}): expected {}, got {got:?}",
                t["comment"], t["result"]
            ));
        }
    }
}

/// A group is skipped only when its key is of a kind we never support (symmetric, P-521)
/// *and* it has cases expected to be valid; if every case is invalid, a refused key must still
/// reject them all, so such groups run.
fn keys_for(public: Option<&Value>, tests: &[Value]) -> Option<KeySet> {
    let all_invalid = tests.iter().all(|t| t["result"] == "invalid");
    let parsed = match public {
        None => None,
        Some(p) if p.get("keys").is_some() => KeySet::from_jwks(p)
            .ok()
            .map(|(set, _)| set)
            .filter(|s| !s.is_empty()),
        Some(p) => parse_jwk(p).ok().map(|k| KeySet::new(vec![Arc::new(k)])),
    };
    match parsed {
        Some(set) => Some(set),
        None if all_invalid => Some(KeySet::default()),
        None => None,
    }
}

#[test]
fn wycheproof_json_web_signature_and_key() {
    let mut tally = Tally {
        passed: 0,
        skipped: Vec::new(),
        failures: Vec::new(),
    };
    for file in ["json_web_signature_test.json", "json_web_key_test.json"] {
        let doc = load(file);
        for group in doc["testGroups"].as_array().unwrap() {
            let tests = group["tests"].as_array().unwrap();
            run_group(
                file,
                group,
                keys_for(group.get("public"), tests),
                &mut tally,
            );
        }
    }
    eprintln!(
        "wycheproof: {} passed; skipped:\n  {}",
        tally.passed,
        tally.skipped.join("\n  ")
    );
    assert!(
        tally.failures.is_empty(),
        "{} failures:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(tally.passed > 300);
}
