//! The shared quota store: the core's GCRA script on Redis over a few multiplexed connections
//! that reconnect by themselves. Decisions waiting at the same time go to Redis together: at
//! most as many `EVALSHA` calls are in flight as there are connections, each carrying every
//! decision queued meanwhile (up to [`MAX_BATCH`]), which Redis judges one after another in one
//! atomic step. Redis' cost per
//! command, not per decision, was most of a decision's. Every failure (unreachable, timed out,
//! out of shape) is a `quota_store_failed` error; the gate's failure policy answers it.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_connector::quota::{
    gcra_invocation, redis_spent, store_failed as failed, Check, RedisConfig, Spent,
    REDIS_GCRA_SCRIPT, STORE_RECONNECT_PAUSE as RECONNECT_PAUSE,
};
use cloud_connector::{Error, ErrorCode};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};
use tokio::sync::{oneshot, Mutex};

/// Decisions sent in one `EVALSHA` at most: the script holds Redis for a few microseconds per
/// decision, and other clients wait meanwhile.
const MAX_BATCH: usize = 64;

/// A decision waiting for a batch.
struct Pending {
    checks: Vec<Check>,
    /// The checks come back with the answer: the caller needs them to read it.
    answer: oneshot::Sender<Result<(Vec<Check>, Spent), Error>>,
}

/// Decisions not yet sent, and how many senders run (at most one per connection).
#[derive(Default)]
struct Queue {
    pending: Vec<Pending>,
    senders: usize,
}

#[derive(Default)]
struct Slot {
    connection: Option<ConnectionManager>,
    retry_at: Option<Instant>,
}

pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    script: Script,
    slots: Vec<Mutex<Slot>>,
    next: AtomicUsize,
    timeout: Duration,
    queue: std::sync::Mutex<Queue>,
    /// Script calls sent, and the decisions they carried (for `/metrics`).
    batches: AtomicU64,
    batched: AtomicU64,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("connections", &self.inner.slots.len())
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store for `url` (checked now; connections open on first use, so serve starts while
    /// Redis is away and the failure policy covers the gap).
    pub fn new(config: &RedisConfig) -> Result<RedisStore, Error> {
        let url = &config.url;
        let client = Client::open(url.as_str())
            .map_err(|e| Error::new(ErrorCode::InvalidArgument, format!("--redis {url:?}: {e}")))?;
        Ok(RedisStore {
            inner: Arc::new(Inner {
                client,
                script: Script::new(REDIS_GCRA_SCRIPT),
                slots: (0..config.connections).map(|_| Mutex::default()).collect(),
                next: AtomicUsize::new(0),
                timeout: config.timeout,
                queue: std::sync::Mutex::default(),
                batches: AtomicU64::new(0),
                batched: AtomicU64::new(0),
            }),
        })
    }

    /// Script calls sent so far, and the decisions they carried.
    pub fn batch_counts(&self) -> (u64, u64) {
        (
            self.inner.batches.load(Ordering::Relaxed),
            self.inner.batched.load(Ordering::Relaxed),
        )
    }

    /// One atomic GCRA step over `checks` (see the core's `REDIS_GCRA_SCRIPT`), sent with the
    /// other decisions waiting now. Waits at most the time for a connect and one batch after the
    /// batches already in flight; a decision given up on is not sent.
    pub async fn spend(&self, checks: Vec<Check>) -> Result<(Vec<Check>, Spent), Error> {
        let (answer, answered) = oneshot::channel();
        let start_sender = {
            let mut queue = self.inner.lock_queue();
            queue.pending.push(Pending { checks, answer });
            let start = queue.senders < self.inner.slots.len();
            if start {
                queue.senders += 1;
            }
            start
        };
        if start_sender {
            // A task of its own, so a client that hangs up does not cancel the others' batch.
            tokio::spawn(Arc::clone(&self.inner).send_batches());
        }
        match tokio::time::timeout(self.inner.timeout * 4, answered).await {
            Ok(Ok(spent)) => spent,
            Ok(Err(_)) => Err(failed("script", "the batch was dropped")),
            Err(_) => Err(failed("script", "timed out waiting for a batch")),
        }
    }
}

impl Inner {
    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A list and a count: consistent after any panic, so poison is ignored.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends the queued decisions, a batch at a time, until none is left.
    async fn send_batches(self: Arc<Self>) {
        loop {
            let batch: Vec<Pending> = {
                let mut queue = self.lock_queue();
                queue.pending.retain(|p| !p.answer.is_closed());
                if queue.pending.is_empty() {
                    queue.senders -= 1;
                    return;
                }
                let n = queue.pending.len().min(MAX_BATCH);
                queue.pending.drain(..n).collect()
            };
            let checks: Vec<&[Check]> = batch.iter().map(|p| p.checks.as_slice()).collect();
            self.batches.fetch_add(1, Ordering::Relaxed);
            self.batched
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            match self.spend_batch(&checks).await {
                Ok(spent) => {
                    for (p, s) in batch.into_iter().zip(spent) {
                        let _ = p.answer.send(Ok((p.checks, s)));
                    }
                }
                Err(e) => {
                    for p in batch {
                        let _ = p.answer.send(Err(e.clone()));
                    }
                }
            }
        }
    }

    async fn spend_batch(&self, batch: &[&[Check]]) -> Result<Vec<Spent>, Error> {
        let mut connection = self.connection().await?;
        let invocation = gcra_invocation(&self.script, batch);
        let reply: Vec<i64> = match tokio::time::timeout(
            self.timeout,
            invocation.invoke_async(&mut connection),
        )
        .await
        {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => return Err(failed("script", e)),
            Err(_) => return Err(failed("script", "timed out")),
        };
        redis_spent(&reply, batch)
    }

    async fn connection(&self) -> Result<ConnectionManager, Error> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let mut slot = self.slots[i].lock().await;
        if let Some(c) = &slot.connection {
            return Ok(c.clone());
        }
        if slot.retry_at.is_some_and(|at| Instant::now() < at) {
            return Err(failed("connect", "not connected (retrying shortly)"));
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.timeout)
            .set_response_timeout(self.timeout)
            .set_number_of_retries(1)
            .set_max_delay(500);
        let connected = tokio::time::timeout(
            self.timeout * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await;
        match connected {
            Ok(Ok(c)) => {
                slot.retry_at = None;
                slot.connection = Some(c.clone());
                Ok(c)
            }
            Ok(Err(e)) => {
                slot.retry_at = Some(Instant::now() + RECONNECT_PAUSE);
                Err(failed("connect", e))
            }
            Err(_) => {
                slot.retry_at = Some(Instant::now() + RECONNECT_PAUSE);
                Err(failed("connect", "timed out"))
            }
        }
    }
}
