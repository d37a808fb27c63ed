//! WebSocket framing: the upgrade handshake, decoding the peer's frames and
//! encoding ours into the HTTP response body.
//!
//! Why not actix-ws: its session is a tokio `mpsc` channel of 32 messages,
//! allocated (~1.8 KiB with its cache-padded state) for every socket before
//! anything is sent, plus a oneshot and an `Arc` flag. Here the connection's
//! task encodes frames straight into one buffer that the response body
//! drains; the buffer is empty (no allocation) while the socket is idle, and
//! the whole shared state is one small `Arc`.
//!
//! Back-pressure is by bytes: a writer waits while [`WRITE_LIMIT`] bytes are
//! queued and not yet taken by actix-http (which itself stops taking once
//! its write buffer is full, i.e. once the peer stops reading). Callers put
//! a deadline on the wait and end the connection's task when it passes,
//! which frees the hub entry and presence. The TCP connection itself, with
//! actix-http's dispatcher and what the kernel buffered, stays until the
//! peer reads or goes away: actix-http has no write-stall timeout.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use actix_codec::{Decoder as _, Encoder as _};
use actix_http::ws::{self, Codec, Frame, Item, Message};
use actix_web::body::{BodySize, MessageBody};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use bytestring::ByteString;
use futures_util::Stream as _;
use tokio::sync::Notify;

pub use actix_http::ws::{HandshakeError, ProtocolError};

/// Bytes a connection may have encoded and not yet handed to actix-http
/// before its writers wait. Large enough for a page of catch-up to flow
/// without stalls, small enough that 100,000 slow sockets cannot hold much.
pub const WRITE_LIMIT: usize = 64 * 1024;

/// Control frames carry at most 125 bytes (RFC 6455, 5.5); a close frame
/// spends two of them on its code.
const MAX_CLOSE_REASON: usize = 123;

/// The longest frame header: 2 bytes, 8 of extended length, 4 of mask.
const MAX_HEADER: usize = 14;

/// A frame from the peer, continuations already joined.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A complete text message (valid UTF-8).
    Text(ByteString),
    /// A complete binary message.
    Binary(Bytes),
    /// A ping, to be answered with a pong carrying the same bytes.
    Ping(Bytes),
    /// A pong.
    Pong,
    /// A part of a message in continuation frames that is not its last:
    /// returned so that the caller sees (and rate-limits) every frame.
    Fragment,
    /// The peer is closing; it is answered with a close frame.
    Close,
}

/// The sending side is closed: a close frame was queued, or the socket is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// Answers a WebSocket upgrade request: the 101 response whose body carries
/// our frames, the [`Writer`] to write them and the [`Reader`] of the peer's.
///
/// `max_frame` bounds one frame and one message made of continuations.
pub fn accept(
    req: &HttpRequest,
    payload: actix_web::dev::Payload,
    max_frame: usize,
) -> Result<(HttpResponse, Writer, Reader), HandshakeError> {
    let mut response = ws::handshake(req.head())?;
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        space: Notify::new(),
        writers: AtomicUsize::new(1),
    });
    let body = Body {
        shared: shared.clone(),
    };
    let response = HttpResponse::from(response.body(body)).map_into_boxed_body();
    let reader = Reader {
        payload,
        buf: BytesMut::new(),
        codec: Codec::new().max_size(max_frame),
        max: max_frame,
        partial: None,
        ended: false,
        shared: shared.clone(),
    };
    Ok((response, Writer { shared }, reader))
}

/// What the writers, the response body and the reader share.
struct Shared {
    state: Mutex<State>,
    /// Woken when the body takes the queued bytes, or the socket ends.
    space: Notify,
    /// Live [`Writer`] handles: when the last one goes, the body ends.
    writers: AtomicUsize,
}

