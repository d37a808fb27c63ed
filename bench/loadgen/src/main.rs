//! `chat-loadgen`: N conversations, each with a customer socket and an agent
//! socket, over the real protocol with real tokens. The agent (the admin
//! account, assigning each conversation to itself, so no assistant is
//! involved) receives every customer message; latency is measured from the
//! customer's send to the agent's receipt of the `message` frame, which the
//! server sends only after the message is committed.
//!
//! Modes: closed loop (each customer sends its next message when the
//! previous one arrived) or fixed rate (`--rate` messages per second in
//! total). Prints one JSON line: sent, received, lost, duplicated, msgs/s,
//! latency p50/p90/p99/max (ms), errors.
//!
//! ```text
//! chat-loadgen --addr 127.0.0.1:8080 --conversations 100 --seconds 15 \
//!     --email admin@example.com --password secret [--rate 5000]
//! ```

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, Notify};
use tokio_tungstenite::tungstenite::Message;

struct Args {
    addr: SocketAddr,
    conversations: usize,
    seconds: u64,
    rate: Option<f64>,
    email: String,
    password: String,
}

fn args() -> Result<Args> {
    let mut a = Args {
        addr: "127.0.0.1:8080".parse()?,
        conversations: 100,
        seconds: 10,
        rate: None,
        email: "admin@localhost".into(),
        password: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => a.addr = value.parse()?,
            "--conversations" => a.conversations = value.parse()?,
            "--seconds" => a.seconds = value.parse()?,
            "--rate" => a.rate = Some(value.parse()?),
            "--email" => a.email = value,
            "--password" => a.password = value,
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

async fn http_post(addr: SocketAddr, path: &str, body: &Value) -> Result<Value> {
    let body = body.to_string();
    let mut s = TcpStream::connect(addr).await?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    let (head, body) = out.split_once("\r\n\r\n").context("no HTTP body")?;
    if !head.starts_with("HTTP/1.1 200") {
        bail!("{path}: {head}\n{body}");
    }
    Ok(serde_json::from_str(body)?)
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn hello(addr: SocketAddr, token: &str) -> Result<Ws> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws")).await?;
    ws.send(Message::text(
        json!({ "type": "hello", "v": 1, "token": token }).to_string(),
    ))
    .await?;
    wait_for(&mut ws, "welcome").await?;
    Ok(ws)
}

async fn wait_for(ws: &mut Ws, kind: &str) -> Result<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await?
            .context("socket closed")??;
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t)?;
            if v["type"] == kind {
                return Ok(v);
            }
            if v["type"] == "error" {
                bail!("server error: {v}");
            }
        }
    }
}

