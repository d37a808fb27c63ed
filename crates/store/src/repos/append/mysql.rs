//! MySQL: the append transaction in few round trips, every statement
//! prepared once per connection.
//!
//! Over a network each statement is a round trip, and a statement whose SQL
//! diesel cannot cache (an `IN (…)` of a `Vec`, a `Vec` batch insert,
//! `sql_query`) costs two more: `COM_STMT_PREPARE` before it and
//! `COM_STMT_CLOSE` after. The batch used to pay that for every step, about
//! ten round trips per group commit. Here each step is one statement of a
//! fixed shape, with every value a bind parameter:
//!
//! - lists of conversations or of (conversation, client id) pairs are
//!   padded to the next power of two by repeating their last item (a
//!   repeated `WHEN` or `IN` item changes nothing), so a statement has at
//!   most seven shapes (1, 2, 4, … 64 items);
//! - the insert has one shape per row count, 1 to [`CHUNK`];
//! - a longer list is cut into chunks of [`CHUNK`], taken in id order so
//!   the rows are still locked in primary-key order.
//!
//! None of these statements calls diesel's `unsafe_to_cache_prepared`, and
//! their query id is dynamic, so diesel-async's statement cache keys them
//! by their SQL: each shape is prepared on its first use by a connection
//! and reused afterwards. A group commit is then `BEGIN`, the reservation,
//! the read of the reserved rows, the read of earlier copies (only when
//! messages carry client ids), one insert, `COMMIT`: six round trips for up
//! to 64 conversations and 64 messages. The read of earlier copies is
//! skipped unless an insert met one ([`Lookup`]), and the connection runs
//! with `autocommit` off so that no `BEGIN` is sent ([`commit`]): four. At most 3 × 7 + 64 statements stay
//! prepared per pooled connection (MariaDB's `max_prepared_stmt_count`
//! defaults to 16,382 for the whole server).

use diesel::mysql::Mysql;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp as SqlTimestamp};
use diesel_async::RunQueryDsl;

use super::{MESSAGE_COLUMNS, Request, Reserved, Slot, plan, push_message_values};
use crate::db::MysqlConn;
use crate::rows::MessageRow;
use crate::schema::{conversations, messages};

/// The most items one statement carries (conversations, pairs or rows).
pub(crate) const CHUNK: usize = 64;

/// How many shapes a padded list statement has: 1, 2, 4, … [`CHUNK`].
#[cfg(test)]
const SHAPES: usize = CHUNK.trailing_zeros() as usize + 1;

/// The list length a statement is prepared for: `n` (1 to [`CHUNK`])
/// rounded up to a power of two.
pub(crate) fn shape(n: usize) -> usize {
    n.next_power_of_two().min(CHUNK)
}

/// `items`, then its last item repeated up to [`shape`]`(items.len())`.
fn padded<T>(items: &[T]) -> impl Iterator<Item = &T> {
    let pad = shape(items.len()).saturating_sub(items.len());
    items
        .iter()
        .chain(items.last().into_iter().cycle().take(pad))
}

/// Why [`commit`] failed, and whether its connection must be dropped.
#[derive(Debug)]
pub(crate) struct Failed {
    /// The first error met.
    pub(crate) error: diesel::result::Error,
    /// The `ROLLBACK` after it failed too: the connection may be dead or
    /// still inside the transaction.
    pub(crate) broken: bool,
}

/// One group commit on `conn`, a connection with `autocommit` off
/// (`DbPool::open_appenders`): its first statement opens the transaction,
/// so it costs no `BEGIN` round trip, and `COMMIT` ends it. Anything that
/// fails is rolled back before the error is returned; a batch that resends
/// a stored client id is rolled back and run again with the lookup
/// ([`Lookup`]).
///
/// Not diesel's `transaction`: it would send `BEGIN` first. Nothing else
/// runs on these connections, and every path out of here leaves them
/// outside a transaction (or reports them [`Failed::broken`]).
pub(crate) async fn commit(conn: &mut MysqlConn, request: &Request) -> Result<Vec<Slot>, Failed> {
    match attempt(conn, request, Lookup::OnConflict).await {
        Err(failed) if !failed.broken && may_be_a_resend(&failed.error) => {
            attempt(conn, request, Lookup::Always).await
        }
        other => other,
    }
}

/// [`append`] then `COMMIT`, or `ROLLBACK` on the first error.
async fn attempt(
    conn: &mut MysqlConn,
    request: &Request,
    lookup: Lookup,
) -> Result<Vec<Slot>, Failed> {
    use diesel_async::SimpleAsyncConnection as _;
    let error = match append(conn, request, lookup).await {
        Ok(slots) => match conn.batch_execute("COMMIT").await {
            Ok(()) => return Ok(slots),
            Err(e) => e,
        },
        Err(e) => e,
    };
    // InnoDB has already rolled back a deadlock's victim; a ROLLBACK then
    // does nothing, and after any other error it ends the transaction.
    let broken = conn.batch_execute("ROLLBACK").await.is_err();
    Err(Failed { error, broken })
}

