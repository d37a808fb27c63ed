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
#               conversations: p99 and server RSS per minute into $SOAK_OUT
#               (default soak-<date>.tsv here), a table at the end
#               (bench/soak.sh runs this alone on SQLite)
#
# sqlite: one node, embedded default (SQLite file, in-process bus).
# mysql:  two nodes on MariaDB ($MYSQL_URL, default root@127.0.0.1:3306) and
#         Redis ($REDIS_URL, default 127.0.0.1:6379); customers connect to
#         node A, agents to node B, so every message crosses Redis.
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
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/chat-api/target}"
# BIN=dir runs prebuilt binaries (e.g. an earlier commit's, to compare).
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p chat-server -p chat-loadgen
  BIN="$CARGO_TARGET_DIR/release"
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
    mysql -h 127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS \`$BENCH_DB\`" 2>/dev/null || true
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
  mysql -h 127.0.0.1 -uroot -e "CREATE DATABASE \`$BENCH_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
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
# The soak: one run of the load generator for the whole time, and the
# server's RSS and database size sampled each minute beside it.
soak() {
  local minutes=${SOAK_MINUTES:-60} rate=${SOAK_RATE:-2000}
  local out=${SOAK_OUT:-soak-$(date +%Y%m%d-%H%M%S).tsv} samples report
  samples=$(mktemp); report=$(mktemp)
  ( start=$(date +%s)
    while kill -0 "$SERVER_A" 2>/dev/null; do
      sleep 60
      db=$(du -k --apparent-size -c "$DATA"/chat.db* 2>/dev/null | tail -1 | cut -f1)
      # The machine's 1-minute load average beside it: a p99 spike with a
      # high load is someone else's work, not drift.
      echo "$(( ($(date +%s) - start) / 60 )) $(ps -o rss= -p "$SERVER_A" | tr -d ' ') ${db:-0} $(cut -d' ' -f1 /proc/loadavg)" >> "$samples"
    done ) &
  local sampler=$!
  load --conversations "$CONVS" --seconds "$((minutes * 60))" --rate "$rate" "${AGENTS[@]}" | tee "$report"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  python3 - "$report" "$samples" "$out" "$rate" "$minutes" <<'PY'
import json, sys
report = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rss = {}
for line in open(sys.argv[2]):
    m, r, d, l = line.split()
    rss[int(m)] = (int(r), int(d), l)
rows = ["minute\tp99_ms\trss_kib\tdb_kib\tload1"]
# (The load generator's last bucket holds only what arrived after the end.)
for i, p99 in enumerate(report["p99_ms_by_minute"][: int(sys.argv[5])]):
    r, d, l = rss.get(i + 1, ("", "", ""))
    rows.append(f"{i + 1}\t{p99}\t{r}\t{d}\t{l}")
open(sys.argv[3], "w").write("\n".join(rows) + "\n")
lat = report["latency_ms"]
print(f"# soak at {sys.argv[4]} msg/s: sent {report['sent']}, received {report['received']}, "
      f"lost {report['lost']}, duplicated {report['duplicated']}, p50 {lat['p50']} ms, p99 {lat['p99']} ms")
print("| minute | p99 ms | server RSS KiB | database + WAL KiB | load average (1 min) |\n|---|---|---|---|---|")
for row in rows[1:]:
    print("| " + " | ".join(row.split("\t")) + " |")
print(f"# written to {sys.argv[3]}")
PY
  rm -f "$samples" "$report"
}

echo "# backend=$BACKEND commit=$(git rev-parse --short HEAD) pin=${PIN:-0} cpus=$(nproc)"
for s in $SCENARIOS; do
  case $s in
    throughput) echo -n "throughput: "; load --conversations "$CONVS" --seconds "$SECS" "${AGENTS[@]}" ;;
    latency)    echo -n "latency: "; load --conversations "$CONVS" --seconds "$SECS" --rate "$RATE" "${AGENTS[@]}" ;;
    assistant)  echo -n "assistant: "; load --conversations "$AI_CONVS" --seconds "$SECS" --assistant ;;
    idle)       echo -n "idle: "; load --scenario idle --idle "$IDLE" --server-pid "$SERVER_A" ;;
    rest)
      echo -n "rest conversations: "; load --scenario rest --path "/api/v1/conversations?limit=50" --concurrency "$REST_CONC" --seconds "$SECS"
      echo -n "rest stats: "; load --scenario rest --path "/api/v1/stats" --concurrency "$REST_CONC" --seconds "$SECS" ;;
    soak)       soak ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done
echo "# server RSS at the end: $(ps -o rss= -p "$SERVER_A") KiB"
