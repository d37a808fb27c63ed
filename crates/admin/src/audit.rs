//! The audit log's writer: who did what to what, from where.
//!
//! The routes call [`Audit`] after the action they describe. Use cases that
//! decide themselves what happened (a login refused for a wrong password,
//! a replayed refresh token) do not write the log: they hand back an
//! [`Audited`] result carrying the [`AuditRecord`], and the route records it
//! with the client's address. One owner of the log, one way to write it.

use std::sync::Arc;

use chat_domain::DomainResult;
use chat_domain::ids::UserId;
use chat_domain::model::AuditEntry;
use chat_domain::ports::Store;
use chat_domain::time::now;

/// Longest text kept in an audit field (the column holds 255).
const MAX_FIELD: usize = 255;
/// Longest client address kept.
const MAX_IP: usize = 64;

/// One entry to record (the address and the time are added by [`Audit`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// Who acted; `None` for anonymous callers and the system.
    pub actor: Option<UserId>,
    /// What, e.g. `user.created`, `auth.login_failed`.
    pub action: String,
    /// What was acted on (an id, an e-mail…).
    pub target: Option<String>,
    /// Why or how, in a few words (stored as `{"reason": …}`).
    pub reason: Option<String>,
}

impl AuditRecord {
    /// A record of `action` by `actor` on `target`, without a reason.
    pub fn new(actor: Option<UserId>, action: impl Into<String>, target: Option<String>) -> Self {
        Self {
            actor,
            action: action.into(),
            target,
            reason: None,
        }
    }

    /// The same record, with a reason.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// A use case's result and the audit record of what it did (if anything
/// worth recording happened, success or not).
#[derive(Debug)]
pub struct Audited<T> {
    /// What the caller gets.
    pub result: DomainResult<T>,
    /// What the log gets.
    pub record: Option<AuditRecord>,
}

impl<T> Audited<T> {
    /// A result with nothing to record.
    pub fn silent(result: DomainResult<T>) -> Self {
        Self {
            result,
            record: None,
        }
    }

    /// A result and its record.
    pub fn with(result: DomainResult<T>, record: AuditRecord) -> Self {
        Self {
            result,
            record: Some(record),
        }
    }
}

/// Writes the audit log.
pub struct Audit {
    store: Arc<dyn Store>,
}

impl Audit {
    /// An audit log kept in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Records `record`, from client address `ip`. Best effort: a failed
    /// write is logged but does not fail the request it describes (the
    /// database is usually down for both).
    pub async fn record(&self, record: AuditRecord, ip: Option<&str>) {
        let entry = AuditEntry {
            id: Default::default(),
            actor_id: record.actor.map(|a| a.to_string()),
            action: record.action.clone(),
            target: record.target.map(|t| t.chars().take(MAX_FIELD).collect()),
            ip: ip.map(|i| i.chars().take(MAX_IP).collect()),
            detail: record
                .reason
                .map(|r| serde_json::json!({ "reason": r }).to_string()),
            created_at: now(),
        };
        if let Err(e) = self.store.record_audit(&entry).await {
            tracing::error!(error = %e, action = %entry.action, "audit entry not recorded");
        }
    }

    /// Records what `audited` did and hands its result on.
    pub async fn settle<T>(&self, audited: Audited<T>, ip: Option<&str>) -> DomainResult<T> {
        if let Some(record) = audited.record {
            self.record(record, ip).await;
        }
        audited.result
    }
}
