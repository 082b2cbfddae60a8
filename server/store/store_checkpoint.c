/* store_checkpoint — the signed checkpoints and the known signing keys (see store.h). */
#include <string.h>

#include "store.h"
#include "store_internal.h"

enum store_status store_checkpoint_insert(struct store *st, const struct store_checkpoint *c,
                                          int64_t now)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "INSERT INTO signing_keys(key_id, public_key, first_used_at)"
                       " VALUES (?,?,?) ON CONFLICT(key_id) DO NOTHING",
                       "tti", c->key_id, c->public_key, now));
    if (rc != STORE_OK)
        return rc;
    return store_done(st, store_stmt(st,
                                     "INSERT INTO checkpoints(signed_seq, head_hash, tree_root,"
                                     " signed_at, key_id, signature, journal_seq)"
                                     " VALUES (?,?,?,?,?,?,?)",
                                     "ittttti", c->signed_seq, c->head_hash, c->tree_root,
                                     c->signed_at, c->key_id, c->signature, c->journal_seq));
}

#define STORE_CHECKPOINT_SELECT                                                             \
    "SELECT c.signed_seq, c.head_hash, c.tree_root, c.signed_at, c.key_id, k.public_key,"  \
    " c.signature, c.journal_seq FROM checkpoints c JOIN signing_keys k ON k.key_id = c.key_id"

static void store_checkpoint_read(struct db_stmt *s, struct store_checkpoint *c)
{
    memset(c, 0, sizeof *c);
    c->signed_seq = db_col_int64(s, 0);
    store_col_copy(s, 1, c->head_hash, sizeof c->head_hash);
    store_col_copy(s, 2, c->tree_root, sizeof c->tree_root);
    store_col_copy(s, 3, c->signed_at, sizeof c->signed_at);
    store_col_copy(s, 4, c->key_id, sizeof c->key_id);
    store_col_copy(s, 5, c->public_key, sizeof c->public_key);
    store_col_copy(s, 6, c->signature, sizeof c->signature);
    c->journal_seq = db_col_int64(s, 7);
}

static enum store_status store_checkpoint_one(struct store *st, struct db_stmt *s,
                                              struct store_checkpoint *c)
{
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_checkpoint_read(s, c);
        db_reset(s);
    }
    return rc;
}

enum store_status store_checkpoint_latest(struct store *st, struct store_checkpoint *c)
{
    return store_checkpoint_one(
        st, store_stmt(st, STORE_CHECKPOINT_SELECT " ORDER BY c.signed_seq DESC LIMIT 1", ""),
        c);
}

enum store_status store_checkpoint_get(struct store *st, int64_t signed_seq,
                                       struct store_checkpoint *c)
{
    return store_checkpoint_one(
        st, store_stmt(st, STORE_CHECKPOINT_SELECT " WHERE c.signed_seq = ?", "i", signed_seq),
        c);
}

enum store_status store_checkpoint_each(struct store *st, store_checkpoint_cb cb, void *arg)
{
    /* `vejled verify` may read a database that predates checkpoints (not yet migrated):
     * it has none, which is no error */
    struct db_stmt *t = store_stmt(
        st,
        store_is_postgres(st)
            ? "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()"
              " AND table_name = 'checkpoints'"
            : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'",
        "");
    if (!t)
        return STORE_ERROR;
    enum store_status have = store_row(st, t);
    db_reset(t);
    if (have == STORE_NOT_FOUND)
        return STORE_OK;
    if (have != STORE_OK)
        return have;
    struct db_stmt *s = store_stmt(st, STORE_CHECKPOINT_SELECT " ORDER BY c.signed_seq", "");
    if (!s)
        return STORE_ERROR;
    int r;
    struct store_checkpoint c;
    while ((r = db_step(s)) == DB_ROW) {
        store_checkpoint_read(s, &c);
        if (cb(&c, arg)) {
            db_reset(s);
            return STORE_OK;
        }
    }
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}

enum store_status store_journal_hashes(struct store *st, int64_t upto, store_hash_cb cb,
                                       void *arg)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT seq, hash FROM journal WHERE seq <= ? ORDER BY seq", "i", upto);
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        const char *h = db_col_text(s, 1);
        if (cb(db_col_int64(s, 0), h ? h : "", arg)) {
            db_reset(s);
            return STORE_OK;
        }
    }
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}
