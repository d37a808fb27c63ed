//! User management: RBAC cell by cell, validation, and changes that take
//! effect at once (deactivation, role changes, password resets).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use chat_domain::model::Role;
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, create_staff, send};
use serde_json::{Value, json};

on_both_backends!(
    users_rbac_validation_and_immediate_effect,
    canned_responses_personal_and_shared,
    staff_directory_names_presence_and_load
);

/// Agents read the directory (names, roles, presence, load) without
/// e-mail addresses; admins see those too; deactivated accounts are absent.
async fn staff_directory_names_presence_and_load(app: &TestApp) {
    let admin = common::admin_token(app).await;
    let (agent_id, agent) = create_staff(app, Role::Agent).await;
    let (gone_id, _) = create_staff(app, Role::Agent).await;
    let uri = format!("/api/v1/users/{gone_id}");
    let payload = json!({"active": false});
    let r = send(app, "PATCH", &uri, Some(payload), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The agent holds one conversation.
    let (_cws, customer, conv_id) = common::ws::Ws::visitor(app.addr, app).await;
    let customer = customer.as_str();
    let uri = format!("/api/v1/conversations/{conv_id}/assign");
    let payload = json!({"agent_id": agent_id.to_string()});
    let r = send(app, "POST", &uri, Some(payload), Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let seen = send(app, "GET", "/api/v1/staff", None, Some(&agent)).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    let items = seen.json()["items"].as_array().unwrap().clone();
    let me = items
        .iter()
        .find(|m| m["id"] == agent_id.to_string())
        .expect("the agent is listed");
    assert_eq!(me["display_name"], "Ann");
    assert_eq!(me["role"], "agent");
    assert_eq!(me["load"], 1, "{me}");
    assert!(["online", "away", "offline"].contains(&me["presence"].as_str().unwrap()));
    assert!(
        items.iter().all(|m| m.get("email").is_none()),
        "no e-mail for agents: {items:?}"
    );
    assert!(
        items.iter().all(|m| m["id"] != gone_id.to_string()),
        "deactivated accounts are absent"
    );
    let by_admin = send(app, "GET", "/api/v1/staff", None, Some(&admin))
        .await
        .json();
    assert!(
        common::items(&by_admin)
            .iter()
            .any(|m| m["email"] == ADMIN_EMAIL),
        "{by_admin}"
    );
    let refused = send(app, "GET", "/api/v1/staff", None, Some(customer)).await;
    assert_eq!(refused.status, 403);
}

async fn users_rbac_validation_and_immediate_effect(app: &TestApp) {
    let admin = app.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, supervisor) = create_staff(app, Role::Supervisor).await;
    let (agent_id, agent) = create_staff(app, Role::Agent).await;
    let customer = common::widget_token(app).await;
    let new_user = || json!({ "email": format!("{}@example.com", uuid::Uuid::now_v7().simple()), "display_name": "Bob", "role": "agent", "password": "bob password 1" });

    // The RBAC matrix of the user routes: (method, path, body) × caller → status.
    let target = format!("/api/v1/users/{agent_id}");
    let routes: Vec<(&str, String, Option<Value>, u16)> = vec![
        ("GET", "/api/v1/users".into(), None, 200),
        ("POST", "/api/v1/users".into(), Some(new_user()), 201),
        ("GET", target.clone(), None, 200),
        (
            "PATCH",
            target.clone(),
            Some(json!({ "display_name": "Ann B." })),
            200,
        ),
        (
            "POST",
            format!("{target}/password"),
            Some(json!({ "password": "reset password 1" })),
            204,
        ),
    ];
    for (method, path, body, ok) in &routes {
        for (who, token, expected) in [
            ("anonymous", None, 401),
            ("customer", Some(customer.as_str()), 403),
            ("agent", Some(agent.as_str()), 403),
            ("supervisor", Some(supervisor.as_str()), 403),
        ] {
            let body = if *method == "POST" && path == "/api/v1/users" {
                Some(new_user())
            } else {
                body.clone()
            };
            let r = send(app, method, path, body, token).await;
            assert_eq!(r.status, expected, "{who} {method} {path}: {}", r.text);
        }
        let body = if *method == "POST" && path == "/api/v1/users" {
            Some(new_user())
        } else {
            body.clone()
        };
        let r = send(app, method, path, body, Some(&admin)).await;
        assert_eq!(r.status, *ok, "admin {method} {path}: {}", r.text);
    }
    // The agent's password was reset above: its refresh tokens are dead, the old password too.
    assert_eq!(
        app.post_json(
            "/api/v1/auth/login",
            &json!({ "email": "x", "password": "agent password" }),
            None
        )
        .await
        .status,
        401
    );

    // A bad body next to an authentication lookup in flight: actix drops the
    // lookup when the body fails first. That once panicked the worker on
    // SQLite (a cancelled statement waits with block_in_place); now the
    // store runs detached and the server always answers.
    for _ in 0..20 {
        let payload = json!({ "email": "x" });
        let r = send(app, "PATCH", &target, Some(payload), Some(&supervisor)).await;
        assert!(matches!(r.status, 400 | 403), "{}", r.status);
    }

    // Validation names the field; duplicates conflict; unknown fields are refused.
    for (body, field) in [
        (
            json!({ "email": "not-an-email", "display_name": "B", "role": "agent", "password": "long enough 1" }),
            "email",
        ),
        (
            json!({ "email": "b@example.com", "display_name": "", "role": "agent", "password": "long enough 1" }),
            "display_name",
        ),
        (
            json!({ "email": "b@example.com", "display_name": "B", "role": "agent", "password": "short" }),
            "password",
        ),
    ] {
        let r = send(app, "POST", "/api/v1/users", Some(body), Some(&admin)).await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (400, Some(field)),
            "{}",
            r.text
        );
    }
    let r = send(app, "POST", "/api/v1/users", Some(json!({ "email": "c@example.com", "display_name": "C", "role": "root", "password": "long enough 1" })), Some(&admin)).await;
    assert_eq!(r.status, 400, "unknown role: {}", r.text);
    let r = send(app, "POST", "/api/v1/users", Some(json!({ "email": ADMIN_EMAIL, "display_name": "Dup", "role": "agent", "password": "long enough 1" })), Some(&admin)).await;
    assert_eq!((r.status, r.error_code().as_str()), (409, "conflict"));
    let payload = json!({ "colour": "blue" });
    let r = send(app, "PATCH", &target, Some(payload), Some(&admin)).await;
    assert_eq!(r.status, 400);
    let uri = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
    assert_eq!(send(app, "GET", &uri, None, Some(&admin)).await.status, 404);

    // A new user can log in; a role change applies at once.
    let bob = new_user();
    let created = send(
        app,
        "POST",
        "/api/v1/users",
        Some(bob.clone()),
        Some(&admin),
    )
    .await
    .json();
    let bob_token = app
        .token(bob["email"].as_str().unwrap(), "bob password 1")
        .await;
    assert_eq!(app.get("/api/v1/audit", Some(&bob_token)).await.status, 403);
    let bob_path = format!("/api/v1/users/{}", created["id"].as_str().unwrap());
    send(
        app,
        "PATCH",
        &bob_path,
        Some(json!({ "role": "admin" })),
        Some(&admin),
    )
    .await;
    // A role change ends the sessions issued under the old role, access
    // tokens included; signing in again gives the new role at once.
    assert_eq!(
        app.get("/api/v1/audit", Some(&bob_token)).await.status,
        401,
        "a token issued before the role change"
    );
    let bob_token = app
        .token(bob["email"].as_str().unwrap(), "bob password 1")
        .await;
    assert_eq!(
        app.get("/api/v1/audit", Some(&bob_token)).await.status,
        200,
        "promotion applies at once"
    );
    // Deactivation locks the account out at once, access token included.
    let payload = json!({ "active": false });
    let r = send(app, "PATCH", &bob_path, Some(payload), Some(&admin)).await;
    assert_eq!(r.json()["active"], false);
    assert_eq!(app.get("/api/v1/me", Some(&bob_token)).await.status, 401);
    let payload = json!({ "email": bob["email"], "password": "bob password 1" });
    let r = app.post_json("/api/v1/auth/login", &payload, None).await;
    assert_eq!(r.status, 401);

    // Admins cannot lock themselves out.
    let me = app.get("/api/v1/me", Some(&admin)).await.json();
    let own = format!("/api/v1/users/{}", me["id"].as_str().unwrap());
    for body in [json!({ "active": false }), json!({ "role": "agent" })] {
        let r = send(app, "PATCH", &own, Some(body), Some(&admin)).await;
        assert_eq!(r.status, 409, "{}", r.text);
    }

    // Changing one's own password needs the current one.
    let payload = json!({ "current_password": "wrong", "new_password": "new password 1" });
    let uri = "/api/v1/me/password";
    let r = send(app, "POST", uri, Some(payload), Some(&supervisor)).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (400, Some("current_password"))
    );
    let (_, carol) = create_staff(app, Role::Agent).await;
    let payload =
        json!({ "current_password": "agent password", "new_password": "carol's new one" });
    let uri = "/api/v1/me/password";
    let r = send(app, "POST", uri, Some(payload), Some(&carol)).await;
    assert_eq!(r.status, 204, "{}", r.text);

    // Every write is in the audit log.
    let audit = app
        .get("/api/v1/audit?limit=200", Some(&admin))
        .await
        .json();
    let actions = common::audit_actions(&audit);
    for a in [
        "user.created",
        "user.updated",
        "user.password_reset",
        "user.password_changed",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    // Filters: by target and by time.
    let created_id = created["id"].as_str().unwrap();
    let about_bob = app
        .get(&format!("/api/v1/audit?target={created_id}"), Some(&admin))
        .await
        .json();
    assert!(
        common::items(&about_bob)
            .iter()
            .all(|e| e["target"] == created_id)
    );
    assert!(
        common::items(&about_bob).len() >= 3,
        "created, promoted, deactivated"
    );
    let future = app
        .get("/api/v1/audit?from=2099-01-01T00:00:00Z", Some(&admin))
        .await
        .json();
    assert!(common::items(&future).is_empty());
    let bad = app.get("/api/v1/audit?to=soon", Some(&admin)).await;
    assert_eq!(
        (bad.status, bad.json()["error"]["field"].as_str()),
        (400, Some("to"))
    );
    // Paging.
    let page = app.get("/api/v1/users?limit=2", Some(&admin)).await.json();
    assert_eq!(common::items(&page).len(), 2);
    let uri = format!(
        "/api/v1/users?limit=2&after={}",
        page["next_after"].as_str().unwrap()
    );
    let next = app.get(&uri, Some(&admin)).await.json();
    assert!(next["items"][0]["id"].as_str() > page["items"][1]["id"].as_str());
}

