#!/usr/bin/env bash
# Real-time benchmarks on loopback. Starts its own server (embedded SQLite,
# fresh data directory, free port) and stops only what it started.
#
#   bash bench/run.sh [conversations] [seconds] [fixed-rate msgs/s]
#
# Server and load generator share the machine's cores unless PIN=1, which
# pins the server to CPU 0 and the load generator to CPU 1 (taskset).
set -euo pipefail
cd "$(dirname "$0")/.."
CONVS=${1:-100}
SECS=${2:-10}
RATE=${3:-1000}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -q -p chat-server -p chat-loadgen
BIN="$CARGO_TARGET_DIR/release"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATA=$(mktemp -d)
PASSWORD="bench-password-$$"
SERVER_CPU=""; LOAD_CPU=""
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 0"; LOAD_CPU="taskset -c 1"; fi

CHAT_LISTEN="127.0.0.1:$PORT" DATABASE_URL="sqlite://$DATA/chat.db" CHAT_DATA_DIR="$DATA" \
CHAT_ADMIN_EMAIL=bench@example.com CHAT_ADMIN_PASSWORD="$PASSWORD" CHAT_LOG=warn \
CHAT_WS_RATE_PER_SEC=1000000 CHAT_MAX_CONVERSATIONS_PER_AGENT=100000 \
  $SERVER_CPU "$BIN/chat-server" &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
for _ in $(seq 1 200); do
  if python3 - "$PORT" <<'PY' 2>/dev/null; then break; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2)
s.sendall(b"GET /readyz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
sys.exit(0 if s.recv(64).startswith(b"HTTP/1.1 200") else 1)
PY
  sleep 0.05
done

run() { $LOAD_CPU "$BIN/chat-loadgen" --addr "127.0.0.1:$PORT" --email bench@example.com --password "$PASSWORD" "$@"; }
echo "# closed loop, $CONVS conversations, ${SECS}s"
run --conversations "$CONVS" --seconds "$SECS"
echo "# fixed rate $RATE msg/s, $CONVS conversations, ${SECS}s"
run --conversations "$CONVS" --seconds "$SECS" --rate "$RATE"
echo "# server RSS after the runs: $(ps -o rss= -p "$SERVER") KiB"
