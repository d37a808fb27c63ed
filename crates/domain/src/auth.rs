//! Who is calling, and the port that turns a bearer token into that answer.
//!
//! Token issuing and signing live in an adapter (`chat-admin`); the gateway
//! and other consumers only need [`TokenVerifier`], so they do not depend on
//! how tokens are made.

use serde::Serialize;

use crate::DomainResult;
use crate::ids::{CustomerId, RefreshTokenId, TokenFamilyId, UserId};
use crate::model::Role;
use crate::time::Timestamp;

/// The authenticated caller of a request or a socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// A staff member with a role.
    Staff {
        /// Who.
        user_id: UserId,
        /// What they may do.
        role: Role,
    },
    /// A customer, who may only see their own conversations.
    Customer {
        /// Who.
        customer_id: CustomerId,
    },
}

impl Principal {
    /// The staff role, or `None` for a customer.
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::Staff { role, .. } => Some(*role),
            Principal::Customer { .. } => None,
        }
    }
}

/// Verifies bearer tokens. Implemented by the auth adapter; consumed by every
/// transport. Verification is CPU-only (no I/O), hence not async.
pub trait TokenVerifier: Send + Sync {
    /// Returns the caller for a valid, unexpired access or customer token.
    fn verify(&self, token: &str) -> DomainResult<Principal> {
        self.verify_issued(token).map(|(principal, _)| principal)
    }
    /// The caller and when the token was issued (unix milliseconds), which
    /// [`SessionCheck`] compares with the user's last revocation.
    fn verify_issued(&self, token: &str) -> DomainResult<(Principal, i64)>;
}

/// Whether a staff member's access token still counts: a signature stays
/// valid until the token expires, but revoking the user's sessions
/// (deactivation, role or password change, "log out everywhere") must end
/// the tokens already issued, on every node, at once.
#[async_trait::async_trait]
pub trait SessionCheck: Send + Sync {
    /// `Unauthenticated` when `user`'s sessions were revoked after
    /// `issued_at_ms` (unix milliseconds); `Unavailable` when that cannot
    /// be told (the database is down).
    async fn ensure_current(&self, user: UserId, issued_at_ms: i64) -> DomainResult<()>;
}

/// A stored refresh token. Only a hash of the secret is kept, so a database
/// leak does not leak usable tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshToken {
    /// Identity.
    pub id: RefreshTokenId,
    /// The rotation chain it belongs to.
    pub family_id: TokenFamilyId,
    /// Whose token it is.
    pub user_id: UserId,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// Not valid after this instant (UTC).
    pub expires_at: Timestamp,
    /// Set when rotated, logged out or revoked; a token with this set is dead.
    pub revoked_at: Option<Timestamp>,
    /// The token that replaced it on rotation.
    pub replaced_by: Option<RefreshTokenId>,
    /// Creation time (UTC).
    pub created_at: Timestamp,
}

/// Issues customer tokens (for the widget endpoint). Implemented by the auth
/// adapter, so transports need not know how tokens are signed.
pub trait CustomerTokenIssuer: Send + Sync {
    /// A signed token for `customer` and its lifetime in seconds.
    fn issue_customer_token(&self, customer: CustomerId) -> DomainResult<(String, i64)>;
}