#[derive(Default)]
struct Stats {
    sent: AtomicU64,
    received: AtomicU64,
    duplicated: AtomicU64,
    errors: AtomicU64,
    latencies_us: Mutex<Vec<u64>>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = args()?;
    let login = http_post(
        a.addr,
        "/api/v1/auth/login",
        &json!({ "email": a.email, "password": a.password }),
    )
    .await?;
    let token = login["access_token"]
        .as_str()
        .context("no access token")?
        .to_owned();
    let admin_id = login["user"]["id"]
        .as_str()
        .context("no user id")?
        .to_owned();
    let stats = Arc::new(Stats::default());
    let epoch = Instant::now();
    // Set when every conversation is ready: the measured run starts then.
    let (start_tx, start_rx) = tokio::sync::watch::channel(None::<Instant>);
    let mut tasks = Vec::new();
    for i in 0..a.conversations {
        let session = http_post(a.addr, "/api/v1/widget/sessions", &json!({})).await?;
        let ctoken = session["token"]
            .as_str()
            .context("no customer token")?
            .to_owned();
        let mut customer = hello(a.addr, &ctoken).await?;
        customer
            .send(Message::text(json!({ "type": "open" }).to_string()))
            .await?;
        let conv = wait_for(&mut customer, "subscribed").await?["conversation"]["id"]
            .as_str()
            .context("no id")?
            .to_owned();
        let mut agent = hello(a.addr, &token).await?;
        agent
            .send(Message::text(
                json!({ "type": "assign", "conversation_id": conv, "agent_id": admin_id })
                    .to_string(),
            ))
            .await?;
        wait_for(&mut agent, "result").await?;
        agent
            .send(Message::text(
                json!({ "type": "subscribe", "conversation_id": conv, "after_seq": 0 }).to_string(),
            ))
            .await?;
        wait_for(&mut agent, "subscribed").await?;
        let per_conv_rate = a.rate.map(|r| r / a.conversations as f64);
        tasks.push(tokio::spawn(run_conversation(
            i,
            conv,
            customer,
            agent,
            stats.clone(),
            epoch,
            per_conv_rate,
            start_rx.clone(),
        )));
    }
    let measure_from = Instant::now();
    start_tx.send_replace(Some(measure_from + Duration::from_secs(a.seconds)));
    for t in tasks {
        if t.await.is_err() {
            stats.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    let elapsed = measure_from
        .elapsed()
        .as_secs_f64()
        .min(a.seconds as f64 + 3.0);
    let mut lat = stats.latencies_us.lock().await.clone();
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let idx = ((lat.len() as f64 - 1.0) * p).round() as usize;
        lat[idx] as f64 / 1000.0
    };
    let sent = stats.sent.load(Ordering::Relaxed);
    let received = stats.received.load(Ordering::Relaxed);
    println!(
        "{}",
        json!({
            "mode": if a.rate.is_some() { "fixed_rate" } else { "closed_loop" },
            "conversations": a.conversations,
            "seconds": a.seconds,
            "target_rate": a.rate,
            "sent": sent,
            "received": received,
            "lost": sent.saturating_sub(received),
            "duplicated": stats.duplicated.load(Ordering::Relaxed),
            "msgs_per_sec": (received as f64 / elapsed).round(),
            "latency_ms": { "p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0) },
            "errors": stats.errors.load(Ordering::Relaxed),
        })
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn run_conversation(
    i: usize,
    conv: String,
    customer: Ws,
    mut agent: Ws,
    stats: Arc<Stats>,
    epoch: Instant,
    rate: Option<f64>,
    mut start: tokio::sync::watch::Receiver<Option<Instant>>,
) {
    let Ok(deadline) = start
        .wait_for(Option::is_some)
        .await
        .map(|d| d.unwrap_or_else(Instant::now))
    else {
        return;
    };
    let (mut tx, mut rx_customer) = customer.split();
    // The customer's own socket receives acks and echoes: drain it.
    let drain = tokio::spawn(async move {
        while let Some(Ok(m)) = rx_customer.next().await {
            if let Message::Text(t) = m
                && t.starts_with(r#"{"type":"error""#)
            {
                eprintln!("customer error: {t}");
            }
        }
    });
    let arrived = Arc::new(Notify::new());
    let reader_stats = stats.clone();
    let signal = arrived.clone();
    let reader = tokio::spawn(async move {
        let mut seen = HashSet::new();
        while let Some(Ok(m)) = agent.next().await {
            let Message::Text(t) = m else { continue };
            let Ok(v) = serde_json::from_str::<Value>(&t) else {
                continue;
            };
            if v["type"] != "message" || v["message"]["sender_kind"] != "customer" {
                continue;
            }
            let seq = v["message"]["seq"].as_i64().unwrap_or(-1);
            if !seen.insert(seq) {
                reader_stats.duplicated.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if let Some(sent_us) = v["message"]["body"]
                .as_str()
                .and_then(|b| b.split(' ').nth(1))
                .and_then(|s| s.parse::<u64>().ok())
            {
                let now_us = epoch.elapsed().as_micros() as u64;
                reader_stats
                    .latencies_us
                    .lock()
                    .await
                    .push(now_us.saturating_sub(sent_us));
            }
            reader_stats.received.fetch_add(1, Ordering::Relaxed);
            signal.notify_one();
        }
    });
    let interval = rate.map(|r| Duration::from_secs_f64(1.0 / r.max(0.001)));
    let mut next_at = Instant::now();
    let mut k = 0u64;
    while Instant::now() < deadline {
        let body = format!("m {} conversation {i}", epoch.elapsed().as_micros());
        let frame = json!({ "type": "send", "conversation_id": conv, "client_msg_id": format!("{i}-{k}"), "body": body });
        if tx.send(Message::text(frame.to_string())).await.is_err() {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            break;
        }
        stats.sent.fetch_add(1, Ordering::Relaxed);
        k += 1;
        match interval {
            Some(iv) => {
                next_at += iv;
                tokio::time::sleep_until(next_at.into()).await;
            }
            None => {
                if tokio::time::timeout(Duration::from_secs(5), arrived.notified())
                    .await
                    .is_err()
                {
                    stats.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
    // Let the last messages arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    reader.abort();
    drain.abort();
}
