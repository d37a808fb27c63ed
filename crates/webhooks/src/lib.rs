//! # chat-webhooks
//!
//! Webhooks, the plug-in point for other systems: admins subscribe a URL to
//! events (`conversation.created`, `conversation.state_changed`,
//! `conversation.closed`, `message.created`, `csat.submitted`); each event
//! is POSTed as JSON, signed with HMAC-SHA256 ([`sign`]), retried with
//! exponential backoff, logged, and the webhook is disabled after too many
//! failed deliveries in a row.
//!
//! The crate listens to the event bus like any other subscriber; nothing
//! on the message path knows it exists. How it fits (see
//! `docs/ARCHITECTURE.md` for the guarantees):
//! - `outbox`: every node listens to the bus; events some webhook wants
//!   become `pending` delivery rows (the outbox), written by a writer task.
//!   A delivery's id is derived from its event, so the rows that every node
//!   writes for one event are one row;
//! - `dispatch`: a sender on every node claims due rows with a lease, POSTs
//!   them and records the outcome; rows survive restarts, and any node
//!   sends them;
//! - [`destination`]: which URLs are allowed (no internal addresses unless
//!   configured), checked on save and at each connection.
//!
//! The REST routes that manage webhooks are chat-admin's (they need its
//! authentication, roles, audit and OpenAPI document); they drive this
//! crate through [`Webhooks`].

pub mod destination;
mod dispatch;
mod outbox;
pub mod sign;

use std::sync::Arc;
use std::time::Duration;

use chat_domain::events::Event;
use chat_domain::model::{Webhook, WebhookDelivery, WebhookEvent};
use chat_domain::ports::{EventBus, Store};
use chat_domain::time::now;
use chat_domain::{DomainError, DomainResult};
use thiserror::Error;
use tokio::sync::Notify;

use self::dispatch::Sender;
use self::outbox::SubscriptionCache;

/// Delivery settings.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Attempts per delivery before it is marked failed (at least 1).
    pub max_attempts: u32,
    /// Delay before the second attempt; doubled for each further one.
    pub backoff: Duration,
    /// Longest delay between two attempts.
    pub max_backoff: Duration,
    /// Failed deliveries in a row that disable a webhook (0: never).
    pub disable_after: u32,
    /// Longest an attempt may take (connect, send, answer).
    pub timeout: Duration,
    /// Allow loopback, private and link-local destinations.
    pub allow_private: bool,
    /// How often each node looks for due deliveries it was not woken for
    /// (retries, deliveries queued by other nodes).
    pub poll_interval: Duration,
    /// Attempts in flight at once per node.
    pub concurrency: usize,
    /// How long delivered and failed deliveries are kept.
    pub retention: Duration,
    /// Backstop reload of the subscription cache (changes are announced
    /// on the bus at once).
    pub cache_refresh: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(3600),
            disable_after: 5,
            timeout: Duration::from_secs(10),
            allow_private: false,
            poll_interval: Duration::from_secs(2),
            concurrency: 16,
            retention: Duration::from_secs(30 * 24 * 3600),
            cache_refresh: Duration::from_secs(60),
        }
    }
}

/// Why webhooks could not start.
#[derive(Debug, Error)]
pub enum WebhookError {
    /// The HTTP client could not be built (TLS setup).
    #[error("webhook HTTP client: {0}")]
    Client(String),
}

/// The running webhook machinery of one node, shared by the routes.
pub struct Webhooks {
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    cache: Arc<SubscriptionCache>,
    wake: Arc<Notify>,
    config: WebhookConfig,
    /// The sender task, stopped with the node.
    sender: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Webhooks {
    /// Subscribes to `bus` and starts the outbox writer and the sender on
    /// the current runtime.
    pub async fn start(
        store: Arc<dyn Store>,
        bus: Arc<dyn EventBus>,
        config: WebhookConfig,
    ) -> Result<Arc<Self>, WebhookError> {
        // reqwest is built without a default TLS provider; use ring's (as
        // chat-ai does; whichever installs first wins, both are ring).
        // rustls 0.23.48 deprecates ring's provider (no post-quantum key
        // exchange); ring is chosen on purpose (aws-lc-rs needs cmake and a C
        // toolchain), so the warning is silenced, not the choice changed.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("chat-api-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(destination::GuardedResolver {
                allow_internal: config.allow_private,
            }))
            .build()
            .map_err(|e| WebhookError::Client(e.to_string()))?;
        let cache = Arc::new(SubscriptionCache::default());
        cache.reload(store.as_ref()).await;
        let wake = Arc::new(Notify::new());
        let tx = outbox::spawn_writer(store.clone(), cache.clone(), wake.clone());
        outbox::spawn_listener(
            store.clone(),
            bus.as_ref(),
            cache.clone(),
            tx,
            config.cache_refresh,
        );
        let sender = Arc::new(Sender {
            store: store.clone(),
            bus: bus.clone(),
            client,
            config: config.clone(),
            wake: wake.clone(),
        });
        let sender = tokio::spawn(sender.run());
        Ok(Arc::new(Self {
            store,
            bus,
            cache,
            wake,
            config,
            sender: std::sync::Mutex::new(Some(sender)),
        }))
    }

    /// Stops sending (the node is stopping). A delivery cut off mid-attempt
    /// keeps its lease and is sent again by a node once the lease runs out.
    pub fn stop(&self) {
        if let Some(task) = self.sender.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// Checks a URL for saving (see [`destination::check_url`]).
    pub fn check_url(&self, raw: &str) -> DomainResult<String> {
        destination::check_url(raw, self.config.allow_private)
    }

    /// To call after any change to webhooks: this node reloads its
    /// subscriptions before returning, the others when the bus tells them.
    pub async fn changed(&self) {
        self.cache.reload(self.store.as_ref()).await;
        if let Err(e) = self.bus.publish(Event::WebhooksChanged).await {
            tracing::warn!(error = %e, "webhook change not announced to other nodes");
        }
    }

    /// Tells this node's sender that something is due now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Queues a `ping` delivery to `webhook` and wakes the sender.
    pub async fn ping(&self, webhook: &Webhook) -> DomainResult<WebhookDelivery> {
        if !webhook.enabled {
            return Err(DomainError::Conflict(
                "the webhook is disabled; enable it first".into(),
            ));
        }
        let at = now();
        let body = outbox::payload(
            WebhookEvent::Ping,
            serde_json::json!({ "webhook_id": webhook.id }),
            at,
        );
        let delivery = WebhookDelivery::new(webhook.id, WebhookEvent::Ping, body, at);
        self.store
            .enqueue_deliveries(std::slice::from_ref(&delivery))
            .await?;
        self.wake();
        Ok(delivery)
    }
}
