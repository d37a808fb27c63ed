//! # chat-session
//!
//! The moving parts of a conversation, behind `chat-domain`'s ports:
//!
//! - [`bus`]: the event bus that carries every [`Event`](chat_domain::events::Event)
//!   to every node — [`bus::InProcessBus`] for one node, [`bus::RedisBus`]
//!   (Redis pub/sub) for many;
//! - [`attempts`]: login attempts counted in Redis, so the login throttle
//!   holds across nodes;
//! - [`presence`]: which agents are connected, on any node, with expiry so a
//!   crashed node's agents go offline by themselves — in process or in Redis;
//!   [`presence::NodePresence`] keeps this node's entries and announces
//!   changes (the gateway's `AgentPresence` port);
//! - [`MessageLog`]: the only way messages are written: it groups concurrent
//!   appends into one transaction (group commit), acknowledges each after the
//!   commit, and publishes what was stored;
//! - [`ConversationService`]: opening conversations and moving them through
//!   their life cycle (`bot → queued → human → bot`, `→ closed`), each change
//!   persisted as a system message and published, and offering queued
//!   conversations to the least-loaded online agent; it is also the
//!   gateway's `RealtimeConversations` port (`chat_domain::ports::gateway`);
//! - [`OneNode`]: the service on a single node (in-process bus and
//!   presence), as an embedding app or a test starts it;
//! - [`AwayService`]: leaving a message while support is away (the
//!   `AwayDesk` port): the e-mail kept on the customer, the conversation
//!   queued for the next shift, the away notice posted;
//! - [`logs`]: one log line per period for failures that repeat during an
//!   outage;
//! - [`lifecycle`]: the sweeper that closes idle conversations and raises
//!   queue alerts.
//!
//! Conversation state itself lives in the database (the single source of
//! truth shared by every node): transitions are conditional updates there,
//! which is what serializes them across nodes. Redis carries what is
//! ephemeral: events and presence.

pub mod attempts;
mod away;
pub mod bus;
pub mod cache;
mod conversations;
pub mod lifecycle;
pub mod logs;
mod messages;
mod notices;
mod one_node;
pub mod presence;
mod realtime;

pub use away::AwayService;
pub use conversations::{ConversationService, RoutingConfig, actor_of};
pub use messages::{MessageLog, STAGE_HISTOGRAMS as MESSAGE_STAGE_HISTOGRAMS};
pub use one_node::OneNode;
