//! The knowledge base as the assistant sees it: passages and a BM25 index.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chat_domain::DomainResult;
use chat_domain::ids::KnowledgeDocId;
use chat_domain::model::KnowledgeDoc;
use chat_domain::ports::KnowledgeRepository;

use crate::text::tokens;

/// Longest passage, in characters: a few FAQ sentences.
const PASSAGE_CHARS: usize = 360;
/// BM25 parameters (the usual ones).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Title words count this many times: a title says what a document is about.
const TITLE_WEIGHT: usize = 2;

/// Cuts text into sentences (Chinese and Latin end marks, line breaks),
/// keeping the marks, then packs sentences into passages.
pub fn passages(body: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = body.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        current.push(*c);
        let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        let ends = matches!(c, '。' | '！' | '？' | '；' | '\n')
            || (matches!(c, '.' | '!' | '?' | ';') && next_is_space);
        if ends {
            let s = current.trim().to_owned();
            if !s.is_empty() {
                sentences.push(s);
            }
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current.trim().to_owned());
    }
    let mut out: Vec<String> = Vec::new();
    let mut buf = String::new();
    for s in sentences {
        if !buf.is_empty() && buf.chars().count() + s.chars().count() > PASSAGE_CHARS {
            out.push(std::mem::take(&mut buf));
        }
        if !buf.is_empty() && s.chars().next().is_none_or(|c| (c as u32) < 0x2E80) {
            buf.push(' ');
        }
        buf.push_str(&s);
    }
    if !buf.is_empty() {
        out.push(buf);
    }
    out
}

struct Passage {
    doc: KnowledgeDocId,
    title: String,
    text: String,
    tf: HashMap<String, u32>,
    len: usize,
}

/// A search result: the best passage of one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The document.
    pub doc_id: KnowledgeDocId,
    /// Its title (shown as the source).
    pub title: String,
    /// The best-matching passage.
    pub passage: String,
    /// BM25 score of that passage.
    pub score: f64,
    /// Share of the query's weight (IDF) this passage covers, 0–1: how much
    /// of what was asked it speaks about. Used as the answer threshold.
    pub confidence: f64,
}

/// An immutable BM25 index over the passages of enabled documents.
#[derive(Default)]
pub struct Index {
    passages: Vec<Passage>,
    df: HashMap<String, u32>,
    avg_len: f64,
}

impl Index {
    /// Builds the index (enabled documents only).
    pub fn build(docs: &[KnowledgeDoc]) -> Self {
        let mut passages = Vec::new();
        for doc in docs.iter().filter(|d| d.enabled) {
            let title_tokens = tokens(&doc.title);
            let tag_tokens: Vec<String> = doc.tags.iter().flat_map(|t| tokens(t)).collect();
            for text in passages_of(doc) {
                let mut tf: HashMap<String, u32> = HashMap::new();
                let body = tokens(&text);
                let mut len = body.len();
                for t in body {
                    *tf.entry(t).or_default() += 1;
                }
                for t in title_tokens.iter().chain(&tag_tokens) {
                    *tf.entry(t.clone()).or_default() += TITLE_WEIGHT as u32;
                    len += TITLE_WEIGHT;
                }
                passages.push(Passage {
                    doc: doc.id,
                    title: doc.title.clone(),
                    text,
                    tf,
                    len,
                });
            }
        }
        let mut df: HashMap<String, u32> = HashMap::new();
        for p in &passages {
            for t in p.tf.keys() {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let avg_len = if passages.is_empty() {
            1.0
        } else {
            passages.iter().map(|p| p.len as f64).sum::<f64>() / passages.len() as f64
        };
        Self {
            passages,
            df,
            avg_len,
        }
    }

    /// Number of passages indexed.
    pub fn len(&self) -> usize {
        self.passages.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.passages.is_empty()
    }

    fn idf(&self, term: &str) -> f64 {
        let n = self.passages.len() as f64;
        let df = f64::from(self.df.get(term).copied().unwrap_or(0));
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// The best `k` documents for a query, best first.
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        let mut own = crate::text::tokens_plain(query);
        own.sort();
        own.dedup();
        let mut terms = crate::text::query_tokens(query);
        terms.sort();
        terms.dedup();
        // Confidence is measured against the words the customer used, not
        // the synonyms added for recall.
        let total_idf: f64 = own.iter().map(|t| self.idf(t)).sum();
        if terms.is_empty() || total_idf <= 0.0 {
            return Vec::new();
        }
        let mut best: HashMap<KnowledgeDocId, (f64, f64, usize)> = HashMap::new();
        for (i, p) in self.passages.iter().enumerate() {
            let mut score = 0.0;
            let mut covered = 0.0;
            for t in &terms {
                let Some(&tf) = p.tf.get(t) else { continue };
                let idf = self.idf(t);
                let tf = f64::from(tf);
                score +=
                    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * p.len as f64 / self.avg_len));
                if own.binary_search(t).is_ok() {
                    covered += idf;
                }
            }
            if score > 0.0 {
                let entry = best.entry(p.doc).or_insert((0.0, 0.0, i));
                if score > entry.0 {
                    *entry = (score, (covered / total_idf).min(1.0), i);
                }
            }
        }
        let mut hits: Vec<Hit> = best
            .into_values()
            .map(|(score, confidence, i)| {
                let p = &self.passages[i];
                Hit {
                    doc_id: p.doc,
                    title: p.title.clone(),
                    passage: p.text.clone(),
                    score,
                    confidence,
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.doc_id.cmp(&b.doc_id))
        });
        hits.truncate(k);
        hits
    }
}

