#!/usr/bin/env bash
# The web UI's tests (the `ui` step of scripts/test.sh):
#   1. tsc --noEmit --checkJs over ui/ (e2e/ui/tsconfig.json)
#   2. unit tests of the UI's logic (form state, keyboard map, draft handling, queues, what the
#      question editors make of gestures, markdown cache): node --test unit/
#   3. browser tests: Debian's chromium, driven by playwright-core, against the release binary
#      started as scripts/lib/loam-server.sh starts it; screenshots to target/ui-screenshots/.
#      browser/ui-1-annotate, ui-2-admin and ui-3-queues.test.js drive loam's own UI (sharing
#      lib/loam-ui.js; each relies on what the ones before it left on the server);
#      browser/ui-4-insights.test.js drives the Insights view (agreement, consolidation, export)
#      on a workspace and dataset of its own (lib/insights-data.js);
#      browser/ui-5-keyboard.test.js drives the keyboard flow and the suggestions' marks on a
#      workspace and datasets of its own (lib/keys-data.js), checking answers through the API;
#      browser/ui-6-filters.test.js drives filters, sort, search highlighting and the paged bulk
#      view on a workspace and dataset of its own (lib/filters-data.js);
#      browser/ui-8-roles.test.js drives what each role sees (annotator, admin, owner), the users
#      page and every settings form, on workspaces, users and datasets of its own (lib/roles-data.js);
#      browser/ui-9-day.test.js drives what a day of annotation found (issue 19's QA): one annotator
#      in two tabs on one queue, on a workspace and dataset of its own (lib/day-data.js);
#      browser/ui-10-leases.test.js drives the Pending queue's leases (issue 20): two annotators
#      in two browser contexts on a min_submitted = 1 dataset of its own never share a record,
#      all held says so, leaving the view releases the lease, and an answer typed while a shown
#      record's lease is asked for is dropped with it when it went to others;
#      browser/ui-11-review.test.js drives review and adjudication (a reviewer's decisions by key,
#      a return, the annotator's Returned queue, back to review) and what annotators see of each
#      other's answers, on a workspace, users and dataset of its own;
#      browser/ui-12-time.test.js drives time on task under a controlled clock (hidden-tab and idle
#      time left out, the figures per annotator on the home and settings) and an owner's record
#      edit with its history, on a workspace, users and dataset of its own;
#      browser/ui-15-speed.test.js checks what keeps the first screen and a move fast (one module
#      file, the bundle; the first page and markdown asked for once, with the page; a move's lease
#      and URL after its frame; lazy screens sharing the bundle's modules), on a dataset of its own;
#      browser/upstream-argilla-ui.test.js drives Argilla's own web UI (the built frontend in the
#      argilla-server 2.8.0 wheel from PyPI, fetched once with `pip download` into
#      ~/.cache/loam/argilla-ui/) in front of loam's API: sign-in by keyboard, the datasets home,
#      a dataset's annotation page, and no API call failing.
# The npm packages (typescript, playwright-core) are dev-only, pinned in package-lock.json and
# installed with `npm ci`. A missing chromium or npm is installed with apt-get when we can
# (root); otherwise the step fails. Nothing is ever skipped.
#
# Env: LOAM_BIN (the binary; default the release build in the cargo target dir),
#      LOAM_UI_DIR (read by `loam serve` itself: serve this ui/ folder instead of the one built
#      into the binary, e.g. a checkout's ui/ with a binary built from another tree),
#      CHROMIUM (default /usr/bin/chromium), LOAM_UI_PARTS (local iteration only: a subset of
#      "types unit browser"; refused when CI=true), LOAM_UI_BROWSER_TESTS (local iteration only:
#      run these browser test files, paths from e2e/ui, e.g. "browser/ui-6-filters.test.js",
#      instead of all of browser/; refused when CI=true), LOAM_UI_PREPARE_ONLY=1 (install what the
#      tests need, run nothing).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/e2e/ui"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"

PARTS="${LOAM_UI_PARTS:-types unit browser}"
if [[ -n "${LOAM_UI_BROWSER_TESTS:-}" && "${CI:-}" == "true" ]]; then
  echo "error: LOAM_UI_BROWSER_TESTS is for local iteration; CI runs every browser test" >&2
  exit 2
fi
read -r -a BROWSER_TESTS <<<"${LOAM_UI_BROWSER_TESTS:-browser/}"
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
# LOAM_UI_PREPARE_ONLY=1: install chromium, npm and the locked packages, then stop (scripts/test.sh
# does so in the background while cargo compiles).
if [[ "${LOAM_UI_PREPARE_ONLY:-}" == 1 ]]; then
  exit 0
fi

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
  # Argilla's built frontend: the wheel's argilla_server/static, with the base-URL placeholder
  # replaced by the empty base URL (what the reference server does when it starts at "/").
  argilla_ui="$HOME/.cache/loam/argilla-ui/argilla-server-2.8.0"
  if [[ ! -f "$argilla_ui/.complete" ]]; then
    echo "# fetching the argilla-server 2.8.0 wheel for Argilla's own web UI (once)" >&2
    rm -rf "$argilla_ui"
    mkdir -p "$argilla_ui"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps argilla-server==2.8.0 -d "$argilla_ui/wheel" >&2 || exit 1
    python3 - "$argilla_ui" <<'PY' || exit 1
import pathlib, sys, zipfile
root = pathlib.Path(sys.argv[1])
wheel = next((root / "wheel").glob("argilla_server-2.8.0-*.whl"))
prefix = "argilla_server/static/"
with zipfile.ZipFile(wheel) as zf:
    for name in zf.namelist():
        # Pre-compressed copies (.br, .gz) would hold the placeholder too: served from the plain files.
        if not name.startswith(prefix) or name.endswith("/") or name.endswith((".br", ".gz")):
            continue
        data = zf.read(name)
        if name.endswith((".js", ".html")):
            data = data.replace(b"@@baseUrl@@", b"")
        target = root / "static" / name[len(prefix):]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
PY
    rm -rf "$argilla_ui/wheel"
    touch "$argilla_ui/.complete"
  fi
  shots="$REPO/target/ui-screenshots"
  rm -rf "$shots"
  mkdir -p "$shots"
  # The timeout is a guard against a hung browser, not a speed check, and node applies it to each
  # test file as a whole too. Files run one at a time, in name order, on the one server: loam's UI
  # (ui-1-…, ui-2-…, ui-3-…, in that order, as each relies on what the ones before left), then
  # Argilla's (upstream-…).
  LOAM_URL="$LOAM_SERVER_URL" LOAM_KEY="$LOAM_SERVER_KEY" SCREENSHOTS="$shots" CHROMIUM="$CHROMIUM" \
  ARGILLA_UI_DIR="$argilla_ui/static" \
    node --test --test-concurrency=1 --test-timeout=300000 "${BROWSER_TESTS[@]}" || { rc=1; loam_server_log_tail 40; }
  echo "# screenshots: $shots"
fi
exit "$rc"
