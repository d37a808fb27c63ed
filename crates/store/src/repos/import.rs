//! Bringing history across from another system (`chat-server import`): a
//! finished conversation and its messages written as they were, in one
//! transaction, or not at all.

use chat_domain::DomainResult;
use chat_domain::model::{Conversation, NewMessage};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::SqlStore;
use crate::db::with_tx;
use crate::rows::{ConversationRow, MessageRow};
use crate::schema::{conversations, messages};

impl SqlStore {
    /// Stores `conversation` as given (state, assignee, timestamps) with
    /// `messages` numbered 1, 2, … in the order given, and `last_seq` set to
    /// their count: gap-free, whatever the source's ids were. Writes nothing
    /// and returns `false` when a conversation with this id exists already,
    /// which makes a re-run of an import skip it. The customer must exist.
    ///
    /// Unlike [`append_messages`](chat_domain::ports::ConversationRepository::append_messages),
    /// nothing here is "now": the messages keep their own `created_at`, and
    /// first-response and update times are the conversation's own.
    pub async fn import_conversation(
        &self,
        conversation: &Conversation,
        messages: &[NewMessage],
    ) -> DomainResult<bool> {
        let mut row = ConversationRow::from(conversation);
        row.last_seq = i64::try_from(messages.len()).unwrap_or(i64::MAX);
        let rows: Vec<MessageRow> = messages
            .iter()
            .zip(1..)
            .map(|(m, seq)| MessageRow::new(m, seq))
            .collect();
        with_tx!(self, |tx| {
            let exists: Vec<String> = conversations::table
                .find(&row.id)
                .select(conversations::id)
                .load(tx)
                .await?;
            if !exists.is_empty() {
                return Ok(false);
            }
            diesel::insert_into(conversations::table)
                .values(&row)
                .execute(tx)
                .await?;
            // One row at a time: a multi-row insert does not compile for
            // SQLite through diesel-async, and this runs once per import.
            for m in &rows {
                diesel::insert_into(messages::table)
                    .values(m)
                    .execute(tx)
                    .await?;
            }
            Ok::<_, diesel::result::Error>(true)
        })
    }
}
