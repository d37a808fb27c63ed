//! The assistant embedded in a minimal tokio program: no server, no
//! provider, no network. A SQLite file in a temporary directory holds the
//! knowledge base (the bundled bilingual FAQ) and the conversation; the
//! in-process bus carries the events; the offline assistant answers each
//! customer question through the real conversation service (the same
//! [`chat_domain::ports::BotActions`] the server uses), and hands off when
//! asked for a person.
//!
//! `cargo run -p chat-ai --example embedded_ai` (questions as arguments replace
//! the built-in ones; `--release` for the latency figure it prints: the
//! time from posting a question to the assistant's stored reply, the
//! figure docs/BENCHMARKS.md quotes).
//!
//! The first question is posted before the knowledge index is built on
//! purpose: it waits for the index (`LiveIndex::ready`) instead of being
//! told "not sure".

use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_ai::knowledge::LiveIndex;
use chat_ai::responder::{Responder, ResponderConfig};
use chat_domain::auth::Principal;
use chat_domain::events::Event;
use chat_domain::model::{ConversationState, Customer, SenderKind};
use chat_domain::ports::{Delivery, EventStream, Store};
use chat_domain::time::now;
use chat_session::{OneNode, RoutingConfig};
use chat_store::{PoolOptions, SqlStore};

type Error = Box<dyn std::error::Error + Send + Sync>;

const QUESTIONS: &[&str] = &[
    "退货运费谁出？",
    "How long does a refund take?",
    "我的快递到哪了",
    "can I pay with a credit card?",
    "今天天气怎么样",
    "转人工",
];

/// What the assistant did with one question.
enum Outcome {
    Reply(String),
    HandedOff,
}

/// Waits for the assistant's stored reply (or the handoff) on the bus.
async fn outcome(events: &mut Box<dyn EventStream>) -> Result<Outcome, Error> {
    let deadline = tokio::time::sleep(Duration::from_secs(30));
    tokio::pin!(deadline);
    loop {
        let delivery = tokio::select! {
            d = events.next() => d.ok_or("bus closed")?,
            () = &mut deadline => return Err("no reply within 30 s".into()),
        };
        let Delivery::Event(event) = delivery else {
            continue;
        };
        match &*event {
            Event::MessageCreated { message } if message.sender_kind == SenderKind::Bot => {
                return Ok(Outcome::Reply(message.body.clone()));
            }
            Event::ConversationChanged { conversation, .. }
                if conversation.state == ConversationState::Queued =>
            {
                return Ok(Outcome::HandedOff);
            }
            _ => {}
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let questions: Vec<&str> = if args.is_empty() {
        QUESTIONS.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };

    // Storage: a SQLite file of our own (migrated on connect).
    let dir = std::env::temp_dir().join(format!("chat-ai-embedded-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("chat.db").display());
    let sql = SqlStore::connect(&url, PoolOptions::default()).await?;
    let store: Arc<dyn Store> = Arc::new(sql);
    for doc in chat_ai::demo::faq_documents()? {
        store.create_doc(&doc).await?;
    }

    // The conversation service on an in-process bus.
    let OneNode { bus, service, .. } =
        OneNode::start(store.clone(), RoutingConfig { max_per_agent: 2 });

    // The offline assistant: an index that follows the knowledge base, a
    // responder acting through the service, stopped by takeovers.
    let index = LiveIndex::new();
    let responder = Responder::new(service.clone(), index.clone(), ResponderConfig::default());
    responder.watch(bus.clone());
    service.set_assistant(Arc::new(responder));
    let follower = index.follow(store.clone(), Duration::from_secs(2));

    // A customer and a conversation the assistant holds.
    let customer = Customer::new(None, Some("Demo customer".into()), now());
    store.create_customer(&customer).await?;
    let who = Principal::Customer {
        customer_id: customer.id,
    };
    let mut conversation = service.open(customer.id).await?;
    let mut events = bus.subscribe();

    let mut took = Vec::new();
    for q in questions {
        if conversation.state != ConversationState::Bot {
            // The last answer handed off: a fresh conversation for the next.
            conversation = service.open(customer.id).await?;
        }
        let started = Instant::now();
        service
            .post(&who, conversation.id, q.to_owned(), false, None)
            .await?;
        let result = outcome(&mut events).await?;
        let elapsed = started.elapsed();
        took.push(elapsed);
        println!("> {q}");
        match result {
            Outcome::Reply(text) => println!("{text}"),
            Outcome::HandedOff => {
                println!("[handed off to a person]");
                conversation.state = ConversationState::Queued;
            }
        }
        println!("({elapsed:.1?}, index ready: {})\n", index.is_ready());
    }
    // The first question waited for the index: leave it out of the figure.
    let mut steady: Vec<Duration> = took.iter().skip(1).copied().collect();
    steady.sort();
    if let Some(p50) = steady.get(steady.len() / 2) {
        println!(
            "question → stored reply, p50 of {}: {p50:.2?}",
            steady.len()
        );
    }
    follower.abort();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
