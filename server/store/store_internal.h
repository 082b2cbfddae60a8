/* store_internal — what the store's own files share (store.c, store_*.c), never included
 * elsewhere.
 *
 * The store is one module in several files, one per area of the schema (store.c: the
 * connection, statements, transactions, locks, migrations; store_content.c,
 * store_citizens.c, store_progress.c, store_journal.c, store_api.c and the others name
 * their area; store_copy.c moves an installation between engines).  They share the connection struct and the statement helpers below;
 * everything they offer the rest of the program is declared in store.h.
 */
#ifndef VEJLED_STORE_INTERNAL_H
#define VEJLED_STORE_INTERNAL_H


#include "db.h"
#include "store.h"

#define STORE_CACHE_SLOTS 256

struct store_cached {
    const char *sql; /* the string literal's address is the key */
    struct db_stmt *stmt;
};

/* Keys of db_serialize(): what a write transaction takes before it reads what it will
 * extend (PostgreSQL advisory locks; nothing on SQLite, which has one writer). */
#define STORE_LOCK_MIGRATE 0x76656a6c0001LL /* applying migrations */
#define STORE_LOCK_JOURNAL 0x76656a6c0002LL /* appending to the journal's chain */

struct store_memo;

struct store {
    struct db *db;
    struct store_cached cache[STORE_CACHE_SLOTS];
    unsigned busy_timeout_ms;
    int reading; /* a store_read_begin() snapshot is wanted: its BEGIN runs before the first
                  * statement (store_stmt), so a read that needs none takes no lock */
    int began;   /* ... and has begun */
    struct store_memo *memo; /* store_remember(): what was read, while nothing changes */
};

/* Logs what failed with SQLite's message for the connection. */
void store_log(struct store *st, const char *what);

/* Maps a db_result (db.h) to a store status. */
enum store_status store_status_of(int rc);

/* Returns the cached statement for sql (a string literal), reset and with bindings
 * cleared, then binds the arguments described by fmt:
 *   i int64   I int64, NULL when 0   t text (NULL → NULL)   b blob (pointer, size_t)
 * A count mismatch between fmt and the statement is a programming error: abort.
 * NULL (logged) when preparing or binding fails.  The statement stays owned by st. */
struct db_stmt *store_stmt(struct store *st, const char *sql, const char *fmt, ...);

/* Steps a statement that returns no rows, then resets it. */
enum store_status store_done(struct store *st, struct db_stmt *stmt);
/* rc, or STORE_NOT_FOUND when it is STORE_OK and the last statement changed no row. */
static inline enum store_status store_changed(struct store *st, enum store_status rc)
{
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

/* Steps to the first row: STORE_OK with the row current (the caller resets the statement
 * after reading it), STORE_NOT_FOUND, or an error. */
enum store_status store_row(struct store *st, struct db_stmt *stmt);

/* Column text as a new string ("" for NULL); the caller frees it. */
char *store_col_dup(struct db_stmt *stmt, int col);

/* Column text copied (truncated) into out[n]. */
void store_col_copy(struct db_stmt *stmt, int col, char *out, size_t n);

/* The columns store_enrolment_read() reads, with the joins they need; append a WHERE. */
#define STORE_ENROLMENT_COLUMNS                                                             \
    "e.id, e.uuid, e.citizen_id, c.uuid, e.group_id, e.pack_id, p.version,"                 \
    " e.caseworker, CASE WHEN e.language_tag <> '' THEN e.language_tag ELSE e.language END,"  \
    " e.first_meeting_at, e.token_expires_at, e.created_at,"                                \
    " e.opened_at, e.completed_at, e.declined_at, e.closed_at, e.oral_guidance_at,"         \
    " (SELECT mh.held_at FROM meetings mh WHERE mh.enrolment_id = e.id)"
#define STORE_ENROLMENT_FROM                                                                \
    " FROM enrolments e JOIN citizens c ON c.id = e.citizen_id JOIN packs p ON p.id = e.pack_id"
#define STORE_ENROLMENT_SELECT "SELECT " STORE_ENROLMENT_COLUMNS STORE_ENROLMENT_FROM

/* Reads a row of STORE_ENROLMENT_SELECT into e. */
void store_enrolment_read(struct db_stmt *s, struct model_enrolment *e);

/* ---- remembered reads (store_memo.c) ----
 * A store that remembers (store_remember()) keeps the last few sessions' enrolments,
 * enrolments' progress and target groups it read, each tagged with the database's change
 * mark (db_change_mark()) taken before it was read, and gives them again without a query
 * while the mark is the same: a commit on any connection of any process forgets them all.
 * Why a remembered answer is as true as a query's: what was read after mark T shows a
 * state D no older than T, and no newer than the state when it is given again; given
 * again only while the mark is still T, nothing committed in between, so D is T's state,
 * which is still the newest.  In a read snapshot (store_read_begin) the mark is the one
 * taken before it began (its statements see no older state), and remembered answers are
 * given only before its first statement (after it the snapshot may be newer than the
 * mark).  A page that finds part of what it reads remembered and reads the rest from the
 * database sees the part as of its read's start and the rest as of its first statement,
 * microseconds later.  Never inside a write transaction (db_change_mark refuses: its
 * reads may be its own uncommitted writes).
 * Each getter: 1 with *out filled (the caller's, freed as a fresh read is), or 0.  Each
 * putter copies what it is given. */
struct model_group;
struct model_progress;
/* The mark a read is tagged with now; 0, or -1 when nothing is remembered (SQLite only,
 * store_remember() on, outside a write transaction). */
int store_memo_mark(struct store *st, struct db_mark *m);
int store_memo_session(struct store *st, const struct db_mark *m, const char *id_hash,
                       int64_t now, struct model_enrolment *out, bool *used);
void store_memo_put_session(struct store *st, const struct db_mark *m, const char *id_hash,
                            int64_t expires_at, const struct model_enrolment *e, bool used);
int store_memo_progress(struct store *st, const struct db_mark *m, int64_t enrolment_id,
                        struct model_progress *out);
void store_memo_put_progress(struct store *st, const struct db_mark *m, int64_t enrolment_id,
                             const struct model_progress *pr);
int store_memo_group(struct store *st, const struct db_mark *m, int64_t id,
                     struct model_group *out);
void store_memo_put_group(struct store *st, const struct db_mark *m, int64_t id,
                          const struct model_group *g);
/* Called by store_read_begin (before the snapshot) and store_read_end (after it). */
void store_memo_read_begin(struct store *st);
void store_memo_read_end(struct store *st);
/* Frees the memo; NULL memo is fine. */
void store_memo_free(struct store_memo *memo);

/* Appends the enrolment's video views to *views (store_watch.c; freed with
 * model_progress_clear). */
enum store_status store_views_read(struct store *st, int64_t enrolment_id,
                                   struct model_view **views, size_t *n);

#endif
