//! `GET /api/v1/audit`: the audit log, newest first, admins only.

use actix_web::web;
use chat_domain::DomainError;
use chat_domain::ids::{AuditId, UserId};
use chat_domain::model::{AuditEntry, AuditFilter};
use chat_domain::ports::Store;
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::AdminOnly;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/audit")
            .route(web::get().to(list))
            .default_service(web::to(method_not_allowed)),
    );
}

#[derive(Deserialize)]
struct Query {
    actor_id: Option<String>,
    action: Option<String>,
    /// What was acted on (a user id, conversation id, e-mail…).
    target: Option<String>,
    /// At or after (RFC 3339).
    from: Option<String>,
    /// Before (RFC 3339).
    to: Option<String>,
    /// Cursor: the `next_before` of the previous page.
    before: Option<AuditId>,
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AuditPage)]
struct Page {
    items: Vec<AuditEntry>,
    /// Pass as `before` to get the next (older) page; `null` at the end.
    next_before: Option<AuditId>,
}

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

async fn list(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
    query: web::Query<Query>,
) -> Result<web::Json<Page>, ApiError> {
    let limit = super::paging::limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let q = query.into_inner();
    // The actor is a user id: anything else is a mistake, not "nobody";
    // parsed, it is also spelt the way the log stores it.
    let actor_id = q
        .actor_id
        .map(|a| {
            a.parse::<UserId>()
                .map(|id| id.to_string())
                .map_err(|_| DomainError::invalid("actor_id", "must be a user id"))
        })
        .transpose()?;
    let items = store
        .list_audit(&AuditFilter {
            actor_id,
            action: not_empty("action", q.action)?,
            target: not_empty("target", q.target)?,
            from: super::instant("from", q.from.as_deref())?,
            to: super::instant("to", q.to.as_deref())?,
            before: q.before,
            limit,
        })
        .await?;
    let next_before = super::paging::next(&items, limit, |e| e.id);
    Ok(web::Json(Page { items, next_before }))
}

/// An empty filter matches no entry: a mistake, not "any" (400).
fn not_empty(field: &str, value: Option<String>) -> Result<Option<String>, DomainError> {
    match value {
        Some(v) if v.is_empty() => Err(DomainError::invalid(field, "must not be empty")),
        v => Ok(v),
    }
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<Page>();
}
