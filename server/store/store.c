/* store — the connection, its statement cache, transactions (store_txn, group commit),
 * locks, migrations and backup: what every other store_*.c file runs on (store.h; the
 * other files name their area). */
#include "store.h"
#include "store_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "files.h"
#include "mem.h"

void store_log(struct store *st, const char *what)
{
    fprintf(stderr, "vejled: store: %s: %s\n", what, db_errmsg(st->db));
}

enum store_status store_status_of(int rc)
{
    switch (rc) {
    case DB_ROW:
    case DB_DONE: return STORE_OK;
    case DB_BUSY: return STORE_BUSY;
    case DB_CONSTRAINT: return STORE_CONFLICT;
    case DB_FULL: return STORE_FULL;
    default: return STORE_ERROR;
    }
}

/* Returns the cached statement for sql (a string literal), reset and with bindings
 * cleared, then binds the arguments described by fmt:
 *   i int64   I int64, NULL when 0   t text (NULL → NULL)   b blob (pointer, size_t)
 * A count mismatch between fmt and the statement is a programming error: abort. */
struct db_stmt *store_stmt(struct store *st, const char *sql, const char *fmt, ...)
{
    if (st->reading && !st->began) { /* the read snapshot begins with its first statement */
        if (db_begin(st->db, DB_BEGIN_READ) != DB_DONE) {
            store_log(st, "begin");
            return NULL;
        }
        st->began = 1;
    }
    size_t slot = ((uintptr_t)sql >> 3) % STORE_CACHE_SLOTS;
    struct db_stmt *stmt = NULL;
    for (size_t i = 0; i < STORE_CACHE_SLOTS; i++) {
        struct store_cached *c = &st->cache[(slot + i) % STORE_CACHE_SLOTS];
        if (c->sql == sql) {
            stmt = c->stmt;
            db_reset(stmt);
            break;
        }
        if (!c->sql) {
            stmt = db_prepare(st->db, sql);
            if (!stmt) {
                store_log(st, "prepare");
                return NULL;
            }
            c->sql = sql;
            c->stmt = stmt;
            break;
        }
    }
    if (!stmt) {
        fprintf(stderr, "vejled: store: statement cache full\n");
        abort();
    }
    if ((int)strlen(fmt) != db_param_count(stmt)) {
        fprintf(stderr, "vejled: store: %d parameters bound to a statement of %d: %s\n",
                (int)strlen(fmt), db_param_count(stmt), sql);
        abort();
    }
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        int idx = i + 1, rc = 0;
        switch (fmt[i]) {
        case 'i': rc = db_bind_int64(stmt, idx, va_arg(ap, int64_t)); break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? db_bind_int64(stmt, idx, v) : db_bind_null(stmt, idx, DB_INT64);
            break;
        }
        case 't': {
            const char *s = va_arg(ap, const char *);
            rc = s ? db_bind_text(stmt, idx, s) : db_bind_null(stmt, idx, DB_TEXT);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = db_bind_blob(stmt, idx, p, n);
            break;
        }
        default:
            fprintf(stderr, "vejled: store: bad bind format '%c'\n", fmt[i]);
            abort();
        }
        if (rc != 0) {
            va_end(ap);
            store_log(st, "bind");
            return NULL;
        }
    }
    va_end(ap);
    return stmt;
}

/* Steps a statement that returns no rows. */
enum store_status store_done(struct store *st, struct db_stmt *stmt)
{
    if (!stmt)
        return STORE_ERROR;
    int rc = db_step(stmt);
    enum store_status s = store_status_of(rc);
    if (rc == DB_ROW)
        s = STORE_OK;
    if (s == STORE_ERROR || s == STORE_FULL)
        store_log(st, "step");
    db_reset(stmt);
    return s;
}

/* Steps to the first row: STORE_OK with the row current, STORE_NOT_FOUND, or an error.
 * The caller resets the statement after reading the row. */
enum store_status store_row(struct store *st, struct db_stmt *stmt)
{
    if (!stmt)
        return STORE_ERROR;
    int rc = db_step(stmt);
    if (rc == DB_ROW)
        return STORE_OK;
    db_reset(stmt);
    if (rc == DB_DONE)
        return STORE_NOT_FOUND;
    enum store_status s = store_status_of(rc);
    if (s == STORE_ERROR || s == STORE_FULL)
        store_log(st, "step");
    return s;
}

char *store_col_dup(struct db_stmt *stmt, int col)
{
    const char *t = db_col_text(stmt, col);
    return xstrdup(t ? t : "");
}

void store_col_copy(struct db_stmt *stmt, int col, char *out, size_t n)
{
    const char *t = db_col_text(stmt, col);
    snprintf(out, n, "%s", t ? t : "");
}

/* ------------------------------------------------------------------ connection */

int store_file_migrated(const char *target) { return db_file_migrated(target); }

