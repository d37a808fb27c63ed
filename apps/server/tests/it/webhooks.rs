//! Webhooks through the real server, delivered to a real local receiver
//! (a tiny HTTP server in this file) that checks every signature with its
//! own HMAC code, answers 500 when told to, and records what it got:
//! signatures verify, retries happen with the same delivery id, failures
//! are logged and disable the webhook, pending deliveries survive a
//! restart. Plus every route: success, validation, roles, paging.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chat_domain::model::{Role, Webhook, WebhookDelivery, WebhookEvent, WebhookSecret};
use chat_domain::ports::WebhookRepository;
use chat_domain::time::now;
use chat_store::testing::TestDb;
use common::ws::Ws;
use common::{TestApp, create_staff, request, send};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Small numbers, so retries and disabling happen within a test.
const FAST: &[(&str, &str)] = &[
    ("CHAT_WEBHOOK_ALLOW_PRIVATE", "true"),
    ("CHAT_WEBHOOK_MAX_ATTEMPTS", "3"),
    ("CHAT_WEBHOOK_BACKOFF_MS", "40"),
    ("CHAT_WEBHOOK_MAX_BACKOFF_SECS", "1"),
    ("CHAT_WEBHOOK_DISABLE_AFTER", "2"),
    ("CHAT_WEBHOOK_POLL_MS", "50"),
    ("CHAT_WEBHOOK_TIMEOUT_SECS", "2"),
];

async fn spawn(db: TestDb, extra: &[(&str, &str)]) -> TestApp {
    let dir = common::data_dir();
    TestApp::spawn_on(db, dir, extra).await
}

on_both_backends!(
    env = super::FAST;
    deliveries_are_signed_retried_logged_and_disable,
    webhook_routes_roles_validation_and_paging,
);

// ---------------------------------------------------------------- receiver

/// What the receiver got, one entry per request.
#[derive(Clone, Debug)]
struct Got {
    event: String,
    delivery: String,
    attempt: u32,
    signature: String,
    raw: Vec<u8>,
    body: Value,
    /// Checked on arrival with the secret the receiver held then.
    signed_ok: bool,
    answered: u16,
}

#[derive(Default)]
struct ReceiverState {
    secret: Option<String>,
    fail_next: usize,
    always_fail: bool,
    got: Vec<Got>,
}

#[derive(Clone)]
struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<ReceiverState>>,
}

