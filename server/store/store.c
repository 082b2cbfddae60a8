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
    default: return STORE_ERROR;
    }
}

/* Returns the cached statement for sql (a string literal), reset and with bindings
 * cleared, then binds the arguments described by fmt:
 *   i int64   I int64, NULL when 0   t text (NULL → NULL)   b blob (pointer, size_t)
 * A count mismatch between fmt and the statement is a programming error: abort. */
struct db_stmt *store_stmt(struct store *st, const char *sql, const char *fmt, ...)
{
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
    if (s == STORE_ERROR)
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
    if (s == STORE_ERROR)
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
    db_close(st->db);
    free(st);
}

bool store_is_postgres(const struct store *st) { return db_dialect(st->db) == DB_POSTGRES; }

bool store_target_is_postgres(const char *target) { return db_is_postgres_url(target); }

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
    if (db_begin(st->db, DB_BEGIN_READ) != DB_DONE) {
        store_log(st, "begin");
        return -1;
    }
    st->reading = 1;
    return 0;
}

void store_read_end(struct store *st)
{
    if (!st->reading)
        return;
    st->reading = 0;
    /* a read-only transaction: COMMIT only lets go of the snapshot */
    if (db_exec(st->db, "COMMIT") != DB_DONE)
        db_exec(st->db, "ROLLBACK");
}

static void store_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
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
    unsigned waited = 0, pause = 2;
    store_read_end(st); /* a write starts from the newest state, never a read snapshot */
    for (;;) {
        enum store_status rc = store_write_begin(st);
        if (rc == STORE_OK) {
            st->writing = 1;
            rc = fn(st, arg);
            st->writing = 0;
            if (rc == STORE_OK) {
                rc = store_status_of(db_exec(st->db, "COMMIT"));
                if (rc == STORE_OK)
                    return STORE_OK;
            }
            db_exec(st->db, "ROLLBACK");
        }
        if (rc != STORE_BUSY || waited >= st->busy_timeout_ms)
            return rc;
        store_sleep_ms(pause);
        waited += pause;
        pause = pause < 64 ? pause * 2 : 64;
    }
}

enum store_status store_lock(struct store *st, const char *name)
{
    /* FNV-1a of the name, its top bit cleared: the key space of STORE_LOCK_* stays apart
     * in practice, and a collision costs only a wait */
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    if (db_serialize(st->db, (int64_t)(h >> 1)) != DB_DONE) {
        store_log(st, "lock");
        return STORE_BUSY;
    }
    return STORE_OK;
}

/* ---- group commit (used by writer.c) ---- */

