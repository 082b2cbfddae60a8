# shellcheck shell=bash
# Shared by scripts/bench/run.sh and scripts/bench/durability-where.sh (sourced, not run):
# the tools, a work directory under build/ removed on exit, the servers started and stopped
# by pid, wrk's rates and the ratios.  The caller sets HERE, ROOT, SECS and CONNS first.
for tool in wrk nginx node curl cc sqlite3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh)" >&2; exit 1; }
done

# the database lives on the same disk as the repository (not tmpfs): fsync is real
mkdir -p "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/bench.XXXXXX")
PIDS=()
NPID=""
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    [ -n "$NPID" ] && kill "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null || true
    rm -rf "$WORK"
    [ -n "${SHM_DIR:-}" ] && rm -rf "$SHM_DIR"
    return 0
}
trap cleanup EXIT
chmod 755 "$WORK" # nginx's workers may run as another user (nobody)

free_port() {
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}
# start_server NAME BIN DB CONFIG [ENV...]: starts vejled, waits (bounded) for /healthz;
# sets PORT and SPID
start_server() {
    local name=$1 bin=$2 db=$3 cfg=$4
    shift 4
    PORT=$(free_port)
    local args=(serve --db "$db" --listen "127.0.0.1:$PORT")
    [ -n "$cfg" ] && args+=(--config "$cfg")
    env "$@" "$bin" "${args[@]}" >/dev/null 2>"$WORK/$name.log" </dev/null &
    SPID=$!
    PIDS+=("$SPID")
    for _ in $(seq 1 2000); do
        curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && return 0
        sleep 0.005
    done
    echo "bench: vejled ($name) did not answer"; cat "$WORK/$name.log"; exit 1
}
stop_server() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
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
# submissions/s of the answer load against the server on port $1 (citizens.lua of the demo
# db); the count sent goes to $WORK/sent
submit_rps() {
    local port=$1 out
    { cat "$WORK/citizens.lua"; echo "origin = \"http://127.0.0.1:$port\""; cat "$HERE/submit.lua"; } >"$WORK/submit-$port.lua"
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s "$WORK/submit-$port.lua" "http://127.0.0.1:$port/")
    if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "bench: failed submissions:" >&2; echo "$out" >&2; exit 1; fi
    awk '/requests in/ {print $1}' <<<"$out" >"$WORK/sent"
    awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
now_ms() { date +%s%3N; }
goal() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { ok = (op == ">=" ? v >= g : v <= g); print (ok ? "ok" : "BELOW") }'; }
# the block device under build/ (a partition counts as its disk) and its counts in
# /proc/diskstats: writes completed, sectors written, flushes completed; "- - -" where
# there is none (tmpfs, overlay)
DISK=$(basename "$(readlink -f "$(df --output=source "$ROOT/build" | tail -1)")")
[ -e "/sys/class/block/$DISK/partition" ] && DISK=$(basename "$(readlink -f "/sys/class/block/$DISK/..")")
diskstat() { awk -v d="$DISK" '$3 == d && NF >= 20 { print $8, $10, $19; f = 1 } END { if (!f) print "- - -" }' /proc/diskstats; }
# disk_add SUMS BEFORE AFTER: SUMS plus the counts between two readings
disk_add() {
    awk -v s="$1" -v a="$2" -v b="$3" 'BEGIN { split(s, S); split(a, A); split(b, B)
        if (S[1] == "-" || A[1] == "-" || B[1] == "-") { print "- - -"; exit }
        printf "%d %d %d\n", S[1] + B[1] - A[1], S[2] + B[2] - A[2], S[3] + B[3] - A[3] }'
}
# disk_per SUMS N: the counts per submission
disk_per() {
    awk -v s="$1" -v n="$2" 'BEGIN { split(s, S); if (S[1] == "-" || n <= 0) { print "not measured"; exit }
        printf "%.3f write requests, %.1f KB, %.4f flushes", S[1] / n, S[2] * 512 / 1024 / n, S[3] / n }'
}
# bench_db BIN: the demo database $WORK/v.db with an API key (sets DB and KEY) and the
# benchmark's configuration $WORK/vejled.ini (BENCH_THREADS: [server] threads)
bench_db() {
    DB="$WORK/v.db"
    "$1" demo --db "$DB" >/dev/null 2>&1
    KEY=$("$1" apikey add --db "$DB" --name bench 2>/dev/null)
    {
        printf '[server]\nlog_requests = 0\nmax_connections_per_ip = 256\n'
        if [ -n "${BENCH_THREADS:-}" ]; then printf 'threads = %s\n' "$BENCH_THREADS"; fi
    } >"$WORK/vejled.ini"
}
ROWS=()
row() { ROWS+=("$(printf "%-58s %10s   goal %-7s %s" "$1" "$2" "$3" "$4")"); }
