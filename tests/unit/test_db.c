/* db: the statement interface (db.h) against both engines — the same driver cases run on
 * SQLite (a temporary file) and on PostgreSQL (a throw-away cluster from scripts/pgtmp.sh
 * that the group setup starts and the group teardown stops; a guard process stops it too
 * if this program dies) — and the PostgreSQL placeholder rewriter (pg_placeholders.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "pg_placeholders.h"

/* ---- the placeholder rewriter ---- */

static void expect_rewrite(const char *in, const char *want, int want_n)
{
    int n = -1;
    char *out = pg_placeholders(in, &n);
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(n, want_n);
    free(out);
}

static void test_placeholders_numbering(void **state)
{
    (void)state;
    expect_rewrite("SELECT 1", "SELECT 1", 0);
    expect_rewrite("SELECT ?", "SELECT $1", 1);
    expect_rewrite("VALUES (?, ?, ?)", "VALUES ($1, $2, $3)", 3);
    expect_rewrite("WHERE a = ?2 AND b = ?1 AND c = ?", "WHERE a = $2 AND b = $1 AND c = $3", 3);
    expect_rewrite("WHERE a = ?1 OR b = ?1 OR c = ?", "WHERE a = $1 OR b = $1 OR c = $2", 2);
    expect_rewrite("?3 ?", "$3 $4", 4);
    expect_rewrite("? ?1 ?", "$1 $1 $2", 2);
    expect_rewrite("x=?12", "x=$12", 12);
    expect_rewrite("$1 + ?", "$1 + $2", 2); /* a $N already there is counted */
    expect_rewrite("SELECT 'æøå' || ?", "SELECT 'æøå' || $1", 1);
    int n = 7;
    assert_null(pg_placeholders("SELECT ?0", &n));
    assert_null(pg_placeholders("SELECT ?70000", &n));
    assert_null(pg_placeholders("SELECT ?99999999999999999999", &n));
}

