#!/usr/bin/env bash
# npm run demo: the main job on the local stack. Brings the stack up, starts a worker, checks every target
# with `cairn doctor`, seeds a little data, runs a backup cycle, lists what was recorded, restores the
# PostgreSQL backup into a new database and proves it equal, runs the DR drill and prints its report.
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
echo; echo "== cairn list --sets"; node bin/cairn.js list --sets --limit 3
echo; echo "== cairn restore --type postgres --wait   (into a new database, proven equal to the backup)"
restore_json="$(node bin/cairn.js restore --type postgres --wait --json)" || { echo "$restore_json"; die "the restore failed"; }
copy="$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.targets[0].destination.split("/").pop()); for (const t of r.targets) console.error(`  ${t.target}: ${t.status} into ${t.destination}, ${t.proof.checks.filter((c) => c.ok).length}/${t.proof.checks.length} proof checks matched, ${t.bytesRead} bytes read`)' "$restore_json")"
# The demo's copy is dropped again so repeated demos leave nothing behind; a real restore keeps it, of course.
PGPASSWORD="$POSTGRES_PASSWORD" psql -q -h "$STACK_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -c "DROP DATABASE IF EXISTS \"$copy\" WITH (FORCE)"
echo "  (the demo dropped its restored copy $copy)"
echo; echo "== cairn drill --wait   (the monthly DR drill, run now)"
node bin/cairn.js drill --wait
echo; echo "== cairn drills"; node bin/cairn.js drills --limit 3
