//! # chat-domain
//!
//! The vocabulary of Chat API, free of any framework: typed ids, the entities
//! (users, customers, conversations, messages, knowledge documents, audit
//! entries), the one error type every layer speaks, and the *ports* — the
//! repository and authentication traits that adapters (`chat-store`,
//! `chat-admin`, …) implement and that the rest of the system consumes.
//!
//! Layout:
//! - [`ids`]: UUIDv7 newtypes, so a `UserId` can never be passed where a
//!   `ConversationId` is expected;
//! - [`model`]: entities and their invariants (validated constructors);
//! - [`events`]: what the nodes and sockets tell each other;
//! - [`access`]: who may see and change which conversation;
//! - [`attachment`]: files in conversations: type sniffing, name rules, the
//!   object-storage and metadata ports;
//! - [`availability`]: business hours (weekly spans in an IANA time zone,
//!   holidays), "open at T" and "next opening" as pure rules, the reply-time
//!   estimate, and the ports for the configuration and left messages;
//! - [`auth`]: who is calling ([`auth::Principal`]) and the token port;
//! - [`error`]: [`DomainError`], with the one mapping to HTTP status codes;
//! - [`ports`]: the repository traits;
//! - [`time`]: the clock rule (UTC, microsecond precision) shared by all stores.
//!
//! Dependency rule: this crate depends on no other crate of the workspace and
//! on no web, database or runtime framework.

pub mod access;
pub mod attachment;
pub mod auth;
pub mod availability;
pub mod error;
pub mod events;
pub mod ids;
pub mod model;
pub mod ports;
pub mod time;

pub use error::{DomainError, DomainResult};

/// Schema helpers for the types the macros declare (feature `openapi`).
#[cfg(feature = "openapi")]
#[doc(hidden)]
pub mod openapi {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};

    /// A UUID string.
    pub fn uuid_schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("uuid".into())))
            .into()
    }

    /// One of these strings.
    pub fn string_enum_schema(values: &[&str]) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied()))
            .into()
    }
}
