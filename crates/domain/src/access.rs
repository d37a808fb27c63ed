//! Who may see and change which conversation: the one place these rules
//! live, used by every transport (WebSocket frames and REST routes alike).
//!
//! - a customer: only their own conversations; may ask for a person and close;
//! - an agent: conversations answered by the assistant (to watch and take
//!   over), queued ones, and those assigned to them; may accept, take over,
//!   and hand back, transfer or close their own;
//! - supervisors and admins: everything, including assigning and transferring
//!   anyone's conversations.

use crate::auth::Principal;
use crate::model::{Conversation, ConversationState, Role, Transition};
use crate::{DomainError, DomainResult};

/// The states in which every agent sees a conversation (besides those
/// assigned to them). Stores that filter by visibility in SQL (the customer
/// list) use this same list.
pub const AGENT_SHARED_STATES: &[ConversationState] =
    &[ConversationState::Bot, ConversationState::Queued];

/// May `who` read this conversation (history, live messages)?
pub fn can_view(who: &Principal, conv: &Conversation) -> bool {
    match who {
        Principal::Customer { customer_id } => conv.customer_id == *customer_id,
        Principal::Staff { role, user_id } => {
            role.at_least(Role::Supervisor)
                || AGENT_SHARED_STATES.contains(&conv.state)
                || conv.assignee_id == Some(*user_id)
        }
    }
}

/// Which customers `who` may see, as a filter a store can apply: `None` for
/// everyone (supervisors and admins), `Some(agent)` for the customers of the
/// conversations that agent may see (see [`can_view`]). Customers see no
/// customer records.
pub fn customer_scope(who: &Principal) -> DomainResult<Option<crate::ids::UserId>> {
    match who {
        Principal::Staff { role, .. } if role.at_least(Role::Supervisor) => Ok(None),
        Principal::Staff { user_id, .. } => Ok(Some(*user_id)),
        Principal::Customer { .. } => Err(DomainError::Forbidden("staff only".into())),
    }
}

/// `NotFound` rather than `Forbidden` for conversations the caller may not
/// see, so ids of other people's conversations cannot be probed.
pub fn ensure_view(who: &Principal, conv: &Conversation) -> DomainResult<()> {
    if can_view(who, conv) {
        Ok(())
    } else {
        Err(DomainError::NotFound("conversation"))
    }
}

/// May `who` post a message of this kind here? Customers post text into their
/// own open conversations; staff post when the conversation is theirs (or, for
/// supervisors, anyone's); private notes are staff-only.
pub fn ensure_post(who: &Principal, conv: &Conversation, private_note: bool) -> DomainResult<()> {
    ensure_view(who, conv)?;
    if conv.state == ConversationState::Closed {
        return Err(DomainError::Conflict("the conversation is closed".into()));
    }
    match who {
        Principal::Customer { .. } if private_note => Err(DomainError::Forbidden(
            "customers cannot write private notes".into(),
        )),
        Principal::Customer { .. } => Ok(()),
        Principal::Staff { .. } if private_note => Ok(()),
        Principal::Staff { role, user_id } => {
            if conv.assignee_id == Some(*user_id)
                || role.at_least(Role::Supervisor) && conv.state == ConversationState::Human
            {
                Ok(())
            } else {
                Err(DomainError::Forbidden(
                    "take the conversation over (or accept it) before replying".into(),
                ))
            }
        }
    }
}

/// May `who` manage this conversation (snooze it): its assigned agent or a
/// supervisor.
pub fn ensure_manage(who: &Principal, conv: &Conversation) -> DomainResult<()> {
    ensure_view(who, conv)?;
    match who {
        Principal::Staff { role, user_id }
            if conv.assignee_id == Some(*user_id) || role.at_least(Role::Supervisor) =>
        {
            Ok(())
        }
        _ => Err(DomainError::Forbidden(
            "only the assigned agent or a supervisor can do this".into(),
        )),
    }
}

