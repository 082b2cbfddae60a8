/* store_jobs — the store's part for the scheduler: meetings, sealed links, jobs and
 * deliveries (schema 0003).  See store.h ("jobs and deliveries"). */
#include "store.h"
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ------------------------------------------------------------------ meetings, links */

/* Copies blob column col of the current row into a new allocation. */
static void store_blob_dup(struct db_stmt *s, int col, unsigned char **box, size_t *boxlen)
{
    int n = db_col_bytes(s, col);
    *box = xmalloc(n > 0 ? (size_t)n : 1);
    if (n > 0)
        memcpy(*box, db_col_blob(s, col), (size_t)n);
    *boxlen = n > 0 ? (size_t)n : 0;
}


enum store_status store_meeting_put(struct store *st, int64_t enrolment_id, int64_t held_at,
                                    int oral, const void *note_box, size_t note_boxlen,
                                    const char *actor, int64_t now)
{
    struct db_stmt *s =
        note_box ? store_stmt(st,
                              "INSERT INTO meetings(enrolment_id, held_at, oral_guidance,"
                              " note_box, recorded_by, recorded_at) VALUES (?,?,?,?,?,?)"
                              " ON CONFLICT(enrolment_id) DO UPDATE SET held_at = excluded.held_at,"
                              " oral_guidance = excluded.oral_guidance, note_box = excluded.note_box,"
                              " recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
                              "iiibti", enrolment_id, held_at, (int64_t)(oral != 0), note_box,
                              note_boxlen, actor, now)
                 : store_stmt(st,
                              "INSERT INTO meetings(enrolment_id, held_at, oral_guidance,"
                              " note_box, recorded_by, recorded_at) VALUES (?,?,?,NULL,?,?)"
                              " ON CONFLICT(enrolment_id) DO UPDATE SET held_at = excluded.held_at,"
                              " oral_guidance = excluded.oral_guidance, note_box = NULL,"
                              " recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
                              "iiiti", enrolment_id, held_at, (int64_t)(oral != 0), actor, now);
    enum store_status rc = store_done(st, s);
    if (rc != STORE_OK)
        return rc;
    return store_done(st, store_stmt(st, "UPDATE enrolments SET oral_guidance_at = ? WHERE id = ?",
                                     "Ii", oral ? held_at : 0, enrolment_id));
}

enum store_status store_meeting_get(struct store *st, int64_t enrolment_id,
                                    struct store_meeting *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = store_stmt(st,
                                 "SELECT held_at, oral_guidance, note_box, recorded_by,"
                                 " recorded_at FROM meetings WHERE enrolment_id = ?",
                                 "i", enrolment_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    out->held_at = db_col_int64(s, 0);
    out->oral_guidance = db_col_int(s, 1);
    if (db_col_bytes(s, 2) > 0)
        store_blob_dup(s, 2, &out->note_box, &out->note_boxlen);
    store_col_copy(s, 3, out->recorded_by, sizeof out->recorded_by);
    out->recorded_at = db_col_int64(s, 4);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_enrolment_set_meeting(struct store *st, int64_t id, int64_t at)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE enrolments SET first_meeting_at = ? WHERE id = ? AND closed_at IS NULL",
                       "ii", at, id));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

enum store_status store_enrolment_close(struct store *st, int64_t id, int64_t at)
{
    enum store_status rc = store_done(
        st, store_stmt(st, "UPDATE enrolments SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                       "ii", at, id));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

static enum store_status store_ids(struct db_stmt *s, int64_t *ids, size_t max, size_t *n)
{
    *n = 0;
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW)
        if (*n < max)
            ids[(*n)++] = db_col_int64(s, 0);
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}

enum store_status store_enrolment_open_ids(struct store *st, int64_t citizen_id, int64_t *ids,
                                           size_t max, size_t *n)
{
    return store_ids(store_stmt(st,
                                "SELECT id FROM enrolments WHERE citizen_id = ? AND closed_at"
                                " IS NULL ORDER BY id",
                                "i", citizen_id),
                     ids, max, n);
}

enum store_status store_enrolment_all_ids(struct store *st, int64_t citizen_id, int64_t *ids,
                                          size_t max, size_t *n)
{
    return store_ids(
        store_stmt(st, "SELECT id FROM enrolments WHERE citizen_id = ? ORDER BY id", "i",
                       citizen_id),
        ids, max, n);
}

enum store_status store_link_put(struct store *st, int64_t enrolment_id, const char *token_hash,
                                 const void *box, size_t boxlen)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO enrolment_links(enrolment_id, token_hash,"
                                     " token_box) VALUES (?,?,?) ON CONFLICT(enrolment_id) DO"
                                     " UPDATE SET token_hash = excluded.token_hash,"
                                     " token_box = excluded.token_box",
                                     "itb", enrolment_id, token_hash, box, boxlen));
}

