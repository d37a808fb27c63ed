//! `Detached`: every store call runs as its own task on a chosen runtime.
//!
//! Why: diesel-async's SQLite wrapper runs each statement on the blocking
//! pool, and if the future awaiting it is dropped midway (a client hangs up,
//! or actix drops a handler's other extractors when one fails) it waits for
//! the statement with `block_in_place`, which panics on a current-thread
//! runtime, and actix's workers are current-thread runtimes. A spawned task
//! is never dropped midway: dropping the `JoinHandle` only detaches it, so the
//! statement (or transaction) finishes cleanly whatever the caller does.
//! It also keeps MySQL transactions from being cut in half by cancellation.

use std::future::Future;

use async_trait::async_trait;
use chat_domain::auth::RefreshToken;
use chat_domain::ids::{
    CannedResponseId, ConversationId, CustomerId, KnowledgeDocId, RefreshTokenId, TokenFamilyId,
    UserId, WebhookDeliveryId, WebhookId,
};
use chat_domain::model::{
    AppendOutcome, AuditEntry, AuditFilter, CannedResponse, Conversation, Customer, CustomerPatch,
    DeliveryClaim, DeliveryFilter, DeliveryOutcome, HistoryQuery, KnowledgeDoc, Message,
    NewMessage, RekeyBatch, Settled, Transition, User, Webhook, WebhookDelivery,
};
use chat_domain::ports::{
    AuditRepository, CannedRepository, ConversationFilter, ConversationRepository, CustomerFilter,
    CustomerRepository, HealthCheck, KnowledgeRepository, RefreshTokenRepository, Store,
    UserRepository, WebhookRepository,
};
use chat_domain::time::Timestamp;
use chat_domain::{DomainError, DomainResult};
use tokio::runtime::Handle;

/// A store whose every call is a task on `handle`'s runtime (see the module docs).
#[derive(Clone)]
pub struct Detached<S> {
    inner: S,
    handle: Handle,
}

impl<S: Store + Clone + 'static> Detached<S> {
    /// Wraps `inner`; calls run on `handle` (use a multi-thread runtime's).
    pub fn new(inner: S, handle: Handle) -> Self {
        Self { inner, handle }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = DomainResult<T>> + Send + 'static,
    ) -> DomainResult<T> {
        self.handle
            .spawn(work)
            .await
            .map_err(|e| DomainError::Internal(format!("store task: {e}")))?
    }
}

/// `detach!(self, method(args…))`: clones the store into a task running
/// `method`. Arguments must be owned (clone references before).
macro_rules! detach {
    ($self:ident, $method:ident ( $($arg:expr),* )) => {{
        let inner = $self.inner.clone();
        $self.run(async move { inner.$method($($arg),*).await }).await
    }};
}

