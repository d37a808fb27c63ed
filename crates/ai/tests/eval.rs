//! The assistant's quality gate: the evaluation set in `crates/ai/eval/`
//! (dev and holdout), measured through the offline assistant's own decision
//! and handoff recognizer, must not fall below the figures measured when
//! this gate was set (docs/BENCHMARKS.md, "Assistant quality"), less a
//! small tolerance. The report itself: `cargo run -p chat-ai --example eval`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use chat_ai::eval::{Assistant, EvalSet, HandoffCase, HandoffRow, handoff_rows, retrieval_rows};
use chat_ai::handoff::wants_human;
use chat_ai::offline::OfflineConfig;

/// Measured figures: split, language, hit@1, hit@3, MRR, wrong-answer rate,
/// off-topic-answered rate, "I don't know" rate on answerable questions
/// (the last is a ceiling like the wrong answers: an assistant that declines
/// everything is never wrong, and is no use).
#[allow(clippy::type_complexity)]
const RETRIEVAL: &[(&str, &str, f64, f64, f64, f64, f64, f64)] = &[
    ("dev", "zh", 0.774, 0.930, 0.853, 0.052, 0.000, 0.435),
    ("dev", "en", 0.833, 0.944, 0.891, 0.011, 0.000, 0.533),
    ("dev", "mixed", 0.800, 0.933, 0.872, 0.067, 0.000, 0.333),
    ("dev", "all", 0.800, 0.936, 0.870, 0.036, 0.000, 0.468),
    ("holdout", "zh", 0.821, 0.970, 0.895, 0.015, 0.000, 0.433),
    ("holdout", "en", 0.690, 0.897, 0.793, 0.034, 0.000, 0.552),
    ("holdout", "mixed", 0.818, 1.000, 0.894, 0.091, 0.000, 0.273),
    ("holdout", "all", 0.765, 0.941, 0.851, 0.029, 0.000, 0.471),
];

/// Measured handoff figures: split, language, precision, recall.
const HANDOFF: &[(&str, &str, f64, f64)] = &[
    ("dev", "zh", 1.000, 1.000),
    ("dev", "en", 1.000, 1.000),
    ("dev", "all", 1.000, 1.000),
    ("holdout", "zh", 1.000, 1.000),
    ("holdout", "en", 1.000, 1.000),
    ("holdout", "all", 1.000, 0.976),
];

/// Measured share of answerable questions declined with the right document
/// among the offered titles ("of which suggested right"): set (`kivo` for
/// the committed one), split, language. A floor: when the assistant is not
/// sure, the customer should find the answer one number away
/// (docs/BENCHMARKS.md, "Answer decision and ranking, eighth pass").
#[allow(clippy::type_complexity)]
const SUGGESTED: &[(&str, &str, &str, f64)] = &[
    ("kivo", "dev", "zh", 0.296),
    ("kivo", "dev", "en", 0.489),
    ("kivo", "dev", "mixed", 0.267),
    ("kivo", "dev", "all", 0.373),
    ("kivo", "holdout", "zh", 0.239),
    // 26 → 24 of 58 (rank16, hyphenated words also joined: "check-out" /
    // "checkout"): of the declines with the right title offered, one is
    // now answered right and one lost the title from the first three
    // (hit@1 40 → 41, hit@3 52 → 51, wrong answers unchanged).
    ("kivo", "holdout", "en", 24.0 / 58.0),
    // rank18 (learned re-ranker, docs/BENCHMARKS.md, "A learned
    // re-ranker"): declines with the right title offered turned into
    // right answers ("I don't know" fell as much or more); measured anew.
    ("kivo", "holdout", "mixed", 1.0 / 11.0),
    ("kivo", "holdout", "all", 0.324),
    // 0.358 before pin15: five of its questions typed in pinyin were
    // declined with the right title offered and are now answered right
    // (docs/BENCHMARKS.md, "Questions typed in pinyin"); the share of
    // questions answered right or one number away rose.
    // rank18 (learned re-ranker, docs/BENCHMARKS.md, "A learned
    // re-ranker"): declines with the right title offered turned into
    // right answers ("I don't know" fell as much or more); measured anew.
    // rank18 (learned re-ranker): one decline turned into a right answer
    // and two lost the right title from the first three (hit@3 .901 →
    // .890, hit@1 .736 → .769); measured anew.
    // rank18 (learned re-ranker, docs/BENCHMARKS.md, "A learned
    // re-ranker"): declines with the right title offered turned into
    // right answers ("I don't know" fell as much or more); measured anew.
    // 14 of 44, written as a fraction: 0.318 reads to clippy as 1/π.
    ("blind6", "dev", "zh", 0.273),
    ("blind6", "dev", "en", 0.438),
    ("blind6", "dev", "mixed", 0.167),
    ("blind6", "dev", "all", 0.330),
    ("blind6", "holdout", "zh", 0.283),
    ("blind6", "holdout", "en", 0.467),
    ("blind6", "holdout", "mixed", 0.500),
    ("blind6", "holdout", "all", 0.388),
    ("blind7", "dev", "zh", 0.352),
    ("blind7", "dev", "en", 0.457),
    ("blind7", "dev", "mixed", 0.333),
    ("blind7", "dev", "all", 0.393),
    ("blind7", "holdout", "zh", 0.270),
    ("blind7", "holdout", "en", 0.347),
    ("blind7", "holdout", "mixed", 0.519),
    ("blind7", "holdout", "all", 0.330),
    ("blind8", "dev", "zh", 0.400),
    ("blind8", "dev", "en", 0.540),
    ("blind8", "dev", "mixed", 0.231),
    ("blind8", "dev", "all", 0.442),
    ("blind8", "holdout", "zh", 0.257),
    ("blind8", "holdout", "en", 0.465),
    ("blind8", "holdout", "mixed", 0.273),
    ("blind8", "holdout", "all", 0.346),
    ("blind9", "dev", "zh", 0.326),
    ("blind9", "dev", "en", 0.488),
    ("blind9", "dev", "mixed", 0.273),
    ("blind9", "dev", "all", 0.380),
    ("blind9", "holdout", "zh", 0.391),
    ("blind9", "holdout", "en", 0.394),
    ("blind9", "holdout", "mixed", 0.383),
    ("blind9", "holdout", "all", 0.391),
    ("blind10", "dev", "zh", 0.204),
    ("blind10", "dev", "en", 0.455),
    ("blind10", "dev", "mixed", 0.222),
    ("blind10", "dev", "all", 0.306),
    ("blind10", "holdout", "zh", 0.286),
    ("blind10", "holdout", "en", 0.461),
    ("blind10", "holdout", "mixed", 0.357),
    ("blind10", "holdout", "all", 0.367),
    ("blind11", "dev", "zh", 0.293),
    ("blind11", "dev", "en", 0.349),
    ("blind11", "dev", "mixed", 0.250),
    ("blind11", "dev", "all", 0.304),
    ("blind11", "holdout", "zh", 0.500),
    ("blind11", "holdout", "en", 0.363),
    ("blind11", "holdout", "mixed", 0.348),
    ("blind11", "holdout", "all", 0.418),
    ("blind12", "dev", "zh", 0.310),
    ("blind12", "dev", "en", 0.558),
    ("blind12", "dev", "mixed", 0.296),
    ("blind12", "dev", "all", 0.402),
    ("blind12", "holdout", "zh", 0.488),
    ("blind12", "holdout", "en", 0.407),
    ("blind12", "holdout", "mixed", 0.241),
    ("blind12", "holdout", "all", 0.397),
    ("blind13", "dev", "zh", 0.311),
    ("blind13", "dev", "en", 0.357),
    ("blind13", "dev", "mixed", 0.250),
    ("blind13", "dev", "all", 0.313),
    ("blind13", "holdout", "zh", 0.519),
    ("blind13", "holdout", "en", 0.442),
    ("blind13", "holdout", "mixed", 0.370),
    ("blind13", "holdout", "all", 0.452),
    ("blind14", "dev", "zh", 0.333),
    ("blind14", "dev", "en", 0.250),
    ("blind14", "dev", "mixed", 0.308),
    ("blind14", "dev", "all", 0.295),
    ("blind14", "holdout", "zh", 0.354),
    ("blind14", "holdout", "en", 0.417),
    ("blind14", "holdout", "mixed", 0.356),
    ("blind14", "holdout", "all", 0.379),
    ("blind15", "dev", "zh", 0.404),
    ("blind15", "dev", "en", 0.302),
    ("blind15", "dev", "mixed", 0.435),
    ("blind15", "dev", "all", 0.372),
    ("blind15", "holdout", "zh", 0.300),
    ("blind15", "holdout", "en", 0.344),
    ("blind15", "holdout", "mixed", 0.333),
    ("blind15", "holdout", "all", 0.325),
    ("blind16", "dev", "zh", 0.262),
    ("blind16", "dev", "en", 0.295),
    ("blind16", "dev", "mixed", 0.480),
    ("blind16", "dev", "all", 0.324),
    ("blind16", "holdout", "zh", 0.297),
    ("blind16", "holdout", "en", 0.228),
    ("blind16", "holdout", "mixed", 0.234),
    ("blind16", "holdout", "all", 0.257),
    ("blind17", "dev", "zh", 0.256),
    ("blind17", "dev", "en", 0.558),
    ("blind17", "dev", "mixed", 0.143),
    ("blind17", "dev", "all", 0.355),
    ("blind17", "holdout", "zh", 0.326),
    ("blind17", "holdout", "en", 0.402),
    ("blind17", "holdout", "mixed", 0.348),
    ("blind17", "holdout", "all", 0.361),
    ("blind18", "dev", "zh", 0.156),
    ("blind18", "dev", "en", 0.378),
    ("blind18", "dev", "mixed", 0.348),
    ("blind18", "dev", "all", 0.283),
    ("blind18", "holdout", "zh", 28.0 / 88.0),
    ("blind18", "holdout", "en", 0.261),
    ("blind18", "holdout", "mixed", 0.245),
    ("blind18", "holdout", "all", 0.279),
    ("blind19", "dev", "zh", 0.391),
    ("blind19", "dev", "en", 0.405),
    ("blind19", "dev", "mixed", 0.391),
    ("blind19", "dev", "all", 0.396),
    ("blind19", "holdout", "zh", 0.286),
    ("blind19", "holdout", "en", 0.362),
    ("blind19", "holdout", "mixed", 0.340),
    ("blind19", "holdout", "all", 0.328),
    ("blind20", "dev", "zh", 0.250),
    ("blind20", "dev", "en", 0.410),
    ("blind20", "dev", "mixed", 0.333),
    ("blind20", "dev", "all", 0.327),
    ("blind20", "holdout", "zh", 0.344),
    ("blind20", "holdout", "en", 0.319),
    ("blind20", "holdout", "mixed", 14.0 / 44.0),
    ("blind20", "holdout", "all", 0.329),
    ("blind21", "dev", "zh", 0.136),
    ("blind21", "dev", "en", 0.273),
    ("blind21", "dev", "mixed", 0.409),
    ("blind21", "dev", "all", 0.245),
    ("blind21", "holdout", "zh", 0.329),
    ("blind21", "holdout", "en", 0.357),
    ("blind21", "holdout", "mixed", 0.273),
    ("blind21", "holdout", "all", 0.326),
    ("blind22", "dev", "zh", 0.196),
    ("blind22", "dev", "en", 0.239),
    ("blind22", "dev", "mixed", 0.348),
    ("blind22", "dev", "all", 0.243),
    ("blind22", "holdout", "zh", 0.356),
    ("blind22", "holdout", "en", 0.393),
    ("blind22", "holdout", "mixed", 0.528),
    ("blind22", "holdout", "all", 0.410),
    ("blind23", "dev", "zh", 0.268),
    ("blind23", "dev", "en", 0.526),
    ("blind23", "dev", "mixed", 0.400),
    ("blind23", "dev", "all", 0.395),
    ("blind23", "holdout", "zh", 0.341),
    ("blind23", "holdout", "en", 0.357),
    ("blind23", "holdout", "mixed", 0.536),
    ("blind23", "holdout", "all", 0.404),
];

