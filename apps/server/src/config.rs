//! Configuration: defaults, then an optional `KEY=VALUE` file
//! (`CHAT_CONFIG_FILE`), then the environment, which wins. An empty value
//! counts as unset. Every failure names the variable at fault.
//!
//! [`Config`] is nested per crate: each section is the owning crate's own
//! config type where it has one (its `Default` is the default), so wiring
//! hands a section over instead of copying fields. The server only loads and
//! validates ([`sections`], one loader per section; [`read`], how values are
//! read); [`vars`] is the one list of known variables.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chat_admin::AuthConfig;
use chat_ai::responder::ResponderConfig;
use chat_gateway::GatewayConfig;
use chat_session::RoutingConfig;
use chat_session::lifecycle::LifecycleConfig;
use chat_store::{DatabaseUrl, PoolOptions};
use chat_webhooks::WebhookConfig;
use thiserror::Error;

mod read;
mod sections;
pub mod vars;

/// A configuration problem, naming the variable.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{var}: {message}")]
pub struct ConfigError {
    /// The variable at fault.
    pub var: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, coloured on a terminal.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Which assistant answers customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AiProvider {
    /// The built-in retrieval assistant (no network).
    Offline,
    /// A model behind an OpenAI-compatible API (DashScope by default).
    OpenAi,
    /// No assistant.
    None,
}

/// Settings of the OpenAI-compatible provider.
#[derive(Clone, Debug)]
pub struct ModelConfig {
    /// `CHAT_AI_BASE_URL`.
    pub base_url: String,
    /// `DASHSCOPE_API_KEY` (or `CHAT_AI_API_KEY`).
    pub api_key: Secret,
    /// `CHAT_AI_MODEL`.
    pub model: String,
    /// `CHAT_AI_PERSONA`: the system prompt.
    pub persona: String,
    /// `CHAT_AI_CONTEXT_TOKENS`: budget for conversation turns.
    pub context_tokens: usize,
    /// `CHAT_AI_TIMEOUT_SECS`: longest wait for the next chunk.
    pub timeout: Duration,
}

/// The default persona.
pub const DEFAULT_PERSONA: &str = "You are the customer-service assistant of an online shop. Answer briefly and politely, in the customer's language (Chinese or English), using only the knowledge-base passages given below; never invent policies, prices or order details. If the passages do not answer the question, or the customer wants a person or is upset, call transfer_to_human.";

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T = String>(pub T);

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything the server needs to start, one section per concern.
#[derive(Clone)]
pub struct Config {
    /// The HTTP server, logs and local state.
    pub server: ServerConfig,
    /// The database (`chat-store`).
    pub store: StoreConfig,
    /// Redis, shared by the bus, presence and the login throttle.
    pub redis: RedisConfig,
    /// Conversations (`chat-session`).
    pub session: SessionConfig,
    /// The WebSocket gateway (`chat-gateway`'s own type; its client-address
    /// rule is set at wiring from `server.trusted_proxies`).
    pub gateway: GatewayConfig,
    /// The assistant (`chat-ai`).
    pub ai: AiConfig,
    /// Staff accounts and tokens (`chat-admin`).
    pub admin: AdminConfig,
    /// `CHAT_WEBHOOK_*`: webhook delivery.
    pub webhooks: WebhookConfig,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("server", &self.server)
            .field("store", &self.store)
            .field("redis", &self.redis)
            .field("session", &self.session)
            .field("gateway", &self.gateway)
            .field("ai", &self.ai)
            .field("admin", &self.admin)
            .field("webhooks", &self.webhooks)
            .finish()
    }
}

/// What one node runs (`CHAT_ROLES`); every node serves `/healthz`,
/// `/readyz`, `/metrics` and the pages. See docs/DEPLOYMENT.md, "Roles".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roles {
    /// `/ws` and the widget's REST routes; presence of the agents
    /// connected here.
    pub gateway: bool,
    /// The back office: `/api/v1/*` and the OpenAPI document; the first
    /// admin is created by such a node.
    pub admin: bool,
    /// The assistant answering customers, whichever node stored their
    /// message, and its knowledge index.
    pub assistant: bool,
    /// The webhook sender (every node still queues the deliveries of the
    /// events it publishes).
    pub webhooks: bool,
    /// The lifecycle sweeper (idle close, queue alerts).
    pub sweeper: bool,
}

