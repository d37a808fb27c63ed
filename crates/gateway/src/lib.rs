//! # chat-gateway
//!
//! The real-time edge of Chat API: `GET /ws` for customers and staff. The
//! protocol (JSON text frames, version 2; version 1 still spoken) is documented in
//! `docs/PROTOCOL.md`.
//!
//! Layout:
//! - [`protocol`]: every frame, decoded and encoded, and the close codes;
//! - [`connection`]: one socket — `hello` authentication, one function per
//!   command, ordered gap-free delivery with catch-up, heartbeats, limits;
//! - [`filter`]: what a socket does with an event (a pure function);
//! - [`hub`]: the node-local routing table fed by the event bus;
//! - [`socket`]: WebSocket framing on actix-ws, with the gateway's own
//!   limits (frame headers checked before anything is buffered,
//!   continuations joined under the same limit, every frame reported);
//! - `rate`: the per-connection token bucket.
//!
//! The crate sees the rest of the system through `chat-domain`'s ports
//! only: [`RealtimeConversations`] (conversations), [`AgentPresence`]
//! (agents on this node), [`EventBus`] and [`TokenVerifier`].
//! `chat-session` implements the first two (`ConversationService`,
//! `NodePresence`); anything else may.
//!
//! Embedding it takes three lines (the whole program is
//! `examples/embedded_gateway.rs`, run with `cargo run -p chat-gateway --example
//! embedded_gateway`; its ports are in-memory fakes, no database):
//!
//! ```ignore
//! let gateway = Gateway::start(conversations, presence, verifier, sessions, bus, GatewayConfig::default());
//! HttpServer::new(move || App::new().configure(chat_gateway::configure(gateway.clone())))
//!     .bind("127.0.0.1:8090")?.run().await
//! ```

pub mod connection;
pub mod filter;
pub mod hub;
pub mod protocol;
mod rate;
pub mod socket;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chat_domain::auth::{Principal, SessionCheck, TokenVerifier};
use chat_domain::ports::{AgentPresence, EventBus, RealtimeConversations};
use chat_domain::{DomainError, DomainResult};

use crate::hub::Hub;

/// Limits and timings of the gateway.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// The server pings this often.
    pub heartbeat: Duration,
    /// A connection silent for this long is closed (4003).
    pub client_timeout: Duration,
    /// Time allowed for the `hello` frame.
    pub hello_timeout: Duration,
    /// A send that does not complete in this time drops the connection.
    pub send_timeout: Duration,
    /// Largest frame accepted (1009 above it).
    pub max_frame_bytes: usize,
    /// Per-connection queue; a full queue closes the connection (4008).
    pub queue_capacity: usize,
    /// Frames per second per connection (burst: three seconds' worth);
    /// every frame counts, control frames included.
    pub rate_per_sec: u32,
    /// Open sockets one client address may hold on this node (0: no cap);
    /// the upgrade past it is refused with 429.
    pub max_sockets_per_ip: usize,
    /// Which address a request comes from (behind trusted proxies).
    pub client_address: ClientAddress,
    /// Origins allowed to open sockets besides the server's own host;
    /// `*` allows any. Requests without `Origin` (non-browsers) are allowed.
    pub allowed_origins: Vec<String>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(20),
            client_timeout: Duration::from_secs(60),
            hello_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(10),
            max_frame_bytes: 32 * 1024,
            queue_capacity: 256,
            rate_per_sec: 20,
            max_sockets_per_ip: 100,
            client_address: ClientAddress::default(),
            allowed_origins: Vec::new(),
        }
    }
}

/// How the gateway tells which client a request comes from: the binary
/// passes its rule for trusted proxies (the one the REST side uses); the
/// default is the direct peer.
#[derive(Clone)]
pub struct ClientAddress(Arc<AddressRule>);

/// A rule giving a request's client address.
type AddressRule = dyn Fn(&HttpRequest) -> Option<IpAddr> + Send + Sync;

impl ClientAddress {
    /// The address `rule` gives a request.
    pub fn new(rule: impl Fn(&HttpRequest) -> Option<IpAddr> + Send + Sync + 'static) -> Self {
        Self(Arc::new(rule))
    }
}

impl Default for ClientAddress {
    fn default() -> Self {
        Self::new(|req| req.peer_addr().map(|a| a.ip()))
    }
}

impl std::fmt::Debug for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientAddress(..)")
    }
}

