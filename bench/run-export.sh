#!/usr/bin/env bash
# Export benchmark: build loam (release), start it on a free port with a fresh data dir, run
# bench/export.py against it (a dataset of N records with three annotators' responses, exported to
# Parquet and JSONL over HTTP and with `loam export`; the v2 SDK's to_datasets() on a smaller
# dataset as the baseline of the same run), stop it.
#
#   bash bench/run-export.sh [--records N] [--baseline-records N] [--no-baseline] [--compare-bin BIN]
#
#   --records N            records of the main dataset (default 1000000)
#   --baseline-records N   records of the dataset both loam and the v2 SDK export (default 50000)
#   --no-baseline          skip the v2 SDK baseline (and its venv)
#   --compare-bin BIN      also time BIN's `loam export` (an earlier loam, e.g. main's release
#                          binary) on the same datasets, right after this loam's
#
# Env: LOAM_BIN (run this binary, skip the build), CARGO_TARGET_DIR, LOAM_SHARED_DIR (as in
# scripts/test.sh). Results: $CARGO_TARGET_DIR/bench/<time>/{export.json,server.log}.
set -euo pipefail

RECORDS=1000000
BASELINE=50000
WITH_BASELINE=1
COMPARE_ARGS=()
while (($#)); do
  case "$1" in
    --records) RECORDS="${2:?--records needs a value}"; shift 2 ;;
    --baseline-records) BASELINE="${2:?--baseline-records needs a value}"; shift 2 ;;
    --no-baseline) WITH_BASELINE=0; shift ;;
    --compare-bin) COMPARE_ARGS=(--compare-bin "${2:?--compare-bin needs a binary}"); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
# shellcheck source=scripts/lib/venv.sh
source "$REPO/scripts/lib/venv.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"

OUT="$CARGO_TARGET_DIR/bench/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$OUT"
trap 'loam_server_stop "$OUT/server.log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

BIN="$(loam_release_bin "$REPO")"

SDK_ARGS=()
if ((WITH_BASELINE)); then
  SHARED="${LOAM_SHARED_DIR:-$REPO/../shared}"
  loam_ensure_venv "$HOME/.cache/loam/venvs/sdk-2.8" "$SHARED/conformance/requirements-sdk.txt"
  SDK_ARGS=(--sdk-python "$HOME/.cache/loam/venvs/sdk-2.8/bin/python" --baseline-records "$BASELINE")
fi

loam_server_start "$BIN"
python3 "$REPO/bench/export.py" --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" --bin "$BIN" \
  --data-dir "$LOAM_SERVER_DIR/data" --pid "$LOAM_SERVER_PID" --records "$RECORDS" "${SDK_ARGS[@]}" \
  "${COMPARE_ARGS[@]}" --json-out "$OUT/export.json"
echo "results: $OUT"