enum store_status store_txn_batch(struct store *st, size_t n, const store_txn_fn *fns,
                                  void *const *args, enum store_status *results)
{
    unsigned waited = 0, pause = 2;
    for (;;) {
        enum store_status rc = store_write_begin(st);
        st->writing = rc == STORE_OK;
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
        st->writing = 0;
        if (rc == STORE_OK) {
            rc = store_status_of(db_exec(st->db, "COMMIT"));
            if (rc == STORE_OK)
                return STORE_OK;
        }
        db_exec(st->db, "ROLLBACK");
        if (rc != STORE_BUSY || waited >= st->busy_timeout_ms) {
            for (size_t i = 0; i < n; i++)
                results[i] = rc;
            return rc;
        }
        store_sleep_ms(pause);
        waited += pause;
        pause = pause < 64 ? pause * 2 : 64;
    }
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
     * (PostgreSQL, README "Roles") starts on a database its owner has migrated */
    if (db_exec(st->db, "SELECT 1 FROM schema_migrations LIMIT 1") != DB_DONE &&
        db_exec(st->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                        " applied_at BIGINT NOT NULL)") != DB_DONE) {
        snprintf(err, errlen, "cannot create schema_migrations: %s", db_errmsg(st->db));
        goto out;
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
        /* Several servers may start at once on one PostgreSQL database: the first one
         * migrates, the others wait for it and then find the version applied. */
        if (db_begin(st->db, DB_BEGIN_WRITE) != DB_DONE ||
            db_serialize(st->db, STORE_LOCK_MIGRATE) != DB_DONE) {
            snprintf(err, errlen, "migration %s failed: %s", names[i], db_errmsg(st->db));
            db_exec(st->db, "ROLLBACK");
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

/* ------------------------------------------------------------------ content */

enum store_status store_group_upsert(struct store *st, const struct model_group *g,
                                     int64_t now, int64_t *id)
{
    struct db_stmt *s = store_stmt(
        st,
        "INSERT INTO target_groups(slug, name_da, name_en, description_da, description_en,"
        " resend_months, enabled, created_at) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT(slug) DO UPDATE SET name_da = excluded.name_da, name_en = excluded.name_en,"
        " description_da = excluded.description_da, description_en = excluded.description_en"
        " RETURNING id",
        "tttttiii", g->slug, g->name[LANG_DA], g->name[LANG_EN], g->description[LANG_DA],
        g->description[LANG_EN], (int64_t)g->resend_months, (int64_t)g->enabled, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

#define STORE_GROUP_COLS \
    "id, slug, name_da, name_en, description_da, description_en, resend_months, enabled"

static void store_group_read(struct db_stmt *s, struct model_group *g)
{
    memset(g, 0, sizeof *g);
    g->id = db_col_int64(s, 0);
    store_col_copy(s, 1, g->slug, sizeof g->slug);
    g->name[LANG_DA] = store_col_dup(s, 2);
    g->name[LANG_EN] = store_col_dup(s, 3);
    g->description[LANG_DA] = store_col_dup(s, 4);
    g->description[LANG_EN] = store_col_dup(s, 5);
    g->resend_months = db_col_int(s, 6);
    g->enabled = db_col_int(s, 7) != 0;
}

enum store_status store_group_by_slug(struct store *st, const char *slug,
                                      struct model_group *out)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT " STORE_GROUP_COLS " FROM target_groups WHERE slug = ?", "t", slug);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_group_read(s, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_group_by_id(struct store *st, int64_t id, struct model_group *out)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT " STORE_GROUP_COLS " FROM target_groups WHERE id = ?", "i", id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_group_read(s, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_group_list(struct store *st, struct model_group **out, size_t *n)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT " STORE_GROUP_COLS " FROM target_groups ORDER BY slug", "");
    *out = NULL;
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        store_group_read(s, &(*out)[(*n)++]);
    }
    db_reset(s);
    return rc == DB_DONE ? STORE_OK : store_status_of(rc);
}

/* Inserts p's videos, questions and options under pack p->id; fills their ids. */
static enum store_status store_pack_insert_videos(struct store *st, struct model_pack *p)
{
    struct db_stmt *s;
    enum store_status rc;
    for (size_t vi = 0; vi < p->n_videos; vi++) {
        struct model_video *v = &p->videos[vi];
        s = store_stmt(
            st,
            "INSERT INTO videos(pack_id, position, slug, title_da, title_en, summary_da,"
            " summary_en, media, duration_s, captions_da, captions_en, transcript_da,"
            " transcript_en, legal_basis, valid_from, valid_to)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            "iittttttittttttt", p->id, (int64_t)vi + 1, v->slug, v->title[LANG_DA],
            v->title[LANG_EN], v->summary[LANG_DA], v->summary[LANG_EN], v->media,
            (int64_t)v->duration_s, v->captions[LANG_DA], v->captions[LANG_EN],
            v->transcript[LANG_DA], v->transcript[LANG_EN], v->legal_basis, v->valid_from,
            v->valid_to);
        if ((rc = store_row(st, s)) != STORE_OK)
            return rc;
        v->id = db_col_int64(s, 0);
        db_reset(s);
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            struct model_question *q = &v->questions[qi];
            s = store_stmt(
                st,
                "INSERT INTO questions(video_id, position, slug, kind, topic_key, topic_da,"
                " topic_en, text_da, text_en, explanation_da, explanation_en)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                "iittttttttt", v->id, (int64_t)qi + 1, q->slug,
                q->multiple ? "multiple" : "single", q->topic_key, q->topic[LANG_DA],
                q->topic[LANG_EN], q->text[LANG_DA], q->text[LANG_EN], q->explanation[LANG_DA],
                q->explanation[LANG_EN]);
            if ((rc = store_row(st, s)) != STORE_OK)
                return rc;
            q->id = db_col_int64(s, 0);
            db_reset(s);
            for (size_t oi = 0; oi < q->n_options; oi++) {
                struct model_option *o = &q->options[oi];
                s = store_stmt(st,
                               "INSERT INTO options(question_id, position, text_da, text_en,"
                               " correct) VALUES (?,?,?,?,?) RETURNING id",
                               "iitti", q->id, (int64_t)oi + 1, o->text[LANG_DA],
                               o->text[LANG_EN], (int64_t)o->correct);
                if ((rc = store_row(st, s)) != STORE_OK)
                    return rc;
                o->id = db_col_int64(s, 0);
                db_reset(s);
            }
        }
    }
    return STORE_OK;
}

enum store_status store_pack_insert(struct store *st, struct model_pack *p, int64_t now)
{
    char *tr = p->translations ? json_dumps(p->translations, JSON_COMPACT | JSON_SORT_KEYS)
                               : NULL;
    struct db_stmt *s = store_stmt(
        st,
        "INSERT INTO packs(group_id, version, state, example_content, legal_basis, valid_from,"
        " valid_to, guidance_da, guidance_en, created_at) VALUES (?,?,'draft',?,?,?,?,?,?,?)"
        " RETURNING id",
        "iiittttti", p->group_id, (int64_t)p->version, (int64_t)p->example_content,
        p->legal_basis, p->valid_from, p->valid_to, p->guidance[LANG_DA], p->guidance[LANG_EN],
        now);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK) {
        free(tr);
        return rc;
    }
    p->id = db_col_int64(s, 0);
    db_reset(s);
    /* only a pack with translations names the column (added by migration 0014) */
    if (tr) {
        rc = store_done(st, store_stmt(st, "UPDATE packs SET translations = ? WHERE id = ?", "ti",
                                       tr, p->id));
        free(tr);
        if (rc != STORE_OK)
            return rc;
    }
    snprintf(p->state, sizeof p->state, "draft");
    return store_pack_insert_videos(st, p);
}

enum store_status store_draft_replace(struct store *st, struct model_pack *p)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT 1 FROM packs WHERE id = ? AND state = 'draft'", "i", p->id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    db_reset(s);
    static const char *const del[] = {
        ("DELETE FROM options WHERE question_id IN (SELECT q.id FROM questions q"
         " JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ?)"),
        "DELETE FROM questions WHERE video_id IN (SELECT id FROM videos WHERE pack_id = ?)",
        "DELETE FROM videos WHERE pack_id = ?",
    };
    for (size_t i = 0; rc == STORE_OK && i < sizeof del / sizeof del[0]; i++)
        rc = store_done(st, store_stmt(st, del[i], "i", p->id));
    return rc == STORE_OK ? store_pack_insert_videos(st, p) : rc;
}

enum store_status store_pack_publish(struct store *st, int64_t pack_id, const char *hash,
                                     int64_t now)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE packs SET state = 'retired', retired_at = ?"
                       " WHERE state = 'published' AND group_id ="
                       " (SELECT group_id FROM packs WHERE id = ?)",
                       "ii", now, pack_id));
    if (rc != STORE_OK)
        return rc;
    return store_done(st, store_stmt(st,
                                     "UPDATE packs SET state = 'published', published_at = ?,"
                                     " content_hash = ? WHERE id = ? AND state = 'draft'",
                                     "iti", now, hash, pack_id));
}

