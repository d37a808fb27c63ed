//! The back office's conversation work and statistics through the real
//! server: cursor paging, search, snooze, reopen, and statistics checked
//! against conversations with known timings, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chat_domain::ids::{CustomerId, UserId};
use chat_domain::model::{Conversation, ConversationState, Customer, Role};
use chat_domain::ports::{ConversationRepository, CustomerRepository};
use chat_domain::time::Timestamp;
use chrono::{Duration, NaiveDate};
use common::TestApp;
use common::ws::Ws;
use serde_json::{Value, json};

on_both_backends!(
    statistics_match_known_timings,
    statistics_follow_a_real_conversation,
    first_response_belongs_to_its_sender,
    unread_counts_follow_the_read_position,
    statistics_refusals,
    conversation_list_pages_with_a_cursor,
    conversation_search_and_visibility,
    snooze_and_reopen,
);

use common::send_as as send;

fn at(day: u32, h: i64, m: i64) -> Timestamp {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + Duration::hours(h)
        + Duration::minutes(m)
}

async fn customer_row(app: &TestApp) -> CustomerId {
    let c = Customer::new(None, Some("Test".into()), chat_domain::time::now());
    app.store.create_customer(&c).await.unwrap();
    c.id
}

/// A conversation written straight into the store with the given facts.
struct Facts {
    created: Timestamp,
    handed_off: Option<Timestamp>,
    first_response: Option<Timestamp>,
    closed: Option<Timestamp>,
    csat: Option<i32>,
    assignee: Option<UserId>,
}

async fn conversation_with(app: &TestApp, f: Facts) -> Conversation {
    let mut c = Conversation::open(customer_row(app).await, f.created);
    c.handed_off_at = f.handed_off;
    c.first_response_at = f.first_response;
    c.closed_at = f.closed;
    c.csat_score = f.csat;
    c.assignee_id = f.assignee;
    c.state = if f.closed.is_some() {
        ConversationState::Closed
    } else if f.assignee.is_some() {
        ConversationState::Human
    } else {
        ConversationState::Bot
    };
    app.store.create_conversation(&c).await.unwrap();
    c
}

