//! Live revocation on two nodes sharing MySQL and Redis: deactivating a
//! staff member, changing their role, resetting their password or signing
//! them out everywhere closes their open sockets on every node at once
//! (close code 4004), revokes their refresh tokens, and makes every node
//! refuse the access tokens already issued to them (401 on REST, 4001 on a
//! new socket), although those are still signed and unexpired.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chat_store::testing::TestDb;
use common::nodes::{Node, cluster, post, ready, start};
use common::ws::{Ended, Ws};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, request};
use serde_json::{Value, json};

/// A staff member with a socket open on each node.
struct Victim {
    id: String,
    email: String,
    login: Value,
    sockets: Vec<Ws>,
    /// The nodes, in the order of `sockets`.
    nodes: Vec<SocketAddr>,
}

async fn staff(nodes: &[Node], db: &TestDb, role: chat_domain::model::Role) -> Victim {
    let email = format!("{role}-{}@example.com", uuid::Uuid::now_v7().simple());
    let user = common::insert_staff(&db.store, &email, "Eve", "staff password", role).await;
    let login = post(
        nodes[0].addr,
        "/api/v1/auth/login",
        json!({ "email": email, "password": "staff password" }),
    )
    .await;
    let token = login["access_token"].as_str().unwrap();
    let mut sockets = Vec::new();
    for n in nodes {
        // The token works on every node (and each node has looked the
        // user's revocations up: what follows checks that the event
        // invalidates what a node holds, not a first lookup).
        assert_eq!(me(n.addr, token).await, 200, "a fresh token refused");
        sockets.push(Ws::hello(n.addr, token, json!([])).await.0);
    }
    Victim {
        id: user.id.to_string(),
        email,
        login,
        sockets,
        nodes: nodes.iter().map(|n| n.addr).collect(),
    }
}

async fn admin_call(addr: SocketAddr, token: &str, method: &str, path: &str, body: Value) -> u16 {
    common::send_text(addr, method, path, &body.to_string(), token)
        .await
        .status
}

/// `GET /api/v1/me` with `token`: its status.
async fn me(addr: SocketAddr, token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    request(addr, "GET", "/api/v1/me", &[("authorization", &auth)], None)
        .await
        .status
}

/// Every socket of `v` closes with 4004 within a second of `since`, their
/// refresh token no longer works, and their access token is refused on
/// every node (REST and new sockets).
async fn all_closed(what: &str, v: &mut Victim, since: Instant, node: SocketAddr) {
    let nodes = v.nodes.clone();
    for (i, ws) in v.sockets.iter_mut().enumerate() {
        let ended = tokio::time::timeout(Duration::from_secs(1), ws.ended())
            .await
            .unwrap_or_else(|_| panic!("{what}: the socket on node {i} is still open after 1 s"));
        match ended {
            Ended::Closed(Some(4004), _) => {}
            other => panic!("{what}: socket on node {i} ended with {other:?}, not 4004"),
        }
    }
    println!(
        "{what}: sockets on both nodes closed {:?} after the request",
        since.elapsed()
    );
    let r = request(
        node,
        "POST",
        "/api/v1/auth/refresh",
        &[("content-type", "application/json")],
        Some(
            json!({ "refresh_token": v.login["refresh_token"] })
                .to_string()
                .as_bytes(),
        ),
    )
    .await;
    assert_eq!(r.status, 401, "{what}: refresh still works: {}", r.text);
    let token = v.login["access_token"].as_str().unwrap();
    for (i, addr) in nodes.into_iter().enumerate() {
        let auth = format!("Bearer {token}");
        let r = request(addr, "GET", "/api/v1/me", &[("authorization", &auth)], None).await;
        assert_eq!(
            r.status, 401,
            "{what}: node {i} still takes the old access token: {}",
            r.text
        );
        let mut ws = Ws::connect(addr).await;
        ws.send(json!({ "type": "hello", "v": 1, "token": token }))
            .await;
        match ws.ended().await {
            Ended::Closed(Some(4001), _) => {}
            other => panic!("{what}: node {i} let the old token open a socket: {other:?}"),
        }
    }
    println!(
        "{what}: the old access token refused on both nodes {:?} after the request",
        since.elapsed()
    );
}

