//! Configuration: defaults, then an optional `KEY=VALUE` file
//! (`CHAT_CONFIG_FILE`), then the environment, which wins. An empty value
//! counts as unset. Every failure names the variable at fault.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

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

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
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
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// `CHAT_LISTEN`: address to bind.
    pub listen: SocketAddr,
    /// `DATABASE_URL`: `sqlite://path` or `mysql://…` (may hold a password).
    pub database_url: Secret,
    /// `CHAT_DB_POOL_SIZE`.
    pub db_pool_size: usize,
    /// `CHAT_MESSAGE_WRITERS`: group-commit writers of the message log (1
    /// on SQLite, 4 by default on MySQL).
    pub message_writers: usize,
    /// `CHAT_DB_CONNECT_TIMEOUT_SECS`.
    pub db_connect_timeout: Duration,
    /// `REDIS_URL`: when set, `/readyz` checks it.
    pub redis_url: Option<Secret>,
    /// `CHAT_DATA_DIR`: where embedded mode keeps its generated JWT secret.
    pub data_dir: PathBuf,
    /// `CHAT_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `CHAT_LOG` (or `RUST_LOG`): tracing filter.
    pub log_filter: String,
    /// `CHAT_JWT_SECRET`.
    pub jwt_secret: Option<Secret>,
    /// `CHAT_DATA_KEYS`: `id:base64key[,…]`, AES-256 keys for customer
    /// contact details; the first encrypts, all decrypt.
    pub data_keys: Option<Secret>,
    /// `CHAT_DATA_HASH_KEY`: base64 HMAC key of the e-mail / phone search
    /// hashes.
    pub data_hash_key: Option<Secret>,
    /// `CHAT_ACCESS_TOKEN_TTL_SECS`.
    pub access_ttl_secs: i64,
    /// `CHAT_REFRESH_TOKEN_TTL_SECS`.
    pub refresh_ttl_secs: i64,
    /// `CHAT_ADMIN_EMAIL`.
    pub admin_email: Option<String>,
    /// `CHAT_ADMIN_PASSWORD`.
    pub admin_password: Option<Secret>,
    /// `CHAT_LOGIN_MAX_FAILURES`.
    pub login_max_failures: u32,
    /// `CHAT_LOGIN_WINDOW_SECS`.
    pub login_window: Duration,
    /// `CHAT_TRUSTED_PROXIES`: comma-separated addresses.
    pub trusted_proxies: Vec<IpAddr>,
    /// `CHAT_MAX_BODY_BYTES`: largest JSON body.
    pub max_body_bytes: usize,
    /// `CHAT_STORAGE_URL`: where attachment files go (`s3://bucket/prefix`,
    /// `file:///path`); unset: `CHAT_DATA_DIR/storage`.
    pub storage_url: Option<String>,
    /// `CHAT_UPLOAD_MAX_BYTES`: largest attachment.
    pub upload_max_bytes: u64,
    /// `CHAT_SHUTDOWN_TIMEOUT_SECS`: how long a graceful stop may drain.
    pub shutdown_timeout: Duration,
    /// `CHAT_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `CHAT_NODE_ID`: this node's name in presence (default: generated).
    pub node_id: Option<String>,
    /// `CHAT_ALLOWED_ORIGINS`: browser origins allowed to open sockets
    /// besides the server's own (`*` for any).
    pub allowed_origins: Vec<String>,
    /// `CHAT_WIDGET_SECRET`: HMAC key for verified customer identities.
    pub widget_secret: Option<Secret>,
    /// `CHAT_MAX_CONVERSATIONS_PER_AGENT`.
    pub max_per_agent: u32,
    /// `CHAT_IDLE_CLOSE_SECS`: close conversations idle this long.
    pub idle_close: Duration,
    /// `CHAT_QUEUE_ALERT_SECS`: alert supervisors after this wait.
    pub queue_alert: Duration,
    /// `CHAT_WS_RATE_PER_SEC`: frames per second per socket.
    pub ws_rate_per_sec: u32,
    /// `CHAT_WS_MAX_PER_IP`: open sockets per client address (0: no cap).
    pub ws_max_per_ip: usize,
    /// `CHAT_REQUEST_TIMEOUT_SECS`: time a request's headers, and then its
    /// body, have to arrive (408 after it).
    pub request_timeout: Duration,
    /// `CHAT_PRESENCE_TTL_SECS`: an agent whose node stops refreshing goes
    /// offline after this long.
    pub presence_ttl: Duration,
    /// `CHAT_AI_PROVIDER`: `offline` (the built-in assistant) or `none`
    /// (no assistant: customers wait for a person).
    pub ai_provider: AiProvider,
    /// The model settings, when `ai_provider` is `OpenAi`.
    pub ai_model: Option<ModelConfig>,
    /// `CHAT_AI_MIN_SCORE`: least confidence (0–1: the best document's score
    /// relative to what the question could score at most) the offline
    /// assistant answers with (below it, it says it is not sure and offers
    /// a person).
    pub ai_min_score: f64,
    /// `CHAT_AI_HANDOFF_AFTER_MISSES`: hand off after this many unanswered
    /// questions in a row (0: never).
    pub ai_handoff_after_misses: u32,
    /// `CHAT_AI_DELTA_DELAY_MS`: pause between streamed pieces.
    pub ai_delta_delay: Duration,
    /// `CHAT_AI_INDEX_REFRESH_SECS`: how often the assistant's index checks
    /// the knowledge base for changes.
    pub ai_index_refresh: Duration,
    /// `CHAT_AI_DEMO_KB`: load the bundled FAQ into an empty knowledge base
    /// (default: on with SQLite, off with MySQL).
    pub ai_demo_kb: bool,
    /// `CHAT_WEBHOOK_*`: webhook delivery (attempts, backoff, timeout,
    /// disabling, allowed destinations, polling, retention).
    pub webhooks: chat_admin::webhooks::WebhookConfig,
    /// `CHAT_WEB_DIR`: serve the pages from this `web/` folder instead of
    /// the copies compiled into the binary (front-end development).
    pub web_dir: Option<PathBuf>,
    /// `CHAT_REDIS_PREFIX`: namespace of this deployment's Redis keys and
    /// channel (deployments sharing one Redis must differ).
    pub redis_prefix: String,
}

