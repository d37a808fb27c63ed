use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chat_domain::events::Event;
use chat_domain::ports::{Delivery, EventBus, EventStream, Listener};
use chat_domain::{DomainError, DomainResult};
use deadpool_redis::redis;
use deadpool_redis::redis::aio::PubSub;
use futures_util::StreamExt as _;
use tokio::sync::broadcast;

use super::{LocalStream, SUBSCRIBER_BACKLOG, call_listeners};
use crate::presence::redis::pooled;

/// The channel every node of one deployment publishes to and subscribes on,
/// under the deployment's key prefix (several deployments may share a Redis).
fn channel(prefix: &str) -> String {
    format!("{prefix}:events:v1")
}

/// Why the bus could not start.
#[derive(Debug, thiserror::Error)]
pub enum RedisBusError {
    /// The URL is not a Redis URL.
    #[error("REDIS_URL: {0}")]
    InvalidUrl(String),
    /// Redis could not be reached or refused the subscription in time.
    #[error("cannot reach Redis: {0}")]
    Unreachable(String),
}

/// The multi-node bus: events are published to one Redis pub/sub channel;
/// each node keeps one subscription (with its own reconnect loop, since
/// pub/sub cannot use pooled connections) and fans events out locally.
///
/// Redis pub/sub delivers at most once. After a reconnect the node's
/// subscribers receive [`Delivery::Missed`] and resynchronize from the
/// database, so a Redis blip delays messages but does not lose them.
///
/// Listeners ([`EventBus::listen`]) are called by the subscription's task
/// itself, as each event arrives and before the broadcast to subscribers:
/// the gateway's routing table, the conversation cache and the others cost
/// no wake-up of a task of their own per event (five per message before).
#[derive(Clone)]
pub struct RedisBus {
    pool: deadpool_redis::Pool,
    local: broadcast::Sender<Delivery>,
    listeners: Arc<Mutex<Vec<Listener>>>,
    channel: String,
    prefix: String,
}

impl RedisBus {
    /// Connects, subscribes, and returns once the subscription is live (so
    /// nothing published after this returns is missed by this node).
    pub async fn connect(
        url: &str,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Self, RedisBusError> {
        let client =
            redis::Client::open(url).map_err(|e| RedisBusError::InvalidUrl(e.to_string()))?;
        let pool = deadpool_redis::Config::from_url(url)
            .builder()
            .map_err(|e| RedisBusError::InvalidUrl(e.to_string()))?
            .max_size(16)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            // Without it a checkout waits on the PING of a pooled connection
            // for as long as that takes: after a Redis restart, writers were
            // seen stuck for good there (redis' response timeout did not
            // end the pipelined PING).
            .recycle_timeout(Some(timeout))
            .runtime(deadpool_redis::Runtime::Tokio1)
            .build()
            .map_err(|e| RedisBusError::InvalidUrl(e.to_string()))?;
        let (local, _) = broadcast::channel(SUBSCRIBER_BACKLOG);
        let channel = channel(prefix);
        // The first subscription is made here, once: an unreachable Redis
        // fails the start at once with its cause ("connection refused"),
        // instead of a retry loop logging it while the start times out.
        let first = tokio::time::timeout(timeout, subscribe(&client, &channel))
            .await
            .map_err(|_| RedisBusError::Unreachable(format!("no answer within {timeout:?}")))?
            .map_err(|e| RedisBusError::Unreachable(e.to_string()))?;
        let listeners = Arc::<Mutex<Vec<Listener>>>::default();
        tokio::spawn(subscriber(
            client,
            channel.clone(),
            Fanout {
                local: local.clone(),
                listeners: listeners.clone(),
            },
            first,
        ));
        Ok(Self {
            pool,
            local,
            listeners,
            channel,
            prefix: prefix.to_owned(),
        })
    }

    /// The connection pool (shared with the Redis presence registry).
    pub fn pool(&self) -> deadpool_redis::Pool {
        self.pool.clone()
    }

    /// The deployment's key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: Event) -> DomainResult<()> {
        let payload = serde_json::to_vec(&event)
            .map_err(|e| DomainError::Internal(format!("encode event: {e}")))?;
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(&self.channel).arg(payload);
        bounded(async {
            let mut conn = pooled(&self.pool).await?;
            cmd.query_async::<i64>(&mut conn)
                .await
                .map_err(|e| DomainError::Unavailable(format!("redis publish: {e}")))
        })
        .await?;
        Ok(())
    }

