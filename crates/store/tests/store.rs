//! The store's guarantees, checked on SQLite always and on MySQL when
//! `CHAT_TEST_MYSQL_URL` is set (CI sets it and requires it).
//!
//! ~800 lines, one test per guarantee: they share the two-database
//! harness, and one binary links faster than several.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

#[macro_use]
mod common;

use std::collections::BTreeSet;

use chat_domain::DomainError;
use chat_domain::auth::RefreshToken;
use chat_domain::ids::{ConversationId, RefreshTokenId, TokenFamilyId, UserId};
use chat_domain::model::{
    AppendOutcome, AuditEntry, AuditFilter, Conversation, Customer, HistoryQuery, KnowledgeDoc,
    Message, MessageKind, NewMessage, Role, SenderKind, User,
};
use chat_domain::model::{ConversationState, Transition};
use chat_domain::ports::ConversationFilter;
use chat_domain::ports::{
    AuditRepository, ConversationRepository, CustomerRepository, HealthCheck, KnowledgeRepository,
    RefreshTokenRepository, Store, UserRepository,
};
use chat_domain::time::{Timestamp, Timestamps, now};
use chat_store::SqlStore;
use chat_store::testing::TestDb;

on_both_backends!(
    concurrent_appends_get_gap_free_sequences,
    resend_with_same_client_id_is_stored_once,
    batch_with_duplicates_and_unknown_conversation,
    batches_larger_than_one_statement_keep_every_guarantee,
    history_pages_by_sequence_and_time,
    users_round_trip_and_emails_are_unique,
    refresh_rotation_is_single_use,
    customers_conversations_knowledge_and_audit,
    transitions_are_atomic_and_checked,
    queue_order_loads_and_filters,
    closed_conversations_and_foreign_client_ids_are_refused,
    labels_and_list_filters,
    messages_move_the_activity_once_per_step,
    every_column_of_a_message_round_trips,
);

async fn conversation(store: &SqlStore) -> ConversationId {
    let at = now();
    let customer = Customer::new(
        Some(format!("visitor-{}", uuid::Uuid::now_v7())),
        Some("访客".into()),
        at,
    );
    store.create_customer(&customer).await.unwrap();
    let conv = Conversation::open(customer.id, at);
    store.create_conversation(&conv).await.unwrap();
    conv.id
}

fn text(conv: ConversationId, body: &str, cmid: Option<String>) -> NewMessage {
    NewMessage::new(
        conv,
        SenderKind::Customer,
        None,
        MessageKind::Text,
        body,
        cmid,
        now(),
    )
    .unwrap()
}

/// Appends one message, which is stored (or recognised as a resend).
async fn append(store: &SqlStore, message: NewMessage) -> AppendOutcome {
    let out = store.append_messages(vec![message]).await.unwrap();
    out.into_iter().next().unwrap().unwrap()
}

/// The conversation's last sequence number as stored.
async fn last_seq(store: &SqlStore, conv: ConversationId) -> i64 {
    store
        .conversation_by_id(conv)
        .await
        .unwrap()
        .unwrap()
        .last_seq
}

/// At most `limit` messages of `conv` after sequence number `seq`.
async fn after(store: &SqlStore, conv: ConversationId, seq: i64, limit: u32) -> Vec<Message> {
    let query = HistoryQuery::AfterSeq { after: seq, limit };
    store.history(conv, query).await.unwrap()
}

/// The messages of `conv` written in `from..to`.
async fn between(
    store: &SqlStore,
    conv: ConversationId,
    from: Timestamp,
    to: Timestamp,
) -> Vec<Message> {
    let query = HistoryQuery::Between {
        from,
        to,
        limit: 100,
    };
    store.history(conv, query).await.unwrap()
}

