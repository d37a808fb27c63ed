//! Real-time conversations through real WebSocket clients: the guarantees of
//! docs/PROTOCOL.md, on SQLite and (when configured) MariaDB.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use chat_domain::ids::UserId;
use chat_domain::model::Role;
use common::ws::{Ended, Ws};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, request};
use serde_json::{Value, json};

on_both_backends!(
    customer_and_agent_end_to_end,
    reconnect_resumes_without_loss_or_duplicates,
    resend_is_idempotent,
    bad_input_gets_errors_and_close_codes,
    nobody_reaches_a_conversation_not_theirs,
    rest_actions_follow_the_same_rules_as_the_socket,
    the_sender_gets_its_ack_and_no_echo,
);

async fn customer(app: &TestApp) -> (String, String) {
    let r = app
        .post_json("/api/v1/widget/sessions", &json!({}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    (
        v["token"].as_str().unwrap().to_owned(),
        v["visitor_id"].as_str().unwrap().to_owned(),
    )
}

async fn agent(app: &TestApp, role: Role) -> (UserId, String) {
    common::create_staff(app, role).await
}

async fn open(ws: &mut Ws) -> String {
    ws.send(json!({ "type": "open", "ref": "o" })).await;
    let sub = ws.next_of("subscribed").await;
    assert_eq!(sub["ref"], "o");
    sub["conversation"]["id"].as_str().unwrap().to_owned()
}

async fn say(ws: &mut Ws, conv: &str, cmid: &str, body: &str) -> Value {
    ws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": cmid, "body": body, "ref": cmid })).await;
    loop {
        let f = ws.next().await;
        if f["type"] == "ack" && f["client_msg_id"] == cmid {
            return f;
        }
        assert_ne!(f["type"], "error", "refused: {f}");
        ws.seen.push(f);
    }
}

async fn customer_and_agent_end_to_end(app: &TestApp) {
    let (ctoken, _) = customer(app).await;
    let (agent_id, atoken) = agent(app, Role::Agent).await;
    let (mut agent_ws, welcome) = Ws::hello(app.addr, &atoken, json!([])).await;
    assert_eq!(welcome["principal"]["kind"], "staff");
    let (mut cws, welcome) = Ws::hello(app.addr, &ctoken, json!([])).await;
    assert_eq!(welcome["principal"]["kind"], "customer");
    assert_eq!(welcome["v"], 1);

    let conv = open(&mut cws).await;
    let ack = say(
        &mut cws,
        &conv,
        "c1",
        "我的订单还没到 (my order has not arrived)",
    )
    .await;
    assert_eq!(
        (ack["seq"].as_i64(), ack["duplicate"].as_bool()),
        (Some(1), Some(false))
    );
    // Persisted before acknowledged.
    let stored = common::widget_messages(app, &conv, &ctoken).await;
    assert_eq!(
        stored.json()["items"][0]["body"],
        "我的订单还没到 (my order has not arrived)"
    );

    // The customer asks for a person: result, queue position, and the agent's inbox hears of it.
    cws.send(json!({ "type": "request_human", "conversation_id": conv, "ref": "h" }))
        .await;
    let result = cws.next_of("result").await;
    assert_eq!(result["conversation"]["state"], "queued");
    let pos = cws.next_of("queue_position").await;
    assert_eq!(pos["position"], 1);
    let opened = agent_ws.next_of("conversation").await;
    assert_eq!(
        opened["change"], "opened",
        "new conversations reach the inbox"
    );
    let inbox = agent_ws.next_of("conversation").await;
    assert_eq!(
        (
            inbox["change"].as_str(),
            inbox["conversation"]["state"].as_str()
        ),
        (Some("request_human"), Some("queued"))
    );
    let offer = agent_ws.next_of("offer").await;
    assert_eq!(offer["conversation_id"], conv.as_str());

    // The agent accepts, follows the conversation and sees the history.
    agent_ws
        .send(json!({ "type": "accept", "conversation_id": conv, "ref": "a" }))
        .await;
    let accepted = agent_ws.next_of("result").await;
    assert_eq!(
        accepted["conversation"]["assignee_id"],
        agent_id.to_string()
    );
    agent_ws
        .send(json!({ "type": "subscribe", "conversation_id": conv, "after_seq": 0 }))
        .await;
    agent_ws.next_of("subscribed").await;
    let history = agent_ws.messages(3).await;
    assert_eq!(common::seqs(&history), vec![1, 2, 3]);
    assert_eq!(history[1]["body"], "Waiting for an agent to join.");
    assert_eq!(history[2]["body"], "Ann joined the conversation.");
    loop {
        let change = cws.next_of("conversation").await;
        if change["conversation"]["state"] == "human" {
            break;
        }
    }

    // Messages both ways, a private note the customer never sees, typing and read receipts.
    say(&mut agent_ws, &conv, "a1", "Hello, I am Ann. Let me check.").await;
    agent_ws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "n1", "body": "VIP customer", "private": true })).await;
    agent_ws.next_of("ack").await;
    say(&mut agent_ws, &conv, "a2", "It ships tomorrow.").await;
    // The customer gets its own message back too (every follower sees every message).
    let got: Vec<Value> = cws.messages(5).await;
    let bodies: Vec<&str> = got.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(
        bodies,
        [
            "我的订单还没到 (my order has not arrived)",
            "Waiting for an agent to join.",
            "Ann joined the conversation.",
            "Hello, I am Ann. Let me check.",
            "It ships tomorrow."
        ]
    );
    assert_eq!(common::seqs(&got), vec![1, 2, 3, 4, 6], "5 is the note");
    // Notices carry what they record, for the widget to word in its language.
    let ann = json!({ "kind": "agent", "id": agent_id.to_string(), "name": "Ann" });
    assert_eq!(
        got[2]["event"],
        json!({ "change": "accept", "actor": ann, "to": ann })
    );
    assert_eq!(
        (
            got[1]["event"]["change"].as_str(),
            got[1]["event"]["actor"]["kind"].as_str()
        ),
        (Some("request_human"), Some("customer"))
    );
    assert!(got[0].get("event").is_none(), "only notices carry one");
    assert!(!bodies.contains(&"VIP customer"));
    cws.send(json!({ "type": "typing", "conversation_id": conv, "on": true }))
        .await;
    let typing = agent_ws.next_of("typing").await;
    assert_eq!(
        (typing["on"].as_bool(), typing["actor"]["kind"].as_str()),
        (Some(true), Some("customer"))
    );
    cws.send(json!({ "type": "read", "conversation_id": conv, "up_to_seq": 6 }))
        .await;
    assert_eq!(agent_ws.next_of("read").await["up_to_seq"], 6);
    say(&mut cws, &conv, "c2", "Thanks!").await;
    // The agent saw 1..3 as history, then every later message once, in order:
    // 4 (a1), 5 (the note), 6 (a2), 7 (the customer's thanks).
    let live = agent_ws.messages(4).await;
    assert_eq!(common::seqs(&live), vec![4, 5, 6, 7]);
    assert_eq!(live[3]["body"], "Thanks!");

    // Close: both hear it; nobody can post after.
    assert_eq!(
        agent_ws.act("close", &conv).await["conversation"]["state"],
        "closed"
    );
    assert_eq!(
        cws.next_of("conversation").await["conversation"]["state"],
        "closed"
    );
    cws.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "c3", "body": "one more", "ref": "late" })).await;
    let refused = cws.next_of("error").await;
    assert_eq!(
        (refused["code"].as_str(), refused["ref"].as_str()),
        (Some("conflict"), Some("late"))
    );

    // The customer rates the closed conversation, once.
    let customer_token = ctoken.as_str();
    let rate = |body: Value| {
        let path = format!("/api/v1/widget/conversations/{conv}/rating");
        async move { common::send(app, "POST", &path, Some(body), Some(customer_token)).await }
    };
    let r = rate(json!({ "score": 6 })).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("score"))
    );
    let r = rate(json!({ "score": 5, "comment": "很快，谢谢 Ann" })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.json()["csat_score"].as_i64(),
            r.json()["csat_comment"].as_str()
        ),
        (Some(5), Some("很快，谢谢 Ann"))
    );
    assert_eq!(rate(json!({ "score": 1 })).await.status, 409, "rated once");

    // Staff REST: history paged by sequence.
    let uri = format!("/api/v1/conversations/{conv}/messages?after_seq=2&limit=3");
    let page = app.get(&uri, Some(&atoken)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let seqs: Vec<i64> = page.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![3, 4, 5]);
}

