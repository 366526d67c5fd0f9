#!/usr/bin/env bash
# The local stack, no Docker engine needed: stack.sh up|down|status.
# Idempotent: 'up' installs what is missing (cached under $CAIRN_HOME) and starts what is not running.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SERVICES="$REPO_ROOT/stack/services"

up() {
  local t0=$SECONDS
  # Builds first, so a slow first-time compile never overlaps with servers starting.
  bash "$SERVICES/postgres.sh" install
  bash "$SERVICES/temporal.sh" install
  bash "$SERVICES/minio.sh" install
  bash "$SERVICES/neo4j.sh" install
  [[ -f "$REPO_ROOT/dist/test/qdrant-standin/main.js" ]] || (cd "$REPO_ROOT" && npm run -s build)
  bash "$SERVICES/postgres.sh" start
  bash "$SERVICES/minio.sh" start
  bash "$SERVICES/temporal.sh" start
  bash "$SERVICES/qdrant.sh" start
  bash "$SERVICES/neo4j.sh" start main
  bash "$SERVICES/neo4j.sh" start drill
  say "stack up in $((SECONDS - t0))s"
  status
}

down() {
  bash "$SERVICES/neo4j.sh" stop drill
  bash "$SERVICES/neo4j.sh" stop main
  bash "$SERVICES/qdrant.sh" stop
  bash "$SERVICES/temporal.sh" stop
  bash "$SERVICES/minio.sh" stop
  bash "$SERVICES/postgres.sh" stop
  say "stack down"
}

status() {
  bash "$SERVICES/postgres.sh" status
  bash "$SERVICES/temporal.sh" status
  bash "$SERVICES/minio.sh" status
  bash "$SERVICES/qdrant.sh" status
  bash "$SERVICES/neo4j.sh" status main
  bash "$SERVICES/neo4j.sh" status drill
}

case "${1:-}" in
  up | down | status) "$1" ;;
  *) die "usage: stack.sh up|down|status" ;;
esac
