//! The node-local routing table: which connection follows which
//! conversation, which are staff (inbox), which belong to which agent.
//!
//! The hub listens to the bus (inside the publisher's call on one node; from
//! a task reading the bus when it is Redis) and hands each event to the
//! connections that may see it, as one [`Shared`] whose frames are encoded
//! once for all of them. The work per event is proportional to the
//! connections interested in it (a conversation's followers, or the staff
//! for inbox events), never to every socket on the node. Hand-off is a
//! non-blocking push into each connection's bounded inbox: a connection
//! whose inbox is full is told to close (4008, "reconnect and resume"), so
//! one slow reader never delays another.
//!
//! The inbox is a `VecDeque` behind a mutex plus a `Notify`, not a tokio
//! channel: a bounded channel allocates its first block of slots and its
//! cache-padded state when created, about 1 KiB per socket, while an empty
//! `VecDeque` allocates nothing. Most sockets sit idle most of the time, so
//! that is memory paid per socket for nothing.
//!
//! ~540 lines, of which ~140 are tests: the routing table and the inbox
//! share one lock discipline, so they stay in one file.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use chat_domain::access;
use chat_domain::auth::Principal;
use chat_domain::events::Event;
use chat_domain::ids::{ConversationId, UserId};
use chat_domain::model::Role;
use chat_domain::ports::{Delivery, EventBus, Listener};
use tokio::sync::Notify;

use crate::protocol::EncodedMessage;

/// What the hub hands a connection.
#[derive(Debug)]
pub enum Outbound {
    /// An event that may concern it.
    Event(Arc<Shared>),
    /// Events were lost: re-read followed conversations from the store.
    Missed,
    /// The connection must close, for this reason.
    Close(CloseWhy),
}

/// One event as every connection it is handed to sees it: what is the same
/// for all of them is worked out once, by the first that needs it (the
/// `message` frame of a new message is encoded once per event, not once
/// per follower).
#[derive(Debug)]
pub struct Shared {
    event: Arc<Event>,
    message: OnceLock<EncodedMessage>,
    /// When the hub took it from the bus: the start of its delivery on this
    /// node (`message_delivery_seconds`).
    arrived: Instant,
}

impl Shared {
    /// Wraps an event from the bus that reached the hub at `arrived`.
    pub fn new(event: Arc<Event>, arrived: Instant) -> Self {
        Self {
            event,
            message: OnceLock::new(),
            arrived,
        }
    }

    /// When the hub took the event from the bus.
    pub fn arrived(&self) -> Instant {
        self.arrived
    }

    /// The event.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The encoded message of a `MessageCreated` event (`None` for other
    /// events), encoded by the first connection that asks.
    pub fn encoded_message(&self) -> Option<&EncodedMessage> {
        match &*self.event {
            Event::MessageCreated { message } => {
                Some(self.message.get_or_init(|| EncodedMessage::new(message)))
            }
            _ => None,
        }
    }
}

/// Why the hub closes a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseWhy {
    /// Its inbox overflowed: it reads too slowly.
    SlowConsumer,
    /// The node is shutting down.
    Shutdown,
    /// The user's sessions were revoked (deactivated, role or password
    /// changed, logged out everywhere).
    Revoked,
}

/// Connection id, unique on this node.
pub type ConnId = u64;

/// The hub's side of a connection: its inbox and what wakes it.
pub struct ConnHandle {
    inbox: Mutex<Inbox>,
    /// Wakes the connection task when its inbox was empty and is not, or
    /// when it must close.
    ready: Notify,
    principal: Principal,
}

/// A connection's pending deliveries.
struct Inbox {
    items: VecDeque<Outbound>,
    capacity: usize,
    /// Once set, it is what the connection reads next, and nothing more is
    /// queued.
    closing: Option<CloseWhy>,
}

/// An inbox that grew past this many slots gives the memory back once drained.
const INBOX_KEEP: usize = 16;