async fn reconnect_resumes_without_loss_or_duplicates(app: &TestApp) {
    let (ctoken, _) = customer(app).await;
    let (agent_id, atoken) = agent(app, Role::Agent).await;
    let (mut cws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    let conv = open(&mut cws).await;
    for i in 1..=3 {
        say(&mut cws, &conv, &format!("c{i}"), &format!("customer {i}")).await;
    }
    let (mut aws, _) = Ws::hello(app.addr, &atoken, json!([])).await;
    aws.act("takeover", &conv).await;
    // The customer saw everything up to its own messages and the notice, then drops.
    let seen = cws.messages(4).await;
    let last_seen = seen.last().unwrap()["seq"].as_i64().unwrap();
    assert_eq!(last_seen, 4);
    drop(cws);
    for i in 1..=5 {
        say(&mut aws, &conv, &format!("a{i}"), &format!("agent {i}")).await;
    }
    // Reconnect naming the last sequence seen: exactly what was missed.
    let (mut cws, _) = Ws::resume(app.addr, &ctoken, &conv, last_seen).await;
    cws.next_of("subscribed").await;
    let missed = cws.messages(5).await;
    assert_eq!(common::seqs(&missed), vec![5, 6, 7, 8, 9]);
    assert_eq!(missed[0]["body"], "agent 1");
    // Live again, no duplicates of what was replayed.
    say(&mut aws, &conv, "a6", "agent 6").await;
    let live = cws.next_of("message").await;
    assert_eq!(live["message"]["seq"], 10);
    cws.quiet_for(Duration::from_millis(300)).await;
    let _ = agent_id;
}

async fn resend_is_idempotent(app: &TestApp) {
    let (ctoken, _) = customer(app).await;
    let (_, atoken) = agent(app, Role::Supervisor).await;
    let (mut cws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    let conv = open(&mut cws).await;
    let (mut sws, _) = Ws::resume(app.addr, &atoken, &conv, 0).await;
    sws.next_of("subscribed").await;
    let first = say(&mut cws, &conv, "same-id", "hello?").await;
    let again = say(&mut cws, &conv, "same-id", "hello?").await;
    assert_eq!(first["seq"], again["seq"]);
    assert_eq!(first["message_id"], again["message_id"]);
    assert_eq!(again["duplicate"], true);
    say(&mut cws, &conv, "next-id", "anyone there?").await;
    let got = sws.messages(2).await;
    assert_eq!(
        got.iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["hello?", "anyone there?"]
    );
    sws.quiet_for(Duration::from_millis(300)).await;
}

async fn bad_input_gets_errors_and_close_codes(app: &TestApp) {
    let (ctoken, _) = customer(app).await;
    // No hello first.
    let mut ws = Ws::connect(app.addr).await;
    ws.send(json!({ "type": "ping" })).await;
    assert_eq!(
        ws.ended().await,
        Ended::Closed(Some(4001), "the first frame must be hello".into())
    );
    // A bad token.
    let mut ws = Ws::connect(app.addr).await;
    ws.send(json!({ "type": "hello", "v": 1, "token": "garbage" }))
        .await;
    assert!(matches!(ws.ended().await, Ended::Closed(Some(4001), _)));
    // A version this server does not speak.
    let mut ws = Ws::connect(app.addr).await;
    ws.send(json!({ "type": "hello", "v": 99, "token": ctoken }))
        .await;
    assert!(matches!(ws.ended().await, Ended::Closed(Some(4002), _)));

    let (mut ws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    ws.send_raw("{not json").await;
    assert_eq!(ws.next_of("error").await["code"], "bad_frame");
    ws.send(json!({ "type": "dance", "ref": "d" })).await;
    let e = ws.next_of("error").await;
    assert_eq!(
        (e["code"].as_str(), e["ref"].as_str()),
        (Some("unknown_type"), Some("d"))
    );
    ws.send(json!({ "type": "send", "conversation_id": "not-a-uuid" }))
        .await;
    assert_eq!(ws.next_of("error").await["code"], "bad_frame");
    ws.send(json!({ "type": "accept", "conversation_id": uuid::Uuid::now_v7() }))
        .await;
    assert_eq!(
        ws.next_of("error").await["code"],
        "forbidden",
        "customers cannot accept"
    );
    ws.send(json!({ "type": "subscribe", "conversation_id": uuid::Uuid::now_v7() }))
        .await;
    assert_eq!(ws.next_of("error").await["code"], "not_found");
    // Still usable after all that.
    ws.send(json!({ "type": "ping", "ref": "p" })).await;
    assert_eq!(ws.next_of("pong").await["ref"], "p");
    // Oversize frame: closed with 1009.
    ws.send_raw(&format!(
        "{{\"type\":\"ping\",\"pad\":\"{}\"}}",
        "x".repeat(40 * 1024)
    ))
    .await;
    assert!(matches!(
        ws.ended().await,
        Ended::Closed(Some(1009), _) | Ended::Dropped
    ));
    // A message sent in fragments is joined (a ping may come between them)...
    let (mut ws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    let text = json!({ "type": "ping", "ref": "in parts" }).to_string();
    ws.send_fragments(&[&text[..4], &text[4..11], &text[11..]])
        .await;
    assert_eq!(ws.next_of("pong").await["ref"], "in parts");
    // ...under the same limit as one frame: each part fits, the whole does not.
    let text = format!(
        "{{\"type\":\"ping\",\"pad\":\"{}\"}}",
        "x".repeat(40 * 1024)
    );
    ws.send_fragments(&[&text[..20 * 1024], &text[20 * 1024..]])
        .await;
    assert!(matches!(
        ws.ended().await,
        Ended::Closed(Some(1009), _) | Ended::Dropped
    ));

    // A client's own close is answered, so it ends cleanly (not 1006).
    let (mut ws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    futures_util::SinkExt::close(&mut ws.inner).await.unwrap();
    assert_eq!(ws.ended().await, Ended::Closed(Some(1000), String::new()));

    // Flooding: refused frames, then 1008.
    let (mut ws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    for _ in 0..200 {
        ws.send(json!({ "type": "ping" })).await;
    }
    let mut limited = 0;
    let ended = loop {
        match tokio::time::timeout(
            Duration::from_secs(10),
            futures_util::StreamExt::next(&mut ws.inner),
        )
        .await
        .unwrap()
        {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) => {
                if t.contains("rate_limited") {
                    limited += 1;
                }
            }
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(c))) => {
                break c.map(|c| u16::from(c.code));
            }
            Some(Ok(_)) => {}
            _ => break None,
        }
    };
    assert!(limited > 0);
    assert_eq!(ended, Some(1008));

    // A foreign Origin cannot open a socket.
    let r = request(
        app.addr,
        "GET",
        "/ws",
        &[
            ("origin", "https://evil.example"),
            ("connection", "upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ],
        None,
    )
    .await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
}

async fn nobody_reaches_a_conversation_not_theirs(app: &TestApp) {
    let (alice, _) = customer(app).await;
    let (bob, _) = customer(app).await;
    let (mut a, _) = Ws::hello(app.addr, &alice, json!([])).await;
    let conv = open(&mut a).await;
    say(&mut a, &conv, "x", "private matter").await;
    let (mut b, _) = Ws::resume(app.addr, &bob, &conv, 0).await;
    assert_eq!(b.next_of("error").await["code"], "not_found");
    b.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "y", "body": "hi" }))
        .await;
    assert_eq!(b.next_of("error").await["code"], "not_found");
    b.send(json!({ "type": "close", "conversation_id": conv }))
        .await;
    assert_eq!(b.next_of("error").await["code"], "not_found");
    let r = common::widget_messages(app, &conv, &bob).await;
    assert_eq!(r.status, 404);
    let r = request(
        app.addr,
        "POST",
        &format!("/api/v1/widget/conversations/{conv}/rating"),
        &[("authorization", &format!("Bearer {bob}"))],
        Some(br#"{"score":1}"#),
    )
    .await;
    assert_eq!(r.status, 404, "nobody rates another's conversation");
    // An agent cannot read another agent's conversation; a supervisor can.
    let (owner_id, owner) = agent(app, Role::Agent).await;
    let (_, other) = agent(app, Role::Agent).await;
    let (_, sup) = agent(app, Role::Supervisor).await;
    let (mut o, _) = Ws::hello(app.addr, &owner, json!([])).await;
    assert_eq!(
        o.act("takeover", &conv).await["conversation"]["assignee_id"],
        owner_id.to_string()
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&other)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&sup)
        )
        .await
        .status,
        200
    );
    let (mut x, _) = Ws::hello(app.addr, &other, json!([])).await;
    x.send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "z", "body": "mine now" })).await;
    assert_eq!(x.next_of("error").await["code"], "not_found");
    // The admin bootstrap account sees everything too.
    let admin = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = app
        .get(
            &format!("/api/v1/conversations/{conv}"),
            admin["access_token"].as_str(),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_does_not_delay_others() {
    let db = chat_store::testing::TestDb::sqlite().await;
    let dir = common::data_dir();
    let app = TestApp::spawn_on(db, dir, &[("CHAT_WS_RATE_PER_SEC", "100000")]).await;
    let (ctoken, _) = customer(&app).await;
    let (_, sup) = agent(&app, Role::Supervisor).await;
    let (mut writer, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    let conv = open(&mut writer).await;
    // A supervisor who follows the conversation but never reads...
    let (mut slow, _) = Ws::resume(app.addr, &sup, &conv, 0).await;
    // ...and one who reads.
    let (mut fast, _) = Ws::resume(app.addr, &sup, &conv, 0).await;
    fast.next_of("subscribed").await;
    let body = "x".repeat(12 * 1024);
    let n = 1200usize; // ~15 MB: more than the loopback socket buffers hold
    // The writer reads its own socket (acks, echoes) so that it is not slow
    // itself, and keeps at most 32 messages awaiting their ack, as a real
    // client with a send window would.
    let window = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    let (mut sink, mut incoming) = futures_util::StreamExt::split(writer.inner);
    let acks = window.clone();
    let drain = tokio::spawn(async move {
        while let Some(Ok(m)) = futures_util::StreamExt::next(&mut incoming).await {
            if let tokio_tungstenite::tungstenite::Message::Text(t) = m
                && (t.starts_with(r#"{"type":"ack""#) || t.starts_with(r#"{"type":"error""#))
            {
                assert!(!t.contains("error"), "refused: {t}");
                acks.add_permits(1);
            }
        }
    });
    let writer_task = tokio::spawn(async move {
        use futures_util::SinkExt as _;
        for i in 0..n {
            window.acquire().await.unwrap().forget();
            let frame = json!({ "type": "send", "conversation_id": conv, "client_msg_id": format!("m{i}"), "body": body });
            sink.send(tokio_tungstenite::tungstenite::Message::text(
                frame.to_string(),
            ))
            .await
            .unwrap();
        }
        sink
    });
    let started = std::time::Instant::now();
    let mut seqs = HashSet::new();
    while seqs.len() < n {
        let f = fast.next_of("message").await;
        seqs.insert(f["message"]["seq"].as_i64().unwrap());
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(30),
        "the fast reader took {elapsed:?}"
    );
    let _sink = writer_task.await.unwrap();
    drain.abort();
    // The slow one was cut loose (4008, or dropped at the send deadline).
    let end = slow.ended().await;
    assert!(
        matches!(end, Ended::Closed(Some(4008), _) | Ended::Dropped),
        "{end:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_sessions_anonymous_verified_and_refused() {
    use hmac::Mac as _;
    let secret = "widget-secret-widget-secret-0123456789";
    let db = chat_store::testing::TestDb::sqlite().await;
    let dir = common::data_dir();
    let app = TestApp::spawn_on(db, dir, &[("CHAT_WIDGET_SECRET", secret)]).await;

    // Anonymous: a visitor id to keep; coming back with it is the same customer.
    let first = common::widget_session(&app).await;
    let payload = json!({ "visitor_id": first["visitor_id"] });
    let again = app
        .post_json("/api/v1/widget/sessions", &payload, None)
        .await
        .json();
    assert_eq!(first["customer_id"], again["customer_id"]);
    let empty = request(app.addr, "POST", "/api/v1/widget/sessions", &[], None).await;
    assert_eq!(empty.status, 200, "an empty body is a first visit");

    // Verified by the host site's signature.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"user-42");
    let sig = hex::encode(mac.finalize().into_bytes());
    let payload = json!({ "external_id": "user-42", "signature": sig, "name": "Ann" });
    let ok = app
        .post_json("/api/v1/widget/sessions", &payload, None)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let payload = json!({ "external_id": "user-42", "signature": sig });
    let same = app
        .post_json("/api/v1/widget/sessions", &payload, None)
        .await;
    assert_eq!(ok.json()["customer_id"], same.json()["customer_id"]);
    assert!(ok.json().get("visitor_id").is_none());

    // Refusals, each with the JSON error body.
    let cases = [
        (
            json!({ "external_id": "user-43", "signature": sig }),
            401,
            "unauthenticated",
        ),
        (
            json!({ "external_id": "user-42" }),
            400,
            "validation_failed",
        ),
        (
            json!({ "externalId": "user-42", "signature": sig }),
            400,
            "validation_failed",
        ),
        (json!({ "visitor_id": "short" }), 400, "validation_failed"),
    ];
    for (body, status, code) in cases {
        let r = app.post_json("/api/v1/widget/sessions", &body, None).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (status, code),
            "{body}"
        );
    }
    let bad = common::post_raw(
        app.addr,
        "/api/v1/widget/sessions",
        "application/json",
        b"{nope",
    )
    .await;
    assert_eq!(
        (bad.status, bad.error_code().as_str()),
        (400, "validation_failed")
    );
    // A staff token is not a customer token.
    let admin = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        app.get(
            "/api/v1/widget/conversations",
            admin["access_token"].as_str()
        )
        .await
        .status,
        403
    );
}

async fn rest_actions_follow_the_same_rules_as_the_socket(app: &TestApp) {
    let (ctoken, _) = customer(app).await;
    let (a_id, a) = agent(app, Role::Agent).await;
    let (b_id, b) = agent(app, Role::Agent).await;
    let (_, sup) = agent(app, Role::Supervisor).await;
    let (mut cws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    let conv = open(&mut cws).await;
    say(&mut cws, &conv, "c1", "hello").await;
    cws.act("request_human", &conv).await;
    let act = |action: &str, token: &str, body: Option<Value>| {
        let path = format!("/api/v1/conversations/{conv}/{action}");
        let token = token.to_owned();
        async move { common::send(app, "POST", &path, body, Some(&token)).await }
    };
    // Agents cannot assign; supervisors can; agent_id is required.
    assert_eq!(
        act("assign", &a, Some(json!({ "agent_id": a_id })))
            .await
            .status,
        403
    );
    let r = act("assign", &sup, Some(json!({}))).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("agent_id"))
    );
    let r = act("assign", &sup, Some(json!({ "agent_id": a_id }))).await;
    assert_eq!(
        (r.status, r.json()["assignee_id"].as_str()),
        (200, Some(a_id.to_string().as_str())),
        "{}",
        r.text
    );
    // B cannot touch A's conversation (it does not even exist for B).
    assert_eq!(act("close", &b, None).await.status, 404);
    // A writes a private note; the customer never sees it.
    let r = act("notes", &a, Some(json!({ "body": "prefers English" }))).await;
    assert_eq!(
        (r.status, r.json()["kind"].as_str()),
        (201, Some("private_note")),
        "{}",
        r.text
    );
    let r = act("transfer", &a, Some(json!({ "agent_id": b_id }))).await;
    assert_eq!(r.json()["assignee_id"], b_id.to_string());
    assert_eq!(act("close", &a, None).await.status, 404, "no longer A's");
    assert_eq!(act("hand-back", &b, None).await.json()["state"], "bot");
    assert_eq!(
        act("takeover", &b, None).await.json()["assignee_id"],
        b_id.to_string()
    );
    assert_eq!(act("dance", &b, None).await.status, 404);
    assert_eq!(act("close", &b, None).await.json()["state"], "closed");
    // The customer's socket saw every change, and no note.
    cws.until_state("closed").await;
    let history = common::widget_messages(app, &conv, &ctoken).await.json();
    assert!(
        common::items(&history)
            .iter()
            .all(|m| m["kind"] != "private_note")
    );
    // Labels, and the list filtered by them.
    let labels = format!("/api/v1/conversations/{conv}/labels");
    let r = common::send_text(
        app.addr,
        "PUT",
        &labels,
        r#"{"labels":[" refund ","refund","vip"]}"#,
        &sup,
    )
    .await;
    assert_eq!(r.json()["labels"], json!(["refund", "vip"]), "{}", r.text);
    let r = common::send_text(app.addr, "PUT", &labels, r#"{"labels":[""]}"#, &sup).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("labels"))
    );
    let list = app
        .get("/api/v1/conversations?label=vip", Some(&sup))
        .await
        .json();
    assert!(
        common::items(&list)
            .iter()
            .any(|c| c["id"] == conv.as_str())
    );
    let bad = app
        .get("/api/v1/conversations?from=yesterday", Some(&sup))
        .await;
    assert_eq!(
        (bad.status, bad.json()["error"]["field"].as_str()),
        (400, Some("from"))
    );
    // The supervisor's assignment is audited.
    let admin = app.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let audit = app
        .get("/api/v1/audit?action=conversation.assign", Some(&admin))
        .await
        .json();
    assert_eq!(audit["items"][0]["target"], conv.as_str());
}

/// Two frames written one after the other to a socket (here `subscribed`,
/// then the catch-up read from the store) must not wait for the client to
/// acknowledge the first: without `TCP_NODELAY` on the accepted socket,
/// Nagle's algorithm holds the second until the client's delayed ACK, 40 ms
/// on Linux, for every answer of more than one frame. The client here is
/// an ordinary one: once the exchange is interactive its kernel delays its
/// ACKs, which is all it takes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_written_back_to_back_are_not_held_for_the_clients_ack() {
    let app = TestApp::spawn(common::Backend::Sqlite).await;
    let (ctoken, _) = customer(&app).await;
    let (mut ws, _) = Ws::hello(app.addr, &ctoken, json!([])).await;
    let conv = open(&mut ws).await;
    say(&mut ws, &conv, "c1", "hello").await;
    ws.next_of("message").await;
    let mut gaps = Vec::new();
    for round in 0..40 {
        ws.send(json!({ "type": "subscribe", "conversation_id": conv, "after_seq": 0, "ref": round.to_string() }))
            .await;
        let sub = ws.next().await;
        assert_eq!(sub["type"], "subscribed", "{sub}");
        let written_first = std::time::Instant::now();
        let next = ws.next().await;
        assert_eq!(next["type"], "message", "{next}");
        gaps.push(written_first.elapsed());
    }
    // Load only adds delay, so the fastest quarter of the rounds says whether
    // the second frame waited for an ACK: it then waits in every round.
    gaps.sort();
    let quartile = gaps[gaps.len() / 4];
    assert!(
        quartile < Duration::from_millis(15),
        "the second frame waited {quartile:?} (a quarter of the rounds \
         waited less): is TCP_NODELAY set on accepted sockets? {gaps:?}"
    );
}

/// Protocol 2: the socket that sends a message gets one frame back, its
/// `ack` carrying the stored message; the same customer's other socket and
/// the staff following the conversation get the `message`. A resend after
/// reconnecting is answered with the stored copy, and stores nothing new.
async fn the_sender_gets_its_ack_and_no_echo(app: &TestApp) {
    let (ctoken, _) = customer(app).await;
    let (_, stoken) = agent(app, Role::Supervisor).await;
    let (mut phone, _) = Ws::hello_in(2, app.addr, &ctoken, json!([])).await;
    let conv = open(&mut phone).await;
    let (mut laptop, _) = Ws::hello_in(2, app.addr, &ctoken, json!([])).await;
    let (mut staff, _) = Ws::hello_in(2, app.addr, &stoken, json!([])).await;
    for ws in [&mut laptop, &mut staff] {
        ws.send(json!({ "type": "subscribe", "conversation_id": conv }))
            .await;
        ws.next_of("subscribed").await;
    }
    let ack = say(&mut phone, &conv, "c1", "hello from the phone").await;
    let m = &ack["message"];
    assert_eq!(
        (&m["seq"], &m["id"], &m["body"], &m["sender_kind"]),
        (
            &ack["seq"],
            &ack["message_id"],
            &json!("hello from the phone"),
            &json!("customer")
        ),
        "{ack}"
    );
    assert!(m["created_at"].is_string(), "{ack}");
    assert_eq!(
        (&ack["duplicate"], &ack["ref"]),
        (&json!(false), &json!("c1"))
    );
    for ws in [&mut laptop, &mut staff] {
        let got = ws.next_of("message").await;
        assert_eq!(got["message"], *m, "the other sockets get the message");
    }
    // A burst: the acks come back in the order of the sends, each with its
    // message, and never an echo.
    for i in 2..=6 {
        phone
            .send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": format!("c{i}"), "body": format!("burst {i}"), "ref": format!("c{i}") }))
            .await;
    }
    let mut last = ack["seq"].as_i64().unwrap();
    for i in 2..=6 {
        let f = phone.next().await;
        assert_eq!(
            (&f["type"], &f["ref"]),
            (&json!("ack"), &json!(format!("c{i}"))),
            "{f}"
        );
        assert_eq!(f["message"]["body"], format!("burst {i}"));
        assert!(f["seq"].as_i64().unwrap() > last, "{f}");
        last = f["seq"].as_i64().unwrap();
    }
    let seen: Vec<i64> = common::seqs(&laptop.messages(5).await);
    assert_eq!(seen, ((last - 4)..=last).collect::<Vec<_>>());
    phone.quiet_for(Duration::from_millis(300)).await;
    // The phone reconnects and resends the first message: the stored copy's
    // ack, and nothing new for anyone.
    drop(phone);
    let (mut phone, _) = Ws::hello_in(
        2,
        app.addr,
        &ctoken,
        json!([{ "conversation_id": conv, "after_seq": last }]),
    )
    .await;
    phone.next_of("subscribed").await;
    let again = say(&mut phone, &conv, "c1", "hello from the phone").await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message"], *m);
    phone.quiet_for(Duration::from_millis(300)).await;
    laptop.quiet_for(Duration::from_millis(100)).await;
    staff.messages(5).await;
    staff.quiet_for(Duration::from_millis(100)).await;
    // Version 1 still echoes: its clients build their messages from it.
    let (mut old, _) = Ws::hello(
        app.addr,
        &ctoken,
        json!([{ "conversation_id": conv, "after_seq": last }]),
    )
    .await;
    old.next_of("subscribed").await;
    let ack = say(&mut old, &conv, "c7", "from an old client").await;
    assert_eq!(old.next_of("message").await["message"], ack["message"]);
}

/// A client frame as a browser sends it: FIN, masked (with a zero key, so
/// the payload goes as it is).
fn masked_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126, "short frames only");
    let mut frame = vec![0x80 | opcode, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    frame.extend_from_slice(payload);
    frame
}

