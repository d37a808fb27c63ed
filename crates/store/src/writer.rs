//! SQLite's message writer: one long-lived OS thread that owns one
//! connection and runs every append transaction on it.
//!
//! Why a thread of its own: SQLite takes one writer at a time anyway, and
//! the append transaction is one synchronous call. Run through the pool, each
//! batch cost a task (`detach`), a pool checkout and a `spawn_blocking` on
//! diesel-async's wrapper: three wake-ups, often across threads, before the
//! first statement, and the statement cache of whichever pooled connection
//! came out. Here a batch costs one message on a bounded channel, which wakes
//! the parked thread, and one oneshot back; the connection, its cached
//! statements and its warm page cache stay with the thread.
//!
//! Guarantees, as before:
//! - **persisted before the answer**: the reply is sent after the commit;
//! - **cancel safety**: a caller dropped before its job is queued queues
//!   nothing; once queued, the job runs to its commit or rollback whatever
//!   the caller does (dropping the oneshot only discards the answer), the
//!   same promise as `db::detach`;
//! - **bounded**: at most [`QUEUE`] jobs wait; callers wait for room;
//! - a panic inside a transaction becomes an internal error for that batch
//!   only; the connection, left inside its transaction, is closed (SQLite
//!   rolls back) and another opened for the next batch.
//!
//! The pooled connections still write everything else (transitions, users,
//! …); `BEGIN IMMEDIATE` and `busy_timeout` order them with this one. The
//! thread ends when the last clone of the store is dropped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chat_domain::{DomainError, DomainResult};
use diesel::{RunQueryDsl as _, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::checkpoint::WriteGate;
use crate::error::{ConnectError, db_err};
use crate::repos::append::{self, Slot};

/// Batches that may wait for the thread. The message log sends one batch
/// at a time per writer, so this bounds the other callers (imports, tests).
const QUEUE: usize = 64;

/// One append batch and where its answer goes.
struct Job {
    request: append::Request,
    reply: oneshot::Sender<DomainResult<Vec<Slot>>>,
}

/// The sending side of the writer thread; cheap to clone.
#[derive(Clone)]
pub(crate) struct SqliteWriter {
    jobs: mpsc::Sender<Job>,
}

impl SqliteWriter {
    /// Opens the writer's connection to `path` (on the blocking pool: it
    /// touches the file) and starts the thread. Fails when the database
    /// cannot be opened.
    pub(crate) async fn start(path: PathBuf, gate: Arc<WriteGate>) -> Result<Self, ConnectError> {
        tokio::task::spawn_blocking(move || Self::start_blocking(path, gate))
            .await
            .map_err(|e| crate::db::unreachable_err("sqlite", format!("writer thread: {e}")))?
    }

    fn start_blocking(path: PathBuf, gate: Arc<WriteGate>) -> Result<Self, ConnectError> {
        let conn = crate::db::open_sqlite(&path.to_string_lossy())
            .map_err(|e| crate::db::unreachable_err("sqlite", e))?;
        let (jobs, queue) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(path, conn, queue, gate))
            .map_err(|e| crate::db::unreachable_err("sqlite", format!("writer thread: {e}")))?;
        Ok(Self { jobs })
    }

    /// Runs the append transaction for `request` on the writer thread and
    /// returns what it decided for each message, once committed.
    pub(crate) async fn append(&self, request: append::Request) -> DomainResult<Vec<Slot>> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .await
            .map_err(|_| DomainError::Unavailable("sqlite writer stopped".into()))?;
        answer
            .await
            .map_err(|_| DomainError::Unavailable("sqlite writer stopped".into()))?
    }
}

/// The thread's loop: one transaction per job, until every sender is gone.
fn run(
    path: PathBuf,
    conn: SqliteConnection,
    mut queue: mpsc::Receiver<Job>,
    gate: Arc<WriteGate>,
) {
    let mut conn = Some(conn);
    while let Some(job) = queue.blocking_recv() {
        let result = {
            // The checkpointer's log restart gets its turn between two
            // transactions (see `WriteGate`).
            let _turn = gate.writer_turn();
            commit(&path, &mut conn, &job.request)
        };
        // The caller may be gone: the commit stands, the answer is dropped.
        let _ = job.reply.send(result);
    }
}

