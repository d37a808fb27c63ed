//! Optional dense retrieval: passages and questions embedded by an
//! OpenAI-compatible `/embeddings` endpoint (DashScope `text-embedding-v4`
//! or any compatible one), the cosine ranking mixed with the lexical one
//! (see [`Fusion`]).
//!
//! - Every knowledge passage (its title and text) is embedded once: vectors
//!   are cached in memory under a hash of the model, the dimensions and the
//!   text, so rebuilding the index after an edit requests only the passages
//!   that changed. In memory because the vectors are derived data each node
//!   rebuilds in one batched pass at start (10,000 passages are ~1,000
//!   requests and ~40 MB at 1,024 dimensions), and keeping them across
//!   restarts would need a table on both databases or a file per node;
//! - the passages are requested in batches ([`EmbeddingsConfig::batch`]),
//!   a few at a time ([`EmbeddingsConfig::concurrency`]), in the background:
//!   the lexical index serves at once and the dense side joins when its
//!   vectors are in ([`crate::knowledge::LiveIndex`]);
//! - the question is embedded per query with a short timeout; on a failure,
//!   a timeout or an open breaker the answer is lexical only, never an
//!   error.
//!
//! Logs and metrics name the model and counts, never the key.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

/// How the dense similarity and the lexical confidence are mixed.
///
/// Both sides are put on a 0–1 scale and mixed linearly, so that the
/// answer thresholds ([`crate::offline::OfflineConfig`]) keep a meaning:
/// `confidence = (1 − weight) · lexical + weight · dense`, where `dense` is
/// the cosine above `floor` (what unrelated texts score with the model)
/// rescaled to 0–1. A rank fusion (RRF) would rank as well but leave no
/// score to decide "sure enough to answer" on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fusion {
    /// Share of the dense side, 0–1.
    pub weight: f64,
    /// Cosine similarity that counts as unrelated (0 on the dense scale).
    pub floor: f64,
}

impl Default for Fusion {
    fn default() -> Self {
        // The best overall dev hit@1 with all-MiniLM-L6-v2 (an English
        // model: English hit@1 0.778 → 0.878 at 0.3–0.5, Chinese falling
        // as the weight grows; docs/BENCHMARKS.md, "Fourth pass"). The
        // floor depends on the model: what its unrelated texts score.
        Self {
            weight: 0.3,
            floor: 0.2,
        }
    }
}

impl Fusion {
    /// A cosine similarity on the 0–1 dense scale.
    pub fn dense_scale(&self, cosine: f64) -> f64 {
        ((cosine - self.floor) / (1.0 - self.floor).max(f64::EPSILON)).clamp(0.0, 1.0)
    }

    /// The mixed confidence.
    pub fn mix(&self, lexical: f64, cosine: f64) -> f64 {
        let w = self.weight.clamp(0.0, 1.0);
        (1.0 - w) * lexical + w * self.dense_scale(cosine)
    }
}

/// The embeddings endpoint and how it is used. (`Debug` leaves the key
/// out.)
#[derive(Clone)]
pub struct EmbeddingsConfig {
    /// Base URL (`…/v1`), without `/embeddings`.
    pub base_url: String,
    /// API key (never logged).
    pub api_key: String,
    /// Model name, e.g. `text-embedding-v4`.
    pub model: String,
    /// Output dimensions, for models that take them (`None`: the model's).
    pub dimensions: Option<u32>,
    /// Longest wait for a question's vector before answering lexically.
    pub query_timeout: Duration,
    /// Longest wait for one batch of passages.
    pub batch_timeout: Duration,
    /// Passages per request (DashScope's `text-embedding-v4` takes 10).
    pub batch: usize,
    /// Batch requests in flight at once while indexing.
    pub concurrency: usize,
    /// Least time between two attempts to embed an index whose last
    /// attempt failed (the endpoint down).
    pub retry: Duration,
    /// How the rankings are mixed.
    pub fusion: Fusion,
}

impl std::fmt::Debug for EmbeddingsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddingsConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("model", &self.model)
            .field("dimensions", &self.dimensions)
            .field("query_timeout", &self.query_timeout)
            .field("batch_timeout", &self.batch_timeout)
            .field("batch", &self.batch)
            .field("concurrency", &self.concurrency)
            .field("retry", &self.retry)
            .field("fusion", &self.fusion)
            .finish()
    }
}

