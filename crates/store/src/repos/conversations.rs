//! Conversations and the message log: the one place where a message gets its
//! sequence number.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chat_domain::ids::{ConversationId, CustomerId, UserId};
use chat_domain::model::{
    AppendOutcome, Conversation, ConversationState, HistoryQuery, Message, MessageKind, NewMessage,
    SenderKind, Transition,
};
use chat_domain::ports::{ConversationFilter, ConversationRepository};
use chat_domain::time::Timestamp;
use chat_domain::{DomainError, DomainResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{by_key, page};
use crate::SqlStore;
use crate::db::{DbPool, with_conn, with_tx};
use crate::error::db_err;
use crate::rows::{ConversationRow, MessageRow, convert};
use crate::schema::{conversations, customers, messages};

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

/// Moves `id` from `from` to `to` if it is in `from`: each conversation needs
/// its follow-up update once per batch.
pub(crate) fn move_once(from: &mut Vec<String>, to: &mut Vec<String>, id: &str) -> bool {
    if let Some(i) = from.iter().position(|c| c == id) {
        to.push(from.swap_remove(i));
        return true;
    }
    false
}

/// `UPDATE conversations SET last_seq = last_seq + ?, updated_at = ? WHERE
/// id = ?`: reserves `n` sequences of one conversation.
///
/// Written as a query of its own because diesel never caches the statement
/// of its `update(…)` builder (a changeset may skip `None` fields, so its SQL
/// can change between calls): on SQLite every append batch paid one SQL parse
/// per conversation for it. This one has a fixed text and a static query id,
/// so it is prepared once per connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReserveSeqs<'a> {
    id: &'a str,
    n: i64,
    now: Timestamp,
}

impl<DB> diesel::query_builder::QueryFragment<DB> for ReserveSeqs<'_>
where
    DB: diesel::backend::Backend,
    DB: diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    Timestamp: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("UPDATE conversations SET last_seq = last_seq + ");
        out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.n)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<diesel::sql_types::Timestamp, _>(&self.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<diesel::sql_types::Text, _>(self.id)?;
        Ok(())
    }
}

impl diesel::query_builder::QueryId for ReserveSeqs<'_> {
    type QueryId = ReserveSeqs<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Conn> diesel::RunQueryDsl<Conn> for ReserveSeqs<'_> {}

/// What one append transaction decided for one input message.
pub(crate) enum Slot {
    Missing,
    Closed,
    WrongState,
    NotAssigned,
    ClientIdTaken,
    /// Boxed: a row is far larger than the other variants.
    Stored(Box<MessageRow>, bool),
}