async fn statistics_match_known_timings(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let (ann, _) = common::create_staff(app, Role::Agent).await;
    let (bob, _) = common::create_staff(app, Role::Agent).await;
    // 20 Nov: A answered by the assistant alone (10 min); B handed off,
    // answered after 2 min, closed the next day, rated 4; C handed off,
    // answered after 10 min, closed after 30, rated 2. D was opened before the
    // window and closed in it. E is after the window: ignored.
    let facts = [
        Facts {
            created: at(20, 1, 0),
            handed_off: None,
            first_response: None,
            closed: Some(at(20, 1, 10)),
            csat: None,
            assignee: None,
        },
        Facts {
            created: at(20, 2, 0),
            handed_off: Some(at(20, 2, 1)),
            first_response: Some(at(20, 2, 3)),
            closed: Some(at(21, 2, 0)),
            csat: Some(4),
            assignee: Some(ann),
        },
        Facts {
            created: at(20, 3, 0),
            handed_off: Some(at(20, 3, 0)),
            first_response: Some(at(20, 3, 10)),
            closed: Some(at(20, 3, 30)),
            csat: Some(2),
            assignee: Some(bob),
        },
        Facts {
            created: at(18, 0, 0),
            handed_off: Some(at(18, 0, 5)),
            first_response: Some(at(18, 0, 6)),
            closed: Some(at(20, 0, 0)),
            csat: None,
            assignee: Some(bob),
        },
        Facts {
            created: at(23, 0, 0),
            handed_off: None,
            first_response: None,
            closed: None,
            csat: None,
            assignee: None,
        },
    ];
    for f in facts {
        conversation_with(app, f).await;
    }
    let uri = "/api/v1/stats?from=2026-11-20T00:00:00Z&to=2026-11-22T00:00:00Z";
    let r = send(app, "GET", uri, None, &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let t = &v["totals"];
    assert_eq!(
        (t["opened"].as_u64(), t["closed"].as_u64()),
        (Some(3), Some(4)),
        "{t}"
    );
    assert_eq!(t["bot_resolved"], 1);
    assert_eq!(t["handed_off"], 2);
    assert_eq!(t["bot_resolved_share"], 0.25);
    assert_eq!(t["handoff_rate"], 0.667);
    assert_eq!(
        t["first_response_secs"],
        json!({"count": 2, "median": 120.0, "p90": 600.0})
    );
    // Resolutions: 10 min, 30 min, 24 h, 48 h.
    assert_eq!(
        t["resolution_secs"],
        json!({"count": 4, "median": 1800.0, "p90": 172800.0})
    );
    assert_eq!(t["csat"], json!({"count": 2, "average": 3.0}));
    let days = v["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["day"], "2026-11-20");
    assert_eq!(
        (days[0]["opened"].as_u64(), days[0]["closed"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(
        (days[1]["opened"].as_u64(), days[1]["closed"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(days[1]["csat"]["average"], 4.0);
    let agents = v["agents"].as_array().unwrap();
    let of = |id: UserId| {
        agents
            .iter()
            .find(|a| a["agent_id"] == id.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(of(ann)["closed"], 1);
    assert_eq!(of(ann)["display_name"], "Ann");
    assert_eq!(of(bob)["closed"], 2);
    assert_eq!(of(bob)["first_response_secs"]["median"], 600.0);
    assert_eq!(v["now"]["queue_length"], 0);

    let uri = "/api/v1/stats.csv?from=2026-11-20T00:00:00Z&to=2026-11-22T00:00:00Z";
    let csv = send(app, "GET", uri, None, &admin).await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers
            .get("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{}", csv.text);
    assert!(lines[1].starts_with("2026-11-20,3,3,1,2,"), "{}", lines[1]);
    let uri = "/api/v1/stats.csv?from=2026-11-20T00:00:00Z&to=2026-11-22T00:00:00Z&by=agent";
    let by_agent = send(app, "GET", uri, None, &admin).await;
    assert_eq!(by_agent.status, 200);
    assert!(by_agent.text.starts_with("agent_id,display_name,opened"));
    assert_eq!(
        by_agent.text.matches("\r\n").count(),
        3,
        "{}",
        by_agent.text
    );
}

/// Ann answers first, then transfers to Bob, who answers and closes: the
/// first response is Ann's (her name stays on her reply), the close Bob's.
async fn first_response_belongs_to_its_sender(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let (ann_id, ann) = common::create_staff(app, Role::Agent).await;
    let (bob_id, bob) = common::create_staff(app, Role::Agent).await;
    let uri = format!("/api/v1/users/{bob_id}");
    let payload = json!({"display_name": "Bob"});
    let r = send(app, "PATCH", &uri, Some(payload), &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_cws, conv, _aws) = answered(app, &ann, "Ann here").await;
    let path = |what: &str| format!("/api/v1/conversations/{conv}/{what}");
    let payload = json!({"agent_id": bob_id.to_string()});
    let r = send(app, "POST", &path("transfer"), Some(payload), &ann).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (mut bws, _) = Ws::hello(app.addr, &bob, json!([])).await;
    bws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "b1", "body": "Bob here", "ref": "b1" })).await;
    bws.next_of("ack").await;
    assert_eq!(
        send(app, "POST", &path("close"), None, &bob).await.status,
        200
    );

    let detail = send(
        app,
        "GET",
        &format!("/api/v1/conversations/{conv}"),
        None,
        &admin,
    )
    .await
    .json();
    assert_eq!(detail["first_responder_id"], ann_id.to_string(), "{detail}");
    let history = send(app, "GET", &path("messages"), None, &admin)
        .await
        .json();
    let name_of = |body: &str| {
        common::items(&history)
            .iter()
            .find(|m| m["body"] == body)
            .map(|m| m["sender_name"].clone())
    };
    assert_eq!(name_of("Ann here"), Some(json!("Ann")), "{history}");
    assert_eq!(name_of("Bob here"), Some(json!("Bob")), "{history}");

    let v = send(app, "GET", "/api/v1/stats", None, &admin).await.json();
    let agent = |id: UserId| {
        v["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["agent_id"] == id.to_string())
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(agent(ann_id)["first_response_secs"]["count"], 1, "{v}");
    assert_eq!(agent(bob_id)["first_response_secs"]["count"], 0, "{v}");
    assert_eq!(agent(bob_id)["closed"], 1, "{v}");
}

/// The inbox summary: unread customer messages after the caller's stored
/// read position (forward only), last message, waiting time; only for
/// conversations the caller may see.
async fn unread_counts_follow_the_read_position(app: &TestApp) {
    let (_, ann) = common::create_staff(app, Role::Agent).await;
    let (_, other) = common::create_staff(app, Role::Agent).await;
    let (mut cws, conv, mut aws) = answered(app, &ann, "Hello").await;
    let path = |what: &str| format!("/api/v1/conversations/{conv}/{what}");
    for body in ["one", "two"] {
        cws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": body, "body": body, "ref": body })).await;
        cws.next_of("ack").await;
    }
    let s = summary(app, &conv, &ann)
        .await
        .expect("Ann sees her conversation");
    assert_eq!(s["unread"], 2, "{s}");
    assert_eq!(s["read_seq"], 0, "{s}");
    assert_eq!(s["last_message"]["body"], "two", "{s}");
    assert_eq!(s["last_message"]["sender_kind"], "customer", "{s}");
    assert!(s["waiting_since"].is_string(), "{s}");
    let detail = send(
        app,
        "GET",
        &format!("/api/v1/conversations/{conv}"),
        None,
        &ann,
    )
    .await
    .json();
    let last = detail["last_seq"].as_i64().unwrap();
    assert_eq!(mark(app, &conv, &ann, last).await, 204);
    assert_eq!(
        mark(app, &conv, &ann, 1).await,
        204,
        "an older position is accepted"
    );
    let s = summary(app, &conv, &ann).await.unwrap();
    assert_eq!(
        (s["unread"].as_u64(), s["read_seq"].as_i64()),
        (Some(0), Some(last)),
        "forward only: {s}"
    );
    assert_eq!(mark(app, &conv, &ann, last + 1).await, 400);
    // An answer ends the wait.
    aws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "a2", "body": "Done", "ref": "a2" })).await;
    aws.next_of("ack").await;
    let s = summary(app, &conv, &ann).await.unwrap();
    assert!(s["waiting_since"].is_null(), "{s}");
    // Another agent may not see Ann's conversation: left out, and 404 to mark.
    assert!(summary(app, &conv, &other).await.is_none());
    let r = send(app, "PUT", &path("read"), Some(json!({ "seq": 1 })), &other).await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = send(app, "GET", "/api/v1/inbox/summaries?ids=nope", None, &ann).await;
    assert_eq!(r.status, 400, "{}", r.text);
}

/// A visitor asks for a person, `agent` accepts and answers `body`: the
/// customer's socket, the conversation id, the agent's socket.
async fn answered(app: &TestApp, agent: &str, body: &str) -> (Ws, String, Ws) {
    let (mut cws, _, conv) = Ws::visitor(app.addr, app).await;
    cws.send(json!({ "type": "request_human", "conversation_id": conv, "ref": "h" }))
        .await;
    cws.next_of("result").await;
    let accept = format!("/api/v1/conversations/{conv}/accept");
    assert_eq!(send(app, "POST", &accept, None, agent).await.status, 200);
    let (mut aws, _) = Ws::hello(app.addr, agent, json!([])).await;
    aws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "a1", "body": body, "ref": "a1" })).await;
    aws.next_of("ack").await;
    (cws, conv, aws)
}

async fn summary(app: &TestApp, conv: &str, token: &str) -> Option<Value> {
    let path = format!("/api/v1/inbox/summaries?ids={conv}");
    let r = send(app, "GET", &path, None, token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["items"].as_array().unwrap().first().cloned()
}

async fn mark(app: &TestApp, conv: &str, token: &str, seq: i64) -> u16 {
    let path = format!("/api/v1/conversations/{conv}/read");
    send(app, "PUT", &path, Some(json!({ "seq": seq })), token)
        .await
        .status
}

async fn statistics_follow_a_real_conversation(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let (_, agent) = common::create_staff(app, Role::Agent).await;
    let session = common::widget_session(app).await;
    let ctoken = session["token"].as_str().unwrap();
    let (mut cws, _) = Ws::hello(app.addr, ctoken, json!([])).await;
    let conv = cws.open(json!({ "type": "open", "ref": "o" })).await;
    cws.send(json!({ "type": "request_human", "conversation_id": conv, "ref": "h" }))
        .await;
    cws.next_of("result").await;

    let queued = send(app, "GET", "/api/v1/stats", None, &admin).await.json();
    assert_eq!(queued["now"]["queue_length"], 1);
    assert_eq!(queued["totals"]["handed_off"], 1);

    let uri = format!("/api/v1/conversations/{conv}/accept");
    let r = send(app, "POST", &uri, None, &agent).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["handed_off_at"].is_string());
    assert!(r.json()["first_response_at"].is_null());
    // A private note is not an answer to the customer.
    let uri = format!("/api/v1/conversations/{conv}/notes");
    let r = send(app, "POST", &uri, Some(json!({"body": "vip"})), &agent).await;
    assert_eq!(r.status, 201);
    let detail = send(
        app,
        "GET",
        &format!("/api/v1/conversations/{conv}"),
        None,
        &agent,
    )
    .await
    .json();
    assert!(detail["first_response_at"].is_null(), "{detail}");
    let (mut aws, _) = Ws::hello(app.addr, &agent, json!([])).await;
    aws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "a1", "body": "Hello!", "ref": "a1" })).await;
    aws.next_of("ack").await;
    let detail = send(
        app,
        "GET",
        &format!("/api/v1/conversations/{conv}"),
        None,
        &agent,
    )
    .await
    .json();
    assert!(detail["first_response_at"].is_string(), "{detail}");
    let uri = format!("/api/v1/conversations/{conv}/close");
    let r = send(app, "POST", &uri, None, &agent).await;
    assert_eq!(r.status, 200);
    let uri = format!("/api/v1/widget/conversations/{conv}/rating");
    let r = send(app, "POST", &uri, Some(json!({"score": 5})), ctoken).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let v = send(app, "GET", "/api/v1/stats", None, &admin).await.json();
    let t = &v["totals"];
    assert_eq!(
        (
            t["opened"].as_u64(),
            t["closed"].as_u64(),
            t["bot_resolved"].as_u64()
        ),
        (Some(1), Some(1), Some(0)),
        "{t}"
    );
    assert_eq!(t["first_response_secs"]["count"], 1);
    assert_eq!(t["csat"], json!({"count": 1, "average": 5.0}));
    assert_eq!(v["now"]["queue_length"], 0);
    assert_eq!(
        v["days"].as_array().unwrap().len(),
        7,
        "the default window is the last 7 days"
    );
}

