//! Attachments over REST, against the real server: uploads by customers and
//! staff, who may download what, refusals (forged type, oversize, not
//! multipart, someone else's conversation), the message in history, and
//! erasure deleting the files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chat_domain::model::Role;
use chat_store::testing::TestDb;
use common::{Response, TestApp, admin_token, create_staff, request, send};
use serde_json::{Value, json};

on_both_backends!(customers_and_staff_exchange_files, erasure_deletes_files);

/// The start of a 3×2 PNG (what the server reads of it).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0, 0, 0,
    3, 0, 0, 0, 2, 8, 6, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
];
pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub(crate) const BOUNDARY: &str = "----chat-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body with a `file` field (and more text fields).
pub(crate) fn form(
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, conv: &str, token: &str, body: &[u8]) -> Response {
    let auth = format!("Bearer {token}");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    request(
        app.addr,
        "POST",
        &format!("/api/v1/conversations/{conv}/attachments"),
        &[("authorization", &auth), ("content-type", &ct)],
        Some(body),
    )
    .await
}

/// `POST /api/v1/conversations/{conv}/{action}` as `token`, which succeeds.
async fn act(app: &TestApp, conv: &str, action: &str, token: &str) {
    let uri = format!("/api/v1/conversations/{conv}/{action}");
    let r = send(app, "POST", &uri, None, Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn download(app: &TestApp, id: &str, token: Option<&str>) -> Response {
    app.get(&format!("/api/v1/attachments/{id}"), token).await
}

/// A widget session and its open conversation: (token, customer id, conversation id).
pub(crate) async fn customer_with_conversation(app: &TestApp) -> (String, String, String) {
    let s = common::widget_session(app).await;
    let token = s["token"].as_str().unwrap().to_owned();
    let customer = s["customer_id"].as_str().unwrap().to_owned();
    let conv =
        chat_domain::model::Conversation::open(customer.parse().unwrap(), chat_domain::time::now());
    chat_domain::ports::ConversationRepository::create_conversation(&app.store, &conv)
        .await
        .unwrap();
    (token, customer, conv.id.to_string())
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

async fn customers_and_staff_exchange_files(app: &TestApp) {
    let (alice, _, conv) = customer_with_conversation(app).await;
    let (bob, _, bobs_conv) = customer_with_conversation(app).await;

    // A customer sends an image into their own conversation.
    let r = upload(
        app,
        &conv,
        &alice,
        &form(
            "../../screen shot.png",
            "image/png",
            PNG,
            &[("client_msg_id", "up-1")],
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let m = r.json();
    assert_eq!(m["kind"], "attachment");
    assert_eq!(m["sender_kind"], "customer");
    assert_eq!(m["body"], "screen shot.png", "path parts are dropped");
    let a = &m["attachment"];
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["size"], PNG.len());
    assert_eq!(
        (a["width"].as_u64(), a["height"].as_u64()),
        (Some(3), Some(2))
    );
    let image_id = a["id"].as_str().unwrap().to_owned();
    // A resend with the same client_msg_id gives back the first message.
    let multipart = form("x.png", "image/png", PNG, &[("client_msg_id", "up-1")]);
    let again = upload(app, &conv, &alice, &multipart).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["id"], m["id"]);
    assert_eq!(
        files_under(&app.data_dir.join("storage")).len(),
        1,
        "the resent copy is not kept"
    );

    // It is in the history like any message (what a resume reads).
    let uri = format!("/api/v1/widget/conversations/{conv}/messages?after_seq=0");
    let history = app.get(&uri, Some(&alice)).await.json();
    let items = common::items(&history);
    assert!(
        items
            .iter()
            .any(|i| i["kind"] == "attachment" && i["attachment"]["id"] == image_id.as_str()),
        "{history}"
    );

    // Staff see it as an unread customer message in their inbox.
    let (_, watcher) = create_staff(app, Role::Supervisor).await;
    let uri = format!("/api/v1/inbox/summaries?ids={conv}");
    let summary = app.get(&uri, Some(&watcher)).await.json();
    assert_eq!(summary["items"][0]["unread"], 1, "{summary}");
    assert_eq!(
        summary["items"][0]["last_message"]["body"],
        "screen shot.png"
    );

    // Its owner downloads it: inline (an image), nosniff.
    let d = download(app, &image_id, Some(&alice)).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.headers["content-type"], "image/png");
    assert!(d.headers["content-disposition"].starts_with("inline;"));
    assert_eq!(d.headers["x-content-type-options"], "nosniff");
    // Another customer cannot, nor can an anonymous caller.
    let other = download(app, &image_id, Some(&bob)).await;
    assert_eq!(other.status, 404, "{}", other.text);
    assert_eq!(other.error_code(), "not_found");
    assert_eq!(download(app, &image_id, None).await.status, 401);
    // Nor upload into someone else's conversation.
    let r = upload(app, &conv, &bob, &form("a.png", "image/png", PNG, &[])).await;
    assert_eq!(r.status, 404, "{}", r.text);
    let _ = bobs_conv;

    // A forged type: an executable named .png, declared image/png.
    let multipart = form("cat.png", "image/png", b"MZ\x90\x00\x03\x00\x00\x00", &[]);
    let r = upload(app, &conv, &alice, &multipart).await;
    assert_eq!(r.status, 415, "{}", r.text);
    assert_eq!(r.error_code(), "unsupported_media_type");
    assert!(r.error_message().contains("PNG"));
    // HTML is not plain text.
    let r = upload(
        app,
        &conv,
        &alice,
        &form(
            "a.txt",
            "text/plain",
            b"<html>\x00<script>alert(1)</script>",
            &[],
        ),
    )
    .await;
    assert_eq!(r.status, 415, "{}", r.text);
    // Not multipart at all.
    let uri = format!("/api/v1/conversations/{conv}/attachments");
    let r = send(app, "POST", &uri, Some(json!({"file": "x"})), Some(&alice)).await;
    assert_eq!(r.status, 415, "{}", r.text);
    // A form without a file.
    let auth = format!("Bearer {alice}");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let empty = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--{BOUNDARY}--\r\n"
    );
    let r = request(
        app.addr,
        "POST",
        &format!("/api/v1/conversations/{conv}/attachments"),
        &[("authorization", &auth), ("content-type", &ct)],
        Some(empty.as_bytes()),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["error"]["field"], "file");

    // Staff: an agent may not post into the assistant's conversation
    // before taking it over; then sends a PDF the customer downloads.
    let (_, agent) = create_staff(app, Role::Agent).await;
    let multipart = form("invoice.pdf", "application/pdf", PDF, &[]);
    let r = upload(app, &conv, &agent, &multipart).await;
    assert_eq!(r.status, 403, "{}", r.text);
    act(app, &conv, "takeover", &agent).await;
    let multipart = form("Invoice <2026>|.pdf", "application/octet-stream", PDF, &[]);
    let r = upload(app, &conv, &agent, &multipart).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let m = r.json();
    assert_eq!(m["sender_kind"], "agent");
    assert_eq!(m["attachment"]["content_type"], "application/pdf");
    assert_eq!(m["body"], "Invoice _2026__.pdf");
    assert!(m["attachment"].get("width").is_none());
    let pdf_id = m["attachment"]["id"].as_str().unwrap().to_owned();
    let d = download(app, &pdf_id, Some(&alice)).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.text.as_bytes(), PDF);
    assert_eq!(d.headers["content-type"], "application/pdf");
    assert!(
        d.headers["content-disposition"]
            .starts_with("attachment; filename=\"Invoice _2026__.pdf\""),
        "{:?}",
        d.headers
    );
    assert_eq!(d.headers["x-content-type-options"], "nosniff");
    // Bob still cannot; a supervisor can (they see everything).
    assert_eq!(download(app, &pdf_id, Some(&bob)).await.status, 404);
    let (_, supervisor) = create_staff(app, Role::Supervisor).await;
    assert_eq!(download(app, &pdf_id, Some(&supervisor)).await.status, 200);
    // Another agent does not see a conversation held by a colleague.
    let (_, other_agent) = create_staff(app, Role::Agent).await;
    assert_eq!(download(app, &pdf_id, Some(&other_agent)).await.status, 404);
    // An unknown id is a 404 like a forbidden one.
    let unknown = chat_domain::ids::AttachmentId::new().to_string();
    assert_eq!(download(app, &unknown, Some(&supervisor)).await.status, 404);

    // Closed: nothing more can be sent.
    act(app, &conv, "close", &agent).await;
    let r = upload(app, &conv, &alice, &form("a.png", "image/png", PNG, &[])).await;
    assert_eq!(r.status, 409, "{}", r.text);
}

