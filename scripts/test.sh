#!/usr/bin/env bash
# The project's test command: `bash scripts/test.sh` (CI runs it through .ci/run).
#
# Steps, in order; every step runs even if an earlier one failed (except that the SDK suite and e2e
# need the release build), so one run shows everything that is broken. Exit status is 0 only if all
# passed.
#   fmt        cargo fmt --all -- --check
#   clippy     cargo clippy --workspace --all-targets -- -D warnings
#   test       cargo test --workspace (storage on SQLite)
#   agreement  loam's agreement figures against the reference implementations (the `krippendorff`
#              package, scikit-learn's cohen_kappa_score, statsmodels' fleiss_kappa; venv from
#              e2e/reference/requirements.txt): crates/loam-domain/tests/agreement_reference.rs,
#              1,000 generated cases per question type, every figure equal to 1e-9
#   test-pg    the storage and API tests again, on PostgreSQL (loam-store, loam-http: each test on a
#              scratch database of the server below)
#   build      cargo build --release -p loam-cli, then `cargo run --release -- --version` (README's
#              start command must find the one binary, `loam`)
#   sdk-suite  the argilla 2.8 SDK's own integration tests (files below) against the release binary
#   sdk-suite-pg  the same suite against the release binary serving from a PostgreSQL database
#   e2e        e2e/run.sh: the legacy SDK (argilla 1.29.1), distilabel 1.5.3 and the guides' flows to
#              training data (v2 SDK, datasets) end to end against the release binary, each in its
#              own venv, three replicas on one PostgreSQL database
#              (50 annotators; a database crash under load), and schemathesis fuzzing the binary
#              from its own OpenAPI document (no 5xx, every reply as declared) (see e2e/run.sh),
#              `loam import argilla` from the reference argilla-server 2.8 (5,000 records), and the
#              v2 SDK's to_disk / Hub folders through `loam import folder` and back, and pairwise
#              preference (position bias and judge audits, dpo rows from pairwise answers and edits)
#   ui         e2e/ui/run.sh: the web UI: tsc --noEmit --checkJs over ui/, unit tests of its logic
#              (node --test), and browser tests in Debian's chromium driven by playwright-core
#              against the release binary (chromium and npm are apt-installed when missing; the
#              npm dev packages come from e2e/ui/package-lock.json); screenshots in
#              target/ui-screenshots/
#
# While the first steps compile, the venvs of the later ones (and the ui step's chromium and npm
# packages) are built in the background; a step that needs one waits for it (see "prefetch" below).
#
# Env:
#   CARGO_TARGET_DIR  kept if set; else $HOME/.cache/loam/target when CI=true (shared by clean
#                     clones, so CI does not rebuild the world each time); else ./target
#   LOAM_BIN          run this binary in the SDK suite, e2e and ui instead of the freshly built one
#   LOAM_TEST_STEPS   run only these steps (comma/space separated, e.g. "build sdk-suite"); for local
#                     iteration only, refused when CI=true so CI can never skip a step
#   LOAM_TEST_POSTGRES  the PostgreSQL server for the -pg steps, as the URL of a database to connect
#                     to for creating scratch ones (default postgres://postgres@127.0.0.1:5432/postgres;
#                     if none answers, the machine's own cluster is started; if it still does not
#                     answer, those steps fail: they are never skipped)
#   LOAM_SHARED_DIR   the shared/ checkout (default: ../shared beside the repo, as CI lays it out;
#                     a relative path is taken from the repo root)
set -euo pipefail

# SDK integration-test files (tests/integration/<name>.py in the argilla 2.8.0 sdist) that loam must
# pass. Later issues append files here as loam covers more of the API. Keep the list in alphabetical
# order: that is the order the reference run uses, and some files depend on it (test_manage_workspaces
# leaves a workspace named "test_workspace" behind that test_listing_datasets creates afresh).
SDK_SUITE_FILES=(
  test_add_records
  test_client
  test_create_datasets
  test_dataset_workspace
  test_delete_records
  test_empty_settings
  test_export_dataset
  test_export_records
  test_list_records
  test_listing_datasets
  test_manage_metadata
  test_manage_users
  test_manage_workspaces
  test_publish_datasets
  test_query_records
  test_ranking_questions
  test_search_records
  test_update_dataset_settings
  test_update_records
  test_vectors
)

