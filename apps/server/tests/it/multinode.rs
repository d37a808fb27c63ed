//! Two `chat-server` processes sharing MariaDB and Redis: messages cross
//! nodes both ways, one node dies, the customer resumes on the other with
//! nothing lost, and two nodes never assign one conversation twice.
//! Needs CHAT_TEST_MYSQL_URL and CHAT_TEST_REDIS_URL: ignored unless run with
//! `--include-ignored` (CI does).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::time::{Duration, Instant};

use common::nodes::{Node, admin_login, cluster, post, ready, start, start_with};
use common::request;
use common::ws::Ws;
use serde_json::{Value, json};

async fn say(ws: &mut Ws, conv: &str, cmid: &str, body: &str) -> i64 {
    ws.send(
        json!({ "type": "send", "conversation_id": conv, "client_msg_id": cmid, "body": body }),
    )
    .await;
    loop {
        let ack = ws.next_of("ack").await;
        if ack["client_msg_id"] == cmid {
            return ack["seq"].as_i64().unwrap();
        }
    }
}

/// Two nodes `<tag>-a` and `<tag>-b` on a fresh database, both ready (the
/// database lives as long as the first value).
async fn two_nodes(tag: &str) -> (chat_store::testing::TestDb, Node, Node) {
    let (redis, db, prefix) = cluster().await;
    let a = start(&format!("{tag}-a"), &db.url, &redis, &prefix);
    let b = start(&format!("{tag}-b"), &db.url, &redis, &prefix);
    ready(&a).await;
    ready(&b).await;
    (db, a, b)
}