async fn concurrent_appends_get_gap_free_sequences(store: SqlStore) {
    let conv = conversation(&store).await;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..200 {
                let m = text(
                    conv,
                    &format!("writer {w} message {i}"),
                    Some(format!("w{w}-{i}")),
                );
                let outcome = append(&store, m).await;
                assert!(!outcome.duplicate);
                seqs.push(outcome.message.seq);
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        let seqs = t.await.unwrap();
        // Each writer sees its own messages in increasing order.
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        all.extend(seqs);
    }
    all.sort_unstable();
    assert_eq!(all, (1..=1600).collect::<Vec<i64>>());
    assert_eq!(after(&store, conv, 0, 1000).await.len(), 1000);
    assert_eq!(after(&store, conv, 1000, 1000).await.len(), 600);
    assert_eq!(last_seq(&store, conv).await, 1600);
}

async fn resend_with_same_client_id_is_stored_once(store: SqlStore) {
    let conv = conversation(&store).await;
    append(&store, text(conv, "before", None)).await;
    let first = append(&store, text(conv, "你好，我的订单", Some("c-1".into()))).await;
    assert_eq!((first.message.seq, first.duplicate), (2, false));
    // The resend may even carry different text (a client bug): the first copy wins.
    let again = append(&store, text(conv, "changed", Some("c-1".into()))).await;
    assert!(again.duplicate);
    assert_eq!(again.message.seq, 2);
    assert_eq!(again.message.id, first.message.id);
    assert_eq!(again.message.body, "你好，我的订单");
    // Client ids are case-sensitive and scoped to the conversation.
    let other = append(&store, text(conv, "x", Some("C-1".into()))).await;
    assert_eq!(other.message.seq, 3);
    let conv2 = conversation(&store).await;
    let elsewhere = append(&store, text(conv2, "x", Some("c-1".into()))).await;
    assert_eq!(elsewhere.message.seq, 1);
    // The resend did not burn a sequence number.
    assert_eq!(last_seq(&store, conv).await, 3);
}

async fn batch_with_duplicates_and_unknown_conversation(store: SqlStore) {
    let a = conversation(&store).await;
    let b = conversation(&store).await;
    let ghost = ConversationId::new();
    let batch = vec![
        text(a, "a1", Some("k".into())),
        text(b, "b1", None),
        text(ghost, "lost", None),
        text(a, "a1 again", Some("k".into())),
        text(a, "a2", None),
    ];
    let out = store.append_messages(batch).await.unwrap();
    assert_eq!(out.len(), 5);
    assert_eq!(out[0].as_ref().unwrap().message.seq, 1);
    assert_eq!(out[1].as_ref().unwrap().message.seq, 1);
    assert_eq!(
        out[2].as_ref().unwrap_err(),
        &DomainError::NotFound("conversation")
    );
    let dup = out[3].as_ref().unwrap();
    assert!(dup.duplicate);
    assert_eq!(dup.message.seq, 1);
    assert_eq!(out[4].as_ref().unwrap().message.seq, 2);
    // Gap-free after a batch that reserved 3 for `a` and used 2.
    assert_eq!(last_seq(&store, a).await, 2);
    assert_eq!(append(&store, text(a, "a3", None)).await.message.seq, 3);
}

