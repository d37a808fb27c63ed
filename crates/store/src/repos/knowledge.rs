use async_trait::async_trait;
use chat_domain::ids::KnowledgeDocId;
use chat_domain::model::KnowledgeDoc;
use chat_domain::ports::KnowledgeRepository;
use chat_domain::{DomainError, DomainResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::page;
use crate::SqlStore;
use crate::db::with_conn;
use crate::error::db_err;
use crate::rows::{KnowledgeDocRow, convert};
use crate::schema::knowledge_docs as kd;

#[async_trait]
impl KnowledgeRepository for SqlStore {
    async fn create_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()> {
        let row = KnowledgeDocRow::from(doc);
        with_conn!(self, |conn| {
            diesel::insert_into(kd::table)
                .values(&row)
                .execute(conn)
                .await
                .map_err(db_err)?;
        });
        Ok(())
    }

    async fn update_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()> {
        let row = KnowledgeDocRow::from(doc);
        // diesel-async sets CLIENT_FOUND_ROWS on MySQL: the count is rows
        // matched, as on SQLite, so an update that changes nothing is still 1.
        let n = with_conn!(self, |conn| {
            diesel::update(kd::table.find(&row.id))
                .set((
                    kd::title.eq(&row.title),
                    kd::body.eq(&row.body),
                    kd::tags.eq(&row.tags),
                    kd::enabled.eq(row.enabled),
                    kd::updated_at.eq(row.updated_at),
                ))
                .execute(conn)
                .await
                .map_err(db_err)?
        });
        if n == 0 {
            return Err(DomainError::NotFound("knowledge document"));
        }
        Ok(())
    }

    async fn delete_doc(&self, id: KnowledgeDocId) -> DomainResult<()> {
        let id = id.to_string();
        let n = with_conn!(self, |conn| {
            diesel::delete(kd::table.find(&id))
                .execute(conn)
                .await
                .map_err(db_err)?
        });
        if n == 0 {
            return Err(DomainError::NotFound("knowledge document"));
        }
        Ok(())
    }

    async fn doc_by_id(&self, id: KnowledgeDocId) -> DomainResult<Option<KnowledgeDoc>> {
        let id = id.to_string();
        let row: Option<KnowledgeDocRow> = with_conn!(self, |conn| {
            kd::table
                .find(&id)
                .select(KnowledgeDocRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(db_err)?
        });
        row.map(KnowledgeDoc::try_from).transpose()
    }

    async fn list_docs(
        &self,
        after: Option<KnowledgeDocId>,
        limit: u32,
    ) -> DomainResult<Vec<KnowledgeDoc>> {
        // UUIDv7 text sorts by creation time, so the id is the cursor.
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let rows: Vec<KnowledgeDocRow> = with_conn!(self, |conn| {
            kd::table
                .filter(kd::id.gt(&after))
                .order(kd::id.asc())
                .limit(page(limit))
                .select(KnowledgeDocRow::as_select())
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }
}
