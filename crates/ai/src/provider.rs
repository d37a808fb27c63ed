//! An OpenAI-compatible chat provider (DashScope / Qwen by default), on
//! async-openai's bring-your-own-types calls.
//!
//! Compatible providers send values the typed API rejects (`finish_reason:
//! ""`, extra fields, a role-only first chunk, a usage-only last chunk with
//! empty `choices`, `reasoning_content`), and one rejected chunk would end a
//! typed stream. Chunks are therefore read as plain JSON and only the fields
//! used here are looked at: a quirky chunk cannot kill a reply.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

/// DashScope's OpenAI-compatible endpoint (mainland China).
pub const DASHSCOPE_BASE_URL: &str = "https://dashscope.aliyuncs.com/compatible-mode/v1";

/// The provider's settings.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// Base URL, without a trailing slash.
    pub base_url: String,
    /// API key (never logged).
    pub api_key: String,
    /// Model name, e.g. `qwen-plus`.
    pub model: String,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest wait for the next chunk (first one included).
    pub chunk_timeout: Duration,
    /// Retries of 429 / 5xx / connection failures before the stream starts
    /// (at most `1 + max_retries` requests per reply: the HTTP client's own
    /// retry layer is off).
    pub max_retries: u32,
    /// Consecutive failed replies (after their retries) that open the
    /// circuit breaker: replies then skip the provider for `breaker_cooldown`
    /// (0: never open).
    pub breaker_failures: u32,
    /// How long an open breaker skips the provider before one reply tries
    /// it again.
    pub breaker_cooldown: Duration,
}

impl ProviderConfig {
    /// Settings with the usual timeouts, 3 retries and a breaker that
    /// opens after 5 failed replies in a row for 30 s.
    pub fn new(base_url: &str, api_key: &str, model: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            api_key: api_key.to_owned(),
            model: model.to_owned(),
            connect_timeout: Duration::from_secs(5),
            chunk_timeout: Duration::from_secs(30),
            max_retries: 3,
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// What the stream yields, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamItem {
    /// A piece of the answer.
    Delta(String),
    /// The model called `transfer_to_human`.
    Handoff,
    /// Token accounting (from the usage chunk).
    Usage {
        /// Prompt tokens.
        prompt: u64,
        /// Completion tokens.
        completion: u64,
    },
}

/// Why a reply failed. Every variant ends in a polite fallback for the
/// customer, never in silence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The provider's content moderation refused the request
    /// (DashScope: `DataInspectionFailed`).
    #[error("refused by content moderation")]
    Moderation,
    /// Still rate-limited after the retries.
    #[error("rate limited")]
    RateLimited,
    /// Unreachable, 5xx after the retries, a timeout, or a broken stream.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request for another reason (4xx).
    #[error("request refused: {0}")]
    Refused(String),
    /// Skipped: the provider failed repeatedly and the circuit breaker is
    /// open (no request was made).
    #[error("provider skipped while it recovers")]
    CircuitOpen,
}

/// A 429 or 5xx answer, with the provider's `Retry-After` (which
/// async-openai's error type drops, so our HTTP layer reads it).
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {message}")]
struct HttpFailure {
    status: u16,
    retry_after: Option<Duration>,
    message: String,
}

/// The HTTP layer under async-openai: plain reqwest, no retries (the
/// client's default stack retries 429/5xx itself, and a loop around it
/// multiplied requests), turning 429/5xx answers into [`HttpFailure`]s that
/// keep `Retry-After`.
#[derive(Clone)]
struct Http {
    client: reqwest::Client,
}

impl tower::Service<async_openai::middleware::HttpRequestFactory> for Http {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<reqwest::Response, OpenAIError>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), OpenAIError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: async_openai::middleware::HttpRequestFactory) -> Self::Future {
        let client = self.client.clone();
        Box::pin(async move {
            let response = client
                .execute(request.build().await?)
                .await
                .map_err(OpenAIError::Reqwest)?;
            let status = response.status();
            if status.as_u16() != 429 && !status.is_server_error() {
                return Ok(response);
            }
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64);
            let body = response.text().await.unwrap_or_default();
            let message = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
                .unwrap_or_default();
            Err(OpenAIError::Boxed(Box::new(HttpFailure {
                status: status.as_u16(),
                retry_after,
                message,
            })))
        })
    }
}

/// An async-openai client for an OpenAI-compatible endpoint (base URL and
/// key set explicitly: async-openai would otherwise read `OPENAI_BASE_URL` /
/// `OPENAI_API_KEY`) over [`Http`]: no hidden retries, 429/5xx kept with
/// their `Retry-After`. Shared by the chat provider and the embeddings
/// client.
pub(crate) fn openai_client(
    base_url: &str,
    api_key: &str,
    connect_timeout: Duration,
    read_timeout: Duration,
) -> Result<Client<OpenAIConfig>, reqwest::Error> {
    // reqwest is built without a default TLS provider; use ring's.
    // rustls 0.23.48 deprecates ring's provider (no post-quantum key
    // exchange); ring is chosen on purpose (aws-lc-rs needs cmake and a C
    // toolchain), so the warning is silenced, not the choice changed.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .read_timeout(read_timeout)
        .build()?;
    let openai = OpenAIConfig::new()
        .with_api_base(base_url.trim_end_matches('/'))
        .with_api_key(api_key.to_owned());
    Ok(Client::build(http.clone(), openai).with_http_service(Http { client: http }))
}

