/* The caseworker's pages: login and logout, the list of citizens ("my citizens", by next
 * meeting, with filters and a name or CPR search by POST), one citizen's page (answers,
 * focus and asked topics, the recorded meeting, the link's state and a new link by letter,
 * the journal, who looked), the meeting form, and training mode (every group's published
 * videos and questions, nothing recorded).  The dispatcher has already checked the
 * session, the role, the Origin and the form token (app.c); every read of a citizen's data
 * here writes one access-log row.
 *
 * Scope is per enrolment: a caseworker sees, and records on, only the enrolments whose
 * caseworker belongs to their own unit (staff_scope); the others are left out of every
 * page, the journal and the PDF as if they did not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel.h"
#include "checkpoint.h"
#include "clock.h"
#include "cpr.h"
#include "enrol.h"
#include "evidence.h"
#include "handlers.h"
#include "journal.h"
#include "letter.h"
#include "watch.h"
#include "mem.h"
#include "meeting.h"
#include "utf8.h"

/* ------------------------------------------------------------------ shared helpers */

const char *h_staff_field(const struct app_call *c, const char *name)
{
    const char *v = form_get(&c->form, name);
    return v ? v : "";
}

void h_staff_error(struct app_call *c, json_t *ctx, const char *field_id, const char *key)
{
    h_staff_error_msg(ctx, field_id, app_text(c, key));
}

void h_staff_error_msg(json_t *ctx, const char *field_id, const char *message)
{
    json_t *errors = json_object_get(ctx, "errors");
    if (!errors) {
        errors = json_array();
        json_object_set_new(ctx, "errors", errors);
    }
    json_array_append_new(errors,
                          json_pack("{s:s, s:s}", "field_id", field_id, "message", message));
    json_object_set_new(ctx, "has_errors", json_true());
    char k[96];
    snprintf(k, sizeof k, "err_%s", field_id);
    for (char *p = k; *p; p++)
        if (*p == '-')
            *p = '_';
    if (!json_object_get(ctx, k))
        json_object_set_new(ctx, k, json_string(message));
}

char *h_staff_fill_text(const struct app_call *c, const char *key, const char *name,
                        const char *value)
{
    const char *text = app_text(c, key);
    char tag[48];
    snprintf(tag, sizeof tag, "{{%s}}", name);
    struct buf b = {0};
    const char *at;
    while ((at = strstr(text, tag))) {
        buf_append(&b, text, (size_t)(at - text));
        buf_append(&b, value, strlen(value));
        text = at + strlen(tag);
    }
    buf_append(&b, text, strlen(text));
    return buf_detach(&b);
}

char *h_staff_fill(const struct app_call *c, const char *key, const char *name, unsigned n)
{
    char num[16];
    snprintf(num, sizeof num, "%u", n);
    return h_staff_fill_text(c, key, name, num);
}

/* A citizen's score as the list and the citizen page say it (caller frees): "Ingen svar
 * endnu" before any answer, else "3 af 5 svar rigtige", and "(7 ikke besvaret)" after it
 * while questions are left.  Right answers are counted of those given, never of all
 * questions: "1 af 12 rigtige" read as eleven wrong when eleven were not answered. */
static char *h_staff_score(const struct app_call *c, long long correct, long long answered,
                           long long total)
{
    if (answered <= 0)
        return xstrdup(app_text(c, "staff_score_none"));
    char ncorrect[24], nanswered[24];
    snprintf(ncorrect, sizeof ncorrect, "%lld", correct);
    snprintf(nanswered, sizeof nanswered, "%lld", answered);
    const char *vars[] = {"correct", ncorrect, "answered", nanswered, NULL};
    struct buf b = {0};
    letter_fill(&b, app_text(c, "staff_score_text"), vars);
    if (total > answered) {
        char *un = h_staff_fill(c, "staff_unanswered", "n", (unsigned)(total - answered));
        buf_printf(&b, " %s", un);
        free(un);
    }
    return buf_detach(&b);
}

char *h_staff_text_lf(const char *src)
{
    char *out = xstrdup(src), *w = out;
    for (const char *r = out; *r; r++)
        if (!(r[0] == '\r' && r[1] == '\n'))
            *w++ = *r;
    *w = '\0';
    return out;
}

void h_staff_error_n(struct app_call *c, json_t *ctx, const char *field_id, const char *key,
                     const char *name, unsigned n)
{
    char *msg = h_staff_fill(c, key, name, n);
    h_staff_error_msg(ctx, field_id, msg);
    free(msg);
}

const char *h_staff_name(const struct app_call *c, char *const names[LANG_COUNT])
{
    const char *n = names[c->lang];
    return n && *n ? n : names[LANG_DA] ? names[LANG_DA] : "";
}

void h_staff_time(const struct app_call *c, json_t *obj, const char *key, int64_t t)
{
    char buf[64];
    if (!t)
        return;
    clock_format_human(t, model_lang_code(c->lang), buf, sizeof buf);
    json_object_set_new(obj, key, json_string(buf));
}

void h_staff_fail(struct app_call *c)
{
    app_page_error(c, 500, "internal");
}

/* The page for an enrolment's write that failed: busy (another write held the database
 * too long) or a full disk (nothing changed, the same form again may go through), or
 * internal. */
static void h_staff_enrol_fail(struct app_call *c, enum enrol_result er)
{
    if (er == ENROL_FULL) {
        app_reply_full(c, false);
        return;
    }
    if (er != ENROL_BUSY) {
        h_staff_fail(c);
        return;
    }
    http_reply_header(c->rep, "Retry-After", "2");
    app_page_error(c, 503, "busy");
}

/* A text field: present, at most max characters (utf8.h: the limits the error messages
 * name are in characters).  Adds an error and returns NULL otherwise. */
const char *h_staff_text(struct app_call *c, json_t *ctx, const char *name, size_t max,
                         int required, const char *missing_key, const char *long_key)
{
    const char *v = h_staff_field(c, name);
    json_object_set_new(ctx, name, json_string(v));
    if (required && !*v) {
        h_staff_error(c, ctx, name, missing_key);
        return NULL;
    }
    if (!utf8_fits(v, max)) {
        h_staff_error(c, ctx, name, long_key);
        return NULL;
    }
    return v;
}

static const char *h_staff_scope(const struct app_call *c)
{
    return staff_scope(&c->user, c->app->cfg->see_all_units != 0);
}

int h_staff_logged(struct app_call *c, enum store_status rc)
{
    if (rc == STORE_FULL) { /* a read that cannot be logged is not shown */
        app_reply_full(c, false);
        return -1;
    }
    if (rc != STORE_OK) {
        h_staff_fail(c);
        return -1;
    }
    return 0;
}

/* Writes the access-log row for a read of one citizen's data.  page names what was read; a
 * read of "citizen" or "evidence", the pages that show the citizen's answers, is also what
 * the statistics count as answers viewed before the meeting (migration 0023).  0, or -1
 * having replied (h_staff_logged). */
static int h_staff_log_access(struct app_call *c, int64_t citizen_id, const char *page)
{
    return h_staff_logged(c, staff_access_record(c->st, &c->user, citizen_id, page,
                                                 clock_now()));
}

/* The citizen of the path's {id} when the user may see them (one of their enrolments is in
 * the user's scope): 0, or -1 having replied 404 (also for another unit's citizen: never a
 * hint that they exist). */
int h_staff_citizen(struct app_call *c, struct model_citizen *out)
{
    memset(out, 0, sizeof *out);
    enum store_status rc = store_citizen_by_uuid(c->st, c->req->match->params[0], out);
    if (rc == STORE_OK)
        rc = store_citizen_in_unit(c->st, out->id, h_staff_scope(c));
    if (rc == STORE_OK)
        return 0;
    model_citizen_clear(out);
    if (rc == STORE_NOT_FOUND)
        app_page_error(c, 404, "not_found");
    else
        h_staff_fail(c);
    return -1;
}

/* The citizen's enrolments in the user's scope, newest first: 0 and *es (free()) of *n,
 * or -1 having replied 500. */
static int h_staff_enrolments(struct app_call *c, const struct model_citizen *cz,
                              struct model_enrolment **es, size_t *n)
{
    if (store_citizen_enrolments(c->st, cz->id, h_staff_scope(c), es, n) == STORE_OK)
        return 0;
    h_staff_fail(c);
    return -1;
}

/* The open enrolment uuid (NULL or "": the newest open one) among the citizen's
 * enrolments in the user's scope: 0 and *out, or -1 having replied (404 when there is no
 * such enrolment, exactly like an unknown citizen). */
