//! Authentication and role checks as extractors: a handler that takes a
//! [`StaffCaller`] or an [`AdminOnly`] cannot run for the wrong caller, and
//! the check cannot be forgotten inside the handler.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use chat_domain::DomainError;
use chat_domain::auth::{Principal, SessionCheck, TokenVerifier};
use chat_domain::ids::{CustomerId, UserId};
use chat_domain::model::Role;
use chat_domain::ports::Store;
use futures_util::future::LocalBoxFuture;

use super::error::ApiError;

/// Any authenticated caller, staff or customer, checked as
/// [`StaffCaller`] and [`CustomerCaller`] check theirs: a staff token
/// passes the revocation check ([`SessionCheck`]) and the database's
/// active flag, and carries the member's current role; a customer token
/// stops working once the customer is erased.
#[derive(Clone, Debug)]
pub struct Caller(pub Principal);

/// The caller and when their token was issued (unix milliseconds).
fn authenticate_issued(req: &HttpRequest) -> Result<(Principal, i64), ApiError> {
    let verifier = req
        .app_data::<web::Data<dyn TokenVerifier>>()
        .ok_or_else(|| DomainError::Internal("no TokenVerifier registered".into()))?;
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| DomainError::Unauthenticated("missing bearer token".into()))?;
    Ok(verifier.verify_issued(token)?)
}

impl Caller {
    async fn check(checks: Checks, token: Principal, issued_at_ms: i64) -> Result<Self, ApiError> {
        Ok(Caller(match token {
            Principal::Staff { user_id, .. } => {
                checks.staff(user_id, issued_at_ms).await?.principal()
            }
            Principal::Customer { customer_id } => checks.customer(customer_id).await?.principal(),
        }))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        checked(req, Self::check)
    }
}

/// What every extractor here starts from: the bearer token's caller and
/// when the token was issued, handed to `check` with what to check them
/// against (taken from the app data before the request is given up).
fn checked<T, F>(
    req: &HttpRequest,
    check: impl FnOnce(Checks, Principal, i64) -> F + 'static,
) -> LocalBoxFuture<'static, Result<T, ApiError>>
where
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    let token = authenticate_issued(req);
    let checks = Checks::of(req);
    Box::pin(async move {
        let (principal, issued_at_ms) = token?;
        check(checks, principal, issued_at_ms).await
    })
}

/// What the extractors check a token against, taken from the app data
/// before the request is given up.
struct Checks {
    store: Option<web::Data<dyn Store>>,
    sessions: Option<web::Data<dyn SessionCheck>>,
}

impl Checks {
    fn of(req: &HttpRequest) -> Self {
        Self {
            store: req.app_data::<web::Data<dyn Store>>().cloned(),
            sessions: req.app_data::<web::Data<dyn SessionCheck>>().cloned(),
        }
    }

    fn store(&self) -> Result<&dyn Store, ApiError> {
        Ok(self
            .store
            .as_ref()
            .map(|s| s.get_ref())
            .ok_or_else(|| DomainError::Internal("no Store registered".into()))?)
    }

    /// A staff token still good: not revoked since it was issued, the
    /// account active; with the role the database holds now.
    async fn staff(&self, user_id: UserId, issued_at_ms: i64) -> Result<StaffCaller, ApiError> {
        let store = self.store()?;
        let sessions = self
            .sessions
            .as_ref()
            .map(|s| s.get_ref())
            .ok_or_else(|| DomainError::Internal("no SessionCheck registered".into()))?;
        sessions.ensure_current(user_id, issued_at_ms).await?;
        match store.user_by_id(user_id).await? {
            Some(u) if u.active => Ok(StaffCaller {
                user_id,
                role: u.role,
            }),
            _ => Err(DomainError::Unauthenticated("account is no longer active".into()).into()),
        }
    }

    /// A customer token whose customer is still there (not erased).
    async fn customer(&self, customer_id: CustomerId) -> Result<CustomerCaller, ApiError> {
        match self.store()?.customer_by_id(customer_id).await? {
            Some(c) if c.erased_at.is_none() => Ok(CustomerCaller { customer_id }),
            _ => Err(DomainError::Unauthenticated(
                "this customer session is no longer valid".into(),
            )
            .into()),
        }
    }
}

/// A staff member (any role), checked against the database on every
/// request: a deactivated account is refused at once (401) and a role change
/// applies at once, whatever the access token still says; so is a token
/// issued before the user's sessions were revoked (password change, "log out
/// everywhere", on any node: [`SessionCheck`]). Customers get 403.
#[derive(Clone, Copy, Debug)]
pub struct StaffCaller {
    /// Who.
    pub user_id: UserId,
    /// Their current role.
    pub role: Role,
}

impl StaffCaller {
    /// The caller as the domain's access rules see it.
    pub fn principal(self) -> Principal {
        Principal::Staff {
            user_id: self.user_id,
            role: self.role,
        }
    }

    async fn check(checks: Checks, token: Principal, issued_at_ms: i64) -> Result<Self, ApiError> {
        match token {
            Principal::Staff { user_id, .. } => checks.staff(user_id, issued_at_ms).await,
            Principal::Customer { .. } => Err(DomainError::Forbidden("staff only".into()).into()),
        }
    }
}

impl FromRequest for StaffCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        checked(req, Self::check)
    }
}

/// A customer (widget token), checked against the database on every
/// request: an erased customer's tokens stop working at once (401), so
/// nothing new attaches to the record. Staff tokens get 403.
#[derive(Clone, Copy, Debug)]
pub struct CustomerCaller {
    /// Who.
    pub customer_id: CustomerId,
}

impl CustomerCaller {
    /// The caller as the domain's access rules see it.
    pub fn principal(self) -> Principal {
        Principal::Customer {
            customer_id: self.customer_id,
        }
    }

    async fn check(checks: Checks, token: Principal, _: i64) -> Result<Self, ApiError> {
        match token {
            Principal::Customer { customer_id } => checks.customer(customer_id).await,
            Principal::Staff { .. } => {
                Err(DomainError::Forbidden("customer token required".into()).into())
            }
        }
    }
}

impl FromRequest for CustomerCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        checked(req, Self::check)
    }
}

/// The least role a [`RoleGuard`] admits.
pub trait MinRole {
    /// The least role.
    const ROLE: Role;
}

/// Marker: admins only.
#[derive(Debug)]
pub struct Admin;
impl MinRole for Admin {
    const ROLE: Role = Role::Admin;
}

/// Marker: supervisors and admins.
#[derive(Debug)]
pub struct Supervisor;
impl MinRole for Supervisor {
    const ROLE: Role = Role::Supervisor;
}

/// A staff member whose role is at least `R::ROLE`; others get 403.
#[derive(Debug)]
pub struct RoleGuard<R: MinRole> {
    /// The caller.
    pub caller: StaffCaller,
    _role: PhantomData<R>,
}

/// Admins only.
pub type AdminOnly = RoleGuard<Admin>;
/// Supervisors and admins.
pub type SupervisorUp = RoleGuard<Supervisor>;

impl<R: MinRole> FromRequest for RoleGuard<R> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let staff = StaffCaller::from_request(req, payload);
        Box::pin(async move {
            let staff = staff.await?;
            if staff.role.at_least(R::ROLE) {
                Ok(RoleGuard {
                    caller: staff,
                    _role: PhantomData,
                })
            } else {
                Err(DomainError::Forbidden(format!("requires the {} role", R::ROLE)).into())
            }
        })
    }
}
