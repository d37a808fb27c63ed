//! Opening conversations and moving them through their life cycle.
//!
//! Longer than most files (~650 lines) on purpose: every life-cycle use
//! case sits beside the access check and the event it announces, so a
//! transition reads from request to broadcast in one place.

use std::sync::Arc;

use chat_domain::access;
use chat_domain::attachment::AttachmentMeta;
use chat_domain::auth::Principal;
use chat_domain::events::{Actor, ConversationChange, Event, PresenceStatus};
use chat_domain::ids::{ConversationId, CustomerId, UserId};
use chat_domain::model::{
    AppendOutcome, Conversation, ConversationState, HistoryQuery, Message, MessageKind, NewMessage,
    Role, SenderKind, Transition,
};
use chat_domain::ports::{
    AssistantHook, BotActions, ConversationCommands, EventBus, PresenceRegistry, Store,
};
use chat_domain::time::{Timestamp, now};
use chat_domain::{DomainError, DomainResult};

use crate::MessageLog;

/// Routing limits.
#[derive(Clone, Debug)]
pub struct RoutingConfig {
    /// Most `human` conversations one agent holds; accepting beyond it is
    /// refused and offers skip agents at the limit.
    pub max_per_agent: u32,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self { max_per_agent: 5 }
    }
}

/// The conversation use cases shared by every transport.
pub struct ConversationService {
    /// Told of customer messages while the assistant answers (set once, after
    /// construction, since the assistant itself acts through this service).
    assistant: std::sync::OnceLock<Arc<dyn AssistantHook>>,
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    log: MessageLog,
    presence: Arc<dyn PresenceRegistry>,
    routing: RoutingConfig,
    /// For the per-message access check (see [`crate::cache`]).
    cache: Arc<crate::cache::ConversationCache>,
}

/// The actor a principal acts as.
pub fn actor_of(who: &Principal) -> Actor {
    match who {
        Principal::Customer { customer_id } => Actor {
            kind: SenderKind::Customer,
            id: Some(customer_id.to_string()),
        },
        Principal::Staff { user_id, .. } => Actor {
            kind: SenderKind::Agent,
            id: Some(user_id.to_string()),
        },
    }
}