#[derive(Default)]
struct State {
    /// Encoded frames not yet taken by the body.
    queued: BytesMut,
    /// The body's task, waiting for bytes.
    body: Option<Waker>,
    /// The reader's task, to be told when the body is dropped.
    reader: Option<Waker>,
    /// No more frames: the body ends once `queued` is taken.
    closing: bool,
    /// actix-http dropped the body: the connection is gone.
    gone: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves only bytes half-encoded for
        // a socket that is going away anyway: carry on with the state.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes frames to one socket. Cloned for each task that writes; when the
/// last clone is dropped the socket's response ends (the peer sees the TCP
/// connection close).
pub struct Writer {
    shared: Arc<Shared>,
}

impl Clone for Writer {
    fn clone(&self) -> Self {
        self.shared.writers.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.shared.writers.fetch_sub(1, Ordering::AcqRel) == 1 {
            let waker = {
                let mut s = self.shared.lock();
                s.closing = true;
                s.body.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

impl Writer {
    /// Queues a text frame, waiting while the queue is full.
    pub async fn text(&self, text: String) -> Result<(), Closed> {
        self.push(Message::Text(text.into())).await
    }

    /// Queues a ping.
    pub async fn ping(&self) -> Result<(), Closed> {
        self.push(Message::Ping(Bytes::new())).await
    }

    /// Answers a ping.
    pub async fn pong(&self, bytes: Bytes) -> Result<(), Closed> {
        self.push(Message::Pong(bytes)).await
    }

    /// Queues a close frame (the reason cut to what a control frame holds)
    /// and ends the socket after it: later frames are refused. It does not
    /// wait for room, so a peer that does not read cannot hold it up.
    pub fn close(&self, code: u16, reason: &str) {
        let mut end = reason.len().min(MAX_CLOSE_REASON);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let frame = Message::Close(Some(ws::CloseReason {
            code: ws::CloseCode::Other(code),
            description: Some(reason[..end].to_owned()),
        }));
        let waker = {
            let mut s = self.shared.lock();
            if s.closing || s.gone {
                return;
            }
            s.closing = true;
            encode(&mut s.queued, frame);
            s.body.take()
        };
        // Writers waiting for room are refused now, not at their deadline.
        self.shared.space.notify_waiters();
        if let Some(w) = waker {
            w.wake();
        }
    }

    async fn push(&self, frame: Message) -> Result<(), Closed> {
        let mut frame = Some(frame);
        loop {
            // Created before the check, so a drain in between is not missed.
            let room = self.shared.space.notified();
            let queued = {
                let mut s = self.shared.lock();
                if s.closing || s.gone {
                    return Err(Closed);
                }
                if s.queued.len() < WRITE_LIMIT {
                    let was_empty = s.queued.is_empty();
                    if let Some(f) = frame.take() {
                        encode(&mut s.queued, f);
                    }
                    // Non-empty means the body was woken and has not run yet.
                    Some(if was_empty { s.body.take() } else { None })
                } else {
                    None
                }
            };
            match queued {
                Some(waker) => {
                    if let Some(w) = waker {
                        w.wake();
                    }
                    return Ok(());
                }
                None => room.await,
            }
        }
    }
}

fn encode(dst: &mut BytesMut, frame: Message) {
    // Encoding an unmasked server frame into a growable buffer cannot fail
    // (the codec's only errors are about decoding).
    if let Err(e) = Codec::new().encode(frame, dst) {
        tracing::error!(error = %e, "encoding a WebSocket frame failed");
    }
}

/// The 101 response's body: the frames the [`Writer`] queued, as actix-http
/// asks for them.
struct Body {
    shared: Arc<Shared>,
}

impl MessageBody for Body {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let mut s = self.shared.lock();
        if !s.queued.is_empty() {
            // Taken whole, so an idle socket keeps no buffer.
            let bytes = std::mem::take(&mut s.queued).freeze();
            drop(s);
            self.shared.space.notify_waiters();
            return Poll::Ready(Some(Ok(bytes)));
        }
        if s.closing {
            return Poll::Ready(None);
        }
        match &mut s.body {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        // actix-http drops the body when the response or the connection
        // ends (the peer went, a write failed, the server stops). The request
        // payload usually ends then too, but only when actix-http drops its
        // sending side: the reader is told here either way.
        let reader = {
            let mut s = self.shared.lock();
            s.gone = true;
            s.queued = BytesMut::new();
            s.reader.take()
        };
        self.shared.space.notify_waiters();
        if let Some(w) = reader {
            w.wake();
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        // The waker would keep the finished task's memory alive for as long
        // as a stalled connection keeps the body.
        self.shared.lock().reader = None;
    }
}

/// A message being received in continuation frames.
struct Partial {
    text: bool,
    bytes: BytesMut,
}

/// The peer's frames, decoded from the request payload.
pub struct Reader {
    payload: actix_web::dev::Payload,
    /// Received bytes not yet decoded; released when empty.
    buf: BytesMut,
    codec: Codec,
    /// Bound on a message made of continuations.
    max: usize,
    partial: Option<Partial>,
    ended: bool,
    shared: Arc<Shared>,
}

impl Reader {
    /// The next message, or `None` once the peer or the connection is gone.
    /// After an error the stream ends: the socket is to be closed.
    pub async fn next(&mut self) -> Option<Result<Incoming, ProtocolError>> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Incoming, ProtocolError>>> {
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            match self.decode() {
                Ok(Some(m)) => return Poll::Ready(Some(Ok(m))),
                Ok(None) => {}
                Err(e) => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
            match Pin::new(&mut self.payload).poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    if self.buf.is_empty() {
                        self.buf = BytesMut::from(bytes);
                    } else {
                        self.buf.extend_from_slice(&bytes);
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(ProtocolError::Io(std::io::Error::other(e)))));
                }
                Poll::Ready(None) => self.ended = true,
                Poll::Pending => {
                    let mut s = self.shared.lock();
                    if s.gone {
                        self.ended = true;
                        continue;
                    }
                    match &mut s.reader {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        slot => *slot = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// The next frame in the buffer, if a whole one is there.
    fn decode(&mut self) -> Result<Option<Incoming>, ProtocolError> {
        let frame = self.codec.decode(&mut self.buf)?;
        if self.buf.is_empty() {
            // Frames decoded so far keep what they need; the emptied
            // buffer (even at zero capacity) still points into the last
            // read and would pin it for as long as the socket idles.
            self.buf = BytesMut::new();
        }
        let Some(frame) = frame else {
            // The codec refuses an oversize frame only once all of it has
            // arrived, so a peer announcing a huge frame would hold the
            // socket (and make this buffer grow) for as long as it keeps
            // sending, or until the heartbeat if it sends nothing more. The
            // frame pending here is refused as soon as its header announces
            // too much; the size check stays as a backstop.
            if announced_len(&self.buf).is_some_and(|n| n > self.max as u64)
                || self.buf.len() > self.max + MAX_HEADER
            {
                return Err(ProtocolError::Overflow);
            }
            return Ok(None);
        };
        Ok(Some(match frame {
            Frame::Text(bytes) => Incoming::Text(utf8(bytes)?),
            Frame::Binary(bytes) => Incoming::Binary(bytes),
            Frame::Ping(bytes) => Incoming::Ping(bytes),
            Frame::Pong(_) => Incoming::Pong,
            Frame::Close(_) => Incoming::Close,
            Frame::Continuation(item) => self.join(item)?.unwrap_or(Incoming::Fragment),
        }))
    }

    /// Adds a continuation frame; the message once its last part is in.
    fn join(&mut self, item: Item) -> Result<Option<Incoming>, ProtocolError> {
        let (first, last, bytes) = match item {
            Item::FirstText(b) => (Some(true), false, b),
            Item::FirstBinary(b) => (Some(false), false, b),
            Item::Continue(b) => (None, false, b),
            Item::Last(b) => (None, true, b),
        };
        // The codec refuses a continuation without a start and a start in
        // the middle of one, so `partial` is set exactly when it must be.
        let partial = match first {
            Some(text) => self.partial.insert(Partial {
                text,
                bytes: BytesMut::new(),
            }),
            None => match self.partial.as_mut() {
                Some(p) => p,
                None => return Err(ProtocolError::ContinuationNotStarted),
            },
        };
        if partial.bytes.len() + bytes.len() > self.max {
            self.partial = None;
            return Err(ProtocolError::Overflow);
        }
        partial.bytes.extend_from_slice(&bytes);
        if !last {
            return Ok(None);
        }
        let Some(Partial { text, bytes }) = self.partial.take() else {
            return Ok(None);
        };
        let bytes = bytes.freeze();
        Ok(Some(if text {
            Incoming::Text(utf8(bytes)?)
        } else {
            Incoming::Binary(bytes)
        }))
    }
}

/// The payload length a frame header at the start of `buf` announces, once
/// enough of it has arrived (RFC 6455, 5.2: 7 bits, or 16 or 64 after).
fn announced_len(buf: &[u8]) -> Option<u64> {
    match buf.get(1)? & 0x7f {
        126 => Some(u64::from(u16::from_be_bytes(
            buf.get(2..4)?.try_into().ok()?,
        ))),
        127 => Some(u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?)),
        n => Some(u64::from(n)),
    }
}

fn utf8(bytes: Bytes) -> Result<ByteString, ProtocolError> {
    ByteString::try_from(bytes)
        .map_err(|e| ProtocolError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header;
    use actix_web::test::TestRequest;
    use futures_util::FutureExt as _;

    type Chunk = Result<Bytes, actix_web::error::PayloadError>;

    struct Peer {
        body: actix_web::body::BoxBody,
        feed: Option<tokio::sync::mpsc::UnboundedSender<Chunk>>,
    }

    /// A socket whose request payload the test feeds, as actix-http would.
    fn socket(max: usize) -> (Peer, Writer, Reader) {
        let req = TestRequest::default()
            .insert_header((header::UPGRADE, "websocket"))
            .insert_header((header::CONNECTION, "upgrade"))
            .insert_header((header::SEC_WEBSOCKET_VERSION, "13"))
            .insert_header((header::SEC_WEBSOCKET_KEY, "x3JJHMbDL1EzLkh9GBhXDw=="))
            .to_http_request();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Chunk>();
        let stream: actix_http::BoxedPayloadStream =
            Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)));
        let payload = actix_web::dev::Payload::Stream { payload: stream };
        let (response, writer, reader) = accept(&req, payload, max).unwrap();
        assert_eq!(response.status(), 101);
        let body = response.into_body();
        (
            Peer {
                body,
                feed: Some(tx),
            },
            writer,
            reader,
        )
    }

    /// Frames as a client sends them (masked; one encoder, since it
    /// tracks whether a fragmented message is open).
    fn client(frames: impl IntoIterator<Item = Message>) -> Bytes {
        let mut codec = Codec::new().client_mode();
        let mut buf = BytesMut::new();
        for f in frames {
            codec.encode(f, &mut buf).unwrap();
        }
        buf.freeze()
    }

    impl Peer {
        fn feed_data(&mut self, bytes: Bytes) {
            self.feed.as_ref().unwrap().send(Ok(bytes)).unwrap();
        }

        fn feed_eof(&mut self) {
            self.feed = None;
        }

        /// What the body has for the wire now, decoded: `None` if it ended,
        /// panics if it has nothing yet.
        fn read(&mut self) -> Option<Vec<Frame>> {
            let polled =
                std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut self.body).poll_next(cx)))
                    .now_or_never()
                    .unwrap();
            let mut bytes = match polled {
                Poll::Ready(Some(Ok(b))) => BytesMut::from(b),
                Poll::Ready(None) => return None,
                Poll::Ready(Some(Err(e))) => panic!("{e}"),
                Poll::Pending => panic!("the body has nothing to send"),
            };
            let mut codec = Codec::new().client_mode();
            let mut frames = Vec::new();
            while let Some(f) = codec.decode(&mut bytes).unwrap() {
                frames.push(f);
            }
            assert!(bytes.is_empty());
            Some(frames)
        }

        fn pending(&mut self) -> bool {
            std::future::poll_fn(|cx| {
                Poll::Ready(Pin::new(&mut self.body).poll_next(cx).is_pending())
            })
            .now_or_never()
            .unwrap()
        }
    }

    fn text(s: &str) -> Frame {
        Frame::Text(Bytes::copy_from_slice(s.as_bytes()))
    }

    /// A waker that remembers being woken, to test who wakes whom.
    struct Flag(std::sync::atomic::AtomicBool);

    impl futures_util::task::ArcWake for Flag {
        fn wake_by_ref(flag: &Arc<Self>) {
            flag.0.store(true, Ordering::SeqCst);
        }
    }

    impl Flag {
        fn new() -> (Arc<Self>, Waker) {
            let flag = Arc::new(Flag(std::sync::atomic::AtomicBool::new(false)));
            (flag.clone(), futures_util::task::waker(flag))
        }

        fn woken(&self) -> bool {
            self.0.swap(false, Ordering::SeqCst)
        }
    }

    fn poll_with<F: std::future::Future + Unpin>(f: &mut F, waker: &Waker) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(waker))
    }

