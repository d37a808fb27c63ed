//! The one error body: `{"error": {"code": "...", "message": "...", "field": "..."}}`.
//!
//! Status and code come from [`DomainError::http_status`] and
//! [`DomainError::code`]; this module only renders them. Extractor failures
//! (malformed JSON, wrong content type, oversize body, bad path or query) are
//! routed here too, so no actix plain-text error ever reaches a client.

use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use chat_domain::DomainError;

/// A [`DomainError`] on its way to an HTTP client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: DomainError,
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        let status =
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self { status, error }
    }
}

impl ApiError {
    /// An error with a status the domain has no variant for (413, 415, 405).
    pub fn with_status(status: StatusCode, error: DomainError) -> Self {
        Self { status, error }
    }

    /// The underlying domain error.
    pub fn domain(&self) -> &DomainError {
        &self.error
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        // The details go to the log only, once, here. An outage is not a
        // bug: during one every request fails, so it is a warning.
        match self.error {
            DomainError::Internal(_) => {
                tracing::error!(error = %self.error, status = self.status.as_u16(), "request failed");
            }
            DomainError::Unavailable(_) => {
                tracing::warn!(error = %self.error, status = self.status.as_u16(), "request failed");
            }
            _ => {}
        }
        let body = self
            .error
            .body(Some(status_code_name(self.status, &self.error)));
        let mut resp = HttpResponse::build(self.status);
        if let Some(secs) = self.error.retry_after_secs() {
            resp.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            resp.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if self.status == StatusCode::REQUEST_TIMEOUT {
            // The rest of a body that came too slowly is not waited for.
            resp.force_close();
        }
        resp.json(body)
    }
}

fn status_code_name(status: StatusCode, error: &DomainError) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        _ => error.code(),
    }
}

/// JSON bodies: at most `limit` bytes; malformed JSON → 400 naming the
/// problem, wrong content type → 415, too large → 413, a body that does not
/// arrive in time (the server's body deadline) → 408.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| {
            let (status, message) = match &err {
                JsonPayloadError::OverflowKnownLength { length, limit } => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("body is {length} bytes; the limit is {limit}"),
                ),
                JsonPayloadError::Overflow { limit } => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("body exceeds the limit of {limit} bytes"),
                ),
                JsonPayloadError::ContentType => (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json".to_owned(),
                ),
                JsonPayloadError::Payload(PayloadError::Io(e))
                    if e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    (StatusCode::REQUEST_TIMEOUT, e.to_string())
                }
                JsonPayloadError::Deserialize(e) => {
                    (StatusCode::BAD_REQUEST, format!("invalid JSON: {e}"))
                }
                other => (StatusCode::BAD_REQUEST, format!("invalid body: {other}")),
            };
            ApiError::with_status(status, DomainError::invalid("body", message)).into()
        })
}

/// Query strings that do not parse → 400 naming the problem.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::from(DomainError::invalid("query", err.to_string())).into()
    })
}

/// Path segments that do not parse (e.g. a malformed id) → 400.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        ApiError::from(DomainError::invalid("path", err.to_string())).into()
    })
}

/// The default service: unknown routes get the JSON 404.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let _ = req;
    ApiError::from(DomainError::NotFound("route")).error_response()
}

/// For a known path called with the wrong method: the JSON 405.
pub async fn method_not_allowed() -> HttpResponse {
    ApiError::with_status(
        StatusCode::METHOD_NOT_ALLOWED,
        DomainError::invalid("method", "this method is not allowed on this path"),
    )
    .error_response()
}

impl From<actix_web::Error> for ApiError {
    /// Errors the extractors produced through [`json_config`] are already
    /// `ApiError`s: keep their status and body.
    fn from(err: actix_web::Error) -> Self {
        match err.as_error::<ApiError>() {
            Some(e) => ApiError::with_status(e.status, e.error.clone()),
            None => ApiError::with_status(
                err.as_response_error().status_code(),
                DomainError::invalid("body", err.to_string()),
            ),
        }
    }
}
