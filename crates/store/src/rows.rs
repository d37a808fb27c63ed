//! Row types: how entities look in a table, and the conversions to and from
//! the domain. Conversions that read can fail: a value this version did not
//! write is reported as corrupt rather than guessed at.
//!
//! ~530 lines: one row type per table and its conversions, in schema order.

use chat_domain::DomainResult;
use chat_domain::auth::RefreshToken;
use chat_domain::model::{
    AuditEntry, CannedResponse, Conversation, KnowledgeDoc, Message, NewMessage, User, Webhook,
    WebhookDelivery, WebhookEvent, WebhookSecret,
};
use chat_domain::time::{Timestamp, Timestamps};
use diesel::prelude::*;

use crate::error::corrupt;
use crate::schema::{
    audit_log, canned_responses, conversations, customers, knowledge_docs, messages,
    refresh_tokens, users, webhook_deliveries, webhooks,
};
use crate::sqltime::SqlTime;

pub(crate) fn parse<T: std::str::FromStr>(what: &str, s: &str) -> DomainResult<T>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e| corrupt(what, e))
}

fn parse_opt<T: std::str::FromStr>(what: &str, s: Option<&str>) -> DomainResult<Option<T>>
where
    T::Err: std::fmt::Display,
{
    s.map(|s| parse(what, s)).transpose()
}

pub(crate) fn json_list(what: &str, s: &str) -> DomainResult<Vec<String>> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

pub(crate) fn to_json_list(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&User> for UserRow {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            password_hash: u.password_hash.clone(),
            role: u.role.as_str().to_owned(),
            active: u.active,
            created_at: u.times.created_at,
            updated_at: u.times.updated_at,
        }
    }
}

