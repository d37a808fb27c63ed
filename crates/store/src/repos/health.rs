use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::ports::HealthCheck;

use crate::SqlStore;

#[async_trait]
impl HealthCheck for SqlStore {
    async fn ping(&self) -> DomainResult<()> {
        self.execute(diesel::sql_query("SELECT 1")).await?;
        Ok(())
    }
}
