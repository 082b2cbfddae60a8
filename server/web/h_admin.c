/* The administrator's pages: units, users, API keys, target groups and the access log of a
 * citizen (the guidance packs are h_admin_packs.c).  Only
 * administrators reach them (the route table says AUTH_STAFF_ADMIN; app.c checks it, the
 * Origin and the form token).  Every form answers bad input with an error summary at the
 * top and stores nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "h_admin.h"
#include "jobs.h"
#include "handlers.h"
#include "lix.h"
#include "mem.h"
#include "packedit.h"
#include "staff.h"

/* ------------------------------------------------------------------ helpers */

int64_t h_admin_id(const struct app_call *c, size_t i)
{
    const char *s = c->req->match->params[i];
    char *end;
    long long v = strtoll(s, &end, 10);
    return (*end || end == s || v <= 0) ? 0 : (int64_t)v;
}

int h_admin_has_errors(const json_t *ctx)
{
    return json_object_get(ctx, "has_errors") != NULL;
}

/* The password hint and "too short" error name the configured [staff] password_min_length. */
static void h_admin_password_hint(struct app_call *c, json_t *ctx)
{
    char *hint = h_staff_fill(c, "admin_password_hint", "min", c->app->cfg->password_min_length);
    json_object_set_new(ctx, "password_hint", json_string(hint));
    free(hint);
}

static void h_admin_password_short(struct app_call *c, json_t *ctx)
{
    h_staff_error_n(c, ctx, "password", "admin_err_password_short", "min",
                    c->app->cfg->password_min_length);
}

void h_admin_home(struct app_call *c)
{
    json_t *ctx = json_object(), *review = h_admin_review(c);
    if (review)
        json_object_set_new(ctx, "review", review);
    int64_t failed = 0;
    if (store_letters_failed_count(c->st, &failed) == STORE_OK && failed > 0)
        json_object_set_new(ctx, "letters_failed", json_integer((json_int_t)failed));
    /* the journal's delivery to the case system, when its first entry has been refused:
     * nothing is given up, but a person must see that the case system is not getting it */
    struct store_journal_backlog q;
    if (store_journal_backlog_get(c->st, &q) == STORE_OK && q.waiting > 0 && q.head_error[0]) {
        json_t *j = json_pack("{s:I, s:I, s:i, s:s}", "waiting", (json_int_t)q.waiting, "seq",
                              (json_int_t)q.head_seq, "attempts", q.head_attempts, "error",
                              q.head_error);
        h_staff_time(c, j, "since", q.head_queued_at);
        /* when it is tried next: under way now, on the next pass (due already), or a time */
        if (q.head_running)
            json_object_set_new(j, "trying", json_true());
        else if (q.head_next_at <= clock_now())
            json_object_set_new(j, "due", json_true());
        else
            h_staff_time(c, j, "next", q.head_next_at);
        json_object_set_new(ctx, "journal_stuck", j);
    }
    app_page(c, 200, "admin/home", ctx);
}

/* ------------------------------------------------------------------ failed letters */

/* The most failed letters the page lists (the newest failures first). */
#define H_ADMIN_LETTERS_MAX 200

struct h_admin_letters {
    struct app_call *c;
    json_t *list;
    int64_t *shown; /* the citizens of the letters listed (their reads are logged) */
    size_t nshown;
};

static int h_admin_letter_row(const struct store_failed_letter *l, void *arg)
{
    struct h_admin_letters *a = arg;
    struct app_call *c = a->c;
    a->shown = xrealloc(a->shown, (a->nshown + 1) * sizeof *a->shown);
    a->shown[a->nshown++] = l->citizen_id;
    char key[64];
    snprintf(key, sizeof key, "letter_%s", l->kind);
    const char *cause = jobs_failure_cause(l->last_error);
    char cause_key[64];
    snprintf(cause_key, sizeof cause_key, "admin_letters_cause_%s", cause ? cause : "channel");
    char *names[LANG_COUNT] = {(char *)l->group_name[LANG_DA], (char *)l->group_name[LANG_EN]};
    const char *group = h_staff_name(c, names);
    json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "id",
                            (json_int_t)l->job_id, "kind", app_text(c, key), "citizen",
                            l->citizen_uuid, "name", l->citizen_name, "group", group, "cause",
                            app_text(c, cause_key), "attempts", l->attempts, "error",
                            l->last_error);
    h_staff_time(c, row, "failed_at", l->failed_at);
    /* one channel sent it: the row says which copy is missing, not that nothing went out */
    if (l->sent_outbox != l->sent_smtp)
        json_object_set_new(row, "partly",
                            json_string(app_text(c, l->sent_outbox ? "admin_letters_partly_outbox"
                                                                   : "admin_letters_partly_smtp")));
    json_array_append_new(a->list, row);
    return 0;
}

