//! `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::AuthService;
use crate::auth::TokenPair;
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
    body: crate::http::Body<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.read().await?;
    let auth = auth.into_inner();
    // Detached from the request: a client hanging up must not cancel a
    // database write halfway (see `super::detached`).
    let (tokens, user) = super::detached(async move {
        let attempt = auth.login(&body.email, &body.password, trail.ip()).await;
        trail.settle(attempt).await
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
    body: crate::http::Body<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.read().await?;
    let auth = auth.into_inner();
    let tokens = super::detached(async move {
        let rotated = auth.refresh(&body.refresh_token).await;
        trail.settle(rotated).await
    })
    .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

async fn logout(
    auth: web::Data<AuthService>,
    trail: AuditTrail,
    body: crate::http::Body<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.read().await?;
    let auth = auth.into_inner();
    super::detached(async move {
        let revoked = auth.logout(&body.refresh_token).await;
        trail.settle(revoked).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
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
