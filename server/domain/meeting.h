/* meeting — the recorded first meeting read back: for the API's enrolment description and
 * the evidence document.  (Recording it is enrol_record_meeting().)  The note is stored
 * sealed; only these readers open it. */
#ifndef VEJLED_MEETING_H
#define VEJLED_MEETING_H

#include <jansson.h>
#include <stdint.h>

#include "model.h"
#include "store.h"
#include "vault.h"

/* Where the first meeting stands, as the citizen's pages tell it: recorded as held (the
 * recorded time), or its planned time passed without a record, or still to come. */
struct meeting_state {
    int64_t planned_at; /* the planned time; 0: none planned */
    int64_t held_at;    /* the time recorded as held; 0: not recorded */
    int over;           /* recorded, or the planned time has passed: no longer ahead */
};

/* The state of e's first meeting at now into out, as e was read (its planned time and
 * the meeting's recorded time come with every read of an enrolment). */
void meeting_state(const struct model_enrolment *e, int64_t now, struct meeting_state *out);

/* {"held_at", "oral_guidance", "note" (or null), "recorded_by", "recorded_at"}, json null
 * when no meeting is recorded, NULL on a read error.  New reference. */
json_t *meeting_json(struct store *st, const struct vault *v, int64_t enrolment_id);

/* Adds "meeting" (meeting_json of the enrolment with that uuid) to an enrolment
 * description.  0 or -1. */
int meeting_describe(struct store *st, const struct vault *v, const char *enrolment_uuid,
                     json_t *description);

#endif
