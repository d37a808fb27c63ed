//! The message log: every message is written here, in group commits.

use std::sync::Arc;
use std::time::Instant;

use chat_domain::events::Event;
use chat_domain::model::{AppendOutcome, Message, NewMessage};
use chat_domain::ports::{EventBus, Store};
use chat_domain::{DomainError, DomainResult};
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use metrics::Histogram;
use tokio::sync::{mpsc, oneshot};

use crate::logs::LogGate;

/// How many appends wait for the writer before callers feel back-pressure.
const QUEUE: usize = 8192;

/// A publish this slow delays every message queued behind it: worth a line.
const SLOW_PUBLISH: std::time::Duration = std::time::Duration::from_secs(1);

static NOT_PUBLISHED: LogGate = LogGate::new(std::time::Duration::from_secs(10));
static COMMIT_FAILED: LogGate = LogGate::new(std::time::Duration::from_secs(10));

struct Pending {
    message: NewMessage,
    reply: oneshot::Sender<DomainResult<AppendOutcome>>,
    /// When it was queued: its wait for the writer is a stage of its own.
    queued: Instant,
}

/// The writer's histograms (see docs/DEPLOYMENT.md, "Metrics"), each
/// measuring one stage of a message's way through the writer. Looked up
/// once per writer, not per record: a lookup hashes the name.
///
/// Names in [`STAGE_HISTOGRAMS`] get the finer buckets of a stage.
struct WriterMetrics {
    batch_size: Histogram,
    queue_wait: Histogram,
    commit: Histogram,
    publish_wait: Histogram,
    publish: Histogram,
}

impl WriterMetrics {
    fn new() -> Self {
        Self {
            batch_size: metrics::histogram!("message_commit_batch_size"),
            queue_wait: metrics::histogram!(QUEUE_WAIT),
            commit: metrics::histogram!(COMMIT),
            publish_wait: metrics::histogram!(PUBLISH_WAIT),
            publish: metrics::histogram!(PUBLISH),
        }
    }
}

/// From `append` to the start of the group commit that carries it.
const QUEUE_WAIT: &str = "message_queue_wait_seconds";
/// One group commit, alone.
const COMMIT: &str = "message_commit_duration_seconds";
/// A committed batch waiting for the previous batch's publish.
const PUBLISH_WAIT: &str = "message_publish_wait_seconds";
/// One batch's publish on the bus.
const PUBLISH: &str = "message_publish_duration_seconds";

/// The writer's per-stage latency histograms, by name: the server gives
/// them buckets fine enough for sub-millisecond stages.
pub const STAGE_HISTOGRAMS: &[&str] = &[QUEUE_WAIT, COMMIT, PUBLISH_WAIT, PUBLISH];

/// Appends messages through one writer task that commits whatever is queued
/// in one transaction (up to `max_batch`), then answers each caller and
/// publishes [`Event::MessageCreated`] for each newly stored message.
///
/// One transaction per message is what a database can do a few thousand
/// times a second; one per batch is what lets throughput grow with load,
/// while a lone message still commits at once (the writer never waits to
/// fill a batch). A message is acknowledged only after its commit.
///
/// With several writers, each conversation belongs to one of them (by its
/// id), so a conversation's messages are still committed and published in
/// the order they were appended, and two writers of a node never lock the
/// same conversation row. That lets a server database (MySQL) run several
/// group commits at once; SQLite has one write lock, so one writer is its
/// setting.
#[derive(Clone)]
pub struct MessageLog {
    writers: Arc<[mpsc::Sender<Pending>]>,
}

impl MessageLog {
    /// Starts one writer task on the current runtime.
    pub fn start(store: Arc<dyn Store>, bus: Arc<dyn EventBus>, max_batch: usize) -> Self {
        Self::start_with_writers(store, bus, max_batch, 1)
    }

    /// Starts `writers` writer tasks (at least one) on the current runtime,
    /// the conversations spread over them.
    pub fn start_with_writers(
        store: Arc<dyn Store>,
        bus: Arc<dyn EventBus>,
        max_batch: usize,
        writers: usize,
    ) -> Self {
        let writers: Vec<mpsc::Sender<Pending>> = (0..writers.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(QUEUE);
                tokio::spawn(writer(store.clone(), bus.clone(), rx, max_batch.max(1)));
                tx
            })
            .collect();
        Self {
            writers: writers.into(),
        }
    }

    /// Stores a message (or finds its earlier copy) and returns it with its
    /// sequence. Durable when this returns `Ok`.
    pub async fn append(&self, message: NewMessage) -> DomainResult<AppendOutcome> {
        let (reply, answer) = oneshot::channel();
        // UUIDv7: the low bits are random, so conversations spread evenly.
        let shard =
            (message.conversation_id.as_uuid().as_u128() % self.writers.len() as u128) as usize;
        self.writers[shard]
            .send(Pending {
                message,
                reply,
                queued: Instant::now(),
            })
            .await
            .map_err(|_| DomainError::Unavailable("message writer stopped".into()))?;
        answer
            .await
            .map_err(|_| DomainError::Unavailable("message writer stopped".into()))?
    }
}

