use serde::Serialize;

use super::string_enum;
use crate::ids::{WebhookDeliveryId, WebhookId};
use crate::time::{Timestamp, Timestamps};
use crate::{DomainError, DomainResult};

/// What a webhook can be told about. The wire names are dotted
/// (`conversation.created`), unlike the other enums of the domain, because
/// receivers route on them and every webhook provider spells them so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WebhookEvent {
    /// A customer opened a conversation.
    ConversationCreated,
    /// A conversation went through a life-cycle transition (its state or its
    /// assignee changed: accept, transfer, hand back, close…).
    ConversationStateChanged,
    /// A conversation was closed (also sent as a state change).
    ConversationClosed,
    /// A message was stored (private notes are not sent).
    MessageCreated,
    /// A customer rated a closed conversation.
    CsatSubmitted,
    /// A test delivery an admin asked for; not subscribable.
    Ping,
}

impl WebhookEvent {
    /// The events a webhook may subscribe to (all but `ping`).
    pub const SUBSCRIBABLE: &'static [WebhookEvent] = &[
        WebhookEvent::ConversationCreated,
        WebhookEvent::ConversationStateChanged,
        WebhookEvent::ConversationClosed,
        WebhookEvent::MessageCreated,
        WebhookEvent::CsatSubmitted,
    ];

    /// The stored and wire form.
    pub const fn as_str(&self) -> &'static str {
        match self {
            WebhookEvent::ConversationCreated => "conversation.created",
            WebhookEvent::ConversationStateChanged => "conversation.state_changed",
            WebhookEvent::ConversationClosed => "conversation.closed",
            WebhookEvent::MessageCreated => "message.created",
            WebhookEvent::CsatSubmitted => "csat.submitted",
            WebhookEvent::Ping => "ping",
        }
    }
}

impl std::fmt::Display for WebhookEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for WebhookEvent {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::SUBSCRIBABLE
            .iter()
            .chain([WebhookEvent::Ping].iter())
            .find(|e| e.as_str() == s)
            .copied()
            .ok_or_else(|| {
                DomainError::invalid(
                    "events",
                    format!(
                        "unknown event `{s}`; must be one of: {}",
                        subscribable_list()
                    ),
                )
            })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for WebhookEvent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::openapi::string_enum_schema(&[
            "conversation.created",
            "conversation.state_changed",
            "conversation.closed",
            "message.created",
            "csat.submitted",
            "ping",
        ])
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for WebhookEvent {}

impl Serialize for WebhookEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn subscribable_list() -> String {
    WebhookEvent::SUBSCRIBABLE
        .iter()
        .map(WebhookEvent::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key payloads are signed with. Never serialised, never printed: it is
/// shown once, when created or rotated.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Wraps a secret.
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    /// The secret itself, for signing and for the one response that shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

/// Longest webhook URL accepted.
pub const MAX_WEBHOOK_URL_LEN: usize = 2048;

/// A subscription: events of the listed kinds are POSTed to `url`, signed
/// with the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Identity.
    pub id: WebhookId,
    /// Where deliveries are POSTed (http or https).
    pub url: String,
    /// The events subscribed to, sorted, without duplicates.
    pub events: Vec<WebhookEvent>,
    /// Disabled webhooks get no new deliveries; their pending ones wait.
    pub enabled: bool,
    /// Deliveries that failed for good in a row (reset by a success or by
    /// re-enabling).
    pub consecutive_failures: u32,
    /// Why the system disabled it, if it did.
    pub disabled_reason: Option<String>,
    /// The signing key (never serialised).
    #[serde(skip)]
    pub secret: WebhookSecret,
    /// The key before the last rotation, still signing (as a second `v1`)
    /// until `previous_secret_expires_at` (never serialised).
    #[serde(skip)]
    pub previous_secret: Option<WebhookSecret>,
    /// Until when deliveries also carry a signature with the previous
    /// secret (`null`: only the current secret signs).
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub previous_secret_expires_at: Option<Timestamp>,
    /// Creation and last change (`created_at`, `updated_at` on the wire).
    #[serde(flatten)]
    pub times: Timestamps,
}

impl Webhook {
    /// A new, enabled webhook. `url` must already be checked by the caller
    /// (scheme and destination rules live with the HTTP client); its length
    /// and shape are checked here.
    pub fn new(
        url: &str,
        events: &[String],
        secret: WebhookSecret,
        at: Timestamp,
    ) -> DomainResult<Self> {
        Ok(Self {
            id: WebhookId::new(),
            url: check_url_shape(url)?,
            events: parse_events(events)?,
            enabled: true,
            consecutive_failures: 0,
            disabled_reason: None,
            secret,
            previous_secret: None,
            previous_secret_expires_at: None,
            times: Timestamps::new(at),
        })
    }

