#!/usr/bin/env bash
# npm run demo: the main job on the local stack. Brings the stack up, starts a worker, checks every target
# with `cairn doctor`, seeds a little data, runs a backup cycle, lists what was recorded, stops the worker.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source stack/lib.sh
ensure_node
bash stack/prepare.sh --no-lint
bash stack/stack.sh up
node bin/cairn.js worker >"$CAIRN_LOGS/demo-worker.log" 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q 'polling task queue' "$CAIRN_LOGS/demo-worker.log" && break; sleep 0.5; done
grep -q 'polling task queue' "$CAIRN_LOGS/demo-worker.log" || { cat "$CAIRN_LOGS/demo-worker.log"; die "the worker did not start"; }
echo; echo "== cairn doctor"; node bin/cairn.js doctor
echo; echo "== seeding demo data"; node dist/stack/seed-demo.js
echo; echo "== cairn backup --wait"; node bin/cairn.js backup --wait
echo; echo "== cairn list"; node bin/cairn.js list --limit 10
