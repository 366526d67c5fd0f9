#!/usr/bin/env bash
# The Temporal dev server from the official Temporal CLI, built from source with go install.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# v1.5.1 is the newest tag whose go.mod has no replace directive (go install refuses those).
TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
install() { go_install temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION"; }

start() {
  install
  if is_running temporal; then say "temporal already running"; return 0; fi
  ensure_port_free temporal "$TEMPORAL_PORT"
  mkdir -p "$CAIRN_DATA/temporal"
  start_daemon temporal "$CAIRN_BIN/temporal" server start-dev \
    --ip "$STACK_HOST" --port "$TEMPORAL_PORT" --ui-ip "$STACK_HOST" --ui-port "$TEMPORAL_UI_PORT" \
    --http-port "$((TEMPORAL_PORT + 10))" --metrics-port "$((TEMPORAL_PORT + 20))" \
    --db-filename "$CAIRN_DATA/temporal/temporal.db" --namespace "${TEMPORAL_NAMESPACE:-default}" \
    --log-level warn
  wait_port temporal "$TEMPORAL_PORT" 120
  local i
  for ((i = 0; i < 120; i++)); do
    "$CAIRN_BIN/temporal" operator namespace describe --address "$STACK_HOST:$TEMPORAL_PORT" \
      --namespace "${TEMPORAL_NAMESPACE:-default}" >/dev/null 2>&1 && break
    sleep 0.5
  done
  say "temporal up on $STACK_HOST:$TEMPORAL_PORT, Web UI http://$STACK_HOST:$TEMPORAL_UI_PORT"
}

stop() { stop_daemon temporal; }
status() { status_line temporal "$TEMPORAL_PORT"; }

"${1:?usage: temporal.sh install|start|stop|status}"
