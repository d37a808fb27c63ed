//! From bus events to queued deliveries.
//!
//! [`OutboxBus`] wraps the node's event bus: every event this node publishes
//! is checked against a bit mask of the event kinds some enabled webhook
//! wants (one atomic load: no cost when nobody subscribes), and a match is
//! handed to a writer task through a channel, so publishing never waits for
//! the database. The writer turns a batch of events into delivery rows, one
//! per subscribed webhook, in one transaction. Each event is published by
//! exactly one node, so each delivery is queued once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use chat_domain::events::Event;
use chat_domain::ids::WebhookId;
use chat_domain::model::{ConversationState, MessageKind, Webhook, WebhookDelivery, WebhookEvent};
use chat_domain::ports::{Delivery, EventBus, EventStream, Store};
use chat_domain::time::{Timestamp, now};
use chat_domain::{DomainError, DomainResult};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

/// Events waiting for the writer; beyond this, events are dropped (logged
/// and counted), never blocking the publisher.
const QUEUE: usize = 16_384;
/// Most events turned into rows in one transaction.
const BATCH: usize = 256;

fn bit(event: WebhookEvent) -> u8 {
    1 << (event as u8)
}

/// One enabled webhook, as the writer needs it.
#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    pub(crate) id: WebhookId,
    pub(crate) events: Vec<WebhookEvent>,
}

/// The enabled webhooks, per node. Reloaded when any node changes them
/// (`Event::WebhooksChanged`), when the bus reports missed events, and
/// every `refresh` as a backstop.
#[derive(Default)]
pub(crate) struct SubscriptionCache {
    mask: AtomicU8,
    subs: RwLock<Arc<Vec<Subscription>>>,
}

impl SubscriptionCache {
    fn any(&self) -> bool {
        self.mask.load(Ordering::Relaxed) != 0
    }

    fn wants(&self, kinds: u8) -> bool {
        self.mask.load(Ordering::Relaxed) & kinds != 0
    }

    fn snapshot(&self) -> Arc<Vec<Subscription>> {
        match self.subs.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, webhooks: &[Webhook]) {
        let subs: Vec<Subscription> = webhooks
            .iter()
            .filter(|w| w.enabled)
            .map(|w| Subscription {
                id: w.id,
                events: w.events.clone(),
            })
            .collect();
        let mask = subs
            .iter()
            .flat_map(|s| s.events.iter())
            .fold(0u8, |m, e| m | bit(*e));
        match self.subs.write() {
            Ok(mut s) => *s = Arc::new(subs),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(subs),
        }
        self.mask.store(mask, Ordering::Relaxed);
    }

    /// Reloads from the store; on failure the old list stays.
    pub(crate) async fn reload(&self, store: &dyn Store) {
        match store.enabled_webhooks().await {
            Ok(list) => self.set(&list),
            Err(e) => tracing::warn!(error = %e, "webhook subscriptions not reloaded"),
        }
    }
}

/// The webhook events a bus event stands for (no allocation: this runs on
/// every publish while some webhook subscribes). Private notes are never
/// sent: they are for staff, and a webhook receiver is another system.
pub(crate) fn kinds_of(event: &Event) -> &'static [WebhookEvent] {
    match event {
        Event::MessageCreated { message } if message.kind != MessageKind::PrivateNote => {
            &[WebhookEvent::MessageCreated]
        }
        Event::ConversationChanged {
            previous_state: None,
            ..
        } => &[WebhookEvent::ConversationCreated],
        Event::ConversationChanged { conversation, .. }
            if conversation.state == ConversationState::Closed =>
        {
            &[
                WebhookEvent::ConversationStateChanged,
                WebhookEvent::ConversationClosed,
            ]
        }
        Event::ConversationChanged { .. } => &[WebhookEvent::ConversationStateChanged],
        Event::CsatSubmitted { .. } => &[WebhookEvent::CsatSubmitted],
        _ => &[],
    }
}

fn mask_of(event: &Event) -> u8 {
    kinds_of(event).iter().fold(0, |m, e| m | bit(*e))
}

