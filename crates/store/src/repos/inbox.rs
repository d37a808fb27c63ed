//! Read positions and inbox summaries (`InboxRepository`).

use std::collections::HashMap;

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::ids::{ConversationId, UserId};
use chat_domain::model::{
    ConversationSummary, MessageKind, MessagePreview, SUMMARY_WINDOW, SenderKind, preview,
};
use chat_domain::ports::{
    ConversationRepository, CustomerRepository, InboxRepository, ReadPositions,
};
use chat_domain::time::{Timestamp, now};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::SqlStore;
use crate::db::with_conn;
use crate::error::db_err;
use crate::rows::parse;
use crate::schema::{conversation_reads as reads, customer_reads, messages};

/// The columns a summary reads of each recent message.
type Recent = (i64, String, Option<String>, String, String, Timestamp);

#[async_trait]
impl InboxRepository for SqlStore {
    async fn mark_customer_read(&self, conversation: ConversationId, seq: i64) -> DomainResult<()> {
        let (conversation, at) = (conversation.to_string(), now());
        // Forward only, like `mark_read`.
        let forward = diesel::update(
            customer_reads::table
                .filter(customer_reads::conversation_id.eq(conversation.clone()))
                .filter(customer_reads::last_read_seq.lt(seq)),
        )
        .set((
            customer_reads::last_read_seq.eq(seq),
            customer_reads::updated_at.eq(at),
        ));
        let insert = diesel::insert_or_ignore_into(customer_reads::table).values((
            customer_reads::conversation_id.eq(conversation),
            customer_reads::last_read_seq.eq(seq),
            customer_reads::updated_at.eq(at),
        ));
        self.advance(forward, insert).await
    }

    async fn read_positions(&self, conversation: ConversationId) -> DomainResult<ReadPositions> {
        let key = conversation.to_string();
        let (customer, staff): (Vec<i64>, Vec<(String, i64)>) = with_conn!(self, |conn| {
            let customer = customer_reads::table
                .filter(customer_reads::conversation_id.eq(&key))
                .select(customer_reads::last_read_seq)
                .load(conn)
                .await
                .map_err(db_err)?;
            let staff = reads::table
                .filter(reads::conversation_id.eq(&key))
                .order((reads::last_read_seq.desc(), reads::updated_at.asc()))
                .limit(1)
                .select((reads::user_id, reads::last_read_seq))
                .load(conn)
                .await
                .map_err(db_err)?;
            (customer, staff)
        });
        let staff = match staff.into_iter().next() {
            Some((user, seq)) if seq > 0 => {
                Some((parse("conversation_reads.user_id", &user)?, seq))
            }
            _ => None,
        };
        Ok(ReadPositions {
            customer: customer.into_iter().next().unwrap_or(0),
            staff,
        })
    }

    async fn mark_read(
        &self,
        user: UserId,
        conversation: ConversationId,
        seq: i64,
    ) -> DomainResult<()> {
        let (user, conversation, at) = (user.to_string(), conversation.to_string(), now());
        // Forward only (see `SqlStore::advance`).
        let forward = diesel::update(
            reads::table
                .filter(reads::user_id.eq(user.clone()))
                .filter(reads::conversation_id.eq(conversation.clone()))
                .filter(reads::last_read_seq.lt(seq)),
        )
        .set((reads::last_read_seq.eq(seq), reads::updated_at.eq(at)));
        let insert = diesel::insert_or_ignore_into(reads::table).values((
            reads::user_id.eq(user),
            reads::conversation_id.eq(conversation),
            reads::last_read_seq.eq(seq),
            reads::updated_at.eq(at),
        ));
        self.advance(forward, insert).await
    }

    async fn summaries(
        &self,
        user: UserId,
        conversations: &[ConversationId],
    ) -> DomainResult<Vec<ConversationSummary>> {
        let ids: Vec<String> = conversations.iter().map(ToString::to_string).collect();
        let positions: Vec<(String, i64)> = self
            .load(
                reads::table
                    .filter(reads::user_id.eq(user.to_string()))
                    .filter(reads::conversation_id.eq_any(ids.clone()))
                    .select((reads::conversation_id, reads::last_read_seq)),
            )
            .await?;
        let positions: HashMap<String, i64> = positions.into_iter().collect();
        let mut out = Vec::with_capacity(conversations.len());
        for (id, key) in conversations.iter().zip(&ids) {
            let Some(conv) = self.conversation_by_id(*id).await? else {
                continue;
            };
            // The latest messages, newest first, over the (conversation, seq) key.
            let recent: Vec<Recent> = self
                .load(
                    messages::table
                        .filter(messages::conversation_id.eq(key.clone()))
                        .filter(messages::kind.ne(MessageKind::Event.as_str()))
                        .order(messages::seq.desc())
                        .limit(SUMMARY_WINDOW)
                        .select((
                            messages::seq,
                            messages::sender_kind,
                            messages::sender_name,
                            messages::kind,
                            messages::body,
                            messages::created_at,
                        )),
                )
                .await?;
            let read_seq = positions.get(key).copied().unwrap_or(0);
            let customer = SenderKind::Customer.as_str();
            // What a person wrote: text, or a file they sent.
            let written = |kind: &str| {
                kind == MessageKind::Text.as_str() || kind == MessageKind::Attachment.as_str()
            };
            let unread = recent
                .iter()
                .filter(|(seq, sender, _, kind, _, _)| {
                    *seq > read_seq && sender == customer && written(kind)
                })
                .count();
            let mut waiting_since = None;
            for (_, sender, _, kind, _, at) in &recent {
                if !written(kind) {
                    continue;
                }
                if sender == customer {
                    waiting_since = Some(*at);
                } else if sender == SenderKind::Agent.as_str() {
                    break;
                }
            }
            let last_message = match <[Recent]>::first(&recent) {
                Some((_, sender, name, _, body, at)) => Some(MessagePreview {
                    sender_kind: sender
                        .parse()
                        .map_err(|e| crate::error::corrupt("messages.sender_kind", e))?,
                    sender_name: name.clone(),
                    body: preview(body),
                    created_at: *at,
                }),
                None => None,
            };
            let customer_name = self
                .customer_by_id(conv.customer_id)
                .await?
                .and_then(|c| c.name);
            out.push(ConversationSummary {
                conversation_id: *id,
                unread: u32::try_from(unread).unwrap_or(u32::MAX),
                read_seq,
                last_seq: conv.last_seq,
                last_message,
                waiting_since,
                customer_name,
            });
        }
        Ok(out)
    }
}
