#include "meeting.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"

static json_t *meeting_time(int64_t t)
{
    char buf[CLOCK_RFC3339_LEN + 1];
    clock_format_rfc3339(t, buf);
    return json_string(buf);
}

json_t *meeting_json(struct store *st, const struct vault *v, int64_t enrolment_id)
{
    struct store_meeting m;
    enum store_status rc = store_meeting_get(st, enrolment_id, &m);
    if (rc == STORE_NOT_FOUND)
        return json_null();
    if (rc != STORE_OK)
        return NULL;
    json_t *note = json_null();
    if (m.note_box) {
        char *plain = NULL;
        size_t n = 0;
        if (vault_unseal(v, m.note_box, m.note_boxlen, &plain, &n) == 0)
            note = json_stringn(plain, n);
        free(plain);
        if (!note) /* not valid UTF-8: cannot happen for what we sealed */
            note = json_null();
    }
    free(m.note_box);
    return json_pack("{s:o, s:b, s:o, s:s, s:o}", "held_at", meeting_time(m.held_at),
                     "oral_guidance", m.oral_guidance, "note", note, "recorded_by",
                     m.recorded_by, "recorded_at", meeting_time(m.recorded_at));
}

int meeting_describe(struct store *st, const struct vault *v, const char *enrolment_uuid,
                     json_t *description)
{
    struct model_enrolment e;
    if (store_enrolment_by_uuid(st, enrolment_uuid, &e) != STORE_OK)
        return -1;
    json_t *m = meeting_json(st, v, e.id);
    if (!m)
        return -1;
    json_object_set_new(description, "meeting", m);
    return 0;
}

void meeting_state(const struct model_enrolment *e, int64_t now, struct meeting_state *out)
{
    out->planned_at = e->first_meeting_at;
    out->held_at = e->held_at;
    out->over = out->held_at != 0 || (out->planned_at != 0 && now >= out->planned_at);
}
