//! # chat-gateway
//!
//! The real-time edge of Chat API: `GET /ws` for customers and staff, and
//! the widget's entry point. The protocol (JSON text frames, version 1) is
//! documented in `docs/PROTOCOL.md`.
//!
//! Layout:
//! - [`protocol`]: every frame, decoded and encoded, and the close codes;
//! - [`connection`]: one socket — `hello` authentication, commands, ordered
//!   gap-free delivery with catch-up from the database, heartbeats, limits;
//! - [`hub`]: the node-local routing table fed by the event bus;
//! - [`socket`]: WebSocket framing — the upgrade, decoding the peer's frames,
//!   encoding ours straight into the response body (no channel per socket);
//! - [`widget`]: `POST /api/v1/widget/sessions` (customer tokens) and the
//!   customer's own conversations over REST;
//! - `rate`: the per-connection token bucket.
//!
//! The crate sees the rest of the system through `chat-domain`'s ports and
//! `chat-session`'s services: any store, bus and presence registry will do.

pub mod connection;
pub mod hub;
pub mod protocol;
mod rate;
pub mod socket;
pub mod widget;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chat_domain::auth::{CustomerTokenIssuer, Principal, SessionCheck, TokenVerifier};
use chat_domain::events::{Event, PresenceStatus};
use chat_domain::ids::UserId;
use chat_domain::ports::{EventBus, PresenceRegistry};
use chat_domain::{DomainError, DomainResult};
use chat_session::ConversationService;

use crate::hub::Hub;

/// Limits and timings of the gateway.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// This node's name in the presence registry (unique per process).
    pub node_id: String,
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
    /// Presence entries expire after this unless refreshed.
    pub presence_ttl: Duration,
    /// Secret with which host sites sign verified customer identities.
    pub widget_secret: Option<Vec<u8>>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            node_id: format!("node-{}", uuid::Uuid::now_v7().simple()),
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
            presence_ttl: Duration::from_secs(30),
            widget_secret: None,
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
    pub(crate) service: Arc<ConversationService>,
    verifier: Arc<dyn TokenVerifier>,
    /// Refuses staff tokens issued before the user's sessions were revoked.
    sessions: Arc<dyn SessionCheck>,
    pub(crate) issuer: Arc<dyn CustomerTokenIssuer>,
    presence: Arc<dyn PresenceRegistry>,
    pub(crate) config: GatewayConfig,
    /// Status of each agent connected here (online unless they said away).
    statuses: Mutex<HashMap<UserId, PresenceStatus>>,
    /// Live agents across all nodes at the last refresh, to notice agents
    /// whose node died (their entries expire; nobody says goodbye for them).
    last_live: Mutex<HashMap<UserId, PresenceStatus>>,
    /// Open sockets per client address (only addresses with one or more).
    open_per_address: Mutex<HashMap<IpAddr, usize>>,
}

impl Gateway {
    /// Builds the gateway and starts its dispatcher and presence refresher
    /// on the current runtime.
    pub fn start(
        service: Arc<ConversationService>,
        verifier: Arc<dyn TokenVerifier>,
        sessions: Arc<dyn SessionCheck>,
        issuer: Arc<dyn CustomerTokenIssuer>,
        bus: Arc<dyn EventBus>,
        presence: Arc<dyn PresenceRegistry>,
        config: GatewayConfig,
    ) -> Arc<Self> {
        let hub = Hub::new();
        let gw = Arc::new(Self {
            hub: hub.clone(),
            service,
            verifier,
            sessions,
            issuer,
            presence,
            config,
            statuses: Mutex::new(HashMap::new()),
            last_live: Mutex::new(HashMap::new()),
            open_per_address: Mutex::new(HashMap::new()),
        });
        tokio::spawn(hub.run(bus));
        let weak = Arc::downgrade(&gw);
        tokio::spawn(async move {
            let Some(period) = weak.upgrade().map(|g| g.config.presence_ttl / 3) else {
                return;
            };
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                let Some(gw) = weak.upgrade() else { return };
                gw.refresh_presence().await;
            }
        });
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

