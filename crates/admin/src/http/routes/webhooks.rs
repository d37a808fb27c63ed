//! Webhooks administration (admins only): subscriptions, their secrets,
//! the delivery log, manual retries and pings. Every write is audited; the
//! secret appears in a response only when created or rotated.

use actix_web::{HttpResponse, web};
use chat_domain::DomainError;
use chat_domain::ids::{WebhookDeliveryId, WebhookId};
use chat_domain::model::{
    DeliveryFilter, DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent, parse_events,
};
use chat_domain::ports::Store;
use chat_domain::time::{Timestamp, now};
use serde::{Deserialize, Serialize};

use crate::http::Body;
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::AdminOnly;
use crate::http::trail::AuditTrail;
use chat_webhooks::Webhooks;
use chat_webhooks::sign::new_secret;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(
        resource("/webhooks")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/webhooks/{id}")
            .route(web::get().to(detail))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/webhooks/{id}/rotate-secret").route(web::post().to(rotate_secret)))
    .service(resource("/webhooks/{id}/ping").route(web::post().to(ping)))
    .service(resource("/webhooks/{id}/deliveries").route(web::get().to(deliveries)))
    .service(
        resource("/webhooks/{id}/deliveries/{delivery_id}").route(web::get().to(delivery_detail)),
    )
    .service(
        resource("/webhooks/{id}/deliveries/{delivery_id}/retry").route(web::post().to(retry)),
    );
}

/// Query of `GET /webhooks`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Cursor: the `next_after` of the previous page.
    after: Option<WebhookId>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u32>,
}

async fn list(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<super::paging::Page<Webhook, WebhookId>>, ApiError> {
    let limit = super::paging::limit(query.limit, 50, 200)?;
    let items = store.list_webhooks(query.after, limit).await?;
    let next_after = super::paging::next(&items, limit, |w| w.id);
    Ok(web::Json(super::paging::Page { items, next_after }))
}

/// Body of `POST /webhooks`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateWebhook {
    /// Where deliveries are POSTed: an http(s) URL of an outside host.
    url: String,
    /// Event names to subscribe to (at least one): `conversation.created`,
    /// `conversation.state_changed`, `conversation.closed`,
    /// `message.created`, `csat.submitted`.
    events: Vec<String>,
    /// Whether it starts enabled (default true).
    enabled: Option<bool>,
}

/// A webhook with its signing secret: the answer of create and
/// rotate-secret, the only times the secret is shown.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct WebhookWithSecret {
    /// The webhook.
    #[serde(flatten)]
    webhook: Webhook,
    /// The key receivers verify `X-Chat-Signature` with. Store it now: it
    /// cannot be read again (rotate to get a new one).
    secret: String,
}

fn events_detail(w: &Webhook) -> String {
    let names: Vec<&str> = w.events.iter().map(WebhookEvent::as_str).collect();
    serde_json::json!({ "events": names, "enabled": w.enabled }).to_string()
}

async fn create(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    hooks: web::Data<Webhooks>,
    trail: AuditTrail,
    body: Body<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let input = body.read().await?;
    let url = hooks.check_url(&input.url)?;
    let mut webhook = Webhook::new(&url, &input.events, new_secret(), now())?;
    webhook.enabled = input.enabled.unwrap_or(true);
    store.create_webhook(&webhook).await?;
    hooks.changed().await;
    trail
        .log(admin.caller.user_id, "webhook.created")
        .on(webhook.id)
        .detail(events_detail(&webhook))
        .await;
    let secret = webhook.secret.expose().to_owned();
    Ok(HttpResponse::Created().json(WebhookWithSecret { webhook, secret }))
}

async fn load(store: &dyn Store, id: WebhookId) -> Result<Webhook, ApiError> {
    Ok(store
        .webhook_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("webhook"))?)
}

async fn detail(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
    path: web::Path<WebhookId>,
) -> Result<web::Json<Webhook>, ApiError> {
    Ok(web::Json(load(store.get_ref(), *path).await?))
}