impl EmbeddingsConfig {
    /// Settings with the usual limits: 1 s per question, 30 s per batch,
    /// 10 passages per batch, 4 batches at once, a retry at most every
    /// 10 s, the default fusion.
    pub fn new(base_url: &str, api_key: &str, model: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            api_key: api_key.to_owned(),
            model: model.to_owned(),
            dimensions: None,
            query_timeout: Duration::from_secs(1),
            batch_timeout: Duration::from_secs(30),
            batch: 10,
            concurrency: 4,
            retry: Duration::from_secs(10),
            fusion: Fusion::default(),
        }
    }
}

/// Why vectors could not be had.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmbedError {
    /// The endpoint failed (connection, HTTP status, API error).
    #[error("embeddings endpoint unavailable: {0}")]
    Unavailable(String),
    /// No answer in time.
    #[error("embeddings endpoint timed out")]
    Timeout,
    /// The answer did not have one vector per input.
    #[error("unexpected embeddings response: {0}")]
    BadResponse(String),
    /// Skipped: recent questions failed and the breaker is open.
    #[error("embeddings skipped while the endpoint recovers")]
    CircuitOpen,
}

/// Question failures in a row that open the breaker, and for how long: an
/// endpoint that is down would otherwise add the full timeout to every
/// answer.
const BREAKER_FAILURES: u32 = 3;
const BREAKER_COOLDOWN: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

/// A unit-length vector.
pub type Vector = Arc<[f32]>;

/// The embeddings client with its passage cache.
pub struct Embedder {
    client: Client<OpenAIConfig>,
    config: EmbeddingsConfig,
    cache: Mutex<HashMap<u64, Vector>>,
    breaker: Mutex<Breaker>,
}

impl Embedder {
    /// Builds the client.
    pub fn new(config: EmbeddingsConfig) -> Result<Self, EmbedError> {
        let client = crate::provider::openai_client(
            &config.base_url,
            &config.api_key,
            Duration::from_secs(5),
            config.batch_timeout,
        )
        .map_err(|e| EmbedError::Unavailable(format!("http client: {e}")))?;
        Ok(Self {
            client,
            config,
            cache: Mutex::new(HashMap::new()),
            breaker: Mutex::new(Breaker::default()),
        })
    }

    /// The settings.
    pub fn config(&self) -> &EmbeddingsConfig {
        &self.config
    }

