//! The conversations this node has read, kept for the per-message access
//! check (is this sender allowed to write here?), so that a message costs one
//! write and no read.
//!
//! Kept current by the bus: every change of state or assignee is published
//! as `ConversationChanged` (from whichever node made it) and replaces the
//! entry; a lost event (`Delivery::Missed`) empties the cache. An entry can
//! still be a few milliseconds old, so nothing that matters is decided on it
//! alone: the append transaction re-checks, under the conversation's lock,
//! that it is not closed and that an agent replying still holds it
//! (`NewMessage::required_assignee`), and transitions read the database.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, RwLock};

use chat_domain::events::Event;
use chat_domain::ids::ConversationId;
use chat_domain::model::Conversation;
use chat_domain::ports::{Delivery, EventBus, Listener};

/// Most entries kept; past it the cache starts over (cheap, and rare: a
/// node serves far fewer live conversations).
const CAPACITY: usize = 100_000;

/// See the module documentation.
#[derive(Default)]
pub struct ConversationCache {
    entries: RwLock<HashMap<ConversationId, Conversation>>,
}

impl ConversationCache {
    /// An empty cache that follows `bus`: inline when the bus can call
    /// listeners ([`chat_domain::ports::EventBus::listen`]), otherwise on a
    /// task (when a runtime is there to run it; without one it stays empty
    /// and every lookup misses).
    pub fn following(bus: &Arc<dyn EventBus>) -> Arc<Self> {
        let cache = Arc::new(Self::default());
        let weak = Arc::downgrade(&cache);
        let listener: Listener = Box::new(move |delivery| {
            let Some(cache) = weak.upgrade() else {
                return ControlFlow::Break(());
            };
            match delivery {
                Delivery::Event(e) => {
                    if let Event::ConversationChanged { conversation, .. }
                    | Event::CsatSubmitted { conversation } = e.as_ref()
                    {
                        cache.refresh(conversation);
                    }
                }
                Delivery::Missed => cache.clear(),
            }
            ControlFlow::Continue(())
        });
        // A bus that needs a task is followed only where a runtime runs it.
        if let Some(follow) = chat_domain::ports::listen(bus.as_ref(), listener)
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(follow);
        }
        cache
    }

    /// The cached conversation, if any.
    pub fn get(&self, id: ConversationId) -> Option<Conversation> {
        self.entries
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    /// Stores what was just read from the database, unless an event already
    /// brought a newer version (a read can start before a change commits
    /// and finish after its event arrived).
    pub fn put(&self, conversation: &Conversation) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries
            .get(&conversation.id)
            .is_some_and(|c| c.times.updated_at > conversation.times.updated_at)
        {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(conversation.id, conversation.clone());
    }

    /// Replaces an entry with a newer version (events from several nodes may
    /// arrive out of order: an older one never overwrites a newer one).
    /// Conversations this node never read are not added.
    pub fn refresh(&self, conversation: &Conversation) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if let Some(current) = entries.get_mut(&conversation.id)
            && current.times.updated_at <= conversation.times.updated_at
        {
            *current = conversation.clone();
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_domain::ids::{CustomerId, UserId};
    use chat_domain::model::ConversationState;
    use chrono::Duration;

    #[test]
    fn newer_versions_win() {
        let cache = ConversationCache::default();
        let mut c = Conversation::open(CustomerId::new(), chat_domain::time::now());
        cache.refresh(&c);
        assert!(cache.get(c.id).is_none(), "only what was read is kept");
        cache.put(&c);
        let mut newer = c.clone();
        newer.state = ConversationState::Human;
        newer.assignee_id = Some(UserId::new());
        newer.times.updated_at += Duration::seconds(1);
        cache.refresh(&newer);
        c.state = ConversationState::Closed;
        cache.refresh(&c);
        assert_eq!(cache.get(c.id).unwrap().state, ConversationState::Human);
        let mut older = c.clone();
        older.times.updated_at -= Duration::seconds(5);
        cache.put(&older);
        assert_eq!(
            cache.get(c.id).unwrap().state,
            ConversationState::Human,
            "an older read does not overwrite a newer event"
        );
        cache.clear();
        assert!(cache.get(c.id).is_none());
    }
}
