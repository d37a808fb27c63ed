use serde::Serialize;

use crate::ids::{CannedResponseId, UserId};
use crate::time::{Timestamp, Timestamps};
use crate::{DomainError, DomainResult};

/// A prepared answer an agent inserts by typing `/shortcut`: shared (owned
/// by nobody, managed by supervisors) or personal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedResponse {
    /// Identity.
    pub id: CannedResponseId,
    /// `None` for shared responses; the owner for personal ones.
    pub owner_id: Option<UserId>,
    /// What follows the `/`: lowercase letters, digits, `-`, `_`; unique per owner.
    pub shortcut: String,
    /// A short label.
    pub title: String,
    /// The text inserted.
    pub body: String,
    /// Creation and last change (`created_at`, `updated_at` on the wire).
    #[serde(flatten)]
    pub times: Timestamps,
}

impl CannedResponse {
    /// A new response, validated.
    pub fn new(
        owner_id: Option<UserId>,
        shortcut: &str,
        title: &str,
        body: &str,
        at: Timestamp,
    ) -> DomainResult<Self> {
        let mut r = Self {
            id: CannedResponseId::new(),
            owner_id,
            shortcut: String::new(),
            title: String::new(),
            body: String::new(),
            times: Timestamps::new(at),
        };
        r.set(shortcut, title, body)?;
        Ok(r)
    }

    /// Replaces shortcut, title and body, validated.
    pub fn set(&mut self, shortcut: &str, title: &str, body: &str) -> DomainResult<()> {
        let shortcut = shortcut.trim().trim_start_matches('/').to_lowercase();
        if shortcut.is_empty()
            || shortcut.len() > 32
            || !shortcut
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(DomainError::invalid(
                "shortcut",
                "must be 1 to 32 letters, digits, - or _",
            ));
        }
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(DomainError::invalid("title", "must be 1 to 200 characters"));
        }
        if body.trim().is_empty() || body.len() > 16 * 1024 {
            return Err(DomainError::invalid(
                "body",
                "must be non-empty and at most 16384 bytes",
            ));
        }
        self.shortcut = shortcut;
        self.title = title.to_owned();
        self.body = body.to_owned();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::now;

    #[test]
    fn shortcuts_are_normalized_and_checked() {
        let r =
            CannedResponse::new(None, "/Refund-Time", "Refunds", "3 to 5 days.", now()).unwrap();
        assert_eq!(r.shortcut, "refund-time");
        assert!(CannedResponse::new(None, "has space", "t", "b", now()).is_err());
        assert!(CannedResponse::new(None, "ok", "", "b", now()).is_err());
        assert!(CannedResponse::new(None, "ok", "t", "  ", now()).is_err());
    }
}
