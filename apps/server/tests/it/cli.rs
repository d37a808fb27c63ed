//! The command line, through the built binary, each run in a fresh working
//! directory with a clean environment: what an operator types.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_chat-server");

/// A scratch working directory, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("chat-cli-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// The binary with `args`, in this directory, with only PATH inherited.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(&self.0)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let mut c = self.command(args);
        c.envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if stdin.is_some() {
            c.stdin(Stdio::piped());
        }
        let mut child = c.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// Entries of the working directory (what a command left behind).
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_and_version_print_and_create_nothing() {
    let dir = Scratch::new();
    for args in [
        &["--help"][..],
        &["help"],
        &["admin", "--help"],
        &["serve", "--help"],
    ] {
        let out = dir.run(args, &[], None);
        assert!(out.status.success(), "{args:?}: {out:?}");
        let stdout = text(&out.stdout);
        assert!(stdout.contains("Usage: chat-server"), "{args:?}: {stdout}");
    }
    let help = text(&dir.run(&["--help"], &[], None).stdout);
    for command in [
        "serve",
        "openapi",
        "migrate",
        "admin",
        "check-config",
        "import",
    ] {
        assert!(help.contains(command), "{command} missing from {help}");
    }
    let out = dir.run(&["--version"], &[], None);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("chat-server {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(dir.entries().is_empty(), "left {:?}", dir.entries());
}

#[test]
fn unknown_arguments_are_usage_errors() {
    let dir = Scratch::new();
    for args in [
        &["--bogus"][..],
        &["serv"],
        &["admin", "create"],
        &["admin", "frobnicate"],
    ] {
        let out = dir.run(args, &[], None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("Usage:"), "{args:?}: {stderr}");
    }
    assert!(dir.entries().is_empty(), "left {:?}", dir.entries());
}

#[test]
fn openapi_prints_the_document() {
    let dir = Scratch::new();
    let out = dir.run(&["openapi"], &[], None);
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(dir.entries().is_empty());
}

#[test]
fn migrate_creates_the_database_and_exits() {
    let dir = Scratch::new();
    let out = dir.run(&["migrate"], &[], None);
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stdout).contains("migrations applied (sqlite)"));
    assert!(dir.path("data/chat.db").exists());
    // CHAT_DATA_DIR moves the default database with it.
    let out = dir.run(&["migrate"], &[("CHAT_DATA_DIR", "state")], None);
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path("state/chat.db").exists());
    // Twice is fine: nothing pending.
    assert!(dir.run(&["migrate"], &[], None).status.success());
}

#[test]
fn check_config_redacts_secrets_and_names_typos() {
    let dir = Scratch::new();
    let secret = "a-jwt-secret-that-is-long-enough-0123456789";
    let out = dir.run(
        &["check-config"],
        &[
            ("CHAT_JWT_SECRET", secret),
            ("CHAT_LISTEN", "localhost:9999"),
            ("CHAT_LISTN", "0.0.0.0:1"),
        ],
        None,
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(!stdout.contains(secret), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("CHAT_JWT_SECRET")
            && l.contains("environment")
            && l.ends_with("***")),
        "{stdout}"
    );
    assert!(
        stdout.contains("listen 127.0.0.1:9999"),
        "host names resolve: {stdout}"
    );
    assert!(
        stdout.contains("unknown variable CHAT_LISTN is ignored (did you mean CHAT_LISTEN?)"),
        "{stdout}"
    );
    assert!(stdout.contains("configuration is valid"));
    assert!(dir.entries().is_empty(), "check-config creates nothing");

    let out = dir.run(&["check-config"], &[("CHAT_LOG_FORMAT", "xml")], None);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("CHAT_LOG_FORMAT: `xml` is not json or pretty"),
        "{stderr}"
    );
}

#[test]
fn admin_create_list_and_reset_password() {
    let dir = Scratch::new();
    let create = |email: &str, pw: &str| {
        dir.run(
            &[
                "admin",
                "create",
                email,
                "--password-stdin",
                "--name",
                "Ops",
            ],
            &[],
            Some(&format!("{pw}\n")),
        )
    };
    let out = create("Ops@Example.com", "first password");
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stdout).contains("created admin ops@example.com"));
    let out = create("ops@example.com", "first password");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("exists already"), "{out:?}");
    let out = create("other@example.com", "short");
    assert!(
        text(&out.stderr).contains("at least 8 characters"),
        "{out:?}"
    );
    // No terminal and no --password-stdin: a clear refusal, not a hang.
    let out = dir.run(&["admin", "create", "tty@example.com"], &[], None);
    assert!(text(&out.stderr).contains("--password-stdin"), "{out:?}");

    let out = dir.run(&["admin", "list"], &[], None);
    assert!(out.status.success(), "{out:?}");
    let list = text(&out.stdout);
    assert!(
        list.lines()
            .any(|l| l.starts_with("ops@example.com\tadmin\tyes")),
        "{list}"
    );
    assert_eq!(list.lines().count(), 2, "header and one account: {list}");

    let out = dir.run(
        &[
            "admin",
            "reset-password",
            "ops@example.com",
            "--password-stdin",
        ],
        &[],
        Some("second password\n"),
    );
    assert!(out.status.success(), "{out:?}");
    let out = dir.run(
        &[
            "admin",
            "reset-password",
            "nobody@example.com",
            "--password-stdin",
        ],
        &[],
        Some("second password\n"),
    );
    assert!(
        text(&out.stderr).contains("no user nobody@example.com"),
        "{out:?}"
    );

    // The server (no first admin generated: one exists) takes the new password.
    let server = Server::start(&dir, &[]);
    login(server.addr, "ops@example.com", "second password", 200);
    login(server.addr, "ops@example.com", "first password", 401);
    assert!(!dir.path("data/initial_admin_password").exists());
}

