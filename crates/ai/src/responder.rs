//! The assistant at work in conversations: streaming, one stored reply,
//! cancellation on takeover, handoff.
//!
//! ~580 lines of code: streaming, cancellation and handoff interleave on
//! one reply's life, which reads best in one file.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_domain::DomainError;
use chat_domain::events::Event;
use chat_domain::ids::ConversationId;
use chat_domain::model::{Conversation, ConversationState, Message, MessageKind, SenderKind};
use chat_domain::ports::{
    AssistantHook, BotActions, ConversationRepository, Delivery, EventBus, Listener,
};
use tokio::sync::Notify;

use crate::handoff::{explicit_request, wants_human};
use crate::knowledge::LiveIndex;
use crate::offline::{
    OfflineConfig, Reply, answer, answer_with, is_no_match, offered_titles, pick_number, picked,
};
use crate::provider::{OpenAiProvider, ProviderError, StreamItem, estimate_tokens};
use crate::text::is_chinese;

/// What produces the answers.
#[derive(Clone)]
pub enum Engine {
    /// The built-in retrieval assistant.
    Offline,
    /// A model behind an OpenAI-compatible API, grounded in retrieved passages.
    Model {
        /// The provider.
        provider: Arc<OpenAiProvider>,
        /// The persona / system prompt.
        persona: String,
        /// Token budget for the conversation turns sent as context.
        context_tokens: usize,
    },
}