/* GET /admin/breve: the letters that failed for good, with a button to send each again. */
void h_admin_letters(struct app_call *c)
{
    struct h_admin_letters a = {c, json_array(), NULL, 0};
    enum store_status rc = store_letters_failed_list(c->st, H_ADMIN_LETTERS_MAX,
                                                     h_admin_letter_row, &a);
    /* the citizens' names are their data: their reads are logged before they are shown,
     * as a read of their page is */
    int refused = rc != STORE_OK;
    if (refused)
        h_staff_fail(c);
    else
        refused = h_staff_logged(c, staff_access_record_shown(c->st, &c->user, a.shown,
                                                              a.nshown, "letters",
                                                              clock_now()));
    free(a.shown);
    if (refused) {
        json_decref(a.list);
        return;
    }
    json_t *ctx = json_pack("{s:o, s:b, s:i}", "letters", a.list, "has_letters",
                            json_array_size(a.list) > 0, "max", H_ADMIN_LETTERS_MAX);
    const char *sent = http_query(c->req, "igen");
    json_object_set_new(ctx, "retried", json_boolean(sent && strcmp(sent, "1") == 0));
    app_page(c, 200, "admin/letters", ctx);
}

/* POST /admin/breve/{id}/igen: the failed letter is sent again on the scheduler's next pass. */
void h_admin_letter_retry(struct app_call *c)
{
    int64_t id = h_admin_id(c, 0);
    enum jobs_retry_result r = id ? jobs_retry_letter(c->st, id, clock_now())
                                  : JOBS_RETRY_NOT_FOUND;
    if (r == JOBS_RETRY_OK)
        http_reply_redirect(c->rep, 303, "/admin/breve?igen=1");
    else if (r == JOBS_RETRY_NOT_FOUND)
        app_page_error(c, 404, "not_found");
    else if (r == JOBS_RETRY_NOT_FAILED)
        app_page_error(c, 409, "letter_not_failed");
    else
        h_staff_fail(c);
}

/* POST /admin/journal/igen: the journal's first undelivered entry tried on the next pass. */
void h_admin_journal_retry(struct app_call *c)
{
    enum jobs_retry_result r = jobs_retry_journal(c->st, clock_now());
    if (r == JOBS_RETRY_ERROR)
        h_staff_fail(c);
    else /* also when meanwhile delivered or being tried: the start page says where it is */
        http_reply_redirect(c->rep, 303, "/admin");
}

/* ------------------------------------------------------------------ units */

/* Whether an account may be given unit: none, a unit on the list that is not disabled, or
 * the unit it already has (keep; a disabled unit stays until changed). */
static bool h_admin_unit_allowed(struct app_call *c, const char *unit, const char *keep)
{
    if (!*unit || (keep && strcmp(unit, keep) == 0))
        return true;
    return store_unit_usable(c->st, unit) == STORE_OK;
}

/* The unit choices of a user form into ctx "unit_options": the usable units and keep;
 * selected marked.  0 or -1. */
static int h_admin_unit_choices(struct app_call *c, json_t *ctx, const char *selected,
                                const char *keep)
{
    struct store_unit *units = NULL;
    size_t n = 0;
    if (store_unit_list(c->st, &units, &n) != STORE_OK)
        return -1;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const bool kept = keep && strcmp(units[i].name, keep) == 0;
        if (units[i].disabled && !kept)
            continue;
        json_array_append_new(list, json_pack("{s:s, s:b, s:b}", "name", units[i].name,
                                              "selected",
                                              selected && strcmp(units[i].name, selected) == 0,
                                              "disabled", units[i].disabled));
    }
    free(units);
    json_object_set_new(ctx, "unit_options", list);
    return 0;
}

static void h_admin_units_page(struct app_call *c, int status, json_t *ctx)
{
    struct store_unit *units = NULL;
    size_t n = 0;
    if (store_unit_list(c->st, &units, &n) != STORE_OK) {
        json_decref(ctx);
        h_staff_fail(c);
        return;
    }
    json_int_t bad = json_integer_value(json_object_get(ctx, "bad_unit"));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *u = json_pack("{s:I, s:s, s:b, s:I}", "id", (json_int_t)units[i].id, "name",
                              units[i].name, "disabled", units[i].disabled, "users",
                              (json_int_t)units[i].users);
        if (bad == units[i].id) {
            json_object_set(u, "name_value", json_object_get(ctx, "rename_value"));
            json_object_set(u, "error", json_object_get(ctx, "rename_error"));
        } else {
            json_object_set_new(u, "name_value", json_string(units[i].name));
        }
        json_array_append_new(list, u);
    }
    free(units);
    json_object_set_new(ctx, "units", list);
    json_object_set_new(ctx, "has_units", json_boolean(n > 0));
    app_page(c, status, "admin/units", ctx);
}

/* The error key of a username or unit check's result f (not STAFF_FIELD_OK); bad: the key
 * for a malformed name. */
static const char *h_admin_name_problem(enum staff_field f, const char *bad)
{
    return f == STAFF_USERNAME_RESERVED ? "admin_err_username_reserved"
           : f == STAFF_NAME_CPR        ? "admin_err_name_cpr"
                                        : bad;
}

/* Puts the problem f of the username or unit in field (its value) on the page; a CPR number
 * is not written back into the form. */
static void h_admin_name_error(struct app_call *c, json_t *ctx, const char *field,
                               enum staff_field f, const char *bad)
{
    h_staff_error(c, ctx, field, h_admin_name_problem(f, bad));
    if (f == STAFF_NAME_CPR)
        json_object_set_new(ctx, field, json_string(""));
}

