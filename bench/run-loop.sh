#!/usr/bin/env bash
# Annotation-loop benchmark: build loam and the Rust load client (release), start loam on a fresh
# data dir, and run bench/annotation_loop.py once per annotator count with the loop timed by
# `loam-annotation-loop` (crates/loam-bench), each on a new dataset; stop loam.
#
#   bash bench/run-loop.sh [--annotators "10 100"] [annotation_loop.py options...]
#       e.g. --records 100000 --seconds 15
#
# Env: LOAM_BIN (run this server binary, skip its build), CARGO_TARGET_DIR. Results:
# $CARGO_TARGET_DIR/bench/<time>-loop/{loop-N.json,server.log}.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,10p' "$0"; exit 0 ;; esac
COUNTS="10 100"
if [[ "${1:-}" == "--annotators" ]]; then COUNTS="$2"; shift 2; fi

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"

echo "== build the load client ==" >&2
cargo build --release -p loam-bench
loam_bench_server "$REPO" loop
OUT="$LOAM_BENCH_OUT"
for n in $COUNTS; do
  python3 "$REPO/bench/annotation_loop.py" --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" \
    --annotators "$n" --label "loam-$n" --loop-bin "$CARGO_TARGET_DIR/release/loam-annotation-loop" \
    --json-out "$OUT/loop-$n.json" "$@"
done
echo "# results: $OUT" >&2
