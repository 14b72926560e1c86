#!/usr/bin/env bash
# Search benchmark: build loam (release), start it on a fresh data dir, run bench/search.py
# (ingest a deterministic dataset, then time the four queries of issue 4), stop it.
#
#   bash bench/run-search.sh [search.py options...]    e.g. --records 1000000 --queries 40
#
# Env: LOAM_BIN (run this binary, skip the build), CARGO_TARGET_DIR. Results:
# $CARGO_TARGET_DIR/bench/<time>-search/{search.json,server.log}.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,9p' "$0"; exit 0 ;; esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"

loam_bench_server "$REPO" search
OUT="$LOAM_BENCH_OUT"
python3 "$REPO/bench/search.py" --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" \
  --json-out "$OUT/search.json" "$@"
echo "# results: $OUT" >&2