/* A unit name from the form: well formed (as the command line's --unit), else the error
 * key. */
static const char *h_admin_unit_name_problem(const char *name)
{
    if (!*name)
        return "admin_err_unit_missing";
    enum staff_field f = staff_check_unit(name);
    return f ? h_admin_name_problem(f, "admin_err_unit") : NULL;
}

/* GET /admin/enheder: the units; POST: adds one. */
void h_admin_units(struct app_call *c)
{
    json_t *ctx = json_object();
    if (c->req->method != ROUTER_POST) {
        h_admin_units_page(c, 200, ctx);
        return;
    }
    const char *name = h_staff_text(c, ctx, "name", STORE_USERNAME_MAX, 1,
                                    "admin_err_unit_missing", "admin_err_unit");
    const char *problem = name ? h_admin_unit_name_problem(name) : NULL;
    if (problem)
        h_staff_error(c, ctx, "name", problem);
    if (problem && strcmp(problem, "admin_err_name_cpr") == 0) /* not written back */
        json_object_set_new(ctx, "name", json_string(""));
    if (!h_admin_has_errors(ctx)) {
        enum store_status rc = staff_unit_add(c->st, name, clock_now());
        if (rc == STORE_OK) {
            json_decref(ctx);
            http_reply_redirect(c->rep, 303, "/admin/enheder");
            return;
        }
        if (rc != STORE_CONFLICT) {
            json_decref(ctx);
            h_staff_fail(c);
            return;
        }
        h_staff_error(c, ctx, "name", "admin_err_unit_taken");
    }
    h_admin_units_page(c, 422, ctx);
}

/* POST /admin/enheder/{id}: action rename (name), disable or enable. */
void h_admin_unit(struct app_call *c)
{
    int64_t id = h_admin_id(c, 0);
    const char *action = h_staff_field(c, "action");
    enum store_status rc;
    if (!id) {
        app_page_error(c, 404, "not_found");
        return;
    }
    if (strcmp(action, "rename") == 0) {
        const char *name = h_staff_field(c, "name");
        const char *problem = strlen(name) > STORE_USERNAME_MAX ? "admin_err_unit"
                                                                 : h_admin_unit_name_problem(name);
        rc = problem ? STORE_OK : staff_unit_rename(c->st, id, name);
        if (problem || rc == STORE_CONFLICT) {
            char field[32];
            const char *key = problem ? problem : "admin_err_unit_taken";
            json_t *ctx = json_object();
            snprintf(field, sizeof field, "unit-%lld", (long long)id);
            h_staff_error(c, ctx, field, key);
            json_object_set_new(ctx, "bad_unit", json_integer((json_int_t)id));
            /* a CPR number is not written back into the form */
            json_object_set_new(ctx, "rename_value",
                                json_string(strcmp(key, "admin_err_name_cpr") ? name : ""));
            json_object_set_new(ctx, "rename_error", json_string(app_text(c, key)));
            h_admin_units_page(c, 422, ctx);
            return;
        }
    } else if (strcmp(action, "disable") == 0 || strcmp(action, "enable") == 0) {
        rc = staff_unit_set_disabled(c->st, id, strcmp(action, "disable") == 0);
    } else {
        app_page_error(c, 400, "bad_request");
        return;
    }
    if (rc == STORE_NOT_FOUND) {
        app_page_error(c, 404, "not_found");
        return;
    }
    if (rc != STORE_OK) {
        h_staff_fail(c);
        return;
    }
    http_reply_redirect(c->rep, 303, "/admin/enheder");
}

/* ------------------------------------------------------------------ users */

/* A caseworker without a unit sees no citizens (staff_unit_scope): worth a warning. */
static bool h_admin_sees_nobody(const struct store_user *u)
{
    return strcmp(u->role, "admin") != 0 && !u->unit[0] && !u->disabled;
}

static json_t *h_admin_user_json(const struct store_user *u)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "id", (json_int_t)u->id,
                          "username", u->username, "display_name", u->display_name, "role",
                          u->role, "unit", u->unit, "disabled", u->disabled, "admin",
                          strcmp(u->role, "admin") == 0, "no_unit", h_admin_sees_nobody(u));
    return j;
}

/* After a change to a user (?oprettet=, ?gemt=, ?adgangskode=, ?laast_op= with the
 * user's id, read back from the list): what happened, naming the user, and a warning when
 * a caseworker is left without a unit. */
static const char *const h_admin_done_keys[][2] = {
    {"oprettet", "admin_user_done_created"},
    {"gemt", "admin_user_done_saved"},
    {"adgangskode", "admin_user_done_password"},
    {"laast_op", "admin_user_done_unlocked"},
};

