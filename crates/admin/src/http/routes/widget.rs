//! The widget's REST routes (customer side).
//!
//! `POST /api/v1/widget/sessions` turns a visitor into a customer with a
//! customer token, either anonymously (a random visitor id the widget keeps)
//! or as an identity the host site vouches for with an HMAC signature. The
//! other routes serve the customer their own conversations: the list, the
//! history without private notes, and the rating of a closed one.

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use chat_domain::access;
use chat_domain::ids::{ConversationId, CustomerId};
use chat_domain::model::{Conversation, Customer, HistoryQuery, Message, MessageKind};
use chat_domain::ports::{ConversationCommands, ConversationFilter, Store};
use chat_domain::time::now;
use chat_domain::{DomainError, DomainResult};
use hmac::{Hmac, Mac};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::AuthService;
use crate::http::Body;
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::CustomerCaller;

/// Settings of the widget routes.
#[derive(Clone, Debug, Default)]
pub struct WidgetConfig {
    /// Secret with which host sites sign verified customer identities;
    /// `None`: only anonymous visitors.
    pub secret: Option<Vec<u8>>,
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/widget/sessions").route(web::post().to(create_session)))
        .service(resource("/widget/conversations").route(web::get().to(my_conversations)))
        .service(resource("/widget/conversations/{id}/messages").route(web::get().to(my_history)))
        .service(resource("/widget/conversations/{id}/rating").route(web::post().to(rate)));
}

pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<SessionRequest>();
    out.add::<SessionResponse>();
    out.add::<Rating>();
}

/// Body of `POST /api/v1/widget/sessions`; every field optional.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WidgetSessionRequest)]
pub struct SessionRequest {
    /// Anonymous: the visitor id this browser was given before.
    pub visitor_id: Option<String>,
    /// Verified: the host site's own user id (with `signature`).
    pub external_id: Option<String>,
    /// Hex HMAC-SHA256 of `external_id` with the widget secret.
    pub signature: Option<String>,
    /// Display name to record for the customer.
    pub name: Option<String>,
}

