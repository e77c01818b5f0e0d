//! The raw signature check under a token's verification, prepared in advance: the token's
//! signing input and decoded signature checked with its signer's parsed key, and nothing else
//! (no parsing, decoding, key selection or claims). The bindings' benchmarks time it in the same
//! process as their own `verify`, interleaved, so a ratio to the floor needs no floor measured
//! elsewhere or earlier (issue 18's targets are such ratios). Not for verifying tokens.

use std::sync::Arc;

use super::alg::Algorithm;
use super::jws;
use super::key::VerifyingKey;
use super::key_set::KeySet;
use crate::error::{Error, ErrorCode, Result};

/// A token's signature check, ready to run again and again.
#[derive(Debug)]
pub struct SignatureFloor {
    key: Arc<VerifyingKey>,
    alg: Algorithm,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl SignatureFloor {
    /// Prepares the check of `token`'s signature with the key of `keys` that verifies it.
    pub fn new(token: &str, keys: &KeySet) -> Result<SignatureFloor> {
        let jws = jws::parse(token, usize::MAX)?;
        let alg = jws
            .algorithm(Algorithm::ALL, true)?
            .ok_or_else(|| Error::new(ErrorCode::UnsupportedAlgorithm, "alg is not allowed"))?;
        let (message, signature) = (jws.signing_input.as_bytes(), jws.signature.as_slice());
        let key = keys
            .keys()
            .iter()
            .find(|k| k.verify(alg, message, signature))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidSignature,
                    "no key of the set verifies the token",
                )
            })?;
        Ok(SignatureFloor {
            key: Arc::clone(key),
            alg,
            message: message.to_vec(),
            signature: signature.to_vec(),
        })
    }

    /// Checks the signature once; true when it verifies (always, for a prepared token).
    pub fn check(&self) -> bool {
        self.key.verify(self.alg, &self.message, &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepares_the_signers_check_and_refuses_a_token_no_key_verifies() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../bench/realistic_token.json")).unwrap();
        let token = doc["token"].as_str().unwrap();
        let (keys, _) = KeySet::from_jwks(&doc["jwks"]).unwrap();
        assert!(SignatureFloor::new(token, &keys).unwrap().check());
        let (head, _) = token.rsplit_once('.').unwrap();
        let forged = format!("{head}.{}", super::super::b64::encode(&[7u8; 256]));
        let e = SignatureFloor::new(&forged, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSignature);
        assert_eq!(
            SignatureFloor::new("x", &keys).unwrap_err().code(),
            ErrorCode::TokenMalformed
        );
    }
}