    /// One pipeline: every PUBLISH in one round trip, in order.
    async fn publish_all(&self, events: Vec<Event>) -> DomainResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for event in &events {
            let payload = serde_json::to_vec(event)
                .map_err(|e| DomainError::Internal(format!("encode event: {e}")))?;
            pipe.cmd("PUBLISH").arg(&self.channel).arg(payload).ignore();
        }
        bounded(async {
            let mut conn = pooled(&self.pool).await?;
            pipe.query_async::<()>(&mut conn)
                .await
                .map_err(|e| DomainError::Unavailable(format!("redis publish: {e}")))
        })
        .await
    }

    fn subscribe(&self) -> Box<dyn EventStream> {
        Box::new(LocalStream(self.local.subscribe()))
    }

    fn listen(&self, listener: Listener) -> Result<(), Listener> {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(listener);
        Ok(())
    }
}

/// Where the subscription hands what it receives: the listeners, inline,
/// then the local subscribers.
struct Fanout {
    local: broadcast::Sender<Delivery>,
    listeners: Arc<Mutex<Vec<Listener>>>,
}

impl Fanout {
    fn deliver(&self, delivery: Delivery) {
        call_listeners(
            &mut self.listeners.lock().unwrap_or_else(|p| p.into_inner()),
            &delivery,
        );
        // No subscriber is not an error: nobody is listening on this node.
        let _ = self.local.send(delivery);
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> redis::RedisResult<PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

/// The longest a publish may take: the message writer waits for it before
/// its next commit, so a stuck Redis call must not stall every message.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);

/// `op`, or `Unavailable` once [`PUBLISH_TIMEOUT`] has passed.
async fn bounded<T>(op: impl Future<Output = DomainResult<T>>) -> DomainResult<T> {
    tokio::time::timeout(PUBLISH_TIMEOUT, op)
        .await
        .map_err(|_| DomainError::Unavailable("redis publish timed out".into()))?
}

/// Reconnect attempts fail several times a second while Redis is down.
static RECONNECT_FAILED: crate::logs::LogGate = crate::logs::LogGate::new(Duration::from_secs(10));

/// The first pause between two subscription attempts; it doubles up to
/// [`RECONNECT_MAX`].
const RECONNECT_FIRST: Duration = Duration::from_millis(100);

/// The longest pause between two subscription attempts. Cross-node delivery
/// resumes only when the subscription does, so this bounds how long after
/// Redis is back messages still wait (it was 5 s: delivery then resumed up
/// to 5 s late after an outage of a few seconds). An attempt against a
/// Redis that is down is one refused connection: cheap, and its failures are
/// logged once per 10 s.
const RECONNECT_MAX: Duration = Duration::from_millis(500);

/// How long one subscription attempt may take: against a Redis that does
/// not answer (a network partition rather than a refused connection) the
/// attempt must fail and be retried, not hang.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Fans the subscription's events out locally; when it drops, subscribes
/// again (with backoff) and tells subscribers that events were missed.
async fn subscriber(client: redis::Client, channel: String, fanout: Fanout, first: PubSub) {
    let mut current = Some(first);
    let mut backoff = RECONNECT_FIRST;
    loop {
        let attempt = async {
            tokio::time::timeout(SUBSCRIBE_TIMEOUT, subscribe(&client, &channel))
                .await
                .unwrap_or_else(|_| {
                    Err(redis::RedisError::from((
                        redis::ErrorKind::Io,
                        "no answer in time",
                    )))
                })
        };
        let pubsub = match current.take() {
            Some(p) => p,
            None => match attempt.await {
                Ok(p) => {
                    backoff = RECONNECT_FIRST;
                    // A reconnect: whatever was published meanwhile is gone.
                    tracing::warn!("redis bus resubscribed; subscribers resynchronize");
                    fanout.deliver(Delivery::Missed);
                    p
                }
                Err(e) => {
                    if let Some(held_back) = RECONNECT_FAILED.pass() {
                        tracing::warn!(error = %e, held_back, "redis bus: subscribe failed");
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(RECONNECT_MAX);
                    continue;
                }
            },
        };
        let mut pubsub = pubsub;
        let mut messages = pubsub.on_message();
        while let Some(msg) = messages.next().await {
            match serde_json::from_slice::<Event>(msg.get_payload_bytes()) {
                Ok(event) => fanout.deliver(Delivery::Event(Arc::new(event))),
                Err(e) => tracing::warn!(error = %e, "undecodable event on the bus"),
            }
        }
        tracing::warn!("redis bus subscription ended");
        tokio::time::sleep(backoff).await;
    }
}
