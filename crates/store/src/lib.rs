//! # chat-store
//!
//! Persistence for Chat API: one implementation of every `chat-domain`
//! repository port that runs on **SQLite** (the embedded default, bundled
//! libsqlite3) and on **MySQL / MariaDB** (production), chosen at run time from
//! `DATABASE_URL`.
//!
//! Layout:
//! - [`db`]: URL parsing, pools, per-connection settings, embedded migrations
//!   (run at open), and the `with_conn!` / `with_tx!` macros that compile each
//!   query body once per backend, so queries are written once;
//! - `schema` / `rows`: the shared table definitions and row ⇄ entity conversions;
//! - [`crypto`]: AES-256-GCM field encryption of customer contact details and
//!   notes, and the keyed hashes that keep e-mail and phone searchable;
//! - `repos/`: one file per port (users, tokens, customers, conversations and
//!   messages, knowledge, audit, health);
//! - `writer` (SQLite): the thread that owns a connection and runs every
//!   message append transaction; `checkpoint` (SQLite): the thread that
//!   copies the write-ahead log into the database file, off the commit path;
//! - cancel safety, built in: every statement or transaction runs as a task
//!   of the runtime the store was opened on (`with_conn!` / `with_tx!`), so a
//!   caller dropping its future (actix does, on hang-ups) never cancels a
//!   statement midway (docs/ARCHITECTURE.md, "Cancel safety");
//! - [`error`]: start-up errors and the mapping of database errors to
//!   [`chat_domain::DomainError`].
//!
//! Rules kept on both backends: ids are made by the application (no
//! `RETURNING`), times are UTC with microseconds, writes that read first run in
//! `BEGIN IMMEDIATE` on SQLite and at READ COMMITTED behind a row lock on MySQL.

mod checkpoint;
pub mod crypto;
pub mod db;
pub mod error;
#[cfg(test)]
mod faults;
mod repos;
mod rows;
mod schema;
mod sqltime;
#[cfg(feature = "test-support")]
pub mod testing;
mod writer;

pub use checkpoint::CheckpointStatus;
pub use crypto::{CipherError, FieldCipher};
pub use db::{DatabaseUrl, PoolOptions, private_dir};
pub use error::ConnectError;

use std::sync::Arc;

use db::DbPool;

/// A connected store, implementing every repository port of `chat-domain`.
/// Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct SqlStore {
    pool: DbPool,
    backend: &'static str,
    /// Data keys for customer contact details; without them, customers
    /// without contact details still work and any other is an error.
    cipher: Option<Arc<FieldCipher>>,
    /// Where every database round runs (see `db::detach`): the runtime
    /// [`SqlStore::connect`] was called on.
    runtime: tokio::runtime::Handle,
    /// SQLite only: the thread that checkpoints the write-ahead log.
    checkpointer: Option<Arc<checkpoint::Checkpointer>>,
    /// SQLite only: the thread that runs every append transaction on a
    /// connection of its own (see `writer`).
    writer: Option<writer::SqliteWriter>,
    /// MySQL only: the append transactions' connections, `autocommit` off
    /// (see `DbPool::open_appenders`).
    appenders: Option<
        deadpool::managed::Pool<
            diesel_async::pooled_connection::AsyncDieselConnectionManager<db::MysqlConn>,
        >,
    >,
}

impl SqlStore {
    /// Connects to `database_url`, runs pending migrations and returns the
    /// store. Its queries run as tasks of the current runtime (see the
    /// crate docs' cancel-safety note): call it on a multi-thread runtime. An unknown scheme, a malformed URL or an unreachable database
    /// is a [`ConnectError`], never a panic.
    pub async fn connect(database_url: &str, options: PoolOptions) -> Result<Self, ConnectError> {
        Self::connect_to(&DatabaseUrl::parse(database_url)?, options).await
    }

    /// [`Self::connect`] with a URL already parsed.
    pub async fn connect_to(url: &DatabaseUrl, options: PoolOptions) -> Result<Self, ConnectError> {
        Self::connect_with(url, options, checkpoint::Policy::default()).await
    }

    /// [`Self::connect_to`] with the SQLite log checkpointed by `policy`
    /// (tests shorten it).
    pub(crate) async fn connect_with(
        url: &DatabaseUrl,
        options: PoolOptions,
        policy: checkpoint::Policy,
    ) -> Result<Self, ConnectError> {
        let pool = DbPool::open(url, &options).await?;
        let (checkpointer, writer) = match url {
            DatabaseUrl::Sqlite(path) => {
                let gate = Arc::new(checkpoint::WriteGate::default());
                (
                    Some(Arc::new(
                        checkpoint::Checkpointer::start(path.clone(), policy, gate.clone()).await?,
                    )),
                    Some(writer::SqliteWriter::start(path.clone(), gate).await?),
                )
            }
            DatabaseUrl::Mysql(_) => (None, None),
        };
        let appenders = match url {
            DatabaseUrl::Mysql(url) => Some(DbPool::open_appenders(url, &options)?),
            DatabaseUrl::Sqlite(_) => None,
        };
        Ok(Self {
            pool,
            backend: url.backend(),
            cipher: None,
            runtime: tokio::runtime::Handle::current(),
            checkpointer,
            writer,
            appenders,
        })
    }

    /// The store, encrypting customer contact details with `cipher`.
    pub fn with_cipher(mut self, cipher: Arc<FieldCipher>) -> Self {
        self.cipher = Some(cipher);
        self
    }

    /// `sqlite` or `mysql`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Pool gauges for metrics.
    pub fn pool_status(&self) -> PoolStatus {
        let (size, idle, max) = self.pool.status();
        PoolStatus { size, idle, max }
    }

    /// SQLite: what the write-ahead log's checkpoint thread has done (for
    /// metrics: a pass count that stops growing, or a log that does, is
    /// a checkpointer in trouble). `None` on MySQL.
    pub fn checkpoint_status(&self) -> Option<CheckpointStatus> {
        self.checkpointer.as_ref().map(|c| c.status())
    }
}

/// A snapshot of the connection pool.
#[derive(Clone, Copy, Debug)]
pub struct PoolStatus {
    /// Connections currently open.
    pub size: usize,
    /// Open connections not in use.
    pub idle: usize,
    /// Upper bound.
    pub max: usize,
}