/// After answering the client's close frame the server ends the TCP
/// connection at once (RFC 6455 7.1.1: the server closes first). A client
/// that waits for it, as browsers do before reporting the socket closed,
/// waited 0.5-1 s: the HTTP layer kept reading the upgraded request's
/// "body" until its client-disconnect timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_closed_by_the_client_ends_at_once() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app = TestApp::spawn(common::Backend::Sqlite).await;
    let (ctoken, _) = customer(&app).await;
    for authenticated in [false, true] {
        let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let upgrade = format!(
            "GET /ws HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            app.addr
        );
        tcp.write_all(upgrade.as_bytes()).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = tcp.read(&mut buf).await.unwrap();
            assert!(n > 0, "no upgrade answer");
            got.extend_from_slice(&buf[..n]);
        }
        assert!(
            got.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&got)
        );
        let end = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let mut frames = got[end..].to_vec();
        if authenticated {
            let hello = json!({ "type": "hello", "v": 2, "token": ctoken }).to_string();
            assert!(
                hello.len() > 125,
                "the token makes a frame with a 16-bit length"
            );
            let mut frame = vec![0x81, 0x80 | 126];
            frame.extend_from_slice(&(hello.len() as u16).to_be_bytes());
            frame.extend_from_slice(&[0, 0, 0, 0]);
            frame.extend_from_slice(hello.as_bytes());
            tcp.write_all(&frame).await.unwrap();
            while !String::from_utf8_lossy(&frames).contains("welcome") {
                let n = tcp.read(&mut buf).await.unwrap();
                assert!(n > 0, "no welcome");
                frames.extend_from_slice(&buf[..n]);
            }
            frames.clear();
        }
        tcp.write_all(&masked_frame(0x8, &1000u16.to_be_bytes()))
            .await
            .unwrap();
        // The answer: a close frame (opcode 8)…
        while frames.is_empty() {
            let n = tcp.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed without a close frame");
            frames.extend_from_slice(&buf[..n]);
        }
        assert_eq!(frames[0], 0x88, "a close frame: {frames:?}");
        let answered = std::time::Instant::now();
        // …then the end of the connection, without the client closing.
        let eof = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        let took = answered.elapsed();
        assert!(
            eof.is_ok(),
            "still open after 5 s (authenticated: {authenticated})"
        );
        assert!(
            took < Duration::from_millis(250),
            "the connection stayed open {took:?} after the close (authenticated: {authenticated})"
        );
    }
}

