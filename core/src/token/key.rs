//! Public verification keys, parsed once into aws-lc-rs keys for every algorithm they can serve.

use std::fmt;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::{b64, der};
use crate::error::{Error, ErrorCode, Result};

/// RSA keys smaller than this are refused: RFC 7518 §3.3 requires 2048 bits.
pub const MIN_RSA_BITS: usize = 2048;

#[derive(Clone)]
enum Material {
    /// One parsed key per RSA algorithm (indexed by `Algorithm::index`), so no verification ever
    /// re-parses; `n` and `e` are kept for the JWK and thumbprint.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        parsed: Box<[ParsedPublicKey; 6]>,
    },
    EcP256 {
        x: Vec<u8>,
        y: Vec<u8>,
        parsed: ParsedPublicKey,
    },
    Ed25519 {
        x: Vec<u8>,
        parsed: ParsedPublicKey,
    },
}

/// A public key ready to verify signatures: key material plus the JWK members that restrict
/// its use (`kid`, `alg`).
#[derive(Clone)]
pub struct VerifyingKey {
    kid: Option<String>,
    alg: Option<Algorithm>,
    material: Material,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("kty", &self.kty())
            .finish()
    }
}

const RSA_ALGS: [&dyn VerificationAlgorithm; 6] = [
    &signature::RSA_PKCS1_2048_8192_SHA256,
    &signature::RSA_PKCS1_2048_8192_SHA384,
    &signature::RSA_PKCS1_2048_8192_SHA512,
    &signature::RSA_PSS_2048_8192_SHA256,
    &signature::RSA_PSS_2048_8192_SHA384,
    &signature::RSA_PSS_2048_8192_SHA512,
];

fn key_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::KeyInvalid, message)
}

fn strip_leading_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().take_while(|b| **b == 0).count();
    bytes[start..].to_vec()
}