static void h_admin_user_done(struct app_call *c, json_t *ctx, const struct store_user *u)
{
    if (c->req->method == ROUTER_POST)
        return;
    for (size_t k = 0; k < sizeof h_admin_done_keys / sizeof h_admin_done_keys[0]; k++) {
        const char *q = http_query(c->req, h_admin_done_keys[k][0]);
        if (!q || !*q || strtoll(q, NULL, 10) != u->id)
            continue;
        char who[STORE_USERNAME_MAX + STORE_DISPLAY_NAME_SIZE + 8];
        if (strcmp(u->display_name, u->username) != 0 && u->display_name[0])
            snprintf(who, sizeof who, "%s (%s)", u->display_name, u->username);
        else
            snprintf(who, sizeof who, "%s", u->username);
        char *said = h_staff_fill_text(c, h_admin_done_keys[k][1], "who", who);
        json_t *done = json_pack("{s:s, s:I, s:s, s:b}", "text", said, "id", (json_int_t)u->id,
                                 "username", u->username, "no_unit", h_admin_sees_nobody(u));
        free(said);
        json_object_set_new(ctx, "done", done);
        return;
    }
}

static void h_admin_users_page(struct app_call *c, int status, json_t *ctx)
{
    struct store_user *users = NULL;
    size_t n = 0;
    json_t *list = json_array();
    if (store_user_list(c->st, &users, &n) == STORE_OK)
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(list, h_admin_user_json(&users[i]));
            h_admin_user_done(c, ctx, &users[i]);
        }
    free(users);
    json_object_set_new(ctx, "has_users", json_boolean(json_array_size(list) > 0));
    json_object_set_new(ctx, "users", list);
    h_admin_password_hint(c, ctx);
    if (h_admin_unit_choices(c, ctx, json_string_value(json_object_get(ctx, "unit")), NULL)) {
        json_decref(ctx);
        h_staff_fail(c);
        return;
    }
    if (!json_object_get(ctx, "role"))
        json_object_set_new(ctx, "role", json_string("caseworker"));
    const char *role = json_string_value(json_object_get(ctx, "role"));
    json_object_set_new(ctx, "role_admin", json_boolean(role && strcmp(role, "admin") == 0));
    app_page(c, status, "admin/users", ctx);
}

/* Maps a staff_user_create() problem to its field and message. */
static void h_admin_user_problem(struct app_call *c, json_t *ctx, int r)
{
    switch (r) {
    case -1: h_staff_error(c, ctx, "username", "admin_err_username_taken"); break;
    case STAFF_USERNAME_BAD: h_staff_error(c, ctx, "username", "admin_err_username"); break;
    case STAFF_USERNAME_RESERVED:
    case STAFF_NAME_CPR: /* the handler checked the unit first */
        h_admin_name_error(c, ctx, "username", r, "admin_err_username");
        break;
    case STAFF_DISPLAY_NAME_BAD: h_staff_error(c, ctx, "display_name", "admin_err_display_name"); break;
    case STAFF_ROLE_BAD: h_staff_error(c, ctx, "role", "admin_err_role"); break;
    case STAFF_UNIT_BAD: h_staff_error(c, ctx, "unit", "admin_err_unit"); break;
    case STAFF_PASSWORD_SHORT: h_admin_password_short(c, ctx); break;
    case STAFF_PASSWORD_LONG: h_staff_error(c, ctx, "password", "admin_err_password_long"); break;
    default: break;
    }
}

void h_admin_users(struct app_call *c)
{
    json_t *ctx = json_object();
    if (c->req->method != ROUTER_POST) {
        h_admin_users_page(c, 200, ctx);
        return;
    }
    const char *username = h_staff_text(c, ctx, "username", STORE_USERNAME_MAX, 1,
                                        "admin_err_username_missing", "admin_err_username");
    const char *display = h_staff_text(c, ctx, "display_name", STORE_DISPLAY_NAME_MAX, 0, NULL,
                                       "admin_err_display_name");
    const char *role = h_staff_text(c, ctx, "role", 16, 1, "admin_err_role", "admin_err_role");
    const char *unit = h_staff_text(c, ctx, "unit", STORE_USERNAME_MAX, 0, NULL, "admin_err_unit");
    const char *password = h_staff_field(c, "password"); /* never echoed back */
    if (!*password)
        h_admin_password_short(c, ctx);
    enum staff_field f;
    if (username && (f = staff_check_username(username)))
        h_admin_name_error(c, ctx, "username", f, "admin_err_username");
    if (display && staff_check_display_name(display))
        h_staff_error(c, ctx, "display_name", "admin_err_display_name");
    if (role && staff_role_from_name(role) == ROLE_NONE)
        h_staff_error(c, ctx, "role", "admin_err_role");
    if (unit && (f = staff_check_unit(unit)))
        h_admin_name_error(c, ctx, "unit", f, "admin_err_unit");
    else if (unit && !h_admin_unit_allowed(c, unit, NULL))
        h_staff_error(c, ctx, "unit", "admin_err_unit_unknown");
    if (!h_admin_has_errors(ctx)) {
        int64_t id;
        int r = staff_user_create(c->st, c->app->cfg, username, display, role, unit, password,
                                  clock_now(), &id);
        if (r == -2) {
            json_decref(ctx);
            h_staff_fail(c);
            return;
        }
        if (r == 0) {
            char done[64];
            json_decref(ctx);
            snprintf(done, sizeof done, "/admin/brugere?oprettet=%lld", (long long)id);
            http_reply_redirect(c->rep, 303, done);
            return;
        }
        h_admin_user_problem(c, ctx, r);
    }
    h_admin_users_page(c, 422, ctx);
}

