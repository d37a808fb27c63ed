//! The wire protocol, versions 1 and 2: JSON text frames with a `type`
//! field. Version 2 differs in one rule: the socket that sends a message
//! gets its `ack` (which carries the stored message) and no `message` echo.
//! `docs/PROTOCOL.md` documents every frame with an example; this module is
//! where frames are decoded and encoded.

use bytestring::ByteString;
use chat_domain::auth::Principal;
use chat_domain::events::{Actor, PresenceStatus};
use chat_domain::ids::{ConversationId, UserId};
use chat_domain::model::{Conversation, ConversationState, Message};
use serde::{Deserialize, Serialize};

/// The newest protocol version this server speaks.
pub const PROTOCOL_VERSION: u32 = 2;

/// The oldest protocol version this server still speaks: version 1 also
/// echoes a sender's own messages to the socket that sent them.
pub const OLDEST_VERSION: u32 = 1;

/// Close codes (RFC 6455 registered ones and the application range 4000+).
pub mod close {
    /// The answer to the client's own close.
    pub const NORMAL: u16 = 1000;
    /// The server is shutting down: reconnect (to another node) and resume.
    pub const GOING_AWAY: u16 = 1001;
    /// A WebSocket protocol error (bad framing).
    pub const PROTOCOL: u16 = 1002;
    /// Flooding or another policy violation.
    pub const POLICY: u16 = 1008;
    /// A frame over the size limit.
    pub const TOO_BIG: u16 = 1009;
    /// A server bug.
    pub const INTERNAL: u16 = 1011;
    /// A dependency (the database) is unavailable: reconnect later and resume.
    pub const TRY_AGAIN: u16 = 1013;
    /// No valid `hello` in time, or the token was refused.
    pub const UNAUTHENTICATED: u16 = 4001;
    /// The client asked for a protocol version this server does not speak.
    pub const UNSUPPORTED_VERSION: u16 = 4002;
    /// No frame (not even a pong) for too long.
    pub const HEARTBEAT_TIMEOUT: u16 = 4003;
    /// The user's sessions were revoked (account deactivated, role or
    /// password changed, logged out everywhere): sign in again.
    pub const REVOKED: u16 = 4004;
    /// The client did not read fast enough; reconnect and resume.
    pub const SLOW_CONSUMER: u16 = 4008;
}

/// A conversation position to resume from.
#[derive(Clone, Debug, Deserialize)]
pub struct Resume {
    /// Which conversation.
    pub conversation_id: ConversationId,
    /// The last sequence the client has; everything after it is sent.
    #[serde(default)]
    pub after_seq: i64,
}

