//! Test harness: a real server on a free port, over a throwaway database,
//! spoken to over real TCP with a minimal HTTP/1.1 client (no client library:
//! what goes on the wire is exactly what the test wrote).

#![allow(dead_code)]

pub mod nodes;
pub mod ws;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use chat_server::Application;
use chat_server::config::Config;
use chat_store::testing::TestDb;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Mysql,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub handle: actix_web::dev::ServerHandle,
    pub store: chat_store::SqlStore,
    pub db: TestDb,
    pub data_dir: PathBuf,
    /// The server's run: `stop` waits for it, so nothing of this node (its
    /// webhook sender) outlives the stop.
    pub running: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    /// A server on a fresh database (MySQL: see `TestDb::mysql`).
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// [`TestApp::spawn`] with extra configuration.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Mysql => TestDb::mysql().await,
        };
        Self::spawn_on(db, data_dir(), extra).await
    }

    /// A server on an existing database, with extra configuration.
    pub async fn spawn_on(db: TestDb, data_dir: PathBuf, extra: &[(&str, &str)]) -> Self {
        let mut vars: HashMap<String, String> = [
            ("CHAT_LISTEN", "127.0.0.1:0"),
            ("CHAT_ADMIN_EMAIL", ADMIN_EMAIL),
            ("CHAT_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("CHAT_WORKERS", "2"),
            ("CHAT_SHUTDOWN_TIMEOUT_SECS", "1"),
            ("CHAT_MAX_BODY_BYTES", "4096"),
            // The gateway's tests count messages exactly: no assistant
            // answering in between unless a test asks for one.
            ("CHAT_AI_PROVIDER", "none"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.insert("DATABASE_URL".into(), db.url.clone());
        vars.insert(
            "CHAT_DATA_DIR".into(),
            data_dir.to_string_lossy().into_owned(),
        );
        if !db.url.starts_with("sqlite") {
            vars.insert("CHAT_JWT_SECRET".into(), JWT_SECRET.into());
        }
        // The keys the test store uses too, so both read what either wrote.
        vars.insert(
            "CHAT_DATA_KEYS".into(),
            chat_store::testing::TEST_DATA_KEYS.into(),
        );
        vars.insert(
            "CHAT_DATA_HASH_KEY".into(),
            chat_store::testing::TEST_DATA_HASH_KEY.into(),
        );
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        let app = Application::build(config).await.expect("server builds");
        let addr = app.local_addr();
        let handle = app.handle();
        let store = app.store().clone();
        let running = tokio::spawn(app.run_until_stopped(None));
        Self {
            addr,
            handle,
            store,
            db,
            data_dir,
            running,
        }
    }

    pub async fn stop(self) -> (TestDb, PathBuf) {
        self.handle.stop(true).await;
        let _ = self.running.await;
        (self.db, self.data_dir)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        request(self.addr, "GET", path, &headers, None).await
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("authorization", a.as_str()));
        }
        request(
            self.addr,
            "POST",
            path,
            &headers,
            Some(body.to_string().as_bytes()),
        )
        .await
    }

    /// `POST /api/v1/auth/refresh` with `refresh_token`.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        let body = serde_json::json!({ "refresh_token": refresh_token });
        self.post_json("/api/v1/auth/refresh", &body, None).await
    }

    /// Logs in: the access token.
    pub async fn token(&self, email: &str, password: &str) -> String {
        self.login(email, password).await["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Logs in and returns the response JSON (asserting 200).
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let r = self
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({ "email": email, "password": password }),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "login failed: {}", r.text);
        r.json()
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The `id` of what the request created.
    pub fn id(&self) -> String {
        self.json()["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {}", self.text))
            .to_owned()
    }

    /// The error body's message.
    pub fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.message in {}", self.text))
            .to_owned()
    }

    /// Asserts the one error shape and returns its code.
    pub fn error_code(&self) -> String {
        let v = self.json();
        let code = v["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.code in {}", self.text));
        assert!(
            v["error"]["message"].is_string(),
            "no error.message in {}",
            self.text
        );
        code.to_owned()
    }
}

pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("content-length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if let Some(b) = body {
        bytes.extend_from_slice(b);
    }
    stream.write_all(&bytes).await.expect("write");
    let mut raw = Vec::new();
    // The server may answer (413) and close before reading the whole body.
    let _ = stream.read_to_end(&mut raw).await;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Response {
        status,
        headers,
        text: body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// Declares each test on both backends (the MySQL ones `#[ignore]`d: they
/// need `CHAT_TEST_MYSQL_URL`; see `chat_store::testing`), optionally with
/// extra configuration: `on_both_backends!(env = VARS; a, b)`.
#[macro_export]
macro_rules! on_both_backends {
    (env = $extra:expr; $($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::common::TestApp::spawn_with($crate::common::Backend::Sqlite, $extra).await;
                super::$name(&app).await;
            })+
        }
        mod mysql {
            $(#[ignore = "needs MySQL (CHAT_TEST_MYSQL_URL)"]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::common::TestApp::spawn_with($crate::common::Backend::Mysql, $extra).await;
                super::$name(&app).await;
            })+
        }
    };
    ($($name:ident),+ $(,)?) => {
        $crate::on_both_backends!(env = &[]; $($name),+);
    };
}

