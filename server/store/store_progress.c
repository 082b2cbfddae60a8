/* store_progress — what a citizen answered and asked about (declared in store.h,
 * "progress"; the observed playback is store_watch.c). */
#include "store.h"
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

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

/* Appends the answer of the current row of s (columns question_id, attempt, chosen,
 * correct, answered_at) to *out. */
static void store_answer_push(struct db_stmt *s, struct model_answer **out, size_t *n)
{
    *out = xrealloc(*out, (*n + 1) * sizeof **out);
    struct model_answer *a = &(*out)[(*n)++];
    memset(a, 0, sizeof *a);
    a->question_id = db_col_int64(s, 0);
    a->attempt = db_col_int(s, 1);
    store_col_copy(s, 2, a->chosen, sizeof a->chosen);
    a->correct = db_col_int(s, 3) != 0;
    a->answered_at = db_col_int64(s, 4);
}

/* The enrolment's first answers (attempt 1) and latest answers (each question's highest
 * attempt) in one pass over its rows (in the order of its unique index), each list by
 * question. */
static enum store_status store_answers_first_latest(struct store *st, int64_t enrolment_id,
                                                    struct model_progress *out)
{
    struct db_stmt *s = store_stmt(
        st,
        "SELECT a.question_id, a.attempt, a.chosen, a.correct, a.answered_at, a.attempt ="
        " (SELECT max(b.attempt) FROM answers b WHERE b.enrolment_id = a.enrolment_id"
        "  AND b.question_id = a.question_id)"
        " FROM answers a WHERE a.enrolment_id = ? ORDER BY a.question_id, a.attempt",
        "i", enrolment_id);
    if (!s)
        return STORE_ERROR;
    int r;
    while ((r = db_step(s)) == DB_ROW) {
        if (db_col_int(s, 1) == 1)
            store_answer_push(s, &out->first, &out->n_first);
        if (db_col_int(s, 5) != 0)
            store_answer_push(s, &out->latest, &out->n_latest);
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
    struct db_mark mark;
    int remember = store_memo_mark(st, &mark) == 0;
    if (remember && store_memo_progress(st, &mark, enrolment_id, out))
        return STORE_OK;
    rc = store_views_read(st, enrolment_id, &out->views, &out->n_views);
    if (rc != STORE_OK)
        goto fail;
    rc = store_answers_first_latest(st, enrolment_id, out);
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
    if (remember)
        store_memo_put_progress(st, &mark, enrolment_id, out);
    return STORE_OK;
fail:
    model_progress_clear(out);
    return rc == STORE_OK ? STORE_ERROR : rc;
}
