//! Ports: the traits the rest of the system uses to reach persistence.
//!
//! `chat-store` implements all of them for SQLite and MySQL; tests or another
//! embedding service may implement them differently. They are object-safe
//! (`Arc<dyn Store>`) so that only the binary knows the concrete type.

use async_trait::async_trait;

use crate::DomainResult;
use crate::auth::RefreshToken;
use crate::ids::{
    ConversationId, CustomerId, KnowledgeDocId, RefreshTokenId, TokenFamilyId, UserId,
};
use crate::model::{
    AppendOutcome, AuditEntry, AuditFilter, Conversation, Customer, HistoryQuery, KnowledgeDoc,
    Message, NewMessage, User,
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
}

/// Conversations and their messages.
#[async_trait]
pub trait ConversationRepository: Send + Sync {
    /// Inserts a conversation (its customer must exist).
    async fn create_conversation(&self, conversation: &Conversation) -> DomainResult<()>;
    /// Looks a conversation up by id.
    async fn conversation_by_id(&self, id: ConversationId) -> DomainResult<Option<Conversation>>;
    /// A customer's conversations, newest first.
    async fn conversations_of_customer(
        &self,
        customer: CustomerId,
        limit: u32,
    ) -> DomainResult<Vec<Conversation>>;
    /// Appends messages, each getting the next sequence of its conversation
    /// atomically. One result per input, in order. A message whose
    /// `(conversation, client_msg_id)` is already stored is not stored again:
    /// its outcome is the stored copy with `duplicate = true`. A message for a
    /// conversation that does not exist fails alone with `NotFound`.
    ///
    /// Implementations may commit the whole slice in one transaction; a
    /// message is durable when its result is returned.
    async fn append_messages(
        &self,
        messages: &[NewMessage],
    ) -> DomainResult<Vec<DomainResult<AppendOutcome>>>;
    /// Reads a slice of history, in ascending sequence order.
    async fn history(
        &self,
        conversation: ConversationId,
        query: HistoryQuery,
    ) -> DomainResult<Vec<Message>>;
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

/// The audit log: append-only.
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Records one entry.
    async fn record_audit(&self, entry: &AuditEntry) -> DomainResult<()>;
    /// Reads entries, newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> DomainResult<Vec<AuditEntry>>;
}

/// Liveness of the backing database, for readiness probes.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Succeeds when a round trip to the database works now.
    async fn ping(&self) -> DomainResult<()>;
}

/// Everything a store provides, as one object-safe trait.
pub trait Store:
    UserRepository
    + RefreshTokenRepository
    + CustomerRepository
    + ConversationRepository
    + KnowledgeRepository
    + AuditRepository
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
        + HealthCheck
{
}
