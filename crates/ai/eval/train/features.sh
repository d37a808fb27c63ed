#!/usr/bin/env bash
# Writes the re-ranker's training data: one features file per committed
# evaluation set (both splits), from the release eval example.
# Usage: crates/ai/eval/train/features.sh OUT_DIR [extra eval flags]
set -euo pipefail
out=${1:?output directory}
shift
mkdir -p "$out"
root=$(cd "$(dirname "$0")/../../../.." && pwd)
bin=${CARGO_TARGET_DIR:-$root/target}/${EVAL_PROFILE:-release}/examples/eval
for set in kivo blind6 blind7 blind8 blind9 blind10 blind11 blind12 blind13 blind14 blind15 blind16 blind17 blind18 blind19 blind20; do
    dir=$root/crates/ai/eval
    [ "$set" = kivo ] || dir=$dir/$set
    "$bin" --quick --dir "$dir" --features "$out/$set.jsonl" "$@" > "$out/$set.report.md"
done
