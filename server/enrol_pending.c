/* enrol_pending — a weak stand-in for enrol_record_meeting() until the scheduler's branch
 * (issue 4), which implements it in enrol.c, is merged.  The real definition replaces this
 * one at link time; delete this file once it is on main. */
#include "enrol.h"

__attribute__((weak)) enum enrol_result enrol_record_meeting(const struct enrol_env *env,
                                                             const char *enrolment_uuid,
                                                             const json_t *body,
                                                             const char *actor,
                                                             json_t **response,
                                                             struct enrol_error *err)
{
    (void)env;
    (void)enrolment_uuid;
    (void)body;
    (void)actor;
    (void)err;
    *response = NULL;
    return ENROL_ERROR;
}
