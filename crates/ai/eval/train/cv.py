#!/usr/bin/env python3
"""Leave-one-set-out figures of the whole assistant (ranking and answer
decision) with the re-ranker: each committed set is run through the release
eval example with the weights trained without it (`rerank.py --folds`),
and with the lexical order (all-zero weights), both splits pooled.

With `--zh` the folds are weights for questions without a Latin letter
(`--rerank-zh`), compared with all-zero ones (the lexical order there);
the product's own `--rerank` stays as it is.

Usage: cv.py FOLDS_FILE [--bin PATH] [--zh]
Prints per set and language: hit@1, hit@3, wrong answers, "I don't know",
off-topic answered, lexical → re-ranked; then the means over sets.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
LANGS = ["zh", "en", "mixed", "all"]
ZERO = ",".join(["0"] * 25)
FLAG = "--rerank-zh" if "--zh" in sys.argv else "--rerank"


def run(binary, name, weights):
    """{lang: [answerable, off-topic, hit1, hit3, wrong, idk, off answered]}
    as counts, both splits pooled."""
    d = os.path.join(ROOT, "crates/ai/eval")
    if name != "kivo":
        d = os.path.join(d, name)
    out = subprocess.run(
        [binary, "--quick", "--dir", d, FLAG, weights],
        check=True, capture_output=True, text=True,
    ).stdout
    tot = {l: [0.0] * 7 for l in LANGS}
    # Only the offline assistant's table (the first after each split heading).
    for block in out.split("\nOffline assistant\n")[1:]:
        for line in block.strip().split("\n\n")[0].splitlines()[2:]:
            c = [x.strip() for x in line.strip("|").split("|")]
            lang, n, off = c[0], int(c[1]), int(c[2])
            h1, h3, _, wrong, idk, _, offa = (float(x) for x in c[3:10])
            t = tot[lang]
            for i, v in enumerate([n, off, h1 * n, h3 * n, wrong * n, idk * n, offa * off]):
                t[i] += v
    return tot


def main():
    folds = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
    binary = sys.argv[sys.argv.index("--bin") + 1] if "--bin" in sys.argv else os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release/examples/eval")
    print("| left-out set | lang | answerable | off-topic | hit@1 | hit@3 | wrong | I don't know | off-topic answered |")
    print("|---|---|---|---|---|---|---|---|---|")
    means = {l: [[], []] for l in LANGS}
    for name, weights in folds:
        base, model = run(binary, name, ZERO), run(binary, name, weights)
        for lang in LANGS:
            b, m = base[lang], model[lang]
            n, off = b[0], b[1]
            if n == 0:
                continue
            rb = [b[2] / n, b[3] / n, b[4] / n, b[5] / n, b[6] / off if off else 0.0]
            rm = [m[2] / n, m[3] / n, m[4] / n, m[5] / n, m[6] / off if off else 0.0]
            means[lang][0].append(rb)
            means[lang][1].append(rm)
            cells = " | ".join(f"{x:.3f} → {y:.3f}" for x, y in zip(rb, rm))
            print(f"| {name} | {lang} | {int(n)} | {int(off)} | {cells} |")
        sys.stdout.flush()
    for lang in LANGS:
        rb = [sum(c) / len(c) for c in zip(*means[lang][0])]
        rm = [sum(c) / len(c) for c in zip(*means[lang][1])]
        cells = " | ".join(f"{x:.3f} → {y:.3f}" for x, y in zip(rb, rm))
        print(f"| mean over sets | {lang} | | | {cells} |")


if __name__ == "__main__":
    main()
