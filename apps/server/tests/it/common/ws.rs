//! A small WebSocket test client speaking the protocol's JSON frames.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Ws {
    pub inner: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames received while waiting for another one, in order.
    pub seen: Vec<Value>,
    /// How long [`Ws::next`] waits for a frame (5 s unless a test that
    /// waits on slower work, such as the assistant's, allows more).
    pub patience: Duration,
}

/// How a socket ended.
#[derive(Debug, PartialEq)]
pub enum Ended {
    Closed(Option<u16>, String),
    Dropped,
}

impl Ws {
    pub async fn connect(addr: SocketAddr) -> Self {
        let (inner, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
            .await
            .expect("ws connect");
        Self {
            inner,
            seen: Vec::new(),
            patience: Duration::from_secs(5),
        }
    }

    /// Connects and says hello in protocol version 1 (a sender's own
    /// messages are echoed to it); returns the welcome frame.
    pub async fn hello(addr: SocketAddr, token: &str, resume: Value) -> (Self, Value) {
        Self::hello_in(1, addr, token, resume).await
    }

    /// Connects and says hello in protocol version `v`; returns the
    /// welcome frame.
    pub async fn hello_in(v: u32, addr: SocketAddr, token: &str, resume: Value) -> (Self, Value) {
        let mut ws = Self::connect(addr).await;
        ws.send(json!({ "type": "hello", "v": v, "token": token, "resume": resume }))
            .await;
        let welcome = ws.next_of("welcome").await;
        assert_eq!(welcome["v"], v, "answered in the version asked for");
        (ws, welcome)
    }

    /// Connects and says hello resuming `conv` after `after_seq`; returns
    /// the welcome frame.
    pub async fn resume(
        addr: SocketAddr,
        token: &str,
        conv: &str,
        after_seq: i64,
    ) -> (Self, Value) {
        let resume = json!([{ "conversation_id": conv, "after_seq": after_seq }]);
        Self::hello(addr, token, resume).await
    }

    /// A new widget visitor opens a conversation: their socket, token and
    /// the conversation id.
    pub async fn visitor(addr: SocketAddr, app: &super::TestApp) -> (Self, String, String) {
        let token = super::widget_token(app).await;
        let (mut ws, _) = Self::hello(addr, &token, json!([])).await;
        let conv = ws.open(json!({ "type": "open", "ref": "o" })).await;
        (ws, token, conv)
    }

    /// Sends an `open` frame and waits until subscribed: the conversation id.
    pub async fn open(&mut self, frame: Value) -> String {
        self.send(frame).await;
        self.next_of("subscribed").await["conversation"]["id"]
            .as_str()
            .expect("conversation id")
            .to_owned()
    }

    pub async fn send(&mut self, frame: Value) {
        self.inner
            .send(Message::text(frame.to_string()))
            .await
            .expect("ws send");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.inner
            .send(Message::text(text.to_owned()))
            .await
            .expect("ws send");
    }

    /// Sends one text message as several frames (a first text frame, then
    /// continuations), with a WebSocket ping between the first two.
    pub async fn send_fragments(&mut self, parts: &[&str]) {
        use tokio_tungstenite::tungstenite::protocol::frame::Frame;
        use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
        for (i, part) in parts.iter().enumerate() {
            let op = if i == 0 { Data::Text } else { Data::Continue };
            let last = i + 1 == parts.len();
            let frame = Frame::message(part.as_bytes().to_vec(), OpCode::Data(op), last);
            self.inner
                .send(Message::Frame(frame))
                .await
                .expect("ws send");
            if i == 0 {
                self.inner
                    .send(Message::Ping(b"between".to_vec().into()))
                    .await
                    .expect("ws send");
            }
        }
    }

    /// The next JSON frame (within [`Ws::patience`]).
    pub async fn next(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(self.patience, self.inner.next())
                .await
                .unwrap_or_else(|_| panic!("no frame within {:?}", self.patience))
                .expect("socket open")
                .expect("frame ok");
            match msg {
                Message::Text(t) => return serde_json::from_str(&t).expect("JSON frame"),
                Message::Close(c) => panic!("closed: {c:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame of `kind`: first from the frames skipped earlier, then
    /// from the socket (remembering what it skips, in order).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        if let Some(pos) = self.seen.iter().position(|f| f["type"] == kind) {
            return self.seen.remove(pos);
        }
        loop {
            let f = self.next().await;
            if f["type"] == kind {
                return f;
            }
            self.seen.push(f);
        }
    }

    /// Sends an action frame of `kind` on `conv`; returns its `result`.
    pub async fn act(&mut self, kind: &str, conv: &str) -> Value {
        self.send(json!({ "type": kind, "conversation_id": conv }))
            .await;
        self.next_of("result").await
    }

    /// Skips `conversation` frames until one in `state`; returns it.
    pub async fn until_state(&mut self, state: &str) -> Value {
        loop {
            let f = self.next_of("conversation").await;
            if f["conversation"]["state"] == state {
                return f;
            }
        }
    }

    /// Collects `message` frames until `n` have arrived.
    pub async fn messages(&mut self, n: usize) -> Vec<Value> {
        let mut out = Vec::new();
        while out.len() < n {
            let f = self.next_of("message").await;
            out.push(f["message"].clone());
        }
        out
    }

    /// Waits for the socket to end (10 s at most).
    pub async fn ended(&mut self) -> Ended {
        loop {
            match tokio::time::timeout(Duration::from_secs(10), self.inner.next()).await {
                Err(_) => panic!("socket still open after 10 s"),
                Ok(None) | Ok(Some(Err(_))) => return Ended::Dropped,
                Ok(Some(Ok(Message::Close(c)))) => {
                    return Ended::Closed(
                        c.as_ref().map(|f: &CloseFrame| u16::from(f.code)),
                        c.map(|f| f.reason.to_string()).unwrap_or_default(),
                    );
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Asserts nothing arrives for `d` (except pings).
    pub async fn quiet_for(&mut self, d: Duration) {
        if let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(d, self.inner.next()).await {
            panic!("unexpected frame: {t}");
        }
    }
}