/// One writer: commits what is queued, answers, publishes.
///
/// The publish of a batch overlaps the commit of the next one: on Redis a
/// publish is a network round trip, and waiting for it before the next
/// commit made every batch pay commit + publish in turn. The next batch's
/// events are published only once this one's publish has finished, so a
/// writer's events still go out in commit order. (On the in-process bus a
/// publish is done at its first poll: nothing changes there.)
async fn writer(
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    mut rx: mpsc::Receiver<Pending>,
    max_batch: usize,
) {
    let mut batch: Vec<Pending> = Vec::with_capacity(max_batch);
    let mut publishing: Option<BoxFuture<'static, ()>> = None;
    let stages = WriterMetrics::new();
    loop {
        let received = match publishing.as_mut() {
            // Waiting for messages drives the last batch's publish.
            Some(p) => tokio::select! {
                biased;
                () = p => None,
                n = rx.recv_many(&mut batch, max_batch) => Some(n),
            },
            None => Some(rx.recv_many(&mut batch, max_batch).await),
        };
        let Some(received) = received else {
            // Published: wait for the next messages alone.
            publishing = None;
            continue;
        };
        if received == 0 {
            break;
        }
        let taken = Instant::now();
        // The messages move to the commit (the store keeps them for its
        // transaction, no copy), the answers stay here.
        let (messages, replies): (Vec<NewMessage>, Vec<_>) = batch
            .drain(..)
            .map(|p| {
                stages
                    .queue_wait
                    .record(taken.saturating_duration_since(p.queued));
                (p.message, p.reply)
            })
            .unzip();
        stages.batch_size.record(messages.len() as f64);
        // A panicking commit must not end the writer (and every future
        // append): caught here, in place. (It ran on a task of its own
        // before: one more hand-off per batch, for the same protection.)
        // Timed when it ends, not when the join below does: the previous
        // publish it runs beside is a stage of its own.
        let commit = async {
            let begun = Instant::now();
            let results = std::panic::AssertUnwindSafe(store.append_messages(messages))
                .catch_unwind()
                .await;
            let committed = Instant::now();
            stages.commit.record(committed - begun);
            (results, committed)
        };
        let results = match publishing.take() {
            Some(p) => {
                let ((results, committed), ()) = futures_util::future::join(commit, p).await;
                // Answers and this batch's publish wait for the previous
                // publish (events go out in commit order).
                stages.publish_wait.record(committed.elapsed());
                results
            }
            None => commit.await.0,
        };
        let results =
            results.unwrap_or_else(|_| Err(DomainError::Internal("append panicked".into())));
        match results {
            Ok(results) => {
                let mut stored = Vec::new();
                for (reply, result) in replies.into_iter().zip(results) {
                    if let Ok(outcome) = &result
                        && !outcome.duplicate
                    {
                        // Shared with the answer, not copied.
                        stored.push(outcome.message.clone());
                    }
                    let _ = reply.send(result);
                }
                if !stored.is_empty() {
                    let timer = stages.publish.clone();
                    publishing = Some(publish(bus.clone(), stored, timer).boxed());
                }
            }
            Err(e) => {
                // An outage fails every batch: say so once in a while.
                if let Some(held_back) = COMMIT_FAILED.pass() {
                    tracing::warn!(error = %e, size = replies.len(), held_back, "group commit failed");
                }
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
    // The queue is closed: the last batch's events still go out.
    if let Some(p) = publishing {
        p.await;
    }
}

/// Publishes a batch's stored messages (one call to the bus for all), and
/// records how long that took in `took`.
async fn publish(bus: Arc<dyn EventBus>, stored: Vec<Arc<Message>>, took: Histogram) {
    let events: Vec<Event> = stored
        .into_iter()
        .map(|message| Event::MessageCreated { message })
        .collect();
    let count = events.len();
    let published = Instant::now();
    if let Err(e) = bus.publish_all(events).await {
        // Stored but not announced: subscribers find them by
        // sequence (gap) or on resume, from the database.
        if let Some(held_back) = NOT_PUBLISHED.pass() {
            tracing::warn!(error = %e, count, held_back, "messages stored but not published");
        }
    }
    let elapsed = published.elapsed();
    took.record(elapsed);
    if elapsed > SLOW_PUBLISH {
        tracing::warn!(
            took = ?elapsed,
            "publishing a batch was slow (the next one waits for it)"
        );
    }
}
