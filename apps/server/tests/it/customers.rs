//! Customers in the back office through the real server: RBAC cell by cell,
//! agents limited to the customers of conversations they may see, search
//! (exact e-mail / phone through the keyed hashes, name, external id),
//! paging, validation, encryption at rest, export, erasure, and key rotation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use chat_domain::ids::{ConversationId, CustomerId};
use chat_domain::model::{Conversation, MessageKind, NewMessage, Role, SenderKind, Transition};
use chat_domain::ports::ConversationRepository as _;
use chat_domain::time::now;
use chat_store::testing::raw_customer;
use common::{Backend, TestApp, admin_token, create_staff, send};
use serde_json::{Value, json};

on_both_backends!(
    customers_rbac_visibility_and_paging,
    customers_update_validation_search_and_encryption,
    customers_detail_export_and_erasure
);

async fn raw(app: &TestApp, method: &str, path: &str, body: &str, token: &str) -> common::Response {
    common::send_text(app.addr, method, path, body, token).await
}

/// A customer through the widget: (id, token, visitor id).
async fn widget_customer(app: &TestApp, name: &str) -> (CustomerId, String, String) {
    let r = app
        .post_json("/api/v1/widget/sessions", &json!({ "name": name }), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    (
        v["customer_id"].as_str().unwrap().parse().unwrap(),
        v["token"].as_str().unwrap().to_owned(),
        v["visitor_id"].as_str().unwrap().to_owned(),
    )
}

/// A conversation of `customer`, moved by `transitions`.
async fn conversation(
    app: &TestApp,
    customer: CustomerId,
    transitions: &[Transition],
) -> ConversationId {
    let conv = Conversation::open(customer, now());
    app.store.create_conversation(&conv).await.unwrap();
    for t in transitions {
        app.store
            .transition_conversation(conv.id, *t, now())
            .await
            .unwrap();
    }
    conv.id
}

fn ids(v: &Value) -> Vec<String> {
    common::items(v)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The JSON detail of an audit entry (recorded as its `reason`).
fn audit_detail(entry: &Value) -> Value {
    let detail: Value = serde_json::from_str(entry["detail"].as_str().unwrap()).unwrap();
    serde_json::from_str(detail["reason"].as_str().unwrap()).unwrap()
}

/// Percent-encodes a query value (everything but letters and digits).
fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn field(r: &common::Response) -> String {
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "validation_failed");
    r.json()["error"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn customers_rbac_visibility_and_paging(app: &TestApp) {
    let admin = admin_token(app).await;
    let (_, supervisor) = create_staff(app, Role::Supervisor).await;
    let (agent_a_id, agent_a) = create_staff(app, Role::Agent).await;
    let (agent_b_id, agent_b) = create_staff(app, Role::Agent).await;

    // cA is agent A's, cB agent B's, cQ waits in the queue (every agent
    // sees it), cN has no conversation at all.
    let (c_a, customer_token, _) = widget_customer(app, "Customer A").await;
    conversation(app, c_a, &[Transition::Takeover(agent_a_id)]).await;
    let (c_b, _, _) = widget_customer(app, "Customer B").await;
    conversation(app, c_b, &[Transition::Takeover(agent_b_id)]).await;
    let (c_q, _, _) = widget_customer(app, "Customer Q").await;
    conversation(app, c_q, &[Transition::RequestHuman]).await;
    let (c_n, _, _) = widget_customer(app, "Customer N").await;
    let all: Vec<String> = [c_a, c_b, c_q, c_n].iter().map(|c| c.to_string()).collect();

    // Who lists whom.
    let list = |token: String| async move {
        let r = app.get("/api/v1/customers?limit=200", Some(&token)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        ids(&r.json())
    };
    for token in [admin.clone(), supervisor.clone()] {
        let seen = list(token).await;
        assert!(all.iter().all(|c| seen.contains(c)), "{seen:?}");
    }
    let seen_a = list(agent_a.clone()).await;
    assert_eq!(seen_a, vec![c_a.to_string(), c_q.to_string()]);
    let seen_b = list(agent_b.clone()).await;
    assert_eq!(seen_b, vec![c_b.to_string(), c_q.to_string()]);

    // Another agent's customer, or one in no conversation: 404 on every
    // route, as for conversations; the right agent gets through.
    for (token, customer, expected) in [
        (&agent_a, c_b, 404),
        (&agent_a, c_n, 404),
        (&agent_b, c_a, 404),
        (&agent_a, c_a, 200),
        (&agent_a, c_q, 200),
        (&agent_b, c_b, 200),
        (&supervisor, c_n, 200),
    ] {
        let path = format!("/api/v1/customers/{customer}");
        let r = app.get(&path, Some(token)).await;
        assert_eq!(r.status, expected, "GET {path}: {}", r.text);
        let r = app.get(&format!("{path}/conversations"), Some(token)).await;
        assert_eq!(r.status, expected, "GET conversations: {}", r.text);
        let payload = json!({ "tags": ["x"] });
        let r = send(app, "PATCH", &path, Some(payload), Some(token)).await;
        assert_eq!(r.status, expected, "PATCH {path}: {}", r.text);
        if expected == 404 {
            assert_eq!(r.error_code(), "not_found");
        }
    }
    // An unknown id is the same 404; a malformed one is a 400.
    let uri = format!("/api/v1/customers/{}", CustomerId::new());
    let r = app.get(&uri, Some(&admin)).await;
    assert_eq!(r.status, 404);
    let r = app.get("/api/v1/customers/not-an-id", Some(&admin)).await;
    assert_eq!(r.status, 400, "{}", r.text);

    // The RBAC matrix: (method, path) × caller → status.
    let one = format!("/api/v1/customers/{c_a}");
    let routes: Vec<(&str, String, Option<Value>, [u16; 5])> = vec![
        // anonymous, customer, agent, supervisor, admin
        (
            "GET",
            "/api/v1/customers".into(),
            None,
            [401, 403, 200, 200, 200],
        ),
        ("GET", one.clone(), None, [401, 403, 200, 200, 200]),
        (
            "PATCH",
            one.clone(),
            Some(json!({ "name": "Customer A" })),
            [401, 403, 200, 200, 200],
        ),
        (
            "GET",
            format!("{one}/conversations"),
            None,
            [401, 403, 200, 200, 200],
        ),
        (
            "GET",
            format!("{one}/export"),
            None,
            [401, 403, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v1/customers/reencrypt".into(),
            None,
            [401, 403, 403, 403, 200],
        ),
        (
            "POST",
            format!("/api/v1/customers/{c_n}/erase"),
            None,
            [401, 403, 403, 403, 200],
        ),
    ];
    for (method, path, body, expected) in &routes {
        let callers = [
            None,
            Some(customer_token.as_str()),
            Some(agent_a.as_str()),
            Some(supervisor.as_str()),
            Some(admin.as_str()),
        ];
        for (token, status) in callers.iter().zip(expected) {
            let r = send(app, method, path, body.clone(), *token).await;
            assert_eq!(
                r.status, *status,
                "{method} {path} as {token:?}: {}",
                r.text
            );
            if *status >= 400 {
                r.error_code();
            }
        }
    }
    let r = send(app, "DELETE", &one, None, Some(&admin)).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.error_code(), "method_not_allowed");

    // Paging: every customer once, in id order, whatever the page size.
    for i in 0..5 {
        widget_customer(app, &format!("Paged {i}")).await;
    }
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/customers?limit=2&after={c}"),
            None => "/api/v1/customers?limit=2".into(),
        };
        let r = app.get(&path, Some(&supervisor)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        let page = ids(&v);
        assert!(page.len() <= 2);
        seen.extend(page);
        pages += 1;
        match v["next_after"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 9, "{seen:?}");
    assert!(pages >= 5);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "in id order, no duplicates");

    // Paging parameters are checked.
    for bad in ["limit=0", "limit=201", "after=nope", "limit=x", "color=red"] {
        let r = app
            .get(&format!("/api/v1/customers?{bad}"), Some(&admin))
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(r.error_code(), "validation_failed");
    }
    let long = "x".repeat(201);
    let r = app
        .get(&format!("/api/v1/customers?q={long}"), Some(&admin))
        .await;
    assert_eq!(field(&r), "q");
    let uri = format!("/api/v1/customers/{c_a}/conversations?limit=0");
    let r = app.get(&uri, Some(&admin)).await;
    assert_eq!(field(&r), "limit");
}

async fn customers_update_validation_search_and_encryption(app: &TestApp) {
    let admin = admin_token(app).await;
    let (agent_id, agent) = create_staff(app, Role::Agent).await;
    let (ann, _, visitor) = widget_customer(app, "Ann Lee").await;
    conversation(app, ann, &[Transition::Takeover(agent_id)]).await;
    let (other, _, _) = widget_customer(app, "Bob Stone").await;
    let path = format!("/api/v1/customers/{ann}");

    // The agent of Ann's conversation edits her profile; values come back
    // normalized.
    let r = send(
        app,
        "PATCH",
        &path,
        Some(json!({
            "name": "  Ann Lee  ",
            "email": " Ann.Lee@Example.COM ",
            "phone": "+86 138-0013-8000",
            "tags": ["vip", " vip ", "回头客"],
            "notes": "prefers e-mail; 王小明's sister",
        })),
        Some(&agent),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = r.json();
    assert_eq!(c["name"], "Ann Lee");
    assert_eq!(c["email"], "ann.lee@example.com");
    assert_eq!(c["phone"], "+8613800138000");
    assert_eq!(c["tags"], json!(["vip", "回头客"]));
    assert_eq!(c["notes"], "prefers e-mail; 王小明's sister");
    assert!(c["erased_at"].is_null());

    // At rest: ciphertext under the configured key, keyed hashes; the
    // plaintext appears nowhere in the row.
    let stored = raw_customer(&app.store, ann).await.unwrap().unwrap();
    for sealed in [&stored.email, &stored.phone, &stored.notes] {
        let sealed = sealed.as_deref().unwrap();
        assert!(sealed.starts_with("v1:test1:"), "{sealed}");
        for plain in ["ann.lee", "8613800138000", "prefers", "王小明"] {
            assert!(!sealed.contains(plain), "{sealed}");
        }
    }
    for hash in [&stored.email_hash, &stored.phone_hash] {
        let hash = hash.as_deref().unwrap();
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    }
    // Another customer with the same e-mail gets a different ciphertext
    // (fresh nonce, row-bound) but the same search hash.
    let uri = format!("/api/v1/customers/{other}");
    let payload = json!({ "email": "ann.lee@example.com" });
    let r = send(app, "PATCH", &uri, Some(payload), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let stored_other = raw_customer(&app.store, other).await.unwrap().unwrap();
    assert_ne!(stored_other.email, stored.email);
    assert_eq!(stored_other.email_hash, stored.email_hash);

    // Search: exact e-mail and phone (any spelling), part of the name, the
    // visitor id; agents only within their customers.
    let search = |q: &str, token: String| {
        let q = encode(q);
        async move {
            let r = app
                .get(&format!("/api/v1/customers?q={q}"), Some(&token))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            ids(&r.json())
        }
    };
    let both = vec![ann.to_string(), other.to_string()];
    assert_eq!(search(" ANN.LEE@example.com ", admin.clone()).await, both);
    assert_eq!(
        search(" ANN.LEE@example.com ", agent.clone()).await,
        vec![ann.to_string()],
        "the agent does not see Bob"
    );
    for q in [
        "+86 138 0013 8000",
        "+8613800138000",
        "lee",
        "ANN L",
        &visitor,
    ] {
        assert_eq!(search(q, admin.clone()).await, vec![ann.to_string()], "{q}");
    }
    for q in ["8613800138000", "ann.lee@example.org", "nobody", "%", "_"] {
        assert!(search(q, admin.clone()).await.is_empty(), "{q}");
    }

    // Validation names the field and the rule.
    for (body, expected) in [
        (json!({ "email": "not an address" }), "email"),
        (json!({ "phone": "12" }), "phone"),
        (json!({ "phone": "call me at 555-1234" }), "phone"),
        (json!({ "phone": "+1 234 567 890 123 456" }), "phone"),
        (json!({ "name": "n".repeat(201) }), "name"),
        (json!({ "notes": "n".repeat(2001) }), "notes"),
        (json!({ "tags": [""] }), "tags"),
        (json!({ "tags": ["t".repeat(51)] }), "tags"),
        (
            json!({ "tags": (0..21).map(|i| i.to_string()).collect::<Vec<_>>() }),
            "tags",
        ),
        (json!({}), "body"),
        (json!({ "nickname": "A" }), "body"),
        (json!({ "tags": "vip" }), "body"),
    ] {
        let r = send(app, "PATCH", &path, Some(body.clone()), Some(&agent)).await;
        assert_eq!(field(&r), expected, "{body}");
        assert!(r.error_message().len() > 5);
    }
    let r = raw(app, "PATCH", &path, "{\"email\": ", &agent).await;
    assert_eq!(field(&r), "body");
    // Nothing changed through all that.
    let r = app.get(&path, Some(&agent)).await;
    assert_eq!(r.json()["customer"]["email"], "ann.lee@example.com");

    // Null or blank clears; fields not sent stay.
    let payload = json!({ "email": null, "notes": "  " });
    let r = send(app, "PATCH", &path, Some(payload), Some(&agent)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = r.json();
    assert!(c["email"].is_null() && c["notes"].is_null());
    assert_eq!(c["phone"], "+8613800138000");
    let stored = raw_customer(&app.store, ann).await.unwrap().unwrap();
    assert!(stored.email.is_none() && stored.email_hash.is_none() && stored.notes.is_none());
    assert_eq!(
        search("ann.lee@example.com", admin.clone()).await,
        vec![other.to_string()]
    );

    // The largest tag list fits in the column, JSON escapes included; null
    // clears the tags.
    let big: Vec<String> = (b'a'..b'u')
        .map(|c| format!("{}{}", "\"".repeat(49), char::from(c)))
        .collect();
    let payload = json!({ "tags": big });
    let r = send(app, "PATCH", &path, Some(payload), Some(&agent)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["tags"], json!(big));
    let payload = json!({ "tags": null });
    let r = send(app, "PATCH", &path, Some(payload), Some(&agent)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["tags"], json!([]));

    // Audited with the field names, never the values.
    let uri = format!("/api/v1/audit?action=customer.updated&target={ann}");
    let r = app.get(&uri, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let entries = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 4, "{entries:?}");
    let mut fields: Vec<String> = Vec::new();
    for e in &entries {
        assert_eq!(e["actor_id"], agent_id.to_string());
        for f in audit_detail(e)["fields"].as_array().unwrap() {
            fields.push(f.as_str().unwrap().to_owned());
        }
    }
    fields.sort();
    assert_eq!(
        fields,
        [
            "email", "email", "name", "notes", "notes", "phone", "tags", "tags", "tags"
        ]
    );
    let all = r.text.to_lowercase();
    for secret in ["ann.lee", "8613800138000", "prefers", "王小明"] {
        assert!(
            !all.contains(secret),
            "personal data in the audit log: {all}"
        );
    }
}

async fn customers_detail_export_and_erasure(app: &TestApp) {
    let admin = admin_token(app).await;
    let (_, supervisor) = create_staff(app, Role::Supervisor).await;
    let (agent_id, agent) = create_staff(app, Role::Agent).await;
    let (ann, ann_token, visitor) = widget_customer(app, "Ann Lee").await;
    let path = format!("/api/v1/customers/{ann}");
    let payload = json!({ "email": "ann@example.com", "phone": "13800138000", "tags": ["vip"], "notes": "calls often" });
    let r = send(app, "PATCH", &path, Some(payload), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Three conversations: an old closed one with messages and a rating,
    // another closed one, and an open one held by the agent.
    let rated = conversation(app, ann, &[Transition::Takeover(agent_id)]).await;
    let at = now();
    let message = |sender: SenderKind, id: Option<String>, kind: MessageKind, body: &str| {
        NewMessage::new(rated, sender, id, kind, body, None, at).unwrap()
    };
    for result in app
        .store
        .append_messages(vec![
            message(
                SenderKind::Customer,
                Some(ann.to_string()),
                MessageKind::Text,
                "my address is 1 Main St",
            ),
            message(
                SenderKind::Agent,
                Some(agent_id.to_string()),
                MessageKind::Text,
                "sent to 1 Main St",
            ),
            message(
                SenderKind::Agent,
                Some(agent_id.to_string()),
                MessageKind::PrivateNote,
                "Ann is upset",
            ),
            message(
                SenderKind::System,
                None,
                MessageKind::Event,
                "Ann B. joined the conversation.",
            ),
        ])
        .await
        .unwrap()
    {
        result.unwrap();
    }
    app.store
        .transition_conversation(rated, Transition::Close, now())
        .await
        .unwrap();
    app.store
        .rate_conversation(rated, 4, Some("thanks, Ann".into()), now())
        .await
        .unwrap();
    let second = conversation(app, ann, &[Transition::Close]).await;
    let open = conversation(app, ann, &[Transition::Takeover(agent_id)]).await;

    // Detail: profile and conversations, newest first; paging through the
    // sub-resource.
    let r = app.get(&path, Some(&agent)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = r.json();
    assert_eq!(d["customer"]["email"], "ann@example.com");
    let newest_first = vec![open.to_string(), second.to_string(), rated.to_string()];
    let listed: Vec<String> = d["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    // The agent sees the conversations that are theirs (the second one was
    // never assigned to anyone and is closed: not theirs).
    assert_eq!(listed, vec![open.to_string(), rated.to_string()]);
    assert!(d["next_before"].is_null());
    let r = app.get(&path, Some(&supervisor)).await;
    assert_eq!(
        ids(&json!({ "items": r.json()["conversations"] })),
        newest_first
    );
    let mut paged = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let p = match &before {
            Some(b) => format!("{path}/conversations?limit=1&before={b}"),
            None => format!("{path}/conversations?limit=1"),
        };
        let r = app.get(&p, Some(&supervisor)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        paged.extend(ids(&v));
        match v["next_before"].as_str() {
            Some(b) => before = Some(b.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, newest_first);

    // Export: everything, decrypted, for supervisors; audited.
    let r = app.get(&format!("{path}/export"), Some(&supervisor)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.headers["content-disposition"].contains(&format!("customer-{ann}.json")),
        "{:?}",
        r.headers
    );
    let e = r.json();
    assert_eq!(e["customer"]["phone"], "13800138000");
    assert_eq!(e["customer"]["notes"], "calls often");
    let convs = e["conversations"].as_array().unwrap();
    assert_eq!(convs.len(), 3);
    let exported = convs.iter().find(|c| c["id"] == rated.to_string()).unwrap();
    assert_eq!(exported["csat_score"], 4);
    assert_eq!(exported["csat_comment"], "thanks, Ann");
    let bodies: Vec<&str> = exported["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert!(
        bodies.contains(&"my address is 1 Main St") && bodies.contains(&"Ann is upset"),
        "{bodies:?}"
    );
    let uri = format!("/api/v1/audit?action=customer.exported&target={ann}");
    let r = app.get(&uri, Some(&admin)).await;
    let entries = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1);
    assert!(!r.text.contains("Main St") && !r.text.contains("ann@example.com"));

    // Erasure: refused while a conversation is open.
    let erase = format!("{path}/erase");
    let r = send(app, "POST", &erase, None, Some(&admin)).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.error_code(), "conflict");
    let r = app.get(&path, Some(&admin)).await;
    assert_eq!(r.json()["customer"]["name"], "Ann Lee", "nothing erased");
    app.store
        .transition_conversation(open, Transition::Close, now())
        .await
        .unwrap();

    let r = send(app, "POST", &erase, None, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = r.json();
    for f in ["name", "email", "phone", "notes", "external_id"] {
        assert!(c[f].is_null(), "{f} in {c}");
    }
    assert_eq!(c["tags"], json!([]));
    let erased_at = c["erased_at"].as_str().unwrap().to_owned();
    let stored = raw_customer(&app.store, ann).await.unwrap().unwrap();
    assert_eq!(
        stored,
        chat_store::testing::RawCustomer {
            email: None,
            email_hash: None,
            phone: None,
            phone_hash: None,
            notes: None,
            external_id: None,
            name: None,
            prechat_answer: None,
        }
    );

    // Statistics stay: conversations, states, scores and events; text,
    // notes and the rating comment go.
    let r = app
        .get(&format!("/api/v1/conversations/{rated}"), Some(&admin))
        .await;
    let conv = r.json();
    assert_eq!(conv["state"], "closed");
    assert_eq!(conv["csat_score"], 4);
    assert!(conv["csat_comment"].is_null());
    assert!(conv["closed_at"].is_string());
    let uri = format!("/api/v1/conversations/{rated}/messages");
    let r = app.get(&uri, Some(&admin)).await;
    let messages = r.json()["items"].as_array().unwrap().clone();
    assert!(messages.len() >= 4);
    for m in &messages {
        if m["kind"] == "event" {
            assert!(!m["body"].as_str().unwrap().is_empty());
        } else {
            assert_eq!(m["body"], "", "{m}");
        }
    }
    assert!(!r.text.contains("Main St") && !r.text.contains("upset"));

    // The visitor id no longer leads to her; her old token is refused.
    let payload = json!({ "visitor_id": visitor });
    let r = app
        .post_json("/api/v1/widget/sessions", &payload, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.json()["customer_id"], ann.to_string());
    let r = app
        .get("/api/v1/widget/conversations", Some(&ann_token))
        .await;
    assert_eq!(r.status, 401, "{}", r.text);

    // Idempotent; no more edits; nothing to find.
    let r = send(app, "POST", &erase, None, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["erased_at"], erased_at.as_str());
    let payload = json!({ "name": "Ann" });
    let r = send(app, "PATCH", &path, Some(payload), Some(&admin)).await;
    assert_eq!(r.status, 409, "{}", r.text);
    for q in ["ann@example.com", "13800138000", "Ann", visitor.as_str()] {
        let r = app
            .get(&format!("/api/v1/customers?q={}", encode(q)), Some(&admin))
            .await;
        assert!(!ids(&r.json()).contains(&ann.to_string()), "{q}");
    }
    let uri = format!("/api/v1/audit?action=customer.erased&target={ann}");
    let r = app.get(&uri, Some(&admin)).await;
    let entries = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let mut details: Vec<bool> = entries
        .iter()
        .map(|e| audit_detail(e)["already_erased"].as_bool().unwrap())
        .collect();
    details.sort_unstable();
    assert_eq!(details, vec![false, true]);
    let uri = format!("/api/v1/customers/{}/erase", CustomerId::new());
    let r = send(app, "POST", &uri, None, Some(&admin)).await;
    assert_eq!(r.status, 404);
}

/// Key rotation end to end: a new key first, re-encryption through the
/// admin route, the old key dropped; a missing key stops the server at
/// start with the key's id.
async fn rotation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin_token(&app).await;
    let (ann, _, _) = widget_customer(&app, "Ann Lee").await;
    let uri = format!("/api/v1/customers/{ann}");
    let payload = json!({ "email": "ann@example.com", "phone": "+8613800138000", "notes": "n" });
    let r = send(&app, "PATCH", &uri, Some(payload), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let before = raw_customer(&app.store, ann).await.unwrap().unwrap();
    assert!(before.email.as_deref().unwrap().starts_with("v1:test1:"));
    let (db, dir) = app.stop().await;

    let old = chat_store::testing::TEST_DATA_KEYS;
    let new_key = "k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let both = format!("{new_key},{old}");
    let app = TestApp::spawn_on(db, dir, &[("CHAT_DATA_KEYS", both.as_str())]).await;
    let admin = admin_token(&app).await;
    let r = app
        .get(&format!("/api/v1/customers/{ann}"), Some(&admin))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["customer"]["email"],
        "ann@example.com",
        "old key decrypts"
    );
    let (_, supervisor) = create_staff(&app, Role::Supervisor).await;
    let uri = "/api/v1/customers/reencrypt";
    let r = send(&app, "POST", uri, None, Some(&supervisor)).await;
    assert_eq!(r.status, 403);
    let uri = "/api/v1/customers/reencrypt";
    let r = send(&app, "POST", uri, None, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let report = r.json();
    assert!(report["scanned"].as_u64().unwrap() >= 1);
    assert_eq!(report["rewritten"], 1, "{report}");
    let after = raw_customer(&app.store, ann).await.unwrap().unwrap();
    for sealed in [&after.email, &after.phone, &after.notes] {
        assert!(
            sealed.as_deref().unwrap().starts_with("v1:k2:"),
            "{sealed:?}"
        );
    }
    assert_eq!(
        after.email_hash, before.email_hash,
        "same hash key, same hash"
    );
    let uri = "/api/v1/customers/reencrypt";
    let r = send(&app, "POST", uri, None, Some(&admin)).await;
    assert_eq!(r.json()["rewritten"], 0, "nothing left to do");
    let r = app
        .get("/api/v1/audit?action=customer.reencrypted", Some(&admin))
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
    let (db, dir) = app.stop().await;

    // The old key dropped: everything still reads and is still found.
    let app = TestApp::spawn_on(db, dir, &[("CHAT_DATA_KEYS", new_key)]).await;
    let admin = admin_token(&app).await;
    let r = app
        .get("/api/v1/customers?q=ann%40example.com", Some(&admin))
        .await;
    assert_eq!(ids(&r.json()), vec![ann.to_string()]);
    assert_eq!(r.json()["items"][0]["phone"], "+8613800138000");
    let (db, dir) = app.stop().await;

    // Only the old key: refused at start, naming the missing key.
    let mut vars: std::collections::HashMap<&str, String> = [
        ("DATABASE_URL", db.url.clone()),
        ("CHAT_DATA_DIR", dir.to_string_lossy().into_owned()),
        ("CHAT_LISTEN", "127.0.0.1:0".to_owned()),
        ("CHAT_JWT_SECRET", common::JWT_SECRET.to_owned()),
        ("CHAT_DATA_KEYS", old.to_owned()),
        (
            "CHAT_DATA_HASH_KEY",
            chat_store::testing::TEST_DATA_HASH_KEY.to_owned(),
        ),
        ("CHAT_AI_PROVIDER", "none".to_owned()),
    ]
    .into_iter()
    .collect();
    let config = chat_server::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let err = chat_server::Application::build(config)
        .await
        .err()
        .expect("refused");
    let text = format!("{err:#}");
    assert!(
        text.contains("`k2`") && text.contains("CHAT_DATA_KEYS"),
        "{text}"
    );
    // A key with the right id but the wrong bytes: refused too.
    vars.insert(
        "CHAT_DATA_KEYS",
        "k2://///////////////////////////////////////wc=".to_owned(),
    );
    let config = chat_server::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let err = chat_server::Application::build(config)
        .await
        .err()
        .expect("refused");
    assert!(format!("{err:#}").contains("does not decrypt"), "{err:#}");
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_key_rotation_sqlite() {
    rotation(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL (CHAT_TEST_MYSQL_URL)"]
async fn data_key_rotation_mysql() {
    rotation(Backend::Mysql).await;
}
