//! Ports: the traits the rest of the system uses to reach persistence.
//!
//! `chat-store` implements all of them for SQLite and MySQL; tests or another
//! embedding service may implement them differently. They are object-safe
//! (`Arc<dyn Store>`) so that only the binary knows the concrete type.
//!
//! ~670 lines, nearly all trait signatures and their rustdoc: one file is
//! the one place an adapter author reads (the gateway's ports are in
//! `ports/gateway.rs`).

use async_trait::async_trait;

pub mod gateway;

pub use gateway::{AgentPresence, RealtimeConversations};

use crate::DomainResult;
use crate::auth::RefreshToken;
use crate::events::{Event, PresenceStatus};
use crate::ids::{
    CannedResponseId, ConversationId, CustomerId, KnowledgeDocId, RefreshTokenId, TokenFamilyId,
    UserId, WebhookDeliveryId, WebhookId,
};
use crate::model::{
    AppendOutcome, AuditEntry, AuditFilter, CannedResponse, Conversation, ConversationState,
    Customer, CustomerPatch, DeliveryClaim, DeliveryFilter, DeliveryOutcome, HistoryQuery,
    KnowledgeDoc, Message, NewMessage, RekeyBatch, Settled, Transition, User, Webhook,
    WebhookDelivery,
};
use crate::time::Timestamp;

/// Staff accounts.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a user; a taken e-mail is a `Conflict`.
    async fn create_user(&self, user: &User) -> DomainResult<()>;
    /// Looks a user up by id.
    async fn user_by_id(&self, id: UserId) -> DomainResult<Option<User>>;
    /// Looks a user up by normalized e-mail.
    async fn user_by_email(&self, email: &str) -> DomainResult<Option<User>>;
    /// How many users exist (bootstrap creates the first admin when zero).
    async fn count_users(&self) -> DomainResult<u64>;
    /// Replaces display name, role, active flag, password hash and
    /// `updated_at` of an existing user; `NotFound` otherwise.
    async fn update_user(&self, user: &User) -> DomainResult<()>;
    /// Users in creation order, `limit` at a time after `after`.
    async fn list_users(&self, after: Option<UserId>, limit: u32) -> DomainResult<Vec<User>>;
}

/// Refresh tokens and their rotation families.
#[async_trait]
pub trait RefreshTokenRepository: Send + Sync {
    /// Stores a new token (first of a family, at login).
    async fn insert_refresh_token(&self, token: &RefreshToken) -> DomainResult<()>;
    /// Finds a token by the hash of its secret, dead or alive.
    async fn refresh_token_by_hash(&self, token_hash: &str) -> DomainResult<Option<RefreshToken>>;
    /// Atomically retires `old` (only if it is still live) and stores `new`
    /// in the same family. Returns `false`, storing nothing, when `old` was
    /// already retired: the caller is replaying a used token.
    async fn rotate_refresh_token(
        &self,
        old: RefreshTokenId,
        new: &RefreshToken,
        at: Timestamp,
    ) -> DomainResult<bool>;
    /// Revokes every live token of a family; returns how many.
    async fn revoke_token_family(&self, family: TokenFamilyId, at: Timestamp) -> DomainResult<u64>;
    /// Revokes every live refresh token of a user (deactivation, password
    /// reset), and records `at` as the instant before which their access
    /// tokens no longer count ([`Self::sessions_not_before`]); returns how
    /// many refresh tokens it revoked.
    async fn revoke_user_tokens(&self, user: UserId, at: Timestamp) -> DomainResult<u64>;
    /// The last instant `user`'s sessions were revoked at, if ever: access
    /// tokens issued before it are refused.
    async fn sessions_not_before(&self, user: UserId) -> DomainResult<Option<Timestamp>>;
}

