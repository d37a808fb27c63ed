//! Ordered, gap-free delivery: following a conversation (live events
//! first, then the stored catch-up), filling gaps from the store, and
//! handing each event through [`crate::filter::outgoing`].

use chat_domain::auth::Principal;
use chat_domain::ids::ConversationId;
use chat_domain::model::{Conversation, Message, MessageKind};

use super::{Conn, Stop};
use crate::filter::{Outgoing, outgoing, rated, rated_by};
use crate::hub::Shared;
use crate::protocol::{EncodedMessage, ServerFrame, close};

/// Catch-up is read in pages of this size.
const PAGE: u32 = 500;

impl Conn {
    /// Follows a conversation: registers for live events first, then sends
    /// everything after `after_seq` from the database, so nothing committed
    /// in between can fall through the crack (duplicates are dropped by
    /// sequence).
    pub(super) async fn follow(
        &mut self,
        id: ConversationId,
        after_seq: i64,
        reference: Option<&str>,
    ) -> Result<(), Stop> {
        let conv = match self.gw.conversations.visible(&self.principal, id).await {
            Ok(c) => c,
            Err(e) => return self.refuse_domain(&e, reference).await,
        };
        self.gw.hub.subscribe(self.id, id);
        self.subs.insert(id, after_seq.max(0));
        self.own.refollow(id);
        self.send(
            ServerFrame::Subscribed {
                conversation: &conv,
                reference,
            }
            .to_text(),
        )
        .await?;
        self.catch_up(id, None).await?;
        self.send_read_positions(&conv).await
    }

    /// After the catch-up: the stored read positions as `read` frames, so
    /// that a reload shows what the live frames showed. Not worth failing a
    /// subscription over: a store error is logged and the frames skipped.
    async fn send_read_positions(&mut self, conv: &Conversation) -> Result<(), Stop> {
        let positions = match self
            .gw
            .conversations
            .read_positions(&self.principal, conv)
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, conversation = %conv.id, "read positions not sent");
                return Ok(());
            }
        };
        for (actor, up_to_seq) in &positions {
            let frame = ServerFrame::Read {
                conversation_id: conv.id,
                actor,
                up_to_seq: *up_to_seq,
            };
            self.send(frame.to_text()).await?;
        }
        Ok(())
    }

    /// Sends the stored messages after the last one sent, up to `until`.
    async fn catch_up(&mut self, id: ConversationId, until: Option<i64>) -> Result<(), Stop> {
        let customer = matches!(self.principal, Principal::Customer { .. });
        loop {
            let Some(&last) = self.subs.get(&id) else {
                return Ok(());
            };
            if until.is_some_and(|u| last >= u) {
                return Ok(());
            }
            // Raw pages (access was checked when the conversation was
            // followed): paging must follow sequences, and private notes are
            // skipped for customers below, without shortening the page.
            let page = self
                .gw
                .conversations
                .messages_after(id, last, PAGE)
                .await
                .map_err(|e| {
                    // Sending what comes next would leave a hole: better to
                    // have the client come back and resume.
                    tracing::warn!(error = %e, conversation = %id, "catch-up failed");
                    Stop::Close(
                        close::TRY_AGAIN,
                        "temporarily unavailable: reconnect and resume".into(),
                    )
                })?;
            let full = page.len() as u32 >= PAGE;
            for m in &page {
                if until.is_some_and(|u| m.seq > u) {
                    return Ok(());
                }
                self.deliver(m, customer && m.kind == MessageKind::PrivateNote, None)
                    .await?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Sends the next message of a followed conversation: as a `message`
    /// frame, unless it is hidden from this socket, or it is this socket's
    /// own (protocol 2) and answered with its `ack` instead, or was
    /// acknowledged already. `encoded`: the message encoded once for every
    /// recipient of a live event (a catch-up message is encoded here).
    /// Whether a frame was queued.
    async fn deliver(
        &mut self,
        m: &Message,
        hidden: bool,
        encoded: Option<&EncodedMessage>,
    ) -> Result<bool, Stop> {
        if !self.echo_own && !self.own.is_empty() {
            // Answers already back first: the `ack`s keep the `send`s' order.
            self.answers_ready().await?;
            if self.own.passed(m) {
                self.subs.insert(m.conversation_id, m.seq);
                return Ok(false);
            }
            if let Some(answer) = self.own.answer(&self.principal, m) {
                self.subs.insert(m.conversation_id, m.seq);
                let reference = answer.reference.as_deref();
                let text = match encoded {
                    Some(e) => e.ack(m, &answer.client_msg_id, false, reference),
                    None => EncodedMessage::new(m).ack(m, &answer.client_msg_id, false, reference),
                };
                self.send(text).await?;
                self.gw.stages.ack.record(answer.decoded.elapsed());
                return Ok(true);
            }
        }
        if !hidden {
            let frame = match encoded {
                Some(e) => e.frame(),
                None => EncodedMessage::new(m).frame(),
            };
            self.send(frame).await?;
        }
        self.subs.insert(m.conversation_id, m.seq);
        Ok(!hidden)
    }

    pub(super) async fn resync(&mut self) -> Result<(), Stop> {
        let ids: Vec<ConversationId> = self.subs.keys().copied().collect();
        for id in ids {
            self.catch_up(id, None).await?;
        }
        Ok(())
    }

    /// Delivers one event the hub handed this socket, as [`outgoing`]
    /// decides.
    pub(super) async fn on_event(&mut self, shared: &Shared) -> Result<(), Stop> {
        let event = shared.event();
        match outgoing(&self.principal, |id| self.subs.get(&id).copied(), event) {
            Outgoing::Skip => {}
            Outgoing::Message {
                message,
                gap,
                hidden,
            } => {
                let id = message.conversation_id;
                if gap {
                    self.catch_up(id, Some(message.seq)).await?;
                }
                // The catch-up may have sent it already.
                if self.subs.get(&id).is_some_and(|last| *last >= message.seq) {
                    return Ok(());
                }
                if self
                    .deliver(message, hidden, shared.encoded_message())
                    .await?
                {
                    self.gw.stages.delivery.record(shared.arrived().elapsed());
                }
            }
            Outgoing::Frame(frame) => self.send(frame.to_text()).await?,
            Outgoing::Rated(conversation) => {
                let by = rated_by(conversation);
                self.send(rated(conversation, &by).to_text()).await?;
            }
            Outgoing::Changed {
                frame,
                conversation,
                unfollow,
            } => {
                self.send(frame.to_text()).await?;
                if unfollow && self.subs.remove(&conversation).is_some() {
                    self.gw.hub.unsubscribe(self.id, conversation);
                }
            }
        }
        Ok(())
    }
}