/// The append transaction, written once for both kinds of connection:
/// `$aw` is `.await` on MySQL's async connection and nothing on SQLite's
/// synchronous one, where the whole transaction runs in one blocking call
/// (diesel-async's SQLite wrapper would otherwise move every statement to
/// the blocking pool on its own: ~2 hops per message of the batch).
macro_rules! append_in_tx {
    ($tx:ident, $batch:expr, $now:expr, $wanted:expr, $conv_ids:expr, $client_ids:expr, per_row: $per_row:expr, [$($aw:tt)*]) => {{
        let (batch, now, wanted, conv_ids, client_ids): (&[NewMessage], Timestamp, &BTreeMap<String, i64>, &Vec<String>, &Vec<String>) =
            ($batch, $now, $wanted, $conv_ids, $client_ids);
        let tx = $tx;
        if $per_row || wanted.len() == 1 {
            for (id, n) in wanted {
                ReserveSeqs { id, n: *n, now }.execute(tx)$($aw)*?;
            }
        } else {
            // One statement reserves for every conversation of the batch
            // (one round trip, not one per conversation); the rows are
            // locked in primary-key order, as the loop above does, so two
            // appenders still never deadlock.
            let mut sql = String::from("UPDATE conversations SET last_seq = last_seq + CASE id");
            for _ in wanted {
                sql.push_str(" WHEN ? THEN ?");
            }
            sql.push_str(" ELSE 0 END, updated_at = ? WHERE id IN (");
            sql.push_str(&vec!["?"; wanted.len()].join(", "));
            sql.push(')');
            let mut query = diesel::sql_query(sql).into_boxed();
            for (id, n) in wanted {
                query = query
                    .bind::<diesel::sql_types::Text, _>(id.clone())
                    .bind::<diesel::sql_types::BigInt, _>(*n);
            }
            query = query.bind::<diesel::sql_types::Timestamp, _>(now);
            for id in wanted.keys() {
                query = query.bind::<diesel::sql_types::Text, _>(id.clone());
            }
            query.execute(tx)$($aw)*?;
        }
        type Reserved = (
            String,
            i64,
            String,
            Option<String>,
            Option<Timestamp>,
            Option<Timestamp>,
        );
        let columns = (
            conversations::id,
            conversations::last_seq,
            conversations::state,
            conversations::assignee_id,
            conversations::first_response_at,
            conversations::snoozed_until,
        );
        // `IN (…)` with as many parameters as the batch has conversations
        // is new SQL for every batch size, prepared each time; in-process
        // SQLite is cheaper one cached statement per row. Over a network
        // (MySQL) one round trip for all rows wins.
        let reserved: Vec<Reserved> = if $per_row {
            let mut rows = Vec::with_capacity(conv_ids.len());
            for id in conv_ids {
                // `load`, not `first`: see `crate::repos::by_key`.
                let row: Vec<Reserved> = conversations::table
                    .find(id)
                    .select(columns)
                    .load(tx)
                    $($aw)*?;
                rows.extend(row);
            }
            rows
        } else {
            conversations::table
                .filter(conversations::id.eq_any(conv_ids))
                .select(columns)
                .load(tx)
                $($aw)*?
        };
        // Conversations still waiting for their first agent answer, and
        // snoozed ones (a customer's message wakes them): rare, so the
        // extra update below runs only for them.
        let mut unanswered: Vec<String> = Vec::new();
        let mut snoozed: Vec<String> = Vec::new();
        // Closed conversations take no more text, only life-cycle events
        // (the "closed" notice itself): decided here, under the lock, so
        // a close cannot slip in between a check and the write.
        let mut closed: Vec<String> = Vec::new();
        let mut states: HashMap<String, String> = HashMap::new();
        // conversation -> (next sequence to hand out, last one reserved).
        let mut next: HashMap<String, (i64, i64)> = HashMap::new();
        let mut assignees: HashMap<String, Option<String>> = HashMap::new();
        for (id, last, state, assignee, first_response, snooze) in reserved {
            assignees.insert(id.clone(), assignee);
            if first_response.is_none() {
                unanswered.push(id.clone());
            }
            if snooze.is_some() {
                snoozed.push(id.clone());
            }
            if state == ConversationState::Closed.as_str() {
                closed.push(id.clone());
            }
            states.insert(id.clone(), state);
            let n = wanted.get(&id).copied().unwrap_or(0);
            next.insert(id, (last - n + 1, last));
        }
        let mut known: HashMap<(String, String), MessageRow> = HashMap::new();
        if !client_ids.is_empty() {
            let stored: Vec<MessageRow> = if $per_row {
                let mut rows = Vec::new();
                for m in batch {
                    let Some(cmid) = &m.client_msg_id else { continue };
                    let row: Vec<MessageRow> = messages::table
                        .filter(messages::conversation_id.eq(m.conversation_id.to_string()))
                        .filter(messages::client_msg_id.eq(cmid))
                        .select(MessageRow::as_select())
                        .load(tx)
                        $($aw)*?;
                    rows.extend(row);
                }
                rows
            } else {
                messages::table
                    .filter(messages::conversation_id.eq_any(conv_ids))
                    .filter(messages::client_msg_id.eq_any(client_ids))
                    .select(MessageRow::as_select())
                    .load(tx)
                    $($aw)*?
            };
            for row in stored {
                if let Some(cmid) = row.client_msg_id.clone() {
                    known.insert((row.conversation_id.clone(), cmid), row);
                }
            }
        }
        let mut batch_rows: Vec<MessageRow> = Vec::new();
        let mut answered: Vec<String> = Vec::new();
        // The sender of each answered conversation's first reply, in step.
        let mut responders: Vec<Option<String>> = Vec::new();
        let mut woken: Vec<String> = Vec::new();
        let mut slots = Vec::with_capacity(batch.len());
        for m in batch {
            let conv = m.conversation_id.to_string();
            if closed.contains(&conv) && m.kind != MessageKind::Event {
                slots.push(Slot::Closed);
                continue;
            }
            if let Some(required) = m.required_state
                && states.get(&conv).is_some_and(|s| s != required.as_str())
            {
                slots.push(Slot::WrongState);
                continue;
            }
            if let Some(required) = m.required_assignee
                && assignees
                    .get(&conv)
                    .is_some_and(|a| a.as_deref() != Some(required.to_string().as_str()))
            {
                slots.push(Slot::NotAssigned);
                continue;
            }
            let Some((seq, _)) = next.get_mut(&conv) else {
                slots.push(Slot::Missing);
                continue;
            };
            if let Some(cmid) = &m.client_msg_id
                && let Some(row) = known.get(&(conv.clone(), cmid.clone()))
            {
                // A resend only if the same sender sent it: another
                // participant reusing the id must not be told "stored".
                let same_sender =
                    row.sender_kind == m.sender_kind.as_str() && row.sender_id == m.sender_id;
                slots.push(if same_sender {
                    Slot::Stored(Box::new(row.clone()), true)
                } else {
                    Slot::ClientIdTaken
                });
                continue;
            }
            let row = MessageRow::new(m, *seq);
            if $per_row {
                diesel::insert_into(messages::table)
                    .values(&row)
                    .execute(tx)
                    $($aw)*?;
            } else {
                batch_rows.push(row.clone());
            }
            *seq += 1;
            // A file counts as an answer (or wakes a snoozed conversation) like text.
            if matches!(m.kind, MessageKind::Text | MessageKind::Attachment) {
                match m.sender_kind {
                    SenderKind::Agent if move_once(&mut unanswered, &mut answered, &conv) => {
                        responders.push(m.sender_id.clone());
                    }
                    SenderKind::Customer => {
                        move_once(&mut snoozed, &mut woken, &conv);
                    }
                    _ => {}
                }
            }
            if let Some(cmid) = &m.client_msg_id {
                known.insert((conv, cmid.clone()), row.clone());
            }
            slots.push(Slot::Stored(Box::new(row), false));
        }
        // Over a network, one INSERT for the whole batch (one round trip
        // instead of one per message).
        if !batch_rows.is_empty() {
            diesel::insert_into(messages::table)
                .values(&batch_rows)
                .execute(tx)
                $($aw)*?;
        }
        // Rare (once per conversation): one update each, since each has
        // its own first responder.
        for (id, responder) in answered.iter().zip(&responders) {
            diesel::update(conversations::table.find(id))
                .set((
                    conversations::first_response_at.eq(now),
                    conversations::first_responder_id.eq(responder),
                ))
                .execute(tx)
                $($aw)*?;
        }
        if !woken.is_empty() {
            diesel::update(conversations::table.filter(conversations::id.eq_any(&woken)))
                .set(conversations::snoozed_until.eq(None::<Timestamp>))
                .execute(tx)
                $($aw)*?;
        }
        // Give back what duplicates did not use.
        for (id, (next_seq, reserved_last)) in &next {
            if *next_seq - 1 != *reserved_last {
                diesel::update(conversations::table.find(id))
                    .set(conversations::last_seq.eq(*next_seq - 1))
                    .execute(tx)
                    $($aw)*?;
            }
        }
        Ok::<_, diesel::result::Error>(slots)
    }};
}

