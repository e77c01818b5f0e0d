//! The `jsonwebtoken` crate as the oracle of our verifier (fuzz/src/oracle.rs): every token of
//! tests/vectors/tokens.json gets the crate's answer, or a documented exception's, and every
//! exception of the list is shown to be needed (the crate alone answers otherwise than we do).

#[allow(dead_code)]
#[path = "../../fuzz/src/oracle.rs"]
mod oracle;

use std::collections::HashSet;

use cloud_connector::token::{self, Algorithm, KeySet, SigningKey, Validation};
use oracle::{Exception, Expect, Policy};
use serde_json::{json, Value};

const TOKENS_JSON: &str = include_str!("../../tests/vectors/tokens.json");
const NOW: i64 = 1_700_000_000;
const AUD: &str = "gitlab-ai-gateway";

fn vectors() -> Value {
    serde_json::from_str(TOKENS_JSON).unwrap()
}

fn our_validation(p: &Policy) -> Validation {
    let mut v = Validation::new(p.audiences.clone());
    v.algorithms = p
        .algorithms
        .iter()
        .map(|a| Algorithm::from_name(a).unwrap())
        .collect();
    v.issuer = p.issuer.clone();
    v.leeway = p.leeway;
    v.max_token_size = p.max_token_size;
    v.reject_future_iat = p.reject_future_iat;
    v.verify_signature = p.verify_signature;
    v
}

/// Our answer and the oracle's verdict, asserted to agree; returns the exception that applied.
fn compare(id: &str, token: &str, jwks: &Value, policy: &Policy, now: i64) -> Option<Exception> {
    let (keys, _) = KeySet::from_jwks(jwks).unwrap();
    let ours = token::verify(token, &keys, &our_validation(policy), now);
    let verdict = oracle::verdict(token, jwks, policy, now);
    verdict.assert_agrees(&id, ours.is_ok());
    if let (Ok(v), Ok(claims), None) = (&ours, &verdict.crate_answer, verdict.exception) {
        assert_eq!(
            &Value::Object(v.claims.map().clone()),
            claims,
            "{id}: claims"
        );
    }
    verdict.exception.map(|(e, _)| e)
}

#[test]
fn every_token_vector_gets_the_answer_of_jsonwebtoken_or_of_a_listed_exception() {
    let doc = vectors();
    let mut agreed_plainly = 0;
    let mut accepted_plainly = 0;
    let mut plain_ids = HashSet::new();
    for case in doc["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let policy = Policy::from_vector(&doc["default_validation"], &case["validation"]);
        let token = case["token"].as_str().unwrap();
        let now = case["now"].as_i64().unwrap();
        if compare(id, token, &doc["jwks"], &policy, now).is_none() {
            agreed_plainly += 1;
            accepted_plainly += usize::from(case["expected"]["valid"] == true);
            plain_ids.insert(id);
        }
    }
    // Rules the crate enforces the same way, once its policy is set as ours (`aud` required,
    // `iss` required when an issuer is configured): no exception is needed for them.
    for id in [
        "exp_string",
        "exp_null",
        "nbf_bool",
        "missing_aud",
        "aud_list_non_string",
        "iss_missing",
        "padded_header",
        "standard_alphabet_signature",
        "alg_none",
        "known_kid_wrong_key",
        "valid_unknown_kid_kidless_fallback",
    ] {
        assert!(plain_ids.contains(id), "{id} needed an exception");
    }
    // Most cases need no exception, valid ones included (a vacuous oracle would not get here).
    assert!(agreed_plainly >= 50, "{agreed_plainly}");
    assert!(accepted_plainly >= 15, "{accepted_plainly}");
}

/// A token signed by vector key `a` over the exact header and payload text given.
fn signed(header: &str, payload: &str) -> String {
    let key = SigningKey::from_pem(vectors()["keys"]["a"].as_str().unwrap()).unwrap();
    let input = format!(
        "{}.{}",
        token::base64url_encode(header.as_bytes()),
        token::base64url_encode(payload.as_bytes())
    );
    let sig = key.sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", token::base64url_encode(&sig))
}

