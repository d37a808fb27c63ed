//! # chat-server
//!
//! The binary that wires Chat API together: it reads the [`config`], opens
//! the store (SQLite or MySQL, migrating it), bootstraps the first admin,
//! builds the actix-web application with its middleware (request ids,
//! tracing, metrics) and serves it until SIGTERM / SIGINT, draining
//! in-flight requests.
//!
//! This is the only crate that knows every concrete type; the library crates
//! see each other through `chat-domain`'s traits. [`Application::build`]
//! reads like the architecture, one step per layer ([`wiring`]): storage →
//! real time (bus, presence, webhooks' outbox, conversations) → assistant →
//! gateway → back office → HTTP server, each step starting only what the
//! node's roles (`CHAT_ROLES`) ask for.
//!
//! Layout: [`config`] (defaults → file → environment, nested per crate),
//! [`wiring`] (the build steps), [`telemetry`] (logs, request ids,
//! Prometheus), [`health`] (`/healthz`, `/readyz`), [`secrets`] (the JWT
//! signing secret and the data keys), [`pages`] (the widget and console
//! pages, embedded), and [`Application`] here.

pub mod cli;
pub mod config;
pub mod hardening;
pub mod health;
pub mod import;
pub mod pages;
pub mod secrets;
pub mod telemetry;
pub mod wiring;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::Server;
use anyhow::Context as _;
use chat_domain::DomainError;
use chat_gateway::Gateway;
use chat_store::{DatabaseUrl, SqlStore};
use chat_webhooks::Webhooks;

use crate::config::Config;

/// A built server, bound to its port, not yet running.
pub struct Application {
    server: Server,
    addr: SocketAddr,
    store: SqlStore,
    /// `None` on a node without the gateway role.
    gateway: Option<Arc<Gateway>>,
    webhooks: Arc<Webhooks>,
}

impl Application {
    /// Opens the store, bootstraps, binds the listener. Every failure here is
    /// a start-up error with a message fit for an operator.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // First: a port already taken must stop the start before anything
        // is created (database, secrets, the first admin and its password).
        let listener = TcpListener::bind(config.server.listen)
            .with_context(|| format!("binding CHAT_LISTEN={}", config.server.listen))?;
        let addr = listener.local_addr()?;
        log_start(&config);
        // The recorder before anything that records: the message writers
        // and the gateway look their histograms up once, when they start,
        // and a lookup made before the recorder exists records nothing.
        telemetry::metrics_handle();
        let (storage, bootstrap) = wiring::storage(&config).await?;
        let realtime = wiring::realtime(&config, &storage).await?;
        let assistant = wiring::assistant(&config, &storage, &realtime).await;
        let gateway = wiring::gateway(&config, &storage, &realtime);
        let back_office = wiring::back_office(&config, &storage, &realtime, &assistant)?;
        // Before the listener opens: nobody may try to log in before the
        // first admin exists.
        bootstrap.finish().await?;
        let server = wiring::http_server(
            &config,
            listener,
            &storage,
            gateway.clone(),
            back_office,
            assistant.answering_index(),
        )?;
        // Last: see `wiring::Assistant::follow_knowledge`.
        assistant.follow_knowledge(&storage, &config);
        Ok(Self {
            server,
            addr,
            store: storage.sql,
            gateway,
            webhooks: realtime.webhooks,
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
            match gateway {
                Some(gateway) => {
                    tracing::info!(
                        sockets = gateway.connections(),
                        "shutting down: closing sockets, draining requests"
                    );
                    gateway.close_all();
                }
                None => tracing::info!("shutting down: draining requests"),
            }
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

/// Says what this node runs and where local state lives, as absolute
/// paths (a relative `CHAT_DATA_DIR` or SQLite path depends on the
/// directory the server was started from); warns about a likely mistake.
fn log_start(config: &Config) {
    let database = match &config.store.url.0 {
        DatabaseUrl::Sqlite(path) => absolute(path).display().to_string(),
        other => other.backend().to_owned(),
    };
    tracing::info!(
        roles = %config.server.roles.names().join(","),
        data_dir = %absolute(&config.server.data_dir).display(),
        %database,
        "local state"
    );
    if config.is_embedded() && config.redis.url.is_some() {
        // Likely a production node that lost its DATABASE_URL: it would
        // write to a private file and silently split from the others.
        tracing::warn!(
            "REDIS_URL is set but DATABASE_URL is SQLite: this node's data stays local to it; \
             set DATABASE_URL=mysql://… to share a database between nodes"
        );
    }
}

/// Opens (and migrates) the database with the data keys, checking that the
/// keys read what is stored: a wrong or missing key is an error naming it,
/// not failing customer requests later. Returns the store and the key ids.
pub async fn open_store(config: &Config) -> anyhow::Result<(SqlStore, String)> {
    let store = SqlStore::connect_to(&config.store.url.0, config.store.pool.clone())
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

/// `path` made absolute against the working directory (not resolved:
/// it may not exist yet).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
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
