#!/usr/bin/env bash
# Makes a fresh clone runnable: installs npm dependencies when missing, then builds and lints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -d node_modules/@temporalio/worker || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[prepare] installing npm dependencies" >&2
  npm ci --no-audit --no-fund
fi
npm run -s build
[[ "${1:-}" == --no-lint ]] || npx eslint .