/// Customers.
#[async_trait]
pub trait CustomerRepository: Send + Sync {
    /// Inserts a customer; a taken `external_id` is a `Conflict`.
    async fn create_customer(&self, customer: &Customer) -> DomainResult<()>;
    /// Looks a customer up by id.
    async fn customer_by_id(&self, id: CustomerId) -> DomainResult<Option<Customer>>;
    /// Looks a customer up by visitor / host-site id.
    async fn customer_by_external_id(&self, external_id: &str) -> DomainResult<Option<Customer>>;
    /// Customers matching a filter, in id (creation) order.
    async fn list_customers(&self, filter: &CustomerFilter) -> DomainResult<Vec<Customer>>;
    /// Changes the fields the patch names, atomically; `NotFound` if the
    /// customer does not exist, `Conflict` if their data was erased.
    async fn update_customer(
        &self,
        id: CustomerId,
        patch: &CustomerPatch,
        at: Timestamp,
    ) -> DomainResult<Customer>;
    /// Erases a customer's personal data in one transaction: name, contact
    /// details, notes, tags and external id; the bodies of the text messages
    /// and private notes of their conversations; their rating comments.
    /// Conversations, their states, timings and scores stay (statistics).
    /// Returns the erased customer and whether this call erased it (`false`:
    /// it already was; nothing changes). `Conflict` while the customer has an
    /// open conversation; `NotFound` if the customer does not exist.
    async fn erase_customer(&self, id: CustomerId, at: Timestamp)
    -> DomainResult<(Customer, bool)>;
    /// Key rotation: rewrites the encrypted fields (and search hashes) of up
    /// to `limit` customers after `after` (in id order) that are not under the
    /// current key. Call again with the returned cursor until `scanned <
    /// limit`.
    async fn rekey_customers(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> DomainResult<RekeyBatch>;
}

/// Which customers to list.
#[derive(Clone, Debug, Default)]
pub struct CustomerFilter {
    /// Search text, read by its shape: an e-mail address or a phone number
    /// matches exactly (by their search hashes), anything else matches part
    /// of the name (case-insensitive); an exact external id (with or without
    /// its `user:` / `visitor:` prefix) matches in every case.
    pub query: Option<String>,
    /// Only this customer (a visibility check for one id).
    pub id: Option<CustomerId>,
    /// Only customers of conversations this agent may see (see
    /// `access::customer_scope`).
    pub visible_to_agent: Option<UserId>,
    /// Only customers with an id greater than this (cursor).
    pub after: Option<CustomerId>,
    /// At most this many (capped at 1000).
    pub limit: u32,
}

/// Conversations and their messages.
#[async_trait]
pub trait ConversationRepository: Send + Sync {
    /// Inserts a conversation (its customer must exist).
    async fn create_conversation(&self, conversation: &Conversation) -> DomainResult<()>;
    /// Looks a conversation up by id.
    async fn conversation_by_id(&self, id: ConversationId) -> DomainResult<Option<Conversation>>;
    /// A customer's conversations, newest first (by id, which is
    /// time-ordered), `limit` at a time before the `before` cursor.
    async fn conversations_of_customer(
        &self,
        customer: CustomerId,
        before: Option<ConversationId>,
        limit: u32,
    ) -> DomainResult<Vec<Conversation>>;
    /// Appends messages, each getting the next sequence of its conversation
    /// atomically. One result per input, in order. A message whose
    /// `(conversation, client_msg_id)` is already stored is not stored again:
    /// its outcome is the stored copy with `duplicate = true`. A message for a
    /// conversation that does not exist fails alone with `NotFound`.
    ///
    /// Implementations may commit the whole batch in one transaction; a
    /// message is durable when its result is returned. The batch is taken
    /// by value: the caller (the message writer) has no use for it after,
    /// and a store that keeps the messages for its transaction need not
    /// copy every body and id again.
    async fn append_messages(
        &self,
        messages: Vec<NewMessage>,
    ) -> DomainResult<Vec<DomainResult<AppendOutcome>>>;
    /// Reads a slice of history, in ascending sequence order.
    async fn history(
        &self,
        conversation: ConversationId,
        query: HistoryQuery,
    ) -> DomainResult<Vec<Message>>;
    /// Applies a life-cycle transition atomically: a conditional update that
    /// succeeds only from one of the transition's start states, so of two
    /// nodes accepting one queued conversation exactly one wins. Returns the
    /// conversation before and after. `Conflict` (naming the current state)
    /// when it is not in a start state; `NotFound` when it does not exist.
    async fn transition_conversation(
        &self,
        id: ConversationId,
        transition: Transition,
        at: Timestamp,
    ) -> DomainResult<(Conversation, Conversation)>;
    /// Conversations matching a filter (see [`ConversationFilter`] for order).
    async fn list_conversations(
        &self,
        filter: &ConversationFilter,
    ) -> DomainResult<Vec<Conversation>>;
    /// How many `human` conversations each agent holds (agents with none are absent).
    async fn agent_loads(&self) -> DomainResult<Vec<(UserId, u32)>>;
    /// 1-based place of a queued conversation in the queue (by time queued);
    /// `None` when it is not queued.
    async fn queue_position(&self, id: ConversationId) -> DomainResult<Option<u32>>;
    /// Replaces the labels of a conversation; `NotFound` if it does not exist.
    async fn set_labels(
        &self,
        id: ConversationId,
        labels: &[String],
        at: Timestamp,
    ) -> DomainResult<Conversation>;
    /// Snoozes a conversation until `until`, or wakes it (`None`).
    async fn set_snooze(
        &self,
        id: ConversationId,
        until: Option<Timestamp>,
        at: Timestamp,
    ) -> DomainResult<Conversation>;
    /// Every conversation created, closed or first answered by an agent in
    /// `[from, to)`: what statistics are computed from (indexed range reads).
    async fn conversations_active_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> DomainResult<Vec<Conversation>>;
    /// How many conversations are waiting in the queue now.
    async fn queue_length(&self) -> DomainResult<u64>;
    /// Records the customer's satisfaction score (1–5) and comment, once, on
    /// a closed conversation: `Conflict` if it is open or already rated.
    async fn rate_conversation(
        &self,
        id: ConversationId,
        score: i32,
        comment: Option<String>,
        at: Timestamp,
    ) -> DomainResult<Conversation>;
}

/// Which conversations to list. Queued conversations come oldest-queued
/// first (the queue's order); others most recently active first.
#[derive(Clone, Debug, Default)]
pub struct ConversationFilter {
    /// Only this state.
    pub state: Option<ConversationState>,
    /// Only open conversations (any state but closed).
    pub open_only: bool,
    /// Only this assignee.
    pub assignee: Option<UserId>,
    /// Only this customer.
    pub customer: Option<CustomerId>,
    /// Only conversations last active before this instant (idle detection).
    pub active_before: Option<Timestamp>,
    /// Only conversations carrying this label.
    pub label: Option<String>,
    /// Only conversations created at or after this instant.
    pub created_from: Option<Timestamp>,
    /// Only conversations created before this instant.
    pub created_to: Option<Timestamp>,
    /// Only what this agent may see: the assistant's, the queue, their own
    /// (applied in the query, so pages stay full).
    pub visible_to_agent: Option<UserId>,
    /// `Some(true)`: only conversations snoozed at `snooze_now`;
    /// `Some(false)`: none of those.
    pub snoozed: Option<bool>,
    /// The instant `snoozed` is judged at.
    pub snooze_now: Option<Timestamp>,
    /// Only conversations with a message (or note) containing this text.
    pub text: Option<String>,
    /// Leave out queued conversations in which the customer left a message
    /// while support was away (see `availability`): they wait for the next
    /// shift, so the idle sweeper must not close them.
    pub skip_left_messages: bool,
    /// Keyset cursor: the page after this position in the list's order.
    pub after: Option<ListCursor>,
    /// At most this many (capped at 1000).
    pub limit: u32,
}

/// A position in a conversation list: the sort key (`queued_at` for the
/// queue, `updated_at` otherwise) and the id that breaks ties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListCursor {
    /// The sort key of the last item seen.
    pub key: Timestamp,
    /// The id of the last item seen.
    pub id: ConversationId,
}

