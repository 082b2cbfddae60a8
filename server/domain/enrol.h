/* enrol — enrolling citizens and describing enrolments to the case system.
 *
 * An enrolment (forløb) is one citizen in one target group with one pack version, a
 * personal link and a first-meeting time.  Creating one validates everything first
 * (CPR, group, times, e-mail), then in one transaction finds or creates the citizen (by
 * the keyed CPR hash), opens the enrolment, writes the "enrolled" journal entry, schedules
 * the written-guidance jobs and, when an Idempotency-Key came with the request, stores the
 * sealed answer so that a retry gets exactly the same answer.  Either all of it happens or
 * none of it.
 *
 * Input and output are JSON values (jansson): the domain knows the API's shapes, never HTTP.
 */
#ifndef VEJLED_ENROL_H
#define VEJLED_ENROL_H

#include <jansson.h>
#include <stdint.h>

#include "content.h"
#include "jobs.h"
#include "lang.h"
#include "store.h"
#include "vault.h"

struct enrol_env {
    struct store *st;
    const struct vault *vault;
    struct content_cache *cache;
    const char *public_url;        /* base of citizen links */
    unsigned token_days;
    unsigned idempotency_hours;
    unsigned remind_days_before;
    size_t max_field_length;
    const struct jobs_policy *jobs; /* NULL: jobs_policy_defaults() with remind_days_before */
    const json_t *strings;          /* Danish language strings for the words of watching
                                     * (watch.h) in enrol_describe; NULL: no "text" */
    unsigned max_clock_skew_s;     /* how far a group change's changed_at may lie ahead */
    const struct lang_list *langs;  /* the languages an enrolment may have; NULL: da, en */
};

/* A rejected request: machine code, JSON path of the field (or ""), and human text. */
struct enrol_error {
    char code[40];
    char field[48];
    char message[200];
};

enum enrol_result {
    ENROL_OK,        /* *response holds the answer, *status its HTTP status */
    ENROL_INVALID,   /* 422: err says which field and why */
    ENROL_CONFLICT,  /* 409: err says why */
    ENROL_NOT_FOUND, /* 404 */
    ENROL_BUSY,      /* 503: another write held the database past busy_timeout_ms; nothing
                      * was changed, the same request again may go through */
    ENROL_FULL,      /* 503: the disk is full; nothing was changed, the same request again
                      * goes through once space is freed */
    ENROL_ERROR      /* 500 */
};

/* POST /api/v1/enrolments.  idem_key may be NULL.  *status is 201, or the stored status
 * of a replayed request.  *response is a new reference on ENROL_OK. */
enum enrol_result enrol_create(const struct enrol_env *env, const json_t *body,
                               int64_t api_key_id, const char *idem_key, int *status,
                               json_t **response, struct enrol_error *err);

/* GET /api/v1/enrolments/{uuid}: the enrolment with status, score, every answer, focus and
 * asked topics.  Never contains the CPR. */
enum enrol_result enrol_describe(const struct enrol_env *env, const char *uuid,
                                 json_t **response);

/* GET /api/v1/me: the citizen's own view of enrolment e (already authenticated): target
 * group (slug, name), language, status, score, the videos in order ("id", "title",
 * "answered", "watched" as in enrol_describe), meeting_at (the recorded meeting, else the
 * planned one), meeting_recorded, first_meeting_at, completed_at, declined_at and
 * receipt_reference.  Texts in the language ui (NULL: Danish), pack translations
 * included.  Never the CPR, the name, the caseworker, the answers themselves or anything of
 * another enrolment.  Reads only.  *response is a new reference on ENROL_OK, else
 * ENROL_ERROR. */
enum enrol_result enrol_own_progress(const struct enrol_env *env, const struct model_enrolment *e,
                                     const struct lang_info *ui, json_t **response);

/* GET /api/v1/citizens/{uuid}/journal. */
enum enrol_result enrol_journal(const struct enrol_env *env, const char *citizen_uuid,
                                json_t **response);

/* Issues a new personal link for an open enrolment (the old link stops working) and
 * journals "link_issued" by actor.  *response (new reference on ENROL_OK): {"link",
 * "expires_at", "jobs": []}.  ENROL_NOT_FOUND for an unknown enrolment; ENROL_CONFLICT
 * (err filled when not NULL: "enrolment_closed") for a closed one. */
enum enrol_result enrol_new_link(const struct enrol_env *env, const char *enrolment_uuid,
                                 const char *actor, json_t **response, struct enrol_error *err);

/* The same, and in the same transaction the letter that carries the new link to the
 * citizen through the configured channels (job send_new_link, due at once; "jobs" lists
 * it): for a citizen whose link expired or was lost.  The link is for the letter only;
 * a caller that acts for a caseworker does not show it. */
enum enrol_result enrol_new_link_letter(const struct enrol_env *env, const char *enrolment_uuid,
                                        const char *actor, json_t **response,
                                        struct enrol_error *err);