/* The account's lock and its account log (locks and unlocks) into ctx.  0 or -1. */
static int h_admin_account_log(struct app_call *c, const struct store_user *u, json_t *ctx)
{
    struct store_account_log_row *rows = NULL;
    size_t n = 0;
    if (store_account_log_list(c->st, u->id, 50, &rows, &n) != STORE_OK)
        return -1;
    if (u->locked_until > clock_now())
        h_staff_time(c, ctx, "locked_until", u->locked_until);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        int locked = strcmp(rows[i].event, "locked") == 0;
        json_t *row = json_pack("{s:b, s:b, s:s}", "locked", locked, "system",
                                strcmp(rows[i].actor, "system") == 0, "actor", rows[i].actor);
        h_staff_time(c, row, "at", rows[i].at);
        if (locked)
            h_staff_time(c, row, "until", rows[i].until);
        json_array_append_new(list, row);
    }
    free(rows);
    json_object_set_new(ctx, "has_account_log", json_boolean(n > 0));
    json_object_set_new(ctx, "account_log", list);
    return 0;
}

void h_admin_user(struct app_call *c)
{
    struct store_user u;
    int64_t id = h_admin_id(c, 0);
    if (!id || store_user_by_id(c->st, id, &u) != STORE_OK) {
        app_page_error(c, 404, "not_found");
        return;
    }
    memset(u.password_hash, 0, sizeof u.password_hash);
    json_t *ctx = json_pack("{s:o}", "user", h_admin_user_json(&u));
    json_object_set_new(json_object_get(ctx, "user"), "role_admin",
                        json_boolean(strcmp(u.role, "admin") == 0));
    json_object_set_new(ctx, "self", json_boolean(u.id == c->user.id));
    h_admin_password_hint(c, ctx);
    h_admin_user_done(c, ctx, &u);
    const char *chosen = c->req->method == ROUTER_POST &&
                                 strcmp(h_staff_field(c, "action"), "save") == 0
                             ? h_staff_field(c, "unit")
                             : u.unit;
    if (h_admin_account_log(c, &u, ctx) != 0 ||
        h_admin_unit_choices(c, ctx, chosen, u.unit) != 0) {
        json_decref(ctx);
        h_staff_fail(c);
        return;
    }
    if (c->req->method != ROUTER_POST) {
        app_page(c, 200, "admin/user", ctx);
        return;
    }
    const char *action = h_staff_field(c, "action");
    if (strcmp(action, "unlock") == 0) {
        if (staff_user_unlock(c->st, u.id, c->user.username, clock_now()) != 0) {
            json_decref(ctx);
            h_staff_fail(c);
            return;
        }
        json_decref(ctx);
        char back[64];
        snprintf(back, sizeof back, "/admin/brugere/%lld?laast_op=%lld", (long long)u.id,
                 (long long)u.id);
        http_reply_redirect(c->rep, 303, back);
        return;
    } else if (strcmp(action, "password") == 0) {
        int r = staff_user_set_password(c->st, c->app->cfg, u.id, h_staff_field(c, "password"));
        if (r == -2) {
            json_decref(ctx);
            h_staff_fail(c);
            return;
        }
        if (r != 0) {
            h_admin_user_problem(c, ctx, r);
            app_page(c, 422, "admin/user", ctx);
            return;
        }
    } else if (strcmp(action, "save") == 0) {
        const char *display = h_staff_text(c, ctx, "display_name", STORE_DISPLAY_NAME_MAX, 0,
                                           NULL, "admin_err_display_name");
        const char *role = h_staff_field(c, "role");
        const char *unit = h_staff_text(c, ctx, "unit", STORE_USERNAME_MAX, 0, NULL,
                                        "admin_err_unit");
        int disabled = strcmp(h_staff_field(c, "disabled"), "ja") == 0;
        if (display && staff_check_display_name(display))
            h_staff_error(c, ctx, "display_name", "admin_err_display_name");
        if (staff_role_from_name(role) == ROLE_NONE)
            h_staff_error(c, ctx, "role", "admin_err_role");
        enum staff_field f;
        if (unit && (f = staff_check_unit(unit)))
            h_admin_name_error(c, ctx, "unit", f, "admin_err_unit");
        else if (unit && !h_admin_unit_allowed(c, unit, u.unit))
            h_staff_error(c, ctx, "unit", "admin_err_unit_unknown");
        /* an administrator cannot lock themselves out */
        if (u.id == c->user.id && (disabled || strcmp(role, "admin") != 0))
            h_staff_error(c, ctx, "role", "admin_err_self");
        if (h_admin_has_errors(ctx)) {
            app_page(c, 422, "admin/user", ctx);
            return;
        }
        snprintf(u.display_name, sizeof u.display_name, "%s", *display ? display : u.username);
        snprintf(u.role, sizeof u.role, "%s", role);
        snprintf(u.unit, sizeof u.unit, "%s", unit);
        u.disabled = disabled;
        if (staff_user_save(c->st, &u) != STORE_OK) {
            json_decref(ctx);
            h_staff_fail(c);
            return;
        }
    } else {
        json_decref(ctx);
        app_page_error(c, 400, "bad_request");
        return;
    }
    json_decref(ctx);
    char done[80];
    snprintf(done, sizeof done, "/admin/brugere?%s=%lld",
             strcmp(action, "password") == 0 ? "adgangskode" : "gemt", (long long)u.id);
    http_reply_redirect(c->rep, 303, done);
}

