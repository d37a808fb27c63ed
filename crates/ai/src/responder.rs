//! The assistant at work in conversations: streaming, one stored reply,
//! cancellation on takeover, handoff.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_domain::DomainError;
use chat_domain::events::Event;
use chat_domain::ids::ConversationId;
use chat_domain::model::{Conversation, ConversationState, Message};
use chat_domain::ports::{AssistantHook, BotActions, Delivery, EventBus};
use tokio::sync::Notify;

use crate::handoff::wants_human;
use crate::knowledge::LiveIndex;
use crate::offline::{OfflineConfig, Reply, answer};

/// How replies are delivered.
#[derive(Clone, Debug)]
pub struct ResponderConfig {
    /// Characters per streamed delta.
    pub delta_chars: usize,
    /// Pause between deltas (the offline assistant has its whole answer at
    /// once; streaming it keeps one behaviour for every provider).
    pub delta_delay: Duration,
    /// Hand off after this many unanswered questions in a row (0: never).
    pub handoff_after_misses: u32,
    /// Answer thresholds.
    pub offline: OfflineConfig,
}

impl Default for ResponderConfig {
    fn default() -> Self {
        Self {
            delta_chars: 16,
            delta_delay: Duration::from_millis(25),
            handoff_after_misses: 2,
            offline: OfflineConfig::default(),
        }
    }
}

/// A reply in progress, which a takeover can stop.
#[derive(Default)]
struct Cancel {
    done: AtomicBool,
    wake: Notify,
}

impl Cancel {
    fn cancel(&self) {
        self.done.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    fn is_cancelled(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }
}

struct Inner {
    actions: Arc<dyn BotActions>,
    index: LiveIndex,
    config: ResponderConfig,
    running: Mutex<HashMap<ConversationId, Arc<Cancel>>>,
    misses: Mutex<HashMap<ConversationId, u32>>,
}

/// Answers customers in conversations the assistant holds. Runs on the node
/// where the customer's message was stored, so one message gets one answer
/// however many nodes there are.
#[derive(Clone)]
pub struct Responder {
    inner: Arc<Inner>,
}

impl Responder {
    /// A responder answering from `index`.
    pub fn new(actions: Arc<dyn BotActions>, index: LiveIndex, config: ResponderConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                actions,
                index,
                config,
                running: Mutex::new(HashMap::new()),
                misses: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Stops replies at once when their conversation leaves the assistant
    /// (takeover, handoff, close), whichever node the change happened on.
    pub fn watch(&self, bus: Arc<dyn EventBus>) -> tokio::task::JoinHandle<()> {
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let mut events = bus.subscribe();
            while let Some(delivery) = events.next().await {
                let Delivery::Event(event) = delivery else {
                    continue;
                };
                if let Event::ConversationChanged { conversation, .. } = &*event
                    && conversation.state != ConversationState::Bot
                {
                    inner.stop(conversation.id);
                    inner.lock_misses().remove(&conversation.id);
                }
            }
        })
    }

    /// Answers one customer message (what the hook runs in the background).
    pub async fn respond(&self, conversation: Conversation, message: Message) {
        self.inner.clone().respond(conversation, message).await;
    }
}

impl AssistantHook for Responder {
    fn customer_message(&self, conversation: Conversation, message: Message) {
        let inner = self.inner.clone();
        tokio::spawn(inner.respond(conversation, message));
    }
}

impl Inner {
    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashMap<ConversationId, Arc<Cancel>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_misses(&self) -> std::sync::MutexGuard<'_, HashMap<ConversationId, u32>> {
        self.misses.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn stop(&self, id: ConversationId) {
        if let Some(c) = self.lock_running().remove(&id) {
            c.cancel();
        }
    }

    async fn respond(self: Arc<Self>, conversation: Conversation, message: Message) {
        let id = conversation.id;
        let started = Instant::now();
        if wants_human(&message.body) {
            self.stop(id);
            match self.actions.hand_off(id).await {
                Ok(()) => metrics::counter!("ai_handoffs_total", "reason" => "asked").increment(1),
                Err(e) => tracing::debug!(error = %e, conversation = %id, "handoff skipped"),
            }
            return;
        }
        // A newer question supersedes an answer still streaming.
        let cancel = Arc::new(Cancel::default());
        if let Some(previous) = self.lock_running().insert(id, cancel.clone()) {
            previous.cancel();
        }
        let index = self.index.current();
        let body = message.body.clone();
        let offline = self.config.offline.clone();
        let reply = match tokio::task::spawn_blocking(move || answer(&index, &body, &offline)).await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "answering failed");
                return;
            }
        };
        let reply_id = format!("ai-{}", uuid::Uuid::now_v7().simple());
        let text = reply.text().to_owned();
        let chars: Vec<char> = text.chars().collect();
        let mut first_delta = None;
        for piece in chars.chunks(self.config.delta_chars.max(1)) {
            if cancel.is_cancelled() {
                metrics::counter!("ai_replies_total", "outcome" => "cancelled").increment(1);
                return;
            }
            self.actions
                .publish(Event::AiDelta {
                    conversation_id: id,
                    reply_id: reply_id.clone(),
                    delta: piece.iter().collect(),
                })
                .await;
            first_delta.get_or_insert_with(|| started.elapsed());
            tokio::select! {
                () = tokio::time::sleep(self.config.delta_delay) => {}
                () = cancel.wake.notified() => {}
            }
        }
        if cancel.is_cancelled() {
            metrics::counter!("ai_replies_total", "outcome" => "cancelled").increment(1);
            return;
        }
        // Stored only if the conversation is still the assistant's at this
        // very moment (checked under its lock by the store).
        match self.actions.post_bot_reply(id, text, reply_id).await {
            Ok(_) => {
                let outcome = if matches!(reply, Reply::Answer { .. }) {
                    "answered"
                } else {
                    "no_match"
                };
                metrics::counter!("ai_replies_total", "outcome" => outcome).increment(1);
                if let Some(d) = first_delta {
                    metrics::histogram!("ai_first_delta_seconds").record(d.as_secs_f64());
                }
                metrics::histogram!("ai_reply_duration_seconds")
                    .record(started.elapsed().as_secs_f64());
            }
            Err(DomainError::Conflict(_)) => {
                metrics::counter!("ai_replies_total", "outcome" => "superseded").increment(1);
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, conversation = %id, "assistant reply not stored");
                return;
            }
        }
        {
            let mut running = self.lock_running();
            if running.get(&id).is_some_and(|c| Arc::ptr_eq(c, &cancel)) {
                running.remove(&id);
            }
        }
        let misses = {
            let mut m = self.lock_misses();
            match reply {
                Reply::Answer { .. } => {
                    m.remove(&id);
                    0
                }
                Reply::NoMatch { .. } => {
                    let n = m.entry(id).or_default();
                    *n += 1;
                    *n
                }
            }
        };
        let limit = self.config.handoff_after_misses;
        if limit > 0 && misses >= limit {
            self.lock_misses().remove(&id);
            match self.actions.hand_off(id).await {
                Ok(()) => {
                    metrics::counter!("ai_handoffs_total", "reason" => "no_answer").increment(1)
                }
                Err(e) => tracing::debug!(error = %e, conversation = %id, "handoff skipped"),
            }
        }
    }
}