static int h_staff_open_enrolment(struct app_call *c, const struct model_citizen *cz,
                                  const char *uuid, struct model_enrolment *out)
{
    struct model_enrolment *es = NULL;
    size_t n = 0;
    int found = -1;
    if (h_staff_enrolments(c, cz, &es, &n))
        return -1;
    for (size_t i = 0; i < n && found < 0; i++)
        if (!es[i].closed_at && (!uuid || !*uuid || strcmp(es[i].uuid, uuid) == 0)) {
            *out = es[i];
            found = 0;
        }
    free(es);
    if (found < 0)
        app_page_error(c, 404, "not_found");
    return found;
}

/* ------------------------------------------------------------------ login, logout */

/* A staff code: "da" or "en" (the staff pages' languages), else NULL. */
static const char *h_staff_code(const char *code)
{
    return code && (!strcmp(code, "da") || !strcmp(code, "en")) ? code : NULL;
}

void h_staff_sessionless_language(struct app_call *c, json_t *ctx)
{
    const struct lang_list *all = &c->app->langs;
    if (!c->ui && c->req) {
        const char *code = h_staff_code(http_query(c->req, "sprog"));
        if (!code)
            code = h_staff_code(form_get(&c->form, "sprog"));
        c->ui = code ? lang_find(all, code) : NULL;
        if (!c->ui) {
            /* the browser's choice between the two (not a third it prefers) */
            struct lang_list mine;
            memset(&mine, 0, sizeof mine);
            const struct lang_info *da = lang_find(all, "da"), *en = lang_find(all, "en");
            if (da && en) {
                mine.items[0] = *da;
                mine.items[1] = *en;
                mine.n = 2;
                const struct lang_info *best =
                    lang_from_accept(&mine, http_header(c->req, "Accept-Language"));
                c->ui = best ? lang_find(all, best->code) : NULL;
            }
        }
        if (c->ui)
            c->lang = c->ui->base;
    }
    const char *current = c->ui ? c->ui->code : "da";
    const char *other = strcmp(current, "en") == 0 ? "da" : "en";
    /* the switch: this page again when it can be asked for again, else the login */
    char href[64];
    snprintf(href, sizeof href, "%s?sprog=%s",
             c->req && c->req->method == ROUTER_GET ? "" : "/medarbejder/login", other);
    json_object_set_new(ctx, "staff_switch", json_pack("{s:s, s:s}", "href", href, "code", other));
    json_object_set_new(ctx, "login_lang", json_string(current));
}

static void h_staff_login_page(struct app_call *c, int status, json_t *ctx)
{
    app_page(c, status, "staff/login", ctx);
}

void h_staff_login(struct app_call *c)
{
    struct app *app = c->app;
    json_t *ctx = json_object();
    h_staff_sessionless_language(c, ctx); /* before the form's messages */
    if (c->req->method != ROUTER_POST) {
        h_staff_login_page(c, 200, ctx);
        return;
    }
    const char *username = h_staff_text(c, ctx, "username", STORE_USERNAME_MAX, 1,
                                        "staff_err_username_missing", "staff_err_username_long");
    const char *password = h_staff_field(c, "password");
    if (!*password)
        h_staff_error(c, ctx, "password", "staff_err_password_missing");
    else if (!staff_password_fits(password))
        h_staff_error(c, ctx, "password", "staff_err_password_long");
    if (json_object_get(ctx, "has_errors")) {
        h_staff_login_page(c, 422, ctx);
        return;
    }
    char session[TOKEN_LEN + 1];
    struct store_user user;
    unsigned retry_after = 0;
    enum staff_login r = staff_login(c->st, app->cfg, app->login_guard, c->req->client_ip,
                                     username, password, clock_now(), session, &user,
                                     &retry_after);
    switch (r) {
    case LOGIN_OK:
        /* the language the login page was in carries on into the session */
        if (c->ui && staff_session_set_lang(c->st, session, c->ui->code) != 0) {
            json_decref(ctx);
            h_staff_fail(c);
            return;
        }
        app_staff_cookie(c, session, app->cfg->staff_session_hours * 3600);
        memset(session, 0, sizeof session);
        /* the pre-login token has done its job */
        http_reply_header(c->rep, "Set-Cookie",
                          "vejled_login=; Path=/medarbejder; Max-Age=0; HttpOnly; SameSite=Lax");
        http_reply_redirect(c->rep, 303,
                            staff_role_from_name(user.role) == ROLE_ADMIN ? "/admin"
                                                                          : "/medarbejder/borgere");
        json_decref(ctx);
        return;
    case LOGIN_BAD:
        /* one page for an unknown user, a wrong password, a disabled and a locked account:
         * the same byte for byte but for the form token and the username typed, which is
         * kept in its field in every case (the visitor's own input: it tells nobody which
         * accounts exist or are locked) so that only the password is typed again; the
         * password is never shown back */
        h_staff_error(c, ctx, "username", "staff_err_login");
        h_staff_login_page(c, 401, ctx);
        return;
    case LOGIN_THROTTLED: {
        char after[24];
        json_decref(ctx);
        app_page_error(c, 429, "login_throttled");
        snprintf(after, sizeof after, "%u", retry_after ? retry_after : 1);
        http_reply_header(c->rep, "Retry-After", after);
        return;
    }
    case LOGIN_ERROR:
        json_decref(ctx);
        h_staff_fail(c);
        return;
    }
}

void h_staff_logout(struct app_call *c)
{
    staff_session_end(c->st, c->session);
    app_staff_cookie(c, "", 0);
    http_reply_redirect(c->rep, 303, "/medarbejder/login");
}

void h_staff_home(struct app_call *c)
{
    http_reply_redirect(c->rep, 303, "/medarbejder/borgere");
}

/* Whether back is a staff page of this site to return to (app_back_ok). */
static bool h_staff_back_ok(const char *back)
{
    static const char *const staff_pages[] = {"/medarbejder", "/admin", NULL};
    return app_back_ok(back, staff_pages, 512);
}

/* POST /medarbejder/sprog: the staff pages in Danish or English for the rest of the
 * session; back to the page the switch was on. */
void h_staff_language(struct app_call *c)
{
    const char *lang = h_staff_field(c, "lang");
    const char *back = h_staff_field(c, "back");
    if (staff_session_set_lang(c->st, c->session, lang) != 0) {
        app_page_error(c, 400, "bad_request");
        return;
    }
    http_reply_redirect(c->rep, 303, h_staff_back_ok(back) ? back : "/medarbejder");
}

/* ------------------------------------------------------------------ my citizens */

struct h_staff_list {
    struct app_call *c;
    json_t *rows;
    const char *status; /* "" or a status name to keep */
    struct content_cache *cache;
    const json_t *groups; /* the filter's groups: [{slug, name}] in the page's language */
    size_t seen, limit;   /* rows read, and how many the page shows at most */
    bool more;            /* there were more rows than the page shows */
    int64_t *shown;       /* the citizens of the rows shown (their reads are logged) */
    size_t nshown;
};

/* A group's name in the page's language (the filter's list has it), else the row's own
 * (Danish) name. */
static const char *h_staff_group_name(const struct h_staff_list *l,
                                      const struct store_caseload_row *r)
{
    size_t i;
    json_t *g;
    json_array_foreach(l->groups, i, g)
        if (strcmp(json_string_value(json_object_get(g, "slug")), r->group_slug) == 0)
            return json_string_value(json_object_get(g, "name"));
    return r->group_name;
}

/* The topics of the questions ids ("1,5,9") in the page's language, each once (a topic is
 * often shared by several questions), joined by ", " into a new string; NULL for none.  The
 * caller frees it. */
static char *h_staff_topics(const struct app_call *c, const struct model_pack *pack,
                            const char *ids)
{
    struct buf out = {0};
    const char *seen[64];
    size_t n = 0;
    for (const char *p = ids; pack && p && *p && n < sizeof seen / sizeof seen[0];) {
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p)
            break;
        size_t vi;
        const struct model_question *q = content_question_by_id(pack, (int64_t)id, &vi);
        const char *topic = q ? h_staff_name(c, q->topic) : NULL;
        size_t k = 0;
        while (topic && k < n && strcmp(seen[k], topic) != 0)
            k++;
        if (topic && *topic && k == n) {
            seen[n++] = topic;
            buf_printf(&out, "%s%s", out.len ? ", " : "", topic);
        }
        p = *end == ',' ? end + 1 : end;
    }
    return out.data; /* NULL when nothing was appended */
}

