//! Shared Python `str` objects for the texts claims repeat on every call: member names and list
//! entries (unit primitives, audiences). Making each anew was a large part of what the package
//! adds to a verification; `str` is immutable, so handing out one object for a text is invisible
//! to callers (`==` holds, `is` may now hold too).
//!
//! A per-thread table, by text: at most [`CAPACITY`] texts of at most [`MAX_LEN`] bytes, then
//! strings are made anew, so a stream of tokens with ever-new values costs the old price, never
//! unbounded memory. Values that are usually unique (`jti`, `sub`) are not asked for.

use std::cell::RefCell;
use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::PyString;

/// Texts kept per thread.
const CAPACITY: usize = 4096;
/// Longest text kept, in bytes.
const MAX_LEN: usize = 64;

thread_local! {
    static INTERNED: RefCell<HashMap<Box<str>, Py<PyString>, ahash::RandomState>> =
        RefCell::new(HashMap::default());
}

/// A `str` of `text`: the kept one when there is (or can be), else a new one.
pub fn shared_str<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    if text.len() <= MAX_LEN {
        let kept = INTERNED.with(|interned| {
            let mut interned = interned.try_borrow_mut().ok()?;
            if let Some(s) = interned.get(text) {
                return Some(s.bind(py).clone());
            }
            if interned.len() >= CAPACITY {
                return None;
            }
            let s = PyString::new(py, text);
            interned.insert(text.into(), s.clone().unbind());
            Some(s)
        });
        if let Some(s) = kept {
            return s;
        }
    }
    PyString::new(py, text)
}
