//! The steps of [`crate::Application::build`], in the order of the
//! architecture: [`storage`] → [`realtime`] → [`assistant`] → [`gateway`] →
//! [`back_office`] → [`http_server`]. Each takes its section of the
//! [`Config`] and what the steps before it built, and starts only what the
//! node's roles (`CHAT_ROLES`) ask for.
//!
//! ~600 lines: the one place that knows every concrete type; each step is
//! short, and splitting them over files would hide the order they run in.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use chat_admin::attachments::Attachments;
use chat_admin::audit::{Audit, AuditRecord};
use chat_admin::auth::{BootstrapOutcome, JwtKeys, PreparedAdmin};
use chat_admin::availability::Availability;
use chat_admin::http::TrustedProxies;
use chat_admin::{AuthService, Mount, Services};
use chat_ai::knowledge::LiveIndex;
use chat_ai::provider::{OpenAiProvider, ProviderConfig};
use chat_ai::responder::{Engine, Responder};
use chat_ai::search::IndexSearch;
use chat_domain::DomainError;
use chat_domain::availability::SystemClock;
use chat_domain::ports::{EventBus, KnowledgeSearch, PresenceRegistry, Store};
use chat_gateway::{ClientAddress, Gateway, GatewayConfig};
use chat_session::attempts::RedisAttempts;
use chat_session::bus::{InProcessBus, RedisBus};
use chat_session::presence::{InProcessPresence, NodePresence, RedisPresence};
use chat_session::{AwayService, ConversationService, MessageLog};
use chat_store::{DatabaseUrl, SqlStore};
use chat_webhooks::Webhooks;
use tokio::task::JoinHandle;
use tracing_actix_web::TracingLogger;

use crate::config::{AiConfig, Config, ModelConfig};
use crate::health::ReadinessTargets;
use crate::{absolute, hardening, health, open_store, pages, secrets, telemetry};

/// The database and who may use it.
pub struct Storage {
    /// The concrete store (health checks, tests).
    pub sql: SqlStore,
    /// The same store, as the ports every crate sees.
    pub store: Arc<dyn Store>,
    /// Sign-in and tokens.
    pub auth: Arc<AuthService>,
}

/// Step 1: opens (and migrates) the database with its data keys, loads the
/// signing secret, and starts creating the first admin on a back-office
/// node (awaited by [`Bootstrap::finish`]).
pub async fn storage(config: &Config) -> anyhow::Result<(Storage, Bootstrap)> {
    // A SQLite file that does not exist yet is a first start: the first
    // admin will be created, so its argon2id hash (the longest step of a
    // first start) runs alongside the migrations instead of after them.
    // Elsewhere (restarts, MySQL) it is hashed only if the user table
    // turns out to be empty.
    let first_start = matches!(&config.store.url.0, DatabaseUrl::Sqlite(path) if !path.exists());
    let bootstrapping = config.server.roles.admin;
    let early_admin = (bootstrapping && first_start).then(|| {
        let email = config.admin.admin_email.clone();
        let password = config.admin.admin_password.as_ref().map(|s| s.0.clone());
        tokio::spawn(async move { PreparedAdmin::new(email.as_deref(), password.as_deref()).await })
    });
    let (sql, key_ids) = open_store(config).await?;
    tracing::info!(backend = sql.backend(), data_keys = %key_ids, "database ready");
    let secret = secrets::jwt_secret(config).context("loading the JWT secret")?;
    let keys = Arc::new(JwtKeys::new(&secret).map_err(|e| anyhow::anyhow!("{e}"))?);
    // Cancel-safe as it is: every statement runs as a task of this
    // (multi-thread) runtime, the one the store was opened on.
    let store: Arc<dyn Store> = Arc::new(sql.clone());
    let auth = Arc::new(AuthService::new(
        store.clone(),
        keys,
        config.admin.auth.clone(),
    ));
    let bootstrap = Bootstrap {
        task: bootstrapping.then(|| spawn_bootstrap(config, &auth, early_admin)),
        password_file: config.admin.auth.initial_password_file.clone(),
        audit: Audit::new(store.clone()),
    };
    Ok((Storage { sql, store, auth }, bootstrap))
}