impl ConnHandle {
    fn inbox(&self) -> std::sync::MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next delivery, waiting for one if there is none; a close comes
    /// before anything still queued. Cancel-safe: an item is taken only in
    /// the poll that returns it.
    pub async fn next(&self) -> Outbound {
        loop {
            if let Some(item) = self.pop() {
                return item;
            }
            // A push between `pop` and here stores a permit in `ready`, so
            // this wait cannot miss it.
            self.ready.notified().await;
        }
    }

    fn pop(&self) -> Option<Outbound> {
        let mut inbox = self.inbox();
        if let Some(why) = inbox.closing {
            return Some(Outbound::Close(why));
        }
        let item = inbox.items.pop_front();
        if inbox.items.is_empty() && inbox.items.capacity() > INBOX_KEEP {
            inbox.items = VecDeque::new();
        }
        item
    }

    /// Queues `item`; never blocks: a full inbox closes the connection
    /// instead.
    fn push(&self, item: Outbound) {
        let wake = {
            let mut inbox = self.inbox();
            if inbox.closing.is_some() {
                return;
            }
            if inbox.items.len() >= inbox.capacity {
                inbox.closing = Some(CloseWhy::SlowConsumer);
                inbox.items = VecDeque::new();
                true
            } else {
                inbox.items.push_back(item);
                inbox.items.len() == 1
            }
        };
        if wake {
            self.ready.notify_one();
        }
    }

    /// Asks the connection to close (it reads this before anything queued).
    fn close(&self, why: CloseWhy) {
        let first = {
            let mut inbox = self.inbox();
            let first = inbox.closing.is_none();
            inbox.closing.get_or_insert(why);
            first
        };
        if first {
            self.ready.notify_one();
        }
    }

    /// Why it is closing, if it is.
    #[cfg(test)]
    fn closing(&self) -> Option<CloseWhy> {
        self.inbox().closing
    }
}

#[derive(Default)]
struct State {
    conns: HashMap<ConnId, Arc<ConnHandle>>,
    by_conversation: HashMap<ConversationId, HashSet<ConnId>>,
    /// What each connection follows (only connections following something),
    /// so that a disconnect touches its own conversations, not every one.
    follows: HashMap<ConnId, HashSet<ConversationId>>,
    staff: HashSet<ConnId>,
    by_agent: HashMap<UserId, HashSet<ConnId>>,
}

impl State {
    /// Takes `id` off `conversation`'s followers.
    fn unfollow(&mut self, id: ConnId, conversation: ConversationId) {
        if let Some(set) = self.by_conversation.get_mut(&conversation) {
            set.remove(&id);
            if set.is_empty() {
                self.by_conversation.remove(&conversation);
            }
        }
    }
}

