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
