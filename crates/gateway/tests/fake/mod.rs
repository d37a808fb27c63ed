//! In-memory implementations of the gateway's ports: a bus, a token
//! verifier, presence, and conversations kept in a map. Enough to run the
//! gateway alone, in tests and in the example; not a second store.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chat_domain::auth::{Principal, SessionCheck, TokenVerifier};
use chat_domain::events::{Actor, Event, PresenceStatus};
use chat_domain::ids::{ConversationId, CustomerId, MessageId, UserId};
use chat_domain::model::{
    AppendOutcome, Conversation, Message, MessageKind, SenderKind, Transition,
};
use chat_domain::ports::{
    AgentPresence, ConversationCommands, Delivery, EventBus, EventStream, RealtimeConversations,
};
use chat_domain::time::{Timestamp, now};
use chat_domain::{DomainError, DomainResult};
use tokio::sync::broadcast;

/// A bus for one process.
pub struct Bus(broadcast::Sender<Arc<Event>>);

impl Bus {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(broadcast::channel(1024).0))
    }
}

struct Subscription(broadcast::Receiver<Arc<Event>>);

#[async_trait]
impl EventStream for Subscription {
    async fn next(&mut self) -> Option<Delivery> {
        match self.0.recv().await {
            Ok(e) => Some(Delivery::Event(e)),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Delivery::Missed),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

#[async_trait]
impl EventBus for Bus {
    async fn publish(&self, event: Event) -> DomainResult<()> {
        let _ = self.0.send(Arc::new(event));
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn EventStream> {
        Box::new(Subscription(self.0.subscribe()))
    }
}

/// Tokens are `customer:<uuid>`; anything else is refused.
pub struct Tokens;

impl TokenVerifier for Tokens {
    fn verify_issued(&self, token: &str) -> DomainResult<(Principal, i64)> {
        token
            .strip_prefix("customer:")
            .and_then(|id| id.parse().ok())
            .map(|customer_id| (Principal::Customer { customer_id }, 0))
            .ok_or_else(|| DomainError::Unauthenticated("unknown token".into()))
    }
}

/// No session was ever revoked.
#[async_trait]
impl SessionCheck for Tokens {
    async fn ensure_current(&self, _user: UserId, _issued_at_ms: i64) -> DomainResult<()> {
        Ok(())
    }
}

/// Presence that only records what it was told.
#[derive(Default)]
pub struct Presence(pub Mutex<Vec<(UserId, PresenceStatus)>>);

#[async_trait]
impl AgentPresence for Presence {
    async fn connected(&self, agent: UserId) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((agent, PresenceStatus::Online));
    }

    async fn disconnected(&self, agent: UserId) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((agent, PresenceStatus::Offline));
    }

    async fn set_status(&self, agent: UserId, status: PresenceStatus) -> DomainResult<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((agent, status));
        Ok(())
    }
}

/// Conversations and their messages in a map; every customer that a token
/// names exists except those in `erased`.
pub struct Conversations {
    bus: Arc<Bus>,
    state: Mutex<HashMap<ConversationId, (Conversation, Vec<Message>)>>,
    pub erased: Mutex<Vec<CustomerId>>,
}

impl Conversations {
    pub fn new(bus: Arc<Bus>) -> Arc<Self> {
        Arc::new(Self {
            bus,
            state: Mutex::new(HashMap::new()),
            erased: Mutex::new(Vec::new()),
        })
    }

    /// A conversation of `customer` with `n` messages already stored.
    pub fn seed(&self, customer: CustomerId, n: usize) -> ConversationId {
        let conversation = Conversation::open(customer, now());
        let id = conversation.id;
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, (conversation, Vec::new()));
        for i in 0..n {
            self.store(id, SenderKind::Customer, format!("stored {}", i + 1), None);
        }
        id
    }

    fn store(
        &self,
        id: ConversationId,
        sender_kind: SenderKind,
        body: String,
        client_msg_id: Option<String>,
    ) -> Option<Message> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (conversation, messages) = state.get_mut(&id)?;
        conversation.last_seq += 1;
        let message = Message {
            id: MessageId::new(),
            conversation_id: id,
            seq: conversation.last_seq,
            sender_kind,
            sender_id: None,
            sender_name: None,
            kind: MessageKind::Text,
            body,
            attachment: None,
            event: None,
            client_msg_id,
            created_at: now(),
        };
        messages.push(message.clone());
        Some(message)
    }
}

