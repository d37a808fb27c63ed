//! The HTTP face of the back office (actix-web).
//!
//! - [`error`]: the one JSON error body, and the extractor configs that make
//!   malformed JSON, bad paths and queries answer with it;
//! - [`extract`]: authentication and role-check extractors;
//! - [`client_ip`]: which address a request comes from, behind trusted proxies;
//! - [`trail`]: the audit log bound to that address, as routes write it;
//! - `routes/`: one file per resource, the widget's (customer) routes
//!   included.

mod body;
pub mod client_ip;
mod docs_page;
pub mod error;
pub mod extract;
pub mod openapi;
mod routes;
mod schemas;
pub mod trail;

use std::sync::Arc;

use actix_web::web;
use chat_domain::auth::{SessionCheck, TokenVerifier};
use chat_domain::ports::{ConversationCommands, KnowledgeSearch, PresenceRegistry, Store};

pub use body::Body;
pub use client_ip::{ClientIp, TrustedProxies};
use error::method_not_allowed;
pub use error::{ApiError, json_config, not_found, path_config, query_config};
pub use extract::{AdminOnly, Caller, CustomerCaller, RoleGuard, StaffCaller, SupervisorUp};
pub use routes::widget::{WidgetConfig, verify_signature};

use crate::AuthService;
use crate::audit::Audit;
use chat_webhooks::Webhooks;

/// What the back office needs; the binary builds it with the concrete
/// adapters (cloned into every worker).
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub store: Arc<dyn Store>,
    /// Sign-in, tokens, passwords.
    pub auth: Arc<AuthService>,
    /// The conversation use cases (shared with the WebSocket gateway).
    pub commands: Arc<dyn ConversationCommands>,
    /// Who is online (statistics).
    pub presence: Arc<dyn PresenceRegistry>,
    /// The assistant's retrieval (knowledge-base search and re-index).
    pub knowledge: Arc<dyn KnowledgeSearch>,
    /// Webhook subscriptions and deliveries.
    pub webhooks: Arc<Webhooks>,
    /// Which proxies' forwarding headers to believe.
    pub proxies: TrustedProxies,
    /// The widget routes' settings.
    pub widget: WidgetConfig,
}

/// Which of chat-admin's routes a node serves (`CHAT_ROLES`): the widget's
/// customer routes go with the WebSocket gateway, the rest with the back
/// office.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mount {
    /// The back office: `/api/v1/*` but the widget's, and the OpenAPI
    /// document with its page.
    pub back_office: bool,
    /// The widget's customer routes (`/api/v1/widget/*`).
    pub widget: bool,
}

impl Mount {
    /// Every route.
    pub const ALL: Self = Self {
        back_office: true,
        widget: true,
    };
}

/// Registers the back-office routes under `/api/v1`, the OpenAPI document
/// and its page, the widget's routes, and the data they need. The caller
/// adds [`json_config`] and friends at the app level.
pub fn configure(services: Services) -> impl FnOnce(&mut web::ServiceConfig) {
    configure_mount(services, Mount::ALL)
}

/// As [`configure`], for the routes `mount` names only. One `/api/v1`
/// scope either way: actix-web does not fall through from one scope to
/// another with the same prefix.
pub fn configure_mount(services: Services, mount: Mount) -> impl FnOnce(&mut web::ServiceConfig) {
    let Services {
        store,
        auth,
        commands,
        presence,
        knowledge,
        webhooks,
        proxies,
        widget,
    } = services;
    move |cfg| {
        let verifier: Arc<dyn TokenVerifier> = auth.clone();
        let audit = web::Data::new(Audit::new(store.clone()));
        let sessions: Arc<dyn SessionCheck> = auth.clone();
        cfg.app_data(web::Data::from(store))
            .app_data(audit)
            .app_data(web::Data::from(commands))
            .app_data(web::Data::from(presence))
            .app_data(web::Data::from(knowledge))
            .app_data(web::Data::from(webhooks))
            .app_data(web::Data::from(auth))
            .app_data(web::Data::from(verifier))
            .app_data(web::Data::from(sessions))
            .app_data(web::Data::new(proxies))
            .app_data(web::Data::new(widget));
        if mount.back_office {
            cfg.service(
                web::resource("/api/openapi.json")
                    .route(web::get().to(openapi::openapi_json))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource(["/api/docs", "/api/docs/{file}"])
                    .route(web::get().to(docs_page::docs_page))
                    .default_service(web::to(method_not_allowed)),
            );
        }
        cfg.service(web::scope("/api/v1").configure(|scope| {
            // Files are sent and fetched by customers and staff alike. First:
            // the conversation routes' `/conversations/{id}/{action}` would
            // otherwise claim the upload path (staff only).
            if mount.back_office || mount.widget {
                scope.configure(routes::attachments::configure);
            }
            if mount.back_office {
                scope
                    .configure(routes::auth::configure)
                    .configure(routes::audit::configure)
                    .configure(routes::conversations::configure)
                    .configure(routes::customers::configure)
                    .configure(routes::users::configure)
                    .configure(routes::knowledge::configure)
                    .configure(routes::canned::configure)
                    .configure(routes::stats::configure)
                    .configure(routes::webhooks::configure)
                    .configure(routes::availability::configure_office)
                    .configure(routes::prechat::configure_settings);
            }
            if mount.widget {
                scope
                    .configure(routes::widget::configure)
                    .configure(routes::availability::configure_widget)
                    .configure(routes::prechat::configure_widget);
            }
        }));
    }
}
