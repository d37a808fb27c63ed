use serde::Serialize;

use super::string_enum;
use crate::ids::{ConversationId, CustomerId, UserId};
use crate::time::Timestamp;

string_enum!(
    /// Where a conversation is in its life cycle.
    ConversationState {
        /// The assistant answers.
        Bot => "bot",
        /// Waiting for a human agent.
        Queued => "queued",
        /// A human agent is in charge.
        Human => "human",
        /// Finished; can be rated.
        Closed => "closed",
    }
);

impl ConversationState {
    /// Every state except `closed` is open.
    pub const fn is_open(&self) -> bool {
        !matches!(self, ConversationState::Closed)
    }
}

/// One conversation between a customer and support.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conversation {
    /// Identity.
    pub id: ConversationId,
    /// Whose conversation it is.
    pub customer_id: CustomerId,
    /// Life-cycle state.
    pub state: ConversationState,
    /// The agent in charge, if any.
    pub assignee_id: Option<UserId>,
    /// Free-form labels.
    pub labels: Vec<String>,
    /// Sequence of the last message; the next message gets `last_seq + 1`.
    pub last_seq: i64,
    /// Customer satisfaction score (1–5) after close.
    pub csat_score: Option<i32>,
    /// Customer's comment with the score.
    pub csat_comment: Option<String>,
    /// Creation time (UTC).
    #[serde(with = "crate::time::utc")]
    pub created_at: Timestamp,
    /// Last change (UTC).
    #[serde(with = "crate::time::utc")]
    pub updated_at: Timestamp,
    /// When it was closed, if it is.
    #[serde(with = "crate::time::utc_opt")]
    pub closed_at: Option<Timestamp>,
}

impl Conversation {
    /// A fresh conversation: answered by the assistant, no messages yet.
    pub fn open(customer_id: CustomerId, at: Timestamp) -> Self {
        Self {
            id: ConversationId::new(),
            customer_id,
            state: ConversationState::Bot,
            assignee_id: None,
            labels: Vec::new(),
            last_seq: 0,
            csat_score: None,
            csat_comment: None,
            created_at: at,
            updated_at: at,
            closed_at: None,
        }
    }
}
