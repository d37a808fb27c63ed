//! The assistant's quality report on the committed evaluation set
//! (`crates/ai/eval/`): retrieval and answer decisions of the offline
//! assistant beside a plain BM25 baseline, and handoff recognition, per
//! split and language, as Markdown tables.
//!
//! `cargo run -p chat-ai --example eval` (add `--release` for speed;
//! `-- --misses` also lists the dev split's mistakes: never the holdout's,
//! which stands for questions nobody tuned on; `-- --grid` shows how the
//! dev figures move with each ranking weight).
//!
//! - `-- --dump FILE`: the dev questions' first hits with their confidence
//!   and evidence (`knowledge::Evidence`), one JSON object a line, to study
//!   the answer rule; `explain` holds what the first three documents'
//!   scores are made of (as `--explain`), i.e. which words each one holds;
//! - `-- --explain QUESTION`: what the first five documents' lexical
//!   scores for QUESTION are made of, term by term (dev split's index);
//! - `-- --disagree`: the questions with Chinese whose first document
//!   the product and the baseline disagree on (one right), explained
//!   term by term, in every split run (all splits are seen now);
//! - `-- --weights title=2,char=0.5`: the product's ranking weights with
//!   these changed (`--grid`'s names), for the whole report;
//! - `-- --outcomes`: one tab-separated line per question of every split
//!   run (split, language, question, expected, answered, first document),
//!   to compare two settings question by question;
//! - `-- --rerank w1,w2,...`: the re-ranker's weights
//!   (`knowledge::FEATURES` order) instead of the product's (`--rerank-zh`:
//!   those for questions without a Latin letter);
//! - `-- --features FILE`: each question's first documents before the
//!   re-ranker with their features, one JSON object a line (the
//!   re-ranker's training data, `crates/ai/eval/train/`);
//! - `-- --quick`: no coverage / accuracy curve (eight more assistants
//!   per split; for study runs over many sets);
//! - `-- --split dev`: that split only (while tuning, so that the holdout's
//!   figures are not even printed);
//! - `-- --dir PATH`: another set in the same format (`kb.json`, or
//!   `kb.{dev,holdout}.json` for a split with documents of its own,
//!   `questions.{dev,holdout}.jsonl`, `handoff.{dev,holdout}.jsonl`; missing
//!   question / handoff files are skipped), e.g. a blind set;
//! - `-- --embeddings URL --embeddings-model NAME`: also measures dense
//!   retrieval through that OpenAI-compatible endpoint (`URL` ends in
//!   `/v1`; key from `CHAT_AI_EMBEDDINGS_API_KEY`, if it needs one): the
//!   offline assistant with the fused ranking, and the dense ranking alone.
//!   `--embeddings-weight W` and `--embeddings-floor F` set the fusion
//!   (default: the product's), `--embeddings-dimensions N` the vector size;
//!   with `--grid`, the dev figures over a grid of both.

use std::collections::HashMap;
use std::time::Instant;

use chat_ai::dense::{DenseVectors, Embedder, EmbeddingsConfig, Fusion};
use chat_ai::eval::{Assistant, EvalSet, HandoffRow, Outcome, RetrievalRow, baseline};
use chat_ai::handoff::wants_human;
use chat_ai::offline::OfflineConfig;

