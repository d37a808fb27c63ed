//! `chat-server import`: a generated export of the Node services (staff
//! with bcrypt hashes, 1,000 customers, 500 conversations, 5,000 messages,
//! knowledge documents) imported twice (the second run skips everything),
//! then an imported agent logs in with the old password, which is upgraded
//! to argon2id.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chat_domain::model::{HistoryQuery, SenderKind};
use chat_domain::ports::{
    ConversationRepository as _, CustomerRepository as _, UserRepository as _,
};
use chat_server::import::{Counts, Tally, import_dir};
use chat_store::testing::TestDb;
use common::TestApp;
use serde_json::json;

const CUSTOMERS: usize = 1000;
const CONVERSATIONS: usize = 500;
const PER_CONVERSATION: usize = 10;

/// Writes the sample export; returns its folder.
fn sample() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chat-import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    // Cost 4 keeps the test fast; the three prefixes old libraries write.
    let hash = |pw: &str, prefix: &str| format!("{prefix}{}", &bcrypt::hash(pw, 4).unwrap()[4..]);
    let users = [
        json!({ "id": 1, "email": "Boss@Example.com", "name": "Boss", "role": "admin",
                "password_hash": hash("boss old password", "$2y$"), "created_at": "2023-05-01 08:00:00" }),
        json!({ "id": 2, "email": "ann@example.com", "name": "Ann", "role": "agent",
                "password_hash": hash("ann old password", "$2b$"), "created_at": "2023-05-02 08:00:00" }),
        json!({ "id": "3", "email": "sue@example.com", "name": "Sue", "role": "supervisor",
                "password_hash": hash("sue old password", "$2a$"), "active": false,
                "created_at": "2023-05-03T08:00:00Z" }),
    ];
    write(&dir, "users.jsonl", users.iter());
    let customers = (0..CUSTOMERS).map(|i| {
        json!({ "id": i + 1, "name": format!("Customer {i}"), "email": format!("c{i}@example.com"),
                "phone": format!("+86 138 0000 {i:04}"), "notes": if i % 7 == 0 { json!("VIP") } else { json!(null) },
                "tags": ["imported"], "created_at": format!("2024-01-{:02} 10:00:00", i % 28 + 1) })
    });
    write(&dir, "customers.jsonl", customers);
    let conversations = (0..CONVERSATIONS).map(|i| {
        json!({ "id": 1000 + i, "customer_id": i * 2 + 1, "agent_id": 2,
                "rating": if i % 3 == 0 { json!(5) } else { json!(null) },
                "created_at": format!("2024-02-{:02} 09:00:00", i % 28 + 1),
                "closed_at": if i % 2 == 0 { json!(format!("2024-02-{:02} 12:00:00", i % 28 + 1)) } else { json!(null) } })
    });
    write(&dir, "conversations.jsonl", conversations);
    // Written newest first: the import must order by time, not by line.
    let messages = (0..CONVERSATIONS).flat_map(|c| {
        (0..PER_CONVERSATION).rev().map(move |m| {
            let agent = m % 2 == 1;
            json!({ "id": c * 100 + m, "conversation_id": 1000 + c,
                    "sender": if agent { "agent" } else { "customer" },
                    "agent_id": if agent { json!(2) } else { json!(null) },
                    "body": format!("message {m} of {c}"),
                    "created_at": format!("2024-02-{:02} 09:{:02}:00.123456", c % 28 + 1, m + 1) })
        })
    });
    write(&dir, "messages.jsonl", messages);
    let docs = (0..5).map(|i| {
        json!({ "id": i, "title": format!("退货政策 {i}"), "body": "七天无理由退货。", "tags": ["faq"],
                "created_at": "2023-12-01 00:00:00" })
    });
    write(&dir, "knowledge.jsonl", docs);
    dir
}

fn write(
    dir: &Path,
    name: &str,
    rows: impl Iterator<Item = impl std::borrow::Borrow<serde_json::Value>>,
) {
    let mut text = String::new();
    for r in rows {
        writeln!(text, "{}", r.borrow()).unwrap();
    }
    std::fs::write(dir.join(name), text).unwrap();
}

fn all(imported: u64) -> Counts {
    let t = |n: u64| Tally {
        imported: n * imported,
        skipped: n * (1 - imported),
    };
    Counts {
        users: t(3),
        customers: t(CUSTOMERS as u64),
        conversations: t(CONVERSATIONS as u64),
        messages: t((CONVERSATIONS * PER_CONVERSATION) as u64),
        knowledge: t(5),
    }
}