async fn statistics_refusals(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let (_, agent) = common::create_staff(app, Role::Agent).await;
    let (_, supervisor) = common::create_staff(app, Role::Supervisor).await;
    let ctoken = common::widget_token(app).await;
    for path in ["/api/v1/stats", "/api/v1/stats.csv"] {
        assert_eq!(app.get(path, None).await.status, 401);
        assert_eq!(send(app, "GET", path, None, &ctoken).await.status, 403);
        assert_eq!(send(app, "GET", path, None, &agent).await.status, 403);
        assert_eq!(send(app, "GET", path, None, &supervisor).await.status, 200);
        assert_eq!(send(app, "POST", path, None, &admin).await.status, 405);
    }
    let cases = [
        ("/api/v1/stats?from=yesterday", "from"),
        (
            "/api/v1/stats?from=2026-11-22T00:00:00Z&to=2026-11-20T00:00:00Z",
            "from",
        ),
        (
            "/api/v1/stats?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            "to",
        ),
        ("/api/v1/stats?by=agent", "by"),
        ("/api/v1/stats.csv?by=week", "by"),
    ];
    for (path, field) in cases {
        let r = send(app, "GET", path, None, &admin).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        assert_eq!(r.json()["error"]["field"], field, "{path}");
    }
}

async fn conversation_list_pages_with_a_cursor(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let mut made = Vec::new();
    for i in 0..7 {
        let c = conversation_with(
            app,
            Facts {
                created: at(20, i, 0),
                handed_off: None,
                first_response: None,
                closed: None,
                csat: None,
                assignee: None,
            },
        )
        .await;
        made.push(c.id.to_string());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            None => "/api/v1/conversations?state=bot&limit=3".to_owned(),
            Some(c) => format!("/api/v1/conversations?state=bot&limit=3&cursor={c}"),
        };
        let r = send(app, "GET", &path, None, &admin).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        pages += 1;
        for item in common::items(&v) {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    made.reverse(); // most recently active first
    assert_eq!(seen, made, "every conversation once, in order");
    assert_eq!(pages, 3);
    let uri = "/api/v1/conversations?cursor=nonsense";
    let r = send(app, "GET", uri, None, &admin).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("cursor"))
    );
    let r = send(app, "GET", "/api/v1/conversations?limit=0", None, &admin).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("limit"))
    );
}

