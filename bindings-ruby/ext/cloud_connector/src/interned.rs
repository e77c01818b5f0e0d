//! Ruby's own deduplicated frozen Strings (`-"text"`) for claim names and list entries, and
//! kept Arrays of them, by the core's rule (`token::SharedTexts`): one table of each per thread
//! (a kept Array is frozen and never handed out, only copies of it). Each String kept is pinned
//! (`rb_gc_register_mark_object`) for the life of the process, since the handle kept here must
//! stay valid under `GC.compact`; the core's bound caps how many.

use std::cell::RefCell;

use cloud_connector::token::SharedTexts;
use magnus::value::Opaque;
use magnus::{gc, prelude::*, RArray, RString, Ruby};

thread_local! {
    static INTERNED: RefCell<SharedTexts<Opaque<RString>>> = RefCell::new(SharedTexts::new());
    static LISTS: RefCell<SharedTexts<Opaque<RArray>>> = RefCell::new(SharedTexts::lists());
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

/// A new Array of `entries` (interned Strings); `key` is their text when they are all plain
/// strings (`Items::plain_strings`): then the Array is a copy of the one kept for it, made once.
pub fn str_list<'a>(
    ruby: &Ruby,
    key: Option<&str>,
    entries: impl Iterator<Item = &'a str>,
) -> Result<RArray, magnus::Error> {
    let kept = |key: &str| {
        LISTS.with(|lists| {
            let lists = lists.try_borrow().ok()?;
            Some(ruby.get_inner(*lists.get(key)?))
        })
    };
    if let Some(list) = key.and_then(kept) {
        return Ok(list.dup());
    }
    let list = ruby.ary_new();
    for entry in entries {
        list.push(frozen_str(ruby, entry))?;
    }
    if let Some(key) = key {
        let copy = list.dup();
        copy.freeze();
        LISTS.with(|lists| {
            if let Ok(mut lists) = lists.try_borrow_mut() {
                if lists.keep(key, Opaque::from(copy)).is_some() {
                    gc::register_mark_object(copy);
                }
            }
        });
    }
    Ok(list)
}
