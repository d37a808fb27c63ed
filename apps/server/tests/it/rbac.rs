//! The RBAC matrix, cell by cell, against the real server and against the
//! OpenAPI document it serves: for every operation, what anonymous callers,
//! customers, agents, supervisors and admins get, on fresh fixtures; that
//! the document lists exactly these operations with these roles; and that
//! every status the server answered is one the document declares.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;

use chat_domain::ids::CustomerId;
use chat_domain::model::{Conversation, Role, WebhookDelivery, WebhookEvent};
use chat_domain::ports::{ConversationRepository, WebhookRepository};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, request};
use serde_json::{Value, json};

on_both_backends!(every_cell_of_the_matrix);

/// Who may call: `-` refused, a letter allowed, in the order anonymous,
/// customer, agent, supervisor, admin (`a c g s A`).
struct Row {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    roles: &'static str,
    /// What each caller gets on fresh fixtures, in that order.
    expect: [u16; 5],
}

const fn row(
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    roles: &'static str,
    expect: [u16; 5],
) -> Row {
    Row {
        method,
        path,
        body,
        roles,
        expect,
    }
}

const E: Option<&str> = Some("{}");
const ASSIGN: Option<&str> = Some(r#"{"agent_id":"{agent}"}"#);

/// The matrix. Fixtures per row: `{conv}` a conversation the customer has
/// with the assistant, `{cust}` that customer, `{doc}` a knowledge document, `{canned}` a shared
/// canned response, `{user}` and `{agent}` the agent's id. Bodies that are
/// not valid for the route (`{}`) show that validation comes after the role
/// check; state changes show the order of checks (role, ownership, state).
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    row("get", "/healthz", None, "acgsA", [200, 200, 200, 200, 200]),
    row("get", "/readyz", None, "acgsA", [200, 200, 200, 200, 200]),
    row("get", "/metrics", None, "acgsA", [200, 200, 200, 200, 200]),
    row("get", "/api/openapi.json", None, "acgsA", [200, 200, 200, 200, 200]),
    row("get", "/api/docs", None, "acgsA", [200, 200, 200, 200, 200]),
    row("post", "/api/v1/auth/login", E, "acgsA", [400, 400, 400, 400, 400]),
    row("post", "/api/v1/auth/refresh", E, "acgsA", [400, 400, 400, 400, 400]),
    row("post", "/api/v1/auth/logout", E, "acgsA", [400, 400, 400, 400, 400]),
    row("get", "/api/v1/me", None, "--gsA", [401, 403, 200, 200, 200]),
    row("post", "/api/v1/me/password", E, "--gsA", [401, 403, 400, 400, 400]),
    row("post", "/api/v1/me/logout-everywhere", None, "--gsA", [401, 403, 204, 204, 204]),
    row("get", "/api/v1/staff", None, "--gsA", [401, 403, 200, 200, 200]),
    row("get", "/api/v1/users", None, "----A", [401, 403, 403, 403, 200]),
    row("post", "/api/v1/users", E, "----A", [401, 403, 403, 403, 400]),
    row("get", "/api/v1/users/{user}", None, "----A", [401, 403, 403, 403, 200]),
    row("patch", "/api/v1/users/{user}", E, "----A", [401, 403, 403, 403, 200]),
    row("post", "/api/v1/users/{user}/password", E, "----A", [401, 403, 403, 403, 400]),
    row("post", "/api/v1/users/{user}/logout-everywhere", None, "----A", [401, 403, 403, 403, 204]),
    row("get", "/api/v1/audit", None, "----A", [401, 403, 403, 403, 200]),
    row("get", "/api/v1/conversations", None, "--gsA", [401, 403, 200, 200, 200]),
    row("get", "/api/v1/conversations/{conv}", None, "--gsA", [401, 403, 200, 200, 200]),
    row("get", "/api/v1/conversations/{conv}/messages", None, "--gsA", [401, 403, 200, 200, 200]),
    row("put", "/api/v1/conversations/{conv}/read", E, "--gsA", [401, 403, 400, 400, 400]),
    row("get", "/api/v1/inbox/summaries?ids={conv}", None, "--gsA", [401, 403, 200, 200, 200]),
    row("post", "/api/v1/conversations/{conv}/notes", E, "--gsA", [401, 403, 400, 400, 400]),
    // Attachments: the customer's own conversation, with the assistant (so
    // staff may not post yet); `{}` is not a multipart form (415). `{att}`
    // is an image the customer sent there, which everyone who sees the
    // conversation may download.
    row("post", "/api/v1/conversations/{conv}/attachments", E, "-cgsA", [401, 415, 403, 403, 403]),
    row("get", "/api/v1/attachments/{att}", None, "-cgsA", [401, 200, 200, 200, 200]),
    row("put", "/api/v1/conversations/{conv}/labels", E, "--gsA", [401, 403, 400, 400, 400]),
    row("post", "/api/v1/conversations/{conv}/snooze", E, "--gsA", [401, 403, 400, 400, 400]),
    // Not theirs (agent); the assistant's, so nothing to wake (the others).
    row("delete", "/api/v1/conversations/{conv}/snooze", None, "--gsA", [401, 403, 403, 409, 409]),
    // Only queued conversations are accepted.
    row("post", "/api/v1/conversations/{conv}/accept", None, "--gsA", [401, 403, 409, 409, 409]),
    // The agent takes it; then it is no longer the assistant's to take.
    row("post", "/api/v1/conversations/{conv}/takeover", None, "--gsA", [401, 403, 200, 409, 409]),
    row("post", "/api/v1/conversations/{conv}/hand-back", None, "--gsA", [401, 403, 403, 409, 409]),
    // Not the agent's; the supervisor closes it; then it is closed.
    row("post", "/api/v1/conversations/{conv}/close", None, "--gsA", [401, 403, 403, 200, 409]),
    row("post", "/api/v1/conversations/{conv}/reopen", None, "--gsA", [401, 403, 403, 409, 409]),
    row("post", "/api/v1/conversations/{conv}/assign", ASSIGN, "---sA", [401, 403, 403, 200, 409]),
    row("post", "/api/v1/conversations/{conv}/transfer", ASSIGN, "--gsA", [401, 403, 403, 409, 409]),
    row("get", "/api/v1/customers", None, "--gsA", [401, 403, 200, 200, 200]),
    row("post", "/api/v1/customers/reencrypt", None, "----A", [401, 403, 403, 403, 200]),
    row("get", "/api/v1/customers/{cust}", None, "--gsA", [401, 403, 200, 200, 200]),
    row("patch", "/api/v1/customers/{cust}", E, "--gsA", [401, 403, 400, 400, 400]),
    row("get", "/api/v1/customers/{cust}/conversations", None, "--gsA", [401, 403, 200, 200, 200]),
    row("get", "/api/v1/customers/{cust}/export", None, "---sA", [401, 403, 403, 200, 200]),
    // Refused while the customer has an open conversation.
    row("post", "/api/v1/customers/{cust}/erase", None, "----A", [401, 403, 403, 403, 409]),
    row("get", "/api/v1/knowledge", None, "---sA", [401, 403, 403, 200, 200]),
    row("post", "/api/v1/knowledge", E, "---sA", [401, 403, 403, 400, 400]),
    row("post", "/api/v1/knowledge/import", E, "---sA", [401, 403, 403, 400, 400]),
    row("get", "/api/v1/knowledge/search?q=refund", None, "---sA", [401, 403, 403, 200, 200]),
    row("post", "/api/v1/knowledge/reindex", None, "---sA", [401, 403, 403, 200, 200]),
    row("get", "/api/v1/knowledge/{doc}", None, "---sA", [401, 403, 403, 200, 200]),
    row("put", "/api/v1/knowledge/{doc}", E, "---sA", [401, 403, 403, 400, 400]),
    row("delete", "/api/v1/knowledge/{doc}", None, "---sA", [401, 403, 403, 204, 404]),
    row("get", "/api/v1/canned", None, "--gsA", [401, 403, 200, 200, 200]),
    row("post", "/api/v1/canned", E, "--gsA", [401, 403, 400, 400, 400]),
    row("put", "/api/v1/canned/{canned}", E, "--gsA", [401, 403, 403, 400, 400]),
    // A shared one: supervisors and admins only.
    row("delete", "/api/v1/canned/{canned}", None, "--gsA", [401, 403, 403, 204, 404]),
    row("get", "/api/v1/stats", None, "---sA", [401, 403, 403, 200, 200]),
    row("get", "/api/v1/stats.csv", None, "---sA", [401, 403, 403, 200, 200]),
    // Webhooks: `{webhook}` is a disabled one (nothing is sent anywhere),
    // `{delivery}` a pending delivery of it; pings and retries of a
    // disabled webhook are refused (409) after the role check.
    row("get", "/api/v1/webhooks", None, "----A", [401, 403, 403, 403, 200]),
    row("post", "/api/v1/webhooks", E, "----A", [401, 403, 403, 403, 400]),
    row("get", "/api/v1/webhooks/{webhook}", None, "----A", [401, 403, 403, 403, 200]),
    row("patch", "/api/v1/webhooks/{webhook}", E, "----A", [401, 403, 403, 403, 200]),
    row("delete", "/api/v1/webhooks/{webhook}", None, "----A", [401, 403, 403, 403, 204]),
    row("post", "/api/v1/webhooks/{webhook}/rotate-secret", None, "----A", [401, 403, 403, 403, 200]),
    row("post", "/api/v1/webhooks/{webhook}/ping", None, "----A", [401, 403, 403, 403, 409]),
    row("get", "/api/v1/webhooks/{webhook}/deliveries", None, "----A", [401, 403, 403, 403, 200]),
    row("get", "/api/v1/webhooks/{webhook}/deliveries/{delivery}", None, "----A", [401, 403, 403, 403, 200]),
    row("post", "/api/v1/webhooks/{webhook}/deliveries/{delivery}/retry", None, "----A", [401, 403, 403, 403, 409]),
    // Business hours: `{}` lacks the required fields (400 after the role check).
    row("get", "/api/v1/business-hours", None, "--gsA", [401, 403, 200, 200, 200]),
    row("put", "/api/v1/business-hours", E, "----A", [401, 403, 403, 403, 400]),
    row("post", "/api/v1/widget/sessions", E, "acgsA", [200, 200, 200, 200, 200]),
    row("get", "/api/v1/widget/availability", None, "acgsA", [200, 200, 200, 200, 200]),
    // No e-mail address in `{}`: refused before anything changes.
    row("post", "/api/v1/widget/conversations/{conv}/leave-message", E, "-c---", [401, 400, 403, 403, 403]),
    // The pre-chat form: `{}` is a form with every field off (the default).
    row("get", "/api/v1/settings/prechat", None, "----A", [401, 403, 403, 403, 200]),
    row("put", "/api/v1/settings/prechat", E, "----A", [401, 403, 403, 403, 200]),
    row("get", "/api/v1/widget/prechat", None, "-c---", [401, 200, 403, 403, 403]),
    row("post", "/api/v1/widget/prechat", E, "-c---", [401, 200, 403, 403, 403]),
    row("get", "/api/v1/widget/conversations", None, "-c---", [401, 200, 403, 403, 403]),
    row("get", "/api/v1/widget/conversations/{conv}/messages", None, "-c---", [401, 200, 403, 403, 403]),
    // Still open: nothing to rate yet.
    row("post", "/api/v1/widget/conversations/{conv}/rating", Some(r#"{"score":5}"#), "-c---", [401, 409, 403, 403, 403]),
];

const COLUMNS: [&str; 5] = ["anonymous", "customer", "agent", "supervisor", "admin"];

/// The password `common::create_staff` gives.
const STAFF_PASSWORD: &str = "agent password";

async fn email_of(app: &TestApp, id: chat_domain::ids::UserId) -> String {
    chat_domain::ports::UserRepository::user_by_id(&app.store, id)
        .await
        .unwrap()
        .unwrap()
        .email
}

async fn token_of(app: &TestApp, email: &str, password: &str) -> String {
    app.token(email, password).await
}

async fn every_cell_of_the_matrix(app: &TestApp) {
    let mut admin = token_of(app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (agent_id, agent) = common::create_staff(app, Role::Agent).await;
    let (supervisor_id, supervisor) = common::create_staff(app, Role::Supervisor).await;
    let session = common::widget_session(app).await;
    let customer = session["token"].as_str().unwrap().to_owned();
    let customer_id: CustomerId = session["customer_id"].as_str().unwrap().parse().unwrap();
    let mut tokens = [
        None,
        Some(customer),
        Some(agent),
        Some(supervisor),
        Some(admin.clone()),
    ];

    let spec = app.get("/api/openapi.json", None).await.json();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    check_references(&spec);
    let mut documented: BTreeSet<(String, String)> = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let tested: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|r| (r.method.to_owned(), spec_path(r.path)))
        .collect();
    assert_eq!(
        documented.difference(&tested).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented but not in the matrix"
    );
    assert_eq!(
        tested.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "in the matrix but not documented"
    );

    let mut failures = Vec::new();
    for r in MATRIX {
        let op = &spec["paths"][spec_path(r.path)][r.method];
        let roles: Vec<&str> = op["x-roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let allowed: Vec<&str> = COLUMNS
            .iter()
            .zip(r.roles.chars())
            .filter(|(_, c)| *c != '-')
            .map(|(name, _)| *name)
            .collect();
        if roles != allowed {
            failures.push(format!(
                "{} {}: documented roles {roles:?}, matrix {allowed:?}",
                r.method, r.path
            ));
        }
        let declared: Vec<u16> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.parse().unwrap())
            .collect();
        // Fresh fixtures for each row.
        let conv = Conversation::open(customer_id, chat_domain::time::now());
        app.store.create_conversation(&conv).await.unwrap();
        let doc = app
            .post_json(
                "/api/v1/knowledge",
                &json!({"title": "Refunds", "body": "Within 7 days."}),
                Some(&admin),
            )
            .await
            .id();
        let canned = app
            .post_json(
                "/api/v1/canned",
                &json!({"shortcut": format!("s{}", &uuid::Uuid::new_v4().simple().to_string()[..10]), "title": "Hi", "body": "Hello!", "shared": true}),
                Some(&admin),
            )
            .await.id();
        let webhook = app
            .post_json(
                "/api/v1/webhooks",
                &json!({"url": "https://example.com/hook", "events": ["message.created"], "enabled": false}),
                Some(&admin),
            )
            .await.id();
        let delivery = WebhookDelivery::new(
            webhook.parse().unwrap(),
            WebhookEvent::Ping,
            "{}".into(),
            chat_domain::time::now(),
        );
        app.store
            .enqueue_deliveries(std::slice::from_ref(&delivery))
            .await
            .unwrap();
        let att = if r.path.contains("{att}") {
            upload_png(app, tokens[1].as_deref().unwrap(), &conv.id.to_string()).await
        } else {
            String::new()
        };
        let fill = |s: &str| {
            s.replace("{conv}", &conv.id.to_string())
                .replace("{att}", &att)
                .replace("{webhook}", &webhook)
                .replace("{delivery}", &delivery.id.to_string())
                .replace("{doc}", &doc)
                .replace("{canned}", &canned)
                .replace("{user}", &agent_id.to_string())
                .replace("{agent}", &agent_id.to_string())
                .replace("{cust}", &customer_id.to_string())
        };
        let path = fill(r.path);
        let body = r.body.map(fill);
        for (i, token) in tokens.iter().enumerate() {
            let auth = token.as_ref().map(|t| format!("Bearer {t}"));
            let mut headers: Vec<(&str, &str)> = Vec::new();
            if let Some(a) = &auth {
                headers.push(("authorization", a));
            }
            if body.is_some() {
                headers.push(("content-type", "application/json"));
            }
            let resp = request(
                app.addr,
                &r.method.to_uppercase(),
                &path,
                &headers,
                body.as_deref().map(str::as_bytes),
            )
            .await;
            if resp.status != r.expect[i] {
                failures.push(format!(
                    "{} {} as {}: got {}, matrix says {}: {}",
                    r.method, r.path, COLUMNS[i], resp.status, r.expect[i], resp.text
                ));
            }
            if !declared.contains(&resp.status) {
                failures.push(format!(
                    "{} {} as {}: {} is not declared in the OpenAPI document ({declared:?})",
                    r.method, r.path, COLUMNS[i], resp.status
                ));
            }
            if resp.status >= 400 {
                let v: Value = serde_json::from_str(&resp.text).unwrap_or(Value::Null);
                if !v["error"]["code"].is_string() {
                    failures.push(format!(
                        "{} {} as {}: error without the error body: {}",
                        r.method, r.path, COLUMNS[i], resp.text
                    ));
                }
            }
        }
        // "Log out everywhere" ends the caller's (or the agent's) access
        // tokens too: the next rows sign in again.
        if r.path.contains("logout-everywhere") {
            admin = token_of(app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
            tokens[2] = Some(token_of(app, &email_of(app, agent_id).await, STAFF_PASSWORD).await);
            tokens[3] =
                Some(token_of(app, &email_of(app, supervisor_id).await, STAFF_PASSWORD).await);
            tokens[4] = Some(admin.clone());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A PNG the customer sends into `conv`: its attachment id.
async fn upload_png(app: &TestApp, token: &str, conv: &str) -> String {
    let png: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
    ];
    let mut body =
        b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"
            .to_vec();
    body.extend_from_slice(png);
    body.extend_from_slice(b"\r\n--b0undary--\r\n");
    let auth = format!("Bearer {token}");
    let resp = request(
        app.addr,
        "POST",
        &format!("/api/v1/conversations/{conv}/attachments"),
        &[
            ("authorization", &auth),
            ("content-type", "multipart/form-data; boundary=b0undary"),
        ],
        Some(&body),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    resp.json()["attachment"]["id"].as_str().unwrap().to_owned()
}

/// The matrix's paths with the document's parameter names.
fn spec_path(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.replace("{conv}", "{id}")
        .replace("{att}", "{id}")
        .replace("{webhook}", "{id}")
        .replace("{delivery}", "{delivery_id}")
        .replace("{doc}", "{id}")
        .replace("{canned}", "{id}")
        .replace("{user}", "{id}")
        .replace("{cust}", "{id}")
}

/// Every `$ref` points at a component that exists, and every operation
/// declares responses: the document is self-consistent.
fn check_references(spec: &Value) {
    fn walk(v: &Value, refs: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    refs.push(r.clone());
                }
                map.values().for_each(|v| walk(v, refs));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
            _ => {}
        }
    }
    let mut refs = Vec::new();
    walk(spec, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {r}"));
        assert!(
            spec["components"]["schemas"][name].is_object(),
            "dangling reference {r}"
        );
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} declares no responses"
            );
        }
    }
}