static int h_staff_list_row(const struct store_caseload_row *r, void *arg)
{
    struct h_staff_list *l = arg;
    if (++l->seen > l->limit) { /* one row more than shown: the list is cut */
        l->more = true;
        return 1;
    }
    enum model_status status = enrol_status(&r->e, r->any_progress);
    if (*l->status && strcmp(l->status, model_status_name(status)) != 0)
        return 0;
    const struct model_pack *pack = content_cache_get(l->cache, l->c->st, r->e.pack_id);
    int total = pack ? (int)content_question_count(pack) : 0;
    char key[48];
    snprintf(key, sizeof key, "status_%s", model_status_name(status));
    json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:b, s:b}", "citizen_id",
                            r->e.citizen_uuid, "name", r->citizen_name, "group",
                            h_staff_group_name(l, r),
                            "status", app_text(l->c, key), "answered", r->answered, "correct",
                            r->correct, "total", total, "focus", r->answered > r->correct,
                            "asked", r->asked > 0);
    json_object_set_new(row, "status_code", json_string(model_status_name(status)));
    /* whose citizen it is, where it is not the reader's own (a colleague's in the unit's
     * list, when covering for them) */
    if (*r->e.caseworker && strcmp(r->e.caseworker, l->c->user.username) != 0)
        json_object_set_new(row, "caseworker", json_string(r->e.caseworker));
    /* which topics, so that the list shows what the meeting is about, not only that */
    char *focus = h_staff_topics(l->c, pack, r->wrong_ids), *asked = h_staff_topics(l->c, pack,
                                                                                     r->asked_ids);
    if (focus)
        json_object_set_new(row, "focus_topics", json_string(focus));
    if (asked)
        json_object_set_new(row, "asked_topics", json_string(asked));
    free(focus);
    free(asked);
    json_object_set_new(row, "has_focus", json_boolean(r->answered > r->correct || r->asked > 0));
    char *score = h_staff_score(l->c, r->correct, r->answered, total);
    json_object_set_new(row, "score", json_string(score));
    free(score);
    /* the two things a caseworker must act on before the meeting */
    const int64_t now = clock_now();
    const int64_t soon = (int64_t)l->c->app->cfg->meeting_soon_days * 86400;
    const bool live = !r->e.completed_at && !r->e.declined_at && !r->e.closed_at;
    json_object_set_new(row, "flag_soon",
                        json_boolean(live && soon > 0 && !r->e.opened_at &&
                                     r->e.first_meeting_at > now &&
                                     r->e.first_meeting_at - now <= soon));
    json_object_set_new(row, "flag_expired",
                        json_boolean(live && r->e.token_expires_at &&
                                     r->e.token_expires_at <= now));
    /* would rather hear it at the meeting: the meeting must give the guidance (and record
     * it), until a meeting is recorded */
    json_object_set_new(row, "flag_oral",
                        json_boolean(r->e.declined_at && !r->e.closed_at && !r->held_at));
    /* a recorded meeting by the time it was held, else the planned time */
    if (r->held_at)
        h_staff_time(l->c, row, "meeting_held", r->held_at);
    else
        h_staff_time(l->c, row, "meeting", r->e.first_meeting_at);
    json_array_append_new(l->rows, row);
    l->shown = xrealloc(l->shown, (l->nshown + 1) * sizeof *l->shown);
    l->shown[l->nshown++] = r->e.citizen_id;
    return 0;
}

/* The filter form's choices: groups and statuses, with the current ones selected. */
static void h_staff_list_choices(struct app_call *c, json_t *ctx, const char *group,
                                 const char *status)
{
    struct model_group *groups = NULL;
    size_t n = 0;
    json_t *jg = json_array(), *js = json_array();
    if (store_group_list(c->st, &groups, &n) == STORE_OK)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(jg, json_pack("{s:s, s:s, s:b}", "slug", groups[i].slug,
                                                "name", h_staff_name(c, groups[i].name), "selected",
                                                strcmp(groups[i].slug, group) == 0));
    for (size_t i = 0; i < n; i++)
        model_group_clear(&groups[i]);
    free(groups);
    for (int s = STATUS_NOT_OPENED; s <= STATUS_DECLINED; s++) {
        char key[48];
        snprintf(key, sizeof key, "status_%s", model_status_name((enum model_status)s));
        json_array_append_new(js, json_pack("{s:s, s:s, s:b}", "code",
                                            model_status_name((enum model_status)s), "name",
                                            app_text(c, key), "selected",
                                            strcmp(model_status_name((enum model_status)s),
                                                   status) == 0));
    }
    json_object_set_new(ctx, "groups", jg);
    json_object_set_new(ctx, "statuses", js);
}

/* A date filter field: "" (no limit) or YYYY-MM-DD, taken as midnight in Copenhagen. */
static int h_staff_date(struct app_call *c, json_t *ctx, const char *name, const char *v,
                        int64_t *out)
{
    json_object_set_new(ctx, name, json_string(v ? v : ""));
    if (!v || !*v)
        return 0;
    int64_t t;
    if (strlen(v) != 10 || clock_parse_date(v, &t) != 0) {
        h_staff_error(c, ctx, name, "staff_err_date");
        return -1;
    }
    /* midnight in Copenhagen is 22:00 or 23:00 UTC the day before: an hour's slack
     * either way does not matter for a list filter, so take UTC midnight minus 2 h */
    *out = t - 2 * 3600;
    return 0;
}

void h_staff_citizens(struct app_call *c)
{
    const int post = c->req->method == ROUTER_POST;
    const char *group = post ? "" : http_query(c->req, "gruppe");
    const char *status = post ? "" : http_query(c->req, "status");
    const char *from = post ? NULL : http_query(c->req, "fra");
    const char *to = post ? NULL : http_query(c->req, "til");
    const char *mine = post ? NULL : http_query(c->req, "mine");
    const bool only_mine = mine && strcmp(mine, "1") == 0;
    json_t *ctx = json_object();
    /* one row more than the page shows, to tell that the list is cut; the meetings to
     * come first (from a day back: today's meeting not yet recorded is still to do) */
    struct store_caseload_filter f = {h_staff_scope(c), "", 0, INT64_MAX, "", 0,
                                      (size_t)c->app->cfg->caseload_limit + 1,
                                      clock_now() - 86400, ""};
    group = group && strlen(group) < MODEL_SLUG_MAX ? group : "";
    status = status && strlen(status) < 20 ? status : "";
    f.group_slug = group;
    /* "Kun mine": the enrolments that name this user as their caseworker */
    f.caseworker = only_mine ? c->user.username : "";
    json_object_set_new(ctx, "mine", json_boolean(only_mine));
    int bad = h_staff_date(c, ctx, "fra", from, &f.meeting_from);
    bad |= h_staff_date(c, ctx, "til", to, &f.meeting_to);
    if (!bad && f.meeting_to != INT64_MAX)
        f.meeting_to += 86400; /* up to and including that day */
    if (post) {
        const char *name = h_staff_text(c, ctx, "navn", 200, 0, NULL, "staff_err_name_long");
        const char *cpr = h_staff_field(c, "cpr");
        char norm[11];
        if (!name)
            bad = 1;
        else
            f.name = name;
        if (*cpr) {
            if (cpr_normalise(cpr, norm) != 0) {
                h_staff_error(c, ctx, "cpr", "staff_err_cpr");
                bad = 1;
            } else {
                char lookup[65];
                struct model_citizen cz;
                vault_lookup_hash(c->app->vault, norm, lookup);
                f.citizen_id = -1; /* matches nobody unless found */
                if (store_citizen_by_lookup(c->st, lookup, &cz) == STORE_OK) {
                    f.citizen_id = cz.id;
                    model_citizen_clear(&cz);
                }
            }
        } else if (!*f.name) {
            h_staff_error(c, ctx, "navn", "staff_err_search_missing");
            bad = 1;
        }
        json_object_set_new(ctx, "searched", json_true());
    }
    h_staff_list_choices(c, ctx, group, status);
    struct h_staff_list l = {c, json_array(), status, c->app->content,
                             json_object_get(ctx, "groups"), 0, c->app->cfg->caseload_limit,
                             false, NULL, 0};
    if (!bad && store_caseload_each(c->st, &f, h_staff_list_row, &l) != STORE_OK) {
        h_staff_fail(c);
        goto out;
    }
    /* the rows show each citizen's name, status and score: a read of their data, logged
     * before it is shown; a search by CPR number that found a citizen is a look-up of
     * that person, logged as a read of their page is */
    if (f.citizen_id > 0 && l.nshown > 0 ? h_staff_log_access(c, f.citizen_id, "search")
        : h_staff_logged(c, staff_access_record_shown(
                                c->st, &c->user, l.shown, l.nshown,
                                post ? STORE_ACCESS_NAME_SEARCH : STORE_ACCESS_LIST,
                                clock_now())))
        goto out;
    /* the filters stay open while one is in use, or when the search needs correcting */
    json_object_set_new(ctx, "filter_active",
                        json_boolean(post || bad || *group || *status || (from && *from) ||
                                     (to && *to) || only_mine));
    json_object_set_new(ctx, "count", json_integer((json_int_t)json_array_size(l.rows)));
    json_object_set_new(ctx, "more", json_boolean(l.more));
    json_object_set_new(ctx, "has_rows", json_boolean(json_array_size(l.rows) > 0));
    json_object_set_new(ctx, "rows", json_incref(l.rows));
    app_page(c, bad ? 422 : 200, "staff/citizens", ctx);
    ctx = NULL; /* app_page took it */
out:
    json_decref(l.rows);
    json_decref(ctx);
    free(l.shown);
}

