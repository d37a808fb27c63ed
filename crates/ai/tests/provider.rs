//! The OpenAI-compatible provider against a local mock that streams
//! Server-Sent Events the way DashScope does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::net::SocketAddr;
use std::time::Duration;

use chat_ai::provider::{OpenAiProvider, ProviderConfig, ProviderError, StreamItem};
use chat_ai::testing::{
    Endpoint, SSE_DONE, SSE_HEAD, chunk, json_response, read_request, sse, text_chunk,
    write_broken_stream, write_stream,
};
use serde_json::json;
use tokio::io::AsyncWriteExt;

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

/// The DashScope stream: a role-only first chunk, text, a last chunk whose
/// `finish_reason` is `""` (with `reasoning_content`), and a usage chunk.
fn dashscope() -> Vec<serde_json::Value> {
    vec![
        chunk(json!({"role": "assistant", "content": ""}), json!(null)),
        text_chunk("您好，"),
        json!({"choices":[{"index":0,"delta":{"content":"订单可在「我的订单」查看。","reasoning_content":"…"},"finish_reason":""}],"system_fingerprint":null}),
        json!({"choices":[],"usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}),
    ]
}

/// An error answer (`{"error": {"message", "type", "code"}}`) that closes
/// the connection; `headers` are extra header lines.
fn error(status: &str, headers: &str, message: &str, kind: &str, code: &str) -> String {
    let body = json!({"error": {"message": message, "type": kind, "code": code}});
    json_response(status, &format!("{headers}connection: close\r\n"), &body)
}

async fn mock(script: Script) -> Endpoint {
    Endpoint::serve(move |mut sock, n| async move {
        let Some(request) = read_request(&mut sock).await else {
            return;
        };
        assert!(
            request
                .head
                .starts_with("POST /compatible-mode/v1/chat/completions "),
            "{}",
            request.head
        );
        assert!(request.has_bearer("sk-test"), "{}", request.head);
        assert_eq!(request.json()["stream"], true);
        // 429, with this `Retry-After` when it is not empty.
        let rate_limit = match (script, n) {
            (Script::Storm(after), _) => Some(after),
            (Script::RetryAfterOnce, 0) => Some("1"),
            (Script::RateLimitedOnce, 0) => Some(""),
            _ => None,
        };
        let answer = if let Some(after) = rate_limit {
            let retry = if after.is_empty() {
                String::new()
            } else {
                format!("retry-after: {after}\r\n")
            };
            error(
                "429 Too Many Requests",
                &retry,
                "Requests rate limit exceeded",
                "limit_requests",
                "limit_requests",
            )
        } else {
            match (script, n) {
                (Script::DownFirst(k), n) if n < k => error(
                    "503 Service Unavailable",
                    "",
                    "service unavailable",
                    "server_error",
                    "unavailable",
                ),
                (Script::Moderation, _) => error(
                    "400 Bad Request",
                    "",
                    "Input data may contain inappropriate content.",
                    "data_inspection_failed",
                    "DataInspectionFailed",
                ),
                (Script::Slow, _) => {
                    let _ = sock.write_all(SSE_HEAD.as_bytes()).await;
                    for part in ["one ", "two ", "three"] {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        let _ = sock.write_all(sse(&[text_chunk(part)]).as_bytes()).await;
                    }
                    SSE_DONE.to_owned()
                }
                (Script::Broken, _) => return write_broken_stream(&mut sock, "half an ").await,
                (Script::ToolCall, _) => {
                    let call = json!({"index":0,"id":"call_1","type":"function","function":{"name":"transfer_to_human","arguments":""}});
                    let events = [
                        chunk(
                            json!({"role":"assistant","content":null,"tool_calls":[call]}),
                            json!(null),
                        ),
                        chunk(
                            json!({"tool_calls":[{"index":0,"function":{"arguments":"{\"reason\":\"asked\"}"}}]}),
                            json!("tool_calls"),
                        ),
                    ];
                    return write_stream(&mut sock, &events).await;
                }
                _ => return write_stream(&mut sock, &dashscope()).await,
            }
        };
        let _ = sock.write_all(answer.as_bytes()).await;
        let _ = sock.shutdown().await;
    })
    .await
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
    let endpoint = mock(script).await;
    let p = provider(endpoint.addr, chunk_timeout_ms);
    let mut items = Vec::new();
    let messages = vec![json!({"role":"user","content":"我的订单在哪"})];
    let result = p.stream(&messages, |i| items.push(i)).await;
    (result, items, endpoint.connections())
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
    let endpoint = mock(Script::DownFirst(2)).await;
    let addr = endpoint.addr;
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
    assert_eq!(endpoint.connections(), 2);
    // After the cool-down one reply tries again; it succeeds and closes it.
    tokio::time::sleep(Duration::from_millis(350)).await;
    p.stream(&messages, |_| {}).await.unwrap();
    assert!(!p.is_open());
    p.stream(&messages, |_| {}).await.unwrap();
    assert_eq!(endpoint.connections(), 4);
}
