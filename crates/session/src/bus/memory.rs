use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::events::Event;
use chat_domain::ports::{Delivery, EventBus, EventStream, Listener};
use tokio::sync::broadcast;

use super::{LocalStream, SUBSCRIBER_BACKLOG, call_listeners};

/// The single-node bus: a tokio broadcast channel, plus listeners called
/// inline. Publishing never blocks; a subscriber that falls more than
/// [`SUBSCRIBER_BACKLOG`] behind is told it missed events.
///
/// Listeners ([`EventBus::listen`]) are called inside `publish`, under one
/// lock that also covers the broadcast: every listener and subscriber sees
/// the events in the same order, and a listener is never behind (it cannot
/// miss anything). That is the short road from a commit to the sockets: the
/// message writer's `publish` puts the event in each recipient's inbox
/// itself, where a subscriber task would cost a wake-up per event (and one
/// per event for each of the node's other subscribers, whatever the event).
#[derive(Clone)]
pub struct InProcessBus {
    tx: broadcast::Sender<Delivery>,
    listeners: Arc<Mutex<Vec<Listener>>>,
}

impl InProcessBus {
    /// A new, empty bus.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(SUBSCRIBER_BACKLOG);
        Self {
            tx,
            listeners: Arc::default(),
        }
    }

    /// Hands `events` to every listener, then to the subscribers, in order.
    fn deliver(&self, events: impl IntoIterator<Item = Event>) {
        let mut listeners = self.listeners.lock().unwrap_or_else(|p| p.into_inner());
        for event in events {
            let delivery = Delivery::Event(Arc::new(event));
            call_listeners(&mut listeners, &delivery);
            // No subscriber is not an error: nobody is listening on this node.
            let _ = self.tx.send(delivery);
        }
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, event: Event) -> DomainResult<()> {
        self.deliver([event]);
        Ok(())
    }

    async fn publish_all(&self, events: Vec<Event>) -> DomainResult<()> {
        self.deliver(events);
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn EventStream> {
        Box::new(LocalStream(self.tx.subscribe()))
    }

    fn listen(&self, listener: Listener) -> Result<(), Listener> {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(listener);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use chat_domain::events::Actor;
    use chat_domain::ids::ConversationId;
    use chat_domain::model::SenderKind;

    fn typing(on: bool) -> Event {
        Event::Typing {
            conversation_id: ConversationId::new(),
            actor: Actor {
                kind: SenderKind::Customer,
                id: None,
            },
            on,
        }
    }

    fn on(d: &Delivery) -> Option<bool> {
        match d {
            Delivery::Event(e) => match e.as_ref() {
                Event::Typing { on, .. } => Some(*on),
                _ => None,
            },
            Delivery::Missed => None,
        }
    }

    #[tokio::test]
    async fn listeners_hear_each_event_in_order_within_publish() {
        let bus = InProcessBus::new();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let h = heard.clone();
        bus.listen(Box::new(move |d| {
            h.lock().unwrap().push(on(d));
            ControlFlow::Continue(())
        }))
        .map_err(|_| ())
        .unwrap();
        let mut sub = bus.subscribe();
        bus.publish(typing(true)).await.unwrap();
        // Heard before `publish` returned: no task involved.
        assert_eq!(*heard.lock().unwrap(), [Some(true)]);
        bus.publish_all(vec![typing(false), typing(true)])
            .await
            .unwrap();
        assert_eq!(
            *heard.lock().unwrap(),
            [Some(true), Some(false), Some(true)]
        );
        // Subscribers still get everything, in the same order.
        for want in [true, false, true] {
            assert_eq!(on(&sub.next().await.unwrap()), Some(want));
        }
    }

    #[tokio::test]
    async fn a_listener_that_breaks_or_panics_is_dropped_and_the_others_go_on() {
        let bus = InProcessBus::new();
        let count = Arc::new(Mutex::new(0));
        let c = count.clone();
        let mut calls = 0;
        bus.listen(Box::new(move |_| {
            calls += 1;
            if calls == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }))
        .map_err(|_| ())
        .unwrap();
        bus.listen(Box::new(|_| panic!("a faulty listener")))
            .map_err(|_| ())
            .unwrap();
        bus.listen(Box::new(move |_| {
            *c.lock().unwrap() += 1;
            ControlFlow::Continue(())
        }))
        .map_err(|_| ())
        .unwrap();
        for _ in 0..3 {
            bus.publish(typing(true)).await.unwrap();
        }
        assert_eq!(*count.lock().unwrap(), 3, "the sound listener heard all");
        assert_eq!(bus.listeners.lock().unwrap().len(), 1);
    }
}