/// Consecutive failures and, when open, until when.
#[derive(Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

/// The tool the model may call instead of answering.
pub fn transfer_tool() -> Value {
    json!({
        "type": "function",
        "function": {
            "name": "transfer_to_human",
            "description": "Hand the conversation to a human agent: the customer asks for a person, is upset, or needs something you cannot do.",
            "parameters": { "type": "object", "properties": { "reason": { "type": "string" } } }
        }
    })
}

/// An OpenAI-compatible streaming chat client.
pub struct OpenAiProvider {
    client: Client<OpenAIConfig>,
    config: ProviderConfig,
    breaker: Mutex<Breaker>,
}

impl OpenAiProvider {
    /// Builds the client ([`openai_client`]).
    pub fn new(config: ProviderConfig) -> Result<Self, ProviderError> {
        let client = openai_client(
            &config.base_url,
            &config.api_key,
            config.connect_timeout,
            config.chunk_timeout,
        )
        .map_err(|e| ProviderError::Unavailable(format!("http client: {e}")))?;
        Ok(Self {
            client,
            config,
            breaker: Mutex::new(Breaker::default()),
        })
    }

    /// The model in use.
    pub fn model(&self) -> &str {
        &self.config.model
    }

    /// True while the circuit breaker skips the provider.
    pub fn is_open(&self) -> bool {
        self.lock_breaker()
            .open_until
            .is_some_and(|t| Instant::now() < t)
    }

    fn lock_breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a reply's outcome: a success closes the breaker, the N-th
    /// failure in a row opens it (a failed trial after a cool-down reopens
    /// it at once). A refusal (moderation, 4xx) says nothing about the
    /// provider's health.
    fn record(&self, result: &Result<(), ProviderError>) {
        let mut b = self.lock_breaker();
        match result {
            Ok(()) => *b = Breaker::default(),
            Err(
                ProviderError::Moderation | ProviderError::Refused(_) | ProviderError::CircuitOpen,
            ) => {}
            Err(_) => {
                b.failures += 1;
                let limit = self.config.breaker_failures;
                if limit > 0 && b.failures >= limit {
                    if b.open_until.is_none() {
                        tracing::warn!(
                            failures = b.failures,
                            "AI provider failing: skipping it for a while"
                        );
                    }
                    b.open_until = Some(Instant::now() + self.config.breaker_cooldown);
                }
            }
        }
    }

    /// Streams a completion of `messages` (OpenAI format), calling `on_item`
    /// for each piece. Retries before the first chunk (at most
    /// `1 + max_retries` requests, waiting what `Retry-After` asks, or an
    /// exponential backoff); once text has been handed out, a failure ends
    /// the stream with the error (the caller decides what the customer
    /// sees). While the breaker is open, fails at once with
    /// [`ProviderError::CircuitOpen`].
    pub async fn stream(
        &self,
        messages: &[Value],
        on_item: impl FnMut(StreamItem),
    ) -> Result<(), ProviderError> {
        {
            let mut b = self.lock_breaker();
            if let Some(until) = b.open_until {
                if Instant::now() < until {
                    return Err(ProviderError::CircuitOpen);
                }
                // Half-open: this reply tries; others keep skipping until
                // it has succeeded or failed.
                b.open_until = Some(Instant::now() + self.config.breaker_cooldown);
            }
        }
        let result = self.stream_once(messages, on_item).await;
        self.record(&result);
        result
    }