    /// Vectors cached so far.
    pub fn cached(&self) -> usize {
        self.lock_cache().len()
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Vector>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cache key: model, dimensions and text (a new model or a changed
    /// passage is a new key).
    fn key(&self, text: &str) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.config.model.hash(&mut h);
        self.config.dimensions.hash(&mut h);
        text.hash(&mut h);
        h.finish()
    }

    /// One request: a vector per input, in input order, unit length.
    async fn request(&self, inputs: &[String]) -> Result<Vec<Vector>, EmbedError> {
        let mut body = json!({
            "model": self.config.model,
            "input": inputs,
            "encoding_format": "float",
        });
        if let Some(d) = self.config.dimensions {
            body["dimensions"] = json!(d);
        }
        let response: Value = self
            .client
            .embeddings()
            .create_byot(body)
            .await
            .map_err(|e| EmbedError::Unavailable(e.to_string()))?;
        let data = response["data"]
            .as_array()
            .ok_or_else(|| EmbedError::BadResponse("no `data` array".into()))?;
        if data.len() != inputs.len() {
            return Err(EmbedError::BadResponse(format!(
                "{} vectors for {} inputs",
                data.len(),
                inputs.len()
            )));
        }
        let mut out: Vec<Option<Vector>> = vec![None; inputs.len()];
        for (pos, item) in data.iter().enumerate() {
            // `index` says which input a vector belongs to (providers may
            // reorder); without it, the order of the list.
            let i = item["index"]
                .as_u64()
                .map_or(pos, |i| usize::try_from(i).unwrap_or(usize::MAX));
            let values = item["embedding"]
                .as_array()
                .ok_or_else(|| EmbedError::BadResponse("an item without `embedding`".into()))?;
            let v: Vec<f32> = values
                .iter()
                .map(|x| x.as_f64().map(|x| x as f32))
                .collect::<Option<_>>()
                .ok_or_else(|| EmbedError::BadResponse("a non-numeric component".into()))?;
            let slot = out
                .get_mut(i)
                .ok_or_else(|| EmbedError::BadResponse(format!("index {i} out of range")))?;
            *slot = Some(normalized(v));
        }
        let out: Vec<Vector> = out
            .into_iter()
            .collect::<Option<_>>()
            .ok_or_else(|| EmbedError::BadResponse("an input without a vector".into()))?;
        if out.windows(2).any(|w| w[0].len() != w[1].len()) || out.iter().any(|v| v.is_empty()) {
            return Err(EmbedError::BadResponse("vectors of different sizes".into()));
        }
        Ok(out)
    }

    /// Vectors for `texts` (in order): cached ones from the cache, the rest
    /// requested in batches, a few at a time. Batches that succeed are
    /// cached even when another fails, so a retry asks only for the rest.
    pub async fn embed_all(&self, texts: &[String]) -> Result<Vec<Vector>, EmbedError> {
        let keys: Vec<u64> = texts.iter().map(|t| self.key(t)).collect();
        let missing: Vec<String> = {
            let cache = self.lock_cache();
            let mut seen = std::collections::HashSet::new();
            texts
                .iter()
                .zip(&keys)
                .filter(|(_, k)| !cache.contains_key(k) && seen.insert(**k))
                .map(|(t, _)| t.clone())
                .collect()
        };
        let started = Instant::now();
        let batches: Vec<Vec<String>> = missing
            .chunks(self.config.batch.max(1))
            .map(<[String]>::to_vec)
            .collect();
        let requests = batches.len();
        let results: Vec<Result<(), EmbedError>> = futures_util::stream::iter(batches)
            .map(|batch: Vec<String>| async move {
                let result = self.request(&batch).await;
                let outcome = if result.is_ok() { "ok" } else { "error" };
                metrics::counter!("ai_embeddings_requests_total", "kind" => "passages", "outcome" => outcome)
                    .increment(1);
                let vectors = result?;
                let mut cache = self.lock_cache();
                for (text, v) in batch.iter().zip(vectors) {
                    cache.insert(self.key(text), v);
                }
                Ok(())
            })
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;
        if requests > 0 {
            tracing::info!(
                model = %self.config.model,
                passages = texts.len(),
                embedded = missing.len(),
                requests,
                failed = results.iter().filter(|r| r.is_err()).count(),
                took = ?started.elapsed(),
                "knowledge passages embedded"
            );
        }
        if let Some(Err(e)) = results.into_iter().find(Result::is_err) {
            return Err(e);
        }
        let cache = self.lock_cache();
        keys.iter()
            .map(|k| cache.get(k).cloned())
            .collect::<Option<_>>()
            .ok_or_else(|| EmbedError::BadResponse("a passage missing from the cache".into()))
    }

    /// A question's vector, within [`EmbeddingsConfig::query_timeout`].
    /// Repeated failures open a breaker that skips the endpoint for a while.
    pub async fn embed_query(&self, text: &str) -> Result<Vector, EmbedError> {
        if self
            .lock_breaker()
            .open_until
            .is_some_and(|t| Instant::now() < t)
        {
            metrics::counter!("ai_embeddings_requests_total", "kind" => "question", "outcome" => "skipped")
                .increment(1);
            return Err(EmbedError::CircuitOpen);
        }
        let started = Instant::now();
        let input = [text.to_owned()];
        let result =
            match tokio::time::timeout(self.config.query_timeout, self.request(&input)).await {
                Ok(Ok(mut v)) => v.pop().ok_or(EmbedError::BadResponse("no vector".into())),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(EmbedError::Timeout),
            };
        let outcome = match &result {
            Ok(_) => "ok",
            Err(EmbedError::Timeout) => "timeout",
            Err(_) => "error",
        };
        metrics::counter!("ai_embeddings_requests_total", "kind" => "question", "outcome" => outcome)
            .increment(1);
        metrics::histogram!("ai_embeddings_question_seconds")
            .record(started.elapsed().as_secs_f64());
        let mut b = self.lock_breaker();
        match &result {
            Ok(_) => *b = Breaker::default(),
            Err(e) => {
                b.failures += 1;
                if b.failures >= BREAKER_FAILURES {
                    if b.open_until.is_none() {
                        tracing::warn!(error = %e, model = %self.config.model, "embeddings failing: answering lexically for a while");
                    }
                    b.open_until = Some(Instant::now() + BREAKER_COOLDOWN);
                } else {
                    tracing::debug!(error = %e, "question not embedded; lexical only");
                }
            }
        }
        result
    }
}

fn normalized(mut v: Vec<f32>) -> Vector {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v.into()
}

/// Dot product of two unit vectors (their cosine); 0 when their sizes
/// differ (vectors of another model).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    if a.len() != b.len() {
        return 0.0;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

/// The vectors of one index's passages.
#[derive(Clone, Debug)]
pub struct DenseVectors {
    /// For each passage, its document (index order).
    pub(crate) doc: Vec<u32>,
    /// For each passage, its vector.
    pub(crate) vectors: Vec<Vector>,
    /// How they mix with the lexical side.
    pub(crate) fusion: Fusion,
}

impl DenseVectors {
    /// Vectors for the passages of [`crate::knowledge::Index::passages`]
    /// (`docs[i]` is passage i's document).
    pub fn new(doc: Vec<u32>, vectors: Vec<Vector>, fusion: Fusion) -> Self {
        Self {
            doc,
            vectors,
            fusion,
        }
    }

