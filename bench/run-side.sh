#!/usr/bin/env bash
# loam and the reference argilla-server 2.8 side by side, in one run, with one client: ingest
# (with loam's fraction of the SQLite ceiling, and loam on PostgreSQL against loam on SQLite), the
# annotation loop at 10 and 100 annotators,
# search, and reading a dataset back whole (the SDK's export), every timed part sent by the Rust
# clients of crates/loam-bench. Prints loam/reference ratios (and loam's own export beside the
# paged read).
#
#   bash bench/run-side.sh [--records N] [--reference-records N] [--loop-records N] [--min-submitted N]
#                          [--annotators "10 100"] [--seconds S] [--search-records N] [--queries N]
#                          [--pg-records N]
#
#   --records N            loam's main ingest, whose rows the ceiling writes too (default 100000)
#   --reference-records N  the ingest both servers do for the ratio (default 2000: the reference
#                          logs ~40 records/s)
#   --loop-records N       records of each annotation-loop dataset, on both servers (default 3000)
#   --min-submitted N|all  the loop datasets' distribution (default all: min_submitted = the number
#                          of annotators, every record every annotator's, so loam's annotators do not
#                          run out of records within --seconds; 1 is Argilla's default, and needs
#                          --loop-records above loam's loops/s times --seconds)
#   --annotators LIST      annotator counts of the loop (default "10 100")
#   --seconds S            how long each loop runs (default 10)
#   --search-records N     records (with 256-d vectors) of the search dataset, both servers (default 2000)
#   --queries N            queries of each kind (default 20)
#   --pg-records N         loam's ingest on PostgreSQL (LOAM_TEST_POSTGRES, default the local server),
#                          and on SQLite at the same count for their ratio (default 20000)
#
# Env: LOAM_BIN (run this server binary, skip its build), LOAM_BENCH_BIN_DIR (a directory holding
# built loam-annotation-loop, loam-replay and loam-ingest-ceiling, skip their build),
# CARGO_TARGET_DIR, LOAM_SHARED_DIR (as in scripts/test.sh).
# Results: $CARGO_TARGET_DIR/bench/<time>-side/ (one JSON a measurement, server logs, summary.json).
set -euo pipefail

RECORDS=100000
REF_RECORDS=2000
LOOP_RECORDS=3000
MIN_SUBMITTED=all
ANNOTATORS="10 100"
SECONDS_EACH=10
SEARCH_RECORDS=2000
QUERIES=20
PG_RECORDS=20000
while (($#)); do
  case "$1" in
    --records) RECORDS="${2:?}"; shift 2 ;;
    --reference-records) REF_RECORDS="${2:?}"; shift 2 ;;
    --loop-records) LOOP_RECORDS="${2:?}"; shift 2 ;;
    --min-submitted) MIN_SUBMITTED="${2:?}"; shift 2 ;;
    --annotators) ANNOTATORS="${2:?}"; shift 2 ;;
    --seconds) SECONDS_EACH="${2:?}"; shift 2 ;;
    --search-records) SEARCH_RECORDS="${2:?}"; shift 2 ;;
    --queries) QUERIES="${2:?}"; shift 2 ;;
    --pg-records) PG_RECORDS="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
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
# shellcheck source=scripts/lib/postgres.sh
source "$REPO/scripts/lib/postgres.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"
SHARED="${LOAM_SHARED_DIR:-$REPO/../shared}"
[[ -d "$SHARED" ]] && SHARED="$(cd "$SHARED" && pwd)"
OUT="$CARGO_TARGET_DIR/bench/$(date +%Y%m%d-%H%M%S)-$$-side"
mkdir -p "$OUT"
trap 'loam_server_stop; ref_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

BIN="$(loam_release_bin "$REPO")"
TOOLS="${LOAM_BENCH_BIN_DIR:-$CARGO_TARGET_DIR/release}"
if [[ -z "${LOAM_BENCH_BIN_DIR:-}" ]]; then
  echo "== build (the clients and the ceiling) ==" >&2
  cargo build --release -p loam-bench
fi
export LOAM_BIN="$BIN" LOAM_CEILING_BIN="$TOOLS/loam-ingest-ceiling" LOAM_REPLAY_BIN="$TOOLS/loam-replay"

