//! Ruby's own deduplicated frozen Strings (`-"text"`) for claim names and list entries, by the
//! core's rule (`token::SharedTexts`): one table per thread. Each String kept is pinned
//! (`rb_gc_register_mark_object`) for the life of the process, since the handle kept here must
//! stay valid under `GC.compact`; the core's bound caps how many.

use std::cell::RefCell;

use cloud_connector::token::SharedTexts;
use magnus::value::Opaque;
use magnus::{gc, prelude::*, RString, Ruby};

thread_local! {
    static INTERNED: RefCell<SharedTexts<Opaque<RString>>> = RefCell::new(SharedTexts::new());
}

/// A frozen String of `text`: the interned one when the rule keeps it, else a new one.
pub fn frozen_str(ruby: &Ruby, text: &str) -> RString {
    let kept = INTERNED.with(|interned| {
        let mut interned = interned.try_borrow_mut().ok()?;
        let s = interned.get_or_make(text, || {
            let s = ruby.str_new(text).to_interned_str();
            gc::register_mark_object(s);
            Opaque::from(s)
        })?;
        Some(ruby.get_inner(*s))
    });
    kept.unwrap_or_else(|| {
        let s = ruby.str_new(text);
        s.freeze();
        s
    })
}
