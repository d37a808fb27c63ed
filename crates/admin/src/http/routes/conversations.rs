//! Staff REST over conversations: what the socket cannot do alone (lists,
//! paged history). Visibility follows `chat_domain::access`: agents see the
//! queue, the assistant's conversations and their own; supervisors and
//! admins see all. A conversation the caller may not see is a 404.

use actix_web::web;
use chat_domain::DomainError;
use chat_domain::access;
use chat_domain::auth::Principal;
use chat_domain::ids::ConversationId;
use chat_domain::model::{Conversation, ConversationState, HistoryQuery, Message, Role};
use chat_domain::ports::{ConversationCommands, ConversationFilter, ListCursor, Store};
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::StaffCaller;
use crate::http::trail::AuditTrail;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/conversations").route(web::get().to(list)))
        .service(resource("/inbox/summaries").route(web::get().to(summaries)))
        .service(resource("/conversations/{id}").route(web::get().to(detail)))
        .service(resource("/conversations/{id}/read").route(web::put().to(mark_read)))
        .service(resource("/conversations/{id}/messages").route(web::get().to(messages)))
        .service(resource("/conversations/{id}/notes").route(web::post().to(note)))
        .service(resource("/conversations/{id}/labels").route(web::put().to(labels)))
        .service(
            resource("/conversations/{id}/snooze")
                .route(web::post().to(snooze))
                .route(web::delete().to(unsnooze)),
        )
        .service(resource("/conversations/{id}/{action}").route(web::post().to(act)));
}

#[derive(Deserialize)]
struct ListQuery {
    /// `bot`, `queued`, `human` or `closed`.
    state: Option<ConversationState>,
    /// `me` for the caller's own conversations.
    assignee: Option<String>,
    /// Only conversations with this label.
    label: Option<String>,
    /// Only this customer's.
    customer_id: Option<chat_domain::ids::CustomerId>,
    /// Created at or after (RFC 3339).
    from: Option<String>,
    /// Created before (RFC 3339).
    to: Option<String>,
    /// Only conversations with a message or note containing this text.
    q: Option<String>,
    /// `true`: only snoozed ones; `false`: hide snoozed ones.
    snoozed: Option<bool>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// A page of conversations; pass `next_cursor` as `cursor` for the next one
/// (`null` at the end).
#[derive(Serialize, utoipa::ToSchema)]
struct ConversationPage {
    items: Vec<Conversation>,
    next_cursor: Option<String>,
}

/// Cursors are opaque to clients: `<sort key in µs, 16 digits>.<id>`, 53
/// characters, the shape the OpenAPI document states (its `pattern`), so
/// that a cursor the server would refuse is one the document calls
/// invalid. 16 digits hold every time from 2001-09-09 to 2286-11-20.
pub(crate) const CURSOR_PATTERN: &str =
    r"^[0-9]{16}\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// A cursor's length: 16 digits, a dot and a hyphenated UUID.
pub(crate) const CURSOR_LEN: usize = 16 + 1 + 36;

fn encode_cursor(c: &ListCursor) -> String {
    format!("{:016}.{}", c.key.and_utc().timestamp_micros(), c.id)
}

fn decode_cursor(raw: &str) -> Result<ListCursor, ApiError> {
    let bad = || DomainError::invalid("cursor", "must be a next_cursor this API returned");
    let (micros, id) = raw.split_once('.').ok_or_else(bad)?;
    // The hyphenated form only (36 characters): `Uuid::parse_str` would
    // also take the simple, braced and URN forms the pattern refuses.
    if raw.len() != CURSOR_LEN || micros.len() != 16 || !micros.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad().into());
    }
    let key = micros
        .parse::<i64>()
        .ok()
        .and_then(chrono::DateTime::from_timestamp_micros)
        .ok_or_else(bad)?
        .naive_utc();
    let id = id.parse().map_err(|_| bad())?;
    Ok(ListCursor { key, id })
}

pub(crate) fn principal(caller: &StaffCaller) -> Principal {
    Principal::Staff {
        user_id: caller.user_id,
        role: caller.role,
    }
}

/// Whitespace as ECMAScript's `\s` (the regex dialect of JSON Schema's
/// `pattern`) defines it.
fn ecma_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

