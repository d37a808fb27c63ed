//! Knowledge base administration through the real server, and the assistant
//! answering from an edited knowledge base without a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::time::Duration;

use chat_domain::model::Role;
use common::ws::Ws;
use common::{TestApp, create_staff};
use serde_json::json;

use common::send_as as send;

/// Adds a knowledge document as `token`, which succeeds.
async fn add_doc(app: &TestApp, token: &str, title: &str, body: &str) {
    let doc = json!({ "title": title, "body": body });
    let r = send(app, "POST", "/api/v1/knowledge", Some(doc), token).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_edit_the_knowledge_base_and_the_assistant_follows() {
    let db = chat_store::testing::TestDb::sqlite().await;
    let dir = common::data_dir();
    let app = TestApp::spawn_on(
        db,
        dir,
        &[
            ("CHAT_AI_PROVIDER", "offline"),
            ("CHAT_AI_DEMO_KB", "false"),
            ("CHAT_AI_INDEX_REFRESH_SECS", "1"),
            ("CHAT_AI_DELTA_DELAY_MS", "0"),
        ],
    )
    .await;
    let (_, sup) = create_staff(&app, Role::Supervisor).await;
    let (_, agent) = create_staff(&app, Role::Agent).await;

    // Agents may not edit.
    let doc = json!({ "title": "Opening hours", "body": "Our support team answers from 9:00 to 21:00 every day, including weekends.", "tags": ["support"] });
    assert_eq!(
        send(&app, "POST", "/api/v1/knowledge", Some(doc.clone()), &agent)
            .await
            .status,
        403
    );
    assert_eq!(
        send(&app, "GET", "/api/v1/knowledge", None, &agent)
            .await
            .status,
        403
    );
    // Supervisors may.
    let created = send(&app, "POST", "/api/v1/knowledge", Some(doc), &sup).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.id();
    let payload = json!({ "title": "", "body": "x" });
    let bad = send(&app, "POST", "/api/v1/knowledge", Some(payload), &sup).await;
    assert_eq!(
        (bad.status, bad.json()["error"]["field"].as_str()),
        (400, Some("title"))
    );

    // The assistant answers from it without a restart.
    let session = common::widget_session(&app).await;
    let (mut ws, _) = Ws::hello(app.addr, session["token"].as_str().unwrap(), json!([])).await;
    let ask = async |ws: &mut Ws, q: &str| -> String {
        let conv = ws.open(json!({ "type": "open" })).await;
        ws.send(
            json!({ "type": "send", "conversation_id": conv, "client_msg_id": "q", "body": q }),
        )
        .await;
        loop {
            let f = ws.next_of("message").await;
            if f["message"]["sender_kind"] == "bot" {
                return f["message"]["body"].as_str().unwrap().to_owned();
            }
        }
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let answer = ask(&mut ws, "what are your support opening hours?").await;
    assert!(answer.contains("9:00 to 21:00"), "{answer}");

    // Edit it: the next answer says the new thing.
    let updated = send(&app, "PUT", &format!("/api/v1/knowledge/{id}"), Some(json!({ "title": "Opening hours", "body": "Our support team answers from 8:00 to 22:00 every day.", "tags": [] })), &sup).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let answer = ask(&mut ws, "what are your support opening hours?").await;
    assert!(answer.contains("8:00 to 22:00"), "{answer}");

    // Import: CSV, Markdown and JSON; all or nothing.
    let import = "/api/v1/knowledge/import";
    let csv =
        "question,answer\n\"Do you ship to Macau?\",\"Yes, Macau orders arrive in 3 to 5 days.\"\n";
    let payload = json!({ "format": "csv", "content": csv, "tags": ["shipping"] });
    let r = send(&app, "POST", import, Some(payload), &sup).await;
    assert_eq!(
        (r.status, r.json()["imported"].as_u64()),
        (201, Some(1)),
        "{}",
        r.text
    );
    let md = "# Gift cards\nGift cards never expire.\n\n# Student discount\nStudents get 5% off with a valid ID.\n";
    let payload = json!({ "format": "markdown", "content": md });
    let r = send(&app, "POST", import, Some(payload), &sup).await;
    assert_eq!(r.json()["imported"], 2);
    let r = send(&app, "POST", "/api/v1/knowledge/import", Some(json!({ "format": "json", "content": "[{\"question\":\"ok\",\"answer\":\"fine\"},{\"question\":\"\",\"answer\":\"empty title\"}]" })), &sup).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("content"))
    );
    let all = send(&app, "GET", "/api/v1/knowledge?limit=50", None, &sup)
        .await
        .json();
    assert_eq!(
        common::items(&all).len(),
        4,
        "the failed import stored nothing"
    );

    // Disable, then delete.
    let uri = format!("/api/v1/knowledge/{id}");
    let payload = json!({ "title": "Opening hours", "body": "x y z", "enabled": false });
    let r = send(&app, "PUT", &uri, Some(payload), &sup).await;
    assert_eq!(r.json()["enabled"], false);
    let doc = format!("/api/v1/knowledge/{id}");
    assert_eq!(send(&app, "DELETE", &doc, None, &sup).await.status, 204);
    assert_eq!(send(&app, "DELETE", &doc, None, &sup).await.status, 404);
    assert_eq!(send(&app, "GET", &doc, None, &sup).await.status, 404);
}

