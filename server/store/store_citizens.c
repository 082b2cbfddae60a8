/* store_citizens — citizens, their enrolments and their sessions (declared in store.h,
 * "citizens, enrolments, sessions"). */
#include "store.h"
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

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

enum store_status store_citizen_purged_get(struct store *st, int64_t id, int64_t *purged_at)
{
    struct db_stmt *s = store_stmt(
        st, "SELECT coalesce(purged_at, 0) FROM citizens WHERE id = ?", "i", id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        *purged_at = db_col_int64(s, 0);
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

enum store_status store_citizen_contact(struct store *st, int64_t id, const char *name,
                                        const char *email)
{
    return store_changed(
        st, store_done(st, store_stmt(st,
                                      "UPDATE citizens SET name = ?, email = coalesce(?, email)"
                                      " WHERE id = ? AND purged_at IS NULL",
                                      "tti", name, email, id)));
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
    e->held_at = db_col_int64(s, 17); /* NULL (no meeting recorded) reads as 0 */
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

enum store_status store_session_enrolment(struct store *st, const char *id_hash, int64_t now,
                                          struct model_enrolment *out, bool *used)
{
    struct db_mark mark;
    int remember = store_memo_mark(st, &mark) == 0;
    if (remember && store_memo_session(st, &mark, id_hash, now, out, used))
        return STORE_OK;
    struct db_stmt *s = store_stmt(st,
                                   "SELECT " STORE_ENROLMENT_COLUMNS ", x.used_at IS NOT NULL,"
                                   " x.expires_at"
                                   STORE_ENROLMENT_FROM
                                   " JOIN citizen_sessions x ON x.enrolment_id = e.id"
                                   " WHERE x.id_hash = ? AND x.expires_at > ?",
                                   "ti", id_hash, now);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_enrolment_read(s, out);
        *used = db_col_int(s, 18) != 0;
        int64_t expires_at = db_col_int64(s, 19);
        db_reset(s);
        if (remember)
            store_memo_put_session(st, &mark, id_hash, expires_at, out, *used);
    }
    return rc;
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

enum store_status store_enrolment_is_open(struct store *st, int64_t id)
{
    struct db_stmt *s = store_stmt(
        st, "SELECT 1 FROM enrolments WHERE id = ? AND closed_at IS NULL", "i", id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK)
        db_reset(s);
    return rc;
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
                                            int64_t expires_at, int64_t now)
{
    /* the WHERE also keeps SQLite from reading ON CONFLICT as part of the SELECT */
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "INSERT INTO replaced_links(token_hash, enrolment_id, replaced_at)"
                       " SELECT token_hash, id, ? FROM enrolments WHERE id = ?"
                       " ON CONFLICT (token_hash) DO NOTHING",
                       "ii", now, id));
    if (rc != STORE_OK)
        return rc;
    return store_done(st, store_stmt(st,
                                     "UPDATE enrolments SET token_hash = ?, token_expires_at = ?"
                                     " WHERE id = ?",
                                     "tii", token_hash, expires_at, id));
}

enum store_status store_link_replaced(struct store *st, const char *token_hash)
{
    struct db_stmt *s =
        store_stmt(st, "SELECT 1 FROM replaced_links WHERE token_hash = ?", "t", token_hash);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK)
        db_reset(s);
    return rc;
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

enum store_status store_link_times_get(struct store *st, int64_t enrolment_id, int64_t *issued_at,
                                   int64_t *opened_at)
{
    struct db_stmt *s = store_stmt(
        st,
        "SELECT r.issued, (SELECT min(x.used_at) FROM citizen_sessions x"
        "  WHERE x.enrolment_id = ?1 AND x.created_at >= r.issued AND x.used_at IS NOT NULL)"
        " FROM (SELECT max(replaced_at) AS issued FROM replaced_links WHERE enrolment_id = ?1) r",
        "i", enrolment_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *issued_at = db_col_null(s, 0) ? 0 : db_col_int64(s, 0);
    *opened_at = db_col_null(s, 1) ? 0 : db_col_int64(s, 1);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_sessions_end(struct store *st, int64_t enrolment_id)
{
    return store_done(st, store_stmt(st, "DELETE FROM citizen_sessions WHERE enrolment_id = ?",
                                     "i", enrolment_id));
}

enum store_status store_sealed_sample(struct store *st, unsigned char **box, size_t *len)
{
    *box = NULL;
    *len = 0;
    struct db_stmt *s = store_stmt(
        st, "SELECT cpr_box FROM citizens WHERE length(cpr_box) > 0 ORDER BY id LIMIT 1", "");
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *len = db_col_bytes(s, 0);
    *box = xmalloc(*len ? *len : 1);
    if (*len)
        memcpy(*box, db_col_blob(s, 0), *len);
    db_reset(s);
    return STORE_OK;
}
