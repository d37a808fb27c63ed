//! The OpenAI-compatible provider against a local mock that streams
//! Server-Sent Events the way DashScope does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chat_ai::provider::{OpenAiProvider, ProviderConfig, ProviderError, StreamItem};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the mock does for one request.
#[derive(Clone, Copy)]
enum Script {
    /// Role-only first chunk, text, `finish_reason: ""`, usage chunk, [DONE].
    DashScope,
    /// Text chunks 300 ms apart.
    Slow,
    /// Two chunks, then the connection drops mid-body.
    Broken,
    /// 429, then (next request) the DashScope stream.
    RateLimitedOnce,
    /// 400 DataInspectionFailed.
    Moderation,
    /// A `transfer_to_human` tool call.
    ToolCall,
    /// 429 to every request, with this `Retry-After` (seconds).
    Storm(&'static str),
    /// 429 with `Retry-After: 1`, then the DashScope stream.
    RetryAfterOnce,
    /// 503 to the first N requests, then the DashScope stream.
    DownFirst(usize),
}

async fn mock(script: Script) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                // Read the request head and body (Content-Length).
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                loop {
                    let k = sock.read(&mut tmp).await.unwrap_or(0);
                    if k == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..k]);
                    let text = String::from_utf8_lossy(&buf);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let request = String::from_utf8_lossy(&buf).to_string();
                assert!(
                    request.contains("POST /compatible-mode/v1/chat/completions"),
                    "{request}"
                );
                assert!(
                    request
                        .to_ascii_lowercase()
                        .contains("authorization: bearer sk-test")
                );
                assert!(request.contains("\"stream\":true"));
                let sse = |chunks: &[serde_json::Value]| {
                    let mut body = String::new();
                    for c in chunks {
                        body.push_str(&format!("data: {c}\n\n"));
                    }
                    body
                };
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                let chunk = |content: &str| json!({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":content},"finish_reason":null}]});
                let dashscope = sse(&[
                    json!({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}),
                    chunk("您好，"),
                    json!({"choices":[{"index":0,"delta":{"content":"订单可在「我的订单」查看。","reasoning_content":"…"},"finish_reason":""}],"system_fingerprint":null}),
                    json!({"choices":[],"usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}),
                ]) + "data: [DONE]\n\n";
                let rate_limit = match (script, n) {
                    (Script::Storm(after), _) => Some(after),
                    (Script::RetryAfterOnce, 0) => Some("1"),
                    _ => None,
                };
                match (script, n) {
                    _ if rate_limit.is_some() => {
                        let after = rate_limit.unwrap_or("0");
                        let body = r#"{"error":{"message":"Requests rate limit exceeded","type":"limit_requests","code":"limit_requests"}}"#;
                        let _ = sock
                            .write_all(format!("HTTP/1.1 429 Too Many Requests\r\nretry-after: {after}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                            .await;
                    }
                    (Script::DashScope, _) | (Script::RateLimitedOnce, 1..) => {
                        let _ = sock
                            .write_all(format!("{head}{dashscope}").as_bytes())
                            .await;
                    }
                    (Script::RetryAfterOnce | Script::Storm(_), _) => {
                        let _ = sock
                            .write_all(format!("{head}{dashscope}").as_bytes())
                            .await;
                    }
                    (Script::DownFirst(k), n) => {
                        let reply = if n < k {
                            let body = r#"{"error":{"message":"service unavailable"}}"#;
                            format!(
                                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            )
                        } else {
                            format!("{head}{dashscope}")
                        };
                        let _ = sock.write_all(reply.as_bytes()).await;
                    }
                    (Script::RateLimitedOnce, 0) => {
                        let body = r#"{"error":{"message":"Requests rate limit exceeded","type":"limit_requests","code":"limit_requests"}}"#;
                        let _ = sock
                            .write_all(format!("HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                            .await;
                    }
                    (Script::Moderation, _) => {
                        let body = r#"{"error":{"message":"Input data may contain inappropriate content.","type":"data_inspection_failed","code":"DataInspectionFailed"}}"#;
                        let _ = sock
                            .write_all(format!("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                            .await;
                    }
                    (Script::Slow, _) => {
                        let _ = sock.write_all(head.as_bytes()).await;
                        for part in ["one ", "two ", "three"] {
                            tokio::time::sleep(Duration::from_millis(300)).await;
                            let _ = sock.write_all(sse(&[chunk(part)]).as_bytes()).await;
                        }
                        let _ = sock.write_all(b"data: [DONE]\n\n").await;
                    }
                    (Script::Broken, _) => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
                        let part = sse(&[chunk("half an ")]);
                        let _ = sock
                            .write_all(format!("{head}{:x}\r\n{part}\r\n", part.len()).as_bytes())
                            .await;
                        // Promise 100 bytes, send 5, hang up.
                        let _ = sock.write_all(b"64\r\ndata:").await;
                    }
                    (Script::ToolCall, _) => {
                        let body = sse(&[
                            json!({"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"transfer_to_human","arguments":""}}]},"finish_reason":null}]}),
                            json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"reason\":\"asked\"}"}}]},"finish_reason":"tool_calls"}]}),
                        ]) + "data: [DONE]\n\n";
                        let _ = sock.write_all(format!("{head}{body}").as_bytes()).await;
                    }
                }
                let _ = sock.shutdown().await;
            });
        }
    });
    (addr, hits)
}

