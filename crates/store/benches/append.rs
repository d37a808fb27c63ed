//! Message-append throughput of the store (not a test: run with
//! `cargo bench -p chat-store --bench append`).
//!
//! Scenarios, each on a fresh database: one writer appending one message per
//! call (one transaction each); eight concurrent writers doing the same into
//! eight conversations and into one shared conversation; one writer
//! appending batches of 10 and 50 (what the gateway's group commit will
//! hand the store). SQLite always; MySQL when `CHAT_BENCH_MYSQL_URL` (or
//! `CHAT_TEST_MYSQL_URL`) names a server. Prints a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use chat_domain::ids::ConversationId;
use chat_domain::model::{Conversation, Customer, MessageKind, NewMessage, SenderKind};
use chat_domain::ports::{ConversationRepository, CustomerRepository};
use chat_domain::time::now;
use chat_store::SqlStore;
use chat_store::testing::TestDb;

const RUN_FOR: Duration = Duration::from_secs(3);

async fn conversation(store: &SqlStore) -> ConversationId {
    let at = now();
    let customer = Customer::new(None, None, at);
    store.create_customer(&customer).await.unwrap();
    let conv = Conversation::open(customer.id, at);
    store.create_conversation(&conv).await.unwrap();
    conv.id
}

fn message(conv: ConversationId, i: usize) -> NewMessage {
    NewMessage::new(
        conv,
        SenderKind::Customer,
        None,
        MessageKind::Text,
        format!("benchmark message {i}"),
        Some(format!("c{i}")),
        now(),
    )
    .unwrap()
}

/// Runs `writers` tasks for RUN_FOR, each appending `batch` messages per call
/// into its own conversation (or a shared one); returns messages per second.
async fn scenario(store: &SqlStore, writers: usize, batch: usize, shared: bool) -> f64 {
    let shared_conv = conversation(store).await;
    let mut tasks = Vec::new();
    let start = Instant::now();
    for _ in 0..writers {
        let store = store.clone();
        let conv = if shared {
            shared_conv
        } else {
            conversation(&store).await
        };
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while start.elapsed() < RUN_FOR {
                let msgs: Vec<NewMessage> = (0..batch).map(|k| message(conv, n + k)).collect();
                // Building the batch is timed too: a real caller pays for it.
                let out = store.append_messages(msgs).await.unwrap();
                assert!(out.iter().all(|r| r.is_ok()));
                n += batch;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

async fn run(label: &str, db: TestDb) {
    let s = &db.store;
    let rows = [
        ("1 writer, 1 msg per txn", scenario(s, 1, 1, false).await),
        (
            "8 writers, 1 msg per txn, 8 conversations",
            scenario(s, 8, 1, false).await,
        ),
        (
            "8 writers, 1 msg per txn, 1 shared conversation",
            scenario(s, 8, 1, true).await,
        ),
        ("1 writer, batches of 10", scenario(s, 1, 10, false).await),
        ("1 writer, batches of 50", scenario(s, 1, 50, false).await),
    ];
    for (what, rate) in rows {
        println!("| {label} | {what} | {rate:.0} |");
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!("| backend | scenario | messages/s |\n|---|---|---|");
    run("SQLite (WAL, synchronous=NORMAL)", TestDb::sqlite().await).await;
    match std::env::var("CHAT_BENCH_MYSQL_URL").or_else(|_| std::env::var("CHAT_TEST_MYSQL_URL")) {
        Ok(url) => run("MariaDB", TestDb::mysql_at(url).await).await,
        Err(_) => eprintln!("MariaDB skipped: set CHAT_BENCH_MYSQL_URL"),
    }
}
