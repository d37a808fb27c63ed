//! Availability through the real server: the business-hours routes (who
//! may read and change them, every validation error naming its field, the
//! audit entry), the widget's availability (outside hours: the next
//! opening; within hours but nobody online: away all the same; an agent
//! online: available), and leaving a message (the e-mail checked and kept
//! on the customer, encrypted; the conversation queued with the away
//! notice; the reply read on return).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use chat_domain::model::Role;
use chrono::{Duration, Timelike as _, Utc};
use common::{TestApp, admin_token, create_staff, send, send_as, ws::Ws};
use serde_json::{Value, json};

on_both_backends!(
    business_hours_rbac_and_validation,
    leaving_a_message_while_away
);

async fn put_hours(app: &TestApp, token: &str, body: Value) -> common::Response {
    send_as(app, "PUT", "/api/v1/business-hours", Some(body), token).await
}

async fn business_hours_rbac_and_validation(app: &TestApp) {
    let admin = admin_token(app).await;
    let (_, agent) = create_staff(app, Role::Agent).await;
    let (_, supervisor) = create_staff(app, Role::Supervisor).await;

    // Never configured: off, read by any staff member.
    let r = app.get("/api/v1/business-hours", Some(&agent)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["enabled"], false);
    assert_eq!(v["time_zone"], "UTC");
    assert_eq!(v["days"], json!([]));
    assert_eq!(v["updated_at"], Value::Null);
    let customer = common::widget_token(app).await;
    assert_eq!(
        app.get("/api/v1/business-hours", Some(&customer))
            .await
            .status,
        403
    );
    assert_eq!(app.get("/api/v1/business-hours", None).await.status, 401);

    let good = json!({
        "enabled": true,
        "time_zone": "Europe/Paris",
        "days": [
            { "day": "tue", "open": "9:00", "close": "17:30" },
            { "day": "Monday", "open": "13:00", "close": "24:00" },
            { "day": "mon", "open": "08:00", "close": "12:00" }
        ],
        "holidays": ["2026-12-25", "2026-01-01", "2026-12-25"]
    });
    for token in [&agent, &supervisor] {
        let r = put_hours(app, token, good.clone()).await;
        assert_eq!(r.status, 403, "only admins change hours: {}", r.text);
    }

    // Each mistake is a 400 naming its field, and nothing is stored.
    let with = |patch: Value| {
        let mut b = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (body, field) in [
        (
            with(json!({ "time_zone": "Mars/Olympus_Mons" })),
            "time_zone",
        ),
        (
            with(json!({ "days": [{ "day": "funday", "open": "09:00", "close": "10:00" }] })),
            "days[0].day",
        ),
        (
            with(json!({ "days": [{ "day": "mon", "open": "9h", "close": "10:00" }] })),
            "days[0].open",
        ),
        (
            with(json!({ "days": [{ "day": "mon", "open": "10:00", "close": "09:00" }] })),
            "days[0].close",
        ),
        (
            with(json!({ "days": [
                { "day": "mon", "open": "09:00", "close": "12:00" },
                { "day": "mon", "open": "11:00", "close": "13:00" }
            ] })),
            "days",
        ),
        (with(json!({ "holidays": ["2026-02-30"] })), "holidays[0]"),
    ] {
        let r = put_hours(app, &admin, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json()["error"]["field"], field, "{}", r.text);
    }
    let r = put_hours(app, &admin, with(json!({ "open_on_sundays": true }))).await;
    assert_eq!(r.status, 400, "unknown fields are refused: {}", r.text);
    let r = put_hours(app, &admin, json!({ "enabled": true })).await;
    assert_eq!(r.status, 400, "time_zone is required: {}", r.text);
    let r = send(app, "PUT", "/api/v1/business-hours", None, Some(&admin)).await;
    assert_eq!(r.status, 400, "a body is required: {}", r.text);
    assert_eq!(
        app.get("/api/v1/business-hours", Some(&agent)).await.json()["updated_at"],
        Value::Null,
        "nothing stored"
    );

    // Stored normalized: days in order, times HH:MM, holidays sorted once.
    let r = put_hours(app, &admin, good).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = app
        .get("/api/v1/business-hours", Some(&supervisor))
        .await
        .json();
    assert_eq!(
        v["days"],
        json!([
            { "day": "mon", "open": "08:00", "close": "12:00" },
            { "day": "mon", "open": "13:00", "close": "24:00" },
            { "day": "tue", "open": "09:00", "close": "17:30" }
        ])
    );
    assert_eq!(v["holidays"], json!(["2026-01-01", "2026-12-25"]));
    assert_eq!(v["time_zone"], "Europe/Paris");
    assert!(v["updated_at"].is_string());
    assert!(v["updated_by"].is_string());
    let audit = app
        .get("/api/v1/audit?action=business_hours.updated", Some(&admin))
        .await;
    assert_eq!(
        common::audit_actions(&audit.json()),
        ["business_hours.updated"]
    );
}

/// Hours that are closed now: one hour a day, starting two hours from now
/// (UTC). Returns the body and the next opening.
fn closed_now() -> (Value, chrono::DateTime<Utc>) {
    let now = Utc::now();
    let open = (now + Duration::hours(2)).hour();
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({ "day": d, "open": format!("{open:02}:00"), "close": format!("{:02}:00", open + 1) }))
        .collect();
    let mut next = now
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap()
        .with_hour(open)
        .unwrap();
    if next <= now {
        next += Duration::days(1);
    }
    (
        json!({ "enabled": true, "time_zone": "UTC", "days": days }),
        next,
    )
}

