#!/bin/sh
# Times the dashboard at scale:  scripts/bench/stats.sh DB [ROUNDS]
#   1. `vejled stats --repeat`: the figures of one dashboard page (the period's report and
#      the 8-quarter trend) built ROUNDS times in one process, per period;
#   2. the real pages over HTTP (a server on a free loopback port; an administrator account
#      and an API key of the bench's own are added to DB): /admin/statistik for a quarter,
#      its CSV, GET /api/v1/stats for a quarter and a year, ROUNDS requests each with curl,
#      the median and the slowest time_total.
# DB: a database made by scripts/bench/stats-gen.  Prints milliseconds per page.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${VEJLED_BIN:-$root/build/vejled}
db=${1:?usage: stats.sh DB [ROUNDS]}
rounds=${2:-21}
[ -f "$db" ] || { echo "stats.sh: no database at $db (make one with scripts/bench/stats-gen)" >&2; exit 1; }

# the last full quarter, and the year before it, in Copenhagen
eval "$(TZ=Europe/Copenhagen date +'y=%Y m=%m')"
q=$(( (${m#0} - 1) / 3 ))            # 0-based current quarter
if [ $q -eq 0 ]; then py=$((y - 1)); pq=4; else py=$y; pq=$q; fi
pfrom=$(printf '%d-%02d-01' $py $(( (pq - 1) * 3 + 1 )))
pto=$(date -d "$(printf '%d-%02d-01' $py $(( (pq - 1) * 3 + 1 ))) +3 months -1 day" +%F)
yfrom=$(date -d "$pto -1 year +1 day" +%F)

echo "== in process (vejled stats --repeat $rounds): one page's figures"
for period in "current quarter:" "quarter $py-$pq:--from $pfrom --to $pto" "year $yfrom..$pto:--from $yfrom --to $pto"; do
  name=${period%%:*}
  args=${period#*:}
  # shellcheck disable=SC2086
  ms=$("$bin" stats --db "$db" $args --repeat "$rounds" 2>&1 >/dev/null | sed -n 's/.*median \(.*\) ms, max \(.*\) ms/\1 ms (slowest \2 ms)/p')
  echo "  $name: $ms"
done

echo "== over HTTP (curl, $rounds requests each)"
log=$(mktemp)
key=$("$bin" apikey add --db "$db" --name "bench-$$" 2>/dev/null)
"$bin" serve --db "$db" --listen 127.0.0.1:0 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q 'listening on' "$log" && break; sleep 0.1; done
base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)
[ -n "$base" ] || { echo "stats.sh: the server did not start" >&2; cat "$log" >&2; exit 1; }
# an administrator of the bench's own, logged in through the login form
jar=$(mktemp)
trap 'kill $pid 2>/dev/null; rm -f "$log" "$jar"' EXIT
admin="bench-admin-$$"
pw="bench-$$-$(date +%s)-password"
echo "$pw" | "$bin" user add --db "$db" --username "$admin" --role admin 2>/dev/null
csrf=$(curl -s -c "$jar" -b "$jar" "$base/medarbejder/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -o /dev/null -c "$jar" -b "$jar" -H "Origin: $base" --data-urlencode "csrf=$csrf" \
  --data-urlencode "username=$admin" --data-urlencode "password=$pw" "$base/medarbejder/login"
time_page() { # name, url, [curl args]
  name=$1; url=$2; shift 2
  curl -s -o /dev/null "$@" "$url"   # warm
  times=$(for _ in $(seq "$rounds"); do curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url"; done | sort -n)
  med=$(echo "$times" | sed -n "$(( (rounds + 1) / 2 ))p")
  max=$(echo "$times" | tail -1)
  status=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")
  awk -v n="$name" -v a="$med" -v b="$max" -v s="$status" 'BEGIN { printf "  %s: %.1f ms (slowest %.1f ms) [HTTP %s]\n", n, a * 1000, b * 1000, s }'
}
time_page "dashboard page /admin/statistik, quarter $py-$pq" "$base/admin/statistik?kvartal=$py-$pq" -b "$jar"
time_page "dashboard page, current quarter" "$base/admin/statistik" -b "$jar"
time_page "CSV extract, quarter $py-$pq" "$base/admin/statistik.csv?kvartal=$py-$pq&sep=semicolon" -b "$jar"
time_page "GET /api/v1/stats, quarter $py-$pq" "$base/api/v1/stats?from=$pfrom&to=$pto" -H "Authorization: Bearer $key"
time_page "GET /api/v1/stats, year" "$base/api/v1/stats?from=$yfrom&to=$pto" -H "Authorization: Bearer $key"
echo "  (database: $(sqlite3 "$db" 'SELECT count(*) FROM enrolments') enrolments, $(sqlite3 "$db" 'SELECT count(*) FROM answers') answers)"