/// Whether step 3 (earlier copies of the batch's client ids) runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lookup {
    /// Skipped: the batch is planned as if no client id were stored yet.
    /// The unique (conversation_id, client_msg_id) index still holds every
    /// stored one, so a batch that does resend one fails its insert
    /// ([`may_be_a_resend`]), and it runs again with [`Lookup::Always`] in
    /// a new transaction. Resends are rare (a client
    /// retrying after a lost ack), and the lookup was one round trip of
    /// every group commit.
    OnConflict,
    /// Run: resends and reused ids are answered from the stored rows.
    Always,
}

/// Whether `e` may be the insert meeting a stored copy of a message of the
/// batch: what [`Lookup::OnConflict`] leaves to the unique indexes. Any
/// unique violation, not only the client id's: a resend may carry the id
/// of its first copy too (then the primary key is the index MariaDB
/// names). A violation that is no resend fails again with the lookup.
fn may_be_a_resend(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Runs steps 1–5 on `tx`, inside a transaction the caller opened; step 3
/// as `lookup` says.
async fn append(tx: &mut MysqlConn, request: &Request, lookup: Lookup) -> QueryResult<Vec<Slot>> {
    let now = request.now;
    // `wanted` is ordered by id: chunk after chunk, the rows are locked in
    // primary-key order, so two appenders never deadlock.
    let wanted: Vec<(&str, i64)> = request
        .wanted
        .iter()
        .map(|(id, n)| (id.as_str(), *n))
        .collect();
    // At the start of the calendar nothing is older than the cut-off.
    let cutoff = super::activity_cutoff(now).unwrap_or(now);
    for chunk in wanted.chunks(CHUNK) {
        Reserve {
            rows: chunk,
            now,
            cutoff,
        }
        .execute(tx)
        .await?;
    }
    let mut reserved: Vec<Reserved> = Vec::with_capacity(request.conv_ids.len());
    for chunk in request.conv_ids.chunks(CHUNK) {
        reserved.extend(ReadReserved { ids: chunk }.load::<Reserved>(tx).await?);
    }
    // Earlier copies of the batch's client ids, looked up by the pair the
    // unique index holds (no cross matches between conversations).
    let mut stored: Vec<MessageRow> = Vec::new();
    if lookup == Lookup::Always {
        let mut pairs: Vec<(String, &str)> = request
            .batch
            .iter()
            .filter_map(|m| {
                m.client_msg_id
                    .as_deref()
                    .map(|cmid| (m.conversation_id.to_string(), cmid))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        for chunk in pairs.chunks(CHUNK) {
            stored.extend(FindStored { pairs: chunk }.load::<MessageRow>(tx).await?);
        }
    }
    let plan = plan(request, reserved, stored);
    for chunk in plan.inserts.chunks(CHUNK) {
        InsertRows { rows: chunk }.execute(tx).await?;
    }
    // The rest is rare (a conversation's first answer, a snoozed one woken,
    // a resend that left reserved numbers unused): diesel's builders.
    for (id, responder) in &plan.answered {
        diesel::update(conversations::table.find(id))
            .set((
                conversations::first_response_at.eq(now),
                conversations::first_responder_id.eq(responder),
                conversations::updated_at.eq(now),
            ))
            .execute(tx)
            .await?;
    }
    if !plan.woken.is_empty() {
        diesel::update(conversations::table.filter(conversations::id.eq_any(&plan.woken)))
            .set((
                conversations::snoozed_until.eq(None::<chat_domain::time::Timestamp>),
                conversations::updated_at.eq(now),
            ))
            .execute(tx)
            .await?;
    }
    for (id, last) in &plan.give_back {
        diesel::update(conversations::table.find(id))
            .set(conversations::last_seq.eq(*last))
            .execute(tx)
            .await?;
    }
    Ok(plan.into_slots())
}

/// A statement cached by its SQL text (see the module's documentation):
/// no static query id, so diesel keys its cache by the SQL, which is the
/// same for every list of one shape.
macro_rules! cached_by_sql {
    ($($name:ident),*) => {$(
        impl QueryId for $name<'_> {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
    )*};
}
cached_by_sql!(Reserve, ReadReserved, FindStored, InsertRows);

/// Step 1: `UPDATE conversations SET last_seq = last_seq + CASE id WHEN ?
/// THEN ? … ELSE 0 END, updated_at = CASE WHEN updated_at < ? THEN ? ELSE
/// updated_at END WHERE id IN (?, …)`: reserves each conversation's
/// sequences and locks its row.
///
/// `updated_at` moves only when it is more than [`super::ACTIVITY_STEP`]
/// behind. InnoDB changes a secondary index entry only when a column of it
/// changes value, so a conversation whose activity stays leaves its
/// `conversations_state` entry alone (SQLite would rewrite it anyway, which
/// is why its path moves the activity in a statement of its own).
struct Reserve<'a> {
    /// (conversation id, messages of the batch for it), in id order.
    rows: &'a [(&'a str, i64)],
    now: chat_domain::time::Timestamp,
    /// `now` − the step: activity older than this moves to `now`.
    cutoff: chat_domain::time::Timestamp,
}