impl VerifyingKey {
    /// An RSA public key from its big-endian modulus and exponent.
    pub fn rsa(n: &[u8], e: &[u8]) -> Result<VerifyingKey> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let bits = match n.first() {
            Some(b) => n.len() * 8 - b.leading_zeros() as usize,
            None => 0,
        };
        if bits < MIN_RSA_BITS {
            return Err(key_err(format!(
                "RSA key is {bits} bits; at least {MIN_RSA_BITS} are required"
            )));
        }
        if bits > 8192 {
            return Err(key_err(format!(
                "RSA key is {bits} bits; at most 8192 are supported"
            )));
        }
        // e = 1 (or even) makes "signatures" trivial to forge; aws-lc only rejects some of these.
        if e.len() > 8 || e.last().is_none_or(|b| b & 1 == 0) || e == [1] {
            return Err(key_err(
                "RSA public exponent is not an odd number greater than 1",
            ));
        }
        if super::roca::has_fingerprint(&n) {
            return Err(key_err("RSA key has the ROCA (CVE-2017-15361) fingerprint"));
        }
        let der = der::rsa_public_key(&n, &e);
        let parse = |alg: &'static dyn VerificationAlgorithm| {
            ParsedPublicKey::new(alg, &der).map_err(|e| key_err(format!("RSA key rejected: {e}")))
        };
        let parsed = Box::new([
            parse(RSA_ALGS[0])?,
            parse(RSA_ALGS[1])?,
            parse(RSA_ALGS[2])?,
            parse(RSA_ALGS[3])?,
            parse(RSA_ALGS[4])?,
            parse(RSA_ALGS[5])?,
        ]);
        Ok(VerifyingKey {
            kid: None,
            alg: None,
            material: Material::Rsa { n, e, parsed },
        })
    }

    /// An RSA public key from DER: PKCS#1 `RSAPublicKey` or X.509 `SubjectPublicKeyInfo`.
    pub fn rsa_from_der(der: &[u8]) -> Result<VerifyingKey> {
        let key = aws_lc_rs::rsa::PublicKey::from_der(der)
            .map_err(|e| key_err(format!("not an RSA public key: {e}")))?;
        VerifyingKey::rsa(
            key.modulus().big_endian_without_leading_zero(),
            key.exponent().big_endian_without_leading_zero(),
        )
    }

    /// A P-256 public key from its affine coordinates (32 bytes each).
    pub fn ec_p256(x: &[u8], y: &[u8]) -> Result<VerifyingKey> {
        if x.len() != 32 || y.len() != 32 {
            return Err(key_err("P-256 coordinates must be 32 bytes each"));
        }
        let mut point = Vec::with_capacity(65);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        let parsed = ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &point)
            .map_err(|e| key_err(format!("P-256 point rejected: {e}")))?;
        Ok(VerifyingKey {
            kid: None,
            alg: None,
            material: Material::EcP256 {
                x: x.to_vec(),
                y: y.to_vec(),
                parsed,
            },
        })
    }

    /// An Ed25519 public key (32 bytes).
    pub fn ed25519(x: &[u8]) -> Result<VerifyingKey> {
        if x.len() != 32 {
            return Err(key_err("Ed25519 public key must be 32 bytes"));
        }
        let parsed = ParsedPublicKey::new(&signature::ED25519, x)
            .map_err(|e| key_err(format!("Ed25519 key rejected: {e}")))?;
        Ok(VerifyingKey {
            kid: None,
            alg: None,
            material: Material::Ed25519 {
                x: x.to_vec(),
                parsed,
            },
        })
    }

    /// Sets the key id (`kid`) that tokens select this key by.
    pub fn with_kid(mut self, kid: impl Into<String>) -> VerifyingKey {
        self.kid = Some(kid.into());
        self
    }

    /// Restrict the key to one algorithm (the JWK `alg` member).
    pub fn with_alg(mut self, alg: Algorithm) -> Result<VerifyingKey> {
        if !self.supports(alg) {
            return Err(key_err(format!(
                "a {} key cannot be used with {alg}",
                self.kty()
            )));
        }
        self.alg = Some(alg);
        Ok(self)
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The one algorithm this key is restricted to, if any.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The JWK key type: `RSA`, `EC` or `OKP`.
    pub fn kty(&self) -> &'static str {
        match self.material {
            Material::Rsa { .. } => "RSA",
            Material::EcP256 { .. } => "EC",
            Material::Ed25519 { .. } => "OKP",
        }
    }

    fn supports(&self, alg: Algorithm) -> bool {
        match self.material {
            Material::Rsa { .. } => alg.is_rsa(),
            Material::EcP256 { .. } => alg == Algorithm::ES256,
            Material::Ed25519 { .. } => alg == Algorithm::EdDSA,
        }
    }

    /// Whether this key may verify a token signed with `alg`: the key type fits, and a JWK `alg`
    /// member, when present, is that algorithm.
    pub fn accepts(&self, alg: Algorithm) -> bool {
        self.supports(alg) && self.alg.is_none_or(|a| a == alg)
    }

    /// Verifies `signature` over `message`. False for a key that does not accept `alg`.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        if !self.accepts(alg) {
            return false;
        }
        let parsed = match &self.material {
            Material::Rsa { parsed, .. } => &parsed[alg.index()],
            Material::EcP256 { parsed, .. } | Material::Ed25519 { parsed, .. } => parsed,
        };
        parsed.verify_sig(message, signature).is_ok()
    }

    /// The public JWK members that identify the key (`kty` plus `n`/`e`, `crv`/`x`/`y`), as RFC
    /// 7638 lists them; `kid`, `alg` and `use` are added by callers that publish.
    pub fn public_members(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match &self.material {
            Material::Rsa { n, e, .. } => {
                m.insert("e".into(), b64::encode(e).into());
                m.insert("kty".into(), "RSA".into());
                m.insert("n".into(), b64::encode(n).into());
            }
            Material::EcP256 { x, y, .. } => {
                m.insert("crv".into(), "P-256".into());
                m.insert("kty".into(), "EC".into());
                m.insert("x".into(), b64::encode(x).into());
                m.insert("y".into(), b64::encode(y).into());
            }
            Material::Ed25519 { x, .. } => {
                m.insert("crv".into(), "Ed25519".into());
                m.insert("kty".into(), "OKP".into());
                m.insert("x".into(), b64::encode(x).into());
            }
        }
        m
    }

    /// The JWK for publishing: the public members plus `kid`, `alg` and `use: sig`.
    pub fn to_jwk(&self) -> Map<String, Value> {
        let mut m = self.public_members();
        if let Some(kid) = &self.kid {
            m.insert("kid".into(), kid.clone().into());
        }
        if let Some(alg) = self.alg {
            m.insert("alg".into(), alg.as_str().into());
        }
        m.insert("use".into(), "sig".into());
        m
    }

    /// RFC 7638 thumbprint: base64url(SHA-256(canonical JSON of the required members)).
    pub fn thumbprint(&self) -> String {
        super::thumbprint::of_members(&self.public_members())
    }
}
