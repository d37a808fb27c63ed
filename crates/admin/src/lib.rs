//! # chat-admin
//!
//! The back office of Chat API: authentication, role checks and the REST API
//! under `/api/v1` (auth, users, customers, conversations, knowledge base,
//! canned responses, statistics, webhooks, audit).
//!
//! Layout:
//! - [`auth`]: password hashing (argon2id, off the async threads), JWT access
//!   and customer tokens, rotating refresh tokens with reuse detection, login
//!   throttling, and [`auth::AuthService`] which ties them to the store;
//! - [`http`]: the HTTP face: the one error body ([`http::ApiError`]), the
//!   extractors that authenticate a request and check its role
//!   ([`http::Caller`], [`http::StaffCaller`], [`http::RoleGuard`]), the
//!   client-address rules, and the routes;
//! - [`attachments`]: file uploads and downloads in conversations (checks,
//!   storage, the `attachment` message) and the file half of an erasure;
//! - [`stats`]: support statistics (first response and resolution times,
//!   assistant resolution and handoff rates, CSAT) from conversation facts;
//! - [`webhooks`]: signed event deliveries to other systems (outbox,
//!   sender with retries, destination rules).
//!
//! The crate depends on `chat-domain` and its ports only: give it any
//! [`chat_domain::ports::Store`].

pub mod attachments;
pub mod auth;
pub mod http;
pub mod stats;
pub mod webhooks;

pub use auth::{AuthConfig, AuthService};
pub use http::{Services, configure};