enum store_status store_citizen_cpr_box(struct store *st, int64_t citizen_id, unsigned char **box,
                                        size_t *boxlen)
{
    *box = NULL;
    *boxlen = 0;
    struct db_stmt *s =
        store_stmt(st, "SELECT cpr_box FROM citizens WHERE id = ?", "i", citizen_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    store_blob_dup(s, 0, box, boxlen);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_link_get(struct store *st, int64_t enrolment_id,
                                 char token_hash[MODEL_HASH_HEX + 1], unsigned char **box,
                                 size_t *boxlen)
{
    *box = NULL;
    *boxlen = 0;
    struct db_stmt *s = store_stmt(st,
                                 "SELECT token_hash, token_box FROM enrolment_links"
                                 " WHERE enrolment_id = ?",
                                 "i", enrolment_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    store_col_copy(s, 0, token_hash, MODEL_HASH_HEX + 1);
    store_blob_dup(s, 1, box, boxlen);
    db_reset(s);
    return STORE_OK;
}

/* ------------------------------------------------------------------ jobs */

enum store_status store_job_insert_ref(struct store *st, const char *kind, int64_t enrolment_id,
                                       int64_t ref, const char *unique_key, int64_t due_at,
                                       int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO jobs(kind, enrolment_id, ref, unique_key, due_at,"
                                     " next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?)"
                                     " ON CONFLICT(unique_key) DO NOTHING",
                                     "tIitiii", kind, enrolment_id, ref, unique_key, due_at,
                                     due_at, now));
}

/* Columns: id, kind, enrolment_id, ref, due_at, state, attempts, next_attempt_at,
 * last_error, enrolment uuid (when selected). */
static void store_job_read(struct db_stmt *s, struct store_job *j, int with_uuid)
{
    memset(j, 0, sizeof *j);
    j->id = db_col_int64(s, 0);
    store_col_copy(s, 1, j->kind, sizeof j->kind);
    j->enrolment_id = db_col_int64(s, 2);
    j->ref = db_col_int64(s, 3);
    j->due_at = db_col_int64(s, 4);
    store_col_copy(s, 5, j->state, sizeof j->state);
    j->attempts = db_col_int(s, 6);
    j->next_attempt_at = db_col_int64(s, 7);
    store_col_copy(s, 8, j->last_error, sizeof j->last_error);
    if (with_uuid)
        store_col_copy(s, 9, j->enrolment_uuid, sizeof j->enrolment_uuid);
}

/* The journal's entries still owed to the webhook, in the words of the partial index
 * jobs_journal_waiting (0033): a query must say it so for either engine to use that index,
 * and SQLite is told to (INDEXED BY), since its planner would take jobs(kind, ref) and walk
 * past every entry ever delivered. */
#define STORE_JOURNAL_WAITING "kind = 'deliver_journal' AND state IN ('pending', 'running')"

#define STORE_JOB_RETURNING                                                                 \
    " RETURNING id, kind, enrolment_id, ref, due_at, state, attempts, next_attempt_at,"    \
    " last_error"

enum store_status store_jobs_claim(struct store *st, int64_t now, int64_t lease_s,
                                   const char *kind, const char *claim, struct store_job *out,
                                   size_t max, size_t *n)
{
    *n = 0;
    struct db_stmt *s;
    if (!kind) {
        /* the pending ones through the partial index on next_attempt_at; the lapsed leases
         * through the partial index on locked_at */
        s = store_stmt(st,
                       store_is_postgres(st)
                           /* several servers claim at once: each skips the rows another
                            * has locked, none waits, none claims a job twice */
                           ? "UPDATE jobs SET state = 'running', locked_at = ?1,"
                             " attempts = attempts + 1, claim_token = ?4"
                             " WHERE id IN (SELECT id FROM jobs WHERE kind <> 'deliver_journal'"
                             "  AND ((state = 'pending' AND next_attempt_at <= ?1)"
                             "   OR (state = 'running' AND locked_at <= ?1 - ?2))"
                             "  ORDER BY CASE WHEN state = 'pending' THEN next_attempt_at"
                             "  ELSE locked_at END, id LIMIT ?3 FOR UPDATE SKIP LOCKED)"
                             STORE_JOB_RETURNING
                           : "UPDATE jobs SET state = 'running', locked_at = ?1,"
                             " attempts = attempts + 1, claim_token = ?4"
                             " WHERE id IN (SELECT id FROM (SELECT id, next_attempt_at AS t"
                             "  FROM jobs WHERE state = 'pending' AND next_attempt_at <= ?1"
                             "  AND kind <> 'deliver_journal'"
                             "  UNION ALL SELECT id, locked_at AS t FROM jobs"
                             "  WHERE state = 'running' AND locked_at <= ?1 - ?2"
                             "  AND kind <> 'deliver_journal')"
                             "  ORDER BY t, id LIMIT ?3)" STORE_JOB_RETURNING,
                       "iiit", now, lease_s, (int64_t)max, claim);
    } else {
        if (strcmp(kind, "deliver_journal") != 0)
            return STORE_ERROR;
        /* in ref order: only the head, and only when it is due */
        s = store_stmt(st,
                       store_is_postgres(st)
                           /* the head only: wait for a server that holds it, then look again */
                           ? "UPDATE jobs SET state = 'running', locked_at = ?1,"
                             " attempts = attempts + 1, claim_token = ?3"
                             " WHERE id = (SELECT id FROM jobs WHERE " STORE_JOURNAL_WAITING
                             "  ORDER BY ref, id LIMIT 1 FOR UPDATE)"
                             " AND ((state = 'pending' AND next_attempt_at <= ?1)"
                             "  OR (state = 'running' AND locked_at <= ?1 - ?2))"
                             STORE_JOB_RETURNING
                           : "UPDATE jobs SET state = 'running', locked_at = ?1,"
                             " attempts = attempts + 1, claim_token = ?3"
                             " WHERE id = (SELECT id FROM jobs INDEXED BY jobs_journal_waiting"
                             "  WHERE " STORE_JOURNAL_WAITING " ORDER BY ref, id LIMIT 1)"
                             " AND ((state = 'pending' AND next_attempt_at <= ?1)"
                             "  OR (state = 'running' AND locked_at <= ?1 - ?2))"
                             STORE_JOB_RETURNING,
                       "iit", now, lease_s, claim);
    }
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW)
        if (*n < max) {
            store_job_read(s, &out[*n], 0);
            snprintf(out[*n].claim, sizeof out[*n].claim, "%s", claim);
            (*n)++;
        }
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}

enum store_status store_job_renew(struct store *st, int64_t id, const char *claim, int64_t now)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE jobs SET locked_at = CASE WHEN coalesce(locked_at, 0) > ?1 THEN locked_at"
                       " ELSE ?1 END"
                       " WHERE id = ?2 AND state = 'running' AND claim_token = ?3",
                       "iit", now, id, claim));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_CONFLICT;
    return rc;
}

