//! The knowledge base as the assistant sees it: passages and a BM25 index.
//!
//! ~600 lines of code: the index, its scoring and its live refresh share
//! private state that splitting would have to expose.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use chat_domain::DomainResult;
use chat_domain::ids::KnowledgeDocId;
use chat_domain::model::KnowledgeDoc;
use chat_domain::ports::KnowledgeRepository;

use crate::dense::{DenseVectors, Embedder, Fusion};
use crate::text::{Kind, Token, analyze};

/// Longest answer excerpt (and passage), in characters: a few FAQ sentences.
const PASSAGE_CHARS: usize = 360;

/// Cuts text into sentences (Chinese and Latin end marks, line breaks),
/// keeping the marks, then packs sentences into passages (what a model is
/// given as context).
pub fn passages(body: &str) -> Vec<String> {
    let sentences = sentences(body);
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

/// A search result: one document, its score and the part of it that answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The document.
    pub doc_id: KnowledgeDocId,
    /// Its title (shown as the source).
    pub title: String,
    /// The sentences of the document that best match the question, in
    /// document order (what an answer quotes).
    pub passage: String,
    /// BM25F score of the document.
    pub score: f64,
    /// True when the document is written in Chinese (twins of one topic
    /// in two languages are not rivals for an answer).
    pub chinese: bool,
    /// The score relative to what the question could score at most (every
    /// one of its words matched strongly), 0–1: a threshold on it means the
    /// same in a knowledge base of ten documents or ten thousand.
    pub confidence: f64,
    /// True when the document shares a single English word with the
    /// question, that word is common in the knowledge base (in at least
    /// [`COMMON_DF`] documents) and not in the document's title: "what's
    /// your name" meets the Wi-Fi article on "name" alone. Too little to
    /// answer on. A word in this title and no other is enough when it is
    /// the question's only word (the evaluation set's rule: a single word
    /// is answerable when exactly one document is about it).
    pub thin: bool,
    /// How much of the question it accounts for.
    pub evidence: Evidence,
}

/// How much of a question a document accounts for, by its content words
/// (stop words dropped; a word counts when the document holds it, its
/// spelling correction or a synonym).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// The share of the question's content words, weighted by IDF (a word
    /// the index lacks weighs as the rarest), the document holds (0–1).
    pub coverage: f64,
    /// The IDF of the rarest question word the document holds, relative
    /// to the rarest possible (0–1): low when it shares only generic words.
    pub specific: f64,
    /// Whether a question word is in its title.
    pub title: bool,
    /// The share of the question's content words, weighted by IDF, its
    /// title holds (0–1): a question that names the document's topic.
    pub title_coverage: f64,
    /// How many question words it holds.
    pub words: usize,
    /// How many question words its title holds.
    pub title_words: usize,
    /// The most question words one sentence of its body holds: words that
    /// meet in a sentence are about one thing, words scattered over a
    /// long article ("time" here, "right" there) may be a coincidence.
    pub sentence_words: usize,
    /// The most question words one sentence and the title hold together.
    pub near_words: usize,
    /// For a question typed wholly in pinyin ([`crate::text::is_all_pinyin`]):
    /// the most of its syllable pairs ([`crate::text::Kind::Sound`], each
    /// counted once) one sentence of the body and the title hold together;
    /// 0 for any other question. Pinyin words are no vocabulary of the
    /// knowledge base, so [`Evidence::near_words`] cannot tell whether the
    /// question's words meet in the document: their sounds can.
    pub near_sounds: usize,
    /// How many content words the question has (the same for every
    /// document).
    pub asked: usize,
    /// The share of the question's content words, weighted by IDF, the
    /// index holds at all (the same for every document).
    pub known: f64,
    /// The share of the question's Chinese characters, weighted by IDF (a
    /// character no document has weighs as the rarest), the document
    /// holds (0–1; 0 without Chinese). Characters survive what breaks
    /// words: a homophone typo (推款 for 退款) loses one character, not the
    /// whole word. Reported for study (the eval example's `--dump`); the
    /// answer rule uses [`Evidence::chars_known`].
    pub chars: f64,
    /// The share of the question's Chinese characters, weighted by IDF,
    /// the index holds at all (the same for every document): a homophone
    /// typo is still a character the knowledge base uses, where the word
    /// it breaks is unknown.
    pub chars_known: f64,
    /// Whether [`Evidence::corroborated`] is required before answering: a
    /// question ranked by its words and characters alone (with dense
    /// retrieval the cosine carries the evidence).
    pub checked: bool,
}

impl Evidence {
    /// Whether the document's evidence holds together: most of the
    /// question (by IDF) is vocabulary the knowledge base uses, and either
    /// two of its words meet in this document or the one it shares is in
    /// the title. A single word met in passing ("I love you", spelled
    /// into "live" and met in a support article's "live chat"; "how do I
    /// track a flight" and a tracking title, flight being foreign to every
    /// document; 你喜欢什么颜色 and an exchange article's 颜色) is a
    /// coincidence, not an answer.
    ///
    /// The same rule in both languages. For Chinese, "vocabulary the
    /// knowledge base uses" is also measured by characters (the larger
    /// share counts): a homophone typo (推款, 停鸡) breaks a segmenter's
    /// word but keeps characters the documents use, while chit-chat and
    /// other businesses' questions (华为手机多少钱, 扫地机器人能爬楼梯吗)
    /// bring characters no document has.
    ///
    /// "Two words meet" means in one sentence of the body, or one in a
    /// sentence and one in the title (dec14, docs/BENCHMARKS.md, "The answer
    /// decision"): on knowledge bases nobody tuned on, off-topic English
    /// questions met two generic words scattered over a long article
    /// ("what time is it right now": *time* in one sentence, *right* in
    /// another), where a real question's words sit together.
    pub fn corroborated(&self) -> bool {
        self.known.max(self.chars_known) > 0.5
            && (self.near_words >= 2 || (self.words == 1 && self.title))
    }

    /// True when the question is short (at most [`SHORT_QUESTION`]
    /// content words) and one of them is a word no document has: in two or
    /// three words every word carries the topic, so a foreign one
    /// ("netflix", "pizza", "dyson") means the question is about something
    /// the knowledge base does not cover.
    pub fn short_and_foreign(&self) -> bool {
        self.asked <= SHORT_QUESTION && self.known < 1.0 - 1e-9
    }
}

/// Most content words of a question that [`Evidence::short_and_foreign`]
/// calls short.
pub const SHORT_QUESTION: usize = 3;

/// Documents a word must occur in to count as common (see [`Hit::thin`]).
pub const COMMON_DF: usize = 3;

/// How many of the first (lexical) documents the re-ranker reorders.
pub const RERANK_DEPTH: usize = 10;

/// How many features the re-ranker weighs.
pub const FEATURE_COUNT: usize = 25;

/// The re-ranker's features of a candidate document, in order. Scores are
/// relative (to the first candidate's, or to what the question could score
/// at most), so that one set of weights fits knowledge bases of any size.
pub const FEATURES: [&str; FEATURE_COUNT] = [
    "score/top",
    "confidence",
    "word/attainable",
    "char/attainable",
    "pair/attainable",
    "corrected/attainable",
    "synonym/attainable",
    "related/attainable",
    "answer_kind_lift",
    "coverage",
    "title_coverage",
    "specific",
    "words/asked",
    "sentence_words/asked",
    "near_words/asked",
    "chars",
    "title",
    "same_language",
    "ln(body_len/avg)",
    "1/rank",
    "thin",
    "first",
    "plain/top",
    "1/plain_rank",
    "plain_first",
];

/// Where the plain BM25's features are in [`FEATURES`].
const PLAIN_FEATURES: std::ops::Range<usize> = 22..25;

/// The re-ranker's weights ([`FEATURES`] order): a linear model trained
/// with a pairwise logistic loss on the committed evaluation sets
/// (`crates/ai/eval/train/`; docs/BENCHMARKS.md, "A learned re-ranker").
/// Trained on all thirteen sets (`rerank.py`'s final model); all zero
/// would keep the lexical order.
pub const RERANK: [f64; FEATURE_COUNT] = [
    3.77667,    // score/top
    1.47751,    // confidence
    3.05138,    // word/attainable
    7.62124,    // char/attainable
    10.8573,    // pair/attainable
    8.85289,    // corrected/attainable
    -3.93661,   // synonym/attainable
    2.27302,    // related/attainable
    6.24654,    // answer_kind_lift
    0.00607328, // coverage
    2.43702,    // title_coverage
    -0.336323,  // specific
    -0.187822,  // words/asked
    1.09668,    // sentence_words/asked
    1.42171,    // near_words/asked
    0.825632,   // chars
    0.491612,   // title
    -1.40347,   // same_language
    -0.252703,  // ln(body_len/avg)
    1.234,      // 1/rank
    0.144021,   // thin
    -0.401172,  // first
    0.0,        // plain/top
    0.0,        // 1/plain_rank
    0.0,        // plain_first
];

