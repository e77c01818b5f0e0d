//! Which claim texts a binding hands out as one shared host string (Python `str`, Ruby's
//! interned frozen `String`): member names and list entries (unit primitives, audiences) repeat
//! from token to token, and making, tagging and later collecting each anew was a large part of
//! what a binding adds to a verification (decisions `perf-ruby-interned`,
//! `perf-python-shared-str`). Values that are usually unique (`jti`, `sub`) are not asked for.
//!
//! The table is the binding's (it holds host objects, one per thread); the rule is here: at most
//! [`SHARED_TEXTS`] texts of at most [`SHARED_TEXT_MAX_LEN`] bytes, after which strings are made
//! anew, so a stream of tokens with ever-new values costs the old price, never unbounded memory.

use std::fmt;

use hashbrown::hash_map::EntryRef;
use hashbrown::HashMap;

/// Texts a table keeps.
pub const SHARED_TEXTS: usize = 4096;
/// Longest text a table keeps, in bytes.
pub const SHARED_TEXT_MAX_LEN: usize = 64;
/// Lists a [`SharedTexts::lists`] table keeps.
pub const SHARED_LISTS: usize = 256;
/// Longest list text a [`SharedTexts::lists`] table keeps, in bytes.
pub const SHARED_LIST_MAX_LEN: usize = 4096;

/// Host strings by their text, bounded by the rule above.
pub struct SharedTexts<V> {
    kept: HashMap<Box<str>, V, ahash::RandomState>,
    most: usize,
    max_len: usize,
}

impl<V> SharedTexts<V> {
    /// An empty table of texts (names, list entries): at most [`SHARED_TEXTS`] of at most
    /// [`SHARED_TEXT_MAX_LEN`] bytes.
    pub fn new() -> SharedTexts<V> {
        SharedTexts {
            kept: HashMap::default(),
            most: SHARED_TEXTS,
            max_len: SHARED_TEXT_MAX_LEN,
        }
    }

    /// An empty table of whole lists of strings, keyed by their text
    /// ([`Items::plain_strings`](crate::token::Items::plain_strings)): a token's `scopes`
    /// repeat from token to token, and one host list copied is cheaper than a lookup per entry.
    /// At most [`SHARED_LISTS`] of at most [`SHARED_LIST_MAX_LEN`] bytes. A binding hands out
    /// copies of the list it keeps, never the list itself, since callers may change theirs.
    pub fn lists() -> SharedTexts<V> {
        SharedTexts {
            kept: HashMap::default(),
            most: SHARED_LISTS,
            max_len: SHARED_LIST_MAX_LEN,
        }
    }

    /// The value kept for `text`, made by `make` and kept when the rule allows; `None` when
    /// `text` is not kept (too long, or the table is full), so the caller makes a fresh one.
    pub fn get_or_make(&mut self, text: &str, make: impl FnOnce() -> V) -> Option<&V> {
        if text.len() > self.max_len {
            return None;
        }
        let full = self.kept.len() >= self.most;
        // One hash and probe for a hit, the common case (a table fills within a few tokens).
        match self.kept.entry_ref(text) {
            EntryRef::Occupied(kept) => Some(kept.into_mut()),
            EntryRef::Vacant(_) if full => None,
            EntryRef::Vacant(slot) => Some(slot.insert_with_key(text.into(), make())),
        }
    }

    /// The value kept for `text`, if any.
    pub fn get(&self, text: &str) -> Option<&V> {
        self.kept.get(text)
    }

    /// Keeps `value` for `text` when the rule allows (and nothing is kept for it yet); `None`
    /// when it does not. For values whose making can fail, made before asking.
    pub fn keep(&mut self, text: &str, value: V) -> Option<&V> {
        self.get_or_make(text, || value)
    }

    /// Texts kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }
}

impl<V> Default for SharedTexts<V> {
    fn default() -> SharedTexts<V> {
        SharedTexts::new()
    }
}

impl<V> fmt::Debug for SharedTexts<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedTexts")
            .field("kept", &self.kept.len())
            .field("most", &self.most)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_short_texts_up_to_the_bound_and_makes_each_once() {
        let mut table = SharedTexts::new();
        let mut made = 0;
        for round in 0..2 {
            for i in 0..SHARED_TEXTS + 10 {
                let text = format!("unit_primitive_{i}");
                let got = table.get_or_make(&text, || {
                    made += 1;
                    text.clone()
                });
                assert_eq!(got.is_some(), i < SHARED_TEXTS, "{round} {i}");
            }
        }
        assert_eq!((made, table.len()), (SHARED_TEXTS, SHARED_TEXTS));
        let long = "x".repeat(SHARED_TEXT_MAX_LEN + 1);
        assert!(SharedTexts::<()>::new().get_or_make(&long, || ()).is_none());
        let at_most = "x".repeat(SHARED_TEXT_MAX_LEN);
        assert!(SharedTexts::<()>::new()
            .get_or_make(&at_most, || ())
            .is_some());
    }

    #[test]
    fn a_list_table_has_its_own_bounds() {
        let mut lists = SharedTexts::lists();
        for i in 0..SHARED_LISTS + 5 {
            let got = lists.get_or_make(&format!("\"scope_{i}\""), || i).copied();
            assert_eq!(got, (i < SHARED_LISTS).then_some(i), "{i}");
        }
        let long = "x".repeat(SHARED_LIST_MAX_LEN + 1);
        assert!(SharedTexts::<()>::lists()
            .get_or_make(&long, || ())
            .is_none());
        let at_most = "x".repeat(SHARED_LIST_MAX_LEN);
        assert!(SharedTexts::<()>::lists()
            .get_or_make(&at_most, || ())
            .is_some());
        assert!(SharedTexts::<()>::new()
            .get_or_make(&at_most, || ())
            .is_none());
        let mut kept = SharedTexts::lists();
        assert_eq!(kept.get("a"), None);
        assert_eq!(kept.keep("a", 1), Some(&1));
        assert_eq!(kept.keep("a", 2), Some(&1), "the first value stays");
        assert_eq!(kept.get("a"), Some(&1));
        assert_eq!(kept.keep(&long, 3), None);
    }
}
