//! Users: admins manage accounts and roles; everyone changes their own password.
//!
//! Deactivating a user or resetting their password revokes their refresh
//! tokens, and every staff request checks the account in the database, so
//! either takes effect at once. An admin cannot deactivate or demote
//! themselves (the last way back in would be the database).

use actix_web::{HttpResponse, web};
use chat_domain::DomainError;
use chat_domain::ids::UserId;
use chat_domain::model::{Role, User, normalize_email};
use chat_domain::ports::Store;
use chat_domain::time::{Timestamps, now};
use serde::Deserialize;

use crate::AuthService;
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::{AdminOnly, StaffCaller};
use crate::http::trail::AuditTrail;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(
        resource("/users")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/users/{id}")
            .route(web::get().to(detail))
            .route(web::patch().to(update)),
    )
    .service(resource("/users/{id}/password").route(web::post().to(reset_password)))
    .service(
        resource("/users/{id}/logout-everywhere").route(web::post().to(log_user_out_everywhere)),
    )
    .service(resource("/me/logout-everywhere").route(web::post().to(log_out_everywhere)))
    .service(resource("/staff").route(web::get().to(directory)))
    .service(resource("/me/password").route(web::post().to(change_own_password)));
}

const MAX_NAME_CHARS: usize = 100;

fn display_name(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            "display_name",
            "must be 1 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    after: Option<UserId>,
    limit: Option<u32>,
}

