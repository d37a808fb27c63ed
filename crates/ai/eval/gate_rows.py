#!/usr/bin/env python3
"""Turns the eval example's report on blind sets into the gate's rows.

The blind-set gate in crates/ai/tests/eval.rs holds three tables per set:
`BLIND` (hit@1, hit@3, wrong answers, off-topic answered, "I don't know"),
`SUGGESTED` ("of which suggested right") and `BLIND_HANDOFF` (precision,
recall), one row per split and language. Copying them by hand from the
report is slow and easy to get wrong, and they must be regenerated whenever
merged work moves the figures, so this script does it:

    python3 crates/ai/eval/gate_rows.py blind18 blind19 blind20
        runs `cargo run -q -p chat-ai --example eval -- --dir
        crates/ai/eval/<set> --quick` for each set (from the repository
        root, with the caller's CARGO_TARGET_DIR) and prints the rows;
    python3 crates/ai/eval/gate_rows.py --write blind18 blind19 blind20
        also replaces those sets' rows in crates/ai/tests/eval.rs (rows of
        other sets are left alone; run `cargo fmt --all` afterwards);
    python3 crates/ai/eval/gate_rows.py --report FILE blind18
        reads a report saved earlier instead of running cargo (one set).

The set must already be in the test's loop of set names (added by hand).
A figure that clippy would read as a mathematical constant (0.318 is 1/pi,
`clippy::approx_constant`) is written as the fraction it is, e.g. 14.0 / 44.0.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
GATE = ROOT / "crates" / "ai" / "tests" / "eval.rs"
LANGS = ("zh", "en", "mixed", "all")
# Three-decimal literals clippy's approx_constant lint rejects (the others
# it knows need five digits or are above 1).
CONSTANT_LOOKALIKES = {"0.318"}


class ReportError(Exception):
    """The report does not have the tables this script expects."""


def table_after(lines, start, title):
    """Rows (as lists of cells) of the markdown table after `title`."""
    for i in range(start, len(lines)):
        if lines[i].strip() == title:
            rows, j = [], i + 1
            while j < len(lines) and not lines[j].startswith("|"):
                j += 1
            header = [c.strip() for c in lines[j].strip().strip("|").split("|")]
            j += 2  # header and separator
            while j < len(lines) and lines[j].startswith("|"):
                cells = [c.strip() for c in lines[j].strip().strip("|").split("|")]
                rows.append(dict(zip(header, cells)))
                j += 1
            return rows
    raise ReportError(f"no table {title!r} after line {start}")


def parse(report):
    """{split: (retrieval rows, handoff rows)} from one set's report."""
    lines = report.splitlines()
    out = {}
    for i, line in enumerate(lines):
        m = re.match(r"## (dev|holdout): \d+ questions", line)
        if m:
            out[m.group(1)] = (
                table_after(lines, i, "Offline assistant"),
                table_after(lines, i, "Handoff (offline recognizer)"),
            )
    if set(out) != {"dev", "holdout"}:
        raise ReportError(f"splits found: {sorted(out)}; need dev and holdout")
    return out


def lit(value, denominator):
    """A Rust f64 literal for a three-decimal figure out of `denominator`."""
    text = f"{float(value):.3f}"
    if text not in CONSTANT_LOOKALIKES:
        return text
    if not denominator:
        raise ReportError(f"{text} looks like a constant and has no known denominator")
    count = round(float(value) * denominator)
    return f"{count}.0 / {denominator}.0"


def rows_for(name, parsed):
    """The three tables' rows for one set, as Rust tuple lines."""
    blind, suggested, handoff = [], [], []
    for split in ("dev", "holdout"):
        retrieval, hand = parsed[split]
        by_lang = {r["lang"]: r for r in retrieval}
        for lang in LANGS:
            r = by_lang.get(lang)
            if r is None:
                continue
            n, off = int(r["answerable"]), int(r["off-topic"])
            figures = ", ".join(
                [
                    lit(r["hit@1"], n),
                    lit(r["hit@3"], n),
                    lit(r["wrong answer"], n),
                    lit(r["off-topic answered"], off),
                    lit(r["I don't know"], n),
                ]
            )
            blind.append(f'    ("{name}", "{split}", "{lang}", {figures}),')
            suggested.append(
                f'    ("{name}", "{split}", "{lang}", '
                f'{lit(r["of which suggested right"], n)}),'
            )
        by_lang = {r["lang"]: r for r in hand}
        for lang in LANGS:
            r = by_lang.get(lang)
            if r is None:
                continue
            handoff.append(
                f'    ("{name}", "{split}", "{lang}", '
                f'{lit(r["precision"], None)}, {lit(r["recall"], int(r["requests"]))}),'
            )
    return {"BLIND": blind, "SUGGESTED": suggested, "BLIND_HANDOFF": handoff}


def run_eval(name):
    """The eval example's report on `crates/ai/eval/<name>`."""
    cmd = [
        "cargo", "run", "-q", "-p", "chat-ai", "--example", "eval", "--",
        "--dir", f"crates/ai/eval/{name}", "--quick",
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReportError(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return done.stdout


def write(names, tables):
    """Replaces the rows of `names` in the gate's three tables."""
    source = GATE.read_text(encoding="utf-8")
    for table, rows in tables.items():
        head = re.search(rf"const {table}: &\[[^\n]*= &\[\n", source)
        if head is None:
            raise ReportError(f"no table {table} in {GATE}")
        end = source.index("\n];", head.end())
        body = source[head.end() : end + 1]
        for name in names:
            # One row, on one line or spread over several by rustfmt.
            body = re.sub(
                rf'[ \t]*\(\s*"{name}",\s*"(?:dev|holdout)",[^)]*\),[ \t]*\n', "", body
            )
        body += "\n".join(rows) + "\n"
        source = source[: head.end()] + body + source[end + 1 :]
    GATE.write_text(source, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="+", help="set folders under crates/ai/eval, e.g. blind18")
    ap.add_argument("--report", help="a saved report of the one set named (no cargo run)")
    ap.add_argument("--write", action="store_true", help="replace the rows in tests/eval.rs")
    args = ap.parse_args()
    if args.report and len(args.sets) != 1:
        ap.error("--report takes exactly one set")
    tables = {"BLIND": [], "SUGGESTED": [], "BLIND_HANDOFF": []}
    try:
        for name in args.sets:
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                raise ReportError(f"not a set folder name: {name!r}")
            if args.report:
                report = Path(args.report).read_text(encoding="utf-8")
            else:
                report = run_eval(name)
            for table, rows in rows_for(name, parse(report)).items():
                tables[table].extend(rows)
        for table, rows in tables.items():
            print(f"// {table}")
            print("\n".join(rows))
        if args.write:
            write(args.sets, tables)
            print(f"// written to {GATE}; run cargo fmt --all", file=sys.stderr)
    except (ReportError, OSError) as e:
        print(f"gate_rows: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
