//! The append transaction: the one place where a message gets its sequence
//! number.
//!
//! One transaction for a whole batch (group commit):
//! 1. lock each conversation, in id order so two appenders never deadlock,
//!    by reserving as many sequences as it has messages here;
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
//! A conversation's `updated_at` (its last activity, the order of the
//! conversation lists) moves with a message only when it is more than
//! [`ACTIVITY_STEP`] behind: it is a key of the `conversations_state`
//! index, and moving it on every message rewrote one more random page of
//! that index per message (docs/BENCHMARKS.md, "Storage pages per message").
//! A message that changes the conversation itself (its first answer, waking
//! it from a snooze) always moves it: `updated_at` is also the version the
//! conversation cache and clients compare, and must not stay put on a change.

use std::collections::{BTreeMap, HashMap};

use chat_domain::model::{ConversationState, MessageKind, NewMessage, SenderKind};
use chat_domain::time::Timestamp;
use diesel::QueryResult;

use crate::rows::MessageRow;
use crate::schema::conversations;

/// How far behind a message a conversation's `updated_at` may stay.
///
/// Lists sort by `updated_at` and the idle sweeper compares it with its
/// cut-off; both are exact to this step. A conversation with a message every
/// few seconds (any real one) moves on every message as before; a busy one
/// moves once per step instead of once per message.
pub(crate) const ACTIVITY_STEP: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

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
/// reservation), state, assignee, first_response_at, snoozed_until,
/// updated_at.
type Reserved = (
    String,
    i64,
    String,
    Option<String>,
    Option<Timestamp>,
    Option<Timestamp>,
    Timestamp,
);

/// The columns of [`Reserved`].
const RESERVED: (
    conversations::id,
    conversations::last_seq,
    conversations::state,
    conversations::assignee_id,
    conversations::first_response_at,
    conversations::snoozed_until,
    conversations::updated_at,
) = (
    conversations::id,
    conversations::last_seq,
    conversations::state,
    conversations::assignee_id,
    conversations::first_response_at,
    conversations::snoozed_until,
    conversations::updated_at,
);

/// What the transaction writes after reading, and what it answers.
pub(crate) struct Plan {
    /// One per input message, in order.
    pub(crate) slots: Vec<Slot>,
    /// New messages, with their sequences.
    pub(crate) inserts: Vec<MessageRow>,
    /// Conversations answered for the first time, with who answered.
    pub(crate) answered: Vec<(String, Option<String>)>,
    /// Snoozed conversations a customer's message wakes.
    pub(crate) woken: Vec<String>,
    /// Conversations whose `last_seq` goes back to this value: duplicates
    /// did not use all they reserved.
    pub(crate) give_back: Vec<(String, i64)>,
}

/// Decides each message's fate from what steps 1–3 read: refused (closed,
/// changed state or assignee, unknown conversation, client id of another
/// sender), a duplicate of a stored message, or stored with the next
/// sequence of its conversation.
pub(crate) fn plan(request: &Request, reserved: Vec<Reserved>, stored: Vec<MessageRow>) -> Plan {
    // Conversations still waiting for their first agent answer, and snoozed
    // ones (a customer's message wakes them): rare, so the extra updates
    // run only for them.
    let mut unanswered: Vec<String> = Vec::new();
    let mut snoozed: Vec<String> = Vec::new();
    // Closed conversations take no more text, only life-cycle events (the
    // "closed" notice itself): decided here, under the lock, so a close
    // cannot slip in between a check and the write.
    let mut closed: Vec<String> = Vec::new();
    let mut states: HashMap<String, String> = HashMap::new();
    // conversation -> (next sequence to hand out, last one reserved).
    let mut next: HashMap<String, (i64, i64)> = HashMap::new();
    let mut assignees: HashMap<String, Option<String>> = HashMap::new();
    for (id, last, state, assignee, first_response, snooze, _) in reserved {
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
        let n = request.wanted.get(&id).copied().unwrap_or(0);
        next.insert(id, (last - n + 1, last));
    }
    let mut known: HashMap<(String, String), MessageRow> = HashMap::new();
    for row in stored {
        if let Some(cmid) = row.client_msg_id.clone() {
            known.insert((row.conversation_id.clone(), cmid), row);
        }
    }
    let mut plan = Plan {
        slots: Vec::with_capacity(request.batch.len()),
        inserts: Vec::new(),
        answered: Vec::new(),
        woken: Vec::new(),
        give_back: Vec::new(),
    };
    for m in &request.batch {
        let conv = m.conversation_id.to_string();
        if closed.contains(&conv) && m.kind != MessageKind::Event {
            plan.slots.push(Slot::Closed);
            continue;
        }
        if let Some(required) = m.required_state
            && states.get(&conv).is_some_and(|s| s != required.as_str())
        {
            plan.slots.push(Slot::WrongState);
            continue;
        }
        if let Some(required) = m.required_assignee
            && assignees
                .get(&conv)
                .is_some_and(|a| a.as_deref() != Some(required.to_string().as_str()))
        {
            plan.slots.push(Slot::NotAssigned);
            continue;
        }
        let Some((seq, _)) = next.get_mut(&conv) else {
            plan.slots.push(Slot::Missing);
            continue;
        };
        if let Some(cmid) = &m.client_msg_id
            && let Some(row) = known.get(&(conv.clone(), cmid.clone()))
        {
            // A resend only if the same sender sent it: another participant
            // reusing the id must not be told "stored".
            let same_sender =
                row.sender_kind == m.sender_kind.as_str() && row.sender_id == m.sender_id;
            plan.slots.push(if same_sender {
                Slot::Stored(Box::new(row.clone()), true)
            } else {
                Slot::ClientIdTaken
            });
            continue;
        }
        let row = MessageRow::new(m, *seq);
        *seq += 1;
        // A file counts as an answer (or wakes a snoozed conversation) like text.
        if matches!(m.kind, MessageKind::Text | MessageKind::Attachment) {
            match m.sender_kind {
                SenderKind::Agent if move_once(&mut unanswered, &conv) => {
                    plan.answered.push((conv.clone(), m.sender_id.clone()));
                }
                SenderKind::Customer if move_once(&mut snoozed, &conv) => {
                    plan.woken.push(conv.clone());
                }
                _ => {}
            }
        }
        if let Some(cmid) = &m.client_msg_id {
            known.insert((conv, cmid.clone()), row.clone());
        }
        plan.inserts.push(row.clone());
        plan.slots.push(Slot::Stored(Box::new(row), false));
    }
    for (id, (next_seq, reserved_last)) in next {
        if next_seq - 1 != reserved_last {
            plan.give_back.push((id, next_seq - 1));
        }
    }
    plan
}

