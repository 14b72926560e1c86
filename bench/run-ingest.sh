#!/usr/bin/env bash
# Ingest benchmark: build loam (release), start it on a free port with a fresh data dir, run
# bench/ingest.py against it (sampling the server's RSS), stop it.
#
#   bash bench/run-ingest.sh [--records N] [--batch N] [--with-reference [--reference-records N]]
#
#   --records N            records for the main loam run (default 100000)
#   --batch N              records per PUT .../records/bulk request (default 256, like the v2 SDK)
#   --with-reference       also measure the reference argilla-server 2.8 (shared/peers/argilla-server)
#                          and report loam/reference as a ratio. The reference does ~40 records/s, so
#                          it ingests a smaller count; loam is measured again at that same count on a
#                          fresh server, and the ratio compares those two runs.
#   --reference-records N  records for the reference comparison (default 2000)
#   --no-ceiling           skip the ceiling: by default the main run's bodies are also written
#                          straight into a fresh SQLite file by loam-ingest-ceiling (crates/loam-bench),
#                          its rows checked against loam's (bench/ingest_compare.py), and loam's rate
#                          printed as a fraction of the ceiling's
#   --client rust|python   who sends the bodies: ingest.py itself (python, the default) or the Rust
#                          client loam-replay (crates/loam-bench; bench/run-side.sh uses it)
#
# Env: LOAM_BIN (run this binary, skip the build), LOAM_CEILING_BIN and LOAM_REPLAY_BIN (the same
# for the ceiling and the Rust client),
# CARGO_TARGET_DIR, LOAM_SHARED_DIR (as in scripts/test.sh).
# Results: $CARGO_TARGET_DIR/bench/<time>/{*.json,*.log,summary.json}, or in $LOAM_INGEST_OUT.
set -euo pipefail

RECORDS=100000
BATCH=256
WITH_REFERENCE=0
REF_RECORDS=2000
CEILING=1
CLIENT_KIND=python
while (($#)); do
  case "$1" in
    --records) RECORDS="${2:?--records needs a value}"; shift 2 ;;
    --batch) BATCH="${2:?--batch needs a value}"; shift 2 ;;
    --with-reference) WITH_REFERENCE=1; shift ;;
    --reference-records) REF_RECORDS="${2:?--reference-records needs a value}"; shift 2 ;;
    --no-ceiling) CEILING=0; shift ;;
    --client) CLIENT_KIND="${2:?--client needs a value}"; shift 2
      [[ "$CLIENT_KIND" == rust || "$CLIENT_KIND" == python ]] || { echo "--client is rust or python" >&2; exit 2; } ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
# shellcheck source=scripts/lib/venv.sh
source "$REPO/scripts/lib/venv.sh"
# shellcheck source=bench/lib-reference.sh
source "$REPO/bench/lib-reference.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"

OUT="${LOAM_INGEST_OUT:-$CARGO_TARGET_DIR/bench/$(date +%Y%m%d-%H%M%S)-$$}"
mkdir -p "$OUT"

KEPT_DIR=""
SHARED="${LOAM_SHARED_DIR:-$REPO/../shared}"
[[ -d "$SHARED" ]] && SHARED="$(cd "$SHARED" && pwd)"
cleanup() {
  loam_server_stop
  if [[ -n "$KEPT_DIR" ]]; then
    rm -rf "$KEPT_DIR"
  fi
  ref_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "$WITH_REFERENCE" == "1" && ! -f "$SHARED/peers/argilla-server/start.sh" ]]; then
  echo "error: --with-reference needs $SHARED/peers/argilla-server/start.sh (shared/ beside the repo, or LOAM_SHARED_DIR)" >&2
  exit 1
fi

BIN="$(loam_release_bin "$REPO")"
# --client rust: the bodies are sent by loam-replay (crates/loam-bench), built here unless
# LOAM_REPLAY_BIN names one.
CLIENT=()
if [[ "$CLIENT_KIND" == "rust" ]]; then
  if [[ -z "${LOAM_REPLAY_BIN:-}" ]]; then
    echo "== build (the Rust client) ==" >&2
    cargo build --release -p loam-bench --bin loam-replay
  fi
  CLIENT=(--client-bin "${LOAM_REPLAY_BIN:-$CARGO_TARGET_DIR/release/loam-replay}")
fi
CEILING_BIN="${LOAM_CEILING_BIN:-$CARGO_TARGET_DIR/release/loam-ingest-ceiling}"
if [[ "$CEILING" == "1" && -z "${LOAM_CEILING_BIN:-}" ]]; then
  echo "== build (ceiling) ==" >&2
  cargo build --release -p loam-bench --bin loam-ingest-ceiling
fi

