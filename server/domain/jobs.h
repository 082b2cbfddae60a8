/* jobs — when the written guidance goes out: planning, moving and cancelling the scheduled
 * jobs of an enrolment, the retry back-off, and the doorbell that wakes the scheduler.
 *
 * Kinds: send_written_guidance (at enrolment), remind_before_meeting (remind_days_before
 * days before the first meeting, at remind_hour Copenhagen time; only while the citizen has
 * not completed), resend_written_guidance (the first meeting + the group's resend_months, in
 * Copenhagen wall time so that DST and month ends come out right), send_new_link (the
 * written guidance again with a new link a caseworker issued, at once), deliver_journal
 * (each journal entry to the case system's webhook, in order).  Every job has a unique key
 * ("kind:enrolment uuid", "send_new_link:enrolment uuid:seq", "deliver_journal:seq"), so
 * the same job can never exist twice.
 * All of these run inside the caller's store_txn().
 */
#ifndef VEJLED_JOBS_H
#define VEJLED_JOBS_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "model.h"
#include "store.h"

struct jobs_policy {
    unsigned remind_days_before; /* 0: no reminder */
    unsigned remind_hour;        /* local hour of day (0-23) the reminder goes out */
    unsigned max_attempts;       /* then the job is failed */
    unsigned backoff_base_s;     /* first retry after this long, doubling */
    unsigned backoff_max_s;      /* never longer than this */
    unsigned lease_s;            /* a running job older than this is claimable again */
};

/* The defaults the config starts from (remind 3 days before at 09:00, 8 attempts, 60 s
 * doubling up to 6 h, lease 10 min). */
void jobs_policy_defaults(struct jobs_policy *p);

/* The policy the configuration sets. */
void jobs_policy_from_config(const struct config *c, struct jobs_policy *p);

/* A claimed job's lease must outlast any single channel call, since the lease is renewed
 * right before each: every enabled channel's timeout_s (smtp, webhook) must be shorter than
 * [delivery] job_lease_s.  0, or -1 with err naming the keys. */
int jobs_check_timeouts(const struct config *c, char *err, size_t errlen);

/* remind_hour:00 Copenhagen time on the local day days_before days before meeting. */
int64_t jobs_remind_at(int64_t meeting, unsigned days_before, unsigned remind_hour);

/* meeting + months in Copenhagen wall time (clock_add_months). */
int64_t jobs_resend_at(int64_t meeting, int months);

/* Seconds to wait after the attempts-th failed attempt (1-based): base * 2^(attempts-1),
 * at most max. */
int64_t jobs_backoff(unsigned attempts, unsigned base_s, unsigned max_s);

/* The time a claim made during a pass is stamped with (its lease starts then): the pass's
 * time now advanced by the wall time the pass has run, clock - started (both clock_now()).
 * A claim stamped with the pass's start would hold a lease that is already lapsed when
 * the pass outlives it, so that another scheduler takes the job at once. */
int64_t jobs_claim_time(int64_t now, int64_t started, int64_t clock);

/* Inserts the jobs of a new enrolment (send now; reminder if still ahead; resend if still
 * ahead: a late registration gets the guidance once) and
 * appends {"kind", "due_at"} for each to the array jobs (may be NULL). */
enum store_status jobs_plan_enrolment(struct store *st, const struct model_enrolment *e,
                                      const struct model_group *g, const struct jobs_policy *p,
                                      int64_t now, json_t *jobs);

/* The meeting was held at held_at: the pending resend moves to held_at + resend_months, or
 * is planned then when none was ever planned (late registration) and that is still ahead
 * (*resend_at gets it, 0 when nothing is pending); a pending reminder is cancelled (the
 * meeting is behind us). */
enum store_status jobs_meeting_held(struct store *st, const struct model_enrolment *e,
                                    const struct model_group *g, int64_t held_at, int64_t now,
                                    int64_t *resend_at);

/* The first meeting was planned anew (e->first_meeting_at is the new time; not held yet):
 * the pending reminder is cancelled and one planned for the new time when it is still ahead
 * and the citizen has neither completed nor declined (*remind_at, else 0); the pending
 * resend moves to the new time + resend_months (*resend_at, else 0). */
