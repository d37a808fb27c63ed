//! The append transaction: the one place where a message gets its sequence
//! number.
//!
//! One transaction for a whole batch (group commit):
//! 1. lock each conversation, in id order so two appenders never deadlock,
//!    by reserving as many sequences as it has messages here (MySQL);
//! 2. read the reserved ranges back (the lock makes this read exact);
//! 3. find already stored client ids (idempotent resend);
//! 4. decide each message's fate: [`plan`], a pure function;
//! 5. insert the new messages with consecutive sequences, record first
//!    responses, wake snoozed conversations, and hand back reserved numbers
//!    that duplicates did not use, so the sequence stays gap-free.
//!
//! Steps 1–3 and 5 exist twice, because the two backends want different
//! statements: SQLite runs the whole transaction in one blocking call with
//! one cached statement per row ([`sqlite::append`]: diesel-async's wrapper
//! would otherwise hop to the blocking pool for every statement, and SQL
//! with as many parameters as the batch is new SQL for every batch size);
//! MySQL, over a network, runs one statement per step for the whole batch,
//! each of a fixed shape so that it is prepared once per connection
//! ([`mysql::append`]). What the transaction decides is written once, in
//! [`plan`].
//!
//! The UNIQUE (conversation_id, seq) and (conversation_id, client_msg_id)
//! indexes stay as a backstop: a violation aborts the batch, never stores a
//! duplicate.
//!
//! Where the next sequence comes from differs too. MySQL runs several
//! writers per node and several nodes: a conversation's `last_seq` counter
//! is the row lock that orders them, so step 1 updates it. SQLite has one
//! writer (the writer thread, `BEGIN IMMEDIATE` for everyone else), so
//! nothing needs locking: the last sequence is read from the
//! (conversation_id, seq) index, whose last leaf the insert writes anyway,
//! and the conversation's row is not written at all (one page of the log
//! less per message, and one statement less per conversation). On SQLite
//! the `last_seq` column is therefore not maintained: every reader gets it
//! through [`LastSeq`], which reads the index there and the column on MySQL.
//!
//! A conversation's `updated_at` (its last activity, the order of the
//! conversation lists) moves with a message only when it is more than
//! [`ACTIVITY_STEP`] behind: it is a key of the `conversations_state`
//! index, and moving it on every message rewrote one more random page of
//! that index per message (docs/BENCHMARKS.md, "Storage pages per message").
//! A message that changes the conversation itself (its first answer, waking
//! it from a snooze) always moves it: `updated_at` is also the version the
//! conversation cache and clients compare, and must not stay put on a change.

use std::collections::BTreeMap;

use chat_domain::model::{ConversationState, MessageKind, NewMessage, SenderKind};
use chat_domain::time::Timestamp;
use diesel::QueryResult;

use crate::rows::MessageRow;
use crate::schema::conversations;
use crate::sqltime::SqlTime;

/// How far behind a message a conversation's `updated_at` may stay.
///
/// Lists sort by `updated_at` and the idle sweeper compares it with its
/// cut-off; both are exact to this step. A conversation with a message every
/// few seconds (any real one) moves on every message as before; a busy one
/// moves once per step instead of once per message.
pub(crate) const ACTIVITY_STEP: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// A conversation's last sequence, as every reader selects it (the
/// `select_expression` of [`crate::rows::ConversationRow::last_seq`]).
///
/// On SQLite the append transaction does not maintain the `last_seq`
/// column (see the module's documentation): the value is the last entry of
/// the (conversation_id, seq) index, one seek per conversation read, and 0
/// for a conversation without messages. On MySQL, whose writers reserve
/// with the counter, it is the column, as before. Both are the same number
/// at every commit (sequences are gap-free from 1), so a reader never sees
/// a difference, only where it comes from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LastSeq;

impl diesel::expression::Expression for LastSeq {
    type SqlType = diesel::sql_types::BigInt;
}

impl<QS> diesel::expression::AppearsOnTable<QS> for LastSeq where
    conversations::id: diesel::expression::AppearsOnTable<QS>
{
}