/* ------------------------------------------------------------------ one citizen */

struct h_staff_letters {
    struct app_call *c;
    json_t *list;
};

/* Appends one part of a letter's status to parts: the string key with {{when}} as the time
 * t in the page's language (no time when t is 0) and {{failed}} as "<failed> attempts
 * failed" (counted phrase count_attempts_failed). */
static void h_staff_letter_part(const struct app_call *c, json_t *parts, const char *key,
                                int64_t t, int failed)
{
    char when[64] = "", nfailed[96];
    struct buf b = {0};
    if (t)
        clock_format_human(t, model_lang_code(c->lang), when, sizeof when);
    lang_count(app_strings(c), model_lang_code(c->lang), "count_attempts_failed",
               failed > 0 ? (unsigned long long)failed : 0, nfailed, sizeof nfailed);
    const char *vars[] = {"when", when, "failed", nfailed, NULL};
    letter_fill(&b, app_text(c, key), vars);
    json_array_append_new(parts, json_pack("{s:s, s:b}", "text", b.data ? b.data : "", "more",
                                           0));
    buf_free(&b);
}

/* One scheduled or sent letter (a job that sends or reminds) for the citizen page, each
 * time saying what it is: when a letter was placed in the outbox or sent by e-mail (each
 * channel's own time), that a channel's copy was not sent because its link had been
 * replaced, when it failed or was cancelled, and the due time only while it is
 * planned.  A letter whose attempts have failed and that waits for the next one (or has one
 * under way) says that it is not sent yet, how many attempts failed and when the next one
 * is.  A job that ended "done" without any channel sending it (as could happen before such
 * a job ended failed) says that it was not sent. */
static int h_staff_letter(const struct store_job *j, void *arg)
{
    struct h_staff_letters *l = arg;
    char kind[64];
    snprintf(kind, sizeof kind, "letter_%s", j->kind);
    if (!*app_text(l->c, kind))
        return 0; /* not a letter (e.g. a journal delivery) */
    json_t *parts = json_array();
    int sent = j->outbox_sent_at || j->smtp_sent_at;
    if (j->outbox_sent_at)
        h_staff_letter_part(l->c, parts, "letter_status_sent_outbox", j->outbox_sent_at, 0);
    if (j->smtp_sent_at)
        h_staff_letter_part(l->c, parts, "letter_status_sent_smtp", j->smtp_sent_at, 0);
    /* a channel's copy not sent because its link had been replaced meanwhile */
    if (j->outbox_link_replaced_at)
        h_staff_letter_part(l->c, parts, "letter_status_skipped_outbox",
                            j->outbox_link_replaced_at, 0);
    if (j->smtp_link_replaced_at)
        h_staff_letter_part(l->c, parts, "letter_status_skipped_smtp", j->smtp_link_replaced_at,
                            0);
    if (strcmp(j->state, "pending") == 0 && j->attempts > 0) /* failed, waiting for the next */
        h_staff_letter_part(l->c, parts, sent ? "letter_status_retry_rest" : "letter_status_retry",
                            j->next_attempt_at, j->attempts);
    else if (strcmp(j->state, "pending") == 0)
        h_staff_letter_part(l->c, parts, "letter_status_pending", j->next_attempt_at, 0);
    else if (strcmp(j->state, "running") == 0 && j->attempts > 1) /* counts the one under way */
        h_staff_letter_part(l->c, parts, sent ? "letter_status_running_retry_rest"
                                              : "letter_status_running_retry", 0,
                            j->attempts - 1);
    else if (strcmp(j->state, "running") == 0)
        h_staff_letter_part(l->c, parts, "letter_status_running", 0, 0);
    else if (strcmp(j->state, "failed") == 0)
        h_staff_letter_part(l->c, parts, sent ? "letter_status_failed_rest"
                                               : "letter_status_failed", j->finished_at, 0);
    else if (strcmp(j->state, "cancelled") == 0)
        h_staff_letter_part(l->c, parts, "letter_status_cancelled", j->finished_at, 0);
    else if (!sent)
        h_staff_letter_part(l->c, parts, "letter_status_not_sent", j->finished_at, 0);
    for (size_t i = 0; i + 1 < json_array_size(parts); i++)
        json_object_set_new(json_array_get(parts, i), "more", json_true());
    json_t *row = json_pack("{s:s, s:s, s:o}", "kind", app_text(l->c, kind), "state", j->state,
                            "parts", parts);
    json_array_append_new(l->list, row);
    return 0;
}

/* The recorded meeting of an enrolment as the caseworker reads it back: {"held_at" (RFC
 * 3339), "held", "oral", "note", "has_note", "by", "by_name", "recorded"}; json null when
 * none is recorded, NULL on a read error.  New reference. */
static json_t *h_staff_meeting_record(struct app_call *c, const struct model_enrolment *e)
{
    json_t *m = meeting_json(c->st, c->app->vault, e->id);
    if (!json_is_object(m))
        return m;
    const char *by = json_string_value(json_object_get(m, "recorded_by"));
    const char *note = json_string_value(json_object_get(m, "note"));
    int64_t t;
    json_t *r = json_pack("{s:b, s:s, s:b, s:s, s:s}", "oral",
                          json_is_true(json_object_get(m, "oral_guidance")), "note",
                          note ? note : "", "has_note", note && *note, "by", by ? by : "",
                          "by_name", by ? by : "");
    json_object_set(r, "held_at", json_object_get(m, "held_at"));
    if (clock_parse_rfc3339(json_string_value(json_object_get(m, "held_at")), &t) == 0)
        h_staff_time(c, r, "held", t);
    if (clock_parse_rfc3339(json_string_value(json_object_get(m, "recorded_at")), &t) == 0)
        h_staff_time(c, r, "recorded", t);
    struct store_user u;
    if (by && store_user_by_name(c->st, by, &u) == STORE_OK) {
        json_object_set_new(r, "by_name", json_string(u.display_name));
        memset(&u, 0, sizeof u); /* it held the password hash */
    }
    json_decref(m);
    return r;
}

/* The state of an enrolment's current link: {"code": "expired" | "opened" | "not_opened",
 * "text", "expired", "expires", "opened", "issued"} with the times for people.  After a
 * new link ("issued": when), opened means opened since; before, opened at all. */
static json_t *h_staff_link_state(struct app_call *c, const struct model_enrolment *e,
                                  int64_t now)
{
    int64_t issued = 0, opened = e->opened_at;
    if (store_link_times_get(c->st, e->id, &issued, &opened) != STORE_OK)
        issued = 0;
    if (!issued)
        opened = e->opened_at;
    int expired = e->token_expires_at <= now;
    const char *code = expired ? "expired" : opened ? "opened" : "not_opened";
    char key[48];
    snprintf(key, sizeof key, "staff_link_%s", code);
    json_t *l = json_pack("{s:s, s:s, s:b}", "code", code, "text", app_text(c, key), "expired",
                          expired);
    h_staff_time(c, l, "expires", e->token_expires_at);
    h_staff_time(c, l, "opened", opened);
    h_staff_time(c, l, "issued", issued);
    return l;
}

