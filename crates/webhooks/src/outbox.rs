//! From bus events to queued deliveries.
//!
//! Every node listens to the bus ([`spawn_listener`]) and hears every
//! event, wherever it was published. An event is checked against a bit
//! mask of the event kinds some enabled webhook wants (one atomic load: no
//! cost when nobody subscribes), and a match is handed to a writer task
//! through a channel, so the listener never waits for the database. The
//! writer turns a batch of events into delivery rows, one per subscribed
//! webhook, in one transaction.
//!
//! Each delivery is queued once although every node writes it: its id is
//! derived from the event and the webhook ([`delivery_id`]), the same on
//! every node, so the store keeps the first row and refuses the others
//! (`Conflict`, skipped). Nothing wraps the bus: publishers do not know
//! webhooks exist.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chat_domain::DomainError;
use chat_domain::events::Event;
use chat_domain::ids::{WebhookDeliveryId, WebhookId};
use chat_domain::model::{ConversationState, MessageKind, Webhook, WebhookDelivery, WebhookEvent};
use chat_domain::ports::{Delivery, EventBus, Listener, Store};
use chat_domain::time::{Timestamp, now};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
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

/// The id of the delivery of `event` to `webhook`, the same on every node
/// (see the module's overview); `None` for events without a stable
/// identity (a fresh id then). Time-ordered like every other id (the
/// delivery log is listed newest first): the event's time in milliseconds,
/// then 80 bits of a hash of what the event is and whom it is for.
pub(crate) fn delivery_id(
    webhook: WebhookId,
    kind: WebhookEvent,
    event: &Event,
) -> Option<WebhookDeliveryId> {
    let (key, at) = match event {
        Event::MessageCreated { message } => (message.id.to_string(), message.created_at),
        Event::ConversationChanged {
            conversation,
            change,
            ..
        } => (
            format!(
                "{}:{}:{}",
                conversation.id,
                conversation.times.updated_at.and_utc().timestamp_micros(),
                change
            ),
            conversation.times.updated_at,
        ),
        // A conversation is rated once.
        Event::CsatSubmitted { conversation } => (
            format!("{}:rated", conversation.id),
            conversation.times.updated_at,
        ),
        _ => return None,
    };
    let digest = Sha256::new()
        .chain_update(webhook.to_string())
        .chain_update([0])
        .chain_update(kind.as_str())
        .chain_update([0])
        .chain_update(key)
        .finalize();
    let mut tail = [0u8; 10];
    tail.copy_from_slice(&digest[..10]);
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    Some(WebhookDeliveryId::from_uuid(
        uuid::Builder::from_unix_timestamp_millis(millis, &tail).into_uuid(),
    ))
}