enum store_status store_pack_published_id(struct store *st, int64_t group_id, int64_t *id)
{
    struct db_stmt *s = store_stmt(
        st, "SELECT id FROM packs WHERE group_id = ? AND state = 'published'", "i", group_id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_pack_load(struct store *st, int64_t pack_id, struct model_pack **out)
{
    struct model_pack *p = NULL;
    enum store_status rc;
    struct db_stmt *s = store_stmt(
        st,
        "SELECT id, group_id, version, state, example_content, legal_basis, valid_from,"
        " valid_to, guidance_da, guidance_en, content_hash, translations FROM packs WHERE id = ?",
        "i", pack_id);
    if ((rc = store_row(st, s)) != STORE_OK)
        return rc;
    p = xcalloc(1, sizeof *p);
    p->id = db_col_int64(s, 0);
    p->group_id = db_col_int64(s, 1);
    p->version = db_col_int(s, 2);
    store_col_copy(s, 3, p->state, sizeof p->state);
    p->example_content = db_col_int(s, 4) != 0;
    p->legal_basis = store_col_dup(s, 5);
    store_col_copy(s, 6, p->valid_from, sizeof p->valid_from);
    store_col_copy(s, 7, p->valid_to, sizeof p->valid_to);
    p->guidance[LANG_DA] = store_col_dup(s, 8);
    p->guidance[LANG_EN] = store_col_dup(s, 9);
    store_col_copy(s, 10, p->content_hash, sizeof p->content_hash);
    const char *tr = (const char *)db_col_text(s, 11);
    p->translations = tr ? json_loads(tr, 0, NULL) : NULL;
    if (p->translations && (!json_is_object(p->translations) ||
                            json_object_size(p->translations) == 0)) {
        json_decref(p->translations);
        p->translations = NULL;
    }
    db_reset(s);

    s = store_stmt(st,
                   "SELECT id, slug, title_da, title_en, summary_da, summary_en, media,"
                   " duration_s, captions_da, captions_en, transcript_da, transcript_en,"
                   " legal_basis, valid_from, valid_to FROM videos WHERE pack_id = ?"
                   " ORDER BY position",
                   "i", pack_id);
    if (!s)
        goto fail;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        p->videos = xrealloc(p->videos, (p->n_videos + 1) * sizeof *p->videos);
        struct model_video *v = &p->videos[p->n_videos++];
        memset(v, 0, sizeof *v);
        v->id = db_col_int64(s, 0);
        store_col_copy(s, 1, v->slug, sizeof v->slug);
        v->title[LANG_DA] = store_col_dup(s, 2);
        v->title[LANG_EN] = store_col_dup(s, 3);
        v->summary[LANG_DA] = store_col_dup(s, 4);
        v->summary[LANG_EN] = store_col_dup(s, 5);
        v->media = store_col_dup(s, 6);
        v->duration_s = db_col_int(s, 7);
        v->captions[LANG_DA] = store_col_dup(s, 8);
        v->captions[LANG_EN] = store_col_dup(s, 9);
        v->transcript[LANG_DA] = store_col_dup(s, 10);
        v->transcript[LANG_EN] = store_col_dup(s, 11);
        v->legal_basis = store_col_dup(s, 12);
        store_col_copy(s, 13, v->valid_from, sizeof v->valid_from);
        store_col_copy(s, 14, v->valid_to, sizeof v->valid_to);
    }
    db_reset(s);
    if (r != DB_DONE)
        goto fail;

    for (size_t vi = 0; vi < p->n_videos; vi++) {
        struct model_video *v = &p->videos[vi];
        s = store_stmt(st,
                       "SELECT id, slug, kind, topic_key, topic_da, topic_en, text_da, text_en,"
                       " explanation_da, explanation_en FROM questions WHERE video_id = ?"
                       " ORDER BY position",
                       "i", v->id);
        if (!s)
            goto fail;
        while ((r = db_step(s)) == DB_ROW) {
            v->questions = xrealloc(v->questions, (v->n_questions + 1) * sizeof *v->questions);
            struct model_question *q = &v->questions[v->n_questions++];
            memset(q, 0, sizeof *q);
            q->id = db_col_int64(s, 0);
            store_col_copy(s, 1, q->slug, sizeof q->slug);
            q->multiple = strcmp((const char *)db_col_text(s, 2), "multiple") == 0;
            store_col_copy(s, 3, q->topic_key, sizeof q->topic_key);
            q->topic[LANG_DA] = store_col_dup(s, 4);
            q->topic[LANG_EN] = store_col_dup(s, 5);
            q->text[LANG_DA] = store_col_dup(s, 6);
            q->text[LANG_EN] = store_col_dup(s, 7);
            q->explanation[LANG_DA] = store_col_dup(s, 8);
            q->explanation[LANG_EN] = store_col_dup(s, 9);
        }
        db_reset(s);
        if (r != DB_DONE)
            goto fail;
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            struct model_question *q = &v->questions[qi];
            s = store_stmt(st,
                           "SELECT id, text_da, text_en, correct FROM options"
                           " WHERE question_id = ? ORDER BY position",
                           "i", q->id);
            if (!s)
                goto fail;
            while ((r = db_step(s)) == DB_ROW) {
                q->options = xrealloc(q->options, (q->n_options + 1) * sizeof *q->options);
                struct model_option *o = &q->options[q->n_options++];
                memset(o, 0, sizeof *o);
                o->id = db_col_int64(s, 0);
                o->text[LANG_DA] = store_col_dup(s, 1);
                o->text[LANG_EN] = store_col_dup(s, 2);
                o->correct = db_col_int(s, 3) != 0;
            }
            db_reset(s);
            if (r != DB_DONE)
                goto fail;
        }
    }
    *out = p;
    return STORE_OK;
fail:
    store_log(st, "load pack");
    model_pack_free(p);
    return STORE_ERROR;
}