    #[actix_web::test]
    async fn frames_split_anywhere_decode_and_continuations_are_joined() {
        let (mut peer, _writer, mut reader) = socket(1024);
        let wire = client([
            Message::Text("hello".into()),
            Message::Ping(Bytes::from_static(b"p")),
            Message::Continuation(Item::FirstText(Bytes::from_static(b"caf"))),
            // A control frame may come between the parts of a message.
            Message::Pong(Bytes::new()),
            // Half of "é": only the whole message must be UTF-8.
            Message::Continuation(Item::Continue(Bytes::from_static(&[0xc3]))),
            Message::Continuation(Item::Last(Bytes::from_static(&[0xa9, b'!']))),
            Message::Binary(Bytes::from_static(b"\x00")),
            Message::Close(None),
        ]);
        // Fed in uneven pieces, so frames straddle reads.
        for piece in wire.chunks(7) {
            peer.feed_data(Bytes::copy_from_slice(piece));
        }
        let mut got = Vec::new();
        for _ in 0..8 {
            got.push(reader.next().await.unwrap().unwrap());
        }
        assert_eq!(
            got,
            [
                Incoming::Text("hello".into()),
                Incoming::Ping(Bytes::from_static(b"p")),
                // Every frame is reported, parts of a message included.
                Incoming::Fragment,
                Incoming::Pong,
                Incoming::Fragment,
                Incoming::Text("café!".into()),
                Incoming::Binary(Bytes::from_static(b"\x00")),
                Incoming::Close,
            ]
        );
        // Nothing more yet: the reader waits.
        assert!(reader.next().now_or_never().is_none());
        peer.feed_eof();
        assert!(reader.next().await.is_none());
    }