/// Removes `id` from `from` if it is there: each conversation needs its
/// follow-up update once per batch.
fn move_once(from: &mut Vec<String>, id: &str) -> bool {
    match from.iter().position(|c| c == id) {
        Some(i) => {
            from.swap_remove(i);
            true
        }
        None => false,
    }
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

/// `UPDATE conversations SET last_seq = last_seq + ? WHERE id = ?`: reserves
/// `n` sequences of one conversation.
///
/// Written as a query of its own because diesel never caches the statement
/// of its `update(…)` builder (a changeset may skip `None` fields, so its SQL
/// can change between calls): on SQLite every append batch paid one SQL parse
/// per conversation for it. This one has a fixed text and a static query id,
/// so it is prepared once per connection.
///
/// It leaves `updated_at` alone: SQLite rewrites the entry of every index
/// holding an assigned column even when its value does not change (a `CASE`
/// keeping the old value still dirties a `conversations_state` page), so the
/// activity moves in [`TouchActivity`], only for the conversations that need it.
#[derive(Debug, Clone, Copy)]
struct ReserveSeqs<'a> {
    id: &'a str,
    n: i64,
}

impl<DB> diesel::query_builder::QueryFragment<DB> for ReserveSeqs<'_>
where
    DB: diesel::backend::Backend,
    DB: diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("UPDATE conversations SET last_seq = last_seq + ");
        out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.n)?;
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

/// `UPDATE conversations SET updated_at = ? WHERE id = ?`: moves one
/// conversation's last activity (fixed text, cached like [`ReserveSeqs`]).
#[derive(Debug, Clone, Copy)]
struct TouchActivity<'a> {
    id: &'a str,
    now: Timestamp,
}

impl<DB> diesel::query_builder::QueryFragment<DB> for TouchActivity<'_>
where
    DB: diesel::backend::Backend,
    DB: diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    Timestamp: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
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

/// SQLite: the transaction in one blocking call, one cached statement per
/// row.
pub(crate) mod sqlite {
    use diesel::RunQueryDsl;
    use diesel::prelude::*;

    use super::{
        RESERVED, Request, ReserveSeqs, Reserved, Slot, TouchActivity, activity_stale, plan,
    };
    use crate::rows::MessageRow;
    use crate::schema::{conversations, messages};

    /// Runs steps 1–5 on `tx`, inside a transaction the caller opened.
    pub(crate) fn append(tx: &mut SqliteConnection, request: &Request) -> QueryResult<Vec<Slot>> {
        let now = request.now;
        for (id, n) in &request.wanted {
            ReserveSeqs { id, n: *n }.execute(tx)?;
        }
        let mut reserved: Vec<Reserved> = Vec::with_capacity(request.conv_ids.len());
        for id in &request.conv_ids {
            // `load`, not `first`: see `crate::repos::by_key`.
            reserved.extend(conversations::table.find(id).select(RESERVED).load(tx)?);
        }
        // The activity of the conversations it is stale for (the row is
        // already dirty from the reservation: this only adds the index
        // entry's move, once per ACTIVITY_STEP).
        for (id, .., updated_at) in &reserved {
            if activity_stale(*updated_at, now) {
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
            diesel::insert_into(messages::table)
                .values(row)
                .execute(tx)?;
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
        for (id, last) in &plan.give_back {
            diesel::update(conversations::table.find(id))
                .set(conversations::last_seq.eq(*last))
                .execute(tx)?;
        }
        Ok(plan.slots)
    }
}

/// MySQL: one statement per step for the whole batch, each of a fixed
/// shape so that it is prepared once per connection.
pub(crate) mod mysql;