impl Config {
    /// Reads the process environment (and `CHAT_CONFIG_FILE` if set).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the configuration from a lookup function (the environment, or
    /// a map in tests), reading `CHAT_CONFIG_FILE` through it first.
    pub fn from_lookup(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let file = match env("CHAT_CONFIG_FILE") {
            Some(path) => read_env_file(Path::new(&path))?,
            None => HashMap::new(),
        };
        let get =
            |k: &str| env(k).or_else(|| file.get(k).cloned().filter(|v| !v.trim().is_empty()));

        // Local state lives in one place: the default database file too.
        let data_dir = PathBuf::from(get("CHAT_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("chat.db").display()));
        let scheme = database_url
            .split("://")
            .next()
            .unwrap_or_default()
            .to_owned();
        if !matches!(scheme.as_str(), "sqlite" | "mysql" | "mariadb")
            || !database_url.contains("://")
        {
            return Err(err(
                "DATABASE_URL",
                format!(
                    "unsupported scheme `{scheme}` (expected sqlite://path or mysql://user:pass@host/db)"
                ),
            ));
        }
        let db_pool_size = positive(&get, "CHAT_DB_POOL_SIZE", 8)?;
        let message_writers = message_writers(&get, scheme == "sqlite", db_pool_size)?;
        let jwt_secret = get("CHAT_JWT_SECRET").map(Secret);
        if let Some(s) = &jwt_secret {
            if s.0.len() < 32 {
                return Err(err("CHAT_JWT_SECRET", "must be at least 32 bytes"));
            }
        } else if scheme != "sqlite" {
            return Err(err(
                "CHAT_JWT_SECRET",
                "is required with a MySQL database: every node must sign with the same secret \
                 (generate one with `openssl rand -hex 32`)",
            ));
        }
        let data_keys = get("CHAT_DATA_KEYS").map(Secret);
        let data_hash_key = get("CHAT_DATA_HASH_KEY").map(Secret);
        check_data_keys(
            data_keys.as_ref(),
            data_hash_key.as_ref(),
            scheme == "sqlite",
        )?;
        let redis_url = get("REDIS_URL").map(Secret);
        if let Some(r) = &redis_url
            && !r.0.starts_with("redis://")
        {
            return Err(err("REDIS_URL", "must start with redis://"));
        }
        let log_format = match get("CHAT_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(err(
                    "CHAT_LOG_FORMAT",
                    format!("`{other}` is not json or pretty"),
                ));
            }
        };
        let trusted_proxies = match get("CHAT_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        err(
                            "CHAT_TRUSTED_PROXIES",
                            format!("`{s}` is not an IP address"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let admin_password = get("CHAT_ADMIN_PASSWORD").map(Secret);
        if let Some(p) = &admin_password
            && p.0.chars().count() < 8
        {
            return Err(err("CHAT_ADMIN_PASSWORD", "must be at least 8 characters"));
        }
        let log_filter = get("CHAT_LOG")
            .or_else(|| get("RUST_LOG"))
            .unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            return Err(err(
                "CHAT_LOG",
                format!("`{log_filter}` is not a tracing filter (e.g. info,chat_store=debug)"),
            ));
        }
        let access_ttl_secs: i64 = positive(&get, "CHAT_ACCESS_TOKEN_TTL_SECS", 900)?;
        if access_ttl_secs > 24 * 3600 {
            return Err(err(
                "CHAT_ACCESS_TOKEN_TTL_SECS",
                "must be at most 86400 (access tokens are meant to be short-lived)",
            ));
        }
        let refresh_ttl_secs: i64 = positive(&get, "CHAT_REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600)?;
        if refresh_ttl_secs > 365 * 24 * 3600 || refresh_ttl_secs < access_ttl_secs {
            return Err(err(
                "CHAT_REFRESH_TOKEN_TTL_SECS",
                "must be at least the access-token lifetime and at most 31536000 (a year)",
            ));
        }
        let api_key = get("DASHSCOPE_API_KEY").or_else(|| get("CHAT_AI_API_KEY"));
        let ai_provider = match get("CHAT_AI_PROVIDER").as_deref() {
            None if api_key.is_some() => AiProvider::OpenAi,
            None | Some("offline") => AiProvider::Offline,
            Some("openai" | "dashscope") => AiProvider::OpenAi,
            Some("none") => AiProvider::None,
            Some(other) => {
                return Err(err(
                    "CHAT_AI_PROVIDER",
                    format!("`{other}` is not offline, openai, dashscope or none"),
                ));
            }
        };
        let ai_model = match ai_provider {
            AiProvider::OpenAi => {
                let api_key = api_key.ok_or_else(|| {
                    err("DASHSCOPE_API_KEY", "is required when CHAT_AI_PROVIDER is openai or dashscope (or set CHAT_AI_API_KEY)")
                })?;
                let base_url = get("CHAT_AI_BASE_URL")
                    .unwrap_or_else(|| chat_ai::provider::DASHSCOPE_BASE_URL.into());
                if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                    return Err(err("CHAT_AI_BASE_URL", "must be an http(s) URL"));
                }
                Some(ModelConfig {
                    base_url,
                    api_key: Secret(api_key),
                    model: get("CHAT_AI_MODEL").unwrap_or_else(|| "qwen-plus".into()),
                    persona: get("CHAT_AI_PERSONA").unwrap_or_else(|| DEFAULT_PERSONA.into()),
                    context_tokens: positive(&get, "CHAT_AI_CONTEXT_TOKENS", 2000)?,
                    timeout: Duration::from_secs(positive(&get, "CHAT_AI_TIMEOUT_SECS", 30)?),
                })
            }
            _ => None,
        };
        Ok(Self {
            listen: listen_addr(get("CHAT_LISTEN").as_deref().unwrap_or("127.0.0.1:8080"))?,
            database_url: Secret(database_url),
            db_pool_size,
            message_writers,
            db_connect_timeout: Duration::from_secs(positive(
                &get,
                "CHAT_DB_CONNECT_TIMEOUT_SECS",
                5,
            )?),
            redis_url,
            data_dir,
            log_format,
            log_filter: get("CHAT_LOG")
                .or_else(|| get("RUST_LOG"))
                .unwrap_or_else(|| "info".into()),
            jwt_secret,
            data_keys,
            data_hash_key,
            access_ttl_secs,
            refresh_ttl_secs,
            admin_email: get("CHAT_ADMIN_EMAIL"),
            admin_password,
            login_max_failures: positive(&get, "CHAT_LOGIN_MAX_FAILURES", 5)?,
            login_window: Duration::from_secs(positive(&get, "CHAT_LOGIN_WINDOW_SECS", 300)?),
            trusted_proxies,
            max_body_bytes: positive(&get, "CHAT_MAX_BODY_BYTES", 64 * 1024)?,
            storage_url: get("CHAT_STORAGE_URL"),
            upload_max_bytes: positive(
                &get,
                "CHAT_UPLOAD_MAX_BYTES",
                chat_domain::attachment::DEFAULT_MAX_UPLOAD_BYTES,
            )?,
            shutdown_timeout: Duration::from_secs(parse(&get, "CHAT_SHUTDOWN_TIMEOUT_SECS", "30")?),
            node_id: get("CHAT_NODE_ID"),
            allowed_origins: get("CHAT_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            widget_secret: match get("CHAT_WIDGET_SECRET") {
                Some(s) if s.len() < 32 => {
                    return Err(err("CHAT_WIDGET_SECRET", "must be at least 32 bytes"));
                }
                other => other.map(Secret),
            },
            max_per_agent: positive(&get, "CHAT_MAX_CONVERSATIONS_PER_AGENT", 5)?,
            idle_close: Duration::from_secs(positive(&get, "CHAT_IDLE_CLOSE_SECS", 1800)?),
            queue_alert: Duration::from_secs(positive(&get, "CHAT_QUEUE_ALERT_SECS", 120)?),
            ws_rate_per_sec: positive(&get, "CHAT_WS_RATE_PER_SEC", 20)?,
            ws_max_per_ip: parse(&get, "CHAT_WS_MAX_PER_IP", "100")?,
            request_timeout: Duration::from_secs(positive(&get, "CHAT_REQUEST_TIMEOUT_SECS", 10)?),
            presence_ttl: Duration::from_secs(positive(&get, "CHAT_PRESENCE_TTL_SECS", 30)?),
            ai_provider,
            ai_model,
            ai_min_score: match get("CHAT_AI_MIN_SCORE") {
                None => chat_ai::offline::OfflineConfig::default().min_confidence,
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .ok_or_else(|| {
                        err(
                            "CHAT_AI_MIN_SCORE",
                            format!("`{v}` is not a confidence between 0 and 1"),
                        )
                    })?,
            },
            ai_handoff_after_misses: parse(&get, "CHAT_AI_HANDOFF_AFTER_MISSES", "2")?,
            ai_delta_delay: Duration::from_millis(parse(&get, "CHAT_AI_DELTA_DELAY_MS", "0")?),
            ai_index_refresh: Duration::from_secs(positive(
                &get,
                "CHAT_AI_INDEX_REFRESH_SECS",
                10,
            )?),
            ai_demo_kb: match get("CHAT_AI_DEMO_KB").as_deref() {
                None => scheme == "sqlite",
                Some("true" | "1" | "yes") => true,
                Some("false" | "0" | "no") => false,
                Some(other) => {
                    return Err(err(
                        "CHAT_AI_DEMO_KB",
                        format!("`{other}` is not true or false"),
                    ));
                }
            },
            webhooks: webhook_config(&get)?,
            web_dir: get("CHAT_WEB_DIR").map(PathBuf::from),
            redis_prefix: get("CHAT_REDIS_PREFIX").unwrap_or_else(|| "chat".into()),
            workers: get("CHAT_WORKERS")
                .map(|v| {
                    v.parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| err("CHAT_WORKERS", "must be a positive integer"))
                })
                .transpose()?,
        })
    }

    /// True when the database is the embedded SQLite file.
    pub fn is_embedded(&self) -> bool {
        self.database_url.0.starts_with("sqlite://")
    }

    /// The `CHAT_*` variables set in the environment or in `CHAT_CONFIG_FILE`
    /// that the server does not read, each with the nearest known name.
    pub fn unknown_variables() -> Vec<(String, Option<&'static str>)> {
        let mut names: Vec<String> = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect();
        if let Some(path) = std::env::var_os("CHAT_CONFIG_FILE").filter(|p| !p.is_empty())
            && let Ok(file) = read_env_file(Path::new(&path))
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
            Some(path) => read_env_file(Path::new(&path))?,
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

/// `CHAT_LISTEN`: an address, or a host name resolved now (`localhost:8080`);
/// the first IPv4 address wins, as most clients try it first.
fn listen_addr(raw: &str) -> Result<SocketAddr, ConfigError> {
    use std::net::ToSocketAddrs as _;
    const VAR: &str = "CHAT_LISTEN";
    let raw = raw.trim();
    if let Ok(addr) = raw.parse() {
        return Ok(addr);
    }
    let hint = "expected HOST:PORT, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or localhost:8080";
    let addrs: Vec<SocketAddr> = raw
        .to_socket_addrs()
        .map_err(|e| err(VAR, format!("`{raw}` is not valid ({e}); {hint}")))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| err(VAR, format!("`{raw}` resolves to no address; {hint}")))
}

