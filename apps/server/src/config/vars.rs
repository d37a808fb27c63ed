//! The one list of the variables the server reads. It drives the warning
//! about unknown `CHAT_*` variables, `chat-server check-config`, and the test
//! that keeps `deploy/.env.example`, `deploy/docker-compose.yml` and the
//! table in `docs/DEPLOYMENT.md` in step with the code.

/// A variable the server reads.
#[derive(Clone, Copy, Debug)]
pub struct Var {
    /// Its name.
    pub name: &'static str,
    /// Its default, as an operator would read it ("" when unset means off or
    /// generated; see `description`).
    pub default: &'static str,
    /// True when its value must never be printed.
    pub secret: bool,
    /// One line on what it does.
    pub description: &'static str,
}

const fn var(name: &'static str, default: &'static str, description: &'static str) -> Var {
    Var {
        name,
        default,
        secret: false,
        description,
    }
}

const fn secret(name: &'static str, default: &'static str, description: &'static str) -> Var {
    Var {
        name,
        default,
        secret: true,
        description,
    }
}

/// Every variable the server reads, in the order of `deploy/.env.example`.
pub const VARS: &[Var] = &[
    var(
        "CHAT_CONFIG_FILE",
        "",
        "optional KEY=VALUE file read before the environment",
    ),
    var(
        "CHAT_ROLES",
        "gateway,admin,assistant,webhooks,sweeper",
        "what this node runs: a comma-separated list of gateway, admin, assistant, webhooks, sweeper",
    ),
    var(
        "CHAT_LISTEN",
        "127.0.0.1:8080",
        "listen address, HOST:PORT (host names are resolved)",
    ),
    var("CHAT_MAX_BODY_BYTES", "65536", "largest request body"),
    var(
        "CHAT_UPLOAD_MAX_BYTES",
        "10485760",
        "largest attachment (uploads are multipart, not bound by CHAT_MAX_BODY_BYTES)",
    ),
    var(
        "CHAT_STORAGE_URL",
        "CHAT_DATA_DIR/storage",
        "attachment files: s3://bucket/prefix (with AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, …) or file:///path",
    ),
    var(
        "CHAT_REQUEST_TIMEOUT_SECS",
        "10",
        "time a request's headers, then its body, have to arrive",
    ),
    var(
        "CHAT_UPLOAD_TIMEOUT_SECS",
        "120",
        "time an upload's body has to arrive (no pause longer than CHAT_REQUEST_TIMEOUT_SECS)",
    ),
    var(
        "CHAT_SHUTDOWN_TIMEOUT_SECS",
        "30",
        "drain time after SIGTERM",
    ),
    var(
        "CHAT_TRUSTED_PROXIES",
        "",
        "proxy IPs whose X-Forwarded-For is trusted",
    ),
    var(
        "CHAT_WORKERS",
        "",
        "HTTP worker threads (default: one per core)",
    ),
    var(
        "CHAT_NODE_ID",
        "",
        "this node's name in presence (default: generated)",
    ),
    var(
        "CHAT_ALLOWED_ORIGINS",
        "",
        "browser origins allowed to open /ws besides the server's own",
    ),
    var("CHAT_WS_RATE_PER_SEC", "20", "frames per second per socket"),
    var(
        "CHAT_WS_MAX_PER_IP",
        "100",
        "open sockets per client address (0: no cap)",
    ),
    var(
        "CHAT_MAX_CONVERSATIONS_PER_AGENT",
        "5",
        "human conversations one agent may hold",
    ),
    var(
        "CHAT_IDLE_CLOSE_SECS",
        "1800",
        "inactivity before a conversation is closed",
    ),
    var(
        "CHAT_QUEUE_ALERT_SECS",
        "120",
        "queue wait before supervisors are alerted",
    ),
    secret(
        "CHAT_WIDGET_SECRET",
        "",
        "HMAC key for verified customer identities",
    ),
    var(
        "CHAT_WEB_DIR",
        "",
        "serve the web pages from this folder (development)",
    ),
    var(
        "CHAT_REDIS_PREFIX",
        "chat",
        "namespace of this deployment's Redis keys and channel",
    ),
    var(
        "CHAT_PRESENCE_TTL_SECS",
        "30",
        "an agent whose node stops refreshing goes offline after this",
    ),
    secret(
        "DATABASE_URL",
        "sqlite://CHAT_DATA_DIR/chat.db",
        "sqlite://PATH or mysql://user:pass@host:3306/db",
    ),
    var("CHAT_DB_POOL_SIZE", "8", "database connection pool size"),
    var(
        "CHAT_MESSAGE_WRITERS",
        "1 (SQLite) / 4 (MySQL)",
        "group-commit writers of the message log",
    ),
    var(
        "CHAT_DB_CONNECT_TIMEOUT_SECS",
        "5",
        "wait for a database connection",
    ),
    secret(
        "REDIS_URL",
        "",
        "redis://… for the event bus and presence; unset = in-process",
    ),
    var(
        "CHAT_DATA_DIR",
        "data",
        "local state: generated secrets, the SQLite file, the first admin's password",
    ),
    secret(
        "CHAT_DATA_KEYS",
        "",
        "AES-256 keys for customer contact details (id:base64key,…)",
    ),
    secret(
        "CHAT_DATA_HASH_KEY",
        "",
        "HMAC key of the e-mail / phone search hashes",
    ),
    var("CHAT_LOG_FORMAT", "pretty", "pretty or json"),
    var(
        "CHAT_LOG",
        "info",
        "tracing filter (RUST_LOG is also honoured)",
    ),
    secret(
        "CHAT_JWT_SECRET",
        "",
        "JWT signing secret (generated in embedded mode)",
    ),
    var("CHAT_ACCESS_TOKEN_TTL_SECS", "900", "access token lifetime"),
    var(
        "CHAT_REFRESH_TOKEN_TTL_SECS",
        "2592000",
        "refresh token lifetime",
    ),
    var(
        "CHAT_LOGIN_MAX_FAILURES",
        "5",
        "failed logins allowed per window",
    ),
    var("CHAT_LOGIN_WINDOW_SECS", "300", "login throttling window"),
    var(
        "CHAT_ADMIN_EMAIL",
        "admin@localhost",
        "first admin, used only when no user exists",
    ),
    secret(
        "CHAT_ADMIN_PASSWORD",
        "",
        "first admin's password (default: generated)",
    ),
    var(
        "CHAT_AI_PROVIDER",
        "offline",
        "offline, openai / dashscope, or none",
    ),
    secret("DASHSCOPE_API_KEY", "", "the model provider's key"),
    secret(
        "CHAT_AI_API_KEY",
        "",
        "the model provider's key (other providers)",
    ),
    var(
        "CHAT_AI_BASE_URL",
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
        "OpenAI-compatible endpoint",
    ),
    var("CHAT_AI_MODEL", "qwen-plus", "model name"),
    var(
        "CHAT_AI_PERSONA",
        "",
        "the assistant's system prompt (default: built in)",
    ),
    var(
        "CHAT_AI_CONTEXT_TOKENS",
        "2000",
        "token budget for conversation turns",
    ),
    var(
        "CHAT_AI_TIMEOUT_SECS",
        "30",
        "longest wait for the next streamed chunk",
    ),
    var(
        "CHAT_AI_MIN_SCORE",
        "5",
        "least retrieval score the assistant answers with",
    ),
    var(
        "CHAT_AI_HANDOFF_AFTER_MISSES",
        "2",
        "unanswered questions before a hand-off (0: never)",
    ),
    var(
        "CHAT_AI_DELTA_DELAY_MS",
        "25",
        "pause between streamed pieces",
    ),
    var(
        "CHAT_AI_INDEX_REFRESH_SECS",
        "10",
        "how often the index checks the knowledge base",
    ),
    var(
        "CHAT_AI_EMBEDDINGS_MODEL",
        "",
        "embeddings model for dense retrieval, e.g. text-embedding-v4 (unset: lexical only)",
    ),
    var(
        "CHAT_AI_EMBEDDINGS_BASE_URL",
        "CHAT_AI_BASE_URL",
        "OpenAI-compatible embeddings endpoint",
    ),
    secret(
        "CHAT_AI_EMBEDDINGS_API_KEY",
        "DASHSCOPE_API_KEY / CHAT_AI_API_KEY",
        "the embeddings endpoint's key",
    ),
    var(
        "CHAT_AI_EMBEDDINGS_DIMENSIONS",
        "",
        "vector size, for models that take one (unset: the model's)",
    ),
    var(
        "CHAT_AI_EMBEDDINGS_TIMEOUT_MS",
        "1000",
        "longest wait for a question's vector before answering lexically",
    ),
    var(
        "CHAT_AI_EMBEDDINGS_BATCH",
        "10",
        "passages per embeddings request",
    ),
    var(
        "CHAT_AI_EMBEDDINGS_WEIGHT",
        "0.3",
        "share of the dense similarity in the confidence (0-1)",
    ),
    var(
        "CHAT_AI_EMBEDDINGS_FLOOR",
        "0.2",
        "cosine similarity the model gives unrelated texts (0 on the dense scale)",
    ),
    var(
        "CHAT_AI_DEMO_KB",
        "true (SQLite) / false (MySQL)",
        "load the demo FAQ into an empty knowledge base",
    ),
    var("CHAT_WEBHOOK_MAX_ATTEMPTS", "10", "attempts per delivery"),
    var(
        "CHAT_WEBHOOK_BACKOFF_MS",
        "5000",
        "delay before the first retry",
    ),
    var(
        "CHAT_WEBHOOK_MAX_BACKOFF_SECS",
        "3600",
        "longest delay between two attempts",
    ),
    var(
        "CHAT_WEBHOOK_DISABLE_AFTER",
        "5",
        "failures in a row that disable a webhook",
    ),
    var(
        "CHAT_WEBHOOK_TIMEOUT_SECS",
        "10",
        "longest an attempt may take",
    ),
    var(
        "CHAT_WEBHOOK_ALLOW_PRIVATE",
        "false",
        "allow private and loopback destinations",
    ),
    var(
        "CHAT_WEBHOOK_POLL_MS",
        "2000",
        "how often due deliveries are looked for",
    ),
    var(
        "CHAT_WEBHOOK_RETENTION_DAYS",
        "30",
        "how long the delivery log is kept",
    ),
];