/* ------------------------------------------------------------------ API keys */

/* The key with this id into *out: 0, or -1 when there is none. */
static int h_admin_key_find(struct app_call *c, int64_t id, struct store_apikey_row *out)
{
    struct store_apikey_row *rows = NULL;
    size_t n = 0;
    int rc = -1;
    if (id && store_apikey_list(c->st, &rows, &n) == STORE_OK)
        for (size_t i = 0; i < n && rc; i++)
            if (rows[i].id == id) {
                *out = rows[i];
                rc = 0;
            }
    free(rows);
    return rc;
}

static void h_admin_keys_page(struct app_call *c, int status, json_t *ctx)
{
    struct store_apikey_row *rows = NULL;
    size_t n = 0;
    json_t *list = json_array();
    /* after a revocation (?spaerret=<id>): which key, read back from the list */
    const char *done = c->req->method == ROUTER_POST ? NULL : http_query(c->req, "spaerret");
    int64_t done_id = done && *done ? strtoll(done, NULL, 10) : 0;
    if (store_apikey_list(c->st, &rows, &n) == STORE_OK)
        for (size_t i = 0; i < n; i++) {
            if (done_id > 0 && rows[i].id == done_id && rows[i].revoked_at)
                json_object_set_new(ctx, "revoked_key", json_pack("{s:s}", "name", rows[i].name));
            json_t *r = json_pack("{s:I, s:s, s:b}", "id", (json_int_t)rows[i].id, "name",
                                  rows[i].name, "revoked", rows[i].revoked_at != 0);
            h_staff_time(c, r, "created", rows[i].created_at);
            h_staff_time(c, r, "revoked_at", rows[i].revoked_at);
            json_array_append_new(list, r);
        }
    free(rows);
    json_object_set_new(ctx, "has_keys", json_boolean(json_array_size(list) > 0));
    json_object_set_new(ctx, "keys", list);
    app_page(c, status, "admin/keys", ctx);
}

void h_admin_keys(struct app_call *c)
{
    json_t *ctx = json_object();
    if (c->req->method != ROUTER_POST) {
        h_admin_keys_page(c, 200, ctx);
        return;
    }
    const char *name = h_staff_text(c, ctx, "name", STORE_APIKEY_NAME_MAX, 1,
                                    "admin_err_key_name_missing", "admin_err_key_name_long");
    if (!name) {
        h_admin_keys_page(c, 422, ctx);
        return;
    }
    char key[STAFF_APIKEY_LEN + 1];
    int64_t id;
    if (staff_apikey_create(c->st, name, clock_now(), key, &id) != 0) {
        json_decref(ctx);
        h_staff_fail(c);
        return;
    }
    /* shown this once; the page is not cached (Cache-Control: no-store) */
    json_object_set_new(ctx, "new_key", json_string(key));
    json_object_set_new(ctx, "name", json_string(""));
    h_admin_keys_page(c, 201, ctx);
}

/* POST /admin/noegler/{id}/spaer: without confirm=ja a page that names the key and asks;
 * with it, revokes and goes back to the list, which says which key was revoked. */
void h_admin_key_revoke(struct app_call *c)
{
    int64_t id = h_admin_id(c, 0);
    struct store_apikey_row key;
    if (strcmp(h_staff_field(c, "confirm"), "ja") != 0) {
        if (h_admin_key_find(c, id, &key) != 0 || key.revoked_at) {
            app_page_error(c, 404, "not_found");
            return;
        }
        json_t *ctx = json_pack("{s:I, s:s}", "id", (json_int_t)key.id, "name", key.name);
        h_staff_time(c, ctx, "created", key.created_at);
        app_page(c, 200, "admin/key_revoke", ctx);
        return;
    }
    enum store_status rc = id ? staff_apikey_revoke(c->st, id, clock_now()) : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND) {
        app_page_error(c, 404, "not_found");
        return;
    }
    if (rc != STORE_OK) {
        h_staff_fail(c);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/admin/noegler?spaerret=%lld", (long long)id);
    http_reply_redirect(c->rep, 303, path);
}

/* ------------------------------------------------------------------ target groups */

/* A switched-off group whose draft is planned to switch it on when it is published (and
 * will be: unchanged since the plan was confirmed): "switch_plan": {day} in g. */
static void h_admin_group_switch_plan(struct app_call *c, json_t *g, int64_t group_id)
{
    int64_t draft;
    char day[CLOCK_DATE_LEN + 1], human[64];
    bool changed = false, switch_on = false;
    if (packedit_draft_of(c->st, group_id, true, &draft) != PACKEDIT_OK ||
        packedit_plan_of(c->st, draft, day, &changed, &switch_on) != PACKEDIT_OK || !*day ||
        changed || !switch_on ||
        clock_format_human_day(day, model_lang_code(c->lang), human, sizeof human) != 0)
        return;
    json_object_set_new(g, "switch_plan", json_pack("{s:s}", "day", human));
}

