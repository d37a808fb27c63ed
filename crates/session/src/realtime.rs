//! [`ConversationService`] as the gateway's port: what a socket reads and
//! changes, with the access rules applied here rather than in the gateway.

use async_trait::async_trait;
use chat_domain::auth::Principal;
use chat_domain::events::{Actor, Event};
use chat_domain::ids::{ConversationId, CustomerId};
use chat_domain::model::{Conversation, HistoryQuery, Message, SenderKind};
use chat_domain::ports::RealtimeConversations;
use chat_domain::{DomainError, DomainResult};

use crate::{ConversationService, actor_of};

#[async_trait]
impl RealtimeConversations for ConversationService {
    async fn confirm(&self, claimed: Principal) -> DomainResult<Principal> {
        match claimed {
            Principal::Staff { user_id, .. } => match self.store().user_by_id(user_id).await? {
                Some(u) if u.active => Ok(Principal::Staff {
                    user_id,
                    role: u.role,
                }),
                _ => Err(DomainError::Unauthenticated(
                    "account is no longer active".into(),
                )),
            },
            Principal::Customer { customer_id } => {
                match self.store().customer_by_id(customer_id).await? {
                    Some(c) if c.erased_at.is_none() => Ok(Principal::Customer { customer_id }),
                    _ => Err(DomainError::Unauthenticated(
                        "this customer session is no longer valid".into(),
                    )),
                }
            }
        }
    }

    async fn open(&self, customer: CustomerId) -> DomainResult<Conversation> {
        ConversationService::open(self, customer).await
    }

    async fn visible(&self, who: &Principal, id: ConversationId) -> DomainResult<Conversation> {
        ConversationService::visible(self, who, id).await
    }

    async fn messages_after(
        &self,
        id: ConversationId,
        after_seq: i64,
        limit: u32,
    ) -> DomainResult<Vec<Message>> {
        self.store()
            .history(
                id,
                HistoryQuery::AfterSeq {
                    after: after_seq,
                    limit,
                },
            )
            .await
    }

    async fn queue_position(
        &self,
        who: &Principal,
        id: ConversationId,
    ) -> DomainResult<Option<u32>> {
        ConversationService::queue_position(self, who, id).await
    }

    async fn typing(&self, who: &Principal, id: ConversationId, on: bool) -> DomainResult<()> {
        // From the cache: a few milliseconds of staleness change nothing here.
        self.visible_cached(who, id).await?;
        self.publish(Event::Typing {
            conversation_id: id,
            actor: actor_of(who),
            on,
        })
        .await;
        Ok(())
    }

    async fn read_positions(
        &self,
        who: &Principal,
        conversation: &Conversation,
    ) -> DomainResult<Vec<(Actor, i64)>> {
        let stored = self.store().read_positions(conversation.id).await?;
        Ok(match who {
            // The customer learns how far staff have read, under the id of
            // the staff member who read furthest (staff ids are already on
            // the frames customers get: `conversation`, `typing`).
            Principal::Customer { .. } => stored
                .staff
                .map(|(user, seq)| {
                    (
                        Actor {
                            kind: SenderKind::Agent,
                            id: Some(user.to_string()),
                        },
                        seq,
                    )
                })
                .into_iter()
                .collect(),
            Principal::Staff { .. } if stored.customer > 0 => vec![(
                Actor {
                    kind: SenderKind::Customer,
                    id: Some(conversation.customer_id.to_string()),
                },
                stored.customer,
            )],
            Principal::Staff { .. } => Vec::new(),
        })
    }
}
