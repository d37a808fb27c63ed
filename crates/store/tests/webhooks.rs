//! The webhook outbox's guarantees: a claim is exclusive while its lease
//! holds and comes back when it ends, settling needs the lease, failures
//! disable a webhook exactly once. SQLite always, MySQL when
//! `CHAT_TEST_MYSQL_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

#[macro_use]
mod common;

use std::collections::HashMap;
use std::time::Duration;

use chat_domain::DomainError;
use chat_domain::ids::WebhookDeliveryId;
use chat_domain::model::{
    DeliveryFilter, DeliveryOutcome, DeliveryStatus, Settled, Webhook, WebhookDelivery,
    WebhookEvent, WebhookSecret,
};
use chat_domain::ports::WebhookRepository;
use chat_domain::time::{Timestamp, now};
use chat_store::SqlStore;

on_both_backends!(
    claims_are_exclusive_and_leases_expire,
    settling_records_outcomes_and_disables_once,
    webhooks_round_trip_and_deliveries_page,
);

fn later(at: Timestamp, secs: i64) -> Timestamp {
    at + chrono::Duration::seconds(secs)
}

async fn webhook(store: &SqlStore, events: &[&str]) -> Webhook {
    let names: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
    let w = Webhook::new(
        "https://example.com/hook",
        &names,
        WebhookSecret::new(format!("whsec_{}", uuid::Uuid::now_v7().simple())),
        now(),
    )
    .unwrap();
    store.create_webhook(&w).await.unwrap();
    w
}

/// The webhook's count of failures in a row, as stored.
async fn failures(store: &SqlStore, w: &Webhook) -> u32 {
    store
        .webhook_by_id(w.id)
        .await
        .unwrap()
        .unwrap()
        .consecutive_failures
}

async fn queue(store: &SqlStore, w: &Webhook, n: usize, at: Timestamp) -> Vec<WebhookDeliveryId> {
    let rows: Vec<WebhookDelivery> = (0..n)
        .map(|i| {
            WebhookDelivery::new(
                w.id,
                WebhookEvent::MessageCreated,
                format!(r#"{{"n":{i}}}"#),
                at,
            )
        })
        .collect();
    store.enqueue_deliveries(&rows).await.unwrap();
    rows.iter().map(|d| d.id).collect()
}

async fn claims_are_exclusive_and_leases_expire(store: SqlStore) {
    let w = webhook(&store, &["message.created"]).await;
    let at = now();
    let ids = queue(&store, &w, 120, at).await;

    // Eight workers (nodes) claim at once until nothing is left.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, secret) = (store.clone(), w.secret.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claim = store
                    .claim_deliveries(later(at, 1), later(at, 60), 7)
                    .await
                    .unwrap();
                if claim.items.is_empty() {
                    return mine;
                }
                for (d, hook) in claim.items {
                    assert_eq!(d.attempts, 1);
                    assert_eq!(hook.id, d.webhook_id);
                    assert_eq!(hook.secret, secret, "the claim carries the signing key");
                    mine.push((d.id, claim.lease.clone()));
                }
            }
        }));
    }
    let mut seen: HashMap<WebhookDeliveryId, String> = HashMap::new();
    for t in tasks {
        for (id, lease) in t.await.unwrap() {
            assert!(seen.insert(id, lease).is_none(), "{id} claimed twice");
        }
    }
    assert_eq!(seen.len(), ids.len(), "every delivery claimed once");

    // While leases hold, nobody gets them; not yet due ones neither.
    let claim = store
        .claim_deliveries(later(at, 59), later(at, 120), 1000)
        .await
        .unwrap();
    assert!(claim.items.is_empty());

    // A node died: its leases run out, another node takes the deliveries
    // over (a second attempt), and the first one can no longer settle.
    let takeover = store
        .claim_deliveries(later(at, 61), later(at, 120), 1000)
        .await
        .unwrap();
    assert_eq!(takeover.items.len(), ids.len());
    assert!(takeover.items.iter().all(|(d, _)| d.attempts == 2));
    let (first, old_lease) = seen.iter().next().unwrap();
    let delivered = DeliveryOutcome::Delivered { status: 200 };
    assert_eq!(
        store
            .settle_delivery(*first, old_lease, &delivered, 0, "", later(at, 62))
            .await
            .unwrap(),
        Settled::LeaseLost
    );
    assert_eq!(
        store
            .settle_delivery(*first, &takeover.lease, &delivered, 0, "", later(at, 62))
            .await
            .unwrap(),
        Settled::Recorded
    );
    let d = store.delivery_by_id(w.id, *first).await.unwrap().unwrap();
    assert_eq!(
        (d.status, d.attempts, d.last_status, d.next_attempt_at),
        (DeliveryStatus::Delivered, 2, Some(200), None)
    );
    assert!(d.delivered_at.is_some());
    // Settled once: the same lease cannot settle it again.
    assert_eq!(
        store
            .settle_delivery(*first, &takeover.lease, &delivered, 0, "", later(at, 63))
            .await
            .unwrap(),
        Settled::LeaseLost
    );
}

