//! Customer lists and searches at scale (not a test: run with
//! `cargo bench -p chat-store --bench customers`).
//!
//! Fills a fresh database with `CHAT_BENCH_CUSTOMERS` customers (default
//! 20 000), each with sealed contact details and one conversation (a third
//! of them assigned to one of 20 agents, some queued), then times the back
//! office's queries: a page for an admin and for an agent (the visibility
//! subquery), an exact e-mail and phone search (hash index), a name search
//! (substring: a scan), and re-encrypting everything under a new key.
//! SQLite always; MySQL when `CHAT_BENCH_MYSQL_URL` (or
//! `CHAT_TEST_MYSQL_URL`) names a server. Prints a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use chat_domain::ids::UserId;
use chat_domain::model::{Conversation, Customer, CustomerPatch, Role, Transition, User};
use chat_domain::ports::{
    ConversationRepository, CustomerFilter, CustomerRepository, UserRepository,
};
use chat_domain::time::{Timestamps, now};
use chat_store::testing::{TEST_DATA_HASH_KEY, TEST_DATA_KEYS, TestDb};
use chat_store::{FieldCipher, SqlStore};

const ROUNDS: u32 = 20;

async fn fill(store: &SqlStore, n: usize) -> Vec<UserId> {
    let mut agents = Vec::new();
    for i in 0..20 {
        let at = now();
        let u = User {
            id: UserId::new(),
            email: format!("agent{i}@example.com"),
            display_name: format!("Agent {i}"),
            password_hash: "x".into(),
            role: Role::Agent,
            active: true,
            times: Timestamps::new(at),
        };
        store.create_user(&u).await.unwrap();
        agents.push(u.id);
    }
    // Eight writers: the fill is not what is measured.
    let chunks: Vec<Vec<usize>> = (0..8)
        .map(|w| (0..n).filter(|i| i % 8 == w).collect())
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let store = store.clone();
        let agents = agents.clone();
        tasks.push(tokio::spawn(async move {
            for i in chunk {
                let c = Customer::new(
                    Some(format!("visitor:v{i:08}")),
                    Some(format!("Customer {i}")),
                    now(),
                );
                store.create_customer(&c).await.unwrap();
                let patch = CustomerPatch {
                    email: Some(Some(format!("c{i}@example.com"))),
                    phone: Some(Some(format!("+86138{i:08}"))),
                    notes: Some(Some("prefers e-mail".into())),
                    ..CustomerPatch::default()
                };
                store.update_customer(c.id, &patch, now()).await.unwrap();
                let conv = Conversation::open(c.id, now());
                store.create_conversation(&conv).await.unwrap();
                let t = match i % 6 {
                    0 | 1 => Some(Transition::Takeover(agents[i % agents.len()])),
                    2 => Some(Transition::Close),
                    3 => Some(Transition::RequestHuman),
                    _ => None,
                };
                if let Some(t) = t {
                    store
                        .transition_conversation(conv.id, t, now())
                        .await
                        .unwrap();
                }
                if i % 6 < 2 {
                    store
                        .transition_conversation(conv.id, Transition::Close, now())
                        .await
                        .unwrap();
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    agents
}

/// Median milliseconds of `ROUNDS` runs of a list query.
async fn time(store: &SqlStore, filter: CustomerFilter, expect_some: bool) -> f64 {
    let mut ms = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let items = store.list_customers(&filter).await.unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(!items.is_empty(), expect_some, "{filter:?}");
    }
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

async fn run(label: &str, db: TestDb, n: usize) {
    let store = &db.store;
    let started = Instant::now();
    let agents = fill(store, n).await;
    eprintln!(
        "{label}: filled {n} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let page = |f: CustomerFilter| CustomerFilter { limit: 50, ..f };
    let rows = [
        (
            "admin: first page of 50",
            page(CustomerFilter::default()),
            true,
        ),
        (
            "agent: first page of 50 (visibility subquery)",
            page(CustomerFilter {
                visible_to_agent: Some(agents[3]),
                ..CustomerFilter::default()
            }),
            true,
        ),
        (
            "agent: one customer's visibility check",
            page(CustomerFilter {
                visible_to_agent: Some(agents[3]),
                id: Some(
                    store
                        .list_customers(&page(CustomerFilter {
                            visible_to_agent: Some(agents[3]),
                            ..CustomerFilter::default()
                        }))
                        .await
                        .unwrap()
                        .last()
                        .unwrap()
                        .id,
                ),
                ..CustomerFilter::default()
            }),
            true,
        ),
        (
            // A closed conversation nobody held: no agent sees this customer.
            "agent: one customer's visibility check, refused",
            page(CustomerFilter {
                visible_to_agent: Some(agents[3]),
                id: Some(
                    store
                        .list_customers(&page(CustomerFilter {
                            query: Some(format!("c{}@example.com", 6 * (n / 12) + 2)),
                            ..CustomerFilter::default()
                        }))
                        .await
                        .unwrap()[0]
                        .id,
                ),
                ..CustomerFilter::default()
            }),
            false,
        ),
        (
            "exact e-mail (hash index)",
            page(CustomerFilter {
                query: Some(format!("C{}@Example.com", n / 2)),
                ..CustomerFilter::default()
            }),
            true,
        ),
        (
            "exact phone (hash index)",
            page(CustomerFilter {
                query: Some(format!("+86 138 {:08}", n / 3)),
                ..CustomerFilter::default()
            }),
            true,
        ),
        (
            "name substring, no match (scan)",
            page(CustomerFilter {
                query: Some("nobody-by-that-name".into()),
                ..CustomerFilter::default()
            }),
            false,
        ),
    ];
    for (what, filter, some) in rows {
        println!(
            "| {label} | {n} | {what} | {:.2} ms |",
            time(store, filter, some).await
        );
    }
    let rotated = store.clone().with_cipher(Arc::new(
        FieldCipher::from_config(
            &format!("k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,{TEST_DATA_KEYS}"),
            TEST_DATA_HASH_KEY,
        )
        .unwrap(),
    ));
    let t = Instant::now();
    let (mut after, mut rewritten) = (None, 0);
    loop {
        let batch = rotated.rekey_customers(after, 500).await.unwrap();
        rewritten += batch.rewritten;
        after = batch.last;
        if batch.scanned < 500 {
            break;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(rewritten as usize, n);
    println!(
        "| {label} | {n} | re-encrypt everything | {:.1} s ({:.0} customers/s) |",
        secs,
        n as f64 / secs
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("CHAT_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    println!("| backend | customers | query | median |\n|---|---|---|---|");
    run("SQLite", TestDb::sqlite().await, n).await;
    match std::env::var("CHAT_BENCH_MYSQL_URL").or_else(|_| std::env::var("CHAT_TEST_MYSQL_URL")) {
        Ok(url) => run("MariaDB", TestDb::mysql_at(url).await, n).await,
        Err(_) => eprintln!("MariaDB skipped: set CHAT_BENCH_MYSQL_URL"),
    }
}
