//! Conversations under load: each has a customer socket and, unless the
//! assistant answers, an agent socket (possibly on another node) holding the
//! conversation, so every customer message crosses the whole pipeline:
//! authenticated, checked, committed with its sequence, acknowledged,
//! published (across nodes through Redis when two nodes run), delivered.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Mutex, Notify, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::proto::{self, Ws};

/// What one run is asked to do.
pub struct Plan {
    /// Node the customers connect to.
    pub addr: SocketAddr,
    /// Node the agents connect to (the same one for a single node).
    pub agent_addr: SocketAddr,
    /// How many conversations.
    pub conversations: usize,
    /// Measured seconds.
    pub seconds: u64,
    /// Messages per second in total; `None`: closed loop.
    pub rate: Option<f64>,
    /// Leave the conversations to the assistant and measure its answers.
    pub assistant: bool,
    /// Staff token and id (the agent holding every conversation).
    pub staff: (String, String),
}

#[derive(Default)]
struct Stats {
    sent: AtomicU64,
    received: AtomicU64,
    duplicated: AtomicU64,
    errors: AtomicU64,
    /// (arrival, µs since the epoch; latency, µs).
    latencies_us: Mutex<Vec<(u64, u64)>>,
}

/// A question the bundled FAQ answers (the offline assistant's variant):
/// one its calibrated decision answers, from the right document.
const QUESTION: &str = "怎么查物流？";