async fn availability(app: &TestApp) -> Value {
    let r = app.get("/api/v1/widget/availability", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

async fn leaving_a_message_while_away(app: &TestApp) {
    let admin = admin_token(app).await;
    // Hours off and nobody online: away, with no opening to announce.
    let v = availability(app).await;
    assert_eq!(v["available"], false);
    assert_eq!(v["within_hours"], true);
    assert_eq!(v["agents_online"], false);
    assert_eq!(v["next_opening"], Value::Null);

    // Outside business hours: the next opening is announced.
    let (hours, next) = closed_now();
    assert_eq!(put_hours(app, &admin, hours).await.status, 200);
    let v = availability(app).await;
    assert_eq!(v["within_hours"], false);
    assert_eq!(v["available"], false);
    assert_eq!(v["reply_minutes"], Value::Null);
    let announced: chrono::DateTime<Utc> = v["next_opening"].as_str().unwrap().parse().unwrap();
    assert_eq!(announced, next);

    // A customer asks the assistant, then leaves a message.
    let (mut customer, token, conv) = Ws::visitor(app.addr, app).await;
    let path = format!("/api/v1/widget/conversations/{conv}/leave-message");
    for (body, field) in [
        (json!({ "email": "not an address" }), Some("email")),
        (json!({ "email": "" }), Some("email")),
        (json!({ "text": "no address" }), None),
    ] {
        let r = send_as(app, "POST", &path, Some(body.clone()), &token).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        if let Some(field) = field {
            assert_eq!(r.json()["error"]["field"], field, "{}", r.text);
        }
    }
    let long = json!({ "email": "a@example.com", "text": "x".repeat(8 * 1024) });
    let r = send_as(app, "POST", &path, Some(long), &token).await;
    assert_eq!(r.status, 413, "the JSON body limit: {}", r.error_message());
    // Someone else's conversation: 404, whatever the body.
    let stranger = common::widget_token(app).await;
    let r = send_as(app, "POST", &path, Some(json!({ "email": "x" })), &stranger).await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = send_as(
        app,
        "POST",
        &path,
        Some(json!({ "email": "  Mia@Example.COM ", "text": "My parcel never came. Order 1234.", "client_msg_id": "leave-1" })),
        &token,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = r.json();
    assert_eq!(c["state"], "queued");
    let customer_id = c["customer_id"].as_str().unwrap().to_owned();

    // The customer sees their message and the away notice, live: when
    // support is back as an instant (the widget shows it in the customer's
    // time zone), and in UTC in the English body.
    let mut seen = Vec::new();
    let notice = loop {
        let f = customer.next_of("message").await;
        if f["message"]["event"]["change"] == "left_message" {
            break f["message"].clone();
        }
        seen.push(f["message"].clone());
    };
    assert_eq!(notice["sender_kind"], "system");
    let back: chrono::DateTime<Utc> = notice["event"]["next_opening"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(back, next, "{notice}");
    let utc = next.format("We are back on %a %-d %b %Y at %H:%M (UTC).");
    assert!(
        notice["body"].as_str().unwrap().contains(&utc.to_string()),
        "{notice}"
    );
    assert!(
        seen.iter()
            .any(|m| m["body"] == "My parcel never came. Order 1234.")
    );

    // The agent finds the e-mail on the customer; it is encrypted at rest.
    let (agent_id, agent) = create_staff(app, Role::Agent).await;
    let r = app
        .get(&format!("/api/v1/customers/{customer_id}"), Some(&agent))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["customer"]["email"],
        "mia@example.com",
        "{}",
        r.text
    );
    let raw = chat_store::testing::raw_customer(&app.store, customer_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let sealed = raw.email.unwrap();
    assert!(
        sealed.starts_with("v1:") && !sealed.contains("mia"),
        "stored encrypted: {sealed}"
    );

    // "The next day": hours reopened, an agent online.
    assert_eq!(
        put_hours(app, &admin, json!({ "enabled": false, "time_zone": "UTC" }))
            .await
            .status,
        200
    );
    let (mut staff_ws, _) = Ws::hello(app.addr, &agent, json!([])).await;
    let mut available = availability(app).await;
    for _ in 0..50 {
        if available["available"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        available = availability(app).await;
    }
    assert_eq!(available["available"], true, "{available}");
    assert_eq!(available["next_opening"], Value::Null);
    let r = send_as(
        app,
        "POST",
        &format!("/api/v1/conversations/{conv}/accept"),
        None,
        &agent,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["assignee_id"], agent_id.to_string());
    staff_ws
        .send(json!({ "type": "send", "conversation_id": conv, "client_msg_id": "reply-1", "body": "Sorry! It ships today." }))
        .await;
    drop(customer);

    // The customer comes back: the reply is there.
    let mut found = false;
    for _ in 0..50 {
        let history = common::widget_messages(app, &conv, &token).await.json();
        if common::items(&history)
            .iter()
            .any(|m| m["body"] == "Sorry! It ships today." && m["sender_kind"] == "agent")
        {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found, "the agent's reply is in the history");
}