/// A batch of more conversations and messages than one statement carries
/// (MySQL cuts them in chunks of 64, with lists padded to a power of two):
/// every conversation still gets consecutive sequences from where it was,
/// resends in the same batch and in a later one are recognised, and the
/// numbers they reserved are given back.
async fn batches_larger_than_one_statement_keep_every_guarantee(store: SqlStore) {
    let mut convs = Vec::new();
    for _ in 0..70 {
        convs.push(conversation(&store).await);
    }
    // Some conversations already have messages, so sequences start apart.
    for conv in convs.iter().step_by(3) {
        append(&store, text(*conv, "earlier", Some("earlier".into()))).await;
    }
    let mut batch = Vec::new();
    for (i, conv) in convs.iter().enumerate() {
        batch.push(text(*conv, "one", Some(format!("{i}-one"))));
        batch.push(text(*conv, "two", Some(format!("{i}-two"))));
        // A resend of an earlier message inside the batch, for some.
        if i % 3 == 0 {
            batch.push(text(*conv, "again", Some("earlier".into())));
        }
    }
    assert!(batch.len() > 2 * 64);
    let out = store.append_messages(batch.clone()).await.unwrap();
    let mut k = 0;
    for (i, conv) in convs.iter().enumerate() {
        let base = i64::from(i % 3 == 0);
        let one = out[k].as_ref().unwrap();
        let two = out[k + 1].as_ref().unwrap();
        assert_eq!((one.message.seq, one.duplicate), (base + 1, false), "{i}");
        assert_eq!((two.message.seq, two.duplicate), (base + 2, false), "{i}");
        assert_eq!(one.message.conversation_id, *conv);
        k += 2;
        if i % 3 == 0 {
            let again = out[k].as_ref().unwrap();
            assert_eq!((again.message.seq, again.duplicate), (1, true), "{i}");
            assert_eq!(again.message.body, "earlier");
            k += 1;
        }
        assert_eq!(last_seq(&store, *conv).await, base + 2, "{i}: gap-free");
    }
    assert_eq!(k, out.len());
    // The same batch again: every message is a resend, nothing is stored.
    let again = store.append_messages(batch.clone()).await.unwrap();
    assert!(again.iter().all(|r| r.as_ref().unwrap().duplicate));
    for (i, conv) in convs.iter().enumerate() {
        let base = i64::from(i % 3 == 0);
        assert_eq!(last_seq(&store, *conv).await, base + 2, "{i}");
        assert_eq!(after(&store, *conv, 0, 10).await.len() as i64, base + 2);
    }
}