/// Both data-key variables or neither (embedded mode generates its own);
/// each must parse, and together make a usable cipher.
fn check_data_keys(
    keys: Option<&Secret>,
    hash_key: Option<&Secret>,
    embedded: bool,
) -> Result<(), ConfigError> {
    use chat_store::crypto::{FieldCipher, parse_hash_key, parse_keys};
    match (keys, hash_key) {
        (None, None) if embedded => Ok(()),
        (None, _) => Err(err(
            "CHAT_DATA_KEYS",
            if embedded {
                "is required with CHAT_DATA_HASH_KEY".to_owned()
            } else {
                "is required with a MySQL database: every node must encrypt customer data with the \
                 same keys (e.g. CHAT_DATA_KEYS=k1:$(openssl rand -base64 32))"
                    .to_owned()
            },
        )),
        (Some(_), None) => Err(err(
            "CHAT_DATA_HASH_KEY",
            "is required with CHAT_DATA_KEYS (e.g. $(openssl rand -base64 32))",
        )),
        (Some(keys), Some(hash_key)) => {
            let keys = parse_keys(&keys.0).map_err(|e| err("CHAT_DATA_KEYS", e.to_string()))?;
            let hash_key = parse_hash_key(&hash_key.0)
                .map_err(|e| err("CHAT_DATA_HASH_KEY", e.to_string()))?;
            if hash_key.len() < 32 {
                return Err(err(
                    "CHAT_DATA_HASH_KEY",
                    "must be base64 of at least 32 bytes",
                ));
            }
            FieldCipher::new(keys, hash_key)
                .map(|_| ())
                .map_err(|e| err("CHAT_DATA_KEYS", e.to_string()))
        }
    }
}

