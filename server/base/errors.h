/* errors — the one registry of error codes the service answers with.
 *
 * Each machine code maps to an HTTP status and a human message (English, for the API's
 * integrators; citizen and staff pages show Danish text from the templates instead).  Every
 * API error reply is built by errors_json(), so the documented shape
 *   {"error": {"code": "...", "message": "...", "field": "..."}}
 * cannot drift.
 */
#ifndef VEJLED_ERRORS_H
#define VEJLED_ERRORS_H

#include <jansson.h>

/* The status registered for code (500 for an unknown code). */
int errors_status(const char *code);
/* The message registered for code. */
const char *errors_message(const char *code);
/* {"error": {...}} (new reference).  message NULL: the registered one; field may be NULL. */
json_t *errors_json(const char *code, const char *message, const char *field);

#endif