/// A socket's place in its client address's count, given back when the
/// socket's task ends.
struct AddressSlot {
    gw: Arc<Gateway>,
    ip: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.gw.per_address();
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// The gateway of one node.
pub struct Gateway {
    pub(crate) hub: Arc<Hub>,
    /// Everything a socket reads and changes.
    pub(crate) conversations: Arc<dyn RealtimeConversations>,
    /// Agents coming and going on this node.
    pub(crate) presence: Arc<dyn AgentPresence>,
    verifier: Arc<dyn TokenVerifier>,
    /// Refuses staff tokens issued before the user's sessions were revoked.
    sessions: Arc<dyn SessionCheck>,
    pub(crate) config: GatewayConfig,
    /// Open sockets per client address (only addresses with one or more).
    open_per_address: Mutex<HashMap<IpAddr, usize>>,
    /// Per-stage latency histograms of this node's sockets.
    pub(crate) stages: Stages,
}

/// From a bus event reaching this node's hub to its `message` frame queued
/// on a recipient socket (per recipient).
const DELIVERY: &str = "message_delivery_seconds";
/// From a `send` frame decoded to its `ack` queued on the sender's socket.
const ACK: &str = "message_ack_seconds";

/// The gateway's per-stage latency histograms, by name: the server gives
/// them buckets fine enough for sub-millisecond stages.
pub const STAGE_HISTOGRAMS: &[&str] = &[DELIVERY, ACK];

/// The gateway's histograms (see docs/DEPLOYMENT.md, "Metrics"), looked up
/// once when the gateway starts, not per frame (a lookup hashes the name).
pub(crate) struct Stages {
    pub(crate) delivery: metrics::Histogram,
    pub(crate) ack: metrics::Histogram,
}

impl Stages {
    fn new() -> Self {
        Self {
            delivery: metrics::histogram!(DELIVERY),
            ack: metrics::histogram!(ACK),
        }
    }
}

impl Gateway {
    /// Builds the gateway and has its hub follow `bus` (inline, or on a task
    /// of the current runtime when the bus needs one).
    pub fn start(
        conversations: Arc<dyn RealtimeConversations>,
        presence: Arc<dyn AgentPresence>,
        verifier: Arc<dyn TokenVerifier>,
        sessions: Arc<dyn SessionCheck>,
        bus: Arc<dyn EventBus>,
        config: GatewayConfig,
    ) -> Arc<Self> {
        let hub = Hub::new();
        let gw = Arc::new(Self {
            hub: hub.clone(),
            conversations,
            presence,
            verifier,
            sessions,
            config,
            open_per_address: Mutex::new(HashMap::new()),
            stages: Stages::new(),
        });
        hub.follow(bus.as_ref());
        gw
    }

    /// Open sockets on this node.
    pub fn connections(&self) -> usize {
        self.hub.connections()
    }

    /// Asks every socket to close with 1001 ("reconnect and resume"); used
    /// on graceful shutdown so the drain does not wait for idle sockets.
    pub fn close_all(&self) {
        self.hub.close_all();
    }

    /// Verifies a token, then confirms who it names against current
    /// records (see [`RealtimeConversations::confirm`]).
    pub(crate) async fn verify(&self, token: &str) -> DomainResult<Principal> {
        let (claimed, issued_at_ms) = self.verifier.verify_issued(token)?;
        if let Principal::Staff { user_id, .. } = claimed {
            // A revocation (deactivation, role or password change, "log out
            // everywhere") ends the tokens issued before it.
            self.sessions.ensure_current(user_id, issued_at_ms).await?;
        }
        self.conversations.confirm(claimed).await
    }

    fn per_address(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.open_per_address
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a new socket from `req`'s client, unless that client already
    /// holds as many as allowed. An unknown address (no peer, e.g. a Unix
    /// socket) is not counted.
    fn take_slot(self: &Arc<Self>, req: &HttpRequest) -> Result<Option<AddressSlot>, ()> {
        let cap = self.config.max_sockets_per_ip;
        let Some(ip) = (self.config.client_address.0)(req) else {
            return Ok(None);
        };
        if cap == 0 {
            return Ok(None);
        }
        let mut open = self.per_address();
        let n = open.entry(ip).or_insert(0);
        if *n >= cap {
            return Err(());
        }
        *n += 1;
        drop(open);
        Ok(Some(AddressSlot {
            gw: self.clone(),
            ip,
        }))
    }

    /// Is this browser origin allowed to open a socket?
    fn origin_allowed(&self, req: &HttpRequest) -> bool {
        let Some(origin) = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
        else {
            return true;
        };
        if self
            .config
            .allowed_origins
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
        {
            return true;
        }
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
    }
}

/// Registers `GET /ws`.
pub fn configure(gateway: Arc<Gateway>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(gateway)).service(
            web::resource("/ws")
                .route(web::get().to(upgrade))
                .default_service(web::to(method_not_allowed)),
        );
    }
}

/// The JSON 405 for another method on `/ws` (the server adds `Allow`).
async fn method_not_allowed() -> HttpResponse {
    let e = DomainError::invalid("method", "this method is not allowed on this path");
    HttpResponse::MethodNotAllowed().json(e.body(Some("method_not_allowed")))
}

/// An error response with the one JSON body (and `Retry-After` when the
/// error says when to come back).
pub(crate) fn error_response(e: &DomainError) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(e.http_status())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = HttpResponse::build(status);
    if let Some(secs) = e.retry_after_secs() {
        resp.insert_header((actix_web::http::header::RETRY_AFTER, secs));
    }
    resp.json(e.body(None))
}

/// How long a client over its socket cap is told to wait.
const RETRY_SOCKETS_SECS: u64 = 10;

async fn upgrade(req: HttpRequest, body: web::Payload, gw: web::Data<Gateway>) -> HttpResponse {
    if !gw.origin_allowed(&req) {
        return error_response(&DomainError::Forbidden(
            "this origin may not open a socket here".into(),
        ));
    }
    let (response, writer, reader) =
        match socket::accept(&req, body.into_inner(), gw.config.max_frame_bytes).await {
            Ok(parts) => parts,
            Err(e) => return error_response(&DomainError::invalid("upgrade", e.to_string())),
        };
    let gw = gw.into_inner();
    // Counted after the handshake is known good, so a malformed upgrade is
    // a 400 whatever the count.
    let Ok(slot) = gw.take_slot(&req) else {
        metrics::counter!("ws_refused_total", "reason" => "per_address").increment(1);
        return error_response(&DomainError::RateLimited {
            retry_after_secs: RETRY_SOCKETS_SECS,
        });
    };
    actix_web::rt::spawn(async move {
        let _slot = slot;
        connection::serve(gw, writer, reader).await;
    });
    response
}
