//! The pre-chat form: admins configure it (`/api/v1/settings/prechat`), the
//! widget reads it and submits a customer's answers
//! (`/api/v1/widget/prechat`). Answers are checked here against the form
//! and stored on the customer (contact details and the custom answer are
//! encrypted by the store); opening a conversation checks the required
//! fields again (`chat-session`), so the form cannot be skipped.

use actix_web::web;
use chat_domain::DomainError;
use chat_domain::model::{Customer, PrechatAnswers, PrechatForm};
use chat_domain::ports::Store;
use chat_domain::time::now;
use serde::Serialize;

use crate::http::Body;
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::{AdminOnly, CustomerCaller};
use crate::http::trail::AuditTrail;

/// Back-office routes: the configuration.
pub(crate) fn configure_settings(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/settings/prechat")
            .route(web::get().to(form))
            .route(web::put().to(replace))
            .default_service(web::to(method_not_allowed)),
    );
}

/// Widget routes: the form as this customer sees it, and their answers.
pub(crate) fn configure_widget(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/widget/prechat")
            .route(web::get().to(mine))
            .route(web::post().to(submit))
            .default_service(web::to(method_not_allowed)),
    );
}

pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<PrechatForm>();
    out.add::<PrechatAnswers>();
    out.add::<WidgetPrechat>();
}

/// The form as the widget shows it to one customer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct WidgetPrechat {
    /// The fields and their modes.
    form: PrechatForm,
    /// The customer submitted the form before (the widget skips it when no
    /// required field is `missing`).
    submitted: bool,
    /// The first required field this customer has not given (`null`: they
    /// may start a conversation).
    missing: Option<&'static str>,
}

impl WidgetPrechat {
    fn of(form: PrechatForm, customer: &Customer) -> Self {
        Self {
            missing: form.missing(customer),
            submitted: customer.prechat_at.is_some(),
            form,
        }
    }
}

/// `GET /api/v1/settings/prechat` (admins).
async fn form(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
) -> Result<web::Json<PrechatForm>, ApiError> {
    Ok(web::Json(store.prechat_form().await?))
}

/// `PUT /api/v1/settings/prechat` (admins): replaces the form (audited).
async fn replace(
    admin: AdminOnly,
    trail: AuditTrail,
    store: web::Data<dyn Store>,
    body: Body<PrechatForm>,
) -> Result<web::Json<PrechatForm>, ApiError> {
    let form = body.read().await?.validated()?;
    store.save_prechat_form(&form, now()).await?;
    let detail = serde_json::json!({
        "name": form.name, "email": form.email, "phone": form.phone, "custom": form.custom,
    })
    .to_string();
    trail
        .log(admin.caller.user_id, "prechat.updated")
        .detail(detail)
        .await;
    Ok(web::Json(form))
}

async fn customer(store: &dyn Store, caller: CustomerCaller) -> Result<Customer, ApiError> {
    Ok(store
        .customer_by_id(caller.customer_id)
        .await?
        .ok_or(DomainError::NotFound("customer"))?)
}

/// `GET /api/v1/widget/prechat` (customers).
async fn mine(
    caller: CustomerCaller,
    store: web::Data<dyn Store>,
) -> Result<web::Json<WidgetPrechat>, ApiError> {
    let form = store.prechat_form().await?;
    let me = customer(store.get_ref(), caller).await?;
    Ok(web::Json(WidgetPrechat::of(form, &me)))
}

/// `POST /api/v1/widget/prechat` (customers): checks the answers against
/// the form and stores them on the customer.
async fn submit(
    caller: CustomerCaller,
    store: web::Data<dyn Store>,
    body: Body<PrechatAnswers>,
) -> Result<web::Json<WidgetPrechat>, ApiError> {
    let answers = body.read().await?;
    let form = store.prechat_form().await?;
    let at = now();
    let patch = form.check(answers, at)?;
    let me = store
        .update_customer(caller.customer_id, &patch, at)
        .await?;
    Ok(web::Json(WidgetPrechat::of(form, &me)))
}