ALL_STEPS=(fmt clippy test agreement test-pg build sdk-suite sdk-suite-pg e2e ui)

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
# shellcheck source=scripts/lib/venv.sh
source "$REPO/scripts/lib/venv.sh"
# shellcheck source=scripts/lib/postgres.sh
source "$REPO/scripts/lib/postgres.sh"

# ---- step a: cargo target dir (resolved before the cd: a relative one is relative to the caller) --
CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
echo "# cargo target dir: $CARGO_TARGET_DIR"
cd "$REPO"

# Whatever happens (failure, Ctrl-C, SIGTERM from CI), never leave a server running.
# A process and everything it started (the venv prefetch below: bash, pip).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
trap 'loam_server_stop; [[ -z "${PREFETCH_PID:-}" ]] || kill_tree "$PREFETCH_PID"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- preflight: things whose absence must fail loudly, before spending minutes on builds ------
SHARED="${LOAM_SHARED_DIR:-$REPO/../shared}"
SDK_SUITE_SCRIPT="$SHARED/conformance/run-sdk-suite.sh"
if [[ ! -f "$SDK_SUITE_SCRIPT" ]]; then
  echo "error: the SDK conformance suite is missing: $SDK_SUITE_SCRIPT not found." >&2
  echo "       The shared/ directory must sit beside the repository (or set LOAM_SHARED_DIR)." >&2
  echo "       Refusing to skip the SDK suite." >&2
  exit 1
fi
SHARED="$(cd "$SHARED" && pwd)"
SDK_SUITE_SCRIPT="$SHARED/conformance/run-sdk-suite.sh"