/// Prefixes of variables that are not the server's (tests, benchmarks, CI).
const NOT_OURS: &[&str] = &["CHAT_TEST_", "CHAT_BENCH_", "CHAT_CI_"];

/// The known variable called `name`.
pub fn known(name: &str) -> Option<&'static Var> {
    VARS.iter().find(|v| v.name == name)
}

/// The `CHAT_*` names among `names` that the server does not read, each with
/// the nearest known name when one is close enough to be a likely typo.
pub fn unknown<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, Option<&'static str>)> {
    let mut out: Vec<(String, Option<&'static str>)> = names
        .into_iter()
        .filter(|n| n.starts_with("CHAT_") && known(n).is_none())
        .filter(|n| !NOT_OURS.iter().any(|p| n.starts_with(p)))
        .map(|n| (n.to_owned(), nearest(n)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The known name closest to `name`, if within a third of its length.
fn nearest(name: &str) -> Option<&'static str> {
    VARS.iter()
        .map(|v| (distance(name, v.name), v.name))
        .min()
        .filter(|(d, _)| *d <= name.len().div_ceil(3))
        .map(|(_, n)| n)
}

/// Levenshtein distance (ASCII names: bytes are characters).
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_names_get_the_nearest_known_one() {
        assert_eq!(distance("kitten", "sitting"), 3);
        let found = unknown([
            "CHAT_LISTN",
            "CHAT_LISTEN",
            "CHAT_TEST_MYSQL_URL",
            "HOME",
            "CHAT_SOMETHING_ELSE_ENTIRELY",
        ]);
        assert_eq!(
            found,
            vec![
                ("CHAT_LISTN".to_owned(), Some("CHAT_LISTEN")),
                ("CHAT_SOMETHING_ELSE_ENTIRELY".to_owned(), None),
            ]
        );
        assert_eq!(
            nearest("CHAT_WEBHOOK_MAX_ATEMPTS"),
            Some("CHAT_WEBHOOK_MAX_ATTEMPTS")
        );
    }

    #[test]
    fn names_are_unique() {
        for (i, v) in VARS.iter().enumerate() {
            assert!(
                VARS[i + 1..].iter().all(|w| w.name != v.name),
                "{} listed twice",
                v.name
            );
        }
    }
}