/// Body of `PATCH /webhooks/{id}`: only the fields given change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateWebhook {
    /// A new destination.
    url: Option<String>,
    /// A new subscription list (replaces the old one; at least one event).
    events: Option<Vec<String>>,
    /// Enable or disable. Enabling clears the failure count and the reason
    /// it was disabled; its pending deliveries resume.
    enabled: Option<bool>,
}

async fn update(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    hooks: web::Data<Webhooks>,
    trail: AuditTrail,
    path: web::Path<WebhookId>,
    body: Body<UpdateWebhook>,
) -> Result<web::Json<Webhook>, ApiError> {
    let input = body.read().await?;
    let mut webhook = load(store.get_ref(), *path).await?;
    if let Some(url) = &input.url {
        webhook.url = hooks.check_url(url)?;
    }
    if let Some(events) = &input.events {
        webhook.events = parse_events(events)?;
    }
    let at = now();
    if input.url.is_some() || input.events.is_some() {
        webhook.times.updated_at = at;
        store.update_webhook(&webhook).await?;
    }
    if let Some(enabled) = input.enabled {
        // Its own conditional write: the sender may be counting a failure
        // or disabling the webhook at this very moment.
        webhook = store.set_webhook_enabled(webhook.id, enabled, at).await?;
    }
    hooks.changed().await;
    if webhook.enabled {
        // Deliveries that waited while it was disabled are due now.
        hooks.wake();
    }
    trail
        .log(admin.caller.user_id, "webhook.updated")
        .on(webhook.id)
        .detail(events_detail(&webhook))
        .await;
    Ok(web::Json(webhook))
}

async fn delete(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    hooks: web::Data<Webhooks>,
    trail: AuditTrail,
    path: web::Path<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    store.delete_webhook(*path).await?;
    hooks.changed().await;
    trail
        .log(admin.caller.user_id, "webhook.deleted")
        .on(*path)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// Query of `POST /webhooks/{id}/rotate-secret`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RotateQuery {
    /// How long the old secret keeps signing too (a second `v1`), so the
    /// receiver can switch without refusing deliveries: 0 (the default:
    /// at once, as after a leak) to 604800 (7 days).
    keep_previous_secs: Option<i64>,
}

/// Longest overlap of two secrets after a rotation.
const MAX_KEEP_PREVIOUS_SECS: i64 = 7 * 24 * 3600;

async fn rotate_secret(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<WebhookId>,
    query: web::Query<RotateQuery>,
) -> Result<web::Json<WebhookWithSecret>, ApiError> {
    let keep = query.keep_previous_secs.unwrap_or(0);
    if !(0..=MAX_KEEP_PREVIOUS_SECS).contains(&keep) {
        return Err(DomainError::invalid(
            "keep_previous_secs",
            format!("must be between 0 and {MAX_KEEP_PREVIOUS_SECS} seconds"),
        )
        .into());
    }
    let mut webhook = load(store.get_ref(), *path).await?;
    let at = now();
    webhook.rotate(
        new_secret(),
        (keep > 0).then(|| at + chrono::Duration::seconds(keep)),
    );
    webhook.times.updated_at = at;
    store.update_webhook(&webhook).await?;
    trail
        .log(admin.caller.user_id, "webhook.secret_rotated")
        .on(webhook.id)
        .detail(serde_json::json!({ "keep_previous_secs": keep }).to_string())
        .await;
    let secret = webhook.secret.expose().to_owned();
    Ok(web::Json(WebhookWithSecret { webhook, secret }))
}

/// A delivery as the API shows it: the payload as JSON, not as text.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = WebhookDelivery)]
pub(crate) struct DeliveryView {
    /// Identity; the `X-Chat-Delivery` header.
    id: WebhookDeliveryId,
    /// The webhook.
    webhook_id: WebhookId,
    /// The event name.
    event: WebhookEvent,
    /// The body sent (parsed).
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    /// `pending`, `delivered` or `failed`.
    status: DeliveryStatus,
    /// Attempts made so far.
    attempts: u32,
    /// HTTP status of the last attempt, if one came back.
    last_status: Option<u16>,
    /// Why the last attempt failed.
    last_error: Option<String>,
    /// When the next attempt is due (pending only).
    #[serde(with = "chat_domain::time::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    next_attempt_at: Option<Timestamp>,
    /// When it was queued.
    #[serde(with = "chat_domain::time::utc")]
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    /// When the receiver accepted it.
    #[serde(with = "chat_domain::time::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    delivered_at: Option<Timestamp>,
}

