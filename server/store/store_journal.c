/* store_journal — the journal's rows: its tail, appends, and reading it in order (declared
 * in store.h, "journal"; the chain's rules are domain/journal.c). */
#include "store.h"
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ------------------------------------------------------------------ journal */

enum store_status store_journal_tail(struct store *st, int64_t *seq,
                                     char hash[MODEL_HASH_HEX + 1])
{
    /* Read to be extended inside a write transaction: no other server's append can come
     * between this read and the commit, because a write transaction holds the journal
     * lock from its start (store_write_begin() in store.c), so the chain never forks. */
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

/* Calls cb for each row of s (the columns of store_journal_each); s may be NULL. */
static enum store_status store_journal_rows(struct db_stmt *s, store_journal_cb cb, void *arg)
{
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
    return store_journal_rows(s, cb, arg);
}

enum store_status store_journal_each_kind(struct store *st, const char *kind,
                                          store_journal_cb cb, void *arg)
{
    return store_journal_rows(store_stmt(st,
                                         "SELECT seq, at, kind, actor, citizen_uuid,"
                                         " enrolment_uuid, data, prev_hash, hash FROM journal"
                                         " WHERE kind = ? ORDER BY seq",
                                         "t", kind),
                              cb, arg);
}