static void test_placeholders_quotes_and_comments(void **state)
{
    (void)state;
    expect_rewrite("SELECT '?' , ?", "SELECT '?' , $1", 1);
    expect_rewrite("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1);
    expect_rewrite("SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1);
    expect_rewrite("SELECT 'a\\', ?", "SELECT 'a\\', $1", 1); /* no E: a backslash is a byte */
    expect_rewrite("SELECT \"odd?name\" FROM t WHERE x = ?", "SELECT \"odd?name\" FROM t WHERE x = $1",
                   1);
    expect_rewrite("SELECT \"a\"\"?\" , ?", "SELECT \"a\"\"?\" , $1", 1);
    expect_rewrite("SELECT ? -- why ?\n, ?", "SELECT $1 -- why ?\n, $2", 2);
    expect_rewrite("SELECT /* ? /* ? */ ? */ ?", "SELECT /* ? /* ? */ ? */ $1", 1);
    expect_rewrite("SELECT 'unterminated ?", "SELECT 'unterminated ?", 0);
    expect_rewrite("SELECT 1 -- ?", "SELECT 1 -- ?", 0);
}

static void test_placeholders_dollar_bodies(void **state)
{
    (void)state;
    const char *fn = "CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                     "BEGIN\n  IF NEW.a <> OLD.a THEN RAISE EXCEPTION 'no'; END IF;\n"
                     "  RETURN NEW;\nEND $$;";
    expect_rewrite(fn, fn, 0);
    expect_rewrite("SELECT $fn$ a ? b $fn$, ?", "SELECT $fn$ a ? b $fn$, $1", 1);
    expect_rewrite("SELECT $a$ $b$ ? $b$ $a$ || ?", "SELECT $a$ $b$ ? $b$ $a$ || $1", 1);
    expect_rewrite("SELECT $$?$$, ?", "SELECT $$?$$, $1", 1);
    expect_rewrite("SELECT a$b, ?", "SELECT a$b, $1", 1); /* $ inside a name */
}

/* ---- the driver cases, run on both engines ---- */

struct target {
    enum db_dialect dialect;
    char dir[64];
    char url[256]; /* an SQLite path or a PostgreSQL URL */
    pid_t guard;   /* PostgreSQL: stops the cluster when this program goes */
    int guard_fd;
};

static struct target sqlite_target = {.dialect = DB_SQLITE, .guard_fd = -1};
static struct target pg_target = {.dialect = DB_POSTGRES, .guard_fd = -1};

static bool is_pg(const struct target *t) { return t->dialect == DB_POSTGRES; }
static const char *blob_type(const struct target *t) { return is_pg(t) ? "BYTEA" : "BLOB"; }

static struct db *open_db(struct target *t, unsigned busy_ms)
{
    struct db *db = NULL;
    char err[512];
    if (db_open(t->url, busy_ms, &db, err, sizeof err) != 0)
        fail_msg("db_open: %s", err);
    assert_int_equal(db_dialect(db), t->dialect);
    return db;
}

static void exec_ok(struct db *db, const char *sql)
{
    enum db_result r = db_exec(db, sql);
    if (r != DB_DONE)
        fail_msg("%s: %d %s", sql, r, db_errmsg(db));
}

static void execf(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void execf(struct db *db, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    exec_ok(db, sql);
}

static struct db_stmt *prep(struct db *db, const char *sql)
{
    struct db_stmt *s = db_prepare(db, sql);
    if (!s)
        fail_msg("prepare %s: %s", sql, db_errmsg(db));
    return s;
}

static void step_is(struct db *db, struct db_stmt *s, enum db_result want)
{
    enum db_result r = db_step(s);
    if (r != want)
        fail_msg("step: %d, wanted %d: %s", r, want, db_errmsg(db));
}

/* One int64 from a query with one int64 parameter. */
static int64_t query_int(struct db *db, const char *sql, int64_t arg)
{
    struct db_stmt *s = prep(db, sql);
    if (db_param_count(s) > 0)
        assert_int_equal(db_bind_int64(s, 1, arg), 0);
    step_is(db, s, DB_ROW);
    int64_t v = db_col_int64(s, 0);
    db_finalize(s);
    return v;
}

static void test_insert_select(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    exec_ok(db, "DROP TABLE IF EXISTS t_basic; "
                "CREATE TABLE t_basic (id BIGINT PRIMARY KEY, name TEXT NOT NULL, n BIGINT)");

    struct db_stmt *ins = prep(db, "INSERT INTO t_basic (id, name, n) VALUES (?, ?, ?)");
    assert_int_equal(db_param_count(ins), 3);
    const char *names[] = {"alice", "bob", "Ærø ø"};
    for (int i = 0; i < 3; i++) {
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, i + 1), 0);
        assert_int_equal(db_bind_text(ins, 2, names[i]), 0);
        assert_int_equal(db_bind_int64(ins, 3, (int64_t)(i + 1) * 10000000000LL), 0);
        step_is(db, ins, DB_DONE);
    }
    assert_int_equal(db_bind_int64(ins, 4, 1), -1); /* out of range */
    db_finalize(ins);

    /* ?N out of order, then a bare ? after the highest */
    struct db_stmt *ins2 = prep(db, "INSERT INTO t_basic (name, id, n) VALUES (?2, ?1, ?)");
    assert_int_equal(db_param_count(ins2), 3);
    assert_int_equal(db_bind_int64(ins2, 1, 4), 0);
    assert_int_equal(db_bind_text(ins2, 2, "dora"), 0);
    assert_int_equal(db_bind_int64(ins2, 3, -5), 0);
    step_is(db, ins2, DB_DONE);
    db_finalize(ins2);

    /* a repeated ?1, a '?' in a string and a ? in a comment are no parameters */
    struct db_stmt *sel = prep(db, "SELECT id, '?' || name, n FROM t_basic -- any ?\n"
                                   "WHERE id = ?1 OR n = ?1 * 10000000000 OR name = ?2 "
                                   "ORDER BY id");
    assert_int_equal(db_param_count(sel), 2);
    assert_int_equal(db_bind_int64(sel, 1, 2), 0);
    assert_int_equal(db_bind_text(sel, 2, "dora"), 0);
    step_is(db, sel, DB_ROW);
    assert_int_equal(db_col_int64(sel, 0), 2);
    assert_string_equal(db_col_text(sel, 1), "?bob");
    assert_int_equal(db_col_int64(sel, 2), 20000000000LL);
    assert_int_equal(db_col_int(sel, 0), 2);
    assert_false(db_col_null(sel, 1));
    assert_int_equal(db_col_bytes(sel, 1), 4); /* a text's bytes */
    assert_memory_equal(db_col_blob(sel, 1), "?bob", 4);
    step_is(db, sel, DB_ROW);
    assert_int_equal(db_col_int64(sel, 0), 4);
    assert_int_equal(db_col_int64(sel, 2), -5);
    step_is(db, sel, DB_DONE);
    /* reset forgets the bindings and the result; the statement runs again */
    db_reset(sel);
    assert_int_equal(db_bind_int64(sel, 1, 3), 0);
    assert_int_equal(db_bind_text(sel, 2, "nobody"), 0);
    step_is(db, sel, DB_ROW);
    assert_string_equal(db_col_text(sel, 1), "?Ærø ø");
    step_is(db, sel, DB_DONE);
    db_finalize(sel);

    /* aggregates and comparisons read as integers (PostgreSQL: numeric and boolean) */
    assert_int_equal(query_int(db, "SELECT SUM(n) FROM t_basic WHERE id < ?", 4),
                     60000000000LL);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t_basic WHERE n > ?", 0), 3);
    assert_int_equal(query_int(db, "SELECT COUNT(*) > ? FROM t_basic", 3), 1);
    assert_int_equal(query_int(db, "SELECT COUNT(*) > ? FROM t_basic", 4), 0);
    struct db_stmt *avg = prep(db, "SELECT AVG(id) FROM t_basic");
    step_is(db, avg, DB_ROW);
    assert_true(db_col_double(avg, 0) > 2.49 && db_col_double(avg, 0) < 2.51);
    db_finalize(avg);

    /* a statement without rows, and one stepped again after DB_DONE */
    struct db_stmt *none = prep(db, "SELECT id FROM t_basic WHERE id > ?");
    assert_int_equal(db_bind_int64(none, 1, 100), 0);
    step_is(db, none, DB_DONE);
    assert_true(db_col_null(none, 0));
    db_reset(none);
    assert_int_equal(db_bind_int64(none, 1, 3), 0);
    step_is(db, none, DB_ROW);
    assert_int_equal(db_col_int64(none, 0), 4);
    db_finalize(none);
    db_close(db);
}

/* db_change_mark: equal while nothing commits, different after a commit of another
 * connection or of another process, refused inside a transaction; a rolled-back write
 * leaves it as it was.  PostgreSQL has none. */
static void test_change_mark(void **state)
{
    struct target *t = *state;
    struct db *a = open_db(t, 5000), *b = open_db(t, 5000);
    struct db_mark m1, m2, m3;
    exec_ok(a, "DROP TABLE IF EXISTS t_mark; CREATE TABLE t_mark (id BIGINT PRIMARY KEY)");
    if (is_pg(t)) {
        assert_int_equal(db_change_mark(a, &m1), -1);
        goto out;
    }
    assert_int_equal(query_int(a, "SELECT count(*) FROM t_mark", 0), 0);
    assert_int_equal(db_change_mark(a, &m1), 0);
    assert_int_equal(db_change_mark(a, &m2), 0);
    assert_memory_equal(&m1, &m2, sizeof m1);

    exec_ok(b, "INSERT INTO t_mark VALUES (1)"); /* another connection commits */
    assert_int_equal(db_change_mark(a, &m2), 0);
    assert_memory_not_equal(&m1, &m2, sizeof m1);
    assert_int_equal(db_change_mark(b, &m3), 0); /* one state, one mark on both */
    assert_memory_equal(&m2, &m3, sizeof m2);

    exec_ok(a, "BEGIN"); /* inside a transaction: no mark */
    assert_int_equal(query_int(a, "SELECT count(*) FROM t_mark", 0), 1);
    assert_int_equal(db_change_mark(a, &m3), -1);
    exec_ok(a, "COMMIT");
    exec_ok(b, "BEGIN IMMEDIATE");
    exec_ok(b, "INSERT INTO t_mark VALUES (2)");
    assert_int_equal(db_change_mark(b, &m3), -1);
    exec_ok(b, "ROLLBACK"); /* nothing committed: the mark stays */
    assert_int_equal(db_change_mark(a, &m3), 0);
    assert_memory_equal(&m2, &m3, sizeof m2);

    char cmd[600]; /* another process commits (a fresh one: SQLite does not survive fork) */
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'INSERT INTO t_mark VALUES (3)'", t->url);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(db_change_mark(a, &m3), 0);
    assert_memory_not_equal(&m2, &m3, sizeof m2);
    assert_int_equal(query_int(a, "SELECT count(*) FROM t_mark", 0), 2);
out:
    exec_ok(a, "DROP TABLE t_mark");
    db_close(b);
    db_close(a);
}

static void test_nulls(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    execf(db, "DROP TABLE IF EXISTS t_null; CREATE TABLE t_null (id BIGINT, a BIGINT, b TEXT, c %s)",
          blob_type(t));
    struct db_stmt *ins = prep(db, "INSERT INTO t_null (id, a, b, c) VALUES (?, ?, ?, ?)");
    assert_int_equal(db_bind_int64(ins, 1, 1), 0);
    assert_int_equal(db_bind_null(ins, 2, DB_INT64), 0);
    assert_int_equal(db_bind_null(ins, 3, DB_TEXT), 0);
    assert_int_equal(db_bind_null(ins, 4, DB_BLOB), 0);
    step_is(db, ins, DB_DONE);
    db_reset(ins); /* the same statement, now with values: the types stay the same */
    assert_int_equal(db_bind_int64(ins, 1, 2), 0);
    assert_int_equal(db_bind_int64(ins, 2, 7), 0);
    assert_int_equal(db_bind_text(ins, 3, ""), 0);
    assert_int_equal(db_bind_blob(ins, 4, "", 0), 0);
    step_is(db, ins, DB_DONE);
    db_finalize(ins);

    struct db_stmt *sel = prep(db, "SELECT a, b, c, a IS NULL, b IS NULL, c IS NULL "
                                   "FROM t_null ORDER BY id");
    step_is(db, sel, DB_ROW);
    for (int col = 0; col < 3; col++) {
        assert_true(db_col_null(sel, col));
        assert_null(db_col_text(sel, col));
        assert_int_equal(db_col_int64(sel, col), 0);
        assert_null(db_col_blob(sel, col));
        assert_int_equal(db_col_bytes(sel, col), 0);
    }
    for (int col = 3; col < 6; col++)
        assert_int_equal(db_col_int64(sel, col), 1);
    step_is(db, sel, DB_ROW); /* an empty text and an empty blob are not NULL */
    assert_int_equal(db_col_int64(sel, 0), 7);
    assert_false(db_col_null(sel, 1));
    assert_string_equal(db_col_text(sel, 1), "");
    assert_false(db_col_null(sel, 2));
    assert_int_equal(db_col_bytes(sel, 2), 0);
    for (int col = 3; col < 6; col++)
        assert_int_equal(db_col_int64(sel, col), 0);
    step_is(db, sel, DB_DONE);
    db_finalize(sel);

    /* a NULL parameter of each type compares as NULL */
    struct db_stmt *cmp = prep(db, "SELECT COUNT(*) FROM t_null WHERE a = ? OR b = ? OR c = ?");
    assert_int_equal(db_bind_null(cmp, 1, DB_INT64), 0);
    assert_int_equal(db_bind_null(cmp, 2, DB_TEXT), 0);
    assert_int_equal(db_bind_null(cmp, 3, DB_BLOB), 0);
    step_is(db, cmp, DB_ROW);
    assert_int_equal(db_col_int64(cmp, 0), 0);
    db_finalize(cmp);
    db_close(db);
}

static void test_blobs(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    execf(db, "DROP TABLE IF EXISTS t_blob; CREATE TABLE t_blob (id BIGINT, b %s, c %s)",
          blob_type(t), blob_type(t));
    unsigned char all[256], zeros[64], big[70000];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    memset(zeros, 0, sizeof zeros);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7 + (i >> 8));
    struct db_stmt *ins = prep(db, "INSERT INTO t_blob (id, b, c) VALUES (?, ?, ?)");
    assert_int_equal(db_bind_int64(ins, 1, 1), 0);
    assert_int_equal(db_bind_blob(ins, 2, all, sizeof all), 0);
    assert_int_equal(db_bind_blob(ins, 3, zeros, sizeof zeros), 0);
    step_is(db, ins, DB_DONE);
    db_reset(ins);
    assert_int_equal(db_bind_int64(ins, 1, 2), 0);
    assert_int_equal(db_bind_blob(ins, 2, big, sizeof big), 0);
    assert_int_equal(db_bind_blob(ins, 3, "\0a\0", 3), 0);
    step_is(db, ins, DB_DONE);
    db_finalize(ins);

    struct db_stmt *sel = prep(db, "SELECT b, c, id FROM t_blob WHERE b = ? OR id = ? ORDER BY id");
    assert_int_equal(db_bind_blob(sel, 1, all, sizeof all), 0); /* a blob compares by bytes */
    assert_int_equal(db_bind_int64(sel, 2, 2), 0);
    step_is(db, sel, DB_ROW);
    /* both columns of the row stay valid together */
    const void *b = db_col_blob(sel, 0), *c = db_col_blob(sel, 1);
    assert_int_equal(db_col_bytes(sel, 0), sizeof all);
    assert_int_equal(db_col_bytes(sel, 1), sizeof zeros);
    assert_memory_equal(b, all, sizeof all);
    assert_memory_equal(c, zeros, sizeof zeros);
    assert_int_equal(db_col_int64(sel, 2), 1);
    step_is(db, sel, DB_ROW);
    assert_int_equal(db_col_bytes(sel, 0), sizeof big);
    assert_memory_equal(db_col_blob(sel, 0), big, sizeof big);
    assert_int_equal(db_col_bytes(sel, 1), 3);
    assert_memory_equal(db_col_blob(sel, 1), "\0a\0", 3);
    step_is(db, sel, DB_DONE);
    db_finalize(sel);
    db_close(db);
}

