/* db_sqlite — the SQLite engine behind db.h (and, for a postgresql:// target, the hand-over
 * to the PostgreSQL driver: db_open() is the one entry point of both).
 *
 * A connection runs in WAL mode with synchronous=FULL (a commit that returned is on disk)
 * and foreign keys on; the test build's VFS may lower synchronous (store_testvfs.h).
 */
#include "db.h"
#include "db_engine.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "store_testvfs.h"

struct db_sqlite {
    struct db base;
    sqlite3 *h;
};

struct db_sqlite_stmt {
    struct db_stmt base;
    struct db_sqlite *db;
    sqlite3_stmt *h;
};

static struct db_sqlite *conn(struct db *db) { return (struct db_sqlite *)db; }
static struct db_sqlite_stmt *stm(struct db_stmt *s) { return (struct db_sqlite_stmt *)s; }

static enum db_result result_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_OK:
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    default: return DB_ERROR;
    }
}

static void sq_close(struct db *db)
{
    sqlite3_close(conn(db)->h);
    free(db);
}

static const char *sq_errmsg(struct db *db) { return sqlite3_errmsg(conn(db)->h); }

static enum db_result sq_exec(struct db *db, const char *sql)
{
    return result_of(sqlite3_exec(conn(db)->h, sql, NULL, NULL, NULL));
}

static enum db_result sq_begin(struct db *db, enum db_begin kind)
{
    return sq_exec(db, kind == DB_BEGIN_WRITE ? "BEGIN IMMEDIATE" : "BEGIN");
}

static enum db_result sq_serialize(struct db *db, int64_t key)
{
    (void)db;
    (void)key; /* BEGIN IMMEDIATE admits one writer at a time already */
    return DB_DONE;
}

static int64_t sq_changes(struct db *db) { return sqlite3_changes64(conn(db)->h); }

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int sq_backup(struct db *db, const char *dest, char *err, size_t errlen)
{
    int rc = -1;
    sqlite3 *to = NULL;
    sqlite3_backup *b = NULL;
    if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s", dest);
        goto out;
    }
    b = sqlite3_backup_init(to, "main", conn(db)->h, "main");
    if (!b) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errmsg(to));
        goto out;
    }
    int step;
    while ((step = sqlite3_backup_step(b, 256)) == SQLITE_OK || step == SQLITE_BUSY ||
           step == SQLITE_LOCKED)
        sleep_ms(step == SQLITE_OK ? 0 : 10);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(step));
        goto out;
    }
    rc = 0;
out:
    if (b)
        sqlite3_backup_finish(b);
    sqlite3_close(to);
    return rc;
}

static enum db_result sq_secure_delete(struct db *db)
{
    return sq_exec(db, "PRAGMA secure_delete = ON");
}

static enum db_result sq_truncate_wal(struct db *db)
{
    int logged = 0, done = 0;
    int r = sqlite3_wal_checkpoint_v2(conn(db)->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, &logged,
                                      &done);
    return r == SQLITE_OK ? DB_DONE : result_of(r); /* BUSY: a reader holds old pages */
}

/* ---- statements ---- */

static struct db_stmt *sq_prepare(struct db *db, const char *sql)
{
    sqlite3_stmt *h = NULL;
    if (sqlite3_prepare_v3(conn(db)->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &h, NULL) !=
        SQLITE_OK)
        return NULL;
    struct db_sqlite_stmt *s = xcalloc(1, sizeof *s);
    s->base.engine = db->engine;
    s->db = conn(db);
    s->h = h;
    return &s->base;
}

static void sq_finalize(struct db_stmt *s)
{
    sqlite3_finalize(stm(s)->h);
    free(s);
}

static int sq_param_count(struct db_stmt *s) { return sqlite3_bind_parameter_count(stm(s)->h); }

static void sq_reset(struct db_stmt *s)
{
    sqlite3_reset(stm(s)->h);
    sqlite3_clear_bindings(stm(s)->h);
}

static int sq_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
    return sqlite3_bind_int64(stm(s)->h, idx, v) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_text(struct db_stmt *s, int idx, const char *v)
{
    return sqlite3_bind_text(stm(s)->h, idx, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
    return sqlite3_bind_blob64(stm(s)->h, idx, p, n, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_null(struct db_stmt *s, int idx, enum db_type type)
{
    (void)type;
    return sqlite3_bind_null(stm(s)->h, idx) == SQLITE_OK ? 0 : -1;
}

static enum db_result sq_step(struct db_stmt *s) { return result_of(sqlite3_step(stm(s)->h)); }

static bool sq_col_null(struct db_stmt *s, int col)
{
    return sqlite3_column_type(stm(s)->h, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(struct db_stmt *s, int col)
{
    return sqlite3_column_int64(stm(s)->h, col);
}

static double sq_col_double(struct db_stmt *s, int col)
{
    return sqlite3_column_double(stm(s)->h, col);
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(stm(s)->h, col);
}

static const void *sq_col_blob(struct db_stmt *s, int col)
{
    return sqlite3_column_blob(stm(s)->h, col);
}

static size_t sq_col_bytes(struct db_stmt *s, int col)
{
    return (size_t)sqlite3_column_bytes(stm(s)->h, col);
}

static const struct db_engine sqlite_engine = {
    .dialect = DB_SQLITE,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .exec = sq_exec,
    .begin = sq_begin,
    .serialize = sq_serialize,
    .changes = sq_changes,
    .backup = sq_backup,
    .secure_delete = sq_secure_delete,
    .truncate_wal = sq_truncate_wal,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .param_count = sq_param_count,
    .reset = sq_reset,
    .bind_int64 = sq_bind_int64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_null = sq_col_null,
    .col_int64 = sq_col_int64,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_bytes = sq_col_bytes,
};

int db_sqlite_open(const char *path, unsigned busy_ms, struct db **out, char *err,
                   size_t errlen)
{
    struct db_sqlite *d = xcalloc(1, sizeof *d);
    d->base.engine = &sqlite_engine;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 d->h ? sqlite3_errmsg(d->h) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(d->h, (int)busy_ms);
    sqlite3_extended_result_codes(d->h, 1);
    static const char *const pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-8000;";
    char *msg = NULL;
    if (sqlite3_exec(d->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure database %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    const char *sync = store_testvfs_synchronous(); /* NULL outside the test build */
    if (sync) {
        char pragma[48];
        snprintf(pragma, sizeof pragma, "PRAGMA synchronous=%s", sync);
        if (sqlite3_exec(d->h, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "cannot configure database %s", path);
            goto fail;
        }
    }
    *out = &d->base;
    return 0;
fail:
    sq_close(&d->base);
    return -1;
}
