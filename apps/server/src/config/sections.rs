//! One loader per section of [`Config`]: each reads its variables, checks
//! them and fills the owning crate's own config type (whose `Default` gives
//! what a variable does not set).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chat_admin::AuthConfig;
use chat_ai::offline::OfflineConfig;
use chat_ai::responder::ResponderConfig;
use chat_gateway::GatewayConfig;
use chat_session::RoutingConfig;
use chat_session::lifecycle::LifecycleConfig;
use chat_store::{DatabaseUrl, PoolOptions};
use chat_webhooks::WebhookConfig;

use super::read::{Vars, err};
use super::{
    AdminConfig, AiConfig, AiProvider, Config, ConfigError, DEFAULT_PERSONA, LogConfig, LogFormat,
    ModelConfig, RedisConfig, Roles, Secret, ServerConfig, SessionConfig, StoreConfig,
};

/// Every section, in dependency order (the store's backend decides some
/// defaults and requirements of the others).
pub(super) fn load(vars: &Vars<'_>) -> Result<Config, ConfigError> {
    let data_dir = PathBuf::from(vars.get("CHAT_DATA_DIR").unwrap_or_else(|| "data".into()));
    let store = store(vars, &data_dir)?;
    let embedded = store.is_embedded();
    let session = session(vars, embedded, store.pool.max_size)?;
    // The shared secrets' checks in this order: the signing secret is the
    // first thing a MySQL node without configuration lacks.
    let admin = admin(vars, embedded, &data_dir)?;
    check_data_keys(
        store.data_keys.as_ref(),
        store.data_hash_key.as_ref(),
        embedded,
    )?;
    Ok(Config {
        redis: redis(vars)?,
        server: server(vars, data_dir)?,
        store,
        session,
        gateway: gateway(vars)?,
        ai: ai(vars, embedded)?,
        admin,
        webhooks: webhooks(vars)?,
    })
}

