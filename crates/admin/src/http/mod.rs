//! The HTTP face of the back office (actix-web).
//!
//! - [`error`]: the one JSON error body, and the extractor configs that make
//!   malformed JSON, bad paths and queries answer with it;
//! - [`extract`]: authentication and role-check extractors;
//! - [`client_ip`]: which address a request comes from, behind trusted proxies;
//! - `routes/`: one file per resource.

pub mod client_ip;
pub mod error;
pub mod extract;
mod routes;

use std::sync::Arc;

use actix_web::web;
use chat_domain::auth::TokenVerifier;
use chat_domain::ports::{ConversationCommands, Store};

pub use client_ip::{ClientIp, TrustedProxies};
pub use error::{ApiError, json_config, not_found, path_config, query_config};
pub use extract::{AdminOnly, Caller, CustomerCaller, RoleGuard, StaffCaller, SupervisorUp};

use crate::AuthService;
use crate::webhooks::Webhooks;

/// Registers the back-office routes under `/api/v1` and the data they need
/// (the store, the auth service, the conversation use cases, the webhook
/// machinery, the token verifier the extractors use, and the proxy rules).
/// The caller adds [`json_config`] and friends at the app level.
pub fn configure(
    store: Arc<dyn Store>,
    auth: Arc<AuthService>,
    commands: Arc<dyn ConversationCommands>,
    webhooks: Arc<Webhooks>,
    proxies: TrustedProxies,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let verifier: Arc<dyn TokenVerifier> = auth.clone();
        cfg.app_data(web::Data::from(store))
            .app_data(web::Data::from(commands))
            .app_data(web::Data::from(webhooks))
            .app_data(web::Data::from(auth))
            .app_data(web::Data::from(verifier))
            .app_data(web::Data::new(proxies))
            .service(
                web::scope("/api/v1")
                    .configure(routes::auth::configure)
                    .configure(routes::audit::configure)
                    .configure(routes::conversations::configure)
                    .configure(routes::users::configure)
                    .configure(routes::knowledge::configure)
                    .configure(routes::canned::configure)
                    .configure(routes::webhooks::configure),
            );
    }
}