#[async_trait]
impl<S: Store + Clone + 'static> UserRepository for Detached<S> {
    async fn create_user(&self, user: &User) -> DomainResult<()> {
        let user = user.clone();
        detach!(self, create_user(&user))
    }
    async fn user_by_id(&self, id: UserId) -> DomainResult<Option<User>> {
        detach!(self, user_by_id(id))
    }
    async fn user_by_email(&self, email: &str) -> DomainResult<Option<User>> {
        let email = email.to_owned();
        detach!(self, user_by_email(&email))
    }
    async fn count_users(&self) -> DomainResult<u64> {
        detach!(self, count_users())
    }
    async fn update_user(&self, user: &User) -> DomainResult<()> {
        let user = user.clone();
        detach!(self, update_user(&user))
    }
    async fn list_users(&self, after: Option<UserId>, limit: u32) -> DomainResult<Vec<User>> {
        detach!(self, list_users(after, limit))
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> RefreshTokenRepository for Detached<S> {
    async fn insert_refresh_token(&self, token: &RefreshToken) -> DomainResult<()> {
        let token = token.clone();
        detach!(self, insert_refresh_token(&token))
    }
    async fn refresh_token_by_hash(&self, token_hash: &str) -> DomainResult<Option<RefreshToken>> {
        let hash = token_hash.to_owned();
        detach!(self, refresh_token_by_hash(&hash))
    }
    async fn rotate_refresh_token(
        &self,
        old: RefreshTokenId,
        new: &RefreshToken,
        at: Timestamp,
    ) -> DomainResult<bool> {
        let new = new.clone();
        detach!(self, rotate_refresh_token(old, &new, at))
    }
    async fn revoke_token_family(&self, family: TokenFamilyId, at: Timestamp) -> DomainResult<u64> {
        detach!(self, revoke_token_family(family, at))
    }
    async fn revoke_user_tokens(&self, user: UserId, at: Timestamp) -> DomainResult<u64> {
        detach!(self, revoke_user_tokens(user, at))
    }
    async fn sessions_not_before(&self, user: UserId) -> DomainResult<Option<Timestamp>> {
        detach!(self, sessions_not_before(user))
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> CustomerRepository for Detached<S> {
    async fn create_customer(&self, customer: &Customer) -> DomainResult<()> {
        let customer = customer.clone();
        detach!(self, create_customer(&customer))
    }
    async fn customer_by_id(&self, id: CustomerId) -> DomainResult<Option<Customer>> {
        detach!(self, customer_by_id(id))
    }
    async fn customer_by_external_id(&self, external_id: &str) -> DomainResult<Option<Customer>> {
        let external_id = external_id.to_owned();
        detach!(self, customer_by_external_id(&external_id))
    }
    async fn list_customers(&self, filter: &CustomerFilter) -> DomainResult<Vec<Customer>> {
        let filter = filter.clone();
        detach!(self, list_customers(&filter))
    }
    async fn update_customer(
        &self,
        id: CustomerId,
        patch: &CustomerPatch,
        at: Timestamp,
    ) -> DomainResult<Customer> {
        let patch = patch.clone();
        detach!(self, update_customer(id, &patch, at))
    }
    async fn erase_customer(
        &self,
        id: CustomerId,
        at: Timestamp,
    ) -> DomainResult<(Customer, bool)> {
        detach!(self, erase_customer(id, at))
    }
    async fn rekey_customers(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> DomainResult<RekeyBatch> {
        detach!(self, rekey_customers(after, limit))
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> ConversationRepository for Detached<S> {
    async fn create_conversation(&self, conversation: &Conversation) -> DomainResult<()> {
        let conversation = conversation.clone();
        detach!(self, create_conversation(&conversation))
    }
    async fn conversation_by_id(&self, id: ConversationId) -> DomainResult<Option<Conversation>> {
        detach!(self, conversation_by_id(id))
    }
    async fn conversations_of_customer(
        &self,
        customer: CustomerId,
        before: Option<ConversationId>,
        limit: u32,
    ) -> DomainResult<Vec<Conversation>> {
        detach!(self, conversations_of_customer(customer, before, limit))
    }
    async fn append_messages(
        &self,
        messages: &[NewMessage],
    ) -> DomainResult<Vec<DomainResult<AppendOutcome>>> {
        let messages = messages.to_vec();
        detach!(self, append_messages(&messages))
    }
    async fn history(
        &self,
        conversation: ConversationId,
        query: HistoryQuery,
    ) -> DomainResult<Vec<Message>> {
        detach!(self, history(conversation, query))
    }
    async fn transition_conversation(
        &self,
        id: ConversationId,
        transition: Transition,
        at: Timestamp,
    ) -> DomainResult<(Conversation, Conversation)> {
        detach!(self, transition_conversation(id, transition, at))
    }
    async fn list_conversations(
        &self,
        filter: &ConversationFilter,
    ) -> DomainResult<Vec<Conversation>> {
        let filter = filter.clone();
        detach!(self, list_conversations(&filter))
    }
    async fn agent_loads(&self) -> DomainResult<Vec<(UserId, u32)>> {
        detach!(self, agent_loads())
    }
    async fn queue_position(&self, id: ConversationId) -> DomainResult<Option<u32>> {
        detach!(self, queue_position(id))
    }
    async fn set_labels(
        &self,
        id: ConversationId,
        labels: &[String],
        at: Timestamp,
    ) -> DomainResult<Conversation> {
        let labels = labels.to_vec();
        detach!(self, set_labels(id, &labels, at))
    }
    async fn rate_conversation(
        &self,
        id: ConversationId,
        score: i32,
        comment: Option<String>,
        at: Timestamp,
    ) -> DomainResult<Conversation> {
        detach!(self, rate_conversation(id, score, comment, at))
    }
    async fn set_snooze(
        &self,
        id: ConversationId,
        until: Option<Timestamp>,
        at: Timestamp,
    ) -> DomainResult<Conversation> {
        detach!(self, set_snooze(id, until, at))
    }
    async fn conversations_active_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> DomainResult<Vec<Conversation>> {
        detach!(self, conversations_active_between(from, to))
    }
    async fn queue_length(&self) -> DomainResult<u64> {
        detach!(self, queue_length())
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> KnowledgeRepository for Detached<S> {
    async fn create_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()> {
        let doc = doc.clone();
        detach!(self, create_doc(&doc))
    }
    async fn update_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()> {
        let doc = doc.clone();
        detach!(self, update_doc(&doc))
    }
    async fn delete_doc(&self, id: KnowledgeDocId) -> DomainResult<()> {
        detach!(self, delete_doc(id))
    }
    async fn doc_by_id(&self, id: KnowledgeDocId) -> DomainResult<Option<KnowledgeDoc>> {
        detach!(self, doc_by_id(id))
    }
    async fn list_docs(
        &self,
        after: Option<KnowledgeDocId>,
        limit: u32,
    ) -> DomainResult<Vec<KnowledgeDoc>> {
        detach!(self, list_docs(after, limit))
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> AuditRepository for Detached<S> {
    async fn record_audit(&self, entry: &AuditEntry) -> DomainResult<()> {
        let entry = entry.clone();
        detach!(self, record_audit(&entry))
    }
    async fn list_audit(&self, filter: &AuditFilter) -> DomainResult<Vec<AuditEntry>> {
        let filter = filter.clone();
        detach!(self, list_audit(&filter))
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> CannedRepository for Detached<S> {
    async fn create_canned(&self, response: &CannedResponse) -> DomainResult<()> {
        let response = response.clone();
        detach!(self, create_canned(&response))
    }
    async fn update_canned(&self, response: &CannedResponse) -> DomainResult<()> {
        let response = response.clone();
        detach!(self, update_canned(&response))
    }
    async fn delete_canned(&self, id: CannedResponseId) -> DomainResult<()> {
        detach!(self, delete_canned(id))
    }
    async fn canned_by_id(&self, id: CannedResponseId) -> DomainResult<Option<CannedResponse>> {
        detach!(self, canned_by_id(id))
    }
    async fn canned_for(&self, user: UserId) -> DomainResult<Vec<CannedResponse>> {
        detach!(self, canned_for(user))
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> WebhookRepository for Detached<S> {
    async fn create_webhook(&self, webhook: &Webhook) -> DomainResult<()> {
        let webhook = webhook.clone();
        detach!(self, create_webhook(&webhook))
    }
    async fn update_webhook(&self, webhook: &Webhook) -> DomainResult<()> {
        let webhook = webhook.clone();
        detach!(self, update_webhook(&webhook))
    }
    async fn set_webhook_enabled(
        &self,
        id: WebhookId,
        enabled: bool,
        at: Timestamp,
    ) -> DomainResult<Webhook> {
        detach!(self, set_webhook_enabled(id, enabled, at))
    }
    async fn delete_webhook(&self, id: WebhookId) -> DomainResult<()> {
        detach!(self, delete_webhook(id))
    }
    async fn webhook_by_id(&self, id: WebhookId) -> DomainResult<Option<Webhook>> {
        detach!(self, webhook_by_id(id))
    }
    async fn list_webhooks(
        &self,
        after: Option<WebhookId>,
        limit: u32,
    ) -> DomainResult<Vec<Webhook>> {
        detach!(self, list_webhooks(after, limit))
    }
    async fn enabled_webhooks(&self) -> DomainResult<Vec<Webhook>> {
        detach!(self, enabled_webhooks())
    }
    async fn enqueue_deliveries(&self, deliveries: &[WebhookDelivery]) -> DomainResult<()> {
        let deliveries = deliveries.to_vec();
        detach!(self, enqueue_deliveries(&deliveries))
    }
    async fn delivery_by_id(
        &self,
        webhook: WebhookId,
        id: WebhookDeliveryId,
    ) -> DomainResult<Option<WebhookDelivery>> {
        detach!(self, delivery_by_id(webhook, id))
    }
    async fn list_deliveries(&self, filter: &DeliveryFilter) -> DomainResult<Vec<WebhookDelivery>> {
        let filter = filter.clone();
        detach!(self, list_deliveries(&filter))
    }
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> DomainResult<DeliveryClaim> {
        detach!(self, claim_deliveries(now, lease_until, limit))
    }
    async fn settle_delivery(
        &self,
        id: WebhookDeliveryId,
        lease: &str,
        outcome: &DeliveryOutcome,
        disable_after: u32,
        reason: &str,
        at: Timestamp,
    ) -> DomainResult<Settled> {
        let (lease, outcome, reason) = (lease.to_owned(), outcome.clone(), reason.to_owned());
        detach!(
            self,
            settle_delivery(id, &lease, &outcome, disable_after, &reason, at)
        )
    }
    async fn retry_delivery(
        &self,
        webhook: WebhookId,
        id: WebhookDeliveryId,
        at: Timestamp,
    ) -> DomainResult<WebhookDelivery> {
        detach!(self, retry_delivery(webhook, id, at))
    }
    async fn prune_deliveries(&self, before: Timestamp) -> DomainResult<u64> {
        detach!(self, prune_deliveries(before))
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> HealthCheck for Detached<S> {
    async fn ping(&self) -> DomainResult<()> {
        detach!(self, ping())
    }
}

#[async_trait]
impl<S: Store + Clone + 'static> chat_domain::ports::InboxRepository for Detached<S> {
    async fn mark_read(
        &self,
        user: UserId,
        conversation: ConversationId,
        seq: i64,
    ) -> DomainResult<()> {
        detach!(self, mark_read(user, conversation, seq))
    }
    async fn summaries(
        &self,
        user: UserId,
        conversations: &[ConversationId],
    ) -> DomainResult<Vec<chat_domain::model::ConversationSummary>> {
        let conversations = conversations.to_vec();
        detach!(self, summaries(user, &conversations))
    }
}
