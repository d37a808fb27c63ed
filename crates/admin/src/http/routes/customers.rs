//! Customers in the back office: list and search, detail with their
//! conversations, profile edits (all staff), export (supervisors and admins),
//! erasure and key rotation (admins).
//!
//! Agents see the customers of the conversations they may see
//! (`access::customer_scope`); any other customer is a 404 for them, as
//! other people's conversations are. Audit entries name the fields changed,
//! never their values: the audit log holds no personal data.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chat_domain::DomainError;
use chat_domain::access;
use chat_domain::ids::{ConversationId, CustomerId};
use chat_domain::model::{
    Conversation, Customer, CustomerPatch, HistoryQuery, Message, normalize_customer_name,
    normalize_email, normalize_notes, normalize_phone, normalize_tags,
};
use chat_domain::ports::{CustomerFilter, Store};
use chat_domain::time::{Timestamp, now};
use serde::{Deserialize, Deserializer, Serialize};

use super::conversations::principal;
use super::paging;
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::{AdminOnly, StaffCaller, SupervisorUp};
use crate::http::trail::AuditTrail;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    // `reencrypt` before `{id}`: resources match in registration order.
    cfg.service(resource("/customers").route(web::get().to(list)))
        .service(resource("/customers/reencrypt").route(web::post().to(reencrypt)))
        .service(
            resource("/customers/{id}")
                .route(web::get().to(detail))
                .route(web::patch().to(update)),
        )
        .service(resource("/customers/{id}/conversations").route(web::get().to(conversations)))
        .service(resource("/customers/{id}/export").route(web::get().to(export)))
        .service(resource("/customers/{id}/erase").route(web::post().to(erase)));
}

/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Conversations shown with a customer's detail (more through the
/// conversations sub-resource).
const DETAIL_CONVERSATIONS: u32 = 20;

/// Query of `GET /customers`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Search: an exact e-mail or phone number, else part of the name; an
    /// exact external id matches in every case.
    q: Option<String>,
    /// Cursor: the `next_after` of the previous page.
    after: Option<CustomerId>,
    /// Page size, 1–200 (default 50).
    limit: Option<u32>,
}

async fn list(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<paging::Page<Customer, CustomerId>>, ApiError> {
    let limit = paging::limit(query.limit, 50, 200)?;
    let q = query.into_inner();
    if q.q
        .as_ref()
        .is_some_and(|s| s.is_empty() || s.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(DomainError::invalid("q", "must be 1 to 200 characters").into());
    }
    let items = store
        .list_customers(&CustomerFilter {
            query: q.q,
            visible_to_agent: access::customer_scope(&principal(&caller))?,
            after: q.after,
            limit,
            id: None,
        })
        .await?;
    let next_after = paging::next(&items, limit, |c| c.id);
    Ok(web::Json(paging::Page { items, next_after }))
}

/// The customer, if `caller` may see them; 404 otherwise (existing or not).
async fn visible(
    store: &dyn Store,
    caller: &StaffCaller,
    id: CustomerId,
) -> Result<Customer, ApiError> {
    let customer = store
        .customer_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("customer"))?;
    if let Some(agent) = access::customer_scope(&principal(caller))? {
        let seen = store
            .list_customers(&CustomerFilter {
                id: Some(id),
                visible_to_agent: Some(agent),
                limit: 1,
                ..CustomerFilter::default()
            })
            .await?;
        if seen.is_empty() {
            return Err(DomainError::NotFound("customer").into());
        }
    }
    Ok(customer)
}

/// A page of a customer's conversations, newest first. Agents get only the
/// conversations they may see, so a page may be short: follow
/// `next_before` until it is `null`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CustomerConversationPage)]
struct ConversationPage {
    /// The conversations.
    items: Vec<Conversation>,
    /// Pass as `before` for the next (older) page; `null` at the end.
    next_before: Option<ConversationId>,
}

async fn conversation_page(
    store: &dyn Store,
    caller: &StaffCaller,
    id: CustomerId,
    before: Option<ConversationId>,
    limit: u32,
) -> Result<ConversationPage, ApiError> {
    let mut items = store.conversations_of_customer(id, before, limit).await?;
    // The cursor comes from the unfiltered page, so nothing is skipped.
    let next_before = paging::next(&items, limit, |c| c.id);
    let who = principal(caller);
    items.retain(|c| access::can_view(&who, c));
    Ok(ConversationPage { items, next_before })
}

/// `GET /customers/{id}`: the profile and the newest conversations.
#[derive(Serialize, utoipa::ToSchema)]
struct CustomerDetail {
    /// The profile (contact details decrypted).
    customer: Customer,
    /// The newest conversations (at most 20), newest first.
    conversations: Vec<Conversation>,
    /// When there are more: pass as `before` to
    /// `GET /customers/{id}/conversations`; `null` otherwise.
    next_before: Option<ConversationId>,
}