/// The stages of a message that crosses nodes, each on the node where it
/// happens: queued, committed, published to Redis and acknowledged on the
/// sender's node; delivered on the recipient's. Fresh processes: nothing
/// else recorded into their metrics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn stage_histograms_follow_a_message_across_nodes() {
    let (_db, a, b) = two_nodes("stages").await;
    let session = post(a.addr, "/api/v1/widget/sessions", json!({})).await;
    let ctoken = session["token"].as_str().unwrap().to_owned();
    let atoken = admin_login(b.addr).await;
    let (mut cust, _) = Ws::hello_in(2, a.addr, &ctoken, json!([])).await;
    let conv = cust.open(json!({ "type": "open" })).await;
    let (mut agent, _) = Ws::hello_in(2, b.addr, &atoken, json!([])).await;
    agent
        .send(json!({ "type": "subscribe", "conversation_id": conv }))
        .await;
    agent.next_of("subscribed").await;
    let on_b = common::histogram_count(b.addr, "message_delivery_seconds").await;
    say(&mut cust, &conv, "c1", "hello across nodes").await;
    let got = agent.next_of("message").await;
    assert_eq!(got["message"]["body"], "hello across nodes");
    for name in [
        "message_queue_wait_seconds",
        "message_commit_duration_seconds",
        "message_publish_duration_seconds",
        "message_ack_seconds",
    ] {
        let n = common::histogram_count(a.addr, name).await;
        assert!(n >= 1, "{name} on the sender's node: {n}");
    }
    let delivered = common::histogram_count(b.addr, "message_delivery_seconds").await;
    assert!(
        delivered > on_b,
        "delivery on the recipient's node: {on_b} → {delivered}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn two_nodes_share_conversations_and_survive_a_crash() {
    let (redis, db, prefix) = cluster().await;
    let mut a = start("node-a", &db.url, &redis, &prefix);
    let b = start("node-b", &db.url, &redis, &prefix);
    ready(&a).await;
    ready(&b).await;

    // Customer on A, agent (the admin) on B.
    let session = post(a.addr, "/api/v1/widget/sessions", json!({})).await;
    let ctoken = session["token"].as_str().unwrap().to_owned();
    let atoken = admin_login(b.addr).await;
    let (mut agent, _) = Ws::hello(b.addr, &atoken, json!([])).await;
    let (mut cust, _) = Ws::hello(a.addr, &ctoken, json!([])).await;
    let conv = cust.open(json!({ "type": "open" })).await;
    // The agent on B hears of the new conversation opened on A.
    let opened = agent.next_of("conversation").await;
    assert_eq!(opened["conversation"]["id"], conv.as_str());

    say(&mut cust, &conv, "c1", "hello from node A").await;
    agent.act("takeover", &conv).await;
    agent
        .send(json!({ "type": "subscribe", "conversation_id": conv, "after_seq": 0 }))
        .await;
    agent.next_of("subscribed").await;
    let history = agent.messages(2).await;
    assert_eq!(history[0]["body"], "hello from node A");

    // B → A and A → B.
    say(&mut agent, &conv, "a1", "hello from node B").await;
    let got = cust.messages(3).await; // own c1, the join notice, a1
    assert_eq!(got[2]["body"], "hello from node B");
    let last_seen = got[2]["seq"].as_i64().unwrap();
    say(&mut cust, &conv, "c2", "still here").await;
    // The agent gets its own a1 back, then the customer's c2.
    assert_eq!(agent.messages(2).await[1]["body"], "still here");
    let last_seen = last_seen + 1; // the customer's own c2 was echoed too
    assert_eq!(cust.messages(1).await[0]["seq"], last_seen);

    // A second agent works on node A.
    let other = common::insert_staff(
        &db.store,
        "bob@example.com",
        "Bob",
        "bob password",
        chat_domain::model::Role::Agent,
    )
    .await;
    let bob = post(
        a.addr,
        "/api/v1/auth/login",
        json!({ "email": "bob@example.com", "password": "bob password" }),
    )
    .await;
    let (_bob_ws, _) = Ws::hello(a.addr, bob["access_token"].as_str().unwrap(), json!([])).await;
    loop {
        let p = agent.next_of("presence").await;
        if p["agent_id"] == other.id.to_string() && p["status"] == "online" {
            break;
        }
    }

    // Node A dies without warning; the agent keeps writing on B.
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let mut sent = Vec::new();
    for i in 1..=3 {
        sent.push(
            say(
                &mut agent,
                &conv,
                &format!("late{i}"),
                &format!("while you were away {i}"),
            )
            .await,
        );
    }
    // The customer reconnects to B and resumes: exactly what it missed.
    let (mut cust, _) = Ws::resume(b.addr, &ctoken, &conv, last_seen).await;
    cust.next_of("subscribed").await;
    let missed = cust.messages(3).await;
    assert_eq!(common::seqs(&missed), sent);
    assert_eq!(missed[0]["body"], "while you were away 1");
    cust.quiet_for(Duration::from_millis(300)).await;
    // Bob's node died without a word: his presence expires and B says so.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(
            Instant::now() < deadline,
            "no offline presence for an agent of a dead node"
        );
        let p = agent.next_of("presence").await;
        if p["agent_id"] == other.id.to_string() && p["status"] == "offline" {
            break;
        }
    }
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn two_nodes_never_assign_one_conversation_twice() {
    let (_db, a, b) = two_nodes("race").await;
    let admin = admin_login(a.addr).await;
    let (mut on_a, _) = Ws::hello(a.addr, &admin, json!([])).await;
    let (mut on_b, _) = Ws::hello(b.addr, &admin, json!([])).await;
    for round in 0..10 {
        let session = post(a.addr, "/api/v1/widget/sessions", json!({})).await;
        let (mut cust, _) = Ws::hello(b.addr, session["token"].as_str().unwrap(), json!([])).await;
        let conv = cust.open(json!({ "type": "open" })).await;
        cust.act("request_human", &conv).await;
        // The same queued conversation accepted on both nodes at once.
        on_a.send(json!({ "type": "accept", "conversation_id": conv, "ref": format!("a{round}") }))
            .await;
        on_b.send(json!({ "type": "accept", "conversation_id": conv, "ref": format!("b{round}") }))
            .await;
        let ra = reply(&mut on_a, &format!("a{round}")).await;
        let rb = reply(&mut on_b, &format!("b{round}")).await;
        let wins = [&ra, &rb].iter().filter(|f| f["type"] == "result").count();
        assert_eq!(wins, 1, "round {round}: {ra} / {rb}");
        let loser = if ra["type"] == "error" { &ra } else { &rb };
        assert_eq!(loser["code"], "conflict");
        cust.act("close", &conv).await;
    }
}

/// The `result` or `error` answering the frame with this `ref`.
async fn reply(ws: &mut Ws, r: &str) -> Value {
    loop {
        let f = ws.next().await;
        if f["ref"] == r && (f["type"] == "result" || f["type"] == "error") {
            return f;
        }
    }
}

/// Waits for the next bot message, skipping the deltas and notices before it.
async fn bot_reply(ws: &mut Ws) -> Value {
    loop {
        let f = ws.next().await;
        if f["type"] == "message" && f["message"]["sender_kind"] == "bot" {
            return f["message"].clone();
        }
    }
}

