//! Webhooks and their delivery log. The log is the outbox: workers on every
//! node claim due rows with a conditional update (the race arbiter), so a
//! delivery is attempted by one node at a time, and a node that dies
//! mid-attempt only delays it until its lease ends.

use async_trait::async_trait;
use chat_domain::ids::{WebhookDeliveryId, WebhookId};
use chat_domain::model::{
    DeliveryClaim, DeliveryFilter, DeliveryOutcome, DeliveryStatus, Settled, Webhook,
    WebhookDelivery,
};
use chat_domain::ports::WebhookRepository;
use chat_domain::time::Timestamp;
use chat_domain::{DomainError, DomainResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{affected, columns, page};
use crate::SqlStore;
use crate::db::{with_conn, with_tx};
use crate::error::db_err;
use crate::rows::{DeliveryRow, WebhookRow, convert};
use crate::schema::{webhook_deliveries as wd, webhooks as wh};

const PENDING: &str = DeliveryStatus::Pending.as_str();

/// The columns' size in MySQL; longer texts are cut (on a char boundary).
const MAX_TEXT: usize = 500;

fn cut(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

#[async_trait]
impl WebhookRepository for SqlStore {
    async fn create_webhook(&self, webhook: &Webhook) -> DomainResult<()> {
        let row = WebhookRow::from(webhook);
        self.execute(diesel::insert_into(wh::table).values(row))
            .await?;
        Ok(())
    }

    async fn update_webhook(&self, webhook: &Webhook) -> DomainResult<()> {
        let row = WebhookRow::from(webhook);
        let n = self
            .execute(diesel::update(wh::table.find(row.id)).set((
                wh::url.eq(row.url),
                wh::events.eq(row.events),
                wh::secret.eq(row.secret),
                wh::previous_secret.eq(row.previous_secret),
                wh::previous_secret_expires_at.eq(row.previous_secret_expires_at),
                wh::updated_at.eq(row.updated_at),
            )))
            .await?;
        affected(n, "webhook")
    }

    async fn set_webhook_enabled(
        &self,
        id: WebhookId,
        enabled: bool,
        at: Timestamp,
    ) -> DomainResult<Webhook> {
        let target = wh::table.find(id.to_string());
        let n = if enabled {
            self.execute(diesel::update(target).set((
                wh::enabled.eq(true),
                wh::consecutive_failures.eq(0),
                wh::disabled_reason.eq(None::<String>),
                wh::updated_at.eq(at),
            )))
            .await?
        } else {
            self.execute(diesel::update(target).set((wh::enabled.eq(false), wh::updated_at.eq(at))))
                .await?
        };
        affected(n, "webhook")?;
        self.webhook_by_id(id)
            .await?
            .ok_or(DomainError::NotFound("webhook"))
    }

    async fn delete_webhook(&self, id: WebhookId) -> DomainResult<()> {
        // Deliveries go with it (ON DELETE CASCADE).
        let n = self
            .execute(diesel::delete(wh::table.find(id.to_string())))
            .await?;
        affected(n, "webhook")
    }

    async fn webhook_by_id(&self, id: WebhookId) -> DomainResult<Option<Webhook>> {
        let row: Option<WebhookRow> = self
            .find(
                wh::table
                    .find(id.to_string())
                    .select(columns::<WebhookRow>()),
            )
            .await?;
        row.map(Webhook::try_from).transpose()
    }

    async fn list_webhooks(
        &self,
        after: Option<WebhookId>,
        limit: u32,
    ) -> DomainResult<Vec<Webhook>> {
        let after = after.map(|a| a.to_string());
        let rows: Vec<WebhookRow> = with_conn!(self, |conn| {
            let mut q = wh::table.select(WebhookRow::as_select()).into_boxed();
            if let Some(a) = &after {
                q = q.filter(wh::id.gt(a));
            }
            q.order(wh::id.asc())
                .limit(page(limit))
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }

    async fn enabled_webhooks(&self) -> DomainResult<Vec<Webhook>> {
        let rows: Vec<WebhookRow> = self
            .load(
                wh::table
                    .filter(wh::enabled.eq(true))
                    .order(wh::id.asc())
                    .select(columns::<WebhookRow>()),
            )
            .await?;
        convert(rows)
    }

    async fn enqueue_deliveries(&self, deliveries: &[WebhookDelivery]) -> DomainResult<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let rows: Vec<DeliveryRow> = deliveries.iter().map(DeliveryRow::from).collect();
        with_tx!(self, |tx| {
            for row in &rows {
                diesel::insert_into(wd::table)
                    .values(row)
                    .execute(tx)
                    .await?;
            }
            Ok::<_, diesel::result::Error>(())
        })
    }

    async fn delivery_by_id(
        &self,
        webhook: WebhookId,
        id: WebhookDeliveryId,
    ) -> DomainResult<Option<WebhookDelivery>> {
        let row: Option<DeliveryRow> = self
            .find(
                wd::table
                    .find(id.to_string())
                    .filter(wd::webhook_id.eq(webhook.to_string()))
                    .select(columns::<DeliveryRow>()),
            )
            .await?;
        row.map(WebhookDelivery::try_from).transpose()
    }

    async fn list_deliveries(&self, filter: &DeliveryFilter) -> DomainResult<Vec<WebhookDelivery>> {
        let filter = filter.clone();
        let webhook = filter.webhook_id.to_string();
        let status = filter.status.map(|s| s.as_str());
        let before = filter.before.map(|b| b.to_string());
        let rows: Vec<DeliveryRow> = with_conn!(self, |conn| {
            let mut q = wd::table
                .filter(wd::webhook_id.eq(&webhook))
                .select(DeliveryRow::as_select())
                .into_boxed();
            if let Some(s) = status {
                q = q.filter(wd::status.eq(s));
            }
            if let Some(b) = &before {
                q = q.filter(wd::id.lt(b));
            }
            q.order(wd::id.desc())
                .limit(page(filter.limit))
                .load(conn)
                .await
                .map_err(db_err)?
        });
        convert(rows)
    }

    /// Three statements, no transaction needed: pick candidates, take them
    /// with an update that re-checks "pending and due" on the latest row
    /// (InnoDB evaluates an UPDATE's condition on the locked, committed row;
    /// SQLite has one writer), then read back what this lease won.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> DomainResult<DeliveryClaim> {
        let lease = uuid::Uuid::now_v7().to_string();
        let leased = lease.clone();
        let rows: Vec<(DeliveryRow, WebhookRow)> = with_conn!(self, |conn| {
            let ids: Vec<String> = wd::table
                .inner_join(wh::table)
                .filter(wd::status.eq(PENDING))
                .filter(wd::next_attempt_at.le(now))
                .filter(wh::enabled.eq(true))
                .order(wd::next_attempt_at.asc())
                .limit(page(limit))
                .select(wd::id)
                .load(conn)
                .await
                .map_err(db_err)?;
            if ids.is_empty() {
                Vec::new()
            } else {
                diesel::update(
                    wd::table
                        .filter(wd::id.eq_any(&ids))
                        .filter(wd::status.eq(PENDING))
                        .filter(wd::next_attempt_at.le(now)),
                )
                .set((
                    wd::lease_token.eq(Some(&leased)),
                    wd::next_attempt_at.eq(Some(lease_until)),
                    wd::attempts.eq(wd::attempts + 1),
                ))
                .execute(conn)
                .await
                .map_err(db_err)?;
                wd::table
                    .inner_join(wh::table)
                    .filter(wd::id.eq_any(&ids))
                    .filter(wd::lease_token.eq(&leased))
                    .order(wd::next_attempt_at.asc())
                    .select((DeliveryRow::as_select(), WebhookRow::as_select()))
                    .load(conn)
                    .await
                    .map_err(db_err)?
            }
        });
        let items = rows
            .into_iter()
            .map(|(d, w)| Ok((WebhookDelivery::try_from(d)?, Webhook::try_from(w)?)))
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(DeliveryClaim { lease, items })
    }

    async fn settle_delivery(
        &self,
        id: WebhookDeliveryId,
        lease: &str,
        outcome: &DeliveryOutcome,
        disable_after: u32,
        reason: &str,
        at: Timestamp,
    ) -> DomainResult<Settled> {
        let id = id.to_string();
        let (status, last_status, error, next, delivered_at) = match outcome {
            DeliveryOutcome::Delivered { status } => (
                DeliveryStatus::Delivered,
                Some(i32::from(*status)),
                None,
                None,
                Some(at),
            ),
            DeliveryOutcome::Retry {
                status,
                error,
                next_attempt_at,
            } => (
                DeliveryStatus::Pending,
                status.map(i32::from),
                Some(cut(error)),
                Some(*next_attempt_at),
                None,
            ),
            DeliveryOutcome::Failed { status, error } => (
                DeliveryStatus::Failed,
                status.map(i32::from),
                Some(cut(error)),
                None,
                None,
            ),
        };
        let status = status.as_str();
        let reason = cut(reason);
        let limit = i32::try_from(disable_after).unwrap_or(i32::MAX);
        let lease = lease.to_owned();
        let outcome = outcome.clone();
        with_tx!(self, |tx| {
            let n = diesel::update(
                wd::table
                    .find(&id)
                    .filter(wd::lease_token.eq(lease))
                    .filter(wd::status.eq(PENDING)),
            )
            .set((
                wd::status.eq(status),
                wd::last_status.eq(last_status),
                wd::last_error.eq(&error),
                wd::next_attempt_at.eq(next),
                wd::delivered_at.eq(delivered_at),
            ))
            .execute(tx)
            .await?;
            if n == 0 {
                return Ok(Settled::LeaseLost);
            }
            let webhook: String = wd::table.find(&id).select(wd::webhook_id).first(tx).await?;
            match outcome {
                DeliveryOutcome::Delivered { .. } => {
                    diesel::update(
                        wh::table
                            .find(&webhook)
                            .filter(wh::consecutive_failures.ne(0)),
                    )
                    .set(wh::consecutive_failures.eq(0))
                    .execute(tx)
                    .await?;
                }
                DeliveryOutcome::Retry { .. } => {}
                DeliveryOutcome::Failed { .. } => {
                    diesel::update(wh::table.find(&webhook))
                        .set(wh::consecutive_failures.eq(wh::consecutive_failures + 1))
                        .execute(tx)
                        .await?;
                    if limit > 0 {
                        // Conditional: of two failures settling at once,
                        // one disables (and is told so).
                        let disabled = diesel::update(
                            wh::table
                                .find(&webhook)
                                .filter(wh::enabled.eq(true))
                                .filter(wh::consecutive_failures.ge(limit)),
                        )
                        .set((
                            wh::enabled.eq(false),
                            wh::disabled_reason.eq(Some(&reason)),
                            wh::updated_at.eq(at),
                        ))
                        .execute(tx)
                        .await?;
                        if disabled == 1 {
                            return Ok(Settled::Disabled);
                        }
                    }
                }
            }
            Ok::<_, diesel::result::Error>(Settled::Recorded)
        })
    }

    async fn retry_delivery(
        &self,
        webhook: WebhookId,
        id: WebhookDeliveryId,
        at: Timestamp,
    ) -> DomainResult<WebhookDelivery> {
        let n = self
            .execute(
                diesel::update(
                    wd::table
                        .find(id.to_string())
                        .filter(wd::webhook_id.eq(webhook.to_string()))
                        .filter(wd::status.ne(PENDING)),
                )
                .set((
                    wd::status.eq(PENDING),
                    wd::attempts.eq(0),
                    wd::next_attempt_at.eq(Some(at)),
                    wd::lease_token.eq(None::<String>),
                    wd::delivered_at.eq(None::<Timestamp>),
                )),
            )
            .await?;
        let delivery = self
            .delivery_by_id(webhook, id)
            .await?
            .ok_or(DomainError::NotFound("webhook delivery"))?;
        if n == 0 {
            return Err(DomainError::Conflict(
                "the delivery is already pending; it will be attempted at next_attempt_at".into(),
            ));
        }
        Ok(delivery)
    }

    async fn prune_deliveries(&self, before: Timestamp) -> DomainResult<u64> {
        let n = self
            .execute(diesel::delete(
                wd::table
                    .filter(wd::status.ne(PENDING))
                    .filter(wd::created_at.lt(before)),
            ))
            .await?;
        Ok(n as u64)
    }
}
