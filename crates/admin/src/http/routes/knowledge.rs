//! Knowledge base administration (supervisors and admins): documents CRUD
//! and bulk import. The assistant's index follows these changes by itself.

use actix_web::{HttpResponse, web};
use chat_domain::DomainError;
use chat_domain::ids::KnowledgeDocId;
use chat_domain::model::KnowledgeDoc;
use chat_domain::ports::{KnowledgeSearch, Store};
use chat_domain::time::now;
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, method_not_allowed};
use crate::http::extract::SupervisorUp;
use crate::http::trail::AuditTrail;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path| web::resource(path).default_service(web::to(method_not_allowed));
    cfg.service(
        resource("/knowledge")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(resource("/knowledge/import").route(web::post().to(import)))
    .service(resource("/knowledge/search").route(web::get().to(search)))
    .service(resource("/knowledge/reindex").route(web::post().to(reindex)))
    .service(
        resource("/knowledge/{id}")
            .route(web::get().to(detail))
            .route(web::put().to(replace))
            .route(web::delete().to(delete)),
    );
}

const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
const MAX_TAG_CHARS: usize = 50;
/// Longest document body a request may bring, in characters: with the
/// longest title and tags it still fits in the default request-body limit
/// (`CHAT_MAX_BODY_BYTES`, 64 KiB) as plain text, so that what the OpenAPI
/// document calls valid is accepted. (The domain's own limit, 256 KiB, is
/// in bytes and never the tighter one: 60,000 characters are at most
/// 240,000 bytes.) Text outside ASCII takes more bytes per character and
/// may meet the body limit first (413).
const MAX_BODY_CHARS: usize = 60_000;
/// Most documents one import may bring.
const MAX_IMPORT: usize = 1000;

/// The tags as sent, checked as sent (the count and lengths the document
/// states), then trimmed, blanks dropped.
fn tags(raw: Vec<String>) -> Result<Vec<String>, DomainError> {
    if raw.len() > MAX_TAGS || raw.iter().any(|t| t.chars().count() > MAX_TAG_CHARS) {
        return Err(DomainError::invalid(
            "tags",
            "at most 20 tags of at most 50 characters",
        ));
    }
    Ok(raw
        .into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect())
}

/// The `tags` of a document or an import: at most 20 of at most 50
/// characters.
fn tags_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_TAG_CHARS)),
        )
        .max_items(Some(MAX_TAGS))
        .build()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    after: Option<KnowledgeDocId>,
    limit: Option<u32>,
}

