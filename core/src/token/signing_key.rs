//! RSA private keys for issuing tokens (RS256), parsed once from PEM or generated.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};

use super::key::VerifyingKey;
use super::pem;
use crate::error::{Error, ErrorCode, Result};

/// An RSA private key with its public half and RFC 7638 thumbprint precomputed.
#[derive(Clone)]
pub struct SigningKey {
    pair: Arc<KeyPair>,
    public: Arc<VerifyingKey>,
    thumbprint: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("SigningKey")
            .field("kid", &self.thumbprint)
            .finish()
    }
}

fn key_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::KeyInvalid, message)
}

impl SigningKey {
    fn from_pair(pair: KeyPair) -> Result<SigningKey> {
        let public = VerifyingKey::rsa_from_der(pair.public_key().as_ref())?;
        let thumbprint = public.thumbprint();
        let public = Arc::new(
            public
                .with_kid(thumbprint.clone())
                .with_alg(super::Algorithm::RS256)?,
        );
        Ok(SigningKey {
            pair: Arc::new(pair),
            public,
            thumbprint,
        })
    }

    /// A fresh RSA-2048 key.
    pub fn generate() -> Result<SigningKey> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| Error::new(ErrorCode::KeyInvalid, "RSA key generation failed"))?;
        SigningKey::from_pair(pair)
    }

    /// From a PEM `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1), as `openssl genrsa`
    /// writes them.
    pub fn from_pem(text: &str) -> Result<SigningKey> {
        let (label, der) = pem::decode(text)?;
        let pair = match label.as_str() {
            "PRIVATE KEY" => KeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => KeyPair::from_der(&der),
            other => {
                return Err(key_err(format!(
                    "PEM label '{other}' is not an RSA private key"
                )))
            }
        }
        .map_err(|e| key_err(format!("RSA private key rejected: {e}")))?;
        SigningKey::from_pair(pair)
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pem(&self) -> Result<String> {
        let der = self
            .pair
            .as_der()
            .map_err(|_| key_err("could not encode the private key"))?;
        Ok(pem::encode("PRIVATE KEY", der.as_ref()))
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_pem(&self) -> Result<String> {
        let der = self
            .pair
            .public_key()
            .as_der()
            .map_err(|_| key_err("could not encode the public key"))?;
        Ok(pem::encode("PUBLIC KEY", der.as_ref()))
    }

    /// The RFC 7638 thumbprint, used as `kid`.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The public key, with `kid` = thumbprint and `alg` = RS256.
    pub fn verifying_key(&self) -> &Arc<VerifyingKey> {
        &self.public
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::new(ErrorCode::KeyInvalid, "RSA signing failed"))?;
        Ok(sig)
    }
}

/// A public RSA key from PEM: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1), or a private key
/// PEM, whose public half is taken (local validation keys may be either).
pub fn verifying_key_from_pem(text: &str) -> Result<VerifyingKey> {
    let (label, der) = pem::decode(text)?;
    match label.as_str() {
        "PUBLIC KEY" | "RSA PUBLIC KEY" => VerifyingKey::rsa_from_der(&der),
        "PRIVATE KEY" | "RSA PRIVATE KEY" => {
            Ok((**SigningKey::from_pem(text)?.verifying_key()).clone())
        }
        other => Err(key_err(format!("PEM label '{other}' is not an RSA key"))),
    }
}
