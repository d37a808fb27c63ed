//! `POST /api/v1/knowledge/try`: ask the assistant's index a question and
//! see which passages it retrieves, with their scores, and whether the
//! offline assistant would answer. For supervisors and admins tuning the
//! knowledge base (the console's knowledge page).
//!
//! It lives here rather than in `chat-admin` because it needs the running
//! assistant's index (`chat-ai`), and only the server crate knows both; it
//! reuses the admin crate's role check and error shape.

use actix_web::web;
use chat_admin::http::{ApiError, SupervisorUp};
use chat_ai::knowledge::LiveIndex;
use chat_ai::offline::{OfflineConfig, Reply, answer};
use chat_domain::DomainError;
use chat_domain::ids::KnowledgeDocId;
use serde::{Deserialize, Serialize};

/// Longest question accepted, in characters.
const MAX_QUESTION_CHARS: usize = 1000;
/// Passages shown.
const HITS: usize = 5;

/// The assistant's index and thresholds; `None` when the assistant is off.
#[derive(Clone)]
pub struct Probe {
    /// The index the assistant answers from (follows the knowledge base).
    pub index: LiveIndex,
    /// The offline assistant's answer thresholds.
    pub offline: OfflineConfig,
}

/// Body of `POST /knowledge/try`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryQuestion {
    /// The question, as a customer would ask it (1–1000 characters).
    pub question: String,
}

/// One retrieved passage.
#[derive(Serialize)]
pub struct TryHit {
    /// The document it comes from.
    pub doc_id: KnowledgeDocId,
    /// That document's title.
    pub title: String,
    /// The best-matching passage of the document.
    pub passage: String,
    /// BM25 score of the passage.
    pub score: f64,
    /// Share (0–1) of the question's weight the passage covers.
    pub confidence: f64,
}

/// Answer of `POST /knowledge/try`.
#[derive(Serialize)]
pub struct TryAnswer {
    /// The question, trimmed.
    pub question: String,
    /// Whether the offline assistant would answer (the best passage passes
    /// `CHAT_AI_MIN_SCORE` or covers the question); otherwise it offers a person.
    pub answered: bool,
    /// What the offline assistant would reply.
    pub reply: String,
    /// The best passages, best first (at most 5), one per document.
    pub hits: Vec<TryHit>,
}

/// Registers the route; call before the admin scope (which owns `/api/v1`).
pub fn configure(probe: Option<Probe>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(probe)).service(
            web::resource("/api/v1/knowledge/try")
                .route(web::post().to(try_question))
                .default_service(web::to(chat_admin::http::error::method_not_allowed)),
        );
    }
}

async fn try_question(
    _who: SupervisorUp,
    probe: web::Data<Option<Probe>>,
    body: web::Json<TryQuestion>,
) -> Result<web::Json<TryAnswer>, ApiError> {
    let question = body.into_inner().question.trim().to_owned();
    if question.is_empty() {
        return Err(DomainError::invalid("question", "must not be empty").into());
    }
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(DomainError::invalid(
            "question",
            format!("must be at most {MAX_QUESTION_CHARS} characters"),
        )
        .into());
    }
    let Some(probe) = probe.get_ref() else {
        return Err(DomainError::Conflict(
            "the assistant is off (CHAT_AI_PROVIDER=none): there is no index to ask".into(),
        )
        .into());
    };
    let index = probe.index.current();
    let reply = answer(&index, &question, &probe.offline);
    let hits = index
        .search(&question, HITS)
        .into_iter()
        .map(|h| TryHit {
            doc_id: h.doc_id,
            title: h.title,
            passage: h.passage,
            score: h.score,
            confidence: h.confidence,
        })
        .collect();
    Ok(web::Json(TryAnswer {
        answered: matches!(reply, Reply::Answer { .. }),
        reply: reply.text().to_owned(),
        question,
        hits,
    }))
}
