#!/usr/bin/env bash
# Benchmarks on loopback. Starts its own server(s) and stops only what it
# started; on MariaDB it creates a fresh database and drops only that.
#
#   bash bench/run.sh [sqlite|mysql] [scenario ...]
#   BIN=/path/to/release/dir bash bench/run.sh ...   (prebuilt binaries)
#
# Scenarios (default: all):
#   throughput  closed loop, $CONVS conversations (500), $SECS s (15)
#   latency     fixed $RATE msg/s (5000), $CONVS conversations, $SECS s
#   assistant   closed loop, $AI_CONVS conversations (100) answered by the
#               offline assistant, $SECS s ($AI_DELAY_MS: its pacing, default 0;
#               AI_CONVS=1 gives the question-to-answer time of one customer)
#   idle        $IDLE idle authenticated sockets (10000): server KiB per socket
#   rest        $REST_CONC connections (32) on the conversation list, then on
#               the statistics, $SECS s each
#   soak        $SOAK_RATE msg/s (2000) for $SOAK_MINUTES minutes (60), $CONVS
#               conversations: per minute p99, server RSS and what it is made
#               of (threads, malloc arenas, anonymous/file pages), database
#               and WAL sizes, the server's CPU and run-queue wait, the
#               machine's load and CPU/IO pressure, mean commit time, into
#               $SOAK_OUT (default soak-<date>.tsv here), a table at the end;
#               beside it <out>.report.json (the load generator's report,
#               p99 per second included), <out>.samples.jsonl (raw samples)
#               and <out>.metrics/ (/metrics each minute)
#               (bench/soak.sh runs this alone on SQLite)
#
# sqlite: one node, embedded default (SQLite file, in-process bus).
# mysql:  two nodes on MariaDB ($MYSQL_URL, default root@127.0.0.1:3306) and
#         Redis ($REDIS_URL, default 127.0.0.1:6379); customers connect to
#         node A, agents to node B, so every message crosses Redis. The
#         script's own `mysql` client calls (create/drop the database, redo
#         counters) go to $MYSQL_URL's host, port and user (no password), so
#         another server can be measured, e.g.
#         MYSQL_URL=mysql://root@127.0.0.1:3317.
# METRICS_DIR=dir saves each node's /metrics after each scenario, as
# dir/<scenario>-<node>.txt (commit durations, batch sizes: see BENCHMARKS.md).
# PIN=1 pins the server(s) to CPU 0 and the load generator to CPU 1.
# Each run prints one JSON line; the script prefixes it with its scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=${1:-sqlite}
shift || true
SCENARIOS=${*:-throughput latency assistant idle rest}
CONVS=${CONVS:-500}
SECS=${SECS:-15}
RATE=${RATE:-5000}
AI_CONVS=${AI_CONVS:-100}
IDLE=${IDLE:-10000}
REST_CONC=${REST_CONC:-32}
MYSQL_URL=${MYSQL_URL:-mysql://root@127.0.0.1:3306}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
# The `mysql` client talks to the server the nodes use: $MYSQL_URL's
# user@host:port (scheme, password and path dropped).
mysql_authority=${MYSQL_URL#*://}; mysql_authority=${mysql_authority%%/*}
MYSQL_USER=root
if [[ $mysql_authority == *@* ]]; then MYSQL_USER=${mysql_authority%@*}; MYSQL_USER=${MYSQL_USER%%:*}; fi
mysql_hostport=${mysql_authority##*@}
MYSQL_HOST=${mysql_hostport%:*}; MYSQL_PORT=3306
if [[ $mysql_hostport == *:* ]]; then MYSQL_PORT=${mysql_hostport##*:}; fi
mysql_cli() { mysql -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" "$@"; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/chat-api/target}"
# BIN=dir runs prebuilt binaries (e.g. an earlier commit's, to compare).
BUILT_HERE=""
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p chat-server -p chat-loadgen
  BIN="$CARGO_TARGET_DIR/release"
  BUILT_HERE=1
fi
# 10,000 sockets need as many descriptors (this machine caps a process at 20,000).
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

SERVER_CPU=""; LOAD_CPU=""
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 0"; LOAD_CPU="taskset -c 1"; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() {
  for _ in $(seq 1 400); do
    if python3 - "$1" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2)
s.sendall(b"GET /readyz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
sys.exit(0 if s.recv(64).startswith(b"HTTP/1.1 200") else 1)
PY
    sleep 0.05
  done
  echo "server on port $1 did not become ready" >&2; return 1
}

DATA=$(mktemp -d)
PASSWORD="bench-password-$$"
PIDS=()
BENCH_DB=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$BENCH_DB" ] && [ -z "${KEEP_DB:-}" ]; then
    mysql_cli -e "DROP DATABASE IF EXISTS \`$BENCH_DB\`" 2>/dev/null || true
  fi
  [ -n "${KEEP_DB:-}" ] || rm -rf "$DATA"
}
trap cleanup EXIT

common_env=(CHAT_ADMIN_EMAIL=bench@example.com CHAT_ADMIN_PASSWORD="$PASSWORD" CHAT_LOG=warn
  CHAT_WS_RATE_PER_SEC=1000000 CHAT_WS_MAX_PER_IP=0 CHAT_MAX_CONVERSATIONS_PER_AGENT=1000000
  CHAT_AI_DELTA_DELAY_MS="${AI_DELAY_MS:-0}" CHAT_AI_DEMO_KB=true CHAT_DATA_DIR="$DATA")
start_node() { # port database-url extra-env...
  local port=$1 db=$2; shift 2
  env "${common_env[@]}" CHAT_LISTEN="127.0.0.1:$port" DATABASE_URL="$db" "$@" \
    $SERVER_CPU "$BIN/chat-server" &
  PIDS+=($!)
  wait_ready "$port"
}

PORT_A=$(free_port)
if [ "$BACKEND" = mysql ]; then
  BENCH_DB="chat_bench_$(date +%s)_$$"
  mysql_cli -e "CREATE DATABASE \`$BENCH_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  PORT_B=$(free_port)
  shared=(REDIS_URL="$REDIS_URL" CHAT_REDIS_PREFIX="bench-$$" CHAT_JWT_SECRET="bench-secret-bench-secret-bench-secret-$$"
    CHAT_DATA_KEYS="k1:$(head -c 32 /dev/urandom | base64)" CHAT_DATA_HASH_KEY="$(head -c 32 /dev/urandom | base64)")
  start_node "$PORT_A" "$MYSQL_URL/$BENCH_DB" "${shared[@]}" CHAT_NODE_ID=a
  start_node "$PORT_B" "$MYSQL_URL/$BENCH_DB" "${shared[@]}" CHAT_NODE_ID=b
  AGENTS=(--agent-addr "127.0.0.1:$PORT_B")
else
  start_node "$PORT_A" "sqlite://$DATA/chat.db"
  AGENTS=()
fi
SERVER_A=${PIDS[0]}

load() { $LOAD_CPU "$BIN/chat-loadgen" --addr "127.0.0.1:$PORT_A" --email bench@example.com --password "$PASSWORD" "$@"; }
# One sample of the server for the soak, as JSON: what its RSS is made of
# (threads, anonymous vs file-backed pages, glibc malloc arenas), the
# database and its log, and cumulative counters (CPU, time its threads
# waited for a core, bytes written, the machine's CPU and I/O pressure) that
# the report turns into per-minute figures.
proc_sample() { # pid data-dir /metrics-text-file
  python3 - "$@" <<'PY'
import json, os, re, sys
pid, data, metrics = sys.argv[1:4]
out = {}
def kib(path, keys):
    vals = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in keys:
                vals[k] = int(v.split()[0])
    return vals
try:
    st = kib(f"/proc/{pid}/status", {"VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads"})
    out.update(rss_kib=st["VmRSS"], threads=st["Threads"], anon_kib=st["RssAnon"],
               file_kib=st["RssFile"], shmem_kib=st["RssShmem"])
    sm = kib(f"/proc/{pid}/smaps_rollup", {"Rss", "Anonymous", "Shared_Clean", "Shared_Dirty",
                                           "Private_Clean", "Private_Dirty"})
    out.update(smaps_anon_kib=sm["Anonymous"],
               shared_kib=sm["Shared_Clean"] + sm["Shared_Dirty"],
               private_file_kib=sm["Private_Clean"] + sm["Private_Dirty"] - sm["Anonymous"])
    # glibc's non-main arenas live in 64 MiB-aligned reservations of 64 MiB
    # (a read-write head, the rest PROT_NONE): count those.
    maps = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 5:  # anonymous
                a, b = (int(x, 16) for x in parts[0].split("-"))
                maps.append((a, b, parts[1]))
    arenas, heap_kib = 0, 0
    for i, (a, b, perm) in enumerate(maps):
        if a % (64 << 20) == 0 and perm.startswith("rw"):
            end = b
            if i + 1 < len(maps) and maps[i + 1][0] == b and maps[i + 1][2].startswith("---"):
                end = maps[i + 1][1]
            if end - a == 64 << 20:
                arenas += 1
                heap_kib += (b - a) >> 10
    out.update(arenas=arenas, arena_mapped_kib=heap_kib)
    stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    out["cpu_ms"] = (int(stat[11]) + int(stat[12])) * 1000 // tick
    wait = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            wait += int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[1])
        except OSError:
            pass
    out["runq_wait_ms"] = wait // 1_000_000
    names = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            n = open(f"/proc/{pid}/task/{t}/comm").read().strip()
        except OSError:
            continue
        names[n] = names.get(n, 0) + 1
    out["thread_names"] = names
    for line in open(f"/proc/{pid}/io"):
        k, _, v = line.partition(":")
        if k == "write_bytes":
            out["write_kib"] = int(v) >> 10
except (OSError, KeyError) as e:
    out["error"] = str(e)
for name in ("chat.db", "chat.db-wal"):
    try:
        out[name.replace("chat.db", "db").replace("-", "_") + "_kib"] = os.stat(os.path.join(data, name)).st_size >> 10
    except OSError:
        pass
for res in ("cpu", "io"):
    try:
        for line in open(f"/proc/pressure/{res}"):
            kind = line.split()[0]
            out[f"psi_{res}_{kind}_us"] = int(line.split("total=")[1])
    except (OSError, IndexError):
        pass
try:
    text = open(metrics).read()
    pool = sum(float(m) for m in re.findall(r'^db_pool_connections\{[^}]*\} (\S+)$', text, re.M))
    out["pool_conns"] = int(pool)
    for k in ("message_commit_duration_seconds_sum", "message_commit_duration_seconds_count",
              "message_commit_batch_size_sum", "message_commit_batch_size_count"):
        m = re.search(rf'^{k}(?:\{{[^}}]*\}})? (\S+)$', text, re.M)
        if m:
            out[k] = float(m.group(1))
except OSError:
    pass
out["load1"] = open("/proc/loadavg").read().split()[0]
print(json.dumps(out))
PY
}
ws_sockets() { # port: the server's open WebSockets, from /metrics
  curl -s --max-time 2 "http://127.0.0.1:$1/metrics" |
    awk '/^ws_connections\{/ { n += $2 } END { print n + 0 }'
}
# The soak: one run of the load generator for the whole time, and the
# server sampled each minute beside it (see `proc_sample`).
soak() {
  local minutes=${SOAK_MINUTES:-60} rate=${SOAK_RATE:-2000}
  local out=${SOAK_OUT:-soak-$(date +%Y%m%d-%H%M%S).tsv}
  local base=${out%.tsv} report
  report="$base.report.json"
  mkdir -p "$base.metrics"
  : > "$base.samples.jsonl"
  ( # Minute 0 starts when every conversation's two sockets are open: the
    # load generator starts measuring right after its set-up.
    for _ in $(seq 1 600); do
      [ "$(ws_sockets "$PORT_A")" -ge "$((2 * CONVS))" ] && break
      sleep 0.5
    done
    start=$(date +%s) k=0
    # Minute 0 is the base of the per-minute differences.
    while kill -0 "$SERVER_A" 2>/dev/null; do
      m="$base.metrics/minute-$k.txt"
      curl -s --max-time 5 "http://127.0.0.1:$PORT_A/metrics" > "$m" || true
      echo "{\"minute\": $k, \"at\": $(date +%s), \"db_total_kib\": $(du -k --apparent-size -c "$DATA"/chat.db* 2>/dev/null | tail -1 | cut -f1), \"proc\": $(proc_sample "$SERVER_A" "$DATA" "$m")}" >> "$base.samples.jsonl"
      k=$((k + 1))
      # Sleep to the minute's mark, not for 60 s: sampling takes time too.
      sleep "$((start + 60 * k - $(date +%s)))" 2>/dev/null || true
    done ) &
  local sampler=$!
  load --conversations "$CONVS" --seconds "$((minutes * 60))" --rate "$rate" "${AGENTS[@]}" | tee "$report"
  # The last minute's sample falls due as the load generator ends: let it
  # be written before stopping the sampler.
  for _ in $(seq 1 40); do
    grep -q "^{\"minute\": $minutes," "$base.samples.jsonl" && break
    sleep 0.5
  done
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  python3 - "$report" "$base.samples.jsonl" "$out" "$rate" "$minutes" <<'PY'
import json, sys
report = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
samples = {}
for line in open(sys.argv[2]):
    try:
        s = json.loads(line)
    except ValueError:
        continue
    samples[s["minute"]] = s
# Columns: the first five as before; then what RSS is made of, the files,
# and per-minute deltas of the cumulative counters.
cols = ["minute", "p99_ms", "rss_kib", "db_kib", "load1",
        "slow_s", "threads", "arenas", "anon_kib", "file_kib", "shmem_kib",
        "dbfile_kib", "wal_kib", "pool", "cpu_pct", "runq_wait_ms", "write_mib",
        "psi_cpu_pct", "psi_io_pct", "psi_io_full_pct", "commit_mean_ms", "batch_mean"]
rows = ["\t".join(cols)]
by_second = report.get("p99_ms_by_second", [])
def delta(cur, prev, key, scale=1.0):
    if key in cur and key in prev:
        return round((cur[key] - prev[key]) * scale, 2)
    return ""
for i, p99 in enumerate(report["p99_ms_by_minute"][: int(sys.argv[5])]):
    s = samples.get(i + 1, {})
    p = s.get("proc", {})
    prev = samples.get(i, {}).get("proc", {})
    secs = by_second[i * 60:(i + 1) * 60]
    c = {
        "minute": i + 1, "p99_ms": p99, "rss_kib": p.get("rss_kib", ""),
        "db_kib": s.get("db_total_kib", ""), "load1": p.get("load1", ""),
        # Seconds of this minute whose own p99 exceeded 100 ms: one bad
        # moment or a slow minute throughout.
        "slow_s": sum(1 for x in secs if x > 100),
        "threads": p.get("threads", ""), "arenas": p.get("arenas", ""),
        "anon_kib": p.get("anon_kib", ""), "file_kib": p.get("file_kib", ""),
        "shmem_kib": p.get("shmem_kib", ""), "dbfile_kib": p.get("db_kib", ""),
        "wal_kib": p.get("db_wal_kib", ""), "pool": p.get("pool_conns", ""),
        "cpu_pct": delta(p, prev, "cpu_ms", 100 / 60000),
        "runq_wait_ms": delta(p, prev, "runq_wait_ms"),
        "write_mib": delta(p, prev, "write_kib", 1 / 1024),
        "psi_cpu_pct": delta(p, prev, "psi_cpu_some_us", 100 / 60e6),
        "psi_io_pct": delta(p, prev, "psi_io_some_us", 100 / 60e6),
        "psi_io_full_pct": delta(p, prev, "psi_io_full_us", 100 / 60e6),
        "commit_mean_ms": "", "batch_mean": "",
    }
    dn = delta(p, prev, "message_commit_duration_seconds_count")
    if dn and delta(p, prev, "message_commit_duration_seconds_sum") != "":
        c["commit_mean_ms"] = round(delta(p, prev, "message_commit_duration_seconds_sum") * 1000 / dn, 3)
    bn = delta(p, prev, "message_commit_batch_size_count")
    if bn:
        c["batch_mean"] = round(delta(p, prev, "message_commit_batch_size_sum") / bn, 2)
    rows.append("\t".join(str(c[k]) for k in cols))
open(sys.argv[3], "w").write("\n".join(rows) + "\n")
lat = report["latency_ms"]
print(f"# soak at {sys.argv[4]} msg/s: sent {report['sent']}, received {report['received']}, "
      f"lost {report['lost']}, duplicated {report['duplicated']}, p50 {lat['p50']} ms, p99 {lat['p99']} ms")
print("| " + " | ".join(cols) + " |\n" + "|---" * len(cols) + "|")
for row in rows[1:]:
    print("| " + " | ".join(row.split("\t")) + " |")
print(f"# written to {sys.argv[3]} (raw: {sys.argv[1]}, {sys.argv[2]})")
PY
}

# Bytes written per message, around one load run (one JSON line, after the
# run's own): on SQLite what the server's writer thread wrote (the
# write-ahead log: 24 + 4,096 bytes a frame) and what its checkpointer wrote
# into the database file (`wchar` of /proc/<pid>/task/<tid>/io); on MariaDB
# the server's redo log bytes and pages written (global status: other
# clients of the same server count too, so an upper bound).
io_counters() {
  if [ "$BACKEND" = mysql ]; then
    mysql_cli -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_os_log_written','Innodb_pages_written')" |
      awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $1, $2 } END { print "" }'
  else
    for t in /proc/"$SERVER_A"/task/*; do
      case "$(cat "$t/comm" 2>/dev/null)" in
        sqlite-writer) printf 'writer=%s ' "$(awk '/^wchar/ { print $2 }' "$t/io")" ;;
        sqlite-checkpo*) printf 'checkpoint=%s ' "$(awk '/^wchar/ { print $2 }' "$t/io")" ;;
      esac
    done
    echo
  fi
}
measured() { # load-args...: one load run, then its bytes per message
  local before after out
  before=$(io_counters)
  out=$(load "$@")
  after=$(io_counters)
  echo "$out"
  python3 - "$before" "$after" "$out" <<'PY'
import json, sys
kv = lambda s: {k: int(v) for k, _, v in (p.partition("=") for p in s.split()) if v}
b, a = kv(sys.argv[1]), kv(sys.argv[2])
try:
    n = json.loads(sys.argv[3].strip().splitlines()[-1])["received"]
except (ValueError, KeyError, IndexError):
    n = 0
d = {k: a[k] - b[k] for k in a if k in b}
# writer, checkpoint and Innodb_os_log_written count bytes; Innodb_pages_written pages.
name = lambda k: k if k.startswith("Innodb") else f"{k}_bytes"
out = {"messages": n, **{name(k): v for k, v in d.items()}}
if n:
    out.update({f"{name(k)}_per_msg": round(v / n, 2) for k, v in d.items()})
    if "writer" in d:
        out["wal_frames_per_msg"] = round(d["writer"] / 4120 / n, 2)
print("io: " + json.dumps(out))
PY
}

# Which server this run measured. The binary carries its package version
# (`--version`) but no commit: built here (no BIN=), it is this worktree's
# HEAD (plus "-dirty" with uncommitted changes, which the build included);
# with BIN= the worktree says nothing about it, so print what identifies the
# file itself (path, mtime, the start of its sha256), never a guessed commit.
if [ -n "$BUILT_HERE" ]; then
  built="commit=$(git describe --always --dirty --abbrev=7 2>/dev/null || echo unknown)"
else
  built="commit=unknown(BIN=) bin=$BIN/chat-server mtime=$(date -u -r "$BIN/chat-server" +%Y-%m-%dT%H:%M:%SZ) sha256=$(sha256sum "$BIN/chat-server" | cut -c1-12)"
fi
echo "# backend=$BACKEND version=\"$("$BIN/chat-server" --version 2>/dev/null || echo unknown)\" $built pin=${PIN:-0} cpus=$(nproc)"
for s in $SCENARIOS; do
  case $s in
    throughput) echo -n "throughput: "; measured --conversations "$CONVS" --seconds "$SECS" "${AGENTS[@]}" ;;
    latency)    echo -n "latency: "; measured --conversations "$CONVS" --seconds "$SECS" --rate "$RATE" "${AGENTS[@]}" ;;
    assistant)  echo -n "assistant: "; load --conversations "$AI_CONVS" --seconds "$SECS" --assistant ;;
    idle)       echo -n "idle: "; load --scenario idle --idle "$IDLE" --server-pid "$SERVER_A" ;;
    rest)
      echo -n "rest conversations: "; load --scenario rest --path "/api/v1/conversations?limit=50" --concurrency "$REST_CONC" --seconds "$SECS"
      echo -n "rest stats: "; load --scenario rest --path "/api/v1/stats" --concurrency "$REST_CONC" --seconds "$SECS" ;;
    soak)       soak ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
  if [ -n "${METRICS_DIR:-}" ]; then # cumulative since the nodes started
    mkdir -p "$METRICS_DIR"
    curl -s --max-time 5 "http://127.0.0.1:$PORT_A/metrics" > "$METRICS_DIR/$s-a.txt" || true
    if [ -n "${PORT_B:-}" ]; then
      curl -s --max-time 5 "http://127.0.0.1:$PORT_B/metrics" > "$METRICS_DIR/$s-b.txt" || true
    fi
  fi
done
echo "# server RSS at the end: $(ps -o rss= -p "$SERVER_A") KiB"