fn provider(addr: SocketAddr, chunk_timeout_ms: u64) -> OpenAiProvider {
    OpenAiProvider::new(ProviderConfig {
        connect_timeout: Duration::from_secs(2),
        chunk_timeout: Duration::from_millis(chunk_timeout_ms),
        ..ProviderConfig::new(
            &format!("http://{addr}/compatible-mode/v1/"),
            "sk-test",
            "qwen-plus",
        )
    })
    .unwrap()
}

async fn run(
    script: Script,
    chunk_timeout_ms: u64,
) -> (Result<(), ProviderError>, Vec<StreamItem>, usize) {
    let (addr, hits) = mock(script).await;
    let p = provider(addr, chunk_timeout_ms);
    let mut items = Vec::new();
    let messages = vec![json!({"role":"user","content":"我的订单在哪"})];
    let result = p.stream(&messages, |i| items.push(i)).await;
    (result, items, hits.load(Ordering::SeqCst))
}

#[tokio::test]
async fn a_dashscope_stream_with_its_quirks() {
    let (result, items, hits) = run(Script::DashScope, 2000).await;
    result.unwrap();
    assert_eq!(hits, 1);
    assert_eq!(
        items,
        vec![
            StreamItem::Delta("您好，".into()),
            StreamItem::Delta("订单可在「我的订单」查看。".into()),
            StreamItem::Usage {
                prompt: 20,
                completion: 9
            },
        ]
    );
}

#[tokio::test]
async fn rate_limited_then_success_is_retried() {
    let (result, items, hits) = run(Script::RateLimitedOnce, 2000).await;
    result.unwrap();
    assert_eq!(hits, 2);
    assert!(items.contains(&StreamItem::Delta("您好，".into())));
}

#[tokio::test]
async fn moderation_is_recognized_and_not_retried() {
    let (result, items, hits) = run(Script::Moderation, 2000).await;
    assert_eq!(result, Err(ProviderError::Moderation));
    assert!(items.is_empty());
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn a_tool_call_is_a_handoff() {
    let (result, items, _) = run(Script::ToolCall, 2000).await;
    result.unwrap();
    assert_eq!(items, vec![StreamItem::Handoff]);
}

#[tokio::test]
async fn a_slow_stream_within_the_timeout_completes_and_one_beyond_fails() {
    let (result, items, _) = run(Script::Slow, 2000).await;
    result.unwrap();
    assert_eq!(items.len(), 3);
    let (result, _, _) = run(Script::Slow, 100).await;
    assert!(
        matches!(result, Err(ProviderError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_stream_that_breaks_midway_is_an_error_after_its_text() {
    let (result, items, _) = run(Script::Broken, 2000).await;
    assert_eq!(items, vec![StreamItem::Delta("half an ".into())]);
    assert!(
        matches!(result, Err(ProviderError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_429_storm_makes_exactly_one_plus_retries_requests() {
    let started = std::time::Instant::now();
    let (result, items, hits) = run(Script::Storm("0"), 2000).await;
    assert_eq!(result, Err(ProviderError::RateLimited));
    assert!(items.is_empty());
    // max_retries is 3: 4 requests, not 4 × 4 (the client's own retry
    // layer is off).
    assert_eq!(hits, 4);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "Retry-After: 0 honoured"
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let started = std::time::Instant::now();
    let (result, _, hits) = run(Script::RetryAfterOnce, 2000).await;
    result.unwrap();
    assert_eq!(hits, 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    // A pause longer than a customer would wait: no retry, fall back now.
    let (result, _, hits) = run(Script::Storm("120"), 2000).await;
    assert_eq!(result, Err(ProviderError::RateLimited));
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn the_breaker_opens_after_repeated_failures_and_closes_after_a_success() {
    let (addr, hits) = mock(Script::DownFirst(2)).await;
    let p = OpenAiProvider::new(ProviderConfig {
        max_retries: 0,
        breaker_failures: 2,
        breaker_cooldown: Duration::from_millis(300),
        ..ProviderConfig::new(
            &format!("http://{addr}/compatible-mode/v1"),
            "sk-test",
            "qwen-plus",
        )
    })
    .unwrap();
    let messages = vec![json!({"role":"user","content":"hi"})];
    for _ in 0..2 {
        let r = p.stream(&messages, |_| {}).await;
        assert!(matches!(r, Err(ProviderError::Unavailable(_))), "{r:?}");
    }
    assert!(p.is_open());
    // Open: skipped without a request.
    assert_eq!(
        p.stream(&messages, |_| {}).await,
        Err(ProviderError::CircuitOpen)
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // After the cool-down one reply tries again; it succeeds and closes it.
    tokio::time::sleep(Duration::from_millis(350)).await;
    p.stream(&messages, |_| {}).await.unwrap();
    assert!(!p.is_open());
    p.stream(&messages, |_| {}).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}
