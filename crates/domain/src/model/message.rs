use serde::{Deserialize, Serialize};

use super::string_enum;
use crate::ids::{ConversationId, MessageId};
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

/// Largest message body accepted, in bytes (UTF-8).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Longest client message id accepted, in bytes.
pub const MAX_CLIENT_MSG_ID_LEN: usize = 64;

string_enum!(
    /// Who wrote a message.
    SenderKind {
        /// The customer.
        Customer => "customer",
        /// A human agent.
        Agent => "agent",
        /// The AI assistant.
        Bot => "bot",
        /// The system (state changes, notices).
        System => "system",
    }
);

string_enum!(
    /// What a message is.
    MessageKind {
        /// Ordinary text, delivered to everyone in the conversation.
        Text => "text",
        /// A life-cycle event (state change, assignment), as text for history.
        Event => "event",
        /// A note between staff, never delivered to the customer.
        PrivateNote => "private_note",
        /// A file (its metadata in `attachment`; `body` is its name).
        Attachment => "attachment",
    }
);

/// A persisted message. `seq` is per conversation, starts at 1, and has no gaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    /// Identity.
    pub id: MessageId,
    /// The conversation it belongs to.
    pub conversation_id: ConversationId,
    /// Position in the conversation: 1, 2, 3… without gaps.
    pub seq: i64,
    /// Who wrote it.
    pub sender_kind: SenderKind,
    /// The writer's id (user or customer) when there is one.
    pub sender_id: Option<String>,
    /// The staff writer's display name when the message was written (`None`
    /// for customers, the assistant and notices): a transfer or rename does
    /// not relabel earlier replies.
    #[serde(default)]
    pub sender_name: Option<String>,
    /// What it is.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// The sender's own id for it, which makes a resend idempotent.
    pub client_msg_id: Option<String>,
    /// The file, for messages of kind `attachment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<crate::attachment::AttachmentMeta>,
    /// What a notice (kind `event`) records, for clients to word in their
    /// reader's language; `body` keeps an English fallback. Absent on other
    /// kinds and on notices stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Notice>,
    /// When it was stored (UTC).
    #[serde(with = "crate::time::utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A message to append, validated. The store assigns `seq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    /// Pre-generated id (MySQL has no RETURNING).
    pub id: MessageId,
    /// Target conversation.
    pub conversation_id: ConversationId,
    /// Who wrote it.
    pub sender_kind: SenderKind,
    /// The writer's id, if any.
    pub sender_id: Option<String>,
    /// The staff writer's display name, stored with the message.
    pub sender_name: Option<String>,
    /// What it is.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// Idempotency key chosen by the sender.
    pub client_msg_id: Option<String>,
    /// The file, for messages of kind `attachment`.
    pub attachment: Option<crate::attachment::AttachmentMeta>,
    /// What a notice records (kind `event`).
    pub event: Option<Notice>,
    /// Creation time (UTC, microseconds).
    pub created_at: Timestamp,
    /// Store the message only if the conversation is in this state at the
    /// moment of writing (checked under the conversation's lock). The
    /// assistant posts with `Some(Bot)`: a takeover that wins the race means
    /// its reply is not stored.
    pub required_state: Option<super::ConversationState>,
    /// Store the message only if this user holds the conversation at the
    /// moment of writing: an agent's right to reply comes from holding it,
    /// and it is checked here, under the lock, not only against what the
    /// caller last read (which a transfer on another node may have changed).
    pub required_assignee: Option<crate::ids::UserId>,
}

impl NewMessage {
    /// Validates and builds a message to append.
    pub fn new(
        conversation_id: ConversationId,
        sender_kind: SenderKind,
        sender_id: Option<String>,
        kind: MessageKind,
        body: impl Into<String>,
        client_msg_id: Option<String>,
        at: Timestamp,
    ) -> DomainResult<Self> {
        let body = body.into();
        if body.trim().is_empty() {
            return Err(DomainError::invalid("body", "must not be empty"));
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(DomainError::invalid("body", "must be at most 16384 bytes"));
        }
        if let Some(sender) = &sender_id
            && uuid::Uuid::parse_str(sender).is_err()
        {
            return Err(DomainError::invalid(
                "sender_id",
                "must be a user or customer id",
            ));
        }
        if let Some(id) = &client_msg_id
            && (id.is_empty()
                || id.len() > MAX_CLIENT_MSG_ID_LEN
                || !id.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err(DomainError::invalid(
                "client_msg_id",
                "must be 1 to 64 printable ASCII characters",
            ));
        }
        Ok(Self {
            id: MessageId::new(),
            conversation_id,
            sender_kind,
            sender_id,
            sender_name: None,
            kind,
            body,
            client_msg_id,
            attachment: None,
            event: None,
            created_at: at,
            required_state: None,
            required_assignee: None,
        })
    }

