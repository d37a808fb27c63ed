//! The bundled bilingual FAQ (`data/faq.json`): demo content for a fresh
//! embedded install, and the test set behind the hit rates in
//! docs/BENCHMARKS.md.

use chat_domain::DomainResult;
use chat_domain::model::KnowledgeDoc;
use chat_domain::time::now;
use serde::Deserialize;

/// The file itself.
pub const FAQ_JSON: &str = include_str!("../data/faq.json");

#[derive(Deserialize)]
struct Faq {
    documents: Vec<Doc>,
}

#[derive(Deserialize)]
struct Doc {
    title: String,
    body: String,
    tags: Vec<String>,
}

/// The FAQ's documents, ready to store.
pub fn faq_documents() -> DomainResult<Vec<KnowledgeDoc>> {
    let faq: Faq = serde_json::from_str(FAQ_JSON)
        .map_err(|e| chat_domain::DomainError::Internal(format!("bundled FAQ: {e}")))?;
    let at = now();
    faq.documents
        .iter()
        .map(|d| KnowledgeDoc::new(&d.title, &d.body, d.tags.clone(), at))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundled_faq_parses() {
        assert_eq!(super::faq_documents().unwrap().len(), 44);
    }
}
