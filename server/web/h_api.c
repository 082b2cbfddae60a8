/* The case-system API: enrol, describe an enrolment, record the meeting, change the target
 * group, a citizen's journal, statistics, health, and the API's own description; and the
 * citizen app's one call, the citizen's own progress. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "enrol.h"
#include "handlers.h"
#include "meeting.h"
#include "stats.h"

static void h_api_env(struct app_call *c, struct enrol_env *env, struct jobs_policy *policy)
{
    app_enrol_env(c, env, policy);
}

static void h_api_result(struct app_call *c, enum enrol_result r, int status, json_t *body,
                         const struct enrol_error *err)
{
    switch (r) {
    case ENROL_OK:
        app_json(c, status, body);
        return;
    case ENROL_INVALID:
        app_api_error(c, 422, err->code, err->message, err->field);
        return;
    case ENROL_CONFLICT:
        app_api_error(c, 409, err->code, err->message, err->field);
        return;
    case ENROL_NOT_FOUND:
        app_api_error(c, 404, "not_found", NULL, NULL);
        return;
    case ENROL_BUSY: /* nothing changed: the same request again may go through */
        http_reply_header(c->rep, "Retry-After", "2");
        app_api_error(c, 503, "busy", NULL, NULL);
        return;
    case ENROL_FULL:
        app_reply_full(c, true);
        return;
    case ENROL_ERROR:
        break;
    }
    app_api_error(c, 500, "internal", NULL, NULL);
}

/* An Idempotency-Key: 1 to 255 visible ASCII characters. */
static int h_api_idem_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e)
            return 0;
    return 1;
}

/* Whether a string of v holds U+0000 (valid JSON, "\u0000", but no text of ours may: C
 * strings would end there, storing less than was sent); path gets the first one's JSON path
 * ("citizen.name", "topics[2]"), at most n bytes. */
static bool h_api_has_nul(const json_t *v, char *path, size_t n, size_t at)
{
    if (json_is_string(v))
        return strlen(json_string_value(v)) != json_string_length(v);
    const char *key;
    json_t *member;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, member) {
            snprintf(path + at, n - at, "%s%s", at ? "." : "", key);
            if (h_api_has_nul(member, path, n, strlen(path)))
                return true;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, member) {
            snprintf(path + at, n - at, "[%zu]", i);
            if (h_api_has_nul(member, path, n, strlen(path)))
                return true;
        }
    }
    path[at] = '\0';
    return false;
}

/* The request body as JSON (new reference), or NULL after replying 400 (not JSON) or 422 (a
 * text holding U+0000). */
static json_t *h_api_body(struct app_call *c)
{
    json_error_t je;
    /* any JSON text is JSON (RFC 8259): a bare string or number is 422, not 400; so is
     * "\u0000" in a string, which is refused below, naming where */
    json_t *body = json_loadb(c->req->body, c->req->body_len,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!body) {
        /* je.text may quote the input (a CPR, say): report only the position */
        char msg[128];
        snprintf(msg, sizeof msg, "The body is not valid JSON (line %d, column %d).", je.line,
                 je.column);
        app_api_error(c, 400, "malformed_json", msg, NULL);
        return NULL;
    }
    char path[256] = "";
    if (h_api_has_nul(body, path, sizeof path, 0)) {
        /* the path is named only when it is made of names as ours are: a client's own key
         * (a CPR number, say) is never repeated in an error */
        bool ours = *path != '\0';
        for (const char *p = path, *open = NULL; *p && ours; p++) {
            if (*p == '[')
                open = p;
            else if (*p == ']')
                open = NULL;
            else if (!(*p >= 'a' && *p <= 'z') && *p != '_' && *p != '.' &&
                     !(open && *p >= '0' && *p <= '9'))
                ours = false;
        }
        char msg[320];
        snprintf(msg, sizeof msg, "%s holds the character U+0000, which no text may hold.",
                 ours ? path : "A text of the body");
        app_api_error(c, 422, "invalid_body", msg, ours ? path : NULL);
        json_decref(body);
        return NULL;
    }
    return body;
}

void h_api_enrol(struct app_call *c)
{
    struct enrol_env env;
    struct jobs_policy policy;
    struct enrol_error err;
    json_t *body = NULL, *response = NULL;
    int status = 0;
    const char *idem = http_header(c->req, "Idempotency-Key");
    if (idem && !h_api_idem_ok(idem)) {
        app_api_error(c, 400, "bad_request",
                      "Idempotency-Key must be 1 to 255 visible ASCII characters.", NULL);
        goto out;
    }
    body = h_api_body(c);
    if (!body)
        goto out;
    h_api_env(c, &env, &policy);
    enum enrol_result r = enrol_create(&env, body, c->api_key_id, idem, &status, &response, &err);
    h_api_result(c, r, status, response, &err);
out:
    json_decref(body);
}

void h_api_enrolment(struct app_call *c)
{
    struct enrol_env env;
    struct jobs_policy policy;
    json_t *response = NULL;
    h_api_env(c, &env, &policy);
    enum enrol_result r = enrol_describe(&env, c->req->match->params[0], &response);
    if (r == ENROL_OK && meeting_describe(c->st, env.vault, c->req->match->params[0], response))
        r = ENROL_ERROR;
    h_api_result(c, r, 200, response, NULL);
}

