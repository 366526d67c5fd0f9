#!/usr/bin/env bash
# MinIO, built from source with go install (its documented way since it stopped shipping binaries).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# Pinned to a module version the Go module proxy resolves (MinIO's release tags are not semver).
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
install() { go_install minio github.com/minio/minio "$MINIO_VERSION"; }

start() {
  install
  if is_running minio; then say "minio already running"; return 0; fi
  ensure_port_free minio "$MINIO_PORT"
  mkdir -p "$CAIRN_DATA/minio"
  MINIO_ROOT_USER="$MINIO_ACCESS_KEY" MINIO_ROOT_PASSWORD="$MINIO_SECRET_KEY" MINIO_BROWSER=on \
    start_daemon minio "$CAIRN_BIN/minio" server "$CAIRN_DATA/minio" \
    --address "$STACK_HOST:$MINIO_PORT" --console-address "$STACK_HOST:$MINIO_CONSOLE_PORT" --quiet
  wait_port minio "$MINIO_PORT" 60
  local i
  for ((i = 0; i < 120; i++)); do
    curl -fsS "http://$STACK_HOST:$MINIO_PORT/minio/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  say "minio up on http://$STACK_HOST:$MINIO_PORT (console http://$STACK_HOST:$MINIO_CONSOLE_PORT)"
}

stop() { stop_daemon minio; }
status() { status_line minio "$MINIO_PORT"; }

"${1:?usage: minio.sh install|start|stop|status}"
