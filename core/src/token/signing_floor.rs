//! The raw signature under a token's issuance, prepared in advance: a token's signing input
//! signed (RS256) with a key already parsed, and nothing else (no claims, JSON or base64). The
//! bindings' benchmarks time it in the same process as their own issuance, interleaved, as
//! [`SignatureFloor`](super::SignatureFloor) does for verification, so issue 18's issuance ratio
//! needs no floor measured elsewhere or earlier. Not for issuing tokens.

use super::jws;
use super::signing_key::SigningKey;
use crate::error::Result;

/// A token's signing input and a private key, ready to sign again and again.
#[derive(Debug)]
pub struct SigningFloor {
    key: SigningKey,
    message: Vec<u8>,
}

impl SigningFloor {
    /// Prepares signing `token`'s signing input (its header and payload, as issued) with the
    /// private key in `pem`.
    pub fn new(pem: &str, token: &str) -> Result<SigningFloor> {
        let key = SigningKey::from_pem(pem)?;
        let jws = jws::parse(token, usize::MAX)?;
        Ok(SigningFloor {
            key,
            message: jws.signing_input.as_bytes().to_vec(),
        })
    }

    /// Signs once; true when it signed (always, for a prepared key).
    pub fn sign(&self) -> bool {
        self.key.sign_rs256(&self.message).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::token::{Algorithm, KeySet};

    const PEM: &str = include_str!("../../../tests/vectors/keys/rsa_a.pem");

    #[test]
    fn signs_the_tokens_signing_input_with_the_key_and_refuses_bad_input() {
        let key = SigningKey::from_pem(PEM).unwrap();
        let token = format!(
            "{}.{}.{}",
            super::super::b64::encode(br#"{"alg":"RS256"}"#),
            super::super::b64::encode(br#"{"sub":"x"}"#),
            super::super::b64::encode(&[0u8; 256])
        );
        let floor = SigningFloor::new(PEM, &token).unwrap();
        assert!(floor.sign() && floor.sign());
        // What it signs is the token's signing input: the signature verifies under the key.
        let (input, _) = token.rsplit_once('.').unwrap();
        let signature = floor.key.sign_rs256(input.as_bytes()).unwrap();
        let keys = KeySet::new(vec![key.verifying_key().clone()]);
        assert!(keys.keys()[0].verify(Algorithm::RS256, input.as_bytes(), &signature));
        assert_eq!(floor.message, input.as_bytes());
        assert_eq!(
            SigningFloor::new("not a key", &token).unwrap_err().code(),
            ErrorCode::KeyInvalid
        );
        assert_eq!(
            SigningFloor::new(PEM, "x").unwrap_err().code(),
            ErrorCode::TokenMalformed
        );
    }
}
