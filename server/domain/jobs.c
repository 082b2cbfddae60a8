#include "jobs.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel.h"
#include "clock.h"
#include "journal.h"

void jobs_policy_defaults(struct jobs_policy *p)
{
    p->remind_days_before = 3;
    p->remind_hour = 9;
    p->max_attempts = 8;
    p->backoff_base_s = 60;
    p->backoff_max_s = 6 * 3600;
    p->lease_s = 600;
}

void jobs_policy_from_config(const struct config *c, struct jobs_policy *p)
{
    p->remind_days_before = c->remind_days_before;
    p->remind_hour = c->remind_hour;
    p->max_attempts = c->max_attempts;
    p->backoff_base_s = c->backoff_base_s;
    p->backoff_max_s = c->backoff_max_s < c->backoff_base_s ? c->backoff_base_s : c->backoff_max_s;
    p->lease_s = c->job_lease_s;
}

int jobs_check_timeouts(const struct config *c, char *err, size_t errlen)
{
    static const struct {
        const char *channel;
        size_t offset;
    } t[] = {{"smtp", offsetof(struct config, smtp_timeout_s)},
             {"webhook", offsetof(struct config, webhook_timeout_s)}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        unsigned timeout = *(const unsigned *)((const char *)c + t[i].offset);
        if (channel_enabled(c->channels, t[i].channel) && timeout >= c->job_lease_s) {
            snprintf(err, errlen,
                     "[%s] timeout_s (%u) must be shorter than [delivery] job_lease_s (%u): a "
                     "job's lease must outlast any one sending",
                     t[i].channel, timeout, c->job_lease_s);
            return -1;
        }
    }
    return 0;
}

