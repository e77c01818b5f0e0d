//! The one-process store: counters in a map under one lock, bounded in size. A counter whose
//! TAT has passed holds nothing a fresh one would not, so it is dropped when room is needed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::clock::{Clock, SystemClock};
use super::gcra::{spend_with, Check, QuotaStore, Spent};
use crate::error::Result;

/// Counters in memory, at most `capacity` of them.
#[derive(Debug)]
pub struct MemoryStore {
    clock: Arc<dyn Clock>,
    capacity: usize,
    tats: Mutex<HashMap<String, i64>>,
}

/// The default number of counters kept: ample for every instance of a large deployment.
pub const DEFAULT_CAPACITY: usize = 100_000;

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::new(DEFAULT_CAPACITY, Arc::new(SystemClock))
    }
}

impl MemoryStore {
    /// A store of at most `capacity` counters (at least one), judging time by `clock`.
    pub fn new(capacity: usize, clock: Arc<dyn Clock>) -> MemoryStore {
        MemoryStore {
            clock,
            capacity: capacity.max(1),
            tats: Mutex::new(HashMap::new()),
        }
    }

    /// Counters held now (expired ones included until room is needed).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no counter is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        // The map is consistent after any panic (one insert at a time), so poison is ignored.
        self.tats.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Makes room for new counters: drops the expired ones and, when that frees less than an
/// eighth of the capacity, the ones closest to expiring too (forgiving their remaining debt is
/// the least wrong thing a full store can do). An eighth at a time keeps the cost amortised.
fn make_room(tats: &mut HashMap<String, i64>, capacity: usize, now: i64) {
    tats.retain(|_, tat| *tat > now);
    let target = capacity - capacity.div_ceil(8);
    if tats.len() > target {
        let mut by_tat: Vec<i64> = tats.values().copied().collect();
        let cut = tats.len() - target;
        let (_, nth, _) = by_tat.select_nth_unstable(cut - 1);
        let cutoff = *nth;
        tats.retain(|_, tat| *tat > cutoff);
    }
}

impl QuotaStore for MemoryStore {
    fn spend(&self, checks: &[Check]) -> Result<Spent> {
        let mut tats = self.lock();
        let now = self.clock.now_micros();
        let (spent, advanced) = spend_with(checks, now, |c| tats.get(&c.key).copied());
        if let Some(advanced) = advanced {
            for (check, tat) in checks.iter().zip(advanced) {
                if !tats.contains_key(&check.key) && tats.len() >= self.capacity {
                    make_room(&mut tats, self.capacity, now);
                }
                tats.insert(check.key.clone(), tat);
            }
        }
        Ok(spent)
    }
}