/// Checks the "suggested right" floor of one row, if it has one.
fn check_suggested(
    set: &str,
    split: &str,
    lang: &str,
    got: f64,
    answerable: usize,
    failures: &mut Vec<String>,
) {
    let floor = SUGGESTED
        .iter()
        .find(|m| m.0 == set && m.1 == split && m.2 == lang)
        .map(|m| m.3);
    if let Some(floor) = floor.filter(|f| got < f - slack(answerable)) {
        failures.push(format!(
            "{set} {split} {lang} suggested right: {got:.3} (measured {floor:.3})"
        ));
    }
}

/// Slack under a measured figure: a few points, or one question in a small
/// group (a single question moves the mixed-language rates by 7–9 points).
fn slack(n: usize) -> f64 {
    0.03_f64.max(1.0 / n.max(1) as f64 + 1e-9)
}

#[test]
fn quality_stays_above_the_measured_floors() {
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    for split in ["dev", "holdout"] {
        let set = EvalSet::load(&EvalSet::default_dir(), split).unwrap();
        let assistant = Assistant::new(&set.knowledge_docs(), OfflineConfig::default());
        let rows = retrieval_rows(&set.questions, |q| assistant.run(q));
        for (lang, r) in &rows {
            eprintln!("{split} {lang}: {r:?}");
            let Some(&(_, _, h1, h3, mrr, wrong, off, idk)) =
                RETRIEVAL.iter().find(|m| m.0 == split && m.1 == *lang)
            else {
                continue;
            };
            let s = slack(r.answerable);
            let so = slack(r.off_topic);
            let mut check = |what: &str, ok: bool, got: f64, measured: f64| {
                if !ok {
                    failures.push(format!(
                        "{split} {lang} {what}: {got:.3} (measured {measured:.3})"
                    ));
                }
            };
            check("hit@1", r.hit1 >= h1 - s, r.hit1, h1);
            check("hit@3", r.hit3 >= h3 - s, r.hit3, h3);
            check("MRR", r.mrr >= mrr - s, r.mrr, mrr);
            check("wrong answers", r.wrong <= wrong + s, r.wrong, wrong);
            check("I don't know", r.idk <= idk + s, r.idk, idk);
            check(
                "off-topic answered",
                r.off_topic_answered <= off + so,
                r.off_topic_answered,
                off,
            );
            check_suggested(
                "kivo",
                split,
                lang,
                r.suggested_right,
                r.answerable,
                &mut failures,
            );
        }
        for (lang, r) in handoff_rows(&set.handoff, wants_human) {
            eprintln!("{split} handoff {lang}: {r:?}");
            let Some(&(_, _, p, rc)) = HANDOFF.iter().find(|m| m.0 == split && m.1 == lang) else {
                continue;
            };
            check_handoff(&format!("{split} {lang}"), &r, p, rc, &mut failures);
        }
    }
    eprintln!("evaluated in {:.1?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "below the floors:\n{}",
        failures.join("\n")
    );
}

