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
use chat_domain::ports::{ConversationCommands, ConversationFilter, Store};
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::StaffCaller;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/conversations").route(web::get().to(list)))
        .service(resource("/conversations/{id}").route(web::get().to(detail)))
        .service(resource("/conversations/{id}/messages").route(web::get().to(messages)))
        .service(resource("/conversations/{id}/notes").route(web::post().to(note)))
        .service(resource("/conversations/{id}/labels").route(web::put().to(labels)))
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
    limit: Option<u32>,
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

pub(crate) fn principal(caller: &StaffCaller) -> Principal {
    Principal::Staff {
        user_id: caller.user_id,
        role: caller.role,
    }
}

async fn list(
    caller: StaffCaller,
    store: web::Data<dyn Store>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Items<Conversation>>, ApiError> {
    let limit = super::paging::limit(query.limit, 50, 200)?;
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
    let who = principal(&caller);
    let mut items = store
        .list_conversations(&ConversationFilter {
            state: query.state,
            assignee,
            open_only: query.state.is_none()
                && assignee.is_none()
                && query.label.is_none()
                && query.customer_id.is_none(),
            label: query.label.clone(),
            customer: query.customer_id,
            created_from: super::instant("from", query.from.as_deref())?,
            created_to: super::instant("to", query.to.as_deref())?,
            limit,
            ..Default::default()
        })
        .await?;
    items.retain(|c| access::can_view(&who, c));
    Ok(web::Json(Items { items }))
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
struct ActBody {
    /// For `assign` and `transfer`.
    agent_id: Option<chat_domain::ids::UserId>,
}

/// `POST /conversations/{id}/{accept|takeover|hand-back|close|assign|transfer}`:
/// the same use cases, rules and events as the WebSocket commands.
async fn act(
    caller: StaffCaller,
    commands: web::Data<dyn ConversationCommands>,
    auth: web::Data<crate::AuthService>,
    ip: crate::http::ClientIp,
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
        "assign" => Transition::Assign(need_agent()?),
        "transfer" => Transition::Transfer(need_agent()?),
        _ => return Err(DomainError::NotFound("route").into()),
    };
    let conv = commands
        .transition(&principal(&caller), id, transition)
        .await?;
    if caller.role.at_least(Role::Supervisor) {
        auth.record(
            Some(caller.user_id),
            &format!("conversation.{}", transition.name()),
            Some(&id.to_string()),
            ip.0.as_deref(),
            None,
        )
        .await;
    }
    Ok(web::Json(conv))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    body: String,
}

/// `POST /conversations/{id}/notes`: a private note, never shown to the customer.
async fn note(
    caller: StaffCaller,
    commands: web::Data<dyn ConversationCommands>,
    path: web::Path<ConversationId>,
    body: web::Json<NoteBody>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let outcome = commands
        .post(
            &principal(&caller),
            *path,
            body.into_inner().body,
            true,
            None,
        )
        .await?;
    Ok(actix_web::HttpResponse::Created().json(outcome.message))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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
    body: web::Json<LabelsBody>,
) -> Result<web::Json<Conversation>, ApiError> {
    visible(store.get_ref(), &caller, *path).await?;
    let mut labels: Vec<String> = Vec::new();
    for l in body.into_inner().labels {
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
