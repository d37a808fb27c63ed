//! What every HTTP answer gets, whatever route produced it: a deadline on
//! the request body, `X-Content-Type-Options: nosniff`, `Cache-Control:
//! no-store` on the API (its answers carry tokens and personal data), and
//! `Allow` on a 405.
//!
//! actix-web bounds the time to receive a request's headers
//! (`client_request_timeout`) but not its body: a client sending one byte
//! now and then would hold a worker's connection for as long as it likes.
//! The body's stream is given a deadline here; a JSON extractor that sees it
//! pass answers 408 (`chat_admin::http::json_config`) and the connection is
//! closed.

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
pub struct BodyTimeout(pub Duration);

/// Middleware: see the module documentation.
pub async fn harden(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // A WebSocket's "body" is the socket itself: it has its own limits.
    if let Some(BodyTimeout(limit)) = req.app_data::<BodyTimeout>().copied()
        && has_body(req.headers())
        && !req.headers().contains_key(header::UPGRADE)
    {
        let inner = req.take_payload();
        req.set_payload(Payload::Stream {
            payload: Box::pin(Deadline {
                inner,
                deadline: Box::pin(tokio::time::sleep(limit)),
                limit,
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

/// A request body that fails with a time-out error once its deadline passes.
struct Deadline {
    inner: Payload,
    deadline: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            let message = format!(
                "the request body did not arrive within {} s",
                self.limit.as_secs()
            );
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                message,
            )))));
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
}
