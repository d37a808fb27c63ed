#!/usr/bin/env python3
"""Per-second evidence beside a bench run, to catch a latency stall in the act
(docs/BENCHMARKS.md, "SQLite stalls at 5,000 msg/s").

    python3 bench/stall_probe.py BIN/chat-server OUT.jsonl &
    PIN=1 SECS=30 RATE=5000 BIN=... bash bench/run.sh sqlite latency
    python3 bench/stall_probe.py --report OUT.jsonl [loadgen-report.json]

Waits for a process whose argv[0] ends with the first argument (as
bench/threads.py), then once a second, until it exits, appends one JSON line:
the wall clock; /metrics' stage histograms (cumulative buckets) and the
SQLite checkpointer's counters; the machine's steal, iowait and busy
jiffies (/proc/stat); the process's minor/major page faults, RSS; per named
thread (sqlite-writer, sqlite-checkpoint, actix, tokio) CPU, run-queue wait
and bytes written (/proc/<pid>/task/<tid>/{stat,schedstat,io}); the -wal
file's size; the machine's CPU and I/O pressure. The port and the data
directory come from the process's environment (CHAT_LISTEN, CHAT_DATA_DIR).

--report prints one row per second of the measured window (seconds with more
than 1,000 acks): per-second p99 of each stage (bucket-interpolated, as
bench/stages.py), the client's p99 for that second if a load generator
report is given (aligned on the first measured second), and the deltas.
"""
import json
import os
import re
import sys
import time
import urllib.request

STAGES = {
    "queue": "message_queue_wait_seconds",
    "commit": "message_commit_duration_seconds",
    "pubwait": "message_publish_wait_seconds",
    "publish": "message_publish_duration_seconds",
    "deliver": "message_delivery_seconds",
    "ack": "message_ack_seconds",
}
BUCKET = re.compile(r'^(\w+?)_bucket\{le="([^"]+)"\} (\S+)$')
SCALAR = re.compile(r"^(sqlite_checkpoint_\w+|sqlite_wal_frames|message_commit_batch_size_(?:sum|count)) (\S+)$")


def find(pat):
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == os.getpid():
            continue
        try:
            cmd = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].decode(errors="replace").endswith(pat):
            # Not a `chat-server --version` or a wrapper: the server itself.
            try:
                if "CHAT_LISTEN" in env_of(int(p)):
                    return int(p)
            except OSError:
                continue
    return None


def env_of(pid):
    out = {}
    for kv in open(f"/proc/{pid}/environ", "rb").read().split(b"\0"):
        k, _, v = kv.decode(errors="replace").partition("=")
        out[k] = v
    return out


def metrics(port):
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=0.8).read().decode()
    except OSError:
        return None
    wanted = set(STAGES.values())
    h, scalars = {}, {}
    for line in text.splitlines():
        m = BUCKET.match(line)
        if m and m.group(1) in wanted:
            h.setdefault(m.group(1), []).append([m.group(2), float(m.group(3))])
            continue
        m = SCALAR.match(line)
        if m:
            scalars[m.group(1)] = float(m.group(2))
    return {"hist": h, "scalars": scalars}


def threads(pid):
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{t}"
        try:
            comm = open(f"{base}/comm").read().strip()
            st = open(f"{base}/stat").read().rsplit(")", 1)[1].split()
            sched = open(f"{base}/schedstat").read().split()
            io = {k: int(v) for k, _, v in (l.partition(":") for l in open(f"{base}/io")) if k in ("wchar", "syscw")}
        except OSError:
            continue
        key = comm if comm.startswith("sqlite") else comm.split()[0]
        d = out.setdefault(key, {"cpu_ticks": 0, "runq_ns": 0, "runs": 0, "wchar": 0, "syscw": 0, "minflt": 0, "tids": []})
        d["tids"].append(int(t))
        d["cpu_ticks"] += int(st[11]) + int(st[12])
        d["minflt"] += int(st[7])
        d["runq_ns"] += int(sched[1])
        d["runs"] += int(sched[2])
        d["wchar"] += io.get("wchar", 0)
        d["syscw"] += io.get("syscw", 0)
    return out