impl QueryFragment<Mysql> for Reserve<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        out.push_sql("UPDATE conversations SET last_seq = last_seq + CASE id");
        for (id, n) in padded(self.rows) {
            out.push_sql(" WHEN ");
            out.push_bind_param::<Text, str>(id)?;
            out.push_sql(" THEN ");
            out.push_bind_param::<BigInt, i64>(n)?;
        }
        out.push_sql(" ELSE 0 END, updated_at = CASE WHEN updated_at < ");
        out.push_bind_param::<SqlTimestamp, _>(&self.cutoff)?;
        out.push_sql(" THEN ");
        out.push_bind_param::<SqlTimestamp, _>(&self.now)?;
        out.push_sql(" ELSE updated_at END WHERE id IN (");
        for (i, (id, _)) in padded(self.rows).enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<Text, str>(id)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

/// Step 2: the reserved rows, read back under their locks.
struct ReadReserved<'a> {
    ids: &'a [String],
}

impl Query for ReadReserved<'_> {
    type SqlType = (
        Text,
        BigInt,
        Text,
        Nullable<Text>,
        Nullable<SqlTimestamp>,
        Nullable<SqlTimestamp>,
        SqlTimestamp,
    );
}

impl QueryFragment<Mysql> for ReadReserved<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        out.push_sql(
            "SELECT id, last_seq, state, assignee_id, first_response_at, snoozed_until, \
             updated_at FROM conversations WHERE id IN (",
        );
        for (i, id) in padded(self.ids).enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<Text, String>(id)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

/// Step 3: messages already stored under one of the batch's (conversation,
/// client id) pairs.
struct FindStored<'a> {
    pairs: &'a [(String, &'a str)],
}

impl Query for FindStored<'_> {
    type SqlType = messages::SqlType;
}

impl QueryFragment<Mysql> for FindStored<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        out.push_sql(MESSAGE_COLUMNS);
        out.push_sql(" FROM messages WHERE ");
        for (i, (conversation, client_id)) in padded(self.pairs).enumerate() {
            if i > 0 {
                out.push_sql(" OR ");
            }
            out.push_sql("(conversation_id = ");
            out.push_bind_param::<Text, String>(conversation)?;
            out.push_sql(" AND client_msg_id = ");
            out.push_bind_param::<Text, str>(client_id)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

/// Step 5: the new messages, one multi-row insert (a shape per row count:
/// rows cannot be padded).
struct InsertRows<'a> {
    rows: &'a [MessageRow],
}

impl QueryFragment<Mysql> for InsertRows<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        out.push_sql("INSERT INTO messages (");
        out.push_sql(MESSAGE_COLUMNS);
        out.push_sql(") VALUES ");
        for (i, row) in self.rows.iter().enumerate() {
            out.push_sql(if i > 0 { ", (" } else { "(" });
            push_message_values(row, &mut out)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_padded_to_a_power_of_two_with_their_last_item() {
        let padded_to = |n: usize| {
            padded(&(0..n).collect::<Vec<_>>())
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(padded_to(1), [0]);
        assert_eq!(padded_to(3), [0, 1, 2, 2]);
        assert_eq!(padded_to(5), [0, 1, 2, 3, 4, 4, 4, 4]);
        assert_eq!(padded_to(64).len(), 64);
        assert!(padded_to(0).is_empty());
        let shapes: std::collections::BTreeSet<usize> = (1..=CHUNK).map(shape).collect();
        assert_eq!(shapes.len(), SHAPES);
    }

    /// The SQL of a padded statement depends on its list's shape only: that
    /// is what lets one prepared statement serve every batch of that shape,
    /// and every value is a bind parameter.
    #[test]
    fn statements_of_one_shape_have_one_sql_and_carry_values_as_parameters() {
        let sql =
            |ids: &[String]| diesel::debug_query::<Mysql, _>(&ReadReserved { ids }).to_string();
        let three: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let four: Vec<String> = ["d", "e", "f", "g"].map(String::from).to_vec();
        let text = |s: String| s.split(" -- binds:").next().unwrap_or_default().to_owned();
        assert_eq!(text(sql(&three)), text(sql(&four)));
        assert!(!text(sql(&three)).contains("'a'") && !text(sql(&three)).contains('"'));
        let reserve = Reserve {
            rows: &[("conv-one", 2), ("conv-two", 1), ("conv-three", 5)],
            now: chat_domain::time::now(),
            cutoff: chat_domain::time::now(),
        };
        let reserve = text(diesel::debug_query::<Mysql, _>(&reserve).to_string());
        assert_eq!(reserve.matches(" WHEN ? THEN ?").count(), 4, "{reserve}");
        assert!(!reserve.contains("conv-"), "{reserve}");
        let pairs = [("conv-one".to_owned(), "client-id-one")];
        let find = text(diesel::debug_query::<Mysql, _>(&FindStored { pairs: &pairs }).to_string());
        assert!(
            !find.contains("conv-") && !find.contains("client-id"),
            "{find}"
        );
    }
}