    async fn stream_once(
        &self,
        messages: &[Value],
        mut on_item: impl FnMut(StreamItem),
    ) -> Result<(), ProviderError> {
        let request = json!({
            "model": self.config.model,
            "messages": messages,
            "stream": true,
            "stream_options": { "include_usage": true },
            "tools": [transfer_tool()],
        });
        let mut attempt = 0;
        let mut stream = loop {
            match self
                .client
                .chat()
                .create_stream_byot::<_, Value>(request.clone())
                .await
            {
                Ok(s) => break s,
                Err(e) => {
                    let err = classify(&e);
                    let retryable = matches!(
                        err,
                        ProviderError::RateLimited | ProviderError::Unavailable(_)
                    );
                    if !retryable || attempt >= self.config.max_retries {
                        return Err(err);
                    }
                    attempt += 1;
                    let wait = retry_after(&e)
                        .unwrap_or_else(|| Duration::from_millis(100 * (1 << attempt.min(5))));
                    // A provider asking for a longer pause than a customer
                    // would wait for the first word: give up now (fallback).
                    if wait > self.config.chunk_timeout {
                        return Err(err);
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        };
        let mut tool_called = false;
        loop {
            let next = tokio::time::timeout(self.config.chunk_timeout, stream.next())
                .await
                .map_err(|_| {
                    ProviderError::Unavailable("no data from the provider in time".into())
                })?;
            let Some(chunk) = next else { break };
            let chunk = match chunk {
                Ok(v) => v,
                Err(OpenAIError::JSONDeserialize(e, _)) => {
                    tracing::debug!(error = %e, "skipping an undecodable chunk");
                    continue;
                }
                Err(e) => return Err(classify(&e)),
            };
            for item in read_chunk(&chunk, &mut tool_called) {
                on_item(item);
            }
        }
        Ok(())
    }
}

/// The items in one chunk, looking only at the fields used.
pub fn read_chunk(chunk: &Value, tool_called: &mut bool) -> Vec<StreamItem> {
    let mut out = Vec::new();
    if let Some(choices) = chunk.get("choices").and_then(Value::as_array) {
        for choice in choices {
            let delta = &choice["delta"];
            if let Some(text) = delta.get("content").and_then(Value::as_str)
                && !text.is_empty()
            {
                out.push(StreamItem::Delta(text.to_owned()));
            }
            if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
                for call in calls {
                    if call["function"]["name"].as_str() == Some("transfer_to_human")
                        && !*tool_called
                    {
                        *tool_called = true;
                        out.push(StreamItem::Handoff);
                    }
                }
            }
        }
    }
    if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
        out.push(StreamItem::Usage {
            prompt: usage["prompt_tokens"].as_u64().unwrap_or(0),
            completion: usage["completion_tokens"].as_u64().unwrap_or(0),
        });
    }
    out
}

fn http_failure(e: &OpenAIError) -> Option<&HttpFailure> {
    match e {
        OpenAIError::Boxed(b) => b.downcast_ref::<HttpFailure>(),
        _ => None,
    }
}

fn retry_after(e: &OpenAIError) -> Option<Duration> {
    http_failure(e).and_then(|f| f.retry_after)
}

fn classify(e: &OpenAIError) -> ProviderError {
    if let Some(f) = http_failure(e) {
        return if f.status == 429 {
            ProviderError::RateLimited
        } else {
            ProviderError::Unavailable(format!("{} {}", f.status, f.message))
        };
    }
    match e {
        OpenAIError::ApiError(r) => {
            let api = &r.api_error;
            let text = format!("{} {}", api.code.as_deref().unwrap_or(""), api.message);
            if text.contains("DataInspectionFailed") || text.contains("data_inspection_failed") {
                ProviderError::Moderation
            } else if r.status_code.as_u16() == 429 {
                ProviderError::RateLimited
            } else if r.status_code.is_server_error() {
                ProviderError::Unavailable(format!("{} {}", r.status_code, api.message))
            } else {
                ProviderError::Refused(format!("{} {}", r.status_code, api.message))
            }
        }
        OpenAIError::Reqwest(e) => ProviderError::Unavailable(e.to_string()),
        OpenAIError::StreamError(e) => ProviderError::Unavailable(e.to_string()),
        other => ProviderError::Unavailable(other.to_string()),
    }
}

/// A rough token count for budgeting context: a Chinese character is about
/// one token, an English word about 1.3.
pub fn estimate_tokens(text: &str) -> usize {
    let cjk = text
        .chars()
        .filter(|c| matches!(*c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF))
        .count();
    let words = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    cjk + (words * 13).div_ceil(10) + 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quirky_chunks_are_read_tolerantly() {
        let mut tool = false;
        let role_only =
            json!({"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]});
        assert!(read_chunk(&role_only, &mut tool).is_empty());
        let odd = json!({"choices":[{"delta":{"content":"你好","reasoning_content":"…"},"finish_reason":""}],"service_tier":"weird","extra":1});
        assert_eq!(
            read_chunk(&odd, &mut tool),
            vec![StreamItem::Delta("你好".into())]
        );
        let usage = json!({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}});
        assert_eq!(
            read_chunk(&usage, &mut tool),
            vec![StreamItem::Usage {
                prompt: 12,
                completion: 3
            }]
        );
        let call = json!({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"transfer_to_human","arguments":""}}]},"finish_reason":"eos"}]});
        assert_eq!(read_chunk(&call, &mut tool), vec![StreamItem::Handoff]);
        let more_args = json!({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"transfer_to_human","arguments":"{}"}}]}}]});
        assert!(
            read_chunk(&more_args, &mut tool).is_empty(),
            "one handoff per stream"
        );
    }

    #[test]
    fn token_estimates_count_both_languages() {
        assert!(estimate_tokens("我的订单还没到") >= 7);
        assert!(estimate_tokens("where is my order") >= 5);
    }
}