fn server(vars: &Vars<'_>, data_dir: PathBuf) -> Result<ServerConfig, ConfigError> {
    let trusted_proxies = vars
        .list("CHAT_TRUSTED_PROXIES")
        .iter()
        .map(|s| {
            s.parse().map_err(|_| {
                err(
                    "CHAT_TRUSTED_PROXIES",
                    format!("`{s}` is not an IP address"),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let roles = match vars.get("CHAT_ROLES") {
        None => Roles::ALL,
        Some(list) => Roles::parse(&list).map_err(|m| err("CHAT_ROLES", m))?,
    };
    Ok(ServerConfig {
        roles,
        listen: listen_addr(
            vars.get("CHAT_LISTEN")
                .as_deref()
                .unwrap_or("127.0.0.1:8080"),
        )?,
        data_dir,
        log: log(vars)?,
        trusted_proxies,
        max_body_bytes: vars.positive("CHAT_MAX_BODY_BYTES", 64 * 1024)?,
        shutdown_timeout: Duration::from_secs(vars.parse("CHAT_SHUTDOWN_TIMEOUT_SECS", "30")?),
        request_timeout: Duration::from_secs(vars.positive("CHAT_REQUEST_TIMEOUT_SECS", 10)?),
        upload_timeout: Duration::from_secs(vars.positive("CHAT_UPLOAD_TIMEOUT_SECS", 120)?),
        workers: vars
            .get("CHAT_WORKERS")
            .map(|v| {
                v.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| err("CHAT_WORKERS", "must be a positive integer"))
            })
            .transpose()?,
        web_dir: vars.get("CHAT_WEB_DIR").map(PathBuf::from),
    })
}

fn log(vars: &Vars<'_>) -> Result<LogConfig, ConfigError> {
    let format = match vars.get("CHAT_LOG_FORMAT").as_deref() {
        None | Some("pretty") => LogFormat::Pretty,
        Some("json") => LogFormat::Json,
        Some(other) => {
            return Err(err(
                "CHAT_LOG_FORMAT",
                format!("`{other}` is not json or pretty"),
            ));
        }
    };
    let filter = vars
        .get("CHAT_LOG")
        .or_else(|| vars.get("RUST_LOG"))
        .unwrap_or_else(|| "info".into());
    if tracing_subscriber::EnvFilter::try_new(&filter).is_err() {
        return Err(err(
            "CHAT_LOG",
            format!("`{filter}` is not a tracing filter (e.g. info,chat_store=debug)"),
        ));
    }
    Ok(LogConfig { format, filter })
}

/// `DATABASE_URL`, parsed here once, and what goes with it. Local state
/// lives in one place: the default database file is in `data_dir`.
fn store(vars: &Vars<'_>, data_dir: &Path) -> Result<StoreConfig, ConfigError> {
    let raw = vars
        .get("DATABASE_URL")
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("chat.db").display()));
    let scheme = raw.split("://").next().unwrap_or_default();
    if !matches!(scheme, "sqlite" | "mysql" | "mariadb") || !raw.contains("://") {
        return Err(err(
            "DATABASE_URL",
            format!(
                "unsupported scheme `{scheme}` (expected sqlite://path or mysql://user:pass@host/db)"
            ),
        ));
    }
    let url = DatabaseUrl::parse(&raw).map_err(|e| err("DATABASE_URL", e.to_string()))?;
    Ok(StoreConfig {
        url: Secret(url),
        pool: PoolOptions {
            max_size: vars.positive("CHAT_DB_POOL_SIZE", PoolOptions::default().max_size)?,
            timeout: Duration::from_secs(vars.positive("CHAT_DB_CONNECT_TIMEOUT_SECS", 5)?),
        },
        data_keys: vars.get("CHAT_DATA_KEYS").map(Secret),
        data_hash_key: vars.get("CHAT_DATA_HASH_KEY").map(Secret),
    })
}

fn session(vars: &Vars<'_>, sqlite: bool, pool_size: usize) -> Result<SessionConfig, ConfigError> {
    let lifecycle = LifecycleConfig::default();
    Ok(SessionConfig {
        routing: RoutingConfig {
            max_per_agent: vars.positive(
                "CHAT_MAX_CONVERSATIONS_PER_AGENT",
                RoutingConfig::default().max_per_agent,
            )?,
        },
        lifecycle: LifecycleConfig {
            idle_close_after: Duration::from_secs(
                vars.positive("CHAT_IDLE_CLOSE_SECS", lifecycle.idle_close_after.as_secs())?,
            ),
            queue_alert_after: Duration::from_secs(vars.positive(
                "CHAT_QUEUE_ALERT_SECS",
                lifecycle.queue_alert_after.as_secs(),
            )?),
            ..lifecycle
        },
        message_writers: message_writers(vars, sqlite, pool_size)?,
        node_id: vars.get("CHAT_NODE_ID"),
        presence_ttl: Duration::from_secs(vars.positive("CHAT_PRESENCE_TTL_SECS", 30)?),
    })
}

fn redis(vars: &Vars<'_>) -> Result<RedisConfig, ConfigError> {
    let url = vars.get("REDIS_URL").map(Secret);
    if let Some(r) = &url
        && !r.0.starts_with("redis://")
    {
        return Err(err("REDIS_URL", "must start with redis://"));
    }
    Ok(RedisConfig {
        url,
        prefix: vars
            .get("CHAT_REDIS_PREFIX")
            .unwrap_or_else(|| "chat".into()),
    })
}

/// The gateway's settings, but for the client-address rule, which the
/// server sets from `CHAT_TRUSTED_PROXIES` when it wires the gateway.
fn gateway(vars: &Vars<'_>) -> Result<GatewayConfig, ConfigError> {
    let defaults = GatewayConfig::default();
    Ok(GatewayConfig {
        allowed_origins: vars.list("CHAT_ALLOWED_ORIGINS"),
        rate_per_sec: vars.positive("CHAT_WS_RATE_PER_SEC", defaults.rate_per_sec)?,
        max_sockets_per_ip: vars.parse("CHAT_WS_MAX_PER_IP", "100")?,
        ..defaults
    })
}

fn ai(vars: &Vars<'_>, embedded: bool) -> Result<AiConfig, ConfigError> {
    let api_key = vars
        .get("DASHSCOPE_API_KEY")
        .or_else(|| vars.get("CHAT_AI_API_KEY"));
    let provider = match vars.get("CHAT_AI_PROVIDER").as_deref() {
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
    let embeddings = embeddings(vars, api_key.as_deref())?;
    let model = match provider {
        AiProvider::OpenAi => Some(model(vars, api_key)?),
        _ => None,
    };
    let responder = ResponderConfig::default();
    let offline = OfflineConfig::default();
    let min_confidence = unit(vars, "CHAT_AI_MIN_SCORE", offline.min_confidence)?;
    Ok(AiConfig {
        provider,
        model,
        responder: ResponderConfig {
            delta_delay: Duration::from_millis(vars.parse("CHAT_AI_DELTA_DELAY_MS", "0")?),
            handoff_after_misses: vars.parse("CHAT_AI_HANDOFF_AFTER_MISSES", "2")?,
            offline: OfflineConfig {
                min_confidence,
                ..offline
            },
            ..responder
        },
        index_refresh: Duration::from_secs(vars.positive("CHAT_AI_INDEX_REFRESH_SECS", 10)?),
        demo_kb: vars.flag("CHAT_AI_DEMO_KB", embedded)?,
        embeddings,
    })
}

/// A share between 0 and 1 (`default` when unset).
fn unit(vars: &Vars<'_>, var: &'static str, default: f64) -> Result<f64, ConfigError> {
    match vars.get(var) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| (0.0..=1.0).contains(x))
            .ok_or_else(|| err(var, format!("`{v}` is not a number between 0 and 1"))),
    }
}

/// Dense retrieval: on when `CHAT_AI_EMBEDDINGS_MODEL` is set; the
/// endpoint and key default to the chat provider's.
fn embeddings(
    vars: &Vars<'_>,
    provider_key: Option<&str>,
) -> Result<Option<chat_ai::dense::EmbeddingsConfig>, ConfigError> {
    let Some(model) = vars.get("CHAT_AI_EMBEDDINGS_MODEL") else {
        return Ok(None);
    };
    let base_url = vars
        .get("CHAT_AI_EMBEDDINGS_BASE_URL")
        .or_else(|| vars.get("CHAT_AI_BASE_URL"))
        .unwrap_or_else(|| chat_ai::provider::DASHSCOPE_BASE_URL.into());
    if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
        return Err(err("CHAT_AI_EMBEDDINGS_BASE_URL", "must be an http(s) URL"));
    }
    let api_key = vars
        .get("CHAT_AI_EMBEDDINGS_API_KEY")
        .or_else(|| provider_key.map(str::to_owned));
    // A local endpoint may take no key; DashScope always wants one.
    if api_key.is_none() && base_url.contains("dashscope") {
        return Err(err(
            "CHAT_AI_EMBEDDINGS_API_KEY",
            "is required for DashScope's embeddings (or set DASHSCOPE_API_KEY)",
        ));
    }
    let mut config = chat_ai::dense::EmbeddingsConfig::new(
        &base_url,
        api_key.as_deref().unwrap_or_default(),
        &model,
    );
    config.dimensions = vars
        .get("CHAT_AI_EMBEDDINGS_DIMENSIONS")
        .map(|_| vars.positive("CHAT_AI_EMBEDDINGS_DIMENSIONS", 1u32))
        .transpose()?;
    config.query_timeout =
        Duration::from_millis(vars.positive("CHAT_AI_EMBEDDINGS_TIMEOUT_MS", 1000)?);
    config.batch = vars.bounded(
        "CHAT_AI_EMBEDDINGS_BATCH",
        10,
        2048,
        " (passages per request)",
    )?;
    config.fusion.weight = unit(vars, "CHAT_AI_EMBEDDINGS_WEIGHT", config.fusion.weight)?;
    config.fusion.floor = unit(vars, "CHAT_AI_EMBEDDINGS_FLOOR", config.fusion.floor)?;
    Ok(Some(config))
}

