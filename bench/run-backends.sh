#!/usr/bin/env bash
# Backends benchmark: ingest and annotation loop on SQLite, PostgreSQL with one replica and
# PostgreSQL with three replicas on one database, in one run (bench/backends.py).
#
#   bash bench/run-backends.sh [backends.py options...]
#
#   e.g. --ingest-records 50000 --loop-records 100000 --annotators 10 --seconds 20 --configs sqlite,pg3
#
# Env: LOAM_BIN (run this binary, skip the build), CARGO_TARGET_DIR, LOAM_TEST_POSTGRES (the
# PostgreSQL server's maintenance database, default postgres://postgres@127.0.0.1:5432/postgres).
# Results: $CARGO_TARGET_DIR/bench/<time>-backends/{backends.json,*.log}.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,12p' "$0"; exit 0 ;; esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
# shellcheck source=scripts/lib/postgres.sh
source "$REPO/scripts/lib/postgres.sh"
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
cd "$REPO"

if [[ -z "${LOAM_BIN:-}" ]]; then
  echo "== build ==" >&2
  cargo build --release -p loam-cli
fi
echo "== build the load client ==" >&2
cargo build --release -p loam-bench
loam_pg_ensure
OUT="$CARGO_TARGET_DIR/bench/$(date +%Y%m%d-%H%M%S)-$$-backends"
python3 "$REPO/bench/backends.py" --bin "$(loam_bin "$REPO")" --out "$OUT" --pg-admin "$(loam_pg_admin_url)" \
  --loop-bin "$CARGO_TARGET_DIR/release/loam-annotation-loop" "$@"