enum store_status store_job_cancel_requested(struct store *st, int64_t id, bool *requested)
{
    *requested = false;
    struct db_stmt *q =
        store_stmt(st, "SELECT cancel_requested_at FROM jobs WHERE id = ?", "i", id);
    enum store_status rc = store_row(st, q);
    if (rc != STORE_OK)
        return rc;
    *requested = db_col_int64(q, 0) != 0;
    db_reset(q);
    return STORE_OK;
}

enum store_status store_job_finish(struct store *st, int64_t id, const char *claim,
                                   const char *state, const char *error,
                                   int64_t next_attempt_at, int64_t now, const char **final)
{
    int retry = strcmp(state, "pending") == 0;
    /* only the holder of the claim ends the job: a scheduler whose lease ran out and whose
     * job another one took over has its result refused */
    enum store_status held = store_job_renew(st, id, claim, now);
    if (held != STORE_OK)
        return held;
    /* cancelled while this attempt ran: it ends cancelled unless it is done (the renewal
     * above holds the row, so no cancel comes between this read and the update) */
    bool cancel;
    enum store_status rc = store_job_cancel_requested(st, id, &cancel);
    if (rc != STORE_OK)
        return rc;
    if (cancel && strcmp(state, "done") != 0) {
        state = "cancelled";
        retry = 0;
    }
    if (final)
        *final = state;
    if (strcmp(state, "done") == 0 || strcmp(state, "cancelled") == 0) {
        /* the job is over: nothing will send its letter again */
        rc = store_done(
            st, store_stmt(st,
                           "UPDATE deliveries SET payload_box = NULL, pdf_box = NULL"
                           " WHERE job_id = ? AND (payload_box IS NOT NULL OR pdf_box IS NOT NULL)",
                           "i", id));
        if (rc != STORE_OK)
            return rc;
    }
    return store_done(st, store_stmt(st,
                                     "UPDATE jobs SET state = ?, last_error = ?, locked_at = NULL,"
                                     " claim_token = NULL,"
                                     " next_attempt_at = CASE WHEN ? <> 0 THEN ? ELSE next_attempt_at END,"
                                     " finished_at = ? WHERE id = ?",
                                     "ttiiIi", state, error ? error : "", (int64_t)retry,
                                     next_attempt_at, retry ? 0 : now, id));
}

