//! Dense retrieval against a local mock of an OpenAI-compatible
//! `/v1/embeddings` endpoint: passages embedded in batches and once,
//! re-embedded only when edited, the question answered lexically when the
//! endpoint fails or is slow, and a paraphrase that no word of the question
//! reaches found through the dense side.
//!
//! The mock's vectors are a bag of "concepts": each word it knows counts
//! for one concept (died, dead, dark, broken → `broken`; gadget, device →
//! `device`…), words it does not know count for nothing. So the mock
//! "understands" paraphrases that the lexical index, which sees only
//! words, cannot match.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chat_ai::dense::{Embedder, EmbeddingsConfig, Fusion};
use chat_ai::knowledge::LiveIndex;
use chat_ai::offline::{OfflineConfig, Reply, answer, answer_with};
use chat_ai::testing::{Endpoint, json_response, read_request};
use chat_domain::model::KnowledgeDoc;
use chat_domain::ports::KnowledgeRepository;
use chat_domain::time::now;
use chat_store::testing::TestDb;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

const CONCEPTS: &[(&str, &[&str])] = &[
    (
        "broken",
        &["broken", "break", "died", "dead", "dark", "stop"],
    ),
    ("device", &["device", "devices", "gadget"]),
    ("screen", &["screen", "display"]),
    ("repair", &["repair", "repaired", "fix"]),
    ("warranty", &["warranty", "guarantee"]),
    ("clean", &["clean", "cloth", "dry"]),
    ("ship", &["ship", "shipping", "courier", "delivery"]),
    ("pay", &["pay", "payment", "card", "paypal"]),
];

/// The mock's vector of a text: concept counts.
fn concept_vector(text: &str) -> Vec<f64> {
    let mut v = vec![0.0; CONCEPTS.len()];
    for word in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if let Some(i) = CONCEPTS.iter().position(|(_, ws)| ws.contains(&word)) {
            v[i] += 1.0;
        }
    }
    v
}

const OK: u8 = 0;
const FAIL: u8 = 1;
const SLOW: u8 = 2;

/// The mock endpoint: its address, the requests it answered (each with its
/// inputs), and the mode it is in (switchable during a test).
struct Mock {
    addr: SocketAddr,
    requests: Arc<std::sync::Mutex<Vec<Vec<String>>>>,
    mode: Arc<AtomicU8>,
    hits: Arc<AtomicUsize>,
}

impl Mock {
    fn batches(&self) -> Vec<Vec<String>> {
        self.requests.lock().unwrap().clone()
    }

    fn config(&self) -> EmbeddingsConfig {
        let mut c = EmbeddingsConfig::new(
            &format!("http://{}/v1", self.addr),
            "test-key",
            "mock-embed",
        );
        c.batch = 3;
        c.concurrency = 2;
        c.query_timeout = Duration::from_millis(300);
        c.retry = Duration::from_millis(200);
        c.fusion = Fusion {
            weight: 0.5,
            floor: 0.2,
        };
        c
    }
}

