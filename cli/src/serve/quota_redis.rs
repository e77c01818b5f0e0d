//! The shared quota store: the core's GCRA script on Redis, one `EVALSHA` round trip per
//! decision, over a few multiplexed connections that reconnect by themselves. Every failure
//! (unreachable, timed out, out of shape) is a `quota_store_failed` error; the gate's failure
//! policy answers it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cloud_connector::quota::{
    gcra_invocation, redis_spent, store_failed as failed, Check, RedisConfig, Spent,
    REDIS_GCRA_SCRIPT, STORE_RECONNECT_PAUSE as RECONNECT_PAUSE,
};
use cloud_connector::{Error, ErrorCode};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};
use tokio::sync::Mutex;

#[derive(Default)]
struct Slot {
    connection: Option<ConnectionManager>,
    retry_at: Option<Instant>,
}

pub struct RedisStore {
    client: Client,
    script: Script,
    slots: Vec<Mutex<Slot>>,
    next: AtomicUsize,
    timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("connections", &self.slots.len())
            .field("timeout", &self.timeout)
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
            client,
            script: Script::new(REDIS_GCRA_SCRIPT),
            slots: (0..config.connections).map(|_| Mutex::default()).collect(),
            next: AtomicUsize::new(0),
            timeout: config.timeout,
        })
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

    /// One atomic GCRA step over `checks` (see the core's `REDIS_GCRA_SCRIPT`).
    pub async fn spend(&self, checks: &[Check]) -> Result<Spent, Error> {
        let mut connection = self.connection().await?;
        let invocation = gcra_invocation(&self.script, checks);
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
        redis_spent(&reply, checks)
    }
}
