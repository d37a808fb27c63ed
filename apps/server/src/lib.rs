//! # chat-server
//!
//! The binary that wires Chat API together: it reads the [`config`], opens
//! the store (SQLite or MySQL, migrating it), bootstraps the first admin,
//! builds the actix-web application with its middleware (request ids,
//! tracing, metrics) and serves it until SIGTERM / SIGINT, draining
//! in-flight requests.
//!
//! This is the only crate that knows every concrete type; the library crates
//! see each other through `chat-domain`'s traits.
//!
//! Layout: [`config`] (defaults → file → environment), [`telemetry`] (logs,
//! request ids, Prometheus), [`health`] (`/healthz`, `/readyz`), [`secrets`]
//! (the JWT signing secret and the data keys), [`pages`] (the widget and
//! console pages, embedded), and [`Application`] here.

pub mod cli;
pub mod config;
pub mod hardening;
pub mod health;
pub mod import;
pub mod pages;
pub mod secrets;
pub mod telemetry;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use chat_admin::auth::{BootstrapOutcome, INITIAL_PASSWORD_FILE, JwtKeys, PreparedAdmin};
use chat_admin::http::TrustedProxies;
use chat_admin::webhooks::Webhooks;
use chat_admin::{AuthConfig, AuthService};
use chat_ai::knowledge::LiveIndex;
use chat_ai::offline::OfflineConfig;
use chat_ai::provider::{OpenAiProvider, ProviderConfig};
use chat_ai::responder::{Engine, Responder, ResponderConfig};
use chat_ai::search::IndexSearch;
use chat_domain::DomainError;
use chat_domain::ports::{BotActions, EventBus, KnowledgeSearch, PresenceRegistry, Store};
use chat_gateway::{ClientAddress, Gateway, GatewayConfig};

use chat_session::attempts::RedisAttempts;
use chat_session::bus::{InProcessBus, RedisBus};
use chat_session::lifecycle::LifecycleConfig;
use chat_session::presence::{InProcessPresence, RedisPresence};
use chat_session::{ConversationService, MessageLog, RoutingConfig};
use chat_store::{DatabaseUrl, Detached, PoolOptions, SqlStore};
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::health::ReadinessTargets;

/// A built server, bound to its port, not yet running.
pub struct Application {
    server: Server,
    addr: SocketAddr,
    store: SqlStore,
    gateway: Arc<Gateway>,
    webhooks: Arc<Webhooks>,
}

impl Application {
    /// Opens the store, bootstraps, binds the listener. Every failure here is
    /// a start-up error with a message fit for an operator.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // First: a port already taken must stop the start before anything
        // is created (database, secrets, the first admin and its password).
        let listener = TcpListener::bind(config.listen)
            .with_context(|| format!("binding CHAT_LISTEN={}", config.listen))?;
        let addr = listener.local_addr()?;
        log_paths(&config);
        if config.is_embedded() && config.redis_url.is_some() {
            // Likely a production node that lost its DATABASE_URL: it would
            // write to a private file and silently split from the others.
            tracing::warn!(
                "REDIS_URL is set but DATABASE_URL is SQLite: this node's data stays local to it; \
                 set DATABASE_URL=mysql://… to share a database between nodes"
            );
        }
        // A SQLite file that does not exist yet is a first start: the first
        // admin will be created, so its argon2id hash (the longest step of a
        // first start) runs alongside the migrations instead of after them.
        // Elsewhere (restarts, MySQL) it is hashed only if the user table
        // turns out to be empty.
        let first_start = match DatabaseUrl::parse(&config.database_url.0) {
            Ok(DatabaseUrl::Sqlite(path)) => !path.exists(),
            _ => false,
        };
        let early_admin = first_start.then(|| {
            let email = config.admin_email.clone();
            let password = config.admin_password.as_ref().map(|s| s.0.clone());
            tokio::spawn(
                async move { PreparedAdmin::new(email.as_deref(), password.as_deref()).await },
            )
        });
        let (store, key_ids) = open_store(&config).await?;
        tracing::info!(backend = store.backend(), data_keys = %key_ids, "database ready");