    #[actix_web::test]
    async fn oversize_and_invalid_messages_end_the_stream_with_an_error() {
        // One frame over the limit.
        let (mut peer, _writer, mut reader) = socket(16);
        peer.feed_data(client([Message::Text("x".repeat(17).into())]));
        assert!(matches!(
            reader.next().await,
            Some(Err(ProtocolError::Overflow))
        ));
        assert!(reader.next().await.is_none(), "nothing after an error");

        // A frame announced larger than the limit is refused before it has
        // all arrived: its bytes are not buffered without end.
        let (mut peer, _writer, mut reader) = socket(16);
        let mut wire = BytesMut::from(&client([Message::Text("x".repeat(1000).into())])[..]);
        wire.truncate(16 + MAX_HEADER + 1);
        peer.feed_data(wire.freeze());
        // At once: waiting for the rest of the frame would be the bug.
        assert!(matches!(
            reader.next().now_or_never(),
            Some(Some(Err(ProtocolError::Overflow)))
        ));

        // Only the header of a frame announcing 2^62 bytes (or just over the
        // limit, in the 16-bit form): refused on the header alone.
        for (len_code, ext) in [
            (127u8, (1u64 << 62).to_be_bytes().to_vec()),
            (126, 17u16.to_be_bytes().to_vec()),
        ] {
            let (mut peer, _writer, mut reader) = socket(16);
            let mut header = vec![0x81, 0x80 | len_code];
            header.extend_from_slice(&ext);
            header.extend_from_slice(&[1, 2, 3, 4]);
            peer.feed_data(Bytes::from(header));
            assert!(matches!(
                reader.next().now_or_never(),
                Some(Some(Err(ProtocolError::Overflow)))
            ));
        }
        // At the limit, the same header waits for the payload.
        let (mut peer, _writer, mut reader) = socket(16);
        peer.feed_data(Bytes::from_static(&[0x81, 0x80 | 16, 1, 2, 3, 4]));
        assert!(reader.next().now_or_never().is_none());

        // Parts each within the limit, the message over it.
        let (mut peer, _writer, mut reader) = socket(16);
        peer.feed_data(client([
            Message::Continuation(Item::FirstText(Bytes::from(vec![b'a'; 10]))),
            Message::Continuation(Item::Last(Bytes::from(vec![b'a'; 10]))),
        ]));
        assert_eq!(reader.next().await.unwrap().unwrap(), Incoming::Fragment);
        assert!(matches!(
            reader.next().await,
            Some(Err(ProtocolError::Overflow))
        ));

        // Text that is not UTF-8.
        let (mut peer, _writer, mut reader) = socket(16);
        let mut wire = BytesMut::new();
        Codec::new()
            .client_mode()
            .encode(Message::Binary(Bytes::from_static(&[0xff])), &mut wire)
            .unwrap();
        wire[0] = 0x81; // the same frame, with the text opcode
        peer.feed_data(wire.freeze());
        assert!(matches!(
            reader.next().await,
            Some(Err(ProtocolError::Io(_)))
        ));

        // An unmasked frame from a client.
        let (mut peer, _writer, mut reader) = socket(16);
        let mut wire = BytesMut::new();
        Codec::new()
            .encode(Message::Text("hi".into()), &mut wire)
            .unwrap();
        peer.feed_data(wire.freeze());
        assert!(matches!(reader.next().await, Some(Err(_))));
    }

