//! Attachment metadata (`AttachmentRepository`). The bytes are not here:
//! they live in the object storage, under each row's `storage_key`.

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::attachment::{Attachment, AttachmentMeta, AttachmentRepository};
use chat_domain::ids::{AttachmentId, CustomerId};
use chat_domain::time::Timestamp;
use diesel::prelude::*;

use super::columns;
use crate::SqlStore;
use crate::error::corrupt;
use crate::rows::parse;
use crate::schema::attachments;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
struct AttachmentRow {
    id: String,
    conversation_id: String,
    customer_id: String,
    uploader_kind: String,
    uploader_id: Option<String>,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    width: Option<i32>,
    height: Option<i32>,
    storage_key: String,
    created_at: Timestamp,
}

fn dimension(what: &str, v: Option<u32>) -> DomainResult<Option<i32>> {
    v.map(|v| i32::try_from(v).map_err(|e| corrupt(what, e)))
        .transpose()
}

impl AttachmentRow {
    fn new(a: &Attachment) -> DomainResult<Self> {
        Ok(Self {
            id: a.meta.id.to_string(),
            conversation_id: a.conversation_id.to_string(),
            customer_id: a.customer_id.to_string(),
            uploader_kind: a.uploader_kind.as_str().to_owned(),
            uploader_id: a.uploader_id.clone(),
            file_name: a.meta.name.clone(),
            content_type: a.meta.content_type.clone(),
            size_bytes: i64::try_from(a.meta.size).map_err(|e| corrupt("size", e))?,
            width: dimension("width", a.meta.width)?,
            height: dimension("height", a.meta.height)?,
            storage_key: a.storage_key.clone(),
            created_at: a.created_at,
        })
    }

    fn into_attachment(self) -> DomainResult<Attachment> {
        let size = |v: Option<i32>, what| {
            v.map(|v| u32::try_from(v).map_err(|e| corrupt(what, e)))
                .transpose()
        };
        Ok(Attachment {
            meta: AttachmentMeta {
                id: parse("attachments.id", &self.id)?,
                name: self.file_name,
                content_type: self.content_type,
                size: u64::try_from(self.size_bytes)
                    .map_err(|e| corrupt("attachments.size_bytes", e))?,
                width: size(self.width, "attachments.width")?,
                height: size(self.height, "attachments.height")?,
            },
            conversation_id: parse("attachments.conversation_id", &self.conversation_id)?,
            customer_id: parse("attachments.customer_id", &self.customer_id)?,
            uploader_kind: parse("attachments.uploader_kind", &self.uploader_kind)?,
            uploader_id: self.uploader_id,
            storage_key: self.storage_key,
            created_at: self.created_at,
        })
    }
}

#[async_trait]
impl AttachmentRepository for SqlStore {
    async fn insert_attachment(&self, attachment: &Attachment) -> DomainResult<()> {
        let row = AttachmentRow::new(attachment)?;
        self.execute(diesel::insert_into(attachments::table).values(row))
            .await?;
        Ok(())
    }

    async fn attachment_by_id(&self, id: AttachmentId) -> DomainResult<Option<Attachment>> {
        let row: Option<AttachmentRow> = self
            .find(
                attachments::table
                    .find(id.to_string())
                    .select(columns::<AttachmentRow>()),
            )
            .await?;
        row.map(AttachmentRow::into_attachment).transpose()
    }

    async fn attachments_of_customer(&self, customer: CustomerId) -> DomainResult<Vec<Attachment>> {
        let rows: Vec<AttachmentRow> = self
            .load(
                attachments::table
                    .filter(attachments::customer_id.eq(customer.to_string()))
                    .order(attachments::id.asc())
                    .select(columns::<AttachmentRow>()),
            )
            .await?;
        rows.into_iter()
            .map(AttachmentRow::into_attachment)
            .collect()
    }

    async fn delete_attachments(&self, ids: &[AttachmentId]) -> DomainResult<()> {
        let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
        // In slices: one statement's parameter count stays bounded.
        for chunk in keys.chunks(500) {
            // Owned: each round runs as a task of its own (the cancel policy).
            let chunk = chunk.to_vec();
            self.execute(diesel::delete(
                attachments::table.filter(attachments::id.eq_any(chunk)),
            ))
            .await?;
        }
        Ok(())
    }
}