async fn erasure_deletes_files(app: &TestApp) {
    let (alice, customer, conv) = customer_with_conversation(app).await;
    let r = upload(app, &conv, &alice, &form("a.png", "image/png", PNG, &[])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["attachment"]["id"].as_str().unwrap().to_owned();
    let (_, _, kept_conv) = customer_with_conversation(app).await;
    let admin = admin_token(app).await;
    // Someone else's file stays.
    act(app, &kept_conv, "takeover", &admin).await;
    let multipart = form("k.pdf", "application/pdf", PDF, &[]);
    let r = upload(app, &kept_conv, &admin, &multipart).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(files_under(&app.data_dir.join("storage")).len(), 2);

    act(app, &conv, "close", &admin).await;
    let uri = format!("/api/v1/customers/{customer}/erase");
    let r = send(app, "POST", &uri, None, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let left = files_under(&app.data_dir.join("storage"));
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(!left[0].to_string_lossy().contains(&customer));
    assert_eq!(download(app, &id, Some(&admin)).await.status, 404);
    // The message no longer names the file.
    let history: Value = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages?after_seq=0"),
            Some(&admin),
        )
        .await
        .json();
    let m = common::items(&history)
        .iter()
        .find(|m| m["kind"] == "attachment")
        .unwrap()
        .clone();
    assert_eq!(m["body"], "");
    assert!(m.get("attachment").is_none(), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_uploads_are_refused() {
    let dir = common::data_dir();
    let app = TestApp::spawn_on(
        TestDb::sqlite().await,
        dir,
        &[("CHAT_UPLOAD_MAX_BYTES", "4096")],
    )
    .await;
    let (alice, _, conv) = customer_with_conversation(&app).await;
    // Declared too large: refused before reading.
    let mut big = PDF.to_vec();
    big.resize(64 * 1024, b' ');
    let multipart = form("big.pdf", "application/pdf", &big, &[]);
    let r = upload(&app, &conv, &alice, &multipart).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.error_code(), "payload_too_large");
    assert!(r.error_message().contains("4096"));
    // Within the envelope, but the file itself is over the limit: refused
    // while streaming.
    let mut over = PDF.to_vec();
    over.resize(5000, b' ');
    let multipart = form("over.pdf", "application/pdf", &over, &[]);
    let r = upload(&app, &conv, &alice, &multipart).await;
    assert_eq!(r.status, 413, "{}", r.text);
    // At the limit: accepted.
    let mut at = PDF.to_vec();
    at.resize(4096, b' ');
    let multipart = form("at.pdf", "application/pdf", &at, &[]);
    let r = upload(&app, &conv, &alice, &multipart).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // An image too large in pixels (20000×2 in its header).
    let mut huge = PNG.to_vec();
    huge[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    let multipart = form("huge.png", "image/png", &huge, &[]);
    let r = upload(&app, &conv, &alice, &multipart).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert!(r.text.contains("pixels"), "{}", r.text);
    app.stop().await;
}
