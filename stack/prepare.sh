#!/usr/bin/env bash
# Makes a fresh clone runnable on Node 22: installs it and the npm dependencies when missing, builds and lints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source stack/lib.sh
ensure_node
if [[ ! -d node_modules/@temporalio/worker || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[prepare] installing npm dependencies with Node $(node --version)" >&2
  npm ci --no-audit --no-fund
fi
npm run -s build
[[ "${1:-}" == --no-lint ]] || npx eslint .
