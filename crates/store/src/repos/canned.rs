use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::ids::{CannedResponseId, UserId};
use chat_domain::model::CannedResponse;
use chat_domain::ports::CannedRepository;
use diesel::prelude::*;

use super::{affected, columns, conflict_as};
use crate::SqlStore;
use crate::rows::{CannedRow, convert};
use crate::schema::canned_responses as cr;

const TAKEN: &str = "this shortcut is already taken";

#[async_trait]
impl CannedRepository for SqlStore {
    async fn create_canned(&self, response: &CannedResponse) -> DomainResult<()> {
        let row = CannedRow::from(response);
        self.execute(diesel::insert_into(cr::table).values(row))
            .await
            .map_err(conflict_as(TAKEN))?;
        Ok(())
    }

    async fn update_canned(&self, response: &CannedResponse) -> DomainResult<()> {
        let row = CannedRow::from(response);
        let n = self
            .execute(diesel::update(cr::table.find(row.id)).set((
                cr::shortcut.eq(row.shortcut),
                cr::title.eq(row.title),
                cr::body.eq(row.body),
                cr::updated_at.eq(row.updated_at),
            )))
            .await
            .map_err(conflict_as(TAKEN))?;
        affected(n, "canned response")
    }

    async fn delete_canned(&self, id: CannedResponseId) -> DomainResult<()> {
        let n = self
            .execute(diesel::delete(cr::table.find(id.to_string())))
            .await?;
        affected(n, "canned response")
    }

    async fn canned_by_id(&self, id: CannedResponseId) -> DomainResult<Option<CannedResponse>> {
        let row: Option<CannedRow> = self
            .find(
                cr::table
                    .find(id.to_string())
                    .select(columns::<CannedRow>()),
            )
            .await?;
        row.map(CannedResponse::try_from).transpose()
    }

    async fn canned_for(&self, user: UserId) -> DomainResult<Vec<CannedResponse>> {
        let keys = [String::new(), user.to_string()];
        let rows: Vec<CannedRow> = self
            .load(
                cr::table
                    .filter(cr::owner_key.eq_any(keys))
                    .order((cr::shortcut.asc(), cr::owner_key.desc()))
                    .limit(super::page(1000))
                    .select(columns::<CannedRow>()),
            )
            .await?;
        convert(rows)
    }
}
