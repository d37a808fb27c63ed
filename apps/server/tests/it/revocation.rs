//! Live revocation on two nodes sharing MySQL and Redis: deactivating a
//! staff member, changing their role, resetting their password or signing
//! them out everywhere closes their open sockets on every node at once
//! (close code 4004) and revokes their refresh tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chat_store::testing::TestDb;
use common::nodes::{Node, post, ready, start};
use common::ws::{Ended, Ws};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, request};
use serde_json::{Value, json};

const NEEDS: &str = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)";

/// A staff member with a socket open on each node.
struct Victim {
    id: String,
    email: String,
    login: Value,
    sockets: Vec<Ws>,
}

async fn staff(nodes: &[Node], db: &TestDb, role: chat_domain::model::Role) -> Victim {
    let email = format!("{role}-{}@example.com", uuid::Uuid::now_v7().simple());
    let at = chat_domain::time::now();
    let user = chat_domain::model::User {
        id: chat_domain::ids::UserId::new(),
        email: email.clone(),
        display_name: "Eve".into(),
        password_hash: chat_admin::auth::hash_password("staff password".into())
            .await
            .unwrap(),
        role,
        active: true,
        created_at: at,
        updated_at: at,
    };
    chat_domain::ports::UserRepository::create_user(&db.store, &user)
        .await
        .unwrap();
    let login = post(
        nodes[0].addr,
        "/api/v1/auth/login",
        json!({ "email": email, "password": "staff password" }),
    )
    .await;
    let token = login["access_token"].as_str().unwrap();
    let mut sockets = Vec::new();
    for n in nodes {
        sockets.push(Ws::hello(n.addr, token, json!([])).await.0);
    }
    Victim {
        id: user.id.to_string(),
        email,
        login,
        sockets,
    }
}

async fn admin_call(addr: SocketAddr, token: &str, method: &str, path: &str, body: Value) -> u16 {
    let auth = format!("Bearer {token}");
    let body = body.to_string();
    request(
        addr,
        method,
        path,
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        Some(body.as_bytes()),
    )
    .await
    .status
}

/// Every socket of `v` closes with 4004 within a second of `since`, and
/// their refresh token no longer works.
async fn all_closed(what: &str, v: &mut Victim, since: Instant, node: SocketAddr) {
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MySQL and Redis (CHAT_TEST_MYSQL_URL, CHAT_TEST_REDIS_URL)"]
async fn revoked_staff_lose_their_sockets_on_every_node() {
    let redis = std::env::var("CHAT_TEST_REDIS_URL").expect(NEEDS);
    let db = TestDb::mysql().await;
    let prefix = format!("t-{}", uuid::Uuid::now_v7().simple());
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
    // The new password works.
    post(
        b,
        "/api/v1/auth/login",
        json!({ "email": v.email, "password": "a brand new password" }),
    )
    .await;

    // "Log out everywhere", by the user and by an admin for them.
    let mut v = staff(&nodes, &db, Role::Agent).await;
    let at = Instant::now();
    let own = v.login["access_token"].as_str().unwrap().to_owned();
    let path = "/api/v1/me/logout-everywhere";
    assert_eq!(admin_call(b, &own, "POST", path, json!({})).await, 204);
    all_closed("log out everywhere", &mut v, at, a).await;
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
    let redis = std::env::var("CHAT_TEST_REDIS_URL").expect(NEEDS);
    let db = TestDb::mysql().await;
    let prefix = format!("t-{}", uuid::Uuid::now_v7().simple());
    let nodes = [
        start("throttle-a", &db.url, &redis, &prefix),
        start("throttle-b", &db.url, &redis, &prefix),
    ];
    for n in &nodes {
        ready(n).await;
    }
    let login = |addr: SocketAddr, password: &'static str| async move {
        let body = json!({ "email": ADMIN_EMAIL, "password": password }).to_string();
        request(
            addr,
            "POST",
            "/api/v1/auth/login",
            &[("content-type", "application/json")],
            Some(body.as_bytes()),
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