        let secret = secrets::jwt_secret(&config).context("loading the JWT secret")?;
        let keys = Arc::new(JwtKeys::new(&secret).map_err(|e| anyhow::anyhow!("{e}"))?);
        // Every store call runs as its own task on this (multi-thread)
        // runtime: actix's current-thread workers drop request futures on
        // hang-ups, which must never cancel a statement midway (see Detached).
        let dyn_store: Arc<dyn Store> = Arc::new(Detached::new(
            store.clone(),
            tokio::runtime::Handle::current(),
        ));
        let initial_password_file = config.data_dir.join(INITIAL_PASSWORD_FILE);
        let auth = Arc::new(AuthService::new(
            dyn_store.clone(),
            keys,
            AuthConfig {
                access_ttl_secs: config.access_ttl_secs,
                refresh_ttl_secs: config.refresh_ttl_secs,
                login_max_failures: config.login_max_failures,
                login_window: config.login_window,
                initial_password_file: Some(initial_password_file.clone()),
                ..AuthConfig::default()
            },
        ));
        // The first admin's argon2id hash (about half of a first start)
        // runs while the rest of start-up goes on; it is awaited before the
        // listener opens, so nobody can try to log in before it exists.
        let bootstrap = tokio::spawn({
            let auth = auth.clone();
            let email = config.admin_email.clone();
            let password = config.admin_password.as_ref().map(|s| s.0.clone());
            async move {
                match early_admin {
                    Some(prepared) => match prepared.await {
                        Ok(admin) => auth.bootstrap_prepared(admin?).await,
                        Err(e) => Err(DomainError::Internal(format!("hashing task: {e}"))),
                    },
                    None => {
                        auth.bootstrap_admin(email.as_deref(), password.as_deref())
                            .await
                    }
                }
            }
        });

        // The real-time side: bus and presence (Redis when configured), the
        // message log, the conversation service, the sweeper, the gateway.
        let (bus, presence): (Arc<dyn EventBus>, Arc<dyn PresenceRegistry>) =
            match &config.redis_url {
                Some(url) => {
                    let bus =
                        RedisBus::connect(&url.0, &config.redis_prefix, config.db_connect_timeout)
                            .await
                            .context("connecting the event bus to REDIS_URL")?;
                    let presence = Arc::new(RedisPresence::new(bus.pool(), &config.redis_prefix));
                    auth.share_login_attempts(Arc::new(RedisAttempts::new(
                        bus.pool(),
                        &config.redis_prefix,
                    )));
                    tracing::info!("event bus and presence on Redis");
                    (Arc::new(bus), presence)
                }
                None => (
                    Arc::new(InProcessBus::new()),
                    Arc::new(InProcessPresence::new()),
                ),
            };
        // Webhooks: from here on, every publisher of this node uses the
        // wrapped bus, which copies the events webhooks want to the outbox.
        let (webhooks, bus) = Webhooks::start(dyn_store.clone(), bus, config.webhooks.clone())
            .await
            .context("starting webhooks")?;
        auth.attach_bus(bus.clone());
        let log = MessageLog::start_with_writers(
            dyn_store.clone(),
            bus.clone(),
            256,
            config.message_writers,
        );
        let service = Arc::new(ConversationService::new(
            dyn_store.clone(),
            bus.clone(),
            log,
            presence.clone(),
            RoutingConfig {
                max_per_agent: config.max_per_agent,
            },
        ));
        chat_session::lifecycle::spawn(
            service.clone(),
            LifecycleConfig {
                idle_close_after: config.idle_close,
                queue_alert_after: config.queue_alert,
                ..LifecycleConfig::default()
            },
        );
        // The assistant: the offline one, answering from the knowledge base,
        // whose index follows the documents (rebuilt when they change).
        let offline = OfflineConfig {
            min_confidence: config.ai_min_score,
            ..OfflineConfig::default()
        };
        let index = LiveIndex::new();
        let assistant_on = config.ai_provider != config::AiProvider::None;
        if assistant_on {
            start_assistant(
                &config,
                &dyn_store,
                &service,
                &bus,
                index.clone(),
                offline.clone(),
            )
            .await;
        } else {
            tracing::info!("no assistant (CHAT_AI_PROVIDER=none): customers wait for a person");
        }
        let knowledge: Arc<dyn KnowledgeSearch> = Arc::new(IndexSearch::new(
            index.clone(),
            dyn_store.clone(),
            offline,
            assistant_on,
        ));
        let admin = chat_admin::Services {
            store: dyn_store.clone(),
            auth: auth.clone(),
            commands: service.clone(),
            presence: presence.clone(),
            knowledge,
            webhooks: webhooks.clone(),
            proxies: TrustedProxies(config.trusted_proxies.clone()),
        };
        let proxies = TrustedProxies(config.trusted_proxies.clone());
        let gateway = Gateway::start(
            service,
            auth.clone(),
            auth.clone(),
            auth.clone(),
            bus,
            presence,
            GatewayConfig {
                node_id: config
                    .node_id
                    .clone()
                    .unwrap_or_else(|| GatewayConfig::default().node_id),
                allowed_origins: config.allowed_origins.clone(),
                widget_secret: config
                    .widget_secret
                    .as_ref()
                    .map(|s| s.0.as_bytes().to_vec()),
                rate_per_sec: config.ws_rate_per_sec,
                max_sockets_per_ip: config.ws_max_per_ip,
                client_address: ClientAddress::new(move |req| proxies.client_ip(req)),
                presence_ttl: config.presence_ttl,
                ..GatewayConfig::default()
            },
        );