#[test]
fn first_admin_password_is_kept_in_a_file_until_changed() {
    let dir = Scratch::new();
    let server = Server::start(&dir, &[]);
    let file = dir.path("data/initial_admin_password");
    let password = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(server.log().contains(&password), "logged once");
    let server = server.restart(&dir);
    assert!(
        server.log().contains("still has the generated password"),
        "{}",
        server.log()
    );
    assert!(!server.log().contains(&password), "not logged again");
    let token = login(server.addr, "admin@localhost", &password, 200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let body =
        json!({ "current_password": password, "new_password": "a new admin password" }).to_string();
    let bearer = format!("Bearer {token}");
    let r = block_on(common::request(
        server.addr,
        "POST",
        "/api/v1/me/password",
        &[
            ("content-type", "application/json"),
            ("authorization", &bearer),
        ],
        Some(body.as_bytes()),
    ));
    assert!(r.status < 300, "{r:?}");
    assert!(!file.exists(), "deleted with the change");
    let server = server.restart(&dir);
    assert!(!server.log().contains("still has the generated password"));
}

#[test]
fn reset_password_recovers_the_first_admin_and_removes_the_file() {
    let dir = Scratch::new();
    drop(Server::start(&dir, &[]));
    let file = dir.path("data/initial_admin_password");
    assert!(file.exists());
    let out = dir.run(
        &[
            "admin",
            "reset-password",
            "admin@localhost",
            "--password-stdin",
        ],
        &[],
        Some("recovered password\n"),
    );
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stdout).contains("deleted"), "{out:?}");
    assert!(!file.exists());
}

#[test]
fn a_taken_port_creates_nothing() {
    let dir = Scratch::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = dir.run(
        &[],
        &[("CHAT_LISTEN", &addr), ("CHAT_LOG_FORMAT", "json")],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = text(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("start-up failed"))
        .collect();
    assert_eq!(errors.len(), 1, "one line for the failure: {stderr}");
    assert!(
        errors[0].contains(&format!("binding CHAT_LISTEN={addr}")),
        "{stderr}"
    );
    assert!(
        errors[0].contains("in use"),
        "the cause is in the line: {stderr}"
    );
    assert!(dir.entries().is_empty(), "left {:?}", dir.entries());
}

#[test]
fn serve_logs_plainly_and_answers_healthcheck() {
    let dir = Scratch::new();
    let server = Server::start(&dir, &[("CHAT_LISTN", "typo")]);
    let log = server.log();
    assert!(log.contains("listening"), "{log}");
    assert!(!log.contains('\u{1b}'), "escape codes in {log}");
    assert!(log.contains("did you mean CHAT_LISTEN?"), "{log}");
    assert!(
        log.contains(&dir.path("data").display().to_string()),
        "absolute data dir: {log}"
    );
    let listen = server.addr.to_string();
    let out = dir.run(&["healthcheck"], &[("CHAT_LISTEN", &listen)], None);
    assert!(out.status.success(), "{out:?}");
    drop(server);
    let out = dir.run(&["healthcheck"], &[("CHAT_LISTEN", &listen)], None);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn import_reads_a_folder() {
    let dir = Scratch::new();
    let export = dir.path("export");
    std::fs::create_dir_all(&export).unwrap();
    std::fs::write(
        export.join("users.jsonl"),
        format!(
            "{}\n",
            json!({ "id": "7", "email": "old@example.com", "name": "Old Agent",
                    "password_hash": "$2b$04$0123456789012345678901uA9D6lA8uXQGU3LKv5CH7pcO5Gf2V3K",
                    "role": "agent", "created_at": "2024-01-02 03:04:05" })
        ),
    )
    .unwrap();
    let out = dir.run(&["import", "--dir", "export"], &[], None);
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stdout).contains("users: 1 imported, 0 skipped"),
        "{out:?}"
    );
    let out = dir.run(&["import", "--dir", "export"], &[], None);
    assert!(
        text(&out.stdout).contains("users: 0 imported, 1 skipped"),
        "{out:?}"
    );
    let out = dir.run(&["import", "--dir", "missing"], &[], None);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

/// A server process on a free port of this machine.
struct Server {
    child: Option<Child>,
    addr: SocketAddr,
    log_path: PathBuf,
    env: Vec<(String, String)>,
}

impl Server {
    fn start(dir: &Scratch, env: &[(&str, &str)]) -> Self {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::spawn(dir, env)
    }

    fn spawn(dir: &Scratch, env: Vec<(String, String)>) -> Self {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let log_path = dir.path(&format!("server-{}.log", addr.port()));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = dir
            .command(&["serve"])
            .env("CHAT_LISTEN", addr.to_string())
            .env("CHAT_AI_PROVIDER", "none")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Self {
            child: Some(child),
            addr,
            log_path,
            env,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.log().contains("listening") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not start: {}", self.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn restart(mut self, dir: &Scratch) -> Self {
        self.stop();
        Self::spawn(dir, std::mem::take(&mut self.env))
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM through kill(1): a graceful stop, as in production.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn login(addr: SocketAddr, email: &str, password: &str, status: u16) -> serde_json::Value {
    let body = json!({ "email": email, "password": password }).to_string();
    let r = block_on(common::post_raw(
        addr,
        "/api/v1/auth/login",
        "application/json",
        body.as_bytes(),
    ));
    assert_eq!(r.status, status, "{r:?}");
    if status == 200 { r.json() } else { json!(null) }
}
