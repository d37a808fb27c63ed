//! Event bus implementations.

mod memory;
mod redis;

pub use memory::InProcessBus;
pub use redis::{RedisBus, RedisBusError};

use std::ops::ControlFlow;
use std::sync::Arc;

use async_trait::async_trait;
use chat_domain::ports::{Delivery, EventStream, Listener};
use tokio::sync::broadcast;

/// How many deliveries a subscriber may fall behind before it is told it
/// missed some (and must resynchronize from the store).
pub const SUBSCRIBER_BACKLOG: usize = 65_536;

/// A subscription backed by a local broadcast channel.
pub(crate) struct LocalStream(pub(crate) broadcast::Receiver<Delivery>);

#[async_trait]
impl EventStream for LocalStream {
    async fn next(&mut self) -> Option<Delivery> {
        match self.0.recv().await {
            Ok(d) => Some(d),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Delivery::Missed),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// Hands `delivery` to every listener, in registration order. A listener
/// that breaks is dropped; so is one that panics (it must not take the
/// caller, a message writer or a node's subscription, down with it), and
/// the others go on.
pub(crate) fn call_listeners(listeners: &mut Vec<Listener>, delivery: &Delivery) {
    listeners.retain_mut(|listen| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| listen(delivery))) {
            Ok(ControlFlow::Continue(())) => true,
            Ok(ControlFlow::Break(())) => false,
            Err(_) => {
                tracing::error!("a bus listener panicked and was removed");
                false
            }
        }
    });
}

/// A shared, type-erased bus.
pub type SharedBus = Arc<dyn chat_domain::ports::EventBus>;
