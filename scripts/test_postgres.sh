# A throwaway PostgreSQL cluster with PostGIS for the test suite (sourced by ./test.sh, not run).
#
#   start_test_postgres   initdb + pg_ctl start in a temp folder on a free port of 127.0.0.1 and
#                         export TSUDOI_TEST_PG_URL (the superuser's URL; tests create their databases)
#   stop_test_postgres    stop the server and delete the folder (test.sh calls it from an EXIT trap)
#
# The cluster is C-locale UTF-8 (strings sort by code point, as SQLite sorts them) and trades durability
# for speed (fsync off): it lives only for one test run. PostgreSQL refuses to run as root, so as root the
# cluster belongs to the `postgres` user that Debian's package creates.
set -euo pipefail

# The bin folder of the newest PostgreSQL server installed (Debian keeps them in /usr/lib/postgresql/N/bin).
postgres_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && [ -x "$(dirname "$(command -v pg_ctl)")/initdb" ] \
    && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

# True when the PostGIS extension is installed for that server.
postgis_installed() {
  local bindir sharedir
  bindir=$(postgres_bindir) || return 1
  sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null) || sharedir=/usr/share/postgresql/$(basename "$(dirname "$bindir")")
  [ -f "$sharedir/extension/postgis.control" ]
}

_free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_test_postgres() {
  local bindir port as_owner=()
  bindir=$(postgres_bindir) || { echo "PostgreSQL (initdb, pg_ctl) not found" >&2; return 1; }
  TSUDOI_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tsudoi-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$TSUDOI_PG_DIR"
    as_owner=(runuser -u postgres --)
  fi
  "${as_owner[@]}" "$bindir/initdb" -D "$TSUDOI_PG_DIR/data" -U tsudoi -A trust -E UTF8 --locale=C \
    >"$TSUDOI_PG_DIR/initdb.log" 2>&1 || { cat "$TSUDOI_PG_DIR/initdb.log" >&2; return 1; }
  for _ in 1 2 3; do  # another process may take the free port between the check and the start
    port=$(_free_port)
    if "${as_owner[@]}" "$bindir/pg_ctl" -D "$TSUDOI_PG_DIR/data" -l "$TSUDOI_PG_DIR/server.log" -w -t 60 \
         -o "-p $port -k $TSUDOI_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
      export TSUDOI_TEST_PG_URL="postgresql+psycopg://tsudoi@127.0.0.1:$port/postgres"
      TSUDOI_PG_CTL=("${as_owner[@]}" "$bindir/pg_ctl" -D "$TSUDOI_PG_DIR/data")
      echo "==> PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port ($TSUDOI_PG_DIR)"
      return 0
    fi
  done
  cat "$TSUDOI_PG_DIR/server.log" >&2
  return 1
}

stop_test_postgres() {
  if [ -n "${TSUDOI_PG_DIR:-}" ] && [ -d "$TSUDOI_PG_DIR" ]; then
    [ -f "$TSUDOI_PG_DIR/data/postmaster.pid" ] && "${TSUDOI_PG_CTL[@]}" stop -m fast -w >/dev/null 2>&1 || true
    rm -rf "$TSUDOI_PG_DIR"
  fi
}
