//! Translation of database failures into the domain's terms.

use chat_domain::DomainError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use thiserror::Error;

/// Why the store could not be opened. Start-up errors: the binary prints them
/// and exits non-zero.
#[derive(Debug, Error)]
pub enum ConnectError {
    /// `DATABASE_URL` is not `sqlite://…` or `mysql://…`.
    #[error("DATABASE_URL: unsupported scheme `{0}` (expected sqlite:// or mysql://)")]
    UnsupportedScheme(String),
    /// `DATABASE_URL` is malformed.
    #[error("DATABASE_URL: {0}")]
    InvalidUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot connect to the {backend} database: {reason}")]
    Unreachable {
        /// `sqlite` or `mysql`.
        backend: &'static str,
        /// What the driver said (credentials are never part of it).
        reason: String,
    },
    /// A migration failed; the schema may be partly applied (MySQL DDL is not transactional).
    #[error("database migration failed: {0}")]
    Migration(String),
}

/// Maps a diesel error to a domain error. `what` names the entity for
/// `NotFound` and the constraint for `Conflict`.
pub(crate) fn db_err(err: DieselError) -> DomainError {
    match err {
        DieselError::NotFound => DomainError::NotFound("row"),
        // The driver's text names the value and the index: for logs, not clients.
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            tracing::debug!(detail = info.message(), "unique violation");
            DomainError::Conflict("a record with this value already exists".into())
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            DomainError::invalid("reference", "refers to a record that does not exist")
        }
        e if is_connection_loss(&e) => {
            crate::db::note_connection_loss();
            tracing::debug!(error = %e, "database connection lost");
            DomainError::Unavailable("database connection lost".into())
        }
        DieselError::DatabaseError(_, info) if is_transient(info.message()) => {
            DomainError::Unavailable(format!("database busy: {}", info.message()))
        }
        other => DomainError::Internal(format!("database: {other}")),
    }
}

/// Whether `err` means the connection is gone (server stopped or
/// restarted, network cut) rather than that the statement failed.
///
/// diesel-async turns every mysql_async error that is not a server error
/// into `DatabaseErrorKind::Unknown` with the driver's text, and keeps only
/// the message of a server error, so the text is all there is to go on.
fn is_connection_loss(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::BrokenTransactionManager => true,
        DieselError::RollbackErrorOnCommit { commit_error, .. } => is_connection_loss(commit_error),
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let m = info.message();
            // mysql_async's I/O and driver errors ("Connection to the server
            // is closed", "Packet out of order"); MariaDB's ER_SERVER_SHUTDOWN
            // (1053) and ER_CONNECTION_KILLED (1927), sent to every client on
            // a clean stop.
            m.starts_with("Input/output error")
                || m.starts_with("Driver error")
                || m.contains("Server shutdown in progress")
                || m.contains("Connection was killed")
        }
        _ => false,
    }
}

/// "database is locked" (SQLite) and deadlocks / lock wait timeouts (MySQL)
/// all arrive as `DatabaseErrorKind::Unknown`; only the text tells them apart.
fn is_transient(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("database is locked") || m.contains("deadlock") || m.contains("lock wait timeout")
}

/// Maps a pool failure (timeout, connection refused) to `Unavailable`.
pub(crate) fn pool_err(err: impl std::fmt::Display) -> DomainError {
    // No connection to be had: the idle ones may be dead too.
    crate::db::note_connection_loss();
    DomainError::Unavailable(format!("database pool: {err}"))
}

/// A stored value the domain rejects: the database holds something this
/// version did not write.
pub(crate) fn corrupt(what: &str, err: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("corrupt {what} in database: {err}"))
}
