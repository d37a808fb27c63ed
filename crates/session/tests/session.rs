//! Session layer: group commit, life cycle with events, routing offers,
//! presence expiry and the bus, in process and (when configured) on Redis.
//!
//! ~720 lines: one binary for the session crate's scenarios (they share the
//! fakes and the Redis harness; one binary links faster than several).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chat_domain::DomainError;
use chat_domain::auth::Principal;
use chat_domain::events::{ConversationChange, Event, PresenceStatus};
use chat_domain::ids::{CustomerId, UserId};
use chat_domain::model::{
    ConversationState, Customer, HistoryQuery, MessageKind, Role, SenderKind, Transition, User,
};
use chat_domain::ports::{Delivery, EventBus, EventStream, PresenceRegistry, Store};
use chat_domain::time::{Timestamps, now};
use chat_session::bus::{InProcessBus, RedisBus};
use chat_session::lifecycle::{LifecycleConfig, sweep};
use chat_session::presence::{InProcessPresence, RedisPresence};
use chat_session::{ConversationService, MessageLog, OneNode, RoutingConfig};
use chat_store::testing::{TestDb, service_url};

struct Fixture {
    _db: TestDb,
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    presence: Arc<dyn PresenceRegistry>,
    service: Arc<ConversationService>,
}

/// A conversation's messages from the first, 100 at most.
const FROM_START: HistoryQuery = HistoryQuery::AfterSeq {
    after: 0,
    limit: 100,
};

async fn fixture() -> Fixture {
    let db = TestDb::sqlite().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let OneNode {
        bus,
        presence,
        service,
    } = OneNode::start(store.clone(), RoutingConfig { max_per_agent: 2 });
    Fixture {
        _db: db,
        store,
        bus,
        presence,
        service,
    }
}

async fn customer(store: &Arc<dyn Store>) -> Principal {
    customer_with_id(store).await.1
}

/// A new customer: their id and their principal.
async fn customer_with_id(store: &Arc<dyn Store>) -> (CustomerId, Principal) {
    let c = Customer::new(None, None, now());
    store.create_customer(&c).await.unwrap();
    (c.id, Principal::Customer { customer_id: c.id })
}

async fn staff(store: &Arc<dyn Store>, role: Role) -> (UserId, Principal) {
    let at = now();
    let u = User {
        id: UserId::new(),
        email: format!("{}@example.com", uuid::Uuid::now_v7().simple()),
        display_name: "Ann".into(),
        password_hash: "x".into(),
        role,
        active: true,
        times: Timestamps::new(at),
    };
    store.create_user(&u).await.unwrap();
    (
        u.id,
        Principal::Staff {
            user_id: u.id,
            role,
        },
    )
}

async fn next_event(stream: &mut Box<dyn EventStream>) -> Arc<Event> {
    match tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("an event in time")
    {
        Some(Delivery::Event(e)) => e,
        other => panic!("expected an event, got {other:?}"),
    }
}

