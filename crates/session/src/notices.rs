//! The notice a transition stores in the history. The server records what
//! changed and who was involved ([`Notice`]); the words are the clients'
//! business, since only they know their reader's language (the widget the
//! customer's, the console the agent's: `web/shared/notices.js`). The body
//! keeps an English text for clients that do not read the structure.

use chat_domain::events::{Actor, ConversationChange};
use chat_domain::ids::UserId;
use chat_domain::model::{Notice, NoticeParty, SenderKind, Transition};
use chat_domain::ports::Store;

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
    Notice {
        change: transition.into(),
        actor,
        to,
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
        Notice {
            change,
            actor: NoticeParty::unnamed(SenderKind::System, None),
            to,
        }
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
        let json = serde_json::to_value(Notice {
            change: ConversationChange::Close,
            actor: customer,
            to: None,
        })
        .unwrap();
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
}
