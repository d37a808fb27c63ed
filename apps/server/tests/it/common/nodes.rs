//! Server processes for multi-node tests: each node is a real `chat-server`
//! binary on a free port, sharing a database and Redis with its peers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, request};

/// A server process, killed when dropped.
pub struct Node {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Nodes of one test share a Redis prefix; tests running side by side on one
/// Redis must not hear each other.
pub fn start(name: &str, db: &str, redis: &str, prefix: &str) -> Node {
    start_with(name, db, redis, prefix, &[])
}

/// [`start`] with extra environment variables.
pub fn start_with(name: &str, db: &str, redis: &str, prefix: &str, extra: &[(&str, &str)]) -> Node {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!(
        "chat-node-{name}-{}",
        uuid::Uuid::now_v7().simple()
    ));
    let child = Command::new(env!("CARGO_BIN_EXE_chat-server"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db)
        .env("REDIS_URL", redis)
        .env("CHAT_REDIS_PREFIX", prefix)
        .env("CHAT_JWT_SECRET", JWT_SECRET)
        .env("CHAT_DATA_KEYS", chat_store::testing::TEST_DATA_KEYS)
        .env(
            "CHAT_DATA_HASH_KEY",
            chat_store::testing::TEST_DATA_HASH_KEY,
        )
        .env("CHAT_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("CHAT_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("CHAT_LISTEN", format!("127.0.0.1:{port}"))
        .env("CHAT_DATA_DIR", dir)
        .env("CHAT_NODE_ID", name)
        .env("CHAT_PRESENCE_TTL_SECS", "2")
        .env("CHAT_AI_PROVIDER", "none")
        .env("CHAT_LOG", "warn")
        .env("CHAT_WORKERS", "1")
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Node {
        child,
        addr: format!("127.0.0.1:{port}").parse().unwrap(),
    }
}

pub async fn ready(node: &Node) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if tokio::net::TcpStream::connect(node.addr).await.is_ok()
            && request(node.addr, "GET", "/readyz", &[], None).await.status == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "node {} not ready", node.addr);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn post(addr: SocketAddr, path: &str, body: Value) -> Value {
    let r = request(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        Some(body.to_string().as_bytes()),
    )
    .await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.json()
}

/// Logs the bootstrap admin in on the node at `addr`: an access token.
pub async fn admin_login(addr: SocketAddr) -> String {
    let login = post(
        addr,
        "/api/v1/auth/login",
        serde_json::json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }),
    )
    .await;
    login["access_token"].as_str().unwrap().to_owned()
}

/// What the nodes of one multi-node test share: Redis (`CHAT_TEST_REDIS_URL`),
/// a fresh MySQL database and a Redis prefix of their own.
pub async fn cluster() -> (String, chat_store::testing::TestDb, String) {
    let redis = chat_store::testing::service_url("CHAT_TEST_REDIS_URL");
    let db = chat_store::testing::TestDb::mysql().await;
    let prefix = format!("t-{}", uuid::Uuid::now_v7().simple());
    (redis, db, prefix)
}
