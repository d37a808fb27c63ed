//! The client's commands, one function each: a decoded frame is matched to
//! its command (`apply`), which does its work through the gateway's ports
//! and answers. A command's `Err(Handled::Domain)` is answered as an `error`
//! frame carrying the command's `ref`; `Err(Handled::Stop)` ends the socket.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use chat_domain::auth::Principal;
use chat_domain::events::PresenceStatus;
use chat_domain::ids::{ConversationId, UserId};
use chat_domain::model::{AppendOutcome, Message, Transition};
use chat_domain::{DomainError, DomainResult};
use futures_util::FutureExt as _;

use super::{Conn, Handled, Stop};
use crate::Gateway;
use crate::filter::written_by;
use crate::protocol::{ClientFrame, EncodedMessage, SendFrame, ServerFrame};

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
            ClientFrame::Send(request) => self.post(request).await,
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

    /// `send`: queued on this connection's [`Sends`], stored one after the
    /// other while this loop keeps delivering events; the outcome comes
    /// back to this loop ([`Conn::on_answer`]), or the message's own event
    /// answers first ([`Conn::deliver`]).
    async fn post(&mut self, request: SendFrame) -> Result<(), Handled> {
        let sends = self
            .sends
            .get_or_insert_with(|| Box::new(Sends::new(self.gw.clone(), self.principal.clone())));
        if sends.waiting() >= SENDS_IN_FLIGHT {
            self.refuse(
                "rate_limited",
                "too many messages awaiting storage: slow down",
                request.reference.as_deref(),
            )
            .await?;
            return Ok(());
        }
        let token = self.own.next_token();
        self.own.posted.push(Posted {
            decoded: Instant::now(),
            token,
            conversation_id: request.conversation_id,
            client_msg_id: request.client_msg_id.clone(),
            reference: request.reference.clone(),
            answered: false,
        });
        sends.queued.push_back((token, request));
        Ok(())
    }

    /// The outcome of one `send`: the `ack` or the `error`, unless the
    /// message's event reached this socket first and was answered with the
    /// `ack` already.
    pub(super) async fn on_answer(&mut self, answer: Answer) -> Result<(), Stop> {
        let (token, outcome) = answer;
        let Some(at) = self.own.posted.iter().position(|p| p.token == token) else {
            return Ok(());
        };
        let posted = self.own.posted.remove(at);
        if posted.answered {
            return Ok(());
        }
        let reference = posted.reference.as_deref();
        match outcome {
            Ok(o) => {
                let m = &o.message;
                // Acknowledged before this socket's delivery reached it: the
                // message is not to be delivered again when it does.
                if !self.echo_own
                    && self
                        .subs
                        .get(&m.conversation_id)
                        .is_some_and(|last| m.seq > *last)
                {
                    self.own.acked_ahead(m.conversation_id, m.seq);
                }
                let ack =
                    EncodedMessage::new(m).ack(m, &posted.client_msg_id, o.duplicate, reference);
                self.send(ack).await?;
                self.gw.stages.ack.record(posted.decoded.elapsed());
                Ok(())
            }
            Err(e) => self.refuse_domain(&e, reference).await,
        }
    }

    /// Outcomes already there, taken before a message event is delivered:
    /// the `ack`s then keep the order of the `send`s.
    pub(super) async fn answers_ready(&mut self) -> Result<(), Stop> {
        while let Some(answer) = answered(&mut self.sends).now_or_never() {
            self.on_answer(answer).await?;
        }
        Ok(())
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

/// Messages a connection may have waiting for storage.
const SENDS_IN_FLIGHT: usize = 64;

/// Own messages acknowledged ahead of delivery that are remembered: past
/// this, the oldest is forgotten, and its event is then delivered as a
/// `message` frame (a duplicate the client drops by sequence), never lost.
const ACKED_AHEAD: usize = 256;

/// The outcome of the `send` with this token.
pub(super) type Answer = (u64, DomainResult<AppendOutcome>);

/// A `send` being stored.
type Storing = Pin<Box<dyn Future<Output = DomainResult<AppendOutcome>> + Send>>;

/// A connection's `send`s awaiting storage, stored one after the other (so
/// its messages keep the order it sent them in) by a future the
/// connection's own loop polls ([`answered`]). It was a task of its own,
/// fed and answered through two channels: two more hand-offs per message
/// (a wake-up each, often across threads) for the same order. Created by
/// the first `send`: most sockets only listen.
pub(super) struct Sends {
    gw: Arc<Gateway>,
    principal: Principal,
    /// Waiting their turn.
    queued: VecDeque<(u64, SendFrame)>,
    /// Being stored.
    storing: Option<(u64, Storing)>,
}

impl Sends {
    fn new(gw: Arc<Gateway>, principal: Principal) -> Self {
        Self {
            gw,
            principal,
            queued: VecDeque::new(),
            storing: None,
        }
    }

    /// Sends not yet answered.
    fn waiting(&self) -> usize {
        self.queued.len() + usize::from(self.storing.is_some())
    }

    /// Stores the `send`s in order; ready with each one's outcome.
    fn poll_answer(&mut self, cx: &mut Context<'_>) -> Poll<Answer> {
        loop {
            if let Some((token, storing)) = &mut self.storing {
                let outcome = std::task::ready!(storing.as_mut().poll(cx));
                let token = *token;
                self.storing = None;
                return Poll::Ready((token, outcome));
            }
            let Some((token, r)) = self.queued.pop_front() else {
                return Poll::Pending;
            };
            let (gw, principal) = (self.gw.clone(), self.principal.clone());
            self.storing = Some((
                token,
                Box::pin(async move {
                    gw.conversations
                        .post(
                            &principal,
                            r.conversation_id,
                            r.body,
                            r.private,
                            Some(r.client_msg_id),
                        )
                        .await
                }),
            ));
        }
    }
}

/// The next outcome of the connection's `send`s (pending while there is
/// none, or no `send` yet). Polls in place: no allocation, nothing added to
/// the size of an idle connection's loop.
pub(super) fn answered(sends: &mut Option<Box<Sends>>) -> impl Future<Output = Answer> + '_ {
    std::future::poll_fn(move |cx| match sends {
        Some(s) => s.poll_answer(cx),
        None => Poll::Pending,
    })
}

