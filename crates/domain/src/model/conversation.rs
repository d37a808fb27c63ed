use serde::{Deserialize, Serialize};

use super::string_enum;
use crate::ids::{ConversationId, CustomerId, UserId};
use crate::time::{Timestamp, Timestamps};
use crate::{DomainError, DomainResult};

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Creation and last change (`created_at`, `updated_at` on the wire).
    #[serde(flatten)]
    pub times: Timestamps,
    /// When it entered the queue, while it is queued (queue order).
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub queued_at: Option<Timestamp>,
    /// When it was closed, if it is.
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    /// When a person was first asked for or took part (queued, taken over
    /// or assigned); `None` while only the assistant has answered.
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub handed_off_at: Option<Timestamp>,
    /// When an agent first answered the customer (private notes do not count).
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub first_response_at: Option<Timestamp>,
    /// The agent who sent that first answer (statistics credit it to them,
    /// whoever holds the conversation later).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_responder_id: Option<UserId>,
    /// Out of the inbox until then, unless the customer writes first.
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub snoozed_until: Option<Timestamp>,
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
            times: Timestamps::new(at),
            queued_at: None,
            closed_at: None,
            handed_off_at: None,
            first_response_at: None,
            first_responder_id: None,
            snoozed_until: None,
        }
    }
}

/// A requested change of a conversation's life-cycle state. Who may ask for
/// which is checked by the caller (gateway, REST); whether it is legal from
/// the current state is decided here, in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The customer (or the assistant) asks for a person: `bot → queued`.
    RequestHuman,
    /// An agent takes a queued conversation: `queued → human`.
    Accept(UserId),
    /// An agent takes over from the assistant at any moment: `bot → human`.
    Takeover(UserId),
    /// A supervisor assigns an agent: `bot | queued → human`.
    Assign(UserId),
    /// Hand a human conversation to another agent: `human → human`.
    Transfer(UserId),
    /// The agent gives the conversation back to the assistant: `human → bot`.
    HandBack,
    /// Anyone in charge ends it: any open state `→ closed`.
    Close,
    /// An agent opens a closed conversation again and takes it:
    /// `closed → human`.
    Reopen(UserId),
}

impl Transition {
    /// The stable name used in events and system messages.
    pub const fn name(&self) -> &'static str {
        match self {
            Transition::RequestHuman => "request_human",
            Transition::Accept(_) => "accept",
            Transition::Takeover(_) => "takeover",
            Transition::Assign(_) => "assign",
            Transition::Transfer(_) => "transfer",
            Transition::HandBack => "hand_back",
            Transition::Close => "close",
            Transition::Reopen(_) => "reopen",
        }
    }

    /// The states this transition may start from.
    pub const fn from_states(&self) -> &'static [ConversationState] {
        use ConversationState::*;
        match self {
            Transition::RequestHuman => &[Bot],
            Transition::Accept(_) => &[Queued],
            Transition::Takeover(_) => &[Bot],
            Transition::Assign(_) => &[Bot, Queued],
            Transition::Transfer(_) => &[Human],
            Transition::HandBack => &[Human],
            Transition::Close => &[Bot, Queued, Human],
            Transition::Reopen(_) => &[Closed],
        }
    }

    /// The state and assignee after the transition, given the current
    /// assignee. Closing keeps the assignee: who handled it stays on record.
    pub const fn target(&self, current: Option<UserId>) -> (ConversationState, Option<UserId>) {
        use ConversationState::*;
        match *self {
            Transition::RequestHuman => (Queued, None),
            Transition::Accept(a)
            | Transition::Takeover(a)
            | Transition::Assign(a)
            | Transition::Transfer(a)
            | Transition::Reopen(a) => (Human, Some(a)),
            Transition::HandBack => (Bot, None),
            Transition::Close => (Closed, current),
        }
    }

    /// Checks the transition against the current state.
    pub fn check(&self, current: ConversationState) -> DomainResult<()> {
        if self.from_states().contains(&current) {
            Ok(())
        } else {
            Err(DomainError::Conflict(format!(
                "cannot {} a conversation that is {current}",
                self.name().replace('_', " ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConversationState::*;

    #[test]
    fn the_life_cycle() {
        let a = UserId::new();
        let legal = [
            (Transition::RequestHuman, Bot, Queued),
            (Transition::Accept(a), Queued, Human),
            (Transition::Takeover(a), Bot, Human),
            (Transition::Assign(a), Queued, Human),
            (Transition::Transfer(a), Human, Human),
            (Transition::HandBack, Human, Bot),
            (Transition::Close, Bot, Closed),
            (Transition::Close, Queued, Closed),
            (Transition::Close, Human, Closed),
            (Transition::Reopen(a), Closed, Human),
        ];
        for (t, from, to) in legal {
            t.check(from).unwrap();
            assert_eq!(t.target(None).0, to, "{t:?}");
        }
        let illegal = [
            (Transition::RequestHuman, Human),
            (Transition::Accept(a), Bot),
            (Transition::HandBack, Queued),
            (Transition::Transfer(a), Queued),
            (Transition::Close, Closed),
            (Transition::Takeover(a), Closed),
            (Transition::Reopen(a), Human),
        ];
        for (t, from) in illegal {
            assert!(
                matches!(t.check(from), Err(DomainError::Conflict(_))),
                "{t:?} from {from}"
            );
        }
        assert_eq!(
            Transition::Close.target(Some(a)),
            (Closed, Some(a)),
            "closing keeps the assignee"
        );
        assert_eq!(
            Transition::HandBack.check(Queued).unwrap_err().to_string(),
            "cannot hand back a conversation that is queued"
        );
    }
}