/// The re-ranker's weights for questions without a Latin letter
/// ([`FEATURES`] order): the same listwise model as [`RERANK`], trained on
/// those questions alone of the sixteen committed sets (`rerank.py --zh`),
/// with the plain character + pair BM25's view of each candidate
/// (`plain/top`, `1/plain_rank`, `plain_first`) among its features. On
/// short Chinese articles that plain ranking is often right where the
/// fielded one is not (docs/BENCHMARKS.md, "Chinese ranking against the
/// character + pair BM25"); as features it lets the model follow it where
/// the rest of the evidence agrees (docs/BENCHMARKS.md, "A re-ranker for
/// Chinese questions").
pub const RERANK_ZH: [f64; FEATURE_COUNT] = [
    2.46554,   // score/top
    3.7318,    // confidence
    -11.4685,  // word/attainable
    14.7692,   // char/attainable
    22.5917,   // pair/attainable
    0.0,       // corrected/attainable
    9.27389,   // synonym/attainable
    0.0,       // related/attainable
    7.95906,   // answer_kind_lift
    0.277186,  // coverage
    -0.110409, // title_coverage
    -0.12751,  // specific
    -0.23474,  // words/asked
    -0.058426, // sentence_words/asked
    0.43714,   // near_words/asked
    0.0539416, // chars
    0.513032,  // title
    -1.88191,  // same_language
    1.08632,   // ln(body_len/avg)
    0.980108,  // 1/rank
    -0.317351, // thin
    -0.430162, // first
    1.68294,   // plain/top
    0.591928,  // 1/plain_rank
    0.0733995, // plain_first
];

/// How the fields and token kinds count.
#[derive(Clone, Debug)]
pub struct Weights {
    /// Weight of a title occurrence against a body occurrence.
    pub title: f64,
    /// Length normalization of the title (BM25F `b`).
    pub b_title: f64,
    /// Length normalization of the body.
    pub b_body: f64,
    /// Term-frequency saturation (BM25 `k1`).
    pub k1: f64,
    /// Query weight of a word.
    pub word: f64,
    /// Query weight of a Chinese character pair.
    pub pair: f64,
    /// Query weight of a single Chinese character.
    pub char: f64,
    /// Query weight of a spelling correction (a word not in the index
    /// replaced by a near one that is).
    pub corrected: f64,
    /// Query weight of a synonym added by the lexicon.
    pub synonym: f64,
    /// Query weight of a Chinese character pair's sound (toneless pinyin),
    /// which stands in for the pair: a document counts the better of the
    /// two, so a homophone typo meets the word it stands for.
    pub sound: f64,
    /// Query weight of a topic word suggested by a situation the question
    /// describes ([`crate::related`]): "nothing at the door" → lost,
    /// stolen. Counted once per cue and document, by the best word.
    pub related: f64,
    /// Most documents, as a share of the index, a suggested topic word may
    /// be in: a word most articles use says nothing about which one the
    /// situation needs, and would only lift the longest.
    pub related_df: f64,
    /// Query weight, as a share of a word's, of a light word: a verb or
    /// noun of any request (take, go, need, thing, way) that a knowledge
    /// base uses so often in passing that its IDF makes it look like a
    /// topic ([`crate::text::is_light`]).
    pub light: f64,
    /// How much a question word the index has never seen lowers the
    /// confidence (as a share of a rare word's weight): colloquial filler
    /// should not sink an answer, an unknown topic should.
    pub unseen: f64,
    /// Lift of a document's score, as a share of it, when the sentence of
    /// it that holds most of the question's words also states the kind of
    /// fact the question asks for ([`crate::answer_kind`]: "how long" and
    /// a duration, "多少钱" and a price); in proportion to how much of the
    /// question that sentence holds against the document's best one. It
    /// only picks the first document ([`Index::search_with`]): the others
    /// keep the words' order, and a hit's score and confidence still
    /// measure the words.
    pub answer_kind: f64,
    /// The re-ranker's weights ([`FEATURES`] order; [`RERANK`] by
    /// default): each of the first [`RERANK_DEPTH`] documents is ordered
    /// by the weighted sum of its features.
    pub rerank: [f64; FEATURE_COUNT],
    /// The re-ranker's weights for questions without a Latin letter
    /// ([`RERANK_ZH`] by default).
    pub rerank_zh: [f64; FEATURE_COUNT],
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            title: 2.5,
            b_title: 0.3,
            b_body: 0.75,
            k1: 1.6,
            word: 1.0,
            pair: 0.5,
            char: 1.0,
            corrected: 0.7,
            synonym: 0.5,
            sound: 0.4,
            related: 0.5,
            related_df: 0.25,
            light: 0.5,
            unseen: 1.0,
            answer_kind: 0.2,
            rerank: RERANK,
            rerank_zh: RERANK_ZH,
        }
    }
}

/// A question's terms as [`Index::query_terms`] weighs them.
struct Query {
    /// Its own terms and spelling corrections, with their query weights.
    terms: Vec<(String, f64)>,
    /// Each term's [`Part`] (parallel to `terms`).
    term_parts: Vec<Part>,
    /// Each group's [`Part`] (parallel to `groups`).
    group_parts: Vec<Part>,
    /// Alternatives that count once per document, by the best one: the
    /// synonym groups it touches (index terms only, its own excluded) and
    /// each character pair with its sound; each term with its query weight.
    groups: Vec<Vec<(String, f64)>>,
    /// The pairs that went into `groups` (to pick the excerpt).
    pairs: Vec<(String, f64)>,
    /// What it could score at most (own words only).
    attainable: f64,
    /// Its content words, to measure how much of it a document covers.
    units: Vec<Unit>,
}

/// What kind of query term a score contribution comes from: the re-ranker
/// ([`rerank`]) weighs a document by how its score is made up, not only by
/// its total (a document met by synonyms and cue words alone is a hub, one
/// met by the question's own words is about it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Word,
    Char,
    /// A character pair, or its sound.
    Pair,
    Corrected,
    Synonym,
    Related,
}

/// How many [`Part`]s there are.
const PARTS: usize = 6;

/// A content word of a question (stop words dropped) and the index terms
/// that stand for it in a document: itself, its spelling correction, the
/// other words of its synonym groups.
struct Unit {
    text: String,
    /// Its IDF (a word the index lacks counts as the rarest).
    idf: f64,
    met_by: Vec<String>,
}

struct Doc {
    id: KnowledgeDocId,
    title: String,
    /// The title, tags and body, lower-cased once at build: what
    /// [`Index::mentions`] reads (a tag names a topic as much as the title
    /// does). One line per sentence, so no name is read across two.
    mention_text: String,
    sentences: Vec<String>,
    /// Each sentence's distinct tokens (to pick the excerpt quickly).
    sentence_terms: Vec<Vec<String>>,
    /// The kinds of fact each sentence states ([`crate::answer_kind`]).
    sentence_kinds: Vec<crate::answer_kind::Kinds>,
    /// The body cut into passages ([`passages`]): what is embedded for
    /// dense retrieval, and the answer when only the dense side found it.
    passages: Vec<String>,
    chinese: bool,
    title_len: f64,
    body_len: f64,
}

/// Where a term occurs: document, times in the title, times in the body.
#[derive(Clone, Copy)]
struct Posting {
    doc: u32,
    title: f32,
    body: f32,
}

/// A plain Okapi BM25 (k1 1.2, b 0.75) over one field, no stop words or
/// synonyms: a second opinion the re-ranker weighs for Chinese questions,
/// where on short articles it often ranks as well as the fielded index.
#[derive(Default)]
struct Plain {
    /// Token → (document, term frequency).
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// Each document's length in tokens.
    len: Vec<f64>,
    avg: f64,
}

impl Plain {
    fn add(&mut self, text: &str) {
        let doc = self.len.len() as u32;
        let tokens = crate::text::tokens_unfiltered(text);
        self.len.push(tokens.len() as f64);
        let mut tf: HashMap<String, f32> = HashMap::new();
        for t in tokens {
            *tf.entry(t).or_default() += 1.0;
        }
        for (t, f) in tf {
            self.postings.entry(t).or_default().push((doc, f));
        }
    }