/// Commits one batch on `conn`, reopening it first if a panic closed it.
fn commit(
    path: &Path,
    conn: &mut Option<SqliteConnection>,
    request: &append::Request,
) -> DomainResult<Vec<Slot>> {
    if conn.is_none() {
        *conn = Some(
            crate::db::open_sqlite(&path.to_string_lossy()).map_err(|e| {
                DomainError::Unavailable(format!("sqlite writer cannot reopen the database: {e}"))
            })?,
        );
    }
    let Some(open) = conn.as_mut() else {
        return Err(DomainError::Internal(
            "sqlite writer without a connection".into(),
        ));
    };
    let run = std::panic::AssertUnwindSafe(|| {
        Begin.execute(open)?;
        let slots = append::sqlite::append(open, request);
        #[cfg(test)]
        if crate::faults::fires(path, crate::faults::Fault::AppendPanics) {
            panic!("injected: the append transaction panics before its commit");
        }
        let slots = slots.and_then(|slots| Commit.execute(open).map(|_| slots));
        Ok(slots.map_err(|e| (e, Rollback.execute(open).is_ok())))
    });
    match std::panic::catch_unwind(run) {
        Ok(Ok(Ok(slots))) => Ok(slots),
        // BEGIN failed: no transaction was opened.
        Ok(Err(e)) => Err(db_err(e)),
        Ok(Ok(Err((e, rolled_back)))) => {
            if !rolled_back {
                // A transaction may still be open on it: the next BEGIN
                // would fail; a new connection starts clean.
                *conn = None;
                tracing::error!("sqlite append rollback failed; its connection was replaced");
            }
            Err(db_err(e))
        }
        Err(_) => {
            // The panic left the transaction open: the connection cannot be
            // trusted again (closing it rolls back).
            *conn = None;
            tracing::error!("sqlite append transaction panicked; its connection was replaced");
            Err(DomainError::Internal("append panicked".into()))
        }
    }
}

/// The writer's transaction control, each a statement of fixed text that
/// diesel prepares once and keeps (`BEGIN IMMEDIATE` and `COMMIT` through
/// `immediate_transaction` went through `sqlite3_exec`, which parses its SQL
/// on every call: about a tenth of the writer's instructions per batch of
/// one message, docs/BENCHMARKS.md "CPU per message"). Nothing else uses
/// diesel's transaction manager on this connection.
macro_rules! control_statement {
    ($($name:ident => $sql:literal),* $(,)?) => {$(
        #[doc = concat!("`", $sql, "`, prepared once.")]
        #[derive(Debug, Clone, Copy)]
        struct $name;

        impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for $name {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
            ) -> diesel::QueryResult<()> {
                out.push_sql($sql);
                Ok(())
            }
        }

        impl diesel::query_builder::QueryId for $name {
            type QueryId = Self;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl<Conn> diesel::RunQueryDsl<Conn> for $name {}
    )*};
}
control_statement!(
    Begin => "BEGIN IMMEDIATE",
    Commit => "COMMIT",
    Rollback => "ROLLBACK",
);

#[cfg(test)]
mod tests {
    use chat_domain::DomainError;
    use chat_domain::ids::ConversationId;
    use chat_domain::model::{Customer, HistoryQuery, MessageKind, NewMessage, SenderKind};
    use chat_domain::ports::{ConversationRepository as _, CustomerRepository as _};
    use chat_domain::time::now;

    use crate::checkpoint::Policy;
    use crate::faults::{Fault, arm, scratch};

    fn message(conv: ConversationId, id: &str) -> NewMessage {
        NewMessage::new(
            conv,
            SenderKind::Customer,
            None,
            MessageKind::Text,
            format!("body of {id}"),
            Some(id.into()),
            now(),
        )
        .unwrap()
    }

    /// A batch whose transaction panics fails alone: its caller gets an
    /// error, nothing of it is stored, the write lock is released (the
    /// pooled connections still write), and the writer thread goes on with
    /// a new connection for the next batches.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_batch_fails_alone_and_the_writer_goes_on() {
        let (dir, path, store, conv) = scratch("chat-writer", Policy::default()).await;

        let first = store
            .append_messages(vec![message(conv.id, "a")])
            .await
            .unwrap();
        assert_eq!(first[0].as_ref().unwrap().message.seq, 1);

        arm(&path, Fault::AppendPanics, 1);
        let failed = store
            .append_messages(vec![message(conv.id, "b1"), message(conv.id, "b2")])
            .await;
        assert!(
            matches!(failed, Err(DomainError::Internal(_))),
            "the panicking batch's caller hears of it: {failed:?}"
        );

        // The lock the panicked transaction held is gone: a pooled write
        // (its own `BEGIN IMMEDIATE`) goes through.
        let other = Customer::new(Some("after-the-panic".into()), None, now());
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            store.create_customer(&other),
        )
        .await
        .expect("a pooled write waits for a lock nobody holds")
        .unwrap();

        // Later batches commit, on the writer's new connection, and the
        // failed batch left no trace (no message, no sequence used).
        for id in ["c", "d"] {
            let out = store
                .append_messages(vec![message(conv.id, id)])
                .await
                .unwrap();
            assert!(!out[0].as_ref().unwrap().duplicate);
        }
        let history = store
            .history(
                conv.id,
                HistoryQuery::AfterSeq {
                    after: 0,
                    limit: 10,
                },
            )
            .await
            .unwrap();
        let stored: Vec<(i64, &str)> = history
            .iter()
            .map(|m| (m.seq, m.client_msg_id.as_deref().unwrap_or_default()))
            .collect();
        assert_eq!(
            stored,
            [(1, "a"), (2, "c"), (3, "d")],
            "only the batches that committed"
        );
        // The failed batch may be sent again (its ids were never taken).
        let again = store
            .append_messages(vec![message(conv.id, "b1")])
            .await
            .unwrap();
        let again = again[0].as_ref().unwrap();
        assert_eq!((again.message.seq, again.duplicate), (4, false));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
