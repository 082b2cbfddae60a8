#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "errors.h"
#include "handlers.h"
#include "mem.h"
#include "progress.h"

#define KB *1024

/* The route table: every URL the service answers. */
static const struct route app_routes[] = {
    /* case-system API (CONTRACT §3) */
    {ROUTER_POST, "/api/v1/enrolments", (void *)h_api_enrol, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/enrolments/{id}", (void *)h_api_enrolment, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_POST, "/api/v1/enrolments/{id}/meeting", (void *)h_api_meeting, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_PUT, "/api/v1/citizens/{id}/target-group", (void *)h_api_target_group, AUTH_API_KEY, BODY_JSON, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/citizens/{id}/journal", (void *)h_api_journal, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/api/v1/stats", (void *)h_api_stats, AUTH_API_KEY, BODY_NONE, 0, ROUTE_API},
    {ROUTER_GET, "/healthz", (void *)h_api_health, AUTH_NONE, BODY_NONE, 0, ROUTE_API},
    /* the implementation dashboard and its CSV extract */
    {ROUTER_GET, "/admin/statistik", (void *)h_stats_page, AUTH_NONE /* lead: AUTH_STAFF_ADMIN when merged */, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/statistik.csv", (void *)h_stats_csv, AUTH_NONE /* lead: AUTH_STAFF_ADMIN when merged */, BODY_NONE, 0, 0},
    {ROUTER_GET, "/admin/statistik/spoergsmaal/{id}", (void *)h_stats_question, AUTH_NONE /* lead: AUTH_STAFF_ADMIN when merged */, BODY_NONE, 0, 0},
    /* citizen pages (CONTRACT §4) */
    {ROUTER_GET, "/", (void *)h_citizen_home, AUTH_NONE, BODY_NONE, 0, 0},
    {ROUTER_GET, "/v/{token}", (void *)h_citizen_link, AUTH_NONE, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger", (void *)h_citizen_overview, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/video/{n}", (void *)h_citizen_video, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_POST, "/borger/video/{n}", (void *)h_citizen_answer, AUTH_CITIZEN, BODY_FORM, 0, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/video/{n}/svar", (void *)h_citizen_feedback, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_POST, "/borger/video/{n}/set", (void *)h_citizen_finished, AUTH_CITIZEN, BODY_FORM, 1 KB, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/video/{n}/tekst/{lang}", (void *)h_citizen_captions, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_GET | ROUTER_POST, "/borger/fravalg", (void *)h_citizen_decline, AUTH_CITIZEN, BODY_FORM, 1 KB, ROUTE_CITIZEN},
    {ROUTER_GET, "/borger/kvittering", (void *)h_citizen_receipt, AUTH_CITIZEN, BODY_NONE, 0, ROUTE_CITIZEN},
    {ROUTER_POST, "/borger/sprog", (void *)h_citizen_language, AUTH_CITIZEN, BODY_FORM, 1 KB, ROUTE_CITIZEN},
    /* files */
    {ROUTER_GET, "/static/*", (void *)h_static_file, AUTH_NONE, BODY_NONE, 0, ROUTE_STATIC},
    {ROUTER_GET, "/media/*", (void *)h_static_media, AUTH_NONE, BODY_NONE, 0, ROUTE_STATIC},
};

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
    if (store_open(app->cfg->db_path, app->cfg->busy_timeout_ms, &st, err, sizeof err)) {
        fprintf(stderr, "vejled: %s\n", err);
        return NULL;
    }
    pthread_setspecific(app->store_key, st);
    return st;
}

/* ------------------------------------------------------------------ init */

static json_t *app_load_strings(const char *dir, const char *code, char *err, size_t errlen)
{
    char path[CONFIG_PATH_MAX + 32];
    json_error_t je;
    snprintf(path, sizeof path, "%s/lang/%s.json", dir, code);
    json_t *s = json_load_file(path, 0, &je);
    if (!s || !json_is_object(s)) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, s ? "not an object" : je.text);
        json_decref(s);
        return NULL;
    }
    return s;
}

int app_init(struct app *app, const struct config *cfg, char *err, size_t errlen)
{
    memset(app, 0, sizeof *app);
    app->cfg = cfg;
    if (pthread_key_create(&app->store_key, app_store_close) != 0) {
        snprintf(err, errlen, "cannot create thread key");
        return -1;
    }
    if (token_init() || vault_open(cfg->key_file, &app->vault, err, errlen))
        goto fail;
    app->templates = tmpl_set_new();
    if (tmpl_set_load_dir(app->templates, cfg->template_dir, err, errlen))
        goto fail;
    json_t *da = app_load_strings(cfg->template_dir, "da", err, errlen);
    if (!da)
        goto fail;
    app->strings[LANG_DA] = da;
    json_t *en = app_load_strings(cfg->template_dir, "en", err, errlen);
    if (!en)
        goto fail;
    /* English falls back to Danish for any string not translated yet */
    app->strings[LANG_EN] = json_deep_copy(da);
    json_object_update(app->strings[LANG_EN], en);
    json_decref(en);
    app->content = content_cache_new();
    app->link_misses = ratelimit_new(cfg->token_misses_per_minute);
    snprintf(app->public_url, sizeof app->public_url, "%s", cfg->public_url);
    app->secure_cookies = strncmp(cfg->public_url, "https:", 6) == 0;
    return 0;
fail:
    app_free(app);
    return -1;
}

void app_free(struct app *app)
{
    if (!app)
        return;
    /* the main thread's connection, if it used one */
    struct store *st = pthread_getspecific(app->store_key);
    if (st) {
        store_close(st);
        pthread_setspecific(app->store_key, NULL);
    }
    pthread_key_delete(app->store_key);
    vault_close(app->vault);
    tmpl_set_free(app->templates);
    for (int l = 0; l < LANG_COUNT; l++)
        json_decref(app->strings[l]);
    content_cache_free(app->content);
    ratelimit_free(app->link_misses);
    memset(app, 0, sizeof *app);
}