    /// A system notice recording `notice`, with `fallback` as its body: the
    /// English text for clients that do not read [`Message::event`].
    pub fn notice(
        conversation_id: ConversationId,
        notice: Notice,
        fallback: impl Into<String>,
        at: Timestamp,
    ) -> DomainResult<Self> {
        let mut message = Self::new(
            conversation_id,
            SenderKind::System,
            None,
            MessageKind::Event,
            fallback,
            None,
            at,
        )?;
        message.event = Some(notice);
        Ok(message)
    }
}

/// Someone a notice names: who caused the change, or whom the conversation
/// went to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeParty {
    /// Customer, agent (any staff member), bot or system.
    pub kind: SenderKind,
    /// The user or customer id, when there is one.
    pub id: Option<String>,
    /// A staff member's display name when the notice was stored (never a
    /// customer's: notices outlive a customer's erasure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl NoticeParty {
    /// A party with no name (the customer, the assistant, the system).
    pub fn unnamed(kind: SenderKind, id: Option<String>) -> Self {
        Self {
            kind,
            id,
            name: None,
        }
    }
}

/// The structured content of a life-cycle notice: the change and who was
/// involved. The server stores it; each client words it in its reader's
/// language (the widget in the customer's, the console in the agent's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    /// What happened (the same names as the `conversation` frame's `change`).
    pub change: crate::events::ConversationChange,
    /// Who caused it.
    pub actor: NoticeParty,
    /// The agent the conversation went to (`accept`, `takeover`, `assign`,
    /// `transfer`, `reopen`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NoticeParty>,
    /// When support opens next (`left_message`, when business hours say):
    /// an instant, which each client shows in its reader's time zone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::utc_opt"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_opening: Option<Timestamp>,
}

impl Notice {
    /// The notice of a transition or other change that names no time.
    pub fn new(
        change: crate::events::ConversationChange,
        actor: NoticeParty,
        to: Option<NoticeParty>,
    ) -> Self {
        Self {
            change,
            actor,
            to,
            next_opening: None,
        }
    }
}

/// The result of an append: the stored message, and whether it was already
/// there (same conversation and client message id), in which case nothing new
/// was written and `message` is the first copy, with its original sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendOutcome {
    /// The stored message, behind an `Arc`: the message writer answers with
    /// it and publishes it in [`crate::events::Event::MessageCreated`], one
    /// copy for both.
    pub message: std::sync::Arc<Message>,
    /// True when this was a resend of an already stored message.
    pub duplicate: bool,
}

/// Which slice of a conversation's history to read. Results are always in
/// ascending sequence order; `limit` is capped by the store at 1000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryQuery {
    /// Messages with `seq > after`, oldest first (catch-up after reconnect).
    AfterSeq {
        /// Last sequence already seen (0 for "from the start").
        after: i64,
        /// Page size.
        limit: u32,
    },
    /// The `limit` messages just before `before` (scrolling back).
    BeforeSeq {
        /// First sequence already seen.
        before: i64,
        /// Page size.
        limit: u32,
    },
    /// Messages created in `[from, to)`.
    Between {
        /// Inclusive lower bound (UTC).
        from: Timestamp,
        /// Exclusive upper bound (UTC).
        to: Timestamp,
        /// Page size.
        limit: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::now;

    fn msg(body: &str, cmid: Option<&str>) -> DomainResult<NewMessage> {
        NewMessage::new(
            ConversationId::new(),
            SenderKind::Customer,
            None,
            MessageKind::Text,
            body,
            cmid.map(str::to_owned),
            now(),
        )
    }

    #[test]
    fn message_rules() {
        assert!(msg("你好", Some("c-1")).is_ok());
        assert!(msg("   ", None).is_err());
        assert!(msg(&"x".repeat(MAX_BODY_BYTES + 1), None).is_err());
        assert!(msg("hi", Some("")).is_err());
        assert!(msg("hi", Some("has space")).is_err());
        assert!(msg("hi", Some(&"a".repeat(65))).is_err());
    }
}