async fn mock() -> Mock {
    let requests: Arc<std::sync::Mutex<Vec<Vec<String>>>> = Arc::default();
    let mode = Arc::new(AtomicU8::new(OK));
    let hits: Arc<AtomicUsize> = Arc::default();
    let (r, m, h) = (requests.clone(), mode.clone(), hits.clone());
    let endpoint = Endpoint::serve(move |mut sock, _| {
        let (requests, mode, hits) = (r.clone(), m.clone(), h.clone());
        async move {
            // Keep-alive: several requests per connection.
            while let Some(request) = read_request(&mut sock).await {
                hits.fetch_add(1, Ordering::SeqCst);
                assert!(
                    request.head.starts_with("POST /v1/embeddings "),
                    "{}",
                    request.head
                );
                assert!(request.has_bearer("test-key"), "{}", request.head);
                let req = request.json();
                assert_eq!(req["model"], "mock-embed");
                let inputs: Vec<String> = serde_json::from_value(req["input"].clone()).unwrap();
                let (status, payload) = match mode.load(Ordering::SeqCst) {
                    FAIL => (
                        "500 Internal Server Error",
                        json!({"error": {"message": "down"}}),
                    ),
                    m => {
                        if m == SLOW {
                            tokio::time::sleep(Duration::from_secs(2)).await;
                        }
                        requests.lock().unwrap().push(inputs.clone());
                        // Reversed, with `index`: the client must put
                        // each vector back in its place.
                        let data: Vec<Value> = inputs
                            .iter()
                            .enumerate()
                            .rev()
                            .map(|(i, t)| {
                                json!({"object": "embedding", "index": i, "embedding": concept_vector(t)})
                            })
                            .collect();
                        ("200 OK", json!({"object": "list", "data": data}))
                    }
                };
                let response = json_response(status, "", &payload);
                if sock.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    })
    .await;
    Mock {
        addr: endpoint.addr,
        requests,
        mode,
        hits,
    }
}

/// A question no word of which reaches the warranty document, which the
/// dense side finds ("dark", "died" → broken; "gadget" → device). (Not
/// "went dark": retrieval reads "went" as "go", which the document's "go
/// dead" has.)
const PARAPHRASE: &str = "the screen is dark and my gadget died";

fn doc(title: &str, body: &str) -> KnowledgeDoc {
    KnowledgeDoc::new(title, body, vec![], now()).unwrap()
}

/// The knowledge base of these tests: one passage per document.
fn docs() -> Vec<KnowledgeDoc> {
    vec![
        doc(
            "Warranty repairs",
            "Devices that stop working, break down or go dead within two years are repaired free under warranty.",
        ),
        doc(
            "Screen care",
            "Clean the screen with a dry cloth. A scratched screen protector can be replaced.",
        ),
        doc(
            "Shipping times",
            "Orders ship within one day; the courier delivers in two to four days.",
        ),
        doc(
            "Payment methods",
            "Pay by card or PayPal. The card is charged when the order ships.",
        ),
        doc(
            "Opening hours",
            "Support answers from 9:00 to 21:00 every day.",
        ),
        doc(
            "Gift cards",
            "Gift cards never expire and can be combined with vouchers.",
        ),
        doc(
            "Account deletion",
            "Deleting an account removes its orders history after 30 days.",
        ),
    ]
}

async fn following(
    mock: &Mock,
) -> (
    TestDb,
    Arc<dyn KnowledgeRepository>,
    LiveIndex,
    tokio::task::JoinHandle<()>,
) {
    let db = TestDb::sqlite().await;
    let repo: Arc<dyn KnowledgeRepository> = Arc::new(db.store.clone());
    for d in docs() {
        repo.create_doc(&d).await.unwrap();
    }
    let index = LiveIndex::with_embeddings(Arc::new(Embedder::new(mock.config()).unwrap()));
    let task = index.follow(repo.clone(), Duration::from_millis(100));
    (db, repo, index, task)
}

/// Waits (at most 10 s) until the current index has its vectors.
async fn dense_ready(index: &LiveIndex) {
    let started = Instant::now();
    while !(index.is_ready() && index.current().has_dense()) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "dense vectors never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passages_are_embedded_in_batches_once_and_an_edit_re_embeds_only_itself() {
    let mock = mock().await;
    let (_db, repo, index, task) = following(&mock).await;
    dense_ready(&index).await;
    // 7 passages, 3 per request: 3 requests, each passage once.
    let batches = mock.batches();
    assert_eq!(
        batches
            .iter()
            .map(Vec::len)
            .collect::<Vec<_>>()
            .iter()
            .sum::<usize>(),
        7,
        "{batches:?}"
    );
    assert_eq!(batches.len(), 3, "{batches:?}");
    assert!(batches.iter().all(|b| b.len() <= 3));
    let first = index.current();

    // Edit one document: the next index re-embeds that passage only.
    let mut edited = repo.list_docs(None, 100).await.unwrap();
    let hours = edited
        .iter_mut()
        .find(|d| d.title == "Opening hours")
        .unwrap();
    hours.body = "Support answers from 8:00 to 22:00 every day.".into();
    hours.times.updated_at = now();
    repo.update_doc(hours).await.unwrap();
    let started = Instant::now();
    while Arc::ptr_eq(&first, &index.current()) || !index.current().has_dense() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "edit not followed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = mock.batches();
    assert_eq!(after.len(), 4, "one more request: {after:?}");
    assert_eq!(
        after[3],
        vec!["Opening hours\nSupport answers from 8:00 to 22:00 every day.".to_owned()]
    );
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fusion_finds_the_paraphrase_that_no_word_reaches() {
    let mock = mock().await;
    let (_db, _repo, index, task) = following(&mock).await;
    dense_ready(&index).await;
    let current = index.current();
    let config = OfflineConfig::default();

    // Lexically, "screen" is all that matches: the wrong document first,
    // and no answer from the right one.
    let lexical = current.search(PARAPHRASE, 3);
    assert_eq!(lexical[0].title, "Screen care", "{lexical:?}");
    assert!(!lexical.iter().any(|h| h.title == "Warranty repairs"));
    assert!(!matches!(
        answer(&current, PARAPHRASE, &config),
        Reply::Answer { ref title, .. } if title == "Warranty repairs"
    ));

    // With the question's vector the ranking mixes in the dense side.
    let vector = index.question_vector(&current, PARAPHRASE).await.unwrap();
    let fused = current.search_with(PARAPHRASE, Some(&vector), 3);
    assert_eq!(fused[0].title, "Warranty repairs", "{fused:?}");
    assert_eq!(fused[1].title, "Screen care", "{fused:?}");
    assert!(fused[0].confidence > fused[1].confidence);
    // The passage of a document the words did not reach is its best one.
    assert!(
        fused[0].passage.contains("repaired free"),
        "{}",
        fused[0].passage
    );
    match answer_with(&current, PARAPHRASE, Some(&vector), &config) {
        Reply::Answer { title, .. } => assert_eq!(title, "Warranty repairs"),
        other => panic!("expected the warranty answer, got {other:?}"),
    }

    // A question with nothing in common on either side is still not
    // answered.
    let off = "tell me a joke";
    let v = index.question_vector(&current, off).await.unwrap();
    assert!(matches!(
        answer_with(&current, off, Some(&v), &config),
        Reply::NoMatch { .. }
    ));
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_is_down_leaves_answers_lexical_until_it_is_back() {
    let mock = mock().await;
    mock.mode.store(FAIL, Ordering::SeqCst);
    let (_db, _repo, index, task) = following(&mock).await;
    let started = Instant::now();
    while !index.is_ready() {
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Served at once, lexically; the question is not even sent while the
    // passages have no vectors.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let current = index.current();
    assert!(!current.has_dense());
    assert!(mock.hits.load(Ordering::SeqCst) >= 1, "embedding was tried");
    assert!(index.question_vector(&current, PARAPHRASE).await.is_none());
    assert_eq!(current.search(PARAPHRASE, 1)[0].title, "Screen care");

    // Back up: a retry (spaced by `retry`) embeds the passages and the
    // dense side joins.
    mock.mode.store(OK, Ordering::SeqCst);
    dense_ready(&index).await;
    let current = index.current();
    let v = index.question_vector(&current, PARAPHRASE).await.unwrap();
    assert_eq!(
        current.search_with(PARAPHRASE, Some(&v), 1)[0].title,
        "Warranty repairs"
    );
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_or_slow_question_falls_back_at_once_and_the_breaker_stops_asking() {
    let mock = mock().await;
    let (_db, _repo, index, task) = following(&mock).await;
    dense_ready(&index).await;
    let current = index.current();

    // 500: no vector, the lexical answer.
    mock.mode.store(FAIL, Ordering::SeqCst);
    assert!(index.question_vector(&current, PARAPHRASE).await.is_none());

    // Slow (2 s) against a 300 ms timeout: back within the timeout.
    mock.mode.store(SLOW, Ordering::SeqCst);
    let started = Instant::now();
    assert!(index.question_vector(&current, PARAPHRASE).await.is_none());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_millis(1500),
        "{waited:?}"
    );

    // A third failure opens the breaker: the next question is not sent.
    mock.mode.store(FAIL, Ordering::SeqCst);
    assert!(index.question_vector(&current, PARAPHRASE).await.is_none());
    let sent = mock.hits.load(Ordering::SeqCst);
    mock.mode.store(OK, Ordering::SeqCst);
    let started = Instant::now();
    assert!(index.question_vector(&current, PARAPHRASE).await.is_none());
    assert!(started.elapsed() < Duration::from_millis(50));
    assert_eq!(mock.hits.load(Ordering::SeqCst), sent, "skipped while open");
    // The answer is the lexical one meanwhile.
    assert_eq!(
        current.search_with(PARAPHRASE, None, 1)[0].title,
        "Screen care"
    );
    task.abort();
}
