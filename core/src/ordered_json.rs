//! JSON whose objects keep their members in order. `serde_json::Value` sorts object keys (the
//! workspace does not enable serde_json's `preserve_order`, which would change every binding's
//! output at once), so outputs whose key order is part of the contract (the legacy generator's
//! entries and `bundled_with` groups) reach the bindings in this form instead.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;

use crate::error::{Error, ErrorCode};

/// A JSON value; objects are member lists in order.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderedJson {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<OrderedJson>),
    /// An object: its members in order.
    Object(Vec<(String, OrderedJson)>),
}

impl OrderedJson {
    /// `value` as its `Serialize` implementation writes it, members in that order.
    pub fn of<T: Serialize>(value: &T) -> Result<OrderedJson, Error> {
        let fail = |e: serde_json::Error| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("cannot convert to JSON: {e}"),
            )
        };
        let text = serde_json::to_string(value).map_err(fail)?;
        serde_json::from_str(&text).map_err(fail)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = OrderedJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<OrderedJson, E> {
        Ok(serde_json::Number::from_f64(v).map_or(OrderedJson::Null, OrderedJson::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(v))
    }
    fn visit_unit<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }
    fn visit_none<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<OrderedJson, D::Error> {
        OrderedJson::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedJson, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(OrderedJson::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, OrderedJson>()? {
            out.push((k, v));
        }
        Ok(OrderedJson::Object(out))
    }
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OrderedJson, D::Error> {
        d.deserialize_any(OrderedVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Entry {
        zebra: u8,
        apple: Option<Vec<&'static str>>,
    }

    #[test]
    fn members_keep_the_serialised_order() {
        let map = indexmap::IndexMap::from([
            (
                "b",
                Entry {
                    zebra: 1,
                    apple: None,
                },
            ),
            (
                "a",
                Entry {
                    zebra: 2,
                    apple: Some(vec!["x"]),
                },
            ),
        ]);
        let o = OrderedJson::of(&map).expect("json");
        let OrderedJson::Object(members) = o else {
            panic!("object")
        };
        assert_eq!(members[0].0, "b");
        assert_eq!(members[1].0, "a");
        let OrderedJson::Object(inner) = &members[1].1 else {
            panic!("object")
        };
        let keys: Vec<&str> = inner.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["zebra", "apple"]);
        assert_eq!(
            members[0].1,
            OrderedJson::Object(vec![
                ("zebra".into(), OrderedJson::Number(1.into())),
                ("apple".into(), OrderedJson::Null)
            ])
        );
    }
}
