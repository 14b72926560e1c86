# shellcheck shell=bash
# The reference argilla-server 2.8 (shared/peers/argilla-server) for the benchmarks. Source this
# file after scripts/lib/loam-server.sh and scripts/lib/venv.sh; functions only.
#
#   ref_start SHARED   start it on a free port with a fresh root (its venv in
#                      ~/.cache/loam/venvs/refserver-2.8); sets REF_URL, REF_PID, REF_KEY
#   ref_stop [LOG]     stop it (copying its log to LOG) and remove its root; a no-op when not started
#
# Whoever sources this stops it on exit: call ref_stop from the EXIT trap.

REF_URL=""
REF_PID=""
REF_KEY="argilla.apikey"
REF_PORT=""
REF_ROOT=""
REF_DIR=""

ref_start() {
  REF_DIR="$1/peers/argilla-server"
  if [[ ! -f "$REF_DIR/start.sh" ]]; then
    echo "error: the reference server needs $REF_DIR/start.sh (shared/ beside the repo, or LOAM_SHARED_DIR)" >&2
    return 1
  fi
  # Our own stamped venv (start.sh would otherwise write one inside shared/).
  export REFSERVER_VENV="$HOME/.cache/loam/venvs/refserver-2.8"
  loam_ensure_venv "$REFSERVER_VENV" "$REF_DIR/requirements.txt" || return 1
  REF_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/loam-bench-ref.XXXXXX")"
  # start.sh takes a fixed port: ask the kernel for a free one (the tiny race is acceptable here).
  REF_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  REFSERVER_ROOT="$REF_ROOT" bash "$REF_DIR/start.sh" "$REF_PORT" >&2 || return 1
  REF_URL="http://127.0.0.1:$REF_PORT"
  REF_PID="$(cat "$REF_ROOT/$REF_PORT/server.pid")"
}

ref_stop() {
  local log="${1:-}"
  if [[ -n "$REF_PORT" ]]; then
    [[ -n "$log" ]] && cp "$REF_ROOT/$REF_PORT/server.log" "$log" 2>/dev/null
    REFSERVER_ROOT="$REF_ROOT" bash "$REF_DIR/stop.sh" "$REF_PORT" >&2 || true
  fi
  [[ -n "$REF_ROOT" ]] && rm -rf "$REF_ROOT"
  REF_PORT="" REF_ROOT="" REF_URL="" REF_PID=""
  return 0
}
