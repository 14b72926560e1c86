#!/usr/bin/env bash
# Build loam (release) and serve it for humans on http://127.0.0.1:6900 with data in ./loam-data.
#
#   bash scripts/serve-dev.sh [extra `loam serve` args...]
#
# Env: LOAM_BIND (default 127.0.0.1:6900), LOAM_DATA_DIR (default ./loam-data, relative to the
# repo root), LOAM_BIN (run this binary and skip the build). Every other LOAM_* variable reaches
# the server unchanged, e.g. LOAM_OWNER_USERNAME / LOAM_OWNER_PASSWORD / LOAM_OWNER_API_KEY to
# create the owner on the first start with an empty data dir.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

BIND="${LOAM_BIND:-127.0.0.1:6900}"
DATA_DIR="${LOAM_DATA_DIR:-$REPO/loam-data}"

if [[ -n "${LOAM_BIN:-}" ]]; then
  BIN="$LOAM_BIN"
else
  cargo build --release -p loam-cli
  BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/loam"
fi

mkdir -p "$DATA_DIR"
echo "# serving $BIN on http://$BIND (data: $DATA_DIR); Ctrl-C stops it" >&2
# exec: Ctrl-C and SIGTERM go straight to loam, which shuts down cleanly.
exec "$BIN" serve --bind "$BIND" --data-dir "$DATA_DIR" "$@"
