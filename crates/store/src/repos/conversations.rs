//! Conversations and the message log. The append transaction, where a
//! message gets its sequence number, is in [`super::append`].
//!
//! ~580 lines: one repository port's methods, each a short query on both
//! backends.

use std::sync::Arc;

use async_trait::async_trait;
use chat_domain::ids::{ConversationId, CustomerId, UserId};
use chat_domain::model::{
    AppendOutcome, Conversation, ConversationState, HistoryQuery, Message, NewMessage, Transition,
};
use chat_domain::ports::{ConversationFilter, ConversationRepository};
use chat_domain::time::Timestamp;
use chat_domain::{DomainError, DomainResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::append::{self, Slot};
use super::{affected, columns, page};
use crate::SqlStore;
use crate::db::{DbPool, detach, with_conn, with_tx};
use crate::error::db_err;
use crate::rows::{ConversationRow, MessageRow, convert};
use crate::schema::{conversations, customers, left_messages, messages};

/// A LIKE pattern matching values that contain `raw`, its wildcards escaped.
/// `!` escapes, not `\`: a backslash inside a MySQL string literal starts an
/// escape itself.
fn contains_pattern(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 2);
    out.push('%');
    for c in raw.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[async_trait]
impl ConversationRepository for SqlStore {
    /// Refuses a customer whose data was erased (`Conflict`): a socket that
    /// was open during the erasure must not attach new data to the record.
    async fn create_conversation(&self, conversation: &Conversation) -> DomainResult<()> {
        let row = ConversationRow::from(conversation);
        let outcome: DomainResult<()> = with_tx!(self, |tx| {
            // Lock the customer (a no-op update), so an erasure cannot slip
            // in between the check and the insert.
            diesel::update(customers::table.find(&row.customer_id))
                .set(customers::updated_at.eq(customers::updated_at))
                .execute(tx)
                .await?;
            let erased: Option<Option<Timestamp>> = customers::table
                .find(&row.customer_id)
                .select(customers::erased_at)
                .first(tx)
                .await
                .optional()?;
            if matches!(erased, Some(Some(_))) {
                return Ok(Err(DomainError::Conflict(
                    "this customer's data was erased".into(),
                )));
            }
            diesel::insert_into(conversations::table)
                .values(&row)
                .execute(tx)
                .await?;
            Ok::<_, diesel::result::Error>(Ok(()))
        })?;
        outcome
    }

    async fn conversation_by_id(&self, id: ConversationId) -> DomainResult<Option<Conversation>> {
        let row: Option<ConversationRow> = self
            .find(
                conversations::table
                    .find(id.to_string())
                    .select(columns::<ConversationRow>()),
            )
            .await?;
        row.map(Conversation::try_from).transpose()
    }

    async fn conversations_of_customer(
        &self,
        customer: CustomerId,
        before: Option<ConversationId>,
        limit: u32,
    ) -> DomainResult<Vec<Conversation>> {
        let customer = customer.to_string();
        let before = before.map(|b| b.to_string());
        let rows: Vec<ConversationRow> = with_conn!(self, |conn| {
            let mut q = conversations::table
                .filter(conversations::customer_id.eq(&customer))
                .select(ConversationRow::as_select())
                .into_boxed();
            if let Some(before) = &before {
                q = q.filter(conversations::id.lt(before));
            }
            q.order(conversations::id.desc())
                .limit(page(limit))
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }

    /// One transaction for the whole slice (group commit): see
    /// [`super::append`].
    async fn append_messages(
        &self,
        batch: Vec<NewMessage>,
    ) -> DomainResult<Vec<DomainResult<AppendOutcome>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let request = append::Request::new(batch, chat_domain::time::now());
        let slots = match (&self.writer, &self.pool) {
            // SQLite: on the writer thread, which owns a connection for it
            // and is cancel-safe by itself (see `crate::writer`).
            (Some(writer), _) => writer.append(request).await?,
            // MySQL: not `with_tx!`, whose body would also compile for SQLite.
            // MySQL: on a connection with `autocommit` off (no `BEGIN`).
            // Not `with_tx!`, whose body would also compile for SQLite.
            (None, DbPool::Mysql(_)) => {
                let appenders = self.appenders.clone().ok_or_else(|| {
                    DomainError::Internal("a MySQL store without its appenders' pool".into())
                })?;
                detach(&self.runtime, async move {
                    let mut guard = appenders.get().await.map_err(crate::error::pool_err)?;
                    match append::mysql::commit(&mut guard, &request).await {
                        Ok(slots) => Ok(slots),
                        Err(append::mysql::Failed { error, broken }) => {
                            if broken {
                                // Its transaction may still be open: never
                                // hand it to the next batch.
                                let _ = deadpool::managed::Object::take(guard);
                            }
                            Err(db_err(error))
                        }
                    }
                })
                .await?
            }
            (None, DbPool::Sqlite(_)) => {
                return Err(DomainError::Internal(
                    "a SQLite store without its writer thread".into(),
                ));
            }
        };

        Ok(slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Missing => Err(DomainError::NotFound("conversation")),
                Slot::Closed => Err(DomainError::Conflict("the conversation is closed".into())),
                Slot::WrongState => Err(DomainError::Conflict(
                    "the conversation changed state; the message was not stored".into(),
                )),
                Slot::NotAssigned => Err(DomainError::Conflict(
                    "the conversation is no longer yours; the message was not stored".into(),
                )),
                Slot::ClientIdTaken => Err(DomainError::Conflict(
                    "client_msg_id is already used by another sender in this conversation".into(),
                )),
                // `plan`'s placeholder, replaced before a slot leaves it.
                Slot::Inserted => Err(DomainError::Internal(
                    "an append left a row placeholder unfilled".into(),
                )),
                Slot::Stored(row, duplicate) => {
                    Message::try_from(*row).map(|message| AppendOutcome {
                        message: Arc::new(message),
                        duplicate,
                    })
                }
            })
            .collect())
    }

    async fn history(
        &self,
        conversation: ConversationId,
        query: HistoryQuery,
    ) -> DomainResult<Vec<Message>> {
        let conv = conversation.to_string();
        let rows: Vec<MessageRow> = with_conn!(self, |conn| {
            let base = messages::table
                .filter(messages::conversation_id.eq(&conv))
                .select(MessageRow::as_select());
            match query {
                HistoryQuery::AfterSeq { after, limit } => base
                    .filter(messages::seq.gt(after))
                    .order(messages::seq.asc())
                    .limit(page(limit))
                    .load(conn)
                    .await
                    .map_err(db_err)?,
                HistoryQuery::BeforeSeq { before, limit } => {
                    let mut rows: Vec<MessageRow> = base
                        .filter(messages::seq.lt(before))
                        .order(messages::seq.desc())
                        .limit(page(limit))
                        .load(conn)
                        .await
                        .map_err(db_err)?;
                    rows.reverse();
                    rows
                }
                HistoryQuery::Between { from, to, limit } => base
                    .filter(messages::created_at.ge(from))
                    .filter(messages::created_at.lt(to))
                    .order(messages::seq.asc())
                    .limit(page(limit))
                    .load(conn)
                    .await
                    .map_err(db_err)?,
            }
        });
        convert(rows)
    }

    /// Locks the row first (a no-op update: InnoDB locks matched rows even
    /// when nothing changes; SQLite's `BEGIN IMMEDIATE` already excludes other
    /// writers), so the state read next is the one the update applies to.
    async fn transition_conversation(
        &self,
        id: ConversationId,
        transition: Transition,
        at: Timestamp,
    ) -> DomainResult<(Conversation, Conversation)> {
        let id = id.to_string();
        let state = transition.target(None).0;
        let state_text = state.as_str();
        let queued_at = (state == ConversationState::Queued).then_some(at);
        let closed_at = (state == ConversationState::Closed).then_some(at);
        let outcome: Result<(ConversationRow, ConversationRow), DomainError> =
            with_tx!(self, |tx| {
                diesel::update(conversations::table.find(&id))
                    .set(conversations::updated_at.eq(conversations::updated_at))
                    .execute(tx)
                    .await?;
                let Some(before) = conversations::table
                    .find(&id)
                    .select(ConversationRow::as_select())
                    .first(tx)
                    .await
                    .optional()?
                else {
                    return Ok(Err(DomainError::NotFound("conversation")));
                };
                let current = match before.state.parse::<ConversationState>() {
                    Ok(s) => s,
                    Err(e) => return Ok(Err(e)),
                };
                if let Err(e) = transition.check(current) {
                    return Ok(Err(e));
                }
                let current_assignee = before
                    .assignee_id
                    .as_deref()
                    .and_then(|a| a.parse::<UserId>().ok());
                let assignee = transition.target(current_assignee).1.map(|a| a.to_string());
                let handed_off_at = before.handed_off_at.or(matches!(
                    state,
                    ConversationState::Queued | ConversationState::Human
                )
                .then_some(at));
                diesel::update(conversations::table.find(&id))
                    .set((
                        conversations::state.eq(state_text),
                        conversations::assignee_id.eq(&assignee),
                        conversations::updated_at.eq(at),
                        conversations::queued_at.eq(queued_at),
                        conversations::closed_at.eq(closed_at),
                        conversations::handed_off_at.eq(handed_off_at),
                        // A snooze belongs to whoever had the conversation.
                        conversations::snoozed_until.eq(None::<Timestamp>),
                    ))
                    .execute(tx)
                    .await?;
                let after = conversations::table
                    .find(&id)
                    .select(ConversationRow::as_select())
                    .first(tx)
                    .await?;
                Ok::<_, diesel::result::Error>(Ok((before, after)))
            })?;
        let (before, after) = outcome?;
        Ok((
            Conversation::try_from(before)?,
            Conversation::try_from(after)?,
        ))
    }

    async fn list_conversations(
        &self,
        filter: &ConversationFilter,
    ) -> DomainResult<Vec<Conversation>> {
        let filter = filter.clone();
        let state = filter.state.map(|s| s.as_str());
        let assignee = filter.assignee.map(|a| a.to_string());
        let customer = filter.customer.map(|c| c.to_string());
        // Labels are stored as a JSON array of strings: match the quoted label.
        let label_pattern = filter
            .label
            .as_ref()
            .map(|l| contains_pattern(&serde_json::to_string(l).unwrap_or_default()));
        let text_pattern = filter.text.as_deref().map(contains_pattern);
        let visible_to = filter.visible_to_agent.map(|a| a.to_string());
        let queue_order = state == Some(ConversationState::Queued.as_str());
        let cursor = filter.after.map(|c| (c.key, c.id.to_string()));
        let rows: Vec<ConversationRow> = with_conn!(self, |conn| {
            let mut q = conversations::table
                .select(ConversationRow::as_select())
                .into_boxed();
            if let Some(s) = state {
                q = q.filter(conversations::state.eq(s));
            }
            if filter.open_only {
                q = q.filter(conversations::state.ne(ConversationState::Closed.as_str()));
            }
            if let Some(a) = &assignee {
                q = q.filter(conversations::assignee_id.eq(a));
            }
            if let Some(c) = &customer {
                q = q.filter(conversations::customer_id.eq(c));
            }
            if let Some(t) = filter.active_before {
                q = q.filter(conversations::updated_at.lt(t));
            }
            if let Some(pattern) = &label_pattern {
                q = q.filter(conversations::labels.like(pattern).escape('!'));
            }
            if let Some(t) = filter.created_from {
                q = q.filter(conversations::created_at.ge(t));
            }
            if let Some(t) = filter.created_to {
                q = q.filter(conversations::created_at.lt(t));
            }
            if let Some(me) = &visible_to {
                q = q.filter(
                    conversations::state
                        .eq_any([
                            ConversationState::Bot.as_str(),
                            ConversationState::Queued.as_str(),
                        ])
                        .or(conversations::assignee_id.eq(me)),
                );
            }
            if let (Some(snoozed), Some(now)) = (filter.snoozed, filter.snooze_now) {
                q = if snoozed {
                    q.filter(conversations::snoozed_until.gt(now))
                } else {
                    q.filter(
                        conversations::snoozed_until
                            .is_null()
                            .or(conversations::snoozed_until.le(now)),
                    )
                };
            }
            if filter.skip_left_messages {
                q =
                    q.filter(diesel::dsl::not(
                        conversations::state
                            .eq(ConversationState::Queued.as_str())
                            .and(conversations::id.eq_any(
                                left_messages::table.select(left_messages::conversation_id),
                            )),
                    ));
            }
            if let Some(pattern) = &text_pattern {
                q = q.filter(
                    conversations::id.eq_any(
                        messages::table
                            .filter(messages::body.like(pattern).escape('!'))
                            .select(messages::conversation_id),
                    ),
                );
            }
            // Keyset paging: strictly after the cursor in the list's order,
            // so a page never repeats the previous one's items.
            if let Some((key, id)) = &cursor {
                q = if queue_order {
                    q.filter(
                        conversations::queued_at
                            .gt(*key)
                            .or(conversations::queued_at
                                .eq(*key)
                                .and(conversations::id.gt(id))),
                    )
                } else {
                    q.filter(
                        conversations::updated_at
                            .lt(*key)
                            .or(conversations::updated_at
                                .eq(*key)
                                .and(conversations::id.lt(id))),
                    )
                };
            }
            q = if queue_order {
                q.order((conversations::queued_at.asc(), conversations::id.asc()))
            } else {
                q.order((conversations::updated_at.desc(), conversations::id.desc()))
            };
            q.limit(page(filter.limit))
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }

    async fn set_snooze(
        &self,
        id: ConversationId,
        until: Option<Timestamp>,
        at: Timestamp,
    ) -> DomainResult<Conversation> {
        let id = id.to_string();
        let row: Option<ConversationRow> = with_tx!(self, |tx| {
            let n = diesel::update(conversations::table.find(&id))
                .set((
                    conversations::snoozed_until.eq(until),
                    conversations::updated_at.eq(at),
                ))
                .execute(tx)
                .await?;
            if n == 0 {
                return Ok(None);
            }
            conversations::table
                .find(&id)
                .select(ConversationRow::as_select())
                .first(tx)
                .await
                .optional()
        })?;
        row.ok_or(DomainError::NotFound("conversation"))
            .and_then(Conversation::try_from)
    }

    async fn conversations_active_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> DomainResult<Vec<Conversation>> {
        let rows: Vec<ConversationRow> = self
            .load(
                conversations::table
                    .filter(
                        conversations::created_at
                            .ge(from)
                            .and(conversations::created_at.lt(to))
                            .or(conversations::closed_at
                                .ge(from)
                                .and(conversations::closed_at.lt(to)))
                            .or(conversations::first_response_at
                                .ge(from)
                                .and(conversations::first_response_at.lt(to))),
                    )
                    .select(columns::<ConversationRow>()),
            )
            .await?;
        convert(rows)
    }

    async fn queue_length(&self) -> DomainResult<u64> {
        self.count(
            conversations::table
                .filter(conversations::state.eq(ConversationState::Queued.as_str()))
                .count(),
        )
        .await
    }

    async fn agent_loads(&self) -> DomainResult<Vec<(UserId, u32)>> {
        let rows: Vec<(Option<String>, i64)> = self
            .load(
                conversations::table
                    .filter(conversations::state.eq(ConversationState::Human.as_str()))
                    .filter(conversations::assignee_id.is_not_null())
                    .group_by(conversations::assignee_id)
                    .select((conversations::assignee_id, diesel::dsl::count_star())),
            )
            .await?;
        rows.into_iter()
            .filter_map(|(id, n)| id.map(|id| (id, n)))
            .map(|(id, n)| {
                let id = id
                    .parse()
                    .map_err(|e| crate::error::corrupt("conversations.assignee_id", e))?;
                Ok((id, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect()
    }

    async fn queue_position(&self, id: ConversationId) -> DomainResult<Option<u32>> {
        let Some(conv) = self.conversation_by_id(id).await? else {
            return Err(DomainError::NotFound("conversation"));
        };
        let (ConversationState::Queued, Some(queued_at)) = (conv.state, conv.queued_at) else {
            return Ok(None);
        };
        let ahead = self
            .count(
                conversations::table
                    .filter(conversations::state.eq(ConversationState::Queued.as_str()))
                    .filter(
                        conversations::queued_at
                            .lt(queued_at)
                            .or(conversations::queued_at
                                .eq(queued_at)
                                .and(conversations::id.lt(id.to_string()))),
                    )
                    .count(),
            )
            .await?;
        Ok(Some(u32::try_from(ahead + 1).unwrap_or(u32::MAX)))
    }

    async fn rate_conversation(
        &self,
        id: ConversationId,
        score: i32,
        comment: Option<String>,
        at: Timestamp,
    ) -> DomainResult<Conversation> {
        if !(1..=5).contains(&score) {
            return Err(DomainError::invalid("score", "must be 1 to 5"));
        }
        if comment.as_ref().is_some_and(|c| c.chars().count() > 1000) {
            return Err(DomainError::invalid(
                "comment",
                "must be at most 1000 characters",
            ));
        }
        // One conditional update decides: closed and not yet rated.
        let n = self
            .execute(
                diesel::update(
                    conversations::table
                        .find(id.to_string())
                        .filter(conversations::state.eq(ConversationState::Closed.as_str()))
                        .filter(conversations::csat_score.is_null()),
                )
                .set((
                    conversations::csat_score.eq(Some(score)),
                    conversations::csat_comment.eq(comment),
                    conversations::updated_at.eq(at),
                )),
            )
            .await?;
        let conv = self
            .conversation_by_id(id)
            .await?
            .ok_or(DomainError::NotFound("conversation"))?;
        if n == 0 {
            return Err(DomainError::Conflict(
                if conv.state != ConversationState::Closed {
                    "only a closed conversation can be rated".into()
                } else {
                    "this conversation was already rated".into()
                },
            ));
        }
        Ok(conv)
    }

    async fn set_labels(
        &self,
        id: ConversationId,
        labels: &[String],
        at: Timestamp,
    ) -> DomainResult<Conversation> {
        let json = serde_json::to_string(labels)
            .map_err(|e| DomainError::Internal(format!("labels: {e}")))?;
        let n = self
            .execute(
                diesel::update(conversations::table.find(id.to_string())).set((
                    conversations::labels.eq(json),
                    conversations::updated_at.eq(at),
                )),
            )
            .await?;
        affected(n, "conversation")?;
        self.conversation_by_id(id)
            .await?
            .ok_or(DomainError::NotFound("conversation"))
    }
}
