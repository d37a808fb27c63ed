//! The operator's commands besides serving: `migrate`, `admin …`,
//! `check-config` (and `import`, in [`crate::import`]). `main.rs` parses the
//! command line and calls these; each returns what to print or an error
//! whose cause chain is the message.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use anyhow::Context as _;
use chat_admin::auth::{
    INITIAL_PASSWORD_FILE, check_password_policy, forget_initial_password, hash_password,
};
use chat_domain::ids::UserId;
use chat_domain::model::{Role, User, normalize_email};
use chat_domain::ports::{RefreshTokenRepository as _, UserRepository as _};
use chat_domain::time::{Timestamps, now};
use chat_store::{PoolOptions, SqlStore};

use crate::config::{Config, vars};

/// Where a new password comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    /// The first line of standard input (scripts, `docker exec -i`).
    Stdin,
    /// Typed at the terminal, twice, without echo.
    Prompt,
}

/// `chat-server migrate`: runs pending migrations and says on what.
pub async fn migrate(config: &Config) -> anyhow::Result<String> {
    let store = SqlStore::connect_to(
        &config.store.url.0,
        PoolOptions {
            max_size: 1,
            ..config.store.pool.clone()
        },
    )
    .await
    .context("opening the database")?;
    Ok(format!("migrations applied ({})", store.backend()))
}

/// `chat-server admin create EMAIL`: a new active admin.
pub async fn admin_create(
    config: &Config,
    email: &str,
    name: Option<&str>,
    source: PasswordSource,
) -> anyhow::Result<String> {
    let email = normalize_email(email)
        .map_err(|_| anyhow::anyhow!("`{email}` is not an e-mail address"))?;
    let (store, _) = crate::open_store(config).await?;
    if store.user_by_email(&email).await?.is_some() {
        anyhow::bail!("a user {email} exists already (use `admin reset-password {email}`)");
    }
    let password = read_password(source)?;
    let at = now();
    let user = User {
        id: UserId::new(),
        email: email.clone(),
        display_name: name.unwrap_or("Administrator").to_owned(),
        password_hash: hash_password(password).await?,
        role: Role::Admin,
        active: true,
        times: Timestamps::new(at),
    };
    store.create_user(&user).await?;
    Ok(format!("created admin {email}"))
}

/// `chat-server admin reset-password EMAIL`: sets a new password, reactivates
/// the account and signs every session of it out (the recovery path when
/// the only admin's password is lost).
pub async fn admin_reset_password(
    config: &Config,
    email: &str,
    source: PasswordSource,
) -> anyhow::Result<String> {
    let email = normalize_email(email)
        .map_err(|_| anyhow::anyhow!("`{email}` is not an e-mail address"))?;
    let (store, _) = crate::open_store(config).await?;
    let mut user = store
        .user_by_email(&email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user {email} (see `chat-server admin list`)"))?;
    let password = read_password(source)?;
    let before = std::mem::replace(&mut user.password_hash, hash_password(password).await?);
    user.active = true;
    user.times.updated_at = now();
    store.update_user(&user).await?;
    store.revoke_user_tokens(user.id, now()).await?;
    let file = config.server.data_dir.join(INITIAL_PASSWORD_FILE);
    let mut said = format!("password of {email} reset; their sessions are signed out");
    if forget_initial_password(&file, &before).await? {
        said.push_str(&format!("; deleted {}", file.display()));
    }
    Ok(said)
}

/// `chat-server admin list`: every user, one per line.
pub async fn admin_list(config: &Config) -> anyhow::Result<String> {
    let (store, _) = crate::open_store(config).await?;
    let mut out = String::from("EMAIL\tROLE\tACTIVE\tCREATED\n");
    let mut after = None;
    loop {
        let page = store.list_users(after, 200).await?;
        for u in &page {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                u.email,
                u.role,
                if u.active { "yes" } else { "no" },
                u.times.created_at.format("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
        match page.last() {
            Some(last) if page.len() == 200 => after = Some(last.id),
            _ => break,
        }
    }
    Ok(out)
}

/// `chat-server check-config`: validates the configuration and lists every
/// variable with its source and value (secrets as `***`), then any unknown
/// `CHAT_*` variable.
pub fn check_config() -> anyhow::Result<String> {
    let config = Config::from_env().context("configuration error")?;
    let mut out = String::new();
    for (var, source, value) in Config::effective_variables()? {
        let value = if value.is_empty() {
            "(unset)".to_owned()
        } else {
            value
        };
        out.push_str(&format!("{:<34} {:<11} {}\n", var.name, source, value));
    }
    out.push_str(&format!(
        "\nlisten {} · database {} · data dir {}\n",
        config.server.listen,
        if config.is_embedded() {
            "SQLite"
        } else {
            "MySQL"
        },
        crate::absolute(&config.server.data_dir).display()
    ));
    for (name, near) in Config::unknown_variables() {
        out.push_str(&unknown_line(&name, near));
        out.push('\n');
    }
    out.push_str("configuration is valid\n");
    Ok(out)
}

/// `chat-server healthcheck`: asks the server on `CHAT_LISTEN` (the
/// loopback address when it listens on all) for `GET /healthz`; success when
/// it answers 200. For container health checks: the image has no HTTP client.
pub fn healthcheck(config: &Config) -> anyhow::Result<String> {
    use std::io::Read as _;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let mut addr = config.server.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    let timeout = std::time::Duration::from_secs(3);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .with_context(|| format!("reading the answer of {addr}"))?;
    let status = String::from_utf8_lossy(&head);
    anyhow::ensure!(status.ends_with(" 200"), "GET /healthz on {addr}: {status}");
    Ok(format!("healthy ({addr})"))
}

/// The warning for an unknown variable (also logged at start).
pub fn unknown_line(name: &str, near: Option<&str>) -> String {
    match near {
        Some(n) => format!("unknown variable {name} is ignored (did you mean {n}?)"),
        None => format!(
            "unknown variable {name} is ignored (see `chat-server check-config` for the {} known ones)",
            vars::VARS.len()
        ),
    }
}

/// A new password from `source`, checked against the policy.
fn read_password(source: PasswordSource) -> anyhow::Result<String> {
    let password = match source {
        PasswordSource::Stdin => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
        PasswordSource::Prompt => {
            anyhow::ensure!(
                std::io::stdin().is_terminal(),
                "standard input is not a terminal: pass the password with --password-stdin"
            );
            let first = prompt_hidden("New password: ")?;
            let second = prompt_hidden("Again: ")?;
            anyhow::ensure!(first == second, "the two passwords differ");
            first
        }
    };
    check_password_policy(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(password)
}

/// Reads a line from the terminal with echo off (through `stty`, which every
/// Unix has, instead of unsafe terminal calls).
fn prompt_hidden(prompt: &str) -> anyhow::Result<String> {
    let stty = |arg: &str| {
        std::fs::File::open("/dev/tty").ok().and_then(|tty| {
            std::process::Command::new("stty")
                .arg(arg)
                .stdin(tty)
                .status()
                .ok()
        })
    };
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let hidden = stty("-echo").is_some_and(|s| s.success());
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if hidden {
        stty("echo");
        eprintln!();
    }
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