    /// Replaces the secret; the old one keeps signing (as well) until
    /// `keep_previous_until`, or stops at once when that is `None`.
    pub fn rotate(&mut self, secret: WebhookSecret, keep_previous_until: Option<Timestamp>) {
        let old = std::mem::replace(&mut self.secret, secret);
        self.previous_secret = keep_previous_until.map(|_| old);
        self.previous_secret_expires_at = keep_previous_until;
    }

    /// The secrets that sign a delivery sent at `at`: the current one, and
    /// the previous one while it is kept.
    pub fn signing_secrets(&self, at: Timestamp) -> Vec<&WebhookSecret> {
        let mut keys = vec![&self.secret];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_secret_expires_at)
            && at < until
        {
            keys.push(old);
        }
        keys
    }

    /// Does this webhook want `event`? (`ping` goes to whoever asks.)
    pub fn subscribes(&self, event: WebhookEvent) -> bool {
        event == WebhookEvent::Ping || self.events.contains(&event)
    }
}

/// Trims a URL and checks what needs no URL parser: length, no spaces or
/// control characters, http(s) scheme.
pub fn check_url_shape(raw: &str) -> DomainResult<String> {
    let url = raw.trim();
    if url.is_empty() || url.len() > MAX_WEBHOOK_URL_LEN {
        return Err(DomainError::invalid(
            "url",
            format!("must be 1 to {MAX_WEBHOOK_URL_LEN} characters"),
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DomainError::invalid(
            "url",
            "must not contain spaces or control characters",
        ));
    }
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(DomainError::invalid(
            "url",
            "must be an http:// or https:// URL",
        ));
    }
    Ok(url.to_owned())
}

/// Parses a subscription list: at least one event, each known and not
/// `ping`; duplicates are dropped and the result sorted.
pub fn parse_events(raw: &[String]) -> DomainResult<Vec<WebhookEvent>> {
    if raw.is_empty() {
        return Err(DomainError::invalid(
            "events",
            format!("must name at least one event: {}", subscribable_list()),
        ));
    }
    let mut events = Vec::with_capacity(raw.len());
    for name in raw {
        let event: WebhookEvent = name.trim().parse()?;
        if event == WebhookEvent::Ping {
            return Err(DomainError::invalid(
                "events",
                "`ping` is sent on request (POST /webhooks/{id}/ping), it cannot be subscribed to",
            ));
        }
        events.push(event);
    }
    events.sort_unstable();
    events.dedup();
    Ok(events)
}

string_enum!(
    /// Where a delivery stands.
    DeliveryStatus {
        /// Waiting for its (next) attempt, or being attempted.
        Pending => "pending",
        /// The receiver answered 2xx.
        Delivered => "delivered",
        /// Every attempt failed; retried only on request.
        Failed => "failed",
    }
);

/// One event to send to one webhook, and what became of it: the delivery log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WebhookDelivery {
    /// Identity; sent as `X-Chat-Delivery` so receivers can drop repeats.
    pub id: WebhookDeliveryId,
    /// To which webhook.
    pub webhook_id: WebhookId,
    /// Which event.
    pub event: WebhookEvent,
    /// The exact body POSTed (JSON text), the same on every attempt.
    pub payload: String,
    /// Pending, delivered or failed.
    pub status: DeliveryStatus,
    /// Attempts made so far (an attempt in flight counts).
    pub attempts: u32,
    /// The HTTP status of the last attempt, when one came back.
    pub last_status: Option<u16>,
    /// Why the last attempt failed (status, timeout, refused destination…).
    pub last_error: Option<String>,
    /// When the next attempt is due (pending only); while an attempt is in
    /// flight, when another node may take it over.
    #[serde(with = "crate::time::utc_opt")]
    pub next_attempt_at: Option<Timestamp>,
    /// When it was queued (UTC).
    #[serde(with = "crate::time::utc")]
    pub created_at: Timestamp,
    /// When the receiver accepted it.
    #[serde(with = "crate::time::utc_opt")]
    pub delivered_at: Option<Timestamp>,
}