async fn import_twice_then_log_in(db: TestDb) {
    let dir = sample();
    let first = import_dir(&db.store, &dir).await.unwrap();
    assert_eq!(first, all(1), "{first}");
    let again = import_dir(&db.store, &dir).await.unwrap();
    assert_eq!(again, all(0), "a re-run skips everything: {again}");

    // Messages: in time order, numbered without gaps, times kept.
    let ann = db
        .store
        .user_by_email("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(ann.password_hash.starts_with("$2b$"));
    let page = db
        .store
        .list_customers(&chat_domain::ports::CustomerFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.len(), CUSTOMERS);
    let first_customer = page
        .iter()
        .find(|c| c.name.as_deref() == Some("Customer 0"))
        .unwrap();
    assert_eq!(first_customer.email.as_deref(), Some("c0@example.com"));
    let raw = chat_store::testing::raw_customer(&db.store, first_customer.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !raw.email.unwrap().contains("c0@example.com"),
        "encrypted at rest"
    );
    let conv = db
        .store
        .conversations_of_customer(first_customer.id, None, 10)
        .await
        .unwrap();
    assert_eq!(conv.len(), 1);
    let conv = &conv[0];
    assert_eq!(conv.state.as_str(), "closed");
    assert_eq!(conv.assignee_id, Some(ann.id));
    assert_eq!(conv.last_seq, PER_CONVERSATION as i64);
    assert_eq!(conv.csat_score, Some(5));
    assert_eq!(conv.times.created_at.to_string(), "2024-02-01 09:00:00");
    assert_eq!(conv.closed_at.unwrap().to_string(), "2024-02-01 12:00:00");
    let history = db
        .store
        .history(
            conv.id,
            HistoryQuery::AfterSeq {
                after: 0,
                limit: 100,
            },
        )
        .await
        .unwrap();
    let seqs: Vec<i64> = history.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=PER_CONVERSATION as i64).collect::<Vec<_>>());
    assert_eq!(history[0].body, "message 0 of 0");
    assert_eq!(
        history[0].created_at.to_string(),
        "2024-02-01 09:01:00.123456"
    );
    assert_eq!(history[0].sender_kind, SenderKind::Customer);
    assert_eq!(history[0].sender_id, Some(first_customer.id.to_string()));
    assert_eq!(history[1].sender_kind, SenderKind::Agent);
    assert_eq!(history[1].sender_id, Some(ann.id.to_string()));
    assert_eq!(conv.first_response_at, Some(history[1].created_at));

    // The imported agent logs in with the old password; the hash becomes argon2id.
    let data_dir = common::data_dir();
    let app = TestApp::spawn_on(db, data_dir, &[]).await;
    app.login("ann@example.com", "ann old password").await;
    let upgraded = app
        .store
        .user_by_email("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(
        upgraded.password_hash.starts_with("$argon2id$"),
        "{}",
        upgraded.password_hash
    );
    app.login("ann@example.com", "ann old password").await;
    app.login("boss@example.com", "boss old password").await;
    let refused = |email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/auth/login",
                &json!({ "email": email, "password": password }),
                None,
            )
            .await
            .status
        }
    };
    assert_eq!(refused("boss@example.com", "not it").await, 401);
    assert_eq!(
        refused("sue@example.com", "sue old password").await,
        401,
        "inactive stays inactive"
    );
    app.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

on_both_databases!(import_twice_then_log_in => import_sqlite, import_mysql);

/// Writes `text` as `file` in `dir` and imports: the error, with its causes.
async fn import_error(db: &TestDb, dir: &Path, file: &str, text: &str) -> String {
    std::fs::write(dir.join(file), text).unwrap();
    format!("{:#}", import_dir(&db.store, dir).await.unwrap_err())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_named() {
    let db = TestDb::sqlite().await;
    let dir = std::env::temp_dir().join(format!("chat-import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = import_error(&db, &dir, "users.jsonl", "\n{\"id\":1,\"email\":\"a@example.com\",\"password_hash\":\"plain\",\"created_at\":\"2024-01-01 00:00:00\"}\n").await;
    assert!(
        err.contains("users.jsonl:2") && err.contains("neither bcrypt"),
        "{err}"
    );
    std::fs::write(dir.join("users.jsonl"), "").unwrap();
    let err = import_error(&db, &dir, "messages.jsonl", "{\"id\":1,\"conversation_id\":9,\"sender\":\"customer\",\"body\":\"hi\",\"created_at\":\"2024-01-01 00:00:00\"}\n").await;
    assert!(
        err.contains("messages.jsonl:1") && err.contains("conversation 9 is not in"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
