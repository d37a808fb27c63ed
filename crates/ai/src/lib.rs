//! # chat-ai
//!
//! The assistant that answers customers first.
//!
//! - [`text`]: one tokenizer for Chinese (jieba word segmentation,
//!   character pairs and characters) and English (lowercased words, Snowball
//!   stemming), with stop words;
//! - [`answer_kind`]: what kind of fact a question asks for (a time, an
//!   amount of money) and which sentences state one, a ranking feature;
//! - [`knowledge`]: documents cut into passages at sentence boundaries, a
//!   BM25 index over them that follows the knowledge base (reloaded when it
//!   changes), and search that returns the best passage per document with a
//!   confidence;
//! - [`dense`]: optional dense retrieval through an OpenAI-compatible
//!   embeddings endpoint (passages embedded once and cached, the question
//!   per query with a short timeout), mixed with the lexical ranking; the
//!   assistant answers lexically whenever it is not there;
//! - [`demo`]: the bundled bilingual FAQ (demo content and test set);
//! - [`eval`]: the quality harness (hit rates, wrong answers, handoff
//!   precision / recall on an evaluation set) and its BM25 baseline;
//! - [`handoff`]: recognizing "I want a person" in both languages;
//! - [`offline`]: the built-in assistant (no AI provider needed): answers with
//!   the best passage and its source title when sure; otherwise lists the
//!   closest titles ("did you mean…") and offers a person;
//! - [`provider`]: an OpenAI-compatible streaming provider (DashScope by
//!   default), tolerant of what compatible providers really send;
//! - [`responder`]: wires an assistant to conversations: streams each reply
//!   as deltas, stores exactly one final message (only if the conversation is
//!   still the assistant's at that moment), hands off on request or after
//!   repeated misses, and stops at once when an agent takes over;
//! - [`related`]: English situations and the topic words of the articles
//!   that handle them ("nothing at the door" → lost, stolen), a low-weight
//!   expansion for paraphrases that share no word with the article;
//! - [`search`]: the same retrieval for the back office ("which passages
//!   does this question find?", "rebuild the index now");
//! - `testing` (feature `test-support`): a local OpenAI-compatible endpoint
//!   for tests, this crate's and the server's.
//!
//! When the first question arrives before the first index is built (the
//! server opens its listener first), it waits for it
//! ([`knowledge::LiveIndex::ready`]).
//!
//! Examples: `cargo run -p chat-ai --example embedded_ai` runs the offline
//! assistant inside a minimal tokio program (SQLite in a temporary
//! directory, the in-process bus, the real conversation service as
//! `BotActions`, the bundled FAQ) and prints each answer and the question →
//! stored reply latency; `cargo run -p chat-ai --example eval` is the
//! quality report.
//!
//! The crate depends on `chat-domain` only: it acts through the
//! [`BotActions`](chat_domain::ports::BotActions) port and reads documents
//! through [`KnowledgeRepository`](chat_domain::ports::KnowledgeRepository).

pub mod answer_kind;
pub mod demo;
pub mod dense;
pub mod eval;
pub mod handoff;
pub mod knowledge;
pub mod offline;
pub mod provider;
pub mod related;
pub mod responder;
pub mod search;
pub mod synonyms;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod text;