async fn list(
    _who: SupervisorUp,
    store: web::Data<dyn Store>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<super::paging::Page<KnowledgeDoc, KnowledgeDocId>>, ApiError> {
    let limit = super::paging::limit(query.limit, 50, 200)?;
    let items = store.list_docs(query.after, limit).await?;
    let next_after = super::paging::next(&items, limit, |x| x.id);
    Ok(web::Json(super::paging::Page { items, next_after }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct DocInput {
    /// 1–200 characters once trimmed.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    /// Not blank; at most 60,000 characters (and the request within
    /// `CHAT_MAX_BODY_BYTES`).
    #[schema(min_length = 1, max_length = 60000, pattern = r"\S")]
    body: String,
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    tags: Vec<String>,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

impl DocInput {
    /// The document it describes, validated (a new id: the caller keeps
    /// the stored one on a replace).
    fn into_doc(self) -> Result<KnowledgeDoc, DomainError> {
        if self.body.chars().count() > MAX_BODY_CHARS {
            return Err(DomainError::invalid(
                "body",
                "must be at most 60000 characters",
            ));
        }
        let mut doc = KnowledgeDoc::new(&self.title, &self.body, tags(self.tags)?, now())?;
        doc.enabled = self.enabled;
        Ok(doc)
    }
}

async fn create(
    who: SupervisorUp,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    body: crate::http::Body<DocInput>,
) -> Result<HttpResponse, ApiError> {
    let doc = body.read().await?.into_doc()?;
    store.create_doc(&doc).await?;
    trail
        .log(who.caller.user_id, "knowledge.created")
        .on(doc.id)
        .await;
    Ok(HttpResponse::Created().json(doc))
}

async fn load(store: &dyn Store, id: KnowledgeDocId) -> Result<KnowledgeDoc, ApiError> {
    Ok(store
        .doc_by_id(id)
        .await?
        .ok_or(DomainError::NotFound("knowledge document"))?)
}

async fn detail(
    _who: SupervisorUp,
    store: web::Data<dyn Store>,
    path: web::Path<KnowledgeDocId>,
) -> Result<web::Json<KnowledgeDoc>, ApiError> {
    Ok(web::Json(load(store.get_ref(), *path).await?))
}

async fn replace(
    who: SupervisorUp,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<KnowledgeDocId>,
    body: crate::http::Body<DocInput>,
) -> Result<web::Json<KnowledgeDoc>, ApiError> {
    let current = load(store.get_ref(), *path).await?;
    let mut doc = body.read().await?.into_doc()?;
    doc.id = current.id;
    doc.times.created_at = current.times.created_at;
    store.update_doc(&doc).await?;
    trail
        .log(who.caller.user_id, "knowledge.updated")
        .on(doc.id)
        .await;
    Ok(web::Json(doc))
}

async fn delete(
    who: SupervisorUp,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    path: web::Path<KnowledgeDocId>,
) -> Result<HttpResponse, ApiError> {
    store.delete_doc(*path).await?;
    trail
        .log(who.caller.user_id, "knowledge.deleted")
        .on(*path)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /knowledge/import`: `{"format": "json" | "csv" | "markdown", "content": "…", "tags": […]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
struct ImportInput {
    format: ImportFormat,
    content: String,
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    tags: Vec<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
#[derive(utoipa::ToSchema)]
enum ImportFormat {
    /// `[{"question": …, "answer": …}]` or `[{"title": …, "body": …}]`.
    Json,
    /// Two columns, question and answer; a header row is skipped.
    Csv,
    /// One document per `#` heading (the heading is the title).
    Markdown,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ImportResult {
    imported: usize,
    ids: Vec<KnowledgeDocId>,
}

/// Parses an import into (title, body) pairs; errors name the line or item.
fn parse_import(format: ImportFormat, content: &str) -> Result<Vec<(String, String)>, DomainError> {
    let bad = |m: String| DomainError::invalid("content", m);
    let pairs = match format {
        ImportFormat::Json => {
            let items: Vec<serde_json::Value> =
                serde_json::from_str(content).map_err(|e| bad(format!("not a JSON array: {e}")))?;
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let title = v
                        .get("question")
                        .or_else(|| v.get("title"))
                        .and_then(|t| t.as_str());
                    let body = v
                        .get("answer")
                        .or_else(|| v.get("body"))
                        .and_then(|t| t.as_str());
                    match (title, body) {
                        (Some(t), Some(b)) => Ok((t.to_owned(), b.to_owned())),
                        _ => Err(bad(format!(
                            "item {i}: needs question and answer (or title and body)"
                        ))),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?
        }
        ImportFormat::Csv => {
            let mut out = Vec::new();
            for (n, record) in csv_records(content).into_iter().enumerate() {
                if n == 0
                    && record.first().is_some_and(|h| {
                        matches!(
                            h.trim().to_lowercase().as_str(),
                            "question" | "title" | "问题"
                        )
                    })
                {
                    continue;
                }
                match record.as_slice() {
                    [q, a, ..] if !q.trim().is_empty() && !a.trim().is_empty() => {
                        out.push((q.clone(), a.clone()))
                    }
                    [] => {}
                    _ => {
                        return Err(bad(format!(
                            "record {}: needs a question and an answer",
                            n + 1
                        )));
                    }
                }
            }
            out
        }
        ImportFormat::Markdown => {
            let mut out = Vec::new();
            let mut title: Option<String> = None;
            let mut body = String::new();
            for line in content.lines() {
                if let Some(h) = line.strip_prefix('#') {
                    if let Some(t) = title.take() {
                        out.push((t, body.trim().to_owned()));
                    }
                    title = Some(h.trim_start_matches('#').trim().to_owned());
                    body.clear();
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
            if let Some(t) = title {
                out.push((t, body.trim().to_owned()));
            }
            out
        }
    };
    if pairs.is_empty() {
        return Err(bad("nothing to import".into()));
    }
    if pairs.len() > MAX_IMPORT {
        return Err(bad(format!("at most {MAX_IMPORT} documents per import")));
    }
    Ok(pairs)
}

/// RFC 4180 records: quoted fields may hold commas, quotes ("") and newlines.
fn csv_records(content: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        records.push(record);
    }
    records
}

async fn import(
    who: SupervisorUp,
    store: web::Data<dyn Store>,
    trail: AuditTrail,
    body: crate::http::Body<ImportInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.read().await?;
    let pairs = parse_import(input.format, &input.content)?;
    let tags = tags(input.tags)?;
    let at = now();
    // Validate everything before storing anything: an import is all or nothing.
    let docs = pairs
        .iter()
        .enumerate()
        .map(|(i, (t, b))| {
            KnowledgeDoc::new(t, b, tags.clone(), at).map_err(|e| match e {
                DomainError::Validation { field, message } => {
                    DomainError::invalid("content", format!("document {i}: {field} {message}"))
                }
                other => other,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for doc in &docs {
        store.create_doc(doc).await?;
    }
    let detail = format!(r#"{{"documents":{}}}"#, docs.len());
    trail
        .log(who.caller.user_id, "knowledge.imported")
        .detail(detail)
        .await;
    Ok(HttpResponse::Created().json(ImportResult {
        imported: docs.len(),
        ids: docs.iter().map(|d| d.id).collect(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    /// The question, 1–500 characters.
    q: String,
    /// How many passages, 1–20 (default 5).
    k: Option<u32>,
}

/// Passages the assistant's retrieval finds for a question.
#[derive(Serialize, utoipa::ToSchema)]
struct SearchResult {
    items: Vec<chat_domain::model::RetrievedPassage>,
}

/// `GET /knowledge/search?q=`: "try a question": which passages the
/// assistant retrieves, with their scores, and whether it would answer.
async fn search(
    _who: SupervisorUp,
    knowledge: web::Data<dyn KnowledgeSearch>,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<SearchResult>, ApiError> {
    // The length as sent, as the document states it (`maxLength`); blank
    // is refused (its `pattern`).
    let q = query.q.trim();
    if q.is_empty() || query.q.chars().count() > 500 {
        return Err(DomainError::invalid("q", "must be 1 to 500 characters").into());
    }
    let k = super::paging::limit(query.k, 5, 20)?;
    Ok(web::Json(SearchResult {
        items: knowledge.retrieve(q, k as usize).await?,
    }))
}

/// How many passages the rebuilt index holds.
#[derive(Serialize, utoipa::ToSchema)]
struct ReindexResult {
    passages: usize,
}

/// `POST /knowledge/reindex`: rebuild this node's index now (the others
/// pick the change up at their next periodic check).
async fn reindex(
    who: SupervisorUp,
    knowledge: web::Data<dyn KnowledgeSearch>,
    trail: AuditTrail,
) -> Result<web::Json<ReindexResult>, ApiError> {
    let passages = knowledge.reindex().await?;
    trail
        .log(who.caller.user_id, "knowledge.reindex")
        .detail(format!("{{\"passages\":{passages}}}"))
        .await;
    Ok(web::Json(ReindexResult { passages }))
}

/// The OpenAPI schemas of this module's bodies.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    out.add::<DocInput>();
    out.add::<ImportInput>();
    out.add::<ImportResult>();
    out.add::<SearchResult>();
    out.add::<ReindexResult>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_parse_in_three_formats() {
        let csv = "question,answer\n\"Where, exactly?\",\"Here, \"\"quoted\"\"\nand on two lines\"\n退货,七天无理由\n";
        let pairs = parse_import(ImportFormat::Csv, csv).unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].0, "Where, exactly?");
        assert_eq!(pairs[0].1, "Here, \"quoted\"\nand on two lines");
        let md = "# Returns\nWithin 7 days.\n\n## Refunds\nIn 3 days.\n";
        assert_eq!(
            parse_import(ImportFormat::Markdown, md).unwrap(),
            vec![
                ("Returns".into(), "Within 7 days.".into()),
                ("Refunds".into(), "In 3 days.".into())
            ]
        );
        let json = r#"[{"question":"q","answer":"a"},{"title":"t","body":"b"}]"#;
        assert_eq!(parse_import(ImportFormat::Json, json).unwrap().len(), 2);
        assert!(parse_import(ImportFormat::Json, r#"[{"question":"q"}]"#).is_err());
        assert!(parse_import(ImportFormat::Csv, "only one column\n").is_err());
        assert!(parse_import(ImportFormat::Markdown, "").is_err());
    }
}
