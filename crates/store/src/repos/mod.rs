//! One module per repository port; each query is written once for both
//! backends through `with_conn!` / `with_tx!`.

mod audit;
mod canned;
mod conversations;
mod customers;
mod health;
mod knowledge;
mod tokens;
mod users;
mod webhooks;

/// Largest page any list query returns, whatever the caller asks.
pub(crate) const MAX_PAGE: u32 = 1000;

pub(crate) fn page(limit: u32) -> i64 {
    i64::from(limit.clamp(1, MAX_PAGE))
}
