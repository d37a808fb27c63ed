//! Events: what one part of the system tells every other part, on every
//! node. They travel over the [`EventBus`](crate::ports::EventBus) as JSON,
//! so they are plain data, and a gateway turns each into frames for the
//! sockets that may see it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, UserId};
use crate::model::{Conversation, ConversationState, Message, SenderKind, Transition, string_enum};

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

string_enum!(
    /// What happened to a conversation: the `change` of
    /// [`Event::ConversationChanged`] and of the protocol's `conversation`
    /// frame. Clients render their notices from it, in their own language.
    ConversationChange {
        /// Just opened (answered by the assistant).
        Opened => "opened",
        /// The customer (or the assistant) asked for a person: queued.
        RequestHuman => "request_human",
        /// An agent accepted it from the queue.
        Accept => "accept",
        /// An agent took it over from the assistant.
        Takeover => "takeover",
        /// A supervisor assigned it to an agent.
        Assign => "assign",
        /// Its agent transferred it to another.
        Transfer => "transfer",
        /// Handed back to the assistant.
        HandBack => "hand_back",
        /// Closed.
        Close => "close",
        /// Reopened by an agent.
        Reopen => "reopen",
        /// Snoozed by its agent.
        Snooze => "snooze",
        /// Woken from a snooze.
        Unsnooze => "unsnooze",
        /// The customer rated it (CSAT).
        Rated => "rated",
        /// The customer left a message while support was away: a notice
        /// only (the `conversation` frame of the same moment says
        /// `request_human`).
        LeftMessage => "left_message",
    }
);

impl From<Transition> for ConversationChange {
    fn from(transition: Transition) -> Self {
        match transition {
            Transition::RequestHuman => Self::RequestHuman,
            Transition::Accept(_) => Self::Accept,
            Transition::Takeover(_) => Self::Takeover,
            Transition::Assign(_) => Self::Assign,
            Transition::Transfer(_) => Self::Transfer,
            Transition::HandBack => Self::HandBack,
            Transition::Close => Self::Close,
            Transition::Reopen(_) => Self::Reopen,
        }
    }
}

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
        /// The stored message, shared with the append's answer (the writer
        /// publishes what it answers without copying it).
        message: Arc<Message>,
    },
    /// A conversation was opened, or its state or assignee changed.
    ConversationChanged {
        /// The conversation as it is now.
        conversation: Conversation,
        /// Its state before, `None` when just opened.
        previous_state: Option<ConversationState>,
        /// Its assignee before.
        previous_assignee: Option<UserId>,
        /// What happened (on the wire, the transition's name — `accept`,
        /// `close`, … — or `opened`, `snooze`, `unsnooze`).
        change: ConversationChange,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    #[test]
    fn a_change_is_on_the_wire_what_the_string_was() {
        let agent = UserId::new();
        for t in [
            Transition::RequestHuman,
            Transition::Accept(agent),
            Transition::Takeover(agent),
            Transition::Assign(agent),
            Transition::Transfer(agent),
            Transition::HandBack,
            Transition::Close,
            Transition::Reopen(agent),
        ] {
            let change = ConversationChange::from(t);
            assert_eq!(change.as_str(), t.name());
            assert_eq!(
                serde_json::to_value(change).unwrap(),
                serde_json::json!(t.name())
            );
        }
        for change in ConversationChange::ALL {
            let text = serde_json::to_string(change).unwrap();
            assert_eq!(text, format!("\"{}\"", change.as_str()));
            assert_eq!(
                serde_json::from_str::<ConversationChange>(&text).unwrap(),
                *change
            );
        }
        assert!(serde_json::from_str::<ConversationChange>("\"renamed\"").is_err());
    }
}