async fn detail(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    path: web::Path<CustomerId>,
) -> Result<web::Json<CustomerDetail>, ApiError> {
    let customer = visible(store.get_ref(), &caller, *path).await?;
    let page =
        conversation_page(store.get_ref(), &caller, *path, None, DETAIL_CONVERSATIONS).await?;
    Ok(web::Json(CustomerDetail {
        customer,
        conversations: page.items,
        next_before: page.next_before,
    }))
}

/// Query of `GET /customers/{id}/conversations`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationsQuery {
    /// Cursor: the `next_before` of the previous page.
    before: Option<ConversationId>,
    /// Page size, 1–200 (default 50).
    limit: Option<u32>,
}

async fn conversations(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    path: web::Path<CustomerId>,
    query: web::Query<ConversationsQuery>,
) -> Result<web::Json<ConversationPage>, ApiError> {
    let limit = paging::limit(query.limit, 50, 200)?;
    visible(store.get_ref(), &caller, *path).await?;
    Ok(web::Json(
        conversation_page(store.get_ref(), &caller, *path, query.before, limit).await?,
    ))
}

/// Tells a field sent as `null` (`Some(None)`: clear it) from a field not
/// sent (`None`: leave it).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Body of `PATCH /customers/{id}`: only the fields sent change; `null` or
/// an empty string clears a field.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct UpdateCustomer {
    /// Display name, at most 200 characters.
    #[serde(default, deserialize_with = "present")]
    name: Option<Option<String>>,
    /// E-mail address (stored lowercase, encrypted).
    #[serde(default, deserialize_with = "present")]
    email: Option<Option<String>>,
    /// Phone number: 6–15 digits, optional leading `+`, spaces, dashes,
    /// dots, parentheses (stored as digits, encrypted).
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
    /// Tags, replacing the old ones: at most 20, each 1–50 characters
    /// (`null` clears them, as `[]` does).
    #[serde(default, deserialize_with = "present")]
    tags: Option<Option<Vec<String>>>,
    /// Staff notes, at most 2000 characters (encrypted).
    #[serde(default, deserialize_with = "present")]
    notes: Option<Option<String>>,
}

/// A text field of a patch: `None` untouched, `Some(None)` cleared (null or
/// blank), `Some(Some(v))` normalized by `norm`.
fn field(
    raw: Option<Option<String>>,
    norm: impl Fn(&str) -> Result<Option<String>, DomainError>,
) -> Result<Option<Option<String>>, DomainError> {
    raw.map(|v| match v {
        Some(s) if !s.trim().is_empty() => norm(&s),
        _ => Ok(None),
    })
    .transpose()
}

impl UpdateCustomer {
    fn into_patch(self) -> Result<CustomerPatch, DomainError> {
        let patch = CustomerPatch {
            name: field(self.name, normalize_customer_name)?,
            email: field(self.email, |s| normalize_email(s).map(Some))?,
            phone: field(self.phone, |s| normalize_phone(s).map(Some))?,
            tags: self
                .tags
                .map(|t| normalize_tags(&t.unwrap_or_default()))
                .transpose()?,
            notes: field(self.notes, normalize_notes)?,
            prechat: None,
        };
        if patch.fields().is_empty() {
            return Err(DomainError::invalid(
                "body",
                "give at least one of name, email, phone, tags, notes",
            ));
        }
        Ok(patch)
    }
}

async fn update(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<CustomerId>,
    body: crate::http::Body<UpdateCustomer>,
) -> Result<web::Json<Customer>, ApiError> {
    visible(store.get_ref(), &caller, *path).await?;
    let patch = body.read().await?.into_patch()?;
    let customer = store.update_customer(*path, &patch, now()).await?;
    let detail = serde_json::json!({ "fields": patch.fields() }).to_string();
    trail
        .log(caller.user_id, "customer.updated")
        .on(*path)
        .detail(detail)
        .await;
    Ok(web::Json(customer))
}

/// `GET /customers/{id}/export`: everything stored about a customer.
#[derive(Serialize, utoipa::ToSchema)]
struct CustomerExport {
    /// When the export was made (UTC).
    #[serde(with = "chat_domain::time::utc")]
    #[schema(value_type = String, format = DateTime)]
    exported_at: Timestamp,
    /// The profile, contact details decrypted.
    customer: Customer,
    /// Every conversation, newest first, each with its rating and messages.
    conversations: Vec<ExportedConversation>,
}