/// The assistant's retrieval over the knowledge base, for the people who
/// curate it.
#[async_trait]
pub trait KnowledgeSearch: Send + Sync {
    /// The best `k` passages for `question`, best first, as the assistant
    /// retrieves them.
    async fn retrieve(
        &self,
        question: &str,
        k: usize,
    ) -> DomainResult<Vec<crate::model::RetrievedPassage>>;
    /// Rebuilds the index from the knowledge base now (rather than at the
    /// next periodic check); returns how many passages it holds.
    async fn reindex(&self) -> DomainResult<usize>;
}

/// Knowledge-base documents.
#[async_trait]
pub trait KnowledgeRepository: Send + Sync {
    /// Inserts a document.
    async fn create_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()>;
    /// Replaces title, body, tags and enabled of an existing document.
    async fn update_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()>;
    /// Deletes a document; `NotFound` if it does not exist.
    async fn delete_doc(&self, id: KnowledgeDocId) -> DomainResult<()>;
    /// Looks a document up by id.
    async fn doc_by_id(&self, id: KnowledgeDocId) -> DomainResult<Option<KnowledgeDoc>>;
    /// All documents (enabled or not), oldest first, `limit` at a time after `after`.
    async fn list_docs(
        &self,
        after: Option<KnowledgeDocId>,
        limit: u32,
    ) -> DomainResult<Vec<KnowledgeDoc>>;
}