impl Roles {
    /// The names `CHAT_ROLES` takes.
    pub const NAMES: [&str; 5] = ["gateway", "admin", "assistant", "webhooks", "sweeper"];

    /// Every role: the default, one node doing everything.
    pub const ALL: Self = Self {
        gateway: true,
        admin: true,
        assistant: true,
        webhooks: true,
        sweeper: true,
    };

    /// Parses a comma-separated list of [`Self::NAMES`] (at least one).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut roles = Self::parse_none();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let slot = match name {
                "gateway" => &mut roles.gateway,
                "admin" => &mut roles.admin,
                "assistant" => &mut roles.assistant,
                "webhooks" => &mut roles.webhooks,
                "sweeper" => &mut roles.sweeper,
                other => {
                    return Err(format!(
                        "`{other}` is not a role (expected a comma-separated list of {})",
                        Self::NAMES.join(", ")
                    ));
                }
            };
            *slot = true;
        }
        if roles == Self::parse_none() {
            return Err(format!(
                "names no role (expected some of {})",
                Self::NAMES.join(", ")
            ));
        }
        Ok(roles)
    }

    fn parse_none() -> Self {
        Self {
            gateway: false,
            admin: false,
            assistant: false,
            webhooks: false,
            sweeper: false,
        }
    }

    /// The roles, as `CHAT_ROLES` names them (for the start-up log).
    pub fn names(&self) -> Vec<&'static str> {
        let on = [
            self.gateway,
            self.admin,
            self.assistant,
            self.webhooks,
            self.sweeper,
        ];
        Self::NAMES
            .iter()
            .zip(on)
            .filter_map(|(n, on)| on.then_some(*n))
            .collect()
    }
}

/// The HTTP server, logs and local state.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// `CHAT_ROLES`: what this node runs.
    pub roles: Roles,
    /// `CHAT_LISTEN`: address to bind.
    pub listen: SocketAddr,
    /// `CHAT_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `CHAT_DATA_DIR`: local state (the SQLite file, generated secrets).
    pub data_dir: PathBuf,
    /// `CHAT_LOG_FORMAT`, `CHAT_LOG`.
    pub log: LogConfig,
    /// `CHAT_TRUSTED_PROXIES`: comma-separated addresses.
    pub trusted_proxies: Vec<IpAddr>,
    /// `CHAT_MAX_BODY_BYTES`: largest JSON body.
    pub max_body_bytes: usize,
    /// `CHAT_SHUTDOWN_TIMEOUT_SECS`: how long a graceful stop may drain.
    pub shutdown_timeout: Duration,
    /// `CHAT_REQUEST_TIMEOUT_SECS`: time a request's headers, and then its
    /// body, have to arrive (408 after it).
    pub request_timeout: Duration,
    /// `CHAT_UPLOAD_TIMEOUT_SECS`: time an upload's body (an attachment, up
    /// to `CHAT_UPLOAD_MAX_BYTES`) has to arrive, with no pause longer than
    /// `request_timeout` (408 after either).
    pub upload_timeout: Duration,
    /// `CHAT_WEB_DIR`: serve the pages from this `web/` folder instead of
    /// the copies compiled into the binary (front-end development).
    pub web_dir: Option<PathBuf>,
}

/// Logging.
#[derive(Clone, Debug)]
pub struct LogConfig {
    /// `CHAT_LOG_FORMAT`.
    pub format: LogFormat,
    /// `CHAT_LOG` (or `RUST_LOG`): tracing filter.
    pub filter: String,
}

/// The database.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// `DATABASE_URL`, parsed (it may hold a password).
    pub url: Secret<DatabaseUrl>,
    /// `CHAT_DB_POOL_SIZE`, `CHAT_DB_CONNECT_TIMEOUT_SECS` (also Redis's
    /// connect timeout).
    pub pool: PoolOptions,
    /// `CHAT_DATA_KEYS`: `id:base64key[,…]`, AES-256 keys for customer
    /// contact details; the first encrypts, all decrypt.
    pub data_keys: Option<Secret>,
    /// `CHAT_DATA_HASH_KEY`: base64 HMAC key of the e-mail / phone search
    /// hashes.
    pub data_hash_key: Option<Secret>,
}

