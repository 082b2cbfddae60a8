/* store_ops — the retention purge's and /metrics' queries (see store.h). */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store_internal.h"

static int64_t store_ops_count(struct store *st, struct db_stmt *s, enum store_status *rc)
{
    int64_t n = 0;
    enum store_status r = store_row(st, s);
    if (r == STORE_OK) {
        n = db_col_int64(s, 0);
        db_reset(s);
    } else if (r != STORE_NOT_FOUND) {
        *rc = r;
    }
    return n;
}

enum store_status store_ops_counts(struct store *st, int64_t now, struct store_ops_counts *out)
{
    enum store_status rc = STORE_OK;
    memset(out, 0, sizeof *out);
    out->jobs_due = store_ops_count(
        st,
        store_stmt(st, "SELECT count(*) FROM jobs WHERE state = 'pending' AND next_attempt_at <= ?",
                   "i", now),
        &rc);
    out->jobs_pending = store_ops_count(
        st, store_stmt(st, "SELECT count(*) FROM jobs WHERE state = 'pending'", ""), &rc);
    out->jobs_running = store_ops_count(
        st, store_stmt(st, "SELECT count(*) FROM jobs WHERE state = 'running'", ""), &rc);
    out->jobs_failed = store_ops_count(
        st, store_stmt(st, "SELECT count(*) FROM jobs WHERE state = 'failed'", ""), &rc);
    struct db_stmt *s = store_stmt(st,
                                 "SELECT channel, count(*) FROM deliveries WHERE state = 'sent'"
                                 " GROUP BY channel",
                                 "");
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        const char *ch = (const char *)db_col_text(s, 0);
        int64_t n = db_col_int64(s, 1);
        if (!ch)
            continue;
        if (strcmp(ch, "outbox") == 0)
            out->sent_outbox = n;
        else if (strcmp(ch, "smtp") == 0)
            out->sent_smtp = n;
        else if (strcmp(ch, "webhook") == 0)
            out->sent_webhook = n;
    }
    db_reset(s);
    if (r != DB_DONE)
        rc = store_status_of(r);
    return rc;
}

/* A citizen c not purged yet with no sign of activity at or after ?1: one condition for
 * finding the candidates and for asking again under the write lock before each purge */
#define STORE_PURGE_CANDIDATE                                                              \
    "c.purged_at IS NULL AND c.created_at < ?1"                                           \
    " AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.citizen_id = c.id AND"           \
    "   (e.created_at >= ?1 OR e.first_meeting_at >= ?1 OR e.opened_at >= ?1"             \
    "    OR e.completed_at >= ?1 OR e.declined_at >= ?1 OR e.closed_at >= ?1))"           \
    " AND NOT EXISTS (SELECT 1 FROM meetings m JOIN enrolments e ON e.id = m.enrolment_id" \
    "   WHERE e.citizen_id = c.id AND m.held_at >= ?1)"

enum store_status store_purge_candidates(struct store *st, int64_t before, int64_t *ids,
                                         size_t max, size_t *n)
{
    *n = 0;
    struct db_stmt *s = store_stmt(st,
                                   "SELECT c.id FROM citizens c WHERE " STORE_PURGE_CANDIDATE
                                   " ORDER BY c.created_at LIMIT ?2",
                                   "ii", before, (int64_t)max);
    if (!s)
        return STORE_ERROR;
    int r = DB_DONE;
    while (*n < max && (r = db_step(s)) == DB_ROW)
        ids[(*n)++] = db_col_int64(s, 0);
    if (*n < max && r != DB_DONE) {
        db_reset(s);
        return store_status_of(r);
    }
    db_reset(s);
    return STORE_OK;
}

enum store_status store_purge_candidate(struct store *st, int64_t citizen_id, int64_t before)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT 1 FROM citizens c WHERE c.id = ?2 AND "
                                   STORE_PURGE_CANDIDATE,
                                   "ii", before, citizen_id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK)
        db_reset(s);
    return rc;
}

enum store_status store_citizen_uuid(struct store *st, int64_t citizen_id,
                                     char uuid[MODEL_UUID_LEN + 1])
{
    struct db_stmt *s = store_stmt(st, "SELECT uuid FROM citizens WHERE id = ?", "i", citizen_id);
    enum store_status rc = store_row(st, s);
    if (rc == STORE_OK) {
        store_col_copy(s, 0, uuid, MODEL_UUID_LEN + 1);
        db_reset(s);
    }
    return rc;
}

