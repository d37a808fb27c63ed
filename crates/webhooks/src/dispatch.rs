//! The sender: on every node, a loop claims due deliveries (leased, so two
//! nodes never attempt the same one at once), POSTs each signed, and
//! records the outcome: delivered, retry later (exponential backoff with
//! jitter), or failed for good, which counts against the webhook and
//! disables it after too many in a row.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_domain::events::Event;
use chat_domain::model::{AuditEntry, DeliveryOutcome, Settled, Webhook, WebhookDelivery};
use chat_domain::ports::{EventBus, Store};
use chat_domain::time::now;
use rand::Rng as _;
use tokio::sync::{Notify, Semaphore};

use super::WebhookConfig;
use super::destination::check_before_send;
use super::sign::{ATTEMPT_HEADER, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatures};

/// How much of a receiver's error answer is kept in the delivery log.
const ERROR_SNIPPET: usize = 200;
/// How often old delivered and failed deliveries are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

pub(crate) struct Sender {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) bus: Arc<dyn EventBus>,
    pub(crate) client: reqwest::Client,
    pub(crate) config: WebhookConfig,
    pub(crate) wake: Arc<Notify>,
}

impl Sender {
    /// The delay before attempt `attempts + 1`: `backoff × 2^(attempts−1)`,
    /// capped, then scaled by a random factor in [0.5, 1] so receivers coming
    /// back up are not hit by every retry at once.
    pub(crate) fn backoff(&self, attempts: u32) -> Duration {
        let exp = attempts.saturating_sub(1).min(20);
        let raw = self
            .config
            .backoff
            .saturating_mul(1u32 << exp)
            .min(self.config.max_backoff);
        raw.mul_f64(rand::rng().random_range(0.5..=1.0))
    }

