#!/usr/bin/env python3
"""Trains the offline assistant's re-ranker (issue 14) and measures it by
leave-one-set-out cross-validation.

Input: one features file per evaluation set, written by the eval example
(`cargo run --release -p chat-ai --example eval -- --quick --dir SET
--features DIR/NAME.jsonl`): for each question its first ten documents
before the re-ranker, each with its features (`knowledge::FEATURES`) and
whether it is right.

Model: a linear score over the features, trained with a listwise softmax
loss (the probability the model gives the right documents among the ten),
L2-regularized (a fixed 0.01, set before any fold was run: a nested search
over it took too long on the shared machine), on standardized features; the
weights are turned back to the raw features' scale for Rust.

Output: per left-out set, hit@1 / hit@3 / MRR per language, lexical order
against the fold's model; the weights of every fold (`--folds FILE`, one
line per set: name, then the comma-separated weights, for the eval
example's `--rerank`); and the final model trained on all sets, as a Rust
constant.

With `--zh`: only questions without a Latin letter (the ones the product
orders with `knowledge::RERANK_ZH`), on every feature; otherwise on the
first 22 features (the ones `knowledge::RERANK` was trained on).
`--cols a-b` keeps feature columns a..b-1 only (the others weigh 0).

Usage: rerank.py DIR [--folds FILE] [--zh] [--cols a-b]
"""

import json
import os
import sys

import numpy as np

LAMBDA = 1e-2
LANGS = ["zh", "en", "mixed", "all"]
FEATURES = 25
ZH = "--zh" in sys.argv
# Columns the model may weigh; the others stay 0.
if "--cols" in sys.argv:
    _a, _b = sys.argv[sys.argv.index("--cols") + 1].split("-")
    COLS = list(range(int(_a), int(_b)))
else:
    COLS = list(range(FEATURES if ZH else 22))


def latin(text):
    return any("a" <= c.lower() <= "z" for c in text)


def load(directory):
    """{set name: [question]}, a question being (lang, X, y) with X the
    candidates' features and y whether each is right; off-topic questions
    and questions whose right document is not among the ten are kept (they
    count as misses) with an empty y."""
    sets = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".jsonl"):
            continue
        rows = []
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            for line in f:
                q = json.loads(line)
                if q["doc"] is None:
                    continue
                if ZH == latin(q["q"]):
                    continue
                c = q["candidates"]
                x = np.array([d["f"] for d in c], dtype=float).reshape(len(c), FEATURES)[:, COLS]
                y = np.array([d["hit"] for d in c], dtype=bool)
                rows.append((q["lang"], x, y))
        sets[name[: -len(".jsonl")]] = rows
    return sets


def trainable(rows):
    """The questions a ranking can learn from: a right and a wrong document
    among the candidates."""
    return [(x, y) for _, x, y in rows if y.any() and not y.all()]


