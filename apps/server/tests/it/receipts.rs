//! Read receipts: `read` frames are stored (forward only) and relayed; a
//! socket that follows a conversation later (a reload, another device) gets
//! the stored positions of the other side as `read` frames after its
//! catch-up; the console's REST read route tells followers too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chat_domain::model::Role;
use common::TestApp;
use common::ws::Ws;
use serde_json::{Value, json};

on_both_backends!(
    read_positions_are_relayed_stored_and_replayed,
    bad_read_positions_are_refused
);

/// Follows `conv` on a fresh socket of `token`; returns the socket and the
/// `read` frames that came with the catch-up (until `last_seq` arrived).
async fn follow(app: &TestApp, token: &str, conv: &str, last_seq: i64) -> (Ws, Vec<Value>) {
    let (mut ws, _) = Ws::hello(app.addr, token, json!([])).await;
    ws.send(json!({ "type": "subscribe", "conversation_id": conv, "after_seq": 0, "ref": "s" }))
        .await;
    ws.next_of("subscribed").await;
    ws.messages(usize::try_from(last_seq).unwrap()).await;
    // The positions come right after the catch-up: a ping answered means
    // everything before it was sent.
    ws.send(json!({ "type": "ping", "ref": "p" })).await;
    let mut reads = Vec::new();
    loop {
        let f = ws.next().await;
        match f["type"].as_str() {
            Some("pong") => break,
            Some("read") => reads.push(f),
            _ => ws.seen.push(f),
        }
    }
    (ws, reads)
}

/// The next `read` frame by a reader of `kind` (a socket following the
/// conversation also gets its own side's reads back).
async fn read_by(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let f = ws.next_of("read").await;
        if f["actor"]["kind"] == kind {
            return f;
        }
    }
}

/// Where a `read` frame says its reader got to, and what kind of reader.
fn position(read: &Value) -> (Option<i64>, Option<&str>) {
    (read["up_to_seq"].as_i64(), read["actor"]["kind"].as_str())
}

async fn say(ws: &mut Ws, conv: &str, cmid: &str, body: &str) -> i64 {
    ws.send(
        json!({ "type": "send", "conversation_id": conv, "client_msg_id": cmid, "body": body }),
    )
    .await;
    ws.next_of("ack").await["seq"].as_i64().unwrap()
}

async fn read_positions_are_relayed_stored_and_replayed(app: &TestApp) {
    let (mut cws, ctoken, conv) = Ws::visitor(app.addr, app).await;
    let (agent_id, atoken) = common::create_staff(app, Role::Agent).await;
    say(&mut cws, &conv, "c1", "Where is my parcel?").await;
    let (mut aws, _) = Ws::hello(app.addr, &atoken, json!([])).await;
    let taken = aws.act("takeover", &conv).await;
    assert_eq!(taken["conversation"]["state"], "human", "{taken}");
    let last = say(&mut aws, &conv, "a0", "Hello, Ann here.").await;

    // Nothing read yet: a fresh follower gets no positions.
    let (mut aws2, reads) = follow(app, &atoken, &conv, last).await;
    assert!(reads.is_empty(), "{reads:?}");

    // The agent reads on the socket: the customer hears it, with the
    // agent's id (already on the `conversation` frames they get).
    aws2.send(json!({ "type": "read", "conversation_id": conv, "up_to_seq": last }))
        .await;
    let read = read_by(&mut cws, "agent").await;
    assert_eq!(position(&read), (Some(last), Some("agent")));
    assert_eq!(read["actor"]["id"], agent_id.to_string());

    // The agent replies; the customer reads it; the agent hears it.
    let reply = say(&mut aws, &conv, "a1", "It ships today.").await;
    cws.send(json!({ "type": "read", "conversation_id": conv, "up_to_seq": reply }))
        .await;
    let read = read_by(&mut aws2, "customer").await;
    assert_eq!(position(&read), (Some(reply), Some("customer")));

    // A reload agrees: each side is shown the other side's stored position.
    let (_c2, reads) = follow(app, &ctoken, &conv, reply).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(position(&reads[0]), (Some(last), Some("agent")));
    let (_a3, reads) = follow(app, &atoken, &conv, reply).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(position(&reads[0]), (Some(reply), Some("customer")));

    // The console's REST route moves the agent's position and tells the
    // customer live.
    let path = format!("/api/v1/conversations/{conv}/read");
    let r = common::send_as(app, "PUT", &path, Some(json!({ "seq": reply })), &atoken).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let read = read_by(&mut cws, "agent").await;
    assert_eq!(read["up_to_seq"], reply);
    // Positions never move back: an older device reporting late changes
    // nothing that a reload shows.
    let r = common::send_as(app, "PUT", &path, Some(json!({ "seq": 1 })), &atoken).await;
    assert_eq!(r.status, 204, "{}", r.text);
    cws.send(json!({ "type": "read", "conversation_id": conv, "up_to_seq": 1 }))
        .await;
    let (_c3, reads) = follow(app, &ctoken, &conv, reply).await;
    assert_eq!(reads[0]["up_to_seq"], reply);
    let (_a4, reads) = follow(app, &atoken, &conv, reply).await;
    assert_eq!(reads[0]["up_to_seq"], reply);
}

async fn bad_read_positions_are_refused(app: &TestApp) {
    let (mut cws, _, conv) = Ws::visitor(app.addr, app).await;
    let seq = say(&mut cws, &conv, "c1", "hello").await;
    for bad in [seq + 100, -1] {
        cws.send(json!({ "type": "read", "conversation_id": conv, "up_to_seq": bad, "ref": "r" }))
            .await;
        let e = cws.next_of("error").await;
        assert_eq!(
            (e["code"].as_str(), e["ref"].as_str()),
            (Some("validation_failed"), Some("r")),
            "{e}"
        );
        assert!(
            e["message"].as_str().unwrap().starts_with("up_to_seq"),
            "{e}"
        );
    }
    // Another customer cannot read (or learn of) this conversation.
    let (mut other, _, _) = Ws::visitor(app.addr, app).await;
    other
        .send(json!({ "type": "read", "conversation_id": conv, "up_to_seq": seq, "ref": "x" }))
        .await;
    assert_eq!(other.next_of("error").await["code"], "not_found");
    // Nor can an agent read a conversation that is another agent's.
    let (_, owner) = common::create_staff(app, Role::Agent).await;
    let (mut ows, _) = Ws::hello(app.addr, &owner, json!([])).await;
    assert_eq!(
        ows.act("takeover", &conv).await["conversation"]["state"],
        "human"
    );
    let (_, stranger) = common::create_staff(app, Role::Agent).await;
    let path = format!("/api/v1/conversations/{conv}/read");
    let r = common::send_as(app, "PUT", &path, Some(json!({ "seq": seq })), &stranger).await;
    assert_eq!(r.status, 404, "{}", r.text);
}