/// May `who` apply `transition` to `conv`? (Whether the state allows it is
/// [`Transition::check`]'s job; this is about the caller.)
pub fn ensure_transition(
    who: &Principal,
    conv: &Conversation,
    transition: &Transition,
) -> DomainResult<()> {
    ensure_view(who, conv)?;
    let denied = |what: &str| Err(DomainError::Forbidden(what.to_owned()));
    match (who, transition) {
        (Principal::Customer { .. }, Transition::RequestHuman | Transition::Close) => Ok(()),
        (Principal::Customer { .. }, _) => denied("customers can only ask for a person or close"),
        (Principal::Staff { user_id, role }, t) => {
            let supervisor = role.at_least(Role::Supervisor);
            let own = conv.assignee_id == Some(*user_id);
            match t {
                Transition::Accept(a) | Transition::Takeover(a) if a == user_id => Ok(()),
                Transition::Accept(_) | Transition::Takeover(_) => {
                    denied("you can only accept for yourself")
                }
                Transition::Assign(_) if supervisor => Ok(()),
                Transition::Assign(_) => denied("assigning requires the supervisor role"),
                Transition::Transfer(_) | Transition::HandBack | Transition::Close
                    if own || supervisor =>
                {
                    Ok(())
                }
                Transition::Transfer(_) | Transition::HandBack | Transition::Close => {
                    denied("only the assigned agent or a supervisor can do this")
                }
                Transition::Reopen(a) if a == user_id && (own || supervisor) => Ok(()),
                Transition::Reopen(_) => denied(
                    "only the agent who had it or a supervisor can reopen it, for themselves",
                ),
                Transition::RequestHuman => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, UserId};
    use crate::time::now;

    fn conv(state: ConversationState, assignee: Option<UserId>) -> Conversation {
        let mut c = Conversation::open(CustomerId::new(), now());
        c.state = state;
        c.assignee_id = assignee;
        c
    }

    #[test]
    fn customers_see_only_their_own() {
        let c = conv(ConversationState::Bot, None);
        let owner = Principal::Customer {
            customer_id: c.customer_id,
        };
        let other = Principal::Customer {
            customer_id: CustomerId::new(),
        };
        assert!(can_view(&owner, &c));
        assert_eq!(
            ensure_view(&other, &c),
            Err(DomainError::NotFound("conversation"))
        );
        assert!(ensure_post(&owner, &c, false).is_ok());
        assert!(ensure_post(&owner, &c, true).is_err());
        assert!(ensure_transition(&owner, &c, &Transition::RequestHuman).is_ok());
        assert!(ensure_transition(&owner, &c, &Transition::Takeover(UserId::new())).is_err());
    }

    #[test]
    fn agents_see_queue_bot_and_their_own() {
        let me = UserId::new();
        let agent = Principal::Staff {
            user_id: me,
            role: Role::Agent,
        };
        let sup = Principal::Staff {
            user_id: UserId::new(),
            role: Role::Supervisor,
        };
        let someone_elses = conv(ConversationState::Human, Some(UserId::new()));
        assert!(!can_view(&agent, &someone_elses));
        assert!(can_view(&sup, &someone_elses));
        assert!(can_view(&agent, &conv(ConversationState::Queued, None)));
        let mine = conv(ConversationState::Human, Some(me));
        assert!(ensure_post(&agent, &mine, false).is_ok());
        assert!(
            ensure_post(&agent, &conv(ConversationState::Bot, None), false).is_err(),
            "take over first"
        );
        assert!(
            ensure_post(&agent, &conv(ConversationState::Bot, None), true).is_ok(),
            "notes are fine"
        );
        assert!(
            ensure_transition(
                &agent,
                &conv(ConversationState::Queued, None),
                &Transition::Accept(me)
            )
            .is_ok()
        );
        assert!(
            ensure_transition(
                &agent,
                &conv(ConversationState::Queued, None),
                &Transition::Assign(me)
            )
            .is_err()
        );
        assert!(
            ensure_transition(
                &sup,
                &conv(ConversationState::Queued, None),
                &Transition::Assign(me)
            )
            .is_ok()
        );
        assert!(ensure_transition(&agent, &mine, &Transition::HandBack).is_ok());
        assert!(ensure_transition(&sup, &someone_elses, &Transition::Transfer(me)).is_ok());
        assert!(ensure_post(&agent, &conv(ConversationState::Closed, Some(me)), false).is_err());
    }
}