    fn finish(&mut self) {
        self.avg = (self.len.iter().sum::<f64>() / self.len.len().max(1) as f64).max(1.0);
    }

    fn idf(&self, token: &str) -> f64 {
        let n = self.len.len() as f64;
        let df = self.postings.get(token).map_or(0, Vec::len) as f64;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// Every document's score for `query`.
    fn scores(&self, query: &str) -> Vec<f64> {
        let mut q = crate::text::tokens_unfiltered(query);
        q.sort();
        q.dedup();
        let mut out = vec![0.0; self.len.len()];
        for t in &q {
            let Some(list) = self.postings.get(t) else {
                continue;
            };
            let idf = self.idf(t);
            for (d, f) in list {
                let f = f64::from(*f);
                let norm = 0.25 + 0.75 * self.len[*d as usize] / self.avg;
                out[*d as usize] += idf * f * 2.2 / (f + 1.2 * norm);
            }
        }
        out
    }
}

/// An immutable BM25F index over enabled documents: title (and tags) and
/// body are separate fields with their own weight and length
/// normalization.
#[derive(Default)]
pub struct Index {
    docs: Vec<Doc>,
    postings: HashMap<String, Vec<Posting>>,
    /// Latin words of the index, for spelling correction.
    latin: Vec<String>,
    avg_title: f64,
    avg_body: f64,
    weights: Weights,
    /// A plain BM25 over characters, pairs and Latin words, one field.
    plain: Plain,
    /// The passages' vectors, once embedded (the index serves lexically
    /// until then).
    dense: OnceLock<DenseVectors>,
}

/// A field's length for BM25 normalization: its tokens but sounds (which
/// double the pairs).
fn length(tokens: &[Token]) -> f64 {
    tokens.iter().filter(|t| t.kind != Kind::Sound).count() as f64
}

/// Splits text into sentences (Chinese and Latin end marks, line breaks).
fn sentences(body: &str) -> Vec<String> {
    let mut out = Vec::new();
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
                out.push(s);
            }
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

impl Index {
    /// Builds the index (enabled documents only) with the default weights.
    pub fn build(docs: &[KnowledgeDoc]) -> Self {
        Self::build_with(docs, Weights::default())
    }

    /// Builds the index with the given weights.
    pub fn build_with(docs: &[KnowledgeDoc], weights: Weights) -> Self {
        let mut list = Vec::new();
        let mut tf: HashMap<String, Posting> = HashMap::new();
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut plain = Plain::default();
        for doc in docs.iter().filter(|d| d.enabled) {
            let n = list.len() as u32;
            tf.clear();
            let mut title_text = doc.title.clone();
            for t in &doc.tags {
                title_text.push(' ');
                title_text.push_str(t);
            }
            let title = analyze(&title_text);
            let body = analyze(&doc.body);
            let fields = title.iter().map(|t| (t, true));
            for (t, in_title) in fields.chain(body.iter().map(|t| (t, false))) {
                let p = tf.entry(t.text.clone()).or_insert(Posting {
                    doc: n,
                    title: 0.0,
                    body: 0.0,
                });
                if in_title {
                    p.title += 1.0;
                } else {
                    p.body += 1.0;
                }
            }
            for (term, p) in tf.drain() {
                postings.entry(term).or_default().push(p);
            }
            let sentences = sentences(&doc.body);
            let sentence_terms = sentences
                .iter()
                .map(|s| {
                    let mut t: Vec<String> = analyze(s).into_iter().map(|t| t.text).collect();
                    t.sort();
                    t.dedup();
                    t
                })
                .collect();
            let mut sentence_kinds: Vec<crate::answer_kind::Kinds> = sentences
                .iter()
                .map(|s| crate::answer_kind::stated(s))
                .collect();
            // A lead-in line ("Late charges:", "收费标准：") states what the
            // lines it introduces state.
            for k in (0..sentences.len().saturating_sub(1)).rev() {
                if sentences[k].ends_with([':', '：']) {
                    sentence_kinds[k] |= sentence_kinds[k + 1];
                }
            }
            plain.add(&format!("{title_text}\n{}", doc.body));
            list.push(Doc {
                id: doc.id,
                sentence_kinds,
                passages: passages(&doc.body),
                mention_text: std::iter::once(title_text.as_str())
                    .chain(sentences.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .to_lowercase(),
                title: doc.title.clone(),
                chinese: crate::text::is_chinese(&format!("{} {}", doc.title, doc.body)),
                sentences,
                sentence_terms,
                // Sounds double the pairs: not counted as length, so that
                // Chinese and English documents compare as before.
                title_len: length(&title),
                body_len: length(&body),
            });
        }
        let n = list.len().max(1) as f64;
        let mut latin: Vec<String> = postings
            .keys()
            .filter(|t| t.len() >= 3 && t.chars().all(|c| c.is_ascii_lowercase()))
            .cloned()
            .collect();
        latin.sort();
        plain.finish();
        Self {
            plain,
            avg_title: (list.iter().map(|d| d.title_len).sum::<f64>() / n).max(1.0),
            avg_body: (list.iter().map(|d| d.body_len).sum::<f64>() / n).max(1.0),
            docs: list,
            postings,
            latin,
            weights,
            dense: OnceLock::new(),
        }
    }

    /// The texts to embed for dense retrieval, one per passage (the
    /// document's title, then the passage; a document without a body is
    /// its title), and each one's document, in index order: what
    /// [`DenseVectors::new`] expects.
    pub fn passage_texts(&self) -> (Vec<String>, Vec<u32>) {
        let mut texts = Vec::new();
        let mut docs = Vec::new();
        for (i, d) in self.docs.iter().enumerate() {
            if d.passages.is_empty() {
                texts.push(d.title.clone());
                docs.push(i as u32);
            }
            for p in &d.passages {
                texts.push(format!("{}\n{p}", d.title));
                docs.push(i as u32);
            }
        }
        (texts, docs)
    }

    /// Attaches the passages' vectors (once; later calls are ignored).
    pub fn set_dense(&self, vectors: DenseVectors) {
        let _ = self.dense.set(vectors);
    }

    /// True once the passages' vectors are attached.
    pub fn has_dense(&self) -> bool {
        self.dense.get().is_some()
    }

    /// Number of documents indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// True when a document's title, tags or body names `name` (lower-case):
    /// a Latin name as a whole word ("ups" is not in "groups"), a Chinese
    /// one anywhere. Scans the text (lower-cased when the index was built),
    /// so it is for the rare question that names another company or topic
    /// ([`crate::offline::names_other_company`]), not for every question.
    pub fn mentions(&self, name: &str) -> bool {
        self.docs
            .iter()
            .any(|d| crate::text::holds_name(&d.mention_text, name))
    }

    /// The question's Latin content words (stemmed, stop words left out)
    /// that no document of the index holds and that correct to none it
    /// holds, nor meet through a synonym: a typing slip ("refnd") or a
    /// translated word ("invoice" for 发票) is not foreign, "sitting" in
    /// "你们有 pet sitting 服务吗" is. Letters only: a number or model code
    /// is no topic.
    pub fn foreign_latin_words(&self, question: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .query_terms(question)
            .units
            .into_iter()
            .filter(|u| u.met_by.is_empty() && u.text.chars().all(|c| c.is_ascii_lowercase()))
            .map(|u| u.text)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn idf_df(&self, df: usize) -> f64 {
        let n = self.docs.len() as f64;
        let df = df as f64;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// The nearest Latin word of the index to an unknown one (one edit for
    /// short words, two for long ones), preferring the commonest, with the
    /// same first letter: typing slips keep it (refnd, pasword, recieve),
    /// while a real word off the topic is often another word with one
    /// letter more in front (president / resident, elections / selection).
    fn correct(&self, word: &str) -> Option<&str> {
        let len = word.chars().count();
        // A four-letter word one letter away from another is usually
        // another word, not a slip (long / log, size / side, shoe / show).
        if len < 5 || !word.chars().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        let max = if len >= 8 { 2 } else { 1 };
        let first = word.as_bytes()[0];
        self.latin
            .iter()
            .filter(|w| w.len().abs_diff(word.len()) <= max && w.as_bytes()[0] == first)
            .filter_map(|w| {
                let d = edit_distance(word, w);
                (d <= max).then(|| (d, std::cmp::Reverse(self.postings[w].len()), w))
            })
            .min()
            .map(|(_, _, w)| w.as_str())
    }

    /// The weighted terms of a question: its own tokens, spelling
    /// corrections of unknown Latin words, and lexicon synonyms (at a low
    /// weight, so a generic document cannot win on synonyms alone). Returns
    /// the terms and the question's attainable score (own words only).
    fn query_terms(&self, query: &str) -> Query {
        let w = &self.weights;
        let mut terms: HashMap<String, f64> = HashMap::new();
        // The part of each term: that of its highest query weight.
        let mut parts: HashMap<String, Part> = HashMap::new();
        let mut attainable = 0.0;
        let mut units: Vec<Unit> = Vec::new();
        let mut own: Vec<Token> = analyze(query);
        own.sort();
        own.dedup();
        let mut sounds: Vec<(String, f64)> = Vec::new();
        let mut pairs: Vec<(String, f64)> = Vec::new();
        for t in &own {
            let qw = match t.kind {
                Kind::Word if crate::text::is_light(&t.text) => w.word * w.light,
                Kind::Word => w.word,
                Kind::Pair => w.pair,
                Kind::Char => w.char,
                Kind::Sound => {
                    // Not the question's own words: never in what it can
                    // score at most (a document that shares the
                    // characters scores as before).
                    if w.sound > 0.0 && self.postings.contains_key(&t.text) {
                        sounds.push((t.text.clone(), w.sound));
                    }
                    continue;
                }
            };
            let df = self.postings.get(&t.text).map_or(0, Vec::len);
            // A word the index has never seen counts as a rare one: the
            // question asks about something the documents may not cover.
            attainable += qw * self.idf_df(df.max(1)) * if df == 0 { w.unseen } else { 1.0 };
            let mut unit = (t.kind == Kind::Word).then(|| Unit {
                text: t.text.clone(),
                idf: self.idf_df(df.max(1)),
                met_by: Vec::new(),
            });
            if df > 0 && t.kind == Kind::Pair && w.sound > 0.0 {
                pairs.push((t.text.clone(), qw));
            } else if df > 0 {
                let e = terms.entry(t.text.clone()).or_default();
                if qw >= *e {
                    let part = if t.kind == Kind::Char {
                        Part::Char
                    } else {
                        Part::Word
                    };
                    parts.insert(t.text.clone(), part);
                }
                *e = e.max(qw);
                if let Some(u) = &mut unit {
                    u.met_by.push(t.text.clone());
                }
            } else if t.kind == Kind::Word
                && let Some(fix) = self.correct(&t.text)
            {
                let e = terms.entry(fix.to_owned()).or_default();
                if w.corrected >= *e {
                    parts.insert(fix.to_owned(), Part::Corrected);
                }
                *e = e.max(w.corrected);
                if let Some(u) = &mut unit {
                    u.met_by.push(fix.to_owned());
                }
            }
            units.extend(unit);
        }
        // Each pair with its sound; sounds of no pair of the question
        // (typed pinyin) alone.
        let mut groups: Vec<Vec<(String, f64)>> = Vec::new();
        for (pair, qw) in &pairs {
            let sound = crate::text::pair_sound(pair);
            let mut group = vec![(pair.clone(), *qw)];
            if let Some(i) = sounds.iter().position(|(s, _)| Some(s) == sound.as_ref()) {
                group.push(sounds.swap_remove(i));
            }
            groups.push(group);
        }
        for (sound, qw) in sounds {
            // A sound several pairs share is already in their groups.
            if !pairs
                .iter()
                .any(|(p, _)| crate::text::pair_sound(p).as_ref() == Some(&sound))
            {
                groups.push(vec![(sound, qw)]);
            }
        }
        let mut group_parts = vec![Part::Pair; groups.len()];
        let synonyms = crate::synonyms::expansion_groups(query)
            .into_iter()
            .map(|g| {
                // A question word of the group is met by the group's
                // other words too.
                for u in &mut units {
                    if g.contains(&u.text) || u.met_by.iter().any(|m| g.contains(m)) {
                        u.met_by
                            .extend(g.iter().filter(|m| self.postings.contains_key(*m)).cloned());
                    }
                }
                g.into_iter()
                    .filter(|t| {
                        self.postings.contains_key(t)
                            && !terms.contains_key(t)
                            && !pairs.iter().any(|(p, _)| p == t)
                    })
                    .map(|t| (t, w.synonym))
                    .collect::<Vec<_>>()
            })
            .filter(|g| !g.is_empty());
        groups.extend(synonyms);
        group_parts.resize(groups.len(), Part::Synonym);
        if w.related > 0.0 {
            let most = w.related_df * self.docs.len() as f64;
            for topics in crate::related::topics(query) {
                let mut group: Vec<(String, f64)> = topics
                    .into_iter()
                    .filter(|t| {
                        self.postings.get(t).is_some_and(|l| l.len() as f64 <= most)
                            && !terms.contains_key(t)
                    })
                    .map(|t| (t, w.related))
                    .collect();
                group.sort_by(|a, b| a.0.cmp(&b.0));
                group.dedup_by(|a, b| a.0 == b.0);
                if !group.is_empty() {
                    groups.push(group);
                    group_parts.push(Part::Related);
                }
            }
        }
        let terms: Vec<(String, f64)> = terms.into_iter().collect();
        let term_parts = terms
            .iter()
            .map(|(t, _)| parts.get(t).copied().unwrap_or(Part::Word))
            .collect();
        Query {
            terms,
            term_parts,
            group_parts,
            groups,
            pairs,
            attainable,
            units,
        }
    }

    /// BM25F contribution of `term` (query weight 1) to each document
    /// containing it.
    fn term_scores<'a>(&'a self, term: &str) -> impl Iterator<Item = (usize, f64)> + 'a {
        let w = &self.weights;
        let list = self.postings.get(term).map_or(&[][..], Vec::as_slice);
        let idf = self.idf_df(list.len());
        list.iter().map(move |p| {
            let d = &self.docs[p.doc as usize];
            let tf = w.title * f64::from(p.title)
                / (1.0 - w.b_title + w.b_title * d.title_len / self.avg_title)
                + f64::from(p.body) / (1.0 - w.b_body + w.b_body * d.body_len / self.avg_body);
            (p.doc as usize, idf * tf / (w.k1 + tf))
        })
    }

    /// The best `k` documents for a query, best first (lexical only).
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        self.search_with(query, None, k)
    }