impl WebhookDelivery {
    /// A pending delivery, due at once.
    pub fn new(webhook_id: WebhookId, event: WebhookEvent, payload: String, at: Timestamp) -> Self {
        Self {
            id: WebhookDeliveryId::new(),
            webhook_id,
            event,
            payload,
            status: DeliveryStatus::Pending,
            attempts: 0,
            last_status: None,
            last_error: None,
            next_attempt_at: Some(at),
            created_at: at,
            delivered_at: None,
        }
    }
}

/// Deliveries taken by one worker: nobody else attempts them until `lease`
/// expires or they are settled.
#[derive(Clone, Debug)]
pub struct DeliveryClaim {
    /// Proves the claim when settling.
    pub lease: String,
    /// Each delivery (its `attempts` already counting this one) with its webhook.
    pub items: Vec<(WebhookDelivery, Webhook)>,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Accepted (2xx).
    Delivered {
        /// The status received.
        status: u16,
    },
    /// Failed; try again at `next_attempt_at`.
    Retry {
        /// The status received, if any.
        status: Option<u16>,
        /// What went wrong.
        error: String,
        /// When to try again.
        next_attempt_at: Timestamp,
    },
    /// Failed for the last time.
    Failed {
        /// The status received, if any.
        status: Option<u16>,
        /// What went wrong.
        error: String,
    },
}

/// What settling a delivery did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// The lease had expired and another worker owns the delivery now:
    /// nothing was written.
    LeaseLost,
    /// The outcome was recorded.
    Recorded,
    /// Recorded, and this failure disabled the webhook (exactly one
    /// settlement reports it, so the disabling is audited once).
    Disabled,
}

/// Which deliveries of a webhook to list, newest first.
#[derive(Clone, Debug)]
pub struct DeliveryFilter {
    /// Whose.
    pub webhook_id: WebhookId,
    /// Only this status.
    pub status: Option<DeliveryStatus>,
    /// Only deliveries older than this one (cursor).
    pub before: Option<WebhookDeliveryId>,
    /// At most this many.
    pub limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::now;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn events_are_checked_sorted_and_deduplicated() {
        let events = parse_events(&names(&[
            "message.created",
            "conversation.created",
            "message.created",
        ]))
        .unwrap();
        assert_eq!(
            events,
            vec![
                WebhookEvent::ConversationCreated,
                WebhookEvent::MessageCreated
            ]
        );
        let e = parse_events(&names(&["message.sent"])).unwrap_err();
        assert!(matches!(&e, DomainError::Validation { field, message }
            if field == "events" && message.contains("message.sent") && message.contains("csat.submitted")));
        assert!(parse_events(&[]).is_err());
        assert!(parse_events(&names(&["ping"])).is_err());
        for e in WebhookEvent::SUBSCRIBABLE {
            assert_eq!(e.as_str().parse::<WebhookEvent>().unwrap(), *e);
        }
    }

    #[test]
    fn urls_and_secrets() {
        assert!(check_url_shape("ftp://x").is_err());
        assert!(check_url_shape("https://a b").is_err());
        assert!(check_url_shape(&format!("https://{}", "a".repeat(3000))).is_err());
        assert_eq!(check_url_shape(" https://x/y ").unwrap(), "https://x/y");
        let w = Webhook::new(
            "https://example.com/hook",
            &names(&["csat.submitted"]),
            WebhookSecret::new("whsec_top".into()),
            now(),
        )
        .unwrap();
        assert!(!format!("{w:?}").contains("whsec_top"));
        assert!(w.subscribes(WebhookEvent::Ping));
        let mut r = w.clone();
        let at = now();
        r.rotate(
            WebhookSecret::new("whsec_new".into()),
            Some(at + chrono::Duration::hours(1)),
        );
        assert_eq!(r.signing_secrets(at).len(), 2);
        assert_eq!(r.signing_secrets(at)[0].expose(), "whsec_new");
        assert_eq!(r.signing_secrets(at + chrono::Duration::hours(2)).len(), 1);
        r.rotate(WebhookSecret::new("whsec_newer".into()), None);
        assert_eq!(r.signing_secrets(at).len(), 1);
        assert!(r.previous_secret.is_none());
        assert!(!w.subscribes(WebhookEvent::MessageCreated));
    }
}