/// Frames a client sends. Each may carry `ref`, echoed in the reply.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame: authenticate, and optionally resume conversations.
    Hello {
        /// Protocol version the client speaks.
        v: u32,
        /// Access token (staff) or customer token.
        token: String,
        /// Conversations to subscribe to, with the last sequence seen.
        #[serde(default)]
        resume: Vec<Resume>,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Follow a conversation from `after_seq`.
    Subscribe {
        /// Which.
        conversation_id: ConversationId,
        /// Last sequence seen (0: from the start).
        #[serde(default)]
        after_seq: i64,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Stop following a conversation.
    Unsubscribe {
        /// Which.
        conversation_id: ConversationId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Customer: open a new conversation (and follow it).
    Open {
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Post a message.
    Send(SendFrame),
    /// Typing started or stopped.
    Typing {
        /// Where.
        conversation_id: ConversationId,
        /// Started (true) or stopped.
        on: bool,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Everything up to this sequence was read.
    Read {
        /// Where.
        conversation_id: ConversationId,
        /// Highest sequence read.
        up_to_seq: i64,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Customer: ask for a person.
    RequestHuman {
        /// Which conversation.
        conversation_id: ConversationId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Agent: take a queued conversation.
    Accept {
        /// Which conversation.
        conversation_id: ConversationId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Agent: take over from the assistant.
    Takeover {
        /// Which conversation.
        conversation_id: ConversationId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Agent: give the conversation back to the assistant.
    HandBack {
        /// Which conversation.
        conversation_id: ConversationId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Close the conversation.
    Close {
        /// Which conversation.
        conversation_id: ConversationId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Supervisor: assign an agent.
    Assign {
        /// Which conversation.
        conversation_id: ConversationId,
        /// To whom.
        agent_id: UserId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Hand a conversation to another agent.
    Transfer {
        /// Which conversation.
        conversation_id: ConversationId,
        /// To whom.
        agent_id: UserId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Staff: set availability.
    Presence {
        /// `online` or `away`.
        status: PresenceStatus,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Ask for the place in the queue.
    QueuePosition {
        /// Which conversation.
        conversation_id: ConversationId,
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
    /// Application-level ping (WebSocket pings work too).
    Ping {
        /// Correlation id, echoed in the reply.
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
}

/// Every `type` a client may send (to tell "unknown type" from "bad fields").
pub const CLIENT_TYPES: &[&str] = &[
    "hello",
    "subscribe",
    "unsubscribe",
    "open",
    "send",
    "typing",
    "read",
    "request_human",
    "accept",
    "takeover",
    "hand_back",
    "close",
    "assign",
    "transfer",
    "presence",
    "queue_position",
    "ping",
];

impl ClientFrame {
    /// The client's correlation id.
    pub fn reference(&self) -> Option<&str> {
        use ClientFrame::*;
        match self {
            Hello { reference, .. }
            | Subscribe { reference, .. }
            | Unsubscribe { reference, .. }
            | Open { reference }
            | Send(SendFrame { reference, .. })
            | Typing { reference, .. }
            | Read { reference, .. }
            | RequestHuman { reference, .. }
            | Accept { reference, .. }
            | Takeover { reference, .. }
            | HandBack { reference, .. }
            | Close { reference, .. }
            | Assign { reference, .. }
            | Transfer { reference, .. }
            | Presence { reference, .. }
            | QueuePosition { reference, .. }
            | Ping { reference } => reference.as_deref(),
        }
    }
}

/// Why a text frame could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON, or not an object with a string `type`.
    Malformed(String),
    /// A `type` this server does not know.
    UnknownType(String),
    /// A known type with missing or invalid fields.
    InvalidFields(String),
}

/// Decodes one text frame.
///
/// A well-formed frame is parsed once, straight into its [`ClientFrame`];
/// only a frame that fails that is parsed again, as a JSON value, to say
/// what is wrong with it and to find its `ref` (the same answer as
/// before: every frame the direct parse refuses goes through that path).
pub fn decode(text: &str) -> Result<ClientFrame, (DecodeError, Option<String>)> {
    if let Some(frame) = decode_send(text) {
        return Ok(frame);
    }
    if let Ok(frame) = serde_json::from_str::<ClientFrame>(text) {
        return Ok(frame);
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| (DecodeError::Malformed(format!("not JSON: {e}")), None))?;
    let reference = value.get("ref").and_then(|r| r.as_str()).map(str::to_owned);
    let Some(kind) = value.get("type").and_then(|t| t.as_str()) else {
        return Err((
            DecodeError::Malformed("expected an object with a string `type`".into()),
            reference,
        ));
    };
    if !CLIENT_TYPES.contains(&kind) {
        return Err((DecodeError::UnknownType(kind.to_owned()), reference));
    }
    serde_json::from_value(value)
        .map_err(|e| (DecodeError::InvalidFields(e.to_string()), reference))
}

/// A `send` frame's fields ([`ClientFrame::Send`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendFrame {
    /// Where.
    pub conversation_id: ConversationId,
    /// The sender's id for it: a resend with the same id is stored once.
    pub client_msg_id: String,
    /// The text.
    pub body: String,
    /// Staff: a private note, never shown to the customer.
    #[serde(default)]
    pub private: bool,
    /// Correlation id, echoed in the reply.
    #[serde(rename = "ref", default)]
    pub reference: Option<String>,
    /// The frame's `type`, present only when [`decode_send`] reads the
    /// frame on its own (the enum's path takes it before the fields) and
    /// cleared there.
    #[serde(rename = "type", default)]
    tag: Option<SendTag>,
}

/// The only `type` a [`SendFrame`] read on its own accepts.
#[derive(Clone, Copy, Debug, Deserialize)]
enum SendTag {
    #[serde(rename = "send")]
    Send,
}

/// A `send` frame, the one frame of every message, read in one pass.
///
/// serde reads an internally tagged enum such as [`ClientFrame`] by first
/// buffering the whole object (every key and value) to find its `type`,
/// which may come last (it does from clients that sort their keys), then
/// reading the variant from that buffer: two passes and an allocation per
/// field. [`SendFrame`] also takes `type`, so a `send` is read straight
/// from the text. It accepts only what [`ClientFrame`] accepts and reads it
/// to the same values; anything else (another type, an unknown or repeated
/// field) returns `None` and goes through the general path, which answers
/// exactly as before.
fn decode_send(text: &str) -> Option<ClientFrame> {
    let mut send: SendFrame = serde_json::from_str(text).ok()?;
    send.tag.take()?;
    Some(ClientFrame::Send(send))
}

/// Frames the server sends.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// Reply to `hello`.
    Welcome {
        /// Protocol version.
        v: u32,
        /// This connection's id (for support requests).
        session: &'a str,
        /// Who the token says the client is.
        principal: &'a Principal,
        /// The server pings this often; answer, or send anything.
        heartbeat_secs: u64,
        /// Largest frame accepted, in bytes.
        max_frame_bytes: usize,
        /// Frames per second allowed (burst: three times as many).
        rate_per_sec: u32,
        /// The request's `ref`, echoed.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// A conversation is followed; catch-up `message` frames follow.
    Subscribed {
        /// The conversation now.
        conversation: &'a Conversation,
        /// The request's `ref`, echoed.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// A stored message (catch-up or live), in sequence order per conversation.
    Message {
        /// The message.
        message: &'a Message,
    },
    /// A message of yours is stored.
    Ack {
        /// Where.
        conversation_id: ConversationId,
        /// Your id for it.
        client_msg_id: &'a str,
        /// Its sequence.
        seq: i64,
        /// Its server id.
        message_id: String,
        /// It was already stored (a resend); `seq` is the original one.
        duplicate: bool,
        /// The stored message, as a `message` frame would carry it: with
        /// version 2 the sending socket gets no echo and builds it from here.
        message: &'a Message,
        /// The request's `ref`, echoed.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// A conversation changed state or assignee (or was opened).
    Conversation {
        /// What happened (`opened`, `request_human`, `accept`, …).
        change: &'a str,
        /// The conversation now.
        conversation: &'a Conversation,
        /// Its state before.
        previous_state: Option<ConversationState>,
        /// Who did it.
        by: &'a Actor,
    },
    /// Someone is typing.
    Typing {
        /// Where.
        conversation_id: ConversationId,
        /// Who.
        actor: &'a Actor,
        /// Started or stopped.
        on: bool,
    },
    /// Someone has read up to a sequence.
    Read {
        /// Where.
        conversation_id: ConversationId,
        /// Who.
        actor: &'a Actor,
        /// Highest sequence read.
        up_to_seq: i64,
    },
    /// An agent's presence changed (staff only).
    Presence {
        /// Whose.
        agent_id: UserId,
        /// Now.
        status: PresenceStatus,
    },
    /// A queued conversation is offered to you.
    Offer {
        /// Which.
        conversation_id: ConversationId,
    },
    /// A conversation has waited too long in the queue (supervisors).
    QueueAlert {
        /// Which.
        conversation_id: ConversationId,
        /// How long, in seconds.
        waited_secs: u64,
    },
    /// A piece of an assistant reply being generated.
    AiDelta {
        /// Where.
        conversation_id: ConversationId,
        /// The reply being streamed; its final message has this client id.
        reply_id: &'a str,
        /// The next text.
        delta: &'a str,
        /// Discard the draft of this reply before appending `delta`
        /// (sent only when true).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        reset: bool,
    },
    /// Place in the queue (`null`: not queued).
    QueuePosition {
        /// Which.
        conversation_id: ConversationId,
        /// 1-based position.
        position: Option<u32>,
        /// The request's `ref`, echoed.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// A command succeeded.
    Result {
        /// The conversation after the command, when it concerns one.
        #[serde(skip_serializing_if = "Option::is_none")]
        conversation: Option<&'a Conversation>,
        /// The request's `ref`, echoed.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// Reply to `ping`.
    Pong {
        /// The request's `ref`, echoed.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// A frame was refused; the connection stays open.
    Error {
        /// Stable code (`bad_frame`, `unknown_type`, `rate_limited`, `not_found`, …).
        code: &'a str,
        /// What went wrong, for people.
        message: &'a str,
        /// The request's `ref`, echoed.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
}

impl ServerFrame<'_> {
    /// The JSON text of the frame.
    pub fn to_text(&self) -> String {
        // Serializing these plain structs cannot fail.
        serde_json::to_string(self)
            .unwrap_or_else(|_| r#"{"type":"error","code":"internal","message":"encode"}"#.into())
    }
}

/// The text of a `message` frame for [`ServerFrame::Message`].
const MESSAGE_FRAME_START: &str = r#"{"type":"message","message":"#;

/// A stored message encoded once, for every frame that carries it: the
/// `message` frame each follower of its conversation gets (the same bytes
/// for all of them, shared, not copied) and the sender's `ack`.
#[derive(Clone, Debug)]
pub struct EncodedMessage {
    /// The whole `message` frame; the message's own JSON is inside it.
    frame: ByteString,
}

impl EncodedMessage {
    /// Encodes `message`.
    pub fn new(message: &Message) -> Self {
        // Serializing a plain struct cannot fail.
        let object = serde_json::to_string(message).unwrap_or_else(|_| "null".into());
        let mut frame = String::with_capacity(MESSAGE_FRAME_START.len() + object.len() + 1);
        frame.push_str(MESSAGE_FRAME_START);
        frame.push_str(&object);
        frame.push('}');
        Self {
            frame: frame.into(),
        }
    }

    /// The `message` frame (a reference-counted handle on the same bytes).
    pub fn frame(&self) -> ByteString {
        self.frame.clone()
    }

    /// The message's own JSON object.
    fn object(&self) -> &str {
        &self.frame[MESSAGE_FRAME_START.len()..self.frame.len() - 1]
    }

    /// The `ack` of this message ([`ServerFrame::Ack`], `message` last).
    pub fn ack(
        &self,
        message: &Message,
        client_msg_id: &str,
        duplicate: bool,
        reference: Option<&str>,
    ) -> String {
        /// [`ServerFrame::Ack`] without its message.
        #[derive(Serialize)]
        #[serde(tag = "type", rename = "ack")]
        struct Head<'a> {
            conversation_id: ConversationId,
            client_msg_id: &'a str,
            seq: i64,
            message_id: String,
            duplicate: bool,
            #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
            reference: Option<&'a str>,
        }
        let head = Head {
            conversation_id: message.conversation_id,
            client_msg_id,
            seq: message.seq,
            message_id: message.id.to_string(),
            duplicate,
            reference,
        };
        let mut text = serde_json::to_string(&head).unwrap_or_else(|_| "{}".into());
        // `{…}` becomes `{…,"message":{…}}`.
        text.pop();
        text.push_str(r#","message":"#);
        text.push_str(self.object());
        text.push('}');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_tells_malformed_unknown_and_invalid_apart() {
        assert!(matches!(
            decode("{nope"),
            Err((DecodeError::Malformed(_), None))
        ));
        assert!(matches!(
            decode("[1]"),
            Err((DecodeError::Malformed(_), None))
        ));
        assert!(matches!(
            decode(r#"{"type":"dance","ref":"r1"}"#),
            Err((DecodeError::UnknownType(t), Some(r))) if t == "dance" && r == "r1"
        ));
        assert!(matches!(
            decode(r#"{"type":"send","conversation_id":"x"}"#),
            Err((DecodeError::InvalidFields(_), None))
        ));
        let ok = decode(r#"{"type":"ping","ref":"7"}"#).unwrap();
        assert_eq!(ok.reference(), Some("7"));
    }

    fn stored(client_msg_id: &str) -> Message {
        Message {
            id: chat_domain::ids::MessageId::new(),
            conversation_id: ConversationId::new(),
            seq: 7,
            sender_kind: chat_domain::model::SenderKind::Customer,
            sender_id: Some("c-1".into()),
            sender_name: Some("Zoë \"Z\" <z@x>".into()),
            kind: chat_domain::model::MessageKind::Text,
            body: "héllo \"there\"\n\u{1F600} </script>".into(),
            attachment: None,
            event: None,
            client_msg_id: Some(client_msg_id.into()),
            created_at: chat_domain::time::now(),
        }
    }

    #[test]
    fn a_message_encoded_once_reads_as_the_frames_encoded_each_time() {
        let cmid = "m-\"1\"\\é";
        let m = stored(cmid);
        let once = EncodedMessage::new(&m);
        assert_eq!(
            once.frame(),
            ServerFrame::Message { message: &m }.to_text(),
            "byte for byte"
        );
        for (duplicate, reference) in [(false, None), (true, Some("r-\"9\""))] {
            let ack: serde_json::Value =
                serde_json::from_str(&once.ack(&m, cmid, duplicate, reference))
                    .expect("the ack is JSON");
            let want = serde_json::to_value(ServerFrame::Ack {
                conversation_id: m.conversation_id,
                client_msg_id: cmid,
                seq: m.seq,
                message_id: m.id.to_string(),
                duplicate,
                message: &m,
                reference,
            })
            .unwrap();
            assert_eq!(ack, want);
        }
    }

    #[test]
    fn the_direct_parse_and_the_checked_one_agree() {
        let c = ConversationId::new();
        let send = format!(
            r#"{{"type":"send","conversation_id":"{c}","client_msg_id":"a","body":"b","ref":"r"}}"#
        );
        let ClientFrame::Send(SendFrame {
            conversation_id,
            client_msg_id,
            body,
            private,
            reference,
            ..
        }) = decode(&send).unwrap()
        else {
            panic!("a send");
        };
        assert_eq!(
            (
                conversation_id,
                client_msg_id.as_str(),
                body.as_str(),
                private,
                reference.as_deref()
            ),
            (c, "a", "b", false, Some("r"))
        );
        // What the direct parse refuses is still told apart, `ref` kept.
        let unknown_field = format!(
            r#"{{"type":"send","conversation_id":"{c}","client_msg_id":"a","body":"b","x":1,"ref":"r"}}"#
        );
        assert!(matches!(
            decode(&unknown_field),
            Err((DecodeError::InvalidFields(_), Some(r))) if r == "r"
        ));
        // The one-pass `send` reads what the enum reads, whatever the key
        // order, escapes and optional fields; what it does not take, the
        // enum's path answers.
        for (text, one_pass) in [
            (
                format!(
                    r#"{{"body":"b\n\u00e9","client_msg_id":"a","conversation_id":"{c}","type":"send"}}"#
                ),
                true,
            ),
            (
                format!(
                    r#"{{"type":"send","private":true,"ref":null,"conversation_id":"{c}","client_msg_id":"a","body":""}}"#
                ),
                true,
            ),
            (
                format!(
                    r#"{{"type":"s\u0065nd","conversation_id":"{c}","client_msg_id":"a","body":"b"}}"#
                ),
                true,
            ),
            (
                format!(r#"{{"type":"typing","conversation_id":"{c}","on":true}}"#),
                false,
            ),
            (
                format!(
                    r#"{{"type":"send","conversation_id":"{c}","client_msg_id":"a","body":"b","body":"c"}}"#
                ),
                false,
            ),
            (
                format!(r#"{{"type":"send","conversation_id":"{c}","client_msg_id":"a"}}"#),
                false,
            ),
        ] {
            let fast = decode_send(&text).map(|f| format!("{f:?}"));
            assert_eq!(fast.is_some(), one_pass, "{text}");
            if let Some(fast) = fast {
                let enum_path =
                    serde_json::from_str::<ClientFrame>(&text).map(|f| format!("{f:?}"));
                assert_eq!(Some(fast), enum_path.ok(), "{text}");
            }
        }
        assert!(
            decode_send(&send).is_some(),
            "a plain send takes the one pass"
        );
        // A repeated key: the last one counts, as it always did (the direct
        // parse refuses it, the JSON value keeps the last).
        let repeated = format!(
            r#"{{"type":"subscribe","conversation_id":"{c}","after_seq":1,"after_seq":2}}"#
        );
        assert!(matches!(
            decode(&repeated),
            Ok(ClientFrame::Subscribe { after_seq: 2, .. })
        ));
    }
}