typedef enum enrol_result (*h_api_change_fn)(const struct enrol_env *env, const char *uuid,
                                               const json_t *body, const char *actor,
                                               json_t **response, struct enrol_error *err);

/* A JSON body that changes the enrolment (its meeting, or closes it: fn); 200 with the
 * enrolment as GET gives it. */
static void h_api_enrolment_change(struct app_call *c, h_api_change_fn fn)
{
    struct enrol_env env;
    struct jobs_policy policy;
    struct enrol_error err;
    json_t *response = NULL;
    json_t *body = h_api_body(c);
    if (!body)
        return;
    h_api_env(c, &env, &policy);
    const char *uuid = c->req->match->params[0];
    enum enrol_result r = fn(&env, uuid, body, "api", &response, &err);
    if (r == ENROL_OK && meeting_describe(c->st, env.vault, uuid, response))
        r = ENROL_ERROR;
    h_api_result(c, r, 200, response, &err);
    json_decref(body);
}

void h_api_meeting(struct app_call *c) { h_api_enrolment_change(c, enrol_record_meeting); }

/* PUT /api/v1/enrolments/{id}/planned-meeting: the first meeting moved before it was held;
 * 200 with the enrolment as GET gives it. */
void h_api_planned_meeting(struct app_call *c) { h_api_enrolment_change(c, enrol_replan_meeting); }

/* POST /api/v1/enrolments/{id}/close: the citizen left the target group; 200 with the
 * enrolment as GET gives it. */
void h_api_close(struct app_call *c) { h_api_enrolment_change(c, enrol_close); }

/* POST /api/v1/enrolments/{id}/link: a new link, sent to the citizen by letter; the reply
 * carries it too (the case system may give it by another way), 201. */
void h_api_link(struct app_call *c)
{
    struct enrol_env env;
    struct jobs_policy policy;
    struct enrol_error err;
    json_t *response = NULL;
    memset(&err, 0, sizeof err);
    h_api_env(c, &env, &policy);
    enum enrol_result r =
        enrol_new_link_letter(&env, c->req->match->params[0], "api", &response, &err);
    h_api_result(c, r, 201, response, &err);
}

void h_api_target_group(struct app_call *c)
{
    struct enrol_env env;
    struct jobs_policy policy;
    struct enrol_error err;
    json_t *response = NULL;
    int status = 0;
    json_t *body = h_api_body(c);
    if (!body)
        return;
    h_api_env(c, &env, &policy);
    enum enrol_result r = enrol_change_group(&env, c->req->match->params[0], body, "api",
                                             &status, &response, &err);
    h_api_result(c, r, status, response, &err);
    json_decref(body);
}

void h_api_journal(struct app_call *c)
{
    struct enrol_env env;
    struct jobs_policy policy;
    json_t *response = NULL;
    h_api_env(c, &env, &policy);
    enum enrol_result r = enrol_journal(&env, c->req->match->params[0], &response);
    if (r == ENROL_OK) /* each data exactly as hashed */
        app_json_exact(c, 200, response);
    else
        h_api_result(c, r, 200, response, NULL);
}

void h_api_stats(struct app_call *c)
{
    const struct config *cfg = c->app->cfg;
    struct stats_period p;
    struct stats_report r;
    char msg[160];
    switch (stats_period_parse(http_query(c->req, "from"), http_query(c->req, "to"),
                               cfg->stats_max_range_days, &p)) {
    case STATS_PERIOD_OK:
        break;
    case STATS_PERIOD_BAD_FROM:
        app_api_error(c, 422, "invalid_date", "from must be a date YYYY-MM-DD in 2000-2099.", "from");
        return;
    case STATS_PERIOD_BAD_TO:
        app_api_error(c, 422, "invalid_date", "to must be a date YYYY-MM-DD in 2000-2099.", "to");
        return;
    case STATS_PERIOD_REVERSED:
        app_api_error(c, 422, "invalid_period", "to must not be before from.", "to");
        return;
    case STATS_PERIOD_TOO_LONG:
        snprintf(msg, sizeof msg, "The period from from to to may be at most %u days.",
                 cfg->stats_max_range_days);
        app_api_error(c, 422, "invalid_period", msg, "to");
        return;
    }
    if (stats_report_build(c->st, &p, clock_now(), cfg->minutes_per_send, &r) != 0) {
        app_api_error(c, 500, "internal", NULL, NULL);
        return;
    }
    app_json(c, 200, stats_report_json(&r));
    stats_report_free(&r);
}

/* GET /api/v1/me: the authenticated citizen's own enrolment (AUTH_CITIZEN_APP), in its
 * language. */
void h_api_me(struct app_call *c)
{
    struct enrol_env env;
    struct jobs_policy policy;
    json_t *response = NULL;
    h_api_env(c, &env, &policy);
    enum enrol_result r = enrol_own_progress(&env, &c->enrolment, c->ui, &response);
    h_api_result(c, r, 200, response, NULL);
}

/* The API description, read at start (app_init), no key needed. */
void h_api_openapi(struct app_call *c)
{
    http_reply_text(c->rep, 200, "application/json; charset=utf-8", c->app->openapi,
                    strlen(c->app->openapi));
}

void h_api_health(struct app_call *c)
{
    if (store_ping(c->st) == 0)
        app_json(c, 200, json_pack("{s:s}", "status", "ok"));
    else
        app_api_error(c, 503, "unavailable", NULL, NULL);
}