/// The body POSTed for one event: an envelope (`id`, `event`,
/// `created_at`) around `data`.
pub(crate) fn payload(kind: WebhookEvent, data: Value, at: Timestamp) -> String {
    json!({
        "id": uuid::Uuid::now_v7(),
        "event": kind.as_str(),
        "created_at": at.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        "data": data,
    })
    .to_string()
}

/// The `data` of a webhook event, from the bus event it came from.
pub(crate) fn data_of(kind: WebhookEvent, event: &Event) -> Value {
    match event {
        Event::MessageCreated { message } => json!({ "message": message }),
        Event::ConversationChanged {
            conversation,
            previous_state,
            previous_assignee,
            change,
            by,
        } => json!({
            "conversation": conversation,
            "change": change,
            "previous_state": previous_state,
            "previous_assignee_id": previous_assignee,
            "by": by,
        }),
        Event::CsatSubmitted { conversation } => json!({
            "conversation_id": conversation.id,
            "score": conversation.csat_score,
            "comment": conversation.csat_comment,
            "conversation": conversation,
        }),
        other => json!({ "event": kind.as_str(), "conversation_id": other.conversation_id() }),
    }
}

/// The node's bus, with webhook events copied to the outbox writer.
pub(crate) struct OutboxBus {
    pub(crate) inner: Arc<dyn EventBus>,
    pub(crate) cache: Arc<SubscriptionCache>,
    pub(crate) tx: mpsc::Sender<Arc<Event>>,
}

impl OutboxBus {
    /// Hands the outbox writer a copy of an event some webhook wants. No
    /// subscription at all (the usual case) costs one atomic load.
    fn copy_to_outbox(&self, event: &Event) {
        if self.cache.any()
            && self.cache.wants(mask_of(event))
            && let Err(e) = self.tx.try_send(Arc::new(event.clone()))
        {
            metrics::counter!("chat_webhook_events_dropped_total").increment(1);
            tracing::error!(error = %e, "webhook outbox full: an event will not be delivered");
        }
    }
}

#[async_trait]
impl EventBus for OutboxBus {
    async fn publish(&self, event: Event) -> DomainResult<()> {
        self.copy_to_outbox(&event);
        self.inner.publish(event).await
    }

    async fn publish_all(&self, events: Vec<Event>) -> DomainResult<()> {
        for event in &events {
            self.copy_to_outbox(event);
        }
        self.inner.publish_all(events).await
    }

    fn subscribe(&self) -> Box<dyn EventStream> {
        self.inner.subscribe()
    }
}

/// Starts the writer: events in, delivery rows out; wakes the sender after
/// each write.
pub(crate) fn spawn_writer(
    store: Arc<dyn Store>,
    cache: Arc<SubscriptionCache>,
    wake: Arc<Notify>,
) -> mpsc::Sender<Arc<Event>> {
    let (tx, mut rx) = mpsc::channel::<Arc<Event>>(QUEUE);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        while rx.recv_many(&mut batch, BATCH).await > 0 {
            let subs = cache.snapshot();
            let at = now();
            let mut rows = Vec::new();
            for event in batch.drain(..) {
                for &kind in kinds_of(&event) {
                    let targets: Vec<&Subscription> =
                        subs.iter().filter(|s| s.events.contains(&kind)).collect();
                    if targets.is_empty() {
                        continue;
                    }
                    let body = payload(kind, data_of(kind, &event), at);
                    rows.extend(
                        targets
                            .into_iter()
                            .map(|s| WebhookDelivery::new(s.id, kind, body.clone(), at)),
                    );
                }
            }
            if rows.is_empty() {
                continue;
            }
            write(store.as_ref(), rows).await;
            wake.notify_one();
        }
    });
    tx
}