/// The routing table and its dispatch.
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
    next_id: AtomicU64,
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a connection; returns its id and its handle, whose
    /// [`ConnHandle::next`] yields what the hub delivers to it (at most
    /// `capacity` pending before it is closed as a slow consumer).
    pub fn register(&self, principal: Principal, capacity: usize) -> (ConnId, Arc<ConnHandle>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let handle = Arc::new(ConnHandle {
            inbox: Mutex::new(Inbox {
                items: VecDeque::new(),
                capacity: capacity.max(1),
                closing: None,
            }),
            ready: Notify::new(),
            principal: principal.clone(),
        });
        let mut s = self.lock();
        s.conns.insert(id, handle.clone());
        if let Principal::Staff { user_id, .. } = principal {
            s.staff.insert(id);
            s.by_agent.entry(user_id).or_default().insert(id);
        }
        (id, handle)
    }

    /// Removes a connection and all its subscriptions. Returns how many
    /// connections the same agent still has on this node.
    pub fn unregister(&self, id: ConnId) -> usize {
        let mut s = self.lock();
        let Some(handle) = s.conns.remove(&id) else {
            return 0;
        };
        s.staff.remove(&id);
        for conversation in s.follows.remove(&id).unwrap_or_default() {
            s.unfollow(id, conversation);
        }
        if let Principal::Staff { user_id, .. } = handle.principal
            && let Some(set) = s.by_agent.get_mut(&user_id)
        {
            set.remove(&id);
            let left = set.len();
            if left == 0 {
                s.by_agent.remove(&user_id);
            }
            return left;
        }
        0
    }

    /// Follows a conversation (a connection no longer registered is ignored).
    pub fn subscribe(&self, id: ConnId, conversation: ConversationId) {
        let mut s = self.lock();
        if !s.conns.contains_key(&id) {
            return;
        }
        s.by_conversation
            .entry(conversation)
            .or_default()
            .insert(id);
        s.follows.entry(id).or_default().insert(conversation);
    }

    /// Stops following a conversation.
    pub fn unsubscribe(&self, id: ConnId, conversation: ConversationId) {
        let mut s = self.lock();
        if let Some(set) = s.follows.get_mut(&id) {
            set.remove(&conversation);
            if set.is_empty() {
                s.follows.remove(&id);
            }
        }
        s.unfollow(id, conversation);
    }

    /// Number of open connections on this node.
    pub fn connections(&self) -> usize {
        self.lock().conns.len()
    }

    /// Asks every connection to close (graceful shutdown).
    pub fn close_all(&self) {
        for h in self.lock().conns.values() {
            h.close(CloseWhy::Shutdown);
        }
    }

    /// Follows `bus` from now on: each event is handed to the connections
    /// it may concern inside the publisher's call when the bus can do that
    /// (one node: the message writer's commit puts the event straight into
    /// the recipients' inboxes), otherwise from a task on the current
    /// runtime reading the bus. Ends when the hub is dropped.
    pub fn follow(self: &Arc<Self>, bus: &dyn EventBus) {
        let hub = Arc::downgrade(self);
        let listener: Listener = Box::new(move |delivery| {
            let Some(hub) = hub.upgrade() else {
                return ControlFlow::Break(());
            };
            match delivery {
                Delivery::Event(event) => hub.dispatch(event),
                Delivery::Missed => hub.broadcast_missed(),
            }
            ControlFlow::Continue(())
        });
        if let Some(follow) = chat_domain::ports::listen(bus, listener) {
            tokio::spawn(follow);
        }
    }

    fn broadcast_missed(&self) {
        let targets: Vec<Arc<ConnHandle>> = self.lock().conns.values().cloned().collect();
        for h in targets {
            h.push(Outbound::Missed);
        }
    }

    /// Hands an event to the connections that may see it.
    pub fn dispatch(&self, event: &Arc<Event>) {
        // Before the routing table's lock: waiting for it is delivery time.
        let arrived = Instant::now();
        let targets: Vec<Arc<ConnHandle>> = {
            let s = self.lock();
            let followers = |c: &ConversationId| -> Vec<Arc<ConnHandle>> {
                s.by_conversation.get(c).map_or_else(Vec::new, |set| {
                    set.iter()
                        .filter_map(|id| s.conns.get(id).cloned())
                        .collect()
                })
            };
            match &**event {
                Event::MessageCreated { message } => followers(&message.conversation_id),
                Event::Typing {
                    conversation_id, ..
                }
                | Event::Read {
                    conversation_id, ..
                }
                | Event::AiDelta {
                    conversation_id, ..
                } => followers(conversation_id),
                Event::ConversationChanged {
                    conversation,
                    previous_state,
                    previous_assignee,
                    ..
                } => {
                    // Followers, plus every staff member who could see it
                    // before or can see it now (the inbox must learn that a
                    // queued conversation was taken by someone else).
                    let mut before = conversation.clone();
                    if let Some(p) = previous_state {
                        before.state = *p;
                    }
                    before.assignee_id = *previous_assignee;
                    let mut ids: HashSet<ConnId> = s
                        .by_conversation
                        .get(&conversation.id)
                        .cloned()
                        .unwrap_or_default();
                    for id in &s.staff {
                        if let Some(h) = s.conns.get(id)
                            && (access::can_view(&h.principal, conversation)
                                || access::can_view(&h.principal, &before))
                        {
                            ids.insert(*id);
                        }
                    }
                    ids.iter()
                        .filter_map(|id| s.conns.get(id).cloned())
                        .collect()
                }
                Event::Presence { .. } => s
                    .staff
                    .iter()
                    .filter_map(|id| s.conns.get(id).cloned())
                    .collect(),
                Event::QueueAlert { .. } => s
                    .staff
                    .iter()
                    .filter_map(|id| s.conns.get(id))
                    .filter(|h| {
                        h.principal
                            .role()
                            .is_some_and(|r| r.at_least(Role::Supervisor))
                    })
                    .cloned()
                    .collect(),
                // Staff following it see the rating arrive (the customer
                // who gave it knows already).
                Event::CsatSubmitted { conversation } => s
                    .by_conversation
                    .get(&conversation.id)
                    .map_or_else(Vec::new, |set| {
                        set.iter()
                            .filter(|id| s.staff.contains(id))
                            .filter_map(|id| s.conns.get(id).cloned())
                            .collect()
                    }),
                // For the back office (webhooks), not for sockets.
                Event::WebhooksChanged => Vec::new(),
                Event::SessionsRevoked { user_id } => {
                    for h in s.conns.values() {
                        if matches!(h.principal, Principal::Staff { user_id: u, .. } if u == *user_id)
                        {
                            h.close(CloseWhy::Revoked);
                        }
                    }
                    Vec::new()
                }
                Event::Offer { agent_id, .. } => {
                    s.by_agent.get(agent_id).map_or_else(Vec::new, |set| {
                        set.iter()
                            .filter_map(|id| s.conns.get(id).cloned())
                            .collect()
                    })
                }
            }
        };
        if targets.is_empty() {
            return;
        }
        let shared = Arc::new(Shared::new(event.clone(), arrived));
        for h in targets {
            h.push(Outbound::Event(shared.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_domain::events::Actor;
    use chat_domain::ids::CustomerId;
    use chat_domain::model::SenderKind;

    fn typing(conversation_id: ConversationId, on: bool) -> Arc<Event> {
        Arc::new(Event::Typing {
            conversation_id,
            actor: Actor {
                kind: SenderKind::Customer,
                id: None,
            },
            on,
        })
    }

    fn customer() -> Principal {
        Principal::Customer {
            customer_id: CustomerId::new(),
        }
    }

    #[tokio::test]
    async fn delivers_in_order_and_wakes_a_waiting_reader() {
        let hub = Hub::new();
        let (id, handle) = hub.register(customer(), 8);
        let conversation = ConversationId::new();
        hub.subscribe(id, conversation);
        let reader = tokio::spawn({
            let handle = handle.clone();
            async move {
                let mut seen = Vec::new();
                for _ in 0..3 {
                    match handle.next().await {
                        Outbound::Event(e) => match e.event() {
                            Event::Typing { on, .. } => seen.push(*on),
                            other => panic!("unexpected {other:?}"),
                        },
                        other => panic!("unexpected {other:?}"),
                    }
                }
                seen
            }
        });
        // The reader is parked on an empty inbox before anything arrives.
        tokio::task::yield_now().await;
        hub.dispatch(&typing(conversation, true));
        hub.dispatch(&typing(conversation, false));
        hub.dispatch(&typing(conversation, true));
        // Not a follower: never delivered.
        hub.dispatch(&typing(ConversationId::new(), false));
        assert_eq!(reader.await.unwrap(), vec![true, false, true]);
        assert_eq!(handle.closing(), None);
        assert!(handle.pop().is_none());
    }

    #[tokio::test]
    async fn a_full_inbox_closes_the_connection_before_anything_queued() {
        let hub = Hub::new();
        let (id, handle) = hub.register(customer(), 2);
        let conversation = ConversationId::new();
        hub.subscribe(id, conversation);
        for _ in 0..3 {
            hub.dispatch(&typing(conversation, true));
        }
        assert_eq!(handle.closing(), Some(CloseWhy::SlowConsumer));
        // Woken, and told to close first: it resumes from the store on
        // reconnect, so what was queued need not be sent.
        let next = tokio::time::timeout(std::time::Duration::from_secs(1), handle.next())
            .await
            .expect("the connection is woken");
        assert!(matches!(next, Outbound::Close(CloseWhy::SlowConsumer)));
        // Nothing more is queued for a closing connection, and shutting down
        // does not change why it closes.
        hub.dispatch(&typing(conversation, false));
        hub.close_all();
        assert_eq!(handle.inbox().items.len(), 0);
        assert_eq!(handle.closing(), Some(CloseWhy::SlowConsumer));
        hub.unregister(id);
        assert_eq!(hub.connections(), 0);
    }

    #[tokio::test]
    async fn shutdown_wakes_every_connection() {
        let hub = Hub::new();
        let handles: Vec<_> = (0..3).map(|_| hub.register(customer(), 8).1).collect();
        hub.close_all();
        for h in handles {
            let next = tokio::time::timeout(std::time::Duration::from_secs(1), h.next())
                .await
                .expect("woken");
            assert!(matches!(next, Outbound::Close(CloseWhy::Shutdown)));
        }
    }

    #[test]
    fn unregistering_forgets_what_the_connection_followed_and_nothing_else() {
        let hub = Hub::new();
        let (gone, _) = hub.register(customer(), 8);
        let (stays, handle) = hub.register(customer(), 8);
        let (shared, own) = (ConversationId::new(), ConversationId::new());
        hub.subscribe(gone, shared);
        hub.subscribe(gone, own);
        hub.subscribe(stays, shared);
        hub.unsubscribe(gone, own);
        hub.subscribe(gone, own);
        hub.unregister(gone);
        {
            let s = hub.lock();
            assert!(
                !s.by_conversation.contains_key(&own),
                "no empty follower sets"
            );
            assert_eq!(s.by_conversation[&shared], HashSet::from([stays]));
            assert!(!s.follows.contains_key(&gone));
        }
        // A subscription racing the disconnect is not recorded.
        hub.subscribe(gone, shared);
        assert_eq!(hub.lock().by_conversation[&shared], HashSet::from([stays]));
        hub.dispatch(&typing(shared, true));
        assert!(matches!(handle.pop(), Some(Outbound::Event(_))));
        hub.unregister(stays);
        let s = hub.lock();
        assert!(s.by_conversation.is_empty() && s.follows.is_empty());
    }

    #[test]
    fn a_drained_inbox_gives_its_memory_back() {
        let hub = Hub::new();
        let (id, handle) = hub.register(customer(), 256);
        let conversation = ConversationId::new();
        hub.subscribe(id, conversation);
        for _ in 0..100 {
            hub.dispatch(&typing(conversation, true));
        }
        while handle.pop().is_some() {}
        assert_eq!(handle.inbox().items.capacity(), 0);
    }

    #[test]
    fn every_follower_gets_the_same_encoded_message() {
        let hub = Hub::new();
        let conversation = ConversationId::new();
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let (id, handle) = hub.register(customer(), 8);
                hub.subscribe(id, conversation);
                handle
            })
            .collect();
        let message = chat_domain::model::Message {
            id: chat_domain::ids::MessageId::new(),
            conversation_id: conversation,
            seq: 1,
            sender_kind: SenderKind::Customer,
            sender_id: None,
            sender_name: None,
            kind: chat_domain::model::MessageKind::Text,
            body: "hi".into(),
            attachment: None,
            event: None,
            client_msg_id: None,
            created_at: chat_domain::time::now(),
        };
        hub.dispatch(&Arc::new(Event::MessageCreated {
            message: Arc::new(message),
        }));
        let frames: Vec<_> = handles
            .iter()
            .map(|h| match h.pop() {
                Some(Outbound::Event(shared)) => {
                    shared.encoded_message().expect("a message event").frame()
                }
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        // Encoded once: the same bytes, not equal copies.
        assert!(frames.iter().all(|f| f.as_ptr() == frames[0].as_ptr()));
        assert!(frames[0].starts_with(r#"{"type":"message","#));
        // Other events carry no message.
        hub.dispatch(&typing(conversation, true));
        match handles[0].pop() {
            Some(Outbound::Event(shared)) => assert!(shared.encoded_message().is_none()),
            other => panic!("unexpected {other:?}"),
        }
    }
}