enum store_status store_jobs_cancel(struct store *st, int64_t enrolment_id, const char *kind,
                                    int64_t now, int *n)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE jobs SET state = 'cancelled', finished_at = ?1, locked_at = NULL"
                        " WHERE enrolment_id = ?2 AND state = 'pending' AND kind <> 'deliver_journal'"
                       " AND (?3 IS NULL OR kind = ?3)",
                       "iit", now, enrolment_id, kind));
    if (n)
        *n = rc == STORE_OK ? db_changes(st->db) : 0;
    /* one running now keeps its claim (what it sends is still recorded), but is not tried
     * again: store_job_finish ends it cancelled unless it is done */
    if (rc == STORE_OK)
        rc = store_done(
            st, store_stmt(st,
                           "UPDATE jobs SET cancel_requested_at = ?1 WHERE enrolment_id = ?2"
                           " AND state = 'running' AND cancel_requested_at = 0"
                           " AND kind <> 'deliver_journal' AND (?3 IS NULL OR kind = ?3)",
                           "iit", now, enrolment_id, kind));
    return rc;
}

enum store_status store_jobs_cancel_citizen(struct store *st, int64_t citizen_id, int64_t now,
                                            int *n)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE jobs SET state = 'cancelled', finished_at = ?1, locked_at = NULL"
                       " WHERE state = 'pending' AND kind <> 'deliver_journal' AND enrolment_id IN"
                       " (SELECT id FROM enrolments WHERE citizen_id = ?2)",
                       "ii", now, citizen_id));
    if (n)
        *n = rc == STORE_OK ? db_changes(st->db) : 0;
    if (rc == STORE_OK) /* the running ones: as in store_jobs_cancel */
        rc = store_done(
            st, store_stmt(st,
                           "UPDATE jobs SET cancel_requested_at = ?1 WHERE state = 'running'"
                           " AND cancel_requested_at = 0 AND kind <> 'deliver_journal'"
                           " AND enrolment_id IN (SELECT id FROM enrolments WHERE citizen_id = ?2)",
                           "ii", now, citizen_id));
    return rc;
}

enum store_status store_jobs_move(struct store *st, int64_t enrolment_id, const char *kind,
                                  int64_t due_at)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "UPDATE jobs SET due_at = ?1, next_attempt_at = ?1 WHERE enrolment_id = ?2"
                       " AND kind = ?3 AND state = 'pending'",
                       "iit", due_at, enrolment_id, kind));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

#define STORE_JOBS_NEXT(journal_waiting)                                                    \
    "SELECT min(t) FROM ("                                                                 \
    " SELECT min(next_attempt_at) AS t FROM jobs WHERE state = 'pending'"                  \
    "  AND kind <> 'deliver_journal'"                                                      \
    " UNION ALL SELECT min(locked_at) + ?1 FROM jobs WHERE state = 'running'"              \
    " UNION ALL SELECT t FROM (SELECT CASE state WHEN 'pending' THEN next_attempt_at"      \
    "  ELSE locked_at + ?1 END AS t FROM " journal_waiting " WHERE " STORE_JOURNAL_WAITING \
    "  ORDER BY ref, id LIMIT 1) head) due"

