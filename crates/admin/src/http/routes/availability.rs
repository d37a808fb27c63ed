//! Business hours (staff read them, admins change them) and the widget's
//! availability and leave-a-message routes.

use actix_web::web;
use chat_domain::availability::{BusinessHours, LeftMessage, OpeningSpan};
use chat_domain::ids::ConversationId;
use chat_domain::model::{Conversation, normalize_email};
use chat_domain::time::now;
use chat_domain::{DomainError, access};
use serde::Deserialize;

use crate::availability::{Availability, AvailabilityStatus};
use crate::http::Body;
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::{AdminOnly, CustomerCaller, StaffCaller};
use crate::http::trail::AuditTrail;

/// The back-office routes (`/business-hours`).
pub(crate) fn configure_office(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/business-hours")
            .route(web::get().to(hours))
            .route(web::put().to(set_hours))
            .default_service(web::to(method_not_allowed)),
    );
}

/// The widget's routes.
pub(crate) fn configure_widget(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/widget/availability").route(web::get().to(status)))
        .service(
            resource("/widget/conversations/{id}/leave-message")
                .route(web::post().to(leave_message)),
        );
}

pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<BusinessHours>();
    out.add::<OpeningSpan>();
    out.add::<HoursInput>();
    out.add::<AvailabilityStatus>();
    out.add::<LeaveMessage>();
}

async fn hours(
    _staff: StaffCaller,
    availability: web::Data<Availability>,
) -> Result<web::Json<BusinessHours>, ApiError> {
    Ok(web::Json(availability.hours().await?))
}

/// Body of `PUT /api/v1/business-hours`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BusinessHoursInput)]
struct HoursInput {
    /// `false`: no business hours (always open).
    enabled: bool,
    /// IANA time zone, e.g. `Europe/Paris`.
    time_zone: String,
    /// Opening spans (at most 28); days without one are closed.
    #[serde(default)]
    days: Vec<OpeningSpan>,
    /// Dates `YYYY-MM-DD` closed all day (at most 400).
    #[serde(default)]
    holidays: Vec<String>,
}

async fn set_hours(
    admin: AdminOnly,
    trail: AuditTrail,
    availability: web::Data<Availability>,
    body: Body<HoursInput>,
) -> Result<web::Json<BusinessHours>, ApiError> {
    let input = body.read().await?;
    let hours = BusinessHours::new(
        input.enabled,
        &input.time_zone,
        &input.days,
        &input.holidays,
        now(),
        Some(admin.caller.user_id),
    )?;
    let availability = availability.into_inner();
    let saved = hours.clone();
    super::detached(async move { availability.set_hours(&saved).await }).await?;
    trail
        .log(admin.caller.user_id, "business_hours.updated")
        .await;
    Ok(web::Json(hours))
}

async fn status(
    availability: web::Data<Availability>,
) -> Result<web::Json<AvailabilityStatus>, ApiError> {
    Ok(web::Json(availability.status().await?))
}

/// Body of `POST /api/v1/widget/conversations/{id}/leave-message`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LeaveMessage {
    /// Where the customer can be reached (kept on the customer, encrypted).
    #[schema(format = Email)]
    email: String,
    /// The message (optional; a chat message's rules, within the JSON body limit).
    text: Option<String>,
    /// The sender's id for the message: a retry is stored once.
    client_msg_id: Option<String>,
}

async fn leave_message(
    caller: CustomerCaller,
    availability: web::Data<Availability>,
    path: web::Path<ConversationId>,
    body: Body<LeaveMessage>,
) -> Result<web::Json<Conversation>, ApiError> {
    let id = path.into_inner();
    // Whether the conversation is theirs is answered before the body is
    // read: a stranger learns nothing from a validation error.
    let conv = availability
        .store
        .conversation_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("conversation"))?;
    access::ensure_view(&caller.principal(), &conv)?;
    let input = body.read().await?;
    let email = normalize_email(&input.email)?;
    let text = input
        .text
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    // The away notice says when support is back.
    let left = LeftMessage {
        email,
        text,
        client_msg_id: input.client_msg_id,
        next_opening: availability.status().await?.next_opening,
    };
    let desk = availability.desk.clone();
    let customer = caller.customer_id;
    let conv = super::detached(async move { desk.leave_message(customer, id, left).await }).await?;
    Ok(web::Json(conv))
}