/* The uuid of the open enrolment of the citizen with that CPR in that group: ENROL_OK,
 * ENROL_NOT_FOUND or ENROL_ERROR. */
enum enrol_result enrol_find_open(const struct enrol_env *env, const char *cpr,
                                  const char *group_slug, char uuid[MODEL_UUID_LEN + 1]);

/* The earliest time a first meeting may be recorded as held: when the enrolment began, or
 * the planned first meeting when the case system registered the citizen after it. */
int64_t enrol_meeting_earliest(const struct model_enrolment *e);

/* Whether a meeting note fits: at most max characters (UTF-8 code points: "æ" is one, not
 * two).  The one rule of the API's note and of the caseworker's meeting form. */
int enrol_note_fits(const char *note, size_t max);

/* POST /api/v1/enrolments/{uuid}/meeting, and the caseworker's meeting form (which builds
 * the same JSON): {"held_at": RFC 3339, "oral_guidance": bool, "note": string (optional,
 * enrol_note_fits max_field_length)}.  Records the meeting on the open enrolment, journals
 * "meeting_recorded" by actor (an API key name or a staff username) and, when held_at
 * differs from the planned first meeting, moves the pending resend job to held_at + the
 * group's resend interval.  *response (new reference on ENROL_OK) is the enrolment as
 * enrol_describe gives it.  ENROL_INVALID with err, ENROL_NOT_FOUND, ENROL_CONFLICT (the
 * enrolment is closed). */
enum enrol_result enrol_record_meeting(const struct enrol_env *env, const char *enrolment_uuid,
                                       const json_t *body, const char *actor,
                                       json_t **response, struct enrol_error *err);

/* PUT /api/v1/enrolments/{uuid}/planned-meeting: {"first_meeting_at": RFC 3339}.  The
 * case system moved the first meeting before it was held: the enrolment's planned time
 * changes, the pending reminder is replaced by one for the new time (when still ahead and
 * the citizen has neither completed nor declined), the pending resend moves with it, and
 * "meeting_replanned" {from, to, reminder_due_at?, resend_due_at?} is journalled by actor.
 * The same time again changes nothing.  *response as enrol_describe.  ENROL_INVALID,
 * ENROL_NOT_FOUND, ENROL_CONFLICT (closed: "enrolment_closed"; recorded as held:
 * "meeting_recorded"). */
enum enrol_result enrol_replan_meeting(const struct enrol_env *env, const char *enrolment_uuid,
                                       const json_t *body, const char *actor,
                                       json_t **response, struct enrol_error *err);

/* POST /api/v1/enrolments/{uuid}/close: {"reason": "job" | "education" | "benefit_ended" |
 * "moved" | "other", "closed_at": RFC 3339 (optional, default now)}.  The citizen left
 * the target group without moving to another one (found work, say): the enrolment is
 * closed at closed_at, its pending jobs are cancelled (no reminder, no resend: no letter
 * about the duties of a benefit the citizen no longer receives), its link stops working,
 * and "enrolment_closed" {reason, closed_at, jobs_cancelled} is journalled by actor.
 * closed_at may not lie more than env->max_clock_skew_s ahead, nor before the enrolment
 * began (422 invalid_time).  *response as enrol_describe.  ENROL_INVALID, ENROL_NOT_FOUND,
 * ENROL_CONFLICT ("enrolment_closed": closed already). */
enum enrol_result enrol_close(const struct enrol_env *env, const char *enrolment_uuid,
                              const json_t *body, const char *actor, json_t **response,
                              struct enrol_error *err);

/* PUT /api/v1/citizens/{uuid}/target-group: {"target_group", "changed_at", "next_meeting_at",
 * "caseworker" (optional: the new enrolment's caseworker, when another one takes over;
 * default the old enrolment's)}.
 * Closes the citizen's open enrolment, cancels its pending jobs, opens a new enrolment in
 * the new group (current published pack, new link) and schedules its jobs (written
 * guidance at once, resend from next_meeting_at); journals "group_changed" by actor.  All
 * or nothing.  *status 201 and *response shaped as enrol_create's.
 * The time that counts is changed_at (default now): the old enrolment is closed and the new
 * one made at that time, so a meeting after it is not the old group's; it may not lie more
 * than env->max_clock_skew_s ahead, nor before the old enrolment began (422 invalid_time,
 * field changed_at).  The link's validity, the jobs and the journal entries run from now. */
enum enrol_result enrol_change_group(const struct enrol_env *env, const char *citizen_uuid,
                                     const json_t *body, const char *actor, int *status,
                                     json_t **response, struct enrol_error *err);

/* The status of an enrolment given whether the citizen has done anything yet. */
enum model_status enrol_status(const struct model_enrolment *e, int any_progress);

/* A new random (v4) UUID, lower-case. */
void enrol_new_uuid(char out[MODEL_UUID_LEN + 1]);

#endif
