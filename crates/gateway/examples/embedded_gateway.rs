//! The gateway embedded in a minimal actix-web app: `GET /ws` and nothing
//! else, its ports played by the in-memory implementations the crate's tests
//! use (conversations in a map, a one-process bus, tokens of the form
//! `customer:<uuid>`). No database, no Redis, no other crate of ours.
//!
//! ```text
//! cargo run -p chat-gateway --example embedded_gateway     # listens on 127.0.0.1:8090
//! websocat ws://127.0.0.1:8090/ws
//! {"type":"hello","v":1,"token":"customer:0190e0c6-0000-7000-8000-000000000001"}
//! {"type":"open"}
//! {"type":"send","conversation_id":"<id from subscribed>","client_msg_id":"1","body":"hi"}
//! ```
//!
//! A real deployment passes `chat-session`'s `ConversationService` and
//! `NodePresence` instead (see `apps/server`), with its bus.

#[path = "../tests/fake/mod.rs"]
mod fake;

use std::sync::Arc;

use actix_web::{App, HttpServer};
use chat_gateway::{Gateway, GatewayConfig};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8090".into());
    let bus = fake::Bus::new();
    let gateway = Gateway::start(
        fake::Conversations::new(bus.clone()),
        Arc::new(fake::Presence::default()),
        Arc::new(fake::Tokens),
        Arc::new(fake::Tokens),
        bus,
        GatewayConfig::default(),
    );
    println!("gateway on ws://{addr}/ws (tokens: customer:<uuid>)");
    HttpServer::new(move || App::new().configure(chat_gateway::configure(gateway.clone())))
        .bind(addr)?
        .run()
        .await
}
