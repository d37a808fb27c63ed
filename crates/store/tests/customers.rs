//! Customers at the store level, on SQLite always and on MySQL when
//! `CHAT_TEST_MYSQL_URL` is set: contact details sealed at rest and found
//! through their search hashes, agent visibility, wrong keys, key and
//! hash-key rotation, erasure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

#[macro_use]
mod common;

use std::sync::Arc;

use chat_domain::DomainError;
use chat_domain::ids::{CustomerId, UserId};
use chat_domain::model::{
    Conversation, Customer, CustomerPatch, MessageKind, NewMessage, Role, SenderKind, Transition,
    User,
};
use chat_domain::ports::{
    ConversationRepository, CustomerFilter, CustomerRepository, UserRepository,
};
use chat_domain::time::{Timestamps, now};
use chat_store::testing::{TEST_DATA_HASH_KEY, TEST_DATA_KEYS, TestDb, raw_customer};
use chat_store::{FieldCipher, PoolOptions, SqlStore};

on_both_backends!(
    |db| db, 2;
    contact_details_are_sealed_and_found_by_hash,
    agents_see_the_customers_of_their_conversations,
    wrong_or_missing_keys_are_errors_naming_the_key,
    rotation_rewrites_under_the_new_key_and_hash_key,
    erasure_keeps_statistics_and_is_idempotent,
);

const NEW_KEY: &str = "k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const NEW_HASH_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

fn cipher(keys: &str, hash_key: &str) -> Arc<FieldCipher> {
    Arc::new(FieldCipher::from_config(keys, hash_key).unwrap())
}

async fn customer(store: &SqlStore, name: &str) -> Customer {
    let c = Customer::new(
        Some(format!("visitor:{}", uuid::Uuid::now_v7().simple())),
        Some(name.to_owned()),
        now(),
    );
    store.create_customer(&c).await.unwrap();
    c
}

fn contact(email: &str, phone: &str, notes: &str) -> CustomerPatch {
    CustomerPatch {
        email: Some(Some(email.to_owned())),
        phone: Some(Some(phone.to_owned())),
        notes: Some(Some(notes.to_owned())),
        tags: Some(vec!["vip".into()]),
        ..CustomerPatch::default()
    }
}

/// The ids of the customers `filter` lists.
async fn ids(store: &SqlStore, filter: CustomerFilter) -> Vec<CustomerId> {
    let found = store.list_customers(&filter).await.unwrap();
    found.into_iter().map(|c| c.id).collect()
}

async fn search(store: &SqlStore, q: &str) -> Vec<CustomerId> {
    let filter = CustomerFilter {
        query: Some(q.to_owned()),
        limit: 100,
        ..CustomerFilter::default()
    };
    ids(store, filter).await
}

