//! One WebSocket connection: authentication, frame handling, ordered and
//! gap-free delivery, heartbeats, limits.
//!
//! Delivery rule: per followed conversation the connection remembers the last
//! sequence it sent. A live message with the next sequence is sent; one
//! already sent is dropped (duplicates from reconnects or several nodes);
//! one further ahead means something was missed (a lost bus event, a message
//! committed on another node) and the gap is read from the database before
//! it. The client therefore sees each conversation's messages exactly once,
//! in order, whatever the bus does.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chat_domain::DomainError;
use chat_domain::auth::Principal;
use chat_domain::events::{Event, PresenceStatus};
use chat_domain::ids::ConversationId;
use chat_domain::model::{HistoryQuery, MessageKind, Transition};
use chat_session::actor_of;

use crate::Gateway;
use crate::hub::{CloseWhy, ConnHandle, ConnId, Outbound};
use crate::protocol::{
    ClientFrame, DecodeError, PROTOCOL_VERSION, Resume, ServerFrame, close, decode,
};
use crate::rate::{Limiter, Verdict};
use crate::socket::{Closed, Incoming, ProtocolError, Reader, Writer};

/// Why the connection loop ended.
enum Stop {
    /// Close with this code and reason.
    Close(u16, String),
    /// The peer is gone (or will not read); just drop.
    Gone,
}

/// The close for a WebSocket-level error: 1009 for an oversize frame, 1002
/// for anything else the codec refuses.
fn protocol_error(e: &ProtocolError) -> Stop {
    match e {
        ProtocolError::Overflow => Stop::Close(close::TOO_BIG, "frame too large".into()),
        other => Stop::Close(close::PROTOCOL, format!("protocol error: {other}")),
    }
}

/// Catch-up is read in pages of this size.
const PAGE: u32 = 500;

/// The close for a socket whose frames keep being refused.
fn flooding() -> Stop {
    Stop::Close(close::POLICY, "flooding: too many frames, too often".into())
}

/// Serves one upgraded socket until it closes.
///
/// Every socket's task holds this future for as long as the socket lives,
/// so its size is memory per idle socket. The connection's state is one
/// allocation (`Box<Conn>`); the future itself holds little more than the
/// select loop. The work done once (handshake, presence, teardown) and the
/// work done per frame is boxed, allocated while it runs instead of sizing
/// every task.
pub async fn serve(gw: Arc<Gateway>, writer: Writer, reader: Reader) {
    let Some((mut conn, resume)) = Box::pin(open(gw, writer, reader)).await else {
        return;
    };
    let stop = conn.run(resume).await;
    Box::pin(conn.finish(stop)).await;
}

/// Authenticates the socket and registers it with the hub.
async fn open(
    gw: Arc<Gateway>,
    writer: Writer,
    mut reader: Reader,
) -> Option<(Box<Conn>, Vec<Resume>)> {
    // Every frame counts from the first one: a ping flood before `hello`
    // is as costly as one after it.
    let mut limiter = Limiter::new(gw.config.rate_per_sec);
    let (principal, resume) = match authenticate(&gw, &writer, &mut reader, &mut limiter).await {
        Ok(p) => p,
        Err(Stop::Close(code, reason)) => {
            writer.close(code, &reason);
            return None;
        }
        Err(Stop::Gone) => return None,
    };
    let (id, handle) = gw.hub.register(principal.clone(), gw.config.queue_capacity);
    metrics::gauge!("ws_connections", "kind" => kind_of(&principal)).increment(1.0);
    gw.connected(&principal).await;
    let conn = Box::new(Conn {
        sends: None,
        id,
        handle,
        reader,
        principal,
        gw,
        writer,
        subs: HashMap::new(),
        limiter,
    });
    Some((conn, resume))
}

fn kind_of(principal: &Principal) -> &'static str {
    if matches!(principal, Principal::Customer { .. }) {
        "customer"
    } else {
        "staff"
    }
}

