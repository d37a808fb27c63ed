//! The OpenAPI 3 document of the REST API (`GET /api/openapi.json`) and its
//! browsable page (`GET /api/docs`).
//!
//! Bodies are described by the very types the handlers (de)serialise
//! (`utoipa::ToSchema` derives); routes by the table ([`table`]), one row per
//! operation, from which the statuses are derived by rule: an authenticated
//! route can answer 401 (and 403 when some signed-in role is refused), a
//! JSON body 400/413/415, a path id 404, every route 500 and 503. The table
//! also carries who may call each route (`x-roles`): the RBAC matrix test
//! (`apps/server/tests/rbac.rs`) reads the served document and checks the
//! server against it, cell by cell and status by status.
//!
//! Layout: [`table`] (the operations and who may call them), `document`
//! (the document built from the table and the route modules' schemas).
//! The page itself is `http::docs_page`.

mod document;
pub mod table;

use actix_web::HttpResponse;

pub use document::{document, statuses};
pub use table::{Body, Out, ROUTES, Route, Who, allowed_methods};

/// `GET /api/openapi.json`.
pub(crate) async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_text())
}

/// The OpenAPI document, serialised on first use: building it takes
/// milliseconds, and the configuration closure that used to do it runs once
/// per worker, on the path to readiness.
fn openapi_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        serde_json::to_string(&document()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document does not serialise");
            String::from("{}")
        })
    })
}