async fn list(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<ConversationPage>, ApiError> {
    let limit = super::paging::limit(query.limit, 50, 200)?;
    let text = match query.q.as_deref() {
        None => None,
        // Counted as sent and blank judged by the document's own `\S`
        // (ECMAScript's whitespace, not Rust's: U+0085 is not blank there),
        // so that the server and the OpenAPI schema agree on every string.
        // One character is a real search in Chinese (退, 慢).
        Some(q) if q.chars().count() > 200 => {
            return Err(DomainError::invalid("q", "must be 1 to 200 characters").into());
        }
        Some(q) if q.chars().all(ecma_space) => {
            return Err(DomainError::invalid("q", "must not be blank").into());
        }
        Some(q) => Some(q.trim_matches(ecma_space).to_owned()),
    };
    // An empty label is a mistake (no conversation has one), not "any".
    if query.label.as_deref() == Some("") {
        return Err(DomainError::invalid("label", "must not be empty").into());
    }
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let assignee = match query.assignee.as_deref() {
        None => None,
        Some("me") => Some(caller.user_id),
        Some(other) => {
            let id = other.parse()?;
            if id != caller.user_id && !caller.role.at_least(Role::Supervisor) {
                return Err(DomainError::Forbidden(
                    "agents can list only their own conversations".into(),
                )
                .into());
            }
            Some(id)
        }
    };
    let queue_order = query.state == Some(ConversationState::Queued);
    let items = store
        .list_conversations(&ConversationFilter {
            state: query.state,
            assignee,
            open_only: query.state.is_none()
                && assignee.is_none()
                && query.label.is_none()
                && query.customer_id.is_none()
                && text.is_none(),
            label: query.label.clone(),
            customer: query.customer_id,
            created_from: super::instant("from", query.from.as_deref())?,
            created_to: super::instant("to", query.to.as_deref())?,
            visible_to_agent: (!caller.role.at_least(Role::Supervisor)).then_some(caller.user_id),
            snoozed: query.snoozed,
            snooze_now: Some(chat_domain::time::now()),
            text,
            after,
            limit,
            ..Default::default()
        })
        .await?;
    let next_cursor = super::paging::next(&items, limit, |c| {
        encode_cursor(&ListCursor {
            key: if queue_order {
                c.queued_at.unwrap_or(c.times.updated_at)
            } else {
                c.times.updated_at
            },
            id: c.id,
        })
    });
    Ok(web::Json(ConversationPage { items, next_cursor }))
}

async fn visible(
    store: &dyn Store,
    caller: &StaffCaller,
    id: ConversationId,
) -> Result<Conversation, ApiError> {
    let conv = store
        .conversation_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("conversation"))?;
    access::ensure_view(&principal(caller), &conv)?;
    Ok(conv)
}

/// Most conversations one summaries request may name.
const MAX_SUMMARIES: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SummariesQuery {
    /// Conversation ids, comma-separated.
    ids: String,
}

