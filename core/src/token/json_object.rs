//! A token's header or claims as signed: the JSON text, and every value in it recorded once on a
//! flat tape (strings as spans of the text), from which a `serde_json` map is built only when
//! someone asks for one.
//!
//! Verification reads a handful of members (`alg`, `kid`, the time claims, `aud`, `iss`); the
//! bindings build their own objects from the tape. Building a map of every member (a heap
//! allocation per string, a B-tree) cost a verification more than the rest of its parsing.
//!
//! Acceptance is exactly `serde_json`'s for a `Value`: a plain object (no escapes, whole numbers,
//! shallow; every token seen so far) is recorded by [`plain`], which gives up on anything else,
//! and everything else goes through serde_json's parser once. Either way the tape records what
//! `Value` would have been built from (the same numbers, the same decoded strings); duplicate
//! names resolve to the last, as the map has them.

use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A JSON object kept as its text and a tape; see the module documentation.
pub struct JsonObject {
    text: Box<str>,
    /// The root object first; see [`Node`].
    tape: Vec<Node>,
    map: OnceLock<Map<String, Value>>,
}

/// One value (or object member name) on the tape, in text order. An array or object is
/// followed by its contents (an object's as name, value, name, value...) and records how many
/// nodes those take, so a reader can step over it.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    /// A string without escapes: its span in the text (no quotes).
    Span(u32, u32),
    /// A string with escapes, decoded.
    Unescaped(Box<str>),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Null,
    Array {
        nodes: u32,
    },
    Object {
        nodes: u32,
    },
}

/// A value of a [`JsonObject`], borrowed from it.
#[derive(Clone, Debug)]
pub enum JsonRef<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A negative integer (serde_json's `i64` numbers).
    I64(i64),
    /// A non-negative integer.
    U64(u64),
    /// Any other number.
    F64(f64),
    /// A string, decoded.
    Str(&'a str),
    /// An array's elements.
    Array(Items<'a>),
    /// An object's members, in text order (a name may repeat; the last counts).
    Object(Items<'a>),
}

/// The elements of an array, or the names and values of an object, in text order.
#[derive(Clone)]
pub struct Items<'a> {
    /// The container's contents on the tape, and the text their spans are in.
    tape: &'a [Node],
    text: &'a str,
    /// The index in `tape` of the next node.
    at: usize,
}

impl fmt::Debug for Items<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = JsonRef<'a>;

    fn next(&mut self) -> Option<JsonRef<'a>> {
        let (value, next) = value_at(self.tape, self.text, self.at)?;
        self.at = next;
        Some(value)
    }
}

/// Why a text is not a JSON object.
#[derive(Debug)]
pub enum NotAnObject {
    /// Valid JSON, another type.
    OtherType,
    /// Not JSON at all.
    Invalid(serde_json::Error),
}

impl JsonObject {
    /// Parses `text`, which must be one JSON object.
    pub fn parse(text: String) -> Result<JsonObject, NotAnObject> {
        if text.len() > u32::MAX as usize {
            return Err(NotAnObject::Invalid(de::Error::custom("text too long")));
        }
        let mut tape = Vec::with_capacity(64);
        if plain::record(&text, &mut tape).is_some() {
            return Ok(JsonObject {
                text: text.into_boxed_str(),
                tape,
                map: OnceLock::new(),
            });
        }
        tape.clear();
        if let Err(e) = serde_record(&text, &mut tape) {
            return Err(NotAnObject::Invalid(e));
        }
        if !matches!(tape.first(), Some(Node::Object { .. })) {
            return Err(NotAnObject::OtherType);
        }
        Ok(JsonObject {
            text: text.into_boxed_str(),
            tape,
            map: OnceLock::new(),
        })
    }

