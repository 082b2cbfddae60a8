#!/bin/bash
# PostgreSQL against SQLite, measured side by side in one run (make bench-pg; make bench
# runs it too): durable answer submissions/s and citizen overview req/s
#   - one server on an SQLite file (the yardstick),
#   - one server on PostgreSQL,
#   - two servers on the same PostgreSQL database, loaded at the same time (summed),
# each printed as a ratio to SQLite.  The PostgreSQL cluster is a throw-away one with its
# durable defaults (fsync on, synchronous_commit on; scripts/pgtmp.sh --durable) on the same
# disk as the SQLite file.  Everything on 127.0.0.1, every server started here on a free
# port and stopped by its pid, every load bounded in time.
# usage: scripts/bench/pg.sh [VEJLED_BIN]   BENCH_SECONDS (default 5), BENCH_CONNS (32)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/build/vejled}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-32}
for tool in wrk node curl psql; do
    command -v "$tool" >/dev/null || { echo "bench-pg: $tool is missing (scripts/deps.sh)" >&2; exit 1; }
done

mkdir -p "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/bench-pg.XXXXXX")
chmod 755 "$WORK" # the cluster belongs to the postgres account when run as root
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    "$ROOT/scripts/pgtmp.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
    [ -n "${BENCH_KEEP:-}" ] && echo "bench-pg: kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a + b }'; }

# starts `vejled serve` on TARGET with config CONF; SERVED gets the port, PIDS the pid
serve() {
    local target=$1 conf=$2 port
    port=$(free_port)
    "$BIN" serve --db "$target" --listen "127.0.0.1:$port" --config "$conf" \
        >/dev/null 2>>"$WORK/serve.log" </dev/null &
    PIDS+=($!)
    for _ in $(seq 1 2000); do
        curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && { SERVED=$port; return; }
        sleep 0.01
    done
    echo "bench-pg: a server did not answer" >&2; cat "$WORK/serve.log" >&2; exit 1
}
stop_all() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    PIDS=()
}
# wrk on one server in the background; its "Requests/sec" lands in FILE
wrk_bg() {
    local file=$1; shift
    ( out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 10s "$@")
      if grep -q "Non-2xx" <<<"$out"; then echo "bench-pg: errors:" >&2; echo "$out" >&2; echo 0 >"$file"
      else awk '/^Requests\/sec:/ {print $2}' <<<"$out" >"$file"; fi ) &
}

# one installation: TARGET (file or URL), its config, N servers; sets M_PAGES and M_SUBS
measure() {
    local target=$1 conf=$2 n=$3 dir=$4 ports=() key
    mkdir -p "$dir"
    "$BIN" demo --db "$target" --config "$conf" >/dev/null 2>&1
    key=$("$BIN" apikey add --db "$target" --config "$conf" --name bench 2>/dev/null)
    for i in $(seq 1 "$n"); do serve "$target" "$conf"; ports+=("$SERVED"); done
    node "$HERE/prepare.mjs" "${ports[0]}" "$key" "$dir/v.db" "$CONNS" "$dir"
    local cookie; cookie=$(cat "$dir/cookie.txt")
    local pages=0 subs=0 i
    for i in "${!ports[@]}"; do
        wrk_bg "$dir/pages.$i" -H "Cookie: $cookie" "http://127.0.0.1:${ports[$i]}/borger"
    done
    wait_wrk
    for i in "${!ports[@]}"; do pages=$(sum "$pages" "$(cat "$dir/pages.$i")"); done
    for i in "${!ports[@]}"; do
        { cat "$dir/citizens.lua"; echo "origin = \"http://127.0.0.1:${ports[$i]}\""; cat "$HERE/submit.lua"; } >"$dir/submit.$i.lua"
        wrk_bg "$dir/subs.$i" -s "$dir/submit.$i.lua" "http://127.0.0.1:${ports[$i]}/"
    done
    wait_wrk
    for i in "${!ports[@]}"; do subs=$(sum "$subs" "$(cat "$dir/subs.$i")"); done
    stop_all
    M_PAGES=$pages; M_SUBS=$subs
}
wait_wrk() {
    local j
    for j in $(jobs -p); do
        case " ${PIDS[*]} " in *" $j "*) ;; *) wait "$j" || true ;; esac
    done
}

echo "vejled bench-pg — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, wrk ${SECS}s, $CONNS connections per server"
PGURL=$("$ROOT/scripts/pgtmp.sh" start "$WORK/pg" --durable)

printf '[server]\nlog_requests = 0\nmax_connections_per_ip = 256\n[delivery]\nscheduler = 0\n' >"$WORK/sqlite.ini"
mkdir -p "$WORK/sq"
measure "$WORK/sq/v.db" "$WORK/sqlite.ini" 1 "$WORK/sq"; S_PAGES=$M_PAGES; S_SUBS=$M_SUBS

pgconf() { # a database of its own, key files in its folder
    local name=$1 dir=$WORK/$1
    mkdir -p "$dir"
    psql -X -q "$PGURL" -c "CREATE DATABASE $name" >/dev/null
    printf '[server]\nlog_requests = 0\nmax_connections_per_ip = 256\n[database]\nkey_file = %s/v.key\nsign_key_file = %s/v.sign.key\n[delivery]\nscheduler = 0\noutbox_dir = %s/outbox\n' \
        "$dir" "$dir" "$dir" >"$dir.ini"
    echo "${PGURL%/postgres}/$name"
}
U1=$(pgconf pg1); U2=$(pgconf pg2)
measure "$U1" "$WORK/pg1.ini" 1 "$WORK/pg1"; P1_PAGES=$M_PAGES; P1_SUBS=$M_SUBS
measure "$U2" "$WORK/pg2.ini" 2 "$WORK/pg2"; P2_PAGES=$M_PAGES; P2_SUBS=$M_SUBS

printf '\n%-46s %10s %10s\n' "" "req/s" "÷ SQLite"
printf '%-46s %10.0f %10s\n' "overview, SQLite, 1 server" "$S_PAGES" "1.00"
printf '%-46s %10.0f %10s\n' "overview, PostgreSQL, 1 server" "$P1_PAGES" "$(ratio "$P1_PAGES" "$S_PAGES")"
printf '%-46s %10.0f %10s\n' "overview, PostgreSQL, 2 servers (sum)" "$P2_PAGES" "$(ratio "$P2_PAGES" "$S_PAGES")"
printf '%-46s %10.0f %10s\n' "durable submissions, SQLite, 1 server" "$S_SUBS" "1.00"
printf '%-46s %10.0f %10s\n' "durable submissions, PostgreSQL, 1 server" "$P1_SUBS" "$(ratio "$P1_SUBS" "$S_SUBS")"
printf '%-46s %10.0f %10s\n' "durable submissions, PostgreSQL, 2 servers" "$P2_SUBS" "$(ratio "$P2_SUBS" "$S_SUBS")"
