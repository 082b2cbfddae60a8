#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster (scripts/pgtmp.sh) whose URL is in
# VEJLED_TEST_PG_URL; the cluster is stopped by its process id and removed afterwards,
# whatever the command's outcome.   scripts/with-pg.sh COMMAND [ARGS…]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/vejled-pg.XXXXXX")
cleanup() { "$here/pgtmp.sh" stop "$dir" || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
VEJLED_TEST_PG_URL=$("$here/pgtmp.sh" start "$dir")
export VEJLED_TEST_PG_URL
"$@"
