#!/usr/bin/env bash
# Server instructions per message, counted by callgrind: repeatable on a
# busy machine, where msg/s is not. A SQLite node runs under valgrind for a
# short and a long fixed-rate run of the load generator; the difference of
# the two counts over the difference of the messages is the cost of one
# more message, start-up and the conversations' setup cancelled out.
#
#   BIN=/path/to/dir bash bench/callgrind.sh      (chat-server, chat-loadgen)
#   CONVS=10 RATE=5 SHORT=10 LONG=30 (defaults): 50 and 150 messages, a rate
#   every build keeps up with under valgrind (a debug build too), so
#   batches stay the same size (one message each).
#
#   KEEP=dir keeps each run's callgrind.out in dir (short.out, long.out) for
#   callgrind_annotate (--inclusive=yes shows where a message's cost goes).
#
# Prints one JSON line per run, then the instructions per message.
set -euo pipefail
BIN=${BIN:?set BIN to a directory holding chat-server and chat-loadgen}
CONVS=${CONVS:-10}
RATE=${RATE:-5}
run() { # seconds name -> {"received":…,"instructions":…}
  local data port out password="bench-password-$$" server report
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  out="$data/callgrind.out"
  env CHAT_ADMIN_EMAIL=bench@example.com CHAT_ADMIN_PASSWORD="$password" CHAT_LOG=warn \
    CHAT_WS_RATE_PER_SEC=1000000 CHAT_WS_MAX_PER_IP=0 CHAT_MAX_CONVERSATIONS_PER_AGENT=1000000 \
    CHAT_AI_PROVIDER=none CHAT_DATA_DIR="$data" CHAT_LISTEN="127.0.0.1:$port" \
    DATABASE_URL="sqlite://$data/chat.db" \
    valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN/chat-server" 2>"$data/valgrind.log" &
  server=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  report=$("$BIN/chat-loadgen" --addr "127.0.0.1:$port" --email bench@example.com \
    --password "$password" --conversations "$CONVS" --rate "$RATE" --seconds "$1")
  kill -TERM "$server"; wait "$server" 2>/dev/null || true
  python3 - "$out" "$report" <<'PY'
import json, sys
ir = next(int(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("summary:"))
r = json.loads(sys.argv[2].strip().splitlines()[-1])
print(json.dumps({"received": r["received"], "lost": r["lost"], "duplicated": r["duplicated"], "instructions": ir}))
PY
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$out" "$KEEP/$2.out"; fi
  rm -rf "$data"
}
short=$(run "${SHORT:-10}" short)
long=$(run "${LONG:-30}" long)
echo "$short"
echo "$long"
python3 - "$short" "$long" <<'PY'
import json, sys
s, l = (json.loads(a) for a in sys.argv[1:])
print(json.dumps({"instructions_per_message": round((l["instructions"] - s["instructions"]) / (l["received"] - s["received"]))}))
PY
