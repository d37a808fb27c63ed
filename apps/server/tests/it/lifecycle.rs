//! The server as a process and across restarts: start-up errors, graceful
//! stop, data that survives a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chat_store::testing::TestDb;
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_chat-server");

/// The server with only `vars` (and `PATH`) in its environment.
fn server(vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied());
    cmd
}

/// Starts `cmd` (its output discarded) and waits until it answers
/// `/readyz` on `port`.
fn start_ready(cmd: &mut Command, port: u16) -> Child {
    let child = cmd.stdout(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while blocking_get(port, "/readyz") != 200 {
        assert!(Instant::now() < deadline, "server not ready in 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn run_with(vars: &[(&str, &str)]) -> std::process::Output {
    server(vars).output().expect("run chat-server")
}

#[test]
fn invalid_configuration_exits_2_naming_the_variable() {
    for (vars, var) in [
        (
            vec![("DATABASE_URL", "postgres://localhost/chat")],
            "DATABASE_URL",
        ),
        (vec![("CHAT_LISTEN", "not-an-address")], "CHAT_LISTEN"),
        (
            vec![("DATABASE_URL", "mysql://root@127.0.0.1/chat")],
            "CHAT_JWT_SECRET",
        ),
    ] {
        let out = run_with(&vars);
        assert_eq!(out.status.code(), Some(2), "{vars:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{var} not named in: {stderr}");
    }
}

#[test]
fn unreachable_database_is_a_clear_start_up_error() {
    let started = Instant::now();
    let out = run_with(&[
        ("DATABASE_URL", "mysql://root:hunter2@127.0.0.1:1/chat"),
        ("CHAT_JWT_SECRET", common::JWT_SECRET),
        ("CHAT_DATA_KEYS", chat_store::testing::TEST_DATA_KEYS),
        (
            "CHAT_DATA_HASH_KEY",
            chat_store::testing::TEST_DATA_HASH_KEY,
        ),
        ("CHAT_DB_CONNECT_TIMEOUT_SECS", "2"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot connect to the mysql database"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "password leaked: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn sigterm_stops_gracefully_and_data_survives() {
    let dir = std::env::temp_dir().join(format!("chat-proc-{}", uuid::Uuid::now_v7().simple()));
    let db = format!("sqlite://{}", dir.join("chat.db").display());
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let vars = [
        ("DATABASE_URL", db.as_str()),
        ("CHAT_DATA_DIR", dir.to_str().unwrap()),
        ("CHAT_LISTEN", listen.as_str()),
        ("CHAT_LOG_FORMAT", "json"),
    ];
    // First start: the generated admin password is logged once.
    let (stderr, status) = run_until_ready_then_term(&vars, port);
    assert_eq!(status, Some(0), "graceful stop exits 0: {stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("generated password"))
        .expect("password logged");
    let entry: serde_json::Value = serde_json::from_str(line).expect("JSON log line");
    assert_eq!(entry["email"], "admin@localhost");
    let password = entry["password"].as_str().unwrap().to_owned();
    assert!(stderr.contains("\"ready_ms\""));
    // Second start: no new admin, the old password still works.
    let (stderr2, _) = run_until_ready_then_term_with(&vars, port, |port| {
        let body =
            serde_json::json!({ "email": "admin@localhost", "password": password }).to_string();
        let status = blocking_post(port, "/api/v1/auth/login", &body);
        assert_eq!(status, 200, "login after restart");
    });
    assert!(
        !stderr2.contains("created the first admin") && !stderr2.contains(&password),
        "bootstrap ran twice: {stderr2}"
    );
    assert!(
        stderr2.contains("still has the generated password"),
        "the reminder: {stderr2}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_sockets_with_1001_then_exits() {
    let dir = std::env::temp_dir().join(format!("chat-proc-{}", uuid::Uuid::now_v7().simple()));
    let port = free_port();
    let database = format!("sqlite://{}", dir.join("chat.db").display());
    let listen = format!("127.0.0.1:{port}");
    let mut server = server(&[
        ("DATABASE_URL", &database),
        ("CHAT_LISTEN", &listen),
        ("CHAT_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("CHAT_SHUTDOWN_TIMEOUT_SECS", "30"),
    ]);
    server.env("CHAT_DATA_DIR", &dir).stderr(Stdio::null());
    let mut child = start_ready(&mut server, port);
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let session =
        common::post_raw(addr, "/api/v1/widget/sessions", "application/json", b"{}").await;
    let token = session.json()["token"].as_str().unwrap().to_owned();
    let (mut ws, _) = common::ws::Ws::hello(addr, &token, serde_json::json!([])).await;
    let stopping = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    // The socket is told to go (and resume elsewhere) at once…
    assert!(matches!(
        ws.ended().await,
        common::ws::Ended::Closed(Some(1001), _)
    ));
    // …so the drain does not wait out the 30-second timeout for it.
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success());
    assert!(
        stopping.elapsed() < Duration::from_secs(10),
        "{:?}",
        stopping.elapsed()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_users_and_tokens() {
    let app = TestApp::spawn(common::Backend::Sqlite).await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let access = login["access_token"].as_str().unwrap().to_owned();
    let refresh = login["refresh_token"].as_str().unwrap().to_owned();
    let (db, data_dir): (TestDb, _) = app.stop().await;
    let app = TestApp::spawn_on(db, data_dir, &[]).await;
    // Same signing secret (kept in the data dir) and same refresh tokens.
    assert_eq!(app.get("/api/v1/me", Some(&access)).await.status, 200);
    let r = app
        .post_json(
            "/api/v1/auth/refresh",
            &serde_json::json!({ "refresh_token": refresh }),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run_until_ready_then_term(vars: &[(&str, &str)], port: u16) -> (String, Option<i32>) {
    run_until_ready_then_term_with(vars, port, |_| {})
}

fn run_until_ready_then_term_with(
    vars: &[(&str, &str)],
    port: u16,
    check: impl FnOnce(u16),
) -> (String, Option<i32>) {
    let child = start_ready(server(vars).stderr(Stdio::piped()), port);
    check(port);
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn blocking_get(port: u16, path: &str) -> u16 {
    blocking(
        port,
        &format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"),
    )
}

fn blocking_post(port: u16, path: &str, body: &str) -> u16 {
    blocking(
        port,
        &format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn blocking(port: u16, raw: &str) -> u16 {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return 0;
    };
    if s.write_all(raw.as_bytes()).is_err() {
        return 0;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
