//! The foundation's HTTP API through a real server: health, auth, RBAC, and
//! every bad input the foundation promises a clear JSON error for.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use chat_admin::auth::JwtKeys;
use chat_domain::auth::TokenVerifier as _;
use chat_domain::ids::{CustomerId, UserId};
use chat_domain::model::Role;
use chat_domain::ports::AuditRepository as _;
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, request};
use serde_json::json;

on_both_backends!(
    health_readiness_and_metrics,
    login_me_refresh_rotation_and_logout,
    refresh_reuse_revokes_the_family,
    malformed_and_oversize_bodies_get_json_errors,
    forged_expired_and_foreign_tokens_are_401,
    roles_are_enforced_on_the_server,
    login_flood_is_throttled_with_retry_after,
);

async fn health_readiness_and_metrics(app: &TestApp) {
    let r = app.get("/healthz", None).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("ok")));
    assert!(r.headers.contains_key("x-request-id"), "request id echoed");
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["checks"]["database"], "ok");
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("http_requests_total"), "{}", r.text);
    assert!(r.text.contains("db_pool_max_connections"));
    if app.store.backend() == "sqlite" {
        // The checkpointer's health: stopped checkpoints show here.
        for name in [
            "sqlite_checkpoint_passes_total",
            "sqlite_checkpoint_panics_total",
            "sqlite_wal_frames",
            // What the log restarts cost the appends.
            "sqlite_checkpoint_restarts_total",
            "sqlite_checkpoint_writer_held_seconds_total",
            "sqlite_checkpoint_flush_seconds_total",
        ] {
            assert!(r.text.contains(name), "{name} in {}", r.text);
        }
    }
    let r = app.get("/no/such/route", None).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    let r = app.get("/api/v1/auth/login", None).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (405, "method_not_allowed")
    );
}

async fn login_me_refresh_rotation_and_logout(app: &TestApp) {
    let login = app.login("  Admin@Example.com ", ADMIN_PASSWORD).await;
    assert_eq!(login["token_type"], "Bearer");
    assert_eq!(login["user"]["email"], ADMIN_EMAIL);
    assert_eq!(login["user"]["role"], "admin");
    assert!(
        login["user"].get("password_hash").is_none(),
        "hash never leaves the server"
    );
    assert!(login["user"]["created_at"].as_str().unwrap().ends_with('Z'));
    let access = login["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", Some(access)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["email"], ADMIN_EMAIL);

    // Refresh rotates: a new pair, and the new access token works.
    let r1 = login["refresh_token"].as_str().unwrap();
    let next = app.refresh(r1).await;
    assert_eq!(next.status, 200, "{}", next.text);
    let next = next.json();
    let r2 = next["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(
        app.get("/api/v1/me", next["access_token"].as_str())
            .await
            .status,
        200
    );

    // Logout revokes the family: the current refresh token is dead.
    let out = app
        .post_json("/api/v1/auth/logout", &json!({ "refresh_token": r2 }), None)
        .await;
    assert_eq!(out.status, 204);
    let after = app.refresh(r2).await;
    assert_eq!(
        (after.status, after.error_code().as_str()),
        (401, "unauthenticated")
    );
    // Logout is idempotent, and unknown tokens are not an oracle.
    let payload = json!({ "refresh_token": "rt_unknown" });
    let again = app.post_json("/api/v1/auth/logout", &payload, None).await;
    assert_eq!(again.status, 204);
    let unknown = app.refresh("rt_unknown").await;
    assert_eq!(unknown.status, 401);
}

