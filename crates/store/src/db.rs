//! Opening the database: URL parsing, pools, per-connection settings,
//! migrations, and the dispatch macros that let every query be written once.
//!
//! ~510 lines: the dispatch macros and the pool settings they rely
//! on are kept together so the cancel policy has one home.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deadpool::Runtime;
use diesel::{Connection, SqliteConnection};
use diesel_async::AsyncMysqlConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Hook, HookError, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;

use crate::error::ConnectError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/mysql");

/// The SQLite connection type: diesel's sync connection run on tokio's
/// blocking pool by diesel-async's wrapper.
pub(crate) type SqliteConn = SyncConnectionWrapper<SqliteConnection>;
/// The MySQL connection type (pure Rust driver, no libmysqlclient).
pub(crate) type MysqlConn = AsyncMysqlConnection;

/// Which database a `DATABASE_URL` designates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (created with its directory if missing).
    Sqlite(PathBuf),
    /// A MySQL or MariaDB server; the URL is passed to the driver as is.
    Mysql(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://relative/path`, `sqlite:///absolute/path` or
    /// `mysql://user:pass@host:port/db` (`mariadb://` is accepted as a synonym).
    pub fn parse(url: &str) -> Result<Self, ConnectError> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| ConnectError::InvalidUrl("expected scheme://…".into()))?;
        match scheme {
            "sqlite" => {
                let path = rest.split('?').next().unwrap_or_default();
                if path.is_empty() || path.contains(":memory:") {
                    return Err(ConnectError::InvalidUrl(
                        "sqlite needs a file path (in-memory databases are one per connection)"
                            .into(),
                    ));
                }
                Ok(Self::Sqlite(PathBuf::from(path)))
            }
            "mysql" => Ok(Self::Mysql(url.to_owned())),
            "mariadb" => Ok(Self::Mysql(format!("mysql://{rest}"))),
            other => Err(ConnectError::UnsupportedScheme(other.to_owned())),
        }
    }

    /// `sqlite` or `mysql`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Mysql(_) => "mysql",
        }
    }
}

/// Pool settings.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// Maximum connections. SQLite is capped at 4: it has one writer anyway.
    pub max_size: usize,
    /// How long to wait for a connection (also the connect timeout).
    pub timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 8,
            timeout: Duration::from_secs(5),
        }
    }
}

/// The two pools, one per backend. Queries match on it through [`with_conn!`]
/// and [`with_tx!`], so their bodies are written once.
#[derive(Clone)]
pub(crate) enum DbPool {
    Sqlite(Pool<SqliteConn>),
    Mysql(Pool<MysqlConn>),
}

/// Runs `$body` with `$conn` bound to a pooled connection of either backend,
/// as a task of the store's runtime (see [`detach`]): the body owns what it
/// uses (`async move`). The body is compiled twice, once per connection type.
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:expr) => {{
        let pool = $db.pool.clone();
        $crate::db::detach(&$db.runtime, async move {
            match &pool {
                $crate::db::DbPool::Sqlite(pool) => {
                    let mut guard = pool.get().await.map_err($crate::error::pool_err)?;
                    let $conn: &mut $crate::db::SqliteConn = &mut *guard;
                    Ok::<_, chat_domain::DomainError>($body)
                }
                $crate::db::DbPool::Mysql(pool) => {
                    let mut guard = pool.get().await.map_err($crate::error::pool_err)?;
                    let $conn: &mut $crate::db::MysqlConn = &mut *guard;
                    Ok::<_, chat_domain::DomainError>($body)
                }
            }
        })
        .await?
    }};
}
pub(crate) use with_conn;

/// Runs `$body` (an async closure body returning `Result<T, diesel::result::Error>`)
/// in a transaction, as a task of the store's runtime (see [`detach`]):
/// `BEGIN IMMEDIATE` on SQLite, so a read-then-write never fails with
/// "database is locked"; a plain transaction on MySQL, whose connections run
/// at READ COMMITTED so a plain read behind a row lock sees the latest
/// committed row (see `mysql_setup`).
macro_rules! with_tx {
    ($db:expr, |$tx:ident| $body:expr) => {{
        let pool = $db.pool.clone();
        $crate::db::detach(&$db.runtime, async move {
            match &pool {
                $crate::db::DbPool::Sqlite(pool) => {
                    let mut guard = pool.get().await.map_err($crate::error::pool_err)?;
                    let conn: &mut $crate::db::SqliteConn = &mut *guard;
                    conn.immediate_transaction(async |$tx: &mut $crate::db::SqliteConn| $body)
                        .await
                        .map_err($crate::error::db_err)
                }
                $crate::db::DbPool::Mysql(pool) => {
                    let mut guard = pool.get().await.map_err($crate::error::pool_err)?;
                    let conn: &mut $crate::db::MysqlConn = &mut *guard;
                    diesel_async::AsyncConnection::transaction(
                        conn,
                        async |$tx: &mut $crate::db::MysqlConn| $body,
                    )
                    .await
                    .map_err($crate::error::db_err)
                }
            }
        })
        .await
    }};
}
pub(crate) use with_tx;

