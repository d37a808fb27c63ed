//! A local stand-in for an OpenAI-compatible endpoint, for tests of what
//! speaks to one (the provider, dense retrieval, and the server's assistant
//! in `apps/server/tests`). Enabled by the `test-support` feature.
//!
//! It is raw HTTP/1.1 over a socket rather than a mock-server crate on
//! purpose: the tests need what a well-behaved server never does (a stream
//! cut in the middle of a chunk, a reply slower than the client's timeout,
//! a `Retry-After` storm), and each test writes exactly the bytes it means.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The head of a streamed (Server-Sent Events) answer; the connection
/// closes after its body.
pub const SSE_HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";

/// The event that ends an OpenAI-style stream.
pub const SSE_DONE: &str = "data: [DONE]\n\n";

/// One request as the endpoint read it.
#[derive(Clone, Debug)]
pub struct Request {
    /// The request line and headers, without the blank line after them.
    pub head: String,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
}

impl Request {
    /// Head and body as text, for assertions on either.
    pub fn text(&self) -> String {
        format!(
            "{}\r\n\r\n{}",
            self.head,
            String::from_utf8_lossy(&self.body)
        )
    }

    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Whether the head carries `Authorization: Bearer <key>`.
    pub fn has_bearer(&self, key: &str) -> bool {
        self.head.to_ascii_lowercase().contains(&format!(
            "authorization: bearer {}",
            key.to_ascii_lowercase()
        ))
    }
}

/// A listening endpoint: its address and how many connections it accepted.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Where it listens (127.0.0.1, a free port).
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl Endpoint {
    /// Listens on a free local port and runs `on_connection` for each
    /// accepted connection, in a task of its own, with the connection's
    /// number (0 for the first). It reads its requests with
    /// [`read_request`] and writes its answers itself.
    ///
    /// # Panics
    ///
    /// When no local port can be bound (a test set-up failure).
    #[allow(clippy::expect_used)] // test support: a failed set-up is the report
    pub async fn serve<F, Fut>(on_connection: F) -> Self
    where
        F: Fn(TcpStream, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port for the mock endpoint");
        let addr = listener.local_addr().expect("the mock endpoint's address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(on_connection(sock, n));
            }
        });
        Self { addr, connections }
    }

    /// How many connections it accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads the next request on `sock` (its head, then `Content-Length` bytes
/// of body); `None` once the client closed the connection or it failed.
pub async fn read_request(sock: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    loop {
        let k = sock.read(&mut tmp).await.ok()?;
        if k == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..k]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let len = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            })
            .unwrap_or(0);
        if buf.len() >= end + 4 + len {
            let body = buf[end + 4..end + 4 + len].to_vec();
            return Some(Request { head, body });
        }
    }
}

/// A complete answer with a JSON body: `status` is the status line's end
/// (`"429 Too Many Requests"`), `headers` extra header lines, each ending
/// in `\r\n`.
pub fn json_response(status: &str, headers: &str, body: &Value) -> String {
    let body = body.to_string();
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{headers}\r\n{body}",
        body.len()
    )
}

/// A Server-Sent Events body: each value as one `data:` event (without the
/// final [`SSE_DONE`]).
pub fn sse(events: &[Value]) -> String {
    events.iter().map(|e| format!("data: {e}\n\n")).collect()
}

/// A stream chunk carrying `delta` (`{"content": …}`, `{"role": …}`,
/// `{"tool_calls": …}`) and `finish_reason` (`Value::Null` while it goes on).
pub fn chunk(delta: Value, finish_reason: Value) -> Value {
    json!({"id": "c", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]})
}

/// A chunk of text that does not end the answer.
pub fn text_chunk(content: &str) -> Value {
    chunk(json!({ "content": content }), Value::Null)
}

/// A `transfer_to_human` tool call, whole in one chunk.
pub fn handoff_chunk() -> Value {
    chunk(
        json!({"tool_calls": [{"index": 0, "id": "t", "type": "function", "function": {"name": "transfer_to_human", "arguments": "{}"}}]}),
        json!("tool_calls"),
    )
}

/// Writes a streamed answer (`SSE_HEAD`, `events`, `SSE_DONE`) and closes.
pub async fn write_stream(sock: &mut TcpStream, events: &[Value]) {
    let _ = sock
        .write_all(format!("{SSE_HEAD}{}{SSE_DONE}", sse(events)).as_bytes())
        .await;
    let _ = sock.shutdown().await;
}

/// Writes a stream that breaks: `text` in one chunk of a chunked body, then
/// a chunk promised 100 bytes long that ends after 5, and the connection
/// closes.
pub async fn write_broken_stream(sock: &mut TcpStream, text: &str) {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
    let part = sse(&[text_chunk(text)]);
    let _ = sock
        .write_all(format!("{head}{:x}\r\n{part}\r\n64\r\ndata:", part.len()).as_bytes())
        .await;
    let _ = sock.shutdown().await;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a panic is the failure report

    use super::*;

    #[tokio::test]
    async fn a_request_is_read_whole_and_answered() {
        let endpoint = Endpoint::serve(|mut sock, n| async move {
            while let Some(request) = read_request(&mut sock).await {
                assert!(request.has_bearer("sk-Test"), "{}", request.head);
                let answer = json_response("200 OK", "", &json!({"n": n, "got": request.json()}));
                let _ = sock.write_all(answer.as_bytes()).await;
            }
        })
        .await;
        let mut sock = TcpStream::connect(endpoint.addr).await.unwrap();
        let body = r#"{"q":"ünïcode"}"#;
        // Written in two pieces: the body arrives after the head was read.
        let head = format!(
            "POST /v1/x HTTP/1.1\r\nAuthorization: Bearer sk-test\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        sock.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        sock.write_all(body.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 4096];
        let k = sock.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..k]);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let body: Value = serde_json::from_str(body).unwrap();
        assert_eq!(body, json!({"n": 0, "got": {"q": "ünïcode"}}));
        assert_eq!(endpoint.connections(), 1);
    }

    #[test]
    fn answers_have_the_wire_shapes() {
        assert_eq!(
            sse(&[json!({"a": 1}), json!([])]),
            "data: {\"a\":1}\n\ndata: []\n\n"
        );
        let r = json_response("429 Too Many Requests", "retry-after: 1\r\n", &json!({}));
        assert_eq!(
            r,
            "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: 2\r\nretry-after: 1\r\n\r\n{}"
        );
    }
}
