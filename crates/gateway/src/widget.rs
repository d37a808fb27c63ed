//! The widget's REST entry points (customer side).
//!
//! `POST /api/v1/widget/sessions` turns a visitor into a customer with a
//! customer token, either anonymously (a random visitor id the widget keeps)
//! or as an identity the host site vouches for with an HMAC signature.

use actix_web::http::header;
use actix_web::{FromRequest as _, HttpRequest, HttpResponse, web};
use chat_domain::auth::Principal;
use chat_domain::ids::{ConversationId, CustomerId};
use chat_domain::model::{Customer, HistoryQuery, MessageKind};
use chat_domain::ports::ConversationFilter;
use chat_domain::time::now;
use chat_domain::{DomainError, DomainResult};
use hmac::{Hmac, Mac};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

// Its state is `WidgetParts` now that the gateway holds only ports.
use crate::{WidgetParts as Gateway, error_response};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    // A known path called with another method gets the JSON 405 (the
    // server adds `Allow`), not actix's empty one.
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/api/v1/widget/sessions").route(web::post().to(create_session)))
        .service(resource("/api/v1/widget/conversations").route(web::get().to(my_conversations)))
        .service(
            resource("/api/v1/widget/conversations/{id}/messages").route(web::get().to(my_history)),
        )
        .service(resource("/api/v1/widget/conversations/{id}/rating").route(web::post().to(rate)));
}

/// The JSON 405.
pub(crate) async fn method_not_allowed() -> HttpResponse {
    let e = DomainError::invalid("method", "this method is not allowed on this path");
    HttpResponse::MethodNotAllowed().json(e.body(Some("method_not_allowed")))
}

/// Body of `POST /api/v1/widget/sessions`; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// Anonymous: the visitor id this browser was given before.
    pub visitor_id: Option<String>,
    /// Verified: the host site's own user id…
    pub external_id: Option<String>,
    /// …signed: hex HMAC-SHA256 of `external_id` with the widget secret.
    pub signature: Option<String>,
    /// Display name to record for the customer.
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
struct SessionResponse {
    customer_id: CustomerId,
    token: String,
    token_type: &'static str,
    expires_in: i64,
    /// Keep it (e.g. in localStorage) to come back as the same visitor.
    #[serde(skip_serializing_if = "Option::is_none")]
    visitor_id: Option<String>,
}

fn valid_visitor_id(id: &str) -> bool {
    (16..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn new_visitor_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..24)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Checks a host site's signature in constant time.
pub fn verify_signature(secret: &[u8], external_id: &str, signature_hex: &str) -> bool {
    let Ok(expected) = hex::decode(signature_hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(external_id.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

async fn create_session(
    gw: web::Data<Gateway>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // No body at all is an anonymous first visit. A body is read like every
    // other JSON body (the app's `JsonConfig`: its size limit, `application/json`
    // only, the one error body), and must be valid: a misspelled field must
    // not quietly become a new anonymous visitor.
    let req = if announces_body(&req) {
        web::Json::<SessionRequest>::from_request(&req, &mut payload.into_inner())
            .await?
            .into_inner()
    } else {
        SessionRequest::default()
    };
    Ok(match session(&gw, req).await {
        Ok(r) => HttpResponse::Ok().json(r),
        Err(e) => error_response(&e),
    })
}

/// Whether a request says it has a body (a length above zero, or chunks).
fn announces_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

async fn session(gw: &Gateway, req: SessionRequest) -> DomainResult<SessionResponse> {
    let name = req
        .name
        .map(|n| n.trim().chars().take(200).collect::<String>())
        .filter(|n| !n.is_empty());
    let (key, visitor_id) = match (req.external_id, req.signature, req.visitor_id) {
        (Some(ext), Some(sig), None) => {
            let secret = gw.config.widget_secret.as_deref().ok_or_else(|| {
                DomainError::invalid(
                    "signature",
                    "verified identities are not enabled on this server",
                )
            })?;
            if ext.is_empty() || ext.len() > 100 {
                return Err(DomainError::invalid(
                    "external_id",
                    "must be 1 to 100 characters",
                ));
            }
            if !verify_signature(secret, &ext, &sig) {
                return Err(DomainError::Unauthenticated(
                    "signature does not match external_id".into(),
                ));
            }
            (format!("user:{ext}"), None)
        }
        (Some(_), None, _) => {
            return Err(DomainError::invalid(
                "signature",
                "is required with external_id",
            ));
        }
        (None, Some(_), _) | (Some(_), Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "visitor_id",
                "give either visitor_id or external_id with signature",
            ));
        }
        (None, None, Some(v)) => {
            if !valid_visitor_id(&v) {
                return Err(DomainError::invalid(
                    "visitor_id",
                    "must be 16 to 64 letters, digits, - or _",
                ));
            }
            (format!("visitor:{v}"), Some(v))
        }
        (None, None, None) => {
            let v = new_visitor_id();
            (format!("visitor:{v}"), Some(v))
        }
    };
    let store = gw.service.store();
    let customer = match store.customer_by_external_id(&key).await? {
        Some(c) => c,
        None => {
            let at = now();
            let c = Customer::new(Some(key.clone()), name, at);
            match store.create_customer(&c).await {
                Ok(()) => c,
                // Two tabs of one visitor at once: use the one that won.
                Err(DomainError::Conflict(_)) => store
                    .customer_by_external_id(&key)
                    .await?
                    .ok_or(DomainError::NotFound("customer"))?,
                Err(e) => return Err(e),
            }
        }
    };
    let (token, expires_in) = gw.issuer.issue_customer_token(customer.id)?;
    Ok(SessionResponse {
        customer_id: customer.id,
        token,
        token_type: "Bearer",
        expires_in,
        visitor_id,
    })
}

/// The customer behind a bearer customer token.
async fn customer(gw: &Gateway, req: &HttpRequest) -> DomainResult<Principal> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| DomainError::Unauthenticated("missing bearer token".into()))?;
    match gw.verify(token.trim()).await? {
        p @ Principal::Customer { .. } => Ok(p),
        Principal::Staff { .. } => Err(DomainError::Forbidden("customer token required".into())),
    }
}