    /// The text as signed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Member `name` (the last, when the name is given twice).
    pub fn member(&self, name: &str) -> Option<JsonRef<'_>> {
        self.position(name).map(|at| self.at_position(at))
    }

    /// Where member `name`'s value is, for [`JsonObject::at_position`]: a reader that asks for
    /// the same member of the same object again (a cached token's audience) finds it directly.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        let [found] = self.positions([name]);
        found
    }

    /// [`JsonObject::position`] of several names in one pass over the members.
    pub(crate) fn positions<const N: usize>(&self, names: [&str; N]) -> [Option<usize>; N] {
        // Claim names are short and often of one length (`iss`, `sub`, `aud`, `exp`...): the
        // first byte rejects most before a comparison of the whole name.
        let text = self.text.as_bytes();
        let mut found = [None; N];
        let mut i = 1;
        while i + 1 < self.tape.len() {
            let member: &[u8] = match &self.tape[i] {
                Node::Span(start, end) => text.get(*start as usize..*end as usize).unwrap_or(&[]),
                Node::Unescaped(s) => s.as_bytes(),
                _ => &[],
            };
            let value = i + 1;
            for (name, slot) in names.iter().zip(found.iter_mut()) {
                let name = name.as_bytes();
                if member.len() == name.len() && member.first() == name.first() && member == name {
                    *slot = Some(value);
                }
            }
            i = value
                + match &self.tape[value] {
                    Node::Array { nodes } | Node::Object { nodes } => 1 + *nodes as usize,
                    _ => 1,
                };
        }
        found
    }

    /// The value at a [`JsonObject::position`] of this object.
    pub(crate) fn at_position(&self, at: usize) -> JsonRef<'_> {
        value_at(&self.tape, &self.text, at).map_or(JsonRef::Null, |(value, _)| value)
    }

    /// Whether member `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.member(name).is_some()
    }

    /// Member `name`, decoded.
    pub fn value(&self, name: &str) -> Option<Value> {
        self.member(name).map(JsonRef::to_value)
    }

    /// Member `name` when it is a JSON string; `Err(())` when present with another type.
    #[allow(clippy::result_unit_err)]
    pub fn str(&self, name: &str) -> Result<Option<&str>, ()> {
        match self.member(name) {
            None => Ok(None),
            Some(JsonRef::Str(s)) => Ok(Some(s)),
            Some(_) => Err(()),
        }
    }

    /// Every member as `(name, value)`, each name once (its last value), in the decoded map's
    /// order (by name), as the bindings hand claims over.
    pub fn members(&self) -> Vec<(&str, JsonRef<'_>)> {
        by_name(self.root_items())
    }

    /// The whole object as a [`JsonRef`], for walking it.
    pub fn root(&self) -> JsonRef<'_> {
        JsonRef::Object(self.root_items())
    }

    /// The decoded map, built on first use.
    pub fn map(&self) -> &Map<String, Value> {
        self.map.get_or_init(|| match self.root().to_value() {
            Value::Object(map) => map,
            _ => Map::new(),
        })
    }

    fn root_items(&self) -> Items<'_> {
        Items {
            tape: self.tape.get(1..).unwrap_or_default(),
            text: &self.text,
            at: 0,
        }
    }
}

/// The value at index `i` of `tape` (its strings' spans in `text`), and the index after it.
fn value_at<'a>(tape: &'a [Node], text: &'a str, i: usize) -> Option<(JsonRef<'a>, usize)> {
    let value = match tape.get(i)? {
        Node::Span(start, end) => JsonRef::Str(text.get(*start as usize..*end as usize)?),
        Node::Unescaped(s) => JsonRef::Str(s),
        Node::I64(n) => JsonRef::I64(*n),
        Node::U64(n) => JsonRef::U64(*n),
        Node::F64(n) => JsonRef::F64(*n),
        Node::Bool(b) => JsonRef::Bool(*b),
        Node::Null => JsonRef::Null,
        node @ (Node::Array { nodes } | Node::Object { nodes }) => {
            let next = i + 1 + *nodes as usize;
            let items = Items {
                tape: tape.get(i + 1..next)?,
                text,
                at: 0,
            };
            return Some(match node {
                Node::Array { .. } => (JsonRef::Array(items), next),
                _ => (JsonRef::Object(items), next),
            });
        }
    };
    Some((value, i + 1))
}