    /// Runs forever: claim what is due and free capacity allows, send each
    /// on its own task, sleep until woken (new deliveries, a finished
    /// attempt) or the poll interval passes.
    pub(crate) async fn run(self: Arc<Self>) {
        let slots = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut last_prune: Option<Instant> = None;
        loop {
            let free = slots.available_permits();
            let mut full_claim = false;
            if free > 0 {
                let at = now();
                let lease_until = chrono::Duration::from_std(self.lease())
                    .ok()
                    .and_then(|d| at.checked_add_signed(d))
                    .unwrap_or(at);
                match self
                    .store
                    .claim_deliveries(at, lease_until, free as u32)
                    .await
                {
                    Ok(claim) => {
                        full_claim = claim.items.len() == free;
                        for (delivery, webhook) in claim.items {
                            let Ok(permit) = slots.clone().acquire_owned().await else {
                                return;
                            };
                            let me = self.clone();
                            let lease = claim.lease.clone();
                            tokio::spawn(async move {
                                me.attempt(delivery, webhook, &lease).await;
                                drop(permit);
                                me.wake.notify_one();
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "webhook deliveries not claimed"),
                }
            }
            if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                last_prune = Some(Instant::now());
                self.prune().await;
            }
            if full_claim {
                // More may be due: claim again at once.
                continue;
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
    }

    /// Longer than any attempt can take, so a lease only runs out when its
    /// node died (or stalled) mid-attempt.
    fn lease(&self) -> Duration {
        self.config.timeout + Duration::from_secs(30)
    }

    async fn prune(&self) {
        let Some(before) = chrono::Duration::from_std(self.config.retention)
            .ok()
            .and_then(|keep| now().checked_sub_signed(keep))
        else {
            return;
        };
        match self.store.prune_deliveries(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "old webhook deliveries pruned"),
            Err(e) => tracing::warn!(error = %e, "webhook deliveries not pruned"),
        }
    }

    /// One attempt of one delivery, and its settlement.
    pub(crate) async fn attempt(&self, delivery: WebhookDelivery, webhook: Webhook, lease: &str) {
        let started = Instant::now();
        let result = self.send(&delivery, &webhook).await;
        let outcome = match result {
            Ok(status) => DeliveryOutcome::Delivered { status },
            Err((status, error)) if delivery.attempts >= self.config.max_attempts => {
                DeliveryOutcome::Failed { status, error }
            }
            Err((status, error)) => {
                let delay = chrono::Duration::from_std(self.backoff(delivery.attempts))
                    .unwrap_or(chrono::Duration::hours(1));
                let at = now();
                DeliveryOutcome::Retry {
                    status,
                    error,
                    next_attempt_at: at.checked_add_signed(delay).unwrap_or(at),
                }
            }
        };
        let label = match &outcome {
            DeliveryOutcome::Delivered { .. } => "delivered",
            DeliveryOutcome::Retry { .. } => "retry",
            DeliveryOutcome::Failed { .. } => "failed",
        };
        metrics::counter!("chat_webhook_attempts_total", "outcome" => label).increment(1);
        metrics::histogram!("chat_webhook_attempt_seconds").record(started.elapsed().as_secs_f64());
        let reason = format!(
            "disabled after {} deliveries in a row failed (last: {})",
            self.config.disable_after,
            match &outcome {
                DeliveryOutcome::Failed { error, .. } => error.as_str(),
                _ => "",
            }
        );
        match self
            .store
            .settle_delivery(
                delivery.id,
                lease,
                &outcome,
                self.config.disable_after,
                &reason,
                now(),
            )
            .await
        {
            Ok(Settled::Recorded) => {}
            Ok(Settled::LeaseLost) => tracing::warn!(
                delivery = %delivery.id,
                "webhook attempt outlived its lease; another node owns the delivery now"
            ),
            Ok(Settled::Disabled) => self.disabled(&webhook, &reason).await,
            Err(e) => {
                // The lease runs out and the delivery is attempted again:
                // at least once, never lost.
                tracing::warn!(error = %e, delivery = %delivery.id, "webhook outcome not recorded");
            }
        }
    }

    async fn disabled(&self, webhook: &Webhook, reason: &str) {
        tracing::warn!(webhook = %webhook.id, reason, "webhook disabled");
        let entry = AuditEntry {
            id: Default::default(),
            actor_id: None,
            action: "webhook.disabled".into(),
            target: Some(webhook.id.to_string()),
            ip: None,
            detail: Some(serde_json::json!({ "reason": reason }).to_string()),
            created_at: now(),
        };
        if let Err(e) = self.store.record_audit(&entry).await {
            tracing::error!(error = %e, "audit entry not recorded");
        }
        if let Err(e) = self.bus.publish(Event::WebhooksChanged).await {
            tracing::warn!(error = %e, "webhook change not announced");
        }
    }

    /// POSTs the payload; `Ok(status)` on 2xx, else the status (if any) and
    /// what went wrong, fit for the delivery log (no URL: it may hold a token).
    async fn send(
        &self,
        delivery: &WebhookDelivery,
        webhook: &Webhook,
    ) -> Result<u16, (Option<u16>, String)> {
        let url =
            reqwest::Url::parse(&webhook.url).map_err(|e| (None, format!("invalid URL: {e}")))?;
        check_before_send(&url, self.config.allow_private).map_err(|e| (None, e))?;
        let timestamp = chrono::Utc::now().timestamp();
        let body = delivery.payload.clone().into_bytes();
        let request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_HEADER, delivery.event.as_str())
            .header(DELIVERY_HEADER, delivery.id.to_string())
            .header(ATTEMPT_HEADER, delivery.attempts.to_string())
            .header(
                SIGNATURE_HEADER,
                signatures(&webhook.signing_secrets(now()), timestamp, &body),
            )
            .body(body);
        let mut response = request.send().await.map_err(|e| (None, describe(&e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let mut snippet = Vec::new();
        while snippet.len() < ERROR_SNIPPET {
            match response.chunk().await {
                Ok(Some(chunk)) => snippet.extend_from_slice(&chunk),
                _ => break,
            }
        }
        snippet.truncate(ERROR_SNIPPET);
        let text = String::from_utf8_lossy(&snippet).trim().to_owned();
        let error = if status.is_redirection() {
            format!("HTTP {}: redirects are not followed", status.as_u16())
        } else if text.is_empty() {
            format!("HTTP {}", status.as_u16())
        } else {
            format!("HTTP {}: {text}", status.as_u16())
        };
        Err((Some(status.as_u16()), error))
    }
}

/// A client error in words, without the URL, with its causes.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".to_owned();
    }
    let mut text = String::from(if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    });
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
