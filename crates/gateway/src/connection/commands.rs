//! The client's commands, one function each: a decoded frame is matched to
//! its command (`apply`), which does its work through the gateway's ports
//! and answers. A command's `Err(Handled::Domain)` is answered as an `error`
//! frame carrying the command's `ref`; `Err(Handled::Stop)` ends the socket.

use std::sync::Arc;

use chat_domain::DomainError;
use chat_domain::auth::Principal;
use chat_domain::events::PresenceStatus;
use chat_domain::ids::{ConversationId, UserId};
use chat_domain::model::Transition;

use super::{Conn, Handled, Stop, within};
use crate::Gateway;
use crate::protocol::{ClientFrame, ServerFrame};
use crate::socket::Writer;

impl Conn {
    /// Runs one decoded command.
    pub(super) async fn apply(&mut self, frame: ClientFrame) -> Result<(), Handled> {
        match frame {
            ClientFrame::Hello { reference, .. } => {
                self.refuse("bad_frame", "already authenticated", reference.as_deref())
                    .await?;
                Ok(())
            }
            ClientFrame::Ping { reference } => self.ping(reference.as_deref()).await,
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
                reference,
            } => {
                self.follow(conversation_id, after_seq, reference.as_deref())
                    .await?;
                Ok(())
            }
            ClientFrame::Unsubscribe {
                conversation_id,
                reference,
            } => {
                self.unsubscribe(conversation_id, reference.as_deref())
                    .await
            }
            ClientFrame::Open { reference } => self.open_conversation(reference.as_deref()).await,
            ClientFrame::Send {
                conversation_id,
                client_msg_id,
                body,
                private,
                reference,
            } => {
                self.post(SendRequest {
                    conversation_id,
                    client_msg_id,
                    body,
                    private,
                    reference,
                })
                .await
            }
            ClientFrame::Typing {
                conversation_id,
                on,
                ..
            } => {
                let svc = self.gw.conversations.clone();
                Ok(svc.typing(&self.principal, conversation_id, on).await?)
            }
            ClientFrame::Read {
                conversation_id,
                up_to_seq,
                ..
            } => {
                let svc = self.gw.conversations.clone();
                Ok(svc
                    .read_up_to(&self.principal, conversation_id, up_to_seq)
                    .await?)
            }
            ClientFrame::Presence { status, reference } => {
                self.presence(status, reference.as_deref()).await
            }
            ClientFrame::QueuePosition {
                conversation_id,
                reference,
            } => {
                self.queue_position(conversation_id, reference.as_deref())
                    .await
            }
            frame @ (ClientFrame::RequestHuman { .. }
            | ClientFrame::Accept { .. }
            | ClientFrame::Takeover { .. }
            | ClientFrame::HandBack { .. }
            | ClientFrame::Close { .. }
            | ClientFrame::Assign { .. }
            | ClientFrame::Transfer { .. }) => {
                let (id, t) = self.as_transition(&frame)?;
                self.transition(id, t, frame.reference()).await
            }
        }
    }

    /// `ping`: `pong`.
    async fn ping(&mut self, reference: Option<&str>) -> Result<(), Handled> {
        self.send(ServerFrame::Pong { reference }.to_text()).await?;
        Ok(())
    }

    /// `unsubscribe`: stop following; `result`.
    async fn unsubscribe(
        &mut self,
        id: ConversationId,
        reference: Option<&str>,
    ) -> Result<(), Handled> {
        self.subs.remove(&id);
        self.gw.hub.unsubscribe(self.id, id);
        self.result(reference).await
    }

    /// `open` (customers): a new conversation, followed at once.
    async fn open_conversation(&mut self, reference: Option<&str>) -> Result<(), Handled> {
        let Principal::Customer { customer_id } = self.principal else {
            return Err(DomainError::Forbidden("only customers open conversations".into()).into());
        };
        let conv = self.gw.conversations.open(customer_id).await?;
        self.follow(conv.id, 0, reference).await?;
        Ok(())
    }

    /// `send`: handed to this connection's sender task, where commits are
    /// awaited in order while this loop keeps delivering events.
    async fn post(&mut self, request: SendRequest) -> Result<(), Handled> {
        let (sends, _) = self.sends.get_or_insert_with(|| {
            let (tx, rx) = tokio::sync::mpsc::channel(SENDS_IN_FLIGHT);
            let task = tokio::spawn(sender(
                self.gw.clone(),
                self.principal.clone(),
                self.writer.clone(),
                rx,
            ));
            (tx, task)
        });
        match sends.try_send(request) {
            Ok(()) => Ok(()),
            Err(tokio::sync::mpsc::error::TrySendError::Full(r)) => {
                self.refuse(
                    "rate_limited",
                    "too many messages awaiting storage: slow down",
                    r.reference.as_deref(),
                )
                .await?;
                Ok(())
            }
            // The sender task is gone (its socket stopped reading).
            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => Err(Stop::Gone.into()),
        }
    }

    /// `presence` (staff): online or away; `result`.
    async fn presence(
        &mut self,
        status: PresenceStatus,
        reference: Option<&str>,
    ) -> Result<(), Handled> {
        let me = self.staff_id()?;
        self.gw.presence.set_status(me, status).await?;
        self.result(reference).await
    }

    /// `queue_position`: the place in the queue.
    async fn queue_position(
        &mut self,
        id: ConversationId,
        reference: Option<&str>,
    ) -> Result<(), Handled> {
        let position = self
            .gw
            .conversations
            .queue_position(&self.principal, id)
            .await?;
        let frame = ServerFrame::QueuePosition {
            conversation_id: id,
            position,
            reference,
        };
        self.send(frame.to_text()).await?;
        Ok(())
    }

    /// The life-cycle commands: `result` with the conversation after it
    /// (and, after `request_human`, the place in the queue).
    async fn transition(
        &mut self,
        id: ConversationId,
        t: Transition,
        reference: Option<&str>,
    ) -> Result<(), Handled> {
        let conv = self
            .gw
            .conversations
            .transition(&self.principal, id, t)
            .await?;
        self.send(
            ServerFrame::Result {
                conversation: Some(&conv),
                reference,
            }
            .to_text(),
        )
        .await?;
        if t == Transition::RequestHuman {
            // Best effort: the transition itself succeeded.
            let position = self
                .gw
                .conversations
                .queue_position(&self.principal, id)
                .await
                .unwrap_or(None);
            self.send(
                ServerFrame::QueuePosition {
                    conversation_id: id,
                    position,
                    reference,
                }
                .to_text(),
            )
            .await?;
        }
        Ok(())
    }

    /// A `result` frame without a conversation.
    async fn result(&mut self, reference: Option<&str>) -> Result<(), Handled> {
        self.send(
            ServerFrame::Result {
                conversation: None,
                reference,
            }
            .to_text(),
        )
        .await?;
        Ok(())
    }

    /// The life-cycle transition a command frame asks for (accepting and
    /// taking over are always for oneself).
    fn as_transition(&self, frame: &ClientFrame) -> Result<(ConversationId, Transition), Handled> {
        Ok(match frame {
            ClientFrame::RequestHuman {
                conversation_id, ..
            } => (*conversation_id, Transition::RequestHuman),
            ClientFrame::Accept {
                conversation_id, ..
            } => (*conversation_id, Transition::Accept(self.staff_id()?)),
            ClientFrame::Takeover {
                conversation_id, ..
            } => (*conversation_id, Transition::Takeover(self.staff_id()?)),
            ClientFrame::HandBack {
                conversation_id, ..
            } => (*conversation_id, Transition::HandBack),
            ClientFrame::Close {
                conversation_id, ..
            } => (*conversation_id, Transition::Close),
            ClientFrame::Assign {
                conversation_id,
                agent_id,
                ..
            } => (*conversation_id, Transition::Assign(*agent_id)),
            ClientFrame::Transfer {
                conversation_id,
                agent_id,
                ..
            } => (*conversation_id, Transition::Transfer(*agent_id)),
            _ => return Err(DomainError::Internal("not a life-cycle command".into()).into()),
        })
    }

    fn staff_id(&self) -> Result<UserId, Handled> {
        match self.principal {
            Principal::Staff { user_id, .. } => Ok(user_id),
            Principal::Customer { .. } => Err(DomainError::Forbidden("staff only".into()).into()),
        }
    }
}

