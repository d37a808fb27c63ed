//! WebSocket framing on actix-ws: the upgrade, the peer's frames as the
//! connection sees them, and the gateway's own limits around actix-ws.
//!
//! actix-ws does the handshake, decodes the peer's frames, answers nothing
//! by itself, and carries ours through a bounded channel (32 frames) to the
//! 101 response's body. Around it the gateway adds what it guarantees:
//!
//! - **Frames refused on their header.** actix-http's codec refuses a frame
//!   over the limit only once all of it has arrived, so a peer announcing a
//!   huge frame would make the stream's buffer grow for as long as it keeps
//!   sending. [`FrameGuard`] sits between the request payload and actix-ws,
//!   reads each frame header as the bytes pass and ends the payload with an
//!   error as soon as one announces more than the limit: nothing of such a
//!   frame is buffered, and the socket is closed with 1009.
//! - **Every frame seen.** The [`Reader`] takes actix-ws's frames one by one
//!   (not its aggregated stream, which swallows continuations) and joins
//!   continuations itself under the same limit, returning
//!   [`Incoming::Fragment`] for each part so that the rate limit counts
//!   every frame.
//! - **A quick end, a lingering one.** The server ends the TCP connection
//!   as soon as it has answered the peer's close frame (RFC 6455 7.1.1), so
//!   the binary turns off actix-web's lingering after responses (a socket's
//!   frames are a request body that never ends: it kept every socket open
//!   0.5-1 s after its close). When the server closes first instead (a
//!   frame too large, a slow reader, a shutdown), the peer may still be
//!   sending: [`Closing`] keeps the connection open for [`LINGER`] after the
//!   close frame, what is still arriving discarded, so that the peer reads
//!   the close frame rather than a reset.
//! - **Back-pressure with a deadline.** A [`Writer`] waits when actix-ws's
//!   channel is full, which happens once actix-http stops draining the body
//!   (its write buffer is full: the peer does not read). Callers put a
//!   deadline on every send and end the connection when it passes.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest as _, HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Item, Message, MessageStream, Session};
use bytestring::ByteString;
use futures_util::Stream;

pub use actix_ws::ProtocolError;

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
    /// The peer is closing; it is to be answered with a close frame.
    Close,
}

/// The sending side is closed: a close frame was sent, or the socket is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// Answers a WebSocket upgrade request: the 101 response whose body carries
/// our frames, the [`Writer`] to write them and the [`Reader`] of the peer's.
///
/// `max_frame` bounds one frame and one message made of continuations.
pub async fn accept(
    req: &HttpRequest,
    payload: Payload,
    max_frame: usize,
) -> Result<(HttpResponse, Writer, Reader), actix_web::Error> {
    let guarded = FrameGuard::new(payload, max_frame);
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(guarded);
    let mut payload = Payload::Stream { payload: stream };
    let body = web::Payload::from_request(req, &mut payload).await?;
    let (response, session, stream) = actix_ws::handle(req, body)?;
    let peer_done = Arc::new(AtomicBool::new(false));
    let response = response
        .map_body(|_, inner| Closing {
            inner,
            peer_done: peer_done.clone(),
            linger: None,
        })
        .map_into_boxed_body();
    let reader = Reader {
        // The codec's own limit stays as a backstop.
        stream: stream.max_frame_size(max_frame),
        max: max_frame,
        partial: None,
        peer_done,
    };
    Ok((response, Writer { session }, reader))
}

/// Writes frames to one socket. Cloned for each task that writes; the
/// socket's response ends after a close frame, or once every clone is gone.
#[derive(Clone)]
pub struct Writer {
    session: Session,
}

impl Writer {
    /// Sends a text frame, waiting while actix-ws's channel is full. A
    /// [`ByteString`] is shared, not copied: one encoded frame can go to
    /// many sockets.
    pub async fn text(&mut self, text: impl Into<ByteString>) -> Result<(), Closed> {
        self.session.text(text).await.map_err(|_| Closed)
    }

    /// Sends a ping.
    pub async fn ping(&mut self) -> Result<(), Closed> {
        self.session.ping(b"").await.map_err(|_| Closed)
    }

    /// Answers a ping.
    pub async fn pong(&mut self, bytes: &[u8]) -> Result<(), Closed> {
        self.session.pong(bytes).await.map_err(|_| Closed)
    }

    /// Sends a close frame (actix-ws cuts the reason to what a control frame
    /// holds) and ends the socket after it. A peer that does not read holds
    /// it up for `within` at most: the socket is dropped then anyway.
    pub async fn close(self, code: u16, reason: &str, within: Duration) {
        let reason = CloseReason {
            code: CloseCode::Other(code),
            description: Some(reason.to_owned()),
        };
        let _ = tokio::time::timeout(within, self.session.close(Some(reason))).await;
    }
}

/// A message being received in continuation frames.
struct Partial {
    text: bool,
    bytes: BytesMut,
}

/// The peer's frames, from actix-ws's stream.
pub struct Reader {
    stream: MessageStream,
    /// Bound on a message made of continuations.
    max: usize,
    partial: Option<Partial>,
    /// The peer sent its close frame, or its end: it sends nothing more.
    peer_done: Arc<AtomicBool>,
}