fn webhook_config(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<chat_admin::webhooks::WebhookConfig, ConfigError> {
    let defaults = chat_admin::webhooks::WebhookConfig::default();
    let max_attempts: u32 = positive(get, "CHAT_WEBHOOK_MAX_ATTEMPTS", defaults.max_attempts)?;
    if max_attempts > 50 {
        return Err(err("CHAT_WEBHOOK_MAX_ATTEMPTS", "must be at most 50"));
    }
    let backoff_ms: u64 = positive(get, "CHAT_WEBHOOK_BACKOFF_MS", 5000)?;
    if backoff_ms > 3_600_000 {
        return Err(err(
            "CHAT_WEBHOOK_BACKOFF_MS",
            "must be at most 3600000 (an hour)",
        ));
    }
    let backoff = Duration::from_millis(backoff_ms);
    let max_backoff_secs: u64 = positive(get, "CHAT_WEBHOOK_MAX_BACKOFF_SECS", 3600)?;
    if max_backoff_secs > 86_400 {
        return Err(err(
            "CHAT_WEBHOOK_MAX_BACKOFF_SECS",
            "must be at most 86400 (a day)",
        ));
    }
    let max_backoff = Duration::from_secs(max_backoff_secs);
    let retention_days: u64 = positive(get, "CHAT_WEBHOOK_RETENTION_DAYS", 30)?;
    if retention_days > 3650 {
        return Err(err("CHAT_WEBHOOK_RETENTION_DAYS", "must be at most 3650"));
    }
    let timeout: u64 = positive(get, "CHAT_WEBHOOK_TIMEOUT_SECS", 10)?;
    if timeout > 300 {
        return Err(err("CHAT_WEBHOOK_TIMEOUT_SECS", "must be at most 300"));
    }
    Ok(chat_admin::webhooks::WebhookConfig {
        max_attempts,
        backoff,
        max_backoff: max_backoff.max(backoff),
        disable_after: parse(get, "CHAT_WEBHOOK_DISABLE_AFTER", "5")?,
        timeout: Duration::from_secs(timeout),
        allow_private: flag(get, "CHAT_WEBHOOK_ALLOW_PRIVATE", false)?,
        poll_interval: Duration::from_millis(positive(get, "CHAT_WEBHOOK_POLL_MS", 2000)?),
        retention: Duration::from_secs(retention_days * 24 * 3600),
        ..defaults
    })
}

fn flag(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(var).as_deref().map(str::trim) {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(err(var, format!("`{other}` is not true or false"))),
    }
}

fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: &str,
) -> Result<T, ConfigError> {
    let raw = get(var).unwrap_or_else(|| default.to_owned());
    raw.trim()
        .parse()
        .map_err(|_| err(var, format!("`{raw}` is not valid")))
}

