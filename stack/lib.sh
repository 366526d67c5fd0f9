# Shared helpers for the local stack scripts. Sourced, not run.
# Everything the stack builds, downloads or stores lives under $CAIRN_HOME (outside the repo).
set -euo pipefail

CAIRN_HOME="${CAIRN_HOME:-$HOME/.cache/cairn}"
CAIRN_BIN="$CAIRN_HOME/bin"
CAIRN_RUN="$CAIRN_HOME/run"
CAIRN_LOGS="$CAIRN_HOME/logs"
CAIRN_DATA="$CAIRN_HOME/data"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$CAIRN_BIN" "$CAIRN_RUN" "$CAIRN_LOGS" "$CAIRN_DATA"
# Go may be installed outside the default PATH (the official tarball lives in /usr/local/go).
export PATH="$CAIRN_BIN:$PATH:/usr/local/go/bin:$HOME/go/bin"

# Node 22, Cairn's runtime, from the npm registry (stack/node.sh installs it); first on PATH once installed,
# so every script, test and worker the stack starts runs on it rather than on the machine's own node.
CAIRN_NODE_VERSION="${CAIRN_NODE_VERSION:-22.23.3}"
CAIRN_NODE_DIR="$CAIRN_HOME/node/$CAIRN_NODE_VERSION"
[[ -x "$CAIRN_NODE_DIR/bin/node" ]] && export PATH="$CAIRN_NODE_DIR/bin:$PATH"
# ensure_node: installs Node $CAIRN_NODE_VERSION when missing and puts it first on PATH.
ensure_node() {
  bash "$REPO_ROOT/stack/node.sh"
  export PATH="$CAIRN_NODE_DIR/bin:$PATH"
}

# ensure_zstd: the zstd CLI (Debian's zstd package), which the tests use to restore a .dump.zst by hand.
ensure_zstd() {
  command -v zstd >/dev/null && return 0
  local sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo -n"
  say "installing the zstd CLI (apt-get install zstd)"
  $sudo apt-get install -y --no-install-recommends zstd >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends zstd >&2; } \
    || die "the zstd CLI is missing and could not be installed: apt-get install zstd"
}

# Ports and credentials: the same variables Cairn's config loader reads, with the local stack's defaults.
: "${STACK_HOST:=127.0.0.1}"
: "${POSTGRES_PORT:=5432}" "${POSTGRES_USER:=cairn}" "${POSTGRES_PASSWORD:=cairn}" "${POSTGRES_DB:=cairn}"
: "${TEMPORAL_PORT:=7233}" "${TEMPORAL_UI_PORT:=8233}"
: "${MINIO_PORT:=9000}" "${MINIO_CONSOLE_PORT:=9001}" "${MINIO_ACCESS_KEY:=cairn}" "${MINIO_SECRET_KEY:=cairn-secret}"
: "${NEO4J_BOLT_PORT:=7687}" "${NEO4J_DRILL_BOLT_PORT:=7688}" "${NEO4J_USER:=neo4j}" "${NEO4J_PASSWORD:=cairn-neo4j}"
: "${QDRANT_PORT:=6333}"
export STACK_HOST POSTGRES_PORT POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB TEMPORAL_PORT TEMPORAL_UI_PORT \
  MINIO_PORT MINIO_CONSOLE_PORT MINIO_ACCESS_KEY MINIO_SECRET_KEY NEO4J_BOLT_PORT NEO4J_DRILL_BOLT_PORT \
  NEO4J_USER NEO4J_PASSWORD QDRANT_PORT

say() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

pidfile() { echo "$CAIRN_RUN/$1.pid"; }

# is_running NAME: true when NAME's recorded pid is alive.
is_running() {
  local f; f="$(pidfile "$1")"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/$STACK_HOST/$1") 2>/dev/null; }

# wait_port NAME PORT SECONDS: wait until PORT accepts connections; fail with NAME's log tail if its process dies.
wait_port() {
  local name="$1" port="$2" secs="$3" i
  for ((i = 0; i < secs * 4; i++)); do
    port_open "$port" && return 0
    if ! is_running "$name"; then
      tail -n 30 "$CAIRN_LOGS/$name.log" >&2 || true
      die "$name exited before listening on $STACK_HOST:$port (log: $CAIRN_LOGS/$name.log)"
    fi
    sleep 0.25
  done
  tail -n 30 "$CAIRN_LOGS/$name.log" >&2 || true
  die "$name did not listen on $STACK_HOST:$port within ${secs}s (log: $CAIRN_LOGS/$name.log)"
}

# start_daemon NAME CMD...: start CMD in its own session, log to $CAIRN_LOGS/NAME.log, record its pid.
start_daemon() {
  local name="$1"; shift
  setsid nohup "$@" >>"$CAIRN_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# stop_daemon NAME: stop NAME by its recorded pid (its whole process group), waiting for it to exit.
stop_daemon() {
  local name="$1" f pid i
  f="$(pidfile "$name")"
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
  fi
  rm -f "$f"
}

# ensure_port_free NAME PORT: refuse to start when someone else already listens there.
ensure_port_free() {
  if port_open "$2"; then
    die "port $2 on $STACK_HOST is already taken by another program, so $1 cannot start; stop it or set a different port variable"
  fi
}

# go_install BINARY PACKAGE VERSION: builds BINARY into $CAIRN_BIN once per version (a stamp file marks it done).
go_install() {
  local binary="$1" package="$2" version="$3"
  [[ -x "$CAIRN_BIN/$binary" && -f "$CAIRN_BIN/.$binary-$version" ]] && return 0
  command -v go >/dev/null || die "Go is needed to build $binary; install Go 1.22 or newer"
  say "building $binary $version with go install (a few minutes, once)"
  GOBIN="$CAIRN_BIN" GOFLAGS=-buildvcs=false go install "$package@$version"
  touch "$CAIRN_BIN/.$binary-$version"
}

status_line() {
  local name="$1" port="$2"
  if is_running "$name" && port_open "$port"; then
    printf '%-14s up    pid %-8s %s:%s\n' "$name" "$(cat "$(pidfile "$name")")" "$STACK_HOST" "$port"
  else
    printf '%-14s down  %s:%s\n' "$name" "$STACK_HOST" "$port"
  fi
}
