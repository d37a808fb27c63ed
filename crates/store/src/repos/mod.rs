//! One module per repository port; each query is written once for both
//! backends through `with_conn!` / `with_tx!`, or, for a query that is one
//! statement built before it runs, through [`SqlStore::execute`],
//! [`SqlStore::load`] and [`SqlStore::find`].

use chat_domain::{DomainError, DomainResult};
use diesel::Selectable;
use diesel::sqlite::Sqlite;
use diesel_async::RunQueryDsl;
use diesel_async::methods::{ExecuteDsl, LoadQuery};

use crate::SqlStore;
use crate::db::{MysqlConn, SqliteConn, with_conn};
use crate::error::db_err;

pub(crate) mod append;
mod attachments;
mod audit;
mod availability;
mod canned;
mod conversations;
mod customers;
mod health;
mod import;
mod inbox;
mod knowledge;
mod prechat;
mod tokens;
mod users;
mod webhooks;

/// Largest page any list query returns, whatever the caller asks.
pub(crate) const MAX_PAGE: u32 = 1000;

pub(crate) fn page(limit: u32) -> i64 {
    i64::from(limit.clamp(1, MAX_PAGE))
}

/// The one row a query by primary or unique key found, if any.
///
/// The lookups made per message or per request `load` instead of using
/// diesel's `first`, which appends `LIMIT ?`: SQLite (3.53 here) marks a statement whose LIMIT is a bound
/// parameter as expired each time the parameter is bound again, and
/// re-prepares it on the next step, so every call parsed its SQL anew. In
/// the message writer that was half of the append transaction's time (perf,
/// docs/BENCHMARKS.md). A key lookup finds at most one row without a LIMIT.
/// The `first()` calls left are inside rare transactions (transitions,
/// customer edits), where one parse does not matter.
pub(crate) fn by_key<T>(rows: diesel::QueryResult<Vec<T>>) -> DomainResult<Option<T>> {
    Ok(rows.map_err(db_err)?.into_iter().next())
}

/// `NotFound(what)` when a write by key matched no row.
///
/// diesel-async sets CLIENT_FOUND_ROWS on MySQL: the count is rows matched,
/// as on SQLite, so an update that changes nothing still counts 1.
pub(crate) fn affected(n: usize, what: &'static str) -> DomainResult<()> {
    if n == 0 {
        return Err(DomainError::NotFound(what));
    }
    Ok(())
}

/// A unique-key conflict told in the entity's words (the driver's text is
/// for logs, not clients); any other error as it was.
pub(crate) fn conflict_as(message: &'static str) -> impl FnOnce(DomainError) -> DomainError {
    move |e| match e {
        DomainError::Conflict(_) => DomainError::Conflict(message.into()),
        other => other,
    }
}

/// `Row`'s columns for `select`: what `Row::as_select()` selects, without
/// naming a backend (`as_select` does, so a query built before it runs could
/// not be used on both). `Row`'s derives check its fields against the
/// columns on both backends.
pub(crate) fn columns<Row: Selectable<Sqlite>>() -> Row::SelectExpression {
    Row::construct_selection()
}

/// An insert, update or delete, built before it runs and owning its values
/// (it runs as a task of its own: the cancel policy, `db::detach`), that
/// compiles for both backends.
pub(crate) trait Statement:
    ExecuteDsl<SqliteConn> + ExecuteDsl<MysqlConn> + Send + 'static
{
}

impl<S> Statement for S where S: ExecuteDsl<SqliteConn> + ExecuteDsl<MysqlConn> + Send + 'static {}

/// A query returning rows of `U`, built as a [`Statement`] is.
pub(crate) trait Query<U>:
    LoadQuery<'static, SqliteConn, U> + LoadQuery<'static, MysqlConn, U> + Send + 'static
{
}

impl<Q, U> Query<U> for Q where
    Q: LoadQuery<'static, SqliteConn, U> + LoadQuery<'static, MysqlConn, U> + Send + 'static
{
}

/// Statements and queries that are one round each. One whose shape depends
/// on the backend (`into_boxed`) or that runs several statements is written
/// with `with_conn!` / `with_tx!` instead.
impl SqlStore {
    /// Runs an insert, update or delete; returns the rows it matched.
    pub(crate) async fn execute(&self, statement: impl Statement) -> DomainResult<usize> {
        Ok(with_conn!(self, |conn| {
            statement.execute(conn).await.map_err(db_err)?
        }))
    }

    /// The rows a query returns.
    // Not `async fn`, here and below: with the `Send` bound in the
    // signature the compiler proves it once, for any query; proven at each
    // caller (inside `#[async_trait]` methods) it fails for some queries
    // ("`Send` is not general enough", a known limitation of the compiler
    // with higher-ranked lifetimes).
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn load<U: Send + 'static>(
        &self,
        query: impl Query<U>,
    ) -> impl Future<Output = DomainResult<Vec<U>>> + Send {
        async move {
            Ok(with_conn!(self, |conn| {
                query.load(conn).await.map_err(db_err)?
            }))
        }
    }

    /// The one row a query by primary or unique key found, if any (see
    /// [`by_key`]: no `LIMIT`).
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn find<U: Send + 'static>(
        &self,
        query: impl Query<U>,
    ) -> impl Future<Output = DomainResult<Option<U>>> + Send {
        async move { Ok(with_conn!(self, |conn| by_key(query.load(conn).await)?)) }
    }

    /// What a `count()` query counts.
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn count(
        &self,
        query: impl Query<i64>,
    ) -> impl Future<Output = DomainResult<u64>> + Send {
        async move {
            let n: Option<i64> = self.find(query).await?;
            Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
        }
    }

    /// Moves a stored position forward only, for a row that may not exist
    /// yet. `forward` updates where the stored value is lower; when it matches
    /// nothing, `insert` adds the row (a concurrent first write of the same
    /// key is ignored) and `forward` runs again, in case that other insert
    /// held a lower value.
    pub(crate) async fn advance(
        &self,
        forward: impl Statement + Clone,
        insert: impl Statement,
    ) -> DomainResult<()> {
        with_conn!(self, |conn| {
            if forward.clone().execute(conn).await.map_err(db_err)? == 0 {
                insert.execute(conn).await.map_err(db_err)?;
                forward.execute(conn).await.map_err(db_err)?;
            }
        });
        Ok(())
    }
}
