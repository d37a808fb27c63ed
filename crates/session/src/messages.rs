//! The message log: every message is written here, in group commits.

use std::sync::Arc;

use chat_domain::events::Event;
use chat_domain::model::{AppendOutcome, Message, NewMessage};
use chat_domain::ports::{EventBus, Store};
use chat_domain::{DomainError, DomainResult};
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
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
}

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
            .send(Pending { message, reply })
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
        // The messages move to the commit (they were copied: a body and
        // ids per message), the answers stay here.
        let (messages, replies): (Vec<NewMessage>, Vec<_>) =
            batch.drain(..).map(|p| (p.message, p.reply)).unzip();
        metrics::histogram!("message_commit_batch_size").record(messages.len() as f64);
        let started = std::time::Instant::now();
        // A panicking commit must not end the writer (and every future
        // append): caught here, in place. (It ran on a task of its own
        // before: one more hand-off per batch, for the same protection.)
        let commit = std::panic::AssertUnwindSafe(store.append_messages(&messages)).catch_unwind();
        let results = match publishing.take() {
            Some(p) => futures_util::future::join(commit, p).await.0,
            None => commit.await,
        };
        let results =
            results.unwrap_or_else(|_| Err(DomainError::Internal("append panicked".into())));
        metrics::histogram!("message_commit_duration_seconds")
            .record(started.elapsed().as_secs_f64());
        match results {
            Ok(results) => {
                let mut stored = Vec::new();
                for (reply, result) in replies.into_iter().zip(results) {
                    if let Ok(outcome) = &result
                        && !outcome.duplicate
                    {
                        stored.push(outcome.message.clone());
                    }
                    let _ = reply.send(result);
                }
                if !stored.is_empty() {
                    publishing = Some(publish(bus.clone(), stored).boxed());
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

/// Publishes a batch's stored messages (one call to the bus for all).
async fn publish(bus: Arc<dyn EventBus>, stored: Vec<Message>) {
    let events: Vec<Event> = stored
        .into_iter()
        .map(|message| Event::MessageCreated { message })
        .collect();
    let count = events.len();
    let published = std::time::Instant::now();
    if let Err(e) = bus.publish_all(events).await {
        // Stored but not announced: subscribers find them by
        // sequence (gap) or on resume, from the database.
        if let Some(held_back) = NOT_PUBLISHED.pass() {
            tracing::warn!(error = %e, count, held_back, "messages stored but not published");
        }
    }
    let took = published.elapsed();
    if took > SLOW_PUBLISH {
        tracing::warn!(
            ?took,
            "publishing a batch was slow (the next one waits for it)"
        );
    }
}