/// The value after `--name`, if given.
fn flag(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A ranking weight's name (`--grid`, `--weights`) and how to set it.
type Setter = (&'static str, fn(&mut chat_ai::knowledge::Weights, f64));

/// The ranking weights the grid and `--weights` can change.
const SETTERS: &[Setter] = &[
    ("title", |w, v| w.title = v),
    ("b_title", |w, v| w.b_title = v),
    ("b_body", |w, v| w.b_body = v),
    ("k1", |w, v| w.k1 = v),
    ("word", |w, v| w.word = v),
    ("pair", |w, v| w.pair = v),
    ("char", |w, v| w.char = v),
    ("corrected", |w, v| w.corrected = v),
    ("synonym", |w, v| w.synonym = v),
    ("sound", |w, v| w.sound = v),
    ("related", |w, v| w.related = v),
    ("related_df", |w, v| w.related_df = v),
    ("light", |w, v| w.light = v),
    ("answer_kind", |w, v| w.answer_kind = v),
];

/// The ranking weights: the product's, with `--weights name=value,...`
/// ([`SETTERS`]' names) changed, to measure one setting over many sets.
fn weights() -> chat_ai::knowledge::Weights {
    let mut w = chat_ai::knowledge::Weights::default();
    for pair in flag("--weights").unwrap_or_default().split(',') {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        let (Ok(v), Some((_, set))) = (
            value.parse::<f64>(),
            SETTERS.iter().find(|(n, _)| *n == name),
        ) else {
            eprintln!("--weights: {pair}: not a known weight and a number");
            std::process::exit(2);
        };
        set(&mut w, v);
    }
    for (name, zh) in [("--rerank", false), ("--rerank-zh", true)] {
        let Some(list) = flag(name) else {
            continue;
        };
        let values: Vec<f64> = list
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        let Ok(model) = <[f64; chat_ai::knowledge::FEATURE_COUNT]>::try_from(values) else {
            eprintln!(
                "{name}: {} comma-separated numbers expected",
                chat_ai::knowledge::FEATURE_COUNT
            );
            std::process::exit(2);
        };
        if zh {
            w.rerank_zh = model;
        } else {
            w.rerank = model;
        }
    }
    w
}

/// Writes each question's first documents before the re-ranker, with
/// their features and whether each is right, one JSON object a line:
/// the re-ranker's training data (`crates/ai/eval/train/`).
fn features(
    set: &EvalSet,
    assistant: &Assistant,
    split: &str,
    out: &mut impl std::io::Write,
) -> Result<(), Box<dyn std::error::Error>> {
    for q in set.questions.iter() {
        let candidates: Vec<serde_json::Value> = assistant
            .index()
            .candidates(&q.q)
            .into_iter()
            .map(|(id, f)| {
                let key = assistant.key(&id);
                serde_json::json!({"key": key, "hit": q.is_hit(&key), "f": f.to_vec()})
            })
            .collect();
        let line = serde_json::json!({
            "split": split, "q": q.q, "doc": q.doc, "lang": q.lang, "kind": q.kind,
            "candidates": candidates,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The dense side of a run: the endpoint, and the runtime its calls need.
struct Dense {
    embedder: Embedder,
    runtime: tokio::runtime::Runtime,
}

impl Dense {
    fn from_args() -> Result<Option<Self>, Box<dyn std::error::Error>> {
        let Some(url) = flag("--embeddings") else {
            return Ok(None);
        };
        let model = flag("--embeddings-model").ok_or("--embeddings needs --embeddings-model")?;
        let key = std::env::var("CHAT_AI_EMBEDDINGS_API_KEY").unwrap_or_default();
        let mut config = EmbeddingsConfig::new(&url, &key, &model);
        if let Some(w) = flag("--embeddings-weight") {
            config.fusion.weight = w.parse()?;
        }
        if let Some(f) = flag("--embeddings-floor") {
            config.fusion.floor = f.parse()?;
        }
        if let Some(d) = flag("--embeddings-dimensions") {
            config.dimensions = Some(d.parse()?);
        }
        // Measuring, not serving: a slow local model may take its time.
        config.query_timeout = std::time::Duration::from_secs(60);
        config.batch_timeout = std::time::Duration::from_secs(300);
        Ok(Some(Self {
            embedder: Embedder::new(config)?,
            runtime: tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?,
        }))
    }

    /// Vectors of every question (batched, like passages).
    fn questions(
        &self,
        set: &EvalSet,
    ) -> Result<HashMap<String, Vec<f32>>, Box<dyn std::error::Error>> {
        let texts: Vec<String> = set.questions.iter().map(|q| q.q.clone()).collect();
        let vectors = self.runtime.block_on(self.embedder.embed_all(&texts))?;
        Ok(texts
            .into_iter()
            .zip(vectors)
            .map(|(t, v)| (t, v.to_vec()))
            .collect())
    }

    /// The offline assistant over `docs` with the passages' vectors
    /// attached and `fusion` mixing them in.
    fn assistant(
        &self,
        docs: &[(String, chat_domain::model::KnowledgeDoc)],
        config: OfflineConfig,
        fusion: Fusion,
    ) -> Result<Assistant, Box<dyn std::error::Error>> {
        let a = Assistant::new(docs, config);
        let (texts, owners) = a.index().passage_texts();
        let vectors = self.runtime.block_on(self.embedder.embed_all(&texts))?;
        a.index()
            .set_dense(DenseVectors::new(owners, vectors, fusion));
        Ok(a)
    }
}

fn retrieval_table(title: &str, rows: &[(&str, RetrievalRow)], decisions: bool) {
    println!("\n{title}\n");
    println!(
        "| lang | answerable | off-topic | hit@1 | hit@3 | MRR | wrong answer | I don't know | of which suggested right | off-topic answered | off-topic given suggestions |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (lang, r) in rows {
        let d = |v: f64| {
            if decisions {
                format!("{v:.3}")
            } else {
                "—".to_owned()
            }
        };
        println!(
            "| {lang} | {} | {} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {} | {} |",
            r.answerable,
            r.off_topic,
            r.hit1,
            r.hit3,
            r.mrr,
            d(r.wrong),
            d(r.idk),
            d(r.suggested_right),
            d(r.off_topic_answered),
            d(r.off_topic_suggested)
        );
    }
}

fn handoff_table(title: &str, rows: &[(&str, HandoffRow)]) {
    println!("\n{title}\n");
    println!("| lang | requests | other | precision | recall |");
    println!("|---|---|---|---|---|");
    for (lang, r) in rows {
        println!(
            "| {lang} | {} | {} | {:.3} | {:.3} |",
            r.positives, r.negatives, r.precision, r.recall
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let misses = std::env::args().any(|a| a == "--misses");
    let grid_search = std::env::args().any(|a| a == "--grid");
    let dir = flag("--dir").map_or_else(EvalSet::default_dir, std::path::PathBuf::from);
    let dense = Dense::from_args()?;
    // `--split dev`: one split only (tuning runs that must not print the
    // holdout's figures).
    let only = flag("--split");
    let mut feature_file = match flag("--features") {
        Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => None,
    };
    for split in ["dev", "holdout"] {
        if only.as_deref().is_some_and(|o| o != split) {
            continue;
        }
        let Some(set) = EvalSet::load_present(&dir, split)? else {
            println!(
                "\n## {split}: no questions or handoff file in {}",
                dir.display()
            );
            continue;
        };
        let docs = set.knowledge_docs();
        let started = Instant::now();
        let assistant = Assistant::with_weights(&docs, weights(), OfflineConfig::default());
        let built = started.elapsed();
        let started = Instant::now();
        let rows = chat_ai::eval::retrieval_rows(&set.questions, |q| assistant.run(q));
        let per_question = started.elapsed() / set.questions.len().max(1) as u32;
        println!(
            "\n## {split}: {} questions, {} handoff phrasings",
            set.questions.len(),
            set.handoff.len()
        );
        println!("(index built in {built:.1?}, {per_question:.2?} per question)");
        retrieval_table("Offline assistant", &rows, true);
        let bm25 = baseline::Bm25::new(
            &set.docs
                .iter()
                .map(|d| (d.key.clone(), format!("{}\n{}", d.title, d.body)))
                .collect::<Vec<_>>(),
        );
        let base = chat_ai::eval::retrieval_rows(&set.questions, |q| Outcome {
            ranked: bm25.rank(q),
            ..Outcome::default()
        });
        retrieval_table(
            "Baseline: character + pair BM25 (ranking only)",
            &base,
            false,
        );
        // `--quick`: no coverage curve (eight more assistants per set).
        if !std::env::args().any(|a| a == "--quick") {
            curve(
                &set,
                |config| Ok(Assistant::new(&docs, config)),
                &HashMap::new(),
            )?;
        }
        if let Some(dense) = &dense {
            let vectors = dense.questions(&set)?;
            let fusion = dense.embedder.config().fusion;
            let fused = dense.assistant(&docs, OfflineConfig::default(), fusion)?;
            let run = |a: &Assistant, q: &str| a.run_with(q, vectors.get(q).map(Vec::as_slice));
            retrieval_table(
                &format!(
                    "Offline assistant + dense ({}, weight {}, floor {})",
                    dense.embedder.config().model,
                    fusion.weight,
                    fusion.floor
                ),
                &chat_ai::eval::retrieval_rows(&set.questions, |q| run(&fused, q)),
                true,
            );
            let alone = Fusion {
                weight: 1.0,
                ..fusion
            };
            let only = dense.assistant(&docs, OfflineConfig::default(), alone)?;
            retrieval_table(
                "Dense ranking alone (ranking only)",
                &chat_ai::eval::retrieval_rows(&set.questions, |q| run(&only, q)),
                false,
            );
            curve(
                &set,
                |config| dense.assistant(&docs, config, fusion),
                &vectors,
            )?;
            if grid_search && split == "dev" {
                dense_grid(&set, &docs, dense, &vectors)?;
            }
        }
        handoff_table(
            "Handoff (offline recognizer)",
            &chat_ai::eval::handoff_rows(&set.handoff, wants_human),
        );
        if grid_search && split == "dev" {
            grid(&set);
        }
        if let (Some(question), "dev") = (flag("--explain"), split) {
            print!("\n{}", assistant.index().explain(&question, 5));
        }
        if let (Some(path), "dev") = (flag("--dump"), split) {
            dump(&set, &assistant, &bm25, &path)?;
        }
        if let Some(out) = &mut feature_file {
            features(&set, &assistant, split, out)?;
        }
        if std::env::args().any(|a| a == "--outcomes") {
            for q in &set.questions {
                let o = assistant.run(&q.q);
                println!(
                    "OUTCOME\t{split}\t{}\t{}\t{}\t{}\t{}",
                    q.lang,
                    q.q,
                    q.doc.as_deref().unwrap_or("-"),
                    o.answered.as_deref().unwrap_or("-"),
                    o.ranked.first().map_or("-", String::as_str)
                );
            }
        }
        if std::env::args().any(|a| a == "--disagree") {
            disagree(&set, &docs, &assistant, &bm25, split);
        }
        if misses && split == "dev" {
            println!("\n### dev mistakes\n");
            for q in &set.questions {
                let o = assistant.run(&q.q);
                let right = match (&q.doc, &o.answered) {
                    (None, None) => true,
                    (Some(_), Some(k)) => q.is_hit(k),
                    _ => false,
                };
                if !right
                    || o.ranked
                        .first()
                        .is_some_and(|k| q.doc.is_some() && !q.is_hit(k))
                {
                    println!(
                        "- [{}] {} → expected {:?}, answered {:?}, ranked {:?}",
                        q.lang,
                        q.q,
                        q.doc,
                        o.answered,
                        o.ranked.iter().take(3).collect::<Vec<_>>()
                    );
                }
            }
            for c in &set.handoff {
                if wants_human(&c.text) != c.human {
                    println!("- handoff [{}] {:?}: expected {}", c.lang, c.text, c.human);
                }
            }
        }
    }
    Ok(())
}

/// The answerable questions with Chinese (zh and mixed) whose first
/// document the product and the baseline disagree on, one right and the
/// other wrong, each explained term by term (the product's first three,
/// and the right document wherever it ranks): why the two rankers part.
fn disagree(
    set: &EvalSet,
    docs: &[(String, chat_domain::model::KnowledgeDoc)],
    assistant: &Assistant,
    bm25: &baseline::Bm25,
    split: &str,
) {
    println!("\n### {split}: first documents the product and the baseline disagree on\n");
    for q in set.questions.iter().filter(|q| q.lang != "en") {
        let Some(doc) = &q.doc else { continue };
        let product = assistant.run(&q.q);
        let plain = bm25.rank(&q.q);
        let p = product.ranked.first().is_some_and(|k| q.is_hit(k));
        let b = plain.first().is_some_and(|k| q.is_hit(k));
        if p == b {
            continue;
        }
        let right: Vec<_> = docs
            .iter()
            .filter(|(k, _)| q.is_hit(k))
            .map(|(_, d)| d.id)
            .collect();
        println!(
            "{} [{}] expected {doc}; product {:?}, baseline {:?}\n```text\n{}```",
            if b { "BASELINE-RIGHT" } else { "PRODUCT-RIGHT" },
            q.lang,
            product.ranked.iter().take(3).collect::<Vec<_>>(),
            plain.iter().take(3).collect::<Vec<_>>(),
            assistant.index().explain_with(&q.q, 3, &right)
        );
    }
}

/// How the dev ranking moves when one weight changes (hit@1, hit@3, MRR):
/// to see which weights matter, on dev only.
fn grid(set: &EvalSet) {
    use chat_ai::knowledge::Weights;
    let docs = set.knowledge_docs();
    let score = |w: &Weights| {
        let a = Assistant::with_weights(&docs, w.clone(), OfflineConfig::default());
        let rows = chat_ai::eval::retrieval_rows(&set.questions, |q| a.run(q));
        let (zh, en, mixed, all) = (&rows[0].1, &rows[1].1, &rows[2].1, &rows[3].1);
        format!(
            "{:.3} {:.3} {:.3} (zh {:.3}/{:.3}, en {:.3}/{:.3}, mixed {:.3}/{:.3}; wrong {:.3}, I don't know {:.3})",
            all.hit1,
            all.hit3,
            all.mrr,
            zh.hit1,
            zh.hit3,
            en.hit1,
            en.hit3,
            mixed.hit1,
            mixed.hit3,
            all.wrong,
            all.idk
        )
    };
    let base = Weights::default();
    println!("\n### dev ranking by weight (hit@1 hit@3 MRR; hit@1/hit@3 per language)\n");
    println!("- default: {}", score(&base));
    let knobs: &[(&str, &[f64])] = &[
        ("title", &[1.5, 2.0, 3.0, 4.0]),
        ("b_title", &[0.0, 0.5, 0.8]),
        ("b_body", &[0.3, 0.5, 0.9]),
        ("k1", &[1.2, 2.0, 3.0]),
        ("word", &[0.5, 0.75, 1.5]),
        ("pair", &[0.25, 0.75, 1.0]),
        ("char", &[0.5, 0.75, 1.5]),
        ("corrected", &[0.3, 1.0]),
        ("synonym", &[0.0, 0.25, 0.75]),
        ("sound", &[0.0, 0.3, 0.5, 0.6, 0.8]),
        ("related", &[0.0, 0.3, 0.4, 0.6, 0.75]),
        ("related_df", &[0.1, 0.15, 0.35, 0.5, 1.0]),
        ("light", &[0.0, 0.25, 0.75, 1.0]),
        ("answer_kind", &[0.0, 0.1, 0.3, 0.4, 0.5]),
    ];
    for (name, values) in knobs {
        let Some((_, set_weight)) = SETTERS.iter().find(|(n, _)| n == name) else {
            continue;
        };
        for v in *values {
            let mut w = base.clone();
            set_weight(&mut w, *v);
            println!("- {name} = {v}: {}", score(&w));
        }
    }
}

/// The dev figures of the fused ranking over a grid of fusion weights and
/// floors: hit@1 (zh, en, all), wrong answers, "I don't know" and
/// off-topic answered (all languages).
fn dense_grid(
    set: &EvalSet,
    docs: &[(String, chat_domain::model::KnowledgeDoc)],
    dense: &Dense,
    vectors: &HashMap<String, Vec<f32>>,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n### dev, fused, by weight and floor\n");
    println!(
        "| weight | floor | hit@1 zh | hit@1 en | hit@1 | hit@3 | wrong | I don't know | off-topic answered |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for weight in [0.2, 0.3, 0.4, 0.5, 0.6, 0.7] {
        for floor in [0.0, 0.1, 0.2, 0.3] {
            let a = dense.assistant(docs, OfflineConfig::default(), Fusion { weight, floor })?;
            let rows = chat_ai::eval::retrieval_rows(&set.questions, |q| {
                a.run_with(q, vectors.get(q).map(Vec::as_slice))
            });
            let (zh, en, all) = (&rows[0].1, &rows[1].1, &rows[3].1);
            println!(
                "| {weight} | {floor} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                zh.hit1, en.hit1, all.hit1, all.hit3, all.wrong, all.idk, all.off_topic_answered
            );
        }
    }
    Ok(())
}

/// Coverage against accuracy: how many questions get an answer, and how
/// many of those are wrong, as the least confidence moves (margin rule as
/// configured). `vectors`: the questions' vectors, when the assistant
/// `build` makes has dense retrieval.
fn curve(
    set: &EvalSet,
    build: impl Fn(OfflineConfig) -> Result<Assistant, Box<dyn std::error::Error>>,
    vectors: &HashMap<String, Vec<f32>>,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("\nCoverage / accuracy by least confidence (all languages)\n");
    println!("| min confidence | answered | answered right | wrong answer | off-topic answered |");
    println!("|---|---|---|---|---|");
    for min in [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
        let config = OfflineConfig {
            min_confidence: min,
            ..OfflineConfig::default()
        };
        let a = build(config)?;
        let rows = chat_ai::eval::retrieval_rows(&set.questions, |q| {
            a.run_with(q, vectors.get(q).map(Vec::as_slice))
        });
        let r = &rows[3].1;
        println!(
            "| {min:.2} | {:.3} | {:.3} | {:.3} | {:.3} |",
            1.0 - r.idk,
            1.0 - r.idk - r.wrong,
            r.wrong,
            r.off_topic_answered
        );
    }
    Ok(())
}

/// Writes the dev questions' evidence, one JSON object a line: the
/// question, its labels, the first five hits' confidence, score and
/// evidence, and the baseline's first three documents (a second ranker to
/// agree or disagree with; to study the answer rule; never the holdout's).
fn dump(
    set: &EvalSet,
    assistant: &Assistant,
    bm25: &baseline::Bm25,
    path: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for q in &set.questions {
        let d = assistant.decide(&q.q);
        let hits: Vec<serde_json::Value> = d
            .hits
            .iter()
            .take(10)
            .map(|h| {
                serde_json::json!({
                    "key": assistant.key(&h.doc_id),
                    "score": h.score,
                    "confidence": h.confidence,
                    "chinese": h.chinese,
                    "thin": h.thin,
                    "coverage": h.evidence.coverage,
                    "specific": h.evidence.specific,
                    "title": h.evidence.title,
                    "title_coverage": h.evidence.title_coverage,
                    "words": h.evidence.words,
                    "title_words": h.evidence.title_words,
                    "sentence_words": h.evidence.sentence_words,
                    "near_words": h.evidence.near_words,
                    "near_sounds": h.evidence.near_sounds,
                    "asked": h.evidence.asked,
                    "known": h.evidence.known,
                    "chars": h.evidence.chars,
                    "chars_known": h.evidence.chars_known,
                })
            })
            .collect();
        let line = serde_json::json!({
            "q": q.q, "doc": q.doc, "accept": q.accept, "lang": q.lang, "kind": q.kind,
            "answered": d.answer.is_some(), "hits": hits,
            "all_pinyin": chat_ai::text::is_all_pinyin(&q.q),
            "baseline": bm25.rank(&q.q).into_iter().take(3).collect::<Vec<_>>(),
            "explain": assistant.index().explain(&q.q, 3),
            // The question-level reasons not to answer, whatever the
            // first document's evidence (to replay the decision).
            "compares": chat_ai::offline::asks_to_compare(&q.q),
            "beyond": chat_ai::offline::beyond_help_centre(&q.q),
            "other_company": chat_ai::offline::names_other_company(assistant.index(), &q.q),
            "uncovered_topic": chat_ai::offline::asks_an_uncovered_topic(assistant.index(), &q.q),
            "foreign_latin": assistant.index().foreign_latin_words(&q.q),
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}