int store_open(const char *target, unsigned busy_timeout_ms, struct store **out, char *err,
               size_t errlen)
{
    struct store *st = xcalloc(1, sizeof *st);
    st->busy_timeout_ms = busy_timeout_ms;
    if (db_open(target, busy_timeout_ms, &st->db, err, errlen) != 0) {
        free(st);
        return -1;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < STORE_CACHE_SLOTS; i++)
        db_finalize(st->cache[i].stmt);
    store_memo_free(st->memo);
    db_close(st->db);
    free(st);
}

bool store_is_postgres(const struct store *st) { return db_dialect(st->db) == DB_POSTGRES; }

bool store_target_is_postgres(const char *target) { return db_is_postgres_url(target); }

bool store_has_schema(struct store *st)
{
    return db_exec(st->db, "SELECT 1 FROM schema_migrations LIMIT 1") == DB_DONE;
}

int store_ping(struct store *st)
{
    struct db_stmt *s = store_stmt(st, "SELECT 1", "");
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK)
        db_reset(s);
    return rc == STORE_OK ? 0 : -1;
}

int store_read_begin(struct store *st)
{
    if (st->reading)
        return 0;
    store_memo_read_begin(st); /* the mark before the snapshot */
    st->reading = 1;
    st->began = 0;
    return 0;
}

void store_read_end(struct store *st)
{
    if (!st->reading)
        return;
    st->reading = 0;
    /* a read-only transaction: COMMIT only lets go of the snapshot */
    if (st->began && db_exec(st->db, "COMMIT") != DB_DONE)
        db_exec(st->db, "ROLLBACK");
    st->began = 0;
    store_memo_read_end(st); /* what the snapshot read is remembered if nothing changed */
}

static void store_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Milliseconds on the monotonic clock. */
static int64_t store_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether a write that found the lock busy may try again: busy_timeout_ms counts the time
 * since the first try, the waits for the lock inside each try included (each may take up
 * to busy_timeout_ms itself), not only the pauses between tries. */
static int store_may_retry(const struct store *st, int64_t started, unsigned *pause)
{
    if (store_mono_ms() - started >= (int64_t)st->busy_timeout_ms)
        return 0;
    store_sleep_ms(*pause);
    *pause = *pause < 64 ? *pause * 2 : 64;
    return 1;
}

/* Begins a write transaction.  On PostgreSQL it first takes the journal lock, before any
 * row lock: nearly every write appends to the journal, and a transaction that took row
 * locks (an aggregate's row, say) before waiting for the journal lock could deadlock with
 * one that holds the journal lock and wants those rows.  So writers take their turns, one
 * transaction at a time across all servers, as on SQLite; readers never wait. */
static enum store_status store_write_begin(struct store *st)
{
    enum store_status rc = store_status_of(db_begin(st->db, DB_BEGIN_WRITE));
    if (rc == STORE_OK && store_is_postgres(st) &&
        db_serialize(st->db, STORE_LOCK_JOURNAL) != DB_DONE) {
        store_log(st, "journal lock");
        db_exec(st->db, "ROLLBACK");
        rc = STORE_BUSY;
    }
    return rc;
}

enum store_status store_txn(struct store *st, store_txn_fn fn, void *arg)
{
    unsigned pause = 2;
    int64_t started = store_mono_ms();
    store_read_end(st); /* a write starts from the newest state, never a read snapshot */
    for (;;) {
        enum store_status rc = store_write_begin(st);
        if (rc == STORE_OK) {
            rc = fn(st, arg);
            if (rc == STORE_OK) {
                rc = store_status_of(db_exec(st->db, "COMMIT"));
                if (rc == STORE_OK)
                    return STORE_OK;
                if (rc != STORE_BUSY)
                    store_log(st, "commit");
            }
            db_exec(st->db, "ROLLBACK");
        }
        if (rc != STORE_BUSY || !store_may_retry(st, started, &pause))
            return rc;
    }
}

/* ---- group commit (used by writer.c) ---- */

int store_defer_syncs(struct store *st) { return db_log_defer(st->db); }

void store_process_init(void) { db_process_init(); }

int store_sync(struct store *st) { return db_log_sync(st->db); }

enum store_status store_txn_batch(struct store *st, size_t n, const store_txn_fn *fns,
                                  void *const *args, enum store_status *results)
{
    unsigned pause = 2;
    int64_t started = store_mono_ms();
    for (;;) {
        enum store_status rc = store_write_begin(st);
        for (size_t i = 0; i < n && rc == STORE_OK; i++) {
            rc = store_status_of(db_exec(st->db, "SAVEPOINT batch_item"));
            if (rc != STORE_OK)
                break;
            results[i] = fns[i](st, args[i]);
            if (results[i] == STORE_BUSY) { /* a lock timed out: the whole batch again */
                rc = STORE_BUSY;
                break;
            }
            if (results[i] != STORE_OK)
                rc = store_status_of(db_exec(st->db, "ROLLBACK TO batch_item"));
            if (rc == STORE_OK)
                rc = store_status_of(db_exec(st->db, "RELEASE batch_item"));
        }
        if (rc == STORE_OK) {
            rc = store_status_of(db_exec(st->db, "COMMIT"));
            if (rc == STORE_OK)
                return STORE_OK;
            if (rc != STORE_BUSY)
                store_log(st, "commit");
        }
        db_exec(st->db, "ROLLBACK");
        if (rc != STORE_BUSY || !store_may_retry(st, started, &pause)) {
            for (size_t i = 0; i < n; i++)
                results[i] = rc;
            return rc;
        }
    }
}