impl<'a> JsonRef<'a> {
    /// The string, when this is one.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            JsonRef::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as `serde_json` decodes it (an object's repeated name keeps its last value).
    pub fn to_value(self) -> Value {
        match self {
            JsonRef::Null => Value::Null,
            JsonRef::Bool(b) => Value::Bool(b),
            JsonRef::I64(n) => Value::from(n),
            JsonRef::U64(n) => Value::from(n),
            JsonRef::F64(n) => Number::from_f64(n).map_or(Value::Null, Value::Number),
            JsonRef::Str(s) => Value::String(s.to_owned()),
            JsonRef::Array(items) => Value::Array(items.map(JsonRef::to_value).collect()),
            JsonRef::Object(mut items) => {
                let mut map = Map::new();
                while let (Some(JsonRef::Str(n)), Some(v)) = (items.next(), items.next()) {
                    map.insert(n.to_owned(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl std::ops::Deref for JsonObject {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        self.map()
    }
}

impl Clone for JsonObject {
    fn clone(&self) -> JsonObject {
        JsonObject {
            text: self.text.clone(),
            tape: self.tape.clone(),
            map: self.map.clone(),
        }
    }
}

impl PartialEq for JsonObject {
    fn eq(&self, other: &JsonObject) -> bool {
        self.text == other.text || self.map() == other.map()
    }
}

impl fmt::Debug for JsonObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.map(), f)
    }
}

/// As the decoded map: members by name, each once.
impl serde::Serialize for JsonObject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.root().serialize(s)
    }
}

/// As its [`JsonRef::to_value`] serialises (objects by name, each name once), straight from the
/// tape.
impl serde::Serialize for JsonRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.clone() {
            JsonRef::Null => s.serialize_unit(),
            JsonRef::Bool(b) => s.serialize_bool(b),
            JsonRef::I64(n) => s.serialize_i64(n),
            JsonRef::U64(n) => s.serialize_u64(n),
            JsonRef::F64(n) => s.serialize_f64(n),
            JsonRef::Str(text) => s.serialize_str(text),
            JsonRef::Array(items) => {
                let mut seq = s.serialize_seq(None)?;
                for item in items {
                    seq.serialize_element(&item)?;
                }
                seq.end()
            }
            JsonRef::Object(items) => {
                let members = by_name(items);
                let mut map = s.serialize_map(Some(members.len()))?;
                for (name, value) in &members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'a> Items<'a> {
    /// For an array whose remaining elements are all strings without escapes, the text they
    /// are written in (from the first one's opening quote to the last one's closing quote):
    /// equal texts are equal lists, so a binding may share one host list per text
    /// ([`SharedTexts::lists`](crate::token::SharedTexts::lists)). `None` for anything else,
    /// an empty array included.
    pub fn plain_strings(&self) -> Option<&'a str> {
        let rest = self.tape.get(self.at..)?;
        let (Some(Node::Span(first, _)), Some(Node::Span(_, last))) = (rest.first(), rest.last())
        else {
            return None;
        };
        if !rest.iter().all(|n| matches!(n, Node::Span(..))) {
            return None;
        }
        // Spans exclude the quotes; a string's quote is one byte either side.
        self.text
            .get((*first as usize).checked_sub(1)?..*last as usize + 1)
    }

    /// An object's members sorted by name, each name once with its last value: the order and
    /// the content of the `serde_json` map decoded from it. (For an array's elements: empty.)
    pub fn by_name(self) -> Vec<(&'a str, JsonRef<'a>)> {
        by_name(self)
    }
}

fn by_name(mut items: Items<'_>) -> Vec<(&str, JsonRef<'_>)> {
    let mut sorted = Vec::with_capacity(16);
    while let (Some(JsonRef::Str(n)), Some(value)) = (items.next(), items.next()) {
        sorted.push((n, value));
    }
    // Stable, so among equal names the text order stays and the last is kept below.
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            std::mem::swap(earlier, later);
        }
        same
    });
    sorted
}

/// `{}`.
impl Default for JsonObject {
    fn default() -> JsonObject {
        JsonObject {
            text: "{}".into(),
            tape: vec![Node::Object { nodes: 0 }],
            map: OnceLock::new(),
        }
    }
}

impl From<Map<String, Value>> for JsonObject {
    fn from(map: Map<String, Value>) -> JsonObject {
        // A map's own text always parses back; the fallback is never taken.
        JsonObject::parse(Value::Object(map).to_string()).unwrap_or_default()
    }
}

/// Records `text` (one JSON value, any type) with `serde_json`'s parser.
fn serde_record(text: &str, tape: &mut Vec<Node>) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Record {
        tape,
        text: text.as_bytes().as_ptr_range(),
    }
    .deserialize(&mut de)
    .and_then(|()| de.end())
}

/// Records one value (and everything in it) on the tape.
struct Record<'t> {
    tape: &'t mut Vec<Node>,
    /// Where the text is, for spans.
    text: std::ops::Range<*const u8>,
}

impl<'de> DeserializeSeed<'de> for Record<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Record<'_> {
    fn push<E>(self, node: Node) -> Result<(), E> {
        self.tape.push(node);
        Ok(())
    }

    fn reborrow(&mut self) -> Record<'_> {
        Record {
            tape: self.tape,
            text: self.text.clone(),
        }
    }

    /// Records a container: its node, its contents, then how many nodes those took.
    fn container<E: de::Error>(
        mut self,
        node: Node,
        contents: impl FnOnce(&mut Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let at = self.tape.len();
        self.tape.push(node);
        contents(&mut self)?;
        let nodes =
            u32::try_from(self.tape.len() - at - 1).map_err(|_| E::custom("too many values"))?;
        match &mut self.tape[at] {
            Node::Array { nodes: n } | Node::Object { nodes: n } => *n = nodes,
            _ => {}
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Record<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.push(Node::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        self.push(Node::I64(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        self.push(Node::U64(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<(), E> {
        self.push(Node::F64(n))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<(), E> {
        // serde_json lends slices of the text (whose length fits u32: checked in `parse`).
        let bytes = s.as_bytes().as_ptr_range();
        if self.text.start <= bytes.start && bytes.end <= self.text.end {
            let start = bytes.start as usize - self.text.start as usize;
            return self.push(Node::Span(start as u32, (start + s.len()) as u32));
        }
        self.push(Node::Unescaped(s.into()))
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        self.push(Node::Unescaped(s.into()))
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.push(Node::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.container(Node::Array { nodes: 0 }, |r| {
            while seq.next_element_seed(r.reborrow())?.is_some() {}
            Ok(())
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.container(Node::Object { nodes: 0 }, |r| {
            while map.next_key_seed(r.reborrow())?.is_some() {
                map.next_value_seed(r.reborrow())?;
            }
            Ok(())
        })
    }
}

mod lists_apart;
mod plain;

pub use lists_apart::{ListMember, ListsApart};

#[cfg(test)]
mod tests;
