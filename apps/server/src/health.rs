//! `/healthz` (the process answers) and `/readyz` (its dependencies do).

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a readiness probe waits for each dependency.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/readyz` checks besides the database.
#[derive(Clone, Default)]
pub struct ReadinessTargets {
    /// `REDIS_URL`, when configured.
    pub redis_url: Option<String>,
    /// The knowledge index, on a node whose assistant answers customers.
    pub knowledge: Option<chat_ai::knowledge::LiveIndex>,
}

impl std::fmt::Debug for ReadinessTargets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadinessTargets")
            .field("redis_url", &self.redis_url.as_ref().map(|_| "…"))
            .field("knowledge", &self.knowledge.is_some())
            .finish()
    }
}

/// `GET /healthz`: 200 while the process serves requests.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when the database answers within two seconds, else
/// 503; `status` is `ready`, `degraded` (the database answers, Redis does
/// not: still 200) or `unavailable`, and `checks` names what failed. No
/// secrets in the body.
///
/// On a node whose assistant answers, `checks.knowledge` is `building`
/// until the first knowledge index is in place, then `ready`. It does not
/// change the status: a question that arrives earlier waits for the index
/// (at most `READY_WAIT`), so the node can take traffic; it is there for
/// whoever needs the assistant's first answer to come from the knowledge
/// base (tests, a deploy's smoke check).
pub async fn readyz(
    store: web::Data<dyn chat_domain::ports::Store>,
    targets: web::Data<ReadinessTargets>,
) -> HttpResponse {
    let database = match tokio::time::timeout(PROBE_TIMEOUT, store.ping()).await {
        Ok(Ok(())) => "ok".to_owned(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database check failed");
            "unreachable".to_owned()
        }
        Err(_) => "timeout".to_owned(),
    };
    let mut checks = json!({ "database": database });
    if let Some(index) = &targets.knowledge {
        checks["knowledge"] = json!(if index.is_ready() {
            "ready"
        } else {
            "building"
        });
    }
    let ready = database == "ok";
    let mut degraded = false;
    if let Some(url) = &targets.redis_url {
        let redis = match tokio::time::timeout(PROBE_TIMEOUT, redis_ping(url)).await {
            Ok(Ok(())) => "ok".to_owned(),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: redis check failed");
                "unreachable".to_owned()
            }
            Err(_) => "timeout".to_owned(),
        };
        // Without Redis a node still stores and acknowledges every message
        // (the database is the source of truth) and its own sockets get
        // them; only other nodes hear late, and catch up when Redis is back.
        // Failing readiness would take every node out of the load balancer
        // at once for a blip, so Redis down is "degraded", still 200.
        degraded = redis != "ok";
        checks["redis"] = json!(redis);
    }
    let status = match (ready, degraded) {
        (false, _) => "unavailable",
        (true, true) => "degraded",
        (true, false) => "ready",
    };
    let body = json!({ "status": status, "checks": checks });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// A Redis round trip (`AUTH` when the URL has a password, then `PING`) over
/// plain RESP. The Redis client proper arrives with the session store; a
/// probe does not need it.
pub async fn redis_ping(url: &str) -> std::io::Result<()> {
    let invalid = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, m.to_owned());
    let rest = url
        .strip_prefix("redis://")
        .ok_or_else(|| invalid("not a redis:// URL"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let (auth, host) = match authority.rsplit_once('@') {
        Some((auth, host)) => (Some(auth), host),
        None => (None, authority),
    };
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:6379")
    };
    let mut stream = TcpStream::connect(host).await?;
    let mut request = Vec::new();
    if let Some(auth) = auth {
        let (user, pass) = auth.split_once(':').unwrap_or(("", auth));
        let (user, pass) = (percent_decode(user), percent_decode(pass));
        let mut parts = vec!["AUTH"];
        if !user.is_empty() {
            parts.push(&user);
        }
        parts.push(&pass);
        request.extend(resp_command(&parts));
    }
    request.extend(resp_command(&["PING"]));
    stream.write_all(&request).await?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 256];
    // Read until the PONG (after an optional +OK for AUTH) or an error line.
    while !reply.windows(5).any(|w| w == b"+PONG") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "redis closed the connection",
            ));
        }
        reply.extend_from_slice(&buf[..n]);
        if reply.first() == Some(&b'-') {
            return Err(std::io::Error::other(
                "redis refused the command (check the password)",
            ));
        }
    }
    Ok(())
}

/// URL userinfo is percent-encoded (a password may contain `@` or `:`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn resp_command(parts: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", parts.len()).into_bytes();
    for p in parts {
        out.extend(format!("${}\r\n{p}\r\n", p.len()).into_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn userinfo_is_percent_decoded() {
        assert_eq!(super::percent_decode("p%40ss%3Aw0rd"), "p@ss:w0rd");
        assert_eq!(super::percent_decode("plain%zz"), "plain%zz");
    }
}
