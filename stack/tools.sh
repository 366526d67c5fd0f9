#!/usr/bin/env bash
# Tools some tests need that a fresh machine lacks, installed on first use and printed as a path:
#   bash stack/tools.sh chromium    headless Chromium from Debian's packages (the status page test)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

chromium_path() {
  for c in chromium chromium-browser; do command -v "$c" && return 0; done
  return 1
}

case "${1:-}" in
  chromium)
    if ! chromium_path >/dev/null; then
      say "installing Chromium from Debian packages (once)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
    fi
    chromium_path
    ;;
  *) die "usage: stack/tools.sh chromium" ;;
esac