fn model(vars: &Vars<'_>, api_key: Option<String>) -> Result<ModelConfig, ConfigError> {
    let api_key = api_key.ok_or_else(|| {
        err(
            "DASHSCOPE_API_KEY",
            "is required when CHAT_AI_PROVIDER is openai or dashscope (or set CHAT_AI_API_KEY)",
        )
    })?;
    let base_url = vars
        .get("CHAT_AI_BASE_URL")
        .unwrap_or_else(|| chat_ai::provider::DASHSCOPE_BASE_URL.into());
    if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
        return Err(err("CHAT_AI_BASE_URL", "must be an http(s) URL"));
    }
    Ok(ModelConfig {
        base_url,
        api_key: Secret(api_key),
        model: vars
            .get("CHAT_AI_MODEL")
            .unwrap_or_else(|| "qwen-plus".into()),
        persona: vars
            .get("CHAT_AI_PERSONA")
            .unwrap_or_else(|| DEFAULT_PERSONA.into()),
        context_tokens: vars.positive("CHAT_AI_CONTEXT_TOKENS", 2000)?,
        timeout: Duration::from_secs(vars.positive("CHAT_AI_TIMEOUT_SECS", 30)?),
    })
}

fn admin(vars: &Vars<'_>, embedded: bool, data_dir: &Path) -> Result<AdminConfig, ConfigError> {
    let jwt_secret = vars.get("CHAT_JWT_SECRET").map(Secret);
    if let Some(s) = &jwt_secret {
        if s.0.len() < 32 {
            return Err(err("CHAT_JWT_SECRET", "must be at least 32 bytes"));
        }
    } else if !embedded {
        return Err(err(
            "CHAT_JWT_SECRET",
            "is required with a MySQL database: every node must sign with the same secret \
             (generate one with `openssl rand -hex 32`)",
        ));
    }
    let widget_secret = vars.get("CHAT_WIDGET_SECRET").map(Secret);
    if widget_secret.as_ref().is_some_and(|s| s.0.len() < 32) {
        return Err(err("CHAT_WIDGET_SECRET", "must be at least 32 bytes"));
    }
    let admin_password = vars.get("CHAT_ADMIN_PASSWORD").map(Secret);
    if let Some(p) = &admin_password
        && p.0.chars().count() < 8
    {
        return Err(err("CHAT_ADMIN_PASSWORD", "must be at least 8 characters"));
    }
    let defaults = AuthConfig::default();
    let access_ttl_secs: i64 = vars.bounded(
        "CHAT_ACCESS_TOKEN_TTL_SECS",
        defaults.access_ttl_secs,
        24 * 3600,
        " (access tokens are meant to be short-lived)",
    )?;
    let refresh_ttl_secs: i64 =
        vars.positive("CHAT_REFRESH_TOKEN_TTL_SECS", defaults.refresh_ttl_secs)?;
    if refresh_ttl_secs > 365 * 24 * 3600 || refresh_ttl_secs < access_ttl_secs {
        return Err(err(
            "CHAT_REFRESH_TOKEN_TTL_SECS",
            "must be at least the access-token lifetime and at most 31536000 (a year)",
        ));
    }
    Ok(AdminConfig {
        auth: AuthConfig {
            access_ttl_secs,
            refresh_ttl_secs,
            login_max_failures: vars
                .positive("CHAT_LOGIN_MAX_FAILURES", defaults.login_max_failures)?,
            login_window: Duration::from_secs(
                vars.positive("CHAT_LOGIN_WINDOW_SECS", defaults.login_window.as_secs())?,
            ),
            initial_password_file: Some(data_dir.join(chat_admin::auth::INITIAL_PASSWORD_FILE)),
            ..defaults
        },
        jwt_secret,
        admin_email: vars.get("CHAT_ADMIN_EMAIL"),
        admin_password,
        widget_secret,
        storage_url: vars.get("CHAT_STORAGE_URL"),
        upload_max_bytes: vars.positive(
            "CHAT_UPLOAD_MAX_BYTES",
            chat_domain::attachment::DEFAULT_MAX_UPLOAD_BYTES,
        )?,
    })
}

