//! Writing compact JWS: ordered claims, RS256 signature.

use serde_json::{Map, Value};

use super::b64;
use super::signing_key::SigningKey;
use crate::error::Result;

/// Claims in insertion order, where a later `set` of an existing name replaces the value in
/// place (Python `dict.update` semantics), so extra claims override standard ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderedClaims(Vec<(String, Value)>);

impl OrderedClaims {
    /// No claims.
    pub fn new() -> OrderedClaims {
        OrderedClaims(Vec::new())
    }

    /// Appends `name`, or replaces its value in place when it is already set.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        let name = name.into();
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    /// [`OrderedClaims::set`] for every member of `extra`, in its order.
    pub fn merge(&mut self, extra: &Map<String, Value>) {
        for (k, v) in extra {
            self.set(k.clone(), v.clone());
        }
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The number of claims.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no claim is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(name, value)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Compact JSON, members in order.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Value::String(k.clone()).to_string());
            out.push(':');
            out.push_str(&v.to_string());
        }
        out.push('}');
        out
    }
}

impl From<Map<String, Value>> for OrderedClaims {
    fn from(map: Map<String, Value>) -> OrderedClaims {
        OrderedClaims(map.into_iter().collect())
    }
}

/// `header.payload.signature` with an RS256 signature. `header_json` must already be compact.
pub(crate) fn sign_rs256(
    header_json: &str,
    claims: &OrderedClaims,
    key: &SigningKey,
) -> Result<String> {
    let mut token = b64::encode(header_json.as_bytes());
    token.push('.');
    token.push_str(&b64::encode(claims.to_json().as_bytes()));
    let sig = key.sign_rs256(token.as_bytes())?;
    token.push('.');
    token.push_str(&b64::encode(&sig));
    Ok(token)
}

/// A random UUID v4 string for `jti`.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    // The system RNG failing is not recoverable in any useful way; a zero jti is still unique
    // enough to not be a security property (jti is informational here).
    let _ = aws_lc_rs::rand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_set_replaces_in_place() {
        let mut c = OrderedClaims::new();
        c.set("iss", "a");
        c.set("sub", "b");
        let mut extra = Map::new();
        extra.insert("iss".into(), "z".into());
        extra.insert("n".into(), Value::Null);
        c.merge(&extra);
        assert_eq!(c.to_json(), r#"{"iss":"z","sub":"b","n":null}"#);
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(u, uuid_v4());
    }
}