/// Declares `$sqlite` and `$mysql` (`#[ignore]`d: it needs
/// `CHAT_TEST_MYSQL_URL`), each running `$test` on a fresh database of that
/// kind: for tests that start their own servers.
#[macro_export]
macro_rules! on_both_databases {
    ($test:ident => $sqlite:ident, $mysql:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            $test(chat_store::testing::TestDb::sqlite().await).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[ignore = "needs MySQL (CHAT_TEST_MYSQL_URL)"]
        async fn $mysql() {
            $test(chat_store::testing::TestDb::mysql().await).await;
        }
    };
}

/// Creates a staff member with `role` directly in the store and logs in:
/// (their id, an access token); straight in the store, quicker than the REST route.
pub async fn create_staff(
    app: &TestApp,
    role: chat_domain::model::Role,
) -> (chat_domain::ids::UserId, String) {
    let email = format!("{}-{}@example.com", role, uuid::Uuid::now_v7().simple());
    let user = insert_staff(&app.store, &email, "Ann", "agent password", role).await;
    let token = app.token(&email, "agent password").await;
    (user.id, token)
}

/// A JSON request with an optional bearer token: the shape most REST tests need.
pub async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("authorization", a.as_str()));
    }
    let body = body.map(|b| b.to_string());
    request(
        app.addr,
        method,
        path,
        &headers,
        body.as_deref().map(str::as_bytes),
    )
    .await
}

/// The bootstrap admin's access token.
pub async fn admin_token(app: &TestApp) -> String {
    app.token(ADMIN_EMAIL, ADMIN_PASSWORD).await
}

/// A fresh widget session: its JSON (`token`, `customer_id`, …).
pub async fn widget_session(app: &TestApp) -> Value {
    app.post_json("/api/v1/widget/sessions", &serde_json::json!({}), None)
        .await
        .json()
}

/// A fresh widget session's customer token.
pub async fn widget_token(app: &TestApp) -> String {
    widget_session(app).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// The `action` of each entry of an audit page.
pub fn audit_actions(audit: &Value) -> Vec<&str> {
    audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect()
}

/// [`send`] with a token: most role checks send one.
pub async fn send_as(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: &str,
) -> Response {
    send(app, method, path, body, Some(token)).await
}

/// A page's `items`.
pub fn items(page: &Value) -> &[Value] {
    page["items"].as_array().expect("items")
}

/// The `seq` of each message, in order.
pub fn seqs(messages: &[Value]) -> Vec<i64> {
    messages
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect()
}

/// A widget conversation's messages, as its customer (`token`) reads them.
pub async fn widget_messages(app: &TestApp, conv: &str, token: &str) -> Response {
    let path = format!("/api/v1/widget/conversations/{conv}/messages");
    app.get(&path, Some(token)).await
}

/// Creates an active staff member straight in `store` (quicker than the
/// REST route), with `password`.
pub async fn insert_staff(
    store: &chat_store::SqlStore,
    email: &str,
    name: &str,
    password: &str,
    role: chat_domain::model::Role,
) -> chat_domain::model::User {
    let at = chat_domain::time::now();
    let user = chat_domain::model::User {
        id: chat_domain::ids::UserId::new(),
        email: email.to_owned(),
        display_name: name.into(),
        password_hash: chat_admin::auth::hash_password(password.into())
            .await
            .expect("hash"),
        role,
        active: true,
        times: chat_domain::time::Timestamps::new(at),
    };
    chat_domain::ports::UserRepository::create_user(store, &user)
        .await
        .expect("create user");
    user
}

/// A JSON body (as text) with a bearer token, to any node: for bodies a
/// test writes by hand.
pub async fn send_text(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
    token: &str,
) -> Response {
    let auth = format!("Bearer {token}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
    ];
    request(addr, method, path, &headers, Some(body.as_bytes())).await
}

/// A fresh data directory for a server (not created: the server makes it).
pub fn data_dir() -> PathBuf {
    std::env::temp_dir().join(format!("chat-app-{}", uuid::Uuid::now_v7().simple()))
}

/// A POST of raw `body` bytes with one `content-type`: for bodies a test
/// malforms on purpose.
pub async fn post_raw(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Response {
    request(
        addr,
        "POST",
        path,
        &[("content-type", content_type)],
        Some(body),
    )
    .await
}

/// A GET with one header.
pub async fn get_with(addr: SocketAddr, path: &str, header: (&str, &str)) -> Response {
    request(addr, "GET", path, &[header], None).await
}

/// The per-stage latency histograms of a message (docs/DEPLOYMENT.md).
pub const STAGES: [&str; 5] = [
    "message_queue_wait_seconds",
    "message_commit_duration_seconds",
    "message_publish_duration_seconds",
    "message_delivery_seconds",
    "message_ack_seconds",
];

/// How many samples the histogram `name` holds on the node at `addr`
/// (0 before its first), read from `/metrics`. Asserts that a histogram
/// that has samples has the stage buckets (sub-millisecond bounds).
pub async fn histogram_count(addr: SocketAddr, name: &str) -> u64 {
    let r = request(addr, "GET", "/metrics", &[], None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let prefix = format!("{name}_count ");
    let Some(count) = r.text.lines().find_map(|l| l.strip_prefix(prefix.as_str())) else {
        return 0;
    };
    let fine = format!("{name}_bucket{{le=\"0.0001\"}}");
    assert!(r.text.contains(&fine), "{fine} in {}", r.text);
    count.trim().parse().unwrap()
}
