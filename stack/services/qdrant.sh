#!/usr/bin/env bash
# Qdrant for the local stack, in this order of preference:
# - QDRANT_URL set: a Qdrant the user runs; this script leaves it alone.
# - the real Qdrant server binary in ../shared/qdrant beside the repo (development machines and CI; see its
#   README): unpacked once into $CAIRN_BIN after its SHA-256 is checked, data under $CAIRN_DATA/qdrant.
# - otherwise Cairn's stand-in (test/qdrant-standin: a test double checked against Qdrant's OpenAPI spec, not
#   Qdrant), since no registry ships a Qdrant server we can install here.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
STANDIN_JS="$REPO_ROOT/dist/test/qdrant-standin/main.js"
QDRANT_VERSION=1.19.0
# CAIRN_SHARED: where shared/ is when the repo is not its sibling (e.g. a git worktree elsewhere).
QDRANT_SHARED="${CAIRN_SHARED:-$REPO_ROOT/../shared}/qdrant"
QDRANT_GZ="$QDRANT_SHARED/qdrant-$QDRANT_VERSION-linux-x86_64.gz"
QDRANT_BIN="$CAIRN_BIN/qdrant-$QDRANT_VERSION"
: "${QDRANT_GRPC_PORT:=$((QDRANT_PORT + 1))}"

real_available() { [[ -f "$QDRANT_GZ" && "$(uname -sm)" == 'Linux x86_64' ]]; }

# Unpacks the real server once per checksum; refuses a binary whose .gz does not match its .sha256.
install() {
  real_available || return 0
  [[ -f "$QDRANT_GZ.sha256" ]] || die "$QDRANT_GZ.sha256 is missing: cannot verify the Qdrant binary"
  local want stamp
  want="$(awk '{print $1; exit}' "$QDRANT_GZ.sha256")"
  stamp="$CAIRN_BIN/.qdrant-$QDRANT_VERSION-$want"
  [[ -x "$QDRANT_BIN" && -f "$stamp" ]] && return 0
  [[ "$(sha256sum "$QDRANT_GZ" | awk '{print $1}')" == "$want" ]] \
    || die "$QDRANT_GZ does not match its SHA-256 ($want): refusing to run it"
  gunzip -c "$QDRANT_GZ" >"$QDRANT_BIN.tmp"
  chmod +x "$QDRANT_BIN.tmp"
  mv "$QDRANT_BIN.tmp" "$QDRANT_BIN"
  touch "$stamp"
  say "unpacked the real Qdrant $QDRANT_VERSION into $QDRANT_BIN"
}

start() {
  if [[ -n "${QDRANT_URL:-}" ]]; then say "QDRANT_URL is set: using the Qdrant at $QDRANT_URL, starting none"; return 0; fi
  if is_running qdrant; then say "qdrant already running: $(kind)"; return 0; fi
  ensure_port_free qdrant "$QDRANT_PORT"
  if real_available; then start_real; else start_standin; fi
}

start_real() {
  install
  ensure_port_free qdrant-grpc "$QDRANT_GRPC_PORT"
  mkdir -p "$CAIRN_DATA/qdrant"
  # Run from its data dir: Qdrant looks for ./config and leaves files in its working directory.
  (cd "$CAIRN_DATA/qdrant" && QDRANT__SERVICE__HOST="$STACK_HOST" QDRANT__SERVICE__HTTP_PORT="$QDRANT_PORT" \
    QDRANT__SERVICE__GRPC_PORT="$QDRANT_GRPC_PORT" QDRANT__STORAGE__STORAGE_PATH="$CAIRN_DATA/qdrant/storage" \
    QDRANT__STORAGE__SNAPSHOTS_PATH="$CAIRN_DATA/qdrant/snapshots" QDRANT__TELEMETRY_DISABLED=true \
    start_daemon qdrant "$QDRANT_BIN")
  wait_port qdrant "$QDRANT_PORT" 60
  local i
  for ((i = 0; i < 120; i++)); do
    curl -fsS "http://$STACK_HOST:$QDRANT_PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  say "real Qdrant $QDRANT_VERSION up on http://$STACK_HOST:$QDRANT_PORT (data in $CAIRN_DATA/qdrant)"
}

start_standin() {
  [[ -f "$STANDIN_JS" ]] || die "$STANDIN_JS not found: run npm run build first"
  mkdir -p "$CAIRN_DATA/qdrant-standin"
  start_daemon qdrant node "$STANDIN_JS" --port "$QDRANT_PORT" --data "$CAIRN_DATA/qdrant-standin"
  wait_port qdrant "$QDRANT_PORT" 30
  say "qdrant stand-in (a test double, not Qdrant; no real server in $QDRANT_SHARED) up on http://$STACK_HOST:$QDRANT_PORT"
}

# Which Qdrant answers on the stack's port, by its own title (the stand-in calls itself one).
kind() {
  local root
  root="$(curl -fsS --max-time 3 "http://$STACK_HOST:$QDRANT_PORT/" 2>/dev/null)" || { echo 'not answering'; return 0; }
  if grep -q 'stand-in' <<<"$root"; then echo 'stand-in (test double)'; else
    echo "real Qdrant $(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' <<<"$root")"
  fi
}

stop() {
  if [[ -n "${QDRANT_URL:-}" ]] && ! is_running qdrant; then return 0; fi
  stop_daemon qdrant
}

status() {
  if [[ -n "${QDRANT_URL:-}" ]]; then printf '%-14s given %s\n' qdrant "$QDRANT_URL"; return 0; fi
  if is_running qdrant && port_open "$QDRANT_PORT"; then
    printf '%-14s up    pid %-8s %s:%s  %s\n' qdrant "$(cat "$(pidfile qdrant)")" "$STACK_HOST" "$QDRANT_PORT" "$(kind)"
  else
    status_line qdrant "$QDRANT_PORT"
  fi
}

"${1:?usage: qdrant.sh install|start|stop|status}"
