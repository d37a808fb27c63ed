//! The one error type of the domain, and its one mapping to transport codes.
//!
//! Every adapter converts its own failures into [`DomainError`]; every
//! transport (HTTP now, WebSocket later) turns a [`DomainError`] into a
//! response through [`DomainError::http_status`] and [`DomainError::code`],
//! so the same failure always looks the same to a client.

use thiserror::Error;

/// `Retry-After` (seconds) of an [`DomainError::Unavailable`] answer.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// Result alias used across the ports.
pub type DomainResult<T> = Result<T, DomainError>;

/// Everything that can go wrong, in terms a caller can act on.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// Input broke a rule. `field` names the offending field.
    #[error("{field}: {message}")]
    Validation {
        /// The field (or parameter) that is invalid.
        field: String,
        /// The rule it broke, in words.
        message: String,
    },
    /// The thing does not exist (or the caller may not know it exists).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with current state (duplicate, illegal transition).
    #[error("{0}")]
    Conflict(String),
    /// No valid credentials: missing, wrong, expired or tampered.
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts; try again after this many seconds.
    #[error("too many requests, retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a new attempt may succeed.
        retry_after_secs: u64,
    },
    /// A dependency (database, Redis, AI provider) cannot be reached now.
    /// Retrying later may succeed; nothing was changed.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure. The message is for logs, not clients.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON body every transport sends for an error:
/// `{"error": {"code": "...", "message": "...", "field": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorDetail {
    /// Stable machine-readable code.
    pub code: String,
    /// For people; never internal details.
    pub message: String,
    /// The offending field, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl DomainError {
    /// The body clients receive for this error (with `code` overridable for
    /// transport-level failures such as 413 or 415).
    pub fn body(&self, code: Option<&str>) -> ErrorBody {
        let (message, field) = match self {
            Self::Validation { field, message } => (message.clone(), Some(field.clone())),
            other => (other.public_message(), None),
        };
        ErrorBody {
            error: ErrorDetail {
                code: code.unwrap_or(self.code()).to_owned(),
                message,
                field,
            },
        }
    }

    /// Shorthand for a [`DomainError::Validation`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Stable machine-readable code, part of the public API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation_failed",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status this error is served with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Validation { .. } => 400,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Unauthenticated(_) => 401,
            Self::Forbidden(_) => 403,
            Self::RateLimited { .. } => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }

    /// The `Retry-After` a client is told, in seconds: the limiter's wait,
    /// or a short pause for an unavailable dependency (a database or Redis
    /// restart takes seconds, and the server heals its connections at once).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            Self::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// The message safe to show a client: internal details stay in the logs.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "internal error".to_owned(),
            Self::Unavailable(_) => "service temporarily unavailable".to_owned(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_are_not_public() {
        let e = DomainError::Internal("db password=hunter2".into());
        assert_eq!(e.http_status(), 500);
        assert!(!e.public_message().contains("hunter2"));
    }

    #[test]
    fn validation_names_the_field() {
        let e = DomainError::invalid("email", "must contain @");
        assert_eq!(e.public_message(), "email: must contain @");
        assert_eq!(e.http_status(), 400);
    }
}