impl<QS> diesel::expression::SelectableExpression<QS> for LastSeq where
    conversations::id: diesel::expression::SelectableExpression<QS>
{
}

impl<GB> diesel::expression::ValidGrouping<GB> for LastSeq {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryId for LastSeq {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for LastSeq {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        // `ORDER BY … DESC LIMIT 1` rather than `COALESCE(MAX(seq), 0)`:
        // SQLite's min/max shortcut (one seek to the range's end) applies
        // only to a bare `MAX`, and this form is a seek whatever the planner.
        out.push_sql(
            "COALESCE((SELECT last_message.seq FROM messages AS last_message \
             WHERE last_message.conversation_id = conversations.id \
             ORDER BY last_message.seq DESC LIMIT 1), 0)",
        );
        Ok(())
    }
}

impl diesel::query_builder::QueryFragment<diesel::mysql::Mysql> for LastSeq {
    fn walk_ast<'b>(
        &'b self,
        out: diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
    ) -> QueryResult<()> {
        diesel::query_builder::QueryFragment::<diesel::mysql::Mysql>::walk_ast(
            &conversations::last_seq,
            out,
        )
    }
}

/// What one append transaction decided for one input message.
pub(crate) enum Slot {
    Missing,
    Closed,
    WrongState,
    NotAssigned,
    ClientIdTaken,
    /// Boxed: a row is far larger than the other variants.
    Stored(Box<MessageRow>, bool),
    /// Inside [`plan`] only: stored, its row in [`Plan::inserts`].
    Inserted,
}

/// One batch to append, with what every step needs derived once.
pub(crate) struct Request {
    pub(crate) batch: Vec<NewMessage>,
    pub(crate) now: Timestamp,
    /// conversation id -> how many messages of the batch target it (in id
    /// order: the lock order).
    pub(crate) wanted: BTreeMap<String, i64>,
    pub(crate) conv_ids: Vec<String>,
}

impl Request {
    pub(crate) fn new(batch: Vec<NewMessage>, now: Timestamp) -> Self {
        let mut wanted: BTreeMap<String, i64> = BTreeMap::new();
        for m in &batch {
            *wanted.entry(m.conversation_id.to_string()).or_default() += 1;
        }
        let conv_ids = wanted.keys().cloned().collect();
        Self {
            batch,
            now,
            wanted,
            conv_ids,
        }
    }
}

/// A conversation's row as step 2 reads it: id, last_seq (after the
/// reservation: the last sequence this batch may hand out), state,
/// assignee, first_response_at, snoozed_until, updated_at (its times read
/// by [`SqlTime`]'s parser on SQLite: once per conversation per batch).
type Reserved = (
    String,
    i64,
    String,
    Option<String>,
    Option<SqlTime>,
    Option<SqlTime>,
    SqlTime,
);

/// The columns of [`Reserved`] on SQLite, whose second is the last stored
/// sequence (nothing is reserved there: [`LastSeq`]).
const RESERVED: (
    conversations::id,
    LastSeq,
    conversations::state,
    conversations::assignee_id,
    conversations::first_response_at,
    conversations::snoozed_until,
    conversations::updated_at,
) = (
    conversations::id,
    LastSeq,
    conversations::state,
    conversations::assignee_id,
    conversations::first_response_at,
    conversations::snoozed_until,
    conversations::updated_at,
);

/// What the transaction writes after reading, and what it answers.
pub(crate) struct Plan {
    /// One per input message, in order; a message to store is
    /// [`Slot::Stored`] with a placeholder row until [`Plan::into_slots`]
    /// moves its row from `inserts` in (one copy of each row, not two).
    slots: Vec<Slot>,
    /// New messages, with their sequences.
    pub(crate) inserts: Vec<MessageRow>,
    /// Conversations answered for the first time, with who answered.
    pub(crate) answered: Vec<(String, Option<String>)>,
    /// Snoozed conversations a customer's message wakes.
    pub(crate) woken: Vec<String>,
    /// Conversations whose `last_seq` goes back to this value: duplicates
    /// did not use all they reserved (MySQL; SQLite reserves nothing).
    pub(crate) give_back: Vec<(String, i64)>,
}