    /// The best `k` documents for a query, best first. With the question's
    /// vector and the passages' vectors both at hand, each document's
    /// confidence mixes its lexical confidence with its best passage's
    /// cosine ([`Fusion`]), and its score is that mix; otherwise the
    /// ranking is lexical (BM25F score, confidence relative to what the
    /// question could score).
    ///
    /// Lexically, for a question with Latin letters, the first
    /// [`RERANK_DEPTH`] documents are then reordered by the learned
    /// re-ranker ([`Weights::rerank`]); each hit keeps its words' score and
    /// confidence, which the answer decision measures.
    pub fn search_with(&self, query: &str, vector: Option<&[f32]>, k: usize) -> Vec<Hit> {
        self.ranked_hits(query, vector, k, true).0
    }

    /// The first [`RERANK_DEPTH`] documents for `query` in the order before
    /// the re-ranker, each with its re-ranker features ([`FEATURES`]): what
    /// the re-ranker is trained on (the eval example's `--features`).
    pub fn candidates(&self, query: &str) -> Vec<(KnowledgeDocId, [f64; FEATURE_COUNT])> {
        let (hits, features) = self.ranked_hits(query, None, RERANK_DEPTH, false);
        hits.into_iter().map(|h| h.doc_id).zip(features).collect()
    }

