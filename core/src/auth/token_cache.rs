//! The verified-token cache: whole token -> claims of a token whose signature was checked,
//! bounded, least recently used evicted first. Entries carry the key-set generation they were
//! verified under, so a key set change invalidates them even if a verification was in flight.

use std::collections::{BTreeMap, HashMap};

use crate::token::VerifiedToken;

#[derive(Debug)]
pub(crate) struct TokenCache {
    capacity: usize,
    tick: u64,
    entries: HashMap<String, (VerifiedToken, u64, u64)>,
    /// tick -> token, for eviction order.
    order: BTreeMap<u64, String>,
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> TokenCache {
        TokenCache {
            capacity,
            tick: 0,
            entries: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    pub(crate) fn get(&mut self, token: &str, generation: u64) -> Option<VerifiedToken> {
        self.tick += 1;
        let tick = self.tick;
        let (value, gen, last) = self.entries.get_mut(token)?;
        if *gen != generation {
            let old = *last;
            self.entries.remove(token);
            self.order.remove(&old);
            return None;
        }
        let value = value.clone();
        let old = std::mem::replace(last, tick);
        if let Some(key) = self.order.remove(&old) {
            self.order.insert(tick, key);
        }
        Some(value)
    }

    pub(crate) fn insert(&mut self, token: &str, value: VerifiedToken, generation: u64) {
        if self.capacity == 0 {
            return;
        }
        self.tick += 1;
        if let Some((_, _, last)) = self.entries.remove(token) {
            self.order.remove(&last);
        }
        while self.entries.len() >= self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.entries
            .insert(token.to_owned(), (value, generation, self.tick));
        self.order.insert(self.tick, token.to_owned());
    }

    pub(crate) fn remove(&mut self, token: &str) {
        if let Some((_, _, last)) = self.entries.remove(token) {
            self.order.remove(&last);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn v(n: i64) -> VerifiedToken {
        let mut m = serde_json::Map::new();
        m.insert("n".into(), n.into());
        VerifiedToken {
            header: Arc::default(),
            claims: Arc::new(m),
        }
    }

    #[test]
    fn evicts_least_recently_used() {
        let mut c = TokenCache::new(2);
        c.insert("a", v(1), 0);
        c.insert("b", v(2), 0);
        assert!(c.get("a", 0).is_some());
        c.insert("c", v(3), 0);
        assert!(c.get("b", 0).is_none(), "b was least recently used");
        assert!(c.get("a", 0).is_some());
        assert!(c.get("c", 0).is_some());
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn generation_mismatch_and_clear() {
        let mut c = TokenCache::new(4);
        c.insert("a", v(1), 0);
        assert!(c.get("a", 1).is_none());
        assert_eq!(c.len(), 0);
        c.insert("b", v(1), 1);
        c.remove("b");
        assert!(c.get("b", 1).is_none());
        c.insert("c", v(1), 1);
        c.clear();
        assert_eq!(c.len(), 0);
        let mut zero = TokenCache::new(0);
        zero.insert("a", v(1), 0);
        assert_eq!(zero.len(), 0);
    }
}