# bench_loam NAME RECORDS: one ingest run against a freshly started loam (fresh data dir, so runs
# do not see each other's data), results in $OUT/NAME.json and the server log in $OUT/NAME.server.log.
# With a third argument BODIES, the request bodies are also written there and the server's data
# dir is kept, its path in KEPT_DIR (the caller removes it; so does the exit trap).
bench_loam() {
  local name="$1" records="$2" bodies="${3:-}" rc=0
  echo "== ingest: $name ($records records) ==" >&2
  local keep="${LOAM_SERVER_KEEP:-0}" extra=()
  [[ -n "$bodies" ]] && keep=1 && extra=(--bodies-out "$bodies")
  LOAM_SERVER_KEEP="$keep" loam_server_start "$BIN" || return 1
  KEPT_DIR="$LOAM_SERVER_DIR"
  # `--api-key=…`: a url-safe key may start with "-", which would read as a flag.
  python3 "$REPO/bench/ingest.py" --url "$LOAM_SERVER_URL" "--api-key=$LOAM_SERVER_KEY" \
    --records "$records" --batch "$BATCH" --pid "$LOAM_SERVER_PID" --label "$name" \
    --json-out "$OUT/$name.json" "${extra[@]}" "${CLIENT[@]}" || rc=$?
  ((rc == 0)) || loam_server_log_tail 60
  LOAM_SERVER_KEEP="$keep" loam_server_stop "$OUT/$name.server.log"
  return "$rc"
}

if [[ "$CEILING" == "1" ]]; then
  bench_loam loam "$RECORDS" "$OUT/bodies.jsonl"
  # The ceiling: the same bodies' rows straight into a fresh file, after loam has stopped (nothing
  # else of ours running), then its rows checked against the ones loam wrote.
  echo "== ingest: ceiling ($RECORDS records) ==" >&2
  rc=0
  "$CEILING_BIN" --db "$OUT/ceiling.db" --bodies "$OUT/bodies.jsonl" --json-out "$OUT/ceiling.json" || rc=$?
  if ((rc == 0)); then
    python3 "$REPO/bench/ingest_compare.py" "$KEPT_DIR/data/loam.db" "$OUT/ceiling.db" | tee "$OUT/compare.txt" || rc=$?
  fi
  rm -rf "$KEPT_DIR" "$OUT"/ceiling.db* "$OUT/bodies.jsonl"
  ((rc == 0)) || exit "$rc"
else
  bench_loam loam "$RECORDS"
fi

if [[ "$WITH_REFERENCE" == "1" ]]; then
  bench_loam loam-small "$REF_RECORDS"

  echo "== ingest: reference ($REF_RECORDS records) ==" >&2
  ref_start "$SHARED"
  rc=0
  python3 "$REPO/bench/ingest.py" --url "$REF_URL" "--api-key=$REF_KEY" \
    --records "$REF_RECORDS" --batch "$BATCH" --pid "$REF_PID" \
    --label reference --json-out "$OUT/reference.json" "${CLIENT[@]}" || rc=$?
  ref_stop "$OUT/reference.server.log"
  if ((rc != 0)); then
    tail -n 60 "$OUT/reference.server.log" >&2 || true
    exit "$rc"
  fi
fi

# Summary table, and the ratio (loam/reference records/s at the same record count, same machine,
# same run), which is the figure to quote: absolute records/s depend on the machine.
python3 - "$OUT" <<'PYEOF'
import json, os, sys
out = sys.argv[1]
runs = {}
for name in ("loam", "ceiling", "loam-small", "reference"):
    path = os.path.join(out, f"{name}.json")
    if os.path.exists(path):
        runs[name] = json.load(open(path))
print("\n== ingest results ==")
for name, r in runs.items():
    print(f"{name:<11} {r['records']:>7} records  {r['seconds']:>9.2f} s  {r['records_per_s']:>9.1f} records/s"
          f"  peak RSS {r['peak_rss_mb']} MB")
summary = {"runs": runs}
if "loam" in runs and "ceiling" in runs:
    fraction = runs["loam"]["records_per_s"] / runs["ceiling"]["records_per_s"]
    summary["fraction_of_ceiling"] = round(fraction, 3)
    print(f"loam / ceiling records/s ({runs['loam']['records']} records each): {fraction:.1%} of the ceiling")
if "loam-small" in runs and "reference" in runs:
    ratio = runs["loam-small"]["records_per_s"] / runs["reference"]["records_per_s"]
    rss = runs["loam-small"]["peak_rss_mb"], runs["reference"]["peak_rss_mb"]
    summary["ratio_records_per_s_loam_over_reference"] = round(ratio, 2)
    print(f"ratio loam/reference records/s ({runs['reference']['records']} records each): {ratio:.1f}x")
    if all(rss):
        summary["ratio_peak_rss_loam_over_reference"] = round(rss[0] / rss[1], 2)
        print(f"ratio loam/reference peak RSS: {rss[0] / rss[1]:.2f}")
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=2)
print(f"results: {out}")
PYEOF
