//! Shared Python `str` objects for claim names and list entries, and kept lists of them, by the
//! core's rule (`token::SharedTexts`): one table of each per thread. `str` is immutable, so
//! handing out one object for a text is invisible to callers (`==` holds, `is` may now hold
//! too); a kept list is never handed out, only copies of it.

use std::cell::RefCell;

use cloud_connector::token::SharedTexts;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

thread_local! {
    static SHARED: RefCell<SharedTexts<Py<PyString>>> = RefCell::new(SharedTexts::new());
    static LISTS: RefCell<SharedTexts<Py<PyList>>> = RefCell::new(SharedTexts::lists());
}

/// A `str` of `text`: the shared one when the rule keeps it, else a new one.
pub fn shared_str<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    let kept = SHARED.with(|shared| {
        let mut shared = shared.try_borrow_mut().ok()?;
        let s = shared.get_or_make(text, || PyString::new(py, text).unbind())?;
        Some(s.bind(py).clone())
    });
    kept.unwrap_or_else(|| PyString::new(py, text))
}

/// A new list of `entries` (shared `str`s); `key` is their text when they are all plain
/// strings (`Items::plain_strings`): then the list is a copy of the one kept for it, made once.
pub fn str_list<'py, 'a>(
    py: Python<'py>,
    key: Option<&str>,
    entries: impl Iterator<Item = &'a str>,
) -> PyResult<Bound<'py, PyList>> {
    let kept = |key: &str| {
        LISTS.with(|lists| {
            let lists = lists.try_borrow().ok()?;
            Some(lists.get(key)?.bind(py).clone())
        })
    };
    if let Some(list) = key.and_then(kept) {
        return Ok(list.get_slice(0, list.len()));
    }
    let list = PyList::empty(py);
    for entry in entries {
        list.append(shared_str(py, entry))?;
    }
    if let Some(key) = key {
        let copy = list.get_slice(0, list.len()).unbind();
        LISTS.with(|lists| {
            if let Ok(mut lists) = lists.try_borrow_mut() {
                lists.keep(key, copy);
            }
        });
    }
    Ok(list)
}
