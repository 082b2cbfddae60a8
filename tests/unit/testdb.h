/* testdb — a temporary, migrated database for unit tests that need one (jobs, stats):
 * the store's connection plus a second, raw SQLite connection for arranging rows and
 * reading them back.  Header-only; each function fails the running cmocka test on error. */
#ifndef VEJLED_TESTDB_H
#define VEJLED_TESTDB_H

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "store.h"

struct testdb {
    char dir[64];
    char path[96];
    struct store *st;
    sqlite3 *raw; /* a second connection for arranging rows */
};

/* Creates /tmp/vejled-TAG-XXXXXX, opens and migrates the database in it. */
static inline void testdb_open(struct testdb *d, const char *tag, unsigned busy_ms)
{
    char err[256];
    int applied;
    snprintf(d->dir, sizeof d->dir, "/tmp/vejled-%s-XXXXXX", tag);
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->path, sizeof d->path, "%s/t.db", d->dir);
    assert_int_equal(store_open(d->path, busy_ms, &d->st, err, sizeof err), 0);
    assert_int_equal(store_migrate(d->st, "db/migrations", &applied, err, sizeof err), 0);
    assert_int_equal(sqlite3_open(d->path, &d->raw), SQLITE_OK);
    sqlite3_busy_timeout(d->raw, (int)busy_ms);
}

/* Closes both connections and removes the folder (kept when KEEP is set). */
static inline void testdb_close(struct testdb *d)
{
    char cmd[160];
    sqlite3_close(d->raw);
    store_close(d->st);
    snprintf(cmd, sizeof cmd, "rm -rf %s", d->dir);
    if (!getenv("KEEP"))
        assert_int_equal(system(cmd), 0);
}

/* Runs SQL (printf-formatted) on the raw connection. */
static inline void testdb_exec(struct testdb *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void testdb_exec(struct testdb *d, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *msg = NULL;
    if (sqlite3_exec(d->raw, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

/* A target group (id 1, dagpenge) with a published pack (id 1) and n citizens (ids 1..n, uuids
 * c1…, names Åse, Bo, …), each with one open enrolment in it (ids 1..n, uuids e1…, token hashes
 * h1…, the first meeting and the token's expiry at meet_at, created at 0).  n is at most 4. */
static inline void testdb_enrolments(struct testdb *d, int n, int64_t meet_at)
{
    static const char *const names[] = {"Åse", "Bo", "Cai", "Dina"};
    testdb_exec(d,
                "INSERT INTO target_groups(id, slug, name_da, name_en, resend_months, created_at)"
                " VALUES (1, 'dagpenge', 'Dagpenge', 'Benefits', 6, 0);"
                "INSERT INTO packs(id, group_id, version, state, created_at)"
                " VALUES (1, 1, 1, 'published', 0);");
    for (int i = 1; i <= n && i <= 4; i++)
        testdb_exec(d,
                    "INSERT INTO citizens(id, uuid, cpr_lookup, cpr_box, name, created_at)"
                    " VALUES (%d, 'c%d', 'l%d', x'00', '%s', 0);"
                    "INSERT INTO enrolments(id, uuid, citizen_id, group_id, pack_id,"
                    " first_meeting_at, token_hash, token_expires_at, created_at)"
                    " VALUES (%d, 'e%d', %d, 1, 1, %lld, 'h%d', %lld, 0);",
                    i, i, i, names[i - 1], i, i, i, (long long)meet_at, i, (long long)meet_at);
}

/* The first column of the first row of sql. */
static inline int64_t testdb_scalar(struct testdb *d, const char *sql)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(d->raw, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

#endif