async fn conversation_search_and_visibility(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let (_, agent) = common::create_staff(app, Role::Agent).await;
    let (other_id, other) = common::create_staff(app, Role::Agent).await;
    // Another agent's conversation, mentioning a refund, which our agent must
    // not find; an assistant's one mentioning it too, which they may see.
    let hidden = conversation_with(
        app,
        Facts {
            created: at(20, 1, 0),
            handed_off: Some(at(20, 1, 0)),
            first_response: None,
            closed: None,
            csat: None,
            assignee: Some(other_id),
        },
    )
    .await;
    let visible = conversation_with(
        app,
        Facts {
            created: at(20, 2, 0),
            handed_off: None,
            first_response: None,
            closed: None,
            csat: None,
            assignee: None,
        },
    )
    .await;
    for (conv, body) in [
        (&hidden, "I want a REFUND of 50% now"),
        (&visible, "退款 refund please"),
    ] {
        let m = chat_domain::model::NewMessage::new(
            conv.id,
            chat_domain::model::SenderKind::Customer,
            None,
            chat_domain::model::MessageKind::Text,
            body,
            None,
            chat_domain::time::now(),
        )
        .unwrap();
        app.store
            .append_messages(vec![m])
            .await
            .unwrap()
            .pop()
            .unwrap()
            .unwrap();
    }
    let ids = |v: &Value| -> Vec<String> {
        common::items(v)
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = send(app, "GET", "/api/v1/conversations?q=refund", None, &admin)
        .await
        .json();
    assert_eq!(ids(&all).len(), 2, "{all}");
    let mine = send(app, "GET", "/api/v1/conversations?q=refund", None, &agent)
        .await
        .json();
    assert_eq!(ids(&mine), vec![visible.id.to_string()]);
    let theirs = send(app, "GET", "/api/v1/conversations?q=refund", None, &other)
        .await
        .json();
    assert_eq!(ids(&theirs).len(), 2, "their own and the assistant's");
    let cjk = send(
        app,
        "GET",
        "/api/v1/conversations?q=%E9%80%80%E6%AC%BE",
        None,
        &admin,
    )
    .await
    .json();
    assert_eq!(ids(&cjk), vec![visible.id.to_string()]);
    // LIKE wildcards are text, not patterns.
    let pct = send(app, "GET", "/api/v1/conversations?q=50%25", None, &admin)
        .await
        .json();
    assert_eq!(ids(&pct), vec![hidden.id.to_string()]);
    let none = send(app, "GET", "/api/v1/conversations?q=_%25", None, &admin)
        .await
        .json();
    assert!(ids(&none).is_empty(), "{none}");
    // Empty, too long, and blank (by the document's `\S`), are refused;
    // U+0085 is not blank there, so "a" + U+0085 is a valid (if odd) search.
    let long = "x".repeat(201);
    for q in ["", long.as_str(), "%20%20", "%E3%80%80%E3%80%80"] {
        let r = send(
            app,
            "GET",
            &format!("/api/v1/conversations?q={q}"),
            None,
            &admin,
        )
        .await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (400, Some("q")),
            "{q}"
        );
    }
    let odd = send(app, "GET", "/api/v1/conversations?q=a%C2%85", None, &admin).await;
    assert_eq!(odd.status, 200);
    // Agents' pages are filtered in the query: a full page when there is more.
    let page = send(app, "GET", "/api/v1/conversations?limit=1", None, &agent)
        .await
        .json();
    assert_eq!(ids(&page), vec![visible.id.to_string()]);
    let uri = format!("/api/v1/conversations/{}", hidden.id);
    let r = send(app, "GET", &uri, None, &agent).await;
    assert_eq!(r.status, 404, "another agent's conversation is not found");
}