impl Reader {
    /// The next frame, or `None` once the peer or the connection is gone.
    /// After an error the socket is to be closed.
    pub async fn next(&mut self) -> Option<Result<Incoming, ProtocolError>> {
        let Some(frame) = self.stream.recv().await else {
            self.peer_done.store(true, Ordering::Release);
            return None;
        };
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => return Some(Err(refused_header(e))),
        };
        Some(match frame {
            Message::Text(text) => Ok(Incoming::Text(text)),
            Message::Binary(bytes) => Ok(Incoming::Binary(bytes)),
            Message::Ping(bytes) => Ok(Incoming::Ping(bytes)),
            Message::Pong(_) => Ok(Incoming::Pong),
            Message::Close(_) => {
                self.peer_done.store(true, Ordering::Release);
                Ok(Incoming::Close)
            }
            Message::Continuation(item) => join(&mut self.partial, self.max, item)
                .map(|whole| whole.unwrap_or(Incoming::Fragment)),
            // actix-ws yields no other frames from a peer.
            Message::Nop => Ok(Incoming::Pong),
        })
    }
}

/// How long a connection stays open after a close frame the server sent
/// first (actix-web's default for the same purpose).
pub const LINGER: Duration = Duration::from_secs(1);

/// The 101 response's body (actix-ws's frames), ended at once after the
/// close frame when the peer has closed already, or [`LINGER`] later when
/// it may still be sending (its bytes are discarded meanwhile: the
/// connection's reader is gone).
struct Closing {
    inner: BoxBody,
    peer_done: Arc<AtomicBool>,
    linger: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl MessageBody for Closing {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.inner.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.linger.is_none() {
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Ready(None) => {}
                other => return other,
            }
            if this.peer_done.load(Ordering::Acquire) {
                return Poll::Ready(None);
            }
            this.linger = Some(Box::pin(tokio::time::sleep(LINGER)));
        }
        match this.linger.as_mut().map(|l| l.as_mut().poll(cx)) {
            Some(Poll::Pending) => Poll::Pending,
            _ => Poll::Ready(None),
        }
    }
}

/// The guard's refusal reaches us wrapped as an I/O error of the payload:
/// it is an oversize frame, like the codec's own `Overflow`.
fn refused_header(e: ProtocolError) -> ProtocolError {
    let oversize = matches!(&e, ProtocolError::Io(io)
        if io.get_ref().and_then(|inner| inner.downcast_ref::<PayloadError>())
            .is_some_and(|p| matches!(p, PayloadError::Overflow)));
    if oversize { ProtocolError::Overflow } else { e }
}

/// Adds a continuation frame to `partial`; the message once its last part
/// is in. A message growing past `max` is refused (`Overflow`).
fn join(
    partial: &mut Option<Partial>,
    max: usize,
    item: Item,
) -> Result<Option<Incoming>, ProtocolError> {
    let (first, last, bytes) = match item {
        Item::FirstText(b) => (Some(true), false, b),
        Item::FirstBinary(b) => (Some(false), false, b),
        Item::Continue(b) => (None, false, b),
        Item::Last(b) => (None, true, b),
    };
    // The codec refuses a continuation without a start and a start in the
    // middle of one, so `partial` is set exactly when it must be.
    let current = match first {
        Some(text) => partial.insert(Partial {
            text,
            bytes: BytesMut::new(),
        }),
        None => match partial.as_mut() {
            Some(p) => p,
            None => return Err(ProtocolError::ContinuationNotStarted),
        },
    };
    if current.bytes.len() + bytes.len() > max {
        *partial = None;
        return Err(ProtocolError::Overflow);
    }
    current.bytes.extend_from_slice(&bytes);
    if !last {
        return Ok(None);
    }
    let Some(Partial { text, bytes }) = partial.take() else {
        return Ok(None);
    };
    let bytes = bytes.freeze();
    Ok(Some(if text {
        Incoming::Text(ByteString::try_from(bytes).map_err(|e| {
            ProtocolError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })?)
    } else {
        Incoming::Binary(bytes)
    }))
}

/// The longest frame header: 2 bytes, 8 of extended length, 4 of mask.
const MAX_HEADER: usize = 14;

/// Where the guard is in the byte stream.
#[derive(Debug, Default)]
struct Frames {
    /// The header being read.
    header: [u8; MAX_HEADER],
    /// Bytes of it read so far.
    have: usize,
    /// Payload bytes of the current frame still to pass.
    skip: u64,
}

impl Frames {
    /// Follows `chunk` through frame headers and payloads; `Err` as soon as
    /// a header announces a payload over `max` bytes.
    fn pass(&mut self, mut chunk: &[u8], max: u64) -> Result<(), ()> {
        while !chunk.is_empty() {
            if self.skip > 0 {
                let n = usize::try_from(self.skip).map_or(chunk.len(), |s| s.min(chunk.len()));
                self.skip -= n as u64;
                chunk = &chunk[n..];
                continue;
            }
            self.header[self.have] = chunk[0];
            self.have += 1;
            chunk = &chunk[1..];
            if let Some((len, header_len)) = announced(&self.header[..self.have]) {
                if len > max {
                    return Err(());
                }
                if self.have == header_len {
                    self.skip = len;
                    self.have = 0;
                }
            }
        }
        Ok(())
    }
}

