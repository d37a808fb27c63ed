//! Leaving a message while support is away (`AwayDesk`).
//!
//! Outside business hours, or with nobody online, a customer who asks for a
//! person leaves an e-mail address and a message instead. The conversation
//! is queued for the next shift and recorded as "left a message", which the
//! idle sweeper respects (see `lifecycle`); the agent who takes it finds the
//! address on the customer, and the customer finds the reply on return.

use std::sync::Arc;

use chat_domain::DomainError;
use chat_domain::DomainResult;
use chat_domain::auth::Principal;
use chat_domain::availability::{AvailabilityRepository, AwayDesk, LeftMessage};
use chat_domain::ids::{ConversationId, CustomerId};
use chat_domain::model::{Conversation, ConversationState, CustomerPatch, Transition};
use chat_domain::time::now;

use crate::ConversationService;

/// The leave-a-message use case, over the conversation service.
pub struct AwayService {
    conversations: Arc<ConversationService>,
    availability: Arc<dyn AvailabilityRepository>,
}

impl AwayService {
    /// Wires the use case.
    pub fn new(
        conversations: Arc<ConversationService>,
        availability: Arc<dyn AvailabilityRepository>,
    ) -> Self {
        Self {
            conversations,
            availability,
        }
    }
}

#[async_trait::async_trait]
impl AwayDesk for AwayService {
    async fn leave_message(
        &self,
        customer: CustomerId,
        conversation: ConversationId,
        left: LeftMessage,
    ) -> DomainResult<Conversation> {
        let who = Principal::Customer {
            customer_id: customer,
        };
        let service = &self.conversations;
        let conv = service.visible(&who, conversation).await?;
        if conv.state == ConversationState::Closed {
            return Err(DomainError::Conflict(
                "the conversation is closed; start a new one".into(),
            ));
        }
        let patch = CustomerPatch {
            email: Some(Some(left.email)),
            ..Default::default()
        };
        service
            .store()
            .update_customer(customer, &patch, now())
            .await?;
        // Queued before the text is posted: a message in a `bot`
        // conversation would be answered by the assistant.
        if conv.state == ConversationState::Bot {
            match service
                .transition(&who, conversation, Transition::RequestHuman)
                .await
            {
                // Asked for a person in another tab meanwhile: queued all the same.
                Ok(_) | Err(DomainError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.availability
            .record_left_message(conversation, customer, now())
            .await?;
        let resent = match left.text {
            Some(text) => {
                service
                    .post(&who, conversation, text, false, left.client_msg_id)
                    .await?
                    .duplicate
            }
            None => false,
        };
        // A retry of the same message (same client id) gets no second notice.
        if !resent {
            let notice = crate::notices::left_message(customer, left.next_opening);
            service.post_notice(conversation, notice).await?;
        }
        service.visible(&who, conversation).await
    }
}
