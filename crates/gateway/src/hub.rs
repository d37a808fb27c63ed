//! The node-local routing table: which connection follows which
//! conversation, which are staff (inbox), which belong to which agent.
//!
//! One dispatcher task per node reads the bus and hands each event to the
//! connections that may see it. The work per event is proportional to the
//! connections interested in it (a conversation's followers, or the staff
//! for inbox events), never to every socket on the node. Hand-off is a
//! non-blocking `try_send` into each connection's bounded queue: a
//! connection whose queue is full is told to close (4008, "reconnect and
//! resume"), so one slow reader never delays another.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chat_domain::access;
use chat_domain::auth::Principal;
use chat_domain::events::Event;
use chat_domain::ids::{ConversationId, UserId};
use chat_domain::model::{Conversation, Role};
use chat_domain::ports::{Delivery, EventBus};
use tokio::sync::{Notify, mpsc};

/// What the hub hands a connection.
#[derive(Debug)]
pub enum Outbound {
    /// An event that may concern it.
    Event(Arc<Event>),
    /// Events were lost: re-read followed conversations from the store.
    Missed,
}

/// Connection id, unique on this node.
pub type ConnId = u64;

/// The hub's side of a connection.
pub struct ConnHandle {
    tx: mpsc::Sender<Outbound>,
    principal: Principal,
    /// Set when the connection must go (slow consumer); `kill` wakes it.
    pub overflowed: AtomicBool,
    /// Wakes the connection task to close.
    pub kill: Notify,
}

#[derive(Default)]
struct State {
    conns: HashMap<ConnId, Arc<ConnHandle>>,
    by_conversation: HashMap<ConversationId, HashSet<ConnId>>,
    staff: HashSet<ConnId>,
    by_agent: HashMap<UserId, HashSet<ConnId>>,
}

/// The routing table and its dispatcher.
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

    /// Registers a connection; returns its id, its handle and the queue it reads.
    pub fn register(
        &self,
        principal: Principal,
        capacity: usize,
    ) -> (ConnId, Arc<ConnHandle>, mpsc::Receiver<Outbound>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::channel(capacity);
        let handle = Arc::new(ConnHandle {
            tx,
            principal: principal.clone(),
            overflowed: AtomicBool::new(false),
            kill: Notify::new(),
        });
        let mut s = self.lock();
        s.conns.insert(id, handle.clone());
        if let Principal::Staff { user_id, .. } = principal {
            s.staff.insert(id);
            s.by_agent.entry(user_id).or_default().insert(id);
        }
        (id, handle, rx)
    }

    /// Removes a connection and all its subscriptions. Returns how many
    /// connections the same agent still has on this node.
    pub fn unregister(&self, id: ConnId) -> usize {
        let mut s = self.lock();
        let Some(handle) = s.conns.remove(&id) else {
            return 0;
        };
        s.staff.remove(&id);
        s.by_conversation.retain(|_, set| {
            set.remove(&id);
            !set.is_empty()
        });
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

    /// Follows a conversation.
    pub fn subscribe(&self, id: ConnId, conversation: ConversationId) {
        self.lock()
            .by_conversation
            .entry(conversation)
            .or_default()
            .insert(id);
    }

    /// Stops following a conversation.
    pub fn unsubscribe(&self, id: ConnId, conversation: ConversationId) {
        let mut s = self.lock();
        if let Some(set) = s.by_conversation.get_mut(&conversation) {
            set.remove(&id);
            if set.is_empty() {
                s.by_conversation.remove(&conversation);
            }
        }
    }

    /// Agents with at least one connection on this node.
    pub fn local_agents(&self) -> Vec<UserId> {
        self.lock().by_agent.keys().copied().collect()
    }

    /// Number of open connections on this node.
    pub fn connections(&self) -> usize {
        self.lock().conns.len()
    }

    /// Asks every connection to close (graceful shutdown).
    pub fn close_all(&self) {
        for h in self.lock().conns.values() {
            h.kill.notify_one();
        }
    }

    /// Runs the dispatcher until the bus ends.
    pub async fn run(self: Arc<Self>, bus: Arc<dyn EventBus>) {
        let mut stream = bus.subscribe();
        while let Some(delivery) = stream.next().await {
            match delivery {
                Delivery::Event(event) => self.dispatch(&event),
                Delivery::Missed => self.broadcast_missed(),
            }
        }
    }

    fn broadcast_missed(&self) {
        let targets: Vec<Arc<ConnHandle>> = self.lock().conns.values().cloned().collect();
        for h in targets {
            deliver(&h, Outbound::Missed);
        }
    }

    /// Hands an event to the connections that may see it.
    pub fn dispatch(&self, event: &Arc<Event>) {
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
                // For the back office (webhooks), not for sockets.
                Event::CsatSubmitted { .. } | Event::WebhooksChanged => Vec::new(),
                Event::Offer { agent_id, .. } => {
                    s.by_agent.get(agent_id).map_or_else(Vec::new, |set| {
                        set.iter()
                            .filter_map(|id| s.conns.get(id).cloned())
                            .collect()
                    })
                }
            }
        };
        for h in targets {
            deliver(&h, Outbound::Event(event.clone()));
        }
    }
}

/// Never blocks: a full queue marks the connection for closing instead.
fn deliver(handle: &ConnHandle, item: Outbound) {
    if handle.overflowed.load(Ordering::Relaxed) {
        return;
    }
    match handle.tx.try_send(item) {
        Ok(()) => {}
        Err(mpsc::error::TrySendError::Full(_)) => {
            handle.overflowed.store(true, Ordering::Relaxed);
            handle.kill.notify_one();
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {}
    }
}

/// May this principal see this conversation now? (Re-checked per event, since
/// visibility changes with state and assignee.)
pub fn may_see(principal: &Principal, conversation: &Conversation) -> bool {
    access::can_view(principal, conversation)
}
