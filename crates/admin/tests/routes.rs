//! chat-admin's routes alone: the crate's `configure` in an actix-web test
//! service over a throwaway SQLite database, the in-process bus and
//! presence; no server, no gateway. Sign-in, role refusal, a resource's
//! life cycle with its audit entries, and the widget's routes (leaving a
//! message while away among them).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::{App, test, web};
use chat_admin::Services;
use chat_admin::http::WidgetConfig;
use chat_domain::model::{AuditEntry, AuditFilter};
use chat_domain::ports::Store;
use chat_store::testing::TestDb;
use serde_json::{Value, json};

const ADMIN: (&str, &str) = ("admin@example.com", "admin password 1");

// The example's wiring, so that what the tests run is what it shows.
#[allow(dead_code)]
#[path = "../examples/embedded_admin.rs"]
mod embedded;

/// The back office's services over a fresh database, with a first admin.
async fn services(db: &TestDb) -> Services {
    with_app_data(db).await.0
}

/// [`services`] and the app data the example registers (availability,
/// attachments kept in a fresh folder).
async fn with_app_data(db: &TestDb) -> (Services, embedded::AppData) {
    let widget = WidgetConfig {
        secret: Some(b"widget secret".to_vec()),
    };
    let files = std::env::temp_dir().join(format!(
        "chat-admin-files-{}",
        uuid::Uuid::now_v7().simple()
    ));
    embedded::services(db.store.clone(), ADMIN, widget, &files)
        .await
        .unwrap()
}

/// The app the example serves: its wiring (`embedded::configure`) with the
/// settings it adds around it.
macro_rules! example_app {
    ($services:expr, $data:expr) => {
        test::init_service(
            App::new()
                .app_data(chat_admin::http::json_config(16 * 1024))
                .app_data(chat_admin::http::query_config())
                .app_data(chat_admin::http::path_config())
                .configure(embedded::configure($services, $data))
                .default_service(web::to(chat_admin::http::not_found)),
        )
        .await
    };
}

/// The test service: the crate's routes with the app-level settings an
/// embedding app adds (the one JSON error body for bodies, queries, paths
/// and unknown routes).
macro_rules! app {
    ($services:expr) => {
        test::init_service(
            App::new()
                .app_data(chat_admin::http::json_config(16 * 1024))
                .app_data(chat_admin::http::query_config())
                .app_data(chat_admin::http::path_config())
                .configure(chat_admin::configure($services))
                .default_service(web::to(chat_admin::http::not_found)),
        )
        .await
    };
}

/// A new widget customer through the app, with an open conversation: their
/// token and the conversation.
macro_rules! customer_conversation {
    ($app:expr, $store:expr) => {{
        let (_, session) = call!(
            $app,
            test::TestRequest::post().uri("/api/v1/widget/sessions")
        );
        let token = session["token"].as_str().unwrap().to_owned();
        let customer = session["customer_id"].as_str().unwrap().parse().unwrap();
        let conv = chat_domain::model::Conversation::open(customer, chat_domain::time::now());
        $store.create_conversation(&conv).await.unwrap();
        (token, conv)
    }};
}

/// Sends a `TestRequest`; the status and the JSON body (`Null` when empty).
macro_rules! call {
    ($app:expr, $req:expr) => {
        answer(test::call_service($app, $req.to_request()).await).await
    };
}

/// Signs in; the access token.
macro_rules! login {
    ($app:expr, $email:expr, $password:expr) => {{
        let (status, body) = call!(
            $app,
            post(
                "/api/v1/auth/login",
                json!({ "email": $email, "password": $password })
            )
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }};
}

async fn answer(resp: ServiceResponse) -> (StatusCode, Value) {
    let status = resp.status();
    let body = test::read_body(resp).await;
    let json = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"))
    };
    (status, json)
}

fn post(path: &str, body: Value) -> test::TestRequest {
    test::TestRequest::post().uri(path).set_json(body)
}

fn get(path: &str) -> test::TestRequest {
    test::TestRequest::get().uri(path)
}

fn bearer(req: test::TestRequest, token: &str) -> test::TestRequest {
    req.insert_header(("authorization", format!("Bearer {token}")))
}

