#!/usr/bin/env python3
"""Where a message's time goes, from saved /metrics (bench/run.sh METRICS_DIR).

    python3 bench/stages.py DIR/latency-a.txt [DIR/latency-b.txt ...]

For each file (one node), one row per stage histogram (docs/DEPLOYMENT.md,
"Where a message's time goes"): samples, mean, and p50/p90/p99/p99.9
interpolated inside the buckets as Prometheus' histogram_quantile does (so a
quantile is only as fine as the bucket around it: 1, 1.5, 2, 3, 5, 7.5, 10,
15, 25 ms ...), then the share of samples above 2 and 5 ms. Counts are since
the node started (set-up included). With --json, one JSON object per file.
"""
import json
import re
import sys

STAGES = [
    "message_queue_wait_seconds",
    "message_commit_duration_seconds",
    "message_publish_wait_seconds",
    "message_publish_duration_seconds",
    "message_delivery_seconds",
    "message_ack_seconds",
]
LINE = re.compile(r'^(\w+?)(_bucket\{le="([^"]+)"\}|_sum|_count) (\S+)$')


def parse(text):
    h = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        name, kind, le, value = m.group(1), m.group(2), m.group(3), float(m.group(4))
        d = h.setdefault(name, {"buckets": []})
        if le is not None:
            d["buckets"].append((float("inf") if le == "+Inf" else float(le), value))
        elif kind == "_sum":
            d["sum"] = value
        else:
            d["count"] = value
    return h


def quantile(q, buckets):
    buckets = sorted(buckets)
    total = buckets[-1][1] if buckets else 0
    if total == 0:
        return None
    rank = q * total
    prev_le, prev_n = 0.0, 0.0
    for le, n in buckets:
        if n >= rank:
            if le == float("inf"):
                return prev_le
            if n == prev_n:
                return le
            return prev_le + (le - prev_le) * (rank - prev_n) / (n - prev_n)
        prev_le, prev_n = le, n
    return prev_le


def above(bound, buckets):
    buckets = sorted(buckets)
    total = buckets[-1][1] if buckets else 0
    at = [n for le, n in buckets if le == bound]
    return (total - at[0]) / total if total and at else None


def summary(text):
    h = parse(text)
    out = {}
    for name in STAGES:
        d = h.get(name)
        if not d or not d.get("count"):
            continue
        b = d["buckets"]
        ms = lambda v: None if v is None else round(v * 1000, 3)
        out[name] = {
            "count": int(d["count"]),
            "mean_ms": ms(d["sum"] / d["count"]),
            **{f"p{label}_ms": ms(quantile(q, b))
               for label, q in (("50", 0.5), ("90", 0.9), ("99", 0.99), ("99.9", 0.999))},
            "over_2ms": above(0.002, b),
            "over_5ms": above(0.005, b),
        }
    m = re.search(r"^message_commit_batch_size_sum (\S+)$", text, re.M)
    c = re.search(r"^message_commit_batch_size_count (\S+)$", text, re.M)
    if m and c and float(c.group(1)):
        out["batch_mean"] = round(float(m.group(1)) / float(c.group(1)), 2)
    return out


def main(args):
    as_json = "--json" in args
    files = [a for a in args if a != "--json"]
    for path in files:
        s = summary(open(path).read())
        if as_json:
            print(json.dumps({"file": path, **s}))
            continue
        print(f"# {path}" + (f" (batch mean {s['batch_mean']})" if "batch_mean" in s else ""))
        print("| stage | samples | mean ms | p50 | p90 | p99 | p99.9 | > 2 ms | > 5 ms |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name in STAGES:
            r = s.get(name)
            if not r:
                continue
            pct = lambda v: "" if v is None else f"{v * 100:.2f} %"
            print(f"| {name} | {r['count']} | {r['mean_ms']} | {r['p50_ms']} | {r['p90_ms']} | "
                  f"{r['p99_ms']} | {r['p99.9_ms']} | {pct(r['over_2ms'])} | {pct(r['over_5ms'])} |")


if __name__ == "__main__":
    main(sys.argv[1:])