#[async_trait]
impl ConversationCommands for Conversations {
    async fn transition(
        &self,
        _who: &Principal,
        _id: ConversationId,
        _transition: Transition,
    ) -> DomainResult<Conversation> {
        Err(DomainError::Conflict("no transitions here".into()))
    }

    async fn post(
        &self,
        who: &Principal,
        id: ConversationId,
        body: String,
        _private_note: bool,
        client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome> {
        self.visible(who, id).await?;
        let message = std::sync::Arc::new(
            self.store(id, SenderKind::Customer, body, client_msg_id)
                .ok_or(DomainError::NotFound("conversation"))?,
        );
        self.bus
            .publish(Event::MessageCreated {
                message: message.clone(),
            })
            .await?;
        Ok(AppendOutcome {
            message,
            duplicate: false,
        })
    }

    async fn post_attachment(
        &self,
        _who: &Principal,
        _id: ConversationId,
        _attachment: chat_domain::attachment::AttachmentMeta,
        _client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome> {
        Err(DomainError::Conflict("no files here".into()))
    }

    async fn snooze(
        &self,
        _who: &Principal,
        _id: ConversationId,
        _until: Option<Timestamp>,
    ) -> DomainResult<Conversation> {
        Err(DomainError::Conflict("no snoozing here".into()))
    }

    async fn rate(
        &self,
        _who: &Principal,
        _id: ConversationId,
        _score: i32,
        _comment: Option<String>,
    ) -> DomainResult<Conversation> {
        Err(DomainError::Conflict("no ratings here".into()))
    }

    async fn read_up_to(
        &self,
        who: &Principal,
        id: ConversationId,
        _up_to_seq: i64,
    ) -> DomainResult<()> {
        RealtimeConversations::visible(self, who, id)
            .await
            .map(|_| ())
    }
}

#[async_trait]
impl RealtimeConversations for Conversations {
    async fn confirm(&self, claimed: Principal) -> DomainResult<Principal> {
        match claimed {
            Principal::Customer { customer_id }
                if self
                    .erased
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .contains(&customer_id) =>
            {
                Err(DomainError::Unauthenticated(
                    "this customer session is no longer valid".into(),
                ))
            }
            other => Ok(other),
        }
    }

    async fn open(&self, customer: CustomerId) -> DomainResult<Conversation> {
        let id = self.seed(customer, 0);
        let conversation = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .map(|(c, _)| c.clone())
            .ok_or(DomainError::NotFound("conversation"))?;
        self.bus
            .publish(Event::ConversationChanged {
                conversation: conversation.clone(),
                previous_state: None,
                previous_assignee: None,
                change: chat_domain::events::ConversationChange::Opened,
                by: Actor {
                    kind: SenderKind::Customer,
                    id: Some(customer.to_string()),
                },
            })
            .await?;
        Ok(conversation)
    }

    async fn visible(&self, who: &Principal, id: ConversationId) -> DomainResult<Conversation> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match (state.get(&id), who) {
            (Some((c, _)), Principal::Customer { customer_id })
                if c.customer_id == *customer_id =>
            {
                Ok(c.clone())
            }
            (Some((c, _)), Principal::Staff { .. }) => Ok(c.clone()),
            _ => Err(DomainError::NotFound("conversation")),
        }
    }

    async fn messages_after(
        &self,
        id: ConversationId,
        after_seq: i64,
        limit: u32,
    ) -> DomainResult<Vec<Message>> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.get(&id).map_or_else(Vec::new, |(_, messages)| {
            messages
                .iter()
                .filter(|m| m.seq > after_seq)
                .take(limit as usize)
                .cloned()
                .collect()
        }))
    }

    async fn queue_position(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> DomainResult<Option<u32>> {
        self.visible(who, id).await?;
        Ok(None)
    }

    async fn typing(&self, who: &Principal, id: ConversationId, _on: bool) -> DomainResult<()> {
        self.visible(who, id).await.map(|_| ())
    }

    async fn read_positions(
        &self,
        _who: &Principal,
        _conversation: &Conversation,
    ) -> DomainResult<Vec<(Actor, i64)>> {
        // Positions are not kept here: relayed only.
        Ok(Vec::new())
    }
}