static void test_returning_and_changes(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    exec_ok(db, "DROP TABLE IF EXISTS t_ret; CREATE TABLE t_ret (id BIGINT PRIMARY KEY, v TEXT)");
    struct db_stmt *ins = prep(db, "INSERT INTO t_ret (id, v) VALUES (?, ?) RETURNING id * 2, v");
    for (int i = 1; i <= 4; i++) {
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, i), 0);
        assert_int_equal(db_bind_text(ins, 2, i % 2 ? "odd" : "even"), 0);
        step_is(db, ins, DB_ROW);
        assert_int_equal(db_col_int64(ins, 0), i * 2);
        assert_string_equal(db_col_text(ins, 1), i % 2 ? "odd" : "even");
        step_is(db, ins, DB_DONE);
        assert_int_equal(db_changes(db), 1);
    }
    db_finalize(ins);

    struct db_stmt *up = prep(db, "UPDATE t_ret SET v = ?1 || v WHERE v = ?2");
    assert_int_equal(db_bind_text(up, 1, "very "), 0);
    assert_int_equal(db_bind_text(up, 2, "odd"), 0);
    step_is(db, up, DB_DONE);
    assert_int_equal(db_changes(db), 2);
    db_finalize(up);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t_ret WHERE id > ?", 0), 4);
    assert_int_equal(db_changes(db), 2); /* a SELECT leaves it alone */

    struct db_stmt *del = prep(db, "DELETE FROM t_ret WHERE id >= ? RETURNING id");
    assert_int_equal(db_bind_int64(del, 1, 2), 0);
    int rows = 0;
    enum db_result r;
    while ((r = db_step(del)) == DB_ROW)
        rows++;
    assert_int_equal(r, DB_DONE);
    assert_int_equal(rows, 3);
    assert_int_equal(db_changes(db), 3);
    db_finalize(del);

    struct db_stmt *none = prep(db, "DELETE FROM t_ret WHERE id = ?");
    assert_int_equal(db_bind_int64(none, 1, 99), 0);
    step_is(db, none, DB_DONE);
    assert_int_equal(db_changes(db), 0);
    db_finalize(none);
    db_close(db);
}

