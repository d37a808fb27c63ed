#!/usr/bin/env bash
# The long run at a fixed rate on the embedded default (release build,
# SQLite, one node): p99 and server RSS per minute, written to $SOAK_OUT
# and printed as a table at the end (columns: see bench/run.sh, soak).
#
#   bash bench/soak.sh                       (2,000 msg/s for 60 minutes)
#   SOAK_MINUTES=2 SOAK_RATE=2000 CONVS=500 SOAK_OUT=/tmp/soak.tsv bash bench/soak.sh
#
# Run it on a quiet machine: anything else using the cores shows up as p99.
set -euo pipefail
exec bash "$(dirname "$0")/run.sh" sqlite soak
