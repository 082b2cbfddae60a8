#!/bin/bash
# make bench — vejled's performance as ratios measured in one run (absolute numbers drift
# on shared machines; ratios against a yardstick measured at the same time drift less):
#   (a) citizen video page and overview req/s ÷ nginx serving the same bytes as a static
#       file, both with wrk, alternating                                   goal >= 0.8
#   (b) durable answer submissions/s at 64 connections ÷ the disk's fsync/s   goal >= 5
#   (c) RSS idle and under load                                  goal <= 10 MB / <= 50 MB
#   (d) start-up to the first answered request
# Everything runs on 127.0.0.1; every server is started here on a free port and stopped
# by its pid; every loop is bounded.  usage: scripts/bench/run.sh [VEJLED_BIN]
# Environment: BENCH_SECONDS (wrk run length, default 5), BENCH_ROUNDS (alternations, 3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/build/vejled}
SECS=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=64
for tool in wrk nginx node curl cc; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh)" >&2; exit 1; }
done

# the database lives on the same disk as the repository (not tmpfs): fsync is real
mkdir -p "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/bench.XXXXXX")
VPID=""; NPID=""
cleanup() {
    [ -n "$VPID" ] && kill "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null || true
    [ -n "$NPID" ] && kill "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK" # nginx's workers may run as another user (nobody)

free_port() {
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}
# req/s reported by wrk for URL with optional cookie
wrk_rps() {
    local url=$1 cookie=${2:-} out
    if [ -n "$cookie" ]; then
        out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 5s -H "Cookie: $cookie" "$url")
    else
        out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 5s "$url")
    fi
    if grep -q "Non-2xx" <<<"$out"; then echo "bench: errors from $url:" >&2; echo "$out" >&2; exit 1; fi
    awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

echo "vejled bench — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, wrk ${SECS}s x $ROUNDS rounds, $CONNS connections"

# ------------------------------------------------------------------ set-up
DB="$WORK/v.db"
"$BIN" demo --db "$DB" >/dev/null 2>&1
KEY=$("$BIN" apikey add --db "$DB" --name bench 2>/dev/null)
cat >"$WORK/vejled.ini" <<INI
[server]
log_requests = 0
threads = ${BENCH_THREADS:-64}
max_connections_per_ip = 256
INI
PORT=$(free_port)
T0=$(now_ms)
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --config "$WORK/vejled.ini" >/dev/null 2>"$WORK/vejled.log" </dev/null &
VPID=$!
up=""
for _ in $(seq 1 2000); do
    if curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; then up=1; break; fi
    sleep 0.005
done
T1=$(now_ms)
[ -n "$up" ] || { echo "bench: vejled did not answer"; cat "$WORK/vejled.log"; exit 1; }
STARTUP_MS=$((T1 - T0))
sleep 0.5
RSS_IDLE=$(rss_kb "$VPID")

node "$HERE/prepare.mjs" "$PORT" "$KEY" "$DB" "$CONNS" "$WORK"
COOKIE=$(cat "$WORK/cookie.txt")

# ------------------------------------------------------------------ (a) pages vs nginx
mkdir -p "$WORK/www" "$WORK/nginx"
curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/borger/video/1" >"$WORK/www/video.html"
curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/borger" >"$WORK/www/overview.html"
NPORT=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$NPORT;
        root $WORK/www;
        default_type text/html;
    }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx/start.log" 2>&1 </dev/null &
NPID=$!
for _ in $(seq 1 400); do curl -fs -o /dev/null "http://127.0.0.1:$NPORT/video.html" && break; sleep 0.01; done
cmp -s <(curl -fs "http://127.0.0.1:$NPORT/video.html") "$WORK/www/video.html" \
    || { echo "bench: nginx does not serve the page"; exit 1; }

declare -A best
for page in video overview; do
    path=/borger/video/1; [ "$page" = overview ] && path=/borger
    v_sum=0; n_sum=0
    for r in $(seq 1 "$ROUNDS"); do
        v=$(wrk_rps "http://127.0.0.1:$PORT$path" "$COOKIE")
        n=$(wrk_rps "http://127.0.0.1:$NPORT/$page.html")
        v_sum=$(awk -v a="$v_sum" -v b="$v" 'BEGIN{print a+b}')
        n_sum=$(awk -v a="$n_sum" -v b="$n" 'BEGIN{print a+b}')
        printf "  %-8s round %d: vejled %8.0f req/s   nginx %8.0f req/s\n" "$page" "$r" "$v" "$n"
    done
    best[$page]=$(ratio "$v_sum" "$n_sum")
done
RSS_PAGES=$(hwm_kb "$VPID")
kill "$NPID"; wait "$NPID" 2>/dev/null || true; NPID=""