/* The groups page; ctx may carry a refused form: "bad_group" (a group's slug) with the
 * fields as sent ("sent": {name_da, name_en, resend_months, enabled}) and their errors
 * (err_<field>_<slug>), or the new group's form as sent ("new": {…}). */
static void h_admin_groups_page(struct app_call *c, int status, json_t *ctx)
{
    struct model_group *groups = NULL;
    size_t n = 0;
    json_t *list = json_array();
    if (store_group_list(c->st, &groups, &n) != STORE_OK) {
        json_decref(list);
        json_decref(ctx);
        h_staff_fail(c);
        return;
    }
    const char *bad = json_string_value(json_object_get(ctx, "bad_group"));
    for (size_t i = 0; i < n; i++) {
        int64_t published = 0;
        json_t *g = json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:b}", "slug", groups[i].slug,
                              "name", h_staff_name(c, groups[i].name), "name_da",
                              groups[i].name[LANG_DA], "name_en",
                              groups[i].name[LANG_EN] ? groups[i].name[LANG_EN] : "", "enabled",
                              groups[i].enabled, "resend_value", groups[i].resend_months,
                              "no_content",
                              store_pack_published_id(c->st, groups[i].id, &published) ==
                                  STORE_NOT_FOUND);
        if (!groups[i].enabled)
            h_admin_group_switch_plan(c, g, groups[i].id);
        if (bad && strcmp(bad, groups[i].slug) == 0) {
            json_object_update(g, json_object_get(ctx, "sent"));
            static const char *const fields[] = {"name_da", "name_en", "resend", "enabled"};
            for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
                char key[160], mine[32];
                snprintf(key, sizeof key, "err_%s_%s", fields[k], groups[i].slug);
                for (char *p = key; *p; p++)
                    if (*p == '-')
                        *p = '_';
                snprintf(mine, sizeof mine, "err_%s", fields[k]);
                json_t *e = json_object_get(ctx, key);
                if (e)
                    json_object_set(g, mine, e);
            }
        }
        json_array_append_new(list, g);
        model_group_clear(&groups[i]);
    }
    free(groups);
    json_object_set_new(ctx, "has_groups", json_boolean(n > 0));
    json_object_set_new(ctx, "groups", list);
    if (!json_object_get(ctx, "new"))
        json_object_set_new(ctx, "new", json_pack("{s:s, s:s, s:s, s:i}", "slug", "", "name_da",
                                                  "", "name_en", "", "resend_months", 6));
    /* after a new group: which one, and what comes next */
    const char *made = c->req->method == ROUTER_GET ? http_query(c->req, "oprettet") : NULL;
    struct model_group g;
    if (made && *made && store_group_by_slug(c->st, made, &g) == STORE_OK) {
        char *said = h_staff_fill_text(c, "admin_group_created", "name", h_staff_name(c, g.name));
        json_object_set_new(ctx, "created", json_pack("{s:s, s:s}", "text", said, "slug", g.slug));
        free(said);
        model_group_clear(&g);
    }
    app_page(c, status, "admin/groups", ctx);
}

void h_admin_groups(struct app_call *c)
{
    h_admin_groups_page(c, 200, json_object());
}

/* The resend interval of a form: 1 to 60 months, or 0. */
static int h_admin_months(const char *text)
{
    char *end;
    long m = strtol(text, &end, 10);
    return *text && !*end && m >= 1 && m <= 60 ? (int)m : 0;
}

/* The errors of a group's two names into ctx, under the fields' ids id_da and id_en. */
static void h_admin_group_names(struct app_call *c, json_t *ctx, const char *da,
                                const char *en, const char *id_da, const char *id_en)
{
    if (!*da)
        h_staff_error(c, ctx, id_da, "admin_err_group_name_missing");
    else if (!content_group_name_ok(da, true))
        h_staff_error_n(c, ctx, id_da, "admin_err_group_name", "max", CONTENT_GROUP_NAME_MAX);
    if (!content_group_name_ok(en, false))
        h_staff_error_n(c, ctx, id_en, "admin_err_group_name", "max", CONTENT_GROUP_NAME_MAX);
}