/// Canned responses.
#[async_trait]
pub trait CannedRepository: Send + Sync {
    /// Inserts one; a taken shortcut (for that owner, or among shared ones) is a `Conflict`.
    async fn create_canned(&self, response: &CannedResponse) -> DomainResult<()>;
    /// Replaces shortcut, title, body and `updated_at`; `NotFound` if missing.
    async fn update_canned(&self, response: &CannedResponse) -> DomainResult<()>;
    /// Deletes one; `NotFound` if missing.
    async fn delete_canned(&self, id: CannedResponseId) -> DomainResult<()>;
    /// Looks one up.
    async fn canned_by_id(&self, id: CannedResponseId) -> DomainResult<Option<CannedResponse>>;
    /// The shared responses and `user`'s own, by shortcut.
    async fn canned_for(&self, user: UserId) -> DomainResult<Vec<CannedResponse>>;
}

/// The audit log: append-only.
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Records one entry.
    async fn record_audit(&self, entry: &AuditEntry) -> DomainResult<()>;
    /// Reads entries, newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> DomainResult<Vec<AuditEntry>>;
}

/// Webhook subscriptions and their delivery log (an outbox: deliveries are
/// rows, so they survive restarts and any node may send them).
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Inserts a webhook.
    async fn create_webhook(&self, webhook: &Webhook) -> DomainResult<()>;
    /// Replaces url, events, secrets and `updated_at`; `NotFound` if
    /// missing. The enabled flag and the failure count are left alone: the
    /// sender changes them concurrently (see [`Self::set_webhook_enabled`]).
    async fn update_webhook(&self, webhook: &Webhook) -> DomainResult<()>;
    /// Enables (clearing the failure count and the disabled reason) or
    /// disables a webhook; returns it as it is now, `NotFound` if missing.
    async fn set_webhook_enabled(
        &self,
        id: WebhookId,
        enabled: bool,
        at: Timestamp,
    ) -> DomainResult<Webhook>;
    /// Deletes a webhook and its delivery log; `NotFound` if missing.
    async fn delete_webhook(&self, id: WebhookId) -> DomainResult<()>;
    /// Looks one up.
    async fn webhook_by_id(&self, id: WebhookId) -> DomainResult<Option<Webhook>>;
    /// Webhooks in creation order, `limit` at a time after `after`.
    async fn list_webhooks(
        &self,
        after: Option<WebhookId>,
        limit: u32,
    ) -> DomainResult<Vec<Webhook>>;
    /// Every enabled webhook (the subscription cache of each node).
    async fn enabled_webhooks(&self) -> DomainResult<Vec<Webhook>>;
    /// Queues deliveries (one statement). A delivery whose webhook no longer
    /// exists fails the call with a `Validation` error on `reference`.
    async fn enqueue_deliveries(&self, deliveries: &[WebhookDelivery]) -> DomainResult<()>;
    /// One delivery of a webhook.
    async fn delivery_by_id(
        &self,
        webhook: WebhookId,
        id: WebhookDeliveryId,
    ) -> DomainResult<Option<WebhookDelivery>>;
    /// A webhook's deliveries, newest first.
    async fn list_deliveries(&self, filter: &DeliveryFilter) -> DomainResult<Vec<WebhookDelivery>>;
    /// Atomically takes up to `limit` pending deliveries due at `now` whose
    /// webhook is enabled: each gets one more attempt counted and is hidden
    /// from other claims until `lease_until`. Of two nodes claiming at once,
    /// each delivery goes to exactly one.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> DomainResult<DeliveryClaim>;
    /// Records how an attempt ended, only if `lease` still holds the
    /// delivery. A final failure counts against the webhook, and disables it
    /// (with `reason`) when it reaches `disable_after` failures in a row
    /// (0: never); a success resets the count. One transaction.
    async fn settle_delivery(
        &self,
        id: WebhookDeliveryId,
        lease: &str,
        outcome: &DeliveryOutcome,
        disable_after: u32,
        reason: &str,
        at: Timestamp,
    ) -> DomainResult<Settled>;
    /// Queues a delivered or failed delivery again, due at once with a fresh
    /// attempt budget; `Conflict` while it is pending, `NotFound` if missing.
    async fn retry_delivery(
        &self,
        webhook: WebhookId,
        id: WebhookDeliveryId,
        at: Timestamp,
    ) -> DomainResult<WebhookDelivery>;
    /// Deletes delivered and failed deliveries created before `before`;
    /// returns how many.
    async fn prune_deliveries(&self, before: Timestamp) -> DomainResult<u64>;
}

