# shellcheck shell=bash
# Start and stop a throwaway loam server for harnesses (scripts/test.sh, bench/run-ingest.sh).
# Source this file; it defines functions only and changes no shell options.
#
#   loam_target_dir REPO        print the cargo target dir: $CARGO_TARGET_DIR if set (made absolute
#                               against $PWD), else ~/.cache/loam/target when CI=true (shared by
#                               clean clones, saves rebuilds), else REPO/target
#   loam_bin REPO               print the loam binary to run: $LOAM_BIN if set, else
#                               ${CARGO_TARGET_DIR:-REPO/target}/release/loam
#   loam_secret                 print a strong random url-safe secret (64 chars)
#   loam_server_start BIN       start BIN on 127.0.0.1:0 with a fresh temp data dir and a generated
#                               owner; on success sets LOAM_SERVER_URL, LOAM_SERVER_KEY (owner API
#                               key), LOAM_SERVER_PID, LOAM_SERVER_DIR, LOAM_SERVER_LOG; returns 1
#                               (after printing the log) if the server never announces its URL
#   loam_server_stop [SAVE_LOG_TO]
#                               SIGTERM (then SIGKILL after 10 s), reap, optionally copy the log to
#                               SAVE_LOG_TO, remove the temp dir
#   loam_server_log_tail [N]    print the last N (default 80) lines of the server log to stderr
#   loam_bench_server REPO NAME for a benchmark script: make LOAM_BENCH_OUT
#                               ($CARGO_TARGET_DIR/bench/<time>-<pid>-NAME), set traps that stop the
#                               server (saving its log there) on exit or signal, build the release
#                               binary unless LOAM_BIN is set, and start it (loam_server_start)
#
# Knobs: LOAM_SERVER_START_TIMEOUT (seconds to wait for the "listening" line, default 30),
# LOAM_SERVER_KEEP=1 (keep the temp dir after stopping, for post-mortems),
# LOAM_SERVER_DATABASE_URL (serve from this database, e.g. postgres://..., instead of SQLite in the
# temp dir).
#
# The functions keep state in globals rather than printing it, because loam_server_start must run in
# the caller's shell (not a $(...) subshell): only then is the server a child we can `wait` for.
# One server per shell at a time.

LOAM_SERVER_URL=""
LOAM_SERVER_KEY=""
LOAM_SERVER_PID=""
LOAM_SERVER_DIR=""
LOAM_SERVER_LOG=""
LOAM_BENCH_OUT=""

