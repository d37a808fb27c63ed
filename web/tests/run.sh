#!/usr/bin/env bash
# Browser tests: builds the chat-server debug binary, installs playwright-core
# (pinned in package-lock.json; no browser download: Debian's chromium is
# used), then runs main.mjs, which starts its own server on a free port with a
# temporary SQLite database and stops only that server. Exit status is the
# tests' result.
#   web/tests/run.sh                 # from anywhere
#   CHROMIUM=/path/to/chrome web/tests/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/chat-api/target}"

command -v node >/dev/null || { echo "node is required (apt-get install -y nodejs npm)" >&2; exit 1; }
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM (apt-get install -y chromium)" >&2; exit 1; }

# The tests run (and restart) a private copy of the binary: the shared target
# directory's chat-server may be rebuilt from another checkout meanwhile. The
# copy must carry this checkout's pages (the widget frame's marker string).
bin_dir="$(mktemp -d)"
trap 'rm -rf "$bin_dir"' EXIT
for attempt in 1 2 3; do
  (cd "$root" && cargo build -p chat-server --locked --quiet)
  cp "$CARGO_TARGET_DIR/debug/chat-server" "$bin_dir/chat-server"
  if grep -q 'chat-api:close' "$bin_dir/chat-server"; then break; fi
  [ "$attempt" = 3 ] && { echo "the built chat-server does not carry web/ (another build keeps replacing it?)" >&2; exit 1; }
  touch "$root/apps/server/src/pages.rs"
done
export CHAT_BIN="$bin_dir/chat-server"

cd "$here"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node main.mjs