# 1. Ingest: loam's main run and the ceiling on its rows, then both servers at the smaller count.
echo "== ingest ==" >&2
LOAM_INGEST_OUT="$OUT/ingest" bash "$REPO/bench/run-ingest.sh" --records "$RECORDS" --with-reference \
  --reference-records "$REF_RECORDS" --client rust

# 1b. PostgreSQL: the same ingest on a fresh database of the server at LOAM_TEST_POSTGRES (its
#     settings recorded beside the figure), and SQLite at the same count for the ratio.
echo "== ingest: PostgreSQL and SQLite at $PG_RECORDS records ==" >&2
loam_pg_ensure
PG_DB="loam_bench_side_$$"
loam_pg_create_db "$PG_DB"
psql "$(loam_pg_url "$PG_DB")" -XAtqc "select json_object_agg(name, setting) from pg_settings where name in
  ('server_version', 'shared_buffers', 'synchronous_commit', 'default_toast_compression', 'gin_pending_list_limit',
   'max_wal_size', 'checkpoint_timeout', 'work_mem', 'maintenance_work_mem')" > "$OUT/pg-settings.json"
LOAM_SERVER_DATABASE_URL="$(loam_pg_url "$PG_DB")" LOAM_INGEST_OUT="$OUT/ingest-pg" \
  bash "$REPO/bench/run-ingest.sh" --records "$PG_RECORDS" --no-ceiling --client rust
loam_pg_drop_db "$PG_DB"
LOAM_INGEST_OUT="$OUT/ingest-sqlite-pg-count" \
  bash "$REPO/bench/run-ingest.sh" --records "$PG_RECORDS" --no-ceiling --client rust

# side_up loam|reference: a fresh loam server, or the running reference; its URL and key in url, key.
side_up() {
  if [[ "$1" == loam ]]; then
    loam_server_start "$BIN"
    url="$LOAM_SERVER_URL" key="$LOAM_SERVER_KEY"
  else
    url="$REF_URL" key="$REF_KEY"
  fi
}

# 2. The annotation loop on a fresh dataset of each server, per annotator count; after the last, the
#    dataset (records and their responses) read back whole from each.
ref_start "$SHARED"
for n in $ANNOTATORS; do
  for side in loam reference; do
    echo "== loop: $side, $n annotators ==" >&2
    min_submitted="$MIN_SUBMITTED"
    if [[ "$min_submitted" == all ]]; then min_submitted="$n"; fi
    side_up "$side"
    python3 "$REPO/bench/annotation_loop.py" --url "$url" "--api-key=$key" --records "$LOOP_RECORDS" \
      --annotators "$n" --min-submitted "$min_submitted" --seconds "$SECONDS_EACH" --label "$side-$n" \
      --loop-bin "$TOOLS/loam-annotation-loop" --json-out "$OUT/loop-$side-$n.json"
    dataset="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dataset"])' "$OUT/loop-$side-$n.json")"
    export_flag=()
    if [[ "$side" == loam ]]; then export_flag=(--export); fi
    python3 "$REPO/bench/read_back.py" --url "$url" "--api-key=$key" --dataset "$dataset" \
      --records "$LOOP_RECORDS" --client-bin "$LOAM_REPLAY_BIN" --label "$side-$n" "${export_flag[@]}" \
      --json-out "$OUT/read-$side-$n.json"
    if [[ "$side" == loam ]]; then loam_server_stop "$OUT/loop-loam-$n.server.log"; fi
  done
done

# 3. Search: the same seeded dataset logged into each, the same queries timed one at a time.
for side in loam reference; do
  echo "== search: $side ==" >&2
  side_up "$side"
  python3 "$REPO/bench/search.py" --url "$url" "--api-key=$key" --records "$SEARCH_RECORDS" \
    --queries "$QUERIES" --label "$side" --client-bin "$LOAM_REPLAY_BIN" --json-out "$OUT/search-$side.json"
  if [[ "$side" == loam ]]; then loam_server_stop "$OUT/search-loam.server.log"; fi
done
ref_stop "$OUT/reference.server.log"

python3 "$REPO/bench/side_summary.py" "$OUT"
