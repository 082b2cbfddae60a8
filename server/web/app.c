#include "app.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channel.h"
#include "clock.h"
#include "errors.h"
#include "handlers.h"
#include "jsonmem.h"
#include "mem.h"
#include "prerender.h"
#include "progress.h"

#define KB *1024

/* The route table: every URL the service answers.  A body limit of its own (max_body) is
 * fixed for that route, README: configuration says which; 0 is the configured one of the
 * body kind ([server] max_body_form, …), and ROUTE_SIZED rows get theirs at start
 * (app_sized_body). */
static const struct route app_routes[] = {
    /* case-system API */
    {ROUTER_POST, "/api/v1/enrolments", (void *)h_api_enrol, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/enrolments/{id}", (void *)h_api_enrolment, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_POST, "/api/v1/enrolments/{id}/meeting", (void *)h_api_meeting, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_PUT, "/api/v1/enrolments/{id}/planned-meeting", (void *)h_api_planned_meeting, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_POST, "/api/v1/enrolments/{id}/link", (void *)h_api_link, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_POST, "/api/v1/enrolments/{id}/close", (void *)h_api_close, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_PUT, "/api/v1/citizens/{id}/target-group", (void *)h_api_target_group, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/citizens/{id}/journal", (void *)h_api_journal, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/stats", (void *)h_api_stats, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/me", (void *)h_api_me, AUTH_CITIZEN_APP, BODY_NONE, 0, ROUTE_API | ROUTE_CORS},
    {ROUTER_GET, "/api/v1/openapi.json", (void *)h_api_openapi, AUTH_NONE, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/healthz", (void *)h_api_health, AUTH_NONE, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/metrics", (void *)h_ops_metrics, AUTH_METRICS, BODY_NONE, 0, ROUTE_API},
    /* the implementation dashboard and its CSV extract */
    {ROUTER_GET, "/admin/statistik", (void *)h_stats_page, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/statistik.csv", (void *)h_stats_csv, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/statistik/spoergsmaal/{id}", (void *)h_stats_question, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    /* citizen pages */
    {ROUTER_GET, "/", (void *)h_citizen_home, AUTH_NONE, BODY_NONE, 0, 0},
    {ROUTER_GET, "/v/{token}", (void *)h_citizen_link, AUTH_NONE, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger", (void *)h_citizen_overview, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN | ROUTE_READ_SNAPSHOT},
    {ROUTER_GET, "/borger/video/{n}", (void *)h_citizen_video, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN | ROUTE_READ_SNAPSHOT},
    {ROUTER_POST, "/borger/video/{n}", (void *)h_citizen_answer, AUTH_CITIZEN, BODY_FORM, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/video/{n}/svar", (void *)h_citizen_feedback, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN | ROUTE_READ_SNAPSHOT},
    {ROUTER_POST, "/borger/video/{n}/afspilning", (void *)h_citizen_playback, AUTH_CITIZEN, BODY_FORM, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/video/{n}/tekst/{lang}", (void *)h_citizen_captions, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN | ROUTE_READ_SNAPSHOT},
    {ROUTER_GET | ROUTER_POST, "/borger/fravalg", (void *)h_citizen_decline, AUTH_CITIZEN, BODY_FORM, 1 KB, ROUTE_CITIZEN | ROUTE_READ_SNAPSHOT},
    {ROUTER_GET, "/borger/kvittering", (void *)h_citizen_receipt, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN | ROUTE_READ_SNAPSHOT},
    {ROUTER_POST, "/borger/sprog", (void *)h_citizen_language, AUTH_CITIZEN, BODY_FORM, 1 KB, ROUTE_CITIZEN},
    /* caseworker pages (README: staff web) */
    {ROUTER_GET | ROUTER_POST, "/medarbejder/login", (void *)h_staff_login, AUTH_STAFF_LOGIN, BODY_FORM, 4 KB, 0},
    {ROUTER_POST, "/medarbejder/logout", (void *)h_staff_logout, AUTH_STAFF_CASEWORKER, BODY_FORM, 1 KB, 0},
    {ROUTER_GET, "/medarbejder", (void *)h_staff_home, AUTH_STAFF_CASEWORKER, BODY_NONE, 0, 0},
    {ROUTER_POST, "/medarbejder/sprog", (void *)h_staff_language, AUTH_STAFF_CASEWORKER, BODY_FORM, 1 KB, 0},
    {ROUTER_GET | ROUTER_POST, "/medarbejder/borgere", (void *)h_staff_citizens, AUTH_STAFF_CASEWORKER, BODY_FORM, 4 KB, 0},
    {ROUTER_GET, "/medarbejder/borger/{id}", (void *)h_staff_citizen_page, AUTH_STAFF_CASEWORKER, BODY_NONE, 0, 0},
    {ROUTER_GET, "/medarbejder/borger/{id}/dokumentation.pdf", (void *)h_staff_evidence, AUTH_STAFF_CASEWORKER, BODY_NONE, 0, 0},
    {ROUTER_GET | ROUTER_POST, "/medarbejder/borger/{id}/moede", (void *)h_staff_meeting, AUTH_STAFF_CASEWORKER, BODY_FORM, 0, ROUTE_SIZED},
    {ROUTER_POST, "/medarbejder/borger/{id}/nyt-link", (void *)h_staff_new_link, AUTH_STAFF_CASEWORKER, BODY_FORM, 1 KB, 0},
    {ROUTER_GET, "/medarbejder/traening", (void *)h_staff_training, AUTH_STAFF_CASEWORKER, BODY_NONE, 0, 0},
    {ROUTER_GET, "/medarbejder/traening/{group}", (void *)h_staff_training_group, AUTH_STAFF_CASEWORKER, BODY_NONE, 0, 0},
    {ROUTER_GET, "/medarbejder/traening/{group}/{n}", (void *)h_staff_training_group, AUTH_STAFF_CASEWORKER, BODY_NONE, 0, 0},
    {ROUTER_GET, "/medarbejder/traening/{group}/{n}/tekst/{lang}", (void *)h_staff_training_captions, AUTH_STAFF_CASEWORKER, BODY_NONE, 0, 0},
    /* administrator pages */
    {ROUTER_GET, "/admin", (void *)h_admin_home, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET | ROUTER_POST, "/admin/brugere", (void *)h_admin_users, AUTH_STAFF_ADMIN, BODY_FORM, 8 KB, 0},
    {ROUTER_GET | ROUTER_POST, "/admin/brugere/{id}", (void *)h_admin_user, AUTH_STAFF_ADMIN, BODY_FORM, 8 KB, 0},
    {ROUTER_GET | ROUTER_POST, "/admin/noegler", (void *)h_admin_keys, AUTH_STAFF_ADMIN, BODY_FORM, 2 KB, 0},
    {ROUTER_POST, "/admin/noegler/{id}/spaer", (void *)h_admin_key_revoke, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_GET, "/admin/grupper", (void *)h_admin_groups, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET | ROUTER_POST, "/admin/enheder", (void *)h_admin_units, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/enheder/{id}", (void *)h_admin_unit, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/grupper", (void *)h_admin_group_new, AUTH_STAFF_ADMIN, BODY_FORM, 8 KB, 0},
    {ROUTER_POST, "/admin/grupper/{group}", (void *)h_admin_group, AUTH_STAFF_ADMIN, BODY_FORM, 8 KB, 0},
    {ROUTER_GET, "/admin/pakker", (void *)h_admin_packs, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/breve", (void *)h_admin_letters, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_POST, "/admin/breve/{id}/igen", (void *)h_admin_letter_retry, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/journal/igen", (void *)h_admin_journal_retry, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/pakker/{group}/kladde", (void *)h_admin_draft_new, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_GET | ROUTER_POST, "/admin/pakke/{id}", (void *)h_admin_draft, AUTH_STAFF_ADMIN, BODY_FORM, 0, ROUTE_SIZED},
    /* "ny" rows before the {n} rows: the first matching row wins */
    {ROUTER_GET | ROUTER_POST, "/admin/pakke/{id}/video/ny", (void *)h_admin_video_new, AUTH_STAFF_ADMIN, BODY_UPLOAD, 0, ROUTE_SIZED},
    {ROUTER_GET | ROUTER_POST, "/admin/pakke/{id}/video/{n}", (void *)h_admin_draft_video, AUTH_STAFF_ADMIN, BODY_FORM, 0, ROUTE_SIZED},
    {ROUTER_GET | ROUTER_POST, "/admin/pakke/{id}/sprog/{lang}", (void *)h_admin_lang, AUTH_STAFF_ADMIN, BODY_FORM, 0, ROUTE_SIZED},
    {ROUTER_GET | ROUTER_POST, "/admin/pakke/{id}/sprog/{lang}/video/{n}", (void *)h_admin_lang, AUTH_STAFF_ADMIN, BODY_FORM, 0, ROUTE_SIZED},
    {ROUTER_POST, "/admin/pakke/{id}/video/{n}/fjern", (void *)h_admin_remove, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/pakke/{id}/video/{n}/flyt", (void *)h_admin_video_move, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_GET | ROUTER_POST, "/admin/pakke/{id}/video/{n}/spoergsmaal/ny", (void *)h_admin_question_new, AUTH_STAFF_ADMIN, BODY_FORM, 0, ROUTE_SIZED},
    {ROUTER_POST, "/admin/pakke/{id}/video/{n}/spoergsmaal/{q}/fjern", (void *)h_admin_remove, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_GET | ROUTER_POST, "/admin/pakke/{id}/video/{n}/spoergsmaal/{q}/svar/ny", (void *)h_admin_option_new, AUTH_STAFF_ADMIN, BODY_FORM, 0, ROUTE_SIZED},
    {ROUTER_POST, "/admin/pakke/{id}/video/{n}/spoergsmaal/{q}/svar/{o}/fjern", (void *)h_admin_remove, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/pakke/{id}/video/{n}/fil", (void *)h_admin_draft_upload, AUTH_STAFF_ADMIN, BODY_UPLOAD, 0, 0},
    {ROUTER_POST, "/admin/pakke/{id}/udgiv", (void *)h_admin_publish, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/pakke/{id}/plan/fortryd", (void *)h_admin_unplan, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_POST, "/admin/pakke/{id}/slet", (void *)h_admin_discard, AUTH_STAFF_ADMIN, BODY_FORM, 1 KB, 0},
    {ROUTER_GET, "/admin/pakke/{id}/vis", (void *)h_admin_preview, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/pakke/{id}/vis/{n}", (void *)h_admin_preview, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/pakke/{id}/vis/{n}/tekst/{lang}", (void *)h_admin_preview_captions, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/adgangslog/{id}", (void *)h_admin_access, AUTH_STAFF_ADMIN, BODY_NONE, 0, 0},
    /* files */
    {ROUTER_GET, "/static/*", (void *)h_static_file, AUTH_NONE, BODY_NONE, 0, ROUTE_STATIC},
    {ROUTER_GET, "/media/*", (void *)h_static_media, AUTH_NONE, BODY_NONE, 0, ROUTE_STATIC},
};

/* What a ROUTE_SIZED form's fields may hold, every byte percent-encoded, and never less
 * than [server] max_body_form: the meeting form's note, the form that adds a video (its
 * texts beside a file of [staff] max_upload), else the pack editor's forms. */
static size_t app_sized_body(const struct route *r, const struct config *cfg)
{
    size_t need = r->handler == (void *)h_staff_meeting
                      ? h_staff_meeting_body(cfg->max_field_length)
                  : r->body == BODY_UPLOAD ? h_admin_video_body(cfg->max_content_text)
                                           : h_admin_editor_body(cfg->max_content_text);
    need = need > cfg->max_body_form ? need : cfg->max_body_form;
    return r->body == BODY_UPLOAD ? cfg->max_upload + need : need;
}

/* The fields a form may have: [server] max_form_fields, or as many as a pack editor's form
 * may legally hold when that is more (a video with every question and option). */
static size_t app_form_fields(const struct route *r, const struct config *cfg)
{
    int editor = (r->flags & ROUTE_SIZED) && r->handler != (void *)h_staff_meeting;
    size_t need = editor ? h_admin_editor_fields() : 0;
    return need > cfg->max_form_fields ? need : cfg->max_form_fields;
}

/* app_routes as served: with the ROUTE_SIZED rows' body limits. */
static struct route *app_routes_sized(const struct config *cfg, size_t *n)
{
    *n = sizeof app_routes / sizeof app_routes[0];
    struct route *t = xmalloc(sizeof app_routes);
    memcpy(t, app_routes, sizeof app_routes);
    for (size_t i = 0; i < *n; i++)
        if (t[i].flags & ROUTE_SIZED)
            t[i].max_body = app_sized_body(&t[i], cfg);
    return t;
}

/* ------------------------------------------------------------------ per-thread store */

static void app_store_close(void *p)
{
    store_close(p);
}

struct store *app_store(struct app *app)
{
    struct store *st = pthread_getspecific(app->store_key);
    if (st)
        return st;
    char err[256];
    if (store_open(config_db_target(app->cfg), app->cfg->busy_timeout_ms, &st, err, sizeof err)) {
        fprintf(stderr, "vejled: %s\n", err);
        return NULL;
    }
    /* a page thread's connection: what pages read again is answered from memory while
     * nothing was committed (off with the pre-rendering: every page then from scratch) */
    store_remember(st, prerender_enabled());
    pthread_setspecific(app->store_key, st);
    return st;
}

/* ------------------------------------------------------------------ per-thread buffers */

/* A worker thread's render buffers: a page renders into memory that the previous page on
 * the same thread already grew, instead of growing fresh buffers from 64 bytes each time
 * (every growth past a kilobyte also makes malloc consolidate its free lists). */
struct app_scratch {
    struct buf body;
    struct buf page;
    size_t page_size; /* the last page's size: the next page's buffer starts at it */
};

/* Larger buffers are given back after use, so one big page does not stay resident. */
#define APP_SCRATCH_KEEP (256 * 1024)

static void app_scratch_free(void *p)
{
    struct app_scratch *sc = p;
    buf_free(&sc->body);
    buf_free(&sc->page);
    free(sc);
}

/* The calling thread's buffers (created on first use; freed when the thread ends). */
static struct app_scratch *app_scratch(struct app *app)
{
    struct app_scratch *sc = pthread_getspecific(app->scratch_key);
    if (!sc) {
        sc = xcalloc(1, sizeof *sc);
        pthread_setspecific(app->scratch_key, sc);
    }
    return sc;
}

static void app_scratch_trim(struct app_scratch *sc)
{
    if (sc->body.cap > APP_SCRATCH_KEEP)
        buf_free(&sc->body);
    if (sc->page.cap > APP_SCRATCH_KEEP)
        buf_free(&sc->page);
}

/* ------------------------------------------------------------------ the citizen app */

/* A ROUTE_CORS reply: readable by a listed origin's script.  Without credentials: the
 * app sends the link token as bearer, so no cookie of this service is ever sent, or
 * needed, cross-origin. */
static void app_cors(struct app *app, const struct http_request *req, struct http_reply *rep)
{
    const char *origin = http_header(req, "Origin");
    http_reply_header(rep, "Vary", "Origin");
    if (!config_origin_listed(app->cfg->app_origins, origin))
        return;
    http_reply_header(rep, "Access-Control-Allow-Origin", origin);
    http_reply_header(rep, "Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate");
}

/* OPTIONS on a ROUTE_CORS path: 204 with Allow, and for a listed origin the preflight's
 * answer (GET with an Authorization header).  Other paths: 405 as before. */
static int app_preflight(void *ctx, struct http_request *req, unsigned allowed,
                         struct http_reply *rep)
{
    struct app *app = ctx;
    struct router_match m;
    unsigned none = 0;
    unsigned method = allowed & (~allowed + 1u); /* the lowest allowed method */
    if (router_match(app->routes, app->n_routes, (enum router_method)method, req->path, &m,
                     &none) != ROUTER_FOUND ||
        !(m.route->flags & ROUTE_CORS))
        return -1;
    char allow[96];
    router_allow_header(allowed | ROUTER_OPTIONS, allow, sizeof allow);
    http_reply_text(rep, 204, NULL, "", 0);
    http_reply_header(rep, "Allow", allow);
    const char *origin = http_header(req, "Origin");
    http_reply_header(rep, "Vary", "Origin");
    if (config_origin_listed(app->cfg->app_origins, origin)) {
        http_reply_header(rep, "Access-Control-Allow-Origin", origin);
        http_reply_header(rep, "Access-Control-Allow-Methods", "GET");
        http_reply_header(rep, "Access-Control-Allow-Headers", "Authorization");
        http_reply_header(rep, "Access-Control-Max-Age", "600");
    }
    return 0;
}

/* ------------------------------------------------------------------ init */

/* The API description (openapi.json), checked to be a JSON object, as compact text (malloc'd). */
static char *app_load_openapi(const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    char *text = NULL;
    if (!doc || !json_is_object(doc)) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, doc ? "not an object" : je.text);
        goto out;
    }
    text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!text)
        snprintf(err, errlen, "%s: out of memory", path);
out:
    json_decref(doc);
    return text;
}

int app_init(struct app *app, const struct config *cfg, char *err, size_t errlen)
{
    memset(app, 0, sizeof *app);
    app->cfg = cfg;
    pthread_mutex_init(&app->gate_lock, NULL);
    pthread_cond_init(&app->gate_cond, NULL);
    if (pthread_key_create(&app->store_key, app_store_close) != 0) {
        snprintf(err, errlen, "cannot create thread key");
        return -1;
    }
    if (pthread_key_create(&app->scratch_key, app_scratch_free) != 0) {
        pthread_key_delete(app->store_key);
        snprintf(err, errlen, "cannot create thread key");
        return -1;
    }
    if (token_init() || vault_open(cfg->key_file, &app->vault, err, errlen) ||
        signkey_open(cfg->sign_key_file, 1, &app->signkey, err, errlen))
        goto fail;
    app->templates = tmpl_set_new();
    if (tmpl_set_load_dir(app->templates, cfg->template_dir, err, errlen))
        goto fail;
    /* every language falls back to Danish for any string not translated yet */
    if (lang_list_load(&app->langs, cfg->template_dir, err, errlen))
        goto fail;
    if (lang_list_bind(&app->langs, app->templates)) {
        snprintf(err, errlen, "cannot pre-render the templates");
        goto fail;
    }
    app->strings[LANG_DA] = json_incref(lang_find(&app->langs, "da")->strings);
    app->strings[LANG_EN] = json_incref(lang_find(&app->langs, "en")->strings);
    app->openapi = app_load_openapi(cfg->openapi_file, err, errlen);
    if (!app->openapi)
        goto fail;
    app->content = content_cache_new();
    /* links that do not open, per address, counted in the database by every server */
    app->link_guard = (struct guard_limit){"link", cfg->token_misses_per_minute, 60, 60};
    app->routes = app_routes_sized(cfg, &app->n_routes);
    app->metrics = metrics_new(app->routes, app->n_routes);
    if (writer_start(config_db_target(cfg), cfg->busy_timeout_ms, cfg->batch_max,
                     cfg->batch_wait_us, &app->writer, err, errlen))
        goto fail;
    app->watch_reports = ratelimit_new(cfg->watch_reports_per_minute, 60);
    app->login_guard = staff_guard_new(cfg, app->vault);
    if (!*cfg->sso_secret_header != !*cfg->sso_secret) {
        snprintf(err, errlen, "[staff] sso_secret_header and sso_secret are set together");
        goto fail;
    }
    snprintf(app->public_url, sizeof app->public_url, "%s", cfg->public_url);
    app->secure_cookies = strncmp(cfg->public_url, "https:", 6) == 0;
    return 0;
fail:
    app_free(app);
    return -1;
}

void app_log_writer(const struct app *app)
{
    if (!app->writer)
        return;
    unsigned long long batches, items, syncs;
    writer_stats(app->writer, &batches, &items, &syncs);
    fprintf(stderr,
            "vejled: group commit: %llu answer submissions in %llu transactions, "
            "%llu syncs while the next ran\n",
            items, batches, syncs);
}

void app_free(struct app *app)
{
    if (!app)
        return;
    writer_stop(app->writer); /* commits what is queued */
    metrics_free(app->metrics);
    free(app->routes);
    /* the main thread's connection, if it used one */
    struct store *st = pthread_getspecific(app->store_key);
    if (st) {
        store_close(st);
        pthread_setspecific(app->store_key, NULL);
    }
    pthread_key_delete(app->store_key);
    struct app_scratch *sc = pthread_getspecific(app->scratch_key);
    if (sc) {
        app_scratch_free(sc);
        pthread_setspecific(app->scratch_key, NULL);
    }
    pthread_key_delete(app->scratch_key);
    vault_close(app->vault);
    signkey_close(app->signkey);
    tmpl_set_free(app->templates);
    for (int l = 0; l < LANG_COUNT; l++)
        json_decref(app->strings[l]);
    lang_list_free(&app->langs);
    content_cache_free(app->content);
    free(app->openapi);
    ratelimit_free(app->watch_reports);
    staff_guard_free(app->login_guard);
    pthread_cond_destroy(&app->gate_cond);
    pthread_mutex_destroy(&app->gate_lock);
    memset(app, 0, sizeof *app);
}

void app_publish(struct app *app, const char *public_url)
{
    pthread_mutex_lock(&app->gate_lock);
    if (public_url)
        snprintf(app->public_url, sizeof app->public_url, "%s", public_url);
    app->gate_open = 1;
    pthread_cond_broadcast(&app->gate_cond);
    pthread_mutex_unlock(&app->gate_lock);
}

/* Waits for app_publish(): a request never sees public_url while it is being written.
 * Once the gate is open a request only reads the flag (acquire: public_url as written
 * before it was set); the lock is for the wait before. */
static void app_wait_gate(struct app *app)
{
    if (atomic_load_explicit(&app->gate_open, memory_order_acquire))
        return;
    pthread_mutex_lock(&app->gate_lock);
    while (!app->gate_open)
        pthread_cond_wait(&app->gate_cond, &app->gate_lock);
    pthread_mutex_unlock(&app->gate_lock);
}

/* ------------------------------------------------------------------ replies */

/* Replies with body (stolen) dumped with flags. */
static void app_json_dumped(struct app_call *c, int status, json_t *body, size_t flags)
{
    char *text = json_dumps(body, flags);
    json_decref(body);
    if (!text) {
        http_reply_text(c->rep, 500, "text/plain; charset=utf-8", "internal error\n", 15);
        return;
    }
    http_reply_text(c->rep, status, "application/json; charset=utf-8", text, strlen(text));
    free(text);
}

void app_json(struct app_call *c, int status, json_t *body)
{
    app_json_dumped(c, status, body, JSON_COMPACT | JSON_REAL_PRECISION(15));
}

void app_json_exact(struct app_call *c, int status, json_t *body)
{
    app_json_dumped(c, status, body, JSON_COMPACT);
}

void app_api_error(struct app_call *c, int status, const char *code, const char *message,
                   const char *field)
{
    app_json(c, status ? status : errors_status(code), errors_json(code, message, field));
}

/* The page language of a call: its own, else Danish. */
static const struct lang_info *app_ui(const struct app_call *c)
{
    return c->ui ? c->ui : lang_find(&c->app->langs, "da");
}

/* The strings' title key of page: "title_" + page name, '/' as '_' (cut to the key). */
static const json_t *app_title_json(const struct lang_info *ui, const char *page)
{
    char key[96] = "title_";
    size_t at = 6;
    for (const char *p = page; *p && at < sizeof key - 1; p++)
        key[at++] = *p == '/' ? '_' : *p;
    key[at] = '\0';
    return json_object_get(ui->strings, key);
}

const char *app_page_title(const struct app_call *c, const char *page)
{
    return json_string_value(app_title_json(app_ui(c), page));
}

/* The page in the layout, the body's bytes in sc->body: the pre-rendered layout (its holes
 * by name from ctx, or by position from layout_vals) takes them as they are; the layout
 * made from scratch takes them as a string in ctx (template text and escaped values, all
 * UTF-8 already: no second check).  Replies; 0, or -1 (nothing sent). */
static int app_layout_reply(struct app *app, struct app_scratch *sc, struct http_reply *rep,
                            int status, const tmpl_pre *layout_pre,
                            const struct tmpl_val *layout_vals, json_t *ctx)
{
    buf_reset(&sc->page);
    http_buf_reuse(&sc->page); /* the last page's buffer, once sent */
    buf_reserve(&sc->page, sc->page_size);
    int bad;
    if (layout_pre) {
        bad = tmpl_pre_render_at(app->templates, layout_pre, ctx, layout_vals, "body",
                                 sc->body.data ? sc->body.data : "", sc->body.len, &sc->page);
    } else {
        json_object_set_new_nocheck(
            ctx, "body", json_stringn_nocheck(sc->body.data ? sc->body.data : "", sc->body.len));
        bad = tmpl_render(app->templates, "layout", ctx, &sc->page);
    }
    if (bad)
        return -1;
    /* the reply takes the page's buffer (libmicrohttpd frees it); the next page starts a new
     * one at this one's size */
    sc->page_size = sc->page.len < APP_SCRATCH_KEEP ? sc->page.len : APP_SCRATCH_KEEP;
    http_reply_take(rep, status, "text/html; charset=utf-8", &sc->page);
    return 0;
}

static void app_render(struct app *app, const struct lang_info *ui, const char *csrf,
                       struct http_reply *rep, int status, const char *page,
                       const tmpl_pre *pre, const tmpl_pre *layout_pre, json_t *ctx)
{
    struct app_scratch *sc = app_scratch(app);
    if (!ctx)
        ctx = json_object();
    json_object_set_nocheck(ctx, "t", ui->strings);
    /* a language code is lower-case ASCII (lang_code_ok), as the CSRF token is hex: no
     * UTF-8 check needed */
    json_object_set_new_nocheck(ctx, "lang", json_string_nocheck(ui->code));
    json_object_set_new_nocheck(ctx, "dir", json_string_nocheck(ui->rtl ? "rtl" : "ltr"));
    json_object_set_new_nocheck(ctx, "lang_da", json_boolean(strcmp(ui->code, "da") == 0));
    /* the job centre's own contact line (configured, so never an example number) */
    if (!json_object_get(ctx, "contact"))
        json_object_set_new_nocheck(ctx, "contact",
                                    json_string(app->cfg->municipality_contact));
    /* the switch: a citizen page offers its pack's languages, other pages every one (a
     * pre-rendered layout has its list already) */
    if (app->langs.n > 1 && !layout_pre)
        json_object_set_new_nocheck(ctx, "languages",
                            lang_list_json(&app->langs, ui->code,
                                           json_object_get(ctx, "pack_languages")));
    if (csrf && *csrf)
        json_object_set_new_nocheck(ctx, "csrf", json_string_nocheck(csrf));
    /* the page's <title> comes from the strings */
    json_t *title = (json_t *)app_title_json(ui, page);
    if (title && !json_object_get(ctx, "page_title"))
        json_object_set_nocheck(ctx, "page_title", title);
    buf_reset(&sc->body);
    if ((pre ? tmpl_pre_render(app->templates, pre, ctx, &sc->body)
             : tmpl_render(app->templates, page, ctx, &sc->body)) != 0) {
        fprintf(stderr, "vejled: cannot render template %s\n", page);
        http_reply_text(rep, 500, "text/plain; charset=utf-8", "internal error\n", 15);
        goto out;
    }
    if (app_layout_reply(app, sc, rep, status, layout_pre, NULL, ctx) != 0)
        http_reply_text(rep, 500, "text/plain; charset=utf-8", "internal error\n", 15);
out:
    app_scratch_trim(sc);
    json_decref(ctx);
}

void app_page_at(struct app_call *c, int status, const tmpl_pre *pre, const struct tmpl_val *vals,
                 const json_t *ctx, const tmpl_pre *layout_pre, const struct tmpl_val *layout_vals)
{
    struct app *app = c->app;
    struct app_scratch *sc = app_scratch(app);
    buf_reset(&sc->body);
    if (tmpl_pre_render_at(app->templates, pre, ctx, vals, NULL, NULL, 0, &sc->body) != 0 ||
        app_layout_reply(app, sc, c->rep, status, layout_pre, layout_vals, NULL) != 0) {
        fprintf(stderr, "vejled: cannot render a pre-rendered page\n");
        http_reply_text(c->rep, 500, "text/plain; charset=utf-8", "internal error\n", 15);
    }
    app_scratch_trim(sc);
}

const char *app_back(const struct app_call *c)
{
    /* the language switch brings the citizen back to this page */
    if (c->req && c->req->path && strncmp(c->req->path, "/borger", 7) == 0 &&
        strlen(c->req->path) <= 64)
        return c->req->path;
    return NULL;
}

void app_page(struct app_call *c, int status, const char *page, json_t *ctx)
{
    app_page_pre(c, status, page, NULL, NULL, ctx);
}

void app_page_pre(struct app_call *c, int status, const char *page, const tmpl_pre *pre,
                  const tmpl_pre *layout_pre, json_t *ctx)
{
    if (!ctx)
        ctx = json_object();
    if (c->req && c->req->match && c->req->match->route->auth >= AUTH_STAFF_LOGIN)
        json_object_set_new(ctx, "staff_page", json_true());
    if (c->user.id) {
        json_object_set_new(ctx, "staff",
                            json_pack("{s:s, s:s, s:b}", "username", c->user.username,
                                      "display_name", c->user.display_name, "admin",
                                      staff_role_from_name(c->user.role) == ROLE_ADMIN));
        /* the language switch returns to this page (a form's POST answer: to the list) */
        if (c->req && c->req->method == ROUTER_GET && c->req->path)
            json_object_set_new(ctx, "back_path", json_string(c->req->path));
    }
    const char *back = app_back(c);
    if (back && !json_object_get(ctx, "back"))
        json_object_set_new(ctx, "back", json_string(back));
    app_render(c->app, app_ui(c), c->csrf, c->rep, status, page, pre, layout_pre, ctx);
}

void app_enrol_env(struct app_call *c, struct enrol_env *env, struct jobs_policy *policy)
{
    const struct config *cfg = c->app->cfg;
    memset(env, 0, sizeof *env);
    env->st = c->st;
    env->vault = c->app->vault;
    env->cache = c->app->content;
    env->public_url = c->app->public_url;
    env->token_days = cfg->token_days;
    env->idempotency_hours = cfg->idempotency_hours;
    env->remind_days_before = cfg->remind_days_before;
    env->max_field_length = cfg->max_field_length;
    env->max_clock_skew_s = cfg->max_clock_skew_s;
    jobs_policy_from_config(cfg, policy);
    env->jobs = policy;
    env->strings = c->app->strings[LANG_DA];
    env->langs = &c->app->langs;
}

const json_t *app_strings(const struct app_call *c)
{
    return app_ui(c)->strings;
}

const char *app_text(const struct app_call *c, const char *key)
{
    const char *s = json_string_value(json_object_get(app_ui(c)->strings, key));
    return s ? s : "";
}

void app_sessionless_language(struct app_call *c, json_t *ctx)
{
    if (!c->ui && c->req) {
        c->ui = lang_find(&c->app->langs, http_query(c->req, "sprog"));
        if (!c->ui)
            c->ui = lang_from_accept(&c->app->langs, http_header(c->req, "Accept-Language"));
        if (c->ui)
            c->lang = c->ui->base;
    }
    /* the switch links "?sprog=<code>": the same address (never echoed: it may hold a
     * link's token) in another language */
    json_object_set_new(ctx, "link_switch", json_true());
}

void app_page_error(struct app_call *c, int status, const char *kind)
{
    json_t *ctx = json_pack("{s:i, s:b}", "status", status, kind, 1);
    json_object_set_new(ctx, "kind", json_string(kind));
    /* a staff route's, or an address under the staff pages that no route has */
    if (c->req && (c->req->match ? c->req->match->route->auth >= AUTH_STAFF_LOGIN
                                 : c->req->path && (!strncmp(c->req->path, "/medarbejder", 12) ||
                                                    !strncmp(c->req->path, "/admin", 6)))) {
        json_object_set_new(ctx, "staff_page", json_true());
        if (!c->user.id)
            h_staff_sessionless_language(c, ctx); /* before login: Danish or English */
        else /* signed in: the way back is the staff pages, not the login */
            json_object_set_new(ctx, "signed_in", json_true());
    }
    /* a page for the citizen: in the session's language (set by the dispatcher), else the
     * one the error page's switch asked for, else the browser's */
    if (!json_object_get(ctx, "staff_page"))
        app_sessionless_language(c, ctx);
    /* a link that expired or was replaced: the page says how a new one would reach the
     * citizen, by the channels that carry letters here (none: it promises no letter) */
    if (strcmp(kind, "link_expired") == 0) {
        if (channel_enabled(c->app->cfg->channels, "outbox"))
            json_object_set_new(ctx, "new_link_post", json_true());
        if (channel_enabled(c->app->cfg->channels, "smtp"))
            json_object_set_new(ctx, "new_link_email", json_true());
    }
    /* the title says which error, not just "error" (a staff page's own where it has one:
     * the citizen's 403 speaks of the letter's link) */
    char title_key[64];
    json_t *title = NULL;
    if (json_object_get(ctx, "staff_page")) {
        snprintf(title_key, sizeof title_key, "staff_error_title_%d", status);
        title = json_object_get(app_ui(c)->strings, title_key);
    }
    /* a kind's own title where it has one (a closed enrolment's 410: nothing to renew),
     * else its status's */
    snprintf(title_key, sizeof title_key, "error_title_%s", kind);
    if (!title)
        title = json_object_get(app_ui(c)->strings, title_key);
    snprintf(title_key, sizeof title_key, "error_title_%d", status);
    if (!title)
        title = json_object_get(app_ui(c)->strings, title_key);
    if (title)
        json_object_set(ctx, "page_title", title);
    /* the text of a general error: a citizen's mentions the answers kept, staff's not */
    json_t *generic = json_object_get(app_ui(c)->strings, json_object_get(ctx, "staff_page")
                                                              ? "staff_err_generic"
                                                              : "error_generic");
    if (generic)
        json_object_set(ctx, "generic", generic);
    app_render(c->app, app_ui(c), NULL, c->rep, status, "error", NULL, NULL, ctx);
}

void app_reply_full(struct app_call *c, bool api)
{
    http_reply_header(c->rep, "Retry-After", HTTP_RETRY_AFTER_FULL);
    if (api)
        app_api_error(c, 503, "storage_full", NULL, NULL);
    else
        app_page_error(c, 503, "unavailable");
}

bool app_back_ok(const char *back, const char *const prefixes[], size_t max)
{
    size_t n = back ? strlen(back) : 0;
    if (n == 0 || n > max || strstr(back, "//") || strchr(back, '\\'))
        return false;
    for (const char *p = back; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return false;
    for (size_t i = 0; prefixes[i]; i++)
        if (strncmp(back, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ dispatch */

/* "scheme://host[:port]" of a URL, for comparing with an Origin header. */
static size_t app_origin_len(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return 0;
    p += 3;
    return (size_t)(p - url) + strcspn(p, "/");
}

/* A state-changing browser request must prove where it comes from: an Origin of this
 * service, or Sec-Fetch-Site: same-origin.  With neither (no Origin at all, or "null") it
 * is refused.  The pages' Referrer-Policy is same-origin, under which a browser sends this
 * service's own origin on a form POST of its own (under no-referrer it would send "null",
 * and a browser without Sec-Fetch-Site, such as Safari before 16.4, would be refused). */
static int app_origin_ok(struct app_call *c)
{
    const char *origin = http_header(c->req, "Origin");
    if (!origin || strcmp(origin, "null") == 0) {
        /* "null" is what a browser sends on a form POST from a page with Referrer-Policy:
         * no-referrer (a page saved under an older policy, or a user's own setting).
         * Sec-Fetch-Site, which the policy does not touch, still tells a same-origin form
         * from a foreign one (a sandboxed frame also sends "null"). */
        const char *site = http_header(c->req, "Sec-Fetch-Site");
        return site && strcmp(site, "same-origin") == 0;
    }
    size_t n = app_origin_len(c->app->public_url);
    if (strlen(origin) == n && strncmp(origin, c->app->public_url, n) == 0)
        return 1;
    /* same host as requested (e.g. tests on a loopback port) */
    const char *host = http_header(c->req, "Host");
    const char *o = strstr(origin, "://");
    return host && o && strcmp(o + 3, host) == 0;
}

static void app_session_csrf(const char *session, char out[TOKEN_HASH_HEX_LEN + 1])
{
    char material[TOKEN_LEN + 8];
    size_t n = strlen(session);
    if (n > TOKEN_LEN)
        n = TOKEN_LEN; /* a well-formed session (progress_session checked it) */
    memcpy(material, "csrf:", 5);
    memcpy(material + 5, session, n);
    token_hash_recent(material, 5 + n, out);
}

static int app_auth_api(struct app_call *c)
{
    const char *h = http_header(c->req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return -1;
    const char *key = h + 7;
    while (*key == ' ')
        key++;
    if (strlen(key) > 128 || !*key)
        return -1;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash(key, strlen(key), hash);
    return store_apikey_find(c->st, hash, &c->api_key_id) == STORE_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ metrics */

/* The only route of the metrics listener ([metrics] listen). */
static const struct route app_metrics_routes[] = {
    {ROUTER_GET, "/metrics", (void *)h_ops_metrics, AUTH_METRICS, BODY_NONE, 0, ROUTE_API},
};

static int app_is_loopback(const char *ip)
{
    return ip && (strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
                  strncmp(ip, "::ffff:127.", 11) == 0);
}

/* GET /metrics.  With [metrics] listen it is served only there (404 on the main
 * listener).  With [metrics] token: that bearer token (constant time), on either.
 * Without a token, on the metrics listener: anyone who reaches that address; on the main
 * listener: only a direct loopback client, i.e. the connection's peer is a loopback address
 * and the request did not pass a proxy (no X-Forwarded-For or Forwarded header: a reverse
 * proxy on the same host would otherwise make every client look local).  0, or -1 having
 * replied. */
static int app_auth_metrics(struct app_call *c)
{
    const char *token = c->app->cfg->metrics_token;
    int own = c->req->match->route == &app_metrics_routes[0]; /* the metrics listener */
    if (*c->app->cfg->metrics_listen && !own) {
        app_api_error(c, 404, "not_found", NULL, NULL); /* served on its own address */
        return -1;
    }
    if (!*token) {
        if (own || (app_is_loopback(c->req->peer_ip) && !http_header(c->req, "X-Forwarded-For") &&
                    !http_header(c->req, "Forwarded")))
            return 0;
        app_api_error(c, 403, "forbidden", "GET /metrics needs [metrics] token from here.", NULL);
        return -1;
    }
    const char *h = http_header(c->req, "Authorization");
    size_t n = strlen(token);
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        h += 7;
        while (*h == ' ')
            h++;
        if (strlen(h) == n && sodium_memcmp(h, token, n) == 0)
            return 0;
    }
    app_api_error(c, 401, "unauthorized", "GET /metrics needs the [metrics] token as bearer.",
                  NULL);
    http_reply_header(c->rep, "WWW-Authenticate", "Bearer realm=\"vejled-metrics\"");
    return -1;
}

/* ------------------------------------------------------------------ staff */

static int app_from_proxy(const struct app_call *c)
{
    const char *proxy = c->app->cfg->trusted_proxy;
    return *proxy && c->req->peer_ip && strcmp(c->req->peer_ip, proxy) == 0;
}

const char *app_cookie_secure(const struct app_call *c)
{
    if (c->app->secure_cookies)
        return "; Secure";
    const char *proto = http_header(c->req, "X-Forwarded-Proto");
    if (app_from_proxy(c) && proto && strcasecmp(proto, "https") == 0)
        return "; Secure";
    return "";
}

void app_staff_cookie(struct app_call *c, const char *value, unsigned max_age)
{
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%u; HttpOnly; SameSite=Lax%s",
             APP_STAFF_COOKIE, value, max_age, app_cookie_secure(c));
    http_reply_header(c->rep, "Set-Cookie", cookie);
}

/* Single sign-on: the trusted proxy names an existing, enabled user in the configured
 * header; a session is started for them.  0 or -1. */
/* The user the proxy names in the single sign-on header, when single sign-on is configured
 * and the request comes from the proxy (with its secret, when one is set); else NULL. */
static const char *app_sso_name(struct app_call *c)
{
    const struct config *cfg = c->app->cfg;
    if (!*cfg->sso_header || !app_from_proxy(c))
        return NULL;
    if (*cfg->sso_secret_header) {
        /* the proxy proves itself with the shared secret (constant time) */
        const char *secret = http_header(c->req, cfg->sso_secret_header);
        size_t n = strlen(cfg->sso_secret);
        if (!secret || strlen(secret) != n || sodium_memcmp(secret, cfg->sso_secret, n) != 0)
            return NULL;
    }
    return http_header(c->req, cfg->sso_header);
}

static int app_staff_sso(struct app_call *c)
{
    const struct config *cfg = c->app->cfg;
    const char *name = app_sso_name(c);
    if (!name || staff_check_username(name))
        return -1;
    if (store_user_by_name(c->st, name, &c->user) != STORE_OK || c->user.disabled) {
        memset(&c->user, 0, sizeof c->user);
        return -1;
    }
    memset(c->user.password_hash, 0, sizeof c->user.password_hash);
    if (staff_session_start(c->st, cfg, c->user.id, clock_now(), c->session) != 0) {
        memset(&c->user, 0, sizeof c->user);
        return -1;
    }
    app_staff_cookie(c, c->session, cfg->staff_session_hours * 3600);
    return 0;
}

/* The pre-login token: the login form's CSRF token is derived from it. */
static void app_staff_login_token(struct app_call *c)
{
    const char *t = http_cookie(c->req, APP_LOGIN_COOKIE);
    if (t && token_is_well_formed(t)) {
        snprintf(c->session, sizeof c->session, "%s", t);
        return;
    }
    if (c->req->method == ROUTER_POST)
        return; /* no token: the form check below refuses */
    char cookie[160];
    token_new(c->session);
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/medarbejder; Max-Age=3600; HttpOnly;"
             " SameSite=Lax%s", APP_LOGIN_COOKIE, c->session, app_cookie_secure(c));
    http_reply_header(c->rep, "Set-Cookie", cookie);
}

/* Parses a staff form (urlencoded or multipart) and checks its CSRF token.  0, or -1
 * having replied. */
static int app_staff_form(struct app_call *c)
{
    const struct config *cfg = c->app->cfg;
    const struct route *r = c->req->match->route;
    int ok = 0;
    if (r->body == BODY_FORM) {
        /* fields are as long as the body allows; handlers check each field's own limit
         * and answer with an error summary */
        if (form_parse(c->req->body, c->req->body_len, app_form_fields(r, cfg),
                       c->req->body_len + 1, &c->form) != FORM_OK) {
            app_page_error(c, 400, "bad_request");
            return -1;
        }
        const char *sent = form_get(&c->form, "csrf");
        ok = sent && *c->csrf && token_equal(sent, c->csrf);
    } else if (r->body == BODY_UPLOAD) {
        char boundary[80];
        if (multipart_boundary(http_header(c->req, "Content-Type"), boundary, sizeof boundary) ||
            multipart_parse(c->req->body, c->req->body_len, boundary, cfg->max_form_fields,
                            &c->upload)) {
            app_page_error(c, 400, "bad_request");
            return -1;
        }
        /* the text fields are read like any form's (c->form); the files stay in c->upload */
        for (size_t i = 0; i < c->upload.n; i++) {
            const struct multipart_part *t = &c->upload.parts[i];
            if (!t->filename[0] && form_add(&c->form, t->name, t->data, t->len) != FORM_OK) {
                app_page_error(c, 400, "bad_request");
                return -1;
            }
        }
        const struct multipart_part *p = multipart_get(&c->upload, "csrf");
        ok = p && !p->filename[0] && *c->csrf && p->len == TOKEN_HASH_HEX_LEN &&
             sodium_memcmp(p->data, c->csrf, TOKEN_HASH_HEX_LEN) == 0;
    }
    if (!ok) {
        app_page_error(c, 403, "csrf_failed");
        return -1;
    }
    return 0;
}

/* Authenticates a staff route; 0 to go on, or -1 having replied. */
static int app_auth_staff(struct app_call *c)
{
    const struct route *r = c->req->match->route;
    const struct config *cfg = c->app->cfg;
    if (r->auth == AUTH_STAFF_LOGIN) {
        app_staff_login_token(c);
        if (*c->session)
            staff_csrf(c->session, c->csrf);
    } else {
        const char *cookie = http_cookie(c->req, APP_STAFF_COOKIE);
        int live = staff_session_user(c->st, cfg, cookie, clock_now(), &c->user,
                                      c->app->writer) == 0;
        /* the proxy names someone else (the next person at a shared computer, signed in
         * at the identity provider): the old session ends, the named user's begins */
        const char *sso = live ? app_sso_name(c) : NULL;
        if (sso && strcmp(sso, c->user.username) != 0) {
            staff_session_end(c->st, cookie);
            live = 0;
        }
        if (live) {
            snprintf(c->session, sizeof c->session, "%s", cookie);
            /* the session's chosen language, for the strings and for the page's lang */
            c->lang = model_lang_from_code(c->user.lang);
            c->ui = lang_find(&c->app->langs, c->user.lang);
        } else if (app_staff_sso(c) != 0) {
            memset(&c->user, 0, sizeof c->user);
            if (c->req->method == ROUTER_GET || c->req->method == ROUTER_HEAD) {
                http_reply_redirect(c->rep, 303, "/medarbejder/login");
            } else {
                app_page_error(c, 403, "staff_session");
            }
            return -1;
        }
        staff_csrf(c->session, c->csrf);
        if (r->auth == AUTH_STAFF_ADMIN && staff_role_from_name(c->user.role) != ROLE_ADMIN) {
            app_page_error(c, 403, "staff_forbidden");
            return -1;
        }
    }
    if (c->req->method != ROUTER_GET && c->req->method != ROUTER_HEAD) {
        if (!app_origin_ok(c)) {
            app_page_error(c, 403, "csrf_failed");
            return -1;
        }
        if (app_staff_form(c))
            return -1;
    }
    return 0;
}

/* The link's session came back: the citizen (not a link scanner) opened the link.  The
 * write runs with the process's allocator, out of the page's snapshot and arena (reading).
 * 0, 1 when the enrolment was closed meanwhile (nothing recorded), or -1. */
static int app_session_first_use(struct app_call *c, const char *session, int reading)
{
    if (reading) {
        jsonmem_end();
        store_read_end(c->st);
    }
    int used = progress_session_used(c->st, session, &c->enrolment, clock_now());
    if (reading) {
        store_read_begin(c->st);
        jsonmem_begin();
    }
    return used;
}

/* AUTH_CITIZEN_APP: the citizen's link token as bearer (the app's way: reading with it
 * is not opening the link, and an unknown, expired or closed one counts against the same
 * limit as an unknown link; a closed one's enrolment, with no newer link, is 410), else the
 * session cookie (its first use opens the link, as on the
 * pages).  Sets c->enrolment and the language.  0, or -1 having replied. */
static int app_auth_citizen_app(struct app_call *c, int reading)
{
    struct app *app = c->app;
    const char *h = http_header(c->req, "Authorization");
    const char *ip = c->req->client_ip;
    int64_t now = clock_now();
    if (h) {
        if (guard_blocked(c->st, app->vault, &app->link_guard, ip, now)) {
            app_api_error(c, 429, "too_many_requests", NULL, NULL);
            http_reply_header(c->rep, "Retry-After", "60");
            return -1;
        }
        const char *token = NULL;
        if (strncasecmp(h, "Bearer ", 7) == 0)
            token = h + 7 + strspn(h + 7, " ");
        enum progress_link r = token ? progress_open_link(c->st, token, now, 0, NULL,
                                                          &c->enrolment)
                                     : LINK_UNKNOWN;
        if (r == LINK_ERROR) {
            app_api_error(c, 500, "internal", NULL, NULL);
            return -1;
        }
        if (r != LINK_OK) {
            guard_hit(c->st, app->vault, &app->link_guard, ip, now);
            if (r != LINK_CLOSED)
                goto refuse;
            /* the guidance ended (no newer link): the app says so rather than that the
             * citizen must sign in or ask for a new link, as the link's page does */
            memset(&c->enrolment, 0, sizeof c->enrolment);
            app_api_error(c, 410, "enrolment_closed",
                          "The citizen's enrolment has been closed: there is nothing more to "
                          "do here.",
                          NULL);
            return -1;
        }
    } else {
        const char *session = http_cookie(c->req, APP_CITIZEN_COOKIE);
        bool first = false;
        if (progress_session(c->st, session, now, &c->enrolment, &first) != 0)
            goto refuse;
        /* once opened, read again: the reply tells what the citizen did, this included */
        if (first && (app_session_first_use(c, session, reading) != 0 ||
                      progress_session(c->st, session, now, &c->enrolment, &first) != 0)) {
            app_api_error(c, 500, "internal", NULL, NULL);
            return -1;
        }
    }
    c->ui = lang_find(&app->langs, c->enrolment.language);
    c->lang = c->ui ? c->ui->base : LANG_DA;
    return 0;
refuse:
    memset(&c->enrolment, 0, sizeof c->enrolment);
    app_api_error(c, 401, "unauthorized",
                  "The citizen's link token is required: Authorization: Bearer <token>.", NULL);
    http_reply_header(c->rep, "WWW-Authenticate", "Bearer realm=\"vejled-citizen\"");
    return -1;
}

/* A call for req once the start gate is open: *c zeroed and filled (Danish until the
 * caller knows better, this thread's database).  0, or -1 after replying 503 when the
 * database cannot be had. */
static int app_call_begin(struct app *app, struct http_request *req, struct http_reply *rep,
                          struct app_call *c)
{
    app_wait_gate(app);
    memset(c, 0, sizeof *c);
    c->app = app;
    c->req = req;
    c->rep = rep;
    c->lang = LANG_DA;
    c->st = app_store(app);
    if (c->st)
        return 0;
    if (req->match->route->flags & ROUTE_API)
        app_api_error(c, 503, "unavailable", NULL, NULL);
    else
        app_page_error(c, 503, "unavailable");
    return -1;
}

/* Before a reply leaves: what it may show must be on disk (writer.h, "What others see
 * before it is durable").  A citizen's page shows that citizen's enrolment only, so it
 * waits only for writes about it (the same citizen answering in another tab), never for
 * other citizens' batches; the pages and answers for staff and the case system wait for
 * every write in flight.  Public pages, files, /healthz and /metrics show none. */
static void app_wait_durable(const struct app_call *c, const struct route *r)
{
    if (c->deferred || r->auth == AUTH_METRICS || (r->flags & ROUTE_STATIC) ||
        (r->auth == AUTH_NONE && !(r->flags & ROUTE_CITIZEN)))
        return;
    if (r->flags & ROUTE_CITIZEN || r->auth == AUTH_CITIZEN_APP) {
        if (c->enrolment.id > 0)
            writer_wait_visible(c->app->writer, c->enrolment.id);
        return;
    }
    writer_wait_visible(c->app->writer, WRITER_ANY);
}

static void app_dispatch(void *ctx, struct http_request *req, struct http_reply *rep)
{
    struct app *app = ctx;
    const struct route *r = req->match->route;
    struct app_call c;
#ifdef VEJLED_TESTING
    uint64_t statements = store_thread_statements_count();
#endif
    if (app_call_begin(app, req, rep, &c) != 0)
        return;
    int reading = (r->flags & ROUTE_READ_SNAPSHOT) &&
                  (req->method == ROUTER_GET || req->method == ROUTER_HEAD);
    if (reading) {
        store_read_begin(c.st); /* ended below, or by the handler before it writes */
        jsonmem_begin();        /* the page's JSON lives in this thread's arena until out: */
    }
    if (r->auth == AUTH_API_KEY && app_auth_api(&c) != 0) {
        app_api_error(&c, 401, "unauthorized", NULL, NULL);
        http_reply_header(rep, "WWW-Authenticate", "Bearer realm=\"vejled\"");
        goto out;
    }
    if (r->auth == AUTH_METRICS && app_auth_metrics(&c) != 0)
        goto out;
    if (r->flags & ROUTE_CORS)
        app_cors(app, req, rep);
    if (r->auth == AUTH_CITIZEN_APP && app_auth_citizen_app(&c, reading) != 0)
        goto out;
    if (r->auth == AUTH_CITIZEN) {
        const char *session = http_cookie(req, APP_CITIZEN_COOKIE);
        bool first = false;
        if (progress_session(c.st, session, clock_now(), &c.enrolment, &first) != 0) {
            app_page_error(&c, 403, "session_required");
            goto out;
        }
        c.ui = lang_find(&app->langs, c.enrolment.language);
        c.lang = c.ui ? c.ui->base : LANG_DA;
        /* the form's csrf field is checked by the handler's form parse; here the Origin
         * (or Sec-Fetch-Site), which browsers send on every state-changing request.  Before
         * the session's first use is recorded: a refused request records nothing, not even
         * that the link was opened. */
        if (req->method != ROUTER_GET && req->method != ROUTER_HEAD && !app_origin_ok(&c)) {
            app_page_error(&c, 403, "forbidden");
            goto out;
        }
        int used = first ? app_session_first_use(&c, session, reading) : 0;
        if (used != 0) { /* 1: the enrolment was closed meanwhile, as if before */
            app_page_error(&c, used > 0 ? 403 : 500, used > 0 ? "session_required" : "internal");
            goto out;
        }
        app_session_csrf(session, c.csrf);
    }
    if (r->auth >= AUTH_STAFF_LOGIN && app_auth_staff(&c) != 0)
        goto out;
    ((app_handler)r->handler)(&c);
out:
    if (reading)
        jsonmem_end(); /* the page is rendered into rep (malloc'd): no JSON outlives this */
    store_read_end(c.st);
#ifdef VEJLED_TESTING
    if (!c.deferred) { /* the statements this request ran on its thread (tests) */
        char n[24];
        snprintf(n, sizeof n, "%llu",
                 (unsigned long long)(store_thread_statements_count() - statements));
        http_reply_header(rep, "X-Vejled-Test-Statements", n);
    }
#endif
    app_wait_durable(&c, r);
    form_free(&c.form);
    multipart_free(&c.upload);
    memset(c.session, 0, sizeof c.session);
    if (!rep->status && !c.deferred) {
        fprintf(stderr, "vejled: handler for %s set no status\n", r->pattern);
        rep->status = 500;
    }
}

/* Checks what can be checked on the headers alone (the route's authentication, the role,
 * the Origin) before a body is read, so that an unauthorised upload is refused having cost
 * its headers.  The dispatcher checks it all again with the body; the form token needs the
 * body and is checked there only.  0 to read the body, or -1 having replied. */
static int app_admit(void *ctx, struct http_request *req, struct http_reply *rep)
{
    struct app *app = ctx;
    const struct route *r = req->match->route;
    const struct config *cfg = app->cfg;
    struct app_call c;
    int rc = -1;
    if (r->auth == AUTH_NONE || r->auth == AUTH_STAFF_LOGIN)
        return 0;
    if (app_call_begin(app, req, rep, &c) != 0)
        return -1;
    if (r->auth == AUTH_API_KEY) {
        if (app_auth_api(&c) != 0) {
            app_api_error(&c, 401, "unauthorized", NULL, NULL);
            http_reply_header(rep, "WWW-Authenticate", "Bearer realm=\"vejled\"");
            goto out;
        }
    } else if (r->auth == AUTH_CITIZEN) {
        bool first; /* the dispatch marks the session's first use, not this check */
        if (progress_session(c.st, http_cookie(req, APP_CITIZEN_COOKIE), clock_now(),
                             &c.enrolment, &first) != 0) {
            app_page_error(&c, 403, "session_required");
            goto out;
        }
        c.lang = model_lang_from_code(c.enrolment.language);
        if (req->method != ROUTER_GET && req->method != ROUTER_HEAD && !app_origin_ok(&c)) {
            app_page_error(&c, 403, "forbidden");
            goto out;
        }
    } else if (r->auth == AUTH_STAFF_CASEWORKER || r->auth == AUTH_STAFF_ADMIN) {
        const char *cookie = http_cookie(req, APP_STAFF_COOKIE);
        if (staff_session_user(c.st, cfg, cookie, clock_now(), &c.user, NULL) == 0) {
            if (r->auth == AUTH_STAFF_ADMIN &&
                staff_role_from_name(c.user.role) != ROLE_ADMIN) {
                app_page_error(&c, 403, "staff_forbidden");
                goto out;
            }
        } else if (!*cfg->sso_header || !app_from_proxy(&c) ||
                   !http_header(req, cfg->sso_header)) {
            /* no session, and no single sign-on that could start one */
            app_page_error(&c, 403, "staff_session");
            goto out;
        }
        if (!app_origin_ok(&c)) {
            app_page_error(&c, 403, "csrf_failed");
            goto out;
        }
    }
    rc = 0;
out:
    memset(&c.user, 0, sizeof c.user);
    return rc;
}

/* ------------------------------------------------------------------ deferred writes */

/* A write waiting for its group commit, from app_write_later to its reply. */
struct app_later {
    struct app *app;
    enum lang lang;
    char csrf[TOKEN_HASH_HEX_LEN + 1];
    store_txn_fn fn;
    void *arg;
    app_written_fn done;
    void (*free_arg)(void *arg);
    enum store_status result;
    struct http_deferred *deferred;
};

/* On the writer's thread: the batch is durable (or failed); wake the request. */
static void app_later_committed(void *p, enum store_status result)
{
    struct app_later *l = p;
    l->result = result;
    http_deferred_done(l->deferred);
}

/* On a server thread: the reply (req and rep NULL: the request is gone; only free). */
static void app_later_finish(void *p, struct http_request *req, struct http_reply *rep)
{
    struct app_later *l = p;
    if (req && rep) {
        struct app_call c;
        memset(&c, 0, sizeof c);
        c.app = l->app;
        c.req = req;
        c.rep = rep;
        c.lang = l->lang;
        memcpy(c.csrf, l->csrf, sizeof c.csrf);
        l->done(&c, l->result, l->arg);
        if (!rep->status)
            rep->status = 500;
    }
    if (l->free_arg)
        l->free_arg(l->arg);
    free(l);
}

void app_write_later(struct app_call *c, int64_t key, store_txn_fn fn, void *arg,
                     app_written_fn done, void (*free_arg)(void *arg))
{
    struct app_later *l = calloc(1, sizeof *l);
    if (!l) {
        if (free_arg)
            free_arg(arg);
        app_page_error(c, 503, "unavailable");
        return;
    }
    l->app = c->app;
    l->lang = c->lang;
    memcpy(l->csrf, c->csrf, sizeof l->csrf);
    l->fn = fn;
    l->arg = arg;
    l->done = done;
    l->free_arg = free_arg;
    l->result = STORE_ERROR;
    l->deferred = http_defer(c->req, app_later_finish, l);
    c->deferred = 1;
    if (writer_submit(c->app->writer, key, fn, arg, app_later_committed, l) != 0)
        app_later_committed(l, STORE_ERROR); /* answered at once, as a failure */
}

static void app_error(void *ctx, const struct http_request *req, int api, int status,
                      const char *code, struct http_reply *rep)
{
    struct app_call c;
    memset(&c, 0, sizeof c);
    c.app = ctx;
    c.req = (struct http_request *)req;
    c.rep = rep;
    c.lang = LANG_DA;
    /* a citizen with a session gets a page that does not exist (404, 405) in the
     * session's language; other errors (busy, too large, …) never cost a database read */
    const char *session = api || (status != 404 && status != 405)
                              ? NULL
                              : http_cookie(req, APP_CITIZEN_COOKIE);
    struct store *st = session ? app_store(c.app) : NULL;
    bool first = false;
    if (st && progress_session(st, session, clock_now(), &c.enrolment, &first) == 0) {
        c.ui = lang_find(&c.app->langs, c.enrolment.language);
        c.lang = c.ui ? c.ui->base : LANG_DA;
    }
    if (api)
        app_api_error(&c, status, code, NULL, NULL);
    else
        app_page_error(&c, status, code);
}

static void app_observe(void *ctx, const struct route *route, int status, double ms)
{
    struct app *app = ctx;
    metrics_observe(app->metrics, route, status, ms);
}

void app_http_hooks(struct app *app, struct http_hooks *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = app;
    out->routes = app->routes;
    out->n_routes = app->n_routes;
    out->dispatch = app_dispatch;
    out->admit = app_admit;
    out->preflight = app_preflight;
    out->error = app_error;
    out->observe = app_observe;
}

void app_metrics_hooks(struct app *app, struct http_hooks *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = app;
    out->routes = app_metrics_routes;
    out->n_routes = sizeof app_metrics_routes / sizeof app_metrics_routes[0];
    out->dispatch = app_dispatch;
    out->error = app_error;
    out->observe = NULL; /* scrapes are not counted as requests */
}
