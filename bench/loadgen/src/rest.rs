//! REST under concurrent load: `concurrency` keep-alive connections each
//! requesting `path` back to back for `seconds`, with a staff token.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use crate::proto;

#[derive(Default)]
struct Tally {
    ok: u64,
    failed: u64,
    latencies_us: Vec<u64>,
}

/// Reads one HTTP/1.1 response (Content-Length bodies only): its status.
async fn response(r: &mut BufReader<TcpStream>) -> Result<u16> {
    let mut line = String::new();
    r.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .context("no status")?
        .parse()?;
    let mut length = 0usize;
    loop {
        line.clear();
        r.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse()?;
        }
    }
    let mut body = vec![0u8; length];
    r.read_exact(&mut body).await?;
    Ok(status)
}

/// Runs the load and returns the report.
pub async fn run(
    addr: SocketAddr,
    token: &str,
    path: &str,
    concurrency: usize,
    seconds: u64,
) -> Result<Value> {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (tally, token, path) = (tally.clone(), token.to_owned(), path.to_owned());
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let mut conn = BufReader::new(stream);
            let req = format!(
                "GET {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\naccept-encoding: identity\r\n\r\n"
            );
            let mut local = Tally::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                conn.get_mut().write_all(req.as_bytes()).await?;
                let status = response(&mut conn).await?;
                local.latencies_us.push(t.elapsed().as_micros() as u64);
                if status == 200 {
                    local.ok += 1;
                } else {
                    local.failed += 1;
                }
            }
            let mut all = tally.lock().await;
            all.ok += local.ok;
            all.failed += local.failed;
            all.latencies_us.extend(local.latencies_us);
            anyhow::Ok(())
        }));
    }
    let mut errors = 0u64;
    for t in tasks {
        if !matches!(t.await, Ok(Ok(()))) {
            errors += 1;
        }
    }
    let mut all = tally.lock().await;
    let ok = all.ok;
    Ok(json!({
        "mode": "rest",
        "path": path,
        "concurrency": concurrency,
        "seconds": seconds,
        "ok": ok,
        "non_200": all.failed,
        "requests_per_sec": (ok as f64 / seconds.max(1) as f64).round(),
        "latency_ms": proto::percentiles(&mut all.latencies_us),
        "errors": errors,
    }))
}