/// The payload length a frame header announces and the header's length,
/// once enough of it is there (RFC 6455, 5.2: 7 bits, or 16 or 64 after;
/// then the mask if the mask bit is set).
fn announced(header: &[u8]) -> Option<(u64, usize)> {
    let second = *header.get(1)?;
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    let (len, ext) = match second & 0x7f {
        126 => (
            u64::from(u16::from_be_bytes(header.get(2..4)?.try_into().ok()?)),
            2,
        ),
        127 => (u64::from_be_bytes(header.get(2..10)?.try_into().ok()?), 8),
        n => (u64::from(n), 0),
    };
    Some((len, 2 + ext + mask))
}

/// The request payload, watched frame by frame (see the module docs).
struct FrameGuard {
    inner: Payload,
    frames: Frames,
    max: u64,
    refused: bool,
}

impl FrameGuard {
    fn new(inner: Payload, max: usize) -> Self {
        Self {
            inner,
            frames: Frames::default(),
            max: max as u64,
            refused: false,
        }
    }
}

impl Stream for FrameGuard {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.refused {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                if this.frames.pass(&bytes, this.max).is_err() {
                    this.refused = true;
                    return Poll::Ready(Some(Err(PayloadError::Overflow)));
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_codec::Encoder as _;
    use actix_http::ws::Codec;

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

    #[test]
    fn the_guard_follows_frames_split_anywhere() {
        let wire = client([
            Message::Text("x".repeat(16).into()),
            Message::Ping(Bytes::from_static(b"p")),
            Message::Binary(Bytes::from(vec![0; 16])),
            Message::Text("y".repeat(3).into()),
        ]);
        for step in [1, 3, 7, wire.len()] {
            let mut frames = Frames::default();
            for piece in wire.chunks(step) {
                assert_eq!(frames.pass(piece, 16), Ok(()), "pieces of {step}");
            }
            assert_eq!((frames.have, frames.skip), (0, 0), "at a boundary");
        }
    }

    #[test]
    fn the_guard_refuses_a_frame_on_its_header() {
        // Over the limit in each length form: refused with the header alone.
        for (len_code, ext) in [
            (17u8, vec![]),
            (126, 17u16.to_be_bytes().to_vec()),
            (127, (1u64 << 62).to_be_bytes().to_vec()),
        ] {
            let mut header = vec![0x81, 0x80 | len_code];
            header.extend_from_slice(&ext);
            let mut frames = Frames::default();
            assert_eq!(frames.pass(&header, 16), Err(()), "length code {len_code}");
        }
        // After a good frame too, and in a continuation.
        let mut wire = client([Message::Text("ok".into())]).to_vec();
        wire.extend_from_slice(&client([Message::Continuation(Item::FirstText(
            Bytes::from(vec![b'a'; 17]),
        ))]));
        assert_eq!(Frames::default().pass(&wire, 16), Err(()));
        // At the limit it passes.
        let wire = client([Message::Text("x".repeat(16).into())]);
        assert_eq!(Frames::default().pass(&wire, 16), Ok(()));
    }

    #[test]
    fn continuations_are_joined_under_the_limit() {
        let mut partial = None;
        let part = |s: &'static str| Bytes::from_static(s.as_bytes());
        assert_eq!(
            join(&mut partial, 8, Item::FirstText(part("caf"))).unwrap(),
            None
        );
        assert_eq!(
            join(&mut partial, 8, Item::Continue(part("é"))).unwrap(),
            None
        );
        assert_eq!(
            join(&mut partial, 8, Item::Last(part("!"))).unwrap(),
            Some(Incoming::Text("café!".into()))
        );
        // Parts each within the limit, the message over it.
        assert_eq!(
            join(&mut partial, 8, Item::FirstBinary(part("12345"))).unwrap(),
            None
        );
        assert!(matches!(
            join(&mut partial, 8, Item::Last(part("6789"))),
            Err(ProtocolError::Overflow)
        ));
        assert!(partial.is_none(), "what was joined is dropped");
        // Text that is not UTF-8 once joined.
        join(
            &mut partial,
            8,
            Item::FirstText(Bytes::from_static(&[0xc3])),
        )
        .unwrap();
        assert!(matches!(
            join(&mut partial, 8, Item::Last(Bytes::from_static(&[0x28]))),
            Err(ProtocolError::Io(_))
        ));
    }

    #[test]
    fn the_guards_refusal_reads_as_an_oversize_frame() {
        let wrapped = ProtocolError::Io(std::io::Error::other(PayloadError::Overflow));
        assert!(matches!(refused_header(wrapped), ProtocolError::Overflow));
        let other = ProtocolError::Io(std::io::Error::other(PayloadError::Incomplete(None)));
        assert!(matches!(refused_header(other), ProtocolError::Io(_)));
    }
}
