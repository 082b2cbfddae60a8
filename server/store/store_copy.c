/* store_copy — every row of an SQLite installation into a PostgreSQL database with the
 * same schema version (`vejled copy`; declared in store.h).
 *
 * The source is read in one snapshot (a server may keep running on it; what it writes
 * after the snapshot is not copied).  The target must be migrated to the same versions and
 * hold no data.  Tables go in the order of their foreign keys, all in one transaction on
 * the target, with the target's triggers set aside for the copy: the rows, the journal and
 * the statistics aggregates arrive exactly as they were (an aggregate trigger firing on the
 * copied rows would count them twice, and the aggregates also remember purged citizens,
 * whose base rows are gone).  Identity columns then continue after the copied ids.
 */
#include "store.h"
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

#define COPY_MAX_TABLES 64
#define COPY_MAX_COLUMNS 64

struct copy_table {
    char name[64];
    int ncols;
    char cols[COPY_MAX_COLUMNS][64];
    enum db_type types[COPY_MAX_COLUMNS];
    bool identity; /* an id column the target numbers itself */
};

/* Runs a query of one row and one integer column. */
static int copy_scalar(struct db *db, const char *sql, const char *arg, int64_t *out)
{
    struct db_stmt *s = db_prepare(db, sql);
    int rc = -1;
    if (!s)
        return -1;
    if (arg && db_bind_text(s, 1, arg) != 0)
        goto out;
    if (db_step(s) != DB_ROW)
        goto out;
    *out = db_col_int64(s, 0);
    rc = 0;
out:
    db_finalize(s);
    return rc;
}

/* The target's tables (but schema_migrations) in an order where every table comes after
 * the tables it refers to, with their columns and types. */
