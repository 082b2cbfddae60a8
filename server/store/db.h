/* db — the two database engines behind one small statement interface; the store's own.
 *
 * The store (store.h) writes its queries once, in the SQL both engines understand, and
 * runs them through this interface; the engine behind a connection is SQLite
 * (store/sqlite/db_sqlite.c, a file path) or PostgreSQL (store/pg/db_pg.c, a
 * postgresql:// URL).  Nothing outside server/store/ includes this header, and nothing
 * outside its own folder includes sqlite3.h or libpq-fe.h.
 *
 * Placeholders are SQLite's: `?` (the next number) and `?N` (number N, 1-based; a later
 * bare `?` takes the highest number used so far plus one).  The PostgreSQL driver rewrites
 * them to $N outside quoted strings and comments.  Where the dialects really differ the
 * store passes each engine its own text (db_dialect()).
 *
 * A statement belongs to its connection and is used by one thread at a time.  Ownership:
 * db_open() gives a connection that db_close() frees; db_prepare() a statement that
 * db_finalize() frees; text and blob pointers read from a row are borrowed from the
 * statement and valid until its next db_step(), db_reset() or db_finalize().
 */
#ifndef VEJLED_DB_H
#define VEJLED_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_dialect { DB_SQLITE, DB_POSTGRES };

/* What a step or an exec came to. */
enum db_result {
    DB_ROW = 0,        /* a row is current */
    DB_DONE = 1,       /* finished (no more rows / no rows) */
    DB_BUSY = 2,       /* locked, serialization failure or deadlock: run the transaction again */
    DB_CONSTRAINT = 3, /* a constraint or a guard (trigger) said no */
    DB_ERROR = 4,      /* anything else; db_errmsg() says what */
    DB_FULL = 5        /* the disk (or the database's quota) is full: nothing was written,
                        * and trying again helps only once space is freed */
};

/* The type of a bound parameter (PostgreSQL needs it for a NULL and to prepare). */
enum db_type { DB_INT64, DB_TEXT, DB_BLOB };

/* How a transaction begins. */
enum db_begin {
    DB_BEGIN_WRITE, /* SQLite BEGIN IMMEDIATE; PostgreSQL BEGIN (read committed) */
    DB_BEGIN_READ   /* one consistent snapshot for reads: SQLite BEGIN (deferred);
                     * PostgreSQL BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY */
};

struct db;
struct db_stmt;

#ifdef VEJLED_TESTING
/* Test builds: how many statements this thread has run so far (every db_step, db_exec and
 * db_begin), so that a test can see a page ask the database nothing it remembered. */
uint64_t db_thread_statements(void);
#endif

/* Once per process, before anything opens a database (or registers an SQLite VFS): the
 * engines' process-wide settings. */
void db_process_init(void);

/* True when target names a PostgreSQL database (postgresql:// or postgres://). */
bool db_is_postgres_url(const char *target);

/* Whether the SQLite file at target holds vejled's bookkeeping table (schema_migrations),
 * read without changing the file in any way (opened read-only, no pragma): 1, 2 (a database
 * without a table yet: an empty file, or one only its header was written to), 0 (another
 * program's database, not a database at all), -1 when it cannot be read.
 * A PostgreSQL URL: -1 (connecting changes nothing there; the schema is checked after). */
int db_file_migrated(const char *target);

/* Opens target: a PostgreSQL URL, else an SQLite file path (created if missing, WAL,
 * synchronous=FULL, foreign keys on).  busy_ms: how long SQLite waits for a lock, and for
 * PostgreSQL the lock_timeout of a statement.  0 and *out, or -1 with err (the URL's
 * password never appears in err). */
int db_open(const char *target, unsigned busy_ms, struct db **out, char *err, size_t errlen);
/* Closes; NULL is fine.  Every statement of the connection must be finalized first. */
void db_close(struct db *db);
/* A PostgreSQL connection that was lost is opened again by the next db_exec(), db_begin()
 * or first db_step() outside a transaction (its statements are prepared again); inside a
 * transaction the loss is DB_ERROR and the transaction is gone. */

enum db_dialect db_dialect(const struct db *db);
/* The last error of the connection, for the log (never NULL; borrowed). */
const char *db_errmsg(struct db *db);

/* Runs SQL without parameters: several statements separated by ';' (migrations, BEGIN,
 * COMMIT, SAVEPOINT …).  DB_DONE or a failure. */
enum db_result db_exec(struct db *db, const char *sql);
/* Begins a transaction of the given kind (see enum db_begin). */
enum db_result db_begin(struct db *db, enum db_begin kind);

/* Serialises the rest of the current write transaction against every other connection's
 * call with the same key (PostgreSQL: pg_advisory_xact_lock; SQLite: nothing, BEGIN
 * IMMEDIATE already admits one writer).  Call it before reading what the transaction will
 * extend (the journal's tail).  DB_DONE or a failure. */