/// The event bus: what one node publishes reaches every subscriber on every
/// node (in-process for one node, Redis for many).
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes an event to every node. Delivery is at most once: a
    /// subscriber that misses events is told so ([`Delivery::Missed`]) and
    /// must resynchronize from the store, which is the source of truth.
    async fn publish(&self, event: Event) -> DomainResult<()>;
    /// Publishes several events, in order. A bus that talks to a server
    /// should send them in one round trip: the message writer publishes a
    /// whole group commit at once, and one round trip per message would
    /// hold the next commit back.
    async fn publish_all(&self, events: Vec<Event>) -> DomainResult<()> {
        for event in events {
            self.publish(event).await?;
        }
        Ok(())
    }
    /// A new subscription, receiving every event published from now on.
    fn subscribe(&self) -> Box<dyn EventStream>;
    /// Calls `listener` with every delivery published from now on, in
    /// order, from inside `publish` itself: no task to wake per event. For
    /// listeners that look at an event and hand it on without waiting (the
    /// gateway's routing table, caches). A bus that cannot (one fed by a
    /// server) gives the listener back; [`listen`] then feeds it from a
    /// [`Self::subscribe`] stream instead.
    fn listen(&self, listener: Listener) -> Result<(), Listener> {
        Err(listener)
    }
}

/// A synchronous bus listener (see [`EventBus::listen`]). It must not
/// block: it runs inside the publisher's call. `Break` ends it.
pub type Listener = Box<dyn FnMut(&Delivery) -> std::ops::ControlFlow<()> + Send>;

/// Registers `listener` on `bus`, inline when the bus supports it. When it
/// does not, the subscription is taken now (nothing published from here on
/// is missed) and the returned future feeds it to the listener: the caller
/// spawns it.
pub fn listen(
    bus: &dyn EventBus,
    listener: Listener,
) -> Option<impl std::future::Future<Output = ()> + Send + 'static> {
    let mut listener = match bus.listen(listener) {
        Ok(()) => return None,
        Err(l) => l,
    };
    let mut stream = bus.subscribe();
    Some(async move {
        while let Some(delivery) = stream.next().await {
            if listener(&delivery).is_break() {
                return;
            }
        }
    })
}

