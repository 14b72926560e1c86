#!/usr/bin/env bash
# The web UI's tests (the `ui` step of scripts/test.sh):
#   1. tsc --noEmit --checkJs over ui/ (e2e/ui/tsconfig.json)
#   2. unit tests of the UI's logic (form state, keyboard map, draft handling): node --test unit/
#   3. browser tests: Debian's chromium, driven by playwright-core, against the release binary
#      started as scripts/lib/loam-server.sh starts it; screenshots to target/ui-screenshots/.
# The npm packages (typescript, playwright-core) are dev-only, pinned in package-lock.json and
# installed with `npm ci`. A missing chromium or npm is installed with apt-get when we can
# (root); otherwise the step fails. Nothing is ever skipped.
#
# Env: LOAM_BIN (the binary; default the release build in the cargo target dir),
#      CHROMIUM (default /usr/bin/chromium), LOAM_UI_PARTS (local iteration only: a subset of
#      "types unit browser"; refused when CI=true).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/e2e/ui"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"

PARTS="${LOAM_UI_PARTS:-types unit browser}"
if [[ "$PARTS" != "types unit browser" && "${CI:-}" == "true" ]]; then
  echo "error: LOAM_UI_PARTS is set but CI=true; CI runs every part" >&2
  exit 1
fi
part() { [[ " $PARTS " == *" $1 "* ]]; }

apt_install() {  # apt_install PACKAGE...: install, or fail saying why
  if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null; then
    echo "error: $* missing and cannot be installed here (needs root and apt-get); install it and rerun" >&2
    return 1
  fi
  echo "# installing $* with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 \
    || { DEBIAN_FRONTEND=noninteractive apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; }
}

command -v npm >/dev/null || apt_install nodejs npm
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if part browser && [[ ! -x "$CHROMIUM" ]]; then
  apt_install chromium
fi

cd "$HERE"
# Exactly the locked versions; quick once npm's cache holds the two packages.
npm ci --no-audit --no-fund --loglevel=error

rc=0
if part types; then
  echo "== ui: tsc --noEmit --checkJs over ui/ =="
  ./node_modules/.bin/tsc -p tsconfig.json || rc=1
fi
if part unit; then
  echo "== ui: unit tests =="
  node --test unit/ || rc=1
fi
if part browser; then
  echo "== ui: browser tests =="
  bin="$(loam_bin "$REPO")"
  trap 'loam_server_stop' EXIT
  loam_server_start "$bin" || exit 1
  shots="$REPO/target/ui-screenshots"
  rm -rf "$shots"
  mkdir -p "$shots"
  # The timeout is a guard against a hung browser, not a speed check, and node applies it to each
  # test file as a whole too: one file holds every browser test.
  LOAM_URL="$LOAM_SERVER_URL" LOAM_KEY="$LOAM_SERVER_KEY" SCREENSHOTS="$shots" CHROMIUM="$CHROMIUM" \
    node --test --test-concurrency=1 --test-timeout=300000 browser/ || { rc=1; loam_server_log_tail 40; }
  echo "# screenshots: $shots"
fi
exit "$rc"
