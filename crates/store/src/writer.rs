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
use diesel::SqliteConnection;
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
        open.immediate_transaction(|tx| append::sqlite::append(tx, request))
    });
    match std::panic::catch_unwind(run) {
        Ok(result) => result.map_err(db_err),
        Err(_) => {
            // diesel's transaction manager still counts the transaction the
            // panic left open: the connection cannot be trusted again.
            *conn = None;
            tracing::error!("sqlite append transaction panicked; its connection was replaced");
            Err(DomainError::Internal("append panicked".into()))
        }
    }
}
