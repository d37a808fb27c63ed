use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::model::{AuditEntry, AuditFilter};
use chat_domain::ports::AuditRepository;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::page;
use crate::SqlStore;
use crate::db::with_conn;
use crate::error::db_err;
use crate::rows::{AuditRow, convert};
use crate::schema::audit_log as al;

#[async_trait]
impl AuditRepository for SqlStore {
    async fn record_audit(&self, entry: &AuditEntry) -> DomainResult<()> {
        let row = AuditRow::from(entry);
        self.execute(diesel::insert_into(al::table).values(row))
            .await?;
        Ok(())
    }

    async fn list_audit(&self, filter: &AuditFilter) -> DomainResult<Vec<AuditEntry>> {
        let filter = filter.clone();
        let rows: Vec<AuditRow> = with_conn!(self, |conn| {
            let mut q = al::table.select(AuditRow::as_select()).into_boxed();
            if let Some(actor) = &filter.actor_id {
                q = q.filter(al::actor_id.eq(actor));
            }
            if let Some(action) = &filter.action {
                q = q.filter(al::action.eq(action));
            }
            if let Some(target) = &filter.target {
                q = q.filter(al::target.eq(target));
            }
            if let Some(from) = filter.from {
                q = q.filter(al::created_at.ge(from));
            }
            if let Some(to) = filter.to {
                q = q.filter(al::created_at.lt(to));
            }
            if let Some(before) = filter.before {
                q = q.filter(al::id.lt(before.to_string()));
            }
            q.order(al::id.desc())
                .limit(page(filter.limit))
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }
}