/// One conversation in an export.
#[derive(Serialize, utoipa::ToSchema)]
struct ExportedConversation {
    /// The conversation (state, timings, labels, rating and its comment).
    #[serde(flatten)]
    conversation: Conversation,
    /// Every message, private notes included, in order.
    messages: Vec<Message>,
}

/// Page sizes used to walk a customer's whole history.
const EXPORT_CONVERSATION_PAGE: u32 = 200;
const EXPORT_MESSAGE_PAGE: u32 = 500;

async fn export(
    guard: SupervisorUp,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<CustomerId>,
) -> Result<HttpResponse, ApiError> {
    let id = *path;
    let customer = store
        .customer_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("customer"))?;
    let mut conversations = Vec::new();
    let mut before = None;
    let mut message_count = 0usize;
    loop {
        let page = store
            .conversations_of_customer(id, before, EXPORT_CONVERSATION_PAGE)
            .await?;
        before = paging::next(&page, EXPORT_CONVERSATION_PAGE, |c| c.id);
        for conversation in page {
            let mut messages = Vec::new();
            let mut after = 0;
            loop {
                let batch = store
                    .history(
                        conversation.id,
                        HistoryQuery::AfterSeq {
                            after,
                            limit: EXPORT_MESSAGE_PAGE,
                        },
                    )
                    .await?;
                let full = batch.len() == EXPORT_MESSAGE_PAGE as usize;
                after = batch.last().map_or(after, |m| m.seq);
                messages.extend(batch);
                if !full {
                    break;
                }
            }
            message_count += messages.len();
            conversations.push(ExportedConversation {
                conversation,
                messages,
            });
        }
        if before.is_none() {
            break;
        }
    }
    let detail = serde_json::json!({
        "conversations": conversations.len(),
        "messages": message_count,
    })
    .to_string();
    trail
        .log(guard.caller.user_id, "customer.exported")
        .on(id)
        .detail(detail)
        .await;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"customer-{id}.json\""),
        ))
        .json(CustomerExport {
            exported_at: now(),
            customer,
            conversations,
        }))
}

async fn erase(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    files: web::Data<crate::attachments::Attachments>,
    trail: AuditTrail,
    path: web::Path<CustomerId>,
) -> Result<web::Json<Customer>, ApiError> {
    let id = *path;
    let store = store.into_inner();
    // Detached: an erasure is one transaction, but its audit entry must not
    // be lost to a client hanging up in between.
    let files = files.into_inner();
    // Their files go too (every time: a retry finishes an interrupted one).
    let (customer, erased_now, files_deleted) = super::detached(async move {
        let (customer, erased_now) = store.erase_customer(id, now()).await?;
        let files_deleted = files.erase_customer(id).await?;
        Ok((customer, erased_now, files_deleted))
    })
    .await?;
    let detail =
        serde_json::json!({ "already_erased": !erased_now, "files_deleted": files_deleted })
            .to_string();
    trail
        .log(admin.caller.user_id, "customer.erased")
        .on(id)
        .detail(detail)
        .await;
    Ok(web::Json(customer))
}

/// Answer of `POST /customers/reencrypt`.
#[derive(Serialize, utoipa::ToSchema)]
struct ReencryptReport {
    /// Customers looked at.
    scanned: u64,
    /// Customers whose encrypted fields or search hashes were rewritten.
    rewritten: u64,
}

/// Customers per re-encryption batch (one transaction each).
const REKEY_BATCH: u32 = 200;

/// `POST /customers/reencrypt`: rewrites every customer's encrypted fields
/// under the first key of `CHAT_DATA_KEYS` and recomputes the search hashes
/// with `CHAT_DATA_HASH_KEY`. Idempotent: run it again after a failure.
async fn reencrypt(
    admin: AdminOnly,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
) -> Result<web::Json<ReencryptReport>, ApiError> {
    let store = store.into_inner();
    let report = super::detached(async move {
        let mut report = ReencryptReport {
            scanned: 0,
            rewritten: 0,
        };
        let mut after = None;
        loop {
            let batch = store.rekey_customers(after, REKEY_BATCH).await?;
            report.scanned += u64::from(batch.scanned);
            report.rewritten += u64::from(batch.rewritten);
            after = batch.last;
            if batch.scanned < REKEY_BATCH {
                return Ok(report);
            }
        }
    })
    .await?;
    let detail =
        serde_json::json!({ "scanned": report.scanned, "rewritten": report.rewritten }).to_string();
    trail
        .log(admin.caller.user_id, "customer.reencrypted")
        .detail(detail)
        .await;
    Ok(web::Json(report))
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<chat_domain::model::Customer>();
    out.add::<ConversationPage>();
    out.add::<CustomerDetail>();
    out.add::<UpdateCustomer>();
    out.add::<CustomerExport>();
    out.add::<ExportedConversation>();
    out.add::<ReencryptReport>();
}