enum store_status store_jobs_next(struct store *st, int64_t lease_s, int64_t *at)
{
    struct db_stmt *s = store_stmt(
        st,
        store_is_postgres(st) ? STORE_JOBS_NEXT("jobs")
                              : STORE_JOBS_NEXT("jobs INDEXED BY jobs_journal_waiting"),
        "i", lease_s);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    int null = db_col_null(s, 0);
    *at = db_col_int64(s, 0);
    db_reset(s);
    return null ? STORE_NOT_FOUND : STORE_OK;
}

enum store_status store_jobs_each(struct store *st, int64_t enrolment_id, store_job_cb cb,
                                  void *arg)
{
    struct db_stmt *s = store_stmt(st,
                                 "SELECT j.id, j.kind, j.enrolment_id, j.ref, j.due_at, j.state,"
                                 " j.attempts, j.next_attempt_at, j.last_error, e.uuid,"
                                 " j.finished_at,"
                                 " (SELECT d.sent_at FROM deliveries d WHERE d.job_id = j.id"
                                 "  AND d.channel = 'outbox' AND d.state = 'sent'),"
                                 " (SELECT d.sent_at FROM deliveries d WHERE d.job_id = j.id"
                                 "  AND d.channel = 'smtp' AND d.state = 'sent'),"
                                 " (SELECT d.skipped_at FROM deliveries d WHERE d.job_id = j.id"
                                 "  AND d.channel = 'outbox' AND d.state = 'skipped'"
                                 "  AND d.skipped_reason = 'link_replaced'),"
                                 " (SELECT d.skipped_at FROM deliveries d WHERE d.job_id = j.id"
                                 "  AND d.channel = 'smtp' AND d.state = 'skipped'"
                                 "  AND d.skipped_reason = 'link_replaced')"
                                 " FROM jobs j LEFT JOIN enrolments e ON e.id = j.enrolment_id"
                                 " WHERE ?1 = 0 OR j.enrolment_id = ?1 ORDER BY j.due_at, j.id",
                                 "i", enrolment_id);
    if (!s)
        return STORE_ERROR;
    int r;
    struct store_job j;
    while ((r = db_step(s)) == DB_ROW) {
        store_job_read(s, &j, 1);
        j.finished_at = db_col_int64(s, 10);
        j.outbox_sent_at = db_col_int64(s, 11);
        j.smtp_sent_at = db_col_int64(s, 12);
        j.outbox_link_replaced_at = db_col_int64(s, 13);
        j.smtp_link_replaced_at = db_col_int64(s, 14);
        if (cb(&j, arg)) {
            db_reset(s);
            return STORE_OK;
        }
    }
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}

enum store_status store_journal_delivered(struct store *st, int64_t seq, int64_t *sent_at)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT d.sent_at FROM jobs j JOIN deliveries d ON d.job_id = j.id"
                                   " WHERE j.kind = 'deliver_journal' AND j.ref = ?"
                                   " AND d.channel = 'webhook' AND d.state = 'sent'",
                                   "i", seq);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *sent_at = db_col_int64(s, 0);
    db_reset(s);
    return STORE_OK;
}

#define STORE_JOURNAL_BACKLOG(journal_waiting)                                              \
    "SELECT (SELECT count(*) FROM " journal_waiting " WHERE " STORE_JOURNAL_WAITING "),"   \
    " h.ref, h.created_at, h.attempts, CASE h.state WHEN 'pending' THEN h.next_attempt_at" \
    "  ELSE 0 END, h.last_error, CASE h.state WHEN 'running' THEN 1 ELSE 0 END"            \
    " FROM (SELECT 1 AS one) o LEFT JOIN (SELECT ref, created_at, attempts, state,"        \
    "  next_attempt_at, locked_at, last_error FROM " journal_waiting                       \
    "  WHERE " STORE_JOURNAL_WAITING " ORDER BY ref, id LIMIT 1) h ON 1 = 1"

enum store_status store_journal_backlog_get(struct store *st, struct store_journal_backlog *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = store_stmt(
        st,
        store_is_postgres(st) ? STORE_JOURNAL_BACKLOG("jobs")
                              : STORE_JOURNAL_BACKLOG("jobs INDEXED BY jobs_journal_waiting"),
        "");
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    out->waiting = db_col_int64(s, 0);
    out->head_seq = db_col_int64(s, 1);
    out->head_queued_at = db_col_int64(s, 2);
    out->head_attempts = db_col_int(s, 3);
    out->head_next_at = db_col_int64(s, 4);
    store_col_copy(s, 5, out->head_error, sizeof out->head_error);
    out->head_running = db_col_int(s, 6) != 0;
    db_reset(s);
    return STORE_OK;
}