static json_t *h_staff_enrolment(struct app_call *c, const struct model_enrolment *e)
{
    struct enrol_env env;
    struct jobs_policy policy;
    json_t *d = NULL;
    app_enrol_env(c, &env, &policy);
    env.strings = app_strings(c); /* the playback sentences in the page's language */
    if (enrol_describe(&env, e->uuid, &d) != ENROL_OK)
        return NULL;
    struct model_group g;
    char key[48];
    snprintf(key, sizeof key, "status_%s", json_string_value(json_object_get(d, "status")));
    json_object_set_new(d, "status_name", json_string(app_text(c, key)));
    if (store_group_by_id(c->st, e->group_id, &g) == STORE_OK) {
        json_object_set_new(d, "group_name", json_string(h_staff_name(c, g.name)));
        model_group_clear(&g);
    }
    h_staff_time(c, d, "meeting", e->first_meeting_at);
    h_staff_time(c, d, "oral_guidance", e->oral_guidance_at);
    /* the language the citizen's pages are in now (the citizen may switch; each
     * submission's own is in the journal) */
    json_object_set_new(d, "language_name",
                        json_string(lang_name_for(&c->app->langs, app_strings(c), e->language)));
    /* a purged citizen's open enrolment gets no meeting or new link (the API's rule too) */
    int64_t purged_at = 0;
    if (store_citizen_purged_get(c->st, e->citizen_id, &purged_at) != STORE_OK)
        purged_at = 0;
    json_object_set_new(d, "open", json_boolean(!e->closed_at && !purged_at));
    json_object_set_new(d, "purged", json_boolean(purged_at != 0));
    json_object_set_new(d, "flag_oral",
                        json_boolean(e->declined_at && !e->closed_at && !e->held_at));
    /* an open enrolment whose content's rules ended or have not begun: the meeting is
     * where the citizen hears the rules in force (citizen pages say the same) */
    const struct model_pack *pack = content_cache_get(c->app->content, c->st, e->pack_id);
    struct content_validity_info vi;
    char today[CLOCK_DATE_LEN + 1], date[64];
    clock_today(today);
    if (pack && !e->closed_at) {
        content_pack_validity(pack, today, 0, &vi);
        if ((vi.state == CONTENT_ENDED || vi.state == CONTENT_NOT_YET) &&
            clock_format_human_day(vi.date, model_lang_code(c->lang), date, sizeof date) == 0) {
            char *text = h_staff_fill_text(c, vi.state == CONTENT_ENDED ? "staff_validity_ended"
                                                                         : "staff_validity_not_yet",
                                           "date", date);
            json_object_set_new(d, "validity_text", json_string(text));
            free(text);
        }
    }
    json_t *record = h_staff_meeting_record(c, e);
    if (!record) {
        json_decref(d);
        return NULL;
    }
    json_object_set_new(d, "meeting_record", record);
    if (!e->closed_at && !purged_at)
        json_object_set_new(d, "link", h_staff_link_state(c, e, clock_now()));
    struct h_staff_letters letters = {c, json_array()};
    if (store_jobs_each(c->st, e->id, h_staff_letter, &letters) != STORE_OK) {
        json_decref(letters.list);
        json_decref(d);
        return NULL;
    }
    json_object_set_new(d, "has_letters", json_boolean(json_array_size(letters.list) > 0));
    json_object_set_new(d, "letters", letters.list);
    json_object_set_new(d, "has_focus",
                        json_boolean(json_array_size(json_object_get(d, "focus_topics")) > 0));
    /* the score as in the list: "3 af 5 svar rigtige (7 ikke besvaret)" */
    json_t *score = json_object_get(d, "score");
    char *said = h_staff_score(c, json_integer_value(json_object_get(score, "correct")),
                               json_integer_value(json_object_get(score, "answered")),
                               json_integer_value(json_object_get(score, "total")));
    json_object_set_new(d, "score_text", json_string(said));
    free(said);
    json_object_set_new(d, "has_asked",
                        json_boolean(json_array_size(json_object_get(d, "asked_topics")) > 0));
    /* answered / unanswered marks for the template */
    size_t i, j;
    json_t *v, *q;
    json_array_foreach(json_object_get(d, "videos"), i, v)
    {
        json_array_foreach(json_object_get(v, "questions"), j, q)
        {
            json_t *correct = json_object_get(q, "correct");
            json_object_set_new(q, "answered", json_boolean(json_is_boolean(correct)));
            json_object_set_new(q, "right", json_boolean(json_is_true(correct)));
            /* wrong at first, right at a later attempt: understood since */
            json_object_set_new(q, "later_right",
                                json_boolean(json_is_false(correct) &&
                                             json_is_true(json_object_get(q, "latest_correct"))));
            json_t *list = json_object_get(q, "answer");
            json_object_set_new(q, "has_answer", json_boolean(json_array_size(list) > 0));
        }
    }
    return d;
}

/* A closed enrolment's facts say when and why it was closed: "closed" in d, from the
 * journal's last group_changed or enrolment_closed entry of e (journal borrowed, NULL is
 * fine), "7. december 2026 kl. 14.32 – Forløbet afsluttet: borgeren er kommet i arbejde". */
static void h_staff_closed(struct app_call *c, json_t *d, const struct model_enrolment *e,
                           const json_t *journal)
{
    size_t i;
    json_t *entry, *found = NULL;
    if (!e->closed_at)
        return;
    json_array_foreach(json_object_get(journal, "entries"), i, entry) {
        const char *kind = json_string_value(json_object_get(entry, "kind"));
        const char *enr = json_string_value(json_object_get(entry, "enrolment_id"));
        if (kind && enr && strcmp(enr, e->uuid) == 0 &&
            (strcmp(kind, "group_changed") == 0 || strcmp(kind, "enrolment_closed") == 0))
            found = entry;
    }
    char when[64], key[64];
    clock_format_human(e->closed_at, model_lang_code(c->lang), when, sizeof when);
    struct buf b = {0};
    buf_puts(&b, when);
    if (found) {
        watch_journal_key(json_string_value(json_object_get(found, "kind")),
                          json_object_get(found, "data"), key, sizeof key);
        buf_puts(&b, " – ");
        buf_puts(&b, app_text(c, key));
    }
    json_object_set_new(d, "closed", json_string(b.data ? b.data : ""));
    buf_free(&b);
}

/* The rows of the journal table from a journal object (borrowed, NULL is fine). */
static json_t *h_staff_journal(struct app_call *c, const json_t *j)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "entries"), i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        char key[64];
        int64_t t = 0;
        /* an older video_finished says whether answering set it (watch.h) */
        watch_journal_key(kind, json_object_get(e, "data"), key, sizeof key);
        const char *label = app_text(c, key);
        const char *actor = json_string_value(json_object_get(e, "actor"));
        char who[160];
        if (!actor)
            actor = "";
        if (journal_actor_is_staff(actor)) {
            const char *vars[] = {"name", actor, NULL};
            struct buf b = {0};
            letter_fill(&b, app_text(c, "actor_staff"), vars);
            snprintf(who, sizeof who, "%s", b.data ? b.data : actor);
            buf_free(&b);
        } else {
            snprintf(key, sizeof key, "actor_%s", actor);
            snprintf(who, sizeof who, "%s", *app_text(c, key) ? app_text(c, key) : actor);
        }
        /* answers given on a page in another language than Danish say which */
        const char *lang = json_string_value(json_object_get(json_object_get(e, "data"),
                                                             "language"));
        struct buf what = {0};
        buf_puts(&what, *label ? label : (kind ? kind : ""));
        if (lang && strcmp(lang, "da") != 0) {
            const char *vars[] = {"language",
                                  lang_name_for(&c->app->langs, app_strings(c), lang), NULL};
            buf_puts(&what, " (");
            letter_fill(&what, app_text(c, "journal_language"), vars);
            buf_puts(&what, ")");
        }
        json_t *row = json_pack("{s:I, s:s, s:s}", "seq",
                                json_integer_value(json_object_get(e, "seq")), "kind",
                                what.data ? what.data : "", "actor", who);
        buf_free(&what);
        if (clock_parse_rfc3339(json_string_value(json_object_get(e, "at")), &t) == 0)
            h_staff_time(c, row, "at", t);
        json_array_append_new(out, row);
    }
    return out;
}

json_t *h_staff_access_rows(struct app_call *c, int64_t citizen_id, bool with_lists,
                            size_t limit)
{
    struct store_access_row *rows = NULL;
    size_t n = 0;
    json_t *out = json_array();
    /* a caseworker sees who of their own unit looked: another unit's reads would hint at
     * an enrolment that is not theirs (administrators see every row) */
    if (store_access_list(c->st, citizen_id, h_staff_scope(c), with_lists, limit, &rows,
                          &n) == STORE_OK)
        for (size_t i = 0; i < n; i++) {
            char key[48];
            snprintf(key, sizeof key, "access_page_%s", rows[i].page);
            json_t *r = json_pack("{s:s, s:s, s:s}", "username", rows[i].username,
                                  "display_name", rows[i].display_name, "page",
                                  app_text(c, key));
            h_staff_time(c, r, "at", rows[i].at);
            json_array_append_new(out, r);
        }
    free(rows);
    return out;
}

