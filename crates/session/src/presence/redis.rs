use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chat_domain::events::PresenceStatus;
use chat_domain::ids::UserId;
use chat_domain::ports::PresenceRegistry;
use chat_domain::{DomainError, DomainResult};
use deadpool_redis::redis;

/// Presence shared by every node through Redis. Expiry is a score, not a key
/// TTL, so listing live agents is one range query instead of a key scan.
#[derive(Clone)]
pub struct RedisPresence {
    pool: deadpool_redis::Pool,
    /// Sorted set: member `agent|node`, score = expiry (unix milliseconds).
    live: String,
    /// Hash: `agent|node` → status.
    status: String,
}

impl RedisPresence {
    /// Uses the given pool (typically the bus's) and key prefix.
    pub fn new(pool: deadpool_redis::Pool, prefix: &str) -> Self {
        Self {
            pool,
            live: format!("{prefix}:presence:live"),
            status: format!("{prefix}:presence:status"),
        }
    }

    async fn conn(&self) -> DomainResult<deadpool_redis::Connection> {
        pooled(&self.pool).await
    }
}

/// Sets each key's expiry to ARGV[1] ms unless it already lasts longer
/// (PTTL is -1 for a key without expiry: set). `PEXPIRE … GT` would need
/// Redis 7.
const EXTEND_EXPIRY: &str = "for _, k in ipairs(KEYS) do \
     if redis.call('PTTL', k) < tonumber(ARGV[1]) then redis.call('PEXPIRE', k, ARGV[1]) end \
   end return 0";

/// A connection from `pool`; `Unavailable` when Redis cannot be reached.
pub(crate) async fn pooled(
    pool: &deadpool_redis::Pool,
) -> DomainResult<deadpool_redis::Connection> {
    pool.get()
        .await
        .map_err(|e| DomainError::Unavailable(format!("redis pool: {e}")))
}

/// A failed Redis command: a dependency problem, retryable.
pub(crate) fn unavailable(e: redis::RedisError) -> DomainError {
    DomainError::Unavailable(format!("redis: {e}"))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[async_trait]
impl PresenceRegistry for RedisPresence {
    async fn refresh(
        &self,
        agent: UserId,
        node: &str,
        status: PresenceStatus,
        ttl: Duration,
    ) -> DomainResult<()> {
        let member = format!("{agent}|{node}");
        let expires = now_ms() + i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2);
        // Both keys outlive their newest entry, then go: a deployment (or a
        // test run) that stops leaves nothing behind in a shared Redis.
        // Only ever extended, so a node with a shorter TTL cannot cut
        // another's entries short.
        let keep_ms = 2 * i64::try_from(ttl.as_millis())
            .unwrap_or(i64::MAX / 4)
            .max(500);
        let mut conn = self.conn().await?;
        redis::pipe()
            .atomic()
            .zadd(&self.live, &member, expires)
            .hset(&self.status, &member, status.as_str())
            .cmd("EVAL")
            .arg(EXTEND_EXPIRY)
            .arg(2)
            .arg(&self.live)
            .arg(&self.status)
            .arg(keep_ms)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(unavailable)
    }

    async fn remove(&self, agent: UserId, node: &str) -> DomainResult<()> {
        let member = format!("{agent}|{node}");
        let mut conn = self.conn().await?;
        redis::pipe()
            .atomic()
            .zrem(&self.live, &member)
            .hdel(&self.status, &member)
            .query_async::<()>(&mut conn)
            .await
            .map_err(unavailable)
    }

    async fn live_agents(&self) -> DomainResult<Vec<(UserId, PresenceStatus)>> {
        let now = now_ms();
        let mut conn = self.conn().await?;
        // Expired entries (crashed nodes) are dropped on the way.
        let expired: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(&self.live)
            .arg("-inf")
            .arg(now)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        if !expired.is_empty() {
            redis::pipe()
                .zrem(&self.live, &expired)
                .hdel(&self.status, &expired)
                .query_async::<()>(&mut conn)
                .await
                .map_err(unavailable)?;
        }
        let live: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(&self.live)
            .arg(format!("({now}"))
            .arg("+inf")
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        if live.is_empty() {
            return Ok(Vec::new());
        }
        let statuses: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(&self.status)
            .arg(&live)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        let mut out: HashMap<UserId, PresenceStatus> = HashMap::new();
        for (member, status) in live.iter().zip(statuses) {
            let Some(agent) = member
                .split('|')
                .next()
                .and_then(|a| a.parse::<UserId>().ok())
            else {
                continue;
            };
            let status = status
                .and_then(|s| s.parse().ok())
                .unwrap_or(PresenceStatus::Online);
            let merged = out.get(&agent).map_or(status, |s| super::merge(*s, status));
            out.insert(agent, merged);
        }
        Ok(out.into_iter().collect())
    }
}