#define STORE_JOURNAL_RETRY(journal_waiting)                                                \
    "UPDATE jobs SET next_attempt_at = ?1"                                                \
    " WHERE id = (SELECT id FROM " journal_waiting " WHERE " STORE_JOURNAL_WAITING          \
    "  ORDER BY ref, id LIMIT 1) AND state = 'pending' AND next_attempt_at > ?1"

enum store_status store_journal_retry_now(struct store *st, int64_t now)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       store_is_postgres(st)
                           ? STORE_JOURNAL_RETRY("jobs")
                           : STORE_JOURNAL_RETRY("jobs INDEXED BY jobs_journal_waiting"),
                       "i", now));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

#define STORE_JOURNAL_SKIP(journal_waiting)                                                 \
    "UPDATE jobs SET state = 'cancelled', finished_at = ?2, locked_at = NULL,"             \
    " last_error = 'skipped by an operator: ' || last_error"                               \
    " WHERE id = ?1 AND state = 'pending' AND id = (SELECT id FROM " journal_waiting       \
    "  WHERE " STORE_JOURNAL_WAITING " ORDER BY ref, id LIMIT 1) RETURNING ref, attempts"

enum store_status store_journal_skip(struct store *st, int64_t job_id, int64_t now,
                                     int64_t *seq, int *attempts)
{
    struct db_stmt *s = store_stmt(
        st,
        store_is_postgres(st) ? STORE_JOURNAL_SKIP("jobs")
                              : STORE_JOURNAL_SKIP("jobs INDEXED BY jobs_journal_waiting"),
        "ii", job_id, now);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *seq = db_col_int64(s, 0);
    *attempts = db_col_int(s, 1);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_jobs_queue_journal(struct store *st, int64_t now, int *n)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "INSERT INTO jobs(kind, enrolment_id, ref, unique_key, due_at,"
                       " next_attempt_at, created_at)"
                       " SELECT 'deliver_journal', e.id, j.seq, 'deliver_journal:' || j.seq, ?1, ?1, ?1"
                       " FROM journal j LEFT JOIN enrolments e ON e.uuid = j.enrolment_uuid"
                       " WHERE j.seq > (SELECT coalesce(max(ref), 0) FROM jobs"
                       "  WHERE kind = 'deliver_journal') ORDER BY j.seq"
                       " ON CONFLICT(unique_key) DO NOTHING",
                       "i", now));
    if (n)
        *n = rc == STORE_OK ? db_changes(st->db) : 0;
    return rc;
}

enum store_status store_journal_get(struct store *st, int64_t seq, struct store_journal_row *r,
                                    char **data)
{
    *data = NULL;
    memset(r, 0, sizeof *r);
    struct db_stmt *s = store_stmt(st,
                                 "SELECT seq, at, kind, actor, citizen_uuid, enrolment_uuid,"
                                 " data, prev_hash, hash FROM journal WHERE seq = ?",
                                 "i", seq);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    r->seq = db_col_int64(s, 0);
    store_col_copy(s, 1, r->at, sizeof r->at);
    store_col_copy(s, 2, r->kind, sizeof r->kind);
    store_col_copy(s, 3, r->actor, sizeof r->actor);
    store_col_copy(s, 4, r->citizen_uuid, sizeof r->citizen_uuid);
    store_col_copy(s, 5, r->enrolment_uuid, sizeof r->enrolment_uuid);
    *data = store_col_dup(s, 6);
    r->data = *data;
    store_col_copy(s, 7, r->prev_hash, sizeof r->prev_hash);
    store_col_copy(s, 8, r->hash, sizeof r->hash);
    db_reset(s);
    return STORE_OK;
}

/* ------------------------------------------------------------------ deliveries */

void store_delivery_clear(struct store_delivery *d)
{
    if (!d)
        return;
    free(d->data);
    free(d->payload_box);
    free(d->pdf_box);
    d->data = NULL;
    d->payload_box = d->pdf_box = NULL;
    d->payload_boxlen = d->pdf_boxlen = 0;
}

