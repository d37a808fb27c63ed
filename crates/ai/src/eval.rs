//! The assistant's quality harness: loads an evaluation set (a knowledge
//! base, questions with the document that answers them or none, handoff
//! phrasings), runs the same decision the offline assistant makes, and
//! computes hit@1, hit@3, MRR, wrong-answer, off-topic and "I don't know"
//! rates, and handoff precision / recall, per language.
//!
//! Used by `cargo run -p chat-ai --example eval` (the report) and by
//! `crates/ai/tests/eval.rs` (the floors). The set lives in `crates/ai/eval/`
//! (see its README for the labelling rules). [`baseline`] is the floor every
//! retrieval change is measured against: BM25 over characters and
//! character pairs, no segmenter, no synonyms.

use std::collections::HashMap;

use chat_domain::ids::KnowledgeDocId;
use chat_domain::model::KnowledgeDoc;
use chat_domain::time::now;
use serde::Deserialize;

use crate::knowledge::Index;
use crate::offline::OfflineConfig;

/// A document of the evaluation knowledge base.
#[derive(Clone, Debug, Deserialize)]
pub struct EvalDoc {
    /// Stable key the questions refer to.
    pub key: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
}

/// A question and the document(s) that answer it.
#[derive(Clone, Debug, Deserialize)]
pub struct Question {
    /// What the customer wrote.
    pub q: String,
    /// The answering document, or `None` for an off-topic / unanswerable one.
    pub doc: Option<String>,
    /// Other documents that answer it as well.
    #[serde(default)]
    pub accept: Vec<String>,
    /// `zh`, `en` or `mixed`.
    pub lang: String,
    /// Free-form category (typo, colloquial, …).
    #[serde(default)]
    pub kind: String,
}

impl Question {
    /// True when `key` is a right answer.
    pub fn is_hit(&self, key: &str) -> bool {
        self.doc.as_deref() == Some(key) || self.accept.iter().any(|a| a == key)
    }
}

/// A handoff phrasing: does it ask for a person?
#[derive(Clone, Debug, Deserialize)]
pub struct HandoffCase {
    /// What the customer wrote.
    pub text: String,
    /// True when it asks for a person.
    pub human: bool,
    /// `zh`, `en` or `mixed`.
    pub lang: String,
    /// Free-form category.
    #[serde(default)]
    pub kind: String,
}

/// Errors reading the set.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file did not parse.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// The evaluation set of one split.
pub struct EvalSet {
    /// The knowledge base.
    pub docs: Vec<EvalDoc>,
    /// Questions.
    pub questions: Vec<Question>,
    /// Handoff phrasings.
    pub handoff: Vec<HandoffCase>,
}

fn read(path: &std::path::Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn jsonl<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<Vec<T>, EvalError> {
    read(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| EvalError::Parse {
                path: format!("{}:{}", path.display(), i + 1),
                message: e.to_string(),
            })
        })
        .collect()
}

