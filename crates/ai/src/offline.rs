//! The built-in assistant: answers from the knowledge base by retrieval.
//! No AI provider, no network: the embedded default.

use crate::knowledge::Index;
use crate::text::is_chinese;

/// When an answer is good enough.
#[derive(Clone, Debug)]
pub struct OfflineConfig {
    /// Least share of the question's own weight (IDF of its words) the best
    /// passage must cover.
    pub min_confidence: f64,
    /// Least BM25 score of the best passage (with the question's synonyms).
    pub min_score: f64,
    /// A passage covering at least this share of the question's own words is
    /// good enough whatever its score (small knowledge bases score low).
    pub full_cover: f64,
}

impl Default for OfflineConfig {
    fn default() -> Self {
        // Calibrated on the bundled FAQ: genuine questions score 4–55,
        // off-topic ones under 4 or nothing. Coverage alone separated them
        // less well there (synonyms carry much of the match), but in a small
        // knowledge base IDF keeps every score low, so a passage covering
        // most of the question's own words is accepted whatever its score.
        Self {
            min_confidence: 0.0,
            min_score: 5.0,
            full_cover: 0.6,
        }
    }
}

impl OfflineConfig {
    /// Whether the assistant answers with this (best) hit: a strong score,
    /// or (in a small knowledge base, where IDF keeps every score low) a
    /// passage that covers most of what was asked.
    pub fn accepts(&self, hit: &crate::knowledge::Hit) -> bool {
        hit.confidence >= self.min_confidence
            && (hit.score >= self.min_score || hit.confidence >= self.full_cover)
    }
}

/// What the assistant says.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// An answer from a document.
    Answer {
        /// The text, ending with its source.
        text: String,
        /// Which document it came from.
        title: String,
    },
    /// Nothing matched well: an apology and the offer of a person.
    NoMatch {
        /// The text.
        text: String,
    },
}

impl Reply {
    /// The text to send.
    pub fn text(&self) -> &str {
        match self {
            Reply::Answer { text, .. } | Reply::NoMatch { text } => text,
        }
    }
}

/// What the assistant found for a question and whether it answers.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The best documents, best first.
    pub hits: Vec<crate::knowledge::Hit>,
    /// Which of them it answers from (`None`: it does not answer).
    pub answer: Option<usize>,
}

/// Ranks the documents for a question and decides whether to answer (the
/// one decision behind [`answer`], the search API and the quality harness).
pub fn decide(index: &Index, question: &str, config: &OfflineConfig) -> Decision {
    let hits = index.search(question, 10);
    let answer = hits.first().filter(|h| config.accepts(h)).map(|_| 0);
    Decision { hits, answer }
}

/// Answers a question with the best passage, in the customer's language.
pub fn answer(index: &Index, question: &str, config: &OfflineConfig) -> Reply {
    let zh = is_chinese(question);
    let decision = decide(index, question, config);
    match decision.answer.map(|i| decision.hits[i].clone()) {
        Some(hit) => {
            let text = if zh {
                format!("{}\n\n（来源：{}）", hit.passage, hit.title)
            } else {
                format!("{}\n\n(Source: {})", hit.passage, hit.title)
            };
            Reply::Answer {
                text,
                title: hit.title,
            }
        }
        _ => Reply::NoMatch {
            text: if zh {
                "抱歉，我在帮助中心里没有找到这个问题的答案。您可以换个说法再问一次，或者回复“转人工”，我为您转接人工客服。".into()
            } else {
                "Sorry, I couldn't find an answer to that in our help center. You can rephrase the question, or type \"human\" and I'll connect you with a person.".into()
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_domain::model::KnowledgeDoc;
    use chat_domain::time::now;

    #[test]
    fn a_one_document_knowledge_base_still_answers() {
        let doc = KnowledgeDoc::new(
            "Opening hours",
            "Support answers from 9:00 to 21:00.",
            vec![],
            now(),
        )
        .unwrap();
        let index = Index::build(&[doc]);
        let config = OfflineConfig::default();
        assert!(matches!(
            answer(&index, "support opening hours?", &config),
            Reply::Answer { .. }
        ));
        assert!(matches!(
            answer(&index, "tell me a joke", &config),
            Reply::NoMatch { .. }
        ));
    }
}
