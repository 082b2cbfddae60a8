/* db — the dispatch from db.h to the engine of a connection (db_engine.h). */
#include "db.h"
#include "db_engine.h"

#include <string.h>

bool db_is_postgres_url(const char *target)
{
    return target && (strncmp(target, "postgresql://", 13) == 0 ||
                      strncmp(target, "postgres://", 11) == 0);
}

int db_open(const char *target, unsigned busy_ms, struct db **out, char *err, size_t errlen)
{
    if (db_is_postgres_url(target))
        return db_pg_open(target, busy_ms, out, err, errlen);
    return db_sqlite_open(target, busy_ms, out, err, errlen);
}

int db_file_migrated(const char *target)
{
    return db_is_postgres_url(target) ? -1 : db_sqlite_file_migrated(target);
}

void db_close(struct db *db)
{
    if (db)
        db->engine->close(db);
}

enum db_dialect db_dialect(const struct db *db) { return db->engine->dialect; }
const char *db_errmsg(struct db *db) { return db->engine->errmsg(db); }
#ifdef VEJLED_TESTING
/* the statements this thread ran (db_thread_statements) */
static _Thread_local uint64_t db_statements_here;
uint64_t db_thread_statements(void) { return db_statements_here; }
#define DB_COUNT() (db_statements_here++)
#else
#define DB_COUNT() ((void)0)
#endif

enum db_result db_exec(struct db *db, const char *sql)
{
    DB_COUNT();
    return db->engine->exec(db, sql);
}

enum db_result db_begin(struct db *db, enum db_begin kind)
{
    DB_COUNT();
    return db->engine->begin(db, kind);
}
enum db_result db_serialize(struct db *db, int64_t key) { return db->engine->serialize(db, key); }
int64_t db_changes(struct db *db) { return db->engine->changes(db); }

int db_backup(struct db *db, const char *dest, char *err, size_t errlen)
{
    return db->engine->backup(db, dest, err, errlen);
}

enum db_result db_secure_delete(struct db *db) { return db->engine->secure_delete(db); }
enum db_result db_truncate_wal(struct db *db) { return db->engine->truncate_wal(db); }
void db_process_init(void) { db_sqlite_process_init(); }
int db_log_defer(struct db *db) { return db->engine->log_defer(db); }
int db_log_sync(struct db *db) { return db->engine->log_sync(db); }
int db_change_mark(struct db *db, struct db_mark *out) { return db->engine->change_mark(db, out); }

struct db_stmt *db_prepare(struct db *db, const char *sql) { return db->engine->prepare(db, sql); }

void db_finalize(struct db_stmt *s)
{
    if (s)
        s->engine->finalize(s);
}

int db_param_count(struct db_stmt *s) { return s->engine->param_count(s); }
void db_reset(struct db_stmt *s) { s->engine->reset(s); }
int db_bind_int64(struct db_stmt *s, int idx, int64_t v) { return s->engine->bind_int64(s, idx, v); }
int db_bind_text(struct db_stmt *s, int idx, const char *v) { return s->engine->bind_text(s, idx, v); }

int db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
    return s->engine->bind_blob(s, idx, p, n);
}

int db_bind_null(struct db_stmt *s, int idx, enum db_type type)
{
    return s->engine->bind_null(s, idx, type);
}

enum db_result db_step(struct db_stmt *s)
{
    DB_COUNT();
    return s->engine->step(s);
}
bool db_col_null(struct db_stmt *s, int col) { return s->engine->col_null(s, col); }
int64_t db_col_int64(struct db_stmt *s, int col) { return s->engine->col_int64(s, col); }
int db_col_int(struct db_stmt *s, int col) { return (int)s->engine->col_int64(s, col); }
double db_col_double(struct db_stmt *s, int col) { return s->engine->col_double(s, col); }
const char *db_col_text(struct db_stmt *s, int col) { return s->engine->col_text(s, col); }
const void *db_col_blob(struct db_stmt *s, int col) { return s->engine->col_blob(s, col); }
size_t db_col_bytes(struct db_stmt *s, int col) { return s->engine->col_bytes(s, col); }