/// A customer token for `/ws` and the widget routes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WidgetSession)]
struct SessionResponse {
    /// The customer.
    customer_id: CustomerId,
    /// Customer token for `/ws` and the widget routes.
    token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds until the token expires.
    expires_in: i64,
    /// Keep it (e.g. in localStorage) to come back as the same visitor
    /// (anonymous sessions only).
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

/// Checks a host site's signature (hex HMAC-SHA256 of `external_id` with
/// `secret`) in constant time.
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

/// Whether a request says it has a body (a length above zero, or chunks).
fn announces_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

async fn create_session(
    req: HttpRequest,
    body: Body<SessionRequest>,
    store: web::Data<dyn Store>,
    auth: web::Data<AuthService>,
    config: web::Data<WidgetConfig>,
) -> Result<web::Json<SessionResponse>, ApiError> {
    // No body at all is an anonymous first visit. A body is read like every
    // other JSON body (its size limit, `application/json` only, the one
    // error body), and must be valid: a misspelled field must not quietly
    // become a new anonymous visitor.
    let asked = if announces_body(&req) {
        body.read().await?
    } else {
        SessionRequest::default()
    };
    Ok(web::Json(
        session(store.as_ref(), &auth, &config, asked).await?,
    ))
}

/// The customer key a session request names, and the visitor id to hand
/// back (anonymous sessions).
fn customer_key(
    config: &WidgetConfig,
    asked: SessionRequest,
) -> DomainResult<(String, Option<String>)> {
    match (asked.external_id, asked.signature, asked.visitor_id) {
        (Some(ext), Some(sig), None) => {
            let secret = config.secret.as_deref().ok_or_else(|| {
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
            Ok((format!("user:{ext}"), None))
        }
        (Some(_), None, _) => Err(DomainError::invalid(
            "signature",
            "is required with external_id",
        )),
        (None, Some(_), _) | (Some(_), Some(_), Some(_)) => Err(DomainError::invalid(
            "visitor_id",
            "give either visitor_id or external_id with signature",
        )),
        (None, None, Some(v)) => {
            if !valid_visitor_id(&v) {
                return Err(DomainError::invalid(
                    "visitor_id",
                    "must be 16 to 64 letters, digits, - or _",
                ));
            }
            Ok((format!("visitor:{v}"), Some(v)))
        }
        (None, None, None) => {
            let v = new_visitor_id();
            Ok((format!("visitor:{v}"), Some(v)))
        }
    }
}

async fn session(
    store: &dyn Store,
    auth: &AuthService,
    config: &WidgetConfig,
    mut asked: SessionRequest,
) -> DomainResult<SessionResponse> {
    let name = asked
        .name
        .take()
        .map(|n| n.trim().chars().take(200).collect::<String>())
        .filter(|n| !n.is_empty());
    let (key, visitor_id) = customer_key(config, asked)?;
    let customer = match store.customer_by_external_id(&key).await? {
        Some(c) => c,
        None => {
            let c = Customer::new(Some(key.clone()), name, now());
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
    let (token, expires_in) = auth.issue_customer_token(customer.id)?;
    Ok(SessionResponse {
        customer_id: customer.id,
        token,
        token_type: "Bearer",
        expires_in,
        visitor_id,
    })
}

#[derive(Serialize)]
struct Conversations {
    items: Vec<Conversation>,
}

async fn my_conversations(
    caller: CustomerCaller,
    store: web::Data<dyn Store>,
) -> Result<web::Json<Conversations>, ApiError> {
    let items = store
        .list_conversations(&ConversationFilter {
            customer: Some(caller.customer_id),
            limit: 50,
            ..Default::default()
        })
        .await?;
    Ok(web::Json(Conversations { items }))
}

/// The conversation, if the customer may see it (404 otherwise).
async fn visible(
    store: &dyn Store,
    caller: CustomerCaller,
    id: ConversationId,
) -> Result<Conversation, ApiError> {
    let conv = store
        .conversation_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("conversation"))?;
    access::ensure_view(&caller.principal(), &conv)?;
    Ok(conv)
}

#[derive(Deserialize)]
struct HistoryParams {
    #[serde(default)]
    after_seq: i64,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct History {
    items: Vec<Message>,
    next_after_seq: Option<i64>,
}

async fn my_history(
    caller: CustomerCaller,
    store: web::Data<dyn Store>,
    path: web::Path<ConversationId>,
    params: web::Query<HistoryParams>,
) -> Result<web::Json<History>, ApiError> {
    let id = path.into_inner();
    visible(store.as_ref(), caller, id).await?;
    let limit = super::paging::limit(params.limit, 100, 500)?;
    // Page by sequence over the raw history, then drop private notes:
    // filtering first would make pages short (or empty) mid-history.
    let raw = store
        .history(
            id,
            HistoryQuery::AfterSeq {
                after: params.after_seq,
                limit,
            },
        )
        .await?;
    let next_after_seq = super::paging::next(&raw, limit, |m| m.seq);
    let items = raw
        .into_iter()
        .filter(|m| m.kind != MessageKind::PrivateNote)
        .collect();
    Ok(web::Json(History {
        items,
        next_after_seq,
    }))
}

/// Body of `POST /api/v1/widget/conversations/{id}/rating`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WidgetRating)]
struct Rating {
    /// 1 (bad) to 5 (good).
    #[schema(minimum = 1, maximum = 5)]
    score: i32,
    /// Optional, at most 1000 characters.
    comment: Option<String>,
}

/// The customer rates their closed conversation (CSAT), once.
async fn rate(
    caller: CustomerCaller,
    store: web::Data<dyn Store>,
    commands: web::Data<dyn ConversationCommands>,
    path: web::Path<ConversationId>,
    body: Body<Rating>,
) -> Result<web::Json<Conversation>, ApiError> {
    let id = path.into_inner();
    // Whether the conversation is theirs is answered before the body is
    // read: a stranger learns nothing from a validation error.
    visible(store.as_ref(), caller, id).await?;
    let rating = body.read().await?;
    let comment = rating
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let conv = commands
        .rate(&caller.principal(), id, rating.score, comment)
        .await?;
    Ok(web::Json(conv))
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
