//! Canned responses: every staff member keeps personal ones; supervisors and
//! admins manage the shared ones. Someone else's personal response is a 404.

use actix_web::{HttpResponse, web};
use chat_domain::DomainError;
use chat_domain::ids::CannedResponseId;
use chat_domain::model::{CannedResponse, Role};
use chat_domain::ports::Store;
use chat_domain::time::now;
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::StaffCaller;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(
        resource("/canned")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/canned/{id}")
            .route(web::put().to(replace))
            .route(web::delete().to(delete)),
    );
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CannedList)]
struct Items {
    items: Vec<CannedResponse>,
}

async fn list(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
) -> Result<web::Json<Items>, ApiError> {
    Ok(web::Json(Items {
        items: store.canned_for(caller.user_id).await?,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
#[schema(as = CannedInput)]
struct Input {
    /// 1–32 letters, digits, `-` or `_` (a leading `/` is dropped; stored
    /// in lower case).
    #[schema(pattern = r"^\s*/*[A-Za-z0-9_-]{1,32}\s*$")]
    shortcut: String,
    /// 1–200 characters once trimmed.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    /// Not blank; at most 16,384 bytes.
    #[schema(min_length = 1, max_length = 16384, pattern = r"\S")]
    body: String,
    /// Shared with every agent (supervisors and admins only).
    #[serde(default)]
    shared: bool,
}

async fn create(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    body: crate::http::Body<Input>,
) -> Result<HttpResponse, ApiError> {
    let input = body.read().await?;
    if input.shared && !caller.role.at_least(Role::Supervisor) {
        return Err(
            DomainError::Forbidden("shared responses are managed by supervisors".into()).into(),
        );
    }
    let owner = (!input.shared).then_some(caller.user_id);
    let response = CannedResponse::new(owner, &input.shortcut, &input.title, &input.body, now())?;
    store.create_canned(&response).await?;
    Ok(HttpResponse::Created().json(response))
}

/// Loads a response the caller may change: their own, or a shared one for
/// supervisors. Others' personal responses do not exist for the caller.
async fn editable(
    store: &dyn Store,
    caller: &StaffCaller,
    id: CannedResponseId,
) -> Result<CannedResponse, ApiError> {
    let r = store
        .canned_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("canned response"))?;
    match r.owner_id {
        Some(owner) if owner == caller.user_id => Ok(r),
        Some(_) => Err(DomainError::NotFound("canned response").into()),
        None if caller.role.at_least(Role::Supervisor) => Ok(r),
        None => {
            Err(DomainError::Forbidden("shared responses are managed by supervisors".into()).into())
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
#[schema(as = CannedReplace)]
struct Replace {
    /// 1–32 letters, digits, `-` or `_` (a leading `/` is dropped; stored
    /// in lower case).
    #[schema(pattern = r"^\s*/*[A-Za-z0-9_-]{1,32}\s*$")]
    shortcut: String,
    /// 1–200 characters once trimmed.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    /// Not blank; at most 16,384 bytes.
    #[schema(min_length = 1, max_length = 16384, pattern = r"\S")]
    body: String,
}

async fn replace(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    path: web::Path<CannedResponseId>,
    body: crate::http::Body<Replace>,
) -> Result<web::Json<CannedResponse>, ApiError> {
    let mut r = editable(store.get_ref(), &caller, *path).await?;
    let input = body.read().await?;
    r.set(&input.shortcut, &input.title, &input.body)?;
    r.times.updated_at = now();
    store.update_canned(&r).await?;
    Ok(web::Json(r))
}

async fn delete(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    path: web::Path<CannedResponseId>,
) -> Result<HttpResponse, ApiError> {
    let r = editable(store.get_ref(), &caller, *path).await?;
    store.delete_canned(r.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<Items>();
    out.add::<Input>();
    out.add::<Replace>();
}