async fn settling_records_outcomes_and_disables_once(store: SqlStore) {
    let w = webhook(&store, &["message.created"]).await;
    let at = now();
    queue(&store, &w, 4, at).await;
    let claim = store
        .claim_deliveries(later(at, 1), later(at, 60), 10)
        .await
        .unwrap();
    assert_eq!(claim.items.len(), 4);
    let ids: Vec<WebhookDeliveryId> = claim.items.iter().map(|(d, _)| d.id).collect();

    // A retry goes back to pending, due later, with the error kept.
    let retry = DeliveryOutcome::Retry {
        status: Some(503),
        error: "HTTP 503".into(),
        next_attempt_at: later(at, 30),
    };
    assert_eq!(
        store
            .settle_delivery(ids[0], &claim.lease, &retry, 3, "r", later(at, 2))
            .await
            .unwrap(),
        Settled::Recorded
    );
    let d = store.delivery_by_id(w.id, ids[0]).await.unwrap().unwrap();
    assert_eq!(
        (d.status, d.last_status, d.last_error.as_deref()),
        (DeliveryStatus::Pending, Some(503), Some("HTTP 503"))
    );
    assert_eq!(d.next_attempt_at, Some(later(at, 30)));
    assert!(
        store
            .claim_deliveries(later(at, 29), later(at, 90), 10)
            .await
            .unwrap()
            .items
            .is_empty(),
        "not due before its time"
    );

    // Three final failures settled at once, disable_after = 3: exactly one
    // settlement disables the webhook.
    let failed = DeliveryOutcome::Failed {
        status: None,
        error: "connection failed: refused ".repeat(40),
    };
    let mut tasks = Vec::new();
    for id in &ids[1..] {
        let (store, lease, failed, id) = (store.clone(), claim.lease.clone(), failed.clone(), *id);
        tasks.push(tokio::spawn(async move {
            store
                .settle_delivery(id, &lease, &failed, 3, "too many failures", later(at, 3))
                .await
                .unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| **o == Settled::Disabled).count(),
        1,
        "{outcomes:?}"
    );
    let hook = store.webhook_by_id(w.id).await.unwrap().unwrap();
    assert!(!hook.enabled);
    assert_eq!(hook.consecutive_failures, 3);
    assert_eq!(hook.disabled_reason.as_deref(), Some("too many failures"));
    let d = store.delivery_by_id(w.id, ids[1]).await.unwrap().unwrap();
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert!(
        d.last_error.as_ref().unwrap().chars().count() <= 500,
        "long errors are cut to the column"
    );

    // A disabled webhook's due deliveries wait.
    assert!(
        store
            .claim_deliveries(later(at, 31), later(at, 90), 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // Manual retry: only of a settled delivery, with a fresh budget.
    let again = store
        .retry_delivery(w.id, ids[1], later(at, 4))
        .await
        .unwrap();
    assert_eq!((again.status, again.attempts), (DeliveryStatus::Pending, 0));
    assert!(matches!(
        store.retry_delivery(w.id, ids[1], later(at, 4)).await,
        Err(DomainError::Conflict(_))
    ));
    assert!(matches!(
        store
            .retry_delivery(w.id, WebhookDeliveryId::new(), later(at, 4))
            .await,
        Err(DomainError::NotFound(_))
    ));

    // Re-enabled (as PATCH does): its deliveries are claimed again, and a
    // success resets the failure count.
    let hook = store
        .set_webhook_enabled(w.id, true, later(at, 5))
        .await
        .unwrap();
    assert_eq!(
        (
            hook.enabled,
            hook.consecutive_failures,
            hook.disabled_reason
        ),
        (true, 0, None)
    );
    let claim = store
        .claim_deliveries(later(at, 31), later(at, 90), 10)
        .await
        .unwrap();
    let claimed: Vec<WebhookDeliveryId> = claim.items.iter().map(|(d, _)| d.id).collect();
    assert_eq!(claimed.len(), 2, "the retried one and the one due at +30 s");
    let failed_once = DeliveryOutcome::Failed {
        status: Some(500),
        error: "HTTP 500".into(),
    };
    store
        .settle_delivery(
            claimed[0],
            &claim.lease,
            &failed_once,
            3,
            "x",
            later(at, 32),
        )
        .await
        .unwrap();
    assert_eq!(failures(&store, &w).await, 1);
    store
        .settle_delivery(
            claimed[1],
            &claim.lease,
            &DeliveryOutcome::Delivered { status: 204 },
            3,
            "x",
            later(at, 33),
        )
        .await
        .unwrap();
    assert_eq!(failures(&store, &w).await, 0);
}

async fn webhooks_round_trip_and_deliveries_page(store: SqlStore) {
    let a = webhook(&store, &["message.created", "csat.submitted"]).await;
    let b = webhook(&store, &["conversation.closed"]).await;
    let mut c = webhook(&store, &["conversation.created"]).await;
    assert_eq!(store.webhook_by_id(a.id).await.unwrap().unwrap(), a);
    c.url = "https://example.org/other".into();
    c.events = vec![
        WebhookEvent::ConversationClosed,
        WebhookEvent::CsatSubmitted,
    ];
    c.secret = WebhookSecret::new("whsec_rotated".into());
    c.times.updated_at = now();
    // Neither the enabled flag nor the failure count are written by an edit.
    let mut stale = c.clone();
    stale.enabled = false;
    stale.consecutive_failures = 9;
    store.update_webhook(&stale).await.unwrap();
    assert_eq!(store.webhook_by_id(c.id).await.unwrap().unwrap(), c);
    let off = store.set_webhook_enabled(c.id, false, now()).await.unwrap();
    assert!(!off.enabled);
    assert!(matches!(
        store
            .set_webhook_enabled(chat_domain::ids::WebhookId::new(), true, now())
            .await,
        Err(DomainError::NotFound(_))
    ));
    let enabled: Vec<_> = store
        .enabled_webhooks()
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(enabled, vec![a.id, b.id]);

    // Pages in creation order.
    let first = store.list_webhooks(None, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    let rest = store.list_webhooks(Some(first[1].id), 2).await.unwrap();
    assert_eq!(rest.iter().map(|w| w.id).collect::<Vec<_>>(), vec![c.id]);

    // Deliveries: newest first, by status, with a cursor.
    let at = now() - chrono::Duration::days(40);
    let old = queue(&store, &a, 3, at).await;
    let recent = queue(&store, &a, 5, now()).await;
    queue(&store, &b, 2, now()).await;
    let page = store
        .list_deliveries(&DeliveryFilter {
            webhook_id: a.id,
            status: None,
            before: None,
            limit: 4,
        })
        .await
        .unwrap();
    let got: Vec<_> = page.iter().map(|d| d.id).collect();
    let mut newest: Vec<_> = recent.iter().rev().copied().collect();
    assert_eq!(got, newest[..4].to_vec());
    let next = store
        .list_deliveries(&DeliveryFilter {
            webhook_id: a.id,
            status: Some(DeliveryStatus::Pending),
            before: Some(got[3]),
            limit: 4,
        })
        .await
        .unwrap();
    newest.extend(old.iter().rev());
    assert_eq!(
        next.iter().map(|d| d.id).collect::<Vec<_>>(),
        newest[4..8].to_vec()
    );
    assert!(
        store
            .list_deliveries(&DeliveryFilter {
                webhook_id: a.id,
                status: Some(DeliveryStatus::Failed),
                before: None,
                limit: 10,
            })
            .await
            .unwrap()
            .is_empty()
    );

    // Pruning removes old settled deliveries only.
    let claim = store
        .claim_deliveries(now(), later(now(), 60), 100)
        .await
        .unwrap();
    for (d, _) in &claim.items {
        if old.contains(&d.id) {
            store
                .settle_delivery(
                    d.id,
                    &claim.lease,
                    &DeliveryOutcome::Delivered { status: 200 },
                    0,
                    "",
                    now(),
                )
                .await
                .unwrap();
        }
    }
    let pruned = store
        .prune_deliveries(now() - chrono::Duration::days(30))
        .await
        .unwrap();
    assert_eq!(pruned, 3);
    assert!(store.delivery_by_id(a.id, old[0]).await.unwrap().is_none());
    assert!(
        store
            .delivery_by_id(a.id, recent[0])
            .await
            .unwrap()
            .is_some()
    );

    // A delivery for a webhook that no longer exists is refused; deleting
    // a webhook takes its deliveries along.
    store.delete_webhook(a.id).await.unwrap();
    assert!(matches!(
        store.delete_webhook(a.id).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(
        store
            .delivery_by_id(a.id, recent[0])
            .await
            .unwrap()
            .is_none()
    );
    let orphan = WebhookDelivery::new(a.id, WebhookEvent::Ping, "{}".into(), now());
    assert!(matches!(
        store.enqueue_deliveries(&[orphan]).await,
        Err(DomainError::Validation { .. })
    ));
    tokio::time::sleep(Duration::from_millis(1)).await;
}