async fn audited(store: &dyn Store, action: &str) -> Vec<AuditEntry> {
    store
        .list_audit(&AuditFilter {
            action: Some(action.into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
}

#[actix_web::test]
async fn sign_in_is_checked_and_audited_by_the_routes() {
    let db = TestDb::sqlite().await;
    let services = services(&db).await;
    let store = services.store.clone();
    let app = app!(services);

    let wrong = json!({ "email": ADMIN.0, "password": "wrong password" });
    let (status, body) = call!(&app, post("/api/v1/auth/login", wrong));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
    let failed = audited(store.as_ref(), "auth.login_failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].target.as_deref(), Some(ADMIN.0));
    assert!(
        failed[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("wrong password")
    );

    let token = login!(&app, ADMIN.0, ADMIN.1);
    assert_eq!(audited(store.as_ref(), "auth.login").await.len(), 1);
    let (status, me) = call!(&app, bearer(get("/api/v1/me"), &token));
    assert_eq!(
        (status, me["email"].as_str()),
        (StatusCode::OK, Some(ADMIN.0))
    );

    // A body that is not JSON is refused with the one error body.
    let (status, body) = call!(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/auth/login")
            .insert_header(("content-type", "text/plain"))
            .set_payload("hello")
    );
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"]["code"], "unsupported_media_type");
}

#[actix_web::test]
async fn users_are_managed_by_admins_only_and_each_change_is_audited() {
    let db = TestDb::sqlite().await;
    let services = services(&db).await;
    let store = services.store.clone();
    let app = app!(services);
    let admin = login!(&app, ADMIN.0, ADMIN.1);
    let ann = json!({
        "email": "ann@example.com", "display_name": "Ann", "role": "agent", "password": "ann password 1"
    });

    // Create, read, update.
    let (status, user) = call!(&app, bearer(post("/api/v1/users", ann.clone()), &admin));
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/users/{id}");
    let (status, got) = call!(&app, bearer(get(&path), &admin));
    assert_eq!(
        (status, got["display_name"].as_str()),
        (StatusCode::OK, Some("Ann"))
    );
    let rename = test::TestRequest::patch()
        .uri(&path)
        .set_json(json!({ "display_name": "Ann B." }));
    let (status, changed) = call!(&app, bearer(rename, &admin));
    assert_eq!(
        (status, changed["display_name"].as_str()),
        (StatusCode::OK, Some("Ann B."))
    );
    let created = audited(store.as_ref(), "user.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].target.as_deref(), Some(id.as_str()));
    assert_eq!(audited(store.as_ref(), "user.updated").await.len(), 1);

    // A duplicate is a conflict.
    let (status, body) = call!(&app, bearer(post("/api/v1/users", ann), &admin));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );

    // An agent is refused with 403 and the JSON body, whatever its body.
    let agent = login!(&app, "ann@example.com", "ann password 1");
    let (status, body) = call!(&app, bearer(get("/api/v1/users"), &agent));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let junk = json!({ "not": "a user" });
    let (status, _) = call!(&app, bearer(post("/api/v1/users", junk), &agent));
    assert_eq!(status, StatusCode::FORBIDDEN);
    // No token at all: 401.
    let (status, body) = call!(&app, get("/api/v1/users"));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
}

#[actix_web::test]
async fn the_widget_routes_serve_customers_only() {
    let db = TestDb::sqlite().await;
    let services = services(&db).await;
    let app = app!(services);

    // No body: a new anonymous visitor, with a visitor id to come back with.
    let (status, session) = call!(
        &app,
        test::TestRequest::post().uri("/api/v1/widget/sessions")
    );
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["token_type"], "Bearer");
    let visitor = session["visitor_id"].as_str().unwrap().to_owned();
    let token = session["token"].as_str().unwrap().to_owned();
    // Coming back as the same visitor: the same customer.
    let back = json!({ "visitor_id": visitor });
    let (status, again) = call!(&app, post("/api/v1/widget/sessions", back));
    assert_eq!(
        (status, &again["customer_id"]),
        (StatusCode::OK, &session["customer_id"])
    );
    // A misspelled field is an error, not a new visitor.
    let typo = json!({ "visitor": visitor });
    let (status, body) = call!(&app, post("/api/v1/widget/sessions", typo));
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body"))
    );
    // A signature that does not match.
    let forged = json!({ "external_id": "user-1", "signature": "00" });
    let (status, body) = call!(&app, post("/api/v1/widget/sessions", forged));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );

    // The customer's own conversations; staff tokens are refused.
    let (status, list) = call!(&app, bearer(get("/api/v1/widget/conversations"), &token));
    assert_eq!(
        (status, list["items"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    let admin = login!(&app, ADMIN.0, ADMIN.1);
    let (status, body) = call!(&app, bearer(get("/api/v1/widget/conversations"), &admin));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    // No such conversation: 404; a malformed id: 400.
    let rating = format!(
        "/api/v1/widget/conversations/{}/rating",
        uuid::Uuid::now_v7()
    );
    let (status, _) = call!(&app, bearer(post(&rating, json!({ "score": 5 })), &token));
    assert_eq!(status, StatusCode::NOT_FOUND);
    let malformed = "/api/v1/widget/conversations/nope/messages";
    let (status, _) = call!(&app, bearer(get(malformed), &token));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A method the path does not serve: the JSON 405.
    let (status, body) = call!(&app, get("/api/v1/widget/sessions"));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
}

/// An embedder's own route behind chat-admin's `Caller`: who called.
async fn whoami(caller: chat_admin::http::Caller) -> actix_web::HttpResponse {
    use chat_domain::auth::Principal;
    actix_web::HttpResponse::Ok().json(match caller.0 {
        Principal::Staff { user_id, role } => {
            json!({ "staff": user_id.to_string(), "role": role.to_string() })
        }
        Principal::Customer { customer_id } => json!({ "customer": customer_id.to_string() }),
    })
}

#[actix_web::test]
async fn the_caller_extractor_refuses_what_the_route_extractors_refuse() {
    let db = TestDb::sqlite().await;
    let services = services(&db).await;
    let store = services.store.clone();
    let app = test::init_service(
        App::new()
            .app_data(chat_admin::http::json_config(16 * 1024))
            .configure(chat_admin::configure(services))
            .route("/whoami", web::get().to(whoami))
            .default_service(web::to(chat_admin::http::not_found)),
    )
    .await;
    let admin = login!(&app, ADMIN.0, ADMIN.1);
    let (status, me) = call!(&app, bearer(get("/whoami"), &admin));
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );

    // A role change applies at once; deactivation refuses the token.
    let ann = json!({
        "email": "ann@example.com", "display_name": "Ann", "role": "agent", "password": "ann password 1"
    });
    let (status, user) = call!(&app, bearer(post("/api/v1/users", ann), &admin));
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    let agent = login!(&app, "ann@example.com", "ann password 1");
    let (status, me) = call!(&app, bearer(get("/whoami"), &agent));
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("agent"))
    );
    let patch = |body: Value| test::TestRequest::patch().uri(&path).set_json(body);
    let (status, _) = call!(&app, bearer(patch(json!({ "active": false })), &admin));
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call!(&app, bearer(get("/whoami"), &agent));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );

    // A customer token, until the customer is erased.
    let (status, session) = call!(
        &app,
        test::TestRequest::post().uri("/api/v1/widget/sessions")
    );
    assert_eq!(status, StatusCode::OK, "{session}");
    let customer = session["token"].as_str().unwrap().to_owned();
    let (status, me) = call!(&app, bearer(get("/whoami"), &customer));
    assert_eq!(
        (status, &me["customer"]),
        (StatusCode::OK, &session["customer_id"])
    );
    // Erased (the route also deletes files: the store's erasure is enough
    // here).
    let id = session["customer_id"].as_str().unwrap().parse().unwrap();
    store
        .erase_customer(id, chat_domain::time::now())
        .await
        .unwrap();
    let (status, _) = call!(&app, bearer(get("/whoami"), &customer));
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A revoked session (log out everywhere): the token still verifies, but
    // it was issued before the revocation. (Revocation instants are in
    // milliseconds: let one pass.)
    actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, _) = call!(
        &app,
        bearer(
            test::TestRequest::post().uri("/api/v1/me/logout-everywhere"),
            &admin
        )
    );
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call!(&app, bearer(get("/whoami"), &admin));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
}