impl TryFrom<UserRow> for User {
    type Error = chat_domain::DomainError;
    fn try_from(r: UserRow) -> DomainResult<Self> {
        Ok(Self {
            id: parse("users.id", &r.id)?,
            email: r.email,
            display_name: r.display_name,
            password_hash: r.password_hash,
            role: parse("users.role", &r.role)?,
            active: r.active,
            times: Timestamps {
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct RefreshTokenRow {
    pub id: String,
    pub family_id: String,
    pub user_id: String,
    pub token_hash: String,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub replaced_by: Option<String>,
    pub created_at: Timestamp,
}

impl From<&RefreshToken> for RefreshTokenRow {
    fn from(t: &RefreshToken) -> Self {
        Self {
            id: t.id.to_string(),
            family_id: t.family_id.to_string(),
            user_id: t.user_id.to_string(),
            token_hash: t.token_hash.clone(),
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            replaced_by: t.replaced_by.map(|id| id.to_string()),
            created_at: t.created_at,
        }
    }
}

impl TryFrom<RefreshTokenRow> for RefreshToken {
    type Error = chat_domain::DomainError;
    fn try_from(r: RefreshTokenRow) -> DomainResult<Self> {
        Ok(Self {
            id: parse("refresh_tokens.id", &r.id)?,
            family_id: parse("refresh_tokens.family_id", &r.family_id)?,
            user_id: parse("refresh_tokens.user_id", &r.user_id)?,
            token_hash: r.token_hash,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            replaced_by: parse_opt("refresh_tokens.replaced_by", r.replaced_by.as_deref())?,
            created_at: r.created_at,
        })
    }
}

/// A customer as stored: `email`, `phone` and `notes` are ciphertext; the
/// conversions, which need the data keys, live in `repos/customers.rs`.
#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = customers, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct CustomerRow {
    pub id: String,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub email: Option<String>,
    pub email_hash: Option<String>,
    pub phone: Option<String>,
    pub phone_hash: Option<String>,
    pub tags: String,
    pub notes: Option<String>,
    pub erased_at: Option<Timestamp>,
    pub prechat_question: Option<String>,
    pub prechat_answer: Option<String>,
    pub prechat_at: Option<Timestamp>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = conversations, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct ConversationRow {
    pub id: String,
    pub customer_id: String,
    pub state: String,
    pub assignee_id: Option<String>,
    pub labels: String,
    /// Read through [`LastSeq`](crate::repos::append::LastSeq): on SQLite
    /// the column is not maintained, the last message's seq is the value.
    #[diesel(
        select_expression = crate::repos::append::LastSeq,
        select_expression_type = crate::repos::append::LastSeq
    )]
    pub last_seq: i64,
    pub csat_score: Option<i32>,
    pub csat_comment: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub queued_at: Option<Timestamp>,
    pub handed_off_at: Option<Timestamp>,
    pub first_response_at: Option<Timestamp>,
    pub snoozed_until: Option<Timestamp>,
    pub first_responder_id: Option<String>,
}

impl From<&Conversation> for ConversationRow {
    fn from(c: &Conversation) -> Self {
        Self {
            id: c.id.to_string(),
            customer_id: c.customer_id.to_string(),
            state: c.state.as_str().to_owned(),
            assignee_id: c.assignee_id.map(|id| id.to_string()),
            labels: to_json_list(&c.labels),
            last_seq: c.last_seq,
            csat_score: c.csat_score,
            csat_comment: c.csat_comment.clone(),
            created_at: c.times.created_at,
            updated_at: c.times.updated_at,
            closed_at: c.closed_at,
            queued_at: c.queued_at,
            handed_off_at: c.handed_off_at,
            first_response_at: c.first_response_at,
            snoozed_until: c.snoozed_until,
            first_responder_id: c.first_responder_id.map(|id| id.to_string()),
        }
    }
}

impl TryFrom<ConversationRow> for Conversation {
    type Error = chat_domain::DomainError;
    fn try_from(r: ConversationRow) -> DomainResult<Self> {
        Ok(Self {
            id: parse("conversations.id", &r.id)?,
            customer_id: parse("conversations.customer_id", &r.customer_id)?,
            state: parse("conversations.state", &r.state)?,
            assignee_id: parse_opt("conversations.assignee_id", r.assignee_id.as_deref())?,
            labels: json_list("conversations.labels", &r.labels)?,
            last_seq: r.last_seq,
            csat_score: r.csat_score,
            csat_comment: r.csat_comment,
            times: Timestamps {
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            closed_at: r.closed_at,
            queued_at: r.queued_at,
            handed_off_at: r.handed_off_at,
            first_response_at: r.first_response_at,
            first_responder_id: parse_opt(
                "conversations.first_responder_id",
                r.first_responder_id.as_deref(),
            )?,
            snoozed_until: r.snoozed_until,
        })
    }
}

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = messages, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct MessageRow {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub sender_kind: String,
    pub sender_id: Option<String>,
    pub kind: String,
    pub body: String,
    pub client_msg_id: Option<String>,
    /// Written and read by hand on SQLite: every append binds it and every
    /// history page reads it ([`SqlTime`]).
    pub created_at: SqlTime,
    pub sender_name: Option<String>,
    /// JSON of the [`chat_domain::attachment::AttachmentMeta`], for attachments.
    pub attachment: Option<String>,
    /// JSON of the [`chat_domain::model::Notice`], for notices.
    pub event: Option<String>,
}

impl MessageRow {
    pub(crate) fn new(m: &NewMessage, seq: i64) -> Self {
        Self::with_conversation(m, m.conversation_id.to_string(), seq)
    }

    /// [`MessageRow::new`] with the conversation id already as text (the
    /// append has it at hand).
    pub(crate) fn with_conversation(m: &NewMessage, conversation_id: String, seq: i64) -> Self {
        Self {
            id: m.id.to_string(),
            conversation_id,
            seq,
            sender_kind: m.sender_kind.as_str().to_owned(),
            sender_id: m.sender_id.clone(),
            kind: m.kind.as_str().to_owned(),
            body: m.body.clone(),
            client_msg_id: m.client_msg_id.clone(),
            created_at: SqlTime(m.created_at),
            sender_name: m.sender_name.clone(),
            attachment: m
                .attachment
                .as_ref()
                .and_then(|a| serde_json::to_string(a).ok()),
            event: m.event.as_ref().and_then(|n| serde_json::to_string(n).ok()),
        }
    }
}

impl TryFrom<MessageRow> for Message {
    type Error = chat_domain::DomainError;
    fn try_from(r: MessageRow) -> DomainResult<Self> {
        Ok(Self {
            id: parse("messages.id", &r.id)?,
            conversation_id: parse("messages.conversation_id", &r.conversation_id)?,
            seq: r.seq,
            sender_kind: parse("messages.sender_kind", &r.sender_kind)?,
            sender_id: r.sender_id,
            sender_name: r.sender_name,
            kind: parse("messages.kind", &r.kind)?,
            body: r.body,
            client_msg_id: r.client_msg_id,
            attachment: r
                .attachment
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt("messages.attachment", e))?,
            event: r
                .event
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt("messages.event", e))?,
            created_at: r.created_at.0,
        })
    }
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = knowledge_docs, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct KnowledgeDocRow {
    pub id: String,
    pub title: String,
    pub body: String,
    pub tags: String,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&KnowledgeDoc> for KnowledgeDocRow {
    fn from(d: &KnowledgeDoc) -> Self {
        Self {
            id: d.id.to_string(),
            title: d.title.clone(),
            body: d.body.clone(),
            tags: to_json_list(&d.tags),
            enabled: d.enabled,
            created_at: d.times.created_at,
            updated_at: d.times.updated_at,
        }
    }
}

impl TryFrom<KnowledgeDocRow> for KnowledgeDoc {
    type Error = chat_domain::DomainError;
    fn try_from(r: KnowledgeDocRow) -> DomainResult<Self> {
        Ok(Self {
            id: parse("knowledge_docs.id", &r.id)?,
            title: r.title,
            body: r.body,
            tags: json_list("knowledge_docs.tags", &r.tags)?,
            enabled: r.enabled,
            times: Timestamps {
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct AuditRow {
    pub id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    pub created_at: Timestamp,
}

impl From<&AuditEntry> for AuditRow {
    fn from(a: &AuditEntry) -> Self {
        Self {
            id: a.id.to_string(),
            actor_id: a.actor_id.clone(),
            action: a.action.clone(),
            target: a.target.clone(),
            ip: a.ip.clone(),
            detail: a.detail.clone(),
            created_at: a.created_at,
        }
    }
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = chat_domain::DomainError;
    fn try_from(r: AuditRow) -> DomainResult<Self> {
        Ok(Self {
            id: parse("audit_log.id", &r.id)?,
            actor_id: r.actor_id,
            action: r.action,
            target: r.target,
            ip: r.ip,
            detail: r.detail,
            created_at: r.created_at,
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = canned_responses, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct CannedRow {
    pub id: String,
    pub owner_key: String,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&CannedResponse> for CannedRow {
    fn from(c: &CannedResponse) -> Self {
        Self {
            id: c.id.to_string(),
            owner_key: c.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            shortcut: c.shortcut.clone(),
            title: c.title.clone(),
            body: c.body.clone(),
            created_at: c.times.created_at,
            updated_at: c.times.updated_at,
        }
    }
}

impl TryFrom<CannedRow> for CannedResponse {
    type Error = chat_domain::DomainError;
    fn try_from(r: CannedRow) -> DomainResult<Self> {
        let owner = (!r.owner_key.is_empty()).then_some(r.owner_key);
        Ok(Self {
            id: parse("canned_responses.id", &r.id)?,
            owner_id: parse_opt("canned_responses.owner_key", owner.as_deref())?,
            shortcut: r.shortcut,
            title: r.title,
            body: r.body,
            times: Timestamps {
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct WebhookRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<Timestamp>,
    pub enabled: bool,
    pub consecutive_failures: i32,
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&Webhook> for WebhookRow {
    fn from(w: &Webhook) -> Self {
        let names: Vec<String> = w.events.iter().map(|e| e.as_str().to_owned()).collect();
        Self {
            id: w.id.to_string(),
            url: w.url.clone(),
            events: to_json_list(&names),
            secret: w.secret.expose().to_owned(),
            previous_secret: w.previous_secret.as_ref().map(|s| s.expose().to_owned()),
            previous_secret_expires_at: w.previous_secret_expires_at,
            enabled: w.enabled,
            consecutive_failures: i32::try_from(w.consecutive_failures).unwrap_or(i32::MAX),
            disabled_reason: w.disabled_reason.clone(),
            created_at: w.times.created_at,
            updated_at: w.times.updated_at,
        }
    }
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = chat_domain::DomainError;
    fn try_from(r: WebhookRow) -> DomainResult<Self> {
        let events = json_list("webhooks.events", &r.events)?
            .iter()
            .map(|e| parse::<WebhookEvent>("webhooks.events", e))
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(Self {
            id: parse("webhooks.id", &r.id)?,
            url: r.url,
            events,
            enabled: r.enabled,
            consecutive_failures: u32::try_from(r.consecutive_failures).unwrap_or(0),
            disabled_reason: r.disabled_reason,
            secret: WebhookSecret::new(r.secret),
            previous_secret: r.previous_secret.map(WebhookSecret::new),
            previous_secret_expires_at: r.previous_secret_expires_at,
            times: Timestamps {
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::sqlite::Sqlite, diesel::mysql::Mysql))]
pub(crate) struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<Timestamp>,
    pub lease_token: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

impl From<&WebhookDelivery> for DeliveryRow {
    fn from(d: &WebhookDelivery) -> Self {
        Self {
            id: d.id.to_string(),
            webhook_id: d.webhook_id.to_string(),
            event: d.event.as_str().to_owned(),
            payload: d.payload.clone(),
            status: d.status.as_str().to_owned(),
            attempts: i32::try_from(d.attempts).unwrap_or(i32::MAX),
            last_status: d.last_status.map(i32::from),
            last_error: d.last_error.clone(),
            next_attempt_at: d.next_attempt_at,
            lease_token: None,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

impl TryFrom<DeliveryRow> for WebhookDelivery {
    type Error = chat_domain::DomainError;
    fn try_from(r: DeliveryRow) -> DomainResult<Self> {
        Ok(Self {
            id: parse("webhook_deliveries.id", &r.id)?,
            webhook_id: parse("webhook_deliveries.webhook_id", &r.webhook_id)?,
            event: parse("webhook_deliveries.event", &r.event)?,
            payload: r.payload,
            status: parse("webhook_deliveries.status", &r.status)?,
            attempts: u32::try_from(r.attempts).unwrap_or(0),
            last_status: r.last_status.and_then(|s| u16::try_from(s).ok()),
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        })
    }
}

/// Converts a list of rows, failing on the first corrupt one.
pub(crate) fn convert<R, T: TryFrom<R, Error = chat_domain::DomainError>>(
    rows: Vec<R>,
) -> DomainResult<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}