async fn contact_details_are_sealed_and_found_by_hash(db: TestDb) {
    let store = &db.store;
    let ann = customer(store, "Ann Lee").await;
    let bob = customer(store, "Bob Stone").await;
    let updated = store
        .update_customer(
            ann.id,
            &contact("ann@example.com", "+8613800138000", "王小明's sister"),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(updated.email.as_deref(), Some("ann@example.com"));
    assert_eq!(updated.notes.as_deref(), Some("王小明's sister"));
    assert_eq!(updated.tags, vec!["vip"]);
    assert_eq!(
        store.customer_by_id(ann.id).await.unwrap().unwrap(),
        updated
    );

    let raw = raw_customer(store, ann.id).await.unwrap().unwrap();
    for sealed in [&raw.email, &raw.phone, &raw.notes] {
        let sealed = sealed.as_deref().unwrap();
        assert!(sealed.starts_with("v1:test1:"), "{sealed}");
        // The whole plaintext, not fragments: a random nonce's base64 holds
        // any three given characters once in about a thousand runs.
        assert!(!sealed.contains("ann@example") && !sealed.contains("13800138000"));
        assert!(!sealed.contains("王小明"));
    }

    assert_eq!(search(store, "ann@example.com").await, vec![ann.id]);
    assert_eq!(search(store, " ANN@EXAMPLE.COM ").await, vec![ann.id]);
    assert_eq!(search(store, "+86 (138) 0013-8000").await, vec![ann.id]);
    assert_eq!(search(store, "stone").await, vec![bob.id]);
    let visitor = ann.external_id.clone().unwrap();
    assert_eq!(search(store, &visitor).await, vec![ann.id]);
    assert_eq!(
        search(store, visitor.trim_start_matches("visitor:")).await,
        vec![ann.id]
    );
    for miss in ["bob@example.com", "13800138000", "%", "_", "zzz"] {
        assert!(search(store, miss).await.is_empty(), "{miss}");
    }
    // Clearing a field clears its hash too.
    store
        .update_customer(
            ann.id,
            &CustomerPatch {
                email: Some(None),
                ..CustomerPatch::default()
            },
            now(),
        )
        .await
        .unwrap();
    let raw = raw_customer(store, ann.id).await.unwrap().unwrap();
    assert!(raw.email.is_none() && raw.email_hash.is_none());
    assert!(raw.phone.is_some(), "other fields stay");
    assert!(search(store, "ann@example.com").await.is_empty());
    let err = store
        .update_customer(CustomerId::new(), &contact("a@b.c", "123456", "n"), now())
        .await
        .unwrap_err();
    assert_eq!(err, DomainError::NotFound("customer"));
}

async fn agent(store: &SqlStore) -> UserId {
    let at = now();
    let u = User {
        id: UserId::new(),
        email: format!("{}@example.com", uuid::Uuid::now_v7().simple()),
        display_name: "Agent".into(),
        password_hash: "x".into(),
        role: Role::Agent,
        active: true,
        times: Timestamps::new(at),
    };
    store.create_user(&u).await.unwrap();
    u.id
}

async fn agents_see_the_customers_of_their_conversations(db: TestDb) {
    let store = &db.store;
    let (a, b) = (agent(store).await, agent(store).await);
    let mine = customer(store, "Mine").await;
    let theirs = customer(store, "Theirs").await;
    let queued = customer(store, "Queued").await;
    let nobody = customer(store, "Nobody").await;
    for (c, t) in [
        (mine.id, Transition::Takeover(a)),
        (theirs.id, Transition::Takeover(b)),
        (queued.id, Transition::RequestHuman),
    ] {
        let conv = Conversation::open(c, now());
        store.create_conversation(&conv).await.unwrap();
        store
            .transition_conversation(conv.id, t, now())
            .await
            .unwrap();
    }
    // Closing keeps the assignee: the agent still sees that customer.
    let closed = Conversation::open(mine.id, now());
    store.create_conversation(&closed).await.unwrap();
    store
        .transition_conversation(closed.id, Transition::Close, now())
        .await
        .unwrap();
    let visible = |agent: UserId, id: Option<CustomerId>| {
        let filter = CustomerFilter {
            visible_to_agent: Some(agent),
            id,
            limit: 100,
            ..CustomerFilter::default()
        };
        ids(store, filter)
    };
    assert_eq!(visible(a, None).await, vec![mine.id, queued.id]);
    assert_eq!(visible(b, None).await, vec![theirs.id, queued.id]);
    assert_eq!(visible(a, Some(theirs.id)).await, vec![]);
    assert_eq!(visible(a, Some(nobody.id)).await, vec![]);
    assert_eq!(visible(a, Some(mine.id)).await, vec![mine.id]);
    // Everyone, paged by id.
    let page = CustomerFilter {
        after: Some(mine.id),
        limit: 2,
        ..CustomerFilter::default()
    };
    assert_eq!(ids(store, page).await, vec![theirs.id, queued.id]);
}

async fn wrong_or_missing_keys_are_errors_naming_the_key(db: TestDb) {
    let store = &db.store;
    let ann = customer(store, "Ann").await;
    store
        .update_customer(ann.id, &contact("ann@example.com", "123456", "n"), now())
        .await
        .unwrap();
    store.check_data_keys().await.unwrap();

    // Same key id, other bytes.
    let wrong = store.clone().with_cipher(cipher(
        "test1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=",
        TEST_DATA_HASH_KEY,
    ));
    for err in [
        wrong.customer_by_id(ann.id).await.unwrap_err(),
        wrong.check_data_keys().await.unwrap_err(),
    ] {
        let DomainError::Internal(msg) = err else {
            panic!("{err:?}")
        };
        assert!(
            msg.contains("`test1`") && msg.contains("does not decrypt"),
            "{msg}"
        );
    }
    // The key missing from the list.
    let missing = store
        .clone()
        .with_cipher(cipher(NEW_KEY, TEST_DATA_HASH_KEY));
    let DomainError::Internal(msg) = missing.customer_by_id(ann.id).await.unwrap_err() else {
        panic!()
    };
    assert!(
        msg.contains("`test1`") && msg.contains("CHAT_DATA_KEYS"),
        "{msg}"
    );
    // No keys at all: customers without contact details still work.
    let bare = SqlStore::connect(&db.url, PoolOptions::default())
        .await
        .unwrap();
    let plain = customer(&bare, "Plain").await;
    assert_eq!(
        bare.customer_by_id(plain.id).await.unwrap().unwrap().id,
        plain.id
    );
    assert!(bare.customer_by_id(ann.id).await.is_err());
    let err = bare
        .update_customer(plain.id, &contact("p@example.com", "123456", "n"), now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Internal(ref m) if m.contains("CHAT_DATA_KEYS")),
        "{err:?}"
    );
    assert!(bare.check_data_keys().await.is_err());
}

