use serde::Serialize;

use crate::ids::AuditId;
use crate::time::Timestamp;

/// One recorded action: who did what to which target, when, from where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Identity (time-ordered).
    pub id: AuditId,
    /// Who acted: a user id, or `None` for the system or an anonymous caller.
    pub actor_id: Option<String>,
    /// Dotted action name, e.g. `auth.login`, `auth.login_failed`.
    pub action: String,
    /// What was acted on (an id or an e-mail), if anything.
    pub target: Option<String>,
    /// Client address as seen by the server (after trusted-proxy rules).
    pub ip: Option<String>,
    /// Extra detail as JSON text; never secrets.
    pub detail: Option<String>,
    /// When (UTC).
    #[serde(with = "crate::time::utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Filters for reading the audit log; `None` means "any".
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor_id: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only entries about this target.
    pub target: Option<String>,
    /// Only entries at or after this instant.
    pub from: Option<Timestamp>,
    /// Only entries before this instant.
    pub to: Option<Timestamp>,
    /// Only entries strictly older than this id (cursor for paging back).
    pub before: Option<AuditId>,
    /// At most this many entries, newest first.
    pub limit: u32,
}