async fn list(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<super::paging::Page<User, UserId>>, ApiError> {
    let limit = super::paging::limit(query.limit, 50, 200)?;
    let items = store.list_users(query.after, limit).await?;
    let next_after = super::paging::next(&items, limit, |x| x.id);
    Ok(web::Json(super::paging::Page { items, next_after }))
}

/// One colleague in the staff directory: what pickers need to choose whom
/// to transfer or assign to.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct StaffMember {
    /// The user id (`agent_id` of assign and transfer).
    #[schema(value_type = String)]
    id: UserId,
    display_name: String,
    #[schema(value_type = String)]
    role: Role,
    /// `online`, `away` or `offline`.
    presence: &'static str,
    /// Conversations in state `human` they hold now.
    load: u32,
    /// Only in an admin's view.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

/// Active accounts read at most per directory request: a support team, not
/// a user base.
const DIRECTORY_MAX: u32 = 2000;

/// The staff directory for every staff role: active accounts by name with
/// presence and load; e-mail addresses only for admins.
async fn directory(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    presence: web::Data<dyn chat_domain::ports::PresenceRegistry>,
) -> Result<HttpResponse, ApiError> {
    let mut users = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_users(after, 200).await?;
        let full = page.len() == 200;
        after = page.last().map(|u| u.id);
        users.extend(page.into_iter().filter(|u| u.active));
        if !full || users.len() >= DIRECTORY_MAX as usize {
            break;
        }
    }
    let live: std::collections::HashMap<UserId, chat_domain::events::PresenceStatus> =
        presence.live_agents().await?.into_iter().collect();
    let loads: std::collections::HashMap<UserId, u32> =
        store.agent_loads().await?.into_iter().collect();
    let admin = caller.role == Role::Admin;
    let mut items: Vec<StaffMember> = users
        .into_iter()
        .map(|u| StaffMember {
            presence: live.get(&u.id).map_or("offline", |s| s.as_str()),
            load: loads.get(&u.id).copied().unwrap_or(0),
            email: admin.then_some(u.email),
            id: u.id,
            display_name: u.display_name,
            role: u.role,
        })
        .collect();
    items.sort_by_cached_key(|m| m.display_name.to_lowercase());
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct CreateUser {
    /// An address like `name@example.com` (stored in lower case).
    #[schema(max_length = 254, pattern = r"^\s*[^\s@]+@[^\s@]+\s*$")]
    email: String,
    /// 1–100 characters once trimmed.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    display_name: String,
    role: Role,
    /// At least 8 characters (at most 256 bytes).
    #[schema(min_length = 8, max_length = 256)]
    password: String,
}

async fn create(
    admin: AdminOnly,
    auth: web::Data<AuthService>,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    body: crate::http::Body<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.read().await?;
    let email = normalize_email(&body.email)?;
    let display_name = display_name(&body.display_name)?;
    let password_hash = auth.new_password_hash(&body.password).await?;
    let at = now();
    let user = User {
        id: UserId::new(),
        email,
        display_name,
        password_hash,
        role: body.role,
        active: true,
        times: Timestamps::new(at),
    };
    store.create_user(&user).await?;
    let detail = format!(r#"{{"role":"{}"}}"#, user.role);
    trail
        .log(admin.caller.user_id, "user.created")
        .on(user.id)
        .detail(detail)
        .await;
    Ok(HttpResponse::Created().json(user))
}

async fn load(store: &dyn Store, id: UserId) -> Result<User, ApiError> {
    Ok(store
        .user_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("user"))?)
}

async fn detail(
    _admin: AdminOnly,
    store: web::Data<dyn Store>,
    path: web::Path<UserId>,
) -> Result<web::Json<User>, ApiError> {
    Ok(web::Json(load(store.get_ref(), *path).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct UpdateUser {
    /// 1–100 characters once trimmed.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    display_name: Option<String>,
    role: Option<Role>,
    active: Option<bool>,
}

async fn update(
    admin: AdminOnly,
    auth: web::Data<AuthService>,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<UserId>,
    body: crate::http::Body<UpdateUser>,
) -> Result<web::Json<User>, ApiError> {
    let mut user = load(store.get_ref(), *path).await?;
    let body = body.read().await?;
    if user.id == admin.caller.user_id
        && (body.active == Some(false) || body.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(
            DomainError::Conflict("you cannot deactivate or demote yourself".into()).into(),
        );
    }
    if let Some(name) = &body.display_name {
        user.display_name = display_name(name)?;
    }
    if let Some(role) = body.role {
        user.role = role;
    }
    // Asked for again (not only on a change), so that repeating a request
    // whose revocation failed (503) completes it. Not for oneself: an admin
    // can neither deactivate nor demote themself (above), so their own
    // request changes neither, and must not sign them out.
    let revoke =
        user.id != admin.caller.user_id && (body.active == Some(false) || body.role.is_some());
    if let Some(active) = body.active {
        user.active = active;
    }
    user.times.updated_at = now();
    store.update_user(&user).await?;
    if revoke {
        auth.revoke_sessions(user.id).await?;
    }
    let detail = serde_json::json!({ "role": user.role, "active": user.active, "display_name": body.display_name.is_some() }).to_string();
    trail
        .log(admin.caller.user_id, "user.updated")
        .on(user.id)
        .detail(detail)
        .await;
    Ok(web::Json(user))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct ResetPassword {
    password: String,
}

async fn reset_password(
    admin: AdminOnly,
    auth: web::Data<AuthService>,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<UserId>,
    body: crate::http::Body<ResetPassword>,
) -> Result<HttpResponse, ApiError> {
    let user = load(store.get_ref(), *path).await?;
    let id = user.id.to_string();
    let auth2 = auth.clone().into_inner();
    let password = body.read().await?.password;
    super::detached(async move { auth2.set_password(user, &password).await }).await?;
    trail
        .log(admin.caller.user_id, "user.password_reset")
        .on(id)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct ChangePassword {
    current_password: String,
    new_password: String,
}

async fn change_own_password(
    caller: StaffCaller,
    auth: web::Data<AuthService>,
    trail: AuditTrail,
    body: crate::http::Body<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let body = body.read().await?;
    let auth2 = auth.clone().into_inner();
    super::detached(async move {
        auth2
            .change_own_password(caller.user_id, &body.current_password, &body.new_password)
            .await
    })
    .await?;
    trail
        .log(caller.user_id, "user.password_changed")
        .on(caller.user_id)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<StaffMember>();
    out.add::<CreateUser>();
    out.add::<UpdateUser>();
    out.add::<ResetPassword>();
    out.add::<ChangePassword>();
}

/// Ends every session of a staff member (an admin acting for them).
async fn log_user_out_everywhere(
    admin: AdminOnly,
    auth: web::Data<AuthService>,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let user = load(store.get_ref(), *path).await?;
    auth.revoke_sessions(user.id).await?;
    trail
        .log(admin.caller.user_id, "user.logged_out_everywhere")
        .on(user.id)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every session of the caller, this one included.
async fn log_out_everywhere(
    caller: StaffCaller,
    auth: web::Data<AuthService>,
    trail: AuditTrail,
) -> Result<HttpResponse, ApiError> {
    let id = caller.user_id;
    auth.revoke_sessions(id).await?;
    trail.log(id, "auth.logged_out_everywhere").on(id).await;
    Ok(HttpResponse::NoContent().finish())
}