    /// The best `k` documents, and (lexical ranking only) each one's
    /// re-ranker features; reordered by the re-ranker when `rerank` is set
    /// and its weights are not all zero.
    fn ranked_hits(
        &self,
        query: &str,
        vector: Option<&[f32]>,
        k: usize,
        rerank: bool,
    ) -> (Vec<Hit>, Vec<[f64; FEATURE_COUNT]>) {
        let query_terms = self.query_terms(query);
        let (terms, groups, attainable) = (
            &query_terms.terms,
            &query_terms.groups,
            query_terms.attainable,
        );
        let lexical = !(terms.is_empty() && groups.is_empty()) && attainable > 0.0;
        let dense = vector.and_then(|q| {
            let d = self.dense.get()?;
            Some((d.best_per_doc(q, self.docs.len()), d.fusion))
        });
        let scores = if lexical {
            self.lexical_scores(terms, groups)
        } else {
            vec![0.0; self.docs.len()]
        };
        // The lift orders the lexical ranking only (the fused one keeps
        // its own order), so it is not computed when dense is on.
        let lift = if dense.is_none() {
            self.answer_kind_lift(query, &query_terms, &scores)
        } else {
            Vec::new()
        };
        // (document, score, confidence)
        let mut ranked: Vec<(usize, f64, f64)> = match &dense {
            None if !lexical => return (Vec::new(), Vec::new()),
            None => scores
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, s)| *s > 0.0)
                .map(|(i, s)| (i, s * lift[i], (s / attainable).min(1.0)))
                .collect(),
            Some((best, fusion)) => scores
                .iter()
                .copied()
                .enumerate()
                .map(|(i, s)| {
                    let lex = if lexical {
                        (s / attainable).min(1.0)
                    } else {
                        0.0
                    };
                    let mixed = fusion.mix(lex, best[i].map_or(0.0, |(c, _)| c));
                    (i, mixed, mixed)
                })
                .filter(|(_, s, _)| *s > 0.0)
                .collect(),
        };
        let by_score = |a: &(usize, f64, f64), b: &(usize, f64, f64)| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.docs[a.0].id.cmp(&self.docs[b.0].id))
        };
        ranked.sort_by(by_score);
        if dense.is_none() && ranked.len() > 1 {
            // The answer-kind lift picks the first document only; the
            // others keep the words' order and every score stays the
            // words'. The answer decision's margin is taken over the next
            // hit: lifted scores, or a lifted runner-up, would widen it and
            // answer more (measured on the gate's sets). This way a
            // question the lift reorders has a rival that the words rank
            // higher, and is answered only as before or declined.
            for r in &mut ranked {
                r.1 = scores[r.0];
            }
            ranked[1..].sort_by(by_score);
        }
        // The re-ranker looks at the first RERANK_DEPTH whatever k is, so
        // that the first document does not depend on how many are asked for.
        let featured = dense.is_none();
        ranked.truncate(if featured { k.max(RERANK_DEPTH) } else { k });
        let order: Vec<usize> = ranked.iter().map(|r| r.0).collect();
        let best_passage = |i: usize| {
            dense
                .as_ref()
                .and_then(|(best, _)| best[i])
                .and_then(|(_, p)| self.docs[i].passages.get(p).cloned())
        };
        // A document the words did not reach: the passage the dense side
        // found.
        let checked = dense.is_none();
        let mut hits = self.hits(query, ranked, &query_terms, checked, |i| {
            (scores[i] <= 0.0).then(|| best_passage(i)).flatten()
        });
        if !featured {
            return (hits, Vec::new());
        }
        let latin = query.chars().any(|c| c.is_ascii_alphabetic());
        let model = if latin {
            &self.weights.rerank
        } else {
            &self.weights.rerank_zh
        };
        // The plain BM25 scores every document; skipped when the model in
        // use gives its features no weight (the Latin one), unless the
        // features are asked for themselves (training data).
        let plain = !rerank || model[PLAIN_FEATURES].iter().any(|w| *w != 0.0);
        let mut features = self.features(query, &query_terms, &order, &hits, &scores, &lift, plain);
        // Two models: trained on all questions, the one for Latin letters
        // raised English and mixed hit@1 in leave-one-set-out
        // cross-validation but moved wholly Chinese questions nothing
        // (docs/BENCHMARKS.md, "A learned re-ranker"); those have their
        // own, which also weighs the plain BM25's ranking.
        if rerank && model.iter().any(|w| *w != 0.0) {
            let value =
                |f: &[f64; FEATURE_COUNT]| -> f64 { f.iter().zip(model).map(|(x, w)| x * w).sum() };
            let mut paired: Vec<(Hit, [f64; FEATURE_COUNT])> =
                hits.into_iter().zip(features).collect();
            // Stable: equal model values keep the lexical order.
            paired.sort_by(|a, b| value(&b.1).total_cmp(&value(&a.1)));
            (hits, features) = paired.into_iter().unzip();
        }
        hits.truncate(k);
        features.truncate(k);
        (hits, features)
    }

    /// Each candidate's score split by the [`Part`] of the query terms it
    /// comes from (`docs`: the candidates' index positions).
    fn part_scores(&self, q: &Query, docs: &[usize]) -> Vec<[f64; PARTS]> {
        let mut out = vec![[0.0f64; PARTS]; docs.len()];
        let slot = |d: usize| docs.iter().position(|x| *x == d);
        for ((term, qw), part) in q.terms.iter().zip(&q.term_parts) {
            for (doc, s) in self.term_scores(term) {
                if let Some(k) = slot(doc) {
                    out[k][*part as usize] += qw * s;
                }
            }
        }
        // A group counts once per document, by its best member (as in
        // `lexical_scores`).
        for (group, part) in q.groups.iter().zip(&q.group_parts) {
            let mut best = vec![0.0f64; docs.len()];
            for (term, qw) in group {
                for (doc, s) in self.term_scores(term) {
                    if let Some(k) = slot(doc) {
                        best[k] = best[k].max(qw * s);
                    }
                }
            }
            for (o, b) in out.iter_mut().zip(best) {
                o[*part as usize] += b;
            }
        }
        out
    }

    /// The re-ranker's features ([`FEATURES`]) of the candidates `order`
    /// (index positions, lexical order) and their `hits`; `scores` are the
    /// words' scores, `lift` the answer-kind factors; the plain BM25's
    /// features are 0 unless `with_plain`.
    #[allow(clippy::too_many_arguments)] // one private call site
    fn features(
        &self,
        query: &str,
        q: &Query,
        order: &[usize],
        hits: &[Hit],
        scores: &[f64],
        lift: &[f64],
        with_plain: bool,
    ) -> Vec<[f64; FEATURE_COUNT]> {
        let parts = self.part_scores(q, order);
        let top = order
            .iter()
            .map(|i| scores[*i])
            .fold(0.0f64, f64::max)
            .max(f64::EPSILON);
        let attainable = q.attainable.max(f64::EPSILON);
        let zh = crate::text::is_chinese(query);
        let plain = if with_plain {
            self.plain.scores(query)
        } else {
            vec![0.0; self.docs.len()]
        };
        let plain_top = plain.iter().copied().fold(0.0f64, f64::max);
        order
            .iter()
            .zip(hits)
            .zip(parts)
            .enumerate()
            .map(|(rank, ((&i, h), p))| {
                let d = &self.docs[i];
                let e = &h.evidence;
                let asked = e.asked.max(1) as f64;
                let mut f = [0.0f64; FEATURE_COUNT];
                f[0] = scores[i] / top;
                f[1] = h.confidence;
                for (k, v) in p.iter().enumerate() {
                    f[2 + k] = v / attainable;
                }
                f[8] = lift.get(i).map_or(0.0, |l| l - 1.0);
                f[9] = e.coverage;
                f[10] = e.title_coverage;
                f[11] = e.specific;
                f[12] = e.words as f64 / asked;
                f[13] = e.sentence_words as f64 / asked;
                f[14] = e.near_words as f64 / asked;
                f[15] = e.chars;
                f[16] = f64::from(u8::from(e.title));
                f[17] = f64::from(u8::from(d.chinese == zh));
                f[18] = (d.body_len.max(1.0) / self.avg_body).ln();
                f[19] = 1.0 / (rank + 1) as f64;
                f[20] = f64::from(u8::from(h.thin));
                f[21] = f64::from(u8::from(rank == 0));
                let p = plain[i];
                if p > 0.0 {
                    f[22] = p / plain_top;
                    let above = plain.iter().filter(|x| **x > p).count();
                    f[23] = 1.0 / (above + 1) as f64;
                    f[24] = f64::from(u8::from(above == 0));
                }
                f
            })
            .collect()
    }

    /// Each document's score factor for the kind of fact the question asks
    /// for (1 for most): `1 + answer_kind · share`, where share is how much
    /// of the question (its own terms and character pairs, by query weight
    /// and IDF, as the excerpt weighs them) the best sentence stating that
    /// kind holds, against the document's best sentence. Near neighbours
    /// share a question's topic words; the one that answers "how long" says
    /// how long next to them. (Measured on question words alone, without
    /// the pairs, it moved nothing: Chinese questions meet their sentences
    /// in pairs more than in whole words.)
    fn answer_kind_lift(&self, query: &str, q: &Query, scores: &[f64]) -> Vec<f64> {
        let mut lift = vec![1.0; self.docs.len()];
        let w = self.weights.answer_kind;
        let asked = crate::answer_kind::asked(query);
        if w <= 0.0 || asked == 0 {
            return lift;
        }
        let own: Vec<(&String, f64)> = q
            .terms
            .iter()
            .chain(&q.pairs)
            .map(|(t, qw)| {
                (
                    t,
                    qw * self.idf_df(self.postings.get(t).map_or(1, Vec::len)),
                )
            })
            .collect();
        for (i, d) in self.docs.iter().enumerate() {
            if scores[i] <= 0.0 {
                continue;
            }
            let (mut best, mut stating) = (0.0f64, 0.0f64);
            for (seen, kinds) in d.sentence_terms.iter().zip(&d.sentence_kinds) {
                let held: f64 = own
                    .iter()
                    .filter(|(t, _)| seen.binary_search(t).is_ok())
                    .map(|(_, x)| x)
                    .sum();
                best = best.max(held);
                if kinds & asked != 0 {
                    stating = stating.max(held);
                }
            }
            if best > 0.0 {
                lift[i] += w * stating / best;
            }
        }
        lift
    }

    /// What the lexical score of the best `k` documents for `query` is
    /// made of: each term and group of the question (own terms,
    /// corrections, synonym and cue groups) and what it adds to each
    /// document. For studying rankings (the eval example's `--explain`).
    pub fn explain(&self, query: &str, k: usize) -> String {
        self.explain_with(query, k, &[])
    }

    /// [`Index::explain`], and also the documents `also` wherever they
    /// rank (when the first `k` lack them): where a right document the
    /// ranking missed lost. Each line starts with the document's rank.
    pub fn explain_with(&self, query: &str, k: usize, also: &[KnowledgeDocId]) -> String {
        use std::fmt::Write as _;
        let q = self.query_terms(query);
        let mut out = format!("{query}\n  attainable {:.2}\n", q.attainable);
        let ranked = self.search(query, self.docs.len());
        let shown = ranked
            .iter()
            .enumerate()
            .filter(|(rank, h)| *rank < k || also.contains(&h.doc_id));
        for (rank, hit) in shown {
            let Some(i) = self.docs.iter().position(|d| d.id == hit.doc_id) else {
                continue;
            };
            let _ = write!(
                out,
                "  #{} {:.2} (conf {:.2}) {}:",
                rank + 1,
                hit.score,
                hit.confidence,
                hit.title
            );
            for (t, qw) in &q.terms {
                if let Some((_, s)) = self.term_scores(t).find(|(d, _)| *d == i) {
                    let _ = write!(out, " {t}={:.2}", qw * s);
                }
            }
            for g in &q.groups {
                let best = g
                    .iter()
                    .filter_map(|(t, qw)| {
                        self.term_scores(t)
                            .find(|(d, _)| *d == i)
                            .map(|(_, s)| (t, qw * s))
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                if let Some((t, s)) = best {
                    let _ = write!(out, " [{t}]={s:.2}");
                }
            }
            out.push('\n');
        }
        out
    }

    /// BM25F scores of every document for the weighted terms and synonym
    /// groups of a question.
    fn lexical_scores(&self, terms: &[(String, f64)], groups: &[Vec<(String, f64)>]) -> Vec<f64> {
        let mut scores = vec![0.0f64; self.docs.len()];
        for (term, qw) in terms {
            for (doc, s) in self.term_scores(term) {
                scores[doc] += qw * s;
            }
        }
        // A group counts once per document, by its best member.
        let mut best = vec![0.0f64; self.docs.len()];
        for group in groups {
            best.iter_mut().for_each(|b| *b = 0.0);
            for (term, qw) in group {
                for (doc, s) in self.term_scores(term) {
                    best[doc] = best[doc].max(qw * s);
                }
            }
            for (s, b) in scores.iter_mut().zip(&best) {
                *s += b;
            }
        }
        scores
    }

    /// The hits for ranked `(document, score, confidence)` triples, with
    /// their excerpt (`passage(i)` when it has one for document i, else the
    /// sentences the terms match best).
    fn hits(
        &self,
        query: &str,
        ranked: Vec<(usize, f64, f64)>,
        query_terms: &Query,
        checked: bool,
        passage: impl Fn(usize) -> Option<String>,
    ) -> Vec<Hit> {
        let terms = &query_terms.terms[..];
        // The excerpt is picked by the question's own terms, pairs included.
        let own: Vec<(String, f64)> = terms.iter().chain(&query_terms.pairs).cloned().collect();
        let units = &query_terms.units;
        let total: f64 = units.iter().map(|u| u.idf).sum();
        let rarest = self.idf_df(1);
        let known: f64 = units
            .iter()
            .filter(|u| !u.met_by.is_empty())
            .map(|u| u.idf / total)
            .sum();
        let mut latin_words: Vec<String> = analyze(query)
            .into_iter()
            .filter(|t| t.kind == Kind::Word && t.text.is_ascii())
            .map(|t| t.text)
            .collect();
        latin_words.sort();
        latin_words.dedup();
        let latin_words = latin_words.len();
        let glyphs = self.glyphs(query);
        // A question all in pinyin: its syllable pairs the index has.
        let mut sounds: Vec<String> = if crate::text::is_all_pinyin(query) {
            analyze(query)
                .into_iter()
                .filter(|t| t.kind == Kind::Sound && self.postings.contains_key(&t.text))
                .map(|t| t.text)
                .collect()
        } else {
            Vec::new()
        };
        sounds.sort();
        sounds.dedup();
        ranked
            .into_iter()
            .map(|(i, score, confidence)| {
                let d = &self.docs[i];
                // (documents holding the word, whether this one's title does)
                let shared: Vec<(usize, bool)> = terms
                    .iter()
                    .filter(|(t, _)| t.chars().all(|c| c.is_ascii_alphanumeric()))
                    .filter_map(|(t, _)| {
                        let list = self.postings.get(t)?;
                        let p = list.iter().find(|p| p.doc as usize == i)?;
                        // Only this document's title: the word names its topic.
                        let titles = list.iter().filter(|p| p.title > 0.0).count();
                        Some((list.len(), p.title > 0.0 && titles == 1))
                    })
                    .collect();
                // A word only this title has carries a one-word question,
                // not one with other words the document lacks.
                let thin = !d.chinese
                    && matches!(shared[..], [(df, in_title)]
                        if df >= COMMON_DF && (!in_title || latin_words > 1));
                // (in the document, in its title) for a question word.
                let met = |u: &Unit| {
                    u.met_by.iter().fold((false, false), |(body, title), m| {
                        match self.postings.get(m).and_then(|l| {
                            l.binary_search_by_key(&(i as u32), |p| p.doc)
                                .ok()
                                .map(|k| l[k])
                        }) {
                            Some(p) => (true, title || p.title > 0.0),
                            None => (body, title),
                        }
                    })
                };
                let mut evidence = Evidence {
                    known,
                    checked,
                    ..Evidence::default()
                };
                glyphs.fill(i, &mut evidence);
                evidence.asked = units.len();
                // Question words met in each sentence, and in the title.
                let mut in_sentence = vec![0usize; d.sentence_terms.len()];
                let mut near = vec![0usize; d.sentence_terms.len()];
                for u in units {
                    let (inside, title) = met(u);
                    if inside {
                        for (k, seen) in d.sentence_terms.iter().enumerate() {
                            if u.met_by.iter().any(|m| seen.binary_search(m).is_ok()) {
                                in_sentence[k] += 1;
                                near[k] += 1;
                            } else if title {
                                near[k] += 1;
                            }
                        }
                        evidence.title_words += usize::from(title);
                        evidence.coverage += u.idf / total;
                        if title {
                            evidence.title_coverage += u.idf / total;
                        }
                        evidence.specific = evidence.specific.max(u.idf / rarest);
                        evidence.title |= title;
                        evidence.words += 1;
                    }
                }
                evidence.sentence_words = in_sentence.iter().copied().max().unwrap_or(0);
                evidence.near_words = near
                    .iter()
                    .copied()
                    .max()
                    .unwrap_or(0)
                    .max(evidence.title_words);
                if !sounds.is_empty() {
                    let titled = |t: &String| {
                        self.postings
                            .get(t)
                            .is_some_and(|l| l.iter().any(|p| p.doc as usize == i && p.title > 0.0))
                    };
                    let in_title = sounds.iter().filter(|t| titled(t)).count();
                    evidence.near_sounds = d
                        .sentence_terms
                        .iter()
                        .map(|seen| {
                            sounds
                                .iter()
                                .filter(|t| seen.binary_search(t).is_ok() || titled(t))
                                .count()
                        })
                        .max()
                        .unwrap_or(0)
                        .max(in_title);
                }
                Hit {
                    evidence,
                    thin,
                    doc_id: d.id,
                    title: d.title.clone(),
                    passage: passage(i).unwrap_or_else(|| self.excerpt(d, &own)),
                    score,
                    chinese: d.chinese,
                    confidence,
                }
            })
            .collect()
    }

    /// The sentences of `doc` that answer: the best-matching sentence and
    /// the one after it when it continues the same point (in document
    /// order), within [`PASSAGE_CHARS`].
    fn excerpt(&self, doc: &Doc, terms: &[(String, f64)]) -> String {
        if doc.sentences.is_empty() {
            return String::new();
        }
        let scored: Vec<f64> = doc
            .sentence_terms
            .iter()
            .map(|seen| {
                terms
                    .iter()
                    .filter(|(t, _)| seen.binary_search(t).is_ok())
                    .map(|(t, qw)| qw * self.idf_df(self.postings.get(t).map_or(1, Vec::len)))
                    .sum()
            })
            .collect();
        let best = (0..scored.len())
            .max_by(|a, b| scored[*a].total_cmp(&scored[*b]).then(b.cmp(a)))
            .unwrap_or(0);
        let mut picked = vec![best];
        let mut len = doc.sentences[best].chars().count();
        // The runner-up sentence, if it matches too and fits.
        let mut order: Vec<usize> = (0..scored.len()).filter(|i| *i != best).collect();
        order.sort_by(|a, b| scored[*b].total_cmp(&scored[*a]).then(a.cmp(b)));
        for i in order.into_iter().take(2) {
            let l = doc.sentences[i].chars().count();
            if scored[i] > 0.0 && len + l <= PASSAGE_CHARS {
                picked.push(i);
                len += l;
            }
        }
        // A short answer keeps its context: the sentence that follows.
        if len < 60 && best + 1 < doc.sentences.len() && !picked.contains(&(best + 1)) {
            picked.push(best + 1);
        }
        picked.sort_unstable();
        let mut out = String::new();
        for i in picked {
            let s = &doc.sentences[i];
            if !out.is_empty() && s.chars().next().is_none_or(|c| (c as u32) < 0x2E80) {
                out.push(' ');
            }
            out.push_str(s);
        }
        out
    }
}

/// A question's Chinese characters, to measure how much of it a document
/// and the index hold ([`Evidence::chars`], [`Evidence::chars_known`]).
struct Glyphs<'a> {
    /// Each character's IDF (one the index lacks weighs as the rarest) and
    /// the documents holding it (`None`: none does).
    items: Vec<(f64, Option<&'a [Posting]>)>,
    /// Their total IDF.
    total: f64,
}

impl Index {
    /// The question's Chinese characters (stop characters dropped).
    fn glyphs(&self, query: &str) -> Glyphs<'_> {
        let mut own: Vec<Token> = analyze(query)
            .into_iter()
            .filter(|t| t.kind == Kind::Char)
            .collect();
        own.sort();
        own.dedup();
        let items: Vec<(f64, Option<&[Posting]>)> = own
            .iter()
            .map(|t| {
                let list = self.postings.get(&t.text).map(Vec::as_slice);
                (self.idf_df(list.map_or(1, <[Posting]>::len).max(1)), list)
            })
            .collect();
        let total = items.iter().map(|(idf, _)| idf).sum();
        Glyphs { items, total }
    }
}

