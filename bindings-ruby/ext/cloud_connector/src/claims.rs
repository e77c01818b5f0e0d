//! Verified claims (or a JOSE header) as Ruby Hashes: built straight from the core's tape of
//! the token's JSON (no `serde_json` map in between), and a caller's own copy of the
//! deep-frozen form a token cache memo keeps.
//!
//! Values are gathered in small arrays on the machine stack, where Ruby's conservative GC sees
//! them (a `Vec` on the heap would hide them from it), and handed to Ruby a chunk at a time
//! (`rb_hash_bulk_insert`, `rb_ary_cat`): one protected call per chunk instead of one per
//! element was most of the cost of building a realistic token's claims (bench/README.md).

use cloud_connector::token::{Items, JsonObject, JsonRef};
use magnus::value::Opaque;
use magnus::{gc, prelude::*, r_hash::ForEach, Error, RArray, RHash, Ruby, Value};

use crate::convert::{json_to_ruby, Keys};
use crate::interned::{frozen_str, str_list};

/// Values per chunk: enough for the claims of a realistic token in one or two calls, small
/// enough for the stack.
const CHUNK: usize = 32;

/// Verified claims as a Ruby Hash with String keys and frozen String values, in the core's
/// order. With `deep_freeze` the Arrays and Hashes are frozen too: the form a memo keeps and
/// hands out through [`FrozenClaims::thaw`].
pub fn claims_to_ruby(ruby: &Ruby, claims: &JsonObject, deep_freeze: bool) -> Result<RHash, Error> {
    members_to_ruby(ruby, claims.members(), deep_freeze)
}