    /// Verifies a token; staff must still exist and be active, and their
    /// role is taken from the database (a demotion applies at once), and
    /// their token must postdate their last session revocation;
    /// customers must still exist with their data (an erased customer's
    /// tokens stop working at once, so nothing new attaches to the record).
    pub(crate) async fn verify(&self, token: &str) -> DomainResult<Principal> {
        let (principal, issued_at_ms) = self.verifier.verify_issued(token)?;
        match principal {
            Principal::Staff { user_id, .. } => {
                self.sessions.ensure_current(user_id, issued_at_ms).await?;
                match self.service.store().user_by_id(user_id).await? {
                    Some(u) if u.active => Ok(Principal::Staff {
                        user_id,
                        role: u.role,
                    }),
                    _ => Err(DomainError::Unauthenticated(
                        "account is no longer active".into(),
                    )),
                }
            }
            Principal::Customer { customer_id } => {
                match self.service.store().customer_by_id(customer_id).await? {
                    Some(c) if c.erased_at.is_none() => Ok(Principal::Customer { customer_id }),
                    _ => Err(DomainError::Unauthenticated(
                        "this customer session is no longer valid".into(),
                    )),
                }
            }
        }
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

    fn statuses(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, PresenceStatus>> {
        self.statuses.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) async fn connected(&self, who: &Principal) {
        let Principal::Staff { user_id, .. } = who else {
            return;
        };
        let first = {
            let mut s = self.statuses();
            if s.contains_key(user_id) {
                false
            } else {
                s.insert(*user_id, PresenceStatus::Online);
                true
            }
        };
        if first {
            self.set_status(*user_id, PresenceStatus::Online).await;
        }
    }

    pub(crate) async fn disconnected(&self, who: &Principal, left_here: usize) {
        let Principal::Staff { user_id, .. } = who else {
            return;
        };
        if left_here > 0 {
            return;
        }
        self.statuses().remove(user_id);
        if let Err(e) = self.presence.remove(*user_id, &self.config.node_id).await {
            tracing::warn!(error = %e, "presence not removed");
        }
        // Still connected on another node? Then say what the others say.
        let status = match self.presence.live_agents().await {
            Ok(live) => live
                .into_iter()
                .find(|(a, _)| a == user_id)
                .map_or(PresenceStatus::Offline, |(_, s)| s),
            Err(_) => PresenceStatus::Offline,
        };
        self.service
            .publish(Event::Presence {
                agent_id: *user_id,
                status,
            })
            .await;
    }

    pub(crate) async fn set_status(&self, agent: UserId, status: PresenceStatus) {
        self.statuses().insert(agent, status);
        self.report(agent, status).await;
        self.service
            .publish(Event::Presence {
                agent_id: agent,
                status,
            })
            .await;
    }

    /// Writes this node's entry for an agent, valid for the presence TTL.
    async fn report(&self, agent: UserId, status: PresenceStatus) {
        let ttl = self.config.presence_ttl;
        if let Err(e) = self
            .presence
            .refresh(agent, &self.config.node_id, status, ttl)
            .await
        {
            // Every agent's heartbeat fails while Redis is down.
            static GATE: chat_session::logs::LogGate =
                chat_session::logs::LogGate::new(std::time::Duration::from_secs(10));
            if let Some(held_back) = GATE.pass() {
                tracing::warn!(error = %e, held_back, "presence not refreshed");
            }
        }
    }

    async fn refresh_presence(&self) {
        let entries: Vec<(UserId, PresenceStatus)> =
            self.statuses().iter().map(|(a, s)| (*a, *s)).collect();
        for (agent, status) in entries {
            self.report(agent, status).await;
        }
        // Agents that vanished without a goodbye (their node crashed) are
        // announced offline. Every node may notice it; the event is idempotent.
        let Ok(live) = self.presence.live_agents().await else {
            return;
        };
        let live: HashMap<UserId, PresenceStatus> = live.into_iter().collect();
        let gone: Vec<UserId> = {
            let mut last = self.last_live.lock().unwrap_or_else(|p| p.into_inner());
            let gone = last
                .keys()
                .filter(|a| !live.contains_key(a))
                .copied()
                .collect();
            *last = live;
            gone
        };
        for agent_id in gone {
            self.service
                .publish(Event::Presence {
                    agent_id,
                    status: PresenceStatus::Offline,
                })
                .await;
        }
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

/// Registers `GET /ws` and the widget routes.
pub fn configure(gateway: Arc<Gateway>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(gateway))
            .service(
                web::resource("/ws")
                    .route(web::get().to(upgrade))
                    .default_service(web::to(widget::method_not_allowed)),
            )
            .configure(widget::configure);
    }
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
        match socket::accept(&req, body.into_inner(), gw.config.max_frame_bytes) {
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