static void test_unique_violation(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    exec_ok(db, "DROP TABLE IF EXISTS t_uniq; CREATE TABLE t_uniq (k TEXT PRIMARY KEY)");
    struct db_stmt *ins = prep(db, "INSERT INTO t_uniq (k) VALUES (?)");
    assert_int_equal(db_bind_text(ins, 1, "value-0123456789"), 0);
    step_is(db, ins, DB_DONE);
    db_reset(ins);
    assert_int_equal(db_bind_text(ins, 1, "value-0123456789"), 0);
    step_is(db, ins, DB_CONSTRAINT);
    assert_null(strstr(db_errmsg(db), "0123456789")); /* no parameter values */
    assert_true(strlen(db_errmsg(db)) > 0);
    /* the connection goes on */
    db_reset(ins);
    assert_int_equal(db_bind_text(ins, 1, "other"), 0);
    step_is(db, ins, DB_DONE);
    db_finalize(ins);
    exec_ok(db, "DROP TABLE IF EXISTS t_fk_child; DROP TABLE IF EXISTS t_fk_parent;"
                "CREATE TABLE t_fk_parent (id BIGINT PRIMARY KEY);"
                "CREATE TABLE t_fk_child (p BIGINT NOT NULL REFERENCES t_fk_parent (id))");
    struct db_stmt *child = prep(db, "INSERT INTO t_fk_child (p) VALUES (?)");
    assert_int_equal(db_bind_int64(child, 1, 42), 0);
    step_is(db, child, DB_CONSTRAINT);
    db_reset(child);
    assert_int_equal(db_bind_null(child, 1, DB_INT64), 0);
    step_is(db, child, DB_CONSTRAINT);
    db_finalize(child);
    db_close(db);
}

static void test_trigger_guard(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    exec_ok(db, "DROP TABLE IF EXISTS t_guard; CREATE TABLE t_guard (id BIGINT, v TEXT)");
    if (is_pg(t))
        exec_ok(db, "CREATE OR REPLACE FUNCTION t_guard_fn() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    "BEGIN\n"
                    "  IF NEW.v = 'no' THEN\n"
                    "    RAISE EXCEPTION 'guarded: v may not be %', 'that'\n"
                    "      USING ERRCODE = 'integrity_constraint_violation';\n"
                    "  END IF;\n"
                    "  RETURN NEW;\n"
                    "END $$;\n"
                    "CREATE TRIGGER t_guard_tr BEFORE INSERT ON t_guard\n"
                    "  FOR EACH ROW EXECUTE FUNCTION t_guard_fn();");
    else
        exec_ok(db, "CREATE TRIGGER t_guard_tr BEFORE INSERT ON t_guard WHEN NEW.v = 'no'\n"
                    "BEGIN SELECT RAISE(ABORT, 'guarded: v may not be that'); END;");
    struct db_stmt *ins = prep(db, "INSERT INTO t_guard (id, v) VALUES (?, ?)");
    assert_int_equal(db_bind_int64(ins, 1, 1), 0);
    assert_int_equal(db_bind_text(ins, 2, "yes"), 0);
    step_is(db, ins, DB_DONE);
    db_reset(ins);
    assert_int_equal(db_bind_int64(ins, 1, 2), 0);
    assert_int_equal(db_bind_text(ins, 2, "no"), 0);
    step_is(db, ins, DB_CONSTRAINT);
    assert_non_null(strstr(db_errmsg(db), "guarded"));
    db_finalize(ins);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t_guard WHERE id > ?", 0), 1);
    db_close(db);
}

static void test_savepoint_rollback(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    exec_ok(db, "DROP TABLE IF EXISTS t_sp; CREATE TABLE t_sp (id BIGINT PRIMARY KEY)");
    struct db_stmt *ins = prep(db, "INSERT INTO t_sp (id) VALUES (?)");
    assert_int_equal(db_begin(db, DB_BEGIN_WRITE), DB_DONE);
    int64_t ids[] = {1, 2, 2, 3};
    for (int i = 0; i < 4; i++) {
        exec_ok(db, "SAVEPOINT item");
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, ids[i]), 0);
        enum db_result r = db_step(ins);
        if (i == 2) {
            assert_int_equal(r, DB_CONSTRAINT);
            exec_ok(db, "ROLLBACK TO item");
        } else {
            assert_int_equal(r, DB_DONE);
        }
        exec_ok(db, "RELEASE item");
    }
    exec_ok(db, "COMMIT");
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t_sp WHERE id > ?", 0), 3);

    /* a rolled back transaction leaves nothing; a read transaction sees the rest */
    assert_int_equal(db_begin(db, DB_BEGIN_WRITE), DB_DONE);
    db_reset(ins);
    assert_int_equal(db_bind_int64(ins, 1, 10), 0);
    step_is(db, ins, DB_DONE);
    exec_ok(db, "ROLLBACK");
    db_finalize(ins);
    assert_int_equal(db_begin(db, DB_BEGIN_READ), DB_DONE);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t_sp WHERE id > ?", 0), 3);
    exec_ok(db, "COMMIT");
    db_close(db);
}

struct serialize_arg {
    struct db *db;
    volatile int acquired; /* set once db_serialize() returned */
    enum db_result begin, serialize, commit;
    int64_t seen;          /* rows the second connection saw once it held the lock */
};