async fn refresh_reuse_revokes_the_family(app: &TestApp) {
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r1 = login["refresh_token"].as_str().unwrap().to_owned();
    let next = app.refresh(&r1).await.json();
    let r2 = next["refresh_token"].as_str().unwrap().to_owned();
    // An attacker replays the stolen, already rotated r1 ...
    let replay = app.refresh(&r1).await;
    assert_eq!(replay.status, 401);
    assert!(replay.error_message().contains("already used"));
    // ... which kills the legitimate holder's r2 as well: the family is revoked.
    let legit = app.refresh(&r2).await;
    assert_eq!(legit.status, 401);
    // Another login (another family) is unaffected.
    let other = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let ok = app.refresh(other["refresh_token"].as_str().unwrap()).await;
    assert_eq!(ok.status, 200);
    // The reuse is in the audit log.
    let entries = app
        .store
        .list_audit(&chat_domain::model::AuditFilter {
            action: Some("auth.refresh_reuse".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
}

async fn malformed_and_oversize_bodies_get_json_errors(app: &TestApp) {
    // (what, headers, body, expected status, expected code)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "malformed",
            vec![("content-type", "application/json")],
            b"{\"email\":".to_vec(),
            400,
            "validation_failed",
        ),
        (
            "missing field",
            vec![("content-type", "application/json")],
            b"{\"email\":\"a@b\"}".to_vec(),
            400,
            "validation_failed",
        ),
        (
            "wrong type",
            vec![("content-type", "application/json")],
            b"[1,2]".to_vec(),
            400,
            "validation_failed",
        ),
        (
            "not JSON content type",
            vec![("content-type", "text/plain")],
            b"{}".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "oversize",
            vec![("content-type", "application/json")],
            vec![b' '; 10_000],
            413,
            "payload_too_large",
        ),
    ];
    for (what, headers, body, status, code) in cases {
        let r = request(
            app.addr,
            "POST",
            "/api/v1/auth/login",
            &headers,
            Some(&body),
        )
        .await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        assert_eq!(r.error_code(), code, "{what}");
    }
    let payload = json!({ "email": ADMIN_EMAIL, "password": "wrong password" });
    let wrong = app.post_json("/api/v1/auth/login", &payload, None).await;
    assert_eq!(
        (wrong.status, wrong.error_code().as_str()),
        (401, "unauthenticated")
    );
    let payload = json!({ "email": "nobody@example.com", "password": "wrong password" });
    let unknown = app.post_json("/api/v1/auth/login", &payload, None).await;
    assert_eq!(unknown.status, 401);
    assert_eq!(
        wrong.json()["error"]["message"],
        unknown.json()["error"]["message"],
        "no account oracle"
    );
    let bad_query = app
        .get(
            "/api/v1/audit?limit=lots",
            Some(&common::admin_token(app).await),
        )
        .await;
    assert_eq!(
        (bad_query.status, bad_query.error_code().as_str()),
        (400, "validation_failed")
    );
}

/// The signing secret the server under test uses (generated per data dir
/// in embedded mode, fixed in the MySQL configuration).
fn server_keys(app: &TestApp) -> JwtKeys {
    let secret = std::fs::read(app.data_dir.join("jwt_secret"))
        .unwrap_or_else(|_| common::JWT_SECRET.as_bytes().to_vec());
    JwtKeys::new(&secret).unwrap()
}

async fn forged_expired_and_foreign_tokens_are_401(app: &TestApp) {
    let keys = server_keys(app);
    let valid = common::admin_token(app).await;
    assert!(keys.verify(&valid).is_ok(), "harness uses the server's key");
    let admin_id: UserId = app.get("/api/v1/me", Some(&valid)).await.json()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let t = chrono::Utc::now().timestamp();
    let expired = keys
        .issue_access(admin_id, Role::Admin, t - 3600, 900)
        .unwrap();
    let foreign = JwtKeys::new(&[9u8; 32])
        .unwrap()
        .issue_access(admin_id, Role::Admin, t, 900)
        .unwrap();
    let parts: Vec<&str> = valid.split('.').collect();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none_header = b64.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    let payload = String::from_utf8(b64.decode(parts[1]).unwrap()).unwrap();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(payload.replace("admin", "agent")),
        parts[2]
    );
    for (what, token) in [
        ("expired", expired),
        ("foreign key", foreign),
        ("alg none", alg_none),
        ("tampered", tampered),
        ("garbage", "abc".into()),
    ] {
        let r = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "unauthenticated"),
            "{what}"
        );
        assert_eq!(
            r.headers.get("www-authenticate").map(String::as_str),
            Some("Bearer")
        );
    }
    let missing = app.get("/api/v1/me", None).await;
    assert_eq!(missing.status, 401);
    let basic = common::get_with(
        app.addr,
        "/api/v1/me",
        ("authorization", "Basic YWRtaW46YWRtaW4="),
    )
    .await;
    assert_eq!(basic.status, 401);
    // A customer token is authentic but not staff: 403 on staff routes.
    let customer = keys.issue_customer(CustomerId::new(), t, 900).unwrap();
    let r = app.get("/api/v1/me", Some(&customer)).await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
}