#[actix_web::test]
async fn query_and_body_rules_are_the_ones_the_document_states() {
    let db = TestDb::sqlite().await;
    let services = services(&db).await;
    let app = app!(services);
    let admin = login!(&app, ADMIN.0, ADMIN.1);
    let refused = |field: &'static str| (StatusCode::BAD_REQUEST, Some(field));
    for (uri, field) in [
        // Empty filters match nothing: a mistake, not "any".
        ("/api/v1/audit?action=", "action"),
        ("/api/v1/audit?target=", "target"),
        ("/api/v1/audit?actor_id=nobody", "actor_id"),
        // Cursors have the documented shape, nothing else.
        ("/api/v1/conversations?cursor=0", "cursor"),
        (
            "/api/v1/conversations?cursor=1764979200000000.0190c3a4b5c67d8e9f0a1b2c3d4e5f60",
            "cursor",
        ),
        // Ids: required, one or more, no empty item.
        ("/api/v1/inbox/summaries?ids=", "ids"),
        ("/api/v1/inbox/summaries?ids=,", "ids"),
        ("/api/v1/inbox/summaries?ids=00", "ids"),
        ("/api/v1/knowledge/search?q=%20", "q"),
    ] {
        let (status, body) = call!(&app, bearer(get(uri), &admin));
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            refused(field),
            "{uri}: {body}"
        );
    }
    let (status, _) = call!(&app, bearer(get("/api/v1/inbox/summaries"), &admin));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = call!(&app, bearer(get("/api/v1/audit?action=auth.login"), &admin));
    assert_eq!(status, StatusCode::OK, "{body}");

    // Tags are counted and measured as sent (blank ones included).
    let mut tags = vec![" "; 20];
    tags.push("x");
    let doc = json!({ "title": "T", "body": "B", "tags": tags });
    let (status, body) = call!(&app, bearer(post("/api/v1/knowledge", doc), &admin));
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        refused("tags"),
        "{body}"
    );
    let doc = json!({ "title": "T", "body": "B", "tags": [" ", "faq"] });
    let (status, body) = call!(&app, bearer(post("/api/v1/knowledge", doc), &admin));
    assert_eq!(
        (status, &body["tags"]),
        (StatusCode::CREATED, &json!(["faq"]))
    );
}

