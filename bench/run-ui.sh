#!/usr/bin/env bash
# UI benchmark: build loam (release), start it on a fresh data dir, run bench/ui.mjs (a generated
# 10,000-record dataset; first paint of the annotation view and next-record time in headless
# chromium, as ratios against the raw API round trips measured in the same run), stop it.
#
#   bash bench/run-ui.sh [ui.mjs options...]    e.g. --records 10000 --moves 200 --loads 10
#
# Env: LOAM_BIN (run this binary, skip the build), LOAM_BIN_BASELINE (also run this binary, on a
# server of its own at the same time, every measurement interleaved between the two, and print both
# side by side with ratios: the way to compare a change against main on one machine in one run), CARGO_TARGET_DIR, CHROMIUM (default /usr/bin/chromium).
# Needs npm and chromium as e2e/ui/run.sh does; playwright-core comes from e2e/ui's lock file
# (`npm ci`). Results: $CARGO_TARGET_DIR/bench/<time>-ui/{ui.json,server.log} (with a baseline:
# ui-baseline.json, server-baseline.log and compare.txt too).
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,14p' "$0"; exit 0 ;; esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"

command -v npm >/dev/null || { echo "error: npm is missing (e2e/ui/run.sh installs it)" >&2; exit 1; }
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || { echo "error: no chromium at $CHROMIUM (e2e/ui/run.sh installs it)" >&2; exit 1; }
(cd "$REPO/e2e/ui" && npm ci --no-audit --no-fund --loglevel=error)

if [[ -n "${LOAM_BIN_BASELINE:-}" ]]; then
  # Both servers at once, each on its own fresh data dir: ui.mjs interleaves every measurement
  # between them, so the machine's load weighs on both alike. The baseline's server is started
  # first and its state set aside (loam-server.sh keeps one server per shell in globals).
  candidate="${LOAM_BIN:-}"
  LOAM_BIN="$LOAM_BIN_BASELINE"
  loam_bench_server "$REPO" ui
  OUT="$LOAM_BENCH_OUT"
  base=("$LOAM_SERVER_URL" "$LOAM_SERVER_KEY" "$LOAM_SERVER_PID" "$LOAM_SERVER_DIR" "$LOAM_SERVER_LOG")
  stop_baseline() {
    LOAM_SERVER_URL="${base[0]}" LOAM_SERVER_KEY="${base[1]}" LOAM_SERVER_PID="${base[2]}" \
      LOAM_SERVER_DIR="${base[3]}" LOAM_SERVER_LOG="${base[4]}" loam_server_stop "$OUT/server-baseline.log"
  }
  trap 'loam_server_stop "$OUT/server.log"; stop_baseline' EXIT
  LOAM_SERVER_URL="" LOAM_SERVER_KEY="" LOAM_SERVER_PID="" LOAM_SERVER_DIR="" LOAM_SERVER_LOG=""
  LOAM_BIN="$candidate"
  [[ -n "$LOAM_BIN" ]] || { echo "== build ==" >&2; cargo build --release -p loam-cli; }
  loam_server_start "$(loam_bin "$REPO")"
  echo "== baseline: $LOAM_BIN_BASELINE at ${base[0]}; candidate: $(loam_bin "$REPO") at $LOAM_SERVER_URL (interleaved) ==" >&2
  CHROMIUM="$CHROMIUM" node "$REPO/bench/ui.mjs" --url "$LOAM_SERVER_URL" "--api-key=$LOAM_SERVER_KEY" \
    --json-out "$OUT/ui.json" --baseline-url "${base[0]}" "--baseline-api-key=${base[1]}" \
    --baseline-json-out "$OUT/ui-baseline.json" "$@"
  node "$REPO/bench/ui-compare.mjs" "$OUT/ui-baseline.json" "$OUT/ui.json" | tee "$OUT/compare.txt"
else
  loam_bench_server "$REPO" ui
  OUT="$LOAM_BENCH_OUT"
  CHROMIUM="$CHROMIUM" node "$REPO/bench/ui.mjs" --url "$LOAM_SERVER_URL" "--api-key=$LOAM_SERVER_KEY" \
    --json-out "$OUT/ui.json" "$@"
fi
echo "# results: $OUT" >&2
