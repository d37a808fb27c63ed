//! The notices the system stores in the history: one per transition, and
//! the away notice when a customer leaves a message. The server records
//! what changed, who was involved and when support is back ([`Notice`]);
//! the words are the clients' business, since only they know their
//! reader's language and time zone (the widget the customer's, the console
//! the agent's: `web/shared/notices.js`). The body keeps an English text
//! for clients that do not read the structure.

use chat_domain::events::{Actor, ConversationChange};
use chat_domain::ids::{CustomerId, UserId};
use chat_domain::model::{Notice, NoticeParty, SenderKind, Transition};
use chat_domain::ports::Store;
use chat_domain::time::Timestamp;

/// What `transition`, caused by `by`, records. Staff members are named by
/// their display name now (a later rename does not relabel the history); a
/// name that cannot be read is left out, and clients fall back to "an agent".
pub(crate) async fn notice(store: &dyn Store, transition: Transition, by: &Actor) -> Notice {
    let actor = match by.id.as_deref().map(str::parse::<UserId>) {
        Some(Ok(user)) if by.kind == SenderKind::Agent => staff(store, user).await,
        _ => NoticeParty::unnamed(by.kind, by.id.clone()),
    };
    let to = match transition {
        Transition::Accept(a)
        | Transition::Takeover(a)
        | Transition::Assign(a)
        | Transition::Transfer(a)
        | Transition::Reopen(a) => Some(if actor.id == Some(a.to_string()) {
            actor.clone()
        } else {
            staff(store, a).await
        }),
        Transition::RequestHuman | Transition::HandBack | Transition::Close => None,
    };
    Notice::new(transition.into(), actor, to)
}

/// The away notice: `customer` left a message while nobody could answer;
/// support is back at `next_opening` (when business hours say). It names
/// no personal data (notices outlive a customer's erasure).
pub(crate) fn left_message(customer: CustomerId, next_opening: Option<Timestamp>) -> Notice {
    let customer = NoticeParty::unnamed(SenderKind::Customer, Some(customer.to_string()));
    Notice {
        next_opening,
        ..Notice::new(ConversationChange::LeftMessage, customer, None)
    }
}

async fn staff(store: &dyn Store, user: UserId) -> NoticeParty {
    let name = match store.user_by_id(user).await {
        Ok(found) => found.map(|u| u.display_name),
        Err(e) => {
            tracing::warn!(error = %e, user = %user, "notice without the agent's name");
            None
        }
    };
    NoticeParty {
        kind: SenderKind::Agent,
        id: Some(user.to_string()),
        name,
    }
}

