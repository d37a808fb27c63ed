//! Idle authenticated sockets: how much server memory each one holds.
//! Sockets come from 127.0.0.2, 127.0.0.3, … (`per_source` each) so that no
//! single source address runs out of ephemeral ports; a few customer tokens
//! are shared round robin (a token may hold several sockets, as several tabs
//! do).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::proto;

/// Opens `count` idle sockets against `addr`, measures the server's RSS
/// (process `server_pid`) before and after, holds them `hold` and returns
/// the report.
pub async fn run(
    addr: SocketAddr,
    count: usize,
    server_pid: Option<u32>,
    hold: Duration,
) -> Result<Value> {
    let mut tokens = Vec::new();
    for _ in 0..count.clamp(1, 100) {
        tokens.push(proto::customer_token(addr).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server_pid.and_then(proto::rss_kib);
    let started = Instant::now();
    let per_source = 5_000;
    let mut sockets = Vec::with_capacity(count);
    let mut failures = 0u64;
    // A few hundred handshakes in flight at a time.
    let mut pending = futures_util::stream::iter((0..count).map(|i| {
        let token = tokens[i % tokens.len()].clone();
        let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (i / per_source) as u8));
        async move { proto::hello(addr, &token, Some(source)).await }
    }))
    .buffer_unordered(256);
    while let Some(r) = pending.next().await {
        match r {
            Ok(ws) => sockets.push(ws),
            Err(e) => {
                if failures == 0 {
                    eprintln!("idle socket failed: {e}");
                }
                failures += 1;
            }
        }
    }
    let opened_in = started.elapsed();
    // Let the server settle (allocator, lazily grown buffers).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server_pid.and_then(proto::rss_kib);
    tokio::time::sleep(hold).await;
    let held = sockets.len();
    drop(sockets);
    let per_socket = match (before, after) {
        (Some(b), Some(a)) if held > 0 => {
            Some(((a as f64 - b as f64) / held as f64 * 100.0).round() / 100.0)
        }
        _ => None,
    };
    Ok(json!({
        "mode": "idle_sockets",
        "asked": count,
        "opened": held,
        "failed": failures,
        "sources": count.div_ceil(per_source),
        "open_secs": (opened_in.as_secs_f64() * 100.0).round() / 100.0,
        "server_rss_kib_before": before,
        "server_rss_kib_after": after,
        "server_kib_per_socket": per_socket,
        "extrapolated_100k_mib": per_socket.map(|k| (k * 100_000.0 / 1024.0).round()),
    }))
}