impl StoreConfig {
    /// True when the database is the embedded SQLite file.
    pub fn is_embedded(&self) -> bool {
        matches!(self.url.0, DatabaseUrl::Sqlite(_))
    }
}

/// Redis.
#[derive(Clone, Debug)]
pub struct RedisConfig {
    /// `REDIS_URL`: the bus, presence and login throttle go there when set
    /// (and `/readyz` checks it).
    pub url: Option<Secret>,
    /// `CHAT_REDIS_PREFIX`: namespace of this deployment's Redis keys and
    /// channel (deployments sharing one Redis must differ).
    pub prefix: String,
}

/// Conversations.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// `CHAT_MAX_CONVERSATIONS_PER_AGENT`.
    pub routing: RoutingConfig,
    /// `CHAT_IDLE_CLOSE_SECS`, `CHAT_QUEUE_ALERT_SECS`: the sweeper.
    pub lifecycle: LifecycleConfig,
    /// `CHAT_MESSAGE_WRITERS`: group-commit writers of the message log (1
    /// on SQLite, 4 by default on MySQL).
    pub message_writers: usize,
    /// `CHAT_NODE_ID`: this node's name in the presence registry (default:
    /// `node-` and a fresh UUIDv7).
    pub node_id: Option<String>,
    /// `CHAT_PRESENCE_TTL_SECS`: an agent whose node stops refreshing goes
    /// offline after this long.
    pub presence_ttl: Duration,
}

/// The assistant.
#[derive(Clone, Debug)]
pub struct AiConfig {
    /// `CHAT_AI_PROVIDER`.
    pub provider: AiProvider,
    /// The model settings, when `provider` is `OpenAi`.
    pub model: Option<ModelConfig>,
    /// `CHAT_AI_MIN_SCORE`, `CHAT_AI_HANDOFF_AFTER_MISSES`,
    /// `CHAT_AI_DELTA_DELAY_MS`.
    pub responder: ResponderConfig,
    /// `CHAT_AI_INDEX_REFRESH_SECS`: how often the assistant's index checks
    /// the knowledge base for changes.
    pub index_refresh: Duration,
    /// `CHAT_AI_DEMO_KB`: load the bundled FAQ into an empty knowledge base
    /// (default: on with SQLite, off with MySQL).
    pub demo_kb: bool,
    /// `CHAT_AI_EMBEDDINGS_*`: dense retrieval through an embeddings
    /// endpoint, when `CHAT_AI_EMBEDDINGS_MODEL` is set (its `Debug` leaves
    /// the key out).
    pub embeddings: Option<chat_ai::dense::EmbeddingsConfig>,
}

impl AiConfig {
    /// Whether an assistant answers at all.
    pub fn enabled(&self) -> bool {
        self.provider != AiProvider::None
    }
}

/// Staff accounts and tokens.
#[derive(Clone, Debug)]
pub struct AdminConfig {
    /// Token lifetimes, login throttle, the first admin's password file.
    pub auth: AuthConfig,
    /// `CHAT_JWT_SECRET` (generated into the data dir with SQLite).
    pub jwt_secret: Option<Secret>,
    /// `CHAT_ADMIN_EMAIL`: the first admin's login.
    pub admin_email: Option<String>,
    /// `CHAT_ADMIN_PASSWORD`: the first admin's password.
    pub admin_password: Option<Secret>,
    /// `CHAT_WIDGET_SECRET`: with which host sites sign verified customer
    /// identities for the widget's routes.
    pub widget_secret: Option<Secret>,
    /// `CHAT_STORAGE_URL`: where attachment files go (`s3://bucket/prefix`,
    /// `file:///path`); unset: `CHAT_DATA_DIR/storage`.
    pub storage_url: Option<String>,
    /// `CHAT_UPLOAD_MAX_BYTES`: largest attachment.
    pub upload_max_bytes: u64,
}

impl Config {
    /// Reads the process environment (and `CHAT_CONFIG_FILE` if set).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the configuration from a lookup function (the environment, or
    /// a map in tests), reading `CHAT_CONFIG_FILE` through it first.
    pub fn from_lookup(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        sections::load(&read::Vars::new(env)?)
    }