/// The caller's inbox view of these conversations (unread count from their
/// read position, last message, waiting time, customer name). Ids the
/// caller may not see are left out, as are unknown ones.
async fn summaries(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    query: web::Query<SummariesQuery>,
) -> Result<web::Json<Items<chat_domain::model::ConversationSummary>>, ApiError> {
    // The parameter is required: an empty one is a mistake, not "none".
    if query.ids.is_empty() {
        return Err(DomainError::invalid("ids", "must name at least one conversation").into());
    }
    let ids: Vec<ConversationId> = query
        .ids
        .split(',')
        // An empty item (`a,,b`) is a mistake as much as a malformed id.
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| DomainError::invalid("ids", "must be conversation ids separated by commas"))?;
    if ids.len() > MAX_SUMMARIES {
        return Err(DomainError::invalid("ids", "at most 200 ids").into());
    }
    let who = principal(&caller);
    let mut shown = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(conv) = store.conversation_by_id(id).await?
            && access::can_view(&who, &conv)
        {
            shown.push(id);
        }
    }
    Ok(web::Json(Items {
        items: store.summaries(caller.user_id, &shown).await?,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct ReadBody {
    /// Read up to this sequence (inclusive); a lower value than the stored
    /// position changes nothing.
    seq: i64,
}

/// Moves the caller's read position forward (their unread count follows on
/// every device); followers of the conversation get a `read` frame, as for
/// the socket's `read`.
async fn mark_read(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    commands: web::Data<dyn ConversationCommands>,
    path: web::Path<ConversationId>,
    body: crate::http::Body<ReadBody>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let conv = visible(store.get_ref(), &caller, *path).await?;
    let seq = body.read().await?.seq;
    if seq < 0 || seq > conv.last_seq {
        return Err(DomainError::invalid(
            "seq",
            "must be between 0 and the conversation's last_seq",
        )
        .into());
    }
    commands
        .read_up_to(&principal(&caller), conv.id, seq)
        .await?;
    Ok(actix_web::HttpResponse::NoContent().finish())
}

async fn detail(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    path: web::Path<ConversationId>,
) -> Result<web::Json<Conversation>, ApiError> {
    Ok(web::Json(visible(store.get_ref(), &caller, *path).await?))
}

#[derive(Deserialize)]
struct MessagesQuery {
    /// Messages after this sequence (oldest first)…
    after_seq: Option<i64>,
    /// …or the page just before this sequence (scrolling back).
    before_seq: Option<i64>,
    limit: Option<u32>,
}

async fn messages(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    path: web::Path<ConversationId>,
    query: web::Query<MessagesQuery>,
) -> Result<web::Json<Items<Message>>, ApiError> {
    visible(store.get_ref(), &caller, *path).await?;
    let limit = super::paging::limit(query.limit, 100, 500)?;
    let q = match (query.after_seq, query.before_seq) {
        (Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "before_seq",
                "use after_seq or before_seq, not both",
            )
            .into());
        }
        (None, Some(before)) => HistoryQuery::BeforeSeq { before, limit },
        (after, None) => HistoryQuery::AfterSeq {
            after: after.unwrap_or(0),
            limit,
        },
    };
    Ok(web::Json(Items {
        items: store.history(*path, q).await?,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct ActBody {
    /// For `assign` and `transfer`.
    agent_id: Option<chat_domain::ids::UserId>,
}

/// `POST /conversations/{id}/{accept|takeover|hand-back|close|assign|transfer}`:
/// the same use cases, rules and events as the WebSocket commands.
async fn act(
    caller: StaffCaller,
    commands: web::Data<dyn ConversationCommands>,
    trail: AuditTrail,
    path: web::Path<(ConversationId, String)>,
    body: Option<web::Json<ActBody>>,
) -> Result<web::Json<Conversation>, ApiError> {
    use chat_domain::model::Transition;
    let (id, action) = path.into_inner();
    let agent = body.and_then(|b| b.agent_id);
    let need_agent = || agent.ok_or_else(|| DomainError::invalid("agent_id", "is required"));
    let transition = match action.as_str() {
        "accept" => Transition::Accept(caller.user_id),
        "takeover" => Transition::Takeover(caller.user_id),
        "hand-back" => Transition::HandBack,
        "close" => Transition::Close,
        "reopen" => Transition::Reopen(caller.user_id),
        "assign" => Transition::Assign(need_agent()?),
        "transfer" => Transition::Transfer(need_agent()?),
        _ => return Err(DomainError::NotFound("route").into()),
    };
    let conv = commands
        .transition(&principal(&caller), id, transition)
        .await?;
    if caller.role.at_least(Role::Supervisor) {
        let action = format!("conversation.{}", transition.name());
        trail.log(caller.user_id, action).on(id).await;
    }
    Ok(web::Json(conv))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct NoteBody {
    body: String,
}

/// `POST /conversations/{id}/notes`: a private note, never shown to the customer.
async fn note(
    caller: StaffCaller,
    commands: web::Data<dyn ConversationCommands>,
    path: web::Path<ConversationId>,
    body: crate::http::Body<NoteBody>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let outcome = commands
        .post(
            &principal(&caller),
            *path,
            body.read().await?.body,
            true,
            None,
        )
        .await?;
    Ok(actix_web::HttpResponse::Created().json(outcome.message))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct LabelsBody {
    labels: Vec<String>,
}

/// `PUT /conversations/{id}/labels`: replaces the labels (anyone who may see
/// the conversation). Labels are trimmed, deduplicated, 1–50 characters, at
/// most 20.
async fn labels(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    path: web::Path<ConversationId>,
    body: crate::http::Body<LabelsBody>,
) -> Result<web::Json<Conversation>, ApiError> {
    visible(store.get_ref(), &caller, *path).await?;
    let mut labels: Vec<String> = Vec::new();
    for l in body.read().await?.labels {
        let l = l.trim().to_owned();
        if l.is_empty() || l.chars().count() > 50 {
            return Err(
                DomainError::invalid("labels", "each label must be 1 to 50 characters").into(),
            );
        }
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    if labels.len() > 20 {
        return Err(DomainError::invalid("labels", "at most 20 labels").into());
    }
    Ok(web::Json(
        store
            .set_labels(*path, &labels, chat_domain::time::now())
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct SnoozeBody {
    /// Until when (RFC 3339, in the future, at most 90 days ahead).
    #[schema(format = DateTime)]
    until: String,
}

/// `POST /conversations/{id}/snooze`: out of the inbox until `until`, or
/// until the customer writes.
async fn snooze(
    caller: StaffCaller,
    commands: web::Data<dyn ConversationCommands>,
    path: web::Path<ConversationId>,
    body: crate::http::Body<SnoozeBody>,
) -> Result<web::Json<Conversation>, ApiError> {
    let body = body.read().await?;
    let until = super::instant("until", Some(&body.until))?
        .ok_or_else(|| DomainError::invalid("until", "is required"))?;
    if until > chat_domain::time::now() + chrono::Duration::days(90) {
        return Err(DomainError::invalid("until", "must be at most 90 days ahead").into());
    }
    let until = chat_domain::time::truncate(until.and_utc());
    Ok(web::Json(
        commands
            .snooze(&principal(&caller), *path, Some(until))
            .await?,
    ))
}

/// `DELETE /conversations/{id}/snooze`: back in the inbox now.
async fn unsnooze(
    caller: StaffCaller,
    commands: web::Data<dyn ConversationCommands>,
    path: web::Path<ConversationId>,
) -> Result<web::Json<Conversation>, ApiError> {
    Ok(web::Json(
        commands.snooze(&principal(&caller), *path, None).await?,
    ))
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<chat_domain::model::ConversationSummary>();
    out.add::<chat_domain::model::MessagePreview>();
    out.add::<ReadBody>();
    out.add::<ConversationPage>();
    out.add::<ActBody>();
    out.add::<NoteBody>();
    out.add::<LabelsBody>();
    out.add::<SnoozeBody>();
}
