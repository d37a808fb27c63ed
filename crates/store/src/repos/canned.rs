use async_trait::async_trait;
use chat_domain::ids::{CannedResponseId, UserId};
use chat_domain::model::CannedResponse;
use chat_domain::ports::CannedRepository;
use chat_domain::{DomainError, DomainResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::SqlStore;
use crate::db::with_conn;
use crate::error::db_err;
use crate::rows::{CannedRow, convert};
use crate::schema::canned_responses as cr;

fn taken(e: DomainError) -> DomainError {
    match e {
        DomainError::Conflict(_) => DomainError::Conflict("this shortcut is already taken".into()),
        other => other,
    }
}

#[async_trait]
impl CannedRepository for SqlStore {
    async fn create_canned(&self, response: &CannedResponse) -> DomainResult<()> {
        let row = CannedRow::from(response);
        with_conn!(self, |conn| {
            diesel::insert_into(cr::table)
                .values(&row)
                .execute(conn)
                .await
                .map_err(|e| taken(db_err(e)))?;
        });
        Ok(())
    }

    async fn update_canned(&self, response: &CannedResponse) -> DomainResult<()> {
        let row = CannedRow::from(response);
        let n = with_conn!(self, |conn| {
            diesel::update(cr::table.find(&row.id))
                .set((
                    cr::shortcut.eq(&row.shortcut),
                    cr::title.eq(&row.title),
                    cr::body.eq(&row.body),
                    cr::updated_at.eq(row.updated_at),
                ))
                .execute(conn)
                .await
                .map_err(|e| taken(db_err(e)))?
        });
        if n == 0 {
            return Err(DomainError::NotFound("canned response"));
        }
        Ok(())
    }

    async fn delete_canned(&self, id: CannedResponseId) -> DomainResult<()> {
        let id = id.to_string();
        let n = with_conn!(self, |conn| {
            diesel::delete(cr::table.find(&id))
                .execute(conn)
                .await
                .map_err(db_err)?
        });
        if n == 0 {
            return Err(DomainError::NotFound("canned response"));
        }
        Ok(())
    }

    async fn canned_by_id(&self, id: CannedResponseId) -> DomainResult<Option<CannedResponse>> {
        let id = id.to_string();
        let row: Option<CannedRow> = with_conn!(self, |conn| {
            cr::table
                .find(&id)
                .select(CannedRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(db_err)?
        });
        row.map(CannedResponse::try_from).transpose()
    }

    async fn canned_for(&self, user: UserId) -> DomainResult<Vec<CannedResponse>> {
        let keys = [String::new(), user.to_string()];
        let rows: Vec<CannedRow> = with_conn!(self, |conn| {
            cr::table
                .filter(cr::owner_key.eq_any(&keys))
                .order((cr::shortcut.asc(), cr::owner_key.desc()))
                .limit(super::page(1000))
                .select(CannedRow::as_select())
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }
}
