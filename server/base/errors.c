#include "errors.h"

#include <string.h>

static const struct {
    const char *code;
    int status;
    const char *message;
} errors_table[] = {
    {"malformed_json", 400, "The body is not valid JSON."},
    {"conflicting_content_length", 400, "The request has conflicting Content-Length headers."},
    {"ambiguous_framing", 400, "The request has both Content-Length and Transfer-Encoding."},
    {"bad_content_length", 400, "The Content-Length header is not a number."},
    {"bad_request", 400, "The request is not valid."},
    {"body_not_allowed", 400, "This request takes no body (an empty one, or {}, is ignored)."},
    {"unauthorized", 401, "A valid API key is required: Authorization: Bearer <key>."},
    {"forbidden", 403, "This request is not allowed."},
    {"session_required", 403, "Open the link from your letter again."},
    {"not_found", 404, "There is nothing at this address."},
    {"method_not_allowed", 405, "This method is not allowed here; see the Allow header."},
    {"already_enrolled", 409, "The citizen already has an open enrolment in this group."},
    {"gone", 410, "This link is no longer valid."},
    {"body_too_large", 413, "The request body is larger than this endpoint accepts."},
    {"unsupported_media_type", 415, "The body must be sent with the Content-Type this endpoint accepts."},
    {"invalid", 422, "The request is valid JSON but its content is not valid."},
    {"too_many_requests", 429, "Too many attempts; wait a minute and try again."},
    {"internal", 500, "Something went wrong on our side; nothing was changed."},
    {"unavailable", 503, "The database does not answer."},
    {"busy", 503, "The server has no room for this request body now; try again shortly."},
    {"storage_full", 503, "The server's disk is full; nothing was changed. Try again later."},
};

static int errors_find(const char *code)
{
    for (size_t i = 0; i < sizeof errors_table / sizeof errors_table[0]; i++)
        if (strcmp(errors_table[i].code, code) == 0)
            return (int)i;
    return -1;
}

int errors_status(const char *code)
{
    int i = errors_find(code);
    return i < 0 ? 500 : errors_table[i].status;
}

const char *errors_message(const char *code)
{
    int i = errors_find(code);
    return i < 0 ? "Something went wrong." : errors_table[i].message;
}

json_t *errors_json(const char *code, const char *message, const char *field)
{
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message",
                          message ? message : errors_message(code));
    if (field && *field)
        json_object_set_new(e, "field", json_string(field));
    return json_pack("{s:o}", "error", e);
}