/// The store's cancel-safety policy, in one place: every database round
/// (one statement, or one transaction) runs as its own task on the runtime
/// the store was opened on, and the caller awaits its handle.
///
/// Why: callers get dropped midway. actix drops a handler's future when the
/// client hangs up (and its other extractors when one fails), timeouts
/// drop what they wrap. diesel-async's SQLite wrapper runs statements on
/// the blocking pool and, dropped midway, waits for them with
/// `block_in_place`, which panics on actix's current-thread workers; on
/// MySQL a dropped transaction would be left for the pool to discard. A
/// task is never dropped midway: dropping its `JoinHandle` only detaches it,
/// so the statement or transaction finishes (or rolls back) whatever the
/// caller does. The runtime is the one `SqlStore::connect` ran on (the
/// server's multi-thread runtime), not the caller's. A panic in the body
/// becomes an internal error instead of unwinding into the caller.
pub(crate) async fn detach<T: Send + 'static>(
    runtime: &tokio::runtime::Handle,
    work: impl std::future::Future<Output = chat_domain::DomainResult<T>> + Send + 'static,
) -> chat_domain::DomainResult<T> {
    runtime
        .spawn(work)
        .await
        .map_err(|e| chat_domain::DomainError::Internal(format!("store task: {e}")))?
}

impl DbPool {
    /// Opens the pool for `url`, creating the SQLite file and running pending
    /// migrations first. Fails fast (within `opts.timeout`) when the database
    /// cannot be reached.
    pub(crate) async fn open(url: &DatabaseUrl, opts: &PoolOptions) -> Result<Self, ConnectError> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                migrate_sqlite(path.clone()).await?;
                let mut config = ManagerConfig::<SqliteConn>::default();
                config.custom_setup = Box::new(sqlite_setup);
                // `Verified` would run `SELECT 1` (a thread hop on SQLite) on
                // every checkout; broken connections are still detected.
                config.recycling_method = RecyclingMethod::Fast;
                let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(
                    path.to_string_lossy(),
                    config,
                );
                let pool = Pool::builder(manager)
                    .max_size(opts.max_size.clamp(1, 4))
                    .runtime(Runtime::Tokio1)
                    .wait_timeout(Some(opts.timeout))
                    .create_timeout(Some(opts.timeout))
                    .recycle_timeout(Some(opts.timeout))
                    .build()
                    .map_err(|e| unreachable_err("sqlite", e))?;
                Ok(Self::Sqlite(pool))
            }
            DatabaseUrl::Mysql(url) => {
                let probe = tokio::time::timeout(opts.timeout, mysql_setup(url))
                    .await
                    .map_err(|_| unreachable_err("mysql", "timed out"))?
                    .map_err(|e| unreachable_err("mysql", e))?;
                drop(probe);
                migrate_mysql(url.clone()).await?;
                let pool = mysql_pool(url, opts.max_size, opts, |url| mysql_setup(url).boxed())?;
                Ok(Self::Mysql(pool))
            }
        }
    }

    /// MySQL: the pool of the append transactions' connections, which run
    /// with `autocommit` off (see [`crate::repos::append::mysql::commit`]),
    /// at most half of `opts.max_size` of them (the most message writers
    /// a node may run). Opened after [`Self::open`], which checked the
    /// server and migrated it; connections are made when first needed.
    pub(crate) fn open_appenders(
        url: &str,
        opts: &PoolOptions,
    ) -> Result<Pool<MysqlConn>, ConnectError> {
        mysql_pool(url, opts.max_size / 2, opts, |url| {
            appender_setup(url).boxed()
        })
    }

    /// (connections open, idle connections, maximum) for metrics.
    pub(crate) fn status(&self) -> (usize, usize, usize) {
        let s = match self {
            Self::Sqlite(p) => p.status(),
            Self::Mysql(p) => p.status(),
        };
        (s.size, s.available, s.max_size)
    }
}

