use async_trait::async_trait;
use chat_domain::ids::CustomerId;
use chat_domain::model::Customer;
use chat_domain::ports::CustomerRepository;
use chat_domain::{DomainError, DomainResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::SqlStore;
use crate::db::with_conn;
use crate::error::db_err;
use crate::rows::CustomerRow;
use crate::schema::customers;

#[async_trait]
impl CustomerRepository for SqlStore {
    async fn create_customer(&self, customer: &Customer) -> DomainResult<()> {
        let row = CustomerRow::from(customer);
        with_conn!(self, |conn| {
            diesel::insert_into(customers::table)
                .values(&row)
                .execute(conn)
                .await
                .map_err(|e| match db_err(e) {
                    DomainError::Conflict(_) => DomainError::Conflict(
                        "a customer with this external id already exists".into(),
                    ),
                    other => other,
                })?;
        });
        Ok(())
    }

    async fn customer_by_id(&self, id: CustomerId) -> DomainResult<Option<Customer>> {
        let id = id.to_string();
        let row: Option<CustomerRow> = with_conn!(self, |conn| {
            customers::table
                .find(&id)
                .select(CustomerRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(db_err)?
        });
        row.map(Customer::try_from).transpose()
    }

    async fn customer_by_external_id(&self, external_id: &str) -> DomainResult<Option<Customer>> {
        let row: Option<CustomerRow> = with_conn!(self, |conn| {
            customers::table
                .filter(customers::external_id.eq(external_id))
                .select(CustomerRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(db_err)?
        });
        row.map(Customer::try_from).transpose()
    }
}
