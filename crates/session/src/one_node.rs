//! The conversation service on a single node, the way an embedding app (or
//! a test) starts it: the in-process bus and presence registry, no Redis.
//! A deployment of several nodes wires the Redis ones instead (see
//! `apps/server`).

use std::sync::Arc;

use chat_domain::ports::{EventBus, PresenceRegistry, Store};

use crate::bus::InProcessBus;
use crate::presence::InProcessPresence;
use crate::{ConversationService, MessageLog, RoutingConfig};

/// Appends grouped into one transaction at the most.
const MAX_BATCH: usize = 64;

/// The conversation use cases on one node, and the in-process bus and
/// presence registry they publish to and route by.
#[derive(Clone)]
pub struct OneNode {
    /// The bus: every event of this node, to its own subscribers.
    pub bus: Arc<dyn EventBus>,
    /// Who is online on this node.
    pub presence: Arc<dyn PresenceRegistry>,
    /// The conversation use cases, writing through a [`MessageLog`].
    pub service: Arc<ConversationService>,
}

impl OneNode {
    /// Starts the message log over `store` (one writer) and wires the
    /// service with `routing`. Must run inside a tokio runtime.
    pub fn start(store: Arc<dyn Store>, routing: RoutingConfig) -> Self {
        let bus: Arc<dyn EventBus> = Arc::new(InProcessBus::new());
        let presence: Arc<dyn PresenceRegistry> = Arc::new(InProcessPresence::new());
        let log = MessageLog::start(store.clone(), bus.clone(), MAX_BATCH);
        let service = Arc::new(ConversationService::new(
            store,
            bus.clone(),
            log,
            presence.clone(),
            routing,
        ));
        Self {
            bus,
            presence,
            service,
        }
    }
}