/// A MySQL pool of at most `size` connections (at least one), each opened
/// by `setup`.
fn mysql_pool(
    url: &str,
    size: usize,
    opts: &PoolOptions,
    setup: fn(&str) -> BoxFuture<'_, diesel::ConnectionResult<MysqlConn>>,
) -> Result<Pool<MysqlConn>, ConnectError> {
    let mut config = ManagerConfig::<MysqlConn>::default();
    config.custom_setup = Box::new(setup);
    // Checkouts are not pinged as a rule (a round trip each); the
    // `pre_recycle` hook pings only connections that may have died: see
    // `check_suspect`.
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<MysqlConn>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(opts.timeout))
        .create_timeout(Some(opts.timeout))
        .recycle_timeout(Some(opts.timeout))
        .pre_recycle(Hook::async_fn(|conn, metrics| {
            check_suspect(conn, metrics).boxed()
        }))
        .build()
        .map_err(|e| unreachable_err("mysql", e))
}

/// Connections idle longer than this are pinged before reuse: a server's
/// `wait_timeout`, a proxy or a firewall may have closed them meanwhile.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);
/// How long a ping may take before the connection is given up.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// When a connection last failed in a way that may have killed it (or the
/// pool could not connect), in nanoseconds since [`epoch`]; 0 is never.
/// One value per process: several stores in one process only cost each
/// other a few extra pings.
static LAST_CONNECTION_LOSS: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Records that a connection was lost or could not be opened: every pooled
/// connection last checked out before now is pinged at its next checkout,
/// and dropped if the ping fails.
///
/// Without this a MySQL restart breaks a node for good: the driver never
/// reconnects, diesel-async only discards connections left inside a broken
/// transaction, and `RecyclingMethod::Fast` hands the dead ones out again and
/// again.
pub(crate) fn note_connection_loss() {
    let nanos = u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX);
    LAST_CONNECTION_LOSS.fetch_max(nanos.max(1), Ordering::Relaxed);
}

/// Whether a connection last handed out at `last_checkout` may be dead.
fn is_suspect(last_checkout: Instant) -> bool {
    if last_checkout.elapsed() >= PING_IF_IDLE_FOR {
        return true;
    }
    match LAST_CONNECTION_LOSS.load(Ordering::Relaxed) {
        0 => false,
        nanos => last_checkout <= epoch() + Duration::from_nanos(nanos),
    }
}

/// The pool's `pre_recycle` hook: pings a suspect connection; a failed ping
/// makes deadpool drop it and take the next one (or open a new one).
async fn check_suspect(
    conn: &mut MysqlConn,
    metrics: &deadpool::managed::Metrics,
) -> Result<(), HookError> {
    use diesel_async::SimpleAsyncConnection as _;
    if !is_suspect(metrics.recycled.unwrap_or(metrics.created)) {
        return Ok(());
    }
    match tokio::time::timeout(PING_TIMEOUT, conn.batch_execute("DO 1")).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "dropping a dead database connection");
            Err(HookError::message("connection failed its ping"))
        }
        Err(_) => Err(HookError::message("connection ping timed out")),
    }
}

pub(crate) fn unreachable_err(
    backend: &'static str,
    reason: impl std::fmt::Display,
) -> ConnectError {
    ConnectError::Unreachable {
        backend,
        reason: redact(&reason.to_string()),
    }
}

/// Drivers sometimes echo the URL; never let a password reach a log.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(char::is_whitespace) {
        match (word.find("://"), word.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                out.push_str(&word[..scheme + 3]);
                out.push_str("***");
                out.push_str(&word[at..]);
            }
            _ => out.push_str(word),
        }
    }
    out
}

/// Per-connection SQLite settings. `busy_timeout` makes a writer wait for the
/// lock instead of failing; `foreign_keys` is off by default in SQLite;
/// `wal_autocheckpoint = 0` because `crate::checkpoint` does that work off
/// the commit path; a 16 MiB page cache (default 2 MiB) because a group
/// commit dirties about three pages per message and a full cache spills
/// them into the log mid-transaction (14 % of the server's time in the
/// real-time benchmark). The cache fills only as pages are used.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -16384;";

pub(crate) fn open_sqlite(path: &str) -> diesel::ConnectionResult<SqliteConnection> {
    use diesel::connection::SimpleConnection as _;
    let mut conn = SqliteConnection::establish(path)?;
    conn.batch_execute(SQLITE_PRAGMAS)
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

fn sqlite_setup(path: &str) -> BoxFuture<'_, diesel::ConnectionResult<SqliteConn>> {
    let path = path.to_owned();
    async move {
        tokio::task::spawn_blocking(move || open_sqlite(&path).map(SyncConnectionWrapper::new))
            .await
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
    }
    .boxed()
}