    /// Per document, its best passage's cosine with `query` and which
    /// passage (its index among the document's passages); `None` for a
    /// document without vectors.
    pub(crate) fn best_per_doc(&self, query: &[f32], docs: usize) -> Vec<Option<(f64, usize)>> {
        let mut best: Vec<Option<(f64, usize)>> = vec![None; docs];
        let mut nth = vec![0usize; docs];
        for (d, v) in self.doc.iter().zip(&self.vectors) {
            let d = *d as usize;
            let Some(slot) = best.get_mut(d) else {
                continue;
            };
            let c = cosine(query, v);
            if slot.is_none_or(|(b, _)| c > b) {
                *slot = Some((c, nth[d]));
            }
            nth[d] += 1;
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_not_printed() {
        let c = EmbeddingsConfig::new("http://x/v1", "sk-secret-123", "m");
        assert!(!format!("{c:?}").contains("sk-secret-123"));
    }

    #[test]
    fn fusion_scales_the_cosine_above_the_floor() {
        let f = Fusion {
            weight: 0.5,
            floor: 0.2,
        };
        assert_eq!(f.dense_scale(0.1), 0.0);
        assert!((f.dense_scale(0.6) - 0.5).abs() < 1e-9);
        assert_eq!(f.dense_scale(1.2), 1.0);
        assert!((f.mix(0.4, 0.6) - 0.45).abs() < 1e-9);
        let lexical_only = Fusion {
            weight: 0.0,
            floor: 0.2,
        };
        assert!((lexical_only.mix(0.4, 0.9) - 0.4).abs() < 1e-9);
    }

    #[test]
    fn vectors_are_unit_length_and_foreign_sizes_do_not_match() {
        let v = normalized(vec![3.0, 4.0]);
        assert!((cosine(&v, &v) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&v, &[1.0, 0.0, 0.0]), 0.0);
    }

    #[test]
    fn the_best_passage_stands_for_its_document() {
        let a: Vector = normalized(vec![1.0, 0.0]);
        let b: Vector = normalized(vec![0.0, 1.0]);
        let c: Vector = normalized(vec![1.0, 1.0]);
        let d = DenseVectors::new(vec![0, 0, 1], vec![a, b, c], Fusion::default());
        let best = d.best_per_doc(&[0.0, 1.0], 3);
        assert_eq!(best[0].map(|(_, i)| i), Some(1));
        assert!((best[0].unwrap().0 - 1.0).abs() < 1e-6);
        assert!(best[2].is_none());
    }
}
