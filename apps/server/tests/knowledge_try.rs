//! `POST /api/v1/knowledge/try` through the real server: which passages the
//! assistant's index retrieves for a question, who may ask, bad input, and
//! the answer when the assistant is off.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::time::Duration;

use chat_domain::model::Role;
use chat_store::testing::TestDb;
use common::{TestApp, create_staff, request};
use serde_json::{Value, json};

async fn with_assistant(db: TestDb) -> TestApp {
    let dir = std::env::temp_dir().join(format!("chat-app-{}", uuid::Uuid::now_v7().simple()));
    TestApp::spawn_on(
        db,
        dir,
        &[
            ("CHAT_AI_PROVIDER", "offline"),
            ("CHAT_AI_DEMO_KB", "true"),
            ("CHAT_AI_INDEX_REFRESH_SECS", "1"),
        ],
    )
    .await
}

async fn ask(app: &TestApp, body: &str, token: Option<&str>) -> common::Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("authorization", a.as_str()));
    }
    request(
        app.addr,
        "POST",
        "/api/v1/knowledge/try",
        &headers,
        Some(body.as_bytes()),
    )
    .await
}

/// Waits for the index to have been built from the demo FAQ.
async fn answered(app: &TestApp, token: &str, question: &str) -> Value {
    for _ in 0..50 {
        let r = ask(
            app,
            &json!({ "question": question }).to_string(),
            Some(token),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        if v["answered"] == json!(true) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the index never answered {question:?}");
}

async fn retrieves_passages_for_supervisors(app: &TestApp) {
    let (_, sup) = create_staff(app, Role::Supervisor).await;
    let v = answered(app, &sup, "  how do I reset my password?  ").await;
    assert_eq!(v["question"], "how do I reset my password?", "trimmed");
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5, "{v}");
    assert_eq!(hits[0]["title"], "Resetting your password");
    assert!(
        hits[0]["passage"]
            .as_str()
            .unwrap()
            .contains("Forgot password")
    );
    assert!(hits[0]["doc_id"].is_string());
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    assert!(
        v["reply"]
            .as_str()
            .unwrap()
            .contains("(Source: Resetting your password)")
    );
    // Chinese too.
    let zh = answered(app, &sup, "怎么查物流？").await;
    assert!(zh["reply"].as_str().unwrap().contains("来源"), "{zh}");
    // Something the FAQ does not cover: no answer, the assistant offers a person.
    let r = ask(app, r#"{"question":"qwxz zzyv"}"#, Some(&sup)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["answered"], false);
}

async fn only_supervisors_and_admins_with_valid_input(app: &TestApp) {
    let (_, agent) = create_staff(app, Role::Agent).await;
    let (_, admin) = create_staff(app, Role::Admin).await;
    let body = r#"{"question":"password"}"#;
    assert_eq!(ask(app, body, None).await.status, 401);
    let r = ask(app, body, Some(&agent)).await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
    let customer = app
        .post_json("/api/v1/widget/sessions", &json!({}), None)
        .await
        .json();
    let r = ask(app, body, customer["token"].as_str()).await;
    assert_eq!(r.status, 403);
    assert_eq!(ask(app, body, Some(&admin)).await.status, 200);

    for (bad, field) in [
        (r#"{"question":"   "}"#, Some("question")),
        (
            &*json!({ "question": "x".repeat(1001) }).to_string(),
            Some("question"),
        ),
        (r#"{"question":"a","k":3}"#, None),
        (r#"{"question":"#, None),
        ("{}", None),
    ] {
        let r = ask(app, bad, Some(&admin)).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(r.error_code(), "validation_failed", "{bad}");
        if let Some(f) = field {
            assert_eq!(r.json()["error"]["field"], f, "{bad}");
        }
    }
    let r = request(app.addr, "GET", "/api/v1/knowledge/try", &[], None).await;
    assert_eq!(r.status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_retrieves_passages_for_supervisors() {
    let app = with_assistant(TestDb::sqlite().await).await;
    retrieves_passages_for_supervisors(&app).await;
    only_supervisors_and_admins_with_valid_input(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_retrieves_passages_for_supervisors() {
    let Some(db) = TestDb::mysql().await else {
        return;
    };
    let app = with_assistant(db).await;
    retrieves_passages_for_supervisors(&app).await;
    only_supervisors_and_admins_with_valid_input(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_assistant_the_answer_is_a_conflict() {
    // The harness's default: CHAT_AI_PROVIDER=none.
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let (_, sup) = create_staff(&app, Role::Supervisor).await;
    let r = ask(&app, r#"{"question":"password"}"#, Some(&sup)).await;
    assert_eq!((r.status, r.error_code().as_str()), (409, "conflict"));
    app.stop().await;
}