/// The knowledge base split `split` is asked against: `kb.{split}.json` when
/// the folder has one, else the folder's `kb.json`. A writer may give the dev
/// split documents of its own (blind21–23 do), so that tuning on the dev
/// questions cannot learn the holdout's documents.
fn kb(dir: &std::path::Path, split: &str) -> Result<Vec<EvalDoc>, EvalError> {
    let own = dir.join(format!("kb.{split}.json"));
    let path = if own.exists() {
        own
    } else {
        dir.join("kb.json")
    };
    serde_json::from_str(&read(&path)?).map_err(|e| EvalError::Parse {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

impl EvalSet {
    /// Loads split `split` (`dev` or `holdout`) from `dir`.
    pub fn load(dir: &std::path::Path, split: &str) -> Result<Self, EvalError> {
        Ok(Self {
            docs: kb(dir, split)?,
            questions: jsonl(&dir.join(format!("questions.{split}.jsonl")))?,
            handoff: jsonl(&dir.join(format!("handoff.{split}.jsonl")))?,
        })
    }

    /// Loads split `split` from `dir` as far as it is there: `kb.json` is
    /// required, a missing questions or handoff file counts as empty, and
    /// `None` means the split has neither (an external set may hold only
    /// its holdout files).
    pub fn load_present(dir: &std::path::Path, split: &str) -> Result<Option<Self>, EvalError> {
        let optional = |name: String| -> Option<std::path::PathBuf> {
            let path = dir.join(name);
            path.exists().then_some(path)
        };
        let docs = kb(dir, split)?;
        let questions = optional(format!("questions.{split}.jsonl"));
        let handoff = optional(format!("handoff.{split}.jsonl"));
        if questions.is_none() && handoff.is_none() {
            return Ok(None);
        }
        Ok(Some(Self {
            docs,
            questions: questions
                .map(|p| jsonl(&p))
                .transpose()?
                .unwrap_or_default(),
            handoff: handoff.map(|p| jsonl(&p)).transpose()?.unwrap_or_default(),
        }))
    }

    /// The directory of the committed set.
    pub fn default_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval")
    }

    /// The documents as the store would hold them, with their keys.
    pub fn knowledge_docs(&self) -> Vec<(String, KnowledgeDoc)> {
        let at = now();
        self.docs
            .iter()
            .filter_map(|d| {
                KnowledgeDoc::new(&d.title, &d.body, vec![], at)
                    .ok()
                    .map(|k| (d.key.clone(), k))
            })
            .collect()
    }
}

/// What a retriever did with one question: the document keys it ranked
/// (best first) and the key it would answer from, if any.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Ranked document keys.
    pub ranked: Vec<String>,
    /// The document the assistant answers from (`None`: "I don't know").
    pub answered: Option<String>,
    /// When it does not answer: the documents it suggests instead.
    pub suggested: Vec<String>,
}

/// Retrieval figures for one group of questions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetrievalRow {
    /// Answerable questions.
    pub answerable: usize,
    /// Off-topic / unanswerable questions.
    pub off_topic: usize,
    /// Right document first.
    pub hit1: f64,
    /// Right document in the first three.
    pub hit3: f64,
    /// Mean reciprocal rank (first ten).
    pub mrr: f64,
    /// Answered from a wrong document, per answerable question.
    pub wrong: f64,
    /// "I don't know" per answerable question.
    pub idk: f64,
    /// Off-topic questions answered, per off-topic question.
    pub off_topic_answered: f64,
    /// Not answered, but the right document among the suggestions, per
    /// answerable question.
    pub suggested_right: f64,
    /// Off-topic questions given suggestions, per off-topic question.
    pub off_topic_suggested: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The language groups reported: each language, then all.
pub const LANGS: [&str; 4] = ["zh", "en", "mixed", "all"];

/// Retrieval figures per language group ([`LANGS`] order).
pub fn retrieval_rows(
    questions: &[Question],
    mut run: impl FnMut(&str) -> Outcome,
) -> Vec<(&'static str, RetrievalRow)> {
    let outcomes: Vec<Outcome> = questions.iter().map(|q| run(&q.q)).collect();
    LANGS
        .iter()
        .map(|lang| {
            let mut row = RetrievalRow::default();
            let (mut h1, mut h3, mut rr, mut wrong, mut idk, mut off) = (0, 0, 0.0, 0, 0, 0);
            let (mut sugg_right, mut off_sugg) = (0, 0);
            for (q, o) in questions.iter().zip(&outcomes) {
                if *lang != "all" && q.lang != *lang {
                    continue;
                }
                if q.doc.is_none() {
                    row.off_topic += 1;
                    off += usize::from(o.answered.is_some());
                    off_sugg += usize::from(!o.suggested.is_empty());
                    continue;
                }
                row.answerable += 1;
                if let Some(rank) = o.ranked.iter().take(10).position(|k| q.is_hit(k)) {
                    rr += 1.0 / (rank + 1) as f64;
                    h1 += usize::from(rank == 0);
                    h3 += usize::from(rank < 3);
                }
                match &o.answered {
                    None => {
                        idk += 1;
                        sugg_right += usize::from(o.suggested.iter().any(|k| q.is_hit(k)));
                    }
                    Some(k) if !q.is_hit(k) => wrong += 1,
                    Some(_) => {}
                }
            }
            row.hit1 = ratio(h1, row.answerable);
            row.hit3 = ratio(h3, row.answerable);
            row.mrr = if row.answerable == 0 {
                0.0
            } else {
                rr / row.answerable as f64
            };
            row.wrong = ratio(wrong, row.answerable);
            row.idk = ratio(idk, row.answerable);
            row.off_topic_answered = ratio(off, row.off_topic);
            row.suggested_right = ratio(sugg_right, row.answerable);
            row.off_topic_suggested = ratio(off_sugg, row.off_topic);
            (*lang, row)
        })
        .collect()
}

/// Handoff figures for one group of phrasings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HandoffRow {
    /// Phrasings that ask for a person.
    pub positives: usize,
    /// Phrasings that do not.
    pub negatives: usize,
    /// Of those recognized as requests, the share that are.
    pub precision: f64,
    /// Of the requests, the share recognized.
    pub recall: f64,
}

/// Handoff figures per language group ([`LANGS`] order).
pub fn handoff_rows(
    cases: &[HandoffCase],
    detect: impl Fn(&str) -> bool,
) -> Vec<(&'static str, HandoffRow)> {
    let said: Vec<bool> = cases.iter().map(|c| detect(&c.text)).collect();
    LANGS
        .iter()
        .map(|lang| {
            let (mut tp, mut fp, mut fneg, mut pos, mut neg) = (0, 0, 0, 0, 0);
            for (c, s) in cases.iter().zip(&said) {
                if *lang != "all" && c.lang != *lang {
                    continue;
                }
                if c.human {
                    pos += 1;
                } else {
                    neg += 1;
                }
                match (c.human, *s) {
                    (true, true) => tp += 1,
                    (false, true) => fp += 1,
                    (true, false) => fneg += 1,
                    (false, false) => {}
                }
            }
            (
                *lang,
                HandoffRow {
                    positives: pos,
                    negatives: neg,
                    // Nothing flagged is perfect precision, not zero.
                    precision: if tp + fp == 0 {
                        1.0
                    } else {
                        ratio(tp, tp + fp)
                    },
                    recall: if pos == 0 { 1.0 } else { ratio(tp, tp + fneg) },
                },
            )
        })
        .collect()
}

