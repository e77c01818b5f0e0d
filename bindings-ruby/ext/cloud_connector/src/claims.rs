//! Verified claims (or a JOSE header) as Ruby Hashes: built from the core's map, and a caller's
//! own copy of the deep-frozen form a token cache memo keeps.
//!
//! Values are gathered in small arrays on the machine stack, where Ruby's conservative GC sees
//! them (a `Vec` on the heap would hide them from it), and handed to Ruby a chunk at a time
//! (`rb_hash_bulk_insert`, `rb_ary_cat`): one protected call per chunk instead of one per
//! element was most of the cost of building a realistic token's claims (bench/README.md).

use magnus::{prelude::*, r_hash::ForEach, Error, RArray, RHash, Ruby, Value};
use serde_json::{Map, Value as Json};

use crate::convert::{json_to_ruby, Keys};

/// Values per chunk: enough for the claims of a realistic token in one or two calls, small
/// enough for the stack.
const CHUNK: usize = 32;

/// Verified claims as a Ruby Hash with String keys and frozen String values, in the core's
/// order. With `deep_freeze` the Arrays and Hashes are frozen too: the form a memo keeps and
/// hands out through [`thaw_claims`].
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

/// A caller's own copy of a deep-frozen claims Hash that [`claims_to_ruby`] built from
/// `claims`: new (unfrozen) Hashes and Arrays all the way down, the frozen scalars shared.
/// Callers may then change what they got without changing what the memo hands the next caller.
/// A Hash is copied whole (`dup` copies its table without hashing a key again) and only its
/// Array and Hash values are replaced, found through `claims` (the Hash holds its members in
/// that order); an Array of scalars is a copy-on-write share.
pub fn thaw_claims(ruby: &Ruby, h: RHash, claims: &Map<String, Json>) -> Result<RHash, Error> {
    let out: RHash = h.funcall("dup", ())?;
    if claims.values().any(is_container) {
        let mut members = claims.values();
        h.foreach(|k: Value, item: Value| {
            if let Some(inner) = members.next().filter(|m| is_container(m)) {
                out.aset(k, thaw(ruby, item, inner)?)?;
            }
            Ok(ForEach::Continue)
        })?;
    }
    Ok(out)
}

/// [`thaw_claims`] for a member built from `from`.
fn thaw(ruby: &Ruby, v: Value, from: &Json) -> Result<Value, Error> {
    match from {
        Json::Object(map) => match RHash::from_value(v) {
            Some(h) => Ok(thaw_claims(ruby, h, map)?.as_value()),
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

fn is_container(v: &Json) -> bool {
    v.is_object() || v.is_array()
}
