# shellcheck shell=bash
# Create (or reuse) a Python venv from a requirements file. Source this file; functions only.
#
#   loam_ensure_venv VENV REQUIREMENTS
#
# A venv is reused only if it carries a stamp written after `pip install` succeeded, matching the
# requirements file's hash and the interpreter version. Anything else (an interrupted first
# install, edited requirements, a new Python) is deleted and rebuilt, so a half-built venv never
# sticks around and fails every later run in confusing ways. Only point it at venvs this project
# owns (under ~/.cache/loam/venvs): it deletes what it does not recognise.
# An flock serialises concurrent runs that share the cache (two CI jobs, a dev and a CI job).
# PYTHON overrides the interpreter used to create the venv (default python3).

loam_ensure_venv() {
  local venv="$1" req="$2"
  local python="${PYTHON:-python3}"
  if [[ ! -f "$req" ]]; then
    echo "loam_ensure_venv: requirements file $req not found" >&2
    return 1
  fi
  local want
  want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')" || return 1

  mkdir -p "$(dirname "$venv")" || return 1
  (
    # The lock lives beside the venv (not inside it, since the venv may be deleted).
    if command -v flock >/dev/null 2>&1; then
      exec 9>"$venv.lock"
      flock 9
    fi
    if [[ -x "$venv/bin/python" && "$(cat "$venv/.loam-stamp" 2>/dev/null)" == "$want" ]]; then
      exit 0
    fi
    echo "# creating venv $venv from $req (takes a few minutes the first time)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" || exit 1
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2 || {
      echo "loam_ensure_venv: pip install -r $req failed; removing the half-built $venv" >&2
      rm -rf "$venv"
      exit 1
    }
    printf '%s\n' "$want" >"$venv/.loam-stamp"
    echo "# venv ready: $venv" >&2
  )
}