/* The citizen's rows of the list and the name search, which the citizen page leaves out of
 * its reads (a row a day for each member of staff shown the citizen would push the others
 * off the page), in one line: "access_lists" in ctx, how many and the latest; none without
 * any.  The administrator's access log has every row. */
static void h_staff_access_lists(struct app_call *c, json_t *ctx, int64_t citizen_id)
{
    int64_t n = 0, at = 0;
    if (store_access_lists_count(c->st, citizen_id, h_staff_scope(c), &n, &at) != STORE_OK ||
        n == 0)
        return;
    char times[64], when[64];
    struct buf b = {0};
    lang_count(app_strings(c), model_lang_code(c->lang), "count_times", (unsigned long long)n,
               times, sizeof times);
    clock_format_human(at, model_lang_code(c->lang), when, sizeof when);
    const char *vars[] = {"times", times, "when", when, NULL};
    letter_fill(&b, app_text(c, "staff_access_lists"), vars);
    json_object_set_new(ctx, "access_lists", json_string(b.data ? b.data : ""));
    buf_free(&b);
}

/* How a letter with a new link reaches the citizen now, by the scheduler's rule
 * (channel_letter_ways): "post", "email", "both"; or no letter can be sent (the letter job
 * would fail at once), so the page must not promise one: "no_address" (e-mail is the only
 * channel and the citizen has no address), "none" (neither is a channel). */
static const char *h_staff_letter_way(const struct app_call *c, const struct model_citizen *cz)
{
    int post, email;
    channel_letter_ways(c->app->cfg->channels, cz->email, &post, &email);
    return post && email ? "both"
           : post        ? "post"
           : email       ? "email"
           : channel_enabled(c->app->cfg->channels, "smtp") ? "no_address"
                                                            : "none";
}

/* The confirmation after a save (?gemt=moede|link&forloeb=<enrolment uuid>), read back from
 * the store and the journal, never from the request: the meeting as recorded, or the new
 * link this user issued (its time and expiry, and how the letter with it goes to the
 * citizen, by way (h_staff_letter_way), or that none can; the link itself is never shown). */
static void h_staff_saved(struct app_call *c, json_t *ctx, const char *saved, const json_t *d,
                          const json_t *journal, const char *way)
{
    const char *uuid = json_string_value(json_object_get(d, "enrolment_id"));
    if (strcmp(saved, "moede") == 0) {
        json_t *m = json_object_get(d, "meeting_record");
        if (json_is_object(m))
            json_object_set(ctx, "saved_meeting", m);
        return;
    }
    if (strcmp(saved, "link") != 0)
        return;
    const json_t *last = NULL, *e;
    size_t i;
    json_array_foreach(json_object_get(journal, "entries"), i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *enr = json_string_value(json_object_get(e, "enrolment_id"));
        const char *actor = json_string_value(json_object_get(e, "actor"));
        if (kind && enr && actor && strcmp(kind, "link_issued") == 0 &&
            strcmp(enr, uuid) == 0 && strcmp(actor, c->user.username) == 0)
            last = e;
    }
    if (!last)
        return;
    json_t *l = json_object();
    int64_t t;
    char key[48];
    snprintf(key, sizeof key, "staff_saved_link_text_%s", way);
    json_object_set_new(l, "text", json_string(app_text(c, key)));
    json_object_set_new(l, "no_letter",
                        json_boolean(!strcmp(way, "none") || !strcmp(way, "no_address")));
    if (clock_parse_rfc3339(json_string_value(json_object_get(last, "at")), &t) == 0)
        h_staff_time(c, l, "at", t);
    if (clock_parse_rfc3339(json_string_value(json_object_get(json_object_get(last, "data"),
                                                              "link_expires_at")),
                            &t) == 0)
        h_staff_time(c, l, "expires", t);
    json_object_set_new(ctx, "saved_link", l);
}

void h_staff_citizen_page(struct app_call *c)
{
    struct model_citizen cz;
    struct model_enrolment *es = NULL;
    size_t n = 0;
    json_t *ctx = NULL, *journal = NULL;
    if (h_staff_citizen(c, &cz))
        return;
    if (h_staff_log_access(c, cz.id, "citizen") || h_staff_enrolments(c, &cz, &es, &n))
        goto out;
    journal = journal_citizen_json(c->st, cz.uuid);
    journal_keep_enrolments(journal, es, n);
    const char *saved = http_query(c->req, "gemt"), *which = http_query(c->req, "forloeb");
    ctx = json_pack("{s:s, s:s}", "citizen_id", cz.uuid, "name", cz.name);
    char masked[12];
    if (staff_citizen_cpr_masked(c->st, c->app->vault, cz.id, masked) == 0)
        json_object_set_new(ctx, "cpr_masked", json_string(masked));
    /* what the new-link button does by the letter it can (or cannot) send */
    const char *way = h_staff_letter_way(c, &cz);
    char hint[48];
    snprintf(hint, sizeof hint, "staff_link_new_hint_%s", way);
    json_object_set_new(ctx, "link_new_hint", json_string(app_text(c, hint)));
    json_t *list = json_array();
    json_object_set_new(ctx, "enrolments", list);
    for (size_t i = 0; i < n; i++) {
        json_t *d = h_staff_enrolment(c, &es[i]);
        if (!d) {
            h_staff_fail(c);
            goto out;
        }
        h_staff_closed(c, d, &es[i], journal);
        json_array_append_new(list, d);
        if (saved && which && strcmp(which, es[i].uuid) == 0)
            h_staff_saved(c, ctx, saved, d, journal, way);
    }
    json_object_set_new(ctx, "journal", h_staff_journal(c, journal));
    json_object_set_new(ctx, "access", h_staff_access_rows(c, cz.id, false, 50));
    h_staff_access_lists(c, ctx, cz.id);
    app_page(c, 200, "staff/citizen", ctx);
    ctx = NULL;
out:
    json_decref(ctx);
    json_decref(journal);
    free(es);
    model_citizen_clear(&cz);
}

/* The evidence document: one PDF with the citizen's documentation trail (the enrolments in
 * the user's scope), for a sanction or complaint case.  A copy: no evidence bundle is made
 * with it, and its texts say so (the bundle is the CLI's, `vejled evidence`).  A read of the
 * citizen's data like the page. */
void h_staff_evidence(struct app_call *c)
{
    struct model_citizen cz;
    struct buf pdf = {0};
    char err[256];
    if (h_staff_citizen(c, &cz))
        return;
    if (h_staff_log_access(c, cz.id, "evidence"))
        goto out;
    /* an export signs the journal's head, so the PDF can name the checkpoint (a failure
     * to sign is logged; the PDF is still made, without it) */
    struct store_checkpoint cp;
    int signed_ok = checkpoint_take(c->st, c->app->signkey, clock_now(), 0, &cp, NULL) == 0;
    if (!signed_ok)
        fprintf(stderr, "vejled: evidence: the journal checkpoint could not be taken\n");
    /* a copy: no bundle is written beside it, and it says who downloaded it */
    char by[sizeof c->user.display_name + sizeof c->user.username + 4];
    if (*c->user.display_name)
        snprintf(by, sizeof by, "%s (%s)", c->user.display_name, c->user.username);
    else
        snprintf(by, sizeof by, "%s", c->user.username);
    if (evidence_pdf_unit(c->app->cfg, c->st, c->app->vault, cz.uuid, h_staff_scope(c),
                          signed_ok ? &cp : NULL, by, &pdf, err, sizeof err) != 0) {
        fprintf(stderr, "vejled: evidence: %s\n", err);
        h_staff_fail(c);
        goto out;
    }
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"dokumentation-%.36s.pdf\"",
             cz.uuid);
    http_reply_text(c->rep, 200, "application/pdf", (const char *)pdf.data, pdf.len);
    http_reply_header(c->rep, "Content-Disposition", disposition);
out:
    buf_free(&pdf);
    model_citizen_clear(&cz);
}

/* ------------------------------------------------------------------ meeting */

/* "HH:MM" (00:00–23:59): 0 and *hh, *mm, or -1. */
static int h_staff_clock_time(const char *time, int *hh, int *mm)
{
    if (strlen(time) != 5 || time[2] != ':' || time[0] < '0' || time[0] > '9' ||
        time[1] < '0' || time[1] > '9' || time[3] < '0' || time[3] > '9' || time[4] < '0' ||
        time[4] > '9')
        return -1;
    *hh = (time[0] - '0') * 10 + (time[1] - '0');
    *mm = (time[3] - '0') * 10 + (time[4] - '0');
    return *hh <= 23 && *mm <= 59 ? 0 : -1;
}

