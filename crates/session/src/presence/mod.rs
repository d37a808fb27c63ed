//! Presence registries: which agents are connected, on any node.
//!
//! Each node reports, per agent it holds sockets for, `(agent, node) →
//! status` with an expiry, and refreshes it while the sockets live; a
//! crashed node stops refreshing and its agents expire. An agent is live
//! while any node has an unexpired entry; `online` on any node wins over
//! `away`.
//!
//! [`NodePresence`] is one node's side of it (the gateway's
//! [`AgentPresence`](chat_domain::ports::AgentPresence)): it writes the
//! entries of the agents connected there, refreshes them and announces
//! every change on the bus.

mod memory;
mod node;
pub(crate) mod redis;

pub use memory::InProcessPresence;
pub use node::NodePresence;
pub use redis::RedisPresence;

use chat_domain::events::PresenceStatus;

/// Combines the statuses several nodes report for one agent.
pub(crate) fn merge(a: PresenceStatus, b: PresenceStatus) -> PresenceStatus {
    use PresenceStatus::*;
    match (a, b) {
        (Online, _) | (_, Online) => Online,
        (Away, _) | (_, Away) => Away,
        _ => Offline,
    }
}