int64_t jobs_remind_at(int64_t meeting, unsigned days_before, unsigned remind_hour)
{
    time_t tt = (time_t)meeting;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_mday -= (int)days_before; /* mktime normalises across month and year ends */
    tm.tm_hour = (int)remind_hour;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

int64_t jobs_resend_at(int64_t meeting, int months)
{
    return clock_add_months(meeting, months);
}

int64_t jobs_backoff(unsigned attempts, unsigned base_s, unsigned max_s)
{
    int64_t d = base_s ? base_s : 1;
    for (unsigned i = 1; i < attempts && d < (int64_t)max_s; i++)
        d *= 2;
    return d > (int64_t)max_s ? (int64_t)max_s : d;
}

int64_t jobs_claim_time(int64_t now, int64_t started, int64_t clock)
{
    return clock > started ? now + (clock - started) : now;
}

/* The enrolment's one job of kind (key kind:uuid), unless it was ever planned; *inserted
 * (may be NULL) says whether it is new.  Appended to jobs (may be NULL). */
static enum store_status jobs_add(struct store *st, const char *kind,
                                  const struct model_enrolment *e, int64_t due, int64_t now,
                                  json_t *jobs, int *inserted)
{
    char key[128], when[CLOCK_RFC3339_LEN + 1];
    snprintf(key, sizeof key, "%s:%s", kind, e->uuid);
    enum store_status rc = store_job_insert(st, kind, e->id, key, due, now, inserted);
    if (rc == STORE_OK && jobs) {
        clock_format_rfc3339(due, when);
        json_array_append_new(jobs, json_pack("{s:s, s:s}", "kind", kind, "due_at", when));
    }
    return rc;
}

enum store_status jobs_plan_enrolment(struct store *st, const struct model_enrolment *e,
                                      const struct model_group *g, const struct jobs_policy *p,
                                      int64_t now, json_t *jobs)
{
    enum store_status rc = jobs_add(st, "send_written_guidance", e, now, now, jobs, NULL);
    if (rc == STORE_OK && p->remind_days_before) {
        int64_t remind = jobs_remind_at(e->first_meeting_at, p->remind_days_before,
                                        p->remind_hour);
        if (remind > now && remind < e->first_meeting_at)
            rc = jobs_add(st, "remind_before_meeting", e, remind, now, jobs, NULL);
    }
    /* registered after the resend was due (the first meeting lies more than resend_months
     * back): the guidance sent now is the one owed, and a resend in the same pass would be
     * the same letter twice */
    int64_t resend = jobs_resend_at(e->first_meeting_at, g->resend_months);
    if (rc == STORE_OK && resend > now)
        rc = jobs_add(st, "resend_written_guidance", e, resend, now, jobs, NULL);
    jobs_wake();
    return rc;
}

/* The resend counts from the meeting at `from` (held, or planned anew): the pending one
 * moves there, or one is planned when none ever was (late registration) and it is ahead.
 * *resend_at gets its time, 0 when none is pending. */
static enum store_status jobs_resend_from(struct store *st, const struct model_enrolment *e,
                                          const struct model_group *g, int64_t from,
                                          int64_t now, int64_t *resend_at)
{
    int64_t due = jobs_resend_at(from, g->resend_months);
    *resend_at = 0;
    enum store_status rc = store_jobs_move(st, e->id, "resend_written_guidance", due);
    if (rc == STORE_NOT_FOUND && due > now) {
        /* none pending: either it went out (or was cancelled) already, and the insert finds
         * its key and adds nothing, or it was never planned because the enrolment came after
         * the planned meeting's resend time, while the meeting now makes it due ahead */
        int inserted = 0;
        rc = jobs_add(st, "resend_written_guidance", e, due, now, NULL, &inserted);
        if (inserted)
            *resend_at = due;
    } else if (rc == STORE_OK)
        *resend_at = due;
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

enum store_status jobs_meeting_held(struct store *st, const struct model_enrolment *e,
                                    const struct model_group *g, int64_t held_at, int64_t now,
                                    int64_t *resend_at)
{
    enum store_status rc = jobs_resend_from(st, e, g, held_at, now, resend_at);
    if (rc == STORE_OK)
        rc = store_jobs_cancel(st, e->id, "remind_before_meeting", now, NULL);
    jobs_wake();
    return rc;
}

enum store_status jobs_meeting_replanned(struct store *st, const struct model_enrolment *e,
                                         const struct model_group *g,
                                         const struct jobs_policy *p, int64_t now,
                                         int64_t *remind_at, int64_t *resend_at)
{
    *remind_at = 0;
    /* the pending reminder names the old time (and may hold a letter written with it): it
     * is cancelled, and a reminder for the new time is a job of its own */
    enum store_status rc = store_jobs_cancel(st, e->id, "remind_before_meeting", now, NULL);
    if (rc == STORE_OK && p->remind_days_before && !e->completed_at && !e->declined_at) {
        int64_t remind = jobs_remind_at(e->first_meeting_at, p->remind_days_before,
                                        p->remind_hour);
        /* one key per move: a meeting moved back to a time it had before (T1, T2, T1)
         * gets its reminder again, where a key per time would find the cancelled one */
        int64_t planned = 0;
        if (remind > now && remind < e->first_meeting_at)
            rc = store_jobs_planned(st, e->id, "remind_before_meeting", &planned);
        if (rc == STORE_OK && remind > now && remind < e->first_meeting_at) {
            char key[192];
            snprintf(key, sizeof key, "remind_before_meeting:%s:%lld:%lld", e->uuid,
                     (long long)e->first_meeting_at, (long long)planned + 1);
            int inserted = 0;
            rc = store_job_insert(st, "remind_before_meeting", e->id, key, remind, now,
                                  &inserted);
            if (inserted)
                *remind_at = remind;
        }
    }
    if (rc == STORE_OK)
        rc = jobs_resend_from(st, e, g, e->first_meeting_at, now, resend_at);
    jobs_wake();
    return rc;
}

enum store_status jobs_new_link(struct store *st, const struct model_enrolment *e,
                                int64_t link_seq, int64_t now, json_t *jobs)
{
    char key[128], when[CLOCK_RFC3339_LEN + 1];
    snprintf(key, sizeof key, "send_new_link:%s:%lld", e->uuid, (long long)link_seq);
    enum store_status rc = store_job_insert_ref(st, "send_new_link", e->id, link_seq, key, now,
                                                now);
    if (rc == STORE_OK && jobs) {
        clock_format_rfc3339(now, when);
        json_array_append_new(jobs,
                              json_pack("{s:s, s:s}", "kind", "send_new_link", "due_at", when));
    }
    jobs_wake();
    return rc;
}

enum store_status jobs_citizen_done(struct store *st, int64_t enrolment_id, int64_t now)
{
    return store_jobs_cancel(st, enrolment_id, "remind_before_meeting", now, NULL);
}

enum store_status jobs_cancel_enrolment(struct store *st, int64_t enrolment_id, int64_t now,
                                        int *n)
{
    return store_jobs_cancel(st, enrolment_id, NULL, now, n);
}

/* ------------------------------------------------------------------ the doorbell */

static pthread_mutex_t jobs_bell_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_bell_cond = PTHREAD_COND_INITIALIZER;
static int jobs_bell_rung;
static int jobs_bell_stop;

void jobs_wake(void)
{
    pthread_mutex_lock(&jobs_bell_mutex);
    jobs_bell_rung = 1;
    pthread_cond_broadcast(&jobs_bell_cond);
    pthread_mutex_unlock(&jobs_bell_mutex);
}

void jobs_stop(void)
{
    pthread_mutex_lock(&jobs_bell_mutex);
    jobs_bell_stop = 1;
    pthread_cond_broadcast(&jobs_bell_cond);
    pthread_mutex_unlock(&jobs_bell_mutex);
}

int jobs_stopping(void)
{
    pthread_mutex_lock(&jobs_bell_mutex);
    int s = jobs_bell_stop;
    pthread_mutex_unlock(&jobs_bell_mutex);
    return s;
}

void jobs_wait(int64_t until)
{
    struct timespec ts = {(time_t)until, 0};
    pthread_mutex_lock(&jobs_bell_mutex);
    while (!jobs_bell_rung && !jobs_bell_stop)
        if (pthread_cond_timedwait(&jobs_bell_cond, &jobs_bell_mutex, &ts) != 0)
            break;
    jobs_bell_rung = 0;
    pthread_mutex_unlock(&jobs_bell_mutex);
}

const char *jobs_failure_cause(const char *last_error)
{
    static const struct {
        const char *prefix, *cause;
    } causes[] = {
        {JOBS_ERR_NO_CHANNEL, "no_channel_reached"},
        {JOBS_ERR_IDENTITY, "identity_unavailable"},
        {JOBS_ERR_LINK, "link_unavailable"},
        {JOBS_ERR_RENDER, "render_failed"},
        {JOBS_ERR_NO_GUIDANCE, "no_guidance"},
        {"cannot read ", "internal"},        {"cannot record ", "internal"},
        {"cannot renew ", "internal"},
    };
    for (size_t i = 0; last_error && i < sizeof causes / sizeof *causes; i++)
        if (strncmp(last_error, causes[i].prefix, strlen(causes[i].prefix)) == 0)
            return causes[i].cause;
    return NULL;
}

struct jobs_retrying {
    int64_t job_id, now;
};

static enum store_status jobs_retry_txn(struct store *st, void *arg)
{
    const struct jobs_retrying *r = arg;
    return store_letter_retry(st, r->job_id, r->now);
}

/* Runs an operator's change to a job (a retry, a skip) as one transaction and wakes the
 * scheduler when it went through: done, no such job to act on (STORE_NOT_FOUND), a letter
 * that has not failed (STORE_CONFLICT), or the database failed. */
static enum jobs_retry_result jobs_change(struct store *st, store_txn_fn fn, void *arg)
{
    enum store_status rc = store_txn(st, fn, arg);
    if (rc == STORE_OK)
        jobs_wake();
    return rc == STORE_OK          ? JOBS_RETRY_OK
           : rc == STORE_NOT_FOUND ? JOBS_RETRY_NOT_FOUND
           : rc == STORE_CONFLICT  ? JOBS_RETRY_NOT_FAILED
                                   : JOBS_RETRY_ERROR;
}

static enum store_status jobs_retry_journal_txn(struct store *st, void *arg)
{
    return store_journal_retry_now(st, *(const int64_t *)arg);
}

enum jobs_retry_result jobs_retry_journal(struct store *st, int64_t now)
{
    return jobs_change(st, jobs_retry_journal_txn, &now);
}

struct jobs_skipping {
    int64_t job_id, now;
};

static enum store_status jobs_skip_journal_txn(struct store *st, void *arg)
{
    const struct jobs_skipping *k = arg;
    int64_t seq = 0;
    int attempts = 0;
    enum store_status rc = store_journal_skip(st, k->job_id, k->now, &seq, &attempts);
    if (rc != STORE_OK)
        return rc;
    struct store_journal_row r;
    char *data = NULL;
    rc = store_journal_get(st, seq, &r, &data);
    free(data);
    if (rc != STORE_OK)
        return rc == STORE_NOT_FOUND ? STORE_ERROR : rc; /* a job of no entry: refused whole */
    json_t *d = json_pack("{s:I, s:s, s:i}", "seq", (json_int_t)seq, "kind", r.kind, "attempts",
                          attempts);
    rc = d ? journal_append(st, k->now, "delivery_skipped", "system",
                            r.citizen_uuid[0] ? r.citizen_uuid : NULL,
                            r.enrolment_uuid[0] ? r.enrolment_uuid : NULL, d, NULL)
           : STORE_ERROR;
    json_decref(d);
    return rc;
}

enum jobs_retry_result jobs_skip_journal(struct store *st, int64_t job_id, int64_t now)
{
    struct jobs_skipping k = {job_id, now};
    return jobs_change(st, jobs_skip_journal_txn, &k);
}

enum jobs_retry_result jobs_retry_letter(struct store *st, int64_t job_id, int64_t now)
{
    struct jobs_retrying r = {job_id, now};
    return jobs_change(st, jobs_retry_txn, &r);
}