/// Canned responses: personal for everyone, shared for supervisors.
async fn canned_responses_personal_and_shared(app: &TestApp) {
    let (_, agent) = create_staff(app, Role::Agent).await;
    let (_, other) = create_staff(app, Role::Agent).await;
    let (_, sup) = create_staff(app, Role::Supervisor).await;
    let payload =
        json!({ "shortcut": "/hello", "title": "Greeting", "body": "Hi! How can I help?" });
    let mine = send(app, "POST", "/api/v1/canned", Some(payload), Some(&agent)).await;
    assert_eq!(
        (mine.status, mine.json()["shortcut"].as_str()),
        (201, Some("hello")),
        "{}",
        mine.text
    );
    let r = send(app, "POST", "/api/v1/canned", Some(json!({ "shortcut": "refund", "title": "Refunds", "body": "3 to 5 days.", "shared": true })), Some(&agent)).await;
    assert_eq!(r.status, 403, "agents cannot share");
    let shared = send(app, "POST", "/api/v1/canned", Some(json!({ "shortcut": "refund", "title": "Refunds", "body": "3 to 5 days.", "shared": true })), Some(&sup)).await;
    assert_eq!(shared.status, 201);
    let payload = json!({ "shortcut": "refund", "title": "Again", "body": "x", "shared": true });
    let dup = send(app, "POST", "/api/v1/canned", Some(payload), Some(&sup)).await;
    assert_eq!(dup.status, 409);
    let payload = json!({ "shortcut": "two words", "title": "t", "body": "b" });
    let bad = send(app, "POST", "/api/v1/canned", Some(payload), Some(&agent)).await;
    assert_eq!(
        (bad.status, bad.json()["error"]["field"].as_str()),
        (400, Some("shortcut"))
    );
    // The agent sees the shared one and their own; the other agent only the shared one.
    let list = send(app, "GET", "/api/v1/canned", None, Some(&agent))
        .await
        .json();
    let shortcuts: Vec<&str> = common::items(&list)
        .iter()
        .map(|c| c["shortcut"].as_str().unwrap())
        .collect();
    assert_eq!(shortcuts, ["hello", "refund"]);
    let list = send(app, "GET", "/api/v1/canned", None, Some(&other))
        .await
        .json();
    assert_eq!(common::items(&list).len(), 1);
    // Editing: own yes, someone else's personal one is not there, shared needs a supervisor.
    let mine_id = mine.id();
    let shared_id = shared.id();
    let edit = json!({ "shortcut": "hi", "title": "Greeting", "body": "Hello!" });
    let mine = format!("/api/v1/canned/{mine_id}");
    let shared = format!("/api/v1/canned/{shared_id}");
    let put = async |path: &str, token: &str| {
        send(app, "PUT", path, Some(edit.clone()), Some(token))
            .await
            .status
    };
    assert_eq!(put(&mine, &agent).await, 200);
    assert_eq!(put(&mine, &other).await, 404);
    assert_eq!(put(&shared, &agent).await, 403);
    assert_eq!(
        send(app, "DELETE", &shared, None, Some(&sup)).await.status,
        204
    );
    assert_eq!(
        send(app, "DELETE", &mine, None, Some(&other)).await.status,
        404
    );
    assert_eq!(
        send(app, "GET", "/api/v1/canned", None, None).await.status,
        401
    );
}
