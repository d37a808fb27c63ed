//! Events: what one part of the system tells every other part, on every
//! node. They travel over the [`EventBus`](crate::ports::EventBus) as JSON,
//! so they are plain data, and a gateway turns each into frames for the
//! sockets that may see it.

use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, UserId};
use crate::model::{Conversation, ConversationState, Message, SenderKind, string_enum};

string_enum!(
    /// An agent's availability.
    PresenceStatus {
        /// Connected and taking conversations.
        Online => "online",
        /// Connected, not taking new conversations.
        Away => "away",
        /// No live connection on any node.
        Offline => "offline",
    }
);

/// Who did something (typing, reading, changing state).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Customer, agent, bot or system.
    pub kind: SenderKind,
    /// User or customer id, when there is one.
    pub id: Option<String>,
}

/// Something that happened, for every node and every socket allowed to see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A message was stored (it has its sequence). Private notes travel too;
    /// transports must never deliver them to customers.
    MessageCreated {
        /// The stored message.
        message: Message,
    },
    /// A conversation was opened, or its state or assignee changed.
    ConversationChanged {
        /// The conversation as it is now.
        conversation: Conversation,
        /// Its state before, `None` when just opened.
        previous_state: Option<ConversationState>,
        /// Its assignee before.
        previous_assignee: Option<UserId>,
        /// The transition's name (`accept`, `close`, …) or `opened`.
        change: String,
        /// Who caused it.
        by: Actor,
    },
    /// Someone started or stopped typing.
    Typing {
        /// Where.
        conversation_id: ConversationId,
        /// Who.
        actor: Actor,
        /// Started (`true`) or stopped.
        on: bool,
    },
    /// Someone has read everything up to a sequence.
    Read {
        /// Where.
        conversation_id: ConversationId,
        /// Who.
        actor: Actor,
        /// Highest sequence read.
        up_to_seq: i64,
    },
    /// An agent's presence changed.
    Presence {
        /// Whose.
        agent_id: UserId,
        /// Now.
        status: PresenceStatus,
    },
    /// A queued conversation is offered to one agent (the least loaded online
    /// agent with free capacity); any eligible agent may still accept it.
    Offer {
        /// Which.
        conversation_id: ConversationId,
        /// To whom.
        agent_id: UserId,
    },
    /// A queued conversation has waited longer than the threshold.
    QueueAlert {
        /// Which.
        conversation_id: ConversationId,
        /// How long it has waited, in seconds.
        waited_secs: u64,
    },
    /// A piece of an assistant reply being generated; the reply ends as one
    /// stored message (`MessageCreated`) carrying the same `reply_id` as its
    /// client message id.
    AiDelta {
        /// Where.
        conversation_id: ConversationId,
        /// Identifies the reply being streamed.
        reply_id: String,
        /// The next piece of text.
        delta: String,
        /// True when the draft so far is abandoned: the client discards
        /// what it has for this `reply_id` before appending `delta` (a
        /// stream that broke midway, replaced by a fallback).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reset: bool,
    },
    /// A customer rated a closed conversation (CSAT). Staff sockets following
    /// it receive it as a `conversation` frame (change `rated`).
    CsatSubmitted {
        /// The conversation, with its score and comment.
        conversation: Conversation,
    },
    /// Webhook subscriptions changed (created, edited, deleted, disabled):
    /// every node reloads its subscription cache. Not sent to sockets.
    WebhooksChanged,
    /// A staff member's sessions were revoked (deactivated, role changed,
    /// password changed or reset, "log out everywhere"): every node closes
    /// their open sockets at once. Not sent to sockets as a frame.
    SessionsRevoked {
        /// Whose sessions.
        user_id: crate::ids::UserId,
    },
}

impl Event {
    /// The conversation the event is about, if any.
    pub fn conversation_id(&self) -> Option<ConversationId> {
        match self {
            Event::MessageCreated { message } => Some(message.conversation_id),
            Event::ConversationChanged { conversation, .. }
            | Event::CsatSubmitted { conversation } => Some(conversation.id),
            Event::Typing {
                conversation_id, ..
            }
            | Event::Read {
                conversation_id, ..
            }
            | Event::QueueAlert {
                conversation_id, ..
            }
            | Event::Offer {
                conversation_id, ..
            }
            | Event::AiDelta {
                conversation_id, ..
            } => Some(*conversation_id),
            Event::Presence { .. } | Event::WebhooksChanged | Event::SessionsRevoked { .. } => None,
        }
    }
}
