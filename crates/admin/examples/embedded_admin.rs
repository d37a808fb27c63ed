//! The back office embedded in a minimal actix-web app: chat-admin's REST
//! API (and the widget's routes) over SQLite, the in-process bus and
//! presence, and webhooks, with no other part of Chat API.
//!
//! ```text
//! cargo run -p chat-admin --example embedded_admin            # http://127.0.0.1:8081
//! curl -s -XPOST localhost:8081/api/v1/auth/login -H 'content-type: application/json' \
//!      -d '{"email":"admin@example.com","password":"example admin password"}'
//! curl -s -XPOST localhost:8081/api/v1/widget/sessions
//! ```
//!
//! Arguments: the listen address (default `127.0.0.1:8081`). The database
//! is a fresh SQLite file in a temporary directory, encrypted under keys
//! generated for this run; uploaded files go to a folder beside it.

use std::path::Path;
use std::sync::Arc;

use actix_web::{App, HttpServer, web};
use async_trait::async_trait;
use base64::Engine as _;
use chat_admin::attachments::Attachments;
use chat_admin::auth::JwtKeys;
use chat_admin::availability::Availability;
use chat_admin::http::{TrustedProxies, WidgetConfig};
use chat_admin::{AuthConfig, AuthService, Services};
use chat_domain::DomainResult;
use chat_domain::availability::SystemClock;
use chat_domain::model::RetrievedPassage;
use chat_domain::ports::{KnowledgeSearch, Store};
use chat_session::{AwayService, OneNode, RoutingConfig};
use chat_store::{FieldCipher, PoolOptions, SqlStore};
use chat_webhooks::{WebhookConfig, Webhooks};
use rand::RngCore as _;

/// No assistant here: knowledge-base search finds nothing.
struct NoSearch;

#[async_trait]
impl KnowledgeSearch for NoSearch {
    async fn retrieve(&self, _question: &str, _k: usize) -> DomainResult<Vec<RetrievedPassage>> {
        Ok(Vec::new())
    }

    async fn reindex(&self) -> DomainResult<usize> {
        Ok(0)
    }
}

fn random_key() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    base64::engine::general_purpose::STANDARD.encode(key)
}

/// What the app registers besides chat-admin's routes: the availability
/// use cases (business hours, leaving a message) and the attachments'
/// storage. The routes that need them answer 500 without them.
#[derive(Clone)]
pub struct AppData {
    /// `GET /widget/availability`, `/business-hours`, leaving a message.
    pub availability: web::Data<Availability>,
    /// Uploads and downloads of files in conversations.
    pub attachments: web::Data<Attachments>,
}

/// The back office's services over `sql`: authentication with a first
/// admin (`admin`: e-mail and password), the conversation use cases on a
/// one-node bus and presence registry, webhooks, no assistant; and the
/// app's own data ([`AppData`]), with uploaded files kept in the folder
/// `files` (created if missing). The crate's tests build theirs here too.
pub async fn services(
    sql: SqlStore,
    admin: (&str, &str),
    widget: WidgetConfig,
    files: &Path,
) -> Result<(Services, AppData), Box<dyn std::error::Error>> {
    let store: Arc<dyn Store> = Arc::new(sql.clone());
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let auth = Arc::new(AuthService::new(
        store.clone(),
        Arc::new(JwtKeys::new(&secret)?),
        AuthConfig::default(),
    ));
    auth.bootstrap_admin(Some(admin.0), Some(admin.1)).await?;
    let OneNode {
        bus,
        presence,
        service: commands,
    } = OneNode::start(store.clone(), RoutingConfig::default());
    auth.attach_bus(bus.clone());
    let webhooks = Webhooks::start(store.clone(), bus, WebhookConfig::default()).await?;
    let sql = Arc::new(sql);
    // A local folder, as the server's default `CHAT_STORAGE_URL` is.
    let attachments = web::Data::new(Attachments {
        storage: Arc::new(chat_storage::Storage::folder(files)?),
        repo: sql.clone(),
        max_bytes: chat_domain::attachment::DEFAULT_MAX_UPLOAD_BYTES,
    });
    let availability = web::Data::new(Availability::new(
        sql.clone(),
        store.clone(),
        presence.clone(),
        Arc::new(AwayService::new(commands.clone(), sql)),
        Arc::new(SystemClock),
    ));
    let services = Services {
        store,
        auth,
        commands,
        presence,
        knowledge: Arc::new(NoSearch),
        webhooks,
        proxies: TrustedProxies::default(),
        widget,
    };
    Ok((
        services,
        AppData {
            availability,
            attachments,
        },
    ))
}

/// chat-admin's routes with the app's data: what `main` serves, and what
/// the crate's tests run.
pub fn configure(services: Services, data: AppData) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(data.availability).app_data(data.attachments);
        chat_admin::configure(services)(cfg);
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());

    // The database: SQLite in a directory of its own, migrated on connect.
    let dir = std::env::temp_dir().join(format!("chat-admin-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("chat.db").display());
    let cipher = FieldCipher::from_config(&format!("k1:{}", random_key()), &random_key())?;
    let store = SqlStore::connect(&url, PoolOptions::default())
        .await?
        .with_cipher(Arc::new(cipher));
    let (services, data) = services(
        store,
        ("admin@example.com", "example admin password"),
        WidgetConfig::default(),
        &dir.join("files"),
    )
    .await?;

    println!("chat-admin on http://{listen} (database {url})");
    HttpServer::new(move || {
        App::new()
            // The one JSON error body for bad bodies, queries and paths,
            // and for unknown routes.
            .app_data(chat_admin::http::json_config(64 * 1024))
            .app_data(chat_admin::http::query_config())
            .app_data(chat_admin::http::path_config())
            .configure(configure(services.clone(), data.clone()))
            .default_service(web::to(chat_admin::http::not_found))
    })
    .bind(&listen)?
    .run()
    .await?;
    Ok(())
}