/* POST /admin/grupper: a new target group, switched off until it has published content. */
void h_admin_group_new(struct app_call *c)
{
    json_t *ctx = json_object();
    struct model_group g = {0};
    const char *slug = h_staff_field(c, "slug");
    json_t *sent = json_pack("{s:s, s:s, s:s, s:s}", "slug", slug, "name_da",
                             h_staff_field(c, "name_da"), "name_en", h_staff_field(c, "name_en"),
                             "resend_months", h_staff_field(c, "resend_months"));
    json_object_set_new(ctx, "new", sent);
    /* too long for a slug: left empty, and refused as not one below */
    snprintf(g.slug, sizeof g.slug, "%s", strlen(slug) < sizeof g.slug ? slug : "");
    g.name[LANG_DA] = (char *)h_staff_field(c, "name_da");
    g.name[LANG_EN] = (char *)h_staff_field(c, "name_en");
    g.resend_months = h_admin_months(h_staff_field(c, "resend_months"));
    /* every field's problem at once (content_group_add holds them to the same rules) */
    const char *field = "";
    if (!content_slug_ok(g.slug))
        h_staff_error(c, ctx, "new_slug", "admin_err_group_slug");
    h_admin_group_names(c, ctx, g.name[LANG_DA], g.name[LANG_EN], "new_name_da",
                        "new_name_en");
    if (!g.resend_months)
        h_staff_error(c, ctx, "new_resend", "admin_err_resend");
    int64_t id;
    enum content_group_result r = h_admin_has_errors(ctx)
                                      ? CONTENT_GROUP_INVALID
                                      : content_group_add(c->st, &g, clock_now(), &id, &field);
    if (r == CONTENT_GROUP_ERROR) {
        json_decref(ctx);
        h_staff_fail(c);
        return;
    }
    if (r == CONTENT_GROUP_OK) {
        json_decref(ctx);
        char path[MODEL_SLUG_MAX + 32];
        snprintf(path, sizeof path, "/admin/grupper?oprettet=%s#ny", g.slug);
        http_reply_redirect(c->rep, 303, path);
        return;
    }
    if (r == CONTENT_GROUP_EXISTS)
        h_staff_error(c, ctx, "new_slug", "admin_err_group_exists");
    h_admin_groups_page(c, 422, ctx);
}

void h_admin_group(struct app_call *c)
{
    struct model_group g;
    if (store_group_by_slug(c->st, c->req->match->params[0], &g) != STORE_OK) {
        app_page_error(c, 404, "not_found");
        return;
    }
    json_t *ctx = json_object();
    const char *months = h_staff_field(c, "resend_months");
    int enabled = strcmp(h_staff_field(c, "enabled"), "ja") == 0;
    /* the names: a form without them (an older page) leaves them */
    const char *name_da = form_get(&c->form, "name_da");
    const char *name_en = form_get(&c->form, "name_en");
    int m = h_admin_months(months);
    char field[160], field_en[160];
    /* a name the form does not send is the stored one, which must pass too (one stored
     * before the rules were what they are is named here, not a failure) */
    const char *da = name_da ? name_da : g.name[LANG_DA];
    const char *en = name_en ? name_en : (g.name[LANG_EN] ? g.name[LANG_EN] : "");
    snprintf(field, sizeof field, "name_da-%s", g.slug);
    snprintf(field_en, sizeof field_en, "name_en-%s", g.slug);
    h_admin_group_names(c, ctx, da, en, field, field_en);
    int64_t published;
    int no_content = store_pack_published_id(c->st, g.id, &published) == STORE_NOT_FOUND;
    if (!m) {
        snprintf(field, sizeof field, "resend-%s", g.slug);
        h_staff_error(c, ctx, field, "admin_err_resend");
    }
    if (enabled && !g.enabled && no_content) {
        snprintf(field, sizeof field, "enabled-%s", g.slug);
        h_staff_error(c, ctx, field, "admin_err_group_no_content");
    }
    if (h_admin_has_errors(ctx)) {
        json_object_set_new(ctx, "bad_group", json_string(g.slug));
        json_t *sent = json_pack("{s:s, s:b}", "resend_value", months, "enabled", enabled);
        if (name_da)
            json_object_set_new(sent, "name_da", json_string(name_da));
        if (name_en)
            json_object_set_new(sent, "name_en", json_string(name_en));
        json_object_set_new(ctx, "sent", sent);
        model_group_clear(&g);
        h_admin_groups_page(c, 422, ctx);
        return;
    }
    const char *unused = "";
    enum content_group_result rc = content_group_save(c->st, g.id, enabled, m, da, en, &unused);
    if (rc == CONTENT_GROUP_NO_CONTENT) {
        /* the domain's rule, for a group already on without content (the check above
         * only looks at one being switched on) */
        snprintf(field, sizeof field, "enabled-%s", g.slug);
        h_staff_error(c, ctx, field, "admin_err_group_no_content");
        json_object_set_new(ctx, "bad_group", json_string(g.slug));
        model_group_clear(&g);
        h_admin_groups_page(c, 422, ctx);
        return;
    }
    model_group_clear(&g);
    json_decref(ctx);
    if (rc != CONTENT_GROUP_OK) {
        h_staff_fail(c);
        return;
    }
    http_reply_redirect(c->rep, 303, "/admin/grupper");
}

/* ------------------------------------------------------------------ access log */

void h_admin_access(struct app_call *c)
{
    struct model_citizen cz;
    if (h_staff_citizen(c, &cz))
        return;
    /* listing who looked is itself a look */
    if (h_staff_logged(c, staff_access_record(c->st, &c->user, cz.id, "access_log",
                                              clock_now())) != 0) {
        model_citizen_clear(&cz);
        return;
    }
    json_t *ctx = json_pack("{s:s, s:s}", "citizen_id", cz.uuid, "name", cz.name);
    json_object_set_new(ctx, "access", h_staff_access_rows(c, cz.id, true, 100000));
    model_citizen_clear(&cz);
    app_page(c, 200, "admin/access", ctx);
}
