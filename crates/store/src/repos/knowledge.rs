use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::ids::KnowledgeDocId;
use chat_domain::model::KnowledgeDoc;
use chat_domain::ports::KnowledgeRepository;
use diesel::prelude::*;

use super::{affected, columns, page};
use crate::SqlStore;
use crate::rows::{KnowledgeDocRow, convert};
use crate::schema::knowledge_docs as kd;

#[async_trait]
impl KnowledgeRepository for SqlStore {
    async fn create_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()> {
        let row = KnowledgeDocRow::from(doc);
        self.execute(diesel::insert_into(kd::table).values(row))
            .await?;
        Ok(())
    }

    async fn update_doc(&self, doc: &KnowledgeDoc) -> DomainResult<()> {
        let row = KnowledgeDocRow::from(doc);
        let n = self
            .execute(diesel::update(kd::table.find(row.id)).set((
                kd::title.eq(row.title),
                kd::body.eq(row.body),
                kd::tags.eq(row.tags),
                kd::enabled.eq(row.enabled),
                kd::updated_at.eq(row.updated_at),
            )))
            .await?;
        affected(n, "knowledge document")
    }

    async fn delete_doc(&self, id: KnowledgeDocId) -> DomainResult<()> {
        let n = self
            .execute(diesel::delete(kd::table.find(id.to_string())))
            .await?;
        affected(n, "knowledge document")
    }

    async fn doc_by_id(&self, id: KnowledgeDocId) -> DomainResult<Option<KnowledgeDoc>> {
        let row: Option<KnowledgeDocRow> = self
            .find(
                kd::table
                    .find(id.to_string())
                    .select(columns::<KnowledgeDocRow>()),
            )
            .await?;
        row.map(KnowledgeDoc::try_from).transpose()
    }

    async fn list_docs(
        &self,
        after: Option<KnowledgeDocId>,
        limit: u32,
    ) -> DomainResult<Vec<KnowledgeDoc>> {
        // UUIDv7 text sorts by creation time, so the id is the cursor.
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let rows: Vec<KnowledgeDocRow> = self
            .load(
                kd::table
                    .filter(kd::id.gt(after))
                    .order(kd::id.asc())
                    .limit(page(limit))
                    .select(columns::<KnowledgeDocRow>()),
            )
            .await?;
        convert(rows)
    }
}
