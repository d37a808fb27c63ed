//! `GET /stats` and `GET /stats.csv`: support statistics over a window
//! (supervisors and admins). The figures and their definitions live in
//! [`crate::stats`]; this module reads the window and the facts.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use chat_domain::DomainError;
use chat_domain::events::PresenceStatus;
use chat_domain::ports::{PresenceRegistry, Store};
use chat_domain::time::Timestamp;
use chrono::Duration;
use serde::Deserialize;

use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::SupervisorUp;
use crate::stats::{self, Now, Report};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/stats").route(web::get().to(json)))
        .service(resource("/stats.csv").route(web::get().to(csv)));
}

/// The longest window one report covers.
const MAX_DAYS: i64 = 366;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsQuery {
    /// Window start, RFC 3339 (default: 6 days before today, 00:00 UTC).
    from: Option<String>,
    /// Window end, exclusive, RFC 3339 (default: tomorrow 00:00 UTC).
    to: Option<String>,
    /// CSV rows: `day` (default) or `agent`.
    by: Option<String>,
}

async fn build(
    store: &Arc<dyn Store>,
    presence: &Arc<dyn PresenceRegistry>,
    query: &StatsQuery,
) -> Result<Report, ApiError> {
    let (from, to) = window(query)?;
    let facts = store.conversations_active_between(from, to).await?;
    let mut names = BTreeMap::new();
    for agent in facts.iter().filter_map(|c| c.assignee_id) {
        if let std::collections::btree_map::Entry::Vacant(slot) = names.entry(agent) {
            let name = store.user_by_id(agent).await?.map(|u| u.display_name);
            slot.insert(name.unwrap_or_default());
        }
    }
    let agents_online = presence
        .live_agents()
        .await?
        .iter()
        .filter(|(_, s)| *s == PresenceStatus::Online)
        .count() as u64;
    let now = Now {
        queue_length: store.queue_length().await?,
        agents_online,
    };
    Ok(stats::report(from, to, &facts, &names, now))
}

fn window(query: &StatsQuery) -> Result<(Timestamp, Timestamp), ApiError> {
    let tomorrow = (chat_domain::time::now().date() + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| DomainError::Internal("calendar overflow".into()))?;
    let to = super::instant("to", query.to.as_deref())?.unwrap_or(tomorrow);
    let from = super::instant("from", query.from.as_deref())?.unwrap_or(to - Duration::days(7));
    if from >= to {
        return Err(DomainError::invalid("from", "must be before to").into());
    }
    if to - from > Duration::days(MAX_DAYS) {
        return Err(
            DomainError::invalid("to", format!("the window is at most {MAX_DAYS} days")).into(),
        );
    }
    Ok((from, to))
}

async fn json(
    _who: SupervisorUp,
    store: web::Data<dyn Store>,
    presence: web::Data<dyn PresenceRegistry>,
    query: web::Query<StatsQuery>,
) -> Result<web::Json<Report>, ApiError> {
    if query.by.is_some() {
        return Err(DomainError::invalid("by", "only for /stats.csv").into());
    }
    Ok(web::Json(
        build(&store.into_inner(), &presence.into_inner(), &query).await?,
    ))
}

async fn csv(
    _who: SupervisorUp,
    store: web::Data<dyn Store>,
    presence: web::Data<dyn PresenceRegistry>,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let by_agent = match query.by.as_deref() {
        None | Some("day") => false,
        Some("agent") => true,
        Some(_) => return Err(DomainError::invalid("by", "must be day or agent").into()),
    };
    let report = build(&store.into_inner(), &presence.into_inner(), &query).await?;
    let name = format!(
        "attachment; filename=\"stats-{}-{}-by-{}.csv\"",
        report.from.date(),
        report.to.date(),
        if by_agent { "agent" } else { "day" }
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", name))
        .body(stats::csv(&report, by_agent)))
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<crate::stats::Report>();
}
