//! Files in conversations, for customers (widget token) and staff alike:
//!
//! - `POST /conversations/{id}/attachments`: a `multipart/form-data` upload
//!   (field `file`, optional field `client_msg_id`) by someone who may post
//!   there; answers 201 with the stored message of kind `attachment` (200
//!   with the first copy for a resend with the same `client_msg_id`), which
//!   is also delivered over the socket like any message. Refusals: 413 (too
//!   large, in bytes or pixels), 415 (not multipart, or a type that is not
//!   PNG, JPEG, GIF, WebP, PDF or plain text, whatever the name says), 403 /
//!   404 / 409 as for posting a message.
//! - `GET /attachments/{id}`: the file, for whoever may see its
//!   conversation (404 otherwise); images inline, anything else as a
//!   download (`Content-Disposition: attachment`), always `nosniff` and a
//!   sandboxing CSP.
//!
//! The body is read with actix-multipart as a stream, and reading stops as
//! soon as the file passes the limit: an oversize upload costs at most the
//! limit in memory. The caller's right to post is checked before the body
//! is read, so a refusal never depends on the upload.

use actix_multipart::{Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chat_domain::DomainError;
use chat_domain::ids::{AttachmentId, ConversationId};
use chat_domain::model::MAX_CLIENT_MSG_ID_LEN;
use chat_domain::ports::{ConversationCommands, Store};
use futures_util::StreamExt;

use crate::attachments::{Attachments, Upload, UploadError};
use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::Caller;

/// Room for the multipart framing and the small fields around the file.
const ENVELOPE_BYTES: u64 = 16 * 1024;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(resource("/conversations/{id}/attachments").route(web::post().to(upload)))
        .service(resource("/attachments/{id}").route(web::get().to(download)));
}

fn attachments(req: &HttpRequest) -> Result<web::Data<Attachments>, ApiError> {
    req.app_data::<web::Data<Attachments>>()
        .cloned()
        .ok_or_else(|| DomainError::Internal("attachments are not configured".into()).into())
}

fn too_large(message: String) -> ApiError {
    ApiError::with_status(
        StatusCode::PAYLOAD_TOO_LARGE,
        DomainError::invalid("file", message),
    )
}

fn unsupported(message: String) -> ApiError {
    ApiError::with_status(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        DomainError::invalid("file", message),
    )
}

/// A body that could not be read: 408 when it did not arrive in time
/// (the server's body deadline, see `CHAT_UPLOAD_TIMEOUT_SECS`), 400 when
/// it is not a well-formed form.
fn bad_body(e: MultipartError) -> ApiError {
    if let MultipartError::Payload(PayloadError::Io(io)) = &e
        && io.kind() == std::io::ErrorKind::TimedOut
    {
        return ApiError::with_status(
            StatusCode::REQUEST_TIMEOUT,
            DomainError::invalid("body", io.to_string()),
        );
    }
    DomainError::invalid("body", format!("malformed multipart body: {e}")).into()
}

/// What the form carried.
struct Form {
    file: Option<(String, Vec<u8>)>,
    client_msg_id: Option<String>,
}

/// Reads the form, stopping at the first byte past `max`.
async fn read_form(mut form: Multipart, max: u64, files: &Attachments) -> Result<Form, ApiError> {
    let mut out = Form {
        file: None,
        client_msg_id: None,
    };
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad_body)?;
        match field.name() {
            Some("file") => {
                if out.file.is_some() {
                    return Err(DomainError::invalid("file", "one file per upload").into());
                }
                let name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .unwrap_or("file")
                    .to_owned();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(bad_body)?;
                    if (bytes.len() + chunk.len()) as u64 > max {
                        return Err(too_large(files.too_large()));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                out.file = Some((name, bytes));
            }
            Some("client_msg_id") => {
                let mut value = Vec::new();
                while let Some(chunk) = field.next().await {
                    value.extend_from_slice(&chunk.map_err(bad_body)?);
                    if value.len() > MAX_CLIENT_MSG_ID_LEN {
                        return Err(DomainError::invalid(
                            "client_msg_id",
                            "must be 1 to 64 printable ASCII characters",
                        )
                        .into());
                    }
                }
                out.client_msg_id = Some(String::from_utf8(value).map_err(|_| {
                    DomainError::invalid("client_msg_id", "must be printable ASCII")
                })?);
            }
            // Unknown fields are read past (a form may carry more).
            _ => {
                while let Some(chunk) = field.next().await {
                    chunk.map_err(bad_body)?;
                }
            }
        }
    }
    Ok(out)
}