async fn snooze_and_reopen(app: &TestApp) {
    let (_, agent) = common::create_staff(app, Role::Agent).await;
    let (_, other) = common::create_staff(app, Role::Agent).await;
    let session = common::widget_session(app).await;
    let ctoken = session["token"].as_str().unwrap();
    let (mut cws, _) = Ws::hello(app.addr, ctoken, json!([])).await;
    let conv = cws.open(json!({ "type": "open", "ref": "o" })).await;
    let path = |action: &str| format!("/api/v1/conversations/{conv}/{action}");

    // Only a conversation with an agent can be snoozed, by that agent.
    let until = (chrono::Utc::now() + Duration::hours(2)).to_rfc3339();
    let payload = json!({ "until": until });
    let r = send(app, "POST", &path("snooze"), Some(payload), &agent).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        send(app, "POST", &path("takeover"), None, &agent)
            .await
            .status,
        200
    );
    let payload = json!({ "until": until });
    let r = send(app, "POST", &path("snooze"), Some(payload), &other).await;
    assert_eq!(r.status, 404, "another agent's conversation");
    for (body, field) in [
        (json!({ "until": "soon" }), "until"),
        (json!({ "until": "2020-01-01T00:00:00Z" }), "until"),
        (
            json!({ "until": (chrono::Utc::now() + Duration::days(200)).to_rfc3339() }),
            "until",
        ),
        (json!({ "until": until, "extra": 1 }), "body"),
    ] {
        let r = send(app, "POST", &path("snooze"), Some(body.clone()), &agent).await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (400, Some(field)),
            "{body}: {}",
            r.text
        );
    }
    let payload = json!({ "until": until });
    let r = send(app, "POST", &path("snooze"), Some(payload), &agent).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["snoozed_until"].is_string());
    let ids = |v: Value| -> Vec<String> {
        common::items(&v)
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let inbox = send(
        app,
        "GET",
        "/api/v1/conversations?assignee=me&snoozed=false",
        None,
        &agent,
    )
    .await
    .json();
    assert!(
        ids(inbox).is_empty(),
        "snoozed conversations leave the inbox"
    );
    let snoozed = send(
        app,
        "GET",
        "/api/v1/conversations?assignee=me&snoozed=true",
        None,
        &agent,
    )
    .await
    .json();
    assert_eq!(ids(snoozed), vec![conv.clone()]);
    // The customer writing wakes it.
    cws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "c1", "body": "any news?", "ref": "c1" })).await;
    cws.next_of("ack").await;
    let inbox = send(
        app,
        "GET",
        "/api/v1/conversations?assignee=me&snoozed=false",
        None,
        &agent,
    )
    .await
    .json();
    assert_eq!(ids(inbox), vec![conv.clone()]);
    // Snooze again, then wake it by hand.
    let payload = json!({ "until": until });
    assert_eq!(
        send(app, "POST", &path("snooze"), Some(payload), &agent)
            .await
            .status,
        200
    );
    let r = send(app, "DELETE", &path("snooze"), None, &agent).await;
    assert_eq!(r.status, 200);
    assert!(r.json()["snoozed_until"].is_null());

    // Close, then reopen: back to the agent who reopens it, with a notice.
    assert_eq!(
        send(app, "POST", &path("close"), None, &agent).await.status,
        200
    );
    let r = send(app, "POST", &path("reopen"), None, &other).await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = send(app, "POST", &path("reopen"), None, &agent).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(
        (v["state"].as_str(), v["closed_at"].is_null()),
        (Some("human"), true)
    );
    let r = send(app, "POST", &path("reopen"), None, &agent).await;
    assert_eq!(r.status, 409, "only a closed conversation can be reopened");
    let history = send(
        app,
        "GET",
        &format!("/api/v1/conversations/{conv}/messages"),
        None,
        &agent,
    )
    .await
    .json();
    let last = common::items(&history).last().unwrap().clone();
    assert!(
        last["body"].as_str().unwrap().contains("reopened"),
        "{last}"
    );
    // The customer can write again.
    cws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "c2", "body": "thanks", "ref": "c2" })).await;
    assert_eq!(cws.next_of("ack").await["client_msg_id"], "c2");
}
