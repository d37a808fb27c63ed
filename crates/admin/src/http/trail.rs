//! The audit log as a route writes it: every audited route needs the log and
//! the client's address together, so one extractor brings both.

use std::future::IntoFuture;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chat_domain::DomainResult;
use chat_domain::ids::UserId;
use futures_util::future::{BoxFuture, Ready, ready};

use crate::audit::{Audit, AuditRecord, Audited};
use crate::http::client_ip::ClientIp;

/// Extractor: the audit log, bound to the request's client address.
#[derive(Clone)]
pub struct AuditTrail {
    audit: Arc<Audit>,
    ip: Option<String>,
}

impl FromRequest for AuditTrail {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let Some(audit) = req.app_data::<web::Data<Audit>>() else {
            // A wiring mistake, not the client's: as actix's own `Data`.
            tracing::error!("the audit log is not configured for {}", req.path());
            return ready(Err(actix_web::error::ErrorInternalServerError(
                "server misconfigured",
            )));
        };
        let audit = audit.clone().into_inner();
        // ClientIp is ready at once and never fails.
        let ip = match ClientIp::from_request(req, payload).into_inner() {
            Ok(ClientIp(ip)) => ip,
            Err(never) => return ready(Err(never)),
        };
        ready(Ok(Self { audit, ip }))
    }
}

impl AuditTrail {
    /// The client's address, `None` when unknown.
    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    /// An entry saying that staff member `actor` did `action`; name what
    /// to with [`Entry::on`], add a detail with [`Entry::detail`], and
    /// `.await` it to write it (best effort, as [`Audit::record`]).
    pub fn log(&self, actor: UserId, action: impl Into<String>) -> Entry<'_> {
        Entry {
            trail: self,
            record: AuditRecord::new(Some(actor), action, None),
        }
    }

    /// Records what `audited` did and hands its result on.
    pub async fn settle<T>(&self, audited: Audited<T>) -> DomainResult<T> {
        self.audit.settle(audited, self.ip()).await
    }
}

/// An audit entry being written: see [`AuditTrail::log`].
#[must_use = "an audit entry is written only when awaited"]
pub struct Entry<'a> {
    trail: &'a AuditTrail,
    record: AuditRecord,
}

impl Entry<'_> {
    /// What was acted on (an id).
    pub fn on(mut self, target: impl ToString) -> Self {
        self.record.target = Some(target.to_string());
        self
    }

    /// How, in a few words or a small JSON object.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.record.reason = Some(detail.into());
        self
    }
}

impl<'a> IntoFuture for Entry<'a> {
    type Output = ();
    type IntoFuture = BoxFuture<'a, ()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.trail.audit.record(self.record, self.trail.ip()))
    }
}
