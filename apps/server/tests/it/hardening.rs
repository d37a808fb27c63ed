//! Abuse limits and hardening, through the real server over raw TCP: slow
//! headers and bodies, frame floods, forged frame headers, sockets per
//! address, the widget's body rules, the headers every answer carries, and
//! the modes of the files the server writes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::ws::{Ended, Ws};
use common::{TestApp, request};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let db = chat_store::testing::TestDb::sqlite().await;
    let dir = common::data_dir();
    TestApp::spawn_on(db, dir, extra).await
}

/// Reads what the server sends until it closes the connection (or `limit`
/// passes): the bytes, and whether it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return (raw, false),
            Ok(Ok(0)) | Ok(Err(_)) => return (raw, true),
            Ok(Ok(n)) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends one more byte of body every `every` while reading what the server
/// answers, for at most `limit`: the answer, and `Err` if the connection
/// was still open at the end.
async fn trickled(
    stream: TcpStream,
    every: Duration,
    limit: Duration,
) -> (
    Vec<u8>,
    Result<std::io::Result<usize>, tokio::time::error::Elapsed>,
) {
    let (mut rd, mut wr) = stream.into_split();
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if wr.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let mut raw = Vec::new();
    let read = tokio::time::timeout(limit, rd.read_to_end(&mut raw)).await;
    trickle.abort();
    (raw, read)
}