async fn staff(app: &TestApp, role: Role) -> String {
    common::create_staff(app, role).await.1
}

async fn roles_are_enforced_on_the_server(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let supervisor = staff(app, Role::Supervisor).await;
    let agent = staff(app, Role::Agent).await;
    // /me: any staff role.
    for token in [&admin, &supervisor, &agent] {
        assert_eq!(app.get("/api/v1/me", Some(token)).await.status, 200);
    }
    // /audit: admins only.
    let r = app
        .get("/api/v1/audit?action=auth.login&limit=2", Some(&admin))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = r.json();
    assert_eq!(common::items(&page).len(), 2);
    assert!(page["next_before"].is_string(), "a full page has a cursor");
    let uri = format!(
        "/api/v1/audit?action=auth.login&limit=2&before={}",
        page["next_before"].as_str().unwrap()
    );
    let older = app.get(&uri, Some(&admin)).await.json();
    assert!(older["items"][0]["id"].as_str() < page["items"][1]["id"].as_str());
    for (who, token) in [("supervisor", &supervisor), ("agent", &agent)] {
        let r = app.get("/api/v1/audit", Some(token)).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (403, "forbidden"),
            "{who}"
        );
    }
    assert_eq!(app.get("/api/v1/audit", None).await.status, 401);
}

async fn login_flood_is_throttled_with_retry_after(app: &TestApp) {
    for i in 0..5 {
        let payload = json!({ "email": ADMIN_EMAIL, "password": format!("guess {i}") });
        let r = app.post_json("/api/v1/auth/login", &payload, None).await;
        assert_eq!(r.status, 401, "attempt {i}");
    }
    let payload = json!({ "email": ADMIN_EMAIL, "password": "guess 6" });
    let r = app.post_json("/api/v1/auth/login", &payload, None).await;
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    let retry: u64 = r
        .headers
        .get("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    // Even the right password waits: that is the point.
    let payload = json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD });
    let r = app.post_json("/api/v1/auth/login", &payload, None).await;
    assert_eq!(r.status, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_stops_the_start() {
    // Unreachable Redis at start: a clear start-up error, not a node that
    // silently cannot reach the others.
    let db = chat_store::testing::TestDb::sqlite().await;
    let dir = common::data_dir();
    let vars: std::collections::HashMap<String, String> = [
        ("DATABASE_URL", db.url.as_str()),
        ("CHAT_DATA_DIR", dir.to_str().unwrap()),
        ("CHAT_LISTEN", "127.0.0.1:0"),
        ("REDIS_URL", "redis://127.0.0.1:1"),
        ("CHAT_DB_CONNECT_TIMEOUT_SECS", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let config = chat_server::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let started = std::time::Instant::now();
    let err = chat_server::Application::build(config)
        .await
        .err()
        .expect("refused");
    // At once, and the final message carries the cause.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let err = format!("{err:#}");
    assert!(
        err.contains("REDIS_URL") && err.contains("refused"),
        "{err}"
    );
}

/// A real Redis: ready, and the check is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis (CHAT_TEST_REDIS_URL)"]
async fn redis_is_checked_by_readiness() {
    let url = chat_store::testing::service_url("CHAT_TEST_REDIS_URL");
    let db = chat_store::testing::TestDb::sqlite().await;
    let dir = common::data_dir();
    let app = TestApp::spawn_on(db, dir, &[("REDIS_URL", &url)]).await;
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["checks"]["redis"], "ok");
}