/// The receiver's own signature check (not the server's code): HMAC-SHA256
/// of "<t>.<body>" keyed with the secret, hex, and a fresh timestamp.
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected = hex::encode(mac.finalize().into_bytes());
    sigs.contains(&expected)
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(ReceiverState::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let header = |name: &str| {
                        head.lines()
                            .filter_map(|l| l.split_once(':'))
                            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                            .map(|(_, v)| v.trim().to_owned())
                            .unwrap_or_default()
                    };
                    let len: usize = header("content-length").parse().unwrap_or(0);
                    while buf.len() < head_end + len {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let raw = buf[head_end..].to_vec();
                    let answered = {
                        let mut s = state.lock().unwrap();
                        let status = if s.always_fail {
                            500
                        } else if s.fail_next > 0 {
                            s.fail_next -= 1;
                            500
                        } else {
                            200
                        };
                        let signature = header("x-chat-signature");
                        let signed_ok = s
                            .secret
                            .as_deref()
                            .is_some_and(|k| verify(k, &signature, &raw));
                        s.got.push(Got {
                            event: header("x-chat-event"),
                            delivery: header("x-chat-delivery"),
                            attempt: header("x-chat-attempt").parse().unwrap_or(0),
                            signature,
                            body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
                            raw,
                            signed_ok,
                            answered: status,
                        });
                        status
                    };
                    let text = if answered == 200 {
                        "ok"
                    } else {
                        "receiver says no"
                    };
                    let reply = format!(
                        "HTTP/1.1 {answered} X\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = sock.write_all(reply.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Self { addr, state }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/chat?source=test", self.addr)
    }

    fn set(&self, f: impl FnOnce(&mut ReceiverState)) {
        f(&mut self.state.lock().unwrap());
    }

    fn got(&self) -> Vec<Got> {
        self.state.lock().unwrap().got.clone()
    }

    /// Waits (10 s at most) until `pred` holds for what was received.
    async fn wait_until(&self, what: &str, pred: impl Fn(&[Got]) -> bool) -> Vec<Got> {
        for _ in 0..400 {
            let got = self.got();
            if pred(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("receiver: {what} did not happen; got {:#?}", self.got());
    }

    /// The accepted (200) requests for `event`.
    fn accepted(&self, event: &str) -> Vec<Got> {
        self.got()
            .into_iter()
            .filter(|g| g.event == event && g.answered == 200)
            .collect()
    }
}

// ---------------------------------------------------------------- helpers

const ALL: [&str; 5] = [
    "conversation.created",
    "conversation.state_changed",
    "conversation.closed",
    "message.created",
    "csat.submitted",
];

/// Creates a webhook to `receiver` and gives the receiver its secret.
async fn subscribe(app: &TestApp, token: &str, receiver: &Receiver, events: &[&str]) -> Value {
    let payload = json!({ "url": receiver.url(), "events": events });
    let r = send(app, "POST", "/api/v1/webhooks", Some(payload), Some(token)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    let secret = v["secret"].as_str().unwrap().to_owned();
    receiver.set(|s| s.secret = Some(secret));
    v
}

/// Polls a delivery (10 s at most) until it is no longer pending.
async fn settled(app: &TestApp, token: &str, hook: &str, delivery: &str) -> Value {
    for _ in 0..400 {
        let uri = format!("/api/v1/webhooks/{hook}/deliveries/{delivery}");
        let r = app.get(&uri, Some(token)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let d = r.json();
        if d["status"] != "pending" {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("delivery {delivery} still pending");
}

/// Pings `hook`, expects the delivery to succeed: what the receiver got.
async fn ping_delivered(app: &TestApp, token: &str, hook: &str, receiver: &Receiver) -> Got {
    let uri = format!("/api/v1/webhooks/{hook}/ping");
    let r = send(app, "POST", &uri, None, Some(token)).await;
    let ping = r.id();
    assert_eq!(
        settled(app, token, hook, &ping).await["status"],
        "delivered"
    );
    receiver
        .got()
        .into_iter()
        .find(|g| g.delivery == ping)
        .unwrap()
}

// ---------------------------------------------------------------- tests

async fn deliveries_are_signed_retried_logged_and_disable(app: &TestApp) {
    let token = common::admin_token(app).await;
    let receiver = Receiver::start().await;
    // The first two requests fail: the first event is delivered on its
    // third (last allowed) attempt.
    receiver.set(|s| s.fail_next = 2);
    let created = subscribe(app, &token, &receiver, &ALL).await;
    let hook = created["id"].as_str().unwrap().to_owned();
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    let shown = app
        .get(&format!("/api/v1/webhooks/{hook}"), Some(&token))
        .await;
    assert_eq!(shown.status, 200);
    assert!(
        shown.json().get("secret").is_none() && !shown.text.contains("whsec_"),
        "the secret is shown once: {}",
        shown.text
    );

    // A customer opens a conversation: conversation.created, after two 500s.
    let session = common::widget_session(app).await;
    let ctoken = session["token"].as_str().unwrap().to_owned();
    let (mut cws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    let conv = cws.open(json!({ "type": "open", "ref": "o" })).await;
    let got = receiver
        .wait_until("conversation.created accepted", |g| {
            g.iter()
                .any(|g| g.event == "conversation.created" && g.answered == 200)
        })
        .await;
    let tries: Vec<&Got> = got
        .iter()
        .filter(|g| g.event == "conversation.created")
        .collect();
    assert_eq!(tries.len(), 3, "two failures, then success: {tries:#?}");
    assert!(tries.iter().all(|g| g.signed_ok), "every attempt is signed");
    assert!(
        tries
            .iter()
            .all(|g| g.delivery == tries[0].delivery && g.raw == tries[0].raw),
        "a retry is the same delivery, byte for byte"
    );
    assert_eq!(
        tries.iter().map(|g| g.attempt).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(
        tries.iter().map(|g| g.answered).collect::<Vec<_>>(),
        vec![500, 500, 200]
    );
    let body = &tries[0].body;
    assert_eq!(body["event"], "conversation.created");
    assert_eq!(body["data"]["conversation"]["id"], conv.as_str());
    assert_eq!(body["data"]["conversation"]["state"], "bot");
    assert!(body["id"].is_string() && body["created_at"].is_string());
    // The log says the same.
    let d = settled(app, &token, &hook, &tries[0].delivery).await;
    assert_eq!(
        (
            d["status"].as_str(),
            d["attempts"].as_u64(),
            d["last_status"].as_u64()
        ),
        (Some("delivered"), Some(3), Some(200)),
        "{d}"
    );
    assert_eq!(d["event"], "conversation.created");
    assert_eq!(d["payload"], *body, "the log keeps the exact payload");
    assert!(d["delivered_at"].is_string());

    // A customer message, a private note (never sent), a close, a rating.
    cws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "m1", "body": "hello there" }))
        .await;
    cws.next_of("ack").await;
    let uri = format!("/api/v1/conversations/{conv}/notes");
    let payload = json!({ "body": "secret staff note" });
    let note = send(app, "POST", &uri, Some(payload), Some(&token)).await;
    assert_eq!(note.status, 201, "{}", note.text);
    let uri = format!("/api/v1/conversations/{conv}/close");
    let close = send(app, "POST", &uri, None, Some(&token)).await;
    assert_eq!(close.status, 200, "{}", close.text);
    let rate = request(
        app.addr,
        "POST",
        &format!("/api/v1/widget/conversations/{conv}/rating"),
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {ctoken}")),
        ],
        Some(
            json!({ "score": 4, "comment": "quick" })
                .to_string()
                .as_bytes(),
        ),
    )
    .await;
    assert_eq!(rate.status, 200, "{}", rate.text);
    receiver
        .wait_until("all events accepted", |g| {
            let ok = |e: &str| g.iter().any(|g| g.event == e && g.answered == 200);
            ALL.iter().all(|e| ok(e))
                && g.iter()
                    .filter(|g| g.event == "message.created" && g.answered == 200)
                    .count()
                    >= 2
        })
        .await;
    let messages = receiver.accepted("message.created");
    let bodies: Vec<&Value> = messages
        .iter()
        .map(|g| &g.body["data"]["message"])
        .collect();
    assert!(
        bodies
            .iter()
            .any(|m| m["body"] == "hello there" && m["sender_kind"] == "customer"),
        "{bodies:#?}"
    );
    assert!(
        bodies.iter().any(|m| m["kind"] == "event"),
        "the close notice is a message too"
    );
    assert!(
        receiver
            .got()
            .iter()
            .all(|g| !String::from_utf8_lossy(&g.raw).contains("secret staff note")),
        "private notes are never delivered"
    );
    let changed = &receiver.accepted("conversation.state_changed")[0].body["data"];
    assert_eq!(
        (
            changed["change"].as_str(),
            changed["previous_state"].as_str(),
            changed["conversation"]["state"].as_str()
        ),
        (Some("close"), Some("bot"), Some("closed"))
    );
    assert_eq!(changed["by"]["kind"], "agent");
    let closed = &receiver.accepted("conversation.closed")[0].body["data"];
    assert_eq!(closed["conversation"]["id"], conv.as_str());
    let csat = &receiver.accepted("csat.submitted")[0].body["data"];
    assert_eq!(
        (csat["score"].as_i64(), csat["comment"].as_str()),
        (Some(4), Some("quick"))
    );
    assert!(receiver.got().iter().all(|g| g.signed_ok));

    // The receiver goes down for good: two pings each fail three times,
    // and two failed deliveries in a row disable the webhook.
    receiver.set(|s| s.always_fail = true);
    let mut pings = Vec::new();
    for _ in 0..2 {
        let uri = format!("/api/v1/webhooks/{hook}/ping");
        let r = send(app, "POST", &uri, None, Some(&token)).await;
        assert_eq!(r.status, 202, "{}", r.text);
        assert_eq!(r.json()["status"], "pending");
        assert_eq!(r.json()["event"], "ping");
        pings.push(r.id());
    }
    for ping in &pings {
        let d = settled(app, &token, &hook, ping).await;
        assert_eq!(
            (d["status"].as_str(), d["attempts"].as_u64()),
            (Some("failed"), Some(3)),
            "{d}"
        );
        assert_eq!(d["last_status"], 500);
        assert_eq!(d["last_error"], "HTTP 500: receiver says no");
        assert!(d["next_attempt_at"].is_null());
    }
    let mut shown = Value::Null;
    for _ in 0..100 {
        shown = app
            .get(&format!("/api/v1/webhooks/{hook}"), Some(&token))
            .await
            .json();
        if shown["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(shown["enabled"], false, "{shown}");
    assert_eq!(shown["consecutive_failures"], 2);
    assert!(
        shown["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{shown}"
    );
    let uri = format!("/api/v1/webhooks/{hook}/deliveries?status=failed");
    let failed = app.get(&uri, Some(&token)).await.json();
    assert_eq!(common::items(&failed).len(), 2);
    let uri = format!("/api/v1/audit?action=webhook.disabled&target={hook}");
    let audit = app.get(&uri, Some(&token)).await.json();
    assert_eq!(common::items(&audit).len(), 1, "{audit}");
    assert!(audit["items"][0]["actor_id"].is_null());

    // Disabled: no pings, no retries, no new deliveries.
    let uri = format!("/api/v1/webhooks/{hook}/ping");
    let r = send(app, "POST", &uri, None, Some(&token)).await;
    assert_eq!((r.status, r.error_code()), (409, "conflict".into()));
    let retry_path = format!("/api/v1/webhooks/{hook}/deliveries/{}/retry", pings[0]);
    let r = send(app, "POST", &retry_path, None, Some(&token)).await;
    assert_eq!(r.status, 409, "{}", r.text);

    // Re-enabled: the count is reset; a manual retry gets a fresh budget.
    receiver.set(|s| s.always_fail = false);
    let uri = format!("/api/v1/webhooks/{hook}");
    let payload = json!({ "enabled": true });
    let r = send(app, "PATCH", &uri, Some(payload), Some(&token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.json()["enabled"].as_bool(),
            r.json()["consecutive_failures"].as_u64()
        ),
        (Some(true), Some(0))
    );
    assert!(r.json()["disabled_reason"].is_null());
    let r = send(app, "POST", &retry_path, None, Some(&token)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(
        (r.json()["status"].as_str(), r.json()["attempts"].as_u64()),
        (Some("pending"), Some(0))
    );
    let d = settled(app, &token, &hook, &pings[0]).await;
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_u64()),
        (Some("delivered"), Some(1)),
        "{d}"
    );
    let redelivered = receiver.accepted("ping");
    assert_eq!(redelivered.len(), 1);
    assert_eq!(redelivered[0].delivery, pings[0], "same delivery id");
    assert_eq!(redelivered[0].body["data"]["webhook_id"], hook.as_str());

    // Rotation: new secret at once; the old one no longer verifies.
    let old = receiver.state.lock().unwrap().secret.clone().unwrap();
    let uri = format!("/api/v1/webhooks/{hook}/rotate-secret");
    let r = send(app, "POST", &uri, None, Some(&token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let new = r.json()["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    assert_eq!(r.json()["id"], hook.as_str());
    receiver.set(|s| s.secret = Some(new.clone()));
    let got = ping_delivered(app, &token, &hook, &receiver).await;
    assert!(got.signed_ok);
    assert!(!verify(&old, &got.signature, &got.raw));

    // A rotation with an overlap: the previous secret keeps signing too,
    // so the receiver (still holding it) accepts deliveries meanwhile.
    let uri = format!("/api/v1/webhooks/{hook}/rotate-secret?keep_previous_secs=3600");
    let r = send(app, "POST", &uri, None, Some(&token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let newest = r.json()["secret"].as_str().unwrap().to_owned();
    assert!(
        r.json()["previous_secret_expires_at"].is_string(),
        "{}",
        r.text
    );
    assert!(!r.text.contains(&new), "the previous secret is never shown");
    let got = ping_delivered(app, &token, &hook, &receiver).await;
    assert!(got.signed_ok, "the previous secret still verifies");
    assert!(
        verify(&newest, &got.signature, &got.raw),
        "so does the new one"
    );
    assert!(!verify(&old, &got.signature, &got.raw));

    // Every write was audited.
    let uri = format!("/api/v1/audit?target={hook}&limit=50");
    let audit = app.get(&uri, Some(&token)).await.json();
    let actions = common::audit_actions(&audit);
    for action in [
        "webhook.created",
        "webhook.pinged",
        "webhook.disabled",
        "webhook.updated",
        "webhook.delivery_retried",
        "webhook.secret_rotated",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    assert!(
        !audit.to_string().contains("whsec_"),
        "no secret in the audit log"
    );
}

async fn webhook_routes_roles_validation_and_paging(app: &TestApp) {
    let token = common::admin_token(app).await;
    let (_, supervisor) = create_staff(app, Role::Supervisor).await;
    let (_, agent) = create_staff(app, Role::Agent).await;
    let customer = common::widget_token(app).await;
    let receiver = Receiver::start().await;
    let hook = subscribe(app, &token, &receiver, &["message.created"]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let uri = format!("/api/v1/webhooks/{hook}/ping");
    let r = send(app, "POST", &uri, None, Some(&token)).await;
    let delivery = r.id();
    settled(app, &token, &hook, &delivery).await;
    let doomed = subscribe(app, &token, &receiver, &["csat.submitted"]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Roles, route by route: anonymous 401; customer, agent, supervisor 403; admin succeeds.
    let base = format!("/api/v1/webhooks/{hook}");
    let routes: Vec<(&str, String, Option<Value>, u16)> = vec![
        ("GET", "/api/v1/webhooks".into(), None, 200),
        (
            "POST",
            "/api/v1/webhooks".into(),
            Some(json!({ "url": receiver.url(), "events": ["message.created"] })),
            201,
        ),
        ("GET", base.clone(), None, 200),
        (
            "PATCH",
            base.clone(),
            Some(json!({ "events": ["message.created", "conversation.closed"] })),
            200,
        ),
        ("POST", format!("{base}/rotate-secret"), None, 200),
        ("POST", format!("{base}/ping"), None, 202),
        ("GET", format!("{base}/deliveries"), None, 200),
        ("GET", format!("{base}/deliveries/{delivery}"), None, 200),
        (
            "POST",
            format!("{base}/deliveries/{delivery}/retry"),
            None,
            202,
        ),
        ("DELETE", format!("/api/v1/webhooks/{doomed}"), None, 204),
    ];
    for (method, path, body, ok) in &routes {
        for (who, caller, expected) in [
            ("anonymous", None, 401),
            ("customer", Some(customer.as_str()), 403),
            ("agent", Some(agent.as_str()), 403),
            ("supervisor", Some(supervisor.as_str()), 403),
        ] {
            let r = send(app, method, path, body.clone(), caller).await;
            assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.text);
            r.error_code();
        }
        let r = send(app, method, path, body.clone(), Some(&token)).await;
        assert_eq!(r.status, *ok, "admin {method} {path}: {}", r.text);
    }
    let r = app
        .get(&format!("/api/v1/webhooks/{doomed}"), Some(&token))
        .await;
    assert_eq!((r.status, r.error_code()), (404, "not_found".into()));
    let uri = format!("/api/v1/webhooks/{doomed}/deliveries");
    let r = app.get(&uri, Some(&token)).await;
    assert_eq!(r.status, 404);
    let r = app.get(&base, Some(&token)).await.json();
    assert_eq!(
        r["events"],
        json!(["conversation.closed", "message.created"]),
        "PATCH replaced the list (sorted)"
    );

    // Validation: the field and the rule.
    let invalid = |body: Value, field: &'static str, words: &'static str| {
        let token = token.clone();
        async move {
            let uri = "/api/v1/webhooks";
            let r = send(app, "POST", uri, Some(body.clone()), Some(&token)).await;
            assert_eq!(r.status, 400, "{body}: {}", r.text);
            assert_eq!(r.error_code(), "validation_failed");
            let e = &r.json()["error"];
            assert_eq!(e["field"], field, "{body}: {}", r.text);
            assert!(
                e["message"].as_str().unwrap().contains(words),
                "{body}: {}",
                r.text
            );
        }
    };
    let url = receiver.url();
    invalid(
        json!({ "url": "ftp://example.com/x", "events": ["ping"] }),
        "url",
        "http",
    )
    .await;
    invalid(json!({ "url": "not a url", "events": ALL }), "url", "").await;
    invalid(
        json!({ "url": "https://u:p@example.com/", "events": ALL }),
        "url",
        "credentials",
    )
    .await;
    invalid(
        json!({ "url": url, "events": ["message.sent"] }),
        "events",
        "message.sent",
    )
    .await;
    invalid(
        json!({ "url": url, "events": [] }),
        "events",
        "at least one",
    )
    .await;
    invalid(json!({ "url": url, "events": ["ping"] }), "events", "ping").await;
    invalid(json!({ "events": ALL }), "body", "url").await;
    invalid(
        json!({ "url": url, "events": ALL, "secret": "mine" }),
        "body",
        "secret",
    )
    .await;
    let r = request(
        app.addr,
        "POST",
        "/api/v1/webhooks",
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {token}")),
        ],
        Some(b"{\"url\": "),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("body"))
    );
    for (body, field) in [
        (json!({ "events": ["nope"] }), "events"),
        (json!({ "url": "http://[::1" }), "url"),
        (json!({ "enabled": "yes" }), "body"),
    ] {
        let r = send(app, "PATCH", &base, Some(body.clone()), Some(&token)).await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (400, Some(field)),
            "{body}: {}",
            r.text
        );
    }
    for (path, field) in [
        ("/api/v1/webhooks/not-a-uuid".to_owned(), "path"),
        ("/api/v1/webhooks?limit=0".to_owned(), "limit"),
        (format!("{base}/deliveries?status=lost"), "status"),
        (format!("{base}/deliveries?limit=101"), "limit"),
        (format!("{base}/deliveries?before=x"), "query"),
    ] {
        let r = app.get(&path, Some(&token)).await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (400, Some(field)),
            "{path}: {}",
            r.text
        );
    }
    let missing = uuid::Uuid::now_v7();
    for (method, path) in [
        ("GET", format!("/api/v1/webhooks/{missing}")),
        ("PATCH", format!("/api/v1/webhooks/{missing}")),
        ("DELETE", format!("/api/v1/webhooks/{missing}")),
        ("POST", format!("/api/v1/webhooks/{missing}/ping")),
        ("POST", format!("{base}/deliveries/{missing}/retry")),
        ("GET", format!("{base}/deliveries/{missing}")),
    ] {
        let r = send(app, method, &path, Some(json!({})), Some(&token)).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text);
    }
    let r = send(app, "DELETE", "/api/v1/webhooks", None, Some(&token)).await;
    assert_eq!(r.status, 405);
    for keep in ["-1", "604801", "soon"] {
        let uri = format!("{base}/rotate-secret?keep_previous_secs={keep}");
        let r = send(app, "POST", &uri, None, Some(&token)).await;
        assert_eq!(r.status, 400, "{keep}: {}", r.text);
        let field = r.json()["error"]["field"].as_str().unwrap().to_owned();
        assert!(
            field == "keep_previous_secs" || field == "query",
            "{keep}: {}",
            r.text
        );
    }

    // Paging: webhooks in creation order, deliveries newest first.
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/webhooks?limit=1&after={a}"),
            None => "/api/v1/webhooks?limit=1".to_owned(),
        };
        let page = app.get(&path, Some(&token)).await.json();
        let items = common::items(&page);
        assert!(items.len() <= 1);
        assert!(items.iter().all(|w| w.get("secret").is_none()));
        ids.extend(items.iter().map(|w| w["id"].as_str().unwrap().to_owned()));
        match page["next_after"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(ids[0], hook);
    let mut pings = Vec::new();
    for _ in 0..3 {
        let r = send(app, "POST", &format!("{base}/ping"), None, Some(&token)).await;
        pings.push(r.id());
    }
    for p in &pings {
        settled(app, &token, &hook, p).await;
    }
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let path = match &before {
            Some(b) => format!("{base}/deliveries?status=delivered&limit=2&before={b}"),
            None => format!("{base}/deliveries?status=delivered&limit=2"),
        };
        let page = app.get(&path, Some(&token)).await.json();
        seen.extend(
            common::items(&page)
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_owned()),
        );
        match page["next_before"].as_str() {
            Some(b) => before = Some(b.to_owned()),
            None => break,
        }
    }
    // The first ping, the role-matrix ping, three pings: five, newest first.
    assert_eq!(seen.len(), 5, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(seen, sorted, "newest first");
    assert_eq!(
        seen[..3],
        pings.iter().rev().cloned().collect::<Vec<_>>()[..]
    );
    let none = app
        .get(&format!("{base}/deliveries?status=failed"), Some(&token))
        .await
        .json();
    assert_eq!(none["items"], json!([]));
    assert!(none["next_before"].is_null());
}

/// Pending deliveries are rows: a node that stops (or dies mid-attempt)
/// loses none; the next node to run sends them.
async fn pending_deliveries_survive_a_restart(db: TestDb) {
    let dir = common::data_dir();
    let app = TestApp::spawn_on(db, dir, FAST).await;
    let token = common::admin_token(&app).await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &token, &receiver, &["message.created"]).await;
    let hook_id: chat_domain::ids::WebhookId = hook["id"].as_str().unwrap().parse().unwrap();
    let (db, dir) = app.stop().await;

    // While no node runs: one delivery queued, one in flight on a node that
    // died (claimed with a lease that runs out in a second).
    let delivery = |n: u32| {
        WebhookDelivery::new(
            hook_id,
            WebhookEvent::MessageCreated,
            json!({ "event": "message.created", "data": { "n": n } }).to_string(),
            now(),
        )
    };
    let (in_flight, queued) = (delivery(1), delivery(2));
    db.store
        .enqueue_deliveries(std::slice::from_ref(&in_flight))
        .await
        .unwrap();
    let claim = db
        .store
        .claim_deliveries(now(), now() + chrono::Duration::seconds(1), 10)
        .await
        .unwrap();
    assert_eq!(claim.items.len(), 1);
    db.store
        .enqueue_deliveries(std::slice::from_ref(&queued))
        .await
        .unwrap();

    // A new node on the same database sends both.
    let app = TestApp::spawn_on(db, dir, FAST).await;
    let got = receiver
        .wait_until("both delivered", |g| {
            let ok = |id: String| g.iter().any(|g| g.delivery == id && g.answered == 200);
            ok(queued.id.to_string()) && ok(in_flight.id.to_string())
        })
        .await;
    let taken_over = got
        .iter()
        .find(|g| g.delivery == in_flight.id.to_string())
        .unwrap();
    assert_eq!(taken_over.attempt, 2, "the dead node's attempt counted");
    assert!(got.iter().all(|g| g.signed_ok));
    app.stop().await;
}

on_both_databases!(pending_deliveries_survive_a_restart => pending_deliveries_survive_a_restart_sqlite, pending_deliveries_survive_a_restart_mysql);

/// Two nodes on one database, both sending: every delivery reaches the
/// receiver exactly once (leases keep the senders apart).
async fn two_senders_deliver_each_row_once(db: TestDb) {
    let url = db.url.clone();
    let a = spawn(db, FAST).await;
    let mut vars: std::collections::HashMap<String, String> = FAST
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    for (k, v) in [
        ("CHAT_LISTEN", "127.0.0.1:0"),
        ("CHAT_AI_PROVIDER", "none"),
        ("CHAT_JWT_SECRET", common::JWT_SECRET),
        ("CHAT_WORKERS", "1"),
        ("CHAT_DATA_KEYS", chat_store::testing::TEST_DATA_KEYS),
        (
            "CHAT_DATA_HASH_KEY",
            chat_store::testing::TEST_DATA_HASH_KEY,
        ),
    ] {
        vars.insert(k.to_owned(), v.to_owned());
    }
    vars.insert("DATABASE_URL".into(), url);
    let dir = common::data_dir();
    vars.insert("CHAT_DATA_DIR".into(), dir.to_string_lossy().into_owned());
    let config = chat_server::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let b = chat_server::Application::build(config).await.unwrap();
    let b_handle = b.handle();
    tokio::spawn(b.run_until_stopped(None));

    let token = common::admin_token(&a).await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&a, &token, &receiver, &["message.created"]).await;
    let hook_id: chat_domain::ids::WebhookId = hook["id"].as_str().unwrap().parse().unwrap();
    let rows: Vec<WebhookDelivery> = (0..400)
        .map(|i| {
            WebhookDelivery::new(
                hook_id,
                WebhookEvent::MessageCreated,
                json!({ "n": i }).to_string(),
                now(),
            )
        })
        .collect();
    for chunk in rows.chunks(100) {
        a.store.enqueue_deliveries(chunk).await.unwrap();
    }
    receiver
        .wait_until("400 deliveries", |g| g.len() >= rows.len())
        .await;
    // Give a duplicate, if there were one, time to arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = receiver.got();
    let mut ids: Vec<&str> = got.iter().map(|g| g.delivery.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rows.len(), "every delivery arrived");
    assert_eq!(got.len(), rows.len(), "none arrived twice");
    assert!(got.iter().all(|g| g.signed_ok && g.attempt == 1));
    b_handle.stop(true).await;
    a.stop().await;
}

on_both_databases!(two_senders_deliver_each_row_once => two_senders_deliver_each_row_once_sqlite, two_senders_deliver_each_row_once_mysql);

/// Without `CHAT_WEBHOOK_ALLOW_PRIVATE`, internal destinations are refused
/// when saved, and a stored one (saved while allowed) is refused at send
/// time: the receiver never hears of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_destinations_are_refused_by_default() {
    let app = spawn(
        TestDb::sqlite().await,
        &[
            ("CHAT_WEBHOOK_POLL_MS", "50"),
            ("CHAT_WEBHOOK_MAX_ATTEMPTS", "1"),
        ],
    )
    .await;
    let token = common::admin_token(&app).await;
    let receiver = Receiver::start().await;
    for url in [
        receiver.url(),
        "http://localhost:8080/x".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://[::1]/x".to_owned(),
    ] {
        let payload = json!({ "url": url, "events": ALL });
        let uri = "/api/v1/webhooks";
        let r = send(&app, "POST", uri, Some(payload), Some(&token)).await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (400, Some("url")),
            "{url}: {}",
            r.text
        );
        assert!(r.text.contains("CHAT_WEBHOOK_ALLOW_PRIVATE"));
    }
    let stored = Webhook::new(
        &receiver.url(),
        &["message.created".to_owned()],
        WebhookSecret::new("whsec_x".into()),
        now(),
    )
    .unwrap();
    app.store.create_webhook(&stored).await.unwrap();
    let uri = format!("/api/v1/webhooks/{}/ping", stored.id);
    let r = send(&app, "POST", &uri, None, Some(&token)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let d = settled(
        &app,
        &token,
        &stored.id.to_string(),
        r.json()["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(d["status"], "failed");
    assert!(
        d["last_error"].as_str().unwrap().starts_with("refused"),
        "{d}"
    );
    assert!(receiver.got().is_empty(), "nothing reached the receiver");
}