enum store_status jobs_meeting_replanned(struct store *st, const struct model_enrolment *e,
                                         const struct model_group *g,
                                         const struct jobs_policy *p, int64_t now,
                                         int64_t *remind_at, int64_t *resend_at);

/* A new link was issued to the citizen (journal entry link_seq): the letter that carries it
 * goes out at once (job send_new_link, ref link_seq); appended to jobs (may be NULL) as in
 * jobs_plan_enrolment. */
enum store_status jobs_new_link(struct store *st, const struct model_enrolment *e,
                                int64_t link_seq, int64_t now, json_t *jobs);

/* The citizen completed or declined: the reminder to watch the videos is not needed any
 * more and is cancelled (inside the transaction that records it). */
enum store_status jobs_citizen_done(struct store *st, int64_t enrolment_id, int64_t now);

/* Cancels every pending letter job of an enrolment (closed, group changed); the journal's
 * delivery to the case system goes on.  *n how many. */
enum store_status jobs_cancel_enrolment(struct store *st, int64_t enrolment_id, int64_t now,
                                        int *n);

/* How a letter job's last error begins for each cause of a failure the record names: the
 * scheduler writes these, jobs_failure_cause reads them back (never the error's own text,
 * which may hold a remote server's answer). */
#define JOBS_ERR_NO_CHANNEL "not sent: no configured channel can reach this citizen"
#define JOBS_ERR_IDENTITY "cannot open the citizen's sealed identity"
#define JOBS_ERR_LINK "cannot prepare the personal link"
#define JOBS_ERR_RENDER "cannot render the letter"
#define JOBS_ERR_NO_GUIDANCE "the target group has no published guidance"

/* The cause of a failed letter job by its last error, as letter_failed's reason names it:
 * "no_channel_reached", "identity_unavailable", "link_unavailable", "render_failed",
 * "no_guidance", "internal" (vejled could not read or record its own data), or NULL
 * (another cause, such as a channel's refusal, which the job's deliveries tell). */
const char *jobs_failure_cause(const char *last_error);

/* A letter that failed for good, sent again: made pending, due now, its attempts from the
 * first (after a person fixed the cause: the SMTP server, a channel's settings), in a
 * transaction of its own, and the scheduler woken.  JOBS_RETRY_OK; JOBS_RETRY_NOT_FOUND
 * for no such letter job; JOBS_RETRY_NOT_FAILED when it is not failed (pending, sent,
 * cancelled) or its enrolment is closed (a group change: the new group's letters go
 * instead); JOBS_RETRY_ERROR. */
enum jobs_retry_result {
    JOBS_RETRY_OK,
    JOBS_RETRY_NOT_FOUND,
    JOBS_RETRY_NOT_FAILED,
    JOBS_RETRY_ERROR
};
enum jobs_retry_result jobs_retry_letter(struct store *st, int64_t job_id, int64_t now);
/* The first journal entry owed to the case system, waiting after a failed delivery, tried on
 * the scheduler's next pass (woken now) rather than at the end of its back-off: for when the
 * cause is fixed (its attempts stay counted).  JOBS_RETRY_OK; JOBS_RETRY_NOT_FOUND when none waits so (none owed, the first
 * being tried or due already); JOBS_RETRY_ERROR. */
enum jobs_retry_result jobs_retry_journal(struct store *st, int64_t now);
/* The first journal entry owed to the case system given up by an operator (one the case
 * system refuses for good, so that the entries after it can go): its job cancelled, and a
 * "delivery_skipped" entry journalled (actor "system"; the skipped entry's seq, kind and
 * attempts, and its citizen and enrolment) in the same transaction, which the webhook then
 * delivers like any other, so the case system learns which entry to read from the journal
 * API instead.  JOBS_RETRY_OK; JOBS_RETRY_NOT_FOUND when job_id is not that entry's job,
 * waiting for its next attempt; JOBS_RETRY_ERROR. */
enum jobs_retry_result jobs_skip_journal(struct store *st, int64_t job_id, int64_t now);

/* The doorbell: jobs_wake() makes a waiting jobs_wait() return early.  jobs_wait() returns
 * when woken, when stop is set (by jobs_stop()), or at the wall-clock time until (UTC s). */
void jobs_wake(void);
void jobs_wait(int64_t until);
void jobs_stop(void);
int jobs_stopping(void);

#endif
