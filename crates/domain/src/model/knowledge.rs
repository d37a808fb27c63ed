use serde::Serialize;

use crate::ids::KnowledgeDocId;
use crate::time::{Timestamp, Timestamps};
use crate::{DomainError, DomainResult};

/// A knowledge-base document the assistant answers from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KnowledgeDoc {
    /// Identity.
    pub id: KnowledgeDocId,
    /// Title, shown as the source of an answer.
    pub title: String,
    /// The text (Markdown allowed).
    pub body: String,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Disabled documents are kept but not used for answers.
    pub enabled: bool,
    /// Creation and last change (`created_at`, `updated_at` on the wire).
    #[serde(flatten)]
    pub times: Timestamps,
}

/// A passage the assistant's retrieval found for a question: what the
/// knowledge-base page's "try a question" shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrievedPassage {
    /// The document it comes from.
    pub doc_id: KnowledgeDocId,
    /// Its title.
    pub title: String,
    /// The passage.
    pub passage: String,
    /// BM25 score.
    pub score: f64,
    /// Share of the question's weight the passage covers, 0–1.
    pub confidence: f64,
    /// Whether the offline assistant would answer with it (it is the best
    /// passage and clears the answer threshold).
    pub answers: bool,
}

impl KnowledgeDoc {
    /// Longest accepted title, in characters.
    pub const MAX_TITLE_CHARS: usize = 200;
    /// Largest accepted body, in bytes.
    pub const MAX_BODY_BYTES: usize = 256 * 1024;

    /// A new enabled document, validated.
    pub fn new(title: &str, body: &str, tags: Vec<String>, at: Timestamp) -> DomainResult<Self> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > Self::MAX_TITLE_CHARS {
            return Err(DomainError::invalid("title", "must be 1 to 200 characters"));
        }
        if body.trim().is_empty() || body.len() > Self::MAX_BODY_BYTES {
            return Err(DomainError::invalid(
                "body",
                "must be non-empty and at most 256 KiB",
            ));
        }
        Ok(Self {
            id: KnowledgeDocId::new(),
            title: title.to_owned(),
            body: body.to_owned(),
            tags,
            enabled: true,
            times: Timestamps::new(at),
        })
    }
}
