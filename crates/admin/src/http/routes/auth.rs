//! `/api/v1/auth/*` and `/api/v1/me`.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::AuthService;
use crate::audit::Audited;
use crate::auth::TokenPair;
use crate::http::Body;
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::StaffCaller;
use crate::http::trail::AuditTrail;
use chat_domain::model::User;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/auth/login").route(web::post().to(login)))
        .service(resource("/auth/refresh").route(web::post().to(refresh)))
        .service(resource("/auth/logout").route(web::post().to(logout)))
        .service(resource("/me").route(web::get().to(me)));
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct LoginResponse {
    #[serde(flatten)]
    tokens: TokenPair,
    user: User,
}

async fn login(
    auth: web::Data<AuthService>,
    trail: AuditTrail,
    body: Body<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tokens, user) = audited(auth, trail, body, |auth, body, ip| async move {
        auth.login(&body.email, &body.password, ip.as_deref()).await
    })
    .await?;
    Ok(HttpResponse::Ok().json(LoginResponse { tokens, user }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct RefreshRequest {
    refresh_token: String,
}

async fn refresh(
    auth: web::Data<AuthService>,
    trail: AuditTrail,
    body: Body<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let tokens = audited(auth, trail, body, |auth, body, _| async move {
        auth.refresh(&body.refresh_token).await
    })
    .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

async fn logout(
    auth: web::Data<AuthService>,
    trail: AuditTrail,
    body: Body<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    audited(auth, trail, body, |auth, body, _| async move {
        auth.logout(&body.refresh_token).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reads the body, then runs `use_case` (given the client's address) and
/// records its audit entries on a task of their own: a client hanging up
/// must not cancel a database write halfway (see `super::detached`).
async fn audited<B, T, F>(
    auth: web::Data<AuthService>,
    trail: AuditTrail,
    body: Body<B>,
    use_case: impl FnOnce(Arc<AuthService>, B, Option<String>) -> F,
) -> Result<T, ApiError>
where
    B: serde::de::DeserializeOwned + 'static,
    F: Future<Output = Audited<T>> + Send + 'static,
    T: Send + 'static,
{
    let body = body.read().await?;
    let work = use_case(auth.into_inner(), body, trail.ip().map(str::to_owned));
    super::detached(async move { trail.settle(work.await).await }).await
}

async fn me(
    auth: web::Data<AuthService>,
    caller: StaffCaller,
) -> Result<web::Json<User>, ApiError> {
    Ok(web::Json(auth.current_user(caller.user_id).await?))
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<LoginRequest>();
    out.add::<LoginResponse>();
    out.add::<RefreshRequest>();
}
