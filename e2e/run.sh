#!/usr/bin/env bash
# End-to-end tests with the real clients against the real loam binary over HTTP:
#   e2e/legacy/      the legacy SDK, argilla 1.29.1 (`import argilla as rg`, FeedbackDataset), with
#                    annotators answering over the HTTP API and cross-generation scenarios that run
#                    the v2 SDK (argilla 2.8) in its own venv
#   e2e/distilabel/  distilabel 1.5.3's TextGenerationToArgilla / PreferenceToArgilla with an
#                    offline LLM of the tests' own
#   e2e/replicas/    three loam replicas on one PostgreSQL database (raw HTTP, pytest + httpx): 50
#                    annotators through all three agree with a single server's result; a database
#                    crash under load loses no acknowledged write and the replicas recover by
#                    themselves; 50 annotators in the web UI's leased flow (1,000 records,
#                    min_submitted 2) through three replicas and through one SQLite server never
#                    exceed min_submitted, never wait while records are free, and take over a
#                    crashed annotator's leases after expiry (test_leases.py). It starts its own replicas and databases (scratch databases on the
#                    shared PostgreSQL at 127.0.0.1:5432, a private cluster it crashes), not the
#                    server below; it needs psql and PostgreSQL 15's initdb / pg_ctl.
#   e2e/training/    the guides' flows from answers to training data with the v2 SDK (argilla 2.8):
#                    three annotators rate, correct and rank; consolidation strategies give the
#                    hand-computed finals; sft / dpo / rm exports load with `datasets` row for row
#                    (test_import.py: JSONL, CSV and Parquet files imported with a bad row each,
#                    read back through the SDK)
#   e2e/openapi/     schemathesis 4.32 generates requests from loam's own OpenAPI document
#                    (/api/v1/openapi.json) and fails on any 5xx, undeclared status, wrong content
#                    type or reply that does not match its schema; two bounded runs (generated ids,
#                    then ids of seeded entities), a few minutes in all (see its test file)
#   e2e/import/      `loam import argilla` against the reference argilla-server 2.8 (shared/peers),
#                    filled through the v2 SDK (LOAM_IMPORT_N records, default 5,000): both sides
#                    read through the v2 SDK compare equal; a second run changes nothing; a run
#                    killed half-way and run again ends equal; bad input gets its exit status. It
#                    starts its own reference server and loam servers, not the server below
#   e2e/folders/     `loam import folder` of the v2 SDK's to_disk and Hub-layout folders and
#                    `loam export --format argilla` loaded with `rg.Dataset.from_disk` into the reference
#                    argilla-server (shared/peers/argilla-server), compared through the v2 SDK; it starts
#                    its own loam server (the CLI writes to its data dir) and the reference server
#
#   e2e/preference/ pairwise preference (issue 22) with the v2 SDK (argilla 2.8): a dataset switched
#                    to pairwise, annotators and an LLM judge with known position biases answering over
#                    HTTP with the shown order; the judge audit recovers the biases; the v2 and legacy
#                    (1.29.1, its venv) SDKs read the canonical values; dpo / rm / sft rows from pairwise
#                    answers and from edits equal a hand computation and load with `datasets`
#
#   bash e2e/run.sh [SUITE...] [-- PYTEST_ARGS...]      SUITE: legacy, distilabel, training,
#                                                       replicas, openapi, import, folders
#                                                       (default: all seven)
#
# Each client lives in its own venv under ~/.cache/loam/venvs (legacy-1.29, distilabel-1.5, replicas,
# openapi, and the v2 SDK's sdk-2.8 shared with the conformance suite and used by training), built
# from the pinned requirement files beside the tests and rebuilt when those change
# (scripts/lib/venv.sh). One loam server (fresh temp data dir, generated owner) serves the client
# suites and openapi; they get it as LOAM_URL and LOAM_API_KEY (openapi runs last, after preference, whose legacy-SDK read lists every dataset: so what it
# creates is not in the others' way). The replicas suite gets the binary as LOAM_BIN.
# Exit status is non-zero if any suite fails; each suite prints pytest's own closing line.
#
# Env:
#   LOAM_BIN          the loam binary to test; if unset, `cargo build --release -p loam-cli` runs
#                     first and its binary (in CARGO_TARGET_DIR, resolved like scripts/test.sh) is used
#   LOAM_SHARED_DIR   the shared/ checkout holding conformance/requirements-sdk.txt (default ../shared)
#   LOAM_SERVER_KEEP=1  keep the server's temp dir (data and log) for post-mortems
#   LOAM_E2E_VENVS_ONLY=1  build the selected suites' venvs, then exit (no binary, no server)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/loam-server.sh
source "$REPO/scripts/lib/loam-server.sh"
# shellcheck source=scripts/lib/venv.sh
source "$REPO/scripts/lib/venv.sh"

