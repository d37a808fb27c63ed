//! What an agent's inbox shows of each conversation beyond its own row:
//! unread count (from the agent's stored read position), last message,
//! how long the customer has been waiting for an answer.

use serde::Serialize;

use super::SenderKind;
use crate::ids::ConversationId;
use crate::time::Timestamp;

/// Longest preview kept of the last message, in characters.
pub const PREVIEW_CHARS: usize = 140;

/// The last message of a conversation, cut for a list row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagePreview {
    /// Who wrote it.
    pub sender_kind: SenderKind,
    /// The staff writer's name, for agent messages.
    pub sender_name: Option<String>,
    /// The first [`PREVIEW_CHARS`] characters of the text.
    pub body: String,
    /// When it was stored (UTC).
    #[serde(with = "crate::time::utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// One conversation as one staff member's inbox shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationSummary {
    /// Which conversation.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub conversation_id: ConversationId,
    /// Customer messages after this staff member's read position (counted
    /// among the last [`SUMMARY_WINDOW`] messages at most).
    pub unread: u32,
    /// Their read position (0: never opened).
    pub read_seq: i64,
    /// The conversation's last sequence when this was read: a message with
    /// a higher one arrived later (what a live client adds to `unread`).
    pub last_seq: i64,
    /// The last text message (notes included; notices not).
    pub last_message: Option<MessagePreview>,
    /// When the oldest customer message no agent has answered yet was sent;
    /// `None` when the last word was an agent's (or nobody wrote).
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub waiting_since: Option<Timestamp>,
    /// The customer's name, when they gave one.
    pub customer_name: Option<String>,
}

/// How many of a conversation's latest messages a summary reads.
pub const SUMMARY_WINDOW: i64 = 100;

/// Cuts `body` to [`PREVIEW_CHARS`] characters, with an ellipsis when cut.
pub fn preview(body: &str) -> String {
    let mut chars = body.chars();
    let cut: String = chars.by_ref().take(PREVIEW_CHARS).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_cut_on_characters() {
        assert_eq!(preview("你好"), "你好");
        let long = "é".repeat(200);
        assert_eq!(preview(&long).chars().count(), PREVIEW_CHARS + 1);
    }
}