enum store_status store_citizen_outbox_messages(struct store *st, int64_t citizen_id,
                                                store_message_cb cb, void *arg)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT d.message_id FROM deliveries d"
                                 " JOIN jobs j ON j.id = d.job_id"
                                 " JOIN enrolments e ON e.id = j.enrolment_id"
                                 " WHERE e.citizen_id = ? AND d.channel = 'outbox'",
                                 "i", citizen_id);
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        const char *id = (const char *)db_col_text(s, 0);
        if (id && cb(id, arg) != 0)
            break;
    }
    db_reset(s);
    return r == DB_ROW || r == DB_DONE ? STORE_OK : store_status_of(r);
}

enum store_status store_citizen_purge(struct store *st, int64_t citizen_id, int64_t now)
{
    /* the look-up hash must stay unique: a purged citizen's becomes a plain marker, and a
     * later enrolment of the same person starts a new, unconnected citizen */
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE citizens SET name = '', email = NULL, cpr_box = ?,"
                       " cpr_lookup = 'purged:' || uuid, purged_at = ?"
                       " WHERE id = ? AND purged_at IS NULL",
                       "bii", "", (size_t)0, now, citizen_id));
    if (rc != STORE_OK)
        return rc;
    if (db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    static const char *const sql[] = {
        "UPDATE meetings SET note_box = NULL WHERE enrolment_id IN"
        " (SELECT id FROM enrolments WHERE citizen_id = ?)",
        "DELETE FROM enrolment_links WHERE enrolment_id IN"
        " (SELECT id FROM enrolments WHERE citizen_id = ?)",
        "DELETE FROM replaced_links WHERE enrolment_id IN"
        " (SELECT id FROM enrolments WHERE citizen_id = ?)",
        "DELETE FROM citizen_sessions WHERE enrolment_id IN"
        " (SELECT id FROM enrolments WHERE citizen_id = ?)",
        /* the replayable enrolment answers (sealed link) and their request hashes */
        "DELETE FROM idempotency WHERE citizen_id = ?",
        /* letters not sent (or not finished) yet: sealed, but they are the citizen's data */
        "UPDATE deliveries SET payload_box = NULL, pdf_box = NULL WHERE job_id IN"
        " (SELECT j.id FROM jobs j JOIN enrolments e ON e.id = j.enrolment_id"
        "  WHERE e.citizen_id = ?) AND (payload_box IS NOT NULL OR pdf_box IS NOT NULL)",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        rc = store_done(st, store_stmt(st, sql[i], "i", citizen_id));
        if (rc != STORE_OK)
            return rc;
    }
    /* the link stops working whatever its expiry said (0: long expired) */
    return store_done(st, store_stmt(st,
                                     "UPDATE enrolments SET token_expires_at = 0"
                                     " WHERE citizen_id = ?",
                                     "i", citizen_id));
}

enum store_status store_idem_expire(struct store *st, int64_t before, int *n)
{
    enum store_status rc = store_done(
        st, store_stmt(st, "DELETE FROM idempotency WHERE created_at < ?", "i", before));
    if (n)
        *n = rc == STORE_OK ? db_changes(st->db) : 0;
    return rc;
}

enum store_status store_secure_delete(struct store *st)
{
    return store_status_of(db_secure_delete(st->db));
}

enum store_status store_checkpoint_truncate(struct store *st)
{
    return store_status_of(db_truncate_wal(st->db));
}

/* ------------------------------------------------------------------ shared limits */

enum store_status store_rate_count(struct store *st, const char *scope, const char *subject,
                                   int64_t since, unsigned *count, int64_t *last)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT count(*), coalesce(max(at), 0) FROM rate_events"
                                   " WHERE scope = ? AND subject = ? AND at > ?",
                                   "tti", scope, subject, since);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *count = (unsigned)db_col_int64(s, 0);
    if (last)
        *last = db_col_int64(s, 1);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_rate_nth(struct store *st, const char *scope, const char *subject,
                                 int64_t since, unsigned k, int64_t *at)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT at FROM rate_events WHERE scope = ? AND subject = ?"
                                   " AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                                   "ttii", scope, subject, since, (int64_t)(k ? k - 1 : 0));
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *at = db_col_int64(s, 0);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_rate_add(struct store *st, const char *scope, const char *subject,
                                 int64_t now, int64_t forget_before)
{
    enum store_status rc = store_done(
        st, store_stmt(st, "DELETE FROM rate_events WHERE scope = ? AND at <= ?", "ti", scope,
                       forget_before));
    if (rc != STORE_OK)
        return rc;
    return store_done(st, store_stmt(st,
                                     "INSERT INTO rate_events(scope, subject, at)"
                                     " VALUES (?, ?, ?)",
                                     "tti", scope, subject, now));
}
