#!/usr/bin/env bash
# npm test: brings the local stack up when it is not running, runs every test file against it, and stops
# the stack again if this run started it (set CAIRN_KEEP_STACK=1 to leave it running).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source stack/lib.sh
ensure_node
ensure_zstd
echo "[test] running on Node $(node --version) ($(command -v node))" >&2
started=0
# Read status whole first: grep -q closing the pipe early would fail the pipeline under pipefail.
status="$(bash stack/stack.sh status)"
grep -q ' up ' <<<"$status" || started=1
bash stack/stack.sh up
if [[ $started == 1 && "${CAIRN_KEEP_STACK:-0}" != 1 ]]; then trap 'bash stack/stack.sh down' EXIT; fi
files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=(dist/test/*.test.js)
# One file at a time: files share the stack's Neo4j instances, and some wipe them before seeding.
node --test --test-concurrency="${CAIRN_TEST_CONCURRENCY:-1}" "${files[@]}"