impl Glyphs<'_> {
    /// Fills `evidence`'s character shares for document `doc`.
    fn fill(&self, doc: usize, evidence: &mut Evidence) {
        if self.total <= 0.0 {
            return;
        }
        for (idf, list) in &self.items {
            let Some(list) = list else { continue };
            evidence.chars_known += idf / self.total;
            if list.binary_search_by_key(&(doc as u32), |p| p.doc).is_ok() {
                evidence.chars += idf / self.total;
            }
        }
    }
}

/// Levenshtein distance with adjacent transpositions (recieve / receive).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The live index: rebuilt from the knowledge base when it changes, so
/// edits take effect without a restart (on every node: each polls).
///
/// The first build ends a moment after the server starts listening (the
/// segmenter's dictionary and the documents load in the background): a
/// question that arrives before it waits for it ([`LiveIndex::ready`])
/// instead of being told "not sure" by an empty index.
///
/// With an embeddings endpoint ([`LiveIndex::with_embeddings`]), each new
/// index is served lexically at once and its passages are embedded in the
/// background; the dense side joins when all its vectors are in. An
/// endpoint that is down delays only that (retried at most every
/// [`EmbeddingsConfig::retry`](crate::dense::EmbeddingsConfig::retry)).
#[derive(Clone)]
pub struct LiveIndex {
    inner: Arc<RwLock<Arc<Index>>>,
    /// True once an index has been built or set.
    built: Arc<tokio::sync::watch::Sender<bool>>,
    dense: Option<Arc<DenseState>>,
}

