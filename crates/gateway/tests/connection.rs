//! The gateway alone: a real actix-web server with `GET /ws`, its ports
//! played by in-memory fakes (no database, no Redis), and real WebSocket
//! clients (or raw TCP where the test needs to write bytes a client would
//! not).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod fake;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{App, HttpServer};
use chat_domain::ids::CustomerId;
use chat_gateway::{Gateway, GatewayConfig};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Server {
    addr: SocketAddr,
    conversations: Arc<fake::Conversations>,
    bus: Arc<fake::Bus>,
    gateway: Arc<Gateway>,
    handle: actix_web::dev::ServerHandle,
}

async fn serve(config: GatewayConfig) -> Server {
    let bus = fake::Bus::new();
    let conversations = fake::Conversations::new(bus.clone());
    let gateway = Gateway::start(
        conversations.clone(),
        Arc::new(fake::Presence::default()),
        Arc::new(fake::Tokens),
        Arc::new(fake::Tokens),
        bus.clone(),
        config,
    );
    let for_app = gateway.clone();
    let server =
        HttpServer::new(move || App::new().configure(chat_gateway::configure(for_app.clone())))
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Server {
        addr,
        conversations,
        bus,
        gateway,
        handle,
    }
}

impl Server {
    async fn connect(&self) -> Ws {
        tokio_tungstenite::connect_async(format!("ws://{}/ws", self.addr))
            .await
            .expect("connect")
            .0
    }

    async fn hello(&self, customer: CustomerId, resume: Value) -> (Ws, Value) {
        let mut ws = self.connect().await;
        send(
            &mut ws,
            json!({"type": "hello", "v": 1, "token": format!("customer:{customer}"), "resume": resume}),
        )
        .await;
        let welcome = next(&mut ws).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        (ws, welcome)
    }
}

async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// The next JSON frame (pings answered by the client library, skipped).
async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("the socket is open")
            .expect("a valid frame");
        match msg {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

/// Reads until the server's close frame; its code.
async fn close_code(ws: &mut Ws) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("closed within 5 s")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("no close frame: {e}"),
            None => return None,
        }
    }
}

#[actix_web::test]
async fn a_refused_token_or_a_first_frame_other_than_hello_closes_with_4001() {
    let server = serve(GatewayConfig::default()).await;
    let mut ws = server.connect().await;
    send(&mut ws, json!({"type": "hello", "v": 1, "token": "nope"})).await;
    assert_eq!(close_code(&mut ws).await, Some(4001));

    let mut ws = server.connect().await;
    send(&mut ws, json!({"type": "ping"})).await;
    assert_eq!(close_code(&mut ws).await, Some(4001));

    // An erased customer's token stops working at once.
    let erased = CustomerId::new();
    server.conversations.erased.lock().unwrap().push(erased);
    let mut ws = server.connect().await;
    send(
        &mut ws,
        json!({"type": "hello", "v": 1, "token": format!("customer:{erased}")}),
    )
    .await;
    assert_eq!(close_code(&mut ws).await, Some(4001));

    // Another protocol version: 4002.
    let mut ws = server.connect().await;
    send(
        &mut ws,
        json!({"type": "hello", "v": 9, "token": format!("customer:{}", CustomerId::new())}),
    )
    .await;
    assert_eq!(close_code(&mut ws).await, Some(4002));
    server.handle.stop(false).await;
}

#[actix_web::test]
async fn open_send_ack_and_the_message_delivered_once() {
    let server = serve(GatewayConfig::default()).await;
    let (mut ws, welcome) = server.hello(CustomerId::new(), json!([])).await;
    assert_eq!(welcome["principal"]["kind"], "customer");
    send(&mut ws, json!({"type": "open", "ref": "o"})).await;
    let subscribed = next(&mut ws).await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
    assert_eq!(subscribed["ref"], "o");
    let id = subscribed["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    send(
        &mut ws,
        json!({"type": "send", "conversation_id": id, "client_msg_id": "m1", "body": "hello", "ref": "s"}),
    )
    .await;
    // The live message and the ack, in either order; the message once.
    let (mut ack, mut messages) = (None, Vec::new());
    while ack.is_none() || messages.is_empty() {
        let frame = next(&mut ws).await;
        match frame["type"].as_str() {
            Some("ack") => ack = Some(frame),
            Some("message") => messages.push(frame),
            // The `opened` change races the subscription: it may come or not.
            Some("conversation") if frame["change"] == "opened" => {}
            _ => panic!("{frame}"),
        }
    }
    let ack = ack.unwrap();
    assert_eq!(
        (ack["seq"].as_i64(), ack["ref"].as_str()),
        (Some(1), Some("s"))
    );
    assert_eq!(messages[0]["message"]["body"], "hello");
    // A conversation of someone else: refused, the socket stays.
    let theirs = server.conversations.seed(CustomerId::new(), 1);
    send(
        &mut ws,
        json!({"type": "subscribe", "conversation_id": theirs, "ref": "x"}),
    )
    .await;
    let refused = next(&mut ws).await;
    assert_eq!(
        (
            refused["type"].as_str(),
            refused["code"].as_str(),
            refused["ref"].as_str()
        ),
        (Some("error"), Some("not_found"), Some("x"))
    );
    send(&mut ws, json!({"type": "ping", "ref": "p"})).await;
    assert_eq!(next(&mut ws).await["type"], "pong");
    server.handle.stop(false).await;
}

