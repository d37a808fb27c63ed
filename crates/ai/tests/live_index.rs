//! The index follows the knowledge base without a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::sync::Arc;
use std::time::Duration;

use chat_ai::knowledge::LiveIndex;
use chat_domain::model::KnowledgeDoc;
use chat_domain::ports::KnowledgeRepository;
use chat_domain::time::now;
use chat_store::testing::TestDb;

async fn top_title(index: &LiveIndex, q: &str) -> Option<String> {
    index
        .current()
        .search(q, 1)
        .into_iter()
        .next()
        .map(|h| h.title)
}

async fn eventually(index: &LiveIndex, q: &str, want: Option<&str>) {
    for _ in 0..50 {
        if top_title(index, q).await.as_deref() == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{q}: expected {want:?}, got {:?}",
        top_title(index, q).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_changed_disabled_and_deleted_documents_are_followed() {
    let db = TestDb::sqlite().await;
    let repo: Arc<dyn KnowledgeRepository> = Arc::new(db.store.clone());
    let index = LiveIndex::new();
    let task = index.follow(repo.clone(), Duration::from_millis(100));
    eventually(&index, "warranty repair", None).await;

    let mut doc = KnowledgeDoc::new(
        "Warranty",
        "Every device has a two-year warranty covering repair.",
        vec![],
        now(),
    )
    .unwrap();
    repo.create_doc(&doc).await.unwrap();
    eventually(&index, "warranty repair", Some("Warranty")).await;

    doc.title = "保修政策".into();
    doc.body = "所有设备享受两年保修，免费维修。".into();
    doc.times.updated_at = now();
    repo.update_doc(&doc).await.unwrap();
    eventually(&index, "保修 维修", Some("保修政策")).await;

    doc.enabled = false;
    doc.times.updated_at = now();
    repo.update_doc(&doc).await.unwrap();
    eventually(&index, "保修 维修", None).await;

    doc.enabled = true;
    doc.times.updated_at = now();
    repo.update_doc(&doc).await.unwrap();
    eventually(&index, "保修 维修", Some("保修政策")).await;
    repo.delete_doc(doc.id).await.unwrap();
    eventually(&index, "保修 维修", None).await;
    task.abort();
}

/// A question that arrives before the first build waits for it (the
/// start-up race: the listener opens before the index is built), and one
/// that would wait forever gives up after the bound.
#[tokio::test]
async fn the_first_question_waits_for_the_first_index() {
    let index = LiveIndex::new();
    assert!(!index.is_ready());
    let builder = index.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let doc = KnowledgeDoc::new("Warranty", "Two years of warranty.", vec![], now()).unwrap();
        builder.replace(chat_ai::knowledge::Index::build(&[doc]));
    });
    let started = std::time::Instant::now();
    let ready = index.ready(Duration::from_secs(10)).await;
    assert_eq!(ready.len(), 1, "answered from the built index");
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(index.is_ready());

    let never = LiveIndex::new();
    let started = std::time::Instant::now();
    assert!(never.ready(Duration::from_millis(100)).await.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}
