#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and benchmarks, in a folder of its own.
#
#   scripts/pgtmp.sh start DIR [--durable]   initdb into DIR/data, start it on a free loopback
#                                            port with its socket in DIR; prints the URL
#                                            (postgresql://vejled@127.0.0.1:PORT/postgres) and
#                                            writes it to DIR/url, the server's pid to DIR/pid
#   scripts/pgtmp.sh stop DIR                stops that server by its process id (fast
#                                            shutdown, then SIGKILL after 10 s); DIR stays
#   scripts/pgtmp.sh psql DIR [ARGS…]        psql connected to it as the superuser
#
# The cluster trusts loopback connections and has one superuser, vejled.  Without --durable
# it runs with fsync=off (tests never cut the power to PostgreSQL; a commit is still
# acknowledged only after PostgreSQL says it committed); --durable keeps PostgreSQL's
# defaults (for the benchmarks).  PostgreSQL refuses to run as root: as root the cluster
# belongs to the postgres account that Debian's package creates.
set -euo pipefail

BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$BINDIR" ] && [ -x "$BINDIR/initdb" ] || { echo "pgtmp: PostgreSQL server not installed (scripts/deps.sh)" >&2; exit 1; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,9p' "$0" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  durable=0; [ "${3:-}" = "--durable" ] && durable=1
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
  as_owner "$BINDIR/initdb" -D "$dir/data" -U vejled --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=400"
  opts="$opts -c shared_buffers=32MB -c log_min_messages=warning"
  [ $durable -eq 0 ] && opts="$opts -c fsync=off -c full_page_writes=off"
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if as_owner "$BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
         -o "$opts -c port=$port" start >/dev/null 2>&1; then
      head -1 "$dir/data/postmaster.pid" >"$dir/pid"
      url="postgresql://vejled@127.0.0.1:$port/postgres"
      echo "$url" >"$dir/url"
      echo "$url"
      exit 0
    fi
  done
  echo "pgtmp: PostgreSQL did not start; see $dir/server.log" >&2
  tail -5 "$dir/server.log" >&2 || true
  exit 1
  ;;
stop)
  [ -f "$dir/pid" ] || exit 0
  pid=$(cat "$dir/pid")
  kill -TERM "$pid" 2>/dev/null || true   # PostgreSQL's "smart" stop; INT is "fast"
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  ;;
psql)
  shift 2
  url=$(cat "$dir/url")
  exec psql -X -q -v ON_ERROR_STOP=1 "$url" "$@"
  ;;
*)
  sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
