//! Login attempts counted in Redis, shared by every node of a deployment.

use std::time::Duration;

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::ports::SharedAttempts;
use deadpool_redis::redis;

use crate::presence::redis::{pooled, unavailable};

/// Per key, a sorted set of attempts scored by time (ms): entries older
/// than the window are dropped, and the check and the counting happen in
/// one script, so two nodes cannot both let the fifth guess through.
const BEGIN: &str = r"
local now, window, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local wait = 0
for _, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now - window)
  if redis.call('ZCARD', k) >= max then
    local oldest = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, now, ARGV[4])
  redis.call('PEXPIRE', k, window)
end
return 0
";

/// [`SharedAttempts`] on Redis, under the deployment's key prefix.
pub struct RedisAttempts {
    pool: deadpool_redis::Pool,
    prefix: String,
}

impl RedisAttempts {
    /// Counts in the Redis behind `pool`, keys under `prefix`.
    pub fn new(pool: deadpool_redis::Pool, prefix: &str) -> Self {
        Self {
            pool,
            prefix: format!("{prefix}:login:"),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

#[async_trait]
impl SharedAttempts for RedisAttempts {
    async fn begin(
        &self,
        keys: &[&str],
        attempt: &str,
        max: u32,
        window: Duration,
    ) -> DomainResult<Option<u64>> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(BEGIN).arg(keys.len());
        for k in keys {
            cmd.arg(self.key(k));
        }
        cmd.arg(now_ms).arg(window_ms).arg(max).arg(attempt);
        let wait_ms: i64 = cmd
            .query_async(&mut pooled(&self.pool).await?)
            .await
            .map_err(unavailable)?;
        Ok((wait_ms > 0).then(|| (wait_ms as u64).div_ceil(1000).max(1)))
    }

    async fn take_back(
        &self,
        keys: &[&str],
        attempt: &str,
        clear: Option<&str>,
    ) -> DomainResult<()> {
        let mut pipe = redis::pipe();
        for k in keys {
            pipe.cmd("ZREM").arg(self.key(k)).arg(attempt).ignore();
        }
        if let Some(k) = clear {
            pipe.cmd("DEL").arg(self.key(k)).ignore();
        }
        pipe.query_async::<()>(&mut pooled(&self.pool).await?)
            .await
            .map_err(unavailable)
    }
}