    #[actix_web::test]
    async fn queued_frames_reach_the_body_and_a_close_ends_it() {
        let (mut peer, out, _reader) = socket(1024);
        let (woken, waker) = Flag::new();
        let polled = Pin::new(&mut peer.body).poll_next(&mut Context::from_waker(&waker));
        assert!(polled.is_pending());
        out.text("one".into()).await.unwrap();
        assert!(woken.woken(), "the first frame wakes the body");
        out.ping().await.unwrap();
        out.text("two".into()).await.unwrap();
        // Taken in one piece, in order.
        assert_eq!(
            peer.read().unwrap(),
            [text("one"), Frame::Ping(Bytes::new()), text("two")]
        );
        assert!(peer.pending());
        // A reason longer than a control frame holds is cut at a character.
        let reason = "é".repeat(100);
        out.close(4001, &reason);
        let frames = peer.read().unwrap();
        let [Frame::Close(Some(r))] = frames.as_slice() else {
            panic!("{frames:?}");
        };
        assert_eq!(r.code, ws::CloseCode::Other(4001));
        assert_eq!(r.description.as_deref(), Some(&reason[..122]));
        assert_eq!(peer.read(), None, "the body ends after the close");
        assert_eq!(out.text("late".into()).await, Err(Closed));
    }