/* The meeting form's held_at from a date (YYYY-MM-DD) and a time (HH:MM) in Copenhagen
 * wall time (the process's display zone), as RFC 3339 UTC and *t.  0, -1 when malformed,
 * -2 when that wall time does not exist (the hour skipped when summer time begins:
 * mktime would quietly move it an hour on). */
static int h_staff_meeting_time(const char *date, const char *time,
                                char out[CLOCK_RFC3339_LEN + 1], int64_t *held)
{
    int64_t day;
    int hh, mm;
    if (strlen(date) != 10 || clock_parse_date(date, &day) != 0)
        return -1;
    if (h_staff_clock_time(time, &hh, &mm) != 0)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(date) - 1900;
    tm.tm_mon = atoi(date + 5) - 1;
    tm.tm_mday = atoi(date + 8);
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return -1;
    struct tm back;
    if (!localtime_r(&t, &back))
        return -1;
    if (back.tm_hour != hh || back.tm_min != mm || back.tm_mday != atoi(date + 8))
        return -2;
    clock_format_rfc3339((int64_t)t, out);
    *held = (int64_t)t;
    return 0;
}

/* The form's description of the enrolment it writes to: its id, group and planned meeting. */
static json_t *h_staff_meeting_ctx(struct app_call *c, const struct model_citizen *cz,
                                   const struct model_enrolment *e)
{
    struct model_group g;
    json_t *ctx = json_pack("{s:s, s:s, s:s}", "citizen_id", cz->uuid, "name", cz->name,
                            "enrolment_id", e->uuid);
    h_staff_time(c, ctx, "planned", e->first_meeting_at);
    if (store_group_by_id(c->st, e->group_id, &g) == STORE_OK) {
        json_object_set_new(ctx, "group_name", json_string(h_staff_name(c, g.name)));
        model_group_clear(&g);
    }
    return ctx;
}

size_t h_staff_meeting_body(size_t max_field_length)
{
    /* the note percent-encoded (%XX per byte), and room for csrf, forloeb, dato, tid and
     * mundtlig with their names */
    return 3 * 4 * max_field_length + 1024;
}

/* GET: the form for the enrolment ?forloeb= (or the newest open one in scope), with neither
 * answer about oral guidance chosen.  POST: records exactly what the form says on exactly
 * the enrolment it names (hidden field forloeb), which must be an open enrolment of the
 * user's scope (else 404 and nothing written); oral guidance must be answered yes or no. */
void h_staff_meeting(struct app_call *c)
{
    struct model_citizen cz;
    struct model_enrolment e;
    json_t *ctx = NULL;
    char *note = NULL;
    const int post = c->req->method == ROUTER_POST;
    if (h_staff_citizen(c, &cz))
        return;
    const char *uuid = post ? h_staff_field(c, "forloeb") : http_query(c->req, "forloeb");
    if (post && !*uuid) {
        app_page_error(c, 404, "not_found");
        goto out;
    }
    if (h_staff_open_enrolment(c, &cz, uuid, &e))
        goto out;
    ctx = h_staff_meeting_ctx(c, &cz, &e);
    if (!post) {
        if (h_staff_log_access(c, cz.id, "meeting"))
            goto out;
        /* a correction starts from what is recorded (shown above the form; the note kept
         * unless it is changed), a first record from the planned meeting; the answer about
         * oral guidance is given anew either way */
        json_t *current = h_staff_meeting_record(c, &e);
        if (!current) {
            h_staff_fail(c);
            goto out;
        }
        int64_t when = e.first_meeting_at;
        if (json_is_object(current)) {
            clock_parse_rfc3339(json_string_value(json_object_get(current, "held_at")), &when);
            json_object_set(ctx, "note", json_object_get(current, "note"));
        }
        json_object_set_new(ctx, "current", current);
        /* in Copenhagen wall time (the display zone is set at start) */
        char date[16] = "", hm[8] = "";
        struct tm tm;
        time_t t = (time_t)when;
        if (localtime_r(&t, &tm)) {
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
            strftime(hm, sizeof hm, "%H:%M", &tm);
        }
        json_object_set_new(ctx, "dato", json_string(date));
        json_object_set_new(ctx, "tid", json_string(hm));
        app_page(c, 200, "staff/meeting", ctx);
        ctx = NULL;
        goto out;
    }
    char held[CLOCK_RFC3339_LEN + 1];
    int hh, mm, oral = -1;
    int64_t day, held_t = 0;
    const char *date = h_staff_text(c, ctx, "dato", 10, 1, "staff_err_date_missing", "staff_err_date");
    if (date && (strlen(date) != 10 || clock_parse_date(date, &day) != 0))
        h_staff_error(c, ctx, "dato", "staff_err_date");
    const char *time = h_staff_text(c, ctx, "tid", 5, 1, "staff_err_time_missing", "staff_err_time");
    if (time && h_staff_clock_time(time, &hh, &mm) != 0)
        h_staff_error(c, ctx, "tid", "staff_err_time");
    /* an explicit answer: a legal fact is never attested by a default, nor by the first of
     * two answers that contradict each other */
    const char *answers[2] = {NULL, NULL};
    size_t n_answers = form_get_all(&c->form, "mundtlig", answers, 2);
    const char *answer = h_staff_field(c, "mundtlig");
    if (n_answers > 1 && (n_answers > 2 || strcmp(answers[0], answers[1]) != 0))
        h_staff_error(c, ctx, "mundtlig", "staff_err_oral_conflict");
    else if (strcmp(answer, "ja") == 0)
        oral = 1;
    else if (strcmp(answer, "nej") == 0)
        oral = 0;
    else
        h_staff_error(c, ctx, "mundtlig", "staff_err_oral_missing");
    json_object_set_new(ctx, "mundtlig_ja", json_boolean(oral == 1));
    json_object_set_new(ctx, "mundtlig_nej", json_boolean(oral == 0));
    /* as the API has it: line breaks as LF (a textarea sends CRLF), counted in characters,
     * so a note recorded there is saved here unchanged */
    note = h_staff_text_lf(h_staff_field(c, "note"));
    json_object_set_new(ctx, "note", json_string(note));
    if (!enrol_note_fits(note, c->app->cfg->max_field_length))
        h_staff_error_n(c, ctx, "note", "staff_err_note_long", "max",
                        (unsigned)c->app->cfg->max_field_length);
    if (!json_object_get(ctx, "has_errors")) {
        int r = h_staff_meeting_time(date, time, held, &held_t);
        if (r == -2)
            h_staff_error(c, ctx, "tid", "staff_err_time_gap");
        else if (r != 0)
            h_staff_error(c, ctx, "dato", "staff_err_date");
    }
    if (json_object_get(ctx, "has_errors")) {
        app_page(c, 422, "staff/meeting", ctx);
        ctx = NULL;
        goto out;
    }
    struct enrol_env env;
    struct jobs_policy policy;
    struct enrol_error err;
    app_enrol_env(c, &env, &policy);
    json_t *resp = NULL;
    json_t *body = json_pack("{s:s, s:b, s:s}", "held_at", held, "oral_guidance", oral, "note",
                             note);
    enum enrol_result er = enrol_record_meeting(&env, e.uuid, body, c->user.username, &resp, &err);
    json_decref(body);
    json_decref(resp);
    if (er == ENROL_INVALID) {
        if (strcmp(err.field, "note") == 0) {
            h_staff_error_n(c, ctx, "note", "staff_err_note_long", "max",
                            (unsigned)c->app->cfg->max_field_length);
        } else if (held_t < enrol_meeting_earliest(&e)) { /* the domain's rule, in words */
            char began[64];
            clock_format_human(enrol_meeting_earliest(&e), model_lang_code(c->lang), began,
                               sizeof began);
            char *msg = h_staff_fill_text(c, "staff_err_meeting_before", "began", began);
            h_staff_error_msg(ctx, "dato", msg);
            free(msg);
        } else {
            h_staff_error(c, ctx, "dato", "staff_err_meeting_future");
        }
        app_page(c, 422, "staff/meeting", ctx);
        ctx = NULL;
        goto out;
    }
    if (er == ENROL_CONFLICT && strcmp(err.code, "citizen_purged") == 0) {
        app_page_error(c, 409, "citizen_purged");
        goto out;
    }
    if (er == ENROL_NOT_FOUND || er == ENROL_CONFLICT) {
        app_page_error(c, 404, "not_found");
        goto out;
    }
    if (er != ENROL_OK) {
        h_staff_enrol_fail(c, er);
        goto out;
    }
    char path[192];
    snprintf(path, sizeof path, "/medarbejder/borger/%s?gemt=moede&forloeb=%s", cz.uuid, e.uuid);
    http_reply_redirect(c->rep, 303, path);
out:
    free(note);
    json_decref(ctx);
    model_citizen_clear(&cz);
}

