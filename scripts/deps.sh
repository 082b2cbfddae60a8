#!/usr/bin/env bash
# Installs what vejled needs to build, run and test, from Debian's archive and npm.
# Idempotent and quiet when everything is already there.  Run as root (or with sudo).
#   scripts/deps.sh          build + run + test dependencies
#   scripts/deps.sh --run    only what `make run` needs (adds ffmpeg for demo media)
set -euo pipefail
cd "$(dirname "$0")/.."

want=(build-essential pkg-config libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev
      libsodium-dev uuid-dev libcurl4-openssl-dev libcmocka-dev curl ca-certificates
      nodejs npm chromium chromium-headless-shell fonts-dejavu-core tzdata ffmpeg wrk
      libcairo2-dev libpango1.0-dev fonts-dejavu-extra poppler-utils python3-aiosmtpd libxml2-utils jq openssl
      nginx slowhttptest sqlmap clang libclang-rt-14-dev cppcheck
      libpq-dev postgresql-15 postgresql-client-15)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs from another archive (nodesource) ships npm itself: do not ask Debian for it then.
if [ ${#missing[@]} -gt 0 ] && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # PostgreSQL is for the second backend's tests and benchmarks, which start throw-away
  # clusters of their own (scripts/pgtmp.sh): the package's default cluster is not wanted.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $SUDO mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages (dkfds for the look, playwright-core + axe-core for browser tests, ajv +
# ajv-formats to check API responses against openapi.json).  Every version in package.json is
# pinned to one whose "engines" accept Node 18, because Debian 12's own nodejs is 18.20:
# playwright-core 1.62 and later want Node 20 (1.64 stops every browser test at run time),
# and 1.61.0 is the last release that runs on 18 and drives Debian's chromium.  Raise the
# pins together with the Node the project installs; scripts/check-node.sh (run by
# `make test`) says so in one line when the installed Node is older than a package wants.
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "deps: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  fi
fi