/// The first admin's creation, running while the rest of start-up goes on
/// (its argon2id hash is about half of a first start).
pub struct Bootstrap {
    task: Option<JoinHandle<Result<BootstrapOutcome, DomainError>>>,
    password_file: Option<PathBuf>,
    /// Where the creation is recorded.
    audit: Audit,
}

type Prepared = JoinHandle<Result<PreparedAdmin, DomainError>>;

fn spawn_bootstrap(
    config: &Config,
    auth: &Arc<AuthService>,
    early_admin: Option<Prepared>,
) -> JoinHandle<Result<BootstrapOutcome, DomainError>> {
    let auth = auth.clone();
    let email = config.admin.admin_email.clone();
    let password = config.admin.admin_password.as_ref().map(|s| s.0.clone());
    tokio::spawn(async move {
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
    })
}

impl Bootstrap {
    /// Waits for the first admin and tells the operator what happened (the
    /// generated password is logged once and kept in a file until changed).
    pub async fn finish(self) -> anyhow::Result<()> {
        let Some(task) = self.task else {
            return Ok(());
        };
        let outcome = task
            .await
            .context("creating the first admin")?
            .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?;
        if let BootstrapOutcome::Created { email, .. } = &outcome {
            self.audit
                .record(
                    AuditRecord::new(None, "auth.bootstrap_admin", Some(email.clone())),
                    None,
                )
                .await;
        }
        let file = self.password_file;
        let shown = file.as_deref().map(|f| absolute(f).display().to_string());
        match outcome {
            BootstrapOutcome::AlreadyInitialized => {
                if let (Some(file), Some(path)) = (&file, &shown)
                    && file.exists()
                {
                    tracing::warn!(
                        %path,
                        "the first admin still has the generated password kept in this file; \
                         log in and change it (the file is then deleted)"
                    );
                }
            }
            BootstrapOutcome::Created {
                email,
                generated_password: Some(password),
            } => {
                if let Some(file) = file {
                    chat_admin::auth::write_initial_password(file, password.clone())
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                // Logged once; the file keeps it until the admin changes it.
                tracing::warn!(
                    %email, %password,
                    path = shown.as_deref().unwrap_or("-"),
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
        Ok(())
    }
}

/// The real-time side, shared by every node.
pub struct Realtime {
    /// The bus every publisher of this node uses (through the webhooks'
    /// outbox).
    pub bus: Arc<dyn EventBus>,
    /// Who is online, on every node.
    pub presence: Arc<dyn PresenceRegistry>,
    /// The conversation use cases.
    pub service: Arc<ConversationService>,
    /// Webhook subscriptions, the outbox and (on a webhooks node) the sender.
    pub webhooks: Arc<Webhooks>,
}

/// Step 2: bus and presence (Redis when configured, shared with the login
/// throttle), webhooks' outbox, the message log, the conversation service,
/// and the sweeper on a sweeper node.
pub async fn realtime(config: &Config, storage: &Storage) -> anyhow::Result<Realtime> {
    let (bus, presence): (Arc<dyn EventBus>, Arc<dyn PresenceRegistry>) = match &config.redis.url {
        Some(url) => {
            let prefix = &config.redis.prefix;
            let bus = RedisBus::connect(&url.0, prefix, config.store.pool.timeout)
                .await
                .context("connecting the event bus to REDIS_URL")?;
            let presence = Arc::new(RedisPresence::new(bus.pool(), prefix));
            storage
                .auth
                .share_login_attempts(Arc::new(RedisAttempts::new(bus.pool(), prefix)));
            tracing::info!("event bus and presence on Redis");
            (Arc::new(bus), presence)
        }
        None => (
            Arc::new(InProcessBus::new()),
            Arc::new(InProcessPresence::new()),
        ),
    };
    // Webhooks: a listener on the bus, like the gateway's hub.
    let webhooks = Webhooks::start(storage.store.clone(), bus.clone(), config.webhooks.clone())
        .await
        .context("starting webhooks")?;
    if !config.server.roles.webhooks {
        // The deliveries this node queues are sent by the webhooks nodes.
        webhooks.stop();
    }
    storage.auth.attach_bus(bus.clone());
    let log = MessageLog::start_with_writers(
        storage.store.clone(),
        bus.clone(),
        256,
        config.session.message_writers,
    );
    let service = Arc::new(ConversationService::new(
        storage.store.clone(),
        bus.clone(),
        log,
        presence.clone(),
        config.session.routing.clone(),
    ));
    if config.server.roles.sweeper {
        chat_session::lifecycle::spawn(service.clone(), config.session.lifecycle.clone());
    }
    Ok(Realtime {
        bus,
        presence,
        service,
        webhooks,
    })
}

/// The assistant's side: the index it answers from and the search the back
/// office uses.
pub struct Assistant {
    /// The knowledge index, following the documents once started.
    index: LiveIndex,
    /// Whether this node answers customers (and so keeps the index).
    answering: bool,
    /// Knowledge search for the back office.
    pub knowledge: Arc<dyn KnowledgeSearch>,
}

/// Step 3: on an assistant node with an assistant configured, loads the
/// demo FAQ into an empty knowledge base if asked, and answers customers:
/// in process on a node that is also a gateway (the messages it stores),
/// from the bus on an assistant worker (every message stored by any node,
/// so gateway nodes beside it must not run the assistant too).
pub async fn assistant(config: &Config, storage: &Storage, realtime: &Realtime) -> Assistant {
    let ai = &config.ai;
    let answering = ai.enabled() && config.server.roles.assistant;
    let index = knowledge_index(ai);
    if answering {
        if ai.demo_kb {
            seed_demo_knowledge(storage.store.as_ref()).await;
        }
        let responder = Responder::with_engine(
            engine(ai),
            realtime.service.clone(),
            index.clone(),
            ai.responder.clone(),
        );
        responder.watch(realtime.bus.clone());
        if config.server.roles.gateway {
            // The messages this node stores are answered here, in process:
            // one answer per message however many such nodes run.
            realtime.service.set_assistant(Arc::new(responder));
        } else {
            // An assistant worker: it hears of messages on the bus.
            responder.follow(realtime.bus.clone(), storage.store.clone());
        }
    } else if !ai.enabled() {
        tracing::info!("no assistant (CHAT_AI_PROVIDER=none): customers wait for a person");
    }
    let knowledge: Arc<dyn KnowledgeSearch> = Arc::new(IndexSearch::new(
        index.clone(),
        storage.store.clone(),
        ai.responder.offline.clone(),
        answering,
    ));
    Assistant {
        index,
        answering,
        knowledge,
    }
}

impl Assistant {
    /// The knowledge index, when this node answers customers (its state
    /// shows in `/readyz`).
    pub fn answering_index(&self) -> Option<LiveIndex> {
        self.answering.then(|| self.index.clone())
    }

    /// Starts the index following the documents. Called last: loading the
    /// segmenter's dictionary and indexing the documents is the heaviest
    /// work of a start (~150 ms of CPU) and nothing before needs it; started
    /// earlier, it only competed for the two cores with the steps readiness
    /// waits for. (The first index was never ready before the listener
    /// opened: on a first start it ends ~100 ms after.)
    pub fn follow_knowledge(&self, storage: &Storage, config: &Config) {
        if self.answering {
            self.index
                .follow(storage.store.clone(), config.ai.index_refresh);
        }
    }
}

/// The knowledge index, with dense retrieval when an embeddings model is
/// configured (lexical only when its client cannot be built).
fn knowledge_index(ai: &AiConfig) -> LiveIndex {
    let Some(e) = &ai.embeddings else {
        return LiveIndex::new();
    };
    match chat_ai::dense::Embedder::new(e.clone()) {
        Ok(embedder) => {
            tracing::info!(model = %e.model, base_url = %e.base_url, "knowledge index: dense retrieval on");
            LiveIndex::with_embeddings(Arc::new(embedder))
        }
        Err(err) => {
            tracing::warn!(error = %err, "embeddings client not built; lexical retrieval only");
            LiveIndex::new()
        }
    }
}

/// The offline assistant, or the configured model (falling back to the
/// offline one when the model's client cannot be built).
fn engine(ai: &AiConfig) -> Engine {
    let Some(m) = &ai.model else {
        return Engine::Offline;
    };
    match model_provider(m) {
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

fn model_provider(m: &ModelConfig) -> Result<OpenAiProvider, chat_ai::provider::ProviderError> {
    OpenAiProvider::new(ProviderConfig {
        chunk_timeout: m.timeout,
        ..ProviderConfig::new(&m.base_url, &m.api_key.0, &m.model)
    })
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

/// Step 4: the WebSocket gateway, on a gateway node, with this node's
/// agent presence.
pub fn gateway(config: &Config, storage: &Storage, realtime: &Realtime) -> Option<Arc<Gateway>> {
    if !config.server.roles.gateway {
        return None;
    }
    let proxies = TrustedProxies(config.server.trusted_proxies.clone());
    let node_id = config
        .session
        .node_id
        .clone()
        .unwrap_or_else(|| format!("node-{}", uuid::Uuid::now_v7().simple()));
    let presence = NodePresence::start(
        realtime.presence.clone(),
        realtime.bus.clone(),
        node_id,
        config.session.presence_ttl,
    );
    Some(Gateway::start(
        realtime.service.clone(),
        presence,
        storage.auth.clone(),
        storage.auth.clone(),
        realtime.bus.clone(),
        GatewayConfig {
            client_address: ClientAddress::new(move |req| proxies.client_ip(req)),
            ..config.gateway.clone()
        },
    ))
}

/// What chat-admin serves on this node: its services, which of its routes
/// ([`Mount`]), and the attachment use cases its file routes need.
#[derive(Clone)]
pub struct BackOffice {
    services: Services,
    mount: Mount,
    attachments: web::Data<Attachments>,
    availability: web::Data<Availability>,
}

/// Step 5: chat-admin's services, on an admin node (the back office) or a
/// gateway node (the widget's routes), with the attachment storage
/// `CHAT_STORAGE_URL` names (S3 settings from the process's `AWS_*`
/// variables).
pub fn back_office(
    config: &Config,
    storage: &Storage,
    realtime: &Realtime,
    assistant: &Assistant,
) -> anyhow::Result<Option<BackOffice>> {
    let roles = &config.server.roles;
    let mount = Mount {
        back_office: roles.admin,
        widget: roles.gateway,
    };
    if !(mount.back_office || mount.widget) {
        return Ok(None);
    }
    let services = Services {
        store: storage.store.clone(),
        auth: storage.auth.clone(),
        commands: realtime.service.clone(),
        presence: realtime.presence.clone(),
        knowledge: assistant.knowledge.clone(),
        webhooks: realtime.webhooks.clone(),
        proxies: TrustedProxies(config.server.trusted_proxies.clone()),
        widget: chat_admin::http::WidgetConfig {
            secret: config
                .admin
                .widget_secret
                .as_ref()
                .map(|s| s.0.as_bytes().to_vec()),
        },
    };
    let url = chat_storage::StorageUrl::parse(
        config.admin.storage_url.as_deref(),
        &config.server.data_dir,
    )?;
    let files = chat_storage::Storage::open(&url, std::env::vars())
        .context("opening the attachment storage")?;
    tracing::info!(storage = ?files, max_bytes = config.admin.upload_max_bytes, "attachment storage ready");
    let attachments = web::Data::new(Attachments {
        storage: Arc::new(files),
        repo: Arc::new(storage.sql.clone()),
        max_bytes: config.admin.upload_max_bytes,
    });
    let availability = web::Data::new(Availability::new(
        Arc::new(storage.sql.clone()),
        storage.store.clone(),
        realtime.presence.clone(),
        Arc::new(AwayService::new(
            realtime.service.clone(),
            Arc::new(storage.sql.clone()),
        )),
        Arc::new(SystemClock),
    ));
    Ok(Some(BackOffice {
        services,
        mount,
        attachments,
        availability,
    }))
}

/// Step 6: the HTTP server: the node's routes (gateway, back office), health
/// and metrics on every node, the pages, and the middleware; bound to
/// `listener`, not yet awaited.
pub fn http_server(
    config: &Config,
    listener: TcpListener,
    storage: &Storage,
    gateway: Option<Arc<Gateway>>,
    back_office: Option<BackOffice>,
    knowledge: Option<LiveIndex>,
) -> anyhow::Result<Server> {
    let server_config = &config.server;
    let metrics = web::Data::new(telemetry::metrics_handle());
    let store_data = web::Data::new(storage.sql.clone());
    // `/readyz` pings the port, on every node (the back office registers it
    // too, for its routes).
    let port_data: web::Data<dyn Store> = web::Data::from(storage.store.clone());
    let readiness = web::Data::new(ReadinessTargets {
        redis_url: config.redis.url.as_ref().map(|s| s.0.clone()),
        knowledge,
    });
    let max_body = server_config.max_body_bytes;
    let body_timeout = hardening::BodyTimeout {
        body: server_config.request_timeout,
        upload: server_config.upload_timeout,
    };
    let pages_config = pages::PagesConfig {
        dir: server_config.web_dir.clone(),
    };
    let mut server = HttpServer::new(move || {
        let mut app = App::new()
            .app_data(chat_admin::http::json_config(max_body))
            .app_data(body_timeout)
            .app_data(chat_admin::http::query_config())
            .app_data(chat_admin::http::path_config())
            .app_data(metrics.clone())
            .app_data(store_data.clone())
            .app_data(port_data.clone())
            .app_data(readiness.clone());
        if let Some(gateway) = &gateway {
            app = app.configure(chat_gateway::configure(gateway.clone()));
        }
        if let Some(office) = &back_office {
            app = app
                .app_data(office.attachments.clone())
                .app_data(office.availability.clone())
                .configure(chat_admin::configure_mount(
                    office.services.clone(),
                    office.mount,
                ));
        }
        app.service(get_only("/healthz", web::get().to(health::healthz)))
            .service(get_only("/readyz", web::get().to(health::readyz)))
            .service(get_only(
                "/metrics",
                web::get().to(telemetry::metrics_endpoint),
            ))
            // Last: the pages answer only their own paths and leave every
            // other unknown path to the API's JSON 404.
            .configure(pages::configure(pages_config.clone()))
            .wrap(Compress::default())
            .wrap(from_fn(hardening::harden))
            .wrap(from_fn(telemetry::track_requests))
            .wrap(TracingLogger::<telemetry::RequestSpan>::new())
    })
    .shutdown_timeout(server_config.shutdown_timeout.as_secs())
    // The headers' deadline; the body's is `hardening`'s.
    .client_request_timeout(server_config.request_timeout)
    // No lingering after a response whose request body was not read to
    // its end. Every WebSocket is such a response (its "body" is the
    // socket's frames, which never end), so after answering a client's
    // close frame the connection stayed open for this timeout (1 s by
    // default, 0.5-1 s as actix's clock goes) instead of ending at once
    // as RFC 6455 7.1.1 asks; browsers report the socket closed only
    // then. Plain HTTP loses little: a response sent before its request
    // body was read now ends the connection at once.
    .client_disconnect_timeout(std::time::Duration::ZERO)
    // Signals are ours (see `run_until_stopped`): sockets must be told to go
    // before the drain starts, or it waits for every idle socket.
    .disable_signals()
    // Frames written back to back (an ack, the customer's message, the
    // assistant's delta and reply) otherwise wait for the client's delayed
    // ACK: 40 ms per answer, measured (docs/BENCHMARKS.md).
    .tcp_nodelay(true)
    .listen(listener)?;
    if let Some(workers) = server_config.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// A resource answering `route`, and any other method with the JSON 405.
fn get_only(path: &str, route: actix_web::Route) -> actix_web::Resource {
    web::resource(path)
        .route(route)
        .default_service(web::to(chat_admin::http::error::method_not_allowed))
}