async fn upload(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<ConversationId>,
    payload: web::Payload,
    store: web::Data<dyn Store>,
    commands: web::Data<dyn ConversationCommands>,
) -> Result<HttpResponse, ApiError> {
    let files = attachments(&req)?;
    let who = caller.0;
    let conversation = *path;
    // Rights first, body second.
    let customer = files
        .check_upload(store.get_ref(), &who, conversation)
        .await?;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > files.max_bytes + ENVELOPE_BYTES) {
        return Err(too_large(files.too_large()));
    }
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(ApiError::with_status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            DomainError::invalid(
                "body",
                "Content-Type must be multipart/form-data with a `file` field",
            ),
        ));
    }
    let form = read_form(
        Multipart::new(req.headers(), payload),
        files.max_bytes,
        &files,
    )
    .await?;
    let (name, bytes) = form.file.ok_or_else(|| {
        ApiError::from(DomainError::invalid(
            "file",
            "the form has no `file` field (or it is empty)",
        ))
    })?;
    if bytes.is_empty() {
        return Err(DomainError::invalid("file", "the file is empty").into());
    }
    // Detached: the bytes, the record and the message are written together
    // or undone together, even if the client hangs up meanwhile.
    let (files, commands) = (files.into_inner(), commands.into_inner());
    let outcome = tokio::spawn(async move {
        files
            .upload(
                commands.as_ref(),
                &who,
                Upload {
                    conversation,
                    customer,
                    file_name: name,
                    bytes,
                    client_msg_id: form.client_msg_id,
                },
            )
            .await
    })
    .await
    .map_err(|e| DomainError::Internal(format!("task: {e}")))?
    .map_err(|e| match e {
        UploadError::TooLarge(m) => too_large(m),
        UploadError::Unsupported(m) => unsupported(m),
        UploadError::Domain(d) => d.into(),
    })?;
    let status = if outcome.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(outcome.message))
}

/// `filename` for ASCII-only clients, `filename*` (RFC 5987) for the rest.
fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

async fn download(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<AttachmentId>,
    store: web::Data<dyn Store>,
) -> Result<HttpResponse, ApiError> {
    let files = attachments(&req)?;
    let who = caller.0;
    let (attachment, bytes) = files.download(store.get_ref(), &who, *path).await?;
    let meta = &attachment.meta;
    let content_type = if meta.content_type == "text/plain" {
        "text/plain; charset=utf-8".to_owned()
    } else {
        meta.content_type.clone()
    };
    let kind = if meta.is_image() {
        "inline"
    } else {
        "attachment"
    };
    let disposition = HeaderValue::from_str(&disposition(kind, &meta.name))
        .map_err(|e| DomainError::Internal(format!("Content-Disposition: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Opened directly, a file can run nothing and reach nothing.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ))
        // Access is checked on every request: no shared caches.
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(bytes))
}

pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<chat_domain::attachment::AttachmentMeta>();
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn content_disposition_is_safe_and_keeps_unicode() {
        assert_eq!(
            disposition("attachment", "facture été.pdf"),
            "attachment; filename=\"facture _t_.pdf\"; filename*=UTF-8''facture%20%C3%A9t%C3%A9.pdf"
        );
    }
}