/// `CHAT_ROLES`: one node per role against the same MariaDB and Redis. The
/// customer's node runs only the gateway, yet the assistant on its own node
/// answers; a close through the REST API of the back-office node reaches the
/// customer's socket; each node serves only its role's routes, and every
/// node answers /healthz and /readyz.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn roles_split_across_nodes() {
    let (redis, db, prefix) = cluster().await;
    let role = |name: &str, roles: &str, extra: &[(&str, &str)]| {
        let mut env = vec![("CHAT_ROLES", roles)];
        env.extend_from_slice(extra);
        start_with(name, &db.url, &redis, &prefix, &env)
    };
    // The back-office node first: it migrates the database and creates the
    // first admin before the others start.
    let admin = role("admin", "admin", &[]);
    ready(&admin).await;
    let gateway = role("gateway", "gateway", &[]);
    let assistant = role(
        "assistant",
        "assistant",
        &[("CHAT_AI_PROVIDER", "offline"), ("CHAT_AI_DEMO_KB", "true")],
    );
    let webhooks = role("webhooks", "webhooks", &[]);
    let sweeper = role("sweeper", "sweeper", &[]);
    let nodes = [&admin, &gateway, &assistant, &webhooks, &sweeper];
    for node in nodes {
        ready(node).await;
        for path in ["/healthz", "/readyz"] {
            let r = request(node.addr, "GET", path, &[], None).await;
            assert_eq!(r.status, 200, "{path} on {}: {}", node.addr, r.text);
        }
    }
    // Each node serves its role's routes only (the JSON 404 elsewhere).
    let status = |addr, method: &'static str, path: &'static str| async move {
        request(addr, method, path, &[], None).await.status
    };
    assert_eq!(
        status(gateway.addr, "POST", "/api/v1/auth/login").await,
        404
    );
    assert_eq!(
        status(admin.addr, "POST", "/api/v1/widget/sessions").await,
        404
    );
    assert_eq!(status(admin.addr, "GET", "/ws").await, 404);
    for node in [&assistant, &webhooks, &sweeper] {
        assert_eq!(status(node.addr, "POST", "/api/v1/auth/login").await, 404);
        assert_eq!(status(node.addr, "GET", "/ws").await, 404);
    }

    // A customer on the gateway-only node: the assistant node answers.
    let session = post(gateway.addr, "/api/v1/widget/sessions", json!({})).await;
    let (mut cust, _) =
        Ws::hello(gateway.addr, session["token"].as_str().unwrap(), json!([])).await;
    let conv = cust.open(json!({ "type": "open" })).await;
    say(&mut cust, &conv, "q1", "怎么查物流？").await;
    let answer = bot_reply(&mut cust).await;
    assert!(
        !answer["body"].as_str().unwrap().is_empty(),
        "an answer: {answer}"
    );

    // The admin closes it through the back-office node's REST API: the
    // customer on the gateway node sees the change.
    let bearer = format!("Bearer {}", admin_login(admin.addr).await);
    let r = request(
        admin.addr,
        "POST",
        &format!("/api/v1/conversations/{conv}/close"),
        &[("authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let change = tokio::time::timeout(
            deadline.saturating_duration_since(Instant::now()),
            cust.next_of("conversation"),
        )
        .await
        .expect("the close reaches the customer's node");
        if change["conversation"]["state"] == "closed" {
            break;
        }
    }
}

/// Every node listens to the bus and queues the deliveries of every event
/// it hears: the delivery ids derived from the event make them one row per
/// event and webhook, however many nodes there are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn two_nodes_queue_one_webhook_delivery_per_event() {
    let (redis, db, prefix) = cluster().await;
    // The receiver does not exist: the rows are what is counted here.
    let private = [("CHAT_WEBHOOK_ALLOW_PRIVATE", "true")];
    let a = crate::common::nodes::start_with("node-a", &db.url, &redis, &prefix, &private);
    let b = crate::common::nodes::start_with("node-b", &db.url, &redis, &prefix, &private);
    ready(&a).await;
    ready(&b).await;
    let admin = format!("Bearer {}", admin_login(a.addr).await);
    let hook = crate::common::request(
        a.addr,
        "POST",
        "/api/v1/webhooks",
        &[("content-type", "application/json"), ("authorization", &admin)],
        Some(
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["conversation.created", "message.created"] })
                .to_string()
                .as_bytes(),
        ),
    )
    .await;
    assert_eq!(hook.status, 201, "{}", hook.text);
    let hook = hook.id();

    // The customer on B: an opened conversation and two messages, each
    // heard by both nodes.
    let session = post(b.addr, "/api/v1/widget/sessions", json!({})).await;
    let ctoken = session["token"].as_str().unwrap().to_owned();
    let (mut cust, _) = Ws::hello(b.addr, &ctoken, json!([])).await;
    let conv = cust.open(json!({ "type": "open" })).await;
    say(&mut cust, &conv, "m1", "hello").await;
    say(&mut cust, &conv, "m2", "anyone there?").await;

    // Wait for the rows, then give a slower node's writer time to add a
    // duplicate if it could: exactly one row per event.
    let events = |node: std::net::SocketAddr| {
        let (admin, hook) = (admin.clone(), hook.clone());
        async move {
            let r = crate::common::get_with(
                node,
                &format!("/api/v1/webhooks/{hook}/deliveries?limit=100"),
                ("authorization", &admin),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let mut items: Vec<String> = r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["event"].as_str().unwrap().to_owned())
                .collect();
            items.sort();
            items
        }
    };
    let expected = ["conversation.created", "message.created", "message.created"];
    let deadline = Instant::now() + Duration::from_secs(10);
    while events(a.addr).await != expected {
        assert!(
            Instant::now() < deadline,
            "deliveries: {:?}",
            events(a.addr).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(events(b.addr).await, expected);
}