        match bootstrap
            .await
            .context("creating the first admin")?
            .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?
        {
            BootstrapOutcome::AlreadyInitialized => {
                if initial_password_file.exists() {
                    tracing::warn!(
                        path = %absolute(&initial_password_file).display(),
                        "the first admin still has the generated password kept in this file; \
                         log in and change it (the file is then deleted)"
                    );
                }
            }
            BootstrapOutcome::Created {
                email,
                generated_password: Some(password),
            } => {
                chat_admin::auth::write_initial_password(
                    initial_password_file.clone(),
                    password.clone(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                // Logged once; the file keeps it until the admin changes it.
                tracing::warn!(
                    %email, %password,
                    path = %absolute(&initial_password_file).display(),
                    "created the first admin with a generated password (also kept in this file until it is changed); \
                     log in and change it"
                );
            }
            BootstrapOutcome::Created {
                email,
                generated_password: None,
            } => {
                tracing::info!(%email, "created the first admin from CHAT_ADMIN_EMAIL / CHAT_ADMIN_PASSWORD");
            }
        }

        let metrics = web::Data::new(telemetry::metrics_handle());
        let store_data = web::Data::new(store.clone());
        let readiness = web::Data::new(ReadinessTargets {
            redis_url: config.redis_url.as_ref().map(|s| s.0.clone()),
        });
        let max_body = config.max_body_bytes;
        let body_timeout = hardening::BodyTimeout(config.request_timeout);
        let gateway_for_app = gateway.clone();
        let pages_config = pages::PagesConfig {
            dir: config.web_dir.clone(),
        };

        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(chat_admin::http::json_config(max_body))
                .app_data(body_timeout)
                .app_data(chat_admin::http::query_config())
                .app_data(chat_admin::http::path_config())
                .app_data(metrics.clone())
                .app_data(store_data.clone())
                .app_data(readiness.clone())
                // Before the admin scope: it owns every other /api/v1 path.
                .configure(chat_gateway::configure(gateway_for_app.clone()))
                .configure(chat_admin::configure(admin.clone()))
                .service(get_only("/healthz", web::get().to(health::healthz)))
                .service(get_only("/readyz", web::get().to(health::readyz)))
                .service(get_only(
                    "/metrics",
                    web::get().to(telemetry::metrics_endpoint),
                ))
                // Last: the pages answer only their own paths and leave
                // every other unknown path to the API's JSON 404.
                .configure(pages::configure(pages_config.clone()))
                .wrap(Compress::default())
                .wrap(from_fn(hardening::harden))
                .wrap(from_fn(telemetry::track_requests))
                .wrap(TracingLogger::<telemetry::RequestSpan>::new())
        })
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        // The headers' deadline; the body's is `hardening`'s.
        .client_request_timeout(config.request_timeout)
        // Signals are ours (see `run_until_stopped`): sockets must be told
        // to go before the drain starts, or it waits for every idle socket.
        .disable_signals()
        // Frames written back to back (an ack, the customer's message, the
        // assistant's delta and reply) otherwise wait for the client's
        // delayed ACK: 40 ms per answer, measured (docs/BENCHMARKS.md).
        .tcp_nodelay(true)
        .listen(listener)?;
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        let server = server.run();
        // Last: loading the segmenter's dictionary and indexing the documents
        // is the heaviest work of a start (~150 ms of CPU) and nothing above
        // needs it; started earlier, it only competed for the two cores with
        // the steps readiness waits for. (The first index was never ready
        // before the listener opened: on a first start it ends ~100 ms
        // after.)
        if assistant_on {
            index.follow(dyn_store.clone(), config.ai_index_refresh);
        }
        Ok(Self {
            server,
            addr,
            store,
            gateway,
            webhooks,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The store, for tests that inspect what the server wrote.
    pub fn store(&self) -> &SqlStore {
        &self.store
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM / SIGINT (or [`Self::handle`]`.stop`): then
    /// closes every socket with 1001 ("reconnect and resume") and drains
    /// in-flight requests.
    pub async fn run_until_stopped(self, started: Option<Instant>) -> std::io::Result<()> {
        let handle = self.server.handle();
        let gateway = self.gateway.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!(
                sockets = gateway.connections(),
                "shutting down: closing sockets, draining requests"
            );
            gateway.close_all();
            handle.stop(true).await;
        });
        if let Some(t) = started {
            tracing::info!(
                address = %format!("http://{}", self.addr),
                ready_ms = t.elapsed().as_millis() as u64,
                "listening"
            );
        }
        let served = self.server.await;
        // Nothing more leaves this node once it stops serving.
        self.webhooks.stop();
        served
    }
}

/// Opens (and migrates) the database with the data keys, checking that the
/// keys read what is stored: a wrong or missing key is an error naming it,
/// not failing customer requests later. Returns the store and the key ids.
pub async fn open_store(config: &Config) -> anyhow::Result<(SqlStore, String)> {
    let store = SqlStore::connect(
        &config.database_url.0,
        PoolOptions {
            max_size: config.db_pool_size,
            timeout: config.db_connect_timeout,
        },
    )
    .await
    .context("opening the database")?;
    let cipher = secrets::data_cipher(config).context("loading the data keys")?;
    let key_ids = cipher.key_ids().join(",");
    let store = store.with_cipher(Arc::new(cipher));
    store.check_data_keys().await.map_err(|e| {
        // The cause alone: "internal error:" says nothing to an operator.
        let cause = match e {
            DomainError::Internal(m) => m,
            other => other.to_string(),
        };
        anyhow::anyhow!(
            "the data keys ({key_ids}) cannot read the stored customer data: {}; \
             check CHAT_DATA_KEYS (every key still in use must be listed)",
            cause
        )
    })?;
    Ok((store, key_ids))
}

/// Says where local state lives, as absolute paths: a relative
/// `CHAT_DATA_DIR` or SQLite path depends on the directory the server was
/// started from.
fn log_paths(config: &Config) {
    let database = match DatabaseUrl::parse(&config.database_url.0) {
        Ok(DatabaseUrl::Sqlite(path)) => absolute(&path).display().to_string(),
        Ok(other) => other.backend().to_owned(),
        Err(_) => "unparsable".to_owned(),
    };
    tracing::info!(
        data_dir = %absolute(&config.data_dir).display(),
        %database,
        "local state"
    );
}

/// `path` made absolute against the working directory (not resolved:
/// it may not exist yet).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// A resource answering `route`, and any other method with the JSON 405.
fn get_only(path: &str, route: actix_web::Route) -> actix_web::Resource {
    web::resource(path)
        .route(route)
        .default_service(web::to(chat_admin::http::error::method_not_allowed))
}

/// The assistant: loads the demo FAQ into an empty knowledge base if asked,
/// then answers from `index` (which `build` sets following the documents
/// once the server is built) or through the configured model.
async fn start_assistant(
    config: &Config,
    store: &Arc<dyn Store>,
    service: &Arc<ConversationService>,
    bus: &Arc<dyn EventBus>,
    index: LiveIndex,
    offline: OfflineConfig,
) {
    if config.ai_demo_kb {
        seed_demo_knowledge(store.as_ref()).await;
    }
    let actions: Arc<dyn BotActions> = service.clone();
    let engine = match &config.ai_model {
        Some(m) => {
            let provider = OpenAiProvider::new(ProviderConfig {
                chunk_timeout: m.timeout,
                ..ProviderConfig::new(&m.base_url, &m.api_key.0, &m.model)
            });
            match provider {
                Ok(p) => {
                    tracing::info!(model = %m.model, base_url = %m.base_url, "assistant: OpenAI-compatible model");
                    Engine::Model {
                        provider: Arc::new(p),
                        persona: m.persona.clone(),
                        context_tokens: m.context_tokens,
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "AI provider not usable; falling back to the offline assistant");
                    Engine::Offline
                }
            }
        }
        None => Engine::Offline,
    };
    let responder = Responder::with_engine(
        engine,
        actions,
        index,
        ResponderConfig {
            delta_delay: config.ai_delta_delay,
            handoff_after_misses: config.ai_handoff_after_misses,
            offline,
            ..ResponderConfig::default()
        },
    );
    responder.watch(bus.clone());
    service.set_assistant(Arc::new(responder));
}

/// Loads the bundled bilingual FAQ into an empty knowledge base, so a fresh
/// embedded install has an assistant that answers something.
async fn seed_demo_knowledge(store: &dyn Store) {
    match store.list_docs(None, 1).await {
        Ok(docs) if docs.is_empty() => {}
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(error = %e, "knowledge base not readable; demo FAQ not loaded");
            return;
        }
    }
    let docs = match chat_ai::demo::faq_documents() {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "demo FAQ not loaded");
            return;
        }
    };
    for doc in &docs {
        if let Err(e) = store.create_doc(doc).await {
            tracing::warn!(error = %e, "demo FAQ document not stored");
            return;
        }
    }
    tracing::info!(
        documents = docs.len(),
        "loaded the demo FAQ into the empty knowledge base (CHAT_AI_DEMO_KB=false to skip)"
    );
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