/// The English body stored with `notice`: the text clients showed before
/// notices were structured (docs/PROTOCOL.md 4.1), so older clients, exports
/// and webhooks keep reading the same sentences.
pub(crate) fn fallback(notice: &Notice) -> String {
    let to = notice
        .to
        .as_ref()
        .and_then(|p| p.name.as_deref())
        .unwrap_or("An agent");
    match notice.change {
        ConversationChange::RequestHuman => "Waiting for an agent to join.".into(),
        ConversationChange::Accept | ConversationChange::Takeover | ConversationChange::Assign => {
            format!("{to} joined the conversation.")
        }
        ConversationChange::Transfer => format!("The conversation was transferred to {to}."),
        ConversationChange::HandBack => "The assistant is answering again.".into(),
        ConversationChange::Close => "The conversation was closed.".into(),
        ConversationChange::Reopen => format!("{to} reopened the conversation."),
        // Not stored as notices today; worded so a future one still reads.
        ConversationChange::Opened => "The conversation was opened.".into(),
        ConversationChange::Snooze => "The conversation was snoozed.".into(),
        ConversationChange::Unsnooze => "The conversation is back from a snooze.".into(),
        ConversationChange::Rated => "The customer rated the conversation.".into(),
        ConversationChange::LeftMessage => {
            let back = notice.next_opening.map_or(String::new(), |at| {
                let at = at.and_utc().format("%a %-d %b %Y at %H:%M");
                format!(" We are back on {at} (UTC).")
            });
            format!(
                "Thanks, we have your message and your e-mail address. Nobody can answer right now:{back} An agent will reply here as soon as possible."
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(name: Option<&str>) -> NoticeParty {
        NoticeParty {
            kind: SenderKind::Agent,
            id: Some(UserId::new().to_string()),
            name: name.map(str::to_owned),
        }
    }

    fn with(change: ConversationChange, to: Option<NoticeParty>) -> Notice {
        Notice::new(change, NoticeParty::unnamed(SenderKind::System, None), to)
    }

    #[test]
    fn fallback_keeps_the_english_bodies() {
        let cases = [
            (
                with(ConversationChange::RequestHuman, None),
                "Waiting for an agent to join.",
            ),
            (
                with(ConversationChange::Assign, Some(agent(Some("Ann")))),
                "Ann joined the conversation.",
            ),
            (
                with(ConversationChange::Accept, Some(agent(None))),
                "An agent joined the conversation.",
            ),
            (
                with(ConversationChange::Transfer, Some(agent(Some("Bo")))),
                "The conversation was transferred to Bo.",
            ),
            (
                with(ConversationChange::HandBack, None),
                "The assistant is answering again.",
            ),
            (
                with(ConversationChange::Close, None),
                "The conversation was closed.",
            ),
            (
                with(ConversationChange::Reopen, Some(agent(Some("Cy")))),
                "Cy reopened the conversation.",
            ),
        ];
        for (notice, body) in cases {
            assert_eq!(fallback(&notice), body, "{:?}", notice.change);
        }
    }

    #[test]
    fn the_payload_names_staff_only_and_skips_what_is_absent() {
        let customer = NoticeParty::unnamed(SenderKind::Customer, Some("c".into()));
        let json =
            serde_json::to_value(Notice::new(ConversationChange::Close, customer, None)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"change": "close", "actor": {"kind": "customer", "id": "c"}})
        );
        let to = agent(Some("Ann"));
        let json =
            serde_json::to_value(with(ConversationChange::Transfer, Some(to.clone()))).unwrap();
        assert_eq!(
            json["to"],
            serde_json::json!({"kind": "agent", "id": to.id, "name": "Ann"})
        );
        assert_eq!(
            json["actor"],
            serde_json::json!({"kind": "system", "id": null})
        );
    }

    #[test]
    fn the_away_notice_carries_the_next_opening_as_an_instant() {
        let customer = CustomerId::new();
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 12, 14)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .unwrap();
        let notice = left_message(customer, Some(monday));
        assert_eq!(
            serde_json::to_value(&notice).unwrap(),
            serde_json::json!({
                "change": "left_message",
                "actor": {"kind": "customer", "id": customer.to_string()},
                "next_opening": "2026-12-14T08:00:00.000000Z",
            })
        );
        assert_eq!(
            fallback(&notice),
            "Thanks, we have your message and your e-mail address. Nobody can answer right now: We are back on Mon 14 Dec 2026 at 08:00 (UTC). An agent will reply here as soon as possible."
        );
        // Read back as stored (the instant may come in any offset).
        let read: Notice = serde_json::from_value(serde_json::json!({
            "change": "left_message",
            "actor": {"kind": "customer", "id": customer.to_string()},
            "next_opening": "2026-12-14T09:00:00+01:00",
        }))
        .unwrap();
        assert_eq!(read, notice);

        // Hours off: no time to announce, none in the payload or the text.
        let notice = left_message(customer, None);
        assert!(
            serde_json::to_value(&notice)
                .unwrap()
                .get("next_opening")
                .is_none()
        );
        assert_eq!(
            fallback(&notice),
            "Thanks, we have your message and your e-mail address. Nobody can answer right now: An agent will reply here as soon as possible."
        );
    }
}
