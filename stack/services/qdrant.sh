#!/usr/bin/env bash
# Qdrant for the local stack. No registry ships a Qdrant server we can install here, so this runs Cairn's
# qdrant stand-in (test/qdrant-standin: a test double checked against Qdrant's OpenAPI spec, not Qdrant).
# With QDRANT_URL set, a real Qdrant is used instead and this script leaves it alone.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
STANDIN_JS="$REPO_ROOT/dist/test/qdrant-standin/main.js"

install() { :; } # nothing to install: the stand-in is compiled with the rest of Cairn (npm run build)

start() {
  if [[ -n "${QDRANT_URL:-}" ]]; then say "QDRANT_URL is set: using the real Qdrant at $QDRANT_URL, not starting the stand-in"; return 0; fi
  if is_running qdrant; then say "qdrant stand-in already running"; return 0; fi
  [[ -f "$STANDIN_JS" ]] || die "$STANDIN_JS not found: run npm run build first"
  ensure_port_free qdrant "$QDRANT_PORT"
  mkdir -p "$CAIRN_DATA/qdrant-standin"
  start_daemon qdrant node "$STANDIN_JS" --port "$QDRANT_PORT" --data "$CAIRN_DATA/qdrant-standin"
  wait_port qdrant "$QDRANT_PORT" 30
  say "qdrant stand-in (a test double, not Qdrant) up on http://$STACK_HOST:$QDRANT_PORT"
}

stop() {
  if [[ -n "${QDRANT_URL:-}" ]] && ! is_running qdrant; then return 0; fi
  stop_daemon qdrant
}

status() {
  if [[ -n "${QDRANT_URL:-}" ]]; then printf '%-14s real  %s\n' qdrant "$QDRANT_URL"; return 0; fi
  status_line qdrant "$QDRANT_PORT"
}

"${1:?usage: qdrant.sh install|start|stop|status}"