    #[actix_web::test]
    async fn the_last_writer_gone_ends_the_body() {
        let (mut peer, out, _reader) = socket(1024);
        let other = out.clone();
        drop(out);
        assert!(peer.pending(), "one writer is left");
        other.text("bye".into()).await.unwrap();
        drop(other);
        assert_eq!(peer.read().unwrap(), [text("bye")], "queued bytes still go");
        assert_eq!(peer.read(), None);
    }

    #[actix_web::test]
    async fn writers_wait_for_room_and_are_woken() {
        let (mut peer, out, _reader) = socket(1024);
        let big = "x".repeat(WRITE_LIMIT);
        out.text(big.clone()).await.unwrap();
        let (woken, waker) = Flag::new();
        let mut waiting = Box::pin(out.text("next".into()));
        assert!(
            poll_with(&mut waiting, &waker).is_pending(),
            "the queue is full"
        );
        assert_eq!(peer.read().unwrap().len(), 1);
        assert!(woken.woken(), "taking the bytes wakes the writer");
        assert_eq!(poll_with(&mut waiting, &waker), Poll::Ready(Ok(())));
        assert_eq!(peer.read().unwrap(), [text("next")]);

        // A close refuses a waiting writer at once, not at its deadline.
        out.text(big).await.unwrap();
        let mut waiting = Box::pin(out.text("late".into()));
        assert!(poll_with(&mut waiting, &waker).is_pending());
        out.close(1000, "");
        assert!(woken.woken());
        assert_eq!(poll_with(&mut waiting, &waker), Poll::Ready(Err(Closed)));
    }

    #[actix_web::test]
    async fn a_dropped_body_wakes_the_reader_and_waiting_writers() {
        let (peer, out, mut reader) = socket(1024);
        out.text("x".repeat(WRITE_LIMIT)).await.unwrap();
        let (writer_woken, writer_waker) = Flag::new();
        let mut waiting = Box::pin(out.text("never".into()));
        assert!(poll_with(&mut waiting, &writer_waker).is_pending());
        let (reader_woken, reader_waker) = Flag::new();
        let mut next = Box::pin(reader.next());
        assert!(poll_with(&mut next, &reader_waker).is_pending());
        // actix-http drops the body; the request payload stays open.
        let Peer { body, feed: _feed } = peer;
        drop(body);
        assert!(writer_woken.woken() && reader_woken.woken());
        assert_eq!(
            poll_with(&mut waiting, &writer_waker),
            Poll::Ready(Err(Closed))
        );
        assert!(matches!(
            poll_with(&mut next, &reader_waker),
            Poll::Ready(None)
        ));
        assert_eq!(out.ping().await, Err(Closed));
    }
}
