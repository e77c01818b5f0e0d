//! Shared Python `str` objects for claim names and list entries, by the core's rule
//! (`token::SharedTexts`): one table per thread. `str` is immutable, so handing out one object
//! for a text is invisible to callers (`==` holds, `is` may now hold too).

use std::cell::RefCell;

use cloud_connector::token::SharedTexts;
use pyo3::prelude::*;
use pyo3::types::PyString;

thread_local! {
    static SHARED: RefCell<SharedTexts<Py<PyString>>> = RefCell::new(SharedTexts::new());
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