#[actix_web::test]
async fn resume_sends_what_was_missed_in_order() {
    let server = serve(GatewayConfig::default()).await;
    let customer = CustomerId::new();
    let id = server.conversations.seed(customer, 5);
    let (mut ws, _) = server
        .hello(customer, json!([{"conversation_id": id, "after_seq": 2}]))
        .await;
    assert_eq!(next(&mut ws).await["type"], "subscribed");
    for seq in 3..=5 {
        let frame = next(&mut ws).await;
        assert_eq!(frame["message"]["seq"], seq, "{frame}");
    }
    // Nothing more: the next frame is the answer to this ping.
    send(&mut ws, json!({"type": "ping"})).await;
    assert_eq!(next(&mut ws).await["type"], "pong");
    server.handle.stop(false).await;
}

#[actix_web::test]
async fn a_ping_flood_is_closed_with_1008_and_a_client_close_answered_with_1000() {
    let server = serve(GatewayConfig {
        rate_per_sec: 1,
        ..GatewayConfig::default()
    })
    .await;
    let (mut ws, _) = server.hello(CustomerId::new(), json!([])).await;
    for _ in 0..100 {
        if ws.send(Message::Ping(Vec::new().into())).await.is_err() {
            break;
        }
    }
    assert_eq!(close_code(&mut ws).await, Some(1008));

    let (mut ws, _) = server.hello(CustomerId::new(), json!([])).await;
    ws.close(None).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1000));
    server.handle.stop(false).await;
}

/// Upgrades over raw TCP (to write frames no client library would).
async fn raw_upgrade(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream
}

/// The close frame the server sends first: its code, and how long it took.
async fn raw_close(stream: &mut TcpStream) -> (u16, Duration) {
    let started = Instant::now();
    let mut close = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut close))
        .await
        .expect("a close frame within 5 s")
        .unwrap();
    assert_eq!(close[0], 0x88, "a close frame: {close:?}");
    (u16::from_be_bytes([close[2], close[3]]), started.elapsed())
}

#[actix_web::test]
async fn an_oversize_frame_is_refused_on_its_header_with_1009() {
    let server = serve(GatewayConfig {
        max_frame_bytes: 1024,
        ..GatewayConfig::default()
    })
    .await;
    // A masked text frame announcing 2^62 bytes: the header and its mask,
    // nothing of the payload. Waiting for the payload would be the bug.
    let mut stream = raw_upgrade(server.addr).await;
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    stream.write_all(&header).await.unwrap();
    let (code, took) = raw_close(&mut stream).await;
    assert_eq!(code, 1009);
    assert!(took < Duration::from_millis(500), "after {took:?}");

    // Just over the limit, in the 16-bit form.
    let mut stream = raw_upgrade(server.addr).await;
    let mut header = vec![0x81, 0x80 | 126];
    header.extend_from_slice(&1025u16.to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    stream.write_all(&header).await.unwrap();
    assert_eq!(raw_close(&mut stream).await.0, 1009);

    // Continuations each within the limit, the message over it.
    let (mut ws, _) = server.hello(CustomerId::new(), json!([])).await;
    let part = vec![b'a'; 600];
    ws.send(Message::Frame(
        tokio_tungstenite::tungstenite::protocol::frame::Frame::message(
            part.clone(),
            tokio_tungstenite::tungstenite::protocol::frame::coding::OpCode::Data(
                tokio_tungstenite::tungstenite::protocol::frame::coding::Data::Text,
            ),
            false,
        ),
    ))
    .await
    .unwrap();
    ws.send(Message::Frame(
        tokio_tungstenite::tungstenite::protocol::frame::Frame::message(
            part,
            tokio_tungstenite::tungstenite::protocol::frame::coding::OpCode::Data(
                tokio_tungstenite::tungstenite::protocol::frame::coding::Data::Continue,
            ),
            true,
        ),
    ))
    .await
    .unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1009));
    server.handle.stop(false).await;
}

#[actix_web::test]
async fn a_peer_that_stops_reading_is_cut_at_the_send_deadline() {
    // An inbox too large to overflow: only the send deadline can cut it.
    let server = serve(GatewayConfig {
        send_timeout: Duration::from_millis(300),
        queue_capacity: 1_000_000,
        ..GatewayConfig::default()
    })
    .await;
    let customer = CustomerId::new();
    let id = server.conversations.seed(customer, 0);
    let (mut ws, _) = server
        .hello(customer, json!([{"conversation_id": id, "after_seq": 0}]))
        .await;
    assert_eq!(next(&mut ws).await["type"], "subscribed");
    assert_eq!(server.gateway.connections(), 1);
    // 64 MiB of assistant deltas for a client that reads nothing more:
    // far beyond what the kernel and actix-http buffer.
    let delta = "x".repeat(64 * 1024);
    for _ in 0..1024 {
        chat_domain::ports::EventBus::publish(
            server.bus.as_ref(),
            chat_domain::events::Event::AiDelta {
                conversation_id: id,
                reply_id: "r".into(),
                delta: delta.clone(),
                reset: false,
            },
        )
        .await
        .unwrap();
        tokio::task::yield_now().await;
    }
    let started = Instant::now();
    while server.gateway.connections() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the socket is still served after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(ws);
    server.handle.stop(false).await;
}