enum store_status store_delivery_get(struct store *st, int64_t job_id, const char *channel,
                                     struct store_delivery *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = store_stmt(st,
                                 "SELECT message_id, state, sha256, sent_at, created_at, data,"
                                 " payload_box, pdf_box, link_hash, skipped_at, skipped_reason"
                                 " FROM deliveries"
                                 " WHERE job_id = ? AND channel = ?",
                                 "it", job_id, channel);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    store_col_copy(s, 0, out->message_id, sizeof out->message_id);
    store_col_copy(s, 1, out->state, sizeof out->state);
    store_col_copy(s, 2, out->sha256, sizeof out->sha256);
    out->sent_at = db_col_int64(s, 3);
    out->created_at = db_col_int64(s, 4);
    out->data = store_col_dup(s, 5);
    if (db_col_bytes(s, 6) > 0)
        store_blob_dup(s, 6, &out->payload_box, &out->payload_boxlen);
    if (db_col_bytes(s, 7) > 0)
        store_blob_dup(s, 7, &out->pdf_box, &out->pdf_boxlen);
    if (!db_col_null(s, 8))
        store_col_copy(s, 8, out->link_hash, sizeof out->link_hash);
    out->skipped_at = db_col_int64(s, 9);
    if (!db_col_null(s, 10))
        store_col_copy(s, 10, out->skipped_reason, sizeof out->skipped_reason);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_delivery_intent(struct store *st, int64_t job_id, const char *channel,
                                        const struct store_delivery *d, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "INSERT INTO deliveries(job_id, channel, message_id,"
                                     " sha256, data, payload_box, pdf_box, created_at, link_hash)"
                                     " VALUES (?,?,?,?,?,?,?,?,?)"
                                     " ON CONFLICT(job_id, channel) DO UPDATE SET"
                                     " sha256 = excluded.sha256, data = excluded.data,"
                                     " payload_box = excluded.payload_box,"
                                     " pdf_box = excluded.pdf_box, link_hash = excluded.link_hash"
                                     " WHERE deliveries.state = 'intent'",
                                     "ittttbbit", job_id, channel, d->message_id, d->sha256,
                                     d->data && *d->data ? d->data : "{}", d->payload_box,
                                     d->payload_boxlen, d->pdf_box, d->pdf_boxlen, now,
                                     d->link_hash[0] ? d->link_hash : NULL));
}

enum store_status store_delivery_sent(struct store *st, const char *message_id,
                                      const char *sha256, int64_t now)
{
    return store_done(st, store_stmt(st,
                                     "UPDATE deliveries SET state = 'sent',"
                                     " sha256 = coalesce(?, sha256), sent_at = ?,"
                                     " payload_box = NULL WHERE message_id = ?",
                                     "tit", sha256, now, message_id));
}

enum store_status store_delivery_skipped(struct store *st, const char *message_id,
                                         const char *reason, int64_t now)
{
    enum store_status rc =
        store_done(st, store_stmt(st,
                                  "UPDATE deliveries SET state = 'skipped', skipped_reason = ?,"
                                  " skipped_at = ?, payload_box = NULL, pdf_box = NULL"
                                  " WHERE message_id = ? AND state = 'intent'",
                                  "tit", reason, now, message_id));
    if (rc == STORE_OK && db_changes(st->db) == 0)
        return STORE_NOT_FOUND;
    return rc;
}

/* ------------------------------------------------------------------ a new job */

enum store_status store_jobs_planned(struct store *st, int64_t enrolment_id, const char *kind,
                                     int64_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT count(*) FROM jobs WHERE enrolment_id = ? AND kind = ?",
                                   "it", enrolment_id, kind);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    *n = db_col_int64(s, 0);
    db_reset(s);
    return STORE_OK;
}

enum store_status store_job_insert(struct store *st, const char *kind, int64_t enrolment_id,
                                   const char *unique_key, int64_t due_at, int64_t now,
                                   int *inserted)
{
    enum store_status rc = store_done(
        st, store_stmt(st,
                       "INSERT INTO jobs(kind, enrolment_id, unique_key, due_at,"
                       " next_attempt_at, created_at) VALUES (?,?,?,?,?,?)"
                       " ON CONFLICT(unique_key) DO NOTHING",
                       "titiii", kind, enrolment_id, unique_key, due_at, due_at, now));
    if (inserted)
        *inserted = rc == STORE_OK && db_changes(st->db) > 0;
    return rc;
}

/* ------------------------------------------------------------------ failed letters */

