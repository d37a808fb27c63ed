use serde::Serialize;

use super::string_enum;
use crate::ids::UserId;
use crate::time::Timestamps;
use crate::{DomainError, DomainResult};

string_enum!(
    /// What a staff member may do. Ordered: admin ⊃ supervisor ⊃ agent.
    Role {
        /// Everything, including user management.
        Admin => "admin",
        /// All conversations, assignment, knowledge base, statistics.
        Supervisor => "supervisor",
        /// Own and queued conversations.
        Agent => "agent",
    }
);

impl Role {
    /// Rank for "at least" checks: higher may do everything lower may.
    pub const fn rank(&self) -> u8 {
        match self {
            Role::Admin => 3,
            Role::Supervisor => 2,
            Role::Agent => 1,
        }
    }

    /// True when this role includes everything `required` may do.
    pub const fn at_least(&self, required: Role) -> bool {
        self.rank() >= required.rank()
    }
}

/// A staff member. The password hash never leaves the server: it is skipped
/// when serialized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Identity.
    pub id: UserId,
    /// Login name, normalized with [`normalize_email`].
    pub email: String,
    /// Shown to customers and colleagues.
    pub display_name: String,
    /// PHC string (argon2id).
    #[serde(skip)]
    pub password_hash: String,
    /// Permissions.
    pub role: Role,
    /// Deactivated users cannot log in or refresh.
    pub active: bool,
    /// Creation and last change (`created_at`, `updated_at` on the wire).
    #[serde(flatten)]
    pub times: Timestamps,
}

/// Lowercases and trims an e-mail address and checks its rough shape.
///
/// Deliberately lenient (one `@`, something on each side, no spaces, at most
/// 254 bytes): the only real check of an address is sending mail to it.
pub fn normalize_email(raw: &str) -> DomainResult<String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && matches!(email.split_once('@'), Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if valid {
        Ok(email)
    } else {
        Err(DomainError::invalid(
            "email",
            "must be an address like name@example.com",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.at_least(Role::Supervisor));
        assert!(Role::Supervisor.at_least(Role::Agent));
        assert!(!Role::Agent.at_least(Role::Supervisor));
        assert_eq!("supervisor".parse::<Role>().unwrap(), Role::Supervisor);
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        assert_eq!(
            normalize_email("admin@localhost").unwrap(),
            "admin@localhost"
        );
        for bad in ["", "ann", "@x", "ann@", "a b@c", "a@b@c"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }
}
