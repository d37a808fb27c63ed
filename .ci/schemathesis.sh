#!/usr/bin/env bash
# A bounded schemathesis run (pinned version) against the embedded server:
# the built chat-server on SQLite in a scratch data directory, on a free
# port, signed in as the first admin. Fails on any 5xx and on any failed
# check except those excluded below, each with its reason.
#
#   bash .ci/schemathesis.sh            (builds the debug binary if needed)
#   ST_SECONDS=60 BIN=path/to/chat-server bash .ci/schemathesis.sh
#
# The server is stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
ST_SECONDS=${ST_SECONDS:-180}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/chat-api/target}"
VENV="${CHAT_CI_VENV:-${HOME:-/root}/.cache/chat-api/venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"

if [ -z "${BIN:-}" ]; then
  cargo build -q --locked -p chat-server
  BIN="$CARGO_TARGET_DIR/debug/chat-server"
fi

DATA=$(mktemp -d)
REPORT=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$DATA" "$REPORT"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
EMAIL=fuzz-admin@example.com
PASSWORD="fuzz-password-$$-$RANDOM"
env CHAT_LISTEN="127.0.0.1:$PORT" DATABASE_URL="sqlite://$DATA/chat.db" CHAT_DATA_DIR="$DATA" \
  CHAT_ADMIN_EMAIL="$EMAIL" CHAT_ADMIN_PASSWORD="$PASSWORD" CHAT_LOG=warn \
  CHAT_WIDGET_SECRET="fuzz-widget-secret-fuzz-widget-secret-$$" \
  "$BIN" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 200); do
  if curl -fsS "$BASE/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/server.log"; echo "the server exited" >&2; exit 1; }
  sleep 0.1
done
TOKEN=$(curl -fsS -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# Every check runs, positive_data_acceptance ("valid input rejected") and
# negative_data_rejection ("invalid input accepted") included; their
# per-operation exceptions are in .ci/schemathesis.toml, each with its
# reason. Excluded checks, and why:
# - ignored_auth: it replays authenticated calls without the token and with
#   a made-up one; the RBAC matrix test (apps/server/tests/it/rbac.rs) covers
#   every operation and caller precisely, and this check misreads routes
#   that are open to everyone (login, widget sessions, health).
# - use_after_free, ensure_resource_availability: stateful heuristics that
#   expect a 404 after a DELETE / a 2xx right after a create through links
#   the document does not declare; not about the contract here.
# Operations left out:
# - POST /api/v1/auth/logout, POST /api/v1/me/password and POST
#   /api/v1/me/logout-everywhere: would end the fuzzer's own session halfway
#   through the run (logout revokes the token's refresh session; a password
#   change and "log out everywhere" revoke every session of the caller, its
#   access token included), and every later call would be a 401. The same
#   for POST /api/v1/users/{id}/logout-everywhere and .../password: the
#   stateful phase finds the fuzzer's own id (GET /me) and calls them with
#   it. (tests/revocation.rs and tests/rbac.rs cover these routes.)
# One worker: with two, CPython 3.11.7 (this machine's) sometimes crashes
# inside schemathesis ("SystemError: AST constructor recursion depth
# mismatch", cpython#106905, threads compiling at once), which fails the run
# with no server answer at fault.
set +e
"$VENV/bin/schemathesis" --config-file .ci/schemathesis.toml run "$BASE/api/openapi.json" \
  --max-time "$ST_SECONDS" \
  --workers 1 \
  --header "Authorization: Bearer $TOKEN" \
  --exclude-checks ignored_auth,use_after_free,ensure_resource_availability \
  --exclude-path /api/v1/auth/logout \
  --exclude-path /api/v1/me/password \
  --exclude-path /api/v1/me/logout-everywhere \
  --exclude-path /api/v1/users/{id}/logout-everywhere \
  --exclude-path /api/v1/users/{id}/password \
  --request-timeout 10 \
  --seed 1 \
  --report junit --report-dir "$REPORT" \
  --output-truncate false
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "== server log (last 50 lines)"
  tail -n 50 "$DATA/server.log"
fi
exit "$status"