/// Several writers: conversations commit in parallel, but each belongs to
/// one writer, so its messages, posted concurrently, get gap-free sequences
/// and are published in sequence order (on different writers, a later
/// sequence could be published before an earlier one).
async fn several_writers_keep_each_conversations_order(db: TestDb) {
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let bus: Arc<dyn EventBus> = Arc::new(InProcessBus::new());
    let presence: Arc<dyn PresenceRegistry> = Arc::new(InProcessPresence::new());
    let log = MessageLog::start_with_writers(store.clone(), bus.clone(), 2, 4);
    let service = Arc::new(ConversationService::new(
        store.clone(),
        bus.clone(),
        log,
        presence,
        RoutingConfig { max_per_agent: 2 },
    ));
    let mut events = bus.subscribe();
    const CONVERSATIONS: usize = 12;
    const EACH: usize = 50;
    let mut conversations = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..CONVERSATIONS {
        let who = customer(&store).await;
        let Principal::Customer { customer_id } = who else {
            unreachable!()
        };
        let conv = service.open(customer_id).await.unwrap();
        conversations.push(conv.id);
        for i in 0..EACH {
            let (service, who) = (service.clone(), who.clone());
            tasks.push(tokio::spawn(async move {
                service
                    .post(&who, conv.id, format!("{i}"), false, Some(format!("c{i}")))
                    .await
                    .unwrap()
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut last: std::collections::HashMap<_, i64> = std::collections::HashMap::new();
    let mut seen = 0;
    while seen < CONVERSATIONS * EACH {
        if let Event::MessageCreated { message } = &*next_event(&mut events).await {
            let prev = last
                .insert(message.conversation_id, message.seq)
                .unwrap_or(0);
            assert_eq!(message.seq, prev + 1, "published in sequence order");
            seen += 1;
        }
    }
    for id in conversations {
        let stored = store.history(id, FROM_START).await.unwrap();
        let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=EACH as i64).collect::<Vec<_>>());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_several_writers_keep_each_conversations_order() {
    several_writers_keep_each_conversations_order(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs MySQL (CHAT_TEST_MYSQL_URL)"]
async fn mysql_several_writers_keep_each_conversations_order() {
    let db = TestDb::mysql().await;
    several_writers_keep_each_conversations_order(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_posts_are_group_committed_gap_free_and_published() {
    let f = fixture().await;
    let (customer_id, who) = customer_with_id(&f.store).await;
    let conv = f.service.open(customer_id).await.unwrap();
    let mut events = f.bus.subscribe();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (service, who) = (f.service.clone(), who.clone());
        tasks.push(tokio::spawn(async move {
            service
                .post(
                    &who,
                    conv.id,
                    format!("message {i}"),
                    false,
                    Some(format!("m{i}")),
                )
                .await
                .unwrap()
        }));
    }
    let mut seqs: Vec<i64> = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().message.seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let mut published = HashSet::new();
    while published.len() < 200 {
        if let Event::MessageCreated { message } = &*next_event(&mut events).await {
            published.insert(message.seq);
        }
    }
    // A resend is acknowledged with the first sequence and not published again.
    let again = f
        .service
        .post(&who, conv.id, "message 7".into(), false, Some("m7".into()))
        .await
        .unwrap();
    assert!(again.duplicate);
    let stored = f
        .store
        .history(
            conv.id,
            HistoryQuery::AfterSeq {
                after: 0,
                limit: 1000,
            },
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn life_cycle_persists_notices_publishes_and_offers() {
    let f = fixture().await;
    let (customer_id, who) = customer_with_id(&f.store).await;
    let (agent_id, agent) = staff(&f.store, Role::Agent).await;
    let (busy_id, _) = staff(&f.store, Role::Agent).await;
    f.presence
        .refresh(
            agent_id,
            "n1",
            PresenceStatus::Online,
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    f.presence
        .refresh(busy_id, "n1", PresenceStatus::Away, Duration::from_secs(30))
        .await
        .unwrap();
    let conv = f.service.open(customer_id).await.unwrap();
    let mut events = f.bus.subscribe();

    // The customer cannot accept; the agent cannot reply before taking it.
    assert!(matches!(
        f.service
            .transition(&who, conv.id, Transition::Accept(agent_id))
            .await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        f.service
            .post(&agent, conv.id, "hi".into(), false, None)
            .await,
        Err(DomainError::Forbidden(_))
    ));

    let queued = f
        .service
        .transition(&who, conv.id, Transition::RequestHuman)
        .await
        .unwrap();
    assert_eq!(queued.state, ConversationState::Queued);
    assert_eq!(
        f.service.queue_position(&who, conv.id).await.unwrap(),
        Some(1)
    );
    let mut saw_change = false;
    let mut offered = None;
    while offered.is_none() {
        match &*next_event(&mut events).await {
            Event::ConversationChanged {
                conversation,
                change,
                previous_state,
                ..
            } => {
                assert_eq!(
                    (change.as_str(), *previous_state),
                    ("request_human", Some(ConversationState::Bot))
                );
                assert_eq!(conversation.state, ConversationState::Queued);
                saw_change = true;
            }
            Event::Offer { agent_id: to, .. } => offered = Some(*to),
            _ => {}
        }
    }
    assert!(saw_change);
    assert_eq!(
        offered,
        Some(agent_id),
        "the online agent, not the away one"
    );

    let human = f
        .service
        .transition(&agent, conv.id, Transition::Accept(agent_id))
        .await
        .unwrap();
    assert_eq!(
        (human.state, human.assignee_id),
        (ConversationState::Human, Some(agent_id))
    );
    f.service
        .post(&agent, conv.id, "Hello, I am Ann".into(), false, None)
        .await
        .unwrap();
    f.service
        .post(&agent, conv.id, "customer seems upset".into(), true, None)
        .await
        .unwrap();
    f.service
        .transition(&agent, conv.id, Transition::Close)
        .await
        .unwrap();
    assert!(
        f.service
            .post(&who, conv.id, "wait".into(), false, None)
            .await
            .is_err()
    );

    let staff_view = f
        .service
        .history(&agent, conv.id, FROM_START)
        .await
        .unwrap();
    let customer_view = f.service.history(&who, conv.id, FROM_START).await.unwrap();
    let notices: Vec<&str> = staff_view
        .iter()
        .filter(|m| m.kind == MessageKind::Event)
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(
        notices,
        [
            "Waiting for an agent to join.",
            "Ann joined the conversation.",
            "The conversation was closed."
        ]
    );
    // Each notice also carries what it records, for clients to word.
    let events: Vec<_> = customer_view
        .iter()
        .filter_map(|m| m.event.as_ref())
        .map(|e| {
            (
                e.change,
                e.actor.kind,
                e.to.as_ref().and_then(|p| p.name.as_deref()),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            (ConversationChange::RequestHuman, SenderKind::Customer, None),
            (ConversationChange::Accept, SenderKind::Agent, Some("Ann")),
            (ConversationChange::Close, SenderKind::Agent, None),
        ]
    );
    assert!(
        staff_view
            .iter()
            .any(|m| m.kind == MessageKind::PrivateNote)
    );
    assert!(
        customer_view
            .iter()
            .all(|m| m.kind != MessageKind::PrivateNote),
        "notes never reach customers"
    );
    assert_eq!(customer_view.len(), staff_view.len() - 1);
    // Another customer cannot even tell the conversation exists.
    let stranger = customer(&f.store).await;
    assert_eq!(
        f.service.visible(&stranger, conv.id).await.unwrap_err(),
        DomainError::NotFound("conversation")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_limits_accepting_and_sweeper_closes_idle() {
    let f = fixture().await;
    let (agent_id, agent) = staff(&f.store, Role::Agent).await;
    let mut convs = Vec::new();
    for _ in 0..3 {
        let (customer_id, who) = customer_with_id(&f.store).await;
        let conv = f.service.open(customer_id).await.unwrap();
        f.service
            .transition(&who, conv.id, Transition::RequestHuman)
            .await
            .unwrap();
        convs.push(conv.id);
    }
    f.service
        .transition(&agent, convs[0], Transition::Accept(agent_id))
        .await
        .unwrap();
    f.service
        .transition(&agent, convs[1], Transition::Accept(agent_id))
        .await
        .unwrap();
    let third = f
        .service
        .transition(&agent, convs[2], Transition::Accept(agent_id))
        .await;
    assert!(matches!(third, Err(DomainError::Conflict(_))), "{third:?}");

    let mut events = f.bus.subscribe();
    let config = LifecycleConfig {
        idle_close_after: Duration::from_secs(3600),
        queue_alert_after: Duration::ZERO,
        interval: Duration::from_secs(1),
    };
    let mut alerted = HashSet::new();
    sweep(&f.service, &config, &mut alerted).await;
    assert!(
        matches!(&*next_event(&mut events).await, Event::QueueAlert { conversation_id, .. } if *conversation_id == convs[2])
    );
    sweep(&f.service, &config, &mut alerted).await;
    assert_eq!(alerted.len(), 1, "alerted once");
    let idle = LifecycleConfig {
        idle_close_after: Duration::ZERO,
        ..config
    };
    sweep(&f.service, &idle, &mut alerted).await;
    for id in convs {
        assert_eq!(
            f.store.conversation_by_id(id).await.unwrap().unwrap().state,
            ConversationState::Closed
        );
    }
}

#[tokio::test]
async fn in_process_presence_expires() {
    let p = InProcessPresence::new();
    let a = UserId::new();
    p.refresh(a, "n1", PresenceStatus::Away, Duration::from_millis(50))
        .await
        .unwrap();
    p.refresh(a, "n2", PresenceStatus::Online, Duration::from_millis(50))
        .await
        .unwrap();
    assert_eq!(
        p.live_agents().await.unwrap(),
        vec![(a, PresenceStatus::Online)]
    );
    p.remove(a, "n2").await.unwrap();
    assert_eq!(
        p.live_agents().await.unwrap(),
        vec![(a, PresenceStatus::Away)]
    );
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert!(
        p.live_agents().await.unwrap().is_empty(),
        "a crashed node's agents expire"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis (CHAT_TEST_REDIS_URL)"]
async fn redis_bus_crosses_nodes_and_presence_expires() {
    let url = service_url("CHAT_TEST_REDIS_URL");
    // Two "nodes": two independent bus connections.
    let prefix = format!("test-{}", uuid::Uuid::now_v7().simple());
    let node_a = RedisBus::connect(&url, &prefix, Duration::from_secs(5))
        .await
        .unwrap();
    let node_b = RedisBus::connect(&url, &prefix, Duration::from_secs(5))
        .await
        .unwrap();
    // Another deployment on the same Redis hears nothing of this one.
    let other = RedisBus::connect(&url, "another-deployment", Duration::from_secs(5))
        .await
        .unwrap();
    let mut on_other = other.subscribe();
    let mut on_b = node_b.subscribe();
    let agent = UserId::new();
    node_a
        .publish(Event::Presence {
            agent_id: agent,
            status: PresenceStatus::Online,
        })
        .await
        .unwrap();
    loop {
        if let Event::Presence { agent_id, .. } = &*next_event(&mut on_b).await
            && *agent_id == agent
        {
            break;
        }
    }
    // A group commit's events go out in one pipeline and arrive in order.
    let agents: Vec<UserId> = (0..50).map(|_| UserId::new()).collect();
    node_a
        .publish_all(
            agents
                .iter()
                .map(|a| Event::Presence {
                    agent_id: *a,
                    status: PresenceStatus::Away,
                })
                .collect(),
        )
        .await
        .unwrap();
    let mut heard = Vec::new();
    while heard.len() < agents.len() {
        if let Event::Presence { agent_id, .. } = &*next_event(&mut on_b).await {
            heard.push(*agent_id);
        }
    }
    assert_eq!(heard, agents, "every event, once, in publishing order");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), on_other.next())
            .await
            .is_err(),
        "isolated by prefix"
    );
    let p = RedisPresence::new(node_a.pool(), &prefix);
    p.refresh(
        agent,
        "node-a",
        PresenceStatus::Online,
        Duration::from_millis(300),
    )
    .await
    .unwrap();
    p.refresh(
        agent,
        "node-b",
        PresenceStatus::Away,
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    let live = p.live_agents().await.unwrap();
    assert!(live.contains(&(agent, PresenceStatus::Online)), "{live:?}");
    // Nothing is left behind in a shared Redis: both keys expire, after
    // twice the longest entry's lifetime (never shortened by a shorter one).
    let mut conn = node_a.pool().get().await.unwrap();
    for key in ["live", "status"] {
        let ttl: i64 = deadpool_redis::redis::cmd("PTTL")
            .arg(format!("{prefix}:presence:{key}"))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!((59_000..=60_000).contains(&ttl), "{key}: PTTL {ttl}");
    }
    drop(conn);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let live = p.live_agents().await.unwrap();
    assert!(
        live.contains(&(agent, PresenceStatus::Away)),
        "node-a expired: {live:?}"
    );
    p.remove(agent, "node-b").await.unwrap();
    assert!(
        !p.live_agents()
            .await
            .unwrap()
            .iter()
            .any(|(a, _)| *a == agent)
    );
    assert!(
        RedisBus::connect("redis://127.0.0.1:1", "x", Duration::from_millis(500))
            .await
            .is_err()
    );
}

/// On Redis, a listener is fed by the node's subscription itself: it hears
/// every event published by any node, once and in order, and before the
/// subscribers do; one that breaks is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis (CHAT_TEST_REDIS_URL)"]
async fn redis_bus_listeners_hear_every_node_inline_and_in_order() {
    let url = service_url("CHAT_TEST_REDIS_URL");
    let prefix = format!("test-{}", uuid::Uuid::now_v7().simple());
    let node_a = RedisBus::connect(&url, &prefix, Duration::from_secs(5))
        .await
        .unwrap();
    let node_b = RedisBus::connect(&url, &prefix, Duration::from_secs(5))
        .await
        .unwrap();
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = heard.clone();
    let taken = node_b.listen(Box::new(move |d| {
        if let Delivery::Event(e) = d
            && let Event::Presence { agent_id, .. } = e.as_ref()
        {
            h.lock().unwrap().push(*agent_id);
        }
        std::ops::ControlFlow::Continue(())
    }));
    assert!(taken.is_ok(), "the Redis bus takes listeners inline");
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = calls.clone();
    let breaks = node_b.listen(Box::new(move |_| {
        c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::ops::ControlFlow::Break(())
    }));
    assert!(breaks.is_ok());
    let mut on_b = node_b.subscribe();
    let agents: Vec<UserId> = (0..20).map(|_| UserId::new()).collect();
    let event = |a: &UserId| Event::Presence {
        agent_id: *a,
        status: PresenceStatus::Online,
    };
    node_a
        .publish_all(agents[..10].iter().map(event).collect())
        .await
        .unwrap();
    for a in &agents[10..] {
        node_b.publish(event(a)).await.unwrap();
    }
    let mut seen = 0;
    while seen < agents.len() {
        if let Event::Presence { agent_id, .. } = &*next_event(&mut on_b).await {
            // The listener heard it before the subscriber's copy was sent.
            assert!(heard.lock().unwrap().contains(agent_id));
            seen += 1;
        }
    }
    assert_eq!(
        *heard.lock().unwrap(),
        agents,
        "every event, once, in order"
    );
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "a listener that broke is not called again"
    );
}

/// The access check reads a cache; what it decided is checked again when the
/// message is written. A transfer this node has not heard of yet (made here
/// straight in the database, as another node would) must not let the agent
/// who lost the conversation reply, and a closed conversation takes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_cache_never_lets_a_message_through() {
    let f = fixture().await;
    let (customer_id, who) = customer_with_id(&f.store).await;
    let (ann_id, ann) = staff(&f.store, Role::Agent).await;
    let (bob_id, bob) = staff(&f.store, Role::Agent).await;
    let conv = f.service.open(customer_id).await.unwrap();
    f.service
        .transition(&ann, conv.id, Transition::Takeover(ann_id))
        .await
        .unwrap();
    // Ann's first reply fills the cache with "Ann holds it".
    f.service
        .post(&ann, conv.id, "hello".into(), false, None)
        .await
        .unwrap();
    // Another node transfers it to Bob; no event reaches this node.
    f.store
        .transition_conversation(conv.id, Transition::Transfer(bob_id), now())
        .await
        .unwrap();
    let refused = f
        .service
        .post(&ann, conv.id, "still here?".into(), false, None)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Conflict(ref m)) if m.contains("no longer yours")),
        "{refused:?}"
    );
    // Transitions read the database: Bob, who holds it there, may act.
    f.service
        .transition(&bob, conv.id, Transition::HandBack)
        .await
        .unwrap();
    f.store
        .transition_conversation(conv.id, Transition::Close, now())
        .await
        .unwrap();
    let closed = f
        .service
        .post(&who, conv.id, "hello?".into(), false, None)
        .await;
    assert!(
        matches!(closed, Err(DomainError::Conflict(_))),
        "{closed:?}"
    );
    let history = f.store.history(conv.id, FROM_START).await.unwrap();
    assert!(
        history
            .iter()
            .all(|m| m.body != "still here?" && m.body != "hello?"),
        "nothing refused was stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_left_message_waits_in_the_queue_for_the_next_shift() {
    use chat_domain::availability::AwayDesk as _;
    let f = fixture().await;
    let away = chat_session::AwayService::new(f.service.clone(), Arc::new(f._db.store.clone()));
    let (cid, _) = customer_with_id(&f.store).await;
    let left = f.service.open(cid).await.unwrap();
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 12, 14)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .unwrap();
    let leave = |msg: &str| {
        let left_message = chat_domain::availability::LeftMessage {
            email: "ann@example.com".into(),
            text: Some(msg.into()),
            client_msg_id: Some("m1".into()),
            next_opening: Some(monday),
        };
        away.leave_message(cid, left.id, left_message)
    };
    let conv = leave("Please call me back").await.unwrap();
    assert_eq!(conv.state, ConversationState::Queued, "queued for a person");
    let stored = f.store.customer_by_id(cid).await.unwrap().unwrap();
    assert_eq!(stored.email.as_deref(), Some("ann@example.com"));
    let bodies = |h: Vec<chat_domain::model::Message>| -> Vec<String> {
        h.into_iter().map(|m| m.body).collect()
    };
    let stored = f.store.history(left.id, FROM_START).await.unwrap();
    let history = bodies(stored.clone());
    assert_eq!(
        history[..2],
        ["Waiting for an agent to join.", "Please call me back"],
        "queued before the text (the assistant does not answer it)"
    );
    // Then the away notice, saying when support is back as data (each
    // client words it in its reader's language and time zone) and in the
    // English body.
    let notice = &stored[2];
    assert_eq!(notice.sender_kind, chat_domain::model::SenderKind::System);
    let event = notice.event.as_ref().expect("a structured notice");
    assert_eq!(
        event.change,
        chat_domain::events::ConversationChange::LeftMessage
    );
    assert_eq!(event.next_opening, Some(monday));
    assert!(
        history[2].contains("We are back on Mon 14 Dec 2026 at 08:00 (UTC)."),
        "{}",
        history[2]
    );
    // A retry of the same message: stored once, no second notice.
    leave("Please call me back").await.unwrap();
    assert_eq!(f.store.history(left.id, FROM_START).await.unwrap().len(), 3);

    // Another customer who asked for a person and left nothing.
    let (other_id, other_who) = customer_with_id(&f.store).await;
    let other = f.service.open(other_id).await.unwrap();
    f.service
        .transition(&other_who, other.id, Transition::RequestHuman)
        .await
        .unwrap();
    let idle = LifecycleConfig {
        idle_close_after: Duration::ZERO,
        queue_alert_after: Duration::from_secs(3600),
        interval: Duration::from_secs(1),
    };
    let state = |id| {
        let store = f.store.clone();
        async move { store.conversation_by_id(id).await.unwrap().unwrap().state }
    };
    sweep(&f.service, &idle, &mut HashSet::new()).await;
    assert_eq!(
        state(left.id).await,
        ConversationState::Queued,
        "kept for the next shift"
    );
    assert_eq!(
        state(other.id).await,
        ConversationState::Closed,
        "the usual rule"
    );

    // Taken by an agent, it is an ordinary conversation again.
    let (agent_id, agent) = staff(&f.store, Role::Agent).await;
    f.service
        .transition(&agent, left.id, Transition::Accept(agent_id))
        .await
        .unwrap();
    sweep(&f.service, &idle, &mut HashSet::new()).await;
    assert_eq!(state(left.id).await, ConversationState::Closed);
    let again = leave("Hello?").await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");
}