static void *serialize_second(void *p)
{
    struct serialize_arg *a = p;
    a->begin = db_begin(a->db, DB_BEGIN_WRITE);
    a->serialize = a->begin == DB_DONE ? db_serialize(a->db, 77) : a->begin;
    __atomic_store_n(&a->acquired, 1, __ATOMIC_SEQ_CST);
    if (a->serialize == DB_DONE) {
        struct db_stmt *s = db_prepare(a->db, "SELECT COUNT(*) FROM t_ser");
        if (s && db_step(s) == DB_ROW)
            a->seen = db_col_int64(s, 0);
        db_finalize(s);
    }
    a->commit = db_exec(a->db, a->serialize == DB_DONE ? "COMMIT" : "ROLLBACK");
    return NULL;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_serialize_blocks(void **state)
{
    struct target *t = *state;
    struct db *one = open_db(t, 30000), *two = open_db(t, 30000);
    exec_ok(one, "DROP TABLE IF EXISTS t_ser; CREATE TABLE t_ser (id BIGINT)");
    assert_int_equal(db_begin(one, DB_BEGIN_WRITE), DB_DONE);
    assert_int_equal(db_serialize(one, 77), DB_DONE);
    exec_ok(one, "INSERT INTO t_ser (id) VALUES (1)");

    struct serialize_arg a = {.db = two, .seen = -1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, serialize_second, &a), 0);
    sleep_ms(400);
    int early = __atomic_load_n(&a.acquired, __ATOMIC_SEQ_CST);
    exec_ok(one, "COMMIT");
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(early, 0); /* it waited for the first connection's commit */
    assert_int_equal(a.begin, DB_DONE);
    assert_int_equal(a.serialize, DB_DONE);
    assert_int_equal(a.seen, 1); /* and then saw what that transaction wrote */
    assert_int_equal(a.commit, DB_DONE);
    /* another key does not wait */
    assert_int_equal(db_begin(one, DB_BEGIN_WRITE), DB_DONE);
    assert_int_equal(db_serialize(one, 1), DB_DONE);
    exec_ok(one, "COMMIT");
    db_close(two);
    db_close(one);
}

static void test_busy(void **state)
{
    struct target *t = *state;
    struct db *one = open_db(t, 5000), *two = open_db(t, 150);
    exec_ok(one, "DROP TABLE IF EXISTS t_busy; CREATE TABLE t_busy (id BIGINT PRIMARY KEY, n BIGINT);"
                 "INSERT INTO t_busy (id, n) VALUES (1, 0)");
    /* a lock held longer than the other connection waits */
    assert_int_equal(db_begin(one, DB_BEGIN_WRITE), DB_DONE);
    exec_ok(one, "UPDATE t_busy SET n = n + 1 WHERE id = 1");
    enum db_result r = db_begin(two, DB_BEGIN_WRITE);
    if (r == DB_DONE) /* PostgreSQL: the row lock */
        r = db_exec(two, "UPDATE t_busy SET n = n + 10 WHERE id = 1");
    assert_int_equal(r, DB_BUSY);
    db_exec(two, "ROLLBACK");
    exec_ok(one, "COMMIT");

    /* a snapshot that another connection's commit made stale: a serialization failure */
    if (is_pg(t))
        exec_ok(one, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    else
        assert_int_equal(db_begin(one, DB_BEGIN_READ), DB_DONE);
    assert_int_equal(query_int(one, "SELECT n FROM t_busy WHERE id = ?", 1), 1);
    exec_ok(two, "UPDATE t_busy SET n = n + 100 WHERE id = 1");
    assert_int_equal(db_exec(one, "UPDATE t_busy SET n = n + 1000 WHERE id = 1"), DB_BUSY);
    exec_ok(one, "ROLLBACK");
    assert_int_equal(query_int(one, "SELECT n FROM t_busy WHERE id = ?", 1), 101);
    db_close(two);
    db_close(one);
}

/* ---- what only PostgreSQL has ---- */

struct deadlock_arg {
    struct db *db;
    enum db_result r;
};

static void *deadlock_second(void *p)
{
    struct deadlock_arg *a = p;
    a->r = db_exec(a->db, "UPDATE t_dl SET n = n + 1 WHERE id = 2");
    return NULL;
}

static void test_pg_deadlock(void **state)
{
    struct target *t = *state;
    struct db *one = open_db(t, 30000), *two = open_db(t, 30000);
    exec_ok(one, "DROP TABLE IF EXISTS t_dl; CREATE TABLE t_dl (id BIGINT PRIMARY KEY, n BIGINT);"
                 "INSERT INTO t_dl VALUES (1, 0), (2, 0)");
    assert_int_equal(db_begin(one, DB_BEGIN_WRITE), DB_DONE);
    assert_int_equal(db_begin(two, DB_BEGIN_WRITE), DB_DONE);
    exec_ok(one, "UPDATE t_dl SET n = n + 1 WHERE id = 2");
    exec_ok(two, "UPDATE t_dl SET n = n + 1 WHERE id = 1");
    /* one holds row 2 and wants row 1; two holds row 1 and wants row 2: PostgreSQL picks a
     * victim (after deadlock_timeout), whose transaction fails, and the other goes on */
    struct deadlock_arg a = {.db = two};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, deadlock_second, &a), 0);
    enum db_result mine = db_exec(one, "UPDATE t_dl SET n = n + 1 WHERE id = 1");
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true((mine == DB_BUSY && a.r == DB_DONE) || (mine == DB_DONE && a.r == DB_BUSY));
    exec_ok(one, "ROLLBACK");
    exec_ok(two, "ROLLBACK");
    db_close(two);
    db_close(one);
}

static void test_pg_reconnect(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000), *admin = open_db(t, 5000);
    exec_ok(db, "DROP TABLE IF EXISTS t_rc; CREATE TABLE t_rc (id BIGINT)");
    struct db_stmt *ins = prep(db, "INSERT INTO t_rc (id) VALUES (?)");
    struct db_stmt *pid = prep(db, "SELECT pg_backend_pid()");
    struct db_stmt *kill = prep(admin, "SELECT pg_terminate_backend(CAST(? AS integer), 10000)");

    for (int round = 0; round < 2; round++) {
        db_reset(pid);
        step_is(db, pid, DB_ROW);
        int64_t before = db_col_int64(pid, 0);
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, round), 0);
        step_is(db, ins, DB_DONE); /* prepared in this session */

        db_reset(kill);
        assert_int_equal(db_bind_int64(kill, 1, before), 0);
        step_is(admin, kill, DB_ROW);
        assert_int_equal(db_col_int64(kill, 0), 1);

        /* outside a transaction the next statement just works, on a new session */
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, round + 10), 0);
        step_is(db, ins, DB_DONE);
        db_reset(pid);
        step_is(db, pid, DB_ROW);
        assert_true(db_col_int64(pid, 0) != before);
    }
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t_rc WHERE id >= ?", 0), 4);

    /* inside a transaction the loss is an error until the transaction is ended */
    const char *ends[] = {"ROLLBACK", "COMMIT"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(db_begin(db, DB_BEGIN_WRITE), DB_DONE);
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, 100), 0);
        step_is(db, ins, DB_DONE);
        db_reset(pid);
        step_is(db, pid, DB_ROW);
        int64_t before = db_col_int64(pid, 0);
        db_reset(kill);
        assert_int_equal(db_bind_int64(kill, 1, before), 0);
        step_is(admin, kill, DB_ROW);
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, 101), 0);
        step_is(db, ins, DB_ERROR);
        db_reset(ins);
        assert_int_equal(db_bind_int64(ins, 1, 102), 0);
        step_is(db, ins, DB_ERROR); /* still: never half a transaction in autocommit */
        assert_int_equal(db_exec(db, ends[i]), i == 0 ? DB_DONE : DB_ERROR);
        assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t_rc WHERE id >= ?", 100), 0);
    }
    /* a lost connection while a new transaction begins: the begin reconnects */
    db_reset(pid);
    step_is(db, pid, DB_ROW);
    int64_t before = db_col_int64(pid, 0);
    db_reset(pid);
    db_reset(kill);
    assert_int_equal(db_bind_int64(kill, 1, before), 0);
    step_is(admin, kill, DB_ROW);
    assert_int_equal(db_begin(db, DB_BEGIN_WRITE), DB_DONE);
    exec_ok(db, "COMMIT");

    db_finalize(kill);
    db_finalize(pid);
    db_finalize(ins);
    db_close(admin);
    db_close(db);
}