async fn rekey_all(store: &SqlStore, limit: u32) -> (u32, u32) {
    let (mut scanned, mut rewritten, mut after) = (0, 0, None);
    loop {
        let batch = store.rekey_customers(after, limit).await.unwrap();
        scanned += batch.scanned;
        rewritten += batch.rewritten;
        after = batch.last;
        if batch.scanned < limit {
            return (scanned, rewritten);
        }
    }
}

async fn rotation_rewrites_under_the_new_key_and_hash_key(db: TestDb) {
    let store = &db.store;
    let mut sealed = Vec::new();
    for i in 0..5 {
        let c = customer(store, &format!("C{i}")).await;
        store
            .update_customer(
                c.id,
                &contact(
                    &format!("c{i}@example.com"),
                    &format!("13800138{i:03}"),
                    "n",
                ),
                now(),
            )
            .await
            .unwrap();
        sealed.push(c.id);
    }
    let plain = customer(store, "Plain").await;

    // New key first, old key still listed: reads work, writes use the new.
    let both = format!("{NEW_KEY},{TEST_DATA_KEYS}");
    let rotated = store.clone().with_cipher(cipher(&both, TEST_DATA_HASH_KEY));
    rotated.check_data_keys().await.unwrap();
    assert_eq!(
        rekey_all(&rotated, 2).await,
        (6, 5),
        "pages of 2; the plain one needs nothing"
    );
    for id in &sealed {
        let raw = raw_customer(store, *id).await.unwrap().unwrap();
        assert!(raw.email.as_deref().unwrap().starts_with("v1:k2:"));
        assert!(raw.notes.as_deref().unwrap().starts_with("v1:k2:"));
    }
    assert_eq!(rekey_all(&rotated, 100).await, (6, 0), "idempotent");
    assert!(
        raw_customer(store, plain.id)
            .await
            .unwrap()
            .unwrap()
            .email
            .is_none()
    );

    // The old key dropped: everything reads; the old configuration does not.
    let new_only = store
        .clone()
        .with_cipher(cipher(NEW_KEY, TEST_DATA_HASH_KEY));
    new_only.check_data_keys().await.unwrap();
    assert_eq!(search(&new_only, "c3@example.com").await, vec![sealed[3]]);
    assert!(store.check_data_keys().await.is_err());

    // A new hash key: searches miss until the hashes are recomputed.
    let new_hash = store.clone().with_cipher(cipher(NEW_KEY, NEW_HASH_KEY));
    assert!(search(&new_hash, "c3@example.com").await.is_empty());
    assert_eq!(rekey_all(&new_hash, 100).await, (6, 5));
    assert_eq!(search(&new_hash, "c3@example.com").await, vec![sealed[3]]);
    assert_eq!(search(&new_hash, "13800138003").await, vec![sealed[3]]);
}

