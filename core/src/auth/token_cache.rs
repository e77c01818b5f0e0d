//! The verified-token cache: whole token -> claims of a token whose signature was checked,
//! bounded, least recently used evicted first. Entries carry the key-set generation they were
//! verified under, so a key set change invalidates them even if a verification was in flight.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use ahash::RandomState;

use super::user::UserClaims;
use crate::error::Cause;
use crate::token::{TimeClaims, VerifiedToken};

/// Bytes of the token's end that pick its slot: the end of the signature segment. Only verified
/// tokens are inserted, and their signatures cannot be chosen, so these bytes spread entries as
/// well as the whole token would; a lookup still compares the whole token, so a token sharing
/// them (a valid signature on another payload) is a miss, never a hit.
const KEY_BYTES: usize = 32;

/// A slot key is already an ahash (randomly seeded per cache): the map uses it as is.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in rather than lose it.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Map<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

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

/// A cached token: as verified, its time claims (all a hit re-checks besides the audience),
/// its claims mapped to a user's fields once, and the memo of a binding's conversion.
#[derive(Clone, Debug)]
pub(crate) struct CachedToken {
    pub(crate) verified: VerifiedToken,
    pub(crate) times: TimeClaims,
    pub(crate) user: Arc<UserClaims>,
    pub(crate) memo: Arc<ClaimsMemo>,
}

#[derive(Debug)]
struct Slot {
    token: Box<str>,
    value: CachedToken,
    generation: u64,
    /// Tick of the last use.
    last: u64,
}

#[derive(Debug)]
pub(crate) struct TokenCache {
    capacity: usize,
    tick: u64,
    hasher: RandomState,
    /// key of the token's end -> its slot. Two tokens with one key cannot both be held: the
    /// later insertion replaces the earlier (a seeded 64-bit hash of unforgeable bytes: a
    /// coincidence costs one re-verification).
    entries: Map<Slot>,
    /// tick of insertion or of the last re-queue -> key. A hit only stamps the slot's tick
    /// (no tree update on the hot path); eviction gives an entry used since it was queued a
    /// second chance by re-queueing it, so the least recently used one goes first.
    order: BTreeMap<u64, u64>,
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> TokenCache {
        TokenCache {
            capacity,
            tick: 0,
            hasher: RandomState::new(),
            entries: Map::default(),
            order: BTreeMap::new(),
        }
    }

    fn key(&self, token: &str) -> u64 {
        let bytes = token.as_bytes();
        self.hasher
            .hash_one(&bytes[bytes.len().saturating_sub(KEY_BYTES)..])
    }

    pub(crate) fn get(&mut self, token: &str, generation: u64) -> Option<CachedToken> {
        let key = self.key(token);
        let slot = self.entries.get_mut(&key)?;
        if *slot.token != *token {
            return None;
        }
        if slot.generation != generation {
            self.entries.remove(&key);
            return None;
        }
        self.tick += 1;
        slot.last = self.tick;
        Some(slot.value.clone())
    }

    pub(crate) fn insert(&mut self, token: &str, value: CachedToken, generation: u64) {
        if self.capacity == 0 {
            return;
        }
        self.tick += 1;
        let key = self.key(token);
        self.entries.remove(&key);
        while self.entries.len() >= self.capacity {
            let Some((queued, oldest)) = self.order.pop_first() else {
                break;
            };
            match self.entries.get(&oldest).map(|e| e.last) {
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
        let slot = Slot {
            token: token.into(),
            value,
            generation,
            last: self.tick,
        };
        self.entries.insert(key, slot);
        self.order.insert(self.tick, key);
        // Stale slots (removed or re-inserted tokens) are dropped when the queue grows past twice
        // the entries, so it stays bounded however the cache is used.
        if self.order.len() > 2 * self.capacity.max(1) {
            let entries = &self.entries;
            self.order
                .retain(|queued, key| entries.get(key).is_some_and(|e| e.last >= *queued));
        }
    }

    /// Drops `token`'s entry (only that token's: another token with its key stays).
    pub(crate) fn remove(&mut self, token: &str) {
        let key = self.key(token);
        if self.entries.get(&key).is_some_and(|e| *e.token == *token) {
            self.entries.remove(&key);
        }
    }

    /// Every conversion the entries hold (for a host's garbage collector to mark).
    pub(crate) fn memos(&self) -> Vec<Cause> {
        self.entries
            .values()
            .filter_map(|slot| slot.value.memo.get().cloned())
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
            user: Arc::new(UserClaims::from_claims(&m.clone().into())),
            times: TimeClaims::default(),
            memo: Arc::default(),
            verified: VerifiedToken {
                header: Arc::default(),
                claims: Arc::new(m.into()),
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
    fn a_token_sharing_the_key_bytes_is_another_token() {
        let tail = "s".repeat(KEY_BYTES);
        let (a, b) = (format!("a.{tail}"), format!("b.{tail}"));
        let mut c = TokenCache::new(4);
        c.insert(&a, v(1), 0);
        assert!(c.get(&b, 0).is_none(), "same slot, other token: a miss");
        c.remove(&b);
        assert!(c.get(&a, 0).is_some(), "removing b leaves a");
        c.insert(&b, v(2), 0);
        assert!(c.get(&a, 0).is_none(), "b took the slot");
        assert_eq!(c.get(&b, 0).unwrap().verified.claims["n"], 2);
        assert_eq!(c.len(), 1);
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