static void expect_open_fails_quietly(const char *url, const char *secret)
{
    struct db *db = (struct db *)&db; /* not NULL, so the test sees it cleared */
    char err[512];
    assert_int_equal(db_open(url, 1000, &db, err, sizeof err), -1);
    assert_null(db);
    assert_true(strlen(err) > 0);
    if (strstr(err, secret))
        fail_msg("the password shows in: %s", err);
}

static void test_pg_password_never_shown(void **state)
{
    struct target *t = *state;
    const char *port = strrchr(t->url, ':'); /* ":PORT/postgres" */
    char url[512];
    /* nothing listens on port 1 */
    expect_open_fails_quietly("postgresql://vejled:Sup3rS3cret@127.0.0.1:1/postgres", "Sup3rS3cret");
    expect_open_fails_quietly("postgres://vejled:Sup3rS3cret@127.0.0.1:1/postgres", "Sup3rS3cret");
    expect_open_fails_quietly("postgresql://127.0.0.1:1/postgres?user=v&password=Sup3rS3cret",
                              "Sup3rS3cret");
    expect_open_fails_quietly("postgresql://vejled:S%40p3rS3cret@127.0.0.1:1/postgres", "S@p3rS3cret");
    expect_open_fails_quietly("postgresql://vejled:S%40p3rS3cret@127.0.0.1:1/postgres", "S%40p3rS3cret");
    /* libpq refuses the URL itself */
    expect_open_fails_quietly("postgresql://vejled:Sup3rS3cret@127.0.0.1:notaport/postgres",
                              "Sup3rS3cret");
    expect_open_fails_quietly("postgresql://vejled:Sup3rS3cret@127.0.0.1:1/postgres?bogus=Sup3rS3cret",
                              "Sup3rS3cret");
    /* the server answers: no such database */
    snprintf(url, sizeof url, "postgresql://vejled:Sup3rS3cret@127.0.0.1%.*s/nodb", (int)strcspn(port, "/"),
             port);
    expect_open_fails_quietly(url, "Sup3rS3cret");
}

/* Notices (a warning, a RAISE NOTICE with data) reach nobody's stderr. */
static void test_pg_misc(void **state)
{
    struct target *t = *state;
    struct db *db = open_db(t, 5000);
    char err[256];
    assert_int_equal(db_backup(db, "/tmp/never", err, sizeof err), -1);
    assert_non_null(strstr(err, "pg_dump"));
    assert_int_equal(db_secure_delete(db), DB_DONE);
    assert_int_equal(db_truncate_wal(db), DB_DONE);

    fflush(stderr);
    char path[] = "/tmp/vejled-dbnotice-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    exec_ok(db, "ROLLBACK"); /* WARNING: there is no transaction in progress */
    exec_ok(db, "DO $$BEGIN RAISE NOTICE 'private %', 'datum'; END$$");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(path);
    assert_int_equal(size, 0);

    /* settings of the session */
    struct db_stmt *s = prep(db, "SELECT current_setting('synchronous_commit'), "
                                 "current_setting('lock_timeout'), current_setting('TimeZone'), "
                                 "current_setting('application_name'), "
                                 "current_setting('client_encoding')");
    step_is(db, s, DB_ROW);
    assert_string_equal(db_col_text(s, 0), "on");
    assert_string_equal(db_col_text(s, 1), "5s");
    assert_string_equal(db_col_text(s, 2), "UTC");
    assert_string_equal(db_col_text(s, 3), "vejled");
    assert_string_equal(db_col_text(s, 4), "UTF8");
    db_finalize(s);

    /* an SQL error: DB_ERROR and PostgreSQL's message; the connection goes on */
    assert_int_equal(db_exec(db, "SELECT * FROM no_such_table"), DB_ERROR);
    assert_non_null(strstr(db_errmsg(db), "no_such_table"));
    struct db_stmt *bad = prep(db, "SELEKT ?");
    assert_int_equal(db_bind_int64(bad, 1, 1), 0);
    assert_int_equal(db_step(bad), DB_ERROR);
    assert_non_null(strstr(db_errmsg(db), "syntax"));
    db_finalize(bad);
    /* a value the server could not take stays out of the message */
    struct db_stmt *cast = prep(db, "SELECT CAST(? AS BIGINT)");
    assert_int_equal(db_bind_text(cast, 1, "0101701234"), 0);
    step_is(db, cast, DB_ROW);
    assert_int_equal(db_col_int64(cast, 0), 101701234);
    db_reset(cast);
    assert_int_equal(db_bind_text(cast, 1, "x0101701234"), 0);
    assert_int_equal(db_step(cast), DB_ERROR);
    assert_non_null(strstr(db_errmsg(db), "invalid input syntax"));
    assert_null(strstr(db_errmsg(db), "0101701234"));
    db_finalize(cast);

    /* a failed transaction does not commit */
    assert_int_equal(db_begin(db, DB_BEGIN_WRITE), DB_DONE);
    assert_int_equal(db_exec(db, "SELECT 1/0"), DB_ERROR);
    assert_int_equal(db_exec(db, "COMMIT"), DB_ERROR);
    assert_int_equal(query_int(db, "SELECT ?", 5), 5); /* and the session is usable */

    /* a read transaction is one snapshot and read-only */
    assert_int_equal(db_begin(db, DB_BEGIN_READ), DB_DONE);
    struct db_stmt *iso = prep(db, "SELECT current_setting('transaction_isolation')");
    step_is(db, iso, DB_ROW);
    assert_string_equal(db_col_text(iso, 0), "repeatable read");
    db_finalize(iso);
    assert_int_equal(db_exec(db, "CREATE TABLE t_ro (x BIGINT)"), DB_ERROR);
    exec_ok(db, "ROLLBACK");
    assert_int_equal(db_begin(db, DB_BEGIN_WRITE), DB_DONE);
    iso = prep(db, "SELECT current_setting('transaction_isolation')");
    step_is(db, iso, DB_ROW);
    assert_string_equal(db_col_text(iso, 0), "read committed");
    exec_ok(db, "ROLLBACK");
    /* a statement prepared in a transaction that rolled back still runs */
    db_reset(iso);
    step_is(db, iso, DB_ROW);
    db_finalize(iso);

    /* one statement bound with other types prepares again */
    struct db_stmt *any = prep(db, "SELECT CAST(? AS TEXT)");
    assert_int_equal(db_bind_int64(any, 1, 12), 0);
    step_is(db, any, DB_ROW);
    assert_string_equal(db_col_text(any, 0), "12");
    db_reset(any);
    assert_int_equal(db_bind_text(any, 1, "twelve"), 0);
    step_is(db, any, DB_ROW);
    assert_string_equal(db_col_text(any, 0), "twelve");
    db_finalize(any);

    /* finalized statements are forgotten on the server: at once, or (when a failed
     * transaction would refuse) once the transaction is over */
    struct db_stmt *kept = prep(db, "SELECT ? + 1");
    assert_int_equal(db_begin(db, DB_BEGIN_WRITE), DB_DONE);
    assert_int_equal(db_bind_int64(kept, 1, 1), 0);
    step_is(db, kept, DB_ROW);
    for (int i = 0; i < 5; i++)
        assert_int_equal(query_int(db, "SELECT ? + 2", i), i + 2);
    assert_int_equal(db_exec(db, "SELECT 1/0"), DB_ERROR);
    db_finalize(kept);
    exec_ok(db, "ROLLBACK");
    assert_int_equal(query_int(db, "SELECT COUNT(*) + ? FROM pg_prepared_statements", 0), 1);
    db_close(db);
}