/// One subscription to the bus.
#[async_trait]
pub trait EventStream: Send {
    /// The next delivery; `None` when the bus has shut down.
    async fn next(&mut self) -> Option<Delivery>;
}

/// What a subscription yields.
#[derive(Clone, Debug)]
pub enum Delivery {
    /// An event.
    Event(std::sync::Arc<Event>),
    /// Events were lost (slow subscriber, or a reconnect to Redis): re-read
    /// whatever state matters from the store.
    Missed,
}

/// Agent presence across nodes. Each node reports the agents it has live
/// connections for, with a time to live; an entry not refreshed in time
/// expires, so a crashed node's agents go offline on their own.
#[async_trait]
pub trait PresenceRegistry: Send + Sync {
    /// Marks `agent` as `status` on `node` until `ttl` from now.
    async fn refresh(
        &self,
        agent: UserId,
        node: &str,
        status: PresenceStatus,
        ttl: std::time::Duration,
    ) -> DomainResult<()>;
    /// Removes `agent`'s entry for `node` (its last connection there closed).
    async fn remove(&self, agent: UserId, node: &str) -> DomainResult<()>;
    /// Agents with a live entry on any node and their status (online wins
    /// over away when nodes disagree).
    async fn live_agents(&self) -> DomainResult<Vec<(UserId, PresenceStatus)>>;
}

/// The assistant's entry point: told of each customer message stored in a
/// conversation the assistant answers (state `bot`). Must return at once:
/// the answer is produced in the background.
pub trait AssistantHook: Send + Sync {
    /// A customer wrote `message` in `conversation` (as it was when stored).
    fn customer_message(&self, conversation: Conversation, message: Message);
}

/// The conversation use cases every transport shares (WebSocket frames and
/// REST routes alike): who may do what is checked inside, once.
#[async_trait]
pub trait ConversationCommands: Send + Sync {
    /// Applies a life-cycle transition on behalf of `who`.
    async fn transition(
        &self,
        who: &crate::auth::Principal,
        id: ConversationId,
        transition: Transition,
    ) -> DomainResult<Conversation>;
    /// Posts a message (or a private note, staff only) on behalf of `who`.
    async fn post(
        &self,
        who: &crate::auth::Principal,
        id: ConversationId,
        body: String,
        private_note: bool,
        client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome>;
    /// Posts a message of kind `attachment` carrying an uploaded file's
    /// metadata, on behalf of `who` (the same rights as a text message).
    async fn post_attachment(
        &self,
        who: &crate::auth::Principal,
        id: ConversationId,
        attachment: crate::attachment::AttachmentMeta,
        client_msg_id: Option<String>,
    ) -> DomainResult<AppendOutcome>;
    /// Snoozes a conversation `who` is in charge of until `until`, or wakes
    /// it (`None`).
    async fn snooze(
        &self,
        who: &crate::auth::Principal,
        id: ConversationId,
        until: Option<Timestamp>,
    ) -> DomainResult<Conversation>;
    /// The customer `who` rates their closed conversation (CSAT), once.
    async fn rate(
        &self,
        who: &crate::auth::Principal,
        id: ConversationId,
        score: i32,
        comment: Option<String>,
    ) -> DomainResult<Conversation>;
    /// `who` has read a conversation they may see up to `up_to_seq` (at most
    /// its last sequence): the position is stored (moving forward only) and
    /// a `Read` event is published to its followers.
    async fn read_up_to(
        &self,
        who: &crate::auth::Principal,
        id: ConversationId,
        up_to_seq: i64,
    ) -> DomainResult<()>;
}

/// What the assistant may do to a conversation.
#[async_trait]
pub trait BotActions: Send + Sync {
    /// Stores the assistant's reply, only if the conversation is still
    /// answered by the assistant at the moment of writing (`Conflict`
    /// otherwise); `reply_id` becomes the message's client id, tying it to
    /// the streamed deltas.
    async fn post_bot_reply(
        &self,
        conversation: ConversationId,
        body: String,
        reply_id: String,
    ) -> DomainResult<AppendOutcome>;
    /// Queues the conversation for a person (a state change, with its notice).
    async fn hand_off(&self, conversation: ConversationId) -> DomainResult<()>;
    /// The latest `limit` messages of the conversation, oldest first (context
    /// for a model).
    async fn recent_messages(
        &self,
        conversation: ConversationId,
        limit: u32,
    ) -> DomainResult<Vec<Message>>;
    /// Publishes an event (the assistant's streamed deltas).
    async fn publish(&self, event: Event);
}

/// Liveness of the backing database, for readiness probes.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Succeeds when a round trip to the database works now.
    async fn ping(&self) -> DomainResult<()>;
}