impl Plan {
    /// The answer for each input message, once the rows are written.
    pub(crate) fn into_slots(self) -> Vec<Slot> {
        let mut inserts = self.inserts.into_iter();
        self.slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Inserted => match inserts.next() {
                    Some(row) => Slot::Stored(Box::new(row), false),
                    // One row was pushed per placeholder, in the same order.
                    None => Slot::Missing,
                },
                other => other,
            })
            .collect()
    }
}

/// One conversation of the batch as `plan` tracks it.
struct Target {
    id: String,
    /// The next sequence to hand out, and the last one reserved.
    next: i64,
    last: i64,
    state: String,
    assignee: Option<String>,
    /// Still waiting for its first agent answer: the first one in the batch
    /// records it.
    unanswered: bool,
    /// Snoozed: the first customer message in the batch wakes it.
    snoozed: bool,
}

/// Decides each message's fate from what steps 1–3 read: refused (closed,
/// changed state or assignee, unknown conversation, client id of another
/// sender), a duplicate of a stored message, or stored with the next
/// sequence of its conversation.
///
/// Plain vectors rather than maps: a batch holds a few conversations (one in
/// a quiet system, at most the writer's batch size), and every append runs
/// this on the single writer.
pub(crate) fn plan(request: &Request, reserved: Vec<Reserved>, stored: Vec<MessageRow>) -> Plan {
    let mut targets: Vec<Target> = reserved
        .into_iter()
        .map(|(id, last, state, assignee, first_response, snooze, _)| {
            let n = request.wanted.get(&id).copied().unwrap_or(0);
            Target {
                next: last - n + 1,
                last,
                state,
                assignee,
                unanswered: first_response.is_none(),
                snoozed: snooze.is_some(),
                id,
            }
        })
        .collect();
    targets.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let mut plan = Plan {
        slots: Vec::with_capacity(request.batch.len()),
        inserts: Vec::with_capacity(request.batch.len()),
        answered: Vec::new(),
        woken: Vec::new(),
        give_back: Vec::new(),
    };
    for m in &request.batch {
        let conv = m.conversation_id.to_string();
        let Ok(at) = targets.binary_search_by(|t| t.id.as_str().cmp(&conv)) else {
            plan.slots.push(Slot::Missing);
            continue;
        };
        let target = &mut targets[at];
        // Closed conversations take no more text, only life-cycle events
        // (the "closed" notice itself): decided here, under the lock, so a
        // close cannot slip in between a check and the write.
        if target.state == ConversationState::Closed.as_str() && m.kind != MessageKind::Event {
            plan.slots.push(Slot::Closed);
            continue;
        }
        if let Some(required) = m.required_state
            && target.state != required.as_str()
        {
            plan.slots.push(Slot::WrongState);
            continue;
        }
        if let Some(required) = m.required_assignee
            && target.assignee.as_deref() != Some(required.to_string().as_str())
        {
            plan.slots.push(Slot::NotAssigned);
            continue;
        }
        if let Some(cmid) = &m.client_msg_id {
            // An earlier copy: stored before, or earlier in this batch.
            let same_key = |row: &&MessageRow| {
                row.client_msg_id.as_deref() == Some(cmid.as_str()) && row.conversation_id == conv
            };
            if let Some(row) = stored
                .iter()
                .find(same_key)
                .or_else(|| plan.inserts.iter().find(same_key))
            {
                // A resend only if the same sender sent it: another
                // participant reusing the id must not be told "stored".
                let same_sender =
                    row.sender_kind == m.sender_kind.as_str() && row.sender_id == m.sender_id;
                plan.slots.push(if same_sender {
                    Slot::Stored(Box::new(row.clone()), true)
                } else {
                    Slot::ClientIdTaken
                });
                continue;
            }
        }
        let row = MessageRow::with_conversation(m, conv, target.next);
        target.next += 1;
        // A file counts as an answer (or wakes a snoozed conversation) like text.
        if matches!(m.kind, MessageKind::Text | MessageKind::Attachment) {
            match m.sender_kind {
                SenderKind::Agent if target.unanswered => {
                    target.unanswered = false;
                    plan.answered.push((target.id.clone(), m.sender_id.clone()));
                }
                SenderKind::Customer if target.snoozed => {
                    target.snoozed = false;
                    plan.woken.push(target.id.clone());
                }
                _ => {}
            }
        }
        plan.inserts.push(row);
        plan.slots.push(Slot::Inserted);
    }
    for target in targets {
        if target.next - 1 != target.last {
            plan.give_back.push((target.id, target.next - 1));
        }
    }
    plan
}