/* ------------------------------------------------------------------ citizens */

static void store_citizen_read(struct db_stmt *s, struct model_citizen *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_col_int64(s, 0);
    store_col_copy(s, 1, c->uuid, sizeof c->uuid);
    c->name = store_col_dup(s, 2);
    c->email = db_col_null(s, 3) ? NULL : store_col_dup(s, 3);
}

enum store_status store_citizen_by_lookup(struct store *st, const char *lookup,
                                          struct model_citizen *out)
{
    struct db_stmt *s = store_stmt(
        st, "SELECT id, uuid, name, email FROM citizens WHERE cpr_lookup = ?", "t", lookup);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_citizen_read(s, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_citizen_by_uuid(struct store *st, const char *uuid,
                                        struct model_citizen *out)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT id, uuid, name, email FROM citizens WHERE uuid = ?", "t", uuid);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_citizen_read(s, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_citizen_insert(struct store *st, const char *uuid, const char *lookup,
                                       const void *box, size_t boxlen, const char *name,
                                       const char *email, int64_t now, int64_t *id)
{
    struct db_stmt *s = store_stmt(st,
                                 "INSERT INTO citizens(uuid, cpr_lookup, cpr_box, name, email,"
                                 " created_at) VALUES (?,?,?,?,?,?) RETURNING id",
                                 "ttbtti", uuid, lookup, box, boxlen, name, email, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_enrolment_insert(struct store *st, struct model_enrolment *e,
                                         const char *token_hash)
{
    struct db_stmt *s = store_stmt(
        st,
        "INSERT INTO enrolments(uuid, citizen_id, group_id, pack_id, caseworker, language,"
        " language_tag, first_meeting_at, token_hash, token_expires_at, created_at)"
        " VALUES (?,?,?,?,?,CASE WHEN ?6 IN ('da', 'en') THEN ?6 ELSE 'da' END,?6,?,?,?,?)"
        " RETURNING id",
        "tiiittitii", e->uuid, e->citizen_id, e->group_id, e->pack_id, e->caseworker,
        e->language, e->first_meeting_at, token_hash, e->token_expires_at, e->created_at);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        e->id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

void store_enrolment_read(struct db_stmt *s, struct model_enrolment *e)
{
    memset(e, 0, sizeof *e);
    e->id = db_col_int64(s, 0);
    store_col_copy(s, 1, e->uuid, sizeof e->uuid);
    e->citizen_id = db_col_int64(s, 2);
    store_col_copy(s, 3, e->citizen_uuid, sizeof e->citizen_uuid);
    e->group_id = db_col_int64(s, 4);
    e->pack_id = db_col_int64(s, 5);
    e->pack_version = db_col_int(s, 6);
    store_col_copy(s, 7, e->caseworker, sizeof e->caseworker);
    store_col_copy(s, 8, e->language, sizeof e->language);
    e->first_meeting_at = db_col_int64(s, 9);
    e->token_expires_at = db_col_int64(s, 10);
    e->created_at = db_col_int64(s, 11);
    e->opened_at = db_col_int64(s, 12);
    e->completed_at = db_col_int64(s, 13);
    e->declined_at = db_col_int64(s, 14);
    e->closed_at = db_col_int64(s, 15);
    e->oral_guidance_at = db_col_int64(s, 16);
}

static enum store_status store_enrolment_one(struct store *st, struct db_stmt *s,
                                             struct model_enrolment *out)
{
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_enrolment_read(s, out);
        db_reset(s);
    }
    return rc;
}

enum store_status store_enrolment_by_uuid(struct store *st, const char *uuid,
                                          struct model_enrolment *out)
{
    return store_enrolment_one(
        st, store_stmt(st, STORE_ENROLMENT_SELECT " WHERE e.uuid = ?", "t", uuid), out);
}

enum store_status store_enrolment_by_id(struct store *st, int64_t id,
                                        struct model_enrolment *out)
{
    return store_enrolment_one(
        st, store_stmt(st, STORE_ENROLMENT_SELECT " WHERE e.id = ?", "i", id), out);
}

enum store_status store_enrolment_open(struct store *st, int64_t citizen_id, int64_t group_id,
                                       struct model_enrolment *out)
{
    return store_enrolment_one(
        st,
        store_stmt(st,
                   STORE_ENROLMENT_SELECT
                   " WHERE e.citizen_id = ? AND e.group_id = ? AND e.closed_at IS NULL",
                   "ii", citizen_id, group_id),
        out);
}

enum store_status store_enrolment_by_token(struct store *st, const char *token_hash,
                                           struct model_enrolment *out)
{
    return store_enrolment_one(
        st, store_stmt(st, STORE_ENROLMENT_SELECT " WHERE e.token_hash = ?", "t", token_hash),
        out);
}

enum store_status store_enrolment_mark(struct store *st, int64_t id, const char *what,
                                       int64_t at)
{
    struct db_stmt *s;
    if (strcmp(what, "opened_at") == 0)
        s = store_stmt(st, "UPDATE enrolments SET opened_at = ? WHERE id = ? AND opened_at IS NULL",
                       "ii", at, id);
    else if (strcmp(what, "completed_at") == 0)
        s = store_stmt(st,
                       "UPDATE enrolments SET completed_at = ? WHERE id = ? AND completed_at IS NULL",
                       "ii", at, id);
    else if (strcmp(what, "declined_at") == 0)
        s = store_stmt(st,
                       "UPDATE enrolments SET declined_at = ? WHERE id = ? AND declined_at IS NULL",
                       "ii", at, id);
    else
        return STORE_ERROR;
    enum store_status rc = store_done(st, s);
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

enum store_status store_enrolment_set_token(struct store *st, int64_t id, const char *token_hash,
                                            int64_t expires_at)
{
    return store_done(st, store_stmt(st,
                                     "UPDATE enrolments SET token_hash = ?, token_expires_at = ?"
                                     " WHERE id = ?",
                                     "tii", token_hash, expires_at, id));
}

enum store_status store_enrolment_set_language(struct store *st, int64_t id, const char *lang)
{
    return store_done(
        st, store_stmt(st,
                       "UPDATE enrolments SET language_tag = ?1,"
                       " language = CASE WHEN ?1 IN ('da', 'en') THEN ?1 ELSE language END"
                       " WHERE id = ?2",
                       "ti", lang, id));
}

enum store_status store_session_insert(struct store *st, const char *id_hash,
                                       int64_t enrolment_id, int64_t now, int64_t expires)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO citizen_sessions(id_hash, enrolment_id,"
                                     " created_at, expires_at) VALUES (?,?,?,?)",
                                     "tiii", id_hash, enrolment_id, now, expires));
}

/* ------------------------------------------------------------------ progress
 * (sessions' first use and the video views are in store_watch.c) */

enum store_status store_answer_insert(struct store *st, int64_t enrolment_id,
                                      int64_t question_id, const char *chosen, int correct,
                                      int64_t now, int *attempt)
{
    /* two statements inside the caller's write transaction (BEGIN IMMEDIATE: no other
     * writer in between): a bare max() over the unique index's prefix is one index seek,
     * where INSERT … SELECT max() … FROM answers copied the rows read into a temporary
     * table first (it reads the table it writes) */
    struct db_stmt *s = store_stmt(st,
                                 "SELECT max(attempt) FROM answers"
                                 " WHERE enrolment_id = ? AND question_id = ?",
                                 "ii", enrolment_id, question_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc == STORE_NOT_FOUND ? STORE_ERROR : rc;
    int next = db_col_int(s, 0) + 1; /* NULL (no attempt yet) reads as 0 */
    db_reset(s);
    rc = store_done(st, store_stmt(st,
                                   "INSERT INTO answers(enrolment_id, question_id, attempt,"
                                   " chosen, correct, answered_at) VALUES (?,?,?,?,?,?)",
                                   "iiitii", enrolment_id, question_id, (int64_t)next, chosen,
                                   (int64_t)correct, now));
    if (rc == STORE_OK)
        *attempt = next;
    return rc;
}

enum store_status store_asked_set(struct store *st, int64_t enrolment_id, int64_t question_id,
                                  int on, int64_t now)
{
    enum store_status rc;
    if (on)
        rc = store_done(st, store_stmt(st,
                                       "INSERT INTO asked_topics(enrolment_id, question_id,"
                                       " asked_at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                                       "iii", enrolment_id, question_id, now));
    else
        rc = store_done(st, store_stmt(st,
                                       "DELETE FROM asked_topics WHERE enrolment_id = ?"
                                       " AND question_id = ?",
                                       "ii", enrolment_id, question_id));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

static enum store_status store_answers_read(struct store *st, struct db_stmt *s,
                                            struct model_answer **out, size_t *n)
{
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct model_answer *a = &(*out)[(*n)++];
        memset(a, 0, sizeof *a);
        a->question_id = db_col_int64(s, 0);
        a->attempt = db_col_int(s, 1);
        store_col_copy(s, 2, a->chosen, sizeof a->chosen);
        a->correct = db_col_int(s, 3) != 0;
        a->answered_at = db_col_int64(s, 4);
    }
    db_reset(s);
    if (r != DB_DONE) {
        store_log(st, "read answers");
        return store_status_of(r);
    }
    return STORE_OK;
}

enum store_status store_answered_count(struct store *st, int64_t enrolment_id, size_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT count(*) FROM answers WHERE enrolment_id = ?"
                                 " AND attempt = 1",
                                 "i", enrolment_id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *n = (size_t)db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_progress_load(struct store *st, int64_t enrolment_id,
                                      struct model_progress *out)
{
    memset(out, 0, sizeof *out);
    enum store_status rc = STORE_ERROR;
    struct db_stmt *s;
    int r;
    rc = store_views_read(st, enrolment_id, &out->views, &out->n_views);
    if (rc != STORE_OK)
        goto fail;
    rc = store_answers_read(st,
                            store_stmt(st,
                                       "SELECT question_id, attempt, chosen, correct, answered_at"
                                       " FROM answers WHERE enrolment_id = ? AND attempt = 1",
                                       "i", enrolment_id),
                            &out->first, &out->n_first);
    if (rc != STORE_OK)
        goto fail;
    rc = store_answers_read(
        st,
        store_stmt(st,
                   "SELECT a.question_id, a.attempt, a.chosen, a.correct, a.answered_at"
                   " FROM answers a WHERE a.enrolment_id = ?1 AND a.attempt ="
                   " (SELECT max(attempt) FROM answers b WHERE b.enrolment_id = ?1"
                   "  AND b.question_id = a.question_id)",
                   "i", enrolment_id),
        &out->latest, &out->n_latest);
    if (rc != STORE_OK)
        goto fail;
    s = store_stmt(st, "SELECT question_id FROM asked_topics WHERE enrolment_id = ?", "i",
                   enrolment_id);
    rc = STORE_ERROR;
    if (!s)
        goto fail;
    while ((r = db_step(s)) == DB_ROW) {
        out->asked = xrealloc(out->asked, (out->n_asked + 1) * sizeof *out->asked);
        out->asked[out->n_asked++] = db_col_int64(s, 0);
    }
    db_reset(s);
    if (r != DB_DONE)
        goto fail;
    return STORE_OK;
fail:
    model_progress_clear(out);
    return rc == STORE_OK ? STORE_ERROR : rc;
}

/* ------------------------------------------------------------------ journal */

enum store_status store_journal_tail(struct store *st, int64_t *seq,
                                     char hash[MODEL_HASH_HEX + 1])
{
    /* In a write transaction the tail is read to be extended: every other server's append
     * waits until this transaction ends, so the chain never forks (PostgreSQL: the lock is
     * taken when the transaction begins, see store_write_begin(); asking again here keeps
     * the rule where it is used.  SQLite: the transaction is the only writer already). */
    if (st->writing && db_serialize(st->db, STORE_LOCK_JOURNAL) != DB_DONE) {
        store_log(st, "journal lock");
        return STORE_BUSY;
    }
    struct db_stmt *s =
        store_stmt(st, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", "");
    enum store_status rc = store_row(st, s);
    if (rc == STORE_NOT_FOUND) {
        *seq = 0;
        hash[0] = '\0';
        return STORE_OK;
    }
    if (rc == STORE_OK) {
        *seq = db_col_int64(s, 0);
        store_col_copy(s, 1, hash, MODEL_HASH_HEX + 1);
        db_reset(s);
    }
    return rc;
}

enum store_status store_journal_insert(struct store *st, const struct store_journal_row *r)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO journal(seq, at, kind, actor, citizen_uuid,"
                                     " enrolment_uuid, data, prev_hash, hash)"
                                     " VALUES (?,?,?,?,?,?,?,?,?)",
                                     "itttttttt", r->seq, r->at, r->kind, r->actor,
                                     r->citizen_uuid, r->enrolment_uuid, r->data, r->prev_hash,
                                     r->hash));
}

enum store_status store_journal_each(struct store *st, const char *citizen_uuid,
                                     store_journal_cb cb, void *arg)
{
    struct db_stmt *s =
        citizen_uuid
            ? store_stmt(st,
                         "SELECT seq, at, kind, actor, citizen_uuid, enrolment_uuid, data,"
                         " prev_hash, hash FROM journal WHERE citizen_uuid = ? ORDER BY seq",
                         "t", citizen_uuid)
            : store_stmt(st,
                         "SELECT seq, at, kind, actor, citizen_uuid, enrolment_uuid, data,"
                         " prev_hash, hash FROM journal ORDER BY seq",
                         "");
    if (!s)
        return STORE_ERROR;
    int r;
    struct store_journal_row row;
    while ((r = db_step(s)) == DB_ROW) {
        memset(&row, 0, sizeof row);
        row.seq = db_col_int64(s, 0);
        store_col_copy(s, 1, row.at, sizeof row.at);
        store_col_copy(s, 2, row.kind, sizeof row.kind);
        store_col_copy(s, 3, row.actor, sizeof row.actor);
        store_col_copy(s, 4, row.citizen_uuid, sizeof row.citizen_uuid);
        store_col_copy(s, 5, row.enrolment_uuid, sizeof row.enrolment_uuid);
        const char *d = db_col_text(s, 6);
        row.data = d ? d : "";
        store_col_copy(s, 7, row.prev_hash, sizeof row.prev_hash);
        store_col_copy(s, 8, row.hash, sizeof row.hash);
        if (cb(&row, arg)) {
            db_reset(s);
            return STORE_OK;
        }
    }
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}

/* ------------------------------------------------------------------ jobs */

enum store_status store_job_insert(struct store *st, const char *kind, int64_t enrolment_id,
                                   const char *unique_key, int64_t due_at, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO jobs(kind, enrolment_id, unique_key, due_at,"
                                     " next_attempt_at, created_at) VALUES (?,?,?,?,?,?)"
                                     " ON CONFLICT(unique_key) DO NOTHING",
                                     "titiii", kind, enrolment_id, unique_key, due_at, due_at,
                                     now));
}

/* ------------------------------------------------------------------ API keys */

enum store_status store_apikey_insert(struct store *st, const char *name, const char *key_hash,
                                      int64_t now, int64_t *id)
{
    struct db_stmt *s = store_stmt(st,
                                 "INSERT INTO api_keys(name, key_hash, created_at)"
                                 " VALUES (?,?,?) RETURNING id",
                                 "tti", name, key_hash, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_apikey_find(struct store *st, const char *key_hash, int64_t *id)
{
    struct db_stmt *s = store_stmt(
        st, "SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", "t", key_hash);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *id = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_idem_get(struct store *st, int64_t api_key_id, const char *key,
                                 int64_t not_before, struct store_idem *out)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT request_hash, status, response_box FROM idempotency"
                                 " WHERE api_key_id = ? AND key = ? AND created_at >= ?",
                                 "iti", api_key_id, key, not_before);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    memset(out, 0, sizeof *out);
    store_col_copy(s, 0, out->request_hash, sizeof out->request_hash);
    out->status = db_col_int(s, 1);
    out->boxlen = (size_t)db_col_bytes(s, 2);
    out->box = xmalloc(out->boxlen);
    if (out->boxlen)
        memcpy(out->box, db_col_blob(s, 2), out->boxlen);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_idem_put(struct store *st, int64_t api_key_id, const char *key,
                                 const char *request_hash, int status, const void *box,
                                 size_t boxlen, int64_t citizen_id, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO idempotency(api_key_id, key,"
                                     " request_hash, status, response_box, citizen_id,"
                                     " created_at) VALUES (?,?,?,?,?,?,?)"
                                     " ON CONFLICT(api_key_id, key) DO UPDATE SET"
                                     " request_hash = excluded.request_hash,"
                                     " status = excluded.status,"
                                     " response_box = excluded.response_box,"
                                     " citizen_id = excluded.citizen_id,"
                                     " created_at = excluded.created_at",
                                     "ittibIi", api_key_id, key, request_hash, (int64_t)status,
                                     box, boxlen, citizen_id, now));
}