fn status_of(raw: &[u8]) -> u16 {
    String::from_utf8_lossy(raw)
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {:?}", String::from_utf8_lossy(raw)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_and_headers_are_cut_off_with_408() {
    let app = app_with(&[("CHAT_REQUEST_TIMEOUT_SECS", "2")]).await;
    for path in ["/api/v1/auth/login", "/api/v1/widget/sessions"] {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        // One byte every 200 ms: the body would take over three minutes.
        let (raw, read) =
            trickled(stream, Duration::from_millis(200), Duration::from_secs(6)).await;
        assert!(
            read.is_ok(),
            "{path}: the connection is still open after 6 s"
        );
        let took = started.elapsed();
        assert_eq!(status_of(&raw), 408, "{}", String::from_utf8_lossy(&raw));
        assert!(
            took >= Duration::from_millis(1800) && took < Duration::from_secs(4),
            "{path}: cut off after {took:?}"
        );
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("\"request_timeout\""), "{text}");
    }

    // Headers that never end: actix-web's own deadline, the same setting.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (raw, closed) = read_until_closed(&mut stream, Duration::from_secs(6)).await;
    assert!(closed, "still open after 6 s");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(status_of(&raw), 408);

    // A body sent at an honest pace is unaffected.
    let r = app
        .post_json("/api/v1/widget/sessions", &json!({}), None)
        .await;
    assert_eq!(r.status, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_sessions_follow_the_json_body_rules() {
    let app = app_with(&[]).await;
    let path = "/api/v1/widget/sessions";
    let wrong_type = common::post_raw(app.addr, path, "text/plain", b"{}").await;
    assert_eq!(wrong_type.status, 415, "{}", wrong_type.text);
    assert_eq!(wrong_type.error_code(), "unsupported_media_type");
    // The harness sets CHAT_MAX_BODY_BYTES=4096.
    let name = "x".repeat(5000);
    let big = app.post_json(path, &json!({ "name": name }), None).await;
    assert_eq!(big.status, 413, "{}", big.text);
    assert_eq!(big.error_code(), "payload_too_large");
    let bad = common::post_raw(app.addr, path, "application/json", b"{\"visitor\":").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_code(), "validation_failed");
    // No body at all is still a first visit.
    let empty = request(app.addr, "POST", path, &[], None).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_has_nosniff_token_answers_no_store_and_405_allow() {
    let app = app_with(&[]).await;
    let payload = json!({ "email": common::ADMIN_EMAIL, "password": common::ADMIN_PASSWORD });
    let login = app.post_json("/api/v1/auth/login", &payload, None).await;
    assert_eq!(login.status, 200);
    let refresh_token = login.json()["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = app.refresh(&refresh_token).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    let widget = app
        .post_json("/api/v1/widget/sessions", &json!({}), None)
        .await;
    assert_eq!(widget.status, 200);
    for (what, r) in [
        ("login", &login),
        ("refresh", &refreshed),
        ("widget", &widget),
    ] {
        assert_eq!(
            r.headers.get("cache-control").map(String::as_str),
            Some("no-store"),
            "{what}"
        );
    }

    let token = login.json()["access_token"].as_str().unwrap().to_owned();
    let auth = format!("Bearer {token}");
    let some_user = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
    // (method, path, expected Allow)
    let wrong_methods = [
        ("DELETE", "/api/v1/auth/login", "POST"),
        ("GET", "/api/v1/widget/sessions", "POST"),
        ("PUT", some_user.as_str(), "GET, PATCH"),
        ("POST", "/ws", "GET"),
        ("POST", "/healthz", "GET"),
        ("DELETE", "/api/openapi.json", "GET"),
    ];
    for (method, path, allow) in wrong_methods {
        let r = request(
            app.addr,
            method,
            path,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            Some(b"{}"),
        )
        .await;
        assert_eq!(r.status, 405, "{method} {path}: {}", r.text);
        assert_eq!(r.error_code(), "method_not_allowed", "{method} {path}");
        assert_eq!(
            r.headers.get("allow").map(String::as_str),
            Some(allow),
            "{method} {path}"
        );
    }

    let others = [
        app.get("/healthz", None).await,
        app.get("/readyz", None).await,
        app.get("/api/v1/nothing-here", None).await,
        app.get("/api/v1/users", None).await,
        app.get("/api/v1/users", Some(&token)).await,
        app.get("/api/openapi.json", None).await,
        app.get("/", None).await,
    ];
    for r in others.iter().chain([&login, &widget]) {
        assert_eq!(
            r.headers.get("x-content-type-options").map(String::as_str),
            Some("nosniff"),
            "{r:?}"
        );
    }
    app.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_and_secrets_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let app = app_with(&[]).await;
    // A write, so that the -wal and -shm files exist.
    let r = app
        .post_json("/api/v1/widget/sessions", &json!({}), None)
        .await;
    assert_eq!(r.status, 200);
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let db = std::path::PathBuf::from(app.db.url.strip_prefix("sqlite://").unwrap());
    assert_eq!(
        mode(db.parent().unwrap()),
        0o700,
        "the database's directory"
    );
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", db.display());
        assert_eq!(mode(std::path::Path::new(&file)), 0o600, "{file}");
    }
    // The data directory and the JWT secret generated in it.
    assert_eq!(mode(&app.data_dir), 0o700, "the data directory");
    let secrets: Vec<_> = std::fs::read_dir(&app.data_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!secrets.is_empty());
    for file in secrets {
        // Folders (the attachment storage) are private too: 0700.
        let private = if file.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&file), private, "{}", file.display());
    }
    app.stop().await;
}

/// A customer's socket, past `hello`, with a conversation open: its id.
async fn customer_socket(app: &TestApp) -> (Ws, String) {
    let session = common::widget_session(app).await;
    let token = session["token"].as_str().unwrap();
    let (mut ws, _) = Ws::hello(app.addr, token, json!([])).await;
    let conv = ws.open(json!({ "type": "open" })).await;
    (ws, conv)
}