/// Sets every conversation up, then runs them for `seconds` at once.
pub async fn run(plan: Plan) -> Result<Value> {
    let stats = Arc::new(Stats::default());
    let epoch = Instant::now();
    let (start_tx, start_rx) = watch::channel(None::<Instant>);
    let mut tasks = Vec::new();
    for i in 0..plan.conversations {
        let ctoken = proto::customer_token(plan.addr).await?;
        let mut customer = proto::hello(plan.addr, &ctoken, None).await?;
        proto::send(&mut customer, json!({ "type": "open" })).await?;
        let conv = proto::wait_for(&mut customer, "subscribed").await?["conversation"]["id"]
            .as_str()
            .context("no conversation id")?
            .to_owned();
        let agent = if plan.assistant {
            None
        } else {
            let mut agent = proto::hello(plan.agent_addr, &plan.staff.0, None).await?;
            proto::send(
                &mut agent,
                json!({ "type": "assign", "conversation_id": conv, "agent_id": plan.staff.1 }),
            )
            .await?;
            proto::wait_for(&mut agent, "result").await?;
            proto::send(
                &mut agent,
                json!({ "type": "subscribe", "conversation_id": conv, "after_seq": 0 }),
            )
            .await?;
            proto::wait_for(&mut agent, "subscribed").await?;
            Some(agent)
        };
        let per_conv_rate = plan.rate.map(|r| r / plan.conversations as f64);
        tasks.push(tokio::spawn(conversation(
            i,
            conv,
            customer,
            agent,
            stats.clone(),
            epoch,
            per_conv_rate,
            i as f64 / plan.conversations as f64,
            start_rx.clone(),
        )));
    }
    let measure_from = Instant::now();
    start_tx.send_replace(Some(measure_from + Duration::from_secs(plan.seconds)));
    for t in tasks {
        if t.await.is_err() {
            stats.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    let elapsed = (plan.seconds as f64).max(0.001);
    let samples = stats.latencies_us.lock().await.clone();
    let mut lat: Vec<u64> = samples.iter().map(|(_, l)| *l).collect();
    // p99 per second of the run: shows whether the tail is spread evenly or
    // made in one moment (the start, a checkpoint); per minute: whether it
    // drifts over a long run (bench/soak.sh).
    let start_us = measure_from.duration_since(epoch).as_micros() as u64;
    let p99_by = |period_secs: u64| -> Vec<f64> {
        let mut buckets: Vec<Vec<u64>> =
            vec![Vec::new(); plan.seconds.div_ceil(period_secs) as usize + 1];
        for (at, l) in &samples {
            let i = (at.saturating_sub(start_us) / (period_secs * 1_000_000)) as usize;
            if let Some(b) = buckets.get_mut(i) {
                b.push(*l);
            }
        }
        buckets
            .iter_mut()
            .map(|b| proto::percentiles(b)["p99"].as_f64().unwrap_or(0.0))
            .collect()
    };
    let p99_by_second = p99_by(1);
    let p99_by_minute = p99_by(60);
    let sent = stats.sent.load(Ordering::Relaxed);
    let received = stats.received.load(Ordering::Relaxed);
    Ok(json!({
        "mode": if plan.rate.is_some() { "fixed_rate" } else { "closed_loop" },
        "receiver": if plan.assistant { "assistant" } else { "agent" },
        "two_nodes": plan.addr != plan.agent_addr,
        "conversations": plan.conversations,
        "seconds": plan.seconds,
        "target_rate": plan.rate,
        "sent": sent,
        "received": received,
        "lost": sent.saturating_sub(received),
        "duplicated": stats.duplicated.load(Ordering::Relaxed),
        "msgs_per_sec": (received as f64 / elapsed).round(),
        "latency_ms": proto::percentiles(&mut lat),
        "p99_ms_by_second": p99_by_second,
        "p99_ms_by_minute": p99_by_minute,
        "errors": stats.errors.load(Ordering::Relaxed),
    }))
}

/// Counts a frame that carries a measured message: the customer's on the
/// agent's socket, or the assistant's answer on the customer's.
async fn record(stats: &Stats, seen: &mut HashSet<i64>, v: &Value, epoch: Instant, sent_us: u64) {
    let seq = v["message"]["seq"].as_i64().unwrap_or(-1);
    if !seen.insert(seq) {
        stats.duplicated.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let now_us = epoch.elapsed().as_micros() as u64;
    stats
        .latencies_us
        .lock()
        .await
        .push((now_us, now_us.saturating_sub(sent_us)));
    stats.received.fetch_add(1, Ordering::Relaxed);
}

#[allow(clippy::too_many_arguments)]
async fn conversation(
    i: usize,
    conv: String,
    customer: Ws,
    agent: Option<Ws>,
    stats: Arc<Stats>,
    epoch: Instant,
    rate: Option<f64>,
    phase: f64,
    mut start: watch::Receiver<Option<Instant>>,
) {
    // The readers start now, not with the run: until then the sockets
    // receive what the setup of the other conversations publishes (each
    // assignment reaches every staff socket's inbox, ~125,000 frames for 500
    // agent sockets). Left unread, that backlog was parsed in the first
    // second of the run and measured as the latency of the first messages.
    let (mut tx, mut rx_customer) = customer.split();
    let arrived = Arc::new(Notify::new());
    // When the customer sent the message being answered (assistant mode:
    // one question at a time, answered in order).
    let last_sent = Arc::new(AtomicU64::new(0));
    let assistant = agent.is_none();
    let (reader_stats, signal, sent_at) = (stats.clone(), arrived.clone(), last_sent.clone());
    let customer_reader = tokio::spawn(async move {
        let mut seen = HashSet::new();
        while let Some(Ok(m)) = rx_customer.next().await {
            let Message::Text(t) = m else { continue };
            let Ok(v) = serde_json::from_str::<Value>(&t) else {
                continue;
            };
            if v["type"] == "error" {
                eprintln!("customer error: {t}");
                reader_stats.errors.fetch_add(1, Ordering::Relaxed);
            }
            if assistant && v["type"] == "message" && v["message"]["sender_kind"] == "bot" {
                record(
                    &reader_stats,
                    &mut seen,
                    &v,
                    epoch,
                    sent_at.load(Ordering::Relaxed),
                )
                .await;
                signal.notify_one();
            }
        }
    });
    let agent_reader = agent.map(|mut agent| {
        let (reader_stats, signal) = (stats.clone(), arrived.clone());
        tokio::spawn(async move {
            let mut seen = HashSet::new();
            while let Some(Ok(m)) = agent.next().await {
                let Message::Text(t) = m else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&t) else {
                    continue;
                };
                if v["type"] != "message" || v["message"]["sender_kind"] != "customer" {
                    continue;
                }
                let sent_us = v["message"]["body"]
                    .as_str()
                    .and_then(|b| b.split(' ').nth(1))
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(0);
                record(&reader_stats, &mut seen, &v, epoch, sent_us).await;
                signal.notify_one();
            }
        })
    });
    let Ok(deadline) = start
        .wait_for(Option::is_some)
        .await
        .map(|d| d.unwrap_or_else(Instant::now))
    else {
        return;
    };
    let interval = rate.map(|r| Duration::from_secs_f64(1.0 / r.max(0.001)));
    // Conversations send at evenly spread phases of the interval: started
    // together, 500 conversations at 10 msg/s each would arrive as one burst
    // of 500 every 100 ms, and the latency measured would be how long the
    // burst takes to drain, not the latency at an even 5,000 msg/s.
    let mut next_at = Instant::now() + interval.map_or(Duration::ZERO, |iv| iv.mul_f64(phase));
    if interval.is_some() && !assistant {
        tokio::time::sleep_until(next_at.into()).await;
    }
    let mut k = 0u64;
    while Instant::now() < deadline {
        let now_us = epoch.elapsed().as_micros() as u64;
        let body = if assistant {
            QUESTION.to_owned()
        } else {
            format!("m {now_us} conversation {i}")
        };
        last_sent.store(now_us, Ordering::Relaxed);
        let frame = json!({ "type": "send", "conversation_id": conv, "client_msg_id": format!("{i}-{k}"), "body": body });
        if tx.send(Message::text(frame.to_string())).await.is_err() {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            break;
        }
        stats.sent.fetch_add(1, Ordering::Relaxed);
        k += 1;
        match interval {
            Some(iv) if !assistant => {
                next_at += iv;
                tokio::time::sleep_until(next_at.into()).await;
            }
            _ => {
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
    customer_reader.abort();
    if let Some(r) = agent_reader {
        r.abort();
    }
}