fn claims_with(extra: &str) -> String {
    format!(r#"{{"aud":"{AUD}","sub":"s"{extra}}}"#)
}

#[test]
fn every_listed_exception_is_needed_and_holds() {
    let doc = vectors();
    let jwks = &doc["jwks"];
    let default = &doc["default_validation"];
    let rs = r#"{"alg":"RS256","kid":"a"}"#;
    let vector = |id: &str| {
        let case = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no vector {id}"));
        let policy = Policy::from_vector(default, &case["validation"]);
        (case["token"].as_str().unwrap().to_owned(), policy)
    };
    let plain = Policy::from_vector(default, &json!({}));
    let made = |header: &str, payload: &str| (signed(header, payload), plain.clone());
    let examples: Vec<(Exception, (String, Policy))> = vec![
        (Exception::Size, vector("too_large")),
        (
            Exception::Crit,
            made(
                r#"{"alg":"RS256","kid":"a","crit":["b64"],"b64":true}"#,
                &claims_with(""),
            ),
        ),
        (
            Exception::NotAnObject,
            made(rs, &format!(r#"[4102444800,1700000000,"s",null,"{AUD}"]"#)),
        ),
        (
            Exception::DuplicateMember,
            made(rs, &format!(r#"{{"aud":"other","aud":"{AUD}"}}"#)),
        ),
        (
            Exception::HeaderMember,
            made(r#"{"alg":"RS256","kid":"a","typ":1}"#, &claims_with("")),
        ),
        (Exception::NumericDate, vector("iat_list")),
        (
            Exception::NumericDate,
            made(rs, &claims_with(r#","iat":null"#)),
        ),
        (
            Exception::NumericDate,
            made(rs, &claims_with(r#","nbf":-1"#)),
        ),
        (Exception::Clock, vector("not_yet_valid")),
        (Exception::ClaimType, vector("sub_number")),
        (Exception::AtHash, vector("at_hash")),
        (Exception::Bypass, vector("valid_bypass_forged")),
    ];
    let mut shown = HashSet::new();
    for (exception, (token, policy)) in &examples {
        let what = format!("{exception:?}");
        assert_eq!(compare(&what, token, jwks, policy, NOW), Some(*exception));
        let (keys, _) = KeySet::from_jwks(jwks).unwrap();
        let ours = token::verify(token, &keys, &our_validation(policy), NOW).is_ok();
        let verdict = oracle::verdict(token, jwks, policy, NOW);
        assert_ne!(
            verdict.crate_answer.is_ok(),
            ours,
            "{what}: the crate alone agrees here, so the example does not show the exception: {:?}",
            verdict.crate_answer
        );
        if verdict.expect() == Expect::Refused {
            assert!(!ours, "{what}");
        }
        shown.insert(*exception);
    }
    for e in Exception::ALL {
        assert!(shown.contains(e), "{e:?} has no example");
    }
}

/// Both sides of the strictness our base64url shares with the crate: padding, the standard
/// alphabet and non-zero trailing bits are refused by both, with no exception.
#[test]
fn strict_base64url_is_common_ground() {
    let doc = vectors();
    let plain = Policy::from_vector(&doc["default_validation"], &json!({}));
    let token = signed(r#"{"alg":"RS256","kid":"a"}"#, &claims_with(""));
    let (h, rest) = token.split_once('.').unwrap();
    let sig = token.rsplit('.').next().unwrap();
    // The signature is 256 bytes: the low 4 bits of its last character are unused, so flipping
    // the lowest one spells the same bytes a second way.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = ALPHABET
        .iter()
        .position(|&c| sig.ends_with(c as char))
        .unwrap();
    let twin = ALPHABET[last ^ 1] as char;
    let variants = [
        format!("{h}=.{rest}"),
        token.replace('-', "+").replace('_', "/"),
        format!("{}{twin}", &token[..token.len() - 1]),
    ];
    for (i, t) in variants.iter().enumerate() {
        if *t == token {
            continue;
        }
        assert_eq!(
            compare(&format!("variant {i}"), t, &doc["jwks"], &plain, NOW),
            None,
            "{t}"
        );
        assert!(oracle::verdict(t, &doc["jwks"], &plain, NOW)
            .crate_answer
            .is_err());
    }
    assert!(oracle::verdict(&token, &doc["jwks"], &plain, NOW)
        .crate_answer
        .is_ok());
}