/// Whether a conversation whose `updated_at` is `at` needs it moved to
/// `now` (see [`ACTIVITY_STEP`]). Never moves it backwards.
pub(crate) fn activity_stale(at: Timestamp, now: Timestamp) -> bool {
    activity_cutoff(now).is_some_and(|cut| at < cut)
}

/// `now` − [`ACTIVITY_STEP`]: a conversation active before it gets `now`.
/// `None` only at the very start of the calendar (nothing is older).
pub(crate) fn activity_cutoff(now: Timestamp) -> Option<Timestamp> {
    now.checked_sub_signed(ACTIVITY_STEP)
}

/// `UPDATE conversations SET updated_at = ? WHERE id = ?`: moves one
/// conversation's last activity (SQLite).
///
/// Written as a query of its own because diesel never caches the statement
/// of its `update(…)` builder (a changeset may skip `None` fields, so its SQL
/// can change between calls); this one has a fixed text and a static query
/// id, so it is prepared once per connection.
#[derive(Debug, Clone, Copy)]
struct TouchActivity<'a> {
    id: &'a str,
    now: SqlTime,
}

impl<DB> diesel::query_builder::QueryFragment<DB> for TouchActivity<'_>
where
    DB: diesel::backend::Backend,
    DB: diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    SqlTime: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("UPDATE conversations SET updated_at = ");
        out.push_bind_param::<diesel::sql_types::Timestamp, _>(&self.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<diesel::sql_types::Text, _>(self.id)?;
        Ok(())
    }
}

impl diesel::query_builder::QueryId for TouchActivity<'_> {
    type QueryId = TouchActivity<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Conn> diesel::RunQueryDsl<Conn> for TouchActivity<'_> {}

/// `INSERT INTO messages (…) VALUES (?, …)`: one message, every column
/// bound (SQLite).
///
/// diesel\'s `insert_into(messages).values(&row)` leaves a `None` column
/// out of the SQL on SQLite, so its statement has no static query id: every
/// insert rendered its SQL text and looked the statement up by that text.
/// This one binds `NULL` instead (the columns\' default anyway) and has a
/// fixed text: prepared once per connection, looked up by type.
#[derive(Clone, Copy)]
struct InsertMessage<'a> {
    row: &'a MessageRow,
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for InsertMessage<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        out.push_sql("INSERT INTO messages (");
        out.push_sql(MESSAGE_COLUMNS);
        out.push_sql(") VALUES (");
        push_message_values(self.row, &mut out)?;
        out.push_sql(")");
        Ok(())
    }
}

/// The columns of a message row, in [`MessageRow`]'s order (the inserts and
/// MySQL's read of earlier copies share it).
pub(crate) const MESSAGE_COLUMNS: &str = "id, conversation_id, seq, sender_kind, sender_id, \
     kind, body, client_msg_id, created_at, sender_name, attachment, event";