/// Sends `frame()` every `every` until the socket ends; returns how it ended,
/// how long that took and how many text frames came back meanwhile.
async fn flood(
    ws: Ws,
    every: Duration,
    frame: impl Fn(u64) -> Message + Send + 'static,
) -> (Ended, Duration, usize) {
    let (mut tx, mut rx) = ws.inner.split();
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        let mut i = 0;
        loop {
            tick.tick().await;
            if tx.send(frame(i)).await.is_err() {
                return;
            }
            i += 1;
        }
    });
    let mut texts = 0;
    // One deadline for the whole flood: the server's answers (acks,
    // `rate_limited`) would otherwise keep a per-read timeout from passing.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let ended = loop {
        match tokio::time::timeout_at(deadline, rx.next()).await {
            Err(_) => break None,
            Ok(None) | Ok(Some(Err(_))) => break Some(Ended::Dropped),
            Ok(Some(Ok(Message::Close(c)))) => {
                break Some(Ended::Closed(
                    c.as_ref().map(|f| u16::from(f.code)),
                    c.map(|f| f.reason.to_string()).unwrap_or_default(),
                ));
            }
            Ok(Some(Ok(Message::Text(_)))) => texts += 1,
            Ok(Some(Ok(_))) => {}
        }
    };
    writer.abort();
    let ended = ended.expect("still open after 10 s of flooding");
    (ended, started.elapsed(), texts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_flood_of_sends_is_closed_with_1008() {
    let app = app_with(&[]).await;
    let (ws, conv) = customer_socket(&app).await;
    // About 1,000 `send` frames a second against the default 20/s: a token
    // comes back every 50 frames, so the refusals are never 50 in a row.
    let (ended, took, texts) = flood(ws, Duration::from_millis(1), move |i| {
        Message::text(
            json!({ "type": "send", "conversation_id": conv, "client_msg_id": format!("m{i}"), "body": "hi" })
                .to_string(),
        )
    })
    .await;
    assert!(
        matches!(ended, Ended::Closed(Some(1008), _)),
        "{ended:?} after {took:?}"
    );
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    assert!(texts > 0, "acks and rate_limited errors before the close");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_and_continuation_floods_are_closed_with_1008() {
    let app = app_with(&[]).await;
    // WebSocket pings, as fast as the client can write them.
    let (ws, _) = customer_socket(&app).await;
    let (ended, took, _) = flood(ws, Duration::from_micros(50), |_| {
        Message::Ping(Vec::new().into())
    })
    .await;
    assert!(
        matches!(ended, Ended::Closed(Some(1008), _)),
        "{ended:?} after {took:?}"
    );
    assert!(took < Duration::from_secs(3), "closed after {took:?}");

    // Empty continuation frames of a message that never ends.
    let (ws, _) = customer_socket(&app).await;
    let (ended, took, _) = flood(ws, Duration::from_micros(50), |i| {
        let op = if i == 0 { Data::Text } else { Data::Continue };
        Message::Frame(Frame::message(Vec::new(), OpCode::Data(op), false))
    })
    .await;
    assert!(
        matches!(ended, Ended::Closed(Some(1008), _)),
        "{ended:?} after {took:?}"
    );
    assert!(took < Duration::from_secs(3), "closed after {took:?}");
    app.stop().await;
}

/// Opens a socket by hand: the upgrade request (with `extra` headers), and
/// the status answered; the stream stays open for frames.
async fn raw_upgrade(addr: SocketAddr, extra: &[(&str, &str)]) -> (u16, TcpStream, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "GET /ws HTTP/1.1\r\nhost: {addr}\r\nconnection: upgrade\r\nupgrade: websocket\r\n\
         sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).into_owned();
    (status_of(&raw), stream, head)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_header_announcing_2_pow_62_bytes_is_refused_at_once() {
    let app = app_with(&[]).await;
    let (status, mut stream, _) = raw_upgrade(app.addr, &[]).await;
    assert_eq!(status, 101);
    // A masked text frame announcing 2^62 bytes: the header and its mask,
    // nothing of the payload.
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    stream.write_all(&header).await.unwrap();
    let started = Instant::now();
    // The server's close frame at once (the heartbeat would take 60 s):
    // opcode 8, then the code 1009. (The TCP connection follows about a
    // second later: actix-http's disconnect timeout.)
    let mut close = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut close))
        .await
        .expect("no close frame within 5 s")
        .unwrap();
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(500),
        "close frame after {took:?}"
    );
    assert_eq!(close[0], 0x88, "{close:?}");
    assert_eq!(u16::from_be_bytes([close[2], close[3]]), 1009);
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed, "the connection is still open after 5 s");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_per_address_are_capped_with_429() {
    let app = app_with(&[
        ("CHAT_WS_MAX_PER_IP", "3"),
        ("CHAT_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    let mut open = Vec::new();
    for _ in 0..3 {
        let (status, stream, _) = raw_upgrade(app.addr, &from("198.51.100.1")).await;
        assert_eq!(status, 101);
        open.push(stream);
    }
    let (status, mut refused, head) = raw_upgrade(app.addr, &from("198.51.100.1")).await;
    assert_eq!(status, 429, "{head}");
    assert!(head.to_ascii_lowercase().contains("retry-after:"), "{head}");
    let (body, _) = read_until_closed(&mut refused, Duration::from_millis(500)).await;
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("\"rate_limited\""), "{body}");
    // Another client behind the same proxy is not affected.
    let (status, _other, _) = raw_upgrade(app.addr, &from("198.51.100.2")).await;
    assert_eq!(status, 101);
    // A socket that goes gives its place back.
    drop(open.pop());
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let (status, stream, _) = raw_upgrade(app.addr, &from("198.51.100.1")).await;
        if status == 101 {
            open.push(stream);
            break;
        }
        assert!(Instant::now() < deadline, "the place never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_have_a_deadline_of_their_own_but_may_not_pause() {
    use crate::attachments::{BOUNDARY, PDF, customer_with_conversation, form};
    let app = app_with(&[
        ("CHAT_REQUEST_TIMEOUT_SECS", "1"),
        ("CHAT_UPLOAD_TIMEOUT_SECS", "4"),
    ])
    .await;
    let (token, _, conv) = customer_with_conversation(&app).await;
    let head = |length: usize| {
        format!(
            "POST /api/v1/conversations/{conv}/attachments HTTP/1.1\r\nhost: x\r\n\
             connection: close\r\nauthorization: Bearer {token}\r\n\
             content-type: multipart/form-data; boundary={BOUNDARY}\r\n\
             content-length: {length}\r\n\r\n"
        )
    };
    let body = form("terms.pdf", "application/pdf", PDF, &[]);

    // Slower than any other body may be (2 s against 1 s), never pausing
    // for long: stored.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(head(body.len()).as_bytes()).await.unwrap();
    let started = Instant::now();
    for piece in body.chunks(body.len().div_ceil(8)) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        stream.write_all(piece).await.unwrap();
    }
    let (raw, _) = read_until_closed(&mut stream, Duration::from_secs(6)).await;
    assert!(started.elapsed() >= Duration::from_millis(1900));
    assert_eq!(status_of(&raw), 201, "{}", String::from_utf8_lossy(&raw));

    // A pause longer than the ordinary deadline: 408 after it, the
    // connection closed.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(head(body.len()).as_bytes()).await.unwrap();
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    let started = Instant::now();
    let (raw, closed) = read_until_closed(&mut stream, Duration::from_secs(6)).await;
    let took = started.elapsed();
    assert!(closed, "still open after 6 s");
    assert_eq!(status_of(&raw), 408, "{}", String::from_utf8_lossy(&raw));
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "cut off after {took:?}"
    );
    assert!(String::from_utf8_lossy(&raw).contains("\"request_timeout\""));

    // A trickle that never ends: 408 at the upload's own deadline.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(head(1 << 20).as_bytes()).await.unwrap();
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    let started = Instant::now();
    let (raw, read) = trickled(stream, Duration::from_millis(300), Duration::from_secs(8)).await;
    let took = started.elapsed();
    assert!(read.is_ok(), "the connection is still open after 8 s");
    assert_eq!(status_of(&raw), 408, "{}", String::from_utf8_lossy(&raw));
    assert!(
        took >= Duration::from_millis(3800) && took < Duration::from_secs(6),
        "cut off after {took:?}"
    );
    app.stop().await;
}
