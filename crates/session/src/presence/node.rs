//! This node's side of presence: the status of each agent connected here,
//! written to the shared [`PresenceRegistry`] and refreshed before it
//! expires, and every change announced on the bus.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chat_domain::events::{Event, PresenceStatus};
use chat_domain::ids::UserId;
use chat_domain::ports::{AgentPresence, EventBus, PresenceRegistry};
use chat_domain::{DomainError, DomainResult};

use crate::logs::LogGate;

/// The presence of the agents connected to one node (see the module docs).
pub struct NodePresence {
    registry: Arc<dyn PresenceRegistry>,
    bus: Arc<dyn EventBus>,
    /// This node's name in the registry (unique per process).
    node_id: String,
    /// Entries expire after this unless refreshed.
    ttl: Duration,
    /// Status of each agent connected here (online unless they said away).
    statuses: Mutex<HashMap<UserId, PresenceStatus>>,
    /// Live agents across all nodes at the last refresh, to notice agents
    /// whose node died (their entries expire; nobody says goodbye for them).
    last_live: Mutex<HashMap<UserId, PresenceStatus>>,
}

impl NodePresence {
    /// Starts this node's presence: entries written under `node_id` live for
    /// `ttl` and are refreshed every third of it by a task on the current
    /// runtime, which ends when the returned value is dropped.
    pub fn start(
        registry: Arc<dyn PresenceRegistry>,
        bus: Arc<dyn EventBus>,
        node_id: String,
        ttl: Duration,
    ) -> Arc<Self> {
        let presence = Arc::new(Self {
            registry,
            bus,
            node_id,
            ttl,
            statuses: Mutex::new(HashMap::new()),
            last_live: Mutex::new(HashMap::new()),
        });
        let weak = Arc::downgrade(&presence);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(ttl / 3);
            loop {
                tick.tick().await;
                let Some(presence) = weak.upgrade() else {
                    return;
                };
                presence.refresh().await;
            }
        });
        presence
    }

    fn statuses(&self) -> MutexGuard<'_, HashMap<UserId, PresenceStatus>> {
        self.statuses.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn announce(&self, agent_id: UserId, status: PresenceStatus) {
        if let Err(e) = self.bus.publish(Event::Presence { agent_id, status }).await {
            tracing::warn!(error = %e, "presence not published");
        }
    }

    /// Writes this node's entry for an agent, valid for the TTL.
    async fn report(&self, agent: UserId, status: PresenceStatus) {
        if let Err(e) = self
            .registry
            .refresh(agent, &self.node_id, status, self.ttl)
            .await
        {
            // Every agent's heartbeat fails while Redis is down.
            static GATE: LogGate = LogGate::new(Duration::from_secs(10));
            if let Some(held_back) = GATE.pass() {
                tracing::warn!(error = %e, held_back, "presence not refreshed");
            }
        }
    }

    /// Refreshes this node's entries and announces agents that vanished
    /// without a goodbye (their node crashed). Every node may notice it; the
    /// event is idempotent.
    async fn refresh(&self) {
        let entries: Vec<(UserId, PresenceStatus)> =
            self.statuses().iter().map(|(a, s)| (*a, *s)).collect();
        for (agent, status) in entries {
            self.report(agent, status).await;
        }
        let Ok(live) = self.registry.live_agents().await else {
            return;
        };
        let live: HashMap<UserId, PresenceStatus> = live.into_iter().collect();
        let gone: Vec<UserId> = {
            let mut last = self.last_live.lock().unwrap_or_else(|p| p.into_inner());
            let gone = last
                .keys()
                .filter(|a| !live.contains_key(a))
                .copied()
                .collect();
            *last = live;
            gone
        };
        for agent in gone {
            self.announce(agent, PresenceStatus::Offline).await;
        }
    }
}

#[async_trait]
impl AgentPresence for NodePresence {
    async fn connected(&self, agent: UserId) {
        let first = match self.statuses().entry(agent) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(PresenceStatus::Online);
                true
            }
        };
        if first {
            self.report(agent, PresenceStatus::Online).await;
            self.announce(agent, PresenceStatus::Online).await;
        }
    }

    async fn disconnected(&self, agent: UserId) {
        self.statuses().remove(&agent);
        if let Err(e) = self.registry.remove(agent, &self.node_id).await {
            tracing::warn!(error = %e, "presence not removed");
        }
        // Still connected on another node? Then say what the others say.
        let status = match self.registry.live_agents().await {
            Ok(live) => live
                .into_iter()
                .find(|(a, _)| *a == agent)
                .map_or(PresenceStatus::Offline, |(_, s)| s),
            Err(_) => PresenceStatus::Offline,
        };
        self.announce(agent, status).await;
    }

    async fn set_status(&self, agent: UserId, status: PresenceStatus) -> DomainResult<()> {
        if status == PresenceStatus::Offline {
            return Err(DomainError::invalid(
                "status",
                "must be online or away (disconnect to go offline)",
            ));
        }
        self.statuses().insert(agent, status);
        self.report(agent, status).await;
        self.announce(agent, status).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::InProcessBus;
    use crate::presence::InProcessPresence;
    use chat_domain::ports::Delivery;

    async fn next_presence(
        events: &mut Box<dyn chat_domain::ports::EventStream>,
    ) -> (UserId, PresenceStatus) {
        loop {
            let delivery = tokio::time::timeout(Duration::from_secs(2), events.next())
                .await
                .expect("an event in time")
                .expect("the bus is open");
            if let Delivery::Event(e) = delivery
                && let Event::Presence { agent_id, status } = *e
            {
                return (agent_id, status);
            }
        }
    }

    #[tokio::test]
    async fn sockets_coming_and_going_are_announced_and_registered() {
        let registry: Arc<dyn PresenceRegistry> = Arc::new(InProcessPresence::new());
        let bus: Arc<dyn EventBus> = Arc::new(InProcessBus::new());
        let mut events = bus.subscribe();
        let here = NodePresence::start(
            registry.clone(),
            bus.clone(),
            "a".into(),
            Duration::from_secs(30),
        );
        let agent = UserId::new();
        here.connected(agent).await;
        assert_eq!(
            next_presence(&mut events).await,
            (agent, PresenceStatus::Online)
        );
        // A second socket of the same agent changes nothing.
        here.connected(agent).await;
        here.set_status(agent, PresenceStatus::Away).await.unwrap();
        assert_eq!(
            next_presence(&mut events).await,
            (agent, PresenceStatus::Away)
        );
        assert_eq!(
            registry.live_agents().await.unwrap(),
            [(agent, PresenceStatus::Away)]
        );
        assert!(matches!(
            here.set_status(agent, PresenceStatus::Offline).await,
            Err(DomainError::Validation { .. })
        ));

        // Connected on another node too: leaving this one says what the
        // other one reports.
        let there = NodePresence::start(registry.clone(), bus, "b".into(), Duration::from_secs(30));
        there.connected(agent).await;
        assert_eq!(
            next_presence(&mut events).await,
            (agent, PresenceStatus::Online)
        );
        here.disconnected(agent).await;
        assert_eq!(
            next_presence(&mut events).await,
            (agent, PresenceStatus::Online)
        );
        there.disconnected(agent).await;
        assert_eq!(
            next_presence(&mut events).await,
            (agent, PresenceStatus::Offline)
        );
        assert!(registry.live_agents().await.unwrap().is_empty());
    }
}