/// `row`'s values as bind parameters, in [`MESSAGE_COLUMNS`]' order.
pub(crate) fn push_message_values<'b, DB>(
    row: &'b MessageRow,
    out: &mut diesel::query_builder::AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>
        + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    SqlTime: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
    Option<String>:
        diesel::serialize::ToSql<diesel::sql_types::Nullable<diesel::sql_types::Text>, DB>,
{
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp as SqlTimestamp};
    out.push_bind_param::<Text, String>(&row.id)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, String>(&row.conversation_id)?;
    out.push_sql(", ");
    out.push_bind_param::<BigInt, i64>(&row.seq)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, String>(&row.sender_kind)?;
    out.push_sql(", ");
    out.push_bind_param::<Nullable<Text>, Option<String>>(&row.sender_id)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, String>(&row.kind)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, String>(&row.body)?;
    out.push_sql(", ");
    out.push_bind_param::<Nullable<Text>, Option<String>>(&row.client_msg_id)?;
    out.push_sql(", ");
    out.push_bind_param::<SqlTimestamp, SqlTime>(&row.created_at)?;
    for value in [&row.sender_name, &row.attachment, &row.event] {
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, Option<String>>(value)?;
    }
    Ok(())
}

impl diesel::query_builder::QueryId for InsertMessage<'_> {
    type QueryId = InsertMessage<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Conn> diesel::RunQueryDsl<Conn> for InsertMessage<'_> {}

/// SQLite: the transaction in one blocking call, one cached statement per
/// row.
pub(crate) mod sqlite {
    use diesel::RunQueryDsl;
    use diesel::prelude::*;

    use super::{
        InsertMessage, RESERVED, Request, Reserved, Slot, TouchActivity, activity_stale, plan,
    };
    use crate::rows::MessageRow;
    use crate::schema::{conversations, messages};
    use crate::sqltime::SqlTime;

    /// Runs steps 2–5 on `tx`, inside a transaction the caller opened with
    /// `BEGIN IMMEDIATE` (the database\'s one write lock: step 1\'s row locks
    /// are not needed, and the last sequences read here stay the last).
    pub(crate) fn append(tx: &mut SqliteConnection, request: &Request) -> QueryResult<Vec<Slot>> {
        let now = request.now;
        let mut reserved: Vec<Reserved> = Vec::with_capacity(request.conv_ids.len());
        for (id, n) in &request.wanted {
            // `load`, not `first`: see `crate::repos::by_key`.
            let rows: Vec<Reserved> = conversations::table.find(id).select(RESERVED).load(tx)?;
            // As if reserved: `plan` hands out `last - n + 1 ..= last`.
            reserved.extend(rows.into_iter().map(
                |(id, last, state, assignee, first, snooze, at)| {
                    (id, last + n, state, assignee, first, snooze, at)
                },
            ));
        }
        // The activity of the conversations it is stale for: the only write
        // to their rows a message makes, once per ACTIVITY_STEP.
        for (id, .., updated_at) in &reserved {
            if activity_stale(updated_at.0, now) {
                let now = SqlTime(now);
                TouchActivity { id, now }.execute(tx)?;
            }
        }
        let mut stored: Vec<MessageRow> = Vec::new();
        for m in &request.batch {
            let Some(cmid) = &m.client_msg_id else {
                continue;
            };
            stored.extend(
                messages::table
                    .filter(messages::conversation_id.eq(m.conversation_id.to_string()))
                    .filter(messages::client_msg_id.eq(cmid))
                    .select(MessageRow::as_select())
                    .load(tx)?,
            );
        }
        let plan = plan(request, reserved, stored);
        for row in &plan.inserts {
            InsertMessage { row }.execute(tx)?;
        }
        for (id, responder) in &plan.answered {
            diesel::update(conversations::table.find(id))
                .set((
                    conversations::first_response_at.eq(now),
                    conversations::first_responder_id.eq(responder),
                    conversations::updated_at.eq(now),
                ))
                .execute(tx)?;
        }
        if !plan.woken.is_empty() {
            diesel::update(conversations::table.filter(conversations::id.eq_any(&plan.woken)))
                .set((
                    conversations::snoozed_until.eq(None::<chat_domain::time::Timestamp>),
                    conversations::updated_at.eq(now),
                ))
                .execute(tx)?;
        }
        // `plan.give_back`: nothing was reserved, the unused numbers were
        // never taken.
        Ok(plan.into_slots())
    }
}

/// MySQL: one statement per step for the whole batch, each of a fixed
/// shape so that it is prepared once per connection.
pub(crate) mod mysql;
