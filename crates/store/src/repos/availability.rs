//! Business hours and left messages (`AvailabilityRepository`).
//!
//! The hours are one row (`id = 1`); its spans and holidays are JSON text,
//! written only after the domain validated them and read back through the
//! same validation (`BusinessHours::schedule`).

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::availability::{AvailabilityRepository, BusinessHours, OpeningSpan};
use chat_domain::ids::{ConversationId, CustomerId};
use chat_domain::time::Timestamp;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::columns;
use crate::SqlStore;
use crate::db::with_conn;
use crate::error::{corrupt, db_err};
use crate::rows::parse;
use crate::schema::{business_hours, left_messages};

/// The one row's key.
const ROW: i32 = 1;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = business_hours, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
struct HoursRow {
    id: i32,
    enabled: bool,
    time_zone: String,
    days: String,
    holidays: String,
    updated_at: Timestamp,
    updated_by: Option<String>,
}

impl HoursRow {
    fn new(hours: &BusinessHours) -> DomainResult<Self> {
        Ok(Self {
            id: ROW,
            enabled: hours.enabled,
            time_zone: hours.time_zone.clone(),
            days: serde_json::to_string(&hours.days)
                .map_err(|e| corrupt("business_hours.days", e))?,
            holidays: serde_json::to_string(&hours.holidays)
                .map_err(|e| corrupt("business_hours.holidays", e))?,
            updated_at: hours.updated_at.unwrap_or_else(chat_domain::time::now),
            updated_by: hours.updated_by.map(|u| u.to_string()),
        })
    }

    fn into_hours(self) -> DomainResult<BusinessHours> {
        let days: Vec<OpeningSpan> =
            serde_json::from_str(&self.days).map_err(|e| corrupt("business_hours.days", e))?;
        let holidays: Vec<String> = serde_json::from_str(&self.holidays)
            .map_err(|e| corrupt("business_hours.holidays", e))?;
        Ok(BusinessHours {
            enabled: self.enabled,
            time_zone: self.time_zone,
            days,
            holidays,
            updated_at: Some(self.updated_at),
            updated_by: self
                .updated_by
                .as_deref()
                .map(|u| parse("business_hours.updated_by", u))
                .transpose()?,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = left_messages)]
struct LeftRow {
    conversation_id: String,
    customer_id: String,
    left_at: Timestamp,
}

#[async_trait]
impl AvailabilityRepository for SqlStore {
    async fn business_hours(&self) -> DomainResult<BusinessHours> {
        let row: Option<HoursRow> = self
            .find(
                business_hours::table
                    .find(ROW)
                    .select(columns::<HoursRow>()),
            )
            .await?;
        row.map_or_else(|| Ok(BusinessHours::default()), HoursRow::into_hours)
    }

    async fn set_business_hours(&self, hours: &BusinessHours) -> DomainResult<()> {
        let row = HoursRow::new(hours)?;
        with_conn!(self, |conn| {
            let changed = diesel::update(business_hours::table.find(ROW))
                .set(&row)
                .execute(conn)
                .await
                .map_err(db_err)?;
            if changed == 0 {
                match diesel::insert_into(business_hours::table)
                    .values(&row)
                    .execute(conn)
                    .await
                    .map_err(db_err)
                {
                    Ok(_) => {}
                    // Another admin's first save won the insert: overwrite it.
                    Err(chat_domain::DomainError::Conflict(_)) => {
                        diesel::update(business_hours::table.find(ROW))
                            .set(&row)
                            .execute(conn)
                            .await
                            .map_err(db_err)?;
                    }
                    Err(e) => return Err(e),
                }
            }
        });
        Ok(())
    }

    async fn record_left_message(
        &self,
        conversation: ConversationId,
        customer: CustomerId,
        at: Timestamp,
    ) -> DomainResult<()> {
        let row = LeftRow {
            conversation_id: conversation.to_string(),
            customer_id: customer.to_string(),
            left_at: at,
        };
        self.execute(diesel::replace_into(left_messages::table).values(row))
            .await?;
        Ok(())
    }

    async fn left_message_at(
        &self,
        conversation: ConversationId,
    ) -> DomainResult<Option<Timestamp>> {
        self.find(
            left_messages::table
                .find(conversation.to_string())
                .select(left_messages::left_at),
        )
        .await
    }
}
