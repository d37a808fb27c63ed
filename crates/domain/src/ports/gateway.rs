//! What the real-time gateway needs from the rest of the system: the
//! conversations a socket reads and changes ([`RealtimeConversations`]) and
//! the agents' presence on this node ([`AgentPresence`]).
//!
//! `chat-session` implements both; a gateway embedded elsewhere (or tested
//! alone) may bring its own. Access rules are the implementation's to
//! enforce, except where a method says the caller checked already.

use async_trait::async_trait;

use crate::DomainResult;
use crate::auth::Principal;
use crate::events::{Actor, PresenceStatus};
use crate::ids::{ConversationId, CustomerId, UserId};
use crate::model::{Conversation, Message};
use crate::ports::ConversationCommands;

/// The conversation use cases a socket drives, on top of the commands every
/// transport shares (posting and life-cycle transitions).
#[async_trait]
pub trait RealtimeConversations: ConversationCommands {
    /// Confirms a principal taken from a verified token against current
    /// records: staff must still exist and be active, with the role read
    /// now (a demotion applies at once); a customer must still exist with
    /// their data (an erased customer's tokens stop working at once).
    /// `Unauthenticated` when not.
    async fn confirm(&self, claimed: Principal) -> DomainResult<Principal>;

    /// Opens a new conversation for a customer, answered by the assistant.
    async fn open(&self, customer: CustomerId) -> DomainResult<Conversation>;

    /// A conversation `who` may see, read now (`NotFound` otherwise, so that
    /// other people's ids cannot be probed).
    async fn visible(&self, who: &Principal, id: ConversationId) -> DomainResult<Conversation>;

    /// Up to `limit` stored messages after sequence `after_seq`, in order,
    /// private notes included. Access is the caller's to check first (with
    /// [`Self::visible`]): catch-up pages must follow sequences, so
    /// filtering for customers is left to the caller too.
    async fn messages_after(
        &self,
        id: ConversationId,
        after_seq: i64,
        limit: u32,
    ) -> DomainResult<Vec<Message>>;

    /// The 1-based place in the queue of a conversation `who` may see
    /// (`None`: not queued).
    async fn queue_position(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> DomainResult<Option<u32>>;

    /// `who` started (`on`) or stopped typing in a conversation they may see;
    /// published to its followers.
    async fn typing(&self, who: &Principal, id: ConversationId, on: bool) -> DomainResult<()>;

    /// The stored read positions of `conversation` that `who` (who may see
    /// it) is shown when they follow it: a customer, how far staff have
    /// read; staff, how far the customer has. Each comes as the reader and
    /// their position; positions at 0 are left out.
    async fn read_positions(
        &self,
        who: &Principal,
        conversation: &Conversation,
    ) -> DomainResult<Vec<(Actor, i64)>>;
}

/// The presence of the agents connected to this node: the gateway reports
/// sockets coming and going, the implementation keeps the shared registry
/// current (refreshing entries before they expire) and announces changes.
#[async_trait]
pub trait AgentPresence: Send + Sync {
    /// `agent` opened their first socket on this node: online, unless they
    /// already said otherwise here.
    async fn connected(&self, agent: UserId);
    /// `agent`'s last socket on this node closed: their entry here goes, and
    /// what the other nodes report (or offline) is announced.
    async fn disconnected(&self, agent: UserId);
    /// `agent` sets their status: `online` or `away` (`Validation` error for
    /// `offline`, which only disconnecting means).
    async fn set_status(&self, agent: UserId, status: PresenceStatus) -> DomainResult<()>;
}
