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
//!
//! Layout: this module holds the socket's loop (frames in, deliveries,
//! heartbeats, limits) and its teardown; [`hello`] the handshake,
//! [`commands`] one function per client command, [`delivery`] following
//! conversations and delivering events (decided by [`crate::filter`]).

mod commands;
mod delivery;
mod hello;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use bytestring::ByteString;
use chat_domain::DomainError;
use chat_domain::auth::Principal;
use chat_domain::ids::ConversationId;
use futures_util::FutureExt as _;

use crate::Gateway;
use crate::hub::{CloseWhy, ConnHandle, ConnId, Outbound};
use crate::protocol::{DecodeError, Resume, ServerFrame, close, decode};
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
    mut writer: Writer,
    mut reader: Reader,
) -> Option<(Box<Conn>, Vec<Resume>)> {
    // Every frame counts from the first one: a ping flood before `hello`
    // is as costly as one after it.
    let mut limiter = Limiter::new(gw.config.rate_per_sec);
    let hello::Hello {
        principal,
        version,
        resume,
    } = match hello::authenticate(&gw, &mut writer, &mut reader, &mut limiter).await {
        Ok(h) => h,
        Err(Stop::Close(code, reason)) => {
            writer.close(code, &reason, gw.config.send_timeout).await;
            return None;
        }
        Err(Stop::Gone) => return None,
    };
    let (id, handle) = gw.hub.register(principal.clone(), gw.config.queue_capacity);
    metrics::gauge!("ws_connections", "kind" => kind_of(&principal)).increment(1.0);
    if let Principal::Staff { user_id, .. } = principal {
        gw.presence.connected(user_id).await;
    }
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
        echo_own: version < 2,
        own: commands::OwnSends::default(),
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

/// Waits at most the send timeout for a frame to be queued: a peer that
/// stops reading is dropped rather than held.
///
/// Nearly every frame is queued at once (there is room in actix-ws's
/// channel): those are sent without arming a timer, which only a send that
/// has to wait gets.
async fn within(
    gw: &Gateway,
    queued: impl std::future::Future<Output = Result<(), Closed>>,
) -> Result<(), Closed> {
    let mut queued = std::pin::pin!(queued);
    if let Some(done) = queued.as_mut().now_or_never() {
        return done;
    }
    tokio::time::timeout(gw.config.send_timeout, queued)
        .await
        .unwrap_or(Err(Closed))
}

struct Conn {
    /// This connection's `send`s awaiting storage, created by the first
    /// `send`: most sockets only listen, and an idle socket should hold as
    /// little memory as possible.
    sends: Option<Box<commands::Sends>>,
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
    /// Protocol version 1: the socket that sent a message gets it back as a
    /// `message` frame besides its `ack`. From version 2 it gets the `ack`
    /// alone, which carries the message.
    echo_own: bool,
    /// This socket's messages awaiting their `ack`, and those acknowledged
    /// before delivery reached them.
    own: commands::OwnSends,
}

impl Conn {
    /// Leaves the hub, updates presence and metrics, says why it closes.
    async fn finish(mut self: Box<Self>, stop: Stop) {
        // A `send` not yet queued for its commit is dropped here (the client
        // resends it on reconnect; it is stored once); one queued already
        // is committed whatever happens to this connection.
        drop(self.sends.take());
        let left_here = self.gw.hub.unregister(self.id);
        let kind = kind_of(&self.principal);
        metrics::gauge!("ws_connections", "kind" => kind).decrement(1.0);
        if let Stop::Close(code, _) = &stop {
            metrics::counter!("ws_closed_total", "code" => code.to_string()).increment(1);
        }
        if let Principal::Staff { user_id, .. } = self.principal
            && left_here == 0
        {
            self.gw.presence.disconnected(user_id).await;
        }
        if let Stop::Close(code, reason) = stop {
            let within = self.gw.config.send_timeout;
            self.writer.close(code, &reason, within).await;
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
                        Outbound::Event(shared) => Box::pin(self.on_event(&shared)).await,
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
                answer = commands::answered(&mut self.sends) => {
                    if let Err(stop) = Box::pin(self.on_answer(answer)).await { return stop; }
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
            Some(Ok(Incoming::Ping(bytes))) => within(&self.gw, self.writer.pong(&bytes))
                .await
                .map_err(|_| Stop::Gone),
            Some(Ok(Incoming::Pong | Incoming::Fragment)) => Ok(()),
            // Answered, so that the peer sees a clean close (not 1006).
            Some(Ok(Incoming::Close)) => Err(Stop::Close(close::NORMAL, String::new())),
            None => Err(Stop::Gone),
            Some(Err(e)) => Err(protocol_error(&e)),
        }
    }

    /// Sends text, with a deadline: a peer that stops reading is dropped.
    async fn send(&mut self, text: impl Into<ByteString>) -> Result<(), Stop> {
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
        match self.apply(frame).await {
            Ok(()) => Ok(()),
            Err(Handled::Stop(stop)) => Err(stop),
            Err(Handled::Domain(e)) => self.refuse_domain(&e, reference.as_deref()).await,
        }
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