ALL_SUITES=(legacy distilabel training preference replicas openapi import folders)
SUITES=()
PYTEST_ARGS=()
while (($#)); do
  case "$1" in
    --) shift; PYTEST_ARGS=("$@"); break ;;
    legacy | distilabel | training | replicas | openapi | import | folders | preference) SUITES+=("$1"); shift ;;
    *) echo "error: unknown suite '$1' (suites: ${ALL_SUITES[*]}; pytest arguments go after --)" >&2; exit 2 ;;
  esac
done
((${#SUITES[@]})) || SUITES=("${ALL_SUITES[@]}")
# The client suites (legacy, distilabel) share one server and the v2 SDK venv; openapi uses the same
# server but not the SDK; the replicas suite starts its own servers, so a run of it alone needs
# neither.
CLIENT_SUITES=0
NEED_SERVER=0
for suite in "${SUITES[@]}"; do
  [[ "$suite" == replicas || "$suite" == openapi ]] || CLIENT_SUITES=1
  [[ "$suite" == replicas || "$suite" == import || "$suite" == folders ]] || NEED_SERVER=1
done

CARGO_TARGET_DIR="$(loam_target_dir "$REPO")"
export CARGO_TARGET_DIR
SHARED="${LOAM_SHARED_DIR:-$REPO/../shared}"
V2_REQUIREMENTS="$SHARED/conformance/requirements-sdk.txt"
if ((CLIENT_SUITES)) && [[ ! -f "$V2_REQUIREMENTS" ]]; then
  echo "error: $V2_REQUIREMENTS not found (the v2 SDK venv of the cross-generation tests is built from it);" >&2
  echo "       the shared/ directory must sit beside the repository (or set LOAM_SHARED_DIR)." >&2
  exit 1
fi

VENVS="$HOME/.cache/loam/venvs"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/loam-e2e.XXXXXX")"
cleanup() {
  loam_server_stop ""
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the venvs -------------------------------------------------------------------------------------
if ((CLIENT_SUITES)); then
  loam_ensure_venv "$VENVS/sdk-2.8" "$V2_REQUIREMENTS"
fi
for suite in "${SUITES[@]}"; do
  case "$suite" in
    legacy) loam_ensure_venv "$VENVS/legacy-1.29" "$REPO/e2e/legacy/requirements.txt" ;;
    distilabel) loam_ensure_venv "$VENVS/distilabel-1.5" "$REPO/e2e/distilabel/requirements.txt" ;;
    training) ;; # the v2 SDK venv above
    import) ;; # the v2 SDK venv above
    folders) ;; # the v2 SDK venv above
    preference) loam_ensure_venv "$VENVS/legacy-1.29" "$REPO/e2e/legacy/requirements.txt" ;; # and the v2 SDK's
    replicas) loam_ensure_venv "$VENVS/replicas" "$REPO/e2e/replicas/requirements.txt" ;;
    openapi) loam_ensure_venv "$VENVS/openapi" "$REPO/e2e/openapi/requirements.txt" ;;
  esac
  # import and folders start the reference argilla-server (shared/peers/argilla-server/start.sh):
  # its venv is ours too, stamped like the others, rather than a .venv inside shared/.
  if [[ "$suite" == import || "$suite" == folders ]]; then
    export REFSERVER_VENV="$VENVS/refserver-2.8"
    loam_ensure_venv "$REFSERVER_VENV" "$SHARED/peers/argilla-server/requirements.txt"
  fi
done
# LOAM_E2E_VENVS_ONLY=1: build the venvs and stop (scripts/test.sh does so in the background while
# cargo compiles, so a fresh machine downloads them during the build rather than after it).
if [[ "${LOAM_E2E_VENVS_ONLY:-}" == 1 ]]; then
  exit 0
fi


