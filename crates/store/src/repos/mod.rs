//! One module per repository port; each query is written once for both
//! backends through `with_conn!` / `with_tx!`.

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
pub(crate) fn by_key<T>(rows: diesel::QueryResult<Vec<T>>) -> chat_domain::DomainResult<Option<T>> {
    Ok(rows.map_err(crate::error::db_err)?.into_iter().next())
}