/// Measured handoff figures on the authors' own sets (`handoff.hand14-*`,
/// `handoff.hand14e-*`, `handoff.hand14f-*` and `handoff.hand14g-*`, see
/// the eval README; docs/BENCHMARKS.md, "Handoff, fourth pass", "Handoff,
/// fifth pass", "Handoff, sixth pass" and "Handoff, seventh pass"): file, language,
/// precision, recall. The check sets' figures are as measured once, not
/// tuned on.
const HANDOFF_SETS: &[(&str, &str, f64, f64)] = &[
    ("handoff.hand14-dev.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-dev.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-dev4.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-dev5.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14-dev6.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-dev6.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14-dev7.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-dev7.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14-check.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14-check.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14e-dev.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-dev.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14e-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14e-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14e-dev3.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14e-check.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-check.jsonl", "en", 1.000, 0.950),
    ("handoff.hand14e-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-dev4.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14e-dev4.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14e-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-dev5.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14e-dev5.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14e-dev6.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-dev6.jsonl", "en", 1.000, 0.867),
    ("handoff.hand14e-dev6.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14e-dev7.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14e-dev7.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14e-dev7.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14e-check.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14f-dev1.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-dev1.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14f-dev1.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14f-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14f-dev2.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14f-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14f-dev3.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14f-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-dev4.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14f-dev4.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14f-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-dev5.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14f-dev5.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14f-dev6.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-dev6.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14f-dev6.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14f-dev7.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-dev7.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14f-dev7.jsonl", "mixed", 1.000, 1.000),
    // The sixth pass's check set, as measured once (not tuned on).
    ("handoff.hand14f-check.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14f-check.jsonl", "en", 1.000, 0.950),
    ("handoff.hand14f-check.jsonl", "mixed", 1.000, 1.000),
    // The seventh pass's rounds (hand14g), after its fixes.
    ("handoff.hand14g-dev1.jsonl", "zh", 1.000, 0.978),
    ("handoff.hand14g-dev1.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev1.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev2.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev3.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev4.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev4.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev5.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev5.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev6.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev6.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev6.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev7.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev7.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev7.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev8.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev8.jsonl", "en", 1.000, 0.933),
    ("handoff.hand14g-dev8.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev9.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev9.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev9.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev10.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev10.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev10.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev11.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev11.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev11.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev12.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev12.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev12.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev13.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev13.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev13.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev14.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev14.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev14.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev15.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev15.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev15.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev16.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev16.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev16.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev17.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev17.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev17.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev18.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev18.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev18.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev19.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev19.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev19.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev20.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev20.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev20.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand14g-dev21.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev21.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev21.jsonl", "mixed", 1.000, 0.667),
    ("handoff.hand14g-dev22.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-dev22.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-dev22.jsonl", "mixed", 1.000, 1.000),
    // The seventh pass's check set, as measured once (not tuned on).
    ("handoff.hand14g-check.jsonl", "zh", 0.952, 1.000),
    ("handoff.hand14g-check.jsonl", "en", 1.000, 0.950),
    ("handoff.hand14g-check.jsonl", "mixed", 1.000, 1.000),
    // Its second check set, written after the last fix, measured once.
    ("handoff.hand14g-check2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand14g-check2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand14g-check2.jsonl", "mixed", 1.000, 1.000),
    // The eighth pass's rounds (hand15), at their figures after the pass.
    ("handoff.hand15-dev1.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand15-dev1.jsonl", "en", 1.000, 1.000),
    ("handoff.hand15-dev1.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand15-dev2.jsonl", "zh", 0.947, 0.900),
    ("handoff.hand15-dev2.jsonl", "en", 1.000, 0.938),
    ("handoff.hand15-dev2.jsonl", "mixed", 1.000, 0.714),
    ("handoff.hand15-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand15-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand15-dev3.jsonl", "mixed", 1.000, 0.800),
    ("handoff.hand15-dev4.jsonl", "zh", 1.000, 0.929),
    ("handoff.hand15-dev4.jsonl", "en", 0.909, 0.909),
    ("handoff.hand15-dev4.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand15-dev5.jsonl", "zh", 1.000, 0.714),
    ("handoff.hand15-dev5.jsonl", "en", 1.000, 0.857),
    ("handoff.hand15-dev5.jsonl", "mixed", 1.000, 0.833),
    ("handoff.hand15-dev6.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand15-dev6.jsonl", "en", 1.000, 1.000),
    ("handoff.hand15-dev6.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand15-dev7.jsonl", "zh", 1.000, 0.857),
    ("handoff.hand15-dev7.jsonl", "en", 1.000, 1.000),
    ("handoff.hand15-dev7.jsonl", "mixed", 1.000, 0.750),
    ("handoff.hand15-dev8.jsonl", "zh", 1.000, 0.500),
    ("handoff.hand15-dev8.jsonl", "en", 1.000, 1.000),
    ("handoff.hand15-dev8.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand15-dev9.jsonl", "zh", 1.000, 0.667),
    // The hand15b round (four classes: someone to come forward, automated
    // answers refused, 人工处理吧, owners and departments), at its figures
    // after the pass (as written: zh .952 / .714, en .857 / .545, mixed
    // 1.00 / .333).
    ("handoff.hand15b-dev1.jsonl", "zh", 1.000, 0.964),
    ("handoff.hand15b-dev1.jsonl", "en", 1.000, 0.955),
    ("handoff.hand15b-dev1.jsonl", "mixed", 1.000, 0.833),
    // Its second round, same classes, written after the first fixes
    // (as written: zh .944 / .944, en .833 / .769, mixed 1.00 / .750).
    ("handoff.hand15b-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand15b-dev2.jsonl", "en", 1.000, 0.846),
    ("handoff.hand15b-dev2.jsonl", "mixed", 1.000, 1.000),
    // The tenth pass's rounds (hand16: telecom, education, furniture,
    // insurance, public services, food delivery), each committed before
    // the grammar ran on it, at their figures after the pass (as written,
    // P / R zh, en, mixed: dev1 1.00 / .778, 1.00 / .714, 1.00 / .833;
    // dev2 1.00 / .611, 1.00 / .857, 1.00 / 1.00; dev3 1.00 / .750,
    // 1.00 / .769, .750 / .600; dev4 1.00 / .875, 1.00 / .846, 1.00 / .800;
    // dev5 1.00 / .867, 1.00 / .667, 1.00 / .250).
    ("handoff.hand16-dev1.jsonl", "zh", 1.000, 0.944),
    ("handoff.hand16-dev1.jsonl", "en", 1.000, 1.000),
    ("handoff.hand16-dev1.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand16-dev2.jsonl", "zh", 1.000, 0.944),
    ("handoff.hand16-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand16-dev2.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand16-dev3.jsonl", "zh", 1.000, 0.938),
    ("handoff.hand16-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand16-dev3.jsonl", "mixed", 1.000, 0.600),
    ("handoff.hand16-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand16-dev4.jsonl", "en", 1.000, 1.000),
    ("handoff.hand16-dev4.jsonl", "mixed", 1.000, 0.800),
    ("handoff.hand16-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand16-dev5.jsonl", "en", 1.000, 0.917),
    ("handoff.hand16-dev5.jsonl", "mixed", 1.000, 0.750),
    // dev6 (code-switching and short forms; as written zh 1.00 / .800,
    // en 1.00 / .750, mixed 1.00 / 1.00), written after the check set.
    ("handoff.hand16-dev6.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand16-dev6.jsonl", "en", 1.000, 0.875),
    ("handoff.hand16-dev6.jsonl", "mixed", 1.000, 1.000),
    // Its check set, written after the dev5 fixes and measured once (the
    // same after the dev6 fixes; main: zh .909 / .769, en 1.00 / .636,
    // mixed 1.00 / .750), never tuned on.
    ("handoff.hand16-check.jsonl", "zh", 0.917, 0.846),
    ("handoff.hand16-check.jsonl", "en", 1.000, 0.818),
    ("handoff.hand16-check.jsonl", "mixed", 1.000, 0.750),
    // The eleventh pass's rounds (hand17: bank, hospital, airline,
    // admissions, property, car service, utilities, pharmacy, car rental),
    // each committed before the grammar ran on it, at their figures after
    // the pass (as written, P / R zh, en, mixed: dev1 1.00 / .750,
    // 1.00 / .923, 1.00 / 1.00; dev2 1.00 / .733, 1.00 / .833, 1.00 / .800;
    // dev3 1.00 / 1.00, .900 / .900, 1.00 / .750; dev4 1.00 / .923,
    // .857 / .600, 1.00 / .750; dev5 1.00 / .667, 1.00 / .500, 1.00 / 1.00).
    ("handoff.hand17-dev1.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand17-dev1.jsonl", "en", 1.000, 1.000),
    ("handoff.hand17-dev1.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand17-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand17-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand17-dev2.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand17-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand17-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand17-dev3.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand17-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand17-dev4.jsonl", "en", 1.000, 0.900),
    ("handoff.hand17-dev4.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand17-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand17-dev5.jsonl", "en", 1.000, 0.625),
    ("handoff.hand17-dev5.jsonl", "mixed", 1.000, 1.000),
    // dev6 (gym, interior design, banking; weighted to Chinese and
    // code-switching; as written zh 1.00 / .643, en .667 / .333, mixed
    // 1.00 / 1.00), written after the check set.
    ("handoff.hand17-dev6.jsonl", "zh", 1.000, 0.786),
    ("handoff.hand17-dev6.jsonl", "en", 1.000, 0.667),
    ("handoff.hand17-dev6.jsonl", "mixed", 1.000, 1.000),
    // Its check set, written after the dev5 fixes and measured once
    // (main's figures exactly; the same after the dev6 fixes), never
    // tuned on.
    ("handoff.hand17-check.jsonl", "zh", 1.000, 0.750),
    ("handoff.hand17-check.jsonl", "en", 1.000, 1.000),
    ("handoff.hand17-check.jsonl", "mixed", 1.000, 1.000),
    // The twelfth pass's rounds (hand18: mobile game, marketplace seller,
    // bike share, language school, food delivery, crypto exchange,
    // streaming, hotel booking, solar installer, mobile carrier, ride
    // hailing, dating app, used cars, kindergarten; weighted to
    // code-switching), each committed before the grammar ran on it, at
    // their figures after the pass (as written, P / R zh, en, mixed: dev1
    // 1.00 / .875, .889 / 1.00, 1.00 / 1.00; dev2 1.00 / 1.00, 1.00 / 1.00,
    // 1.00 / .833; dev3 1.00 / .667, .857 / .857, 1.00 / .917).
    ("handoff.hand18-dev1.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand18-dev1.jsonl", "en", 1.000, 1.000),
    ("handoff.hand18-dev1.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand18-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand18-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand18-dev2.jsonl", "mixed", 1.000, 1.000),
    ("handoff.hand18-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand18-dev3.jsonl", "en", 1.000, 1.000),
    ("handoff.hand18-dev3.jsonl", "mixed", 1.000, 1.000),
    // dev4 (cloud hosting, parcel lockers, pet insurance, wedding venue,
    // e-bike repair, kids' tablets, fuel cards; as written zh 1.00 / 1.00,
    // en 1.00 / .857, mixed 1.00 / .667), written after the dev1-3 fixes.
    ("handoff.hand18-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand18-dev4.jsonl", "en", 1.000, 1.000),
    ("handoff.hand18-dev4.jsonl", "mixed", 1.000, 0.917),
    // dev5 (logistics, card fraud, B2B sales, a game's GM, pharmacy,
    // handmade soap; as written zh 1.00 / 1.00, en 1.00 / .667, mixed
    // 1.00 / .636), written after the dev4 fixes.
    ("handoff.hand18-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand18-dev5.jsonl", "en", 1.000, 1.000),
    ("handoff.hand18-dev5.jsonl", "mixed", 1.000, 0.909),
    // dev6 (rentals and property management, airline ticketing,
    // insurance, interior design; as written zh 1.00 / .667, en
    // 1.00 / 1.00, mixed 1.00 / .444), written after the dev5 fixes.
    ("handoff.hand18-dev6.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand18-dev6.jsonl", "en", 1.000, 1.000),
    ("handoff.hand18-dev6.jsonl", "mixed", 1.000, 0.778),
    // Its check set (florist, phone repair, camping rental, online
    // courses, parking), written after the dev6 fixes and measured once
    // (main's figures exactly), never tuned on.
    ("handoff.hand18-check.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand18-check.jsonl", "en", 1.000, 1.000),
    ("handoff.hand18-check.jsonl", "mixed", 1.000, 0.875),
    // The thirteenth pass's rounds (hand19: Chinese and English only,
    // indirect, polite, angry and long requests, visits and call-backs,
    // and hard negatives of the same shapes), each committed before the
    // grammar ran on it, at their figures after the pass (as written, P /
    // R zh, en: dev1 .950 / .950, .947 / .900; dev2 .882 / .833, .895 /
    // .944; dev3, after the dev1-2 fixes, 1.00 / .765, 1.00 / .562; dev4
    // .917 / .733, .875 / .467; dev5 1.00 / .889, .846 / .786).
    ("handoff.hand19-dev1.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand19-dev1.jsonl", "en", 1.000, 1.000),
    ("handoff.hand19-dev2.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand19-dev2.jsonl", "en", 1.000, 1.000),
    ("handoff.hand19-dev3.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand19-dev3.jsonl", "en", 1.000, 0.812),
    ("handoff.hand19-dev4.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand19-dev4.jsonl", "en", 1.000, 0.667),
    ("handoff.hand19-dev5.jsonl", "zh", 1.000, 1.000),
    ("handoff.hand19-dev5.jsonl", "en", 1.000, 0.929),
    // Its check set (hearing aids, membership, a ward, broadband, a salon,
    // plumbing, interior design), written after the dev4 fixes and
    // measured once (main's figures exactly), never tuned on.
    ("handoff.hand19-check.jsonl", "zh", 1.000, 0.917),
    ("handoff.hand19-check.jsonl", "en", 1.000, 0.500),
];

