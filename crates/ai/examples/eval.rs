//! The assistant's quality report on the committed evaluation set
//! (`crates/ai/eval/`): retrieval and answer decisions of the offline
//! assistant beside a plain BM25 baseline, and handoff recognition, per
//! split and language, as Markdown tables.
//!
//! `cargo run -p chat-ai --example eval` (add `--release` for speed;
//! `-- --misses` also lists the dev split's mistakes: never the holdout's,
//! which stands for questions nobody tuned on; `-- --grid` shows how the
//! dev figures move with each ranking weight).

use std::time::Instant;

use chat_ai::eval::{Assistant, EvalSet, HandoffRow, Outcome, RetrievalRow, baseline};
use chat_ai::handoff::wants_human;
use chat_ai::offline::OfflineConfig;

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
    let dir = EvalSet::default_dir();
    for split in ["dev", "holdout"] {
        let set = EvalSet::load(&dir, split)?;
        let docs = set.knowledge_docs();
        let started = Instant::now();
        let assistant = Assistant::new(&docs, OfflineConfig::default());
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
        curve(&set, &docs);
        handoff_table(
            "Handoff (offline recognizer)",
            &chat_ai::eval::handoff_rows(&set.handoff, wants_human),
        );
        if grid_search && split == "dev" {
            grid(&set);
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

/// How the dev ranking moves when one weight changes (hit@1, hit@3, MRR):
/// to see which weights matter, on dev only.
fn grid(set: &EvalSet) {
    use chat_ai::knowledge::Weights;
    type Knob = (&'static str, fn(&mut Weights, f64), &'static [f64]);
    let docs = set.knowledge_docs();
    let score = |w: &Weights| {
        let a = Assistant::with_weights(&docs, w.clone(), OfflineConfig::default());
        let rows = chat_ai::eval::retrieval_rows(&set.questions, |q| a.run(q));
        let (zh, en, all) = (&rows[0].1, &rows[1].1, &rows[3].1);
        format!(
            "{:.3} {:.3} {:.3} (zh {:.3}, en {:.3})",
            all.hit1, all.hit3, all.mrr, zh.hit1, en.hit1
        )
    };
    let base = Weights::default();
    println!("\n### dev ranking by weight (hit@1 hit@3 MRR, zh and en hit@1)\n");
    println!("- default: {}", score(&base));
    let knobs: &[Knob] = &[
        ("title", |w, v| w.title = v, &[1.5, 2.0, 3.0, 4.0]),
        ("b_title", |w, v| w.b_title = v, &[0.0, 0.5, 0.8]),
        ("b_body", |w, v| w.b_body = v, &[0.3, 0.5, 0.9]),
        ("k1", |w, v| w.k1 = v, &[1.2, 2.0, 3.0]),
        ("word", |w, v| w.word = v, &[0.5, 0.75, 1.5]),
        ("pair", |w, v| w.pair = v, &[0.25, 0.75, 1.0]),
        ("char", |w, v| w.char = v, &[0.5, 0.75, 1.5]),
        ("corrected", |w, v| w.corrected = v, &[0.3, 1.0]),
        ("synonym", |w, v| w.synonym = v, &[0.0, 0.25, 0.75]),
    ];
    for (name, set_weight, values) in knobs {
        for v in *values {
            let mut w = base.clone();
            set_weight(&mut w, *v);
            println!("- {name} = {v}: {}", score(&w));
        }
    }
}

/// Coverage against accuracy: how many questions get an answer, and how
/// many of those are wrong, as the least confidence moves (margin rule as
/// configured).
fn curve(set: &EvalSet, docs: &[(String, chat_domain::model::KnowledgeDoc)]) {
    println!("\nCoverage / accuracy by least confidence (all languages)\n");
    println!("| min confidence | answered | answered right | wrong answer | off-topic answered |");
    println!("|---|---|---|---|---|");
    for min in [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
        let config = OfflineConfig {
            min_confidence: min,
            ..OfflineConfig::default()
        };
        let a = Assistant::new(docs, config);
        let rows = chat_ai::eval::retrieval_rows(&set.questions, |q| a.run(q));
        let r = &rows[3].1;
        println!(
            "| {min:.2} | {:.3} | {:.3} | {:.3} | {:.3} |",
            1.0 - r.idk,
            1.0 - r.idk - r.wrong,
            r.wrong,
            r.off_topic_answered
        );
    }
}
