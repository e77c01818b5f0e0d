//! Ruby's own deduplicated frozen Strings (`-"text"`) for the texts claims repeat on every call:
//! member names and list entries (unit primitives, audiences). A realistic token's claims are
//! about 40 Strings, nearly all of them these; making, encoding-tagging, freezing and later
//! sweeping each anew was most of what the gem adds to a verification.
//!
//! Each text is interned once per thread and its String kept for the life of the process:
//! pinned (`rb_gc_register_mark_object`), since the handle kept here must stay valid under
//! `GC.compact`. At most [`CAPACITY`] texts of at most [`MAX_LEN`] bytes are kept per thread;
//! past that, Strings are made anew, so a stream of tokens with ever-new values costs the old
//! price, never unbounded memory. Values that are usually unique (`jti`, `sub`) are not asked for.

use std::cell::RefCell;
use std::collections::HashMap;

use magnus::value::Opaque;
use magnus::{gc, prelude::*, RString, Ruby};

/// Texts kept per thread.
const CAPACITY: usize = 4096;
/// Longest text kept, in bytes.
const MAX_LEN: usize = 64;

thread_local! {
    static INTERNED: RefCell<HashMap<Box<str>, Opaque<RString>, ahash::RandomState>> =
        RefCell::new(HashMap::default());
}

/// A frozen String of `text`: the interned one when it is kept (or can be), else a new one.
pub fn frozen_str(ruby: &Ruby, text: &str) -> RString {
    if text.len() <= MAX_LEN {
        let kept = INTERNED.with(|interned| {
            let mut interned = interned.try_borrow_mut().ok()?;
            if let Some(s) = interned.get(text) {
                return Some(ruby.get_inner(*s));
            }
            if interned.len() >= CAPACITY {
                return None;
            }
            let s = ruby.str_new(text).to_interned_str();
            gc::register_mark_object(s);
            interned.insert(text.into(), Opaque::from(s));
            Some(s)
        });
        if let Some(s) = kept {
            return s;
        }
    }
    let s = ruby.str_new(text);
    s.freeze();
    s
}
