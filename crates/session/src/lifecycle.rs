//! The sweeper: closes idle conversations and raises queue alerts.
//!
//! A queued conversation in which the customer left a message while
//! support was away is not idle: it waits for the next shift, however long
//! that is, and stays queued until an agent takes it.
//!
//! Runs on every node; transitions are conditional updates in the database,
//! so two nodes sweeping at once close a conversation once. Queue alerts are
//! remembered per node, so with several nodes a supervisor may see an alert
//! once per node.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chat_domain::events::Event;
use chat_domain::ids::ConversationId;
use chat_domain::model::{ConversationState, Transition};
use chat_domain::ports::ConversationFilter;
use chat_domain::time::now;

use crate::ConversationService;

/// Timings of the sweeper.
#[derive(Clone, Debug)]
pub struct LifecycleConfig {
    /// Close open conversations with no activity for this long.
    pub idle_close_after: Duration,
    /// Alert supervisors about conversations queued for longer than this.
    pub queue_alert_after: Duration,
    /// How often to look.
    pub interval: Duration,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        Self {
            idle_close_after: Duration::from_secs(30 * 60),
            queue_alert_after: Duration::from_secs(120),
            interval: Duration::from_secs(15),
        }
    }
}

/// Starts the sweeper on the current runtime.
pub fn spawn(
    service: Arc<ConversationService>,
    config: LifecycleConfig,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut alerted: HashSet<ConversationId> = HashSet::new();
        let mut tick = tokio::time::interval(config.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            sweep(&service, &config, &mut alerted).await;
        }
    })
}

/// One pass (public for tests).
pub async fn sweep(
    service: &ConversationService,
    config: &LifecycleConfig,
    alerted: &mut HashSet<ConversationId>,
) {
    let at = now();
    let idle_before = at - chrono::Duration::from_std(config.idle_close_after).unwrap_or_default();
    let idle = service
        .store()
        .list_conversations(&ConversationFilter {
            open_only: true,
            active_before: Some(idle_before),
            // Left while support was away: waiting for the next shift.
            skip_left_messages: true,
            limit: 200,
            ..Default::default()
        })
        .await;
    match idle {
        Ok(list) => {
            for conv in list {
                match service
                    .transition_as_system(conv.id, Transition::Close)
                    .await
                {
                    Ok(_) => tracing::info!(conversation = %conv.id, "closed after inactivity"),
                    // Someone else closed or moved it meanwhile: fine.
                    Err(e) => {
                        tracing::debug!(conversation = %conv.id, error = %e, "idle close skipped")
                    }
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "idle sweep failed"),
    }
    let queued = service
        .store()
        .list_conversations(&ConversationFilter {
            state: Some(ConversationState::Queued),
            limit: 1000,
            ..Default::default()
        })
        .await;
    match queued {
        Ok(list) => {
            let still: HashSet<ConversationId> = list.iter().map(|c| c.id).collect();
            alerted.retain(|id| still.contains(id));
            for conv in list {
                let Some(since) = conv.queued_at else {
                    continue;
                };
                let waited = (at - since).num_seconds().max(0) as u64;
                if waited >= config.queue_alert_after.as_secs() && alerted.insert(conv.id) {
                    service
                        .publish(Event::QueueAlert {
                            conversation_id: conv.id,
                            waited_secs: waited,
                        })
                        .await;
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "queue sweep failed"),
    }
}
