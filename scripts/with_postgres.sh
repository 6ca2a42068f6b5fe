#!/usr/bin/env bash
# with_postgres.sh - run a command against a throwaway, real PostgreSQL server.
#
# Usage:
#   scripts/with_postgres.sh COMMAND [ARGS...]
#
# Examples:
#   scripts/with_postgres.sh env | grep DATABASE_URL
#   SECRET_KEY=test DEBUG=0 scripts/with_postgres.sh .venv/bin/pytest
#
# What it does:
#   1. Installs the PostgreSQL server binaries with apt-get if no
#      /usr/lib/postgresql/*/bin/initdb exists (via sudo when not root).
#      The Debian cluster/service machinery (pg_ctlcluster, systemd) is not
#      used; the binaries are run directly.
#   2. Creates a temporary directory (mktemp -d) and initdb's a cluster in it
#      (UTF8, C.UTF-8 or C locale, trust auth). When run as root, the server
#      runs as the unprivileged `postgres` system user, which owns the dir.
#   3. Starts the server with settings tuned for tests (fsync=off,
#      synchronous_commit=off, full_page_writes=off), listening only on a
#      unix socket inside the temporary directory (no TCP).
#   4. Creates the superuser role `tracker` (superuser so Django's test runner
#      can create test_* databases) and the database `tracker`.
#   5. Exports DATABASE_URL=postgres://tracker@<urlencoded socket dir>/tracker
#      (the socket dir goes in the host part, percent-encoded, which is what
#      dj-database-url turns into HOST) plus PGHOST/PGUSER/PGDATABASE for psql.
#   6. Runs COMMAND, then always stops the server and deletes the temporary
#      directory, and exits with COMMAND's exit status.
#
# WITH_POSTGRES_KEEP=DIR (optional, for `BENCH_REUSE=1 make bench`): the cluster lives
# in DIR instead of a temporary directory. It is initdb'd (steps 2 and 4) only when DIR
# holds none yet, and kept after the command: the server is stopped, DIR is not deleted,
# so the next run finds its databases as they were. Delete DIR to start afresh.
#
# Progress messages go to stderr, prefixed with "with_postgres:".

set -euo pipefail

PG_ROLE=tracker
PG_DB=tracker

log() { printf 'with_postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$#" -gt 0 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# --- 1. server binaries ----------------------------------------------------
find_pg_bin() {
  # Newest major version that has initdb; empty if none.
  local f
  for f in /usr/lib/postgresql/*/bin/initdb; do
    if [ -x "$f" ]; then dirname "$f"; fi
  done | sort -V | tail -n 1
}

PG_BIN="$(find_pg_bin)"
if [ -z "$PG_BIN" ]; then
  log "PostgreSQL server binaries not found; installing with apt-get"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo not available; install 'postgresql' manually"
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || die "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
fi
log "using $PG_BIN"

# --- how to run server-side commands ----------------------------------------
# initdb/postgres refuse to run as root: switch to the `postgres` user then.
PG_OS_USER="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' system user"
  PG_OS_USER=postgres
fi

as_pg() {
  # Run from the temp dir so the postgres user never needs access to $PWD.
  if [ "$PG_OS_USER" = "$(id -un)" ]; then
    (cd "$PG_TMP" && "$@")
  elif command -v runuser >/dev/null 2>&1; then
    (cd "$PG_TMP" && runuser -u "$PG_OS_USER" -- "$@")
  else
    local q
    q="$(printf '%q ' "$@")"
    (cd "$PG_TMP" && su "$PG_OS_USER" -s /bin/sh -c "$q")
  fi
}

urlencode() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._~-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

# --- cleanup (always) -------------------------------------------------------
PG_TMP=""
PG_STARTED=0
PG_KEEP="${WITH_POSTGRES_KEEP:-}"
cleanup() {
  local rc=$?
  set +e
  if [ "$PG_STARTED" -eq 1 ]; then
    log "stopping server"
    local pm_pid
    pm_pid="$(head -n 1 "$PG_TMP/data/postmaster.pid" 2>/dev/null)"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
      log "fast stop failed; trying immediate stop"
      as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
    # pg_ctl daemonizes the postmaster, so init reaps it; give that a moment
    # so no (defunct) postgres process is left behind when we return.
    if [[ "$pm_pid" =~ ^[0-9]+$ ]]; then
      local i
      for ((i = 0; i < 50; i++)); do
        [ -e "/proc/$pm_pid" ] || break
        sleep 0.1
      done
    fi
  fi
  if [ -n "$PG_KEEP" ]; then
    log "kept $PG_KEEP"
  elif [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
    rm -rf -- "$PG_TMP"
    log "removed $PG_TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 2. initdb ----------------------------------------------------------------
PG_NEW=1
if [ -n "$PG_KEEP" ]; then
  mkdir -p -- "$PG_KEEP"
  PG_TMP="$(cd "$PG_KEEP" && pwd)"
  PG_KEEP="$PG_TMP"
  if [ -f "$PG_TMP/data/PG_VERSION" ]; then PG_NEW=0; fi
else
  PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/with_postgres.XXXXXXXX")"
fi
# The socket path must fit in sun_path (~107 bytes), so keep it short.
[ "${#PG_TMP}" -le 80 ] || die "temp dir path too long for a unix socket: $PG_TMP (set TMPDIR=/tmp)"
if [ "$PG_NEW" -eq 1 ]; then
  chmod 0755 "$PG_TMP"
  mkdir -m 0700 "$PG_TMP/data"
  if [ "$PG_OS_USER" != "$(id -un)" ]; then
    chown -R "$PG_OS_USER": "$PG_TMP"
  fi

  PG_LOCALE=C
  if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
    PG_LOCALE=C.UTF-8
  fi

  log "initdb in $PG_TMP/data (locale $PG_LOCALE)"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -E UTF8 --locale="$PG_LOCALE" \
      --auth=trust --no-instructions >"$PG_TMP/initdb.log" 2>&1; then
    cat "$PG_TMP/initdb.log" >&2
    die "initdb failed"
  fi

  # Later settings in postgresql.conf override earlier ones.
  cat >>"$PG_TMP/data/postgresql.conf" <<EOF

# --- with_postgres.sh: throwaway test server ---
listen_addresses = ''
unix_socket_directories = '$PG_TMP'
port = 5432
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
else
  log "reusing the cluster in $PG_TMP/data"
fi

# --- 3. start -----------------------------------------------------------------
log "starting server (unix socket in $PG_TMP)"
PG_STARTED=1
if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 start >/dev/null 2>&1; then
  tail -n 30 "$PG_TMP/server.log" >&2 || true
  die "server failed to start"
fi

# --- 4. role and database -------------------------------------------------------
if [ "$PG_NEW" -eq 1 ]; then
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_TMP" -p 5432 -U postgres -d postgres \
    -c "CREATE ROLE $PG_ROLE LOGIN SUPERUSER" \
    -c "CREATE DATABASE $PG_DB OWNER $PG_ROLE" >&2
  log "created role '$PG_ROLE' (superuser) and database '$PG_DB'"
fi

# --- 5. environment ---------------------------------------------------------------
export DATABASE_URL="postgres://$PG_ROLE@$(urlencode "$PG_TMP")/$PG_DB"
export PGHOST="$PG_TMP" PGPORT=5432 PGUSER="$PG_ROLE" PGDATABASE="$PG_DB"
log "DATABASE_URL=$DATABASE_URL"

# --- 6. run the command -------------------------------------------------------------
log "running: $*"
set +e
"$@"
status=$?
set -e
log "command exited with status $status"
exit "$status"
