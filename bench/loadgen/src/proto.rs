//! The wire: minimal HTTP/1.1 requests and WebSocket sessions speaking the
//! server's protocol (hello with a real token, then frames).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;

/// A client WebSocket.
pub type Ws = tokio_tungstenite::WebSocketStream<TcpStream>;

/// One request on a fresh connection; the JSON body of a 2xx answer.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> Result<Value> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let mut s = TcpStream::connect(addr).await?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    let (head, body) = out.split_once("\r\n\r\n").context("no HTTP body")?;
    if !head.starts_with("HTTP/1.1 2") {
        bail!("{method} {path}: {head}\n{body}");
    }
    Ok(serde_json::from_str(body)?)
}

/// Signs in: (access token, user id).
pub async fn login(addr: SocketAddr, email: &str, password: &str) -> Result<(String, String)> {
    let v = http(
        addr,
        "POST",
        "/api/v1/auth/login",
        Some(&json!({ "email": email, "password": password })),
        None,
    )
    .await?;
    Ok((
        v["access_token"].as_str().context("no token")?.to_owned(),
        v["user"]["id"].as_str().context("no user id")?.to_owned(),
    ))
}

/// A new anonymous visitor: their customer token.
pub async fn customer_token(addr: SocketAddr) -> Result<String> {
    let v = http(
        addr,
        "POST",
        "/api/v1/widget/sessions",
        Some(&json!({})),
        None,
    )
    .await?;
    Ok(v["token"].as_str().context("no customer token")?.to_owned())
}

/// Connects (from `source` when given: spreading many sockets over several
/// loopback addresses keeps clear of one address's ephemeral ports), says
/// hello with `token`, and waits for the welcome.
pub async fn hello(addr: SocketAddr, token: &str, source: Option<IpAddr>) -> Result<Ws> {
    let stream = match source {
        None => TcpStream::connect(addr).await?,
        Some(ip) => {
            let socket = TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(ip, 0))?;
            socket.connect(addr).await?
        }
    };
    stream.set_nodelay(true)?;
    // tungstenite zero-fills its read buffer up to `read_buffer_size` before
    // every read (128 KiB by default): 8 % of the load generator's time for
    // frames of a few hundred bytes, taken from the cores it shares with the
    // server. 4 KiB still reads several frames at once.
    let config =
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(
        format!("ws://{addr}/ws"),
        stream,
        Some(config),
    )
    .await?;
    send(&mut ws, json!({ "type": "hello", "v": 2, "token": token })).await?;
    wait_for(&mut ws, "welcome").await?;
    Ok(ws)
}

/// Sends one frame.
pub async fn send(ws: &mut Ws, frame: Value) -> Result<()> {
    ws.send(Message::text(frame.to_string())).await?;
    Ok(())
}

/// Reads frames until one of `kind` (an `error` frame fails).
pub async fn wait_for(ws: &mut Ws, kind: &str) -> Result<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
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

/// Resident memory of a process, KiB (Linux).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Latency summary in milliseconds from microsecond samples.
pub fn percentiles(samples: &mut [u64]) -> Value {
    samples.sort_unstable();
    let pct = |p: f64| -> f64 {
        if samples.is_empty() {
            return 0.0;
        }
        let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
        (samples[idx] as f64 / 10.0).round() / 100.0
    };
    json!({ "p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0) })
}