    /// True when the database is the embedded SQLite file.
    pub fn is_embedded(&self) -> bool {
        self.store.is_embedded()
    }

    /// The `CHAT_*` variables set in the environment or in `CHAT_CONFIG_FILE`
    /// that the server does not read, each with the nearest known name.
    pub fn unknown_variables() -> Vec<(String, Option<&'static str>)> {
        let mut names: Vec<String> = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect();
        if let Some(path) = std::env::var_os("CHAT_CONFIG_FILE").filter(|p| !p.is_empty())
            && let Ok(file) = read::read_env_file(Path::new(&path))
        {
            names.extend(file.into_keys());
        }
        vars::unknown(names.iter().map(String::as_str))
    }

    /// Every known variable with where its value comes from (`environment`,
    /// `file` or `default`) and the value, `***` for a set secret: what
    /// `chat-server check-config` prints.
    pub fn effective_variables()
    -> Result<Vec<(&'static vars::Var, &'static str, String)>, ConfigError> {
        let file = match std::env::var("CHAT_CONFIG_FILE")
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            Some(path) => read::read_env_file(Path::new(&path))?,
            None => HashMap::new(),
        };
        let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        Ok(vars::VARS
            .iter()
            .map(|var| {
                let (source, value) = match (
                    set(std::env::var(var.name).ok()),
                    set(file.get(var.name).cloned()),
                ) {
                    (Some(v), _) => ("environment", v),
                    (None, Some(v)) => ("file", v),
                    (None, None) => ("default", var.default.to_owned()),
                };
                let value = if var.secret && source != "default" {
                    "***".to_owned()
                } else {
                    value
                };
                (var, source, value)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA_KEY: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const HASH_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.store.url.0,
            DatabaseUrl::Sqlite(PathBuf::from("data/chat.db"))
        );
        assert!(c.is_embedded());
        assert_eq!(c.server.log.format, LogFormat::Pretty);
        assert_eq!(c.admin.auth.access_ttl_secs, 900);
        assert!(c.admin.jwt_secret.is_none());
        assert!(
            !c.webhooks.allow_private,
            "internal webhook targets are opt-in"
        );
        assert_eq!(c.webhooks.max_attempts, 10);
        assert_eq!(c.webhooks.disable_after, 5);
    }

    #[test]
    fn errors_name_the_variable() {
        let var = |pairs: &[(&str, &str)]| cfg(pairs).unwrap_err().var;
        assert_eq!(var(&[("CHAT_LISTEN", "nowhere")]), "CHAT_LISTEN");
        assert_eq!(var(&[("DATABASE_URL", "postgres://x")]), "DATABASE_URL");
        assert_eq!(
            var(&[("DATABASE_URL", "mysql://u@h/db")]),
            "CHAT_JWT_SECRET"
        );
        assert_eq!(var(&[("CHAT_JWT_SECRET", "short")]), "CHAT_JWT_SECRET");
        assert_eq!(var(&[("CHAT_LOG_FORMAT", "xml")]), "CHAT_LOG_FORMAT");
        assert_eq!(var(&[("CHAT_DB_POOL_SIZE", "0")]), "CHAT_DB_POOL_SIZE");
        assert_eq!(
            var(&[("CHAT_MESSAGE_WRITERS", "2")]),
            "CHAT_MESSAGE_WRITERS"
        );
        assert_eq!(
            var(&[("CHAT_MESSAGE_WRITERS", "0")]),
            "CHAT_MESSAGE_WRITERS"
        );
        assert_eq!(
            var(&[("CHAT_TRUSTED_PROXIES", "10.0.0.1, proxy")]),
            "CHAT_TRUSTED_PROXIES"
        );
        assert_eq!(var(&[("REDIS_URL", "localhost:6379")]), "REDIS_URL");
        assert_eq!(
            var(&[("CHAT_ADMIN_PASSWORD", "short")]),
            "CHAT_ADMIN_PASSWORD"
        );
        assert_eq!(
            var(&[("CHAT_CONFIG_FILE", "/nonexistent/chat.env")]),
            "CHAT_CONFIG_FILE"
        );
        assert_eq!(
            var(&[("CHAT_WEBHOOK_ALLOW_PRIVATE", "maybe")]),
            "CHAT_WEBHOOK_ALLOW_PRIVATE"
        );
        assert_eq!(
            var(&[("CHAT_WEBHOOK_MAX_ATTEMPTS", "0")]),
            "CHAT_WEBHOOK_MAX_ATTEMPTS"
        );
        assert_eq!(
            var(&[("CHAT_WEBHOOK_TIMEOUT_SECS", "1000")]),
            "CHAT_WEBHOOK_TIMEOUT_SECS"
        );
        assert_eq!(
            var(&[("CHAT_WEBHOOK_MAX_BACKOFF_SECS", "99999999999")]),
            "CHAT_WEBHOOK_MAX_BACKOFF_SECS"
        );
        assert_eq!(
            var(&[("CHAT_WEBHOOK_RETENTION_DAYS", "100000")]),
            "CHAT_WEBHOOK_RETENTION_DAYS"
        );
    }

    #[test]
    fn file_then_environment_and_empty_means_unset() {
        let dir = std::env::temp_dir().join(format!("chat-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chat.env");
        std::fs::write(&file, "# comment\nCHAT_LISTEN=0.0.0.0:9000\nexport CHAT_LOG_FORMAT=\"json\"\nCHAT_ACCESS_TOKEN_TTL_SECS=60\n").unwrap();
        let path = file.to_string_lossy().to_string();
        let c = cfg(&[
            ("CHAT_CONFIG_FILE", &path),
            ("CHAT_ACCESS_TOKEN_TTL_SECS", "120"),
            ("CHAT_ADMIN_EMAIL", ""),
        ])
        .unwrap();
        assert_eq!(c.server.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.server.log.format, LogFormat::Json);
        assert_eq!(
            c.admin.auth.access_ttl_secs, 120,
            "environment wins over the file"
        );
        assert_eq!(c.admin.admin_email, None, "empty is unset");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn data_keys_come_in_pairs_and_must_parse() {
        let (key, hash) = (DATA_KEY, HASH_KEY);
        let jwt = "s".repeat(40);
        let mysql = [
            ("DATABASE_URL", "mysql://u@h/db"),
            ("CHAT_JWT_SECRET", jwt.as_str()),
        ];
        let var = |extra: &[(&str, &str)]| {
            let mut pairs = mysql.to_vec();
            pairs.extend_from_slice(extra);
            cfg(&pairs).map(|_| ()).map_err(|e| e.var)
        };
        assert_eq!(var(&[]), Err("CHAT_DATA_KEYS"), "required with MySQL");
        assert_eq!(var(&[("CHAT_DATA_KEYS", key)]), Err("CHAT_DATA_HASH_KEY"));
        assert_eq!(
            var(&[("CHAT_DATA_KEYS", "k1:short"), ("CHAT_DATA_HASH_KEY", hash)]),
            Err("CHAT_DATA_KEYS")
        );
        assert_eq!(
            var(&[("CHAT_DATA_KEYS", key), ("CHAT_DATA_HASH_KEY", "c2hvcnQ=")]),
            Err("CHAT_DATA_HASH_KEY")
        );
        assert_eq!(
            var(&[("CHAT_DATA_KEYS", key), ("CHAT_DATA_HASH_KEY", hash)]),
            Ok(())
        );
        assert!(cfg(&[]).is_ok(), "embedded mode generates its own");
        let shown = format!(
            "{:?}",
            cfg(&[("CHAT_DATA_KEYS", key), ("CHAT_DATA_HASH_KEY", hash)]).unwrap()
        );
        assert!(!shown.contains("AAECAwQF"), "{shown}");
    }

    #[test]
    fn message_writers_default_by_backend_and_leave_pool_connections() {
        let jwt = "s".repeat(40);
        let mysql = |extra: &[(&str, &str)]| {
            let mut pairs = vec![
                ("DATABASE_URL", "mysql://u@h/db"),
                ("CHAT_JWT_SECRET", jwt.as_str()),
                ("CHAT_DATA_KEYS", DATA_KEY),
                ("CHAT_DATA_HASH_KEY", HASH_KEY),
            ];
            pairs.extend_from_slice(extra);
            cfg(&pairs)
        };
        assert_eq!(cfg(&[]).unwrap().session.message_writers, 1);
        assert_eq!(mysql(&[]).unwrap().session.message_writers, 4);
        assert_eq!(
            mysql(&[("CHAT_DB_POOL_SIZE", "4")])
                .unwrap()
                .session
                .message_writers,
            2,
            "the default leaves half the pool"
        );
        assert_eq!(
            mysql(&[("CHAT_DB_POOL_SIZE", "1")])
                .unwrap()
                .session
                .message_writers,
            1,
            "a pool of one still gets its writer"
        );
        assert_eq!(
            mysql(&[("CHAT_MESSAGE_WRITERS", "8"), ("CHAT_DB_POOL_SIZE", "16")])
                .unwrap()
                .session
                .message_writers,
            8
        );
        assert_eq!(
            mysql(&[("CHAT_MESSAGE_WRITERS", "5")])
                .map_err(|e| e.var)
                .err(),
            Some("CHAT_MESSAGE_WRITERS"),
            "5 of 8 connections"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let c = cfg(&[
            ("CHAT_JWT_SECRET", &"s".repeat(40)),
            ("DATABASE_URL", "mysql://root:hunter2@db/chat"),
            (
                "CHAT_DATA_KEYS",
                "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            ),
            (
                "CHAT_DATA_HASH_KEY",
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            ),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains(&"s".repeat(40)));
    }

    #[test]
    fn embeddings_are_off_unless_a_model_is_named_and_share_the_provider_key() {
        assert!(cfg(&[]).unwrap().ai.embeddings.is_none());
        let c = cfg(&[
            ("DASHSCOPE_API_KEY", "sk-chat"),
            ("CHAT_AI_EMBEDDINGS_MODEL", "text-embedding-v4"),
            ("CHAT_AI_EMBEDDINGS_DIMENSIONS", "512"),
        ])
        .unwrap();
        let e = c.ai.embeddings.clone().unwrap();
        assert_eq!(e.model, "text-embedding-v4");
        assert_eq!(e.api_key, "sk-chat");
        assert_eq!(e.base_url, chat_ai::provider::DASHSCOPE_BASE_URL);
        assert_eq!(e.dimensions, Some(512));
        assert!(
            !format!("{:?}", c.ai).contains("sk-chat"),
            "no key in Debug"
        );
        // A local endpoint of its own, with the offline assistant and no key.
        let local = cfg(&[
            ("CHAT_AI_EMBEDDINGS_MODEL", "all-MiniLM-L6-v2"),
            ("CHAT_AI_EMBEDDINGS_BASE_URL", "http://127.0.0.1:8088/v1"),
            ("CHAT_AI_EMBEDDINGS_WEIGHT", "0.5"),
        ])
        .unwrap()
        .ai
        .embeddings
        .unwrap();
        assert_eq!(local.api_key, "");
        assert_eq!(local.fusion.weight, 0.5);
        let var = |pairs: &[(&str, &str)]| cfg(pairs).unwrap_err().var;
        assert_eq!(
            var(&[("CHAT_AI_EMBEDDINGS_MODEL", "text-embedding-v4")]),
            "CHAT_AI_EMBEDDINGS_API_KEY",
            "DashScope without a key"
        );
        let with = |k: &'static str, v: &'static str| {
            var(&[
                ("CHAT_AI_EMBEDDINGS_MODEL", "m"),
                ("CHAT_AI_EMBEDDINGS_BASE_URL", "http://127.0.0.1:1/v1"),
                (k, v),
            ])
        };
        assert_eq!(
            with("CHAT_AI_EMBEDDINGS_WEIGHT", "1.5"),
            "CHAT_AI_EMBEDDINGS_WEIGHT"
        );
        assert_eq!(
            with("CHAT_AI_EMBEDDINGS_FLOOR", "-1"),
            "CHAT_AI_EMBEDDINGS_FLOOR"
        );
        assert_eq!(
            with("CHAT_AI_EMBEDDINGS_BATCH", "0"),
            "CHAT_AI_EMBEDDINGS_BATCH"
        );
        assert_eq!(
            with("CHAT_AI_EMBEDDINGS_TIMEOUT_MS", "soon"),
            "CHAT_AI_EMBEDDINGS_TIMEOUT_MS"
        );
        assert_eq!(
            with("CHAT_AI_EMBEDDINGS_BASE_URL", "ftp://x"),
            "CHAT_AI_EMBEDDINGS_BASE_URL"
        );
    }
}