/// The embeddings client and the background embedding's bookkeeping.
struct DenseState {
    embedder: Arc<Embedder>,
    /// One embedding run at a time.
    running: AtomicBool,
    /// When the last run started (to space retries).
    last_try: Mutex<Option<Instant>>,
}

impl Default for LiveIndex {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
            built: Arc::new(tokio::sync::watch::channel(false).0),
            dense: None,
        }
    }
}

/// How long a question waits for the first index at most: past it (the
/// knowledge base unreadable at start), the assistant answers from what it
/// has (nothing: it says it is not sure and offers a person).
pub const READY_WAIT: Duration = Duration::from_secs(10);

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

    /// An empty index whose passages are embedded by `embedder` for dense
    /// retrieval.
    pub fn with_embeddings(embedder: Arc<Embedder>) -> Self {
        Self {
            dense: Some(Arc::new(DenseState {
                embedder,
                running: AtomicBool::new(false),
                last_try: Mutex::new(None),
            })),
            ..Self::default()
        }
    }

    /// Replaces the index (and, with embeddings, starts embedding its
    /// passages in the background).
    pub fn replace(&self, index: Index) {
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
        self.built.send_replace(true);
        self.embed_soon(true);
    }

    /// Starts embedding the current index's passages unless its vectors
    /// are in, a run is under way, or (`now` false) the last try was less
    /// than the configured retry interval ago. Needs a tokio runtime (does nothing
    /// outside one).
    fn embed_soon(&self, now: bool) {
        let Some(state) = &self.dense else {
            return;
        };
        if self.current().has_dense() || state.running.load(Ordering::SeqCst) {
            return;
        }
        {
            let mut last = state.last_try.lock().unwrap_or_else(|p| p.into_inner());
            let retry = state.embedder.config().retry;
            if !now && last.is_some_and(|t| t.elapsed() < retry) {
                return;
            }
            *last = Some(Instant::now());
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if state.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let live = self.clone();
        let state = state.clone();
        runtime.spawn(async move {
            // Indexes replaced during a run are embedded in the next turn
            // (their unchanged passages come from the cache).
            loop {
                let index = live.current();
                if index.has_dense() || index.is_empty() {
                    break;
                }
                let (texts, docs) = index.passage_texts();
                match state.embedder.embed_all(&texts).await {
                    Ok(vectors) => {
                        let fusion: Fusion = state.embedder.config().fusion;
                        index.set_dense(DenseVectors::new(docs, vectors, fusion));
                        tracing::info!(passages = texts.len(), "dense retrieval ready");
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "knowledge passages not embedded; answering lexically until a retry succeeds");
                        break;
                    }
                }
                if Arc::ptr_eq(&index, &live.current()) {
                    break;
                }
            }
            state.running.store(false, Ordering::SeqCst);
        });
    }

    /// The question's vector for dense retrieval against `index`: `None`
    /// without embeddings, before `index` has its vectors (that also
    /// retries embedding them, spaced by the retry interval), or when the
    /// endpoint fails or is slow: the answer is then lexical.
    pub async fn question_vector(
        &self,
        index: &Index,
        question: &str,
    ) -> Option<crate::dense::Vector> {
        let state = self.dense.as_ref()?;
        if !index.has_dense() {
            self.embed_soon(false);
            return None;
        }
        state.embedder.embed_query(question).await.ok()
    }

    /// True once a first index is in place.
    pub fn is_ready(&self) -> bool {
        *self.built.borrow()
    }

    /// The current index, after waiting (at most `wait`) for the first one
    /// to be built.
    pub async fn ready(&self, wait: Duration) -> Arc<Index> {
        let mut built = self.built.subscribe();
        if tokio::time::timeout(wait, built.wait_for(|b| *b))
            .await
            .is_err()
        {
            tracing::warn!(
                waited = ?wait,
                "knowledge index still not built; answering without it"
            );
        }
        self.current()
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
                    // Unchanged; vectors that failed last time get another try.
                    live.embed_soon(false);
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
        newest: docs.iter().map(|d| d.times.updated_at).max(),
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
    fn the_plain_bm25_features_follow_the_character_pairs() {
        let index = index_of(&[
            ("充值", "余额充值支持微信和支付宝，最低 10 元。"),
            ("充值未到账", "付款成功但余额没变时，请等待五分钟后刷新。"),
            ("门店地址", "门店位于人民路一号。"),
        ]);
        let plain = index.plain.scores("充值没到账怎么办");
        assert!(plain[1] > plain[0] && plain[0] > 0.0, "{plain:?}");
        assert_eq!(plain[2], 0.0);
        let candidates = index.candidates("充值没到账怎么办");
        let f = |title: &str| {
            let i = index.docs.iter().position(|d| d.title == title).unwrap();
            candidates
                .iter()
                .find(|(id, _)| *id == index.docs[i].id)
                .map(|(_, f)| *f)
                .unwrap()
        };
        let (first, second) = (f("充值未到账"), f("充值"));
        // plain/top, 1/plain_rank, plain_first
        assert_eq!(&first[22..25], &[1.0, 1.0, 1.0]);
        assert!(second[22] > 0.0 && second[22] < 1.0);
        assert_eq!(&second[23..25], &[0.5, 0.0]);
    }

    #[test]
    fn chinese_and_latin_questions_take_their_own_model() {
        let docs = [
            ("充值", "余额充值支持微信和支付宝，最低 10 元。"),
            ("充值未到账", "付款成功但余额没变时，请等待五分钟后刷新。"),
        ];
        let build = |rerank: [f64; FEATURE_COUNT], rerank_zh: [f64; FEATURE_COUNT]| {
            let docs: Vec<KnowledgeDoc> = docs
                .iter()
                .map(|(t, b)| KnowledgeDoc::new(t, b, vec![], chat_domain::time::now()).unwrap())
                .collect();
            Index::build_with(
                &docs,
                Weights {
                    rerank,
                    rerank_zh,
                    ..Weights::default()
                },
            )
        };
        // A model that puts the plain BM25's last document first.
        let mut last = [0.0; FEATURE_COUNT];
        last[23] = -1.0;
        let first = |index: &Index, q: &str| index.search(q, 1)[0].title.clone();
        let lexical = build([0.0; FEATURE_COUNT], [0.0; FEATURE_COUNT]);
        let zh_only = build([0.0; FEATURE_COUNT], last);
        let latin_only = build(last, [0.0; FEATURE_COUNT]);
        let q = "充值没到账";
        let q_latin = "充值没到账 app";
        assert_eq!(first(&lexical, q), "充值未到账");
        assert_eq!(first(&zh_only, q), "充值");
        assert_eq!(first(&latin_only, q), "充值未到账");
        assert_eq!(first(&zh_only, q_latin), first(&lexical, q_latin));
        assert_ne!(first(&latin_only, q_latin), first(&lexical, q_latin));
    }

    fn index_of(docs: &[(&str, &str)]) -> Index {
        let docs: Vec<KnowledgeDoc> = docs
            .iter()
            .map(|(t, b)| {
                KnowledgeDoc::new(t, b, vec![], chat_domain::time::now()).unwrap_or_else(|e| {
                    panic!("{e}");
                })
            })
            .collect();
        Index::build(&docs)
    }

    #[test]
    fn foreign_latin_words_are_the_ones_no_document_holds_or_corrects_to() {
        let index = index_of(&[
            ("宠物寄养", "我们提供宠物寄养服务，refund 按天计算。"),
            ("Refunds", "A refund reaches your card within five days."),
        ]);
        // "sitting" and "pet" are foreign; a slip of a held word is not,
        // nor are stop words, numbers or the Chinese words.
        assert_eq!(
            index.foreign_latin_words("你们有 pet sitting 服务吗"),
            vec!["pet".to_owned(), "sit".to_owned()]
        );
        assert!(
            index
                .foreign_latin_words("refnd 要几天 for 3 cards")
                .is_empty()
        );
        assert!(index.foreign_latin_words("宠物寄养怎么收费").is_empty());
    }

    #[test]
    fn explain_shows_a_document_asked_for_wherever_it_ranks() {
        let index = index_of(&[
            ("Refunds", "A refund reaches your card within five days."),
            ("Refund timing", "Refund timing: five days to your card."),
            ("Passwords", "Reset your password; the refund desk cannot."),
        ]);
        let passwords = index.docs[2].id;
        let first = index.explain("refund card days", 1);
        assert!(first.contains("#1 "), "{first}");
        assert!(!first.contains("Passwords"), "{first}");
        let with = index.explain_with("refund card days", 1, &[passwords]);
        assert!(with.contains("#3 ") && with.contains("Passwords"), "{with}");
        // Term by term: the word that reached it.
        let line = with
            .lines()
            .find(|l| l.contains("Passwords"))
            .unwrap_or_default();
        assert!(line.contains("refund="), "{line}");
    }

    #[test]
    fn typos_are_corrected_but_off_topic_words_are_not_bent_onto_the_topic() {
        let index = index_of(&[
            (
                "Privacy",
                "EU residents can write to our data protection officer.",
            ),
            ("Exchanges", "Choose another colour from the selection."),
            ("Refunds", "A refund reaches your card within five days."),
            ("Passwords", "Reset your password from the sign-in page."),
            ("Charging", "The battery charges in two hours."),
        ]);
        // Slips inside a word: corrected.
        for (typo, word) in [
            ("refnd", "refund"),
            ("reufnd", "refund"),
            ("pasword", "password"),
            ("passwrd", "password"),
        ] {
            let stem = &analyze(typo)[0].text;
            assert_eq!(index.correct(stem), Some(word), "{typo}");
        }
        // Other words, one letter away at the front: left alone, so the
        // question does not meet a document it has nothing to do with.
        for other in [
            "president",
            "elections",
            "presidents",
            "discharges",
            "crefund",
            "xpassword",
        ] {
            let stem = &analyze(other)[0].text;
            assert_eq!(index.correct(stem), None, "{other} ({stem})");
        }
        assert!(index.search("who is the president", 3).is_empty());
        assert!(index.search("what about the elections", 3).is_empty());
    }

    #[test]
    fn a_generic_verb_does_not_reach_a_topic_through_the_lexicon() {
        let index = index_of(&[
            ("Privacy", "We never sell your personal data to anyone."),
            ("Phones we stock", "Android phones from three brands."),
        ]);
        // "sell" alone is not about privacy: the document holds the word,
        // but its title is not met through the privacy synonyms.
        let hits = index.search("do you sell iphones", 3);
        assert!(hits.iter().all(|h| !h.evidence.title), "{hits:?}");
        // Selling one's data is.
        let hits = index.search("do you sell my data", 3);
        assert!(
            hits.first()
                .is_some_and(|h| h.title == "Privacy" && h.evidence.title)
        );
    }

    #[test]
    fn a_homophone_typo_finds_the_word_it_sounds_like() {
        let docs: Vec<KnowledgeDoc> = [
            ("退款说明", "退款会在审核通过后三个工作日内原路返回。"),
            ("商品上新", "首页推荐的商品定期更新，款式很多。"),
            ("发票", "电子发票在订单完成后可以下载。"),
            ("修改密码", "在账号设置里可以修改登录密码。"),
            ("配送范围", "我们只配送中国大陆地区。"),
        ]
        .iter()
        .map(|(t, b)| KnowledgeDoc::new(t, b, vec![], chat_domain::time::now()).unwrap())
        .collect();
        let deaf = Index::build_with(
            &docs,
            Weights {
                sound: 0.0,
                ..Weights::default()
            },
        );
        let index = Index::build(&docs);
        // 推款 (for 退款) shares a character with each of the first two
        // documents; by ear it is the first one's word.
        let first = |index: &Index, q: &str| {
            let hits = index.search(q, 3);
            hits.first().map(|h| (h.title.clone(), h.score))
        };
        let (title, score) = first(&index, "推款几天到").unwrap();
        assert_eq!(title, "退款说明");
        let (_, deaf_score) = first(&deaf, "推款几天到").unwrap();
        assert!(score > deaf_score, "{score} / {deaf_score}");
        // Typed pinyin against the characters, and a question all in pinyin:
        // nothing in common with any document but the sound.
        for q in ["tui款几天到", "tui kuan ji tian dao"] {
            assert_eq!(
                first(&index, q).map(|h| h.0).as_deref(),
                Some("退款说明"),
                "{q}"
            );
        }
        assert!(deaf.search("tui kuan ji tian dao", 3).is_empty());
    }

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