/// Writes rows, retrying while the database is unavailable (the channel
/// buffers meanwhile). A row whose webhook was deleted since the cache was
/// loaded fails the batch: then rows are written one by one, skipping those.
async fn write(store: &dyn Store, rows: Vec<WebhookDelivery>) {
    let mut pause = Duration::from_millis(100);
    for _ in 0..8 {
        match store.enqueue_deliveries(&rows).await {
            Ok(()) => return,
            Err(DomainError::Unavailable(e)) => {
                tracing::warn!(error = %e, rows = rows.len(), "webhook deliveries not queued yet; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            Err(_) => break,
        }
    }
    let mut lost = 0usize;
    let mut gone: HashSet<WebhookId> = HashSet::new();
    for row in rows {
        if gone.contains(&row.webhook_id) {
            continue;
        }
        match store.enqueue_deliveries(std::slice::from_ref(&row)).await {
            Ok(()) => {}
            Err(DomainError::Validation { .. }) => {
                gone.insert(row.webhook_id);
            }
            Err(e) => {
                lost += 1;
                tracing::error!(error = %e, webhook = %row.webhook_id, "webhook delivery not queued");
            }
        }
    }
    if lost > 0 {
        metrics::counter!("chat_webhook_events_dropped_total").increment(lost as u64);
    }
}

/// Keeps `cache` in step with the webhooks table: on every
/// `WebhooksChanged` (from any node), on missed events, and every `refresh`.
pub(crate) fn spawn_follower(
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    cache: Arc<SubscriptionCache>,
    refresh: Duration,
) {
    let mut stream = bus.subscribe();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(refresh);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut bus_open = true;
        loop {
            tokio::select! {
                _ = tick.tick() => cache.reload(store.as_ref()).await,
                delivery = stream.next(), if bus_open => match delivery {
                    Some(Delivery::Event(e)) if matches!(*e, Event::WebhooksChanged) => {
                        cache.reload(store.as_ref()).await;
                    }
                    Some(Delivery::Missed) => cache.reload(store.as_ref()).await,
                    Some(Delivery::Event(_)) => {}
                    None => bus_open = false,
                },
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_domain::events::Actor;
    use chat_domain::model::{Conversation, NewMessage, SenderKind};

    #[test]
    fn bus_events_map_to_webhook_events() {
        let mut conv = Conversation::open(Default::default(), now());
        let changed = |conv: &Conversation, previous| Event::ConversationChanged {
            conversation: conv.clone(),
            previous_state: previous,
            previous_assignee: None,
            change: "x".into(),
            by: Actor {
                kind: SenderKind::System,
                id: None,
            },
        };
        assert_eq!(
            kinds_of(&changed(&conv, None)),
            [WebhookEvent::ConversationCreated]
        );
        assert_eq!(
            kinds_of(&changed(&conv, Some(ConversationState::Bot))),
            [WebhookEvent::ConversationStateChanged]
        );
        conv.state = ConversationState::Closed;
        assert_eq!(
            kinds_of(&changed(&conv, Some(ConversationState::Human))),
            [
                WebhookEvent::ConversationStateChanged,
                WebhookEvent::ConversationClosed
            ]
        );
        let message = |kind| {
            let m =
                NewMessage::new(conv.id, SenderKind::Agent, None, kind, "hi", None, now()).unwrap();
            Event::MessageCreated {
                message: chat_domain::model::Message {
                    id: m.id,
                    conversation_id: m.conversation_id,
                    seq: 1,
                    sender_kind: m.sender_kind,
                    sender_id: None,
                    sender_name: None,
                    kind,
                    body: m.body,
                    client_msg_id: None,
                    attachment: None,
                    created_at: m.created_at,
                },
            }
        };
        assert_eq!(
            kinds_of(&message(MessageKind::Text)),
            [WebhookEvent::MessageCreated]
        );
        assert!(kinds_of(&message(MessageKind::PrivateNote)).is_empty());
        assert!(kinds_of(&Event::WebhooksChanged).is_empty());
    }

    #[test]
    fn the_mask_follows_the_enabled_subscriptions() {
        let cache = SubscriptionCache::default();
        let created = Event::CsatSubmitted {
            conversation: Conversation::open(Default::default(), now()),
        };
        assert!(!cache.any() && !cache.wants(mask_of(&created)));
        let mut w = Webhook::new(
            "https://example.com",
            &["csat.submitted".to_owned()],
            crate::webhooks::sign::new_secret(),
            now(),
        )
        .unwrap();
        cache.set(std::slice::from_ref(&w));
        assert!(cache.wants(mask_of(&created)));
        assert!(!cache.wants(mask_of(&Event::WebhooksChanged)));
        w.enabled = false;
        cache.set(&[w]);
        assert!(!cache.any() && !cache.wants(mask_of(&created)));
    }
}