/// Records a failure when `row` is below the measured precision `p` or
/// recall `rc`, less the slack.
fn check_handoff(what: &str, row: &HandoffRow, p: f64, rc: f64, failures: &mut Vec<String>) {
    let s = slack(row.positives);
    if row.precision < p - s {
        failures.push(format!(
            "{what} handoff precision {:.3} (measured {p:.3})",
            row.precision
        ));
    }
    if row.recall < rc - s {
        failures.push(format!(
            "{what} handoff recall {:.3} (measured {rc:.3})",
            row.recall
        ));
    }
}

fn load_handoff(file: &str) -> Vec<HandoffCase> {
    let path = EvalSet::default_dir().join(file);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn handoff_on_the_authors_sets_stays_above_the_measured_floors() {
    let mut failures = Vec::new();
    for &(file, lang, p, r) in HANDOFF_SETS {
        let cases = load_handoff(file);
        let rows = handoff_rows(&cases, wants_human);
        let (_, row) = rows.iter().find(|(l, _)| *l == lang).unwrap();
        eprintln!("{file} {lang}: {row:?}");
        check_handoff(&format!("{file} {lang}"), row, p, r, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "below the floors:\n{}",
        failures.join("\n")
    );
}

/// The blind sets (`eval/blind6..20`, README there), as measured by the
/// coordinator when they were committed (docs/BENCHMARKS.md, "Three more
/// blind sets" for blind6..8, "Three fresh blind sets" for blind9..11,
/// "Blind sets 12–14" for blind12..14, "Blind sets 15–17" for
/// blind15..17, whose dev rows are what integ12 measures on them;
/// blind18..20 at what main df5ee4e measures, rows written by
/// `eval/gate_rows.py`, which regenerates them; the blind6..8 handoff rows were
/// raised later to what hand15 measured, and six off-topic ceilings of
/// blind9, 10 and 12 lowered to what scope17 measured: "问题", "有问题",
/// "what's my current data usage" no longer answered, and 21 off-topic
/// ceilings of blind7, 8, 11 and 13–17 lowered to what scope18 measured:
/// other companies' things, record numbers, look-ups for staff, topics
/// the knowledge base never names no longer answered; every blind set's
/// rows regenerated by `eval/gate_rows.py` when decide19 let a Chinese
/// question's first document lead by its title and required confidence
/// 0.21 of either Chinese lead, docs/BENCHMARKS.md, "The answer
/// decision, twelfth pass"): set, split, language, hit@1,
/// hit@3, wrong-answer rate,
/// off-topic-answered rate, "I don't know" rate. They are no longer unseen:
/// this is a regression check, not a claim about new questions.
#[allow(clippy::type_complexity)]
const BLIND: &[(&str, &str, &str, f64, f64, f64, f64, f64)] = &[
    // rankzh19 (a re-ranker for Chinese questions, docs/BENCHMARKS.md, "A
    // re-ranker for Chinese questions"): two dev zh questions lost the
    // right title from the first three (hit@3 .933 → .889), the holdout
    // gained two first documents and one off-topic answer fewer; measured
    // anew with gate_rows.py.
    ("blind6", "dev", "zh", 0.818, 0.964, 0.036, 0.000, 0.545),
    ("blind6", "dev", "en", 0.750, 0.938, 0.000, 0.000, 0.542),
    ("blind6", "dev", "mixed", 0.917, 0.917, 0.000, 0.000, 0.333),
    ("blind6", "dev", "all", 0.800, 0.948, 0.017, 0.000, 0.522),
    ("blind6", "holdout", "zh", 0.764, 0.868, 0.009, 0.000, 0.575),
    ("blind6", "holdout", "en", 0.781, 0.895, 0.010, 0.000, 0.590),
    (
        "blind6", "holdout", "mixed", 0.808, 1.000, 0.038, 0.000, 0.615,
    ),
    (
        "blind6", "holdout", "all", 0.776, 0.895, 0.013, 0.000, 0.586,
    ),
    ("blind7", "dev", "zh", 0.704, 0.815, 0.019, 0.000, 0.648),
    ("blind7", "dev", "en", 0.587, 0.826, 0.065, 0.000, 0.652),
    ("blind7", "dev", "mixed", 0.917, 1.000, 0.000, 0.000, 0.333),
    ("blind7", "dev", "all", 0.679, 0.839, 0.036, 0.000, 0.616),
    ("blind7", "holdout", "zh", 0.739, 0.883, 0.045, 0.000, 0.532),
    ("blind7", "holdout", "en", 0.674, 0.832, 0.063, 0.000, 0.505),
    (
        "blind7", "holdout", "mixed", 0.741, 1.000, 0.000, 0.000, 0.519,
    ),
    (
        "blind7", "holdout", "all", 0.712, 0.876, 0.047, 0.000, 0.519,
    ),
    ("blind8", "dev", "zh", 0.820, 0.960, 0.040, 0.000, 0.560),
    ("blind8", "dev", "en", 0.820, 0.980, 0.000, 0.000, 0.560),
    ("blind8", "dev", "mixed", 0.846, 1.000, 0.000, 0.000, 0.231),
    ("blind8", "dev", "all", 0.823, 0.973, 0.018, 0.000, 0.522),
    ("blind8", "holdout", "zh", 0.761, 0.920, 0.018, 0.067, 0.460),
    ("blind8", "holdout", "en", 0.818, 0.970, 0.010, 0.067, 0.515),
    (
        "blind8", "holdout", "mixed", 0.682, 0.773, 0.091, 0.000, 0.500,
    ),
    (
        "blind8", "holdout", "all", 0.778, 0.927, 0.021, 0.065, 0.487,
    ),
    ("blind9", "dev", "zh", 0.814, 0.884, 0.000, 0.000, 0.674),
    ("blind9", "dev", "en", 0.605, 0.837, 0.023, 0.167, 0.651),
    ("blind9", "dev", "mixed", 0.818, 1.000, 0.000, 0.000, 0.455),
    ("blind9", "dev", "all", 0.731, 0.889, 0.009, 0.071, 0.620),
    ("blind9", "holdout", "zh", 0.772, 0.935, 0.000, 0.000, 0.652),
    ("blind9", "holdout", "en", 0.713, 0.840, 0.053, 0.083, 0.532),
    (
        "blind9", "holdout", "mixed", 0.660, 0.936, 0.021, 0.000, 0.596,
    ),
    (
        "blind9", "holdout", "all", 0.725, 0.897, 0.026, 0.032, 0.592,
    ),
    ("blind10", "dev", "zh", 0.816, 1.000, 0.041, 0.000, 0.612),
    ("blind10", "dev", "en", 0.682, 0.864, 0.045, 0.000, 0.591),
    ("blind10", "dev", "mixed", 0.833, 1.000, 0.056, 0.000, 0.500),
    ("blind10", "dev", "all", 0.766, 0.946, 0.045, 0.000, 0.586),
    (
        "blind10", "holdout", "zh", 0.816, 0.939, 0.000, 0.091, 0.653,
    ),
    (
        "blind10", "holdout", "en", 0.685, 0.865, 0.034, 0.000, 0.584,
    ),
    (
        "blind10", "holdout", "mixed", 0.857, 0.952, 0.000, 0.000, 0.500,
    ),
    (
        "blind10", "holdout", "all", 0.773, 0.913, 0.013, 0.033, 0.598,
    ),
    ("blind11", "dev", "zh", 0.878, 0.927, 0.000, 0.000, 0.537),
    ("blind11", "dev", "en", 0.814, 0.977, 0.093, 0.167, 0.372),
    ("blind11", "dev", "mixed", 0.750, 0.964, 0.036, 0.000, 0.429),
    ("blind11", "dev", "all", 0.821, 0.955, 0.045, 0.067, 0.446),
    (
        "blind11", "holdout", "zh", 0.900, 0.980, 0.020, 0.000, 0.610,
    ),
    (
        "blind11", "holdout", "en", 0.769, 0.890, 0.044, 0.000, 0.473,
    ),
    (
        "blind11", "holdout", "mixed", 0.826, 0.957, 0.043, 0.000, 0.478,
    ),
    (
        "blind11", "holdout", "all", 0.835, 0.941, 0.034, 0.000, 0.532,
    ),
    ("blind12", "dev", "zh", 0.857, 1.000, 0.000, 0.167, 0.452),
    ("blind12", "dev", "en", 0.767, 0.930, 0.070, 0.000, 0.605),
    ("blind12", "dev", "mixed", 0.630, 0.926, 0.074, 0.000, 0.407),
    ("blind12", "dev", "all", 0.768, 0.955, 0.045, 0.071, 0.500),
    (
        "blind12", "holdout", "zh", 0.762, 0.952, 0.000, 0.083, 0.655,
    ),
    (
        "blind12", "holdout", "en", 0.744, 0.953, 0.047, 0.143, 0.477,
    ),
    (
        "blind12", "holdout", "mixed", 0.870, 0.963, 0.019, 0.000, 0.352,
    ),
    (
        "blind12", "holdout", "all", 0.781, 0.955, 0.022, 0.100, 0.513,
    ),
    ("blind13", "dev", "zh", 0.889, 0.978, 0.044, 0.000, 0.333),
    ("blind13", "dev", "en", 0.810, 0.952, 0.024, 0.000, 0.405),
    ("blind13", "dev", "mixed", 0.786, 0.964, 0.036, 0.000, 0.357),
    ("blind13", "dev", "all", 0.835, 0.965, 0.035, 0.000, 0.365),
    (
        "blind13", "holdout", "zh", 0.864, 0.963, 0.000, 0.000, 0.654,
    ),
    (
        "blind13", "holdout", "en", 0.814, 0.977, 0.012, 0.000, 0.453,
    ),
    (
        "blind13", "holdout", "mixed", 0.741, 0.926, 0.093, 0.000, 0.481,
    ),
    (
        "blind13", "holdout", "all", 0.814, 0.959, 0.027, 0.000, 0.534,
    ),
    ("blind14", "dev", "zh", 0.881, 0.952, 0.000, 0.000, 0.476),
    (
        "blind14",
        "dev",
        "en",
        0.841,
        0.932,
        0.045,
        0.000,
        14.0 / 44.0,
    ),
    ("blind14", "dev", "mixed", 0.808, 0.962, 0.000, 0.000, 0.423),
    ("blind14", "dev", "all", 0.848, 0.946, 0.018, 0.000, 0.402),
    (
        "blind14", "holdout", "zh", 0.798, 0.960, 0.000, 0.083, 0.556,
    ),
    (
        "blind14", "holdout", "en", 0.812, 0.938, 0.010, 0.000, 0.490,
    ),
    (
        "blind14", "holdout", "mixed", 0.756, 0.933, 0.044, 0.167, 0.511,
    ),
    (
        "blind14", "holdout", "all", 0.796, 0.946, 0.013, 0.067, 0.521,
    ),
    ("blind15", "dev", "zh", 0.872, 0.957, 0.085, 0.000, 0.426),
    ("blind15", "dev", "en", 0.860, 0.907, 0.023, 0.000, 0.395),
    ("blind15", "dev", "mixed", 0.957, 1.000, 0.000, 0.000, 0.522),
    ("blind15", "dev", "all", 0.885, 0.947, 0.044, 0.000, 0.434),
    (
        "blind15", "holdout", "zh", 0.844, 0.922, 0.033, 0.000, 0.489,
    ),
    (
        "blind15", "holdout", "en", 0.802, 0.938, 0.031, 0.000, 0.427,
    ),
    (
        "blind15", "holdout", "mixed", 0.875, 0.979, 0.021, 0.000, 0.417,
    ),
    (
        "blind15", "holdout", "all", 0.833, 0.940, 0.030, 0.000, 0.449,
    ),
    ("blind16", "dev", "zh", 0.881, 0.952, 0.000, 0.000, 0.405),
    ("blind16", "dev", "en", 0.750, 0.864, 0.068, 0.000, 0.455),
    ("blind16", "dev", "mixed", 0.800, 1.000, 0.080, 0.000, 0.520),
    ("blind16", "dev", "all", 0.811, 0.928, 0.045, 0.000, 0.450),
    (
        "blind16", "holdout", "zh", 0.890, 0.956, 0.000, 0.000, 0.407,
    ),
    (
        "blind16", "holdout", "en", 0.826, 0.913, 0.043, 0.000, 0.326,
    ),
    (
        "blind16", "holdout", "mixed", 0.915, 0.957, 0.000, 0.000, 0.319,
    ),
    (
        "blind16", "holdout", "all", 0.870, 0.939, 0.017, 0.000, 0.357,
    ),
    ("blind17", "dev", "zh", 0.744, 0.930, 0.023, 0.000, 0.512),
    ("blind17", "dev", "en", 0.814, 0.977, 0.047, 0.000, 0.581),
    ("blind17", "dev", "mixed", 0.810, 0.952, 0.048, 0.000, 0.286),
    ("blind17", "dev", "all", 0.785, 0.953, 0.037, 0.000, 0.495),
    (
        "blind17", "holdout", "zh", 0.826, 0.924, 0.022, 0.000, 0.446,
    ),
    (
        "blind17", "holdout", "en", 0.826, 0.935, 0.033, 0.000, 0.467,
    ),
    (
        "blind17", "holdout", "mixed", 0.848, 0.935, 0.022, 0.167, 0.478,
    ),
    (
        "blind17", "holdout", "all", 0.830, 0.930, 0.026, 0.033, 0.461,
    ),
    ("blind18", "dev", "zh", 0.889, 0.889, 0.000, 0.000, 0.222),
    ("blind18", "dev", "en", 0.844, 0.978, 0.022, 0.333, 0.400),
    ("blind18", "dev", "mixed", 0.870, 0.957, 0.043, 0.000, 0.478),
    ("blind18", "dev", "all", 0.867, 0.938, 0.018, 0.133, 0.345),
    (
        "blind18", "holdout", "zh", 0.784, 0.875, 0.034, 0.167, 0.545,
    ),
    (
        "blind18", "holdout", "en", 0.772, 0.848, 0.022, 0.083, 0.413,
    ),
    (
        "blind18", "holdout", "mixed", 0.796, 0.980, 0.000, 0.167, 0.449,
    ),
    (
        "blind18", "holdout", "all", 0.782, 0.886, 0.022, 0.133, 0.472,
    ),
    ("blind19", "dev", "zh", 0.935, 0.957, 0.022, 0.000, 0.413),
    ("blind19", "dev", "en", 0.762, 0.929, 0.024, 0.000, 0.500),
    ("blind19", "dev", "mixed", 0.826, 1.000, 0.000, 0.000, 0.435),
    ("blind19", "dev", "all", 0.847, 0.955, 0.018, 0.000, 0.450),
    (
        "blind19", "holdout", "zh", 0.780, 0.923, 0.055, 0.083, 0.385,
    ),
    (
        "blind19", "holdout", "en", 0.830, 0.947, 0.011, 0.000, 0.436,
    ),
    (
        "blind19", "holdout", "mixed", 0.860, 0.940, 0.040, 0.000, 0.420,
    ),
    (
        "blind19", "holdout", "all", 0.817, 0.936, 0.034, 0.033, 0.413,
    ),
    ("blind20", "dev", "zh", 0.841, 0.932, 0.045, 0.000, 0.364),
    ("blind20", "dev", "en", 0.718, 0.897, 0.026, 0.000, 0.538),
    ("blind20", "dev", "mixed", 0.952, 1.000, 0.000, 0.000, 0.381),
    ("blind20", "dev", "all", 0.817, 0.933, 0.029, 0.000, 0.433),
    (
        "blind20", "holdout", "zh", 0.771, 0.938, 0.021, 0.000, 0.562,
    ),
    (
        "blind20", "holdout", "en", 0.703, 0.868, 0.044, 0.000, 0.451,
    ),
    (
        "blind20", "holdout", "mixed", 0.795, 0.932, 0.068, 0.000, 0.409,
    ),
    (
        "blind20", "holdout", "all", 0.749, 0.909, 0.039, 0.000, 0.489,
    ),
    ("blind21", "dev", "zh", 0.864, 0.977, 0.000, 0.000, 0.250),
    ("blind21", "dev", "en", 0.886, 0.909, 0.000, 0.000, 0.364),
    ("blind21", "dev", "mixed", 0.773, 0.955, 0.091, 0.000, 0.500),
    ("blind21", "dev", "all", 0.855, 0.945, 0.018, 0.000, 0.345),
    (
        "blind21", "holdout", "zh", 0.859, 0.965, 0.012, 0.000, 0.435,
    ),
    (
        "blind21", "holdout", "en", 0.762, 0.929, 0.083, 0.000, 0.393,
    ),
    (
        "blind21", "holdout", "mixed", 0.855, 0.945, 0.018, 0.000, 0.345,
    ),
    (
        "blind21", "holdout", "all", 0.821, 0.946, 0.040, 0.000, 0.397,
    ),
    ("blind22", "dev", "zh", 0.870, 0.935, 0.043, 0.000, 0.348),
    ("blind22", "dev", "en", 0.957, 1.000, 0.022, 0.000, 0.239),
    ("blind22", "dev", "mixed", 0.826, 0.957, 0.043, 0.000, 0.391),
    ("blind22", "dev", "all", 0.896, 0.965, 0.035, 0.000, 0.313),
    (
        "blind22", "holdout", "zh", 0.822, 0.989, 0.022, 0.000, 0.522,
    ),
    (
        "blind22", "holdout", "en", 0.798, 0.952, 0.048, 0.000, 0.452,
    ),
    (
        "blind22", "holdout", "mixed", 0.868, 1.000, 0.038, 0.000, 0.585,
    ),
    (
        "blind22", "holdout", "all", 0.824, 0.978, 0.035, 0.000, 0.511,
    ),
    ("blind23", "dev", "zh", 0.756, 0.976, 0.073, 0.167, 0.415),
    ("blind23", "dev", "en", 0.816, 0.895, 0.026, 0.167, 0.632),
    ("blind23", "dev", "mixed", 0.771, 1.000, 0.029, 0.000, 0.514),
    ("blind23", "dev", "all", 0.781, 0.956, 0.044, 0.133, 0.518),
    (
        "blind23", "holdout", "zh", 0.817, 0.915, 0.049, 0.071, 0.488,
    ),
    (
        "blind23", "holdout", "en", 0.762, 0.929, 0.071, 0.000, 0.452,
    ),
    (
        "blind23", "holdout", "mixed", 0.580, 0.957, 0.087, 0.000, 0.681,
    ),
    (
        "blind23", "holdout", "all", 0.728, 0.932, 0.068, 0.033, 0.532,
    ),
];
/// The blind sets' handoff figures: set, split, language, precision, recall.
#[allow(clippy::type_complexity)]
const BLIND_HANDOFF: &[(&str, &str, &str, f64, f64)] = &[
    ("blind6", "dev", "zh", 1.000, 1.000),
    ("blind6", "dev", "en", 1.000, 1.000),
    ("blind6", "dev", "mixed", 1.000, 1.000),
    ("blind6", "dev", "all", 1.000, 1.000),
    ("blind6", "holdout", "zh", 1.000, 0.975),
    ("blind6", "holdout", "en", 1.000, 1.000),
    ("blind6", "holdout", "mixed", 1.000, 1.000),
    ("blind6", "holdout", "all", 1.000, 0.989),
    ("blind7", "dev", "zh", 1.000, 1.000),
    ("blind7", "dev", "en", 1.000, 1.000),
    ("blind7", "dev", "mixed", 1.000, 1.000),
    ("blind7", "dev", "all", 1.000, 1.000),
    ("blind7", "holdout", "zh", 0.977, 0.956),
    ("blind7", "holdout", "en", 1.000, 1.000),
    ("blind7", "holdout", "mixed", 1.000, 1.000),
    ("blind7", "holdout", "all", 0.989, 0.979),
    ("blind8", "dev", "zh", 1.000, 1.000),
    ("blind8", "dev", "en", 1.000, 1.000),
    ("blind8", "dev", "mixed", 1.000, 1.000),
    ("blind8", "dev", "all", 1.000, 1.000),
    ("blind8", "holdout", "zh", 1.000, 1.000),
    ("blind8", "holdout", "en", 1.000, 1.000),
    ("blind8", "holdout", "mixed", 1.000, 1.000),
    ("blind8", "holdout", "all", 1.000, 1.000),
    ("blind9", "dev", "zh", 1.000, 1.000),
    ("blind9", "dev", "en", 1.000, 1.000),
    ("blind9", "dev", "mixed", 1.000, 1.000),
    ("blind9", "dev", "all", 1.000, 1.000),
    ("blind9", "holdout", "zh", 1.000, 1.000),
    ("blind9", "holdout", "en", 1.000, 1.000),
    ("blind9", "holdout", "mixed", 1.000, 1.000),
    ("blind9", "holdout", "all", 1.000, 1.000),
    ("blind10", "dev", "zh", 1.000, 1.000),
    ("blind10", "dev", "en", 1.000, 1.000),
    ("blind10", "dev", "mixed", 1.000, 1.000),
    ("blind10", "dev", "all", 1.000, 1.000),
    ("blind10", "holdout", "zh", 0.950, 0.974),
    ("blind10", "holdout", "en", 0.941, 0.970),
    ("blind10", "holdout", "mixed", 1.000, 1.000),
    ("blind10", "holdout", "all", 0.956, 0.978),
    ("blind11", "dev", "zh", 1.000, 1.000),
    ("blind11", "dev", "en", 1.000, 1.000),
    ("blind11", "dev", "mixed", 1.000, 1.000),
    ("blind11", "dev", "all", 1.000, 1.000),
    ("blind11", "holdout", "zh", 1.000, 0.972),
    ("blind11", "holdout", "en", 0.944, 0.971),
    ("blind11", "holdout", "mixed", 0.941, 0.889),
    ("blind11", "holdout", "all", 0.966, 0.955),
    ("blind12", "dev", "zh", 1.000, 1.000),
    ("blind12", "dev", "en", 1.000, 1.000),
    ("blind12", "dev", "mixed", 1.000, 1.000),
    ("blind12", "dev", "all", 1.000, 1.000),
    ("blind12", "holdout", "zh", 0.972, 0.972),
    ("blind12", "holdout", "en", 1.000, 0.972),
    ("blind12", "holdout", "mixed", 1.000, 0.944),
    ("blind12", "holdout", "all", 0.989, 0.967),
    ("blind13", "dev", "zh", 1.000, 1.000),
    ("blind13", "dev", "en", 1.000, 1.000),
    ("blind13", "dev", "mixed", 1.000, 1.000),
    ("blind13", "dev", "all", 1.000, 1.000),
    ("blind13", "holdout", "zh", 1.000, 1.000),
    ("blind13", "holdout", "en", 0.973, 1.000),
    ("blind13", "holdout", "mixed", 1.000, 1.000),
    ("blind13", "holdout", "all", 0.989, 1.000),
    ("blind14", "dev", "zh", 1.000, 1.000),
    ("blind14", "dev", "en", 1.000, 1.000),
    ("blind14", "dev", "mixed", 1.000, 1.000),
    ("blind14", "dev", "all", 1.000, 1.000),
    ("blind14", "holdout", "zh", 1.000, 0.889),
    ("blind14", "holdout", "en", 1.000, 0.944),
    ("blind14", "holdout", "mixed", 1.000, 0.944),
    ("blind14", "holdout", "all", 1.000, 0.922),
    ("blind15", "dev", "zh", 1.000, 1.000),
    ("blind15", "dev", "en", 1.000, 1.000),
    ("blind15", "dev", "mixed", 1.000, 1.000),
    ("blind15", "dev", "all", 1.000, 1.000),
    ("blind15", "holdout", "zh", 1.000, 1.000),
    ("blind15", "holdout", "en", 0.971, 1.000),
    ("blind15", "holdout", "mixed", 1.000, 0.947),
    ("blind15", "holdout", "all", 0.989, 0.989),
    ("blind16", "dev", "zh", 1.000, 1.000),
    ("blind16", "dev", "en", 1.000, 1.000),
    ("blind16", "dev", "mixed", 1.000, 1.000),
    ("blind16", "dev", "all", 1.000, 1.000),
    ("blind16", "holdout", "zh", 1.000, 0.972),
    ("blind16", "holdout", "en", 0.973, 1.000),
    ("blind16", "holdout", "mixed", 1.000, 1.000),
    ("blind16", "holdout", "all", 0.989, 0.989),
    ("blind17", "dev", "zh", 1.000, 1.000),
    ("blind17", "dev", "en", 1.000, 1.000),
    ("blind17", "dev", "mixed", 1.000, 1.000),
    ("blind17", "dev", "all", 1.000, 1.000),
    ("blind17", "holdout", "zh", 1.000, 1.000),
    ("blind17", "holdout", "en", 0.973, 1.000),
    ("blind17", "holdout", "mixed", 0.947, 1.000),
    ("blind17", "holdout", "all", 0.979, 1.000),
    ("blind18", "dev", "zh", 0.950, 1.000),
    ("blind18", "dev", "en", 1.000, 1.000),
    ("blind18", "dev", "mixed", 1.000, 1.000),
    ("blind18", "dev", "all", 0.978, 1.000),
    ("blind18", "holdout", "zh", 0.975, 0.951),
    ("blind18", "holdout", "en", 0.971, 0.971),
    ("blind18", "holdout", "mixed", 0.938, 1.000),
    ("blind18", "holdout", "all", 0.967, 0.967),
    ("blind19", "dev", "zh", 1.000, 0.850),
    ("blind19", "dev", "en", 1.000, 1.000),
    ("blind19", "dev", "mixed", 1.000, 1.000),
    ("blind19", "dev", "all", 1.000, 0.935),
    ("blind19", "holdout", "zh", 0.978, 0.978),
    ("blind19", "holdout", "en", 0.970, 1.000),
    ("blind19", "holdout", "mixed", 1.000, 1.000),
    ("blind19", "holdout", "all", 0.978, 0.989),
    ("blind20", "dev", "zh", 1.000, 1.000),
    ("blind20", "dev", "en", 1.000, 1.000),
    ("blind20", "dev", "mixed", 1.000, 1.000),
    ("blind20", "dev", "all", 1.000, 1.000),
    ("blind20", "holdout", "zh", 0.975, 0.975),
    ("blind20", "holdout", "en", 0.970, 1.000),
    ("blind20", "holdout", "mixed", 1.000, 1.000),
    ("blind20", "holdout", "all", 0.978, 0.989),
    ("blind21", "dev", "zh", 1.000, 1.000),
    ("blind21", "dev", "en", 1.000, 1.000),
    ("blind21", "dev", "mixed", 1.000, 0.917),
    ("blind21", "dev", "all", 1.000, 0.975),
    ("blind21", "holdout", "zh", 0.971, 0.971),
    ("blind21", "holdout", "en", 1.000, 1.000),
    ("blind21", "holdout", "mixed", 0.917, 1.000),
    ("blind21", "holdout", "all", 0.968, 0.989),
    ("blind22", "dev", "zh", 1.000, 1.000),
    ("blind22", "dev", "en", 1.000, 1.000),
    ("blind22", "dev", "mixed", 1.000, 1.000),
    ("blind22", "dev", "all", 1.000, 1.000),
    ("blind22", "holdout", "zh", 1.000, 1.000),
    ("blind22", "holdout", "en", 1.000, 1.000),
    ("blind22", "holdout", "mixed", 1.000, 0.920),
    ("blind22", "holdout", "all", 1.000, 0.978),
    ("blind23", "dev", "zh", 1.000, 1.000),
    ("blind23", "dev", "en", 1.000, 1.000),
    ("blind23", "dev", "mixed", 1.000, 1.000),
    ("blind23", "dev", "all", 1.000, 1.000),
    ("blind23", "holdout", "zh", 0.972, 1.000),
    ("blind23", "holdout", "en", 0.938, 1.000),
    ("blind23", "holdout", "mixed", 1.000, 0.920),
    ("blind23", "holdout", "all", 0.967, 0.978),
];

#[test]
fn the_blind_sets_stay_above_their_measured_floors() {
    let mut failures = Vec::new();
    for name in [
        "blind6", "blind7", "blind8", "blind9", "blind10", "blind11", "blind12", "blind13",
        "blind14", "blind15", "blind16", "blind17", "blind18", "blind19", "blind20", "blind21",
        "blind22", "blind23",
    ] {
        let dir = EvalSet::default_dir().join(name);
        for split in ["dev", "holdout"] {
            let set = EvalSet::load(&dir, split).unwrap();
            let assistant = Assistant::new(&set.knowledge_docs(), OfflineConfig::default());
            for (lang, r) in retrieval_rows(&set.questions, |q| assistant.run(q)) {
                let Some(&(_, _, _, h1, h3, wrong, off, idk)) = BLIND
                    .iter()
                    .find(|m| m.0 == name && m.1 == split && m.2 == lang)
                else {
                    failures.push(format!("{name} {split} {lang}: no measured row"));
                    continue;
                };
                let (s, so) = (slack(r.answerable), slack(r.off_topic));
                let mut check = |what: &str, ok: bool, got: f64, measured: f64| {
                    if !ok {
                        failures.push(format!(
                            "{name} {split} {lang} {what}: {got:.3} (measured {measured:.3})"
                        ));
                    }
                };
                check("hit@1", r.hit1 >= h1 - s, r.hit1, h1);
                check("hit@3", r.hit3 >= h3 - s, r.hit3, h3);
                check("wrong answers", r.wrong <= wrong + s, r.wrong, wrong);
                check("I don't know", r.idk <= idk + s, r.idk, idk);
                check(
                    "off-topic answered",
                    r.off_topic_answered <= off + so,
                    r.off_topic_answered,
                    off,
                );
                check_suggested(
                    name,
                    split,
                    lang,
                    r.suggested_right,
                    r.answerable,
                    &mut failures,
                );
            }
            for (lang, r) in handoff_rows(&set.handoff, wants_human) {
                let Some(&(_, _, _, p, rc)) = BLIND_HANDOFF
                    .iter()
                    .find(|m| m.0 == name && m.1 == split && m.2 == lang)
                else {
                    failures.push(format!("{name} {split} handoff {lang}: no measured row"));
                    continue;
                };
                check_handoff(&format!("{name} {split} {lang}"), &r, p, rc, &mut failures);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "below the floors:\n{}",
        failures.join("\n")
    );
}

/// blind21–23's dev splits have documents of their own (`kb.dev.json`): every
/// dev question must point into them, and none into the holdout's, or the
/// dev rows would measure a set that cannot be answered.
#[test]
fn a_split_with_its_own_documents_is_asked_against_them() {
    for name in ["blind21", "blind22", "blind23"] {
        let dir = EvalSet::default_dir().join(name);
        let dev = EvalSet::load(&dir, "dev").unwrap();
        let holdout = EvalSet::load(&dir, "holdout").unwrap();
        let keys = |s: &EvalSet| -> std::collections::HashSet<String> {
            s.docs.iter().map(|d| d.key.clone()).collect()
        };
        let (dev_keys, holdout_keys) = (keys(&dev), keys(&holdout));
        assert!(dev_keys.is_disjoint(&holdout_keys), "{name}: shared keys");
        for q in &dev.questions {
            if let Some(doc) = &q.doc {
                assert!(
                    dev_keys.contains(doc),
                    "{name}: dev question points at {doc}"
                );
            }
        }
    }
}
