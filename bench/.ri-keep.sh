#!/usr/bin/env bash
# Import benchmark: `loam import file` of a JSONL and a Parquet file of N rows, beside the bulk
# records API's ingest rate measured in the same run on the same machine.
#
#   bash bench/run-import.sh [--rows N]
#
#   --rows N   rows (default 1000000)
#
# Steps: build loam (release) unless LOAM_BIN is set; start it on a fresh data dir; ingest N
# records through PUT …/records/bulk with bench/ingest.py (the baseline: records/s and the
# server's peak RSS); create two empty datasets with the same settings; stop the server; write
# the ingested dataset out with `loam export` as JSONL and Parquet (not timed); then time
# `loam import file` of each into its empty dataset (bench/import.py: rows/s and the import's
# own peak RSS), and of the JSONL's first tenth into a third, so that peak RSS at N/10 and at N
# rows can be compared (flat memory: about the same). The figure to quote is the ratio of the
# import's rows/s over the bulk API's records/s.
#
# Env: LOAM_BIN, CARGO_TARGET_DIR (as in run-ingest.sh). Results:
# $CARGO_TARGET_DIR/bench/<time>-import/{*.json,*.log,summary.json}.
set -euo pipefail

ROWS=1000000
while (($#)); do
  case "$1" in
    --rows) ROWS="${2:?--rows needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"

OUT="$CARGO_TARGET_DIR/bench/$(date +%Y%m%d-%H%M%S)-$$-import"
mkdir -p "$OUT"
KEPT=""
cleanup() {
  loam_server_stop "$OUT/server.log"
  echo "KEPT=$KEPT" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "${LOAM_BIN:-}" ]]; then
  echo "== build ==" >&2
  cargo build --release -p loam-cli
fi
BIN="$(loam_bin "$REPO")"

echo "== bulk API ingest: $ROWS records (baseline) ==" >&2
# Keep the data dir when the server stops: the imports run on it.
export LOAM_SERVER_KEEP=1
loam_server_start "$BIN"
DATA="$LOAM_SERVER_DIR/data"
KEPT="$LOAM_SERVER_DIR"
python3 bench/ingest.py --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" --records "$ROWS" \
  --pid "$LOAM_SERVER_PID" --label bulk-api --json-out "$OUT/bulk-api.json"
SETUP="$(python3 bench/import.py setup --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" --names into-jsonl,into-parquet,into-tenth)"
SOURCE="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["source"])' "$SETUP")"
loam_server_stop "$OUT/server.log"

echo "== export the ingested dataset as JSONL and Parquet (not timed) ==" >&2
"$BIN" --data-dir "$DATA" export "bench/$SOURCE" --shape records --out "$KEPT/rows.jsonl" >&2
"$BIN" --data-dir "$DATA" export "bench/$SOURCE" --shape records --out "$KEPT/rows.parquet" >&2
head -n "$((ROWS / 10))" "$KEPT/rows.jsonl" >"$KEPT/tenth.jsonl"

name_of() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["made"][int(sys.argv[2])])' "$SETUP" "$1"; }
measure() {  # measure LABEL FILE DATASET-INDEX
  echo "== loam import file: $1 ==" >&2
  python3 bench/import.py measure --bin "$BIN" --data-dir "$DATA" --dataset "bench/$(name_of "$3")" \
    --file "$2" --label "$1" --json-out "$OUT/$1.json"
}
measure import-jsonl "$KEPT/rows.jsonl" 0
measure import-parquet "$KEPT/rows.parquet" 1
measure import-jsonl-tenth "$KEPT/tenth.jsonl" 2

python3 - "$OUT" <<'PYEOF'
import json, os, sys
out = sys.argv[1]
runs = {name: json.load(open(os.path.join(out, f"{name}.json")))
        for name in ("bulk-api", "import-jsonl", "import-parquet", "import-jsonl-tenth")}
base = runs["bulk-api"]
print("\n== import results ==")
print(f"bulk-api            {base['records']:>8} records {base['seconds']:>8.2f} s {base['records_per_s']:>9.1f} records/s  server peak RSS {base['peak_rss_mb']} MB")
summary = {"runs": runs}
for name in ("import-jsonl", "import-parquet", "import-jsonl-tenth"):
    r = runs[name]
    ratio = r["rows_per_s"] / base["records_per_s"]
    summary[f"ratio_{name}_over_bulk_api"] = round(ratio, 2)
    print(f"{name:<19} {r['imported']:>8} rows    {r['seconds']:>8.2f} s {r['rows_per_s']:>9.1f} rows/s     "
          f"peak RSS {r['peak_rss_mb']} MB (anon {r['peak_rss_anon_mb']})  ({ratio:.2f}x the bulk API)")
flat = runs["import-jsonl"]["peak_rss_mb"] / runs["import-jsonl-tenth"]["peak_rss_mb"]
summary["peak_rss_full_over_tenth"] = round(flat, 2)
anon = runs["import-jsonl"]["peak_rss_anon_mb"] / max(runs["import-jsonl-tenth"]["peak_rss_anon_mb"], 0.1)
summary["peak_rss_anon_full_over_tenth"] = round(anon, 2)
print(f"peak RSS, all rows over a tenth of them (JSONL): {flat:.2f}; heap (RssAnon) only: {anon:.2f}")
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=2)
print(f"results: {out}")
PYEOF