impl From<WebhookDelivery> for DeliveryView {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            id: d.id,
            webhook_id: d.webhook_id,
            event: d.event,
            payload: serde_json::from_str(&d.payload)
                .unwrap_or(serde_json::Value::String(d.payload)),
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// Query of `GET /webhooks/{id}/deliveries`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeliveriesQuery {
    /// Only `pending`, `delivered` or `failed`.
    status: Option<String>,
    /// Cursor: the `next_before` of the previous page.
    before: Option<WebhookDeliveryId>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<u32>,
}

/// A page of deliveries, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = WebhookDeliveryPage)]
pub(crate) struct DeliveryPage {
    /// The deliveries.
    items: Vec<DeliveryView>,
    /// Pass as `before` for the next (older) page; `null` at the end.
    next_before: Option<WebhookDeliveryId>,
}

async fn deliveries(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
    path: web::Path<WebhookId>,
    query: web::Query<DeliveriesQuery>,
) -> Result<web::Json<DeliveryPage>, ApiError> {
    let limit = super::paging::limit(query.limit, 20, 100)?;
    let q = query.into_inner();
    let status = q
        .status
        .as_deref()
        .map(|s| {
            s.parse::<DeliveryStatus>().map_err(|_| {
                DomainError::invalid("status", "must be one of: pending, delivered, failed")
            })
        })
        .transpose()?;
    let webhook = load(store.get_ref(), *path).await?;
    let items = store
        .list_deliveries(&DeliveryFilter {
            webhook_id: webhook.id,
            status,
            before: q.before,
            limit,
        })
        .await?;
    let next_before = super::paging::next(&items, limit, |d| d.id);
    Ok(web::Json(DeliveryPage {
        items: items.into_iter().map(DeliveryView::from).collect(),
        next_before,
    }))
}

async fn delivery_detail(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
    path: web::Path<(WebhookId, WebhookDeliveryId)>,
) -> Result<web::Json<DeliveryView>, ApiError> {
    let (webhook, id) = path.into_inner();
    let delivery = store
        .delivery_by_id(webhook, id)
        .await?
        .ok_or(DomainError::NotFound("webhook delivery"))?;
    Ok(web::Json(delivery.into()))
}

async fn retry(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    hooks: web::Data<Webhooks>,
    trail: AuditTrail,
    path: web::Path<(WebhookId, WebhookDeliveryId)>,
) -> Result<HttpResponse, ApiError> {
    let (webhook_id, id) = path.into_inner();
    let webhook = load(store.get_ref(), webhook_id).await?;
    if !webhook.enabled {
        return Err(
            DomainError::Conflict("the webhook is disabled; enable it first".into()).into(),
        );
    }
    let delivery = store.retry_delivery(webhook_id, id, now()).await?;
    hooks.wake();
    trail
        .log(admin.caller.user_id, "webhook.delivery_retried")
        .on(webhook_id)
        .detail(serde_json::json!({ "delivery_id": id }).to_string())
        .await;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(delivery)))
}

async fn ping(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    hooks: web::Data<Webhooks>,
    trail: AuditTrail,
    path: web::Path<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    let webhook = load(store.get_ref(), *path).await?;
    let delivery = hooks.ping(&webhook).await?;
    trail
        .log(admin.caller.user_id, "webhook.pinged")
        .on(webhook.id)
        .detail(serde_json::json!({ "delivery_id": delivery.id }).to_string())
        .await;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(delivery)))
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<Webhook>();
    out.add::<CreateWebhook>();
    out.add::<UpdateWebhook>();
    out.add::<WebhookWithSecret>();
    out.add::<DeliveryView>();
    out.add::<DeliveryPage>();
}
