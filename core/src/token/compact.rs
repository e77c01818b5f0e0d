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
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> + Clone {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Compact JSON, members in order (serde_json's compact form of each name and value,
    /// written into one buffer).
    pub fn to_json(&self) -> String {
        claims_json(&[], self.iter())
    }
}

impl From<Map<String, Value>> for OrderedClaims {
    fn from(map: Map<String, Value>) -> OrderedClaims {
        OrderedClaims(map.into_iter().collect())
    }
}

/// A claim value the issuers write, borrowed from where they hold it.
pub(crate) enum Claim<'a> {
    Str(&'a str),
    /// A string, or `null` for `None`.
    OptStr(Option<&'a str>),
    Int(i64),
    Strs(&'a [String]),
    Json(&'a Value),
}

impl Claim<'_> {
    /// The claim as a `Value` (what [`OrderedClaims::set`] holds).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Claim::Str(v) => Value::from(*v),
            Claim::OptStr(v) => v.map_or(Value::Null, Value::from),
            Claim::Int(v) => Value::from(*v),
            Claim::Strs(v) => Value::from(v.to_vec()),
            Claim::Json(v) => (*v).clone(),
        }
    }
}

impl serde::Serialize for Claim<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Claim::Str(v) => v.serialize(s),
            Claim::OptStr(v) => v.serialize(s),
            Claim::Int(v) => v.serialize(s),
            Claim::Strs(v) => v.serialize(s),
            Claim::Json(v) => v.serialize(s),
        }
    }
}

/// The claims JSON of `standard` then `extra` (whose names are unique: a map's or an
/// [`OrderedClaims`]'), exactly as [`OrderedClaims`] writes it after a `set` of each standard
/// claim and then of each extra claim: an extra claim of a standard name replaces that value in
/// place, the others follow in their order. Written straight from the borrowed values, so an
/// issuance no longer copies every scope into a `Value` first.
pub(crate) fn claims_json<'e, E>(standard: &[(&str, Claim<'_>)], extra: E) -> String
where
    E: Iterator<Item = (&'e str, &'e Value)> + Clone,
{
    let mut out = Vec::with_capacity(1024);
    for (name, claim) in standard {
        match extra.clone().find(|(n, _)| n == name) {
            Some((_, v)) => member(&mut out, name, v),
            None => member(&mut out, name, claim),
        }
    }
    for (name, v) in extra {
        if !standard.iter().any(|(n, _)| *n == name) {
            member(&mut out, name, v);
        }
    }
    if out.is_empty() {
        out.push(b'{');
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `"name":value` after a `{` or a `,`.
fn member<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, name: &str, value: &T) {
    out.push(if out.is_empty() { b'{' } else { b',' });
    // Writing into a Vec cannot fail (no I/O, string keys only).
    let _ = serde_json::to_writer(&mut *out, name);
    out.push(b':');
    let _ = serde_json::to_writer(&mut *out, value);
}

/// `header.payload.signature` with an RS256 signature. `header_json` and `claims_json` must
/// already be compact JSON.
pub(crate) fn sign_rs256(header_json: &str, claims_json: &str, key: &SigningKey) -> Result<String> {
    let mut token =
        String::with_capacity((header_json.len() + claims_json.len() + 256) * 4 / 3 + 8);
    token.push_str(&b64::encode(header_json.as_bytes()));
    token.push('.');
    token.push_str(&b64::encode(claims_json.as_bytes()));
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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
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
        for _ in 0..200 {
            let u = uuid_v4();
            let groups: Vec<usize> = u.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{u}");
            assert!(
                u.chars()
                    .all(|c| c == '-' || matches!(c, '0'..='9' | 'a'..='f')),
                "{u}"
            );
        }
    }

    #[test]
    fn claims_json_is_what_ordered_claims_write_after_the_same_sets() {
        let scopes = vec!["duo_chat".to_owned(), "esc\"aped".to_owned()];
        let instance = serde_json::json!(42);
        let standard = [
            ("iss", Claim::Str("svc")),
            ("sub", Claim::OptStr(None)),
            ("exp", Claim::Int(1_700_003_600)),
            ("gitlab_instance_id", Claim::Json(&instance)),
            ("scopes", Claim::Strs(&scopes)),
            ("jti", Claim::OptStr(Some("j"))),
        ];
        let mut ordered = OrderedClaims::new();
        ordered.set("iss", "svc");
        ordered.set("sub", Value::Null);
        ordered.set("exp", 1_700_003_600);
        ordered.set("gitlab_instance_id", instance.clone());
        ordered.set("scopes", scopes.clone());
        ordered.set("jti", "j");
        let extras = [
            serde_json::json!({}),
            serde_json::json!({"exp": "later", "new": [1], "sub": "s"}),
            serde_json::json!({"z": null, "a": {"b": "c"}, "scopes": []}),
        ];
        for extra in extras {
            let extra = extra.as_object().unwrap();
            let mut expected = ordered.clone();
            expected.merge(extra);
            let got = claims_json(&standard, extra.iter().map(|(k, v)| (k.as_str(), v)));
            assert_eq!(got, expected.to_json());
            // The same from an `OrderedClaims` of extras.
            let as_ordered = OrderedClaims::from(extra.clone());
            assert_eq!(
                claims_json(&standard, as_ordered.iter()),
                expected.to_json()
            );
        }
        assert_eq!(claims_json(&[], std::iter::empty()), "{}");
    }

    #[test]
    fn json_is_each_members_compact_serde_json_form() {
        let mut c = OrderedClaims::new();
        let values = [
            serde_json::json!("plain"),
            serde_json::json!("esc\"aped\n\u{1}é😀"),
            serde_json::json!(-1),
            serde_json::json!(18446744073709551615u64),
            serde_json::json!(1.5),
            serde_json::json!([1, "a", null, {"z": [true]}]),
            serde_json::json!({"b": 1, "a": {"c": "d"}}),
        ];
        for (i, v) in values.iter().enumerate() {
            c.set(format!("k{i}\"\t"), v.clone());
        }
        let expected: Vec<String> = c
            .iter()
            .map(|(k, v)| format!("{}:{}", Value::String(k.to_owned()), v))
            .collect();
        assert_eq!(c.to_json(), format!("{{{}}}", expected.join(",")));
        let back: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(back.as_object().unwrap().len(), values.len());
        assert_eq!(OrderedClaims::new().to_json(), "{}");
    }
}
