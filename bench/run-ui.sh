#!/usr/bin/env bash
# UI benchmark: build loam (release), start it on a fresh data dir, run bench/ui.mjs (a generated
# 10,000-record dataset; first paint of the annotation view and next-record time in headless
# chromium, as ratios against the raw API round trips measured in the same run), stop it.
#
#   bash bench/run-ui.sh [ui.mjs options...]    e.g. --records 10000 --moves 200 --loads 10
#
# Env: LOAM_BIN (run this binary, skip the build), CARGO_TARGET_DIR, CHROMIUM (default
# /usr/bin/chromium). Needs npm and chromium as e2e/ui/run.sh does; playwright-core comes from
# e2e/ui's lock file (`npm ci`). Results: $CARGO_TARGET_DIR/bench/<time>-ui/{ui.json,server.log}.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,11p' "$0"; exit 0 ;; esac

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

loam_bench_server "$REPO" ui
OUT="$LOAM_BENCH_OUT"
CHROMIUM="$CHROMIUM" node "$REPO/bench/ui.mjs" --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" \
  --json-out "$OUT/ui.json" "$@"
echo "# results: $OUT" >&2