/* ---- a FATAL that arrives before the socket closes ----
 * A server that is terminating a session sends FATAL and then exits; a client can see the
 * FATAL before the end of the stream.  A fake server (just enough of the protocol) sends
 * the FATAL and keeps the socket open: the driver's next statement outside a transaction
 * must open a new session rather than send the statement into the dying one. */

struct fake_pg {
    int listen_fd;
    int port;
    volatile int fatal_sent;
    int connections;
    int queries_after_fatal; /* statements sent into the dying session (must stay 0) */
    int statements_served;   /* on the second session */
};

static int wait_readable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 10000) == 1 ? 0 : -1;
}

static int read_full(int fd, void *p, size_t n)
{
    unsigned char *b = p;
    while (n > 0) {
        if (wait_readable(fd) != 0)
            return -1;
        ssize_t r = read(fd, b, n);
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Appends a message of type t with payload p (n bytes) to out at *len. */
static void msg(unsigned char *out, size_t *len, char t, const void *p, size_t n)
{
    uint32_t l = (uint32_t)n + 4;
    out[(*len)++] = (unsigned char)t;
    out[(*len)++] = (unsigned char)(l >> 24);
    out[(*len)++] = (unsigned char)(l >> 16);
    out[(*len)++] = (unsigned char)(l >> 8);
    out[(*len)++] = (unsigned char)l;
    memcpy(out + *len, p, n);
    *len += n;
}

static int send_all(int fd, const unsigned char *p, size_t n)
{
    return write(fd, p, n) == (ssize_t)n ? 0 : -1;
}

/* Startup (refusing SSL and GSS encryption), authentication ok, ready. */
static int fake_handshake(int fd)
{
    for (;;) {
        unsigned char h[8];
        if (read_full(fd, h, 8) != 0)
            return -1;
        uint32_t len = be32(h), code = be32(h + 4);
        if (code == 80877103 || code == 80877104) { /* SSLRequest, GSSENCRequest */
            if (send_all(fd, (const unsigned char *)"N", 1) != 0)
                return -1;
            continue;
        }
        if (len < 8 || len > 10000)
            return -1;
        unsigned char rest[10000];
        if (read_full(fd, rest, len - 8) != 0)
            return -1;
        break;
    }
    unsigned char out[512];
    size_t n = 0;
    msg(out, &n, 'R', "\0\0\0\0", 4);
    msg(out, &n, 'S', "server_version\0" "15.0\0", 20);
    msg(out, &n, 'S', "client_encoding\0" "UTF8\0", 21);
    msg(out, &n, 'S', "standard_conforming_strings\0" "on\0", 31);
    msg(out, &n, 'K', "\0\0\0\1\0\0\0\2", 8);
    msg(out, &n, 'Z', "I", 1);
    return send_all(fd, out, n);
}

/* Reads one message: its type, or -1 at the end of the stream. */
static int fake_read(int fd)
{
    unsigned char h[5];
    if (read_full(fd, h, 5) != 0)
        return -1;
    uint32_t len = be32(h + 1);
    if (len < 4 || len > 100000)
        return -1;
    unsigned char *body = malloc(len);
    int rc = read_full(fd, body, len - 4);
    free(body);
    return rc == 0 ? h[0] : -1;
}

static int fake_answer(int fd, const char *tag)
{
    unsigned char out[128];
    size_t n = 0;
    msg(out, &n, 'C', tag, strlen(tag) + 1);
    msg(out, &n, 'Z', "I", 1);
    return send_all(fd, out, n);
}

static int fake_accept(struct fake_pg *f)
{
    if (wait_readable(f->listen_fd) != 0)
        return -1;
    int fd = accept(f->listen_fd, NULL, NULL);
    if (fd >= 0)
        f->connections++;
    return fd;
}

static void *fake_server(void *p)
{
    struct fake_pg *f = p;
    /* the first session: set up, then the goodbye, with the socket left open */
    int fd = fake_accept(f);
    if (fd < 0)
        return NULL;
    if (fake_handshake(fd) == 0 && fake_read(fd) == 'Q' && fake_answer(fd, "SET") == 0) {
        static const char fatal[] = "SFATAL\0VFATAL\0C57P01\0"
                                    "Mterminating connection due to administrator command\0";
        unsigned char out[160];
        size_t n = 0;
        msg(out, &n, 'E', fatal, sizeof fatal); /* the final NUL ends the fields */
        if (send_all(fd, out, n) == 0)
            __atomic_store_n(&f->fatal_sent, 1, __ATOMIC_SEQ_CST);
        int t;
        while ((t = fake_read(fd)) == 'P' || t == 'Q' || t == 'B' || t == 'E' || t == 'S' ||
               t == 'D')
            f->queries_after_fatal++;
    }
    close(fd);
    /* the second session serves statements */
    fd = fake_accept(f);
    if (fd < 0)
        return NULL;
    if (fake_handshake(fd) == 0 && fake_read(fd) == 'Q' && fake_answer(fd, "SET") == 0) {
        while (fake_read(fd) == 'Q') {
            f->statements_served++;
            if (fake_answer(fd, "SELECT 0") != 0)
                break;
        }
    }
    close(fd);
    return NULL;
}

static void test_pg_fatal_before_close(void **state)
{
    (void)state;
    struct fake_pg f = {0};
    f.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f.listen_fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(f.listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(f.listen_fd, (struct sockaddr *)&sa, &sl), 0);
    assert_int_equal(listen(f.listen_fd, 4), 0);
    f.port = ntohs(sa.sin_port);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fake_server, &f), 0);

    char url[160], err[256];
    snprintf(url, sizeof url,
             "postgresql://fake@127.0.0.1:%d/fake?sslmode=disable&gssencmode=disable", f.port);
    struct db *db = NULL;
    int rc = db_open(url, 1000, &db, err, sizeof err);
    if (rc != 0)
        fail_msg("db_open: %s", err);
    for (int i = 0; i < 1000 && !__atomic_load_n(&f.fatal_sent, __ATOMIC_SEQ_CST); i++)
        sleep_ms(10);
    sleep_ms(50);
    exec_ok(db, "SELECT 1"); /* on a new session */
    exec_ok(db, "SELECT 2");
    db_close(db);
    assert_int_equal(pthread_join(th, NULL), 0);
    close(f.listen_fd);
    assert_int_equal(f.connections, 2);
    assert_int_equal(f.queries_after_fatal, 0);
    assert_int_equal(f.statements_served, 2);
}