/* Begins a transaction that applies migrations.  Several servers may start at once on one
 * PostgreSQL database: the first one takes the migration lock, the others wait for it as
 * long as its migrations take (not busy_timeout_ms: an index on a large journal takes
 * minutes) and then find the versions applied.  0 or -1 (nothing left open). */
static int store_migrate_begin(struct store *st)
{
    if (db_begin(st->db, DB_BEGIN_WRITE) != DB_DONE)
        return -1;
    if (store_is_postgres(st) && (db_exec(st->db, "SET LOCAL lock_timeout = 0") != DB_DONE ||
                                  db_serialize(st->db, STORE_LOCK_MIGRATE) != DB_DONE)) {
        db_exec(st->db, "ROLLBACK");
        return -1;
    }
    return 0;
}

int store_migrate(struct store *st, const char *root, int *applied, char *err, size_t errlen)
{
    int rc = -1;
    char **names = NULL;
    size_t n = 0;
    struct buf sql = {0};
    char dir[1024];
    *applied = 0;
    snprintf(dir, sizeof dir, "%s/%s", root, store_is_postgres(st) ? "postgres" : "sqlite");

    /* created only when missing: a service role without the right to create tables
     * (PostgreSQL, README "Roles") starts on a database its owner has migrated.  Made under
     * the migration lock: PostgreSQL's IF NOT EXISTS does not keep a second server that
     * creates it at the same moment from failing. */
    if (db_exec(st->db, "SELECT 1 FROM schema_migrations LIMIT 1") != DB_DONE) {
        if (store_migrate_begin(st) != 0 ||
            db_exec(st->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                            " applied_at BIGINT NOT NULL)") != DB_DONE ||
            db_exec(st->db, "COMMIT") != DB_DONE) {
            snprintf(err, errlen, "cannot create schema_migrations: %s", db_errmsg(st->db));
            db_exec(st->db, "ROLLBACK");
            goto out;
        }
    }
    if (files_list(dir, ".sql", &names, &n) != 0) {
        snprintf(err, errlen, "cannot read migrations folder %s: %s", dir, strerror(errno));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) < 9 || names[i][4] != '_')
            continue; /* not NNNN_name.sql */
        int version = atoi(names[i]);
        struct db_stmt *q =
            store_stmt(st, "SELECT 1 FROM schema_migrations WHERE version = ?", "i",
                       (int64_t)version);
        enum store_status have = store_row(st, q);
        if (have == STORE_OK) {
            db_reset(q);
            continue;
        }
        if (have != STORE_NOT_FOUND) {
            snprintf(err, errlen, "cannot read schema_migrations");
            goto out;
        }
        char path[1280];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        buf_reset(&sql);
        if (files_read(path, &sql)) {
            snprintf(err, errlen, "cannot read %s", path);
            goto out;
        }
        if (store_migrate_begin(st) != 0) {
            snprintf(err, errlen, "migration %s failed: %s", names[i], db_errmsg(st->db));
            goto out;
        }
        q = store_stmt(st, "SELECT 1 FROM schema_migrations WHERE version = ?", "i",
                       (int64_t)version);
        have = store_row(st, q);
        if (have == STORE_OK) {
            db_reset(q);
            db_exec(st->db, "ROLLBACK");
            continue;
        }
        if (db_exec(st->db, sql.data) != DB_DONE) {
            snprintf(err, errlen, "migration %s failed: %s", names[i], db_errmsg(st->db));
            db_exec(st->db, "ROLLBACK");
            goto out;
        }
        if (store_done(st, store_stmt(st, "INSERT INTO schema_migrations(version, name,"
                                          " applied_at) VALUES (?, ?, ?)",
                                      "iti", (int64_t)version, names[i],
                                      (int64_t)time(NULL))) != STORE_OK ||
            db_exec(st->db, "COMMIT") != DB_DONE) {
            snprintf(err, errlen, "migration %s: commit failed: %s", names[i],
                     db_errmsg(st->db));
            db_exec(st->db, "ROLLBACK");
            goto out;
        }
        (*applied)++;
    }
    rc = 0;
out:
    files_free_names(names, n);
    buf_free(&sql);
    return rc;
}

int store_backup(struct store *st, const char *dest, char *err, size_t errlen)
{
    return db_backup(st->db, dest, err, errlen);
}