enum db_result db_serialize(struct db *db, int64_t key);

/* ---- what only one engine can do ----
 * Copies the database online into a new file at dest, mode 0600, as of one moment while
 * writers go on (SQLite's backup API in one step); on failure no file is left.  PostgreSQL:
 * -1 with err naming pg_dump / pg_basebackup, which are the tools for it. */
int db_backup(struct db *db, const char *dest, char *err, size_t errlen);
/* From now on freed space is overwritten (SQLite PRAGMA secure_delete); PostgreSQL:
 * DB_DONE, nothing to do (dead rows are reclaimed by VACUUM; README). */
enum db_result db_secure_delete(struct db *db);
/* Moves the WAL into the database file and truncates it (SQLite); PostgreSQL: DB_DONE. */
enum db_result db_truncate_wal(struct db *db);

/* ---- commits whose sync comes later (group commit's pipeline, store/writer.c) ----
 * From now on a COMMIT on this connection returns once the transaction is written to the
 * database's log, before the log is on disk (SQLite: WAL with synchronous=NORMAL), so
 * that the next transaction can run while db_log_sync() waits for the disk.  Such a
 * commit is visible to other connections at once but survives a power cut only once a
 * db_log_sync() that began after it has returned.  SQLite also moves the connection's
 * checkpoints to a thread of its own (db_sqlite.c).  Call on the connection's own thread.
 * 0, or -1 when the engine has no such mode and its commits stay durable when they
 * return (PostgreSQL, synchronous_commit = on). */
int db_log_defer(struct db *db);
/* Makes every commit in the database's log so far durable: SQLite syncs the WAL file
 * (through the VFS, so the test build's slow-sync and power-cut VFS see it), which holds
 * every connection's commits in order; PostgreSQL has nothing to do.  Unlike the rest of
 * this interface it may run on another thread while the connection's own thread goes on
 * using the connection, once db_log_defer() has succeeded; otherwise on the connection's
 * own thread.  0, or -1 when the sync failed (what the log holds may then be lost). */
int db_log_sync(struct db *db);

/* ---- knowing without a query that nothing has changed ----
 * A mark of the database's committed state: two equal marks read on one connection mean
 * that no transaction committed in between, on any connection of any process.  SQLite:
 * the WAL index header in the shared memory all connections to the file map (a copy of
 * 48 bytes, no lock and no system call; its layout is part of SQLite's documented WAL
 * format, and connections of different versions share it).  What the connection reads
 * after taking a mark, outside a transaction or in one begun after it, is at least as new
 * as the mark.  0 with *out set, or -1 when it cannot tell: PostgreSQL (only the server
 * knows), the connection is inside a transaction (what it reads may be older than now,
 * or its own uncommitted writes), not in WAL mode, or a commit was writing the header at
 * that moment. */
#define DB_MARK_LEN 48
struct db_mark {
    unsigned char b[DB_MARK_LEN];
};
int db_change_mark(struct db *db, struct db_mark *out);

/* Rows changed by the last INSERT, UPDATE or DELETE run on the connection. */
int64_t db_changes(struct db *db);

/* A prepared statement for sql (see the placeholders above); NULL when it cannot be
 * prepared (db_errmsg()).  PostgreSQL may prepare on the server only at the first step,
 * with the parameter types bound then. */
struct db_stmt *db_prepare(struct db *db, const char *sql);
void db_finalize(struct db_stmt *s);
/* How many parameters the statement takes. */
int db_param_count(struct db_stmt *s);
/* Forgets the current result and every binding; the statement can run again. */
void db_reset(struct db_stmt *s);

/* Bind parameter idx (1-based).  Text and blobs are copied.  0, or -1 (db_errmsg()). */
int db_bind_int64(struct db_stmt *s, int idx, int64_t v);
int db_bind_text(struct db_stmt *s, int idx, const char *v);
int db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n);
int db_bind_null(struct db_stmt *s, int idx, enum db_type type);

/* Runs the statement (first call) or moves to the next row: DB_ROW, DB_DONE or a
 * failure.  After DB_DONE or a failure the statement needs db_reset() to run again. */
enum db_result db_step(struct db_stmt *s);

/* The current row's columns (0-based).  NULL reads as 0, "" (text: see db_col_null), an
 * empty blob.  A PostgreSQL boolean reads as 1 or 0. */
bool db_col_null(struct db_stmt *s, int col);
int64_t db_col_int64(struct db_stmt *s, int col);
int db_col_int(struct db_stmt *s, int col);
double db_col_double(struct db_stmt *s, int col);
/* NULL for SQL NULL, else the text (borrowed, NUL-terminated). */
const char *db_col_text(struct db_stmt *s, int col);
/* The bytes of a blob (or of a text); NULL when empty.  Borrowed. */
const void *db_col_blob(struct db_stmt *s, int col);
size_t db_col_bytes(struct db_stmt *s, int col);

#endif