SELECTED_STEPS=("${ALL_STEPS[@]}")
if [[ -n "${LOAM_TEST_STEPS:-}" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "error: LOAM_TEST_STEPS is set but CI=true; CI must run every step" >&2
    exit 1
  fi
  read -r -a SELECTED_STEPS <<<"${LOAM_TEST_STEPS//,/ }"
  for s in "${SELECTED_STEPS[@]}"; do
    [[ " ${ALL_STEPS[*]} " == *" $s "* ]] || { echo "error: unknown step '$s' in LOAM_TEST_STEPS (steps: ${ALL_STEPS[*]})" >&2; exit 1; }
  done
fi

# ---- step bookkeeping ------------------------------------------------------------------------
SUMMARY=()  # one line per step, printed at the very end
FAILED=0

step_selected() { [[ " ${SELECTED_STEPS[*]} " == *" $1 "* ]]; }

record() {  # record NAME OUTCOME [DETAIL]
  SUMMARY+=("$(printf '  %-12s %-9s %s' "$1" "$2" "${3:-}")")
}

# run_step NAME CMD...: announce, run, time and record a step. Never aborts the script: the
# command runs in an `||` context, so functions used as steps must check their own errors.
run_step() {
  local name="$1"; shift
  if ! step_selected "$name"; then
    record "$name" "not run" "(LOAM_TEST_STEPS)"
    return 0
  fi
  echo
  echo "== $name =="
  local start=$SECONDS rc=0
  "$@" || rc=$?
  local took=$((SECONDS - start))
  if ((rc == 0)); then
    record "$name" "ok" "${took}s${STEP_DETAIL:+  $STEP_DETAIL}"
  else
    record "$name" "FAILED" "exit $rc, ${took}s${STEP_DETAIL:+  $STEP_DETAIL}"
    FAILED=1
  fi
  STEP_DETAIL=""
  LAST_RC=$rc
  return 0
}
STEP_DETAIL=""  # a step may set this to add a note to its summary line
LAST_RC=0       # exit status of the last step that ran

# ---- prefetch: the Python venvs of the later steps (and the UI step's chromium and npm packages),
# built in the background while cargo compiles (a fresh machine spent minutes downloading them
# after the build). Each venv is locked while it is
# built (scripts/lib/venv.sh), so a step that needs one waits for it, then finds it stamped; if the
# prefetch failed, the step builds it again and reports its own error. Its log:
# $CARGO_TARGET_DIR/prefetch-venvs.log.
PREFETCH_PID=""
prefetch_venvs() {
  local venvs="$HOME/.cache/loam/venvs"
  if step_selected sdk-suite || step_selected sdk-suite-pg; then
    loam_ensure_venv "$venvs/sdk-2.8" "$SHARED/conformance/requirements-sdk.txt"
  fi
  if step_selected agreement; then
    loam_ensure_venv "$venvs/agreement-reference" "$REPO/e2e/reference/requirements.txt"
  fi
  if step_selected e2e; then
    LOAM_E2E_VENVS_ONLY=1 LOAM_SHARED_DIR="$SHARED" bash "$REPO/e2e/run.sh"
  fi
  if step_selected ui; then
    LOAM_UI_PREPARE_ONLY=1 bash "$REPO/e2e/ui/run.sh"
  fi
}
mkdir -p "$CARGO_TARGET_DIR"
prefetch_venvs >"$CARGO_TARGET_DIR/prefetch-venvs.log" 2>&1 &
PREFETCH_PID=$!

# ---- step d: the SDK suite against the release binary ----------------------------------------
# The release build, and README's start command (`cargo run --release -- serve`) resolving to the
# `loam` binary: a second binary among the workspace's default members would make it ambiguous.
release_build() {
  cargo build --release -p loam-cli && cargo run --release -q -- --version
}

sdk_suite() {
  local cache="$HOME/.cache/loam"
  local venv="$cache/venvs/sdk-2.8"
  # Build the venv here rather than letting run-sdk-suite.sh do it: ours is stamped, locked and
  # rebuilt if a previous creation was interrupted (the script only checks that bin/python exists).
  loam_ensure_venv "$venv" "$SHARED/conformance/requirements-sdk.txt" || return 1

  local bin engine="${1:-sqlite}" db=""
  bin="$(loam_bin "$REPO")"
  if [[ "$engine" == "postgres" ]]; then
    loam_pg_ensure || return 1
    db="loam_sdk_suite_$$"
    loam_pg_create_db "$db" || return 1
    LOAM_SERVER_DATABASE_URL="$(loam_pg_url "$db")" loam_server_start "$bin" \
      || { loam_server_stop; loam_pg_drop_db "$db"; return 1; }
  else
    loam_server_start "$bin" || { loam_server_stop; return 1; }
  fi

  local results files=() f rc=0
  results="$CARGO_TARGET_DIR/conformance/$(date +%Y%m%d-%H%M%S)-$engine-$$"
  mkdir -p "$results"
  for f in "${SDK_SUITE_FILES[@]}"; do files+=("tests/integration/$f.py"); done

  # e2e/sdk/loam_suite_guard.py changes no test; it spaces out two tests that name datasets after
  # the wall-clock second (see its docstring).
  SDK_VENV="$venv" \
  SDK_SUITE_CACHE="$cache/sdk-suite" \
  SDK_RESULTS_DIR="$results" \
  PYTHONPATH="$REPO/e2e/sdk${PYTHONPATH:+:$PYTHONPATH}" \
    bash "$SDK_SUITE_SCRIPT" "$LOAM_SERVER_URL" "$LOAM_SERVER_KEY" -p loam_suite_guard "${files[@]}" || rc=$?

  if [[ -f "$results/summary.txt" ]]; then
    STEP_DETAIL="$(tail -n 1 "$results/summary.txt")  (results: $results)"
  else
    STEP_DETAIL="(no summary; results: $results)"
  fi
  if ((rc != 0)); then
    loam_server_log_tail 80
  fi
  # Keep the server log with the results: the temp dir is deleted when the server stops.
  loam_server_stop "$results/server.log"
  if [[ -n "$db" ]]; then
    loam_pg_drop_db "$db" || true
  fi
  return "$rc"
}

# ---- agreement figures against the Python reference implementations ----------------------------
# `--workspace` here and in test-pg, not `-p`: a build of some packages resolves the dependencies'
# features for those alone, and a cold run compiled some thirty crates again for each (≈ 5 minutes).
agreement_reference() {
  local venv="$HOME/.cache/loam/venvs/agreement-reference"
  loam_ensure_venv "$venv" "$REPO/e2e/reference/requirements.txt" || return 1
  LOAM_REFERENCE_PYTHON="$venv/bin/python" \
    cargo test --workspace --test agreement_reference -- --nocapture
}

# ---- the storage and API tests on PostgreSQL ---------------------------------------------------
# The test step's own binaries (the workspace build), run directly: loam-store's and loam-http's
# tests whole, and loam-service's for the Argilla import's entries into the write paths.
test_pg() {
  loam_pg_ensure || return 1
  local list
  list="$(cargo test --workspace --lib --tests --no-run --message-format=json-render-diagnostics \
    | python3 "$REPO/scripts/lib/test_binaries.py" loam-store loam-http loam-service)" || return 1
  local pkg kind exe rc=0
  while read -r pkg kind exe; do
    local filter=()
    if [[ "$pkg" == loam-service ]]; then
      [[ "$kind" == lib ]] || continue
      filter=(import::argilla)
    fi
    echo "-- $pkg ($kind): ${exe##*/} ${filter[*]}"
    (cd "$REPO/crates/$pkg" && LOAM_TEST_POSTGRES="$(loam_pg_admin_url)" "$exe" "${filter[@]}") || rc=1
  done <<<"$list"
  return "$rc"
}

# ---- step e: the legacy SDK, distilabel, training, the replicas and the OpenAPI fuzzer (release binary)
e2e_suite() {
  local bin out rc=0
  bin="$(loam_bin "$REPO")"
  out="$(mktemp "${TMPDIR:-/tmp}/loam-e2e-out.XXXXXX")" || return 1
  # e2e/run.sh starts and stops its own server; LOAM_BIN keeps it from rebuilding. Its output is
  # teed so the summary can quote each suite's closing pytest line.
  LOAM_BIN="$bin" LOAM_SHARED_DIR="$SHARED" bash "$REPO/e2e/run.sh" 2>&1 | tee "$out" || rc=$?
  STEP_DETAIL="$(grep -E '^e2e (legacy|distilabel|training|replicas|openapi|import|folders|preference): ' "$out" | sed 's/^e2e //' | paste -sd ';' - || true)"
  rm -f "$out"
  return "$rc"
}

# ---- step g: the web UI against the release binary ---------------------------------------------
ui_suite() {
  local bin
  bin="$(loam_bin "$REPO")"
  LOAM_BIN="$bin" bash "$REPO/e2e/ui/run.sh"
}

# ---- steps b, c, d -----------------------------------------------------------------------------
run_step fmt cargo fmt --all -- --check
run_step clippy cargo clippy --workspace --all-targets -- -D warnings
run_step test cargo test --workspace
run_step agreement agreement_reference
run_step test-pg test_pg
run_step build release_build
BUILD_RC=$LAST_RC

# The suite needs the binary this run just built; a failed build would only produce a wall of
# connection errors (or, worse, test a stale binary). LOAM_BIN deliberately bypasses the build.
if step_selected build && ((LAST_RC != 0)) && [[ -z "${LOAM_BIN:-}" ]]; then
  record sdk-suite "FAILED" "not run: the release build failed"
  record sdk-suite-pg "FAILED" "not run: the release build failed"
  FAILED=1
else
  run_step sdk-suite sdk_suite sqlite
  run_step sdk-suite-pg sdk_suite postgres
fi
if step_selected build && ((BUILD_RC != 0)) && [[ -z "${LOAM_BIN:-}" ]]; then
  record e2e "FAILED" "not run: the release build failed"
  FAILED=1
else
  run_step e2e e2e_suite
fi
if step_selected build && ((BUILD_RC != 0)) && [[ -z "${LOAM_BIN:-}" ]]; then
  record ui "FAILED" "not run: the release build failed"
  FAILED=1
else
  run_step ui ui_suite
fi

# ---- step f: summary ---------------------------------------------------------------------------
echo
echo "== summary =="
printf '%s\n' "${SUMMARY[@]}"
if ((FAILED)); then
  echo "result: FAILED"
  exit 1
fi
if [[ -n "${LOAM_TEST_STEPS:-}" ]]; then
  echo "result: ok (partial run: LOAM_TEST_STEPS=$LOAM_TEST_STEPS)"
else
  echo "result: ok"
fi
