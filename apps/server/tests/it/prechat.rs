//! The pre-chat form: admins configure it, the widget submits a customer's
//! answers (checked on the server, stored on the customer, the custom
//! answer encrypted at rest), staff see them, and a customer who skips a
//! required field cannot start a conversation on the socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chat_domain::ids::CustomerId;
use chat_domain::model::Role;
use common::TestApp;
use common::ws::Ws;
use serde_json::{Value, json};

on_both_backends!(
    admins_configure_the_form,
    a_required_field_blocks_the_first_conversation
);

const SETTINGS: &str = "/api/v1/settings/prechat";
const WIDGET: &str = "/api/v1/widget/prechat";

fn field_error(r: &common::Response) -> (u16, String) {
    (
        r.status,
        r.json()["error"]["field"].as_str().unwrap_or("").to_owned(),
    )
}

async fn configure(app: &TestApp, admin: &str, form: Value) -> common::Response {
    common::send_as(app, "PUT", SETTINGS, Some(form), admin).await
}

async fn admins_configure_the_form(app: &TestApp) {
    let admin = common::admin_token(app).await;
    // Never configured: every field off.
    let r = app.get(SETTINGS, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({ "name": "off", "email": "off", "phone": "off", "custom": "off", "custom_label": null })
    );

    let form = json!({ "name": "optional", "email": "required", "phone": "off",
                       "custom": "optional", "custom_label": "  Your order number? " });
    let r = configure(app, &admin, form).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["custom_label"], "Your order number?");
    assert_eq!(app.get(SETTINGS, Some(&admin)).await.json(), r.json());
    let audit = app
        .get("/api/v1/audit?action=prechat.updated", Some(&admin))
        .await;
    assert_eq!(common::audit_actions(&audit.json()), ["prechat.updated"]);

    // Bad forms: a question without its label, an unknown mode or field.
    for (bad, field) in [
        (json!({ "custom": "required" }), "custom_label"),
        (
            json!({ "custom": "required", "custom_label": "x".repeat(201) }),
            "custom_label",
        ),
    ] {
        assert_eq!(
            field_error(&configure(app, &admin, bad).await),
            (400, field.to_owned())
        );
    }
    // Not an object at all (serde reads a struct from an array by position:
    // `[]` once reset the form to all "off" with a 200; found by schemathesis).
    for bad in [
        json!({ "email": "sometimes" }),
        json!({ "age": "required" }),
        json!([]),
        json!(["off", "off", "off", "off", null]),
        json!("off"),
    ] {
        let r = configure(app, &admin, bad.clone()).await;
        assert_eq!(
            field_error(&r),
            (400, "body".to_owned()),
            "{bad}: {}",
            r.text
        );
    }
    // The form is unchanged by refused changes.
    assert_eq!(
        app.get(SETTINGS, Some(&admin)).await.json()["email"],
        "required"
    );

    // Admins only.
    for role in [Role::Agent, Role::Supervisor] {
        let (_, token) = common::create_staff(app, role).await;
        assert_eq!(app.get(SETTINGS, Some(&token)).await.status, 403);
        assert_eq!(configure(app, &token, json!({})).await.status, 403);
    }
    let customer = common::widget_token(app).await;
    assert_eq!(configure(app, &customer, json!({})).await.status, 403);
    assert_eq!(app.get(SETTINGS, None).await.status, 401);
}

