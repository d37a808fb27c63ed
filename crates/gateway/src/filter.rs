//! What one socket does with an event the hub hands it: a pure function of
//! who the socket is, what it has been sent and the event, so that the
//! delivery rules are tested without sockets, stores or buses.
//!
//! The hub already picked the sockets that may be concerned (followers,
//! staff, one agent); this is the rest of the decision: the sequence rule
//! for messages, private notes hidden from customers, one's own typing not
//! echoed, and following dropped once a conversation is no longer visible.

use chat_domain::access;
use chat_domain::auth::Principal;
use chat_domain::events::{Actor, Event};
use chat_domain::ids::ConversationId;
use chat_domain::model::{Conversation, Message, MessageKind, SenderKind};

use crate::protocol::ServerFrame;

/// What to do with one event.
#[derive(Debug)]
pub enum Outgoing<'a> {
    /// Nothing for this socket.
    Skip,
    /// A message of a followed conversation, newer than the last sent.
    Message {
        /// The message.
        message: &'a Message,
        /// Messages between the last sent and this one are missing: read
        /// them from the store first.
        gap: bool,
        /// Not to be shown (a private note to a customer): only the
        /// sequence moves on.
        hidden: bool,
    },
    /// A frame to send.
    Frame(ServerFrame<'a>),
    /// The customer rated a conversation (staff following it see it; the
    /// frame is [`rated`]).
    Rated(&'a Conversation),
    /// A conversation changed: send the frame; when `unfollow`, it is no
    /// longer this socket's to see, and it stops following it.
    Changed {
        /// The `conversation` frame.
        frame: ServerFrame<'a>,
        /// Which conversation.
        conversation: ConversationId,
        /// Stop following it.
        unfollow: bool,
    },
}

/// Decides what a socket of `principal` does with `event`; `last_sent` gives
/// the last sequence sent per followed conversation (`None`: not followed).
pub fn outgoing<'a>(
    principal: &Principal,
    last_sent: impl Fn(ConversationId) -> Option<i64>,
    event: &'a Event,
) -> Outgoing<'a> {
    match event {
        Event::MessageCreated { message } => {
            let Some(last) = last_sent(message.conversation_id) else {
                return Outgoing::Skip;
            };
            if message.seq <= last {
                // Already sent (a duplicate from a reconnect or another node).
                return Outgoing::Skip;
            }
            Outgoing::Message {
                message,
                gap: message.seq > last + 1,
                hidden: message.kind == MessageKind::PrivateNote
                    && matches!(principal, Principal::Customer { .. }),
            }
        }
        Event::ConversationChanged {
            conversation,
            previous_state,
            change,
            by,
            ..
        } => Outgoing::Changed {
            frame: ServerFrame::Conversation {
                change: change.as_str(),
                conversation,
                previous_state: *previous_state,
                by,
            },
            conversation: conversation.id,
            // Taken by someone else: no longer this agent's to follow.
            unfollow: !access::can_view(principal, conversation),
        },
        Event::Typing {
            conversation_id,
            actor,
            on,
        } => {
            if is_self(principal, actor) {
                return Outgoing::Skip;
            }
            Outgoing::Frame(ServerFrame::Typing {
                conversation_id: *conversation_id,
                actor,
                on: *on,
            })
        }
        Event::Read {
            conversation_id,
            actor,
            up_to_seq,
        } => Outgoing::Frame(ServerFrame::Read {
            conversation_id: *conversation_id,
            actor,
            up_to_seq: *up_to_seq,
        }),
        Event::Presence { agent_id, status } => Outgoing::Frame(ServerFrame::Presence {
            agent_id: *agent_id,
            status: *status,
        }),
        Event::Offer {
            conversation_id, ..
        } => Outgoing::Frame(ServerFrame::Offer {
            conversation_id: *conversation_id,
        }),
        Event::QueueAlert {
            conversation_id,
            waited_secs,
        } => Outgoing::Frame(ServerFrame::QueueAlert {
            conversation_id: *conversation_id,
            waited_secs: *waited_secs,
        }),
        Event::AiDelta {
            conversation_id,
            reply_id,
            delta,
            reset,
        } => Outgoing::Frame(ServerFrame::AiDelta {
            conversation_id: *conversation_id,
            reply_id,
            delta,
            reset: *reset,
        }),
        Event::CsatSubmitted { conversation } => Outgoing::Rated(conversation),
        // The hub sends these to no socket.
        Event::WebhooksChanged | Event::SessionsRevoked { .. } => Outgoing::Skip,
    }
}

/// The `conversation` frame of a rating, `by` being [`rated_by`].
pub fn rated<'a>(conversation: &'a Conversation, by: &'a Actor) -> ServerFrame<'a> {
    ServerFrame::Conversation {
        change: chat_domain::events::ConversationChange::Rated.as_str(),
        conversation,
        previous_state: Some(conversation.state),
        by,
    }
}

/// Who rates a conversation: its customer.
pub fn rated_by(conversation: &Conversation) -> Actor {
    Actor {
        kind: SenderKind::Customer,
        id: Some(conversation.customer_id.to_string()),
    }
}

/// Is `actor` the socket's own principal?
fn is_self(principal: &Principal, actor: &Actor) -> bool {
    actor.id.as_deref() == Some(own_id(principal).as_str())
}

/// Did the socket's own principal write `message`?
pub fn written_by(principal: &Principal, message: &Message) -> bool {
    let kind = match principal {
        Principal::Customer { .. } => SenderKind::Customer,
        Principal::Staff { .. } => SenderKind::Agent,
    };
    message.sender_kind == kind && message.sender_id.as_deref() == Some(own_id(principal).as_str())
}