/// The first frame must be a valid `hello`, within the hello timeout.
async fn authenticate(
    gw: &Gateway,
    writer: &Writer,
    reader: &mut Reader,
    limiter: &mut Limiter,
) -> Result<(Principal, Vec<Resume>), Stop> {
    let deadline = tokio::time::sleep(gw.config.hello_timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            () = &mut deadline => return Err(Stop::Close(close::UNAUTHENTICATED, "no hello in time".into())),
            msg = reader.next() => {
                // Only pings, pongs and parts of the first message can come
                // here more than once: they are what is counted; refused,
                // they go unanswered.
                if matches!(msg, Some(Ok(Incoming::Ping(_) | Incoming::Pong | Incoming::Fragment))) {
                    match limiter.check() {
                        Verdict::Allow => {}
                        Verdict::Refuse => continue,
                        Verdict::Close => return Err(flooding()),
                    }
                }
                match msg {
                    Some(Ok(Incoming::Text(text))) => {
                        let frame = match decode(&text) {
                            Ok(f) => f,
                            Err(_) => return Err(Stop::Close(close::UNAUTHENTICATED, "the first frame must be hello".into())),
                        };
                        let ClientFrame::Hello { v, token, resume, reference } = frame else {
                            return Err(Stop::Close(close::UNAUTHENTICATED, "the first frame must be hello".into()));
                        };
                        if v != PROTOCOL_VERSION {
                            return Err(Stop::Close(close::UNSUPPORTED_VERSION, format!("this server speaks v{PROTOCOL_VERSION}")));
                        }
                        let principal = match gw.verify(&token).await {
                            Ok(p) => p,
                            Err(e @ (DomainError::Unavailable(_) | DomainError::Internal(_))) => {
                                return Err(Stop::Close(close::TRY_AGAIN, e.public_message()));
                            }
                            Err(e) => return Err(Stop::Close(close::UNAUTHENTICATED, e.public_message())),
                        };
                        let session_id = uuid::Uuid::now_v7().to_string();
                        let welcome = ServerFrame::Welcome {
                            v: PROTOCOL_VERSION,
                            session: &session_id,
                            principal: &principal,
                            heartbeat_secs: gw.config.heartbeat.as_secs(),
                            max_frame_bytes: gw.config.max_frame_bytes,
                            rate_per_sec: gw.config.rate_per_sec,
                            reference: reference.as_deref(),
                        };
                        if within(gw, writer.text(welcome.to_text())).await.is_err() {
                            return Err(Stop::Gone);
                        }
                        return Ok((principal, resume));
                    }
                    Some(Ok(Incoming::Ping(bytes))) => {
                        if within(gw, writer.pong(bytes)).await.is_err() { return Err(Stop::Gone); }
                    }
                    Some(Ok(Incoming::Close)) => {
                        writer.close(close::NORMAL, "");
                        return Err(Stop::Gone);
                    }
                    Some(Ok(Incoming::Fragment | Incoming::Pong)) => {}
                    None => return Err(Stop::Gone),
                    Some(Ok(_)) => return Err(Stop::Close(close::UNAUTHENTICATED, "the first frame must be hello".into())),
                    Some(Err(e)) => return Err(protocol_error(&e)),
                }
            }
        }
    }
}

/// Waits at most the send timeout for a frame to be queued: a peer that
/// stops reading is dropped rather than held.
async fn within(
    gw: &Gateway,
    queued: impl std::future::Future<Output = Result<(), Closed>>,
) -> Result<(), Closed> {
    tokio::time::timeout(gw.config.send_timeout, queued)
        .await
        .unwrap_or(Err(Closed))
}