async fn a_required_field_blocks_the_first_conversation(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let form = json!({ "name": "optional", "email": "required", "phone": "optional",
                       "custom": "required", "custom_label": "Your order number?" });
    assert_eq!(configure(app, &admin, form).await.status, 200);

    let session = common::widget_session(app).await;
    let token = session["token"].as_str().unwrap().to_owned();
    let customer_id: CustomerId = session["customer_id"].as_str().unwrap().parse().unwrap();
    let mine = app.get(WIDGET, Some(&token)).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(
        (
            mine.json()["submitted"].as_bool(),
            mine.json()["missing"].as_str()
        ),
        (Some(false), Some("email"))
    );
    assert_eq!(mine.json()["form"]["custom_label"], "Your order number?");

    // The socket refuses a conversation before the form: the form cannot be
    // skipped by writing first.
    let (mut ws, _) = Ws::hello(app.addr, &token, json!([])).await;
    ws.send(json!({ "type": "open", "ref": "o" })).await;
    let e = ws.next_of("error").await;
    assert_eq!(
        (e["code"].as_str(), e["ref"].as_str()),
        (Some("validation_failed"), Some("o")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().starts_with("email"), "{e}");

    // Answers are checked against the form, field by field.
    let submit = |body: Value| {
        let token = token.clone();
        async move { common::send_as(app, "POST", WIDGET, Some(body), &token).await }
    };
    let good =
        json!({ "name": " Ada Lovelace ", "email": " Ada@Example.COM ", "answer": "A-1017" });
    for (bad, field) in [
        (json!({}), "email"),
        (json!({ "email": "   ", "answer": "A-1017" }), "email"),
        (
            json!({ "email": "ada@example", "answer": "A-1017" }),
            "email",
        ),
        (
            json!({ "email": "not an address", "answer": "A-1017" }),
            "email",
        ),
        (json!({ "email": "ada@example.com" }), "answer"),
        (
            json!({ "email": "ada@example.com", "answer": "x".repeat(1001) }),
            "answer",
        ),
        (
            json!({ "email": "ada@example.com", "answer": "1", "phone": "call me" }),
            "phone",
        ),
        (
            json!({ "email": "ada@example.com", "answer": "1", "name": "n".repeat(201) }),
            "name",
        ),
    ] {
        let r = submit(bad.clone()).await;
        assert_eq!(
            field_error(&r),
            (400, field.to_owned()),
            "{bad}: {}",
            r.text
        );
        assert_eq!(r.json()["error"]["code"], "validation_failed");
    }
    assert_eq!(
        submit(json!({ "email": "a@b.co", "age": 3 })).await.status,
        400
    );
    // Still nothing stored: the socket still refuses.
    ws.send(json!({ "type": "open", "ref": "o2" })).await;
    assert_eq!(ws.next_of("error").await["ref"], "o2");

    let r = submit(good).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.json()["submitted"].as_bool(),
            r.json()["missing"].as_str()
        ),
        (Some(true), None)
    );
    let conv = ws.open(json!({ "type": "open", "ref": "o3" })).await;
    assert!(!conv.is_empty());

    // Staff see the answers on the customer; the contact details and the
    // answer are ciphertext at rest.
    let (_, agent) = common::create_staff(app, Role::Agent).await;
    let (mut aws, _) = Ws::hello(app.addr, &agent, json!([])).await;
    assert_eq!(
        aws.act("takeover", &conv).await["conversation"]["state"],
        "human"
    );
    let detail = app
        .get(&format!("/api/v1/customers/{customer_id}"), Some(&agent))
        .await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    let c = &detail.json()["customer"];
    assert_eq!(
        (
            c["name"].as_str(),
            c["email"].as_str(),
            c["prechat_question"].as_str(),
            c["prechat_answer"].as_str()
        ),
        (
            Some("Ada Lovelace"),
            Some("ada@example.com"),
            Some("Your order number?"),
            Some("A-1017")
        )
    );
    assert!(c["prechat_at"].is_string(), "{c}");
    let raw = chat_store::testing::raw_customer(&app.store, customer_id)
        .await
        .unwrap()
        .unwrap();
    let answer = raw.prechat_answer.unwrap();
    assert!(
        answer.starts_with("v1:") && !answer.contains("A-1017"),
        "{answer}"
    );
    assert!(!raw.email.unwrap().contains("ada@"));

    // The form read again: submitted, nothing missing.
    let mine = app.get(WIDGET, Some(&token)).await.json();
    assert_eq!(
        (mine["submitted"].as_bool(), mine["missing"].as_str()),
        (Some(true), None)
    );
}