/// A `send` awaiting its `ack`.
pub(super) struct Posted {
    /// When its frame was decoded (`message_ack_seconds` ends at its `ack`).
    decoded: Instant,
    token: u64,
    conversation_id: ConversationId,
    client_msg_id: String,
    reference: Option<String>,
    /// The message's event reached the socket first and was answered with
    /// the `ack`; the stored outcome is then dropped.
    answered: bool,
}

/// What the `ack` of a `send` answered by its own event carries.
pub(super) struct OwnAnswer {
    pub(super) client_msg_id: String,
    pub(super) reference: Option<String>,
    /// When the `send` frame was decoded.
    pub(super) decoded: Instant,
}

/// What a connection remembers of its own messages.
#[derive(Default)]
pub(super) struct OwnSends {
    next: u64,
    /// Posted, in order, until their outcome is back.
    posted: Vec<Posted>,
    /// (conversation, sequence) of messages acknowledged before delivery
    /// reached them: skipped when it does.
    ahead: Vec<(ConversationId, i64)>,
}

impl OwnSends {
    /// Nothing awaits an `ack` and nothing was acknowledged ahead.
    pub(super) fn is_empty(&self) -> bool {
        self.posted.is_empty() && self.ahead.is_empty()
    }

    fn next_token(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    fn acked_ahead(&mut self, id: ConversationId, seq: i64) {
        if self.ahead.len() >= ACKED_AHEAD {
            self.ahead.remove(0);
        }
        self.ahead.push((id, seq));
    }

    /// Whether `m` was acknowledged ahead (and is to be skipped); forgets
    /// what delivery has now passed.
    pub(super) fn passed(&mut self, m: &Message) -> bool {
        if self.ahead.is_empty() {
            return false;
        }
        let acked = self
            .ahead
            .iter()
            .any(|&(c, s)| c == m.conversation_id && s == m.seq);
        self.ahead
            .retain(|&(c, s)| c != m.conversation_id || s > m.seq);
        acked
    }

    /// Forgets what was acknowledged ahead in a conversation followed anew
    /// (its catch-up then sends everything the client asked for).
    pub(super) fn refollow(&mut self, id: ConversationId) {
        self.ahead.retain(|&(c, _)| c != id);
    }

    /// The `send` of this socket that `m` stores, if it awaits its `ack`:
    /// marked answered, what its `ack` needs returned.
    pub(super) fn answer(&mut self, principal: &Principal, m: &Message) -> Option<OwnAnswer> {
        let cmid = m.client_msg_id.as_deref()?;
        let p = self.posted.iter_mut().find(|p| {
            !p.answered && p.conversation_id == m.conversation_id && p.client_msg_id == cmid
        })?;
        if !written_by(principal, m) {
            return None;
        }
        p.answered = true;
        Some(OwnAnswer {
            client_msg_id: p.client_msg_id.clone(),
            reference: p.reference.take(),
            decoded: p.decoded,
        })
    }
}
