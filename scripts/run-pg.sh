#!/usr/bin/env bash
# make run-pg: the demo on PostgreSQL instead of the SQLite file — a local try.  Starts a
# PostgreSQL cluster of its own in var/pg (kept between runs; its data stays there; as root,
# when the postgres account cannot enter the checkout, e.g. under /root, in /var/tmp),
# loads the demo into its database "vejled", serves on 127.0.0.1:8080 and stops the
# cluster by its process id when the server stops (Ctrl-C).
#   usage: scripts/run-pg.sh VEJLED_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/vejled}
mkdir -p var
chmod 755 var
pg=var/pg
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$PWD/var"; then
  pg=/var/tmp/vejled-run-pg-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)
fi
stop() { scripts/pgtmp.sh stop "$pg" >/dev/null 2>&1 || true; }
trap stop EXIT INT TERM
if [ -d "$pg/data" ]; then
  # kept from an earlier run: start the same cluster again on a free port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as=""; [ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"
  $as "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c unix_socket_directories=$(cd "$pg" && pwd) -c port=$port" start >/dev/null
  head -1 "$pg/data/postmaster.pid" >"$pg/pid"
  base="postgresql://vejled@127.0.0.1:$port"
else
  url=$(scripts/pgtmp.sh start "$pg" --durable)
  base=${url%/postgres}
  psql -X -q "$url" -c "CREATE DATABASE vejled"
fi
cat >var/pg.ini <<INI
[database]
url = $base/vejled
key_file = var/pg.key
sign_key_file = var/pg.sign.key
[delivery]
outbox_dir = var/pg-outbox
INI
"$BIN" demo --config var/pg.ini
echo "vejled: on PostgreSQL ($base/vejled)" >&2
"$BIN" serve --config var/pg.ini --listen 127.0.0.1:8080
