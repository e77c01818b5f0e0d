//! Verified claims (or a JOSE header) as Ruby Hashes: built from the core's map, and a caller's
//! own copy of the deep-frozen form a token cache memo keeps.
//!
//! Values are gathered in small arrays on the machine stack, where Ruby's conservative GC sees
//! them (a `Vec` on the heap would hide them from it), and handed to Ruby a chunk at a time
//! (`rb_hash_bulk_insert`, `rb_ary_cat`): one protected call per chunk instead of one per
//! element was most of the cost of building a realistic token's claims (bench/README.md).

use magnus::value::Opaque;
use magnus::{gc, prelude::*, r_hash::ForEach, Error, RArray, RHash, Ruby, Value};
use serde_json::{Map, Value as Json};

use crate::convert::{json_to_ruby, Keys};

/// Values per chunk: enough for the claims of a realistic token in one or two calls, small
/// enough for the stack.
const CHUNK: usize = 32;

/// Verified claims as a Ruby Hash with String keys and frozen String values, in the core's
/// order. With `deep_freeze` the Arrays and Hashes are frozen too: the form a memo keeps and
/// hands out through [`FrozenClaims::thaw`].
pub fn claims_to_ruby(
    ruby: &Ruby,
    claims: &Map<String, Json>,
    deep_freeze: bool,
) -> Result<RHash, Error> {
    let h = ruby.hash_new();
    let mut buf = [ruby.qnil().as_value(); CHUNK];
    let mut len = 0;
    for (k, v) in claims {
        buf[len] = ruby.str_new(k).as_value();
        buf[len + 1] = claim_value(ruby, v, deep_freeze)?;
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

fn claim_value(ruby: &Ruby, v: &Json, deep_freeze: bool) -> Result<Value, Error> {
    Ok(match v {
        Json::String(s) => {
            let s = ruby.str_new(s);
            s.freeze();
            s.as_value()
        }
        Json::Array(items) => {
            let a = ruby.ary_new_capa(items.len());
            let mut buf = [ruby.qnil().as_value(); CHUNK];
            for chunk in items.chunks(CHUNK) {
                for (slot, item) in buf.iter_mut().zip(chunk) {
                    *slot = claim_value(ruby, item, deep_freeze)?;
                }
                a.cat(&buf[..chunk.len()])?;
            }
            if deep_freeze {
                a.freeze();
            }
            a.as_value()
        }
        Json::Object(map) => claims_to_ruby(ruby, map, deep_freeze)?.as_value(),
        scalar => json_to_ruby(ruby, scalar, Keys::Strings)?,
    })
}

/// The deep-frozen claims a token cache entry's memo keeps, and which of its members each caller
/// needs a copy of (its Arrays and Hashes, with their keys, in the claims' order): found once
/// here instead of by walking the Hash on every hit.
pub struct FrozenClaims {
    hash: Opaque<RHash>,
    containers: Vec<(Opaque<Value>, Opaque<Value>)>,
}

impl FrozenClaims {
    pub fn new(ruby: &Ruby, claims: &Map<String, Json>) -> Result<FrozenClaims, Error> {
        let h = claims_to_ruby(ruby, claims, true)?;
        let mut containers = Vec::new();
        let mut members = claims.values();
        h.foreach(|k: Value, item: Value| {
            if members.next().is_some_and(is_container) {
                containers.push((Opaque::from(k), Opaque::from(item)));
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
        for (k, v) in &self.containers {
            marker.mark(*k);
            marker.mark(*v);
        }
    }

    /// A caller's own copy, for the `claims` this was made from: new (unfrozen) Hashes and
    /// Arrays all the way down, the frozen keys and scalars shared, so callers may change what
    /// they got without changing what the memo hands the next caller. The Hash is copied whole
    /// (`dup` copies its table without hashing a key again) and only its Arrays and Hashes are
    /// replaced; an Array of scalars is a copy-on-write share.
    pub fn thaw(&self, ruby: &Ruby, claims: &Map<String, Json>) -> Result<RHash, Error> {
        let out: RHash = ruby.get_inner(self.hash).funcall("dup", ())?;
        let shapes = claims.values().filter(|m| is_container(m));
        for ((k, v), shape) in self.containers.iter().zip(shapes) {
            out.aset(ruby.get_inner(*k), thaw(ruby, ruby.get_inner(*v), shape)?)?;
        }
        Ok(out)
    }
}

/// [`FrozenClaims::thaw`] for a member built from `from`.
fn thaw(ruby: &Ruby, v: Value, from: &Json) -> Result<Value, Error> {
    match from {
        Json::Object(map) => match RHash::from_value(v) {
            Some(h) => Ok(thaw_hash(ruby, h, map)?.as_value()),
            None => Ok(v),
        },
        Json::Array(items) => {
            let Some(a) = RArray::from_value(v) else {
                return Ok(v);
            };
            if !items.iter().any(is_container) {
                return Ok(a.dup().as_value());
            }
            let out = ruby.ary_new_capa(items.len());
            for (i, inner) in items.iter().enumerate() {
                out.push(thaw(ruby, a.entry(i as isize)?, inner)?)?;
            }
            Ok(out.as_value())
        }
        _ => Ok(v),
    }
}

/// A nested Hash's copy: `dup`, then its Arrays and Hashes replaced, found by walking it in
/// `members`' order (the order it was built in).
fn thaw_hash(ruby: &Ruby, h: RHash, members: &Map<String, Json>) -> Result<RHash, Error> {
    let out: RHash = h.funcall("dup", ())?;
    let mut shapes = members.values();
    h.foreach(|k: Value, item: Value| {
        if let Some(shape) = shapes.next().filter(|m| is_container(m)) {
            out.aset(k, thaw(ruby, item, shape)?)?;
        }
        Ok(ForEach::Continue)
    })?;
    Ok(out)
}

fn is_container(v: &Json) -> bool {
    v.is_object() || v.is_array()
}
