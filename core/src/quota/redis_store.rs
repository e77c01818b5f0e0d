//! The shared quota store for blocking callers (the Python binding): the GCRA script on Redis,
//! one `EVALSHA` round trip per decision (a batch of one) (redis-rs loads the script once when Redis answers
//! NOSCRIPT), over a few kept connections. `serve` has its own async store over the same script
//! and arguments. Every failure (unreachable, timed out, out of shape) is `quota_store_failed`.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use redis::{Client, Connection, Script, ScriptInvocation};

use super::failure::{store_failed, STORE_RECONNECT_PAUSE};
use super::gcra::{Check, QuotaStore, Spent};
use super::redis_script::{redis_args, redis_spent, REDIS_GCRA_SCRIPT};
use super::store_config::RedisConfig;
use crate::error::{Error, ErrorCode, Result};

#[derive(Default)]
struct Pool {
    idle: Vec<Connection>,
    /// Set after a failed connect: until then, requests fail at once.
    retry_at: Option<Instant>,
}

/// Counters in a Redis shared by every replica.
pub struct RedisStore {
    client: Client,
    script: Script,
    config: RedisConfig,
    pool: Mutex<Pool>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("connections", &self.config.connections)
            .field("timeout", &self.config.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store for `config`'s URL (checked now; connections open on first use, so a caller
    /// starts while Redis is away and the failure policy covers the gap).
    pub fn new(config: &RedisConfig) -> Result<RedisStore> {
        let client = Client::open(config.url.as_str()).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("redis_url {:?}: {e}", config.url),
            )
        })?;
        Ok(RedisStore {
            client,
            script: Script::new(REDIS_GCRA_SCRIPT),
            config: config.clone(),
            pool: Mutex::default(),
        })
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        // The pool is a list and a time: consistent after any panic, so poison is ignored.
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A kept connection, or a new one (without holding the pool while connecting).
    fn checkout(&self) -> Result<Connection> {
        {
            let mut pool = self.pool();
            if let Some(c) = pool.idle.pop() {
                return Ok(c);
            }
            if pool.retry_at.is_some_and(|at| Instant::now() < at) {
                return Err(store_failed("connect", "not connected (retrying shortly)"));
            }
        }
        let timeout = Some(self.config.timeout);
        let connected = self
            .client
            .get_connection_with_timeout(self.config.timeout)
            .and_then(|c| {
                c.set_read_timeout(timeout)?;
                c.set_write_timeout(timeout)?;
                Ok(c)
            });
        let mut pool = self.pool();
        match connected {
            Ok(c) => {
                pool.retry_at = None;
                Ok(c)
            }
            Err(e) => {
                pool.retry_at = Some(Instant::now() + STORE_RECONNECT_PAUSE);
                Err(store_failed("connect", e))
            }
        }
    }

    fn checkin(&self, connection: Connection) {
        let mut pool = self.pool();
        if pool.idle.len() < self.config.connections {
            pool.idle.push(connection);
        }
    }
}

/// `script` (the core's [`REDIS_GCRA_SCRIPT`]) invoked over a batch of requests' keys and
/// arguments, for any redis-rs connection, blocking or async.
pub fn gcra_invocation<'a>(script: &'a Script, batch: &[&[Check]]) -> ScriptInvocation<'a> {
    let (keys, argv) = redis_args(batch);
    let mut invocation = script.prepare_invoke();
    for key in keys {
        invocation.key(key);
    }
    for arg in argv {
        invocation.arg(arg);
    }
    invocation
}

impl QuotaStore for RedisStore {
    fn spend(&self, checks: &[Check]) -> Result<Spent> {
        let mut connection = self.checkout()?;
        // One request at a time: a blocking caller's requests do not wait for each other.
        let batch = [checks];
        let invocation = gcra_invocation(&self.script, &batch);
        // A connection that failed mid-call may hold a half-read answer: it is dropped.
        let reply: Vec<i64> = invocation
            .invoke(&mut connection)
            .map_err(|e| store_failed("script", e))?;
        self.checkin(connection);
        redis_spent(&reply, &batch)?
            .pop()
            .ok_or_else(|| store_failed("script", "no answer"))
    }
}