/* ---- the two targets ---- */

static int sqlite_setup(void **state)
{
    (void)state;
    snprintf(sqlite_target.dir, sizeof sqlite_target.dir, "/tmp/vejled-db-XXXXXX");
    if (!mkdtemp(sqlite_target.dir))
        return -1;
    snprintf(sqlite_target.url, sizeof sqlite_target.url, "%s/t.db", sqlite_target.dir);
    return 0;
}

static int remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int sqlite_teardown(void **state)
{
    (void)state;
    return getenv("KEEP") ? 0 : remove_dir(sqlite_target.dir);
}

/* A child that waits for this process to end (its pipe closes) and then stops the
 * cluster, so that no server outlives a crashed test. */
static int start_guard(struct target *t)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setsid();
        close(fds[1]);
        char b;
        while (read(fds[0], &b, 1) > 0)
            ;
        char cmd[256];
        snprintf(cmd, sizeof cmd, "scripts/pgtmp.sh stop '%s' >/dev/null 2>&1; [ -n \"$KEEP\" ] || rm -rf '%s'",
                 t->dir, t->dir);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    t->guard = pid;
    t->guard_fd = fds[1];
    return 0;
}

static int pg_teardown(void **state);

static int pg_setup(void **state)
{
    snprintf(pg_target.dir, sizeof pg_target.dir, "/tmp/vejled-pg-XXXXXX");
    if (!mkdtemp(pg_target.dir))
        return -1;
    if (start_guard(&pg_target) != 0)
        return -1;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "scripts/pgtmp.sh start '%s'", pg_target.dir);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[256];
    pg_target.url[0] = '\0';
    while (fgets(line, sizeof line, p))
        if (strncmp(line, "postgresql://", 13) == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(pg_target.url, sizeof pg_target.url, "%s", line);
        }
    int rc = pclose(p);
    if (rc != 0 || !pg_target.url[0]) {
        fprintf(stderr, "test_db: scripts/pgtmp.sh start failed\n");
        pg_teardown(state);
        return -1;
    }
    return 0;
}

static int pg_teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "scripts/pgtmp.sh stop '%s'", pg_target.dir);
    int rc = system(cmd) == 0 ? 0 : -1;
    if (!getenv("KEEP") && remove_dir(pg_target.dir) != 0)
        rc = -1;
    if (pg_target.guard_fd >= 0) {
        close(pg_target.guard_fd); /* the guard finds nothing left to stop */
        pg_target.guard_fd = -1;
        waitpid(pg_target.guard, NULL, 0);
    }
    return rc;
}

#define DRIVER_CASES(target)                                                                  \
    cmocka_unit_test_prestate(test_insert_select, &(target)),                                  \
        cmocka_unit_test_prestate(test_nulls, &(target)),                                      \
        cmocka_unit_test_prestate(test_blobs, &(target)),                                      \
        cmocka_unit_test_prestate(test_returning_and_changes, &(target)),                      \
        cmocka_unit_test_prestate(test_unique_violation, &(target)),                           \
        cmocka_unit_test_prestate(test_trigger_guard, &(target)),                              \
        cmocka_unit_test_prestate(test_savepoint_rollback, &(target)),                         \
        cmocka_unit_test_prestate(test_serialize_blocks, &(target)),                           \
        cmocka_unit_test_prestate(test_busy, &(target)),                                       \
        cmocka_unit_test_prestate(test_change_mark, &(target))

int main(void)
{
    const struct CMUnitTest rewriter[] = {
        cmocka_unit_test(test_placeholders_numbering),
        cmocka_unit_test(test_placeholders_quotes_and_comments),
        cmocka_unit_test(test_placeholders_dollar_bodies),
        cmocka_unit_test(test_pg_fatal_before_close),
    };
    const struct CMUnitTest sqlite[] = {DRIVER_CASES(sqlite_target)};
    const struct CMUnitTest postgres[] = {
        DRIVER_CASES(pg_target),
        cmocka_unit_test_prestate(test_pg_deadlock, &pg_target),
        cmocka_unit_test_prestate(test_pg_reconnect, &pg_target),
        cmocka_unit_test_prestate(test_pg_password_never_shown, &pg_target),
        cmocka_unit_test_prestate(test_pg_misc, &pg_target),
    };
    signal(SIGPIPE, SIG_IGN);
    int failed = cmocka_run_group_tests_name("db placeholders and protocol", rewriter, NULL, NULL);
    failed += cmocka_run_group_tests_name("db sqlite", sqlite, sqlite_setup, sqlite_teardown);
    failed += cmocka_run_group_tests_name("db postgres", postgres, pg_setup, pg_teardown);
    return failed ? 1 : 0;
}
