//! A key set: public keys in provider order, indexed by `kid`.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::alg::Algorithm;
use super::jwk::parse_jwk;
use super::key::VerifyingKey;
use crate::error::{Error, ErrorCode, Result};

/// The outcome of checking a signature against a key set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMatch {
    /// A candidate key verified the signature.
    Verified,
    /// Candidate keys existed and none verified.
    NoMatch,
    /// The token names a `kid` the set does not hold (and no kid-less key verified it).
    UnknownKid,
}

/// Keys in order, with a `kid` index; immutable once built so it can be shared by `Arc` between
/// threads and swapped whole on refresh.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<Arc<VerifyingKey>>,
    by_kid: HashMap<String, Vec<usize>>,
}

impl KeySet {
    /// A set of these keys, in order (the order kid-less fallback tries them in).
    pub fn new(keys: Vec<Arc<VerifyingKey>>) -> KeySet {
        let mut by_kid: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            if let Some(kid) = k.kid() {
                by_kid.entry(kid.to_owned()).or_default().push(i);
            }
        }
        KeySet { keys, by_kid }
    }

    /// Parses a JWKS document (`{"keys": [...]}`). A document of the wrong shape is an error;
    /// an individual key that does not parse is skipped and returned beside the set, so one bad
    /// key never hides the good ones.
    pub fn from_jwks(doc: &Value) -> Result<(KeySet, Vec<Error>)> {
        let keys = doc
            .as_object()
            .ok_or_else(|| Error::new(ErrorCode::JwksInvalid, "JWKS is not a JSON object"))?
            .get("keys")
            .ok_or_else(|| Error::new(ErrorCode::JwksInvalid, "JWKS has no 'keys' member"))?
            .as_array()
            .ok_or_else(|| Error::new(ErrorCode::JwksInvalid, "JWKS 'keys' is not an array"))?;
        let mut parsed = Vec::with_capacity(keys.len());
        let mut skipped = Vec::new();
        for (i, jwk) in keys.iter().enumerate() {
            match parse_jwk(jwk) {
                Ok(k) => parsed.push(Arc::new(k)),
                Err(e) => skipped.push(Error::new(
                    e.code(),
                    format!("JWKS key {i}: {}", e.message()),
                )),
            }
        }
        Ok((KeySet::new(parsed), skipped))
    }

    /// [`KeySet::from_jwks`] on JSON text.
    pub fn from_jwks_str(json: &str) -> Result<(KeySet, Vec<Error>)> {
        let doc: Value = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorCode::JwksInvalid,
                format!("JWKS is not valid JSON: {e}"),
            )
        })?;
        KeySet::from_jwks(&doc)
    }

    /// The sets concatenated in order (the composite's provider order).
    pub fn concat<'a>(sets: impl IntoIterator<Item = &'a KeySet>) -> KeySet {
        KeySet::new(
            sets.into_iter()
                .flat_map(|s| s.keys.iter().cloned())
                .collect(),
        )
    }

    /// Every key, in order.
    pub fn keys(&self) -> &[Arc<VerifyingKey>] {
        &self.keys
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether some key has this `kid`.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    /// `kid`s in order (`None` for a key without one), for logging.
    pub fn kids(&self) -> Vec<Option<String>> {
        self.keys
            .iter()
            .map(|k| k.kid().map(str::to_owned))
            .collect()
    }

    /// The public JWKS document.
    pub fn to_jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| Value::Object(k.to_jwk()))
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// Checks a signature: a known `kid` selects exactly its keys; no `kid` tries every key in
    /// order; an unknown `kid` tries only keys without a `kid` when `kidless_fallback` is set
    /// (a publisher that omits `kid` cannot be matched any other way).
    pub fn check(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
        kidless_fallback: bool,
    ) -> KeyMatch {
        let verified = |k: &Arc<VerifyingKey>| k.verify(alg, message, signature);
        match kid {
            None => {
                if self.keys.iter().any(verified) {
                    KeyMatch::Verified
                } else {
                    KeyMatch::NoMatch
                }
            }
            Some(kid) => match self.by_kid.get(kid) {
                Some(indices) => {
                    if indices.iter().any(|&i| verified(&self.keys[i])) {
                        KeyMatch::Verified
                    } else {
                        KeyMatch::NoMatch
                    }
                }
                None => {
                    if kidless_fallback
                        && self.keys.iter().filter(|k| k.kid().is_none()).any(verified)
                    {
                        KeyMatch::Verified
                    } else {
                        KeyMatch::UnknownKid
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn document_shape_errors() {
        for doc in [json!([]), json!({}), json!({"keys": {}}), json!("x")] {
            assert_eq!(
                KeySet::from_jwks(&doc).unwrap_err().code(),
                ErrorCode::JwksInvalid
            );
        }
        assert_eq!(
            KeySet::from_jwks_str("{not json").unwrap_err().code(),
            ErrorCode::JwksInvalid
        );
    }

    #[test]
    fn bad_keys_are_skipped_not_fatal() {
        let (set, skipped) = KeySet::from_jwks(&json!({"keys": [{"kty": "oct"}, 5]})).unwrap();
        assert!(set.is_empty());
        assert_eq!(skipped.len(), 2);
        assert!(skipped.iter().all(|e| e.code() == ErrorCode::KeyInvalid));
    }
}