# ---- the binary ----------------------------------------------------------------------------------
if [[ -z "${LOAM_BIN:-}" ]]; then
  echo "# building loam (cargo build --release -p loam-cli, target dir $CARGO_TARGET_DIR)" >&2
  (cd "$REPO" && cargo build --release -p loam-cli)
fi
BIN="$(loam_bin "$REPO")"

# ---- the server ------------------------------------------------------------------------------------
if ((NEED_SERVER)); then
  loam_server_start "$BIN"
elif [[ ! -x "$BIN" ]]; then
  echo "error: no executable at $BIN (build it, or point LOAM_BIN at one)" >&2
  exit 1
fi

# ---- the suites ------------------------------------------------------------------------------------
FAILED=()
RESULTS=()
for suite in "${SUITES[@]}"; do
  case "$suite" in
    legacy) venv="$VENVS/legacy-1.29" ;;
    distilabel) venv="$VENVS/distilabel-1.5" ;;
    training) venv="$VENVS/sdk-2.8" ;;
    import) venv="$VENVS/sdk-2.8" ;;
    folders) venv="$VENVS/sdk-2.8" ;;
    preference) venv="$VENVS/sdk-2.8" ;;
    replicas) venv="$VENVS/replicas" ;;
    openapi) venv="$VENVS/openapi" ;;
  esac
  # The replicas suite's replica data dirs and logs go under $WORK too (removed on exit).
  suite_args=()
  [[ "$suite" != replicas ]] || suite_args=(--basetemp "$WORK/$suite/tmp")
  [[ "$suite" != import ]] || suite_args=(--basetemp "$WORK/$suite/tmp")
  # Nothing may be written outside temp dirs: a private HOME (the SDKs' credential files and
  # caches), distilabel's cache, and an offline, private Hugging Face home.
  home="$WORK/$suite/home"
  mkdir -p "$home"
  echo
  echo "== e2e: $suite ($("$venv/bin/python" - <<'PY'
import importlib.metadata as m
names = {d.metadata["Name"] for d in m.distributions()}
print(", ".join(f"{p} {m.version(p)}" for p in ("argilla", "distilabel", "schemathesis") if p in names) or f"httpx {m.version('httpx')}")
PY
)) =="
  rc=0
  (
    cd "$REPO/e2e/$suite"
    HOME="$home" \
    XDG_CACHE_HOME="$home/.cache" \
    HF_HOME="$WORK/$suite/hf" \
    HF_HUB_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1 \
    DISTILABEL_CACHE_DIR="$WORK/$suite/distilabel-cache" \
    PYTHONDONTWRITEBYTECODE=1 \
    LOAM_URL="$LOAM_SERVER_URL" \
    LOAM_API_KEY="$LOAM_SERVER_KEY" \
    LOAM_V2_PYTHON="$VENVS/sdk-2.8/bin/python" \
    LOAM_LEGACY_PYTHON="$VENVS/legacy-1.29/bin/python" \
    LOAM_BIN="$BIN" \
    LOAM_SHARED_DIR="$SHARED" \
      "$venv/bin/python" -m pytest -p no:cacheprovider --timeout=600 -rfE "${suite_args[@]}" "${PYTEST_ARGS[@]}" .
  ) 2>&1 | tee "$WORK/$suite/pytest.out" || rc=$?
  # pytest's closing line ("== 28 passed in 12.3s ==", "2 failed, 26 passed in …" under -q).
  closing="$(grep -E '(passed|failed|error|skipped|deselected|no tests ran).* in [0-9.]+s' "$WORK/$suite/pytest.out" | tail -n 1 | tr -d '=' | sed 's/^ *//; s/ *$//' || true)"
  RESULTS+=("e2e $suite: ${closing:-no pytest result line (exit $rc)}")
  if ((rc != 0)); then
    FAILED+=("$suite (pytest exit $rc)")
  elif [[ "${CI:-}" == "true" && "$closing" == *skipped* ]]; then
    # No test here is meant to skip; in CI a skip is a failure, never a silent pass.
    FAILED+=("$suite (tests skipped under CI=true)")
  fi
done

echo
printf '%s\n' "${RESULTS[@]}"
if ((${#FAILED[@]})); then
  loam_server_log_tail 60
  echo "e2e: FAILED: ${FAILED[*]}"
  exit 1
fi
echo "e2e: ok (${SUITES[*]})"