/* A letter job: one of an enrolment (the journal's deliveries to the case system are not). */
#define STORE_LETTER_KINDS                                                                  \
    "('send_written_guidance', 'remind_before_meeting', 'resend_written_guidance',"         \
    " 'send_new_link')"

enum store_status store_letters_failed_list(struct store *st, size_t limit,
                                            store_failed_letter_cb cb, void *arg)
{
    struct db_stmt *s = store_stmt(
        st,
        "SELECT j.id, j.kind, j.attempts, j.last_error, coalesce(j.finished_at, 0), c.id,"
        " c.uuid, coalesce(c.name, ''), g.name_da, coalesce(g.name_en, ''),"
        " EXISTS (SELECT 1 FROM deliveries d WHERE d.job_id = j.id AND d.channel = 'outbox'"
        "  AND d.state = 'sent'),"
        " EXISTS (SELECT 1 FROM deliveries d WHERE d.job_id = j.id AND d.channel = 'smtp'"
        "  AND d.state = 'sent')"
        " FROM jobs j JOIN enrolments e ON e.id = j.enrolment_id"
        " JOIN citizens c ON c.id = e.citizen_id JOIN target_groups g ON g.id = e.group_id"
        " WHERE j.state = 'failed' AND j.kind IN " STORE_LETTER_KINDS
        " AND e.closed_at IS NULL ORDER BY j.finished_at DESC, j.id DESC LIMIT ?",
        "i", (int64_t)limit);
    if (!s)
        return STORE_ERROR;
    int r;
    struct store_failed_letter l;
    while ((r = db_step(s)) == DB_ROW) {
        memset(&l, 0, sizeof l);
        l.job_id = db_col_int64(s, 0);
        store_col_copy(s, 1, l.kind, sizeof l.kind);
        l.attempts = db_col_int(s, 2);
        store_col_copy(s, 3, l.last_error, sizeof l.last_error);
        l.failed_at = db_col_int64(s, 4);
        l.citizen_id = db_col_int64(s, 5);
        store_col_copy(s, 6, l.citizen_uuid, sizeof l.citizen_uuid);
        store_col_copy(s, 7, l.citizen_name, sizeof l.citizen_name);
        store_col_copy(s, 8, l.group_name[LANG_DA], sizeof l.group_name[LANG_DA]);
        store_col_copy(s, 9, l.group_name[LANG_EN], sizeof l.group_name[LANG_EN]);
        l.sent_outbox = db_col_int(s, 10) != 0;
        l.sent_smtp = db_col_int(s, 11) != 0;
        if (cb(&l, arg)) {
            db_reset(s);
            return STORE_OK;
        }
    }
    db_reset(s);
    return r == DB_DONE ? STORE_OK : store_status_of(r);
}

enum store_status store_letters_failed_count(struct store *st, int64_t *n)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT count(*) FROM jobs j JOIN enrolments e"
                                   " ON e.id = j.enrolment_id WHERE j.state = 'failed'"
                                   " AND j.kind IN " STORE_LETTER_KINDS " AND e.closed_at IS NULL",
                                   "");
    enum store_status rc = store_row(st, s);
    *n = 0;
    if (rc == STORE_OK) {
        *n = db_col_int64(s, 0);
        db_reset(s);
    }
    return rc;
}

enum store_status store_letter_retry(struct store *st, int64_t job_id, int64_t now)
{
    struct db_stmt *s = store_stmt(st,
                                   "SELECT j.state, CASE WHEN e.closed_at IS NULL THEN 1 ELSE 0 END FROM jobs j"
                                   " JOIN enrolments e ON e.id = j.enrolment_id"
                                   " WHERE j.id = ? AND j.kind IN " STORE_LETTER_KINDS,
                                   "i", job_id);
    enum store_status rc = store_row(st, s);
    if (rc != STORE_OK)
        return rc;
    char state[12];
    store_col_copy(s, 0, state, sizeof state);
    int open = db_col_int(s, 1);
    db_reset(s);
    if (strcmp(state, "failed") != 0 || !open)
        return STORE_CONFLICT;
    /* as new: the attempts start again from the first, due now (the scheduler's next pass) */
    return store_done(st, store_stmt(st,
                                     "UPDATE jobs SET state = 'pending', attempts = 0,"
                                     " next_attempt_at = ?, last_error = '', finished_at = NULL"
                                     " WHERE id = ? AND state = 'failed'",
                                     "ii", now, job_id));
}