fn passages_of(doc: &KnowledgeDoc) -> Vec<String> {
    passages(&doc.body)
}

/// The live index: rebuilt from the knowledge base when it changes, so
/// edits take effect without a restart (on every node: each polls).
#[derive(Clone, Default)]
pub struct LiveIndex {
    inner: Arc<RwLock<Arc<Index>>>,
}

/// What the index was built from, to notice changes cheaply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Fingerprint {
    count: usize,
    newest: Option<chat_domain::time::Timestamp>,
    ids: u64,
}

impl LiveIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current index (cheap: shares it).
    pub fn current(&self) -> Arc<Index> {
        self.inner.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the index.
    pub fn replace(&self, index: Index) {
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
    }

    /// Loads every document and rebuilds the index.
    pub async fn reload(&self, repo: &dyn KnowledgeRepository) -> DomainResult<usize> {
        let docs = load_all(repo).await?;
        let index = tokio::task::spawn_blocking(move || Index::build(&docs))
            .await
            .map_err(|e| chat_domain::DomainError::Internal(format!("index build: {e}")))?;
        let n = index.len();
        self.replace(index);
        Ok(n)
    }

    /// Keeps the index in step with the knowledge base: checks every
    /// `period` and rebuilds when documents were added, changed or removed.
    pub fn follow(
        &self,
        repo: Arc<dyn KnowledgeRepository>,
        period: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let live = self.clone();
        tokio::spawn(async move {
            // Loading the segmenter's dictionary is ~100 ms of CPU: on the
            // blocking pool, or it would stall a runtime worker (and every
            // task queued on it) while the server starts.
            let _ = tokio::task::spawn_blocking(crate::text::warm_up).await;
            let mut seen: Option<Fingerprint> = None;
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                let docs = match load_all(repo.as_ref()).await {
                    Ok(d) => d,
                    Err(e) => {
                        tracing::warn!(error = %e, "knowledge base not readable; keeping the current index");
                        continue;
                    }
                };
                let print = fingerprint(&docs);
                if seen.as_ref() == Some(&print) {
                    continue;
                }
                let built = tokio::task::spawn_blocking(move || Index::build(&docs)).await;
                match built {
                    Ok(index) => {
                        tracing::info!(passages = index.len(), "knowledge index rebuilt");
                        live.replace(index);
                        seen = Some(print);
                    }
                    Err(e) => tracing::warn!(error = %e, "knowledge index build failed"),
                }
            }
        })
    }
}

fn fingerprint(docs: &[KnowledgeDoc]) -> Fingerprint {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for d in docs {
        d.id.hash(&mut h);
        d.enabled.hash(&mut h);
    }
    Fingerprint {
        count: docs.len(),
        newest: docs.iter().map(|d| d.updated_at).max(),
        ids: h.finish(),
    }
}

async fn load_all(repo: &dyn KnowledgeRepository) -> DomainResult<Vec<KnowledgeDoc>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = repo.list_docs(after, 1000).await?;
        let done = page.len() < 1000;
        after = page.last().map(|d| d.id);
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_respect_sentence_ends_in_both_languages() {
        let p = passages("第一句。第二句！Third one. Fourth? 1.5 kg stays whole.");
        assert_eq!(p.len(), 1);
        let long: String = "这是一个很长的句子，用来测试分段。".repeat(40);
        let parts = passages(&long);
        assert!(parts.len() > 1);
        assert!(
            parts.iter().all(|p| p.ends_with('。')),
            "cut only at sentence ends"
        );
        assert!(parts.iter().all(|p| p.chars().count() <= PASSAGE_CHARS));
    }
}