/// Hands the writer the events some webhook wants (no subscription at all,
/// the usual case, costs one atomic load per event), and keeps `cache` in
/// step with the webhooks table: on every `WebhooksChanged` (from any
/// node), on missed events, and every `refresh`.
///
/// The bus calls a listener (inline on one node: see
/// [`EventBus::listen`]) which drops at once what this task would drop,
/// an event while no webhook subscribes to anything, so that the common
/// case wakes no task per message. Everything else is forwarded, in order,
/// to the task: after a `WebhooksChanged`, every event until its reload is
/// done, so that an event right after a new subscription is judged by it.
pub(crate) fn spawn_listener(
    store: Arc<dyn Store>,
    bus: &dyn EventBus,
    cache: Arc<SubscriptionCache>,
    tx: mpsc::Sender<Arc<Event>>,
    refresh: Duration,
) -> tokio::task::JoinHandle<()> {
    let (feed, mut heard) = mpsc::channel::<Delivery>(QUEUE);
    // `WebhooksChanged` forwarded whose reload is not done yet.
    let reloads = Arc::new(AtomicUsize::new(0));
    // Forwarding failed (the task is that far behind): it reloads, as on a
    // gap in the bus.
    let lost = Arc::new(AtomicBool::new(false));
    let listener: Listener = {
        let (cache, reloads, lost) = (cache.clone(), reloads.clone(), lost.clone());
        Box::new(move |delivery| {
            let changed =
                matches!(delivery, Delivery::Event(e) if matches!(**e, Event::WebhooksChanged));
            if changed {
                reloads.fetch_add(1, Ordering::SeqCst);
            }
            let forward = match delivery {
                Delivery::Event(_) => changed || cache.any() || reloads.load(Ordering::SeqCst) > 0,
                Delivery::Missed => true,
            };
            if forward && let Err(e) = feed.try_send(delivery.clone()) {
                if matches!(e, mpsc::error::TrySendError::Closed(_)) {
                    return ControlFlow::Break(());
                }
                if changed {
                    reloads.fetch_sub(1, Ordering::SeqCst);
                }
                lost.store(true, Ordering::SeqCst);
            }
            ControlFlow::Continue(())
        })
    };
    // A bus that needs a task to be read: the listener ends (and its task)
    // once this task is gone.
    if let Some(follow) = chat_domain::ports::listen(bus, listener) {
        tokio::spawn(follow);
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(refresh);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut bus_open = true;
        loop {
            tokio::select! {
                _ = tick.tick() => cache.reload(store.as_ref()).await,
                delivery = heard.recv(), if bus_open => {
                    match delivery {
                        Some(Delivery::Event(e)) if matches!(*e, Event::WebhooksChanged) => {
                            cache.reload(store.as_ref()).await;
                            reloads.fetch_sub(1, Ordering::SeqCst);
                        }
                        Some(Delivery::Event(e)) => {
                            if cache.any() && cache.wants(mask_of(&e))
                                && let Err(err) = tx.try_send(e)
                            {
                                metrics::counter!("chat_webhook_events_dropped_total").increment(1);
                                tracing::error!(error = %err, "webhook outbox full: an event will not be delivered");
                            }
                        }
                        Some(Delivery::Missed) => lost.store(true, Ordering::SeqCst),
                        None => bus_open = false,
                    }
                    if lost.swap(false, Ordering::SeqCst) {
                        // The bus dropped events (a slow node, a Redis
                        // reconnect), or this task fell that far behind:
                        // those that webhooks wanted are lost.
                        metrics::counter!("chat_webhook_bus_gaps_total").increment(1);
                        tracing::warn!("webhooks missed bus events; their deliveries are lost");
                        cache.reload(store.as_ref()).await;
                    }
                }
            }
        }
    })
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
                    rows.extend(targets.into_iter().map(|s| {
                        let mut row = WebhookDelivery::new(s.id, kind, body.clone(), at);
                        if let Some(id) = delivery_id(s.id, kind, &event) {
                            row.id = id;
                        }
                        row
                    }));
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
/// buffers meanwhile). A row another node queued first, or whose webhook
/// was deleted since the cache was loaded, fails the batch: then rows are
/// written one by one, skipping those.
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
            // Another node queued this very delivery first.
            Ok(()) | Err(DomainError::Conflict(_)) => {}
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
            change: chat_domain::events::ConversationChange::Close,
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
                message: std::sync::Arc::new(chat_domain::model::Message {
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
                    event: None,
                    created_at: m.created_at,
                }),
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
    fn a_delivery_id_is_the_same_on_every_node_and_time_ordered() {
        let (a, b) = (WebhookId::new(), WebhookId::new());
        let mut conv = Conversation::open(Default::default(), now());
        let closed = |conv: &Conversation| Event::ConversationChanged {
            conversation: conv.clone(),
            previous_state: Some(ConversationState::Human),
            previous_assignee: None,
            change: chat_domain::events::ConversationChange::Close,
            by: Actor {
                kind: SenderKind::System,
                id: None,
            },
        };
        let kind = WebhookEvent::ConversationClosed;
        // What another node computes from the same event (as it arrives
        // over Redis: serialised and back).
        let event = closed(&conv);
        let wire: Event = serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
        let id = delivery_id(a, kind, &event).unwrap();
        assert_eq!(Some(id), delivery_id(a, kind, &wire));
        // Another webhook, another kind: another delivery.
        assert_ne!(Some(id), delivery_id(b, kind, &event));
        assert_ne!(
            Some(id),
            delivery_id(a, WebhookEvent::ConversationStateChanged, &event)
        );
        // A later change of the same conversation sorts after it.
        conv.times.updated_at += chrono::Duration::milliseconds(5);
        let later = delivery_id(a, kind, &closed(&conv)).unwrap();
        assert!(later.as_uuid() > id.as_uuid());
        // Events without an identity get a fresh id each time.
        assert_eq!(delivery_id(a, kind, &Event::WebhooksChanged), None);
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
            crate::sign::new_secret(),
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