/// "Try a question": the passages retrieval finds, whether the assistant
/// would answer, and a re-index that takes a new document at once (here with
/// the assistant off: the index is loaded on the first question).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_try_questions_and_reindex() {
    let app = TestApp::spawn(common::Backend::Sqlite).await;
    let (_, sup) = create_staff(&app, Role::Supervisor).await;
    let refunds =
        "Refunds are paid back to the original card within 7 days after we receive the parcel.";
    add_doc(&app, &sup, "Refunds", refunds).await;

    let uri = "/api/v1/knowledge/search?q=when%20do%20I%20get%20my%20refund";
    let r = send(&app, "GET", uri, None, &sup).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items[0]["title"], "Refunds", "{items:?}");
    assert!(items[0]["score"].as_f64().unwrap() > 0.0);
    assert_eq!(items[0]["answers"], true);
    let uri = "/api/v1/knowledge/search?q=tell%20me%20a%20joke";
    let none = send(&app, "GET", uri, None, &sup).await;
    assert!(
        none.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["answers"] == false),
        "{}",
        none.text
    );

    // A new document is found after a re-index.
    let opening = "Our support team answers from 9:00 to 21:00 every day.";
    add_doc(&app, &sup, "Opening hours", opening).await;
    let r = send(&app, "POST", "/api/v1/knowledge/reindex", None, &sup).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["passages"].as_u64().unwrap() >= 2);
    let hours = send(
        &app,
        "GET",
        "/api/v1/knowledge/search?q=opening%20hours&k=1",
        None,
        &sup,
    )
    .await
    .json();
    assert_eq!(common::items(&hours).len(), 1);
    assert_eq!(hours["items"][0]["title"], "Opening hours");
    let audit = send(
        &app,
        "GET",
        "/api/v1/audit?action=knowledge.reindex",
        None,
        &common::admin_token(&app).await,
    )
    .await
    .json();
    assert_eq!(common::items(&audit).len(), 1, "{audit}");

    for (path, field) in [
        ("/api/v1/knowledge/search", "q"),
        ("/api/v1/knowledge/search?q=", "q"),
        ("/api/v1/knowledge/search?q=x&k=0", "limit"),
        ("/api/v1/knowledge/search?q=x&k=21", "limit"),
    ] {
        let r = send(&app, "GET", path, None, &sup).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        if field != "q" || !r.text.contains("query") {
            assert_eq!(r.json()["error"]["field"], field, "{path}: {}", r.text);
        }
    }
}