/// A `send` frame on its way to the sender task.
struct SendRequest {
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
    writer: Writer,
    mut rx: tokio::sync::mpsc::Receiver<SendRequest>,
) {
    while let Some(r) = rx.recv().await {
        let outcome = gw
            .service
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

struct Conn {
    /// Feeds this connection's sender task, started by the first `send`:
    /// most sockets only listen, and an idle socket should hold as little
    /// memory as possible (the task and its queue are a few KiB).
    sends: Option<(
        tokio::sync::mpsc::Sender<SendRequest>,
        tokio::task::JoinHandle<()>,
    )>,
    id: ConnId,
    /// Where the hub leaves what this connection must deliver.
    handle: Arc<ConnHandle>,
    /// Frames from the peer.
    reader: Reader,
    principal: Principal,
    gw: Arc<Gateway>,
    /// Frames to the peer.
    writer: Writer,
    /// Followed conversations → last sequence sent.
    subs: HashMap<ConversationId, i64>,
    /// Every frame from the peer draws on it.
    limiter: Limiter,
}

impl Conn {
    /// Leaves the hub, updates presence and metrics, says why it closes.
    async fn finish(mut self: Box<Self>, stop: Stop) {
        if let Some((_, task)) = self.sends.take() {
            task.abort();
        }
        let left_here = self.gw.hub.unregister(self.id);
        let kind = kind_of(&self.principal);
        metrics::gauge!("ws_connections", "kind" => kind).decrement(1.0);
        if let Stop::Close(code, _) = &stop {
            metrics::counter!("ws_closed_total", "code" => code.to_string()).increment(1);
        }
        self.gw.disconnected(&self.principal, left_here).await;
        if let Stop::Close(code, reason) = stop {
            self.writer.close(code, &reason);
        }
    }

    async fn run(&mut self, resume: Vec<Resume>) -> Stop {
        // Registered before catching up: nothing committed meanwhile is missed.
        for r in resume {
            if let Err(stop) = Box::pin(self.follow(r.conversation_id, r.after_seq, None)).await {
                return stop;
            }
        }
        let mut heartbeat = tokio::time::interval(self.gw.config.heartbeat);
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        let handle = self.handle.clone();
        loop {
            tokio::select! {
                msg = self.reader.next() => {
                    last_heard = Instant::now();
                    // Every await in this loop is boxed: an inline one would
                    // size the task of every socket, idle ones included.
                    if let Err(stop) = Box::pin(self.on_frame(msg)).await { return stop; }
                }
                item = handle.next() => {
                    let outcome = match item {
                        Outbound::Event(event) => Box::pin(self.on_event(&event)).await,
                        Outbound::Missed => Box::pin(self.resync()).await,
                        Outbound::Close(CloseWhy::SlowConsumer) => Err(Stop::Close(
                            close::SLOW_CONSUMER,
                            "too slow to read: reconnect and resume".into(),
                        )),
                        Outbound::Close(CloseWhy::Shutdown) => Err(Stop::Close(
                            close::GOING_AWAY,
                            "server shutting down: reconnect and resume".into(),
                        )),
                        Outbound::Close(CloseWhy::Revoked) => Err(Stop::Close(
                            close::REVOKED,
                            "session revoked: sign in again".into(),
                        )),
                    };
                    if let Err(stop) = outcome { return stop; }
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > self.gw.config.client_timeout {
                        return Stop::Close(close::HEARTBEAT_TIMEOUT, "no heartbeat".into());
                    }
                    if Box::pin(within(&self.gw, self.writer.ping())).await.is_err() { return Stop::Gone; }
                }
            }
        }
    }

    /// One frame (or the end of the stream) from the peer.
    async fn on_frame(&mut self, msg: Option<Result<Incoming, ProtocolError>>) -> Result<(), Stop> {
        // Every frame is charged, control frames and parts of messages
        // included: a flood of pings or empty continuations costs the server
        // as much as one of messages. (A close is honoured whatever the rate.)
        if let Some(Ok(frame)) = &msg
            && *frame != Incoming::Close
        {
            match self.limiter.check() {
                Verdict::Allow => {}
                Verdict::Close => return Err(flooding()),
                // A refused message is answered, so the client knows to
                // slow down; a refused ping is not (that would be the cost
                // the limit avoids), nor is anything else.
                Verdict::Refuse if matches!(frame, Incoming::Text(_) | Incoming::Binary(_)) => {
                    return self
                        .refuse("rate_limited", "too many frames: slow down", None)
                        .await;
                }
                Verdict::Refuse => return Ok(()),
            }
        }
        match msg {
            Some(Ok(Incoming::Text(text))) => self.on_text(&text).await,
            Some(Ok(Incoming::Binary(_))) => {
                self.refuse(
                    "bad_frame",
                    "binary frames are not used; send JSON text",
                    None,
                )
                .await
            }
            Some(Ok(Incoming::Ping(bytes))) => within(&self.gw, self.writer.pong(bytes))
                .await
                .map_err(|_| Stop::Gone),
            Some(Ok(Incoming::Pong | Incoming::Fragment)) => Ok(()),
            Some(Ok(Incoming::Close)) => {
                // Answered, so that the peer sees a clean close (not 1006).
                self.writer.close(close::NORMAL, "");
                Err(Stop::Gone)
            }
            None => Err(Stop::Gone),
            Some(Err(e)) => Err(protocol_error(&e)),
        }
    }

    /// Sends text, with a deadline: a peer that stops reading is dropped.
    async fn send(&mut self, text: String) -> Result<(), Stop> {
        within(&self.gw, self.writer.text(text))
            .await
            .map_err(|_| Stop::Gone)
    }

    async fn refuse(
        &mut self,
        code: &str,
        message: &str,
        reference: Option<&str>,
    ) -> Result<(), Stop> {
        self.send(
            ServerFrame::Error {
                code,
                message,
                reference,
            }
            .to_text(),
        )
        .await
    }

    async fn refuse_domain(
        &mut self,
        e: &DomainError,
        reference: Option<&str>,
    ) -> Result<(), Stop> {
        let message = e.public_message();
        self.refuse(e.code(), &message, reference).await
    }

    async fn on_text(&mut self, text: &str) -> Result<(), Stop> {
        let frame = match decode(text) {
            Ok(f) => f,
            Err((e, reference)) => {
                let (code, message) = match e {
                    DecodeError::Malformed(m) => ("bad_frame", m),
                    DecodeError::UnknownType(t) => {
                        ("unknown_type", format!("unknown frame type `{t}`"))
                    }
                    DecodeError::InvalidFields(m) => ("bad_frame", m),
                };
                return self.refuse(code, &message, reference.as_deref()).await;
            }
        };
        let reference = frame.reference().map(str::to_owned);
        match self.handle(frame).await {
            Ok(()) => Ok(()),
            Err(Handled::Stop(stop)) => Err(stop),
            Err(Handled::Domain(e)) => self.refuse_domain(&e, reference.as_deref()).await,
        }
    }

    async fn handle(&mut self, frame: ClientFrame) -> Result<(), Handled> {
        let svc = self.gw.service.clone();
        match frame {
            ClientFrame::Hello { reference, .. } => {
                self.refuse("bad_frame", "already authenticated", reference.as_deref())
                    .await?;
            }
            ClientFrame::Ping { reference } => {
                self.send(
                    ServerFrame::Pong {
                        reference: reference.as_deref(),
                    }
                    .to_text(),
                )
                .await?
            }
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
                reference,
            } => {
                self.follow(conversation_id, after_seq, reference.as_deref())
                    .await?;
            }
            ClientFrame::Unsubscribe {
                conversation_id,
                reference,
            } => {
                self.subs.remove(&conversation_id);
                self.gw.hub.unsubscribe(self.id, conversation_id);
                self.send(
                    ServerFrame::Result {
                        conversation: None,
                        reference: reference.as_deref(),
                    }
                    .to_text(),
                )
                .await?;
            }
            ClientFrame::Open { reference } => {
                let Principal::Customer { customer_id } = self.principal else {
                    return Err(
                        DomainError::Forbidden("only customers open conversations".into()).into(),
                    );
                };
                let conv = svc.open(customer_id).await?;
                self.follow(conv.id, 0, reference.as_deref()).await?;
            }
            ClientFrame::Send {
                conversation_id,
                client_msg_id,
                body,
                private,
                reference,
            } => {
                // Handed to this connection's sender task: commits are awaited
                // there, in order, while this loop keeps delivering events.
                let request = SendRequest {
                    conversation_id,
                    client_msg_id,
                    body,
                    private,
                    reference,
                };
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
                    Ok(()) => {}
                    Err(tokio::sync::mpsc::error::TrySendError::Full(r)) => {
                        self.refuse(
                            "rate_limited",
                            "too many messages awaiting storage: slow down",
                            r.reference.as_deref(),
                        )
                        .await?;
                    }
                    // The sender task is gone (its socket stopped reading).
                    Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => {
                        return Err(Stop::Gone.into());
                    }
                }
            }
            ClientFrame::Typing {
                conversation_id,
                on,
                ..
            } => {
                svc.visible_cached(&self.principal, conversation_id).await?;
                svc.publish(Event::Typing {
                    conversation_id,
                    actor: actor_of(&self.principal),
                    on,
                })
                .await;
            }
            ClientFrame::Read {
                conversation_id,
                up_to_seq,
                ..
            } => {
                svc.visible_cached(&self.principal, conversation_id).await?;
                svc.publish(Event::Read {
                    conversation_id,
                    actor: actor_of(&self.principal),
                    up_to_seq,
                })
                .await;
            }
            frame @ (ClientFrame::RequestHuman { .. }
            | ClientFrame::Accept { .. }
            | ClientFrame::Takeover { .. }
            | ClientFrame::HandBack { .. }
            | ClientFrame::Close { .. }
            | ClientFrame::Assign { .. }
            | ClientFrame::Transfer { .. }) => {
                let (id, t) = self.as_transition(&frame)?;
                self.transition(id, t, frame.reference()).await?;
            }
            ClientFrame::Presence { status, reference } => {
                let me = self.staff_id()?;
                if status == PresenceStatus::Offline {
                    return Err(DomainError::invalid(
                        "status",
                        "must be online or away (disconnect to go offline)",
                    )
                    .into());
                }
                self.gw.set_status(me, status).await;
                self.send(
                    ServerFrame::Result {
                        conversation: None,
                        reference: reference.as_deref(),
                    }
                    .to_text(),
                )
                .await?;
            }
            ClientFrame::QueuePosition {
                conversation_id,
                reference,
            } => {
                let position = svc.queue_position(&self.principal, conversation_id).await?;
                let frame = ServerFrame::QueuePosition {
                    conversation_id,
                    position,
                    reference: reference.as_deref(),
                };
                self.send(frame.to_text()).await?;
            }
        }
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

    fn staff_id(&self) -> Result<chat_domain::ids::UserId, Handled> {
        match self.principal {
            Principal::Staff { user_id, .. } => Ok(user_id),
            Principal::Customer { .. } => Err(DomainError::Forbidden("staff only".into()).into()),
        }
    }

    async fn transition(
        &mut self,
        id: ConversationId,
        t: Transition,
        reference: Option<&str>,
    ) -> Result<(), Handled> {
        let conv = self.gw.service.transition(&self.principal, id, t).await?;
        self.send(
            ServerFrame::Result {
                conversation: Some(&conv),
                reference,
            }
            .to_text(),
        )
        .await?;
        if t == Transition::RequestHuman {
            let position = self
                .gw
                .service
                .store()
                .queue_position(id)
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

    /// Follows a conversation: registers for live events first, then sends
    /// everything after `after_seq` from the database, so nothing committed
    /// in between can fall through the crack (duplicates are dropped by
    /// sequence).
    async fn follow(
        &mut self,
        id: ConversationId,
        after_seq: i64,
        reference: Option<&str>,
    ) -> Result<(), Stop> {
        let conv = match self.gw.service.visible(&self.principal, id).await {
            Ok(c) => c,
            Err(e) => return self.refuse_domain(&e, reference).await,
        };
        self.gw.hub.subscribe(self.id, id);
        self.subs.insert(id, after_seq.max(0));
        self.send(
            ServerFrame::Subscribed {
                conversation: &conv,
                reference,
            }
            .to_text(),
        )
        .await?;
        self.catch_up(id, None).await
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
                .service
                .store()
                .history(
                    id,
                    HistoryQuery::AfterSeq {
                        after: last,
                        limit: PAGE,
                    },
                )
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
                if !(customer && m.kind == MessageKind::PrivateNote) {
                    self.send(ServerFrame::Message { message: m }.to_text())
                        .await?;
                }
                self.subs.insert(id, m.seq);
            }
            if !full {
                return Ok(());
            }
        }
    }

    async fn resync(&mut self) -> Result<(), Stop> {
        let ids: Vec<ConversationId> = self.subs.keys().copied().collect();
        for id in ids {
            self.catch_up(id, None).await?;
        }
        Ok(())
    }

    async fn on_event(&mut self, event: &Event) -> Result<(), Stop> {
        match event {
            Event::MessageCreated { message } => {
                let Some(&last) = self.subs.get(&message.conversation_id) else {
                    return Ok(());
                };
                if message.seq <= last {
                    return Ok(());
                }
                if message.seq > last + 1 {
                    self.catch_up(message.conversation_id, Some(message.seq))
                        .await?;
                }
                if message.kind == MessageKind::PrivateNote
                    && matches!(self.principal, Principal::Customer { .. })
                {
                    self.subs.insert(message.conversation_id, message.seq);
                    return Ok(());
                }
                if self
                    .subs
                    .get(&message.conversation_id)
                    .is_some_and(|l| *l >= message.seq)
                {
                    return Ok(());
                }
                self.send(ServerFrame::Message { message }.to_text())
                    .await?;
                self.subs.insert(message.conversation_id, message.seq);
            }
            Event::ConversationChanged {
                conversation,
                previous_state,
                change,
                by,
                ..
            } => {
                let visible = crate::hub::may_see(&self.principal, conversation);
                let frame = ServerFrame::Conversation {
                    change: change.as_str(),
                    conversation,
                    previous_state: *previous_state,
                    by,
                };
                self.send(frame.to_text()).await?;
                if !visible && self.subs.remove(&conversation.id).is_some() {
                    // Taken by someone else: it is no longer this agent's to follow.
                    self.gw.hub.unsubscribe(self.id, conversation.id);
                }
            }
            Event::Typing {
                conversation_id,
                actor,
                on,
            } => {
                if actor.id != actor_of(&self.principal).id {
                    self.send(
                        ServerFrame::Typing {
                            conversation_id: *conversation_id,
                            actor,
                            on: *on,
                        }
                        .to_text(),
                    )
                    .await?;
                }
            }
            Event::Read {
                conversation_id,
                actor,
                up_to_seq,
            } => {
                let frame = ServerFrame::Read {
                    conversation_id: *conversation_id,
                    actor,
                    up_to_seq: *up_to_seq,
                };
                self.send(frame.to_text()).await?;
            }
            Event::Presence { agent_id, status } => {
                self.send(
                    ServerFrame::Presence {
                        agent_id: *agent_id,
                        status: *status,
                    }
                    .to_text(),
                )
                .await?;
            }
            Event::Offer {
                conversation_id, ..
            } => {
                self.send(
                    ServerFrame::Offer {
                        conversation_id: *conversation_id,
                    }
                    .to_text(),
                )
                .await?;
            }
            Event::QueueAlert {
                conversation_id,
                waited_secs,
            } => {
                let frame = ServerFrame::QueueAlert {
                    conversation_id: *conversation_id,
                    waited_secs: *waited_secs,
                };
                self.send(frame.to_text()).await?;
            }
            Event::AiDelta {
                conversation_id,
                reply_id,
                delta,
                reset,
            } => {
                let frame = ServerFrame::AiDelta {
                    conversation_id: *conversation_id,
                    reply_id,
                    delta,
                    reset: *reset,
                };
                self.send(frame.to_text()).await?;
            }
            Event::CsatSubmitted { conversation } => {
                let by = chat_domain::events::Actor {
                    kind: chat_domain::model::SenderKind::Customer,
                    id: Some(conversation.customer_id.to_string()),
                };
                let frame = ServerFrame::Conversation {
                    change: chat_domain::events::ConversationChange::Rated.as_str(),
                    conversation,
                    previous_state: Some(conversation.state),
                    by: &by,
                };
                self.send(frame.to_text()).await?;
            }
            // The hub sends these to no socket.
            Event::WebhooksChanged | Event::SessionsRevoked { .. } => {}
        }
        Ok(())
    }
}

/// A handler outcome: stop the connection, or refuse the frame.
enum Handled {
    Stop(Stop),
    Domain(DomainError),
}

impl From<Stop> for Handled {
    fn from(s: Stop) -> Self {
        Handled::Stop(s)
    }
}

impl From<DomainError> for Handled {
    fn from(e: DomainError) -> Self {
        Handled::Domain(e)
    }
}
