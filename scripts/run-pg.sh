#!/usr/bin/env bash
# make run-pg: the demo on PostgreSQL instead of the SQLite file — a local try.  Starts a
# PostgreSQL cluster of its own in var/pg (kept between runs; its data stays there),
# loads the demo into its database "vejled", serves on 127.0.0.1:8080 and stops the
# cluster by its process id when the server stops (Ctrl-C).
#   usage: scripts/run-pg.sh VEJLED_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/vejled}
mkdir -p var
chmod 755 var
stop() { scripts/pgtmp.sh stop var/pg >/dev/null 2>&1 || true; }
trap stop EXIT INT TERM
if [ -d var/pg/data ]; then
  # kept from an earlier run: start the same cluster again on a free port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as=""; [ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"
  $as "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D var/pg/data -l var/pg/server.log -w \
    -o "-c listen_addresses=127.0.0.1 -c unix_socket_directories=$PWD/var/pg -c port=$port" start >/dev/null
  head -1 var/pg/data/postmaster.pid >var/pg/pid
  base="postgresql://vejled@127.0.0.1:$port"
else
  url=$(scripts/pgtmp.sh start var/pg --durable)
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