/// How replies are delivered.
#[derive(Clone, Debug)]
pub struct ResponderConfig {
    /// Characters per streamed delta when the offline assistant paces its
    /// answer (`delta_delay` above zero).
    pub delta_chars: usize,
    /// Pause between deltas of an offline answer. Zero (the default): the
    /// answer, ready at once, goes out at once as one delta (a client may
    /// animate it).
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
            delta_delay: Duration::ZERO,
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
    engine: Engine,
    actions: Arc<dyn BotActions>,
    index: LiveIndex,
    config: ResponderConfig,
    running: Mutex<HashMap<ConversationId, Arc<Cancel>>>,
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
        Self::with_engine(Engine::Offline, actions, index, config)
    }

    /// A responder answering with `engine`.
    pub fn with_engine(
        engine: Engine,
        actions: Arc<dyn BotActions>,
        index: LiveIndex,
        config: ResponderConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                engine,
                actions,
                index,
                config,
                running: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Stops replies at once when their conversation leaves the assistant
    /// (takeover, handoff, close), whichever node the change happened on.
    pub fn watch(&self, bus: Arc<dyn EventBus>) -> Option<tokio::task::JoinHandle<()>> {
        let inner = self.inner.clone();
        each_event(bus, move |event| {
            if let Event::ConversationChanged { conversation, .. } = event
                && conversation.state != ConversationState::Bot
            {
                inner.stop(conversation.id);
            }
        })
    }

    /// Answers every customer text stored on any node while the assistant
    /// holds its conversation: how an assistant worker of a split deployment
    /// (`CHAT_ROLES`) hears of messages the gateway nodes stored. The
    /// conversation is read back from `conversations`, as it is now, so a
    /// message that arrives after a takeover is left to the person.
    ///
    /// Use this or [`AssistantHook`] (the in-process call from
    /// `ConversationService`), not both: each would answer.
    pub fn follow(
        &self,
        bus: Arc<dyn EventBus>,
        conversations: Arc<dyn ConversationRepository>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let inner = self.inner.clone();
        each_event(bus, move |event| {
            let Event::MessageCreated { message } = event else {
                return;
            };
            if message.sender_kind != SenderKind::Customer || message.kind != MessageKind::Text {
                return;
            }
            let (inner, conversations, message) = (
                inner.clone(),
                conversations.clone(),
                Message::clone(message),
            );
            tokio::spawn(async move {
                match conversations
                    .conversation_by_id(message.conversation_id)
                    .await
                {
                    Ok(Some(conversation)) if conversation.state == ConversationState::Bot => {
                        inner.respond(conversation, message).await;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(
                        error = %e,
                        conversation = %message.conversation_id,
                        "assistant: conversation not readable; message left unanswered"
                    ),
                }
            });
        })
    }

    /// Answers one customer message (what the hook runs in the background).
    pub async fn respond(&self, conversation: Conversation, message: Message) {
        self.inner.clone().respond(conversation, message).await;
    }
}

/// Runs `on_event` on each event `bus` delivers until the bus closes:
/// inside the publisher's call when the bus can do that (nothing to wake per
/// event), otherwise in a task of its own (returned). Notices of missed
/// events are skipped: a missed takeover at worst lets a reply stream on
/// (the store still refuses to keep it), a missed message goes unanswered,
/// and there is nothing to re-read. `on_event` must not block.
fn each_event(
    bus: Arc<dyn EventBus>,
    mut on_event: impl FnMut(&Event) + Send + 'static,
) -> Option<tokio::task::JoinHandle<()>> {
    let listener: Listener = Box::new(move |delivery| {
        if let Delivery::Event(event) = delivery {
            on_event(event);
        }
        ControlFlow::Continue(())
    });
    chat_domain::ports::listen(bus.as_ref(), listener).map(tokio::spawn)
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

    fn stop(&self, id: ConversationId) {
        if let Some(c) = self.lock_running().remove(&id) {
            c.cancel();
        }
    }

    async fn respond(self: Arc<Self>, conversation: Conversation, message: Message) {
        let id = conversation.id;
        let started = Instant::now();
        // Offline, the recognizer decides; in front of a model only an
        // explicit request does (the model hears the rest and may call
        // `transfer_to_human`). Explicit requests work with the provider down.
        let asks = match &self.engine {
            Engine::Offline => wants_human(&message.body),
            Engine::Model { .. } => explicit_request(&message.body),
        };
        if asks {
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
        let mut turn = Turn {
            id,
            message,
            reply_id: format!("ai-{}", uuid::Uuid::now_v7().simple()),
            cancel: cancel.clone(),
            started,
            first_delta: None,
        };
        let produced = match &self.engine {
            Engine::Offline => self.offline_reply(&mut turn).await,
            Engine::Model {
                provider,
                persona,
                context_tokens,
            } => {
                self.model_reply(&mut turn, provider, persona, *context_tokens)
                    .await
            }
        };
        let Some(Produced {
            text,
            answered,
            hands_off,
        }) = produced
        else {
            return;
        };
        if cancel.is_cancelled() {
            metrics::counter!("ai_replies_total", "outcome" => "cancelled").increment(1);
            return;
        }
        // Stored only if the conversation is still the assistant's at this
        // very moment (checked under its lock by the store).
        match self.actions.post_bot_reply(id, text, turn.reply_id).await {
            Ok(_) => {
                let outcome = if answered { "answered" } else { "no_match" };
                metrics::counter!("ai_replies_total", "outcome" => outcome).increment(1);
                if let Some(d) = turn.first_delta {
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
        if hands_off {
            match self.actions.hand_off(id).await {
                Ok(()) => {
                    metrics::counter!("ai_handoffs_total", "reason" => "no_answer").increment(1)
                }
                Err(e) => tracing::debug!(error = %e, conversation = %id, "handoff skipped"),
            }
        }
    }

    /// The offline assistant's answer, streamed in pieces.
    async fn offline_reply(&self, turn: &mut Turn) -> Option<Produced> {
        let message = &turn.message;
        let index = self.index.ready(crate::knowledge::READY_WAIT).await;
        // A number that picks one of the titles just offered asks that
        // title (which answers from its document: `offline::is_title`).
        // The offer is read back from the conversation's history, so a pick
        // is understood on whichever node gets it, after a restart too;
        // only a message that is a bare number costs that read.
        let offered = match pick_number(&message.body) {
            Some(_) => self.offered_before(turn.id, message.seq).await,
            None => None,
        };
        let body = offered
            .as_deref()
            .and_then(|titles| picked(&message.body, titles))
            .map_or_else(|| message.body.clone(), str::to_owned);
        let vector = self.index.question_vector(&index, &body).await;
        let asked = body.clone();
        let offline = self.config.offline.clone();
        let reply = match tokio::task::spawn_blocking(move || {
            answer_with(&index, &body, vector.as_deref(), &offline)
        })
        .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "answering failed");
                return None;
            }
        };
        // The miss that hands off says so rather than offering a person.
        // Only a miss reads the history to count the ones before it.
        let handing_over =
            matches!(reply, Reply::NoMatch { .. }) && self.miss_hands_off(turn.id).await;
        let reply = if handing_over {
            reply.handing_over(&asked)
        } else {
            reply
        };
        let text = reply.text().to_owned();
        let chars: Vec<char> = text.chars().collect();
        let piece_len = if self.config.delta_delay.is_zero() {
            chars.len().max(1)
        } else {
            self.config.delta_chars.max(1)
        };
        for piece in chars.chunks(piece_len) {
            if turn.cancel.is_cancelled() {
                metrics::counter!("ai_replies_total", "outcome" => "cancelled").increment(1);
                return None;
            }
            self.delta(turn, piece.iter().collect(), false).await;
            turn.delivered();
            if self.config.delta_delay.is_zero() {
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(self.config.delta_delay) => {}
                () = turn.cancel.wake.notified() => {}
            }
        }
        Some(Produced {
            text,
            answered: matches!(reply, Reply::Answer { .. }),
            hands_off: handing_over,
        })
    }

    /// Whether a miss now makes `handoff_after_misses` in a row: the
    /// assistant's replies since the last answer, agent message or notice
    /// are read back from the conversation's history ([`misses_before`]),
    /// so the count holds on whichever node answers, after a restart too,
    /// and nothing is kept per conversation. `false` when the history
    /// cannot be read (the customer can still ask for a person).
    async fn miss_hands_off(&self, id: ConversationId) -> bool {
        let limit = self.config.handoff_after_misses;
        if limit <= 1 {
            return limit == 1;
        }
        // The misses before this one, a customer message before each, and
        // room for a few more customer messages.
        let lookback = limit
            .saturating_mul(2)
            .saturating_add(OFFER_LOOKBACK)
            .min(MISS_LOOKBACK_MAX);
        match self.actions.recent_messages(id, lookback).await {
            Ok(recent) => misses_before(&recent) + 1 >= limit as usize,
            Err(e) => {
                tracing::debug!(error = %e, conversation = %id, "history unreadable; no handoff");
                false
            }
        }
    }

    /// The titles the assistant's latest reply before message `seq`
    /// offered, if that reply was a "not sure" with titles
    /// ([`last_offer`]); `None` when the history cannot be read (the
    /// number is then an ordinary question).
    async fn offered_before(&self, id: ConversationId, seq: i64) -> Option<Vec<String>> {
        match self.actions.recent_messages(id, OFFER_LOOKBACK).await {
            Ok(recent) => last_offer(&recent, seq),
            Err(e) => {
                tracing::debug!(error = %e, conversation = %id, "history unreadable; no pick");
                None
            }
        }
    }

    /// A model's answer, grounded in the best passages and the recent turns,
    /// streamed as it arrives. A `transfer_to_human` call hands off; a
    /// failure ends in a polite fallback that offers a person.
    async fn model_reply(
        &self,
        turn: &mut Turn,
        provider: &Arc<OpenAiProvider>,
        persona: &str,
        context_tokens: usize,
    ) -> Option<Produced> {
        // Owned: `turn` is lent to each delta while the question is still
        // needed for the fallback.
        let (id, cancel, question) = (turn.id, turn.cancel.clone(), turn.message.body.clone());
        let zh = is_chinese(&question);
        let index = self.index.ready(crate::knowledge::READY_WAIT).await;
        let vector = self.index.question_vector(&index, &question).await;
        let hits = index.search_with(&question, vector.as_deref(), 3);
        let mut system = persona.to_owned();
        if !hits.is_empty() {
            system.push_str("\n\nAnswer from these knowledge-base passages when they are relevant, and name the source title:\n");
            for h in &hits {
                system.push_str(&format!("\n[{}] {}: {}", h.doc_id, h.title, h.passage));
            }
        }
        let recent = self
            .actions
            .recent_messages(id, 30)
            .await
            .unwrap_or_default();
        let messages = build_context(&system, &recent, context_tokens);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let provider = provider.clone();
        let task = tokio::spawn(async move {
            let tx2 = tx.clone();
            let result = provider
                .stream(&messages, move |item| {
                    let _ = tx2.send(Ok(item));
                })
                .await;
            if let Err(e) = result {
                let _ = tx.send(Err(e));
            }
        });
        let mut text = String::new();
        let mut failure = None;
        loop {
            let item = tokio::select! {
                item = rx.recv() => item,
                () = cancel.wake.notified() => None,
            };
            if cancel.is_cancelled() {
                task.abort();
                metrics::counter!("ai_replies_total", "outcome" => "cancelled").increment(1);
                return None;
            }
            match item {
                None => break,
                Some(Ok(StreamItem::Delta(d))) => {
                    text.push_str(&d);
                    self.delta(turn, d, false).await;
                    turn.delivered();
                }
                Some(Ok(StreamItem::Handoff)) => {
                    task.abort();
                    match self.actions.hand_off(id).await {
                        Ok(()) => {
                            metrics::counter!("ai_handoffs_total", "reason" => "model").increment(1)
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, conversation = %id, "handoff skipped")
                        }
                    }
                    return None;
                }
                Some(Ok(StreamItem::Usage { prompt, completion })) => {
                    metrics::counter!("ai_tokens_total", "kind" => "prompt").increment(prompt);
                    metrics::counter!("ai_tokens_total", "kind" => "completion")
                        .increment(completion);
                }
                Some(Err(e)) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        match failure {
            None if !text.trim().is_empty() => Some(Produced {
                text,
                answered: true,
                hands_off: false,
            }),
            other => {
                if let Some(e) = &other {
                    tracing::warn!(error = %e, conversation = %id, "model reply failed; sending the fallback");
                }
                metrics::counter!("ai_provider_errors_total", "kind" => error_kind(other.as_ref()))
                    .increment(1);
                // The offline assistant's answer when it is sure of one (the
                // provider being down is no reason to know less), else an
                // honest apology that offers a person. Never after a
                // moderation refusal: that question gets no passage.
                let offline = match other {
                    Some(ProviderError::Moderation) => None,
                    _ => match answer(&self.index.current(), &question, &self.config.offline) {
                        Reply::Answer { text, .. } => Some(text),
                        Reply::NoMatch { .. } => None,
                    },
                };
                let answered = offline.is_some();
                let reply = offline.unwrap_or_else(|| fallback(zh, other.as_ref()));
                // Whatever was streamed is abandoned: the fallback replaces
                // the draft (`reset`), it is not appended to half an answer.
                let reset = !text.is_empty();
                self.delta(turn, reply.clone(), reset).await;
                // Counted after the apology went out, so it is not delayed.
                let hands_off = !answered && self.miss_hands_off(id).await;
                Some(Produced {
                    text: reply,
                    answered,
                    hands_off,
                })
            }
        }
    }

    async fn delta(&self, turn: &Turn, delta: String, reset: bool) {
        self.actions
            .publish(Event::AiDelta {
                conversation_id: turn.id,
                reply_id: turn.reply_id.clone(),
                delta,
                reset,
            })
            .await;
    }
}

/// How many of the latest messages are read to find the offer a pick
/// answers: the offer, the pick, and a few customer messages sent in
/// between (one whose reply has not been stored yet).
const OFFER_LOOKBACK: u32 = 8;

/// The titles offered by the latest message before `seq` that was not the
/// customer's (nor a private note, which the customer never saw), if that
/// message is the assistant's "not sure" reply with titles. An answer, a
/// notice (a handoff, a takeover), or an agent's message after the offer
/// means a number no longer picks from it.
fn last_offer(recent: &[Message], seq: i64) -> Option<Vec<String>> {
    recent
        .iter()
        .rev()
        .filter(|m| m.seq < seq)
        .find(|m| m.sender_kind != SenderKind::Customer && m.kind != MessageKind::PrivateNote)
        .filter(|m| m.sender_kind == SenderKind::Bot && m.kind == MessageKind::Text)
        .and_then(|m| offered_titles(&m.body))
}

/// Most messages read to count the misses in a row, whatever
/// `handoff_after_misses` asks for.
const MISS_LOOKBACK_MAX: u32 = 100;

/// How many of the assistant's replies in a row were misses, counting back
/// from the latest stored message: customer messages and private notes are
/// passed over, and the count stops at anything else (an answer, an
/// agent's message, a notice such as a handoff or takeover).
fn misses_before(recent: &[Message]) -> usize {
    recent
        .iter()
        .rev()
        .filter(|m| m.sender_kind != SenderKind::Customer && m.kind != MessageKind::PrivateNote)
        .take_while(|m| {
            m.sender_kind == SenderKind::Bot && m.kind == MessageKind::Text && is_miss(&m.body)
        })
        .count()
}

/// A reply that answered nothing: the offline assistant's "not found" or
/// "not sure", or the apology sent when a model could not answer.
fn is_miss(body: &str) -> bool {
    is_no_match(body)
        || [true, false].into_iter().any(|zh| {
            [None, Some(&ProviderError::Moderation)]
                .into_iter()
                .any(|e| fallback(zh, e) == body)
        })
}

/// One reply in the making: the message it answers, its id (the final
/// message's client id, tying it to its deltas), how to stop it, and its
/// timings.
struct Turn {
    id: ConversationId,
    message: Message,
    reply_id: String,
    cancel: Arc<Cancel>,
    started: Instant,
    /// When the first delta went out, after `started`.
    first_delta: Option<Duration>,
}

impl Turn {
    /// A delta went out: the first one's latency is kept.
    fn delivered(&mut self) {
        let started = self.started;
        self.first_delta.get_or_insert_with(|| started.elapsed());
    }
}

struct Produced {
    text: String,
    answered: bool,
    /// This miss makes `handoff_after_misses` in a row: hand off once it
    /// is stored.
    hands_off: bool,
}

/// System prompt, then as many of the latest turns as fit the budget
/// (oldest dropped first); private notes and notices are not context.
pub fn build_context(system: &str, recent: &[Message], budget: usize) -> Vec<serde_json::Value> {
    use chat_domain::model::{MessageKind, SenderKind};
    let mut turns: Vec<serde_json::Value> = Vec::new();
    let mut used = 0;
    for m in recent.iter().rev() {
        if m.kind != MessageKind::Text {
            continue;
        }
        let role = match m.sender_kind {
            SenderKind::Customer => "user",
            SenderKind::Bot | SenderKind::Agent => "assistant",
            SenderKind::System => continue,
        };
        let cost = estimate_tokens(&m.body);
        if used + cost > budget && !turns.is_empty() {
            break;
        }
        used += cost;
        turns.push(serde_json::json!({ "role": role, "content": m.body }));
    }
    turns.reverse();
    // A trimmed history must start with a question: an assistant turn with
    // nothing before it reads as the model talking to itself.
    let first_user = turns
        .iter()
        .position(|t| t["role"] == "user")
        .unwrap_or(turns.len());
    turns.drain(..first_user);
    let mut out = vec![serde_json::json!({ "role": "system", "content": system })];
    out.extend(turns);
    out
}

fn error_kind(e: Option<&ProviderError>) -> &'static str {
    match e {
        None => "empty",
        Some(ProviderError::Moderation) => "moderation",
        Some(ProviderError::RateLimited) => "rate_limited",
        Some(ProviderError::Unavailable(_)) => "unavailable",
        Some(ProviderError::Refused(_)) => "refused",
        Some(ProviderError::CircuitOpen) => "circuit_open",
    }
}

/// What the customer reads when the model cannot answer: never silence.
pub fn fallback(zh: bool, e: Option<&ProviderError>) -> String {
    match (zh, e) {
        (true, Some(ProviderError::Moderation)) => "抱歉，这个问题我无法回答。需要为您转接人工客服吗？回复“转人工”即可。".into(),
        (true, _) => "抱歉，我暂时无法回答，请稍后再试。也可以回复“转人工”，由人工客服为您服务。".into(),
        (false, Some(ProviderError::Moderation)) => {
            "Sorry, I can't help with that one. Would you like to talk to a person? Just type \"human\".".into()
        }
        (false, _) => "Sorry, I can't answer right now. Please try again in a moment, or type \"human\" to talk to a person.".into(),
    }
}

#[cfg(test)]
mod tests {
    use chat_domain::ids::{ConversationId, MessageId};
    use chat_domain::model::{Message, MessageKind, SenderKind};

    use super::{build_context, fallback, last_offer, misses_before};

    fn msg(kind: SenderKind, body: &str) -> Message {
        Message {
            id: MessageId::new(),
            conversation_id: ConversationId::new(),
            seq: 1,
            sender_kind: kind,
            sender_id: None,
            sender_name: None,
            kind: MessageKind::Text,
            body: body.to_owned(),
            client_msg_id: None,
            attachment: None,
            event: None,
            created_at: chat_domain::time::now(),
        }
    }

    /// `(sender, kind, body)` as a conversation's messages, seq 1, 2, 3…
    fn history(rows: &[(SenderKind, MessageKind, &str)]) -> Vec<Message> {
        rows.iter()
            .enumerate()
            .map(|(i, (sender, kind, body))| Message {
                seq: i as i64 + 1,
                kind: *kind,
                ..msg(*sender, body)
            })
            .collect()
    }

    #[test]
    fn a_pick_reads_the_offer_from_the_latest_reply_before_it() {
        use MessageKind::{Event, PrivateNote, Text};
        use SenderKind::{Agent, Bot, Customer, System};
        let offer = "Sorry, I'm not sure which of these you mean:\n1. Gift cards\n2. Payment failed\n\n\
                     Reply with a number or a title to read it. If none of them fits, ask in other words, \
                     or type \"human\" and I'll connect you with a person.";
        let titles = Some(vec!["Gift cards".to_owned(), "Payment failed".to_owned()]);
        let asked = (Customer, Text, "payment?");
        let pick = (Customer, Text, "2");
        // The offer, then the pick (seq 3): and with customer messages or
        // a private note in between, or messages after the pick.
        let h = history(&[asked, (Bot, Text, offer), pick]);
        assert_eq!(last_offer(&h, 3), titles);
        let h = history(&[
            asked,
            (Bot, Text, offer),
            (Customer, Text, "hmm"),
            (Agent, PrivateNote, "watch this one"),
            pick,
            (Bot, Text, "an answer"),
        ]);
        assert_eq!(last_offer(&h, 5), titles);
        // Nothing offered, or the offer answered, or a handoff or an agent
        // after it: the number is a question.
        let after = |m| history(&[asked, (Bot, Text, offer), m, pick]);
        assert_eq!(last_offer(&history(&[pick]), 1), None);
        assert_eq!(
            last_offer(&after((Bot, Text, "x\n\n(Source: Gift cards)")), 4),
            None
        );
        assert_eq!(last_offer(&after((System, Event, "queued")), 4), None);
        assert_eq!(last_offer(&after((Agent, Text, "hello")), 4), None);
        // An offer only counts from the assistant.
        let h = history(&[(Agent, Text, offer), pick]);
        assert_eq!(last_offer(&h, 2), None);
    }

    #[test]
    fn misses_in_a_row_are_counted_back_to_the_last_answer_agent_or_notice() {
        use MessageKind::{Event, PrivateNote, Text};
        use SenderKind::{Agent, Bot, Customer, System};
        let not_found = "Sorry, I couldn't find an answer to that in our help center. You can rephrase the question, \
                         or type \"human\" and I'll connect you with a person.";
        let unsure = "抱歉，我不确定您问的是哪一个。您是想了解：\n1. 退货运费\n\n\
                      回复序号或标题即可查看；都不是的话，可以换个说法再问，或者回复“转人工”，我为您转接人工客服。";
        let sorry = fallback(false, None);
        let q = (Customer, Text, "?");
        let answer = (Bot, Text, "Send it back.\n\n(Source: Returns)");
        assert_eq!(misses_before(&history(&[q])), 0);
        assert_eq!(misses_before(&history(&[q, (Bot, Text, not_found), q])), 1);
        // Customer messages and private notes in between don't matter;
        // a model's apology is a miss too.
        let h = history(&[
            q,
            (Bot, Text, unsure),
            q,
            (Agent, PrivateNote, "watch this one"),
            q,
            (Bot, Text, &sorry),
            q,
        ]);
        assert_eq!(misses_before(&h), 2);
        // An answer, an agent's message or a notice ends the run.
        for stop in [answer, (Agent, Text, "hello"), (System, Event, "queued")] {
            let h = history(&[q, (Bot, Text, not_found), stop, q, (Bot, Text, unsure), q]);
            assert_eq!(misses_before(&h), 1, "{stop:?}");
            let h = history(&[q, (Bot, Text, not_found), q, stop, q]);
            assert_eq!(misses_before(&h), 0, "{stop:?}");
        }
        // The same words from an agent are not the assistant's miss.
        assert_eq!(
            misses_before(&history(&[q, (Agent, Text, not_found), q])),
            0
        );
    }

    #[test]
    fn trimmed_history_starts_with_a_question() {
        let long = "word ".repeat(40);
        let recent = vec![
            msg(SenderKind::Customer, &long),
            msg(SenderKind::Bot, "an answer to the first question"),
            msg(SenderKind::Customer, "and the second?"),
        ];
        // The budget drops the first question but would keep its answer.
        let ctx = build_context("system", &recent, 30);
        assert_eq!(ctx[0]["role"], "system");
        assert_eq!(ctx[1]["role"], "user", "{ctx:?}");
        assert_eq!(ctx.len(), 2);
        // With room for everything, nothing is dropped.
        assert_eq!(build_context("system", &recent, 10_000).len(), 4);
    }
}
