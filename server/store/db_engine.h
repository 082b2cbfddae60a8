/* db_engine — what an engine (store/sqlite/, store/pg/) provides behind db.h: a table of
 * functions that db.c calls.  Included only by db.c and the engines.
 */
#ifndef VEJLED_DB_ENGINE_H
#define VEJLED_DB_ENGINE_H

#include "db.h"

struct db_engine {
    enum db_dialect dialect;
    void (*close)(struct db *db);
    const char *(*errmsg)(struct db *db);
    enum db_result (*exec)(struct db *db, const char *sql);
    enum db_result (*begin)(struct db *db, enum db_begin kind);
    enum db_result (*serialize)(struct db *db, int64_t key);
    int64_t (*changes)(struct db *db);
    int (*backup)(struct db *db, const char *dest, char *err, size_t errlen);
    enum db_result (*secure_delete)(struct db *db);
    enum db_result (*truncate_wal)(struct db *db);
    int (*log_defer)(struct db *db);
    int (*log_sync)(struct db *db);
    int (*change_mark)(struct db *db, struct db_mark *out);

    struct db_stmt *(*prepare)(struct db *db, const char *sql);
    void (*finalize)(struct db_stmt *s);
    int (*param_count)(struct db_stmt *s);
    void (*reset)(struct db_stmt *s);
    int (*bind_int64)(struct db_stmt *s, int idx, int64_t v);
    int (*bind_text)(struct db_stmt *s, int idx, const char *v);
    int (*bind_blob)(struct db_stmt *s, int idx, const void *p, size_t n);
    int (*bind_null)(struct db_stmt *s, int idx, enum db_type type);
    enum db_result (*step)(struct db_stmt *s);
    bool (*col_null)(struct db_stmt *s, int col);
    int64_t (*col_int64)(struct db_stmt *s, int col);
    double (*col_double)(struct db_stmt *s, int col);
    const char *(*col_text)(struct db_stmt *s, int col);
    const void *(*col_blob)(struct db_stmt *s, int col);
    size_t (*col_bytes)(struct db_stmt *s, int col);
};

/* The first member of every engine's connection and statement structs. */
struct db {
    const struct db_engine *engine;
};
struct db_stmt {
    const struct db_engine *engine;
};

/* The engines' constructors (same contract as db_open()). */
void db_sqlite_process_init(void);
int db_sqlite_open(const char *path, unsigned busy_ms, struct db **out, char *err,
                   size_t errlen);
int db_pg_open(const char *url, unsigned busy_ms, struct db **out, char *err, size_t errlen);
int db_sqlite_file_migrated(const char *path);

#endif
