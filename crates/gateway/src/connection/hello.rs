//! The handshake: the first frame must be a valid `hello`, in time.

use chat_domain::DomainError;
use chat_domain::auth::Principal;

use super::{Stop, flooding, protocol_error, within};
use crate::Gateway;
use crate::protocol::{
    ClientFrame, OLDEST_VERSION, PROTOCOL_VERSION, Resume, ServerFrame, close, decode,
};
use crate::rate::{Limiter, Verdict};
use crate::socket::{Incoming, Reader, Writer};

/// Who said `hello`, in which protocol version, resuming what.
pub(super) struct Hello {
    pub(super) principal: Principal,
    /// The version the client asked for (and is answered in).
    pub(super) version: u32,
    pub(super) resume: Vec<Resume>,
}

/// The first frame must be a valid `hello`, within the hello timeout.
pub(super) async fn authenticate(
    gw: &Gateway,
    writer: &mut Writer,
    reader: &mut Reader,
    limiter: &mut Limiter,
) -> Result<Hello, Stop> {
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
                        if !(OLDEST_VERSION..=PROTOCOL_VERSION).contains(&v) {
                            return Err(Stop::Close(close::UNSUPPORTED_VERSION, format!("this server speaks v{OLDEST_VERSION} to v{PROTOCOL_VERSION}")));
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
                            v,
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
                        return Ok(Hello { principal, version: v, resume });
                    }
                    Some(Ok(Incoming::Ping(bytes))) => {
                        if within(gw, writer.pong(&bytes)).await.is_err() { return Err(Stop::Gone); }
                    }
                    // Answered, so that the peer sees a clean close (not 1006).
                    Some(Ok(Incoming::Close)) => return Err(Stop::Close(close::NORMAL, String::new())),
                    Some(Ok(Incoming::Fragment | Incoming::Pong)) => {}
                    None => return Err(Stop::Gone),
                    Some(Ok(_)) => return Err(Stop::Close(close::UNAUTHENTICATED, "the first frame must be hello".into())),
                    Some(Err(e)) => return Err(protocol_error(&e)),
                }
            }
        }
    }
}