/// The principal's id as events and messages carry it.
fn own_id(principal: &Principal) -> String {
    match principal {
        Principal::Customer { customer_id } => customer_id.to_string(),
        Principal::Staff { user_id, .. } => user_id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_domain::ids::{CustomerId, UserId};
    use chat_domain::model::{ConversationState, Role};
    use chat_domain::time::now;

    fn customer() -> (Principal, CustomerId) {
        let id = CustomerId::new();
        (Principal::Customer { customer_id: id }, id)
    }

    fn message(conversation: ConversationId, seq: i64, kind: MessageKind) -> Event {
        Event::MessageCreated {
            message: std::sync::Arc::new(Message {
                id: chat_domain::ids::MessageId::new(),
                conversation_id: conversation,
                seq,
                sender_kind: SenderKind::Agent,
                sender_id: None,
                sender_name: None,
                kind,
                body: "hi".into(),
                attachment: None,
                event: None,
                client_msg_id: None,
                created_at: now(),
            }),
        }
    }

    #[test]
    fn messages_follow_the_sequence_rule() {
        let (who, _) = customer();
        let c = ConversationId::new();
        let last = |id: ConversationId| (id == c).then_some(4);
        let verdict = |seq, kind| {
            let e = message(c, seq, kind);
            match outgoing(&who, last, &e) {
                Outgoing::Skip => None,
                Outgoing::Message { gap, hidden, .. } => Some((gap, hidden)),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(verdict(4, MessageKind::Text), None, "already sent");
        assert_eq!(verdict(5, MessageKind::Text), Some((false, false)));
        assert_eq!(verdict(7, MessageKind::Text), Some((true, false)), "a gap");
        assert_eq!(
            verdict(5, MessageKind::PrivateNote),
            Some((false, true)),
            "a note is hidden from a customer, its sequence still counts"
        );
        // Not followed: nothing.
        let other = message(ConversationId::new(), 1, MessageKind::Text);
        assert!(matches!(outgoing(&who, last, &other), Outgoing::Skip));
        // Staff see notes.
        let agent = Principal::Staff {
            user_id: UserId::new(),
            role: Role::Agent,
        };
        let note = message(c, 5, MessageKind::PrivateNote);
        assert!(matches!(
            outgoing(&agent, last, &note),
            Outgoing::Message { hidden: false, .. }
        ));
    }

    #[test]
    fn a_message_is_ones_own_by_kind_and_id() {
        let (who, id) = customer();
        let Event::MessageCreated { message } =
            message(ConversationId::new(), 1, MessageKind::Text)
        else {
            unreachable!()
        };
        let mut m = std::sync::Arc::unwrap_or_clone(message);
        m.sender_kind = SenderKind::Customer;
        m.sender_id = Some(id.to_string());
        assert!(written_by(&who, &m));
        m.sender_id = Some(CustomerId::new().to_string());
        assert!(!written_by(&who, &m), "another customer's");
        m.sender_id = None;
        assert!(!written_by(&who, &m), "the assistant's or a notice");
        // A staff member whose id happens to be written as a customer's.
        let user_id = UserId::new();
        let staff = Principal::Staff {
            user_id,
            role: Role::Agent,
        };
        m.sender_id = Some(user_id.to_string());
        assert!(!written_by(&staff, &m));
        m.sender_kind = SenderKind::Agent;
        assert!(written_by(&staff, &m));
    }

    #[test]
    fn own_typing_is_not_echoed() {
        let (who, id) = customer();
        let typing = |actor_id: String| Event::Typing {
            conversation_id: ConversationId::new(),
            actor: Actor {
                kind: SenderKind::Customer,
                id: Some(actor_id),
            },
            on: true,
        };
        let mine = typing(id.to_string());
        assert!(matches!(outgoing(&who, |_| None, &mine), Outgoing::Skip));
        let theirs = typing(UserId::new().to_string());
        assert!(matches!(
            outgoing(&who, |_| None, &theirs),
            Outgoing::Frame(ServerFrame::Typing { on: true, .. })
        ));
    }

    #[test]
    fn a_conversation_taken_by_someone_else_is_unfollowed() {
        let me = UserId::new();
        let agent = Principal::Staff {
            user_id: me,
            role: Role::Agent,
        };
        let mut conversation = Conversation::open(CustomerId::new(), now());
        conversation.state = ConversationState::Human;
        let changed = |assignee| {
            let mut c = conversation.clone();
            c.assignee_id = Some(assignee);
            Event::ConversationChanged {
                conversation: c,
                previous_state: Some(ConversationState::Queued),
                previous_assignee: None,
                change: chat_domain::events::ConversationChange::Accept,
                by: Actor {
                    kind: SenderKind::Agent,
                    id: None,
                },
            }
        };
        let mine = changed(me);
        assert!(matches!(
            outgoing(&agent, |_| Some(0), &mine),
            Outgoing::Changed {
                unfollow: false,
                ..
            }
        ));
        let theirs = changed(UserId::new());
        assert!(matches!(
            outgoing(&agent, |_| Some(0), &theirs),
            Outgoing::Changed { unfollow: true, .. }
        ));
    }

    #[test]
    fn a_rating_reads_as_a_conversation_change_and_bus_only_events_are_skipped() {
        let (who, _) = customer();
        let rating = Event::CsatSubmitted {
            conversation: Conversation::open(CustomerId::new(), now()),
        };
        let Outgoing::Rated(conversation) = outgoing(&who, |_| None, &rating) else {
            panic!("a rating");
        };
        let by = rated_by(conversation);
        let text = rated(conversation, &by).to_text();
        assert!(text.contains(r#""change":"rated""#), "{text}");
        assert!(text.contains(&conversation.customer_id.to_string()));
        assert!(matches!(
            outgoing(&who, |_| None, &Event::WebhooksChanged),
            Outgoing::Skip
        ));
    }
}
