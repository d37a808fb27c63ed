use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::events::PresenceStatus;
use chat_domain::ids::UserId;
use chat_domain::ports::PresenceRegistry;

/// Presence for a single node: a map with expiry times.
#[derive(Default)]
pub struct InProcessPresence {
    entries: Mutex<HashMap<(UserId, String), (PresenceStatus, Instant)>>,
}

impl InProcessPresence {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(UserId, String), (PresenceStatus, Instant)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl PresenceRegistry for InProcessPresence {
    async fn refresh(
        &self,
        agent: UserId,
        node: &str,
        status: PresenceStatus,
        ttl: Duration,
    ) -> DomainResult<()> {
        self.lock()
            .insert((agent, node.to_owned()), (status, Instant::now() + ttl));
        Ok(())
    }

    async fn remove(&self, agent: UserId, node: &str) -> DomainResult<()> {
        self.lock().remove(&(agent, node.to_owned()));
        Ok(())
    }

    async fn live_agents(&self) -> DomainResult<Vec<(UserId, PresenceStatus)>> {
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, (_, until)| *until > now);
        let mut out: HashMap<UserId, PresenceStatus> = HashMap::new();
        for ((agent, _), (status, _)) in map.iter() {
            let merged = out
                .get(agent)
                .map_or(*status, |s| super::merge(*s, *status));
            out.insert(*agent, merged);
        }
        Ok(out.into_iter().collect())
    }
}
