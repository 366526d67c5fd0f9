#!/usr/bin/env bash
# Installs the reference age CLI (age, age-keygen) into $CAIRN_HOME/bin once, and prints where `age` is.
# Tests use it to prove Cairn's encryption interoperates with age both ways.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
go_install age filippo.io/age/cmd/... v1.2.1 >&2
echo "$CAIRN_BIN/age"