def fit(rows, lam, iters=400):
    """Weights (raw feature scale) minimizing the mean listwise loss plus
    lam * |w|^2 on standardized features (Adam, full batch)."""
    data = trainable(rows)
    allx = np.vstack([x for x, _ in data])
    mean, std = allx.mean(0), allx.std(0)
    std[std < 1e-9] = 1.0
    # Pad to ten candidates: one tensor, masked.
    n, k, m = len(data), max(len(x) for x, _ in data), allx.shape[1]
    X = np.zeros((n, k, m))
    Y = np.zeros((n, k))
    M = np.zeros((n, k), dtype=bool)
    for i, (x, y) in enumerate(data):
        X[i, : len(x)] = (x - mean) / std
        Y[i, : len(x)] = y
        M[i, : len(x)] = True
    w = np.zeros(m)
    a, b1, b2, eps, lr = np.zeros(m), 0.9, 0.999, 1e-8, 0.05
    v = np.zeros(m)
    for t in range(1, iters + 1):
        s = X @ w
        s = np.where(M, s, -1e9)
        s -= s.max(1, keepdims=True)
        p = np.exp(s) * M
        p /= p.sum(1, keepdims=True)
        # P(right) = sum of p over right documents; loss = -log of it.
        pr = (p * Y).sum(1, keepdims=True)
        # d loss / d s_j = p_j - p_j * y_j / pr
        g_s = p - p * Y / pr
        g = np.einsum("nk,nkm->m", g_s, X) / n + 2 * lam * w
        a = b1 * a + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w -= lr * (a / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    full = np.zeros(FEATURES)
    full[COLS] = w / std
    return full


def ranks(rows, w):
    """Each question's rank of its first right document (None: not among
    the candidates), with its language. Ties keep the lexical order."""
    out = []
    for lang, x, y in rows:
        if not y.any():
            out.append((lang, None))
            continue
        order = np.arange(len(y)) if w is None else np.argsort(-(x @ w[COLS]), kind="stable")
        out.append((lang, int(np.flatnonzero(y[order])[0])))
    return out


def metrics(rk):
    """{lang: (n, hit@1, hit@3, MRR)}."""
    out = {}
    for lang in LANGS:
        sel = [r for l, r in rk if lang == "all" or l == lang]
        n = len(sel)
        if n == 0:
            out[lang] = (0, 0.0, 0.0, 0.0)
            continue
        h1 = sum(1 for r in sel if r is not None and r == 0) / n
        h3 = sum(1 for r in sel if r is not None and r < 3) / n
        mrr = sum(1.0 / (r + 1) for r in sel if r is not None) / n
        out[lang] = (n, h1, h3, mrr)
    return out


def main():
    directory = sys.argv[1]
    folds_path = sys.argv[sys.argv.index("--folds") + 1] if "--folds" in sys.argv else None
    sets = load(directory)
    names = sorted(sets)
    folds = []
    print("| left-out set | lang | n | hit@1 lexical | hit@1 model | hit@3 lexical | hit@3 model | MRR lexical | MRR model |")
    print("|---|---|---|---|---|---|---|---|---|")
    agg = {l: [[], [], [], [], [], []] for l in LANGS}
    for held in names:
        train_names = [n for n in names if n != held]
        lam = LAMBDA
        w = fit([r for n in train_names for r in sets[n]], lam)
        folds.append((held, lam, w))
        base = metrics(ranks(sets[held], None))
        model = metrics(ranks(sets[held], w))
        for lang in LANGS:
            n, b1, b3, bm = base[lang]
            _, m1, m3, mm = model[lang]
            if n == 0:
                continue
            for i, v in enumerate([b1, m1, b3, m3, bm, mm]):
                agg[lang][i].append(v)
            print(f"| {held} (λ {lam:g}) | {lang} | {n} | {b1:.3f} | {m1:.3f} | {b3:.3f} | {m3:.3f} | {bm:.3f} | {mm:.3f} |")
        sys.stdout.flush()
    for lang in LANGS:
        v = [np.mean(a) for a in agg[lang]]
        print(f"| mean over sets | {lang} | | {v[0]:.3f} | {v[1]:.3f} | {v[2]:.3f} | {v[3]:.3f} | {v[4]:.3f} | {v[5]:.3f} |")
    if folds_path:
        with open(folds_path, "w", encoding="utf-8") as f:
            for held, lam, w in folds:
                f.write(held + "\t" + ",".join(f"{x:.6g}" for x in w) + "\n")
    lam = LAMBDA
    w = fit([r for n in names for r in sets[n]], lam)
    print(f"\nfinal model (all {len(names)} sets, λ {lam:g}):")
    print("pub const RERANK%s: [f64; FEATURE_COUNT] = [" % ("_ZH" if ZH else ""))
    for x in w:
        print(f"    {x:.6},")
    print("];")
    print("--rerank " + ",".join(f"{x:.6g}" for x in w))


if __name__ == "__main__":
    main()