/* ------------------------------------------------------------------ replies */

void app_json(struct app_call *c, int status, json_t *body)
{
    /* 15 significant digits: 0.9 prints as 0.9, not 0.90000000000000002 */
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(body);
    if (!text) {
        http_reply_text(c->rep, 500, "text/plain; charset=utf-8", "internal error\n", 15);
        return;
    }
    http_reply_text(c->rep, status, "application/json; charset=utf-8", text, strlen(text));
    free(text);
}

void app_api_error(struct app_call *c, int status, const char *code, const char *message,
                   const char *field)
{
    app_json(c, status ? status : errors_status(code), errors_json(code, message, field));
}

static void app_render(struct app *app, enum lang lang, const char *csrf, struct http_reply *rep,
                       int status, const char *page, json_t *ctx)
{
    struct buf body = {0};
    if (!ctx)
        ctx = json_object();
    json_object_set(ctx, "t", app->strings[lang]);
    json_object_set_new(ctx, "lang", json_string(model_lang_code(lang)));
    json_object_set_new(ctx, "lang_da", json_boolean(lang == LANG_DA));
    if (csrf && *csrf)
        json_object_set_new(ctx, "csrf", json_string(csrf));
    /* the page's <title> comes from the strings: "title_" + page name, '/' as '_' */
    char key[96];
    snprintf(key, sizeof key, "title_%s", page);
    for (char *p = key; *p; p++)
        if (*p == '/')
            *p = '_';
    json_t *title = json_object_get(app->strings[lang], key);
    if (title && !json_object_get(ctx, "page_title"))
        json_object_set(ctx, "page_title", title);
    if (tmpl_render(app->templates, page, ctx, &body) != 0) {
        fprintf(stderr, "vejled: cannot render template %s\n", page);
        http_reply_text(rep, 500, "text/plain; charset=utf-8", "internal error\n", 15);
        goto out;
    }
    json_object_set_new(ctx, "body", json_string(body.data ? body.data : ""));
    buf_reset(&rep->body);
    if (tmpl_render(app->templates, "layout", ctx, &rep->body) != 0) {
        http_reply_text(rep, 500, "text/plain; charset=utf-8", "internal error\n", 15);
        goto out;
    }
    rep->status = status;
    rep->content_type = "text/html; charset=utf-8";
out:
    buf_free(&body);
    json_decref(ctx);
}

void app_page(struct app_call *c, int status, const char *page, json_t *ctx)
{
    app_render(c->app, c->lang, c->csrf, c->rep, status, page, ctx);
}

void app_page_error(struct app_call *c, int status, const char *kind)
{
    json_t *ctx = json_pack("{s:i, s:b}", "status", status, kind, 1);
    json_object_set_new(ctx, "kind", json_string(kind));
    app_render(c->app, c->lang, NULL, c->rep, status, "error", ctx);
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

static int app_origin_ok(struct app_call *c)
{
    const char *origin = http_header(c->req, "Origin");
    if (!origin)
        return 1; /* old browsers send none; the CSRF token still protects */
    if (strcmp(origin, "null") == 0) {
        /* what Chromium sends on a form POST from a page with Referrer-Policy: no-referrer
         * (every page here).  Sec-Fetch-Site, which the policy does not touch, still tells
         * a same-origin form from a foreign one (a sandboxed frame also sends "null"). */
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
    snprintf(material, sizeof material, "csrf:%s", session);
    token_hash(material, strlen(material), out);
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

static void app_dispatch(void *ctx, struct http_request *req, struct http_reply *rep)
{
    struct app *app = ctx;
    const struct route *r = req->match->route;
    struct app_call c;
    memset(&c, 0, sizeof c);
    c.app = app;
    c.req = req;
    c.rep = rep;
    c.lang = LANG_DA;
    c.st = app_store(app);
    if (!c.st) {
        if (r->flags & ROUTE_API)
            app_api_error(&c, 503, "unavailable", NULL, NULL);
        else
            app_page_error(&c, 503, "unavailable");
        return;
    }
    if (r->auth == AUTH_API_KEY && app_auth_api(&c) != 0) {
        app_api_error(&c, 401, "unauthorized", NULL, NULL);
        http_reply_header(rep, "WWW-Authenticate", "Bearer realm=\"vejled\"");
        return;
    }
    if (r->auth == AUTH_CITIZEN) {
        const char *session = http_cookie(req, APP_CITIZEN_COOKIE);
        if (progress_session(c.st, session, clock_now(), &c.enrolment) != 0) {
            app_page_error(&c, 403, "session_required");
            return;
        }
        c.lang = model_lang_from_code(c.enrolment.language);
        app_session_csrf(session, c.csrf);
        if (req->method == ROUTER_POST) {
            const char *sent = NULL;
            /* the form's csrf field is checked by the handler's form parse; here the
             * Origin, which browsers send on every POST */
            if (!app_origin_ok(&c)) {
                app_page_error(&c, 403, "forbidden");
                return;
            }
            (void)sent;
        }
    }
    ((app_handler)r->handler)(&c);
    if (!rep->status) {
        fprintf(stderr, "vejled: handler for %s set no status\n", r->pattern);
        rep->status = 500;
    }
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
    if (api)
        app_api_error(&c, status, code, NULL, NULL);
    else
        app_page_error(&c, status, code);
}

void app_http_hooks(struct app *app, struct http_hooks *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = app;
    out->routes = app_routes;
    out->n_routes = sizeof app_routes / sizeof app_routes[0];
    out->dispatch = app_dispatch;
    out->error = app_error;
}
