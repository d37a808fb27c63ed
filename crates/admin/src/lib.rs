//! # chat-admin
//!
//! The back office of Chat API: authentication, role checks, the audit log
//! and the REST API under `/api/v1` (auth, users, customers, conversations,
//! knowledge base, canned responses, statistics, webhooks, audit) together
//! with the widget's customer routes (`/api/v1/widget/...`), all described
//! by one OpenAPI document (`GET /api/openapi.json`).
//!
//! Layout:
//! - [`auth`]: password hashing (argon2id, off the async threads), JWT access
//!   and customer tokens, rotating refresh tokens with reuse detection, login
//!   throttling, and [`auth::AuthService`] which ties them to the store (it
//!   reports what to audit; it does not write the log);
//! - [`audit`]: the audit log's one writer, called by the routes;
//! - [`http`]: the HTTP face: the one error body ([`http::ApiError`]), the
//!   extractors that authenticate a request and check its role
//!   ([`http::StaffCaller`], [`http::RoleGuard`], [`http::CustomerCaller`]),
//!   the client-address rules, the OpenAPI document and the routes;
//! - [`attachments`]: file uploads and downloads in conversations (checks,
//!   storage, the `attachment` message) and the file half of an erasure;
//! - [`availability`]: business hours, whether support is available now
//!   (hours and agents online, with the reply estimate) and leaving a
//!   message while it is away;
//! - [`stats`]: support statistics (first response and resolution times,
//!   assistant resolution and handoff rates, CSAT) from conversation facts.
//!
//! It sees the rest of the system through `chat-domain`'s ports (any
//! [`chat_domain::ports::Store`], [`chat_domain::ports::ConversationCommands`],
//! presence registry and knowledge search) and drives `chat-webhooks` for
//! the webhook routes. Embedding it takes a [`Services`] and
//! [`configure`]: `examples/embedded_admin.rs` serves the whole back office (and
//! the widget routes) from a minimal actix-web app over SQLite
//! (`cargo run -p chat-admin --example embedded_admin`).

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod availability;
pub mod http;
pub mod stats;

pub use auth::{AuthConfig, AuthService};
pub use http::{Mount, Services, configure, configure_mount};
