//! Handoff recognition on any handoff file(s) in the committed format
//! (`crates/ai/eval/README.md`): precision and recall per language, for the
//! offline rule (any request) and for the rule in front of a model
//! (explicit requests only).
//!
//! `cargo run -p chat-ai --example handoff_eval -- [--misses] FILE…`
//! (paths relative to `crates/ai/eval/` or absolute; with no file, the
//! committed, hand14, hand14e, hand14f, hand14g, hand15, hand15b, hand16, hand17, hand18 and hand19 sets). `--misses` lists the mistakes of tuning files
//! only: a file whose name says `holdout` or `check` is for measuring, and
//! its mistakes are never printed.

use chat_ai::eval::{EvalSet, HandoffCase, handoff_rows};
use chat_ai::handoff::{Strength, explicit_request, request, wants_human};

const DEFAULT_FILES: &[&str] = &[
    "handoff.dev.jsonl",
    "handoff.holdout.jsonl",
    "handoff.hand14-dev.jsonl",
    "handoff.hand14-dev2.jsonl",
    "handoff.hand14-dev3.jsonl",
    "handoff.hand14-dev4.jsonl",
    "handoff.hand14-dev5.jsonl",
    "handoff.hand14-dev6.jsonl",
    "handoff.hand14-dev7.jsonl",
    "handoff.hand14-check.jsonl",
    "handoff.hand14e-dev.jsonl",
    "handoff.hand14e-dev2.jsonl",
    "handoff.hand14e-dev3.jsonl",
    "handoff.hand14e-dev4.jsonl",
    "handoff.hand14e-dev5.jsonl",
    "handoff.hand14e-dev6.jsonl",
    "handoff.hand14e-dev7.jsonl",
    "handoff.hand14e-check.jsonl",
    "handoff.hand14f-dev1.jsonl",
    "handoff.hand14f-dev2.jsonl",
    "handoff.hand14f-dev3.jsonl",
    "handoff.hand14f-dev4.jsonl",
    "handoff.hand14f-dev5.jsonl",
    "handoff.hand14f-dev6.jsonl",
    "handoff.hand14f-dev7.jsonl",
    "handoff.hand14g-dev1.jsonl",
    "handoff.hand14g-dev2.jsonl",
    "handoff.hand14g-dev3.jsonl",
    "handoff.hand14g-dev4.jsonl",
    "handoff.hand14g-dev5.jsonl",
    "handoff.hand14g-dev6.jsonl",
    "handoff.hand14g-dev7.jsonl",
    "handoff.hand14g-dev8.jsonl",
    "handoff.hand14g-dev9.jsonl",
    "handoff.hand14g-dev10.jsonl",
    "handoff.hand14g-dev11.jsonl",
    "handoff.hand14g-dev12.jsonl",
    "handoff.hand14g-dev13.jsonl",
    "handoff.hand14g-dev14.jsonl",
    "handoff.hand14g-dev15.jsonl",
    "handoff.hand14g-dev16.jsonl",
    "handoff.hand14g-dev17.jsonl",
    "handoff.hand14g-dev18.jsonl",
    "handoff.hand14g-dev19.jsonl",
    "handoff.hand14g-dev20.jsonl",
    "handoff.hand14g-dev21.jsonl",
    "handoff.hand14g-dev22.jsonl",
    "handoff.hand14g-check.jsonl",
    "handoff.hand14g-check2.jsonl",
    "handoff.hand15-dev1.jsonl",
    "handoff.hand15-dev2.jsonl",
    "handoff.hand15-dev3.jsonl",
    "handoff.hand15-dev4.jsonl",
    "handoff.hand15-dev5.jsonl",
    "handoff.hand15-dev6.jsonl",
    "handoff.hand15-dev7.jsonl",
    "handoff.hand15-dev8.jsonl",
    "handoff.hand15-dev9.jsonl",
    "handoff.hand15b-dev1.jsonl",
    "handoff.hand15b-dev2.jsonl",
    "handoff.hand16-dev1.jsonl",
    "handoff.hand16-dev2.jsonl",
    "handoff.hand16-dev3.jsonl",
    "handoff.hand16-dev4.jsonl",
    "handoff.hand16-dev5.jsonl",
    "handoff.hand16-dev6.jsonl",
    "handoff.hand16-check.jsonl",
    "handoff.hand17-dev1.jsonl",
    "handoff.hand17-dev2.jsonl",
    "handoff.hand17-dev3.jsonl",
    "handoff.hand17-dev4.jsonl",
    "handoff.hand17-dev5.jsonl",
    "handoff.hand17-dev6.jsonl",
    "handoff.hand17-check.jsonl",
    "handoff.hand18-dev1.jsonl",
    "handoff.hand18-dev2.jsonl",
    "handoff.hand18-dev3.jsonl",
    "handoff.hand18-dev4.jsonl",
    "handoff.hand18-dev5.jsonl",
    "handoff.hand18-dev6.jsonl",
    "handoff.hand18-check.jsonl",
    "handoff.hand19-dev1.jsonl",
    "handoff.hand19-dev2.jsonl",
    "handoff.hand19-dev3.jsonl",
    "handoff.hand19-dev4.jsonl",
    "handoff.hand19-dev5.jsonl",
    "handoff.hand19-check.jsonl",
];

fn load(path: &std::path::Path) -> Result<Vec<HandoffCase>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        cases.push(case);
    }
    Ok(cases)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let mut files: Vec<String> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
    if files.is_empty() {
        files = DEFAULT_FILES.iter().map(|f| (*f).to_owned()).collect();
    }
    let dir = EvalSet::default_dir();
    println!("| file | lang | requests | other | P | R | explicit-only P | explicit-only R |");
    println!("|---|---|---|---|---|---|---|---|");
    let (mut phrasings, mut spent) = (0u32, std::time::Duration::ZERO);
    for file in &files {
        let cases = load(&dir.join(file))?;
        let started = std::time::Instant::now();
        for c in &cases {
            std::hint::black_box(request(&c.text));
        }
        spent += started.elapsed();
        phrasings += cases.len() as u32;
        let any = handoff_rows(&cases, wants_human);
        let explicit = handoff_rows(&cases, explicit_request);
        for ((lang, r), (_, e)) in any.iter().zip(&explicit) {
            if r.positives + r.negatives == 0 {
                continue;
            }
            println!(
                "| {file} | {lang} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
                r.positives, r.negatives, r.precision, r.recall, e.precision, e.recall
            );
        }
        let measuring_only = file.contains("holdout") || file.contains("check");
        if misses && !measuring_only {
            for c in &cases {
                let got = request(&c.text);
                if got.is_some() != c.human {
                    let how = match got {
                        Some(Strength::Explicit) => "explicit",
                        Some(Strength::Implied) => "implied",
                        None => "none",
                    };
                    println!(
                        "  miss [{} {} want={} got={how}] {}",
                        c.lang, c.kind, c.human, c.text
                    );
                }
            }
        }
    }
    println!(
        "\n{phrasings} phrasings, {:.1?} per phrasing (one pass, debug unless --release)",
        spent / phrasings.max(1)
    );
    Ok(())
}
