//! The assistant's retrieval, offered to the people who curate the
//! knowledge base: "which passages does this question find, and would the
//! assistant answer?", and "rebuild the index now".

use std::sync::Arc;

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::model::RetrievedPassage;
use chat_domain::ports::{KnowledgeRepository, KnowledgeSearch};
use tokio::sync::OnceCell;

use crate::knowledge::LiveIndex;
use crate::offline::OfflineConfig;

/// [`KnowledgeSearch`] over a [`LiveIndex`].
pub struct IndexSearch {
    index: LiveIndex,
    repo: Arc<dyn KnowledgeRepository>,
    offline: OfflineConfig,
    /// Without a running assistant nothing keeps the index filled: the first
    /// question loads it.
    loaded: OnceCell<()>,
}

impl IndexSearch {
    /// Over the index the assistant answers from (`following`: something,
    /// the assistant's `LiveIndex::follow`, already keeps it current).
    pub fn new(
        index: LiveIndex,
        repo: Arc<dyn KnowledgeRepository>,
        offline: OfflineConfig,
        following: bool,
    ) -> Self {
        let loaded = OnceCell::new();
        if following {
            let _ = loaded.set(());
        }
        Self {
            index,
            repo,
            offline,
            loaded,
        }
    }
}

#[async_trait]
impl KnowledgeSearch for IndexSearch {
    async fn retrieve(&self, question: &str, k: usize) -> DomainResult<Vec<RetrievedPassage>> {
        self.loaded
            .get_or_try_init(|| async { self.index.reload(self.repo.as_ref()).await.map(|_| ()) })
            .await?;
        // Following: the first build may still be under way (a question
        // right after start); wait for it rather than search nothing.
        let index = self.index.ready(crate::knowledge::READY_WAIT).await;
        let vector = self.index.question_vector(&index, question).await;
        let question = question.to_owned();
        let offline = self.offline.clone();
        let decision = tokio::task::spawn_blocking(move || {
            crate::offline::decide_with(&index, &question, vector.as_deref(), &offline)
        })
        .await
        .map_err(|e| chat_domain::DomainError::Internal(format!("search: {e}")))?;
        let answer = decision.answer;
        Ok(decision
            .hits
            .into_iter()
            .take(k)
            .enumerate()
            .map(|(i, hit)| RetrievedPassage {
                answers: answer == Some(i),
                doc_id: hit.doc_id,
                title: hit.title,
                passage: hit.passage,
                score: (hit.score * 1000.0).round() / 1000.0,
                confidence: (hit.confidence * 1000.0).round() / 1000.0,
            })
            .collect())
    }

    async fn reindex(&self) -> DomainResult<usize> {
        let n = self.index.reload(self.repo.as_ref()).await?;
        let _ = self.loaded.set(());
        Ok(n)
    }
}
