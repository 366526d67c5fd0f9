#!/usr/bin/env bash
# PostgreSQL from Debian's packages: server, pg_dump and pg_restore of one major version.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
PG_MAJOR="${PG_MAJOR:-15}"
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
# PostgreSQL refuses to run as root; as root the cluster belongs to the 'postgres' user, who cannot reach
# into root's home, so its data lives under /var/lib/cairn instead, one cluster per CAIRN_HOME.
if [[ "$(id -u)" == 0 ]]; then
  PGDATA="${CAIRN_PGDATA:-/var/lib/cairn/postgres-$(printf %s "$CAIRN_HOME" | md5sum | cut -c1-8)}"
else
  PGDATA="${CAIRN_PGDATA:-$CAIRN_DATA/postgres}"
fi

install() {
  if [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/pg_dump" && -x "$PG_BIN/pg_restore" ]]; then return 0; fi
  say "installing PostgreSQL $PG_MAJOR from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # postgresql-common would create and start a system cluster; we run our own, so stop creating one.
  mkdir -p /etc/postgresql-common
  grep -q '^create_main_cluster' /etc/postgresql-common/createcluster.conf 2>/dev/null ||
    echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  apt-get install -y -qq "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR" >/dev/null
}

as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

init_cluster() {
  [[ -f "$PGDATA/PG_VERSION" ]] && return 0
  say "initialising a PostgreSQL cluster in $PGDATA"
  mkdir -p "$PGDATA"
  [[ "$(id -u)" == 0 ]] && chown -R postgres:postgres "$(dirname "$PGDATA")"
  local pwfile; pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "$PGDATA" "$pwfile"; fi
  as_owner "$PG_BIN/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
}

start() {
  install
  if is_running postgres; then say "postgres already running"; return 0; fi
  ensure_port_free postgres "$POSTGRES_PORT"
  init_cluster
  local runner=()
  [[ "$(id -u)" == 0 ]] && runner=(runuser -u postgres --)
  # TCP on loopback only; no Unix socket, so nothing depends on a socket directory's permissions.
  start_daemon postgres "${runner[@]}" "$PG_BIN/postgres" -D "$PGDATA" -p "$POSTGRES_PORT" \
    -c "listen_addresses=$STACK_HOST" -c unix_socket_directories= -c max_connections=100 -c shared_buffers=128MB
  wait_port postgres "$POSTGRES_PORT" 60
  local i
  for ((i = 0; i < 60; i++)); do "$PG_BIN/pg_isready" -q -h "$STACK_HOST" -p "$POSTGRES_PORT" && break; sleep 0.5; done
  PGPASSWORD="$POSTGRES_PASSWORD" psql -q -h "$STACK_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DB'" | grep -q 1 ||
    PGPASSWORD="$POSTGRES_PASSWORD" createdb -h "$STACK_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" "$POSTGRES_DB"
  say "postgres up on $STACK_HOST:$POSTGRES_PORT (database $POSTGRES_DB)"
}

# A fast shutdown: the default (smart) one waits for every client, such as a forgotten psql, to leave.
stop() {
  if is_running postgres; then as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast -w >/dev/null || true; fi
  stop_daemon postgres
}
status() { status_line postgres "$POSTGRES_PORT"; }

"${1:?usage: postgres.sh install|start|stop|status}"