/// SQLite: the append transaction in one blocking call.
mod sqlite_append {
    use std::collections::{BTreeMap, HashMap};

    use chat_domain::model::{ConversationState, MessageKind, NewMessage, SenderKind};
    use chat_domain::time::Timestamp;
    use diesel::RunQueryDsl;
    use diesel::prelude::*;

    use super::{ReserveSeqs, Slot, move_once};
    use crate::rows::MessageRow;
    use crate::schema::{conversations, messages};

    pub(super) fn run(
        tx: &mut SqliteConnection,
        batch: &[NewMessage],
        now: Timestamp,
        wanted: &BTreeMap<String, i64>,
        conv_ids: &Vec<String>,
        client_ids: &Vec<String>,
    ) -> QueryResult<Vec<Slot>> {
        append_in_tx!(tx, batch, now, wanted, conv_ids, client_ids, per_row: true, [])
    }
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
        let id = id.to_string();
        let row: Option<ConversationRow> = with_conn!(self, |conn| {
            by_key(
                conversations::table
                    .find(&id)
                    .select(ConversationRow::as_select())
                    .load(conn)
                    .await,
            )?
        });
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

    /// One transaction for the whole slice (group commit):
    /// 1. lock each conversation, in id order so two appenders never deadlock,
    ///    by reserving as many sequences as it has messages here;
    /// 2. read the reserved ranges back (the lock makes this read exact);
    /// 3. find already stored client ids in one query (idempotent resend);
    /// 4. insert the new messages with consecutive sequences;
    /// 5. hand back reserved numbers that duplicates did not use, so the
    ///    sequence stays gap-free.
    ///
    /// The UNIQUE (conversation_id, seq) and (conversation_id, client_msg_id)
    /// indexes stay as a backstop: a violation aborts the batch, never
    /// stores a duplicate.
    async fn append_messages(
        &self,
        batch: &[NewMessage],
    ) -> DomainResult<Vec<DomainResult<AppendOutcome>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let now = chat_domain::time::now();
        // conversation id -> how many messages of the batch target it.
        let mut wanted: BTreeMap<String, i64> = BTreeMap::new();
        for m in batch {
            *wanted.entry(m.conversation_id.to_string()).or_default() += 1;
        }
        let conv_ids: Vec<String> = wanted.keys().cloned().collect();
        let client_ids: Vec<String> = batch
            .iter()
            .filter_map(|m| m.client_msg_id.clone())
            .collect();