# ------------------------------------------------------------------ (b) durable submissions
FSYNC=$(cc -O2 -o "$WORK/fsync_probe" "$HERE/fsync_probe.c" && "$WORK/fsync_probe" "$WORK" 2 | awk '{print $2}')
{ cat "$WORK/citizens.lua"; echo "origin = \"http://127.0.0.1:$PORT\""; cat "$HERE/submit.lua"; } >"$WORK/submit.lua"
before=$(sqlite3 "$DB" "SELECT count(*) FROM journal WHERE kind='answers_submitted'")
out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s "$WORK/submit.lua" "http://127.0.0.1:$PORT/")
SUBMIT_RPS=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
SENT=$(awk '/requests in/ {print $1}' <<<"$out")
if grep -q "Non-2xx" <<<"$out"; then echo "bench: failed submissions:"; echo "$out"; exit 1; fi
after=$(sqlite3 "$DB" "SELECT count(*) FROM journal WHERE kind='answers_submitted'")
STORED=$((after - before))
FSYNC2=$("$WORK/fsync_probe" "$WORK" 2 | awk '{print $2}')
FSYNC=$(awk -v a="$FSYNC" -v b="$FSYNC2" 'BEGIN{printf "%.0f", (a+b)/2}')
RSS_LOAD=$(hwm_kb "$VPID")

kill "$VPID"; wait "$VPID" 2>/dev/null || true; VPID=""
cp "$WORK/vejled.log" "$WORK/vejled-grouped.log"

# the same load with group commit off (batch_max = 1: one sync per submission), for scale
printf '[database]\nbatch_max = 1\n' >>"$WORK/vejled.ini"
PORT1=$(free_port)
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT1" --config "$WORK/vejled.ini" >/dev/null 2>"$WORK/vejled.log" </dev/null &
VPID=$!
for _ in $(seq 1 2000); do curl -fs -o /dev/null "http://127.0.0.1:$PORT1/healthz" && break; sleep 0.005; done
{ cat "$WORK/citizens.lua"; echo "origin = \"http://127.0.0.1:$PORT1\""; cat "$HERE/submit.lua"; } >"$WORK/submit1.lua"
out1=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s "$WORK/submit1.lua" "http://127.0.0.1:$PORT1/")
if grep -q "Non-2xx" <<<"$out1"; then echo "bench: failed submissions (batch_max 1):"; echo "$out1"; exit 1; fi
SINGLE_RPS=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out1")
kill "$VPID"; wait "$VPID" 2>/dev/null || true; VPID=""
mv "$WORK/vejled-grouped.log" "$WORK/vejled.log"
BATCHES=$(sed -n 's/.*group commit: \([0-9]*\) answer submissions in \([0-9]*\) transactions.*/\1 in \2/p' "$WORK/vejled.log")
"$BIN" verify --db "$DB" >/dev/null 2>&1 || { echo "bench: the journal does not verify"; exit 1; }

# ------------------------------------------------------------------ report
goal() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { ok = (op == ">=" ? v >= g : v <= g); print (ok ? "ok" : "BELOW GOAL") }'; }
echo
printf "(a) video page  vejled/nginx req/s:        %5s   (goal >= 0.8: %s)\n" "${best[video]}" "$(goal "${best[video]}" 0.8 '>=')"
printf "(a) overview    vejled/nginx req/s:        %5s   (goal >= 0.8: %s)\n" "${best[overview]}" "$(goal "${best[overview]}" 0.8 '>=')"
R=$(ratio "$SUBMIT_RPS" "$FSYNC")
printf "(b) durable submissions/s ÷ fsync/s:       %5s   (%s/s ÷ %s/s; goal >= 5: %s)\n" "$R" "$SUBMIT_RPS" "$FSYNC" "$(goal "$R" 5 '>=')"
printf "    acknowledged %s, stored %s, group commit: %s transactions" "$SENT" "$STORED" "$BATCHES"
awk -v b="$BATCHES" 'BEGIN { split(b, p, " in "); if (p[2] > 0) printf " (%.1f submissions per fsync'"'"'d commit)", p[1] / p[2] }'
echo
printf "    without group commit (batch_max = 1), same run: %s/s — group commit gives %sx\n" "$SINGLE_RPS" "$(ratio "$SUBMIT_RPS" "$SINGLE_RPS")"
[ "$STORED" -ge "$SENT" ] || { echo "bench: fewer submissions stored than sent"; exit 1; }
printf "(c) RSS idle:                              %5.1f MB (goal <= 10: %s)\n" "$(awk -v k="$RSS_IDLE" 'BEGIN{print k/1024}')" "$(goal "$RSS_IDLE" 10240 '<=')"
printf "    RSS peak under load:                   %5.1f MB (goal <= 50: %s; pages only %.1f MB)\n" "$(awk -v k="$RSS_LOAD" 'BEGIN{print k/1024}')" "$(goal "$RSS_LOAD" 51200 '<=')" "$(awk -v k="$RSS_PAGES" 'BEGIN{print k/1024}')"
printf "(d) start-up to first answered request:    %5d ms\n" "$STARTUP_MS"
