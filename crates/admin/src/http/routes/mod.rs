//! Route handlers, one module per resource.

pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod canned;
pub(crate) mod conversations;
pub(crate) mod knowledge;
pub(crate) mod users;