        let slots: Vec<Slot> = match &self.pool {
            DbPool::Sqlite(pool) => {
                let mut guard = pool.get().await.map_err(crate::error::pool_err)?;
                let batch = batch.to_vec();
                guard
                    .spawn_blocking(move |conn| {
                        conn.immediate_transaction(|tx| {
                            sqlite_append::run(tx, &batch, now, &wanted, &conv_ids, &client_ids)
                        })
                    })
                    .await
                    .map_err(db_err)?
            }
            DbPool::Mysql(pool) => {
                let mut guard = pool.get().await.map_err(crate::error::pool_err)?;
                let conn: &mut crate::db::MysqlConn = &mut guard;
                diesel_async::AsyncConnection::transaction(conn, async |tx| {
                    append_in_tx!(tx, batch, now, &wanted, &conv_ids, &client_ids, per_row: false, [.await])
                })
                .await
                .map_err(db_err)?
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
                Slot::Stored(row, duplicate) => {
                    Message::try_from(*row).map(|message| AppendOutcome { message, duplicate })
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
        let rows: Vec<ConversationRow> = with_conn!(self, |conn| {
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
                .select(ConversationRow::as_select())
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }

    async fn queue_length(&self) -> DomainResult<u64> {
        let n: i64 = with_conn!(self, |conn| {
            conversations::table
                .filter(conversations::state.eq(ConversationState::Queued.as_str()))
                .count()
                .get_result(conn)
                .await
                .map_err(db_err)?
        });
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn agent_loads(&self) -> DomainResult<Vec<(UserId, u32)>> {
        let rows: Vec<(Option<String>, i64)> = with_conn!(self, |conn| {
            conversations::table
                .filter(conversations::state.eq(ConversationState::Human.as_str()))
                .filter(conversations::assignee_id.is_not_null())
                .group_by(conversations::assignee_id)
                .select((conversations::assignee_id, diesel::dsl::count_star()))
                .load(conn)
                .await
                .map_err(db_err)?
        });
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
        let id = id.to_string();
        let ahead: i64 = with_conn!(self, |conn| {
            conversations::table
                .filter(conversations::state.eq(ConversationState::Queued.as_str()))
                .filter(
                    conversations::queued_at
                        .lt(queued_at)
                        .or(conversations::queued_at
                            .eq(queued_at)
                            .and(conversations::id.lt(&id))),
                )
                .count()
                .get_result(conn)
                .await
                .map_err(db_err)?
        });
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
        let key = id.to_string();
        // One conditional update decides: closed and not yet rated.
        let n = with_conn!(self, |conn| {
            diesel::update(
                conversations::table
                    .find(&key)
                    .filter(conversations::state.eq(ConversationState::Closed.as_str()))
                    .filter(conversations::csat_score.is_null()),
            )
            .set((
                conversations::csat_score.eq(Some(score)),
                conversations::csat_comment.eq(&comment),
                conversations::updated_at.eq(at),
            ))
            .execute(conn)
            .await
            .map_err(db_err)?
        });
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
        let key = id.to_string();
        let json = serde_json::to_string(labels)
            .map_err(|e| DomainError::Internal(format!("labels: {e}")))?;
        let n = with_conn!(self, |conn| {
            diesel::update(conversations::table.find(&key))
                .set((
                    conversations::labels.eq(&json),
                    conversations::updated_at.eq(at),
                ))
                .execute(conn)
                .await
                .map_err(db_err)?
        });
        if n == 0 {
            return Err(DomainError::NotFound("conversation"));
        }
        self.conversation_by_id(id)
            .await?
            .ok_or(DomainError::NotFound("conversation"))
    }
}