/// A `send` frame on its way to the sender task.
pub(super) struct SendRequest {
    conversation_id: ConversationId,
    client_msg_id: String,
    body: String,
    private: bool,
    reference: Option<String>,
}

/// Messages a connection may have waiting for storage.
const SENDS_IN_FLIGHT: usize = 64;

/// Stores a connection's messages one after the other (so its own messages
/// keep the order it sent them in) and answers each with `ack` or `error`.
async fn sender(
    gw: Arc<Gateway>,
    principal: Principal,
    mut writer: Writer,
    mut rx: tokio::sync::mpsc::Receiver<SendRequest>,
) {
    while let Some(r) = rx.recv().await {
        let outcome = gw
            .conversations
            .post(
                &principal,
                r.conversation_id,
                r.body,
                r.private,
                Some(r.client_msg_id.clone()),
            )
            .await;
        let text = match outcome {
            Ok(o) => ServerFrame::Ack {
                conversation_id: r.conversation_id,
                client_msg_id: &r.client_msg_id,
                seq: o.message.seq,
                message_id: o.message.id.to_string(),
                duplicate: o.duplicate,
                reference: r.reference.as_deref(),
            }
            .to_text(),
            Err(e) => {
                let message = e.public_message();
                ServerFrame::Error {
                    code: e.code(),
                    message: &message,
                    reference: r.reference.as_deref(),
                }
                .to_text()
            }
        };
        if within(&gw, writer.text(text)).await.is_err() {
            return;
        }
    }
}
