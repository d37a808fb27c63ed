use std::sync::Arc;

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::events::Event;
use chat_domain::ports::{Delivery, EventBus, EventStream};
use tokio::sync::broadcast;

use super::{LocalStream, SUBSCRIBER_BACKLOG};

/// The single-node bus: a tokio broadcast channel. Publishing never blocks; a
/// subscriber that falls more than [`SUBSCRIBER_BACKLOG`] behind is told it
/// missed events.
#[derive(Clone)]
pub struct InProcessBus {
    tx: broadcast::Sender<Delivery>,
}

impl InProcessBus {
    /// A new, empty bus.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(SUBSCRIBER_BACKLOG);
        Self { tx }
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
        // No subscriber is not an error: nobody is listening on this node.
        let _ = self.tx.send(Delivery::Event(Arc::new(event)));
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn EventStream> {
        Box::new(LocalStream(self.tx.subscribe()))
    }
}