/// An object's members (by name, each once) as a Hash.
fn members_to_ruby(
    ruby: &Ruby,
    members: Vec<(&str, JsonRef<'_>)>,
    deep_freeze: bool,
) -> Result<RHash, Error> {
    let h = ruby.hash_new();
    let mut buf = [ruby.qnil().as_value(); CHUNK];
    let mut len = 0;
    for (k, v) in members {
        buf[len] = frozen_str(ruby, k).as_value();
        buf[len + 1] = claim_value(ruby, v, deep_freeze, false)?;
        len += 2;
        if len == CHUNK {
            h.bulk_insert(&buf[..len])?;
            len = 0;
        }
    }
    if len > 0 {
        h.bulk_insert(&buf[..len])?;
    }
    if deep_freeze {
        h.freeze();
    }
    Ok(h)
}

/// A claim value; `listed` for an Array's elements (unit primitives, audiences), whose texts
/// repeat from token to token and are interned.
fn claim_value(
    ruby: &Ruby,
    v: JsonRef<'_>,
    deep_freeze: bool,
    listed: bool,
) -> Result<Value, Error> {
    Ok(match v {
        JsonRef::Str(s) if listed => frozen_str(ruby, s).as_value(),
        JsonRef::Str(s) => {
            let s = ruby.str_new(s);
            s.freeze();
            s.as_value()
        }
        JsonRef::Array(items) => match (!deep_freeze).then(|| items.plain_strings()).flatten() {
            Some(key) => str_list(ruby, Some(key), items.filter_map(JsonRef::as_str))?.as_value(),
            None => array_value(ruby, items, deep_freeze)?,
        },
        JsonRef::Object(members) => {
            members_to_ruby(ruby, members.by_name(), deep_freeze)?.as_value()
        }
        // Numbers, booleans and null: no allocation on the way.
        scalar => json_to_ruby(ruby, &scalar.to_value(), Keys::Strings)?,
    })
}

/// An Array of claim values, entry by entry (frozen with `deep_freeze`).
fn array_value(ruby: &Ruby, mut items: Items<'_>, deep_freeze: bool) -> Result<Value, Error> {
    let a = ruby.ary_new_capa(items.clone().count());
    let mut buf = [ruby.qnil().as_value(); CHUNK];
    loop {
        let mut len = 0;
        for (slot, item) in buf.iter_mut().zip(items.by_ref()) {
            *slot = claim_value(ruby, item, deep_freeze, true)?;
            len += 1;
        }
        if len == 0 {
            break;
        }
        a.cat(&buf[..len])?;
    }
    if deep_freeze {
        a.freeze();
    }
    Ok(a.as_value())
}

/// The deep-frozen claims a token cache entry's memo keeps, and which of its members each caller
/// needs a copy of (its Arrays and Hashes, with their keys and shapes, in the claims' order):
/// found once here instead of by walking the Hash or the claims on every hit.
pub struct FrozenClaims {
    hash: Opaque<RHash>,
    containers: Vec<(Opaque<Value>, Opaque<Value>, Shape)>,
}

/// Where a frozen container holds other containers, so a copy replaces exactly those.
enum Shape {
    /// An Array or Hash of scalars: one copy-on-write `dup`.
    Flat,
    /// An Array holding containers: each element's shape.
    Array(Vec<Option<Shape>>),
    /// A Hash holding containers: each member's shape, in the Hash's order.
    Hash(Vec<Option<Shape>>),
}

impl Shape {
    /// The shape of a claim value; `None` for a scalar.
    fn of(v: JsonRef<'_>) -> Option<Shape> {
        let (inner, hash): (Vec<Option<Shape>>, bool) = match v {
            JsonRef::Array(items) => (items.map(Shape::of).collect(), false),
            JsonRef::Object(members) => (
                members
                    .by_name()
                    .into_iter()
                    .map(|(_, v)| Shape::of(v))
                    .collect(),
                true,
            ),
            _ => return None,
        };
        Some(match (inner.iter().any(Option::is_some), hash) {
            (false, _) => Shape::Flat,
            (true, false) => Shape::Array(inner),
            (true, true) => Shape::Hash(inner),
        })
    }
}

impl FrozenClaims {
    pub fn new(ruby: &Ruby, claims: &JsonObject) -> Result<FrozenClaims, Error> {
        let h = claims_to_ruby(ruby, claims, true)?;
        let mut containers = Vec::new();
        let mut shapes = claims.members().into_iter().map(|(_, v)| Shape::of(v));
        h.foreach(|k: Value, item: Value| {
            if let Some(Some(shape)) = shapes.next() {
                containers.push((Opaque::from(k), Opaque::from(item), shape));
            }
            Ok(ForEach::Continue)
        })?;
        Ok(FrozenClaims {
            hash: Opaque::from(h),
            containers,
        })
    }

    /// Marks (and so pins: the handles here must stay valid under `GC.compact`) every object
    /// held, for the owner's mark function.
    pub fn mark(&self, marker: &gc::Marker) {
        marker.mark(self.hash);
        for (k, v, _) in &self.containers {
            marker.mark(*k);
            marker.mark(*v);
        }
    }

    /// A caller's own copy: new (unfrozen) Hashes and Arrays all the way down, the frozen keys
    /// and scalars shared, so callers may change what they got without changing what the memo
    /// hands the next caller. The Hash is copied whole (`dup` copies its table without hashing a
    /// key again) and only its Arrays and Hashes are replaced; an Array of scalars is a
    /// copy-on-write share.
    pub fn thaw(&self, ruby: &Ruby) -> Result<RHash, Error> {
        let out: RHash = ruby.get_inner(self.hash).funcall("dup", ())?;
        for (k, v, shape) in &self.containers {
            out.aset(ruby.get_inner(*k), thaw(ruby, ruby.get_inner(*v), shape)?)?;
        }
        Ok(out)
    }
}

/// [`FrozenClaims::thaw`] for one frozen container of `shape`.
fn thaw(ruby: &Ruby, v: Value, shape: &Shape) -> Result<Value, Error> {
    match shape {
        Shape::Flat => match (RArray::from_value(v), RHash::from_value(v)) {
            (Some(a), _) => Ok(a.dup().as_value()),
            (None, Some(h)) => Ok(h.funcall::<_, _, RHash>("dup", ())?.as_value()),
            (None, None) => Ok(v),
        },
        Shape::Array(items) => {
            let Some(a) = RArray::from_value(v) else {
                return Ok(v);
            };
            let out = ruby.ary_new_capa(items.len());
            for (i, inner) in items.iter().enumerate() {
                let item = a.entry(i as isize)?;
                out.push(match inner {
                    Some(shape) => thaw(ruby, item, shape)?,
                    None => item,
                })?;
            }
            Ok(out.as_value())
        }
        Shape::Hash(members) => match RHash::from_value(v) {
            Some(h) => Ok(thaw_hash(ruby, h, members)?.as_value()),
            None => Ok(v),
        },
    }
}

/// A nested Hash's copy: `dup`, then its Arrays and Hashes replaced, found by walking it in
/// `shapes`' order (the order it was built in).
fn thaw_hash(ruby: &Ruby, h: RHash, shapes: &[Option<Shape>]) -> Result<RHash, Error> {
    let out: RHash = h.funcall("dup", ())?;
    let mut shapes = shapes.iter();
    h.foreach(|k: Value, item: Value| {
        if let Some(Some(shape)) = shapes.next() {
            out.aset(k, thaw(ruby, item, shape)?)?;
        }
        Ok(ForEach::Continue)
    })?;
    Ok(out)
}