impl ConversationService {
    /// Wires the service.
    pub fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn EventBus>,
        log: MessageLog,
        presence: Arc<dyn PresenceRegistry>,
        routing: RoutingConfig,
    ) -> Self {
        Self {
            assistant: std::sync::OnceLock::new(),
            cache: crate::cache::ConversationCache::following(&bus),
            store,
            bus,
            log,
            presence,
            routing,
        }
    }

    /// Connects the assistant (once; later calls are ignored).
    pub fn set_assistant(&self, assistant: Arc<dyn AssistantHook>) {
        let _ = self.assistant.set(assistant);
    }

    /// The store (reads).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The bus (ephemeral events: typing, read receipts, presence).
    pub fn bus(&self) -> &Arc<dyn EventBus> {
        &self.bus
    }

    /// Loads a conversation the caller may see (`NotFound` otherwise: ids of
    /// other people's conversations cannot be probed).
    pub async fn visible(&self, who: &Principal, id: ConversationId) -> DomainResult<Conversation> {
        let conv = self
            .store
            .conversation_by_id(id)
            .await?
            .ok_or(DomainError::NotFound("conversation"))?;
        // A fresh read is the best entry the cache can have (a socket's
        // subscribe reads here before its first message).
        self.cache.put(&conv);
        access::ensure_view(who, &conv)?;
        Ok(conv)
    }

    /// Like [`Self::visible`], from this node's cache when it holds the
    /// conversation: for checks that the append transaction repeats under
    /// the lock (posting), or where a few milliseconds of staleness change
    /// nothing (typing, read receipts).
    pub async fn visible_cached(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> DomainResult<Conversation> {
        match self.cache.get(id) {
            Some(conv) => {
                access::ensure_view(who, &conv)?;
                Ok(conv)
            }
            None => self.visible(who, id).await,
        }
    }

    /// Opens a new conversation for a customer, answered by the assistant.
    /// A customer who has not given a field the pre-chat form requires is
    /// refused (`Validation` naming the field): the form cannot be skipped
    /// by writing on the socket first.
    pub async fn open(&self, customer: CustomerId) -> DomainResult<Conversation> {
        self.check_prechat(customer).await?;
        let conv = Conversation::open(customer, now());
        self.store.create_conversation(&conv).await?;
        self.cache.put(&conv);
        self.announce(
            &conv,
            None,
            None,
            ConversationChange::Opened,
            Actor {
                kind: SenderKind::Customer,
                id: Some(customer.to_string()),
            },
        )
        .await;
        Ok(conv)
    }

    /// Refuses a customer who lacks a field the pre-chat form requires.
    async fn check_prechat(&self, customer: CustomerId) -> DomainResult<()> {
        let form = self.store.prechat_form().await?;
        if !form.asks_anything() {
            return Ok(());
        }
        let c = self
            .store
            .customer_by_id(customer)
            .await?
            .ok_or(DomainError::NotFound("customer"))?;
        match form.missing(&c) {
            Some(field) => Err(DomainError::invalid(
                field,
                "is required by the pre-chat form: submit it (POST /api/v1/widget/prechat) before starting a conversation",
            )),
            None => Ok(()),
        }
    }

    /// Posts a message as `who`: text, or a private note (staff only).
    pub async fn post(
        &self,
        who: &Principal,
        id: ConversationId,
        body: String,
        private_note: bool,
        client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome> {
        let kind = if private_note {
            MessageKind::PrivateNote
        } else {
            MessageKind::Text
        };
        self.post_kind(who, id, kind, body, None, client_msg_id)
            .await
    }

    async fn post_kind(
        &self,
        who: &Principal,
        id: ConversationId,
        kind: MessageKind,
        body: String,
        attachment: Option<AttachmentMeta>,
        client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome> {
        let private_note = kind == MessageKind::PrivateNote;
        let conv = self.visible_cached(who, id).await?;
        access::ensure_post(who, &conv, private_note)?;
        let actor = actor_of(who);
        let mut message =
            NewMessage::new(id, actor.kind, actor.id, kind, body, client_msg_id, now())?;
        message.attachment = attachment;
        if let Principal::Staff { user_id, .. } = who {
            // Stored with the message: a later transfer must not relabel it.
            message.sender_name = self
                .store
                .user_by_id(*user_id)
                .await?
                .map(|u| u.display_name);
        }
        // What allowed a staff reply must still hold when it is written.
        if let Principal::Staff { user_id, .. } = who
            && !private_note
        {
            if conv.assignee_id == Some(*user_id) {
                message.required_assignee = Some(*user_id);
            } else {
                message.required_state = Some(ConversationState::Human);
            }
        }
        let outcome = self.log.append(message).await?;
        if conv.state == ConversationState::Bot
            && kind == MessageKind::Text
            && actor.kind == SenderKind::Customer
            && !outcome.duplicate
            && let Some(assistant) = self.assistant.get()
        {
            assistant.customer_message(conv, Message::clone(&outcome.message));
        }
        Ok(outcome)
    }

    /// History as `who` may see it: private notes are never shown to customers.
    pub async fn history(
        &self,
        who: &Principal,
        id: ConversationId,
        query: HistoryQuery,
    ) -> DomainResult<Vec<Message>> {
        self.visible(who, id).await?;
        let mut messages = self.store.history(id, query).await?;
        if matches!(who, Principal::Customer { .. }) {
            messages.retain(|m| m.kind != MessageKind::PrivateNote);
        }
        Ok(messages)
    }

    /// Applies a transition requested by `who`, after checking who may.
    pub async fn transition(
        &self,
        who: &Principal,
        id: ConversationId,
        transition: Transition,
    ) -> DomainResult<Conversation> {
        let conv = self.visible(who, id).await?;
        access::ensure_transition(who, &conv, &transition)?;
        transition.check(conv.state)?;
        if let Transition::Accept(agent)
        | Transition::Takeover(agent)
        | Transition::Assign(agent)
        | Transition::Transfer(agent) = transition
        {
            self.check_agent(
                agent,
                conv.assignee_id,
                matches!(transition, Transition::Accept(_) | Transition::Takeover(_)),
            )
            .await?;
        }
        if let Transition::Reopen(agent) = transition {
            // Whoever had it is taking it back: only capacity matters.
            self.check_agent(agent, None, true).await?;
        }
        self.apply(id, transition, actor_of(who)).await
    }

    /// Applies a transition on the system's behalf (idle close, handoff
    /// decided by the assistant).
    pub async fn transition_as_system(
        &self,
        id: ConversationId,
        transition: Transition,
    ) -> DomainResult<Conversation> {
        self.apply(
            id,
            transition,
            Actor {
                kind: SenderKind::System,
                id: None,
            },
        )
        .await
    }

    /// 1-based place in the queue of a conversation the caller may see.
    pub async fn queue_position(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> DomainResult<Option<u32>> {
        self.visible(who, id).await?;
        self.store.queue_position(id).await
    }

    /// Offers a queued conversation to the least-loaded online agent with
    /// free capacity. Every agent also sees it in the queue; the offer only
    /// says whose turn it is. Returns the agent offered to.
    pub async fn offer(&self, id: ConversationId) -> DomainResult<Option<UserId>> {
        let online: Vec<UserId> = self
            .presence
            .live_agents()
            .await?
            .into_iter()
            .filter(|(_, s)| *s == PresenceStatus::Online)
            .map(|(a, _)| a)
            .collect();
        if online.is_empty() {
            return Ok(None);
        }
        let loads = self.store.agent_loads().await?;
        let load = |a: &UserId| loads.iter().find(|(id, _)| id == a).map_or(0, |(_, n)| *n);
        // Least loaded first; ties go to the lowest id, so every node picks the same.
        let chosen = online
            .into_iter()
            .filter(|a| load(a) < self.routing.max_per_agent)
            .min_by_key(|a| (load(a), *a));
        if let Some(agent) = chosen {
            self.publish(Event::Offer {
                conversation_id: id,
                agent_id: agent,
            })
            .await;
        }
        Ok(chosen)
    }

    /// The agent must exist, be active staff, and (when taking it for
    /// themselves) have room; a transfer must change hands.
    async fn check_agent(
        &self,
        agent: UserId,
        current: Option<UserId>,
        self_service: bool,
    ) -> DomainResult<()> {
        let user = self.store.user_by_id(agent).await?;
        if !user
            .as_ref()
            .is_some_and(|u| u.active && u.role.at_least(Role::Agent))
        {
            return Err(DomainError::invalid(
                "agent_id",
                "must be an active staff member",
            ));
        }
        if current == Some(agent) {
            return Err(DomainError::Conflict(
                "the conversation is already assigned to this agent".into(),
            ));
        }
        if self_service {
            let load = self
                .store
                .agent_loads()
                .await?
                .into_iter()
                .find(|(a, _)| *a == agent)
                .map_or(0, |(_, n)| n);
            if load >= self.routing.max_per_agent {
                return Err(DomainError::Conflict(format!(
                    "you already have {load} open conversations (the limit is {})",
                    self.routing.max_per_agent
                )));
            }
        }
        Ok(())
    }

    async fn apply(
        &self,
        id: ConversationId,
        transition: Transition,
        by: Actor,
    ) -> DomainResult<Conversation> {
        let (before, after) = self
            .store
            .transition_conversation(id, transition, now())
            .await?;
        self.cache.refresh(&after);
        let notice = crate::notices::notice(self.store.as_ref(), transition, &by).await;
        let body = crate::notices::fallback(&notice);
        match NewMessage::notice(id, notice, body, now()) {
            Ok(m) => {
                if let Err(e) = self.log.append(m).await {
                    tracing::warn!(error = %e, conversation = %id, "state changed but its notice was not stored");
                }
            }
            Err(e) => tracing::warn!(error = %e, "invalid notice"),
        }
        self.announce(
            &after,
            Some(before.state),
            before.assignee_id,
            transition.into(),
            by,
        )
        .await;
        if after.state == ConversationState::Queued
            && let Err(e) = self.offer(id).await
        {
            tracing::warn!(error = %e, conversation = %id, "could not offer the conversation");
        }
        Ok(after)
    }

    /// Posts a system notice that no transition stores (the away notice,
    /// see `crate::notices`), with its English fallback as the body.
    pub async fn post_notice(
        &self,
        id: ConversationId,
        notice: chat_domain::model::Notice,
    ) -> DomainResult<AppendOutcome> {
        let body = crate::notices::fallback(&notice);
        self.log
            .append(NewMessage::notice(id, notice, body, now())?)
            .await
    }

    async fn announce(
        &self,
        conversation: &Conversation,
        previous_state: Option<ConversationState>,
        previous_assignee: Option<UserId>,
        change: ConversationChange,
        by: Actor,
    ) {
        self.publish(Event::ConversationChanged {
            conversation: conversation.clone(),
            previous_state,
            previous_assignee,
            change,
            by,
        })
        .await;
    }

    /// Publishes; a failure is logged, never fatal: the database holds the
    /// truth, and subscribers resynchronize from it.
    pub async fn publish(&self, event: Event) {
        if let Err(e) = self.bus.publish(event).await {
            tracing::warn!(error = %e, "event not published");
        }
    }
}

#[async_trait::async_trait]
impl BotActions for ConversationService {
    async fn post_bot_reply(
        &self,
        conversation: ConversationId,
        body: String,
        reply_id: String,
    ) -> DomainResult<AppendOutcome> {
        let mut message = NewMessage::new(
            conversation,
            SenderKind::Bot,
            None,
            MessageKind::Text,
            body,
            Some(reply_id),
            now(),
        )?;
        message.required_state = Some(ConversationState::Bot);
        self.log.append(message).await
    }

    async fn hand_off(&self, conversation: ConversationId) -> DomainResult<()> {
        self.transition_as_system(conversation, Transition::RequestHuman)
            .await
            .map(|_| ())
    }

    async fn publish(&self, event: Event) {
        ConversationService::publish(self, event).await;
    }

    async fn recent_messages(
        &self,
        conversation: ConversationId,
        limit: u32,
    ) -> DomainResult<Vec<Message>> {
        let last = self
            .store
            .conversation_by_id(conversation)
            .await?
            .ok_or(DomainError::NotFound("conversation"))?
            .last_seq;
        self.store
            .history(
                conversation,
                HistoryQuery::BeforeSeq {
                    before: last + 1,
                    limit,
                },
            )
            .await
    }
}

#[async_trait::async_trait]
impl ConversationCommands for ConversationService {
    async fn transition(
        &self,
        who: &Principal,
        id: ConversationId,
        transition: Transition,
    ) -> DomainResult<Conversation> {
        ConversationService::transition(self, who, id, transition).await
    }

    async fn post(
        &self,
        who: &Principal,
        id: ConversationId,
        body: String,
        private_note: bool,
        client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome> {
        ConversationService::post(self, who, id, body, private_note, client_msg_id).await
    }

    /// Posts a message carrying an uploaded file (its bytes and metadata
    /// are already stored): same rights and ordering as a text message; the
    /// body is the file name, which previews and notifications show.
    async fn post_attachment(
        &self,
        who: &Principal,
        id: ConversationId,
        attachment: AttachmentMeta,
        client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome> {
        let body = attachment.name.clone();
        self.post_kind(
            who,
            id,
            MessageKind::Attachment,
            body,
            Some(attachment),
            client_msg_id,
        )
        .await
    }

    /// Snoozes a conversation until `until` (the inbox hides it until then,
    /// or until the customer writes), or wakes it with `None`. Only a human
    /// conversation, by its agent or a supervisor: a snooze is a promise by
    /// whoever holds the conversation.
    async fn snooze(
        &self,
        who: &Principal,
        id: ConversationId,
        until: Option<Timestamp>,
    ) -> DomainResult<Conversation> {
        let conv = self.visible(who, id).await?;
        access::ensure_manage(who, &conv)?;
        if conv.state != ConversationState::Human {
            return Err(DomainError::Conflict(format!(
                "only a conversation with an agent can be snoozed; this one is {}",
                conv.state
            )));
        }
        let at = now();
        if until.is_some_and(|u| u <= at) {
            return Err(DomainError::invalid("until", "must be in the future"));
        }
        let after = self.store.set_snooze(id, until, at).await?;
        self.cache.refresh(&after);
        let change = if until.is_some() {
            ConversationChange::Snooze
        } else {
            ConversationChange::Unsnooze
        };
        self.announce(
            &after,
            Some(conv.state),
            conv.assignee_id,
            change,
            actor_of(who),
        )
        .await;
        Ok(after)
    }

    /// The customer rates their closed conversation (CSAT), once; published
    /// as [`Event::CsatSubmitted`] (webhooks listen for it).
    async fn rate(
        &self,
        who: &Principal,
        id: ConversationId,
        score: i32,
        comment: Option<String>,
    ) -> DomainResult<Conversation> {
        if !matches!(who, Principal::Customer { .. }) {
            return Err(DomainError::Forbidden(
                "only the customer rates a conversation".into(),
            ));
        }
        self.visible(who, id).await?;
        let conversation = self
            .store
            .rate_conversation(id, score, comment, now())
            .await?;
        self.publish(Event::CsatSubmitted {
            conversation: conversation.clone(),
        })
        .await;
        Ok(conversation)
    }

    /// `who` has read up to `up_to_seq`: stored (forward only) for the
    /// reader, then published to the conversation's followers.
    async fn read_up_to(
        &self,
        who: &Principal,
        id: ConversationId,
        up_to_seq: i64,
    ) -> DomainResult<()> {
        let mut conv = self.visible_cached(who, id).await?;
        if up_to_seq > conv.last_seq {
            // The cached copy may predate the message just read.
            conv = self.visible(who, id).await?;
        }
        if up_to_seq < 0 || up_to_seq > conv.last_seq {
            return Err(DomainError::invalid(
                "up_to_seq",
                "must be between 0 and the conversation's last seq",
            ));
        }
        match who {
            Principal::Staff { user_id, .. } => {
                self.store.mark_read(*user_id, id, up_to_seq).await?;
            }
            Principal::Customer { .. } => self.store.mark_customer_read(id, up_to_seq).await?,
        }
        self.publish(Event::Read {
            conversation_id: id,
            actor: actor_of(who),
            up_to_seq,
        })
        .await;
        Ok(())
    }
}