static int copy_tables(struct db *to, struct copy_table *t, int *n, char *err, size_t errlen)
{
    int rc = -1;
    struct db_stmt *s = NULL;
    *n = 0;
    s = db_prepare(to, "SELECT table_name FROM information_schema.tables"
                       " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                       " AND table_name <> 'schema_migrations' ORDER BY table_name");
    if (!s)
        goto fail;
    enum db_result r;
    while ((r = db_step(s)) == DB_ROW) {
        if (*n == COPY_MAX_TABLES) {
            snprintf(err, errlen, "more than %d tables", COPY_MAX_TABLES);
            goto out;
        }
        snprintf(t[(*n)++].name, sizeof t->name, "%s", db_col_text(s, 0));
    }
    if (r != DB_DONE)
        goto fail;
    db_finalize(s);

    /* order by foreign keys: repeatedly take a table whose referenced tables are placed */
    s = db_prepare(to, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
                       " AND conrelid = ?::regclass AND confrelid = ?::regclass"
                       " AND conrelid <> confrelid");
    if (!s)
        goto fail;
    for (int placed = 0; placed < *n; placed++) {
        int pick = -1;
        for (int i = placed; i < *n && pick < 0; i++) {
            bool ready = true;
            for (int j = placed; j < *n && ready; j++) {
                if (j == i)
                    continue;
                db_reset(s);
                if (db_bind_text(s, 1, t[i].name) || db_bind_text(s, 2, t[j].name) ||
                    db_step(s) != DB_ROW)
                    goto fail;
                ready = db_col_int64(s, 0) == 0;
            }
            if (ready)
                pick = i;
        }
        if (pick < 0) {
            snprintf(err, errlen, "the tables' foreign keys form a cycle");
            goto out;
        }
        struct copy_table tmp = t[placed];
        t[placed] = t[pick];
        t[pick] = tmp;
    }
    db_finalize(s);

    /* generated columns (the statistics' day numbers) are computed again by the target */
    s = db_prepare(to, "SELECT column_name, data_type, is_identity FROM information_schema.columns"
                       " WHERE table_schema = current_schema() AND table_name = ?"
                       " AND is_generated <> 'ALWAYS' ORDER BY ordinal_position");
    if (!s)
        goto fail;
    for (int i = 0; i < *n; i++) {
        db_reset(s);
        if (db_bind_text(s, 1, t[i].name))
            goto fail;
        t[i].ncols = 0;
        t[i].identity = false;
        while ((r = db_step(s)) == DB_ROW) {
            if (t[i].ncols == COPY_MAX_COLUMNS) {
                snprintf(err, errlen, "table %s has too many columns", t[i].name);
                goto out;
            }
            const char *type = db_col_text(s, 1);
            int c = t[i].ncols++;
            snprintf(t[i].cols[c], sizeof t[i].cols[c], "%s", db_col_text(s, 0));
            t[i].types[c] = strcmp(type, "bytea") == 0  ? DB_BLOB
                            : strcmp(type, "text") == 0 ? DB_TEXT
                                                        : DB_INT64;
            if (strcmp(db_col_text(s, 2), "YES") == 0)
                t[i].identity = true;
        }
        if (r != DB_DONE)
            goto fail;
    }
    rc = 0;
    goto out;
fail:
    snprintf(err, errlen, "cannot read the target's tables: %s", db_errmsg(to));
out:
    db_finalize(s);
    return rc;
}

/* Copies one table's rows; *rows gets how many. */
static int copy_rows(struct db *from, struct db *to, const struct copy_table *t, int64_t *rows,
                     char *err, size_t errlen)
{
    int rc = -1;
    struct buf sel = {0}, ins = {0};
    struct db_stmt *src = NULL, *dst = NULL;
    *rows = 0;
    buf_printf(&sel, "SELECT ");
    buf_printf(&ins, "INSERT INTO %s (", t->name);
    for (int c = 0; c < t->ncols; c++) {
        buf_printf(&sel, "%s\"%s\"", c ? ", " : "", t->cols[c]);
        buf_printf(&ins, "%s\"%s\"", c ? ", " : "", t->cols[c]);
    }
    buf_printf(&sel, " FROM \"%s\"", t->name);
    buf_printf(&ins, ")%s VALUES (", t->identity ? " OVERRIDING SYSTEM VALUE" : "");
    for (int c = 0; c < t->ncols; c++)
        buf_printf(&ins, "%s?", c ? ", " : "");
    buf_printf(&ins, ")");
    src = db_prepare(from, sel.data);
    if (!src) {
        snprintf(err, errlen, "cannot read %s from the source: %s", t->name, db_errmsg(from));
        goto out;
    }
    dst = db_prepare(to, ins.data);
    if (!dst) {
        snprintf(err, errlen, "cannot write %s: %s", t->name, db_errmsg(to));
        goto out;
    }
    enum db_result r;
    while ((r = db_step(src)) == DB_ROW) {
        db_reset(dst);
        for (int c = 0; c < t->ncols; c++) {
            int idx = c + 1, b;
            if (db_col_null(src, c))
                b = db_bind_null(dst, idx, t->types[c]);
            else if (t->types[c] == DB_INT64)
                b = db_bind_int64(dst, idx, db_col_int64(src, c));
            else if (t->types[c] == DB_TEXT)
                b = db_bind_text(dst, idx, db_col_text(src, c));
            else
                b = db_bind_blob(dst, idx, db_col_blob(src, c), db_col_bytes(src, c));
            if (b != 0) {
                snprintf(err, errlen, "%s: cannot bind a value: %s", t->name, db_errmsg(to));
                goto out;
            }
        }
        if (db_step(dst) != DB_DONE) {
            snprintf(err, errlen, "%s: row %lld: %s", t->name, (long long)*rows + 1,
                     db_errmsg(to));
            goto out;
        }
        (*rows)++;
    }
    if (r != DB_DONE) {
        snprintf(err, errlen, "cannot read %s from the source: %s", t->name, db_errmsg(from));
        goto out;
    }
    rc = 0;
out:
    db_finalize(src);
    db_finalize(dst);
    buf_free(&sel);
    buf_free(&ins);
    return rc;
}

/* ALTER TABLE … ENABLE/DISABLE TRIGGER USER on every table. */
static int copy_triggers(struct db *to, const struct copy_table *t, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "ALTER TABLE \"%s\" %s TRIGGER USER", t[i].name, what);
        if (db_exec(to, sql) != DB_DONE)
            return -1;
    }
    return 0;
}