/// Login attempts counted where every node sees them (Redis), so that
/// several nodes allow no more guesses than one. Keys are the throttle's
/// (`acct:…`, `ip:…`); `attempt` identifies one attempt, to take it back.
#[async_trait]
pub trait SharedAttempts: Send + Sync {
    /// Unless a key already holds `max` attempts younger than `window`,
    /// counts `attempt` against every key and returns `None`; otherwise
    /// counts nothing and returns the seconds until one expires.
    async fn begin(
        &self,
        keys: &[&str],
        attempt: &str,
        max: u32,
        window: std::time::Duration,
    ) -> DomainResult<Option<u64>>;
    /// Takes `attempt` back from `keys`, and clears `clear` entirely.
    async fn take_back(
        &self,
        keys: &[&str],
        attempt: &str,
        clear: Option<&str>,
    ) -> DomainResult<()>;
}

/// Each staff member's read position per conversation, and the inbox
/// summaries built from it (unread counts agree across devices and reloads).
#[async_trait]
pub trait InboxRepository: Send + Sync {
    /// Moves `user`'s read position in `conversation` forward to `seq`
    /// (never back: an older device reporting late changes nothing).
    async fn mark_read(
        &self,
        user: UserId,
        conversation: ConversationId,
        seq: i64,
    ) -> DomainResult<()>;
    /// Summaries of these conversations for `user`, in the order given;
    /// unknown ids are skipped.
    async fn summaries(
        &self,
        user: UserId,
        conversations: &[ConversationId],
    ) -> DomainResult<Vec<crate::model::ConversationSummary>>;
    /// Moves the customer's read position in `conversation` forward to
    /// `seq` (never back).
    async fn mark_customer_read(&self, conversation: ConversationId, seq: i64) -> DomainResult<()>;
    /// The stored read positions of a conversation: the customer's and the
    /// furthest a staff member has read.
    async fn read_positions(&self, conversation: ConversationId) -> DomainResult<ReadPositions>;
}

/// How far each side has read a conversation (0: nothing yet).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadPositions {
    /// The customer's read position.
    pub customer: i64,
    /// The furthest staff read position, and whose it is.
    pub staff: Option<(UserId, i64)>,
}

/// The pre-chat form's configuration (one per installation).
#[async_trait]
pub trait PrechatRepository: Send + Sync {
    /// The form as configured (every field off when never configured).
    async fn prechat_form(&self) -> DomainResult<crate::model::PrechatForm>;
    /// Replaces the form (already validated).
    async fn save_prechat_form(
        &self,
        form: &crate::model::PrechatForm,
        at: Timestamp,
    ) -> DomainResult<()>;
}

/// Everything a store provides, as one object-safe trait.
pub trait Store:
    UserRepository
    + RefreshTokenRepository
    + CustomerRepository
    + ConversationRepository
    + KnowledgeRepository
    + AuditRepository
    + CannedRepository
    + WebhookRepository
    + InboxRepository
    + PrechatRepository
    + HealthCheck
{
}

impl<T> Store for T where
    T: UserRepository
        + RefreshTokenRepository
        + CustomerRepository
        + ConversationRepository
        + KnowledgeRepository
        + AuditRepository
        + CannedRepository
        + WebhookRepository
        + InboxRepository
        + PrechatRepository
        + HealthCheck
{
}