async fn my_conversations(gw: web::Data<Gateway>, req: HttpRequest) -> HttpResponse {
    let result = async {
        let Principal::Customer { customer_id } = customer(&gw, &req).await? else {
            return Err(DomainError::Forbidden("customer token required".into()));
        };
        gw.service
            .store()
            .list_conversations(&ConversationFilter {
                customer: Some(customer_id),
                limit: 50,
                ..Default::default()
            })
            .await
    }
    .await;
    match result {
        Ok(list) => HttpResponse::Ok().json(serde_json::json!({ "items": list })),
        Err(e) => error_response(&e),
    }
}

#[derive(Deserialize)]
struct HistoryParams {
    #[serde(default)]
    after_seq: i64,
    limit: Option<u32>,
}

async fn my_history(
    gw: web::Data<Gateway>,
    req: HttpRequest,
    path: web::Path<ConversationId>,
    params: web::Query<HistoryParams>,
) -> HttpResponse {
    let result = async {
        let who = customer(&gw, &req).await?;
        gw.service.visible(&who, *path).await?;
        // The same rule as every other list: out of range is refused, not
        // quietly changed.
        let limit = params.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(DomainError::invalid("limit", "must be between 1 and 500"));
        }
        // Page by sequence over the raw history, then drop private notes:
        // filtering first would make pages short (or empty) mid-history.
        let raw = gw
            .service
            .store()
            .history(
                *path,
                HistoryQuery::AfterSeq {
                    after: params.after_seq,
                    limit,
                },
            )
            .await?;
        let next_after_seq = (raw.len() as u32 == limit)
            .then(|| raw.last().map(|m| m.seq))
            .flatten();
        let items: Vec<_> = raw
            .into_iter()
            .filter(|m| m.kind != MessageKind::PrivateNote)
            .collect();
        Ok::<_, DomainError>(
            serde_json::json!({ "items": items, "next_after_seq": next_after_seq }),
        )
    }
    .await;
    match result {
        Ok(page) => HttpResponse::Ok().json(page),
        Err(e) => error_response(&e),
    }
}

/// Body of `POST /api/v1/widget/conversations/{id}/rating`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rating {
    score: i32,
    comment: Option<String>,
}

/// The customer rates their closed conversation (CSAT), once.
async fn rate(
    gw: web::Data<Gateway>,
    req: HttpRequest,
    path: web::Path<ConversationId>,
    body: web::Bytes,
) -> HttpResponse {
    let result = async {
        let who = customer(&gw, &req).await?;
        gw.service.visible(&who, *path).await?;
        let rating: Rating = serde_json::from_slice(&body)
            .map_err(|e| DomainError::invalid("body", format!("invalid JSON: {e}")))?;
        let comment = rating
            .comment
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        gw.service.rate(&who, *path, rating.score, comment).await
    }
    .await;
    match result {
        Ok(conv) => HttpResponse::Ok().json(conv),
        Err(e) => error_response(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_in_constant_time_api() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(b"user-42");
        let sig = hex::encode(mac.finalize().into_bytes());
        assert!(verify_signature(b"secret", "user-42", &sig));
        assert!(!verify_signature(b"secret", "user-43", &sig));
        assert!(!verify_signature(b"other", "user-42", &sig));
        assert!(!verify_signature(b"secret", "user-42", "zz"));
        assert!(valid_visitor_id(&new_visitor_id()));
        assert!(!valid_visitor_id("short"));
        assert!(!valid_visitor_id("has spaces in it, many of them"));
    }
}