int store_copy(struct store *from, struct store *to, store_copy_cb cb, void *arg, char *err,
               size_t errlen)
{
    int rc = -1, n = 0;
    bool began = false;
    struct copy_table *t = xcalloc(COPY_MAX_TABLES, sizeof *t);
    if (store_is_postgres(from) || !store_is_postgres(to)) {
        snprintf(err, errlen, "copy goes from an SQLite file to a PostgreSQL database");
        goto out;
    }
    /* the same schema versions on both sides */
    int64_t a = 0, b = 0, same = 0;
    if (copy_scalar(from->db, "SELECT count(*) FROM schema_migrations", NULL, &a) ||
        copy_scalar(to->db, "SELECT count(*) FROM schema_migrations", NULL, &b) ||
        copy_scalar(from->db, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL,
                    &same)) {
        snprintf(err, errlen, "cannot read the schema versions");
        goto out;
    }
    int64_t top = 0;
    if (copy_scalar(to->db, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL,
                    &top)) {
        snprintf(err, errlen, "cannot read the target's schema version");
        goto out;
    }
    if (a != b || same != top) {
        snprintf(err, errlen,
                 "the source has %lld migrations up to %lld, the target %lld up to %lld: "
                 "migrate both with this version of vejled first",
                 (long long)a, (long long)same, (long long)b, (long long)top);
        goto out;
    }
    if (copy_tables(to->db, t, &n, err, errlen))
        goto out;
    for (int i = 0; i < n; i++) {
        char sql[160];
        int64_t rows = 0;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM \"%s\" LIMIT 1) x",
                 t[i].name);
        if (copy_scalar(to->db, sql, NULL, &rows)) {
            snprintf(err, errlen, "cannot read %s on the target: %s", t[i].name,
                     db_errmsg(to->db));
            goto out;
        }
        if (rows) {
            snprintf(err, errlen, "the target already holds data (table %s): copy needs an "
                                  "empty database", t[i].name);
            goto out;
        }
    }

    if (db_begin(from->db, DB_BEGIN_READ) != DB_DONE ||
        db_begin(to->db, DB_BEGIN_WRITE) != DB_DONE) {
        snprintf(err, errlen, "cannot begin: %s", db_errmsg(to->db));
        goto out;
    }
    began = true;
    if (copy_triggers(to->db, t, n, "DISABLE")) {
        snprintf(err, errlen, "cannot set the triggers aside: %s", db_errmsg(to->db));
        goto out;
    }
    for (int i = 0; i < n; i++) {
        int64_t rows = 0;
        if (copy_rows(from->db, to->db, &t[i], &rows, err, errlen))
            goto out;
        if (t[i].identity) {
            char sql[256];
            snprintf(sql, sizeof sql,
                     "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
                     " coalesce((SELECT max(id) FROM \"%s\"), 0) + 1, false)",
                     t[i].name, t[i].name);
            if (db_exec(to->db, sql) != DB_DONE) {
                snprintf(err, errlen, "%s: cannot continue the ids: %s", t[i].name,
                         db_errmsg(to->db));
                goto out;
            }
        }
        if (cb)
            cb(t[i].name, rows, arg);
    }
    if (copy_triggers(to->db, t, n, "ENABLE") || db_exec(to->db, "COMMIT") != DB_DONE) {
        snprintf(err, errlen, "cannot commit: %s", db_errmsg(to->db));
        goto out;
    }
    began = false;
    db_exec(from->db, "COMMIT");
    rc = 0;
out:
    if (began) {
        db_exec(to->db, "ROLLBACK");
        db_exec(from->db, "ROLLBACK");
    }
    free(t);
    return rc;
}

enum store_status store_table_counts(struct store *st, store_copy_cb cb, void *arg)
{
    struct db_stmt *s = db_prepare(
        st->db, store_is_postgres(st)
                    ? "SELECT table_name FROM information_schema.tables"
                      " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                      " ORDER BY table_name"
                    : "SELECT name FROM sqlite_master WHERE type = 'table'"
                      " AND name NOT LIKE 'sqlite_%' ORDER BY name");
    if (!s)
        return STORE_ERROR;
    enum store_status rc = STORE_OK;
    enum db_result r;
    while ((r = db_step(s)) == DB_ROW) {
        char sql[160];
        int64_t rows = 0;
        char name[64];
        snprintf(name, sizeof name, "%s", db_col_text(s, 0));
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", name);
        if (copy_scalar(st->db, sql, NULL, &rows)) {
            rc = STORE_ERROR;
            break;
        }
        cb(name, rows, arg);
    }
    if (rc == STORE_OK && r != DB_DONE)
        rc = store_status_of(r);
    db_finalize(s);
    return rc;
}
