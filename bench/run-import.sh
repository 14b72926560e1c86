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
# server's peak RSS); stop the server; write the ingested dataset out with `loam export` as JSONL
# and Parquet (not timed); then time `loam import file` of each (bench/import.py: rows/s and the
# import's own peak RSS), and of the JSONL's first tenth, so that peak RSS at N/10 and at N rows can
# be compared (flat memory: about the same). Each import writes into a fresh database holding one
# empty dataset with the same settings, as the bulk API did. The figure to quote is the ratio of the
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
KEPT=()
cleanup() {
  loam_server_stop "$OUT/server.log"
  if ((${#KEPT[@]})); then rm -rf "${KEPT[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

BIN="$(loam_release_bin "$REPO")"

echo "== bulk API ingest: $ROWS records (baseline) ==" >&2
# Keep the data dirs when their servers stop: the export and the imports run on them.
export LOAM_SERVER_KEEP=1
loam_server_start "$BIN"
DATA="$LOAM_SERVER_DIR/data"
SOURCE_DIR="$LOAM_SERVER_DIR"
KEPT+=("$SOURCE_DIR")
python3 bench/ingest.py --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" --records "$ROWS" \
  --pid "$LOAM_SERVER_PID" --label bulk-api --json-out "$OUT/bulk-api.json"
SOURCE="$(python3 bench/import.py setup --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" --names "" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["source"])')"
loam_server_stop "$OUT/server.log"

echo "== export the ingested dataset as JSONL and Parquet (not timed) ==" >&2
"$BIN" --data-dir "$DATA" export "bench/$SOURCE" --shape records --out "$SOURCE_DIR/rows.jsonl" >&2
"$BIN" --data-dir "$DATA" export "bench/$SOURCE" --shape records --out "$SOURCE_DIR/rows.parquet" >&2
head -n "$((ROWS / 10))" "$SOURCE_DIR/rows.jsonl" >"$SOURCE_DIR/tenth.jsonl"

# Each import writes into a database of its own, made like the one the bulk API wrote into (the
# owner, the workspace and one empty dataset with the same settings), so that both sides write
# into an index of the same size: an import into the source's database would meet its N records
# already in every B-tree and in the text index.
measure() {  # measure LABEL FILE
  loam_server_start "$BIN"
  local target
  target="$(python3 bench/import.py setup --url "$LOAM_SERVER_URL" --api-key "$LOAM_SERVER_KEY" --names "into-$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["made"][0])')"
  local data="$LOAM_SERVER_DIR/data"
  KEPT+=("$LOAM_SERVER_DIR")
  loam_server_stop "$OUT/server-$1.log"
  echo "== loam import file: $1 ==" >&2
  python3 bench/import.py measure --bin "$BIN" --data-dir "$data" --dataset "bench/$target" \
    --file "$2" --label "$1" --json-out "$OUT/$1.json"
}
measure import-jsonl "$SOURCE_DIR/rows.jsonl"
measure import-parquet "$SOURCE_DIR/rows.parquet"
measure import-jsonl-tenth "$SOURCE_DIR/tenth.jsonl"

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
