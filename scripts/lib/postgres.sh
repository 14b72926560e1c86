# shellcheck shell=bash
# PostgreSQL for harnesses (scripts/test.sh, bench/): make sure a server answers, and make and drop
# scratch databases on it. Source this file; it defines functions only and changes no shell options.
#
#   loam_pg_admin_url          print the URL of the server's maintenance database:
#                              $LOAM_TEST_POSTGRES, else postgres://postgres@127.0.0.1:5432/postgres
#   loam_pg_ensure             return 0 when that server answers; if it does not, try to start the
#                              machine's own cluster (Debian's pg_ctlcluster) and wait up to 30 s;
#                              return 1, saying why, if it still does not
#   loam_pg_create_db NAME     create database NAME (dropping one of that name first)
#   loam_pg_drop_db NAME       drop database NAME if it exists (closing its connections)
#   loam_pg_url NAME           print the URL of database NAME on that server

loam_pg_admin_url() {
  printf '%s\n' "${LOAM_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
}

loam_pg_answers() {
  psql "$(loam_pg_admin_url)" -XAtqc 'select 1' >/dev/null 2>&1
}

loam_pg_ensure() {
  if ! command -v psql >/dev/null 2>&1; then
    echo "error: psql not found; PostgreSQL's client is needed for the PostgreSQL test steps" >&2
    return 1
  fi
  loam_pg_answers && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
    local version
    for version in $(ls /etc/postgresql); do
      echo "# PostgreSQL does not answer; starting cluster $version/main" >&2
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>&1 || true
    done
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
      loam_pg_answers && return 0
      sleep 0.5
    done
  fi
  echo "error: no PostgreSQL answers at $(loam_pg_admin_url) (set LOAM_TEST_POSTGRES to one that does)" >&2
  return 1
}

loam_pg_url() {
  # Replace the database part of the admin URL, keeping any ?parameters.
  python3 - "$(loam_pg_admin_url)" "$1" <<'PY'
import sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
}

loam_pg_drop_db() {
  psql "$(loam_pg_admin_url)" -XAtqc "drop database if exists \"$1\" with (force)" >/dev/null
}

loam_pg_create_db() {
  loam_pg_drop_db "$1" && psql "$(loam_pg_admin_url)" -XAtqc "create database \"$1\"" >/dev/null
}