async fn erasure_keeps_statistics_and_is_idempotent(db: TestDb) {
    let store = &db.store;
    let a = agent(store).await;
    let ann = customer(store, "Ann").await;
    store
        .update_customer(ann.id, &contact("ann@example.com", "123456", "n"), now())
        .await
        .unwrap();
    let conv = Conversation::open(ann.id, now());
    store.create_conversation(&conv).await.unwrap();
    store
        .transition_conversation(conv.id, Transition::Takeover(a), now())
        .await
        .unwrap();
    let at = now();
    let msgs = [
        (
            SenderKind::Customer,
            Some(ann.id.to_string()),
            MessageKind::Text,
            "I live at 1 Main St",
        ),
        (
            SenderKind::Agent,
            Some(a.to_string()),
            MessageKind::PrivateNote,
            "VIP, Main St",
        ),
        (
            SenderKind::System,
            None,
            MessageKind::Event,
            "Agent joined the conversation.",
        ),
    ]
    .map(|(s, id, k, b)| NewMessage::new(conv.id, s, id, k, b, None, at).unwrap());
    for r in store.append_messages(msgs.to_vec()).await.unwrap() {
        r.unwrap();
    }

    let err = store.erase_customer(ann.id, now()).await.unwrap_err();
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    assert_eq!(
        store
            .customer_by_id(ann.id)
            .await
            .unwrap()
            .unwrap()
            .name
            .as_deref(),
        Some("Ann")
    );
    store
        .transition_conversation(conv.id, Transition::Close, now())
        .await
        .unwrap();
    store
        .rate_conversation(conv.id, 2, Some("Ann was unhappy".into()), now())
        .await
        .unwrap();

    let (erased, now_erased) = store.erase_customer(ann.id, now()).await.unwrap();
    assert!(now_erased);
    assert!(erased.erased_at.is_some());
    assert_eq!(
        (
            erased.name,
            erased.email,
            erased.phone,
            erased.notes,
            erased.external_id
        ),
        (None, None, None, None, None)
    );
    assert!(erased.tags.is_empty());
    assert!(
        store
            .customer_by_external_id(ann.external_id.as_deref().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let c = store.conversation_by_id(conv.id).await.unwrap().unwrap();
    assert_eq!((c.csat_score, c.csat_comment), (Some(2), None));
    assert_eq!(c.assignee_id, Some(a));
    let history = store
        .history(
            conv.id,
            chat_domain::model::HistoryQuery::AfterSeq {
                after: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    let bodies: Vec<&str> = history.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, vec!["", "", "Agent joined the conversation."]);

    // No new conversation attaches to the erased record.
    let err = store
        .create_conversation(&Conversation::open(ann.id, now()))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    let (again, now_erased) = store.erase_customer(ann.id, now()).await.unwrap();
    assert!(!now_erased);
    assert_eq!(again.erased_at, erased.erased_at);
    let err = store
        .update_customer(ann.id, &contact("x@example.com", "123456", "n"), now())
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Conflict(_)), "{err:?}");
    assert_eq!(
        store
            .erase_customer(CustomerId::new(), now())
            .await
            .unwrap_err(),
        DomainError::NotFound("customer")
    );
}
