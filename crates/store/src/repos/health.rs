use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::ports::HealthCheck;
use diesel_async::RunQueryDsl;

use crate::SqlStore;
use crate::db::with_conn;
use crate::error::db_err;

#[async_trait]
impl HealthCheck for SqlStore {
    async fn ping(&self) -> DomainResult<()> {
        with_conn!(self, |conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .await
                .map_err(db_err)?;
        });
        Ok(())
    }
}