loam_target_dir() {
  local repo="$1"
  if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then
    # A relative CARGO_TARGET_DIR means "relative to where I ran this"; callers cd to the repo later.
    case "$CARGO_TARGET_DIR" in
      /*) printf '%s\n' "$CARGO_TARGET_DIR" ;;
      *) printf '%s\n' "$PWD/$CARGO_TARGET_DIR" ;;
    esac
  elif [[ "${CI:-}" == "true" ]]; then
    printf '%s\n' "$HOME/.cache/loam/target"
  else
    printf '%s\n' "$repo/target"
  fi
}

loam_bin() {
  local repo="$1"
  if [[ -n "${LOAM_BIN:-}" ]]; then
    printf '%s\n' "$LOAM_BIN"
  else
    printf '%s\n' "${CARGO_TARGET_DIR:-$repo/target}/release/loam"
  fi
}

# loam_release_bin REPO: prints $LOAM_BIN when set; otherwise builds loam's release binary first
# (cargo's output on stderr) and prints its path. For the bench scripts, whose figures are of the
# release build.
loam_release_bin() {
  local repo="$1"
  if [[ -z "${LOAM_BIN:-}" ]]; then
    echo "== build ==" >&2
    (cd "$repo" && cargo build --release -p loam-cli) >&2 || return 1
  fi
  loam_bin "$repo"
}

loam_secret() {
  # 48 random bytes -> 64 url-safe chars; loam refuses weak owner credentials.
  python3 -c 'import secrets; print(secrets.token_urlsafe(48))'
}

loam_server_start() {
  local bin="$1"
  local timeout="${LOAM_SERVER_START_TIMEOUT:-30}"
  if [[ -n "$LOAM_SERVER_PID" ]]; then
    echo "loam_server_start: a server (pid $LOAM_SERVER_PID) is already running in this shell" >&2
    return 1
  fi
  if [[ ! -x "$bin" ]]; then
    echo "loam_server_start: no executable at $bin (build it, or point LOAM_BIN at one)" >&2
    return 1
  fi

  LOAM_SERVER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/loam-server.XXXXXX")" || return 1
  LOAM_SERVER_LOG="$LOAM_SERVER_DIR/server.log"
  mkdir -p "$LOAM_SERVER_DIR/data"
  LOAM_SERVER_KEY="$(loam_secret)" || return 1
  local password
  password="$(loam_secret)" || return 1

  # Output goes to a file, never a pipe: a pipe nobody drains fills up and stalls the server.
  # The credentials are passed only in the child's environment (not exported to ours). A simple
  # command run with & is exec'd directly, so $! is loam's own pid (the bench samples its RSS).
  local db_args=()
  if [[ -n "${LOAM_SERVER_DATABASE_URL:-}" ]]; then
    # Replicas on PostgreSQL share a token secret from config (loam refuses to serve without one).
    # `--flag=value`: a url-safe secret may start with "-", which would read as a flag.
    db_args=(--database-url "$LOAM_SERVER_DATABASE_URL" "--token-secret=${LOAM_SERVER_TOKEN_SECRET:-$(loam_secret)}")
  fi
  LOAM_OWNER_USERNAME=owner \
  LOAM_OWNER_PASSWORD="$password" \
  LOAM_OWNER_API_KEY="$LOAM_SERVER_KEY" \
    "$bin" serve --bind 127.0.0.1:0 --data-dir "$LOAM_SERVER_DIR/data" "${db_args[@]}" \
    >"$LOAM_SERVER_LOG" 2>&1 </dev/null &
  LOAM_SERVER_PID=$!

  # Wait for the one machine-readable line, with a deadline; poll rather than sleep a fixed time.
  local deadline=$((SECONDS + timeout)) line
  while :; do
    line="$(grep -m1 -E '^loam: listening on http://[^[:space:]]+$' "$LOAM_SERVER_LOG" 2>/dev/null || true)"
    if [[ -n "$line" ]]; then
      LOAM_SERVER_URL="${line#loam: listening on }"
      echo "# loam up: $LOAM_SERVER_URL (pid $LOAM_SERVER_PID, log $LOAM_SERVER_LOG)" >&2
      return 0
    fi
    if ! kill -0 "$LOAM_SERVER_PID" 2>/dev/null; then
      echo "loam_server_start: loam exited during startup; its log:" >&2
      loam_server_log_tail 200
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "loam_server_start: no 'loam: listening on ...' line within ${timeout}s; its log:" >&2
      loam_server_log_tail 200
      return 1
    fi
    sleep 0.1
  done
}

loam_server_log_tail() {
  local n="${1:-80}"
  if [[ -n "$LOAM_SERVER_LOG" && -f "$LOAM_SERVER_LOG" ]]; then
    echo "----- last $n lines of $LOAM_SERVER_LOG -----" >&2
    tail -n "$n" "$LOAM_SERVER_LOG" >&2
    echo "----- end of server log -----" >&2
  fi
}

loam_server_stop() {
  # Safe to call more than once and when nothing was started (it is used from EXIT traps).
  # With SAVE_LOG_TO, the complete log (shutdown lines included) is copied there first.
  local save_log_to="${1:-}"
  if [[ -n "$LOAM_SERVER_PID" ]]; then
    local was_running=0
    if kill -0 "$LOAM_SERVER_PID" 2>/dev/null; then
      was_running=1
      kill -TERM "$LOAM_SERVER_PID" 2>/dev/null || true
      local deadline=$((SECONDS + 10))
      while kill -0 "$LOAM_SERVER_PID" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.1
      done
      if kill -0 "$LOAM_SERVER_PID" 2>/dev/null; then
        echo "# loam (pid $LOAM_SERVER_PID) ignored SIGTERM for 10s; sending SIGKILL" >&2
        kill -KILL "$LOAM_SERVER_PID" 2>/dev/null || true
      fi
    fi
    # Reap it. A non-zero status means a crash or an unclean shutdown: worth a line in the output,
    # though not what the caller is testing.
    local status=0
    wait "$LOAM_SERVER_PID" 2>/dev/null || status=$?
    if ((status != 0)); then
      if ((was_running)); then
        echo "# warning: loam (pid $LOAM_SERVER_PID) exited with status $status after SIGTERM (expected 0)" >&2
      else
        echo "# warning: loam (pid $LOAM_SERVER_PID) had already exited, with status $status" >&2
      fi
    fi
    LOAM_SERVER_PID=""
  fi
  if [[ -n "$save_log_to" && -n "$LOAM_SERVER_LOG" && -f "$LOAM_SERVER_LOG" ]]; then
    cp "$LOAM_SERVER_LOG" "$save_log_to" || true
  fi
  if [[ -n "$LOAM_SERVER_DIR" && -d "$LOAM_SERVER_DIR" ]]; then
    if [[ "${LOAM_SERVER_KEEP:-0}" == "1" ]]; then
      echo "# kept loam temp dir $LOAM_SERVER_DIR (LOAM_SERVER_KEEP=1)" >&2
    else
      rm -rf "$LOAM_SERVER_DIR"
    fi
  fi
  LOAM_SERVER_DIR=""
  LOAM_SERVER_LOG=""
  LOAM_SERVER_URL=""
  LOAM_SERVER_KEY=""
}

loam_bench_server() {
  local repo="$1" name="$2"
  LOAM_BENCH_OUT="$CARGO_TARGET_DIR/bench/$(date +%Y%m%d-%H%M%S)-$$-$name"
  mkdir -p "$LOAM_BENCH_OUT"
  trap 'loam_server_stop "$LOAM_BENCH_OUT/server.log"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [[ -z "${LOAM_BIN:-}" ]]; then
    echo "== build ==" >&2
    (cd "$repo" && cargo build --release -p loam-cli)
  fi
  loam_server_start "$(loam_bin "$repo")"
}