#[actix_web::test]
async fn the_example_serves_availability_and_leaving_a_message() {
    let db = TestDb::sqlite().await;
    let (services, data) = with_app_data(&db).await;
    let store = services.store.clone();
    let app = example_app!(services, data);

    // Hours off and nobody online: away, with no opening to announce.
    let (status, now) = call!(&app, get("/api/v1/widget/availability"));
    assert_eq!(status, StatusCode::OK, "{now}");
    assert_eq!(
        (
            &now["available"],
            &now["within_hours"],
            &now["next_opening"]
        ),
        (&json!(false), &json!(true), &Value::Null)
    );

    // Open one minute a week, three days from now: the next opening is the
    // notice's, as an instant.
    let admin = login!(&app, ADMIN.0, ADMIN.1);
    let day = (chrono::Utc::now() + chrono::Duration::days(3)).format("%a");
    let hours = json!({
        "enabled": true,
        "time_zone": "UTC",
        "days": [{ "day": day.to_string().to_lowercase(), "open": "00:00", "close": "00:01" }]
    });
    let put = test::TestRequest::put()
        .uri("/api/v1/business-hours")
        .set_json(hours);
    let (status, body) = call!(&app, bearer(put, &admin));
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, now) = call!(&app, get("/api/v1/widget/availability"));
    let next = now["next_opening"].as_str().unwrap().to_owned();

    let (token, conv) = customer_conversation!(&app, store);
    let token = token.as_str();
    let path = format!("/api/v1/widget/conversations/{}/leave-message", conv.id);
    let left = json!({ "email": "Mia@Example.com", "text": "Call me", "client_msg_id": "m1" });
    let (status, body) = call!(&app, bearer(post(&path, left), token));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "queued");
    let messages = format!("/api/v1/widget/conversations/{}/messages", conv.id);
    let (_, history) = call!(&app, bearer(get(&messages), token));
    let notice = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["event"]["change"] == "left_message")
        .unwrap_or_else(|| panic!("no away notice in {history}"))
        .clone();
    assert_eq!(notice["event"]["next_opening"], next.as_str(), "{notice}");
    assert!(
        notice["body"]
            .as_str()
            .unwrap()
            .contains(&format!("We are back on {day} ")),
        "{notice}"
    );
    // Not someone else's conversation.
    let (_, stranger) = call!(
        &app,
        test::TestRequest::post().uri("/api/v1/widget/sessions")
    );
    let stranger = stranger["token"].as_str().unwrap();
    let again = json!({ "email": "x@example.com" });
    let (status, _) = call!(&app, bearer(post(&path, again), stranger));
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The example's file routes work (they answered 500 when it registered no
/// attachment storage): a customer uploads into their conversation, gets
/// the message back, downloads the same bytes; a resend is not stored
/// twice, and a stranger cannot read the file.
#[actix_web::test]
async fn the_example_serves_attachments() {
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let db = TestDb::sqlite().await;
    let (services, data) = with_app_data(&db).await;
    let store = services.store.clone();
    let app = example_app!(services, data);

    let (token, conv) = customer_conversation!(&app, store);
    let token = token.as_str();

    let boundary = "example-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"client_msg_id\"\r\n\r\nfile-1\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dot.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(PNG);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let upload = || {
        bearer(
            test::TestRequest::post()
                .uri(&format!("/api/v1/conversations/{}/attachments", conv.id))
                .insert_header((
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                ))
                .set_payload(body.clone()),
            token,
        )
    };
    let (status, message) = call!(&app, upload());
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(message["kind"], "attachment");
    let id = message["attachment"]["id"].as_str().unwrap().to_owned();
    let (status, again) = call!(&app, upload());
    assert_eq!(
        (status, &again["seq"]),
        (StatusCode::OK, &message["seq"]),
        "a resend answers the first copy: {again}"
    );

    let download = format!("/api/v1/attachments/{id}");
    let resp = test::call_service(&app, bearer(get(&download), token).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get("content-type").unwrap(), "image/png");
    assert_eq!(test::read_body(resp).await.as_ref(), PNG);
    let (_, stranger) = call!(
        &app,
        test::TestRequest::post().uri("/api/v1/widget/sessions")
    );
    let stranger = stranger["token"].as_str().unwrap();
    let (status, _) = call!(&app, bearer(get(&download), stranger));
    assert_eq!(status, StatusCode::NOT_FOUND);
}