fn webhooks(vars: &Vars<'_>) -> Result<WebhookConfig, ConfigError> {
    let defaults = WebhookConfig::default();
    let max_attempts: u32 =
        vars.bounded("CHAT_WEBHOOK_MAX_ATTEMPTS", defaults.max_attempts, 50, "")?;
    let backoff = Duration::from_millis(vars.bounded(
        "CHAT_WEBHOOK_BACKOFF_MS",
        5000,
        3_600_000,
        " (an hour)",
    )?);
    let max_backoff = Duration::from_secs(vars.bounded(
        "CHAT_WEBHOOK_MAX_BACKOFF_SECS",
        3600,
        86_400,
        " (a day)",
    )?);
    let retention_days: u64 = vars.bounded("CHAT_WEBHOOK_RETENTION_DAYS", 30, 3650, "")?;
    let timeout: u64 = vars.bounded("CHAT_WEBHOOK_TIMEOUT_SECS", 10, 300, "")?;
    Ok(WebhookConfig {
        max_attempts,
        backoff,
        max_backoff: max_backoff.max(backoff),
        disable_after: vars.parse("CHAT_WEBHOOK_DISABLE_AFTER", "5")?,
        timeout: Duration::from_secs(timeout),
        allow_private: vars.flag("CHAT_WEBHOOK_ALLOW_PRIVATE", false)?,
        poll_interval: Duration::from_millis(vars.positive("CHAT_WEBHOOK_POLL_MS", 2000)?),
        retention: Duration::from_secs(retention_days * 24 * 3600),
        ..defaults
    })
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

/// SQLite has one write lock: a second writer would only wait for it. On
/// MySQL each writer holds a pooled connection while it commits, so some
/// must stay for everything else.
fn message_writers(vars: &Vars<'_>, sqlite: bool, pool_size: usize) -> Result<usize, ConfigError> {
    const VAR: &str = "CHAT_MESSAGE_WRITERS";
    // At least one, whatever the pool: a pool of one still needs a writer.
    let limit = (pool_size / 2).max(1);
    let writers = vars.positive(VAR, if sqlite { 1 } else { 4.min(limit) })?;
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