async fn history_pages_by_sequence_and_time(store: SqlStore) {
    let conv = conversation(&store).await;
    let t0 = now();
    for i in 1..=10 {
        append(&store, text(conv, &format!("m{i}"), None)).await;
    }
    let page = after(&store, conv, 3, 4).await;
    assert_eq!(
        page.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![4, 5, 6, 7]
    );
    assert_eq!(page[0].body, "m4");
    let back = store
        .history(
            conv,
            HistoryQuery::BeforeSeq {
                before: 4,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(back.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![2, 3]);
    assert!(after(&store, conv, 10, 5).await.is_empty());

    let sixth = &page[2];
    assert_eq!(sixth.seq, 6);
    let later = now() + chrono::Duration::seconds(1);
    assert_eq!(between(&store, conv, t0, later).await.len(), 10);
    let from_sixth = between(&store, conv, sixth.created_at, later).await;
    assert_eq!(from_sixth.first().map(|m| m.seq), Some(6));
    let before_sixth = between(&store, conv, t0, sixth.created_at).await;
    assert!(before_sixth.iter().all(|m| m.seq < 6));
    // Times read back exactly as written (microsecond precision on both backends).
    let stored = after(&store, conv, 5, 1).await;
    assert_eq!(stored[0].created_at, sixth.created_at);
}

fn user(email: &str, role: Role) -> User {
    let at = now();
    User {
        id: UserId::new(),
        email: email.into(),
        display_name: "Test".into(),
        password_hash: "$argon2id$stub".into(),
        role,
        active: true,
        times: Timestamps::new(at),
    }
}

async fn users_round_trip_and_emails_are_unique(store: SqlStore) {
    let email = format!("{}@example.com", uuid::Uuid::now_v7().simple());
    let u = user(&email, Role::Supervisor);
    store.create_user(&u).await.unwrap();
    assert_eq!(store.user_by_id(u.id).await.unwrap().unwrap(), u);
    assert_eq!(store.user_by_email(&email).await.unwrap().unwrap().id, u.id);
    assert!(
        store
            .user_by_email("nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let err = store
        .create_user(&user(&email, Role::Agent))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    assert!(store.count_users().await.unwrap() >= 1);
}

async fn refresh_rotation_is_single_use(store: SqlStore) {
    let u = user(
        &format!("{}@example.com", uuid::Uuid::now_v7().simple()),
        Role::Agent,
    );
    store.create_user(&u).await.unwrap();
    let at = now();
    let family = TokenFamilyId::new();
    let token = |hash: &str| RefreshToken {
        id: RefreshTokenId::new(),
        family_id: family,
        user_id: u.id,
        token_hash: hash.into(),
        expires_at: at + chrono::Duration::days(1),
        revoked_at: None,
        replaced_by: None,
        created_at: at,
    };
    let first = token(&"a".repeat(64));
    store.insert_refresh_token(&first).await.unwrap();
    let second = token(&"b".repeat(64));
    let third = token(&"c".repeat(64));
    // Two refreshes race with the same token: exactly one wins.
    let (r1, r2) = tokio::join!(
        store.rotate_refresh_token(first.id, &second, at),
        store.rotate_refresh_token(first.id, &third, at),
    );
    assert_eq!([r1.unwrap(), r2.unwrap()].iter().filter(|w| **w).count(), 1);
    let old = store
        .refresh_token_by_hash(&first.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert!(old.revoked_at.is_some());
    assert!(old.replaced_by.is_some());
    assert_eq!(store.revoke_token_family(family, at).await.unwrap(), 1);
    assert_eq!(store.revoke_token_family(family, at).await.unwrap(), 0);

    // Revoking the user's sessions records the instant, which only moves
    // forward (of two revocations racing, the later wins).
    assert_eq!(store.sessions_not_before(u.id).await.unwrap(), None);
    store
        .insert_refresh_token(&token(&"d".repeat(64)))
        .await
        .unwrap();
    let later = at + chrono::Duration::milliseconds(1500);
    assert_eq!(store.revoke_user_tokens(u.id, later).await.unwrap(), 1);
    assert_eq!(store.sessions_not_before(u.id).await.unwrap(), Some(later));
    store.revoke_user_tokens(u.id, at).await.unwrap();
    assert_eq!(store.sessions_not_before(u.id).await.unwrap(), Some(later));
    let latest = later + chrono::Duration::microseconds(1);
    store.revoke_user_tokens(u.id, latest).await.unwrap();
    assert_eq!(store.sessions_not_before(u.id).await.unwrap(), Some(latest));
}

async fn customers_conversations_knowledge_and_audit(store: SqlStore) {
    let conv = conversation(&store).await;
    let c = store.conversation_by_id(conv).await.unwrap().unwrap();
    let customer = store.customer_by_id(c.customer_id).await.unwrap().unwrap();
    let ext = customer.external_id.clone().unwrap();
    assert_eq!(
        store
            .customer_by_external_id(&ext)
            .await
            .unwrap()
            .unwrap()
            .id,
        customer.id
    );
    let dup = Customer {
        id: Default::default(),
        ..customer.clone()
    };
    assert!(matches!(
        store.create_customer(&dup).await,
        Err(DomainError::Conflict(_))
    ));
    let list = store
        .conversations_of_customer(customer.id, None, 10)
        .await
        .unwrap();
    assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), vec![conv]);

    let mut doc = KnowledgeDoc::new(
        "退货政策",
        "七天无理由退货。Returns within 7 days.",
        vec!["售后".into()],
        now(),
    )
    .unwrap();
    store.create_doc(&doc).await.unwrap();
    doc.enabled = false;
    doc.tags.push("returns".into());
    store.update_doc(&doc).await.unwrap();
    // Updating with identical values is not "not found" (MySQL counts changed rows).
    store.update_doc(&doc).await.unwrap();
    assert_eq!(store.doc_by_id(doc.id).await.unwrap().unwrap(), doc);
    let listed = store.list_docs(None, 10).await.unwrap();
    assert!(listed.iter().any(|d| d.id == doc.id));
    store.delete_doc(doc.id).await.unwrap();
    assert!(matches!(
        store.delete_doc(doc.id).await,
        Err(DomainError::NotFound(_))
    ));
    let ghost = KnowledgeDoc::new("t", "b", vec![], now()).unwrap();
    assert!(matches!(
        store.update_doc(&ghost).await,
        Err(DomainError::NotFound(_))
    ));

    let actor = uuid::Uuid::now_v7().to_string();
    let mut ids = BTreeSet::new();
    for action in ["auth.login", "auth.logout", "auth.login"] {
        let e = AuditEntry {
            id: Default::default(),
            actor_id: Some(actor.clone()),
            action: action.into(),
            target: None,
            ip: Some("127.0.0.1".into()),
            detail: None,
            created_at: now(),
        };
        ids.insert(e.id);
        store.record_audit(&e).await.unwrap();
    }
    let logins = store
        .list_audit(&AuditFilter {
            actor_id: Some(actor.clone()),
            action: Some("auth.login".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(logins.len(), 2);
    assert!(logins[0].id > logins[1].id, "newest first");
    let older = store
        .list_audit(&AuditFilter {
            actor_id: Some(actor.clone()),
            before: Some(logins[0].id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(older.len(), 2);
    // By time window and target.
    let window = |from, to| {
        let store = store.clone();
        let actor = actor.clone();
        async move {
            store
                .list_audit(&AuditFilter {
                    actor_id: Some(actor),
                    from,
                    to,
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap()
                .len()
        }
    };
    let later = now() + chrono::Duration::seconds(60);
    assert_eq!(window(None, Some(later)).await, 3);
    assert_eq!(window(Some(later), None).await, 0);
    let none = store
        .list_audit(&AuditFilter {
            target: Some("nobody".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    store.ping().await.unwrap();
}

#[tokio::test]
async fn bad_urls_are_clear_errors() {
    use chat_store::{ConnectError, PoolOptions};
    let err = SqlStore::connect("postgres://localhost/x", PoolOptions::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ConnectError::UnsupportedScheme(_)));
    let opts = PoolOptions {
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    // Nothing listens on port 1.
    let err = SqlStore::connect("mysql://root:pw@127.0.0.1:1/db", opts)
        .await
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(matches!(err, ConnectError::Unreachable { .. }), "{text}");
    assert!(!text.contains("pw@"), "password leaked: {text}");
}

#[allow(dead_code)]
fn assert_store_is_object_safe(s: SqlStore) -> std::sync::Arc<dyn Store> {
    std::sync::Arc::new(s)
}
#[allow(dead_code)]
fn unused(_: TestDb) {}

async fn agent(store: &SqlStore) -> UserId {
    let u = user(
        &format!("{}@example.com", uuid::Uuid::now_v7().simple()),
        Role::Agent,
    );
    store.create_user(&u).await.unwrap();
    u.id
}

async fn transitions_are_atomic_and_checked(store: SqlStore) {
    let conv = conversation(&store).await;
    let (a, b) = (agent(&store).await, agent(&store).await);
    let (before, after) = store
        .transition_conversation(conv, Transition::RequestHuman, now())
        .await
        .unwrap();
    assert_eq!(
        (before.state, after.state),
        (ConversationState::Bot, ConversationState::Queued)
    );
    assert!(after.queued_at.is_some());
    // Two agents accept at once: exactly one wins, the other gets Conflict.
    let (ra, rb) = tokio::join!(
        store.transition_conversation(conv, Transition::Accept(a), now()),
        store.transition_conversation(conv, Transition::Accept(b), now()),
    );
    let winners: Vec<_> = [ra, rb].into_iter().filter_map(Result::ok).collect();
    assert_eq!(winners.len(), 1);
    let (_, taken) = &winners[0];
    assert_eq!(taken.state, ConversationState::Human);
    assert!(taken.assignee_id == Some(a) || taken.assignee_id == Some(b));
    assert!(taken.queued_at.is_none());
    let err = store
        .transition_conversation(conv, Transition::RequestHuman, now())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DomainError::Conflict("cannot request human a conversation that is human".into())
    );
    let (_, back) = store
        .transition_conversation(conv, Transition::HandBack, now())
        .await
        .unwrap();
    assert_eq!(
        (back.state, back.assignee_id),
        (ConversationState::Bot, None)
    );
    let (_, closed) = store
        .transition_conversation(conv, Transition::Close, now())
        .await
        .unwrap();
    assert!(closed.closed_at.is_some());
    assert!(
        store
            .transition_conversation(conv, Transition::Close, now())
            .await
            .is_err()
    );
    let missing = store
        .transition_conversation(ConversationId::new(), Transition::Close, now())
        .await;
    assert_eq!(missing.unwrap_err(), DomainError::NotFound("conversation"));
}

async fn queue_order_loads_and_filters(store: SqlStore) {
    let a = agent(&store).await;
    let mut queued = Vec::new();
    for _ in 0..3 {
        let c = conversation(&store).await;
        store
            .transition_conversation(c, Transition::RequestHuman, now())
            .await
            .unwrap();
        queued.push(c);
    }
    // Activity on the first does not move it in the queue.
    append(&store, text(queued[0], "still waiting", None)).await;
    for (i, c) in queued.iter().enumerate() {
        let pos = store.queue_position(*c).await.unwrap().unwrap();
        // Other tests share the database on MySQL only through their own rows;
        // positions are relative to everything queued, so compare in order.
        if i > 0 {
            let prev = store.queue_position(queued[i - 1]).await.unwrap().unwrap();
            assert_eq!(pos, prev + 1);
        }
    }
    let list = store
        .list_conversations(&ConversationFilter {
            state: Some(ConversationState::Queued),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let order: Vec<_> = list
        .iter()
        .filter(|c| queued.contains(&c.id))
        .map(|c| c.id)
        .collect();
    assert_eq!(order, queued, "queue order is time queued");
    store
        .transition_conversation(queued[1], Transition::Accept(a), now())
        .await
        .unwrap();
    store
        .transition_conversation(queued[2], Transition::Assign(a), now())
        .await
        .unwrap();
    assert_eq!(store.queue_position(queued[1]).await.unwrap(), None);
    let loads = store.agent_loads().await.unwrap();
    assert!(loads.contains(&(a, 2)), "{loads:?}");
    let mine = store
        .list_conversations(&ConversationFilter {
            assignee: Some(a),
            open_only: true,
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
}

/// A conversation opened `ago` in the past (its `updated_at` too).
async fn conversation_since(store: &SqlStore, ago: chrono::Duration) -> ConversationId {
    let at = now() - ago;
    let customer = Customer::new(Some(format!("visitor-{}", uuid::Uuid::now_v7())), None, at);
    store.create_customer(&customer).await.unwrap();
    let conv = Conversation::open(customer.id, at);
    store.create_conversation(&conv).await.unwrap();
    conv.id
}

async fn updated_at(store: &SqlStore, conv: ConversationId) -> Timestamp {
    let c = store.conversation_by_id(conv).await.unwrap().unwrap();
    c.times.updated_at
}

/// A message moves its conversation's `updated_at` (the lists' "most
/// recently active first") when the stored value is more than a second
/// behind, and leaves it otherwise: the index entry moves once per second
/// of activity, not once per message. The sequence still advances on every
/// message.
async fn messages_move_the_activity_once_per_step(store: SqlStore) {
    let quiet = conversation_since(&store, chrono::Duration::minutes(10)).await;
    let busy = conversation_since(&store, chrono::Duration::minutes(5)).await;
    let opened = updated_at(&store, quiet).await;
    let before = now();
    append(&store, text(quiet, "hello again", None)).await;
    let moved = updated_at(&store, quiet).await;
    assert!(moved >= before && moved > opened, "{opened} -> {moved}");
    // Within the step: the sequence moves, the activity does not. (On a
    // machine so loaded that the step has passed, the activity may move
    // again, which is right: only "no move within the step" is checked.)
    let within_step = || now() - moved < chrono::Duration::milliseconds(900);
    let second = append(&store, text(quiet, "and again", Some("q-2".into()))).await;
    assert_eq!(second.message.seq, 2);
    let kept = updated_at(&store, quiet).await;
    assert!(kept == moved || !within_step(), "{moved} -> {kept}");
    // A batch over both: each conversation decided on its own.
    let out = store
        .append_messages(vec![
            text(busy, "one", None),
            text(quiet, "three", None),
            text(busy, "two", None),
        ])
        .await
        .unwrap();
    assert!(out.iter().all(|o| o.is_ok()));
    let kept = updated_at(&store, quiet).await;
    assert!(kept == moved || !within_step(), "{moved} -> {kept}");
    let busy_moved = updated_at(&store, busy).await;
    assert!(busy_moved >= before, "{busy_moved}");
    assert_eq!(
        (last_seq(&store, quiet).await, last_seq(&store, busy).await),
        (3, 2)
    );
    // The lists sort by it: both now come before a conversation quiet for longer.
    let idle = conversation_since(&store, chrono::Duration::minutes(1)).await;
    let list = store
        .list_conversations(&ConversationFilter {
            open_only: true,
            limit: 200,
            ..Default::default()
        })
        .await
        .unwrap();
    let pos = |id| list.iter().position(|c| c.id == id).unwrap();
    assert!(pos(quiet) < pos(idle) && pos(busy) < pos(idle));
    // The idle sweeper's filter sees the activity.
    let idle_list = store
        .list_conversations(&ConversationFilter {
            open_only: true,
            active_before: Some(now() - chrono::Duration::seconds(30)),
            limit: 200,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(idle_list.iter().any(|c| c.id == idle));
    assert!(!idle_list.iter().any(|c| c.id == quiet || c.id == busy));
    // A message that changes the conversation (its first agent answer) moves
    // the activity even within the step: `updated_at` is also its version.
    let fresh = conversation_since(&store, chrono::Duration::zero()).await;
    let opened = updated_at(&store, fresh).await;
    let agent_id = agent(&store).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let before = now();
    let answer = NewMessage::new(
        fresh,
        SenderKind::Agent,
        Some(agent_id.to_string()),
        MessageKind::Text,
        "hello, how can I help?",
        None,
        now(),
    )
    .unwrap();
    append(&store, answer).await;
    let c = store.conversation_by_id(fresh).await.unwrap().unwrap();
    assert!(c.first_response_at.is_some());
    assert!(
        c.times.updated_at >= before && c.times.updated_at > opened,
        "{opened} -> {}",
        c.times.updated_at
    );
}

async fn closed_conversations_and_foreign_client_ids_are_refused(store: SqlStore) {
    let conv = conversation(&store).await;
    let customer_msg = |cmid: &str| {
        NewMessage::new(
            conv,
            SenderKind::Customer,
            Some(uuid::Uuid::now_v7().to_string()),
            MessageKind::Text,
            "hi",
            Some(cmid.into()),
            now(),
        )
        .unwrap()
    };
    let first = customer_msg("same-id");
    append(&store, first.clone()).await;
    // Same id, another sender: not a resend, and not silently "stored".
    let other = customer_msg("same-id");
    let out = store.append_messages(vec![other]).await.unwrap();
    assert!(matches!(out[0], Err(DomainError::Conflict(_))), "{out:?}");
    // The real resend is still recognized.
    let again = NewMessage {
        id: Default::default(),
        ..first.clone()
    };
    assert!(append(&store, again).await.duplicate);
    store
        .transition_conversation(conv, Transition::Close, now())
        .await
        .unwrap();
    let late = store
        .append_messages(vec![text(conv, "too late", None)])
        .await
        .unwrap();
    assert_eq!(
        late[0],
        Err(DomainError::Conflict("the conversation is closed".into()))
    );
    assert_eq!(last_seq(&store, conv).await, 1, "nothing reserved");
}

async fn labels_and_list_filters(store: SqlStore) {
    let a = conversation(&store).await;
    let b = conversation(&store).await;
    let at = now();
    store
        .set_labels(a, &["vip".into(), "50%_off".into(), "退款".into()], at)
        .await
        .unwrap();
    store.set_labels(b, &["vipx".into()], at).await.unwrap();
    let with = |label: &str| {
        let store = store.clone();
        let label = label.to_owned();
        async move {
            store
                .list_conversations(&ConversationFilter {
                    label: Some(label),
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .filter(|id| *id == a || *id == b)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(with("vip").await, vec![a], "whole labels only");
    assert_eq!(with("50%_off").await, vec![a], "wildcards are literal");
    assert!(with("50%").await.is_empty());
    assert_eq!(with("退款").await, vec![a]);
    let later = store
        .list_conversations(&ConversationFilter {
            created_from: Some(now() + chrono::Duration::seconds(60)),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(later.is_empty());
    assert!(matches!(
        store.set_labels(ConversationId::new(), &[], at).await,
        Err(DomainError::NotFound(_))
    ));
}

/// Pooled SQLite connections never checkpoint (`wal_autocheckpoint = 0`):
/// the store's own thread must copy the log into the database file, or the
/// log would grow without end. Several MB of messages are written, then the
/// database file must grow by them within a few checkpoint periods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_log_is_checkpointed_off_the_commit_path() {
    let db = TestDb::sqlite().await;
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    let file_len = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let conv = conversation(&db.store).await;
    let body = "x".repeat(3_000);
    for _ in 0..20 {
        let batch: Vec<NewMessage> = (0..100).map(|_| text(conv, &body, None)).collect();
        db.store.append_messages(batch).await.unwrap();
    }
    // 2,000 messages of 3 KB: about 6 MB, six times SQLite's default
    // auto-checkpoint threshold.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while file_len() < 5_000_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "the log was not checkpointed: database file is {} bytes",
            file_len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Each of a message's columns comes back as it was written, `None`s
/// included (SQLite's append binds every column of its own insert).
async fn every_column_of_a_message_round_trips(store: SqlStore) {
    use chat_domain::attachment::AttachmentMeta;
    use chat_domain::events::ConversationChange;
    use chat_domain::ids::AttachmentId;
    use chat_domain::model::{Notice, NoticeParty};

    let conv = conversation(&store).await;
    let mut reply = NewMessage::new(
        conv,
        SenderKind::Agent,
        Some(UserId::new().to_string()),
        MessageKind::Attachment,
        "invoice.pdf",
        Some("console-1".into()),
        now(),
    )
    .unwrap();
    reply.sender_name = Some("Ada".into());
    reply.attachment = Some(AttachmentMeta {
        id: AttachmentId::new(),
        name: "invoice.pdf".into(),
        content_type: "application/pdf".into(),
        size: 1234,
        width: None,
        height: None,
    });
    let notice = NewMessage::notice(
        conv,
        Notice::new(
            ConversationChange::LeftMessage,
            NoticeParty::unnamed(SenderKind::Customer, Some("c-1".into())),
            None,
        ),
        "The customer left a message",
        now(),
    )
    .unwrap();
    let plain = text(conv, "hello", None);
    let written = [reply, notice, plain];
    for outcome in store.append_messages(written.to_vec()).await.unwrap() {
        assert!(!outcome.unwrap().duplicate);
    }
    let read = after(&store, conv, 0, 10).await;
    assert_eq!(read.len(), written.len());
    for ((m, w), seq) in read.iter().zip(&written).zip(1..) {
        assert_eq!(m.seq, seq);
        assert_eq!(m.id, w.id);
        assert_eq!(m.conversation_id, w.conversation_id);
        assert_eq!(m.sender_kind, w.sender_kind);
        assert_eq!(m.sender_id, w.sender_id);
        assert_eq!(m.sender_name, w.sender_name);
        assert_eq!(m.kind, w.kind);
        assert_eq!(m.body, w.body);
        assert_eq!(m.client_msg_id, w.client_msg_id);
        assert_eq!(m.attachment, w.attachment);
        assert_eq!(m.event, w.event);
    }
    assert_eq!(last_seq(&store, conv).await, 3);
}
