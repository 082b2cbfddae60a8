#!/usr/bin/env bash
# The layers of server/ (server/README.md), checked by `make lint`:
#   - SQL only in server/store/;
#   - sqlite3 only in server/store/sqlite/, libpq only in server/store/pg/;
#   - the handlers and the route table (server/web/) only read through the store: every
#     write goes through a domain function, where its rule lives;
#   - the domain never sees an HTTP type.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
say() { echo "check-layers: $*" >&2; fail=1; }

hits=$(grep -rnE '"[^"]*\b(SELECT [a-z*(]|INSERT INTO |UPDATE [a-z_]+ SET |DELETE FROM )' server \
         --include='*.c' --include='*.h' | grep -v '^server/store/')
[ -n "$hits" ] && { say "SQL outside server/store/:"; echo "$hits" >&2; }

hits=$(grep -rnE 'sqlite3_[a-z_]+|#include <sqlite3\.h>' server --include='*.c' --include='*.h' \
         | grep -v '^server/store/sqlite/')
[ -n "$hits" ] && { say "sqlite3 outside server/store/sqlite/:"; echo "$hits" >&2; }

hits=$(grep -rnE '\bPQ[a-zA-Z]+\(|#include <libpq-fe\.h>|PGconn|PGresult' server --include='*.c' --include='*.h' \
         | grep -v '^server/store/pg/')
[ -n "$hits" ] && { say "libpq outside server/store/pg/:"; echo "$hits" >&2; }

reads='store[a-z_]*(_get|_list|_by_[a-z_]+|_find|_each|_load|_counts?|_ping|_published_id|_in_unit|_enrolments|_usable|_pack|_open|_close|read_begin|read_end|remember)\('
hits=$(grep -noE '\bstore_[a-z_]+\(' server/web/*.c | grep -vE ":$reads\$")
[ -n "$hits" ] && { say "a store write (or unknown call) in server/web/; write through the domain:"; echo "$hits" >&2; }

hits=$(grep -rnE '#include "(http|router|form|multipart|range)\.h"|struct http_(req|reply)|MHD_' server/domain \
         --include='*.c' --include='*.h')
[ -n "$hits" ] && { say "HTTP in server/domain/:"; echo "$hits" >&2; }

exit $fail