/* ------------------------------------------------------------------ a new link */

/* POST: a new personal link for the open enrolment the form names (forloeb, in the user's
 * scope, else 404 and nothing written), sent to the citizen by letter through the
 * configured channels; the old link stops working.  Journalled "link_issued" with the
 * caseworker as actor.  The link is never shown here: it is the citizen's key. */
void h_staff_new_link(struct app_call *c)
{
    struct model_citizen cz;
    struct model_enrolment e;
    if (h_staff_citizen(c, &cz))
        return;
    const char *uuid = h_staff_field(c, "forloeb");
    if (!*uuid) {
        app_page_error(c, 404, "not_found");
        goto out;
    }
    if (h_staff_open_enrolment(c, &cz, uuid, &e))
        goto out;
    struct enrol_env env;
    struct jobs_policy policy;
    app_enrol_env(c, &env, &policy);
    json_t *resp = NULL;
    struct enrol_error err;
    memset(&err, 0, sizeof err);
    enum enrol_result er = enrol_new_link_letter(&env, e.uuid, c->user.username, &resp, &err);
    json_decref(resp);
    if (er == ENROL_CONFLICT && strcmp(err.code, "citizen_purged") == 0) {
        app_page_error(c, 409, "citizen_purged");
        goto out;
    }
    if (er == ENROL_NOT_FOUND || er == ENROL_CONFLICT) {
        app_page_error(c, 404, "not_found");
        goto out;
    }
    if (er != ENROL_OK) {
        h_staff_enrol_fail(c, er);
        goto out;
    }
    char path[192];
    snprintf(path, sizeof path, "/medarbejder/borger/%s?gemt=link&forloeb=%s", cz.uuid, e.uuid);
    http_reply_redirect(c->rep, 303, path);
out:
    model_citizen_clear(&cz);
}

/* ------------------------------------------------------------------ training and preview */

/* The 1-based video number in params[i], or 0. */
size_t h_staff_video_n(const struct app_call *c, size_t i, const struct model_pack *pack)
{
    const char *s = c->req->match->params[i];
    char *end;
    long n = strtol(s, &end, 10);
    if (*end || end == s || n < 1 || (size_t)n > pack->n_videos)
        return 0;
    return (size_t)n;
}

static json_t *h_staff_paragraphs(const char *text)
{
    json_t *list = json_array();
    const char *p = text ? text : "";
    while (*p) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n)
            json_array_append_new(list, json_stringn(p, n));
        if (!end)
            break;
        p = end + 2;
    }
    return list;
}

void h_staff_pack_page(struct app_call *c, const struct model_pack *pack, size_t n,
                       const char *base, json_t *ctx)
{
    if (!ctx)
        ctx = json_object();
    json_object_set_new(ctx, "base", json_string(base));
    json_object_set_new(ctx, "guidance", h_staff_paragraphs(pack->guidance[LANG_DA]));
    json_object_set_new(ctx, "version", json_integer(pack->version));
    json_object_set_new(ctx, "state", json_string(pack->state));
    json_t *videos = json_array();
    for (size_t vi = 0; vi < pack->n_videos; vi++)
        json_array_append_new(videos, json_pack("{s:i, s:s, s:i}", "n", (int)vi + 1, "title",
                                                pack->videos[vi].title[LANG_DA], "questions",
                                                (int)pack->videos[vi].n_questions));
    json_object_set_new(ctx, "videos", videos);
    if (n) {
        const struct model_video *v = &pack->videos[n - 1];
        json_t *qs = json_array();
        for (size_t qi = 0; qi < v->n_questions; qi++) {
            const struct model_question *q = &v->questions[qi];
            json_t *opts = json_array();
            for (size_t oi = 0; oi < q->n_options; oi++)
                json_array_append_new(opts, json_pack("{s:s, s:b}", "text",
                                                      q->options[oi].text[LANG_DA], "correct",
                                                      q->options[oi].correct));
            json_array_append_new(qs, json_pack("{s:i, s:s, s:s, s:s, s:b, s:o}", "number",
                                                (int)qi + 1, "text", q->text[LANG_DA], "topic",
                                                q->topic[LANG_DA], "explanation",
                                                q->explanation[LANG_DA], "multiple",
                                                q->multiple, "options", opts));
        }
        json_t *jv = json_pack("{s:i, s:s, s:s, s:o, s:o, s:s}", "n", (int)n, "title",
                               v->title[LANG_DA], "summary", v->summary[LANG_DA], "transcript",
                               h_staff_paragraphs(v->transcript[LANG_DA]), "questions", qs,
                               "legal_basis", v->legal_basis ? v->legal_basis : "");
        if (v->media && *v->media) {
            char src[320];
            snprintf(src, sizeof src, "/media/%s", v->media);
            json_object_set_new(jv, "media", json_string(src));
        }
        json_t *caps = json_array();
        static const char *const codes[LANG_COUNT] = {"da", "en"};
        for (int l = 0; l < LANG_COUNT; l++)
            if (v->captions[l] && *v->captions[l])
            {
                char key[32];
                snprintf(key, sizeof key, "staff_captions_%s", codes[l]);
                json_array_append_new(caps, json_pack("{s:s, s:b, s:s}", "srclang", codes[l],
                                                      "default", l == LANG_DA, "label",
                                                      app_text(c, key)));
            }
        json_object_set_new(jv, "captions", caps);
        if (n > 1)
            json_object_set_new(jv, "prev_n", json_integer((json_int_t)n - 1));
        if (n < pack->n_videos)
            json_object_set_new(jv, "next_n", json_integer((json_int_t)n + 1));
        json_object_set_new(ctx, "video", jv);
    }
    app_page(c, 200, n ? "staff/pack_video" : "staff/pack", ctx);
}

void h_staff_pack_captions(struct app_call *c, const struct model_pack *pack, size_t n,
                           const char *lang)
{
    if (!n || (strcmp(lang, "da") != 0 && strcmp(lang, "en") != 0)) {
        app_page_error(c, 404, "not_found");
        return;
    }
    const char *vtt = pack->videos[n - 1].captions[model_lang_from_code(lang)];
    if (!vtt || !*vtt) {
        app_page_error(c, 404, "not_found");
        return;
    }
    http_reply_text(c->rep, 200, "text/vtt; charset=utf-8", vtt, strlen(vtt));
}

void h_staff_training(struct app_call *c)
{
    struct model_group *groups = NULL;
    size_t n = 0;
    if (store_group_list(c->st, &groups, &n) != STORE_OK) {
        h_staff_fail(c);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        int64_t id;
        if (store_pack_published_id(c->st, groups[i].id, &id) == STORE_OK)
            json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "slug", groups[i].slug,
                                                  "name", h_staff_name(c, groups[i].name), "enabled",
                                                  groups[i].enabled));
        model_group_clear(&groups[i]);
    }
    free(groups);
    app_page(c, 200, "staff/training", json_pack("{s:o}", "groups", list));
}

/* The published pack of the path's group (params[0]); NULL having replied 404. */
static const struct model_pack *h_staff_training_pack(struct app_call *c, struct model_group *g)
{
    int64_t id;
    if (store_group_by_slug(c->st, c->req->match->params[0], g) != STORE_OK) {
        app_page_error(c, 404, "not_found");
        return NULL;
    }
    const struct model_pack *p = NULL;
    if (store_pack_published_id(c->st, g->id, &id) == STORE_OK)
        p = content_cache_get(c->app->content, c->st, id);
    if (!p) {
        model_group_clear(g);
        app_page_error(c, 404, "not_found");
    }
    return p;
}

void h_staff_training_group(struct app_call *c)
{
    struct model_group g;
    const struct model_pack *p = h_staff_training_pack(c, &g);
    if (!p)
        return;
    size_t n = 0;
    if (c->req->match->n_params > 1 && !(n = h_staff_video_n(c, 1, p))) {
        model_group_clear(&g);
        app_page_error(c, 404, "not_found");
        return;
    }
    char base[128];
    snprintf(base, sizeof base, "/medarbejder/traening/%s", g.slug);
    json_t *ctx = json_pack("{s:s, s:b}", "group_name", h_staff_name(c, g.name), "training", 1);
    model_group_clear(&g);
    h_staff_pack_page(c, p, n, base, ctx);
}

void h_staff_training_captions(struct app_call *c)
{
    struct model_group g;
    const struct model_pack *p = h_staff_training_pack(c, &g);
    if (!p)
        return;
    model_group_clear(&g);
    h_staff_pack_captions(c, p, h_staff_video_n(c, 1, p), c->req->match->params[2]);
}