def sample(pid, port, wal):
    s = {"t": time.time()}
    cpu = open("/proc/stat").readline().split()[1:]
    # user nice system idle iowait irq softirq steal
    s["jiffies"] = {k: int(v) for k, v in zip(
        ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"), cpu)}
    st = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    s["minflt"], s["majflt"] = int(st[7]), int(st[9])
    s["rss_kib"] = int(st[21]) * os.sysconf("SC_PAGE_SIZE") >> 10
    s["threads"] = threads(pid)
    try:
        s["wal_kib"] = os.stat(wal).st_size >> 10
    except OSError:
        s["wal_kib"] = None
    for res in ("cpu", "io", "memory"):
        try:
            for line in open(f"/proc/pressure/{res}"):
                s[f"psi_{res}_{line.split()[0]}_us"] = int(line.split("total=")[1])
        except (OSError, IndexError):
            pass
    s["load1"] = float(open("/proc/loadavg").read().split()[0])
    s["metrics"] = metrics(port)
    return s


def probe(pat, out):
    while True:
        pid = find(pat)
        if pid:
            break
        time.sleep(0.05)
    env = env_of(pid)
    port = env.get("CHAT_LISTEN", "").rsplit(":", 1)[-1]
    wal = os.path.join(env.get("CHAT_DATA_DIR", "."), "chat.db-wal")
    with open(out, "w") as f:
        nxt = time.time()
        while os.path.exists(f"/proc/{pid}"):
            try:
                f.write(json.dumps(sample(pid, port, wal)) + "\n")
                f.flush()
            except (OSError, IndexError, ValueError):
                pass
            nxt += 1.0
            time.sleep(max(0.0, nxt - time.time()))


def quantile(q, buckets):
    """Prometheus-style interpolation over cumulative (le, count) pairs."""
    total = buckets[-1][1] if buckets else 0
    if total <= 0:
        return None
    rank, prev_le, prev_n = q * total, 0.0, 0.0
    for le, n in buckets:
        if n >= rank:
            if le == float("inf"):
                return prev_le
            return le if n == prev_n else prev_le + (le - prev_le) * (rank - prev_n) / (n - prev_n)
        prev_le, prev_n = le, n
    return prev_le


def delta_hist(cur, prev, name):
    a = {le: n for le, n in (cur or {}).get("hist", {}).get(name, [])}
    b = {le: n for le, n in (prev or {}).get("hist", {}).get(name, [])}
    out = [(float("inf") if le == "+Inf" else float(le), a[le] - b.get(le, 0)) for le in a]
    return sorted(out)


def report(path, loadgen=None):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    client = []
    if loadgen:
        lines = [l[l.index("{"):] for l in open(loadgen).read().splitlines() if "p99_ms_by_second" in l]
        client = json.loads(lines[-1]).get("p99_ms_by_second", []) if lines else []
    cols = ["s", "client_p99", "acks"] + [f"{k}_p99" for k in STAGES] + [
        "commits", "batch", "ckpt_passes", "wal_mib", "ckpt_cpu_ms", "ckpt_wmib", "writer_cpu_ms",
        "writer_runq_ms", "actix_runq_ms", "steal_j", "iowait_j", "minflt", "majflt", "rss_mib",
        "psi_io_ms", "psi_cpu_ms", "load1"]
    print("\t".join(cols))
    first = None
    for i in range(1, len(rows)):
        cur, prev = rows[i], rows[i - 1]
        acks = delta_hist(cur["metrics"], prev["metrics"], STAGES["ack"])
        n_acks = acks[-1][1] if acks else 0
        if n_acks < 1000:
            continue
        if first is None:
            first = i
        k = i - first
        tick = 1000 / os.sysconf("SC_CLK_TCK")
        th = lambda r, name, key: r["threads"].get(name, {}).get(key, 0)
        c = {"s": k, "client_p99": client[k] if k < len(client) else "", "acks": int(n_acks)}
        for short, name in STAGES.items():
            q = quantile(0.99, delta_hist(cur["metrics"], prev["metrics"], name))
            c[f"{short}_p99"] = "" if q is None else round(q * 1000, 2)
        sc, sp = (cur["metrics"] or {}).get("scalars", {}), (prev["metrics"] or {}).get("scalars", {})
        dn = sc.get("message_commit_batch_size_count", 0) - sp.get("message_commit_batch_size_count", 0)
        c["commits"] = int(dn)
        c["batch"] = round((sc.get("message_commit_batch_size_sum", 0) - sp.get("message_commit_batch_size_sum", 0)) / dn, 2) if dn else ""
        c["ckpt_passes"] = int(sc.get("sqlite_checkpoint_passes_total", 0) - sp.get("sqlite_checkpoint_passes_total", 0))
        c["wal_mib"] = round((cur["wal_kib"] or 0) / 1024, 1)
        c["ckpt_cpu_ms"] = round((th(cur, "sqlite-checkpoi", "cpu_ticks") - th(prev, "sqlite-checkpoi", "cpu_ticks")) * tick)
        c["ckpt_wmib"] = round((th(cur, "sqlite-checkpoi", "wchar") - th(prev, "sqlite-checkpoi", "wchar")) / 2**20, 1)
        c["writer_cpu_ms"] = round((th(cur, "sqlite-writer", "cpu_ticks") - th(prev, "sqlite-writer", "cpu_ticks")) * tick)
        c["writer_runq_ms"] = round((th(cur, "sqlite-writer", "runq_ns") - th(prev, "sqlite-writer", "runq_ns")) / 1e6, 1)
        c["actix_runq_ms"] = round((th(cur, "actix-server", "runq_ns") - th(prev, "actix-server", "runq_ns")) / 1e6, 1)
        c["steal_j"] = cur["jiffies"]["steal"] - prev["jiffies"]["steal"]
        c["iowait_j"] = cur["jiffies"]["iowait"] - prev["jiffies"]["iowait"]
        c["minflt"] = cur["minflt"] - prev["minflt"]
        c["majflt"] = cur["majflt"] - prev["majflt"]
        c["rss_mib"] = round(cur["rss_kib"] / 1024)
        c["psi_io_ms"] = round((cur.get("psi_io_some_us", 0) - prev.get("psi_io_some_us", 0)) / 1000)
        c["psi_cpu_ms"] = round((cur.get("psi_cpu_some_us", 0) - prev.get("psi_cpu_some_us", 0)) / 1000)
        c["load1"] = cur["load1"]
        print("\t".join(str(c[x]) for x in cols))


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        report(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        probe(sys.argv[1], sys.argv[2])