/// Each stage of a message's way through the server is a histogram on
/// `/metrics`, with a sample more once a customer's message has reached a
/// follower's socket. (The recorder is one per test process: other tests
/// add samples too, so this compares counts before and after; the two-node
/// test in `multinode.rs` reads fresh processes.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_stage_of_a_message_shows_on_metrics() {
    let app = TestApp::spawn(common::Backend::Sqlite).await;
    let (ctoken, _) = customer(&app).await;
    let (_, stoken) = agent(&app, Role::Supervisor).await;
    let (mut cws, _) = Ws::hello_in(2, app.addr, &ctoken, json!([])).await;
    let conv = open(&mut cws).await;
    let (mut staff, _) = Ws::hello_in(2, app.addr, &stoken, json!([])).await;
    staff
        .send(json!({ "type": "subscribe", "conversation_id": conv }))
        .await;
    staff.next_of("subscribed").await;
    let mut before = Vec::new();
    for name in common::STAGES {
        before.push(common::histogram_count(app.addr, name).await);
    }
    say(&mut cws, &conv, "c1", "where is my parcel?").await;
    let got = staff.next_of("message").await;
    assert_eq!(got["message"]["body"], "where is my parcel?");
    for (name, before) in common::STAGES.into_iter().zip(before) {
        let after = common::histogram_count(app.addr, name).await;
        assert!(
            after > before,
            "{name}: {before} samples before, {after} after"
        );
    }
}
