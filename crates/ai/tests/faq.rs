//! Retrieval quality on the committed bilingual FAQ (data/faq.json): 44
//! documents, 88 paraphrased questions. The numbers are reported in
//! docs/BENCHMARKS.md; this test holds the floor under them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use chat_ai::knowledge::Index;
use chat_ai::offline::{OfflineConfig, Reply, answer, decide};
use chat_domain::model::KnowledgeDoc;
use chat_domain::time::now;
use serde::Deserialize;

/// Share of the questions answered from the right document (at least):
/// measured 32/88 (0.364) since the sixth pass's decision (19/88 before;
/// docs/BENCHMARKS.md), 30/88 (0.341) since the English cues (en14), 29/88
/// (0.330) with en14's ranking and dec14's decision merged, less a point.
const RIGHT_FLOOR: f64 = 0.32;
/// Share answered from a wrong document (at most): measured 5/88 (0.057),
/// 4/88 since the English cues.
const WRONG_CEILING: f64 = 0.07;

#[derive(Deserialize)]
struct Faq {
    documents: Vec<Doc>,
    questions: Vec<Question>,
}

#[derive(Deserialize)]
struct Doc {
    id: String,
    title: String,
    body: String,
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct Question {
    question: String,
    expected: String,
    lang: String,
}

fn load() -> (Faq, Vec<(String, KnowledgeDoc)>) {
    let faq: Faq = serde_json::from_str(include_str!("../data/faq.json")).unwrap();
    let docs = faq
        .documents
        .iter()
        .map(|d| {
            (
                d.id.clone(),
                KnowledgeDoc::new(&d.title, &d.body, d.tags.clone(), now()).unwrap(),
            )
        })
        .collect();
    (faq, docs)
}

#[test]
fn hit_rates_on_the_bilingual_faq() {
    let (faq, docs) = load();
    let index = Index::build(&docs.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>());
    let id_of = |doc_id| {
        docs.iter()
            .find(|(_, d)| d.id == doc_id)
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let mut report = Vec::new();
    for lang in ["zh", "en", "all"] {
        let qs: Vec<&Question> = faq
            .questions
            .iter()
            .filter(|q| lang == "all" || q.lang == lang)
            .collect();
        let (mut at1, mut at3) = (0, 0);
        for q in &qs {
            let hits: Vec<String> = index
                .search(&q.question, 3)
                .into_iter()
                .map(|h| id_of(h.doc_id))
                .collect();
            if hits.first() == Some(&q.expected) {
                at1 += 1;
            } else if lang == "all" {
                eprintln!(
                    "miss@1: {} → {:?} (expected {})",
                    q.question, hits, q.expected
                );
            }
            if hits.contains(&q.expected) {
                at3 += 1;
            }
        }
        let n = qs.len() as f64;
        report.push((lang, qs.len(), at1 as f64 / n, at3 as f64 / n));
    }
    for (lang, n, h1, h3) in &report {
        eprintln!("FAQ retrieval [{lang}] n={n} hit@1={h1:.3} hit@3={h3:.3}");
    }
    let (_, _, h1, h3) = report[2];
    // Floors a little under the measured 0.716 / 0.932 (docs/BENCHMARKS.md;
    // 0.784 / 0.920 before issue 14, with a lexicon tuned on these very
    // questions and counted at full weight).
    assert!(h1 >= 0.68, "hit@1 {h1}");
    assert!(h3 >= 0.90, "hit@3 {h3}");
}

#[test]
fn the_offline_assistant_answers_with_a_source_or_offers_a_person() {
    let (faq, docs) = load();
    let index = Index::build(&docs.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>());
    let config = OfflineConfig::default();
    let id_of = |doc_id| {
        docs.iter()
            .find(|(_, d)| d.id == doc_id)
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let (mut right, mut wrong) = (0, 0);
    for q in &faq.questions {
        let d = decide(&index, &q.question, &config);
        match d.answer.map(|i| id_of(d.hits[i].doc_id)) {
            Some(id) if id == q.expected => right += 1,
            Some(id) => {
                eprintln!(
                    "wrong answer: {} → {id} (expected {})",
                    q.question, q.expected
                );
                wrong += 1;
            }
            None => {}
        }
    }
    let n = faq.questions.len();
    eprintln!("answered right {right}/{n}, wrong {wrong}/{n}");
    // The assistant answers only when sure: most questions get the right
    // document, few a wrong one (the rest: "not sure", and a person).
    // Floors a little under the measured values (docs/BENCHMARKS.md).
    assert!(right as f64 >= RIGHT_FLOOR * n as f64, "right {right}");
    assert!(wrong as f64 <= WRONG_CEILING * n as f64, "wrong {wrong}");
    // The questions a newcomer tries first are answered, with the source.
    for obvious in [
        "运费怎么算",
        "怎么开发票",
        "我的快递到哪里了？",
        "How do I reset my password?",
        "Do you ship internationally?",
        // What the server's assistant test asks through the socket.
        "怎么查物流？",
        "I forgot my password and can't log in",
    ] {
        let r = answer(&index, obvious, &config);
        assert!(matches!(r, Reply::Answer { .. }), "{obvious}: {r:?}");
    }
    let zh = answer(&index, "我的快递到哪里了？", &config);
    assert!(zh.text().contains("（来源："), "{zh:?}");
    for nonsense in [
        "What is the airspeed velocity of an unladen swallow?",
        "今天天气怎么样",
        "asdf qwer",
    ] {
        let r = answer(&index, nonsense, &config);
        assert!(matches!(r, Reply::NoMatch { .. }), "{nonsense}: {r:?}");
    }
    assert!(
        answer(&index, "今天天气怎么样", &config)
            .text()
            .contains("转人工")
    );
}
