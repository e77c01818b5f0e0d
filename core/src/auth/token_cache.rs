//! The verified-token cache: whole token -> claims of a token whose signature was checked,
//! bounded, least recently used evicted first. Entries carry the key-set generation they were
//! verified under, so a key set change invalidates them even if a verification was in flight.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use ahash::RandomState;

use super::user::UserClaims;
use crate::error::Cause;
use crate::token::VerifiedToken;

/// Every hit hashes the whole token (hundreds of bytes), so the hasher matters: ahash is several
/// times faster than SipHash and, randomly seeded per cache, as resistant to crafted collisions.
type Map<V> = HashMap<String, V, RandomState>;

/// A binding's own conversion of a cached token's claims (a Python tuple, a frozen Ruby Hash),
/// kept with the cache entry: one memo for every binding, as large as the token cache, dropped
/// with the entry. The first conversion stored wins.
#[derive(Debug, Default)]
pub struct ClaimsMemo(OnceLock<Cause>);

impl ClaimsMemo {
    /// The conversion stored, if any.
    pub fn get(&self) -> Option<&Cause> {
        self.0.get()
    }

    /// Stores `value` unless another conversion got there first; returns the one kept.
    pub fn keep(&self, value: Cause) -> &Cause {
        self.0.get_or_init(|| value)
    }
}

impl PartialEq for ClaimsMemo {
    /// The same memo, not an equal one: each entry has its own.
    fn eq(&self, other: &ClaimsMemo) -> bool {
        std::ptr::eq(self, other)
    }
}

/// A cached token: as verified, its claims mapped to a user's fields once, and the memo of a
/// binding's conversion.
#[derive(Clone, Debug)]
pub(crate) struct CachedToken {
    pub(crate) verified: VerifiedToken,
    pub(crate) user: Arc<UserClaims>,
    pub(crate) memo: Arc<ClaimsMemo>,
}

#[derive(Debug)]
pub(crate) struct TokenCache {
    capacity: usize,
    tick: u64,
    /// token -> (verified, key-set generation, tick of last use)
    entries: Map<(CachedToken, u64, u64)>,
    /// tick of insertion or of the last re-queue -> token. A hit only stamps the entry's tick
    /// (no tree update on the hot path); eviction gives an entry used since it was queued a
    /// second chance by re-queueing it, so the least recently used one goes first.
    order: BTreeMap<u64, String>,
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> TokenCache {
        TokenCache {
            capacity,
            tick: 0,
            entries: Map::default(),
            order: BTreeMap::new(),
        }
    }

    pub(crate) fn get(&mut self, token: &str, generation: u64) -> Option<CachedToken> {
        self.tick += 1;
        let tick = self.tick;
        let (value, gen, last) = self.entries.get_mut(token)?;
        if *gen != generation {
            self.entries.remove(token);
            return None;
        }
        *last = tick;
        Some(value.clone())
    }

    pub(crate) fn insert(&mut self, token: &str, value: CachedToken, generation: u64) {
        if self.capacity == 0 {
            return;
        }
        self.tick += 1;
        self.entries.remove(token);
        while self.entries.len() >= self.capacity {
            let Some((queued, oldest)) = self.order.pop_first() else {
                break;
            };
            match self.entries.get(&oldest).map(|e| e.2) {
                // Used since it was queued: queue it again at its last use.
                Some(last) if last > queued => {
                    self.order.insert(last, oldest);
                }
                Some(_) => {
                    self.entries.remove(&oldest);
                }
                // Already removed (replaced, invalidated): a stale queue slot.
                None => {}
            }
        }
        self.entries
            .insert(token.to_owned(), (value, generation, self.tick));
        self.order.insert(self.tick, token.to_owned());
        // Stale slots (removed or re-inserted tokens) are dropped when the queue grows past twice
        // the entries, so it stays bounded however the cache is used.
        if self.order.len() > 2 * self.capacity.max(1) {
            let entries = &self.entries;
            self.order
                .retain(|queued, token| entries.get(token).is_some_and(|e| e.2 >= *queued));
        }
    }

    pub(crate) fn remove(&mut self, token: &str) {
        self.entries.remove(token);
    }

    /// Every conversion the entries hold (for a host's garbage collector to mark).
    pub(crate) fn memos(&self) -> Vec<Cause> {
        self.entries
            .values()
            .filter_map(|(entry, _, _)| entry.memo.get().cloned())
            .collect()
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

    fn v(n: i64) -> CachedToken {
        let mut m = serde_json::Map::new();
        m.insert("n".into(), n.into());
        CachedToken {
            user: Arc::new(UserClaims::from_claims(&m)),
            memo: Arc::default(),
            verified: VerifiedToken {
                header: Arc::default(),
                claims: Arc::new(m),
            },
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

    #[test]
    fn recency_survives_many_hits_and_the_queue_stays_bounded() {
        let mut c = TokenCache::new(3);
        for (i, t) in ["a", "b", "c"].iter().enumerate() {
            c.insert(t, v(i as i64), 0);
        }
        for _ in 0..100 {
            assert!(c.get("a", 0).is_some());
            assert!(c.get("b", 0).is_some());
        }
        c.insert("d", v(4), 0);
        assert!(c.get("c", 0).is_none(), "c was least recently used");
        assert!(c.get("a", 0).is_some() && c.get("b", 0).is_some() && c.get("d", 0).is_some());
        for i in 0..1000 {
            let t = format!("t{}", i % 7);
            c.insert(&t, v(i), 0);
            c.remove(&t);
            c.insert(&t, v(i), 0);
        }
        assert!(c.len() <= 3);
        assert!(c.order.len() <= 6, "queue bounded: {}", c.order.len());
    }
}