/// READ COMMITTED: an append batch locks several conversations one after the
/// other; under REPEATABLE READ the snapshot taken at the batch's first read
/// would hide a `last_seq` another node committed before this batch locked a
/// later conversation, and the plain `SELECT` would hand out a taken sequence.
async fn mysql_setup(url: &str) -> diesel::ConnectionResult<MysqlConn> {
    use diesel_async::{AsyncConnection as _, SimpleAsyncConnection as _};
    let mut conn = MysqlConn::establish(url).await?;
    conn.batch_execute(
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED; SET time_zone = '+00:00'; SET NAMES utf8mb4",
    )
    .await
    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// A connection of [`DbPool::open_appenders`]: [`mysql_setup`], then
/// `autocommit` off, so that an append's first statement opens its
/// transaction (no `BEGIN` round trip) and its `COMMIT` ends it.
async fn appender_setup(url: &str) -> diesel::ConnectionResult<MysqlConn> {
    use diesel_async::SimpleAsyncConnection as _;
    let mut conn = mysql_setup(url).await?;
    conn.batch_execute("SET autocommit = 0")
        .await
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Creates `dir` (and its missing parents) readable by this user only. A
/// directory that exists is left as the operator made it (it may be shared,
/// e.g. `/tmp`).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The database holds customer data: its file is created mode 0600 before
/// SQLite opens it, and an existing one (with its `-wal` and `-shm`) is
/// brought to 0600. SQLite gives the `-wal` and `-shm` files it creates the
/// mode of the database file, so they follow.
fn private_files(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            match std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

async fn migrate_sqlite(path: PathBuf) -> Result<(), ConnectError> {
    tokio::task::spawn_blocking(move || {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_dir(dir).map_err(|e| {
                unreachable_err("sqlite", format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        private_files(&path).map_err(|e| {
            unreachable_err("sqlite", format!("cannot restrict {}: {e}", path.display()))
        })?;
        let mut conn =
            open_sqlite(&path.to_string_lossy()).map_err(|e| unreachable_err("sqlite", e))?;
        // WAL is a property of the file: set once, readers stop blocking the writer.
        diesel::connection::SimpleConnection::batch_execute(&mut conn, "PRAGMA journal_mode = WAL")
            .map_err(|e| unreachable_err("sqlite", e))?;
        conn.run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|_| ())
            .map_err(|e| ConnectError::Migration(e.to_string()))
    })
    .await
    .map_err(|e| ConnectError::Migration(e.to_string()))?
}

async fn migrate_mysql(url: String) -> Result<(), ConnectError> {
    // The sync migration harness blocks on the runtime: keep it off the async threads.
    tokio::task::spawn_blocking(move || {
        use diesel::connection::SimpleConnection as _;
        let mut conn = <AsyncConnectionWrapper<MysqlConn> as Connection>::establish(&url)
            .map_err(|e| unreachable_err("mysql", e))?;
        // Nodes starting together must not run DDL side by side (MySQL DDL is
        // not transactional): a server-wide named lock serializes them.
        conn.batch_execute("DO GET_LOCK('chat_api_migrations', 120)")
            .map_err(|e| ConnectError::Migration(e.to_string()))?;
        let result = conn
            .run_pending_migrations(MYSQL_MIGRATIONS)
            .map(|_| ())
            .map_err(|e| ConnectError::Migration(e.to_string()));
        let _ = conn.batch_execute("DO RELEASE_LOCK('chat_api_migrations')");
        result
    })
    .await
    .map_err(|e| ConnectError::Migration(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/chat.db").unwrap(),
            DatabaseUrl::Sqlite("data/chat.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/chat.db").unwrap(),
            DatabaseUrl::Sqlite("/var/lib/chat.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("mysql://u:p@h/db").unwrap().backend(),
            "mysql"
        );
        assert_eq!(
            DatabaseUrl::parse("mariadb://u:p@h/db").unwrap().backend(),
            "mysql"
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://x/y"),
            Err(ConnectError::UnsupportedScheme(s)) if s == "postgres"
        ));
        assert!(DatabaseUrl::parse("chat.db").is_err());
        assert!(DatabaseUrl::parse("sqlite://:memory:").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        let r = redact("failed mysql://root:secret@db:3306/chat now");
        assert!(!r.contains("secret"));
        assert!(r.contains("mysql://***@db:3306/chat"));
    }
}
