#!/usr/bin/env bash
# Benchmark (not a timed test): one scheduler pass's finding and claiming of the due jobs
# with 1,000,000 enrolments (3,000,000 jobs) of which 1,000 are due.  Goal: <= 50 ms.
#   scripts/bench/scheduler.sh [ENROLMENTS] [DUE]      (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
DUE=${2:-1000}
dir=$(mktemp -d /tmp/vejled-bench-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
db="$dir/bench.db"
build/vejled migrate --db "$db" 2>/dev/null
now=2000000000
echo "bench: filling $N enrolments ($((3 * N)) jobs, $DUE due) …" >&2
t=$(date +%s)
sqlite3 "$db" <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO target_groups(id, slug, name_da, name_en, created_at) VALUES (1, 'g', 'G', 'G', 0);
INSERT INTO packs(id, group_id, version, state, created_at) VALUES (1, 1, 1, 'published', 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)
  SELECT i, 'c' || i, 'l' || i, x'00', 'x', 0 FROM n;
INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id, first_meeting_at, token_hash,
                       token_expires_at, created_at)
  SELECT id, 'e' || id, id, 1, 1, $now + 86400 * (10 + id % 300), 't' || id, $now + 1e7, 0 FROM citizens;
-- the letter sent at enrolment (done), the reminder and the resend still ahead …
INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, next_attempt_at, state, created_at, finished_at)
  SELECT 'send_written_guidance', id, 's:' || id, 0, 0, 'done', 0, 0 FROM enrolments;
INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, next_attempt_at, created_at)
  SELECT 'remind_before_meeting', id, 'r:' || id, first_meeting_at - 259200, first_meeting_at - 259200, 0
  FROM enrolments WHERE id > $DUE;
INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, next_attempt_at, created_at)
  SELECT 'resend_written_guidance', id, 'x:' || id, first_meeting_at + 15768000, first_meeting_at + 15768000, 0
  FROM enrolments;
-- … except for DUE enrolments, whose reminder is due now
INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, next_attempt_at, created_at)
  SELECT 'remind_before_meeting', id, 'r:' || id, $now - 60, $now - 60, 0 FROM enrolments WHERE id <= $DUE;
COMMIT;
ANALYZE;
SQL
echo "bench: filled in $(( $(date +%s) - t )) s" >&2
objs=$(ls build/obj/*.o | grep -v '/main.o$')
cc -std=c11 -D_GNU_SOURCE -O2 -Iserver -o "$dir/claim" scripts/bench/claim.c $objs \
  $(pkg-config --libs libmicrohttpd sqlite3 jansson libsodium uuid libcurl pangocairo) -lpthread -lm
cp "$db" "$dir/copy.db"
"$dir/claim" "$db" $((now + 1)) 1000
"$dir/claim" "$dir/copy.db" $((now + 1)) 200