/// Signs `email` in on `at` and checks the new token works on `on` at once
/// (a revocation cuts off only the tokens issued before it).
async fn fresh_login_works(email: &str, password: &str, at: SocketAddr, on: SocketAddr) {
    let login = post(
        at,
        "/api/v1/auth/login",
        json!({ "email": email, "password": password }),
    )
    .await;
    let token = login["access_token"].as_str().unwrap();
    assert_eq!(
        me(on, token).await,
        200,
        "a token issued after the revocation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn revoked_staff_lose_their_sockets_on_every_node() {
    let (redis, db, prefix) = cluster().await;
    let nodes = vec![
        start("revoke-a", &db.url, &redis, &prefix),
        start("revoke-b", &db.url, &redis, &prefix),
    ];
    for n in &nodes {
        ready(n).await;
    }
    let admin = post(
        nodes[1].addr,
        "/api/v1/auth/login",
        json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }),
    )
    .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (b, a) = (nodes[1].addr, nodes[0].addr);
    use chat_domain::model::Role;

    // Deactivation.
    let mut v = staff(&nodes, &db, Role::Agent).await;
    let at = Instant::now();
    let path = format!("/api/v1/users/{}", v.id);
    assert_eq!(
        admin_call(b, &admin, "PATCH", &path, json!({ "active": false })).await,
        200
    );
    all_closed("deactivation", &mut v, at, a).await;
    // A new socket is refused too (4001): the account is inactive.
    let token = v.login["access_token"].as_str().unwrap();
    let mut ws = Ws::connect(a).await;
    ws.send(json!({ "type": "hello", "v": 1, "token": token }))
        .await;
    assert!(matches!(ws.ended().await, Ended::Closed(Some(4001), _)));

    // Role change.
    let mut v = staff(&nodes, &db, Role::Agent).await;
    let at = Instant::now();
    let path = format!("/api/v1/users/{}", v.id);
    assert_eq!(
        admin_call(b, &admin, "PATCH", &path, json!({ "role": "supervisor" })).await,
        200
    );
    all_closed("role change", &mut v, at, a).await;

    // Password reset by an admin.
    let mut v = staff(&nodes, &db, Role::Supervisor).await;
    let at = Instant::now();
    let path = format!("/api/v1/users/{}/password", v.id);
    let body = json!({ "password": "a brand new password" });
    assert_eq!(admin_call(a, &admin, "POST", &path, body).await, 204);
    all_closed("password reset", &mut v, at, b).await;
    // The new password works, and so does its token, on both nodes.
    fresh_login_works(&v.email, "a brand new password", b, a).await;

    // "Log out everywhere", by the user and by an admin for them.
    let mut v = staff(&nodes, &db, Role::Agent).await;
    let at = Instant::now();
    let own = v.login["access_token"].as_str().unwrap().to_owned();
    let path = "/api/v1/me/logout-everywhere";
    assert_eq!(admin_call(b, &own, "POST", path, json!({})).await, 204);
    all_closed("log out everywhere", &mut v, at, a).await;
    fresh_login_works(&v.email, "staff password", a, b).await;
    let mut v = staff(&nodes, &db, Role::Agent).await;
    let at = Instant::now();
    let path = format!("/api/v1/users/{}/logout-everywhere", v.id);
    assert_eq!(admin_call(a, &admin, "POST", &path, json!({})).await, 204);
    all_closed("log out everywhere (admin)", &mut v, at, b).await;
}

/// Five wrong passwords spread over two nodes lock the account on both:
/// the count lives in Redis (its keys expire with the window).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn login_throttle_is_shared_by_the_nodes() {
    let (redis, db, prefix) = cluster().await;
    let nodes = [
        start("throttle-a", &db.url, &redis, &prefix),
        start("throttle-b", &db.url, &redis, &prefix),
    ];
    for n in &nodes {
        ready(n).await;
    }
    let login = |addr: SocketAddr, password: &'static str| async move {
        let body = json!({ "email": ADMIN_EMAIL, "password": password }).to_string();
        common::post_raw(
            addr,
            "/api/v1/auth/login",
            "application/json",
            body.as_bytes(),
        )
        .await
    };
    for i in 0..5 {
        let r = login(nodes[i % 2].addr, "wrong password").await;
        assert_eq!(r.status, 401, "guess {i}: {}", r.text);
    }
    for n in &nodes {
        let r = login(n.addr, ADMIN_PASSWORD).await;
        assert_eq!(r.status, 429, "a sixth attempt was let through: {}", r.text);
        assert!(r.headers.contains_key("retry-after"));
    }
}