/// SQLite has one write lock: a second writer would only wait for it. On
/// MySQL each writer holds a pooled connection while it commits, so some
/// must stay for everything else.
fn message_writers(
    get: &impl Fn(&str) -> Option<String>,
    sqlite: bool,
    pool_size: usize,
) -> Result<usize, ConfigError> {
    const VAR: &str = "CHAT_MESSAGE_WRITERS";
    // At least one, whatever the pool: a pool of one still needs a writer.
    let limit = (pool_size / 2).max(1);
    let writers = positive(get, VAR, if sqlite { 1 } else { 4.min(limit) })?;
    if sqlite && writers > 1 {
        return Err(err(
            VAR,
            "must be 1 with SQLite (one write lock: more writers only wait for it)",
        ));
    }
    if !sqlite && writers > limit {
        return Err(err(
            VAR,
            format!(
                "{writers} writers would hold more than half of CHAT_DB_POOL_SIZE={pool_size} connections"
            ),
        ));
    }
    Ok(writers)
}

fn positive<T>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + Default + std::fmt::Display,
{
    match get(var) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(v) if v > T::default() => Ok(v),
            _ => Err(err(var, format!("`{raw}` is not a positive integer"))),
        },
    }
}

/// Reads `KEY=VALUE` lines; `#` starts a comment line; surrounding quotes
/// are removed. The same format as `deploy/.env.example`.
fn read_env_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        err(
            "CHAT_CONFIG_FILE",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let mut map = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            return Err(err(
                "CHAT_CONFIG_FILE",
                format!("{}:{}: expected KEY=VALUE", path.display(), n + 1),
            ));
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            .unwrap_or(v);
        map.insert(k.trim().to_owned(), v.to_owned());
    }
    Ok(map)
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
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url.0, "sqlite://data/chat.db");
        assert!(c.is_embedded());
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(c.access_ttl_secs, 900);
        assert!(c.jwt_secret.is_none());
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
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.access_ttl_secs, 120, "environment wins over the file");
        assert_eq!(c.admin_email, None, "empty is unset");
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
        assert_eq!(cfg(&[]).unwrap().message_writers, 1);
        assert_eq!(mysql(&[]).unwrap().message_writers, 4);
        assert_eq!(
            mysql(&[("CHAT_DB_POOL_SIZE", "4")])
                .unwrap()
                .message_writers,
            2,
            "the default leaves half the pool"
        );
        assert_eq!(
            mysql(&[("CHAT_DB_POOL_SIZE", "1")])
                .unwrap()
                .message_writers,
            1,
            "a pool of one still gets its writer"
        );
        assert_eq!(
            mysql(&[("CHAT_MESSAGE_WRITERS", "8"), ("CHAT_DB_POOL_SIZE", "16")])
                .unwrap()
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
}
