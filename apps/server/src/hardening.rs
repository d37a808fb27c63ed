//! What every HTTP answer gets, whatever route produced it: a deadline on
//! the request body, `X-Content-Type-Options: nosniff`, `Cache-Control:
//! no-store` on the API (its answers carry tokens and personal data), and
//! `Allow` on a 405.
//!
//! actix-web bounds the time to receive a request's headers
//! (`client_request_timeout`) but not its body: a client sending one byte
//! now and then would hold a worker's connection for as long as it likes.
//! The body's stream is given a deadline here; a JSON extractor (or the
//! upload route) that sees it pass answers 408
//! (`chat_admin::http::json_config`) and the connection is closed.
//!
//! An upload (`POST /api/v1/conversations/{id}/attachments`, up to
//! `CHAT_UPLOAD_MAX_BYTES`) gets a longer deadline of its own
//! (`CHAT_UPLOAD_TIMEOUT_SECS`): 10 MiB in the 10 s every other body has
//! would need 8 Mbit/s. A slow upload still cannot sit on a connection:
//! it must keep sending, no pause between two reads longer than the
//! ordinary deadline (`CHAT_REQUEST_TIMEOUT_SECS`).

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_util::Stream;

/// The time a request body has to arrive in full, counted from the end of
/// its headers (app data, read by [`harden`]).
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout {
    /// Every body but an upload's (`CHAT_REQUEST_TIMEOUT_SECS`); also the
    /// longest pause within an upload.
    pub body: Duration,
    /// An upload's whole body (`CHAT_UPLOAD_TIMEOUT_SECS`).
    pub upload: Duration,
}

/// Whether the request is a file upload (multipart, up to
/// `CHAT_UPLOAD_MAX_BYTES`): `POST /api/v1/conversations/{id}/attachments`.
fn is_upload(req: &ServiceRequest) -> bool {
    let mut segments = req.path().split('/');
    req.method() == actix_web::http::Method::POST
        && matches!(
            (
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
            ),
            (Some(""), Some("api"), Some("v1"), Some("conversations"), Some(id), Some("attachments"), None)
                if !id.is_empty()
        )
}

/// Middleware: see the module documentation.
pub async fn harden(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // A WebSocket's "body" is the socket itself: it has its own limits.
    if let Some(timeouts) = req.app_data::<BodyTimeout>().copied()
        && has_body(req.headers())
        && !req.headers().contains_key(header::UPGRADE)
    {
        let (limit, idle) = if is_upload(&req) {
            let pause = timeouts.body;
            (
                timeouts.upload,
                Some((pause, Box::pin(tokio::time::sleep(pause)))),
            )
        } else {
            (timeouts.body, None)
        };
        let inner = req.take_payload();
        req.set_payload(Payload::Stream {
            payload: Box::pin(Deadline {
                inner,
                deadline: Box::pin(tokio::time::sleep(limit)),
                limit,
                idle,
            }),
        });
    }
    let api = req.path().starts_with("/api/");
    let mut res = next.call(req).await?;
    let allow =
        (res.status() == StatusCode::METHOD_NOT_ALLOWED).then(|| allowed(res.request().path()));
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(allow) = allow
        && !headers.contains_key(header::ALLOW)
        && let Ok(v) = HeaderValue::from_str(&allow)
    {
        headers.insert(header::ALLOW, v);
    }
    Ok(res)
}

/// The `Allow` of a 405: the API's methods on that route (from the table
/// the OpenAPI document is made of); every other path (pages, the
/// documentation) serves GET only.
fn allowed(path: &str) -> String {
    chat_admin::http::openapi::allowed_methods(path).unwrap_or_else(|| "GET".to_owned())
}

/// Whether the request announces a body: chunks, or a length above zero.
fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// A request body that fails with a time-out error once its deadline
/// passes, or once it pauses for longer than `idle` allows.
struct Deadline {
    inner: Payload,
    deadline: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
    /// The longest pause between two reads, and its timer (restarted by
    /// every chunk).
    idle: Option<(Duration, Pin<Box<tokio::time::Sleep>>)>,
}

fn timed_out(message: String) -> Poll<Option<Result<Bytes, PayloadError>>> {
    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        message,
    )))))
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            if let Some((pause, timer)) = self.idle.as_mut() {
                let next = tokio::time::Instant::now() + *pause;
                timer.as_mut().reset(next);
            }
            return Poll::Ready(item);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return timed_out(format!(
                "the request body did not arrive within {} s",
                self.limit.as_secs()
            ));
        }
        if let Some((pause, timer)) = self.idle.as_mut()
            && timer.as_mut().poll(cx).is_ready()
        {
            let secs = pause.as_secs();
            return timed_out(format!("the request body paused for over {secs} s"));
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_the_routes_methods() {
        assert_eq!(allowed("/api/v1/users/0190-x"), "GET, PATCH");
        assert_eq!(allowed("/api/v1/widget/sessions"), "POST");
        // One actix resource serves these; the document has one per action.
        assert_eq!(allowed("/api/v1/conversations/0190-x/accept"), "POST");
        assert_eq!(allowed("/console/"), "GET");
        assert_eq!(allowed("/api/v1/customers/reencrypt"), "POST");
    }

    #[test]
    fn uploads_are_told_apart_by_method_and_path() {
        use actix_web::test::TestRequest;
        let upload = |method, path: &str| {
            is_upload(
                &TestRequest::default()
                    .method(method)
                    .uri(path)
                    .to_srv_request(),
            )
        };
        use actix_web::http::Method;
        assert!(upload(
            Method::POST,
            "/api/v1/conversations/0190-x/attachments"
        ));
        assert!(!upload(
            Method::GET,
            "/api/v1/conversations/0190-x/attachments"
        ));
        assert!(!upload(Method::POST, "/api/v1/conversations//attachments"));
        assert!(!upload(
            Method::POST,
            "/api/v1/conversations/0190-x/attachments/x"
        ));
        assert!(!upload(Method::POST, "/api/v1/conversations/0190-x/notes"));
        assert!(!upload(Method::POST, "/api/v1/auth/login"));
    }
}