/// The offline assistant over an index of `docs`: its ranking and whether
/// (and from which document) it answers, through the same decision
/// [`crate::offline::answer`] makes.
pub struct Assistant {
    index: Index,
    config: OfflineConfig,
    keys: HashMap<KnowledgeDocId, String>,
}

impl Assistant {
    /// Indexes the documents.
    pub fn new(docs: &[(String, KnowledgeDoc)], config: OfflineConfig) -> Self {
        Self::with_weights(docs, crate::knowledge::Weights::default(), config)
    }

    /// Indexes the documents with other weights (to compare settings).
    pub fn with_weights(
        docs: &[(String, KnowledgeDoc)],
        weights: crate::knowledge::Weights,
        config: OfflineConfig,
    ) -> Self {
        let list: Vec<KnowledgeDoc> = docs.iter().map(|(_, d)| d.clone()).collect();
        Self {
            index: Index::build_with(&list, weights),
            config,
            keys: docs.iter().map(|(k, d)| (d.id, k.clone())).collect(),
        }
    }

    /// The index it answers from (to attach passage vectors to:
    /// [`Index::set_dense`]).
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// What the assistant does with `question`.
    pub fn run(&self, question: &str) -> Outcome {
        self.run_with(question, None)
    }

    /// The assistant's whole decision on `question` (lexical), to inspect
    /// its evidence.
    pub fn decide(&self, question: &str) -> crate::offline::Decision {
        crate::offline::decide_with(&self.index, question, None, &self.config)
    }

    /// The evaluation key of an indexed document.
    pub fn key(&self, id: &KnowledgeDocId) -> String {
        self.keys.get(id).cloned().unwrap_or_default()
    }

    /// What the assistant does with `question` given its vector (dense
    /// retrieval, when the index has passage vectors).
    pub fn run_with(&self, question: &str, vector: Option<&[f32]>) -> Outcome {
        let decision = crate::offline::decide_with(&self.index, question, vector, &self.config);
        let key = |id: &KnowledgeDocId| self.keys.get(id).cloned().unwrap_or_default();
        Outcome {
            ranked: decision.hits.iter().map(|h| key(&h.doc_id)).collect(),
            answered: decision.answer.map(|i| key(&decision.hits[i].doc_id)),
            suggested: decision
                .suggested
                .iter()
                .map(|i| key(&decision.hits[*i].doc_id))
                .collect(),
        }
    }
}

pub mod baseline {
    //! The floor: Okapi BM25 (k1 1.2, b 0.75) over one field (title and body
    //! together), Chinese as characters and character pairs, Latin as
    //! lowercased words; no segmenter, stemming, stop words or synonyms.

    use std::collections::HashMap;

    /// The baseline's tokens.
    pub fn tokens(text: &str) -> Vec<String> {
        crate::text::tokens_unfiltered(text)
    }

    /// A BM25 index over whole documents.
    pub struct Bm25 {
        docs: Vec<(String, HashMap<String, f64>, f64)>,
        df: HashMap<String, f64>,
        avg: f64,
    }

    impl Bm25 {
        /// Indexes `(key, text)` pairs.
        pub fn new(docs: &[(String, String)]) -> Self {
            let mut df: HashMap<String, f64> = HashMap::new();
            let docs: Vec<_> = docs
                .iter()
                .map(|(k, text)| {
                    let toks = tokens(text);
                    let mut tf: HashMap<String, f64> = HashMap::new();
                    for t in &toks {
                        *tf.entry(t.clone()).or_default() += 1.0;
                    }
                    for t in tf.keys() {
                        *df.entry(t.clone()).or_default() += 1.0;
                    }
                    (k.clone(), tf, toks.len() as f64)
                })
                .collect();
            let avg = docs.iter().map(|d| d.2).sum::<f64>() / docs.len().max(1) as f64;
            Self { docs, df, avg }
        }

        /// Document keys, best first (only those matching something).
        pub fn rank(&self, query: &str) -> Vec<String> {
            let n = self.docs.len() as f64;
            let mut q = tokens(query);
            q.sort();
            q.dedup();
            let mut scored: Vec<(f64, &str)> = self
                .docs
                .iter()
                .map(|(k, tf, len)| {
                    let s: f64 = q
                        .iter()
                        .filter_map(|t| {
                            let f = *tf.get(t)?;
                            let df = self.df.get(t).copied().unwrap_or(0.0);
                            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                            Some(idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * len / self.avg)))
                        })
                        .sum();
                    (s, k.as_str())
                })
                .filter(|(s, _)| *s > 0.0)
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            scored.into_iter().map(|(_, k)| k.to_owned()).collect()
        }
    }
}
