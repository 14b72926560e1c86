#!/usr/bin/env bash
# UI benchmark: build loam (release), start it on a fresh data dir, run bench/ui.mjs (a generated
# 10,000-record dataset; first paint of the annotation view and next-record time in headless
# chromium, as ratios against the raw API round trips measured in the same run), stop it.
#
#   bash bench/run-ui.sh [ui.mjs options...]    e.g. --records 10000 --moves 200 --loads 10
#
# Env: LOAM_BIN (run this binary, skip the build), LOAM_BIN_BASELINE (also run this binary, first,
# on a server of its own, and print both side by side with ratios: the way to compare a change
# against main on one machine in one run), CARGO_TARGET_DIR, CHROMIUM (default /usr/bin/chromium).
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
  # The baseline first, on its own fresh server, then the binary under test below.
  candidate="${LOAM_BIN:-}"
  LOAM_BIN="$LOAM_BIN_BASELINE"
  loam_bench_server "$REPO" ui
  OUT="$LOAM_BENCH_OUT"
  echo "== baseline: $LOAM_BIN_BASELINE ==" >&2
  CHROMIUM="$CHROMIUM" node "$REPO/bench/ui.mjs" --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" \
    --json-out "$OUT/ui-baseline.json" "$@"
  loam_server_stop "$OUT/server-baseline.log"
  LOAM_BIN="$candidate"
  [[ -n "$LOAM_BIN" ]] || { echo "== build ==" >&2; cargo build --release -p loam-cli; }
  loam_server_start "$(loam_bin "$REPO")"
  echo "== candidate: $(loam_bin "$REPO") ==" >&2
else
  loam_bench_server "$REPO" ui
  OUT="$LOAM_BENCH_OUT"
fi
CHROMIUM="$CHROMIUM" node "$REPO/bench/ui.mjs" --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" \
  --json-out "$OUT/ui.json" "$@"
if [[ -n "${LOAM_BIN_BASELINE:-}" ]]; then
  node "$REPO/bench/ui-compare.mjs" "$OUT/ui-baseline.json" "$OUT/ui.json" | tee "$OUT/compare.txt"
fi
echo "# results: $OUT" >&2
